"""Date formatting for every target, localised with babel."""

from __future__ import annotations

import datetime as _dt
from functools import lru_cache

from cvbuild.document.model import DateRange
from cvbuild.schema.fields import PartialDate

# Words babel has no data for. Add a locale here to translate them.
WORDS: dict[str, dict[str, str]] = {
    "en": {"present": "present", "expected": "expected"},
    "de": {"present": "heute", "expected": "voraussichtlich"},
    "fr": {"present": "présent", "expected": "prévu"},
    "es": {"present": "actualidad", "expected": "previsto"},
    "zh": {"present": "至今", "expected": "预计"},
    "ja": {"present": "現在", "expected": "予定"},
}

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
    lang = locale.split("_")[0].split("-")[0]
    return WORDS.get(lang, WORDS["en"]).get(key, WORDS["en"][key])


# `date_format` of a document -> babel pattern for a month; "year" drops the month.
MONTH_PATTERNS = {"short": "MMM y", "long": "MMMM y", "numeric": "MM/y"}


@lru_cache(maxsize=4096)  # a CV repeats few distinct months; babel is slow per call
def format_date(date: PartialDate, locale: str, style: str = "short") -> str:
    """Month precision at most, so every date in a CV reads alike: `Jul 2025`, `2023`."""
    if date.present:
        return word("present", locale)
    if date.month is None or style == "year":
        return str(date.year)
    text = localized(date.first_day(), MONTH_PATTERNS.get(style, "MMM y"), locale)
    return text.replace(".", "") if style == "short" else text


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
) -> DateRange | None:
    """`Jul 2025 – Dec 2025`, `2023 – present`, `Jun 2026 (expected)`, or a single date."""
    if single is not None:
        iso = str(single)
        return DateRange(text=format_date(single, locale, style), start=iso, end=iso)
    if start is None and end is None:
        return None
    if start is None:
        assert end is not None
        return date_range(None, None, locale, single=end, style=style)
    start_text = format_date(start, locale, style)
    if end is None:
        text = start_text
    elif end.present:
        text = start_text + DASH + word("present", locale)
    else:
        end_text = format_date(end, locale, style)
        text = start_text if end_text == start_text else start_text + DASH + end_text
    if expected and end is not None and not end.present:
        text += f" ({word('expected', locale)})"
    return DateRange(
        text=text,
        start=str(start),
        end=None if end is None or end.present else str(end),
        current=bool(end and end.present),
        expected=expected,
    )
