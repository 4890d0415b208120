"""The Document: the only data templates receive. Plain, versioned, documented for theme authors.

Everything here is already decided: dates are formatted, inline Markdown is split into spans,
authors carry their flags, publications are filtered, sorted, grouped and numbered.
A template only lays this out. Bump DOCUMENT_VERSION on any incompatible change.
"""

# Annotations are objects, not strings (no `from __future__ import annotations`): pydantic would
# otherwise parse every field's annotation back from text at each start-up. Quote only names
# defined further down.

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

DOCUMENT_VERSION = 1


class View(BaseModel):
    # Each field's docstring is its description in `cvbuild schema --document` and docs/document.md
    # (`reference.field_docs` reads them from this file; pydantic's use_attribute_docstrings would
    # parse this module's source once per class at every start-up, ~50 ms of each render).
    model_config = ConfigDict(frozen=True, extra="forbid")


class Span(View):
    """A run of text with uniform style. `href` is always http(s), mailto or tel."""

    text: str
    """The characters, verbatim: never markup in any target."""
    bold: bool = False
    """Bold (`**text**` in the profile)."""
    italic: bool = False
    """Italic (`*text*`)."""
    code: bool = False
    """Code (`` `text` ``): shown in a monospace font."""
    sup: bool = False
    """Superscript (`^N^`, or `$^N$` in BibTeX): `<sup>`, Typst `super`; plain text uses the Unicode
    superscript letters where every character has one (`ᴺ`), else `^N`."""
    sub: bool = False
    """Subscript (`~i~`, or `$_i$` in BibTeX), likewise."""
    href: str | None = None
    """Link target of `[text](url)`; none for plain text."""


Spans = list[Span]


class Link(View):
    """A labelled link: `label` for buttons ([Code]), `display` for plain-text output."""

    kind: str
    """What the link is: a publication link (`paper`, `code`, `slides`, `doi`, `arxiv`...),
    `url`, `website`, or a profile (`github`, `orcid`, `google_scholar`...)."""
    label: str
    """Short human label: `Paper`, `Code`, `GitHub`."""
    url: str
    """The full URL (http(s), mailto or tel)."""
    display: str
    """The URL without scheme and `www.`, for text and print: `github.com/ada`."""


class DateRange(View):
    """A formatted date or range; `start`/`end` are ISO partial dates for `<time datetime>`."""

    text: str
    """Formatted in the document's locale: `Jul 2025 – present`, `2023`, `Jun 2026 (expected)`."""
    start_text: str | None = None
    """The first date as `text` shows it (`Jul 2025`); for one date, the whole of `text`. None when
    `text` is no formatted date (a teaching entry's terms, as the owner wrote them)."""
    end_text: str | None = None
    """The second end as `text` shows it: `Dec 2025`, or the word for an open range (`present`).
    None when `text` shows one date. `text` is `start_text`, `meta.labels.range_sep` and `end_text`
    then, else `start_text`; an `expected` suffix (` (expected)`) ends the last date shown, as it
    ends `text`. Use these two to set the ends apart: `range_sep` may occur inside a date."""
    start: str | None = None
    """ISO partial date (`2023`, `2023-07`, `2023-07-01`) of the start, for `<time datetime>`."""
    end: str | None = None
    """ISO partial date of the end; none when open-ended or current."""
    current: bool = False
    """The range runs to the present."""
    expected: bool = False
    """The end date is expected (a degree not yet awarded)."""


class Detail(View):
    """A labelled line inside an entry, such as Advisor or GPA."""

    label: str
    """The label, without colon: `Advisor`, `GPA`, `Thesis`."""
    value: Spans
    """The value as rich text."""


class Entry(View):
    """Any non-publication entry: education, a job, a project, an honor, a custom entry."""

    kind: Literal["entry"] = "entry"
    """Always `entry`; tells an entry from a publication in a group."""
    title: Spans
    """Main line: degree, role, course, honor, talk title; empty in `text`/`tags` sections."""
    subtitle: Spans | None = None
    """Second line: institution, organisation, issuer, event."""
    date: DateRange | None = None
    """Date or date range, already formatted."""
    location: str | None = None
    """Place, as written in the profile."""
    note: Spans | None = None
    """A note that follows the title in a lighter style: `Ranked 23rd globally`."""
    stats: list[str] = []
    """Figures for the title line: `4.1k ★`, `20 contributors`."""
    summary: Spans | None = None
    """A paragraph; in a `text` section, the section's content. When the owner wrote several
    paragraphs (a blank line between), all of them, joined by a space: see `paragraphs`."""
    paragraphs: list[Spans] = []
    """The summary's paragraphs, when it has two or more (the owner left a blank line between
    them): print each as a paragraph of its own. Empty when the summary is one paragraph."""
    highlights: list[Spans] = []
    """Bullet points, each rich text."""
    subhighlights: list[list[Spans]] = []
    """`subhighlights[i]` are the bullets nested under `highlights[i]`; as long as `highlights`,
    each list empty when that bullet has none."""
    details: list[Detail] = []
    """Labelled lines (Advisor, GPA, Thesis, Impact...)."""
    items: list[str] = []
    """Short words: interests (`tags` section), skills or a language's fluency (`table`
    section), a project's technologies."""
    links: list[Link] = []
    """Link buttons of the entry."""
    children: "list[Entry]" = []
    """Nested entries, such as the projects of a job."""


class Author(View):
    """One name in an author list, or (etal=True) a gap left by truncation."""

    name: str
    """The name as it should be printed."""
    is_owner: bool = False
    """This is the person the CV is about: highlight as `meta.highlight` says."""
    equal: bool = False
    """Equal contribution: print a `*` after the name."""
    corresponding: bool = False
    """Corresponding author: print a `†` after the name."""
    etal: bool = False
    """Stands for the names left out by `max_authors`: print its `name`, the locale's `et al.`."""


class PublicationEntry(View):
    """One publication: everything a citation line needs, already selected and numbered."""

    kind: Literal["publication"] = "publication"
    """Always `publication`."""
    id: str | None = None
    """The profile's or BibTeX key, if any; stable, usable as an anchor."""
    number: str | None = None
    """The number to print (`12`, `C3`), or none when the document does not number publications."""
    title: Spans
    """Title as rich text."""
    authors: list[Author]
    """Authors in order, with flags; may end or contain an `etal` gap."""
    venue: Spans | None = None
    """Short venue: `EuroSys 2024`."""
    venue_full: Spans | None = None
    """Full venue: `Proceedings of the ... Conference on Computer Systems`."""
    venue_in_full: bool = False
    """The full venue already names the short one and its year (`... Technologies (FAST 23)`): a line
    that shows `venue_full` shows it alone, never followed by `(FAST 2023)`."""
    venue_parens: bool = False
    """The venue, the full venue or the status holds parentheses of its own (`... (Volume 1: Long
    Papers)`): a line then joins them with ` — ` and commas (`ACL 2022 — Proceedings ... (Volume 1:
    Long Papers)`, `... (NSDI 2024), To appear`), as parentheses put around them would nest or touch."""
    year: str
    """Year as text, for grouping and sorting displays."""
    date: DateRange
    """Publication date, formatted."""
    type: str
    """`conference`, `journal`, `workshop`, `preprint`, `thesis`, `patent`, `book`, `chapter`,
    `report`, `poster`, `demo` or `other`."""
    type_label: str
    """The type as a heading: `Conference Papers`."""
    status: str
    """`published`, `accepted`, `to_appear`, `under_review`, `submitted`, `in_preparation` or `preprint`."""
    status_label: str | None = None
    """The status to print (`Under review`); none when published."""
    citation: Spans | None = None
    """What a bibliography adds after the venue: `vol. 34, pp. 30479–30491, ACM, arXiv:2510.06189`
    (arXiv ids and DOIs carry their links)."""
    award: Spans | None = None
    """An award, such as `Best Paper Award`."""
    note: Spans | None = None
    """A free note printed after the venue."""
    links: list[Link] = []
    """Link buttons: Paper, Code, Slides, DOI, arXiv..."""
    selected: bool = False
    """The owner marked it as selected."""


class Group(View):
    """Entries under an optional sub-heading (a publication type or a year)."""

    title: str | None = None
    """Sub-heading (`Conference Papers`, `2024`), or none for an ungrouped section."""
    entries: list[Entry | PublicationEntry]
    """Entries in display order: `Entry` or `PublicationEntry` (see `kind`)."""


class Section(View):
    """A titled section. `kind` tells the template which layout to use:

    text: entries[0].summary is a paragraph; tags: entries[0].items inline;
    table: entries are label (title) + items; entries: dated entries; publications.
    """

    id: str
    """Unique: a built-in id (`education`...), a custom section's `id` or its title's slug (`grants`, `interests-2`)."""
    kind: Literal["text", "tags", "table", "entries", "publications"]
    """Which layout to use (see above)."""
    title: str
    """The heading to print, already localised or overridden."""
    groups: list[Group]
    """One group, or several when publications are grouped by type or year."""
    legend: list[str] = []
    """Lines explaining author marks: `* Equal contribution`, `† Corresponding author`."""
    counts: dict[str, dict[str, int]] = {}
    """Publications: `by_type` (type -> n), `by_year` (year -> n) and `total` (`all` -> n)."""
    summary: str | None = None
    """Publications: `14 publications: 9 conference papers, 4 preprints`."""


class Photo(View):
    """The owner's photo, embedded: a data: URI (HTML); Typst themes get its bytes from the target."""

    mime: Literal["image/png", "image/jpeg"]
    """The picture's type."""
    data_uri: str
    """The picture as a `data:` URI, for `<img src>`."""
    width: int
    """Width in pixels."""
    height: int
    """Height in pixels."""


class Person(View):
    """The person the CV is about, with contact details checked and formatted."""

    name: str
    """Full name."""
    native_name: str | None = None
    """Name in another script, such as Chinese, shown beside `name`."""
    headline: Spans | None = None
    """One line under the name: `PhD student in Computer Science`."""
    pronouns: str | None = None
    """Pronouns, as written."""
    email: str | None = None
    """E-mail address; show it as the `show_email` option says."""
    email_obfuscated: str | None = None
    """`ada (at) example (dot) org`, for `show_email = "obfuscated"`."""
    phone: str | None = None
    """Phone number as written."""
    phone_url: str | None = None
    """`tel:` URL of the phone number."""
    website: Link | None = None
    """Personal website."""
    location: str | None = None
    """City, country."""
    links: list[Link] = []
    """Profiles (GitHub, Google Scholar, ORCID, LinkedIn...), in the profile's order."""
    photo: Photo | None = None
    """The owner's photo; show it when the theme option `show_photo` is true."""


class Meta(View):
    """Document metadata for PDF properties, `<head>` and footers."""

    title: str
    """Document title: PDF title and HTML `<title>`."""
    author: str
    """The person's name, for PDF metadata."""
    subject: str
    """The headline as plain text (or `Curriculum Vitae`): PDF subject, HTML description."""
    keywords: list[str]
    """Research interests: PDF keywords."""
    date: str
    """Build date, ISO `YYYY-MM-DD` (SOURCE_DATE_EPOCH when set)."""
    date_text: str
    """Build date in the locale's long form: `January 1, 2026`."""
    locale: str
    """Locale code, such as `en` or `de_DE`: the language of every word cvbuild wrote, for the HTML
    `lang` attribute and Typst's `text(lang:)` (hyphenation)."""
    document: str
    """Name of the document (variant) being rendered: `cv`, `resume`."""
    generator: str
    """`cvbuild X.Y.Z`."""
    highlight: Literal["bold", "underline", "none"] = "bold"
    """How to mark the owner in author lists."""
    pdf_standards: list[str] = []
    """PDF standards the PDF is written to (the document's `pdf_standards`): `a-2b`, `a-2u`,
    `a-2a`, `a-3b`, `a-3u`, `a-3a`, `a-4`, `ua-1`; empty for a plain PDF. The engine sets the
    PDF's version and metadata; a Typst theme whose output breaks a standard fails to compile
    (an image without `alt` under `ua-1`, say)."""
    labels: dict[str, str] = {}
    """The words a layout prints itself, in the document's language (and the owner's `labels`):
    `updated` (`Updated`, `Stand:`; the date follows), `page_of` (`Page {page} of {pages}`),
    `contact`, `links`, `email`, `phone`, `website`, `location`, `cv`, `colon` (`:`, French
    ` :`), `label_sep` (what follows a label: `: `, French ` : `, Chinese `：` without a space),
    `et_al`, `quote_open`/`quote_close`, `quote_inner_open`/`quote_inner_close` (single quotes inside
    double ones: German `‚…‘`, French `“…”`), and `page`/`of` for older themes. Read them with an
    English default."""


class Letter(View):
    """A cover letter, already worded: the sender is `person`, shown as the CV's header shows it."""

    recipient: list[str] = []
    """The address block, one line each: the recipient's name, organisation and address lines."""
    date: str
    """The letter's date, ISO `YYYY-MM-DD` (its own `date`, else the build date), for `<time datetime>`."""
    date_text: str
    """The date in the locale's long form: `November 28, 2026`, `28. November 2026`."""
    date_line: str
    """The line a letter is dated by: `date_text`, after the letter's `place` when it has one, in
    the locale's order (`Zürich, November 28, 2026`; French `Paris, le 28 novembre 2026`)."""
    subject: Spans | None = None
    """The subject line, rich text; none when the letter has none."""
    salutation: str
    """`Dear Dr. Roe,`: the letter's own, else built from the recipient's name in the locale
    (`Sehr geehrte Frau Dr. Müller,`), else the locale's (`Dear Hiring Manager,`)."""
    body: list[Spans]
    """The paragraphs, each rich text."""
    closing: str
    """`Sincerely,`, `Mit freundlichen Grüßen`: the letter's, else the locale's."""
    signature: str
    """The name under the closing: the letter's `signature`, else the person's name."""
    enclosures: list[str] = []
    """What is sent with the letter (`CV`, `List of publications`), one line each; often none."""
    enclosures_label: str = "Enclosures:"
    """The locale's word above them, with its punctuation: `Enclosures:`, `Anlagen`, `附件：`."""


class Document(View):
    """The root: what `cv.typ` gets from `load-document()` and Jinja templates as `doc`."""

    version: int = DOCUMENT_VERSION
    """DOCUMENT_VERSION; changes on any incompatible change."""
    meta: Meta
    """Metadata."""
    person: Person
    """The person and their contact details."""
    sections: list[Section]
    """Sections in display order; empty for a letter."""
    letter: Letter | None = None
    """The cover letter when the rendered document is one of the profile's `letters` (its
    `sections` are then empty); none for a CV. A theme lays it out under its header."""
    options: dict[str, Any] = {}
    """The theme's options, resolved: theme.toml defaults, then the document's `options`, then `--set`."""


def view_fields() -> dict[str, list[str]]:
    """Each Document class by name with its field names: for a "did you mean" when a template
    asks for a field that does not exist (`doc.persn`, `e.titel`)."""
    found: dict[str, list[str]] = {}
    pending = list(View.__subclasses__())
    while pending:
        cls = pending.pop(0)
        found[cls.__name__] = list(cls.model_fields)
        pending += cls.__subclasses__()
    return found
