"""Error types shared by every stage; the CLI maps them to exit codes."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


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
        return f"{where}: {prefix}{self.message}"


class CvbuildError(Exception):
    """Base class; `exit_code` is what the CLI returns."""

    exit_code = 1


class InputError(CvbuildError):
    """Invalid input or usage (exit 2); carries every problem found."""

    exit_code = 2

    def __init__(self, problems: list[Problem] | str) -> None:
        if isinstance(problems, str):
            self.problems: list[Problem] = []
            self.text = problems
        else:
            self.problems = problems
            self.text = "\n".join(str(p) for p in problems)
        super().__init__(self.text)


class RenderError(CvbuildError):
    """A target failed to render (exit 1)."""

    exit_code = 1
