"""Writing outputs: names derived from the person, and the outputs of a run replaced as one set.

A run's files land together or not at all. Every file is first written, with fsync, to a
temporary beside its target (`.cvbuild-tmp-PID-RANDOM-NAME`). Only when all are written does a
small journal (`.cvbuild-tmp-PID-RANDOM.commit`) list the renames and removals; then they are
done and the journal is deleted. A failure before the journal removes the temporaries and keeps
the old set; a run killed after it is finished by the next one (`recover`), which also deletes
what killed runs left. So after any crash, once `recover` ran, the folder holds the old set or the
new one, never a mix, and no temporary.

On a disk each fsync waits for the device (~1-5 ms on ext4, more while other programs write), so
they are grouped into three waits whatever the number of files: every temporary and the journal
are created (the journal empty: an empty journal is a torn one, never committed) and then filled
and synced at once, in threads, together with the folder that now names them; then the journal
gets its plan and is synced (the commit point); then the renames, and the folder once more.
The renames run at once in threads too: replacing a file frees the old one's blocks, which on
ext4 waits for the device as well (~4 ms a file on the benchmark machine, one after another).
"""

from __future__ import annotations

import errno
import functools
import json
import os
import re
import secrets
import stat
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

TMP_PREFIX = ".cvbuild-tmp-"
_JOURNAL_SUFFIX = ".commit"
_TMP_NAME = re.compile(re.escape(TMP_PREFIX) + r"(\d+)-")

Writer = Callable[[Path, int, bytes], None]


def slug(name: str) -> str:
    """`Ada Example` -> `ada-example`, `Łucja Ørsted` -> `lucja-orsted`; empty for a name with no
    Latin letter or digit (`김지우`, `李雷`): file names stay ASCII, for artifacts and URLs."""
    from cvbuild.document.authors import ascii_slug  # the owner's name is matched with the same folding

    return ascii_slug(name)


def atomic_write(path: Path, data: bytes) -> None:
    """Write to a temporary file in the same folder, fsync, then rename over the target; into a
    FIFO or device (`-o /dev/stdout`, a pipe) directly, as a shell's `>` does: renamed over, it
    was replaced by a regular file (as root, /dev/null itself)."""
    import stat
    import tempfile  # here: a render writes through `write_set`, and tempfile costs ~4 ms to import

    try:
        mode = os.stat(path).st_mode
    except OSError:
        mode = 0
    if stat.S_ISDIR(mode):  # else the rename fails only after the temporary was written
        raise IsADirectoryError(errno.EISDIR, "a folder, not a file; give the name of a file")
    if stat.S_ISFIFO(mode) or stat.S_ISCHR(mode):
        with open(path, "wb") as stream:
            stream.write(data)
        return

    make_folder(path.parent)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# The place the user named cannot take the file (a folder where a file goes, a read-only or
# foreign folder, a file where a folder goes): usage, exit 2. Anything else (a full disk, an I/O
# error) is the machine failing the run: exit 1.
USAGE_ERRNOS = frozenset(
    {errno.EISDIR, errno.ENOTDIR, errno.EEXIST, errno.EROFS, errno.EACCES, errno.EPERM, errno.ENAMETOOLONG}
)


def write_failure(message: str, exc: OSError, after: str = "") -> Exception:
    """The error for an output that could not be written: `message`, why, then `after` (see USAGE_ERRNOS)."""
    from cvbuild.errors import InputError, RenderError

    text = f"{message}: {exc.strerror or exc}{after}"
    return InputError(text) if exc.errno in USAGE_ERRNOS else RenderError(text)


def check_place(path: Path) -> None:
    """Raise the OSError writing `path` would meet in the folder that holds it (or, not made yet,
    the nearest one above it that is): a read-only or foreign folder, said before anything else
    of the run is written. Nothing is created."""
    folder = path.parent
    while not os.path.lexists(folder) and folder != folder.parent:
        folder = folder.parent
    if not os.path.isdir(folder) or os.access(folder, os.W_OK | os.X_OK):
        return  # a file on the way is said where the folder is made
    code = errno.EROFS if os.statvfs(folder).f_flag & os.ST_RDONLY else errno.EACCES
    raise OSError(code, os.strerror(code))


def create(path: Path) -> int:
    """A new, empty file: never one that exists, nor what a link there points to."""
    return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o644)


def make_folder(folder: Path) -> None:
    """`folder` and those above it, or the error the user can act on: mkdir says only "File
    exists" when a file stands where a folder on the way goes."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        raise NotADirectoryError(errno.ENOTDIR, "a file stands where a folder on its way goes") from None


def fill(path: Path, fd: int, data: bytes) -> None:
    """Write all of `data` into the new file `fd` (named `path`) and fsync it; `fd` stays open."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
    os.fsync(fd)


MAX_SYNC_THREADS = 16  # fsyncs waiting at once; a disk's journal commits them together


def write_set(
    folder: Path, files: Sequence[tuple[str, bytes]], remove: Iterable[str] = (), *, writer: Writer = fill
) -> None:
    """Replace `files` (names inside `folder`) and delete `remove` as one set; see the module doc.
    `writer(path, fd, data)` fills and syncs one temporary (tests hand in one that fails)."""
    new_folders = [p for p in (folder, *folder.parents) if not os.path.lexists(p)]
    make_folder(folder)
    try:
        _write_set(folder, files, remove, writer)
    except BaseException:
        for made in new_folders:  # a failed run leaves no trace: not even the folders it made
            try:
                made.rmdir()
            except OSError:
                break
        raise


def _write_set(folder: Path, files: Sequence[tuple[str, bytes]], remove: Iterable[str], writer: Writer) -> None:
    """`write_set` once its folder exists."""
    recover(folder)
    for name, _ in files:
        blocked(folder / name)
    tag = f"{TMP_PREFIX}{os.getpid()}-{secrets.token_hex(4)}"
    temps = [(f"{tag}-{name}", name) for name, _ in files]
    journal = folder / f"{tag}{_JOURNAL_SUFFIX}"
    gone = sorted(n for n in set(remove) - {name for name, _ in files} if not _is_folder(folder / n))
    plan = {"rename": temps, "remove": gone}
    made: list[tuple[Path, int]] = []
    try:
        for path in [*(folder / temp for temp, _ in temps), journal]:
            made.append((path, create(path)))
        jobs = [(path, fd, data) for (path, fd), (_, data) in zip(made[:-1], files, strict=True)]
        _sync_all(folder, jobs, writer)
        writer(journal, made[-1][1], json.dumps(plan).encode("utf-8"))  # the commit point
    except BaseException:
        for path, _ in made:
            path.unlink(missing_ok=True)
        raise
    finally:
        for _, fd in made:
            os.close(fd)
    _apply(folder, journal)


def blocked(path: Path) -> None:
    """Refuse, before anything is written, a target that a rename cannot replace: a folder of
    that name. After the commit point its rename failed, and the set was left half replaced."""
    if _is_folder(path):
        raise IsADirectoryError(errno.EISDIR, f"{path.name} is a folder, where that output goes; move it away")


def _is_folder(path: Path) -> bool:
    """A folder itself, not a link to one (a rename replaces a link, whatever it leads to)."""
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)
    except OSError:
        return False


def _sync_all(folder: Path, jobs: Sequence[tuple[Path, int, bytes]], writer: Writer) -> None:
    """Every temporary written and synced, and the folder that names them, each in its own thread
    (fsync lets go of the GIL), so the waits overlap; the first failure is raised after all ended."""
    _all_at_once([functools.partial(writer, *job) for job in jobs] + [functools.partial(_fsync_dir, folder)])


def _all_at_once(calls: Sequence[Callable[[], object]]) -> None:
    """Run `calls`, each in its own thread (one alone in this one): they wait for the disk, which
    lets go of the GIL, so the waits overlap. The first failure is raised after all ended."""
    if len(calls) == 1:
        calls[0]()
        return
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(min(len(calls), MAX_SYNC_THREADS), thread_name_prefix="cvbuild-sync") as pool:
        futures = [pool.submit(call) for call in calls]
        failures = [exc for exc in (f.exception() for f in futures) if exc is not None]
    if failures:
        raise failures[0]


def recover(folder: Path) -> None:
    """Finish the sets that killed runs committed, then delete temporaries no live run owns."""
    if not folder.is_dir():
        return
    for journal in sorted(folder.glob(f"{TMP_PREFIX}*{_JOURNAL_SUFFIX}")):
        if _owner_alive(journal.name):
            continue
        _apply(folder, journal)
    for leftover in folder.glob(f"{TMP_PREFIX}*"):
        if not _owner_alive(leftover.name) and not leftover.name.endswith(_JOURNAL_SUFFIX):
            leftover.unlink(missing_ok=True)


def _apply(folder: Path, journal: Path) -> None:
    """Do a committed journal's renames and removals; safe to repeat after a crash."""
    try:
        plan = json.loads(journal.read_bytes())
        renames = [(str(a), str(b)) for a, b in plan["rename"]]
        removals = [str(n) for n in plan["remove"]]
    except (OSError, ValueError, KeyError, TypeError):  # torn before it was complete: never committed
        journal.unlink(missing_ok=True)
        return
    # Each name is renamed to or removed once, so they may go in any order, and at once.
    calls = [functools.partial(_rename_if_there, folder / temp, folder / name) for temp, name in renames]
    calls += [functools.partial((folder / name).unlink, missing_ok=True) for name in removals]
    if calls:
        _all_at_once(calls)
    _fsync_dir(folder)
    journal.unlink(missing_ok=True)


def _rename_if_there(temp: Path, target: Path) -> None:
    """A committed rename, unless it was done already (a journal finished twice)."""
    if temp.exists():
        os.replace(temp, target)


def _owner_alive(name: str) -> bool:
    """Whether the run that made this temporary still runs (another cvbuild writing here now)."""
    match = _TMP_NAME.match(name)
    if match is None:
        return False
    pid = int(match.group(1))
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's live process
        return True
    return True


def _fsync_dir(folder: Path) -> None:
    """Make renames in `folder` durable (a no-op where folders cannot be opened)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
