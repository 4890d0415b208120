"""An HTML page's @font-face rules kept between runs never serve another font's or page's cut."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import EXAMPLE

from cvbuild.pipeline import RenderRequest, parse_formats, render
from cvbuild.targets import face_cache, html, webfonts
from cvbuild.themes.theme import builtin_themes_dir

FONTS = builtin_themes_dir() / "base" / "fonts"


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CVBUILD_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("CVBUILD_NO_CACHE", raising=False)
    return tmp_path / "cache" / face_cache.SUBDIR


def _page(tmp_path: Path, name: str) -> bytes:
    request = RenderRequest(profile=EXAMPLE, formats=parse_formats("html"), document="cv", output=tmp_path / name)
    (path,) = render(request, cache={})  # a fresh cache, as in a new process
    return path.read_bytes()


def test_the_next_run_takes_the_faces_from_the_cache(
    tmp_path: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = _page(tmp_path, "a")
    assert len(list(cache_dir.glob("*.css"))) == 1

    def no_cut(*_args: object) -> bytes:
        raise AssertionError("cut again")

    monkeypatch.setattr(webfonts, "subset", no_cut)
    assert _page(tmp_path, "b") == first


def _part(font: Path, chars: str = "Ada Lovelace") -> webfonts.Part:
    return webfonts.Part("cvbuild-main", (webfonts.Face(font, "Face", 400, False),), frozenset(chars))


def test_a_font_file_replaced_under_the_same_name_is_cut_again(
    tmp_path: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(html, "SETTLED_NS", 0)  # a file written just now is never kept otherwise
    font = tmp_path / "Face-Regular.otf"
    font.write_bytes((FONTS / "Inter-Regular.otf").read_bytes())
    first = html.font_faces([_part(font)], {})
    assert html.font_faces([_part(font)], {}) == first == webfonts.font_face_css([_part(font)])
    font.write_bytes((FONTS / "LinLibertine_R.otf").read_bytes())
    second = html.font_faces([_part(font)], {})
    assert second == webfonts.font_face_css([_part(font)]) != first
    # other characters: another entry
    assert html.font_faces([_part(font, "Bo Li")], {}) == webfonts.font_face_css([_part(font, "Bo Li")])
    assert len(list(cache_dir.glob("*.css"))) == 3


def test_a_font_written_in_the_last_seconds_is_not_kept(tmp_path: Path, cache_dir: Path) -> None:
    font = tmp_path / "Face-Regular.otf"
    font.write_bytes((FONTS / "Inter-Regular.otf").read_bytes())
    assert html.font_faces([_part(font)], {}) == webfonts.font_face_css([_part(font)])
    assert not list(cache_dir.glob("*.css"))


@pytest.mark.parametrize("damage", ["text", "torn", "key", "empty", "markup"])
def test_a_damaged_or_foreign_entry_is_never_used(
    tmp_path: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch, damage: str
) -> None:
    monkeypatch.setattr(html, "SETTLED_NS", 0)
    font = tmp_path / "Face-Regular.otf"
    font.write_bytes((FONTS / "Inter-Regular.otf").read_bytes())
    right = html.font_faces([_part(font)], {})
    (entry,) = cache_dir.glob("*.css")
    data = entry.read_bytes()
    if damage == "text":  # a byte of the rules changed: the digest no longer matches
        at = data.rindex(b"font-weight:400")
        data = data[:at] + b"font-weight:700" + data[at + 15 :]
    elif damage == "torn":
        data = data[: len(data) // 2]
    elif damage == "key":  # another page's entry, under this page's name
        other = html.font_faces([_part(font, "Bo Li")], {})
        assert other != right
        (data,) = [p.read_bytes() for p in cache_dir.glob("*.css") if p != entry]
    elif damage == "markup":  # whole, with a matching digest, but it would end the <style> element
        key = entry.stem
        face_cache.store(key, "</style><script>alert(1)</script>")
        data = entry.read_bytes()
        assert face_cache.load(key) is None
    else:
        data = b""
    entry.write_bytes(data)
    assert html.font_faces([_part(font)], {}) == right


def test_no_cache_keeps_nothing(tmp_path: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CVBUILD_NO_CACHE", "1")
    _page(tmp_path, "a")
    assert not cache_dir.exists()


def test_only_the_newest_entries_are_kept(cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(face_cache, "MAX_ENTRIES", 3)
    for n in range(5):
        face_cache.store(f"{n:064x}", f"rules {n}")
    assert sorted(p.name for p in cache_dir.glob("*.css")) == [f"{n:064x}.css" for n in (2, 3, 4)]
    assert face_cache.load(f"{4:064x}") == "rules 4"
    assert face_cache.load(f"{0:064x}") is None
