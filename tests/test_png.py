"""PNG previews (targets/png.py, raster.py): PDFium draws the Typst PDF's pages as RGB PNGs."""

from __future__ import annotations

import datetime as dt
import io
import sys
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pytest
from conftest import EXAMPLE, RESUME
from PIL import Image

from cvbuild import raster
from cvbuild.document.model import Document
from cvbuild.errors import RenderError
from cvbuild.loading.profile import load_profile
from cvbuild.pipeline import RenderRequest, build_for, documents_to_render
from cvbuild.targets import png, typst_pdf
from cvbuild.targets.base import RenderContext, render_format, render_formats
from cvbuild.themes.theme import Theme, load_theme

DAY = dt.date(2026, 1, 1)
THEMES = {"cv": "classic", "resume": "modern"}  # of the example's and the resume's first variants
LIMIT = 100_000_000


def built(profile: Path) -> tuple[Theme, Document]:
    """The theme and Document of the profile's first variant, as `cvbuild render` builds them."""
    prof, _ = load_profile(profile)
    name, spec = documents_to_render(prof, None)[0]
    found: tuple[Theme, Document] = build_for(prof, name, spec, RenderRequest(profile=profile), DAY)
    return found


@pytest.fixture(scope="module")
def example() -> Document:
    return built(EXAMPLE)[1]


def context(doc: Document, cache: dict[Any, Any] | None = None) -> RenderContext:
    theme = load_theme(THEMES[doc.meta.document], EXAMPLE.parent)
    return RenderContext(theme, DAY, EXAMPLE.parent, options=doc.options, cache={} if cache is None else cache)


def decode(data: bytes) -> Image.Image:
    with Image.open(io.BytesIO(data)) as image:
        return image.copy()  # with its info (dpi)


@pytest.fixture
def compiles(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The formats Typst is asked to compile, in order."""
    calls: list[str] = []
    real = typst_pdf._compile

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(kwargs["format"])
        return real(*args, **kwargs)

    monkeypatch.setattr(typst_pdf, "_compile", counting)
    return calls


def test_every_page_at_150_ppi_rgb_on_white(example: Document) -> None:
    out = render_formats(["pdf", "png"], None, example, context(example))
    pdf = pdfium.PdfDocument(out["pdf"][0].data)
    assert [a.suffix for a in out["png"]] == [f"-{i}.png" for i in range(1, len(pdf) + 1)]
    for index, artifact in enumerate(out["png"]):
        image = decode(artifact.data)
        width, height = pdf[index].get_size()
        assert image.mode == "RGB"
        assert abs(image.width - width * 150 / 72) <= 1 and abs(image.height - height * 150 / 72) <= 1
        assert image.info["dpi"] == pytest.approx((150, 150), abs=0.05)  # pHYs: the print size is right
        assert image.getpixel((0, 0)) == (255, 255, 255)
        assert image.convert("L").getextrema()[0] < 60  # text was drawn


def test_pixels_are_pdfiums_own_rendering(example: Document) -> None:
    """The rows PDFium draws in place, one byte apart, are exactly what it draws into a packed
    bitmap: no row is shifted or torn."""
    pdf = typst_pdf.pdf_for(example, context(example))
    pages = list(raster.rasterise(pdf, png.PNG_PPI, LIMIT))
    document = pdfium.PdfDocument(pdf)
    for index in (0, len(document) - 1):
        packed = document[index].render(scale=150 / 72, rev_byteorder=True, may_draw_forms=False, draw_annots=False)
        assert decode(pages[index]).tobytes() == packed.to_pil().tobytes()


def test_the_pdf_of_the_run_is_drawn_not_compiled_again(example: Document, compiles: list[str]) -> None:
    cache: dict[Any, Any] = {}
    out = render_formats(["pdf", "png"], None, example, context(example, cache))
    assert compiles == ["pdf"]
    assert len(out["png"]) == out["pdf"][0].pages
    assert "typst.pdf" not in cache  # handed over once, not kept for a later run


def test_png_alone_makes_its_own_pdf_and_keeps_nothing(example: Document, compiles: list[str]) -> None:
    cache: dict[Any, Any] = {}
    alone = render_format("png", None, example, context(example, cache))
    assert compiles == ["pdf"] and "typst.pdf" not in cache
    together = render_formats(["pdf", "png"], None, example, context(example))
    assert [a.data for a in alone] == [a.data for a in together["png"]]


def test_a_pdf_of_another_document_is_never_drawn(example: Document, compiles: list[str]) -> None:
    """In `watch` the cache outlives a run: a PDF left by an earlier Document (here: another
    profile, and another run of the same profile) must not become this one's previews."""
    cache: dict[Any, Any] = {}
    resume = built(RESUME)[1]
    render_format("pdf", None, resume, context(resume, cache))
    first = render_format("png", None, example, context(example, cache))
    assert compiles == ["pdf", "pdf"]
    rebuilt = built(EXAMPLE)[1]  # equal content, a new Document: still compiled afresh
    render_format("pdf", None, example, context(example, cache))
    again = render_format("png", None, rebuilt, context(rebuilt, cache))
    assert compiles == ["pdf", "pdf", "pdf", "pdf"]
    assert [a.data for a in again] == [a.data for a in first]


def test_same_pdf_same_bytes(example: Document) -> None:
    pdf = typst_pdf.pdf_for(example, context(example))
    assert list(raster.rasterise(pdf, png.PNG_PPI, LIMIT)) == list(raster.rasterise(pdf, png.PNG_PPI, LIMIT))


MIXED_PAGES = """#set page(width: 8cm, height: 6cm)
#set text(size: 14pt)
First page: *bold*, _italic_ and a rule.
#line(length: 100%)
#pagebreak()
Second page, the same size, other text.
#set page(width: 6cm, height: 9cm, fill: rgb("#eef"))
Third page, taller and narrower.
#pagebreak()
Fourth, as the third.
"""


def test_pages_drawn_in_turn_equal_pages_drawn_alone(example_pdf: bytes, tmp_path: Path) -> None:
    """A page is drawn in the buffer of the page before when it has the same size: it comes out
    as when drawn alone, in a new buffer; a page of another size gets a buffer of its own."""
    import typst

    source = tmp_path / "mixed.typ"
    source.write_text(MIXED_PAGES, encoding="utf-8")
    mixed = typst.compile(str(source))
    assert isinstance(mixed, bytes)
    for pdf, count in ((example_pdf, raster.page_count(example_pdf)), (mixed, 4)):
        assert raster.page_count(pdf) == count
        together = list(raster.rasterise(pdf, png.PNG_PPI, LIMIT))
        alone = [next(raster.rasterise(pdf, png.PNG_PPI, LIMIT, range(i, i + 1))) for i in range(count)]
        assert together == alone
    sizes = [decode(page).size for page in raster.rasterise(mixed, png.PNG_PPI, LIMIT)]
    assert sizes[0] == sizes[1] != sizes[2] == sizes[3]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the rounding mode is set through glibc")
@pytest.mark.parametrize("mode", [0x400, 0x800, 0xC00], ids=["downward", "upward", "toward zero"])
def test_pages_are_drawn_alike_whatever_the_callers_rounding_mode(example_pdf: bytes, mode: int) -> None:
    """A page's size in pixels and PDFium's drawing follow the thread's floating-point rounding
    mode: every page of the example came out other than a new process draws it. The caller's
    mode is set back after each page."""
    import ctypes

    libc = ctypes.CDLL(None)
    expected = list(raster.rasterise(example_pdf, png.PNG_PPI, LIMIT))
    assert libc.fesetround(mode) == 0
    try:
        drawn = list(raster.rasterise(example_pdf, png.PNG_PPI, LIMIT))
        assert libc.fegetround() == mode
    finally:
        libc.fesetround(0)
    assert drawn == expected


def test_png_bytes_encode_the_given_rows() -> None:
    rows = bytes([0, 255, 0, 0, 0, 0, 255]) + bytes([0, 0, 0, 255, 10, 20, 30])  # 2x2: filter byte, RGB, RGB
    image = decode(raster.png_bytes(2, 2, rows, 150))
    assert image.mode == "RGB" and image.size == (2, 2)
    pixels = [image.getpixel(xy) for xy in ((0, 0), (1, 0), (0, 1), (1, 1))]
    assert pixels == [(255, 0, 0), (0, 0, 255), (0, 0, 255), (10, 20, 30)]


def test_a_pdf_pdfium_cannot_read_is_a_render_error(example: Document, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(raster.RasterError, match="cannot read back the PDF"):
        list(raster.rasterise(b"%PDF-1.7 not really", png.PNG_PPI, LIMIT))
    monkeypatch.setattr(typst_pdf, "pdf_for", lambda doc, ctx: b"%PDF-1.7 not really")
    with pytest.raises(RenderError, match="cannot read back the PDF"):
        png.render("png", example, context(example))


# ---- a helper process draws the later pages of a long document -----------------------------------


@pytest.fixture(scope="module")
def example_pdf(example: Document) -> bytes:
    return typst_pdf.pdf_for(example, context(example))


@pytest.fixture(autouse=True)
def _even_split(monkeypatch: pytest.MonkeyPatch) -> None:
    """The example has 5 pages: with no head start, this process draws 3, a helper 2."""
    monkeypatch.setattr(png, "HEAD_START", 0)


def test_a_helper_process_draws_the_later_pages_alike(
    example_pdf: bytes, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    alone = png.draw_pages(example_pdf, png.PNG_PPI, LIMIT, cores=1)
    started: list[list[str]] = []
    real = png.helper_command
    monkeypatch.setattr(png, "helper_command", lambda *a: started.append(real(*a)) or started[-1])
    shared = png.draw_pages(example_pdf, png.PNG_PPI, LIMIT, cores=2, split_from=2)
    assert len(alone) == 5
    assert shared == alone, unlike(example_pdf, alone, shared, tmp_path)
    assert started and started[0][-2:] == ["3", "5"]  # pages 4 and 5, counted from 0; this process drew 1-3
    assert png.draw_pages(example_pdf, png.PNG_PPI, LIMIT, cores=1, split_from=2) == alone  # one core: no helper
    assert len(started) == 1


def unlike(pdf: bytes, alone: list[bytes], shared: list[bytes], folder: Path) -> str:
    """How the pages drawn `alone` (all in this process) and `shared` (the later ones by a helper)
    differ, for the failure message: pixels or only their encoding, which of the two a new process
    draws, whether this process draws it alike again; the PNGs are kept in `folder`. (Once, in a
    whole-suite run, page 5 drawn alone in a pytest worker differed from the helper's, which was
    the page a new process draws: the cause was not found.)"""
    import subprocess

    from PIL import ImageChops

    command = raster.helper_command(png.PNG_PPI, LIMIT, range(len(alone)))
    new = raster.read_frames(subprocess.run(command, input=pdf, capture_output=True).stdout, len(alone))
    said = [] if len(alone) == len(shared) else [f"{len(shared)} pages with a helper, {len(alone)} without"]
    for index, (here, there) in enumerate(zip(alone, shared, strict=False)):
        if here == there:
            continue
        (folder / f"alone-{index + 1}.png").write_bytes(here)
        (folder / f"shared-{index + 1}.png").write_bytes(there)
        a, b = decode(here), decode(there)
        box = ImageChops.difference(a, b).getbbox() if a.size == b.size else (a.size, b.size)
        pixels = "only the encoding differs" if box is None else f"the pixels differ in {box}"
        if new is None or new[index] not in (here, there):
            odd = "a new process draws neither"
        elif new[index] == there:
            odd = "a new process draws it as the shared run did"
        else:
            odd = "a new process draws it as the run alone did"
        again = "the same" if png.draw_pages(pdf, png.PNG_PPI, LIMIT, cores=1)[index] == here else "other"
        said.append(f"page {index + 1}: {pixels}; {odd}; drawn alone again: {again} bytes")
    return f"{'; '.join(said)} (PNGs in {folder})"


HELPERS = {
    "exits with an error": "import sys; sys.exit(3)",
    "writes junk": "import sys; sys.stdout.write('junk'); sys.exit(0)",
    "stops short": "import sys; sys.stdout.buffer.write((10**6).to_bytes(8, 'big') + b'\\x89PNG'); sys.exit(0)",
    "never reads its input": "pass",
}


@pytest.mark.parametrize("helper", list(HELPERS))
def test_a_failed_helper_leaves_its_pages_to_this_process(
    example_pdf: bytes, monkeypatch: pytest.MonkeyPatch, helper: str
) -> None:
    """A helper writes no file; whatever becomes of it, the previews are whole and the same."""
    import sys

    alone = png.draw_pages(example_pdf, png.PNG_PPI, LIMIT, cores=1)
    monkeypatch.setattr(png, "helper_command", lambda *a: [sys.executable, "-c", HELPERS[helper]])
    assert png.draw_pages(example_pdf, png.PNG_PPI, LIMIT, cores=2, split_from=2) == alone
    monkeypatch.setattr(png, "helper_command", lambda *a: ["/nonexistent/python"])
    assert png.draw_pages(example_pdf, png.PNG_PPI, LIMIT, cores=2, split_from=2) == alone


@pytest.mark.parametrize(
    "suicide",
    [
        # dies of the signal (-2) whatever SIGINT state the test process hands down (ignored or
        # blocked: a child inherits both; twice in a full run this helper lived on and exited 0)
        "import os, signal; signal.signal(signal.SIGINT, signal.SIG_DFL);"
        " signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT}); os.kill(os.getpid(), signal.SIGINT)",
        "import sys; sys.exit(130)",  # Python's exit when SIGINT is blocked and cannot kill it
    ],
    ids=["killed by SIGINT", "exits 130"],
)
def test_an_interrupted_helper_stops_the_previews(
    example_pdf: bytes, monkeypatch: pytest.MonkeyPatch, suicide: str
) -> None:
    """Ctrl-C reaches the helper too (one process group): the run stops rather than redraw."""
    import sys

    monkeypatch.setattr(png, "helper_command", lambda *a: [sys.executable, "-c", suicide])
    with pytest.raises(RenderError, match="interrupted while drawing the PNG previews"):
        png.draw_pages(example_pdf, png.PNG_PPI, LIMIT, cores=2, split_from=2)


# In a new interpreter, as the helper is: pages 2 and 3 drawn in-process, framed as the helper frames them.
_DRAWN_IN_PROCESS = (
    "import sys; from cvbuild import raster\n"
    "pdf = sys.stdin.buffer.read()\n"
    "for page in raster.rasterise(pdf, int(sys.argv[1]), int(sys.argv[2]), range(1, 3)):\n"
    "    sys.stdout.buffer.write(len(page).to_bytes(8, 'big') + page)\n"
)


def test_the_helper_command_writes_framed_pngs(example_pdf: bytes) -> None:
    """The helper's pages are those `rasterise` draws in a process of its own, compared with a new
    interpreter's drawing, not with this worker's: once, in a fresh clone, the first page compared
    differed between the helper and this worker (after a few hundred tests in it), and neither a
    repeat nor 180 rounds of the tests' PDFs drawn in one process (pypdfium2 and pdfplumber
    reading between) differed again. How a worker's drawing may differ from a helper's is
    test_a_helper_process_draws_the_later_pages_alike's (with a diagnosis on failure)."""
    import subprocess
    import sys

    command = raster.helper_command(png.PNG_PPI, LIMIT, range(1, 3))
    assert command[1] == "-P"  # the working folder cannot shadow cvbuild's modules
    out = subprocess.run(command, input=example_pdf, capture_output=True, check=True).stdout
    alone = [sys.executable, "-P", "-c", _DRAWN_IN_PROCESS, str(png.PNG_PPI), str(LIMIT)]
    expected = subprocess.run(alone, input=example_pdf, capture_output=True, check=True).stdout
    frames = raster.read_frames(out, 2)
    assert frames is not None and frames == raster.read_frames(expected, 2)
    assert [decode(f).size for f in frames] == [
        decode(f).size for f in raster.rasterise(example_pdf, 150, LIMIT, range(1, 3))
    ]
    assert raster.read_frames(out, 3) is None and raster.read_frames(out[:-1], 2) is None


def test_render_writes_pages_through_the_cli(tmp_path: Path) -> None:
    from conftest import run_cli

    result = run_cli("render", EXAMPLE, "-d", "cv", "-f", "png", "-o", tmp_path)
    assert result.returncode == 0, result.stderr
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names and all(n.endswith(".png") for n in names)
    assert decode((tmp_path / names[0]).read_bytes()).mode == "RGB"


def test_a_theme_page_too_large_for_a_preview_is_refused(tmp_path: Path) -> None:
    from conftest import run_cli, write

    profile = write(tmp_path / "p.yaml", "name: Ada Example\n")
    theme = tmp_path / "themes" / "huge"
    write(theme / "theme.toml", 'name = "huge"\nextends = "classic"\n')
    write(theme / "cv.typ", "#set page(width: 500cm, height: 500cm)\nHello\n")
    out = tmp_path / "out"
    result = run_cli("render", profile, "--theme", "huge", "-f", "pdf,png", "-o", out, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert "cv.typ: a page of 29,528 x 29,528 pixels at 150 ppi exceeds the limit png_page_pixels" in result.stderr
    assert "Traceback" not in result.stderr and not out.exists()
    assert run_cli("render", profile, "--theme", "huge", "-f", "pdf", "-o", out, cwd=tmp_path).returncode == 0


def test_no_helper_when_this_process_would_draw_every_page(example_pdf: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(png, "HEAD_START", 4)  # 5 pages: 3 + 4 covers them all
    monkeypatch.setattr(png, "helper_command", lambda *a: pytest.fail("a helper was started"))
    assert len(png.draw_pages(example_pdf, png.PNG_PPI, LIMIT, cores=2, split_from=2)) == 5
