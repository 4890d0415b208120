"""PDF pages to PNG: PDFium draws, ISA-L's deflate compresses, this module writes the PNG.

Typst's own PNG export draws and encodes each page in one thread, ~60-100 ms of CPU a page at
150 ppi. PDFium (the library pypdfium2 ships; pdfplumber brings it anyway) draws a page in
~15-20 ms, and ISA-L's deflate (isal) compresses its pixels in ~6 ms where zlib or Pillow take
25-150 ms. This module imports nothing of cvbuild's heavier parts (pydantic, Typst, Jinja), so
a helper process that draws half the pages of a long document (`python -m cvbuild.raster`)
starts in about the time of a bare Python.
"""

from __future__ import annotations

import binascii
import math
import struct
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the helper process imports only what drawing needs
    from collections.abc import Iterator
    from typing import Any

# ISA-L levels run 0-3; 1 gives files ~20% larger than zlib's level 6 at a fifth of zlib's level 1 time.
DEFLATE_LEVEL = 1
_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_RGB = 2  # PNG colour type: 8-bit red, green, blue


class RasterError(Exception):
    """PDFium could not read or draw the PDF."""


class PageTooLarge(RasterError):
    """A page with more pixels than allowed (the limit png_page_pixels)."""


def page_count(pdf: bytes) -> int:
    lib = pdfium()
    document = _open(lib, pdf)
    try:
        count: int = lib.FPDF_GetPageCount(document)
        return count
    finally:
        lib.FPDF_CloseDocument(document)


def rasterise(pdf: bytes, ppi: int, max_pixels: int, pages: range | None = None) -> Iterator[bytes]:
    """Each page of `pdf` (or those in `pages`, counted from 0) as PNG bytes, white behind it,
    no alpha; a page of more than `max_pixels` raises PageTooLarge. Not thread-safe: PDFium
    must not be used by two threads of a process at once (the pipeline renders the Typst
    formats in one thread; a helper process draws in its own)."""
    lib = pdfium()
    document = _open(lib, pdf)  # reads `pdf` in place: it outlives `document`
    rows: bytearray | None = None  # the pixels, kept for the next page of the same size
    try:
        for index in range(lib.FPDF_GetPageCount(document)) if pages is None else pages:
            saved = _default_float_environment()  # the caller's is back at each yield
            try:
                page = lib.FPDF_LoadPage(document, index)
                if not page:
                    raise RasterError(f"cannot read page {index + 1} of the PDF to make its PNG preview")
                try:
                    drawn, rows = _draw(lib, page, ppi, max_pixels, rows)
                finally:
                    lib.FPDF_ClosePage(page)
            finally:
                _restore_float_environment(saved)
            yield drawn
    finally:
        lib.FPDF_CloseDocument(document)


def _open(lib: Any, pdf: bytes) -> int:
    document: int | None = lib.FPDF_LoadMemDocument64(pdf, len(pdf), None)
    if not document:
        raise RasterError(f"cannot read back the PDF to make PNG previews (PDFium error {lib.FPDF_GetLastError()})")
    return document


def _draw(lib: Any, page: int, ppi: int, max_pixels: int, rows: bytearray | None = None) -> tuple[bytes, bytearray]:
    """The page as PNG, and the buffer it was drawn in. PNG rows each start with a filter byte.
    PDFium draws into a buffer whose rows are one byte longer, starting one byte in, so the pixels
    already lie as PNG rows and need no copy; the filter bytes (0: none) are set after drawing, as
    PDFium may use a row's spare byte.

    The buffer of the page before (`rows`) is drawn in again when the size is the same: a new one
    is fresh memory, and the kernel's zeroed pages for its 6.5 MB (A4 at 150 ppi) cost ~3-10 ms a
    page, more than the drawing of a CV page's text. It starts as a new one would: every pixel is
    filled white before drawing, the filter bytes are 0 since the page before, and the one byte
    after the last row is set to 0."""
    import ctypes

    width = max(1, math.ceil(lib.FPDF_GetPageWidthF(page) * ppi / 72))
    height = max(1, math.ceil(lib.FPDF_GetPageHeightF(page) * ppi / 72))
    if width * height > max_pixels:
        raise PageTooLarge(f"a page of {width:,} x {height:,} pixels at {ppi} ppi")
    stride = width * 3 + 1
    if rows is None or len(rows) != stride * height + 1:
        rows = bytearray(stride * height + 1)
    rows[-1] = 0
    buffer = (ctypes.c_ubyte * (stride * height)).from_buffer(rows, 1)
    bitmap = lib.FPDFBitmap_CreateEx(width, height, _BGR, buffer, stride)
    if not bitmap:
        raise RasterError("PDFium could not make a bitmap for a PNG preview")
    try:
        lib.FPDFBitmap_FillRect(bitmap, 0, 0, width, height, 0xFFFFFFFF)
        lib.FPDF_RenderPageBitmap(bitmap, page, 0, 0, width, height, 0, _REVERSE_BYTE_ORDER)  # no annotations
    finally:
        lib.FPDFBitmap_Destroy(bitmap)
    del buffer
    rows[0 : stride * height : stride] = bytes(height)
    with memoryview(rows) as view:  # released before the buffer is drawn in again
        return png_bytes(width, height, view[: stride * height], ppi), rows


def _default_float_environment() -> Any:
    """The thread's floating-point environment, saved, and the default one set: a page's size in
    pixels and PDFium's drawing depend on it (under another rounding mode every page of the
    example differs), and a process may have changed it (a library built with -ffast-math sets
    flush-to-zero on load; greenlet, which Playwright's sync API runs on, restores each greenlet's
    own on every switch). So a page is drawn alike in any process. None where it is not known how
    (outside Linux)."""
    import ctypes

    libc = _libc()
    if libc is None:
        return None
    saved = ctypes.create_string_buffer(_FENV_BYTES)
    if libc.fegetenv(saved) != 0 or libc.fesetenv(_FE_DFL_ENV) != 0:
        return None
    return saved


def _restore_float_environment(saved: Any) -> None:
    libc = _libc()
    if saved is not None and libc is not None:
        libc.fesetenv(saved)


_FENV_BYTES = 512  # room for any platform's fenv_t (glibc x86-64: 32 bytes, macOS arm64: 16)


def _libc() -> Any:
    """The process's own C library (with libm's fegetenv / fesetenv), or None."""
    global _LIBC
    if _LIBC is False:
        import ctypes
        import sys

        found: Any = None
        if sys.platform.startswith("linux"):  # glibc and musl: FE_DFL_ENV is ((const fenv_t *) -1)
            try:
                found = ctypes.PyDLL(None)  # microseconds: keep the GIL (see `pdfium`)
                found.fegetenv.argtypes = found.fesetenv.argtypes = (ctypes.c_void_p,)
            except (OSError, AttributeError):
                found = None
        _LIBC = found
    return _LIBC


_LIBC: Any = False  # not looked up yet
_FE_DFL_ENV = -1  # glibc's and musl's FE_DFL_ENV, as a pointer


_BGR = 2  # FPDFBitmap_BGR; with FPDF_REVERSE_BYTE_ORDER, PDFium writes red, green, blue
_REVERSE_BYTE_ORDER = 0x10


_LONG_CALLS = frozenset({"FPDF_RenderPageBitmap"})  # the calls that let go of the GIL


def pdfium() -> Any:
    """PDFium, the library pypdfium2 ships, bound with just the calls drawing a page needs.
    pypdfium2's own bindings declare all of PDFium's ~1,000 functions on import (30-45 ms, a
    fifth of the previews of a two-page CV); these few cost nothing."""
    import ctypes
    import importlib.util
    import os
    import sys
    import types

    spec = importlib.util.find_spec("pypdfium2_raw")
    if spec is None or spec.origin is None:
        raise RasterError("PNG previews need pypdfium2, which is not installed: pip install pypdfium2")
    if sys.platform.startswith(("win32", "cygwin", "msys")):
        name = "pdfium.dll"
    else:
        name = "libpdfium.dylib" if sys.platform.startswith(("darwin", "ios")) else "libpdfium.so"
    path = os.path.join(os.path.dirname(spec.origin), name)
    try:
        # Two bindings of the one library: a ctypes call lets go of the GIL, and a thread drawing
        # beside the HTML page (the pipeline's worker) then waits for it back, up to the 5 ms
        # switch interval, at each call. Only the drawing itself is long enough to be worth it
        # (~10-20 ms a page); the other calls (microseconds) keep the GIL (PyDLL): a two-page
        # CV's previews took ~90 ms instead of ~30 while the page was being made.
        released, held = ctypes.CDLL(path), ctypes.PyDLL(path)
    except OSError as exc:
        raise RasterError(f"cannot load PDFium from pypdfium2 for the PNG previews: {exc}") from None
    lib = types.SimpleNamespace()  # the calls, each from the binding it needs
    void, handle, i32 = ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int
    for function, restype, argtypes in (
        ("FPDF_InitLibrary", None, ()),
        ("FPDF_GetLastError", ctypes.c_ulong, ()),
        ("FPDF_LoadMemDocument64", handle, (void, ctypes.c_size_t, ctypes.c_char_p)),
        ("FPDF_GetPageCount", i32, (handle,)),
        ("FPDF_CloseDocument", None, (handle,)),
        ("FPDF_LoadPage", handle, (handle, i32)),
        ("FPDF_ClosePage", None, (handle,)),
        ("FPDF_GetPageWidthF", ctypes.c_float, (handle,)),
        ("FPDF_GetPageHeightF", ctypes.c_float, (handle,)),
        ("FPDFBitmap_CreateEx", handle, (i32, i32, i32, void, i32)),
        ("FPDFBitmap_FillRect", i32, (handle, i32, i32, i32, i32, ctypes.c_ulong)),
        ("FPDF_RenderPageBitmap", None, (handle, handle, i32, i32, i32, i32, i32, i32)),
        ("FPDFBitmap_Destroy", None, (handle,)),
    ):
        call = getattr(released if function in _LONG_CALLS else held, function)
        call.restype = restype
        call.argtypes = argtypes
        setattr(lib, function, call)
    lib.FPDF_InitLibrary()  # once a process: PDFium ignores the calls after the first
    return lib


def png_bytes(width: int, height: int, scanlines: bytes | memoryview, ppi: int) -> bytes:
    """An 8-bit RGB PNG of `scanlines` (each row: a filter byte, then its pixels)."""
    from isal import isal_zlib

    pixels_per_metre = round(ppi / 0.0254)
    return b"".join(
        (
            _SIGNATURE,
            _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, _RGB, 0, 0, 0)),
            _chunk(b"pHYs", struct.pack(">IIB", pixels_per_metre, pixels_per_metre, 1)),
            _chunk(b"IDAT", isal_zlib.compress(scanlines, DEFLATE_LEVEL)),
            _chunk(b"IEND", b""),
        )
    )


def _chunk(kind: bytes, body: bytes) -> bytes:
    # binascii's CRC-32 is zlib's, but keeps the GIL: zlib.crc32 lets go of it above 5 KB and the
    # drawing thread then waits to get it back (see `pdfium`); ~0.3 ms for a page's pixels.
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", binascii.crc32(body, binascii.crc32(kind)))


# ---- the helper process -----------------------------------------------------------------------
# `python -m cvbuild.raster PPI MAX_PIXELS FIRST STOP` reads a PDF on stdin and writes the PNGs of pages
# FIRST..STOP-1 to stdout, each as an 8-byte length and the bytes. It writes no file: a helper
# that crashes or is interrupted leaves only a short stream, which the caller throws away.


def helper_command(ppi: int, max_pixels: int, pages: range) -> list[str]:
    """-P: the working folder must not shadow cvbuild's modules."""
    import sys

    return [sys.executable, "-P", "-m", "cvbuild.raster", *(str(n) for n in (ppi, max_pixels, pages.start, pages.stop))]


def read_frames(stream: bytes, expected: int) -> list[bytes] | None:
    """The PNGs a helper wrote, or None when it stopped short or wrote anything else."""
    frames, at = [], 0
    while at < len(stream):
        size = int.from_bytes(stream[at : at + 8], "big")
        frame = stream[at + 8 : at + 8 + size]
        if len(frame) != size or not frame.startswith(_SIGNATURE):
            return None
        frames.append(frame)
        at += 8 + size
    return frames if len(frames) == expected else None


def main(argv: list[str] | None = None) -> int:
    import sys

    ppi, max_pixels, first, stop = (int(a) for a in (sys.argv[1:] if argv is None else argv))
    pdf = sys.stdin.buffer.read()
    out = sys.stdout.buffer
    for png in rasterise(pdf, ppi, max_pixels, range(first, stop)):
        out.write(len(png).to_bytes(8, "big"))
        out.write(png)
    out.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
