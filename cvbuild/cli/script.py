"""The `cvbuild` console script: `cvbuild --help` and `cvbuild --version` are answered here,
before typer, click and pydantic are imported (they cost ~0.1 s, the whole budget of `--help`);
every other command line goes to `cli.entry`, and from there to typer."""

from __future__ import annotations

import os
import sys

# click wraps help to min(terminal width, 80) - 2 columns; the stored text is that at 80 or more.
HELP_COLUMNS = 80


def main() -> None:
    """The console script."""
    argv = sys.argv[1:]
    if argv == ["--version"]:
        from cvbuild import __version__

        sys.stdout.write(f"cvbuild {__version__}\n")
        return
    if argv == ["--help"] and terminal_columns() >= HELP_COLUMNS:
        from cvbuild.cli.usage import HELP

        sys.stdout.write(HELP)
        return
    # pydantic looks for plugins (observability hooks) through every installed package's entry
    # points when it builds the first model: ~10 ms of each run, for hooks a command-line tool has
    # no use for. Set here, in the program's entry, before pydantic is imported; a value the user
    # set wins.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    skip_plugin_loader()
    from cvbuild.cli.entry import main as entry_main

    entry_main()


# pydantic's plugin loader, `get_plugins()` (pydantic/plugin/_loader.py), returns () when
# PYDANTIC_DISABLE_PLUGINS disables every plugin, but the module imports importlib.metadata (and
# with it email, zipfile, csv: ~25 ms) at its top, before it looks at the variable.
PLUGIN_LOADER = "pydantic.plugin._loader"
ALL_PLUGINS_OFF = ("__all__", "1", "true")  # the values _loader.get_plugins treats as "all off"


def skip_plugin_loader() -> None:
    """With every plugin off, stand in a loader whose `get_plugins()` returns () as well, so that
    importlib.metadata is never imported (cvbuild reads its own entry points without it). Only
    here, in the program's entry; a test checks the real loader answers () alike."""
    if os.environ.get("PYDANTIC_DISABLE_PLUGINS") not in ALL_PLUGINS_OFF or PLUGIN_LOADER in sys.modules:
        return
    import types

    loader = types.ModuleType(PLUGIN_LOADER, "cvbuild: every pydantic plugin is disabled")
    loader.get_plugins = tuple  # type: ignore[attr-defined]  # get_plugins() == ()
    sys.modules[PLUGIN_LOADER] = loader


def terminal_columns() -> int:
    """The width click formats help for, found as `shutil.get_terminal_size` does (without
    importing shutil, ~20 ms): $COLUMNS, else the terminal of stdout, else 80."""
    try:
        columns = int(os.environ.get("COLUMNS", "0"))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns if columns > 0 else 80
