"""Custom properties the page sets once, on `:root`, written into the rules that use them before
WeasyPrint reads the page.

WeasyPrint resolves a `var()` for every element a rule applies to: it tokenizes and validates
the declaration again each time (`Pending.solve`), ~0.1 s of a 5-page CV whose print CSS writes
each gap as `calc((gap × var(--spacing) − offset) × 1rem)`. A property set once, on `:root`, is
inherited unchanged by every element, so its value can stand in the rule itself: the same
computed styles, the same PDF (tests compare the bytes). Anything that could make the value
differ somewhere, or that this reading cannot see, leaves the page as it is: a second
declaration of the name anywhere (a rule, an `@media`, a `style` attribute), a `:root` rule
inside an at-rule or in a `<style media=…>`, a linked or `@import`ed stylesheet, CSS escapes, an
unclosed comment or string, or a value other than plain words, numbers, lengths and colours.
`@page` blocks keep their `var()`s: the page context is not an element of the tree.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from xml.etree import ElementTree as ET

# Comments, strings and url()s: nothing inside them is a declaration or a var() to replace;
# an unquoted url() may hold braces and quotes.
_OPAQUE = re.compile(r"/\*.*?\*/|\"(?:[^\"\\\n]|\\.)*\"|'(?:[^'\\\n]|\\.)*'|(?i:url)\([^)\"']*\)", re.S)
_NAME = r"--(?:[\w-]|[^\x00-\x7f])+"
# `--name:` where a declaration can start. A selector such as `.a--b:hover` is not one; anything
# else that looks like one only makes the name ineligible, which is safe.
_DECLARATION = re.compile(rf"(?<![\w-])({_NAME})\s*:")
_USE = re.compile(rf"(?i:var)\(\s*({_NAME})\s*\)")
_SIMPLE_VALUE = re.compile(r"[#\w.%+-]+(?: [#\w.%+-]+)*", re.ASCII)


def masked(css: str) -> str | None:
    """`css` with its comments, strings and url()s blanked (same length), or None when it holds
    a CSS escape outside them or an unclosed comment or string (then it is not read further)."""
    out = _OPAQUE.sub(lambda m: " " * len(m.group()), css)
    return None if any(mark in out for mark in ("\\", "/*", '"', "'")) else out


def top_level_blocks(code: str) -> list[tuple[str, int, int]] | None:
    """(prelude, start, end) of each top-level block of masked CSS, `code[start:end]` being the
    block with its braces; None when the braces do not balance."""
    blocks: list[tuple[str, int, int]] = []
    depth, prelude_start, opened = 0, 0, 0
    for i, char in enumerate(code):
        if char == "{":
            if depth == 0:
                opened = i
            depth += 1
        elif char == "}":
            depth -= 1
            if depth < 0:
                return None
            if depth == 0:
                blocks.append((code[prelude_start:opened].strip(), opened, i + 1))
                prelude_start = i + 1
        elif char == ";" and depth == 0:
            prelude_start = i + 1
    return blocks if depth == 0 else None


def root_values(sheets: Iterable[tuple[str, bool]], declared: Counter[str]) -> dict[str, str]:
    """Names declared exactly once in all, in a top-level `:root` rule of a sheet that applies
    to every medium (the bool), with a plain value."""
    values: dict[str, str] = {}
    for code, every_medium in sheets:
        for prelude, start, end in top_level_blocks(code) or []:
            if not every_medium or prelude != ":root":
                continue
            for declaration in code[start + 1 : end - 1].split(";"):
                name, colon, value = declaration.partition(":")
                name, value = name.strip(), value.strip()
                if colon and declared[name] == 1 and _SIMPLE_VALUE.fullmatch(value) and "var" not in value:
                    values[name] = value
    return values


def inline_root_variables(root: ET.Element) -> None:
    """Write the value of each custom property the page sets once, on `:root`, in place of its
    `var(--name)` in the page's `<style>` elements (outside `@page`)."""
    if any("stylesheet" in (link.get("rel") or "").lower() for link in root.iter("link")):
        return
    styles = [element for element in root.iter("style") if element.text]
    codes = [masked(element.text or "") for element in styles]
    if not styles or any(code is None or "@import" in code.lower() for code in codes):
        return
    declared: Counter[str] = Counter()
    for code in codes:
        declared.update(m[1] for m in _DECLARATION.finditer(code or ""))
    for element in root.iter():
        declared.update(m[1] for m in _DECLARATION.finditer(element.get("style") or ""))
    sheets = [(code or "", set(element.keys()) <= {"type"}) for element, code in zip(styles, codes, strict=True)]
    values = root_values(sheets, declared)
    if not values:
        return
    for element, (code, _) in zip(styles, sheets, strict=True):
        blocks = top_level_blocks(code)
        if blocks is None:
            continue
        pages = [(start, end) for prelude, start, end in blocks if prelude.lower().startswith("@page")]
        text = element.text or ""
        pieces, last = [], 0
        for use in _USE.finditer(code):
            inside_page = any(start <= use.start() < end for start, end in pages)
            if use[1] in values and not inside_page:
                pieces += [text[last : use.start()], values[use[1]]]
                last = use.end()
        if pieces:
            element.text = "".join(pieces) + text[last:]
