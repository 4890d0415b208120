"""Where a theme's fonts come from: its own `fonts/` folders, then the optional CJK package."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from cvbuild.themes.theme import Theme

FONT_SUFFIXES = (".otf", ".ttf", ".ttc", ".woff", ".woff2")


def cjk_font_dir() -> Path | None:
    """Noto Sans CJK from `pip install cvbuild[cjk]`, when installed."""
    spec = importlib.util.find_spec("cvbuild_fonts_cjk")
    if spec is None or spec.origin is None:
        return None
    return Path(spec.origin).resolve().parent


def font_dirs(theme: Theme) -> list[Path]:
    """Every folder whose fonts the compilers may use; system fonts are never consulted."""
    dirs = theme.font_dirs()
    cjk = cjk_font_dir()
    if cjk is not None:
        dirs.append(cjk)
    return dirs


def font_files(theme: Theme) -> list[Path]:
    return [p for d in font_dirs(theme) for p in sorted(d.iterdir()) if p.suffix.lower() in FONT_SUFFIXES]
