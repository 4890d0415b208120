"""The floor under `cvbuild render example -d cv -f pdf` in a fresh process: what the stack alone
costs, with no cvbuild code at all.

    python bench/floor.py [--out PDF] DOCUMENT.json TEMPLATE.typ PACKAGES_DIR FONT_DIR...

It imports pydantic (plugins off, as cvbuild's entry sets them), builds and uses one small model,
then compiles the theme's cv.typ with Typst on the very Document JSON cvbuild would pass, with the
same fonts and packages. bench/run.py times it beside the real command, so the table shows how
much of a render is cvbuild's own and how much the libraries DESIGN.md names cost by themselves.
Deliberately free of any cvbuild import: importing cvbuild would put its cost into the floor.
"""

from __future__ import annotations

import datetime as _dt
import os
import sys


def main(argv: list[str]) -> None:
    out = None
    if argv[:1] == ["--out"]:  # for the test that holds the floor to the same PDF text as cvbuild's
        out, argv = argv[1], argv[2:]
    document, template, packages, *font_dirs = argv
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    from pydantic import BaseModel

    class Person(BaseModel):
        name: str

    Person.model_validate({"name": "Ada"})

    import typst

    root = os.path.dirname(os.path.realpath(template))
    compiler = typst.Compiler(
        os.path.realpath(template),
        root=root,
        font_paths=typst.Fonts(include_system_fonts=False, include_embedded_fonts=False, font_paths=font_dirs),
        ignore_system_fonts=True,
        package_path=packages,
        package_cache_path=packages,
    )
    with open(document, encoding="utf-8") as handle:
        data = handle.read()
    stamp = _dt.datetime(2026, 1, 1, tzinfo=_dt.UTC)
    pdf = compiler.compile(sys_inputs={"cvbuild": data}, timestamp=stamp, format="pdf")
    if out is not None:
        with open(out, "wb") as handle:
            handle.write(pdf)


if __name__ == "__main__":
    main(sys.argv[1:])
