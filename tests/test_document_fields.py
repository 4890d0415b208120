"""What real CVs hold: notes, collaborators, nested bullets, stars, terms, merged sections,
status labels, date formats, phone numbers, paragraphs, languages on one line, typographic quotes."""

from __future__ import annotations

import datetime as _dt
from pathlib import Path
from typing import Any

import pytest
from conftest import pdf_text, run_cli, write
from hypothesis import given
from hypothesis import strategies as st

from cvbuild.document.build import BuildOptions, build_document, compact_number
from cvbuild.document.dates import day_ranges
from cvbuild.document.model import Document, Entry, PublicationEntry
from cvbuild.document.typography import smart_quotes, typographic
from cvbuild.schema.model import DocumentSpec, Profile
from cvbuild.themes.theme import list_themes


def build(data: dict[str, Any], spec: dict[str, Any] | None = None, **theme_options: Any) -> Document:
    profile = Profile.model_validate({"name": "Lena Vasquez", **data})
    options = BuildOptions(
        spec=DocumentSpec.model_validate(spec or {}), theme_options=theme_options, today=_dt.date(2026, 1, 1)
    )
    return build_document(profile, options)


def section(doc: Document, sid: str) -> Any:
    return next(s for s in doc.sections if s.id == sid)


def first(doc: Document, sid: str) -> Entry:
    entry = section(doc, sid).groups[0].entries[0]
    assert isinstance(entry, Entry)
    return entry


def text(runs: Any) -> str:
    return "".join(s.text for s in runs or [])


def test_notes_follow_the_title_on_every_kind_of_entry() -> None:
    doc = build(
        {
            "education": [{"institution": "U", "degree": "PhD", "note": "Ranked 23rd globally on CSRankings 2025"}],
            "honors": [{"title": "Best Paper", "note": "1 of 3 among 400 papers"}],
            "service": [{"role": "Reviewer", "note": "submitted to OSDI '26"}],
            "experience": [{"organization": "O", "role": "R", "projects": [{"name": "P", "note": "internal"}]}],
        }
    )
    assert text(first(doc, "education").note) == "Ranked 23rd globally on CSRankings 2025"
    assert text(first(doc, "honors").note) == "1 of 3 among 400 papers"
    assert first(doc, "honors").summary is None  # the note is not moved into the summary
    assert text(first(doc, "service").note) == "submitted to OSDI '26"
    assert text(first(doc, "experience").children[0].note) == "internal"


def test_advisors_mentors_and_collaborators_share_one_style() -> None:
    doc = build(
        {
            "experience": [
                {
                    "organization": "O",
                    "role": "R",
                    "advisors": ["A. One"],
                    "mentors": ["M. One", "M. Two"],
                    "collaborators": ["C. One", "C. Two"],
                }
            ]
        }
    )
    details = {d.label: text(d.value) for d in first(doc, "experience").details}
    assert details == {"Advisor": "A. One", "Mentors": "M. One, M. Two", "Worked with": "C. One, C. Two"}


def test_advisor_names_may_link_to_their_pages() -> None:
    """Homepages link their advisors ("Advised by [Linpeng Tang](https://chtlp.github.io/)", seed
    004): a name written as a Markdown link is a link, not `[Linpeng Tang](https://...)` in print."""
    doc = build(
        {
            "experience": [
                {
                    "organization": "MOQI",
                    "role": "Researcher",
                    "advisors": ["[Linpeng Tang](https://chtlp.github.io/)", "Xinhui Tian"],
                    "mentors": ["[Leyuan Wang](https://github.com/Laurawly)"],
                }
            ],
            "education": [{"institution": "PKU", "advisors": ["Prof. [Xin Jin](https://xinjin.github.io/)"]}],
        }
    )
    (advisors, mentors) = first(doc, "experience").details
    assert text(advisors.value) == "Linpeng Tang, Xinhui Tian"
    assert [s.href for s in advisors.value if s.href] == ["https://chtlp.github.io/"]
    assert text(mentors.value) == "Leyuan Wang" and mentors.value[0].href == "https://github.com/Laurawly"
    (advisor,) = first(doc, "education").details
    assert text(advisor.value) == "Prof. Xin Jin"
    with pytest.raises(ValueError, match="javascript"):
        build({"experience": [{"organization": "O", "role": "R", "advisors": ["[X](javascript:alert(1))"]}]})


def test_nested_bullets_keep_their_parent() -> None:
    doc = build(
        {
            "teaching": [
                {
                    "course": "CS 162",
                    "terms": ["Fall 2023", "Spring 2024"],
                    "highlights": ["Ran sections", {"text": "Wrote labs", "highlights": ["Lab 1", "Lab 2"]}],
                }
            ]
        }
    )
    e = first(doc, "teaching")
    assert [text(h) for h in e.highlights] == ["Ran sections", "Wrote labs"]
    assert [[text(s) for s in subs] for subs in e.subhighlights] == [[], ["Lab 1", "Lab 2"]]
    assert e.date is not None and e.date.text == "Fall 2023, Spring 2024"


@given(st.integers(min_value=0, max_value=10**12))
def test_compact_numbers_round_to_one_decimal_and_never_grow(n: int) -> None:
    shown = compact_number(n)
    if n < 1000:
        assert shown == str(n)
    else:
        value, suffix = float(shown[:-1]), shown[-1]
        scale = {"k": 1e3, "M": 1e6, "B": 1e9}[suffix]
        assert abs(value * scale - n) <= 0.05 * scale + 0.5 * scale * (value >= 100)
        assert not shown.endswith(".0" + suffix)


def test_project_stars_go_on_the_title_line() -> None:
    data = {"projects": [{"name": "LEANN", "stars": 4100, "metrics": ["20 contributors"]}]}
    assert first(build(data), "projects").stats == ["4.1k ★", "20 contributors"]
    assert first(build(data, compact_numbers=False), "projects").stats == ["4,100 ★", "20 contributors"]
    assert not first(build(data), "projects").details  # no separate "Impact:" line


def test_languages_print_on_one_line_without_empty_cells() -> None:
    data = {"languages": [{"language": "English"}, {"language": "Chinese", "fluency": "native"}]}
    s = section(build(data), "languages")
    assert s.kind == "tags"
    assert s.groups[0].entries[0].items == ["English", "Chinese (native)"]
    # a table only when every row is full
    assert section(build(data, languages_style="table"), "languages").kind == "tags"
    full = {"languages": [{"language": "English", "fluency": "C2"}]}
    assert section(build(full, languages_style="table"), "languages").kind == "table"


def test_status_labels_in_the_owners_words() -> None:
    pubs = [
        {"title": "A", "authors": ["Lena Vasquez"], "date": 2025, "status": "submitted"},
        {"title": "B", "authors": ["Lena Vasquez"], "date": 2024, "status": "submitted", "status_label": "Mine"},
    ]
    doc = build({"publications": pubs}, {"publications": {"status_labels": {"submitted": "In submission"}}})
    labels = {text(p.title): p.status_label for g in section(doc, "publications").groups for p in g.entries}
    assert labels == {"A": "In submission", "B": "Mine"}


def test_one_heading_over_several_sections_keeps_each_order() -> None:
    data = {
        "service": [{"role": "Reviewer, OSDI", "date": 2025}],
        "teaching": [{"course": "CS 162", "date": 2024}],
        "sections": [{"title": "Leadership", "entries": [{"title": "Club president", "date": 2023}]}],
    }
    spec = {"sections": [{"title": "Service", "include": ["service", "teaching", "leadership"]}]}
    doc = build(data, spec)
    assert [s.title for s in doc.sections] == ["Service"]
    titles = [text(e.title) for e in doc.sections[0].groups[0].entries]
    assert titles == ["Reviewer, OSDI", "CS 162", "Club president"]


def test_merging_a_non_entry_section_is_a_clear_error() -> None:
    from cvbuild.errors import InputError

    with pytest.raises(InputError, match="cannot be merged"):
        build({"skills": [{"category": "X", "items": ["y"]}]}, {"sections": [{"title": "T", "include": ["skills"]}]})


@pytest.mark.parametrize(
    ("style", "expected"),
    [("short", "Jul 2025 – Dec 2025"), ("long", "July 2025 – December 2025"), ("numeric", "07/2025 – 12/2025"),
     ("year", "2025")],
)  # fmt: skip
def test_date_format_per_document(style: str, expected: str) -> None:
    doc = build({"service": [{"role": "R", "start": "2025-07", "end": "2025-12"}]}, {"date_format": style})
    date = first(doc, "service").date
    assert date is not None and date.text == expected


def test_a_summary_of_several_paragraphs_stays_several() -> None:
    doc = build({"summary": "First paragraph\nwraps here.\n\nSecond **one**\nwraps *too*.\n\n\nThird."})
    paragraphs = [text(e.summary) for e in section(doc, "summary").groups[0].entries]
    assert paragraphs == ["First paragraph wraps here.", "Second one wraps too.", "Third."]


def test_phone_numbers_are_formatted_and_linked_in_e164() -> None:
    doc = build({"contact": {"phone": "0044 20 7946 0958"}})
    assert doc.person.phone == "+44 20 7946 0958"
    assert doc.person.phone_url == "tel:+442079460958"


@pytest.mark.parametrize("phone", ["555 0100", "+1 555 01", "+1 415 555 01422222", "+999 12345"])
def test_an_impossible_phone_number_is_a_located_error(tmp_path: Path, phone: str) -> None:
    profile = write(tmp_path / "p.yaml", f'name: X\ncontact:\n  phone: "{phone}"\n')
    result = run_cli("validate", profile)
    assert result.returncode == 2, result.stderr
    assert f"{profile.name}:3:10" in result.stderr.replace(str(profile), profile.name)
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("typed", "typeset"),
    [
        ("Bachelor's", "Bachelor’s"),
        ("OSDI '26", "OSDI ’26"),
        ("the '90s", "the ’90s"),
        ('"Best" paper', "“Best” paper"),
        ("('quoted')", "(‘quoted’)"),
        ("no quotes", "no quotes"),
    ],
)
def test_smart_quotes(typed: str, typeset: str) -> None:
    assert smart_quotes(typed) == typeset


@given(st.text(alphabet=st.sampled_from("ab '\"(\n-"), max_size=30))
def test_smart_quotes_change_only_the_quotes(typed: str) -> None:
    out = smart_quotes(typed)
    assert len(out) == len(typed)
    assert typed.replace("'", "").replace('"', "") == "".join(c for c in out if c not in "‘’“”")


def test_typographic_quotes_leave_links_and_code_alone() -> None:
    doc = build(
        {
            "headline": "Bachelor's `it's code` [O'Reilly](https://example.org/it's)",
            "publications": [{"title": "OSDI '26 paper", "authors": ["Lena Vasquez"], "date": 2026}],
        }
    )
    typeset = typographic(doc)
    spans = typeset.person.headline or []
    assert [s.text for s in spans] == ["Bachelor’s ", "it's code", " ", "O’Reilly"]
    assert spans[-1].href == "https://example.org/it's"
    pub = next(p for g in section(typeset, "publications").groups for p in g.entries)
    assert isinstance(pub, PublicationEntry) and text(pub.title) == "OSDI ’26 paper"


def test_pdf_and_html_are_typeset_while_txt_keeps_what_was_typed(tmp_path: Path) -> None:
    profile = write(
        tmp_path / "p.yaml",
        "name: Ada O'Neil\nsummary: \"A Bachelor's degree; OSDI '26.\"\n",
    )
    result = run_cli("render", profile, "-f", "pdf,html,txt,md", "-o", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    out = tmp_path / "out"
    assert "Bachelor's degree; OSDI '26." in (out / "ada-o-neil.txt").read_text(encoding="utf-8")
    assert "Bachelor’s degree; OSDI ’26." in (out / "ada-o-neil.html").read_text(encoding="utf-8")
    pdf = pdf_text(out / "ada-o-neil.pdf")
    assert "Bachelor’s" in pdf and "’26." in pdf and "'" not in pdf  # squash() folds quotes: check raw


@pytest.mark.parametrize("fmt", ["txt", "md", "html", "pdf"])
def test_the_footer_can_be_turned_off_or_reworded(tmp_path: Path, fmt: str) -> None:
    profile = write(tmp_path / "p.yaml", "name: Ada Example\nsummary: Hello.\n")
    base = ["render", profile, "-f", fmt, "--theme", "classic"]

    def rendered(*sets: str) -> str:
        out = tmp_path / f"out{len(sets)}{sets[-1][-3:] if sets else ''}"
        result = run_cli(*base, "-o", out, *[a for s in sets for a in ("--set", s)])
        assert result.returncode == 0, result.stderr
        path = out / f"ada-example.{fmt}"
        return pdf_text(path) if fmt == "pdf" else path.read_text(encoding="utf-8")

    assert "Updated" in rendered()
    assert "Updated" not in rendered("footer=false")
    reworded = rendered("footer_text=Last revised by hand")
    assert "Last revised by hand" in reworded and "Updated" not in reworded


@pytest.mark.parametrize("theme", sorted(t.name for t in list_themes() if "pdf" in t.targets))
def test_summary_paragraphs_are_separate_paragraphs_in_every_pdf(tmp_path: Path, theme: str) -> None:
    profile = write(tmp_path / "p.yaml", "name: Ada Example\nsummary: |-\n  Alpha ends here.\n\n  Beta starts here.\n")
    result = run_cli("render", profile, "-f", "pdf", "--theme", theme, "-o", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    text = pdf_text(tmp_path / "out" / "ada-example.pdf")
    assert "Alpha ends here.\nBeta starts here." in text.replace(" \n", "\n"), text


# ---- day ranges the owner typed ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "locale", "typeset"),
    [
        ("10-14 June 2024", "en", "10–14 June 2024"),
        ("June 10-14", "en", "June 10–14"),
        ("New York City, September 10 - 14, 2023", "en", "New York City, September 10–14, 2023"),
        ("Sept. 3-5, 10th-12th Oct", "en", "Sept. 3–5, 10th–12th Oct"),
        ("Dec 14--15", "en", "Dec 14–15"),
        ("June 30-July 2, 2024", "en", "June 30 – July 2, 2024"),
        ("30 June - 2 July 2024", "en", "30 June – 2 July 2024"),
        ("10.-14. Juni 2024", "de", "10.–14. Juni 2024"),
        ("10-14 juin 2024", "fr", "10–14 juin 2024"),
        ("10-14 de junio de 2024", "es", "10–14 de junio de 2024"),
        ("Jun-Ho Lee, June 3-4", "en", "Jun-Ho Lee, June 3–4"),
    ],
)
def test_a_typed_day_range_gets_an_en_dash(typed: str, locale: str, typeset: str) -> None:
    assert day_ranges(typed, locale) == typeset


@pytest.mark.parametrize(
    "typed",
    [
        "2024-06-10",  # ISO dates
        "June 2024-2025",
        "Fall 2023-Spring 2024",
        "https://example.org/june-10-14",
        "doi:10.1145/3603269.3604816",
        "pp. 10-14",
        "Room 10-14",
        "June 10-14-2024",
        "10-40 June",  # no such day
        "Jun-Ho, state-of-the-art",
    ],
)
def test_other_hyphens_are_left_alone(typed: str) -> None:
    assert day_ranges(typed, "en") == typed


@given(st.dates(), st.sampled_from(["June", "juin", "10", "on", ""]))
def test_iso_dates_keep_their_hyphens(day: _dt.date, word: str) -> None:
    for locale in ("en", "fr"):
        assert day_ranges(f"{word} {day.isoformat()} {word}", locale) == f"{word} {day.isoformat()} {word}"


DAY_RANGES: dict[str, Any] = {
    "teaching": [{"course": "Systems", "terms": ["Summer school, July 1-5, 2024"]}],
    "talks": [
        {"title": "Spot", "event": "EuroSys 2024, April 22-25", "location": "Athens, 22-25 April", "date": "2024-04"}
    ],
    "publications": [
        {
            "title": "Ditto in 10-14 steps",
            "authors": ["Lena Vasquez"],
            "venue": "SIGCOMM",
            "location": "New York City, September 10-14, 2023",
            "date": "2023-09",
            "pages": "10-14",
            "doi": "10.1145/3603269-3604816",
        }
    ],
    "sections": [
        {"title": "Schools", "entries": [{"title": "MLSS", "location": "Tübingen, June 10-14", "date": "2024-06"}]}
    ],
}


def test_free_text_dates_get_the_en_dash_and_nothing_else_does() -> None:
    doc = build(DAY_RANGES)
    assert (
        first(doc, "teaching").date is not None and first(doc, "teaching").date.text == "Summer school, July 1–5, 2024"
    )
    talk = first(doc, "talks")
    assert (text(talk.subtitle), talk.location) == ("EuroSys 2024, April 22–25", "Athens, 22–25 April")
    assert first(doc, "schools").location == "Tübingen, June 10–14"
    pub = next(p for g in section(doc, "publications").groups for p in g.entries)
    assert isinstance(pub, PublicationEntry) and text(pub.title) == "Ditto in 10-14 steps"  # a title is not a date
    assert text(pub.citation) == "pp. 10–14, New York City, September 10–14, 2023, doi:10.1145/3603269-3604816"


@pytest.mark.parametrize("theme", sorted(t.name for t in list_themes() if "pdf" in t.targets))
def test_typed_day_ranges_read_with_an_en_dash_in_every_target(tmp_path: Path, theme: str) -> None:
    """Read back from both PDFs, the HTML, the text and the Markdown: `September 10–14, 2023`."""
    import html
    import json
    import re
    import subprocess

    profile = write(tmp_path / "p.json", json.dumps({"name": "Lena Vasquez", **DAY_RANGES}))
    out = tmp_path / "out"
    result = run_cli("render", profile, "-f", "pdf,html,txt,md", "--theme", theme, "-o", out)
    assert result.returncode == 0, result.stderr
    result = run_cli("render", profile, "-f", "pdf", "--engine", "weasyprint", "--theme", theme, "-o", tmp_path / "w")
    assert result.returncode == 0, result.stderr
    pdftotext = ["pdftotext", "-raw"]
    page = (out / "lena-vasquez.html").read_text(encoding="utf-8")
    texts = {
        "typst": subprocess.run([*pdftotext, out / "lena-vasquez.pdf", "-"], capture_output=True, text=True).stdout,
        "weasyprint": subprocess.run(
            [*pdftotext, tmp_path / "w" / "lena-vasquez.pdf", "-"], capture_output=True, text=True
        ).stdout,
        "html": html.unescape(re.sub(r"<[^>]+>", "", page.split("<body", 1)[1])),
        "txt": (out / "lena-vasquez.txt").read_text(encoding="utf-8"),
        "md": (out / "lena-vasquez.md").read_text(encoding="utf-8").replace("\\", ""),
    }
    for target, found in texts.items():
        flat = " ".join(found.split())
        for shown in ("September 10–14, 2023", "July 1–5, 2024", "April 22–25", "June 10–14", "Ditto in 10-14 steps"):
            assert shown in flat, (target, shown, flat)
        assert not re.search(r"\d-\d{1,2}\b(?! steps)", flat.replace("3603269-3604816", "")), (target, flat)
