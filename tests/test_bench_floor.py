"""bench/floor.py times pydantic and Typst alone on the Document cvbuild would pass: it must stay
the same Typst work as the real render, or the bench's floor row compares unlike things."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
from conftest import bench_module
from pypdf import PdfReader

EXAMPLE = Path(__file__).resolve().parents[1] / "profiles" / "example.yaml"


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    return bench_module("run", monkeypatch)


def test_the_floor_lays_out_the_same_pdf_text_as_cvbuild(run: ModuleType, tmp_path: Path) -> None:
    args = run.floor_args(EXAMPLE, tmp_path)
    floor_pdf = tmp_path / "floor.pdf"
    subprocess.run([sys.executable, args[0], "--out", str(floor_pdf), *args[1:]], check=True)
    subprocess.run(
        [*run.cvbuild_command(), "render", str(EXAMPLE), "-d", "cv", "-f", "pdf", "-o", str(tmp_path / "out")],
        check=True,
        capture_output=True,
    )
    (real_pdf,) = (tmp_path / "out").glob("*.pdf")
    floor_text = [page.extract_text() for page in PdfReader(floor_pdf).pages]
    real_text = [page.extract_text() for page in PdfReader(real_pdf).pages]
    assert len(real_text) >= 2
    assert floor_text == real_text


def test_rows_are_shown_over_the_floor(run: ModuleType) -> None:
    def row(name: str, median: float, runs: int = 7) -> object:
        return run.Result(name, "cvbuild render", runs, median, median, median, 100.0, None)

    results = {
        "pdf": row("example -d cv -f pdf", 0.5),
        "floor": row("floor", 0.4),
        "text cold": row("text, first render", 0.6, runs=0),  # failed: not shown
        "1000 pdf": row("1000 publications, -f pdf", 1.2),
        "250 pdf": row("250 publications, -f pdf", 0.6),
        "big floor": row("big floor", 1.0),
    }
    line = run.floor_ratios(results, "1000 pdf")
    assert line == "relative to the floor: example -d cv -f pdf: 1.25x; 1000 publications, -f pdf: 1.20x"
    assert run.floor_ratios({}, "1000 pdf") == "relative to the floor: not measured"
