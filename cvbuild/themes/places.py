"""Where cvbuild's own themes and CJK fonts are installed. Stdlib only: `typst_warm` asks this
before pydantic is loaded (`themes.theme` and `themes.fonts` import it)."""

from __future__ import annotations

import importlib.util
from pathlib import Path


def builtin_themes_dir() -> Path:
    """Inside the wheel themes sit in cvbuild/_themes; in a checkout, in ./themes. The package's
    folder is the one `importlib.resources.files("cvbuild")` names for an installed (or editable)
    package, found without importing importlib.resources (with zipfile, tempfile: ~4 ms)."""
    packaged = Path(__file__).parents[1] / "_themes"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "themes"


def cjk_font_dir() -> Path | None:
    """Noto Sans CJK from `pip install cvbuild[cjk]`, when installed."""
    spec = importlib.util.find_spec("cvbuild_fonts_cjk")
    if spec is None or spec.origin is None:
        return None
    return Path(spec.origin).resolve().parent
