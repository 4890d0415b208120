"""A time limit on Python code that has no way to stop itself (WeasyPrint's layout of a theme's CSS).

On Linux that render runs in a forked child instead (targets/weasyprint_child.py), which a kill
stops even inside a call into C and which a data limit bounds; this is the way elsewhere.

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


# Threads in a `within` (a count each: one may nest), and the unraisable hook `_quiet_unraisable`
# stands in front of while any is; both under `_HOOK_LOCK`.
_HOOK_LOCK = threading.Lock()
_QUIETED: dict[int, int] = {}
_NEXT_HOOK: list[Callable[[Any], object]] = [sys.__unraisablehook__]


def _quiet_unraisable(unraisable: Any) -> None:
    """An interruption that lands in a finalizer (`__del__`) cannot propagate; Python would print
    it with a traceback ("Exception ignored in ..."). It is dropped (the watchdog fires again),
    but only in a thread under a `within`: everything else goes on to the hook there was."""
    if isinstance(unraisable.exc_value, Interrupted) and threading.get_ident() in _QUIETED:
        return
    _NEXT_HOOK[0](unraisable)


def _quiet_from(thread: int) -> None:
    """Put `_quiet_unraisable` in front of the process's hook, if no `within` did already."""
    with _HOOK_LOCK:
        _QUIETED[thread] = _QUIETED.get(thread, 0) + 1
        if sys.unraisablehook is not _quiet_unraisable:
            _NEXT_HOOK[0] = sys.unraisablehook
            sys.unraisablehook = _quiet_unraisable


def _quiet_until(thread: int) -> None:
    """Take `_quiet_unraisable` away once the last `within` in any thread ended; calls that end in
    another order than they began (two threads) restore the hook there was, not each other's, and
    a hook someone set meanwhile stays."""
    with _HOOK_LOCK:
        _QUIETED[thread] -= 1
        if not _QUIETED[thread]:
            del _QUIETED[thread]
        if not _QUIETED and sys.unraisablehook is _quiet_unraisable:
            sys.unraisablehook = _NEXT_HOOK[0]


def _logging_locks() -> list[Any]:
    """The locks of the logging module and of every handler (RLocks, which know their owner)."""
    logging = sys.modules.get("logging")
    if logging is None:  # never imported: none can be held
        return []
    locks = [getattr(logging, "_lock", None)]
    for ref in list(getattr(logging, "_handlerList", ())):
        handler = ref()
        locks.append(getattr(handler, "lock", None))
    return [lock for lock in locks if hasattr(lock, "_is_owned")]


def _release_logging_locks(held_before: set[int]) -> None:
    """Release the logging locks the work left held: an interruption that lands right after a lock
    was taken (in `Handler.acquire`, before the `try` whose `finally` releases it) leaves it held
    by this thread, and the next log call from any other thread waited forever (28 stops in 300
    left one, in a loop logging). Locks this thread held before the work are left as they are."""
    for lock in _logging_locks():
        if id(lock) not in held_before:
            while lock._is_owned():
                lock.release()


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
    held_before = {id(lock) for lock in _logging_locks() if lock._is_owned()}
    _quiet_from(target)
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
    _release_logging_locks(held_before)
    _quiet_until(target)
    if state["fired"]:
        raise OverTime(f"stopped after {seconds:g} s")
    ok, value = outcome[0]
    if not ok:
        raise value
    result: T = value
    return result
