"""How a command ends: cvbuild errors become messages and an exit code, never a traceback.

Nothing here imports typer, so `cvbuild render` can run from the console script without it
(~30 ms of every render; `cli/entry.py`). `cli/app.py` wraps the same functions for typer.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cvbuild.cli.report import Reporter


def err(message: str) -> None:
    from cvbuild.errors import escape_controls

    sys.stderr.write(escape_controls(message.rstrip("\n"), keep_newlines=True) + "\n")


def exit_code(action: Callable[[], object], reporter: Reporter) -> int:
    """Run `action`: 0 when it succeeded, else its problems reported and the exit code (130 on
    Ctrl-C, with nothing reported)."""
    from cvbuild.errors import CvbuildError

    try:
        action()
        return 0
    except CvbuildError as exc:
        code = reporter.fail(exc)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # a bug or an engine failure: exit 1, traceback only on request
        if interrupted(exc):
            return 130
        if os.environ.get("CVBUILD_DEBUG"):
            raise
        code = reporter.fail(exc)
    reporter.finish()
    return code


def interrupted(exc: BaseException) -> bool:
    """Whether `exc` stands for a Ctrl-C: Python wraps what a class's `__set_name__` raises in a
    RuntimeError, so a Ctrl-C while pydantic builds the models (while cvbuild starts) read
    "rendering failed: RuntimeError: Error calling __set_name__ ...", exit 1."""
    seen: set[int] = set()
    cause: BaseException | None = exc
    while cause is not None and id(cause) not in seen:
        if isinstance(cause, KeyboardInterrupt):
            return True
        seen.add(id(cause))
        cause = cause.__cause__ or cause.__context__
    return False


def reporter_for(fmt: str) -> Reporter | None:
    """A Reporter for `--format`/`--diagnostics`; None (said on stderr) for an unknown name."""
    from cvbuild.cli.report import Reporter
    from cvbuild.diagnostics import FORMATS, workspace_root

    if fmt not in FORMATS:
        err(f"error: unknown diagnostics format {fmt!r}; choose {', '.join(FORMATS)}")
        return None
    return Reporter(fmt, workspace_root())


def render_command(
    profile: Path,
    format: str | None = None,
    engine: str | None = None,
    theme: str | None = None,
    document: str | None = None,
    output: Path = Path("out"),
    set_: list[str] | None = None,
    diagnostics: str = "text",
    strict: bool = False,
    ats: bool = False,
    report: Path | None = None,
    allow_path: list[Path] | None = None,
    time_limit: float | None = None,
    write: bool = True,
) -> int:
    """`cvbuild render` (its options are defined in `cli/app.py`); returns the exit code. With
    `write` off, `cvbuild check`: the same run, every file rendered in memory, none written."""
    with warm_start(profile, format, engine, document) as cache:  # first: Typst warms up while the rest loads
        reporter = reporter_for(diagnostics)
        if reporter is None:
            return 2
        outputs: list[Any] = []
        refused: list[Path | None] = []  # the report names an input: it is not written

        def action() -> None:
            from cvbuild.pipeline import (
                RenderRequest,
                ReportReplacesInput,
                parse_formats,
                parse_sets,
                parse_time_limit,
                render_outputs,
            )

            if report is not None and report.is_dir():  # said before anything is rendered or written
                from cvbuild.errors import InputError

                raise InputError(f"--report {report}: a folder, not a file; give the name of a file")
            if report is not None and replaces_profile(report, profile):
                from cvbuild.errors import InputError

                raise InputError(f"--report {report}: that is the profile; give the report another name")

            request = RenderRequest(
                profile=profile,
                formats=parse_formats(format),
                engine=engine,
                theme=theme,
                document=document,
                output=output,
                sets=parse_sets(set_ or []),
                strict=strict,
                allow_paths=tuple(allow_path or ()),
                time_limit=parse_time_limit(time_limit),
                write=write,
                ats=ats,
                report=report,
            )
            note = lambda m: reporter.line(f"note: {m}")  # noqa: E731
            try:
                outputs.extend(render_outputs(request, warn=reporter.warn, cache=cache, note=note))
            except ReportReplacesInput:
                refused.append(report)
                raise
            keep_recipes(profile, cache)

        code = exit_code(action, reporter)
        if code:
            if report is not None and not refused and not report.is_dir() and not replaces_profile(report, profile):
                exit_code(lambda: reporter.write_report(report, [], code, written=False), reporter)
            return code
        for out in outputs:
            pages = f" ({out.pages} page{'s' * (out.pages != 1)})" if out.pages else ""
            reporter.line(f"wrote {out.path}" if write else f"would write {out.path}{pages}")
        if not write:
            reporter.line(f"{profile}: every document renders; nothing was written")
        if report is not None:
            failed = exit_code(lambda: reporter.write_report(report, outputs, 0, written=write), reporter)
            if failed:
                return failed
        reporter.finish()
        return 0


def replaces_profile(report: Path, profile: Path) -> bool:
    """Whether writing `report` would replace the profile (`--report profile.yaml`, a slip of the
    hand): its entry (a report replaces a link, not what it leads to) or the file itself."""
    from cvbuild.confine import real
    from cvbuild.errors import InputError

    try:
        entry = real(report.parent) / report.name
        return entry in (real(profile.parent) / profile.name, real(profile))
    except InputError:  # a path that cannot be resolved is no profile; said where it is used
        return False


@contextmanager
def warm_start(profile: Path, fmt: str | None, engine: str | None, document: str | None) -> Iterator[dict[Any, Any]]:
    """The pipeline's cache, with Typst warming up the last render of `profile` when this one may
    compile with Typst (see targets/typst_warm), in a staged folder removed at the end; or, for
    a PDF through WeasyPrint, with WeasyPrint imported in a process of its own meanwhile
    (targets/weasyprint_early), ended at the end."""
    from cvbuild.targets import typst_stage, typst_warm
    from cvbuild.targets.template_cache import cache_root

    formats = None if fmt is None else {f.strip() for f in fmt.split(",")}
    if engine == "weasyprint" and (formats is None or "pdf" in formats):
        with _weasyprint_early() as early:
            yield early
        return
    root = cache_root()
    if root is None or engine == "weasyprint" or (formats is not None and not formats & {"pdf", "png"}):
        yield {}
        return
    cache: dict[Any, Any] = {}
    with _stops_as_exit(), typst_stage.staged_session(cache) as stage:
        warm = typst_warm.start(root, profile, document, _warm_folders, stage)
        cache.update({typst_warm.SLOT: warm, typst_warm.RECIPES: []})
        try:
            yield cache
        finally:
            if warm is not None:
                warm.close()


@contextmanager
def _weasyprint_early() -> Iterator[dict[Any, Any]]:
    """The pipeline's cache, with the early WeasyPrint process in it (when one could start); the
    process never outlives this."""
    from cvbuild.targets import weasyprint_early

    with _stops_as_exit():
        early = weasyprint_early.start()
        try:
            yield {} if early is None else {weasyprint_early.SLOT: early}
        finally:
            if early is not None:
                early.close()


@contextmanager
def _stops_as_exit() -> Iterator[None]:
    """SIGTERM and SIGHUP (a killed job, a closed terminal) end the render as Ctrl-C does, through
    its `finally`s: by default they ended the process at once and left the staged folder, with the
    Document in it, in /dev/shm. Only in the main thread (an embedding program keeps its own)."""
    import signal
    import threading

    stops = [s for s in (signal.SIGTERM, getattr(signal, "SIGHUP", None)) if s is not None]
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {s: signal.getsignal(s) for s in stops}
    for s in stops:
        if previous[s] is signal.SIG_DFL:
            signal.signal(s, lambda number, _frame: sys.exit(128 + number))
    try:
        yield
    finally:
        for s, handler in previous.items():
            if handler is not None:
                signal.signal(s, handler)


def _warm_folders() -> list[Path]:
    """The folders a warm-start recipe may name: cvbuild's own themes and its CJK fonts."""
    from cvbuild.themes.places import builtin_themes_dir, cjk_font_dir

    cjk = cjk_font_dir()
    return [builtin_themes_dir().resolve(), *([cjk] if cjk is not None else [])]


def keep_recipes(profile: Path, cache: dict[Any, Any]) -> None:
    """Save what this render gave Typst, for the next render's warm start."""
    from cvbuild.targets import typst_warm
    from cvbuild.targets.template_cache import cache_root

    if typst_warm.SLOT in cache:
        typst_warm.save(cache_root(), profile, cache[typst_warm.RECIPES], cache[typst_warm.SLOT].before())
