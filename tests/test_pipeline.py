"""Pipeline helpers: long-word warnings, the `font` option checked before any engine runs."""

from __future__ import annotations

import json
import re
import struct
import zlib
from pathlib import Path

import pytest
from conftest import run_cli, with_pdf_standards, write
from hypothesis import given, settings
from hypothesis import strategies as st

from cvbuild.pipeline import LONG_WORD, long_word_warnings, long_words

# What long_words replaces: a regular expression that tries every position of the text.
REFERENCE = re.compile(r'[^\s"\\]{' + str(LONG_WORD) + ",}")
CHARS = ["y", "é", "语", "\U00010000", ":", '"', "\\"]
SPACES = [" ", "\n", "\t", "\r", "\x0b", "\x0c", "\x85", "\u2028", "\u3000", "\xa0", "\x1c"]
PIECES = st.sampled_from(CHARS + SPACES)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(PIECES, st.integers(1, 120)), max_size=12))
def test_long_words_are_the_runs_the_regular_expression_finds(runs: list[tuple[str, int]]) -> None:
    text = "".join(piece * count for piece, count in runs)
    assert long_words(text) == REFERENCE.findall(text)


def test_long_word_warning_names_the_word_not_urls() -> None:
    word = "x" * 90
    url = "https://example.org/" + "p" * 90
    (warning,) = long_word_warnings(f'{{"a":"{word} and {url}","b":"short"}}')
    assert warning.startswith("a 90-character word (xxxxxxxx")


def test_no_long_word_warning_for_a_link_no_target_prints(tmp_path: Path) -> None:
    """A publication's or an entry's url is a [Paper] or [Link] button in the PDFs and the page and
    the whole URL in plain text: its `display` (the URL without scheme) is printed nowhere, but a
    news article's (the historian's CV in tests/fixtures/seeds) was warned of as an 86-character
    word longer than a line, and failed --strict. A long word the page prints is still told."""
    article = "https://www.theatlantic.com/ideas/archive/2018/08/the-humanities-face-a-crisisof-confidence/567565/"
    profile = tmp_path / "p.yaml"
    profile.write_text(
        "name: Ada Example\n"
        "publications:\n"
        "  - {title: The Humanities are in Crisis, authors: [Ada Example], venue: The Atlantic, date: 2018,\n"
        f"     url: '{article}'}}\n"
        "sections:\n"
        f"  - {{title: Media, entries: [{{title: Coverage, url: '{article}?x=1'}}]}}\n",
        encoding="utf-8",
    )
    result = run_cli("render", profile, "-f", "html,txt", "-o", tmp_path / "out", "--strict")
    assert result.returncode == 0 and "longer than a line" not in result.stderr, result.stderr
    assert article in (tmp_path / "out" / "ada-example.txt").read_text(encoding="utf-8")
    (warning,) = long_word_warnings(json.dumps({"person": {"website": None}, "x": "w" * 90}))
    assert warning.startswith("a 90-character word")


def _png(width: int, height: int) -> bytes:
    """A small valid PNG, for a photo."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


BIB = "@misc{a, title={T}, author={Ada Example}, year={2020}}\n"
# (files beside the profile, the profile's name, formats, the input the run would have destroyed)
COLLISIONS = {
    "the profile itself": ({}, "ada-example.md", "md", "ada-example.md"),
    "a .bib file": ({"ada-example.txt": BIB}, "p.yaml", "txt", "ada-example.txt"),
    "the photo, replaced by a preview": ({"ada-example-1.png": "PNG"}, "p.yaml", "png", "ada-example-1.png"),
    "the photo, removed as a stale preview": ({"ada-example-2.png": "PNG"}, "p.yaml", "png", "ada-example-2.png"),
}


@pytest.mark.parametrize("case", list(COLLISIONS))
def test_an_output_never_replaces_or_removes_an_input(tmp_path: Path, case: str) -> None:
    """`-o` at the profile's own folder: an output named like the profile, a .bib file or the
    photo was written over it (or, a photo named like an old preview page, deleted)."""
    files, name, fmt, victim = COLLISIONS[case]
    text = "name: Ada Example\nsummary: Hi.\n"
    for file, content in files.items():
        if content == "PNG":
            (tmp_path / file).write_bytes(_png(4, 4))
            text += f"photo: {file}\n"
        else:
            write(tmp_path / file, content)
            text += f"publications:\n  - bibtex: {file}\n"
    profile = write(tmp_path / name, text)
    before = (tmp_path / victim).read_bytes()
    result = run_cli("render", profile, "-f", fmt, "-o", tmp_path, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert f"the output {victim} would replace {tmp_path / victim}, an input of this run" in result.stderr
    assert "Traceback" not in result.stderr
    assert (tmp_path / victim).read_bytes() == before
    assert result.stdout == ""
    result = run_cli("render", profile, "-f", fmt, "-o", tmp_path / "out", cwd=tmp_path)
    assert result.returncode == 0, result.stderr


def test_the_photo_is_not_a_long_word(tmp_path: Path) -> None:
    """The photo's data: URI sits in the Document JSON but is never printed: no warning (which
    `--strict` would have made an error)."""
    profile = with_pdf_standards(tmp_path, "[]")
    result = run_cli("render", profile, "-f", "pdf,html", "-o", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert "longer than a line" not in result.stderr


def test_a_font_the_theme_lacks_is_an_error_where_it_was_written(tmp_path: Path) -> None:
    """Typst only warned ("unknown font family") and set the PDF in its default font, exit 0; the
    HTML page then failed with an error that named no file. Now each source of the value is named."""
    write(tmp_path / "themes" / "t" / "theme.toml", 'extends = "classic"\n[options]\nfont = "Helvetica"\n')
    write(tmp_path / "p.yaml", "name: Ada Example\n")
    result = run_cli("render", "p.yaml", "--theme", "t", "-f", "pdf", cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(
        f"{tmp_path / 'themes' / 't' / 'theme.toml'}:3:1: options.font: theme option font='Helvetica': "
        "no such font in the theme (system fonts are never used); choose a bundled family (DejaVu Sans, "
    )
    assert "Linux Libertine O" in result.stderr and "Inter Semi Bold" not in result.stderr
    assert not (tmp_path / "out").exists()
    assert run_cli("render", "p.yaml", "--theme", "t", "-f", "txt", cwd=tmp_path).returncode == 0  # draws no font

    write(tmp_path / "p.yaml", "name: Ada Example\ndocuments:\n  cv:\n    options: {font: Arial}\n")
    result = run_cli("render", "p.yaml", "-f", "html", cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("p.yaml:4:21: documents.cv.options.font: theme option font='Arial': no such")
    result = run_cli("render", "p.yaml", "-f", "png", "--set", "font=dejavu sans", cwd=tmp_path)
    assert result.returncode == 0, result.stderr  # the family matches as the engines match it
    result = run_cli("render", "p.yaml", "-f", "pdf", "--set", "font=Arial", cwd=tmp_path)
    assert result.returncode == 2 and result.stderr.startswith("error: --set: theme option font='Arial': no such")


@pytest.mark.parametrize(
    ("head", "files"),
    [
        ("name: 김지우\nnative_name: Jiwoo Kim\n", {"jiwoo-kim-cv.txt", "jiwoo-kim-resume.txt"}),
        ("name: 김지우\n", {"cv.txt", "resume.txt"}),
        ("name: Ada Example\nnative_name: 艾达\n", {"ada-example-cv.txt", "ada-example-resume.txt"}),
    ],
)
def test_a_name_in_another_script_names_the_files(tmp_path: Path, head: str, files: set[str]) -> None:
    """A Hangul or Han name has no ASCII spelling: its Latin native_name names the files, else
    the document alone does (it was `cv-cv.txt`)."""
    profile = write(tmp_path / "p.yaml", head + "summary: Hi.\ndocuments:\n  cv: {}\n  resume: {}\n")
    result = run_cli("render", profile, "-f", "txt", "-o", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert {p.name for p in (tmp_path / "out").iterdir()} == files


# ---- validate: every check of a build, no Document ------------------------------------------------


def test_validate_checks_each_document_without_formatting_its_entries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Formatting 10,000 publications took 1.2 s of validate's 3 s, for a Document it dropped;
    what a build can refuse (a merged section of the wrong kind) is still refused, per document."""
    from cvbuild.document import build, publications
    from cvbuild.errors import InputError
    from cvbuild.loading.profile import load_profile
    from cvbuild.pipeline import RenderRequest, check_documents

    def refused(*args: object, **kwargs: object) -> None:
        raise AssertionError("an entry was formatted")

    monkeypatch.setattr(publications, "entry", refused)
    monkeypatch.setattr(build, "_generic", refused)
    profile = write(
        tmp_path / "p.yaml",
        "name: Ada Example\npublications:\n  - {title: T, authors: [Ada Example], date: 2020}\n"
        "skills: [{category: X, items: [y]}]\nservice: [{role: Reviewer, date: 2024}]\n"
        "documents:\n  cv: {}\n  short:\n    sections: [{title: More, include: [service, skills]}]\n",
    )
    profile_data, source = load_profile(profile)
    with pytest.raises(InputError) as info:
        check_documents(profile_data, source, RenderRequest(profile=profile))
    assert "'skills' cannot be merged under 'More'" in str(info.value)
    write(profile, profile.read_text(encoding="utf-8").replace("include: [service, skills]", "include: [service]"))
    profile_data, source = load_profile(profile)
    check_documents(profile_data, source, RenderRequest(profile=profile))
    result = run_cli("validate", profile)
    assert result.returncode == 0 and "valid (Ada Example; 1 publication, 2 documents)" in result.stdout


def test_a_font_named_by_its_file_is_told_the_family_inside_it(tmp_path: Path) -> None:
    """A theme author puts `MyFont-Bold.otf` into the theme's fonts/ and writes `font = "MyFont"`
    (or `DejaVu Sans Condensed` for DejaVuSansCondensed.ttf, whose family is 'DejaVu Sans'): the
    error listed the bundled families and told them to put the file where it already was."""
    import shutil

    from cvbuild.themes.places import builtin_themes_dir

    fonts = tmp_path / "themes" / "t" / "fonts"
    fonts.mkdir(parents=True)
    shutil.copy(builtin_themes_dir() / "base" / "fonts" / "Inter-Bold.otf", fonts / "MyFont-Bold.otf")
    write(tmp_path / "themes" / "t" / "theme.toml", 'extends = "classic"\n[options]\nfont = "MyFont"\n')
    write(tmp_path / "p.yaml", "name: Ada Example\n")
    result = run_cli("render", "p.yaml", "--theme", "t", "-f", "html", cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert f"; in {fonts}: MyFont-Bold.otf is 'Inter' (a font is chosen by the family named inside it)" in (
        result.stderr
    ), result.stderr
    write(tmp_path / "themes" / "t" / "theme.toml", 'extends = "classic"\n[options]\nfont = "Inter"\n')
    assert run_cli("render", "p.yaml", "--theme", "t", "-f", "html", cwd=tmp_path).returncode == 0
