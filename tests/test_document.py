"""The Document view: dates, inline spans, section order and variant filtering."""

from __future__ import annotations

import datetime as dt

import pytest

from cvbuild.document.build import BuildOptions, build_document
from cvbuild.document.dates import date_range, format_date, localized
from cvbuild.document.inline import plain, spans
from cvbuild.document.model import Span
from cvbuild.schema.fields import parse_date
from cvbuild.schema.model import DocumentSpec, Profile

HOSTILE = "#x $y$ *b* _i_ <script>alert(1)</script> @r \\ ] [ { } 😀 中文"


@pytest.mark.parametrize(
    ("start", "end", "expected", "text", "ends"),
    [
        ("2025-07", "2025-12", False, "Jul 2025 – Dec 2025", ("Jul 2025", "Dec 2025")),
        ("2023", "present", False, "2023 – present", ("2023", "present")),
        ("2021-09", "2026-06", True, "Sep 2021 – Jun 2026 (expected)", ("Sep 2021", "Jun 2026 (expected)")),
        ("2024-03-05", None, False, "Mar 2024", ("Mar 2024", None)),
        ("2024-05", "2024-05", False, "May 2024", ("May 2024", None)),
        ("2024-05", "2024-05", True, "May 2024 (expected)", ("May 2024 (expected)", None)),
    ],
)
def test_date_ranges(start: str, end: str | None, expected: bool, text: str, ends: tuple[str, str | None]) -> None:
    rng = date_range(parse_date(start), parse_date(end) if end else None, "en", expected=expected)
    assert rng is not None
    assert rng.text == text
    assert (rng.start_text, rng.end_text) == ends  # the suffix ends the last date shown
    assert rng.start == start
    assert rng.current == (end == "present")


def test_one_end_alone_is_a_single_date() -> None:
    """An expected degree given by its end (or one date) read "Jun 2026", as if awarded; `present`
    alone became <time datetime="present">, which is no date."""
    for start, end, single in ((None, "2026-06", None), (None, None, "2026-06")):
        rng = date_range(
            parse_date(start) if start else None,
            parse_date(end) if end else None,
            "en",
            single=parse_date(single) if single else None,
            expected=True,
        )
        assert rng is not None and (rng.text, rng.start_text, rng.end_text) == (
            "Jun 2026 (expected)",
            "Jun 2026 (expected)",
            None,
        )
        assert (rng.start, rng.end, rng.expected) == ("2026-06", "2026-06", True)
    for start, end in (("present", None), (None, "present")):
        rng = date_range(parse_date(start) if start else None, parse_date(end) if end else None, "en", expected=True)
        assert rng is not None and (rng.text, rng.start_text, rng.end_text) == ("present", "present", None)
        assert (rng.start, rng.end, rng.current) == (None, None, True)


# A range_sep that is a space, or occurs inside a date ("sept. 2021"), or is a date's own
# separator ("09/2021"), or is hostile: `text` can't be split on it, the ends' texts say it all.
ODD_SEPARATORS = [
    ("en", "short", " ", ("Sep 2021", "Jun 2026 (expected)"), ("Jul 2023", "present"), "Feb 2022"),
    ("fr", "short", ". ", ("sept. 2021", "juin 2026 (prévu)"), ("juil. 2023", "aujourd’hui"), "févr. 2022"),
    ("en", "numeric", "/", ("09/2021", "06/2026 (expected)"), ("07/2023", "present"), "02/2022"),
    ("en", "short", HOSTILE, ("Sep 2021", "Jun 2026 (expected)"), ("Jul 2023", "present"), "Feb 2022"),
]


@pytest.mark.parametrize(("locale", "style", "sep", "degree", "job", "prize"), ODD_SEPARATORS)
def test_each_end_of_a_range_has_its_text_whatever_the_range_sep(
    locale: str, style: str, sep: str, degree: tuple[str, str], job: tuple[str, str], prize: str
) -> None:
    profile = _profile(
        education=[{"institution": "U", "degree": "PhD", "start": "2021-09", "end": "2026-06", "expected": True}],
        experience=[{"organization": "O", "role": "R", "start": "2023-07", "end": "present"}],
        honors=[{"title": "Prize", "date": "2022-02"}],
        teaching=[{"course": "C", "start": "2024-09", "terms": ["Fall 2024", "Spring 2025"]}],
    )
    spec = DocumentSpec(locale=locale, date_format=style, labels={"range_sep": sep})
    doc = build_document(profile, BuildOptions(spec=spec))
    got = {s.id: s.groups[0].entries[0].date for s in doc.sections}
    assert doc.meta.labels["range_sep"] == sep
    for key, (first, last) in (("education", degree), ("experience", job)):
        d = got[key]
        assert d is not None and (d.start_text, d.end_text) == (first, last)
        assert d.text == first + sep + last  # what every old theme shows, unchanged
    assert (got["education"].start, got["education"].end) == ("2021-09", "2026-06")
    assert (got["experience"].start, got["experience"].end) == ("2023-07", None)
    honor = got["honors"]
    assert honor is not None and (honor.text, honor.start_text, honor.end_text) == (prize, prize, None)
    terms = got["teaching"]  # the owner's words, no formatted date
    assert terms is not None and (terms.start_text, terms.end_text, terms.start) == (None, None, "2024-09")


def test_dates_are_localised() -> None:
    assert format_date(parse_date("2024-03"), "de") == "März 2024"
    rng = date_range(parse_date("2020"), parse_date("present"), "zh")
    assert rng is not None and rng.text == "2020 – 至今"


@pytest.mark.parametrize("pattern", ["MMM y", "long"])
def test_english_fast_path_matches_babel(pattern: str) -> None:
    from babel.dates import format_date as babel_format

    for day in [dt.date(2026, m, d) for m in range(1, 13) for d in (1, 9, 28)] + [dt.date(999, 12, 31)]:
        assert localized(day, pattern, "en") == babel_format(day, pattern, locale="en")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("plain #text $x$ @me <script>", [Span(text="plain #text $x$ @me <script>")]),
        ("**bold** and *it*", [Span(text="bold", bold=True), Span(text=" and "), Span(text="it", italic=True)]),
        ("[site](https://a.org)", [Span(text="site", href="https://a.org")]),
        ("`x*y`", [Span(text="x*y", code=True)]),
        ("Ada Example*", [Span(text="Ada Example*")]),
        (r"\*not italic\*", [Span(text="*not italic*")]),
        ("a_b_c snake_case", [Span(text="a_b_c snake_case")]),
        ("[x](javascript:alert(1))", [Span(text="[x](javascript:alert(1))")]),  # never a link
        ("&amp; stays", [Span(text="&amp; stays")]),
        ("two\nlines", [Span(text="two lines")]),
    ],
)
def test_inline_markdown_to_spans(text: str, expected: list[Span]) -> None:
    assert spans(text) == expected


def _profile(**data: object) -> Profile:
    return Profile.model_validate({"name": "Ada Example", **data})


def test_sections_follow_theme_order_then_document_order() -> None:
    profile = _profile(
        summary="S",
        skills=[{"category": "C", "items": ["x"]}],
        honors=[{"title": "Prize", "date": 2020}],
        sections=[{"title": "Mentoring", "entries": [{"title": "M"}]}],
    )
    doc = build_document(profile, BuildOptions(section_order=("skills", "summary")))
    assert [s.id for s in doc.sections] == ["skills", "summary", "honors", "mentoring"]
    spec = DocumentSpec(sections=["mentoring", "summary"], section_titles={"summary": "About"})
    doc = build_document(profile, BuildOptions(spec=spec))
    assert [(s.id, s.title) for s in doc.sections] == [("mentoring", "Mentoring"), ("summary", "About")]


def test_interests_are_titled_for_hobbies_and_research_alike() -> None:
    """JSON Resume's interests are hobbies ("Wildlife: Ferrets, Unicorns" in its official sample):
    the default title must fit them as well as research topics; an academic may still retitle it."""
    profile = _profile(interests=[{"name": "Wildlife", "keywords": ["Ferrets", "Unicorns"]}])
    (section,) = build_document(profile, BuildOptions()).sections
    assert section.title == "Interests"
    spec = DocumentSpec(section_titles={"interests": "Research Interests"})
    (section,) = build_document(profile, BuildOptions(spec=spec)).sections
    assert section.title == "Research Interests"


def test_a_custom_section_of_paragraphs_is_text() -> None:
    """Homepages and RenderCV files have free-text sections ("About", RenderCV's TextEntry): entries
    with nothing but a summary are paragraphs, set like the summary, not titled entries."""
    profile = _profile(
        sections=[
            {"title": "About", "entries": [{"summary": "First.\n\nSecond."}, {"summary": "Third."}]},
            {"title": "Mentoring", "entries": [{"title": "Lena", "summary": "Undergraduate."}]},
        ]
    )
    about, mentoring = build_document(profile, BuildOptions()).sections
    assert about.kind == "text" and [plain(e.summary) for e in about.groups[0].entries] == [
        "First.",
        "Second.",
        "Third.",
    ]
    assert mentoring.kind == "entries"


def test_custom_sections_titled_as_built_in_ones_get_ids_of_their_own() -> None:
    """Real CVs title their own sections "Interests", "Publications", "Skills": such a section is
    kept, beside the built-in one, under its title's slug with -2 (as page anchors do); a title
    used twice gets -2 the second time, and no slug takes an `id` written anywhere in the file."""
    profile = _profile(
        interests=["Systems"],
        sections=[
            {"title": "Interests", "entries": [{"title": "Hiking"}]},
            {"title": "Publications", "entries": [{"title": "A blog post"}]},
            {"title": "Notes", "entries": [{"title": "One"}]},
            {"title": "Notes", "entries": [{"title": "Two"}]},
            {"title": "Skills", "entries": [{"title": "Woodworking"}]},
            {"title": "Other", "id": "skills-2", "entries": [{"title": "Three"}]},
        ],
    )
    sections = build_document(profile, BuildOptions()).sections
    assert [(s.id, s.title) for s in sections] == [
        ("interests", "Interests"),
        ("interests-2", "Interests"),
        ("publications-2", "Publications"),
        ("notes", "Notes"),
        ("notes-2", "Notes"),
        ("skills-3", "Skills"),
        ("skills-2", "Other"),
    ]
    assert [plain(s.groups[0].entries[0].title) for s in sections[1:]] == [
        "Hiking", "A blog post", "One", "Two", "Woodworking", "Three",
    ]  # fmt: skip
    spec = DocumentSpec(sections=["skills-3", "interests-2"], section_titles={"interests-2": "Hobbies"})
    assert [(s.id, s.title) for s in build_document(profile, BuildOptions(spec=spec)).sections] == [
        ("skills-3", "Skills"),
        ("interests-2", "Hobbies"),
    ]


def test_document_tags_keep_untagged_and_matching_entries() -> None:
    profile = _profile(
        experience=[
            {"organization": "A", "role": "r", "tags": ["industry"]},
            {"organization": "B", "role": "r", "tags": ["academia"]},
            {"organization": "C", "role": "r"},
        ]
    )
    doc = build_document(profile, BuildOptions(spec=DocumentSpec(tags=["industry"])))
    orgs = [plain(e.subtitle) for e in doc.sections[0].groups[0].entries]  # type: ignore[union-attr]
    assert orgs == ["A", "C"]


def test_meta_and_person() -> None:
    profile = _profile(
        headline="PhD student in **Systems**",
        interests=["ML systems"],
        contact={"email": "ada@example.org", "phone": "+1 (555) 010-0000", "links": {"github": "adaexample"}},
    )
    doc = build_document(profile, BuildOptions(today=dt.date(2026, 1, 2)))
    assert doc.meta.subject == "PhD student in Systems"
    assert doc.meta.date == "2026-01-02" and doc.meta.date_text == "January 2, 2026"
    assert doc.person.email_obfuscated == "ada (at) example (dot) org"
    assert doc.person.phone_url == "tel:+15550100000"
    assert doc.person.links[0].url == "https://github.com/adaexample"
    assert doc.person.links[0].display == "github.com/adaexample"


def test_document_is_json_serialisable_and_versioned() -> None:
    doc = build_document(_profile(summary="x"), BuildOptions())
    data = doc.model_dump(mode="json")
    assert data["version"] == 1
    assert data["sections"][0]["groups"][0]["entries"][0]["summary"] == [
        {"text": "x", "bold": False, "italic": False, "code": False, "sup": False, "sub": False, "href": None}
    ]


def test_typographic_shares_what_it_does_not_change() -> None:
    """Quotes are curled in place; untouched entries stay the same objects, equal to a full rebuild."""
    from cvbuild.document.model import Document
    from cvbuild.document.typography import _NOT_PROSE, smart_quotes, typographic

    def rebuild(value: object, key: str | None = None) -> object:  # the straightforward version
        if isinstance(value, str):
            return value if key in _NOT_PROSE else smart_quotes(value)
        if isinstance(value, list):
            return [rebuild(v, key) for v in value]
        if isinstance(value, dict):
            return (
                value if value.get("code") else {k: v if k in _NOT_PROSE else rebuild(v, k) for k, v in value.items()}
            )
        return value

    profile = _profile(
        summary="Ada's `don't` \"work\"",
        education=[{"institution": "Plain U", "start": "2020"}, {"institution": "O'Brien College", "start": "2021"}],
        honors=[{"title": "No quotes here", "url": "https://a.org/it's"}],
    )
    doc = build_document(profile, BuildOptions())
    typeset = typographic(doc)
    assert typeset.model_dump_json() == Document.model_validate(rebuild(doc.model_dump())).model_dump_json()
    text = typeset.model_dump_json()
    assert "Ada’s" in text and "“work”" in text and "don't" in text and "O’Brien" in text and "it's" in text
    education = next(s for s in typeset.sections if s.id == "education").groups[0].entries
    before = next(s for s in doc.sections if s.id == "education").groups[0].entries
    assert any(a is b for a, b in zip(education, before, strict=True))  # "Plain U" was not rebuilt
    plain_doc = build_document(_profile(summary="Nothing to curl"), BuildOptions())
    assert typographic(plain_doc) is plain_doc
