"""The words of a CV in each supported language, resolved once per Document.

Each language is a module here holding `WORDS` (every key of `en.WORDS`; the separators babel
gives, `list_sep`, `list_sep_long` and `range_sep`, only where the language differs from CLDR)
and, where a region writes some words differently, `REGIONS` (`pt_PT`). A module is imported
only when a document uses its language. babel supplies what it knows: plural categories, list
patterns, numbers, and (in `cvbuild.document.dates`) month names and date order; only the CV
vocabulary is written here.
"""

from __future__ import annotations

import importlib
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType

# Languages with a vocabulary here. A locale of another language is an error where it is written
# (the profile, a theme.toml, --set), never a CV half in English.
LANGUAGES = ("en", "de", "fr", "es", "it", "pt", "nl", "zh", "ja", "ko")


def language(locale: str) -> str:
    """`de_DE`, `de-DE`, `DE` -> `de`."""
    return locale.replace("-", "_").split("_")[0].lower()


def normalize(locale: str) -> str:
    """`de-de` -> `de_DE`: the form babel and the REGIONS tables use."""
    parts = locale.strip().replace("-", "_").split("_")
    return "_".join([parts[0].lower(), *(p.upper() if len(p) == 2 else p.title() for p in parts[1:])])


def unsupported(locale: str) -> str | None:
    """Why cvbuild cannot write a CV in `locale`, or None when it can."""
    if language(locale) in LANGUAGES:
        return None
    return f"cvbuild has no CV vocabulary for locale '{locale}'; supported languages: {', '.join(LANGUAGES)}"


@lru_cache(maxsize=16)
def words(locale: str) -> Mapping[str, str]:
    """Every key of the vocabulary in `locale`: its language's words, then its region's."""
    lang = language(locale)
    if lang not in LANGUAGES:
        raise ValueError(unsupported(locale))
    module = importlib.import_module(f"cvbuild.document.locales.{lang}")
    table = dict(module.WORDS)
    if lang != "en":  # English's are written out in en.py (a test compares them with babel's)
        from cvbuild.document.dates import range_dash

        # babel's separators, where the language writes none of its own (Korean's list_sep_long)
        derived = {**list_separators(locale), "range_sep": range_dash(locale)}
        table.update({k: v for k, v in derived.items() if k not in module.WORDS})
    table.update(getattr(module, "REGIONS", {}).get(normalize(locale), {}))
    return MappingProxyType(table)


def list_separators(locale: str) -> dict[str, str]:
    """`list_sep` (`, `, `、`): what CLDR puts between the middle items of a list, from babel's
    list pattern; `list_sep_long`, between items that may hold commas themselves (courses):
    `; ` where that is a comma, else the same."""
    from babel import Locale

    middle = str(Locale.parse(normalize(locale)).list_patterns["standard"]["middle"])
    sep = middle.replace("{0}", "").replace("{1}", "")
    return {"list_sep": sep, "list_sep_long": "; " if sep.strip() == "," else sep}


def many_as_other(table: Mapping[str, str]) -> dict[str, str]:
    """`count.X.many` as `count.X.other`: in French, Spanish, Italian and Portuguese CLDR's "many"
    (a million and up) differs only after a number word ("1 million de publications"), and
    cvbuild writes digits ("1 000 000 publications")."""
    return {
        k.removesuffix(".other") + ".many": v
        for k, v in table.items()
        if k.startswith("count.") and k.endswith(".other")
    }


def layout_words(table: Mapping[str, str]) -> dict[str, str]:
    """The words a layout prints itself (`meta.labels`): the keys without a dot."""
    return {k: v for k, v in table.items() if "." not in k}


@dataclass(frozen=True)
class Vocabulary:
    """The words of one document (the language's, then the document's own), with babel's rules."""

    locale: str
    table: Mapping[str, str]

    def __getitem__(self, key: str) -> str:
        return self.table[key]

    def count(self, noun: str, n: int) -> str:
        """`9 conference papers`, `1 Konferenzbeitrag`: the plural form babel's rules pick."""
        return self.table[f"count.{noun}.{self.plural(n)}"].format(n=self.number(n))

    def plural(self, n: int) -> str:
        if language(self.locale) == "en":  # CLDR's rule for English; skips loading babel's data
            return "one" if n == 1 else "other"
        from babel import Locale

        return str(Locale.parse(self.locale).plural_form(n))

    def number(self, n: int) -> str:
        """Digits grouped as the locale groups them: 4,100 · 4.100 · 4 100."""
        if language(self.locale) == "en" or abs(n) < 1000:
            return f"{n:,}"
        from babel.numbers import format_decimal

        return str(format_decimal(n, locale=self.locale))

    def decimal(self) -> str:
        """The decimal separator: `.` or `,`."""
        if language(self.locale) == "en":
            return "."
        from babel.numbers import get_decimal_symbol

        return str(get_decimal_symbol(self.locale))

    def months(self, style: str) -> tuple[str | None, ...] | None:
        """The document's own names of the twelve months in a date `style` (short, long), None
        for each it leaves to babel; None when it names none."""
        if style not in MONTH_STYLES:
            return None
        names = tuple(self.table.get(f"month.{style}.{n}") for n in range(1, 13))
        return names if any(names) else None

    def join(self, items: Iterable[str]) -> str:
        """`a, b, and c`, `a, b und c`, `a、b和c`: babel's list pattern of the locale."""
        parts = list(items)
        if self.locale == "en":  # CLDR's English pattern; skips loading babel's data
            if len(parts) < 3:
                return " and ".join(parts)
            return ", ".join(parts[:-1]) + ", and " + parts[-1]
        from babel.lists import format_list

        return str(format_list(parts, locale=self.locale))


def vocabulary(locale: str, overrides: Mapping[str, str] | None = None) -> Vocabulary:
    """The words of a document in `locale`; `overrides` (the document's `labels`) win. An own
    `colon` without an own `label_sep` brings the separator along with it."""
    base = words(locale)
    if not overrides:
        return Vocabulary(locale, base)
    table = {**base, **overrides}
    if "colon" in overrides and "label_sep" not in overrides:
        table["label_sep"] = label_sep(overrides["colon"])
    return Vocabulary(locale, MappingProxyType(table))


def label_sep(colon: str) -> str:
    """What follows a label ("Advisor: Marta"): `colon` and a space, but no space after a full-width
    colon (导师：Marta), whose glyph carries its own."""
    return colon if colon and unicodedata.east_asian_width(colon[-1]) in ("F", "W") else colon + " "


_PLURALS = ("zero", "one", "two", "few", "many", "other")
# A document's own month names, `month.short.3: Mar.` and `month.long.9: Sept.` (RenderCV's locale
# writes its own): optional keys, babel's names where a document has none.
MONTH_STYLES = ("short", "long")


def month_key(key: str) -> bool:
    """`month.short.N` or `month.long.N`, N from 1 to 12."""
    style, _, number = key.removeprefix("month.").partition(".")
    return key.startswith("month.") and style in MONTH_STYLES and number in {str(n) for n in range(1, 13)}


def known_key(key: str) -> bool:
    """A key of the vocabulary: English's keys, `count.NOUN.CATEGORY` for every CLDR plural category,
    and the month names (`month.short.1` to `month.long.12`)."""
    if key in words("en") or month_key(key):
        return True
    noun, _, category = key.removeprefix("count.").rpartition(".")
    return key.startswith("count.") and category in _PLURALS and f"count.{noun}.other" in words("en")


def locale_problem(locale: str) -> str | None:
    """Why `locale` cannot be a document's locale (unknown to babel, or no vocabulary), or None."""
    from babel import Locale, UnknownLocaleError

    try:
        Locale.parse(locale.strip().replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return f"unknown locale '{locale}'; use a code like en, de, de_DE or zh_CN"
    return unsupported(locale)


def english_leftovers(locale: str, text: str) -> list[str]:
    """English words of the vocabulary in `text`, a rendering in `locale` (`detail.advisor: 'Advisor'`):
    a theme that writes its own English. Words the language shares (Code, Poster in German), and
    words under four letters, are not looked for; nor is anything in an English document."""
    import re

    if language(locale) == "en":
        return []
    theirs = words(locale)
    own = " ".join(theirs.values())
    found = []
    for key, value in words("en").items():
        english = re.sub(r"\s*\{\w+\}\s*", " ", value).strip(" :")
        if theirs.get(key) == value or len(english) < 4 or english in own:
            continue
        if re.search(rf"(?<!\w){re.escape(english)}(?!\w)", text):
            found.append(f"{key}: {english!r}")
    return found
