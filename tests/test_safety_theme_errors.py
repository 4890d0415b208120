"""Errors in a theme's own code (Typst in cv.typ, Jinja in a template, CSS, theme.toml) are the
theme's: exit 2 at that theme's file:line:col, no traceback, nothing written, and never blamed on
another theme of the chain (a parent's mistake is not its child's, nor a sibling's)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import run_cli, write

from cvbuild.errors import RenderError, ThemeError
from cvbuild.targets.base import theme_failure
from cvbuild.themes.theme import load_theme


@pytest.fixture
def chain(tmp_path: Path) -> Path:
    """themes/child extends themes/parent extends classic, beside a profile."""
    write(tmp_path / "themes" / "parent" / "theme.toml", 'name = "parent"\nextends = "classic"\n')
    write(tmp_path / "themes" / "child" / "theme.toml", 'name = "child"\nextends = "parent"\n')
    write(tmp_path / "p.yaml", "name: Ada Example\nsummary: Hi.\n")
    return tmp_path


# file to write -> (its text, format, what the first line of stderr must say)
CASES: dict[str, tuple[str, str, str, str]] = {
    "typst in the child": (
        "child/cv.typ",
        'Hi\n#let x = 1 + "one"\n',
        "pdf",
        "child/cv.typ:2:10: Typst error in theme",
    ),
    "typst in the parent": ("parent/cv.typ", "#let x = (\n", "pdf", "parent/cv.typ:1:10: Typst error in theme"),
    "jinja syntax in the child": ("child/cv.txt.j2", "ok\n{% if %}\n", "txt", "child/cv.txt.j2:2:1: template syntax"),
    "jinja undefined in the parent": (
        "parent/cv.md.j2",
        "# {{ person.name }}\n  {{ nosuch }}\n",
        "md",
        "parent/cv.md.j2:2:6: template error: 'nosuch' is undefined",
    ),
    "css closes the style element": ("parent/style.css", "a {}\n  </style>\n", "html", "parent/style.css:2:3: "),
    # a browser read every later rule inside the unclosed one, or dropped the rule after a stray
    # `}`, and the page lost part of its look without a word (braces in strings and comments count for nothing)
    "css brace never closed": (
        "child/style.css",
        'a::after { content: "}" }\n/* { */\nh1 { color: red;\n.x { color: blue }\n',
        "html",
        "child/style.css:3:4: this '{' is never closed, so every rule after it is read inside it; close it with '}'",
    ),
    "css brace closes nothing": (
        "child/style.css",
        "h1 { color: red; }}\n.x { color: blue }\n",
        "html",
        "child/style.css:1:19: this '}' closes no '{', so the rule after it is dropped; remove it",
    ),
    "bad TOML in the parent": (
        "parent/theme.toml",
        'name = "parent"\nextends = "classic\n',
        "txt",
        "parent/theme.toml:2:19: invalid TOML",
    ),
    "bad option in the parent": (
        "parent/theme.toml",
        'name = "parent"\nextends = "classic"\n[options]\naccent = "red;}"\n',
        "txt",
        "parent/theme.toml:4:1: options.accent: theme option accent='red;}' is not a colour",
    ),
    "wrong type in the child": (
        "child/theme.toml",
        'name = "child"\nextends = "parent"\ntargets = "pdf"\n',
        "txt",
        "child/theme.toml:3:1: targets: input should be a valid list",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_theme_error_is_exit_2_at_that_themes_file(chain: Path, case: str) -> None:
    name, text, fmt, phrase = CASES[case]
    write(chain / "themes" / name, text)
    result = run_cli("render", "p.yaml", "--theme", "child", "-f", fmt, "-o", "out", cwd=chain)
    assert result.returncode == 2, result.stderr
    first = result.stderr.splitlines()[0]
    assert phrase in first, result.stderr
    other = "child" if name.startswith("parent/") else "parent"
    assert f"themes/{other}/" not in first, "another theme is blamed"
    assert "Traceback" not in result.stderr
    assert not (chain / "out").exists()


def test_typst_excerpt_is_indented_below_the_located_line(chain: Path) -> None:
    write(chain / "themes" / "child" / "cv.typ", 'Hi\n#let x = 1 + "one"\n')
    result = run_cli("render", "p.yaml", "--theme", "child", "-f", "pdf", "-o", "out", cwd=chain)
    lines = result.stderr.splitlines()
    assert lines[0].startswith("themes/child/cv.typ:2:10: ")
    assert any(line.startswith("    ") and '#let x = 1 + "one"' in line for line in lines[1:]), result.stderr
    assert "\\n" not in result.stderr


def test_a_broken_sibling_theme_is_not_blamed(chain: Path) -> None:
    """A theme folder beside the one in use, with a broken theme.toml, does not stop the render."""
    write(chain / "themes" / "broken" / "theme.toml", 'name = "broken\n')
    result = run_cli("render", "p.yaml", "--theme", "child", "-f", "txt", "-o", "out", cwd=chain)
    assert result.returncode == 0, result.stderr
    assert "broken" not in result.stderr


def test_only_the_built_in_themes_failing_alone_is_a_bug(chain: Path) -> None:
    """A failure in a chain of cvbuild's own themes is cvbuild's bug (exit 1), never the user's input."""
    builtin = theme_failure(load_theme("classic"), "cv.typ:1:1: boom")
    assert isinstance(builtin, RenderError) and builtin.exit_code == 1 and "please report it" in str(builtin)
    mine = theme_failure(load_theme("child", chain), "x/cv.typ:3:4: boom\n  | excerpt")
    assert isinstance(mine, ThemeError) and mine.exit_code == 2
    assert [(p.line, p.column, p.message) for p in mine.problems] == [(3, 4, "boom")]
    assert mine.detail == "  | excerpt"
