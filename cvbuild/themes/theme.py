"""Finding and loading themes. A theme is data (toml, templates, fonts); its code is never run."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cvbuild import confine
from cvbuild.errors import InputError
from cvbuild.themes.manifest import MANIFEST, problem_at, read_manifest
from cvbuild.themes.places import builtin_themes_dir as builtin_themes_dir

ENTRY_POINT_GROUP = "cvbuild.themes"


@dataclass(frozen=True)
class Theme:
    """A loaded theme with its parents resolved: `chain` is searched first to last."""

    name: str
    description: str
    path: Path
    chain: tuple[Path, ...]
    targets: tuple[str, ...]
    options: Mapping[str, Any] = field(default_factory=dict)
    choices: Mapping[str, Sequence[Any]] = field(default_factory=dict)
    publications: Mapping[str, Any] = field(default_factory=dict)
    section_titles: Mapping[str, str | Mapping[str, str]] = field(default_factory=dict)
    fit: Mapping[str, Any] = field(default_factory=dict)  # [fit]: floors for fitting to max_pages

    def find(self, filename: str) -> Path | None:
        """The first entry of that name along the chain, so a child overrides its parent. A link
        or a FIFO is found too, so that reading it (`read`) refuses it instead of skipping it."""
        for folder in self.chain:
            candidate = folder / filename
            if os.path.lexists(candidate):
                return candidate
        return None

    @property
    def roots(self) -> tuple[Path, ...]:
        """The chain's folders, resolved: every theme file must resolve inside one of them."""
        return tuple(confine.real(p) for p in self.chain)

    def read(self, path: Path) -> str:
        """A theme file's text, if it resolves inside the chain and is a regular file."""
        data = confine.read_confined(path, self.roots, f"the folders of theme {self.name!r}")
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InputError(f"{path}: not UTF-8 text (byte {exc.start}); save it as UTF-8") from None

    def font_dirs(self) -> list[Path]:
        return [d / "fonts" for d in self.chain if os.path.lexists(d / "fonts")]

    def resolve_options(self, *overrides: Mapping[str, Any], source: str = "--set") -> dict[str, Any]:
        """Theme defaults, then each override in turn; unknown keys and bad values are exit-2 errors."""
        resolved = dict(self.options)
        for layer in overrides:
            for key, raw in layer.items():
                resolved[key] = self._coerce(key, raw, source)
        return resolved

    def _coerce(self, key: str, raw: Any, source: str) -> Any:
        from cvbuild.schema.validate import did_you_mean

        if key not in self.options:
            hint = did_you_mean(key, sorted(self.options), "theme options")
            raise OptionError(f"{source}: theme {self.name!r} has no option {key!r}{hint}", key)
        default = self.options[key]
        value = _convert(raw, default)
        if value is None:
            raise OptionError(f"{source}: option {key!r} expects {type(default).__name__}, got {raw!r}", key)
        allowed = self.choices.get(key)
        if allowed and value not in allowed:
            valid = ", ".join(map(str, allowed))
            raise OptionError(f"{source}: option {key!r} is {value!r}; valid values are: {valid}", key)
        return value


class OptionError(InputError):
    """A bad theme option; `key` lets a caller point at the profile line that set it."""

    def __init__(self, message: str, key: str) -> None:
        super().__init__(message)
        self.key = key


def _convert(raw: Any, default: Any) -> Any:
    """Coerce a `--set` string (or YAML scalar) to the type of the option's default."""
    if isinstance(default, bool):
        if isinstance(raw, bool):
            return raw
        return {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}.get(str(raw).lower())
    if isinstance(default, int):
        try:
            return int(raw)
        except (TypeError, ValueError):
            return None
    if isinstance(default, float):
        try:
            return float(raw)
        except (TypeError, ValueError):
            return None
    if isinstance(default, list):
        return [s.strip() for s in raw.split(",")] if isinstance(raw, str) else list(raw)
    return str(raw).strip()  # ` #1a3a6b` is #1a3a6b, as the user meant


def is_builtin(theme: Theme) -> bool:
    """Every folder of the theme's chain is one of cvbuild's own themes."""
    builtin = builtin_themes_dir().resolve()
    return all(folder.resolve().is_relative_to(builtin) for folder in theme.chain)


def installed_themes(cache: dict[Any, Any] | None = None) -> dict[str, Path]:
    """Themes from installed packages. Reading every package's entry points costs ~10 ms, so
    `watch` (which passes its `cache`) keeps the answer while no folder on `sys.path` changed:
    installing, upgrading or removing a package adds or removes its `.dist-info` folder there,
    which changes the folder's mtime (the import system's own path cache relies on the same).
    Only the name -> folder map is kept; the theme's files are read again on every build."""
    if cache is None:
        return _entry_point_dirs()
    stamp = _path_stamp()
    kept = cache.get(INSTALLED_CACHE_KEY)
    if kept is None or kept[0] != stamp:
        kept = cache[INSTALLED_CACHE_KEY] = (stamp, _entry_point_dirs())
    found: dict[str, Path] = kept[1]
    return found


INSTALLED_CACHE_KEY = "themes.installed"


def _path_stamp() -> tuple[tuple[str, int], ...]:
    stamp = []
    for entry in sys.path:
        try:
            stamp.append((entry, os.stat(entry or ".").st_mtime_ns))
        except (OSError, ValueError):
            stamp.append((entry, -1))
    return tuple(stamp)


def _entry_point_dirs() -> dict[str, Path]:
    """Themes from installed packages; a name two packages claim is refused, not guessed."""
    found: dict[str, Path] = {}
    for name, value in entry_points(ENTRY_POINT_GROUP):
        if name in found:
            raise InputError(f"theme {name!r} is provided by two installed packages; uninstall one")
        module, _, attr = value.partition(":")
        folder = _package_folder(module)
        if folder is None:
            raise InputError(f"theme {name!r}: its package {module!r} is not installed as a folder ({value})")
        found[name] = folder / attr if attr else folder
    return found


def entry_points(group: str) -> list[tuple[str, str]]:
    """(name, value) of the installed packages' entry points in `group`, found and read as
    `importlib.metadata.entry_points(group=...)` does (a test holds the two equal), without
    importing it: it brings `email`, `zipfile` and `csv` (~25 ms of each render) to read package
    metadata cvbuild never needs. Each `*.dist-info` / `*.egg-info` folder on `sys.path` is a
    distribution; the first of a (normalized) name wins, as for imports."""
    seen: set[str] = set()
    found: list[tuple[str, str]] = []
    for entry in sys.path:
        try:
            children = os.listdir(entry or ".")
        except (OSError, ValueError):
            continue  # not a folder (a zip file on sys.path holds no theme folder either)
        first: dict[str, str] = {}  # normalized name -> its first metadata folder here
        for child in children:
            low = child.lower()
            if low.endswith((".dist-info", ".egg-info")):
                stem = low.rpartition(".")[0].partition("-")[0]
                first.setdefault(re.sub(r"[-_.]+", "_", stem), child)
        for dist, folder in first.items():
            if dist in seen:
                continue
            seen.add(dist)
            try:
                text = Path(entry or ".", folder, "entry_points.txt").read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue  # no entry points (or an .egg-info file)
            found += _section_pairs(text, group)
    return found


def _section_pairs(text: str, group: str) -> list[tuple[str, str]]:
    """`name = value` lines of one [group] of an entry_points.txt (importlib's `Sectioned`)."""
    pairs: list[tuple[str, str]] = []
    section = None
    for line in map(str.strip, text.splitlines()):
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line.strip("[]")
        elif section == group and "=" in line:
            name, value = line.split("=", 1)
            pairs.append((name.strip(), value.strip()))
    return pairs


def _package_folder(module: str) -> Path | None:
    """The folder of an installed package, found without importing it: a theme's Python never runs."""
    import importlib.util

    top, *rest = module.split(".")
    spec = importlib.util.find_spec(top)  # a top-level name is located, not imported
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))).joinpath(*rest)


def local_themes_dir(profile_dir: Path | None) -> Path | None:
    """`./themes` beside the profile: searched before installed packages and the built-in themes."""
    if profile_dir is not None and (profile_dir / "themes").is_dir():
        return profile_dir / "themes"
    return None


def _candidates(name: str, profile_dir: Path | None, cache: dict[Any, Any] | None = None) -> Iterable[Path]:
    local = local_themes_dir(profile_dir)
    if local is not None:
        yield local / name
    ep = installed_themes(cache).get(name)
    if ep is not None:
        yield ep
    yield builtin_themes_dir() / name


def locate_theme(
    name_or_path: str,
    profile_dir: Path | None,
    *,
    base: Path | None = None,
    allowed: Sequence[Path] | None = None,
    cache: dict[Any, Any] | None = None,
) -> Path:
    """An explicit path wins; otherwise the name is looked up in order.

    A relative path starts at `base` (the profile's folder for a profile's `theme:`, else the
    working folder). With `allowed`, the theme folder must resolve inside one of those folders."""
    if looks_like_path(name_or_path, base):
        folder = _expand(name_or_path, base)
        if not _is_theme(folder):
            raise InputError(f"{name_or_path}: not a theme folder (no {MANIFEST} inside)")
        return _checked(folder, allowed)
    for folder in _candidates(name_or_path, profile_dir, cache):
        if _is_theme(folder):
            return _checked(folder, allowed) if folder.parent == local_themes_dir(profile_dir) else folder
    import difflib

    names = theme_names(profile_dir)
    close = difflib.get_close_matches(name_or_path, names, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    raise InputError(f"unknown theme {name_or_path!r}{hint}; available themes: {', '.join(names)}")


def looks_like_path(name: str, base: Path | None) -> bool:
    if "/" in name or name.startswith((".", "~")) or os.sep in name:
        return True
    return _is_theme((base or Path.cwd()) / name)


def _expand(name: str, base: Path | None) -> Path:
    """`~/x`, `./x` or `x/y` as a path; `~nosuchuser` and over-long names are input errors."""
    try:
        path = Path(name).expanduser()
    except RuntimeError:
        raise InputError(f"{name}: no such user for {name.split('/')[0]!r}; write the folder's full path") from None
    return path if path.is_absolute() or base is None else base / path


def _is_theme(folder: Path) -> bool:
    """A folder with a theme.toml entry; a theme.toml that is a link or a FIFO counts, so that
    reading it refuses it by name instead of the theme going unseen."""
    try:
        return os.path.lexists(folder / MANIFEST)
    except (OSError, ValueError):  # a name too long for the file system, or with a NUL in it
        return False


def _checked(folder: Path, allowed: Sequence[Path] | None) -> Path:
    if allowed is None:
        return confine.real(folder)
    return confine.resolve_within(
        folder, [confine.real(p) for p in allowed], "the profile's folder (pass --allow-path DIR to allow another)"
    )


def load_theme(
    name_or_path: str,
    profile_dir: Path | None = None,
    *,
    base: Path | None = None,
    allowed: Sequence[Path] | None = None,
    cache: dict[Any, Any] | None = None,
) -> Theme:
    """Load a theme and its `extends` chain, merging options child-over-parent.

    A problem in a theme.toml names that file, so a parent's mistake is never blamed on its child.
    `cache`: see `installed_themes`."""
    folder = locate_theme(name_or_path, profile_dir, base=base, allowed=allowed, cache=cache)
    chain: list[Path] = []
    manifests: list[dict[str, Any]] = []
    while True:
        if folder in chain:  # at the `extends` that closes the loop, naming every theme in it
            loop = " -> ".join(f.name for f in [*chain[chain.index(folder) :], folder])
            message = f"`extends` forms a cycle: {loop}; one of these themes must extend another"
            raise InputError([problem_at(chain[-1] / MANIFEST, ("extends",), message)])
        manifest = read_manifest(folder)
        chain.append(folder)
        manifests.append(manifest)
        parent = manifest.get("extends")
        if not parent:
            break
        try:
            folder = _parent_dir(str(parent), folder, profile_dir, allowed, cache)
        except InputError as exc:
            if exc.problems:
                raise
            raise InputError([problem_at(folder / MANIFEST, ("extends",), str(exc))]) from None
    merged: dict[str, dict[str, Any]] = {
        "options": {},
        "choices": {},
        "publications": {},
        "section_titles": {},
        "fit": {},
    }
    for folder, manifest in reversed(list(zip(chain, manifests, strict=True))):
        _check_option_types(folder, manifest.get("options", {}), merged["options"])
        for key in merged:
            merged[key].update(manifest.get(key, {}))
    _check_choices(chain, manifests, merged["options"], merged["choices"])
    top = manifests[0]
    return Theme(
        name=str(top.get("name", chain[0].name)),
        description=str(top.get("description", "")),
        path=chain[0],
        chain=tuple(chain),
        targets=tuple(next((m["targets"] for m in manifests if "targets" in m), [])),
        options=merged["options"],
        choices=merged["choices"],
        publications=merged["publications"],
        section_titles=merged["section_titles"],
        fit=merged["fit"],
    )


def _check_choices(
    chain: Sequence[Path],
    manifests: Sequence[Mapping[str, Any]],
    options: Mapping[str, Any],
    choices: Mapping[str, Any],
) -> None:
    """A default outside its option's choices (`date_format = "%s"`), located in the theme.toml
    that set it: it was first checked as an override, on every run, and blamed on `--set`."""
    problems = []
    for key, value in options.items():
        allowed = choices.get(key)
        if not allowed or value in allowed:
            continue
        valid = ", ".join(map(str, allowed))
        set_at = next(i for i, m in enumerate(manifests) if key in m.get("options", {}))
        chosen_at = next(i for i, m in enumerate(manifests) if key in m.get("choices", {}))
        if chosen_at < set_at:  # a child narrowed the choices of an option its parent set: the child's line
            where, message = (
                ("choices", key),
                f"{value!r}, the default in {chain[set_at] / MANIFEST}, is not one of {valid}",
            )
        else:
            where, message = ("options", key), f"{value!r} is not one of its choices: {valid}"
        problems.append(problem_at(chain[min(set_at, chosen_at)] / MANIFEST, where, message))
    if problems:
        raise InputError(problems)


_KINDS = {bool: "a boolean", int: "a number", float: "a number", str: "a string", list: "a list"}


def _check_option_types(folder: Path, options: Mapping[str, Any], inherited: Mapping[str, Any]) -> None:
    """A child's default for a parent's option keeps the parent's type: the parent's templates
    read it as that type (`show_photo = "yes"` reached Typst's `if` as a string and failed there),
    and `--set` converts to it."""
    import difflib
    import json

    problems = []
    for key, value in options.items():
        # A new option a letter from an inherited one (`acent`) is a typo: the default it meant to
        # change stayed as it was, and nothing said so. One numbered after it (`accent2`, a second
        # colour) is a new option of its own, as its author meant.
        close = [] if key in inherited else difflib.get_close_matches(key, list(inherited), 1, 0.85)
        if close and not re.fullmatch(rf"{re.escape(close[0])}[_-]?\d+", key):
            message = (
                f"option {key!r} is new here, not an option of the theme this one extends; did you mean {close[0]!r}? "
                "(an option of this theme's own needs a name further from it)"
            )
            problems.append(problem_at(folder / MANIFEST, ("options", key), message))
        if key in inherited and _KINDS[type(value)] != _KINDS[type(inherited[key])]:
            kind, example = _KINDS[type(inherited[key])], json.dumps(inherited[key], ensure_ascii=False)
            if len(example) > 40 and isinstance(inherited[key], list):  # section_order: its first ids
                example = json.dumps(inherited[key][:2], ensure_ascii=False)[:-1] + ", ...]"
            message = f"option {key!r} is {kind} in the theme this one extends, got {value!r}"
            hint = f"write {kind}, like its default there: {key} = {example}"
            problems.append(problem_at(folder / MANIFEST, ("options", key), f"{message}; {hint}"))
    if problems:
        raise InputError(problems)


def _parent_dir(
    name: str, child: Path, profile_dir: Path | None, allowed: Sequence[Path] | None, cache: dict[Any, Any] | None
) -> Path:
    """A parent is looked up beside the child first, so a theme folder can carry its own base;
    a path in `extends` starts at the child's folder."""
    sibling = child.parent / name
    if "/" not in name and _is_theme(sibling):
        return sibling
    return locate_theme(name, profile_dir, base=child, allowed=allowed, cache=cache)


def _theme_folders(parent: Path | None) -> list[Path]:
    if parent is None or not parent.is_dir():
        return []
    return sorted(p for p in parent.iterdir() if _is_theme(p))


def list_themes(
    profile_dir: Path | None = None, *, skip_broken: bool = False, skipped: Callable[[Path], None] | None = None
) -> list[Theme]:
    """Every usable (non-abstract) theme, first found wins. `skip_broken` leaves out themes whose
    theme.toml is invalid, so that listing names for a hint never blames another theme's file;
    `skipped` is told each folder left out."""
    seen: dict[str, Theme] = {}
    folders: list[Path] = []
    local, builtin = local_themes_dir(profile_dir), builtin_themes_dir()
    folders += _theme_folders(local)
    folders += list(_entry_point_dirs().values())
    folders += _theme_folders(builtin)
    for folder in folders:
        try:
            manifest = read_manifest(folder)
        except InputError:
            if not skip_broken:
                raise
            if skipped is not None:
                skipped(folder)
            continue
        name = str(manifest.get("name", folder.name))
        if manifest.get("abstract") or name in seen:
            continue
        seen[name] = Theme(
            name=name,
            description=str(manifest.get("description", "")),
            path=folder,
            chain=(folder,),
            targets=tuple(manifest.get("targets", [])) or _inherited_targets(folder, profile_dir),
        )
    return list(seen.values())


def theme_names(profile_dir: Path | None) -> list[str]:
    """The names of usable themes, for a hint: manifests only, never a chain (loading a chain
    could end here again), and a broken theme.toml is skipped, never blamed."""
    names: list[str] = []
    folders = [*_theme_folders(local_themes_dir(profile_dir)), *_entry_point_dirs().values()]
    for folder in [*folders, *_theme_folders(builtin_themes_dir())]:
        try:
            manifest = read_manifest(folder)
        except InputError:
            continue
        name = str(manifest.get("name", folder.name))
        if not manifest.get("abstract") and name not in names:
            names.append(name)
    return names


def _inherited_targets(folder: Path, profile_dir: Path | None) -> tuple[str, ...]:
    """A theme that names no targets has its parent's; a broken parent lists as none."""
    try:
        return load_theme(str(folder), profile_dir).targets
    except InputError:
        return ()
