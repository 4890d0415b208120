"""JSON Resume and RenderCV import, JSON Resume export (cvbuild/interop/).

Samples in tests/fixtures/interop/ are fictional and written from the public schemas:
resume.json (JSON Resume 1.x, every section plus an unknown one), rendercv_cv.yaml (RenderCV 2.x,
every entry type), extras.yaml (a profile using the fields added for them). Beside them, the two
projects' own samples, verbatim: jsonresume_sample.json (resume-schema's sample.resume.json, MIT) and
rendercv_sample.yaml (what RenderCV 2.8's `rendercv new "Jane Doe"` writes, MIT). And real, public
files, their sources in their headers: rendercv_real_onepage.yaml (a one-page résumé),
rendercv_real_korean.yaml (a CV in Korean, RenderCV 2.0 to 2.3), rendercv_real_french.yaml (a CV in
French, cut), rendercv_real_spanish.yaml (a CV in Spanish, cut), rendercv_real_qa.yaml (a résumé with
its own locale and one-line certificates, cut), rendercv_real_portuguese.yaml (a one-page résumé in
Portuguese); jsonresume_real_builder.json (JSON has no comments:
github.com/4ndresdev/4ndresdev.dev, resume.json at commit 5fc5712daca9e40c78a422c00bcab77de808de59,
verbatim; a builder's own fields), jsonresume_real_developer.json (github.com/5c077m4n/cv, resume.json
at commit 07e15b30046a1a6fa692252f4d883bac970f48a0, the Unlicense, verbatim; pre-1.0 keys, a theme's
`value` beside each language), jsonresume_real_french.json (github.com/jbuget/jbuget.github.io,
assets/resumes/resume.developer.fr.json at commit 090052cf2f2c97a8599b94619855589e6251e372, AGPL-3.0,
verbatim; a staff engineer's résumé in French, `x-` fields, languages as ISO codes).
"""

from __future__ import annotations

import json
import re
import shutil
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from conftest import BUILTIN_THEMES, EXAMPLE, FIXTURES, RESUME, pdf_lines, pdf_text, run_cli, squash, write
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from jsonschema import Draft7Validator

from cvbuild.interop.common import checked_profile, checked_yaml, pointer
from cvbuild.interop.jsonresume import _flat, _holds, from_jsonresume, official_schema, to_jsonresume
from cvbuild.pipeline import RenderRequest, build_for, documents_to_render, today
from cvbuild.schema.model import Profile

INTEROP = FIXTURES / "interop"
JSONRESUME = INTEROP / "resume.json"
RENDERCV = INTEROP / "rendercv_cv.yaml"
EXTRAS = INTEROP / "extras.yaml"
JSONRESUME_SAMPLE = INTEROP / "jsonresume_sample.json"
RENDERCV_SAMPLE = INTEROP / "rendercv_sample.yaml"
RENDERCV_ONEPAGE = INTEROP / "rendercv_onepage.yaml"
RENDERCV_REAL_ONEPAGE = INTEROP / "rendercv_real_onepage.yaml"
RENDERCV_REAL_KOREAN = INTEROP / "rendercv_real_korean.yaml"
JSONRESUME_REAL_BUILDER = INTEROP / "jsonresume_real_builder.json"
RENDERCV_REAL_FRENCH = INTEROP / "rendercv_real_french.yaml"
RENDERCV_REAL_SPANISH = INTEROP / "rendercv_real_spanish.yaml"
JSONRESUME_REAL_DEVELOPER = INTEROP / "jsonresume_real_developer.json"
RENDERCV_REAL_QA = INTEROP / "rendercv_real_qa.yaml"
JSONRESUME_REAL_FRENCH = INTEROP / "jsonresume_real_french.json"
RENDERCV_REAL_PORTUGUESE = INTEROP / "rendercv_real_portuguese.yaml"


def schema_errors(data: Any) -> list[str]:
    validator = Draft7Validator(official_schema(), format_checker=Draft7Validator.FORMAT_CHECKER)
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(data)]


def imported(kind: str, source: Path, folder: Path) -> tuple[Path, str]:
    """Run `cvbuild import KIND SOURCE` and write its stdout as folder/profile.yaml; returns it and stderr."""
    result = run_cli("import", kind, source)
    assert result.returncode == 0, result.stderr
    return write(folder / "profile.yaml", result.stdout), result.stderr


# ---- the official schema ------------------------------------------------------------------------


def test_sample_resume_json_is_valid_json_resume() -> None:
    assert schema_errors(json.loads(JSONRESUME.read_text(encoding="utf-8"))) == []


def test_shipped_schema_is_the_official_one_with_its_licence() -> None:
    schema = official_schema()
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    assert {"basics", "work", "certificates", "references", "projects"} <= set(schema["properties"])
    licence = (Path(__file__).parents[1] / "cvbuild" / "interop" / "LICENSE-jsonresume-schema.md").read_text()
    assert "MIT License" in licence and "jsonresume/resume-schema" in licence


# ---- import jsonresume --------------------------------------------------------------------------


def test_import_jsonresume_maps_every_part(tmp_path: Path) -> None:
    path, stderr = imported("jsonresume", JSONRESUME, tmp_path)
    result = run_cli("validate", path)
    assert result.returncode == 0, result.stderr
    from cvbuild.loading.profile import load_profile

    p, _ = load_profile(path)
    assert p.name == "Tomás Ferreira-Lind" and p.headline == "Backend engineer · distributed systems"
    assert p.contact.location == "Hornsgatan 12, 118 20 Stockholm, Stockholm County, SE"
    assert p.contact.links.github == "tferreiralind" and p.contact.links.mastodon == "https://hachyderm.io/@tomas"
    assert [(x.network, x.url) for x in p.contact.profiles] == [("Codeberg", "https://codeberg.org/tfl")]
    work = p.experience[0]
    assert (work.organization, work.role, str(work.start), str(work.end)) == (
        "Klarbetal AB",
        "Staff Engineer",
        "2021-03",
        "present",
    )
    assert work.summary and work.summary.startswith("Nordic payments processor.")
    assert p.experience[1].highlights[-1] == "team: Checkout"
    assert p.volunteer[0].role == "Coding club mentor" and p.volunteer[0].highlights
    edu = p.education[0]
    assert (edu.degree, edu.field, edu.gpa) == ("MSc", "Computer Science", "4.6/5")
    assert edu.courses == ["ID2203 Distributed Systems", "DD2460 Software Safety and Security"]
    assert p.honors[0].issuer == "Stockholm FinTech Week" and p.honors[0].note
    assert p.certificates[0].issuer == "CNCF" and str(p.certificates[0].date) == "2022-04"
    pub = p.publication_entries()[0]
    assert pub.authors == [p.name] and pub.venue == "QCon London" and str(pub.date) == "2023-03-28"
    assert [(s.category, s.level, s.items) for s in p.skills][2] == ("Python", "Intermediate", [])
    assert p.languages[1].fluency == "Professional working proficiency"
    assert p.interest_entries()[0].keywords == ["indoor", "Fontainebleau trips"]
    assert p.references != "on_request" and p.references[0].text
    project = p.projects[0]
    assert (project.role, project.organization, project.type) == ("Author, Maintainer", "Open source", "application")
    assert project.technologies == ["Rust", "SQL", "PostgreSQL"]
    titles = [s.title for s in p.sections]
    assert titles == ["Writing", "Speaking"]  # a publication without date, and a non-standard section
    # What has no place is reported at its line, with a JSON pointer, and how it was kept.
    name = re.escape(str(JSONRESUME))
    for pointer_ in ("/work/0/description", "/work/1/team", "/basics/image", "/meta", "/speaking", "/publications/1"):
        assert re.search(rf"{name}:\d+:\d+: {pointer_}: ", stderr), pointer_
    assert "JSON Resume has no authors" in stderr


def test_malformed_json_is_located(tmp_path: Path) -> None:
    bad = write(tmp_path / "resume.json", '{\n  "basics": {\n    "name": "Ada",\n  }\n}\n')
    result = run_cli("import", "jsonresume", bad)
    assert result.returncode == 2
    assert f"{bad}:4:3: invalid JSON" in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_deeply_nested_json_is_refused_cleanly(tmp_path: Path) -> None:
    deep = write(tmp_path / "resume.json", '{"basics": {"name": "Ada"}, "x": ' + "[" * 5000 + "]" * 5000 + "}")
    result = run_cli("import", "jsonresume", deep)
    assert result.returncode == 2 and "Traceback" not in result.stderr and str(deep) in result.stderr


def test_schema_violations_are_reported_with_pointers(tmp_path: Path) -> None:
    data = {"basics": {"name": "Ada"}, "work": [{"name": "X", "startDate": "Spring 2020"}], "skills": "Python"}
    bad = write(tmp_path / "resume.json", json.dumps(data))
    result = run_cli("import", "jsonresume", bad)
    assert result.returncode == 2
    text = bad.read_text(encoding="utf-8")  # one line: the column of a value is 1 + its index
    date, skills = text.index('"Spring') + 1, text.index('"Python') + 1
    assert f"{bad}:1:{date}: /work/0/startDate: 'Spring 2020' is not a date" in result.stderr
    assert f"{bad}:1:{skills}: /skills: " in result.stderr
    assert "2 problems found" in result.stderr


def test_schema_violations_name_the_line_and_column_of_the_json(tmp_path: Path) -> None:
    """A value of the wrong type was refused by its JSON Pointer alone; it is located at file:line:col
    of the value as written (after a blank item the import drops, and on a tab-indented line), and the
    message says what to write instead."""
    bad = write(
        tmp_path / "resume.json",
        '{\n  "basics": {\n    "name": "Noa Example",\n    "location": "Paris",\n'
        '    "profiles": ["", {"network": 5, "username": "noa"}]\n  },\n'
        '\t"work": [{"name": "Acme", "startDate": "last year"}]\n}\n',
    )
    result = run_cli("import", "jsonresume", bad)
    assert result.returncode == 2 and result.stdout == "" and "Traceback" not in result.stderr
    assert (
        f"{bad}:4:17: /basics/location: is a string; JSON Resume wants an object {{...}} here with the keys"
        " address, postalCode, city, countryCode, region" in result.stderr
    ), result.stderr
    assert f"{bad}:5:34: /basics/profiles/1/network: is a whole number" in result.stderr, result.stderr
    assert f"{bad}:7:41: /work/0/startDate: 'last year' is not a date" in result.stderr, result.stderr
    # A file YAML refuses (a key twice: JSON keeps the last) is still refused, by pointer alone.
    write(bad, '{"basics": {"name": "Noa", "name": "Noa", "location": "Paris"}}')
    result = run_cli("import", "jsonresume", bad)
    assert result.returncode == 2 and f"{bad}: /basics/location: is a string" in result.stderr, result.stderr


@pytest.mark.parametrize(
    ("command", "source", "hint"),
    [
        ("jsonresume", RENDERCV, "this looks like a RenderCV file; use `cvbuild import rendercv"),
        ("rendercv", JSONRESUME, "this looks like a JSON Resume file; use `cvbuild import jsonresume"),
        ("jsonresume", EXAMPLE, "this looks like a cvbuild profile already; use `cvbuild validate"),
        ("rendercv", EXAMPLE, "this looks like a cvbuild profile already"),
    ],
)
def test_a_file_of_the_wrong_kind_is_recognised(command: str, source: Path, hint: str) -> None:
    result = run_cli("import", command, source)
    assert result.returncode == 2 and hint in result.stderr, result.stderr


def test_import_repairs_links_and_drops_what_cannot_be_valid(tmp_path: Path) -> None:
    data = {
        "basics": {"name": "Ada", "url": "www.ada.example.org", "email": "ada-at-example"},
        "work": [{"name": "X", "position": "Y", "url": "N/A", "startDate": "2020-19"}],
        "references": [{"name": "", "reference": "Available upon request"}],
    }
    notes: list[str] = []
    out = checked_profile(Path("r.json"), from_jsonresume(data, lambda w, m: notes.append(f"{pointer(*w)}: {m}")))
    profile = Profile.model_validate(out)
    assert profile.contact.website == "https://www.ada.example.org" and profile.contact.email is None
    assert profile.experience[0].url is None and profile.experience[0].start is None
    assert profile.references == "on_request"
    assert any(n.startswith("/work/0/url: ") for n in notes) and any(n.startswith("/work/0/startDate:") for n in notes)
    assert any(n.startswith("/basics/email: ") for n in notes)


# ---- export jsonresume --------------------------------------------------------------------------


@pytest.mark.parametrize("profile", [EXAMPLE, RESUME, EXTRAS], ids=lambda p: p.stem)
def test_export_validates_against_the_official_schema(profile: Path) -> None:
    result = run_cli("export", "jsonresume", profile)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert schema_errors(data) == []
    assert data["basics"]["name"]


def test_export_puts_authors_and_venue_into_summary_and_publisher() -> None:
    data = json.loads(run_cli("export", "jsonresume", EXAMPLE).stdout)
    from cvbuild.loading.profile import load_profile

    profile, _ = load_profile(EXAMPLE)
    first = profile.publication_entries()[0]
    out = next(p for p in data["publications"] if p["name"] == first.title)
    assert out["summary"].startswith("Authors: " + first.authors[0])
    assert out["publisher"] == (first.venue or first.venue_full)
    assert out["releaseDate"] == str(first.date)


def test_export_keeps_custom_sections_as_extra_keys_that_import_reads_back(tmp_path: Path) -> None:
    """Grants and students (custom sections) have no JSON Resume section: they are written as
    extra keys, which the official schema allows and `import jsonresume` reads back, not dropped."""
    from cvbuild.loading.profile import load_profile

    physicist = FIXTURES / "seeds" / "physicist.yaml"
    result = run_cli("export", "jsonresume", physicist)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert schema_errors(data) == []
    assert data["grants"][0]["name"] == "Exascale lattice QCD at finite density"
    assert data["grants"][0]["startDate"] == "2021-01" and data["grants"][0]["endDate"] == "2025-12"
    assert len(data["students_supervised"]) == 3
    assert "written as extra keys: grants, students_supervised" in result.stderr
    back, _ = imported("jsonresume", write(tmp_path / "resume.json", result.stdout), tmp_path)
    original, _ = load_profile(physicist)
    again, _ = load_profile(back)
    assert [s.title for s in again.sections] == [s.title for s in original.sections]
    for before, after in zip(original.sections, again.sections, strict=True):
        fields = ("title", "subtitle", "date", "start", "end", "summary", "highlights", "url")
        assert [e.model_dump(include=set(fields)) for e in after.entries] == [
            e.model_dump(include=set(fields)) for e in before.entries
        ]


def test_export_of_one_document_keeps_its_sections_and_tags(tmp_path: Path) -> None:
    profile = write(
        tmp_path / "p.yaml",
        "name: Ada Example\nsummary: Hello.\n"
        "experience:\n"
        "  - {organization: A, role: Engineer, date: 2024, tags: [industry]}\n"
        "  - {organization: B, role: Researcher, date: 2023, tags: [academic]}\n"
        "skills: [{category: Python, items: [pandas]}]\n"
        "talks: [{title: A talk, date: 2024}]\n"
        "sections: [{title: Mentoring, entries: [{title: Two students}]}]\n"
        "documents:\n  resume: {sections: [experience], tags: [industry]}\n  cv: {}\n",
    )
    result = run_cli("export", "jsonresume", profile, "-d", "resume")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert [w["name"] for w in data["work"]] == ["A"] and "skills" not in data and "summary" not in data["basics"]
    whole = run_cli("export", "jsonresume", profile)
    assert "custom sections written as extra keys: mentoring" in whole.stderr  # not in the resume document
    assert "mentoring" not in data and json.loads(whole.stdout)["mentoring"] == [{"name": "Two students"}]
    assert {"name": "A talk", "type": "talk", "startDate": "2024", "endDate": "2024"} in json.loads(whole.stdout)[
        "projects"
    ]
    assert run_cli("export", "jsonresume", profile, "-d", "nope").returncode == 2


# A profile made only of what JSON Resume can hold, in the form import gives back: dates as
# `date` or `start`+`end`, roles without ", ", named links as user names.
_word = st.text(alphabet=st.characters(categories=("L", "N"), max_codepoint=0x2FF), min_size=1, max_size=8)
_text = st.lists(_word, min_size=1, max_size=4).map(" ".join)
_year = st.integers(1990, 2030)
_month = st.integers(1, 12)


@st.composite
def _date(draw: Any) -> str:
    year = draw(_year)
    return draw(st.sampled_from([str(year), f"{year}-{draw(_month):02d}"]))


@st.composite
def _range(draw: Any) -> dict[str, str]:
    start = draw(_date())
    choice = draw(st.sampled_from(["date", "open", "closed"]))
    if choice == "date":
        return {"date": start}
    if choice == "open":
        return {"start": start, "end": "present"}
    end = str(int(start[:4]) + draw(st.integers(1, 5)))
    return {"start": start, "end": end}


_url = _word.map(lambda w: f"https://example.org/{w}")
_opt = st.none() | _text


def _entries(fields: dict[str, Any], dated: bool = False, most: int = 2) -> Any:
    """Lists of entries with these fields (and a date range when `dated`)."""
    entry = st.fixed_dictionaries(fields)
    if dated:
        entry = st.tuples(entry, _range()).map(lambda pair: {**pair[0], **pair[1]})
    return st.lists(entry, max_size=most)


_texts = st.lists(_text, max_size=3)
_some_texts = st.lists(_text, min_size=1, max_size=3)
_interest = _text | st.fixed_dictionaries({"name": _text, "keywords": _some_texts})
_contact = st.fixed_dictionaries(
    {
        "email": st.none() | _word.map(lambda w: f"{w}@example.org"),
        "phone": st.none() | st.just("+1 415 555 0142"),
        "website": st.none() | _url,
        "location": _opt,
        "links": st.fixed_dictionaries({"github": st.sampled_from(["ada", "ada-example", "a.example"])}),
        "profiles": st.lists(st.fixed_dictionaries({"network": st.just("Codeberg"), "url": _url}), max_size=1),
    }
)
PROFILES = st.fixed_dictionaries(
    {
        "name": _text,
        "headline": _opt,
        "summary": _opt,
        "contact": _contact,
        "interests": st.lists(_interest, max_size=3),
        "experience": _entries(
            {"organization": _text, "role": _text, "summary": _opt, "highlights": _texts, "url": st.none() | _url},
            dated=True,
            most=3,
        ),
        "volunteer": _entries({"organization": _text, "role": _text, "highlights": _texts}, dated=True),
        "education": _entries(
            {"institution": _text, "degree": _text, "field": _text, "gpa": _opt, "courses": _texts}, dated=True
        ),
        "honors": _entries({"title": _text, "issuer": _opt, "date": _date(), "note": _opt}),
        "certificates": _entries({"name": _text, "issuer": _opt, "date": _date(), "url": st.none() | _url}),
        "publications": _entries(
            {
                "title": _text,
                "authors": st.lists(_text, min_size=1, max_size=4),
                "venue": _opt,
                "date": _date(),
                "type": st.just("other"),
                "url": st.none() | _url,
                "note": _opt,
            },
            most=3,
        ),
        "skills": _entries({"category": _text, "level": _opt, "items": _some_texts}, most=3),
        "languages": _entries({"language": _text, "fluency": _opt}),
        "references": st.just("on_request") | _entries({"name": _text, "text": _text}),
        "projects": _entries(
            {
                "name": _text,
                "role": _opt,
                "organization": _opt,
                "type": _opt,
                "summary": _opt,
                "technologies": _texts,
            },
            dated=True,
        ),
    }
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(PROFILES)
def test_round_trip_keeps_every_field_json_resume_can_hold(raw: dict[str, Any]) -> None:
    original = Profile.model_validate(checked_profile(Path("p.yaml"), raw))
    exported = to_jsonresume(original, None, lambda _m: None)
    assert schema_errors(exported) == []
    notes: list[str] = []
    back = Profile.model_validate(
        checked_profile(Path("r.json"), from_jsonresume(exported, lambda w, m: notes.append(f"{w}: {m}")))
    )
    # JSON Resume holds no documents; the import adds one that keeps the file's section order. A job's
    # summary that only repeats its position or name is left out (a builder's, printed twice), and said.
    expected = original.model_dump(exclude={"documents"})
    for job in [*expected["experience"], *expected["volunteer"]]:
        if job["summary"] and job["summary"].casefold() in (
            str(job["role"]).casefold(),
            job["organization"].casefold(),
        ):
            job["summary"] = None
    for school in expected["education"]:  # and a field its degree already names ("formation React JS")
        if school["degree"] and school["field"] and _holds(school["degree"], school["field"]):
            school["field"] = None
    assert back.model_dump(exclude={"documents"}) == expected
    assert [n for n in notes if "no authors" not in n and "repeated" not in n] == []


def test_round_trip_of_the_example_keeps_what_json_resume_holds(tmp_path: Path) -> None:
    exported = write(tmp_path / "resume.json", run_cli("export", "jsonresume", EXAMPLE).stdout)
    path, stderr = imported("jsonresume", exported, tmp_path)
    from cvbuild.loading.profile import load_profile

    before, _ = load_profile(EXAMPLE)
    after, _ = load_profile(path)
    assert after.name == before.name and after.contact.email == before.contact.email
    for a, b in zip(after.experience, before.experience, strict=True):  # a team joins its organization
        flat = _flat(b.highlights)  # JSON Resume bullets are strings: nested ones come back flat
        assert a.organization.startswith(b.organization) and a.highlights[: len(flat)] == flat
    pubs_before = {p.title: p for p in before.publication_entries()}
    for p in after.publication_entries():
        assert p.authors == pubs_before[p.title].authors  # authors come back from the summary line
    assert "no authors" not in stderr


# ---- import rendercv ------------------------------------------------------------------------------


def test_import_rendercv_maps_entry_types_networks_design_and_locale(tmp_path: Path) -> None:
    path, stderr = imported("rendercv", RENDERCV, tmp_path)
    from cvbuild.loading.profile import load_profile

    p, _ = load_profile(path)
    assert p.contact.links.github == "priyar" and p.contact.links.orcid == "0000-0002-1825-0097"
    assert p.contact.links.mastodon == "https://genomic.social/@priya"
    assert {x.network for x in p.contact.profiles} == {"Reddit", "Lab page"}
    assert p.summary and "single-cell transcriptomics" in p.summary
    assert [e.organization for e in p.experience] == ["European Molecular Biology Laboratory", "Broad Institute"]
    assert p.education[0].degree == "PhD" and str(p.education[1].start) == "2013"  # "2013 – 2018" is a range
    pubs = p.publication_entries()
    assert pubs[0].authors[1] == "P. Raghunathan" and "P. Raghunathan" in p.aliases  # ***owner*** marks
    assert pubs[0].doi == "10.1038/s41592-024-00000-0" and pubs[1].type == "preprint"
    assert p.projects[0].name == "scRare" and p.honors[0].title == "EIPOD Postdoctoral Fellowship"
    assert p.skills[1].items[0] == "Bayesian inference (Stan, Pyro)"  # no split inside parentheses
    assert [lang.language for lang in p.languages] == ["English", "Tamil", "German"]
    assert p.talks[0].title.startswith("Invited talk") and p.service and p.teaching
    assert [s.title for s in p.sections] == ["Note"]
    doc = p.documents["cv"]
    assert (doc.theme, doc.locale, doc.options["page_size"], doc.options["accent"]) == (
        "classic",
        "de",
        "a4",
        "#000000",
    )
    assert doc.sections and doc.sections[:3] == ["summary", "experience", "education"]  # RenderCV's order
    # Warnings point at the line and column of the RenderCV file.
    assert re.search(rf"{re.escape(str(RENDERCV))}:\d+:\d+: cv\.sections\.experience\[1\]\.funding: ", stderr)
    assert "design.section_titles: no cvbuild option for this" in stderr


def test_rendercv_unknown_entries_go_to_custom_sections(tmp_path: Path) -> None:
    source = write(
        tmp_path / "CV.yaml",
        "cv:\n  name: Ada Example\n  sections:\n"
        "    odd things:\n      - {foo: 1, bar: two}\n"
        "    service:\n      - {name: Program committee, date: 2024}\n"
        "    hobbies:\n      - {label: Climbing, details: 'bouldering, alpine'}\n"
        "    summary:\n      - 'See $$x^2$$ and #emph[this].'\n"
        "design: {theme: opal}\n",
    )
    path, stderr = imported("rendercv", source, tmp_path)
    from cvbuild.loading.profile import load_profile

    p, _ = load_profile(path)
    assert [s.title for s in p.sections] == ["odd things", "Service"]  # as RenderCV titles them
    assert p.sections[1].id == "service-2"  # no clash with the built-in `service`
    assert p.interest_entries()[0].keywords == ["bouldering", "alpine"]
    assert p.documents["cv"].theme == "modern"
    assert "odd things[0]: unknown entry type; kept in a custom section" in stderr
    assert "Typst code is shown as text" in stderr
    assert p.summary == "See $$x^2$$ and *this*."  # math stays text (and is reported); #emph is Markdown


def test_rendercv_sub_bullets_become_nested_highlights(tmp_path: Path) -> None:
    """RenderCV reads " - " inside a highlight as sub-bullets (its sample nests three under one
    highlight); the import keeps them as nested bullets, not one run-on line."""
    from ruamel.yaml import YAML

    from cvbuild.loading.profile import load_profile
    from cvbuild.schema.model import NestedBullet

    path, _ = imported("rendercv", RENDERCV_SAMPLE, tmp_path)
    p, _ = load_profile(path)
    source = YAML(typ="safe").load(RENDERCV_SAMPLE.read_text(encoding="utf-8"))["cv"]["sections"]
    for entry, imported_entry in zip(source["experience"], p.experience, strict=True):
        expected = []
        for h in entry["highlights"]:
            head, *subs = h.split(" - ")
            expected.append((head, subs))
        got = [(b.text, b.highlights) if isinstance(b, NestedBullet) else (b, []) for b in imported_entry.highlights]
        assert got == expected
    (deepmind,) = [e for e in p.experience if e.organization == "Google DeepMind"]
    nested = deepmind.highlights[1]
    assert isinstance(nested, NestedBullet) and len(nested.highlights) == 3
    assert nested.highlights[2] == "Invited journal extension in JMLR (2023)"


def test_rendercv_text_entries_become_paragraphs(tmp_path: Path) -> None:
    """RenderCV's TextEntry (a plain string) is a paragraph: its sample's "Welcome to RenderCV"
    section is set as text, as RenderCV sets it, not as four bold one-line entries."""
    from cvbuild.loading.profile import load_profile

    path, _ = imported("rendercv", RENDERCV_SAMPLE, tmp_path)
    p, _ = load_profile(path)
    ((name, spec),) = documents_to_render(p, None)
    _, doc = build_for(p, name, spec, RenderRequest(profile=path), today())
    (welcome,) = [s for s in doc.sections if s.title == "Welcome to RenderCV"]
    assert welcome.kind == "text" and len(welcome.groups[0].entries) == 4
    assert all(not e.title for e in welcome.groups[0].entries)


def _bold_runs(pdf: Path) -> list[tuple[str, bool]]:
    """Each text run of a PDF and whether its font is a bold one."""
    from pypdf import PdfReader

    runs: list[tuple[str, bool]] = []

    def visit(text: str, _cm: Any, _tm: Any, font: Any, _size: Any) -> None:
        name = str((font or {}).get("/BaseFont", ""))  # "/ABCDEF+Inter-Bold-Identity-H", "...+LinLibertineOB-..."
        if text.strip():
            runs.append((text.strip(), "Bold" in name or name.split("+")[-1].split("-")[0].endswith("B")))

    for page in PdfReader(pdf).pages:
        page.extract_text(visitor_text=visit)
    return runs


def test_rendercv_bullet_sections_are_a_bulleted_list(tmp_path: Path) -> None:
    """RenderCV sets `- bullet: "**Label:** text"` as a bullet in body weight, only its own bold
    label bold. Real CVs use such sections for skills and "other information" (as in
    github.com/Bollos00/MyCvWithRenderCv and github.com/geokshitij/rendercv; these lines are written
    after them). The import made each line a custom entry's title: every theme set the whole line bold,
    the label's emphasis lost in it. Now they are one entry's bullets, with no empty heading over
    them in any target."""
    from cvbuild.loading.profile import load_profile

    source = write(
        tmp_path / "CV.yaml",
        "cv:\n  name: Ana Exemplo\n  sections:\n    Competências:\n"
        "      - bullet: '**Linguagens de Programação:** C++, Python, C#, Java, SQL'\n"
        "      - bullet: '**Idiomas:** Português (nativo), Inglês (C1), Espanhol (B1)'\n"
        "    experience:\n      - {company: Metrô, position: Engenheira, start_date: 2023-02, end_date: present}\n"
        "    other_information:\n"
        "      - bullet: '**Leadership:** Editorial Board, Regional Environmental Change (2024–Present)'\n"
        "locale: {language: portuguese}\n",
    )
    path, _ = imported("rendercv", source, tmp_path)
    p, _ = load_profile(path)
    assert [(s.title, len(s.entries)) for s in p.sections] == [("Competências", 1), ("Other Information", 1)]
    assert p.sections[0].entries[0].title == "" and len(p.sections[0].entries[0].highlights) == 2
    plain_lines = ("C++, Python, C#, Java, SQL", "Português (nativo), Inglês (C1), Espanhol (B1)")
    for theme in BUILTIN_THEMES:
        out = tmp_path / theme
        result = run_cli("render", path, "--theme", theme, "-f", "pdf,html,txt,md", "-o", out)
        assert result.returncode == 0, result.stderr
        pdf = next(out.glob("*.pdf"))
        runs = _bold_runs(pdf)
        lines = pdf_lines(pdf)[0].lines
        heads = [i for i, (t, _) in enumerate(lines) if squash(t).upper().startswith(("COMPETÊNCIAS", "EXPERIÊNCIA"))]
        assert len(heads) == 2, (theme, lines)
        to_bullets, to_entry = (lines[i + 1][1] - lines[i][1] for i in heads)
        assert to_bullets < to_entry + 1.5, theme  # no empty line for a head (it was 3 to 5 pt more)
        for label, rest in zip(("Linguagens de Programação:", "Idiomas:"), plain_lines, strict=True):
            assert (label, True) in runs, (theme, runs)
            assert (rest, False) in runs, (theme, label, runs)  # was bold: the whole line was a title
        html = next(out.glob("*.html")).read_text(encoding="utf-8")
        assert not re.search(r"<h\d[^>]*>\s*</h\d>", html), theme  # no empty heading over the bullets
        assert "<li><strong>Idiomas:</strong> Português (nativo)" in html, theme
        md = next(out.glob("*.md")).read_text(encoding="utf-8")
        assert not re.search(r"^#+\s*$", md, re.M), theme
        assert "- **Linguagens de Programação:** C++, Python, C#, Java, SQL" in md, theme
        txt = next(out.glob("*.txt")).read_text(encoding="utf-8")
        assert "- Idiomas: Português (nativo), Inglês (C1), Espanhol (B1)" in txt, theme
        assert "\n\n\n" not in txt.split("COMPET")[1].split("EXPERI")[0], theme  # no blank line for a head


def test_rendercv_markdown_link_names_become_name_and_url(tmp_path: Path) -> None:
    """RenderCV's sample names its projects `[FlashInfer](https://github.com/)`; a project name is
    plain text in cvbuild, so the import keeps the text as the name and the target as its url."""
    from cvbuild.loading.profile import load_profile

    source = write(
        tmp_path / "CV.yaml",
        "cv:\n  name: Ada Example\n  sections:\n"
        "    experience:\n      - {company: '[Nexus AI](https://nexus.example.com)', position: CTO, date: 2024}\n"
        "    education:\n"
        "      - {institution: '[Boğaziçi University](https://bogazici.edu.tr)', area: CS, date: 2018}\n",
    )
    path, _ = imported("rendercv", source, tmp_path)
    p, _ = load_profile(path)
    assert (p.experience[0].organization, p.experience[0].url) == ("Nexus AI", "https://nexus.example.com")
    assert (p.education[0].institution, p.education[0].url) == ("Boğaziçi University", "https://bogazici.edu.tr")
    sample, _ = imported("rendercv", RENDERCV_SAMPLE, tmp_path / "sample")
    q, _ = load_profile(sample)
    assert [(x.name, x.url) for x in q.projects] == [
        ("FlashInfer", "https://github.com/"),
        ("NeuralPrune", "https://github.com/"),
    ]


def test_rendercv_sample_renders_every_highlight_once_in_order(tmp_path: Path) -> None:
    """RenderCV's own sample, imported and rendered: every highlight and sub-bullet of the source
    appears once in the text output, in the source's order, and no Markdown link shows as code."""
    from ruamel.yaml import YAML

    path, _ = imported("rendercv", RENDERCV_SAMPLE, tmp_path)
    out = tmp_path / "out"
    result = run_cli("render", path, "-f", "txt,md", "-o", out)
    assert result.returncode == 0, result.stderr
    txt = squash(next(out.glob("*.txt")).read_text(encoding="utf-8"))
    source = YAML(typ="safe").load(RENDERCV_SAMPLE.read_text(encoding="utf-8"))["cv"]["sections"]
    pieces = [
        squash(part)
        for section in ("experience", "projects")
        for entry in source[section]
        for h in entry["highlights"]
        for part in h.split(" - ")
    ]
    at = 0
    for piece in pieces:
        assert txt.count(piece) == 1, piece
        assert txt.index(piece) > at, f"{piece!r} out of order"
        at = txt.index(piece)
    assert "](" not in txt


def test_rendercv_publications_keep_their_order_and_claim_no_type(tmp_path: Path) -> None:
    """RenderCV lists publications as written, under one title, and its `journal` field holds any
    venue ("NeurIPS 2023"): the import keeps that order and that one list in every theme, where
    classic once filed conference papers under "Journal Articles", newest first."""
    source = write(
        tmp_path / "CV.yaml",
        "cv:\n  name: Ada Example\n  sections:\n    publications:\n"
        "      - {title: Older paper, authors: [Ada Example], journal: ICML 2021, date: 2021-07}\n"
        "      - {title: Newer paper, authors: [Ada Example], journal: NeurIPS 2023, date: 2023-12}\n"
        "      - {title: A preprint, authors: [Ada Example], journal: arXiv, date: 2024-01}\n"
        "design: {theme: sb2nov}\n",
    )
    path, stderr = imported("rendercv", source, tmp_path)
    from cvbuild.loading.profile import load_profile

    p, _ = load_profile(path)
    assert [x.type for x in p.publication_entries()] == ["other", "other", "preprint"]
    assert "type" not in stderr  # RenderCV has none to give: no warning for every import (README says it)
    assert p.documents["cv"].theme == "classic"
    out = tmp_path / "out"
    result = run_cli("render", path, "-f", "txt", "-o", out)
    assert result.returncode == 0, result.stderr
    txt = next(out.glob("*.txt")).read_text(encoding="utf-8")
    assert "Journal" not in txt and "Other" not in txt
    assert txt.index("Older paper") < txt.index("Newer paper") < txt.index("A preprint")


def test_rendercv_job_shaped_sections_keep_their_headings(tmp_path: Path) -> None:
    """github.com/fnandogarciag/cv-rendercv writes its education as RenderCV experience entries,
    `EDUCACIÓN: [{company: Universidad Del Norte, position: Ingenieria Electronica, summary: 2015 -
    2020}]` (these lines are written after it). The import joined them to the jobs: the heading was
    lost and the university listed as an employer. An education title makes them education now,
    dated by a summary that is only a range; a second section of jobs under a title of its own
    ("Teaching Experience") keeps its heading instead of joining the first."""
    from cvbuild.loading.profile import load_profile

    source = write(
        tmp_path / "CV.yaml",
        "cv:\n  name: Fernando Ejemplo\n  sections:\n    EXPERIENCIA LABORAL:\n"
        "      - {company: Grupo Novus, position: Desarrollador Senior, start_date: 2023-04, end_date: 2023-12}\n"
        "    EDUCACIÓN:\n"
        "      - {company: Universidad Del Norte, position: Ingenieria Electronica, location: 'Barranquilla, Colombia',"
        " summary: 2015 - 2020}\n"
        "    Teaching Experience:\n"
        "      - {company: Universidad Del Norte, position: Teaching Assistant, start_date: 2019-01, end_date: 2019-06,"
        " highlights: [Graded circuits labs]}\n",
    )
    path, stderr = imported("rendercv", source, tmp_path)
    assert "joined" not in stderr
    p, _ = load_profile(path)
    assert [e.organization for e in p.experience] == ["Grupo Novus"]
    (school,) = p.education
    assert (school.institution, school.degree, str(school.start), str(school.end)) == (
        "Universidad Del Norte",
        "Ingenieria Electronica",
        "2015",
        "2020",
    )
    (teaching,) = p.sections
    assert (teaching.title, teaching.entries[0].title, teaching.entries[0].subtitle) == (
        "Teaching Experience",
        "Teaching Assistant",
        "Universidad Del Norte",
    )
    for theme in BUILTIN_THEMES:
        out = tmp_path / theme
        result = run_cli("render", path, "--theme", theme, "-f", "pdf,txt", "-o", out)
        assert result.returncode == 0, result.stderr
        for text in (next(out.glob("*.txt")).read_text(encoding="utf-8"), pdf_text(next(out.glob("*.pdf")))):
            flat = squash(text)
            order = ["EXPERIENCIALABORAL", "GrupoNovus", "EDUCACIÓN", "IngenieriaElectronica", "2015–2020"]
            order += ["TEACHINGEXPERIENCE", "TeachingAssistant", "Gradedcircuitslabs"]
            at = [flat.upper().find(w.upper()) for w in order]
            assert -1 not in at and at == sorted(at), (theme, dict(zip(order, at, strict=True)))


def test_an_undated_entry_has_its_place_beside_its_title(tmp_path: Path) -> None:
    """github.com/jonnyjackson26/rendercv-resume lists a portfolio of undated projects, some with
    a `location` that is their site (`learn-markdown-game.com`; these lines are written after it).
    With no date and no subtitle, the place stood alone on a second line, at the right under an
    empty left side; it sits where the date would now, beside the title, in every theme's PDF and
    in the page."""
    source = write(
        tmp_path / "CV.yaml",
        "cv:\n  name: Jo Example\n  sections:\n    portfolio:\n"
        "      - {name: Markdown Learning Tutorial, location: learn-markdown-game.com, highlights: [With React]}\n"
        "      - {name: Temple Tracker Mobile App, highlights: [Built with Expo]}\n"
        "    experience:\n"
        "      - {company: Utah State University, position: Teaching Assistant, location: 'Logan, UT',"
        " start_date: 2024-08, end_date: 2025-12}\n",
    )
    path, _ = imported("rendercv", source, tmp_path)
    for theme in BUILTIN_THEMES:
        out = tmp_path / theme
        result = run_cli("render", path, "--theme", theme, "-f", "pdf,html", "-o", out)
        assert result.returncode == 0, result.stderr
        lines = [line for line, _ in pdf_lines(next(out.glob("*.pdf")))[0].lines]
        assert "Markdown Learning Tutorial learn-markdown-game.com" in lines, (theme, lines)
        assert not any(line.startswith("Logan") for line in lines), theme  # a dated job keeps its place below
        html = next(out.glob("*.html")).read_text(encoding="utf-8")
        head = html[html.index("Markdown Learning Tutorial") :]
        assert "learn-markdown-game.com" in head[: head.index("</div>", head.index("</div>") + 1)], theme


def test_rendercv_dates_an_end_alone_and_an_honors_range_are_kept(tmp_path: Path) -> None:
    """Two dates real academic CVs write (github.com/faskowit/mycv_rendercv; these entries are
    made up): a degree with only `end_date: "2021"`, which RenderCV shows as the degree's year,
    and a fellowship held `date: "2016-2019"`. The import dropped the first and kept only 2016 of
    the second (an honor had one date). Both show whole now, in every theme and format."""
    from cvbuild.loading.profile import load_profile

    source = write(
        tmp_path / "CV.yaml",
        "cv:\n  name: Ada Example\n  sections:\n    Education:\n"
        "      - {institution: Indiana University, area: Neuroscience, degree: Ph.D., end_date: '2021'}\n"
        "    Honors & Awards:\n"
        "      - {name: NSF Graduate Research Fellowship, date: '2016-2019', summary: '$34,000 per year'}\n"
        "      - {name: Saltzman Award, date: '2023'}\n",
    )
    path, _ = imported("rendercv", source, tmp_path)
    p, _ = load_profile(path)
    assert str(p.education[0].date) == "2021"
    fellowship, award = p.honors
    assert (str(fellowship.start), str(fellowship.end), fellowship.date) == ("2016", "2019", None)
    assert str(award.date) == "2023"
    for theme in BUILTIN_THEMES:
        out = tmp_path / theme
        result = run_cli("render", path, "--theme", theme, "-f", "pdf,html,txt,md", "-o", out)
        assert result.returncode == 0, result.stderr
        for kind in ("txt", "md", "html", "pdf"):
            file = next(out.glob(f"*.{kind}"))
            raw = pdf_text(file) if kind == "pdf" else file.read_text(encoding="utf-8")
            text = squash(re.sub(r"<[^>]+>", "", raw) if kind == "html" else raw)  # the text of <time> markup
            assert "2016–2019" in text, (theme, kind)
            after_school = text[text.index("IndianaUniversity") :]
            assert "2021" in after_school[: after_school.index("NSF")], (theme, kind)  # the degree's year
    result = run_cli("export", "jsonresume", path)
    assert result.returncode == 0, result.stderr
    assert [a["date"] for a in json.loads(result.stdout)["awards"]] == ["2016", "2023"]


def test_rendercv_publication_sections_keep_their_titles_and_order(tmp_path: Path) -> None:
    """Academic RenderCV files list papers in several sections: Preprints, Journal Articles,
    Conference Papers, Conference Posters (github.com/faskowit/mycv_rendercv has these four; its
    content is all rights reserved, so these entries are made up). The import joined them into one
    list headed by the first title: journal articles and posters appeared under "Preprints", three
    headings gone. Each section names a type, so they are groups of one list now, under the file's
    titles, in the file's order (not the schema's: conference before journal before preprint)."""
    from cvbuild.loading.profile import load_profile

    sections = {
        "Preprints": ("A preprint on edge time series", "bioRxiv", 2025),
        "Journal Articles": ("A journal article on brain networks", "NeuroImage 12(3) 45", 2024),
        "Conference Papers": ("A proceedings paper on registration", "MICCAI", 2016),
        "Conference Posters (first-author only)": ("A poster on block models", "Poster presented at OHBM", 2019),
    }
    body = "".join(
        f"    {title}:\n      - {{title: {paper}, authors: ['**Ada Example**', Bo Chen], journal: {venue}, "
        f"date: {year}}}\n"
        for title, (paper, venue, year) in sections.items()
    )
    source = write(
        tmp_path / "CV.yaml",
        f"cv:\n  name: Ada Example\n  sections:\n{body}    Teaching:\n      - {{name: Methods, date: 2018}}\n",
    )
    path, stderr = imported("rendercv", source, tmp_path)
    assert "joined" not in stderr
    p, _ = load_profile(path)
    assert [x.type for x in p.publication_entries()] == ["preprint", "journal", "conference", "poster"]
    for theme in BUILTIN_THEMES:
        out = tmp_path / theme
        result = run_cli("render", path, "--theme", theme, "-f", "pdf,txt,md", "-o", out)
        assert result.returncode == 0, result.stderr
        for kind in ("txt", "md", "pdf"):
            file = next(out.glob(f"*.{kind}"))
            text = squash(pdf_text(file) if kind == "pdf" else file.read_text(encoding="utf-8"))
            at = 0
            for title, (paper, _, _) in sections.items():
                assert text.count(squash(title)) == 1, (theme, kind, title)  # was missing, but the first
                assert text.index(squash(title)) > at, (theme, kind, title)
                at = text.index(squash(title))
                assert text.count(squash(paper)) == 1 and text.index(squash(paper)) > at, (theme, kind, paper)
                at = text.index(squash(paper))
    # Sections that name no type, or the same one, stay one list under the first title, as written.
    plain = write(tmp_path / "plain.yaml", source.read_text(encoding="utf-8").replace("Conference Papers", "Talks"))
    path, stderr = imported("rendercv", plain, tmp_path / "plain")
    p, _ = load_profile(path)
    assert p.documents["cv"].publications.group_by == "none"
    assert p.documents["cv"].section_titles["publications"] == "Preprints"
    # and the titles type nothing then: in one list, "Posters" would claim a journal article
    assert [x.type for x in p.publication_entries()] == ["preprint", "other", "other", "other"]
    assert stderr.count("joined to the publications of an earlier section") == 3


def test_a_resume_on_one_page_in_rendercv_is_on_one_page_here(tmp_path: Path) -> None:
    """Four jobs of three or four bullets, education, skills and projects: one page in RenderCV's
    classic theme, so one page in every built-in theme, unfitted; with two bullets more in each
    entry it takes two, and `max_pages: 1` fits it on one."""
    from pypdf import PdfReader

    path, _ = imported("rendercv", RENDERCV_ONEPAGE, tmp_path)
    for theme in BUILTIN_THEMES:
        engines = ("typst", "weasyprint") if theme == "modern" else ("typst",)  # modern: what the import picks
        for engine in engines:
            out = tmp_path / f"{theme}-{engine}"
            result = run_cli("render", path, "-f", "pdf", "--theme", theme, "--engine", engine, "-o", out)
            assert result.returncode == 0, result.stderr
            assert "fitted" not in result.stdout and "warning" not in result.stderr, (theme, engine, result.stderr)
            assert len(PdfReader(next(out.glob("*.pdf"))).pages) == 1, (theme, engine)
    extra = "".join(f"      - Wrote design document {i} and its runbook, reviewed by three teams\n" for i in (1, 2))
    longer = path.read_text(encoding="utf-8").replace("    highlights:\n", "    highlights:\n" + extra)
    result = run_cli("render", write(tmp_path / "longer.yaml", longer), "-f", "pdf", "-o", tmp_path / "longer")
    assert result.returncode == 0, result.stderr
    assert len(PdfReader(next((tmp_path / "longer").glob("*.pdf"))).pages) == 2  # what fitting must undo
    budget = longer.replace("documents:\n  cv:\n", "documents:\n  cv:\n    max_pages: 1\n")
    result = run_cli("render", write(tmp_path / "budget.yaml", budget), "-f", "pdf", "-o", tmp_path / "budget")
    assert result.returncode == 0, result.stderr
    assert "fitted to 1 page" in result.stdout and "warning" not in result.stderr, result.stdout + result.stderr
    assert len(PdfReader(next((tmp_path / "budget").glob("*.pdf"))).pages) == 1


def test_jsonresume_present_as_an_end_is_ongoing(tmp_path: Path) -> None:
    """Real resume.json files write `"endDate": "Present"` (JSON Resume themes print it; one React
    theme's own tests feed it `"startDate": "2011", "endDate": "Present"`), where the schema wants a
    date or no endDate at all. The import refused the whole file; such an end is ongoing now, with
    a note. Other text that is no date is still refused at its line and column."""
    from cvbuild.loading.profile import load_profile

    resume = {
        "basics": {"name": "Test Person"},
        "work": [{"name": "Optus", "position": "Engineer", "startDate": "2011", "endDate": "Present"}],
        "education": [{"institution": "Uni", "area": "CS", "startDate": "2019-09", "endDate": "current"}],
    }
    path, stderr = imported("jsonresume", write(tmp_path / "resume.json", json.dumps(resume)), tmp_path)
    assert "/work/0/endDate: 'Present' read as ongoing" in stderr
    p, _ = load_profile(path)
    assert str(p.experience[0].end) == "present" and str(p.education[0].end) == "present"
    resume["work"][0]["endDate"] = "Summer 2019"
    result = run_cli("import", "jsonresume", write(tmp_path / "bad.json", json.dumps(resume)))
    assert result.returncode == 2 and "bad.json:1:" in result.stderr and "'Summer 2019' is not a date" in result.stderr


def test_jsonresume_html_in_prose_is_read_as_markdown(tmp_path: Path) -> None:
    """JSON Resume builders and themes print prose as HTML, so real files carry it: "Lorem ipsum
    <strong>dolor sit amet</strong> ... <br><br> ..." (tonyAlgara/tonyAlgara.github.io), "Html style
    is <b>supported</b>" (gaafiz/free-resume-builder's sample; these strings are written after
    them). cvbuild printed the tags and `&amp;` in every format; simple HTML is Markdown now: bold,
    italics, links, paragraphs. Any other markup stays verbatim, as user text always does."""
    from cvbuild.loading.profile import load_profile

    resume = {
        "basics": {
            "name": "Caroline Watson",
            "summary": "Lorem ipsum <strong>dolor sit amet</strong>, consectetur. <br><br> Html style is "
            "<b>supported</b> &amp; <a href='https://example.com/cw'>linked</a>.",
        },
        "work": [
            {
                "name": "Mario Bros Inc.",
                "position": "Software Engineer",
                "startDate": "2012",
                "highlights": ["Created a <em>new</em> feature<br>that increased traffic by 20%."],
                "summary": "Kept as written: <script>alert(1)</script> and C++ <templates>",
            }
        ],
    }
    path, stderr = imported("jsonresume", write(tmp_path / "resume.json", json.dumps(resume)), tmp_path)
    assert "/basics/summary: HTML read as Markdown" in stderr and "/work/0/highlights/0" in stderr
    p, _ = load_profile(path)
    assert p.summary == (
        "Lorem ipsum **dolor sit amet**, consectetur.\n\n"
        "Html style is **supported** & [linked](https://example.com/cw)."
    )
    assert p.experience[0].highlights == ["Created a *new* feature that increased traffic by 20%."]
    assert p.experience[0].summary == "Kept as written: <script>alert(1)</script> and C++ <templates>"
    for theme in BUILTIN_THEMES:
        out = tmp_path / theme
        result = run_cli("render", path, "--theme", theme, "-f", "pdf,txt", "-o", out)
        assert result.returncode == 0, result.stderr
        pdf = next(out.glob("*.pdf"))
        for text in (pdf_text(pdf), next(out.glob("*.txt")).read_text(encoding="utf-8")):
            assert "<strong>" not in text and "<b>" not in text and "&amp;" not in text and "<br>" not in text
            assert "<script>alert(1)</script>" in text, theme
        assert ("dolor sit amet", True) in _bold_runs(pdf), theme


def test_jsonresume_html_text_stays_text_and_its_bold_is_bold(tmp_path: Path) -> None:
    """In HTML, `*`, `_`, `[`, `^` and a backtick are text, and a builder's bold label ends with
    its space inside (`<strong>Skills: </strong>`). Read as Markdown unescaped, the text became
    markup and the label printed `**Skills: **` in every format; a `)` in a link's address ended
    the link there, pointing it elsewhere, and a `]` in its text printed the Markdown."""
    from markdown_it import MarkdownIt

    from cvbuild.loading.profile import load_profile

    resume = {
        "basics": {
            "name": "Caroline Watson",
            "summary": "<strong>Skills: </strong>Python, snake_case_name, 2^10^, *not em* [x] `tick` "
            "#x $y$ &lt;script&gt; @r \\ { } 😀 中文<b></b>, "
            "<a href='https://en.wikipedia.org/wiki/Go_(game)'>Go ]rules[</a>, <b>\"Q\"</b>z",
        },
    }
    path, _ = imported("jsonresume", write(tmp_path / "resume.json", json.dumps(resume)), tmp_path)
    summary = load_profile(path)[0].summary
    written = (
        "Skills: Python, snake_case_name, 2^10^, *not em* [x] `tick` #x $y$ <script> @r \\ { } 😀 中文, "
        'Go ]rules[, "Q"z'
    )
    out = tmp_path / "out"
    result = run_cli("render", path, "--theme", "classic", "-f", "pdf,txt,md,html", "-o", out)
    assert result.returncode == 0, result.stderr
    txt = written.replace("Go ]rules[", "Go ]rules[ (https://en.wikipedia.org/wiki/Go_(game))")
    assert squash(txt) in squash(next(out.glob("*.txt")).read_text(encoding="utf-8")), summary
    md = MarkdownIt("commonmark").render(next(out.glob("*.md")).read_text(encoding="utf-8"))
    assert "<strong>Skills:</strong> Python" in md and "****" not in md
    assert '<a href="https://en.wikipedia.org/wiki/Go_(game)">Go ]rules[</a>' in md  # its address as written
    page = next(out.glob("*.html")).read_text(encoding="utf-8")
    assert '<a href="https://en.wikipedia.org/wiki/Go_(game)"' in page
    assert squash(written) in squash(pdf_text(next(out.glob("*.pdf"))))
    assert ("Skills:", True) in _bold_runs(next(out.glob("*.pdf")))


def test_rendercv_education_summary_of_paragraphs_is_bullets(tmp_path: Path) -> None:
    """Education has no summary, so RenderCV's leads the highlights: written in two paragraphs
    or wrapped lines (a YAML `|` block), it was one bullet with line breaks, which the profile
    refuses, and the whole import failed at an `education[0].highlights[0]` the file does not
    have. It failed likewise for jobs under an education title (EDUCACIÓN, bb296db)."""
    from cvbuild.loading.profile import load_profile

    for section, entry in {
        "Education": "institution: Universidad X\n        area: Informatics\n        degree: BSc",
        "Educación": "company: Universidad X\n        position: BSc Informatics",
    }.items():
        source = write(
            tmp_path / f"{section}.yaml",
            f"cv:\n  name: Ada Example\n  sections:\n    {section}:\n      - {entry}\n"
            "        start_date: 2015-09\n        end_date: 2019-06\n        summary: |\n"
            "          First paragraph line\n          wrapped.\n\n          Second paragraph with *emphasis*.\n"
            "        highlights: [GPA 9/10]\n",
        )
        path, _ = imported("rendercv", source, tmp_path / section)
        p, _ = load_profile(path)
        assert p.education[0].highlights == [
            "First paragraph line wrapped.",
            "Second paragraph with *emphasis*.",
            "GPA 9/10",
        ], section
        out = tmp_path / section / "out"
        result = run_cli("render", path, "-f", "txt", "-o", out)
        assert result.returncode == 0, result.stderr
        assert "First paragraph line wrapped." in next(out.glob("*.txt")).read_text(encoding="utf-8")


class _HtmlText(HTMLParser):
    """The text a browser shows for simple HTML, a line break as a space."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.text.append(" " if tag in ("br", "p") else "")


_HTML_TOKENS = [
    *("<b>", "</b>", "<i>", "</i>", "<em>", "</em>", "<strong>", "</strong>", "<br>", "<p>", "</p>", "</a>"),
    *('<a href="https://x.org/a_(b)">', '<a href="javascript:alert(1)">', "x", "y z", " ", "&amp;", "&lt;"),
    *("*", "**", "_", "[", "]", "`", "^", "~", "\\", "(", ")", '"', ".", ":", "#", "$", "中", "😀"),
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_HTML_TOKENS), min_size=1, max_size=12), st.booleans())
# found by this test: a link with no text, in another, printed `[](https://x.org/a_(b))`
@example(['<a href="https://x.org/a_(b)">', '<a href="https://x.org/a_(b)">', "</a>", "</a>"], False)
def test_html_read_as_markdown_shows_the_html_text(tokens: list[str], one_line: bool) -> None:
    """Whatever the simple HTML, its Markdown reads back as the HTML's text: no `**`, `[` or
    escape of the conversion's own is printed (an unclosed <a> printed its `[`), none of the
    text's is lost as markup."""
    from cvbuild.document.inline import spans
    from cvbuild.interop.html_text import has_html, html_to_markdown

    html = "".join(tokens)
    if has_html(html):
        shown = "".join(s.text for s in spans(html_to_markdown(html, one_line=one_line)))
        browser = _HtmlText()
        browser.feed(html)
        browser.close()
        assert "".join(shown.split()) == "".join("".join(browser.text).split())


def test_jsonresume_note_of_paragraphs_is_one_line(tmp_path: Path) -> None:
    """An award's or a publication's summary becomes its note, which is one line. Written in
    paragraphs, as HTML (`<br><br>`, `<p>`, read as Markdown since d92c2d5) or as text, the note
    held line breaks, the profile refused it, and nothing was imported."""
    from cvbuild.loading.profile import load_profile

    resume = {
        "basics": {"name": "Ada Example"},
        "awards": [{"title": "Prize", "date": "2020-01-01", "summary": "For <b>work</b>.<br><br>Second part."}],
        "publications": [
            {
                "name": "Paper",
                "releaseDate": "2020-01-01",
                "publisher": "J",
                "summary": "Abstract <i>one</i>.<p>Two</p>",
            },
            {"name": "Other", "releaseDate": "2021-01-01", "publisher": "J", "summary": "Plain one.\n\nPlain two."},
        ],
    }
    path, _ = imported("jsonresume", write(tmp_path / "resume.json", json.dumps(resume)), tmp_path)
    p, _ = load_profile(path)
    assert p.honors[0].note == "For **work**. Second part."
    assert [x.note for x in p.publication_entries()] == ["Abstract *one*. Two", "Plain one. Plain two."]
    result = run_cli("render", path, "-f", "txt", "-o", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert "For work. Second part." in next((tmp_path / "out").glob("*.txt")).read_text(encoding="utf-8")


def test_jsonresume_phone_without_country_code_uses_the_country_of_the_address(tmp_path: Path) -> None:
    """The official sample writes `(912) 555-4321` beside `countryCode: US`: that says the number is
    American, so it is imported in international form (with a note), not dropped."""
    from cvbuild.loading.profile import load_profile

    path, stderr = imported("jsonresume", JSONRESUME_SAMPLE, tmp_path)
    p, _ = load_profile(path)
    assert p.contact.phone == "+1 912-555-4321"
    assert "/basics/phone: '(912) 555-4321' has no country code; read as a number in US" in stderr
    data = json.loads(JSONRESUME_SAMPLE.read_text(encoding="utf-8"))
    del data["basics"]["location"]["countryCode"]
    path, stderr = imported("jsonresume", write(tmp_path / "nocountry.json", json.dumps(data)), tmp_path / "b")
    p, _ = load_profile(path)
    assert p.contact.phone is None and "not imported: add it to `contact.phone`" in stderr


# ---- every imported file renders in every built-in theme -----------------------------------------

SOURCES = {"jsonresume": JSONRESUME, "rendercv": RENDERCV}  # samples of our own: every part of each format


@pytest.fixture(scope="module")
def imported_profiles(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = {}
    for kind, source in SOURCES.items():
        folder = tmp_path_factory.mktemp(kind)
        out[kind] = imported(kind, source, folder)[0]
    return out


@pytest.mark.parametrize("theme", BUILTIN_THEMES)
@pytest.mark.parametrize("kind", list(SOURCES))
def test_imported_profile_renders_in_every_theme(
    kind: str, theme: str, imported_profiles: dict[str, Path], tmp_path: Path
) -> None:
    profile = imported_profiles[kind]
    out = tmp_path / "out"
    result = run_cli("render", profile, "--theme", theme, "-f", "pdf,html,txt,md", "-o", out)
    assert result.returncode == 0, result.stderr
    from cvbuild.loading.profile import load_profile

    p, _ = load_profile(profile)
    expected = [p.name, p.experience[0].role, p.education[0].institution, p.skills[0].category]
    expected.append(p.publication_entries()[0].title)
    pdf = next(out.glob("*.pdf"))
    text = squash(pdf_text(pdf))
    html = next(out.glob("*.html")).read_text(encoding="utf-8")
    txt = next(out.glob("*.txt")).read_text(encoding="utf-8")
    md = next(out.glob("*.md")).read_text(encoding="utf-8")
    for value in expected:
        assert squash(value) in text, value
        assert squash(value).casefold() in squash(txt).casefold(), value  # txt capitalises the name
        assert value.split()[0] in html and value.split()[0] in md
    if (BUILTIN_THEMES.index(theme) + list(SOURCES).index(kind)) % 2:
        return  # WeasyPrint (~4 s a render) takes each theme with one source, each source in half the themes
    weasy = run_cli("render", profile, "--theme", theme, "-f", "pdf", "--engine", "weasyprint", "-o", tmp_path / "w")
    assert weasy.returncode == 0, weasy.stderr
    assert squash(p.name) in squash(pdf_text(next((tmp_path / "w").glob("*.pdf"))))


def test_checked_yaml_refuses_what_validate_would_refuse(tmp_path: Path) -> None:
    from cvbuild.errors import InputError

    with pytest.raises(InputError, match="cannot be imported"):
        checked_yaml(tmp_path / "x.json", {"name": "Ada", "experience": [{"organization": "X"}]}, "header")


def test_import_writes_nothing_on_error(tmp_path: Path) -> None:
    shutil.copy(JSONRESUME, tmp_path / "resume.json")
    write(tmp_path / "resume.json", (tmp_path / "resume.json").read_text()[:-20])
    result = run_cli("import", "jsonresume", tmp_path / "resume.json")
    assert result.returncode == 2 and result.stdout == ""


@pytest.mark.parametrize(("kind", "source"), [("jsonresume", JSONRESUME), ("rendercv", RENDERCV)])
def test_import_to_a_file_never_replaces_ones_edits(tmp_path: Path, kind: str, source: Path) -> None:
    """`-o` writes the profile whole; an existing file (the edits of an earlier import) is kept
    unless --force, and a failed import leaves it as it was, where `> profile.yaml` emptied it."""
    from cvbuild.loading.profile import load_profile

    printed = run_cli("import", kind, source)
    out = tmp_path / "profile.yaml"
    first = run_cli("import", kind, source, "-o", out)
    assert first.returncode == 0 and first.stdout == "" and f"wrote {out}" in first.stderr
    assert out.read_text(encoding="utf-8") == printed.stdout
    load_profile(out)
    write(out, "name: My own edits\n")
    again = run_cli("import", kind, source, "-o", out)
    assert again.returncode == 2 and "Traceback" not in again.stderr
    assert f"{out}: exists; give another name, or --force to replace it" in again.stderr
    assert out.read_text(encoding="utf-8") == "name: My own edits\n"
    broken = write(tmp_path / f"broken{source.suffix}", source.read_text(encoding="utf-8")[:-20] + "{[")
    failed = run_cli("import", kind, broken, "-o", out, "--force")
    assert failed.returncode == 2 and out.read_text(encoding="utf-8") == "name: My own edits\n"
    forced = run_cli("import", kind, source, "-o", out, "--force")
    assert forced.returncode == 0 and out.read_text(encoding="utf-8") == printed.stdout


@pytest.mark.parametrize(
    ("command", "source"),
    [
        (("export", "jsonresume"), EXAMPLE),
        (("export", "bibtex"), EXAMPLE),
        (("import", "rendercv", "--force"), RENDERCV),
        (("import", "jsonresume", "--force"), JSONRESUME),
    ],
)
def test_an_import_or_export_never_writes_over_the_file_it_reads(
    tmp_path: Path, command: tuple[str, ...], source: Path
) -> None:
    """`-o` naming the file read (or a link to it) is refused, --force or not: `export jsonresume
    profile.yaml -o profile.yaml` replaced the profile with its JSON."""
    read = tmp_path / source.name
    read.write_bytes(source.read_bytes())
    (tmp_path / "link").symlink_to(read)
    for output in (read, tmp_path / "link"):
        result = run_cli(*command[:2], read, "-o", output, *command[2:])
        assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
        assert f"{output}: is the file this command reads; give another name" in result.stderr, result.stderr
        assert read.read_bytes() == source.read_bytes()


def test_export_jsonresume_to_a_file(tmp_path: Path) -> None:
    printed = run_cli("export", "jsonresume", EXAMPLE)
    out = tmp_path / "resume.json"
    written = run_cli("export", "jsonresume", EXAMPLE, "-o", out)
    assert written.returncode == 0 and written.stdout == ""
    assert out.read_text(encoding="utf-8") == printed.stdout and json.loads(printed.stdout)["basics"]["name"]


# ---- shapes found in real files (invented data) ----------------------------------------------------


def test_jsonresume_empty_and_null_values_are_absent_not_refused(tmp_path: Path) -> None:
    """Real resume.json files leave `"startDate": ""` or `"endDate": null` for what they do not know;
    the schema's date pattern refuses both, so the whole file was refused for saying nothing."""
    from cvbuild.loading.profile import load_profile

    data = {
        "basics": {"name": "Noa Example", "label": "", "image": None},
        "work": [{"name": "Acme", "position": "Engineer", "startDate": "2025-07", "endDate": None}],
        "projects": [{"name": "Tidepool", "startDate": "", "endDate": "", "description": "A tide table app."}],
    }
    path, stderr = imported("jsonresume", write(tmp_path / "resume.json", json.dumps(data)), tmp_path / "p")
    p, _ = load_profile(path)
    assert (str(p.experience[0].start), str(p.experience[0].end)) == ("2025-07", "present")
    assert p.projects[0].summary == "A tide table app." and p.projects[0].start is None
    assert "is not a date" not in stderr and "/basics/label" not in stderr


def test_jsonresume_before_1_0_names_are_read(tmp_path: Path) -> None:
    """Many real files still use the 0.x names: `work[].company` and `website`, `basics.website`,
    `picture`, `education[].gpa`. They were reported as unknown fields, and every job fell into a
    custom section "Work" with its employer as a highlight."""
    from cvbuild.loading.profile import load_profile

    data = {
        "basics": {"name": "Noa Example", "website": "https://noa.example.org"},
        "work": [
            {"company": "Acme", "position": "Engineer", "website": "https://acme.example.com", "startDate": "2019"},
            {"company": "Initech", "name": "Initech Labs", "position": "Intern", "startDate": "2018"},
        ],
        "education": [{"institution": "Example University", "area": "Physics", "gpa": "3.8"}],
        "publications": [{"name": "On Tides", "releaseDate": "2020", "website": "https://doi.example.org/1"}],
    }
    path, stderr = imported("jsonresume", write(tmp_path / "resume.json", json.dumps(data)), tmp_path / "p")
    p, _ = load_profile(path)
    assert p.contact.website == "https://noa.example.org"
    assert [(e.organization, e.role, e.url) for e in p.experience] == [
        ("Acme", "Engineer", "https://acme.example.com"),
        ("Initech Labs", "Intern", None),
    ]
    assert p.experience[1].highlights == ["company: Initech"]  # both names given: the 1.0 one wins, none is lost
    assert p.sections == [] and p.education[0].gpa == "3.8" and p.education[0].highlights == []
    assert p.publication_entries()[0].url == "https://doi.example.org/1"
    # located at the first old name, as every warning is (it had no line: `resume.json: JSON ...`)
    assert "resume.json:1:47: /basics/website: JSON Resume before 1.0: read basics.website as url, ed" in stderr
    assert "no such field" not in stderr.replace("/work/1/company: no such field", "")


def test_jsonresume_real_quirks_import_once_and_valid(tmp_path: Path) -> None:
    """Three shapes of real files: a LinkedIn `username` that is the person's display name (the
    profile did not validate, so nothing was imported), an extra field repeating another
    (`qualification` beside the same `studyType`, printed twice), and a company `description` that
    ends with a full stop (joined to the summary as "edge.. Solution")."""
    from cvbuild.loading.profile import load_profile

    data = {
        "basics": {
            "name": "Noa Example",
            "profiles": [
                {"network": "linkedin", "username": "Noa Example", "url": "https://www.linkedin.com/in/noa-example/"},
                {"network": "GitHub", "username": "noa-ex", "url": "https://github.com/noa-ex"},
            ],
        },
        "work": [
            {"name": "Acme", "position": "Engineer", "description": "Maker of anvils.", "summary": "Built rails."}
        ],
        "education": [{"institution": "Example Institute", "studyType": "BSc Physics", "qualification": "BSc Physics"}],
    }
    path, stderr = imported("jsonresume", write(tmp_path / "resume.json", json.dumps(data)), tmp_path / "p")
    p, _ = load_profile(path)
    assert p.contact.links.linkedin == "https://www.linkedin.com/in/noa-example/"
    assert p.contact.links.github == "noa-ex"
    assert p.experience[0].summary == "Maker of anvils. Built rails."
    assert p.education[0].degree == "BSc Physics" and p.education[0].highlights == []
    assert "/education/0/qualification: the same as `studyType`; not repeated" in stderr


@pytest.mark.parametrize(("language", "code"), [("en", "en"), ("german", "de"), ("pt", "pt"), ("French", "fr")])
def test_rendercv_locale_language_as_an_iso_code_is_read(tmp_path: Path, language: str, code: str) -> None:
    """RenderCV 2.0 to 2.2 wrote `locale: {language: en}` (ISO 639-1); later versions `english`.
    The code was reported as an "unknown language" and the CV's language was lost."""
    from cvbuild.loading.profile import load_profile

    source = write(
        tmp_path / "CV.yaml",
        f"cv:\n  name: Noa Example\n  sections:\n    education:\n"
        f"      - {{institution: Example University, area: Physics, start_date: 2019, end_date: 2023}}\n"
        f"locale:\n  language: {language}\n",
    )
    path, stderr = imported("rendercv", source, tmp_path / "p")
    p, _ = load_profile(path)
    assert p.documents["cv"].locale == code and "unknown language" not in stderr


@pytest.mark.parametrize("photo", ["portrait.svg", "missing.png"])
def test_rendercv_photo_the_profile_cannot_use_is_reported_not_imported(tmp_path: Path, photo: str) -> None:
    """RenderCV takes an SVG photo; cvbuild takes PNG or JPEG. The import printed `photo: portrait.svg`
    and the profile it printed did not validate."""
    write(tmp_path / "portrait.svg", '<svg xmlns="http://www.w3.org/2000/svg"/>')
    shutil.copy(INTEROP / "photo.png", tmp_path / "portrait.png")
    source = write(tmp_path / "CV.yaml", f"cv:\n  name: Noa Example\n  photo: {photo}\n")
    path, stderr = imported("rendercv", source, tmp_path)
    assert "photo:" not in path.read_text() and "show_photo" not in path.read_text()
    assert re.search(rf"CV\.yaml:3:\d+: cv\.photo: '{photo}' .*; not imported", stderr), stderr
    assert run_cli("validate", path).returncode == 0
    write(source, "cv:\n  name: Noa Example\n  photo: portrait.png\n")
    path, stderr = imported("rendercv", source, tmp_path)
    assert "photo: portrait.png" in path.read_text() and run_cli("validate", path).returncode == 0


def test_rendercv_section_titles_are_the_ones_rendercv_shows(tmp_path: Path) -> None:
    """RenderCV titles `education_and_training` "Education and Training" and keeps a key with a
    space as written; the import made "Education And Training" and "Notes From The Field"."""
    from cvbuild.loading.profile import load_profile

    source = write(
        tmp_path / "CV.yaml",
        "cv:\n  name: Noa Example\n  sections:\n"
        "    education_and_training:\n      - {institution: Example University, area: Physics}\n"
        "    notes from the field:\n      - Some text of mine.\n"
        "    talks_at_events:\n      - {name: On tides, date: 2024}\n",
    )
    path, _ = imported("rendercv", source, tmp_path)
    p, _ = load_profile(path)
    assert p.documents["cv"].section_titles == {"education": "Education and Training"}
    assert [s.title for s in p.sections] == ["notes from the field", "Talks at Events"]


def test_rendercv_1_x_label_and_locale_catalog_are_read_or_reported(tmp_path: Path) -> None:
    """RenderCV 1.0 to 1.10 named the headline `cv.label` (reported as "no such field"), 1.x had
    `locale_catalog` at the top (dropped without a word, as was any other top-level key) and
    `design.color`, `page_size`, `font_size`; real 2.x files write `rgb(34 51 59)` without commas."""
    from cvbuild.loading.profile import load_profile

    source = write(
        tmp_path / "CV.yaml",
        "cv:\n  name: Noa Example\n  label: Hydrologist\n"
        "design:\n  theme: classic\n  color: '#004f90'\n"
        "locale_catalog:\n  month: Monat\n"
        "extras:\n  foo: 1\n",
    )
    path, stderr = imported("rendercv", source, tmp_path)
    p, _ = load_profile(path)
    assert p.headline == "Hydrologist" and "cv.label" not in stderr
    assert re.search(r"CV\.yaml:8:\d+: locale_catalog: custom words \(month\) are not imported", stderr)
    assert re.search(r"CV\.yaml:10:\d+: extras: not a part of a RenderCV file; not imported", stderr)
    assert p.documents["cv"].options["accent"] == "#004f90" and "no cvbuild option for color" not in stderr
    write(
        source,
        "cv:\n  name: Noa\ndesign:\n  page_size: a4paper\n  font_size: 11pt\n  colors:\n    name: rgb(34 51 59)\n",
    )
    path, stderr = imported("rendercv", source, tmp_path / "b")
    options = load_profile(path)[0].documents["cv"].options
    assert (options["page_size"], options["font_size"], options["accent"]) == ("a4", "11pt", "#22333b")


def test_rendercv_text_is_imported_as_rendercv_shows_it(tmp_path: Path) -> None:
    """Typst markup, which RenderCV writes its text into, shows `--` as an en dash and runs the Typst
    calls RenderCV lets through (`#underline[Link]`); the import kept `--` and printed
    `#underline[Link]` as text. A link after a project's name was printed as Markdown source."""
    from cvbuild.loading.profile import load_profile

    source = write(
        tmp_path / "CV.yaml",
        "cv:\n  name: Noa Example\n  sections:\n"
        "    projects:\n"
        "      - name: Tide tables [#underline[Link]](https://example.org/tides--v2)\n"
        "        date: 2021 -- 2022\n"
        "        highlights:\n"
        "          - '#strong[Rewrote] the solver -- twice --- and `a--b` stayed; #emph[faster]#h(1fr)'\n"
        "          - 'See #link(\"https://example.org\")[the site] and [docs](https://example.org/a--b)'\n"
        "          - '#text(fill: red)[Red] text and #unknown[kept]'\n",
    )
    path, stderr = imported("rendercv", source, tmp_path)
    project = load_profile(path)[0].projects[0]
    assert (project.name, project.url) == ("Tide tables", "https://example.org/tides--v2")
    assert (str(project.start), str(project.end)) == ("2021", "2022")
    assert project.highlights == [
        "**Rewrote** the solver – twice — and `a--b` stayed; *faster*",
        "See [the site](https://example.org) and [docs](https://example.org/a--b)",
        "Red text and #unknown[kept]",
    ]
    assert "the link [Link](https://example.org/tides--v2) after the name is the entry's url" in stderr
    assert re.search(r"highlights\[2\]: Typst code is shown as text", stderr) and "highlights[0]: Typst" not in stderr


def test_jsonresume_skills_with_only_a_name_print_once(tmp_path: Path) -> None:
    """A skill with neither keywords nor level became `Architecture: Architecture` in every target."""
    from cvbuild.loading.profile import load_profile

    data = {
        "basics": {"name": "Noa Example"},
        "skills": [
            {"name": "Containers", "keywords": ["Docker", "Podman"]},
            {"name": "System architecture", "level": "", "keywords": []},
            {"name": "Code review"},
            {"name": "Go", "level": "Expert"},
        ],
    }
    path, stderr = imported("jsonresume", write(tmp_path / "resume.json", json.dumps(data)), tmp_path / "p")
    p, _ = load_profile(path)
    assert [(s.category, s.level, s.items) for s in p.skills] == [
        ("Containers", None, ["Docker", "Podman"]),
        ("Skills", None, ["System architecture", "Code review"]),
        ("Go", "Expert", []),
    ]
    assert "skills with only a name (System architecture, Code review) are listed under `Skills`" in stderr
    out = tmp_path / "out"
    assert run_cli("render", path, "-f", "txt", "-o", out).returncode == 0
    assert next(out.glob("*.txt")).read_text(encoding="utf-8").count("System architecture") == 1


def test_jsonresume_lists_of_unknown_fields_are_kept(tmp_path: Path) -> None:
    """A section of a real file's own (`experience` with `company` and `activities: [...]`) kept its
    entries but dropped every activity ("not imported"), and `basics.location.country` was dropped."""
    from cvbuild.loading.profile import load_profile

    data = {
        "basics": {"name": "Noa Example", "location": {"city": "Lyon", "countryCode": "FR", "country": "France"}},
        "experience": [
            {
                "position": "Developer",
                "company": "Acme",
                "activities": ["Built the billing module, end to end.", "Moved the legacy tools to the new API."],
                "stack": ["PHP", "MySQL"],
            },
            {"name": "Billing rewrite", "role": "Lead", "organization": "Acme"},
        ],
    }
    path, stderr = imported("jsonresume", write(tmp_path / "resume.json", json.dumps(data)), tmp_path / "p")
    p, _ = load_profile(path)
    entry = p.sections[0].entries[0]
    assert (entry.title, entry.subtitle) == ("Developer", "Acme")
    assert entry.highlights == [
        "Built the billing module, end to end.",
        "Moved the legacy tools to the new API.",
        "stack: PHP, MySQL",
    ]
    assert (p.sections[0].entries[1].title, p.sections[0].entries[1].subtitle) == ("Billing rewrite", "Lead, Acme")
    assert p.contact.location == "Lyon, France"
    assert "not imported" not in stderr


def test_jsonresume_summary_written_as_a_list_becomes_highlights(tmp_path: Path) -> None:
    """Real files write a job's summary as lines of `- item` (some items running over two lines);
    the profile's one-paragraph summary ran them together as `... platform - Built ... - Moved`."""
    from cvbuild.loading.profile import load_profile

    summary = "Platform team.\n- Built the billing module\n(PHP / MySQL), end to end\n\n- Moved the tools to the API\n"
    data = {
        "basics": {"name": "Noa Example"},
        "work": [{"name": "Acme", "position": "Developer", "summary": summary, "highlights": ["Mentored two interns"]}],
        "projects": [{"name": "Tides", "description": "- Tide tables\n- Moon phases"}],
    }
    path, _ = imported("jsonresume", write(tmp_path / "resume.json", json.dumps(data)), tmp_path / "p")
    p, _ = load_profile(path)
    job = p.experience[0]
    assert job.summary == "Platform team."
    assert job.highlights == [
        "Built the billing module (PHP / MySQL), end to end",
        "Moved the tools to the API",
        "Mentored two interns",
    ]
    assert (p.projects[0].summary, p.projects[0].highlights) == (None, ["Tide tables", "Moon phases"])


def test_jsonresume_sections_keep_the_order_of_the_file(tmp_path: Path) -> None:
    """JSON Resume themes show sections in the file's order; cvbuild's own order put a résumé's
    hobbies (`interests`) second, right under the summary, above work and education."""
    from cvbuild.loading.profile import load_profile

    data = {
        "basics": {"name": "Noa Example", "summary": "Engineer."},
        "work": [{"name": "Acme", "position": "Engineer", "startDate": "2020"}],
        "education": [{"institution": "Example University", "area": "Physics"}],
        "talks": [{"name": "On tides", "date": "2022"}],
        "interests": [{"name": "Sailing"}],
        "skills": [{"name": "Go", "level": "Expert"}],
    }
    path, _ = imported("jsonresume", write(tmp_path / "resume.json", json.dumps(data)), tmp_path / "p")
    p, _ = load_profile(path)
    assert p.documents["cv"].sections == ["summary", "experience", "education", "talks-2", "interests", "skills"]
    out = tmp_path / "out"
    assert run_cli("render", path, "-f", "txt", "-o", out).returncode == 0
    text = next(out.glob("*.txt")).read_text(encoding="utf-8")
    assert text.index("Acme") < text.index("Example University") < text.index("On tides") < text.index("Sailing")


def test_rendercv_skill_details_with_groups_of_their_own_stay_whole(tmp_path: Path) -> None:
    """`R (5 years): dplyr, ggplot; Python: pandas` was split at every comma and semicolon and shown
    as `R (5 years): dplyr, ggplot, Python: pandas`: the grouping was lost."""
    from cvbuild.loading.profile import load_profile

    details = "R (5 years): dplyr, ggplot; Python (2 years): pandas, numpy"
    source = write(
        tmp_path / "CV.yaml",
        "cv:\n  name: Noa Example\n  sections:\n    skills:\n"
        f"      - {{label: Computing, details: '{details}'}}\n"
        "      - {label: Maths, details: 'Inference, Graphical models (Bayesian, causal)'}\n",
    )
    path, _ = imported("rendercv", source, tmp_path)
    skills = load_profile(path)[0].skills
    assert [(s.category, s.items) for s in skills] == [
        ("Computing", [details]),
        ("Maths", ["Inference", "Graphical models (Bayesian, causal)"]),
    ]


def test_rendercv_location_written_as_a_link_is_its_text_and_the_url(tmp_path: Path) -> None:
    """RenderCV shows `location: '[tides.example.org](https://tides.example.org)'` as a link; the
    profile's location is plain text, and every target printed the Markdown source."""
    from cvbuild.loading.profile import load_profile

    source = write(
        tmp_path / "CV.yaml",
        "cv:\n  name: Noa Example\n  sections:\n"
        "    portfolio:\n      - name: Tide tables\n"
        "        location: '[tides.example.org](https://tides.example.org)'\n"
        "    experience:\n      - company: Acme\n        position: Engineer\n"
        "        location: '[Remote](https://acme.example.com/remote)'\n",
    )
    path, _ = imported("rendercv", source, tmp_path)
    p, _ = load_profile(path)
    entry = p.sections[0].entries[0]
    assert (entry.location, entry.url) == ("tides.example.org", "https://tides.example.org")
    assert (p.experience[0].location, p.experience[0].url) == ("Remote", "https://acme.example.com/remote")


def test_a_json_file_of_no_known_kind_gets_a_short_located_error(tmp_path: Path) -> None:
    """A resume.json of a site generator's own shape was called "a cvbuild profile already; use
    `cvbuild validate`" (it shares `contact` and `experience`), and a section of the wrong type
    was reported by printing the whole section back."""
    own = {"name": "Noa", "contact": {"email": "noa@example.org"}, "experience": [], "site_theme": "dark"}
    result = run_cli("import", "jsonresume", write(tmp_path / "own.json", json.dumps(own)))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "own.json:1:1: not a JSON Resume file: it has no `basics` object" in result.stderr
    assert "cvbuild validate" not in result.stderr
    courses = [f"Course {i}" for i in range(40)]
    wrong = {"basics": {"name": "Noa"}, "education": {"name": "Example University", "courses": courses}}
    result = run_cli("import", "jsonresume", write(tmp_path / "wrong.json", json.dumps(wrong)))
    assert result.returncode == 2
    at = json.dumps(wrong).index('{"name": "Example') + 1  # one line: the column of the value
    assert f"wrong.json:1:{at}: /education: is an object {{...}}; JSON Resume wants a list [...] here" in result.stderr
    assert "Course 39" not in result.stderr


def test_rendercv_fields_of_the_wrong_shape_are_located_errors(tmp_path: Path) -> None:
    """`social_networks: GitHub` (text where RenderCV wants a list) crashed the import ("rendering
    failed", exit 1), and `highlights: One line` was read letter by letter, a highlight each."""
    source = write(
        tmp_path / "CV.yaml",
        "cv:\n  name: [Noa]\n  social_networks: GitHub\n  sections:\n"
        "    experience:\n      - {company: Acme, position: Engineer, highlights: {a: 1}}\n"
        "design: classic\n",
    )
    result = run_cli("import", "rendercv", source)
    assert result.returncode == 2 and "Traceback" not in result.stderr and result.stdout == ""
    for where in ("2:9: cv.name: expected text", "3:20: cv.social_networks: expected a list", "7:9: design: "):
        assert f"CV.yaml:{where}" in result.stderr, result.stderr
    assert re.search(r"CV\.yaml:6:\d+: cv\.sections\.experience\[0\]\.highlights: expected a list", result.stderr)
    write(
        source,
        "cv:\n  name: Noa\n  sections:\n    experience:\n      - company: Acme\n        position: Engineer\n"
        "        highlights: One line\n        summary:\n",
    )
    from cvbuild.loading.profile import load_profile

    path, _ = imported("rendercv", source, tmp_path / "p")
    assert load_profile(path)[0].experience[0].highlights == ["One line"]


def test_rendercv_connection_fields_without_a_place_are_reported_by_name(tmp_path: Path) -> None:
    """`fontawesome_icon` of a custom connection was dropped without a word; it is reported, located,
    like every other field the profile has no place for, and the link itself is kept."""
    source = write(
        tmp_path / "CV.yaml",
        "cv:\n  name: Noa Example\n  social_networks:\n    - network: GitHub\n      username: noa\n"
        "      color: red\n  custom_connections:\n    - placeholder: Lab page\n"
        "      url: https://lab.example.org/noa\n      fontawesome_icon: flask\n",
    )
    path, stderr = imported("rendercv", source, tmp_path / "p")
    assert "CV.yaml:10:25: cv.custom_connections[0].fontawesome_icon: " in stderr, stderr
    assert "without icons; not imported" in stderr
    assert "CV.yaml:6:14: cv.social_networks[0].color: no such field" in stderr, stderr
    from cvbuild.loading.profile import load_profile

    assert [(x.network, x.url) for x in load_profile(path)[0].contact.profiles] == [
        ("Lab page", "https://lab.example.org/noa")
    ]


# ---- real CVs, round two ---------------------------------------------------------------------


def test_rendercv_sections_of_schools_under_other_titles_keep_their_heading_and_place(tmp_path: Path) -> None:
    """github.com/mdenolle/marine-cv (Marine_Denolle_CV.yaml) writes its awards, training
    workshops, grants, research products and invited talks as RenderCV EducationEntry
    (`institution: CAREER Award`, `area: NSF`; these entries are made up after them). All were
    joined to the education, listed there among the degrees, and the first such title replaced
    the heading: the degrees stood under 'Awards', and grants printed at the top of the CV, far
    from where the file has them. Each is a section of its own now, in the file's order; the
    education keeps its title."""
    from cvbuild.loading.profile import load_profile

    source = write(
        tmp_path / "CV.yaml",
        "cv:\n  name: Ada Example\n  sections:\n"
        "    education:\n      - {institution: Stanford University, area: Geophysics, degree: PhD, date: '2014'}\n"
        "    employment:\n      - {company: Uni X, position: Professor, start_date: 2019-01, end_date: present}\n"
        "    awards:\n      - {institution: CAREER Award, area: NSF, date: '2018'}\n"
        "    teaching:\n      - {company: ESS 101, position: Seismology, date: 2021 - 2024}\n"
        "    grants:\n      - {institution: NSF EAR, area: 'Slow slip in Alaska: $248,835 (co-PI)', date: '2024'}\n"
        "    invited_talks:\n      - {institution: CERI Memphis, area: Department Colloquium, date: '2026'}\n",
    )
    path, stderr = imported("rendercv", source, tmp_path)
    assert "joined to the education" not in stderr
    p, _ = load_profile(path)
    assert [e.institution for e in p.education] == ["Stanford University"]
    doc = p.documents["cv"]
    assert "education" not in (doc.section_titles or {})
    assert [s.title for s in p.sections] == ["Awards", "Teaching", "Grants", "Invited Talks"]
    assert doc.sections == ["education", "experience", "awards", "teaching-2", "grants", "invited-talks"]
    grant = next(s for s in p.sections if s.title == "Grants").entries[0]
    assert (grant.title, grant.subtitle, str(grant.date)) == (
        "NSF EAR",
        "Slow slip in Alaska: $248,835 (co-PI)",
        "2024",
    )
    out = tmp_path / "out"
    result = run_cli("render", path, "-f", "pdf,txt", "-o", out)
    assert result.returncode == 0, result.stderr
    for text in (next(out.glob("*.txt")).read_text(encoding="utf-8"), pdf_text(next(out.glob("*.pdf")))):
        flat = squash(text).upper()
        heads = ["EDUCATION", "STANFORD", "EMPLOYMENT", "AWARDS", "CAREERAWARD", "TEACHING", "GRANTS", "NSFEAR"]
        at = [flat.find(h) for h in [*heads, "INVITEDTALKS", "CERIMEMPHIS"]]
        assert -1 not in at and at == sorted(at), at


def test_rendercv_extra_fields_of_any_shape_are_read(tmp_path: Path) -> None:
    """RenderCV takes any extra key in an entry, whatever its shape (a template may show it):
    github.com/mdenolle/marine-cv lists each paper's press coverage as `media_coverage:` with a
    list of links beside `citations: 0`. The import refused the whole file ('expected text');
    the links are kept in the paper's note now, with a warning. A list where RenderCV wants text
    (`summary: [a, b]`) is still refused at its place."""
    from cvbuild.loading.profile import load_profile

    paper = (
        "      - title: Agroseismology and farming practices\n        authors: [Ada Example, Bo Example]\n"
        "        journal: Science\n        date: 2026-01\n        citations: 0\n        media_coverage:\n"
        "          - 'https://www.washington.edu/news/2026/03/19/earthquake-scientists/'\n"
    )
    source = write(tmp_path / "CV.yaml", f"cv:\n  name: Ada Example\n  sections:\n    publications:\n{paper}")
    path, stderr = imported("rendercv", source, tmp_path)
    assert "CV.yaml:11:11: cv.sections.publications[0].media_coverage: no such field" in stderr
    note = load_profile(path)[0].publications[0].note or ""
    assert "https://www.washington.edu/news/2026/03/19/earthquake-scientists/" in note
    bad = write(tmp_path / "bad.yaml", source.read_text(encoding="utf-8").replace("citations: 0", "summary: [a, b]"))
    result = run_cli("import", "rendercv", bad)
    assert (
        result.returncode == 2 and "bad.yaml:9:18: cv.sections.publications[0].summary: expected text" in result.stderr
    )


def test_jsonresume_html_lists_and_character_references(tmp_path: Path) -> None:
    """Builders that write HTML put lists in a summary (`<ul><li><p>Led ...</p></li>...</ul>`, as
    public JSON exports of résumé builders do) and escape every text field (`Head of R&amp;D`,
    `Smith &amp; Co`). A summary with a list stayed verbatim, tags and all, and a plain field
    printed its `&amp;`; in an education entry, whose summary leads its bullets, the list's lines
    made the profile refuse the import. Now a list is highlights (the basics' summary, which has
    none, a paragraph an item), a list of one is its item's text, a note or a reference the items
    joined by semicolons, and a plain field's references are their characters. Other markup
    still stays verbatim."""
    from cvbuild.loading.profile import load_profile

    resume = {
        "basics": {
            "name": "Ada Example",
            "label": "Head of R&amp;D",
            "summary": "Engineer &amp; lead.<ul><li>Ships <b>fast</b></li><li>Writes &lt;docs&gt;</li></ul>",
        },
        "work": [
            {
                "name": "Smith &amp; Co",
                "position": "R&amp;D Engineer",
                "startDate": "2019-01",
                "summary": "<p>Built the lab.</p><ul><li><p>Led a team of 5.</p></li>"
                "<li><p>Cut cost &#8212; 30%.</p></li></ul>",
                "highlights": ["<ul><li>Only item</li></ul>"],
            }
        ],
        "education": [
            {
                "institution": "Uni",
                "area": "CS",
                "startDate": "2015",
                "summary": "<ul><li>Dean&#39;s List</li><li>Thesis</li></ul>",
            }
        ],
        "awards": [{"title": "Prize", "date": "2020-01-01", "summary": "<ul><li>For A</li><li>For B</li></ul>"}],
        "projects": [{"name": "Kept", "description": "C++ <templates> &amp; <script>x</script>"}],
    }
    path, stderr = imported("jsonresume", write(tmp_path / "resume.json", json.dumps(resume)), tmp_path)
    assert "/work/0/position: HTML character references read as characters" in stderr
    p, _ = load_profile(path)
    assert p.headline == "Head of R&D" and p.summary == "Engineer & lead.\n\n- Ships **fast**\n\n- Writes <docs>"
    job = p.experience[0]
    assert (job.organization, job.role, job.summary) == ("Smith & Co", "R&D Engineer", "Built the lab.")
    assert job.highlights == ["Led a team of 5.", "Cut cost — 30%.", "Only item"]
    assert p.education[0].highlights == ["Dean's List", "Thesis"]
    assert p.honors[0].note == "For A; For B"
    # an unknown tag is text as written, and no longer keeps the rest of the string from being read
    assert p.projects[0].summary == "C++ <templates> & <script>x</script>"
    out = tmp_path / "out"
    result = run_cli("render", path, "-f", "pdf,txt,md,html", "-o", out)
    assert result.returncode == 0, result.stderr
    for kind in ("txt", "pdf"):
        f = next(out.glob(f"*.{kind}"))
        text = pdf_text(f) if kind == "pdf" else f.read_text(encoding="utf-8")
        assert "<li>" not in text and "<ul>" not in text and "R&amp;D" not in text, kind
        assert "Head of R&D" in text and "Smith & Co" in text and "Led a team of 5." in text, kind


def test_jsonresume_image_not_beside_the_file_is_left_out(tmp_path: Path) -> None:
    """github.com/0xdkay/jsonresume-theme-elegant's resume.json has `"picture": "dkay.jpg"`, a file
    its repository serves but that is not beside the JSON: the profile named it and every render
    failed ('photo: dkay.jpg does not exist'). It is reported and left out, as RenderCV's import
    does; a photo that is there is kept."""
    from cvbuild.loading.profile import load_profile

    resume = {"basics": {"name": "Ada Example", "image": "dkay.png"}}
    path, stderr = imported("jsonresume", write(tmp_path / "resume.json", json.dumps(resume)), tmp_path)
    assert "/basics/image: " in stderr and "not imported" in stderr
    assert load_profile(path)[0].photo is None
    assert run_cli("render", path, "-f", "txt", "-o", tmp_path / "out").returncode == 0
    shutil.copy(INTEROP / "photo.png", tmp_path / "dkay.png")
    path, _ = imported("jsonresume", tmp_path / "resume.json", tmp_path)
    assert load_profile(path)[0].photo is not None


def test_rendercv_authors_in_italics_are_not_the_owner(tmp_path: Path) -> None:
    """github.com/mdenolle/marine-cv marks its owner `**Marine A. Denolle**` and the students she
    mentored `*Qibin Shi*` (its legend says so; these authors are made up after it). The import
    took one to three asterisks as the owner's mark: every student became an alias of the owner
    and was set bold as her in every paper. Two or three mark the owner; one is a plain name,
    with a warning."""
    from cvbuild.loading.profile import load_profile

    source = write(
        tmp_path / "CV.yaml",
        "cv:\n  name: Ada Example\n  sections:\n    publications:\n"
        "      - title: Seismic noise in farm soils\n        authors: ['*Bo Student*', '**Ada Example**', 'Cy Peer']\n"
        "        journal: Science\n        date: 2026-01\n"
        "      - title: Older paper\n        authors: ['***A. Example***', '*Bo Student*']\n        date: 2020\n",
    )
    path, stderr = imported("rendercv", source, tmp_path)
    assert "CV.yaml:5:7: cv.sections.publications: authors in italics (Bo Student) are plain names" in stderr
    p, _ = load_profile(path)
    assert p.aliases == ["A. Example"]
    assert p.publications[0].authors == ["Bo Student", "Ada Example", "Cy Peer"]
    out = tmp_path / "out"
    for engine in ("typst", "weasyprint"):
        result = run_cli("render", path, "--theme", "classic", "--engine", engine, "-f", "pdf", "-o", out / engine)
        assert result.returncode == 0, result.stderr
        runs = _bold_runs(next((out / engine).glob("*.pdf")))
        bold = {t.replace("\xa0", " ") for t, b in runs if b}
        assert not any("Bo Student" in t for t in bold), (engine, bold)
        assert any("Ada Example" in t for t in bold) and any("A. Example" in t for t in bold), (engine, bold)


def test_rendercv_extra_fields_its_templates_leave_out_and_an_entry_url(tmp_path: Path) -> None:
    """github.com/mdenolle/marine-cv shows `MEDIA_COVERAGE` in its publication template
    (design.templates) and not `citations`, which it keeps beside every paper (-1: no data):
    RenderCV prints an extra key only where a template names it, and the import printed
    'citations: -1' in every note. Its teaching entries' `url`, which RenderCV shows as the
    entry's link, was a bullet 'url: https://...'. Both as RenderCV shows them now."""
    from cvbuild.loading.profile import load_profile

    source = write(
        tmp_path / "CV.yaml",
        "cv:\n  name: Ada Example\n  sections:\n    publications:\n"
        "      - title: Farm soils\n        authors: [Ada Example]\n        date: 2026-01\n        citations: -1\n"
        "        media_coverage: ['https://news.example.org/farm-soils']\n"
        "    teaching:\n      - company: ESS 469\n        position: Machine Learning in the Geosciences\n"
        "        date: 2021 - 2024\n        url: https://geo-smart.github.io/mlgeo-book/\n"
        "design:\n  templates:\n    publication_entry:\n"
        '      main_column: "AUTHORS (DATE). **TITLE**. JOURNAL_WITH_DOI\\nMEDIA_COVERAGE"\n',
    )
    path, stderr = imported("rendercv", source, tmp_path)
    assert "CV.yaml:8:20: cv.sections.publications[0].citations: not in the file's template" in stderr
    p, _ = load_profile(path)
    assert "https://news.example.org/farm-soils" in (p.publications[0].note or "")
    course = p.experience[0]
    assert str(course.url) == "https://geo-smart.github.io/mlgeo-book/" and course.highlights == []
    out = tmp_path / "out"
    result = run_cli("render", path, "-f", "html,txt", "-o", out)
    assert result.returncode == 0, result.stderr
    assert "citations" not in next(out.glob("*.txt")).read_text(encoding="utf-8")
    assert 'href="https://geo-smart.github.io/mlgeo-book/"' in next(out.glob("*.html")).read_text(encoding="utf-8")


def test_rendercv_a_later_section_of_a_kind_under_its_own_title_keeps_it(tmp_path: Path) -> None:
    """Academic CVs write 'Invited Talks' and 'Contributed Talks', 'Awards' and then 'Honors' (as
    bullets), 'Technical Skills' and 'Soft Skills' (these sections are made up after the shapes of
    this round's files). A later section that found the same built-in home as an earlier one was
    joined to it: its heading lost, its entries moved up to the first's place. Under a title of
    its own it is a section of its own now, where the file has it; under the same title it still
    joins the first."""
    from cvbuild.loading.profile import load_profile

    source = write(
        tmp_path / "CV.yaml",
        "cv:\n  name: Ada Example\n  sections:\n"
        "    awards:\n      - {name: CAREER Award, date: '2018'}\n"
        "    technical_skills:\n      - {label: Languages, details: 'Python, Julia'}\n"
        "    soft_skills:\n      - {label: Teaching, details: 'Mentoring, outreach'}\n"
        "    honors:\n      - bullet: Fellow of the Society\n"
        "    Awards:\n      - {name: Best Paper, date: '2020'}\n",
    )
    path, stderr = imported("rendercv", source, tmp_path)
    p, _ = load_profile(path)
    assert [h.title for h in p.honors] == ["CAREER Award", "Best Paper"]  # the same title: joined
    assert "CV.yaml:13:7: cv.sections.Awards: joined to the honors" in stderr
    assert [(s.title, [e.title for e in s.entries]) for s in p.sections] == [
        ("Soft Skills", ["Teaching"]),
        ("Honors", ["Fellow of the Society"]),
    ]
    assert p.sections[0].entries[0].note == "Mentoring, outreach"  # one line, as RenderCV sets it
    out = tmp_path / "out"
    result = run_cli("render", path, "-f", "txt,pdf", "-o", out)
    assert result.returncode == 0, result.stderr
    for text in (next(out.glob("*.txt")).read_text(encoding="utf-8"), pdf_text(next(out.glob("*.pdf")))):
        flat = squash(text).upper()
        at = [flat.find(h) for h in ("AWARDS", "TECHNICALSKILLS", "SOFTSKILLS", "HONORS", "FELLOWOFTHESOCIETY")]
        assert -1 not in at and at == sorted(at), at


def test_jsonresume_bullet_marks_start_list_items(tmp_path: Path) -> None:
    """Builders and word processors write a list as lines that start with `·`, `●`, `•`, `▪` or
    `–`, as text or after HTML line breaks (`Did:<br>• a<br>• b`). Only `- ` and `• ` were read as
    items; the others stayed one summary with its marks, and after `<br>` every mark ran into one
    line (`Did: ▪ alpha ▪ beta`)."""
    from cvbuild.loading.profile import load_profile

    written = [
        "Did:\n· alpha\n· beta",
        "Did:\n● alpha\n● beta",
        "Did:\n•alpha\n•beta",
        "Did:<br>▪ alpha<br>▪ beta",
        "Did:<br/>– alpha<br />– beta",
        "Did:\n\n<p>● alpha<br>● beta</p>",
    ]
    resume = {
        "basics": {"name": "Ada Example", "summary": "Intro<br>• one<br>wrapped<br>• two"},
        "work": [{"name": f"Org {i}", "position": "Engineer", "summary": s} for i, s in enumerate(written)],
    }
    path, _ = imported("jsonresume", write(tmp_path / "resume.json", json.dumps(resume)), tmp_path)
    p, _ = load_profile(path)
    assert p.summary == "Intro\n\n- one wrapped\n\n- two"
    for job in p.experience:
        assert (job.summary, job.highlights) == ("Did:", ["alpha", "beta"]), job.organization
    # one `·` line after the job's text (github.com/AbdelMounhim/cv, resume.json) is its one bullet
    text = "Administration systèmes Unix (Le Figaro)\n·Développement d’extensions (Le Figaro). \nTechnologies : Bash, C"
    resume = {"basics": {"name": "Ada Example"}, "work": [{"name": "Wedia", "position": "Admin", "summary": text}]}
    path, _ = imported("jsonresume", write(tmp_path / "wedia.json", json.dumps(resume)), tmp_path / "wedia")
    job = load_profile(path)[0].experience[0]
    assert (job.summary, job.highlights) == (
        "Administration systèmes Unix (Le Figaro)",
        ["Développement d’extensions (Le Figaro). Technologies : Bash, C"],
    )
    # a line starting with a mark alone, or words that merely begin with a dash, are no list
    resume = {"basics": {"name": "Ada Example"}, "work": [{"name": "O", "position": "E", "summary": "• one\n-5% cost"}]}
    path, _ = imported("jsonresume", write(tmp_path / "one.json", json.dumps(resume)), tmp_path / "one")
    assert load_profile(path)[0].experience[0].summary == "• one\n-5% cost"


def test_jsonresume_text_after_a_list_is_not_its_last_item(tmp_path: Path) -> None:
    """Text after a list (`<ul>...</ul>After.`, or after a blank line below `- ` lines) was
    joined to the list's last item ("b After the list."). It comes after the items, in order: in
    the basics' summary a paragraph of its own, in an entry a highlight of its own. A line right
    below an item, with no blank line, is still that item wrapped."""
    from cvbuild.loading.profile import load_profile

    resume = {
        "basics": {"name": "Ada Example", "summary": "Intro.<ul><li>a</li><li>b</li></ul>After the list."},
        "work": [
            {"name": "F", "position": "P", "summary": "<ul><li>a</li><li>b</li></ul><p>After the list.</p>"},
            {"name": "G", "position": "P", "summary": "Did:\n- alpha\n- beta\nwrapped\n\nAfter the\nlist."},
        ],
    }
    path, _ = imported("jsonresume", write(tmp_path / "resume.json", json.dumps(resume)), tmp_path)
    p, _ = load_profile(path)
    assert p.summary == "Intro.\n\n- a\n\n- b\n\nAfter the list."
    assert (p.experience[0].summary, p.experience[0].highlights) == (None, ["a", "b", "After the list."])
    assert (p.experience[1].summary, p.experience[1].highlights) == (
        "Did:",
        ["alpha", "beta wrapped", "After the list."],
    )
    out = tmp_path / "out"
    result = run_cli("render", path, "-f", "txt,pdf", "-o", out)
    assert result.returncode == 0, result.stderr
    for text in (next(out.glob("*.txt")).read_text(encoding="utf-8"), pdf_text(next(out.glob("*.pdf")))):
        lines = [" ".join(line.split()).lstrip("-• ") for line in text.splitlines()]
        assert lines.count("After the list.") == 3 and lines.count("beta wrapped") == 1, text
        assert squash("Intro. a b After the list.") in squash(text), text


def test_jsonresume_script_in_html_prose_is_text_in_every_target(tmp_path: Path, browser: Any) -> None:
    """A summary with simple HTML and a `<script>` (or any tag cvbuild does not read) was kept
    whole as HTML source: `I build <b>web</b> apps. ... R&amp;D` printed its tags and `&amp;` in
    every format. What a user expects: the simple HTML read (bold, `&`), the other tag shown as
    the text they wrote, verbatim, and never run, in the PDF, the page, the text and Markdown."""
    from markdown_it import MarkdownIt

    from cvbuild.loading.profile import load_profile

    resume = {
        "basics": {"name": "Ada Example", "summary": "I build <b>web</b> apps. <script>alert(1)</script> R&amp;D"},
        "work": [
            {
                "name": "Acme",
                "position": "Dev",
                "startDate": "2020",
                "highlights": ["<p>Fixed <img src=x onerror=alert(2)> &lt;3</p>", "plain <script>alert(3)</script>"],
            }
        ],
    }
    path, _ = imported("jsonresume", write(tmp_path / "resume.json", json.dumps(resume)), tmp_path)
    p, _ = load_profile(path)
    assert p.summary == "I build **web** apps. <script>alert(1)</script> R&D"
    assert p.experience[0].highlights == ["Fixed <img src=x onerror=alert(2)> <3", "plain <script>alert(3)</script>"]
    shown = ["I build web apps. <script>alert(1)</script> R&D", "Fixed <img src=x onerror=alert(2)> <3"]
    shown.append("plain <script>alert(3)</script>")
    for theme in BUILTIN_THEMES:
        out = tmp_path / theme
        result = run_cli("render", path, "--theme", theme, "-f", "pdf,html,txt,md", "-o", out)
        assert result.returncode == 0, result.stderr
        pdf = next(out.glob("*.pdf"))
        md = MarkdownIt("commonmark").render(next(out.glob("*.md")).read_text(encoding="utf-8"))
        md_text = _HtmlText()
        md_text.feed(md.replace("<strong>", "").replace("</strong>", ""))
        for target, text in [
            ("pdf", pdf_text(pdf)),
            ("txt", next(out.glob("*.txt")).read_text(encoding="utf-8")),
            ("md", "".join(md_text.text)),
        ]:
            for line in shown:
                assert squash(text).count(squash(line)) == 1, (theme, target, line)
        assert ("web", True) in _bold_runs(pdf), theme
        page = browser.new_page()
        dialogs: list[str] = []
        page.on("dialog", lambda d, seen=dialogs: (seen.append(d.message), d.dismiss()))
        page.goto(next(out.glob("*.html")).as_uri())
        body = page.inner_text("body")
        assert page.locator("img").count() == 0 and not dialogs, theme
        assert page.evaluate("document.querySelectorAll('script:not([type=\"application/ld+json\"])').length") == 0
        for line in shown:
            assert squash(body).count(squash(line)) == 1, (theme, "html", line)
        page.close()


def test_a_refused_link_is_reported_where_the_file_wrote_it(tmp_path: Path) -> None:
    """A link the profile refuses (javascript:, ftp:, file:) is reported at the file's line and
    column, named as the file names it. In Markdown in the prose it stops the import (exit 2): it
    was reported as `summary` or `experience[0].highlights[0]`, without a line, places the file
    does not have, twice for a bullet (once as 'expected a mapping'). A link field's is left out
    with a warning, now located too (a theme's `javascript:window.print()` button in
    basics.profiles, github.com/23nikoloz/jsonresume-theme-material, is no part of the CV)."""
    resume = (
        "{\n"
        '  "basics": {\n'
        '    "name": "Ada Example",\n'
        '    "url": "javascript:alert(1)",\n'
        '    "summary": "See [x](javascript:alert(1)) now",\n'
        '    "profiles": [{"network": "Site", "url": "ftp://example.org/x"}]\n'
        "  },\n"
        '  "work": [{"name": "Acme", "position": "Dev", "url": "file:///etc/passwd",\n'
        '            "highlights": ["ok", "a [y](ftp://e.org/a) b"]}]\n'
        "}\n"
    )
    source = write(tmp_path / "resume.json", resume)
    result = run_cli("import", "jsonresume", source)
    assert result.returncode == 2 and result.stdout == "", result.stderr
    lines = [line for line in result.stderr.splitlines() if "cannot be imported" in line]
    assert [line.split(": cannot")[0] for line in lines] == [
        f"{source}:5:16: /basics/summary",
        f"{source}:9:34: /work/0/highlights/1",
    ], result.stderr
    assert "'javascript:' is not allowed" in lines[0] and "'ftp:' is not allowed" in lines[1]
    assert "expected a mapping" not in result.stderr and "2 problems found" in result.stderr
    for place in (f"{source}:4:12: /basics/url: link scheme", f"{source}:6:45: /basics/profiles/0/url: link scheme"):
        assert place in result.stderr
    assert f"{source}:8:55: /work/0/url: link scheme 'file:' is not allowed" in result.stderr
    fields_only = resume.replace("[x](javascript:alert(1))", "x").replace("[y](ftp://e.org/a)", "y")
    result = run_cli("import", "jsonresume", write(tmp_path / "fields.json", fields_only))
    assert result.returncode == 0 and "javascript" not in result.stdout and "ftp:" not in result.stdout

    rendercv = write(
        tmp_path / "CV.yaml",
        "cv:\n  name: Ada Example\n  website: https://ada.example.org\n  sections:\n    experience:\n"
        "      - company: Acme\n        position: Dev\n        highlights:\n"
        "          - 'see [x](javascript:alert(1))'\n",
    )
    result = run_cli("import", "rendercv", rendercv)
    assert result.returncode == 2 and result.stdout == "", result.stderr
    assert f"{rendercv}:9:13: cv.sections.experience[0].highlights[0]: cannot be imported: link scheme" in result.stderr
    assert "expected a mapping" not in result.stderr and "1 problem found" in result.stderr


def test_jsonresume_an_end_date_that_cannot_be_read_is_not_present(tmp_path: Path) -> None:
    """github.com/0xhaven/0xhaven.github.io's resume.json ends a job on `2024-09-31`, which the
    JSON Resume schema takes (its pattern checks digits only). The end was dropped and the job,
    with no end, shown as still going on ("Sep 2022 – present"). A day that does not exist keeps
    its month; another end that cannot be read (or one before the start) leaves the start alone,
    never "present"."""
    from cvbuild.loading.profile import load_profile

    resume = {
        "basics": {"name": "Olive Haven"},
        "work": [
            {"name": "LegalZoom", "position": "Senior SRE", "startDate": "2022-09-01", "endDate": "2024-09-31"},
            {"name": "Armorblox", "position": "Senior SRE", "startDate": "2021-03-31", "endDate": "2022-13"},
            {"name": "New Context", "position": "Consultant", "startDate": "2020-03-31", "endDate": "2019-03-31"},
            {"name": "Atlassian", "position": "Trust Engineer", "startDate": "2017-02-28"},
        ],
    }
    path, stderr = imported("jsonresume", write(tmp_path / "resume.json", json.dumps(resume)), tmp_path)
    assert "/work/0/endDate: day 31 does not exist in 2024-09; imported as 2024-09" in stderr
    jobs = load_profile(path)[0].experience
    assert [(str(j.start), str(j.end) if j.end else None) for j in jobs] == [
        ("2022-09-01", "2024-09"),
        ("2021-03-31", None),
        ("2020-03-31", None),
        ("2017-02-28", "present"),
    ]
    out = tmp_path / "out"
    assert run_cli("render", path, "-f", "txt", "-o", out).returncode == 0
    text = next(out.glob("*.txt")).read_text(encoding="utf-8")
    assert "Sep 2022 – Sep 2024" in text and text.count("present") == 1, text


def test_jsonresume_award_url_and_project_technologies_are_fields(tmp_path: Path) -> None:
    """github.com/0xA1337/resume's resume.json gives an award a `url` and its projects
    `technologies`, as many builders write them (neither is in JSON Resume's schema). The award's
    link was printed as text in its note (`url: https://...`), and the technologies were a bullet
    `technologies: Next.js, ...`; a profile has a field for each: a link, and a project's tools."""
    from cvbuild.loading.profile import load_profile

    resume = {
        "basics": {"name": "Ada Example"},
        "awards": [
            {
                "title": "Base Blockchain Prize - SuperHack 2024",
                "date": "2024-01-01",
                "awarder": "ETHGlobal",
                "summary": "Won as a solo developer against teams.",
                "url": "https://ethglobal.com/showcase/fairpay-49hmu",
                "keywords": [],
            }
        ],
        "projects": [
            {
                "name": "Fairpay",
                "highlights": ["Full stack implementation with gasless transactions"],
                "technologies": ["Next.js", "TypeScript", "Viem"],
                "keywords": ["Viem", "Base"],
            }
        ],
    }
    path, stderr = imported("jsonresume", write(tmp_path / "resume.json", json.dumps(resume)), tmp_path)
    assert "technologies" not in stderr and "/awards/0/url" not in stderr, stderr
    p, _ = load_profile(path)
    assert (p.honors[0].url, p.honors[0].note) == (
        "https://ethglobal.com/showcase/fairpay-49hmu",
        "Won as a solo developer against teams.",
    )
    assert p.projects[0].technologies == ["Viem", "Base", "Next.js", "TypeScript"]
    assert p.projects[0].highlights == ["Full stack implementation with gasless transactions"]
    out = tmp_path / "out"
    assert run_cli("render", path, "-f", "html", "-o", out).returncode == 0
    page = next(out.glob("*.html")).read_text(encoding="utf-8")
    assert 'href="https://ethglobal.com/showcase/fairpay-49hmu"' in page and "url: https" not in page


def test_a_real_one_page_resume_keeps_rendercvs_page_and_its_one_page(tmp_path: Path) -> None:
    """github.com/ianlwestfall/rendercv-resumes (the fixture's header): one page in RenderCV 2.8,
    whose engineeringresumes theme the import sets in classic. The file sets no margin or size,
    so RenderCV's own apply (0.7in, 10pt); the import left classic's (2cm, 10.5pt) and the résumé
    took two pages, the second 15 % full. Every bullet is there once, in the file's order."""
    from pypdf import PdfReader
    from ruamel.yaml import YAML

    yaml = YAML(typ="safe", pure=True)
    path, _ = imported("rendercv", RENDERCV_REAL_ONEPAGE, tmp_path)
    doc = yaml.load(path.read_text(encoding="utf-8"))["documents"]["cv"]
    assert doc["theme"] == "classic" and doc["options"] | {"margin": "0.7in", "font_size": "10pt"} == doc["options"]
    out = tmp_path / "out"
    result = run_cli("render", path, "-f", "pdf,txt", "-o", out)
    assert result.returncode == 0 and "warning" not in result.stderr, result.stderr
    assert len(PdfReader(next(out.glob("*.pdf"))).pages) == 1
    source = yaml.load(RENDERCV_REAL_ONEPAGE.read_text(encoding="utf-8"))["cv"]["sections"]
    bullets = [e["bullet"] for e in source["Summary"]]
    bullets += [h for key in ("education", "experience") for e in source[key] for h in e.get("highlights") or []]
    for text in (pdf_text(next(out.glob("*.pdf"))), next(out.glob("*.txt")).read_text(encoding="utf-8")):
        flat = squash(text)
        places = [flat.find(squash(b)) for b in bullets]
        assert all(flat.count(squash(b)) == 1 for b in bullets), [b for b in bullets if flat.count(squash(b)) != 1]
        assert places == sorted(places)


def test_rendercv_locale_words_a_profile_can_hold_are_imported(tmp_path: Path) -> None:
    """github.com/alik-jc/cv-rendercv (jesus_cuentas_cv.yaml) writes its locale's words, Spanish
    `present: presente` among them; cvbuild printed its own Spanish word, `actualidad`, where the
    user had chosen `presente`. The word for an ongoing end and the date template have a place in
    a profile (labels, date_format); the other words still do not."""
    from cvbuild.loading.profile import load_profile

    source = write(
        tmp_path / "CV.yaml",
        "cv:\n  name: Jesús Cuentas\n  sections:\n    Experiencia:\n      - company: ingenius360.com\n"
        "        position: Web Master y Ciberseguridad\n        start_date: 2022-09\n        end_date: present\n"
        'locale:\n  language: "es"\n  date_template: "MONTH_NAME YEAR"\n  month: "mes"\n  present: "presente"\n'
        '  to: "–"\n',
    )
    path, stderr = imported("rendercv", source, tmp_path)
    assert "custom words (month, to) are not imported" in stderr
    spec = load_profile(path)[0].documents["cv"]
    assert (spec.locale, spec.labels, spec.date_format) == ("es", {"date.present": "presente"}, "long")
    out = tmp_path / "out"
    assert run_cli("render", path, "-f", "txt,pdf", "-o", out).returncode == 0
    for text in (next(out.glob("*.txt")).read_text(encoding="utf-8"), pdf_text(next(out.glob("*.pdf")))):
        assert "septiembre de 2022 – presente" in text and "actualidad" not in text, text
    # beside the titles of publication sections, which are labels too
    papers = (
        "    Preprints:\n      - title: Uno\n        authors: [Jesús Cuentas]\n        date: 2024-01\n"
        "    Artículos de revista:\n      - title: Dos\n        authors: [Jesús Cuentas]\n        journal: J\n"
        "        date: 2023-01\n"
    )
    grouped = source.read_text(encoding="utf-8").replace("locale:\n", papers + "locale:\n")
    grouped = grouped.replace("Artículos de revista", "Journal Articles")
    path, _ = imported("rendercv", write(tmp_path / "grouped.yaml", grouped), tmp_path / "grouped")
    labels = load_profile(path)[0].documents["cv"].labels
    assert labels == {"date.present": "presente", "type.preprint": "Preprints", "type.journal": "Journal Articles"}
    # the word a locale already says is not repeated as a label
    english = source.read_text(encoding="utf-8").replace('"es"', "english").replace("presente", "present")
    path, _ = imported("rendercv", write(tmp_path / "en.yaml", english), tmp_path / "en")
    assert load_profile(path)[0].documents["cv"].labels == {}


def test_jsonresume_publications_keep_the_files_order(tmp_path: Path) -> None:
    """JSON Resume themes list publications as the file does; github.com/5c077m4n/cv lists its
    oldest first, and cvbuild, sorting by date, turned the list round in every format."""
    resume = {
        "basics": {"name": "Roee Shapira"},
        "publications": [
            {"name": "Http Responder", "publisher": "NPM", "releaseDate": "2018-04-01"},
            {"name": "Await Fn", "publisher": "NPM", "releaseDate": "2018-04-01"},
            {"name": "pkgplay", "publisher": "NPM", "releaseDate": "2019-10-12"},
        ],
    }
    path, _ = imported("jsonresume", write(tmp_path / "resume.json", json.dumps(resume)), tmp_path)
    out = tmp_path / "out"
    assert run_cli("render", path, "-f", "txt,pdf,md", "-o", out).returncode == 0
    for f in out.iterdir():
        text = pdf_text(f) if f.suffix == ".pdf" else f.read_text(encoding="utf-8")
        places = [text.find(title) for title in ("Http Responder", "Await Fn", "pkgplay")]
        assert -1 not in places and places == sorted(places), (f.suffix, places)


def test_rendercv_date_beside_start_and_end_is_shown_as_rendercv_shows_it(tmp_path: Path) -> None:
    """RenderCV shows an entry's `date` and leaves its start_date and end_date out.
    github.com/BrianLiDesign/rendercv (brian_li/input/master.yaml) writes a degree as
    `date: Expected May 2028` beside `start_date: 2024-09` and `end_date: 2028-05`: the import
    showed Sep 2024 – May 2028 and lost the "expected". A school's `Expected <month>` is now an
    expected end; any other date wins over the range, as in RenderCV."""
    from cvbuild.loading.profile import load_profile

    source = write(
        tmp_path / "CV.yaml",
        "cv:\n  name: Brian Li\n  sections:\n    education:\n"
        "      - institution: California Polytechnic State University, San Luis Obispo\n"
        "        area: Computer Engineering\n        degree: |-\n\n          Bachelor of Science\n"
        "        date: Expected May 2028\n        start_date: 2024-09\n        end_date: 2028-05\n"
        "    experience:\n      - company: Booz Allen Hamilton\n        position: Systems Engineer\n"
        "        date: Summer 2026\n        start_date: 2026-06\n        end_date: 2026-08\n"
        "      - company: Cal Poly ITS\n        position: IT Assistant\n        date: 2025\n"
        "        start_date: 2025-11\n",
    )
    path, stderr = imported("rendercv", source, tmp_path)
    assert "'Expected May 2028' read as an expected end" in stderr
    p, _ = load_profile(path)
    school = p.education[0]
    assert (str(school.start), str(school.end), school.expected, school.degree) == (
        "2024-09",
        "2028-05",
        True,
        "Bachelor of Science",
    )
    assert (str(p.experience[1].date), p.experience[1].start, p.experience[1].end) == ("2025", None, None)
    out = tmp_path / "out"
    assert run_cli("render", path, "-f", "txt", "-o", out).returncode == 0
    text = next(out.glob("*.txt")).read_text(encoding="utf-8")
    assert "Sep 2024 – May 2028 (expected)" in " ".join(text.split()), text
    assert "Summer 2026" in text and "Jun 2026" not in text, text


def test_rendercv_start_date_alone_is_ongoing(tmp_path: Path) -> None:
    """RenderCV reads a start_date without an end_date as still going on (`Apr 2023 – present`);
    the import kept the start alone, and a current job read as a month's."""
    from cvbuild.loading.profile import load_profile

    source = write(
        tmp_path / "CV.yaml",
        "cv:\n  name: Ada Example\n  sections:\n    experience:\n      - company: Acme\n        position: Dev\n"
        "        start_date: 2023-04\n    education:\n      - institution: Uni\n        area: CS\n"
        "        start_date: 2022-09\n    Awards:\n      - name: Fellowship\n        start_date: 2021\n"
        "    Projects:\n      - name: Tides\n        start_date: 2020-01\n",
    )
    path, _ = imported("rendercv", source, tmp_path)
    p, _ = load_profile(path)
    assert [str(x.end) for x in (p.experience[0], p.education[0], p.honors[0], p.projects[0])] == ["present"] * 4
    out = tmp_path / "out"
    assert run_cli("render", path, "-f", "txt", "-o", out).returncode == 0
    assert next(out.glob("*.txt")).read_text(encoding="utf-8").count("– present") == 4


def test_jsonresume_real_chinese_resume_moves_in(tmp_path: Path) -> None:
    """github.com/23nikoloz/jsonresume-theme-material's resume.json (a real résumé in Chinese)
    could not be imported: its ends carry their durations (`2015-03（1年6个月）`, `至今（9个月）`),
    which the schema refuses. Its list of projects after `<br>－ ` ran into one line, and a
    project's `summary` (the name before 1.0) was a bullet `summary: ...`."""
    from cvbuild.loading.profile import load_profile

    resume = {
        "basics": {"name": "郭海旭", "profiles": [{"network": "打印PDF", "url": "javascript:window.print();"}]},
        "work": [
            {"company": "自由职业", "position": "Web开发", "startDate": "2015-03", "endDate": "至今（9个月）"},
            {
                "company": "华为技术有限公司",
                "position": "前端开发",
                "startDate": "2013-10",
                "endDate": "2015-03（1年6个月）",
            },
        ],
        "projects": [
            {
                "name": "个人项目",
                "startDate": "2012-06",
                "endDate": "至今",
                "summary": '以下为个人独立开发项目：<br>－ <a href="http://hectorguo.com/en/ios-app-random/">移动APP</a>'
                '<br>－ <a href="http://hectorguo.com/en/l4d2/">游戏Mod</a>',
            },
            {"name": "HAE", "startDate": "2013-11", "endDate": "2015-03", "summary": "华为云平台。"},
        ],
    }
    path, stderr = imported("jsonresume", write(tmp_path / "resume.json", json.dumps(resume)), tmp_path)
    assert "'2015-03（1年6个月）' read as '2015-03'" in stderr and "javascript" in stderr
    p, _ = load_profile(path)
    assert [(str(j.start), str(j.end)) for j in p.experience] == [("2015-03", "present"), ("2013-10", "2015-03")]
    mine, hae = p.projects
    assert (mine.summary, mine.highlights) == (
        "以下为个人独立开发项目：",
        ["[移动APP](http://hectorguo.com/en/ios-app-random/)", "[游戏Mod](http://hectorguo.com/en/l4d2/)"],
    )
    assert (hae.summary, hae.highlights) == ("华为云平台。", [])
    assert p.contact.profiles == []


@pytest.mark.parametrize(
    ("written", "margin", "said"),
    [("0.5 in", "0.5in 0.7in 0.7in", ""), ("1.2em", "0.7in", "em")],
)
def test_a_rendercv_margin_written_with_a_space_or_in_em_is_not_replaced_unsaid(
    tmp_path: Path, written: str, margin: str, said: str
) -> None:
    """RenderCV takes a margin as `\\d+\\.?\\d* *(cm|in|pt|mm|ex|em)`: "0.5 in" is its user's 0.5in,
    and the import gave the theme's default (0.7in) instead, saying nothing; a margin in em or ex
    (which cvbuild's margin does not take) is still the default, now with a warning at its line.
    The other sides are RenderCV's 0.7in, each kept (top, then left and right, then bottom)."""
    from ruamel.yaml import YAML

    source = write(
        tmp_path / "cv.yaml",
        f'cv:\n  name: Ada Example\ndesign:\n  theme: classic\n  page:\n    top_margin: "{written}"\n',
    )
    path, stderr = imported("rendercv", source, tmp_path)
    doc = YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))["documents"]["cv"]
    assert doc["options"]["margin"] == margin
    assert stderr.count("cv.yaml:6:17: design.page.top_margin: ") == (1 if said else 0) and said in stderr, stderr


@pytest.mark.parametrize(
    ("design", "margin", "noted"),
    [
        # RenderCV 2.4 on: four sides, each kept (CSS's order: top, right, bottom, left)
        (
            "  theme: classic\n  page:\n    top_margin: 0.4in\n    bottom_margin: 0.5in\n"
            "    left_margin: 0.6 in\n    right_margin: 0.6in\n",
            "0.4in 0.6in 0.5in",
            [],
        ),
        (
            "  theme: classic\n  page:\n    top_margin: 1cm\n    bottom_margin: 2cm\n"
            "    left_margin: 4cm\n    right_margin: 3cm\n",
            "1cm 3cm 2cm 4cm",
            [],
        ),
        ("  theme: classic\n  page:\n    left_margin: 1in\n", "0.7in 0.7in 0.7in 1in", []),
        (  # the sides agree, with a theme default of its own: nothing to say
            "  theme: harvard\n  page:\n    top_margin: 0.5in\n    bottom_margin: 0.5in\n"
            "    left_margin: 0.5in\n    right_margin: 0.5in\n",
            "0.5in",
            [],
        ),
        # RenderCV 1.x: `margins: page:`, "2 cm" by default; its other margins have no place here
        (
            "  theme: sb2nov\n  font_size: 10pt\n  margins:\n    page:\n      top: 1.5 cm\n      bottom: 1.5 cm\n"
            "      left: 1.5 cm\n      right: 1.5 cm\n    section_title:\n      top: 0.2 cm\n",
            "1.5cm",
            ["14:7: design.margins.section_title: "],
        ),
        ("  theme: sb2nov\n  font_size: 10pt\n", "2cm", []),
        # more than cvbuild's margin takes (200pt): the profile would not render; the most it takes
        (
            "  theme: classic\n  page:\n    top_margin: 3in\n    bottom_margin: 3in\n"
            "    left_margin: 3in\n    right_margin: 3in\n",
            "200pt",
            [
                "7:17: design.page.top_margin: ",
                "8:20: design.page.bottom_margin: ",
                "9:18: design.page.left_margin: ",
                "10:19: design.page.right_margin: ",
            ],
        ),
        # RenderCV 2.0 to 2.3 (`text:`, `show_page_numbering`): its page margin was 2cm, not 2.4's 0.7in
        ("  theme: classic\n  text:\n    font_size: 11pt\n", "2cm", []),
        ("  theme: classic\n  page:\n    show_page_numbering: true\n", "2cm", []),
    ],
)
def test_rendercv_page_margins_are_read_on_every_side(
    tmp_path: Path, design: str, margin: str, noted: list[str]
) -> None:
    """The import read `top_margin` alone: `left_margin: 0.6in` beside it was dropped unsaid, and
    a file with a narrow top and wide sides got the narrow margin everywhere without a word;
    RenderCV 1.x's `margins: page:` and 2.0's 2cm default were not read at all (cvbuild's modern
    gave 1.6cm). Then cvbuild's margin was one length, the smallest side, and a page with wide
    sides lost them; each side is kept now, and the page has them (test_themes checks the PDFs)."""
    from ruamel.yaml import YAML

    source = write(tmp_path / "cv.yaml", "cv:\n  name: Ada Example\n  email: ada@example.org\ndesign:\n" + design)
    path, stderr = imported("rendercv", source, tmp_path)
    doc = YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))["documents"]["cv"]
    assert doc["options"]["margin"] == margin
    said = [line.split("cv.yaml:", 1)[1] for line in stderr.splitlines() if "margin" in line]
    assert [s[: s.index(": ", s.index("design")) + 2] for s in said] == noted, stderr
    out = tmp_path / "out"
    assert run_cli("render", path, "-f", "pdf", "-o", out).returncode == 0


def test_rendercv_design_parts_of_the_wrong_shape_are_located_errors(tmp_path: Path) -> None:
    """`page: a4` where RenderCV takes a mapping stopped the import with exit 1 and an
    AttributeError ('str' object has no attribute 'get'); RenderCV refuses such a file too."""
    source = write(tmp_path / "cv.yaml", "cv:\n  name: Ada Example\ndesign:\n  page: a4\n  typography: 3\n")
    result = run_cli("import", "rendercv", source)
    assert result.returncode == 2 and "Traceback" not in result.stderr and not result.stdout
    assert "cv.yaml:4:9: design.page: expected a mapping" in result.stderr
    assert "cv.yaml:5:15: design.typography: expected a mapping" in result.stderr


@pytest.mark.parametrize(
    ("design", "footer", "noted"),
    [
        ("  theme: engineeringresumes\n  page:\n    show_top_note: false\n", False, False),  # ianlwestfall's
        ("  theme: opal\n", False, False),
        ("  theme: classic\n  page:\n    show_footer: false\n    show_top_note: false\n", False, False),
        (
            "  theme: classic\n  page:\n    show_page_numbering: false\n    show_last_updated_date: false\n",
            False,
            False,
        ),
        ("  theme: classic\n  page:\n    show_footer: false\n", None, True),
        ("  theme: classic\n", None, False),
    ],
)
def test_rendercv_footer_and_top_note_hidden_hide_the_footer(
    tmp_path: Path, design: str, footer: bool | None, noted: bool
) -> None:
    """RenderCV's page numbers (its footer) and date (its top note) are cvbuild's footer; a file
    that hid both, or a theme that hides both, printed them anyway, the page keys unread and
    unsaid. Where one is shown the footer stays, and a file that hid the other hears so."""
    from ruamel.yaml import YAML

    source = write(tmp_path / "cv.yaml", "cv:\n  name: Ada Example\ndesign:\n" + design)
    path, stderr = imported("rendercv", source, tmp_path)
    options = YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))["documents"]["cv"]["options"]
    assert options.get("footer") is footer
    assert ("cv.yaml:6:18: design.page.show_footer: " in stderr) is noted, stderr


def test_jsonresume_a_languages_summary_and_other_words_are_kept_in_its_fluency(tmp_path: Path) -> None:
    """A language's `summary` (and `certificate`, `description`...) has no field of its own in a
    profile: it was dropped with a warning. It rides in the fluency, printed beside the language
    in every target. Builders' `name` and `proficiency` (or `level` in words) are read as
    `language` and `fluency`: such a language was left out whole. A level of stars (a number)
    is no fluency, and stays a located `level: 4`."""
    from cvbuild.loading.profile import load_profile

    resume = write(
        tmp_path / "resume.json",
        json.dumps(
            {
                "basics": {"name": "Ada Example"},
                "languages": [
                    {"language": "English", "fluency": "Native", "summary": "Grew up in Leeds"},
                    {"language": "French", "fluency": "B2", "certificate": "DELF B2", "level": 4},
                    {"name": "Spanish", "proficiency": "Fluent", "description": "Mother tongue: Catalan"},
                    {"language": "German", "level": "Basic"},
                ],
            },
            indent=1,
        ),
    )
    path, stderr = imported("jsonresume", resume, tmp_path)
    p, _ = load_profile(path)
    assert [(lang.language, lang.fluency) for lang in p.languages] == [
        ("English", "Native; Grew up in Leeds"),
        ("French", "B2; 4/5; certificate: DELF B2"),
        ("Spanish", "Fluent; Mother tongue: Catalan"),
        ("German", "Basic"),
    ]
    for where in ("/languages/0/summary", "/languages/1/certificate", "/languages/2/name", "/languages/3/level"):
        assert re.search(rf"resume\.json:\d+:\d+: {where}: ", stderr), (where, stderr)
    out = tmp_path / "out"
    assert run_cli("render", path, "-f", "pdf,html,txt,md", "-o", out).returncode == 0
    for text in (
        pdf_text(next(out.glob("*.pdf"))),
        *(next(out.glob(f"*.{x}")).read_text("utf-8") for x in ("txt", "md")),
    ):
        flat = squash(text.replace("\\", ""))
        assert all(
            squash(f"({words})") in flat for words in ("Native; Grew up in Leeds", "Fluent; Mother tongue: Catalan")
        )


def test_a_real_korean_cv_keeps_its_dates_titles_and_margin(tmp_path: Path) -> None:
    """github.com/jaepil-choi/rendercv-resume (the fixture's header) writes its dates as
    `YEAR년 MONTH월`, what cvbuild's Korean short date prints ("2024년 3월"); its MONTH made the
    import choose numeric, and every date read "2024/3". Its section titles are English, as
    RenderCV shows them: "Projects", the built-in title, was printed in cvbuild's Korean,
    "프로젝트", beside "Work Experience" (a lowercase key, `experience`, is a
    name, not a title, and still gets the locale's). Its page margins (1cm, RenderCV 2.0's keys) are read.
    Every bullet is in the PDF (Typst and WeasyPrint) and the text once, in the file's order."""
    from ruamel.yaml import YAML

    yaml = YAML(typ="safe", pure=True)
    path, stderr = imported("rendercv", RENDERCV_REAL_KOREAN, tmp_path)
    doc = yaml.load(path.read_text(encoding="utf-8"))["documents"]["cv"]
    assert (doc["locale"], doc.get("date_format"), doc["options"]["margin"]) == ("ko", None, "1cm")
    assert doc["section_titles"]["projects"] == "Projects"
    assert "cv.photo" in stderr  # profile_picture.svg is not in the repository
    out = tmp_path / "out"
    result = run_cli("render", path, "-f", "pdf,txt,md,html", "-o", out)
    assert result.returncode == 0, result.stderr
    weasy = tmp_path / "weasy"
    assert run_cli("render", path, "-f", "pdf", "--engine", "weasyprint", "-o", weasy).returncode == 0
    source = yaml.load(RENDERCV_REAL_KOREAN.read_text(encoding="utf-8"))["cv"]["sections"]
    bullets = [h for entries in source.values() for e in entries for h in e.get("highlights") or []]
    assert len(bullets) > 15
    texts = [pdf_text(next(out.glob("*.pdf"))), pdf_text(next(weasy.glob("*.pdf")))]
    texts += [next(out.glob(f"*.{ext}")).read_text(encoding="utf-8") for ext in ("txt", "md")]
    for text in texts:
        flat = squash(text.replace("**", "").replace("\\", ""))
        assert "2024년3월" in flat and "2024/3" not in flat and "프로젝트" not in flat and "projects" in flat.lower()
        places = [flat.find(squash(b.replace("**", ""))) for b in bullets]
        assert all(flat.count(squash(b.replace("**", ""))) == 1 for b in bullets), [
            b for b in bullets if flat.count(squash(b.replace("**", ""))) != 1
        ]
        assert places == sorted(places)


def test_jsonresume_a_builders_own_fields_and_dates_are_kept(tmp_path: Path) -> None:
    """github.com/4ndresdev/4ndresdev.dev's resume.json (jsonresume_real_builder.json, verbatim)
    writes its jobs under `experience` dated `from: "May 2022"`, `to: "Current"`, a paragraph
    about its owner as `basics.aboutMe` and a link to a résumé as `basics.resume`. The dates were
    bullets (`from: May 2022`), the paragraph and the link dropped. Now the jobs are dated, the
    paragraph follows the summary, the link is in the header, each read located; a startDate
    written `May 2022` in a JSON Resume section (refused by the schema, the whole import with it)
    is read too. Every activity once, in order, in every target."""
    from cvbuild.loading.profile import load_profile

    path, stderr = imported("jsonresume", JSONRESUME_REAL_BUILDER, tmp_path)
    p, _ = load_profile(path)
    jobs = next(s for s in p.sections if s.title == "Experience").entries
    assert [(str(e.start), str(e.end)) for e in jobs] == [
        ("2022-05", "present"),
        ("2020-09", "2022-05"),
        ("2019-01", "2020-09"),
    ]
    assert not any(h.startswith(("from:", "to:")) for e in jobs for h in e.highlights)
    assert p.summary and "my true passion and focus lie in the Frontend realm." in p.summary
    assert [x.network for x in p.contact.profiles] == ["Resume"]
    for where in (
        "8:15: /basics/resume",
        "10:16: /basics/aboutMe",
        "23:15: /experience/0/from",
        "24:13: /experience/0/to",
    ):
        assert f"jsonresume_real_builder.json:{where}: " in stderr, (where, stderr)
    out, weasy = tmp_path / "out", tmp_path / "weasy"
    assert run_cli("render", path, "-f", "pdf,txt,md,html", "-o", out).returncode == 0
    assert run_cli("render", path, "-f", "pdf", "--engine", "weasyprint", "-o", weasy).returncode == 0
    activities = [
        a for job in json.loads(JSONRESUME_REAL_BUILDER.read_text("utf-8"))["experience"] for a in job["activities"]
    ]
    texts = [pdf_text(next(out.glob("*.pdf"))), pdf_text(next(weasy.glob("*.pdf")))]
    texts += [next(out.glob(f"*.{ext}")).read_text(encoding="utf-8") for ext in ("txt", "md")]
    for text in texts:
        flat = squash(text.replace("\\", ""))
        assert all(flat.count(squash(a)) == 1 for a in activities), [
            a for a in activities if flat.count(squash(a)) != 1
        ]
        places = [flat.find(squash(a)) for a in activities]
        assert places == sorted(places) and squash("May 2022") in flat and "from:" not in flat
        assert squash("my favorite hobby.") in flat

    resume = {
        "basics": {"name": "Ada Example"},
        "work": [{"name": "Acme", "position": "Engineer", "startDate": "May 2022", "endDate": "Sept. 2023"}],
    }
    path, stderr = imported("jsonresume", write(tmp_path / "resume.json", json.dumps(resume)), tmp_path / "w")
    assert [(str(e.start), str(e.end)) for e in load_profile(path)[0].experience] == [("2022-05", "2023-09")]
    assert "/work/0/startDate: 'May 2022' read as 2022-05" in stderr


def test_jsonresume_windows_line_breaks_in_text_are_line_breaks(tmp_path: Path) -> None:
    """A summary written on Windows or sent from a web form holds CRLF (`"a\\r\\nb"` in JSON):
    the import refused it whole ('contains the invisible control character U+000D')."""
    from cvbuild.loading.profile import load_profile

    resume = {
        "basics": {"name": "Ada Example", "summary": "First line.\r\nSecond line.\r\rThird."},
        "work": [{"name": "Acme", "position": "Engineer", "summary": "Built\r\nthings."}],
    }
    path, _ = imported("jsonresume", write(tmp_path / "resume.json", json.dumps(resume)), tmp_path)
    p, _ = load_profile(path)
    assert p.summary == "First line.\nSecond line.\n\nThird."
    assert "\r" not in path.read_text(encoding="utf-8")


def test_jsonresume_a_builders_prose_in_chinese_is_kept(tmp_path: Path) -> None:
    """`basics.aboutMe` in Chinese is one word to str.split, and only four or more words were kept
    as a paragraph of the summary: it was dropped ('not imported'). A short value still is."""
    from cvbuild.loading.profile import load_profile

    resume = {
        "basics": {"name": "张伟", "aboutMe": "我是一名软件工程师，热爱开源和分布式系统。", "nationality": "中国"}
    }
    path, stderr = imported("jsonresume", write(tmp_path / "resume.json", json.dumps(resume)), tmp_path)
    assert load_profile(path)[0].summary == "我是一名软件工程师，热爱开源和分布式系统。"
    assert "/basics/nationality: no such field in a cvbuild profile; not imported" in stderr


def test_jsonresume_from_to_written_as_numbers_are_dates(tmp_path: Path) -> None:
    """`from: 2020, to: 2022` in a builder's own section: the numbers were taken as read and
    dropped unsaid (no dates), and `from: "2019", to: 2021` became 2019 - present. A `to` that is
    no date at all is reported, not swallowed."""
    from cvbuild.loading.profile import load_profile

    resume = {
        "basics": {"name": "Ada Example"},
        "experience": [
            {"title": "T", "from": 2020, "to": 2022},
            {"title": "U", "from": "2019", "to": 2021},
            {"title": "V", "from": "2018", "to": ["x"]},
        ],
    }
    path, stderr = imported("jsonresume", write(tmp_path / "resume.json", json.dumps(resume)), tmp_path)
    jobs = next(s for s in load_profile(path)[0].sections if s.title == "Experience").entries
    assert [(str(e.start), str(e.end)) for e in jobs[:2]] == [("2020", "2022"), ("2019", "2021")]
    assert "/experience/2/to" in stderr and "/experience/0/to: read as endDate 2022" in stderr


def test_weasyprint_body_text_stays_readable_beside_an_uncovered_emoji(tmp_path: Path) -> None:
    """A real summary starts "🚀Software Engineer" (github.com/4ndresdev/4ndresdev.dev): no bundled
    font has 🚀, cvbuild warns of the empty box, and the rest of the page reads back. WeasyPrint
    wrote the body font with a CMap of its own (/WP-Encod-0) once it drew a .notdef with it, which
    pypdf read with NULs between characters and pdfminer not at all; the box now comes from the
    last-resort font (tests/test_weasyprint.py has the rest)."""
    profile = write(tmp_path / "p.yaml", "name: Ada Example\nsummary: 🚀Software Engineer building web tools.\n")
    assert run_cli("render", profile, "-f", "pdf", "--engine", "weasyprint", "-o", tmp_path).returncode == 0
    assert "🚀Software Engineer building web tools." in pdf_text(next(tmp_path.glob("*.pdf")))


def test_rendercv_talents_are_no_languages_and_sprachkenntnisse_are(tmp_path: Path) -> None:
    """The title words for languages in other languages: Dutch `talen` also matched English
    `Talents` (a one-line section of them became the languages, "Leadership" a language), and
    German `Sprachkenntnisse` (language skills) was read as skills."""
    from cvbuild.loading.profile import load_profile

    source = write(
        tmp_path / "cv.yaml",
        "cv:\n  name: Ada Example\n  sections:\n"
        "    Talents:\n      - label: Leadership\n        details: Led teams of five\n"
        "    Sprachkenntnisse:\n      - label: Deutsch\n        details: Muttersprache\n",
    )
    p, _ = load_profile(imported("rendercv", source, tmp_path)[0])
    assert [(x.language, x.fluency) for x in p.languages] == [("Deutsch", "Muttersprache")]
    assert not p.skills and [s.title for s in p.sections] == ["Talents"]


def test_rendercv_sections_titled_in_french_land_where_english_ones_do(tmp_path: Path) -> None:
    """A real French CV (the fixture's header) titles its sections `Résumé`, `Projets Personnels`,
    `Compétences`, `Langues`. The import knew them in English only (and `competenc` without its é): each became a custom
    section, the skills and languages a list of label/paragraph entries, the summary no summary.
    Now they are the profile's summary, projects, skills and languages, under the titles the file
    gives, in its order; every line once, in order, in every target."""
    from cvbuild.loading.profile import load_profile

    path, _ = imported("rendercv", RENDERCV_REAL_FRENCH, tmp_path)
    p, _ = load_profile(path)
    assert p.summary and p.summary.startswith("Technical Lead Data Science & IA avec plus de 6 ans")
    assert [x.name for x in p.projects] == ["Speact"] and [s.title for s in p.sections] == ["Centres d'Intérêt"]
    assert [(k.category, k.items[0]) for k in p.skills] == [
        ("Langages de Programmation", "Python"),
        ("GenAI & LLMs", "Fine-tuning de LLM (PEFT, LoRA, QLoRA)"),
    ]
    assert [(lang.language, lang.fluency) for lang in p.languages] == [
        ("Français", "Langue maternelle"),
        ("Anglais", "Compétence professionnelle complète"),
    ]
    doc = p.documents["cv"]
    assert doc.section_titles == {
        "summary": "Résumé",
        "experience": "Expérience Professionnelle",
        "education": "Formation",
        "projects": "Projets Personnels",
        "skills": "Compétences",
        "languages": "Langues",
    }
    assert doc.sections == [
        "summary",
        "experience",
        "education",
        "projects",
        "skills",
        "languages",
        "centres-d-interet",
    ]
    out, weasy = tmp_path / "out", tmp_path / "weasy"
    assert run_cli("render", path, "-f", "pdf,txt,md,html", "-o", out).returncode == 0
    assert run_cli("render", path, "-f", "pdf", "--engine", "weasyprint", "-o", weasy).returncode == 0
    lines = [
        "Technical Lead Data Science & IA avec plus de 6 ans",
        "Mentoré et fait monter en compétences des data scientists",
        "Développé une boîte à outils machine learning en Python",
        "Développé les composants backend et frontend",
        "Python, SQL, R, C/C++, Java, JavaScript",
        "Compétence professionnelle complète",
        "Randonnée et activités outdoor",
    ]
    texts = [pdf_text(next(out.glob("*.pdf"))), pdf_text(next(weasy.glob("*.pdf")))]
    texts += [next(out.glob(f"*.{ext}")).read_text(encoding="utf-8") for ext in ("txt", "md")]
    for text in texts:
        flat = squash(text.replace("\\", ""))
        assert all(flat.count(squash(x)) == 1 for x in lines), [x for x in lines if flat.count(squash(x)) != 1]
        assert [flat.find(squash(x)) for x in lines] == sorted(flat.find(squash(x)) for x in lines)
        assert squash("Compétences").lower() in flat.lower() and squash("Langues").lower() in flat.lower()


def test_jsonresume_levels_written_as_numbers_print_on_their_scale(tmp_path: Path) -> None:
    """A builder's stars, `"level": 4`: the schema refused the number in a skill, and the whole
    import with it; in a language it printed as "English (level: 4)". Each is now text on its
    list's scale (the smallest of 5, 10 and 100 that holds the skills', or the languages', levels),
    read located."""
    from cvbuild.loading.profile import load_profile

    def levels(*values: Any) -> tuple[list[str | None], list[str | None], str]:
        resume = {
            "basics": {"name": "Ada Example"},
            "skills": [
                {"name": "Python", "level": values[0], "keywords": ["pandas"]},
                {"name": "Go", "level": "Master"},
            ],
            "languages": [{"language": "English", "level": v} for v in values[1:]],
        }
        folder = tmp_path / str(len(list(tmp_path.iterdir())))
        path, stderr = imported("jsonresume", write(folder / "resume.json", json.dumps(resume)), folder)
        p, _ = load_profile(path)
        return [s.level for s in p.skills], [x.fluency for x in p.languages], stderr

    skills, langs, stderr = levels(4, 5, "3")
    assert (skills, langs) == (["4/5", "Master"], ["5/5", "3/5"])
    assert "/skills/0/level: the number 4 read as '4/5' (the skills' levels go up to 4)" in stderr
    assert levels(7, 9.5)[:2] == (["7/10", "Master"], ["9.5/10"])
    assert levels(80, 60)[:2] == (["80%", "Master"], ["60%"])
    # as written past every scale (`:g` printed 1.23457e+06); Infinity (no JSON) is no level: it was 'inf'
    assert levels(1234567, 3)[:2] == (["1234567", "Master"], ["3/5"])
    infinite = write(tmp_path / "inf.json", '{"basics": {"name": "A"}, "skills": [{"name": "Go", "level": Infinity}]}')
    result = run_cli("import", "jsonresume", infinite)
    assert result.returncode == 2 and "/skills/0/level: is a number" in result.stderr and "inf" not in result.stdout
    folder = tmp_path / "r"
    resume = {"basics": {"name": "Ada Example"}, "languages": [{"language": "English", "fluency": "C1", "level": 4}]}
    path, _ = imported("jsonresume", write(folder / "resume.json", json.dumps(resume)), folder)
    out = tmp_path / "out"
    assert run_cli("render", path, "-f", "pdf,txt,md", "-o", out).returncode == 0
    for text in (
        pdf_text(next(out.glob("*.pdf"))),
        *(next(out.glob(f"*.{x}")).read_text("utf-8") for x in ("txt", "md")),
    ):
        assert squash("English (C1; 4/5)") in squash(text.replace("\\", "")), text


def test_jsonresume_skills_and_languages_are_scales_of_their_own(tmp_path: Path) -> None:
    """JSON Resume's skill `level` and language `fluency` are vocabularies of their own: skills
    out of 100 beside languages out of 5 made a language's 4 '4%' (one scale across both), and a
    language's `fluency: 5`, as builders write stars, was refused, and the whole file with it."""
    from cvbuild.loading.profile import load_profile

    resume = {
        "basics": {"name": "Lena Müller"},
        "skills": [{"name": "Python", "level": 90}, {"name": "Rust", "level": 60, "keywords": ["tokio"]}],
        "languages": [
            {"language": "German", "fluency": 5},
            {"language": "English", "level": 4},
            {"language": "French", "fluency": "Conversational", "rating": 3},
        ],
    }
    path, stderr = imported("jsonresume", write(tmp_path / "resume.json", json.dumps(resume)), tmp_path)
    p, _ = load_profile(path)
    assert [s.level for s in p.skills] == ["90%", "60%"]
    assert [x.fluency for x in p.languages] == ["5/5", "4/5", "Conversational; 3/5"]
    assert "/languages/0/fluency: the number 5 read as '5/5' (the languages' levels go up to 5)" in stderr
    assert "/skills/0/level: the number 90 read as '90%' (the skills' levels go up to 90)" in stderr


CONFERENCES_RENDERCV = """cv:
  name: Lena Müller
  sections:
    Conferences Attended:
      - bullet: NeurIPS 2023, New Orleans
      - bullet: ICML 2022, Baltimore
    Conference Participation:
      - label: EGU General Assembly 2021
        details: Vienna (online)
    Conferences:
      - "Poster: Seismic noise in cities, AGU Fall Meeting 2022"
      - "“Ambient noise at scale”, SSA Annual Meeting 2021"
    Conférences:
      - Journées de l'IA, Paris, 2021
"""


def test_rendercv_conferences_attended_are_no_talks(tmp_path: Path) -> None:
    """Attended is not given: "Conferences Attended" (and "Conference Participation") were read
    as talks, under the title "Conferences Attended", as if each conference were a talk of its
    owner's. They are a section of their own now, as written; a section titled only
    "Conferences" is talks when its lines read as talks (a poster, a quoted title), and French
    "Conférences" still is. Every line once and in order in the text."""
    from cvbuild.loading.profile import load_profile

    path, _ = imported("rendercv", write(tmp_path / "cv.yaml", CONFERENCES_RENDERCV), tmp_path)
    p, _ = load_profile(path)
    assert [t.title for t in p.talks] == [
        "Poster: Seismic noise in cities, AGU Fall Meeting 2022",
        "“Ambient noise at scale”, SSA Annual Meeting 2021",
    ]
    assert [s.title for s in p.sections] == ["Conferences Attended", "Conference Participation", "Conférences"]
    out = tmp_path / "out"
    assert run_cli("render", path, "-f", "txt", "-o", out).returncode == 0
    flat = squash(next(out.glob("*.txt")).read_text("utf-8")).lower()  # titles in capitals
    lines = [
        "Conferences Attended", "NeurIPS 2023, New Orleans", "ICML 2022, Baltimore", "Conference Participation",
        "EGU General Assembly 2021", "Vienna (online)", "Conferences", "Poster: Seismic noise in cities",
        "Ambient noise at scale", "Journées de l'IA, Paris, 2021",
    ]  # fmt: skip
    at = 0
    for line in (squash(x).lower() for x in lines):  # each in its place, after the one before
        assert (at := flat.find(line, at)) >= 0, (line, flat)
    assert "talks" not in flat


ONE_LINE_RENDERCV = """cv:
  name: Ada Example
  sections:
    Extras:
      - label: Driving licence
        details: B, since 2010
    Technical Skills:
      - label: Programming
        details: Python, C++
    Soft Skills:
      - label: Leadership
        details: Led a team of five
"""


@pytest.mark.parametrize("theme", BUILTIN_THEMES)
def test_rendercv_one_line_entries_print_on_one_line(tmp_path: Path, theme: str) -> None:
    """A OneLineEntry (`label: details`) of a section cvbuild has no home for, or of a second
    skills section, became a custom entry whose details were its summary: the label on one line,
    the details on the next, in every target. It is the title and its note now, one line, as
    RenderCV sets it: Typst and WeasyPrint PDFs, HTML, text and Markdown."""
    path, _ = imported("rendercv", write(tmp_path / "cv.yaml", ONE_LINE_RENDERCV), tmp_path)
    out, weasy = tmp_path / "out", tmp_path / "weasy"
    result = run_cli("render", path, "--theme", theme, "-f", "pdf,html,txt,md", "-o", out)
    assert result.returncode == 0, result.stderr
    result = run_cli("render", path, "--theme", theme, "-f", "pdf", "--engine", "weasyprint", "-o", weasy)
    assert result.returncode == 0, result.stderr
    pairs = [("Driving licence", "B, since 2010"), ("Leadership", "Led a team of five")]
    for pdf in (next(out.glob("*.pdf")), next(weasy.glob("*.pdf"))):
        lines = [text for page in pdf_lines(pdf) for text, _ in page.lines]
        for label, details in pairs:
            assert any(label in line and details in line for line in lines), (pdf, label, lines)
    for ext in ("txt", "md", "html"):
        text = next(out.glob(f"*.{ext}")).read_text("utf-8")
        for label, details in pairs:
            assert re.search(rf"{label}[^\n]*{details}", re.sub(r"<[^>]+>", "", text)), (ext, text)


@pytest.mark.parametrize(
    ("titles", "language"),
    [
        (("Vorträge", "Gutachtertätigkeit", "Lehre", "Auszeichnungen", "Zertifikate"), "german"),
        (
            (
                "Conférences invitées",
                "Responsabilités collectives",
                "Enseignement",
                "Prix et distinctions",
                "Certifications",
            ),
            "french",
        ),
        (("Ponencias", "Servicio académico", "Docencia", "Premios", "Certificaciones"), "spanish"),
        (
            (
                "Interventi e seminari",
                "Incarichi accademici",
                "Attività didattica",
                "Premi e riconoscimenti",
                "Certificazioni",
            ),
            "italian",
        ),
        (("Palestras", "Atividades acadêmicas", "Docência", "Prêmios", "Certificações"), "portuguese"),
        (("Lezingen", "Academische activiteiten", "Onderwijs", "Prijzen", "Certificaten"), "dutch"),
        (("学术报告", "学术服务", "教学经历", "荣誉奖项", "资格证书"), "chinese"),
        (("講演", "学会活動", "授業担当", "受賞歴", "資格"), "japanese"),
        (("발표", "학술 활동", "강의 경력", "수상 경력", "자격증"), "korean"),
    ],
)
def test_rendercv_bullet_sections_titled_in_other_languages_find_their_home(
    tmp_path: Path, titles: tuple[str, ...], language: str
) -> None:
    """Bullet sections titled Talks, Service, Teaching, Awards and Certificates become the
    profile's talks, service, teaching, honors and certificates; titled in another language
    cvbuild speaks (Vorträge, Enseignement, 受賞歴...) each stayed a custom list. They find the
    same homes now, under the file's titles, in its order."""
    from cvbuild.loading.profile import load_profile

    body = "".join(f"    {t}:\n      - bullet: Item {i}\n" for i, t in enumerate(titles))
    source = write(
        tmp_path / "cv.yaml", f"cv:\n  name: Ada Example\n  sections:\n{body}locale:\n  language: {language}\n"
    )
    path, _ = imported("rendercv", source, tmp_path)
    p, _ = load_profile(path)
    assert not p.sections, [s.title for s in p.sections]
    got = [p.talks[0].title, p.service[0].role, p.teaching[0].course, p.honors[0].title, p.certificates[0].name]
    assert got == [f"Item {i}" for i in range(5)]
    doc = p.documents["cv"]
    assert doc.sections == ["talks", "service", "teaching", "honors", "certificates"]
    assert list(doc.section_titles.values()) == list(titles)


# ---- limits: counted before the conversion -------------------------------------------------------


def test_a_json_resume_over_the_publications_limit_is_refused_before_it_is_converted(tmp_path: Path) -> None:
    """30,000 publications took 34 s to import, into a profile `validate` then refused."""
    pubs = [{"name": f"Paper {i}", "releaseDate": "2020-01-01"} for i in range(10_001)]
    resume = write(tmp_path / "r.json", json.dumps({"basics": {"name": "Ada"}, "publications": pubs}, indent=1))
    result = run_cli("import", "jsonresume", resume)
    assert result.returncode == 2 and not result.stdout
    assert result.stderr.startswith(
        f"{resume}:40006:3: /publications/10000: cannot be imported: the number of publications"
    ), result.stderr
    assert "exceeds the limit publications = 10,000; the largest real CVs list about 2,000" in result.stderr


def test_a_rendercv_file_over_the_entries_limit_is_refused_before_it_is_converted(tmp_path: Path) -> None:
    items = "".join(f"      - bullet: Item {i}\n" for i in range(20_001))
    cv = write(tmp_path / "CV.yaml", "cv:\n  name: Ada\n  sections:\n    notes:\n" + items)
    result = run_cli("import", "rendercv", cv)
    assert result.returncode == 2 and not result.stdout
    assert result.stderr.startswith(
        f"{cv}:20005:9: cv.sections.notes[20000]: cannot be imported: the number of entries"
    )


_MONTHS_EN = "[Jan, Feb, Mar, Apr, May, June, July, Aug, Sept, Oct, Nov, Dec]"
_MONTHS_DE = "[Jan, Feb, Mär, Apr, Mai, Jun, Jul, Aug, Sep, Okt, Nov, Dez]"


@pytest.mark.parametrize(
    ("locale", "dates", "labels"),
    [
        # RenderCV's own English abbreviations: June, July and Sept where cvbuild wrote Jun, Jul, Sep
        (
            f"locale:\n  language: english\n  month_abbreviations: {_MONTHS_EN}\n",
            ["Sept 2019 – June 2021", "July 2021 – present"],
            {"month.short.6": "June", "month.short.7": "July", "month.short.9": "Sept"},
        ),
        (
            f"locale:\n  language: german\n  month_abbreviations: {_MONTHS_DE}\n",
            ["Sep 2019 – Jun 2021", "Jul 2021 – heute"],
            {f"month.short.{n}": m for n, m in ((1, "Jan"), (2, "Feb"), (3, "Mär"), (4, "Apr"), (6, "Jun"))}
            | {f"month.short.{n}": m for n, m in ((7, "Jul"), (8, "Aug"), (9, "Sep"), (10, "Okt"), (11, "Nov"))}
            | {"month.short.12": "Dez"},
        ),
        (  # the full names, where the file's template prints them
            "locale:\n  language: french\n  date_template: MONTH_NAME YEAR\n  month_names: [janvier, février, mars,"
            " avril, mai, Juin, Juillet, août, Septembre, octobre, novembre, décembre]\n",
            ["Septembre 2019 – Juin 2021", "Juillet 2021 – aujourd’hui"],
            {f"month.long.{n}": m for n, m in ((6, "Juin"), (7, "Juillet"), (9, "Septembre"))},
        ),
        (  # RenderCV 1.x's locale_catalog
            f"locale_catalog:\n  abbreviations_for_months: {_MONTHS_EN}\n",
            ["Sept 2019 – June 2021", "July 2021 – present"],
            {"month.short.6": "June", "month.short.7": "July", "month.short.9": "Sept"},
        ),
    ],
)
def test_rendercv_month_names_of_the_locale_print_as_written(
    tmp_path: Path, locale: str, dates: list[str], labels: dict[str, str]
) -> None:
    """RenderCV prints a date with its locale's month names (`month_abbreviations`, `month_names`;
    1.x `abbreviations_for_months`): the import dropped them ("month names are not imported") and
    cvbuild printed its own, "Sep 2019 – Jun 2021" where the user had "Sept 2019 – June 2021".
    They are the document's labels now (`month.short.9`), only where cvbuild's differ, and every
    target prints the file's names."""
    from cvbuild.loading.profile import load_profile

    source = write(
        tmp_path / "cv.yaml",
        "cv:\n  name: Ada Example\n  sections:\n    experience:\n"
        "      - {company: Acme, position: Engineer, start_date: 2019-09, end_date: 2021-06}\n"
        "      - {company: Initech, position: Lead, start_date: 2021-07, end_date: present}\n" + locale,
    )
    path, stderr = imported("rendercv", source, tmp_path)
    assert "month names" not in stderr and "abbreviations" not in stderr, stderr
    assert {k: v for k, v in load_profile(path)[0].documents["cv"].labels.items() if k.startswith("month.")} == labels
    out = tmp_path / "out"
    assert run_cli("render", path, "-f", "pdf,html,txt,md", "-o", out).returncode == 0
    html = re.sub(r"<[^>]+>", "", next(out.glob("*.html")).read_text("utf-8"))
    texts = [
        pdf_text(next(out.glob("*.pdf"))),
        html,
        *(next(out.glob(f"*.{x}")).read_text("utf-8") for x in ("txt", "md")),
    ]
    for text in texts:
        flat = squash(text.replace("\\", ""))
        assert all(squash(d) in flat for d in dates), (dates, text)


def test_rendercv_month_names_not_twelve_are_told(tmp_path: Path) -> None:
    """A locale's month names that are not twelve (one left out) were dropped with no word, and
    cvbuild printed its own: the import says so, at the list."""
    source = write(
        tmp_path / "cv.yaml",
        "cv:\n  name: Ada Example\n  sections:\n    experience:\n"
        "      - {company: Acme, position: Engineer, start_date: 2019-09, end_date: 2021-06}\n"
        "locale:\n  language: english\n  month_abbreviations: [Jan, Feb, Mar, Apr, May, June, July, Aug, Sept,"
        " Oct, Nov]\n  month_names: January\n",
    )
    path, stderr = imported("rendercv", source, tmp_path)
    assert f"{source}:8:24: locale.month_abbreviations: 11 names, not one for each of the 12 months" in stderr
    assert f"{source}:9:16: locale.month_names: not a list, not one for each of the 12 months" in stderr
    assert run_cli("render", path, "-f", "txt", "-o", tmp_path / "out").returncode == 0
    assert "Sep 2019 – Jun 2021" in next((tmp_path / "out").glob("*.txt")).read_text("utf-8")


def test_month_labels_are_checked_and_need_no_babel_name() -> None:
    from pydantic import ValidationError

    from cvbuild.schema.model import DocumentSpec

    assert DocumentSpec.model_validate({"labels": {"month.long.12": "Dezember", "month.short.1": "Jän."}})
    for key in ("month.short.13", "month.short.0", "month.medium.1"):
        with pytest.raises(ValidationError, match="unknown label"):
            DocumentSpec.model_validate({"labels": {key: "x"}})


def _every_line_once_in_order(texts: list[str], lines: list[str]) -> None:
    for text in texts:
        flat = squash(text.replace("\\", "").replace("**", ""))
        assert all(flat.count(squash(x)) == 1 for x in lines), [x for x in lines if flat.count(squash(x)) != 1]
        assert [flat.find(squash(x)) for x in lines] == sorted(flat.find(squash(x)) for x in lines)


def _rendered(path: Path, folder: Path) -> list[str]:
    """The profile's text in the Typst and WeasyPrint PDFs, the HTML page (its text), txt and md."""
    out, weasy = folder / "out", folder / "weasy"
    result = run_cli("render", path, "-f", "pdf,html,txt,md", "-o", out)
    assert result.returncode == 0, result.stderr
    assert run_cli("render", path, "-f", "pdf", "--engine", "weasyprint", "-o", weasy).returncode == 0
    page = next(out.glob("*.html")).read_text("utf-8").split("<body", 1)[1]
    html = unescape(re.sub(r"<[^>]+>", " ", page))
    texts = [pdf_text(next(out.glob("*.pdf"))), pdf_text(next(weasy.glob("*.pdf"))), html]
    return texts + [next(out.glob(f"*.{ext}")).read_text(encoding="utf-8") for ext in ("txt", "md")]


def test_a_real_spanish_cv_keeps_its_languages_written_as_lines(tmp_path: Path) -> None:
    """github.com/mnofresno/mariano-portfolio (the fixture's header) writes its languages as text
    lines under `Idiomas`, "Español (Nativo)": they stayed a custom section of two paragraphs. They
    are the profile's languages now, each with its fluency; every line once, in order, everywhere."""
    from cvbuild.loading.profile import load_profile

    path, stderr = imported("rendercv", RENDERCV_REAL_SPANISH, tmp_path)
    p, _ = load_profile(path)
    assert [(x.language, x.fluency) for x in p.languages] == [("Español", "Nativo"), ("Inglés", "Profesional")]
    assert not p.sections and p.documents["cv"].locale == "es"
    assert p.documents["cv"].sections == ["summary", "experience", "education", "skills", "languages"]
    assert "cv.photo" in stderr  # images/photo.webp is a WebP, and not in the fixture's folder
    lines = [
        "Constructor de Sistemas con IA enfocado en automatización",
        "Desarrollo frontend con React, React Native y Vue.js",
        "Pipelines de datos enfocados en seguridad",
        "Universidad de Buenos Aires",
        "Python, TypeScript, JavaScript, Go (en aprendizaje), PHP, Java, C#",
        "Mentoría técnica, revisiones de código, contratación, evaluaciones de desempeño",
        "Español (Nativo)",
        "Inglés (Profesional)",
    ]
    _every_line_once_in_order(_rendered(path, tmp_path), lines)


@pytest.mark.parametrize(
    ("line", "language", "fluency"),
    [
        ("**English:** fluent", "English", "fluent"),
        ("German – B2", "German", "B2"),
        ("日本語（ネイティブ）", "日本語", "ネイティブ"),
        ("Français", "Français", None),
    ],
)
def test_rendercv_a_language_written_as_a_line_is_a_language(
    tmp_path: Path, line: str, language: str, fluency: str | None
) -> None:
    from cvbuild.loading.profile import load_profile

    source = write(
        tmp_path / "cv.yaml", f'cv:\n  name: Ada Example\n  sections:\n    Languages:\n      - bullet: "{line}"\n'
    )
    p, _ = load_profile(imported("rendercv", source, tmp_path)[0])
    assert [(x.language, x.fluency) for x in p.languages] == [(language, fluency)]


def test_a_real_resumes_one_line_certificates_are_its_certificates(tmp_path: Path) -> None:
    """github.com/portobanco51/MyYAMLResume (the fixture's header) writes its certificates as
    one-line entries, each name a link, `label: "[Certified in Cybersecurity (CC)](https://...)"`,
    the issuer as details: a custom section (`certificates-2`, beside the built-in id). They are
    the profile's certificates now, the link each one's url, the issuer its issuer. Its locale's
    month names print as written ("Sept 2023", as its settings' bold_keywords show RenderCV
    printed them); every line once, in order, in every target."""
    from cvbuild.loading.profile import load_profile

    path, stderr = imported("rendercv", RENDERCV_REAL_QA, tmp_path)
    p, _ = load_profile(path)
    assert not p.sections
    assert [(c.name, c.issuer, bool(c.url)) for c in p.certificates][:3] == [
        ("English Level C1 Certificate", "Cambridge English Language Assessment", False),
        ("Cloud DevOps Engineering Professional Certificate", "Google Cloud Training", True),
        ("IBM DevOps, Cloud, and Agile Professional Certificate", "IBM", True),
    ]
    doc = p.documents["cv"]
    assert doc.sections == ["summary", "experience", "skills", "education", "languages", "certificates", "projects"]
    assert (doc.labels["month.short.9"], doc.options["margin"], doc.options["footer"]) == ("Sept", "0.7in", False)
    assert "certificates" not in stderr
    lines = [
        "I am a results-driven Software Engineer in Test",
        "Sept 2023",
        "Engineered automated test scripts using Python and Bash",
        "TestRail, Selenium, Cypress, PyTest, Postman, Jenkins, GitHub Actions, Selenium.",
        "CENFOTEC University",
        "C1 Advanced (Professional Working Proficiency)",
        "Cambridge English Language Assessment",
        "Meta Back-End Development",
        "An interactive, React.js & Three.js portfolio",
    ]
    _every_line_once_in_order(_rendered(path, tmp_path), lines)


def test_a_real_resume_json_prints_each_thing_once(tmp_path: Path) -> None:
    """github.com/5c077m4n/cv's resume.json (the module's docstring) gives each job a summary that
    is its position ("position": "Front End Developer", "summary": "Front End Developer"), printed
    twice, one line under the other; and each language a theme's bar, `"value": 100`, beside its
    fluency, printed "Native speaker; value: 100". The summary is left out, said at its line, and
    the bar is the level: "English (Native speaker; 100%)". Every highlight once, in order, in
    every target."""
    from cvbuild.loading.profile import load_profile

    path, stderr = imported("jsonresume", JSONRESUME_REAL_DEVELOPER, tmp_path)
    p, _ = load_profile(path)
    assert [(e.role, e.summary) for e in p.experience] == [
        ("Front End Developer", None),
        ("Full Stack Developer", None),
    ]
    fluent = "Native speaker; 100%"
    assert [(x.language, x.fluency) for x in p.languages] == [("English", fluent), ("Hebrew", fluent)]
    for where in ("42:15: /work/0/summary: the same as the position", "119:37: /languages/0/value: the number 100"):
        assert f"jsonresume_real_developer.json:{where}" in stderr, stderr
    texts = _rendered(path, tmp_path)
    for text in texts:
        flat = squash(text.replace("\\", ""))
        assert flat.count("FrontEndDeveloper") == 1 and flat.count("FullStackDeveloper") == 2  # and the headline
        assert squash("English (Native speaker; 100%)") in flat and "value" not in flat
    _every_line_once_in_order(texts, ["Angularjs", "Chemical Eng.", "Http Responder"])


def test_jsonresume_a_country_or_field_said_twice_is_printed_once(tmp_path: Path) -> None:
    """github.com/AbdelMounhim/cv's resume.json (no licence; its shapes, not its text) writes its
    location as `"address": "France", "countryCode": "FR"`, printed "France, FR", and each course
    as `"studyType": "formation React JS", "area": "React JS"`, printed "formation React JS in
    React JS". The code of a country already named, and a field the degree already names, are left
    out (the latter said at its line); a field of its own stays."""
    from cvbuild.loading.profile import load_profile

    resume: dict[str, Any] = {
        "basics": {"name": "Ada Example", "location": {"address": "France", "countryCode": "FR"}},
        "education": [
            {"institution": "Orsys", "studyType": "formation React JS", "area": "React JS", "startDate": "2016-09"},
            {"institution": "Orsys", "studyType": "formation Node.Js avancé", "area": "React JS"},
        ],
    }
    path, stderr = imported("jsonresume", write(tmp_path / "resume.json", json.dumps(resume, indent=1)), tmp_path)
    p, _ = load_profile(path)
    assert p.contact.location == "France"
    assert [(e.degree, e.field) for e in p.education] == [
        ("formation React JS", None),
        ("formation Node.Js avancé", "React JS"),
    ]
    assert re.search(r"resume\.json:\d+:\d+: /education/0/area: already in `studyType`; not repeated", stderr)
    out = tmp_path / "out"
    assert run_cli("render", path, "-f", "pdf,txt", "-o", out).returncode == 0
    for text in (pdf_text(next(out.glob("*.pdf"))), next(out.glob("*.txt")).read_text("utf-8")):
        assert "React JS in React JS" not in text and "France, FR" not in text and "React JS" in text
    for where, shown in (
        ({"city": "Lyon", "countryCode": "FR"}, "Lyon, FR"),
        ({"address": "Deutschland", "countryCode": "DE"}, "Deutschland"),
    ):
        resume["basics"]["location"] = where
        folder = tmp_path / shown
        path, _ = imported("jsonresume", write(folder / "resume.json", json.dumps(resume)), folder)
        assert load_profile(path)[0].contact.location == shown


def test_jsonresume_real_french_resume_reads_as_written(tmp_path: Path) -> None:
    """Round six, a staff engineer's résumé in French (jsonresume_real_french.json, verbatim): its
    languages are ISO codes (`"language": "fr"`), printed "fr · en · it", now their names, said at
    their lines; each job's `x-keywords` (JSON Resume's mark for a field of one's own) printed
    "x-keywords: Python, Django..." under every job, now "keywords: ...". Every highlight and
    keyword in order in both PDFs, text and Markdown."""
    from cvbuild.loading.profile import load_profile

    path, stderr = imported("jsonresume", JSONRESUME_REAL_FRENCH, tmp_path)
    p, _ = load_profile(path)
    assert [(x.language, x.fluency) for x in p.languages] == [
        ("French", "Langue maternelle"),
        ("English", "Maîtrise professionnelle"),
        ("Italian", "Niveau conversationnel"),
    ]
    assert (
        "jsonresume_real_french.json:444:19: /languages/0/language: the language code 'fr' read as 'French'" in stderr
    )
    out, weasy = tmp_path / "out", tmp_path / "weasy"
    assert run_cli("render", path, "-f", "pdf,txt,md", "-o", out).returncode == 0
    assert run_cli("render", path, "-f", "pdf", "--engine", "weasyprint", "-o", weasy).returncode == 0
    work = json.loads(JSONRESUME_REAL_FRENCH.read_text("utf-8"))["work"]
    lines = [x for job in work for x in [*job.get("highlights", []), ", ".join(job.get("x-keywords", []))] if x]
    texts = [pdf_text(next(out.glob("*.pdf"))), pdf_text(next(weasy.glob("*.pdf")))]
    texts += [next(out.glob(f"*.{ext}")).read_text(encoding="utf-8") for ext in ("txt", "md")]
    for text in texts:
        flat = squash(text.replace("\\", ""))
        plain = [squash(re.split(r"[\[*]", x)[0]) for x in lines]  # up to a link or a mark, each target's own
        at = 0
        for x in plain:  # each in its place, after the one before (two jobs share a highlight)
            assert (at := flat.find(x, at)) >= 0, (x, text)
        assert "x-keywords" not in flat and "fr·en" not in flat.replace(" ", "")


def test_jsonresume_reference_keeps_its_paragraphs(tmp_path: Path) -> None:
    """The French résumé's references are letters of several paragraphs; the import ran each into
    one line, though a reference's text prints its paragraphs apart (txt: a blank line)."""
    from cvbuild.loading.profile import load_profile

    path, _ = imported("jsonresume", JSONRESUME_REAL_FRENCH, tmp_path)
    p, _ = load_profile(path)
    written = [r["reference"] for r in json.loads(JSONRESUME_REAL_FRENCH.read_text("utf-8"))["references"]]
    assert [r.text for r in p.references] == [
        "\n\n".join(" ".join(x.split()) for x in w.split("\n\n")) for w in written
    ]
    assert run_cli("render", path, "-f", "txt", "-o", tmp_path / "out").returncode == 0
    txt = next((tmp_path / "out").glob("*.txt")).read_text("utf-8")
    first, second = written[2].split("\n\n")[:2]
    assert f"{first.split()[-1]}\n\n" in txt and second.split()[0] in txt.split(f"{first.split()[-1]}\n\n")[1][:40]


def test_rendercv_real_portuguese_resume_stays_on_one_page(tmp_path: Path) -> None:
    """Round six, a one-page résumé in Portuguese (rendercv_real_portuguese.yaml, verbatim): one
    page with both engines, its words in Portuguese (`locale: pt`), every bullet and summary once
    and in order in both PDFs, text and Markdown."""
    import pypdf
    from ruamel.yaml import YAML

    path, stderr = imported("rendercv", RENDERCV_REAL_PORTUGUESE, tmp_path)
    assert "cv.photo: 'linkedin_photo.jpg' does not exist" in stderr
    out, weasy = tmp_path / "out", tmp_path / "weasy"
    assert run_cli("render", path, "-f", "pdf,txt,md", "-o", out).returncode == 0
    assert run_cli("render", path, "-f", "pdf", "--engine", "weasyprint", "-o", weasy).returncode == 0
    pdfs = [next(out.glob("*.pdf")), next(weasy.glob("*.pdf"))]
    assert [len(pypdf.PdfReader(p).pages) for p in pdfs] == [1, 1]
    sections = YAML(typ="safe").load(RENDERCV_REAL_PORTUGUESE.read_text("utf-8"))["cv"]["sections"]
    lines = [
        re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", x).replace("**", "").replace("_", "")
        for entries in sections.values()
        for e in entries
        for x in [
            *([e["bullet"]] if "bullet" in e else []),
            *([e["summary"]] if "summary" in e else []),
            *e.get("highlights", []),
        ]
    ]
    texts = [pdf_text(p) for p in pdfs] + [next(out.glob(f"*.{x}")).read_text("utf-8") for x in ("txt", "md")]
    for text in texts:
        flat = squash(re.sub(r" \(https?://[^)]*\)|\]\([^)]*\)|[\\*_\[]", "", text))
        at = 0
        for line in map(squash, lines):
            assert flat.count(line) == 1, (line, text)
            assert (at := flat.find(line, at)) >= 0, (line, text)
        assert "atual" in flat.lower() and "experiência" in flat.lower()  # titles may be set in capitals
