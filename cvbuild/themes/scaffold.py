"""`cvbuild theme new`: a theme folder that extends another, with its main files copied to edit."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

from cvbuild.errors import InputError
from cvbuild.themes.manifest import MANIFEST
from cvbuild.themes.theme import Theme, load_theme, looks_like_path

COPIED = ("cv.typ", "cv.html.j2", "style.css")


def new_theme(name: str, parent: str, into: Path) -> list[Path]:
    """Write into/NAME/theme.toml extending `parent`, plus copies of the parent's layout files."""
    if not re.fullmatch(r"[a-z][a-z0-9_\-]*", name):
        raise InputError(f"theme name {name!r}: use lower-case letters, digits, - and _")
    folder = into / name
    if folder.exists():
        raise InputError(f"{folder}: already exists")
    base, extends = _parent(parent, into, folder)
    folder.mkdir(parents=True)
    manifest = folder / "theme.toml"
    manifest.write_text(
        f'name = "{name}"\n'
        f'description = "My theme, based on {base.name}."\n'
        f"extends = {toml_string(extends)}\n"
        f"targets = {list(base.targets)!r}\n\n"
        "# Files here override the parent's files of the same name; delete what you do not change.\n"
        "# Options below override the parent's defaults; `cvbuild render --set KEY=VALUE` overrides them.\n"
        "[options]\n" + inherited_options(base),
        encoding="utf-8",
    )
    written = [manifest]
    for filename in COPIED:
        source = base.find(filename)
        if source is not None:
            shutil.copyfile(source, folder / filename)
            written.append(folder / filename)
    return written


def inherited_options(base: Theme) -> str:
    """The parent's options with their defaults, commented out: the look (accent, font, margins)
    is changed here, by uncommenting a line. The font especially: cv.typ's `setup(font: ...)` is
    used only when no theme of the chain sets the `font` option, and classic's does."""
    lines = ["# The options of the theme this one extends, with its defaults: uncomment a line to change it.\n"]
    for key, value in base.options.items():
        choices = base.choices.get(key)
        hint = f"  # one of: {', '.join(map(str, choices))}" if choices else ""
        if key == "font":
            hint = "  # the main family; it wins over the font cv.typ gives setup()"
        lines.append(f"# {key} = {toml_value(value)}{hint}\n")
    return "".join(lines)


def toml_value(value: object) -> str:
    """An option's default as TOML: a string, boolean, number or list of them."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return toml_string(str(value))


def toml_string(text: str) -> str:
    """`text` as a TOML basic string. JSON's escapes are not all TOML's: json.dumps wrote a
    character beyond U+FFFF as a surrogate pair (`"par\\ud83d\\ude00"`), which TOML refuses, so a
    theme extending a folder named with an emoji could not be loaded."""
    out = []
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch < " " or ch == "\x7f":  # TOML's control characters: escaped
            out.append(f"\\u{ord(ch):04X}")
        elif "\ud800" <= ch <= "\udfff":  # a file name's undecodable byte (surrogateescape)
            raise InputError(f"{text!r}: the path is not UTF-8, which theme.toml is; rename the folder")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _parent(parent: str, into: Path, folder: Path) -> tuple[Theme, str]:
    """The parent theme, and how the new theme.toml names it so that `extends` finds it again:
    a theme already in `into` (`theme new child --extends mine`) by its folder's name, as
    `extends` looks beside the child first; a folder by its path from the new theme's folder,
    where `extends` paths start; any other by the name given (built-in or installed)."""
    sibling = into / parent
    if "/" not in parent and os.path.lexists(sibling / MANIFEST):
        return load_theme(str(sibling)), parent
    base = load_theme(parent)
    if looks_like_path(parent, None):
        return base, Path(os.path.relpath(base.path.resolve(), folder.resolve())).as_posix()
    return base, parent


def usage_hint(name: str, into: Path) -> str:
    """What to pass to --theme: the name finds ./themes/NAME beside the profile; another folder
    is given by its path."""
    theme = name if into.resolve() == (Path.cwd() / "themes").resolve() else (into / name).as_posix()
    if "/" in theme and not theme.startswith(("/", ".")):
        theme = f"./{theme}"
    preview = f"cvbuild watch PROFILE --theme {theme} --serve"
    return f"use it with: cvbuild render PROFILE --theme {theme}   (live preview: {preview})"
