"""The hostile corpus (tests/fixtures/hostile): every file names, in MANIFEST.toml, the exit code
and the location cvbuild must give for it; no run prints a traceback or writes a file it should not.
Every run is bounded: an offline process under a memory limit (a normal render's peak address space
plus 500 MB) and a time limit, so a bomb that got past cvbuild/limits.py fails here, not the machine."""

from __future__ import annotations

import os
import shutil
import tomllib
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES, run_cli_bounded

CORPUS = FIXTURES / "hostile"
MANIFEST: dict[str, dict[str, Any]] = tomllib.loads((CORPUS / "MANIFEST.toml").read_text(encoding="utf-8"))
RUNS = sorted(name for name, entry in MANIFEST.items() if not entry.get("support"))


def _files() -> set[str]:
    found = set()
    for root, dirs, files in os.walk(CORPUS):
        for name in [*files, *(d for d in dirs if Path(root, d).is_symlink())]:
            found.add(str(Path(root, name).relative_to(CORPUS)))
    return found - {"MANIFEST.toml"}


def test_the_corpus_is_large_and_every_file_is_in_the_manifest() -> None:
    files = _files()
    assert len(files) >= 100
    assert files == set(MANIFEST), (sorted(files - set(MANIFEST)), sorted(set(MANIFEST) - files))
    assert list(MANIFEST) == sorted(MANIFEST), "keep MANIFEST.toml sorted by file name"
    assert sum(1 for entry in MANIFEST.values() if entry.get("bomb")) >= 10


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    copy = tmp_path_factory.mktemp("corpus") / "hostile"
    shutil.copytree(CORPUS, copy, symlinks=True)
    return copy


@pytest.mark.parametrize("name", RUNS)
def test_hostile_file(corpus: Path, name: str, bomb_memory_limit: int) -> None:
    entry = MANIFEST[name]
    args = list(entry.get("args", ["-f", "txt"]))
    out = corpus / "out" / name
    if "-o" not in args:
        args += ["-o", str(out)]
    result, _ = run_cli_bounded(entry.get("command", "render"), name, *args, cwd=corpus, max_bytes=bomb_memory_limit)
    first = result.stderr.splitlines()[0] if result.stderr else ""
    assert result.returncode == entry["exit"], result.stderr
    assert entry["where"] in first and entry.get("says", "") in first, result.stderr
    assert "MemoryError" not in result.stderr
    assert not any(ch in result.stderr for ch in "\x00\x1b\u202e"), "a raw control character reached the terminal"
    assert "Traceback" not in result.stderr
    assert "root:x:0:0" not in result.stderr + result.stdout  # no secret echoed
    if entry["exit"] != 0:
        assert not out.exists(), "a failed run wrote outputs"
    else:
        assert "root:x:0:0" not in "".join(p.read_text(errors="replace") for p in out.glob("*.txt"))
