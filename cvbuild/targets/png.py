"""PNG previews: the pages of the Typst PDF, rasterised by PDFium and encoded here.

Typst's own PNG export draws and encodes each page in one thread, ~60-100 ms of CPU a page at
150 ppi. PDFium (pypdfium2, which pdfplumber brings anyway) draws a page in ~20 ms, and ISA-L's
deflate (isal) compresses its pixels in ~6 ms where zlib or Pillow take 25-150 ms; the PDF
itself is the one the pdf target just made, so `-f pdf,png` lays the document out once.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator
from typing import Any

from cvbuild.document.model import Document
from cvbuild.errors import RenderError
from cvbuild.targets.base import Artifact, RenderContext

PNG_PPI = 150
# ISA-L levels run 0-3; 1 gives files ~20% larger than zlib's level 6 at a fifth of zlib's level 1 time.
DEFLATE_LEVEL = 1
_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_RGB = 2  # PNG colour type: 8-bit red, green, blue


def render(fmt: str, doc: Document, ctx: RenderContext) -> list[Artifact]:
    """One artifact a page, `-1.png`, `-2.png`, …, at PNG_PPI."""
    from cvbuild.targets import typst_pdf

    pdf = typst_pdf.pdf_for(doc, ctx)
    return [Artifact(f"-{i}.png", page) for i, page in enumerate(rasterise(pdf, PNG_PPI), start=1)]


def rasterise(pdf: bytes, ppi: int) -> Iterator[bytes]:
    """Each page of `pdf` as PNG bytes, white behind it, no alpha. Not thread-safe: PDFium
    must not be used by two threads at once (the pipeline renders Typst formats in one)."""
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(pdf)
    except pdfium.PdfiumError as exc:
        raise RenderError(f"cannot read back the PDF to make PNG previews: {exc}") from None
    try:
        for index in range(len(document)):
            page = document[index]
            try:
                yield _draw(page, ppi)
            finally:
                page.close()
    finally:
        document.close()


def _draw(page: Any, ppi: int) -> bytes:
    """PNG rows each start with a filter byte. PDFium draws into a buffer whose rows are one
    byte longer, starting one byte in, so the pixels already lie as PNG rows and need no copy;
    the filter bytes (0: none) are set after drawing, as PDFium may use a row's spare byte."""
    import ctypes

    import pypdfium2 as pdfium

    made: list[tuple[bytearray, int, int]] = []

    def bitmap(width: int, height: int, format: int, rev_byteorder: bool) -> Any:
        rows = bytearray((width * 3 + 1) * height + 1)
        made.append((rows, width, height))
        buffer = (ctypes.c_ubyte * (len(rows) - 1)).from_buffer(rows, 1)
        return pdfium.PdfBitmap.new_native(width, height, format, rev_byteorder, buffer=buffer, stride=width * 3 + 1)

    page.render(
        scale=ppi / 72,
        rev_byteorder=True,  # RGB, as PNG stores it
        may_draw_forms=False,
        draw_annots=False,  # Typst's link annotations draw nothing
        bitmap_maker=bitmap,
    ).close()
    rows, width, height = made[0]
    stride = width * 3 + 1
    rows[0 : stride * height : stride] = bytes(height)
    return png_bytes(width, height, memoryview(rows)[: stride * height], ppi)


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
