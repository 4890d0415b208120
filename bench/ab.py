"""Paired A/B timing of two cvbuild trees: fresh processes, the trees alternating run by run.

    python bench/ab.py OLD_REV [--new REV] [--runs 5] [--pubs 1000] [--only weasyprint]

On a shared machine the load drifts from minute to minute; timing an old and a new tree in
turns, each run beside its counterpart, compares them under the same load, which two separate
`bench/run.py` tables cannot. Each tree is checked out with `git worktree` into a temporary
folder and imported from there (PYTHONPATH) by this checkout's Python; its console script is
`cvbuild.cli.script` when the tree has one, else `cvbuild.cli.app`. Each tree has a cache folder
of its own (CVBUILD_CACHE_DIR): one shared folder gave each tree the other's warm-start recipe,
which names the other's theme files, so both compiled cold. Every row prints the median wall
time, the median CPU time of the process (user+system, all threads) and the load average.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import EPOCH, EXAMPLE, ROOT, write_profile


def checkout(rev: str, folder: Path) -> Path:
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "-q", "--detach", str(folder), rev], check=True)
    return folder


def entry(tree: Path) -> str:
    return "cvbuild.cli.script" if (tree / "cvbuild" / "cli" / "script.py").exists() else "cvbuild.cli.app"


def once(tree: Path, args: list[str], cwd: Path, cache: Path) -> tuple[float, float, float]:
    """Wall, CPU (the child's rusage) and the load average of one fresh run."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(PYTHONPATH=str(tree), SOURCE_DATE_EPOCH=EPOCH, CVBUILD_CACHE_DIR=str(cache))
    code = f"import sys; sys.argv[0] = 'cvbuild'; from {entry(tree)} import main; sys.exit(main())"
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", code, *args], cwd=cwd, env=env, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{tree}: cvbuild {' '.join(args)} failed")
    return wall, usage.ru_utime + usage.ru_stime, os.getloadavg()[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("old", help="the tree to compare against (a git revision)")
    parser.add_argument("--new", help="a git revision (default: this working tree)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--pubs", type=int, default=1000)
    parser.add_argument("--only", action="append", default=[], help="run the cases whose name holds this text")
    opts = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="cvbuild-ab-"))
    trees: dict[str, Path] = {}
    try:
        trees["old"] = checkout(opts.old, work / "old")
        trees["new"] = checkout(opts.new, work / "new") if opts.new else ROOT
        shutil.copy(EXAMPLE, work / EXAMPLE.name)
        ex, big, out = str(work / EXAMPLE.name), str(write_profile(work, opts.pubs)), str(work / "out")
        weasy = ["--engine", "weasyprint"]
        cases = {
            "cvbuild --help": ["--help"],
            "example -d cv -f pdf": ["render", ex, "-d", "cv", "-f", "pdf", "-o", out],
            "example -d cv -f pdf,html,txt,md": ["render", ex, "-d", "cv", "-f", "pdf,html,txt,md", "-o", out],
            "example -d cv -f pdf,html,txt,md,png": ["render", ex, "-d", "cv", "-f", "pdf,html,txt,md,png", "-o", out],
            f"{opts.pubs} publications -f pdf": ["render", big, "-f", "pdf", "-o", out],
            f"{opts.pubs} publications -f pdf,html,txt,md": ["render", big, "-f", "pdf,html,txt,md", "-o", out],
            "example -d cv -f pdf --engine weasyprint": ["render", ex, "-d", "cv", "-f", "pdf", *weasy, "-o", out],
            f"{opts.pubs} publications -f pdf --engine weasyprint": ["render", big, "-f", "pdf", *weasy, "-o", out],
        }
        if opts.only:
            cases = {k: v for k, v in cases.items() if any(part in k for part in opts.only)}
        print(f"{'':40} {'old wall':>9} {'cpu':>7} {'new wall':>9} {'cpu':>7} {'load':>5}")
        for name, args in cases.items():
            for key, tree in trees.items():
                once(tree, args, work, work / f"cache-{key}")  # warm-up: bytecode, page cache, warm start
            samples: dict[str, list[tuple[float, float, float]]] = {"old": [], "new": []}
            for i in range(opts.runs):
                for key in ("old", "new") if i % 2 == 0 else ("new", "old"):
                    samples[key].append(once(trees[key], args, work, work / f"cache-{key}"))

            def med(key: str, k: int, samples: dict[str, list[tuple[float, float, float]]] = samples) -> float:
                return statistics.median(s[k] for s in samples[key])

            load = statistics.median(s[2] for s in samples["old"] + samples["new"])
            print(
                f"{name:40} {med('old', 0):8.3f}s {med('old', 1):6.3f}s {med('new', 0):8.3f}s {med('new', 1):6.3f}s "
                f"{load:5.1f}",
                flush=True,
            )
    finally:
        for key in ("old", "new"):
            if key in trees and trees[key] != ROOT:
                subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(trees[key])], check=False)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
