"""A theme written from scratch that lacks a file one of its targets needs: exit 2 at the theme.toml
line declaring the targets, saying what to write, before anything renders."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import EXAMPLE, ROOT, run_cli, write

PROFILE = "name: Ada Example\nheadline: PhD student\n"
TYPST = (
    '#import "@local/cvbuild:1.0.0": *\n#let doc = load-document()\n#show: setup.with(doc)\n#text(doc.person.name)\n'
)


def scratch_theme(tmp_path: Path, files: dict[str, str], targets: str = '["pdf", "html"]') -> Path:
    write(tmp_path / "profile.yaml", PROFILE)
    folder = tmp_path / "themes" / "fresh"
    write(folder / "theme.toml", f'name = "fresh"\nextends = "base"\ntargets = {targets}\n')
    for name, text in files.items():
        write(folder / name, text)
    return folder


@pytest.mark.parametrize(
    ("files", "args", "needs", "fix"),
    [
        (
            {"cv.typ": TYPST, "cv.html.j2": '{% extends "_layout.html.j2" %}'},
            [],
            "html, which needs style.css",
            'take "html" out of targets',
        ),
        ({"cv.typ": TYPST, "style.css": ""}, [], "html, which needs cv.html.j2", 'take "html" out of targets'),
        (
            {"style.css": "", "cv.html.j2": '{% extends "_layout.html.j2" %}'},
            [],
            "pdf, which needs cv.typ",
            'take "pdf" out of targets',
        ),
        (
            {"cv.typ": TYPST},
            ["-f", "pdf", "--engine", "weasyprint"],
            "pdf with WeasyPrint, which needs cv.html.j2",
            "make the PDF with Typst",
        ),
    ],
)
def test_a_missing_theme_file_is_located_at_targets(
    tmp_path: Path, files: dict[str, str], args: list[str], needs: str, fix: str
) -> None:
    """Before: a missing style.css was exit 1 with no place ("theme 'fresh' has no style.css"), a missing
    cv.html.j2 named no theme file and suggested 'cv.md.j2'."""
    folder = scratch_theme(tmp_path, files)
    result = run_cli("render", "profile.yaml", "--theme", "fresh", "-o", "out", *args, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    first = result.stderr.splitlines()[0]
    assert first.startswith(f"{folder / 'theme.toml'}:3:1: targets: the theme makes {needs}, and neither fresh"), first
    assert "themes/fresh/" in first and 'extend a theme that has one (extends = "classic")' in first and fix in first
    assert "Traceback" not in result.stderr and not (tmp_path / "out").exists()


def test_annotation_and_theme_check_name_the_same_line(tmp_path: Path) -> None:
    folder = scratch_theme(tmp_path, {"cv.typ": TYPST, "cv.html.j2": '{% extends "_layout.html.j2" %}'})
    github = run_cli("render", "profile.yaml", "--theme", "fresh", "--diagnostics", "github", cwd=tmp_path)
    assert github.returncode == 2
    assert github.stdout.startswith("::error file=themes/fresh/theme.toml,line=3,col=1,title=cvbuild%3A targets::")
    check = run_cli("theme", "check", "fresh", "--fixture", "minimal", cwd=tmp_path)
    assert check.returncode == 2, check.stdout + check.stderr
    assert f"{folder / 'theme.toml'}:3:1: targets: the theme makes html, which needs style.css" in check.stderr


def test_an_inherited_file_is_enough(tmp_path: Path) -> None:
    write(tmp_path / "profile.yaml", PROFILE)
    write(tmp_path / "themes" / "child" / "theme.toml", 'extends = "classic"\n')
    result = run_cli("render", "profile.yaml", "--theme", "child", "-f", "pdf,html", "-o", "out", cwd=tmp_path)
    assert result.returncode == 0, result.stderr


def test_a_theme_extending_nothing_is_told_to_extend_base(tmp_path: Path) -> None:
    """docs/themes.md's cv.typ imports @local/cvbuild; a theme written from scratch without `extends`
    was told to copy the package into itself, where `extends = "base"` is the fix."""
    folder = scratch_theme(tmp_path, {"cv.typ": TYPST}, targets='["pdf"]')
    (folder / "theme.toml").write_text('name = "fresh"\ntargets = ["pdf"]\n')
    result = run_cli("render", "profile.yaml", "--theme", "fresh", cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert f"{folder / 'cv.typ'}:1:9: imports @local/cvbuild:1.0.0, which the theme does not ship; " in result.stderr
    assert 'the built-in base theme has it: add extends = "base"' in result.stderr
    (folder / "theme.toml").write_text('name = "fresh"\nextends = "base"\ntargets = ["pdf"]\n')
    fixed = run_cli("render", "profile.yaml", "--theme", "fresh", "-o", "out", cwd=tmp_path)
    assert fixed.returncode == 0, fixed.stderr


def test_an_unknown_font_given_to_setup_lands_on_the_themes_line(tmp_path: Path) -> None:
    """docs/themes.md's `setup.with(doc, font: ...)`: Typst's warning spans only the package's set rule
    (base's lib.typ, outside the repository, where no annotation can land); the theme's line names it."""
    typst = TYPST.replace("setup.with(doc)", 'setup.with(doc, font: "Helvetica")')
    scratch_theme(tmp_path, {"cv.typ": typst}, targets='["pdf"]')
    result = run_cli("render", "profile.yaml", "--theme", "fresh", "--diagnostics", "github", "-o", "out", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("::warning file=themes/fresh/cv.typ,line=3,col=30,title=cvbuild::(inside ")
    assert "unknown font family: helvetica (system fonts are never used; the theme's fonts are: " in result.stdout
    assert "or put the family's .otf/.ttf files in the theme's fonts/ folder" in result.stdout


# ---- the docs' theme from scratch ----------------------------------------------------------------


def docs_theme(into: Path) -> Path:
    """The files of docs/themes.md's "A theme from scratch", each a fenced block whose first line names
    its path (`// themes/plain/cv.typ`), written under `into`."""
    text = (ROOT / "docs" / "themes.md").read_text(encoding="utf-8")
    section = text[text.index("## A theme from scratch") : text.index("## A theme is a folder")]
    written = []
    for block in re.findall(r"^```\w+\n(.*?)^```", section, re.M | re.S):
        named = re.search(r"themes/plain/([\w.]+)", block.splitlines()[0])
        if named:
            written.append(write(into / "themes" / "plain" / named[1], block).name)
    assert sorted(written) == ["cv.html.j2", "cv.typ", "style.css", "theme.toml"]
    return into / "themes" / "plain"


def test_the_docs_theme_from_scratch_passes_theme_check(tmp_path: Path) -> None:
    """The page tells a new author what a theme is; what it shows must work as shown, against every
    fixture (hostile text stays text in every format) and a real profile."""
    docs_theme(tmp_path)
    write(tmp_path / "cv.yaml", EXAMPLE.read_text(encoding="utf-8"))
    result = run_cli("theme", "check", "plain", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "theme 'plain' passes: 8 profiles, no problems" in result.stdout
    mine = run_cli("theme", "check", "plain", "--profile", "cv.yaml", cwd=tmp_path)
    assert mine.returncode in (0, 1), mine.stderr  # the example's documents set other themes' options
    assert "Typst error" not in mine.stdout and "template error in pdf" not in mine.stdout


@pytest.mark.parametrize(
    ("file", "text"),
    [
        ("cv.html.j2", "{% block masthead %}<h1>{{ person.name | safe }}</h1>{% endblock %}"),
        ("cv.md.j2", "# {{ person.name }}\n"),
        (
            "cv.typ",
            '#import "@local/cvbuild:1.0.0": *\n#let doc = load-document()\n#eval(doc.person.name, mode: "markup")\n',
        ),
    ],
)
def test_theme_check_finds_user_text_a_template_let_become_markup(tmp_path: Path, file: str, text: str) -> None:
    """docs/themes.md's "User text stays data": `| safe` in HTML, a bare `{{ }}` in Markdown and `eval`
    in Typst turn the hostile fixture's name (`#1 <b>bold?</b>`) into markup. Its words were still
    there, so theme check found nothing; it names the text and the format now."""
    folder = docs_theme(tmp_path)
    original = (folder / file).read_text() if (folder / file).exists() else ""
    write(
        folder / file,
        text if file != "cv.html.j2" else original.replace("{% block body_class", text + "{% block body_class"),
    )
    result = run_cli("theme", "check", "plain", "--fixture", "hostile", cwd=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    fmt = {"cv.html.j2": "html", "cv.md.j2": "md", "cv.typ": "pdf"}[file]
    assert f"user text read as markup in {fmt} [hostile]:" in result.stdout, result.stdout
    assert 'user text shown altered, as if read as markup: "Zoë O\'Brien-Ångström #1 <b>bold?</b>"' in result.stdout


def test_a_theme_extending_nothing_is_told_it_has_none(tmp_path: Path) -> None:
    """A theme with no `extends` lacking cv.typ was told 'and solo has one': the opposite."""
    write(tmp_path / "profile.yaml", PROFILE)
    write(tmp_path / "themes" / "solo" / "theme.toml", 'name = "solo"\ntargets = ["pdf"]\n')
    result = run_cli("render", "profile.yaml", "--theme", "solo", "-f", "pdf", "-o", "out", cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert "the theme makes pdf, which needs cv.typ, and solo has none; write" in result.stderr, result.stderr
    assert not (tmp_path / "out").exists()
