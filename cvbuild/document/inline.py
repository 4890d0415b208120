"""Inline Markdown -> flat spans, parsed once; each target escapes spans its own way."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from cvbuild.document.model import Span
from cvbuild.schema.fields import ALLOWED_SCHEMES, url_scheme

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

_MARKUP_CHARS = frozenset("*_[`\\")


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    from markdown_it import MarkdownIt

    # "zero" has no HTML, entities or autolinks: `<script>` and `&amp;` stay text.
    return MarkdownIt("zero").enable(["emphasis", "link", "backticks", "escape"])


def spans(text: str) -> list[Span]:
    """Split inline Markdown into styled runs; plain text takes a fast path."""
    if not _MARKUP_CHARS.intersection(text):
        return [Span(text=_one_line(text))] if text else []
    tokens = _parser().parseInline(text)
    out: list[Span] = []
    bold = italic = 0
    href: str | None = None
    for token in tokens[0].children or [] if tokens else []:
        t = token.type
        if t == "strong_open":
            bold += 1
        elif t == "strong_close":
            bold -= 1
        elif t == "em_open":
            italic += 1
        elif t == "em_close":
            italic -= 1
        elif t == "link_open":
            target = str(token.attrs.get("href", ""))
            href = target if url_scheme(target) in ALLOWED_SCHEMES else None
        elif t == "link_close":
            href = None
        elif t in ("softbreak", "hardbreak"):
            _push(out, Span(text=" ", bold=bold > 0, italic=italic > 0, href=href))
        elif t == "code_inline":
            out.append(Span(text=token.content, code=True, bold=bold > 0, italic=italic > 0, href=href))
        else:  # text, and anything unexpected, stays literal; a source line break is a space
            _push(out, Span(text=_one_line(token.content), bold=bold > 0, italic=italic > 0, href=href))
    return out


def _push(out: list[Span], span: Span) -> None:
    """Merge with the previous run when the style is the same, so targets see fewer pieces."""
    if not span.text:
        return
    if out:
        prev = out[-1]
        if (prev.bold, prev.italic, prev.code, prev.href) == (span.bold, span.italic, span.code, span.href):
            out[-1] = Span(text=prev.text + span.text, bold=span.bold, italic=span.italic, href=span.href)
            return
    out.append(span)


def _one_line(text: str) -> str:
    return " ".join(text.split("\n")) if "\n" in text else text


def plain(runs: list[Span] | None) -> str:
    """The text of spans without styling."""
    return "".join(s.text for s in runs) if runs else ""
