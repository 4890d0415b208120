"""Limits (cvbuild/limits.py): every resource bomb fails fast with exit 2, file:line:col and the limit's
name, inside a memory limit; realistic extremes (10,000 publications) still render."""

from __future__ import annotations

import dataclasses
import os
import re
import resource
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import EPOCH, FIXTURES, ROOT, write

from cvbuild.errors import InputError
from cvbuild.limits import Limits
from cvbuild.loading.bibtex import parse_bibtex
from cvbuild.loading.profile import load_profile
from cvbuild.loading.yaml_source import parse_yaml

HOSTILE = FIXTURES / "hostile"
MB = 1024 * 1024
TIME_LIMIT = 120  # seconds; a guard against hangs on a busy machine, not a speed test

# file in tests/fixtures/hostile -> (exit code, line, column, phrase the message must contain)
BOMBS: dict[str, tuple[int, int, int, str]] = {
    "yaml_billion_laughs.yaml": (2, 8, 14, "yaml_nodes"),
    "yaml_self_alias.yaml": (2, 2, 19, "endless structure"),
    "yaml_nesting_500.yaml": (2, 2, 75, "yaml_depth"),
    "yaml_nesting_30000.yaml": (2, 2, 75, "yaml_depth"),
    "yaml_nesting_block_100.yaml": (2, 66, 129, "yaml_depth"),
    "yaml_quadratic_aliases.yaml": (2, 1174, 29, "yaml_chars"),
    "yaml_long_field.yaml": (2, 2, 10, "field_chars"),
    "yaml_combining_marks.yaml": (2, 2, 11, "combining_marks"),
    "yaml_bib_string_doubling.yaml": (2, 12, 1, "field_chars"),  # located in bib_string_doubling.bib
    "yaml_digits_5000.yaml": (2, 4, 12, "too many digits"),
}

# YAML and schema problems that used to escape as tracebacks, raw control characters or unlocated errors
REJECTED: dict[str, tuple[int, int, int, str]] = {
    "yaml_set.yaml": (2, 2, 12, "!!set is not supported: a set has no order"),
    "yaml_custom_tag.yaml": (2, 2, 11, "the YAML tag !shell is not supported"),
    "yaml_complex_key.yaml": (2, 3, 5, "a list cannot be a key"),
    "yaml_escaped_surrogate.yaml": (2, 2, 11, "U+D800, half of a UTF-16 surrogate pair"),
    "yaml_nul_escape.yaml": (2, 2, 10, "control character U+0000"),
    "yaml_ansi_key.yaml": (2, 2, 1, "control character U+001B"),
    "yaml_newline_key.yaml": (2, 2, 1, "the key must be one line"),
    "yaml_rtl_override.yaml": (2, 1, 7, "U+202E (RIGHT-TO-LEFT OVERRIDE)"),
    "yaml_newline_title.yaml": (2, 3, 12, "honors[0].title: must be one line"),
    "yaml_year_0.yaml": (2, 4, 11, "invalid date '0'"),
    "yaml_section_order.yaml": (2, 2, 1, "unknown key 'section_order'"),
    "yaml_unclosed_bracket.yaml": (2, 3, 9, "is the `[` opened at 2:12 closed?"),
    "yaml_two_documents.yaml": (2, 2, 1, "one YAML document"),
    "yaml_undefined_alias.yaml": (2, 2, 11, "names no anchor"),
}


def test_every_hostile_yaml_fixture_has_an_expectation() -> None:
    mine = {p.name for p in HOSTILE.glob("yaml_*.yaml")}
    assert mine == set(BOMBS) | set(REJECTED)


def _limited(max_bytes: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (max_bytes, max_bytes))


def _render(profile: Path, out: Path, max_bytes: int | None = None) -> subprocess.CompletedProcess[str]:
    """`cvbuild render` in a fresh process, optionally under an address-space limit; prints VmPeak at exit."""
    code = (  # cvbuild leaves through os._exit after a success, so atexit alone would not see it
        "import atexit, os, runpy, sys\n"
        "def peak():\n"
        "    sys.stderr.write(next(l for l in open('/proc/self/status') if l.startswith('VmPeak')))\n"
        "    sys.stderr.flush()\n"
        "atexit.register(peak)\n"
        "real_exit = os._exit\n"
        "os._exit = lambda code: (peak(), real_exit(code))\n"
        "sys.argv = ['cvbuild', *sys.argv[1:]]\n"
        "runpy.run_module('cvbuild', run_name='__main__')\n"
    )
    return subprocess.run(
        [sys.executable, "-c", code, "render", str(profile), "-f", "pdf,txt", "-o", str(out)],
        env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH},
        capture_output=True,
        text=True,
        timeout=TIME_LIMIT,
        preexec_fn=None if max_bytes is None else lambda: _limited(max_bytes),
    )


def _vm_peak(stderr: str) -> int:
    m = re.search(r"VmPeak:\s+(\d+) kB", stderr)
    assert m, stderr
    return int(m[1]) * 1024


@pytest.fixture(scope="module")
def memory_limit(tmp_path_factory: pytest.TempPathFactory) -> int:
    """A normal render's peak address space plus 500 MB."""
    tmp = tmp_path_factory.mktemp("normal")
    profile = write(tmp / "p.yaml", "name: Ada Example\nsummary: A normal profile.\n")
    result = _render(profile, tmp / "out")
    assert result.returncode == 0, result.stderr
    return _vm_peak(result.stderr) + 500 * MB


def _check_rejected(name: str, expected: tuple[int, int, int, str], limit: int, tmp_path: Path) -> None:
    code, line, col, phrase = expected
    profile = tmp_path / name
    for fixture in HOSTILE.iterdir():  # a profile's .bib sits beside it
        if fixture.is_file():
            profile.parent.joinpath(fixture.name).write_bytes(fixture.read_bytes())
    result = _render(profile, tmp_path / "out", limit)
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr and "MemoryError" not in result.stderr
    located = [ln for ln in result.stderr.splitlines() if re.match(rf".*:{line}:{col}: ", ln)]
    assert any(phrase in ln for ln in located), f"{phrase!r} at {line}:{col} not in:\n{result.stderr}"
    assert not (tmp_path / "out").exists()
    assert "\x1b" not in result.stderr and "\u202e" not in result.stderr and "\x00" not in result.stderr


@pytest.mark.parametrize("name", sorted(BOMBS))
def test_bomb_fails_fast_inside_a_memory_limit(name: str, memory_limit: int, tmp_path: Path) -> None:
    _check_rejected(name, BOMBS[name], memory_limit, tmp_path)


@pytest.mark.parametrize("name", sorted(REJECTED))
def test_hostile_yaml_is_rejected_located(name: str, memory_limit: int, tmp_path: Path) -> None:
    _check_rejected(name, REJECTED[name], memory_limit, tmp_path)


def test_huge_files_are_refused_before_reading(memory_limit: int, tmp_path: Path) -> None:
    """A 50 MB field: the file is over file_bytes; nothing of it is parsed."""
    profile = tmp_path / "big.yaml"
    with profile.open("w", encoding="utf-8") as fh:
        fh.write("name: X\nsummary: ")
        for _ in range(50):
            fh.write("x" * MB)
    result = _render(profile, tmp_path / "out", memory_limit)
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
        parse_yaml(text, Path("p.yaml"), limits=dataclasses.replace(Limits(), **limits))
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
