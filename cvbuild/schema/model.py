"""The profile schema: what a person writes. Every model forbids unknown keys."""

# Annotations are objects, not strings (no `from __future__ import annotations`): pydantic would
# otherwise parse every field's annotation back from text at each start-up. Quote only names
# defined further down.

import re
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from cvbuild.schema.fields import (
    Date,
    LabelMap,
    LinkOrHandle,
    LocaleCode,
    Markup,
    NonEmpty,
    Paragraphs,
    PartialDate,
    Phone,
    Scalar,
    Url,
)


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True, defer_build=True)


class Dated(Model):
    """An entry with a single `date` or a `start`/`end` range."""

    date: Date | None = None
    start: Date | None = None
    end: Date | None = None

    @field_validator("end")
    @classmethod
    def _end_after_start(cls, end: PartialDate | None, info: ValidationInfo) -> PartialDate | None:
        start = info.data.get("start")
        if end is None or start is None:
            return end
        if start.present:
            raise PydanticCustomError("date_order", "start cannot be `present` when an end is given")
        if not end.present and _cmp_key(end, start) < _cmp_key(start, end):
            raise PydanticCustomError(
                "date_order", "end {end} is before start {start}", {"end": str(end), "start": str(start)}
            )
        return end

    @field_validator("start")
    @classmethod
    def _not_both(cls, start: PartialDate | None, info: ValidationInfo) -> PartialDate | None:
        if start is not None and info.data.get("date") is not None:
            raise PydanticCustomError("date_both", "give either `date` or `start`/`end`, not both")
        return start


def _cmp_key(a: PartialDate, b: PartialDate) -> tuple[int, ...]:
    """Compare at the precision both dates share, so 2024 vs 2024-05 is not 'before'."""
    n = 1 + (a.month is not None and b.month is not None) + (a.day is not None and b.day is not None)
    return a.sort_key[:n]


class NestedBullet(Model):
    """A highlight with bullets of its own: `{text: Led the storage team, highlights: [...]}`."""

    text: Markup
    highlights: Annotated[list[Markup], Field(min_length=1)]


def _bullet_tag(value: Any) -> str:
    # Serializing asks too, with the validated NestedBullet: it must not be taken for text.
    return "bullet-entry" if isinstance(value, Mapping | NestedBullet) else "bullet-text"


# A bullet point: inline Markdown, or a bullet with sub-bullets one level down. Chosen by its
# shape, so a problem is told once, by the branch the user wrote (a refused link in a text bullet
# was also "expected a mapping", from the other branch).
Bullet = Annotated[
    Annotated[Markup, Tag("bullet-text")] | Annotated[NestedBullet, Tag("bullet-entry")],
    Discriminator(_bullet_tag),
]


class Links(Model):
    """Profile links: a full URL, or for most sites just the user name."""

    github: LinkOrHandle | None = None
    gitlab: LinkOrHandle | None = None
    google_scholar: LinkOrHandle | None = None
    orcid: LinkOrHandle | None = None
    dblp: Url | None = None
    linkedin: LinkOrHandle | None = None
    x: LinkOrHandle | None = None
    mastodon: Url | None = None
    bluesky: LinkOrHandle | None = None
    researchgate: LinkOrHandle | None = None
    semantic_scholar: Url | None = None
    stackoverflow: Url | None = None
    youtube: LinkOrHandle | None = None
    blog: Url | None = None


# Networks a bare user name is enough for: the Links fields that take a handle.
NAMED_NETWORKS = ("github", "gitlab", "google_scholar", "orcid", "linkedin", "x", "bluesky", "researchgate", "youtube")


def network_key(network: str) -> str:
    """`Google Scholar` -> `google_scholar`, `Twitter` -> `x`: how a network name matches a Links field."""
    key = re.sub(r"[^a-z0-9]+", "_", network.strip().lower()).strip("_")
    return {"twitter": "x", "scholar": "google_scholar", "stack_overflow": "stackoverflow"}.get(key, key)


class ProfileLink(Model):
    """A profile on any network, beside the named `links`: `{network: Codeberg, url: https://...}`."""

    network: NonEmpty
    url: Url | None = None
    username: str | None = None

    @model_validator(mode="after")
    def _reachable(self) -> "ProfileLink":
        if self.url is None and (self.username is None or network_key(self.network) not in NAMED_NETWORKS):
            raise PydanticCustomError(
                "profile_url",
                "give the profile's `url`; a `username` alone is enough only for {named}",
                {"named": ", ".join(NAMED_NETWORKS)},
            )
        return self


class Contact(Model):
    email: Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")] | None = None
    phone: Phone | None = None
    website: Url | None = None
    location: str | None = None
    links: Links = Links()
    profiles: list[ProfileLink] = []


class DescribedEntry(Dated):
    """The fields every full entry shares: a note after its title, a summary, bullets, a link and
    tags to choose it for a document. Subclasses add what the entry is (a role, a course...)."""

    note: Markup | None = None
    summary: Paragraphs | None = None
    highlights: list[Bullet] = []
    url: Url | None = None
    tags: list[str] = []


class Education(Dated):
    institution: NonEmpty
    degree: str | None = None
    field: str | None = None
    location: str | None = None
    expected: bool = False
    gpa: str | None = None
    honors: list[Markup] = []
    advisors: list[Markup] = []  # a name may link to its page: [Xin Jin](https://...)
    thesis: Markup | None = None
    note: Markup | None = None
    highlights: list[Bullet] = []
    courses: list[Markup] = []
    url: Url | None = None
    tags: list[str] = []


class SubProject(Dated):
    name: NonEmpty
    note: Markup | None = None
    summary: Paragraphs | None = None
    highlights: list[Bullet] = []
    url: Url | None = None


class Experience(DescribedEntry):
    organization: NonEmpty
    role: NonEmpty
    team: str | None = None
    location: str | None = None
    advisors: list[Markup] = []
    mentors: list[Markup] = []
    collaborators: list[Markup] = []
    projects: list[SubProject] = []


PublicationType = Literal[
    "conference",
    "journal",
    "workshop",
    "preprint",
    "thesis",
    "patent",
    "book",
    "chapter",
    "report",
    "poster",
    "demo",
    "other",
]
PublicationStatus = Literal[
    "published", "accepted", "to_appear", "under_review", "submitted", "in_preparation", "preprint"
]


class PublicationLinks(Model):
    paper: Url | None = None
    pdf: Url | None = None
    code: Url | None = None
    slides: Url | None = None
    video: Url | None = None
    poster: Url | None = None
    project: Url | None = None
    html: Url | None = None
    data: Url | None = None
    blog: Url | None = None
    demo: Url | None = None


def _authors_optional(schema: dict[str, Any]) -> None:
    """A profile may leave a publication's `authors` out: the loader makes it the owner's alone."""
    schema["required"] = [k for k in schema.get("required", []) if k != "authors"]


class Publication(Model):
    # Left out in the profile's YAML, `authors` is the owner alone (loading.profile.with_sole_authors):
    # humanities CVs list their own essays and chapters without a name; it was refused at each.
    # Required here, so a .bib entry without an author is still refused at its line.
    model_config = ConfigDict(json_schema_extra=_authors_optional)

    id: Annotated[str, Field(pattern=r"^[A-Za-z0-9_:.\-+/]+$")] | None = None
    title: Markup
    authors: Annotated[list[NonEmpty], Field(min_length=1, description="in order; left out: you alone")]
    equal_contribution: list[str] = []
    corresponding: list[str] = []
    venue: Markup | None = None
    venue_full: Markup | None = None
    date: Date
    type: PublicationType = "conference"
    status: PublicationStatus = "published"
    status_label: str | None = None
    award: Markup | None = None
    note: Markup | None = None
    pages: str | None = None
    volume: str | None = None
    number: str | None = None
    publisher: str | None = None
    location: str | None = None
    doi: Annotated[str, Field(pattern=r"^10\.\d{4,9}/\S+$")] | None = None
    arxiv: Annotated[str, Field(pattern=r"^(\d{4}\.\d{4,5}|[a-z\-]+(\.[A-Z]{2})?/\d{7})(v\d+)?$")] | None = None
    url: Url | None = None
    links: PublicationLinks = PublicationLinks()
    selected: bool = False
    tags: list[str] = []

    @field_validator("title")
    @classmethod
    def _title(cls, v: str) -> str:
        if not v.strip():
            raise PydanticCustomError("empty", "must not be empty")
        return v


class BibtexInclude(Model):
    """Publications read from a .bib file, path relative to the profile."""

    bibtex: NonEmpty


def _pub_tag(value: Any) -> str:
    return "bibtex" if isinstance(value, dict) and "bibtex" in value else "entry"


PublicationItem = Annotated[
    Annotated[Publication, Tag("entry")] | Annotated[BibtexInclude, Tag("bibtex")],
    Discriminator(_pub_tag),
]


class Honor(Dated):
    """An award on a `date`, or held over a `start`/`end` range (a fellowship, 2016–2019)."""

    title: Markup
    issuer: str | None = None
    note: Markup | None = None
    highlights: list[Bullet] = []
    url: Url | None = None
    tags: list[str] = []


class SkillGroup(Model):
    category: NonEmpty
    level: str | None = None  # "Advanced", "Native", "4/5"
    items: list[NonEmpty] = []

    @model_validator(mode="after")
    def _something(self) -> "SkillGroup":
        if not self.items and not self.level:
            raise PydanticCustomError("skill_empty", "give the skill's `items` or its `level`")
        return self


class Language(Model):
    language: NonEmpty
    fluency: str | None = None


class Project(DescribedEntry):
    name: NonEmpty
    role: str | None = None
    technologies: list[str] = []
    organization: str | None = None  # the company or body behind it (JSON Resume `entity`)
    type: str | None = None  # application, talk, volunteering...
    stars: Annotated[int, Field(ge=0)] | None = None
    metrics: list[str] = []


class Service(DescribedEntry):
    role: NonEmpty
    organization: str | None = None


class Teaching(DescribedEntry):
    course: NonEmpty
    role: str | None = None
    institution: str | None = None
    term: str | None = None
    terms: list[NonEmpty] = []


class TalkLinks(Model):
    slides: Url | None = None
    video: Url | None = None
    event: Url | None = None


class Talk(Model):
    title: Markup
    event: Markup | None = None
    location: str | None = None
    date: Date | None = None
    invited: bool = False
    links: TalkLinks = TalkLinks()
    note: Markup | None = None
    summary: Paragraphs | None = None
    tags: list[str] = []


class Certificate(Model):
    name: NonEmpty
    issuer: str | None = None
    date: Date | None = None
    url: Url | None = None
    note: Markup | None = None
    tags: list[str] = []


class Volunteer(DescribedEntry):
    organization: NonEmpty
    role: str | None = None
    location: str | None = None


class Reference(Model):
    name: NonEmpty
    role: str | None = None  # "Professor of Computer Science, ETH Zürich"
    relationship: str | None = None  # "PhD advisor"
    email: Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")] | None = None
    phone: str | None = None
    text: Paragraphs | None = None  # a quoted reference
    url: Url | None = None
    tags: list[str] = []


ReferencesOnRequest = Literal["on_request"]


def _references_tag(value: Any) -> str:
    return "references-on-request" if isinstance(value, str) else "references-list"


References = Annotated[
    Annotated[list[Reference], Tag("references-list")] | Annotated[ReferencesOnRequest, Tag("references-on-request")],
    Discriminator(_references_tag),
]


class Interest(Model):
    name: NonEmpty
    keywords: list[NonEmpty] = []


def _interest_tag(value: Any) -> str:
    return "interest-name" if isinstance(value, str) else "interest-entry"


InterestItem = Annotated[
    Annotated[NonEmpty, Tag("interest-name")] | Annotated[Interest, Tag("interest-entry")],
    Discriminator(_interest_tag),
]
# Discriminator tags of this module's unions; error locations drop them (validate.clean_loc).
UNION_TAGS = frozenset(
    {"references-list", "references-on-request", "interest-name", "interest-entry", "bullet-text", "bullet-entry"}
)


def _local_photo(value: str) -> str:
    """A path, not a link: cvbuild never fetches; the file itself is checked when it is read."""
    text = value.strip()
    if not text:
        raise PydanticCustomError("empty", "must not be empty")
    if "://" in text or text.lower().startswith("data:"):
        raise PydanticCustomError(
            "photo_url", "the photo must be a local PNG or JPEG file beside the profile, not a link; download it"
        )
    return text


PhotoPath = Annotated[
    str,
    AfterValidator(_local_photo),
    WithJsonSchema({"type": "string", "description": "path of a PNG or JPEG file, relative to the profile"}),
]


class GenericEntry(DescribedEntry):
    title: Markup = ""  # none: a paragraph of a free-text section ("About"), when it has only a summary
    subtitle: Markup | None = None
    location: str | None = None


class CustomSection(Model):
    title: NonEmpty
    id: Annotated[str, Field(pattern=r"^[a-z0-9_\-]+$")] | None = None
    entries: list[GenericEntry] = []


SectionId = str

GroupBy = Literal["none", "type", "year"]
Numbering = Literal["none", "ascending", "descending", "type"]
# "as_written": the order of the profile (an included .bib file keeps its own order).
PublicationSort = Literal["newest", "oldest", "as_written"]
Highlight = Literal["bold", "underline", "none"]


class PublicationOptions(Model):
    """How publications are chosen and shown; unset fields take the theme's defaults."""

    group_by: GroupBy | None = None
    sort: PublicationSort | None = None
    since: Annotated[int, Field(ge=1900, le=2200)] | None = None
    selected_only: bool | None = None
    tags: list[str] | None = None
    numbering: Numbering | None = None
    # "document": numbers run on across groups, so no number appears twice; "group": each group restarts.
    numbering_scope: Literal["document", "group"] | None = None
    # Truncate author lists to about this many names (the owner always stays); null or 0: no limit.
    max_authors: Annotated[int, Field(ge=0)] | None = None
    highlight: Highlight | None = None
    title: str | None = None
    # The owner's words for a status: {submitted: In submission}. A publication's own
    # `status_label` wins over this map.
    status_labels: dict[PublicationStatus, NonEmpty] = {}


class MergedSection(Model):
    """One heading over several sections: `{title: Service, include: [service, teaching, leadership]}`."""

    title: NonEmpty
    id: Annotated[str, Field(pattern=r"^[a-z0-9_\-]+$")] | None = None
    include: Annotated[list[str], Field(min_length=1)]


DateFormat = Literal["short", "long", "numeric", "year"]

# PDF standards both engines can write: PDF/A-2 and -3 (archival; b: the look kept, u: also the
# text as Unicode, a: also tagged for accessibility), PDF/A-4, and PDF/UA-1 (accessible). PDF/A-1
# is left out: it forbids the transparency themes may use.
PdfStandard = Literal["a-2b", "a-2u", "a-2a", "a-3b", "a-3u", "a-3a", "a-4", "ua-1"]


def _one_archival_level(standards: list[PdfStandard]) -> list[PdfStandard]:
    """At most one PDF/A level, with PDF/UA-1 beside it or alone; PDF/A-4 is PDF 2.0, which PDF/UA-1
    (PDF 1.4-1.7) cannot be. Typst refuses the same, but only at render time and unlocated."""
    archival = [s for s in standards if s.startswith("a-")]
    if len(archival) > 1:
        raise PydanticCustomError(
            "pdf_standards", "choose one PDF/A level, not {levels}", {"levels": ", ".join(archival)}
        )
    if "a-4" in archival and "ua-1" in standards:
        raise PydanticCustomError(
            "pdf_standards", "PDF/A-4 (PDF 2.0) and PDF/UA-1 (PDF 1.7) cannot be combined; use a-2a with ua-1"
        )
    return list(dict.fromkeys(standards))


class DocumentSpec(Model):
    """One tailored variant of the profile: which sections, which entries, which theme."""

    theme: str | None = None
    title: str | None = None
    sections: list[str | MergedSection] | None = None
    section_titles: dict[str, str] = {}
    tags: list[str] = []
    locale: LocaleCode | None = None
    # The document's own words for any built-in label ({updated: "Last revised", detail.advisor: Supervisor}).
    labels: LabelMap = {}
    max_pages: Annotated[int, Field(ge=1)] | None = None
    # Month style of every date: short "Jul 2025", long "July 2025", numeric "07/2025", year "2025".
    date_format: DateFormat | None = None
    formats: list[Literal["pdf", "html", "txt", "md", "png"]] | None = None
    # PDF standards the PDF is written to: [a-2a, ua-1] is archival and accessible.
    pdf_standards: Annotated[list[PdfStandard], AfterValidator(_one_archival_level)] = []
    publications: PublicationOptions = PublicationOptions()
    options: dict[str, Scalar] = {}


def _full_date(value: PartialDate | None) -> PartialDate | None:
    """A letter is dated to the day: `2026-11-28`, not `2026-11` or `present`."""
    if value is not None and (value.present or value.day is None):
        raise PydanticCustomError("letter_date", "give the letter's full date, YYYY-MM-DD, or leave it out for today")
    return value


def _has_text(value: str) -> str:
    if not value.strip():
        raise PydanticCustomError("empty", "must not be empty")
    return value


class Recipient(Model):
    """Who a letter goes to; each part one line of the address block, in this order."""

    name: str | None = None
    organization: str | None = None
    address: list[NonEmpty] = []


class LetterSpec(Model):
    """A cover letter: rendered like a document (`cvbuild render -d NAME`), under the CV's header.

    The sender is the profile's name and contact; the look is the theme's, as for a CV."""

    recipient: Recipient = Recipient()
    # The day it is dated; none: the build date (SOURCE_DATE_EPOCH when set), like the CV's.
    date: Annotated[Date | None, AfterValidator(_full_date)] = None
    # Where it is written from: the date line reads `Zürich, November 28, 2026` (the locale's
    # `letter.dateline` orders the two: French `Paris, le 28 novembre 2026`).
    place: NonEmpty | None = None
    subject: Markup | None = None
    # Kept as written. None: built from the recipient's name in the locale (`Dear Dr. Roe,`,
    # `Sehr geehrte Frau Dr. Müller,`), or without a name the locale's (`Dear Hiring Manager,`).
    salutation: str | None = None
    body: Annotated[Paragraphs, AfterValidator(_has_text)]  # blank lines between paragraphs
    closing: str | None = None  # none: the locale's (`Sincerely,`, `Mit freundlichen Grüßen`)
    signature: str | None = None  # none: the profile's name
    # What goes with it, one line each under the locale's `Enclosures:` (`Anlagen`): `CV`.
    enclosures: list[NonEmpty] = []
    # As a document's: which theme, its options and formats, the language and words, PDF standards,
    # and a page budget (`max_pages: 1` tightens spacing and size to fit, as for a CV).
    theme: str | None = None
    title: str | None = None
    locale: LocaleCode | None = None
    labels: LabelMap = {}
    max_pages: Annotated[int, Field(ge=1)] | None = None
    formats: list[Literal["pdf", "html", "txt", "md", "png"]] | None = None
    pdf_standards: Annotated[list[PdfStandard], AfterValidator(_one_archival_level)] = []
    options: dict[str, Scalar] = {}

    def document_spec(self) -> DocumentSpec:
        """The document a letter renders as: its settings, and no CV sections."""
        keys = ("theme", "title", "locale", "labels", "max_pages", "formats", "pdf_standards", "options")
        return DocumentSpec(sections=[], **{k: getattr(self, k) for k in keys})


DocumentName = Annotated[str, Field(pattern=r"^[A-Za-z0-9_\-]+$")]


class Profile(Model):
    """A person's whole career record; the single source of truth for every document."""

    name: NonEmpty
    native_name: str | None = None
    aliases: list[NonEmpty] = []
    headline: Markup | None = None
    pronouns: str | None = None
    photo: PhotoPath | None = None  # a PNG or JPEG beside the profile; résumé themes hide it (show_photo)
    contact: Contact = Contact()
    summary: Paragraphs | None = None
    interests: list[InterestItem] = []
    education: list[Education] = []
    experience: list[Experience] = []
    publications: list[PublicationItem] = []
    honors: list[Honor] = []
    skills: list[SkillGroup] = []
    languages: list[Language] = []
    projects: list[Project] = []
    service: list[Service] = []
    teaching: list[Teaching] = []
    talks: list[Talk] = []
    certificates: list[Certificate] = []
    volunteer: list[Volunteer] = []
    references: References = []
    sections: list[CustomSection] = []
    documents: dict[DocumentName, DocumentSpec] = {}
    # Cover letters, by name; a name is chosen with `-d` as a document's is, so none is both.
    letters: dict[DocumentName, LetterSpec] = {}

    @field_validator("letters")
    @classmethod
    def _letter_names(cls, letters: dict[str, LetterSpec], info: ValidationInfo) -> dict[str, LetterSpec]:
        both = [name for name in letters if name in (info.data.get("documents") or {})]
        if both:
            raise PydanticCustomError(
                "letter_name",
                "`{name}` names a document and a letter; `-d` chooses by name: rename one",
                {"name": both[0]},
            )
        if "cv" in letters and not info.data.get("documents", {"": None}):
            # With no documents declared, `cv` is the CV's own name: the letter took `-d cv` and
            # both were written to NAME-cv, which failed the render (exit 1, "File exists").
            raise PydanticCustomError(
                "letter_name", "`cv` is the CV's name when no documents are declared: rename the letter"
            )
        return letters

    def publication_entries(self) -> list[Publication]:
        """YAML publications only; BibTeX includes are resolved by the loader before this is used."""
        return [p for p in self.publications if isinstance(p, Publication)]

    def interest_entries(self) -> list[Interest]:
        """Interests in one form: a plain string is an interest without keywords."""
        return [Interest(name=i) if isinstance(i, str) else i for i in self.interests]
