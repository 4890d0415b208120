"""What the importers share: reading JSON with located errors, telling formats apart, writing YAML."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from cvbuild.errors import InputError, Problem
from cvbuild.loading.yaml_source import read_text

Warn = Callable[[str], None]
MAX_INPUT_BYTES = 10 * 1024 * 1024  # a CV with 1,000 publications is well under 1 MiB

# Keys only one format has at its top level; enough to name the format a file is in.
_SIGNS: dict[str, tuple[str, ...]] = {
    "jsonresume": ("basics", "work", "volunteer", "awards", "certificates", "references", "meta"),
    "rendercv": ("cv", "design", "locale", "rendercv_settings", "settings"),
    "cvbuild": ("contact", "experience", "honors", "documents", "aliases", "headline", "service", "teaching"),
}
_COMMANDS = {
    "jsonresume": "cvbuild import jsonresume",
    "rendercv": "cvbuild import rendercv",
    "cvbuild": "cvbuild validate",
}
_NAMES = {"jsonresume": "a JSON Resume file", "rendercv": "a RenderCV file", "cvbuild": "a cvbuild profile already"}


def read_json(path: Path) -> Any:
    """Parse JSON; a syntax error is reported at json's own line and column."""
    if path.is_file() and path.stat().st_size > MAX_INPUT_BYTES:
        raise InputError(f"{path}: larger than {MAX_INPUT_BYTES // 1024 // 1024} MiB; is it really a CV?")
    text = read_text(path, "JSON Resume file", "JSON")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        _yaml_of_another_kind(path, text)
        raise InputError([Problem(path, exc.lineno, exc.colno, "", f"invalid JSON: {exc.msg}")]) from None
    except RecursionError:
        raise InputError([Problem(path, 0, 0, "", "invalid JSON: nested too deeply")]) from None


def _yaml_of_another_kind(path: Path, text: str) -> None:
    """Not JSON: if it is a RenderCV file or a profile, say so instead of a JSON syntax error."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    try:
        data = YAML(typ="safe", pure=True).load(text)
    except (YAMLError, ValueError, RecursionError):
        return
    wrong_kind(path, data, "jsonresume")


def guess_kind(data: Any) -> str | None:
    """`jsonresume`, `rendercv` or `cvbuild`, from the top-level keys; None when nothing matches."""
    if not isinstance(data, Mapping):
        return None
    keys = set(data)
    if "cv" in keys and isinstance(data.get("cv"), Mapping):
        return "rendercv"
    scores = {kind: len(keys & set(signs)) for kind, signs in _SIGNS.items()}
    if not keys <= _profile_keys():  # a key no profile has: not a profile, whatever else it shares
        scores["cvbuild"] = 0
    best = max(scores, key=lambda k: scores[k])
    return best if scores[best] else None


def _profile_keys() -> set[str]:
    from cvbuild.schema.model import Profile

    return {field.alias or name for name, field in Profile.model_fields.items()}


def wrong_kind(path: Path, data: Any, expected: str) -> None:
    """Raise a usage error when `data` looks like another format than `expected`."""
    kind = guess_kind(data)
    if kind is None or kind == expected:
        return
    raise InputError([Problem(path, 0, 0, "", f"this looks like {_NAMES[kind]}; use `{_COMMANDS[kind]} {path}`")])


def leftovers(
    item: Mapping[str, Any],
    used: Sequence[str],
    where: tuple[Any, ...],
    note: Callable[[Any, str], None],
    kept_as: str | None = "as a highlight",
) -> list[str]:
    """Fields a profile entry has no place for: scalars come back as `key: value` lines to keep
    (the caller says where, in `kept_as`; None when it has nowhere to keep them)."""
    kept: list[str] = []
    # A key's label as a reader sees it: JSON Resume's extension mark `x-` (`x-keywords`) is for programs
    label = {key: re.sub(r"^x[-_](?=\w)", "", str(key)) for key in item}
    # A value the entry already has under a used field (`qualification` beside the same `studyType`)
    # would print twice.
    taken = {str(v).strip(): k for k in used if isinstance(v := item.get(k), (str, int, float))}
    for key, value in item.items():
        if key in used or value in (None, "", [], {}):
            continue
        if isinstance(value, (str, int, float)) and (same := taken.get(str(value).strip())):
            note((*where, key), f"the same as `{same}`; not repeated")
            continue
        if kept_as and isinstance(value, (str, int, float)) and not isinstance(value, bool):
            kept.append(f"{label[key]}: {' '.join(str(value).split())}")  # a highlight or a note is one line
            note((*where, key), f"no such field in a cvbuild profile; kept {kept_as}")
        elif kept_as and isinstance(value, list) and value and all(_scalar(v) for v in value):
            # `activities: [...]`, `stack: [...]`: sentences stay lines of their own, short words one line
            lines = [str(v).strip() for v in value if str(v).strip()]
            short = all(len(line) <= 40 and not line.endswith(".") for line in lines)
            kept.extend([f"{label[key]}: {', '.join(lines)}"] if short else lines)
            note((*where, key), f"no such field in a cvbuild profile; kept {kept_as}")
        else:
            note((*where, key), "no such field in a cvbuild profile; not imported")
    return kept


def _scalar(value: Any) -> bool:
    return isinstance(value, (str, int, float)) and not isinstance(value, bool)


def pointer(*parts: str | int) -> str:
    """A JSON Pointer (RFC 6901): /work/2/description."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def profile_yaml(data: Mapping[str, Any], header: str) -> str:
    """The profile as YAML 1.2 (one line per value, dates and numbers as written), after a comment."""
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096  # one line per value: long titles stay greppable
    yaml.allow_unicode = True
    out = io.StringIO()
    out.write("".join(f"# {line}\n" if line else "#\n" for line in header.splitlines()))
    yaml.dump(_plain(data), out)
    return out.getvalue()


def refuse_too_many_to_import(
    lists: Sequence[tuple[tuple[str | int, ...], Sequence[Any], Callable[[Any], bool]]],
    problem: Callable[[tuple[str | int, ...], str], Problem],
) -> None:
    """Refuse a file to import whose lists hold more entries, or publications, than a profile may,
    at the first one too many, before converting them (~1 ms an entry: 30,000 publications took
    34 s to import, into a profile that `validate` then refused). `lists`: each list of entries,
    where it is and which of its items are publications; `problem` locates one. (A profile's own
    are counted by `loading.profile.check_entry_counts`.)"""
    from cvbuild.limits import DEFAULT_LIMITS, exceeded
    from cvbuild.loading.yaml_source import ENTRIES_TOO_MANY, PUBLICATIONS_TOO_MANY

    limits = DEFAULT_LIMITS
    entries = publications = 0
    for where, items, is_publication in lists:
        for i, item in enumerate(items):
            entries += 1
            if is_publication(item):
                publications += 1
                if publications > limits.publications:
                    message = exceeded("publications", limits.publications, PUBLICATIONS_TOO_MANY)
                    raise InputError([problem((*where, i), f"cannot be imported: {message}")])
            if entries > limits.entries:
                message = exceeded("entries", limits.entries, ENTRIES_TOO_MANY)
                raise InputError([problem((*where, i), f"cannot be imported: {message}")])


def checked_profile(path: Path, data: Mapping[str, Any]) -> dict[str, Any]:
    """The imported data without empty values, with unique section ids; checked like a profile file."""
    plain: dict[str, Any] = _plain(data)
    unique_section_ids(plain.get("sections", []))
    return plain


def checked_yaml(path: Path, data: Mapping[str, Any], header: str, *, pointers: bool = False) -> str:
    """The profile YAML, parsed back and validated as `cvbuild validate` would, so what we print is valid.
    A problem is reported where the imported file wrote the text it is about (`pointers`: named by
    its JSON Pointer, else by its dotted path), when that can be found."""
    from cvbuild.loading.yaml_source import parse_yaml
    from cvbuild.schema.validate import validate_source

    text = profile_yaml(data, header)
    source = parse_yaml(text, Path(f"{path} (imported)"), count_entries=True)
    try:
        validate_source(source)
    except InputError as exc:
        raise InputError(_in_the_file(path, data, exc.problems, pointers) or exc.text) from None
    return text


def _in_the_file(path: Path, data: Mapping[str, Any], problems: Sequence[Problem], pointers: bool) -> list[Problem]:
    """The problems of the imported profile, each at the line and column of the imported file's
    text it came from: the first value that holds the refused link (or the refused text itself).
    They were reported at `summary` or `experience[0].highlights[0]`, without a line, where the
    file has no such place."""
    from cvbuild.loading.yaml_source import dotted, parse_yaml

    try:
        written = parse_yaml(read_text(path, "imported file"), path)
    except (InputError, OSError):
        written = None
    out = []
    for problem in problems:
        value = _value_at(data, problem.path)
        needle = _refused_text(value)
        key = (re.findall(r"[A-Za-z_]\w*", problem.path) or [""])[-1]
        where = _holding(written.data, needle, value, key) if written is not None and needle else None
        if written is None or where is None:
            out.append(Problem(path, 0, 0, problem.path, f"cannot be imported: {problem.message}"))
            continue
        line, column = written.locate(where)
        shown = pointer(*where) if pointers else dotted(where)
        out.append(Problem(path, line, column, shown, f"cannot be imported: {problem.message}"))
    return sorted(out, key=lambda p: (p.line == 0, p.line, p.column))


def _value_at(data: Any, dotted_path: str) -> Any:
    """The value at a problem's path (`experience[0].highlights[1]`), or as near as the path goes."""
    for m in re.finditer(r"\[(\d+)\]|([^.\[\]]+)", dotted_path):
        if m[1] is not None and isinstance(data, list) and int(m[1]) < len(data):
            data = data[int(m[1])]
        elif m[2] is not None and isinstance(data, Mapping) and m[2] in data:
            data = data[m[2]]
        else:
            break
    return data


def _refused_text(value: Any) -> str | None:
    """The part of `value` the profile refuses that the file wrote as it is: a refused link's target
    in its Markdown (as schema.fields.check_markup finds them), else the text itself."""
    from pydantic_core import PydanticCustomError

    from cvbuild.schema.fields import MD_LINK_TARGET, check_url, url_scheme

    if not isinstance(value, str) or not value.strip():
        return None
    for target in MD_LINK_TARGET.findall(value):
        if target and not target.startswith("#") and url_scheme(target) is not None:
            try:
                check_url(target)
            except PydanticCustomError:
                return str(target)
    return value.strip()


def _holding(data: Any, needle: str, whole: Any, key: str) -> tuple[str | int, ...] | None:
    """Where the file wrote the text that holds `needle`: of the texts holding it, the one that is
    the refused value `whole`, else one that holds it, else one under the same key (`url`), else
    the first in the file's order (a page's `javascript:` link may also be its website)."""
    found: list[tuple[tuple[str | int, ...], str]] = []
    stack: list[tuple[tuple[str | int, ...], Any]] = [((), data)]
    while stack:
        where, value = stack.pop()
        if isinstance(value, str) and needle in value:
            found.append((where, value))
        items = value.items() if isinstance(value, Mapping) else enumerate(value) if isinstance(value, list) else ()
        stack.extend(reversed([((*where, k), v) for k, v in items]))
    if not found:
        return None

    def rank(item: tuple[tuple[str | int, ...], str]) -> int:
        where, value = item
        named = [part for part in where if isinstance(part, str)]
        if isinstance(whole, str) and value.strip() == whole.strip():
            return 0
        if isinstance(whole, str) and whole.strip() in value:
            return 1
        return 2 if named and named[-1] == key else 3

    return min(found, key=rank)[0]


def unique_section_ids(sections: list[dict[str, Any]]) -> None:
    """A custom section titled `service` or twice `Notes` gets an id of its own."""
    from cvbuild.document.sections import BUILTIN_SECTIONS, free_id, section_slug

    used = set(BUILTIN_SECTIONS)
    for section in sections:
        base = section.get("id") or section_slug(section["title"])
        sid = free_id(base, used)
        if sid != base or "id" in section:
            section["id"] = sid
        used.add(sid)


def _plain(value: Any) -> Any:
    """Dicts and lists only, without empty values, so the YAML holds nothing the user did not have."""
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items() if v not in (None, "", [], {})}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def usable_phone(
    phone: str, where: tuple[Any, ...], note: Callable[[Any, str], None], region: str | None = None
) -> str | None:
    """The phone to import, dialable from abroad; another form is reported, not imported.

    A number written the local way, `(912) 555-4321`, is read as a number of `region` (the
    country of the address, ISO 3166 alpha-2) when one is known, and imported in international form."""
    from pydantic_core import PydanticCustomError

    from cvbuild.schema.fields import check_phone

    try:
        return check_phone(phone)
    except PydanticCustomError as exc:
        local = _in_region(phone, region) if exc.type == "phone_country" else None
        if local is not None:
            note(where, f"{phone!r} has no country code; read as a number in {region} (the address's country): {local}")
            return local
        note(where, f"{exc.message()}; not imported: add it to `contact.phone` in international form")
        return None


def _in_region(phone: str, region: str | None) -> str | None:
    """`phone` read as a national number of `region`, in international form, if it can be one."""
    import phonenumbers

    if not region or not region.isascii() or not region.isalpha() or len(region) != 2:
        return None
    try:
        number = phonenumbers.parse(phone, region.upper())
    except phonenumbers.NumberParseException:
        return None
    if phonenumbers.is_possible_number_with_reason(number) != phonenumbers.ValidationResult.IS_POSSIBLE:
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def unreadable_photo(path: Path, out: dict[str, Any]) -> str | None:
    """Why the imported `photo` cannot be read beside the file the profile is written next to
    (gone, or a format cvbuild does not take, as RenderCV's SVG), else None; the caller reports
    it and leaves the photo out, since with it every render of the profile would fail."""
    from cvbuild.loading.photo import read_photo

    if "photo" not in out:
        return None
    try:
        read_photo(path.resolve().parent, out["photo"])
    except ValueError as exc:
        return f"{exc}; not imported"
    return None
