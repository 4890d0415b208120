"""Stage 5: targets turn a Document into bytes. Each lives in its own module, imported on use.

The names below are read from `targets.base` on first use, so that importing a light module of
this package (`typst_warm`, before pydantic is loaded) does not import the targets' base.
"""

from typing import Any

__all__ = ["FORMATS", "Artifact", "RenderContext", "render_format"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from cvbuild.targets import base

        return getattr(base, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
