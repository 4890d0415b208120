"""A word longer than a line (a pasted hash, 10,000 letters) breaks in every paged engine, is
kept whole, and is warned about."""

from __future__ import annotations

from pathlib import Path

import pdfplumber
import pytest
from conftest import BUILTIN_THEMES, pdf_text, run_cli, write

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


LONG_PLACE = (
    "Llanfairpwllgwyngyllgogerychwyrndrobwllllantysiliogogogoch, Anglesey, Wales, "
    "United Kingdom of Great Britain and Northern Ireland"
)


@pytest.mark.parametrize("theme", BUILTIN_THEMES)
def test_a_long_location_wraps_beside_the_title_instead_of_over_it(tmp_path: Path, theme: str) -> None:
    """The right side of a head line (location, dates) takes at most half the line and wraps
    there: no letter of it lies on a letter of the organisation or role beside it, and the
    organisation is not squeezed into a sliver (it stays on one line)."""
    profile = write(
        tmp_path / "p.yaml",
        "name: Ada Example\nexperience:\n  - organization: Example Corp\n    role: Senior Engineer\n"
        f"    location: {LONG_PLACE}\n    start: 2020-01\n    end: present\n    highlights: [Did things.]\n",
    )
    result = run_cli("render", profile, "-f", "pdf", "--theme", theme, "-o", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    pdf = tmp_path / "out" / "ada-example.pdf"
    assert "Llanfairpwll" in pdf_text(pdf)
    with pdfplumber.open(pdf) as doc:
        # body text only: the name's large letters are kerned into each other ("Ad")
        chars = [c for c in doc.pages[0].chars if c["text"].strip() and c["size"] < 14]
    boxes = [(c["x0"], c["top"], c["x1"], c["bottom"]) for c in chars]
    overlaps = [
        (chars[i]["text"], chars[j]["text"])
        for i, a in enumerate(boxes)
        for j, b in enumerate(boxes[i + 1 :], start=i + 1)
        if min(a[2], b[2]) - max(a[0], b[0]) > 1 and min(a[3], b[3]) - max(a[1], b[1]) > 1
    ]
    assert overlaps == [], f"{theme}: letters drawn over each other: {overlaps[:5]}"
    text = "".join(c["text"] for c in chars)
    at = text.index("ExampleCorp")
    assert len({round(c["top"]) for c in chars[at : at + len("ExampleCorp")]}) == 1, f"{theme}: organisation wrapped"
