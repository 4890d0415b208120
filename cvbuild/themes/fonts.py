"""Where a theme's fonts come from, and whether they can draw every character of a Document.

Fonts come from the theme chain's `fonts/` folders, then the optional CJK package
(`pip install cvbuild[cjk]`). The compilers never see system fonts, so what is checked here is
exactly what a PDF can use.
"""

from __future__ import annotations

import importlib.util
import mmap
import struct
import unicodedata
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from cvbuild.themes.theme import Theme

FONT_SUFFIXES = (".otf", ".ttf", ".ttc", ".woff", ".woff2")

# Characters that need no glyph: controls, format characters (ZWJ, soft hyphen), unassigned code
# points and separators (the engine sets spaces itself).
_SKIP_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "Zs", "Zl", "Zp"}
# Document fields that are never drawn as text.
_SKIP_KEYS = {"url", "href", "options", "kind", "id", "start", "end", "locale", "generator", "highlight", "counts"}


def cjk_font_dir() -> Path | None:
    """Noto Sans CJK from `pip install cvbuild[cjk]`, when installed."""
    spec = importlib.util.find_spec("cvbuild_fonts_cjk")
    if spec is None or spec.origin is None:
        return None
    return Path(spec.origin).resolve().parent


def font_dirs(theme: Theme) -> list[Path]:
    """Every folder whose fonts the compilers may use; system fonts are never consulted."""
    dirs = theme.font_dirs()
    cjk = cjk_font_dir()
    if cjk is not None:
        dirs.append(cjk)
    return dirs


def font_files(theme: Theme) -> list[Path]:
    return [p for d in font_dirs(theme) for p in sorted(d.iterdir()) if p.suffix.lower() in FONT_SUFFIXES]


# ---- coverage -------------------------------------------------------------------------------


def document_chars(data: Any) -> set[str]:
    """Every character a template may draw: the strings of a dumped Document, minus URLs and ids."""
    chars: set[str] = set()
    for text in _strings(data):
        chars.update(text)
    return {c for c in chars if _needs_glyph(c)}


def _strings(data: Any) -> Iterator[str]:
    if isinstance(data, str):
        yield data
    elif isinstance(data, dict):
        for key, value in data.items():
            if key not in _SKIP_KEYS:
                yield from _strings(value)
    elif isinstance(data, list):
        for item in data:
            yield from _strings(item)


def _needs_glyph(char: str) -> bool:
    code = ord(char)
    if 0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF:  # variation selectors
        return False
    return unicodedata.category(char) not in _SKIP_CATEGORIES


def uncovered(chars: Iterable[str], fonts: Iterable[Path]) -> list[str]:
    """The characters no font draws. Fonts are asked in order, each only about what is still
    missing, so the big CJK font (last) is opened only for what the Latin fonts lack."""
    missing = set(chars)
    for path in fonts:
        if not missing:
            break
        missing -= font_coverage(path).covered(missing)
    return sorted(missing)


def coverage_warning(missing: list[str], *, cjk_installed: bool) -> str:
    """A message naming the characters and the fix."""
    shown = " ".join(f"{c!r} (U+{ord(c):04X})" for c in missing[:12])
    more = f" and {len(missing) - 12} more" if len(missing) > 12 else ""
    fixes = []
    if not cjk_installed and any(is_cjk(c) for c in missing):
        fixes.append("install cvbuild[cjk] (pip install 'cvbuild[cjk]') for Chinese, Japanese and Korean")
    fixes.append(
        "put a font that covers them into the fonts/ folder of a theme that extends this one "
        "and name its family in the theme option fallback_fonts"
    )
    fix = "; or ".join(fixes)
    return f"characters not covered by the theme's fonts: {shown}{more}; they would print as empty boxes. Fix: {fix}"


def is_cjk(char: str) -> bool:
    code = ord(char)
    return (
        0x1100 <= code <= 0x11FF  # Hangul Jamo
        or 0x2E80 <= code <= 0x9FFF  # radicals, kana, CJK symbols, unified ideographs
        or 0xAC00 <= code <= 0xD7AF  # Hangul syllables
        or 0xF900 <= code <= 0xFAFF  # compatibility ideographs
        or 0xFF00 <= code <= 0xFFEF  # half- and full-width forms
        or 0x20000 <= code <= 0x3FFFF  # ideograph extensions
    )


# ---- cmap reading -----------------------------------------------------------------------------
# fontTools needs ~40 ms to import and ~75 ms to decode the CJK font's cmap: a third of the render
# budget. An sfnt cmap is sorted, so a binary search over a memory map answers "has a glyph?" in
# microseconds without decoding anything. fontTools stays the fallback for WOFF and rare formats.


class Coverage:
    """Answers `covered(chars)` for one font file."""

    def covered(self, chars: Iterable[str]) -> set[str]:
        raise NotImplementedError


_CACHE: dict[Path, Coverage] = {}


def font_coverage(path: Path) -> Coverage:
    """One coverage reader per font file for the life of the process (watch mode renders often)."""
    cov = _CACHE.get(path)
    if cov is None:
        try:
            cov = SfntCmap.open(path)
        except (_UnsupportedError, OSError, struct.error, ValueError):
            cov = FontToolsCmap(path)
        _CACHE[path] = cov
    return cov


class _UnsupportedError(Exception):
    """Not a plain sfnt with a format 4 or 12 Unicode cmap."""


class SfntCmap(Coverage):
    """A format 12 (full Unicode) or format 4 (BMP) cmap subtable, read in place."""

    def __init__(self, buf: mmap.mmap, fmt: int, offset: int) -> None:
        self.buf, self.fmt, self.offset = buf, fmt, offset
        if fmt == 12:
            (self.n_groups,) = struct.unpack_from(">I", buf, offset + 12)
        else:
            (seg_x2,) = struct.unpack_from(">H", buf, offset + 6)
            self.n_segs = seg_x2 // 2
            self.ends = struct.unpack_from(f">{self.n_segs}H", buf, offset + 14)

    @classmethod
    def open(cls, path: Path) -> SfntCmap:
        with path.open("rb") as fh:
            buf = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
        font = 0
        if buf[:4] == b"ttcf":  # a collection: its first face stands for the file
            (font,) = struct.unpack_from(">I", buf, 12)
        fmt, offset = _best_subtable(buf, _table(buf, font, b"cmap"))
        return cls(buf, fmt, offset)

    def covered(self, chars: Iterable[str]) -> set[str]:
        glyph = self._glyph12 if self.fmt == 12 else self._glyph4
        return {c for c in chars if glyph(ord(c))}

    def _glyph12(self, code: int) -> int:
        lo, hi, base = 0, self.n_groups, self.offset + 16
        while lo < hi:  # groups are sorted by start code and do not overlap
            mid = (lo + hi) // 2
            start, end, first = struct.unpack_from(">III", self.buf, base + 12 * mid)
            if code < start:
                hi = mid
            elif code > end:
                lo = mid + 1
            else:
                return int(first + code - start)
        return 0

    def _glyph4(self, code: int) -> int:
        i = bisect_left(self.ends, code)
        if code > 0xFFFF or i >= self.n_segs:
            return 0
        n, base = self.n_segs, self.offset + 14  # endCode[n], pad, startCode[n], idDelta[n], idRangeOffset[n]
        (start,) = struct.unpack_from(">H", self.buf, base + 2 * n + 2 + 2 * i)
        (delta,) = struct.unpack_from(">h", self.buf, base + 4 * n + 2 + 2 * i)
        range_at = base + 6 * n + 2 + 2 * i
        (range_offset,) = struct.unpack_from(">H", self.buf, range_at)
        if code < start:
            return 0
        if range_offset == 0:
            return int(code + delta) & 0xFFFF
        (gid,) = struct.unpack_from(">H", self.buf, range_at + range_offset + 2 * (code - start))
        return int(gid + delta) & 0xFFFF if gid else 0


def _table(buf: mmap.mmap, font: int, tag: bytes) -> int:
    (num_tables,) = struct.unpack_from(">H", buf, font + 4)
    for i in range(num_tables):
        rec_tag, _checksum, offset, _length = struct.unpack_from(">4sIII", buf, font + 12 + 16 * i)
        if rec_tag == tag:
            return int(offset)
    raise _UnsupportedError(tag)


def _best_subtable(buf: mmap.mmap, cmap: int) -> tuple[int, int]:
    """Prefer the full-Unicode format 12 subtable, then the BMP format 4 one, as shapers do."""
    (count,) = struct.unpack_from(">H", buf, cmap + 2)
    found: dict[int, int] = {}
    for i in range(count):
        platform, encoding, offset = struct.unpack_from(">HHI", buf, cmap + 4 + 8 * i)
        if (platform, encoding) in {(3, 10), (3, 1), (0, 3), (0, 4), (0, 6)}:
            (fmt,) = struct.unpack_from(">H", buf, cmap + offset)
            found.setdefault(fmt, cmap + offset)
    for fmt in (12, 4):
        if fmt in found:
            return fmt, found[fmt]
    raise _UnsupportedError("cmap format")


class FontToolsCmap(Coverage):
    """WOFF, WOFF2 and unusual cmaps: slower, but complete."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._codes: set[int] | None = None

    def covered(self, chars: Iterable[str]) -> set[str]:
        if self._codes is None:
            from fontTools.ttLib import TTFont

            try:
                with TTFont(self.path, lazy=True, fontNumber=0) as font:
                    self._codes = set(font.getBestCmap() or {})
            except Exception:  # an unreadable font covers nothing; Typst says more if it matters
                self._codes = set()
        return {c for c in chars if ord(c) in self._codes}
