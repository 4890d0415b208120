"""PDF through WeasyPrint: content, fonts, metadata, determinism, and the URL fetcher's limits."""

from __future__ import annotations

import http.server
import json
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest
from conftest import (
    BUILTIN_THEMES,
    EXAMPLE,
    RESUME,
    ROOT,
    documents,
    output_for,
    pdf_lines,
    pdf_standards_of,
    pdf_text,
    run_cli,
    with_pdf_standards,
    write,
)
from conftest import squash as norm
from pypdf import PdfReader
from test_html import expected_strings

from cvbuild.document.model import Document, Entry
from cvbuild.targets.weasyprint_pdf import FetchRefused, check_url

THEMES = BUILTIN_THEMES  # the themes that make PDFs (homepage makes a page only)

PROFILES = {"example": EXAMPLE, "resume": RESUME}
# The page names its embedded fonts cv-main, cv-fallback-N, cv-mono; any other font in the PDF
# (DejaVu-Serif, say) came from the system.
BUNDLED = ("cv-",)


def images(path: Path) -> int:
    count = 0
    for page in PdfReader(path).pages:
        resources = page.get("/Resources")
        xobjects = resources.get_object().get("/XObject") if resources else None
        for ref in (xobjects.get_object() if xobjects else {}).values():
            count += ref.get_object().get("/Subtype") == "/Image"
    return count


@pytest.fixture(scope="session")
def pdf_out(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Both profiles, every variant (each in its document's theme), rendered once."""
    out = {}
    for key, profile in PROFILES.items():
        folder = tmp_path_factory.mktemp(f"weasy-{key}")
        result = run_cli("render", profile, "-f", "pdf", "--engine", "weasyprint", "-o", folder)
        assert result.returncode == 0, result.stderr
        assert result.stderr == "", result.stderr  # built-in themes: no CSS WeasyPrint cannot use
        out[key] = folder
    return out


@pytest.fixture(scope="session")
def docs() -> dict[str, dict[str, Document]]:
    return {k: documents(p) for k, p in PROFILES.items()}


@pytest.mark.parametrize("profile", list(PROFILES))
def test_every_title_author_and_venue_is_in_the_pdf(
    profile: str, pdf_out: dict[str, Path], docs: dict[str, dict[str, Document]]
) -> None:
    for doc in docs[profile].values():
        # casefolded: themes may set section titles in capitals
        text = norm(pdf_text(output_for(pdf_out[profile], doc, ".pdf"))).casefold()
        missing = [s for s in expected_strings(doc) if norm(s).casefold() not in text]
        assert not missing, f"{profile}:{doc.meta.document} lacks {missing[:5]}"


@pytest.mark.parametrize("profile", list(PROFILES))
def test_metadata_footer_and_bundled_fonts(
    profile: str, pdf_out: dict[str, Path], docs: dict[str, dict[str, Document]]
) -> None:
    for doc in docs[profile].values():
        path = output_for(pdf_out[profile], doc, ".pdf")
        reader = PdfReader(path)
        info = reader.metadata
        assert info is not None
        assert doc.meta.title in (info.title or "") and info.author == doc.meta.author
        assert info.subject == doc.meta.subject
        assert info["/CreationDate"].startswith("D:20260101") and info["/ModDate"] == info["/CreationDate"]
        if doc.meta.keywords:
            assert info["/Keywords"] == ", ".join(doc.meta.keywords)
        assert norm(doc.meta.date_text) in norm(reader.pages[0].extract_text())
        if len(reader.pages) > 1:  # name and page numbers from page 2 on
            footer = norm(reader.pages[1].extract_text())
            assert norm(doc.person.name) in footer and norm(f"Page 2 of {len(reader.pages)}") in footer
        fonts = {
            str(d.get_object().get("/BaseFont", "")).split("+")[-1]
            for page in reader.pages
            for f in (page["/Resources"].get_object().get("/Font") or {}).values()
            for d in [f.get_object(), *f.get_object().get("/DescendantFonts", [])]
        } - {""}
        assert fonts and all(name.startswith(BUNDLED) for name in fonts), fonts


def embedded_font_programs(path: Path) -> dict[str, bytes]:
    """PDF font name -> the embedded font file."""
    out = {}
    for page in PdfReader(path).pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            for d in [font, *(x.get_object() for x in font.get("/DescendantFonts", []))]:
                descriptor = d.get("/FontDescriptor")
                if descriptor is None:
                    continue
                descriptor = descriptor.get_object()
                for key in ("/FontFile", "/FontFile2", "/FontFile3"):
                    if key in descriptor:
                        out[str(font["/BaseFont"])] = descriptor[key].get_object().get_data()
    return out


def test_native_name_uses_the_bundled_cjk_font(pdf_out: dict[str, Path], docs: dict[str, dict[str, Document]]) -> None:
    doc = docs["example"]["cv"]
    path = output_for(pdf_out["example"], doc, ".pdf")
    assert doc.person.native_name and doc.person.native_name in pdf_text(path)
    programs = embedded_font_programs(path)
    (cjk,) = [name for name, data in programs.items() if b"NotoSansCJK" in data]
    assert cjk.endswith("cv-fallback-1")
    assert any(b"LinLibertine" in data for data in programs.values())


def test_two_renders_are_byte_identical(tmp_path: Path, pdf_out: dict[str, Path]) -> None:
    result = run_cli("render", RESUME, "-f", "pdf", "--engine", "weasyprint", "-o", tmp_path, fresh=True)
    assert result.returncode == 0, result.stderr
    for first in pdf_out["resume"].glob("*.pdf"):
        assert (tmp_path / first.name).read_bytes() == first.read_bytes(), first.name


def test_one_page_resume_stays_on_one_page(pdf_out: dict[str, Path], docs: dict[str, dict[str, Document]]) -> None:
    (doc,) = docs["resume"].values()
    assert len(PdfReader(output_for(pdf_out["resume"], doc, ".pdf")).pages) == 1


# ---- print layout: the page budget and page breaks, in both themes ------------------------------

POINTS = {"pt": 1.0, "mm": 72 / 25.4, "cm": 72 / 2.54, "in": 72.0}


def bottom_margin(doc: Document) -> float:
    """The page's bottom margin in points, from the `margin` option (1 to 4 CSS lengths)."""
    values = str(doc.options.get("margin", "2cm")).split()
    value = values[2] if len(values) > 2 else values[0]
    number = value.rstrip("abcdefghijklmnopqrstuvwxyz")
    return float(number) * POINTS[value[len(number) :]]


def last_lines(path: Path, doc: Document) -> list[str]:
    """The last line of text on each page, above the footer (which sits in the bottom margin)."""
    return [page.lines[-1][0] if page.lines else "" for page in pdf_lines(path, bottom_margin(doc))]


def page_end_problems(path: Path, doc: Document) -> list[str]:
    """Pages that end with a section or group title, or with the head line of an entry whose
    subtitle, details or bullets went on to the next page."""
    titles = {norm(t).casefold() for s in doc.sections for t in [s.title, *(g.title for g in s.groups)] if t}
    heads = []  # (title, date) of entries whose first line has more lines after it
    for s in doc.sections:
        entries = [e for g in s.groups for e in g.entries if isinstance(e, Entry) and e.title]
        # the themes' one-line entries (and their own test): no bullets, details, children, items
        compact = not any(e.highlights or e.details or e.children or e.items for e in entries)
        for e in entries:
            if e.summary or (not compact and (e.subtitle or e.location or e.details or e.highlights or e.children)):
                title = norm("".join(r.text for r in e.title)).casefold()
                heads.append((title, norm(e.date.text).casefold() if e.date else ""))
    problems = []
    for number, line in enumerate(last_lines(path, doc)[:-1], start=1):
        text = norm(line).casefold()
        if text in titles:
            problems.append(f"page {number} ends with the title {line!r}")
        elif any(text.startswith(title) and text.endswith(date) for title, date in heads):
            problems.append(f"page {number} ends with an entry's head {line!r}")
    return problems


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("profile", list(PROFILES))
def test_every_variant_prints_whole_and_breaks_cleanly(profile: str, theme: str, tmp_path: Path) -> None:
    """Every variant of both profiles in each built-in theme, rendered once (the render is the cost)
    and checked three ways:
    - nothing is lost: every title, author and venue reaches the printed page (a multi-page CSS grid
      once dropped half the sidebar theme's CV without a word);
    - the one-page résumés (the example's `resume`, 9.5pt and 1.4cm margins, and resume.yaml) fit
      one page, as in Typst;
    - no page ends with a section title or an entry's head."""
    result = run_cli(
        "render", PROFILES[profile], "-f", "pdf", "--engine", "weasyprint", "--theme", theme, "-o", tmp_path
    )
    assert result.returncode == 0, result.stderr
    failures = []
    for name, doc in documents(PROFILES[profile], theme).items():
        path = output_for(tmp_path, doc, ".pdf")
        text = norm(pdf_text(path)).casefold()
        missing = [s for s in expected_strings(doc) if norm(s).casefold() not in text]
        if missing:
            failures.append(f"{name} lacks {missing[:5]}")
        if name == "resume" and len(PdfReader(path).pages) != 1:
            failures.append(f"{name} takes {len(PdfReader(path).pages)} pages")
        failures += [f"{name}: {problem}" for problem in page_end_problems(path, doc)]
    assert failures == [], f"{profile} in {theme}"


SIZES = ("9pt", "10pt", "11pt", "12pt")
# Each theme at two sizes two steps apart, and each size in two themes: half of the 16 pairs, whose
# WeasyPrint renders of the long CV were a tenth of the suite's CPU.
THEME_SIZES = [(theme, SIZES[(i + k) % 4]) for i, theme in enumerate(THEMES) for k in (0, 2)]


@pytest.mark.parametrize(("theme", "size"), THEME_SIZES)
def test_page_breaks_at_other_font_sizes(theme: str, size: str, tmp_path: Path) -> None:
    """The long CV at several base sizes, so page breaks fall in many places: still no title or
    entry head is left at the foot of a page."""
    result = run_cli(
        "render", EXAMPLE, "-d", "cv", "-f", "pdf", "--engine", "weasyprint", "--theme", theme,
        "--set", f"font_size={size}", "-o", tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    doc = documents(EXAMPLE, theme)["cv"]
    path = output_for(tmp_path, doc, ".pdf")
    assert len(PdfReader(path).pages) > 2
    assert page_end_problems(path, doc) == []


# ---- the URL fetcher ----------------------------------------------------------------------------


@pytest.fixture
def tree(tmp_path: Path) -> dict[str, Path]:
    """theme/ and profile/ (allowed), outside/ (not), and symlinks from inside to outside."""
    paths = {name: tmp_path / name for name in ("theme", "profile", "outside")}
    for folder in paths.values():
        folder.mkdir()
    write(paths["theme"] / "ok.css", "h1 { color: red }")
    write(paths["profile"] / "photo.txt", "fine")
    write(paths["outside"] / "secret.txt", "TOP SECRET")
    (paths["profile"] / "escape.txt").symlink_to(paths["outside"] / "secret.txt")
    (paths["theme"] / "dir-link").symlink_to(paths["outside"], target_is_directory=True)
    (paths["profile"] / "inner-link.txt").symlink_to(paths["profile"] / "photo.txt")
    return paths


def roots(tree: dict[str, Path]) -> list[Path]:
    return [tree["theme"].resolve(), tree["profile"].resolve()]


def test_fetcher_allows_data_and_files_inside(tree: dict[str, Path]) -> None:
    assert check_url("data:text/css,h1{}", roots(tree)) is None
    assert check_url((tree["theme"] / "ok.css").as_uri(), roots(tree)) == (tree["theme"] / "ok.css").resolve()
    inner = check_url((tree["profile"] / "inner-link.txt").as_uri(), roots(tree))
    assert inner == (tree["profile"] / "photo.txt").resolve()  # a link that stays inside is fine


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/x.css",
        "https://example.org/x.css",
        "ftp://example.org/x.css",
        "file:///etc/passwd",
        "file://evil.example/etc/passwd",
        "x.css",
        "//example.org/x.css",
        "javascript:alert(1)",
    ],
)
def test_fetcher_refuses_other_schemes_and_files(url: str, tree: dict[str, Path]) -> None:
    with pytest.raises(FetchRefused):
        check_url(url, roots(tree))


def test_fetcher_refuses_dotdot_and_symlink_escapes(tree: dict[str, Path]) -> None:
    profile, theme = tree["profile"], tree["theme"]
    attacks = [
        profile.as_uri() + "/../outside/secret.txt",
        profile.as_uri() + "/..%2foutside%2fsecret.txt",
        theme.as_uri() + "/../../" + str(tree["outside"] / "secret.txt").lstrip("/"),
        (profile / "escape.txt").as_uri(),
        (theme / "dir-link" / "secret.txt").as_uri(),
        (profile / "missing.txt").as_uri(),
        profile.as_uri(),  # a folder is not a resource
    ]
    for url in attacks:
        with pytest.raises(FetchRefused):
            check_url(url, roots(tree))


def test_weasyprint_fetcher_object_applies_the_check(tree: dict[str, Path]) -> None:
    from cvbuild.targets.weasyprint_pdf import make_fetcher

    warnings: list[str] = []
    fetcher = make_fetcher(roots(tree), warnings.append)
    assert fetcher((tree["theme"] / "ok.css").as_uri()).read() == b"h1 { color: red }"
    assert fetcher("data:text/plain,hi").read() == b"hi"
    for url in ("http://127.0.0.1:9/", "file:///etc/passwd", (tree["profile"] / "escape.txt").as_uri()):
        with pytest.raises(FetchRefused):
            fetcher(url)
    assert len(warnings) == 3


class _Recorder(http.server.BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        _Recorder.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[int]:
    """A local HTTP server that records every request it gets."""
    _Recorder.hits = []
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield httpd.server_address[1]
    finally:
        httpd.shutdown()
        httpd.server_close()


def png(path: Path) -> Path:
    from PIL import Image

    Image.new("RGB", (8, 8), (200, 0, 0)).save(path)
    return path


@pytest.mark.allow_hosts(["127.0.0.1"])  # the recorder below listens there; pytest-socket blocks the rest
def test_hostile_theme_css_renders_without_forbidden_resources(tmp_path: Path, server: int) -> None:
    """A theme whose CSS points at the network, /etc/passwd, `../` and symlinks: the PDF still
    renders, only the image inside the theme loads, and no request reaches the server."""
    outside = tmp_path / "outside"
    outside.mkdir()
    png(outside / "secret.png")
    png(outside / "secret2.png")
    profile_dir = tmp_path / "profile"
    profile_dir.mkdir()
    profile = write(profile_dir / "cv.yaml", "name: Ada Example\nheadline: PhD student\nsummary: Hi.\n")
    (profile_dir / "photo.png").symlink_to(outside / "secret.png")
    theme = tmp_path / "themes" / "evil"
    theme.mkdir(parents=True)
    write(theme / "theme.toml", 'name = "evil"\nextends = "classic"\ntargets = ["pdf", "html"]\n')
    png(theme / "ok.png")
    (theme / "link.png").symlink_to(outside / "secret.png")
    urls = [
        f"http://127.0.0.1:{server}/a.png",
        f"https://127.0.0.1:{server}/b.png",
        "file:///etc/passwd",
        (outside / "secret.png").as_uri(),
        "../../outside/secret2.png",
        "link.png",
        (profile_dir / "photo.png").as_uri(),
    ]
    rules = [f'.s{i}::before {{ content: url("{u}"); }}' for i, u in enumerate(urls)]
    selectors = " ".join(f'<p class="s{i}"></p>' for i in range(len(urls)))
    assert selectors  # the template below gives each rule an element to apply to
    classic = (Path(__file__).resolve().parents[1] / "themes" / "classic" / "style.css").read_text()
    write(theme / "style.css", classic + '\nh1::before { content: url("ok.png"); }\n' + "\n".join(rules))
    # In style.css, the theme's stylesheet check refuses the first of them at its line ...
    refused = run_cli("render", profile, "--theme", theme, "-f", "pdf", "--engine", "weasyprint", "-o", tmp_path / "o")
    assert refused.returncode == 2 and f"style.css:{classic.count(chr(10)) + 3}:" in refused.stderr, refused.stderr
    assert not (tmp_path / "o").exists()
    # ... so the fetcher, the line behind it, is tried with a <style> the template writes.
    write(theme / "style.css", classic + '\nh1::before { content: url("ok.png"); }\n')
    write(
        theme / "cv.html.j2",
        '{% extends "_layout.html.j2" %}{% block masthead %}{{ super() }}<style>'
        + "\n".join(rules)
        + "</style>"
        + selectors
        + "{% endblock %}",
    )
    result = run_cli("render", profile, "--theme", theme, "-f", "pdf", "--engine", "weasyprint", "-o", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    (pdf,) = (tmp_path / "out").glob("*.pdf")
    assert images(pdf) == 1  # ok.png, and nothing else
    assert _Recorder.hits == []
    assert result.stderr.count("skipped a resource") == len(urls), result.stderr
    assert "Ada Example" in pdf_text(pdf)


def test_a_theme_cannot_attach_a_file_of_the_profiles_folder(tmp_path: Path) -> None:
    """The profile's folder is no root of the fetcher: a theme's `rel=attachment` link took any
    file under it (~/.ssh/id_rsa for a profile in the home folder) into the PDF."""
    home = tmp_path / "home"
    profile = write(home / "cv.yaml", "name: Ada Example\nsummary: Hi.\n")
    key = write(home / ".ssh" / "id_rsa", "PRIVATE-KEY-CANARY\n")
    theme = tmp_path / "evil"
    write(theme / "theme.toml", 'name = "evil"\nextends = "classic"\n')
    links = f'<link rel="attachment" href="{key.as_uri()}"><a rel="attachment" href="{key.as_uri()}">k</a>'
    write(
        theme / "cv.html.j2",
        '{% extends "_layout.html.j2" %}{% block masthead %}{{ super() }}' + links + "{% endblock %}",
    )
    out = tmp_path / "out"
    result = run_cli("render", profile, "--theme", theme, "-f", "pdf", "--engine", "weasyprint", "-o", out)
    assert result.returncode == 0, result.stderr
    # Both links name the same file: one warning, as a run says each warning once (23aabd0).
    assert result.stderr.count("skipped a resource: outside the theme and font folders") == 1, result.stderr
    assert key.as_uri() in result.stderr
    (pdf,) = out.glob("*.pdf")
    assert not PdfReader(pdf).attachments
    assert "Ada Example" in pdf_text(pdf)


def test_weasyprint_is_imported_only_for_its_engine() -> None:
    code = "import sys, cvbuild.targets.weasyprint_pdf; assert 'weasyprint' not in sys.modules"
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=dict(os.environ))
    assert result.returncode == 0, result.stderr


def test_weasyprint_imports_without_library_searches() -> None:
    """The fast import loads the same libraries and leaves ctypes as it was."""
    code = (
        "import ctypes.util, subprocess\n"
        "calls = []\n"
        "real = subprocess.Popen.__init__\n"
        "subprocess.Popen.__init__ = lambda self, *a, **k: calls.append(a) or real(self, *a, **k)\n"
        "original = ctypes.util.find_library\n"
        "from cvbuild.targets.weasyprint_pdf import import_weasyprint\n"
        "import_weasyprint()\n"
        "assert ctypes.util.find_library is original\n"
        "from weasyprint.text import ffi\n"
        "print(len(calls), ffi.pango.pango_version())\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out[0] == "0"  # no ldconfig, gcc or ld
    assert int(out[1]) > 14000  # Pango answers: the library loaded


def test_embedded_fonts_reach_weasyprint_through_the_fetcher(tree: dict[str, Path]) -> None:
    """The engine swaps each data: URL face for a short URL its fetcher serves from memory: the
    same bytes, without WeasyPrint tokenizing 250 KB of base64. A theme's broken data: URL is
    left for WeasyPrint to judge, and a profile's text is never rewritten."""
    import base64

    from cvbuild.targets.weasyprint_pdf import make_fetcher
    from cvbuild.targets.webfonts import detach_fonts, face_css, read_faces

    face = read_faces([ROOT / "themes" / "base" / "fonts" / "DejaVuSansMono.ttf"])[0]
    data = b"\x00\x01\x00\x00" + bytes(range(256)) * 3
    broken = '@font-face{font-family:"mine";src:url(data:font/otf;base64,abc)}'  # a theme's own
    # A profile's text, escaped as the page escapes it: never rewritten.
    text = "<h1>@font-face{font-family:&#34;x&#34;;src:url(data:font/otf;base64,AAAA)}</h1>"
    page = f"<style>{face_css('cv-mono', face, data)}\n{broken}</style>{text}"
    short, fonts = detach_fonts(page)
    assert list(fonts) == ["cvbuild-font:0"] and fonts["cvbuild-font:0"] == data
    assert base64.b64encode(data).decode() not in short and "src:url(cvbuild-font:0) format(" in short
    assert broken in short and short.endswith(text)
    fetcher = make_fetcher(roots(tree), [].append, fonts)
    assert fetcher("cvbuild-font:0").read() == data
    with pytest.raises(FetchRefused):
        fetcher("cvbuild-font:1")  # nothing else of that scheme loads


def test_font_subsetting_parses_no_array_type_per_font(tmp_path: Path) -> None:
    """While the PDF is written, WeasyPrint's sized `hb_codepoint_t[N]` arrays are made from the
    unsized type (parsed once) with the same items; other `ffi.new` calls pass through, and the
    shortcut is gone afterwards. If WeasyPrint stops asking for sized arrays, the first count is 0:
    then the shortcut is dead code and can go."""
    code = (
        "from cffi.api import FFI\n"
        "from cvbuild.targets.weasyprint_pdf import import_weasyprint, sized_arrays_parsed_once\n"
        "import_weasyprint()\n"
        "from weasyprint import HTML\n"
        "from weasyprint.text.ffi import ffi\n"
        "seen = []\n"
        "real = FFI.new\n"
        "FFI.new = lambda self, cdecl, init=None: seen.append(cdecl) or real(self, cdecl, init)\n"
        "doc = HTML(string='<p style=\"font-family: DejaVu Sans\">Aa Bb, 1 2 3</p>').render()\n"
        "def sized():\n"
        "    return sum(c.startswith('hb_codepoint_t[') and c != 'hb_codepoint_t[]' for c in seen)\n"
        "plain = doc.write_pdf()\n"
        "before = sized()\n"
        "with sized_arrays_parsed_once():\n"
        "    fast = doc.write_pdf()\n"
        "    arr = ffi.new('unsigned int[3]', [7, 8, 9]); zeros = ffi.new('unsigned int[4]', [1])\n"
        "assert 'new' not in vars(ffi)\n"
        "assert list(arr) == [7, 8, 9] and list(zeros) == [1, 0, 0, 0]\n"
        "print(before, sized() - before, seen.count('hb_codepoint_t[]'), int(fast == plain))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    asked, parsed, unsized, same = map(int, out.stdout.split())
    assert asked > 0 and parsed == 0 and unsized == asked and same == 1


def test_two_renders_that_both_set_the_array_shortcut_end_in_any_order() -> None:
    """Two threads can both find no shortcut and both set one; whichever ends first leaves the
    other's in place, and the last one out leaves WeasyPrint's ffi as it was."""
    from cvbuild.targets.weasyprint_pdf import import_weasyprint, sized_arrays_parsed_once

    import_weasyprint()
    from weasyprint.text.ffi import ffi

    first, second = sized_arrays_parsed_once(), sized_arrays_parsed_once()
    first.__enter__()
    mine = vars(ffi).pop("new")  # as if the second render had looked before the first set it
    second.__enter__()
    theirs = vars(ffi)["new"]
    assert theirs is not mine
    first.__exit__(None, None, None)
    assert vars(ffi).get("new") is theirs
    second.__exit__(None, None, None)
    assert "new" not in vars(ffi)


def test_a_strict_page_skips_weasyprints_parser_with_the_same_pdf(tmp_path: Path) -> None:
    """The engine reads its own (strict) page with page_tree and hands WeasyPrint the tree in an
    HTML object WeasyPrint made; the PDF is byte for byte the one WeasyPrint's own parse gives.
    A page that is not strict goes to WeasyPrint's parser."""
    import tinyhtml5

    from cvbuild.targets.page_tree import strict_tree
    from cvbuild.targets.weasyprint_pdf import html_document, import_weasyprint, make_fetcher
    from cvbuild.targets.webfonts import detach_fonts

    import_weasyprint()
    from weasyprint import HTML

    result = run_cli("render", RESUME, "-f", "html", "-o", tmp_path)
    assert result.returncode == 0, result.stderr
    page, fonts = detach_fonts(next(tmp_path.glob("*.html")).read_text(encoding="utf-8"))
    assert strict_tree(page) is not None
    fetcher = make_fetcher([ROOT], [].append, fonts)
    base = (ROOT / "themes" / "modern").as_uri() + "/"
    parsed: list[int] = []
    real_parse = tinyhtml5.parse
    tinyhtml5.parse = lambda source, **kw: parsed.append(1) or real_parse(source, **kw)
    try:
        fast = html_document(page, base, fetcher)
        assert len(parsed) == 1  # only the empty page the HTML object is made from
        loose = html_document(page.replace("</body>", "<p>not closed</body>"), base, fetcher)
        assert len(parsed) == 2
    finally:
        tinyhtml5.parse = real_parse
    own = HTML(string=page, base_url=base, url_fetcher=fetcher, media_type="print")
    # and its UA stylesheet without the footnote and note rules (see the next tests)
    assert vars(fast).keys() - {"_ua_stylesheets"} == vars(own).keys() and fast.base_url == own.base_url
    assert fast.render().write_pdf() == own.render().write_pdf()
    assert loose.etree_element.find("body/p[last()]").text.strip() == "not closed"


def _cascade(page: str, tmp_path: Path) -> tuple[Counter[str | None], bytes, str]:
    """The pseudo-elements WeasyPrint gave a computed style while it rendered `page` through the
    engine's `html_document`, the PDF, and the PDF's text."""
    from cvbuild.targets.weasyprint_pdf import html_document, import_weasyprint, make_fetcher

    import_weasyprint()
    from weasyprint.css import StyleFor

    styled: Counter[str | None] = Counter()
    real = StyleFor.set_computed_styles

    def counting(self: Any, element: Any, parent: Any, root: Any = None, pseudo_type: Any = None, **kw: Any) -> Any:
        styled[pseudo_type] += 1
        return real(self, element, parent, root=root, pseudo_type=pseudo_type, **kw)

    StyleFor.set_computed_styles = counting
    try:
        base = (ROOT / "themes" / "classic").as_uri() + "/"
        pdf = html_document(page, base, make_fetcher([ROOT], [].append)).write_pdf()
    finally:
        StyleFor.set_computed_styles = real
    out = tmp_path / "page.pdf"
    out.write_bytes(pdf)
    return styled, pdf, pdf_text(out)


NOTE_PSEUDOS = ("footnote-call", "footnote-marker", "note-call", "note-marker", "note-callback")


def test_a_page_that_makes_no_notes_styles_no_note_pseudo_elements(tmp_path: Path) -> None:
    """WeasyPrint's UA stylesheet styles five footnote and note pseudo-elements of every element;
    for a page that cannot make a footnote or note the engine leaves them out (~5 % of a render's
    work): none is styled, and the PDF is byte for byte the one with them. Before, each element of
    the resume got all five."""
    from cvbuild.targets import weasyprint_pdf
    from cvbuild.targets.webfonts import detach_fonts

    result = run_cli("render", RESUME, "-f", "html", "-o", tmp_path)
    assert result.returncode == 0, result.stderr
    page = detach_fonts(next(tmp_path.glob("*.html")).read_text(encoding="utf-8"))[0]
    assert not weasyprint_pdf.may_make_notes(page)
    trimmed, fast, _ = _cascade(page, tmp_path)
    assert trimmed["before"] > 100 and not any(trimmed[p] for p in NOTE_PSEUDOS)
    real = weasyprint_pdf.may_make_notes
    weasyprint_pdf.may_make_notes = lambda page: True
    try:
        whole, slow, _ = _cascade(page, tmp_path)
    finally:
        weasyprint_pdf.may_make_notes = real
    assert all(whole[p] == whole["before"] for p in NOTE_PSEUDOS)
    assert fast == slow


@pytest.mark.parametrize(
    "css",
    [
        ".fn { float: footnote }",
        ".fn { FLOAT: FootNote }",
        ".fn { float: foot\\6e ote }",  # CSS escapes: still the keyword `footnote`
        ".fn { float: \\66 ootnot\\65 }",
        ".fn { float: foot\\note }",
    ],
)
def test_a_page_with_footnotes_keeps_their_calls_and_markers(css: str, tmp_path: Path) -> None:
    page = (
        '<!DOCTYPE html><html lang="en"><head><style>' + css + "</style></head>"
        '<body><p>Body text<span class="fn">The note itself.</span> goes on.</p></body></html>'
    )
    from cvbuild.targets.weasyprint_pdf import may_make_notes

    assert may_make_notes(page)
    styled, _, text = _cascade(page, tmp_path)
    assert styled["footnote-call"] and styled["footnote-marker"]
    assert norm("Body text1 goes on.") + norm("1. The note itself.") == norm(text)


@pytest.mark.parametrize(
    ("page", "makes"),
    [
        ("<style>p { color: red; content: '\\00a0\\00b7' }</style><p>Plain.</p>", False),
        ("<style>.n { position: note(side) }</style>", True),
        ("<style>.n { position: \\6e ote(side) }</style>", True),
        ('<link rel="stylesheet" href="more.css"><p>x</p>', True),  # its text is not in the page
        ("<style>@import 'more.css';</style>", True),
        ("<p>A footnote in the text only errs on the safe side.</p>", True),
    ],
)
def test_what_may_make_notes(page: str, makes: bool) -> None:
    from cvbuild.targets.weasyprint_pdf import may_make_notes

    assert may_make_notes(page) is makes


def test_the_ua_stylesheet_is_trimmed_in_a_copy_of_known_shape() -> None:
    """A copy without exactly the universal footnote and note rules, made once; WeasyPrint's own
    stylesheet is left as it was; anything not shaped as known is used as it is."""
    from cvbuild.targets.weasyprint_pdf import NOTE_PSEUDO_ELEMENTS, import_weasyprint, without_note_styles

    import_weasyprint()
    from weasyprint.html import UA_STYLESHEET

    before = list(UA_STYLESHEET.matcher.other_selectors)
    trimmed = without_note_styles(UA_STYLESHEET)
    assert without_note_styles(UA_STYLESHEET) is trimmed is not UA_STYLESHEET
    assert UA_STYLESHEET.matcher.other_selectors == before
    dropped = [e for e in before if e not in trimmed.matcher.other_selectors]
    assert {e[3] for e in dropped} == NOTE_PSEUDO_ELEMENTS and len(dropped) == len(NOTE_PSEUDO_ELEMENTS)
    assert trimmed.page_rules is UA_STYLESHEET.page_rules
    assert trimmed.matcher.lower_local_name_selectors is UA_STYLESHEET.matcher.lower_local_name_selectors

    class Other:
        matcher = None

    other = Other()
    assert without_note_styles(other) is other


def test_weasyprint_imports_without_the_fonttools_it_never_uses_here() -> None:
    """fontTools' subsetter and variable-font instancer are stand-ins until first used: importing
    WeasyPrint loads neither, a later import gets the real modules, and WeasyPrint's own names
    reach the real objects. If WeasyPrint stops importing them this way, the first check fails."""
    code = (
        "import sys\n"
        "from cvbuild.targets.weasyprint_pdf import import_weasyprint\n"
        "import_weasyprint()\n"
        "loaded = [m for m in sys.modules if m.startswith(('fontTools.subset', 'fontTools.varLib'))]\n"
        "import weasyprint.pdf.fonts as fonts\n"
        "from fontTools.varLib import instancer\n"
        "import fontTools.subset\n"
        "assert fonts.subset.Subsetter is fontTools.subset.Subsetter\n"
        "assert sys.modules['fontTools.subset'] is fontTools.subset and fontTools.subset.__file__\n"
        "assert instancer.__file__ and callable(fonts.instantiateVariableFont)\n"
        "print(len(loaded))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["0"]


@pytest.mark.parametrize("theme", ["classic", "compact", "modern"])
def test_a_long_contact_line_wraps_after_a_separator(theme: str, tmp_path: Path) -> None:
    """A contact line longer than the page wraps inside the margins (it ran off the page: no line
    could break between items), at the space after a separator, never before one."""
    from test_browser import LONG_CONTACT

    profile = write(tmp_path / "p.yaml", LONG_CONTACT)
    result = run_cli("render", profile, "-f", "pdf", "--engine", "weasyprint", "--theme", theme, "-o", tmp_path)
    assert result.returncode == 0, result.stderr
    path = next(tmp_path.glob("*.pdf"))
    lines = [text for text, _ in pdf_lines(path)[0].lines]
    assert not [line for line in lines if line.startswith(("·", "|"))], lines
    assert any(line.endswith(("·", "|")) for line in lines), lines  # it does wrap
    text = norm(" ".join(lines))
    assert norm("8000 Aarhus C, Denmark") in text and norm("LinkedIn") in text
    width = float(PdfReader(path).pages[0].mediabox.width)
    with __import__("pdfplumber").open(path) as pdf:
        assert max(c["x1"] for c in pdf.pages[0].chars) < width - 20  # inside the page's margin


@pytest.mark.parametrize("theme", THEMES)
def test_a_superscript_in_a_title_keeps_the_number_beside_it(theme: str, tmp_path: Path) -> None:
    """`Summ^N^` (seed 001) made the title's first line taller, and the number, set at the top of
    the entry, stood above the title's baseline; both now share it."""
    import pdfplumber

    profile = write(
        tmp_path / "p.yaml",
        "name: Ziming Mao\npublications:\n"
        "  - {title: 'Summ^N^: A Multi-Stage Summarization Framework', authors: [Ziming Mao], date: 2022}\n"
        "  - {title: Plain title, authors: [Ziming Mao], date: 2021}\n"
        "documents: {cv: {publications: {numbering: descending}}}\n",
    )
    result = run_cli("render", profile, "-f", "pdf", "--engine", "weasyprint", "--theme", theme, "-o", tmp_path)
    assert result.returncode == 0, result.stderr
    with pdfplumber.open(next(tmp_path.glob("*.pdf"))) as pdf:
        words = pdf.pages[0].extract_words()
    number = next(w for w in words if w["text"].startswith("[2]"))
    title = next(w for w in words if w["text"].startswith("Summ"))
    assert abs(number["bottom"] - title["bottom"]) < 1.0, (number, title)


@pytest.mark.parametrize("theme", ["classic", "sidebar"])
def test_the_space_after_cjk_text_or_an_emoji_is_drawn(theme: str, tmp_path: Path) -> None:
    """Pango draws the space or comma after "中文" or "😀" in that run's fallback font, so the
    fallback's subset carries them too: without, WeasyPrint drew a .notdef box ("中文 text")."""
    profile = write(
        tmp_path / "p.yaml",
        "name: Ada Example\nheadline: Builds 中文 tools, 😀 daily\nsummary: Met 章梓立 (Zili Zhang), 中文, 😀 ok.\n",
    )
    result = run_cli("render", profile, "-f", "pdf", "--engine", "weasyprint", "--theme", theme, "-o", tmp_path / "o")
    assert result.returncode == 0, result.stderr
    assert ".notdef" not in result.stderr, result.stderr
    text = norm(pdf_text(tmp_path / "o" / "ada-example.pdf"))
    assert "\x00" not in text
    for words in ("Builds 中文 tools, 😀 daily", "Met 章梓立 (Zili Zhang), 中文, 😀 ok."):
        assert norm(words) in text, text


def test_a_korean_footer_is_drawn_whole_with_its_spaces(tmp_path: Path) -> None:
    """The @page footer is CSS `content`, not page text: its 페 (of "페이지") was in no font subset
    and WeasyPrint drew a .notdef box; and CSS took the space after each hex escape as the
    escape's end, so the first page's footer read "최종수정2026년1월1일"."""
    highlights = "".join(f"      - 대규모 언어 모델 추론 시스템의 지연 시간을 {n}% 단축\n" for n in range(70))
    profile = write(
        tmp_path / "p.yaml",
        f"name: 김지우\nexperience:\n  - organization: 삼성리서치\n    role: 연구원\n    highlights:\n{highlights}"
        "documents:\n  cv: {locale: ko}\n",
    )
    result = run_cli("render", profile, "-f", "pdf", "--engine", "weasyprint", "-o", tmp_path / "o")
    assert result.returncode == 0, result.stderr
    assert ".notdef" not in result.stderr and "warning" not in result.stderr, result.stderr
    pages = [page.extract_text() for page in PdfReader(tmp_path / "o" / "cv.pdf").pages]
    assert len(pages) == 2
    assert "최종 수정 2026년 1월 1일" in pages[0], pages[0][-80:]
    assert "김지우" in pages[1] and "2 / 2 페이지" in pages[1], pages[1][-80:]


# ---- PDF standards ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("standard", "said"), [("a-3a", {"pdfaid:part": "3", "pdfaid:conformance": "A"}), ("ua-1", {"pdfuaid:part": "1"})]
)
def test_weasyprint_writes_one_pdf_standard(standard: str, said: dict[str, str], tmp_path: Path) -> None:
    profile = with_pdf_standards(tmp_path, f"[{standard}]")
    out = tmp_path / "out"
    result = run_cli("render", profile, "-f", "pdf", "--engine", "weasyprint", "-o", out)
    assert result.returncode == 0, result.stderr
    pdf = out / "lena-okafor-brandt-cv.pdf"
    assert pdf_standards_of(pdf) == {**said, "header": "%PDF-1.7"}
    root = PdfReader(pdf).trailer["/Root"]
    assert "/StructTreeRoot" in root and ("/OutputIntents" in root) == standard.startswith("a-")
    assert "Lena Okafor-Brandt" in pdf_text(pdf)


@pytest.mark.parametrize(
    ("standards", "message"),
    [("[a-2a, ua-1]", "one PDF standard at a time, not a-2a, ua-1"), ("[a-4]", "cannot write a-4")],
)
def test_what_weasyprint_cannot_write_is_refused_at_the_line(standards: str, message: str, tmp_path: Path) -> None:
    profile = with_pdf_standards(tmp_path, standards)
    out = tmp_path / "out"
    result = run_cli("render", profile, "-f", "pdf,html", "--engine", "weasyprint", "-o", out)
    line = profile.read_text(encoding="utf-8").splitlines().index(f"    pdf_standards: {standards}") + 1
    assert result.returncode == 2, result.stderr
    assert f"{profile}:{line}:" in result.stderr and message in result.stderr and "--engine typst" in result.stderr
    assert not out.exists()


def struct_types(pdf: Path) -> Counter[str]:
    """How many structure elements of each type (`/H2`, `/L`, `/Link`) the PDF's tag tree holds."""
    found: Counter[str] = Counter()

    def walk(node: Any) -> None:
        node = node.get_object()
        if not isinstance(node, dict):
            return
        if "/S" in node:
            found[str(node["/S"])] += 1
        kids = node.get("/K")
        kids = kids.get_object() if hasattr(kids, "get_object") else kids
        for kid in kids if isinstance(kids, list) else [kids] if kids is not None else []:
            walk(kid)

    root = PdfReader(pdf).trailer["/Root"]
    if "/StructTreeRoot" in root:
        walk(root["/StructTreeRoot"])
    return found


@pytest.mark.parametrize("theme", THEMES)
def test_weasyprint_pdf_ua_is_tagged_in_every_theme(theme: str, tmp_path: Path) -> None:
    """With `pdf_standards: [ua-1]` (or a-2a, a-3a) WeasyPrint tags the PDF, as Typst always does:
    a tag tree with the page's section headings, lists and links. Without one it writes no tags,
    which would cost it ~15-20 % at 1,000 publications (bench/README, tenth pass)."""
    text = EXAMPLE.read_text(encoding="utf-8").replace("\n  cv:\n", "\n  cv:\n    pdf_standards: [ua-1]\n", 1)
    profile = write(tmp_path / "example.yaml", text)
    args = ("-d", "cv", "--theme", theme, "-f", "pdf,html", "--engine", "weasyprint", "-o", tmp_path)
    result = run_cli("render", profile, *args)
    assert result.returncode == 0, result.stderr
    doc = documents(EXAMPLE, theme)["cv"]
    pdf = output_for(tmp_path, doc)
    assert PdfReader(pdf).trailer["/Root"]["/MarkInfo"]["/Marked"]
    tags = struct_types(pdf)
    headings = output_for(tmp_path, doc, ".html").read_text(encoding="utf-8").count("<h2")
    assert tags["/H2"] == headings >= len(doc.sections) - 1, tags
    assert tags["/L"] and tags["/Link"] and tags["/Document"] == 1, tags


def test_a_huge_file_in_the_theme_is_skipped_unread(tmp_path: Path) -> None:
    """A sparse 3 GiB "image" inside the theme was read whole (one call into C, which no time limit
    stops: ~25 s and 3 GiB); now a resource over RESOURCE_BYTES is skipped with a warning."""
    import time

    from cvbuild.targets.weasyprint_pdf import RESOURCE_BYTES

    profile = write(tmp_path / "cv.yaml", "name: Ada Example\nsummary: Hi.\n")
    theme = tmp_path / "evil"
    write(theme / "theme.toml", 'name = "evil"\nextends = "classic"\n')
    with open(theme / "huge.png", "wb") as fh:
        fh.truncate(3 << 30)
    classic = (Path(__file__).resolve().parents[1] / "themes" / "classic" / "style.css").read_text()
    write(theme / "style.css", classic + '\nh1::before { content: url("huge.png"); }\n')
    start = time.monotonic()
    result = run_cli("render", profile, "--theme", theme, "-f", "pdf", "--engine", "weasyprint", "-o", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert f"huge.png: 3,221,225,472 bytes, over the limit of {RESOURCE_BYTES:,}" in result.stderr
    assert time.monotonic() - start < 20


def _slowly(undo: Any) -> Any:
    """`undo`, after 0.3 s of Python: the watchdog interrupts it at least once on the way."""

    def slow(*args: Any) -> Any:
        end = time.monotonic() + 0.3
        while time.monotonic() < end:
            pass
        return undo(*args)

    return slow


def test_an_interruption_in_cvbuilds_own_cleanup_leaves_nothing_behind(monkeypatch: pytest.MonkeyPatch) -> None:
    """The watchdog interrupts the work again every REFIRE seconds while it unwinds, so one can
    land in the `finally` that takes the log forwarder, the array shortcut or the paused GC back:
    each stayed for the rest of the process (`watch`: later renders' warnings went to the stopped
    one, with its page). Every undo also runs once the watchdog is stopped."""
    import gc
    import logging

    from cvbuild.targets import weasyprint_pdf as wp
    from cvbuild.targets.deadline import OverTime, within

    wp.import_weasyprint()
    from weasyprint.text.ffi import ffi

    logger = logging.getLogger("weasyprint")
    handlers = list(logger.handlers)
    monkeypatch.setattr(logging.Logger, "removeHandler", _slowly(logging.Logger.removeHandler))
    monkeypatch.setattr(wp, "gc", type("SlowGC", (), {"isenabled": gc.isenabled, "disable": gc.disable}))
    monkeypatch.setattr(wp.gc, "enable", staticmethod(_slowly(gc.enable)), raising=False)

    def work() -> None:
        with wp._forward_log(lambda _: None), wp._gc_paused(), wp.sized_arrays_parsed_once():
            while True:
                pass

    try:
        with pytest.raises(OverTime):
            within(0.05, work)
        assert gc.isenabled()
        assert logger.handlers == handlers
        assert "new" not in vars(ffi)
    finally:
        gc.enable()
        logger.handlers[:] = handlers
        vars(ffi).pop("new", None)


def _system_family() -> str | None:
    import shutil
    import subprocess

    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return None
    names = subprocess.run([fc_list, ":", "family"], capture_output=True, text=True).stdout.split()
    return names[0].split(",")[0] if names else None


def test_a_theme_naming_a_system_font_gets_no_system_font(tmp_path: Path) -> None:
    """WeasyPrint's Fontconfig knew the machine's fonts: a theme's `font-family: "DejaVu Sans"`
    put that font into the PDF (a file outside the theme, and another PDF on another machine)."""
    family = _system_family()
    if family is None:
        pytest.skip("no system font to ask for")
    profile = write(tmp_path / "cv.yaml", "name: Ada Example\nsummary: Hi.\n")
    theme = tmp_path / "evil"
    write(theme / "theme.toml", 'name = "evil"\nextends = "classic"\n')
    classic = (Path(__file__).resolve().parents[1] / "themes" / "classic" / "style.css").read_text()
    write(theme / "style.css", classic + f'\nh1, p {{ font-family: "{family}", sans-serif !important; }}\n')
    result = run_cli("render", profile, "--theme", theme, "-f", "pdf", "--engine", "weasyprint", "-o", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    (pdf,) = (tmp_path / "out").glob("*.pdf")
    used = {
        str(font.get_object()["/BaseFont"]).split("+")[-1]
        for page in PdfReader(pdf).pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert used and all(name.startswith("cv-") for name in used), used
    assert "Ada Example" in pdf_text(pdf)


def test_the_font_configuration_without_system_fonts_is_weasyprints_own_otherwise() -> None:
    from cvbuild.targets.weasyprint_pdf import bundled_fonts_only, import_weasyprint

    import_weasyprint()
    from weasyprint.text.fonts import FontConfiguration

    assert set(vars(bundled_fonts_only())) == set(vars(FontConfiguration()))
    assert type(bundled_fonts_only()) is FontConfiguration


def test_a_render_stopped_while_fontconfig_was_declared_leaves_later_renders_working() -> None:
    """`bundled_fonts_only` declares FcConfigCreate to cffi (a pycparser parse) in the work the
    watchdog guards; stopped after the declaration but before it noted so, every later WeasyPrint
    render of the process failed: cffi refuses a second declaration ("multiple declarations of
    function FcConfigCreate"). The declaration is asked of the library, not of a flag."""
    code = (
        "import time\n"
        "from cvbuild.targets import weasyprint_pdf as wp\n"
        "from cvbuild.targets.deadline import OverTime, within\n"
        "wp.import_weasyprint()\n"
        "from weasyprint.text.ffi import ffi\n"
        "real = ffi.cdef\n"
        "def slow(*args, **kwargs):\n"
        "    real(*args, **kwargs)\n"
        "    end = time.monotonic() + 0.3\n"
        "    while time.monotonic() < end:\n"
        "        pass\n"
        "ffi.cdef = slow\n"
        "try:\n"
        "    within(0.05, wp.bundled_fonts_only)\n"
        "except OverTime:\n"
        "    pass\n"
        "del ffi.cdef\n"
        "wp.bundled_fonts_only()\n"
        "print('ok')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout == "ok\n", done.stderr[-2000:]


# Emoji in a header or summary are common in real CVs (📧 📱 🚀), and no bundled font has them.
HOSTILE_TEXT = r"#x $y$ *b* _i_ <script>alert(1)</script> @r \ 中文"
EMOJI_PROFILE = {
    "name": "🚀Ada " + HOSTILE_TEXT,
    "headline": "📧 Platform lead " + HOSTILE_TEXT,
    "summary": "🚀Software Engineer " + HOSTILE_TEXT,
    "experience": [
        {
            "organization": "Acme",
            "role": "Engineer",
            "start": "2020-01",
            "highlights": ["📱Shipped the app " + HOSTILE_TEXT],
        }
    ],
}


@pytest.mark.parametrize("engine", ["typst", "weasyprint"])
def test_an_emoji_no_font_has_is_a_box_and_the_text_reads_back(tmp_path: Path, engine: str) -> None:
    """WeasyPrint drew such a character with the body font's .notdef and then wrote the whole body
    font with an encoding of its own (/WP-Encod-0): pypdf read the page with NULs between
    characters, pdfminer (pdfplumber, as many applicant-tracking systems read PDFs) read nothing.
    Now the character is a box from the last-resort font, every font is Identity-H, and pypdf and
    pdfplumber read each line back, the emoji in place. Typst drew the body font's .notdef, read
    back as \\x00 and (cid:0): now its box is the last-resort font's too. Both engines warn of the
    characters."""
    import pdfplumber

    profile = write(tmp_path / "p.yaml", json.dumps(EMOJI_PROFILE, ensure_ascii=False))
    result = run_cli("render", profile, "-f", "pdf", "--engine", engine, "-o", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    warning = "characters not covered by the theme's fonts: '📧' (U+1F4E7) '📱' (U+1F4F1) '🚀' (U+1F680); "
    assert result.stderr.count(warning) == 1, result.stderr
    assert ".notdef" not in result.stderr
    pdf = next((tmp_path / "out").glob("*.pdf"))
    with pdfplumber.open(pdf) as document:
        plumbed = "\n".join(page.extract_text() for page in document.pages)
    lines = ["🚀Ada #x", "📧 Platform lead #x", "🚀Software Engineer #x", "📱Shipped the app #x"]
    rest = ["<script>alert(1)</script>", "#x $y$", "@r", "\\", "中文"]
    for text in (pdf_text(pdf), plumbed):
        flat = norm(text)
        assert all(flat.count(norm(line)) == 1 for line in lines), (lines, text)
        assert [flat.find(norm(line)) for line in lines] == sorted(flat.find(norm(line)) for line in lines)
        assert all(flat.count(norm(x)) == 4 for x in rest), text
    if engine == "weasyprint":
        fonts = [f.get_object() for page in PdfReader(pdf).pages for f in page["/Resources"]["/Font"].values()]
        assert {str(f["/Encoding"]) for f in fonts} == {"/Identity-H"}
        assert "cv-last-resort" in {str(f["/BaseFont"]).split("+")[1] for f in fonts}


def test_the_last_resort_font_is_only_on_a_page_that_needs_it(tmp_path: Path, browser: Any) -> None:
    """The example profile's pages (every character in a bundled font) carry no last-resort face;
    an emoji's page does, under a family no stylesheet names: a browser never loads it (it draws
    the emoji as it can), WeasyPrint's Fontconfig falls back to it."""
    profile = write(tmp_path / "p.yaml", json.dumps(EMOJI_PROFILE, ensure_ascii=False))
    assert run_cli("render", profile, "-f", "html", "-o", tmp_path / "emoji").returncode == 0
    assert run_cli("render", EXAMPLE, "-f", "html", "-o", tmp_path / "example").returncode == 0
    assert not any("cv-last-resort" in p.read_text("utf-8") for p in (tmp_path / "example").glob("*.html"))
    page = next((tmp_path / "emoji").glob("*.html"))
    assert page.read_text("utf-8").count('@font-face{font-family:"cv-last-resort"') == 1
    tab = browser.new_page()  # the session's Chromium: a second sync_playwright() in a worker fails
    try:
        tab.goto(page.as_uri())
        tab.evaluate("document.fonts.ready")
        status = tab.evaluate("[...document.fonts].filter(f => f.family.includes('last-resort')).map(f => f.status)")
    finally:
        tab.close()
    assert status == ["unloaded"]


def test_an_emoji_in_code_is_a_box_too(tmp_path: Path) -> None:
    """The mono font's part of the page holds every character of <code>, those it lacks too: an
    emoji written only in `code` was no last-resort box, and the body and mono fonts were written
    with WeasyPrint's own CMap again (pypdf: NULs between the characters)."""
    profile = write(tmp_path / "p.yaml", 'name: Ada Example\nsummary: "Run `🚀 deploy` then go."\n')
    assert run_cli("render", profile, "-f", "pdf", "--engine", "weasyprint", "-o", tmp_path).returncode == 0
    pdf = next(tmp_path.glob("*.pdf"))
    assert "Run 🚀 deploy then go." in pdf_text(pdf)
    fonts = [f.get_object() for page in PdfReader(pdf).pages for f in page["/Resources"]["/Font"].values()]
    assert {str(f["/Encoding"]) for f in fonts} == {"/Identity-H"}
