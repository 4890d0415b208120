"""PNG previews (targets/png.py): PDFium draws the Typst PDF's pages, encoded as RGB PNGs."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pytest
from conftest import EXAMPLE, RESUME
from PIL import Image

from cvbuild.document.model import Document
from cvbuild.errors import RenderError
from cvbuild.loading.profile import load_profile
from cvbuild.pipeline import RenderRequest, build_for, documents_to_render
from cvbuild.targets import png, typst_pdf
from cvbuild.targets.base import RenderContext, render_format, render_formats
from cvbuild.themes.theme import Theme, load_theme

DAY = dt.date(2026, 1, 1)
THEMES = {"cv": "classic", "resume": "modern"}  # of the example's and the resume's first variants


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
    pages = list(png.rasterise(pdf, png.PNG_PPI))
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
    assert list(png.rasterise(pdf, png.PNG_PPI)) == list(png.rasterise(pdf, png.PNG_PPI))


def test_png_bytes_encode_the_given_rows() -> None:
    rows = bytes([0, 255, 0, 0, 0, 0, 255]) + bytes([0, 0, 0, 255, 10, 20, 30])  # 2x2: filter byte, RGB, RGB
    image = decode(png.png_bytes(2, 2, rows, 150))
    assert image.mode == "RGB" and image.size == (2, 2)
    pixels = [image.getpixel(xy) for xy in ((0, 0), (1, 0), (0, 1), (1, 1))]
    assert pixels == [(255, 0, 0), (0, 0, 255), (0, 0, 255), (10, 20, 30)]


def test_a_pdf_pdfium_cannot_read_is_a_render_error() -> None:
    with pytest.raises(RenderError, match="cannot read back the PDF"):
        list(png.rasterise(b"%PDF-1.7 not really", png.PNG_PPI))


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
