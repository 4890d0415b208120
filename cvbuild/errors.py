"""Error types shared by every stage; the CLI maps them to exit codes."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

# What must never reach a terminal raw: C0/C1 controls (ANSI escapes, NUL, a line break that would
# forge a fake message line), lone surrogates, bidi marks, embeddings, overrides and isolates.
_OTHER = "\x7f-\x9f\ud800-\udfff\u200e\u200f\u202a-\u202e\u2066-\u2069"
_UNSAFE_RE = re.compile(f"[\x00-\x1f{_OTHER}]")
_UNSAFE_BUT_LINES_RE = re.compile(f"[\x00-\x09\x0b-\x1f{_OTHER}]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def escape_controls(text: str, *, keep_newlines: bool = False) -> str:
    """User text in a message shows its control characters (`\x1b` as `\\x1b`) instead of obeying them."""
    pattern = _UNSAFE_BUT_LINES_RE if keep_newlines else _UNSAFE_RE
    return pattern.sub(_escape_one, text)


def _escape_one(m: re.Match[str]) -> str:
    code = ord(m[0])
    return _NAMED.get(m[0]) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


@dataclass(frozen=True)
class Problem:
    """One located problem in an input file."""

    file: Path
    line: int  # 1-based; 0 when unknown
    column: int  # 1-based; 0 when unknown
    path: str  # dotted path inside the profile, "" for the whole file
    message: str

    def __str__(self) -> str:
        where = str(self.file)
        if self.line:
            where += f":{self.line}:{self.column}"
        prefix = f"{self.path}: " if self.path else ""
        return escape_controls(f"{where}: {prefix}{self.message}")


class CvbuildError(Exception):
    """Base class; `exit_code` is what the CLI returns."""

    exit_code = 1


class InputError(CvbuildError):
    """Invalid input or usage (exit 2); carries every problem found."""

    exit_code = 2

    def __init__(self, problems: list[Problem] | str) -> None:
        if isinstance(problems, str):
            self.problems: list[Problem] = []
            self.text = escape_controls(problems, keep_newlines=True)
        else:
            self.problems = problems
            self.text = "\n".join(str(p) for p in problems)
        super().__init__(self.text)


class ThemeError(InputError):
    """A theme's own code failed: a Typst, Jinja or CSS error in one of its files. A theme is
    input like the profile, so this is exit 2, located at the theme's file:line:col.

    `message` is `file:line:col: what` and, on further lines, the engine's excerpt of the code,
    kept apart as `detail` so that every line of it is escaped and indented when printed."""

    def __init__(self, message: str) -> None:
        first, _, self.detail = message.partition("\n")
        located = split_location(first)
        super().__init__(first if located is None else [located])
        if self.detail:
            self.text += "\n" + escape_controls(self.detail, keep_newlines=True)
            self.args = (self.text,)


_LOCATED = re.compile(r"^(?P<file>.+?):(?P<line>\d+):(?P<col>\d+)(?: (?P<also>\(inside [^)]*\)))?: (?P<what>.*)$", re.S)


def split_location(message: str) -> Problem | None:
    """`file:line:col: what` (an engine's message about a theme's file, as the targets word it) as
    a located Problem, or None when it does not start with a place."""
    m = _LOCATED.match(message)
    if m is None:
        return None
    what = f"{m['also']}: {m['what']}" if m["also"] else m["what"]
    return Problem(Path(m["file"]), int(m["line"]), int(m["col"]), "", what)


class RenderError(CvbuildError):
    """A target failed to render (exit 1)."""

    exit_code = 1
