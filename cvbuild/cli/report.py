"""Where the CLI's problems and warnings go, in the form `--format`/`--diagnostics` asked for.

text: to stderr as they happen. github: workflow commands on stdout as they happen (the Actions
runner reads them there), and the text form on stderr: the runner shows a command in the log as
"Error: message", without its file, line or the engine's excerpt.
json: collected, printed once on stdout as one list when the command ends.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from cvbuild.diagnostics import Diagnostic, as_diagnostic, format_github, format_json, format_text, relative_to
from cvbuild.errors import CvbuildError, Problem

if TYPE_CHECKING:
    from cvbuild.pipeline import Output


@dataclass
class Reporter:
    format: str = "text"
    root: Path | None = None  # paths in json/github output are relative to it
    out: TextIO = field(default_factory=lambda: sys.stdout)
    err: TextIO = field(default_factory=lambda: sys.stderr)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def warn(self, item: str | Diagnostic | Problem) -> None:
        self.emit(as_diagnostic(item, "warning"))

    def emit(self, diag: Diagnostic) -> None:
        self.diagnostics.append(diag)
        if self.format == "text":
            self.err.write(format_text([diag]))
        elif self.format == "github":
            self.out.write(format_github([diag], self.root))
            self.out.flush()  # the annotation, then its located text: one after the other in the log
            self.err.write(format_text([diag]))

    def fail(self, exc: BaseException) -> int:
        """Report an exception as error diagnostics; returns the exit code."""
        if isinstance(exc, CvbuildError):
            problems: list[Problem] = getattr(exc, "problems", [])
            diags = [Diagnostic.from_problem(p) for p in problems] or [Diagnostic(str(exc))]
            if getattr(exc, "detail", ""):  # a theme's code, quoted by its engine: below the message
                diags[0] = replace(diags[0], detail=exc.detail)  # type: ignore[attr-defined]
            code = exc.exit_code
        else:  # a bug or an engine failure
            message = f"rendering failed: {type(exc).__name__}: {exc}"
            diags = [Diagnostic(message, hint="set CVBUILD_DEBUG=1 for a traceback")]
            problems, code = [], 1
        for diag in diags:
            self.emit(diag)
        if problems and self.format != "json":
            n = len(problems)
            self.err.write(f"{n} problem{'s' if n != 1 else ''} found; nothing was written.\n")
        return code

    def line(self, text: str) -> None:
        """Progress (`wrote …`): stdout, except in json mode where stdout holds only the JSON."""
        (self.err if self.format == "json" else self.out).write(text + "\n")

    def finish(self) -> None:
        if self.format == "json":
            self.out.write(format_json(self.diagnostics, self.root))
        self.out.flush()

    def write_report(self, path: Path, outputs: list[Output], code: int, *, written: bool = True) -> None:
        """A machine-readable record of the run, for CI summaries: written files, pages, sizes, diagnostics.
        `written` is false for `cvbuild check`, whose outputs are the files a render would write."""
        from cvbuild.output import atomic_write

        report = {
            "version": 1,
            "exit_code": code,
            "written": written,
            "outputs": [
                {
                    "file": relative_to(o.path, self.root),
                    "document": o.document,
                    "format": o.format,
                    "bytes": o.size,
                    "pages": o.pages,
                }
                for o in outputs
            ],
            "diagnostics": [d.as_json(self.root) for d in self.diagnostics],
        }
        try:
            atomic_write(path, (json.dumps(report, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))
        except OSError as exc:
            from cvbuild.output import write_failure

            raise write_failure(f"--report {path}: cannot write", exc) from None
