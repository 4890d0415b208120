"""Labelled links shared by every kind of entry."""

from __future__ import annotations

from cvbuild.document.model import Link


def make_link(kind: str, label: str, url: str) -> Link:
    """`display` is the URL without scheme and `www.`, for plain text and print."""
    if url.startswith(("mailto:", "tel:")):
        display = url.split(":", 1)[1]
    else:
        display = url.split("://", 1)[-1].removeprefix("www.").rstrip("/")
    return Link(kind=kind, label=label, url=url, display=display)
