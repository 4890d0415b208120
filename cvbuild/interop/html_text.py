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


class _Markdown(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.href: list[str | None] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("b", "strong"):
            self.out.append("**")
        elif tag in ("i", "em"):
            self.out.append("*")
        elif tag == "br":
            self.out.append("\n")
        elif tag == "p":
            self.out.append("\n\n")
        elif tag == "a":
            href = (dict(attrs).get("href") or "").strip()
            self.href.append(href if _LINK.match(href) else None)  # a javascript: link keeps its text only
            if self.href[-1]:
                self.out.append("[")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("b", "strong"):
            self.out.append("**")
        elif tag in ("i", "em"):
            self.out.append("*")
        elif tag == "p":
            self.out.append("\n\n")
        elif tag == "a" and self.href and (href := self.href.pop()):
            self.out.append(f"]({href})")

    def handle_data(self, data: str) -> None:
        self.out.append(data)


def html_to_markdown(text: str, *, one_line: bool) -> str:
    """The text with its simple HTML as Markdown: `<br><br>` and `<p>` start paragraphs (a space
    in a one-line field such as a highlight), entities are their characters."""
    parser = _Markdown()
    parser.feed(text)
    parser.close()
    joined = "".join(parser.out)
    if one_line:
        return re.sub(r"\s+", " ", joined).strip()
    paragraphs = (re.sub(r"\s+", " ", q).strip() for q in re.split(r"\n\s*\n", joined))
    return "\n\n".join(p for p in paragraphs if p)
