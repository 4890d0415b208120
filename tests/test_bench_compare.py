"""bench/compare.py without RenderCV: it skips cleanly, and its generated content imports into cvbuild."""

from __future__ import annotations

import stat
from pathlib import Path
from types import ModuleType

import pytest
from conftest import bench_module

from cvbuild.interop.rendercv import import_file


@pytest.fixture
def compare(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    return bench_module("compare", monkeypatch)


def fake_rendercv(folder: Path, render: str) -> Path:
    """A stand-in `rendercv`: `new` writes a small sample, `render` runs the given shell lines."""
    script = folder / "rendercv"
    script.write_text(
        "#!/bin/sh\n"
        'if [ "$1" = new ]; then printf "cv:\\n  name: Ada Example\\n  sections:\\n'
        '    publications: []\\n" > Ada_Example_CV.yaml; exit 0; fi\n'
        f'if [ "$1" = render ]; then {render}; fi\n',
        encoding="utf-8",
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script


def test_skips_when_rendercv_is_absent(
    compare: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("RENDERCV", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert compare.main([]) == 0
    assert "RenderCV is not installed" in capsys.readouterr().out
    assert compare.main(["--rendercv", str(tmp_path / "nowhere" / "rendercv")]) == 0


def test_skips_when_rendercv_cannot_download_its_typst_packages(
    compare: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fails = 'echo "TypstError: failed to download package (@preview/fontawesome:0.6.0)"; exit 1'
    rendercv = fake_rendercv(tmp_path, fails)
    assert compare.main(["--rendercv", str(rendercv), "--runs", "1"]) == 0
    said = capsys.readouterr().out
    assert "RenderCV cannot render here" in said
    assert "TypstError: failed to download package" in said
    assert "--typst-packages" in said  # how to fix it


def test_a_typst_package_folder_without_preview_is_refused(
    compare: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rendercv = fake_rendercv(tmp_path, "exit 0")
    assert compare.main(["--rendercv", str(rendercv), "--typst-packages", str(tmp_path)]) == 2
    assert "no preview/ folder" in capsys.readouterr().out


def test_the_package_folder_is_served_through_a_private_typst_cache(compare: ModuleType, tmp_path: Path) -> None:
    packages = tmp_path / "packages"
    (packages / "preview" / "fontawesome" / "0.6.0").mkdir(parents=True)
    work = tmp_path / "work"
    work.mkdir()
    env = compare.rendercv_env(packages, work)
    # typst-kit's default package cache is $XDG_CACHE_HOME/typst/packages
    served = Path(env["XDG_CACHE_HOME"]) / "typst" / "packages" / "preview" / "fontawesome" / "0.6.0"
    assert served.is_dir()
    assert env["SOURCE_DATE_EPOCH"] == compare.EPOCH


def test_generated_publications_import_as_the_same_content(compare: ModuleType, tmp_path: Path) -> None:
    sample = tmp_path / "Ada_Example_CV.yaml"
    sample.write_text("cv:\n  name: Ada Example\n  sections:\n    publications: []\n", encoding="utf-8")
    first = compare.with_publications(sample, 40).read_bytes()
    path = compare.with_publications(sample, 40)
    assert path.read_bytes() == first  # seeded: the same file every run
    warnings: list[str] = []
    profile = import_file(path, warnings.append)
    assert warnings == []
    pubs = profile["publications"]
    assert len(pubs) == 40
    assert all(any("Ada Example" in str(a) for a in p["authors"]) for p in pubs)
