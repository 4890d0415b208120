"""Formats of one Document render concurrently (Typst in a worker thread) yet read as if in order."""

from __future__ import annotations

import sys
import threading
import time
import types
from pathlib import Path
from typing import Any

import pytest
from conftest import EXAMPLE, documents, run_cli

from cvbuild.targets import base
from cvbuild.targets.base import Artifact, RenderContext, render_formats
from cvbuild.themes.theme import load_theme


@pytest.fixture
def fake_engines(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """`slow` (threaded) and `quick` (in the caller's thread) formats that log and warn."""
    log: list[str] = []

    def module(name: str, delay: float) -> types.ModuleType:
        mod = types.ModuleType(name)

        def render(fmt: str, doc: Any, ctx: RenderContext) -> list[Artifact]:
            time.sleep(delay)
            log.append(f"{fmt} in {threading.current_thread().name.split('_')[0]}")
            ctx.warn(f"warning from {fmt}")
            if fmt.startswith("bad"):
                raise RuntimeError(f"{fmt} failed")
            return [Artifact(f".{fmt}", fmt.encode())]

        mod.render = render  # type: ignore[attr-defined]
        monkeypatch.setitem(sys.modules, name, mod)
        return mod

    module("fake_slow", 0.2)
    module("fake_quick", 0.0)
    staged = types.ModuleType("fake_staged")

    def start(fmt: str, doc: Any, ctx: RenderContext) -> base.Started:
        """Prepared in the caller's thread; `badstart` fails there, `badcheck` in its check."""
        log.append(f"start {fmt} in {threading.current_thread().name.split('_')[0]}")
        ctx.warn(f"start of {fmt}")
        if fmt == "badstart":
            raise RuntimeError("badstart failed")

        def work(warn: base.Warner) -> list[Artifact]:
            log.append(f"work {fmt} in {threading.current_thread().name.split('_')[0]}")
            warn(f"work of {fmt}")
            return [Artifact(f".{fmt}", fmt.encode())]

        def check(warn: base.Warner) -> None:
            time.sleep(0.2)  # the work is done long before: its warning must still come after
            log.append(f"check {fmt} in {threading.current_thread().name.split('_')[0]}")
            warn(f"check of {fmt}")
            if fmt == "badcheck":
                raise RuntimeError("badcheck failed")

        return base.Started(work, check)

    staged.start = start  # type: ignore[attr-defined]
    staged.render = None  # type: ignore[attr-defined]  # render_formats must not call it
    monkeypatch.setitem(sys.modules, "fake_staged", staged)
    for fmt, mod in [
        ("slow", "fake_slow"),
        ("badslow", "fake_slow"),
        ("quick", "fake_quick"),
        ("badquick", "fake_quick"),
        ("staged", "fake_staged"),
        ("badstart", "fake_staged"),
        ("badcheck", "fake_staged"),
    ]:
        monkeypatch.setitem(base.FORMATS, fmt, {"x": mod})
        monkeypatch.setitem(base.DEFAULT_ENGINE, fmt, "x")
    monkeypatch.setattr(base, "THREADED", {"fake_slow", "fake_staged"})
    return log


def context(warnings: list[str]) -> RenderContext:
    import datetime as dt

    return RenderContext(
        theme=load_theme("classic", Path.cwd()), today=dt.date(2026, 1, 1), profile_dir=Path.cwd(), warn=warnings.append
    )


def test_threaded_engine_runs_beside_the_others_warnings_in_order(fake_engines: list[str]) -> None:
    warnings: list[str] = []
    out = render_formats(["slow", "quick"], None, object(), context(warnings))  # type: ignore[arg-type]
    assert fake_engines == ["quick in MainThread", "slow in cvbuild-typst"]  # quick did not wait for slow
    assert warnings == ["warning from slow", "warning from quick"]
    assert [a.data for a in out["slow"]] == [b"slow"] and list(out) == ["slow", "quick"]


@pytest.mark.parametrize(
    ("formats", "first"), [(["badslow", "badquick"], "badslow"), (["badquick", "badslow"], "badquick")]
)
def test_the_first_failure_in_order_is_raised(fake_engines: list[str], formats: list[str], first: str) -> None:
    warnings: list[str] = []
    with pytest.raises(RuntimeError, match=f"^{first} failed"):
        render_formats(formats, None, object(), context(warnings))  # type: ignore[arg-type]
    assert warnings == [f"warning from {first}"]


def test_a_started_target_is_prepared_and_checked_here_before_the_others(fake_engines: list[str]) -> None:
    """`start` runs in the caller's thread before the other formats, its work in the worker, its
    check in the caller's thread while the work goes on, before the other formats (the work needs
    what the check finds when it ends: found in the worker, it held up the PNG previews);
    warnings read as if in order."""
    warnings: list[str] = []
    out = render_formats(["staged", "slow", "quick"], None, object(), context(warnings))  # type: ignore[arg-type]
    assert fake_engines[0] == "start staged in MainThread"
    assert fake_engines.index("check staged in MainThread") < fake_engines.index("quick in MainThread")
    assert "work staged in cvbuild-typst" in fake_engines and "slow in cvbuild-typst" in fake_engines
    in_order = ["start of staged", "check of staged", "work of staged", "warning from slow", "warning from quick"]
    assert warnings == in_order
    assert [a.data for a in out["staged"]] == [b"staged"] and list(out) == ["staged", "slow", "quick"]


@pytest.mark.parametrize("bad", ["badstart", "badcheck"])
def test_a_started_target_fails_in_order(fake_engines: list[str], bad: str) -> None:
    warnings: list[str] = []
    with pytest.raises(RuntimeError, match=f"^{bad} failed"):
        render_formats(["quick", bad], None, object(), context(warnings))  # type: ignore[arg-type]
    said = ["start of badstart"] if bad == "badstart" else ["start of badcheck", "check of badcheck"]
    assert warnings == ["warning from quick", *said]  # a failed check: its work is not heard from
    with pytest.raises(RuntimeError, match=f"^{bad} failed"):  # first in order, before quick
        render_formats([bad, "badquick"], None, object(), context(warnings))  # type: ignore[arg-type]


def test_concurrent_outputs_equal_one_at_a_time(tmp_path: Path) -> None:
    together = run_cli("render", EXAMPLE, "-d", "cv", "-f", "pdf,html,txt,md,png", "-o", tmp_path / "a", fresh=True)
    assert together.returncode == 0, together.stderr
    for fmt in ("pdf", "html", "txt", "md", "png"):
        alone = run_cli("render", EXAMPLE, "-d", "cv", "-f", fmt, "-o", tmp_path / "b")
        assert alone.returncode == 0, alone.stderr
    a, b = sorted((tmp_path / "a").iterdir()), sorted((tmp_path / "b").iterdir())
    assert [p.name for p in a] == [p.name for p in b]
    assert all(x.read_bytes() == y.read_bytes() for x, y in zip(a, b, strict=True))
    assert documents(EXAMPLE)  # the example still builds in-process


def test_typeset_copy_is_shared_by_documents_of_the_same_content() -> None:
    """`watch` builds a new Document at every save; one with the same content gets the typeset
    copy made before, one that differs in anything (text, or only an option's type) its own."""
    doc = documents(EXAMPLE)["cv"]
    cache: dict[Any, Any] = {}
    typeset = base.typeset_document(doc, cache)
    assert typeset != doc and "’" in base.dumped(typeset, cache)  # the example has straight quotes
    same = doc.model_copy(deep=True)
    assert base.typeset_document(same, cache) is typeset
    retyped = {"spacing": 1, "show_photo": 1, "section_order": tuple(doc.options.get("section_order", ()))}
    for key, value in retyped.items():
        changed = doc.model_copy(update={"options": {**doc.options, key: value}})
        assert changed.options != doc.options or type(value) is not type(doc.options.get(key))
        assert base.typeset_document(changed, cache) is not typeset
    edited = doc.model_copy(update={"meta": doc.meta.model_copy(update={"title": "Dean's CV"})})
    assert base.typeset_document(edited, cache).meta.title == "Dean’s CV"


def test_long_word_warnings_kept_per_json_text() -> None:
    from cvbuild.pipeline import long_word_warnings

    cache: dict[Any, Any] = {}
    long = '{"a":"' + "x" * 90 + '"}'
    assert long_word_warnings(long, cache) == long_word_warnings(long) != []
    assert long_word_warnings(long, cache) == long_word_warnings(long)
    assert long_word_warnings('{"a":"short"}', cache) == []
