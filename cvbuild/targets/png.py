"""PNG previews: the pages of the Typst PDF, drawn by PDFium (cvbuild.raster).

The PDF is the one the pdf target just made, so `-f pdf,png` lays the document out once. A long
document's pages are shared with a helper process (`python -m cvbuild.raster`), as PDFium must
not draw in two threads of one process. The helper costs ~60-100 ms of CPU to start, a few
pages' worth, so it is started only for SPLIT_FROM pages or more, and never on one core.
"""

from __future__ import annotations

from typing import Any

from cvbuild.document.model import Document
from cvbuild.errors import RenderError
from cvbuild.limits import DEFAULT_LIMITS, exceeded
from cvbuild.raster import PageTooLarge, RasterError, helper_command, page_count, rasterise, read_frames
from cvbuild.targets.base import Artifact, RenderContext, theme_failure

PNG_PPI = 150
SPLIT_FROM = 16  # pages; below this a helper process costs more than it saves
HEAD_START = 4  # pages this process draws while the helper starts, beyond an even split


def render(fmt: str, doc: Document, ctx: RenderContext) -> list[Artifact]:
    """One artifact a page, `-1.png`, `-2.png`, …, at PNG_PPI."""
    from cvbuild.targets import typst_pdf

    pdf = typst_pdf.pdf_for(doc, ctx)
    limit = DEFAULT_LIMITS.png_page_pixels
    try:
        pages = draw_pages(pdf, PNG_PPI, limit, _cores())
    except PageTooLarge as exc:  # the page size is the theme's
        message = exceeded("png_page_pixels", limit, str(exc))
        raise theme_failure(ctx.theme, f"{ctx.theme.find(typst_pdf.TEMPLATE)}: {message}") from None
    except RasterError as exc:
        raise RenderError(str(exc)) from None
    return [Artifact(f"-{i}.png", page) for i, page in enumerate(pages, start=1)]


def draw_pages(pdf: bytes, ppi: int, max_pixels: int, cores: int, split_from: int = SPLIT_FROM) -> list[bytes]:
    """Every page as PNG; from `split_from` pages on, with `cores` > 1, the later pages are
    drawn by a helper process meanwhile. Whoever draws a page, its bytes are the same; if the
    helper fails in any way, this process draws its pages too."""
    count = page_count(pdf)
    mine = range(0, min(count, (count + 1) // 2 + HEAD_START))
    theirs = range(mine.stop, count)
    if cores < 2 or count < split_from or not theirs:
        return list(rasterise(pdf, ppi, max_pixels))
    import signal
    import subprocess
    from concurrent.futures import ThreadPoolExecutor

    try:
        helper = subprocess.Popen(
            helper_command(ppi, max_pixels, theirs),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
    except OSError:
        return list(rasterise(pdf, ppi, max_pixels))
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="cvbuild-png") as pool:
        stream = pool.submit(_collect, helper, pdf)
        try:
            drawn = list(rasterise(pdf, ppi, max_pixels, mine))
        except BaseException:
            helper.kill()  # this process failed: the helper's pages are wanted no more
            raise
        frames = read_frames(stream.result(), len(theirs)) if helper.wait() == 0 else None
    # Ctrl-C: the run stops anyway. Python dies of the SIGINT it re-raises (-2), or exits 130
    # when it cannot (the signal blocked in the mask it inherited), as a shell reports it.
    if frames is None and helper.returncode in (-signal.SIGINT, 128 + signal.SIGINT):
        raise RenderError("interrupted while drawing the PNG previews; nothing was written")
    return drawn + (frames if frames is not None else list(rasterise(pdf, ppi, max_pixels, theirs)))


def _collect(helper: Any, pdf: bytes) -> bytes:
    """What the helper writes, all of it (it is drained as it comes, so it never blocks)."""
    try:
        out, _ = helper.communicate(pdf)
    except (OSError, ValueError):  # it died before reading: the caller draws its pages
        return b""
    return bytes(out or b"")


def _cores() -> int:
    import os

    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS and Windows have no sched_getaffinity
        return os.cpu_count() or 1
