"""An HTML page's @font-face rules kept between runs: cutting the theme's fonts down to the page's
characters is ~15 ms of every fresh HTML render (the base theme's six faces), and the characters
of a CV rarely change from one render to the next.

An entry is used only when its key matches: for every face, its font file by `html.file_stamp`
(device, inode, size, modification and change times: any write changes the change time, which no
program can set back; a file changed in the last seconds is never cached), the characters and
layout features it is cut to and its CSS family, weight and style; and cvbuild's and HarfBuzz's
versions. An entry holds its key and the digest of its text, so a torn, damaged or colliding one
is never used, nor one holding a `<` (it could end the page's <style> element; the rules never
hold one). The entries live in the cache folder of the compiled templates
(`template_cache.cache_root`), the newest MAX_ENTRIES of them; CVBUILD_NO_CACHE=1 turns it off.
Never an error: without a cache the faces are cut as before.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

SUBDIR = "fonts"
MAX_ENTRY_BYTES = 64 * 1024 * 1024  # a page's faces (a CJK profile's subsets are a few MB)
MAX_ENTRIES = 32  # pages kept: the profiles and documents rendered last
_MAGIC = b"cvbuild font faces 1\n"


def entry_key(faces: list[tuple[str, str, str, int, bool, tuple[int, ...], str, tuple[bytes, ...]]]) -> str:
    """The key of a page's rules: each face as (CSS family, font file, family, weight, italic,
    file stamp, its characters in code point order, layout features), with the versions that
    decide what a cut gives."""
    import uharfbuzz

    from cvbuild import __version__

    text = repr((__version__, uharfbuzz.__version__, faces))
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def folder() -> Path | None:
    from cvbuild.targets.template_cache import cache_root, usable

    root = cache_root()
    if root is None or not usable(root / SUBDIR):
        return None
    return root / SUBDIR


def load(key: str) -> str | None:
    """The rules kept under `key`, or None (none kept, damaged, another key's)."""
    from cvbuild.confine import PathRefused, read_regular

    place = folder()
    if place is None:
        return None
    try:
        data = read_regular(place / f"{key}.css", limit=MAX_ENTRY_BYTES)
    except (OSError, PathRefused):
        return None
    head, digest, body = _split(data)
    if head != _MAGIC + key.encode("ascii") or digest != hashlib.blake2b(body).hexdigest().encode("ascii"):
        return None
    if b"<" in body:  # @font-face rules never hold one; an entry written by anyone else never ends <style>
        return None
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _split(data: bytes) -> tuple[bytes, bytes, bytes]:
    """(magic line and key, digest, text) of an entry; empty parts for a torn one."""
    key_end = data.find(b"\n", len(_MAGIC))
    digest_end = data.find(b"\n", key_end + 1) if key_end >= 0 else -1
    if digest_end < 0:
        return b"", b"", b""
    return data[:key_end], data[key_end + 1 : digest_end], data[digest_end + 1 :]


def store(key: str, text: str) -> None:
    """Keep `text` under `key` (written whole, then renamed into place); never an error."""
    place = folder()
    if place is None:
        return
    body = text.encode("utf-8")
    data = b"%s%s\n%s\n%s" % (_MAGIC, key.encode("ascii"), hashlib.blake2b(body).hexdigest().encode("ascii"), body)
    if len(data) > MAX_ENTRY_BYTES:
        return
    from cvbuild.targets.template_cache import keep_file

    keep_file(place / f"{key}.css", data, MAX_ENTRIES)
