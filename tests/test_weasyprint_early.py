"""The early WeasyPrint process (cvbuild/targets/weasyprint_early.py): a fresh `render --engine
weasyprint` lays its first page out in a process forked before pydantic is imported. Each run here
is a new interpreter (the tests' fork server has WeasyPrint imported already, so its runs start no
early process), and records whether the early process served the page (`early.txt`)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import EPOCH, offline_prefix, run_cli, with_pdf_standards, write

from cvbuild.targets import weasyprint_early

ROOT = Path(__file__).resolve().parents[1]
PROFILES = ROOT / "profiles"
CLASSIC_CSS = ROOT / "themes" / "classic" / "style.css"
HANG_GUARD = 120

# cvbuild's console script, noting in early.txt each early process started and each page it got.
_RECORDED = """
import sys
from cvbuild.targets import weasyprint_early
start, take = weasyprint_early.start, weasyprint_early.take
def note(word, early):
    if early is not None:
        with open("early.txt", "a", encoding="utf-8") as out:
            out.write(word + "\\n")
    return early
weasyprint_early.start = lambda: note("started", start())
weasyprint_early.take = lambda cache: note("used", take(cache))
if sys.argv[1] == "--late":  # no early process: the page goes to a child forked when it is ready
    sys.argv.pop(1)
    weasyprint_early.start = lambda: None
sys.argv = ["cvbuild", *sys.argv[1:]]
from cvbuild.cli.script import main
main()
"""


def _argv(*args: str | Path) -> list[str]:
    return [*offline_prefix(), sys.executable, "-c", _RECORDED, *map(str, args)]


def fresh(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH, **(env or {})}
    return subprocess.run(_argv(*args), cwd=cwd, env=full_env, capture_output=True, text=True, timeout=300)


def early_uses(folder: Path) -> list[str]:
    path = folder / "early.txt"
    return path.read_text(encoding="utf-8").split() if path.exists() else []


def pdfs(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.pdf"))}


def _slow_theme(folder: Path, css: str = "") -> None:
    write(folder / "themes" / "slow" / "theme.toml", 'name = "slow"\nextends = "classic"\n')
    if css:
        write(folder / "themes" / "slow" / "style.css", CLASSIC_CSS.read_text(encoding="utf-8") + css)


CASES = {
    "every document of the example": (PROFILES / "example.yaml", []),
    "a one-page CV fitted to its budget": (PROFILES / "onepage.yaml", []),
    "a theme of the user's, under a time limit and a data limit": (
        PROFILES / "example.yaml",
        ["-d", "cv", "--theme", "themes/slow", "--time-limit", "60"],
    ),
    "PDF/A-2b with a photo": (None, ["-d", "cv"]),
}


@pytest.mark.parametrize("case", list(CASES))
def test_the_early_process_makes_the_same_pdfs_and_warnings(tmp_path: Path, case: str) -> None:
    """Against the same render in one process (the fork server's, WeasyPrint imported already):
    the same bytes and the same words, with the early process serving the first page."""
    profile, extra = CASES[case]
    _slow_theme(tmp_path)
    if profile is None:
        profile = with_pdf_standards(tmp_path, "[a-2b]")
    argv = ["render", str(profile), "-f", "pdf", "--engine", "weasyprint", *extra]
    early = fresh(*argv, "-o", tmp_path / "early", cwd=tmp_path)
    assert early.returncode == 0, early.stderr
    here = run_cli(*argv, "-o", tmp_path / "here", cwd=tmp_path)
    assert here.returncode == 0, here.stderr
    assert pdfs(tmp_path / "early") == pdfs(tmp_path / "here") != {}
    assert early.stderr.replace(str(tmp_path / "early"), str(tmp_path / "here")) == here.stderr
    assert early.stdout.replace(str(tmp_path / "early"), str(tmp_path / "here")) == here.stdout
    if case == "a one-page CV fitted to its budget":  # fitting lays the page out here: its probe is the PDF
        assert early_uses(tmp_path) == ["started"]
    else:
        assert early_uses(tmp_path) == ["started", "used"]


def test_a_stylesheet_that_explodes_is_stopped_in_time_in_the_early_process(tmp_path: Path) -> None:
    write(tmp_path / "p.yaml", "name: Ada Example\nsummary: Hi.\n")
    counter = '@counter-style big { system: symbolic; symbols: "x"; }\n'
    _slow_theme(tmp_path, counter + "body { counter-reset: n 100000000; }\np::before { content: counter(n, big); }\n")
    start = time.monotonic()
    argv = ["render", "p.yaml", "--theme", "slow", "-f", "pdf", "--engine", "weasyprint", "--time-limit", "2"]
    result = fresh(*argv, "-o", "out", cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert "style.css: WeasyPrint's layout of the page ran longer than the time limit theme_seconds = 2 s" in (
        result.stderr
    )
    assert "Traceback" not in result.stderr
    assert time.monotonic() - start < HANG_GUARD / 2
    assert early_uses(tmp_path) == ["started", "used"]
    assert not (tmp_path / "out").exists()


def test_a_stylesheet_that_takes_memory_without_end_is_stopped_in_the_early_process(tmp_path: Path) -> None:
    """The early process holds the data limit the forked child holds (theme_memory beyond what it
    held when it got the page)."""
    write(tmp_path / "p.yaml", "name: Ada Example\nsummary: Hi.\n")
    big = '@counter-style big { system: symbolic; symbols: "x"; }\n'
    _slow_theme(tmp_path, big + "* { counter-reset: n 500000000; }\n*::before { content: counter(n, big); }\n")
    argv = ["render", "p.yaml", "--theme", "slow", "-f", "pdf", "--engine", "weasyprint", "-o", "out"]
    result = fresh(*argv, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert "WeasyPrint needed more memory than the limit theme_memory = 2,048 MiB" in result.stderr
    assert "Traceback" not in result.stderr and "allocate" not in result.stderr
    assert early_uses(tmp_path) == ["started", "used"]


def _processes(argv: list[str]) -> dict[int, float]:
    """The processes with this command line (cvbuild and its early process), with their CPU seconds."""
    found = {}
    wanted = [a.encode() for a in argv]
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and (entry / "cmdline").read_bytes().split(b"\0")[:-1] == wanted:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                found[int(entry.name)] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, IndexError, ValueError):
            continue
    return found


def _start_a_long_layout(tmp_path: Path, late: bool = False) -> tuple[subprocess.Popen[bytes], list[str], int]:
    """cvbuild laying a page out for minutes in its early process (`late`: in the child it forks
    when the page is ready): (cvbuild, its command line, the child's pid), once the child has
    worked 3 s (the early process's import takes a fraction)."""
    write(tmp_path / "p.yaml", "name: Ada Example\nsummary: Hi.\n")
    counter = '@counter-style big { system: symbolic; symbols: "x"; }\n'
    _slow_theme(tmp_path, counter + "body { counter-reset: n 100000000; }\np::before { content: counter(n, big); }\n")
    argv = [sys.executable, "-c", _RECORDED, *(["--late"] if late else []), "render", "p.yaml", "--theme", "slow"]
    argv += ["-f", "pdf"]
    argv += ["--engine", "weasyprint", "-o", str(tmp_path / "out"), "--time-limit", "600"]
    process = subprocess.Popen(
        argv,
        cwd=tmp_path,
        env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # as at a terminal
    )
    deadline = time.monotonic() + HANG_GUARD
    while time.monotonic() < deadline and process.poll() is None:
        children = {pid: cpu for pid, cpu in _processes(argv).items() if pid != process.pid}
        if any(cpu > 3 for cpu in children.values()) and early_uses(tmp_path) == ([] if late else ["started", "used"]):
            return process, argv, next(iter(children))
        time.sleep(0.1)
    process.kill()
    raise AssertionError("the child never laid the page out")


def test_ctrl_c_while_the_early_process_lays_out_leaves_no_process(tmp_path: Path) -> None:
    process, argv, _ = _start_a_long_layout(tmp_path)
    os.kill(process.pid, signal.SIGINT)
    _, err = process.communicate(timeout=30)
    left = _processes(argv)
    for pid in left:  # a failure leaves no layout running for minutes
        os.kill(pid, signal.SIGKILL)
    assert process.returncode == 130, err
    assert b"Traceback" not in err
    assert left == {}
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("late", [False, True], ids=["early", "late"])
def test_a_killed_cvbuild_takes_its_child_with_it(tmp_path: Path, late: bool) -> None:
    """SIGKILL runs no `finally`: the kernel ends the child (PR_SET_PDEATHSIG), the early process
    or the one forked when the page was ready (which went on laying the page out for minutes)."""
    process, argv, child = _start_a_long_layout(tmp_path, late)
    process.kill()
    process.communicate(timeout=30)
    deadline = time.monotonic() + 10
    try:
        while _state(child) not in (None, "Z") and time.monotonic() < deadline:  # an exit frees its memory first
            time.sleep(0.05)
        assert _state(child) in (None, "Z")  # gone, or dead and not yet reaped by whoever adopted it
        assert _processes(argv) == {}
    finally:  # a failure leaves no layout running for minutes
        for pid in _processes(argv):
            os.kill(pid, signal.SIGKILL)


def _state(pid: int) -> str | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return None


def test_a_render_that_fails_before_its_page_ends_its_early_process(tmp_path: Path) -> None:
    """A profile that does not load: the early process, never given a page, is gone when cvbuild
    ends (it holds no pipe of the caller's open: `capture_output` returns at cvbuild's end)."""
    write(tmp_path / "p.yaml", "name: Ada Example\nsummary: [unclosed\n")
    argv = ["render", "p.yaml", "-f", "pdf", "--engine", "weasyprint", "-o", "out"]
    result = fresh(*argv, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert "p.yaml:2:" in result.stderr
    assert early_uses(tmp_path) == ["started"]
    assert _processes(_argv(*argv)) == {}


def test_no_early_process_where_weasyprint_is_imported_already_or_for_other_formats(tmp_path: Path) -> None:
    """The fork server's runs (WeasyPrint imported), Typst's PDF and WeasyPrint's HTML-only runs
    start none."""
    import importlib

    assert "weasyprint" in sys.modules or importlib.import_module("weasyprint")
    assert weasyprint_early.start() is None
    argv = ["render", PROFILES / "example.yaml", "-d", "cv", "-o", tmp_path / "out"]
    for extra in (["-f", "pdf"], ["-f", "html", "--engine", "weasyprint"]):
        result = fresh(*argv, *extra, cwd=tmp_path)
        assert result.returncode == 0, result.stderr
    assert early_uses(tmp_path) == []


def test_no_early_process_beside_another_thread() -> None:
    """A fork while another thread holds a lock (an import's) could leave the child waiting for ever,
    and cvbuild with it: an embedding program's thread keeps the early process from starting."""
    code = (
        "import sys, threading\n"
        "from cvbuild.targets import weasyprint_early\n"
        "early = weasyprint_early.start()\n"
        "print(early is not None and early.ready())\n"
        "early is not None and early.close()\n"
        "stop = threading.Event()\n"
        "threading.Thread(target=stop.wait).start()\n"
        "print(weasyprint_early.start())\n"
        "stop.set()\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.stdout.split() == ["True", "None"], result.stderr


def test_the_early_process_honours_cvbuild_no_cache(tmp_path: Path) -> None:
    """It keeps nothing of its own; the hyphenation patterns a render stores (classic's justified
    summary hyphenates) go to the cache folder only without CVBUILD_NO_CACHE, as in any render."""
    cache = tmp_path / "cache"
    argv = ["render", PROFILES / "example.yaml", "-d", "cv", "-f", "pdf", "--engine", "weasyprint", "-o", "out"]
    env = {"CVBUILD_CACHE_DIR": str(cache)}
    result = fresh(*argv, cwd=tmp_path, env={**env, "CVBUILD_NO_CACHE": "1"})
    assert result.returncode == 0, result.stderr
    assert early_uses(tmp_path) == ["started", "used"]
    assert not cache.exists()
    result = fresh(*argv, cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    assert list((cache / "pyphen").iterdir())
