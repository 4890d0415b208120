"""Finding and loading themes. A theme is data (toml, templates, fonts); its code is never run."""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from cvbuild.errors import InputError

MANIFEST = "theme.toml"
ENTRY_POINT_GROUP = "cvbuild.themes"
_MANIFEST_KEYS = {
    "name",
    "description",
    "extends",
    "targets",
    "abstract",
    "options",
    "choices",
    "publications",
    "section_titles",
}


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
    section_titles: Mapping[str, str] = field(default_factory=dict)

    def find(self, filename: str) -> Path | None:
        """The first file of that name along the chain, so a child overrides its parent."""
        for folder in self.chain:
            candidate = folder / filename
            if candidate.is_file():
                return candidate
        return None

    def font_dirs(self) -> list[Path]:
        return [d / "fonts" for d in self.chain if (d / "fonts").is_dir()]

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
            raise InputError(f"{source}: theme {self.name!r} has no option {key!r}{hint}")
        default = self.options[key]
        value = _convert(raw, default)
        if value is None:
            raise InputError(f"{source}: option {key!r} expects {type(default).__name__}, got {raw!r}")
        allowed = self.choices.get(key)
        if allowed and value not in allowed:
            raise InputError(f"{source}: option {key!r} is {value!r}; valid values are: {', '.join(map(str, allowed))}")
        return value


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
    return str(raw)


def builtin_themes_dir() -> Path:
    """Inside the wheel themes sit in cvbuild/_themes; in a checkout, in ./themes."""
    packaged = Path(str(resources.files("cvbuild"))) / "_themes"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "themes"


def _entry_point_dirs() -> dict[str, Path]:
    """Themes from installed packages; a name two packages claim is refused, not guessed."""
    from importlib.metadata import entry_points

    found: dict[str, Path] = {}
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if ep.name in found:
            raise InputError(f"theme {ep.name!r} is provided by two installed packages; uninstall one")
        module, _, attr = ep.value.partition(":")
        folder = _package_folder(module)
        if folder is None:
            raise InputError(f"theme {ep.name!r}: its package {module!r} is not installed as a folder ({ep.value})")
        found[ep.name] = folder / attr if attr else folder
    return found


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


def _candidates(name: str, profile_dir: Path | None) -> Iterable[Path]:
    local = local_themes_dir(profile_dir)
    if local is not None:
        yield local / name
    ep = _entry_point_dirs().get(name)
    if ep is not None:
        yield ep
    yield builtin_themes_dir() / name


def locate_theme(name_or_path: str, profile_dir: Path | None) -> Path:
    """An explicit path wins; otherwise the name is looked up in order."""
    as_path = Path(name_or_path).expanduser()
    if "/" in name_or_path or name_or_path.startswith(".") or (as_path / MANIFEST).is_file():
        if (as_path / MANIFEST).is_file():
            return as_path.resolve()
        raise InputError(f"{name_or_path}: not a theme folder (no {MANIFEST} inside)")
    for folder in _candidates(name_or_path, profile_dir):
        if (folder / MANIFEST).is_file():
            return folder
    import difflib

    names = [t.name for t in list_themes(profile_dir)]
    close = difflib.get_close_matches(name_or_path, names, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    raise InputError(f"unknown theme {name_or_path!r}{hint}. Available themes: {', '.join(names)}")


def read_manifest(folder: Path) -> dict[str, Any]:
    path = folder / MANIFEST
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path}: invalid TOML: {exc}") from None
    unknown = set(data) - _MANIFEST_KEYS
    if unknown:
        raise InputError(
            f"{path}: unknown key(s) {', '.join(sorted(unknown))}; allowed: {', '.join(sorted(_MANIFEST_KEYS))}"
        )
    return data


def load_theme(name_or_path: str, profile_dir: Path | None = None) -> Theme:
    """Load a theme and its `extends` chain, merging options child-over-parent."""
    folder = locate_theme(name_or_path, profile_dir)
    chain: list[Path] = []
    manifests: list[dict[str, Any]] = []
    while True:
        if folder in chain:
            raise InputError(f"{folder / MANIFEST}: `extends` forms a cycle")
        manifest = read_manifest(folder)
        chain.append(folder)
        manifests.append(manifest)
        parent = manifest.get("extends")
        if not parent:
            break
        folder = (
            locate_theme(str(parent), profile_dir)
            if "/" in str(parent)
            else _parent_dir(str(parent), folder, profile_dir)
        )
    merged: dict[str, dict[str, Any]] = {"options": {}, "choices": {}, "publications": {}, "section_titles": {}}
    for manifest in reversed(manifests):
        for key in merged:
            merged[key].update(manifest.get(key, {}))
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
    )


def _parent_dir(name: str, child: Path, profile_dir: Path | None) -> Path:
    """A parent is looked up beside the child first, so a theme folder can carry its own base."""
    sibling = child.parent / name
    if (sibling / MANIFEST).is_file():
        return sibling
    return locate_theme(name, profile_dir)


def _theme_folders(parent: Path | None) -> list[Path]:
    if parent is None or not parent.is_dir():
        return []
    return sorted(p for p in parent.iterdir() if (p / MANIFEST).is_file())


def list_themes(profile_dir: Path | None = None) -> list[Theme]:
    """Every usable (non-abstract) theme, first found wins."""
    seen: dict[str, Theme] = {}
    folders: list[Path] = []
    local, builtin = local_themes_dir(profile_dir), builtin_themes_dir()
    folders += _theme_folders(local)
    folders += list(_entry_point_dirs().values())
    folders += _theme_folders(builtin)
    for folder in folders:
        manifest = read_manifest(folder)
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


def _inherited_targets(folder: Path, profile_dir: Path | None) -> tuple[str, ...]:
    """A theme that names no targets has its parent's; a broken parent lists as none."""
    try:
        return load_theme(str(folder), profile_dir).targets
    except InputError:
        return ()
