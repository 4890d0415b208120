"""What a reader gets back of a Document: its pieces of text, and whether a text read out of a
target (a PDF's, as an applicant-tracking system extracts it; a page's, as `theme check` compares
formats) holds each of them, and in the Document's order.

Text is compared `squash`ed: line wraps, hyphenation, ligatures, capitals and quote styles differ
between targets and extractors without anything being lost.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

from cvbuild.document.inline import plain
from cvbuild.document.model import Document, Entry, PublicationEntry, Section


def squash(text: str) -> str:
    """Compare across line wraps, hyphenation (and the zero-width spaces Typst may break a long word
    at), ligatures (NFKC), capitals and quote styles."""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES).casefold()
    return "".join(c for c in text if not c.isspace() and c not in _SOFT)


_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})
_SOFT = frozenset("-\u00ad\u2010\u2011\u200b")


def shows(atom: str, squashed_text: str) -> bool:
    """The atom is in the text, or (split by a page footer) its words are, in order."""
    needle = squash(atom)
    if not needle or needle in squashed_text:
        return True
    position = 0
    for word in re.findall(r"\w+", atom):  # words only: a link's URL may sit between them in text
        found = squashed_text.find(squash(word), position)
        if found < 0:
            return False
        position = found + len(squash(word))
    return True


def atoms(doc: Document) -> list[str]:
    """The pieces of content every format should show: names, titles, dates, highlights..."""
    p = doc.person
    out = [p.name, p.native_name, plain(p.headline) if p.headline else None, p.pronouns, p.phone, p.location]
    out += [link.label for link in p.links]
    if doc.letter is not None:
        letter = doc.letter
        out += [*letter.recipient, letter.date_text, plain(letter.subject) if letter.subject else None]
        out += [letter.salutation, *(plain(para) for para in letter.body), letter.closing, letter.signature]
    for section in doc.sections:
        out.append(section.title)
        for group in section.groups:
            out.append(group.title)
            for entry in group.entries:
                out += list(_entry_atoms(entry))
    return list(dict.fromkeys(a.strip() for a in out if a and a.strip()))


def _entry_atoms(e: Entry | PublicationEntry) -> Iterator[str | None]:
    if isinstance(e, PublicationEntry):
        yield plain(e.title)
        yield from (a.name for a in e.authors if not a.etal)
        for runs in (e.venue, e.award, e.note):
            yield plain(runs) if runs else None
        yield e.status_label
        yield from (link.label for link in e.links)
        return
    for runs in (e.title, e.subtitle, e.summary):
        yield plain(runs) if runs else None
    yield e.date.text if e.date else None
    yield e.location
    yield from (plain(h) for h in e.highlights)
    yield from (plain(d.value) for d in e.details)
    yield from e.items
    yield from (link.label for link in e.links)
    for child in e.children:
        yield from _entry_atoms(child)


@dataclass(frozen=True)
class OutOfOrder:
    """The first piece of a section not read after the one before it, and what was read last."""

    section: Section
    mark: str
    after: str  # the squashed text read just before where the piece was looked for


def _marks(section: Section) -> Iterator[tuple[str, str]]:
    """What of a section must come out in Document order: its title (a "title"), then each group's
    title and each entry's title, or its text when it has none (a text section's paragraph, a tags
    section's first term), and a table row's first value right after its label (a reader that puts
    all labels before all values has lost which value is whose)."""
    yield "title", section.title
    for group in section.groups:
        if group.title:
            yield "text", group.title
        for entry in group.entries:
            head = plain(entry.title)
            if isinstance(entry, Entry) and not head:
                head = plain(entry.summary)[:40] or (entry.items[0] if entry.items else "")
            if head:
                yield "text", head
            if section.kind == "table" and isinstance(entry, Entry) and entry.items:
                yield "text", entry.items[0]


def out_of_order(text: str, doc: Document) -> OutOfOrder | None:
    """Where `text` (a target's, as a reader extracted it) leaves the Document's order: every
    section title, group title, entry title (and table row value) must be found after the one
    before, so no section is interleaved into another, no entry comes under the wrong heading and
    no heading is parted from its entries. None when the order holds.

    Tolerances, each for a difference that is not one of order:
    - text is compared `squash`ed: line wraps, hyphenation (WeasyPrint's and Typst's), ligatures,
      typographic quotes, uppercase headings and letter-spaced headings ("S KIL L S") compare equal;
    - each mark is matched at its first occurrence after the previous one: an in-order reading
      exists exactly when this greedy match finds one, so a title's words occurring elsewhere
      (the skill category "Languages" before the Languages section) can never fail the check;
    - a section title must start a line, so a word in running text (a venue's "Programming
      Languages") cannot stand in for the heading; a run-in title (compact's Languages row)
      shares its line with what follows, so it need only start it;
    - a theme with `sidebar_sections` sets them in a column beside the others on page 1: read as
      a column, they come first (in Document order), then the main column's sections."""
    lines = [squash(line) for line in text.splitlines()]
    starts = [0, *itertools.accumulate(len(line) for line in lines)][:-1]
    full = "".join(lines)
    side = set(doc.options.get("sidebar_sections") or [])
    sections = [s for s in doc.sections if s.id in side] + [s for s in doc.sections if s.id not in side]
    at = 0
    for section in sections:
        for kind, mark in _marks(section):
            key = squash(mark)
            if kind == "title":
                found = next((s for s, line in zip(starts, lines, strict=True) if s >= at and line.startswith(key)), -1)
            else:
                found = full.find(key, at)
            if found < 0:
                return OutOfOrder(section, mark, full[max(0, at - 60) : at])
            at = found + len(key)
    return None
