"""The helper reference for theme authors, generated from the sources themselves.

`make docs` (or `python -m cvbuild.themes.reference docs/helpers.md`) writes docs/helpers.md from
the `///` comments of the Typst package @local/cvbuild, the docstrings of the Jinja filters, and
the macros and blocks of the base theme's templates; a test fails when the committed file differs.
"""

from __future__ import annotations

import inspect
import re
import sys
from pathlib import Path

from cvbuild.targets.jinja import FILTERS
from cvbuild.themes.theme import builtin_themes_dir

REGENERATE = "make docs"
TYPST_PACKAGE = Path("packages/local/cvbuild/1.0.0/lib.typ")

# What each shared HTML macro renders; a macro not listed here is described by the `{#- ... -#}`
# comment right after its first line, if it has one.
MACRO_DOCS = {
    "date": "A `DateRange` as `<span class=date>`, each end's text in a `<time datetime>`; nothing for none.",
    "links": "Link buttons `[Paper] [Code]` (`a.button`), only for allowed URL schemes.",
    "contact": "The contact list (`ul.contact`: pronouns, e-mail as `show_email` says, phone, website, "
    "location) and the profile links (`ul.contact.profiles`).",
    "paren": "`body` in the language's parentheses as a span of class `cls`: ` (C2)`, `（C2）` "
    "(no gap before full-width ones).",
    "obfuscated_email": "`ada (at) example (dot) org` with no-break spaces: it wraps only after `(at)` and `(dot)`, "
    "and keeps its last part.",
    "title_extras": "What follows an entry's title: stats in parentheses and the note.",
    "bullets": "An entry's highlights as `ul.highlights`, each with its nested bullets.",
    "compact_entry": "A one-line entry (honors, talks, service): title, subtitle, location, links, date.",
    "summary": "An entry's summary: a `<p class=entry-summary>` (or of class `cls`) for each paragraph the owner "
    "wrote (`e.paragraphs`), else one for `e.summary`.",
    "details": "Labelled lines (`ul.details`): Advisor, GPA, Thesis...",
    "full_entry": "A full entry: title, links, date, subtitle, location, summary, details, items, bullets, children.",
    "is_compact": "`yes` when no entry of the section has bullets, details, items or children.",
    "venue_line": "A publication's venue (full or short, as `venue_style` says), status, award, note and links.",
    "publication": "One publication as `li.pub`: number, title, authors, venue line.",
    "publications": "A publications section: summary line, groups with their titles, numbered lists, legend.",
    "section": "Any section, laid out by its `kind`: text, tags, table, entries or publications.",
    "letter": "A cover letter (`doc.letter`) as `article.letter`: recipient, place and date, subject, salutation, "
    "paragraphs, closing, signature, enclosures.",
}

TEMPLATE_VARIABLES = """\
## Template variables

Every Jinja template (`cv.html.j2`, `cv.txt.j2`, `cv.md.j2`) receives:

| name | what |
| --- | --- |
| `doc` | the [Document](document.md#document) |
| `person` | `doc.person` |
| `meta` | `doc.meta` |
| `options` | `doc.options`: the theme's options, resolved |

`cv.txt.j2` also receives `width` (the `text_width` option); `cv.html.j2` also receives
`stylesheet` (the theme's style.css and base.css), `option_css` (CSS variables from the options),
`font_faces` (the embedded fonts), `json_ld` (schema.org data, already safe inside `<script>`),
`show_email` (`plain`, `obfuscated` or `hidden`) and the function `text_em(text, weight=400)`: how
wide `text` is in the page's fonts, in em, measured with HarfBuzz (the sidebar fits the name to
its band with it: capitals are far wider than an average letter). The function
`wrap(text, width, indent, first)` is available everywhere.
"""


def typst_functions(source: str) -> list[tuple[str, str]]:
    """(signature, doc) for each `#let` the package exports, from its `///` comment lines."""
    out = []
    doc: list[str] = []
    for line in source.splitlines():
        if line.startswith("///"):
            doc.append(line[3:].strip())
            continue
        m = re.match(r"#let ([a-z][\w-]*)(\(.*?\))?\s*=", line)
        if m and doc:
            out.append((m.group(1) + (m.group(2) or ""), " ".join(doc)))
        doc = []
    return out


def filter_signature(name: str) -> str:
    """`value | name(arg=default)`: the first parameter is what the filter is applied to."""
    params = list(inspect.signature(FILTERS[name]).parameters.values())[1:]
    shown = [p.name if p.default is inspect.Parameter.empty else f"{p.name}={_default(p.default)}" for p in params]
    return f"value | {name}" + (f"({', '.join(shown)})" if shown else "")


def _default(value: object) -> str:
    return "…" if callable(value) else repr(value)


def macros(source: str) -> list[tuple[str, str]]:
    """(signature, doc) of each macro in a template."""
    out = []
    for m in re.finditer(r"\{% macro (\w+)\((.*?)\) -?%\}\n(\{#-?(.*?)-?#\})?", source, re.S):
        own = " ".join((m.group(4) or "").split())
        out.append((f"m.{m.group(1)}({m.group(2)})", MACRO_DOCS.get(m.group(1)) or own))
    return out


def blocks(source: str) -> list[str]:
    return list(dict.fromkeys(re.findall(r"\{% block (\w+)", source)))


def _cell(text: str) -> str:
    """One table cell: one line, `|` escaped, and `<` escaped outside code so it stays visible."""
    parts = " ".join(text.split()).replace("|", "\\|").split("`")
    return "`".join(p if i % 2 else p.replace("<", "\\<") for i, p in enumerate(parts))


def markdown(themes: Path | None = None) -> str:
    """The whole docs/helpers.md."""
    base = (themes or builtin_themes_dir()) / "base"
    lines = [
        "# Helper reference",
        "",
        f"<!-- Generated by `{REGENERATE}` from themes/base and cvbuild/targets/jinja.py; do not edit by hand. -->",
        "",
        "What a theme can use besides the [Document](document.md). The guide is [themes.md](themes.md).",
        "",
        "## Typst: `@local/cvbuild:1.0.0`",
        "",
        'Import it in `cv.typ` with `#import "@local/cvbuild:1.0.0": *`. It ships inside the base',
        "theme (`themes/base/packages/`), so it is found offline; a theme may ship packages of its own",
        "in a `packages/NAMESPACE/NAME/VERSION/` folder, and may import nothing else.",
        "",
        "| function | what it does |",
        "| --- | --- |",
    ]
    for signature, doc in typst_functions((base / TYPST_PACKAGE).read_text(encoding="utf-8")):
        lines.append(f"| `{_cell(signature)}` | {_cell(doc)} |")
    lines += [
        "",
        "## Jinja filters",
        "",
        "Rich text ([Span](document.md#span) lists) is never joined by hand: these filters escape it",
        "for their target. In HTML, `{{ }}` escapes everything else.",
        "",
        "| filter | what it does |",
        "| --- | --- |",
    ]
    for name in sorted(FILTERS):
        doc = inspect.getdoc(FILTERS[name]) or ""
        lines.append(f"| `{_cell(filter_signature(name))}` | {_cell(doc)} |")
    lines += ["", TEMPLATE_VARIABLES.rstrip("\n"), ""]
    lines += [
        "## HTML macros (`_macros.html.j2`)",
        "",
        '`_layout.html.j2` imports them as `m`; a theme\'s own template can `{% import "_macros.html.j2"',
        "as m with context %}`. A theme overrides one by shipping its own `_macros.html.j2`.",
        "",
        "| macro | what it renders |",
        "| --- | --- |",
    ]
    for signature, doc in macros((base / "_macros.html.j2").read_text(encoding="utf-8")):
        lines.append(f"| `{_cell(signature)}` | {_cell(doc)} |")
    lines += ["", "## Blocks", "", "A template that `{% extends %}` one of these overrides its blocks:", ""]
    for template in ("_layout.html.j2", "cv.txt.j2", "cv.md.j2"):
        found = blocks((base / template).read_text(encoding="utf-8"))
        lines.append(f"- `{template}`: " + (", ".join(f"`{b}`" for b in found) if found else "none"))
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    text = markdown()
    if args:
        Path(args[0]).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
