"""Stage 5: targets turn a Document into bytes. Each lives in its own module, imported on use."""

from cvbuild.targets.base import FORMATS, Artifact, RenderContext, render_format

__all__ = ["FORMATS", "Artifact", "RenderContext", "render_format"]
