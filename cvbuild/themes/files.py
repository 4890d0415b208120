"""The files each output format is made from, and a located error when a theme's chain lacks one.

Without this check a theme written from scratch that declared `targets = ["pdf", "html"]` and had no
style.css failed with exit 1 and no place ("theme 'x' has no style.css"), and one without cv.html.j2
with "no template 'cv.html.j2' ...; did you mean 'cv.md.j2'?": neither said which line to change.
The place is the theme.toml line that declares the targets, where the choice was made.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from cvbuild.errors import InputError, Problem
from cvbuild.themes.manifest import MANIFEST, problem_at

# What each file is, and where docs/themes.md tells how to write it.
ABOUT = {
    "cv.typ": "the Typst layout: docs/themes.md#the-pdf-cvtyp",
    "cv.html.j2": "a Jinja template: docs/themes.md#html-text-and-markdown-jinja-templates",
    "style.css": "the page's stylesheet; it may be empty",
    "cv.txt.j2": "a Jinja template: docs/themes.md#html-text-and-markdown-jinja-templates",
    "cv.md.j2": "a Jinja template: docs/themes.md#html-text-and-markdown-jinja-templates",
}


def needed_files(fmt: str, engine: str) -> tuple[str, ...]:
    """The theme files that make `fmt` with `engine` (WeasyPrint prints the HTML page)."""
    if fmt == "html" or engine == "weasyprint":
        return ("cv.html.j2", "style.css")
    if fmt in ("pdf", "png"):
        return ("cv.typ",)
    return (f"cv.{fmt}.j2",)


def check_theme_files(theme: Any, formats: Iterable[str], engine: str | None = None) -> None:
    """Every file the formats need is somewhere along the theme's chain; else an InputError at the
    `targets` line of the theme.toml that declared them, saying the three ways to fix it."""
    from cvbuild.targets.base import engine_for

    problems: list[Problem] = []
    seen: set[str] = set()
    for fmt in formats:
        for name in needed_files(fmt, engine_for(fmt, engine)):
            if name in seen or theme.find(name) is not None:
                continue
            seen.add(name)
            problems.append(_missing(theme, fmt, name, engine_for(fmt, engine)))
    if problems:
        raise InputError(problems)


def _missing(theme: Any, fmt: str, name: str, engine: str) -> Problem:
    from cvbuild.targets.base import display_path

    chain = [folder.name for folder in theme.chain]
    lacks = (
        f"neither {chain[0]} nor the themes it extends ({', '.join(chain[1:])}) has one"
        if chain[1:]
        else f"{chain[0]} has none"
    )
    makes = f"{fmt} with WeasyPrint" if engine == "weasyprint" and fmt != "html" else fmt
    if makes != fmt:
        other = "make the PDF with Typst (no --engine weasyprint)"
    elif fmt in theme.targets:
        other = f'take "{fmt}" out of targets'
    else:
        other = f"render another format than {fmt}"
    message = (
        f"the theme makes {makes}, which needs {name}, and {lacks}; write "
        f"{display_path(theme.path / name)} ({ABOUT[name]}), extend a theme that has one "
        f'(extends = "classic"), or {other}'
    )
    for folder in theme.chain:  # the theme.toml whose `targets` the theme has
        located = problem_at(folder / MANIFEST, ("targets",), message)
        if located.line:
            return located
    return Problem(theme.path / MANIFEST, 0, 0, "", message)
