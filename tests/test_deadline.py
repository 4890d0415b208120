"""targets/deadline.py: work past its deadline is stopped inside its own thread, even when it
catches the first interruption, and nothing of the watchdog outlives the call."""

from __future__ import annotations

import contextlib
import io
import logging
import sys
import threading
import time

import pytest

from cvbuild.targets.deadline import Interrupted, OverTime, within


def _spin() -> None:
    while True:
        pass


def _swallow_twice() -> int:
    for _ in range(2):
        try:
            _spin()
        except BaseException:
            continue
    return 1


@pytest.mark.parametrize("work", [_spin, _swallow_twice])
def test_work_past_its_deadline_is_stopped(work: object) -> None:
    start = time.monotonic()
    with pytest.raises(OverTime):
        within(0.2, work)  # type: ignore[arg-type]
    assert time.monotonic() - start < 2


def test_work_in_time_returns_or_raises_as_it_would() -> None:
    assert within(5, lambda: 42) == 42
    with pytest.raises(ZeroDivisionError):
        within(5, lambda: 1 / 0)
    assert within(None, lambda: "no watchdog") == "no watchdog"


def test_nothing_is_interrupted_after_the_call() -> None:
    # A margin a loaded machine keeps (load 8 on 2 cores: 0.05 s for a 0.01 s sleep failed).
    assert within(0.5, lambda: time.sleep(0.01) or 7) == 7
    time.sleep(1.0)  # a stray interruption would land here
    assert not [t for t in threading.enumerate() if t.name == "cvbuild-deadline"]


def test_a_worker_thread_is_stopped_too() -> None:
    caught: list[BaseException] = []

    def run() -> None:
        try:
            within(0.1, _spin)
        except OverTime as exc:
            caught.append(exc)

    worker = threading.Thread(target=run)
    worker.start()
    worker.join(5)
    assert caught and not worker.is_alive()


def _busy(seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pass


class _SlowToFree:
    def __del__(self) -> None:
        _busy(0.03)


def _free_slowly() -> None:
    while True:
        _SlowToFree()  # freed at once: most of the time is spent in __del__
        _busy(0.01)


def test_an_interruption_in_a_finalizer_prints_nothing(capfd: pytest.CaptureFixture[str]) -> None:
    """Python prints an exception raised in `__del__` ("Exception ignored in ...", a traceback)
    instead of raising it; an interruption there is dropped, and the next one stops the work."""
    hook = sys.unraisablehook
    for _ in range(3):  # most first interruptions land in __del__
        with pytest.raises(OverTime):
            within(0.1, _free_slowly)
    assert "Exception ignored" not in capfd.readouterr().err
    assert sys.unraisablehook is hook


def test_a_deadline_shorter_than_starting_the_watchdog_is_still_overtime() -> None:
    """With a limit shorter than a thread takes to start (`--time-limit 1e-6`, or a loaded
    machine), the first interruption came while `within` was still starting its watchdog: it
    escaped as `Interrupted` (no exit 2: a traceback), and the watchdog went on interrupting
    whatever ran next."""
    for _ in range(300):
        with contextlib.suppress(OverTime):
            assert within(1e-9, lambda: sum(range(100))) == 4950
    time.sleep(0.3)  # a watchdog left running would interrupt this
    assert not [t for t in threading.enumerate() if t.name == "cvbuild-deadline"]


def test_an_interruption_inside_logging_leaves_no_lock_held() -> None:
    """An interruption that lands right after a handler or the logging module took its lock (in
    `Handler.acquire`, before the `try` that releases it) left the lock held: the next log call
    of any other thread (WeasyPrint's warnings, in `watch`) waited forever. 28 of 300 stops did."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    log = logging.getLogger("cvbuild-test-deadline")
    log.addHandler(handler)
    log.propagate = False

    def log_forever() -> None:
        while True:
            log.warning("x")
            logging.getLogger(f"cvbuild-test-deadline.{len(stream.getvalue()) % 50}")  # the module's lock
            stream.seek(0)
            stream.truncate()

    try:
        held = 0
        for _ in range(300):
            with contextlib.suppress(OverTime):
                within(0.002, log_forever)
            for lock in (handler.lock, logging._lock):  # type: ignore[attr-defined]
                if lock._is_owned():
                    held += 1
                    while lock._is_owned():
                        lock.release()
        assert held == 0
    finally:
        log.removeHandler(handler)


def test_calls_that_end_in_another_order_than_they_began_restore_the_hook() -> None:
    """Each call put its own hook in front of the one it found and put that back at its end: of
    two calls in two threads, where the first ended first, the second's end left the first's hook
    (and its interruption filter) in place for good."""
    hook = sys.unraisablehook
    first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()

    def first() -> None:
        within(30, lambda: first_in.set() or second_in.wait(10))
        first_out.set()

    def second() -> None:
        first_in.wait(10)
        within(30, lambda: second_in.set() or first_out.wait(10))

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert first_out.is_set() and sys.unraisablehook is hook


def test_a_hook_set_during_the_work_stays() -> None:
    hook = sys.unraisablehook

    def mine(unraisable: object) -> None:
        hook(unraisable)  # type: ignore[arg-type]

    try:
        within(30, lambda: setattr(sys, "unraisablehook", mine))
        assert sys.unraisablehook is mine
    finally:
        sys.unraisablehook = hook


def test_an_unraisable_interruption_of_another_thread_is_not_dropped() -> None:
    """Only the threads under a call lose their interruptions in finalizers; another thread's
    goes on to the hook there was."""
    hook = sys.unraisablehook
    seen: list[BaseException | None] = []

    class Lost:
        def __del__(self) -> None:
            raise Interrupted

    def other() -> None:
        worker = threading.Thread(target=Lost)
        worker.start()
        worker.join()

    sys.unraisablehook = lambda unraisable: seen.append(unraisable.exc_value)
    try:
        within(30, other)
        within(30, lambda: Lost() and None)  # this thread's, freed in the work, is dropped
    finally:
        sys.unraisablehook = hook
    assert len(seen) == 1 and isinstance(seen[0], Interrupted)
