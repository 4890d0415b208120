"""The profile fields added for JSON Resume and RenderCV users, in every built-in theme and format:
photo (confined, embedded), contact.profiles, certificates, volunteer, references, interests with
keywords, skill levels, education courses."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from conftest import BUILTIN_THEMES, FIXTURES, pdf_text, run_cli, squash, write

EXTRAS = FIXTURES / "interop" / "extras.yaml"
PHOTO = FIXTURES / "interop" / "photo.png"

# What extras.yaml must show in every format and theme.
SHOWN = [
    "Codeberg",
    "AWS Certified Data Engineer – Associate",
    "Amazon Web Services",
    "CorrelAid e.V.",
    "Coordinated twelve volunteers",
    "Prof. Dr. Miriam Adeyemi",
    "Master's thesis advisor",
    "rare engineering rigour",
    "bike touring",
    "Expert",
    "Intermediate",
    "Database Internals",
    "Open Data Collective",
]


def has_image(pdf: Path) -> bool:
    return re.search(rb"/Subtype\s*/Image", pdf.read_bytes()) is not None


@pytest.fixture
def extras(tmp_path: Path) -> Path:
    shutil.copy(PHOTO, tmp_path / "photo.png")
    return write(tmp_path / "p.yaml", EXTRAS.read_text(encoding="utf-8"))


@pytest.mark.parametrize("theme", BUILTIN_THEMES)
def test_new_fields_show_in_every_format(extras: Path, theme: str) -> None:
    out = extras.parent / "out"
    result = run_cli("render", extras, "--theme", theme, "-f", "pdf,html,txt,md", "-o", out)
    assert result.returncode == 0, result.stderr
    texts = {
        "pdf": squash(pdf_text(out / "lena-okafor-brandt.pdf")),
        "txt": squash((out / "lena-okafor-brandt.txt").read_text(encoding="utf-8")),
        "md": squash((out / "lena-okafor-brandt.md").read_text(encoding="utf-8").replace("\\", "").replace("*", "")),
        "html": squash((out / "lena-okafor-brandt.html").read_text(encoding="utf-8").replace("&#39;", "'")),
    }
    for fmt, text in texts.items():
        text = text.replace("\u2019", "'")  # typographic apostrophes in print
        for value in SHOWN:
            assert squash(value) in text, (fmt, value)
        if fmt in ("txt", "md"):  # PDF and HTML themes place the level as they like
            assert squash("Python (Expert)") in text, fmt


def test_references_on_request(tmp_path: Path) -> None:
    profile = write(tmp_path / "p.yaml", "name: Ada Example\nreferences: on_request\n")
    out = tmp_path / "out"
    assert run_cli("render", profile, "-f", "pdf,txt,html", "-o", out).returncode == 0
    assert "Available on request." in (out / "ada-example.txt").read_text()
    assert "Available on request." in pdf_text(out / "ada-example.pdf")
    bad = write(tmp_path / "q.yaml", "name: Ada Example\nreferences: on request please\n")
    result = run_cli("validate", bad)
    assert result.returncode == 2 and f"{bad}:2:13: references: " in result.stderr, result.stderr


def test_photo_is_embedded_where_the_theme_shows_it(extras: Path) -> None:
    out = extras.parent / "out"
    assert run_cli("render", extras, "-f", "pdf,html", "-o", out).returncode == 0  # classic: on by default
    html = (out / "lena-okafor-brandt.html").read_text(encoding="utf-8")
    assert re.search(r'<img class="photo" src="data:image/png;base64,[A-Za-z0-9+/=]+" width="240" height="300"', html)
    assert has_image(out / "lena-okafor-brandt.pdf")
    modern = extras.parent / "modern"
    assert run_cli("render", extras, "--theme", "modern", "-f", "pdf,html", "-o", modern).returncode == 0
    assert "<img" not in (modern / "lena-okafor-brandt.html").read_text(encoding="utf-8")  # résumé: off
    assert not has_image(modern / "lena-okafor-brandt.pdf")
    on = extras.parent / "on"
    args = ["--theme", "modern", "--set", "show_photo=true", "-f", "pdf,html", "-o", on]
    assert run_cli("render", extras, *args).returncode == 0
    assert has_image(on / "lena-okafor-brandt.pdf")
    weasy = extras.parent / "weasy"
    assert run_cli("render", extras, "-f", "pdf", "--engine", "weasyprint", "-o", weasy).returncode == 0
    assert has_image(weasy / "lena-okafor-brandt.pdf")


@pytest.mark.parametrize(
    ("photo", "content", "message"),
    [
        ("../outside.png", None, "is outside the profile's folder"),
        ("missing.png", None, "does not exist"),
        ("fake.png", b"GIF89a....", "is not a PNG or JPEG image"),
        ("https://example.org/me.png", None, "must be a local PNG or JPEG file"),
        ("link.png", "symlink", "is outside the profile's folder"),
        ("a" * 300 + ".png", None, "path too long (at most 255 bytes a name"),  # was exit 1, OSError
        ("pipe.png", "fifo", "'pipe.png': a named pipe (FIFO), not a regular file"),  # was "does not exist"
        (".", None, "'.': a folder, not a regular file"),
    ],
)
def test_bad_photo_is_a_located_error(tmp_path: Path, photo: str, content: bytes | str | None, message: str) -> None:
    folder = tmp_path / "cv"
    folder.mkdir()
    shutil.copy(PHOTO, tmp_path / "outside.png")
    if content == "symlink":
        (folder / photo).symlink_to(tmp_path / "outside.png")
    elif content == "fifo":
        os.mkfifo(folder / photo)
    elif isinstance(content, bytes):
        (folder / photo).write_bytes(content)
    profile = write(folder / "p.yaml", f"name: Ada Example\nphoto: {photo}\n")
    for command in (["validate", profile], ["render", profile, "-f", "html", "-o", folder / "out"]):
        result = run_cli(*command)
        assert result.returncode == 2, result.stderr
        assert f"{profile}:2:8: photo: " in result.stderr and message in result.stderr, result.stderr
    assert not (folder / "out").exists()


def test_profile_link_needs_a_url_unless_the_network_is_named(tmp_path: Path) -> None:
    ok = "  profiles:\n    - {network: GitHub, username: ada}\n    - {network: Codeberg, url: 'https://codeberg.org/ada'}\n"
    profile = write(tmp_path / "p.yaml", "name: Ada Example\ncontact:\n" + ok)
    out = tmp_path / "out"
    assert run_cli("render", profile, "-f", "txt", "-o", out).returncode == 0
    text = (out / "ada-example.txt").read_text()
    assert "GitHub: https://github.com/ada" in text and "Codeberg: https://codeberg.org/ada" in text
    bad = write(
        tmp_path / "q.yaml", "name: Ada Example\ncontact:\n  profiles:\n    - {network: Keybase, username: ada}\n"
    )
    result = run_cli("validate", bad)
    assert result.returncode == 2 and "contact.profiles[0]: give the profile's `url`" in result.stderr
