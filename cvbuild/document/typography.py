"""Typographic quotes for typeset targets: Bachelor's -> Bachelor’s, OSDI '26 -> OSDI ’26.

PDF and HTML are typeset, so they get curly quotes and apostrophes; plain text and Markdown keep
exactly what the user typed (application forms and diffs want the ASCII they pasted).
Only text is touched: links, ids, dates, code spans and theme options never change.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel

from cvbuild.document.model import Document

# Keys whose values are not prose: addresses, identifiers, machine-readable dates, settings.
_NOT_PROSE = frozenset(
    {
        "url",
        "href",
        "display",
        "kind",
        "id",
        "type",
        "status",
        "start",
        "end",
        "date",
        "locale",
        "generator",
        "email",
        "email_obfuscated",
        "phone",
        "phone_url",
        "document",
        "number",
        "highlight",
        "options",
        "counts",
        "version",
    }
)
_OPENERS = "([{\u2014\u2013/-"
_OPENS_AFTER = r"(^|(?<=[\s(\[{\u2014\u2013/-]))"
_DOUBLE_OPEN = re.compile(_OPENS_AFTER + '"')
_YEAR = re.compile(r"\d\d(?!\d)")  # '26


def smart_quotes(text: str, double: tuple[str, str] = ("“", "”"), single: tuple[str, str] = ("‘", "’")) -> str:
    """Straight quotes -> curly ones by position: opening after a space, a bracket or an opening
    quote, else closing; `double` and `single`: the language's quotes („…“ and ‚…‘, «…» and “…”).
    A single quote closes only a single quote opened before it, at a word's end; any other (the
    apostrophe of Bachelor's, l'art, a year: '26) is ’, whatever the language's quotes."""
    if "'" not in text and '"' not in text:
        return text
    text = _DOUBLE_OPEN.sub(lambda m: m[1] + double[0], text).replace('"', double[1])
    if "'" not in text:
        return text
    out, last, pending = [], 0, False
    for i, ch in enumerate(text):
        if ch != "'":
            continue
        before, after = text[i - 1 : i], text[i + 1 : i + 2]
        opens = not before or before.isspace() or before in _OPENERS or text.endswith(double[0], 0, i)
        if opens and after and not after.isspace() and not _YEAR.match(text, i + 1):
            mark, pending = single[0], True
        elif pending and not after.isalnum():
            mark, pending = single[1], False
        else:
            mark = "’"
        out += [text[last:i], mark]
        last = i + 1
    return "".join([*out, text[last:]])


def _walk(
    value: Any, key: str | None = None, quotes: tuple[tuple[str, str], tuple[str, str]] = (("“", "”"), ("‘", "’"))
) -> Any:
    """`value` with prose quotes made curly; what did not change is returned as it is (the same
    object), so a Document of 1,000 publications is not rebuilt and revalidated (~0.3 s)."""
    if isinstance(value, str):
        return value if key in _NOT_PROSE else smart_quotes(value, *quotes)
    if isinstance(value, BaseModel):
        fields = value.__dict__
        if fields.get("code") is True:  # a `code` span is verbatim
            return value
        changed = {}
        for k, v in fields.items():
            if v is not None and v.__class__ is not bool and k not in _NOT_PROSE:
                new = _walk(v, k, quotes)
                if new is not v:
                    changed[k] = new
        return value.model_copy(update=changed) if changed else value
    if isinstance(value, list):
        items = [_walk(v, key, quotes) for v in value]
        return value if all(new is old for new, old in zip(items, value, strict=True)) else items
    if isinstance(value, dict):
        if value.get("code") is True:
            return value
        entries = {k: v if k in _NOT_PROSE else _walk(v, k, quotes) for k, v in value.items()}
        return value if all(entries[k] is v for k, v in value.items()) else entries
    return value


def typographic(doc: Document, dumped: str | None = None) -> Document:
    """The same Document with curly quotes in every piece of prose. `dumped`: its JSON, if at hand."""
    if dumped is None:
        dumped = doc.model_dump_json()  # fast: most Documents hold no straight quote at all
    if "'" not in dumped and '\\"' not in dumped:
        return doc
    labels = doc.meta.labels  # the language's quotes, resolved into the Document
    double = (labels.get("quote_open", "“"), labels.get("quote_close", "”"))
    single = (labels.get("quote_inner_open", "‘"), labels.get("quote_inner_close", "’"))
    typeset: Document = _walk(doc, quotes=(double, single))
    return typeset
