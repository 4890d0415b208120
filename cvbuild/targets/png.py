"""PNG previews: the pages of the Typst PDF, rasterised by PDFium and encoded here.

Typst's own PNG export draws and encodes each page in one thread, ~60-100 ms of CPU a page at
150 ppi. PDFium (pypdfium2, which pdfplumber brings anyway) draws a page in ~20 ms, and ISA-L's
deflate (isal) compresses its pixels in ~6 ms where zlib or Pillow take 25-150 ms; the PDF
itself is the one the pdf target just made, so `-f pdf,png` lays the document out once.
"""

from __future__ import annotations

import math
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from cvbuild.document.model import Document
from cvbuild.errors import RenderError
from cvbuild.limits import DEFAULT_LIMITS, exceeded
from cvbuild.targets.base import Artifact, RenderContext, theme_failure

PNG_PPI = 150
# ISA-L levels run 0-3; 1 gives files ~20% larger than zlib's level 6 at a fifth of zlib's level 1 time.
DEFLATE_LEVEL = 1
_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_RGB = 2  # PNG colour type: 8-bit red, green, blue


def render(fmt: str, doc: Document, ctx: RenderContext) -> list[Artifact]:
    """One artifact a page, `-1.png`, `-2.png`, …, at PNG_PPI."""
    from cvbuild.targets import typst_pdf

    pdf = typst_pdf.pdf_for(doc, ctx)
    try:
        pages = list(rasterise(pdf, PNG_PPI))
    except PageTooLarge as exc:  # the page size is the theme's
        raise theme_failure(ctx.theme, f"{ctx.theme.find(typst_pdf.TEMPLATE)}: {exc}") from None
    return [Artifact(f"-{i}.png", page) for i, page in enumerate(pages, start=1)]


class PageTooLarge(RenderError):
    """A page with more pixels than the limit png_page_pixels."""


def rasterise(pdf: bytes, ppi: int) -> Iterator[bytes]:
    """Each page of `pdf` as PNG bytes, white behind it, no alpha. Not thread-safe: PDFium
    must not be used by two threads at once (the pipeline renders Typst formats in one)."""
    lib = pdfium()
    document = lib.FPDF_LoadMemDocument64(pdf, len(pdf), None)  # reads `pdf` in place: it outlives `document`
    if not document:
        raise RenderError(f"cannot read back the PDF to make PNG previews (PDFium error {lib.FPDF_GetLastError()})")
    try:
        for index in range(lib.FPDF_GetPageCount(document)):
            page = lib.FPDF_LoadPage(document, index)
            if not page:
                raise RenderError(f"cannot read page {index + 1} of the PDF to make its PNG preview")
            try:
                yield _draw(lib, page, ppi)
            finally:
                lib.FPDF_ClosePage(page)
    finally:
        lib.FPDF_CloseDocument(document)


def _draw(lib: Any, page: int, ppi: int) -> bytes:
    """PNG rows each start with a filter byte. PDFium draws into a buffer whose rows are one
    byte longer, starting one byte in, so the pixels already lie as PNG rows and need no copy;
    the filter bytes (0: none) are set after drawing, as PDFium may use a row's spare byte."""
    import ctypes

    width = max(1, math.ceil(lib.FPDF_GetPageWidthF(page) * ppi / 72))
    height = max(1, math.ceil(lib.FPDF_GetPageHeightF(page) * ppi / 72))
    if width * height > DEFAULT_LIMITS.png_page_pixels:
        what = f"a page of {width:,} x {height:,} pixels at {ppi} ppi"
        raise PageTooLarge(exceeded("png_page_pixels", DEFAULT_LIMITS.png_page_pixels, what))
    stride = width * 3 + 1
    rows = bytearray(stride * height + 1)
    buffer = (ctypes.c_ubyte * (stride * height)).from_buffer(rows, 1)
    bitmap = lib.FPDFBitmap_CreateEx(width, height, _BGR, buffer, stride)
    if not bitmap:
        raise RenderError("PDFium could not make a bitmap for a PNG preview")
    try:
        lib.FPDFBitmap_FillRect(bitmap, 0, 0, width, height, 0xFFFFFFFF)
        lib.FPDF_RenderPageBitmap(bitmap, page, 0, 0, width, height, 0, _REVERSE_BYTE_ORDER)  # no annotations
    finally:
        lib.FPDFBitmap_Destroy(bitmap)
    del buffer
    rows[0 : stride * height : stride] = bytes(height)
    return png_bytes(width, height, memoryview(rows)[: stride * height], ppi)


_BGR = 2  # FPDFBitmap_BGR; with FPDF_REVERSE_BYTE_ORDER, PDFium writes red, green, blue
_REVERSE_BYTE_ORDER = 0x10


def pdfium() -> Any:
    """PDFium, the library pypdfium2 ships, bound with just the calls drawing a page needs.
    pypdfium2's own bindings declare all of PDFium's ~1,000 functions on import (30-45 ms, a
    fifth of the previews of a two-page CV); these few cost nothing."""
    import ctypes
    import importlib.util
    import sys

    spec = importlib.util.find_spec("pypdfium2_raw")
    if spec is None or spec.origin is None:
        raise RenderError("PNG previews need pypdfium2, which is not installed: pip install pypdfium2")
    if sys.platform.startswith(("win32", "cygwin", "msys")):
        name = "pdfium.dll"
    else:
        name = "libpdfium.dylib" if sys.platform.startswith(("darwin", "ios")) else "libpdfium.so"
    try:
        lib = ctypes.CDLL(str(Path(spec.origin).parent / name))
    except OSError as exc:
        raise RenderError(f"cannot load PDFium from pypdfium2 for the PNG previews: {exc}") from None
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
        getattr(lib, function).restype = restype
        getattr(lib, function).argtypes = argtypes
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
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(body, zlib.crc32(kind)))
