"""Theme previews: page 1 of one profile in every theme, as PNG.

`cvbuild themes --preview DIR` renders every theme cvbuild can find; `make gallery` (this module
run as a script) renders the built-in themes into docs/gallery for the README, with a fixed date
so the images are the same bytes on every run.
"""

from __future__ import annotations

import datetime as _dt
import io
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

from cvbuild.themes.theme import Theme, builtin_themes_dir, list_themes, load_theme

PREVIEW_WIDTH = 640  # pixels: sharp enough to judge a theme, small enough to commit
GALLERY_DATE = _dt.date(2026, 1, 1)
REGENERATE = "make gallery"


def preview_png(theme: Theme, profile: Path, today: _dt.date) -> bytes:
    """Page 1 of the profile's first document in `theme`, scaled to PREVIEW_WIDTH."""
    from PIL import Image

    from cvbuild.loading.profile import load_profile
    from cvbuild.pipeline import RenderRequest, build_for, documents_to_render
    from cvbuild.targets.base import RenderContext, render_format

    loaded, _ = load_profile(profile)
    name, spec = documents_to_render(loaded, None)[0]
    _, doc = build_for(loaded, name, spec, RenderRequest(profile=profile, theme=str(theme.path)), today)
    ctx = RenderContext(theme, today, profile.resolve().parent, options=doc.options)
    page = render_format("png", None, doc, ctx)[0].data
    with Image.open(io.BytesIO(page)) as image:
        height = round(image.height * PREVIEW_WIDTH / image.width)
        small = image.convert("RGB").resize((PREVIEW_WIDTH, height), Image.Resampling.LANCZOS)
        # 256 colours: anti-aliased text stays smooth, the file is a third of the size
        small = small.quantize(256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    out = io.BytesIO()
    small.save(out, format="PNG", optimize=True)
    return out.getvalue()


def write_previews(
    themes: Iterable[Theme],
    profile: Path,
    out_dir: Path,
    today: _dt.date,
    skipped: Callable[[Theme], None] = lambda _t: None,
) -> list[Path]:
    """DIR/NAME.png for each theme with a png or pdf target (a PNG page is drawn from cv.typ, as the
    PDF is: a theme written with targets = ["pdf", "html"] was skipped); the others are passed to `skipped`."""
    from cvbuild.errors import InputError
    from cvbuild.output import atomic_write, write_failure

    if out_dir.exists() and not out_dir.is_dir():
        raise InputError(f"--preview {out_dir}: not a folder; give a folder for the previews")
    written = []
    for listed in themes:
        if not {"png", "pdf"} & set(listed.targets):
            skipped(listed)
            continue
        theme = load_theme(str(listed.path))
        path = out_dir / f"{theme.name}.png"
        png = preview_png(theme, profile, today)
        try:
            atomic_write(path, png)
        except OSError as exc:
            raise write_failure(f"{path}: cannot write", exc) from None
        written.append(path)
    return written


def builtin_themes() -> list[Theme]:
    """The built-in themes that have a page to preview (png); the homepage theme is HTML only."""
    return [t for t in list_themes(None) if t.path.parent == builtin_themes_dir() and "png" in t.targets]


def main(argv: list[str] | None = None) -> int:
    """`python -m cvbuild.themes.gallery DIR`: the README's gallery of the built-in themes."""
    from cvbuild.themes.check import full_example

    args = sys.argv[1:] if argv is None else argv
    out_dir = Path(args[0] if args else "docs/gallery")
    for path in write_previews(builtin_themes(), full_example(), out_dir, GALLERY_DATE):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
