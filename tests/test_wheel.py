"""The built wheel carries the themes: an install outside the repository finds and uses them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import EPOCH, ROOT, write


def test_wheel_installed_outside_repo_finds_builtin_themes(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d", str(dist)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    wheel = next(dist.glob("cvbuild-*.whl"))
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target), str(wheel)],
        check=True,
        capture_output=True,
    )
    assert (target / "cvbuild" / "_themes" / "classic" / "theme.toml").is_file()
    # `cvbuild import jsonresume` validates against the official schema, shipped with its licence.
    assert (target / "cvbuild" / "interop" / "jsonresume.schema.json").is_file()
    assert (target / "cvbuild" / "interop" / "LICENSE-jsonresume-schema.md").is_file()
    work = tmp_path / "elsewhere"
    profile = write(work / "p.yaml", "name: Ada Example\nsummary: Wheel test.\n")
    env = {**os.environ, "PYTHONPATH": str(target), "SOURCE_DATE_EPOCH": EPOCH}
    probe = subprocess.run(
        [sys.executable, "-c", "import cvbuild.themes as t; print(t.builtin_themes_dir())"],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert Path(probe.stdout.strip()) == target / "cvbuild" / "_themes"
    result = subprocess.run(
        [sys.executable, "-m", "cvbuild", "render", str(profile), "-f", "txt,md", "--theme", "modern"],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "Wheel test." in (work / "out" / "ada-example.txt").read_text()
