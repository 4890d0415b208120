"""Web fonts for the HTML page: the bundled faces a page uses, subset to its characters, as WOFF2.

Speed matters here (the HTML is part of the 0.5 s budget), so:
- subsetting uses HarfBuzz (libharfbuzz-subset, which WeasyPrint needs anyway) through ctypes:
  milliseconds per face, where fontTools needs 0.1-0.3 s per CFF face. fontTools is the
  fallback when the library cannot be loaded;
- the WOFF2 container is written here, with null transforms and Brotli quality 9: fontTools
  always compresses at quality 11, ~70 ms per face for ~12 % fewer bytes, and importing it
  costs another 60 ms;
- face names and weights are read straight from the sfnt tables.
Every step is deterministic, so a page always embeds the same bytes.
"""

from __future__ import annotations

import base64
import ctypes
import ctypes.util
import re
import struct
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path
from typing import BinaryIO, Protocol

from cvbuild.themes.fonts import font_coverage, is_cjk

# CSS family names the themes' stylesheets use. They are unique, so no installed font can answer
# for them: the page looks the same everywhere, and WeasyPrint never falls back to system fonts.
MAIN, MONO = "cv-main", "cv-mono"
FALLBACK_CSS = ("cv-fallback-1", "cv-fallback-2", "cv-fallback-3", "cv-fallback-4")
DEFAULT_FALLBACKS = ("Noto Sans CJK SC", "DejaVu Sans")  # as the Typst themes use them
MONO_FAMILY = "DejaVu Sans Mono"

# OpenType features a stylesheet can switch on, kept only when it does: HarfBuzz keeps the
# defaults (kern, liga, ...), and small caps alone would add ~20 % to a face.
CSS_FEATURES = {
    "small-caps": (b"smcp",),
    "all-small-caps": (b"smcp", b"c2sc"),
    "oldstyle-nums": (b"onum",),
    "lining-nums": (b"lnum",),
    "tabular-nums": (b"tnum",),
    "proportional-nums": (b"pnum",),
}
# Quality 5 is within 2 % of quality 9 here at a tenth of the time; 11 saves ~8 % for 100 ms a face.
BROTLI_QUALITY = 5
HB_NO_HINTING, HB_DESUBROUTINIZE = 0x1, 0x4  # hints mean little on screen; plain CFF compresses better

# WOFF2 spec, table 2: tags with a one-byte code.
_KNOWN = """cmap head hhea hmtx maxp name OS/2 post cvt_ fpgm glyf loca prep CFF_ VORG EBDT EBLC gasp hdmx
kern LTSH PCLT VDMX vhea vmtx BASE GDEF GPOS GSUB EBSC JSTF MATH CBDT CBLC COLR CPAL SVG_ sbix
acnt avar bdat bloc bsln cvar fdsc feat fmtx fvar gvar hsty just lcar mort morx opbd prop trak
Zapf Silf Glat Gloc Feat Sill"""
WOFF2_KNOWN_TAGS = tuple(t.replace("_", " ").encode("ascii") for t in _KNOWN.split())


@dataclass(frozen=True)
class Face:
    path: Path
    family: str
    weight: int
    italic: bool


@dataclass(frozen=True)
class PageText:
    """What a page shows: its characters, those inside <code>, the weights CSS asks for, italics."""

    chars: frozenset[str]
    code_chars: frozenset[str]
    weights: frozenset[int]
    italic: bool
    features: tuple[bytes, ...] = ()


@dataclass(frozen=True)
class Part:
    """One CSS family of the page: the faces that serve it and the characters they must hold."""

    css_family: str
    faces: tuple[Face, ...]
    chars: frozenset[str]
    features: tuple[bytes, ...] = ()


# ---- faces ------------------------------------------------------------------------------


def read_faces(paths: Iterable[Path]) -> list[Face]:
    """Family, weight and slant from each font's own tables, so themes need no font list."""
    faces = []
    for path in paths:
        if path.suffix.lower() in (".otf", ".ttf"):
            face = _sfnt_face(path)
            if face is not None:
                faces.append(face)
    return faces


def _sfnt_face(path: Path) -> Face | None:
    with path.open("rb") as fh:
        head = fh.read(12)
        if head[:4] not in (b"\x00\x01\x00\x00", b"OTTO", b"true"):
            return None
        (count,) = struct.unpack_from(">H", head, 4)
        tables = {tag: (offset, length) for tag, _, offset, length in struct.iter_unpack(">4sLLL", fh.read(16 * count))}
        if b"name" not in tables or b"OS/2" not in tables:
            return None
        name, os2 = (_read_at(fh, *tables[tag]) for tag in (b"name", b"OS/2"))
    names = _names(name)
    (weight,) = struct.unpack_from(">H", os2, 4)
    (fs_selection,) = struct.unpack_from(">H", os2, 62)
    return Face(path, names.get(16) or names.get(1) or path.stem, int(weight), bool(fs_selection & 1))


def _read_at(fh: BinaryIO, offset: int, length: int) -> bytes:
    fh.seek(offset)
    return fh.read(length)


def _names(table: bytes) -> dict[int, str]:
    """Windows Unicode names (platform 3), English first."""
    _, count, strings = struct.unpack_from(">HHH", table, 0)
    found: dict[int, tuple[int, str]] = {}
    for i in range(count):
        platform, encoding, lang, name_id, length, offset = struct.unpack_from(">6H", table, 6 + 12 * i)
        if platform == 3 and encoding in (0, 1, 10):
            raw = table[strings + offset : strings + offset + length]
            rank = 0 if lang == 0x409 else 1
            if name_id not in found or rank < found[name_id][0]:
                found[name_id] = (rank, raw.decode("utf-16-be", "replace"))
    return {k: v for k, (_, v) in found.items()}


def family_faces(faces: Sequence[Face], family: str) -> list[Face]:
    return [f for f in faces if f.family.casefold() == family.casefold()]


def pick_faces(faces: Sequence[Face], weights: Iterable[int], italic: bool) -> list[Face]:
    """The faces CSS font matching would pick for these weights, upright and (if used) italic."""
    chosen: set[Face] = set()
    for slant in (False, True) if italic else (False,):
        pool = [f for f in faces if f.italic == slant] or list(faces)
        for w in weights:
            chosen.add(min(pool, key=lambda f: (abs(f.weight - w), f.weight < w if w > 400 else f.weight > w)))
    return sorted(chosen, key=lambda f: (f.italic, f.weight, f.path.name))


def regular(faces: Sequence[Face]) -> Face:
    return min(faces, key=lambda f: (f.italic, abs(f.weight - 400), f.path.name))


# ---- the page ---------------------------------------------------------------------------

_WEIGHT_RE = re.compile(r"font-weight\s*:\s*(\d{3}|bold)", re.I)
_ITALIC_RE = re.compile(r"font-style\s*:\s*(?:italic|oblique)|<(?:em|i|cite|var|dfn)\b", re.I)
# Always present: digits and punctuation also appear through list markers and page counters.
ASCII = frozenset(chr(c) for c in range(0x20, 0x7F))
# Drawn by the engine, not written in the page: list bullets, the hyphen of `hyphens: auto`.
GENERATED = frozenset("\u2022\u25e6\u25aa\u2010\u00a0")
_HIDDEN = ("script", "style", "title")
_CODE = ("code", "kbd", "samp", "pre")


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.code: list[str] = []
        self.hidden = 0
        self.in_code = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.hidden += tag in _HIDDEN
        self.in_code += tag in _CODE

    def handle_endtag(self, tag: str) -> None:
        self.hidden -= tag in _HIDDEN and self.hidden > 0
        self.in_code -= tag in _CODE and self.in_code > 0

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.text.append(data)
            if self.in_code:
                self.code.append(data)


def page_text(html: str, css: str) -> PageText:
    """Everything the page can draw; both cases of each letter, for `text-transform` in themes."""
    parser = _TextCollector()
    parser.feed(html)
    parser.close()
    chars = set(ASCII | GENERATED)
    for ch in set("".join(parser.text) + css):  # CSS: generated `content` such as separators
        if ch.isprintable():
            chars.update(c for c in (ch, ch.upper(), ch.lower()) if len(c) == 1)
    code = frozenset("".join(parser.code))
    weights = {400, 700} | {700 if w.lower() == "bold" else int(w) for w in _WEIGHT_RE.findall(css)}
    features = {tag for word, tags in CSS_FEATURES.items() if re.search(rf"\b{word}\b", css) for tag in tags}
    return PageText(
        chars=frozenset(chars),
        code_chars=code | ASCII if code else frozenset(),
        weights=frozenset(weights),
        italic=bool(_ITALIC_RE.search(css) or _ITALIC_RE.search(html)),
        features=tuple(sorted(features)),
    )


def plan_fonts(faces: Sequence[Face], main: str, fallbacks: Sequence[str], page: PageText) -> list[Part]:
    """Each character goes to the first family that has it: the main font, then the fallbacks in
    order. A CJK family takes only CJK characters, so Latin pages never carry it."""
    main_faces = family_faces(faces, main)
    if not main_faces:
        raise LookupError(main)
    covered = font_coverage(regular(main_faces).path).covered(page.chars)
    parts = [Part(MAIN, tuple(pick_faces(main_faces, page.weights, page.italic)), frozenset(covered), page.features)]
    rest = set(page.chars) - covered
    for css_family, family in zip(FALLBACK_CSS, fallbacks, strict=False):
        members = family_faces(faces, family)
        if not rest or not members:
            continue
        wanted = {c for c in rest if is_cjk(c)} if "cjk" in family.casefold() else rest
        got = font_coverage(regular(members).path).covered(wanted)
        if got:
            chosen = tuple(pick_faces(members, page.weights, False))
            parts.append(Part(css_family, chosen, frozenset(got), page.features))
            rest -= got
    mono = family_faces(faces, MONO_FAMILY)
    if page.code_chars and mono:
        parts.append(Part(MONO, (regular(mono),), page.code_chars))
    return parts


def font_stack(fallbacks: Sequence[str]) -> str:
    """The CSS family list for body text: main font, then the fallbacks, as planned above."""
    return ", ".join([MAIN, *FALLBACK_CSS[: len(fallbacks)]])


# ---- subsetting -------------------------------------------------------------------------


class Subsetter(Protocol):
    def subset(self, path: Path, chars: Iterable[str], features: Iterable[bytes] = ()) -> bytes: ...


class HarfBuzz:
    """hb-subset through ctypes: a few milliseconds per face, even for the 16 MB CJK font."""

    def __init__(self, hb: ctypes.CDLL, hbs: ctypes.CDLL) -> None:
        vp, uint = ctypes.c_void_p, ctypes.c_uint
        signatures: list[tuple[ctypes.CDLL, str, type | None, list[type]]] = [
            (hb, "hb_blob_create_from_file", vp, [ctypes.c_char_p]),
            (hb, "hb_blob_destroy", None, [vp]),
            (hb, "hb_blob_get_data", ctypes.POINTER(ctypes.c_char), [vp, ctypes.POINTER(uint)]),
            (hb, "hb_face_create", vp, [vp, uint]),
            (hb, "hb_face_destroy", None, [vp]),
            (hb, "hb_face_reference_blob", vp, [vp]),
            (hb, "hb_set_add", None, [vp, ctypes.c_uint32]),
            (hb, "hb_tag_from_string", ctypes.c_uint32, [ctypes.c_char_p, ctypes.c_int]),
            (hbs, "hb_subset_input_create_or_fail", vp, []),
            (hbs, "hb_subset_input_destroy", None, [vp]),
            (hbs, "hb_subset_input_unicode_set", vp, [vp]),
            (hbs, "hb_subset_input_set", vp, [vp, ctypes.c_int]),
            (hbs, "hb_subset_input_set_flags", None, [vp, uint]),
            (hbs, "hb_subset_or_fail", vp, [vp, vp]),
        ]
        for lib, name, restype, argtypes in signatures:
            fn = getattr(lib, name)
            fn.restype, fn.argtypes = restype, argtypes
        self.hb, self.hbs = hb, hbs

    def subset(self, path: Path, chars: Iterable[str], features: Iterable[bytes] = ()) -> bytes:
        hb, hbs = self.hb, self.hbs
        blob = hb.hb_blob_create_from_file(str(path).encode())
        face = hb.hb_face_create(blob, 0)
        plan = hbs.hb_subset_input_create_or_fail()
        result = out = None
        try:
            unicodes = hbs.hb_subset_input_unicode_set(plan)
            for cp in sorted(ord(c) for c in chars):
                hb.hb_set_add(unicodes, cp)
            hbs.hb_subset_input_set_flags(plan, HB_NO_HINTING | HB_DESUBROUTINIZE)
            kept = hbs.hb_subset_input_set(plan, 6)  # HB_SUBSET_SETS_LAYOUT_FEATURE_TAG
            for tag in features:
                hb.hb_set_add(kept, hb.hb_tag_from_string(tag, -1))
            result = hbs.hb_subset_or_fail(face, plan)
            if not result:
                raise RuntimeError(f"HarfBuzz could not subset {path.name}")
            out = hb.hb_face_reference_blob(result)
            size = ctypes.c_uint()
            data = hb.hb_blob_get_data(out, ctypes.byref(size))
            return ctypes.string_at(data, size.value)
        finally:
            if out:
                hb.hb_blob_destroy(out)
            if result:
                hb.hb_face_destroy(result)
            hbs.hb_subset_input_destroy(plan)
            hb.hb_face_destroy(face)
            hb.hb_blob_destroy(blob)


class FontTools:
    """The portable fallback when libharfbuzz-subset cannot be loaded (slower, same result kind)."""

    def subset(self, path: Path, chars: Iterable[str], features: Iterable[bytes] = ()) -> bytes:
        import io

        from fontTools import subset
        from fontTools.ttLib import TTFont

        options = subset.Options()
        options.layout_features += [t.decode() for t in features]
        options.hinting = False
        options.desubroutinize = True
        with TTFont(path, lazy=True, recalcTimestamp=False) as font:
            subsetter = subset.Subsetter(options)
            subsetter.populate(unicodes=sorted(ord(c) for c in chars))
            subsetter.subset(font)
            out = io.BytesIO()
            font.save(out)
        return out.getvalue()


@lru_cache(maxsize=1)
def subsetter() -> Subsetter:
    """HarfBuzz when its subset library loads, else fontTools; loaded once per process."""
    hb = _load("libharfbuzz.so.0", "harfbuzz")
    hbs = _load("libharfbuzz-subset.so.0", "harfbuzz-subset")
    if hb is None or hbs is None:
        return FontTools()
    try:
        return HarfBuzz(hb, hbs)
    except AttributeError:  # a HarfBuzz too old to have these functions
        return FontTools()


def _load(soname: str, short: str) -> ctypes.CDLL | None:
    for name in (soname, ctypes.util.find_library(short)):
        if name:
            try:
                return ctypes.CDLL(name)
            except OSError:
                continue
    return None


# ---- WOFF2 ------------------------------------------------------------------------------


def woff2(sfnt: bytes, quality: int = BROTLI_QUALITY) -> bytes:
    """Wrap an sfnt in WOFF2 with null transforms (spec section 5.1): one Brotli stream."""
    import brotli  # type: ignore[import-untyped]

    flavor, count = struct.unpack_from(">4sH", sfnt, 0)
    tables: dict[bytes, bytes] = {}
    for i in range(count):
        tag, _, offset, length = struct.unpack_from(">4sLLL", sfnt, 12 + 16 * i)
        if tag != b"DSIG":  # a signature no longer matches once the font is re-encoded
            tables[tag] = sfnt[offset : offset + length]
    order = sorted(tables)
    if b"glyf" in tables and b"loca" in tables:  # loca must follow glyf
        order.remove(b"loca")
        order.insert(order.index(b"glyf") + 1, b"loca")
    directory = bytearray()
    for tag in order:
        index = WOFF2_KNOWN_TAGS.index(tag) if tag in WOFF2_KNOWN_TAGS else 63
        null_transform = 3 if tag in (b"glyf", b"loca") else 0
        directory.append(index | null_transform << 6)
        if index == 63:
            directory += tag
        directory += _base128(len(tables[tag]))
    stream: bytes = brotli.compress(b"".join(tables[t] for t in order), mode=brotli.MODE_FONT, quality=quality)
    sfnt_size = 12 + 16 * len(order) + sum((len(tables[t]) + 3) & ~3 for t in order)
    length = 48 + len(directory) + len(stream)
    length += -length % 4
    header = struct.pack(
        ">4s4sLHHLLHHLLLLL", b"wOF2", flavor, length, len(order), 0, sfnt_size, len(stream), 1, 0, 0, 0, 0, 0, 0
    )
    return (header + bytes(directory) + stream).ljust(length, b"\0")


def _base128(n: int) -> bytes:
    out = [n & 0x7F]
    n >>= 7
    while n:
        out.append(0x80 | (n & 0x7F))
        n >>= 7
    return bytes(reversed(out))


# ---- CSS --------------------------------------------------------------------------------


def face_css(css_family: str, face: Face, data: bytes) -> str:
    encoded = base64.b64encode(data).decode("ascii")
    style = "italic" if face.italic else "normal"
    return (
        f'@font-face{{font-family:"{css_family}";font-weight:{face.weight};font-style:{style};'
        f'font-display:swap;src:url(data:font/woff2;base64,{encoded}) format("woff2")}}'
    )


def font_face_css(parts: Sequence[Part], tool: Subsetter | None = None) -> str:
    """Every @font-face rule of the page, one line each."""
    tool = tool or subsetter()
    return "\n".join(
        face_css(part.css_family, face, woff2(tool.subset(face.path, part.chars, part.features)))
        for part in parts
        for face in part.faces
    )
