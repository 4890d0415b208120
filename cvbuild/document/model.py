"""The Document: the only data templates receive. Plain, versioned, documented for theme authors.

Everything here is already decided: dates are formatted, inline Markdown is split into spans,
authors carry their flags, publications are filtered, sorted, grouped and numbered.
A template only lays this out. Bump DOCUMENT_VERSION on any incompatible change.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

DOCUMENT_VERSION = 1


class View(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Span(View):
    """A run of text with uniform style. `href` is always http(s), mailto or tel."""

    text: str
    bold: bool = False
    italic: bool = False
    code: bool = False
    href: str | None = None


Spans = list[Span]


class Link(View):
    """A labelled link: `label` for buttons ([Code]), `display` for plain-text output."""

    kind: str
    label: str
    url: str
    display: str


class DateRange(View):
    """A formatted date or range; `start`/`end` are ISO partial dates for <time datetime>."""

    text: str
    start: str | None = None
    end: str | None = None
    current: bool = False
    expected: bool = False


class Detail(View):
    """A labelled line inside an entry, such as Advisor or GPA."""

    label: str
    value: Spans


class Entry(View):
    """Any non-publication entry: education, a job, a project, an honor, a custom entry."""

    kind: Literal["entry"] = "entry"
    title: Spans
    subtitle: Spans | None = None
    date: DateRange | None = None
    location: str | None = None
    summary: Spans | None = None
    highlights: list[Spans] = []
    details: list[Detail] = []
    items: list[str] = []
    links: list[Link] = []
    children: list[Entry] = []


class Author(View):
    """One name in an author list, or (etal=True) a gap left by truncation."""

    name: str
    is_owner: bool = False
    equal: bool = False
    corresponding: bool = False
    etal: bool = False


class PublicationEntry(View):
    kind: Literal["publication"] = "publication"
    id: str | None = None
    number: str | None = None
    title: Spans
    authors: list[Author]
    venue: Spans | None = None
    venue_full: Spans | None = None
    year: str
    date: DateRange
    type: str
    type_label: str
    status: str
    status_label: str | None = None
    award: Spans | None = None
    note: Spans | None = None
    links: list[Link] = []
    selected: bool = False


class Group(View):
    """Entries under an optional sub-heading (a publication type or a year)."""

    title: str | None = None
    entries: list[Entry | PublicationEntry]


class Section(View):
    """A titled section. `kind` tells the template which layout to use:

    text: entries[0].summary is a paragraph; tags: entries[0].items inline;
    table: entries are label (title) + items; entries: dated entries; publications.
    """

    id: str
    kind: Literal["text", "tags", "table", "entries", "publications"]
    title: str
    groups: list[Group]
    legend: list[str] = []
    counts: dict[str, dict[str, int]] = {}
    summary: str | None = None  # publications: "14 publications: 9 conference papers, ..."


class Person(View):
    name: str
    native_name: str | None = None
    headline: Spans | None = None
    pronouns: str | None = None
    email: str | None = None
    email_obfuscated: str | None = None
    phone: str | None = None
    phone_url: str | None = None
    website: Link | None = None
    location: str | None = None
    links: list[Link] = []


class Meta(View):
    """Document metadata for PDF properties, <head> and footers."""

    title: str
    author: str
    subject: str
    keywords: list[str]
    date: str
    date_text: str
    locale: str
    document: str
    generator: str
    highlight: Literal["bold", "underline", "none"] = "bold"
    labels: dict[str, str] = {}


class Document(View):
    version: int = DOCUMENT_VERSION
    meta: Meta
    person: Person
    sections: list[Section]
    options: dict[str, Any] = {}
