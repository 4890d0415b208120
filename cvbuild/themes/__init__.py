"""Stage 4: themes are folders (theme.toml + templates + fonts), found by name or path."""

from cvbuild.themes.theme import Theme, builtin_themes_dir, list_themes, load_theme

__all__ = ["Theme", "builtin_themes_dir", "list_themes", "load_theme"]
