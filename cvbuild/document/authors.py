"""Author lists: who is the owner, who contributed equally, and truncation that keeps the owner."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from cvbuild.document.model import Author

EQUAL_MARKS = "*"
CORRESPONDING_MARKS = "†‡"
_MARKS_RE = re.compile(r"[\s*†‡#¹²³⁰-⁹]+$")


@dataclass(frozen=True)
class OwnerKeys:
    """Normalised forms of the owner's name and aliases."""

    full: frozenset[str]
    initials: frozenset[str]


def strip_marks(name: str) -> tuple[str, bool, bool]:
    """`Ada Example*†` -> (`Ada Example`, equal, corresponding)."""
    m = _MARKS_RE.search(name)
    if not m:
        return name.strip(), False, False
    marks = m.group(0)
    return name[: m.start()].strip(), "*" in marks, any(c in marks for c in CORRESPONDING_MARKS)


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def name_tokens(name: str) -> list[str]:
    """Given names first, family name last; understands `Last, First`."""
    clean, _, _ = strip_marks(name)
    if "," in clean:
        last, _, first = clean.partition(",")
        clean = f"{first} {last}"
    clean = clean.replace(".", ". ")
    return [t for t in re.split(r"[\s.]+", _fold(clean)) if t]


def _is_initials(tokens: Sequence[str]) -> bool:
    return len(tokens) > 1 and all(len(t) == 1 or "-" in t and all(len(p) == 1 for p in t.split("-")) for t in tokens[:-1])


def _initials_key(tokens: Sequence[str]) -> str:
    return " ".join([t[0] for t in tokens[:-1]] + [tokens[-1]])


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
            initials.add(f"{tokens[0][0]} {tokens[-1]}")
    return OwnerKeys(frozenset(full), frozenset(initials))


def is_owner(name: str, keys: OwnerKeys) -> bool:
    """Full names must match in full; "Z. Mao" matches by initials. Sharing a surname is not enough."""
    tokens = name_tokens(name)
    if not tokens:
        return False
    if _is_initials(tokens):
        return _initials_key(tokens) in keys.initials
    joined = " ".join(tokens)
    return joined in keys.full or (len(tokens) > 2 and f"{tokens[0]} {tokens[-1]}" in keys.full)


def resolve_authors(
    names: Sequence[str],
    keys: OwnerKeys,
    *,
    equal: Iterable[str] = (),
    corresponding: Iterable[str] = (),
) -> list[Author]:
    equal_set = {" ".join(name_tokens(n)) for n in equal}
    corr_set = {" ".join(name_tokens(n)) for n in corresponding}
    out = []
    for raw in names:
        name, eq, corr = strip_marks(raw)
        if name.lower() in ("others", "et al.", "et al"):
            out.append(Author(name="et al.", etal=True))
            continue
        key = " ".join(name_tokens(name))
        out.append(
            Author(
                name=name,
                is_owner=is_owner(name, keys),
                equal=eq or key in equal_set,
                corresponding=corr or key in corr_set,
            )
        )
    return out


def truncate(authors: list[Author], limit: int | None) -> list[Author]:
    """Keep the first and last names and every owner; gaps become one "et al." each."""
    if limit is None or len(authors) <= limit:
        return authors
    head = max(1, limit - 2)
    tail = max(0, limit - head)
    keep = set(range(head)) | set(range(len(authors) - tail, len(authors)))
    keep |= {i for i, a in enumerate(authors) if a.is_owner}
    out: list[Author] = []
    for i, author in enumerate(authors):
        if i in keep:
            out.append(author)
        elif not out or not out[-1].etal:
            out.append(Author(name="et al.", etal=True))
    return out
