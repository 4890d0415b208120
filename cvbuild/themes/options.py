"""Checks for the style options every engine receives, done once before any target runs.

Typst parses these strings as lengths and colours, and the HTML page puts them in CSS, so a
value both can read is the only safe kind: `--set accent=red;}</style>` must never arrive.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from cvbuild.errors import InputError

LENGTH = r"\d+(?:\.\d+)?(?:pt|mm|cm|in|em)"
STYLE_OPTIONS: dict[str, tuple[re.Pattern[str], str]] = {
    "accent": (re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})"), "a colour; write #rgb or #rrggbb, e.g. #1a3a6b"),
    "margin": (re.compile(LENGTH), "a length; write e.g. 2cm, 18mm, 0.75in or 10.5pt"),
    "font_size": (re.compile(LENGTH), "a length; write e.g. 10.5pt"),
    "font": (re.compile(r"[A-Za-z0-9][A-Za-z0-9 ._-]{0,60}"), "a font family name"),
}


def check_style_options(options: Mapping[str, Any]) -> None:
    """Raise a one-line InputError (exit 2) for the first option no engine could use safely."""
    for key, (pattern, expected) in STYLE_OPTIONS.items():
        value = options.get(key)
        if value is not None and not pattern.fullmatch(str(value).strip()):
            raise InputError(f"theme option {key}={value!r} is not {expected}")
