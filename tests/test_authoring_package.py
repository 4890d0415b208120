"""A theme shipped as a Python package (examples/theme-package) is pip-installed, offline, found
through the `cvbuild.themes` entry point and rendered; its Python is never imported."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import EXAMPLE, ROOT, run_cli

EXAMPLE_PACKAGE = ROOT / "examples" / "theme-package"
PIP_OFFLINE = [sys.executable, "-m", "pip", "install", "-q", "--disable-pip-version-check"]
PIP_OFFLINE += ["--no-index", "--no-deps", "--no-build-isolation"]  # nothing downloaded, built with hatchling here


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example package installed into a folder of its own, with no index and no downloads."""
    target = tmp_path_factory.mktemp("site")
    build = tmp_path_factory.mktemp("build")
    subprocess.run(
        [*PIP_OFFLINE, "--target", str(target), str(EXAMPLE_PACKAGE)],
        check=True,
        cwd=build,
        capture_output=True,
        timeout=300,
    )
    # Proof that cvbuild only locates the theme folder: importing the package now fails.
    init = target / "cvbuild_theme_ocean" / "__init__.py"
    init.write_text('raise RuntimeError("cvbuild imported a theme package")\n', encoding="utf-8")
    return target


def _cli(site: Path, *args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return run_cli(*args, cwd=cwd, env={"PYTHONPATH": str(site)})


def test_installed_theme_is_listed(site: Path, tmp_path: Path) -> None:
    result = _cli(site, "themes", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    line = next(x for x in result.stdout.splitlines() if x.startswith("ocean "))
    assert str(site / "cvbuild_theme_ocean" / "ocean") in line and "[pdf, html, txt, md, png]" in line


def test_installed_theme_renders_every_format(site: Path, tmp_path: Path) -> None:
    result = _cli(site, "render", EXAMPLE, "-d", "cv", "--theme", "ocean", "-o", tmp_path / "out", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    names = {p.suffix for p in (tmp_path / "out").iterdir()}
    assert {".pdf", ".html", ".txt", ".md", ".png"} <= names
    page = next((tmp_path / "out").glob("*.html")).read_text(encoding="utf-8")
    assert "--accent:#0b5d66" in page and 'class="cv modern sidebar"' in page  # its options, its parent's layout
    aside = page.split('<aside class="band">', 1)[1].split("</aside>", 1)[0]
    assert 'id="honors"' in aside  # its own sidebar_sections


def test_installed_theme_passes_the_check(site: Path, tmp_path: Path) -> None:
    result = _cli(site, "theme", "check", "ocean", "--fixture", "minimal", "--fixture", "hostile", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "theme 'ocean' passes" in result.stdout


def test_a_local_theme_of_the_same_name_wins(site: Path, tmp_path: Path) -> None:
    local = tmp_path / "themes" / "ocean"
    local.mkdir(parents=True)
    (local / "theme.toml").write_text('name = "ocean"\nextends = "classic"\n', encoding="utf-8")
    (tmp_path / "p.yaml").write_text("name: Ada Example\n", encoding="utf-8")
    result = _cli(site, "render", tmp_path / "p.yaml", "--theme", "ocean", "-f", "html", "-o", "out", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert 'class="cv classic"' in (tmp_path / "out" / "ada-example.html").read_text(encoding="utf-8")
