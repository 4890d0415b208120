"""The `cvbuild` console script: a plain `cvbuild render ...` skips typer and click.

Importing typer and letting it convert every parameter (through pydantic adapters it builds on
each run) costs some 5-10% of a one-page render. A command line made only of the plain
spellings of `render`'s own parameters is parsed here, from a stored copy of what the signature
of `render` in `app.py` says (that signature stays the one definition of the command line; a test
checks the copy against it), and `outcome.render_command` runs without typer. Anything else
(help, typos, `-fpdf`, an option given twice) goes through typer. A test checks that both read
every accepted command line alike.
"""

from __future__ import annotations

import gc
import inspect
import os
import sys
import types
import typing
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

# typer.Option settings the fast parser honours; any other one (a callback, an envvar, a path
# check, a prompt, ...) sends the command to typer.
_PLAIN_SETTINGS = {"default", "param_decls", "help", "show_default", "metavar", "hidden", "rich_help_panel"}


# What the signature of cli.app.render says, for the fast path: option spelling -> parameter,
# the positional parameters, and each parameter's kind (see `_kind`). Regenerate with
# `_parameters(cvbuild.cli.app.render)`; tests/test_cli_entry.py fails when they differ.
RENDER_OPTIONS = {
    "-f": "format",
    "--format": "format",
    "--engine": "engine",
    "--theme": "theme",
    "-d": "document",
    "--document": "document",
    "-o": "output",
    "--output": "output",
    "--set": "set_",
    "--diagnostics": "diagnostics",
    "--strict": "strict",
    "--ats": "ats",
    "--report": "report",
    "--allow-path": "allow_path",
    "--time-limit": "time_limit",
}
RENDER_ARGUMENTS = ["profile"]
RENDER_KINDS = {
    "profile": "path",
    "format": "str",
    "engine": "str",
    "theme": "str",
    "document": "str",
    "output": "path",
    "set_": "list",
    "diagnostics": "str",
    "strict": "flag",
    "ats": "flag",
    "report": "path",
    "allow_path": "other",
    "time_limit": "other",
}


def main() -> None:
    """The console script."""
    argv = sys.argv[1:]
    arguments = parse_render(argv[1:]) if argv[:1] == ["render"] else None
    if arguments is None:
        from cvbuild.cli.app import app

        try:
            app()
        except SystemExit as exc:
            if exc.code not in (None, 0):
                raise
    else:
        from cvbuild.cli.outcome import render_command

        # One render, then the process ends (`_exit_now`): its data is freed by reference
        # counting, and the cycle collector's passes (mostly over pydantic's schema objects while
        # the models build) cost ~2% and free nothing (peak RSS at 1,000 publications: unchanged).
        gc.disable()
        try:
            code = render_command(**arguments)
        except KeyboardInterrupt:
            sys.exit(130)
        if code:
            sys.exit(code)
    _exit_now()


def parse_render(argv: Sequence[str]) -> dict[str, Any] | None:
    """The keyword arguments typer would call `render` with, read without typer, or None."""
    from cvbuild.cli.outcome import render_command

    return _parse((RENDER_OPTIONS, RENDER_ARGUMENTS, RENDER_KINDS), render_command, argv)


def _parse(
    spec: tuple[dict[str, str], list[str], dict[str, str]], command: Callable[..., Any], argv: Sequence[str]
) -> dict[str, Any] | None:
    """Read `argv` by `spec`; the defaults come from `command`'s signature."""
    options, arguments, kinds = spec
    # the command line's parameters only: `render_command(write=False)` is `cvbuild check`'s, not an option
    values: dict[str, Any] = {
        name: p.default for name, p in inspect.signature(command).parameters.items() if name in kinds
    }
    given: set[str] = set()
    positional: list[str] = []
    rest = iter(argv)
    for arg in rest:
        if not arg.startswith("-"):
            positional.append(arg)
            continue
        name, eq, text = arg.partition("=") if arg.startswith("--") else (arg, "", "")
        target = options.get(name)
        if target is None or (target in given and kinds[target] != "list"):
            return None  # unknown, or given twice: click's rules apply
        kind = kinds[target]
        if kind == "flag":
            if eq:
                return None
            values[target] = True
        else:
            if not eq:
                following = next(rest, None)
                if following is None or following.startswith("-"):
                    return None  # a missing value, or one click might read differently
                text = following
            if kind == "list":
                values[target] = [*(values[target] or []), text]
            elif kind in ("str", "path"):
                values[target] = Path(text) if kind == "path" else text
            else:
                return None  # a type only typer converts
        given.add(target)
    if len(positional) != len(arguments):
        return None
    for target, value in zip(arguments, positional, strict=True):
        if kinds[target] not in ("str", "path"):
            return None
        values[target] = Path(value) if kinds[target] == "path" else value
    return values


def _parameters(command: Callable[..., Any]) -> tuple[dict[str, str], list[str], dict[str, str]] | None:
    """(option spelling -> parameter, positional parameters, parameter -> kind) from the signature."""
    from typer.models import ArgumentInfo, OptionInfo

    options: dict[str, str] = {}
    arguments: list[str] = []
    kinds: dict[str, str] = {}
    for name, hint in typing.get_type_hints(command, include_extras=True).items():
        if name == "return":
            continue
        base, *extras = typing.get_args(hint) if typing.get_origin(hint) is typing.Annotated else (hint,)
        info = next((e for e in extras if isinstance(e, OptionInfo | ArgumentInfo)), None)
        if info is None or any(vars(info)[k] != v for k, v in vars(type(info)()).items() if k not in _PLAIN_SETTINGS):
            return None
        kinds[name] = _kind(base)
        if isinstance(info, ArgumentInfo):
            arguments.append(name)
        else:
            # In `Annotated[..., typer.Option("-f", "--format")]` the first name sits in `default`
            # until typer moves it (in place) into param_decls.
            first = (info.default,) if isinstance(info.default, str) else ()
            options.update({decl: name for decl in (*first, *(info.param_decls or ()))})
    return options, arguments, kinds


def _kind(hint: Any) -> str:
    members = [a for a in typing.get_args(hint) if a is not type(None)] if _is_union(hint) else [hint]
    if len(members) != 1:
        return "other"
    (base,) = members
    if base is bool:
        return "flag"
    if base is str:
        return "str"
    if base is Path:
        return "path"
    if typing.get_origin(base) is list and typing.get_args(base) == (str,):
        return "list"
    return "other"


def _is_union(hint: Any) -> bool:
    return typing.get_origin(hint) in (typing.Union, types.UnionType)


def _exit_now() -> None:
    """Skip interpreter teardown (about a tenth of a render: freeing pydantic's schemas, the Typst
    compiler's caches) once a command succeeded: outputs are already fsynced and closed, and only
    stdout and stderr may still hold text. Under a profiler or coverage (a trace or profile hook
    is set) the normal exit runs, so their atexit reports are written."""
    if sys.gettrace() is not None or sys.getprofile() is not None:
        return
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # a closed or broken pipe: the normal exit reports it
        return
    fonts = sys.modules.get("cvbuild.targets.last_resort")  # the one atexit hook that matters
    if fonts is not None:
        fonts.remove_folders()
    os._exit(0)
