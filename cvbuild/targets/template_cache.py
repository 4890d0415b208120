"""Compiled Jinja templates kept between runs: compiling the base theme's templates is about
0.35 s of CPU in every fresh process that writes html, txt or md; loading them is a few ms.

A compiled template is used only when its key and checksum both match: the key hashes the
template's name and file, cvbuild's, Jinja's and Python's versions and every environment option
that changes the generated code; the checksum (Jinja's) hashes the template's source, so an
edited template, or an edited file it includes, is compiled again. The cache lives in
$CVBUILD_CACHE_DIR, else $XDG_CACHE_HOME/cvbuild, else ~/.cache/cvbuild; CVBUILD_NO_CACHE=1
turns it off. A folder that cannot be created or written, or a damaged entry, means no cache:
the template is compiled as before, never an error.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
import sys
from pathlib import Path
from typing import Any

SUBDIR = "jinja"
ENTRY_BYTES = 64 * 1024 * 1024  # one compiled template (the base theme's largest: ~80 KB)


def cache_root() -> Path | None:
    """cvbuild's cache folder (compiled templates, `typst_warm`'s recipes), or None when caching is off."""
    if os.environ.get("CVBUILD_NO_CACHE", "") not in ("", "0"):
        return None
    explicit = os.environ.get("CVBUILD_CACHE_DIR")
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".cache"
    return base / "cvbuild"


def cache_dir() -> Path | None:
    """Where compiled templates go, or None when caching is off."""
    root = cache_root()
    return None if root is None else root / SUBDIR


def fingerprint(env: Any) -> str:
    """What besides the source decides the compiled code: versions and environment options."""
    import jinja2

    from cvbuild import __version__

    parts = [
        __version__,
        jinja2.__version__,
        sys.version,
        type(env).__qualname__,
        env.undefined.__qualname__,
        repr(env.autoescape),
        repr((env.trim_blocks, env.lstrip_blocks, env.keep_trailing_newline, env.newline_sequence)),
        repr((env.block_start_string, env.variable_start_string, env.comment_start_string)),
        repr(sorted(env.extensions)),
        repr(sorted(env.filters)),
        repr(sorted(env.tests)),
        repr(sorted(getattr(env, "intercepted_binops", ()))),  # compiled into the code
    ]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def bytecode_cache(env: Any) -> Any:
    """A Jinja BytecodeCache for `env` (call after its filters are set), or None."""
    from jinja2.bccache import FileSystemBytecodeCache

    folder = cache_dir()
    if folder is None or not usable(folder):
        return None
    key_prefix = fingerprint(env)

    class TemplateCache(FileSystemBytecodeCache):
        def get_cache_key(self, name: str, filename: str | None = None) -> str:
            text = f"{key_prefix}\0{name}\0{filename or ''}"
            return hashlib.sha256(text.encode("utf-8")).hexdigest()

        def load_bytecode(self, bucket: Any) -> None:
            from cvbuild.confine import PathRefused, read_regular

            # Not Jinja's open(): a FIFO put where an entry goes blocked every render for good.
            try:
                data = read_regular(Path(self._get_cache_filename(bucket)), limit=ENTRY_BYTES)
            except (OSError, PathRefused):  # none yet, or not a regular file: compile
                return
            try:
                bucket.bytecode_from_string(data)
            except Exception:  # damaged or foreign: compile instead
                bucket.reset()

        def dump_bytecode(self, bucket: Any) -> None:
            with contextlib.suppress(OSError):  # full disk, read-only home: the render goes on
                super().dump_bytecode(bucket)

    return TemplateCache(str(folder), "cvbuild-%s.jinja")


def usable(folder: Path) -> bool:
    """The folder exists or is made, is a folder of this user's, and is writable."""
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        info = folder.lstat()
    except OSError:
        return False
    mine = not hasattr(os, "getuid") or info.st_uid == os.getuid()
    return stat.S_ISDIR(info.st_mode) and mine and os.access(folder, os.W_OK)


def keep_file(path: Path, data: bytes, keep: int) -> None:
    """Write a cache entry whole (a temporary file, then a rename: a reader never sees half of it;
    never through a link), then remove all but the `keep` entries of its folder with its suffix
    written last. Never an error: on a full disk or a read-only home the render goes on uncached."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with contextlib.suppress(OSError):
        flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
        with os.fdopen(os.open(temporary, flags, 0o600), "wb") as handle:
            handle.write(data)
        os.replace(temporary, path)
        prune(path.parent, path.suffix, keep)
    with contextlib.suppress(OSError):
        temporary.unlink(missing_ok=True)


def prune(folder: Path, suffix: str, keep: int) -> None:
    """Remove all but the `keep` files ending in `suffix` written last."""
    with contextlib.suppress(OSError):
        entries = [(e.stat().st_mtime_ns, e.path) for e in os.scandir(folder) if e.name.endswith(suffix)]
        for _, old in sorted(entries, reverse=True)[keep:]:
            with contextlib.suppress(OSError):
                os.unlink(old)
