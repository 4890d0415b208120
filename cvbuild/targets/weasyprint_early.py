"""WeasyPrint's early start: `cvbuild render --engine weasyprint` imports WeasyPrint in a child
process started before anything else, while this process loads the profile and builds the page.

A fresh WeasyPrint render spent ~0.45 s of Python before the page existed (pydantic, the profile,
the Document, the page) and then ~0.25 s importing WeasyPrint, one after the other. A thread
cannot overlap them (both are Python: the GIL, measured in bench/README.md), a process can: this
one is forked first thing, imports WeasyPrint and what its render imports on a second core, says
it is ready, and waits for its one job, the first page this run lays out (`weasyprint_pdf.Job`,
data only). It then runs the job exactly as the time-limited child of `weasyprint_child` does
(`_child`: the same code, data limit and answer; the caller gives the time limit as it would
there), so a theme's render keeps its limits, and the page is laid out by the same code whether
the child was forked early or late (the PDFs are the same bytes, tested).

Nothing of the run's input reaches the process before the job; it reads no cache of its own (the
hyphenation patterns come from the cache folder as in any render, so CVBUILD_NO_CACHE holds). It
ends with this process: killed and reaped by `close` (a normal end, an error, Ctrl-C, SIGTERM
through `outcome._stops_as_exit`), and by the kernel when this process is killed
(PR_SET_PDEATHSIG); it ignores Ctrl-C itself, as only this process decides. Not started when
WeasyPrint is imported already (the tests' fork server, `watch`), or where `weasyprint_child`
is not available (Linux only), nor beside another thread (an embedding program's: a lock it held
while this process forked would stay held in the child, and `ready` would wait for ever).

Stdlib only: this module is imported before pydantic.
"""

from __future__ import annotations

import contextlib
import os
import sys
from typing import TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:
    from cvbuild.targets.weasyprint_pdf import Job

SLOT = "weasyprint.early"  # ctx.cache: the Early of this run, until its job is given
_READY = b"r"


class Early:
    """A child process that has imported WeasyPrint, waiting for its job."""

    def __init__(self, pid: int, jobs: int, answers: int, said: int) -> None:
        self.pid = pid
        self._jobs = jobs  # write end: the pickled Job, then closed
        self._answers = answers  # read end: the ready byte, then `_child`'s answer
        self._said = said  # the child's stderr (a memfd)
        self._alive = True

    def ready(self) -> bool:
        """Wait until the child has imported WeasyPrint; False (and the child gone) when it failed."""
        try:
            if os.read(self._answers, 1) == _READY:
                return True
        except OSError:
            pass
        self.close()
        return False

    def run(self, job: Job, seconds: float | None, memory: int) -> Any:
        """The child's answer to `job` (as `weasyprint_child.run`'s: the result, or the error it
        raised), within `seconds` (None: no limit) and with `memory` bytes of data beyond what the
        child holds (0: no limit). After `ready`."""
        import pickle

        from cvbuild.targets import weasyprint_child

        shown, own = weasyprint_child.data_cap(memory) if memory else (0, True)
        try:
            data = pickle.dumps((job, memory))
            with os.fdopen(self._jobs, "wb", closefd=True) as pipe:
                self._jobs = -1
                pipe.write(data)
        except BaseException:
            self.close()
            raise
        self._alive = False  # `collect` reaps it, whatever happens
        answers, self._answers = self._answers, -1
        return weasyprint_child.collect(self.pid, answers, self._said, seconds, memory if own else shown, own)

    def close(self) -> None:
        """Kill and reap the child, if it is still there; close the pipes. Safe to repeat."""
        import signal

        if self._alive:
            self._alive = False
            with contextlib.suppress(OSError):
                os.kill(self.pid, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(self.pid, 0)
        for fd in (self._jobs, self._answers, self._said):
            if fd >= 0:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self._jobs = self._answers = self._said = -1


def start() -> Early | None:
    """Fork the process that imports WeasyPrint; None where it cannot be (see the module's doc)."""
    from cvbuild.targets import weasyprint_child

    if "weasyprint" in sys.modules or not weasyprint_child.available() or not hasattr(os, "memfd_create"):
        return None
    threading = sys.modules.get("threading")
    if threading is not None and threading.active_count() > 1:  # another thread may hold a lock the import needs
        return None
    try:
        said = os.memfd_create("cvbuild-weasyprint-stderr", os.MFD_CLOEXEC)
    except OSError:
        return None
    jobs_read, jobs_write = os.pipe()
    answers_read, answers_write = os.pipe()
    parent = os.getpid()
    try:
        pid = os.fork()
    except OSError:
        for fd in (said, jobs_read, jobs_write, answers_read, answers_write):
            os.close(fd)
        return None
    if pid == 0:
        os.close(jobs_write)
        os.close(answers_read)
        _serve(parent, jobs_read, answers_write, said)
    os.close(jobs_read)
    os.close(answers_write)
    return Early(pid, jobs_write, answers_read, said)


def take(cache: dict[Any, Any]) -> Early | None:
    """This run's early process, once (the next render starts its own children), when it is ready."""
    early: Early | None = cache.pop(SLOT, None)
    return early if early is not None and early.ready() else None


def _serve(parent: int, jobs: int, answers: int, said: int) -> NoReturn:
    """In the child: get ready, answer one job through `weasyprint_child._child`; never returns."""
    code = 70
    try:
        from cvbuild.targets import weasyprint_child

        weasyprint_child.die_with(parent)
        import signal

        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle: it kills this
        null = os.open(os.devnull, os.O_RDWR)
        os.dup2(null, 0)
        os.dup2(null, 1)  # nothing of this process reaches the terminal or a pipe read to its end
        os.dup2(said, 2)
        os.close(null)
        _prepare()
        os.write(answers, _READY)
        data = _read_all(jobs)
        if not data:  # the parent rendered nothing with WeasyPrint
            code = 0
        else:
            import pickle
            from functools import partial

            from cvbuild.targets.weasyprint_pdf import whole

            job, memory = pickle.loads(data)
            cap = weasyprint_child.data_cap(memory)[0] if memory else 0
            weasyprint_child._child(partial(whole, job), answers, cap)
    except BaseException:
        pass
    finally:
        os._exit(code)


# The C types WeasyPrint 70 makes by name in a render (`ffi.new('PangoLogAttr[]', n)`, ...), which
# cffi parses with pycparser at their first use, ~5-40 ms each (~60 ms of a first render in all,
# measured): parsed here, while the process waits, through cffi's public `typeof`. A type a later
# WeasyPrint no longer makes is parsed for nothing; one it makes instead is parsed in the render.
CTYPES = (
    "PangoFcFontMap *",
    "FcChar8 **",
    "char[]",
    "char[4]",
    "PangoRectangle *",
    "PangoLogAttr[]",
    "unsigned int *",
    "hb_tag_t[100]",
    "hb_codepoint_t[]",  # weasyprint_pdf.sized_arrays_parsed_once
)


def _prepare() -> None:
    """Import WeasyPrint as cvbuild does, and what its render imports or parses at first use."""
    from cvbuild.targets import hyphenation
    from cvbuild.targets.weasyprint_pdf import import_ahead, import_weasyprint

    import_weasyprint()
    import_ahead()
    hyphenation.install()
    from weasyprint.text.ffi import ffi

    for ctype in CTYPES:
        with contextlib.suppress(Exception):  # only ever a head start
            ffi.typeof(ctype)


def _read_all(fd: int) -> bytes:
    chunks = []
    while chunk := os.read(fd, 1 << 20):
        chunks.append(chunk)
    os.close(fd)
    return b"".join(chunks)
