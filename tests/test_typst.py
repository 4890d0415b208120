"""PDF and PNG through Typst: content, fonts, metadata, determinism, escaping, errors."""

from __future__ import annotations

import json
import re
import shutil
import struct
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
from conftest import (
    BUILTIN_THEMES,
    EXAMPLE,
    RESUME,
    ROOT,
    documents,
    output_for,
    pdf_standards_of,
    pdf_text,
    plain,
    publications,
    run_cli,
    with_pdf_standards,
    write,
)
from conftest import squash as norm
from pypdf import PdfReader

from cvbuild.document.model import Document, PublicationEntry

THEMES = BUILTIN_THEMES
PROFILES = {"example": EXAMPLE, "resume": RESUME}
HOSTILE = ['#import "x"', '#read("/etc/passwd")', "$x^2$", "<lbl>", "@ref", "]", "\\", "//"]


# ---- helpers ----------------------------------------------------------------------------------


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def fonts_of(reader: PdfReader) -> list[dict[str, Any]]:
    """Every font dictionary (descendants included) on every page."""
    out: list[dict[str, Any]] = []
    for page in reader.pages:
        resources = page.get("/Resources")
        fonts = resources.get_object().get("/Font") if resources else None
        for ref in (fonts.get_object() if fonts else {}).values():
            font = ref.get_object()
            out.append(font)
            out.extend(d.get_object() for d in font.get("/DescendantFonts", []))
    return out


# ---- session renders --------------------------------------------------------------------------


@pytest.fixture(scope="session")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], Path]:
    """Every profile in every theme, PDF and PNG, rendered once: (theme, profile) -> output folder."""
    out: dict[tuple[str, str], Path] = {}
    for theme in THEMES:
        for key, profile in PROFILES.items():
            folder = tmp_path_factory.mktemp(f"{theme}-{key}")
            result = run_cli("render", profile, "--theme", theme, "-f", "pdf,png", "-o", folder)
            assert result.returncode == 0, result.stderr
            assert "Traceback" not in result.stderr
            out[theme, key] = folder
    return out


@pytest.fixture(scope="session")
def docs() -> dict[tuple[str, str], dict[str, Document]]:
    return {(t, k): documents(p, t) for t in THEMES for k, p in PROFILES.items()}


CASES = [(t, k) for t in THEMES for k in PROFILES]


# ---- content ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("theme", "profile"), CASES)
def test_every_title_author_and_venue_is_in_the_pdf(
    theme: str, profile: str, rendered: dict[tuple[str, str], Path], docs: dict[tuple[str, str], dict[str, Document]]
) -> None:
    for doc in docs[theme, profile].values():
        text = norm(pdf_text(output_for(rendered[theme, profile], doc)))
        assert norm(doc.person.name) in text
        for section in doc.sections:  # titles may be set in capitals
            assert norm(section.title).casefold() in text.casefold()
        pubs = list(publications(doc))
        for pub in pubs:
            assert norm(plain(pub.title)) in text, plain(pub.title)
            for author in pub.authors:
                assert author.etal or norm(author.name) in text, author.name
            if pub.venue:
                assert norm(plain(pub.venue)) in text, plain(pub.venue)
        if profile == "example" and doc.meta.document == "cv":
            assert len(pubs) >= 10  # the example really exercises the publication layout


def test_native_name_is_drawn_with_an_embedded_cjk_font(
    rendered: dict[tuple[str, str], Path], docs: dict[tuple[str, str], dict[str, Document]]
) -> None:
    for theme in THEMES:
        doc = docs[theme, "example"]["cv"]
        assert doc.person.native_name
        path = output_for(rendered[theme, "example"], doc)
        assert norm(doc.person.native_name) in norm(pdf_text(path))
        cjk = [f for f in fonts_of(PdfReader(path)) if "NotoSansCJK" in str(f.get("/BaseFont", ""))]
        assert cjk, f"{theme}: no Noto Sans CJK font in the PDF"
        embedded = [
            f
            for f in cjk
            if "/FontDescriptor" in f
            and any(k in f["/FontDescriptor"] for k in ("/FontFile", "/FontFile2", "/FontFile3"))
        ]
        assert embedded, f"{theme}: the CJK font is not embedded"


@pytest.mark.parametrize("theme", THEMES)
def test_metadata_links_and_footer(
    theme: str, rendered: dict[tuple[str, str], Path], docs: dict[tuple[str, str], dict[str, Document]]
) -> None:
    doc = docs[theme, "example"]["cv"]
    reader = PdfReader(output_for(rendered[theme, "example"], doc))
    meta = reader.metadata
    assert meta is not None
    assert meta.title == doc.meta.title
    assert meta.author == doc.meta.author
    assert meta.subject == doc.meta.subject
    assert all(k in (meta.get("/Keywords") or "") for k in doc.meta.keywords)
    assert str(meta.get("/CreationDate", "")).startswith("D:20260101")
    assert "/StructTreeRoot" in reader.trailer["/Root"]  # tagged PDF

    uris = [
        a.get_object()["/A"]["/URI"]
        for page in reader.pages
        for a in page.get("/Annots", [])
        if "/A" in a.get_object() and "/URI" in a.get_object()["/A"]
    ]
    assert doc.person.email and f"mailto:{doc.person.email}" in uris
    assert any("github.com" in u for u in uris)
    pub_urls = {link.url for pub in publications(doc) for link in pub.links}
    assert pub_urls & set(uris), "publication link buttons are not clickable"

    assert len(reader.pages) >= 2
    first, second = (norm(p.extract_text()) for p in reader.pages[:2])
    assert norm(f"Page 2 of {len(reader.pages)}") in second
    assert norm(doc.person.name) in second
    assert "Page1of" not in first


@pytest.mark.parametrize("theme", THEMES)
def test_resume_fits_on_one_page(theme: str, rendered: dict[tuple[str, str], Path]) -> None:
    pdfs = sorted(rendered[theme, "resume"].glob("*.pdf"))
    assert pdfs
    for pdf in pdfs:
        assert len(PdfReader(pdf).pages) == 1, f"{pdf.name} in {theme} is longer than one page"


@pytest.mark.parametrize("theme", THEMES)
def test_png_pages_at_150_dpi(
    theme: str, rendered: dict[tuple[str, str], Path], docs: dict[tuple[str, str], dict[str, Document]]
) -> None:
    doc = docs[theme, "example"]["cv"]
    folder = rendered[theme, "example"]
    pdf = output_for(folder, doc)
    pages = PdfReader(pdf).pages
    pngs = [pdf.with_name(f"{pdf.stem}-{i}.png") for i in range(1, len(pages) + 1)]
    assert all(p.exists() for p in pngs)
    assert not pdf.with_name(f"{pdf.stem}-{len(pages) + 1}.png").exists()
    for page, png in zip(pages, pngs, strict=True):
        width, height = png_size(png.read_bytes())
        assert abs(width - float(page.mediabox.width) * 150 / 72) <= 1
        assert abs(height - float(page.mediabox.height) * 150 / 72) <= 1


@pytest.mark.parametrize("theme", THEMES)
def test_reading_order_and_no_orphaned_headings(
    theme: str, rendered: dict[tuple[str, str], Path], docs: dict[tuple[str, str], dict[str, Document]]
) -> None:
    doc = docs[theme, "example"]["cv"]
    reader = PdfReader(output_for(rendered[theme, "example"], doc))
    text = norm("\n".join(p.extract_text() for p in reader.pages)).casefold()
    # Column by column: a two-column theme's sidebar sections read first, then the main column.
    side = doc.options.get("sidebar_sections", [])
    order = [s for s in doc.sections if s.id in side] + [s for s in doc.sections if s.id not in side]
    at = 0
    for section in order:  # each title after the previous one
        at = text.find(norm(section.title).casefold(), at)
        assert at >= 0, f"{section.title!r} is missing or out of order"
    for pub in publications(doc):  # title, then authors, then venue (compact: the venue ends the title line)
        title = text.find(norm(plain(pub.title)).casefold())
        author = text.find(norm(pub.authors[-1].name).casefold(), title)
        assert 0 <= title < author, plain(pub.title)
        if pub.venue:
            after = title if theme == "compact" else author
            assert text.find(norm(plain(pub.venue)).casefold(), after) > after, plain(pub.title)
    headings = {norm(s.title).casefold() for s in doc.sections} | {
        norm(g.title).casefold() for s in doc.sections for g in s.groups if g.title
    }
    for number, page in enumerate(reader.pages, start=1):
        lines = [norm(line).casefold() for line in page.extract_text().splitlines()]
        body = [line for line in lines if line and "page" not in line and "updated" not in line]
        assert body[-1] not in headings, f"page {number} ends with the heading {body[-1]!r}"


def test_two_renders_are_byte_identical(tmp_path: Path, rendered: dict[tuple[str, str], Path]) -> None:
    again = tmp_path / "again"
    result = run_cli("render", EXAMPLE, "--theme", "classic", "-f", "pdf,png", "-o", again, fresh=True)
    assert result.returncode == 0, result.stderr
    first = rendered["classic", "example"]
    names = sorted(p.name for p in first.iterdir())
    assert names == sorted(p.name for p in again.iterdir())
    assert any(n.endswith(".png") for n in names) and any(n.endswith(".pdf") for n in names)
    for name in names:
        assert (first / name).read_bytes() == (again / name).read_bytes(), name


# ---- escaping ---------------------------------------------------------------------------------


HOSTILE_PROFILE = r"""
name: 'Ada #import "x" $x^2$ <lbl> @ref ] \ // Example'
headline: 'Head #read("/etc/passwd") and $x^2$ // not a comment'
summary: 'Summary with #import "x", #read("/etc/passwd"), $x^2$, <lbl>, @ref, ], \ and // in it. Also \*b\* stays.'
contact: {email: ada@example.org}
experience:
  - organization: 'Org <lbl> @ref'
    role: 'Role #import "x"'
    start: 2020-01
    end: present
    highlights:
      - 'Highlight #read("/etc/passwd") $x^2$ <lbl> @ref ] \ //'
      - '*b* [x] #set text(red)'
publications:
  - title: 'Title #import "x" $x^2$ <lbl> @ref ] \ //'
    authors: ['Ada #import "x" $x^2$ <lbl> @ref ] \ // Example', 'Bob #read("/etc/passwd")', 'C $x$ // D']
    venue: 'Venue @ref <lbl> 2024'
    date: 2024
    award: 'Award $x^2$'
    note: 'Note ] \ //'
"""


@pytest.mark.parametrize("theme", THEMES)
def test_typst_markup_in_user_text_stays_literal(theme: str, tmp_path: Path) -> None:
    profile = write(tmp_path / "hostile.yaml", HOSTILE_PROFILE)
    result = run_cli("render", profile, "--theme", theme, "-f", "pdf", "-o", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    [pdf] = (tmp_path / "out").glob("*.pdf")
    text = norm(pdf_text(pdf))
    for doc in documents(profile, theme).values():
        expected = [doc.person.name, plain(doc.person.headline)]
        for section in doc.sections:
            for group in section.groups:
                for e in group.entries:
                    expected += [plain(e.title), plain(getattr(e, "summary", None))]
                    expected += [plain(h) for h in getattr(e, "highlights", [])]
                    expected += [a.name for a in getattr(e, "authors", [])]
                    if isinstance(e, PublicationEntry):
                        expected += [plain(e.venue), plain(e.award), plain(e.note)]
        for piece in filter(None, expected):
            assert norm(piece) in text, piece
    for raw in HOSTILE:
        assert norm(raw) in text, raw
    assert "root:" not in text  # /etc/passwd was never read
    assert norm("*b* [x] #set text(red)").replace("*b*", "b") in text  # Markdown made *b* italic; the rest is literal


# ---- errors and warnings ----------------------------------------------------------------------


def test_unknown_theme_lists_the_available_ones(tmp_path: Path) -> None:
    result = run_cli("render", RESUME, "--theme", "clasic", "-f", "pdf", "-o", tmp_path)
    assert result.returncode == 2
    assert "classic" in result.stderr and "modern" in result.stderr
    assert "Traceback" not in result.stderr
    assert not list(tmp_path.iterdir())


def _copy_theme(tmp_path: Path, name: str = "classic") -> Path:
    theme = tmp_path / "themes" / f"broken-{name}"
    shutil.copytree(ROOT / "themes" / name, theme)
    manifest = theme / "theme.toml"
    manifest.write_text(
        manifest.read_text(encoding="utf-8").replace(f'name = "{name}"', f'name = "broken-{name}"'), encoding="utf-8"
    )
    return theme


@pytest.mark.parametrize(
    ("line", "error"),
    [
        (
            "#doc.persn",
            """3:6: Typst error in theme: dictionary does not contain key "persn"; did you mean 'person'?""",
        ),
        (
            "#doc.options.zork",
            '3:14: Typst error in theme: dictionary does not contain key "zork"; the fields are in docs/document.md; '
            'a key that may be missing: .at("zork", default: none)',
        ),
        # a helper of @local/cvbuild, misspelt: Typst's only hint took the dash for a minus sign
        (
            "#contact-item(doc)",
            "3:2: Typst error in theme: unknown variable: contact-item; did you mean 'contact-items'?",
        ),
        (
            "#let accent = red\n#text(fill: acent)[x]",
            "4:13: Typst error in theme: unknown variable: acent; did you mean 'accent'?",
        ),
        # a misspelt named argument of a helper: the parameter meant
        (
            '#show: setup.with(doc, fnt: "Inter")\nHi',
            "3:24: Typst error in theme: unexpected argument: fnt; did you mean 'font'?",
        ),
    ],
)
def test_a_misspelt_document_field_in_typst_gets_the_field_meant(tmp_path: Path, line: str, error: str) -> None:
    write(tmp_path / "t" / "theme.toml", 'extends = "classic"\n')
    write(tmp_path / "t" / "cv.typ", f'#import "@local/cvbuild:1.0.0": *\n#let doc = load-document()\n{line}\n')
    write(tmp_path / "p.yaml", "name: Ada Example\n")
    result = run_cli("render", "p.yaml", "--theme", "./t", "-f", "pdf", cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(f"t/cv.typ:{error}\n"), result.stderr


@pytest.mark.parametrize(
    ("source", "column", "message"),
    [
        ('#import "@preview/cetz:0.2.2": *', 9, "imports @preview/cetz:0.2.2, which the theme does not ship"),
        ('#import ("@" + "preview/cetz:0.2.2"): *', 9, "the theme imports @preview/cetz:0.2.2, which it does not ship"),
    ],
)
def test_a_package_import_refused_is_located_in_every_diagnostics_form(
    tmp_path: Path, source: str, column: int, message: str
) -> None:
    """The refusal was a bare message that began with the place: JSON had "file": null, and GitHub
    no annotation on the theme's line."""
    write(tmp_path / "t" / "theme.toml", 'extends = "classic"\n')
    write(tmp_path / "t" / "cv.typ", f"hi\n{source}\n")
    write(tmp_path / "p.yaml", "name: Ada Example\n")
    result = run_cli("render", "p.yaml", "--theme", "./t", "-f", "pdf", "--diagnostics", "json", cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    [problem] = json.loads(result.stdout)
    assert (problem["file"], problem["line"], problem["column"]) == ("t/cv.typ", 2, column)
    assert problem["message"].startswith(message) and problem["hint"].startswith("cvbuild never downloads packages")


def test_an_error_inside_a_package_is_at_the_themes_line_that_called_it(tmp_path: Path) -> None:
    """It was at the package's file (lib.typ, outside the repository: a GitHub annotation there
    lands on no line of the pull request), with the theme's line only in parentheses."""
    write(tmp_path / "t" / "theme.toml", 'extends = "classic"\n')
    write(tmp_path / "t" / "cv.typ", '#import "@local/cvbuild:1.0.0": *\n\n#spans(5)\n')
    write(tmp_path / "p.yaml", "name: Ada Example\n")
    result = run_cli("render", "p.yaml", "--theme", "./t", "-f", "pdf", "--diagnostics", "json", cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    [problem] = json.loads(result.stdout)
    assert (problem["file"], problem["line"], problem["column"]) == ("t/cv.typ", 3, 2)
    assert re.fullmatch(
        r"\(inside .*/packages/local/cvbuild/1\.0\.0/lib\.typ:\d+:\d+\): Typst error in theme: .+", problem["message"]
    )


def test_typst_error_names_theme_file_and_line(tmp_path: Path) -> None:
    theme = _copy_theme(tmp_path)
    lines = (theme / "cv.typ").read_text(encoding="utf-8").splitlines()
    lines.insert(12, '#let broken = 1 + "one"')
    (theme / "cv.typ").write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli("render", RESUME, "--theme", theme, "-f", "pdf", "-o", out)
    assert result.returncode == 2, result.stderr  # the theme is input: exit 2, at its file:line:col
    assert "cv.typ:13:15: Typst error in theme: cannot add integer and string" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists() or not list(out.iterdir())


def test_a_syntax_error_shows_its_own_excerpt_not_every_line_after_it(tmp_path: Path) -> None:
    """One unclosed `(` made Typst read the rest of cv.typ as code: 25 more excerpts ("the character
    `#` is not valid in code") buried the one that mattered."""
    theme = _copy_theme(tmp_path)
    lines = (theme / "cv.typ").read_text(encoding="utf-8").splitlines()
    lines.insert(12, "#let broken = (1, 2")
    (theme / "cv.typ").write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run_cli("render", RESUME, "--theme", theme, "-f", "pdf", "-o", tmp_path / "out")
    assert result.returncode == 2, result.stderr
    assert "cv.typ:13:15: Typst error in theme: unclosed delimiter" in result.stderr, result.stderr
    assert result.stderr.count("error: ") == 2  # the first error's excerpt, then two more
    more = re.search(r"\.\.\. and (\d+) more errors, often caused by the first: fix it and run again", result.stderr)
    assert more is not None and int(more[1]) > 10, result.stderr
    assert "Traceback" not in result.stderr


def test_theme_importing_a_remote_package_is_refused(tmp_path: Path) -> None:
    theme = _copy_theme(tmp_path, "modern")
    source = (theme / "cv.typ").read_text(encoding="utf-8")
    (theme / "cv.typ").write_text('#import "@preview/fontawesome:0.5.0": *\n' + source, encoding="utf-8")
    result = run_cli("render", RESUME, "--theme", theme, "-f", "pdf", "-o", tmp_path / "out")
    assert result.returncode == 2  # a theme mistake is bad input
    assert "cv.typ:1:" in result.stderr and "@preview/fontawesome:0.5.0" in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_length_option_is_an_input_error(tmp_path: Path) -> None:
    result = run_cli("render", RESUME, "--theme", "classic", "--set", "margin=2 inches", "-f", "pdf", "-o", tmp_path)
    assert result.returncode == 2
    assert "margin" in result.stderr and "length" in result.stderr


def test_uncovered_characters_warn_and_render(tmp_path: Path) -> None:
    profile = write(
        tmp_path / "p.yaml", "name: Ada Example\nsummary: 'Linear B \U00010000 and a hieroglyph \U00013000.'\n"
    )
    result = run_cli("render", profile, "--theme", "classic", "-f", "pdf", "-o", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert "not covered" in result.stderr
    assert "U+10000" in result.stderr and "U+13000" in result.stderr
    assert "fallback_fonts" in result.stderr
    assert list((tmp_path / "out").glob("*.pdf"))


# Emoji no bundled font has, as real CVs write them: one character each, a family of three joined
# by ZWJs, a flag's two regional indicators, a skin tone; Linear B; amid hostile text.
UNCOVERED = ["🚀", "📧", "👨\u200d👩\u200d👧", "🇩🇪", "👍🏽", "\U00010000"]
UNCOVERED_PROFILE = {
    "name": "🚀Ada Example",
    "headline": "📧 Platform lead #x $y$",
    "summary": "Team 👨\u200d👩\u200d👧, from 🇩🇪 with 👍🏽 and \U00010000 <script>alert(1)</script> "
    "@r \\ ] [ 中文 end.",
    "experience": [{"organization": "Acme", "role": "Engineer", "start": "2020-01", "highlights": ["📱Shipped #x"]}],
}


@pytest.mark.parametrize("theme", [*THEMES, "own"])
def test_characters_no_font_has_read_back_as_themselves(tmp_path: Path, theme: str) -> None:
    """Typst set such a character in the body font's .notdef, which reads back as \\x00 (pypdf) or
    (cid:0) (pdfplumber/pdfminer, what many applicant-tracking systems read PDFs with). Now each is
    a box of the last-resort font, which the PDF maps back to the character (a cluster of several,
    to the whole cluster); the text around reads in order, the warning still names them, and the
    same profile makes the same bytes. A theme of the user's compiles in a child process: the same."""
    import pdfplumber

    if theme == "own":
        theme = str(tmp_path / "own")
        write(tmp_path / "own" / "theme.toml", 'extends = "modern"\n')
    profile = write(tmp_path / "p.yaml", json.dumps(UNCOVERED_PROFILE, ensure_ascii=False))
    pdfs = []
    for out in ("one", "two"):
        result = run_cli("render", profile, "--theme", theme, "-f", "pdf", "-o", tmp_path / out)
        assert result.returncode == 0, result.stderr
        assert result.stderr.count("characters not covered by the theme's fonts: ") == 1, result.stderr
        assert "'🚀' (U+1F680)" in result.stderr and "'👍' (U+1F44D)" in result.stderr
        (pdf,) = (tmp_path / out).glob("*.pdf")
        pdfs.append(pdf)
    assert pdfs[0].read_bytes() == pdfs[1].read_bytes()
    with pdfplumber.open(pdfs[0]) as document:
        plumbed = "\n".join(page.extract_text() for page in document.pages)
    for text in (pdf_text(pdfs[0]), plumbed):
        assert "\x00" not in text and "(cid:" not in text, text
        flat = norm(text).casefold()
        assert all(norm(part).casefold() in flat for part in ("🚀Ada", "📧Platformlead#x$y$", "📱Shipped#x")), text
        summary = ["Team", *UNCOVERED[2:], "<script>alert(1)</script>@r\\][中文end."]  # one paragraph, in order
        found = [flat.find(norm(part).casefold()) for part in summary]
        assert -1 not in found and found == sorted(found), (summary, found, text)


def test_covered_text_gives_no_warning(tmp_path: Path) -> None:
    profile = write(
        tmp_path / "p.yaml", "name: Zoë Ångström\nnative_name: 田中 さくら\nsummary: 'Café – naïve “quotes” ≈ 5×.'\n"
    )
    result = run_cli("render", profile, "--theme", "modern", "-f", "pdf", "-o", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert "warning" not in result.stderr


# ---- units ------------------------------------------------------------------------------------


def test_coverage_agrees_with_fonttools() -> None:
    """Every bundled font (and the CJK package): exactly the characters of fontTools' best cmap,
    probed across the BMP, ideographs, astral planes and each font's own characters."""
    from fontTools.ttLib import TTFont

    from cvbuild.themes.fonts import cjk_font_dir, font_coverage

    files = sorted((ROOT / "themes" / "base" / "fonts").glob("*.[ot]tf"))
    cjk = cjk_font_dir()
    assert cjk is not None, "the CJK fonts are part of the test install"
    files += sorted(cjk.glob("*.otf"))
    assert len(files) >= 14
    probe = {
        chr(c)
        for c in [*range(0x20, 0x3000), *range(0x4E00, 0x5200, 7), 0x1F600, 0x10000, 0x13000, 0x10FFFF]
        if not 0xD800 <= c <= 0xDFFF
    }
    for path in files:
        with TTFont(path, lazy=True) as font:
            cmap = {chr(c) for c in font.getBestCmap() or {}}
        assert font_coverage(path).covered(probe | cmap) == cmap, path.name
        assert font_coverage(path) is font_coverage(path)  # read once per process


def test_unreadable_fonts_cover_nothing(tmp_path: Path) -> None:
    """Not a font, a missing file, WOFF (which Typst cannot use): no characters, no exception."""
    from fontTools.ttLib import TTFont

    from cvbuild.themes.fonts import font_coverage, uncovered

    woff = tmp_path / "DejaVuSans.woff"
    with TTFont(ROOT / "themes" / "base" / "fonts" / "DejaVuSans.ttf") as font:
        font.flavor = "woff"
        font.save(woff)
    (tmp_path / "empty.otf").write_bytes(b"")
    (tmp_path / "text.ttf").write_text("not a font")
    for path in (woff, tmp_path / "empty.otf", tmp_path / "text.ttf", tmp_path / "missing.otf"):
        assert font_coverage(path).covered("Aa1") == set(), path.name
    fonts = [tmp_path / "text.ttf", ROOT / "themes" / "base" / "fonts" / "DejaVuSans.ttf"]
    assert uncovered("Aé唐", fonts) == ["唐"]


def test_later_fonts_are_asked_only_for_what_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    """The Latin fonts come first; the big CJK font is opened only for what they lack."""
    from cvbuild.themes import fonts

    asked: list[tuple[str, set[str]]] = []
    real = fonts.font_coverage

    class Recording:
        def __init__(self, path: Path) -> None:
            self.path = path

        def covered(self, chars: Iterable[str]) -> set[str]:
            chars = set(chars)
            asked.append((self.path.name, chars))
            return real(self.path).covered(chars)

    monkeypatch.setattr(fonts, "font_coverage", Recording)
    base = ROOT / "themes" / "base" / "fonts"
    cjk = ROOT / "fonts-cjk" / "cvbuild_fonts_cjk" / "NotoSansCJKsc-Regular.otf"
    order = [base / "LinLibertine_R.otf", base / "DejaVuSans.ttf", cjk]
    assert fonts.uncovered("Zoë ☃", order) == []
    assert [name for name, _ in asked] == ["LinLibertine_R.otf", "DejaVuSans.ttf"]
    assert asked[1][1] == {"☃"}
    asked.clear()
    assert fonts.uncovered("Zoë 唐\U00010000", order) == ["\U00010000"]
    assert asked[2] == (cjk.name, {"唐", "\U00010000"})


def test_help_does_not_load_engines() -> None:
    import subprocess

    code = (
        "import sys\nsys.argv = ['cvbuild', '--help']\nfrom cvbuild.cli.app import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "loaded = [m for m in ('typst', 'fontTools', 'uharfbuzz', 'pypdf') if m in sys.modules]\n"
        "assert not loaded, loaded\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    "data",
    [
        {"title": "Ada Lovelace", "links": [{"label": "Paper", "url": "https://example.org"}]},
        {"title": "Linear B \U00010000 and \u5510"},  # drawn and not covered (CJK: only with cvbuild[cjk])
        {"title": "Ada", "url": "https://\U00010000.example", "id": "\U00010001"},  # not drawn: no warning
        {"title": "a\u001bb\\u0041 \U00010000", "options": {"x": "\U00010002"}},  # escaped in JSON
    ],
)
def test_uncovered_in_json_is_the_exact_answer(data: dict[str, object]) -> None:
    """The superset of the JSON text's characters only decides when every one is covered."""
    import json

    from cvbuild.themes import fonts
    from cvbuild.themes.theme import load_theme

    files = fonts.font_files(load_theme("classic"))
    text = json.dumps(data, ensure_ascii=False)
    assert fonts.uncovered_in_json(text, files) == fonts.uncovered(fonts.document_chars(data), files)


def test_coverage_warning_names_characters_and_fixes() -> None:
    from cvbuild.themes.fonts import coverage_warning, document_chars

    message = coverage_warning(["唐", "\U00010000"], cjk_installed=False)
    assert "'唐' (U+5510)" in message and "U+10000" in message
    assert "cvbuild[cjk]" in message and "fallback_fonts" in message
    assert "cvbuild[cjk]" not in coverage_warning(["\U00010000"], cjk_installed=False)
    # URLs are never drawn; soft hyphens and zero-width joiners need no glyph
    chars = document_chars({"title": "a\u00adb\u200d", "url": "https://例え.jp", "links": [{"label": "ç", "url": "x"}]})
    assert chars == {"a", "b", "ç"}


# ---- PDF standards ----------------------------------------------------------------------------


@pytest.mark.parametrize("theme", THEMES)
def test_pdf_a_and_ua_are_written_and_checked_by_typst(theme: str, tmp_path: Path) -> None:
    """[a-2a, ua-1] in every theme, with a photo: Typst checks the output against both standards
    as it writes (an image without alt text, say, fails the compile), and says so in the XMP."""
    profile = with_pdf_standards(tmp_path, "[a-2a, ua-1]", theme)
    out = tmp_path / "out"
    result = run_cli("render", profile, "-f", "pdf,png", "-o", out)
    assert result.returncode == 0, result.stderr
    pdf = out / "lena-okafor-brandt-cv.pdf"
    said = pdf_standards_of(pdf)
    assert said == {"pdfaid:part": "2", "pdfaid:conformance": "A", "pdfuaid:part": "1", "header": "%PDF-1.7"}
    root = PdfReader(pdf).trailer["/Root"]
    assert "/OutputIntents" in root and "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    assert "Okafor" in pdf_text(pdf)  # the sidebar breaks the name over lines
    assert (out / "lena-okafor-brandt-cv-1.png").exists()


def test_without_pdf_standards_the_pdf_claims_none(tmp_path: Path) -> None:
    profile = with_pdf_standards(tmp_path, "[]")
    out = tmp_path / "out"
    assert run_cli("render", profile, "-f", "pdf", "-o", out).returncode == 0
    assert pdf_standards_of(out / "lena-okafor-brandt-cv.pdf") == {"header": "%PDF-1.7"}


def test_a_theme_that_breaks_pdf_ua_fails_at_its_own_line(tmp_path: Path) -> None:
    """PDF/UA-1 wants alternative text on every image; a local theme without it is told where."""
    profile = with_pdf_standards(tmp_path, "[ua-1]", "mine")
    theme = tmp_path / "themes" / "mine"
    write(theme / "theme.toml", 'name = "mine"\nextends = "classic"\n')
    shutil.copy(tmp_path / "photo.png", theme / "logo.png")
    classic = (ROOT / "themes" / "classic" / "cv.typ").read_text(encoding="utf-8")
    write(theme / "cv.typ", classic + '\n#image("logo.png", width: 1cm)\n')
    out = tmp_path / "out"
    result = run_cli("render", profile, "-f", "pdf", "-o", out)
    assert result.returncode == 2, result.stderr
    line = classic.count("\n") + 2
    # Typst's places are written relative to the working folder where that is shorter
    assert f"themes/mine/cv.typ:{line}:" in result.stderr and "alt" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr and not out.exists()


@pytest.mark.parametrize(
    ("standards", "message"),
    [
        ("[a-2b, a-3b]", "documents.cv.pdf_standards: choose one PDF/A level, not a-2b, a-3b"),
        ("[a-4, ua-1]", "documents.cv.pdf_standards: PDF/A-4 (PDF 2.0) and PDF/UA-1 (PDF 1.7) cannot be combined"),
        ("[a-2x]", "documents.cv.pdf_standards[0]: invalid value 'a-2x'; valid values are: a-2b"),
    ],
)
def test_impossible_pdf_standards_are_located(tmp_path: Path, standards: str, message: str) -> None:
    profile = with_pdf_standards(tmp_path, standards)
    result = run_cli("validate", profile)
    line = profile.read_text(encoding="utf-8").splitlines().index(f"    pdf_standards: {standards}") + 1
    assert result.returncode == 2 and f"{profile}:{line}:" in result.stderr and message in result.stderr, result.stderr


# Clusters that join a character a bundled font has with one none has: keycaps (the digit and #
# are in every main font, the keycap in none), a ZWJ sequence led by an emoji none has but holding
# ✈ (DejaVu Sans has it), one led by ❤ (Inter and DejaVu Sans have it), a skin tone on ✌.
JOINED = ["1\ufe0f\u20e3", "#\ufe0f\u20e3", "👩\u200d✈\ufe0f", "❤\ufe0f\u200d🔥", "✌🏽"]


@pytest.mark.parametrize("theme", THEMES)
def test_keycaps_and_mixed_emoji_read_back_as_themselves(tmp_path: Path, theme: str) -> None:
    """Typst picks a cluster's font by its first character: 1️⃣ went to the main font, which has
    the 1 but no keycap, and printed three .notdef ((cid:0) in pdfplumber); 👩‍✈️ went to DejaVu
    Sans, which drew the ✈ alone. Each is now one box of the last-resort font, as every other emoji,
    and reads back whole and in order, amid hostile text; the digits and the ✈ elsewhere keep
    their fonts."""
    import pdfplumber

    summary = "Rank " + " then ".join(JOINED) + " #x $y$ <script>alert(1)</script> @r \\ ] [ 1 ✈ 中文 end."
    profile = write(tmp_path / "p.yaml", json.dumps({"name": "Ada Example", "summary": summary}, ensure_ascii=False))
    result = run_cli("render", profile, "--theme", theme, "-f", "pdf", "-o", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    (pdf,) = (tmp_path / "out").glob("*.pdf")
    with pdfplumber.open(pdf) as document:
        chars = document.pages[0].chars
        plumbed = document.pages[0].extract_text()
    for text in (pdf_text(pdf), plumbed):
        assert "\x00" not in text and "(cid:" not in text, text
        assert norm(summary) in norm(text), text
    boxes = {c["text"]: c["fontname"] for c in chars if len(c["text"]) > 1}
    for cluster in JOINED:  # one glyph, the whole cluster its text
        assert boxes.get(cluster, "").endswith("cvbuild-last-resort"), (cluster, boxes)
    alone = [c["fontname"] for c in chars if c["text"] in ("1", "✈")]
    assert alone and not any(name.endswith("cvbuild-last-resort") for name in alone), alone
