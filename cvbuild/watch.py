"""`cvbuild watch`: rebuild on every save; with --serve, a live preview on 127.0.0.1.

Like MkDocs' livereload, without a web framework: the page long-polls for a build "epoch";
requests wait while a build runs, so nobody sees a half-written page; and a failed build
shows its error in the page instead of leaving the browser hanging.
"""

from __future__ import annotations

import html
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

from cvbuild.errors import CvbuildError

POLL_SECONDS = 25.0
WATCHED_SUFFIXES = {".yaml", ".yml", ".bib", ".typ", ".j2", ".css", ".toml", ".otf", ".ttf"}
RELOAD_SCRIPT = """<script>(function(){var e=%d;function p(){fetch('/__livereload?epoch='+e)
.then(function(r){return r.text()}).then(function(t){if(t!==String(e)){location.reload()}else{p()}})
.catch(function(){setTimeout(p,1000)})}p()})();</script>"""


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
    return page.replace("</body>", script + "</body>") if "</body>" in page else page + script


def error_page(message: str, epoch: int) -> str:
    return inject_reload(
        "<!doctype html><html lang=en><meta charset=utf-8><title>cvbuild: build failed</title>"
        "<body style='font:15px/1.5 monospace;margin:2rem;color:#7a1010'>"
        f"<h1 style='font-size:1.2rem'>The last build failed</h1><pre>{html.escape(message)}</pre>"
        "<p style='color:#444'>Fix the file and save; this page reloads by itself.</p></body></html>",
        epoch,
    )


def make_handler(state: BuildState, root: Path) -> type[BaseHTTPRequestHandler]:
    """A handler bound to one build state and output folder; serves nothing outside it."""
    root = root.resolve()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:  # quiet: the terminal shows builds
            return

        def do_GET(self) -> None:
            url = urlparse(self.path)
            if url.path == "/__livereload":
                seen = int(parse_qs(url.query).get("epoch", ["-1"])[0] or -1)
                self._send(str(state.wait_change(seen)).encode(), "text/plain")
                return
            state.wait_idle()
            if state.error is not None:
                self._send(error_page(state.error, state.epoch).encode(), "text/html; charset=utf-8")
                return
            target = self._resolve(url.path)
            if target is None:
                self.send_error(HTTPStatus.NOT_FOUND)
                return
            data = target.read_bytes()
            if target.suffix == ".html":
                page = inject_reload(data.decode("utf-8"), state.epoch)
                self._send(page.encode("utf-8"), "text/html; charset=utf-8")
            else:
                self._send(data, _content_type(target))

        def _resolve(self, path: str) -> Path | None:
            if path in ("", "/"):
                pages = [p for p in state.outputs if p.suffix == ".html"]
                return pages[0].resolve() if pages else None
            candidate = (root / unquote(path).lstrip("/")).resolve()
            inside = candidate.is_relative_to(root) and candidate.is_file()
            return candidate if inside else None

        def _send(self, body: bytes, ctype: str) -> None:
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

    return Handler


def _content_type(path: Path) -> str:
    return {".pdf": "application/pdf", ".png": "image/png", ".txt": "text/plain; charset=utf-8"}.get(
        path.suffix, "application/octet-stream" if path.suffix != ".md" else "text/markdown; charset=utf-8"
    )


def relevant(changes: Iterable[tuple[object, str]], output: Path) -> bool:
    """Only sources count: edits in the output folder (our own writes) never trigger a build."""
    out = output.resolve()
    for _, raw in changes:
        path = Path(raw).resolve()
        if path.suffix in WATCHED_SUFFIXES and not path.is_relative_to(out):
            return True
    return False


def serve(state: BuildState, root: Path, port: int) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer(("127.0.0.1", port), make_handler(state, root))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def watch_loop(
    build: Callable[[], list[Path]],
    paths: list[Path],
    output: Path,
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
        if relevant(changes, output):
            once()
