"""The target registry and the context every target receives."""

from __future__ import annotations

import datetime as _dt
import importlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from cvbuild.document.model import Document
from cvbuild.errors import CvbuildError, Problem, RenderError, ThemeError
from cvbuild.limits import DEFAULT_LIMITS
from cvbuild.themes.theme import Theme, is_builtin

if TYPE_CHECKING:
    from concurrent.futures import Executor

T = TypeVar("T")

# format -> engine -> module; modules are imported only when that format is rendered,
# so `cvbuild --help` and a txt render never load Typst or WeasyPrint.
FORMATS: dict[str, dict[str, str]] = {
    "txt": {"jinja": "cvbuild.targets.text"},
    "md": {"jinja": "cvbuild.targets.markdown"},
    "html": {"jinja": "cvbuild.targets.html"},
    "pdf": {"typst": "cvbuild.targets.typst_pdf", "weasyprint": "cvbuild.targets.weasyprint_pdf"},
    "png": {"typst": "cvbuild.targets.png"},
}
DEFAULT_ENGINE = {"txt": "jinja", "md": "jinja", "html": "jinja", "pdf": "typst", "png": "typst"}
# Engines that release the GIL while they work (Typst; PDFium, called through ctypes): they run
# in a worker thread, beside the targets written in Python, so `-f pdf,html,txt,md,png` uses
# both cores of a laptop. One with a `start` (see Started) is prepared in the caller's thread first.
THREADED = {"cvbuild.targets.typst_pdf", "cvbuild.targets.png"}
# Typeset formats get curly quotes; txt and md keep what the user typed.
TYPESET = frozenset({"html", "pdf", "png"})


@dataclass(frozen=True)
class Artifact:
    """One output file: `suffix` is appended to the base name (".pdf", "-1.png")."""

    suffix: str
    data: bytes
    pages: int | None = None  # for paged outputs, so page budgets (max_pages) can be checked
    layout: Any = None  # for PDFs, a targets.fit.Layout: where the text sits, for the page checks


@dataclass(frozen=True)
class RenderContext:
    theme: Theme
    today: _dt.date
    profile_dir: Path
    options: Mapping[str, Any] = field(default_factory=dict)
    warn: Callable[[str], None] = lambda _msg: None
    cache: dict[Any, Any] = field(default_factory=dict)  # per run (or per `watch`), shared by targets
    time_limit: float = DEFAULT_LIMITS.theme_seconds  # the user's (--time-limit); see `time_budget`


Warner = Callable[[str], None]


@dataclass(frozen=True)
class Started:
    """A threaded target's render after `start(fmt, doc, ctx)` prepared it in the caller's thread:
    `work(warn)` makes the artifacts in the worker thread, `check(warn)` runs in the caller's
    thread meanwhile, and what `check` says comes before what `work` says. Python in the worker
    contends for the GIL with the targets the caller runs (each blocking call there waits up to
    the 5 ms switch interval to get it back), so only what lets go of the GIL (Typst's compile)
    goes there."""

    work: Callable[[Warner], list[Artifact]]
    check: Callable[[Warner], None] | None = None
    stop: Callable[[], None] | None = None
    """Called from the caller's thread when it is interrupted (Ctrl-C, SIGTERM): ends work that
    would make the process wait for it, such as a theme's Typst child."""


def keep_probe(ctx: RenderContext, engine: str, key: Any, result: Any, limit: int) -> None:
    """Keep a fitting probe's result for the render that follows: the setting fitting picks was
    always one of its probes, and a layout costs far more than the rest of a PDF render. At most
    `limit` are kept, oldest dropped first (`watch` keeps ctx.cache for hours)."""
    probes: dict[Any, Any] = ctx.cache.setdefault(f"{engine}.probes", {})
    while len(probes) >= limit:
        probes.pop(next(iter(probes)))
    probes[key] = result


def take_probe(ctx: RenderContext, engine: str, key: Callable[[], Any]) -> Any:
    """The result a probe made from exactly this input (`key()`, asked only when a probe was
    kept), or None. The other probes go too: they were this document's other tries (each
    document is fitted, then rendered)."""
    probes = ctx.cache.pop(f"{engine}.probes", None)
    return probes.get(key()) if probes else None


def theme_failure(theme: Theme, message: str) -> CvbuildError:
    """The error for a failure in a theme's files (`message` starts with file:line:col). A theme
    of the user's is input, exit 2; cvbuild's built-in themes failing on their own is a bug, exit 1."""
    if is_builtin(theme):
        return RenderError(f"{message}\n(a bug in cvbuild's built-in theme {theme.name!r}: please report it)")
    return ThemeError(message)


def time_budget(ctx: RenderContext) -> float | None:
    """Seconds one template render or Typst compile of ctx's theme may take, or None: no limit
    for a built-in theme (cvbuild's own code, which a profile cannot make loop) or a limit of 0."""
    if ctx.time_limit <= 0:
        return None
    return None if _once(ctx.cache, "theme.builtin", ctx.theme, lambda: is_builtin(ctx.theme)) else ctx.time_limit


def over_time(where: str, what: str, seconds: float) -> ThemeError:
    """The error for a theme that ran past its time budget (exit 2), at `where` (file:line:col, or
    the file alone: a killed Typst names no line, and the annotation still lands on the file)."""
    message = (
        f"{what} ran longer than the time limit theme_seconds = {seconds:g} s, so it was stopped "
        "(a loop without end?); a theme you trust may get longer: --time-limit SECONDS (0: no limit)"
    )
    error = ThemeError(f"{where}: {message}")
    if not error.problems:
        error.problems = [Problem(Path(where), 0, 0, "", message)]
    return error


def display_path(path: Path) -> Path:
    """Relative to the working directory when inside it: shorter and clickable in terminals."""
    try:
        return path.resolve().relative_to(Path.cwd())
    except ValueError:
        return path


def engine_for(fmt: str, engine: str | None) -> str:
    engines = FORMATS[fmt]
    if engine is None or engine not in engines:
        return DEFAULT_ENGINE[fmt]
    return engine


def render_format(fmt: str, engine: str | None, doc: Document, ctx: RenderContext) -> list[Artifact]:
    """Dispatch to the target module's `render(fmt, doc, ctx)`."""
    module = importlib.import_module(FORMATS[fmt][engine_for(fmt, engine)])
    result: list[Artifact] = module.render(fmt, _typeset_for(fmt, doc, ctx), ctx)
    return result


def _typeset_for(fmt: str, doc: Document, ctx: RenderContext) -> Document:
    return typeset_document(doc, ctx.cache) if fmt in TYPESET else doc


def typeset_document(doc: Document, cache: dict[Any, Any]) -> Document:
    """The Document with typographic quotes, computed once per Document for html, pdf and png."""
    return _once(cache, "typeset", doc, lambda: _typeset(doc, cache))


def _typeset(doc: Document, cache: dict[Any, Any]) -> Document:
    """`typographic(doc)`; a Document with the same content as one before (`watch`, after a save
    that changed nothing it shows) gets that one's copy (~5 ms for the example). Same content:
    the same JSON, which is exact for every field but the free-form `options`, and the same repr
    of those (a tuple is not a list there, nor 1 a 1.0 or True)."""
    from cvbuild.document.typography import typographic

    data = dumped(doc, cache)
    return kept_by(cache, "typeset.by_content", (data, repr(doc.options)), lambda: typographic(doc, dumped=data))


def kept_by(cache: dict[Any, Any], slot: str, key: Any, make: Callable[[], T], limit: int = 16) -> T:
    """What `make()` gives for `key`, kept in `cache[slot]` under that key (equal content, not the
    same object: see `_once`); the slot is emptied when full, as `watch` keeps the cache for hours."""
    kept: dict[Any, T] = cache.setdefault(slot, {})
    if key not in kept:
        if len(kept) >= limit:
            kept.clear()
        kept[key] = make()
    return kept[key]


def dumped(doc: Document, cache: dict[Any, Any]) -> str:
    """`doc.model_dump_json()`, once per Document object: the typographic quotes, the long-word
    check and Typst all read it (~2-3 ms a dump for the example, ~50 ms at 1,000 publications)."""
    return _once(cache, "json", doc, doc.model_dump_json)


def font_dirs(ctx: RenderContext) -> list[Path]:
    """`fonts.font_dirs` of the context's theme, checked once a build rather than by each target
    (~1-2 ms a check). A build loads its Theme anew, so each build checks the folders again: in
    `watch` they can change between saves."""
    from cvbuild.themes import fonts

    return _once(ctx.cache, "fonts.dirs", ctx.theme, lambda: fonts.font_dirs(ctx.theme))


def font_files(ctx: RenderContext) -> list[Path]:
    """`fonts.font_files` of the context's theme, listed once a build (see `font_dirs`)."""
    from cvbuild.themes import fonts

    return _once(ctx.cache, "fonts.files", ctx.theme, lambda: fonts.font_files(ctx.theme, font_dirs(ctx)))


def _once(cache: dict[Any, Any], slot: str, doc: Any, make: Callable[[], T]) -> T:
    """What `make` computes from `doc` (a Document, a Theme), kept in `cache[slot]` for this very
    object."""
    slots: dict[int, tuple[Any, T]] = cache.setdefault(slot, {})
    hit = slots.get(id(doc))
    if hit is None or hit[0] is not doc:  # the original is kept in the slot, so its id stays unique
        if len(slots) > 16:  # `watch` keeps the cache for hours; old Documents must not pile up
            slots.clear()
        hit = slots[id(doc)] = (doc, make())
    return hit[1]


def render_formats(
    formats: Sequence[str], engine: str | None, doc: Document, ctx: RenderContext
) -> dict[str, list[Artifact]]:
    """Every format of one Document; THREADED engines work in one worker thread (in order, so one
    compiler is never used twice at once) while the others run here. Warnings and the first
    failure come out in the order of `formats`, as if everything ran one after the other."""
    from concurrent.futures import ThreadPoolExecutor

    def job(fmt: str) -> _Result:
        said: list[Any] = []
        try:
            return render_format(fmt, engine, doc, replace(ctx, warn=said.append)), said
        except Exception as exc:
            return exc, said

    if TYPESET.intersection(formats):  # once, here, before two threads would both ask for them
        dumped(typeset_document(doc, ctx.cache), ctx.cache)
    threaded = [f for f in formats if FORMATS[f][engine_for(f, engine)] in THREADED]
    if len(threaded) in (0, len(formats)):
        results = {fmt: job(fmt) for fmt in formats}
    else:
        stops: list[Callable[[], None]] = []
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="cvbuild-typst") as pool:
            try:
                waits = {fmt: _begin(fmt, engine, doc, ctx, pool, job, stops) for fmt in threaded}
                here = {fmt: job(fmt) for fmt in formats if fmt not in waits}
                results = {fmt: waits[fmt]() if fmt in waits else here[fmt] for fmt in formats}
            except BaseException:  # Ctrl-C or SIGTERM here: the pool's exit waits for the worker
                for stop in stops:
                    stop()
                raise
    out: dict[str, list[Artifact]] = {}
    for fmt in formats:
        result, said = results[fmt]
        for message in said:
            ctx.warn(message)
        if isinstance(result, BaseException):
            raise result
        out[fmt] = result
    return out


_Result = tuple[list[Artifact] | BaseException, list[Any]]  # a format's artifacts or error, and what it said


def _begin(
    fmt: str,
    engine: str | None,
    doc: Document,
    ctx: RenderContext,
    pool: Executor,
    job: Callable[[str], _Result],
    stops: list[Callable[[], None]],
) -> Callable[[], _Result]:
    """Set `fmt` going in the worker thread; the call returned waits for its result. A target with
    a `start` is prepared here first, so the worker begins with the part that lets go of the GIL
    (Typst's compile) instead of Python that would wait for the GIL between the caller's targets;
    its `check` runs here too, at once, while the work goes on: Typst's work needs what the font
    check finds (the last-resort glyphs) when its compile ends, and found in the worker it was
    ~12 ms of Python there (HarfBuzz's import among it), which `-f pdf,html,txt,md,png` waited
    for before the PNG previews began. The caller's HTML page imports HarfBuzz anyway. Its `stop`
    goes in `stops`."""
    module = importlib.import_module(FORMATS[fmt][engine_for(fmt, engine)])
    start = getattr(module, "start", None)
    if start is None:
        future = pool.submit(job, fmt)
        return future.result
    said: list[Any] = []
    try:
        started: Started = start(fmt, _typeset_for(fmt, doc, ctx), replace(ctx, warn=said.append))
    except Exception as exc:
        failed: _Result = (exc, said)
        return lambda: failed
    later: list[Any] = []
    if started.stop is not None:
        stops.append(started.stop)
    work = pool.submit(started.work, later.append)
    checked: Exception | None = None
    try:
        if started.check is not None:
            started.check(said.append)
    except Exception as exc:
        checked = exc

    def finish() -> _Result:
        if checked is not None:  # as if the work had not run yet: nothing of it is said
            return checked, said
        try:
            return work.result(), said + later
        except Exception as exc:
            return exc, said + later

    return finish
