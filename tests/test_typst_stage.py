"""The Document as a file for `watch`'s long-lived Typst compiler (cvbuild/targets/typst_stage.py):
the same PDF as sys.inputs gives, every edit seen, and sys.inputs kept where a theme reads it."""

from __future__ import annotations

import shutil
import stat
from pathlib import Path
from typing import Any

import pytest
from conftest import BUILTIN_THEMES, ROOT, pdf_text

from cvbuild.pipeline import RenderRequest, render
from cvbuild.targets import typst_pdf, typst_stage
from cvbuild.targets.typst_stage import staged_session


def _profile(tmp_path: Path, headline: str = "Systems researcher") -> Path:
    path = tmp_path / "profile.yaml"
    path.write_text(
        f"name: Ada Example\nheadline: {headline}\nexperience:\n"
        "  - {organization: Lab, role: Intern, start: 2023-05, end: present, highlights: [Built things]}\n",
        encoding="utf-8",
    )
    return path


def _pdf(profile: Path, out: Path, cache: dict[Any, Any] | None = None, theme: str | None = None) -> bytes:
    request = RenderRequest(profile=profile, formats=["pdf"], theme=theme, output=out)
    return render(request, cache=cache)[0].read_bytes()


def _compiler_folders(cache: dict[Any, Any]) -> list[str | None]:
    return [key[2] for key in cache.get("typst.compilers", {})]


@pytest.mark.parametrize("theme", BUILTIN_THEMES)
def test_staged_pdf_is_byte_identical_to_the_sys_inputs_one(theme: str, tmp_path: Path) -> None:
    example = tmp_path / "example"
    shutil.copytree(ROOT / "profiles", example)
    profile = example / "example.yaml"
    plain = _pdf(profile, tmp_path / "plain", theme=theme)
    cache: dict[Any, Any] = {}
    with staged_session(cache) as folder:
        staged = _pdf(profile, tmp_path / "staged", cache, theme)
        assert all(str(f).startswith(str(folder)) for f in _compiler_folders(cache)), _compiler_folders(cache)
    assert staged == plain


def test_every_edit_is_seen_and_the_session_folder_goes(tmp_path: Path) -> None:
    cache: dict[Any, Any] = {}
    with staged_session(cache) as folder:
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700  # private: other users cannot swap the Document
        headlines = ("Systems researcher", "Compiler engineer", "Systems researcher")  # and back to the first
        for i, headline in enumerate(headlines):
            _pdf(_profile(tmp_path, headline), tmp_path / "out", cache)
            text = pdf_text(tmp_path / "out" / "ada-example.pdf")
            assert headline in text and headlines[1 - i % 2] not in text, (i, text)
        assert len(_compiler_folders(cache)) == 1  # one warm compiler did all three
    assert not folder.exists()
    assert typst_stage.STAGE not in cache


def test_a_theme_that_reads_sys_inputs_itself_keeps_it(tmp_path: Path) -> None:
    theme = tmp_path / "themes" / "raw-inputs"
    shutil.copytree(ROOT / "themes" / "classic", theme)
    manifest = theme / "theme.toml"
    manifest.write_text(
        manifest.read_text(encoding="utf-8").replace('name = "classic"', 'name = "raw-inputs"'), encoding="utf-8"
    )
    source = (theme / "cv.typ").read_text(encoding="utf-8")
    (theme / "cv.typ").write_text(
        source.replace("#let doc = load-document()", '#let doc = json(bytes(sys.inputs.at("cvbuild")))'),
        encoding="utf-8",
    )
    cache: dict[Any, Any] = {}
    with staged_session(cache):
        first = _pdf(_profile(tmp_path, "Systems researcher"), tmp_path / "out", cache, str(theme))
        second = _pdf(_profile(tmp_path, "Compiler engineer"), tmp_path / "out", cache, str(theme))
        assert _compiler_folders(cache) == [str(ROOT / "themes" / "base" / "packages")]  # not staged
    assert first != second
    assert "Compiler engineer" in pdf_text(tmp_path / "out" / "ada-example.pdf")


def test_a_failed_write_never_leaves_typst_the_previous_document(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache: dict[Any, Any] = {}
    with staged_session(cache):
        _pdf(_profile(tmp_path, "Systems researcher"), tmp_path / "out", cache)

        def full_disk(_mirror: Path, _data: str) -> None:
            raise OSError(28, "No space left on device")

        monkeypatch.setattr(typst_stage, "write_document", full_disk)
        _pdf(_profile(tmp_path, "Compiler engineer"), tmp_path / "out", cache)
    text = pdf_text(tmp_path / "out" / "ada-example.pdf")
    assert "Compiler engineer" in text and "Systems researcher" not in text


def test_the_data_package_is_not_a_missing_package() -> None:
    """lib.typ names @local/cvbuild-document, which no theme ships: cvbuild writes it."""
    lib = ROOT / "themes" / "base" / "packages" / "local" / "cvbuild" / "1.0.0"
    assert "@local/cvbuild-document:1.0.0" in (lib / "lib.typ").read_text(encoding="utf-8")
    typst_pdf.check_packages([lib], ROOT / "themes" / "base" / "packages")  # raises if it were refused


def test_no_document_is_written_once_the_session_is_gone(tmp_path: Path) -> None:
    """A warm start's thread may still stage the last run's Document after Ctrl-C removed the
    session's folder: it must fail, not make the folder again (mode 0755, the Document in it)."""
    cache: dict[Any, Any] = {}
    with typst_stage.staged_session(cache) as stage:
        mirror = stage / "m"
        typst_stage._write_if_changed(mirror.joinpath(*typst_stage.DATA_PACKAGE, "lib.typ"), b"")
        typst_stage.write_document(mirror, "{}")
    assert not stage.exists()
    with pytest.raises(OSError):
        typst_stage.write_document(mirror, '{"name": "Ada"}')
    assert not stage.exists()


def test_staged_folders_of_ended_processes_are_swept(tmp_path: Path) -> None:
    """A render killed with SIGKILL leaves its staged folder (the Document inside) behind; the
    next staged session removes those of processes that no longer exist, once an hour old."""
    import os
    import subprocess
    import time

    from cvbuild.targets.typst_stage import PREFIX, STALE_SECONDS, sweep

    gone = subprocess.Popen(["true"])  # a pid that has ended
    gone.wait()
    old = time.time() - STALE_SECONDS - 60
    dead = tmp_path / f"{PREFIX}{gone.pid}-abc"
    live = tmp_path / f"{PREFIX}{os.getpid()}-def"
    young = tmp_path / f"{PREFIX}{gone.pid}-young"
    other = tmp_path / "cvbuild-typst-notapid"
    for folder in (dead, live, young, other):
        (folder / "x").mkdir(parents=True)
        (folder / "x" / "document.json").write_text("{}", encoding="utf-8")
    for folder in (dead, live, other):
        os.utime(folder, (old, old))
    sweep(tmp_path)
    assert not dead.exists()
    assert live.exists() and young.exists() and other.exists()
