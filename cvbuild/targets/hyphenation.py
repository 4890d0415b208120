"""pyphen's parsed hyphenation patterns, kept between runs in cvbuild's cache folder.

WeasyPrint hyphenates `hyphens: auto` text (classic's and compact's summaries, letters) with
pyphen, which parses a language's `hyph_*.dic` again in every process: en_US's 11,000 patterns
cost 70-130 ms of CPU on a 2-core machine, the stored patterns load in ~7 ms (marshal).

An entry is found by the dictionary file's bytes, pyphen's version and Python's (`entry_name`), so
an edited dictionary or another pyphen parses again. Dictionaries with nonstandard hyphenations
(pyphen's `DataInt` values, as in Hungarian) are not stored. No cache folder, or one that cannot be
written, or a damaged entry: pyphen parses as before, never an error. CVBUILD_NO_CACHE=1 turns it off.
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
import os
import sys
import tempfile
from functools import partial
from pathlib import Path
from typing import Any

from cvbuild.targets.template_cache import cache_root, usable

SUBDIR = "pyphen"
FORMAT = "1"  # bump when what an entry holds changes
# What pyphen's HyphDict holds; an entry is stored and made only while this is all it holds.
HYPHDICT_ATTRIBUTES = frozenset({"patterns", "cache", "maxlen"})
ENTRY_BYTES = 64 * 1024 * 1024  # pyphen's largest dictionaries (~1 MB of patterns) store a few MB


def install() -> None:
    """Let pyphen's per-process dictionary cache (`pyphen.hdcache`, which `pyphen.Pyphen` looks in
    before it parses a file) read and write the cache folder. Once per process; safe to repeat."""
    import pyphen

    if not isinstance(pyphen.hdcache, StoredPatterns):
        pyphen.hdcache = StoredPatterns(pyphen.hdcache)


class StoredPatterns(dict[Any, Any]):
    """pyphen's `hdcache` (dictionary path -> HyphDict): a path it lacks is looked up in the cache
    folder, and a dictionary pyphen has just parsed is stored there."""

    def __contains__(self, path: object) -> bool:
        if super().__contains__(path):
            return True
        stored = load(path) if isinstance(path, (str, Path)) else None
        if stored is None:
            return False
        super().__setitem__(path, stored)
        return True

    def __setitem__(self, path: Any, hyph_dict: Any) -> None:
        super().__setitem__(path, hyph_dict)
        if isinstance(path, (str, Path)):
            store(path, hyph_dict)


def entry_name(dictionary: bytes) -> str:
    """The entry's file name: the dictionary's bytes and what decides how they are parsed."""
    import pyphen

    key = hashlib.sha256()
    for part in (FORMAT, pyphen.__version__, sys.version, str(marshal.version)):
        key.update(part.encode() + b"\0")
    key.update(dictionary)
    return f"{key.hexdigest()}.marshal"


def _entry(path: str | Path) -> Path | None:
    root = cache_root()
    if root is None:
        return None
    try:
        dictionary = Path(path).read_bytes()
    except OSError:
        return None
    return root / SUBDIR / entry_name(dictionary)


def load(path: str | Path) -> Any:
    """The HyphDict stored for the dictionary at `path`, or None."""
    import pyphen

    entry = _entry(path)
    if entry is None or not usable(entry.parent):  # only this user's own folder is trusted
        return None
    from cvbuild.confine import PathRefused, read_regular

    try:  # a regular file, not followed through a link, bounded: never blocks on a FIFO
        patterns, maxlen = marshal.loads(read_regular(entry, limit=ENTRY_BYTES))
    except (OSError, PathRefused, ValueError, EOFError, TypeError):  # missing, damaged or foreign
        return None
    if not plain_patterns(patterns) or type(maxlen) is not int:
        return None
    hyph_dict = pyphen.HyphDict.__new__(pyphen.HyphDict)
    hyph_dict.patterns, hyph_dict.cache, hyph_dict.maxlen = patterns, {}, maxlen
    return hyph_dict


def store(path: str | Path, hyph_dict: Any) -> None:
    """Keep `hyph_dict`'s patterns for the next process; nothing when they cannot be kept."""
    if set(vars(hyph_dict)) != HYPHDICT_ATTRIBUTES or not plain_patterns(hyph_dict.patterns):
        return
    entry = _entry(path)
    if entry is None or not usable(entry.parent) or entry.exists():
        return
    from cvbuild.targets.deadline import after_stop

    data = marshal.dumps((hyph_dict.patterns, hyph_dict.maxlen))
    with contextlib.suppress(OSError):  # full disk, read-only home: the render goes on
        fd, temporary = tempfile.mkstemp(dir=entry.parent, prefix=".tmp-")
        # WeasyPrint stores under the time limit, whose interruption can land in the `finally`.
        after_stop(partial(_remove, temporary))
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.replace(temporary, entry)  # whole or not at all, for a render beside this one
        finally:
            _remove(temporary)


def _remove(path: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)


def plain_patterns(patterns: Any) -> bool:
    """pyphen's patterns as `HyphDict` makes them for a standard dictionary: text -> (offset,
    values), every number a plain int (a `DataInt`, which carries a nonstandard hyphenation,
    is not)."""
    if type(patterns) is not dict:
        return False
    for text, pattern in patterns.items():
        if type(text) is not str or type(pattern) is not tuple or len(pattern) != 2:
            return False
        offset, values = pattern
        if type(offset) is not int or type(values) is not tuple or any(type(v) is not int for v in values):
            return False
    return True
