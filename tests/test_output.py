"""The outputs of a run are replaced as one set: all old or all new, even after a failed write or
a `kill -9`, and no temporary outlives the next run."""

from __future__ import annotations

import errno
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import run_cli, write

from cvbuild import output
from cvbuild.output import TMP_PREFIX, atomic_write, recover, slug, write_set


def test_atomic_write_replaces_and_leaves_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "a" / "cv.txt"
    atomic_write(target, b"one")
    atomic_write(target, b"two")
    assert target.read_bytes() == b"two"
    assert os.listdir(target.parent) == ["cv.txt"]


def test_failed_write_keeps_previous_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "cv.txt"
    atomic_write(target, b"good")

    def broken_replace(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError):
        atomic_write(target, b"bad")
    assert target.read_bytes() == b"good"
    assert os.listdir(tmp_path) == ["cv.txt"]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Ada Example", "ada-example"),
        ("Zoë Ñúñez", "zoe-nunez"),
        ("李雷", ""),
        # Latin letters with no decomposition into a base letter and a mark: dropping them
        # named this file `magorzata-stergaard-nunez`.
        ("Małgorzata Østergaard-Núñez", "malgorzata-ostergaard-nunez"),
        ("Æsa Łukasiewicz-Straße", "aesa-lukasiewicz-strasse"),
        ("Þóra Ðorðević Œdipe", "thora-dordevic-oedipe"),
        ("Lena Müller", "lena-muller"),
        # a Unicode hyphen (U+2010, U+2011) joins as `-` does: it was dropped (`jeanluc`, `annemarie`)
        ("Jean‐Luc Anne‑Marie", "jean-luc-anne-marie"),
        ("Ivan Петров-Smith", "ivan-smith"),
        # what shows nothing (soft hyphen, zero-width space, joiners, word joiner) separates nothing
        ("Ma\u00adrie Cu\u200brie-Sk\u200d\u2060\ufefflodowska", "marie-curie-sklodowska"),
    ],
)
def test_slug(name: str, expected: str) -> None:
    assert slug(name) == expected


# ---- the set --------------------------------------------------------------------------------

NAMES = ("cv.pdf", "cv.html", "cv.txt", "cv.md", "cv-1.png", "cv-2.png")


def _generation(folder: Path) -> set[str]:
    """Which runs' outputs the folder holds (one element when the set is whole)."""
    return {(folder / n).read_bytes().split(b":", 1)[0].decode() for n in NAMES if (folder / n).exists()}


def _set(gen: str, size: int = 10) -> list[tuple[str, bytes]]:
    return [(name, f"{gen}:".encode() * size) for name in NAMES]


def test_write_set_replaces_everything_and_removes_stale_pages(tmp_path: Path) -> None:
    write_set(tmp_path, _set("old"))
    write(tmp_path / "cv-3.png", "old:")
    write(tmp_path / "notes.txt", "mine")
    write_set(tmp_path, _set("new"), remove=["cv-3.png"])
    assert _generation(tmp_path) == {"new"}
    assert sorted(os.listdir(tmp_path)) == sorted([*NAMES, "notes.txt"])


def test_a_failed_set_leaves_no_folder_it_made(tmp_path: Path) -> None:
    """`-o out/new/deeper` on a full disk: the run failed but left the empty folders behind."""

    def full_disk(path: Path, fd: int, data: bytes) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    write(tmp_path / "out" / "mine.txt", "mine")
    with pytest.raises(OSError, match="No space left"):
        write_set(tmp_path / "out" / "new" / "deeper", _set("new"), writer=full_disk)
    assert os.listdir(tmp_path / "out") == ["mine.txt"]
    with pytest.raises(OSError, match="No space left"):
        write_set(tmp_path / "out", _set("new"), writer=full_disk)
    assert os.listdir(tmp_path / "out") == ["mine.txt"]  # a folder that was there stays


def test_a_folder_named_like_an_output_keeps_the_old_set(tmp_path: Path) -> None:
    """A folder where one output goes: its rename failed after the commit point, so the set was
    left half new, half old, with the temporaries and the journal behind (and every later run
    failed in `recover`). Now it is refused before anything is written; a stale page that is a
    folder is left alone, and a link named like an output is replaced, not followed."""
    write_set(tmp_path, _set("old"))
    (tmp_path / "cv.md").unlink()
    (tmp_path / "cv.md").mkdir()
    with pytest.raises(IsADirectoryError, match=r"cv\.md is a folder, where that output goes"):
        write_set(tmp_path, _set("new"))
    assert {(tmp_path / n).read_bytes()[:4] for n in NAMES if n != "cv.md"} == {b"old:"}
    assert sorted(os.listdir(tmp_path)) == sorted(NAMES)
    (tmp_path / "cv.md").rmdir()
    (tmp_path / "cv-3.png").mkdir()
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "cv.txt").unlink()
    (tmp_path / "cv.txt").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    write_set(tmp_path, _set("new"), remove=["cv-3.png"])
    assert _generation(tmp_path) == {"new"}
    assert (tmp_path / "cv-3.png").is_dir() and not (tmp_path / "cv.txt").is_symlink()
    assert os.listdir(tmp_path / "elsewhere") == []


def test_a_folder_named_like_an_output_is_a_clear_error_of_the_cli(tmp_path: Path) -> None:
    profile = write(tmp_path / "p.yaml", "name: Ada Example\nsummary: Hi.\n")
    out = tmp_path / "out"
    assert run_cli("render", profile, "-f", "txt,md", "-o", out).returncode == 0
    old = (out / "ada-example.txt").read_bytes()
    (out / "ada-example.md").unlink()
    (out / "ada-example.md").mkdir()
    write(profile, "name: Ada Example\nsummary: Changed.\n")
    result = run_cli("render", profile, "-f", "txt,md", "-o", out)
    assert result.returncode == 2  # the place given cannot take the file: usage, not a failed render
    assert f"cannot write the outputs into {out}: ada-example.md is a folder, where that output goes" in result.stderr
    assert "the previous outputs are kept" in result.stderr and "Traceback" not in result.stderr
    assert (out / "ada-example.txt").read_bytes() == old
    assert sorted(os.listdir(out)) == ["ada-example.md", "ada-example.txt"]


@pytest.mark.parametrize("failing", [*NAMES, ".commit"])
def test_a_full_disk_at_any_file_keeps_the_old_set(tmp_path: Path, failing: str) -> None:
    """A writer that fails at one file (the journal too) as a full disk would, while the others
    are written at the same time."""
    write_set(tmp_path, _set("old"))

    def full_disk(path: Path, fd: int, data: bytes) -> None:
        if path.name.endswith(failing):
            os.write(fd, data[: len(data) // 2])  # a torn temporary, as ENOSPC leaves it
            raise OSError(errno.ENOSPC, "No space left on device")
        output.fill(path, fd, data)

    with pytest.raises(OSError, match="No space left"):
        write_set(tmp_path, _set("new"), writer=full_disk)
    assert _generation(tmp_path) == {"old"}
    assert sorted(os.listdir(tmp_path)) == sorted(NAMES)


def test_every_file_and_the_folder_are_synced_before_the_journal_commits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The order the crash-safety rests on: each temporary and the folder naming it are durable
    before the journal gets its plan, the journal before the first rename, and the renames
    before the journal goes."""
    events: list[str] = []
    real_fsync, real_replace, real_unlink = os.fsync, os.replace, Path.unlink

    def fsync(fd: int) -> None:
        real_fsync(fd)
        name = os.readlink(f"/proc/self/fd/{fd}")
        events.append(f"sync {Path(name).name.split('-', 4)[-1] if TMP_PREFIX in name else 'folder'}")

    def replace(src: object, dst: object) -> None:
        real_replace(src, dst)  # type: ignore[arg-type]
        events.append("rename")

    def unlink(path: Path, missing_ok: bool = False) -> None:
        real_unlink(path, missing_ok)
        events.append("unlink " + ("journal" if path.name.endswith(".commit") else path.name))

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    monkeypatch.setattr(Path, "unlink", unlink)
    write_set(tmp_path, _set("new"))
    commit = events.index(next(e for e in events if e.endswith(".commit")))
    assert sorted(events[:commit]) == sorted(["sync folder", *(f"sync {n}" for n in NAMES)])
    assert events[commit + 1 :] == ["rename"] * len(NAMES) + ["sync folder", "unlink journal"]
    assert _generation(tmp_path) == {"new"}


def test_a_render_that_cannot_write_keeps_the_old_set(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from cvbuild.errors import RenderError
    from cvbuild.pipeline import RenderRequest, render

    profile = write(tmp_path / "p.yaml", "name: Ada Example\nsummary: Old.\n")
    request = RenderRequest(profile=profile, formats=["txt", "md", "html"], output=tmp_path / "out")
    render(request)
    before = {p.name: p.read_bytes() for p in (tmp_path / "out").iterdir()}
    profile.write_text("name: Ada Example\nsummary: New.\n")

    def full_disk(path: Path, fd: int, data: bytes) -> None:
        if path.name.endswith(".md"):
            raise OSError(errno.ENOSPC, "No space left on device")
        output.fill(path, fd, data)

    monkeypatch.setattr(output, "write_set", lambda *a, **k: write_set(*a, **k, writer=full_disk))
    with pytest.raises(RenderError, match="No space left on device; the previous outputs are kept"):
        render(request)
    assert {p.name: p.read_bytes() for p in (tmp_path / "out").iterdir()} == before


WRITER = """
import sys
from pathlib import Path
from cvbuild.output import write_set
folder, size = Path(sys.argv[1]), int(sys.argv[2])
names = {names!r}
gen = 0
while True:
    write_set(folder, [(n, f"{{gen}}:".encode() * size) for n in names])
    if gen == 0:
        print("ready", flush=True)
    gen += 1
"""


def test_kill_9_at_random_moments_leaves_a_whole_set(tmp_path: Path) -> None:
    """A process writes sets of six 1 MB files in a loop and is killed at a random moment, 25
    times. After `recover` (what the next run does first) the folder holds one whole set."""
    rng = random.Random(20260101)
    folder = tmp_path / "out"
    code = WRITER.format(names=NAMES)
    seen: set[str] = set()
    for _ in range(25):
        proc = subprocess.Popen([sys.executable, "-c", code, str(folder), "500000"], stdout=subprocess.PIPE, text=True)
        assert proc.stdout is not None
        assert proc.stdout.readline() == "ready\n"
        time.sleep(rng.uniform(0, 0.4))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        proc.stdout.close()
        recover(folder)
        generations = _generation(folder)
        assert len(generations) == 1, generations
        assert sorted(os.listdir(folder)) == sorted(NAMES)
        seen |= generations
    assert len(seen) > 1  # the kills did land at different moments


def test_the_next_run_removes_what_a_killed_run_left(tmp_path: Path) -> None:
    profile = write(tmp_path / "p.yaml", "name: Ada Example\n")
    out = tmp_path / "out"
    write(out / f"{TMP_PREFIX}999999999-abcd-ada-example.txt", "torn")
    write(out / f"{TMP_PREFIX}999999999-abcd.commit", '{"rename": [')  # torn journal: never committed
    result = run_cli("render", profile, "-f", "txt", "-o", out)
    assert result.returncode == 0, result.stderr
    assert sorted(os.listdir(out)) == ["ada-example.txt"]


def test_a_committed_journal_is_finished_by_the_next_run(tmp_path: Path) -> None:
    write_set(tmp_path, _set("old"))
    for name, data in _set("new"):
        write(tmp_path / f"{TMP_PREFIX}999999999-abcd-{name}", data.decode())
    renames = [[f"{TMP_PREFIX}999999999-abcd-{n}", n] for n in NAMES]
    write(tmp_path / f"{TMP_PREFIX}999999999-abcd.commit", repr({"rename": renames, "remove": []}).replace("'", '"'))
    recover(tmp_path)
    assert _generation(tmp_path) == {"new"}
    assert sorted(os.listdir(tmp_path)) == sorted(NAMES)


# (the command, what its error says): a folder where the command writes one file, or a file where
# it writes into a folder, is the user's to fix (exit 2), located, with no traceback.
FOLDER_AS_FILE = {
    "new, the profile": (["new", "--force", "dir"], "dir: cannot write: a folder, not a file"),
    "new, the schema beside it": (["new", "dir/p.yaml"], "cvbuild.schema.json: cannot write: a folder, not a file"),
    "new, below a file": (["new", "file/p.yaml"], "cannot write: a file stands where a folder on its way goes"),
    "export": (["export", "bibtex", "p.yaml", "-o", "dir"], "dir: cannot write: a folder, not a file"),
    "render --report": (["render", "p.yaml", "-f", "txt", "--report", "dir"], "--report dir: a folder, not a file"),
    "themes --preview": (["themes", "--preview", "file"], "--preview file: not a folder"),
}


@pytest.mark.parametrize("case", list(FOLDER_AS_FILE))
def test_a_folder_given_as_an_output_file_is_exit_2(tmp_path: Path, case: str) -> None:
    argv, phrase = FOLDER_AS_FILE[case]
    write(tmp_path / "p.yaml", "name: Ada Example\nsummary: Hi.\n")
    write(tmp_path / "dir" / "cvbuild.schema.json" / "keep", "")
    write(tmp_path / "file", "a file\n")
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    result = run_cli(*argv, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert phrase in result.stderr and "Traceback" not in result.stderr
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before  # nothing written, no temporary


def test_only_a_place_that_cannot_take_the_file_is_the_users_error() -> None:
    from cvbuild.errors import InputError, RenderError

    assert isinstance(output.write_failure("x", OSError(errno.EROFS, "Read-only file system")), InputError)
    assert isinstance(output.write_failure("x", OSError(errno.EACCES, "Permission denied")), InputError)
    full = output.write_failure("x", OSError(errno.ENOSPC, "No space left on device"), "; kept")
    assert isinstance(full, RenderError) and str(full) == "x: No space left on device; kept"
