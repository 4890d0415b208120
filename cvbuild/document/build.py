"""Profile + document spec -> Document. One pure function; templates only lay out its result."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from cvbuild import __version__
from cvbuild.document import publications as pubs
from cvbuild.document.authors import owner_keys
from cvbuild.document.dates import date_range
from cvbuild.document.inline import plain, spans
from cvbuild.document.links import make_link
from cvbuild.document.model import (
    DateRange,
    Detail,
    Document,
    Entry,
    Group,
    Link,
    Meta,
    Person,
    Photo,
    Section,
    Span,
)
from cvbuild.document.sections import BUILTIN_SECTIONS, section_slug
from cvbuild.schema.model import DocumentSpec, Profile, network_key

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
    section_titles: Mapping[str, str] = field(default_factory=dict)
    theme_options: Mapping[str, Any] = field(default_factory=dict)
    locale: str = "en"
    today: _dt.date = _dt.date(2000, 1, 1)
    photo: Photo | None = None  # read and checked by cvbuild.loading.photo


def build_document(profile: Profile, options: BuildOptions) -> Document:
    """The single place where content is selected and formatted."""
    spec = options.spec
    locale = spec.locale or options.locale
    view = _publication_view(options.publications, spec)
    keys = owner_keys([profile.name, *profile.aliases])
    sections = [
        s
        for sid in _section_ids(profile, spec, options.section_order)
        if (s := _section(profile, sid, spec, options, view, keys, locale)) is not None
    ]
    highlight = view.highlight if view.highlight in ("bold", "underline", "none") else "bold"
    return Document(
        meta=Meta(
            title=spec.title or f"{profile.name} – Curriculum Vitae",
            author=profile.name,
            subject=plain(spans(profile.headline)) if profile.headline else "Curriculum Vitae",
            keywords=[i.name for i in profile.interest_entries()],
            date=options.today.isoformat(),
            date_text=_long_date(options.today, locale),
            locale=locale,
            document=options.document,
            generator=f"cvbuild {__version__}",
            highlight=highlight,
        ),
        person=_person(profile).model_copy(update={"photo": options.photo}),
        sections=sections,
        options=dict(options.theme_options),
    )


def _long_date(day: _dt.date, locale: str) -> str:
    from cvbuild.document.dates import localized

    return localized(day, "long", locale)


def _publication_view(base: pubs.PublicationView, spec: DocumentSpec) -> pubs.PublicationView:
    given = spec.publications.model_dump(exclude_none=True, exclude={"title"})
    if "max_authors" in spec.publications.model_fields_set and spec.publications.max_authors is None:
        given["max_authors"] = None  # an explicit `max_authors: null` lifts a theme's limit
    if "tags" in given:
        given["tags"] = tuple(given["tags"])
    return replace(base, **given)


def _section_ids(profile: Profile, spec: DocumentSpec, theme_order: Sequence[str]) -> list[str]:
    custom = [s.id or section_slug(s.title) for s in profile.sections]
    if spec.sections is not None:
        return list(spec.sections)
    order = [s for s in theme_order if s in BUILTIN_SECTIONS or s in custom]
    rest = [s for s in [*BUILTIN_SECTIONS, *custom] if s not in order]
    return order + rest


def _tagged(items: Iterable[Any], tags: Sequence[str]) -> list[Any]:
    """With document tags, keep untagged entries and those sharing a tag."""
    if not tags:
        return list(items)
    return [i for i in items if not getattr(i, "tags", None) or set(tags) & set(i.tags)]


def _title(sid: str, default: str, spec: DocumentSpec, options: BuildOptions) -> str:
    return spec.section_titles.get(sid) or options.section_titles.get(sid) or default


def _section(
    profile: Profile,
    sid: str,
    spec: DocumentSpec,
    options: BuildOptions,
    view: pubs.PublicationView,
    keys: Any,
    locale: str,
) -> Section | None:
    title = _title(sid, BUILTIN_SECTIONS.get(sid, sid), spec, options)
    tags = spec.tags
    if sid == "publications":
        return _publications_section(profile, spec, options, view, keys, locale)
    if sid == "summary":
        if not profile.summary:
            return None
        return Section(
            id=sid, kind="text", title=title, groups=[Group(entries=[Entry(title=[], summary=spans(profile.summary))])]
        )
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
        on_request = [Span(text=REFERENCES_ON_REQUEST)]
        return Section(id=sid, kind="text", title=title, groups=[Group(entries=[Entry(title=[], summary=on_request)])])
    if sid == "languages":
        rows = [
            Entry(title=[Span(text=lang.language)], items=[lang.fluency] if lang.fluency else [])
            for lang in profile.languages
        ]
        return _maybe(sid, "table", title, rows)
    maker = ENTRY_MAKERS.get(sid)
    if maker is not None:
        return _maybe(sid, "entries", title, [maker(item, locale) for item in _tagged(getattr(profile, sid), tags)])
    for custom in profile.sections:
        if (custom.id or section_slug(custom.title)) == sid:
            title = _title(sid, custom.title, spec, options)
            return _maybe(sid, "entries", title, [_generic(e, locale) for e in _tagged(custom.entries, tags)])
    return None


def _maybe(sid: str, kind: Any, title: str, entries: list[Entry]) -> Section | None:
    if not entries:
        return None
    return Section(id=sid, kind=kind, title=title, groups=[Group(entries=list(entries))])


def _publications_section(
    profile: Profile, spec: DocumentSpec, options: BuildOptions, view: pubs.PublicationView, keys: Any, locale: str
) -> Section | None:
    chosen = pubs.select(profile.publication_entries(), view, spec.tags)
    if not chosen:
        return None
    entries = [pubs.entry(p, keys, view, locale) for p in chosen]
    default = BUILTIN_SECTIONS["publications"]
    if view.since is not None:
        default = f"Publications (since {view.since})"
    title = spec.publications.title or _title("publications", default, spec, options)
    return Section(
        id="publications",
        kind="publications",
        title=title,
        groups=pubs.group(entries, view),
        legend=pubs.legend(entries),
        counts=pubs.counts(entries),
        summary=pubs.summary(entries),
    )


def _opt_spans(text: str | None) -> list[Span] | None:
    return spans(text) if text else None


def _url_link(url: str | None, label: str = "Link") -> list[Link]:
    return [make_link("url", label, url)] if url else []


def _join(*parts: str | None, sep: str = ", ") -> str | None:
    text = sep.join(p for p in parts if p)
    return text or None


def _names_detail(label: str, names: Sequence[str]) -> list[Detail]:
    if not names:
        return []
    return [Detail(label=label if len(names) == 1 else label + "s", value=[Span(text=", ".join(names))])]


def _education(e: Any, locale: str) -> Entry:
    details = [Detail(label="GPA", value=[Span(text=e.gpa)])] if e.gpa else []
    if e.thesis:
        details.append(Detail(label="Thesis", value=spans(e.thesis)))
    details += _names_detail("Advisor", e.advisors)
    if e.honors:
        details.append(Detail(label="Honors", value=_joined_spans(e.honors)))
    if e.courses:
        details.append(Detail(label="Courses", value=_joined_spans(e.courses)))
    degree = _join(e.degree, e.field, sep=" in ") if e.degree else e.field
    return Entry(
        title=[Span(text=degree or e.institution)],
        subtitle=[Span(text=e.institution)] if degree else None,
        date=date_range(e.start, e.end, locale, single=e.date, expected=e.expected),
        location=e.location,
        highlights=[spans(h) for h in e.highlights],
        details=details,
        links=_url_link(e.url, "Website"),
    )


def _joined_spans(texts: Sequence[str]) -> list[Span]:
    out: list[Span] = []
    for i, text in enumerate(texts):
        if i:
            out.append(Span(text="; "))
        out.extend(spans(text))
    return out


def _experience(e: Any, locale: str) -> Entry:
    return Entry(
        title=[Span(text=e.role)],
        subtitle=[Span(text=_join(e.organization, e.team) or e.organization)],
        date=date_range(e.start, e.end, locale, single=e.date),
        location=e.location,
        summary=_opt_spans(e.summary),
        highlights=[spans(h) for h in e.highlights],
        details=_names_detail("Advisor", e.advisors) + _names_detail("Mentor", e.mentors),
        links=_url_link(e.url, "Website"),
        children=[
            Entry(
                title=[Span(text=p.name)],
                date=date_range(p.start, p.end, locale, single=p.date),
                summary=_opt_spans(p.summary),
                highlights=[spans(h) for h in p.highlights],
                links=_url_link(p.url),
            )
            for p in e.projects
        ],
    )


def _project(p: Any, locale: str) -> Entry:
    metrics = ([f"★ {p.stars:,}"] if p.stars is not None else []) + list(p.metrics)
    details = [Detail(label="Impact", value=[Span(text=" · ".join(metrics))])] if metrics else []
    sub = _join(p.role, p.organization, p.type, sep=" · ")
    return Entry(
        title=[Span(text=p.name)],
        subtitle=[Span(text=sub)] if sub else None,
        date=date_range(p.start, p.end, locale, single=p.date),
        summary=_opt_spans(p.summary),
        highlights=[spans(h) for h in p.highlights],
        details=details,
        items=list(p.technologies),
        links=_url_link(p.url, "Code" if p.url and "github.com" in p.url else "Website"),
    )


def _honor(h: Any, locale: str) -> Entry:
    return Entry(
        title=spans(h.title),
        subtitle=[Span(text=h.issuer)] if h.issuer else None,
        date=date_range(None, None, locale, single=h.date),
        summary=_opt_spans(h.note),
        links=_url_link(h.url),
    )


def _service(s: Any, locale: str) -> Entry:
    return Entry(
        title=[Span(text=s.role)],
        subtitle=[Span(text=s.organization)] if s.organization else None,
        date=date_range(s.start, s.end, locale, single=s.date),
        summary=_opt_spans(s.summary),
        links=_url_link(s.url),
    )


def _teaching(t: Any, locale: str) -> Entry:
    date = date_range(t.start, t.end, locale, single=t.date)
    if t.term:  # "Fall 2024" says it better than a formatted range
        date = DateRange(text=t.term, start=date.start if date else None, end=date.end if date else None)
    sub = _join(t.role, t.institution)
    return Entry(
        title=[Span(text=t.course)],
        subtitle=[Span(text=sub)] if sub else None,
        date=date,
        summary=_opt_spans(t.summary),
        links=_url_link(t.url, "Course"),
    )


def _talk(t: Any, locale: str) -> Entry:
    links = [make_link(k, k.capitalize(), v) for k, v in t.links.model_dump(exclude_none=True).items()]
    event = spans(t.event) if t.event else None
    if t.invited:
        event = [*(event or []), Span(text=" (invited)" if event else "Invited talk")]
    return Entry(
        title=spans(t.title),
        subtitle=event,
        date=date_range(None, None, locale, single=t.date),
        location=t.location,
        summary=_opt_spans(t.summary),
        links=links,
    )


def _generic(e: Any, locale: str) -> Entry:
    return Entry(
        title=spans(e.title),
        subtitle=_opt_spans(e.subtitle),
        date=date_range(e.start, e.end, locale, single=e.date),
        location=e.location,
        summary=_opt_spans(e.summary),
        highlights=[spans(h) for h in e.highlights],
        links=_url_link(e.url),
    )


def _certificate(c: Any, locale: str) -> Entry:
    return Entry(
        title=[Span(text=c.name)],
        subtitle=[Span(text=c.issuer)] if c.issuer else None,
        date=date_range(None, None, locale, single=c.date),
        summary=_opt_spans(c.note),
        links=_url_link(c.url, "Certificate"),
    )


def _volunteer(v: Any, locale: str) -> Entry:
    return Entry(
        title=[Span(text=v.role or v.organization)],
        subtitle=[Span(text=v.organization)] if v.role else None,
        date=date_range(v.start, v.end, locale, single=v.date),
        location=v.location,
        summary=_opt_spans(v.summary),
        highlights=[spans(h) for h in v.highlights],
        links=_url_link(v.url, "Website"),
    )


def _reference(r: Any, locale: str) -> Entry:
    links = [make_link("email", "Email", "mailto:" + r.email)] if r.email else []
    if r.phone:
        links.append(make_link("phone", "Phone", _tel(r.phone)))
    return Entry(
        title=[Span(text=r.name)],
        subtitle=[Span(text=sub)] if (sub := _join(r.role, r.relationship, sep=" · ")) else None,
        summary=_opt_spans(r.text),
        links=links + _url_link(r.url, "Website"),
    )


REFERENCES_ON_REQUEST = "Available on request."

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


def _person(profile: Profile) -> Person:
    c = profile.contact
    links = []
    for kind, value in c.links.model_dump(exclude_none=True).items():
        label, pattern = HANDLE_URLS[kind]
        url = value if "://" in value else pattern.format(value.lstrip("@"))
        links.append(make_link(kind, label, url))
    for prof in c.profiles:
        key = network_key(prof.network)
        # The schema allows a bare user name for NAMED_NETWORKS only.
        url = prof.url or HANDLE_URLS[key][1].format((prof.username or "").lstrip("@"))
        links.append(make_link(key, prof.network, url))
    return Person(
        name=profile.name,
        native_name=profile.native_name,
        headline=_opt_spans(profile.headline),
        pronouns=profile.pronouns,
        email=c.email,
        email_obfuscated=_obfuscate(c.email) if c.email else None,
        phone=c.phone,
        phone_url=_tel(c.phone) if c.phone else None,
        website=make_link("website", "Website", c.website) if c.website else None,
        location=c.location,
        links=links,
    )


def _tel(phone: str) -> str:
    return "tel:" + "".join(ch for ch in phone if ch.isdigit() or ch == "+")


def _obfuscate(email: str) -> str:
    """`ada@example.org` -> `ada (at) example (dot) org`, as homepages write it by hand."""
    user, _, host = email.partition("@")
    return f"{user} (at) {host.replace('.', ' (dot) ')}"
