"""Typst's warm start (cvbuild/targets/typst_warm.py): the next render of a profile compiles the
last one's Document in a thread while Python loads; it must never change a byte of the output,
never serve an old Document, and never run anything but cvbuild's own themes early."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from pypdf import PdfReader

from cvbuild import __version__
from cvbuild.cli.outcome import _warm_folders, keep_recipes, warm_start
from cvbuild.pipeline import RenderRequest, render_outputs
from cvbuild.targets import template_cache, typst_stage, typst_warm, weasyprint_early
from tests.conftest import EXAMPLE, offline_prefix, run_cli


def _text(pdf: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(pdf).pages)


def _render(profile: Path, out: Path, cache: Path | None, *args: str) -> bytes:
    env = {"CVBUILD_CACHE_DIR": str(cache)} if cache is not None else {"CVBUILD_NO_CACHE": "1"}
    result = run_cli("render", profile, "-d", "cv", "-f", "pdf", "-o", out, *args, env=env)
    assert result.returncode == 0, result.stderr
    (pdf,) = out.glob("*.pdf")
    return pdf.read_bytes()


def test_warm_renders_are_the_cold_bytes_and_pick_up_every_edit(tmp_path: Path) -> None:
    """A second render (warm: the first one's Document laid out beforehand) writes the bytes a
    render without any cache writes; after an edit, the new text, again the cold bytes."""
    profile = tmp_path / "p.yaml"
    profile.write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    cache = tmp_path / "cache"
    cold = _render(profile, tmp_path / "cold", None)
    first = _render(profile, tmp_path / "first", cache)
    assert list((cache / typst_warm.SUBDIR).glob("*.json")), "no recipe kept"
    warm = _render(profile, tmp_path / "warm", cache)
    assert first == cold and warm == cold
    edited = profile.read_text(encoding="utf-8").replace("Sky Systems Lab", "Sky Systems Laboratory 编辑 #x $y$")
    profile.write_text(edited, encoding="utf-8")
    after = _render(profile, tmp_path / "after", cache)
    assert after == _render(profile, tmp_path / "cold2", None)
    assert "Sky Systems Laboratory 编辑 #x $y$" in _text(next((tmp_path / "after").glob("*.pdf")))


def test_the_warm_compiler_is_the_one_the_render_uses(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The render takes the compiler the thread warmed instead of making its own."""
    monkeypatch.setenv("CVBUILD_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("CVBUILD_NO_CACHE", raising=False)
    made: list[str] = []
    real = typst_warm.new_compiler

    def counting(key: typst_warm.CompilerKey) -> object:
        made.append(threading.current_thread().name)
        return real(key)

    monkeypatch.setattr(typst_warm, "new_compiler", counting)

    def render(out: str) -> None:
        with warm_start(EXAMPLE, "pdf", None, "cv") as cache:
            render_outputs(RenderRequest(EXAMPLE, ["pdf"], document="cv", output=tmp_path / out), cache=cache)
            keep_recipes(EXAMPLE, cache)

    render("one")
    assert made == ["MainThread"]
    render("two")
    assert made == ["MainThread", "cvbuild-warm"]
    assert (tmp_path / "one" / "wenya-tang-cv.pdf").read_bytes() == (
        tmp_path / "two" / "wenya-tang-cv.pdf"
    ).read_bytes()


def test_a_profile_with_characters_no_font_has_compiles_once_when_warm(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The last-resort font (an emoji's box) is one of the compiler's fonts, made for the Document's
    characters. A render of the PDF alone finds them before its one compile (the font check runs
    first where nothing runs beside the compile); the recipe keeps the glyphs, so the next render
    warms the compiler with that font and compiles once; the bytes are a cold render's."""
    monkeypatch.setenv("CVBUILD_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("CVBUILD_NO_CACHE", raising=False)
    profile = tmp_path / "p.yaml"
    profile.write_text("name: Ada Example\nsummary: 'Ships 🚀 and 👍🏽.'\n", encoding="utf-8")
    made: list[tuple[str, tuple[str, ...]]] = []
    real = typst_warm.new_compiler

    def counting(key: typst_warm.CompilerKey) -> object:
        made.append((threading.current_thread().name.rstrip("_0123456789"), key[3]))
        return real(key)

    monkeypatch.setattr(typst_warm, "new_compiler", counting)

    def render(out: str) -> bytes:
        with warm_start(profile, "pdf", None, None) as cache:
            render_outputs(RenderRequest(profile, ["pdf"], output=tmp_path / out), cache=cache)
            keep_recipes(profile, cache)
        (pdf,) = (tmp_path / out).glob("*.pdf")
        return pdf.read_bytes()

    first = render("one")
    glyphs = ("🏽", "👍", "👍🏽", "🚀")
    assert made == [("MainThread", glyphs)]
    assert render("two") == first
    assert made[1:] == [("cvbuild-warm", glyphs)]
    assert first == _render(profile, tmp_path / "cold", None)
    assert "Ships 🚀 and 👍🏽." in _text(tmp_path / "cold" / "ada-example.pdf")


def test_only_builtin_themes_and_typst_keep_recipes(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    theme = tmp_path / "mine"
    theme.mkdir()
    (theme / "theme.toml").write_text('extends = "classic"\n', encoding="utf-8")
    _render(EXAMPLE, tmp_path / "a", cache, "--theme", str(theme))
    _render(EXAMPLE, tmp_path / "b", cache, "--engine", "weasyprint")
    _render(EXAMPLE, tmp_path / "c", None)
    assert list(cache.glob(f"{typst_warm.SUBDIR}/*.json")) == []
    _render(EXAMPLE, tmp_path / "d", cache, "--theme", "modern")
    assert len(list(cache.glob(f"{typst_warm.SUBDIR}/*.json"))) == 1


def _recipe(template: str) -> dict[str, object]:
    return {
        "document": "cv",
        "template": template,
        "fonts": [],
        "packages": None,
        "last_resort": [],
        "inputs": {"cvbuild": "{}"},
        "day": "2026-01-01",
        "standards": [],
    }


def test_recipes_that_are_damaged_foreign_or_name_other_files_are_ignored(tmp_path: Path) -> None:
    allowed = _warm_folders()
    builtin = str(allowed[0] / "classic" / "cv.typ")
    good = {"format": typst_warm.FORMAT, "cvbuild": __version__, "recipes": [_recipe(builtin)]}
    assert [r.key[0] for r in typst_warm.decode(json.dumps(good).encode(), __version__, allowed)] == [builtin]
    evil = tmp_path / "evil.typ"
    evil.write_text('#read("/etc/passwd")', encoding="utf-8")
    outside = [
        {**good, "recipes": [_recipe(str(evil))]},
        {**good, "recipes": [_recipe(builtin + "/../../../../../../etc/passwd")]},
        {**good, "recipes": [_recipe("classic/cv.typ")]},  # relative: to what?
        {**good, "recipes": [{**_recipe(builtin), "fonts": [str(tmp_path)]}]},
        {**good, "recipes": [{**_recipe(builtin), "packages": str(tmp_path)}]},
        {**good, "recipes": [{**_recipe(builtin), "packages": str(allowed[0])}]},  # every theme, copied on each render
        {**good, "recipes": [{**_recipe(builtin), "packages": str(allowed[0] / "classic")}]},
    ]
    for data in outside:
        assert typst_warm.decode(json.dumps(data).encode(), __version__, allowed) == []
    damaged = [
        b"",
        b"{",
        b"[]",
        json.dumps({**good, "cvbuild": "0.0.0-other"}).encode(),
        json.dumps({**good, "format": 0}).encode(),
        json.dumps({**good, "recipes": [{**_recipe(builtin), "inputs": {"cvbuild": 1}}]}).encode(),
        json.dumps({**good, "recipes": [{**_recipe(builtin), "day": "yesterday"}]}).encode(),
        json.dumps({**good, "recipes": [{**_recipe(builtin), "fonts": [1]}]}).encode(),
        json.dumps({**good, "recipes": [{k: v for k, v in _recipe(builtin).items() if k != "last_resort"}]}).encode(),
        json.dumps({**good, "recipes": [{**_recipe(builtin), "last_resort": [""]}]}).encode(),
        json.dumps({**good, "recipes": [{**_recipe(builtin), "last_resort": ["🚀", "📧"]}]}).encode(),  # unsorted
        json.dumps({**good, "recipes": [{**_recipe(builtin), "last_resort": ["🚀"] * 2}]}).encode(),
        json.dumps(
            {**good, "recipes": [{**_recipe(builtin), "last_resort": [chr(0x10000 + i) for i in range(5000)]}]}
        ).encode(),
        b"[" * 100_000,  # nested past Python's recursion limit: json raised RecursionError
        json.dumps({**good, "recipes": []}).encode().replace(b"[]", b"[" * 100_000),
    ]
    for data in damaged:
        assert typst_warm.decode(data, __version__, allowed) == []


def test_a_recipe_naming_another_file_starts_no_compiler(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A recipe file written by someone else (a theme of theirs, a path outside cvbuild's themes)
    never reaches Typst: the render makes its own compiler, after its own checks."""
    cache = tmp_path / "cache"
    evil = tmp_path / "evil.typ"
    evil.write_text('#panic("ran")', encoding="utf-8")
    path = typst_warm.recipe_file(cache, EXAMPLE)
    path.parent.mkdir(parents=True)
    data = {"format": typst_warm.FORMAT, "cvbuild": __version__, "recipes": [_recipe(str(evil))]}
    path.write_text(json.dumps(data), encoding="utf-8")
    made: list[typst_warm.CompilerKey] = []
    monkeypatch.setattr(typst_warm, "new_compiler", made.append)
    warm = typst_warm.start(cache, EXAMPLE, None, _warm_folders)
    assert warm is not None and warm.take((str(evil), (), None, ())) is None
    assert made == []


def test_no_cache_no_warm_start(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def slots(*args: str | None) -> set[str]:
        with warm_start(EXAMPLE, *args) as cache:
            return set(cache)

    monkeypatch.setenv("CVBUILD_NO_CACHE", "1")
    assert slots(None, None, None) == set()
    monkeypatch.delenv("CVBUILD_NO_CACHE")
    monkeypatch.setenv("CVBUILD_CACHE_DIR", str(tmp_path))
    assert slots("html,txt", None, None) == set()  # nothing for Typst to do
    assert slots(None, "weasyprint", None) <= {weasyprint_early.SLOT}  # WeasyPrint's own (test_weasyprint_early)
    assert slots("pdf", None, None) == {typst_warm.SLOT, typst_warm.RECIPES, typst_stage.STAGE}


def test_the_staged_folder_goes_when_the_render_ends(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The warm start stages the Document in a private folder (so an edit re-lays out only what
    changed); it is gone after the render, a failed one too."""
    monkeypatch.setenv("CVBUILD_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("CVBUILD_NO_CACHE", raising=False)
    for profile in (EXAMPLE, tmp_path / "missing.yaml"):
        with warm_start(profile, "pdf", None, None) as cache:
            stage = cache[typst_stage.STAGE]
            assert stage.is_dir()
            with contextlib.suppress(Exception):
                render_outputs(RenderRequest(profile, ["pdf"], document="cv", output=tmp_path / "o"), cache=cache)
                keep_recipes(profile, cache)
        assert not stage.exists()


def test_recipes_of_other_documents_are_kept_and_the_same_are_not_rewritten(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    env = {"CVBUILD_CACHE_DIR": str(cache)}
    assert run_cli("render", EXAMPLE, "-f", "pdf", "-o", tmp_path / "all", env=env).returncode == 0
    (path,) = cache.glob(f"{typst_warm.SUBDIR}/*.json")
    documents = [r["document"] for r in json.loads(path.read_bytes())["recipes"]]
    assert len(documents) >= 2 and "cv" in documents
    stamp = path.stat().st_mtime_ns, path.stat().st_ino
    assert run_cli("render", EXAMPLE, "-d", "cv", "-f", "pdf", "-o", tmp_path / "cv", env=env).returncode == 0
    assert (path.stat().st_mtime_ns, path.stat().st_ino) == stamp  # the same Document: nothing written
    assert [r["document"] for r in json.loads(path.read_bytes())["recipes"]] == documents


def test_a_warm_start_that_fails_never_holds_the_render(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    key = ("/x/cv.typ", (), None, ())
    recipe = typst_warm.Recipe("cv", key, {"cvbuild": "{}"}, "2026-01-01", ())
    monkeypatch.setattr(typst_warm, "_read", lambda *_: [recipe])

    def broken(*_: object) -> object:
        raise RuntimeError("bug")

    monkeypatch.setattr(typst_warm, "_plan", broken)  # staging fails: a cold start
    warm = typst_warm.start(tmp_path, EXAMPLE, None, list)
    assert warm is not None and warm.take(key) is None and warm.before() == [recipe]
    monkeypatch.undo()
    monkeypatch.setattr(typst_warm, "new_compiler", broken)  # the thread fails: no compiler, no wait
    warm = typst_warm.Warm([recipe], [(key, None, recipe)])
    assert warm.take(key) is None
    warm.close()


def test_a_slow_warm_thread_never_gives_a_render_another_documents_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`cv` and `recent` share the classic theme, so one staged folder: the thread, still warming
    the last run's `recent` there, must not overwrite the `cv` this run staged for its compile."""
    monkeypatch.setenv("CVBUILD_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("CVBUILD_NO_CACHE", raising=False)
    real = typst_warm.new_compiler

    def slow(key: typst_warm.CompilerKey) -> object:
        if threading.current_thread().name == "cvbuild-warm":
            time.sleep(0.3)  # a busy machine: the main thread stages its Document meanwhile
        return real(key)

    monkeypatch.setattr(typst_warm, "new_compiler", slow)

    def render(out: str) -> dict[str, bytes]:
        with warm_start(EXAMPLE, "pdf", None, None) as cache:
            render_outputs(RenderRequest(EXAMPLE, ["pdf"], output=tmp_path / out), cache=cache)
            keep_recipes(EXAMPLE, cache)
        return {p.name: p.read_bytes() for p in (tmp_path / out).glob("*.pdf")}

    first = render("one")
    assert render("two") == first


def test_a_damaged_recipe_file_is_no_error_of_the_render(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    path = typst_warm.recipe_file(cache, EXAMPLE)
    path.parent.mkdir(parents=True)
    path.write_bytes(b"[" * 100_000)
    result = run_cli(
        "render", EXAMPLE, "-d", "cv", "-f", "pdf", "-o", tmp_path / "o", env={"CVBUILD_CACHE_DIR": str(cache)}
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGHUP])
def test_a_render_stopped_by_a_signal_leaves_no_staged_folder(stop: signal.Signals, tmp_path: Path) -> None:
    """A killed render (a CI time-out, a closed terminal) removes its staged folder, which holds
    the Document, as Ctrl-C does; by default SIGTERM and SIGHUP left it in /dev/shm."""
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    env = {**os.environ, "TMPDIR": str(temporary), "CVBUILD_CACHE_DIR": str(tmp_path / "cache")}
    env.pop("CVBUILD_NO_CACHE", None)
    process = _render_in_the_background(tmp_path, temporary, signal.SIG_DFL)  # not as inherited (nohup)
    process.send_signal(stop)
    assert process.wait(timeout=60) == 128 + stop
    assert list(temporary.iterdir()) == []


def test_a_render_under_nohup_goes_on_after_a_hangup(tmp_path: Path) -> None:
    """`nohup cvbuild render ...` ignores SIGHUP, and so does cvbuild: it installs its handler only
    over the default action (a test run under nohup once read this as a render left unstopped)."""
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    process = _render_in_the_background(tmp_path, temporary, signal.SIG_IGN)
    process.send_signal(signal.SIGHUP)
    assert process.wait(timeout=60) == 0
    assert len(list((tmp_path / "o").glob("*.pdf"))) >= 1 and list(temporary.iterdir()) == []


def _render_in_the_background(tmp_path: Path, temporary: Path, hangup: signal.Handlers) -> subprocess.Popen[bytes]:
    """A long render (every document, PDF and PNG) whose staged folder exists, with SIGHUP's
    action set to `hangup` whatever this process inherited: a small Python sets it, then execs
    the render, which keeps an ignored or default action across exec."""
    env = {**os.environ, "TMPDIR": str(temporary), "CVBUILD_CACHE_DIR": str(tmp_path / "cache")}
    env.pop("CVBUILD_NO_CACHE", None)
    render = [sys.executable, "-m", "cvbuild", "render", str(EXAMPLE), "-f", "pdf,png", "-o", str(tmp_path / "o")]
    action = f"signal.signal(signal.SIGHUP, signal.{hangup.name})"
    setter = f"import os, signal\n{action}\nos.execv({render[0]!r}, {render!r})"
    process = subprocess.Popen([*offline_prefix(), sys.executable, "-c", setter], env=env, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not list(temporary.glob("cvbuild-typst-*")) and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert process.poll() is None, "the render ended before it could be stopped"
    return process


def test_only_the_profiles_rendered_last_are_kept_warm(tmp_path: Path) -> None:
    """A recipe file per profile: a test suite, or a user with many profiles, must not fill the
    cache folder; the oldest go."""
    folder = tmp_path / typst_warm.SUBDIR
    folder.mkdir()
    for i in range(typst_warm.MAX_RECIPE_FILES + 5):
        path = folder / f"{i:03}.json"
        path.write_text("{}", encoding="utf-8")
        os.utime(path, ns=(i * 10**9, i * 10**9))
    (folder / "other.txt").write_text("kept", encoding="utf-8")
    template_cache.prune(folder, ".json", typst_warm.MAX_RECIPE_FILES)
    left = sorted(p.name for p in folder.iterdir())
    assert left[0] == "005.json" and len(left) == typst_warm.MAX_RECIPE_FILES + 1 and "other.txt" in left


@pytest.mark.parametrize("kind", ["fifo", "link"])
def test_a_recipe_file_that_is_not_a_regular_file_is_not_read(kind: str, tmp_path: Path) -> None:
    """A FIFO in its place blocked the render in open() for good; a link is followed nowhere."""
    cache = tmp_path / "cache"
    path = typst_warm.recipe_file(cache, EXAMPLE)
    path.parent.mkdir(parents=True)
    allowed = _warm_folders()
    good = {
        "format": typst_warm.FORMAT,
        "cvbuild": __version__,
        "recipes": [_recipe(str(allowed[0] / "classic" / "cv.typ"))],
    }
    if kind == "fifo":
        os.mkfifo(path)
    else:
        (tmp_path / "elsewhere.json").write_text(json.dumps(good), encoding="utf-8")
        path.symlink_to(tmp_path / "elsewhere.json")
    found: list[list[typst_warm.Recipe]] = []
    reader = threading.Thread(target=lambda: found.append(typst_warm._read(cache, EXAMPLE, _warm_folders)), daemon=True)
    reader.start()
    reader.join(timeout=10)
    if reader.is_alive():  # let the blocked open() go before failing
        with open(os.open(path, os.O_WRONLY | os.O_NONBLOCK), "wb"):
            pass
    assert found == [[]]


def test_closing_stops_the_warm_compiles_still_to_come(monkeypatch: pytest.MonkeyPatch) -> None:
    """A render that ends early (a bad profile: exit 2) waits for the compile in progress only,
    not for every document's the last render kept."""

    class Slow:
        def compile(self, **_: object) -> bytes:
            time.sleep(0.5)
            return b""

    monkeypatch.setattr(typst_warm, "new_compiler", lambda key: Slow())
    plans = []
    for n in range(4):
        key = (f"/x/{n}/cv.typ", (), None, ())
        plans.append((key, None, typst_warm.Recipe(str(n), key, {}, "2026-01-01", ())))
    warm = typst_warm.Warm([], plans)
    began = time.monotonic()
    warm.close()
    assert time.monotonic() - began < 1.2
