"""targets/hyphenation: pyphen's parsed patterns kept in cvbuild's cache folder between runs."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyphen
import pytest
from conftest import EPOCH, EXAMPLE, run_cli

from cvbuild.targets import hyphenation

WORDS = ("hyphenation", "representative", "responsibilities", "infrastructure", "a", "")


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    folder = tmp_path / "cache"
    monkeypatch.setenv("CVBUILD_CACHE_DIR", str(folder))
    monkeypatch.delenv("CVBUILD_NO_CACHE", raising=False)
    yield folder


def copy_of(lang: str, folder: Path) -> Path:
    path = folder / f"hyph_{lang}.dic"
    path.write_bytes(pyphen.LANGUAGES[lang].read_bytes())
    return path


def test_a_render_in_another_process_reads_the_stored_patterns_with_the_same_pdf(tmp_path: Path, cache: Path) -> None:
    """classic justifies and hyphenates the example's summary: the first WeasyPrint render stores
    en_US's patterns, and a later process whose pyphen cannot parse a dictionary at all writes
    the same PDF from them. Before, nothing was stored and every process parsed the file."""
    args = ("render", str(EXAMPLE), "-d", "cv", "-f", "pdf", "--engine", "weasyprint")
    env = {"CVBUILD_CACHE_DIR": str(cache), "CVBUILD_NO_CACHE": ""}
    first = run_cli(*args, "-o", tmp_path / "first", env=env)
    assert first.returncode == 0, first.stderr
    assert len(list((cache / hyphenation.SUBDIR).glob("*.marshal"))) == 1
    code = (
        "import sys, pyphen\n"
        "def refuse(self, path): raise AssertionError(f'parsed {path}')\n"
        "pyphen.HyphDict.__init__ = refuse\n"
        "sys.argv = ['cvbuild', *sys.argv[1:]]\n"
        "from cvbuild.cli.script import main\n"
        "main()\n"
    )
    second = subprocess.run(
        [sys.executable, "-c", code, *args, "-o", str(tmp_path / "second")],
        env={**env, "SOURCE_DATE_EPOCH": EPOCH, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert second.returncode == 0, second.stderr
    (a,), (b,) = (tmp_path / "first").glob("*.pdf"), (tmp_path / "second").glob("*.pdf")
    assert a.read_bytes() == b.read_bytes()


def test_stored_patterns_hyphenate_as_parsed_ones(tmp_path: Path, cache: Path) -> None:
    path = copy_of("en_US", tmp_path)
    parsed = pyphen.HyphDict(path)
    hyphenation.store(path, parsed)
    stored = hyphenation.load(path)
    assert stored is not None and stored is not parsed
    assert vars(stored).keys() == vars(parsed).keys() == hyphenation.HYPHDICT_ATTRIBUTES
    assert stored.patterns == parsed.patterns and stored.maxlen == parsed.maxlen
    assert [stored.positions(w) for w in WORDS] == [parsed.positions(w) for w in WORDS]


def test_an_edited_dictionary_is_parsed_again(tmp_path: Path, cache: Path) -> None:
    path = copy_of("en_US", tmp_path)
    hyphenation.store(path, pyphen.HyphDict(path))
    path.write_text(path.read_text(encoding="ISO8859-1") + "1x1y1z\n", encoding="ISO8859-1")
    assert hyphenation.load(path) is None


@pytest.mark.parametrize("damage", [b"", b"not marshal", b"\xe9" * 64, "marshalled wrong shape"])
def test_a_damaged_entry_is_ignored(tmp_path: Path, cache: Path, damage: bytes | str) -> None:
    import marshal

    path = copy_of("en_US", tmp_path)
    hyphenation.store(path, pyphen.HyphDict(path))
    (entry,) = (cache / hyphenation.SUBDIR).iterdir()
    entry.write_bytes(marshal.dumps(({"ab": (0, ("1",))}, 2)) if isinstance(damage, str) else damage)
    assert hyphenation.load(path) is None


def test_nonstandard_hyphenations_and_no_cache_store_nothing(
    tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    hungarian = copy_of("hu_HU", tmp_path)  # "ssz/sz=sz,..." patterns: DataInt values
    hyphenation.store(hungarian, pyphen.HyphDict(hungarian))
    assert not (cache / hyphenation.SUBDIR).exists() or not any((cache / hyphenation.SUBDIR).iterdir())
    monkeypatch.setenv("CVBUILD_NO_CACHE", "1")
    english = copy_of("en_US", tmp_path)
    hyphenation.store(english, pyphen.HyphDict(english))
    assert not (cache / hyphenation.SUBDIR).exists() or not any((cache / hyphenation.SUBDIR).iterdir())


def test_pyphen_looks_its_dictionaries_up_through_the_installed_cache(
    tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`pyphen.Pyphen` asks `hdcache` (`path not in hdcache`) before it parses; if pyphen stops
    doing so, this fails rather than the cache quietly doing nothing."""
    monkeypatch.setattr(pyphen, "hdcache", {})
    hyphenation.install()
    hyphenation.install()
    assert isinstance(pyphen.hdcache, hyphenation.StoredPatterns)
    path = copy_of("en_US", tmp_path)
    first = pyphen.Pyphen(filename=path)
    monkeypatch.setattr(pyphen, "hdcache", hyphenation.StoredPatterns())
    monkeypatch.setattr(pyphen.HyphDict, "__init__", lambda self, path: pytest.fail(f"parsed {path}"))
    second = pyphen.Pyphen(filename=path)
    assert second.inserted("representative") == first.inserted("representative") == "rep-re-sen-ta-tive"


def test_a_folder_of_another_user_is_not_read(tmp_path: Path, cache: Path) -> None:
    """As with compiled templates, entries are read only from a folder of this user's own."""
    import os

    if os.getuid() != 0:
        pytest.skip("needs root to give the folder to another user")
    path = copy_of("en_US", tmp_path)
    hyphenation.store(path, pyphen.HyphDict(path))
    assert hyphenation.load(path) is not None
    os.chown(cache / hyphenation.SUBDIR, 12345, 12345)
    assert hyphenation.load(path) is None


def test_a_fifo_where_an_entry_goes_is_not_read(tmp_path: Path, cache: Path) -> None:
    """A FIFO where an entry goes blocked the render for good (read_bytes waits for a writer); it
    is passed by, as a damaged entry is (and so are links and oversized files: read_regular)."""
    import os
    import threading

    path = copy_of("en_US", tmp_path)
    folder = cache / hyphenation.SUBDIR
    folder.mkdir(parents=True)
    entry = folder / hyphenation.entry_name(path.read_bytes())
    os.mkfifo(entry)
    found: list[object] = []
    reader = threading.Thread(target=lambda: found.append(hyphenation.load(path)), daemon=True)
    reader.start()
    reader.join(10)
    if reader.is_alive():  # let the thread go: open the FIFO for writing once
        os.close(os.open(entry, os.O_WRONLY | os.O_NONBLOCK))
        pytest.fail("load() blocked on a FIFO")
    assert found == [None]


def test_a_store_stopped_by_the_time_limit_leaves_no_temporary_file(
    tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """WeasyPrint parses (and `store` writes) inside the work the time limit guards; the watchdog
    interrupts again every REFIRE seconds, so one can land in the `finally` that removes the
    temporary file: a `.tmp-*` of a few MB was left in the cache folder for good."""
    import os
    import time

    from cvbuild.targets.deadline import OverTime, within

    path = copy_of("en_US", tmp_path)
    parsed = pyphen.HyphDict(path)

    def slowly(real: Any) -> Any:
        def call(*args: Any) -> Any:
            end = time.monotonic() + 0.3
            while time.monotonic() < end:
                pass
            return real(*args)

        return call

    monkeypatch.setattr(os, "replace", slowly(os.replace))
    monkeypatch.setattr(os, "unlink", slowly(os.unlink))
    with pytest.raises(OverTime):
        within(0.05, lambda: hyphenation.store(path, parsed))
    monkeypatch.undo()
    assert not [p.name for p in (cache / hyphenation.SUBDIR).iterdir() if p.name.startswith(".tmp-")]
