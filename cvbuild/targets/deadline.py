"""A time limit on Python code that has no way to stop itself (WeasyPrint's layout of a theme's CSS).

WeasyPrint lays a page out in pure Python, and a hostile stylesheet can make that explode (a
`symbolic` counter style repeating its symbol a hundred million times, thousands of pages). It
has no cancellation, and a child process would pay its import (~0.6 s) again. So a watchdog
thread raises `Interrupted` inside the working thread once the deadline has passed
(`PyThreadState_SetAsyncExc`, the interpreter's own mechanism, delivered between two bytecodes),
and again every `REFIRE` seconds in case a library caught it (WeasyPrint's SVG drawing catches
BaseException). A call into C that lasts is only stopped when it returns to Python. Once the
watchdog fired, the work's result is thrown away even if it finished: it may have been damaged.
"""

from __future__ import annotations

import ctypes
import sys
import threading
from collections.abc import Callable
from contextvars import ContextVar
from functools import partial
from typing import Any, TypeVar

T = TypeVar("T")
REFIRE = 0.05  # seconds between two interruptions of work that swallowed the last one


class Interrupted(BaseException):
    """Raised inside the work at its deadline; a BaseException, so `except Exception` lets it pass."""


class OverTime(Exception):
    """The work ran past its deadline and was stopped."""


_set_async_exc = ctypes.pythonapi.PyThreadState_SetAsyncExc
_set_async_exc.argtypes = (ctypes.c_ulong, ctypes.py_object)
_set_async_exc.restype = ctypes.c_int


# The undos registered by `after_stop` for the `within` under way in this thread (None: none).
_UNDOS: ContextVar[list[Callable[[], object]] | None] = ContextVar("cvbuild_deadline_undos", default=None)


def after_stop(undo: Callable[[], object]) -> None:
    """Run `undo` also once the watchdog of the `within` under way (if any) has stopped. Code that
    changes shared state in the work (a log handler, a patched function, the paused GC) calls this
    before the change, with an undo that may run twice: an interruption (a refire, while the work
    unwinds) can land in its own `finally` and skip it there, leaving the change for the rest of
    the process."""
    undos = _UNDOS.get()
    if undos is not None:
        undos.append(undo)


def _quiet_unraisable(hook: Callable[[Any], None], unraisable: Any) -> None:
    """An interruption that lands in a finalizer (`__del__`) cannot propagate; Python would print
    it with a traceback ("Exception ignored in ..."). It is dropped: the watchdog fires again."""
    if not isinstance(unraisable.exc_value, Interrupted):
        hook(unraisable)


def _raise_in(thread: int, exc: type[BaseException] | None) -> None:
    """Make `exc` pending in `thread` (None: take back one not yet delivered)."""
    _set_async_exc(thread, ctypes.py_object() if exc is None else ctypes.py_object(exc))


def within(seconds: float | None, work: Callable[[], T]) -> T:
    """`work()`, or OverTime once it has run `seconds` (None: no limit, no watchdog)."""
    if seconds is None:
        return work()
    target = threading.get_ident()
    lock = threading.Lock()
    state = {"done": False, "fired": False}
    wake = threading.Event()

    def watch() -> None:
        wait = seconds
        while not wake.wait(wait):
            with lock:
                if state["done"]:
                    return
                state["fired"] = True
                _raise_in(target, Interrupted)
            wait = REFIRE

    watchdog = threading.Thread(target=watch, name="cvbuild-deadline", daemon=True)
    undos: list[Callable[[], object]] = []
    token = _UNDOS.set(undos)
    hook = sys.unraisablehook
    sys.unraisablehook = partial(_quiet_unraisable, hook)
    outcome: list[tuple[bool, Any]] = []
    try:
        try:
            # Started in here: under a limit shorter than a thread takes to start (or on a busy
            # machine), the first interruption comes while `start` still waits for the thread.
            watchdog.start()
            outcome.append((True, work()))
        except Interrupted:
            raise
        except BaseException as exc:  # kept until the watchdog is stopped (or no thread could start)
            outcome.append((False, exc))
    except Interrupted:  # delivered in the work, or in the handler above
        pass
    while True:  # stop the watchdog; an interruption pending is taken back, one delivered caught
        try:
            with lock:
                state["done"] = True
                if state["fired"]:
                    _raise_in(target, None)
            break
        except Interrupted:
            continue
    wake.set()
    _UNDOS.reset(token)
    for undo in reversed(undos):  # nothing can interrupt them now
        undo()
    sys.unraisablehook = hook
    if state["fired"]:
        raise OverTime(f"stopped after {seconds:g} s")
    ok, value = outcome[0]
    if not ok:
        raise value
    result: T = value
    return result
