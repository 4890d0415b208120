"""Fitting a document to its `max_pages`, and the page checks every paged render gets.

When the first layout runs over the budget, the layout is tightened within the floors the theme
declares in theme.toml `[fit]`: the `spacing` factor first, then `font_size`, then `margin`.
Each try recompiles with the warm engine; the search (see `search`) predicts where the largest
setting that fits lies and needs two to four layouts, and the render that follows reuses the
chosen layout: the document changes as little as it can, at the cost of a few layouts. If even
the floors do not fit, the caller hears by how much and which sections are longest, and the
document keeps the theme's usual look.

Both engines report a `Layout` (page count, where the text ends, where each section title
sits): Typst through an invisible <cvbuild-layout> probe that the shared helper package places
at the end of the document, WeasyPrint through the anchors of the section ids. Typst themes
also mark where their blocks end (lib.typ `bottom-mark`), so the text of an overflowing layout
can be told from the gap an entry moved whole to the next page leaves.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from cvbuild.document.model import Document
from cvbuild.targets.base import RenderContext
from cvbuild.themes.options import margin_sides, margin_text

KNOBS = ("spacing", "font_size", "margin")  # the order in which the layout is tightened
STEP = {"spacing": 0.05, "font_size": 0.1, "margin": 72 / 25.4}  # grid: 0.05x, 0.1 pt, 1 mm
MAX_PROBES = 8  # layouts per fit, the first included; each costs a full Typst layout (~60-90 ms)
FULL_ENOUGH = 0.03  # pages: a fitted layout with less room left than this (~2 lines) is taken
# pages: the spacing floor is not laid out when the text of the last overflow, measured without
# the gaps at the feet of its pages, still overflows it by more than this with spacing saving the
# most it can (MAX_GAP_SHARE): by then that floor predicts too little, by 0.006-0.044 page on the
# built-in themes (resume with 0-32 extra bullets, onepage), so the floor it skips would have
# overflowed. Font size and margins get no such shortcut: how lines rewrap is harder to bound.
SURELY_OVER = 0.01
MAX_GAP_SHARE = 0.45
SPARSE_LAST_PAGE = 0.15  # a last page filled less than this gets a warning
# How the text's height follows each knob, measured on the built-in themes: gaps are some 40% of
# a dense résumé's height (33-44%); the height falls a little faster than the font size
# (most lines are short and only shrink, some rewrap into fewer: 5% smaller type saved 5-7% in
# compact, classic and modern, more in sidebar's narrow column); a narrower margin gives a page
# more height and, through wider lines, fewer lines. The search scales this model by what the
# last layout measured, so it only has to get the shape right.
GAP_SHARE = 0.4
SIZE_POWER = 1.3
WIDTH_POWER = 0.6
_PT = {"pt": 1.0, "mm": 72 / 25.4, "cm": 72 / 2.54, "in": 72.0}
_LENGTH = re.compile(r"^\s*(\d+(?:\.\d+)?)(pt|mm|cm|in)\s*$")


@dataclass(frozen=True)
class Layout:
    """Where a rendered document's text sits, in points from the top of each page's text area."""

    pages: int
    height: float  # of the text area
    end_page: int
    end_y: float
    sections: tuple[tuple[str, int, float], ...] = ()  # title, page, y of each section title
    bottoms: tuple[float | None, ...] = ()  # y of the lowest end-of-block mark on each page

    @property
    def used(self) -> float:
        """Pages of content: 1.5 is one full page and half of the next."""
        return self.end_page - 1 + min(max(self.end_y / self.height, 0.0), 1.0)

    @property
    def text_at_least(self) -> float:
        """`used` without what may be gaps at the feet of the pages before the last (an entry
        moved whole to the next page leaves one): each of those pages counts only down to its
        lowest mark or section title. Never more than the text there is."""
        deepest = [0.0] * (self.end_page - 1)
        marks = [(page, y) for page, y in enumerate(self.bottoms, start=1) if y is not None]
        for page, y in marks + [(page, y) for _, page, y in self.sections]:
            if page < self.end_page:
                deepest[page - 1] = max(deepest[page - 1], min(max(y / self.height, 0.0), 1.0))
        return sum(deepest) + self.used - (self.end_page - 1)

    @property
    def last_fill(self) -> float:
        """How much of the last page holds text (0 when the text ends before it)."""
        return self.used - (self.pages - 1) if self.end_page == self.pages else 0.0

    def section_lengths(self) -> list[tuple[str, float]]:
        """(title, length in pages), longest first."""
        at = [(page - 1 + y / self.height) for _, page, y in self.sections] + [self.used]
        lengths = [(title, at[i + 1] - at[i]) for i, (title, _, _) in enumerate(self.sections)]
        return sorted(lengths, key=lambda item: -item[1])


@dataclass(frozen=True)
class Setting:
    """The three knobs, numeric: spacing factor, font size in pt, margin in pt."""

    spacing: float
    font_size: float
    margin: float

    def get(self, knob: str) -> float:
        value: float = getattr(self, knob)
        return value


@dataclass(frozen=True)
class Fit:
    setting: Setting
    layout: Layout
    fits: bool
    probes: int


Probe = Callable[[Setting], Layout]


# ---- the search (pure: the engine comes in as `probe`) ---------------------------------------------
#
# The knobs, each on its grid, make one path from the document's own setting (position 0) to the
# floors (the last position): spacing steps down first, then the font size, then the margins.
# Tighter positions hold more, so the answer is the first position that fits. Every probe is a
# full layout (nothing of the last one is reused once a size changes), so the search spends as
# few as it can: a model of how the height follows the knobs (`estimate`), scaled by what the
# last fitting layout measured, picks each next position, and the search stops as soon as a
# fitting layout leaves less than FULL_ENOUGH of a page free, or its looser neighbour on the path
# overflows, or the model sees nothing looser that would fit.


def path(start: Setting, floor: Setting) -> list[tuple[int, Setting]]:
    """Every setting the search may try, from `start` to `floor`, loosest first, each with the
    knob that moved to reach it (-1 for `start`)."""
    out, current = [(-1, start)], start
    for k, knob in enumerate(KNOBS):
        high, low = current.get(knob), floor.get(knob)
        steps = int((high - low) / STEP[knob] + 0.999)  # the floor itself ends each knob's run
        for i in range(1, steps + 1):
            current = replace(current, **{knob: max(low, high - i * STEP[knob])})
            out.append((k, current))
    return out


def estimate(start: Setting, setting: Setting, layout: Layout, gap_share: float = GAP_SHARE) -> float:
    """Pages the `layout` made at `start` would take at `setting`, by the model above."""
    gaps = 1 - gap_share + gap_share * setting.spacing / start.spacing if start.spacing else 1.0
    size = (setting.font_size / start.font_size) ** SIZE_POWER if start.font_size else 1.0
    room = 1.0
    if start.margin and layout.height > 1:
        page_h = layout.height + 2 * start.margin
        page_w = page_h / 2**0.5  # A4's proportions; US Letter's are close enough for a model
        height = layout.height / (page_h - 2 * setting.margin)
        width = (page_w - 2 * start.margin) / (page_w - 2 * setting.margin)
        room = height * width**WIDTH_POWER
    return layout.used * gaps * size * room


def search(start: Setting, floor: Setting, max_pages: int, probe: Probe) -> Fit:
    """The first setting on the path that fits (within FULL_ENOUGH of the largest that does)."""
    knobs, steps = zip(*path(start, floor), strict=True)
    last = len(steps) - 1
    seen: dict[int, Layout] = {0: probe(start)}
    if seen[0].pages <= max_pages:
        return Fit(start, seen[0], True, 1)
    if last == 0:  # already at the floors (say, set so with --set): nothing left to tighten
        return Fit(floor, seen[0], False, 1)
    model = [estimate(start, s, seen[0]) for s in steps]

    def before(i: int) -> int:
        """The last position before the knob that moves at `i` starts moving."""
        return max((j for j in range(i) if knobs[j] < knobs[i]), default=0)

    lo, hi, tried = 0, None, 0  # the tightest measured to overflow, the loosest known to fit, the last
    sure = 0  # the tightest known to overflow: measured, or a floor the model is sure of (not laid out)
    while True:
        ref = lo if hi is None else hi  # the model follows the last measure, a fitting one if any
        # An overflowing layout measures long (an entry moved whole to the next page leaves a gap
        # at the foot of the page, up to below its lowest mark): guess that half of it is gap.
        gap = seen[lo].used - seen[lo].text_at_least
        measured = seen[ref].used if hi is not None or gap > 0.1 else seen[lo].used - gap / 2
        scale = measured / model[ref] if model[ref] > 0 else 1.0
        aim = max_pages - (FULL_ENOUGH / 2 if hi is not None else 0.0)  # from a fitting one, a little under
        top = last + 1 if hi is None else hi
        guess = next((i for i in range(sure + 1, top) if scale * model[i] <= aim), top)
        # Two measures along the same knob beat the model: on one knob the pages used follow
        # the position nearly linearly (between them, or beyond the tighter of two overflows).
        axis = before(min(lo + 1, last))  # where the knob that moves next starts
        pair = (lo, hi) if hi is not None else (max((i for i in seen if axis <= i < lo), default=lo), lo)
        if pair[0] != pair[1] and before(pair[1]) <= pair[0] and seen[pair[0]].used > seen[pair[1]].used:
            (a, b), edge = pair, max_pages - FULL_ENOUGH / 2
            at = a + (seen[a].used - edge) / (seen[a].used - seen[b].used) * (b - a)
            guess = max(sure + 1, min(round(at), top - 1 if hi is not None and hi - sure > 1 else top))
        if hi is not None:
            if before(hi) <= sure and (guess == hi or hi - sure <= 1 or seen[hi].used >= max_pages - FULL_ENOUGH):
                return Fit(steps[hi], seen[hi], True, len(seen))
            if len(seen) >= MAX_PROBES:
                return Fit(steps[hi], seen[hi], True, len(seen))
            if guess == hi or seen[tried].pages > max_pages:  # the model ran loose: halve too
                guess = max(min(guess, hi - 1), (sure + hi) // 2)
        guess = min(guess, last)
        # A knob moves only when those before it, at their floors, are not enough: that floor is
        # tried first, unless it is spacing's and the text of the last overflow surely overflows it.
        if before(guess) > sure:
            b = before(guess)
            least = estimate(steps[lo], steps[b], seen[lo], MAX_GAP_SHARE) * seen[lo].text_at_least / seen[lo].used
            if knobs[b] == 0 and least > max_pages + SURELY_OVER:
                sure = b
            else:
                guess = b
        seen[guess], tried = probe(steps[guess]), guess
        if seen[guess].pages <= max_pages:
            hi = guess
        else:
            lo = sure = guess
            if lo == last:  # even the floors overflow
                return Fit(floor, seen[last], False, len(seen))


# ---- options <-> settings ---------------------------------------------------------------------------


def to_points(length: str) -> tuple[float, str] | None:
    """ "1.6cm" -> (45.35, "cm"); None for what fitting does not adjust (em, several values)."""
    match = _LENGTH.match(str(length))
    if match is None:
        return None
    return float(match.group(1)) * _PT[match.group(2)], match.group(2)


def widest_margin(value: Any) -> tuple[float, str] | None:
    """The `margin` option's widest side, (points, unit): what fitting narrows, a side at a time
    (a page with one margin per side keeps the narrower ones); None for em or no margin."""
    sides = [to_points(side) for side in margin_sides(value) or ()] if value else []
    known = [side for side in sides if side is not None]
    return max(known) if known and len(known) == len(sides) else None


def narrowed_margin(value: str, points: float, unit: str) -> str:
    """`value` (one to four lengths) with every side wider than `points` at that width."""
    sides = margin_sides(value) or (value,) * 4
    narrow = [side if (to_points(side) or (0.0, ""))[0] <= points else from_points(points, unit) for side in sides]
    return margin_text(*narrow)


def from_points(points: float, unit: str) -> str:
    return f"{round(points / _PT[unit], 2):g}{unit}"


def start_and_floor(options: Mapping[str, Any], floors: Mapping[str, Any]) -> tuple[Setting, Setting]:
    """The document's own setting and the theme's floors; a knob without a floor stays put."""
    spacing = float(options.get("spacing", 1.0))
    size = to_points(options.get("font_size", "")) or (0.0, "pt")
    margin = widest_margin(options.get("margin")) or (0.0, "pt")
    start = Setting(spacing, size[0], margin[0])
    floor_size = to_points(floors.get("font_size", "")) if size[0] else None
    floor_margin = to_points(floors.get("margin", "")) if margin[0] else None
    floor = Setting(
        min(spacing, float(floors.get("spacing", spacing))),
        min(size[0], floor_size[0]) if floor_size else size[0],
        min(margin[0], floor_margin[0]) if floor_margin else margin[0],
    )
    return start, floor


def apply(options: Mapping[str, Any], setting: Setting, start: Setting) -> dict[str, Any]:
    """Options with the knobs that moved; unit and form of the others untouched."""
    out = dict(options)
    if setting.spacing != start.spacing:
        out["spacing"] = round(setting.spacing, 3)
    if setting.font_size != start.font_size:
        out["font_size"] = from_points(setting.font_size, "pt")
    if setting.margin != start.margin:
        unit = (widest_margin(options["margin"]) or (0.0, "pt"))[1]
        out["margin"] = narrowed_margin(str(options["margin"]), setting.margin, unit)
    return out


def describe(setting: Setting, start: Setting, options: Mapping[str, Any]) -> str:
    """ "spacing 1 → 0.8×, font 10 → 9.4 pt" for the knobs that moved."""
    parts = []
    if setting.spacing != start.spacing:
        parts.append(f"spacing {start.spacing:g} → {round(setting.spacing, 2):g}×")
    if setting.font_size != start.font_size:
        parts.append(f"font {round(start.font_size, 2):g} → {round(setting.font_size, 2):g} pt")
    if setting.margin != start.margin:
        unit = (widest_margin(options.get("margin")) or (0.0, "pt"))[1]
        was, now = from_points(start.margin, unit)[: -len(unit)], from_points(setting.margin, unit)[: -len(unit)]
        widest = "widest margin" if len(set(margin_sides(options.get("margin")) or ())) > 1 else "margin"
        parts.append(f"{widest} {was} → {now} {unit}")
    return ", ".join(parts)


# ---- messages -------------------------------------------------------------------------------------


def _pages(n: float) -> str:
    if 0 < n < 0.01:
        return "less than 0.01 page"
    return f"{n:.2f}".rstrip("0").rstrip(".") + (" page" if abs(n - 1) < 1e-9 else " pages")


def _about(lines: int) -> str:
    return f" (about {lines} line{'s' * (lines != 1)})" if lines else ""


def _lines(pages: float, layout: Layout, font_pt: float) -> int:
    """A rough line count: text lines are about 1.3 × the font size apart."""
    return max(1, round(pages * layout.height / (1.3 * font_pt))) if font_pt else 0


def _longest(layout: Layout, n: int = 3) -> str:
    return ", ".join(f"{title} ({_pages(length)})" for title, length in layout.section_lengths()[:n] if length > 0)


def overflow_message(max_pages: int, fit: Fit, start: Setting, options: Mapping[str, Any]) -> tuple[str, str]:
    """What the page-budget warning adds when fitting could not help: how far the floors still
    overflow, and the longest sections (for its hint)."""
    over = fit.layout.used - max_pages
    floors = describe(fit.setting, start, options) or "as declared"
    lines = _lines(over, fit.layout, fit.setting.font_size)
    clause = (
        f"and even at the theme's floors ({floors}) it would run {_pages(over)} over"
        + _about(lines)
        + ", so it keeps its usual size"
    )
    return clause, _longest(fit.layout)


def sparse_last_page(name: str, layout: Layout, font_pt: float) -> str | None:
    """A last page that is nearly empty reads as a mistake: say what would pull it back."""
    if layout.pages < 2 or layout.end_page != layout.pages or layout.last_fill >= SPARSE_LAST_PAGE:
        return None
    lines = _lines(layout.last_fill, layout, font_pt)
    longest = layout.section_lengths()[:1]
    where = f", e.g. from {longest[0][0]}" if longest else ""
    return (
        f"document {name!r}: the last page ({layout.pages}) is only {layout.last_fill:.0%} filled"
        + _about(lines)
        + f"; to pull it back, cut about that much{where}, or set `max_pages: {layout.pages - 1}` "
        "on the document so cvbuild tightens spacing and size to fit"
    )


# ---- probes -----------------------------------------------------------------------------------------


def typst_layout(compiler: Any, titles: list[str]) -> Layout | None:
    """The <cvbuild-layout> probe of the last compile (a query reuses its layout: ~1 ms)."""
    import json

    try:
        raw = json.loads(compiler.query("<cvbuild-layout>", field="value", one=True))
    except Exception:  # a theme that does not use the shared setup has no probe
        return None
    top = float(raw.get("top") or 72.0)
    height = float(raw["height"]) - top - float(raw.get("bottom") or top)
    headings = raw.get("headings", [])
    # A heading's own text names it; a styled one (no plain text) takes the section's title.
    fallback = titles if len(titles) == len(headings) else [f"section {i + 1}" for i in range(len(headings))]
    sections = tuple(
        (str(h.get("title") or name), int(h["page"]), float(h["y"]) - top)
        for h, name in zip(headings, fallback, strict=True)
    )
    end = raw["end"]
    return Layout(
        pages=int(end["page"]),
        height=height,
        end_page=int(end["page"]),
        end_y=float(end["y"]) - top,
        sections=sections,
        bottoms=tuple(None if y is None else float(y) - top for y in raw.get("bottoms", [])),
    )


def fit_document(
    name: str, doc: Document, ctx: RenderContext, max_pages: int, engine: str
) -> tuple[Document, str | None, tuple[str, str] | None]:
    """(the document to render, a note of what changed, what overflows when it cannot fit)."""
    start, floor = start_and_floor(doc.options, ctx.theme.fit)
    if engine == "weasyprint":
        from cvbuild.targets.html import theme_stylesheet
        from cvbuild.targets.weasyprint_pdf import probe_layout as layout_of

        if "var(--spacing" not in theme_stylesheet(ctx):  # print CSS with fixed gaps: size and margins only
            floor = replace(floor, spacing=start.spacing)
    else:
        from cvbuild.targets.typst_pdf import probe_layout as layout_of

    from cvbuild.targets.base import typeset_document

    quiet = replace(ctx, warn=lambda _m: None)  # the render that follows warns once, not each probe
    typeset = typeset_document(doc, ctx.cache)  # what the PDF shows: the probes lay out exactly that

    def probe(setting: Setting) -> Layout:
        options = apply(doc.options, setting, start)
        layout: Layout = layout_of(typeset.model_copy(update={"options": options}), quiet)
        return layout

    fit = search(start, floor, max_pages, probe)
    if fit.fits and fit.setting == start:
        return doc, None, None
    if not fit.fits:
        return doc, None, overflow_message(max_pages, fit, start, doc.options)
    fitted = doc.model_copy(update={"options": apply(doc.options, fit.setting, start)})
    pages = f"{max_pages} page{'s' * (max_pages != 1)}" if fit.layout.pages >= max_pages else _count(fit.layout.pages)
    return fitted, f"document {name!r} fitted to {pages}: {describe(fit.setting, start, doc.options)}", None


def _count(pages: int) -> str:
    return f"{pages} page{'s' * (pages != 1)}"
