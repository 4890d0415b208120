"""Author lists: who is the owner, who contributed equally, and truncation that keeps the owner."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from cvbuild.document.model import Author

EQUAL_MARKS = "*∗"
CORRESPONDING_MARKS = "†‡"
ETAL_WORDS = ("others", "et al.", "et al", "et. al.")
_TRAILING_MARKS = re.compile(r"[\s*∗†‡#¹²³⁰-⁹]+$")
_LEADING_MARKS = re.compile(r"^[\s*∗†‡]+")
_BOLD_WRAPPED = re.compile(r"^\*\*(.+?)\*\*(.*)$")  # "**Ada Example**" copied from a Markdown page
# Titles before a name and degrees or generations after it: "Dr. Lena Vasquez", "Lena Vasquez, PhD".
# They are not part of the name an author list uses, so matching ignores them.
_HONORIFIC = re.compile(
    r"^(?:(?:dr|prof|professor|mr|mrs|ms|mx|miss|sir|dame|assoc|asst|univ)\.?(?:-(?:ing|prof)\.?)?\s+)+", re.I
)
_SUFFIX_WORDS = (
    r"jr|sr|ii|iii|iv|ph\.?\s?d|d\.?\s?phil|m\.?\s?d|m\.?\s?sc|m\.?\s?s|m\.?\s?a|m\.?\s?b\.?\s?a"
    r"|b\.?\s?sc|b\.?\s?a|frs|freng|esq|p\.?\s?e"
)
_SUFFIX = re.compile(rf"^(?:{_SUFFIX_WORDS})\.?$", re.I)
_SUFFIX_AFTER_COMMA = re.compile(rf",\s*(?:{_SUFFIX_WORDS})\.?\s*$", re.I)
# Without a comma only what cannot be a family name ("Yi Ma" keeps its "Ma").
_SUFFIX_BARE = re.compile(r"(?<=\S)\s+(?:jr|sr|ii|iii|iv|ph\.?\s?d)\.?\s*$", re.I)
# Letters NFKD does not decompose, so "Søren" still matches "Soren".
_TRANSLIT = str.maketrans(
    {"ø": "o", "ł": "l", "đ": "d", "ð": "d", "ß": "ss", "æ": "ae", "œ": "oe", "ı": "i", "þ": "th", "ħ": "h"}
)


@dataclass(frozen=True)
class OwnerKeys:
    """Normalised forms of the owner's name and aliases: full names, and initials + family name."""

    full: frozenset[str]
    initials: frozenset[str]


def strip_marks(name: str) -> tuple[str, bool, bool]:
    """`Ada Example*†` (or `*Ada Example`) -> (`Ada Example`, equal, corresponding)."""
    text = name.strip()
    bold = _BOLD_WRAPPED.match(text)
    if bold:
        text = bold[1] + bold[2]
    marks = ""
    m = _TRAILING_MARKS.search(text)
    if m:
        marks += m[0]
        text = text[: m.start()]
    m = _LEADING_MARKS.match(text)
    if m:
        marks += m[0]
        text = text[m.end() :]
    equal = any(c in marks for c in EQUAL_MARKS)
    corresponding = any(c in marks for c in CORRESPONDING_MARKS)
    return text.strip(), equal, corresponding


def fold(text: str) -> str:
    """Accents, case and a few special letters do not distinguish names (nor file names made of them)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).translate(_TRANSLIT)


def ascii_slug(text: str) -> str:
    """`Lena Müller` -> `lena-muller`, `Jean‐Luc Straße` -> `jean-luc-strasse`: folded as names are
    (`fold`), any other letter or digit left out (`李雷` -> ``), and every run of what is no letter
    or digit one hyphen: a Unicode hyphen (U+2010, U+2011) or dash was dropped with the letters
    NFKD keeps (`jeanluc`), so two spellings of one name gave two slugs. An invisible format
    character (a soft hyphen, a zero-width space or joiner, as text copied from a PDF or a word
    processor has) is nothing: `Infor\u00admatik` is `informatik`, it was `infor-matik`."""
    words = "".join(c if c.isalnum() else "" if unicodedata.category(c) == "Cf" else " " for c in fold(text))
    return re.sub(r"[^a-z0-9]+", "-", words.encode("ascii", "ignore").decode()).strip("-")


def bare_name(name: str) -> str:
    """`Dr. Lena Vasquez, PhD` -> `Lena Vasquez`; `Vasquez, Jr., Lena` -> `Vasquez, Lena`."""
    text = name.strip()
    parts = [p.strip() for p in text.split(",")]
    if len(parts) == 3 and _SUFFIX.match(parts[1]):  # BibTeX's "von Last, Jr, First"
        text = f"{parts[0]}, {parts[2]}"
    while True:
        shorter = _SUFFIX_BARE.sub("", _SUFFIX_AFTER_COMMA.sub("", text)).strip()
        head = _HONORIFIC.match(shorter)
        if head and len(shorter[head.end() :].split()) >= 2:  # "Dr. Who" is not reduced to "Who"
            shorter = shorter[head.end() :]
        if shorter == text or not shorter:
            return text
        text = shorter


@lru_cache(maxsize=4096)  # co-authors recur across a publication list
def name_tokens(name: str) -> tuple[str, ...]:
    """Given names first, family name last; understands `Last, First`, `W.-L.` initials, titles and degrees."""
    clean, _, _ = strip_marks(name)
    clean = bare_name(clean)
    if "," in clean:
        last, _, first = clean.partition(",")
        clean = f"{first} {last}"
    clean = re.sub(r"\.\s*-\s*", "-", clean)  # "W.-L. Chiang" -> "W-L. Chiang"
    return tuple(t.strip("-") for t in re.split(r"[\s.]+", fold(clean)) if t.strip("-"))


def _initials(token: str) -> list[str]:
    return [part[0] for part in token.split("-") if part]


def _is_initial(token: str) -> bool:
    return all(len(part) == 1 for part in token.split("-") if part)


def _initials_key(tokens: Sequence[str]) -> str:
    return " ".join([i for t in tokens[:-1] for i in _initials(t)] + [tokens[-1]])


def owner_keys(names: Iterable[str]) -> OwnerKeys:
    full: set[str] = set()
    initials: set[str] = set()
    for name in names:
        tokens = name_tokens(name)
        if not tokens:
            continue
        full.add(" ".join(tokens))
        if len(tokens) > 2:
            full.add(f"{tokens[0]} {tokens[-1]}")  # "Ada B. Example" is also "Ada Example"
        if len(tokens) > 1:
            initials.add(_initials_key(tokens))
            initials.add(_initials_key([tokens[0], tokens[-1]]))
    return OwnerKeys(frozenset(full), frozenset(initials))


def is_owner(name: str, keys: OwnerKeys) -> bool:
    """Full names must match in full; "Z. Mao" matches by initials. Sharing a surname is not enough."""
    tokens = name_tokens(name)
    if not tokens:
        return False
    if len(tokens) > 1 and all(_is_initial(t) for t in tokens[:-1]):
        return _initials_key(tokens) in keys.initials
    joined = " ".join(tokens)
    return joined in keys.full or (len(tokens) > 2 and f"{tokens[0]} {tokens[-1]}" in keys.full)


def display_name(name: str) -> str:
    """`Tang, Wenya` -> `Wenya Tang`: inside a comma-separated list the comma form reads as two people.

    A degree or generation after the comma stays where it is: `Lena Vasquez, PhD`.
    """
    parts = [part.strip() for part in name.split(",")]
    if len(parts) == 3 and _SUFFIX.match(parts[1]) and parts[0] and parts[2]:
        return f"{parts[2]} {parts[0]} {parts[1]}"  # "Vasquez, Jr., Lena" -> "Lena Vasquez Jr."
    if len(parts) != 2 or _SUFFIX.match(parts[1]):
        return name
    last, first = parts
    return f"{first} {last}" if first and last else name


def resolve_authors(
    names: Sequence[str],
    keys: OwnerKeys,
    *,
    equal: Iterable[str] = (),
    corresponding: Iterable[str] = (),
) -> list[Author]:
    """Names as written -> Authors with owner, equal-contribution and corresponding flags."""
    equal_set = {" ".join(name_tokens(n)) for n in equal}
    corr_set = {" ".join(name_tokens(n)) for n in corresponding}
    out: list[Author] = []
    for raw in names:
        read = _read_author(raw, keys)
        if read is None:
            if not out or not out[-1].etal:
                out.append(_etal())
            continue
        shown, key, owner, eq, corr = read
        out.append(_author(shown, owner, eq or key in equal_set, corr or key in corr_set))
    return out


@lru_cache(maxsize=4096)
def _author(name: str, is_owner: bool, equal: bool, corresponding: bool, etal: bool = False) -> Author:
    """One Author per distinct name and flags: Authors are frozen, and co-authors (the owner above
    all) recur in every publication, so sharing one saves building thousands of equal models."""
    return Author(name=name, is_owner=is_owner, equal=equal, corresponding=corresponding, etal=etal)


def _etal() -> Author:
    return _author("et al.", False, False, False, True)


@lru_cache(maxsize=4096)  # co-authors recur across a publication list
def _read_author(raw: str, keys: OwnerKeys) -> tuple[str, str, bool, bool, bool] | None:
    """(name as shown, matching key, is the owner, equal mark, corresponding mark) of a name as
    written; None for "et al." and its kin."""
    name, eq, corr = strip_marks(raw)
    if name.lower() in ETAL_WORDS:
        return None
    return display_name(name), " ".join(name_tokens(name)), is_owner(name, keys), eq, corr


def truncate(authors: list[Author], limit: int | None) -> list[Author]:
    """At most about `limit` names: the first ones, the last ones and every owner; gaps become "et al."

    The last names are kept because in many fields they are the senior authors. An owner outside
    the kept range takes the place of one of the first names, so the list stays as short as asked.
    A gap of a single name shows that name: "et al." would not be any shorter.
    """
    if limit is None or len(authors) <= limit:
        return authors
    n = len(authors)
    open_ended = authors[-1].etal  # the source already ends in "et al.": its last names are not the last authors
    head = limit if open_ended else max(1, limit - 2)
    tail = 0 if open_ended else max(0, limit - head)
    outside = [i for i, a in enumerate(authors) if a.is_owner and head <= i < n - tail]
    head = max(1, head - len(outside))
    keep = set(range(head)) | set(range(n - tail, n)) | set(outside)
    for i in range(1, n - 1):  # fill single-name gaps
        if i not in keep and i - 1 in keep and i + 1 in keep:
            keep.add(i)
    out: list[Author] = []
    for i, author in enumerate(authors):
        if i in keep and not (author.etal and out and out[-1].etal):
            out.append(author)
        elif i not in keep and (not out or not out[-1].etal):
            out.append(_etal())
    return out
