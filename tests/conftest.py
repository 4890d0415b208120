"""Shared fixtures: paths, a CLI runner in a subprocess-free form, and a fixed build date."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PROFILES = ROOT / "profiles"
EXAMPLE = PROFILES / "example.yaml"
RESUME = PROFILES / "resume.yaml"
SEEDS = ROOT.parent / "shared" / "seeds"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
EPOCH = "1767225600"  # 2026-01-01, so dates in outputs are stable


@pytest.fixture(autouse=True)
def _fixed_date(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)


def run_cli(
    *args: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the real `cvbuild` entry point in a fresh process, as a user would."""
    full_env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "cvbuild", *map(str, args)],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def cli() -> object:
    return run_cli


@pytest.fixture
def workdir(tmp_path: Path) -> Iterator[Path]:
    """A temp folder holding copies of the example profiles."""
    for p in PROFILES.glob("*"):
        if p.is_file():
            shutil.copy(p, tmp_path / p.name)
    yield tmp_path


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
