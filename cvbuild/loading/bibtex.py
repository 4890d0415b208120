""".bib files -> publication dicts in the YAML schema, each field remembering its line.

bibtexparser v2 only splits the file into blocks (with line numbers); values are resolved
here (@string macros, month macros, `#` concatenation) and decoded with pylatexenc, so every
step is visible and every problem can point at a line.

Mapping rules, none of them guessed from the content of a field:
- entry type -> publication type by a fixed table; `article` in arXiv/CoRR is a preprint,
  and `misc`/`unpublished` with an arXiv id is a preprint;
- `abbr` (al-folio) is the short venue; `booktitle`/`journal` the full one;
- `award_name` (al-folio's button text) wins over `award`;
- a `note` or `pubstate` that only states a status ("under submission") becomes the status;
- links without a scheme (al-folio's `pdf = {paper.pdf}`) point into a website's own assets
  and are left out: a CV cannot resolve them. A YAML override can give the full URL.
"""

from __future__ import annotations

import contextlib
import logging
import re
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cvbuild.errors import InputError, Problem
from cvbuild.limits import DEFAULT_LIMITS, Limits, exceeded
from cvbuild.loading.yaml_source import PUBLICATIONS_TOO_MANY, read_text

if TYPE_CHECKING:
    from pylatexenc.latex2text import LatexNodes2Text

MONTH_MACROS = {
    "jan": "January",
    "feb": "February",
    "mar": "March",
    "apr": "April",
    "may": "May",
    "jun": "June",
    "jul": "July",
    "aug": "August",
    "sep": "September",
    "oct": "October",
    "nov": "November",
    "dec": "December",
}

ENTRY_TYPES = {
    "inproceedings": "conference",
    "conference": "conference",
    "article": "journal",
    "phdthesis": "thesis",
    "mastersthesis": "thesis",
    "thesis": "thesis",
    "techreport": "report",
    "report": "report",
    "book": "book",
    "incollection": "chapter",
    "inbook": "chapter",
    "patent": "patent",
}

# BibTeX/al-folio field -> key of PublicationLinks.
LINK_FIELDS = {
    "pdf": "pdf",
    "code": "code",
    "slides": "slides",
    "video": "video",
    "poster": "poster",
    "html": "html",
    "website": "project",
    "project": "project",
    "blog": "blog",
    "data": "data",
    "demo": "demo",
    "paper": "paper",
}

# What a `note`/`pubstate` says -> status. Only a note that says nothing else is consumed.
STATUS_WORDS = {
    "to appear": "to_appear",
    "forthcoming": "to_appear",
    "in press": "to_appear",
    "inpress": "to_appear",
    "accepted": "accepted",
    "under submission": "submitted",
    "in submission": "submitted",
    "submitted": "submitted",
    "under review": "under_review",
    "underreview": "under_review",
    "in preparation": "in_preparation",
    "inpreparation": "in_preparation",
    "preprint": "preprint",
    "prepublished": "preprint",
}

_ARXIV_ID = re.compile(r"(\d{4}\.\d{4,5}(?:v\d+)?|[a-z\-]+(?:\.[A-Z]{2})?/\d{7}(?:v\d+)?)")
_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.I)
_EQUAL_MARK = re.compile(r"\$\^\{?\*\}?\$|\\textsuperscript\{\*\}|[*∗]")
_CORR_MARK = re.compile(r"\$\^\{?\\d?dag\}?\$|\\textsuperscript\{\\d?dag\}|\\d?dag(?![A-Za-z])|[†‡]")
_MD_SPECIAL = re.compile(r"([\\`*_\[\]^~])")
_ITALIC, _BOLD = "\ue000", "\ue001"  # private-use sentinels for \emph and \textbf
_SUP, _SUB, _END = "\ue002", "\ue003", "\ue004"  # ... and for superscripts and subscripts


@dataclass(frozen=True)
class FieldOrigin:
    """Where a schema field came from: 1-based line and column, and the BibTeX field name."""

    line: int
    column: int
    name: str


@dataclass(frozen=True)
class BibEntry:
    """One entry mapped to the publication schema; `origins` maps schema paths to fields."""

    key: str
    entry_type: str
    line: int
    data: dict[str, Any]
    origins: Mapping[tuple[str, ...], FieldOrigin]
    raw: Mapping[str, tuple[str, FieldOrigin]] = field(default_factory=dict)  # resolved values, before decoding


@dataclass(frozen=True)
class BibFile:
    path: Path
    entries: tuple[BibEntry, ...] = ()
    problems: tuple[Problem, ...] = ()
    warnings: tuple[Problem, ...] = ()  # LaTeX the CV cannot show: said, never silently dropped


def load_bibtex(path: Path, *, limits: Limits = DEFAULT_LIMITS, room: int | None = None) -> BibFile:
    return parse_bibtex(read_text(path, "BibTeX file", "BibTeX", limits=limits), path, limits=limits, room=room)


def parse_bibtex(text: str, path: Path, *, limits: Limits = DEFAULT_LIMITS, room: int | None = None) -> BibFile:
    """Split with bibtexparser, then resolve and map every entry; problems are collected, not raised.

    More entries than `room` (the publications the profile still has room for; None: the limit
    `publications`) raise InputError at the first one too many, before anything is parsed."""
    from bibtexparser import model
    from bibtexparser.entrypoint import parse_string

    text = strip_front_matter(text)
    check_entry_count(text, path, limits.publications if room is None else room, limits.publications)
    lines = text.split("\n")  # lines as bibtexparser counts them (not str.splitlines, which knows more breaks)
    with _quiet("bibtexparser"):  # it logs syntax errors itself; we report them located
        library = parse_string(text, parse_stack=[])
    macros = dict(MONTH_MACROS)
    entries: list[BibEntry] = []
    problems: list[Problem] = []
    warnings: list[Problem] = []
    budget = limits.bib_macro_chars  # what all @string macros may expand to, together
    for block in library.blocks:
        if isinstance(block, model.ParsingFailedBlock):
            problems.append(_failed_block_problem(block, path, lines))
        elif isinstance(block, model.String):
            limit = ("bib_macro_chars", budget) if budget < limits.field_chars else ("field_chars", limits.field_chars)
            value, error = resolve_value(block.value, macros, limit)
            line = _line(block.start_line)
            if error:
                problems.append(Problem(path, line, 1, f"@string{{{block.key}}}", error))
            if error and "limit" in error:
                value = ""  # keep going: every later use is then reported as well, nothing grows
            budget -= len(value)
            macros[block.key.lower()] = value
        elif isinstance(block, model.Entry):
            entry, entry_problems = map_entry(block, macros, lines, path, limits.field_chars)
            problems += entry_problems
            if entry is not None:
                entries.append(entry)
                warnings += _entry_warnings(entry, path)
    return BibFile(path=path, entries=tuple(entries), problems=tuple(problems), warnings=tuple(warnings))


# A block start as bibtexparser's splitter takes one: `@type` then `{` or `(`, anywhere outside
# a block, and at a line's start inside one (its recovery from an unclosed entry).
_BLOCK_START = re.compile(r"@(\w*)[ \t]*(?=[{(])")
_NOT_ENTRIES = ("comment", "preamble", "string")  # block types that are no entry (by prefix, as it tests)


def check_entry_count(text: str, path: Path, room: int, limit: int) -> None:
    """Refuse a .bib with more entries than `room`, counted in one scan of the text before the
    split and the mapping, which take ~0.2 ms an entry (200,000 entries: 43 s, then 20 s of
    validation). Every block start is counted, `@x{` in a value too: a bound from above that a
    real file only passes near the limit, far past the largest real CVs (~2,000 publications)."""
    count = 0
    for match in _BLOCK_START.finditer(text):
        if not match[1].lower().startswith(_NOT_ENTRIES):
            count += 1
            if count > room:
                line = text.count("\n", 0, match.start()) + 1
                column = match.start() - (text.rfind("\n", 0, match.start()) + 1) + 1
                message = exceeded("publications", limit, PUBLICATIONS_TOO_MANY)
                raise InputError([Problem(path, line, column, f"@{match[1]}", message)])


# Fields whose text is decoded into the CV (links, ids and dates are not LaTeX).
_DECODED_FIELDS = frozenset({
    "title", "author", "booktitle", "journal", "howpublished", "abbr", "award", "award_name", "note", "pubstate",
    "pages", "volume", "number", "publisher", "school", "institution", "organization", "address", "location",
    "keywords",
})  # fmt: skip


def _entry_warnings(entry: BibEntry, path: Path) -> list[Problem]:
    """Located warnings for LaTeX in the fields the CV shows that decoding leaves out."""
    out = []
    for field_name, (value, origin) in entry.raw.items():
        if field_name in _DECODED_FIELDS:
            for message in latex_warnings(value):
                out.append(Problem(path, origin.line, origin.column, f"{entry.key}.{field_name}", message))
    return out


def strip_front_matter(text: str) -> str:
    """Blank out Jekyll front matter (al-folio's papers.bib starts with `---`/`---`), keeping line numbers."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return text
    for end in range(1, len(lines)):
        if lines[end].strip() == "---":
            return "\n" * end + "\n" + "\n".join(lines[end + 1 :])
    return text


@contextlib.contextmanager
def _quiet(name: str) -> Iterator[None]:
    """Silence a library's loggers for one call, without touching logging for anyone else."""
    loggers = [logging.getLogger(n) for n in (name, f"{name}.splitter", f"{name}.library")]
    before = [lg.disabled for lg in loggers]
    for lg in loggers:
        lg.disabled = True
    try:
        yield
    finally:
        for lg, was in zip(loggers, before, strict=True):
            lg.disabled = was


def _line(start_line: int | None) -> int:
    """bibtexparser counts lines from 0."""
    return (start_line or 0) + 1


def _failed_block_problem(block: Any, path: Path, lines: Sequence[str] = ()) -> Problem:
    from bibtexparser import model

    inner = block.ignore_error_block
    line = _line(block.start_line if block.start_line is not None else getattr(inner, "start_line", None))
    head = re.match(r"\s*@(\w+)\s*[{(]\s*([^,\s}]*)", block.raw or "")
    kind = getattr(inner, "entry_type", None) or (head[1].lower() if head else None)
    key = getattr(inner, "key", None) or getattr(block, "key", None) or (head[2] if head else None)
    label = f"@{kind}{{{key}}}" if kind and key else ""
    if isinstance(block, model.DuplicateBlockKeyBlock):
        first = _line(block.previous_block.start_line)
        return Problem(path, line, 1, label, f"duplicate entry key {block.key!r} (first used on line {first})")
    if isinstance(block, model.DuplicateFieldKeyBlock):
        names = ", ".join(sorted(block.duplicate_keys))
        return Problem(path, line, 1, label, f"field {names} appears more than once in this entry")
    reason = _syntax_reason(block)
    unclosed = _unclosed(block.raw or "", line, lines) if reason.startswith(_NOT_CLOSED) else None
    if unclosed is None:
        return Problem(path, line, 1, label, "BibTeX syntax error: " + reason)
    return Problem(path, unclosed[0], unclosed[1], label, "BibTeX syntax error: " + unclosed[2])


_NOT_CLOSED = ("the entry is not closed", "the file ends inside")


# A line that starts a field (`  author = {`): inside a value, it means the value was not closed.
_FIELD_START = re.compile(r"[ \t]*([A-Za-z][\w:.+/-]*)[ \t]*=")


def _unclosed(raw: str, line: int, lines: Sequence[str]) -> tuple[int, int, str] | None:
    """Where an entry that never closes went wrong, as (line, column, message): a field's `{` or
    `"` still open when a later line starts a field (`  author = {`), which is where the `}` or
    `"` goes missing; else the entry's own brace, whose `}` goes after its last field. `line` is
    the entry's first line (1-based); None when the text does not show it."""
    head = re.match(r"\s*@\w+\s*[{(]", raw)
    if head is None:
        return None
    depth, quoted, opener, name = 0, False, -1, ""
    i = head.end()
    while i < len(raw):
        ch = raw[i]
        if ch == "\\":
            i += 2
            continue
        inside = depth > 0 or quoted
        if ch == "\n" and inside and (field := _FIELD_START.match(raw, i + 1)):
            where = _place(raw, opener, line, lines)
            mark = '"' if quoted else "{"
            close = '"' if quoted else "}"
            return (
                *where,
                f"the `{mark}` of `{name}` opened here is not closed before `{field[1]}` on line "
                f"{_place(raw, i + 1, line, lines)[0]}; add the missing `{close}`",
            )
        if ch == '"' and depth == 0:
            quoted = not quoted
            opener = i if quoted else opener
        elif ch == "{" and not quoted:
            depth += 1
            opener = i if depth == 1 else opener
        elif ch == "}" and not quoted:
            if depth == 0:
                return None  # the entry closed: something else went wrong
            depth -= 1
        elif ch == "=" and not (depth or quoted):
            name = raw[:i].rstrip().rsplit(None, 1)[-1].lstrip(",") if raw[:i].strip() else ""
        i += 1
    if depth or quoted:
        mark = '"' if quoted else "{"
        return *_place(raw, opener, line, lines), f"the `{mark}` of `{name}` opened here is never closed"
    body = raw.rstrip()
    last = _place(raw, len(body), line, lines)
    return last[0], last[1], "the entry is not closed: add a `}` after its last field"


def _place(raw: str, offset: int, line: int, lines: Sequence[str]) -> tuple[int, int]:
    """1-based line and column of `raw[offset]`, `raw` being an entry whose first line is `line`."""
    before = raw[:offset]
    at = line + before.count("\n")
    column = offset - (before.rfind("\n") + 1) + 1
    if "\n" not in before and 0 < line <= len(lines):  # the entry may not start at column 1
        column += max(0, lines[line - 1].find(raw.split("\n", 1)[0]))
    return at, column


def _syntax_reason(block: Any) -> str:
    reason = str(getattr(block.error, "abort_reason", block.error)).strip()
    m = re.match(r"Unexpected block start: `(@\w*)`\. Was still looking for (.*)", reason)
    if m:
        return f"the entry is not closed before the next `{m[1]}`; check for an unbalanced `{{` or a missing `}}`"
    if reason.startswith("Unexpectedly reached end of file"):
        return "the file ends inside this entry; check for an unbalanced `{` or a missing `}`"
    return reason


# ---- values ------------------------------------------------------------------------------


def resolve_value(
    raw: str, macros: Mapping[str, str], limit: tuple[str, int] = ("field_chars", DEFAULT_LIMITS.field_chars)
) -> tuple[str, str | None]:
    """`{...}`, `"..."`, `123`, `macro` and `a # b` -> text; an unknown macro is an error, and so is a
    result longer than the (name, size) `limit`: chained @string doublings are caught before they grow."""
    pieces = _split_concat(raw.strip())
    size = sum(len(p) - 2 if p[:1] in ("{", '"') else len(macros.get(p.lower(), p)) for p in pieces)
    if size > limit[1]:
        return "", exceeded(limit[0], limit[1], f"the value ({size:,} characters after @string expansion)")
    parts: list[str] = []
    error: str | None = None
    for piece in pieces:
        if piece[:1] in ("{", '"') and len(piece) >= 2:
            parts.append(piece[1:-1])
        elif piece.isdigit():
            parts.append(piece)
        elif piece.lower() in macros:
            parts.append(macros[piece.lower()])
        elif re.fullmatch(r"[A-Za-z_][\w:.+/'-]*", piece):
            error = f"unknown @string macro {piece!r}; define it with @string{{{piece} = {{...}}}} or use braces"
            parts.append(piece)
        elif piece:
            error = f"write the value in braces: {{{piece}}}"
            parts.append(piece)
    return "".join(parts), error


def _split_concat(value: str) -> list[str]:
    """Split on top-level `#`, respecting braces and quotes."""
    if "#" not in value:
        return [value]
    pieces: list[str] = []
    depth = 0
    quoted = False
    start = 0
    for i, ch in enumerate(value):
        if ch == "{" and (i == 0 or value[i - 1] != "\\"):
            depth += 1
        elif ch == "}" and depth and (i == 0 or value[i - 1] != "\\"):
            depth -= 1
        elif ch == '"' and depth == 0:
            quoted = not quoted
        elif ch == "#" and depth == 0 and not quoted:
            pieces.append(value[start:i].strip())
            start = i + 1
    pieces.append(value[start:].strip())
    return pieces


# Macros whose text a CV keeps as is (pylatexenc knows how to parse them but would drop the text).
_TEXT_MACROS = ("mbox", "hbox", "texttt", "textsf", "textsc", "textrm", "textup", "textmd", "textnormal",
                "text", "mathrm", "mathsf", "mathtt", "mathit", "operatorname", "uline", "sout", "textsl")  # fmt: skip
# Macros with nothing a CV can show, left out silently: LaTeX prints nothing for them either.
_SILENT_MACROS = ("label", "index", "protect", "relax", "xspace", "noindent", "newline", "linebreak",
                  "hfill", "vspace", "hspace", "footnotemark", "nocite", "allowbreak",
                  # font switches: `{\sc Bert}` is "Bert"
                  "sc", "bf", "it", "em", "tt", "rm", "sf", "sl", "scshape", "bfseries", "itshape", "upshape",
                  "normalfont", "tiny", "small", "footnotesize", "normalsize", "large", "Large")  # fmt: skip
_DROPPED_MACROS = ("cite", "citep", "citet", "ref", "eqref", "pageref", "autoref", "cref")
# The arguments LaTeX takes for those macros that pylatexenc's parser does not know, so that a key
# (`\\nocite{smith}`, `\\index{term}`) is read as the macro's argument, not shown as text.
_UNKNOWN_ARGUMENTS = {"index": "{", "nocite": "{", "pageref": "{", "footnotemark": "["}
_NAMED = {"LaTeX": "LaTeX", "TeX": "TeX", "BibTeX": "BibTeX", "LaTeXe": "LaTeX2ε", "XeTeX": "XeTeX", "S": "§", "P": "¶",
          # the text-mode names of characters LaTeX reserves (`cvbuild export bibtex` writes them)
          "textbraceleft": "{", "textbraceright": "}", "textasciicircum": "^", "textless": "<",
          "textgreater": ">", "textbar": "|", "textunderscore": "_"}  # fmt: skip


@lru_cache(maxsize=1)
def _parser_context() -> Any:
    """pylatexenc's parser, told the arguments of `_UNKNOWN_ARGUMENTS`."""
    from pylatexenc.latexwalker import get_default_latex_context_db
    from pylatexenc.macrospec import std_macro

    db = get_default_latex_context_db()
    db.add_context_category("cvbuild", prepend=True, macros=[std_macro(n, a) for n, a in _UNKNOWN_ARGUMENTS.items()])
    return db


@lru_cache(maxsize=2)
def _decoder(markup: bool) -> LatexNodes2Text:
    """pylatexenc with \\url kept bare; for markup, \\emph/\\textbf leave sentinels we turn into Markdown.

    A macro it does not know keeps the text of its arguments (`\\foo{bar}` -> `bar`); `latex_warnings`
    says which constructs could not be shown.
    """
    from pylatexenc.latex2text import LatexNodes2Text, MacroTextSpec, get_default_latex_context_db

    class _KeepText(LatexNodes2Text):  # type: ignore[misc]
        def macro_node_to_text(self, node: Any) -> str:
            if self.latex_context.get_macro_spec(node.macroname) is None:  # pylatexenc would drop the text
                args = node.nodeargd.argnlist if node.nodeargd and node.nodeargd.argnlist else []
                return "".join(self._groupnodecontents_to_text(n) for n in args if n is not None)
            return str(super().macro_node_to_text(node))

    db = get_default_latex_context_db()
    italic = f"{_ITALIC}%s{_ITALIC}" if markup else "%s"
    bold = f"{_BOLD}%s{_BOLD}" if markup else "%s"
    db.add_context_category(
        "cvbuild",
        prepend=True,
        macros=[
            MacroTextSpec("url", simplify_repl="%s"),
            MacroTextSpec("emph", simplify_repl=italic),
            MacroTextSpec("textit", simplify_repl=italic),
            MacroTextSpec("textsl", simplify_repl=italic),
            MacroTextSpec("textbf", simplify_repl=bold),
            MacroTextSpec("ddag", simplify_repl="‡"),
            *(MacroTextSpec(name, simplify_repl="%s") for name in _TEXT_MACROS if name != "textsl"),
            *(MacroTextSpec(name, discard=True) for name in (*_SILENT_MACROS, *_DROPPED_MACROS)),
            *(MacroTextSpec(name, simplify_repl=text) for name, text in _NAMED.items()),
        ],
    )
    return _KeepText(latex_context=db, math_mode="text")


_MACRO_USE = re.compile(r"\\([A-Za-z]+)\*?(\s*[{\[])?")


@lru_cache(maxsize=8192)
def latex_warnings(text: str) -> tuple[str, ...]:
    """What decoding this value leaves out: references, macros that drop their text, unknown ones."""
    if "\\" not in text and "$" not in text:
        return ()
    context = _decoder(False).latex_context
    out: list[str] = []
    if not _decode_checked(text, markup=False)[1]:
        out.append("this LaTeX could not be decoded and is shown as written; check its braces and `$`")
    for m in _MACRO_USE.finditer(text):
        name = m[1]
        if name in _SILENT_MACROS or name in _LETTERS or len(name) == 1 or name == "href":  # decoded as meant
            continue
        if name in _DROPPED_MACROS or _drops_text(text, name):
            out.append(f"\\{name}{{...}} cannot be shown in a CV and is left out; write the text it stands for")
        elif m[2] is None and context.get_macro_spec(name) is None:
            out.append(f"unknown LaTeX macro \\{name} is left out; write the text it stands for instead")
    return tuple(dict.fromkeys(out))


def _drops_text(text: str, name: str) -> bool:
    """Does `\\name` swallow words that the text without the macro shows (`\\date{2024}`)?"""
    without = _decode(re.sub(rf"\\{name}(?![A-Za-z])\*?", " ", text), markup=False)
    return bool(set(re.findall(r"\w+", without)) - set(re.findall(r"\w+", _decode(text, markup=False))))


def decode_latex(text: str) -> str:
    """LaTeX -> plain Unicode on one line: `{\\"o}` -> ö, `{R}unge` -> Runge, `--` -> –, `$x^2$` -> x²."""
    decoded = _squash(_decode(text, markup=False))
    return _SCRIPT_RUN.sub(lambda m: _script(m, markup=False), decoded) if _END in decoded else decoded


def decode_markup(text: str) -> str:
    """LaTeX -> inline Markdown: literal `*`/`_` are escaped, \\emph becomes `*...*`, `Summ$^N$` `Summ^N^`."""
    decoded = _squash(_decode(text, markup=True))
    escaped = _MD_SPECIAL.sub(r"\\\1", decoded)
    escaped = re.sub(f"{_BOLD}(.*?){_BOLD}", lambda m: f"**{m[1]}**" if m[1].strip() else m[1], escaped)
    escaped = re.sub(f"{_ITALIC}(.*?){_ITALIC}", lambda m: f"*{m[1]}*" if m[1].strip() else m[1], escaped)
    if _END in escaped:
        escaped = _SCRIPT_RUN.sub(lambda m: _script(m, markup=True), escaped)
    return escaped.replace(_BOLD, "").replace(_ITALIC, "").replace(_SUP, "").replace(_SUB, "").replace(_END, "")


_SCRIPT_RUN = re.compile(f"([{_SUP}{_SUB}])([^{_SUP}{_SUB}{_END}]*){_END}")
_MATH = re.compile(r"(?<!\\)\$([^$]*)(?<!\\)\$")
_MATH_SCRIPT = re.compile(r"([\^_])\s*(?:\{([^{}]*)\}|(\\[A-Za-z]+(?:\s*\{[^{}]*\})?|[^\s\\{}$]))")


_TEXT_SCRIPT = re.compile(r"\\text(super|sub)script\s*\{([^{}]*)\}")
_HREF = re.compile(r"\\href\s*\{[^{}]*\}\s*\{([^{}]*)\}")  # the link text; the URL has no place in a title
_LITERAL_ACCENT = re.compile(r"\\([\^~])\{\}")  # `\^{}` is a caret, `\~{}` a tilde


def _prepare(text: str) -> str:
    """Constructs pylatexenc does not parse as a CV needs, rewritten before decoding."""
    if "\\" in text:
        text = _TEXT_SCRIPT.sub(lambda m: (_SUP if m[1] == "super" else _SUB) + m[2] + _END, text)
        text = _HREF.sub(r"\1", text)
        text = _LITERAL_ACCENT.sub(lambda m: "\x00" + m[1], text)
    return _mark_math_scripts(text) if "$" in text else text


def _mark_math_scripts(text: str) -> str:
    """`$^{N}$`, `$_2$` -> sentinels around N and 2, which pylatexenc passes through as text."""

    def inside(m: re.Match[str]) -> str:
        marked = _MATH_SCRIPT.sub(
            lambda s: (_SUP if s[1] == "^" else _SUB) + (s[2] if s[2] is not None else s[3]) + _END, m[1]
        )
        return f"${marked}$"

    return _MATH.sub(inside, text)


def _script(m: re.Match[str], *, markup: bool) -> str:
    """A superscript or subscript: the Unicode character every bundled font has (`x²`, `H₂O`), else
    `^N^`/`~i~` markup (a styled span in every target); plain text takes any Unicode form there is."""
    from cvbuild.document.inline import script_chars

    sup = m[1] == _SUP
    raw = re.sub(r"\\(.)", r"\1", m[2]) if markup else m[2]
    chars = script_chars(raw, sup=sup, safe_only=markup)
    if chars is not None:
        return chars
    if markup and m[2] and not any(c.isspace() for c in m[2]):
        return ("^" if sup else "~") + m[2] + ("^" if sup else "~")
    return m[2]  # with spaces inside there is no markup for it: the text, not lost


# A fast path for the LaTeX that nearly every .bib uses (accents, a few letters, \emph), giving
# the same text as pylatexenc; anything else goes to pylatexenc. 1,000 entries must load in well
# under a second, and pylatexenc needs about a millisecond per field.
_ACCENTS = {
    "'": "\u0301", "`": "\u0300", "^": "\u0302", '"': "\u0308", "~": "\u0303", "=": "\u0304", ".": "\u0307",
    "u": "\u0306", "v": "\u030c", "H": "\u030b", "c": "\u0327", "k": "\u0328", "r": "\u030a", "d": "\u0323",
}  # fmt: skip
_LETTERS = {
    "ss": "ß", "ae": "æ", "AE": "Æ", "oe": "œ", "OE": "Œ", "aa": "å", "AA": "Å",
    "o": "ø", "O": "Ø", "l": "ł", "L": "Ł", "i": "ı", "j": "ȷ",
}  # fmt: skip
_BASE = r"(\\[ij](?![A-Za-z])|[A-Za-z])"
_SYMBOL_ACCENT = re.compile(r"\\([`'^\"~=.])\s*(?:\{\s*" + _BASE + r"\s*\}|" + _BASE + ")")
_LETTER_ACCENT = re.compile(r"\\([uvHckrd])(?:\s*\{\s*" + _BASE + r"\s*\}|\s+" + _BASE + ")")
_LETTER = re.compile(r"\\(ss|ae|AE|oe|OE|aa|AA|o|O|l|L|i|j)(?![A-Za-z])(?:\{\}|\s*)")  # LaTeX eats the space
_ESCAPED = re.compile(r"\\([&%_#$])")
_STYLE = re.compile(r"\\(emph|textit|textsl|textbf)\s*\{([^{}\\$]*)\}")
_PLAIN_LIGATURES = (("---", "—"), ("--", "–"), ("~", "\xa0"), ("''", "”"))


def _accented(m: re.Match[str]) -> str:
    base = m[2] or m[3]
    base = {"\\i": "i", "\\j": "j"}.get(base, base)
    return unicodedata.normalize("NFC", base + _ACCENTS[m[1]])


def _styled(m: re.Match[str], markup: bool) -> str:
    mark = (_BOLD if m[1] == "textbf" else _ITALIC) if markup else ""
    return mark + m[2] + mark


def _simple_latex(text: str, *, markup: bool) -> str | None:
    """`Kry{\\'s}ci{\\'n}ski`, `\\emph{Pie}`: decoded without pylatexenc, or None if the text needs it."""
    text = _STYLE.sub(lambda m: _styled(m, markup), text)
    text = _SYMBOL_ACCENT.sub(_accented, text)
    text = _LETTER_ACCENT.sub(_accented, text)
    text = _LETTER.sub(lambda m: _LETTERS[m[1]], text)
    text = _ESCAPED.sub(lambda m: "\x00" + m[1], text)  # protected until the last step
    if re.search(r"[\\$`]", text):
        return None
    for latex, char in _PLAIN_LIGATURES:  # before the braces go: `-{}-` is two hyphens in TeX, not a dash
        text = text.replace(latex, char)
    return text.replace("{", "").replace("}", "").replace("\x00", "")


def _decode(text: str, *, markup: bool) -> str:
    return _decode_checked(text, markup=markup)[0]


@lru_cache(maxsize=8192)
def _decode_checked(text: str, *, markup: bool) -> tuple[str, bool]:
    """(text, decoded); cached: the same co-author names and venues recur through a whole .bib file."""
    if "\x00" in text:
        text = text.replace("\x00", "")
    text = _prepare(text)
    simple = _simple_latex(text, markup=markup)
    if simple is not None:
        return simple, True
    # A bare % would start a LaTeX comment and eat the rest of the line; in a .bib it means "%".
    text = re.sub(r"(?<!\\)%", r"\\%", text)
    try:
        decoded = _decoder(markup).latex_to_text(text, latex_context=_parser_context())
        return str(decoded).replace("\x00", ""), True
    except Exception:  # pylatexenc gives up on badly broken input; keep the text (latex_warnings says so)
        return text.replace("\x00", ""), False


def _squash(text: str) -> str:
    return " ".join(text.replace("\xa0", " ").split())


def _keywords(text: str) -> list[str]:
    """A keywords field split at its commas and semicolons outside braces: `{a, b}` is one
    keyword (as `cvbuild export bibtex` writes a tag that has a comma)."""
    parts, depth, start = [], 0, 0
    for i, char in enumerate(text):
        escaped = i > 0 and text[i - 1] == "\\"
        if not escaped:
            depth += (char == "{") - (char == "}")
        if char in ",;" and depth == 0 and not escaped:
            parts.append(text[start:i])
            start = i + 1
    return [*parts, text[start:]]


def plain_url(text: str) -> str:
    """URLs are not LaTeX-decoded (a `%20` would start a comment): only unwrap \\url and escapes."""
    text = text.strip()
    m = re.fullmatch(r"\\url\{(.*)\}", text, re.S)
    if m:
        text = m[1]
    text = re.sub(r"\\([_%&#~$])", r"\1", text)
    return "".join(text.split())


# ---- names -------------------------------------------------------------------------------


def split_authors(value: str) -> list[str]:
    """`Mao*, Ziming and Xia, Tian and others` -> [`Ziming Mao*`, `Tian Xia`, `et al.`]."""
    from bibtexparser.middlewares.names import split_multiple_persons_names

    return [author_name(n) for n in split_multiple_persons_names(value) if n.strip()]


def author_name(raw: str) -> str:
    """One BibTeX name -> `First von Last Jr`, decoded, marks (`*`, `†`) moved to the end."""
    from bibtexparser.middlewares.names import parse_single_name_into_parts

    if raw.strip().lower() == "others":
        return "et al."
    equal = bool(_EQUAL_MARK.search(raw))
    corresponding = bool(_CORR_MARK.search(raw))
    clean = _CORR_MARK.sub("", _EQUAL_MARK.sub("", raw)).strip().strip(",").strip()
    try:
        parts = parse_single_name_into_parts(clean, strict=False)
    except Exception:  # an odd name is kept as written rather than rejected
        name = decode_latex(clean)
    else:
        words = [*parts.first, *parts.von, *parts.last, *parts.jr]
        name = decode_latex(" ".join(words))
    return name + ("*" if equal else "") + ("†" if corresponding else "")


# ---- entries -----------------------------------------------------------------------------


@dataclass
class _Fields:
    """Resolved raw values of one entry, by lower-case field name, with their lines."""

    values: dict[str, str] = field(default_factory=dict)
    origins: dict[str, FieldOrigin] = field(default_factory=dict)

    def get(self, name: str) -> str | None:
        value = self.values.get(name)
        return value if value is not None and value.strip() else None


def map_entry(
    entry: Any, macros: Mapping[str, str], lines: list[str], path: Path, max_chars: int = DEFAULT_LIMITS.field_chars
) -> tuple[BibEntry | None, list[Problem]]:
    """One bibtexparser Entry -> BibEntry in the publication schema, plus problems found on the way."""
    line = _line(entry.start_line)
    kind = entry.entry_type.lower()
    problems: list[Problem] = []
    if not entry.key.strip():
        return None, [Problem(path, line, 1, f"@{kind}", "entry has no key; write @type{key, ...}")]
    fields = _Fields()
    for name, written, fline, col in _fields(entry, lines, path, problems):
        value, error = resolve_value(written, macros, ("field_chars", max_chars))
        if error and not value:  # over the limit: a stand-in, so that the schema does not add "missing
            value = "…"  # field" to the limit's error (the run fails on the limit anyway)
        if error and name != "month":  # `month = sept`: the month check below says it better
            problems.append(Problem(path, fline, col, f"{entry.key}.{name}", error))
        elif error:
            value = written
        fields.values[name] = value
        fields.origins[name] = FieldOrigin(fline, col, name)
    mapper = _EntryMapper(entry.key, kind, fields, path, line)
    data = mapper.run()
    raw = {name: (value, fields.origins[name]) for name, value in fields.values.items()}
    return BibEntry(entry.key, kind, line, data, mapper.origins, raw), problems + mapper.problems


def _fields(entry: Any, lines: list[str], path: Path, problems: list[Problem]) -> Iterator[tuple[str, str, int, int]]:
    """(name, raw value, line, column) of each field. A field whose `,` is missing reaches
    bibtexparser as part of the value before it (`{JACM}\n  year = {2023}`): that value's journal
    was `JACM}\n  year = {2023`, and the year 'missing'. It is split off again, and the comma
    reported where it goes."""
    for f in entry.fields:
        name, raw, line = f.key.strip().lower(), str(f.value), _line(f.start_line)
        col = _column(lines, line, f.key)
        while "=" in raw and (glued := _glued(raw)) is not None:  # no `=`: one value (most fields)
            end, key, rest = glued
            at = line + raw[:end].count("\n")
            if "\n" in raw[:end]:
                column = end - raw.rfind("\n", 0, end)
            else:
                found = lines[line - 1].find(raw[:end], col) if 0 < line <= len(lines) else -1
                column = found + end + 1 if found >= 0 else col
            yield name, raw[:end], line, col
            next_line = line + raw[: len(raw) - len(rest)].count("\n")
            problems.append(
                Problem(
                    path,
                    at,
                    column,
                    f"{entry.key}.{name}",
                    f"a `,` is missing after this value, before `{key}` on line {next_line}",
                )
            )
            name, raw, line = key.lower(), rest, next_line
            col = _column(lines, line, key)
        yield name, raw, line, col


def _glued(raw: str) -> tuple[int, str, str] | None:
    """A value followed by the next field, its comma missing: (the value's end, the next field's
    name, its raw value); None for one value (pieces joined by `#` included)."""
    i = 0
    while True:
        while i < len(raw) and raw[i].isspace():
            i += 1
        if i >= len(raw):
            return None
        if raw[i] in '{"':
            close = _closing(raw, i)
            if close < 0:
                return None
            i = close + 1
        else:
            token = re.match(r"[^\s#{}\"=,]+", raw[i:])
            if token is None:
                return None
            i += token.end()
        end = i
        while i < len(raw) and raw[i].isspace():
            i += 1
        if i < len(raw) and raw[i] == "#":
            i += 1
            continue
        field = re.match(r"([A-Za-z][\w:.+/-]*)\s*=\s*", raw[i:]) if i > end else None
        return (end, field[1], raw[i + field.end() :]) if field else None


def _closing(raw: str, start: int) -> int:
    """Index of the `}` or `"` that closes the group opened at `start`; -1 when none does."""
    if raw[start] == '"':
        depth = 0
        for i in range(start + 1, len(raw)):
            ch = raw[i]
            depth += (ch == "{") - (ch == "}")
            if ch == '"' and depth == 0:
                return i
        return -1
    depth = 0
    for i in range(start, len(raw)):
        ch = raw[i]
        depth += (ch == "{") - (ch == "}")
        if depth == 0:
            return i
    return -1


def _column(lines: list[str], line: int, key: str) -> int:
    """The column of `key =` on its line (bibtexparser only records lines)."""
    if 0 < line <= len(lines):
        m = re.search(rf"(?i)(?<![\w-]){re.escape(key.strip())}\s*=", lines[line - 1])
        if m:
            return m.start() + 1
    return 1


class _EntryMapper:
    """Builds the schema dict field by field, recording which BibTeX field each key came from."""

    def __init__(self, key: str, kind: str, fields: _Fields, path: Path, line: int) -> None:
        self.key = key
        self.kind = kind
        self.fields = fields
        self.path = path
        self.line = line
        self.data: dict[str, Any] = {"id": key}
        self.origins: dict[tuple[str, ...], FieldOrigin] = {}
        self.problems: list[Problem] = []

    def put(self, target: tuple[str, ...], value: Any, source: str) -> None:
        if value is None or value == "" or value == []:
            return
        node = self.data
        for part in target[:-1]:
            node = node.setdefault(part, {})
        node[target[-1]] = value
        self.origins[target] = self.fields.origins[source]

    def first(self, *names: str) -> tuple[str, str] | tuple[None, None]:
        for name in names:
            value = self.fields.get(name)
            if value is not None:
                return name, value
        return None, None

    def run(self) -> dict[str, Any]:
        f = self.fields
        if (title := f.get("title")) is not None:
            self.put(("title",), decode_markup(title), "title")
        if (authors := f.get("author")) is not None:
            self.put(("authors",), split_authors(authors), "author")
        self._date()
        arxiv = self._arxiv()
        pub_type = self._type(arxiv is not None)
        self.data["type"] = pub_type
        self._venue(pub_type)
        self._status()
        name, award = self.first("award_name", "award")
        if name and award:
            self.put(("award",), decode_markup(award), name)
        for plain_field, target in (("pages", "pages"), ("volume", "volume"), ("number", "number")):
            if value := f.get(plain_field):
                # DBLP's CoRR entries repeat the arXiv id as `volume = {abs/2501.14312}`: it is
                # printed once, as `arXiv:2501.14312`, not also as a volume.
                if arxiv and (arxiv[0] == plain_field or plain_url(value).strip().endswith(arxiv[1])):
                    continue
                self.put((target,), decode_latex(value), plain_field)
        name, publisher = self.first("publisher", "school", "institution", "organization")
        if name and publisher:
            self.put(("publisher",), decode_latex(publisher), name)
        name, location = self.first("address", "location")
        if name and location:
            self.put(("location",), decode_latex(location), name)
        if (doi := f.get("doi")) is not None:
            self.put(("doi",), _DOI_PREFIX.sub("", plain_url(doi)), "doi")
        if arxiv is not None:
            self.put(("arxiv",), arxiv[1], arxiv[0])
        self._links()
        if (selected := f.get("selected")) is not None:
            self.put(("selected",), _boolean(selected), "selected")
        if (keywords := f.get("keywords")) is not None:
            tags = [t.strip() for t in map(decode_latex, _keywords(keywords)) if t.strip()]
            self.put(("tags",), list(dict.fromkeys(tags)), "keywords")
        return self.data

    def _date(self) -> None:
        f = self.fields
        date = f.get("date")
        if date is not None and (f.get("year") is None or re.fullmatch(r"\d{4}-\d\d-\d\d", date.strip())):
            self.put(("date",), decode_latex(date), "date")  # biblatex's date wins, as in biblatex
            return
        if (year := f.get("year")) is None:
            return
        year = decode_latex(year)
        month = f.get("month")
        if month is None:
            self.put(("date",), year, "year")
            return
        number = month_number(decode_latex(month))
        if number is None:
            origin = f.origins["month"]
            self.problems.append(
                Problem(
                    self.path,
                    origin.line,
                    origin.column,
                    f"{self.key}.month",
                    f"invalid month {month!r}; write jan ... dec, a month name or 1 ... 12",
                )
            )
            self.put(("date",), year, "year")
            return
        self.put(("date",), f"{year}-{number:02d}", "year")

    def _arxiv(self) -> tuple[str, str] | None:
        """(field, id) from eprint/arxiv, or from a Google Scholar/DBLP style journal or volume."""
        f = self.fields
        prefix = (f.get("archiveprefix") or f.get("eprinttype") or "arxiv").lower()
        if (eprint := f.get("eprint")) is not None and prefix == "arxiv":
            return "eprint", re.sub(r"(?i)^arxiv:\s*", "", plain_url(eprint))
        if (value := f.get("arxiv")) is not None:
            return "arxiv", re.sub(r"(?i)^arxiv:\s*", "", plain_url(value))
        journal = f.get("journal") or f.get("howpublished") or ""
        if is_arxiv_venue(journal):
            for name in ("journal", "howpublished", "volume"):
                m = _ARXIV_ID.search(f.get(name) or "")
                if m:
                    return name, m[1]
        return None

    def _type(self, has_arxiv: bool) -> str:
        pubtype = (self.fields.get("pubtype") or "").strip().lower()
        if pubtype in PUBLICATION_TYPES:  # written by `cvbuild export bibtex` where the entry type cannot say it
            return pubtype
        journal = self.fields.get("journal") or self.fields.get("howpublished") or ""
        return publication_type(self.kind, journal, has_arxiv)

    def _venue(self, pub_type: str) -> None:
        full_name, full = self.first("booktitle", "journal", "howpublished")
        if full is not None and is_arxiv_venue(full) and pub_type == "preprint":
            full_name, full = None, None  # "arXiv preprint arXiv:2401.01234" says nothing the arxiv id does not
        if full is not None and full_name == "howpublished" and re.search(r"\\url|://", full):
            full_name, full = None, None
        abbr = self.fields.get("abbr")
        if abbr is not None:
            self.put(("venue",), decode_markup(abbr), "abbr")
            if full_name and full:
                self.put(("venue_full",), decode_markup(full), full_name)
        elif full_name and full:
            self.put(("venue",), decode_markup(full), full_name)

    def _status(self) -> None:
        f = self.fields
        if (pubstate := f.get("pubstate")) is not None:
            status = STATUS_WORDS.get(_words(decode_latex(pubstate)))
            if status:
                self.put(("status",), status, "pubstate")
        note = f.get("note")
        if note is None:
            return
        status = STATUS_WORDS.get(_words(decode_latex(note)))
        if status and "status" not in self.data:
            self.put(("status",), status, "note")
        elif not status:
            self.put(("note",), decode_markup(note), "note")

    def _links(self) -> None:
        if (url := self.fields.get("url")) is not None and _absolute(plain_url(url)):
            self.put(("url",), plain_url(url), "url")
        for name, target in LINK_FIELDS.items():
            value = self.fields.get(name)
            if value is not None and _absolute(plain_url(value)):
                self.put(("links", target), plain_url(value), name)


def month_number(text: str) -> int | None:
    """`jan`, `January`, `Jan.`, `1`, `01` -> 1."""
    word = text.strip().rstrip(".").lower()
    if word.isdigit():
        n = int(word)
        return n if 1 <= n <= 12 else None
    for i, (abbr, full) in enumerate(MONTH_MACROS.items(), start=1):
        if word in (abbr, full.lower()) or (word == "sept" and abbr == "sep"):
            return i
    return None


PUBLICATION_TYPES = frozenset({
    "conference", "journal", "workshop", "preprint", "thesis", "patent", "book", "chapter", "report", "poster",
    "demo", "other",
})  # fmt: skip


def publication_type(kind: str, journal: str, has_arxiv: bool) -> str:
    """Entry type -> publication type by the fixed table; `article` in arXiv/CoRR is a preprint, and
    `misc`/`unpublished` with an arXiv id is a preprint."""
    if kind == "article" and is_arxiv_venue(journal):
        return "preprint"
    if kind in ("misc", "unpublished", "online", "preprint", "electronic"):
        return "preprint" if has_arxiv or is_arxiv_venue(journal) else "other"
    return ENTRY_TYPES.get(kind, "other")


def is_arxiv_venue(text: str) -> bool:
    t = text.strip().lower()
    return "arxiv" in t or t == "corr" or t.startswith("corr ")


def _words(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


def _boolean(text: str) -> bool | str:
    """al-folio writes `selected = {true}`; anything unclear is left for the schema to reject."""
    word = text.strip().lower()
    if word in ("true", "yes", "1"):
        return True
    if word in ("false", "no", "0"):
        return False
    return text


def _absolute(url: str) -> bool:
    return "://" in url or url.startswith(("mailto:", "tel:"))


# ---- `cvbuild import bibtex` -------------------------------------------------------------

YAML_ORDER = (
    "id",
    "title",
    "authors",
    "venue",
    "venue_full",
    "date",
    "type",
    "status",
    "award",
    "note",
    "pages",
    "volume",
    "number",
    "publisher",
    "location",
    "doi",
    "arxiv",
    "url",
    "links",
    "selected",
    "tags",
)


def publications_yaml(entries: list[dict[str, Any]], source: str) -> str:
    """Publication dicts as YAML to paste under `publications:` (keys in schema order)."""
    import io

    from ruamel.yaml import YAML

    ordered = []
    for data in entries:
        item = {k: data[k] for k in YAML_ORDER if k in data}
        item.update({k: v for k, v in data.items() if k not in item})
        if isinstance(item.get("date"), str) and item["date"].isdigit():
            item["date"] = int(item["date"])  # `date: 2024` reads better than `date: '2024'`
        ordered.append(item)
    yaml = YAML(typ="rt")
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096  # one line per value: long titles stay greppable
    out = io.StringIO()
    out.write(
        f"# {len(entries)} publication{'s' if len(entries) != 1 else ''} from {source}; paste under `publications:`\n"
    )
    if ordered:
        yaml.dump(ordered, out)
    return out.getvalue()
