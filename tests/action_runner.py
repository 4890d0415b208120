"""A small stand-in for the GitHub Actions runner: runs the `run:` steps of action.yml with bash.

It sets GITHUB_WORKSPACE, GITHUB_ACTION_PATH, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, GITHUB_PATH, GITHUB_ENV
and RUNNER_TEMP, expands the `${{ ... }}` expressions the action uses (and fails on any other), and
skips `uses:` steps (setup-python, cache): the python on PATH stands in for setup-python's. Inputs reach
the steps only through `${{ inputs.x }}`, as in a composite action (GitHub sets no INPUT_* variables there).
Used by tests/test_action.py and bench/action.py.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parents[1]

ACTION = ROOT / "action.yml"
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
BIN = Path(sys.executable).parent


# Inputs the actions the composite action uses require (their action.yml: `required: true`).
REQUIRED = {"actions/cache": ("path", "key")}


def load_action() -> dict[str, Any]:
    data: dict[str, Any] = YAML(typ="safe").load(ACTION.read_text(encoding="utf-8"))
    return data


# ---- the runner --------------------------------------------------------------------------------


@dataclass
class StepRun:
    name: str
    skipped: bool = False
    returncode: int = 0
    stdout: str = ""
    stderr: str = ""
    outputs: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0


@dataclass
class ActionRun:
    steps: list[StepRun]
    outputs: dict[str, str]
    summary: str

    @property
    def failed(self) -> StepRun | None:
        return next((s for s in self.steps if s.returncode != 0), None)

    def step(self, name: str) -> StepRun:
        return next(s for s in self.steps if s.name == name)


def parse_command_file(text: str) -> dict[str, str]:
    """GITHUB_OUTPUT / GITHUB_ENV syntax: `k=v` lines and `k<<DELIM` ... `DELIM` blocks."""
    out: dict[str, str] = {}
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            key, delim = line.split("<<", 1)
            end = lines.index(delim, i + 1)
            out[key] = "\n".join(lines[i + 1 : end])
            i = end + 1
            continue
        if "=" in line:
            key, value = line.split("=", 1)
            out[key] = value
        i += 1
    return out


@dataclass
class ActionRunner:
    workspace: Path
    temp: Path
    action_path: Path = ROOT

    def run(self, inputs: Mapping[str, str], offline_from: str | None = None, offline: Sequence[str] = ()) -> ActionRun:
        """Run the steps; from the step named `offline_from` on, each runs under the `offline` prefix
        (`unshare -rn`: no network at all), as a job whose network went away after the install."""
        action = load_action()
        unknown = set(inputs) - set(action["inputs"])
        assert not unknown, f"not inputs of the action: {unknown}"
        names = [step.get("name", step.get("id", f"step {n}")) for n, step in enumerate(action["runs"]["steps"])]
        # a renamed step would leave every step online, and the offline test passing unchecked
        assert offline_from is None or offline_from in names, f"no step named {offline_from!r}: {names}"
        values = {k: str(spec.get("default", "")) for k, spec in action["inputs"].items()} | dict(inputs)
        summary = self.temp / "step_summary.md"
        summary.write_text("")
        ctx: dict[str, Any] = {"inputs": values, "steps": {}}
        paths: list[str] = []
        env_extra: dict[str, str] = {}
        runs: list[StepRun] = []
        failed = False
        prefix: Sequence[str] = ()
        for n, step in enumerate(action["runs"]["steps"]):
            name = step.get("name", step.get("id", f"step {n}"))
            if name == offline_from:
                prefix = offline
            condition = step.get("if")
            assert condition in (None, "always()"), f"the runner does not know `if: {condition}`"
            if "uses" in step or (failed and condition != "always()"):
                if "uses" in step and not failed:  # the inputs it would get: actions/cache refuses an empty path
                    given = {k: self.expand(str(v), ctx) for k, v in step.get("with", {}).items()}
                    assert all(given.get(k, "").strip() for k in REQUIRED.get(step["uses"].split("@")[0], ())), (
                        f"{name}: {step['uses']} would be given an empty required input: {given}"
                    )
                runs.append(StepRun(name, skipped=True))
                continue
            assert step["shell"] == "bash"
            files = {k: self.temp / f"{k.lower()}_{n}" for k in ("GITHUB_OUTPUT", "GITHUB_PATH", "GITHUB_ENV")}
            for f in files.values():
                f.write_text("")
            env = {
                **os.environ,
                **env_extra,
                "PATH": os.pathsep.join([*reversed(paths), str(BIN), os.environ["PATH"]]),
                "GITHUB_ACTIONS": "true",
                "CI": "true",
                "GITHUB_WORKSPACE": str(self.workspace),
                "GITHUB_ACTION_PATH": str(self.action_path),
                "GITHUB_STEP_SUMMARY": str(summary),
                "RUNNER_TEMP": str(self.temp),
                "RUNNER_OS": "Linux",
                **{k: str(v) for k, v in files.items()},
                **{k: self.expand(str(v), ctx) for k, v in step.get("env", {}).items()},
            }
            env.pop("VIRTUAL_ENV", None)
            script = self.temp / f"step_{n}.sh"
            script.write_text(self.expand(step["run"], ctx))
            # GitHub's `shell: bash`: bash --noprofile --norc -eo pipefail {0}
            started = time.perf_counter()
            proc = subprocess.run(
                [*prefix, "bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
                cwd=self.workspace,
                env=env,
                capture_output=True,
                text=True,
                timeout=900,
            )
            outputs = parse_command_file(files["GITHUB_OUTPUT"].read_text())
            paths += [p for p in files["GITHUB_PATH"].read_text().splitlines() if p]
            env_extra |= parse_command_file(files["GITHUB_ENV"].read_text())
            if "id" in step:
                ctx["steps"][step["id"]] = {"outputs": outputs}
            seconds = time.perf_counter() - started
            runs.append(StepRun(name, False, proc.returncode, proc.stdout, proc.stderr, outputs, seconds))
            failed = failed or proc.returncode != 0
        outputs = {k: self.expand(str(spec["value"]), ctx) for k, spec in action["outputs"].items()}
        return ActionRun(runs, outputs, summary.read_text())

    def expand(self, text: str, ctx: Mapping[str, Any]) -> str:
        """`${{ inputs.x }}`, `${{ steps.id.outputs.y }}`, `${{ runner.temp }}`; anything else fails the test."""

        def value(match: re.Match[str]) -> str:
            expr = match.group(1)
            parts = expr.split(".")
            if parts[0] == "inputs" and len(parts) == 2:
                return str(ctx["inputs"][parts[1]])
            if parts[0] == "steps" and len(parts) == 4 and parts[2] == "outputs":
                return str(ctx["steps"].get(parts[1], {}).get("outputs", {}).get(parts[3], ""))
            if expr == "runner.temp":
                return str(self.temp)
            if expr == "runner.os":
                return "Linux"
            raise AssertionError(f"the runner does not know the expression {expr!r}")

        return EXPRESSION.sub(value, text)
