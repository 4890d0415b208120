"""JSON Resume 1.x <-> cvbuild profile.

Import checks the file against the official schema (shipped beside this module, MIT licensed,
see LICENSE-jsonresume-schema.md), then maps every part. What a profile has no field for is
reported as `resume.json: /work/2/description: ...` and kept where it can be: in a nearby
text field, or in a custom section. Export writes what JSON Resume can hold.

Publications: JSON Resume has no authors. An imported publication lists the owner as its only
author (and the import warns): the profile then validates and renders, with the owner in bold,
where a placeholder author would print "TODO" in every CV until fixed. Export writes the
authors as the first line of `summary` ("Authors: A, B and C"), which import reads back.
"""

from __future__ import annotations

import html
import json
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from importlib.resources import files
from pathlib import Path
from typing import Any

from cvbuild.errors import InputError, Problem
from cvbuild.interop.common import (
    Warn,
    checked_profile,
    leftovers,
    pointer,
    read_json,
    refuse_too_many_to_import,
    unique_section_ids,
    unreadable_photo,
    usable_phone,
    wrong_kind,
)
from cvbuild.interop.html_text import BULLET, ENTITY, has_html, html_to_markdown, is_list
from cvbuild.loading.yaml_source import YamlSource, read_text
from cvbuild.schema.fields import parse_date
from cvbuild.schema.model import NAMED_NETWORKS, DocumentSpec, Links, Profile, network_key

SCHEMA_FILE = "jsonresume.schema.json"
SCHEMA_URL = "https://raw.githubusercontent.com/jsonresume/resume-schema/v1.0.0/schema.json"
AUTHORS_PREFIX = "Authors: "
ON_REQUEST = re.compile(r"\b(available\s+)?(up)?on\s+request\b", re.I)

# Display names of the named links, for `basics.profiles[].network`.
NETWORK_NAMES = {
    "github": "GitHub",
    "gitlab": "GitLab",
    "google_scholar": "Google Scholar",
    "orcid": "ORCID",
    "dblp": "DBLP",
    "linkedin": "LinkedIn",
    "x": "X",
    "mastodon": "Mastodon",
    "bluesky": "Bluesky",
    "researchgate": "ResearchGate",
    "semantic_scholar": "Semantic Scholar",
    "stackoverflow": "Stack Overflow",
    "youtube": "YouTube",
    "blog": "Blog",
}


def official_schema() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(files("cvbuild.interop").joinpath(SCHEMA_FILE).read_text(encoding="utf-8"))
    return data


def schema_problems(path: Path, data: Any, source: YamlSource | None = None, written: Any = None) -> list[Problem]:
    """Every place where `data` breaks the JSON Resume 1.x schema, as problems; located at the line and
    column of `source` (the file parsed with positions) when given, where `data` is `written`, the
    data as parsed, without its blank values (see `without_empty`)."""
    from jsonschema import Draft7Validator

    validator = Draft7Validator(official_schema(), format_checker=Draft7Validator.FORMAT_CHECKER)
    try:
        errors = sorted(validator.iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path])
    except RecursionError:
        return [Problem(path, 0, 0, "/", "nested too deeply to be a JSON Resume")]
    problems = []
    for e in errors:
        where = written_place(written, tuple(e.absolute_path)) if written is not None else tuple(e.absolute_path)
        line, column = source.locate(where) if source is not None else (0, 0)
        problems.append(Problem(path, line, column, pointer(*where) or "/", _schema_message(e)))
    return problems


def json_positions(path: Path, text: str) -> YamlSource | None:
    """The JSON text parsed again, as YAML 1.2 (of which JSON is a part), for the line and column of
    each value; None when the YAML parser refuses it (a duplicate key, a limit): json.loads decided
    that the file is valid JSON, so the problems are then reported by their JSON Pointer alone."""
    from cvbuild.loading.yaml_source import parse_yaml

    try:
        return parse_yaml(text, path)
    except InputError:
        return None


def written_place(written: Any, place: Where) -> Where:
    """`place` in the data without its blank values, as a place in the data as written: an item
    after a blank one (`["", "x"]`) moved up a place when the blank one was dropped."""
    out: list[str | int] = []
    node = written
    for part in place:
        if isinstance(node, list) and isinstance(part, int):
            kept = [i for i, item in enumerate(node) if not _blank(item)]
            part = kept[part] if part < len(kept) else part
            node = node[part] if part < len(node) else None
        else:
            node = node.get(part) if isinstance(node, dict) else None
        out.append(part)
    return tuple(out)


def _schema_message(error: Any) -> str:
    if error.validator == "pattern":  # the schema's only pattern is its iso8601 date
        return f"{error.instance!r} is not a date; JSON Resume dates are YYYY, YYYY-MM or YYYY-MM-DD"
    if error.validator == "type":  # the message repeats the whole value, a page of it for a section
        wanted = " or ".join(_JSON_TYPES.get(t, t) for t in _listed(error.validator_value))
        keys = list(error.schema.get("properties", {})) if "object" in _listed(error.validator_value) else []
        with_keys = f" with the keys {', '.join(keys)}" if keys else ""  # how to write it: "location": {"city": ...}
        return f"is {_JSON_TYPES[_json_type(error.instance)]}; JSON Resume wants {wanted} here{with_keys} (schema 1.x)"
    return f"{error.message} (JSON Resume schema 1.x)"


_JSON_TYPES = {
    "array": "a list [...]",
    "object": "an object {...}",
    "string": "a string",
    "number": "a number",
    "integer": "a whole number",
    "boolean": "true or false",
    "null": "null",
}


def _listed(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    for kind, cls in (("object", dict), ("array", list), ("string", str), ("integer", int), ("number", float)):
        if isinstance(value, cls):
            return kind
    return "null"


# ---- import ---------------------------------------------------------------------------------------


def import_file(path: Path, warn: Warn) -> dict[str, Any]:
    """A resume.json as profile data (a dict that validates as a Profile); warnings through `warn`."""
    data = written = read_json(path)
    if not isinstance(data, dict):
        raise InputError([Problem(path, 1, 1, "", "a JSON Resume file is a JSON object ({...})")])
    wrong_kind(path, data, "jsonresume")
    if not isinstance(data.get("basics"), dict):  # the schema does not require it; every résumé has it
        keys = ", ".join(map(str, list(data)[:8]))
        raise InputError(
            [Problem(path, 1, 1, "", f"not a JSON Resume file: it has no `basics` object (its keys: {keys})")]
        )

    lists = [((key,), items, _PUBLICATION.get(key, _NO)) for key, items in data.items() if isinstance(items, list)]
    refuse_too_many_to_import(lists, lambda where, message: _json_problem(path, where, message))
    positions: list[YamlSource | None] = []  # the file parsed again for lines, at the first note (~3 ms)

    def note(where: Where, message: str) -> None:
        if not where:
            warn(f"{path}: {message}")
            return
        if not positions:
            positions.append(json_positions(path, read_text(path, "JSON Resume file", "JSON")))
        line, column = positions[0].locate(written_place(written, where)) if positions[0] is not None else (0, 0)
        warn(
            f"{path}:{line}:{column}: {pointer(*where)}: {message}" if line else f"{path}: {pointer(*where)}: {message}"
        )

    data = with_number_levels(with_present_ends(without_empty(with_line_feeds(data)), note), note)
    problems = schema_problems(path, data)
    if problems:  # parsed again, with positions, only now: a valid file's import does not pay for it
        source = json_positions(path, read_text(path, "JSON Resume file", "JSON"))
        raise InputError(schema_problems(path, data, source, written))

    out = from_jsonresume(data, note)
    _check_photo(path, out, note)
    return checked_profile(path, out)


_NO: Callable[[Any], bool] = lambda _: False  # noqa: E731
_PUBLICATION: dict[str, Callable[[Any], bool]] = {"publications": lambda _: True}  # which lists hold publications


def _json_problem(path: Path, where: Where, message: str) -> Problem:
    """A problem at `where` of the JSON file, located: its text parsed for positions (a file the
    YAML parser refuses, by its JSON Pointer alone)."""
    source = json_positions(path, read_text(path, "JSON Resume file", "JSON"))
    line, column = source.locate(where) if source is not None else (0, 0)
    return Problem(path, line, column, pointer(*where), message)


def _check_photo(path: Path, out: dict[str, Any], note: Note) -> None:
    """Keep `photo` only if the profile, written beside the file, will validate with it: a
    `basics.image` that is not there (`dkay.jpg` of a theme's sample) made every render fail."""
    problem = unreadable_photo(path, out)
    if problem is not None:
        note(("basics", "image"), problem)
        del out["photo"]


def with_line_feeds(value: Any) -> Any:
    """The data with each string's line breaks as line feeds: a builder's text typed on Windows,
    or sent from a web form (a textarea's value is sent with CRLF), holds `\r\n`, and a profile
    refuses U+000D as an invisible control character, which refused the whole import."""
    if isinstance(value, str):
        return value.replace("\r\n", "\n").replace("\r", "\n")
    if isinstance(value, dict):
        return {k: with_line_feeds(v) for k, v in value.items()}
    if isinstance(value, list):
        return [with_line_feeds(v) for v in value]
    return value


def without_empty(value: Any) -> Any:
    """The data without `null` and blank strings: real files leave `"endDate": ""` or `null` for what
    they do not know, which the schema's date pattern refuses; an empty value says nothing either way."""
    if isinstance(value, dict):
        return {k: without_empty(v) for k, v in value.items() if not _blank(v)}
    if isinstance(value, list):
        return [without_empty(v) for v in value if not _blank(v)]
    return value


# An end that says "still going on", as real files write it where the schema wants a date.
_PRESENT = re.compile(
    r"(present|current(ly)?|now|today|ongoing|to date|actualidad|actualmente|actuel(lement)?|aujourd'hui|"
    r"heute|atual|attuale|presente|至今|现在|目前|現在)",
    re.I,
)


def with_present_ends(value: Any, note: Note, where: Where = ()) -> Any:
    """The data with `"endDate": "Present"` (or "current", "至今"...) left out, as JSON Resume
    says "still going on"; real files write the word, which the schema refused, and so the whole
    import. Any other text that is not a date is still refused, at its line."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if key in ("startDate", "endDate") and isinstance(item, str) and (bare := _without_span(item)) != item:
                note((*where, key), f"{item!r} read as {bare!r}: cvbuild shows no durations, the dates say it")
                item = bare
            if key in _DATE_KEYS and isinstance(item, str) and (iso := month_year(item)) and iso != item.strip():
                note((*where, key), f"{item!r} read as {iso}")  # "May 2022", which the schema refused
                item = iso
            if key == "endDate" and isinstance(item, str) and _PRESENT.fullmatch(item.strip()):
                note((*where, key), f"{item!r} read as ongoing (JSON Resume leaves endDate out)")
                continue
            out[key] = with_present_ends(item, note, (*where, key))
        return out
    if isinstance(value, list):
        return [with_present_ends(v, note, (*where, i)) for i, v in enumerate(value)]
    return value


def with_number_levels(data: dict[str, Any], note: Note) -> dict[str, Any]:
    """The data with each skill's and language's level written as a number (`level: 4`, `"4"`, or
    a theme's `rating`/`value`: a builder's stars or bar; a language's `fluency: 5`) as text on
    its list's scale: `4/5`, `7/10`, or `80%`, the smallest of 5, 10 and 100 that holds every such
    level of the list. The schema refused a number in a skill (and the whole import with it); a
    language's printed as "level: 4" or "value: 100". Skills and languages are scales of their
    own, as JSON Resume's skill `level` and language `fluency` are: one scale for both made a
    language's 4 of 5 '4%' beside skills out of 100."""
    out = data
    for section in ("skills", "languages"):
        if isinstance(items := data.get(section), list):
            out = _on_own_scale(out, section, items, note)
    return out


def _on_own_scale(data: dict[str, Any], section: str, items: list[Any], note: Note) -> dict[str, Any]:
    """`with_number_levels` for one list: skills or languages."""
    found = [
        (i, key, number)
        for i, item in enumerate(items)
        if isinstance(item, dict)
        and (key := _level_key(item, section))
        and (number := _level_number(item[key])) is not None
    ]
    if not found:
        return data
    top = max(number for *_, number in found)
    scale = next((s for s in (5, 10, 100) if top <= s), None)
    rows = list(items)
    for i, key, number in found:
        shown = f"{number:.0f}" if number.is_integer() else str(number)  # as written: `:g` made 1234567 1.23457e+06
        text = shown if scale is None else f"{shown}%" if scale == 100 else f"{shown}/{scale}"
        new_key = "fluency" if key == "fluency" else "level"  # a language's fluency stays its fluency
        rows[i] = {k: v for k, v in rows[i].items() if k != key} | {new_key: text}
        why = "no scale holds it" if scale is None else f"the {section}' levels go up to {top:g}"
        read = "" if key in ("level", "fluency") else " as its level"
        note((section, i, key), f"the number {shown} read{read} as {text!r} ({why})")
    return {**data, section: rows}


def _level_key(item: Mapping[str, Any], section: str) -> str | None:
    """Where a skill or language holds its level as a number: a language's `fluency`, `level`,
    else a theme's `rating` or `value` (where `level` is not text already)."""
    own = ("fluency", "level") if section == "languages" else ("level",)
    if key := next((k for k in own if _level_number(item.get(k)) is not None), None):
        return key
    if _text(item.get("level")):
        return None
    return next((k for k in ("rating", "value") if _level_number(item.get(k)) is not None), None)


def _level_number(value: Any) -> float | None:
    """A level written as a number (`4`, `4.5`, `"4"`), from 0 up; None for words and anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and re.fullmatch(r"\d+(?:\.\d+)?", value.strip()):
        return float(value)
    # JSON has no Infinity or NaN (Python's reader takes them): 'inf' took every other level off its scale
    return float(value) if isinstance(value, int | float) and math.isfinite(value) and value >= 0 else None


_DATE_KEYS = ("startDate", "endDate", "date", "releaseDate")
# English month names and the abbreviations builders write (no locale: strptime's %b would follow it).
_MONTH_WORDS = "january jan|february feb|march mar|april apr|may|june jun|july jul|august aug|september sep sept"
_MONTHS = {
    name: i
    for i, names in enumerate(f"{_MONTH_WORDS}|october oct|november nov|december dec".split("|"), start=1)
    for name in names.split()
}
_MONTH_YEAR = re.compile(r"([A-Za-z]{3,9})\.?,?\s+(\d{4})")
_NUMERIC_MONTH = re.compile(r"(\d{1,2})[/.](\d{4})|(\d{4})[/.](\d{1,2})")


def month_year(text: str) -> str | None:
    """A month written as builders do, `May 2022`, `Sept. 2023`, `05/2022` or `2022/05`, as YYYY-MM
    (English month names; a four-digit year, so 05/2022 is never a day); None for anything else."""
    text = text.strip()
    if m := _MONTH_YEAR.fullmatch(text):
        month = _MONTHS.get(m[1].lower())
        return f"{m[2]}-{month:02d}" if month else None
    if m := _NUMERIC_MONTH.fullmatch(text):
        month, year = (int(m[1]), m[2]) if m[1] else (int(m[4]), m[3])
        return f"{year}-{month:02d}" if 1 <= month <= 12 else None
    return None


# A date followed by how long it lasted, in brackets: `2015-03（1年6个月）`, `至今（9个月）`, `2019-05 (2 yrs)`.
_SPAN = re.compile(r"^(.+?)\s*[(（][^()（）]*[0-9一二三四五六七八九十半][^()（）]*[)）]$")


def _without_span(text: str) -> str:
    """`text` without a bracketed duration after a date or a word for "present"; as it was otherwise."""
    m = _SPAN.match(text.strip())
    if m is None:
        return text
    head = m[1].strip()
    if _PRESENT.fullmatch(head) or re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", head):
        return head
    return text


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


Where = tuple[str | int, ...]  # a place in the JSON; shown as a JSON Pointer
Note = Callable[[Where, str], None]


# Names of JSON Resume before 1.0 (schema 0.0.x), still in many files: section -> {old: new}.
OLD_NAMES: dict[str, dict[str, str]] = {
    "basics": {"website": "url", "picture": "image"},
    "work": {"company": "name", "website": "url"},
    "volunteer": {"website": "url"},
    "education": {"gpa": "score"},
    "publications": {"website": "url"},
    "projects": {"website": "url", "summary": "description"},
}


def with_new_names(data: Mapping[str, Any], note: Note) -> dict[str, Any]:
    """The data with the pre-1.0 names (`work[].company`, `website`, `picture`, `gpa`) read as their 1.0
    names, where the 1.0 name is not also given; one note lists what was read, at the first of them."""
    read: set[str] = set()
    first: list[Where] = []

    def renamed(section: str, item: Any, where: Where) -> Any:
        if not isinstance(item, Mapping):
            return item
        names = OLD_NAMES[section]
        out = {}
        for key, value in item.items():
            new = names.get(key)
            if new is not None and new not in item:
                read.add(f"{section}.{key} as {new}")
                first.append((*where, key))
                key = new
            out[key] = value
        return out

    result = dict(data)
    for section in OLD_NAMES:
        value = data.get(section)
        if section == "basics":
            result[section] = renamed(section, value, (section,))
        elif isinstance(value, list):
            result[section] = [renamed(section, item, (section, i)) for i, item in enumerate(value)]
    if read:
        note(first[0], f"JSON Resume before 1.0: read {', '.join(sorted(read))}")
    return result


# The prose fields that JSON Resume builders fill with HTML (a summary, a bullet, a description).
_PROSE = {"summary": False, "description": False, "highlights": True, "reference": False}


def with_markdown(value: Any, note: Note, where: Where = (), one_line: bool = False) -> Any:
    """The data with the simple HTML of its prose (`<strong>`, `<br><br>`, `<a href>`) as Markdown,
    which cvbuild prints; it printed the tags. Other markup stays verbatim (html_text)."""
    if isinstance(value, Mapping):
        return {
            k: with_markdown(v, note, (*where, k), _PROSE[k]) if k in _PROSE else _unescaped(v, note, (*where, k))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [with_markdown(v, note, (*where, i), one_line) for i, v in enumerate(value)]
    if isinstance(value, str) and has_html(value):
        note(where, "HTML read as Markdown")
        return html_to_markdown(value, one_line=one_line)
    return value


def _unescaped(value: Any, note: Note, where: Where) -> Any:
    """Plain text fields (a position, a name, a url) with the character references an HTML
    builder wrote in them as their characters: `Head of R&amp;D` printed its `&amp;`. A field
    with tags stays verbatim: names and titles take no markup."""
    if isinstance(value, Mapping):
        return with_markdown(value, note, where)
    if isinstance(value, list):
        return [_unescaped(v, note, (*where, i)) for i, v in enumerate(value)]
    if isinstance(value, str) and "<" not in value and ENTITY.search(value):
        note(where, "HTML character references read as characters")
        return html.unescape(value)
    return value


def from_jsonresume(data: Mapping[str, Any], note: Note) -> dict[str, Any]:
    """Map a schema-valid JSON Resume object to profile data."""
    data = with_new_names(data, note)
    data = {k: with_markdown(v, note, (k,)) for k, v in data.items()}
    out: dict[str, Any] = {}
    custom: list[dict[str, Any]] = []
    basics = data.get("basics") or {}
    _basics(basics, out, note)
    order: list[Any] = ["summary"] if "summary" in out else []  # section ids, custom section dicts
    for key, value in data.items():
        if key in ("basics", "$schema"):
            continue
        if key == "meta":
            note(("meta",), "not imported: cvbuild writes its own metadata")
            continue
        mapper = SECTION_MAPPERS.get(key)
        if mapper is None:
            section = _unknown_section(key, value, note)
            if section is not None:
                custom.append(section)
                order.append(section)
            continue
        target, items, extra = mapper(value or [], note)
        if items:
            out[target] = items
            order.append(target)
        custom += extra
        order += extra
    if "name" not in out:
        note(
            (
                "basics",
                "name",
            ),
            "missing; set `name:` in the profile (it is required)",
        )
        out["name"] = "Your Name"
    for pub in out.get("publications", []):
        pub["authors"] = pub["authors"] or [out["name"]]  # the owner; import warned about it
    if custom:
        out["sections"] = custom
    unique_section_ids(custom)
    if len(order) > 1:
        from cvbuild.document.sections import section_slug

        # The file's order, which JSON Resume themes follow: cvbuild's own puts interests (research
        # topics, in an academic CV) second, where a résumé's hobbies do not belong.
        ids = [s if isinstance(s, str) else s.get("id") or section_slug(s["title"]) for s in order]
        out["documents"] = {"cv": {"sections": list(dict.fromkeys(ids))}}
    if len(out.get("publications", [])) > 1:
        # in the file's order, as JSON Resume themes list them: sorted by date, a file that lists
        # its oldest first was turned round (github.com/5c077m4n/cv)
        out.setdefault("documents", {"cv": {}})["cv"]["publications"] = {"sort": "as_written"}
    return _ordered(out)


_ORDER = (
    "name",
    "headline",
    "photo",
    "contact",
    "summary",
    "interests",
    "education",
    "experience",
    "publications",
    "projects",
    "honors",
    "certificates",
    "volunteer",
    "skills",
    "languages",
    "references",
    "sections",
)


def _ordered(out: dict[str, Any]) -> dict[str, Any]:
    return {k: out[k] for k in _ORDER if k in out} | {k: v for k, v in out.items() if k not in _ORDER}


def _url(value: Any, where: Where, note: Note) -> str | None:
    """A link cvbuild accepts: http(s), mailto or tel. `www.example.org` gains `https://`."""
    from pydantic_core import PydanticCustomError

    from cvbuild.schema.fields import check_url, url_scheme

    text = _text(value)
    if text is None:
        return None
    try:
        return check_url(text)
    except PydanticCustomError as exc:
        if url_scheme(text) is None and "." in text.split("/")[0]:
            note((*where,), f"{text!r} has no scheme; imported as https://{text}")
            return _url("https://" + text, where, note)
        # javascript:, file:...: left out, at its line (a theme's `javascript:window.print()` button
        # is no part of the CV and kept the file out); a link in the prose is refused (common.checked_yaml)
        note((*where,), f"{exc.message()}; not imported")
        return None


def _date(value: Any, where: Where, note: Note) -> str | None:
    from pydantic_core import PydanticCustomError

    from cvbuild.schema.fields import parse_date

    text = _text(value)
    if text is None:
        return None
    try:
        parse_date(text)
    except PydanticCustomError as exc:
        if exc.type == "date_day":  # `2024-09-31`, which the schema's pattern takes: the month is right
            note((*where,), f"{exc.message()}; imported as {text[:7]}")
            return text[:7]
        note((*where,), f"{exc.message()}; not imported")
        return None
    return text


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _line(text: str | None) -> str | None:
    """`text` on one line, for a field that holds one (an award's or a publication's note): its
    paragraphs (`<br><br>`, `<p>` read as Markdown) and line breaks joined by spaces. With them,
    the profile refused the field, and the whole import. A list (`<ul><li>`) is its items joined
    by semicolons, where its `- ` marks were printed."""
    head, items = _summary_and_bullets(text)
    joined = " ".join(part for part in (head, "; ".join(items)) if part)
    return " ".join(joined.split()) or None


def _texts(values: Any) -> list[str]:
    return [t for v in values or [] if (t := _text(v))]


def _dates(item: Mapping[str, Any], out: dict[str, Any], where: Where, note: Note, *, ongoing: bool = True) -> None:
    """startDate/endDate -> start/end. JSON Resume leaves endDate out for what is still going on."""
    start = _date(item.get("startDate"), (*where, "startDate"), note)
    end = _date(item.get("endDate"), (*where, "endDate"), note)
    if start and end and parse_date(end).sort_key < parse_date(start).sort_key:
        note(
            (
                *where,
                "endDate",
            ),
            f"{end} is before startDate {start}; not imported",
        )
        end = None
    if start and end and start == end:
        out["date"] = start
    elif start:
        out["start"] = start
        # an endDate written but not imported (`2019-13`) is no "still going on": the start alone
        if end or (ongoing and _text(item.get("endDate")) is None):
            out["end"] = end or "present"
    elif end:
        out["date"] = end


def _basics(basics: Mapping[str, Any], out: dict[str, Any], note: Note) -> None:
    if name := _text(basics.get("name")):
        out["name"] = name
    if label := _text(basics.get("label")):
        out["headline"] = label
    if image := _text(basics.get("image")):
        if "://" in image or image.startswith("data:"):
            note(
                ("basics", "image"),
                f"cvbuild embeds a local photo only; download {image[:80]} next to the profile "
                "and set `photo:` to its file name",
            )
        else:
            out["photo"] = image
    contact: dict[str, Any] = {}
    if email := _text(basics.get("email")):
        if re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
            contact["email"] = email
        else:
            note(
                (
                    "basics",
                    "email",
                ),
                f"{email!r} is not an e-mail address; not imported",
            )
    region = _text((basics.get("location") or {}).get("countryCode"))
    if (phone := _text(basics.get("phone"))) and (usable := usable_phone(phone, ("basics", "phone"), note, region)):
        contact["phone"] = usable
    if url := _url(basics.get("url"), ("basics", "url"), note):
        contact["website"] = url
    if location := _location(basics.get("location") or {}, note):
        contact["location"] = location
    links, profiles = _profiles(basics.get("profiles") or [], note)
    paragraphs = _basics_extra(basics, profiles, note)
    if links:
        contact["links"] = links
    if profiles:
        contact["profiles"] = profiles
    if contact:
        out["contact"] = contact
    if summary := _text(basics.get("summary")):
        head, items, tail = _list_parts(summary)
        # the profile's summary is paragraphs: a list's items are one each, marked as they were
        marked = [f"- {item}" for item in items]
        out["summary"] = "\n\n".join(([head] if head else []) + marked + tail) if items else summary
    if paragraphs:
        out["summary"] = "\n\n".join(([out["summary"]] if "summary" in out else []) + paragraphs)


def _basics_extra(basics: Mapping[str, Any], profiles: list[dict[str, str]], note: Note) -> list[str]:
    """Fields of basics JSON Resume does not have, as builders write them: an address
    (`"resume": "https://..."`) is a link in `profiles`, prose (`aboutMe`) a paragraph of the
    summary (returned); they were dropped. Anything else is reported at its line."""
    used = ("name", "label", "image", "email", "phone", "url", "summary", "location", "profiles")
    paragraphs: list[str] = []
    for key, value in basics.items():
        where: Where = ("basics", key)
        text = _text(value) if isinstance(value, str) else None
        if key in used or value in (None, "", [], {}):
            continue
        if text and re.fullmatch(r"https?://\S+", text) and (url := _url(text, where, note)):
            label = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", str(key)).replace("_", " ").strip().capitalize()
            profiles.append({"network": label, "url": url, "username": ""})
            note(where, "no such field in a cvbuild profile; kept as a link in contact.profiles")
        elif text and _is_prose(text):
            paragraphs.append(str(with_markdown(text, note, where)))
            note(where, "no such field in a cvbuild profile; kept as a paragraph of the summary")
        else:
            note(where, "no such field in a cvbuild profile; not imported")
    return paragraphs


# Chinese, Japanese and Korean letters: prose in them has few spaces or none.
_CJK_LETTER = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7a3]")


def _is_prose(text: str) -> bool:
    """Words about someone (four or more), not a value (`nationality: Irish`, `birthDate`): eight
    CJK letters count too, a Chinese `aboutMe` being one word to `split` (it was dropped)."""
    return len(text.split()) >= 4 or len(_CJK_LETTER.findall(text)) >= 8


def _location(loc: Mapping[str, Any], note: Note) -> str | None:
    """One line, as a CV shows it: street, postal code and city, region, country."""
    city = " ".join(t for t in (_text(loc.get("postalCode")), _text(loc.get("city"))) if t)
    address = _text(loc.get("address"))
    parts = [address.replace("\n", ", ") if address else None, city, _text(loc.get("region"))]
    country = _text(loc.get("country")) or _text(loc.get("countryCode"))  # `country`: not in the schema, in files
    if country and not loc.get("country") and _country_named(country, [p for p in parts if p]):
        country = None  # `"address": "France", "countryCode": "FR"` read "France, FR"
    parts.append(country)
    if address or loc.get("postalCode"):
        note(
            (
                "basics",
                "location",
            ),
            "address and postal code joined into `contact.location`",
        )
    for key in loc:
        if key not in ("address", "postalCode", "city", "region", "countryCode", "country"):
            note(
                (
                    "basics",
                    "location",
                    key,
                ),
                "no such field in a cvbuild profile; not imported",
            )
    return ", ".join(p for p in parts if p) or None


def _country_named(code: str, parts: list[str]) -> bool:
    """Whether one of `parts` names the country of ISO code `code` (in a language cvbuild speaks)."""
    if not re.fullmatch(r"[A-Za-z]{2}", code):
        return False
    from babel import Locale

    from cvbuild.document.locales import LANGUAGES

    names = {str(Locale.parse(lang).territories.get(code.upper(), "")).casefold() for lang in LANGUAGES} - {""}
    return any(part.casefold() in names or part.casefold().endswith(tuple(f" {n}" for n in names)) for part in parts)


def _profiles(items: Sequence[Any], note: Note) -> tuple[dict[str, str], list[dict[str, str]]]:
    """Known networks become named links; any other network goes to `contact.profiles`."""
    links: dict[str, str] = {}
    others: list[dict[str, str]] = []
    for i, item in enumerate(items):
        network, user = _text(item.get("network")), _text(item.get("username"))
        url = _url(item.get("url"), ("basics", "profiles", i, "url"), note)
        where: Where = ("basics", "profiles", i)
        if not network:
            if url:
                network = re.sub(r"^https?://(www\.)?", "", url).split("/")[0] or "Profile"
            else:
                note(where, "a profile without network or url; not imported")
                continue
        key = network_key(network)
        value = user if user and key in NAMED_NETWORKS and _handle_of(user, url) else url
        if key in Links.model_fields and value and key not in links:
            links[key] = value
        elif url or (user and key in NAMED_NETWORKS):
            others.append({"network": network, "url": url or "", "username": user or ""})
        else:
            who = f"{network} profile {user!r}" if user else f"The {network} profile"
            note(where, f"{who} has no url; add it as {{network, url}} under contact.profiles")
    return links, others


def _handle_of(user: str, url: str | None) -> bool:
    """Whether `user` is the user name of the profile at `url`: real files put a display name there
    ("Ada Example"), or another account than the url's, where the url is what the reader must get."""
    from pydantic_core import PydanticCustomError

    from cvbuild.schema.fields import check_link_or_handle

    try:
        check_link_or_handle(user)
    except PydanticCustomError:
        return False
    return url is None or user.lstrip("@").lower() in url.lower()


def _list_parts(text: str | None) -> tuple[str | None, list[str], list[str]]:
    """A summary written as a list, one item a line (`- `, `•`, `·`, `●`... html_text.BULLET): the
    paragraphs before the list, its items in order (a line without the mark goes on the item before
    it, as a wrapped line), and the paragraphs after it (after a blank line: text after an HTML list
    is no part of its last item, where it was joined). With fewer than two items, the text alone."""
    lines = (text or "").splitlines()
    if not is_list(lines):
        return text, [], []
    head: list[str] = []
    items: list[str] = []
    tail: list[str] = []
    blank = True  # a blank line before: a line without a mark starts a paragraph
    for raw in lines:
        line = raw.strip()
        if not line:
            blank = True
            continue
        if BULLET.match(line) and not tail:
            items.append(BULLET.sub("", line))
        elif items and not blank:
            (tail or items)[-1] += " " + line
        elif items:
            tail.append(line)
        elif blank or not head:
            head.append(line)
        else:
            head[-1] += " " + line
        blank = False
    return "\n\n".join(head) or None, items, tail


def _summary_and_bullets(text: str | None) -> tuple[str | None, list[str]]:
    """A summary written as a list: the paragraphs before it stay the summary, its items become
    highlights, then the paragraphs after it, each a highlight, in order. A profile's summary is
    paragraphs, where the list would run together as `... - item - item`."""
    head, items, tail = _list_parts(text)
    return head, items + tail


def _paragraphs_and_bullets(text: str | None) -> list[str]:
    """A summary as bullets, for an entry that has none (education): a paragraph each, lines
    joined, then its list's items."""
    head, items = _summary_and_bullets(text)
    return [" ".join(p.split()) for p in re.split(r"\n\s*\n", head or "") if p.strip()] + items


def _sentence(text: str) -> str:
    """`text` ending as a sentence, to go before another: no second full stop after its own."""
    return text if text[-1] in ".!?…。" else text + "."


def _work(items: Sequence[Any], note: Note) -> tuple[str, list[dict[str, Any]], list[dict[str, Any]]]:
    out, stray = [], []
    for i, item in enumerate(items):
        where = ("work", i)
        entry: dict[str, Any] = {
            "organization": _text(item.get("name")),
            "role": _text(item.get("position")),
            "location": _text(item.get("location")),
        }
        _dates(item, entry, where, note)
        summary = _repeated(item, "summary", entry, where, note)
        if description := _text(item.get("description")):
            note(
                (
                    *where,
                    "description",
                ),
                "a profile has no company description; kept in `summary`",
            )
            summary = f"{_sentence(description)} {summary}" if summary else description
        summary, bullets = _summary_and_bullets(summary)
        entry |= {
            "summary": summary,
            "highlights": bullets + _texts(item.get("highlights")),
            "url": _url(item.get("url"), (*where, "url"), note),
        }
        used = ("name", "position", "location", "startDate", "endDate", "summary", "description", "highlights", "url")
        entry["highlights"] += leftovers(item, used, where, note)
        if entry["organization"] and entry["role"]:
            out.append(entry)
        else:
            stray.append(_generic(entry, entry["role"] or entry["organization"], entry["organization"]))
            note((*where,), "needs both `name` and `position`; kept in the custom section Work")
    return "experience", out, _custom("Work", stray)


def _repeated(item: Mapping[str, Any], key: str, entry: Mapping[str, Any], where: Where, note: Note) -> str | None:
    """item[key] as text, or None where it only repeats the entry's role or organisation (a
    builder's `"position": "Front End Developer", "summary": "Front End Developer"`), which
    printed twice, one line under the other."""
    text = _text(item.get(key))
    same = next((k for k in ("role", "organization") if text and text.casefold() == str(entry.get(k)).casefold()), None)
    if same is None:
        return text
    note((*where, key), f"the same as the {'position' if same == 'role' else 'name'}; not repeated")
    return None


def _volunteer(items: Sequence[Any], note: Note) -> tuple[str, list[dict[str, Any]], list[dict[str, Any]]]:
    out, stray = [], []
    for i, item in enumerate(items):
        where = ("volunteer", i)
        entry: dict[str, Any] = {"organization": _text(item.get("organization")), "role": _text(item.get("position"))}
        _dates(item, entry, where, note)
        summary, bullets = _summary_and_bullets(_repeated(item, "summary", entry, where, note))
        entry |= {
            "location": _text(item.get("location")),
            "summary": summary,
            "highlights": bullets + _texts(item.get("highlights")),
            "url": _url(item.get("url"), (*where, "url"), note),
        }
        used = ("organization", "position", "location", "startDate", "endDate", "summary", "highlights", "url")
        entry["highlights"] += leftovers(item, used, where, note)
        if entry["organization"]:
            out.append(entry)
        else:
            stray.append(_generic(entry, entry["role"], None))
            note((*where,), "needs an `organization`; kept in the custom section Volunteering")
    return "volunteer", out, _custom("Volunteering", stray)


def _education(items: Sequence[Any], note: Note) -> tuple[str, list[dict[str, Any]], list[dict[str, Any]]]:
    out, stray = [], []
    for i, item in enumerate(items):
        where = ("education", i)
        entry: dict[str, Any] = {
            "institution": _text(item.get("institution")),
            "degree": _text(item.get("studyType")),
            "field": _text(item.get("area")),
        }
        if entry["degree"] and entry["field"] and _holds(entry["degree"], entry["field"]):
            # `"studyType": "formation React JS", "area": "React JS"` read "formation React JS in React JS"
            note((*where, "area"), "already in `studyType`; not repeated")
            entry["field"] = None
        _dates(item, entry, where, note)
        entry |= {
            "gpa": _text(item.get("score")),
            "courses": _texts(item.get("courses")),
            "url": _url(item.get("url"), (*where, "url"), note),
        }
        used = ("institution", "studyType", "area", "startDate", "endDate", "score", "courses", "url", "summary")
        # education has no summary: its paragraphs and list items lead the highlights, where whole
        # (`<p>`, `<ul><li>` read as Markdown) its line breaks made the profile refuse the import
        entry["highlights"] = _paragraphs_and_bullets(_text(item.get("summary"))) + leftovers(item, used, where, note)
        if entry["institution"]:
            out.append(entry)
        else:
            stray.append(_generic(entry, entry["degree"] or entry["field"], None))
            note((*where,), "needs an `institution`; kept in the custom section Education and training")
    return "education", out, _custom("Education and training", stray)


def _holds(text: str, words: str) -> bool:
    """Whether `words` stand in `text` as words of their own (any case)."""
    return re.search(rf"(?<!\w){re.escape(words.casefold())}(?!\w)", text.casefold()) is not None


def _awards(items: Sequence[Any], note: Note) -> tuple[str, list[dict[str, Any]], list[dict[str, Any]]]:
    out = []
    for i, item in enumerate(items):
        title = _text(item.get("title"))
        if not title:
            note(
                (
                    "awards",
                    i,
                ),
                "an award without a title; not imported",
            )
            continue
        date = _date(item.get("date"), ("awards", i, "date"), note)
        entry = {"title": title, "issuer": _text(item.get("awarder")), "date": date}
        # `url` is no field of JSON Resume's awards, but files have it and a profile's honor takes it:
        # kept in the note, it printed `url: https://...` as text
        entry["url"] = _url(item.get("url"), ("awards", i, "url"), note)
        extra = leftovers(item, ("title", "awarder", "date", "summary", "url"), ("awards", i), note, "in the note")
        entry["note"] = " ".join([t for t in [_line(_text(item.get("summary")))] if t] + extra) or None
        out.append(entry)
    return "honors", out, []


def _certificates(items: Sequence[Any], note: Note) -> tuple[str, list[dict[str, Any]], list[dict[str, Any]]]:
    out = []
    for i, item in enumerate(items):
        name = _text(item.get("name"))
        if not name:
            note(
                (
                    "certificates",
                    i,
                ),
                "a certificate without a name; not imported",
            )
            continue
        date = _date(item.get("date"), ("certificates", i, "date"), note)
        entry = {"name": name, "issuer": _text(item.get("issuer")), "date": date}
        entry["url"] = _url(item.get("url"), ("certificates", i, "url"), note)
        extra = leftovers(item, ("name", "issuer", "date", "url"), ("certificates", i), note, "in the note")
        entry["note"] = "; ".join(extra) or None
        out.append(entry)
    return "certificates", out, []


def _publications(items: Sequence[Any], note: Note) -> tuple[str, list[dict[str, Any]], list[dict[str, Any]]]:
    out, stray = [], []
    owner_only = []
    for i, item in enumerate(items):
        where = ("publications", i)
        title, date = _text(item.get("name")), _date(item.get("releaseDate"), (*where, "releaseDate"), note)
        summary = _text(item.get("summary"))
        authors: list[str] = []
        if summary and summary.startswith(AUTHORS_PREFIX):  # written by `cvbuild export jsonresume`
            line, _, rest = summary.partition("\n")
            authors = _split_authors(line.removeprefix(AUTHORS_PREFIX))
            summary = rest.strip() or None
        summary = _line(summary)  # a publication's note is one line
        entry: dict[str, Any] = {"title": title, "authors": authors, "venue": _text(item.get("publisher"))}
        entry |= {"date": date, "type": "other", "url": _url(item.get("url"), (*where, "url"), note), "note": summary}
        extra = leftovers(item, ("name", "releaseDate", "summary", "publisher", "url"), where, note, "in the note")
        if extra:
            entry["note"] = " ".join([t for t in [summary] if t] + extra)
        if not title or not date:
            generic = {"title": title or "Untitled", "subtitle": entry["venue"], "date": date, "url": entry["url"]}
            stray.append(generic | {"summary": entry["note"]})
            note((*where,), "a publication needs `name` and `releaseDate`; kept in the custom section Writing")
            continue
        if not authors:
            owner_only.append(i)
        out.append(entry)
    if owner_only:
        note(
            ("publications",),
            f"JSON Resume has no authors: {len(owner_only)} publication(s) list you as the only author; "
            "add your co-authors to `authors:`",
        )
    return "publications", out, _custom("Writing", stray)


def _split_authors(text: str) -> list[str]:
    sep = "; " if "; " in text else ", "
    return [a.strip() for a in text.split(sep) if a.strip()]


def _skills(items: Sequence[Any], note: Note) -> tuple[str, list[dict[str, Any]], list[dict[str, Any]]]:
    out: list[dict[str, Any]] = []
    for i, item in enumerate(items):
        name, level, keywords = _text(item.get("name")), _text(item.get("level")), _texts(item.get("keywords"))
        if not name and not keywords:
            note(
                (
                    "skills",
                    i,
                ),
                "a skill without name or keywords; not imported",
            )
            continue
        if not name:
            note(
                (
                    "skills",
                    i,
                    "name",
                ),
                "missing; the skill is filed under `Skills`",
            )
        leftovers(item, ("name", "level", "keywords"), ("skills", i), note, None)
        if name and not keywords and not level:
            # A bare skill name: a group needs items, and `X: X` would print it twice. Bare names in
            # a row make one group, in their order.
            if out and out[-1].get("bare"):
                out[-1]["items"].append(name)
            else:
                out.append({"category": "Skills", "items": [name], "bare": True})
            continue
        out.append({"category": name or "Skills", "level": level, "items": keywords})
    bare = [s["items"] for s in out if s.pop("bare", False)]
    if bare:
        names = ", ".join(n for items in bare for n in items)
        note(("skills",), f"skills with only a name ({names}) are listed under `Skills`")
    return "skills", out, []


def _languages(items: Sequence[Any], note: Note) -> tuple[str, list[dict[str, Any]], list[dict[str, Any]]]:
    """Each language with its fluency. Builders write a language's `name`, and its `proficiency` or
    a `level` in words, where JSON Resume has `language` and `fluency`: read as those. A language has
    no other field to show, so its summary or description ("TOEFL iBT 112") and any other text ride
    in its fluency, printed beside it ("English (Fluent; TOEFL iBT 112)"); each was dropped."""
    out = []
    for i, item in enumerate(items):
        where = ("languages", i)
        read = {"language": _first_of(item, ("language", "name")), "fluency": _first_of(item, _FLUENCY)}
        if not read["language"]:
            note(where, "a language without `language`; not imported")
            continue
        used = ["summary", "description"]
        for field, key in read.items():
            if key is not None:
                used.append(key)
                if key != field:
                    note((*where, key), f"read as `{field}`")
        prose = [t for k in ("summary", "description") if (t := _line(_text(item.get(k))))]
        for key in ("summary", "description"):
            if _line(_text(item.get(key))):
                note((*where, key), "no such field in a cvbuild language; kept in its fluency")
        # a level beside the fluency in words ("B2", then stars: "4/5") follows it, without its key
        level = _text(item.get("level")) if read["fluency"] != "level" else None
        used += ["level"] if level else []
        extra = leftovers(item, used, where, note, "in its fluency")
        fluency = _text(item.get(read["fluency"])) if read["fluency"] else None
        fluency = "; ".join(t for t in (fluency, level, *dict.fromkeys(prose), *extra) if t)
        language = _text(item.get(read["language"]))
        if language and (named := language_named(language)):
            note((*where, read["language"]), f"the language code {language!r} read as {named!r}")
            language = named
        out.append({"language": language, "fluency": fluency or None})
    return "languages", out, []


def language_named(code: str) -> str | None:
    """The English name of a language written as its ISO 639-1 code, `fr` or `FR` (French), as
    some files write `language` (github.com/jbuget/jbuget.github.io); the CV printed "fr". A word
    (`Ga`, `Ewe`) is no code: only two letters of one case are read."""
    if not re.fullmatch(r"[a-z]{2}|[A-Z]{2}", code):
        return None
    from babel import Locale

    name = Locale.parse("en").languages.get(code.lower())
    return str(name) if name else None


_FLUENCY = ("fluency", "proficiency", "level")


def _first_of(item: Mapping[str, Any], keys: Sequence[str]) -> str | None:
    """The first of `keys` that holds text (a `level: 4` of stars is no fluency)."""
    return next((k for k in keys if isinstance(item.get(k), str) and _text(item.get(k))), None)


def _interests(items: Sequence[Any], note: Note) -> tuple[str, list[Any], list[dict[str, Any]]]:
    out: list[Any] = []
    for i, item in enumerate(items):
        name, keywords = _text(item.get("name")), _texts(item.get("keywords"))
        if not name:
            note(
                (
                    "interests",
                    i,
                ),
                "an interest without a name; not imported",
            )
            continue
        leftovers(item, ("name", "keywords"), ("interests", i), note, None)
        out.append({"name": name, "keywords": keywords} if keywords else name)
    return "interests", out, []


def _references(items: Sequence[Any], note: Note) -> tuple[str, Any, list[dict[str, Any]]]:
    texts = [" ".join(t for t in (_text(i.get("name")), _text(i.get("reference"))) if t) for i in items]
    if len(items) == 1 and ON_REQUEST.search(texts[0]) and len(texts[0]) < 60:
        return "references", "on_request", []
    out = []
    for i, item in enumerate(items):
        name = _text(item.get("name"))
        if not name:
            note(
                (
                    "references",
                    i,
                ),
                "a reference without a name; not imported",
            )
            continue
        extra = leftovers(item, ("name", "reference"), ("references", i), note, "in the reference text")
        # its paragraphs kept, as a reference's text prints them; what has no field ends the last
        paragraphs = _paragraphs_and_bullets(_text(item.get("reference")))
        text = "\n\n".join([*paragraphs[:-1], " ".join(paragraphs[-1:] + extra)]).strip() or None
        out.append({"name": name, "text": text})
    return "references", out, []


def _projects(items: Sequence[Any], note: Note) -> tuple[str, list[dict[str, Any]], list[dict[str, Any]]]:
    out = []
    for i, item in enumerate(items):
        where = ("projects", i)
        name = _text(item.get("name"))
        if not name:
            note((*where,), "a project without a name; filed as `Project`")
        entry: dict[str, Any] = {"name": name or "Project", "role": ", ".join(_texts(item.get("roles"))) or None}
        entry |= {"organization": _text(item.get("entity")), "type": _text(item.get("type"))}
        entry["url"] = _url(item.get("url"), (*where, "url"), note)
        _dates(item, entry, where, note)
        summary, bullets = _summary_and_bullets(_text(item.get("description")))
        entry |= {"summary": summary, "highlights": bullets + _texts(item.get("highlights"))}
        # `technologies`, no field of JSON Resume's projects, is what files write beside (or for) keywords
        keywords = _texts(item.get("keywords"))
        entry["technologies"] = keywords + [t for t in _texts(item.get("technologies")) if t not in keywords]
        used = ("name", "roles", "entity", "type", "url", "startDate", "endDate", "description", "highlights")
        entry["highlights"] += leftovers(item, (*used, "keywords", "technologies"), ("projects", i), note)
        out.append(entry)
    return "projects", out, []


SECTION_MAPPERS: dict[str, Callable[[Sequence[Any], Note], tuple[str, Any, list[dict[str, Any]]]]] = {
    "work": _work,
    "volunteer": _volunteer,
    "education": _education,
    "awards": _awards,
    "certificates": _certificates,
    "publications": _publications,
    "skills": _skills,
    "languages": _languages,
    "interests": _interests,
    "references": _references,
    "projects": _projects,
}


def _generic(entry: Mapping[str, Any], title: str | None, subtitle: str | None) -> dict[str, Any]:
    keep = ("date", "start", "end", "location", "summary", "highlights", "url")
    return {"title": title or "Untitled", "subtitle": subtitle} | {k: entry[k] for k in keep if k in entry}


def _from_to(item: Mapping[str, Any], where: Where, note: Note) -> tuple[Mapping[str, Any], tuple[str, ...]]:
    """A section of a builder's own (`experience: [{from: "May 2022", to: "Current"}]`) dates its
    entries `from` and `to`: read as startDate and endDate (they were `from: May 2022` bullets);
    returned with the keys read. A year written as a number (`to: 2023`) is a date too: unread, the
    entry was silently dated from its start to the present."""
    if "startDate" in item or _from_to_text(item.get("from")) is None:
        return item, ()
    read = dict(item)
    for key, name in (("from", "startDate"), ("to", "endDate")):
        text = _from_to_text(item.get(key))
        if text and _PRESENT.fullmatch(text):
            note((*where, key), f"{text!r} read as ongoing")  # no endDate
            continue
        if text:
            read[name] = month_year(text) or text
            note((*where, key), f"read as {name} {read[name]}")
    return read, tuple(k for k in ("from", "to") if k in item and _from_to_text(item.get(k)) is not None)


def _from_to_text(value: Any) -> str | None:
    """`from` or `to` as text: a string, or a year written as a whole number."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return _text(value)


def _custom(title: str, entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"title": title, "entries": entries}] if entries else []


def _unknown_section(key: str, value: Any, note: Note) -> dict[str, Any] | None:
    """A section JSON Resume does not define: a list of objects becomes a custom section."""
    title = key.replace("_", " ").strip().capitalize() or "More"
    if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value) or not value:
        note((key,), "not a JSON Resume section; not imported")
        return None
    entries = []
    for i, item in enumerate(value):
        head, org, role = (
            next((t for k in keys if (t := _text(item.get(k)))), None)
            for keys in (("name", "title", "label"), ("organization", "company", "issuer"), ("position", "role"))
        )
        if head is None:  # a job-like entry: its role is the title, the organization below
            head, role = role or org, None
            org = None if head == org else org
        # none: a paragraph, when it holds only a summary
        entry: dict[str, Any] = {"title": head or "", "subtitle": ", ".join(t for t in (role, org) if t) or None}
        dated, read = _from_to(item, (key, i), note)
        _dates(dated, entry, (key, i), note)  # a start without an end is ongoing
        if "date" not in entry and (date := _date(item.get("date"), (key, i, "date"), note)):
            entry["date"] = date
        entry["summary"] = _text(item.get("summary") or item.get("description"))
        entry["url"] = _url(item.get("url"), (key, i, "url"), note)
        entry["location"] = _text(item.get("location"))
        entry["highlights"] = _texts(item.get("highlights"))
        used: tuple[str, ...] = ("name", "title", "label", "organization", "company", "issuer", "position", "role")
        used = (*used, "startDate", "endDate", "date", "summary", "description", "url", "location", "highlights")
        used = (*used, *read)
        entry["highlights"] += leftovers(item, used, (key, i), note)
        entries.append(entry)
    note((key,), f"not a JSON Resume section; kept as the custom section {title!r}")
    return {"title": title, "entries": entries}


# ---- export ---------------------------------------------------------------------------------------


def export_file(path: Path, document: str | None, warn: Warn) -> str:
    """`cvbuild export jsonresume`: the profile (or one document of it) as resume.json text."""
    from cvbuild.errors import RenderError
    from cvbuild.loading.profile import load_profile
    from cvbuild.pipeline import documents_to_render

    profile, _ = load_profile(path)
    spec = documents_to_render(profile, document, with_letters=False)[0][1] if document is not None else None
    data = to_jsonresume(profile, spec, warn)
    problems = schema_problems(path, data)
    if problems:  # a bug in the mapping, not the user's fault
        raise RenderError("the exported JSON Resume does not validate:\n" + "\n".join(map(str, problems)))
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def to_jsonresume(profile: Profile, spec: DocumentSpec | None, warn: Warn) -> dict[str, Any]:
    """The profile as a JSON Resume 1.x object; with a document, only its sections, tags and publications."""
    from cvbuild.document.publications import PublicationView, select

    chosen = set(spec.sections) if spec is not None and spec.sections is not None else None
    tags = spec.tags if spec is not None else []
    pubs = profile.publication_entries()
    if spec is not None:
        view = PublicationView(since=spec.publications.since, selected_only=bool(spec.publications.selected_only))
        pubs = select(pubs, replace(view, tags=tuple(spec.publications.tags or ())), tags)

    def wanted(sid: str) -> bool:
        return chosen is None or sid in chosen

    def tagged(items: Sequence[Any]) -> list[Any]:
        return [i for i in items if not tags or not getattr(i, "tags", None) or set(tags) & set(i.tags)]

    out: dict[str, Any] = {"$schema": SCHEMA_URL, "basics": _export_basics(profile, wanted("summary"))}
    if wanted("experience"):
        out["work"] = [_export_work(e) for e in tagged(profile.experience)]
    if wanted("volunteer"):
        out["volunteer"] = [_export_volunteer(v) for v in tagged(profile.volunteer)]
    if wanted("service"):  # academic service is unpaid work for a community: JSON Resume's volunteer
        out.setdefault("volunteer", []).extend(
            _clean({"organization": s.organization or s.role, "position": s.role, "url": s.url, "summary": s.summary})
            | _clean(_range(s))
            for s in tagged(profile.service)
        )
    if wanted("education"):
        out["education"] = [_export_education(e) for e in tagged(profile.education)]
    if wanted("honors"):
        out["awards"] = [
            _clean({"title": h.title, "date": _d(h.date or h.start), "awarder": h.issuer, "summary": h.note})
            for h in tagged(profile.honors)
        ]
    if wanted("certificates"):
        out["certificates"] = [
            _clean({"name": c.name, "date": _d(c.date), "issuer": c.issuer, "url": c.url})
            for c in tagged(profile.certificates)
        ]
    if wanted("publications"):
        out["publications"] = [_export_publication(p) for p in pubs]
    if wanted("skills"):
        out["skills"] = [_clean({"name": s.category, "level": s.level, "keywords": s.items}) for s in profile.skills]
    if wanted("languages"):
        out["languages"] = [_clean({"language": lang.language, "fluency": lang.fluency}) for lang in profile.languages]
    if wanted("interests"):
        out["interests"] = [_clean({"name": i.name, "keywords": i.keywords}) for i in profile.interest_entries()]
    if wanted("references"):
        if profile.references == "on_request":
            out["references"] = [{"name": "References", "reference": "Available on request."}]
        else:
            out["references"] = [_clean({"name": r.name, "reference": r.text}) for r in tagged(profile.references)]
    if wanted("projects"):
        out["projects"] = [_export_project(p) for p in tagged(profile.projects)]
    if wanted("talks"):  # JSON Resume's project `type` names talks and presentations
        out.setdefault("projects", []).extend(_export_talk(t) for t in tagged(profile.talks))
    if wanted("teaching"):
        out.setdefault("projects", []).extend(_export_teaching(t) for t in tagged(profile.teaching))
    extra = []
    for section, sid in zip(profile.sections, _custom_ids(profile), strict=True):
        # JSON Resume allows keys of its own beside its sections; `import jsonresume` reads them back
        key = re.sub(r"\W+", "_", section.title.strip().lower()).strip("_") or "more"
        if not wanted(sid) or key in out or key in _RESERVED:
            continue
        out[key] = [_export_custom(e) for e in tagged(section.entries)]
        extra.append(key)
    if extra:
        warn(f"custom sections written as extra keys: {', '.join(extra)} (JSON Resume themes do not show them)")
    return {k: v for k, v in out.items() if v}


_RESERVED = ("$schema", "basics", "meta", *SECTION_MAPPERS)


def _export_custom(e: Any) -> dict[str, Any]:
    """A custom entry under the names `import jsonresume` reads for a section it does not know."""
    data = {"name": e.title or None, "organization": e.subtitle, **_range(e), "location": e.location}
    return _clean(data | {"summary": e.summary, "url": e.url, "highlights": _flat(e.highlights)})


def _custom_ids(profile: Profile) -> list[str]:
    from cvbuild.document.sections import custom_section_ids

    return custom_section_ids([(s.id, s.title) for s in profile.sections])


def _d(date: Any) -> str | None:
    return None if date is None or date.present else str(date)


def _range(item: Any) -> dict[str, str | None]:
    """date -> startDate = endDate; an open range (end: present) has no endDate."""
    if item.date is not None:
        return {"startDate": str(item.date), "endDate": str(item.date)}
    start, end = item.start, item.end
    if start is None:
        return {"endDate": _d(end)}
    if end is None:
        return {"startDate": str(start), "endDate": str(start)}
    return {"startDate": str(start), "endDate": _d(end)}


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if v not in (None, "", [], {})}


def _export_basics(p: Profile, with_summary: bool) -> dict[str, Any]:
    c = p.contact
    profiles = []
    for key, value in c.links.model_dump(exclude_none=True).items():
        network = NETWORK_NAMES.get(key, key)
        if "://" in value:
            profiles.append({"network": network, "url": value})
        else:
            from cvbuild.document.build import HANDLE_URLS

            handle = value.lstrip("@")
            profiles.append({"network": network, "username": handle, "url": HANDLE_URLS[key][1].format(handle)})
    profiles += [_clean({"network": x.network, "url": x.url, "username": x.username}) for x in c.profiles]
    return _clean(
        {
            "name": p.name,
            "label": p.headline,
            "image": p.photo,
            "email": c.email,
            "phone": c.phone,
            "url": c.website,
            "summary": p.summary if with_summary else None,
            "location": {"city": c.location} if c.location else None,
            "profiles": profiles,
        }
    )


def _export_work(e: Any) -> dict[str, Any]:
    name = f"{e.organization}, {e.team}" if e.team else e.organization
    highlights = _flat(e.highlights) + [f"{s.name}: {s.summary}" if s.summary else s.name for s in e.projects]
    return _clean(
        {"name": name, "position": e.role, "location": e.location, "url": e.url}
        | _range(e)
        | {"summary": e.summary, "highlights": highlights}
    )


def _export_volunteer(v: Any) -> dict[str, Any]:
    return _clean(
        {"organization": v.organization, "position": v.role, "url": v.url}
        | _range(v)
        | {"summary": v.summary, "highlights": _flat(v.highlights)}
    )


def _export_education(e: Any) -> dict[str, Any]:
    return _clean(
        {"institution": e.institution, "url": e.url, "area": e.field, "studyType": e.degree}
        | _range(e)
        | {"score": e.gpa, "courses": list(e.courses)}
    )


def _export_publication(p: Any) -> dict[str, Any]:
    sep = "; " if any(", " in a for a in p.authors) else ", "
    summary = AUTHORS_PREFIX + sep.join(p.authors)
    if p.note:
        summary += "\n" + p.note
    url = p.url or p.links.paper or p.links.pdf or (f"https://doi.org/{p.doi}" if p.doi else None)
    if url is None and p.arxiv:
        url = f"https://arxiv.org/abs/{p.arxiv}"
    return _clean(
        {
            "name": p.title,
            "publisher": p.venue or p.venue_full or p.publisher,
            "releaseDate": str(p.date),
            "url": url,
            "summary": summary,
        }
    )


def _export_talk(t: Any) -> dict[str, Any]:
    url = t.links.slides or t.links.video or t.links.event
    date = {"startDate": str(t.date), "endDate": str(t.date)} if t.date else {}
    kind = "invited talk" if t.invited else "talk"
    return _clean({"name": t.title, "description": t.summary, "entity": t.event, "type": kind, "url": url} | date)


def _export_teaching(t: Any) -> dict[str, Any]:
    entity = ", ".join(x for x in (t.institution, t.term) if x) or None
    roles = [t.role] if t.role else []
    return _clean(
        {"name": t.course, "description": t.summary, "roles": roles, "entity": entity, "type": "teaching", "url": t.url}
        | _range(t)
    )


def _export_project(p: Any) -> dict[str, Any]:
    return _clean(
        {
            "name": p.name,
            "description": p.summary,
            "highlights": _flat(p.highlights),
            "keywords": list(p.technologies),
            "url": p.url,
            "roles": [r.strip() for r in p.role.split(", ")] if p.role else [],
            "entity": p.organization,
            "type": p.type,
        }
        | _range(p)
    )


def _flat(bullets: Sequence[Any]) -> list[str]:
    """JSON Resume bullets are strings: a nested bullet becomes its text, then each sub-bullet."""
    out: list[str] = []
    for b in bullets:
        out.extend([b] if isinstance(b, str) else [b.text, *(f"– {h}" for h in b.highlights)])
    return out
