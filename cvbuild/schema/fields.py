"""Field types with their own rules: partial dates, safe links, inline Markdown."""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, PlainSerializer, WithJsonSchema
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
    return PydanticCustomError(
        "date_format",
        "invalid date '{value}'; write YYYY, YYYY-MM, YYYY-MM-DD or present",
        {"value": value},
    )


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


def url_scheme(url: str) -> str | None:
    m = _SCHEME_RE.match(url.strip())
    return m[1].lower() if m else None


def check_url(value: str) -> str:
    """Only http(s), mailto and tel: anything else could run code in a browser or PDF viewer."""
    url = value.strip()
    if not url:
        raise PydanticCustomError("url_empty", "the link is empty")
    if any(ch.isspace() for ch in url) or any(ord(ch) < 32 for ch in url):
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
    if scheme in ("http", "https") and not re.match(r"^https?://[^/?#]+", url, re.I):
        raise PydanticCustomError("url_host", "'{url}' has no host name", {"url": url})
    return url


Url = Annotated[
    str,
    AfterValidator(check_url),
    WithJsonSchema(
        {"type": "string", "pattern": "^(https?://|mailto:|tel:)", "description": "http(s), mailto or tel link"}
    ),
]

_MD_LINK_RE = re.compile(r"\]\(\s*<?([^)\s>]*)")


def check_markup(value: str) -> str:
    """Inline Markdown is allowed, but its links obey the same scheme rules as link fields."""
    if "](" in value:
        for target in _MD_LINK_RE.findall(value):
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


def _scalar(value: Any) -> Any:
    if isinstance(value, (str, int, float, bool)):
        return value
    raise PydanticCustomError("scalar", "expected a single value (text, number or true/false)")


Scalar = Annotated[
    Any,
    AfterValidator(_scalar),
    WithJsonSchema({"type": ["string", "number", "boolean"]}),
]
