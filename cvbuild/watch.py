"""`cvbuild watch`: rebuild on every save; with --serve, a live preview on 127.0.0.1.

Like MkDocs' livereload, without a web framework: the page long-polls for a build "epoch";
requests wait while a build runs, so nobody sees a half-written page; and a failed build
shows its error in the page instead of leaving the browser hanging.
"""

from __future__ import annotations

import html
import re
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

from cvbuild.errors import CvbuildError, InputError

POLL_SECONDS = 25.0
WATCHED_SUFFIXES = {".yaml", ".yml", ".bib", ".typ", ".j2", ".css", ".toml", ".otf", ".ttf"}
RELOAD_SCRIPT = """<script>(function(){var e=%d;function p(){fetch('/__livereload?epoch='+e)
.then(function(r){return r.text()}).then(function(t){if(t!==String(e)){location.reload()}else{p()}})
.catch(function(){setTimeout(p,1000)})}p()})();</script>"""


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cycle collection while the block runs (a `watch` build); then the young generations,
    which hold what the build left, are collected (~1 ms). A rebuild makes some 10^5 objects, and
    the collections they set off walk every young object the build still holds (the new Profile,
    Document, pages): ~5-10 ms of a rebuild's 0.1 s. The old generation is collected on the
    collector's own schedule (every tenth young collection), also after a build."""
    import gc

    if not gc.isenabled():  # someone else decided (a one-shot render turns it off)
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.collect(2 if gc.get_count()[2] >= gc.get_threshold()[2] else 1)


@dataclass
class BuildState:
    """What the HTTP threads see of the build loop; guarded by `cond`."""

    epoch: int = 0
    building: bool = False
    error: str | None = None
    outputs: list[Path] = field(default_factory=list)
    cond: threading.Condition = field(default_factory=threading.Condition)

    def rebuild(self, build: Callable[[], list[Path]]) -> None:
        with self.cond:
            self.building = True
        error: str | None = None
        outputs: list[Path] = []
        with collector_paused():  # what the build left is collected after the page is told
            try:
                outputs = build()
            except CvbuildError as exc:
                error = str(exc)
            except Exception as exc:  # keep watching whatever a template or engine does
                error = f"rendering failed: {type(exc).__name__}: {exc}"
            with self.cond:
                self.building = False
                self.error = error
                if outputs:
                    self.outputs = outputs
                self.epoch += 1
                self.cond.notify_all()

    def wait_idle(self, timeout: float = 30.0) -> None:
        with self.cond:
            self.cond.wait_for(lambda: not self.building, timeout)

    def wait_change(self, seen: int, timeout: float = POLL_SECONDS) -> int:
        with self.cond:
            self.cond.wait_for(lambda: self.epoch != seen and not self.building, timeout)
            return self.epoch


def inject_reload(page: str, epoch: int) -> str:
    script = RELOAD_SCRIPT % epoch
    page = allow_reload_script(page, script)
    return page.replace("</body>", script + "</body>") if "</body>" in page else page + script


# A page's own Content-Security-Policy (the base theme's is `default-src 'none'; ...`).
_CSP_META = re.compile(
    r"""(<meta\s+http-equiv=["']?Content-Security-Policy["']?\s+content=)(["'])(.*?)\2""", re.I | re.S
)


def allow_reload_script(page: str, script: str) -> str:
    """The page as served by the preview: its Content-Security-Policy lets this reload script
    run (by its hash, nothing else) and poll this server. Without that, the browser blocked it
    under `default-src 'none'` and the page never reloaded. The written file keeps its policy."""
    import base64
    import hashlib

    body = script.removeprefix("<script>").removesuffix("</script>")
    digest = base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode("ascii")
    sources = {"script-src": f"'sha256-{digest}'", "connect-src": "'self'"}

    def widened(match: re.Match[str]) -> str:
        directives = [d.strip() for d in match[3].split(";") if d.strip()]
        for name, source in sources.items():
            at = next((i for i, d in enumerate(directives) if d.split()[0].lower() == name), None)
            if at is None:
                directives.append(f"{name} {source}")
            elif "'none'" in directives[at].split():
                directives[at] = f"{name} {source}"
            else:
                directives[at] += f" {source}"
        return f"{match[1]}{match[2]}{'; '.join(directives)}{match[2]}"

    return _CSP_META.sub(widened, page, count=1)  # the head's; user text has no `<`


def error_page(message: str, epoch: int) -> str:
    return inject_reload(
        "<!doctype html><html lang=en><meta charset=utf-8><title>cvbuild: build failed</title>"
        "<body style='font:15px/1.5 monospace;margin:2rem;color:#7a1010'>"
        f"<h1 style='font-size:1.2rem'>The last build failed</h1><pre>{html.escape(message)}</pre>"
        "<p style='color:#444'>Fix the file and save; this page reloads by itself.</p></body></html>",
        epoch,
    )


LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}


def local_host(header: str | None) -> bool:
    """Whether a Host header names this machine; any other name is a DNS-rebinding attempt
    (a web page whose own host name was pointed at 127.0.0.1) and is refused."""
    if not header:
        return False
    host = header.strip().lower()
    if host.startswith("["):
        host = host[: host.find("]") + 1] if "]" in host else host
    else:
        host = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
    return host in LOCAL_HOSTS


def query_epoch(query: str) -> int:
    """The `epoch` a reloading page has seen; anything unreadable counts as none (-1)."""
    try:
        values = parse_qs(query, max_num_fields=4, strict_parsing=False).get("epoch", ["-1"])
        return int(values[0]) if values[0].lstrip("-").isdigit() and len(values[0]) < 20 else -1
    except ValueError:
        return -1


def make_handler(state: BuildState) -> type[BaseHTTPRequestHandler]:
    """A handler bound to one build state. It serves the rendered outputs of the last good build
    and nothing else: no profile, no .bib, no other file of the folder, whatever the URL says."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:  # quiet: the terminal shows builds
            return

        def do_GET(self) -> None:
            try:
                self._get()
            except (BrokenPipeError, ConnectionResetError, TimeoutError):
                return  # the browser left (closed the tab, or a long poll it no longer wants)

        def _get(self) -> None:
            if not local_host(self.headers.get("Host")):
                self.send_error(HTTPStatus.FORBIDDEN, "cvbuild serves only http://127.0.0.1 or http://localhost")
                return
            url = urlparse(self.path)
            if url.path == "/__livereload":
                self._send(str(state.wait_change(query_epoch(url.query))).encode(), "text/plain")
                return
            state.wait_idle()
            if state.error is not None:
                self._send(error_page(state.error, state.epoch).encode(), "text/html; charset=utf-8")
                return
            target = self._output(unquote(url.path))
            if target is None:
                self.send_error(HTTPStatus.NOT_FOUND)
                return
            try:
                data = target.read_bytes()
            except OSError:
                self.send_error(HTTPStatus.NOT_FOUND)
                return
            if target.suffix == ".html":
                page = inject_reload(data.decode("utf-8"), state.epoch)
                self._send(page.encode("utf-8"), "text/html; charset=utf-8")
            else:
                self._send(data, _content_type(target))

        def _output(self, path: str) -> Path | None:
            """One of the last build's outputs, chosen by name: the URL never becomes a path."""
            outputs = list(state.outputs)
            if path in ("", "/"):
                pages = [p for p in outputs if p.suffix == ".html"]
                return pages[0] if pages else None
            return next((p for p in outputs if p.name == path.lstrip("/")), None)

        def _send(self, body: bytes, ctype: str) -> None:
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.send_header("X-Content-Type-Options", "nosniff")
            self.end_headers()
            self.wfile.write(body)

    return Handler


class QuietServer(ThreadingHTTPServer):
    """A server that does not print a traceback when a client goes away mid-answer."""

    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        return


def _content_type(path: Path) -> str:
    return {".pdf": "application/pdf", ".png": "image/png", ".txt": "text/plain; charset=utf-8"}.get(
        path.suffix, "application/octet-stream" if path.suffix != ".md" else "text/markdown; charset=utf-8"
    )


def relevant(changes: Iterable[tuple[object, str]], written: Iterable[Path] = ()) -> bool:
    """Only sources count. What a build writes (its outputs, and the `.cvbuild-tmp-` temporaries
    of the output set) never triggers another, even with `-o .` beside the profile."""
    from cvbuild.output import TMP_PREFIX

    ours = {p.resolve() for p in written}
    for _, raw in changes:
        path = Path(raw)
        if path.name.startswith(TMP_PREFIX) or path.suffix not in WATCHED_SUFFIXES:
            continue
        if path.resolve() not in ours:
            return True
    return False


def serve(state: BuildState, port: int) -> ThreadingHTTPServer:
    """Start the preview server on 127.0.0.1; a port in use is an input error (exit 2)."""
    try:
        server = QuietServer(("127.0.0.1", port), make_handler(state))
    except OSError as exc:
        raise InputError(f"--port {port}: {exc.strerror or exc}; choose another port, or 0 for a free one") from None
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def watch_loop(
    build: Callable[[], list[Path]],
    paths: list[Path],
    state: BuildState,
    report: Callable[[str], None],
) -> None:
    """Build now, then again after every relevant change, until interrupted."""
    from watchfiles import watch

    def once() -> None:
        state.rebuild(build)
        report(f"build {state.epoch}: " + ("failed\n" + state.error if state.error else "ok"))

    once()
    for changes in watch(*paths, debounce=100, step=20, raise_interrupt=False):
        if relevant(changes, state.outputs):
            once()
