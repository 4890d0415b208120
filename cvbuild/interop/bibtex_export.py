"""`cvbuild export bibtex`: the profile's publications as a .bib file that reads back the same.

Choices, each made so that `cvbuild import bibtex` (and any BibTeX/biblatex reader) gets back
what the profile says:
- UTF-8 is kept: biber, jekyll-scholar, Zotero and Google Scholar read it, and CJK names or an
  emoji have no LaTeX form anyway. Only characters that mean something to LaTeX or BibTeX are
  written as macros (`\\%`, `\\textbraceleft{}`, `-{}-` ...); braces in the text never need to balance.
  With `ascii`, for classic BibTeX and pdflatex, every other character that has a LaTeX form
  (pylatexenc's table) is written so (`é` `{\\'e}`, `–` `{\\textendash}`), and only when that form
  reads back as the character; the rest (中文, emoji) stays UTF-8.
- Inline Markdown becomes LaTeX: **bold** `\\textbf`, *italic* `\\emph`, `code` `\\texttt`,
  ^sup^ `\\textsuperscript`, a link `\\href{url}{text}` (a reader keeps the text).
- Titles are braced twice, so a style never changes their case.
- Authors are written `von Last, Jr, First`; a name that this form would not read back as written
  (a comma, an `and`, braces) is braced whole. `*` (equal contribution) and `†` (corresponding)
  follow the name, as al-folio writes them.
- The key is the publication's id; without one, `lastname` + year + first title word, made
  unique with a, b, ...
- What BibTeX has no field for uses the fields al-folio and biblatex read: `abbr` (short venue),
  `pubstate` (status), `selected`, `award`, `pdf`/`code`/`slides`/... links, `keywords` (tags);
  `pubtype` says the publication type only where the entry type does not.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from itertools import groupby
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cvbuild.document.model import Span
    from cvbuild.schema.model import DocumentSpec, Profile, Publication

_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
# Publication type -> BibTeX entry type (the importer's table read backwards).
ENTRY_TYPES = {
    "conference": "inproceedings",
    "workshop": "inproceedings",
    "journal": "article",
    "preprint": "misc",
    "thesis": "thesis",
    "patent": "patent",
    "book": "book",
    "chapter": "incollection",
    "report": "techreport",
    "poster": "misc",
    "demo": "misc",
    "other": "misc",
}
# Where the venue goes, by entry type.
VENUE_FIELDS = {"article": "journal", "inproceedings": "booktitle", "incollection": "booktitle"}
# Status -> biblatex `pubstate` words the importer reads back.
PUBSTATE = {
    "accepted": "accepted",
    "to_appear": "forthcoming",
    "under_review": "underreview",
    "submitted": "submitted",
    "in_preparation": "inpreparation",
    "preprint": "prepublished",
}
# PublicationLinks key -> al-folio field.
LINK_FIELDS = {
    "paper": "paper",
    "pdf": "pdf",
    "code": "code",
    "slides": "slides",
    "video": "video",
    "poster": "poster",
    "project": "website",
    "html": "html",
    "data": "data",
    "blog": "blog",
    "demo": "demo",
}

# Characters LaTeX or BibTeX would read as commands: each written so it prints itself. Braces
# become \textbrace..., so a lone `{` in a title cannot unbalance the entry.
_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\textbraceleft{}",
    "}": r"\textbraceright{}",
    "%": r"\%",
    "#": r"\#",
    "&": r"\&",
    "$": r"\$",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "<": r"\textless{}",  # OT1 fonts print ¡ and ¿ for < and >
    ">": r"\textgreater{}",
    "|": r"\textbar{}",
    "\xa0": "~",
}
_SPECIAL_RE = re.compile("[" + re.escape("".join(_SPECIAL)) + "]")
# TeX ligatures that would change the text: -- and --- (dashes), '' `` (quotes), ?` !` (¿ ¡).
_LIGATURE_RE = re.compile(r"(?<=-)(?=-)|(?<=')(?=')|(?<=`)(?=`)|(?<=[?!])(?=`)")


def latex_text(text: str) -> str:
    """Plain text -> LaTeX that prints exactly it (UTF-8 kept)."""
    escaped = _SPECIAL_RE.sub(lambda m: _SPECIAL[m[0]], text)
    return _LIGATURE_RE.sub("{}", escaped)  # after escaping: these braces are TeX's, not text


def latex_markup(markup: str) -> str:
    """Inline Markdown -> LaTeX; runs that share a style share one command (`\\emph{Summ\\textsuperscript{N}}`),
    so the text reads back as one emphasis, not two that touch."""
    from cvbuild.document.inline import spans

    return _nested(spans(markup), _STYLES)


# Outermost first: (attribute of Span, LaTeX that wraps a run having it).
_STYLES: tuple[tuple[str, str], ...] = (
    ("href", ""),
    ("bold", r"\textbf{%s}"),
    ("italic", r"\emph{%s}"),
    ("sup", r"\textsuperscript{%s}"),
    ("sub", r"\textsubscript{%s}"),
    ("code", r"\texttt{%s}"),
)


def _nested(runs: Sequence[Span], styles: Sequence[tuple[str, str]]) -> str:
    if not styles:
        return "".join(latex_text(s.text) for s in runs)
    (name, wrap), rest = styles[0], styles[1:]
    out = []
    for value, group in groupby(runs, key=lambda s: getattr(s, name)):
        inner = _nested(list(group), rest)
        if not value:
            out.append(inner)
        elif name == "href":
            out.append(rf"\href{{{_url(str(value))}}}{{{inner}}}")
        else:
            out.append(wrap % inner)
    return "".join(out)


def _url(url: str) -> str:
    """A URL in a title's `\\href`, as hyperref takes it: `%` and `#` escaped, braces and backslashes
    percent-encoded (in another macro's argument a backslash starts a macro)."""
    return re.sub(r"([%#])", r"\\\1", _braceless(url))


def _field_url(url: str) -> str:
    """A URL as a field of its own: `%` and `#` escaped; braces (which BibTeX counts: `a}b` ended
    the field there and lost the entry's rest) percent-encoded, and a backslash only where the
    reader would take it for an escape (before `_ % & # ~ $ { }` or at the end); elsewhere it is
    written as it is, so the URL reads back as written (`a\\b` came back as `a%5Cb`)."""
    return re.sub(r"([%#])", r"\\\1", _some_braceless(url, _ESCAPING_BACKSLASH_IN_URL))


def _some_braceless(text: str, escaping: re.Pattern[str]) -> str:
    """`{` and `}` percent-encoded, and `\\` where a reader takes it with the next character."""
    return escaping.sub("%5C", text).replace("{", "%7B").replace("}", "%7D")


# The reader's escapes (loading.bibtex.plain_url), braces, and the field's end; in a URL `%` and `#`
# are written escaped, so a backslash before them stays one.
_ESCAPING_BACKSLASH = re.compile(r"\\(?=[_%&#~${}]|\\*$)")
_ESCAPING_BACKSLASH_IN_URL = re.compile(r"\\(?=[_&~${}]|\\*$)")


def _braceless(text: str) -> str:
    """`{`, `}` and `\\` percent-encoded: a URL in a title's `\\href`, whose braces must balance."""
    return text.replace("\\", "%5C").replace("{", "%7B").replace("}", "%7D")


def bib_name(name: str, *, equal: bool = False, corresponding: bool = False) -> str:
    """`Ada von Example*` -> `von Example, Ada*`, or the name braced whole when that form would
    not read back as written; "et al." is BibTeX's `others`."""
    from cvbuild.document.authors import ETAL_WORDS, display_name, strip_marks

    bare, eq, corr = strip_marks(name)
    if bare.lower() in ETAL_WORDS:
        return "others"
    shown = display_name(bare)
    marks = "*" * (eq or equal) + "†" * (corr or corresponding)
    for candidate in (_comma_form(shown), "{" + latex_text(shown) + "}"):
        if candidate is not None and _reads_back(candidate + marks, shown + marks):
            return candidate + marks
    return "{" + latex_text(shown) + "}" + marks


def _comma_form(name: str) -> str | None:
    from bibtexparser.middlewares.names import parse_single_name_into_parts

    try:
        parts = parse_single_name_into_parts(name, strict=False)
    except Exception:  # an odd name is braced whole
        return None
    if not parts.last or any(w.lower() == "and" for w in [*parts.first, *parts.von, *parts.last, *parts.jr]):
        return None  # `and` separates names for every other reader
    last = " ".join(latex_text(w) for w in [*parts.von, *parts.last])
    first = " ".join(latex_text(w) for w in parts.first)
    jr = " ".join(latex_text(w) for w in parts.jr)
    return ", ".join(p for p in (last, jr, first) if p) if (first or jr) else last


def _reads_back(written: str, expected: str) -> bool:
    from bibtexparser.middlewares.names import split_multiple_persons_names

    from cvbuild.loading.bibtex import author_name

    names = split_multiple_persons_names(written)
    return len(names) == 1 and author_name(names[0]) == expected


def entry_key(pub: Publication, taken: set[str]) -> str:
    """The id, or `lastname` + year + first title word (ASCII), unique among `taken`."""
    from cvbuild.document.authors import fold, strip_marks

    if pub.id:
        return pub.id
    first = strip_marks(pub.authors[0])[0] if pub.authors else ""
    words = re.findall(r"[a-z0-9]+", fold(first).encode("ascii", "ignore").decode())
    title = re.findall(r"[a-z0-9]+", fold(pub.title).encode("ascii", "ignore").decode())
    title = [w for w in title if w not in _SMALL_WORDS] or title
    stem = (words[-1] if words else "pub") + str(pub.date)[:4] + (title[0] if title else "")
    key, n = stem, 0
    while key in taken:
        key = stem + _suffix(n)
        n += 1
    return key


_SMALL_WORDS = frozenset({"a", "an", "the", "on", "of", "in", "for", "and", "to", "with"})


def _suffix(n: int) -> str:
    """0 -> a, 25 -> z, 26 -> aa: a second entry of the same stem gets a letter, as BibTeX styles do."""
    out = ""
    n += 1
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(ord("a") + r) + out
    return out


def entry_fields(pub: Publication) -> tuple[str, list[tuple[str, str]]]:
    """(entry type, [(field, LaTeX value)]) of one publication, fields in a fixed order."""
    from cvbuild.loading.bibtex import is_arxiv_venue, publication_type

    kind = ENTRY_TYPES[pub.type]
    equal = set(pub.equal_contribution)
    corr = set(pub.corresponding)
    fields: list[tuple[str, str]] = [
        ("title", "{" + latex_markup(pub.title) + "}"),
        ("author", " and ".join(bib_name(a, equal=a in equal, corresponding=a in corr) for a in pub.authors)),
    ]
    venue_field = VENUE_FIELDS.get(kind, "howpublished")
    venue, full = pub.venue, pub.venue_full
    if full is not None:  # al-folio's abbr is the short name, the venue field the full one
        fields += [("abbr", latex_markup(venue or full)), (venue_field, latex_markup(full))]
    elif venue is not None:
        # The reader leaves out an arXiv venue of a preprint (the eprint says it); as abbr it stays.
        if pub.type == "preprint" and is_arxiv_venue(venue):
            fields.append(("abbr", latex_markup(venue)))
        else:
            fields.append((venue_field, latex_markup(venue)))
    date = str(pub.date)
    fields.append(("year", date[:4]))
    if len(date) >= 7:  # BibTeX's month macro (`may`), which styles print in the document's language
        fields.append(("month", _MONTHS[int(date[5:7]) - 1]))
    if len(date) == 10:  # biblatex's date; year and month stay for BibTeX
        fields.append(("date", date))
    for name in ("pages", "volume", "number"):
        value = getattr(pub, name)
        if value is not None:
            fields.append((name, latex_text(value)))
    if pub.publisher is not None:
        fields.append(
            ({"thesis": "school", "techreport": "institution"}.get(kind, "publisher"), latex_text(pub.publisher))
        )
    if pub.location is not None:
        fields.append(("address", latex_text(pub.location)))
    if pub.doi is not None:
        fields.append(("doi", _some_braceless(pub.doi, _ESCAPING_BACKSLASH)))
    if pub.arxiv is not None:
        fields += [("eprint", pub.arxiv), ("archiveprefix", "arXiv")]
    if pub.url is not None:
        fields.append(("url", _field_url(pub.url)))
    for key, name in LINK_FIELDS.items():
        link = getattr(pub.links, key)
        if link is not None:
            fields.append((name, _field_url(link)))
    if pub.status != "published":
        fields.append(("pubstate", PUBSTATE[pub.status]))
    if pub.award is not None:
        fields.append(("award", latex_markup(pub.award)))
    if pub.note is not None:
        fields.append(("note", latex_markup(pub.note)))
    if pub.selected:
        fields.append(("selected", "true"))
    if pub.tags:
        # A tag with a comma or semicolon braced: the reader splits keywords at those.
        fields.append(("keywords", ", ".join(_keyword(latex_text(t)) for t in pub.tags)))
    journal = next((v for k, v in fields if k in ("journal", "howpublished")), "")
    if publication_type(kind, journal, pub.arxiv is not None) != pub.type:
        fields.append(("pubtype", pub.type))
    return kind, fields


def _keyword(text: str) -> str:
    return "{" + text + "}" if "," in text or ";" in text else text


# Fields of text (not links or ids), which `ascii` writes with LaTeX's names for characters.
_TEXT_FIELDS = frozenset({
    "title", "author", "abbr", "booktitle", "journal", "howpublished", "pages", "volume", "number", "publisher",
    "school", "institution", "address", "award", "note", "keywords",
})  # fmt: skip


def ascii_latex(value: str) -> str:
    """LaTeX text -> the same with each non-ASCII character that has a LaTeX form written in it."""
    # † and ‡ stay: after a name they are the corresponding-author mark, which readers look for as is.
    return "".join(c if c < "\x80" or c in "†‡" else _char_latex(c) for c in value)


@lru_cache(maxsize=4096)
def _char_latex(char: str) -> str:
    """`é` -> `{\\'e}`; the character itself where its form would not read back as it (`√`, `₂`)."""
    from pylatexenc.latexencode import UnicodeToLatexEncoder

    from cvbuild.loading.bibtex import decode_latex

    encoder = UnicodeToLatexEncoder(
        non_ascii_only=True, unknown_char_policy="keep", unknown_char_warning=False,
        replacement_latex_protection="braces-all",
    )  # fmt: skip
    latex = str(encoder.unicode_to_latex(char))
    return latex if latex != char and decode_latex(latex) == char else char


def to_bibtex(pubs: Sequence[Publication], header: str = "", *, ascii: bool = False) -> str:
    """Publications -> .bib text; the same publications give the same bytes."""
    from bibtexparser import model
    from bibtexparser.entrypoint import write_string
    from bibtexparser.library import Library
    from bibtexparser.writer import BibtexFormat

    library = Library()
    taken = {p.id for p in pubs if p.id}
    for pub in pubs:
        key = entry_key(pub, taken)
        taken.add(key)
        kind, fields = entry_fields(pub)
        if ascii:
            fields = [(name, ascii_latex(value) if name in _TEXT_FIELDS else value) for name, value in fields]
        values = [model.Field(name, value if name == "month" else "{" + value + "}") for name, value in fields]
        library.add(model.Entry(kind, key, values))
    fmt = BibtexFormat()  # type: ignore[no-untyped-call]
    fmt.indent = "  "
    fmt.block_separator = "\n"
    body = write_string(library, unparse_stack=[], bibtex_format=fmt) if pubs else ""
    return header + body


def document_publications(profile: Profile, spec: DocumentSpec | None) -> list[Publication]:
    """The profile's publications, or those one document shows (its since, selected, tags)."""
    from dataclasses import replace

    from cvbuild.document.publications import PublicationView, select

    pubs = profile.publication_entries()
    if spec is None:
        return pubs
    view = PublicationView(since=spec.publications.since, selected_only=bool(spec.publications.selected_only))
    return select(pubs, replace(view, tags=tuple(spec.publications.tags or ())), spec.tags)


def export_file(path: Path, document: str | None, allow: Iterable[Path] = (), *, ascii: bool = False) -> str:
    """`cvbuild export bibtex`: the .bib text of a profile (or of one document of it)."""
    from cvbuild.loading.profile import load_profile
    from cvbuild.pipeline import documents_to_render

    profile, _ = load_profile(path, allow=tuple(allow))
    spec = documents_to_render(profile, document)[0][1] if document is not None else None
    pubs = document_publications(profile, spec)
    n = len(pubs)
    # No user text in the comment: outside an entry, BibTeX would read an `@` there as one.
    header = f"% {n} publication{'s' * (n != 1)}, exported by cvbuild\n"
    return to_bibtex(pubs, header + ("\n" if pubs else ""), ascii=ascii)
