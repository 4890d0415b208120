"""Inline Markdown -> flat spans, parsed once; each target escapes spans its own way."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

from cvbuild.document.model import Span
from cvbuild.schema.fields import ALLOWED_SCHEMES, url_scheme

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.rules_inline import StateInline

_MARKUP_CHARS = frozenset("*_[`\\^~")
# Superscript `^N^` and subscript `~2~`, as in Pandoc: no spaces inside, so "2^10" or "~5 ms" stay text.
_SCRIPT_TAGS = {"^": "sup", "~": "sub"}


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    from markdown_it import MarkdownIt

    # "zero" has no HTML, entities or autolinks: `<script>` and `&amp;` stay text.
    md = MarkdownIt("zero").enable(["emphasis", "link", "backticks", "escape"])
    md.inline.ruler.before("emphasis", "script", _script)
    md.normalizeLink = _link_as_written  # type: ignore[method-assign]
    return md


def _link_as_written(url: str) -> str:
    """A link's target as the user wrote it (after Markdown's own escapes), as a link field's is:
    markdown-it's percent-encoding made `a\\b` `a%5Cb` (another address: a browser reads `\\` as
    `/`), `ä` `%C3%A4` and a host name punycode, in the page, the PDF and the text alike. White
    space, which no link field takes, is still encoded."""
    return _WHITE.sub(lambda m: "".join(f"%{b:02X}" for b in m[0].encode()), url)


_WHITE = re.compile(r"\s")


def _script(state: StateInline, silent: bool) -> bool:
    """`^...^` / `~...~` -> sup/sub tokens (a port of markdown-it-sup and markdown-it-sub)."""
    start, end = state.pos, state.posMax
    marker = state.src[start]
    if marker not in _SCRIPT_TAGS or silent or start + 2 >= end:
        return False
    state.pos = start + 1
    found = False
    while state.pos < end:
        if state.src[state.pos] == marker:
            found = True
            break
        state.md.inline.skipToken(state)
    content = state.src[start + 1 : state.pos]
    if not found or not content or any(c.isspace() for c in content):
        state.pos = start
        return False
    tag = _SCRIPT_TAGS[marker]
    state.posMax = state.pos
    state.pos = start + 1
    state.push(f"{tag}_open", tag, 1)
    state.md.inline.tokenize(state)
    state.push(f"{tag}_close", tag, -1)
    state.pos = state.posMax + 1
    state.posMax = end
    return True


def spans(text: str) -> list[Span]:
    """Split inline Markdown into styled runs; plain text takes a fast path."""
    if not _MARKUP_CHARS.intersection(text):
        return [Span(text=_one_line(text))] if text else []
    tokens = _parser().parseInline(text)
    out: list[Span] = []
    bold = italic = sup = sub = 0
    href: str | None = None
    for token in tokens[0].children or [] if tokens else []:
        t = token.type
        style = {"bold": bold > 0, "italic": italic > 0, "sup": sup > 0, "sub": sub > 0, "href": href}
        if t in ("sup_open", "sup_close", "sub_open", "sub_close"):
            step = 1 if t.endswith("_open") else -1
            sup, sub = (sup + step, sub) if t.startswith("sup") else (sup, sub + step)
        elif t == "strong_open":
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
            _push(out, Span(text=" ", **style))
        elif t == "code_inline":
            out.append(Span(text=token.content, code=True, **style))
        else:  # text, and anything unexpected, stays literal; a source line break is a space
            _push(out, Span(text=_one_line(token.content), **style))
    return out


def _push(out: list[Span], span: Span) -> None:
    """Merge with the previous run when the style is the same, so targets see fewer pieces."""
    if not span.text:
        return
    if out and not out[-1].code and out[-1].model_copy(update={"text": span.text}) == span:
        out[-1] = span.model_copy(update={"text": out[-1].text + span.text})
        return
    out.append(span)


# Unicode superscript and subscript characters. Plain text uses them where every character of a
# run has one; the BibTeX reader uses only SCRIPT_SAFE (digits, signs, parentheses, and the
# letters every bundled font draws, upright and italic), and a styled span for the rest.
SUPERSCRIPTS = dict(
    zip(
        "0123456789+-−=()niabcdefghjklmoprstuvwxyzABDEGHIJKLMNOPRTUVW",
        "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻⁼⁽⁾ⁿⁱᵃᵇᶜᵈᵉᶠᵍʰʲᵏˡᵐᵒᵖʳˢᵗᵘᵛʷˣʸᶻᴬᴮᴰᴱᴳᴴᴵᴶᴷᴸᴹᴺᴼᴾᴿᵀᵁⱽᵂ",
        strict=True,
    )
)
SUBSCRIPTS = dict(zip("0123456789+-−=()aeoxhklmnpstijruv", "₀₁₂₃₄₅₆₇₈₉₊₋₋₌₍₎ₐₑₒₓₕₖₗₘₙₚₛₜᵢⱼᵣᵤᵥ", strict=True))
SCRIPT_SAFE = frozenset("0123456789+-−=()ni"), frozenset("0123456789+-−=()aeoxhklmnpst")


def script_chars(text: str, *, sup: bool, safe_only: bool = False) -> str | None:
    """`N` -> `ᴺ` (sup) or `2` -> `₂` (sub); None when a character has no such form."""
    table = SUPERSCRIPTS if sup else SUBSCRIPTS
    allowed = SCRIPT_SAFE[0 if sup else 1] if safe_only else table.keys()
    if not text or any(c not in allowed for c in text):
        return None
    return "".join(table[c] for c in text)


def _one_line(text: str) -> str:
    return " ".join(text.split("\n")) if "\n" in text else text


def plain(runs: list[Span] | None) -> str:
    """The text of spans without styling."""
    return "".join(s.text for s in runs) if runs else ""
