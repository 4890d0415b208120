"""The last-resort font (cvbuild/targets/last_resort.py): committed bytes, and a page's own font."""

from __future__ import annotations

import io
import re

import uharfbuzz as hb
from fontTools.ttLib import TTFont

from cvbuild.targets.last_resort import ADVANCE, LAST_RESORT, build, folder, font_for, pattern, sequences


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


FAMILY = "👨\u200d👩\u200d👧"  # three characters joined by ZWJs: one cluster


def shaped(data: bytes, text: str) -> list[tuple[int, int]]:
    """(glyph, cluster) of each glyph HarfBuzz sets `text` with in the font `data`."""
    buffer = hb.Buffer()
    buffer.add_str(text)
    buffer.guess_segment_properties()
    hb.shape(hb.Font(hb.Face(hb.Blob(data), 0)), buffer, {})
    return [(info.codepoint, info.cluster) for info in buffer.glyph_infos]


def test_a_cluster_of_several_characters_is_one_glyph() -> None:
    """Typst maps a cluster's text to its first glyph only: the family's second and third box read
    back as \\x03 \\x04. A ligature (ccmp, which no theme turns off) sets the cluster as one box of
    its own; each character alone keeps its box, and the font is still the same bytes each time."""
    chars = "👧👨👩🇩🇪👍🏽🚀"
    runs = sequences([f"Team {FAMILY}, from 🇩🇪🇩🇪 with 👍🏽 👍 and 🚀️ 1\ufe0f\u20e3"], chars)
    assert runs == {"👨👩👧", "🇩🇪", "👍🏽"}  # ZWJs hidden; 🚀 with its selector is one glyph anyway
    assert sequences(["1\u20e3"], "\u20e3") == set()  # the digit has a font of its own
    data = font_for(chars, runs)
    assert data == font_for(reversed(chars), sorted(runs, reverse=True))
    font = TTFont(io.BytesIO(data), checkChecksums=2)
    assert font["maxp"].numGlyphs == 1 + 8 + 3 and "GSUB" in font
    family, flag, tone, thumb = (shaped(data, t) for t in (FAMILY, "🇩🇪", "👍🏽", "👍"))
    assert len(family) == len(flag) == len(tone) == len(thumb) == 1
    assert len({family[0][0], flag[0][0], tone[0][0], thumb[0][0]}) == 4 and min(family[0][0], flag[0][0]) > 8
    assert [g for g, _ in shaped(data, "👨👩")] == [6, 7]  # not joined: a box each, in code point order
    assert "GSUB" not in TTFont(io.BytesIO(font_for(chars)))


def test_a_fonts_folder_is_named_by_its_bytes_and_holds_only_it() -> None:
    """Typst takes fonts from folders: each font has one of its own, the same for the same glyphs."""
    one = folder(["👍", "👍🏽", "🏽"])
    assert folder(("🏽", "👍", "👍🏽")) == one and folder(["🚀"]) != one
    assert [p.name for p in one.iterdir()] == ["last-resort.ttf"]
    assert (one / "last-resort.ttf").read_bytes() == font_for("👍🏽", ["👍🏽"])


def test_a_joined_clusters_pattern_is_escapes_only() -> None:
    """The pattern lib.typ sets keycaps and mixed sequences by (sys.inputs.cvbuild_joined): every
    character an escape, so a cluster of `]`, `$` or `|` is never pattern syntax; each cluster is
    matched as written, with its ZWJs and variation selectors, the longest first. (Python's re
    reads Rust's \\x{...} as \\x{...} too, once braces are turned into its form.)"""
    found = pattern(["1\u20e3", "👩✈", "]$|"])
    assert set(re.sub(r"\\x\{[0-9A-F]+\}|\[|\]|\*|-", "", found).split("|")) == {""}, found
    python = re.compile(re.sub(r"\\x\{([0-9A-F]+)\}", lambda m: f"\\U{int(m[1], 16):08x}", found))
    for text in ("1\ufe0f\u20e3", "👩\u200d✈\ufe0f", "]$|"):
        assert python.fullmatch(text), text
    assert python.fullmatch("1") is None and found.index("1F469") < found.index("x{31}")
