"""`cvbuild watch --serve`: rebuild on save, long-poll reload, errors shown in the page."""

from __future__ import annotations

import socket
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import run_cli, watch_server, write

from cvbuild.watch import BuildState, inject_reload, relevant

# the watch server listens on the loopback; every other host stays blocked (pytest-socket)
pytestmark = pytest.mark.allow_hosts(["127.0.0.1", "::1"])

PROFILE = "name: Ada Example\nsummary: First version.\n"


@pytest.fixture(params=["out"])
def server(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[tuple[str, Path]]:
    yield from _serve(tmp_path, request.param)


@pytest.fixture
def server_here(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """Outputs beside the profile (`-o .`), where the server must still serve only them."""
    yield from _serve(tmp_path, ".")


def _serve(tmp_path: Path, out: str) -> Iterator[tuple[str, Path]]:
    profile = write(tmp_path / "p.yaml", PROFILE)
    for url in watch_server(profile, "-f", "txt", "-o", out):
        yield url, profile


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
    assert not relevant([(1, str(out / "cv.html"))], [out / "cv.html"])
    assert not relevant([(1, str(tmp_path / "notes.docx"))])
    assert not relevant([(1, str(tmp_path / ".cvbuild-tmp-12-ab-cv.md"))])
    assert relevant([(1, str(tmp_path / "p.yaml"))], [tmp_path / "cv.html"])  # `-o .`: sources still count


def test_failed_build_keeps_previous_outputs_and_counts_epoch() -> None:
    state = BuildState()
    state.rebuild(lambda: [Path("a.html")])
    state.rebuild(lambda: (_ for _ in ()).throw(ValueError("boom")))
    assert state.epoch == 2
    assert state.error == "rendering failed: ValueError: boom"
    assert state.outputs == [Path("a.html")]
    assert inject_reload("<body>x</body>", 2).endswith("p()})();</script></body>")


def test_pdf_rebuilds_after_an_edit_and_the_staged_folder_goes(tmp_path: Path) -> None:
    """`watch` hands Typst the Document as a file (cvbuild/targets/typst_stage.py): each save is
    seen in the PDF, and stopping the watch (SIGTERM) removes the private folder it made."""
    from conftest import pdf_text

    temp = tmp_path / "tmp"
    temp.mkdir()
    profile = write(tmp_path / "p.yaml", PROFILE)
    pdf = tmp_path / "out" / "ada-example.pdf"
    for base in watch_server(profile, "-f", "pdf", "-o", "out", env={"TMPDIR": str(temp)}):
        first = _epoch_after(base, 0)
        assert "First version." in pdf_text(pdf)
        assert [p.name[:13] for p in temp.iterdir()] == ["cvbuild-typst"]
        for word in ("Second", "First"):  # and back: an unchanged-again Document is not served stale
            time.sleep(0.2)
            profile.write_text(PROFILE.replace("First", word))
            first = _epoch_after(base, first)
            assert f"{word} version." in pdf_text(pdf)
    assert list(temp.iterdir()) == []


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


def _status(base: str, path: str, host: str | None = None) -> int:
    request = urllib.request.Request(base + path, headers={"Host": host} if host else {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()
            return int(response.status)
    except urllib.error.HTTPError as err:
        err.close()
        return int(err.code)


def test_only_rendered_outputs_are_served_to_localhost(server_here: tuple[str, Path]) -> None:
    """With `-o .` the profile sits beside the outputs: it, and every other file, stays private."""
    base, profile = server_here
    _epoch_after(base, 0)
    write(profile.parent / "notes.txt", "private")
    assert _status(base, "ada-example.txt") == 200
    for path in ("p.yaml", "notes.txt", "%2e%2e/etc/passwd", "ada-example.txt%00.yaml", "%00", "a\\b"):
        assert _status(base, path) == 404, path
    for host in ("evil.example", "evil.example:80", "127.0.0.1.nip.io", "localhost.evil.example"):
        assert _status(base, "ada-example.txt", host=host) == 403, host
    for host in ("localhost", "127.0.0.1:1234", "[::1]:8000"):
        assert _status(base, "ada-example.txt", host=host) == 200, host


def test_bad_requests_and_closed_polls_print_no_traceback(server: tuple[str, Path]) -> None:
    base, _ = server
    first = _epoch_after(base, 0)
    assert _get(base + "__livereload?epoch=abc") == str(first)  # unreadable: answered at once
    assert _get(base + "__livereload?epoch=" + "9" * 40 + "&&;=") == str(first)
    host, port = base.removeprefix("http://").rstrip("/").split(":")
    for _ in range(3):  # a browser that leaves while its long poll waits
        with socket.create_connection((host, int(port)), timeout=10) as conn:
            conn.sendall(f"GET /__livereload?epoch={first} HTTP/1.1\r\nHost: localhost\r\n\r\n".encode())
        with socket.create_connection((host, int(port)), timeout=10) as conn:
            conn.sendall(b"GET /\x00\xff HTTP/1.1\r\nHost: localhost\r\n\r\n")
            conn.recv(100)
    # the fixture's teardown checks the server's stderr for tracebacks


def test_watch_with_outputs_beside_the_profile_rebuilds(server_here: tuple[str, Path]) -> None:
    base, profile = server_here
    first = _epoch_after(base, 0)
    time.sleep(0.2)
    profile.write_text(PROFILE.replace("First", "Second"))
    assert _epoch_after(base, first) > first
    assert "Second version." in _get(base + "ada-example.txt")


@pytest.mark.parametrize("port", ["-1", "65536", "http"])
def test_bad_port_is_a_usage_error(tmp_path: Path, port: str) -> None:
    profile = write(tmp_path / "p.yaml", PROFILE)
    result = run_cli("watch", profile, "--serve", "--port", port)
    assert result.returncode == 2
    assert "--port" in result.stderr and "Traceback" not in result.stderr


def test_builds_run_without_the_cycle_collector_which_collects_after() -> None:
    """A build runs with the collector off; what it left in cycles is collected when it ends, and a
    collector someone else turned off stays off."""
    import gc
    import weakref

    from cvbuild.watch import collector_paused

    class Node:
        other: object = None

    seen: list[bool] = []

    def build() -> list[Path]:
        seen.append(gc.isenabled())
        a, b = Node(), Node()
        a.other, b.other = b, a  # a cycle: only the collector frees it
        refs.append(weakref.ref(a))
        return []

    refs: list[weakref.ref[Node]] = []
    BuildState().rebuild(build)
    assert seen == [False] and gc.isenabled()
    assert refs[0]() is None  # collected after the build
    gc.disable()
    try:
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_profile_saves_with_a_kept_cache_give_what_a_fresh_render_gives(tmp_path: Path) -> None:
    """`watch` keeps the parsed YAML by top-level block (and compilers, pages, typeset copies):
    after an edit, lines added above every block, a return to the first text, and an error in a
    block that moved, each build writes the bytes, or says the located errors, of a fresh render."""
    from conftest import EXAMPLE

    from cvbuild.errors import InputError
    from cvbuild.pipeline import RenderRequest, render
    from cvbuild.targets.typst_stage import staged_session

    original = EXAMPLE.read_text(encoding="utf-8")
    assert "\nheadline: " in original and "\n  - organization: " in original
    versions = [
        original,
        original.replace("\nheadline: ", "\nheadline: (edited) ", 1),
        "# a comment\n\n" + original.replace("\nheadline: ", "\nheadline: (edited) ", 1),
        original,
    ]
    broken = "# moved\n" + original.replace("\n  - organization: ", "\n  - organization: [a, b]\n    x: ", 1)
    profile = tmp_path / "example.yaml"
    cache: dict[object, object] = {}

    def outcome(folder: Path, kept: dict[object, object] | None) -> dict[str, bytes] | str:
        request = RenderRequest(profile=profile, formats=["html", "pdf", "txt"], document="cv", output=folder)
        try:
            render(request, cache=kept)
        except InputError as exc:
            return str(exc)
        return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}

    with staged_session(cache):
        for i, text in enumerate([*versions, broken]):
            profile.write_text(text, encoding="utf-8")
            kept = outcome(tmp_path / f"kept{i}", cache)
            assert kept == outcome(tmp_path / f"fresh{i}", None), i
        assert isinstance(kept, str) and "example.yaml:" in kept


def test_the_served_page_reloads_itself_in_a_browser(tmp_path: Path, browser: Any) -> None:
    """The page's own Content-Security-Policy (`default-src 'none'`) blocked the injected reload
    script in every browser: the README's "reloads itself" never happened. The preview now lets
    that script (by its hash) run and poll; a save shows in the open page, so does a mistake, and
    so does its fix. The written file keeps its policy."""
    profile = write(tmp_path / "p.yaml", PROFILE)
    for base in watch_server(profile, "-f", "html", "-o", "out"):
        first = _epoch_after(base, 0)
        page = browser.new_page()
        blocked: list[str] = []
        page.on("console", lambda message, seen=blocked: seen.append(message.text))
        try:
            page.goto(base)
            assert "First version." in page.inner_text("body")
            profile.write_text(PROFILE.replace("First", "Second"))
            _wait_for(page, "Second version.")
            profile.write_text("name: Ada Example\nsumary: typo\n")
            _wait_for(page, "The last build failed")
            assert "did you mean 'summary'" in page.inner_text("body")
            profile.write_text(PROFILE.replace("First", "Third"))
            _wait_for(page, "Third version.")
        finally:
            page.close()
        assert not [m for m in blocked if "Content Security Policy" in m], blocked
        assert first
    written = (tmp_path / "out" / "ada-example.html").read_text(encoding="utf-8")
    assert "default-src 'none'" in written and "sha256-" not in written and "<script>(function" not in written


def _wait_for(page: Any, text: str, seconds: float = 20) -> None:
    """Until the open page shows `text`: the page reloads by itself, nobody navigates it. Polled
    from here, since the page's policy forbids the eval behind playwright's wait_for_function."""
    from playwright.sync_api import Error

    end = time.monotonic() + seconds
    shown = ""
    while text not in shown:
        assert time.monotonic() < end, f"{text!r} not shown: {shown[:300]!r}"
        time.sleep(0.1)
        try:
            shown = page.inner_text("body")
        except Error:  # the page is reloading
            shown = ""
