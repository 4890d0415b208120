"""Stage 3: the Document view that templates receive, built once from a Profile."""

from cvbuild.document.build import BuildOptions, build_document
from cvbuild.document.model import Document

__all__ = ["BuildOptions", "Document", "build_document"]
