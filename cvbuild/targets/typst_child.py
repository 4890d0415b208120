"""Typst compiles of a theme that is not built in, in a child process that a time limit can stop.

typst-py (0.15) has no way to stop a compile: no cancellation, no timeout, and Typst bounds only
`while` loops (10,000 rounds), not `for` over a range or recursion's breadth. In-process, a compile
past the limit could only be abandoned, still holding a core and its memory until Typst is done
(hours for two nested `range(100000)`). A child process is killed at the limit, and nothing of it
is left. Built-in themes compile in-process, with a warm compiler (what keeps `watch` and fitting
fast); a theme of the user's pays a fresh interpreter and a cold compile each time (~40 ms more
for the example profile; `watch` rebuilds no longer reuse the last layout).

The child imports nothing but the standard library and typst, from the parent's sys.path (set
before any import, so a `json.py` in the working folder is never imported), compiles, asks the
layout probe fitting reads, and writes one JSON line and the PDF's bytes to stdout.
"""

from __future__ import annotations

import datetime as _dt
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

LAYOUT_QUERY = ("<cvbuild-layout>", "value", True)  # (selector, field, one): targets.fit.typst_layout's


@dataclass(frozen=True)
class Diag:
    """A Typst warning as the child reported it (the attributes of typst.TypstWarning)."""

    message: str
    diagnostic: str = ""
    hints: list[str] = field(default_factory=list)
    trace: list[str] = field(default_factory=list)


class ChildCompiler:
    """What typst_pdf uses of typst.Compiler (`compile_with_warnings`, then the layout `query`),
    each compile in a new child process killed after `seconds`: then a ThemeError (exit 2)."""

    def __init__(self, settings: dict[str, Any], seconds: float, env: dict[str, str], memory: int) -> None:
        self.settings = settings  # typst.Compiler's arguments, JSON-able
        self.seconds = seconds
        self.env = env  # the child's environment: the parent's, made offline (typst_pdf.offline_env)
        self.memory = memory  # bytes of data the child may hold (limits.theme_memory), 0: no limit
        self.layout: str | None = None
        self._process: Any = None  # the child compiling now (subprocess.Popen), for `stop`
        self._stopped = False

    def stop(self) -> None:
        """Kill the compile under way, from another thread: Ctrl-C or SIGTERM in the caller's
        thread while a worker thread waits for this child would otherwise wait for the whole
        compile (up to `seconds`) before the process could end. The next compile is refused."""
        self._stopped = True
        process = self._process
        if process is not None and process.poll() is None:
            process.kill()

    def compile_with_warnings(self, **kwargs: Any) -> tuple[bytes, list[Diag]]:
        stamp = kwargs.pop("timestamp", None)
        if isinstance(stamp, _dt.datetime):
            kwargs["timestamp"] = stamp.isoformat()
        import math
        import os
        import subprocess  # here: a built-in theme's render imports this module only for `TimedOut`

        cpu = math.ceil(self.seconds * (os.cpu_count() or 1)) + 5 if self.seconds else 0
        request = json.dumps(
            {
                "path": sys.path,
                "memory": data_cap(self.memory)[0],
                "cpu": cpu,
                "parent": os.getpid(),
                "compiler": self.settings,
                "compile": kwargs,
            }
        ).encode()
        self.layout = None
        argv = [sys.executable, "-P", "-c", _BOOT.format(path=str(Path(__file__)))]
        pipe = subprocess.PIPE
        with subprocess.Popen(argv, stdin=pipe, stdout=pipe, stderr=pipe, env=self.env) as process:
            self._process = process
            try:
                if self._stopped:  # stopped before this child existed
                    raise RuntimeError("the Typst compile was stopped")
                stdout, stderr = process.communicate(request, timeout=self.seconds)
            except subprocess.TimeoutExpired:
                from cvbuild.targets.base import display_path, over_time

                raise over_time(str(display_path(Path(self.settings["input"]))), "Typst", self.seconds) from None
            finally:  # every way out leaves no child: killed if still running, then reaped
                self._process = None
                if process.poll() is None:
                    process.kill()
        head, _, pdf = stdout.partition(b"\n")
        try:
            answer = json.loads(head)
        except ValueError:
            if out_of_memory(stderr):
                raise self._over_memory() from None
            tail = stderr.decode(errors="replace").strip()[-500:]
            raise RuntimeError(
                f"the Typst process ended (exit {process.returncode}) without a result: {tail}"
            ) from None
        failed = answer.get("error")
        if failed is not None:
            raise _error(failed)
        self.layout = answer.get("layout")
        return pdf, [Diag(**w) for w in answer["warnings"]]

    def _over_memory(self) -> Exception:
        from cvbuild.errors import Problem, ThemeError
        from cvbuild.targets.base import display_path

        where = display_path(Path(self.settings["input"]))
        cap, own = data_cap(self.memory)
        limit = "the limit theme_memory" if own else "the data limit of this process (ulimit -d)"
        message = (
            f"Typst needed more memory than {limit} = {cap // 1024**2:,} MiB, so it was "
            "stopped (an array or a string without end?)"
        )
        error = ThemeError(f"{where}: {message}")
        error.problems = [Problem(where, 0, 0, "", message)]  # annotated on the file, as a time-out
        return error

    def query(self, selector: str, field: str | None = None, one: bool = False) -> str:
        """The layout probe, which the child asked right after the compile."""
        if (selector, field, one) != LAYOUT_QUERY or self.layout is None:
            raise RuntimeError(f"no {selector} in the last compile")
        return self.layout


def data_cap(memory: int) -> tuple[int, bool]:
    """The child's RLIMIT_DATA: `memory` (0: none), or the lower soft or hard limit this process
    already has (the child inherits both; it raised the soft one to `memory`), and whether it is
    `memory`."""
    if not memory:
        return 0, True
    try:
        import resource
    except ImportError:  # not on POSIX: no limit is set
        return memory, True
    lower = [v for v in resource.getrlimit(resource.RLIMIT_DATA) if v != resource.RLIM_INFINITY and v >= 0]
    if lower and min(lower) < memory:
        return min(lower), False
    return memory, True


def out_of_memory(stderr: bytes) -> bool:
    """Whether the child died for want of memory: Rust aborts with "memory allocation of N bytes
    failed" (Typst), Python raises MemoryError (reading the request, writing the answer)."""
    return b"memory allocation of " in stderr or b"MemoryError" in stderr


def _error(failed: dict[str, Any]) -> Exception:
    """A typst.TypstError as typst-py raises it, so the messages are the in-process ones."""
    if failed.get("kind") != "typst":
        return RuntimeError(str(failed.get("message", "")))
    import typst

    exc = typst.TypstError(failed["message"], failed["diagnostic"], failed["hints"], failed["trace"])
    for name in ("message", "diagnostic", "hints", "trace"):  # typst-py sets them only on its own
        setattr(exc, name, failed[name])
    return exc


# Run with `-P` (no working folder on sys.path) and the parent's sys.path set before any import.
_BOOT = (
    "import sys, json\n"  # from the standard library: -P keeps the working folder off sys.path
    "data = json.loads(sys.stdin.buffer.read())\n"
    # Before Typst is imported; the parent's data_cap already took the limits this child inherits.
    "import resource\n"
    "if data['memory']:\n"
    "    resource.setrlimit(resource.RLIMIT_DATA, (data['memory'], data['memory']))\n"
    # A child must not outlive a cvbuild killed at once (kill -9, an OOM kill), which can no
    # longer stop it at the time limit: a theme's loop ran on for hours. The CPU limit is a
    # backstop only, never reached first while cvbuild lives: every core busy for the whole time.
    "if data['cpu']:\n"
    "    resource.setrlimit(resource.RLIMIT_CPU, (data['cpu'], data['cpu'] + 1))\n"
    "if sys.platform == 'linux':\n"
    "    import ctypes, os, signal\n"
    "    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)\n"  # PR_SET_PDEATHSIG
    "    if os.getppid() != data['parent']:\n"  # cvbuild was gone before that
    "        os._exit(1)\n"
    "sys.path[:] = data['path']\n"
    "import runpy\n"
    "runpy.run_path({path!r}, run_name='cvbuild_typst_child')['child'](data)\n"
)


def child(data: dict[str, Any]) -> None:
    """In the child: compile as the request says; one JSON line, then the PDF."""
    import typst

    settings = data["compiler"]
    kwargs = dict(data["compile"])
    if "timestamp" in kwargs:
        kwargs["timestamp"] = _dt.datetime.fromisoformat(kwargs["timestamp"])
    answer: dict[str, Any]
    pdf = b""
    try:
        compiler = make_compiler(settings)
        result, warnings = compiler.compile_with_warnings(**kwargs)
        pdf = result if isinstance(result, bytes) else b""  # one PDF: `format="pdf"`, no `output`
        answer = {"warnings": [_fields(w) for w in warnings], "layout": _layout(compiler)}
    except typst.TypstError as exc:
        answer = {"error": {"kind": "typst", **_fields(exc)}}
    except (RuntimeError, OSError, ValueError) as exc:
        answer = {"error": {"kind": "other", "message": str(exc)}}
    out = sys.stdout.buffer
    out.write(json.dumps(answer).encode() + b"\n" + pdf)
    out.flush()


def settings_for(template: str, fonts: list[str], packages: str | None) -> dict[str, Any]:
    """typst.Compiler's arguments for the theme's `template`: its folder is the root (Typst
    compares canonical paths with the root, hence the real path)."""
    real = Path(template).resolve()
    return {"input": str(real), "root": str(real.parent), "fonts": fonts, "packages": packages}


def make_compiler(settings: dict[str, Any]) -> Any:
    """typst.Compiler with `settings` (input, root, fonts, packages): only the theme folder, its
    fonts and shipped packages; the one way both processes (and `typst_warm`) make compilers."""
    import typst

    return typst.Compiler(
        settings["input"],
        root=settings["root"],
        font_paths=typst.Fonts(include_system_fonts=False, include_embedded_fonts=False, font_paths=settings["fonts"]),
        ignore_system_fonts=True,
        package_path=settings["packages"],
        package_cache_path=settings["packages"],  # never ~/.cache/typst: what a machine cached must not matter
    )


def _fields(diag: Any) -> dict[str, Any]:
    return {
        "message": str(diag.message),
        "diagnostic": str(getattr(diag, "diagnostic", "") or ""),
        "hints": list(getattr(diag, "hints", None) or []),
        "trace": list(getattr(diag, "trace", None) or []),
    }


def _layout(compiler: Any) -> str | None:
    selector, field, one = LAYOUT_QUERY
    try:
        answer: str = compiler.query(selector, field=field, one=one)
    except Exception:  # a theme without the shared setup has no probe (as in targets.fit)
        return None
    return answer
