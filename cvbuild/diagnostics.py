"""Problems and warnings in the three forms CI and editors read: text, JSON and GitHub workflow commands.

`validate` and `render` both report through this module, so a profile error looks the same whichever
command found it. The JSON form is a stable interface (documented in docs/ci.md):
a list of objects with exactly the keys of `Diagnostic.as_json`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from cvbuild.errors import Problem, escape_controls, split_location

Severity = Literal["error", "warning"]
FORMATS = ("text", "json", "github")
JSON_KEYS = ("file", "line", "column", "path", "message", "severity", "hint")


@dataclass(frozen=True)
class Diagnostic:
    """One problem or warning; `line`/`column` are 1-based, 0 when unknown; `file` None when it has none."""

    message: str
    severity: Severity = "error"
    file: Path | None = None
    line: int = 0
    column: int = 0
    path: str = ""  # dotted path inside the profile, e.g. experience[0].end
    hint: str = ""  # how to fix it, when cvbuild knows
    detail: str = ""  # further lines (an engine's excerpt of a theme's code), each printed indented

    @classmethod
    def from_problem(cls, problem: Problem, severity: Severity = "error") -> Diagnostic:
        """Messages read "what is wrong; how to fix it": the part after the first `; ` is the hint."""
        message, hint = split_hint(problem.message)
        return cls(message, severity, problem.file, problem.line, problem.column, problem.path, hint)

    @property
    def full_message(self) -> str:
        return f"{self.message}; {self.hint}" if self.hint else self.message

    def __str__(self) -> str:
        """The text form, as compilers print it: `file:line:col: [warning: ]path: message; hint`."""
        where = ""
        if self.file is not None:
            where = str(self.file) + (f":{self.line}:{self.column}" if self.line else "") + ": "
        label = "warning: " if self.severity == "warning" else ("" if self.file is not None else "error: ")
        prefix = f"{self.path}: " if self.path else ""
        extra = "".join(f"\n    {escape_controls(line)}" for line in self.detail.splitlines())
        return escape_controls(f"{where}{label}{prefix}{self.full_message}") + extra  # ANSI/NUL/RLO stay inert

    def as_json(self, root: Path | None = None) -> dict[str, object]:
        return {
            "file": None if self.file is None else relative_to(self.file, root),
            "line": self.line or None,
            "column": self.column or None,
            "path": self.path,
            "message": self.message,
            "severity": self.severity,
            "hint": self.hint,
        }


def as_diagnostic(item: str | Diagnostic | Problem, severity: Severity = "warning") -> Diagnostic:
    """What a `warn` callback receives (a plain string from most engines) as a Diagnostic; a string
    that starts with a place (`cv.typ:12:3: Typst: ...`) is located there, so a JSON diagnostic has
    the file and line and a GitHub annotation lands on the theme's line."""
    if isinstance(item, Diagnostic):
        return item
    if isinstance(item, Problem):
        return Diagnostic.from_problem(item, severity)
    at = split_location(item)
    if at is not None:  # an engine's words, kept whole: its `; ` is no hint of cvbuild's
        return Diagnostic(at.message, severity, at.file, at.line, at.column)
    return Diagnostic(item, severity)


def split_hint(message: str) -> tuple[str, str]:
    """Split at the first `; ` that is not inside a quoted value ('a; b' stays whole)."""
    quote = ""
    for i, char in enumerate(message):
        if quote:
            if char == "\\":
                continue
            if char == quote and (i == 0 or message[i - 1] != "\\"):
                quote = ""
        elif char in "'\"" and (i == 0 or not message[i - 1].isalnum()):
            quote = char  # an apostrophe inside a word ("theme's") opens nothing
        elif message.startswith("; ", i):
            return message[:i], message[i + 2 :]
    return message, ""


def relative_to(file: Path, root: Path | None) -> str:
    """`file` relative to `root` when inside it (GitHub places annotations by repository path)."""
    if root is not None:
        try:
            return file.resolve().relative_to(root.resolve()).as_posix()
        except (ValueError, OSError):
            pass
    return str(file)


# ---- formatters ------------------------------------------------------------------------------


def format_text(diagnostics: Iterable[Diagnostic]) -> str:
    return "".join(f"{d}\n" for d in diagnostics)


def format_json(diagnostics: Iterable[Diagnostic], root: Path | None = None) -> str:
    return json.dumps([d.as_json(root) for d in diagnostics], ensure_ascii=False, indent=2) + "\n"


def format_github(diagnostics: Iterable[Diagnostic], root: Path | None = None) -> str:
    return "".join(github_command(d, root) + "\n" for d in diagnostics)


def github_command(diag: Diagnostic, root: Path | None = None) -> str:
    """`::error file=F,line=L,col=C,title=T::message`, escaped as the Actions runner expects."""
    props: list[tuple[str, str]] = []
    if diag.file is not None:
        props.append(("file", relative_to(diag.file, root)))
        if diag.line:
            props.append(("line", str(diag.line)))
            if diag.column:
                props.append(("col", str(diag.column)))
    props.append(("title", f"cvbuild: {diag.path}" if diag.path else "cvbuild"))
    joined = ",".join(f"{k}={escape_property(v)}" for k, v in props)
    return f"::{diag.severity} {joined}::{escape_data(diag.full_message)}"


def escape_data(text: str) -> str:
    """Workflow-command message escaping (actions/toolkit `escapeData`)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Workflow-command property escaping (actions/toolkit `escapeProperty`): also `:` and `,`."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def workspace_root(env: dict[str, str] | None = None) -> Path:
    """Paths in JSON and GitHub output are relative to the repository: GITHUB_WORKSPACE, else the cwd."""
    env = dict(os.environ) if env is None else env
    return Path(env.get("GITHUB_WORKSPACE") or os.getcwd()).resolve()
