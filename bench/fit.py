"""What fitting to `max_pages` costs: fresh one-page renders with and without a page budget.

Each pair renders the same content; the only difference is `max_pages: 1`, so what the budgeted
render costs more is what fitting adds (DESIGN.md budget: at most 100 ms). The two commands run
in turns, each run beside its counterpart, so both meet the same load; the table gives the
medians and the median of the paired differences of CPU time (user+sys, all threads).
`--instructions` also counts each command's instructions once under valgrind's callgrind:
repeatable under any load, and turned into milliseconds at the rate of the unbudgeted run.

    .venv/bin/python bench/fit.py [--runs 9] [--instructions]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import EPOCH, ROOT, cvbuild_command, run_once  # the shared fresh-process timer

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


@dataclass
class Pair:
    """Paired runs of one case: (wall s, CPU s) of each run, with and without the budget."""

    with_fit: list[tuple[float, float]]
    without: list[tuple[float, float]]
    load: float
    instructions: tuple[int, int] | None = None  # with, without

    def median(self, runs: list[tuple[float, float]], i: int) -> float:
        return statistics.median(r[i] for r in runs)

    @property
    def added_cpu(self) -> float:
        """The median of the paired differences of CPU time."""
        return statistics.median(a[1] - b[1] for a, b in zip(self.with_fit, self.without, strict=True))

    @property
    def added_by_instructions(self) -> float | None:
        """Seconds the extra instructions take at the rate of the unbudgeted run."""
        if self.instructions is None:
            return None
        with_fit, without = self.instructions
        return (with_fit - without) / without * self.median(self.without, 1)


def paired(budgeted: list[str], free: list[str], runs: int) -> Pair:
    """Both commands, in turns (which goes first alternates), after one warm-up run each."""
    argv = cvbuild_command()
    run_once(argv + budgeted, ROOT)
    run_once(argv + free, ROOT)
    with_fit, without, loads = [], [], []
    for i in range(runs):
        order = [(budgeted, with_fit), (free, without)]
        for args, into in order if i % 2 == 0 else order[::-1]:
            wall, _, cpu, load = run_once(argv + args, ROOT)
            into.append((wall, cpu))
            loads.append(load)
    return Pair(with_fit, without, statistics.median(loads))


def instructions(args: list[str]) -> int:
    """Instructions of one fresh run, all threads, counted by callgrind."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["SOURCE_DATE_EPOCH"] = EPOCH
    command = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *cvbuild_command(), *args]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    return int(re.search(r"Collected : (\d+)", done.stderr).group(1))  # type: ignore[union-attr]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=9, help="paired runs per case (medians reported; at least 5)")
    parser.add_argument("--instructions", action="store_true", help="also count instructions with valgrind")
    opts = parser.parse_args()
    runs = max(5, opts.runs)
    if opts.instructions and shutil.which("valgrind") is None:
        raise SystemExit("--instructions needs valgrind")
    work = Path(tempfile.mkdtemp(prefix="cvbuild-bench-fit-"))
    rows: list[tuple[str, Pair]] = []
    try:
        for what, budgeted, free, theme in variants(work):
            args = ["-f", "pdf", "--theme", theme, "-o", str(work / "out")]
            pair = paired(["render", str(budgeted), *args], ["render", str(free), *args], runs)
            if opts.instructions:
                pair.instructions = (
                    instructions(["render", str(budgeted), *args]),
                    instructions(["render", str(free), *args]),
                )
            rows.append((what, pair))
            print(f"  measured {what}", file=sys.stderr)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"\nfitting to max_pages: {runs} paired fresh runs per case, medians; {os.cpu_count()} CPUs; load now {load}")
    print("CPU time (user+sys of the process) is the figure to trust on a shared machine.\n")
    budget = f"budget {BUDGET * 1000:.0f} ms"
    counted = " | instructions: no budget / added / as ms" if opts.instructions else ""
    print(
        f"| case | no budget: wall / CPU | max_pages 1: wall / CPU | fitting adds (CPU, paired) | {budget} "
        f"| load{counted} |"
    )
    print("|---|---:|---:|---:|---|---:|" + ("---:|" if opts.instructions else ""))
    for what, pair in rows:
        verdict = "ok" if pair.added_cpu <= BUDGET else "OVER"
        extra = ""
        if pair.instructions is not None:
            with_fit, without = pair.instructions
            added = pair.added_by_instructions or 0.0
            extra = f" | {without / 1e6:,.0f} M / {(with_fit - without) / 1e6:+,.0f} M / {added * 1000:+.0f} ms"
        print(
            f"| {what} | {pair.median(pair.without, 0) * 1000:.0f} / {pair.median(pair.without, 1) * 1000:.0f} ms "
            f"| {pair.median(pair.with_fit, 0) * 1000:.0f} / {pair.median(pair.with_fit, 1) * 1000:.0f} ms "
            f"| {pair.added_cpu * 1000:+.0f} ms | {verdict} | {pair.load:.1f}{extra} |"
        )


if __name__ == "__main__":
    main()
