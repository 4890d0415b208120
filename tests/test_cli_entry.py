"""The console script's fast path for `cvbuild render` reads command lines exactly as typer does."""

from __future__ import annotations

import functools
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import EXAMPLE, run_cli
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import cvbuild.cli.app as app_module
from cvbuild.cli.entry import RENDER_ARGUMENTS, RENDER_KINDS, RENDER_OPTIONS, _parameters, parse_render


def typer_reading(args: list[str]) -> dict[str, Any] | None:
    """The keyword arguments typer calls `render` with for `cvbuild render ARGS`, or None if it refuses."""
    (info,) = [c for c in app_module.app.registered_commands if c.callback is app_module.render]
    seen: list[dict[str, Any]] = []

    @functools.wraps(app_module.render)
    def capture(**kwargs: Any) -> None:
        seen.append(kwargs)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(info, "callback", capture)
        result = CliRunner().invoke(app_module.app, ["render", *args])
    if result.exit_code != 0:
        return None
    (got,) = seen
    return {k: list(v) if isinstance(v, list | tuple) else v for k, v in got.items()}


def render_options() -> list[str]:
    from typer.main import get_command

    command = get_command(app_module.app).commands["render"]  # type: ignore[attr-defined]
    return [opt for p in command.params for opt in (*p.opts, *p.secondary_opts) if opt.startswith("-")]


VALUES = ["p.yaml", "pdf", "txt,md", "", "x=1", "-", "--", "-v", "a b", "é"]
ODD = ["--help", "--no-strict", "--format=pdf", "--set=a=b", "--output=o", "-f=pdf", "-fpdf", "--strict=1", "--formats"]


@st.composite
def command_lines(draw: st.DrawFn) -> list[str]:
    """Mostly well-formed `render` arguments, with odd tokens mixed in."""
    option_value = st.tuples(st.sampled_from(render_options()), st.sampled_from(VALUES))
    parts = draw(st.lists(option_value | st.sampled_from([*ODD, *VALUES]).map(lambda t: (t,)), max_size=5))
    args = [token for part in parts for token in part]
    if draw(st.booleans()):
        args.insert(draw(st.integers(0, len(args))), "p.yaml")
    return args


@settings(max_examples=150, deadline=None)
@given(command_lines())
def test_fast_path_reads_like_typer(args: list[str]) -> None:
    fast = parse_render(args)
    if fast is not None:  # None: typer decides
        assert fast == typer_reading(args)


@pytest.mark.parametrize(
    "args",
    [
        ["p.yaml"],
        ["-f", "pdf", "p.yaml", "-o", "build", "--set", "accent=#000", "--set", "margin=1cm"],
        ["p.yaml", "--format=txt,md", "--engine", "weasyprint", "--theme", "modern", "-d", "cv", "--strict"],
    ],
)
def test_common_command_lines_take_the_fast_path(args: list[str]) -> None:
    fast = parse_render(args)
    assert fast is not None
    assert fast == typer_reading(args)


@pytest.mark.parametrize("args", [["--help"], [], ["a", "b"], ["p", "-f"], ["p", "-fpdf"], ["p", "-d", "a", "-d", "b"]])
def test_everything_else_goes_to_typer(args: list[str]) -> None:
    assert parse_render(args) is None


def test_stored_command_line_is_what_the_signature_says() -> None:
    assert _parameters(app_module.render) == (RENDER_OPTIONS, RENDER_ARGUMENTS, RENDER_KINDS)


def test_fast_render_runs_without_typer(tmp_path: Path) -> None:
    code = (
        "import sys; from cvbuild.cli import entry; entry._exit_now = lambda: None; "
        f"sys.argv[:] = ['cvbuild', 'render', {str(EXAMPLE)!r}, '-d', 'cv', '-f', 'txt', '-o', {str(tmp_path)!r}]; "
        "entry.main(); print(sorted(m for m in ('typer', 'click') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.endswith("[]\n"), result.stdout[-200:]
    assert [p.suffix for p in tmp_path.iterdir()] == [".txt"]


def test_fast_render_prints_every_path_and_exits_0(tmp_path: Path) -> None:
    result = run_cli("render", EXAMPLE, "-d", "cv", "-f", "txt,md", "-o", tmp_path)
    assert result.returncode == 0, result.stderr
    written = sorted(tmp_path.iterdir())
    assert [p.suffix for p in written] == [".md", ".txt"]
    assert sorted(result.stdout.splitlines()) == [f"wrote {p}" for p in written]  # flushed before the fast exit
    assert written[0].read_text(encoding="utf-8").startswith("#")


def test_failures_keep_their_exit_code(tmp_path: Path) -> None:
    missing = tmp_path / "missing.yaml"
    assert run_cli("validate", missing).returncode == 2
    failed = run_cli("render", missing, "-o", tmp_path)
    assert failed.returncode == 2
    assert "missing.yaml" in failed.stderr
    assert run_cli("render", EXAMPLE, "--no-such-option").returncode == 2
    help_text = subprocess.run(
        [sys.executable, "-m", "cvbuild", "render", "--help"], capture_output=True, text=True, check=True
    ).stdout
    assert "--format" in help_text


# ---- `cvbuild --help` and `--version` without typer (cli/script.py) -----------------------------


def _script(args: list[str], columns: str) -> subprocess.CompletedProcess[str]:
    """The console script as installed (`cvbuild.cli.script:main`), argv[0] `cvbuild`."""
    code = "import sys; sys.argv[0] = 'cvbuild'; from cvbuild.cli.script import main; main()"
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"} | {"COLUMNS": columns}
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env)


def _typer(args: list[str], columns: str) -> subprocess.CompletedProcess[str]:
    code = "import sys; sys.argv[0] = 'cvbuild'; from cvbuild.cli.app import app; app()"
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"} | {"COLUMNS": columns}
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env)


def test_stored_help_is_what_typer_prints() -> None:
    from cvbuild.cli import usage

    assert usage.generate() == usage.HELP, "run `make docs` (python -m cvbuild.cli.usage) to store the new help"


@pytest.mark.parametrize("columns", ["80", "120", "60"])
@pytest.mark.parametrize("args", [["--help"], ["--version"], ["render", "--help"]])
def test_console_script_prints_what_typer_prints(args: list[str], columns: str) -> None:
    """Wide terminals get the stored text, narrow ones typer's own wrapping; other commands go to typer."""
    fast, slow = _script(args, columns), _typer(args, columns)
    assert (fast.returncode, fast.stdout, fast.stderr) == (slow.returncode, slow.stdout, slow.stderr)
    assert fast.returncode == 0 and fast.stdout.startswith(("Usage: cvbuild", "cvbuild "))


def test_console_script_does_not_import_typer_for_help() -> None:
    code = (
        "import sys; sys.argv[:] = ['cvbuild', '--help']; from cvbuild.cli.script import main; main(); "
        "print(sorted(m for m in ('typer', 'click', 'pydantic') if m in sys.modules))"
    )
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"} | {"COLUMNS": "100"}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert result.stdout.endswith("[]\n"), result.stdout[-200:]


def test_render_from_the_console_script_never_imports_importlib_metadata(tmp_path: Path) -> None:
    """pydantic's plugin loader is stood in for (every plugin is off) and themes' entry points are
    read without importlib.metadata: ~25 ms of imports (email, zipfile, csv) a render skips."""
    code = (
        "import sys; from cvbuild.cli import entry; entry._exit_now = lambda: None; "
        f"sys.argv[:] = ['cvbuild', 'render', {str(EXAMPLE)!r}, '-d', 'cv', '-f', 'pdf,html', "
        f"'-o', {str(tmp_path)!r}]; "
        "from cvbuild.cli.script import main; main(); "
        "import gc; print(sorted(m for m in ('importlib.metadata', 'email') if m in sys.modules), gc.isenabled())"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYDANTIC_DISABLE_PLUGINS"}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.endswith("[] False\n"), result.stdout[-200:]
    assert sorted(p.suffix for p in tmp_path.iterdir()) == [".html", ".pdf"]


@pytest.mark.parametrize("value", ["__all__", "1", "true"])
def test_stood_in_plugin_loader_answers_as_pydantics_own(value: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The stand-in is used only for the values with which pydantic's own loader returns ()."""
    from pydantic.plugin import _loader

    from cvbuild.cli.script import ALL_PLUGINS_OFF

    assert value in ALL_PLUGINS_OFF
    monkeypatch.setenv("PYDANTIC_DISABLE_PLUGINS", value)
    assert tuple(_loader.get_plugins()) == ()
    monkeypatch.setenv("PYDANTIC_DISABLE_PLUGINS", "some_plugin")  # one plugin off: the real loader runs
    code = "from cvbuild.cli.script import skip_plugin_loader as s; import sys; s(); "
    code += "print('pydantic.plugin._loader' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout == "False\n"


def test_a_ctrl_c_that_python_wrapped_is_still_a_ctrl_c() -> None:
    """Python wraps what a class's `__set_name__` raises in a RuntimeError: a Ctrl-C while pydantic
    builds the models read "rendering failed: RuntimeError: Error calling __set_name__", exit 1."""
    from cvbuild.cli.outcome import exit_code, reporter_for

    def wrapped() -> None:
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt as exc:
            raise RuntimeError("Error calling __set_name__ on 'PydanticDescriptorProxy'") from exc

    def bug() -> None:
        raise RuntimeError("a real bug")

    reporter = reporter_for("json")
    assert reporter is not None
    assert exit_code(wrapped, reporter) == 130
    assert exit_code(bug, reporter) == 1
