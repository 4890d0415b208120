"""Compiled Jinja templates kept between runs never serve an edited template's old code."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from conftest import EXAMPLE, write

from cvbuild.pipeline import RenderRequest, parse_formats, render
from cvbuild.targets import template_cache


def _render_txt(profile: Path, out: Path) -> str:
    request = RenderRequest(profile=profile, formats=parse_formats("txt"), document="cv", output=out, theme="mine")
    (path,) = render(request, cache={})  # a fresh cache: a new Jinja environment, as in a new process
    return path.read_text(encoding="utf-8")


@pytest.fixture
def profile(tmp_path: Path) -> Path:
    path = tmp_path / "profile.yaml"
    path.write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    write(tmp_path / "themes" / "mine" / "theme.toml", 'name = "mine"\nextends = "classic"\n')
    write(tmp_path / "themes" / "mine" / "cv.txt.j2", "{% include '_part.txt.j2' %}\n")
    write(tmp_path / "themes" / "mine" / "_part.txt.j2", "first {{ person.name }}")
    return path


def test_an_edited_template_is_compiled_again(profile: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CVBUILD_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("CVBUILD_NO_CACHE", raising=False)
    assert _render_txt(profile, tmp_path / "a").startswith("first ")
    stored = sorted((tmp_path / "cache" / "jinja").iterdir())
    assert len(stored) >= 2  # the template and the file it includes
    assert _render_txt(profile, tmp_path / "b").startswith("first ")  # served from the cache
    # An edit of the included file, of the same length and within the same second: new output.
    write(tmp_path / "themes" / "mine" / "_part.txt.j2", "again {{ person.name }}")
    assert _render_txt(profile, tmp_path / "c").startswith("again ")
    write(tmp_path / "themes" / "mine" / "cv.txt.j2", "top\n{% include '_part.txt.j2' %}\n")
    assert _render_txt(profile, tmp_path / "d").startswith("top\nagain ")


def test_cached_and_fresh_output_are_the_same_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    profile = tmp_path / "profile.yaml"
    profile.write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    outputs = []
    for run, setting in enumerate(("1", "", "")):  # off, then filling the cache, then served from it
        monkeypatch.setenv("CVBUILD_NO_CACHE", setting)
        monkeypatch.setenv("CVBUILD_CACHE_DIR", str(tmp_path / "cache"))
        request = RenderRequest(profile=profile, formats=parse_formats("html,txt,md"), output=tmp_path / f"o{run}")
        outputs.append({p.name: p.read_bytes() for p in render(request, cache={})})
    assert outputs[0] == outputs[1] == outputs[2]
    assert any((tmp_path / "cache" / "jinja").iterdir())


def test_key_covers_versions_and_options(monkeypatch: pytest.MonkeyPatch) -> None:
    from jinja2.sandbox import SandboxedEnvironment

    plain, escaping = SandboxedEnvironment(), SandboxedEnvironment(autoescape=True)
    assert template_cache.fingerprint(plain) != template_cache.fingerprint(escaping)
    trimmed = SandboxedEnvironment(trim_blocks=True)
    assert template_cache.fingerprint(plain) != template_cache.fingerprint(trimmed)
    before = template_cache.fingerprint(plain)
    monkeypatch.setattr("cvbuild.__version__", "999.0")
    assert template_cache.fingerprint(plain) != before


def test_an_unusable_or_damaged_cache_only_costs_time(
    profile: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the folder would be", encoding="utf-8")
    monkeypatch.setenv("CVBUILD_CACHE_DIR", str(blocked))
    monkeypatch.delenv("CVBUILD_NO_CACHE", raising=False)
    assert _render_txt(profile, tmp_path / "a").startswith("first ")
    monkeypatch.setenv("CVBUILD_CACHE_DIR", str(tmp_path / "cache"))
    _render_txt(profile, tmp_path / "b")
    for entry in (tmp_path / "cache" / "jinja").iterdir():
        entry.write_bytes(b"j2 damaged")
    assert _render_txt(profile, tmp_path / "c").startswith("first ")


def test_no_cache_setting_and_folder_choice(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CVBUILD_NO_CACHE", "1")
    assert template_cache.cache_dir() is None
    monkeypatch.setenv("CVBUILD_NO_CACHE", "")
    monkeypatch.delenv("CVBUILD_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert template_cache.cache_dir() == tmp_path / "cvbuild" / "jinja"


def test_a_fifo_where_an_entry_goes_is_passed_by(
    profile: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Jinja opens an entry with open(): a FIFO there blocked every render for good, waiting for
    a writer. An entry is read as a regular file only (read_regular), else compiled."""
    import os
    import threading

    monkeypatch.setenv("CVBUILD_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("CVBUILD_NO_CACHE", raising=False)
    _render_txt(profile, tmp_path / "a")
    entries = sorted((tmp_path / "cache" / "jinja").iterdir())
    for entry in entries:
        entry.unlink()
        os.mkfifo(entry)
    done: list[str] = []
    worker = threading.Thread(target=lambda: done.append(_render_txt(profile, tmp_path / "b")), daemon=True)
    worker.start()
    worker.join(20)
    if worker.is_alive():  # let the thread go: open each FIFO for writing once
        for entry in entries:
            with contextlib.suppress(OSError):
                os.close(os.open(entry, os.O_WRONLY | os.O_NONBLOCK))
        worker.join(10)
        pytest.fail("the render blocked on a FIFO in the template cache")
    assert done and done[0].startswith("first ")
