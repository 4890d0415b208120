"""The simple HTML that JSON Resume files carry in their prose (`<strong>`, `<br><br>`, `<a href>`,
`<ul><li>`, `&amp;`), as the Markdown a profile writes.

Many JSON Resume themes and builders print `summary` and `highlights` as HTML, so real files hold
`Lorem <strong>ipsum</strong>.<br><br>Second paragraph` or `&amp;`; cvbuild prints a profile's text
as written, tags and all. A string is converted when it holds one of these few tags or a character
reference. Any other tag in it (`<script>`, `C++ <templates>`) is text the reader sees as the user
wrote it, never markup and never run; a string with only such tags stays as it was.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

_KNOWN = {"b", "strong", "i", "em", "a", "br", "p", "ul", "ol", "li"}
_TAG = re.compile(r"</?([A-Za-z][A-Za-z0-9]*)\b[^<>]*>")
_LINK = re.compile(r"(https?://|mailto:)\S+$")
# A character reference, as HTML builders escape text (`R&amp;D`, `&#39;`); `AT&T` is none.
ENTITY = re.compile(r"&(?:[A-Za-z][A-Za-z0-9]{1,31}|#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6});")
_ITEM = "\0I\0"  # where a list item starts, kept through the joining of white space


def has_html(text: str) -> bool:
    """True when the text holds a known, simple tag or a character reference."""
    return bool(ENTITY.search(text)) or any(m[1].lower() in _KNOWN for m in _TAG.finditer(text))


def _other_tags_as_text(text: str) -> str:
    """`text` with each tag that is not a known one written as a character reference: the parser
    then gives it back as text, as the user wrote it (`<script>` read as a tag would drop it and
    its content with it; kept whole, the string's `<b>` and `&amp;` were printed as written)."""
    return _TAG.sub(lambda m: m[0] if m[1].lower() in _KNOWN else "&lt;" + m[0][1:], text)


# A line that starts a list item in plain text (also in jsonresume): `- `, `* `, and the marks
# word processors and builders type, `•`, `·`, `●`, `▪`, `–`..., with or without a space after.
# `－` and `・` are the full-width dash and dot of Chinese and Japanese lists.
BULLET = re.compile(r"^\s*(?:[-*–—]\s+|[•·●○◦▪▫■□‣∙⁃➢➤►▸✓✔－・]\s*)")
_MARK = re.compile(r"^\s*[•·●○◦▪▫■□‣∙⁃➢➤►▸✓✔・]")


def is_list(lines: list[str]) -> bool:
    """Whether these lines (blank ones left out) hold a list: two items or more, or one after
    other text that starts with a bullet mark no sentence starts with (`·`, `•`; not `- `): a job's
    text, then `·Développement d'extensions...` ran into it as `... Ouest) ·Développement`."""
    marked = [bool(BULLET.match(line)) for line in lines if line.strip()]
    if sum(marked) >= 2:
        return True
    return sum(marked) == 1 and not marked[0] and any(_MARK.match(line) for line in lines)


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
        self.items = 0  # the list items open: a <p> inside one is no new paragraph

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _EMPHASIS:
            self.open.append((tag, len(self.out)))
        elif tag == "br":
            self.out.append("\n")
        elif tag == "p":
            self.out.append(" " if self.items else "\n\n")
        elif tag in ("ul", "ol"):  # a list is a paragraph of its own, after the text before it
            self.out.append("\n\n")
        elif tag == "li":
            self.items += 1
            self.out.append(_ITEM)
        elif tag == "a":
            if self.href:  # a link in a link ends the first, as a browser reads it
                self.handle_endtag("a")
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
            self.out.append(" " if self.items else "\n\n")
        elif tag in ("ul", "ol"):
            self.items = 0
            self.out.append("\n\n")
        elif tag == "li":
            self.items = max(0, self.items - 1)
        elif tag == "a" and self.href and (link := self.href.pop()):
            href, number = link
            text = "".join(self.out)
            if not text[text.rfind(f"\0L{number}\0") :].removeprefix(f"\0L{number}\0").strip():
                return  # a link with no text shows nothing: its `[](...)` would be printed
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


def _lines(paragraph: str) -> str:
    """A paragraph on one line, but for its lines that start with a bullet mark (`Did:<br>• a<br>• b`,
    as builders write a list), each on its own line, so that the import reads them as a list; they
    ran together as `Did: • a • b`."""
    lines = [" ".join(line.split()) for line in paragraph.split("\n")]
    lines = [line for line in lines if line]
    if _ITEM in paragraph or not is_list(lines):
        return " ".join(lines)
    out: list[str] = []
    for line in lines:
        if out and not BULLET.match(line):
            out[-1] += " " + line
        else:
            out.append(line)
    return "\n".join(out)


def _listed(paragraph: str) -> str:
    """A paragraph with list items as `- item` lines; one item alone is text, no list."""
    head, *items = (part.strip() for part in paragraph.split(_ITEM))
    items = [item for item in items if item]
    if len(items) < 2:
        return " ".join(part for part in (head, *items) if part)
    return "\n".join([head] * bool(head) + [f"- {item}" for item in items])


def html_to_markdown(text: str, *, one_line: bool) -> str:
    """The text with its simple HTML as Markdown: `<br><br>` and `<p>` start paragraphs (a space
    in a one-line field such as a highlight), a list of two or more items is lines of `- item`
    (which the import makes highlights), a list of one its item's paragraph, entities are their
    characters, the rest of the text escaped. A bold or italic that Markdown cannot say is left
    out (`<b>"x"</b>y`: a `**` between punctuation and a letter closes nothing), rather than
    print its `**`."""
    from cvbuild.document.inline import spans

    parser = _Markdown()
    parser.feed(_other_tags_as_text(text))
    parser.close()
    parser.handle_endtag(parser.open[0][0] if parser.open else "")  # a tag left open ends with the text
    # a link never closed is its text alone: its `[` would be printed
    joined = _OPENER.sub(lambda m: "[" if int(m[1]) in parser.closed else "", "".join(parser.out))
    if one_line:
        joined = re.sub(r"\s+", " ", joined.replace(_ITEM, " ")).strip()
    else:
        paragraphs = (_listed(_lines(q)) for q in re.split(r"\n\s*\n", joined))
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
