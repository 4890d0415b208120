"""The HTML page: content, semantics, safety, e-mail modes, embedded fonts, determinism."""

from __future__ import annotations

import base64
import io
import json
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from conftest import (
    BUILTIN_THEMES,
    EPOCH,
    EXAMPLE,
    HTML_THEMES,
    RESUME,
    ROOT,
    documents,
    output_for,
    plain,
    publications,
    run_cli,
    straight,
    write,
)
from conftest import squash as norm

from cvbuild.document.model import Document, Entry
from cvbuild.themes.places import builtin_themes_dir

PROFILES = {"example": EXAMPLE, "resume": RESUME}
THEMES = HTML_THEMES  # every theme with a page: the CV themes and the homepage

# ---- helpers (also used by test_weasyprint.py and test_browser.py) ------------------------------


def expected_strings(doc: Document) -> list[str]:
    """Every publication title, author and venue, and every entry title, of one Document."""
    out: list[str] = []
    for p in publications(doc):
        out.append(plain(p.title))
        out.extend(a.name for a in p.authors if not a.etal)
        if p.venue:
            out.append(plain(p.venue))
    for section in doc.sections:
        out.append(section.title)
        for group in section.groups:
            out.extend(plain(e.title) for e in group.entries if isinstance(e, Entry))
    return [s for s in out if s]


class Page(HTMLParser):
    """A parsed page: visible text, every start tag with its attributes, the <script> bodies."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self.owner_strong: list[str] = []
        self._stack: list[tuple[str, dict[str, str | None]]] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag not in ("meta", "link", "br", "img", "input"):
            self._stack.append((tag, dict(attrs)))
        if tag == "script":
            self.scripts.append("")

    def handle_endtag(self, tag: str) -> None:
        while self._stack:
            if self._stack.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        inside = [t for t, _ in self._stack]
        if "script" in inside:
            self.scripts[-1] += data
        elif "style" not in inside and "title" not in inside:
            self.text.append(data)
        if self._stack and self._stack[-1][0] == "strong" and "owner" in (self._stack[-1][1].get("class") or ""):
            self.owner_strong.append(data)

    @property
    def visible(self) -> str:
        return "".join(self.text)

    def all(self, tag: str) -> list[dict[str, str | None]]:
        return [a for t, a in self.tags if t == tag]


# ---- session renders ----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def html_out(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], Path]:
    """Both profiles in both themes, every variant, rendered once: (theme, profile) -> folder."""
    out = {}
    for theme in THEMES:
        for key, profile in PROFILES.items():
            folder = tmp_path_factory.mktemp(f"html-{theme}-{key}")
            result = run_cli("render", profile, "--theme", theme, "-f", "html", "-o", folder)
            assert result.returncode == 0, result.stderr
            assert result.stderr == "", result.stderr  # no warnings for the built-in themes
            out[theme, key] = folder
    return out


CASES = [(t, k) for t in THEMES for k in PROFILES]


@pytest.fixture(scope="session")
def docs() -> dict[tuple[str, str], dict[str, Document]]:
    return {(t, k): documents(p, t) for t in THEMES for k, p in PROFILES.items()}


# ---- content and semantics ----------------------------------------------------------------------


@pytest.mark.parametrize(("theme", "profile"), CASES)
def test_every_title_author_and_venue_is_in_the_page(
    theme: str, profile: str, html_out: dict[tuple[str, str], Path], docs: dict[tuple[str, str], dict[str, Document]]
) -> None:
    for doc in docs[theme, profile].values():
        page = Page(output_for(html_out[theme, profile], doc, ".html").read_text(encoding="utf-8"))
        text = norm(page.visible)
        missing = [s for s in expected_strings(doc) if norm(s) not in text]
        assert not missing, f"{profile}:{doc.meta.document} lacks {missing[:5]}"
        assert norm(doc.person.name) in text
        assert norm(doc.meta.date_text) in text


@pytest.mark.parametrize(("theme", "profile"), CASES)
def test_owner_is_strong_in_author_lists(
    theme: str, profile: str, html_out: dict[tuple[str, str], Path], docs: dict[tuple[str, str], dict[str, Document]]
) -> None:
    for doc in docs[theme, profile].values():
        owners = [a.name for p in publications(doc) for a in p.authors if a.is_owner]
        page = Page(output_for(html_out[theme, profile], doc, ".html").read_text(encoding="utf-8"))
        shown = [name.replace("\u00a0", " ") for name in page.owner_strong]  # names never break inside
        assert sorted(shown) == sorted(owners)
        others = {a.name for p in publications(doc) for a in p.authors if not a.is_owner and not a.etal}
        assert not others & set(shown)


@pytest.mark.parametrize("theme", THEMES)
def test_a_publication_holds_its_lines_with_no_wrapper(theme: str, html_out: dict[tuple[str, str], Path]) -> None:
    """A publication's <li> holds its head, authors and venue lines themselves: WeasyPrint lays out
    and draws every block box in Python, and a wrapper around the three (`.pub-body`, which no theme
    styled) cost ~5 % of the render of a long list."""
    from cvbuild.targets.page_tree import strict_tree

    lines = {"pub-head", "pub-authors", "pub-venue"}
    seen = 0
    for page in html_out[theme, "example"].glob("*.html"):
        root = strict_tree(page.read_text(encoding="utf-8"))
        assert root is not None
        for li in root.iter("li"):
            if "pub" in (li.get("class") or "").split():
                seen += 1
                classes = [(child.get("class") or "").split() for child in li]
                assert classes and all(lines & set(c) for c in classes), classes
    assert seen


@pytest.mark.parametrize(("highlight", "tag"), [("underline", "u"), ("none", "span")])
def test_owner_highlight_follows_the_document(highlight: str, tag: str, tmp_path: Path) -> None:
    profile = write(
        tmp_path / "p.yaml",
        "name: Ada Example\npublications:\n  - {title: T, authors: [Bo Li, Ada Example], date: 2024}\n"
        f"documents:\n  cv: {{publications: {{highlight: {highlight}}}}}\n",
    )
    result = run_cli("render", profile, "-f", "html", "-o", tmp_path)
    assert result.returncode == 0, result.stderr
    html = next(tmp_path.glob("*.html")).read_text(encoding="utf-8")
    assert f'<{tag} class="owner">Ada\u00a0Example</{tag}>' in html  # a name never breaks inside
    assert '<strong class="owner">' not in html


def test_sections_headings_lists_and_times(
    html_out: dict[tuple[str, str], Path], docs: dict[tuple[str, str], dict[str, Document]]
) -> None:
    doc = docs["classic", "example"]["cv"]
    html = output_for(html_out["classic", "example"], doc, ".html").read_text(encoding="utf-8")
    page = Page(html)
    assert [t for t, _ in page.tags].count("header") == 1 and page.all("main")
    headings = [re.sub(r"<[^>]+>", "", h) for h in re.findall(r"<h2[^>]*>(.*?)</h2>", html)]
    assert headings == [s.title.replace("&", "&amp;") for s in doc.sections]  # same order as the Document
    assert len(page.all("section")) == len(doc.sections)
    # publications: one <ol> per group; numbers in `value`, descending lists `reversed`
    items = [a for a in page.all("li") if "pub" in (a.get("class") or "").split()]
    numbers = [p.number for p in publications(doc)]
    assert [a.get("value") for a in items] == numbers
    for attrs, body in re.findall(r"<ol class=\"pubs\"([^>]*)>(.*?)</ol>", html, re.S):
        values = [int(v) for v in re.findall(r'<li class="pub[^"]*" value="(\d+)"', body)]
        assert ("reversed" in attrs) == (values[0] > values[-1]), (attrs, values)
    times = [a["datetime"] for a in page.all("time")]
    assert doc.meta.date in times
    assert all(re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", t or "") for t in times)


@pytest.mark.parametrize("profile", list(PROFILES))
def test_head_metadata_and_json_ld(
    profile: str, html_out: dict[tuple[str, str], Path], docs: dict[tuple[str, str], dict[str, Document]]
) -> None:
    for doc in docs["classic", profile].values():
        page = Page(output_for(html_out["classic", profile], doc, ".html").read_text(encoding="utf-8"))
        (html_tag,) = page.all("html")
        assert html_tag["lang"] == doc.meta.locale.replace("_", "-")
        metas = {a.get("name"): a.get("content") for a in page.all("meta") if a.get("name")}
        assert metas["description"] == doc.meta.subject
        assert metas["author"] == doc.person.name
        assert metas["generator"].startswith("cvbuild")
        assert metas["dcterms.created"] == doc.meta.date
        (ld_tag,) = page.all("script")
        assert ld_tag["type"] == "application/ld+json"
        ld = json.loads(page.scripts[0])
        assert ld["@type"] == "Person" and ld["name"] == doc.person.name
        assert ld.get("alternateName") == doc.person.native_name
        assert ld["sameAs"] == [link.url for link in doc.person.links]
        assert ld["email"] == doc.person.email
        if doc.person.location:
            assert ld["address"]["addressLocality"] == doc.person.location


def test_page_is_self_contained(html_out: dict[tuple[str, str], Path]) -> None:
    """No URL of any other host is loaded: every src/href that loads is absent or a data: URL."""
    for folder in html_out.values():
        for path in folder.glob("*.html"):
            html = path.read_text(encoding="utf-8")
            page = Page(html)
            assert not page.all("link") and not page.all("img") and not page.all("iframe")
            assert not [a for _, a in page.tags if a.get("src")]
            css = "".join(re.findall(r"<style>(.*?)</style>", html, re.S))
            assert all(u.startswith("data:") for u in re.findall(r"url\(([^)]*)\)", css))
            (csp,) = [a for a in page.all("meta") if a.get("http-equiv") == "Content-Security-Policy"]
            assert "default-src 'none'" in (csp["content"] or "")


# ---- e-mail modes -------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["plain", "obfuscated", "hidden"])
def test_show_email_modes(mode: str, tmp_path: Path) -> None:
    result = run_cli("render", RESUME, "-f", "html", "-o", tmp_path, "--set", f"show_email={mode}")
    assert result.returncode == 0, result.stderr
    html = next(tmp_path.glob("*.html")).read_text(encoding="utf-8")
    email = "jordan.alvarez@example.com"
    if mode == "plain":
        assert f'href="mailto:{email}"' in html
        return
    # Neither the text, a link, the JSON-LD nor a meta tag may hold a harvestable address.
    assert email not in html and "mailto:" not in html
    assert re.search(r"[\w.+-]+@[\w-]+\.[\w.]+", Page(html).visible + "".join(Page(html).scripts)) is None
    # no-break spaces keep each part with its "(at)" or "(dot)" (see test_authoring_sidebar)
    shown = "jordan.alvarez (at) example (dot) com" in Page(html).visible.replace("\u00a0", " ")
    assert shown == (mode == "obfuscated")


# ---- safety -------------------------------------------------------------------------------------

XSS = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "</script><script>alert(2)</script>"]
FREE_TEXT = " ".join(XSS) + " {{ 7*7 }} <cvbuild-font-faces/> </style><style>*{display:none}</style>"


def hostile_profile(payload: str) -> str:
    """A profile with the payload in every free-text field, name and heading."""
    p = json.dumps(payload)
    return f"""
name: {p}
native_name: {p}
aliases: [{p}]
headline: {p}
pronouns: {p}
contact:
  email: ada@example.org
  phone: "+1 415 555 0142"  # checked by phonenumbers: hostile text cannot reach it
  location: {p}
summary: {p}
interests: [{p}]
education:
  - {{institution: {p}, degree: {p}, field: {p}, location: {p}, start: 2020, end: 2024, gpa: {p},
      honors: [{p}], advisors: [{p}], thesis: {p}, highlights: [{p}]}}
experience:
  - {{organization: {p}, role: {p}, team: {p}, location: {p}, start: 2021, summary: {p}, highlights: [{p}],
      advisors: [{p}], mentors: [{p}], projects: [{{name: {p}, summary: {p}, highlights: [{p}]}}]}}
publications:
  - {{title: {p}, authors: [{p}, Bo Li], venue: {p}, venue_full: {p}, date: 2024, award: {p}, note: {p},
      equal_contribution: [{p}]}}
honors: [{{title: {p}, issuer: {p}, date: 2023, note: {p}}}]
skills: [{{category: {p}, items: [{p}]}}]
languages: [{{language: {p}, fluency: {p}}}]
projects: [{{name: {p}, role: {p}, summary: {p}, technologies: [{p}], metrics: [{p}]}}]
service: [{{role: {p}, organization: {p}, summary: {p}}}]
teaching: [{{course: {p}, role: {p}, institution: {p}, term: {p}, summary: {p}}}]
talks: [{{title: {p}, event: {p}, location: {p}, date: 2022, summary: {p}}}]
sections: [{{title: {p}, id: custom, entries: [{{title: {p}, subtitle: {p}, location: {p}, summary: {p}}}]}}]
documents:
  cv: {{title: {p}, section_titles: {{summary: {p}}}}}
"""


def assert_inert(html: str) -> Page:
    """No active content: one <script> and it is JSON-LD; no on* attribute; no javascript:/data: link."""
    page = Page(html)
    scripts = page.all("script")
    assert len(scripts) == 1 and scripts[0].get("type") == "application/ld+json"
    json.loads(page.scripts[0])  # still valid JSON, so it never became markup
    for tag, attrs in page.tags:
        assert tag not in ("img", "iframe", "object", "embed", "svg", "link", "base", "form"), tag
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name)
            assert not re.match(r"\s*(javascript|data|vbscript):", value or "", re.I), (tag, name, value)
    assert len(page.all("style")) == 1
    return page


@pytest.mark.parametrize("theme", THEMES)
def test_user_text_never_becomes_markup(theme: str, tmp_path: Path) -> None:
    profile = write(tmp_path / "hostile.yaml", hostile_profile(FREE_TEXT))
    result = run_cli("render", profile, "--theme", theme, "-f", "html", "-o", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    (path,) = (tmp_path / "out").glob("*.html")
    html = path.read_text(encoding="utf-8")
    page = assert_inert(html)
    assert "<script>alert" not in html and "<img" not in html
    assert html.count("<cvbuild-font-faces/>") == 0 and "@font-face" in html
    visible = straight(page.visible)  # the page sets typographic quotes: “> is the user's ">
    for payload in XSS:
        assert payload in visible  # shown as text, not dropped
    assert "{{ 7*7 }}" in visible and "49" not in visible.replace("2049", "")
    ld = json.loads(page.scripts[0])
    assert straight(ld["name"]) == FREE_TEXT.strip()
    assert "</script" not in page.scripts[0] and "<" not in page.scripts[0]


LINK_ATTACKS = {
    "website": "contact:\n  website: {}\n",
    "blog": "contact:\n  links:\n    blog: {}\n",
    "pub_link": "publications:\n  - {{title: T, authors: [A], date: 2024, links: {{code: '{}'}}}}\n",
    "pub_url": "publications:\n  - {{title: T, authors: [A], date: 2024, url: '{}'}}\n",
    "summary_md": "summary: 'see [here]({})'\n",
    "title_md": "publications:\n  - {{title: 'a [b]({}) c', authors: [A], date: 2024}}\n",
    "honor_md": "honors:\n  - {{title: '[x]( {} )'}}\n",
}


@pytest.mark.parametrize("url", ["javascript:alert(1)", "JavaScript:alert(1)", "data:text/html,<b>x</b>"])
@pytest.mark.parametrize("field", list(LINK_ATTACKS))
def test_dangerous_links_are_rejected(field: str, url: str, tmp_path: Path) -> None:
    profile = write(tmp_path / "p.yaml", "name: Ada Example\n" + LINK_ATTACKS[field].format(url))
    result = run_cli("render", profile, "-f", "html", "-o", tmp_path / "out")
    assert result.returncode == 2, result.stdout + result.stderr
    assert "scheme" in result.stderr and "p.yaml:" in result.stderr
    assert not (tmp_path / "out").exists()


def test_css_values_from_set_cannot_escape_the_style_block(tmp_path: Path) -> None:
    for option in ["accent=red;}</style><script>alert(1)</script>", "margin=1cm}body{display:none", 'font=a"b']:
        result = run_cli("render", RESUME, "-f", "html", "-o", tmp_path, "--set", option)
        assert result.returncode == 2, option
        assert "theme option" in result.stderr


def test_css_string_filter_escapes_everything_risky() -> None:
    from cvbuild.targets.jinja import css_string

    out = str(css_string('Ada </style> "x" \\ \n 艾'))
    assert out.startswith('"') and out.endswith('"')
    assert not re.search(r'[<>"\\\n](?![0-9a-f]{6})', out[1:-1].replace("\\0000", "X0000"))
    assert "</style" not in out and "\n" not in out


def test_css_string_keeps_the_space_after_an_escape() -> None:
    """CSS ends a hex escape at one space and drops it: "최종 수정 2026년" came out of the footer
    as "최종수정2026년". Read back as CSS reads it, every string is what went in."""
    from cvbuild.targets.jinja import css_string

    def css_read(quoted: str) -> str:  # CSS Syntax 3, "consume an escaped code point"
        return re.sub(r"\\([0-9a-fA-F]{1,6})[ \t\n]?", lambda m: chr(int(m[1], 16)), quoted[1:-1])

    for text in ("최종 수정 2026년 1월 1일", "Ada  Lovelace", "é é", "中 文 a", "x\\ y", "2 / 2 페이지 "):
        assert css_read(str(css_string(text))) == text, text


# ---- fonts --------------------------------------------------------------------------------------


# An @font-face source: MIME type, base64 data, CSS format hint.
FONT_SRC = re.compile(r'font-family:"([^"]+)";[^}]*?url\(data:(font/\w+);base64,([A-Za-z0-9+/=]+)\) format\("(\w+)"\)')
FLAVOURS = {b"OTTO": ("font/otf", "opentype"), b"\x00\x01\x00\x00": ("font/ttf", "truetype")}


def embedded_fonts(html: str) -> dict[str, list[bytes]]:
    """CSS family -> the font files embedded for it, each declared with its own flavour."""
    found: dict[str, list[bytes]] = {}
    for family, mime, data, fmt in FONT_SRC.findall(html):
        font = base64.b64decode(data)
        assert FLAVOURS.get(font[:4]) == (mime, fmt), (family, font[:4], mime, fmt)
        found.setdefault(family, []).append(font)
    assert sum(map(len, found.values())) == html.count("@font-face{"), "an @font-face rule in another form"
    return found


def font_names(data: bytes) -> tuple[str, set[int]]:
    from fontTools.ttLib import TTFont

    font = TTFont(io.BytesIO(data))
    return str(font["name"].getDebugName(1)), set(font.getBestCmap())


def glyph_count(font: bytes | Path) -> int:
    from fontTools.ttLib import TTFont

    with TTFont(io.BytesIO(font) if isinstance(font, bytes) else font, lazy=True) as f:
        return int(f["maxp"].numGlyphs)


def test_fonts_are_subset_opentype_and_cjk_only_when_needed(html_out: dict[tuple[str, str], Path]) -> None:
    example = (html_out["classic", "example"] / "wenya-tang-cv.html").read_text(encoding="utf-8")
    fonts = embedded_fonts(example)
    assert set(fonts) >= {"cv-main", "cv-fallback-1"}
    base, cjk_dir = ROOT / "themes" / "base" / "fonts", ROOT / "fonts-cjk" / "cvbuild_fonts_cjk"
    main_name, main_cmap = font_names(fonts["cv-main"][0])
    assert main_name.startswith("Linux Libertine")
    assert len(main_cmap) < 400  # a subset, not the full font (2,600+ characters)
    assert glyph_count(fonts["cv-main"][0]) < glyph_count(base / "LinLibertine_R.otf") // 4
    cjk_name, cjk_cmap = font_names(fonts["cv-fallback-1"][0])
    assert "CJK" in cjk_name and {ord(c) for c in "唐文雅"} <= cjk_cmap
    assert glyph_count(fonts["cv-fallback-1"][0]) < glyph_count(cjk_dir / "NotoSansCJKsc-Regular.otf") // 100
    assert len(example.encode()) < 600_000
    resume = next(html_out["modern", "resume"].glob("*.html")).read_text(encoding="utf-8")
    names = {font_names(f)[0] for faces in embedded_fonts(resume).values() for f in faces}
    assert not any("CJK" in n for n in names), names
    assert any(n.startswith("Inter") for n in names)
    # nor in any theme: the examples in a stylesheet's comments ("项目（", "영 / 향에") are not drawn
    for (theme, profile), folder in html_out.items():
        if profile == "resume":
            page = next(folder.glob("*.html")).read_text(encoding="utf-8")
            assert not any("CJK" in font_names(f)[0] for faces in embedded_fonts(page).values() for f in faces), theme


def parser_reading(page: str) -> tuple[frozenset[str], frozenset[str]]:
    """The page's text and the text inside code elements, as html.parser reads them."""
    from html.parser import HTMLParser

    class Collector(HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.text: list[str] = []
            self.code: list[str] = []
            self.hidden = self.in_code = 0

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            self.hidden += tag in ("script", "style", "title")
            self.in_code += tag in ("code", "kbd", "samp", "pre")

        def handle_endtag(self, tag: str) -> None:
            self.hidden -= tag in ("script", "style", "title") and self.hidden > 0
            self.in_code -= tag in ("code", "kbd", "samp", "pre") and self.in_code > 0

        def handle_data(self, data: str) -> None:
            if not self.hidden:
                self.text.append(data)
                if self.in_code:
                    self.code.append(data)

    parser = Collector()
    parser.feed(page)
    parser.close()
    return frozenset("".join(parser.text)), frozenset("".join(parser.code))


def test_page_text_reads_pages_as_html_parser_does(html_out: dict[tuple[str, str], Path]) -> None:
    """webfonts reads the page's characters with regular expressions; on every built-in theme's
    pages they find what html.parser finds, so no glyph goes missing from a subset."""
    from cvbuild.targets import webfonts

    tricky = '<p title="a>b">x&amp;y<!-- <b>z</b> --><code>&lt;c&gt;</code><script>q</script> 1 < 2</p>'
    pages = [tricky, *(p.read_text(encoding="utf-8") for f in html_out.values() for p in sorted(f.glob("*.html")))]
    for page in pages:
        text, code = parser_reading(page)
        read = webfonts.page_text(page, "")
        assert read.chars == webfonts.drawn_chars("".join(text)), page[:200]
        assert read.code_chars == (code | webfonts.ASCII if code else frozenset())


def test_subsets_keep_text_features_and_drop_hints() -> None:
    """Both sfnt flavours (CFF and glyf/loca): the characters asked for, the default layout
    features (kerning, ligatures) plus the requested ones, no hinting, and a font fontTools reads
    through and through."""
    from fontTools.ttLib import TTFont

    from cvbuild.targets import webfonts

    fonts = ROOT / "themes" / "base" / "fonts"
    text = "Hello, wörld – 42 fi AV"
    for name, flavour in (("LinLibertine_R.otf", b"OTTO"), ("DejaVuSans.ttf", b"\x00\x01\x00\x00")):
        data = webfonts.subset(fonts / name, text, (b"smcp",))
        assert data[:4] == flavour, name
        with TTFont(fonts / name, lazy=True) as original:
            source_cmap, source_glyphs = set(original.getBestCmap()), original["maxp"].numGlyphs
            source_gsub = {r.FeatureTag for r in original["GSUB"].table.FeatureList.FeatureRecord}
        font = TTFont(io.BytesIO(data))
        font.ensureDecompiled()  # every table parses
        assert set(font.getBestCmap()) == {ord(c) for c in text} & source_cmap, name
        assert font["maxp"].numGlyphs < source_glyphs // 10, name
        gsub = {r.FeatureTag for r in font["GSUB"].table.FeatureList.FeatureRecord}
        gpos = {r.FeatureTag for r in font["GPOS"].table.FeatureList.FeatureRecord}
        assert "kern" in gpos and "liga" in gsub, (name, gsub, gpos)
        assert "smcp" in gsub or "smcp" not in source_gsub, name
        assert not {"fpgm", "prep", "cvt ", "hdmx"} & set(font.keys()), name  # no TrueType hinting
        if flavour == b"OTTO":
            private = font["CFF "].cff.topDictIndex[0].Private
            assert not getattr(private, "BlueValues", None), name  # no CFF hints either


def test_subsetting_drops_unrequested_features() -> None:
    """Small caps and tabular figures only when the stylesheet asks for them: they cost bytes."""
    from fontTools.ttLib import TTFont

    from cvbuild.targets import webfonts

    font = ROOT / "themes" / "base" / "fonts" / "Inter-Regular.otf"
    plain_, tabular = (TTFont(io.BytesIO(webfonts.subset(font, "Jordan 1,450", f))) for f in ((), (b"tnum",)))
    features = [{r.FeatureTag for r in f["GSUB"].table.FeatureList.FeatureRecord} for f in (plain_, tabular)]
    assert "tnum" not in features[0] and "tnum" in features[1]


def test_subsetting_is_deterministic() -> None:
    """The same bytes twice in one process and in a fresh one."""
    from cvbuild.targets import webfonts

    fonts = ROOT / "themes" / "base" / "fonts"
    chars = set("Jordan Alvarez – ★ 1,450")
    code = (
        "import sys; from pathlib import Path; from cvbuild.targets.webfonts import subset;"
        "sys.stdout.buffer.write(subset(Path(sys.argv[1]), sys.argv[2], (b'tnum',)))"
    )
    for name in ("Inter-Regular.otf", "DejaVuSans.ttf"):
        first, second = (webfonts.subset(fonts / name, chars, (b"tnum",)) for _ in range(2))
        assert first == second, name
        fresh = subprocess.run([sys.executable, "-c", code, fonts / name, "".join(sorted(chars))], capture_output=True)
        assert fresh.returncode == 0, fresh.stderr
        assert fresh.stdout == first, name


def test_faces_are_named_and_weighed_as_fonttools_reads_them() -> None:
    """Family (typographic, else legacy), weight class and italic bit of every bundled face."""
    from fontTools.ttLib import TTFont

    from cvbuild.targets import webfonts
    from cvbuild.themes.fonts import cjk_font_dir

    paths = sorted((ROOT / "themes" / "base" / "fonts").iterdir())
    cjk = cjk_font_dir()
    assert cjk is not None, "the CJK fonts are part of the test install"
    paths += sorted(cjk.iterdir())
    faces = webfonts.read_faces(paths)
    assert len(faces) == len([p for p in paths if p.suffix in (".otf", ".ttf")]) >= 14
    for face in faces:
        with TTFont(face.path, lazy=True) as font:
            name = font["name"]
            family = name.getName(16, 3, 1, 0x409) or name.getName(1, 3, 1, 0x409)
            os2 = font["OS/2"]
            assert (face.family, face.weight, face.italic) == (
                str(family),
                os2.usWeightClass,
                bool(os2.fsSelection & 1),
            ), face.path.name
    assert webfonts.read_faces([ROOT / "themes" / "base" / "fonts" / "LICENSES.txt"]) == []


def test_text_em_is_the_width_fonttools_adds_up() -> None:
    """`text_em`, for a theme that fits a line to a width: the advances of the face CSS would pick
    (the bold one for weight 700), in em; a character of no family counts 1 em, and a character the
    main font lacks is measured in the fallback that has it."""
    from fontTools.ttLib import TTFont

    from cvbuild.targets import webfonts
    from cvbuild.themes.fonts import cjk_font_dir

    cjk = cjk_font_dir()
    assert cjk is not None, "the CJK fonts are part of the test install"
    faces = webfonts.read_faces([*sorted((ROOT / "themes" / "base" / "fonts").iterdir()), *sorted(cjk.iterdir())])
    bold = webfonts.pick_faces(webfonts.family_faces(faces, "Inter"), [700], False)[0]
    with TTFont(bold.path, lazy=True) as font:
        cmap, hmtx, upem = font.getBestCmap(), font["hmtx"], font["head"].unitsPerEm
        expected = sum(hmtx[cmap[ord(c)]][0] for c in "OYELARAN") / upem  # capitals: no kerning pair here
    assert webfonts.text_em(faces, ["Inter"], "OYELARAN", 700) == pytest.approx(expected, rel=0.02)
    assert (
        webfonts.text_em(faces, ["Inter"], "OYELARAN", 700) > 0.62 * 8 > webfonts.text_em(faces, ["Inter"], "oyelaran")
    )
    assert webfonts.text_em(faces, ["Inter"], "\u7ae0", 700) == 1.0  # no family has it
    assert webfonts.text_em(faces, ["Inter", "Noto Sans CJK SC"], "\u7ae0\u6893\u7acb", 700) == pytest.approx(3.0)


def test_resume_page_embeds_every_planned_face(tmp_path: Path) -> None:
    """Each face CSS matching can pick is there once, as its own subset, with its own weight and slant."""
    from fontTools.ttLib import TTFont

    from cvbuild.pipeline import RenderRequest, render

    (path,) = render(RenderRequest(profile=RESUME, formats=["html"], output=tmp_path))
    html = path.read_text(encoding="utf-8")
    fonts = embedded_fonts(html)
    assert fonts["cv-main"] and len(set(fonts["cv-main"])) == len(fonts["cv-main"])
    rules = re.findall(r"font-weight:(\d+);font-style:(\w+);[^}]*?base64,([A-Za-z0-9+/=]+)", html)
    for weight, style, data in rules:
        font = TTFont(io.BytesIO(base64.b64decode(data)))
        assert font["OS/2"].usWeightClass == int(weight)
        assert bool(font["OS/2"].fsSelection & 1) == (style == "italic")
    name, cmap = font_names(fonts["cv-main"][0])
    assert name.startswith("Inter") and ord("J") in cmap and len(cmap) < 400


def test_unknown_font_option_is_an_input_error(tmp_path: Path) -> None:
    result = run_cli("render", RESUME, "-f", "html", "-o", tmp_path, "--set", "font=Comic Sans")
    assert result.returncode == 2
    assert "Comic Sans" in result.stderr and "Inter" in result.stderr


# ---- determinism and imports --------------------------------------------------------------------


def test_two_renders_are_byte_identical(tmp_path: Path, html_out: dict[tuple[str, str], Path]) -> None:
    result = run_cli("render", EXAMPLE, "--theme", "classic", "-f", "html", "-o", tmp_path, fresh=True)
    assert result.returncode == 0, result.stderr
    for first in html_out["classic", "example"].glob("*.html"):
        assert (tmp_path / first.name).read_bytes() == first.read_bytes(), first.name


def test_html_render_does_not_import_weasyprint(tmp_path: Path) -> None:
    request = f"RenderRequest(profile=Path({str(RESUME)!r}), formats=['html', 'txt'], output=Path({str(tmp_path)!r}))"
    code = (
        "import sys; from cvbuild.pipeline import RenderRequest, render; from pathlib import Path;"
        f"render({request});"
        "assert 'weasyprint' not in sys.modules, 'weasyprint';"
        "assert 'fontTools' not in sys.modules, 'fontTools'"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env={"SOURCE_DATE_EPOCH": EPOCH}
    )
    assert result.returncode == 0, result.stderr


def test_every_base_css_of_the_chain_is_inlined_root_first(tmp_path: Path) -> None:
    # A child theme's base.css adds structure; the shared rules of themes/base/base.css stay.
    child = tmp_path / "child"
    write(child / "theme.toml", 'name = "child"\nextends = "sidebar"\ntargets = ["html"]\n')
    write(child / "base.css", ".child-rule { color: red; }\n")
    result = run_cli("render", EXAMPLE, "--theme", child, "-f", "html", "-o", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    html = sorted((tmp_path / "out").glob("*.html"))[0].read_text()
    shared = html.index(".citation a { white-space: nowrap; }")  # themes/base/base.css
    sidebar = html.index(".sidebar .masthead { grid-area: head; }")  # themes/sidebar/base.css
    assert shared < sidebar < html.index(".child-rule")
    assert html.count(".citation a { white-space: nowrap; }") == 1


def test_font_subsets_kept_in_the_cache_follow_the_font_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`watch` keeps each face's subset; a font file replaced by another is subset again, and a
    file written in the last seconds is never kept (its stamp could hide a second write)."""
    from cvbuild.targets import html, webfonts
    from cvbuild.themes.theme import builtin_themes_dir

    fonts = builtin_themes_dir() / "base" / "fonts"
    font = tmp_path / "Face-Regular.otf"
    font.write_bytes((fonts / "Inter-Regular.otf").read_bytes())
    face = webfonts.Face(font, "Face", 400, False)
    part = webfonts.Part("cvbuild-main", (face,), frozenset("Ada Lovelace"))
    cache: dict[object, object] = {}
    first = html.font_faces([part], cache)
    assert cache["html.font_faces"] == {}  # just written: not kept
    monkeypatch.setattr(html, "SETTLED_NS", 0)
    assert html.font_faces([part], cache) == first
    assert len(cache["html.font_faces"]) == 1  # type: ignore[arg-type]
    font.write_bytes((fonts / "LinLibertine_R.otf").read_bytes())  # another font under the same name
    second = html.font_faces([part], cache)
    assert second != first
    assert second == html.font_faces([part], {}) == webfonts.font_face_css([part])


def test_faces_kept_in_the_cache_follow_the_font_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`watch` keeps the faces read from a theme's fonts; a file replaced under the same name is
    read again, and a file written in the last seconds is never kept."""
    from cvbuild.targets import html, webfonts
    from cvbuild.themes.theme import builtin_themes_dir

    fonts = builtin_themes_dir() / "base" / "fonts"
    font = tmp_path / "Face-Regular.otf"
    font.write_bytes((fonts / "Inter-Regular.otf").read_bytes())
    cache: dict[object, object] = {}
    first = html.theme_faces([font], cache)
    assert cache["html.faces"] == {}  # just written: not kept
    monkeypatch.setattr(html, "SETTLED_NS", 0)
    assert html.theme_faces([font], cache) == first == webfonts.read_faces([font])
    assert len(cache["html.faces"]) == 1  # type: ignore[arg-type]
    assert [f.family for f in first] == ["Inter"]
    font.write_bytes((fonts / "LinLibertine_R.otf").read_bytes())  # another font under the same name
    second = html.theme_faces([font], cache)
    assert second == webfonts.read_faces([font]) != first


WATCHED = """name: Ada Example
summary: The first version.
publications:
  - {title: A Paper, authors: [Ada Example, Bo Li], venue: EuroSys 2024, date: 2024-04}
"""


def test_pages_kept_for_watch_follow_every_input(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`watch` reuses a page made from the same inputs; a change to the profile, to a template
    (even one saved within the same mtime tick), to a template a child theme adds in front of its
    parent's, or to a stylesheet makes a new one, equal to what a fresh process writes."""
    from cvbuild.pipeline import RenderRequest, render
    from cvbuild.targets import jinja

    theme = tmp_path / "mine"
    write(theme / "theme.toml", 'name = "mine"\nextends = "classic"\n')
    write(theme / "cv.html.j2", '{% extends "_layout.html.j2" %}\n{% block body_class %}cv mine{% endblock %}\n')
    write(theme / "style.css", (ROOT / "themes" / "classic" / "style.css").read_text())
    profile = write(tmp_path / "p.yaml", WATCHED)
    request = RenderRequest(profile=profile, formats=["html"], theme=str(theme), output=tmp_path / "out")
    cache: dict[object, object] = {}
    renders = 0
    real_render = jinja.render_template

    def counting(*args: object, **kwargs: object) -> str:
        nonlocal renders
        renders += 1
        return real_render(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(jinja, "render_template", counting)

    def page() -> str:
        (path,) = render(request, cache=cache)
        return path.read_text()

    def fresh() -> str:
        (path,) = render(RenderRequest(**{**request.__dict__, "output": tmp_path / "fresh"}), cache={})
        return path.read_text()

    first = page()
    profile.write_text(WATCHED + "# a comment: the Document stays the same\n")
    assert page() == first and renders == 1

    changes = [
        lambda: profile.write_text(WATCHED.replace("first", "second")),
        lambda: (theme / "cv.html.j2").write_text((theme / "cv.html.j2").read_text().replace("mine", "mine two")),
        lambda: write(
            theme / "_macros.html.j2",
            (ROOT / "themes/base/_macros.html.j2").read_text().replace('"pub-title"', '"pub-title mine"'),
        ),
        lambda: (theme / "style.css").write_text((theme / "style.css").read_text() + "\n.mine { color: red }\n"),
    ]
    seen = [first]
    for change in changes:
        change()
        now = page()
        assert now not in seen and now == fresh()
        seen.append(now)
    assert "mine two" in seen[2] and "pub-title mine" in seen[3] and ".mine { color: red }" in seen[4]

    template = theme / "cv.html.j2"  # a second save within the same mtime tick
    stamp = template.stat().st_mtime_ns
    template.write_text(template.read_text().replace("mine two", "mine 22"))
    os.utime(template, ns=(stamp, stamp))
    assert "mine 22" in page()


CLASHING_TITLES = """name: Ada Example
interests: [Systems, Databases]
skills: [{category: Languages, items: [Python, Rust]}]
publications:
  - {id: interests, title: Tidelock, authors: [Ada Example], date: 2025}
sections:
  - {title: Interests, entries: [{title: Hiking in the Pyrenees}]}
  - {title: Publications, entries: [{title: A blog post on caching}]}
  - {title: Skills, entries: [{title: Woodworking}]}
"""


class _Ids(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.refs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("id"):
            self.ids.append(str(found["id"]))
        if found.get("aria-labelledby"):
            self.refs.append(str(found["aria-labelledby"]))


@pytest.mark.parametrize("theme", THEMES)
def test_custom_sections_titled_as_built_in_ones_render_with_unique_ids(theme: str, tmp_path: Path) -> None:
    """A custom "Interests", "Publications" and "Skills" beside the built-in sections (they were
    rejected as an id clash): every entry is in every format, and the page's ids stay unique,
    so each heading's anchor and aria-labelledby point at one section."""
    profile = write(tmp_path / "p.yaml", CLASHING_TITLES)
    formats = ("html", "txt", "md") if theme in BUILTIN_THEMES else ("html",)  # the homepage is HTML only
    result = run_cli("render", profile, "-f", ",".join(formats), "--theme", theme, "-o", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    for suffix in formats:
        text = (tmp_path / "out" / f"ada-example.{suffix}").read_text(encoding="utf-8")
        for entry in ("Hiking in the Pyrenees", "A blog post on caching", "Woodworking", "Tidelock", "Rust"):
            assert entry in text, (suffix, entry)
    ids = _Ids()
    ids.feed((tmp_path / "out" / "ada-example.html").read_text(encoding="utf-8"))
    assert len(ids.ids) == len(set(ids.ids)), sorted(i for i in ids.ids if ids.ids.count(i) > 1)
    assert {"interests-2", "publications-2", "skills-2"} <= set(ids.ids)
    assert set(ids.refs) <= set(ids.ids)


NON_ASCII_SECTIONS = [
    "  - {title: Außeruniversitäres Engagement, entries: [{title: Fachschaft Physik}]}\n",
    "  - {title: Øvrige erfaringer, entries: [{title: Roskilde Festival}]}\n",
    "  - {title: Публикации, entries: [{title: Статья о сейсмике}]}\n",
    "  - {title: Доклады, entries: [{title: Доклад в Москве}]}\n",
]
NON_ASCII_DOCUMENTS = (
    "documents:\n  cv:\n"
    "    sections: [ausseruniversitares-engagement, ovrige-erfaringer, section-a8978f, section-2d4d56]\n"
)


def test_non_ascii_names_and_titles_give_ascii_ids_and_file_names(tmp_path: Path) -> None:
    """Slugs fold letters as names are folded: a section's id and anchor dropped the letters NFKD
    does not decompose (`Außeruniversitäres` was `auer...`, `Øvrige` `vrige`), where the file
    name spelt them (`lena-muller`). A title with no Latin letter is `section-` and six hex digits
    of the title, the same wherever the section stands: they were `section`, `section-2` by
    place, so moving one gave it the other's id and the document's list chose the wrong one."""
    texts = []
    for order in ((0, 1, 2, 3), (0, 1, 3, 2)):  # the two Russian sections swapped in the file
        sections = "".join(NON_ASCII_SECTIONS[i] for i in order)
        text = f"name: Lena Müller\nsections:\n{sections}{NON_ASCII_DOCUMENTS}"
        out = tmp_path / str(len(texts))
        result = run_cli("render", write(tmp_path / f"p{len(texts)}.yaml", text), "-f", "html,txt", "-o", out)
        assert result.returncode == 0, result.stderr
        assert sorted(p.name for p in out.iterdir()) == ["lena-muller-cv.html", "lena-muller-cv.txt"]
        ids = _Ids()
        ids.feed((out / "lena-muller-cv.html").read_text(encoding="utf-8"))
        sections = [i for i in ids.ids if not i.endswith("-title")]
        assert sections == ["ausseruniversitares-engagement", "ovrige-erfaringer", "section-a8978f", "section-2d4d56"]
        assert len(ids.ids) == len(set(ids.ids)) and set(ids.refs) <= set(ids.ids)
        texts.append((out / "lena-muller-cv.txt").read_text(encoding="utf-8"))
    order = ["Fachschaft Physik", "Roskilde Festival", "Доклад в Москве", "Статья о сейсмике"]
    for text in texts:  # the document's order, whatever the file's
        assert -1 not in [text.find(x) for x in order] and [text.find(x) for x in order] == sorted(
            text.find(x) for x in order
        )


# ---- each end of a date range in its own <time> ---------------------------------------------------

# A range_sep that is a space, occurs inside a date ("sept. 2021"), is a numeric date's own "/", or
# is hostile, with (locale, date_format) and what each <time> holds: (datetime, text) per date.
HOSTILE_SEP = "#x $y$ *b* _i_ <script>alert(1)</script> @r \\ ] [ { } 😀 中文"
RANGE_SEPS = {
    "space": ("en", "short", " ", ["Sep 2021", "Jun 2026 (expected)", "Jul 2023", "present", "Feb 2022"]),
    "in-a-date": ("fr", "short", ". ", ["sept. 2021", "juin 2026 (prévu)", "juil. 2023", "aujourd’hui", "févr. 2022"]),
    "numeric": ("en", "numeric", "/", ["09/2021", "06/2026 (expected)", "07/2023", "present", "02/2022"]),
    "hostile": ("en", "short", HOSTILE_SEP, ["Sep 2021", "Jun 2026 (expected)", "Jul 2023", "present", "Feb 2022"]),
}


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("case", list(RANGE_SEPS))
def test_each_time_holds_its_end_of_the_range(case: str, theme: str, browser: Any, tmp_path: Path) -> None:
    """The macro split `text` on range_sep to find the two ends: a space cut "Sep 2021" into "Sep"
    and "2021 Jun 2026", a "/" cut "09/2021"; each <time> now holds its end's text (the Document's)
    and its ISO date, and the range reads as the Document's text, the separator verbatim."""
    locale, style, sep, (start, end, job, present, prize) = RANGE_SEPS[case]
    profile = write(
        tmp_path / "p.yaml",
        f"""name: Ada Example
education: [{{institution: U, degree: PhD, start: 2021-09, end: 2026-06, expected: true}}]
experience: [{{organization: O, role: R, start: 2023-07, end: present}}]
honors: [{{title: Prize, date: 2022-02}}]
teaching: [{{course: C, start: 2024-09, term: Fall 2024}}]
documents:
  cv: {{locale: {locale}, date_format: {style}, labels: {{range_sep: {json.dumps(sep, ensure_ascii=False)}}}}}
""",
    )
    result = run_cli("render", profile, "--theme", theme, "-f", "html", "-o", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    (path,) = (tmp_path / "out").glob("*.html")
    page = browser.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    try:
        page.goto(path.as_uri(), wait_until="load")
        dates = page.evaluate(
            """[...document.querySelectorAll('.date')].map(d => [d.textContent,
                 [...d.querySelectorAll('time')].map(t => [t.getAttribute('datetime'), t.textContent])])"""
        )
    finally:
        page.close()
    assert not dialogs
    want = [
        [start + sep + end, [["2021-09", start], ["2026-06", end]]],
        [job + sep + present, [["2023-07", job]]],  # no <time> for "present"
        [prize, [["2022-02", prize]]],
        ["Fall 2024", [["2024-09", "Fall 2024"]]],  # the owner's term, whole
    ]
    assert sorted(dates) == sorted(want)


@pytest.mark.parametrize("theme", THEMES)
def test_a_date_given_by_one_end_is_a_date(theme: str, tmp_path: Path) -> None:
    """An expected degree given only its end showed "Jun 2026", as if awarded, and `present` alone
    was <time datetime="present">: every datetime is an ISO date, and "present" is no <time>."""
    profile = write(
        tmp_path / "p.yaml",
        """name: Ada Example
education:
  - {institution: U, degree: PhD, end: 2026-06, expected: true}
  - {institution: V, degree: MSc, date: 2025-06, expected: true}
experience: [{organization: O, role: R, end: present}]
projects: [{name: P, start: present}]
""",
    )
    result = run_cli("render", profile, "--theme", theme, "-f", "html", "-o", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    html = next((tmp_path / "out").glob("*.html")).read_text(encoding="utf-8")
    dates = re.findall(r'<span class="date">(.*?)</span>', html)
    assert sorted(dates) == sorted(
        [
            '<time datetime="2026-06">Jun 2026 (expected)</time>',
            '<time datetime="2025-06">Jun 2025 (expected)</time>',
            "present",
            "present",
        ]
    )
    times = [a["datetime"] for a in Page(html).all("time")]
    assert all(re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", t or "") for t in times), times


def test_characters_a_stylesheet_writes_as_escapes_are_in_the_subsets() -> None:
    """classic's contact separator is `content: "\\00a0\\00b7"`: read literally, the · was in no
    subset, and WeasyPrint drew it in a system font (a browser in the next font it found)."""
    from cvbuild.targets import webfonts

    css = '.c li::after { content: "\\00a0\\00b7"; } /* \\4e2d */ :lang(zh) .s::before { content: "\\ff0c"; }'
    latin, chinese = (webfonts.page_text(f"<p>{text}</p>", css).chars for text in ("a", "文"))
    assert "\u00b7" in latin and "\u00b7" in chinese
    assert "\u4e2d" not in latin | chinese  # a comment's example stays out, escaped or not
    assert "\uff0c" in chinese and "\uff0c" not in latin  # a Latin page carries no CJK font for it


@pytest.mark.parametrize(
    ("css", "place", "says"),
    [
        (
            "h1 { color: red; }\nh1 { background: url(missing.png) }\n",
            "2:18",
            "url(missing.png): no such file in the theme",
        ),
        (
            '/* a note */\n@import "extra.css";\n',
            "2:1",
            "@import: cvbuild puts style.css and each base.css into the page",
        ),
        ("@import url(https://fonts.googleapis.com/css2?family=Roboto);\n", "1:1", "copy them into style.css"),
        ("h1 { background: url('https://example.org/x.png') }\n", "1:18", "the page loads nothing from the network"),
        # a string is text, but not in url(): and a /* in one starts no comment that hid what follows
        ('h1::after { content: "/*" }\nh1 { background: url( "gone.png" ) }\n', "2:18", "url(gone.png): no such file"),
        # CSS escapes name the same characters to WeasyPrint and to a browser: all of these load
        ("h1 { background: \\75 rl(https://example.org/x.png) }\n", "1:18", "(spelt with CSS escapes): the page loads"),
        ("h1 { background: U\\52L('https://example.org/x.png') }\n", "1:18", "url(https://example.org/x.png) (spelt"),
        ("h1 { background: url(h\\74tps://example.org/x.png) }\n", "1:18", "the page loads nothing from the network"),
        ('@\\69mport "extra.css";\n', "1:1", "@import (spelt with CSS escapes): cvbuild puts style.css"),
        ("@\\000069 mport 'extra.css';\n", "1:1", "@import (spelt with CSS escapes)"),
    ],
)
def test_a_stylesheet_reference_that_cannot_work_is_located(tmp_path: Path, css: str, place: str, says: str) -> None:
    """An @import, a remote URL or a theme file that does not exist: the HTML page loads none of them,
    and the HTML output said nothing (WeasyPrint warned with no line). Exit 2 at style.css's line."""
    write(tmp_path / "p.yaml", "name: Ada Example\n")
    write(tmp_path / "themes" / "t" / "theme.toml", 'extends = "classic"\n')
    write(tmp_path / "themes" / "t" / "style.css", css)
    for args in (["-f", "html"], ["-f", "pdf", "--engine", "weasyprint"]):
        result = run_cli("render", "p.yaml", "--theme", "t", "-o", "out", *args, cwd=tmp_path)
        assert result.returncode == 2, result.stderr
        assert result.stderr.startswith(f"themes/t/style.css:{place}: ") and says in result.stderr, result.stderr
        assert "Traceback" not in result.stderr and not (tmp_path / "out").exists()


def test_a_font_family_the_page_does_not_embed_is_a_located_warning(tmp_path: Path) -> None:
    """`font-family: "Georgia"` in a theme's CSS drew the page in the reader's Georgia, where
    there is one, and in something else where not: the page embeds only cv-main, cv-fallback-N and
    cv-mono. A warning at the line (the page still renders), not for WeasyPrint, which has no
    font but the page's; the theme's own @font-face names, generic families and var() pass."""
    write(tmp_path / "p.yaml", "name: Ada Example\nsummary: Hi.\n")
    write(tmp_path / "themes" / "t" / "theme.toml", 'extends = "classic"\n')
    classic = (ROOT / "themes" / "classic" / "style.css").read_text(encoding="utf-8")
    css = (
        "@font-face { font-family: 'Mine'; src: url(data:font/otf;base64,AAAA) }\n"
        "h2 { font-family: Mine, cv-main, serif } h3 { font-family: var(--f), serif }\n"
        'h1 { font-family: cv-main, "Georgia", serif; }\n'
        "p { font-family: Helvetica  Neue, sans-serif !important }\n"
    )
    write(tmp_path / "themes" / "t" / "style.css", classic + css)
    first = len(classic.splitlines()) + 3
    result = run_cli("render", "p.yaml", "--theme", "t", "-o", "out", "-f", "html", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if "font-family" in line]
    assert warnings == [
        f"themes/t/style.css:{first}:28: warning: font-family 'Georgia': the page embeds no such font, so each "
        "reader's machine shows its own (or none); name the theme's fonts: cv-main (the font option), cv-fallback-1 "
        "to cv-fallback-4 (fallback_fonts) and cv-mono, with a generic family such as serif last",
        f"themes/t/style.css:{first + 1}:18: warning: font-family 'Helvetica Neue': the page embeds no such font, so "
        "each reader's machine shows its own (or none); name the theme's fonts: cv-main (the font option), "
        "cv-fallback-1 to cv-fallback-4 (fallback_fonts) and cv-mono, with a generic family such as serif last",
    ], result.stderr
    strict = run_cli("render", "p.yaml", "--theme", "t", "-o", "out2", "-f", "html", "--strict", cwd=tmp_path)
    assert strict.returncode == 1 and not (tmp_path / "out2").exists()
    weasy = run_cli(
        "render", "p.yaml", "--theme", "t", "-o", "out3", "-f", "pdf", "--engine", "weasyprint", cwd=tmp_path
    )
    assert weasy.returncode == 0 and "font-family" not in weasy.stderr, weasy.stderr


def test_a_stylesheet_warning_is_said_once_for_every_document(tmp_path: Path) -> None:
    """The same warning at the same line of a theme's stylesheet was printed once for each document
    that uses the theme (and counted so by --strict and --report)."""
    write(tmp_path / "p.yaml", "name: Ada Example\nsummary: Hi.\ndocuments:\n  one: {}\n  two: {}\n  three: {}\n")
    write(tmp_path / "themes" / "t" / "theme.toml", 'extends = "classic"\n')
    classic = (ROOT / "themes" / "classic" / "style.css").read_text(encoding="utf-8")
    write(tmp_path / "themes" / "t" / "style.css", classic + "h1 { font-family: Georgia, serif }\n")
    result = run_cli("render", "p.yaml", "--theme", "t", "-o", "out", "-f", "html", "--report", "r.json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert [line for line in result.stderr.splitlines() if "font-family" in line] == [
        f"themes/t/style.css:{len(classic.splitlines()) + 1}:19: warning: font-family 'Georgia': the page embeds "
        "no such font, so each reader's machine shows its own (or none); name the theme's fonts: cv-main (the font "
        "option), cv-fallback-1 to cv-fallback-4 (fallback_fonts) and cv-mono, with a generic family such as serif "
        "last"
    ], result.stderr
    assert len(json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["diagnostics"]) == 1
    assert len(list((tmp_path / "out").glob("*.html"))) == 3


def test_stylesheet_references_that_work_pass(tmp_path: Path) -> None:
    """data: URLs, fragments, a theme file (WeasyPrint reads it), and anything inside a comment;
    a string's text (`content: "url(x)"` was refused as a missing file) and a file's name written
    with %20, which WeasyPrint decodes (was refused: no file named `my%20dot.png`)."""
    write(tmp_path / "p.yaml", "name: Ada Example\n")
    write(tmp_path / "themes" / "t" / "theme.toml", 'extends = "classic"\n')
    (tmp_path / "themes" / "t" / "dot.png").write_bytes(base64.b64decode(PNG_1PX))
    (tmp_path / "themes" / "t" / "my dot.png").write_bytes(base64.b64decode(PNG_1PX))
    css = (
        "/* @import 'x.css'; url(nowhere.png) */\n"
        "h1 { background: url(data:image/png;base64,AAAA) }\n"
        'h2 { background: url("dot.png") } svg { fill: url(#g) }\n'
        'h3::after { content: "see url(nowhere.png), @import, /* no comment" }\n'
        "h4 { background: url(my%20dot.png) }\n"
        'h5::before { content: "\\75 rl(x) \\@import" } h6 { background: \\75 rl(d\\6f t.png) }\n'
    )
    write(tmp_path / "themes" / "t" / "style.css", css)
    result = run_cli(
        "render", "p.yaml", "--theme", "t", "-o", "out", "-f", "html,pdf", "--engine", "weasyprint", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr


PNG_1PX = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="


# base is a parent only, with no style.css of its own: its base.css is checked in every theme's chain
@pytest.mark.parametrize(
    "name", sorted(p.parent.name for p in builtin_themes_dir().glob("*/theme.toml") if p.parent.name != "base")
)
def test_the_built_in_stylesheets_pass_the_checks_a_render_skips_for_them(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A render leaves out, for cvbuild's own stylesheets, what it tells a theme author about
    theirs (`builtin_stylesheet`): no reference that cannot work, no brace left open or closing
    nothing, no font-family the page lacks."""
    import datetime as dt

    from cvbuild.targets import html
    from cvbuild.targets.base import RenderContext
    from cvbuild.themes.theme import load_theme

    theme = load_theme(name, Path.cwd())
    ctx = RenderContext(theme=theme, today=dt.date(2026, 1, 1), profile_dir=Path.cwd())
    assert theme.find(html.STYLESHEET) is not None
    parts = html.stylesheet_parts(ctx)
    assert parts and all(html.builtin_stylesheet(path) for path, _ in parts)
    monkeypatch.setattr(html, "builtin_stylesheet", lambda _path: False)
    checked = html.stylesheet_parts(
        RenderContext(theme=load_theme(name, Path.cwd()), today=ctx.today, profile_dir=ctx.profile_dir)
    )
    assert checked == parts  # every reference works
    assert {str(path): html.unbundled_families(css) for path, css in parts} == {str(path): [] for path, _ in parts}


def test_a_theme_s_own_stylesheet_is_still_checked_beside_the_built_in_ones(tmp_path: Path) -> None:
    child = tmp_path / "child"
    write(child / "theme.toml", 'name = "child"\nextends = "classic"\n')
    write(child / "base.css", ".x { font-family: Comic Sans MS, serif; }\n")
    result = run_cli("render", EXAMPLE, "--theme", child, "-d", "cv", "-f", "html", "-o", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert "base.css:1:19: warning: font-family 'Comic Sans MS'" in result.stderr
    assert result.stderr.count("font-family") == 1
