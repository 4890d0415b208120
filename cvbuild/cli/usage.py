"""`cvbuild --help`, stored so that the console script prints it without importing typer.

Generated from the typer app by `make docs` (`python -m cvbuild.cli.usage`); a test fails when
it differs from what typer prints, so a new command needs that one command."""

from __future__ import annotations

import os
import sys
from pathlib import Path

HELP = """\
Usage: cvbuild [OPTIONS] COMMAND [ARGS]...

  Build every CV document you need from one validated YAML profile.

Options:
  --version  Show the version and exit.
  --help     Show this message and exit.

Commands:
  validate  Check a profile and report every problem with file:line:column.
  render    Render a profile into PDF, HTML, text, Markdown and PNG.
  check     Render as render does, in memory, and write no file.
  watch     Rebuild whenever the profile, a .bib or a theme file changes.
  new       Write a starter profile, with a JSON Schema beside it for...
  schema    Print the JSON Schema of the profile (or, with --document, of...
  inspect   Print the Document JSON a theme receives: the same bytes...
  themes    List the themes cvbuild can find (with --preview, render a...
  theme     Create and inspect themes.
  import    Convert other formats to profile YAML.
  export    Convert a profile to other formats.
"""


def generate() -> str:
    """What typer prints for `cvbuild --help` on a terminal of 80 columns or more."""
    import subprocess

    code = "import sys; sys.argv[0] = 'cvbuild'; from cvbuild.cli.app import app; app(['--help'])"
    env = {**os.environ, "COLUMNS": "80"}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    if '"""' in result.stdout or "\\" in result.stdout:  # it must sit in a plain string literal
        raise ValueError("the help text holds a triple quote or a backslash; store it otherwise")
    return result.stdout


def main() -> int:
    """Rewrite HELP in this file."""
    path = Path(__file__)
    text = path.read_text(encoding="utf-8")
    start = text.index('HELP = """\\\n') + len('HELP = """\\\n')
    end = text.index('"""', start)
    path.write_text(text[:start] + generate() + text[end:], encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
