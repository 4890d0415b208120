"""CommonMark: the owner in bold, links kept, user text escaped so it never becomes structure."""

from __future__ import annotations

from cvbuild.document.model import Document
from cvbuild.targets.base import Artifact, RenderContext
from cvbuild.targets.jinja import render_template
from cvbuild.targets.text import _tidy


def render(fmt: str, doc: Document, ctx: RenderContext) -> list[Artifact]:
    text = render_template("cv.md.j2", doc, ctx, autoescape=False)
    return [Artifact(".md", _tidy(text).encode("utf-8"))]
