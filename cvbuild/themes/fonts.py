"""Where a theme's fonts come from, and whether they can draw every character of a Document.

Fonts come from the theme chain's `fonts/` folders, then the optional CJK package
(`pip install cvbuild[cjk]`). The compilers never see system fonts, so what is checked here is
exactly what a PDF can use.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Container, Iterable, Sequence
from functools import cache
from pathlib import Path
from typing import Any

from cvbuild import confine
from cvbuild.themes.places import cjk_font_dir as cjk_font_dir
from cvbuild.themes.theme import Theme

FONT_SUFFIXES = (".otf", ".ttf", ".ttc", ".woff", ".woff2")
# One font file: the largest real ones (Noto's CJK super-OTC) are ~120 MB. HarfBuzz cannot open one
# of 2 GiB or more, which a theme's sparse "font" made a failed render (exit 1) instead of its error.
FONT_BYTES = 512 * 1024 * 1024

# Characters that need no glyph: controls, format characters (ZWJ, soft hyphen), unassigned code
# points and separators (the engine sets spaces itself).
_SKIP_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "Zs", "Zl", "Zp"}
# Document fields that are never drawn as text.
_SKIP_KEYS = {"url", "href", "options", "kind", "id", "start", "end", "locale", "generator", "highlight", "counts"}


def font_dirs(theme: Theme) -> list[Path]:
    """Every folder whose fonts the compilers may use; system fonts are never consulted.

    Typst and HarfBuzz read these folders by themselves, so each is checked first: everything in
    it must resolve inside the theme chain (or the CJK package) and be a file or a folder, and
    nothing named like a font may be a folder."""
    dirs = theme.font_dirs()
    cjk = cjk_font_dir()
    if cjk is not None:
        dirs.append(cjk)
    roots = [*theme.roots, *([cjk] if cjk is not None else [])]
    for folder in dirs:
        confine.check_tree(folder, roots, f"the folders of theme {theme.name!r}")
        for path in folder.rglob("*"):
            if path.suffix.lower() not in FONT_SUFFIXES:
                continue
            if not path.is_file():
                raise confine.PathRefused(f"{path}: named like a font but not a file")
            size = path.stat().st_size
            if size > FONT_BYTES:
                raise confine.PathRefused(f"{path}: {size:,} bytes, over the limit of {FONT_BYTES:,} for a font")
    return dirs


def font_files(theme: Theme, dirs: list[Path] | None = None) -> list[Path]:
    """The font files of `font_dirs(theme)` (or of `dirs`, those folders checked already)."""
    folders = font_dirs(theme) if dirs is None else dirs
    return [p for d in folders for p in sorted(d.iterdir()) if p.suffix.lower() in FONT_SUFFIXES]


def missing_font(theme: Theme, family: str) -> str | None:
    """Why the `font` option names no font of the theme, or None when one of its fonts is that family.
    Typst would only warn and set the page in its own default font; the HTML page could not embed it."""
    from cvbuild.targets.webfonts import read_faces  # the families as the HTML page matches them

    faces = read_faces(font_files(theme))
    found = {face.family for face in faces}
    if family.casefold() in {name.casefold() for name in found}:
        return None
    bundled = ", ".join(sorted(found, key=str.casefold))
    message = (
        f"theme option font={family!r}: no such font in the theme (system fonts are never used); "
        f"choose a bundled family ({bundled}), or put its .otf/.ttf files in the theme's fonts/ folder"
    )
    # The files already there, with the family each names itself by: a file named for a style
    # (DejaVuSansCondensed.ttf, Roboto-Medium.ttf) belongs to its family's name ('DejaVu Sans').
    own = theme.chain[0] / "fonts"
    mine = [f"{face.path.name} is {face.family!r}" for face in faces if face.path.parent == own]
    if mine:
        message += f"; in {own}: " + ", ".join(mine) + " (a font is chosen by the family named inside it)"
    return message


# ---- coverage -------------------------------------------------------------------------------


def document_chars(data: Any) -> set[str]:
    """Every character a template may draw: the strings of a dumped Document, minus URLs and ids.

    One pass with a stack, scalars that are not strings dropped on sight, the strings joined
    once: a Document of 1,000 publications holds ~90,000 values, which a recursive generator
    handed up level by level at twice the cost."""
    texts: list[str] = []
    stack = [data]
    while stack:
        item = stack.pop()
        if type(item) is str:
            texts.append(item)
        elif type(item) is dict:
            stack.extend(v for k, v in item.items() if k not in _SKIP_KEYS and type(v) in _CONTAINERS)
        elif type(item) is list:
            stack.extend(v for v in item if type(v) in _CONTAINERS)
    return {c for c in set("".join(texts)) if _needs_glyph(c)}


_CONTAINERS = (str, dict, list)  # what a JSON value holding text can be


def _needs_glyph(char: str) -> bool:
    code = ord(char)
    if 0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF:  # variation selectors
        return False
    return unicodedata.category(char) not in _SKIP_CATEGORIES


def uncovered_in_json(data: str, fonts: Sequence[Path]) -> list[str]:
    """`uncovered(document_chars(json.loads(data)), fonts)` for a dumped Document. Every character
    of the JSON text is asked first: they are a superset of the drawn ones (keys, punctuation,
    URLs and ids besides), so when the fonts cover them all, nothing drawn is missing, and the JSON
    is not read back (1,000 publications: ~15 ms instead of ~50). A JSON writer escapes only
    control characters (never drawn) as `\\u`; with any `\\u` in the text the exact way is taken."""
    if "\\u" not in data and not uncovered({c for c in set(data) if _needs_glyph(c)}, fonts):
        return []
    return uncovered(document_chars(json.loads(data)), fonts)


def uncovered(chars: Iterable[str], fonts: Iterable[Path]) -> list[str]:
    """The characters no font draws. Fonts are asked in order, each only about what is still
    missing, so the big CJK font (last) is opened only for what the Latin fonts lack."""
    missing = set(chars)
    for path in fonts:
        if not missing:
            break
        missing -= font_coverage(path).covered(missing)
    return sorted(missing)


def uncovered_warning(data: str, fonts: Sequence[Path]) -> str | None:
    """The warning for the characters of the dumped Document `data` no font of `fonts` draws
    (both PDF engines give it); None when every one has a font."""
    missing = uncovered_in_json(data, fonts)
    return coverage_warning(missing, cjk_installed=cjk_font_dir() is not None) if missing else None


def coverage_warning(missing: list[str], *, cjk_installed: bool) -> str:
    """A message naming the characters and the fix."""
    shown = " ".join(f"{c!r} (U+{ord(c):04X})" for c in missing[:12])
    more = f" and {len(missing) - 12} more" if len(missing) > 12 else ""
    fixes = []
    if not cjk_installed and any(is_cjk(c) for c in missing):
        fixes.append("install cvbuild[cjk] (pip install 'cvbuild[cjk]') for Chinese, Japanese and Korean")
    fixes.append(
        "put a font that covers them into the fonts/ folder of a theme that extends this one "
        "and name its family in the theme option fallback_fonts"
    )
    fix = "; or ".join(fixes)
    return f"characters not covered by the theme's fonts: {shown}{more}; they would print as empty boxes. Fix: {fix}"


def is_cjk(char: str) -> bool:
    code = ord(char)
    return (
        0x1100 <= code <= 0x11FF  # Hangul Jamo
        or 0x2E80 <= code <= 0x9FFF  # radicals, kana, CJK symbols, unified ideographs
        or 0xAC00 <= code <= 0xD7AF  # Hangul syllables
        or 0xF900 <= code <= 0xFAFF  # compatibility ideographs
        or 0xFF00 <= code <= 0xFFEF  # half- and full-width forms
        or 0x20000 <= code <= 0x3FFFF  # ideograph extensions
    )


# ---- cmap reading -----------------------------------------------------------------------------


class Coverage:
    """Answers `covered(chars)` for one font file: the code points its cmap maps to glyphs."""

    def __init__(self, codes: Container[int]) -> None:
        self.codes = codes

    def covered(self, chars: Iterable[str]) -> set[str]:
        return {c for c in chars if ord(c) in self.codes}


@cache
def font_coverage(path: Path) -> Coverage:
    """One reader per font file for the life of the process (watch mode renders often). HarfBuzz
    reads the cmap in place (a fraction of a millisecond even for the CJK font, where fontTools
    needs ~75 ms) and answers from its own set. A collection stands for its first face; a file
    HarfBuzz cannot read as a font (WOFF, which Typst cannot use either) covers nothing."""
    import uharfbuzz as hb

    try:
        blob = hb.Blob.from_file_path(str(path))
    except hb.HarfBuzzError:  # unreadable: it covers nothing, and Typst says more if it matters
        return Coverage(frozenset())
    return Coverage(hb.Face(blob, 0).unicodes)
