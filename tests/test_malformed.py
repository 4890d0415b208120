"""Malformed profiles: exit 2, no traceback, every problem located at the right line, nothing written."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from conftest import FIXTURES, RESUME, run_cli, write

from cvbuild.diagnostics import JSON_KEYS
from cvbuild.loading.profile import load_profile

MALFORMED = FIXTURES / "malformed"

# file -> (line, column or None, dotted path ("" for the whole file), phrases the message must contain)
LOCATED: dict[str, tuple[int, int | None, str, tuple[str, ...]]] = {
    # YAML syntax
    "syntax_bad_indent.yaml": (4, None, "", ("YAML syntax error",)),
    "syntax_unclosed_quote.yaml": (2, 11, "", ("YAML syntax error", '`"` opened at 2:11 is not closed')),
    "syntax_tab.yaml": (3, 1, "", ("YAML syntax error",)),
    "duplicate_key.yaml": (4, 1, "", ("duplicate key 'headline' (first at 2:1)",)),
    "top_level_list.yaml": (1, 1, "", ("expected a mapping",)),
    # unknown keys
    "unknown_key_top.yaml": (2, 1, "educaton", ("unknown key 'educaton'", "did you mean 'education'?")),
    "unknown_key_entry.yaml": (5, 5, "experience[0].compnay", ("unknown key 'compnay'", "organization")),
    "unknown_key_misspelled.yaml": (3, 5, "experience[0].organisation", ("did you mean 'organization'?",)),
    "alias_key_company.yaml": (
        4,
        5,
        "experience[0].company",
        ("unknown key 'company'", "did you mean 'organization'?"),
    ),
    "pub_links_unknown_key.yaml": (7, 7, "publications[0].links.pdf_url", ("unknown key 'pdf_url'",)),
    "document_unknown_key.yaml": (5, 5, "documents.cv.max_page", ("did you mean 'max_pages'?",)),
    # wrong types
    "type_string_for_list.yaml": (2, 12, "interests", ("expected a list",)),
    "type_list_for_mapping.yaml": (3, 3, "contact", ("expected a mapping",)),
    "type_list_for_entry.yaml": (3, 5, "experience[0]", ("expected a mapping",)),
    "type_mapping_for_string.yaml": (3, 3, "headline", ("expected text", "found a mapping")),
    "type_bool.yaml": (6, 15, "publications[0].selected", ("expected true or false", "maybe")),
    "type_number_for_string.yaml": (6, 12, "publications[0].arxiv", ("expected text", "quote it")),
    "name_list.yaml": (2, 3, "name", ("expected text", "found a list")),
    "documents_list.yaml": (2, 12, "documents", ("expected a mapping",)),
    # dates
    "date_bad_month.yaml": (4, 11, "honors[0].date", ("month 13 is out of range",)),
    "date_bad_day.yaml": (4, 11, "honors[0].date", ("day 30 does not exist",)),
    "date_bad_format.yaml": (4, 11, "honors[0].date", ("invalid date 'May 2023'", "YYYY-MM")),
    "date_end_before_start.yaml": (6, 10, "experience[0].end", ("end 2021-09 is before start 2022-05",)),
    "date_present_start.yaml": (5, 10, "education[0].end", ("start cannot be `present`",)),
    "date_and_start.yaml": (5, 12, "teaching[0].start", ("not both",)),
    # links
    "link_javascript.yaml": (3, 12, "contact.website", ("'javascript:' is not allowed",)),
    "link_data.yaml": (7, 14, "publications[0].links.paper", ("'data:' is not allowed",)),
    "link_no_scheme.yaml": (4, 10, "projects[0].url", ("has no scheme", "https://github.com/ada/widget")),
    "link_space.yaml": (4, 10, "honors[0].url", ("may not contain spaces",)),
    "link_markdown_javascript.yaml": (2, 10, "summary", ("'javascript:' is not allowed",)),
    # values
    "name_empty.yaml": (1, 7, "name", ("must not be empty",)),
    "name_missing.yaml": (1, 1, "name", ("missing required key 'name'",)),
    "pub_missing_title.yaml": (3, 5, "publications[0].title", ("missing required key 'title'",)),
    "pub_duplicate_id.yaml": (7, 9, "publications[1].id", ("duplicate publication id 'paper1'",)),
    "pub_bad_type.yaml": (
        6,
        11,
        "publications[0].type",
        ("invalid value 'article'", "conference, journal, workshop, preprint, thesis, patent"),
    ),
    "pub_bad_status.yaml": (
        6,
        13,
        "publications[0].status",
        ("invalid value 'in review'", "published, accepted, to_appear, under_review, submitted"),
    ),
    "pub_bad_doi.yaml": (6, 10, "publications[0].doi", ("expected a DOI",)),
    "pub_empty_authors.yaml": (4, 14, "publications[0].authors", ("must not be empty",)),
    "email_invalid.yaml": (3, 10, "contact.email", ("'ada.example.org'", "e-mail address")),
    "project_negative_stars.yaml": (5, 12, "projects[0].stars", ("-5 is out of range",)),
    "document_unknown_section.yaml": (
        4,
        25,
        "documents.cv.sections[1]",
        ("unknown section 'publicatons'", "did you mean 'publications'?"),
    ),
    "document_max_pages_zero.yaml": (4, 16, "documents.cv.max_pages", ("out of range",)),
    # a typo in a merged section's parts left that part out, with no word
    "document_merged_unknown_section.yaml": (
        8,
        46,
        "documents.cv.sections[0].include[0]",
        ("unknown section 'experiance'", "did you mean 'experience'?"),
    ),
    # a heading under a key no section has was never used, silently
    "document_section_titles_unknown.yaml": (
        6,
        36,
        "documents.cv.section_titles.publicaitons",
        ("no section has the id 'publicaitons'", "did you mean 'publications'?"),
    ),
    # told at the merged section; it was told at the document's `theme:` line
    "document_merged_not_entries.yaml": (9, 25, "documents.cv.sections[1]", ("'skills' cannot be merged",)),
    "section_id_clash.yaml": (4, 9, "sections[0].id", ("already used by a built-in section",)),
    "document_builtin_meant_custom.yaml": (
        5,
        28,
        "documents.cv.sections[1]",
        ("'interests' is the built-in section", "(sections[0]) has the id 'interests-2'"),
    ),
    # whole-file problems, located where they are seen
    "empty.yaml": (1, 1, "", ("the profile is empty",)),
    "only_comments.yaml": (1, 1, "", ("the profile is empty",)),
    "binary.yaml": (1, 1, "", ("not UTF-8 text",)),
    "not_utf8.yaml": (1, 11, "", ("not UTF-8 text",)),
    "profile_nul.bin": (1, 10, "", ("a NUL byte",)),
}

# Files that cannot be located inside: one line, `error: <file>: <phrase>`.
UNLOCATED: dict[str, str] = {
    "does_not_exist.yaml": "not found",
}


def _check_rejected(args: tuple[str, ...], tmp_path: Path) -> tuple[str, str]:
    """Run validate (as text and as JSON) and render; each must exit 2 without a traceback,
    render must write nothing, and the JSON must hold one error for each problem in the text."""
    out = tmp_path / "out"
    stderrs = []
    for cmd in (("validate", *args), ("render", *args, "-f", "txt", "-o", str(out))):
        result = run_cli(*cmd)
        assert result.returncode == 2, f"{cmd}: exit {result.returncode}\n{result.stderr}"
        assert "Traceback" not in result.stderr
        assert "Traceback" not in result.stdout
        assert "wrote" not in result.stdout
        stderrs.append(result.stderr)
    assert not out.exists() or not any(out.iterdir()), f"render wrote {list(out.iterdir())}"
    as_json = run_cli("validate", *args, "--format", "json")
    assert as_json.returncode == 2, as_json.stderr
    items = json.loads(as_json.stdout)
    assert items and all(set(item) == set(JSON_KEYS) for item in items), items
    assert all(item["message"] and item["severity"] == "error" for item in items), items
    problems = [ln for ln in stderrs[0].splitlines() if not ln.endswith("nothing was written.")]
    assert len(items) == len(problems), (items, stderrs[0])
    return stderrs[0], stderrs[1]


def test_fixture_set_is_complete() -> None:
    """Every fixture file has an expectation, and there are enough of them."""
    on_disk = {p.name for p in MALFORMED.iterdir()}
    expected = set(LOCATED) | (set(UNLOCATED) - {"does_not_exist.yaml"}) | {"multi_problem.yaml"}
    assert on_disk == expected
    assert len(LOCATED) + len(UNLOCATED) >= 30


@pytest.mark.parametrize("name", sorted(LOCATED))
def test_malformed_is_located(name: str, tmp_path: Path) -> None:
    line, col, dotted, phrases = LOCATED[name]
    path = MALFORMED / name
    for stderr in _check_rejected((str(path),), tmp_path):
        where = f"{path}:{line}:{col}: " if col is not None else f"{path}:{line}:"
        prefix = f"{dotted}: " if dotted else ""
        lines = [ln for ln in stderr.splitlines() if ln.startswith(where)]
        if col is None:  # any column, but the path must follow it directly
            lines = [ln for ln in lines if ln.split(": ", 1)[1].startswith(prefix)]
        else:
            lines = [ln for ln in lines if ln[len(where) :].startswith(prefix)]
        assert lines, f"no problem reported at {where} {prefix!r}:\n{stderr}"
        assert any(all(p in ln for p in phrases) for ln in lines), f"{phrases} not in:\n{stderr}"
        assert "nothing was written" in stderr


@pytest.mark.parametrize("name", sorted(UNLOCATED))
def test_unreadable_profile_is_one_line(name: str, tmp_path: Path) -> None:
    path = MALFORMED / name
    assert path.exists() == (name != "does_not_exist.yaml")
    for stderr in _check_rejected((str(path),), tmp_path):
        lines = stderr.strip().splitlines()
        assert len(lines) == 1, stderr
        assert lines[0].startswith(f"error: {path}: ")
        assert UNLOCATED[name] in lines[0]


def test_enum_error_lists_valid_values_once(tmp_path: Path) -> None:
    """Valid values are values, not keys, and are listed once."""
    stderr, _ = _check_rejected((str(MALFORMED / "pub_bad_type.yaml"),), tmp_path)
    (line,) = [ln for ln in stderr.splitlines() if "publications[0].type" in ln]
    assert line.count("workshop") == 1, line
    assert "allowed keys" not in line


@pytest.mark.parametrize(
    ("written", "shown", "hint"),
    [
        ("2019–present", "2019–present", "a period: write start: 2019 and end: present"),  # how homepages write it
        ("'2019-2021'", "2019-2021", "a period: write start: 2019 and end: 2021"),
        ("'2025.04'", "2025.04", "did you mean 2025-04?"),  # seed 004: [2025.04 - Present]
        ("2025.10", "2025.1", "did you mean 2025-MM, the month in two digits?"),  # unquoted: a YAML number
        ("04/2019", "04/2019", "did you mean 2019-04?"),
        ("Sept 2023", "Sept 2023", "did you mean 2023-09?"),
        ("Spring 2021", "Spring 2021", "did you mean 2021, with 'Spring 2021' in `term:` or a note?"),
        ("2024 Spring", "2024 Spring", "did you mean 2024, with '2024 Spring' in `term:` or a note?"),  # seed 004
    ],
)
def test_a_date_written_as_homepages_write_it_gets_the_profile_form(
    written: str, shown: str, hint: str, tmp_path: Path
) -> None:
    path = write(tmp_path / "p.yaml", f"name: Ada\nteaching:\n  - course: CS 1\n    date: {written}\n")
    result = run_cli("validate", path)
    assert result.returncode == 2
    (line,) = [ln for ln in result.stderr.splitlines() if "teaching[0].date" in ln]
    assert line.startswith(f"{path}:4:11: teaching[0].date: invalid date '{shown}'"), line
    assert hint in line, line


def test_many_problems_reported_at_once_in_line_order(tmp_path: Path) -> None:
    path = MALFORMED / "multi_problem.yaml"
    stderr, render_stderr = _check_rejected((str(path),), tmp_path)
    assert stderr == render_stderr
    located = [ln for ln in stderr.splitlines() if ln.startswith(f"{path}:")]
    expected = [
        (2, 1, "educaton", "did you mean 'education'?"),
        (6, 11, "honors[0].date", "month 13"),
        (8, 12, "contact.website", "'javascript:' is not allowed"),
        (13, 11, "publications[0].type", "invalid value 'article'"),
        (16, 12, "projects[0].stars", "out of range"),
    ]
    assert len(located) == len(expected), stderr
    for got, (line, col, dotted, phrase) in zip(located, expected, strict=True):
        assert got.startswith(f"{path}:{line}:{col}: {dotted}: "), got
        assert phrase in got
    assert "5 problems found" in stderr


def test_problems_are_sorted_even_across_kinds(tmp_path: Path) -> None:
    """Cross-field problems (duplicate ids) and schema problems share one ordering."""
    path = write(
        tmp_path / "mixed.yaml",
        "name: Ada Example\n"
        "publications:\n"
        "  - id: a\n"
        "    title: One\n"
        "    authors: [Ada Example]\n"
        "    date: 2023\n"
        "  - id: a\n"
        "    title: Two\n"
        "    authors: [Ada Example]\n"
        "    date: 2023-00\n"
        "honors:\n"
        "  - titel: Prize\n",
    )
    result = run_cli("validate", path)
    assert result.returncode == 2
    located = [ln for ln in result.stderr.splitlines() if ln.startswith(f"{path}:")]
    lines = [int(ln[len(str(path)) + 1 :].split(":")[0]) for ln in located]
    assert lines == sorted(lines)
    assert lines[:2] == [7, 10]
    assert 12 in lines


def test_yaml_12_keeps_norway_words_as_text(tmp_path: Path) -> None:
    """YAML 1.1 would turn these into booleans; YAML 1.2 keeps them as the strings the person wrote."""
    path = write(
        tmp_path / "norway.yaml",
        "name: Ada Example\n"
        "skills:\n"
        "  - category: Flags\n"
        "    items: [no, on, NO, off, yes, Off, y, n]\n"
        "languages:\n"
        "  - language: Norwegian\n"
        "    fluency: no\n"
        "  - language: Esperanto\n"
        "    fluency: off\n"
        "  - language: Klingon\n"
        "    fluency: ON\n",
    )
    profile, _ = load_profile(path)
    assert profile.skills[0].items == ["no", "on", "NO", "off", "yes", "Off", "y", "n"]
    assert [lang.fluency for lang in profile.languages] == ["no", "off", "ON"]
    assert run_cli("validate", path).returncode == 0


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_failed_render_keeps_previous_outputs(tmp_path: Path) -> None:
    profile = tmp_path / "resume.yaml"
    shutil.copy(RESUME, profile)
    out = tmp_path / "out"
    first = run_cli("render", profile, "-f", "txt,md", "-o", out)
    assert first.returncode == 0, first.stderr
    before = _snapshot(out)
    assert {Path(n).suffix for n in before} == {".txt", ".md"}
    assert all(before.values())

    # 1. the profile becomes invalid: exit 2 at validation
    profile.write_text(RESUME.read_text(encoding="utf-8") + "educaton: []\n", encoding="utf-8")
    broken = run_cli("render", profile, "-f", "txt,md", "-o", out)
    assert broken.returncode == 2
    assert "educaton" in broken.stderr
    assert _snapshot(out) == before

    # 2. the profile is valid but changed, and the theme's md template fails: exit 2, nothing written
    profile.write_text(RESUME.read_text(encoding="utf-8").replace("Senior Backend Engineer", "Staff Backend Engineer"))
    theme = tmp_path / "broken-theme"
    write(
        theme / "theme.toml", 'name = "broken"\ndescription = "md fails"\nextends = "base"\ntargets = ["txt", "md"]\n'
    )
    write(theme / "cv.md.j2", "# {{ person.name }}\n{{ no_such_variable }}\n")
    failed = run_cli("render", profile, "-f", "txt,md", "-o", out, "--theme", theme)
    assert failed.returncode == 2, failed.stderr
    assert "cv.md.j2:2:4: template error: 'no_such_variable' is undefined" in failed.stderr
    assert "Traceback" not in failed.stderr
    assert _snapshot(out) == before  # the txt, which rendered fine, was not written either

    # 3. an unknown document name: exit 2
    assert run_cli("render", profile, "-f", "txt,md", "-o", out, "-d", "nope").returncode == 2
    assert _snapshot(out) == before


def test_a_bullet_problem_is_told_once_by_the_form_written(tmp_path: Path) -> None:
    """A bullet is text or `{text, highlights}`; a problem in one was also reported by the other
    form ('expected a mapping (key: value), found the text ...'), at a path with pydantic's
    names in it (`highlights[0].function-after[check_markup(), constrained-str]`)."""
    profile = write(
        tmp_path / "p.yaml",
        "name: Ada Example\nexperience:\n  - organization: Acme\n    role: Dev\n    highlights:\n"
        "      - 'a [y](ftp://e.org/a) b'\n      - text: 'Lead [z](ftp://x.org)'\n        highlights: []\n"
        "      - 5\n",
    )
    result = run_cli("validate", profile)
    assert result.returncode == 2
    ftp = "link scheme 'ftp:' is not allowed; use http, https, mailto or tel"
    assert result.stderr.splitlines()[:-1] == [
        f"{profile}:6:9: experience[0].highlights[0]: {ftp}",
        f"{profile}:7:15: experience[0].highlights[1].text: {ftp}",
        f"{profile}:8:21: experience[0].highlights[1].highlights: must not be empty",
        f"{profile}:9:9: experience[0].highlights[2]: expected text, found the number 5; quote it if you meant text",
    ], result.stderr


def test_a_nested_bullet_renders_without_a_serializer_warning(tmp_path: Path) -> None:
    """The shape that picks a bullet's form is asked again when the profile is serialized, with
    the validated bullet: a `{text, highlights}` one was taken for text, and every render printed
    pydantic's 'UserWarning: Pydantic serializer warnings' on stderr."""
    import warnings

    profile = write(
        tmp_path / "p.yaml",
        "name: Ada Example\nexperience:\n  - organization: Acme\n    role: Dev\n    highlights:\n"
        "      - Plain\n      - text: Lead\n        highlights: [Sub one, Sub two]\n",
    )
    result = run_cli("render", profile, "-f", "txt", "-o", tmp_path / "out")
    assert result.returncode == 0 and "Warning" not in result.stderr, result.stderr
    assert "Sub two" in (tmp_path / "out" / "ada-example.txt").read_text(encoding="utf-8")
    loaded, _ = load_profile(profile)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        dumped = loaded.model_dump(mode="json")
    assert dumped["experience"][0]["highlights"][1] == {"text": "Lead", "highlights": ["Sub one", "Sub two"]}


# ---- the mistakes people make typing YAML: located, and the fix in the message works ---------

_TYPED = (
    "name: Ada Example\n"
    "headline: PhD student\n"
    "experience:\n"
    "  - organization: Example Labs\n"
    "    role: Research Intern\n"
    "    start: 2024-06\n"
    "    highlights:\n"
    "      - Cut latency.\n"
    "skills:\n"
    "  - category: Languages\n"
    "    items: [Python]\n"
)
# A message's fix: the quoted value, `[list]` or `key: value` line it ends with.
_FIX = re.compile(r"""(?:: |\(|, e\.g\. )("(?:[^"]*)"|'(?:[^']|'')*'|\[[^\]]*\]|`[^`]*`)$""")


@pytest.mark.parametrize(
    ("line", "typed", "where", "phrase", "loc", "meant"),
    [
        # Markdown at a bullet's start: `*` is a YAML alias, `[` a list, `@` and ` reserved
        (8, "      - **Cut** latency by 35%", (8, 9), "starts with `*`", ("experience", 0, "highlights", 0),
         "**Cut** latency by 35%"),
        (8, "      - *Nature* paper", (8, 9), "is an alias in YAML", ("experience", 0, "highlights", 0),
         "*Nature* paper"),
        (8, "      - [Tool](https://x.org) cut latency", (8, 9), "is a list in YAML",
         ("experience", 0, "highlights", 0), "[Tool](https://x.org) cut latency"),
        (8, "      - @ada on GitHub", (8, 9), "is reserved", ("experience", 0, "highlights", 0), "@ada on GitHub"),
        (8, "      - `cvbuild` itself", (8, 9), "is reserved", ("experience", 0, "highlights", 0), "`cvbuild` itself"),
        (2, "headline: !Important", (2, 11), "names a tag", ("headline",), "!Important"),
        (2, "headline: |Engineer", (2, 11), "block of text", ("headline",), "|Engineer"),
        # a colon in unquoted text: a syntax error after a key, a mapping in a list item
        (5, "    role: Lead: Platform", (5, 11), "needs quotes", ("experience", 0, "role"), "Lead: Platform"),
        (8, "      - Result: 35% faster", (8, 9), "found a mapping", ("experience", 0, "highlights", 0),
         "Result: 35% faster"),
        # quotes: an apostrophe inside '…', words after a closing quote
        (5, "    role: 'Master's student'", (5, 11), "apostrophe", ("experience", 0, "role"), "Master's student"),
        (5, '    role: "Lead" engineer', (5, 11), "text follows the closing", ("experience", 0, "role"),
         '"Lead" engineer'),
        # a list where text goes, text where a list goes
        (2, "headline: [PhD student, Researcher]", (2, 11), "write it as one text", ("headline",),
         "PhD student, Researcher"),
        (11, "    items: Python, Rust", (11, 12), "write it as a list", ("skills", 0, "items"), ["Python", "Rust"]),
    ],
)  # fmt: skip
def test_a_typing_mistake_is_located_and_its_fix_works(
    line: int,
    typed: str,
    where: tuple[int, int],
    phrase: str,
    loc: tuple[str | int, ...],
    meant: object,
    tmp_path: Path,
) -> None:
    """What people type: the message names the line and column, and the value it ends with,
    written there in place of what was typed, loads as the text (or list) they meant."""
    lines = _TYPED.splitlines()
    lines[line - 1] = typed
    path = write(tmp_path / "p.yaml", "\n".join(lines) + "\n")
    result = run_cli("validate", path)
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    first = result.stderr.splitlines()[0]
    assert first.startswith(f"{path}:{where[0]}:{where[1]}: "), first
    assert phrase in first, first
    fix = _FIX.search(first)
    assert fix, first
    head = typed[: where[1] - 1]
    lines[line - 1] = head + fix[1]
    fixed = write(tmp_path / "fixed.yaml", "\n".join(lines) + "\n")
    profile, _ = load_profile(fixed)
    value: object = profile.model_dump(mode="json")
    for part in loc:
        value = value[part]  # type: ignore[index]
    assert value == meant


def test_a_key_without_a_space_after_its_colon_is_shown_with_one(tmp_path: Path) -> None:
    path = write(tmp_path / "p.yaml", _TYPED.replace("headline: PhD", "headline:PhD"))
    result = run_cli("validate", path)
    assert result.returncode == 2
    expected = f"{path}:2:1: YAML syntax error: a key needs a space after its colon: "
    assert result.stderr.startswith(expected), result.stderr
    fixed = result.stderr.split(": `", 1)[1].split("`\n", 1)[0]
    write(path, _TYPED.replace("headline: PhD student", fixed))
    assert load_profile(path)[0].headline == "PhD student"


def test_a_quote_left_open_is_told_where_it_opened(tmp_path: Path) -> None:
    """The parser fails far below, where a later value's quote closed it."""
    text = _TYPED.replace("headline: PhD student", 'headline: "PhD student').replace(
        "role: Research Intern", 'role: "Research Intern"'
    )
    path = write(tmp_path / "p.yaml", text)
    result = run_cli("validate", path)
    assert result.returncode == 2
    assert result.stderr.startswith(
        f'{path}:2:11: YAML syntax error: the `"` opened here is closed only at 5:11, so the lines between are'
        " its text; close it on line 2"
    ), result.stderr


def test_a_line_under_no_key_is_told_at_that_line(tmp_path: Path) -> None:
    path = write(tmp_path / "p.yaml", _TYPED.replace("headline: PhD student\n", "headline: PhD student\nand more\n"))
    result = run_cli("validate", path)
    assert result.returncode == 2
    assert result.stderr.startswith(f"{path}:3:1: YAML syntax error: this line is no `key: value`"), result.stderr


def test_a_tab_is_told_as_a_tab(tmp_path: Path) -> None:
    path = write(tmp_path / "p.yaml", _TYPED.replace("    role:", "\trole:"))
    result = run_cli("validate", path)
    assert result.returncode == 2
    assert result.stderr.startswith(f"{path}:5:1: YAML syntax error: "), result.stderr
    assert "write spaces instead: YAML allows no tab there" in result.stderr
