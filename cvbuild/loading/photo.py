"""The profile's `photo`: a PNG or JPEG inside the profile's folder, read once and embedded.

The path is checked after resolve(), so neither `..` nor a symbolic link reaches outside the
folder. Size and pixel count are capped before any engine decodes the image, and only the
two formats every engine reads the same way are accepted (no SVG: it can reference files).
"""

from __future__ import annotations

import base64
import struct
from pathlib import Path

from cvbuild import confine
from cvbuild.document.model import Photo
from cvbuild.errors import InputError
from cvbuild.loading.yaml_source import YamlSource
from cvbuild.schema.model import Profile

MAX_PHOTO_BYTES = 5 * 1024 * 1024
MAX_PHOTO_PIXELS = 40_000_000  # a decoded 40 Mpx RGBA image is 160 MB: enough for any portrait

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JPEG_MAGIC = b"\xff\xd8\xff"


def load_photo(source: YamlSource, profile: Profile) -> Photo | None:
    """The checked photo of `profile`, or None; raises InputError located at `photo:`."""
    if profile.photo is None:
        return None
    try:
        return read_photo(source.path.resolve().parent, profile.photo)
    except ValueError as exc:
        raise InputError([source.problem(("photo",), str(exc))]) from None


def read_photo(folder: Path, rel: str) -> Photo:
    """Read `rel` below `folder`; ValueError says what is wrong and how to fix it."""
    try:  # an over-long name or a link loop is the profile's mistake, not a crash
        path = confine.real(folder / rel)
    except confine.PathRefused as exc:
        raise ValueError(str(exc)) from None
    if not path.is_relative_to(folder):
        raise ValueError(f"{rel!r} is outside the profile's folder; copy the photo next to the profile")
    if not path.exists():
        raise ValueError(f"{rel!r} does not exist; give the path of a PNG or JPEG file relative to the profile")
    size = path.stat().st_size
    if size > MAX_PHOTO_BYTES:
        raise ValueError(f"{rel!r} is {size // 1024} KiB; a photo may be {MAX_PHOTO_BYTES // 1024 // 1024} MiB at most")
    try:  # a regular file: a FIFO named like a photo would hang the build, a folder is no image
        data = confine.read_regular(path, limit=MAX_PHOTO_BYTES)
    except confine.PathRefused as exc:
        raise ValueError(f"{rel!r}: {str(exc).removeprefix(f'{path}: ')}") from None
    mime, dims = _sniff(data)
    if mime is None:
        raise ValueError(f"{rel!r} is not a PNG or JPEG image; convert it to one of those")
    if dims is None:
        raise ValueError(f"{rel!r}: cannot read the image size; the file looks damaged")
    width, height = dims
    if width * height > MAX_PHOTO_PIXELS or not width or not height:
        raise ValueError(f"{rel!r} is {width}×{height} pixels; scale it down (a photo needs about 600×800)")
    uri = f"data:{mime};base64," + base64.b64encode(data).decode("ascii")
    return Photo(mime=mime, data_uri=uri, width=width, height=height)


def photo_bytes(photo: Photo) -> bytes:
    """The image bytes back from the data: URI (the Typst target embeds them)."""
    return base64.b64decode(photo.data_uri.split(",", 1)[1])


def _sniff(data: bytes) -> tuple[str | None, tuple[int, int] | None]:
    """Format from the magic bytes; size from PNG's IHDR or JPEG's first SOF marker."""
    if data.startswith(PNG_MAGIC):
        if len(data) >= 24 and data[12:16] == b"IHDR":
            width, height = struct.unpack(">II", data[16:24])
            return "image/png", (width, height)
        return "image/png", None
    if data.startswith(JPEG_MAGIC):
        return "image/jpeg", _jpeg_size(data)
    return None, None


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    i = 2
    while i + 9 < len(data):
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        length = struct.unpack(">H", data[i + 2 : i + 4])[0]
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[i + 5 : i + 9])
            return width, height
        i += 2 + length
    return None
