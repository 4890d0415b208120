"""A fork server for `run_cli`: each `python -m cvbuild ARGS` of the tests runs in a new process
forked from one that has already imported what every cvbuild command imports, instead of a new
interpreter that imports it again (~0.3 s of CPU a run, over the suite's ~600 runs).

The forked process is otherwise the run a user starts: its own pid, the test's cwd and environment,
stdin from /dev/null, stdout and stderr to the caller's files, `runpy` running `cvbuild.__main__`
exactly as `python -m` does (or `python -c CODE`'s code, for `run_cli_bounded`, whose address-space
limit is set in the forked run), and a normal interpreter exit (atexit, flushing) or cvbuild's own
`os._exit`. The server itself runs under `unshare -rn` (see conftest.offline_prefix), so every run
is offline. What a forked run cannot give, callers get from a new interpreter instead
(`run_cli(..., fresh=True)`, and conftest falls back to one by itself):
- another hash seed: a test comparing the bytes of two runs makes one of them fresh;
- another environment at start-up: a run whose environment differs from the server's (other than
  PYTEST_CURRENT_TEST) is not forked, as a module may read a variable when it is imported.
PRELOAD only holds modules that every command reading a profile imports anyway
(tests/test_forked_cli.py checks that against new interpreters), so such a run sees no module it
would not have imported itself. Runs with `--engine weasyprint` go to a second server, which has
also imported WeasyPrint as cvbuild imports it (~0.5 s of CPU a run, over ~200 such runs).

Run as `python tests/forked_cli.py SOCKET [ENGINE]`: it prints `ready` once it listens, and ends
when its stdin closes (the test process ended).
"""

from __future__ import annotations

import io
import json
import locale
import os
import select
import shutil
import signal
import socket
import struct
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

# Imported by every command line cvbuild runs (render, validate, its errors and successes alike).
PRELOAD = (
    "cvbuild.cli.entry",
    "cvbuild.cli.outcome",
    "cvbuild.cli.report",
    "cvbuild.loading.profile",
    "cvbuild.document.build",
    "cvbuild.themes.theme",
)
# Imported, beyond PRELOAD, by every run that renders with the engine (its own server).
ENGINE_PRELOAD = {"typst": (), "weasyprint": ("weasyprint",)}
# Changes with every test, and nothing reads it at import.
VOLATILE_ENV = ("PYTEST_CURRENT_TEST",)
_HEADER = struct.Struct("!I")
_PID = struct.Struct("!q")
_CODE = struct.Struct("!i")  # the return code as subprocess gives it: -N for signal N


# ---- the server ---------------------------------------------------------------------------------


def _preload(engine: str = "typst") -> None:
    """What `cvbuild.cli.script.main` does before it dispatches, then the shared imports, then the
    engine's (WeasyPrint the way cvbuild imports it: without library searches, fontTools deferred)."""
    import importlib

    from cvbuild.cli.script import skip_plugin_loader

    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    skip_plugin_loader()
    for name in PRELOAD:
        importlib.import_module(name)
    if ENGINE_PRELOAD[engine]:
        from cvbuild.targets.weasyprint_pdf import import_weasyprint

        import_weasyprint()


def _recv_exactly(conn: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = conn.recv(size - len(data))
        if not chunk:
            raise EOFError("client went away")
        data += chunk
    return data


def serve(path: str) -> dict[str, Any]:
    """Accept runs until stdin closes. Returns only in a forked run, with its request."""
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(64)
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    while True:
        readable, _, _ = select.select([listener, sys.stdin], [], [], 1.0)
        _reap()
        if sys.stdin in readable and not os.read(sys.stdin.fileno(), 1024):
            os._exit(0)  # the test process is gone
        if listener not in readable:
            continue
        conn, _ = listener.accept()
        if os.fork() == 0:
            listener.close()
            return _handle(conn)  # only the forked run returns
        conn.close()


def _reap() -> None:
    try:
        while os.waitpid(-1, os.WNOHANG)[0]:
            pass
    except ChildProcessError:
        pass


def _handle(conn: socket.socket) -> dict[str, Any]:
    """In a child of the server: read the request, fork the run, report its pid and exit status."""
    message, fds, _, _ = socket.recv_fds(conn, _HEADER.size, 2)
    (size,) = _HEADER.unpack(message + _recv_exactly(conn, _HEADER.size - len(message)))
    request: dict[str, Any] = json.loads(_recv_exactly(conn, size))
    pid = os.fork()
    if pid == 0:
        conn.close()
        os.dup2(fds[0], 1)
        os.dup2(fds[1], 2)
        for fd in fds:
            os.close(fd)
        return request
    for fd in fds:
        os.close(fd)
    try:
        conn.sendall(_PID.pack(pid))  # for the client to kill on a time-out
        _, status = os.waitpid(pid, 0)
        conn.sendall(_CODE.pack(os.waitstatus_to_exitcode(status)))
    finally:
        os._exit(0)


def _start_run(request: Mapping[str, Any]) -> None:
    """Make this forked process the run `python -m cvbuild ARGS` (or `python -c CODE ARGS`) would
    start, under its address-space limit if it has one, then run it."""
    import resource
    import runpy
    import types

    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    if request["max_bytes"] is not None:
        resource.setrlimit(resource.RLIMIT_AS, (request["max_bytes"], request["max_bytes"]))
    main = sys.modules["__main__"] = types.ModuleType("__main__")  # a clean namespace, as a new one
    if request["code"] is None:
        sys.path[0] = request["cwd"]  # what `python -m` puts first
        sys.argv = ["-m", *request["args"]]
        runpy._run_module_as_main("cvbuild")  # type: ignore[attr-defined]  # `python -m cvbuild` itself
    else:
        sys.path[0] = ""  # what `python -c` puts first
        sys.argv = ["-c", *request["args"]]
        exec(compile(request["code"], "<string>", "exec"), vars(main))


# ---- the client ---------------------------------------------------------------------------------


def comparable(env: Mapping[str, str]) -> dict[str, str]:
    return {k: v for k, v in env.items() if k not in VOLATILE_ENV}


class ForkServer:
    """One server for this test process, started on first use, stopped by `close`."""

    def __init__(self, prefix: Sequence[str], env: Mapping[str, str], folder: Path, engine: str = "typst") -> None:
        self.env = comparable(env)
        self.folder = folder
        self.path = str(folder / "cli.sock")
        self.proc = subprocess.Popen(
            [*prefix, sys.executable, __file__, self.path, engine],
            env=dict(env),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if line != "ready\n":
            self.close()
            raise RuntimeError(f"the CLI fork server did not start: {line!r}")

    def accepts(self, env: Mapping[str, str]) -> bool:
        return self.proc.poll() is None and comparable(env) == self.env

    def run(
        self,
        args: Sequence[str],
        cwd: str,
        env: Mapping[str, str],
        timeout: float,
        code: str | None = None,
        max_bytes: int | None = None,
    ) -> subprocess.CompletedProcess[str]:
        """`python -m cvbuild ARGS`, or `python -c CODE ARGS`, with RLIMIT_AS at `max_bytes`."""
        import tempfile

        cmd = ["python", *(["-m", "cvbuild"] if code is None else ["-c", code]), *args]
        request = {"args": list(args), "cwd": cwd, "env": dict(env), "code": code, "max_bytes": max_bytes}
        data = json.dumps(request).encode()
        with (
            tempfile.TemporaryFile() as out,
            tempfile.TemporaryFile() as err,
            socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn,
        ):
            conn.connect(self.path)
            socket.send_fds(conn, [_HEADER.pack(len(data))], [out.fileno(), err.fileno()])
            conn.sendall(data)
            (pid,) = _PID.unpack(_recv_exactly(conn, _PID.size))
            conn.settimeout(timeout)
            try:
                (code,) = _CODE.unpack(_recv_exactly(conn, _CODE.size))
            except TimeoutError:
                os.kill(pid, signal.SIGKILL)  # as subprocess.run does on a time-out
                conn.settimeout(None)
                _recv_exactly(conn, _CODE.size)
                remove_staged_folders(pid, env)
                raise subprocess.TimeoutExpired(cmd, timeout, _text(out), _text(err)) from None
            return subprocess.CompletedProcess(cmd, code, _text(out), _text(err))

    def close(self) -> None:
        if self.proc.stdin:
            self.proc.stdin.close()  # the server's cue to end
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        if self.proc.stdout:
            self.proc.stdout.close()
        shutil.rmtree(self.folder, ignore_errors=True)


def remove_staged_folders(pid: int, env: Mapping[str, str]) -> None:
    """What a run killed on a time-out cannot remove itself (SIGKILL runs no `finally`): its
    staged folders (targets/typst_stage.py, a `watch` or a render with a warm start), which cvbuild
    sweeps only an hour later; every full run of the suite left one in /dev/shm."""
    import tempfile

    from cvbuild.targets.typst_stage import PREFIX

    places = {env.get("XDG_RUNTIME_DIR"), "/dev/shm", env.get("TMPDIR"), tempfile.gettempdir()}
    for place in filter(None, places):
        for folder in Path(place).glob(f"{PREFIX}{pid}-*"):
            shutil.rmtree(folder, ignore_errors=True)


def _text(file: io.BufferedRandom | Any) -> str:
    """Bytes to text as `subprocess.run(..., text=True)` decodes them."""
    file.seek(0)
    data: bytes = file.read()
    return data.decode(locale.getpreferredencoding(False)).replace("\r\n", "\n").replace("\r", "\n")


def engine_of(args: Sequence[str]) -> str:
    """The engine a command line asks for (`--engine NAME` or `--engine=NAME`); typst otherwise,
    also when a profile names its engine itself (that run just misses the preloaded WeasyPrint)."""
    for i, arg in enumerate(args):
        named = args[i + 1] if arg == "--engine" and i + 1 < len(args) else arg.removeprefix("--engine=")
        if named != arg and named in ENGINE_PRELOAD:
            return named
    return "typst"


if __name__ == "__main__":
    _preload(*sys.argv[2:3])
    _start_run(serve(sys.argv[1]))
