"""Profile + document spec -> Document. One pure function; templates only lay out its result."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from cvbuild import __version__
from cvbuild.document import publications as pubs
from cvbuild.document.authors import owner_keys
from cvbuild.document.dates import date_range, day_ranges
from cvbuild.document.inline import plain, spans
from cvbuild.document.links import make_link
from cvbuild.document.locales import Vocabulary, language, layout_words, normalize, vocabulary
from cvbuild.document.model import (
    DateRange,
    Detail,
    Document,
    Entry,
    Group,
    Letter,
    Link,
    Meta,
    Person,
    Photo,
    Section,
    Span,
)
from cvbuild.document.sections import BUILTIN_SECTIONS, custom_section_ids, section_slug
from cvbuild.errors import InputError
from cvbuild.schema.fields import phone_formats
from cvbuild.schema.model import DocumentSpec, LetterSpec, MergedSection, Profile, network_key

# How bare user names in contact.links become URLs.
HANDLE_URLS = {
    "github": ("GitHub", "https://github.com/{}"),
    "gitlab": ("GitLab", "https://gitlab.com/{}"),
    "google_scholar": ("Google Scholar", "https://scholar.google.com/citations?user={}"),
    "orcid": ("ORCID", "https://orcid.org/{}"),
    "dblp": ("DBLP", "https://dblp.org/pid/{}"),
    "linkedin": ("LinkedIn", "https://www.linkedin.com/in/{}"),
    "x": ("X", "https://x.com/{}"),
    "mastodon": ("Mastodon", "{}"),
    "bluesky": ("Bluesky", "https://bsky.app/profile/{}"),
    "researchgate": ("ResearchGate", "https://www.researchgate.net/profile/{}"),
    "semantic_scholar": ("Semantic Scholar", "{}"),
    "stackoverflow": ("Stack Overflow", "{}"),
    "youtube": ("YouTube", "https://www.youtube.com/@{}"),
    "blog": ("Blog", "{}"),
}


@dataclass(frozen=True)
class BuildOptions:
    """Everything besides the profile that shapes a Document."""

    document: str = "cv"
    spec: DocumentSpec = field(default_factory=DocumentSpec)
    publications: pubs.PublicationView = field(default_factory=pubs.PublicationView)
    section_order: tuple[str, ...] = ()
    section_titles: Mapping[str, str | Mapping[str, str]] = field(default_factory=dict)  # the theme's
    theme_options: Mapping[str, Any] = field(default_factory=dict)
    locale: str = "en"
    today: _dt.date = _dt.date(2000, 1, 1)
    photo: Photo | None = None  # read and checked by cvbuild.loading.photo
    letter: LetterSpec | None = None  # a cover letter is rendered instead of CV sections


def build_document(profile: Profile, options: BuildOptions) -> Document:
    """The single place where content is selected and formatted."""
    spec = options.spec
    ctx = _context(profile, options)
    locale, words, view = spec.locale or options.locale, ctx.style.words, ctx.view
    sections = [
        s for item in _section_ids(ctx.custom_ids, spec, options.section_order) if (s := _any_section(ctx, item))
    ]
    highlight = view.highlight if view.highlight in ("bold", "underline", "none") else "bold"
    letter = _letter(options.letter, profile, words, options.today) if options.letter else None
    kind = words["letter.title"] if letter else words["cv"]
    if letter and letter.subject:
        subject = plain(letter.subject)
    else:
        subject = plain(spans(profile.headline)) if profile.headline and not letter else kind
    return Document(
        meta=Meta(
            title=spec.title or f"{profile.name} – {kind}",
            author=profile.name,
            subject=subject,
            keywords=[i.name for i in profile.interest_entries()],
            date=options.today.isoformat(),
            date_text=_long_date(options.today, locale),
            locale=locale,
            document=options.document,
            generator=f"cvbuild {__version__}",
            highlight=highlight,
            pdf_standards=list(spec.pdf_standards),
            labels=layout_words(words.table),
        ),
        person=_person(profile, words).model_copy(update={"photo": options.photo}),
        sections=sections,
        letter=letter,
        options=dict(options.theme_options),
    )


def check_document(profile: Profile, options: BuildOptions) -> None:
    """What `build_document` could refuse, without formatting the entries it cannot refuse:
    `validate` built every document of a profile only to drop it (10,000 publications: 1.2 s of
    its 3 s). Everything before the sections is made as there, and each merged section is built
    as there, its parts' entries included: whether a part can be merged depends on them; so are
    the header and a letter."""
    ctx = _context(profile, options)
    for item in _section_ids(ctx.custom_ids, options.spec, options.section_order):
        if isinstance(item, MergedSection):
            _merged_section(ctx, item)
    _person(profile, ctx.style.words)  # the header and a letter: a few fields, made as a build makes them
    if options.letter:
        _letter(options.letter, profile, ctx.style.words, options.today)


def _context(profile: Profile, options: BuildOptions) -> _SectionContext:
    """The document's words, publication view, owner keys and entry style, resolved once."""
    spec = options.spec
    words = vocabulary(spec.locale or options.locale, spec.labels)  # every built-in word of this Document
    style = EntryStyle(
        words=words,
        date_format=spec.date_format or str(options.theme_options.get("date_format", "short")),
        compact_numbers=bool(options.theme_options.get("compact_numbers", True)),
    )
    view = _publication_view(options.publications, spec)
    keys = owner_keys([profile.name, *profile.aliases])
    custom = custom_section_ids([(s.id, s.title) for s in profile.sections])
    return _SectionContext(profile, spec, options, view, keys, style, custom)


def _letter(spec: LetterSpec, profile: Profile, words: Vocabulary, today: _dt.date) -> Letter:
    """The letter worded: the locale's salutation and closing where it gives none, its date (or
    the build date) in the locale's long form."""
    day = spec.date.first_day() if spec.date else today
    to = spec.recipient
    date_text = _long_date(day, words.locale)
    return Letter(
        recipient=[line for line in (to.name, to.organization, *to.address) if line],
        date=day.isoformat(),
        date_text=date_text,
        date_line=dateline(words["letter.dateline"], spec.place, date_text),
        subject=spans(spec.subject) if spec.subject else None,
        salutation=spec.salutation or _salutation(to.name, words),
        body=[spans(p) for p in _paragraphs(spec.body)],
        closing=spec.closing or words["letter.closing"],
        signature=spec.signature or profile.name,
        enclosures=list(spec.enclosures),
        enclosures_label=words["letter.enclosures"],
    )


def _salutation(name: str | None, words: Vocabulary) -> str:
    """To a named recipient, a salutation built from the name ("Dear Dr. Roe,"); else the locale's."""
    if not name or not name.strip():
        return words["letter.salutation"]
    from cvbuild.document.locales import language
    from cvbuild.document.salutation import salutation

    return salutation(name, words.table, language(words.locale))


def dateline(pattern: str, place: str | None, date_text: str) -> str:
    """The locale's `{place}, {date}` filled in (as every label: the schema allows only these
    placeholders in it); without a place, the date alone."""
    return date_text if place is None else pattern.format(place=place, date=date_text)


def _long_date(day: _dt.date, locale: str) -> str:
    from cvbuild.document.dates import localized

    return localized(day, "long", locale)


def _publication_view(base: pubs.PublicationView, spec: DocumentSpec) -> pubs.PublicationView:
    given = spec.publications.model_dump(exclude_none=True, exclude={"title", "status_labels"})
    if "max_authors" in spec.publications.model_fields_set and spec.publications.max_authors is None:
        given["max_authors"] = None  # an explicit `max_authors: null` lifts a theme's limit
    if "tags" in given:
        given["tags"] = tuple(given["tags"])
    return replace(base, **given)


def _section_ids(custom: Sequence[str], spec: DocumentSpec, theme_order: Sequence[str]) -> list[str | MergedSection]:
    if spec.sections is not None:
        return list(spec.sections)
    order = [s for s in theme_order if s in BUILTIN_SECTIONS or s in custom]
    rest = [s for s in [*BUILTIN_SECTIONS, *custom] if s not in order]
    return [*order, *rest]


def _tagged(items: Iterable[Any], tags: Sequence[str]) -> list[Any]:
    """With document tags, keep untagged entries and those sharing a tag."""
    if not tags:
        return list(items)
    return [i for i in items if not getattr(i, "tags", None) or set(tags) & set(i.tags)]


@dataclass(frozen=True)
class _SectionContext:
    profile: Profile
    spec: DocumentSpec
    options: BuildOptions
    view: pubs.PublicationView
    keys: Any
    style: EntryStyle
    custom_ids: Sequence[str]  # of profile.sections, in order (custom_section_ids)

    def title(self, sid: str, default: str) -> str:
        """The document's title for a section, then the theme's, then `default` (the locale's)."""
        return (
            self.spec.section_titles.get(sid)
            or _theme_title(self.options.section_titles.get(sid), self.style.locale)
            or default
        )


def _theme_title(title: str | Mapping[str, str] | None, locale: str) -> str | None:
    """A theme's heading: one for every language, or the one for the locale (`de_AT`) or its language (`de`)."""
    if title is None or isinstance(title, str):
        return title
    return title.get(normalize(locale)) or title.get(language(locale))


def _any_section(ctx: _SectionContext, item: str | MergedSection) -> Section | None:
    if isinstance(item, str):
        return _section(ctx, item)
    return _merged_section(ctx, item)


class MergeError(InputError):
    """A merged section that cannot be; `index` is its place in the document's `sections`, where
    `pipeline.locate_in_profile` points (it was blamed on the document's `theme:` line)."""

    def __init__(self, message: str, index: int | None) -> None:
        super().__init__(message)
        self.index = index


def _merged_section(ctx: _SectionContext, merged: MergedSection) -> Section | None:
    """One heading over the entries of several sections, each keeping its own order."""
    parts = [s for sid in merged.include if (s := _section(ctx, sid)) is not None]
    wrong = [s.id for s in parts if s.kind != "entries"]
    if wrong:
        index = next((i for i, item in enumerate(ctx.spec.sections or ()) if item is merged), None)
        raise MergeError(
            f"documents.{ctx.options.document}.sections: {wrong[0]!r} cannot be merged under "
            f"{merged.title!r}; only sections of dated entries (experience, service, teaching, honors, "
            "talks, projects, education, custom sections) can share a heading",
            index,
        )
    entries = [e for s in parts for g in s.groups for e in g.entries]
    if not entries:
        return None
    sid = merged.id or section_slug(merged.title)
    return Section(id=sid, kind="entries", title=ctx.title(sid, merged.title), groups=[Group(entries=entries)])


def _section(ctx: _SectionContext, sid: str) -> Section | None:
    profile = ctx.profile
    title = ctx.title(sid, ctx.style.words[f"section.{sid}"] if sid in BUILTIN_SECTIONS else sid)
    tags = ctx.spec.tags
    if sid == "publications":
        return _publications_section(ctx)
    if sid == "summary":
        if not profile.summary:
            return None
        paragraphs = [Entry(title=[], summary=spans(p)) for p in _paragraphs(profile.summary)]
        return Section(id=sid, kind="text", title=title, groups=[Group(entries=paragraphs)])
    if sid == "interests":
        interests = profile.interest_entries()
        if any(i.keywords for i in interests):  # name: keywords rows, like skills
            return _maybe(sid, "table", title, [Entry(title=[Span(text=i.name)], items=i.keywords) for i in interests])
        if not interests:
            return None
        names = [i.name for i in interests]
        return Section(id=sid, kind="tags", title=title, groups=[Group(entries=[Entry(title=[], items=names)])])
    if sid == "skills":
        rows = [
            Entry(
                title=[Span(text=s.category)], subtitle=[Span(text=s.level)] if s.level else None, items=list(s.items)
            )
            for s in profile.skills
        ]
        return _maybe(sid, "table", title, rows)
    if sid == "references" and profile.references == "on_request":
        on_request = [Span(text=ctx.style.words["references.on_request"])]
        return Section(id=sid, kind="text", title=title, groups=[Group(entries=[Entry(title=[], summary=on_request)])])
    if sid == "languages":
        return _languages(
            profile, title, str(ctx.options.theme_options.get("languages_style", "line")), ctx.style.words
        )
    maker = ENTRY_MAKERS.get(sid)
    if maker is not None:
        return _maybe(sid, "entries", title, [maker(item, ctx.style) for item in _tagged(getattr(profile, sid), tags)])
    for custom, custom_id in zip(profile.sections, ctx.custom_ids, strict=True):
        if custom_id == sid:
            title = ctx.title(sid, custom.title)
            chosen = _tagged(custom.entries, tags)
            if chosen and all(_paragraph_only(e) for e in chosen):  # free text: set like the summary
                paragraphs = [Entry(title=[], summary=spans(p)) for e in chosen for p in _paragraphs(e.summary)]
                return _maybe(sid, "text", title, paragraphs)
            return _maybe(sid, "entries", title, [_generic(e, ctx.style) for e in chosen])
    return None


def _paragraph_only(e: Any) -> bool:
    """An entry of a custom section with a summary and nothing else: a paragraph of free text."""
    return bool(e.summary) and not e.model_dump(exclude={"summary", "tags"}, exclude_defaults=True)


def _paragraphs(text: str) -> list[str]:
    """A summary of several paragraphs (blank lines between) stays several paragraphs."""
    parts = [p.strip() for p in text.replace("\r\n", "\n").split("\n\n")]
    return [p for p in parts if p]


def _languages(profile: Profile, title: str, layout: str, words: Vocabulary) -> Section | None:
    """One line, "English, Chinese (native)" (中文（母语）), unless the theme asks for a table and every row is full."""
    langs = profile.languages
    if not langs:
        return None
    if layout == "table" and all(lang.fluency for lang in langs):
        rows = [Entry(title=[Span(text=lang.language)], items=[str(lang.fluency)]) for lang in langs]
        return _maybe("languages", "table", title, rows)
    po, pc = words["paren_open"], words["paren_close"]
    items = [f"{lang.language}{po}{lang.fluency}{pc}" if lang.fluency else lang.language for lang in langs]
    return Section(id="languages", kind="tags", title=title, groups=[Group(entries=[Entry(title=[], items=items)])])


def _maybe(sid: str, kind: Any, title: str, entries: list[Entry]) -> Section | None:
    if not entries:
        return None
    return Section(id=sid, kind=kind, title=title, groups=[Group(entries=list(entries))])


def _publications_section(ctx: _SectionContext) -> Section | None:
    view, spec = ctx.view, ctx.spec
    chosen = pubs.select(ctx.profile.publication_entries(), view, spec.tags)
    if not chosen:
        return None
    labels = {str(k): v for k, v in spec.publications.status_labels.items()}
    words = ctx.style.words
    plan = pubs.plan_groups([(p.type, str(p.date.year)) for p in chosen], view, words)
    numbers = {i: number for _, members in plan for i, number in members}
    entries = [pubs.entry(p, ctx.keys, view, words, labels, numbers[i]) for i, p in enumerate(chosen)]
    default = words["section.publications"]
    if view.since is not None:
        default = words["section.publications_since"].format(year=view.since)
    title = spec.publications.title or ctx.title("publications", default)
    return Section(
        id="publications",
        kind="publications",
        title=title,
        groups=[Group(title=title, entries=[entries[i] for i, _ in members]) for title, members in plan],
        legend=pubs.legend(entries, words),
        counts=pubs.counts(entries),
        summary=pubs.summary(entries, words),
    )


@dataclass(frozen=True)
class EntryStyle:
    """How entries are formatted in this document: its words (and locale) and the theme's choices."""

    words: Vocabulary = field(default_factory=lambda: vocabulary("en"))
    date_format: str = "short"
    compact_numbers: bool = True

    @property
    def locale(self) -> str:
        return self.words.locale

    def dates(self, item: Any, *, expected: bool = False) -> DateRange | None:
        single = getattr(item, "date", None)
        start, end = getattr(item, "start", None), getattr(item, "end", None)
        present = (self.words["date.present"], self.words["date.expected"])
        return date_range(
            start,
            end,
            self.locale,
            single=single,
            expected=expected,
            style=self.date_format,
            words=present,
            dash=self.words["range_sep"],
            months=self.words.months(self.date_format),
        )

    def typed(self, text: str | None) -> str | None:
        """Free text that may hold an event's days ("Vienna, July 21-27"), with the en dash of a range."""
        return day_ranges(text, self.locale) if text else text

    def typed_spans(self, runs: list[Span] | None) -> list[Span] | None:
        """The same for rich text; code stays verbatim."""
        if not runs:
            return runs
        return [r if r.code else r.model_copy(update={"text": day_ranges(r.text, self.locale)}) for r in runs]

    def link(self, url: str | None, kind: str = "link") -> list[Link]:
        """The entry's link button, labelled in the document's language (`link.website`...)."""
        return [make_link("url", self.words[f"link.{kind}"], url)] if url else []

    def names(self, key: str, names: Sequence[str]) -> list[Detail]:
        """`Advisor: A` or `Advisors: A, B`: `detail.advisor`, or `detail.advisors` for several."""
        if not names:
            return []
        label = self.words[f"detail.{key}" if len(names) == 1 or key.endswith("_with") else f"detail.{key}s"]
        value: list[Span] = []
        for i, name in enumerate(names):  # each name may be a Markdown link to the person's page
            value += ([Span(text=self.words["list_sep"])] if i else []) + spans(name)
        return [Detail(label=label, value=value)]


def _opt_spans(text: str | None) -> list[Span] | None:
    return spans(text) if text else None


def _summary(text: str | None) -> dict[str, Any]:
    """An entry's `summary` and, when the owner wrote several paragraphs, its `paragraphs`: a
    blank line is a paragraph break in YAML and JSON Resume alike, not two spaces in one line."""
    parts = _paragraphs(text) if text else []
    if len(parts) < 2:
        return {"summary": _opt_spans(text)}
    paragraphs = [spans(p) for p in parts]
    # `summary` stays the whole text on one line, for themes that print one paragraph
    return {"summary": _joined_spans(parts, " "), "paragraphs": paragraphs}


def _join(*parts: str | None, sep: str = ", ") -> str | None:
    text = sep.join(p for p in parts if p)
    return text or None


def _bullets(items: Sequence[Any]) -> dict[str, Any]:
    """`highlights` and the parallel `subhighlights` of an Entry, from plain or nested bullets."""
    tops = [spans(b if isinstance(b, str) else b.text) for b in items]
    subs = [[] if isinstance(b, str) else [spans(h) for h in b.highlights] for b in items]
    return {"highlights": tops, "subhighlights": subs}


def _common(item: Any, style: EntryStyle) -> dict[str, Any]:
    """Fields every kind of entry shares, so each is printed the same way wherever it appears."""
    return {
        "note": _opt_spans(getattr(item, "note", None)),
        **_summary(getattr(item, "summary", None)),
        **_bullets(getattr(item, "highlights", [])),
    }


def _education(e: Any, style: EntryStyle) -> Entry:
    words = style.words
    details = [Detail(label=words["detail.gpa"], value=[Span(text=e.gpa)])] if e.gpa else []
    if e.thesis:
        details.append(Detail(label=words["detail.thesis"], value=spans(e.thesis)))
    details += style.names("advisor", e.advisors)
    if e.honors:
        details.append(Detail(label=words["detail.honors"], value=_joined_spans(e.honors, words["list_sep_long"])))
    if e.courses:
        details.append(Detail(label=words["detail.courses"], value=_joined_spans(e.courses, words["list_sep_long"])))
    degree = words["degree.in_field"].format(degree=e.degree, field=e.field) if e.degree and e.field else None
    degree = degree or e.degree or e.field
    return Entry(
        title=[Span(text=degree or e.institution)],
        subtitle=[Span(text=e.institution)] if degree else None,
        date=style.dates(e, expected=e.expected),
        location=e.location,
        details=details,
        links=style.link(e.url, "website"),
        **_common(e, style),
    )


def _joined_spans(texts: Sequence[str], sep: str) -> list[Span]:
    """Items that may hold commas (courses): `sep` is `; `, or the language's list separator (、)."""
    out: list[Span] = []
    for i, text in enumerate(texts):
        if i:
            out.append(Span(text=sep))
        out.extend(spans(text))
    return out


def _experience(e: Any, style: EntryStyle) -> Entry:
    people = style.names("advisor", e.advisors) + style.names("mentor", e.mentors)
    people += style.names("worked_with", e.collaborators)
    return Entry(
        title=[Span(text=e.role)],
        subtitle=[Span(text=_join(e.organization, e.team, sep=style.words["comma"]) or e.organization)],
        date=style.dates(e),
        location=e.location,
        details=people,
        links=style.link(e.url, "website"),
        children=[
            Entry(title=[Span(text=p.name)], date=style.dates(p), links=style.link(p.url), **_common(p, style))
            for p in e.projects
        ],
        **_common(e, style),
    )


def compact_number(n: int, decimal: str = ".") -> str:
    """4,100 -> 4.1k and 12,000,000 -> 12M, as GitHub shows stars (`decimal`: the locale's
    separator, 4,1k); below 1,000 unchanged."""
    for size, suffix in ((1_000_000_000, "B"), (1_000_000, "M"), (1_000, "k")):
        if n >= size:
            value = n / size
            text = f"{value:.1f}" if value < 100 else f"{value:.0f}"
            return text.removesuffix(".0").replace(".", decimal) + suffix
    return str(n)


def _project(p: Any, style: EntryStyle) -> Entry:
    stars = []
    if p.stars is not None:
        words = style.words
        stars = [f"{compact_number(p.stars, words.decimal()) if style.compact_numbers else words.number(p.stars)} ★"]
    sub = _join(p.role, p.organization, p.type, sep=" · ")
    return Entry(
        title=[Span(text=p.name)],
        subtitle=[Span(text=sub)] if sub else None,
        date=style.dates(p),
        stats=[*stars, *p.metrics],
        items=list(p.technologies),
        links=style.link(p.url, "code" if p.url and "github.com" in p.url else "website"),
        **_common(p, style),
    )


def _honor(h: Any, style: EntryStyle) -> Entry:
    return Entry(
        title=spans(h.title),
        subtitle=[Span(text=h.issuer)] if h.issuer else None,
        date=style.dates(h),
        links=style.link(h.url),
        **_common(h, style),
    )


def _service(s: Any, style: EntryStyle) -> Entry:
    return Entry(
        title=[Span(text=s.role)],
        subtitle=[Span(text=s.organization)] if s.organization else None,
        date=style.dates(s),
        links=style.link(s.url),
        **_common(s, style),
    )


def _teaching(t: Any, style: EntryStyle) -> Entry:
    date = style.dates(t)
    terms = [day_ranges(term, style.locale) for term in (*([t.term] if t.term else []), *t.terms)]
    if terms:  # "Fall 2024, Spring 2025" says it better than a formatted range
        date = DateRange(
            text=style.words["list_sep"].join(terms), start=date.start if date else None, end=date.end if date else None
        )
    sub = _join(t.role, t.institution, sep=style.words["comma"])
    return Entry(
        title=[Span(text=t.course)],
        subtitle=[Span(text=sub)] if sub else None,
        date=date,
        links=style.link(t.url, "course"),
        **_common(t, style),
    )


def _talk(t: Any, style: EntryStyle) -> Entry:
    words = style.words
    links = [make_link(k, words[f"link.{k}"], v) for k, v in t.links.model_dump(exclude_none=True).items()]
    event = style.typed_spans(spans(t.event)) if t.event else None
    if t.invited:
        event = [*(event or []), Span(text=words["talk.invited"] if event else words["talk.invited_talk"])]
    return Entry(
        title=spans(t.title),
        subtitle=event,
        date=style.dates(t),
        location=style.typed(t.location),
        links=links,
        **_common(t, style),
    )


def _generic(e: Any, style: EntryStyle) -> Entry:
    return Entry(
        title=spans(e.title),
        subtitle=_opt_spans(e.subtitle),
        date=style.dates(e),
        location=style.typed(e.location),
        links=style.link(e.url),
        **_common(e, style),
    )


def _certificate(c: Any, style: EntryStyle) -> Entry:
    return Entry(
        title=[Span(text=c.name)],
        subtitle=[Span(text=c.issuer)] if c.issuer else None,
        date=style.dates(c),
        links=style.link(c.url, "certificate"),
        **_common(c, style),
    )


def _volunteer(v: Any, style: EntryStyle) -> Entry:
    return Entry(
        title=[Span(text=v.role or v.organization)],
        subtitle=[Span(text=v.organization)] if v.role else None,
        date=style.dates(v),
        location=v.location,
        links=style.link(v.url, "website"),
        **_common(v, style),
    )


def _reference(r: Any, style: EntryStyle) -> Entry:
    """Contact details as text, so a reader of the PDF or of the printout can use them."""
    words = style.words
    details = (
        [Detail(label=words["detail.email"], value=[Span(text=r.email, href="mailto:" + r.email)])] if r.email else []
    )
    if r.phone:
        tel = _tel(r.phone) if any(ch.isdigit() for ch in r.phone) else None
        details.append(Detail(label=words["detail.phone"], value=[Span(text=r.phone, href=tel)]))
    return Entry(
        title=[Span(text=r.name)],
        subtitle=[Span(text=sub)] if (sub := _join(r.role, r.relationship, sep=" · ")) else None,
        **_summary(r.text),
        details=details,
        links=style.link(r.url, "website"),
    )


ENTRY_MAKERS = {
    "education": _education,
    "experience": _experience,
    "projects": _project,
    "honors": _honor,
    "service": _service,
    "teaching": _teaching,
    "talks": _talk,
    "certificates": _certificate,
    "volunteer": _volunteer,
    "references": _reference,
}


def _person(profile: Profile, words: Vocabulary) -> Person:
    c = profile.contact
    phone = phone_formats(c.phone) if c.phone else None  # readable text, E.164 for tel: links
    links = []
    for kind, value in c.links.model_dump(exclude_none=True).items():
        label, pattern = HANDLE_URLS[kind]
        label = words["link.blog"] if kind == "blog" else label  # the others are names: GitHub, ORCID
        url = value if "://" in value else pattern.format(value.lstrip("@"))
        links.append(make_link(kind, label, url))
    for prof in c.profiles:
        key = network_key(prof.network)
        # The schema allows a bare user name for NAMED_NETWORKS only.
        url = prof.url or HANDLE_URLS[key][1].format((prof.username or "").lstrip("@"))
        # A user name given beside a full URL is shown too: "Codeberg (wtang)".
        label = f"{prof.network} ({prof.username})" if prof.url and prof.username else prof.network
        links.append(make_link(key, label, url))
    return Person(
        name=profile.name,
        native_name=profile.native_name,
        headline=_opt_spans(profile.headline),
        pronouns=profile.pronouns,
        email=c.email,
        email_obfuscated=_obfuscate(c.email) if c.email else None,
        phone=phone[0] if phone else None,
        phone_url="tel:" + phone[1] if phone else None,
        website=make_link("website", words["link.website"], c.website) if c.website else None,
        location=c.location,
        links=links,
    )


def _tel(phone: str) -> str:
    return "tel:" + "".join(ch for ch in phone if ch.isdigit() or ch == "+")


def _obfuscate(email: str) -> str:
    """`ada@example.org` -> `ada (at) example (dot) org`, as homepages write it by hand."""
    user, _, host = email.partition("@")
    return f"{user} (at) {host.replace('.', ' (dot) ')}"
