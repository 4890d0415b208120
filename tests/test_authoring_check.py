"""`cvbuild theme check`: every built-in theme passes; real theme mistakes are found and located."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import ROOT, run_cli, write

from cvbuild.loading.profile import load_profile
from cvbuild.themes import check
from cvbuild.themes.theme import builtin_themes_dir, list_themes

QUICK = ("minimal", "full")


def _builtin() -> list[str]:
    return [t.name for t in list_themes() if t.path.parent == builtin_themes_dir()]


@pytest.mark.parametrize("name", _builtin())
def test_every_builtin_theme_passes(name: str) -> None:
    result = check.check_theme(name)
    assert [r.name for r in result.results] == list(check.FIXTURES)
    assert all(set(r.rendered) == set(result.theme.targets) for r in result.results)
    assert result.ok, check.report(result)


def test_fixtures_are_valid_profiles(tmp_path: Path) -> None:
    for name in check.FIXTURES:
        profile, _ = load_profile(check.fixture_profile(name, tmp_path))
        if name == "many":
            assert len(profile.publication_entries()) == check.MANY_PUBLICATIONS
    assert check.full_example().read_bytes() == (ROOT / "profiles" / "example.yaml").read_bytes()


def _child(tmp_path: Path, files: dict[str, str], parent: str = "classic") -> Path:
    """A theme folder extending a built-in one, with some files of its own."""
    folder = tmp_path / "themes" / "broken"
    write(folder / "theme.toml", f'name = "broken"\nextends = "{parent}"\n')
    for name, text in files.items():
        write(folder / name, text)
    return folder


def test_undefined_name_in_a_branch_is_located(tmp_path: Path) -> None:
    page = (
        '{% extends "_layout.html.j2" %}\n'
        "{% block section %}\n"
        '{% if s.kind == "publications" %}{{ s.no_such_field }}{% else %}{{ m.section(s) }}{% endif %}\n'
        "{% endblock %}\n"
    )
    folder = _child(tmp_path, {"cv.html.j2": page})
    result = check.check_theme(str(folder), fixtures=QUICK)
    kinds = {(p.fixture, p.target, p.kind) for p in result.problems}
    assert ("full", "html", "undefined") in kinds
    assert not any(p.fixture == "minimal" for p in result.problems)  # no publications: branch not reached
    message = next(p.message for p in result.problems if p.kind == "undefined")
    assert f"{folder / 'cv.html.j2'}:3" in message and "no_such_field" in message


def test_typst_error_is_located_in_the_theme_file(tmp_path: Path) -> None:
    source = (builtin_themes_dir() / "classic" / "cv.typ").read_text(encoding="utf-8")
    source += "\n#if doc.sections.len() > 0 { missing-function() }\n"
    folder = _child(tmp_path, {"cv.typ": source})
    result = check.check_theme(str(folder), fixtures=QUICK)
    errors = [p for p in result.problems if p.kind == "error" and p.target in ("pdf", "png")]
    line = source.count("\n")
    assert errors and all(p.fixture == "full" for p in errors)
    assert f"cv.typ:{line}:" in errors[0].message and "missing-function" in errors[0].message


def test_content_dropped_from_one_format_is_reported(tmp_path: Path) -> None:
    source = (builtin_themes_dir() / "classic" / "cv.typ").read_text(encoding="utf-8")
    assert "  highlights(e)\n" in source
    folder = _child(tmp_path, {"cv.typ": source.replace("  highlights(e)\n", "")})
    result = check.check_theme(str(folder), fixtures=("full",))
    differs = [p for p in result.problems if p.kind == "differs"]
    assert [p.target for p in differs] == ["pdf"]
    # the field and section to lay out: "15 item(s) ... are missing" named none
    assert (
        "'Co-organised the weekly systems reading group' (in txt, md, html; highlights in the section 'Education')"
        in (differs[0].message)
    )


def test_text_off_the_page_is_reported(tmp_path: Path) -> None:
    source = (builtin_themes_dir() / "classic" / "cv.typ").read_text(encoding="utf-8")
    source += "\n#place(dx: 16cm, text(doc.person.name))\n"
    folder = _child(tmp_path, {"cv.typ": source})
    result = check.check_theme(str(folder), fixtures=("minimal",))
    overflow = [p for p in result.problems if p.kind == "overflow"]
    assert overflow and overflow[0].target == "pdf" and "page 1" in overflow[0].message


def test_missing_glyphs_are_reported(tmp_path: Path) -> None:
    folder = tmp_path / "bare"
    write(folder / "theme.toml", 'name = "bare"\ntargets = ["pdf"]\n')
    write(folder / "cv.typ", '#let doc = json(bytes(sys.inputs.cvbuild))\n#set text(font: "Inter")\n#doc.person.name\n')
    (folder / "fonts").mkdir()
    shutil.copy(builtin_themes_dir() / "base" / "fonts" / "Inter-Regular.otf", folder / "fonts")
    result = check.check_theme(str(folder), fixtures=("hostile",))
    glyphs = [p for p in result.problems if p.kind == "glyphs"]
    assert glyphs and "U+1F600" in glyphs[0].message  # 😀: Inter has no emoji


def test_cli_exit_codes(tmp_path: Path) -> None:
    ok = run_cli("theme", "check", "modern", "--fixture", "minimal", cwd=tmp_path)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "theme 'modern' passes" in ok.stdout and "minimal  rendered txt md html pdf png" in ok.stdout

    folder = _child(tmp_path, {"cv.txt.j2": "{{ person.nickname }}\n"})
    bad = run_cli("theme", "check", "broken", "--fixture", "minimal", cwd=tmp_path)
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert f"undefined name (StrictUndefined) in txt [minimal]:\n    {folder / 'cv.txt.j2'}:1" in bad.stdout
    assert "has 1 problem" in bad.stdout

    for args, phrase in [
        (["nosuchtheme"], "unknown theme 'nosuchtheme'"),
        (["modern", "--fixture", "huge"], "unknown fixture 'huge'"),
    ]:
        result = run_cli("theme", "check", *args, cwd=tmp_path)
        assert result.returncode == 2 and phrase in result.stderr, result.stderr


def test_shows_tolerates_page_breaks_and_link_urls() -> None:
    text = check.squash("see Skyferry (https://github.com/x) today\nName  Page 2 of 3\nnext line")
    assert check.shows("see Skyferry today", text)
    assert check.shows("today next line", text)
    assert not check.shows("tomorrow", text)


def test_check_against_the_authors_own_profiles(tmp_path: Path) -> None:
    """`--profile`: a theme author's real CVs, every document of them, checked as the fixtures are;
    alone, it checks those only. A profile that is not valid stops the check (exit 2) at its line."""
    write(tmp_path / "me.yaml", "name: Ada Example\ndocuments:\n  cv: {}\n  short: {options: {font_size: 9pt}}\n")
    _child(
        tmp_path, {"cv.txt.j2": "{{ person.name }}\n{% if doc.meta.document == 'short' %}{{ person.nick }}{% endif %}"}
    )
    result = run_cli("theme", "check", "broken", "--profile", "me.yaml", cwd=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert [ln.split(" rendered")[0].strip() for ln in lines[1:3]] == ["me.yaml -d cv", "me.yaml -d short"]
    assert "undefined name (StrictUndefined) in txt [me.yaml -d short]:" in result.stdout
    # the problems as listed, one per message: not one per profile that shows it
    write(tmp_path / "themes" / "broken" / "cv.txt.j2", "{{ person.nick }}\n")
    twice = run_cli("theme", "check", "broken", "--fixture", "minimal", "--fixture", "empty", cwd=tmp_path)
    assert "in txt [minimal, empty]:" in twice.stdout and "has 1 problem " in twice.stdout, twice.stdout
    assert "minimal" not in result.stdout  # --profile alone: no fixtures

    both = run_cli("theme", "check", "modern", "--fixture", "hostile", "--profile", "me.yaml", cwd=tmp_path)
    assert both.returncode == 0, both.stdout + both.stderr
    assert "theme 'modern' passes: 3 profiles, no problems" in both.stdout

    write(tmp_path / "me.yaml", "name: Ada Example\nheadline: [a, b]\n")
    bad = run_cli("theme", "check", "modern", "--profile", "me.yaml", cwd=tmp_path)
    assert bad.returncode == 2 and "me.yaml:2:11: headline: expected text" in bad.stderr, bad.stderr


def test_an_option_the_theme_lacks_is_located_in_the_authors_profile(tmp_path: Path) -> None:
    """`--profile`: a document's option the checked theme does not have is the profile's line, in
    the report and as an annotation; it was a problem with no place ("documents.cv.options: ...")."""
    write(tmp_path / "me.yaml", "name: Ada Example\ndocuments:\n  cv: {options: {acent: '#ff0000'}}\n")
    alone = run_cli("theme", "check", "modern", "--fixture", "minimal", cwd=tmp_path)
    assert "theme 'modern' passes: 1 profile, no problems" in alone.stdout  # was "1 profiles"
    result = run_cli("theme", "check", "modern", "--profile", "me.yaml", "--diagnostics", "github", cwd=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "me.yaml:3:25: documents.cv.options.acent: theme 'modern' has no option 'acent'" in result.stdout
    assert "::error file=me.yaml,line=3,col=25," in result.stdout


def test_check_problems_as_github_annotations_and_json(tmp_path: Path) -> None:
    """A theme's repository checks it in CI: each listed problem becomes one annotation, on the
    theme's line when its message starts with one; json prints them as render's diagnostics."""
    _child(tmp_path, {"cv.txt.j2": "{{ person.name }}\n{{ person.nick }}\n"})
    github = run_cli("theme", "check", "broken", "--fixture", "minimal", "--diagnostics", "github", cwd=tmp_path)
    assert github.returncode == 1, github.stdout + github.stderr
    [command] = [ln for ln in github.stdout.splitlines() if ln.startswith("::")]
    assert command.startswith("::error file=themes/broken/cv.txt.j2,line=2,col=")
    assert "title=cvbuild::undefined name (StrictUndefined) in txt [minimal]: template error: " in command
    assert "has 1 problem" in github.stdout  # and the text report beside it, for the log
    as_json = run_cli("theme", "check", "broken", "--fixture", "minimal", "--diagnostics", "json", cwd=tmp_path)
    assert as_json.returncode == 1
    [item] = json.loads(as_json.stdout)  # stdout is the JSON alone; the report went to stderr
    assert (item["file"], item["line"], item["severity"]) == ("themes/broken/cv.txt.j2", 2, "error")
    assert "has 1 problem" in as_json.stderr
    unloadable = run_cli("theme", "check", "nosuch", "--diagnostics", "github", cwd=tmp_path)
    assert unloadable.returncode == 2 and "::error title=cvbuild::unknown theme 'nosuch'" in unloadable.stdout


def test_ats_reads_each_pdf_back_and_names_what_it_reads_out_of_order(tmp_path: Path) -> None:
    """`theme check` said nothing of reading order: a two-column theme passed while an applicant-
    tracking system read its sidebar across the main column. With --ats it is a problem, at the
    fixture and section it happens in; a one-column theme still passes."""
    sidebar = run_cli("theme", "check", "sidebar", "--fixture", "german", "--ats", cwd=tmp_path)
    assert sidebar.returncode == 1, sidebar.stderr
    assert "read by an applicant-tracking system (--ats) in pdf [german]:" in sidebar.stdout
    assert "the section 'Profil' is not read where it belongs" in sidebar.stdout
    plain = run_cli("theme", "check", "sidebar", "--fixture", "german", cwd=tmp_path)
    assert plain.returncode == 0, plain.stdout  # only when asked, as render --ats
    classic = run_cli("theme", "check", "classic", "--fixture", "german", "--fixture", "full", "--ats", cwd=tmp_path)
    assert classic.returncode == 0, classic.stdout
    assert "Traceback" not in sidebar.stderr + classic.stderr
