"""The last-resort font (cvbuild/targets/last_resort.py): committed bytes, and a page's own font."""

from __future__ import annotations

import io

import uharfbuzz as hb
from fontTools.ttLib import TTFont

from cvbuild.targets.last_resort import ADVANCE, LAST_RESORT, build, font_for


def test_the_committed_font_is_what_build_makes() -> None:
    """Same bytes every run: no timestamp, nothing of the machine."""
    assert build() == LAST_RESORT.read_bytes() == build()


def test_a_pages_font_has_a_box_of_its_own_for_each_character() -> None:
    """One glyph a character: a PDF's ToUnicode maps glyphs, and with one box for all, 📧 and 📱
    read back as 🚀. The cmap maps these characters and no other; fontTools reads every table
    with its checksums (checkChecksums=2 raises on a wrong one), HarfBuzz finds each box."""
    data = font_for("🚀📧📱🚀")
    assert data == font_for(["📱", "📧", "🚀"])  # same characters, same bytes
    font = TTFont(io.BytesIO(data), checkChecksums=2)
    cmap = font.getBestCmap()
    assert sorted(cmap) == [0x1F4E7, 0x1F4F1, 0x1F680] and len(set(cmap.values())) == 3
    assert font["maxp"].numGlyphs == 4 and font["hhea"].numberOfHMetrics == 4
    assert {font["hmtx"][name][0] for name in font.getGlyphOrder()} == {ADVANCE}
    assert all(font["glyf"][name].numberOfContours == 2 for name in font.getGlyphOrder())  # the box
    assert font["head"].checkSumAdjustment  # the whole file's, as written
    shaper = hb.Font(hb.Face(hb.Blob(data), 0))
    assert [shaper.get_nominal_glyph(ord(c)) for c in "📧📱🚀A"] == [1, 2, 3, None]
    assert shaper.get_glyph_extents(3).width == 500
