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
