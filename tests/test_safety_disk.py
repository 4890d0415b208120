"""A real full disk: a small tmpfs, mounted in a user and mount namespace of the test's own (no
privileges needed), holds the outputs of a first render and is then filled up. A second render of
a changed profile must fail with a clear message, keep every old output byte for byte and leave
no temporary behind; once space is back, the next render replaces the whole set.

The fault-injecting writer of tests/test_output.py fails at each file in turn; this proves the
same with the kernel's ENOSPC, wherever in a file it comes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import EPOCH, run_cli, write

# Runs inside the namespace: mount, render, fill, render again, report as JSON.
# `free`: bytes left when the second render starts, or "ro": the folder is made read-only instead;
# then the arguments of `cvbuild` (OUT and PROFILE stand for the two paths).
SCRIPT = r"""
import errno, hashlib, json, os, subprocess, sys
out, profile, free, args = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", out], check=True)
def render():
    given = [profile if a == "PROFILE" else out + a[3:] if a.startswith("OUT") else a for a in args]
    argv = [sys.executable, "-m", "cvbuild", *given]
    return subprocess.run(argv, capture_output=True, text=True)
def snapshot():
    return {n: hashlib.sha256(open(os.path.join(out, n), "rb").read()).hexdigest() for n in sorted(os.listdir(out))}
report = {"first": render().returncode, "old": snapshot()}
with open(profile, "a") as fh:
    fh.write("headline: A changed profile\n")
if free == "ro":
    subprocess.run(["mount", "-o", "remount,ro", out], check=True)
else:  # fill the disk, then give back `free` bytes
    filler = os.path.join(out, "filler")
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT)
    try:
        while True:
            os.write(fd, b"\0" * 4096)
    except OSError as exc:
        assert exc.errno == errno.ENOSPC, exc
    os.close(fd)
    os.truncate(filler, max(0, os.path.getsize(filler) - int(free)))
second = render()
report["second"] = second.returncode
report["stderr"] = second.stderr
report["after"] = {n: h for n, h in snapshot().items() if n != "filler"}
if free == "ro":
    subprocess.run(["mount", "-o", "remount,rw", out], check=True)
else:
    os.remove(filler)
report["third"] = render().returncode
report["new"] = snapshot()
print(json.dumps(report))
"""
RENDER = ["render", "PROFILE", "-f", "txt,md,html,pdf", "-o", "OUT"]


def _in_namespace(tmp_path: Path, free: str, args: list[str], more: str = "") -> dict[str, Any]:
    unshare = shutil.which("unshare")
    assert unshare and subprocess.run([unshare, "-rm", "true"], check=False).returncode == 0, "needs user namespaces"
    profile = write(tmp_path / "p.yaml", "name: Ada Example\nsummary: The first version.\n" + more)
    (tmp_path / "out").mkdir()
    result = subprocess.run(
        [unshare, "-rnm", sys.executable, "-c", SCRIPT, str(tmp_path / "out"), str(profile), free, json.dumps(args)],
        env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    report: dict[str, Any] = json.loads(result.stdout)
    assert report["first"] == 0
    return report


@pytest.mark.parametrize("free", [0, 6 * 1024, 40 * 1024, 200 * 1024])
def test_a_full_disk_keeps_the_old_set(tmp_path: Path, free: int) -> None:
    """`free`: bytes left when the second render starts; the new set needs about 260 KB."""
    report = _in_namespace(tmp_path, str(free), RENDER)
    assert sorted(report["old"]) == ["ada-example.html", "ada-example.md", "ada-example.pdf", "ada-example.txt"]
    assert report["second"] == 1, report["stderr"]
    assert "No space left on device; the previous outputs are kept" in report["stderr"], report["stderr"]
    _kept_then_replaced(report)


def _kept_then_replaced(report: dict[str, Any]) -> None:
    assert "Traceback" not in report["stderr"]
    assert report["after"] == report["old"], "a full disk left a mixed or torn set, or a temporary"
    assert report["third"] == 0
    assert sorted(report["new"]) == sorted(report["old"])
    assert all(report["new"][n] != report["old"][n] for n in report["old"]), "the set was not replaced"


# Every target's bytes end in the same set writer; these prove it for the ones above's set lacks:
# the PNG previews (one file a page) and WeasyPrint's PDF, with the disk full in the middle.
@pytest.mark.parametrize(
    ("formats", "free"), [(["-f", "pdf,png"], 60 * 1024), (["-f", "pdf", "--engine", "weasyprint"], 12 * 1024)]
)
def test_a_full_disk_keeps_the_old_set_of_every_target(tmp_path: Path, formats: list[str], free: int) -> None:
    report = _in_namespace(tmp_path, str(free), ["render", "PROFILE", *formats, "-o", "OUT"])
    assert report["second"] == 1, report["stderr"]
    assert "No space left on device; the previous outputs are kept" in report["stderr"]
    _kept_then_replaced(report)


def test_a_read_only_output_folder_is_exit_2_and_keeps_the_old_set(tmp_path: Path) -> None:
    report = _in_namespace(tmp_path, "ro", RENDER)
    assert report["second"] == 2, report["stderr"]
    assert "Read-only file system; the previous outputs are kept" in report["stderr"], report["stderr"]
    _kept_then_replaced(report)


def test_export_to_a_full_disk_keeps_the_old_file(tmp_path: Path) -> None:
    """The one-file writes (export, new, --report) replace their file atomically too."""
    paper = "publications:\n  - {id: a1, title: A Paper, authors: [Ada Example], venue: X, date: 2025}\n"
    report = _in_namespace(tmp_path, "0", ["export", "bibtex", "PROFILE", "-o", "OUT/p.bib"], paper)
    assert sorted(report["old"]) == ["p.bib"]
    assert report["second"] == 1, report["stderr"]
    assert "p.bib: cannot write: No space left on device" in report["stderr"]
    assert "Traceback" not in report["stderr"]
    assert report["after"] == report["old"], "a full disk left a torn file, or a temporary"
    assert (report["third"], sorted(report["new"])) == (0, ["p.bib"])  # the headline is not in it: same bytes


def test_a_report_that_cannot_be_written_fails_before_the_outputs_change(tmp_path: Path) -> None:
    """`-o site --report ro/r.json`, ro read-only: the outputs were replaced, then the run failed
    (exit 2) on its report, so CI saw a failed run that had changed the files."""
    unshare = shutil.which("unshare")
    assert unshare and subprocess.run([unshare, "-rm", "true"], check=False).returncode == 0, "needs user namespaces"
    profile = write(tmp_path / "p.yaml", "name: Ada Example\nsummary: The first version.\n")
    site, ro = tmp_path / "site", tmp_path / "ro"
    ro.mkdir()
    args = ["render", str(profile), "-f", "txt,md", "-o", str(site), "--report", str(ro / "r.json")]
    first = run_cli(*args)
    assert first.returncode == 0, first.stderr
    old = {p.name: p.read_bytes() for p in site.iterdir()}
    write(profile, "name: Ada Example\nsummary: The second version.\n")
    script = f'mount --bind {ro} {ro} && mount -o remount,bind,ro {ro} && exec {sys.executable} -m cvbuild "$@"'
    result = subprocess.run(
        [unshare, "-rnm", "sh", "-c", script, "sh", *args],
        env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 2, result.stderr
    assert f"--report {ro / 'r.json'}: cannot write: Read-only file system; the previous outputs are kept" in (
        result.stderr
    )
    assert "Traceback" not in result.stderr
    assert {p.name: p.read_bytes() for p in site.iterdir()} == old


def test_a_failed_renders_report_says_nothing_was_written(tmp_path: Path) -> None:
    """A render that failed reported `"written": true` beside its error, though it wrote nothing."""
    profile = write(tmp_path / "p.yaml", "name: Ada Example\nsumary: Typo.\n")
    result = run_cli("render", profile, "-f", "txt", "-o", tmp_path / "out", "--report", tmp_path / "r.json")
    assert result.returncode == 2, result.stderr
    report = json.loads((tmp_path / "r.json").read_text())
    assert (report["exit_code"], report["written"], report["outputs"]) == (2, False, [])
    assert not (tmp_path / "out").exists()
