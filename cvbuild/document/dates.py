"""Date formatting for every target, localised with babel."""

from __future__ import annotations

import datetime as _dt
import re
from functools import lru_cache
from typing import Literal

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
def format_date(
    date: PartialDate,
    locale: str,
    style: str = "short",
    present: str | None = None,
    months: tuple[str | None, ...] | None = None,
) -> str:
    """Month precision at most, so every date in a CV reads alike: `Jul 2025`, `2023`.
    `present`: the document's word for an open end (default: the locale's); `months`: the
    document's own names of the twelve months in this style (labels `month.short.N`), in the
    place the locale gives its name (`Sept. 2025`, `sept. 2025`)."""
    if date.present:
        return present if present is not None else word("present", locale)
    if date.month is None or style == "year":
        return str(date.year)
    if locale == "en":
        text = localized(date.first_day(), _EN_PATTERNS.get(style, "MMM y"), locale)
    else:
        from babel.dates import format_skeleton

        text = str(format_skeleton(MONTH_SKELETONS.get(style, "yMMM"), date.first_day(), locale=locale))
    own = months[date.month - 1] if months and style in ("short", "long") else None
    if own and (name := printed_name(text, date.month, style, locale)):
        text = text.replace(name, own, 1)
    return text


def printed_name(text: str, month: int, style: str, locale: str) -> str | None:
    """The month's name as `text`, a date of `style` in `locale`, holds it (`Sept.` in German)."""
    return next((n for n in month_names_of(month, style, locale) if n in text), None)


def month_names_of(month: int, style: str, locale: str) -> list[str]:
    """What a date of `style` may call the month in `locale` (babel's names in both contexts),
    the longest first, so `Sept.` is replaced whole."""
    if locale == "en":
        return [_EN_MONTHS[month - 1] if style == "long" else _EN_MONTHS[month - 1][:3]]
    from babel.dates import get_month_names

    width: Literal["wide", "abbreviated"] = "wide" if style == "long" else "abbreviated"
    contexts: tuple[Literal["format", "stand-alone"], ...] = ("format", "stand-alone")
    names = {str(get_month_names(width, context, locale)[month]) for context in contexts}
    return sorted(names, key=len, reverse=True)


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

    text = str(babel_format(day, pattern, locale=locale))
    from cvbuild.document.locales import language

    if day.day == 1 and language(locale) == "fr":
        # French writes the first of a month as an ordinal: "1er janvier 2026" (CLDR has no ordinal day)
        text = re.sub(r"(?<!\d)1(?=\s)", "1er", text, count=1)
    return text


@lru_cache(maxsize=16)
def range_dash(locale: str) -> str:
    """What joins the two ends of a range: ` – `, or the mark CLDR's fallback interval format of the
    locale uses instead of an en dash (Japanese `2021年10月～2026年6月`). CLDR's thin spaces around
    the en dash are not taken: cvbuild's ranges keep the word spaces they always had."""
    if locale == "en":
        return DASH
    from babel import Locale

    from cvbuild.document.locales import normalize

    fallback = str(Locale.parse(normalize(locale)).interval_formats.get(None) or "")
    mark = fallback.replace("{0}", "").replace("{1}", "")
    return DASH if not mark.strip() or "–" in mark or "-" in mark else mark


def date_range(
    start: PartialDate | None,
    end: PartialDate | None,
    locale: str,
    *,
    single: PartialDate | None = None,
    expected: bool = False,
    style: str = "short",
    words: tuple[str, str] | None = None,
    dash: str | None = None,
    months: tuple[str | None, ...] | None = None,
) -> DateRange | None:
    """`Jul 2025 – Dec 2025`, `2023 – present`, `Jun 2026 (expected)`, or a single date.
    `words`: the document's (present, expected suffix), by default the locale's; `dash`: its
    `range_sep`, by default the locale's (`range_dash`); `months`: its own month names in `style`.
    Each end's text comes along, so a layout never splits `text` on `dash` (which may be a space,
    or occur inside a date: `Jul. 2025`)."""
    present, expected_suffix = words or (word("present", locale), word("expected", locale))
    if single is not None:
        text = format_date(single, locale, style, present, months)
        if single.present:  # `present` alone: no date for <time datetime>
            return DateRange(text=text, start_text=text, current=True)
        if expected:  # a degree given by one date is still expected
            text += expected_suffix
        iso = str(single)
        return DateRange(text=text, start_text=text, start=iso, end=iso, expected=expected)
    if start is None and end is None:
        return None
    if start is None or (start.present and end is None):  # one end given: a single date
        return date_range(
            None,
            None,
            locale,
            single=start or end,
            expected=expected,
            style=style,
            words=(present, expected_suffix),
            months=months,
        )
    start_text = format_date(start, locale, style, present, months)
    end_text = None if end is None else format_date(end, locale, style, present, months)
    if end_text == start_text and end is not None and not end.present:
        end_text = None  # both ends in one month: one date
    if expected and end is not None and not end.present:
        # the suffix ends the last date shown, as it ends the text
        if end_text is None:
            start_text += expected_suffix
        else:
            end_text += expected_suffix
    if end_text is not None:
        dash = range_dash(locale) if dash is None else dash
    return DateRange(
        text=start_text if end_text is None else f"{start_text}{dash}{end_text}",
        start_text=start_text,
        end_text=end_text,
        start=str(start),
        end=None if end is None or end.present else str(end),
        current=bool(end and end.present),
        expected=expected,
    )


# ---- day ranges the owner typed ("June 10-14", "10-14 juin") --------------------------------------

_DAY = r"(?<!\d)(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th|\.)?(?!\d)"  # 1 to 31: "10", "10th", German "10."
_HYPHEN = r"\s*(?:--?|\u2010|\u2011)\s*"  # a hyphen (or TeX's "--"), with or without spaces


def _month_names(locale: str) -> list[str]:
    """English month names and abbreviations ("Sept" too), and babel's of the locale, without their dots."""
    names = {*_EN_MONTHS, *(m[:3] for m in _EN_MONTHS), "Sept"}
    if locale != "en":
        from babel.dates import get_month_names

        for width in ("wide", "abbreviated"):
            for context in ("format", "stand-alone"):
                names.update(str(n).rstrip(".") for n in get_month_names(width, context, locale).values())
    return sorted(names, key=len, reverse=True)  # the longest first: "June" before "Jun"


@lru_cache(maxsize=16)
def _day_range_patterns(locale: str) -> tuple[tuple[re.Pattern[str], str], ...]:
    """What a day range looks like beside a month name, each with its replacement: the ranges over
    two months first ("June 30 – July 2", spaced as their parts hold spaces), then "June 10–14"
    and "10–14 June" (closed)."""
    month = r"(?<![^\W\d_])(?i:" + "|".join(re.escape(n) for n in _month_names(locale)) + r")\.?(?![^\W\d_])"
    month_day = rf"{month}\s*{_DAY}"
    day_month = rf"(?<![\d.,/-]){_DAY}\s+(?:de\s+)?{month}"  # "10 juin", "10 de junio", "10. Juni"
    return (
        (re.compile(rf"({month_day}){_HYPHEN}({month_day})"), r"\1 – \2"),
        (re.compile(rf"({day_month}){_HYPHEN}({day_month})"), r"\1 – \2"),
        (re.compile(rf"({month_day}){_HYPHEN}({_DAY})(?!-\d)"), r"\1–\2"),
        (re.compile(rf"(?<![\d.,/-])({_DAY}){_HYPHEN}({_DAY}\s+(?:de\s+)?{month})"), r"\1–\2"),
    )


def day_ranges(text: str, locale: str) -> str:
    """`June 10-14` -> `June 10–14`, `10-14 juin` -> `10–14 juin`: the en dash of every other range
    cvbuild writes, in a day range the owner typed in free text (a teaching term, an event's place
    and dates). Only a hyphen between day numbers beside a month name changes: ISO dates
    (2024-06-10), identifiers, URLs and hyphenated words keep theirs."""
    if "-" not in text and "\u2010" not in text and "\u2011" not in text:
        return text
    for pattern, replacement in _day_range_patterns(locale):
        text = pattern.sub(replacement, text)
    return text
