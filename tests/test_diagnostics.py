"""Diagnostics in text, JSON and GitHub form, from `validate --format` and `render --diagnostics`."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import run_cli, write

from cvbuild.diagnostics import (
    JSON_KEYS,
    Diagnostic,
    escape_data,
    escape_property,
    github_command,
    split_hint,
)
from cvbuild.errors import Problem

BROKEN = """\
name: Ada Example
experience:
  - organization: Example Labs
    role: Intern
    start: 2024-06
    end: 2023-01
education:
  - institution: Example University
    degre: PhD
"""


# ---- the module --------------------------------------------------------------------------------


def test_hint_is_what_follows_the_first_semicolon_outside_quotes() -> None:
    assert split_hint("unknown key 'degre'; did you mean 'degree'?") == (
        "unknown key 'degre'",
        "did you mean 'degree'?",
    )
    assert split_hint("invalid value 'a; b'; valid values are: x, y") == (
        "invalid value 'a; b'",
        "valid values are: x, y",
    )
    assert split_hint("the theme's fonts lack 'x'; install one") == ("the theme's fonts lack 'x'", "install one")
    assert split_hint("no hint here") == ("no hint here", "")


def test_text_form_is_the_problem_form() -> None:
    problem = Problem(Path("p.yaml"), 3, 5, "experience[0].end", "end is before start; fix the dates")
    diag = Diagnostic.from_problem(problem)
    assert str(diag) == str(problem)
    assert diag.message == "end is before start" and diag.hint == "fix the dates"
    assert str(Diagnostic("no file")) == "error: no file"
    assert str(Diagnostic("over budget", "warning")) == "warning: over budget"
    warning = Diagnostic("over", "warning", Path("p.yaml"), 4, 3, "documents.cv.max_pages")
    assert str(warning) == "p.yaml:4:3: warning: documents.cv.max_pages: over"


def test_github_escaping_follows_the_workflow_command_rules() -> None:
    assert escape_data("100%\r\nnext: a, b") == "100%25%0D%0Anext: a, b"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"
    diag = Diagnostic("bad\nvalue 50%", "error", Path("cv, final.yaml"), 7, 2, "a.b", "fix: it")
    assert github_command(diag) == (
        "::error file=cv%2C final.yaml,line=7,col=2,title=cvbuild%3A a.b::bad%0Avalue 50%25; fix: it"
    )
    assert github_command(Diagnostic("w", "warning")) == "::warning title=cvbuild::w"


def test_github_paths_are_relative_to_the_workspace(tmp_path: Path) -> None:
    diag = Diagnostic("x", file=tmp_path / "cv" / "refs.bib", line=2, column=1)
    assert github_command(diag, tmp_path).startswith("::error file=cv/refs.bib,line=2,col=1,")
    assert diag.as_json(tmp_path)["file"] == "cv/refs.bib"


# ---- validate --format -------------------------------------------------------------------------


def test_validate_json_is_the_documented_list(tmp_path: Path) -> None:
    write(tmp_path / "p.yaml", BROKEN)
    result = run_cli("validate", "p.yaml", "--format", "json", cwd=tmp_path)
    assert result.returncode == 2
    items = json.loads(result.stdout)
    assert [tuple(item) for item in items] == [JSON_KEYS] * len(items)
    by_path = {item["path"]: item for item in items}
    assert by_path["education[0].degre"] == {
        "file": "p.yaml",
        "line": 9,
        "column": 5,
        "path": "education[0].degre",
        "message": "unknown key 'degre'",
        "severity": "error",
        "hint": "did you mean 'degree'?",
    }
    assert by_path["experience[0].end"]["line"] == 6
    assert all(item["severity"] == "error" for item in items)


def test_validate_json_of_a_valid_profile_is_an_empty_list(tmp_path: Path) -> None:
    write(tmp_path / "p.yaml", "name: Ada Example\n")
    result = run_cli("validate", "p.yaml", "--format", "json", cwd=tmp_path)
    assert result.returncode == 0
    assert json.loads(result.stdout) == []
    assert "valid" in result.stderr


def test_validate_github_points_at_the_lines(tmp_path: Path) -> None:
    write(tmp_path / "p.yaml", BROKEN)
    result = run_cli("validate", "p.yaml", "--format", "github", cwd=tmp_path)
    assert result.returncode == 2
    lines = result.stdout.splitlines()
    assert "::error file=p.yaml,line=9,col=5,title=cvbuild%3A education[0].degre::unknown key 'degre'; " in lines[1]
    assert lines[0].startswith("::error file=p.yaml,line=6,col=10,title=cvbuild%3A experience[0].end::")
    assert "2 problems found" in result.stderr


THEMED = """\
name: Ada Example
documents:
  cv:
    theme: clasic
  resume:
    theme: modern
    options: {acent: "#000000"}
  home: {theme: fresh}
"""


def test_validate_checks_every_documents_theme_and_options_as_render_does(tmp_path: Path) -> None:
    """validate said "valid" to a profile every render refused: an unknown theme, an option its theme
    lacks, a theme without the files of its targets. Every document's problem, at once."""
    write(tmp_path / "p.yaml", THEMED)
    write(tmp_path / "themes" / "fresh" / "theme.toml", 'extends = "base"\ntargets = ["pdf"]\n')
    result = run_cli("validate", "p.yaml", "--format", "github", cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert result.stdout.splitlines() == [
        "::error file=p.yaml,line=4,col=12,title=cvbuild%3A documents.cv.theme::unknown theme 'clasic' "
        "(did you mean 'classic'?); available themes: fresh, classic, compact, homepage, modern, sidebar",
        "::error file=p.yaml,line=7,col=22,title=cvbuild%3A documents.resume.options.acent::"
        "theme 'modern' has no option 'acent'; did you mean 'accent'?",
        "::error file=themes/fresh/theme.toml,line=2,col=1,title=cvbuild%3A targets::the theme makes pdf, which needs "
        "cv.typ, and neither fresh nor the themes it extends (base) has one; write themes/fresh/cv.typ (the Typst "
        'layout: docs/themes.md#the-pdf-cvtyp), extend a theme that has one (extends = "classic"), or take "pdf" '
        "out of targets",
    ]
    assert "p.yaml:4:12: documents.cv.theme: unknown theme 'clasic'" in result.stderr
    render = run_cli("render", "p.yaml", "-d", "resume", "-o", "out", cwd=tmp_path)
    assert render.returncode == 2 and "documents.resume.options.acent" in render.stderr
    fixed = THEMED.replace("clasic", "classic").replace("acent", "accent").replace("  home: {theme: fresh}\n", "")
    write(tmp_path / "p.yaml", fixed)
    ok = run_cli("validate", "p.yaml", "--format", "github", cwd=tmp_path)
    assert ok.returncode == 0 and ok.stdout == "p.yaml: valid (Ada Example; 0 publications, 2 documents)\n"


def test_github_paths_use_the_workspace(tmp_path: Path) -> None:
    write(tmp_path / "cv" / "p.yaml", BROKEN)
    result = run_cli(
        "validate", tmp_path / "cv" / "p.yaml", "--format", "github", env={"GITHUB_WORKSPACE": str(tmp_path)}
    )
    assert result.stdout.startswith("::error file=cv/p.yaml,line=6,")


# Every malformed fixture's JSON form (one located error for each problem the text names) is
# checked in test_malformed.py, beside its text and render checks, so each runs once.


def test_unknown_diagnostics_format_is_a_usage_error(tmp_path: Path) -> None:
    result = run_cli("validate", "p.yaml", "--format", "xml", cwd=tmp_path)
    assert result.returncode == 2
    assert "choose text, json, github" in result.stderr


def test_missing_profile_is_one_unlocated_error(tmp_path: Path) -> None:
    result = run_cli("validate", "nope.yaml", "--format", "json", cwd=tmp_path)
    assert result.returncode == 2
    [item] = json.loads(result.stdout)
    assert item["severity"] == "error" and "nope.yaml" in item["message"]


# ---- render --diagnostics, --strict, --report -------------------------------------------------

LONG = "\n".join(f"  - {{title: Prize number {i}, date: 2020}}" for i in range(120))
OVER_BUDGET = f"name: Ada Example\nhonors:\n{LONG}\ndocuments:\n  short:\n    max_pages: 1\n"


def test_render_reports_the_page_budget_at_max_pages(tmp_path: Path) -> None:
    write(tmp_path / "p.yaml", OVER_BUDGET)
    result = run_cli("render", "p.yaml", "-f", "pdf", "--diagnostics", "github", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    line = 123 + 2  # `max_pages: 1` under documents.short
    assert f"::warning file=p.yaml,line={line},col=16,title=cvbuild%3A documents.short.max_pages::" in result.stdout
    assert "wrote out/ada-example-short.pdf" in result.stdout


def test_render_json_and_report(tmp_path: Path) -> None:
    write(tmp_path / "p.yaml", OVER_BUDGET)
    result = run_cli("render", "p.yaml", "-f", "pdf,txt", "--diagnostics", "json", "--report", "r.json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    [warning] = json.loads(result.stdout)  # stdout is only the JSON; `wrote` lines go to stderr
    assert warning["severity"] == "warning" and warning["path"] == "documents.short.max_pages"
    assert "3 pages" in warning["message"] and warning["hint"].startswith("shorten it")
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["exit_code"] == 0
    assert report["diagnostics"] == [warning]
    pdf = next(o for o in report["outputs"] if o["format"] == "pdf")
    assert pdf == {
        "file": "out/ada-example-short.pdf",
        "document": "short",
        "format": "pdf",
        "bytes": (tmp_path / "out" / "ada-example-short.pdf").stat().st_size,
        "pages": 3,
    }


def test_strict_turns_warnings_into_exit_1_and_writes_nothing(tmp_path: Path) -> None:
    write(tmp_path / "p.yaml", OVER_BUDGET)
    result = run_cli(
        "render", "p.yaml", "-f", "pdf", "--strict", "--diagnostics", "github", "--report", "r.json", cwd=tmp_path
    )
    assert result.returncode == 1
    assert "::warning file=p.yaml," in result.stdout
    assert "::error title=cvbuild::1 warning with --strict; nothing was written" in result.stdout
    assert not (tmp_path / "out").exists()
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["exit_code"] == 1 and report["outputs"] == []
    assert [d["severity"] for d in report["diagnostics"]] == ["warning", "error"]
    assert run_cli("render", "p.yaml", "-f", "txt", "--strict", cwd=tmp_path).returncode == 0  # no pages, no budget


def test_render_missing_glyphs_is_a_warning_in_every_form(tmp_path: Path) -> None:
    write(tmp_path / "p.yaml", "name: Ada Example\nsummary: Reads Linear B \U00010000 fluently.\n")
    result = run_cli("render", "p.yaml", "-f", "pdf", "--diagnostics", "json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    [warning] = [d for d in json.loads(result.stdout) if "U+10000" in d["message"]]
    assert warning["severity"] == "warning"
    strict = run_cli("render", "p.yaml", "-f", "pdf", "--strict", cwd=tmp_path)
    assert strict.returncode == 1
    assert "warning: characters not covered" in strict.stderr


def test_render_input_errors_in_github_form(tmp_path: Path) -> None:
    write(tmp_path / "p.yaml", BROKEN)
    result = run_cli("render", "p.yaml", "--diagnostics", "github", "--report", "r.json", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stdout.count("::error file=p.yaml,line=") == 2
    assert json.loads((tmp_path / "r.json").read_text())["exit_code"] == 2


def test_github_form_also_prints_each_problem_located_in_the_log(tmp_path: Path) -> None:
    """The Actions runner shows `::error file=…::msg` in the log as "Error: msg": the file:line:col
    and a theme engine's excerpt of the code are only in the text form, which goes to stderr."""
    write(tmp_path / "p.yaml", BROKEN)
    result = run_cli("validate", "p.yaml", "--format", "github", cwd=tmp_path)
    assert result.returncode == 2
    assert "p.yaml:9:5: education[0].degre: unknown key 'degre'; did you mean 'degree'?\n" in result.stderr
    assert result.stdout.count("::error ") == 2 and "p.yaml:9:5" not in result.stdout

    write(tmp_path / "p.yaml", "name: Ada Example\n")
    write(tmp_path / "themes" / "bad" / "theme.toml", 'extends = "classic"\n')
    write(tmp_path / "themes" / "bad" / "cv.typ", "#let doc = (a: 1)\n#doc.persn\n")
    result = run_cli("render", "p.yaml", "--theme", "bad", "-f", "pdf", "--diagnostics", "github", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stdout.startswith("::error file=themes/bad/cv.typ,line=2,col=6,")
    assert "themes/bad/cv.typ:2:6: Typst error in theme: " in result.stderr
    assert "2 │ #doc.persn" in result.stderr  # Typst's excerpt, which no annotation carries


def test_an_engine_warning_that_starts_with_a_place_is_located_there() -> None:
    from cvbuild.diagnostics import as_diagnostic

    diag = as_diagnostic("themes/t/cv.typ:3:17: Typst: unknown font family: nope (never; used)")
    assert (diag.file, diag.line, diag.column) == (Path("themes/t/cv.typ"), 3, 17)
    assert (diag.message, diag.hint, diag.severity) == ("Typst: unknown font family: nope (never; used)", "", "warning")
    inside = as_diagnostic("t/cv.typ:2:1 (inside t/packages/x/lib.typ:9:3): Typst: w")
    assert (inside.file, inside.line, inside.message) == (
        Path("t/cv.typ"),
        2,
        "(inside t/packages/x/lib.typ:9:3): Typst: w",
    )
    assert as_diagnostic("weasyprint: Ignored `a: b` at 3:5, unknown property.").file is None


def test_typst_warnings_of_a_theme_land_on_its_line(tmp_path: Path) -> None:
    """Typst gives each warning its span: JSON and GitHub diagnostics carry the theme file and line."""
    write(tmp_path / "p.yaml", "name: Ada Example\n")
    write(tmp_path / "themes" / "t" / "theme.toml", 'extends = "classic"\n')
    write(tmp_path / "themes" / "t" / "cv.typ", 'Hi\n#set text(font: "Nope")\nthere\n')
    github = run_cli("render", "p.yaml", "--theme", "t", "-f", "pdf", "--diagnostics", "github", cwd=tmp_path)
    assert github.returncode == 0, github.stderr
    assert (
        "::warning file=themes/t/cv.typ,line=2,col=17,title=cvbuild::Typst: unknown font family: nope" in github.stdout
    )
    assert "themes/t/cv.typ:2:17: warning: Typst: unknown font family: nope" in github.stderr
    as_json = run_cli("render", "p.yaml", "--theme", "t", "-f", "pdf", "--diagnostics", "json", cwd=tmp_path)
    [warning] = json.loads(as_json.stdout)
    assert {k: warning[k] for k in ("file", "line", "column", "severity")} == {
        "file": "themes/t/cv.typ",
        "line": 2,
        "column": 17,
        "severity": "warning",
    }
    assert warning["message"].startswith("Typst: unknown font family: nope (system fonts are never used; the")


def test_weasyprint_css_warnings_land_on_the_stylesheet_line(tmp_path: Path) -> None:
    """WeasyPrint counts lines in the page's <style> element; they are the theme's files' lines,
    style.css and then each base.css, in JSON and GitHub diagnostics."""
    write(tmp_path / "p.yaml", "name: Ada Example\n")
    theme = tmp_path / "themes" / "t"
    write(theme / "theme.toml", 'extends = "classic"\n')
    write(theme / "style.css", "body { color: #222; }\n\nh1 {\n  colr: red;\n}\n")
    write(theme / "base.css", "p { margin: banana; }\n")
    result = run_cli(
        "render", "p.yaml", "--theme", "t", "-f", "pdf", "--engine", "weasyprint", "--diagnostics", "github",
        cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    said = "title=cvbuild::weasyprint: Ignored"
    assert f"::warning file=themes/t/style.css,line=4,col=3,{said} `colr: red`, unknown property." in result.stdout
    assert f"::warning file=themes/t/base.css,line=1,col=5,{said} `margin: banana`, invalid value." in result.stdout
