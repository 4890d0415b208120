"""Field types with their own rules: partial dates, safe links, inline Markdown."""

# Annotations are objects, not strings (no `from __future__ import annotations`): pydantic would
# otherwise parse every field's annotation back from text at each start-up. Quote only names
# defined further down.

import datetime as _dt
import re
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, PlainSerializer, StringConstraints, WithJsonSchema
from pydantic_core import PydanticCustomError

_DATE_RE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")
DATE_PATTERN = r"^(\d{4}(-\d{2}(-\d{2})?)?|present)$"


@dataclass(frozen=True, order=True)
class PartialDate:
    """A date known to the year, month or day; `present` sorts after every real date."""

    year: int
    month: int | None = None
    day: int | None = None
    present: bool = False

    def __str__(self) -> str:
        if self.present:
            return "present"
        text = f"{self.year:04d}"
        if self.month:
            text += f"-{self.month:02d}"
        if self.day:
            text += f"-{self.day:02d}"
        return text

    @property
    def sort_key(self) -> tuple[int, int, int]:
        if self.present:
            return (9999, 12, 31)
        return (self.year, self.month or 0, self.day or 0)

    def first_day(self) -> _dt.date:
        return _dt.date(self.year, self.month or 1, self.day or 1)


def parse_date(value: Any) -> PartialDate:
    """Accept YYYY, YYYY-MM, YYYY-MM-DD (string, int or date) and `present`."""
    if isinstance(value, PartialDate):
        return value
    if isinstance(value, bool):
        raise _date_error(value)
    if isinstance(value, _dt.date):
        return PartialDate(value.year, value.month, value.day)
    if isinstance(value, int):
        value = str(value)
    if not isinstance(value, str):
        raise _date_error(value)
    text = value.strip()
    if text.lower() in ("present", "now", "current", "ongoing"):
        return PartialDate(9999, present=True)
    m = _DATE_RE.match(text)
    if not m:
        raise _date_error(value)
    year, month, day = int(m[1]), m[2], m[3]
    if not 1000 <= year <= 2999:
        raise PydanticCustomError("date_year", "year {year} is out of range; use 1000 to 2999", {"year": m[1]})
    if month is not None and not 1 <= int(month) <= 12:
        raise PydanticCustomError("date_month", "month {month} is out of range; use 01 to 12", {"month": month})
    if day is not None:
        try:
            _dt.date(year, int(month or 1), int(day))
        except ValueError:
            raise PydanticCustomError(
                "date_day", "day {day} does not exist in {ym}", {"day": day, "ym": f"{year}-{month}"}
            ) from None
    return PartialDate(year, int(month) if month else None, int(day) if day else None)


def _date_error(value: Any) -> PydanticCustomError:
    hint = date_hint(value) if isinstance(value, str) else None
    if isinstance(value, float) and 1000 <= value < 3000:  # YAML read `2025.04` as a number: its zeros are gone
        hint = f"did you mean {int(value)}-MM, the month in two digits?"
    return PydanticCustomError(
        "date_format",
        "invalid date '{value}'; write YYYY, YYYY-MM, YYYY-MM-DD or present{hint}",
        {"value": value, "hint": f" ({hint})" if hint else ""},
    )


_MONTHS = {
    m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)
}
_SEASONS = "spring|summer|fall|autumn|winter"
_SEASON = re.compile(rf"^(?:(?:{_SEASONS})\s+(\d{{4}})|(\d{{4}})\s+(?:{_SEASONS}))$", re.I)
_PERIOD = re.compile(r"^(.+?)\s*(?:–|—|−|--|-|\bto\b|\buntil\b)\s*(.+)$", re.I)


def _written_date(text: str) -> str | None:
    """One date as CVs and homepages write it (`2025.04`, `04/2019`, `Sept 2023`) in profile form."""
    text = text.strip()
    if text.lower() in ("present", "now", "current", "ongoing"):
        return "present"
    if _DATE_RE.match(text):
        return text
    if m := re.match(r"^(\d{4})[./](\d{1,2})$", text):
        year, month = m[1], int(m[2])
    elif m := re.match(r"^(\d{1,2})[./](\d{4})$", text):
        year, month = m[2], int(m[1])
    elif (m := re.match(r"^([A-Za-z]{3,9})\.?,?\s+(\d{4})$", text)) and m[1][:3].lower() in _MONTHS:
        year, month = m[2], _MONTHS[m[1][:3].lower()]
    else:
        return None
    return f"{year}-{month:02d}" if 1 <= month <= 12 else None


def date_hint(value: str) -> str | None:
    """What a date written the way homepages write it is in a profile: `2025.04` -> `2025-04`,
    `2019–present` -> a period of start and end, `Spring 2021` -> its year and a term."""
    text = value.strip()
    if single := _written_date(text):
        return f"did you mean {single}?"
    if m := _SEASON.match(text):
        return f"did you mean {m[1] or m[2]}, with '{text}' in `term:` or a note?"
    if (m := _PERIOD.match(text)) and (start := _written_date(m[1])) and (end := _written_date(m[2])):
        return f"a period: write start: {start} and end: {end}"
    return None


Date = Annotated[
    PartialDate,
    BeforeValidator(parse_date),
    PlainSerializer(str, return_type=str),
    WithJsonSchema(
        {
            "anyOf": [{"type": "string", "pattern": DATE_PATTERN}, {"type": "integer"}],
            "description": "YYYY, YYYY-MM, YYYY-MM-DD or present",
        }
    ),
]

ALLOWED_SCHEMES = ("http", "https", "mailto", "tel")
_SCHEME_RE = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
_SPACE_OR_CONTROL = re.compile(r"[\s\x00-\x1f]")  # \s is str.isspace(): every Unicode space
_HOST = re.compile(r"^https?://[^/?#]+", re.I)


def url_scheme(url: str) -> str | None:
    m = _SCHEME_RE.match(url.strip())
    return m[1].lower() if m else None


def check_url(value: str) -> str:
    """Only http(s), mailto and tel: anything else could run code in a browser or PDF viewer."""
    url = value.strip()
    if not url:
        raise PydanticCustomError("url_empty", "the link is empty")
    if _SPACE_OR_CONTROL.search(url):
        raise PydanticCustomError("url_space", "a link may not contain spaces; encode them as %20")
    scheme = url_scheme(url)
    if scheme is None:
        raise PydanticCustomError(
            "url_scheme_missing",
            "'{url}' has no scheme; write https://{url}",
            {"url": url},
        )
    if scheme not in ALLOWED_SCHEMES:
        raise PydanticCustomError(
            "url_scheme",
            "link scheme '{scheme}' is not allowed; use http, https, mailto or tel",
            {"scheme": scheme + ":"},
        )
    if scheme in ("http", "https") and not _HOST.match(url):
        raise PydanticCustomError("url_host", "'{url}' has no host name", {"url": url})
    return url


Url = Annotated[
    str,
    AfterValidator(check_url),
    WithJsonSchema(
        {"type": "string", "pattern": "^(https?://|mailto:|tel:)", "description": "http(s), mailto or tel link"}
    ),
]

MD_LINK_TARGET = re.compile(r"\]\(\s*<?([^)\s>]*)")


def check_markup(value: str) -> str:
    """Inline Markdown is allowed, but its links obey the same scheme rules as link fields."""
    if "](" in value:
        for target in MD_LINK_TARGET.findall(value):
            if target and not target.startswith("#") and url_scheme(target) is not None:
                check_url(target)
    return value


Markup = Annotated[
    str,
    AfterValidator(check_markup),
    WithJsonSchema(
        {"type": "string", "description": "text with inline Markdown: **bold**, *italic*, [link](https://...), `code`"}
    ),
]


class MultiLine:
    """Marks a text field whose line breaks mean something (paragraphs). Every other text field is
    one line: a line break there could start a Markdown list or heading in the .md output."""


Paragraphs = Annotated[Markup, MultiLine()]
"""Inline Markdown over several lines or paragraphs: summaries."""


# C0 and C1 controls (tab and line feed are handled apart), lone surrogates (from YAML escapes such
# as "\ud800"; not encodable), and the bidi embedding/override/isolate controls that can reverse
# what a reader sees (U+202A-U+202E, U+2066-U+2069).
_FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\u202a-\u202e\u2066-\u2069]")


def text_issue(value: str, *, multiline: bool, max_chars: int, max_marks: int) -> tuple[str, str] | None:
    """Why `value` cannot be printed as user text, as (kind, message), or None. Kinds: `control`,
    `newline`, `field_chars`, `combining_marks` (the last two are limits in cvbuild/limits.py)."""
    if len(value) > max_chars:
        return "field_chars", f"{len(value):,} characters exceed the limit field_chars = {max_chars:,}"
    bad = _FORBIDDEN.search(value)
    if bad and 0xD800 <= ord(bad[0]) <= 0xDFFF:
        return "control", f"contains U+{ord(bad[0]):04X}, half of a UTF-16 surrogate pair, not a character; remove it"
    if bad:
        return "control", f"contains the invisible control character {_codepoint(bad[0])}; remove it"
    if "\n" in value and not multiline:
        return "newline", "must be one line; remove the line break (or use `>` instead of `|` in YAML)"
    if not value.isascii():
        run = longest_mark_run(value)
        if run > max_marks:
            return "combining_marks", (
                f"{run:,} combining marks on one character exceed the limit combining_marks = {max_marks:,}"
            )
    return None


def longest_mark_run(value: str) -> int:
    """The most combining marks (accents, vowel signs) stacked on one base character."""
    import unicodedata

    best = run = 0
    for ch in value:
        if unicodedata.category(ch)[0] == "M":
            run += 1
            best = max(best, run)
        else:
            run = 0
    return best


def _codepoint(ch: str) -> str:
    import unicodedata

    name = unicodedata.name(ch, "")
    return f"U+{ord(ch):04X}" + (f" ({name})" if name else "")


def _non_empty(value: str) -> str:
    if not value.strip():
        raise PydanticCustomError("empty", "must not be empty")
    return value


NonEmpty = Annotated[str, AfterValidator(_non_empty)]

_HANDLE_RE = re.compile(r"^@?[\w.\-]+(/[\w.\-]+)*$")


def check_link_or_handle(value: str) -> str:
    """A profile link is either a full URL or a bare user name such as `adaexample`."""
    text = value.strip()
    if url_scheme(text) is not None or ("/" in text and "." in text.split("/")[0]):
        return check_url(text)
    if not _HANDLE_RE.match(text):
        raise PydanticCustomError("handle", "'{value}' is neither a user name nor an https:// link", {"value": value})
    return text


LinkOrHandle = Annotated[
    str,
    AfterValidator(check_link_or_handle),
    WithJsonSchema({"type": "string", "description": "a user name, or a full https:// link"}),
]


def check_phone(value: str) -> str:
    """A number phonenumbers can place: in international form, of a length its country allows."""
    import phonenumbers  # imported on use: its metadata is not needed for profiles without a phone

    text = value.strip()
    if not text.startswith(("+", "00")):
        raise PydanticCustomError(
            "phone_country", "'{value}' has no country code; write it as +CC ..., e.g. +1 415 555 0142", {"value": text}
        )
    try:
        number = phonenumbers.parse(_plus(text), None)
    except phonenumbers.NumberParseException as exc:
        raise PydanticCustomError(
            "phone", "'{value}' is not a phone number: {reason}", {"value": text, "reason": str(exc.args[0])}
        ) from None
    # A local-only length (7 digits in +1) cannot be dialled from abroad, which a CV's reader may be.
    if phonenumbers.is_possible_number_with_reason(number) != phonenumbers.ValidationResult.IS_POSSIBLE:
        raise PydanticCustomError(
            "phone_length",
            "'{value}' cannot be a phone number in +{cc}: it has too few or too many digits",
            {"value": text, "cc": number.country_code},
        )
    return text


def _plus(text: str) -> str:
    """`0049 30 …` is how Europe dials abroad; phonenumbers wants `+49 30 …`."""
    return "+" + text[2:] if text.startswith("00") else text


def phone_formats(value: str) -> tuple[str, str]:
    """(readable international form, E.164 for tel: links) of a number check_phone accepted."""
    import phonenumbers

    number = phonenumbers.parse(_plus(value.strip()), None)
    fmt = phonenumbers.PhoneNumberFormat
    return phonenumbers.format_number(number, fmt.INTERNATIONAL), phonenumbers.format_number(number, fmt.E164)


Phone = Annotated[
    str,
    AfterValidator(check_phone),
    WithJsonSchema({"type": "string", "description": "a phone number with its country code: +1 415 555 0142"}),
]


def check_locale(value: str) -> str:
    """`de-DE` and `de_DE` are the same locale; one babel has no data for is an error here, not at render."""
    from babel import Locale, UnknownLocaleError

    from cvbuild.document.locales import unsupported

    code = value.strip().replace("-", "_")
    try:
        Locale.parse(code)
    except (UnknownLocaleError, ValueError):
        raise PydanticCustomError(
            "locale_unknown", "unknown locale '{value}'; use a code like en, de, de_DE or zh_CN", {"value": value}
        ) from None
    if problem := unsupported(code):  # babel has its dates, but cvbuild has no words for its headings
        raise PydanticCustomError("locale_unsupported", problem)
    return code


LocaleCode = Annotated[str, Field(pattern=r"^[a-z]{2,3}([_-][A-Za-z]{2,4})?$"), AfterValidator(check_locale)]


def check_labels(value: dict[str, str]) -> dict[str, str]:
    """A document's own words: only keys of cvbuild's vocabulary (cvbuild/document/locales/en.py)."""
    import difflib

    from cvbuild.document.locales import known_key, month_key, words

    for key in value:
        if not known_key(key):
            near = difflib.get_close_matches(key, list(words("en")), n=1)
            hint = f"; did you mean '{near[0]}'?" if near else "; the keys are listed in docs/locales.md"
            raise PydanticCustomError("label_unknown", "unknown label '{key}'{hint}", {"key": key, "hint": hint})
        english = words("en").get(key) or ("May" if month_key(key) else words("en")[key.rsplit(".", 1)[0] + ".other"])
        if not value[key].strip() and english == english.strip():  # kept spaces: a heading of none is blank
            raise PydanticCustomError(
                "label_blank",
                "label '{key}' is blank; only a separator (range_sep, comma...) may be spaces",
                {"key": key},
            )
        if "." not in key:  # a layout's word (`page_of`): the theme replaces its fields, other braces stay
            continue
        allowed = _placeholders(english)
        if not allowed:  # a plain word: printed as written, braces and all
            continue
        used = _placeholders(value[key])
        if used is None or not used <= allowed:  # else formatting it fails at render time
            named = ", ".join(f"{{{name}}}" for name in sorted(allowed))
            raise PydanticCustomError(
                "label_placeholder",
                "label '{key}' may hold {named}, each as written; write a brace itself as {{ or }}",
                {"key": key, "named": named},
            )
    return value


def _placeholders(text: str) -> set[str] | None:
    """The `{name}` fields of a label's text; None when its braces do not pair up or a field has a
    format spec or conversion (`{n:>999999999}` would build a gigabyte string, `{degree!r}` quotes)."""
    import string

    try:
        fields = [(name, spec, conv) for _, name, spec, conv in string.Formatter().parse(text) if name is not None]
    except ValueError:
        return None
    return None if any(spec or conv for _, spec, conv in fields) else {name for name, _, _ in fields}


# A label is kept as written, spaces and all (the profile strips every other string): the spaces of
# a punctuation label are its meaning, `range_sep: " to "` or `comma: ", "`, and a stripped ` – `
# joined a range as `2023–present`.
# Its final line break is not (a YAML block scalar, `|` or `>`, ends with one).
Label = Annotated[
    str,
    StringConstraints(strip_whitespace=False, min_length=1),
    BeforeValidator(lambda v: v.rstrip("\n") if isinstance(v, str) else v),
]
LabelMap = Annotated[dict[str, Label], AfterValidator(check_labels)]


def _scalar(value: Any) -> Any:
    if isinstance(value, str):  # kept as written, but for a YAML block scalar's final line break
        return value.rstrip("\n")
    if isinstance(value, (int, float, bool)):
        return value
    raise PydanticCustomError("scalar", "expected a single value (text, number or true/false)")


Scalar = Annotated[
    Any,
    AfterValidator(_scalar),
    WithJsonSchema({"type": ["string", "number", "boolean"]}),
]
