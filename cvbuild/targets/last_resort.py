"""The last-resort font: a box for each character no other font of a page has (an emoji).

Without it, Pango shapes such a character ("🚀Software Engineer") with the body font and gets its
.notdef glyph; WeasyPrint then writes the whole body font with an encoding of its own instead of
Identity-H, which pypdf reads with NULs between characters and pdfminer (pdfplumber, what many
applicant-tracking systems read PDFs with) not at all: the page's text was lost. From this font
the character is a box from a font that has a glyph for it, the PDF's ToUnicode maps the box back
to the character, and every other font keeps Identity-H.

LAST_RESORT (committed; `python -m cvbuild.targets.last_resort` writes the same bytes again, a test
holds it to `build()`) holds the box. A page gets `font_for` its characters, made from it without
fontTools: one box glyph a character, as a PDF's ToUnicode maps glyphs, not characters (with one
glyph for all, 📧 and 📱 read back as 🚀), and a cmap of just those characters: a cmap format 13
mapping all of Unicode to one glyph costs Fontconfig ~0.18 s to read, a character at a time.
"""

from __future__ import annotations

import atexit
import hashlib
import os
import shutil
import struct
import tempfile
import threading
from collections.abc import Iterable
from io import BytesIO
from pathlib import Path

LAST_RESORT = Path(__file__).with_name("last-resort.ttf")
FAMILY = "cvbuild last resort"
ADVANCE = 600  # the box's width in 1000ths of an em, about a Latin .notdef's
EPOCH = 0xE0000000  # head.created/modified, in seconds since 1904: fixed, so the bytes are too
BOX = 1  # the glyph LAST_RESORT draws characters with


def build() -> bytes:
    """LAST_RESORT's bytes: a TrueType face with .notdef and `BOX`, both an empty square."""
    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.ttGlyphPen import TTGlyphPen

    def box() -> object:
        pen = TTGlyphPen(None)
        for contour in (((50, 0), (50, 700), (550, 700), (550, 0)), ((100, 50), (500, 50), (500, 650), (100, 650))):
            pen.moveTo(contour[0])
            for point in contour[1:]:
                pen.lineTo(point)
            pen.closePath()
        return pen.glyph()

    fb = FontBuilder(1000, isTTF=True)
    fb.font.recalcTimestamp = False
    fb.setupGlyphOrder([".notdef", "box"])
    fb.setupCharacterMap({0x25A1: "box"})  # □ WHITE SQUARE; pages get cmaps of their own
    fb.setupGlyf({".notdef": box(), "box": box()})
    fb.setupHorizontalMetrics({".notdef": (ADVANCE, 50), "box": (ADVANCE, 50)})
    fb.setupHorizontalHeader(ascent=800, descent=-200)
    # Typst (fontdb) takes no face without a PostScript name
    fb.setupNameTable(
        {"familyName": FAMILY, "styleName": "Regular", "fullName": FAMILY, "psName": "cvbuild-last-resort"}
    )
    fb.setupOS2(sTypoAscender=800, sTypoDescender=-200, usWinAscent=800, usWinDescent=200)
    fb.setupPost(keepGlyphNames=False)  # post format 3: `font_for` adds glyphs without names
    fb.setupHead(unitsPerEm=1000, created=EPOCH, modified=EPOCH)
    out = BytesIO()
    fb.save(out)
    return out.getvalue()


def font_for(chars: Iterable[str], sequences: Iterable[str] = ()) -> bytes:
    """LAST_RESORT with a box glyph for each of these characters, in code point order, and a cmap
    (format 12, Windows Unicode full repertoire) mapping them, and no other, to their boxes. Same
    characters, same bytes.

    Each of `sequences` (characters of `chars` that a shaper sets as one cluster: 👨 👩 👧 joined
    by ZWJs, a flag's two regional indicators) gets a box of its own too, which a ligature (GSUB,
    feature ccmp, always on) sets for the sequence: Typst maps a cluster's text to its first glyph
    only, so the second and third box of 👨‍👩‍👧 read back as \\x03 \\x04; one glyph reads back
    as the whole cluster."""
    codes = sorted({ord(c) for c in chars})
    glyph_of = {code: glyph for glyph, code in enumerate(codes, 1)}
    runs = sorted({s for s in sequences if len(s) > 1 and all(ord(c) in glyph_of for c in s)})
    tables = read_tables(LAST_RESORT.read_bytes())
    head, loca, glyf = tables[b"head"], tables[b"loca"], tables[b"glyf"]
    at = struct.unpack_from(">2I" if head[51] else ">2H", loca, 4 * BOX if head[51] else 2 * BOX)
    box = glyf[at[0] * (1 if head[51] else 2) : at[1] * (1 if head[51] else 2)]
    box += b"\0" * (-len(box) % 4)
    count = 1 + len(codes) + len(runs)  # .notdef, a box a character, a box a sequence
    tables[b"glyf"] = box * count
    tables[b"loca"] = struct.pack(f">{count + 1}I", *(len(box) * i for i in range(count + 1)))
    tables[b"hmtx"] = tables[b"hmtx"][:4] * count  # .notdef's advance and bearing, the box's too
    tables[b"head"] = head[:50] + struct.pack(">h", 1) + head[52:]  # long loca offsets
    tables[b"maxp"] = tables[b"maxp"][:4] + struct.pack(">H", count) + tables[b"maxp"][6:]
    tables[b"hhea"] = tables[b"hhea"][:34] + struct.pack(">H", count)
    groups = b"".join(struct.pack(">III", code, code, glyph) for code, glyph in glyph_of.items())
    tables[b"cmap"] = (
        struct.pack(">HHHHI", 0, 1, 3, 10, 12) + struct.pack(">HHIII", 12, 0, 16 + len(groups), 0, len(codes)) + groups
    )
    if runs:
        first = 1 + len(codes)
        tables[b"GSUB"] = ligatures({tuple(glyph_of[ord(c)] for c in run): first + i for i, run in enumerate(runs)})
    return write_tables(tables)


def folder(glyphs: Iterable[str]) -> Path:
    """A folder holding only `font_for` these glyphs (each a character, or a sequence set as one
    cluster), for Typst, which takes fonts from folders. One a font, named by its bytes (two
    threads asking for the same glyphs get the same folder), in a folder of this process that
    `remove_folders` removes at its end: a compiler reads a font when it first needs it."""
    items = list(glyphs)
    data = font_for((g for g in items if len(g) == 1), (g for g in items if len(g) > 1))
    with _LOCK:
        path = _root() / hashlib.sha256(data).hexdigest()[:32]
        if not path.is_dir():
            partial = Path(tempfile.mkdtemp(dir=path.parent))
            (partial / "last-resort.ttf").write_bytes(data)
            partial.rename(path)
    return path


_LOCK = threading.Lock()
_ROOTS: dict[int, Path] = {}  # a process's folder: a forked child makes its own


def _root() -> Path:
    """Named as the staged folders are (`typst_stage`), in memory where there is one: a process
    killed before its end leaves it to their sweep."""
    from cvbuild.targets.typst_stage import PREFIX, memory_folder

    pid = os.getpid()
    if pid not in _ROOTS:
        _ROOTS[pid] = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{pid}-", dir=memory_folder()))
        atexit.register(remove_folders)
    return _ROOTS[pid]


def remove_folders() -> None:
    """Remove this process's folder of fonts (at exit; `cli.entry` ends a render with os._exit,
    which runs no atexit hook, and calls this first). Not a parent's, in a forked child."""
    with _LOCK:
        path = _ROOTS.pop(os.getpid(), None)
    if path is not None:
        shutil.rmtree(path, ignore_errors=True)


def sequences(texts: Iterable[str], chars: Iterable[str]) -> set[str]:
    """The runs of `chars` that a shaper sets as one cluster somewhere in `texts` (👨‍👩‍👧 as
    👨👩👧: the ZWJs are hidden), as HarfBuzz forms clusters; Typst's shaper, rustybuzz, is its
    port. A cluster holding a character not in `chars` is left out (typst_pdf asks about every
    character of the texts and keeps the clusters with one no font has: lib.typ sets a keycap in
    this font by `pattern`, though its digit has a font of its own)."""
    import uharfbuzz as hb

    codes = sorted({ord(c) for c in chars})
    font = hb.Font(hb.Face(hb.Blob(font_for(map(chr, codes))), 0))
    found: set[str] = set()
    for text in texts:
        buffer = hb.Buffer()
        buffer.add_str(text)
        buffer.guess_segment_properties()
        hb.shape(font, buffer, {})
        clusters: dict[int, list[int]] = {}
        for info in buffer.glyph_infos:
            clusters.setdefault(info.cluster, []).append(info.codepoint)
        for glyphs in clusters.values():
            if len(glyphs) > 1 and all(glyphs):
                found.add("".join(chr(codes[g - 1]) for g in glyphs))
    return found


def pattern(runs: Iterable[str]) -> str:
    """A regex, in Typst's (Rust's) syntax, matching each of `runs` (clusters as `sequences` gives
    them) as a text writes it: with ZWJs and variation selectors between and after its characters.
    Every character is an escape (`\\x{31}`), so no text of the profile becomes pattern syntax."""
    joiners = r"[\x{200D}\x{FE00}-\x{FE0F}]*"
    alternatives = [joiners.join(f"\\x{{{ord(c):X}}}" for c in run) + joiners for run in runs]
    return "|".join(sorted(alternatives, key=lambda a: (-len(a), a)))  # the longest first


def ligatures(liga: dict[tuple[int, ...], int]) -> bytes:
    """A GSUB table with one ligature lookup (type 4) under feature ccmp of script DFLT: each
    sequence of glyphs becomes its glyph, longer sequences tried first."""
    by_first: dict[int, list[tuple[tuple[int, ...], int]]] = {}
    for components, glyph in liga.items():
        by_first.setdefault(components[0], []).append((components, glyph))
    firsts = sorted(by_first)
    sets = []
    for first in firsts:
        entries = sorted(by_first[first], key=lambda e: (-len(e[0]), e[0]))
        bodies = [struct.pack(f">HH{len(c) - 1}H", g, len(c), *c[1:]) for c, g in entries]
        offsets, offset = [], 2 + 2 * len(bodies)
        for body in bodies:
            offsets.append(offset)
            offset += len(body)
        sets.append(struct.pack(f">H{len(bodies)}H", len(bodies), *offsets) + b"".join(bodies))
    coverage = struct.pack(f">HH{len(firsts)}H", 1, len(firsts), *firsts)
    head_size = 6 + 2 * len(sets)
    offsets, offset = [], head_size + len(coverage)
    for body in sets:
        offsets.append(offset)
        offset += len(body)
    subtable = struct.pack(f">HHH{len(sets)}H", 1, head_size, len(sets), *offsets) + coverage + b"".join(sets)
    lookup = struct.pack(">HHHH", 4, 0, 1, 8) + subtable
    lookups = struct.pack(">HH", 1, 4) + lookup
    features = struct.pack(">H4sH", 1, b"ccmp", 8) + struct.pack(">HHH", 0, 1, 0)
    scripts = struct.pack(">H4sH", 1, b"DFLT", 8) + struct.pack(">HH", 4, 0) + struct.pack(">HHHH", 0, 0xFFFF, 1, 0)
    header = 10
    return (
        struct.pack(">HHHHH", 1, 0, header, header + len(scripts), header + len(scripts) + len(features))
        + scripts
        + features
        + lookups
    )


def read_tables(font: bytes) -> dict[bytes, bytes]:
    count = struct.unpack_from(">H", font, 4)[0]
    tables = {}
    for i in range(count):
        tag, _, offset, length = struct.unpack_from(">4sIII", font, 12 + 16 * i)
        tables[tag] = font[offset : offset + length]
    return tables


def write_tables(tables: dict[bytes, bytes]) -> bytes:
    """A TrueType font of these tables: the directory, each table's checksum and head's
    checkSumAdjustment made as the OpenType specification says."""
    head = tables[b"head"]
    tables = {**tables, b"head": head[:8] + b"\0\0\0\0" + head[12:]}  # checkSumAdjustment, set last
    power = 1 << (len(tables).bit_length() - 1)
    header = struct.pack(">IHHHH", 0x10000, len(tables), power * 16, power.bit_length() - 1, (len(tables) - power) * 16)
    offset = 12 + 16 * len(tables)
    directory, body, head_at = [], [], 0
    for tag in sorted(tables):
        table = tables[tag]
        padded = table + b"\0" * (-len(table) % 4)
        if tag == b"head":
            head_at = offset
        directory.append(struct.pack(">4sIII", tag, checksum(padded), offset, len(table)))
        body.append(padded)
        offset += len(padded)
    whole = header + b"".join(directory) + b"".join(body)
    adjustment = (0xB1B0AFBA - checksum(whole)) & 0xFFFFFFFF
    return whole[: head_at + 8] + struct.pack(">I", adjustment) + whole[head_at + 12 :]


def checksum(data: bytes) -> int:
    padded = data + b"\0" * (-len(data) % 4)
    words: tuple[int, ...] = struct.unpack(f">{len(padded) // 4}I", padded)
    return sum(words) & 0xFFFFFFFF


if __name__ == "__main__":
    LAST_RESORT.write_bytes(build())
