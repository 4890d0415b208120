"""Publications: filter, sort, group, number and label, once, for every target."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from cvbuild.document.authors import OwnerKeys, resolve_authors, truncate
from cvbuild.document.dates import date_range
from cvbuild.document.inline import spans
from cvbuild.document.links import make_link
from cvbuild.document.model import Group, Link, PublicationEntry, Span
from cvbuild.schema.model import Publication

TYPE_LABELS = {
    "conference": "Conference Papers",
    "journal": "Journal Articles",
    "workshop": "Workshop Papers",
    "preprint": "Preprints",
    "thesis": "Theses",
    "patent": "Patents",
    "book": "Books",
    "chapter": "Book Chapters",
    "report": "Technical Reports",
    "poster": "Posters",
    "demo": "Demos",
    "other": "Other",
}
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
STATUS_LABELS = {
    "published": None,
    "accepted": "Accepted",
    "to_appear": "To appear",
    "under_review": "Under review",
    "submitted": "In submission",
    "in_preparation": "In preparation",
    "preprint": "Preprint",
}
LINK_LABELS = {
    "paper": "Paper",
    "pdf": "PDF",
    "html": "HTML",
    "code": "Code",
    "data": "Data",
    "slides": "Slides",
    "poster": "Poster",
    "video": "Video",
    "project": "Project",
    "demo": "Demo",
    "blog": "Blog",
}


@dataclass(frozen=True)
class PublicationView:
    """Resolved publication options (document over theme over built-in defaults)."""

    group_by: str = "none"
    sort: str = "newest"
    since: int | None = None
    selected_only: bool = False
    tags: tuple[str, ...] = ()
    numbering: str = "none"
    max_authors: int | None = None
    highlight: str = "bold"


def select(pubs: Sequence[Publication], view: PublicationView, doc_tags: Sequence[str]) -> list[Publication]:
    """Filter by year, selection and tags, then sort stably: by date, then title."""
    chosen = [
        p
        for p in pubs
        if (view.since is None or p.date.year >= view.since)
        and (not view.selected_only or p.selected)
        and (not view.tags or set(view.tags) & set(p.tags))
        and (not doc_tags or not p.tags or set(doc_tags) & set(p.tags))
    ]
    chosen.sort(key=lambda p: p.title.casefold())
    chosen.sort(key=lambda p: p.date.sort_key, reverse=view.sort == "newest")
    return chosen


def publication_links(pub: Publication) -> list[Link]:
    links: list[Link] = []
    given = pub.links.model_dump(exclude_none=True)
    if pub.url and "paper" not in given and "pdf" not in given:
        given = {"paper": pub.url, **given}
    for kind, label in LINK_LABELS.items():
        if kind in given:
            links.append(make_link(kind, label, given[kind]))
    if pub.arxiv:
        links.append(make_link("arxiv", "arXiv", f"https://arxiv.org/abs/{pub.arxiv}"))
    if pub.doi:
        links.append(make_link("doi", "DOI", f"https://doi.org/{pub.doi}"))
    return links


def venue_spans(pub: Publication) -> list[Span] | None:
    """`EuroSys 2024`: the year is added unless the venue already names it."""
    year = str(pub.date.year)
    if pub.venue:
        runs = spans(pub.venue)
        if year not in pub.venue:
            runs = [*runs, Span(text=f" {year}")]
        return runs
    if pub.type == "preprint" or pub.arxiv:
        return [Span(text=f"arXiv preprint {year}")] if pub.arxiv else [Span(text=f"Preprint {year}")]
    if pub.type == "thesis" and pub.publisher:
        return [Span(text=f"{pub.publisher} {year}")]
    return None


def entry(pub: Publication, keys: OwnerKeys, view: PublicationView, locale: str) -> PublicationEntry:
    authors = resolve_authors(pub.authors, keys, equal=pub.equal_contribution, corresponding=pub.corresponding)
    return PublicationEntry(
        id=pub.id,
        title=spans(pub.title),
        authors=truncate(authors, view.max_authors),
        venue=venue_spans(pub),
        venue_full=spans(pub.venue_full) if pub.venue_full else None,
        year=str(pub.date.year),
        date=date_range(None, None, locale, single=pub.date) or _never(),
        type=pub.type,
        type_label=TYPE_LABELS[pub.type],
        status=pub.status,
        status_label=STATUS_LABELS[pub.status],
        award=spans(pub.award) if pub.award else None,
        note=spans(pub.note) if pub.note else None,
        links=publication_links(pub),
        selected=pub.selected,
    )


def _never() -> object:
    raise AssertionError("a publication always has a date")


def group(entries: list[PublicationEntry], view: PublicationView) -> list[Group]:
    """Group in a fixed order (types as listed above, years newest first), then number."""
    if view.group_by == "type":
        order = list(TYPE_LABELS)
        keys = sorted({e.type for e in entries}, key=order.index)
        groups = [(TYPE_LABELS[k], [e for e in entries if e.type == k]) for k in keys]
    elif view.group_by == "year":
        years = sorted({e.year for e in entries}, reverse=view.sort == "newest")
        groups = [(y, [e for e in entries if e.year == y]) for y in years]
    else:
        groups = [(None, entries)] if entries else []
    total = len(entries)
    counter = Counter[str]()
    type_totals = Counter(e.type for e in entries)
    seen = 0
    out = []
    for title, members in groups:
        numbered = []
        for i, e in enumerate(members):
            seen += 1
            counter[e.type] += 1
            numbered.append(e.model_copy(update={"number": _number(view, e, i, len(members), seen, total, counter, type_totals)}))
        out.append(Group(title=title, entries=list(numbered)))
    return out


def _number(
    view: PublicationView,
    e: PublicationEntry,
    index: int,
    size: int,
    seen: int,
    total: int,
    by_type: Counter[str],
    type_totals: Counter[str],
) -> str | None:
    """Numbers run within a group when grouped, across the section otherwise."""
    grouped = view.group_by != "none"
    if view.numbering == "ascending":
        return str(index + 1 if grouped else seen)
    if view.numbering == "descending":
        return str(size - index if grouped else total - seen + 1)
    if view.numbering == "type":
        n = by_type[e.type] if view.sort == "oldest" else type_totals[e.type] - by_type[e.type] + 1
        return f"{TYPE_PREFIX[e.type]}{n}"
    return None


def counts(entries: list[PublicationEntry]) -> dict[str, dict[str, int]]:
    """Counts by type and by year, for a summary line such as "12 conference papers"."""
    by_type = Counter(e.type for e in entries)
    by_year = Counter(e.year for e in entries)
    return {
        "by_type": {k: by_type[k] for k in TYPE_LABELS if by_type[k]},
        "by_year": dict(sorted(by_year.items(), reverse=True)),
        "total": {"all": len(entries)},
    }


def legend(entries: list[PublicationEntry]) -> list[str]:
    marks = []
    if any(a.equal for e in entries for a in e.authors):
        marks.append("* Equal contribution")
    if any(a.corresponding for e in entries for a in e.authors):
        marks.append("† Corresponding author")
    return marks
