"""Custom properties set once on :root, written into the page's rules before WeasyPrint reads it."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import EXAMPLE, RESUME, ROOT, run_cli
from test_html import THEMES

from cvbuild.targets import weasyprint_css
from cvbuild.targets.page_tree import strict_tree
from cvbuild.targets.weasyprint_css import inline_root_variables

ROOT_RULE = ":root{--accent:#1a3a6b;--spacing:0.85;--size:10.5pt}\n"


def styles_after(css: str, body: str = "<p>x</p>", head: str = "") -> list[str]:
    page = f"<!DOCTYPE html><html><head>{head}<style>{css}</style></head><body>{body}</body></html>"
    tree = strict_tree(page)
    assert tree is not None
    inline_root_variables(tree)
    return [style.text or "" for style in tree.iter("style")]


def test_values_set_once_on_root_replace_their_var() -> None:
    css = ROOT_RULE + "h2{margin:calc((1.68 * var(--spacing) - 0.82) * 1rem) 0;color:VAR( --accent )}"
    css += "@media print{html{font-size:var(--size)}}"
    (out,) = styles_after(css)
    expected = "h2{margin:calc((1.68 * 0.85 - 0.82) * 1rem) 0;color:#1a3a6b}@media print{html{font-size:10.5pt}}"
    assert out == ROOT_RULE + expected


@pytest.mark.parametrize(
    "css",
    [
        "p{content:'var(--spacing)'}",  # a string
        'p{content:"a\\"var(--spacing)"}',  # a string with an escaped quote
        "/* var(--spacing) */",  # a comment
        "p{background:url(var(--spacing))}",  # an unquoted url
        "p{margin:var(--spacing, 2px)}",  # with a fallback: left to WeasyPrint
        "p{margin:var(--spacingx)}",  # another name
        "@page{margin:calc(var(--spacing) * 1cm)}",  # the page context is no element
    ],
)
def test_what_is_not_a_plain_use_stays(css: str) -> None:
    (out,) = styles_after(ROOT_RULE + css)
    assert out == ROOT_RULE + css


@pytest.mark.parametrize(
    ("css", "body", "head"),
    [
        (ROOT_RULE + ".a{--spacing:2}", "", ""),  # set again in a rule
        (ROOT_RULE + "@media print{:root{--spacing:2}}", "", ""),  # or in an at-rule
        (ROOT_RULE + ":root{--spacing:2}", "", ""),  # or twice on :root
        (ROOT_RULE, '<p style="--spacing: 2">x</p>', ""),  # or on an element
        ("@media print{:root{--spacing:0.85}}", "", ""),  # only inside an at-rule
        ("html:root{--spacing:0.85}", "", ""),  # not the plain :root rule
        (":root{--spacing:var(--other)}:root{--other:1}", "", ""),  # a value made of another
        (":root{--spacing:0.85 !important}", "", ""),  # not a plain value
        (":root{--spacing:calc(1 + 1)}", "", ""),
        (ROOT_RULE + "@import url(more.css);", "", ""),  # more CSS it cannot see
        (ROOT_RULE, "", '<link rel="stylesheet" href="more.css">'),
        (ROOT_RULE + "p\\2e a{--spacing:2}", "", ""),  # an escape outside strings
        (ROOT_RULE + "p{content:'open}", "", ""),  # an unclosed string
        (ROOT_RULE + "/* open", "", ""),  # an unclosed comment
        (ROOT_RULE + "p{", "", ""),  # unbalanced braces
    ],
)
def test_a_value_that_may_differ_somewhere_stays_a_var(css: str, body: str, head: str) -> None:
    (out,) = styles_after(css + "p{margin:var(--spacing)}", body or "<p>x</p>", head)
    assert out.endswith("p{margin:var(--spacing)}")


def test_a_root_rule_in_a_style_for_some_media_is_not_used() -> None:
    page = (
        '<!DOCTYPE html><html><head><style media="screen">:root{--spacing:2}</style>'
        "<style>p{margin:var(--spacing)}</style></head><body><p>x</p></body></html>"
    )
    tree = strict_tree(page)
    assert tree is not None
    inline_root_variables(tree)
    assert [s.text for s in tree.iter("style")] == [":root{--spacing:2}", "p{margin:var(--spacing)}"]


def test_every_style_element_of_the_page_gets_the_values() -> None:
    out = styles_after(":root{--spacing:3}", head="<style>p{margin:var(--spacing)}</style>")
    assert out == ["p{margin:3}", ":root{--spacing:3}"]


@pytest.mark.parametrize("theme", THEMES)
def test_the_pdf_is_byte_identical_with_the_values_written_in(
    theme: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every built-in theme with a one-page résumé, and classic with the example CV: the same PDF
    bytes whether WeasyPrint resolves the var()s itself or reads the values in place."""
    from cvbuild.targets.weasyprint_pdf import html_document, import_weasyprint, make_fetcher
    from cvbuild.targets.webfonts import detach_fonts

    import_weasyprint()
    renders = [[RESUME], [EXAMPLE, "-d", "cv"]] if theme == "classic" else [[RESUME]]
    for args in renders:
        result = run_cli("render", *args, "--theme", theme, "-f", "html", "-o", tmp_path)
        assert result.returncode == 0, result.stderr
    for html in tmp_path.glob("*.html"):
        page, fonts = detach_fonts(html.read_text(encoding="utf-8"))
        fetcher = make_fetcher([ROOT], [].append, fonts)
        base = (ROOT / "themes" / theme).as_uri() + "/"
        inlined = html_document(page, base, fetcher).render().write_pdf()
        with monkeypatch.context() as patch:
            patch.setattr(weasyprint_css, "inline_root_variables", lambda tree: None)
            resolved = html_document(page, base, fetcher).render().write_pdf()
        assert "var(--spacing)" in page and inlined == resolved, html.name
