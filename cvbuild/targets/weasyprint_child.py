"""WeasyPrint work for a theme that is not built in, in a forked child process with a data limit.

A theme's stylesheet can make WeasyPrint take memory without end: a `symbolic` counter repeating
its symbol 10^8 times is a text Pango lays out in C, which took 10 GB and 165 s past a time limit
of 15 s (an interruption of Python code only lands when the C call returns). A child process
forked from this one (WeasyPrint already imported: no second import, ~0.5 s) holds at most
`theme_memory` bytes of data (RLIMIT_DATA) more than this process did, and is killed at the time
limit wherever it is. Its result comes back pickled through a pipe: the child runs cvbuild's own
code on the page, so what it sends is cvbuild's data (PDF bytes, a Layout, warnings).

Linux only: there RLIMIT_DATA bounds the heap and private mappings and a fork of a threaded
process is safe for what the child uses (glibc's allocator, Python's own locks); elsewhere the
in-process watchdog (targets/deadline.py) stays, with no memory limit.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any, NoReturn, TypeVar

T = TypeVar("T")
_EXIT_MEMORY = 71  # the child ran out of memory where it could not even say so
_EXIT_FAILED = 70  # the child failed outside the work (it could not send its answer)
_OUT_OF_MEMORY = "cvbuild: out of memory"  # the child's answer when the work ran out of memory
_PR_SET_PDEATHSIG = 1  # linux/prctl.h


class OverMemory(Exception):
    """The work needed more memory than its limit."""

    def __init__(self, limit: int, own: bool) -> None:
        super().__init__(limit, own)
        self.limit = limit  # bytes: theme_memory (beyond what the child started with), or...
        self.own = own  # ...when False, this process's own lower data limit (ulimit -d)


class Failed(Exception):
    """The work raised an exception that is not cvbuild's: its type's name and message."""


def available() -> bool:
    return sys.platform.startswith("linux") and hasattr(os, "fork")


def run(work: Callable[[], T], seconds: float, memory: int) -> T:
    """`work()` in a forked child: its result, or the exception it raised (a CvbuildError as
    itself, another as `Failed`); deadline.OverTime once it ran `seconds`, OverMemory when it
    needed more than `memory` bytes of data beyond what this process holds."""
    import tempfile

    cap, own = data_cap(memory)
    parent = os.getpid()
    with tempfile.TemporaryFile() as said:  # the child's stderr: GLib's "failed to allocate"
        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(read_fd)
            os.dup2(said.fileno(), 2)
            _child(work, write_fd, cap, parent)
        os.close(write_fd)
        result: T = collect(pid, read_fd, said.fileno(), seconds, memory if own else cap, own)
        return result


def collect(pid: int, read_fd: int, said_fd: int, seconds: float | None, shown: int, own: bool) -> Any:
    """What the child `pid` (running `_child`) sends down `read_fd`, closed here; the child is
    killed if it has not ended at `seconds` (None: no limit) or when this is interrupted, and is
    always reaped. `said_fd` is its stderr; `shown` and `own` go into an OverMemory."""
    import pickle
    import select
    import signal
    import time

    from cvbuild.targets.deadline import OverTime

    chunks: list[bytes] = []
    ended = False
    try:
        deadline = None if seconds is None else time.monotonic() + seconds
        poller = select.poll()
        poller.register(read_fd, select.POLLIN)
        while deadline is None or (left := deadline - time.monotonic()) > 0:
            if poller.poll(-1 if deadline is None else max(1, int(left * 1000))):
                chunk = os.read(read_fd, 1 << 20)
                if not chunk:
                    ended = True
                    break
                chunks.append(chunk)
    finally:  # a time-out, Ctrl-C: nothing of the child is left
        os.close(read_fd)
        if not ended:
            os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
    if not ended:
        raise OverTime(f"stopped after {seconds:g} s")
    code = os.waitstatus_to_exitcode(status)
    if code == 0 and chunks:
        ok, value = pickle.loads(b"".join(chunks))
        if not ok and value == _OUT_OF_MEMORY:
            raise OverMemory(shown, own)
        if not ok:
            raise value
        return value
    tail = _tail(said_fd)
    if code == _EXIT_MEMORY or b"failed to allocate" in tail or b"MemoryError" in tail:
        raise OverMemory(shown, own)
    shown_end = f"signal {-code}" if code < 0 else f"exit {code}"
    raise RuntimeError(f"WeasyPrint's process ended ({shown_end}) without a result: {tail.decode(errors='replace')}")


def _tail(fd: int) -> bytes:
    """The last 2,000 bytes written to the file `fd`."""
    try:
        size = os.fstat(fd).st_size
        return os.pread(fd, 2000, max(0, size - 2000))
    except OSError:
        return b""


def _child(work: Callable[[], object], out: int, cap: int, parent: int | None = None) -> NoReturn:
    """In the child: the data limit, the work, its answer down the pipe; never returns (a return
    would run the parent's code twice: its `finally`s, its output). With the `parent`'s pid, the
    child ends with it (`die_with`)."""
    import pickle

    from cvbuild.errors import CvbuildError

    code = _EXIT_FAILED
    try:
        if parent is not None:
            die_with(parent)
        if cap:
            import resource

            resource.setrlimit(resource.RLIMIT_DATA, (cap, cap))
        answer: tuple[bool, object]
        try:
            answer = (True, work())
        except MemoryError:
            answer = (False, _OUT_OF_MEMORY)
        except CvbuildError as exc:
            answer = (False, exc)
        except Exception as exc:
            answer = (False, Failed(f"{type(exc).__name__}: {exc}"))
        try:
            data = pickle.dumps(answer)
        except Exception as exc:  # an error that cannot be pickled: its words
            data = pickle.dumps((False, Failed(f"{type(answer[1]).__name__}: {answer[1]} ({exc})")))
        with os.fdopen(out, "wb") as pipe:
            pipe.write(data)
        code = 0
    except MemoryError:
        code = _EXIT_MEMORY
    except BaseException:  # Ctrl-C, SIGTERM: the parent sees a child without an answer
        pass
    finally:
        os._exit(code)


def die_with(parent: int) -> None:
    """Be killed when the process `parent` (which forked this one) dies, SIGKILL too
    (PR_SET_PDEATHSIG): a killed cvbuild runs no `finally` that would kill this, and left it laying a
    page out; end now if `parent` died already."""
    import ctypes
    import signal

    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:
        os._exit(0)


def data_cap(memory: int) -> tuple[int, bool]:
    """The child's RLIMIT_DATA: what this process holds now (the child starts with all of it) plus
    `memory`, or the lower soft or hard limit this process already has; and whether it is ours."""
    import resource

    want = _data_bytes() + memory
    lower = [v for v in resource.getrlimit(resource.RLIMIT_DATA) if v != resource.RLIM_INFINITY and v >= 0]
    if lower and min(lower) < want:
        return min(lower), False
    return want, True


def _data_bytes() -> int:
    """This process's data (VmData: heap and private writable mappings), what RLIMIT_DATA counts."""
    try:
        with open("/proc/self/status", encoding="ascii", errors="replace") as status:
            for line in status:
                if line.startswith("VmData:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0
