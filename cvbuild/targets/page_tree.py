"""The element tree of an HTML page, read fast when the page is written strictly.

WeasyPrint parses HTML with tinyhtml5, a pure-Python HTML5 parser that steps through the page a
character at a time: ~0.1 s for the example and ~2.5 s for a CV of 1,000 publications. The page
cvbuild hands it is its own output, and the built-in themes write it strictly: a doctype, <html>,
<head>, <body>, every element closed by its own end tag, nothing HTML5 would reorder (no table,
form or template, no <p> around a block, no <li> inside an open <li>), no comments. For such a
page, `strict_tree` reads the same tree with the standard library's `html.parser` (its tokenizer
runs on regular expressions) and builds what tinyhtml5 builds: the same elements, attributes, text
and tails, down to where HTML5 puts the white space around <head> and after </body>.

Anything outside that form (a third-party theme that leaves a <p> or an <li> open, a comment, a
carriage return, ...) makes `strict_tree` answer None, and the engine lets WeasyPrint parse the
page itself. tests/test_page_tree.py holds the two readings equal on every built-in theme's
pages.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

# Elements that never have content or an end tag.
VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"})
# What <head> may hold without HTML5 closing it and opening <body>.
HEAD = frozenset({"meta", "title", "style", "script", "link"})  # not <base>: it moves the base URL
# What <body> may hold here: elements whose start and end tags HTML5 takes as written when they
# nest properly (tables, forms, <select>, <template>, <pre>, <textarea>, foreign content and the
# like re-parent, skip a newline or change the tokenizer: they are not in this list).
BODY = frozenset(
    {
        # flow
        "address", "article", "aside", "blockquote", "dd", "div", "dl", "dt", "figcaption", "figure",
        "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "hr", "li", "main", "nav",
        "ol", "p", "section", "ul",
        # phrasing
        "a", "abbr", "b", "bdi", "bdo", "br", "cite", "code", "data", "del", "dfn", "em", "i", "img",
        "ins", "kbd", "mark", "q", "s", "samp", "small", "span", "strong", "sub", "sup", "time", "u",
        "var", "wbr",
    }
)  # fmt: skip
# Start tags that close an open <p> in HTML5 (which then reads the later </p> as a new empty <p>).
CLOSES_P = frozenset(
    {
        "address", "article", "aside", "blockquote", "dd", "div", "dl", "dt", "figcaption", "figure",
        "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "hr", "li", "main", "nav",
        "ol", "p", "section", "ul",
    }
)  # fmt: skip
HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
# HTML5's "special" elements among those allowed: an <li>, <dd> or <dt> start tag looks for an open
# one to close down the stack until it meets one of these (other than address, div and p).
SPECIAL = (CLOSES_P | VOID | {"body", "head", "html"}) - {"address", "div", "p"}
WHITESPACE = " \t\n\f"
# A character reference in an attribute that the two parsers might read differently (HTML5 keeps
# `&amp` before `=` or a letter as written); Jinja never writes one.
_LOOSE_REF = re.compile(r"&(?!#[0-9]+;|#[xX][0-9a-fA-F]+;|[A-Za-z][A-Za-z0-9]*;)")


class NotStrict(Exception):
    """The page leaves something for HTML5's error recovery; WeasyPrint's parser must read it."""


class _Builder(HTMLParser):
    """html.parser events into the tree tinyhtml5 builds, for strictly written pages only."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root: ET.Element | None = None
        self.stack: list[ET.Element] = []
        self.doctype = False
        self.phase = "start"  # start, html, head, after-head, body, after-body

    # -- text --------------------------------------------------------------------------------

    def _append(self, parent: ET.Element, text: str) -> None:
        if len(parent):
            last = parent[-1]
            last.tail = (last.tail or "") + text
        else:
            parent.text = (parent.text or "") + text

    def handle_data(self, data: str) -> None:
        top = self.stack[-1] if self.stack else None
        if top is not None and top.tag in ("title", "style", "script"):
            if top.tag != "title" and ("</" in data or "<!--" in data):
                raise NotStrict(f"markup inside <{top.tag}>")
            self._append(top, data)
        elif self.phase == "body" and top is not None:
            self._append(top, data)
        elif data.strip(WHITESPACE):
            raise NotStrict(f"text outside <body>: {data[:20]!r}")
        elif self.phase == "head" and top is not None:
            self._append(top, data)
        elif self.phase == "after-head" and self.root is not None:
            self._append(self.root, data)  # the tail of <head>
        elif self.phase == "after-body" and self.root is not None:
            body = self.root.find("body")
            assert body is not None
            self._append(body, data)  # white space after </body> and </html> goes into <body>
        # else: before <html> or <head>, where HTML5 drops white space

    # -- tags --------------------------------------------------------------------------------

    def handle_decl(self, decl: str) -> None:
        if self.doctype or self.phase != "start" or decl.lower() != "doctype html":
            raise NotStrict(f"declaration {decl!r}")
        self.doctype = True

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        raw = self.get_starttag_text() or ""
        if "&" in raw and _LOOSE_REF.search(raw):
            raise NotStrict("a loose character reference in an attribute")
        names = [name for name, _ in attrs]
        if len(set(names)) != len(names):
            raise NotStrict(f"repeated attribute in <{tag}>")
        element = ET.Element(tag, {name: value or "" for name, value in attrs})
        if tag == "html":
            if self.phase != "start" or not self.doctype:
                raise NotStrict("<html> out of place")
            self.root = element
            self.stack = [element]
            self.phase = "html"
            return
        if tag == "head":
            if self.phase != "html":
                raise NotStrict("<head> out of place")
            self.phase = "head"
        elif tag == "body":
            if self.phase != "after-head":
                raise NotStrict("<body> out of place")
            self.phase = "body"
        elif self.phase == "head" and len(self.stack) == 2:
            if tag not in HEAD:
                raise NotStrict(f"<{tag}> in <head>")
        elif self.phase == "body" and len(self.stack) >= 2:
            self._check_body_tag(tag)
        else:
            raise NotStrict(f"<{tag}> out of place")
        self.stack[-1].append(element)
        if tag not in VOID:
            self.stack.append(element)

    def _check_body_tag(self, tag: str) -> None:
        if tag not in BODY:
            raise NotStrict(f"<{tag}> needs HTML5's tree construction")
        tags = [e.tag for e in self.stack]
        if tags[-1] in ("title", "script", "style"):
            raise NotStrict(f"<{tag}> inside <{tags[-1]}>")
        if tag in CLOSES_P and "p" in tags:
            raise NotStrict(f"<{tag}> inside an open <p>")
        if tag in HEADINGS and tags[-1] in HEADINGS:
            raise NotStrict("a heading inside a heading")
        if tag == "a" and "a" in tags:
            raise NotStrict("<a> inside <a>")
        if tag in ("li", "dd", "dt"):
            closes = {"li"} if tag == "li" else {"dd", "dt"}
            for name in reversed(tags):
                if name in closes:
                    raise NotStrict(f"<{tag}> inside an open <{name}>")
                if name in SPECIAL:
                    break

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in VOID:
            raise NotStrict(f"<{tag}/>: HTML5 ignores the slash and leaves it open")
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID or not self.stack or self.stack[-1].tag != tag:
            raise NotStrict(f"</{tag}> does not close the open element")
        self.stack.pop()
        if tag == "head":
            self.phase = "after-head"
        elif tag == "body":
            self.phase = "after-body"
        elif tag == "html" and self.phase != "after-body":
            raise NotStrict("</html> before </body>")

    def handle_comment(self, data: str) -> None:
        raise NotStrict("comment")

    def handle_pi(self, data: str) -> None:
        raise NotStrict("processing instruction")

    def unknown_decl(self, data: str) -> None:
        raise NotStrict("unknown declaration")


def strict_tree(page: str) -> ET.Element | None:
    """The <html> element tinyhtml5 would build from `page` (no namespaces, as WeasyPrint asks),
    or None when the page is not written strictly enough to read it this way."""
    if "\r" in page or "\0" in page:  # HTML5 rewrites these first
        return None
    builder = _Builder()
    try:
        builder.feed(page)
        builder.close()
    except NotStrict:
        return None
    if builder.root is None or builder.phase != "after-body" or builder.stack:
        return None
    return builder.root
