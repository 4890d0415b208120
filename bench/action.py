"""Time the GitHub Action's steps run locally, as tests/test_action.py runs them: the time to the artifact.

    python bench/action.py [--runs 3] [--json FILE]

Each run starts from a fresh RUNNER_TEMP, so the install step creates a new venv and installs cvbuild
from this checkout (`cvbuild-version: checkout`); a first, untimed run fills pip's cache, so the timed
runs are warm-cache runs, as on GitHub after the first push. The example profile is rendered in every
format. Reported: median seconds per step and in total, up to the written files and the summary.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from action_runner import ActionRun, ActionRunner  # noqa: E402

EPOCH = "1767225600"


def one_run(profile: Path) -> ActionRun:
    with tempfile.TemporaryDirectory(prefix="cvbuild-action-bench-") as tmp:
        workspace = Path(tmp) / "repo"
        workspace.mkdir()
        shutil.copy(profile, workspace / "profile.yaml")
        subprocess.run(["git", "init", "-q", str(workspace)], check=True)
        temp = Path(tmp) / "runner_temp"
        temp.mkdir()
        run = ActionRunner(workspace, temp).run({"cvbuild-version": "checkout"})
        if run.failed is not None:
            raise SystemExit(f"step {run.failed.name!r} failed:\n{run.failed.stdout}\n{run.failed.stderr}")
        return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--profile", type=Path, default=ROOT / "profiles" / "example.yaml")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    os.environ["SOURCE_DATE_EPOCH"] = EPOCH
    print(f"load average {os.getloadavg()[0]:.2f}; warming pip's cache with one untimed run ...", flush=True)
    one_run(args.profile)
    runs = []
    for i in range(args.runs):
        run = one_run(args.profile)
        total = sum(s.seconds for s in run.steps)
        print(f"run {i + 1}: {total:.1f} s", flush=True)
        runs.append(run)
    names = [s.name for s in runs[0].steps if not s.skipped]
    medians = {n: statistics.median(r.step(n).seconds for r in runs) for n in names}
    total = statistics.median(sum(s.seconds for s in r.steps) for r in runs)
    print(f"\n| step | median s ({args.runs} runs, warm pip cache, fresh venv) |\n| --- | ---: |")
    for name, seconds in medians.items():
        print(f"| {name} | {seconds:.2f} |")
    print(f"| **time to artifact** | **{total:.2f}** |")
    skipped = [s.name for s in runs[0].steps if s.skipped]
    print(f"\nnot run locally (`uses:` steps): {', '.join(skipped)}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"steps": medians, "total_s": total, "runs": args.runs}, indent=2) + "\n")


if __name__ == "__main__":
    main()
