"""Reading files that untrusted input names: themes, fonts, profile paths.

Every check runs on the resolved path (all symlinks and `..` followed), so a link inside a theme
that points at /etc/passwd is refused like the path itself would be. Files are opened without
blocking and must be regular files, so a FIFO, a device or a link to /dev/zero is refused at
once instead of hanging the build or being read without end.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Sequence
from pathlib import Path

from cvbuild.errors import InputError

THEME_FILE_BYTES = 16 * 1024 * 1024  # one template, stylesheet, theme.toml or Typst file
TREE_ENTRIES = 10_000  # files and folders in a folder an engine reads by itself (Typst root, fonts)


class PathRefused(InputError):
    """A path that leads outside the folders it may use, or to something that is not a file."""


NAME_BYTES, PATH_BYTES = 255, 4096  # Linux's NAME_MAX and PATH_MAX


def real(path: Path) -> Path:
    """The resolved path; a symlink loop or an over-long path is a refusal, not a traceback."""
    try:
        resolved = path.expanduser().resolve()
    except RecursionError:  # the caller's (a template that includes itself), not this path's
        raise
    except (OSError, RuntimeError, ValueError) as exc:
        raise PathRefused(f"{shorten(str(path))}: cannot resolve the path: {_reason(exc)}") from None
    encoded = [part.encode("utf-8", "surrogateescape") for part in resolved.parts]
    if sum(len(p) + 1 for p in encoded) > PATH_BYTES or any(len(p) > NAME_BYTES for p in encoded):
        raise PathRefused(
            f"{shorten(str(path))}: path too long (at most {NAME_BYTES} bytes a name, {PATH_BYTES} in all)"
        )
    return resolved


def shorten(text: str, limit: int = 120) -> str:
    """A path fit for a message: an over-long one keeps its start and end."""
    return text if len(text) <= limit else f"{text[: limit - 40]}…{text[-30:]} ({len(text):,} characters)"


def inside(path: Path, roots: Iterable[Path]) -> bool:
    """Whether a resolved path lies in one of the (resolved) roots."""
    return any(path == root or path.is_relative_to(root) for root in roots)


def resolve_within(path: Path, roots: Sequence[Path], where: str) -> Path:
    """The resolved path when it lies inside one of `roots`; `where` names the allowed folders."""
    resolved = real(path)
    if not inside(resolved, roots):
        shown = f"{path} (which leads to {resolved})" if resolved != path else str(path)
        raise PathRefused(f"{shown}: outside {where}; files may only come from there")
    return resolved


def profile_path(raw: str, profile_dir: Path, allow: Sequence[Path] = ()) -> Path:
    """A path written in a profile (`bibtex:`, `theme:`): relative to the profile's folder, and
    after resolve() inside it or inside a folder given with --allow-path."""
    try:
        path = Path(raw).expanduser()
    except RuntimeError:
        raise PathRefused(
            f"{raw}: no such user as {raw.split('/')[0]!r}; write the path relative to the profile"
        ) from None
    base = real(profile_dir)
    resolved = real(base / path)
    allowed = [base, *(real(p) for p in allow)]
    if not inside(resolved, allowed):
        extra = f" and the allowed folders {', '.join(str(p) for p in allowed[1:])}" if allowed[1:] else ""
        shown = f"{shorten(raw)} is" if str(resolved) == raw else f"{shorten(raw)} leads to {resolved}, which is"
        raise PathRefused(
            f"{shown} outside the profile's folder {base}{extra}; paths in a profile must stay "
            "inside its folder: move the file there, or allow its folder with --allow-path DIR"
        )
    return resolved


def read_regular(path: Path, *, limit: int = THEME_FILE_BYTES) -> bytes:
    """Read a regular file of at most `limit` bytes, never blocking on a FIFO or a device."""
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise PathRefused(f"{path}: cannot open: {_reason(exc)}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise PathRefused(f"{path}: {_kind(info.st_mode)}, not a regular file")
        if info.st_size > limit:
            raise PathRefused(f"{path}: {info.st_size:,} bytes, over the limit of {limit:,}")
        with os.fdopen(os.dup(fd), "rb") as fh:
            data = fh.read(limit + 1)
    finally:
        os.close(fd)
    if len(data) > limit:  # grew while read
        raise PathRefused(f"{path}: over the limit of {limit:,} bytes")
    return data


def read_confined(path: Path, roots: Sequence[Path], where: str, *, limit: int = THEME_FILE_BYTES) -> bytes:
    """`read_regular` of the resolved path, after checking that it lies inside `roots`."""
    return read_regular(resolve_within(path, roots, where), limit=limit)


def check_tree(top: Path, roots: Sequence[Path], where: str, *, limit: int = TREE_ENTRIES) -> None:
    """Refuse a folder an engine will read on its own (Typst's root and packages, font folders)
    when anything in it is not a file or folder, or is a link leading outside `roots`."""
    seen: set[Path] = set()
    pending = [resolve_within(top, roots, where)]
    count = 0
    while pending:
        folder = pending.pop()
        if folder in seen:
            continue
        seen.add(folder)
        try:
            entries = list(os.scandir(folder))
        except OSError as exc:
            raise PathRefused(f"{folder}: cannot list: {_reason(exc)}") from None
        for entry in entries:
            count += 1
            if count > limit:
                raise PathRefused(f"{top}: more than {limit:,} files and folders; a theme folder holds its own files")
            path = Path(entry.path)
            mode = entry.stat(follow_symlinks=False).st_mode
            if stat.S_ISLNK(mode):
                target = resolve_within(path, roots, where)
                try:
                    mode = target.stat().st_mode
                except OSError as exc:
                    raise PathRefused(f"{path}: broken link: {_reason(exc)}") from None
                if stat.S_ISDIR(mode):
                    pending.append(target)
                elif not stat.S_ISREG(mode):
                    raise PathRefused(f"{path}: leads to {_kind(mode)}, not a regular file")
            elif stat.S_ISDIR(mode):
                pending.append(path)
            elif not stat.S_ISREG(mode):
                raise PathRefused(f"{path}: {_kind(mode)}, not a regular file")


def _kind(mode: int) -> str:
    for test, name in (
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISFIFO, "a named pipe (FIFO)"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    ):
        if test(mode):
            return name
    return "a special file"


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__
