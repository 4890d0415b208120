"""The fast reading of the page WeasyPrint gets: the same tree as WeasyPrint's own HTML5 parser."""

from __future__ import annotations

import html
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import tinyhtml5
from conftest import ROOT, run_cli, write
from hypothesis import given, settings
from hypothesis import strategies as st
from test_html import FREE_TEXT, THEMES, hostile_profile, html_out  # noqa: F401  (html_out is a fixture)

from cvbuild.targets.page_tree import strict_tree
from cvbuild.targets.webfonts import detach_fonts


def html5_tree(page: str) -> ET.Element:
    """What WeasyPrint builds itself (weasyprint.HTML.__init__)."""
    tree: ET.Element = tinyhtml5.parse(page, namespace_html_elements=False)
    return tree


def dump(e: ET.Element) -> list[tuple[str, dict[str, str], str | None, str | None, int]]:
    """Every element in document order: tag, attributes, text, tail, number of children."""
    return [(x.tag, dict(x.attrib), x.text or None, x.tail or None, len(x)) for x in e.iter()]  # type: ignore[misc]


def assert_same_reading(page: str) -> None:
    ours = strict_tree(page)
    assert ours is not None, page[:300]
    assert dump(ours) == dump(html5_tree(page))


def test_every_builtin_page_is_strict_and_read_as_html5_reads_it(
    html_out: dict[tuple[str, str], Path],  # noqa: F811
) -> None:
    """Both profiles in every built-in theme, every variant: the fast path applies and agrees."""
    pages = [p for folder in html_out.values() for p in sorted(folder.glob("*.html"))]
    assert len(pages) >= 2 * len(THEMES)
    for path in pages:
        assert_same_reading(detach_fonts(path.read_text(encoding="utf-8"))[0])


@pytest.mark.parametrize("theme", THEMES)
def test_hostile_and_other_profiles_read_as_html5_reads_them(theme: str, tmp_path: Path) -> None:
    """Hostile text in every field, the one-page résumé and the CJK fixture, in every theme."""
    profiles = [
        write(tmp_path / "hostile.yaml", hostile_profile(FREE_TEXT)),
        ROOT / "profiles" / "onepage.yaml",
        ROOT / "cvbuild" / "themes" / "fixtures" / "cjk.yaml",
    ]
    for i, profile in enumerate(profiles):
        out = tmp_path / f"out{i}"
        result = run_cli("render", profile, "--theme", theme, "-f", "html", "-o", out)
        assert result.returncode == 0, result.stderr
        for path in sorted(out.glob("*.html")):
            assert_same_reading(detach_fonts(path.read_text(encoding="utf-8"))[0])


PAGE = "<!DOCTYPE html>\n<html lang=en>\n<head>\n<title>T</title>\n</head>\n<body>\n{}\n</body>\n</html>\n"


@pytest.mark.parametrize(
    "body",
    [
        "<p>open paragraph",  # HTML5 closes it at </body>
        "<p>a <div>block</div> b</p>",  # <div> closes the <p>; </p> then opens an empty one
        "<ul><li>one<li>two</ul>",  # the second <li> closes the first
        "<dl><dt>a<dd>b</dl>",
        "<h2>a <h3>b</h3></h2>",
        "<a href=x>a <a href=y>b</a></a>",
        "<table><tr><td>x</td></tr></table>",  # tables re-parent
        "<pre>\nx</pre>",  # HTML5 drops the newline after <pre>
        "<textarea>x</textarea>",
        "<div/>",  # the slash is ignored: the <div> stays open
        "<b>a <i>b</b> c</i>",  # misnested: the adoption agency
        "<!-- a comment -->",
        "<p title=a title=b>x</p>",  # HTML5 keeps the first
        '<a href="?a=1&copy=2">x</a>',  # a legacy reference before "=" stays as written
        "<script>x</script>",
        "<svg><circle/></svg>",
        "<br></br>",
        "</span>",
        "text\r\nwith a carriage return",
        "nul \0 character",
    ],
)
def test_pages_outside_the_strict_form_are_left_to_weasyprint(body: str) -> None:
    assert strict_tree(PAGE.format(body)) is None


@pytest.mark.parametrize(
    "page",
    [
        "<html><head></head><body></body></html>",  # no doctype: quirks mode
        "<!DOCTYPE html><html><head></head><body></body></html><p>after</p>",
        "<!DOCTYPE html><html><head><div>x</div></head><body></body></html>",
        "<!DOCTYPE html><html><head></head>text<body></body></html>",
        "<!DOCTYPE html><html><head><base href=x></head><body></body></html>",  # changes base URLs
        "<!DOCTYPE html><html><body></body></html>",  # <head> implied
    ],
)
def test_pages_without_the_strict_frame_are_left_to_weasyprint(page: str) -> None:
    assert strict_tree(page) is None


def test_white_space_goes_where_html5_puts_it() -> None:
    """Before <html> and <head> it is dropped, between </head> and <body> it is <head>'s tail,
    after </body> and </html> it joins the end of <body>."""
    page = (
        "<!DOCTYPE html> \n<html>\n <head>\n<meta charset=utf-8> <title>a&amp;b</title>\n</head> \n"
        "<body>x <b>y</b>\n</body>\n \n</html>\n\n"
    )
    assert_same_reading(page)
    tree = strict_tree(page)
    assert tree is not None and tree[1][-1].tail == "\n\n \n\n\n"


# ---- any strictly written page ------------------------------------------------------------------

_TEXT = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\r\0"), max_size=12).map(
    lambda s: html.escape(s, quote=False)
)
_ATTR = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\r\0"), max_size=8).map(
    lambda s: html.escape(s, quote=True)
)
_PHRASING = ("span", "em", "strong", "a", "sup", "code", "time", "u")
_BLOCKS = ("div", "section", "p", "h2", "ul", "ol", "dl")


def _phrasing(depth: int) -> st.SearchStrategy[str]:
    leaf = st.one_of(_TEXT, st.just("<br>"), st.just("<wbr>"))
    if depth == 0:
        return leaf

    def element(tag: str, attr: str, inner: list[str]) -> str:
        return f'<{tag} class="{attr}">{"".join(inner)}</{tag}>'

    nested = st.builds(element, st.sampled_from(_PHRASING), _ATTR, st.lists(_phrasing(depth - 1), max_size=3))
    return st.one_of(leaf, nested)


def _flow(depth: int) -> st.SearchStrategy[str]:
    inline = _phrasing(2)
    if depth == 0:
        return inline

    def block(tag: str, attr: str, inner: list[str]) -> str:
        if tag in ("ul", "ol"):
            return f"<{tag}>" + "".join(f"<li>{x}</li>" for x in inner) + f"</{tag}>"
        if tag == "dl":
            return "<dl>" + "".join(f"<dt>{x}</dt><dd>{x}</dd>" for x in inner) + "</dl>"
        return f'<{tag} id="{attr}">{"".join(inner)}</{tag}>'

    items = st.lists(st.one_of(inline, _flow(depth - 1)), max_size=3)
    return st.one_of(inline, st.builds(block, st.sampled_from(_BLOCKS), _ATTR, items))


@settings(max_examples=300, deadline=None)
@given(st.lists(_flow(3), max_size=4), st.sampled_from(["", " ", "\n", "\n\n "]))
def test_whenever_a_page_is_read_strictly_html5_reads_it_the_same(parts: list[str], gap: str) -> None:
    """Random pages of the elements cvbuild's themes use, with any text and attribute values:
    strict_tree either declines (a <p> around a block, <a> inside <a>, ...) or reads exactly the
    tree HTML5 builds."""
    head = f"<head>{gap}<meta charset=utf-8>{gap}<title>t</title>{gap}</head>"
    page = f"<!DOCTYPE html>{gap}<html lang=en>{gap}{head}{gap}<body>{gap.join(parts)}</body>{gap}</html>{gap}"
    ours = strict_tree(page)
    if ours is not None:
        assert dump(ours) == dump(html5_tree(page))
