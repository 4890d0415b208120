"""The simple HTML that JSON Resume files carry in their prose (`<strong>`, `<br><br>`, `<a href>`),
as the Markdown a profile writes.

Many JSON Resume themes and builders print `summary` and `highlights` as HTML, so real files hold
`Lorem <strong>ipsum</strong>.<br><br>Second paragraph` or `&amp;`; cvbuild prints a profile's text
as written, tags and all. A string is converted only when every tag in it is one of these few; any
other markup (`<script>`, `C++ <templates>`) leaves the string as it was, verbatim.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

_KNOWN = {"b", "strong", "i", "em", "a", "br", "p"}
_TAG = re.compile(r"</?([A-Za-z][A-Za-z0-9]*)\b[^<>]*>")
_LINK = re.compile(r"(https?://|mailto:)\S+$")


def has_html(text: str) -> bool:
    """True when the text holds tags and every one of them is a known, simple one."""
    names = [m[1].lower() for m in _TAG.finditer(text)]
    return bool(names) and all(n in _KNOWN for n in names)


# What cvbuild's inline Markdown reads as markup (cvbuild.document.inline); in HTML it is text.
_OPENER = re.compile(r"\0L(\d+)\0")
_PAIR = re.compile(r"\0(\d+)\0")
_SPECIAL = re.compile(r"[\\`*_\[\]^~]")
_ADDRESS = re.compile(r"[()\\\\]")
_EMPHASIS = {"b": "**", "strong": "**", "i": "*", "em": "*"}


class _Markdown(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.markers: list[str] = []  # the emphasis pairs, each written as its _PAIR placeholder
        self.out: list[str] = []
        # open links, each (its address, its number), None for one kept as text (javascript:); each
        # `[` is written as its _OPENER placeholder, a `[` once its `</a>` comes
        self.href: list[tuple[str, int] | None] = []
        self.closed: set[int] = set()
        self.links = 0
        self.open: list[tuple[str, int]] = []  # an emphasis tag and where its text starts in `out`

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _EMPHASIS:
            self.open.append((tag, len(self.out)))
        elif tag == "br":
            self.out.append("\n")
        elif tag == "p":
            self.out.append("\n\n")
        elif tag == "a":
            href = (dict(attrs).get("href") or "").strip()
            if _LINK.match(href):
                number, self.links = self.links, self.links + 1
                self.href.append((href, number))
                self.out.append(f"\0L{number}\0")
            else:  # a javascript: link keeps its text only
                self.href.append(None)

    def handle_endtag(self, tag: str) -> None:
        if tag in _EMPHASIS and any(t in (tag, _SAME.get(tag)) for t, _ in self.open):
            while self.open:  # closes what is open inside it too, as a browser does
                name, at = self.open.pop()
                self.out[at:] = [_emphasised("".join(self.out[at:]), f"\0{len(self.markers)}\0")]
                self.markers.append(_EMPHASIS[name])
                if name in (tag, _SAME.get(tag)):
                    break
        elif tag == "p":
            self.out.append("\n\n")
        elif tag == "a" and self.href and (link := self.href.pop()):
            href, number = link
            self.closed.add(number)
            # `(`, `)` and `\\` escaped: a `)` in the address ended the link there, at another address
            self.out.append(f"]({_ADDRESS.sub(_escaped, href)})")

    def handle_data(self, data: str) -> None:
        self.out.append(_SPECIAL.sub(_escaped, data.replace("\0", "")))  # HTML's `*`, `_` or `[` is text, not Markdown


def _escaped(match: re.Match[str]) -> str:
    return "\\" + match[0]


_SAME = {"b": "strong", "strong": "b", "i": "em", "em": "i"}


def _emphasised(text: str, marker: str) -> str:
    """`text` between `marker`s, its outer spaces outside them: `**Skills: **` is no emphasis in
    Markdown (a closing `**` after a space), and `<strong>Skills: </strong>` is how builders write
    a label. Nothing but spaces is no emphasis at all (`****` would be printed)."""
    core = text.strip()
    if not core:
        return text
    head, tail = text[: len(text) - len(text.lstrip())], text[len(text.rstrip()) :]
    return f"{head}{marker}{core}{marker}{tail}"


def html_to_markdown(text: str, *, one_line: bool) -> str:
    """The text with its simple HTML as Markdown: `<br><br>` and `<p>` start paragraphs (a space
    in a one-line field such as a highlight), entities are their characters, the rest of the text
    escaped. A bold or italic that Markdown cannot say is left out (`<b>"x"</b>y`: a `**` between
    punctuation and a letter closes nothing), rather than print its `**`."""
    from cvbuild.document.inline import spans

    parser = _Markdown()
    parser.feed(text)
    parser.close()
    parser.handle_endtag(parser.open[0][0] if parser.open else "")  # a tag left open ends with the text
    # a link never closed is its text alone: its `[` would be printed
    joined = _OPENER.sub(lambda m: "[" if int(m[1]) in parser.closed else "", "".join(parser.out))
    if one_line:
        joined = re.sub(r"\s+", " ", joined).strip()
    else:
        paragraphs = (re.sub(r"\s+", " ", q).strip() for q in re.split(r"\n\s*\n", joined))
        joined = "\n\n".join(p for p in paragraphs if p)

    def shown(kept: set[int]) -> tuple[str, str]:
        markdown = _PAIR.sub(lambda m: parser.markers[int(m[1])] if int(m[1]) in kept else "", joined)
        return markdown, "".join(s.text for s in spans(markdown))

    plain = shown(set())[1]
    kept: set[int] = set()
    for pair in range(len(parser.markers)):  # each pair kept if the text still reads as written
        if shown(kept | {pair})[1] == plain:
            kept.add(pair)
    return shown(kept)[0]
