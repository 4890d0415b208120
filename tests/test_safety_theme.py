"""Theme confinement: every file an engine reads resolves inside the theme chain (or the font
folders) and is a regular file; links to secrets, FIFOs, devices and folders named like fonts
are refused with exit 2, at once, and nothing is written."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import run_cli, write

from cvbuild import confine

SECRET = "TOPSECRET-d41d8cd9"
PROFILE = "name: Ada Example\nsummary: Hi.\n"


@pytest.fixture
def setup(tmp_path: Path) -> tuple[Path, Path, Path]:
    """A profile, an `evil` theme beside it that extends classic, and a secret outside both."""
    secret = write(tmp_path / "outside" / "secret.txt", SECRET + "\n")
    profile = write(tmp_path / "cv" / "p.yaml", PROFILE)
    theme = tmp_path / "cv" / "themes" / "evil"
    write(theme / "theme.toml", 'name = "evil"\nextends = "classic"\n')
    return profile, theme, secret


# (files to create in the theme, format, what the message names)
# SECRET: a link to the secret file; OUTDIR: a link to its folder; FIFO: a named pipe;
# /dev/...: a link to that device; SPARSE: a sparse file of 3 GiB; anything else: the file's text.
ATTACKS: dict[str, tuple[dict[str, str], str, str]] = {
    "txt template links to a secret": ({"cv.txt.j2": "SECRET"}, "txt", "cv.txt.j2 (which leads to"),
    "included template links to a secret": (
        {"cv.txt.j2": '{% include "part.j2" %}\n', "part.j2": "SECRET"},
        "txt",
        "part.j2 (which leads to",
    ),
    "md template is a FIFO": ({"cv.md.j2": "FIFO"}, "md", "cv.md.j2: a named pipe (FIFO)"),
    "stylesheet links to a secret": ({"style.css": "SECRET"}, "html", "style.css (which leads to"),
    "stylesheet links to /dev/zero": ({"style.css": "/dev/zero"}, "html", "style.css (which leads to /dev/zero)"),
    "Typst reads a link to a secret": (
        {"cv.typ": '#read("leak.txt")\n', "leak.txt": "SECRET"},
        "pdf",
        "leak.txt (which leads to",
    ),
    "Typst image is a FIFO": ({"cv.typ": '#image("a.png")\n', "a.png": "FIFO"}, "pdf", "a.png: a named pipe"),
    "Typst template links to a secret": ({"cv.typ": "SECRET"}, "pdf", "cv.typ (which leads to"),
    "a linked folder leads outside": ({"cv.typ": "hi\n", "sub": "OUTDIR"}, "pdf", "sub (which leads to"),
    "a shipped Typst package file links to a secret": (
        {"cv.typ": "hi\n", "packages/local/x/0.1.0/lib.typ": "SECRET"},
        "pdf",
        "lib.typ (which leads to",
    ),
    "a Typst include is a FIFO": ({"cv.typ": '#include "part.typ"\n', "part.typ": "FIFO"}, "pdf", "part.typ: a named"),
    "font links to /dev/zero": ({"fonts/zero.ttf": "/dev/zero"}, "pdf", "zero.ttf (which leads to /dev/zero)"),
    "font is a FIFO": ({"fonts/pipe.otf": "FIFO"}, "html", "pipe.otf: a named pipe"),
    "folder named like a font": ({"fonts/dir.ttf/x": "x"}, "pdf", "dir.ttf: named like a font but not a file"),
    "a sparse 3 GiB font (PDF)": ({"fonts/huge.ttf": "SPARSE"}, "pdf", "huge.ttf: 3,221,225,472 bytes, over the limit"),
    "a sparse 3 GiB font (HTML)": ({"fonts/huge.ttf": "SPARSE"}, "html", "huge.ttf: 3,221,225,472 bytes, over the"),
    "theme.toml links to a secret": ({"theme.toml": "SECRET"}, "txt", "theme.toml (which leads to"),
    "theme.toml is a FIFO": ({"theme.toml": "FIFO"}, "txt", "theme.toml: a named pipe"),
}


@pytest.mark.parametrize("attack", list(ATTACKS))
def test_theme_attacks_are_refused(setup: tuple[Path, Path, Path], attack: str) -> None:
    profile, theme, secret = setup
    files, fmt, phrase = ATTACKS[attack]
    for name, content in files.items():
        path = theme / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.unlink(missing_ok=True)
        if content == "SECRET":
            path.symlink_to(secret)
        elif content == "OUTDIR":
            path.symlink_to(secret.parent, target_is_directory=True)
        elif content == "FIFO":
            os.mkfifo(path)
        elif content == "SPARSE":  # HarfBuzz cannot open it: a failed render (exit 1) before
            with open(path, "wb") as fh:
                fh.truncate(3 << 30)
        elif content.startswith("/dev/"):
            path.symlink_to(content)
        else:
            path.write_text(content)
    out = profile.parent / "out"
    result = run_cli("render", profile, "--theme", "evil", "-f", fmt, "-o", out, cwd=profile.parent)
    assert result.returncode == 2, result.stderr
    assert phrase in result.stderr
    assert "Traceback" not in result.stderr and SECRET not in result.stderr + result.stdout
    assert not out.exists()


def test_a_refused_include_is_told_at_the_line_that_includes_it(setup: tuple[Path, Path, Path]) -> None:
    """`{% include "part.j2" %}` of a link to a secret was refused with the file alone ("error: ..."),
    so CI's annotation had no file and the author no line to look at."""
    profile, theme, secret = setup
    write(theme / "cv.txt.j2", 'Hi\n{% include "part.j2" %}\n')
    (theme / "part.j2").symlink_to(secret)
    result = run_cli("render", profile, "--theme", "evil", "-f", "txt", "-o", profile.parent / "out")
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(f"{theme / 'cv.txt.j2'}:2:1: {theme / 'part.j2'} (which leads to "), result.stderr
    assert "outside the folders of theme 'evil'" in result.stderr and SECRET not in result.stderr
    assert not (profile.parent / "out").exists()


def test_a_typst_read_outside_the_theme_says_what_to_do_in_cvbuild(setup: tuple[Path, Path, Path]) -> None:
    """Typst's hint named its CLI's `--root` argument, which cvbuild does not have."""
    profile, theme, _ = setup
    write(theme / "cv.typ", '#read("../../../outside/secret.txt")\n')
    result = run_cli("render", profile, "--theme", "evil", "-f", "pdf", "-o", profile.parent / "out")
    assert result.returncode == 2, result.stderr
    assert "cv.typ:1:7: Typst error in theme: path" in result.stderr, result.stderr
    assert "would escape the project root" in result.stderr
    assert "--root" not in result.stderr and SECRET not in result.stderr
    assert "= hint: a theme reads only files inside the folder of its cv.typ: copy the file there" in result.stderr
    assert not (profile.parent / "out").exists()


def test_static_and_run_time_package_imports_are_refused(setup: tuple[Path, Path, Path]) -> None:
    profile, theme, _ = setup
    write(theme / "cv.typ", 'hi\n#import "@preview/cetz:0.2.2": *\n')
    result = run_cli("render", profile, "--theme", "evil", "-f", "pdf", cwd=profile.parent)
    assert result.returncode == 2
    assert "cv.typ:2:9: imports @preview/cetz:0.2.2, which the theme does not ship" in result.stderr
    write(theme / "cv.typ", '#import ("@" + "preview/cetz:0.2.2"): *\n')
    result = run_cli("render", profile, "--theme", "evil", "-f", "pdf", cwd=profile.parent)
    assert result.returncode == 2
    assert "cv.typ:1:9: the theme imports @preview/cetz:0.2.2, which it does not ship" in result.stderr
    assert not (profile.parent / "out").exists()


def test_links_inside_the_chain_are_fine(setup: tuple[Path, Path, Path]) -> None:
    """A theme may link to its own files: only the resolved place matters."""
    profile, theme, _ = setup
    write(theme / "real.j2", "LINKED {{ person.name }}\n")
    (theme / "cv.txt.j2").symlink_to(theme / "real.j2")
    result = run_cli("render", profile, "--theme", "evil", "-f", "txt", "-o", "out", cwd=profile.parent)
    assert result.returncode == 0, result.stderr
    assert (profile.parent / "out" / "ada-example.txt").read_text() == "LINKED Ada Example\n"


def test_read_regular_refuses_without_blocking(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe")
    with pytest.raises(confine.PathRefused, match="named pipe"):
        confine.read_regular(tmp_path / "pipe")
    with pytest.raises(confine.PathRefused, match="character device"):
        confine.read_regular(Path("/dev/zero"))
    write(tmp_path / "big", "x" * 100)
    with pytest.raises(confine.PathRefused, match="over the limit"):
        confine.read_regular(tmp_path / "big", limit=10)
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    with pytest.raises(confine.PathRefused):
        confine.read_confined(tmp_path / "loop", [tmp_path], "here")


def test_check_tree_bounds_its_walk(tmp_path: Path) -> None:
    for i in range(12):
        write(tmp_path / "t" / f"f{i}", "")
    with pytest.raises(confine.PathRefused, match="more than 10"):
        confine.check_tree(tmp_path / "t", [tmp_path], "here", limit=10)
    (tmp_path / "t" / "self").symlink_to(tmp_path / "t", target_is_directory=True)
    confine.check_tree(tmp_path / "t", [tmp_path], "here")  # a loop inside is walked once
