"""Date formatting for every target, localised with babel."""

from __future__ import annotations

import datetime as _dt
from functools import lru_cache

from cvbuild.document.model import DateRange
from cvbuild.schema.fields import PartialDate

DASH = " – "  # en dash with spaces, as in "2023 – present"

# English CLDR month names, identical to babel's (a test compares them): the default locale then
# never loads babel's locale data, about a tenth of a fresh one-page render.
_EN_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def word(key: str, locale: str) -> str:
    """`present` or `expected` in the locale's vocabulary (cvbuild.document.locales)."""
    from cvbuild.document.locales import words

    return words(locale)[f"date.{key}"]


# `date_format` of a document -> a CLDR skeleton for a month and year: babel picks each locale's
# order and words ("Jul 2025", "Juli 2025", "2025年7月"); "year" drops the month.
MONTH_SKELETONS = {"short": "yMMM", "long": "yMMMM", "numeric": "yMM"}
# English's patterns, answered without babel (numeric keeps two digits: "07/2025").
_EN_PATTERNS = {"short": "MMM y", "long": "MMMM y", "numeric": "MM/y"}


@lru_cache(maxsize=4096)  # a CV repeats few distinct months; babel is slow per call
def format_date(date: PartialDate, locale: str, style: str = "short", present: str | None = None) -> str:
    """Month precision at most, so every date in a CV reads alike: `Jul 2025`, `2023`.
    `present`: the document's word for an open end (default: the locale's)."""
    if date.present:
        return present if present is not None else word("present", locale)
    if date.month is None or style == "year":
        return str(date.year)
    if locale == "en":
        return localized(date.first_day(), _EN_PATTERNS.get(style, "MMM y"), locale)
    from babel.dates import format_skeleton

    return str(format_skeleton(MONTH_SKELETONS.get(style, "yMMM"), date.first_day(), locale=locale))


def localized(day: _dt.date, pattern: str, locale: str) -> str:
    """babel's format_date, with English's CV patterns answered without loading babel."""
    if locale == "en" and pattern == "MMM y":
        return f"{_EN_MONTHS[day.month - 1][:3]} {day.year}"
    if locale == "en" and pattern == "MMMM y":
        return f"{_EN_MONTHS[day.month - 1]} {day.year}"
    if pattern == "MM/y":  # the same digits in every locale
        return f"{day.month:02d}/{day.year}"
    if locale == "en" and pattern == "long":  # CLDR en: "MMMM d, y"
        return f"{_EN_MONTHS[day.month - 1]} {day.day}, {day.year}"
    from babel.dates import format_date as babel_format

    return str(babel_format(day, pattern, locale=locale))


def date_range(
    start: PartialDate | None,
    end: PartialDate | None,
    locale: str,
    *,
    single: PartialDate | None = None,
    expected: bool = False,
    style: str = "short",
    words: tuple[str, str] | None = None,
) -> DateRange | None:
    """`Jul 2025 – Dec 2025`, `2023 – present`, `Jun 2026 (expected)`, or a single date.
    `words`: the document's (present, expected suffix), by default the locale's."""
    present, expected_suffix = words or (word("present", locale), word("expected", locale))
    if single is not None:
        iso = str(single)
        return DateRange(text=format_date(single, locale, style, present), start=iso, end=iso)
    if start is None and end is None:
        return None
    if start is None:
        assert end is not None
        return date_range(None, None, locale, single=end, style=style, words=(present, expected_suffix))
    start_text = format_date(start, locale, style, present)
    if end is None:
        text = start_text
    elif end.present:
        text = start_text + DASH + present
    else:
        end_text = format_date(end, locale, style, present)
        text = start_text if end_text == start_text else start_text + DASH + end_text
    if expected and end is not None and not end.present:
        text += expected_suffix
    return DateRange(
        text=text,
        start=str(start),
        end=None if end is None or end.present else str(end),
        current=bool(end and end.present),
        expected=expected,
    )
