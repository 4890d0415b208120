"""Turn loaded YAML into a Profile, reporting every problem at once with file:line:col."""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

from pydantic import BaseModel, ValidationError

from cvbuild.errors import InputError, Problem
from cvbuild.limits import DEFAULT_LIMITS, Limits
from cvbuild.loading.yaml_source import Loc, quoted_yaml
from cvbuild.schema.fields import MultiLine, text_issue
from cvbuild.schema.model import UNION_TAGS, Profile

# Keys people bring from other tools (JSON Resume, RenderCV, BibTeX) -> ours.
KEY_ALIASES = {
    "company": "organization",
    "employer": "organization",
    "position": "role",
    "job_title": "role",
    "school": "institution",
    "university": "institution",
    "start_date": "start",
    "startdate": "start",
    "end_date": "end",
    "enddate": "end",
    "area": "field",
    "major": "field",
    "studytype": "degree",
    "mail": "email",
    "e-mail": "email",
    "homepage": "website",
    "web": "website",
    "description": "summary",
    "bullets": "highlights",
    "keywords": "tags",
    "year": "date",
    "journal": "venue",
    "booktitle": "venue",
    "conference": "venue",
    "label": "headline",
    "author": "authors",
    "phone_number": "phone",
    "scholar": "google_scholar",
    "twitter": "x",
    "level": "fluency",
    "awards": "honors",
    "work": "experience",
    "skill": "skills",
    "publication": "publications",
}

_TAGS = {"entry", "bibtex"}  # discriminator tags pydantic puts into error locations


class Source(Protocol):
    """Loaded data that can say where a path inside it was written (YAML, or YAML + BibTeX)."""

    @property
    def path(self) -> Path: ...

    @property
    def data(self) -> Any: ...

    def problem(self, loc: Loc, message: str, *, at_key: bool = False, anchor: Loc | None = None) -> Problem: ...


def validate_source(source: Source, found: Sequence[Problem] = (), *, limits: Limits = DEFAULT_LIMITS) -> Profile:
    """Schema errors, cross-field errors and `found` (e.g. from .bib files) are reported together, sorted."""
    problems = [*found, *semantic_problems(source), *text_problems(source, limits)]
    untold: list[Problem] = []
    try:
        profile = Profile.model_validate(source.data)
    except ValidationError as exc:
        errors, limit = exc.errors(), limits.schema_problems
        problems += _problems(source, errors[:limit])  # explaining one takes ~1 ms
        if len(errors) > limit:
            message = f"{len(errors) - limit:,} more schema problems are not shown (limit schema_problems = {limit:,})"
            untold.append(Problem(source.path, 0, 0, "", message + "; fix the ones above first"))
    if problems or untold:
        main = source.path
        ordered = sorted(problems, key=lambda p: (p.file != main, str(p.file), p.line, p.column, p.message))
        raise InputError(ordered + untold)
    return profile


def _problems(source: Source, errors: Sequence[Any]) -> list[Problem]:
    seen: set[tuple[str, str]] = set()
    out: list[Problem] = []
    colons = _colon_items(source.data, errors)
    for err in errors:
        if err["type"] == "string_unicode":
            continue  # a lone surrogate: text_problems says it better
        loc = clean_loc(err["loc"])
        item = next((i for i in colons if loc[: len(i)] == i), None)
        if item is not None:  # one problem for the item, not its form's missing and unknown keys
            loc, err = item, {"type": "colon_text", "loc": item, "input": _value_at(source.data, item)}
        at_key = err["type"] == "extra_forbidden" or (len(err["loc"]) > 0 and err["loc"][-1] == "[key]")
        message = describe(err, loc)
        key = (str(loc), message)
        if key in seen:
            continue
        seen.add(key)
        if err["type"] == "missing":  # point at the mapping that lacks the key
            out.append(source.problem(loc, message, anchor=loc[:-1]))
        else:
            out.append(source.problem(loc, message, at_key=at_key))
    return out


# Tags of a union's mapping form whose other form is text (a bullet, an interest).
_TEXT_OR_MAPPING = frozenset({"bullet-entry", "interest-entry"})


def _colon_items(data: Any, errors: Sequence[Any]) -> list[tuple[str | int, ...]]:
    """Items written as text with a `: ` in it (`- Result: 35% faster`), which YAML reads as a
    mapping of one key: the mapping form then lacks its keys and has an unknown one."""
    found = []
    for err in errors:
        raw = err["loc"]
        if err["type"] == "extra_forbidden" and len(raw) >= 2 and raw[-2] in _TEXT_OR_MAPPING:
            item = clean_loc(raw[:-2])
            if colon_text(_value_at(data, item)) is not None and item not in found:
                found.append(item)
    return found


def colon_text(value: Any) -> str | None:
    """The text a person meant by a one-key mapping with a plain value (`Result: 35% faster`
    unquoted), else None."""
    if not isinstance(value, dict) or len(value) != 1:
        return None
    ((key, item),) = value.items()
    if item is None or isinstance(item, dict | list):  # `{Engineer}` is no colon typed in text
        return None
    return f"{key}: {str(item).lower() if isinstance(item, bool) else item}"


def _value_at(data: Any, loc: Sequence[str | int]) -> Any:
    for part in loc:
        found = isinstance(data, dict) and part in data
        if not found and not (isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data)):
            return None
        data = data[part]
    return data


def clean_loc(loc: Sequence[str | int]) -> tuple[str | int, ...]:
    """Drop pydantic's discriminator tags and `[key]` markers, keeping the user's own path."""
    out: list[str | int] = []
    for i, part in enumerate(loc):
        if part == "[key]":
            continue
        if part in _TAGS and i > 0 and isinstance(loc[i - 1], int) and "publications" in loc[:i]:
            continue
        if part in UNION_TAGS:
            continue
        out.append(part)
    return tuple(out)


def describe(err: Any, loc: Sequence[str | int]) -> str:
    """A message a person can act on, instead of pydantic's wording."""
    kind = err["type"]
    value = err.get("input")
    if kind == "extra_forbidden":
        key = str(loc[-1]) if loc else "?"
        allowed = allowed_keys(loc[:-1])
        return f"unknown key {key!r}" + did_you_mean(key, allowed)
    if kind == "missing":
        return f"missing required key {str(loc[-1])!r}"
    if kind == "literal_error":
        expected = err.get("ctx", {}).get("expected", "")
        options = [o.strip().strip("'") for o in expected.replace(" or ", ", ").split(",") if o.strip()]
        hint = did_you_mean(str(value), options, listing=None) if isinstance(value, str) else ""
        return f"invalid value {value!r}; valid values are: {', '.join(options)}" + hint
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return f"expected a mapping (key: value), found {_kind(value)}"
    if kind == "list_type":
        return f"expected a list (- item), found {_kind(value)}" + _as_list_hint(value)
    if kind in ("string_type", "str_type", "colon_text") and (text := colon_text(value)) is not None:
        return (
            f"expected text, found a mapping (`{text}`: a `: ` inside unquoted text makes one); "
            f"if it is text, quote it whole: {quoted_yaml(text)}"
        )
    if kind in ("string_type", "str_type") and isinstance(value, list) and value and all(map(_is_plain, value)):
        return f"expected text, found a list; write it as one text: {quoted_yaml(', '.join(map(str, value)))}"
    if kind in ("string_type", "str_type"):
        return f"expected text, found {_kind(value)}; quote it if you meant text"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return f"expected a whole number, found {_kind(value)}"
    if kind in ("bool_type", "bool_parsing"):
        return f"expected true or false, found {value!r}"
    if kind == "string_pattern_mismatch":
        return f"invalid value {value!r}: {_pattern_hint(loc)}"
    if kind == "too_short":
        return "must not be empty"
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        return f"{value!r} is out of range: {err['msg'].lower()}"
    msg = str(err["msg"])
    for prefix in ("Value error, ", "Assertion failed, "):
        msg = msg.removeprefix(prefix)
    return msg


def _is_plain(value: Any) -> bool:
    return isinstance(value, str | int | float) and not isinstance(value, bool)


def _as_list_hint(value: Any) -> str:
    """How the text a person wrote where a list goes is written as one."""
    if not isinstance(value, str) or not value.strip():
        return ""
    if re.match(r"-[^\s-]", value):  # `-Python` on each line: one text, `-Python -Rust`
        return "; a list item is `- ` with a space after the dash: `- Python`"
    items = [item.strip() for item in value.split(",") if item.strip()]
    return f"; write it as a list: [{', '.join(_flow_item(item) for item in items)}]"


def _flow_item(text: str) -> str:
    """One item of a `[a, b]` list, quoted when YAML would read it otherwise."""
    plain = not re.search(r"[:\[\]{}#&*!|>'\"%@`,]", text) and not re.match(r"[-?]", text)
    return text if plain else quoted_yaml(text)


def _pattern_hint(loc: Sequence[str | int]) -> str:
    last = str(loc[-1]) if loc else ""
    return {
        "email": "expected an e-mail address like ada@example.org",
        "doi": "expected a DOI like 10.1145/3600006.3613165 (without https://doi.org/)",
        "arxiv": "expected an arXiv id like 2401.01234",
        "id": "ids may use letters, digits and _ : . - + /",
        "locale": "expected a locale like en, de or zh_CN",
    }.get(last, "does not have the expected form")


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if value is None:
        return "nothing (null)"
    if isinstance(value, str):
        return f"the text {value!r}"
    return type(value).__name__


def did_you_mean(word: str, options: Sequence[str], listing: str | None = "allowed keys") -> str:
    """A "did you mean" suffix from known aliases first, then spelling; else the short list, if named."""
    if not options:
        return ""
    alias = KEY_ALIASES.get(word.lower().replace(" ", "_"))
    if alias in options:
        return f"; did you mean {alias!r}?"
    import difflib  # only when a key is wrong: ~1 ms of every start-up otherwise

    near_alias = difflib.get_close_matches(
        word.lower(), [k for k, v in KEY_ALIASES.items() if v in options], n=1, cutoff=0.8
    )
    if near_alias and not difflib.get_close_matches(word, list(options), n=1, cutoff=0.8):
        return f"; did you mean {KEY_ALIASES[near_alias[0]]!r}?"  # `compnay` -> company -> organization
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    if not close:
        close = difflib.get_close_matches(word.lower(), [o.lower() for o in options], n=1, cutoff=0.6)
    if close:
        return f"; did you mean {close[0]!r}?"
    if listing and len(options) <= 30:
        return f"; {listing}: {', '.join(options)}"
    return ""


def allowed_keys(loc: Sequence[str | int]) -> list[str]:
    """Field names of the model found at `loc` inside Profile."""
    model = model_at(loc)
    return list(model.model_fields) if model else []


def model_at(loc: Sequence[str | int]) -> type[BaseModel] | None:
    tp: Any = Profile
    for part in loc:
        tp = _unwrap(tp)
        if isinstance(part, int):
            tp = _item_type(tp)
            continue
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            field = tp.model_fields.get(part)
            if field is None:
                return None
            tp = field.annotation
        elif typing.get_origin(tp) is dict:
            tp = typing.get_args(tp)[1]
        else:
            return None
    tp = _unwrap(tp)
    return tp if isinstance(tp, type) and issubclass(tp, BaseModel) else None


def _unwrap(tp: Any) -> Any:
    """Strip Annotated/Optional; for the publications union, the YAML entry model."""
    while True:
        origin = typing.get_origin(tp)
        if origin is typing.Annotated:
            tp = typing.get_args(tp)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(tp) if a is not type(None)]
            tp = args[0]
        else:
            return tp


def _item_type(tp: Any) -> Any:
    if typing.get_origin(tp) is list:
        return typing.get_args(tp)[0]
    return tp


def semantic_problems(source: Source) -> list[Problem]:
    """Rules that span several fields, checked on the raw data so they report with schema errors."""
    from cvbuild.document.sections import BUILTIN_SECTIONS, custom_section_ids, section_slug

    data = source.data
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for i, item in enumerate(_list(data.get("publications"))):
        pid = item.get("id") if isinstance(item, dict) else None
        if not isinstance(pid, str):
            continue
        if pid in seen:
            problems.append(
                source.problem(
                    ("publications", i, "id"),
                    f"duplicate publication id {pid!r} (first used by publications[{seen[pid]}]); ids must be unique",
                )
            )
        else:
            seen[pid] = i
    # A title's slug that is taken gets a suffix (custom_section_ids); an `id` the user wrote is
    # kept, so one that is a built-in section's or an earlier section's is an error.
    written = [
        (i, sec["id"] if isinstance(sec.get("id"), str) else None, sec["title"])
        for i, sec in enumerate(_list(data.get("sections")))
        if isinstance(sec, dict) and isinstance(sec.get("title"), str)
    ]
    first: dict[str, int] = {}
    for i, sid, _ in written:
        if sid is None:
            continue
        if sid in BUILTIN_SECTIONS or sid in first:
            used = f"sections[{first[sid]}]" if sid in first else "a built-in section"
            problems.append(
                source.problem(("sections", i, "id"), f"section id {sid!r} is already used by {used}; choose another")
            )
        first.setdefault(sid, i)
    custom = custom_section_ids([(sid, title) for _, sid, title in written])
    renamed: dict[str, tuple[int, str]] = {}  # a built-in id that a custom title's slug gave: that section's id
    for (i, sid, title), new in zip(written, custom, strict=True):
        if sid is None:
            renamed.setdefault(section_slug(title), (i, new))
    known = list(BUILTIN_SECTIONS) + custom
    documents = data.get("documents")
    for name, spec in documents.items() if isinstance(documents, dict) else []:
        problems.extend(_section_title_problems(source, name, spec, known))
        for j, sid in enumerate(_list(spec.get("sections")) if isinstance(spec, dict) else []):
            # a merged section's parts too: `include: [experiance, education]` printed education alone
            for k, part in enumerate(_list(sid.get("include")) if isinstance(sid, dict) else []):
                if isinstance(part, str) and part not in known:
                    problems.append(
                        source.problem(
                            ("documents", name, "sections", j, "include", k),
                            f"unknown section {part!r}" + did_you_mean(part, known, "known sections"),
                        )
                    )
            if isinstance(sid, str) and sid not in known:
                problems.append(
                    source.problem(
                        ("documents", name, "sections", j),
                        f"unknown section {sid!r}" + did_you_mean(sid, known, "known sections"),
                    )
                )
            elif isinstance(sid, str) and sid in BUILTIN_SECTIONS and not data.get(sid) and sid in renamed:
                # the built-in section, empty here, where the custom section of that title is meant
                i, new = renamed[sid]
                problems.append(
                    source.problem(
                        ("documents", name, "sections", j),
                        f"{sid!r} is the built-in section, which this profile leaves empty; the section titled "
                        f"{_list(data['sections'])[i]['title']!r} (sections[{i}]) has the id {new!r}: write that",
                    )
                )
    return problems


def _section_title_problems(source: Source, name: str, spec: Any, known: list[str]) -> list[Problem]:
    """A document's `section_titles` key that names no section: `{publicaitons: Papers}` was
    ignored, its heading never used. A merged section is named by its `id` or its title's slug."""
    from cvbuild.document.sections import section_slug

    titles = spec.get("section_titles") if isinstance(spec, dict) else None
    if not isinstance(titles, dict):
        return []
    merged = [s for s in _list(spec.get("sections")) if isinstance(s, dict)]
    ids = known + [
        s["id"] if isinstance(s.get("id"), str) else section_slug(s["title"])
        for s in merged
        if isinstance(s.get("id"), str) or isinstance(s.get("title"), str)
    ]
    return [
        source.problem(
            ("documents", name, "section_titles", key),
            f"no section has the id {key!r}, so this title is never used" + did_you_mean(key, ids, "section ids"),
        )
        for key in titles
        if isinstance(key, str) and key not in ids
    ]


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def text_problems(source: Source, limits: Limits) -> list[Problem]:
    """Every key and text value, from YAML or BibTeX, is printable user text: no control characters,
    no line break outside multi-line fields (`Paragraphs`), within the length and combining-mark limits.
    Walks the data beside the schema types, so a new field is checked without being listed anywhere."""
    out: list[Problem] = []
    # The walk meets the same annotations thousands of times (one per publication): their
    # answers are kept for this walk, keyed by identity (the memo holds the annotation, so its
    # id stays its own); _child_type then returns the same object, so its children hit too.
    memo: dict[tuple[int, object], tuple[Any, Any]] = {}

    def ask(fn: Callable[..., Any], tp: Any, *args: object) -> Any:
        key = (id(tp), (fn, *args))
        hit = memo.get(key)
        if hit is None or hit[0] is not tp:
            hit = memo[key] = (tp, fn(tp, *args))
        return hit[1]

    key_issues: dict[str, tuple[str, str] | None] = {}  # keys recur in every entry: checked once each

    stack: list[tuple[Any, Any, tuple[str | int, ...]]] = [(source.data, Profile, ())]
    while stack:
        value, tp, loc = stack.pop()
        if isinstance(value, str):
            issue = text_issue(
                value.rstrip("\n"),  # a YAML block scalar's (`|`, `>`) final line break is not a second line
                multiline="\n" in value and ask(_is_multiline, tp),  # asked only where it decides
                max_chars=limits.field_chars,
                max_marks=limits.combining_marks,
            )
            if issue:
                out.append(source.problem(loc, issue[1]))
        elif isinstance(value, dict):
            for key, item in value.items():
                name = str(key)
                if name not in key_issues:
                    key_issues[name] = text_issue(
                        name, multiline=False, max_chars=limits.field_chars, max_marks=limits.combining_marks
                    )
                issue = key_issues[name]
                if issue:
                    out.append(source.problem((*loc, key), "the key " + issue[1], at_key=True))
                if _may_hold_issues(item, limits.field_chars):
                    stack.append((item, ask(_child_type, tp, name), (*loc, key)))
        elif isinstance(value, list):
            item_tp = ask(_list_item_type, tp)
            stack += [
                (item, item_tp, (*loc, i)) for i, item in enumerate(value) if _may_hold_issues(item, limits.field_chars)
            ]
    return out


def _may_hold_issues(value: Any, max_chars: int) -> bool:
    """False for what text_issue would pass without a look at its field: numbers, booleans, null,
    and printable ASCII within the length (no control, line break or combining mark), which is
    most of a profile's text. Such values are not walked."""
    if isinstance(value, str):
        return not (value.isascii() and value.isprintable() and len(value) <= max_chars)
    return isinstance(value, (dict, list))


def _list_item_type(tp: Any) -> Any:
    return _item_type(_unwrap(tp)) if tp is not None else None


def _is_multiline(tp: Any) -> bool:
    """Whether the annotation (through Optional and Annotated) carries the MultiLine marker."""
    while tp is not None:
        origin = typing.get_origin(tp)
        if origin is typing.Annotated:
            if any(isinstance(m, MultiLine) for m in tp.__metadata__):
                return True
            tp = typing.get_args(tp)[0]
        elif origin in (typing.Union, types.UnionType):
            return any(_is_multiline(a) for a in typing.get_args(tp))
        else:
            return False
    return False


def _child_type(tp: Any, key: str) -> Any:
    """The annotation of `key` inside a model or dict annotation; None when unknown."""
    tp = _unwrap(tp) if tp is not None else None
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        field = tp.model_fields.get(key)
        if field is None:
            return None
        # pydantic moves the outer Annotated metadata of a field into `field.metadata`
        return typing.Annotated[field.annotation, *field.metadata] if field.metadata else field.annotation
    if typing.get_origin(tp) is dict:
        return typing.get_args(tp)[1]
    return None
