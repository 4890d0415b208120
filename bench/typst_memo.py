"""What Typst redoes when one compiler lays out a changed Document again, as `watch` does.

    python bench/typst_memo.py [--theme classic] [--runs 9]

One warm `typst.Compiler` (cvbuild's own, on the example's `-d cv` Document) compiles again after
each of these changes, and the median CPU time of a recompile is printed for each:

- nothing changed (every layout is served from Typst's memo);
- the headline edited (one line on page 1);
- the last entry's title edited (one line on the last page);
- an extra sys.inputs key that no template reads.

Each runs twice: with the Document in sys.inputs (as one-shot renders pass it) and in a file of a
staged package (as `watch` does: cvbuild/targets/typst_stage.py). Typst keeps sys.inputs in its
standard library, and nearly all of its memoized evaluation and layout depends on the library,
so any change to any input, even one nobody reads, lays the whole document out again: a
headline edit costs a cold layout, not a page's. (Callgrind, classic, sys.inputs: 66 M
instructions a recompile with the same inputs, 378 M after a headline edit, 356 M after the
unused key.) With the file, only what read the changed data is laid out again.
"""

from __future__ import annotations

import argparse
import copy
import datetime as _dt
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import EXAMPLE

from cvbuild.targets.typst_pdf import INPUT_KEY
from cvbuild.targets.typst_stage import STAGED_KEY, write_document


def edits() -> dict[str, Callable[[dict[str, Any], dict[str, str], int], None]]:
    def headline(doc: dict[str, Any], _inputs: dict[str, str], i: int) -> None:
        doc["person"]["headline"][0]["text"] = f"({i}) {doc['person']['headline'][0]['text']}"

    def last_entry(doc: dict[str, Any], _inputs: dict[str, str], i: int) -> None:
        title = doc["sections"][-1]["groups"][-1]["entries"][-1]["title"][0]
        title["text"] = f"({i}) {title['text']}"

    def unread_input(_doc: dict[str, Any], inputs: dict[str, str], i: int) -> None:
        inputs["unread"] = str(i)

    return {
        "nothing changed": lambda _d, _i, _n: None,
        "headline edited": headline,
        "last entry's title edited": last_entry,
        "an unread sys.inputs key": unread_input,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--theme", default="classic")
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()

    from cvbuild.loading.profile import load_profile
    from cvbuild.pipeline import RenderRequest, build_for, documents_to_render, today
    from cvbuild.targets import typst_pdf
    from cvbuild.targets.base import RenderContext
    from cvbuild.targets.typst_stage import staged_packages, staged_session
    from cvbuild.themes.theme import builtin_themes_dir

    request = RenderRequest(profile=EXAMPLE, theme=args.theme, document="cv")
    profile, _source = load_profile(request.profile, [], ())
    name, spec = documents_to_render(profile, "cv")[0]
    theme, doc = build_for(profile, name, spec, request, today())
    ctx = RenderContext(theme=theme, today=today(), profile_dir=request.profile.resolve().parent, options=doc.options)
    template = typst_pdf._template(ctx)
    compiler = typst_pdf._compiler(template, ctx, typst_pdf._package_dir(ctx))
    base = json.loads(typst_pdf.document_json(doc))
    stamp = _dt.datetime(2026, 1, 1, tzinfo=_dt.UTC)

    print(
        f"| {args.theme}: recompile after | sys.inputs (one-shot renders) | a file (`watch`) |\n| --- | ---: | ---: |"
    )
    cache: dict[Any, Any] = {}
    with staged_session(cache):
        packages = typst_pdf._package_dir(ctx)
        own_lib = builtin_themes_dir() / "base" / "packages" / "local" / "cvbuild" / "1.0.0" / "lib.typ"
        mirror = staged_packages(cache, packages, template.parent, own_lib)
        assert mirror is not None, "the theme reads sys.inputs itself"
        staged = typst_pdf._compiler(template, ctx, mirror)
        for label, edit in edits().items():
            row = [_median(compiler, base, edit, args.runs, stamp, None)]
            row.append(_median(staged, base, edit, args.runs, stamp, mirror))
            print(f"| {label} | {row[0]:.0f} ms | {row[1]:.0f} ms |")


def _median(compiler: Any, base: dict[str, Any], edit: Any, runs: int, stamp: Any, mirror: Path | None) -> float:
    """Median CPU ms of a recompile after `edit`: the Document in sys.inputs, or in `mirror`."""
    data, inputs = copy.deepcopy(base), {}

    def compile_now() -> None:
        if mirror is None:
            compiler.compile(sys_inputs={INPUT_KEY: json.dumps(data), **inputs}, timestamp=stamp, format="pdf")
        else:
            write_document(mirror, json.dumps(data))
            compiler.compile(sys_inputs={STAGED_KEY: "1", **inputs}, timestamp=stamp, format="pdf")

    compile_now()
    times = []
    for i in range(runs):
        edit(data, inputs, i)
        start = time.process_time()  # Typst's own threads too
        compile_now()
        times.append(time.process_time() - start)
    return 1000 * statistics.median(times)


if __name__ == "__main__":
    main()
