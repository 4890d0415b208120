"""Stage 4: themes are folders (theme.toml + templates + fonts), found by name or path.

The names below are read from `themes.theme` on first use, so that `themes.places` can be
imported before pydantic (`targets.typst_warm`).
"""

from typing import Any

__all__ = ["Theme", "builtin_themes_dir", "list_themes", "load_theme"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from cvbuild.themes import theme

        return getattr(theme, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
