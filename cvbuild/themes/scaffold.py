"""`cvbuild theme new`: a theme folder that extends another, with its main files copied to edit."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from cvbuild.errors import InputError
from cvbuild.themes.theme import load_theme

COPIED = ("cv.typ", "cv.html.j2", "style.css")


def new_theme(name: str, parent: str, into: Path) -> list[Path]:
    """Write into/NAME/theme.toml extending `parent`, plus copies of the parent's layout files."""
    if not re.fullmatch(r"[a-z][a-z0-9_\-]*", name):
        raise InputError(f"theme name {name!r}: use lower-case letters, digits, - and _")
    folder = into / name
    if folder.exists():
        raise InputError(f"{folder}: already exists")
    base = load_theme(parent)
    folder.mkdir(parents=True)
    manifest = folder / "theme.toml"
    manifest.write_text(
        f'name = "{name}"\n'
        f'description = "My theme, based on {base.name}."\n'
        f'extends = "{base.name}"\n'
        f"targets = {list(base.targets)!r}\n\n"
        "# Files here override the parent's files of the same name; delete what you do not change.\n"
        "# Options below override the parent's defaults; `cvbuild render --set KEY=VALUE` overrides them.\n"
        "[options]\n",
        encoding="utf-8",
    )
    written = [manifest]
    for filename in COPIED:
        source = base.find(filename)
        if source is not None:
            shutil.copyfile(source, folder / filename)
            written.append(folder / filename)
    return written
