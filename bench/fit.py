"""What fitting to `max_pages` costs: fresh one-page renders with and without a page budget.

Each pair renders the same content; the only difference is `max_pages: 1`, so the difference of
the medians (CPU time: user+sys) is what fitting adds (DESIGN.md budget: at most 100 ms). Run it on an idle machine:

    .venv/bin/python bench/fit.py [--runs 7]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import ROOT, Result, measure  # the shared fresh-process timer

ONEPAGE = ROOT / "profiles" / "onepage.yaml"
RESUME = ROOT / "profiles" / "resume.yaml"
BUDGET = 0.1  # seconds that fitting may add


def variants(work: Path) -> list[tuple[str, Path, Path, str]]:
    """(what, budgeted profile, the same without a budget, theme)."""
    out = []
    # resume.yaml with ten more bullets: a few lines over, fitted by spacing alone (six, once,
    # still fitted at the theme's own size)
    text = RESUME.read_text(encoding="utf-8")
    marker = "      - Mentor four engineers; run the team's design reviews.\n"
    line = "      - Extra achievement number {} with enough words to fill most of one line of the page.\n"
    extra = "".join(line.format(i) for i in range(10))
    over = text.replace(marker, marker + extra)
    assert over != text, "bench/fit.py: the bullet the extra ones follow is no longer in resume.yaml"
    cases = [
        ("resume + 10 bullets, modern (spacing)", over, "modern"),
        ("onepage, modern (spacing, size, margins)", ONEPAGE.read_text(encoding="utf-8"), "modern"),
        ("onepage, compact (fits as it is)", ONEPAGE.read_text(encoding="utf-8"), "compact"),
    ]
    for i, (what, body, theme) in enumerate(cases):
        budgeted = work / f"case{i}" / "p.yaml"
        free = work / f"case{i}-free" / "p.yaml"
        for path, content in ((budgeted, body), (free, body.replace("max_pages: 1", "formats: [pdf]"))):
            path.parent.mkdir(parents=True)
            path.write_text(content, encoding="utf-8")
        out.append((what, budgeted, free, theme))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7, help="timed runs per command (median reported; at least 5)")
    runs = max(5, parser.parse_args().runs)
    work = Path(tempfile.mkdtemp(prefix="cvbuild-bench-fit-"))
    rows: list[tuple[str, Result, Result]] = []
    try:
        for what, budgeted, free, theme in variants(work):
            args = ["-f", "pdf", "--theme", theme, "-o", str(work / "out")]
            with_fit = measure(f"{what}: max_pages 1", ["render", str(budgeted), *args], runs, None, ROOT)
            without = measure(f"{what}: no budget", ["render", str(free), *args], runs, None, ROOT)
            rows.append((what, with_fit, without))
            print(f"  measured {what}", file=sys.stderr)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"\nfitting to max_pages: {runs} fresh runs each, median; {os.cpu_count()} CPUs; load now {load}")
    print("CPU time (user+sys of the process) is the figure to trust on a shared machine.\n")
    budget = f"budget {BUDGET * 1000:.0f} ms"
    print(f"| case | no budget: wall / CPU | max_pages 1: wall / CPU | fitting adds (CPU) | {budget} | load |")
    print("|---|---:|---:|---:|---|---:|")
    for what, with_fit, without in rows:
        added = with_fit.cpu_s - without.cpu_s
        verdict = "ok" if added <= BUDGET else "OVER"
        print(f"| {what} | {without.median_s * 1000:.0f} / {without.cpu_s * 1000:.0f} ms "
              f"| {with_fit.median_s * 1000:.0f} / {with_fit.cpu_s * 1000:.0f} ms | {added * 1000:+.0f} ms | {verdict} "
              f"| {max(with_fit.load, without.load):.1f} |")  # fmt: skip


if __name__ == "__main__":
    main()
