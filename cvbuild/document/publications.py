"""Publications: filter, sort, group, number and label, once, for every target."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import get_args

from cvbuild.document.authors import OwnerKeys, resolve_authors, truncate
from cvbuild.document.dates import date_range, day_ranges
from cvbuild.document.inline import plain, spans
from cvbuild.document.links import make_link
from cvbuild.document.locales import Vocabulary
from cvbuild.document.model import Link, PublicationEntry, Span
from cvbuild.schema.model import Publication, PublicationType

_MARKUP = re.compile(r"[*_`\\]")
# Publication types in the order their groups are shown; their headings and nouns are in the
# locale's vocabulary (`type.conference`, `count.conference.one`).
TYPES: tuple[str, ...] = get_args(PublicationType)  # the schema's order, which groups follow
TYPE_PREFIX = {
    "conference": "C",
    "journal": "J",
    "workshop": "W",
    "preprint": "P",
    "thesis": "T",
    "patent": "Pat",
    "book": "B",
    "chapter": "BC",
    "report": "R",
    "poster": "Po",
    "demo": "D",
    "other": "O",
}
# Link kinds of a publication, in the order their buttons are shown (labels: `link.paper`...).
LINK_KINDS = ("paper", "pdf", "html", "code", "data", "slides", "poster", "video", "project", "demo", "blog")


@dataclass(frozen=True)
class PublicationView:
    """Resolved publication options (document over theme over built-in defaults)."""

    group_by: str = "none"
    sort: str = "newest"
    since: int | None = None
    selected_only: bool = False
    tags: tuple[str, ...] = ()
    numbering: str = "none"
    numbering_scope: str = "document"
    max_authors: int | None = None  # None or 0: every author
    highlight: str = "bold"


def select(pubs: Sequence[Publication], view: PublicationView, doc_tags: Sequence[str]) -> list[Publication]:
    """Filter by year, selection and tags, then sort stably: by date, then title; `as_written` keeps the order."""
    chosen = [
        p
        for p in pubs
        if (view.since is None or p.date.year >= view.since)
        and (not view.selected_only or p.selected)
        and (not view.tags or set(view.tags) & set(p.tags))
        and (not doc_tags or not p.tags or set(doc_tags) & set(p.tags))
    ]
    if view.sort == "as_written":
        return chosen
    chosen.sort(key=lambda p: _MARKUP.sub("", p.title).casefold())  # by the words, not by `*`/`_` markup
    chosen.sort(key=lambda p: p.date.sort_key, reverse=view.sort == "newest")
    return chosen


def publication_links(pub: Publication, words: Vocabulary) -> list[Link]:
    links: list[Link] = []
    given = pub.links.model_dump(exclude_none=True)
    if pub.url and "paper" not in given and "pdf" not in given:
        given = {"paper": pub.url, **given}
    for kind in LINK_KINDS:
        if kind in given:
            links.append(make_link(kind, words[f"link.{kind}"], given[kind]))
    if pub.url and all(link.url != pub.url for link in links):  # a paper link already given: url is extra
        links.append(make_link("url", words["link.web"], pub.url))
    return links  # arXiv ids and DOIs are part of the citation text, each linked there


def _pages(pages: str, words: Vocabulary) -> str:
    """`30479--30491` -> `pp. 30479–30491`; one page or an article number -> `p. 5` (`S. 5`...)."""
    text = re.sub(r"\s*[-‐‑–—]+\s*", "–", pages.strip())
    return words["cite.pages" if "–" in text or "," in text else "cite.page"] + " " + text


def citation(pub: Publication, words: Vocabulary) -> list[Span] | None:
    """What a bibliography adds after the venue: `vol. 34, no. 2, pp. 1–9, ACM, Boston, arXiv:…`."""
    parts: list[list[Span]] = []
    for key, value in (("cite.volume", pub.volume), ("cite.number", pub.number)):
        if value:
            parts.append([Span(text=f"{words[key]} {value}")])
    if pub.pages:
        parts.append([Span(text=_pages(pub.pages, words))])
    publisher = None if _publisher_is_venue(pub) else pub.publisher  # shown once, in the venue's place
    for value in (publisher, pub.location and day_ranges(pub.location, words.locale)):  # "Boston, April 17–19"
        if value:
            parts.append([Span(text=value)])
    if pub.arxiv:
        parts.append([Span(text=f"arXiv:{pub.arxiv}", href=f"https://arxiv.org/abs/{pub.arxiv}")])
    if pub.doi:
        parts.append([Span(text=f"doi:{pub.doi}", href=f"https://doi.org/{pub.doi}")])
    if not parts:
        return None
    out = parts[0]
    for part in parts[1:]:
        out = [*out, Span(text=", "), *part]
    return out


# A year as venues write it: "2024", "'24"/"’24", or "24" right after a name ("FAST 23", "NSDI24").
_ANY_FULL_YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")
_SHORT_YEAR = re.compile(r"(?:(?P<apos>['’‘ʼ])|(?P<word>[A-Za-z]+)\.?\s?)(?P<yy>\d\d)(?!\w)")
# Words before a two-digit number that make it something other than a year ("Vol. 23", "April 16-18").
NOT_YEAR_WORDS = frozenset({
    "vol", "volume", "no", "nr", "number", "issue", "part", "chapter", "article", "pp", "page", "pages",
    "edition", "ed", "the", "of", "and", "january", "february", "march", "april", "may", "june", "july",
    "august", "september", "october", "november", "december", "jan", "feb", "mar", "apr", "jun", "jul",
    "aug", "sep", "sept", "oct", "nov", "dec",
})  # fmt: skip


def holds_year(text: str, year: int) -> bool:
    """Does the venue text already name its year ("OSDI '26", "FAST 23", "NSDI 2024")?

    A written year a year or less from the publication's counts ("NeurIPS 2023" or "OSDI '25"
    dated early in the next year must not get a second one); one further away is something else,
    a journal's first year as Google Scholar writes it ("Cerebral Cortex (New York, NY: 1991)", a
    paper of 2022), and the publication's own year was left out. A bare two-digit number counts
    only for the same year and only right after a name ("FAST 23", "NSDI24"), so "Volume 1", "the
    21st" or "April 16" never look like a year.
    """
    if any(abs(int(written) - year) <= 1 for written in _ANY_FULL_YEAR.findall(text)):
        return True
    yy = f"{year % 100:02d}"
    return any(
        m["apos"] is not None or (m["yy"] == yy and m["word"].casefold() not in NOT_YEAR_WORDS)
        for m in _SHORT_YEAR.finditer(text)
    )


def venue_with_year(venue: str, year: int) -> str:
    """`EuroSys` + 2024 -> `EuroSys 2024`; `OSDI '26`, `FAST 23` and `NSDI 2024` stay as written."""
    return venue if holds_year(venue, year) else f"{venue}{year_glue(venue)}{year}"


def year_glue(venue: str) -> str:
    """What goes between a venue and the year added to it: a space (`EuroSys 2024`), or a comma
    after a venue that ends in a number or a parenthesis, where a space ran the year into it
    ("Nature Methods 1-5 2024", "Human Brain Mapping 47(7) e70533 2026")."""
    return ", " if venue.rstrip()[-1:].isdigit() or venue.rstrip()[-1:] in ")]）" else " "


def _words(text: str) -> str:
    """Case, punctuation and spacing do not distinguish venue names; apostrophes are dropped with them."""
    return " ".join(re.sub(r"[^\w]+", " ", text.casefold()).split())


def full_holds_short(full: str, short: str, year: int) -> bool:
    """Does the full venue already say the short one, year included?

    Then "21st USENIX Conference on File and Storage Technologies (FAST 23)" must not be
    followed by "(FAST 2023)", nor "NSDI 2024" by "(NSDI 2024)".
    """
    if not holds_year(full, year):
        return False
    yy = f"{year % 100:02d}"
    name = _words(_ANY_FULL_YEAR.sub(" ", short))
    name = re.sub(rf"(?<=[^\W\d])\s?{yy}$", "", name).strip()  # "FAST 23", "NSDI24" -> the name alone
    words = f" {_words(full)} "
    return not name or f" {name} " in words or f" {name}{yy} " in words


def has_parens(*texts: str) -> bool:
    """Does any text hold a parenthesis (full-width ones too)? Then no other pair goes around it."""
    return any(c in text for text in texts for c in "()（）")


def venue_spans(pub: Publication, words: Vocabulary) -> list[Span]:
    """`EuroSys 2024`: the year is added unless the venue already names it."""
    year = str(pub.date.year)
    if pub.venue:
        runs = spans(pub.venue)
        if not holds_year(plain(runs), pub.date.year):
            runs = [*runs, Span(text=f"{year_glue(plain(runs))}{year}")]
        return runs
    if pub.type == "preprint" or pub.arxiv:
        return [Span(text=f"{words['venue.arxiv_preprint' if pub.arxiv else 'venue.preprint']} {year}")]
    if pub.publisher and _publisher_is_venue(pub):
        return [Span(text=venue_with_year(pub.publisher, pub.date.year))]
    return [Span(text=year)]  # an unplaced paper still shows when it was written


def _publisher_is_venue(pub: Publication) -> bool:
    """A thesis, report, book or patent without a venue names its publisher (school, office) there."""
    return (
        not pub.venue
        and pub.type != "preprint"
        and not pub.arxiv
        and pub.type in ("thesis", "report", "book", "chapter", "patent")
    )


def status_label(
    pub: Publication, venue: list[Span] | None, words: Vocabulary, labels: Mapping[str, str] | None = None
) -> str | None:
    """The label ("To appear", "Under submission", ...), left out when the venue already says it.

    The owner's words win: the publication's `status_label`, then the document's label map, then
    the locale's word."""
    if pub.status_label:
        return pub.status_label
    label = (labels or {}).get(pub.status) or (None if pub.status == "published" else words[f"status.{pub.status}"])
    if label is None or (venue and label.casefold() in "".join(s.text for s in venue).casefold()):
        return None
    return label


def entry(
    pub: Publication,
    keys: OwnerKeys,
    view: PublicationView,
    words: Vocabulary,
    labels: Mapping[str, str] | None = None,
    number: str | None = None,
) -> PublicationEntry:
    authors = resolve_authors(pub.authors, keys, equal=pub.equal_contribution, corresponding=pub.corresponding)
    venue = venue_spans(pub, words)
    label = status_label(pub, venue, words, labels)
    if not pub.venue and label and _says_preprint(label, words) and _says_preprint(plain(venue), words):
        venue = [Span(text=str(pub.date.year))]  # "2023 (In Preprint)", not "Preprint 2023 (In Preprint)"
    full = spans(pub.venue_full) if pub.venue_full else None
    shown = truncate(authors, view.max_authors or None)
    if words["et_al"] != "et al.":  # the gaps carry the locale's words
        shown = [a.model_copy(update={"name": words["et_al"]}) if a.etal else a for a in shown]
    return PublicationEntry(
        id=pub.id,
        number=number,
        title=spans(pub.title),
        authors=shown,
        venue=venue,
        venue_full=full,
        venue_in_full=full is not None and full_holds_short(plain(full), plain(venue), pub.date.year),
        venue_parens=has_parens(plain(venue), plain(full), label or ""),
        year=str(pub.date.year),
        date=date_range(
            None, None, words.locale, single=pub.date, words=_date_words(words), months=words.months("short")
        )
        or _never(),
        type=pub.type,
        type_label=words[f"type.{pub.type}"],
        status=pub.status,
        status_label=label,
        citation=citation(pub, words),
        award=spans(pub.award) if pub.award else None,
        note=spans(pub.note) if pub.note else None,
        links=publication_links(pub, words),
        selected=pub.selected,
    )


def _says_preprint(text: str, words: Vocabulary) -> bool:
    """Does the text say "preprint", in English (the owner's words) or the document's language?"""
    folded = text.casefold()
    return any(
        w in folded for w in ("preprint", words["venue.preprint"].casefold(), words["status.preprint"].casefold())
    )


def _date_words(words: Vocabulary) -> tuple[str, str]:
    return words["date.present"], words["date.expected"]


def _never() -> object:
    raise AssertionError("a publication always has a date")


Plan = list[tuple[str | None, list[tuple[int, str | None]]]]
"""Groups to show: each a title and its members, as (index of the entry, number to print)."""


def plan_groups(keys: Sequence[tuple[str, str]], view: PublicationView, words: Vocabulary) -> Plan:
    """Group in a fixed order (types as listed above, years by the sort; either as first written
    when the sort is as_written), then number. `keys` are the (type, year) of each entry in sorted
    order; planned before the entries are made, so that each entry is made once, with its number."""
    indices = range(len(keys))
    groups: list[tuple[str | None, list[int]]]
    if view.group_by == "type":
        types = list(dict.fromkeys(t for t, _ in keys))  # as first written...
        if view.sort != "as_written":  # ...or in the schema's order
            types.sort(key=TYPES.index)
        groups = [(words[f"type.{k}"], [i for i in indices if keys[i][0] == k]) for k in types]
        if types == ["other"]:  # no type given at all (imported ones): "Other" would head the whole list
            groups = [(None, list(indices))]
    elif view.group_by == "year":
        years = list(dict.fromkeys(y for _, y in keys))  # as first written
        if view.sort != "as_written":
            years.sort(reverse=view.sort == "newest")
        groups = [(y, [i for i in indices if keys[i][1] == y]) for y in years]
    else:
        groups = [(None, list(indices))] if keys else []
    total = len(keys)
    counter = Counter[str]()
    type_totals = Counter(t for t, _ in keys)
    seen = 0
    out: Plan = []
    for title, members in groups:
        numbered = []
        for i, index in enumerate(members):
            seen += 1
            kind = keys[index][0]
            counter[kind] += 1
            numbered.append((index, _number(view, kind, i, len(members), seen, total, counter, type_totals)))
        out.append((title, numbered))
    return out


def _number(
    view: PublicationView,
    kind: str,
    index: int,
    size: int,
    seen: int,
    total: int,
    by_type: Counter[str],
    type_totals: Counter[str],
) -> str | None:
    """Numbers run across the whole list, so none appears twice; `numbering_scope: group` restarts them per group.

    Type numbers (C3, J1) always count per type. Counted across groups, the first number shown is
    the highest (descending) or 1 (ascending), in the order the groups are shown.
    """
    grouped = view.group_by != "none" and view.numbering_scope == "group"
    if view.numbering == "ascending":
        return str(index + 1 if grouped else seen)
    if view.numbering == "descending":
        return str(size - index if grouped else total - seen + 1)
    if view.numbering == "type":
        n = by_type[kind] if view.sort == "oldest" else type_totals[kind] - by_type[kind] + 1
        return f"{TYPE_PREFIX[kind]}{n}"
    return None


def counts(entries: list[PublicationEntry]) -> dict[str, dict[str, int]]:
    """Counts by type and by year, for a summary line such as "12 conference papers"."""
    by_type = Counter(e.type for e in entries)
    by_year = Counter(e.year for e in entries)
    return {
        "by_type": {k: by_type[k] for k in TYPES if by_type[k]},
        "by_year": dict(sorted(by_year.items(), reverse=True)),
        "total": {"all": len(entries)},
    }


def summary(entries: list[PublicationEntry], words: Vocabulary) -> str | None:
    """A summary line such as `14 publications: 9 conference papers and 4 preprints` (the
    locale's plurals and list pattern); None when empty."""
    if not entries:
        return None
    by_type = Counter(e.type for e in entries)
    parts = [words.count(k, by_type[k]) for k in TYPES if by_type[k]]
    total = words.count("publication", len(entries))
    return total if len(parts) < 2 else words["count.summary"].format(total=total, parts=words.join(parts))


def legend(entries: list[PublicationEntry], words: Vocabulary) -> list[str]:
    marks = []
    if any(a.equal for e in entries for a in e.authors):
        marks.append("* " + words["legend.equal"])
    if any(a.corresponding for e in entries for a in e.authors):
        marks.append("† " + words["legend.corresponding"])
    return marks
