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

import pytest
from conftest import EPOCH, write

# Runs inside the namespace: mount, render, fill, render again, report as JSON.
SCRIPT = r"""
import errno, hashlib, json, os, subprocess, sys
out, profile, free = sys.argv[1], sys.argv[2], int(sys.argv[3])
subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", out], check=True)
def render():
    argv = [sys.executable, "-m", "cvbuild", "render", profile, "-f", "txt,md,html,pdf", "-o", out]
    return subprocess.run(argv, capture_output=True, text=True)
def snapshot():
    return {n: hashlib.sha256(open(os.path.join(out, n), "rb").read()).hexdigest() for n in sorted(os.listdir(out))}
report = {"first": render().returncode, "old": snapshot()}
with open(profile, "a") as fh:
    fh.write("headline: A changed profile\n")
filler = os.path.join(out, "filler")  # fill the disk, then give back `free` bytes
fd = os.open(filler, os.O_WRONLY | os.O_CREAT)
try:
    while True:
        os.write(fd, b"\0" * 4096)
except OSError as exc:
    assert exc.errno == errno.ENOSPC, exc
os.close(fd)
os.truncate(filler, max(0, os.path.getsize(filler) - free))
second = render()
report["second"] = second.returncode
report["stderr"] = second.stderr
report["after"] = {n: h for n, h in snapshot().items() if n != "filler"}
os.remove(filler)
report["third"] = render().returncode
report["new"] = snapshot()
print(json.dumps(report))
"""


@pytest.mark.parametrize("free", [0, 6 * 1024, 40 * 1024, 200 * 1024])
def test_a_full_disk_keeps_the_old_set(tmp_path: Path, free: int) -> None:
    """`free`: bytes left when the second render starts; the new set needs about 260 KB."""
    unshare = shutil.which("unshare")
    assert unshare and subprocess.run([unshare, "-rm", "true"], check=False).returncode == 0, "needs user namespaces"
    profile = write(tmp_path / "p.yaml", "name: Ada Example\nsummary: The first version.\n")
    (tmp_path / "out").mkdir()
    result = subprocess.run(
        [unshare, "-rnm", sys.executable, "-c", SCRIPT, str(tmp_path / "out"), str(profile), str(free)],
        env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["first"] == 0
    assert sorted(report["old"]) == ["ada-example.html", "ada-example.md", "ada-example.pdf", "ada-example.txt"]
    assert report["second"] == 1, report["stderr"]
    assert "No space left on device; the previous outputs are kept" in report["stderr"], report["stderr"]
    assert "Traceback" not in report["stderr"]
    assert report["after"] == report["old"], "a full disk left a mixed or torn set, or a temporary"
    assert report["third"] == 0
    assert sorted(report["new"]) == sorted(report["old"])
    assert all(report["new"][n] != report["old"][n] for n in report["old"]), "the set was not replaced"
