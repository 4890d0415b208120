"""cvbuild beside RenderCV on the same content: fresh processes, medians, paired runs.

    python bench/compare.py [--rendercv PATH] [--runs 5]

RenderCV is never a dependency of cvbuild. Point --rendercv (or $RENDERCV) at its executable,
for example one installed in a separate virtual environment; without one, or when it cannot
render here (it downloads Typst packages, and this machine may be offline), the script says so
and exits 0.

The content: RenderCV's own sample (`rendercv new`), rendered by RenderCV, and the same CV
imported with `cvbuild import rendercv` when this checkout has that command, else cvbuild's
example profile.
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

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "profiles" / "example.yaml"
EPOCH = "1767225600"


def timed(argv: list[str], cwd: Path, runs: int) -> tuple[float, float] | str:
    """(median wall, median CPU) of `runs` fresh processes after a warm-up; an error text on failure."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["SOURCE_DATE_EPOCH"] = EPOCH
    walls, cpus = [], []
    for i in range(runs + 1):
        start = time.perf_counter()
        with tempfile.TemporaryFile() as log:
            proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT)
            _, status, usage = os.wait4(proc.pid, 0)
            elapsed = time.perf_counter() - start
            log.seek(0)
            said = log.read().decode(errors="replace")
        if os.waitstatus_to_exitcode(status) != 0 or "failed to download" in said:
            return " ".join(said.split())[-240:] or "failed"
        if i:  # the first run warms caches
            walls.append(elapsed)
            cpus.append(usage.ru_utime + usage.ru_stime)
    return statistics.median(walls), statistics.median(cpus)


def find_rendercv(given: str | None) -> str | None:
    candidate = given or os.environ.get("RENDERCV") or shutil.which("rendercv")
    return candidate if candidate and Path(candidate).exists() else None


def cvbuild_profile(sample: Path, work: Path) -> tuple[Path, str]:
    """The sample as a cvbuild profile when `cvbuild import rendercv` exists, else the example."""
    cvbuild = [sys.executable, "-m", "cvbuild"]
    result = subprocess.run([*cvbuild, "import", "rendercv", str(sample)], capture_output=True, text=True)
    if result.returncode == 0 and result.stdout.strip():
        path = work / "sample.yaml"
        path.write_text(result.stdout, encoding="utf-8")
        return path, "RenderCV's sample, imported with `cvbuild import rendercv`"
    return EXAMPLE, "cvbuild's example profile (this checkout has no `cvbuild import rendercv`)"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rendercv", help="RenderCV's executable (default: $RENDERCV or `rendercv` on PATH)")
    parser.add_argument("--runs", type=int, default=5)
    opts = parser.parse_args()
    rendercv = find_rendercv(opts.rendercv)
    if rendercv is None:
        print("RenderCV is not installed: nothing to compare (install it in a separate venv, pass --rendercv)")
        return 0
    work = Path(tempfile.mkdtemp(prefix="cvbuild-compare-"))
    try:
        made = subprocess.run([rendercv, "new", "Ada Example"], cwd=work, capture_output=True, text=True)
        samples = sorted(work.glob("*_CV.yaml"))
        if made.returncode != 0 or not samples:
            print(f"RenderCV could not write its sample: {made.stderr.strip()[-300:]}")
            return 0
        sample = samples[0]
        theirs = timed([rendercv, "render", sample.name], work, opts.runs)
        if isinstance(theirs, str):
            print(f"RenderCV cannot render here, so there is nothing to compare: {theirs}")
            return 0
        profile, content = cvbuild_profile(sample, work)
        out = str(work / "out")
        cvbuild = [sys.executable, "-m", "cvbuild", "render", str(profile), "-o", out]
        if profile == EXAMPLE:
            cvbuild += ["-d", "cv"]
        rows = [("RenderCV render (pdf, png, html, md)", theirs)]
        rows.append(("cvbuild -f pdf", timed([*cvbuild, "-f", "pdf"], ROOT, opts.runs)))
        rows.append(("cvbuild -f pdf,html,txt,md,png", timed([*cvbuild, "-f", "pdf,html,txt,md,png"], ROOT, opts.runs)))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"content: {content}; {opts.runs} runs each, median; load {os.getloadavg()[0]:.1f}\n")
    base = theirs[0]
    for name, result in rows:
        if isinstance(result, str):
            print(f"{name:<40} FAILED: {result}")
        else:
            print(f"{name:<40} {result[0]:7.3f}s  cpu {result[1]:6.3f}s  {result[0] / base:5.2f}x RenderCV")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
