"""Limits (cvbuild/limits.py): every resource bomb fails fast with exit 2, file:line:col and the limit's
name, inside a memory limit; realistic extremes (10,000 publications) still render."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import EPOCH, MB, ROOT, run_cli_bounded, write

from cvbuild.errors import InputError
from cvbuild.limits import Limits
from cvbuild.loading.bibtex import parse_bibtex
from cvbuild.loading.profile import load_profile
from cvbuild.loading.yaml_source import parse_yaml

# The bombs themselves (tests/fixtures/hostile/yaml_*, bib_*) are in the hostile corpus's
# MANIFEST.toml, with their exit code, file:line:col and limit; tests/test_safety_corpus.py runs
# each under a memory limit (a normal render's peak plus 500 MB) and a time limit.


def test_huge_files_are_refused_before_reading(bomb_memory_limit: int, tmp_path: Path) -> None:
    """A 50 MB field: the file is over file_bytes; nothing of it is parsed."""
    profile = tmp_path / "big.yaml"
    with profile.open("w", encoding="utf-8") as fh:
        fh.write("name: X\nsummary: ")
        for _ in range(50):
            fh.write("x" * MB)
    result, _ = run_cli_bounded("render", profile, "-f", "pdf,txt", "-o", tmp_path / "out", max_bytes=bomb_memory_limit)
    assert result.returncode == 2, result.stderr
    assert f"{profile}:1:1: " in result.stderr and "file_bytes" in result.stderr


def test_huge_bib_is_refused(tmp_path: Path) -> None:
    write(tmp_path / "p.yaml", "name: X\npublications:\n  - bibtex: big.bib\n")
    write(tmp_path / "big.bib", "@misc{k, title = {" + "x" * 2000 + "}}\n")
    with pytest.raises(InputError, match=r"big.bib:1:1: the BibTeX file exceeds the limit file_bytes = 1,000"):
        load_profile(tmp_path / "p.yaml", limits=Limits(file_bytes=1000))


# ---- each limit, in process, with small limits -------------------------------------------------


def _yaml_error(text: str, **limits: int) -> str:
    with pytest.raises(InputError) as info:
        parse_yaml(text, Path("p.yaml"), limits=dataclasses.replace(Limits(), **limits), count_entries=True)
    return str(info.value)


def test_depth_limit_counts_mappings_and_lists() -> None:
    assert parse_yaml("a: {b: [c]}\n", Path("p.yaml"), limits=Limits(yaml_depth=3)).data == {"a": {"b": ["c"]}}
    assert "p.yaml:1:8: the nesting of the YAML exceeds the limit yaml_depth = 2" in _yaml_error(
        "a: {b: [c]}\n", yaml_depth=2
    )


def test_aliases_count_as_copies() -> None:
    text = "a: &a [xxxxxxxxxx, yyyyyyyyyy]\nb: [*a, *a, *a]\n"
    assert parse_yaml(text, Path("p.yaml"), limits=Limits(yaml_chars=90)).data["b"][2] == ["x" * 10, "y" * 10]
    assert "p.yaml:2:13: " in _yaml_error(text, yaml_chars=70)
    assert "yaml_nodes" in _yaml_error(text, yaml_nodes=12)


def test_field_length_is_checked_on_the_raw_scalar() -> None:
    assert "p.yaml:1:4: a value of 11 characters exceeds the limit field_chars = 10" in _yaml_error(
        "a: xxxxxxxxxxx\n", field_chars=10
    )


def test_schema_problems_past_the_limit_are_counted_not_explained(tmp_path: Path) -> None:
    """300,000 unknown keys (a 3 MB profile) took 95 s: each got its own "did you mean" search."""
    keys = "".join(f"k{i}: 1\n" for i in range(30))
    profile = write(tmp_path / "p.yaml", "name: Ada Example\n" + keys)
    with pytest.raises(InputError) as info:
        load_profile(profile, limits=Limits(schema_problems=10))
    problems = info.value.problems
    assert len(problems) == 11 and [p.line for p in problems[:10]] == list(range(2, 12))
    assert str(problems[-1]) == (
        f"{profile}: 20 more schema problems are not shown (limit schema_problems = 10); fix the ones above first"
    )
    write(profile, "name: Ada Example\n" + "".join(f"k{i}: 1\n" for i in range(20_000)))
    result, _ = run_cli_bounded("validate", profile, max_bytes=2000 * MB)
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 1_002 and lines[-2].endswith(
        "19,000 more schema problems are not shown (limit schema_problems = 1,000); fix the ones above first"
    )


def test_file_size_limit_applies_to_text() -> None:
    assert "file_bytes" in _yaml_error("a: 1\n" * 10, file_bytes=20)


def test_string_doubling_stops_at_the_limit() -> None:
    text = '@string{a = "xxxxxxxx"}\n' + "".join(
        f"@string{{{c} = {p} # {p}}}\n" for p, c in zip("abcd", "bcde", strict=True)
    )
    bib = parse_bibtex(text, Path("r.bib"), limits=Limits(bib_macro_chars=100))
    (problem,) = bib.problems
    assert (problem.line, problem.path) == (4, "@string{d}") and "bib_macro_chars" in problem.message


def test_many_macros_share_one_budget() -> None:
    text = "".join(f'@string{{m{i} = "{"x" * 50}"}}\n' for i in range(10))
    bib = parse_bibtex(text, Path("r.bib"), limits=Limits(bib_macro_chars=300))
    assert [p.line for p in bib.problems] == [7, 8, 9, 10]


def test_combining_marks_up_to_the_limit_are_text(tmp_path: Path) -> None:
    """Vietnamese and Hebrew stack two or three marks; those are fine, 17 are not."""
    ok = write(tmp_path / "ok.yaml", "name: Nguyễn Thị Ẩn\nheadline: שָׁלוֹם\n")
    load_profile(ok)
    bad = write(tmp_path / "bad.yaml", "name: X\nheadline: a" + "\u0300" * 17 + "\n")
    with pytest.raises(InputError, match=r"bad.yaml:2:11: headline: 17 combining marks .* combining_marks = 16"):
        load_profile(bad)


# ---- realistic extremes still work ---------------------------------------------------------------


def _many_publications(n: int) -> str:
    lines = ["name: Ada Example", "publications:"]
    for i in range(n):
        lines += [
            f"  - title: Paper number {i} on systems for machine learning",
            f"    authors: [Ada Example, Bob Builder, Carol Chen, Dan Doe{i % 7}]",
            f"    venue: Conference {i % 40}",
            f"    date: {1990 + i % 35}-{1 + i % 12:02d}",
            "    links:",
            f"      code: https://github.com/ada/p{i}",
        ]
    return "\n".join(lines) + "\n"


def test_ten_thousand_publications_render_as_text(tmp_path: Path) -> None:
    profile = write(tmp_path / "many.yaml", _many_publications(10_000))
    result = subprocess.run(
        [sys.executable, "-m", "cvbuild", "render", str(profile), "-f", "txt", "-o", str(tmp_path / "out")],
        env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH},
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    text = (tmp_path / "out" / "ada-example.txt").read_text(encoding="utf-8")
    assert "Paper number 0 on systems" in text and "Paper number 9999 on systems" in text


def test_the_memory_limit_of_bounded_runs_is_real(tmp_path: Path) -> None:
    """The control for the corpus's bounds: a normal render under 64 MB of address space fails."""
    profile = write(tmp_path / "p.yaml", "name: Ada Example\n")
    result, _ = run_cli_bounded("render", profile, "-f", "pdf", "-o", tmp_path / "out", max_bytes=64 * MB)
    assert result.returncode != 0
    assert not (tmp_path / "out").exists()


def test_the_readme_lists_every_limit() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Limits and safety") :]
    for field in dataclasses.fields(Limits):
        assert f"| `{field.name}` |" in section, f"README.md's Limits table lacks {field.name}"


@pytest.mark.parametrize("value", ["{" + "x" * 30_000 + "}", "{" + "{" * 15_000 + "x" + "}" * 15_000 + "}"])
def test_a_bibtex_field_over_the_limit_is_one_problem(tmp_path: Path, value: str) -> None:
    """Only the limit: the field used to be dropped as well, and the schema added "missing field"."""
    write(tmp_path / "r.bib", f"@article{{a,\n  title = {value},\n  author = {{Ada Example}}, year = 2020}}\n")
    write(tmp_path / "p.yaml", "name: Ada Example\npublications:\n  - bibtex: r.bib\n")
    with pytest.raises(InputError) as err:
        load_profile(tmp_path / "p.yaml")
    (problem,) = err.value.problems
    assert (problem.line, problem.column, problem.path) == (2, 3, "a.title")
    assert "exceeds the limit field_chars = 20,000" in problem.message


# ---- the number of publications and entries ------------------------------------------------------


def _bib(n: int, start: int = 0) -> str:
    return "".join(
        f"@article{{k{i}, title = {{T{i}}}, author = {{Ada Example}}, year = 2020}}\n" for i in range(start, start + n)
    )


def test_a_huge_bib_is_refused_before_it_is_read(tmp_path: Path) -> None:
    """200,000 entries took 64 s to read and validate; they are counted first, and refused at the
    first one past the limit."""
    write(tmp_path / "p.yaml", "name: Ada Example\npublications:\n  - bibtex: big.bib\n")
    write(tmp_path / "big.bib", "% a comment\n" + _bib(200_000))
    started = time.perf_counter()
    result, _ = run_cli_bounded("validate", tmp_path / "p.yaml")
    assert time.perf_counter() - started < 10
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(
        f"{tmp_path / 'big.bib'}:10002:1: @article: the number of publications (the profile's and its .bib files'"
        " together) exceeds the limit publications = 10,000; the largest real CVs list about 2,000; keep the"
        " rest in a .bib file the profile does not include\n"
    )


def test_the_publications_limit_counts_the_yaml_and_every_bib_together(tmp_path: Path) -> None:
    limits = Limits(publications=6)
    yaml_pub = "  - {title: Y, authors: [Ada Example], date: 2020}\n"
    override = "  - {id: k0, award: Best Paper}\n"  # merged into k0: no publication of its own
    write(tmp_path / "a.bib", _bib(3))
    write(tmp_path / "b.bib", "@string{v = {Venue}}\n@comment{x}\n" + _bib(3, start=3))
    profile = write(tmp_path / "p.yaml", "name: Ada Example\npublications:\n" + override + "  - bibtex: a.bib\n")
    assert len(load_profile(profile, limits=limits)[0].publications) == 3
    write(profile, "name: Ada Example\npublications:\n" + yaml_pub * 2 + "  - bibtex: a.bib\n  - bibtex: b.bib\n")
    with pytest.raises(InputError) as info:
        load_profile(profile, limits=limits)
    assert str(info.value) == (
        f"{tmp_path / 'b.bib'}:4:1: @article: the number of publications (the profile's and its .bib files' together)"
        " exceeds the limit publications = 6; the largest real CVs list about 2,000; keep the rest in a .bib file"
        " the profile does not include"
    )
    write(profile, "name: Ada Example\npublications:\n" + yaml_pub * 7 + "  - bibtex: a.bib\n")
    with pytest.raises(InputError, match=r"p.yaml:9:5: publications\[6\]: the number of publications"):
        load_profile(profile, limits=limits)


def test_the_entries_limit_counts_every_list_together(tmp_path: Path) -> None:
    profile = write(
        tmp_path / "p.yaml",
        "name: Ada Example\nhonors:\n  - {title: A}\n  - {title: B}\n"
        "sections:\n  - title: More\n    entries:\n      - {title: C}\n      - {title: D}\n",
    )
    assert len(load_profile(profile, limits=Limits(entries=5))[0].sections[0].entries) == 2
    with pytest.raises(InputError) as info:
        load_profile(profile, limits=Limits(entries=3))
    assert str(info.value) == (
        f"{profile}:9:9: sections[0].entries[1]: the number of entries (of every list in the profile together)"
        " exceeds the limit entries = 3; a CV with 1,000 publications has about 1,100; keep the rest in a file the"
        " profile does not include"
    )


# ---- counted as the YAML is read ------------------------------------------------------------------


def _pure_parses(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Records each parse's parser: True for ruamel's pure one (~10 times slower than libyaml)."""
    from cvbuild.loading import yaml_source

    calls: list[bool] = []
    events = yaml_source._events

    def recorded(text: str, *, pure: bool) -> Any:
        calls.append(pure)
        return events(text, pure=pure)

    monkeypatch.setattr(yaml_source, "_events", recorded)
    return calls


@pytest.mark.parametrize(
    ("lists", "limits", "where"),
    [
        (
            "publications:\n" + "  - {title: T, authors: [A], date: 2020}\n" * 7,
            Limits(publications=6),
            "9:5: publications[6]",
        ),
        (
            "talks:\n" + "  - {title: T}\n" * 2 + "honors:\n" + "  - {title: T}\n" * 5,
            Limits(entries=6),
            "10:5: honors[4]",
        ),
        (
            "sections:\n  - title: S\n    entries:\n" + "      - {title: T}\n" * 7,
            Limits(entries=6),
            "11:9: sections[0].entries[6]",
        ),
    ],
)
def test_entries_are_counted_as_the_yaml_is_read(
    lists: str, limits: Limits, where: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Refused at the first entry too many, nothing after it read: a syntax error further on is
    never met. 100,000 publications (5.8 MB) took 9 s to parse, then were refused after it."""
    text = "name: Ada Example\n" + lists + "broken: [\n" + "  - {title: T}\n" * 1000
    pure = _pure_parses(monkeypatch)
    with pytest.raises(InputError) as info:
        parse_yaml(text, Path("p.yaml"), limits=limits, count_entries=True)
    assert str(info.value).startswith(f"p.yaml:{where}: the number of "), str(info.value)
    assert "exceeds the limit" in str(info.value) and pure == [False]


def test_a_custom_section_is_no_entry() -> None:
    """Its entries are: as many as the limit are taken (each section was counted too, and a profile
    of exactly `entries` entries refused), one more is refused at that one."""
    text = "name: Ada Example\nsections:\n" + ("  - title: S\n    entries:\n" + "      - {title: T}\n" * 3) * 2
    assert len(parse_yaml(text, Path("p.yaml"), limits=Limits(entries=6), count_entries=True).data["sections"]) == 2
    assert "p.yaml:12:9: sections[1].entries[2]: the number of entries" in _yaml_error(text, entries=5)


def test_an_include_is_no_entry_and_an_override_is_one() -> None:
    text = "name: A\npublications:\n  - bibtex: a.bib\n  - bibtex: b.bib\n  - {id: k1, award: Best}\n"
    assert (
        len(parse_yaml(text, Path("p.yaml"), limits=Limits(publications=1), count_entries=True).data["publications"])
        == 3
    )
    assert "p.yaml:6:5: publications[3]: " in _yaml_error(text + "  - {id: k2}\n", publications=1)


@pytest.mark.parametrize("cache", [None, {}])
def test_only_a_profile_has_its_entries_counted_as_it_is_read(cache: dict[Any, Any] | None) -> None:
    """A JSON Resume or RenderCV file is parsed only for the line and column of its values: its
    lists are no profile's entries (the importer counts what it converts). The file with more
    than the limit was refused by the parse, so the importer overrode the limits to locate."""
    text = "name: A\npublications:\n" + "  - {title: T}\n" * 3
    limits = Limits(publications=2)
    assert parse_yaml(text, Path("p.yaml"), limits=limits, cache=cache).locate(("publications", 2)) == (5, 5)
    with pytest.raises(InputError, match=r"p.yaml:5:5: publications\[2\]: the number of publications"):
        parse_yaml(text, Path("p.yaml"), limits=limits, cache=cache, count_entries=True)


def test_a_limit_met_by_libyaml_is_not_read_again_by_the_pure_parser(monkeypatch: pytest.MonkeyPatch) -> None:
    """2,000,000 values took 77 s to refuse: 5 s for libyaml to reach the limit, then the rest
    for ruamel's pure parser to reach it again. The pure parser decides only where the text read
    so far is one the two may read apart (a tab, say); a tab after the limit changes nothing."""
    pure = _pure_parses(monkeypatch)
    text = "name: X\nskills:\n  - category: x\n    items: [" + ", ".join(["a"] * 30) + "]\n"
    assert "p.yaml:4:" in _yaml_error(text + "#\tafter\n", yaml_nodes=20) and pure == [False]
    pure.clear()
    assert "p.yaml:5:" in _yaml_error("#\tbefore\n" + text, yaml_nodes=20) and pure == [False, True]


def test_a_hundred_thousand_publications_are_refused_quickly(tmp_path: Path) -> None:
    item = "  - {title: Paper, authors: [Ada Example, Bo Chen], venue: EuroSys, date: 2020}\n"
    profile = write(tmp_path / "p.yaml", "name: Ada Example\npublications:\n" + item * 100_000)
    started = time.perf_counter()
    result, _ = run_cli_bounded("validate", profile)
    assert time.perf_counter() - started < 10  # 2 s, 4 s under load 8; 9 to 12 s before
    assert result.returncode == 2
    assert result.stderr.startswith(f"{profile}:10003:5: publications[10000]: the number of publications"), (
        result.stderr
    )
    assert "the largest real CVs list about 2,000; keep the rest in a .bib file" in result.stderr


def test_the_bench_profiles_are_well_inside_the_limits() -> None:
    """bench/run.py's 10,000 publications (the limit) count a quarter of yaml_nodes."""
    import json

    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from run import generated_profile
    finally:
        sys.path.remove(str(ROOT / "bench"))
    text = json.dumps(generated_profile(10_000), ensure_ascii=False, indent=1)
    assert len(text.encode()) < Limits().file_bytes / 3
    assert (
        len(parse_yaml(text, Path("p.yaml"), limits=Limits(yaml_nodes=Limits().yaml_nodes // 4)).data["publications"])
        == 10_000
    )
