"""YAML 1.2 loading with ruamel.yaml, keeping line:column of every node for error messages."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

from cvbuild.errors import InputError, Problem

Loc = Sequence[str | int]


@dataclass(frozen=True)
class YamlSource:
    """Parsed YAML: `data` is plain Python; `tree`, the ruamel nodes that know their positions,
    is parsed from `text` only when an error has to be located (round-trip parsing is slow)."""

    path: Path
    data: Any
    text: str

    @cached_property
    def tree(self) -> Any:
        return parse_tree(self.text, self.path)

    def locate(self, loc: Loc, *, at_key: bool = False) -> tuple[int, int]:
        """1-based (line, column) of the node at `loc`, or of its nearest existing ancestor."""
        return locate(self.tree, loc, at_key=at_key)

    def problem(self, loc: Loc, message: str, *, at_key: bool = False, anchor: Loc | None = None) -> Problem:
        """A Problem about `loc`, pointing at `anchor` when given (a missing key: its mapping)."""
        line, col = self.locate(loc if anchor is None else anchor, at_key=at_key)
        return Problem(self.path, line, col, dotted(loc), message)


def dotted(loc: Loc) -> str:
    """`('experience', 0, 'end')` -> `experience[0].end`."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def locate(tree: Any, loc: Loc, *, at_key: bool = False) -> tuple[int, int]:
    node = tree
    line, col = _own_position(tree)
    for i, part in enumerate(loc):
        last = i == len(loc) - 1
        lc = getattr(node, "lc", None)
        if lc is None:
            break
        try:
            if isinstance(part, int) and isinstance(node, list) and 0 <= part < len(node):
                line, col = lc.item(part)
            elif isinstance(node, dict) and part in node:
                line, col = lc.key(part) if (at_key and last) else lc.value(part)
            else:
                break
        except (KeyError, IndexError, TypeError):
            break
        node = node[part]
    return line + 1, col + 1


def _own_position(node: Any) -> tuple[int, int]:
    lc = getattr(node, "lc", None)
    if lc is None or lc.line is None:
        return 0, 0
    return lc.line, lc.col


def plain(node: Any) -> Any:
    """ruamel's Commented*/Scalar* subclasses -> built-in types, so later stages never see them."""
    if isinstance(node, dict):
        return {str(k): plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [plain(v) for v in node]
    if isinstance(node, bool):
        return bool(node)
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    if isinstance(node, str):
        return str(node)
    if isinstance(node, _dt.datetime):
        return node.date().isoformat()
    if isinstance(node, _dt.date):
        return node.isoformat()
    return node


def parse_yaml(text: str, path: Path, *, pure: bool = False) -> YamlSource:
    """Parse YAML 1.2 text with the fast (C, if installed) safe loader; errors are located."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    if pure:
        return YamlSource(path=path, data=plain(parse_tree(text, path)), text=text)
    yaml = YAML(typ="safe")  # YAML 1.2 core schema: `no`, `on` and `NO` stay strings
    yaml.Constructor = _text_dates_constructor("safe")
    try:
        data = yaml.load(text)
    except YAMLError:
        # libyaml (the C loader) rejects some valid YAML 1.2, such as `{code: https://x}`; the pure
        # parser decides, and either loads the document or reports where the problem is.
        return YamlSource(path=path, data=plain(parse_tree(text, path)), text=text)
    return YamlSource(path=path, data=plain(data), text=text)


def parse_tree(text: str, path: Path) -> Any:
    """Round-trip parse keeping line:column of every node; syntax errors become one Problem."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    yaml = YAML(typ="rt")
    yaml.Constructor = _text_dates_constructor("rt")
    try:
        return yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if exc.context_mark is not None and "end of stream" in str(exc.problem or ""):
            mark = exc.context_mark  # an unclosed quote or bracket: point where it was opened
        line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        msg = " ".join(x for x in (exc.context, exc.problem) if x) or "invalid YAML"
        if "found duplicate key" in msg or "duplicate key" in str(exc):
            msg = _first_line(str(exc.problem or msg)) + " (each key may appear once; remove one)"
        raise InputError([Problem(path, line, col, "", f"YAML syntax error: {_first_line(msg)}")]) from None
    except YAMLError as exc:
        raise InputError([Problem(path, 0, 0, "", f"YAML error: {_first_line(str(exc))}")]) from None


@lru_cache(maxsize=2)
def _text_dates_constructor(kind: str) -> type:
    """Keep `2023-02-30` as text: the schema then reports it with its position, not ruamel's crash."""
    from ruamel.yaml.constructor import RoundTripConstructor, SafeConstructor

    base = RoundTripConstructor if kind == "rt" else SafeConstructor

    class TextDates(base):  # type: ignore[valid-type,misc]
        pass

    TextDates.add_constructor("tag:yaml.org,2002:timestamp", TextDates.construct_yaml_str)
    return TextDates


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else text


def read_text(path: Path, what: str = "file", kind: str = "YAML") -> str:
    """Read a UTF-8 file, turning every OS-level failure into a one-line InputError."""
    if not path.exists():
        raise InputError(f"{path}: {what} not found")
    if not path.is_file():
        raise InputError(f"{path}: not a file, expected a {what}")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read {what}: {exc.strerror}") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not a UTF-8 text file (byte {exc.start}); save it as UTF-8 {kind}") from None


def load_yaml(path: Path) -> YamlSource:
    """Read and parse a YAML file; empty and non-mapping documents are errors."""
    text = read_text(path, "profile")
    if "\x00" in text:
        raise InputError(f"{path}: binary file, expected a YAML profile")
    source = parse_yaml(text, path)
    if source.data is None:
        raise InputError(f"{path}: the profile is empty; start from `cvbuild new`")
    if not isinstance(source.data, dict):
        kind = type(source.data).__name__
        raise InputError(
            [Problem(path, 1, 1, "", f"expected a mapping of fields (name: ..., ...) at top level, found {kind}")]
        )
    return source
