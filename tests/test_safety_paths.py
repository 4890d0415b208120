"""Paths in a profile (`bibtex:`, a document's `theme:`) stay inside the profile's folder, checked
after resolve(); `--allow-path DIR` lets them into DIR as well. Errors name the key and the rule."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import run_cli, write

BIB = "@article{leak, title={Secret Paper}, author={Ann Other}, year=2020, journal={J}}\n"


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    write(tmp_path / "other" / "s.bib", BIB)
    write(tmp_path / "other" / "theme" / "theme.toml", 'name = "t"\nextends = "classic"\n')
    write(tmp_path / "cv" / "themes" / "mine" / "theme.toml", 'name = "mine"\nextends = "classic"\n')
    write(tmp_path / "cv" / "themes" / "mine" / "cv.txt.j2", "MINE {{ person.name }}\n")
    return tmp_path


ESCAPES = {
    "parent": ("bibtex: ../other/s.bib", "publications[0].bibtex: ../other/s.bib leads to"),
    "absolute": ("bibtex: /etc/passwd", "publications[0].bibtex: /etc/passwd is outside the profile's folder"),
    "link": ("bibtex: link.bib", "publications[0].bibtex: link.bib leads to"),
    "linked folder": ("bibtex: sub/s.bib", "publications[0].bibtex: sub/s.bib leads to"),
    "no such user": ("bibtex: ~nosuchuser/x.bib", "no such user as '~nosuchuser'"),
    "long": ("bibtex: " + "a" * 5000 + ".bib", "publications[0].bibtex: "),
}


@pytest.mark.parametrize("case", list(ESCAPES))
def test_bibtex_paths_stay_inside_the_profile_folder(tree: Path, case: str) -> None:
    line, phrase = ESCAPES[case]
    (tree / "cv" / "link.bib").symlink_to(tree / "other" / "s.bib")
    (tree / "cv" / "sub").symlink_to(tree / "other", target_is_directory=True)
    profile = write(tree / "cv" / "p.yaml", f"name: Ada Example\npublications:\n  - {line}\n")
    result = run_cli("render", "cv/p.yaml", "-f", "txt", "-o", "out", cwd=tree)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("cv/p.yaml:3:13: "), result.stderr
    assert phrase in result.stderr
    assert "Traceback" not in result.stderr and "Secret Paper" not in result.stderr
    assert not (tree / "out").exists()
    assert profile.exists()


def test_allow_path_lets_a_profile_read_there(tree: Path) -> None:
    write(tree / "cv" / "p.yaml", "name: Ada Example\npublications:\n  - bibtex: ../other/s.bib\n")
    result = run_cli("validate", "cv/p.yaml", "--allow-path", "other", cwd=tree)
    assert result.returncode == 0, result.stderr
    result = run_cli("render", "cv/p.yaml", "-f", "txt", "-o", "out", "--allow-path", tree / "other", cwd=tree)
    assert result.returncode == 0, result.stderr
    assert "Secret Paper" in (tree / "out" / "ada-example.txt").read_text()
    result = run_cli("render", "cv/p.yaml", "-f", "txt", "-o", "out", "--allow-path", tree / "cv", cwd=tree)
    assert result.returncode == 2 and "--allow-path DIR" in result.stderr


def test_theme_paths_in_a_profile_start_at_and_stay_in_its_folder(tree: Path) -> None:
    """`theme: ./themes/mine` means beside the profile, wherever cvbuild runs from."""
    write(tree / "cv" / "p.yaml", "name: Ada Example\ndocuments:\n  cv: {theme: ./themes/mine}\n")
    result = run_cli("render", "cv/p.yaml", "-f", "txt", "-o", "out", cwd=tree)
    assert result.returncode == 0, result.stderr
    assert (tree / "out" / "ada-example-cv.txt").read_text() == "MINE Ada Example\n"

    write(tree / "cv" / "p.yaml", "name: Ada Example\ndocuments:\n  cv: {theme: ../other/theme}\n")
    result = run_cli("render", "cv/p.yaml", "-f", "txt", "-o", "out2", cwd=tree)
    assert result.returncode == 2
    assert "cv/p.yaml:3:15: documents.cv.theme: ../other/theme leads to" in result.stderr
    assert not (tree / "out2").exists()
    result = run_cli("render", "cv/p.yaml", "-f", "txt", "-o", "out2", "--allow-path", "other", cwd=tree)
    assert result.returncode == 0, result.stderr


def test_a_local_theme_folder_linking_outside_is_refused(tree: Path) -> None:
    os.symlink(tree / "other" / "theme", tree / "cv" / "themes" / "away")
    write(tree / "cv" / "p.yaml", "name: Ada Example\ndocuments:\n  cv: {theme: away}\n")
    result = run_cli("render", "cv/p.yaml", "-f", "txt", "-o", "out", cwd=tree)
    assert result.returncode == 2
    assert "outside the profile's folder" in result.stderr and "--allow-path" in result.stderr


def test_the_command_line_theme_is_the_users_choice(tree: Path) -> None:
    """--theme is typed by the user, not read from a file: a path there may lead anywhere."""
    write(tree / "cv" / "p.yaml", "name: Ada Example\n")
    result = run_cli("render", "cv/p.yaml", "-f", "txt", "-o", "out", "--theme", "other/theme", cwd=tree)
    assert result.returncode == 0, result.stderr
