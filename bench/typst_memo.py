"""What Typst redoes when one compiler lays out a changed Document again, as `watch` does.

    python bench/typst_memo.py [--theme classic] [--runs 9]

One warm `typst.Compiler` (cvbuild's own, on the example's `-d cv` Document) compiles again after
each of these changes, and the median CPU time of a recompile is printed for each:

- nothing changed (every layout is served from Typst's memo);
- the headline edited (one line on page 1);
- the last entry's title edited (one line on the last page);
- an extra sys.inputs key that no template reads.

The last row is the point: Typst keeps sys.inputs in its standard library, and nearly all of its
memoized evaluation and layout depends on the library, so any change to any input, even one
nobody reads, lays the whole document out again. A headline edit costs a cold layout, not a
page's. (Callgrind, classic: 66 M instructions a recompile with the same inputs, 378 M after a
headline edit, 356 M after the unused key.)
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

    request = RenderRequest(profile=EXAMPLE, theme=args.theme, document="cv")
    profile, _source = load_profile(request.profile, [], ())
    name, spec = documents_to_render(profile, "cv")[0]
    theme, doc = build_for(profile, name, spec, request, today())
    ctx = RenderContext(theme=theme, today=today(), profile_dir=request.profile.resolve().parent, options=doc.options)
    template = typst_pdf._template(ctx)
    compiler = typst_pdf._compiler(template, ctx, typst_pdf._package_dir(ctx))
    base = json.loads(typst_pdf.document_json(doc))
    stamp = _dt.datetime(2026, 1, 1, tzinfo=_dt.UTC)

    print(f"| {args.theme}: recompile after | median CPU ({args.runs} runs) |\n| --- | ---: |")
    for label, edit in edits().items():
        data, inputs = copy.deepcopy(base), {}
        compiler.compile(sys_inputs={typst_pdf.INPUT_KEY: json.dumps(data)}, timestamp=stamp, format="pdf")
        times = []
        for i in range(args.runs):
            edit(data, inputs, i)
            payload = {typst_pdf.INPUT_KEY: json.dumps(data), **inputs}
            start = time.process_time()  # Typst's own threads too
            compiler.compile(sys_inputs=payload, timestamp=stamp, format="pdf")
            times.append(time.process_time() - start)
        print(f"| {label} | {1000 * statistics.median(times):.0f} ms |")


if __name__ == "__main__":
    main()
