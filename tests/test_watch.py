"""`cvbuild watch --serve`: rebuild on save, long-poll reload, errors shown in the page."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import EPOCH, write

from cvbuild.watch import BuildState, inject_reload, relevant

PROFILE = "name: Ada Example\nsummary: First version.\n"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    profile = write(tmp_path / "p.yaml", PROFILE)
    proc = subprocess.Popen(
        [sys.executable, "-m", "cvbuild", "watch", str(profile), "-f", "txt", "--serve", "--port", "0", "-o", "out"],
        cwd=tmp_path,
        env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith("serving http://127.0.0.1:"), line
        yield line.split()[1], profile
    finally:
        proc.terminate()
        proc.communicate(timeout=10)  # also closes the pipes


def _get(url: str, timeout: float = 30) -> str:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        body: bytes = response.read()
        return body.decode("utf-8")


def _epoch_after(base: str, seen: int) -> int:
    return int(_get(f"{base}__livereload?epoch={seen}"))


def test_rebuilds_on_save_and_shows_errors_in_page(server: tuple[str, Path]) -> None:
    base, profile = server
    first = _epoch_after(base, 0)  # epoch 0 is "nothing built yet"
    assert "First version." in _get(base + "ada-example.txt")

    time.sleep(0.2)
    profile.write_text(PROFILE.replace("First", "Second"))
    second = _epoch_after(base, first)
    assert second > first
    assert "Second version." in _get(base + "ada-example.txt")

    profile.write_text("name: Ada Example\nsumary: typo\n")
    third = _epoch_after(base, second)
    page = _get(base)
    assert "The last build failed" in page
    assert "p.yaml:2:1: sumary: unknown key" in page and "did you mean &#x27;summary&#x27;" in page
    assert f"var e={third}" in page  # the error page keeps polling, so a fix reloads it
    assert "Second version." in (profile.parent / "out" / "ada-example.txt").read_text()  # last good output kept

    profile.write_text(PROFILE.replace("First", "Third"))
    _epoch_after(base, third)
    assert "Third version." in _get(base + "ada-example.txt")


def test_server_does_not_serve_outside_output(server: tuple[str, Path]) -> None:
    base, _ = server
    _epoch_after(base, 0)
    with pytest.raises(urllib.error.HTTPError) as err:
        _get(base + "..%2Fp.yaml")
    assert err.value.code == 404
    err.value.close()


def test_own_outputs_do_not_trigger_builds(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert not relevant([(1, str(out / "cv.html"))], out)
    assert not relevant([(1, str(tmp_path / "notes.docx"))], out)
    assert relevant([(1, str(tmp_path / "p.yaml"))], out)


def test_failed_build_keeps_previous_outputs_and_counts_epoch() -> None:
    state = BuildState()
    state.rebuild(lambda: [Path("a.html")])
    state.rebuild(lambda: (_ for _ in ()).throw(ValueError("boom")))
    assert state.epoch == 2
    assert state.error == "rendering failed: ValueError: boom"
    assert state.outputs == [Path("a.html")]
    assert inject_reload("<body>x</body>", 2).endswith("p()})();</script></body>")


def test_cache_kept_between_rebuilds_still_sees_edited_templates(tmp_path: Path) -> None:
    from cvbuild.pipeline import RenderRequest, render

    theme = tmp_path / "themes" / "t"
    write(theme / "theme.toml", 'name = "t"\nextends = "classic"\n')
    write(theme / "cv.txt.j2", "ONE {{ person.name }}\n")
    profile = write(tmp_path / "p.yaml", PROFILE)
    request = RenderRequest(profile=profile, formats=["txt", "pdf"], theme="t", output=tmp_path / "out")
    cache: dict[object, object] = {}
    render(request, cache=cache)
    assert (tmp_path / "out" / "ada-example.txt").read_text() == "ONE Ada Example\n"
    typ = (tmp_path / "out" / "ada-example.pdf").read_bytes()
    time.sleep(0.05)  # a new mtime, as a save in an editor gives
    write(theme / "cv.txt.j2", "TWO {{ person.name }}\n")
    (theme / "cv.typ").write_text('#set document(title: "x")\nEdited layout\n')
    render(request, cache=cache)
    assert (tmp_path / "out" / "ada-example.txt").read_text() == "TWO Ada Example\n"
    assert (tmp_path / "out" / "ada-example.pdf").read_bytes() != typ
