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
# The page margin: one length for every side, or one per side as CSS writes them (top right bottom
# left; two are top and bottom, then left and right): a RenderCV page's four margins, kept.
MARGIN = rf"{LENGTH}(?:[ \t]+{LENGTH}){{0,3}}"
SIDES = ("top", "right", "bottom", "left")  # in the order CSS reads them
SPACING = (0.3, 3.0)  # the `spacing` factor of a theme's vertical gaps; below 0.3 lines touch
STYLE_OPTIONS: dict[str, tuple[re.Pattern[str], str]] = {
    "accent": (re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})"), "a colour; write #rgb or #rrggbb, e.g. #1a3a6b"),
    "margin": (
        re.compile(MARGIN),
        "a length, or one per side (top right bottom left, as in CSS); write e.g. 2cm, 18mm, 0.75in or '2cm 1.5cm'",
    ),
    "font_size": (re.compile(LENGTH), "a length; write e.g. 10.5pt"),
    "sidebar_width": (re.compile(LENGTH), "a length; write e.g. 6.4cm"),
    "font": (re.compile(r"[A-Za-z0-9][A-Za-z0-9 ._-]{0,60}"), "a font family name"),
}


# Lengths a page can hold: a 0.0001pt font or a 30cm margin makes an empty or unreadable PDF.
LENGTH_RANGES = {"font_size": (5.0, 30.0), "margin": (0.0, 200.0), "sidebar_width": (0.0, 600.0)}  # in points
_POINTS = {"pt": 1.0, "mm": 72 / 25.4, "cm": 72 / 2.54, "in": 72.0, "em": 10.5}


# Values both engines take: Typst's paper names and the HTML page's @page sizes; how the e-mail shows.
PAGE_SIZES = {"a4": "A4", "a5": "A5", "us-letter": "letter", "letter": "letter", "us-legal": "legal"}
EMAIL_MODES = ("plain", "obfuscated", "hidden")
# Checked here, where each value is written (a theme.toml's line, the profile's): the HTML target
# refused `page_size = "a3"` with no place, and the PDF took it.
ONE_OF = {"page_size": tuple(PAGE_SIZES), "show_email": EMAIL_MODES}


def style_problem(key: str, value: Any) -> str | None:
    """Why an option's value cannot be used by every engine, or None when it can."""
    if key in ONE_OF and value is not None:
        allowed = ONE_OF[key]
        # page_size is read in any case (`normalized`); show_email as written, as the HTML page and
        # a theme's declared choices read it: "Hidden" passed here and failed there, with no place
        given = str(value).strip().lower() if key == "page_size" else value
        if given not in allowed:
            return f"theme option {key}={value!r} is not one cvbuild knows; valid values are: {', '.join(allowed)}"
        return None
    if key not in STYLE_OPTIONS or value is None:
        return None
    pattern, expected = STYLE_OPTIONS[key]
    text = str(value).strip()
    if not pattern.fullmatch(text):
        return f"theme option {key}={value!r} is not {expected}"
    if key in LENGTH_RANGES:
        low, high = LENGTH_RANGES[key]
        if not all(low <= points(length) <= high for length in text.split()):
            return f"theme option {key}={value!r} is outside {low:g}pt to {high:g}pt; write e.g. {STYLE_EXAMPLES[key]}"
    return None


def points(length: str) -> float:
    """A checked length (LENGTH) in points; `em` at cvbuild's 10.5pt."""
    return float(length[:-2]) * _POINTS[length[-2:]]


def margin_sides(value: Any) -> tuple[str, str, str, str] | None:
    """The `margin` option's (top, right, bottom, left), as CSS reads one to four lengths; None
    for a value that is no margin (style_problem says why)."""
    parts = str(value).split()
    if not re.fullmatch(MARGIN, " ".join(parts)):
        return None
    top, right, bottom, left = [
        parts[i] for i in ((0, 0, 0, 0), (0, 1, 0, 1), (0, 1, 2, 1), (0, 1, 2, 3))[len(parts) - 1]
    ]
    return top, right, bottom, left


def margin_text(top: str, right: str, bottom: str, left: str) -> str:
    """The shortest `margin` for four sides, as CSS shortens them: `1cm`, `1cm 2cm`, ..."""
    if top == right == bottom == left:
        return top
    if (top, right) == (bottom, left):
        return f"{top} {right}"
    if right == left:
        return f"{top} {right} {bottom}"
    return f"{top} {right} {bottom} {left}"


STYLE_EXAMPLES = {"font_size": "10.5pt", "margin": "2cm", "sidebar_width": "6.4cm"}

# A band theme (sidebar) paints `sidebar_width` from the paper's edge and starts the band's text at
# the left margin, BAND_GAP before the band's edge (cv.typ's `gap`, base.css's 0.55cm): a left
# margin wider than that left the text a column of no width, and it vanished (WeasyPrint spun).
BAND_GAP_CM = 0.55
BAND_TEXT_CM = 2.5  # the narrowest text the band keeps: its titles ("KENNTNISSE", "COMPÉTENCES")
BAND_KEYS = ("margin", "sidebar_width")


def band_problem(options: Mapping[str, Any]) -> str | None:
    """Why the left margin leaves a band theme's text too little room (with the fixes), or None."""
    width, sides = options.get("sidebar_width"), margin_sides(options.get("margin") or "")
    if width is None or sides is None or style_problem("sidebar_width", width) or style_problem("margin", sides[3]):
        return None
    cm = 72 / 2.54
    band, left = points(str(width).strip()) / cm, points(sides[3]) / cm
    if band - left - BAND_GAP_CM >= BAND_TEXT_CM - 1e-9:
        return None
    most, least = band - BAND_GAP_CM - BAND_TEXT_CM, left + BAND_GAP_CM + BAND_TEXT_CM
    fixes = f"sidebar_width: {_cm(least)}"
    if most > 0:
        fixes = f"a left margin of at most {_cm(most)} (margin: {margin_text(*sides[:3], _cm(most))!r}), or {fixes}"
    return (
        f"the left margin ({sides[3]}) leaves no room for the text of the sidebar band ({width} wide): "
        f"that text starts at the left margin and needs {BAND_TEXT_CM:g}cm, then {BAND_GAP_CM:g}cm "
        f"to the band's edge; write {fixes}"
    )


def _cm(value: float) -> str:
    """2.85cm, 9cm: a length to write, to the hundredth of a centimetre."""
    return f"{value:.2f}".rstrip("0").rstrip(".") + "cm"


def normalized(options: Mapping[str, Any]) -> dict[str, Any]:
    """The options as both engines take them: `page_size` lower-case, with Typst's name for a
    spelling only CSS knows (`letter` is `us-letter`): Typst refused `letter` and `A5`, which the
    docs allow, with an error inside cvbuild's own package."""
    out = dict(options)
    if "page_size" in out and out["page_size"] is not None:
        size = str(out["page_size"]).strip().lower()
        out["page_size"] = {"letter": "us-letter"}.get(size, size)
    return out


def check_style_options(options: Mapping[str, Any], source: str = "theme") -> None:
    """Raise a one-line InputError (exit 2) for the first option no engine could use safely;
    `source` says where the value came from (--set, a theme.toml)."""
    for _, problem in style_problems(options):
        raise InputError(f"{source}: {problem}")


def style_problems(options: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(key, why) for every option no engine could use safely, in a fixed order."""
    keys = (*STYLE_OPTIONS, *ONE_OF)
    found = [(key, problem) for key in keys if (problem := style_problem(key, options.get(key)))]
    spacing = options.get("spacing")
    if spacing is not None and not (isinstance(spacing, int | float) and SPACING[0] <= spacing <= SPACING[1]):
        low, high = SPACING
        found.append(("spacing", f"theme option spacing={spacing!r} is not a factor from {low} to {high}, e.g. 0.8"))
    locale = options.get("locale")
    if locale is not None and locale != "en":  # the default needs no check (nor babel's data)
        from cvbuild.document.locales import locale_problem

        if problem := locale_problem(str(locale)):
            found.append(("locale", f"theme option locale: {problem}"))
    return found
