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
