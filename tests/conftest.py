"""Shared fixtures: paths, a CLI runner in a subprocess-free form, and a fixed build date."""

from __future__ import annotations

import datetime as _dt
import functools
import html
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from forked_cli import ForkServer, engine_of

from cvbuild.document.model import Document, PublicationEntry, Span
from cvbuild.document.readback import out_of_order
from cvbuild.themes.theme import builtin_themes_dir, list_themes

ROOT = Path(__file__).resolve().parents[1]
PROFILES = ROOT / "profiles"
# Every built-in theme, found at run time, so a new theme is tested without editing the tests.
# The CV themes, which make every format; an HTML-only theme (homepage) is in HTML_THEMES alone.
_BUILTIN = [t for t in list_themes(None) if t.path.parent == builtin_themes_dir()]
BUILTIN_THEMES = tuple(sorted(t.name for t in _BUILTIN if "pdf" in t.targets))
HTML_THEMES = tuple(sorted(t.name for t in _BUILTIN if "html" in t.targets))
EXAMPLE = PROFILES / "example.yaml"
RESUME = PROFILES / "resume.yaml"
SEEDS = ROOT.parent / "shared" / "seeds"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
EPOCH = "1767225600"  # 2026-01-01, so dates in outputs are stable


@pytest.fixture(autouse=True)
def _fixed_date(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)


@functools.cache
def offline_prefix() -> tuple[str, ...]:
    """`unshare -rn`: a network namespace of its own, with no interface up, for each CLI run, so
    nothing it starts (native code included) can reach a network; pytest-socket only guards this
    process. Where user namespaces are not allowed, CLI runs go without (tests/test_safety_network.py
    still needs them)."""
    unshare = shutil.which("unshare")
    if unshare and subprocess.run([unshare, "-rn", "true"], capture_output=True, check=False).returncode == 0:
        return (unshare, "-rn")
    return ()


# The environment of this test process as it started: the fork server's (tests/forked_cli.py).
_START_ENV = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH}


_SERVERS: dict[str, ForkServer] = {}  # this test process's, one per engine


def fork_server(engine: str = "typst") -> ForkServer:
    """This test process's CLI fork server for runs with `engine`, started on first use and stopped
    at the session's end."""
    if engine not in _SERVERS:
        folder = Path(tempfile.mkdtemp(prefix="cvbuild-cli-"))
        _SERVERS[engine] = ForkServer(offline_prefix(), _START_ENV, folder, engine)
    return _SERVERS[engine]


def pytest_sessionfinish() -> None:
    for server in _SERVERS.values():
        server.close()


def run_cli(
    *args: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None, fresh: bool = False
) -> subprocess.CompletedProcess[str]:
    """Run the real `cvbuild` entry point in a new process, as a user would, offline: forked from
    the fork server, or with `fresh` (or an environment of its own) in a new interpreter, for a
    test that needs another hash seed or start-up (see tests/forked_cli.py)."""
    full_env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH, **(env or {})}
    arguments = [str(a) for a in args]
    if not fresh and (server := fork_server(engine_of(arguments))).accepts(full_env):
        return server.run(arguments, str(cwd or Path.cwd()), full_env, timeout=300)
    return subprocess.run(
        [*offline_prefix(), sys.executable, "-m", "cvbuild", *map(str, args)],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=300,
    )


MB = 1024 * 1024
BOMB_TIME_LIMIT = 120  # seconds: a guard against hangs on a busy machine, not a speed test
_PEAK_CODE = (  # cvbuild leaves through os._exit after a success, so atexit alone would not see it
    "import atexit, os, runpy, sys\n"
    "def peak():\n"
    "    sys.stderr.write(next(l for l in open('/proc/self/status') if l.startswith('VmPeak')))\n"
    "    sys.stderr.flush()\n"
    "atexit.register(peak)\n"
    "real_exit = os._exit\n"
    "os._exit = lambda code: (peak(), real_exit(code))\n"
    "sys.argv = ['cvbuild', *sys.argv[1:]]\n"
    "runpy.run_module('cvbuild', run_name='__main__')\n"
)


def run_cli_bounded(
    *args: str | Path, cwd: Path | None = None, max_bytes: int | None = None, timeout: float = BOMB_TIME_LIMIT
) -> tuple[subprocess.CompletedProcess[str], int]:
    """run_cli under an address-space limit (RLIMIT_AS, set in the child before it runs) and a
    time limit; also returns the run's peak address space (VmPeak), taken out of its stderr."""
    import re
    import resource

    def limit() -> None:
        if max_bytes is not None:
            resource.setrlimit(resource.RLIMIT_AS, (max_bytes, max_bytes))

    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH}
    arguments = [str(a) for a in args]
    server = fork_server(engine_of(arguments))
    if server.accepts(env):
        result = server.run(arguments, str(cwd or Path.cwd()), env, timeout, _PEAK_CODE, max_bytes)
    else:
        result = subprocess.run(
            [*offline_prefix(), sys.executable, "-c", _PEAK_CODE, *map(str, args)],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            preexec_fn=limit,
        )
    found = re.search(r"VmPeak:\s+(\d+) kB\n", result.stderr)
    peak = int(found[1]) * 1024 if found else 0
    if found:
        result.stderr = result.stderr[: found.start()] + result.stderr[found.end() :]
    return result, peak


@pytest.fixture(scope="session")
def bomb_memory_limit(tmp_path_factory: pytest.TempPathFactory) -> int:
    """What a bomb may use: a normal render's (pdf and txt) peak address space plus 500 MB."""
    tmp = tmp_path_factory.mktemp("normal")
    profile = write(tmp / "p.yaml", "name: Ada Example\nsummary: A normal profile.\n")
    result, peak = run_cli_bounded("render", profile, "-f", "pdf,txt", "-o", tmp / "out")
    assert result.returncode == 0 and peak, result.stderr
    return peak + 500 * MB


@pytest.fixture
def cli() -> object:
    return run_cli


@pytest.fixture
def workdir(tmp_path: Path) -> Iterator[Path]:
    """A temp folder holding copies of the example profiles."""
    for p in PROFILES.glob("*"):
        if p.is_file():
            shutil.copy(p, tmp_path / p.name)
    yield tmp_path


def bench_module(name: str, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """bench/NAME.py loaded as a module (bench/ is scripts, not a package)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(f"bench_{name}", ROOT / "bench" / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# ---- helpers shared by the target tests (txt/md, html, Typst and WeasyPrint PDF) --------------


_STRAIGHT = str.maketrans("‘’“”", "''\"\"")


def straight(text: str) -> str:
    """Typographic quotes back to the straight ones the user typed."""
    return text.translate(_STRAIGHT)


def squash(text: str) -> str:
    """Compare text across line wraps: NFKC, no whitespace, no hyphens of any kind, no zero-width
    spaces (where Typst may break a word longer than a line), and straight quotes (PDF and HTML
    set typographic ones where the Document has what the user typed)."""
    text = unicodedata.normalize("NFKC", text).translate(_STRAIGHT)
    return "".join(c for c in text if not c.isspace() and c not in "-\u00ad\u2010\u200b")


def plain(runs: list[Span] | None) -> str:
    return "".join(s.text for s in runs or [])


def reading_order_problems(text: str, doc: Document) -> list[str]:
    """`out_of_order` (cvbuild/document/readback.py) as a message, empty when the order holds."""
    found = out_of_order(text, doc)
    return [] if found is None else [f"{found.section.id}: {found.mark!r} is not read after ...{found.after!r}"]


def pdf_text(path: Path) -> str:
    from pypdf import PdfReader

    text = "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)
    return text.replace("\u200b", "")  # break opportunities Typst adds inside words of 60+ characters


@dataclass(frozen=True)
class PageLines:
    """One PDF page: its height and its text lines top to bottom, each with its bottom edge (points
    from the top of the page, as pdfplumber measures)."""

    height: float
    lines: list[tuple[str, float]]


_PAGE = re.compile(r'<page width="[\d.]+" height="([\d.]+)">(.*?)</page>', re.S)
_WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">(.*?)</word>')


def pdf_lines(path: Path, cut: float = 0.0) -> list[PageLines]:
    """Per page, the text lines whose top lies more than `cut` points above the page's foot (the
    footer sits below), grouped as pdfplumber's `extract_text_lines` does: words whose tops are
    within 3 pt chain into one line, read left to right. The words and their boxes come from
    poppler's `pdftotext -bbox`, ~20x faster than pdfplumber on a long CV."""
    xml = subprocess.run(
        ["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True, timeout=120
    ).stdout
    pages = []
    for height_text, body in _PAGE.findall(xml):
        height = float(height_text)
        words = sorted(
            (float(top), float(x), float(bottom), html.unescape(word))
            for x, top, bottom, word in _WORD.findall(body)
            if float(top) < height - cut
        )
        groups: list[list[tuple[float, float, float, str]]] = []
        for word in words:
            if groups and word[0] - groups[-1][-1][0] <= 3:
                groups[-1].append(word)
            else:
                groups.append([word])
        # a line running into the cut ends there, as pdfplumber's crop clips it
        lines = [
            (" ".join(w[3] for w in sorted(g, key=lambda w: w[1])), min(max(w[2] for w in g), height - cut))
            for g in groups
        ]
        pages.append(PageLines(height, lines))
    return pages


def documents(profile: Path, theme: str | None = None) -> dict[str, Document]:
    """The Documents cvbuild builds for each variant of a profile, keyed by variant name."""
    from cvbuild.loading.profile import load_profile
    from cvbuild.pipeline import RenderRequest, build_for, documents_to_render

    prof, _ = load_profile(profile)
    day = _dt.datetime.fromtimestamp(int(EPOCH), tz=_dt.UTC).date()
    request = RenderRequest(profile=profile, theme=theme)
    return {name: build_for(prof, name, spec, request, day)[1] for name, spec in documents_to_render(prof, None)}


def output_for(outdir: Path, doc: Document, suffix: str = ".pdf") -> Path:
    """The file written for one variant: `<slug><suffix>` or `<slug>-<variant><suffix>`."""
    from cvbuild.output import slug

    stem = slug(doc.person.name)
    for candidate in (outdir / f"{stem}-{doc.meta.document}{suffix}", outdir / f"{stem}{suffix}"):
        if candidate.exists():
            return candidate
    raise AssertionError(f"no {suffix} for {doc.meta.document} in {sorted(p.name for p in outdir.iterdir())}")


def publications(doc: Document) -> Iterator[PublicationEntry]:
    for section in doc.sections:
        for group in section.groups:
            for entry in group.entries:
                if isinstance(entry, PublicationEntry):
                    yield entry


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One Chromium for the whole run: playwright's sync API allows one driver per thread, so a
    second `sync_playwright()` while this one lives would fail."""
    assert CHROMIUM.exists(), "needs Debian's chromium at /usr/bin/chromium: `make test` installs it"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def watch_server(profile: Path, *args: str, env: dict[str, str] | None = None) -> Iterator[str]:
    """`cvbuild watch PROFILE --serve --port 0 ARGS` in the profile's folder; yields the URL it
    prints, stops it afterwards (SIGTERM) and fails if it printed a traceback."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "cvbuild", "watch", str(profile), "--serve", "--port", "0", *args],
        cwd=profile.parent,
        env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith("serving http://127.0.0.1:"), line
        yield line.split()[1]
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=10)  # also closes the pipes
    assert "Traceback" not in err, err


def with_pdf_standards(folder: Path, standards: str, theme: str = "classic") -> Path:
    """The extras profile (a photo, every contact kind) with `documents.cv.pdf_standards` set."""
    shutil.copy(FIXTURES / "interop" / "photo.png", folder / "photo.png")
    text = (FIXTURES / "interop" / "extras.yaml").read_text(encoding="utf-8")
    spec = f"documents:\n  cv:\n    theme: {theme}\n    pdf_standards: {standards}\n    options: {{show_photo: true}}\n"
    return write(folder / "p.yaml", text + spec)


def pdf_standards_of(pdf: Path) -> dict[str, str]:
    """What a PDF says it conforms to, from its XMP metadata (element or attribute form):
    {"pdfaid:part": "2", "pdfaid:conformance": "A", "pdfuaid:part": "1"}, plus the PDF header."""
    from pypdf import PdfReader

    reader = PdfReader(pdf)
    xmp = reader.xmp_metadata
    data = xmp.stream.get_data().decode("utf-8") if xmp is not None else ""
    found = dict(re.findall(r"<(pdf(?:ua|a)id:\w+)>([^<]*)<", data))
    found.update(re.findall(r'(pdf(?:ua|a)id:\w+)="([^"]*)"', data))
    found["header"] = reader.pdf_header
    return found


# ---- reading order: the text applicant-tracking systems and screen readers get -----------------


def pdf_extractions(path: Path) -> dict[str, str]:
    """A PDF's text as three kinds of reader get it: pypdf in content-stream order, poppler's
    `pdftotext`, which orders the page's text blocks by their layout (columns, then top to bottom),
    and pdfplumber, which reads each page line by line across its whole width."""
    import pdfplumber
    from pypdf import PdfReader

    pypdf_text = "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)
    poppler = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True, timeout=120
    ).stdout
    with pdfplumber.open(path) as pdf:
        plumber = "\n".join(page.extract_text() or "" for page in pdf.pages)
    return {"pypdf": pypdf_text, "pdftotext": poppler, "pdfplumber": plumber}
