"""Time cvbuild as a user runs it: fresh processes, median of several runs, peak memory.

    python bench/run.py [--runs 7] [--json bench/results/latest.json]

Budgets come from DESIGN.md; they are reported here, never asserted in tests.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "profiles" / "example.yaml"
EPOCH = "1767225600"  # fixed build date, as in the tests
ALL_FORMATS = ("pdf", "html", "txt", "md", "png")


@dataclass
class Result:
    name: str
    command: str
    runs: int
    median_s: float
    min_s: float
    max_s: float
    peak_rss_mib: float
    budget_s: float | None
    note: str = ""

    @property
    def verdict(self) -> str:
        if self.runs == 0:
            return self.note
        if self.budget_s is None:
            return ""
        return "ok" if self.median_s < self.budget_s else "OVER"


def cvbuild_command() -> list[str]:
    """The installed console script when there is one (what users run), else `python -m cvbuild`."""
    script = Path(sys.executable).with_name("cvbuild")
    return [str(script)] if script.exists() else [sys.executable, "-m", "cvbuild"]


class CommandFailedError(Exception):
    """A measured command exited non-zero; the row is reported as failed, the run goes on."""


def run_once(argv: list[str], cwd: Path) -> tuple[float, float]:
    """Wall time and peak RSS of one fresh process; wait4 gives that child's own rusage."""
    # Installed packages carry compiled bytecode; a sandbox's PYTHONDONTWRITEBYTECODE would make
    # every run recompile cvbuild's sources, which no user pays. The warm-up run writes it.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["SOURCE_DATE_EPOCH"] = EPOCH
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    stderr = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if proc.returncode != 0:
        raise CommandFailedError(f"exit {proc.returncode}: {stderr.strip().splitlines()[-1] if stderr.strip() else ''}")
    return elapsed, usage.ru_maxrss / 1024  # Linux reports KiB


def measure(name: str, args: list[str], runs: int, budget: float | None, cwd: Path, note: str = "") -> Result:
    argv = cvbuild_command() + args
    shown = " ".join(a if " " not in a else repr(a) for a in ["cvbuild", *args])
    try:
        run_once(argv, cwd)  # warm-up: page cache and .pyc files, not counted
        samples = [run_once(argv, cwd) for _ in range(runs)]
    except CommandFailedError as exc:
        nan = float("nan")
        return Result(name, shown, 0, nan, nan, nan, nan, budget, f"FAILED: {exc}")
    times = [t for t, _ in samples]
    return Result(
        name=name,
        command=shown,
        runs=runs,
        median_s=statistics.median(times),
        min_s=min(times),
        max_s=max(times),
        peak_rss_mib=max(r for _, r in samples),
        budget_s=budget,
        note=note,
    )


def available_formats() -> tuple[list[str], list[str]]:
    """Formats whose default engine module exists in this checkout; the rest are skipped."""
    from cvbuild.targets.base import DEFAULT_ENGINE, FORMATS

    ok, skipped = [], []
    for fmt in ALL_FORMATS:
        module = FORMATS[fmt][DEFAULT_ENGINE[fmt]]
        (ok if importlib.util.find_spec(module) is not None else skipped).append(fmt)
    return ok, skipped


# ---- generated profile ----------------------------------------------------------------------------

VENUES = ["EuroSys", "OSDI", "SOSP", "NSDI", "SIGCOMM", "ATC", "MLSys", "VLDB", "SIGMOD", "ASPLOS", "HotNets"]
WORDS = ["adaptive", "scalable", "efficient", "distributed", "learned", "serving", "caching", "scheduling"]
WORDS += ["compression", "inference", "training", "placement", "replication", "streaming", "memory", "cloud"]
SURNAMES = ["Chen", "Okafor", "Rossi", "Novak", "Tanaka", "Silva", "Haddad", "Ivanova", "Müller", "Nguyen", "Park"]
GIVEN = ["Ada", "Bo", "Chen", "Dana", "Eli", "Farah", "Gao", "Hana", "Ivan", "Jun", "Kai", "Lena", "Mina", "Omar"]


def generated_profile(n: int, seed: int = 7) -> dict[str, object]:
    """A profile with `n` publications; JSON is YAML 1.2, so it is written as JSON."""
    rng = random.Random(seed)
    owner = "Ada Bench"
    pubs = []
    for i in range(n):
        authors = [f"{rng.choice(GIVEN)} {rng.choice(SURNAMES)}" for _ in range(rng.randint(2, 9))]
        authors.insert(rng.randrange(len(authors) + 1), owner)
        year = 2000 + i % 26
        title = " ".join(rng.choice(WORDS) for _ in range(rng.randint(5, 11))).capitalize()
        pubs.append(
            {
                "title": f"{title} ({i})",
                "authors": authors,
                "venue": f"{rng.choice(VENUES)} {year}",
                "date": f"{year}-{1 + i % 12:02d}",
                "type": rng.choice(["conference", "conference", "journal", "workshop", "preprint"]),
                "award": "Best Paper Award" if i % 37 == 0 else None,
                "links": {"paper": f"https://example.org/p/{i}.pdf", "code": f"https://example.org/c/{i}"},
            }
        )
    for p in pubs:
        if p["award"] is None:
            del p["award"]
    return {
        "name": owner,
        "native_name": "艾达",
        "headline": "Benchmark profile with **many** publications",
        "contact": {"email": "ada@example.org", "website": "https://example.org", "links": {"github": "adabench"}},
        "summary": "A generated profile used by bench/run.py.",
        "publications": pubs,
    }


def write_profile(folder: Path, n: int) -> Path:
    path = folder / f"pubs-{n}.yaml"
    path.write_text(json.dumps(generated_profile(n), ensure_ascii=False, indent=1), encoding="utf-8")
    return path


# ---- report -----------------------------------------------------------------------------------


def table(results: list[Result]) -> str:
    head = f"{'what':<44} {'median':>8} {'min':>7} {'max':>7} {'peak RSS':>9} {'budget':>8}  verdict"
    lines = [head, "-" * len(head)]
    for r in results:
        budget = f"< {r.budget_s:.2f}s" if r.budget_s is not None else ""
        lines.append(
            f"{r.name:<44} {r.median_s:>7.3f}s {r.min_s:>6.3f}s {r.max_s:>6.3f}s {r.peak_rss_mib:>6.0f} MiB "
            f"{budget:>8}  {r.verdict}"
        )
    return "\n".join(lines)


def growth(series: list[Result]) -> str:
    """Marginal cost per publication between sizes: equal steps mean the cost grows linearly."""
    sizes = [int(r.name.split()[0]) for r in series]
    steps = []
    for i in range(1, len(series)):
        cost = 1000 * (series[i].median_s - series[i - 1].median_s) / (sizes[i] - sizes[i - 1])
        steps.append(f"{sizes[i - 1]}->{sizes[i]}: {cost:.2f} ms/publication")
    return "growth (all formats): " + "; ".join(steps)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7, help="timed runs per command (median reported; at least 5)")
    parser.add_argument("--json", type=Path, help="also write the results as JSON here")
    parser.add_argument("--pubs", type=int, default=1000, help="publications in the generated profile")
    opts = parser.parse_args()
    runs = max(5, opts.runs)
    formats, skipped = available_formats()
    for fmt in skipped:
        print(f"skipped format {fmt}: its target is not available in this checkout")
    all_f = ",".join(formats)
    text_f = ",".join(f for f in formats if f != "png")
    work = Path(tempfile.mkdtemp(prefix="cvbuild-bench-"))
    try:
        out = str(work / "out")
        sizes = (opts.pubs // 4, opts.pubs // 2, opts.pubs)
        generated = [write_profile(work, n) for n in sizes]
        ex = str(EXAMPLE)
        plan = [
            ("cvbuild --help", ["--help"], 0.1, ""),
            ("example -f pdf (all 3 documents)", ["render", ex, "-f", "pdf", "-o", out], None, ""),
            ("example -d cv -f pdf", ["render", ex, "-d", "cv", "-f", "pdf", "-o", out], 0.35, ""),
            (f"example -d cv -f {text_f}", ["render", ex, "-d", "cv", "-f", text_f, "-o", out], 0.5, ""),
            (f"example -d cv -f {all_f}", ["render", ex, "-d", "cv", "-f", all_f, "-o", out], None, ""),
        ]
        for n, path in zip(sizes, generated, strict=True):
            plan.append((f"{n} publications, -f {all_f}", ["render", str(path), "-f", all_f, "-o", out], None, ""))
        plan[-1] = (*plan[-1][:2], 2.0, "")  # the DESIGN.md budget is for the largest profile
        big = ["render", str(generated[-1]), "-f", text_f, "-o", out]
        plan.append((f"{opts.pubs} publications, -f {text_f}", big, None, ""))
        results = []
        for name, args, budget, note in plan:
            results.append(measure(name, args, runs, budget, ROOT, note))
            print(f"  measured {name}", file=sys.stderr)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    python = sys.version.split()[0]
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"\ncvbuild benchmark: {runs} fresh runs each, median; {os.cpu_count()} CPUs; Python {python}; load {load}\n")
    print(table(results))
    print("\n" + growth(results[-4:-1]))
    if opts.json:
        opts.json.parent.mkdir(parents=True, exist_ok=True)
        opts.json.write_text(json.dumps([asdict(r) for r in results], indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
