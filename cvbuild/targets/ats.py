"""What an applicant-tracking system reads of a PDF (`render`/`check --ats`).

Many of them take a PDF's text line by line across the page, as pdfminer does (pdfplumber is
built on it), and never see the page itself. So the check reads the PDF that way and compares
it with the Document: no character that reads back as a code instead of itself, every piece of
the CV there, and every section, entry and heading in order. Each problem is told with what the
user can change: the theme, the text, the font.
"""

from __future__ import annotations

import io
import re

from cvbuild.document.model import Document
from cvbuild.document.readback import OutOfOrder, atoms, out_of_order, shows, squash

MAX_LISTED = 5  # pieces named per problem; the rest are counted
# What pdfminer gives for a glyph it cannot map to a character, and what pypdf gives.
_UNREADABLE = re.compile(r"\(cid:\d+\)|[\x00\ufffd]")


def pdf_text_by_lines(pdf: bytes) -> str:
    """The PDF's text as a line-by-line reader gets it: each page top to bottom, each line across
    the page's whole width (pdfplumber's default, on pdfminer's characters)."""
    import pdfplumber

    with pdfplumber.open(io.BytesIO(pdf)) as document:
        return "\n".join(page.extract_text() or "" for page in document.pages)


def ats_problems(pdf: bytes, doc: Document) -> list[str]:
    """What a line-by-line reader gets wrong of `pdf`, the Document `doc` rendered; [] when it
    reads every piece, in order."""
    return text_problems(pdf_text_by_lines(pdf), doc)


def text_problems(text: str, doc: Document) -> list[str]:
    """`ats_problems` of a text already extracted."""
    problems: list[str] = []
    codes = _UNREADABLE.findall(text)
    if codes:
        shown = ", ".join(dict.fromkeys(codes[:MAX_LISTED]))
        problems.append(
            f"{len(codes)} character(s) read back as codes ({shown!r}), not as themselves: the page draws them "
            "with a glyph that says no character (one no font has, or a font with no map back to Unicode)"
        )
    squashed = squash(_UNREADABLE.sub("", text))
    missing = [a for a in atoms(doc) if not shows(a, squashed)]
    if missing:
        listed = "; ".join(_quoted(a) for a in missing[:MAX_LISTED])
        more = f"; and {len(missing) - MAX_LISTED} more" if len(missing) > MAX_LISTED else ""
        problems.append(f"{len(missing)} piece(s) of the CV are not read at all: {listed}{more}")
    order = out_of_order(text, doc)
    if order is not None:
        problems.append(_order_problem(order, bool(doc.options.get("sidebar_sections"))))
    return problems


def _quoted(piece: str, most: int = 60) -> str:
    """A piece of the CV as a message quotes it: cut with `…` where it is long (cut bare, 'with Disa'
    read as the title itself)."""
    return repr(piece if len(piece) <= most else piece[: most - 1].rstrip() + "…")


def _order_problem(order: OutOfOrder, sidebar: bool) -> str:
    """Why a line-by-line reader loses the order, in the terms of what the user can change."""
    title, mark = repr(order.section.title), _quoted(order.mark)
    if sidebar:
        return (
            f"the section {title} is not read where it belongs: the sidebar and the main column beside it are "
            "read across the page, a line of each in turn; a one-column theme (classic, modern, compact) "
            "reads in order"
        )
    if order.mark != order.section.title:
        return (
            f"in the section {title}, {mark} is not read whole: it wraps beside a date, venue or status, which "
            "is read between its lines; a shorter title (one line beside what is set next to it) reads whole"
        )
    return f"the section {title} is not read where it belongs: text set beside it is read into the section before"
