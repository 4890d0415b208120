"""The Document as a file for a long-lived Typst compiler (`watch`), instead of in sys.inputs.

Typst keeps sys.inputs in its standard library, and nearly all of its memoized evaluation and
layout depends on the library: any change to any input lays the whole document out again, so a
one-word edit costs as much as a cold layout (the example: ~150-190 ms; bench/typst_memo.py). A
file is tracked on its own: after a headline edit Typst redoes only what read the changed data
(~40-50 ms). A package cannot read the project's files, so the Document goes into a package:
`@local/cvbuild-document`, which `load-document()` of @local/cvbuild imports when sys.inputs says
so. The theme's packages are mirrored beside it into a private folder that lives as long as the
`watch` session, since Typst takes one package folder.

A theme whose own Typst files read sys.inputs (rather than calling `load-document()`) keeps the
sys.inputs channel, and so does every one-shot render: it compiles once, and a file would only
add writes. The PDF is the same either way (tests/test_typst_stage.py).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from cvbuild import confine

STAGE = "typst.stage"  # ctx.cache slot: the session's private folder, set by `staged_session`
STAGED_KEY = "cvbuild_staged"  # in sys.inputs: read the Document from the package
DOCUMENT_KEY = "cvbuild"  # in sys.inputs: the Document's JSON, when it is not staged
DATA_PACKAGE = ("local", "cvbuild-document", "1.0.0")
_MANIFEST = b'[package]\nname = "cvbuild-document"\nversion = "1.0.0"\nentrypoint = "lib.typ"\n'
_ENTRY = b'#let document = read("document.json", encoding: none)\n'


@contextmanager
def staged_session(cache: dict[Any, Any]) -> Iterator[Path]:
    """Let Typst renders that share `cache` read the Document from a file, in a private folder
    (mode 0700) that is removed when the block ends (`watch`, and a render with a warm start)."""
    import os
    import shutil
    import tempfile

    parent = memory_folder()
    sweep(Path(parent or tempfile.gettempdir()))
    folder = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-", dir=parent))
    cache[STAGE] = folder
    try:
        yield folder
    finally:
        cache.pop(STAGE, None)
        shutil.rmtree(folder, ignore_errors=True)


PREFIX = "cvbuild-typst-"  # then the pid of the process whose folder it is
STALE_SECONDS = 3600


def sweep(parent: Path, now: float | None = None) -> None:
    """Remove this user's staged folders left by processes that ended without their cleanup
    (killed with SIGKILL, or out of memory): they hold a Document, the user's personal data, in
    memory until the next boot. Only folders of a process that no longer exists and that are an
    hour old go: a pid reused by another process, or a folder of another pid namespace sharing
    this folder, is never taken from a running render."""
    import os
    import shutil
    import time

    limit = (time.time() if now is None else now) - STALE_SECONDS
    try:
        entries = [e for e in os.scandir(parent) if e.name.startswith(PREFIX)]
    except OSError:
        return
    for entry in entries:
        pid = entry.name[len(PREFIX) :].split("-", 1)[0]
        try:
            info = entry.stat(follow_symlinks=False)
            if not pid.isdigit() or info.st_uid != os.getuid() or info.st_mtime > limit or _alive(int(pid)):
                continue
        except OSError:
            continue
        shutil.rmtree(entry.path, ignore_errors=True)


def _alive(pid: int) -> bool:
    import os

    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process: alive
        return True
    return True


def memory_folder() -> str | None:
    """A folder in memory for the staged files, where there is one: this user's runtime folder,
    else /dev/shm; None (the system's temporary folder) otherwise, or when $TMPDIR says where
    temporary files go. Creating, rewriting and removing a handful of files on a busy disk took
    10-20 ms of each render's end."""
    import os

    if os.environ.get("TMPDIR"):
        return None
    for candidate in (os.environ.get("XDG_RUNTIME_DIR"), "/dev/shm"):
        if (
            candidate
            and os.path.isabs(candidate)
            and os.path.isdir(candidate)
            and os.access(candidate, os.W_OK | os.X_OK)
        ):
            return candidate
    return None


def staged_packages(cache: dict[Any, Any], packages: Path | None, template_dir: Path, own_lib: Path) -> Path | None:
    """The package folder to give Typst with the Document staged, or None for sys.inputs: no
    session, or a theme that reads sys.inputs itself. The theme's files are listed once a build;
    they are read and mirrored only when one of them changed (an edit in `watch`). `packages` was
    checked by `_check_folders` (no link leads out, no FIFO), so its regular files are copied as
    they are."""
    stage = cache.get(STAGE)
    if stage is None:
        return None
    folders = [template_dir, *([packages] if packages else [])]
    try:
        snapshot = tuple((p, p.stat().st_mtime_ns) for f in folders for p in sorted(f.rglob("*")) if p.is_file())
    except OSError:  # a file went while listed: this build takes sys.inputs
        return None
    key = ("typst.staged", stage, snapshot)
    if key not in cache:
        cache[key] = _prepare(stage, packages, [p for p, _ in snapshot if p.suffix == ".typ"], own_lib)
    mirror: Path | None = cache[key]
    return mirror


def _prepare(stage: Path, packages: Path | None, typst_files: list[Path], own_lib: Path) -> Path | None:
    """Mirror `packages` with the Document's package beside it, unless a Typst file of the theme,
    other than cvbuild's own lib.typ, mentions sys.inputs (that theme reads the Document there)."""
    own = own_lib.resolve()
    mirror = stage / hashlib.blake2b(str(packages).encode(), digest_size=8).hexdigest()  # one per theme chain
    try:
        if any(b"sys.inputs" in confine.read_regular(p.resolve()) for p in typst_files if p.resolve() != own):
            return None
        if packages is not None:
            _mirror(packages, mirror)
        data = mirror.joinpath(*DATA_PACKAGE)
        _write_if_changed(data / "typst.toml", _MANIFEST)
        _write_if_changed(data / "lib.typ", _ENTRY)
    except (OSError, confine.PathRefused):  # a file too big to copy, a full disk: sys.inputs still works
        return None
    return mirror


def own_lib() -> Path:
    """cvbuild's own Typst package, which reads the Document from either channel."""
    from cvbuild.themes.places import builtin_themes_dir

    return builtin_themes_dir() / "base" / "packages" / "local" / "cvbuild" / "1.0.0" / "lib.typ"


def channel(
    cache: dict[Any, Any],
    template_dir: Path,
    packages: Path | None,
    inputs: dict[str, str],
    before_write: Callable[[Path], None] | None = None,
) -> tuple[Path | None, dict[str, str]]:
    """(the package folder for the compiler, its sys.inputs): with a staged session in `cache`
    the Document goes into a file of the mirror, else into sys.inputs. `before_write(mirror)` is
    called first (a warm start's thread may still be writing there)."""
    if STAGE not in cache:
        return packages, inputs
    mirror = staged_packages(cache, packages, template_dir, own_lib())
    if mirror is None:
        return packages, inputs
    if before_write is not None:
        before_write(mirror)
    try:
        return mirror, staged_inputs(mirror, inputs)
    except OSError:  # never let Typst read the previous Document: this compile takes sys.inputs
        return packages, inputs


def staged_inputs(mirror: Path, inputs: dict[str, str]) -> dict[str, str]:
    """Write the Document of `inputs` into `mirror`; the sys.inputs that tell Typst to read it there."""
    write_document(mirror, inputs[DOCUMENT_KEY])
    rest = {k: v for k, v in inputs.items() if k != DOCUMENT_KEY}
    return {**rest, STAGED_KEY: "1"}


def write_document(mirror: Path, data: str) -> None:
    """The Document for the next compile; an unchanged one is not written again. Into the mirror
    `_prepare` made only: once the session's folder is removed (a warm start's thread still on
    its way after Ctrl-C) it is an OSError, not the folder made again, readable by all, holding
    the Document, after the render ended."""
    _write_if_changed(mirror.joinpath(*DATA_PACKAGE, "document.json"), data.encode(), make_parents=False)


def _mirror(source: Path, target: Path) -> None:
    """`target` holds `source`'s regular files, byte for byte; files are written only when they
    differ, so Typst sees unchanged files as unchanged. Files `source` no longer has are removed,
    except the staged Document's package."""
    wanted = {p.relative_to(source) for p in source.rglob("*") if p.is_file()}
    for rel in sorted(wanted):
        _write_if_changed(target / rel, confine.read_regular((source / rel).resolve()))
    data = target.joinpath(*DATA_PACKAGE)
    for old in sorted(target.rglob("*"), reverse=True):
        if old.is_file() and old.relative_to(target) not in wanted and data not in old.parents:
            old.unlink()


def _write_if_changed(path: Path, data: bytes, make_parents: bool = True) -> None:
    try:
        if path.read_bytes() == data:
            return
    except FileNotFoundError:
        if make_parents:
            path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
