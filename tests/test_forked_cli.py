"""The tests' CLI fork server (tests/forked_cli.py): a forked run is the run a new interpreter gives,
it preloads no module a run would not import itself, and a run past its time limit is killed."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from conftest import EPOCH, FIXTURES, RESUME, fork_server, run_cli, run_cli_bounded, write
from forked_cli import ENGINE_PRELOAD, PRELOAD, engine_of

from cvbuild import __version__

TESTS = Path(__file__).resolve().parent
BAD = FIXTURES / "malformed" / "multi_problem.yaml"
# Successes and failures of the fast path and of typer's, help, and a crash-free unknown option.
COMMANDS = [
    ["--version"],
    ["--help"],
    ["render", "--help"],
    ["validate", str(BAD)],
    ["validate", str(BAD), "--format", "json"],
    ["validate", str(RESUME)],
    ["render", str(BAD), "-f", "txt", "-o", "out"],
    ["render", str(RESUME), "-f", "txt,md,html,pdf", "-o", "out"],
    ["render", str(RESUME), "-f", "pdf", "--engine", "weasyprint", "-o", "out"],
    ["render", str(BAD), "-f", "pdf", "--engine=weasyprint", "-o", "out"],
    ["render", str(RESUME), "--no-such-option"],
    ["themes"],
]


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_a_forked_run_gives_what_a_new_interpreter_gives(args: list[str], tmp_path: Path) -> None:
    runs = {}
    for fresh in (True, False):
        cwd = tmp_path / str(fresh)
        cwd.mkdir()
        result = run_cli(*args, cwd=cwd, fresh=fresh)
        outputs = {p.name: p.read_bytes() for p in sorted((cwd / "out").glob("*"))}
        runs[fresh] = (result.returncode, result.stdout.replace(str(cwd), "CWD"), result.stderr, outputs)
    assert runs[False] == runs[True]
    assert "Traceback" not in runs[False][2]


def imported_by(args: list[str], cwd: Path) -> set[str]:
    """The modules a new interpreter has loaded when `python -m cvbuild ARGS` ends."""
    code = (
        "import atexit, os, runpy, sys\n"
        "def dump():\n"
        "    sys.stderr.write('MODULES ' + ' '.join(sorted(sys.modules)) + '\\n')\n"
        "    sys.stderr.flush()\n"
        "atexit.register(dump)\n"
        "real_exit = os._exit\n"
        "os._exit = lambda code: (dump(), real_exit(code))\n"
        "sys.argv = ['cvbuild', *sys.argv[1:]]\n"
        "runpy.run_module('cvbuild', run_name='__main__')\n"
    )
    result = subprocess.run([sys.executable, "-c", code, *args], cwd=cwd, capture_output=True, text=True, timeout=300)
    (line,) = [ln for ln in result.stderr.splitlines() if ln.startswith("MODULES ")]
    return set(line.split()[1:])


# Per engine, the commands whose runs that engine's server forks: each imports every preloaded module.
SERVED = {
    "typst": (["validate", str(BAD)], ["render", str(BAD), "-f", "txt"], ["render", str(RESUME), "-f", "txt"]),
    "weasyprint": (["render", str(RESUME), "-f", "pdf", "--engine", "weasyprint", "-o", "w"],),
}


def preloaded_by(engine: str) -> set[str]:
    """The modules a server for `engine` imports beyond the ones it starts with."""
    code = (
        "import sys, forked_cli; before = set(sys.modules); forked_cli._preload(sys.argv[1])\n"
        "print(' '.join(sorted(set(sys.modules) - before)))"
    )
    run = subprocess.run([sys.executable, "-c", code, engine], cwd=TESTS, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    return set(run.stdout.split())


@pytest.mark.parametrize("engine", sorted(ENGINE_PRELOAD))
def test_the_server_preloads_only_what_every_profile_command_imports(engine: str, tmp_path: Path) -> None:
    """Beyond its own standard-library modules (socket, select, ...), a server holds only modules
    that a run it forks imports itself, so a forked run cannot lean on an import it lacks."""
    preloaded = preloaded_by(engine)
    assert {*PRELOAD, *ENGINE_PRELOAD[engine]} <= preloaded
    for args in SERVED[engine]:
        assert engine_of(args) == engine
        extra = preloaded - imported_by(args, tmp_path)
        assert not extra, (args, sorted(extra))


def test_the_engine_is_read_from_the_command_line_as_typer_reads_it() -> None:
    assert engine_of(["render", "p.yaml", "--engine", "weasyprint"]) == "weasyprint"
    assert engine_of(["render", "p.yaml", "--engine=weasyprint", "-f", "pdf"]) == "weasyprint"
    assert engine_of(["render", "weasyprint.yaml", "-o", "weasyprint"]) == "typst"
    assert engine_of(["render", "p.yaml", "--engine"]) == "typst"
    assert engine_of(["render", "p.yaml", "--engine", "typst"]) == "typst"


def test_a_run_past_its_time_limit_is_killed(tmp_path: Path) -> None:
    profile = write(tmp_path / "p.yaml", "name: Ada Example\n")
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH}
    server = fork_server()
    assert server.accepts(env)
    left = _staged_folders_of_ended_processes()
    with pytest.raises(subprocess.TimeoutExpired):
        server.run(["watch", str(profile)], str(tmp_path), env, timeout=3)  # watches until stopped
    # The killed watch's staged folder (the Document inside) is removed: it stayed in /dev/shm.
    assert _staged_folders_of_ended_processes() <= left


def _staged_folders_of_ended_processes() -> set[Path]:
    from cvbuild.targets.typst_stage import PREFIX, memory_folder

    def ended(folder: Path) -> bool:
        pid = folder.name[len(PREFIX) :].split("-", 1)[0]
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            return True
        except (OSError, ValueError):
            return False
        return False

    return {f for f in Path(memory_folder() or tempfile.gettempdir()).glob(f"{PREFIX}*") if ended(f)}


def test_a_run_in_an_environment_of_its_own_gets_a_new_interpreter(tmp_path: Path) -> None:
    """PYTHONPATH takes effect only at start-up: the run finds a module only it can see."""
    write(tmp_path / "site" / "sitecustomize.py", "import sys; sys.stderr.write('started with the site\\n')\n")
    result = run_cli("--version", env={"PYTHONPATH": str(tmp_path / "site")})
    assert result.stdout == f"cvbuild {__version__}\n"
    assert result.stderr == "started with the site\n"


def test_a_bounded_run_is_held_to_its_address_space_limit(tmp_path: Path) -> None:
    """run_cli_bounded's forked run reports its peak, and cannot grow past the limit it is given (a
    tenth of that peak: glibc and Rust reserve address space they give up under a limit)."""
    profile = write(tmp_path / "p.yaml", "name: Ada Example\nsummary: A normal profile.\n")
    normal, peak = run_cli_bounded("render", profile, "-f", "pdf", "-o", tmp_path / "a")
    assert normal.returncode == 0 and peak > 0, normal.stderr
    starved, _ = run_cli_bounded("render", profile, "-f", "pdf", "-o", tmp_path / "b", max_bytes=peak // 10)
    assert starved.returncode != 0
    assert not (tmp_path / "b").exists() or not any((tmp_path / "b").iterdir())
