"""The theme gallery: `cvbuild themes --preview DIR`, and the README's committed previews."""

from __future__ import annotations

import io
from pathlib import Path

from conftest import RESUME, ROOT, run_cli, write
from PIL import Image

from cvbuild.themes import gallery
from cvbuild.themes.check import full_example

GALLERY = ROOT / "docs" / "gallery"


def test_committed_previews_are_fresh(tmp_path: Path) -> None:
    themes = gallery.builtin_themes()
    written = gallery.write_previews(themes, full_example(), tmp_path, gallery.GALLERY_DATE)
    assert {p.name for p in written} == {f"{t.name}.png" for t in themes}
    committed = {p.name: p.read_bytes() for p in GALLERY.glob("*.png")}
    stale = [p.name for p in written if committed.get(p.name) != p.read_bytes()]
    assert not stale, f"docs/gallery is out of date for {stale}: run `{gallery.REGENERATE}` and commit the images"
    extra = set(committed) - {p.name for p in written}
    assert not extra, f"docs/gallery has previews of themes that are gone: {extra}"


def test_readme_shows_every_builtin_theme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for theme in gallery.builtin_themes():
        assert f"](docs/gallery/{theme.name}.png)" in readme


def test_themes_preview_renders_page_one_of_every_theme(tmp_path: Path) -> None:
    write(tmp_path / "themes" / "plain" / "theme.toml", 'name = "plain"\nextends = "base"\ntargets = ["txt"]\n')
    # a theme with a PDF and no png target: its page is drawn from its cv.typ all the same (it was skipped)
    write(tmp_path / "themes" / "printed" / "theme.toml", 'extends = "modern"\ntargets = ["pdf", "html"]\n')
    result = run_cli("themes", "--dir", tmp_path, "--preview", tmp_path / "out", "--profile", RESUME, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names == sorted([f"{t.name}.png" for t in gallery.builtin_themes()] + ["printed.png"])
    assert "plain has no png output; skipped" in result.stderr and "printed" not in result.stderr
    for path in (tmp_path / "out").iterdir():
        with Image.open(io.BytesIO(path.read_bytes())) as image:
            assert image.width == gallery.PREVIEW_WIDTH and 1.3 < image.height / image.width < 1.5  # one A4 page
    again = run_cli("themes", "--preview", tmp_path / "again", "--profile", RESUME, cwd=tmp_path, fresh=True)
    assert again.returncode == 0
    assert all((tmp_path / "again" / n).read_bytes() == (tmp_path / "out" / n).read_bytes() for n in names)


def test_themes_preview_bad_profile_exits_2(tmp_path: Path) -> None:
    bad = write(tmp_path / "bad.yaml", "name: [\n")
    result = run_cli("themes", "--preview", tmp_path / "out", "--profile", bad)
    assert result.returncode == 2 and "bad.yaml:" in result.stderr
    assert not (tmp_path / "out").exists()


def test_themes_lists_in_columns_with_or_without_a_description(tmp_path: Path) -> None:
    """A theme of one's own has no description until its author writes one: the columns after
    it were out of line with every other row."""
    write(tmp_path / "themes" / "mine" / "theme.toml", 'extends = "classic"\n')
    result = run_cli("themes", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    rows = result.stdout.splitlines()
    assert {row.split()[0] for row in rows} >= {"mine", "classic", "homepage"}
    assert len({row.index("[") for row in rows}) == 1  # the outputs start in one column
    described = [row for row in rows if row.split()[0] != "mine"]
    assert len({row.index("]  ") + 3 for row in described if row.split()[1].startswith("[pdf")}) == 1
    mine = next(row for row in rows if row.startswith("mine "))
    assert mine.endswith(f"({tmp_path / 'themes' / 'mine'})") and "  (" in mine
