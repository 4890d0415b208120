"""Plain text: ATS-friendly, wrapped, every item present, every URL spelled out."""

from __future__ import annotations

from cvbuild.document.model import Document
from cvbuild.targets.base import Artifact, RenderContext
from cvbuild.targets.jinja import render_template


def render(fmt: str, doc: Document, ctx: RenderContext) -> list[Artifact]:
    width = int(doc.options.get("text_width", 80))
    text = render_template("cv.txt.j2", doc, ctx, autoescape=False, width=width)
    return [Artifact(".txt", _tidy(text).encode("utf-8"))]


def _tidy(text: str) -> str:
    """No trailing spaces, at most one blank line in a row, one final newline."""
    lines = [line.rstrip() for line in text.split("\n")]  # not splitlines(): U+2028 in user text is text
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip("\n") + "\n"
