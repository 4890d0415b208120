"""targets/deadline.py: work past its deadline is stopped inside its own thread, even when it
catches the first interruption, and nothing of the watchdog outlives the call."""

from __future__ import annotations

import contextlib
import sys
import threading
import time

import pytest

from cvbuild.targets.deadline import OverTime, within


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
