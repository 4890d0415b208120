"""theme.toml: read within its theme folder, checked by a pydantic model, errors located by line.

Python's tomllib keeps no positions, so a problem is placed on the line that assigns the key
(`targets = "pdf"`, or `font_size = ...` under `[options]`); that is where the user edits.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError
from pydantic_core import PydanticCustomError

from cvbuild import confine
from cvbuild.errors import InputError, Problem
from cvbuild.schema.model import GroupBy, Highlight, Numbering, PublicationSort

MANIFEST = "theme.toml"
Format = Literal["pdf", "html", "txt", "md", "png"]
OptionValue = bool | int | float | str | list[str]


class PublicationDefaults(BaseModel):
    """The theme's defaults for `documents.NAME.publications`: the values a profile may write
    there (the schema's own types), so a theme's `group_by = "yaer"` is an error, not ignored."""

    model_config = ConfigDict(extra="forbid", strict=True)

    group_by: GroupBy | None = None
    sort: PublicationSort | None = None
    since: Annotated[int, Field(ge=1900, le=2200)] | None = None
    selected_only: bool | None = None
    tags: list[str] | None = None
    numbering: Numbering | None = None
    numbering_scope: Literal["document", "group"] | None = None
    max_authors: Annotated[int, Field(ge=0)] | None = None
    highlight: Highlight | None = None


LENGTH = r"^\s*\d+(?:\.\d+)?(?:pt|mm|cm|in)\s*$"
# A theme's name names files (`themes --preview DIR` writes DIR/NAME.png) and is looked up as a
# name, not a path: letters, digits, `_`, `-` and `.` inside, no `/`, no leading `.`, no controls.
# Checked with Python's `re` (the manifest's regex_engine): the Rust engine pydantic uses by default
# builds 63 copies of the Unicode `\w` class for `{0,63}`, ~25 ms of every render. `\Z`, since
# Python's `$` also matches before a final line break.
NAME = r"^[^\W_][\w.-]{0,63}\Z"
NAME_RULE = "a theme's name is letters, digits, '_', '-' and '.' (not first), at most 64 of them, like my-theme"


def is_theme_name(name: str) -> bool:
    """NAME, with `\\w` as Unicode reads it (and pydantic's Rust engine did): marks too (the vowel
    signs of हिंदी, an accent typed apart: e + U+0301) and the joiners of Persian words (U+200C);
    Python's `\\w` has neither, so the python-re engine refused such names."""
    return 0 < len(name) <= 64 and name[0] != "_" and _word(name[0]) and all(_word(c) or c in ".-" for c in name)


def _word(char: str) -> bool:
    import unicodedata

    return char.isalnum() or char == "_" or char in "\u200c\u200d" or unicodedata.category(char).startswith("M")


def _theme_name(name: str) -> str:
    if not is_theme_name(name):
        raise PydanticCustomError(
            "string_pattern_mismatch", "String should match pattern '{pattern}'", {"pattern": NAME}
        )
    return name


class FitFloors(BaseModel):
    """[fit]: how far cvbuild may tighten a layout to fit `max_pages` (spacing first, then font
    size, then margins), e.g. spacing = 0.6, font_size = "9pt", margin = "1cm"."""

    model_config = ConfigDict(extra="forbid", strict=True)

    spacing: Annotated[float, Field(ge=0.3, le=1.0)] | None = None
    font_size: Annotated[str, Field(pattern=LENGTH)] | None = None
    margin: Annotated[str, Field(pattern=LENGTH)] | None = None


class ThemeManifest(BaseModel):
    """What a theme.toml may say; TOML already gives exact types, so no coercion (strict)."""

    model_config = ConfigDict(extra="forbid", strict=True, regex_engine="python-re")

    name: Annotated[str, AfterValidator(_theme_name)] | None = None
    description: str = ""
    extends: str | None = None
    targets: list[Format] | None = None
    abstract: bool = False
    options: dict[str, OptionValue] = {}
    choices: dict[str, list[bool | int | float | str]] = {}
    publications: PublicationDefaults = PublicationDefaults()
    # A heading for every language, or one per language or locale: {en = "Invited Talks", de = "Eingeladene Vorträge"}.
    section_titles: dict[str, str | dict[str, str]] = {}
    fit: FitFloors = FitFloors()


def read_manifest(folder: Path) -> dict[str, Any]:
    """The checked manifest as a plain dict of the keys it sets; exit-2 errors name theme.toml:line."""
    path = folder / MANIFEST
    data = confine.read_confined(path, [confine.real(folder)], f"the theme folder {folder}")
    try:
        text = data.decode("utf-8-sig")
        raw = tomllib.loads(text)
    except UnicodeDecodeError as exc:
        line, col = data.count(b"\n", 0, exc.start) + 1, exc.start - data.rfind(b"\n", 0, exc.start)
        message = f"not UTF-8 text (byte {exc.start}); save it as UTF-8"
        raise InputError([Problem(path, line, col, "", message)]) from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError([_toml_problem(path, text, exc)]) from None
    try:
        manifest = ThemeManifest.model_validate(raw)
    except ValidationError as exc:
        problems: dict[
            str, Problem
        ] = {}  # a value that fits no member of a union gives one error per member: say it once
        for err in exc.errors():
            problem = _problem(path, text, err)
            problems.setdefault(problem.path, problem)
        raise InputError(list(problems.values())) from None
    _check_options(path, text, manifest.options)
    _check_section_titles(path, text, manifest.section_titles)
    return manifest.model_dump(exclude_unset=True)


def _check_section_titles(path: Path, text: str, titles: dict[str, str | dict[str, str]]) -> None:
    """A `[section_titles]` key a letter or two from a built-in section's id (`publicaitons`) is a
    typo: its heading was never used, silently. Other keys may name custom sections, whose ids
    come from each profile, so they are taken as they are."""
    import difflib

    from cvbuild.document.sections import BUILTIN_SECTIONS

    problems = []
    for key in titles:
        close = [] if key in BUILTIN_SECTIONS else difflib.get_close_matches(key, list(BUILTIN_SECTIONS), 1, 0.8)
        if close:
            message = (
                f"no built-in section is called {key!r}; did you mean {close[0]!r}? (a custom section's "
                "heading is better set by the profile: documents.NAME.section_titles)"
            )
            problems.append(Problem(path, *locate(text, ("section_titles", key)), f"section_titles.{key}", message))
    if problems:
        raise InputError(problems)


def _toml_problem(path: Path, text: str, exc: tomllib.TOMLDecodeError) -> Problem:
    """tomllib puts the place at the end of its message: `... (at line 3, column 10)`."""
    message = str(exc)
    at = re.search(r"\s*\(at line (\d+), column (\d+)\)$", message)
    if at is not None:
        return Problem(path, int(at[1]), int(at[2]), "", f"invalid TOML: {message[: at.start()]}")
    end = re.search(r"\s*\(at end of document\)$", message)
    if end is not None:
        lines = text.splitlines() or [""]
        return Problem(path, len(lines), len(lines[-1]) + 1, "", f"invalid TOML: {message[: end.start()]}")
    return Problem(path, 0, 0, "", f"invalid TOML: {message}")


def _check_options(path: Path, text: str, options: dict[str, OptionValue]) -> None:
    """Each theme.toml's own defaults are checked where they are written, so that a parent's bad
    accent is never blamed on the child that extends it (the merged options name no file)."""
    from cvbuild.themes.options import style_problems

    problems = [
        Problem(path, *locate(text, ("options", key)), f"options.{key}", message)
        for key, message in style_problems(options)
    ]
    if problems:
        raise InputError(problems)


def _problem(path: Path, text: str, err: Any) -> Problem:
    loc = tuple(str(p) for p in err["loc"][:2])  # deeper parts name union members, not keys
    line, col = locate(text, loc)
    dotted = ".".join(loc)
    if loc[:1] == ("options",) and len(err["loc"]) > 2:
        message = f"an option's default is a string, number, boolean or list of strings, got {err.get('input')!r}"
    elif err["type"] == "extra_forbidden":
        parents: dict[str, type[BaseModel]] = {"publications": PublicationDefaults, "fit": FitFloors}
        parent = parents.get(loc[0], ThemeManifest) if len(loc) > 1 else ThemeManifest
        allowed = ", ".join(parent.model_fields)
        message = f"unknown key; allowed: {allowed}"
    else:
        message = f"{err['msg'].lower()}, got {err['input']!r}" if "input" in err else err["msg"]
        if loc == ("targets",):
            message += '; write a list, e.g. targets = ["pdf", "html", "txt", "md"]'
        elif loc == ("name",) and err["type"] == "string_pattern_mismatch":
            message = f"{NAME_RULE}, got {err['input']!r}"
    return Problem(path, line, col, dotted, message)


def problem_at(path: Path, loc: tuple[str, ...], message: str) -> Problem:
    """A problem at the line of the theme.toml `path` that sets `loc` (line 0 when none does)."""
    text = confine.read_regular(path).decode("utf-8", errors="replace")
    return Problem(path, *locate(text, loc), ".".join(loc), message)


def locate(text: str, loc: tuple[str, ...]) -> tuple[int, int]:
    """1-based line and column of the key that sets `loc`; (0, 0) when it cannot be found."""
    if not loc:
        return 0, 0
    lines = text.splitlines()
    table = ""
    for number, line in enumerate(lines, start=1):
        header = re.match(r"\s*\[([^\[\]]+)\]\s*(#.*)?$", line)
        if header:
            table = header.group(1).strip().strip('"')
            continue
        key = re.match(r'(\s*)"?([A-Za-z0-9_-]+)"?\s*=', line)
        if not key:
            continue
        if (table == "" and key.group(2) == loc[0]) or (len(loc) > 1 and table == loc[0] and key.group(2) == loc[1]):
            return number, len(key.group(1)) + 1
    return 0, 0
