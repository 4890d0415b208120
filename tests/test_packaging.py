"""What CI installs: the sdist and wheel build, the wheel works in a fresh venv outside the repository
(every built-in theme, CJK fonts included), `pipx install .` works, and `--version` is the package's."""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import EPOCH, ROOT, pdf_text, squash, write

from cvbuild import __version__

_MANIFESTS = {
    p.parent.name: tomllib.loads(p.read_text(encoding="utf-8")) for p in (ROOT / "themes").glob("*/theme.toml")
}
THEMES = sorted(name for name, manifest in _MANIFESTS.items() if not manifest.get("abstract"))
# What each theme makes of pdf, html, txt, md (a theme without `targets` makes them all, as base's children do).
FORMATS = {
    name: [f for f in ("pdf", "html", "txt", "md") if f in m.get("targets", [f])] for name, m in _MANIFESTS.items()
}
PROFILE = """\
name: Ada Example
native_name: 艾达·示例
headline: 博士研究生 — systems for machine learning
summary: Builds **reliable systems**; 日本語と한국어も読めます.
"""


def build(source: Path, out: Path, *targets: str) -> None:
    args = [arg for t in targets for arg in ("-t", t)]
    subprocess.run(
        [sys.executable, "-m", "hatchling", "build", *args, "-d", str(out)],
        cwd=source,
        check=True,
        capture_output=True,
        env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH},
    )


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    out = tmp_path_factory.mktemp("dist")
    build(ROOT, out, "sdist", "wheel")
    build(ROOT / "fonts-cjk", out, "wheel")
    yield out


def names_in_wheel(wheel: Path) -> set[str]:
    with zipfile.ZipFile(wheel) as zf:
        return {n for n in zf.namelist() if ".dist-info/" not in n}


def test_wheel_and_sdist_carry_the_version_and_the_themes(dist: Path) -> None:
    wheel = dist / f"cvbuild-{__version__}-py3-none-any.whl"
    sdist = dist / f"cvbuild-{__version__}.tar.gz"
    assert wheel.is_file() and sdist.is_file(), sorted(p.name for p in dist.iterdir())
    names = names_in_wheel(wheel)
    for theme in [*THEMES, "base"]:
        assert f"cvbuild/_themes/{theme}/theme.toml" in names
    assert any(n.startswith("cvbuild/_themes/base/fonts/") for n in names)
    assert not any(n.startswith(("tests/", "bench/", ".venv")) for n in names)
    with zipfile.ZipFile(wheel) as zf:
        metadata = zf.read(f"cvbuild-{__version__}.dist-info/METADATA").decode()
    assert f"\nVersion: {__version__}\n" in metadata
    assert "Provides-Extra: cjk" in metadata
    with tarfile.open(sdist) as tf:
        members = {m.name.split("/", 1)[1] for m in tf.getmembers() if "/" in m.name}
    for needed in ("pyproject.toml", "README.md", "cvbuild/__init__.py", "themes/classic/theme.toml"):
        assert needed in members


def test_a_wheel_built_from_the_sdist_is_the_same(dist: Path, tmp_path: Path) -> None:
    with tarfile.open(dist / f"cvbuild-{__version__}.tar.gz") as tf:
        tf.extractall(tmp_path, filter="data")
    rebuilt = tmp_path / "rebuilt"
    build(tmp_path / f"cvbuild-{__version__}", rebuilt, "wheel")
    [again] = rebuilt.glob("*.whl")
    assert names_in_wheel(again) == names_in_wheel(dist / again.name)


def test_wheel_in_a_fresh_venv_renders_every_theme_with_cjk(dist: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    # A venv without pip, filled by this environment's pip (`--python`): ensurepip's copy costs ~6 s of
    # CPU, and the pip Python bundles (23.2) ~20 s more than a current one to resolve the same wheels.
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    wheels = [dist / f"cvbuild-{__version__}-py3-none-any.whl", *dist.glob("cvbuild_fonts_cjk-*.whl")]
    subprocess.run(
        # --no-compile: byte-compiling every dependency is a third of the install's CPU, and not what is checked
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            venv / "bin" / "python",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--no-compile",
            *wheels,
        ],
        check=True,
        capture_output=True,
        timeout=1200,
    )
    cvbuild = venv / "bin" / "cvbuild"
    work = tmp_path / "elsewhere"  # no checkout near: themes and fonts must come from the install
    write(work / "p.yaml", PROFILE)
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")} | {"SOURCE_DATE_EPOCH": EPOCH}
    version = subprocess.run([cvbuild, "--version"], cwd=work, env=env, capture_output=True, text=True, check=True)
    assert version.stdout.strip() == f"cvbuild {__version__}"
    listed = subprocess.run([cvbuild, "themes"], cwd=work, env=env, capture_output=True, text=True, check=True)
    assert sorted(line.split()[0] for line in listed.stdout.splitlines()) == THEMES
    assert str(ROOT) not in listed.stdout
    for theme in THEMES:
        result = subprocess.run(
            [
                cvbuild,
                "render",
                "p.yaml",
                "--theme",
                theme,
                "-f",
                ",".join(FORMATS[theme]),
                "-o",
                f"out/{theme}",
                "--strict",
            ],
            cwd=work,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, f"{theme}: {result.stderr}"  # --strict: no glyph is missing
        assert "艾达·示例" in (work / "out" / theme / "ada-example.html").read_text(encoding="utf-8")
        if "pdf" in FORMATS[theme]:
            assert "艾达·示例" in (work / "out" / theme / "ada-example.txt").read_text(encoding="utf-8")
            assert squash("日本語と한국어も読めます") in squash(pdf_text(work / "out" / theme / "ada-example.pdf"))


def test_pipx_install_of_the_checkout(tmp_path: Path) -> None:
    home = tmp_path / "pipx"
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"} | {
        "PIPX_HOME": str(home),
        "PIPX_BIN_DIR": str(home / "bin"),
        "PIPX_MAN_DIR": str(home / "man"),
    }
    result = subprocess.run(
        [sys.executable, "-m", "pipx", "install", "--pip-args=--no-compile", str(ROOT)],
        env=env,
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    version = subprocess.run([home / "bin" / "cvbuild", "--version"], capture_output=True, text=True, check=True)
    assert version.stdout.strip() == f"cvbuild {__version__}"
    write(tmp_path / "p.yaml", "name: Ada Example\n")
    render = subprocess.run(
        [home / "bin" / "cvbuild", "render", "p.yaml", "-f", "txt"],
        cwd=tmp_path,
        env=env | {"SOURCE_DATE_EPOCH": EPOCH},
        capture_output=True,
        text=True,
    )
    assert render.returncode == 0, render.stderr
    assert "ADA EXAMPLE" in (tmp_path / "out" / "ada-example.txt").read_text().upper()
