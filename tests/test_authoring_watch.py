"""Editing a theme under `cvbuild watch --serve`: a template error shows in the page with the theme's
file:line, and the next good save brings the CV back."""

from __future__ import annotations

import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import watch_server, write

from cvbuild.themes.theme import builtin_themes_dir

# the watch server listens on the loopback; every other host stays blocked (pytest-socket)
pytestmark = pytest.mark.allow_hosts(["127.0.0.1", "::1"])

PAGE = '{% extends "_layout.html.j2" %}\n{% block body_class %}cv classic mine{% endblock %}\n'


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """`watch --serve` of a profile that uses a theme of its own in ./themes/mine."""
    theme = tmp_path / "themes" / "mine"
    write(theme / "theme.toml", 'name = "mine"\nextends = "classic"\n')
    write(theme / "cv.html.j2", PAGE)
    write(theme / "cv.typ", (builtin_themes_dir() / "classic" / "cv.typ").read_text(encoding="utf-8"))
    profile = write(tmp_path / "p.yaml", "name: Ada Example\nsummary: Theme work.\ndocuments: {cv: {theme: mine}}\n")
    for url in watch_server(profile, "-f", "html,pdf"):
        yield url, theme


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=60) as response:
        body: bytes = response.read()
        return body.decode("utf-8")


def _next_epoch(base: str, seen: int) -> int:
    return int(_get(f"{base}__livereload?epoch={seen}"))


def test_theme_errors_show_in_the_page_and_clear_on_the_next_save(served: tuple[str, Path]) -> None:
    base, theme = served
    epoch = _next_epoch(base, 0)
    assert "cv classic mine" in _get(base) and "Theme work." in _get(base)

    time.sleep(0.2)
    (theme / "cv.html.j2").write_text(PAGE + "{% block masthead %}{{ person.nickname }}{% endblock %}\n")
    epoch = _next_epoch(base, epoch)
    page = _get(base)
    assert "The last build failed" in page
    assert f"{theme / 'cv.html.j2'}:3:31: template error" in page and "nickname" in page

    (theme / "cv.html.j2").write_text(PAGE)  # fixed
    epoch = _next_epoch(base, epoch)
    assert "The last build failed" not in _get(base) and "cv classic mine" in _get(base)

    source = (theme / "cv.typ").read_text(encoding="utf-8")
    (theme / "cv.typ").write_text(source + "#no-such-function()\n")
    epoch = _next_epoch(base, epoch)
    page = _get(base)
    assert "The last build failed" in page
    line = source.count("\n") + 1
    assert f"themes/mine/cv.typ:{line}:2: Typst error in theme: unknown variable: no-such-function" in page

    (theme / "cv.typ").write_text(source)
    _next_epoch(base, epoch)
    assert "Theme work." in _get(base)
