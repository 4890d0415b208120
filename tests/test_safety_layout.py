"""A word longer than a line (a pasted hash, 10,000 letters) breaks in every paged engine, is
kept whole, and is warned about."""

from __future__ import annotations

from pathlib import Path

import pdfplumber
import pytest
from conftest import pdf_text, run_cli, write

WORD = "W" * 10_000


@pytest.mark.parametrize("engine", ["typst", "weasyprint"])
def test_a_10000_character_word_breaks_and_is_kept_whole(tmp_path: Path, engine: str) -> None:
    profile = write(tmp_path / "p.yaml", f"name: Ada Example\nsummary: Before {WORD} after.\n")
    result = run_cli("render", profile, "-f", "pdf", "--engine", engine, "-o", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert "a 10,000-character word (WWWW" in result.stderr and "longer than a line" in result.stderr
    pdf = tmp_path / "out" / "ada-example.pdf"
    assert pdf_text(pdf).count("W") == 10_000
    with pdfplumber.open(pdf) as doc:
        for page in doc.pages:
            assert all(ch["x1"] <= page.width - 20 for ch in page.chars), "text runs off the page"


def test_ordinary_text_gets_no_warning(tmp_path: Path) -> None:
    url = "https://example.org/" + "x" * 120
    profile = write(tmp_path / "p.yaml", f"name: Ada Example\nsummary: See [this]({url}).\n")
    result = run_cli("render", profile, "-f", "pdf,txt", "-o", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert "longer than a line" not in result.stderr


@pytest.mark.parametrize("width", [375, 1280])
def test_a_10000_character_word_breaks_in_the_html_page(tmp_path: Path, width: int) -> None:
    """In Chromium, at phone and desktop widths: the page does not scroll sideways, and the word
    is still whole in the page's text (broken by CSS only where it wraps)."""
    from playwright.sync_api import sync_playwright

    profile = write(tmp_path / "p.yaml", f"name: Ada Example\nsummary: Before {WORD} after.\n")
    result = run_cli("render", profile, "-f", "html", "-o", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert "a 10,000-character word (WWWW" in result.stderr
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": width, "height": 900})
            page.goto((tmp_path / "out" / "ada-example.html").as_uri())
            scroll, client = page.evaluate(
                "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
            )
            text = page.inner_text("body")
        finally:
            browser.close()
    assert scroll <= client, f"the page scrolls sideways at {width}px: {scroll} > {client}"
    assert WORD in text.replace("\u200b", "").replace("\u00ad", "")
