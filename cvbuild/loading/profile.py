"""Load a profile file into a validated Profile: YAML (+ BibTeX includes) -> schema.

BibTeX includes are expanded on the raw data, before validation, because a YAML entry that
overrides a BibTeX entry (`{id: x, award: Best Paper}`) is not a valid publication on its own.
`ProfileSource` remembers where each merged publication and each of its keys came from, so a
validation error points at the .bib line or at the YAML override that supplied the bad value.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cvbuild import confine
from cvbuild.errors import InputError, Problem
from cvbuild.limits import DEFAULT_LIMITS, Limits, exceeded
from cvbuild.loading.yaml_source import ENTRIES_TOO_MANY, PUBLICATIONS_TOO_MANY, Loc, YamlSource, load_yaml
from cvbuild.schema.model import Profile
from cvbuild.schema.validate import did_you_mean, validate_source

if TYPE_CHECKING:  # the BibTeX reader (~15 ms of imports) loads only for a profile that includes a .bib
    from cvbuild.loading.bibtex import BibEntry, BibFile

MERGED_DICTS = ("links",)  # keys merged one level deep, so an override can add one link
BIB_NAMES = {"authors": "author", "date": "year", "venue": "booktitle", "location": "address"}  # for messages


@dataclass(frozen=True)
class Origin:
    """Where publication `i` of the merged list came from."""

    yaml_index: int | None = None  # the YAML entry (a whole entry, or an override)
    bib: BibEntry | None = None
    bib_path: Path | None = None
    overridden: frozenset[tuple[str, ...]] = frozenset()  # schema paths the YAML override supplied


@dataclass(frozen=True)
class ProfileSource:
    """The profile data with BibTeX expanded; locates problems in the YAML file or in a .bib file."""

    yaml: YamlSource
    data: Any
    origins: Sequence[Origin] = ()
    problems: Sequence[Problem] = field(default_factory=list)
    warnings: Sequence[Problem] = ()  # from .bib files: LaTeX that could not be shown

    @property
    def path(self) -> Path:
        return self.yaml.path

    def problem(self, loc: Loc, message: str, *, at_key: bool = False, anchor: Loc | None = None) -> Problem:
        """A Problem for `loc` of the merged data; `anchor` (a prefix of `loc`) is where to point instead."""
        where = loc if anchor is None else anchor
        if len(loc) < 2 or loc[0] != "publications" or not isinstance(loc[1], int) or loc[1] >= len(self.origins):
            return self.yaml.problem(loc, message, at_key=at_key, anchor=anchor)
        origin = self.origins[loc[1]]
        rest = tuple(loc[2:])
        if origin.bib is None or origin.bib_path is None or _supplied_by(rest, origin.overridden):
            index = origin.yaml_index if origin.yaml_index is not None else loc[1]
            moved = ("publications", index, *rest)
            return self.yaml.problem(
                moved, message, at_key=at_key, anchor=None if anchor is None else ("publications", index, *where[2:])
            )
        return _bib_problem(origin.bib, origin.bib_path, rest, tuple(where[2:]), message)


def _supplied_by(rest: tuple[str | int, ...], overridden: frozenset[tuple[str, ...]]) -> bool:
    return any(tuple(rest[: len(path)]) == path for path in overridden if path)


def _bib_problem(
    entry: BibEntry, path: Path, rest: tuple[str | int, ...], where: tuple[str | int, ...], message: str
) -> Problem:
    """Point at the BibTeX field that produced the value, or at the entry when no field did."""
    line, col = entry.line, 1
    name_parts: list[str] = []
    for n in range(len(where), 0, -1):
        origin = entry.origins.get(tuple(str(p) for p in where[:n]))
        if origin is not None:
            line, col = origin.line, origin.column
            break
    for n in range(len(rest), 0, -1):
        origin = entry.origins.get(tuple(str(p) for p in rest[:n]))
        if origin is not None:
            name_parts = [origin.name, *(f"[{p}]" if isinstance(p, int) else f".{p}" for p in rest[n:])]
            break
    if not name_parts and rest:
        name_parts = [
            BIB_NAMES.get(str(rest[0]), str(rest[0])),
            *(f"[{p}]" if isinstance(p, int) else f".{p}" for p in rest[1:]),
        ]
    label = entry.key + ("." + "".join(name_parts) if name_parts else "")
    if message.startswith("missing required key") and name_parts:
        message = f"missing field {name_parts[0]!r}"
    return Problem(path, line, col, label, message)


def load_profile(
    path: Path,
    warnings: list[Problem] | None = None,
    allow: Sequence[Path] = (),
    *,
    limits: Limits = DEFAULT_LIMITS,
    cache: dict[Any, Any] | None = None,
) -> tuple[Profile, YamlSource]:
    """Read, parse, expand BibTeX includes and validate; raises InputError listing every problem, located.

    Warnings (LaTeX in a .bib file that a CV cannot show) are appended to `warnings` when given.
    Paths in the profile stay inside its folder, or inside a folder in `allow` (--allow-path).
    `cache` (`watch`): parsed YAML kept between builds (see `yaml_source.parse_by_blocks`).
    """
    source = load_yaml(path, limits=limits, cache=cache, count_entries=True)
    merged = expand_bibtex(source, allow, limits=limits)
    check_entry_counts(merged, limits)
    problems = [*merged.problems, *theme_path_problems(source, allow), *style_option_problems(source)]
    profile = validate_source(merged, problems, limits=limits)
    if warnings is not None:
        warnings.extend(merged.warnings)
    return profile, source


def check_entry_counts(source: ProfileSource, limits: Limits) -> None:
    """Refuse more publications or entries than the limits allow, at the first one too many,
    before validation (~0.1 ms an entry) and everything after it. The YAML's own were counted as
    they were read (`yaml_source._Builder.count_entry`); this counts the .bib files' with them."""
    data = source.data if isinstance(source.data, dict) else {}
    pubs = data.get("publications")
    if isinstance(pubs, list) and len(pubs) > limits.publications:
        what = PUBLICATIONS_TOO_MANY
        loc: Loc = ("publications", limits.publications)
        raise InputError([source.problem(loc, exceeded("publications", limits.publications, what))])
    total = 0
    for loc, count in _entry_lists(data):
        if total + count > limits.entries:
            what = ENTRIES_TOO_MANY
            raise InputError(
                [source.problem((*loc, limits.entries - total), exceeded("entries", limits.entries, what))]
            )
        total += count


def _entry_lists(data: Mapping[str, Any]) -> list[tuple[Loc, int]]:
    """Each list of entries and its length: every top-level list, a custom section's entries."""
    found: list[tuple[Loc, int]] = []
    for key, value in data.items():
        if key == "sections" and isinstance(value, list):
            for i, section in enumerate(value):
                entries = section.get("entries") if isinstance(section, dict) else None
                if isinstance(entries, list):
                    found.append((("sections", i, "entries"), len(entries)))
        elif isinstance(value, list):
            found.append(((key,), len(value)))
    return found


def style_option_problems(source: YamlSource) -> list[Problem]:
    """Style options in `documents.NAME.options` and `letters.NAME.options` (accent, margin, ...)
    checked here, where their line is known, rather than later, when a theme would be blamed for them."""
    from cvbuild.themes.options import style_problem

    problems = []
    for group, name, spec in _documents(source):
        options = spec.get("options")
        for key, value in options.items() if isinstance(options, dict) else ():
            problem = style_problem(str(key), value)
            if problem:
                problems.append(source.problem((group, name, "options", key), problem))
    return problems


def _documents(source: YamlSource) -> list[tuple[str, str, dict[str, Any]]]:
    """(`documents` or `letters`, name, settings) of each document and letter, as written."""
    found = []
    for group in ("documents", "letters"):
        specs = source.data.get(group) if isinstance(source.data, dict) else None
        if isinstance(specs, dict):
            found += [(group, str(name), spec) for name, spec in specs.items() if isinstance(spec, dict)]
    return found


def theme_path_problems(source: YamlSource, allow: Sequence[Path]) -> list[Problem]:
    """A document's or letter's `theme:` that is a path (not a theme name) must resolve inside the
    profile's folder."""
    from cvbuild.themes.theme import looks_like_path

    problems = []
    for group, name, spec in _documents(source):
        theme = spec.get("theme")
        if isinstance(theme, str) and theme and looks_like_path(theme, source.path.parent):
            try:
                confine.profile_path(theme, source.path.parent, allow)
            except InputError as exc:
                problems.append(source.problem((group, name, "theme"), str(exc)))
    return problems


def import_bibtex(path: Path, *, limits: Limits = DEFAULT_LIMITS) -> list[dict[str, Any]]:
    """The entries of one .bib file as publication dicts, checked like an include; raises InputError."""
    from cvbuild.loading.bibtex import load_bibtex

    bib = load_bibtex(path, limits=limits)
    entries = [e.data for e in bib.entries]
    origins = [Origin(bib=e, bib_path=path) for e in bib.entries]
    source = ProfileSource(YamlSource(path, {}, ""), {"name": path.name, "publications": entries}, origins)
    validate_source(source, bib.problems, limits=limits)
    return entries


def expand_bibtex(source: YamlSource, allow: Sequence[Path] = (), *, limits: Limits = DEFAULT_LIMITS) -> ProfileSource:
    """Replace each `{bibtex: path}` by its entries, merging YAML entries that share an id.
    A path must resolve inside the profile's folder or a folder in `allow` (--allow-path)."""
    data = source.data
    items = data.get("publications") if isinstance(data, dict) else None
    if not isinstance(items, list) or not any(_include_path(i) for i in items):
        data = with_sole_authors(data, [True] * len(items or []))
        return ProfileSource(source, data, [Origin(yaml_index=i) for i in range(len(items or []))])
    from cvbuild.loading.bibtex import load_bibtex

    problems: list[Problem] = []
    bib_warnings: list[Problem] = []
    files: dict[int, BibFile] = {}
    # What the .bib files may still add: each is counted before it is read (`check_entry_count`).
    room = limits.publications - sum(
        1 for item in items if not _include_path(item) and not _is_stray_override(item, True)
    )
    for i, item in enumerate(items):
        rel = _include_path(item)
        if rel is None or room < 0:  # room < 0: the YAML alone has too many (`check_entry_counts`)
            continue
        try:
            confine.profile_path(rel, source.path.parent, allow)
        except InputError as exc:
            problems.append(source.problem(("publications", i, "bibtex"), str(exc)))
            continue
        bib_path = source.path.parent / Path(rel).expanduser()  # shown as the user would reach it
        try:
            files[i] = load_bibtex(bib_path, limits=limits, room=max(room, 0))
        except InputError as exc:
            if exc.problems:  # located inside the .bib (encoding, size): report it there
                problems += exc.problems
                continue
            reason = str(exc).removeprefix(f"{bib_path}: ")
            problems.append(source.problem(("publications", i, "bibtex"), f"{rel}: {reason}"))
            continue
        room -= len(files[i].entries)
        problems += files[i].problems
        bib_warnings += files[i].warnings
    keys = {e.key: e for f in files.values() for e in f.entries}
    overrides = _overrides(items, keys)
    loaded_all = len(files) == sum(1 for i in items if _include_path(i))
    out: list[Any] = []
    origins: list[Origin] = []
    for i, item in enumerate(items):
        if i in files:
            for entry in files[i].entries:
                j = overrides.get(entry.key)
                extra = items[j] if j is not None else {}
                out.append(merge_entry(entry.data, extra))
                origins.append(Origin(j, entry, files[i].path, _paths(extra)))
        elif i in overrides.values():
            continue
        elif _is_stray_override(item, bool(files)):
            if item["id"] in overrides:
                first = overrides[item["id"]]
                message = f"{item['id']!r} is already overridden by publications[{first}]; merge the two entries"
                problems.append(source.problem(("publications", i, "id"), message))
            elif loaded_all:
                problems.append(_unknown_id(source, i, item["id"], keys))
        else:
            out.append(item)
            origins.append(Origin(yaml_index=i))
    merged = with_sole_authors({**data, "publications": out}, [o.bib is None for o in origins])
    return ProfileSource(source, merged, origins, problems, bib_warnings)


def with_sole_authors(data: Any, from_yaml: Sequence[bool]) -> Any:
    """The data with each publication written in the YAML without `authors` the owner's alone:
    humanities CVs list their own essays and chapters with no name, and each was refused. A
    BibTeX entry without an author is still refused, at its line (an export that lost it)."""
    pubs = data.get("publications") if isinstance(data, dict) else None
    name = data.get("name") if isinstance(data, dict) else None
    if not isinstance(pubs, list) or not isinstance(name, str) or not name.strip():
        return data
    solo = [
        {**p, "authors": [name.strip()]} if yaml and isinstance(p, dict) and not {"authors", "bibtex"} & set(p) else p
        for p, yaml in zip(pubs, from_yaml, strict=True)
    ]
    return data if solo == pubs else {**data, "publications": solo}


def input_files(source: YamlSource, profile: Profile) -> list[Path]:
    """The files a render reads from the profile's side, resolved: the profile, its .bib files
    and its photo. An output must never take the place of one (`pipeline.check_inputs_kept`)."""
    return [confine.real(source.path), *(confine.real(p) for p, _ in input_places(source, profile))]


def input_places(source: YamlSource, profile: Profile) -> list[tuple[Path, Loc]]:
    """The .bib files and the photo a profile names (as the user would reach them), each with
    where it is named."""
    folder = source.path.parent
    items = source.data.get("publications") if isinstance(source.data, dict) else None
    found: list[tuple[Path, Loc]] = [
        (folder / Path(rel).expanduser(), ("publications", i, "bibtex"))
        for i, rel in enumerate(map(_include_path, items or []))
        if rel
    ]
    if profile.photo is not None:
        found.append((folder / profile.photo, ("photo",)))
    return found


def _include_path(item: Any) -> str | None:
    """The path of a well-formed include; a malformed one is left for the schema to report."""
    if (
        isinstance(item, dict)
        and set(item) == {"bibtex"}
        and isinstance(item["bibtex"], str)
        and item["bibtex"].strip()
    ):
        return item["bibtex"].strip()
    return None


def _overrides(items: Sequence[Any], keys: Mapping[str, BibEntry]) -> dict[str, int]:
    """BibTeX key -> index of the first YAML entry with that id; later ones are duplicates."""
    found: dict[str, int] = {}
    for i, item in enumerate(items):
        pid = item.get("id") if isinstance(item, dict) and "bibtex" not in item else None
        if isinstance(pid, str) and pid in keys and pid not in found:
            found[pid] = i
    return found


def merge_entry(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """YAML values win; `links` are merged key by key so an override can add one link."""
    merged = dict(base)
    for key, value in override.items():
        if key in MERGED_DICTS and isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = value
    return merged


def _paths(override: Mapping[str, Any]) -> frozenset[tuple[str, ...]]:
    paths: set[tuple[str, ...]] = set()
    for key, value in override.items():
        if key in MERGED_DICTS and isinstance(value, dict):
            paths |= {(key, str(k)) for k in value}
        else:
            paths.add((str(key),))
    return frozenset(paths)


def _is_stray_override(item: Any, have_bibtex: bool) -> bool:
    """An entry with an id but no title, in a profile with BibTeX: meant to override a missing key."""
    return (
        have_bibtex
        and isinstance(item, dict)
        and isinstance(item.get("id"), str)
        and "title" not in item
        and "bibtex" not in item
    )


def _unknown_id(source: YamlSource, i: int, pid: str, keys: Mapping[str, BibEntry]) -> Problem:
    hint = did_you_mean(pid, sorted(keys), "BibTeX keys")
    return source.problem(
        ("publications", i, "id"),
        f"no BibTeX entry has the key {pid!r}, so there is nothing to override; "
        f"a new publication needs a title and a date{hint}",
    )
