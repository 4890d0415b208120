"""Typst's warm start: a fresh `cvbuild render` lays out the last run's Document while Python loads.

Typst memoizes evaluation and layout inside one compiler. A one-shot render used to build its
compiler only once the profile was loaded and the Document made (~0.3 s of Python), and the
compile then started cold: fonts, the theme's code, every page (~0.1 s for the example). Here
the compiler is built first, in a thread, and compiles the Document the last render of the same
profile gave it, kept in the cache folder. typst-py lets go of the GIL while it compiles, so on a
second core this costs the main thread nothing; this run's compile then redoes only what
changed (~10 ms instead of ~100 ms when nothing did).

It never serves output: every PDF comes from compiling this run's Document, and a compiler's
memo does not change what Typst writes (tests compare the bytes of cold and warm renders). Only
built-in themes take part: their files are cvbuild's own, so nothing of a user's theme runs
before the checks a render makes first, and a recipe naming any other file is ignored.
CVBUILD_NO_CACHE=1 turns it off, as it does the template cache.

Stdlib only until the thread imports typst: this module is imported before pydantic.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import hashlib
import json
import os
import stat
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cvbuild.targets import typst_stage

SUBDIR = "typst"
SLOT = "typst.warm"  # ctx.cache: the Warm of this run
RECIPES = "typst.recipes"  # ctx.cache: this run's compiles, a list the pipeline saves
FORMAT = 2  # bump when a recipe's fields change: older files are then ignored
MAX_RECIPE_BYTES = 64 * 1024 * 1024  # a Document of a few thousand publications with a photo
MAX_RECIPE_FILES = 32  # profiles kept warm: the ones rendered last (a test suite renders hundreds)

# (the theme's cv.typ, the font folders, the package folder, the last-resort glyphs): what
# `typst_pdf._compiler` keys its compilers by, as text. In a recipe, the theme's own package folder
# (never a staged one). The glyphs are the characters and clusters no font of the theme has, which
# `last_resort.folder` makes a font of (none: no such font); a recipe holds them, not a path.
CompilerKey = tuple[str, tuple[str, ...], str | None, tuple[str, ...]]
MAX_GLYPHS = 4096  # last-resort glyphs a recipe may name: more is no file cvbuild wrote


@dataclass(frozen=True)
class Recipe:
    """One compile of a render: the compiler it used and what it gave Typst."""

    document: str
    key: CompilerKey
    inputs: dict[str, str]  # sys.inputs, with the Document's JSON (even when it went in a staged file)
    day: str  # the render's date (ISO), Typst's timestamp
    standards: tuple[str, ...]  # pdf_standards


# (the compiler's key, the staged package folder or None, the recipe)
Plan = tuple[CompilerKey, Path | None, "Recipe"]


def recipe_file(cache_root: Path, profile: Path) -> Path:
    """Where the recipes of renders of `profile` are kept: one file per profile (its real path)."""
    digest = hashlib.sha256(str(profile.resolve()).encode("utf-8", "surrogateescape")).hexdigest()
    return cache_root / SUBDIR / f"{digest}.json"


def encode(recipes: list[Recipe], version: str) -> bytes:
    entries = [
        {
            "document": r.document,
            "template": r.key[0],
            "fonts": list(r.key[1]),
            "packages": r.key[2],
            "last_resort": list(r.key[3]),
            "inputs": r.inputs,
            "day": r.day,
            "standards": list(r.standards),
        }
        for r in recipes
    ]
    return json.dumps({"format": FORMAT, "cvbuild": version, "recipes": entries}, sort_keys=True).encode()


def decode(data: bytes, version: str, allowed: list[Path]) -> list[Recipe]:
    """The recipes in `data`, or none when it is damaged, from another version of cvbuild, or
    names a file outside the `allowed` folders (cvbuild's themes and CJK fonts)."""
    try:
        raw = json.loads(data)
        if raw.get("format") != FORMAT or raw.get("cvbuild") != version:
            return []
        recipes = [_recipe(entry) for entry in raw["recipes"]]
    except (ValueError, TypeError, KeyError, AttributeError, RecursionError):  # deep nesting too
        return []
    return [r for r in recipes if _inside(r.key, allowed)]


def _recipe(entry: dict[str, Any]) -> Recipe:
    inputs = entry["inputs"]
    if not isinstance(inputs, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in inputs.items()):
        raise TypeError("inputs")
    fonts = tuple(entry["fonts"])
    packages = entry["packages"]
    glyphs = tuple(entry["last_resort"])
    texts = [entry["document"], entry["template"], entry["day"], *fonts, *entry["standards"], *glyphs]
    if not all(isinstance(t, str) for t in texts) or not isinstance(packages, str | None):
        raise TypeError("recipe")
    if len(glyphs) > MAX_GLYPHS or not all(glyphs) or list(glyphs) != sorted(set(glyphs)):
        raise TypeError("last_resort")
    _dt.date.fromisoformat(entry["day"])
    key = (entry["template"], fonts, packages, glyphs)
    return Recipe(entry["document"], key, inputs, entry["day"], tuple(entry["standards"]))


def _inside(key: CompilerKey, allowed: list[Path]) -> bool:
    """Every path of `key` is absolute and resolves inside one of `allowed`; the package folder is
    a theme's own `packages` (it is copied into the staged folder: never a whole tree)."""
    template, fonts, packages, _ = key
    paths = [template, *fonts, *([packages] if packages is not None else [])]
    for text in paths:
        path = Path(text)
        if not path.is_absolute() or not any(path.resolve().is_relative_to(root) for root in allowed):
            return False
    return packages is None or (Path(packages).name == "packages" and Path(packages).resolve().parent.parent in allowed)


class Warm:
    """Compilers being warmed in a thread, handed out by key once the thread is done with them.

    With a staged folder (`typst_stage`), the Document goes into a file of it, as in `watch`:
    after an edit Typst then lays out again only what read the changed data (a headline edit:
    ~20 ms instead of ~70 ms through sys.inputs, bench/typst_memo.py).

    What comes before the compiles (reading the recipes, staging) is done by the caller: each
    blocking call of a thread gives the GIL up and waits for the importing main thread to yield
    it (a switch interval, 5 ms) to go on, so the thread's own few dozen calls started the compile
    ~0.2 s late. The thread makes compilers and compiles, which holds or releases the GIL once."""

    def __init__(self, before: list[Recipe], plans: list[Plan]) -> None:
        self._before = before  # the file's recipes, every document's
        self._keys = {key for key, _, _ in plans}
        self._mirrors = {mirror for _, mirror, _ in plans if mirror is not None}
        self._compilers: dict[CompilerKey, Any] = {}
        self._stop = threading.Event()  # set by `close`: no further compile is started
        self._thread = threading.Thread(target=self._run, args=(plans,), name="cvbuild-warm", daemon=True)
        self._thread.start()

    def _run(self, plans: list[Plan]) -> None:
        with contextlib.suppress(Exception):  # a warm start is only ever a head start
            for key, mirror, recipe in plans:
                if self._stop.is_set():
                    return
                compiler = self._compilers.get(key)
                if compiler is None:
                    compiler = self._compilers[key] = new_compiler(key)
                inputs = recipe.inputs
                if mirror is not None:
                    inputs = typst_stage.staged_inputs(mirror, inputs)
                stamp = _dt.datetime.combine(_dt.date.fromisoformat(recipe.day), _dt.time(0), tzinfo=_dt.UTC)
                with contextlib.suppress(Exception):  # e.g. a Document an older theme no longer reads
                    compiler.compile(
                        sys_inputs=inputs, timestamp=stamp, format="pdf", pdf_standards=list(recipe.standards)
                    )

    def take(self, key: CompilerKey) -> Any | None:
        """The compiler warmed for `key`, once the thread is done with it; None at once when the
        thread warms no compiler of that key (another theme than last time)."""
        if key not in self._keys:
            return None
        self._thread.join()  # a compiler compiles one thing at a time
        return self._compilers.pop(key, None)

    def settle(self, mirror: Path) -> None:
        """Wait for the thread before this run stages its Document in `mirror`, when the thread
        stages the last run's there: documents of one theme share it, and the thread, still on
        another document, would overwrite the one this run's compile is about to read."""
        if mirror in self._mirrors:
            self._thread.join()

    def before(self) -> list[Recipe]:
        """The recipes the last render kept, every document's."""
        return self._before

    def close(self) -> None:
        """Wait for the thread: it may still write into the staged folder about to be removed. It
        starts no further compile: a render that failed early waited for every warm compile."""
        self._stop.set()
        self._thread.join()


def _plan(recipe: Recipe, stage: Path | None) -> Plan:
    """(the compiler's key, the staged package folder or None, the recipe): the key names the
    folder Typst will be given, as `typst_pdf._compiler` does for this run's compile."""
    template, fonts, packages, glyphs = recipe.key
    if stage is None:
        return recipe.key, None, recipe
    folder = None if packages is None else Path(packages)
    mirror = typst_stage.staged_packages(
        {typst_stage.STAGE: stage}, folder, Path(template).parent, typst_stage.own_lib()
    )
    if mirror is None:
        return recipe.key, None, recipe
    return (template, fonts, str(mirror), glyphs), mirror, recipe


def new_compiler(key: CompilerKey) -> Any:
    """A Typst compiler that sees only the theme folder, the theme's fonts (and the last-resort
    font of the key's glyphs) and shipped packages."""
    from cvbuild.targets.typst_child import make_compiler, settings_for

    template, fonts, packages, glyphs = key
    return make_compiler(settings_for(template, font_paths(fonts, glyphs), packages))


def font_paths(fonts: tuple[str, ...], glyphs: tuple[str, ...]) -> list[str]:
    """The font folders Typst is given: the theme's, then the last-resort font's when there are
    glyphs for it (last: Typst falls back to it only for what no other font has)."""
    if not glyphs:
        return list(fonts)
    from cvbuild.targets import last_resort

    return [*fonts, str(last_resort.folder(glyphs))]


def start(
    cache_root: Path | None,
    profile: Path,
    document: str | None,
    allowed: Callable[[], list[Path]],
    stage: Path | None = None,
) -> Warm | None:
    """Warm the compilers of the last render of `profile` (of its `document` only, when one is
    named), or None when there is no cache. `allowed()` gives the folders a recipe may name;
    `stage`, a staged folder (`typst_stage.staged_session`) the Document goes into."""
    if cache_root is None:
        return None
    before = _read(cache_root, profile, allowed)
    try:
        plans = [_plan(r, stage) for r in before if document is None or r.document == document]
        if plans:
            import typst  # noqa: F401  here: an import in the thread would wait on the GIL at each file
    except Exception:  # a staging or import problem: a cold start
        plans = []
    return Warm(before, plans)


def _read(cache_root: Path, profile: Path, allowed: Callable[[], list[Path]]) -> list[Recipe]:
    """The recipes kept for `profile`; none when there are none or they cannot be used."""
    from cvbuild import __version__
    from cvbuild.targets.template_cache import usable

    path = recipe_file(cache_root, profile)
    try:  # a regular file only: a FIFO put there blocked the render in open(), a link led anywhere
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        with os.fdopen(descriptor, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                return []
            data = handle.read(MAX_RECIPE_BYTES + 1)
    except OSError:
        return []
    if len(data) > MAX_RECIPE_BYTES or not usable(path.parent):  # this user's own folder only
        return []
    return decode(data, __version__, allowed())


def save(cache_root: Path | None, profile: Path, recipes: list[Recipe], before: list[Recipe]) -> None:
    """Keep this render's recipes for the next one, with those of the profile's other documents
    the last render kept (`before`: a render of one document keeps the others warm); nothing is
    written when they are the same as before. Never an error."""
    new = {r.document: r for r in recipes}
    kept = {r.document for r in before}
    merged = [new.get(r.document, r) for r in before] + [r for r in recipes if r.document not in kept]
    if cache_root is None or not recipes or merged == before:
        return
    from cvbuild import __version__
    from cvbuild.targets.template_cache import keep_file, usable

    path = recipe_file(cache_root, profile)
    if not usable(path.parent):
        return
    keep_file(path, encode(merged, __version__), MAX_RECIPE_FILES)
