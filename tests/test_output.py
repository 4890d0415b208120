"""Atomic writes: the target is replaced whole or not at all."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from cvbuild.output import atomic_write, slug


def test_atomic_write_replaces_and_leaves_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "a" / "cv.txt"
    atomic_write(target, b"one")
    atomic_write(target, b"two")
    assert target.read_bytes() == b"two"
    assert os.listdir(target.parent) == ["cv.txt"]


def test_failed_write_keeps_previous_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "cv.txt"
    atomic_write(target, b"good")

    def broken_replace(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError):
        atomic_write(target, b"bad")
    assert target.read_bytes() == b"good"
    assert os.listdir(tmp_path) == ["cv.txt"]


@pytest.mark.parametrize(
    ("name", "expected"), [("Ada Example", "ada-example"), ("Zoë Ñúñez", "zoe-nunez"), ("李雷", "cv")]
)
def test_slug(name: str, expected: str) -> None:
    assert slug(name) == expected
