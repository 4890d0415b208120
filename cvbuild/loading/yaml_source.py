"""YAML 1.2 loading: plain Python data plus the line:column of every node, within explicit limits.

Parse events come from libyaml (C, fast) when it accepts the text, else from ruamel's pure parser,
which accepts all of YAML 1.2 (libyaml rejects `{code: https://x}`). One small builder turns either
event stream into data, so both paths give the same data. It builds without recursion, so nesting
cannot crash Python, and checks the limits as the events arrive: depth, node count and size with
every alias counted as a full copy (billion laughs), one value's length. Tags without a defined
order or meaning here (`!!set`, `!custom`) and keys that are lists or mappings are refused, located.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from cvbuild.errors import InputError, Problem
from cvbuild.limits import DEFAULT_LIMITS, Limits, exceeded

Loc = Sequence[str | int]
Position = tuple[int, int]  # 1-based line and column


@dataclass(slots=True)
class PosNode:
    """Where a mapping or list was written; `kids` holds, for a mapping, key -> (key position,
    value), for a list, one per item. A scalar or alias is just its Position: there are tens of
    thousands of them. Positions live beside the data so the data stays plain."""

    line: int
    column: int
    kids: dict[str, tuple[Position, Where]] | list[Where] | None = None


Where = PosNode | Position  # a mapping or list, or a scalar's (line, column)


@dataclass(frozen=True)
class YamlSource:
    """Parsed YAML: `data` is plain Python (dict, list, str, int, float, bool, None); `positions`
    says where each of its nodes was written."""

    path: Path
    data: Any
    text: str
    positions: PosNode | None = field(default=None, repr=False, compare=False)

    def locate(self, loc: Loc, *, at_key: bool = False) -> Position:
        """1-based (line, column) of the node at `loc`, or of its nearest existing ancestor."""
        return locate(self.positions, loc, at_key=at_key)

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


def locate(node: Where | None, loc: Loc, *, at_key: bool = False) -> Position:
    if node is None:
        return 0, 0
    for i, part in enumerate(loc):
        kids = node.kids if isinstance(node, PosNode) else None
        if isinstance(kids, list) and isinstance(part, int) and 0 <= part < len(kids):
            node = kids[part]
        elif isinstance(kids, dict) and isinstance(part, str) and part in kids:
            key_pos, node = kids[part]
            if at_key and i == len(loc) - 1:
                return key_pos
        else:
            break
    return (node.line, node.column) if isinstance(node, PosNode) else node


def parse_yaml(
    text: str,
    path: Path,
    *,
    limits: Limits = DEFAULT_LIMITS,
    pure: bool = False,
    cache: dict[Any, Any] | None = None,
    count_entries: bool = False,
) -> YamlSource:
    """Parse one YAML 1.2 document; every error and exceeded limit is an InputError with file:line:col.
    With a `cache` (`watch`), the top-level keys' blocks are parsed one by one and kept (see
    `parse_by_blocks`), so a save that changed one of them parses only that one again.
    `count_entries`: the text is a profile, whose entries and publications count towards the
    limits as they are read (`_Builder.count_entry`); a file read only for its positions (a JSON
    Resume or RenderCV file being imported) is not counted so."""
    from ruamel.yaml.error import YAMLError

    if len(text) > limits.file_bytes:
        raise InputError([Problem(path, 1, 1, "", exceeded("file_bytes", limits.file_bytes, "the file"))])
    if cache is not None and not pure:
        found = parse_by_blocks(text, path, limits, cache, count_entries)
        if found is not None:
            return found
    if not pure:
        fast = _Builder(path, limits, text, count_entries)
        try:
            fast.feed(_events(text, pure=False))
        except LimitError as exc:
            # What libyaml read up to the limit is at least that big: the pure parser, ~10 times
            # slower, would take a minute to reach 1,000,000 values again (it did: 77 s for a 6 MB
            # profile). It decides only where the text read so far is one where the two may part.
            if not _c_may_differ(text[: exc.read_to + 1], fast.names):
                raise
        except (YAMLError, InputError):
            # libyaml rejects some valid YAML 1.2, and reads some invalid YAML differently before it
            # fails (`{b: =?c}`: the scalar `=` first, a YAML 1.1 type): YAML 1.2 decides every error
            pass
        else:
            if not _c_may_differ(text, fast.names):
                return fast.source(text)
    pure_builder = _Builder(path, limits, text, count_entries)
    try:
        pure_builder.feed(_events(text, pure=True))
    except YAMLError as exc:
        raise InputError([syntax_problem(exc, path, text)]) from None
    return pure_builder.source(text)


# A top-level key that starts a block of its own: a plain name at column 0, then `:` and a space or
# the line's end. Other lines at column 0 may only be comments, blank lines or the items (`- `) of
# the block's list.
_TOP_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*:(?:[ \r\n]|$)")
# Line breaks other than \n and \r\n, which libyaml counts as lines (YAML 1.1) and YAML 1.2 does not:
# the block's first line would be counted differently.
_OTHER_BREAKS = re.compile("\r(?!\n)|[\x85\u2028\u2029]")
_BLOCKS = "yaml.blocks"  # cache slot: (limits, count_entries, first line, block text) -> _Block
MAX_KEPT_BLOCKS = 256  # a profile has a few dozen top-level keys; the slot is emptied when full


@dataclass(frozen=True)
class _Block:
    """One top-level key's block, parsed on its own: the key, its value, their positions and what
    the value counts towards the limits (nodes and characters, aliases expanded)."""

    key: str
    value: Any
    key_pos: Position
    value_pos: Where
    nodes: int
    chars: int


def parse_by_blocks(
    text: str, path: Path, limits: Limits, cache: dict[Any, Any], count_entries: bool = False
) -> YamlSource | None:
    """The document parsed one top-level key at a time, each block (the key's line to the next
    top-level key) kept under its exact text, the line it starts at and the limits; None when the
    text is not a plain block mapping that splits so, and `parse_yaml` then reads it whole.

    What the whole parse would give, built from the blocks: each block is parsed by itself behind
    as many line breaks as lines come before it (so every position is the same), and whatever
    could make the two differ takes the whole parse instead: anything at column 0 that is not a
    plain key, a comment, a blank line or a list item (`---`, `%YAML`, `? `, quoted or flow keys,
    a quoted or flow value continued at column 0), an anchor or alias (it could reach across
    blocks), a tab or an inner byte-order mark (the parsers differ on them), a block that does not
    parse on its own, a key written twice, or totals near a limit. Errors come from the whole
    parse too. The kept values are copied out, so nothing a build does to its data reaches them."""
    if "\t" in text or "\ufeff" in text[1:] or _OTHER_BREAKS.search(text):
        return None
    lines = [f"{line}\n" for line in text.split("\n")]
    lines[-1] = lines[-1][:-1]
    starts: list[int] = []
    for number, line in enumerate(lines):
        first = line[:1]
        if first in ("", " ", "\n", "\r", "#"):
            if not starts and line.strip() and not line.lstrip().startswith("#"):
                return None  # text before the first key: not a plain block mapping
            continue
        if _TOP_KEY.match(line):
            starts.append(number)
        elif not (starts and first == "-" and line[1:2] in ("", " ", "\n", "\r") and not line.startswith("---")):
            return None  # not a plain top-level key, or a list item before any key
    if not starts:
        return None
    kept: dict[tuple[Limits, bool, int, str], _Block | None] = cache.setdefault(_BLOCKS, {})
    blocks: list[_Block] = []
    # The first block starts at the first line: comments before the first key are read too (one
    # with a control character in it is an error of the whole parse; found by the property test).
    for start, end in zip([0, *starts[1:]], [*starts[1:], len(lines)], strict=True):
        key = (limits, count_entries, start, "".join(lines[start:end]))
        if key not in kept:
            if len(kept) >= MAX_KEPT_BLOCKS:
                kept.clear()
            kept[key] = _parse_block(key[3], start, path, limits, count_entries)
        block = kept[key]
        if block is None:
            return None
        blocks.append(block)
    data: dict[str, Any] = {}
    kids: dict[str, tuple[Position, Where]] = {}
    for block in blocks:
        if block.key in data:
            return None  # the whole parse names both places
        data[block.key] = _copied(block.value)
        kids[block.key] = (block.key_pos, block.value_pos)
    nodes = 1 + sum(b.nodes for b in blocks)  # the root mapping, then each key and value
    if nodes > limits.yaml_nodes or sum(b.chars for b in blocks) > limits.yaml_chars:
        return None
    first_line, first_column = blocks[0].key_pos  # where the root mapping starts: its first key
    return YamlSource(path=path, data=data, text=text, positions=PosNode(first_line, first_column, kids))


def _parse_block(block: str, start: int, path: Path, limits: Limits, count_entries: bool) -> _Block | None:
    """One block by itself, at its place in the file; None when it must be read with the rest."""
    from ruamel.yaml.error import YAMLError

    placed = "\n" * start + block
    for pure in (False, True):  # libyaml, else YAML 1.2's parser, as `parse_yaml` reads a document
        builder = _Builder(path, limits, count_entries=count_entries)
        try:
            builder.feed(_events(placed, pure=pure))
        except (YAMLError, InputError):
            if pure:
                return None
            continue
        if pure or not _c_may_differ(placed, builder.names):
            break
    root, where = builder.root, builder.root_pos
    if builder.names or not isinstance(root, dict) or len(root) != 1:
        return None
    assert where is not None and isinstance(where.kids, dict)
    ((key, value),) = root.items()
    key_pos, value_pos = where.kids[key]
    return _Block(key, value, key_pos, value_pos, builder.nodes - 1, builder.chars)


def _copied(value: Any) -> Any:
    """A copy of parsed data (mappings, lists and immutable scalars), a tenth of `copy.deepcopy`'s time."""
    kind = type(value)
    if kind is dict:
        return {k: _copied(v) for k, v in value.items()}
    if kind is list:
        return [_copied(v) for v in value]
    return value


# An anchor or alias name as libyaml reads it ([A-Za-z0-9_-]), right before a character that it
# ends a name at but YAML 1.2 (ruamel's pure parser) reads as part of the name: `*x:` is the alias
# `x:` in YAML 1.2, `x` for libyaml.
_NAME_THEN_MORE = re.compile(r"[&*]([A-Za-z0-9_-]+)[?:%@`]")


def _c_may_differ(text: str, names: set[str]) -> bool:
    """Text where libyaml and YAML 1.2 are known to part: anchor names (below) and tabs, which
    libyaml takes as separation in places YAML 1.2 does not (`lin\t {code: x}` in a block loads
    through libyaml, and is an indentation error in YAML 1.2; found by the property test). A
    profile with a tab is rare, so the pure parser reads it. So is one with a byte-order mark past
    its start, which the two read differently inside a plain scalar (`0\ufeffname: x`)."""
    return "\t" in text or "\ufeff" in text[1:] or _names_read_apart(text, names)


def _names_read_apart(text: str, names: set[str]) -> bool:
    """Might libyaml have read one of these anchor or alias names shorter than YAML 1.2 does?
    Then the pure parser decides. Found by the text, so it can only err towards the pure parser."""
    return bool(names) and any(m[1] in names for m in _NAME_THEN_MORE.finditer(text))


def _events(text: str, *, pure: bool) -> Iterator[Any]:
    # libyaml's parser as ruamel imports it: None when ruamel.yaml.clib is missing
    from ruamel.yaml.main import CParser  # type: ignore[attr-defined]

    if pure or CParser is None:
        from ruamel.yaml import YAML

        return YAML(typ="safe", pure=True).parse(text)  # type: ignore[no-any-return]
    # The parser itself, as `YAML(typ="safe").parse` drives it, without that generator's two calls
    # per event: `get_event` gives the same events, then None after the end of the stream.
    return iter(CParser(text).get_event, None)


def syntax_problem(exc: Exception, path: Path, text: str = "") -> Problem:
    """A parser error as one located Problem, with a hint; an unclosed bracket or quote names where
    it was opened, since the parser only notices at the end of the file."""
    from ruamel.yaml.error import MarkedYAMLError

    if not isinstance(exc, MarkedYAMLError):
        return Problem(path, 1, 1, "", f"YAML syntax error: {_first_line(str(exc))}")
    context, problem = exc.context or "", exc.problem or ""
    mark = exc.problem_mark or exc.context_mark
    opened = exc.context_mark
    if opened is not None and ("stream end" in problem or "end of stream" in problem):
        if any(kind in context for kind in ("flow sequence", "flow mapping", "quoted scalar")):
            what = _char_at(text, opened.line, opened.column) or "the bracket or quote"
            where = f"{opened.line + 1}:{opened.column + 1}"
            message = f"YAML syntax error: `{what}` opened at {where} is not closed"
            return Problem(path, opened.line + 1, opened.column + 1, "", message)
        mark = opened
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    message = " ".join(x for x in (context, problem) if x) or "invalid YAML"
    cause = _cause(exc, text) if text else None
    if cause is not None:
        return Problem(path, cause[0], cause[1], "", f"YAML syntax error: {cause[2]}")
    hint = next((h for key, h in _HINTS.items() if key in message), "")
    if opened is not None and ("flow sequence" in context or "flow mapping" in context):
        what = _char_at(text, opened.line, opened.column) or "bracket"
        hint = f"; is the `{what}` opened at {opened.line + 1}:{opened.column + 1} closed?"
    return Problem(path, line, col, "", f"YAML syntax error: {_first_line(message)}{hint}")


_HINTS = {
    "mapping values are not allowed": "; a value that contains `: ` needs quotes, or the indentation is off",
    "expected <block end>": "; the indentation does not match the lines above",
    "character '\\t' that cannot start any token": "; write spaces instead: YAML allows no tab there",
    "cannot start any token": '; quote the value ("...")',
    "could not find expected ':'": "; a key needs `: ` after it",
}

# What a value that starts with each indicator is to YAML, when it is not quoted.
_INDICATOR_MEANING = {
    "[": "is a list in YAML",
    "{": "is a mapping in YAML",
    "&": "names an anchor in YAML",
    "*": "is an alias in YAML",
    "!": "names a tag in YAML",
    "|": "starts a block of text on the lines below in YAML",
    ">": "starts a block of text on the lines below in YAML",
    "%": "is a directive in YAML",
    "@": "is reserved in YAML",
    "`": "is reserved in YAML",
    "?": "is a key in YAML",
    "-": "is a list item in YAML",
    ",": "is a separator in YAML",
}


def _cause(exc: Any, text: str) -> tuple[int, int, str] | None:
    """What a person most likely typed, for the errors people make most, as (line, column, message)
    with a fix that works when followed: an unquoted value that starts with a character YAML
    reserves (`[Tool](…) cut latency`, `@handle`, `**bold** text` is told by the alias), text after
    a closing quote (`'Master's'`), a quote left open until a later line's quote closes it, a key
    without the space after its colon (`headline:PhD student`), a line that belongs to no key.
    None when the error is none of these: the parser's own words then, with a general hint."""
    mark = exc.problem_mark
    if mark is None:
        return None
    tokens = _tokens_before(text, mark.index)
    runaway = _runaway_quote(tokens, mark.line)
    if runaway is not None:
        return runaway
    start = _value_start(tokens, text)
    if start is not None and start[0] == mark.line and start[1] <= mark.column:
        value = _rest_of_line(text, *start)
        first = value[:1]
        if first in ("'", '"'):
            return start[0] + 1, start[1] + 1, _after_quote(value)
        if first in _INDICATOR_MEANING:
            return start[0] + 1, start[1] + 1, starts_with_indicator(value)
        if "mapping values are not allowed" in (exc.problem or ""):  # `role: Lead: Platform`
            return start[0] + 1, start[1] + 1, f"a value that contains `: ` needs quotes: {quoted_yaml(value)}"
    opened = exc.context_mark
    if "could not find expected ':'" in (exc.problem or "") and opened is not None and opened.line < mark.line:
        line = _rest_of_line(text, opened.line, opened.column)
        glued = re.match(r"((?:-\s+)?[^\s:#'\"\[{][^:#]*?):(?=[^\s:])", line)
        if glued:
            fixed = f"{glued[1]}: {line[glued.end() :]}"
            return opened.line + 1, opened.column + 1, f"a key needs a space after its colon: `{fixed}`"
        return (
            opened.line + 1,
            opened.column + 1,
            "this line is no `key: value` and is not indented under a key; "
            "indent it to continue the text above, or write it as `key: value`",
        )
    return None


def starts_with_indicator(value: str) -> str:
    """Why an unquoted `value` is not text, and the quoted value that is."""
    first = value[:1]
    shown = "`` ` ``" if first == "`" else f"`{first}`"
    meaning = _INDICATOR_MEANING.get(first, "is not plain text in YAML")
    return f"a value that starts with {shown} {meaning}; if it is text, quote it whole: {quoted_yaml(value)}"


def _tokens_before(text: str, index: int) -> list[Any]:
    """The scanner's tokens that start before `index` (the error), as far as it gets."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    out: list[Any] = []
    try:
        for token in YAML(typ="safe", pure=True).scan(text):
            if token.start_mark.index >= index:
                break
            out.append(token)
    except YAMLError:
        pass
    return out


def _runaway_quote(tokens: list[Any], line: int) -> tuple[int, int, str] | None:
    """A quoted value that runs over lines up to the error's line: its quote was most likely left
    open, and a later value's quote closed it (then the next words fail to parse)."""
    from ruamel.yaml.tokens import ScalarToken

    for token in reversed(tokens):
        if isinstance(token, ScalarToken) and token.style in ("'", '"'):
            start, end = token.start_mark, token.end_mark
            if start.line < end.line == line:
                quote = token.style
                return (
                    start.line + 1,
                    start.column + 1,
                    f"the `{quote}` opened here is closed only at {end.line + 1}:{end.column}, "
                    f"so the lines between are its text; close it on line {start.line + 1}",
                )
            return None
    return None


def _value_start(tokens: list[Any], text: str) -> tuple[int, int] | None:
    """Where the last block value before the error begins (after `key: ` or `- `), as 0-based
    (line, column); None when that line has no value after it."""
    from ruamel.yaml import tokens as tk

    depth = 0
    after: Any = None
    for token in tokens:
        if isinstance(token, tk.FlowSequenceStartToken | tk.FlowMappingStartToken):
            depth += 1
        elif isinstance(token, tk.FlowSequenceEndToken | tk.FlowMappingEndToken):
            depth = max(0, depth - 1)
        elif depth == 0 and isinstance(token, tk.ValueToken | tk.BlockEntryToken):
            after = token.end_mark
    if after is None:
        return None
    rest = _rest_of_line(text, after.line, after.column)
    stripped = rest.lstrip(" ")
    if not stripped or stripped.startswith("#"):
        return None
    return after.line, after.column + len(rest) - len(stripped)


def _rest_of_line(text: str, line: int, column: int) -> str:
    """The line's text from `column`, without its line break or a trailing ` # comment`."""
    lines = text.split("\n")
    rest = lines[line][column:] if line < len(lines) else ""
    return re.sub(r"\s+#\s.*$", "", rest).rstrip()


def _after_quote(value: str) -> str:
    """Text follows a value's closing quote: an apostrophe that ended a '…' value, or a quote
    around only the first words."""
    quote = value[0]
    whole = value[1:-1] if len(value) > 1 and value[-1] == quote else value
    if quote == "'" and re.match(r"'[^']*'\w", value):
        return (
            "the apostrophe ends the '…' value; write it twice inside '…' "
            f"('{whole.replace(chr(39), chr(39) * 2)}'), or quote with \"…\": {quoted_yaml(whole)}"
        )
    return f"text follows the closing `{quote}`; quote the value whole: {quoted_yaml(whole)}"


def quoted_yaml(value: str) -> str:
    """`value` as one YAML quoted scalar that reads back as exactly `value`."""
    if '"' not in value and "\\" not in value:
        return f'"{value}"'
    return "'" + value.replace("'", "''") + "'"


def _char_at(text: str, line: int, column: int) -> str:
    lines = text.splitlines()
    return lines[line][column] if line < len(lines) and column < len(lines[line]) else ""


_STR = "tag:yaml.org,2002:str"
_SCALAR_TAGS = {
    _STR,
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",  # kept as text: the schema checks dates, with positions
}
_MAP_TAGS = {None, "!", "tag:yaml.org,2002:map"}
_SEQ_TAGS = {None, "!", "tag:yaml.org,2002:seq"}
_TEXT_TAGS = (_STR, "tag:yaml.org,2002:timestamp")  # kept as written
_MERGE = "tag:yaml.org,2002:merge"
_UNORDERED = {"tag:yaml.org,2002:set": "a set has no order, so outputs would differ from run to run; use a list"}


class LimitError(InputError):
    """A limit exceeded while building; `read_to` is how far into the text the parser had read
    (libyaml's index: characters or bytes, never fewer than the characters read)."""

    def __init__(self, problems: list[Problem], read_to: int) -> None:
        super().__init__(problems)
        self.read_to = read_to


PUBLICATIONS_TOO_MANY = "the number of publications (the profile's and its .bib files' together)"
ENTRIES_TOO_MANY = "the number of entries (of every list in the profile together)"


@dataclass(slots=True)
class _Open:
    """A mapping or list being built."""

    value: dict[str, Any] | list[Any]
    pos: PosNode
    anchor: str | None
    nodes_at_start: int
    chars_at_start: int
    key: str | None = None  # a mapping's key waiting for its value
    key_pos: Position = (0, 0)
    merge_next: bool = False  # the waiting key is `<<`
    merges: list[tuple[Any, Position]] = field(default_factory=list)
    counts: str | None = None  # a list whose items are entries: "entries", or "publications"


@dataclass(frozen=True)
class _Anchored:
    value: Any
    nodes: int
    chars: int
    scalar: bool


class _Builder:
    """Plain data and positions from parse events, checking the limits as it goes."""

    def __init__(self, path: Path, limits: Limits, text: str = "", count_entries: bool = False) -> None:
        self.path = path
        self.limits = limits
        self.text = text  # for hints that quote what was written; "" gives none
        self.count_entries = count_entries  # a profile's lists of entries are counted (`count_entry`)
        self.resolver: Any = None
        self.constructor: Any = None
        self.implicit: dict[str | None, list[tuple[Any, Any]]] = {}
        self.resolved: dict[str, str] = {}  # plain scalar -> its tag, for this document's YAML version
        self.stack: list[_Open] = []
        self.anchors: dict[str, _Anchored] = {}
        self.open_anchors: set[str] = set()
        self.names: set[str] = set()  # every anchor and alias name met, as the parser read it
        self.nodes = 0
        self.chars = 0
        self.entries = 0  # items of a profile's lists of entries, counted as they end
        self.publications = 0
        self.documents = 0
        self.root: Any = None
        self.root_pos: PosNode | None = None

    def source(self, text: str) -> YamlSource:
        return YamlSource(path=self.path, data=self.root, text=text, positions=self.root_pos)

    def fail(self, event: Any, message: str) -> InputError:
        mark = event.start_mark
        return InputError([Problem(self.path, mark.line + 1, mark.column + 1, "", message)])

    def over(self, event: Any, message: str, where: Where | None = None, loc: Loc = ()) -> LimitError:
        """A limit exceeded at `event` (or at the node `where`, named by `loc`)."""
        if where is None:
            line, column = event.start_mark.line + 1, event.start_mark.column + 1
        else:
            line, column = (where.line, where.column) if isinstance(where, PosNode) else where
        return LimitError([Problem(self.path, line, column, dotted(loc), message)], event.end_mark.index)

    def count(self, event: Any, nodes: int, chars: int) -> None:
        self.nodes += nodes
        self.chars += chars
        lim = self.limits
        if self.nodes > lim.yaml_nodes:
            raise self.over(
                event, exceeded("yaml_nodes", lim.yaml_nodes, "the number of YAML values (aliases expanded)")
            )
        if self.chars > lim.yaml_chars:
            raise self.over(event, exceeded("yaml_chars", lim.yaml_chars, "the size of the YAML (aliases expanded)"))

    def count_entry(self, event: Any, top: _Open, value: Any, pos: Where) -> None:
        """One more item of a list of entries, refused at the first one past `publications` or
        `entries`, as the events arrive: 100,000 publications took 9 s to parse before the count
        after loading (`profile.check_entry_counts`, which still counts .bib entries) refused them.
        An include (`- bibtex: refs.bib`) is no entry; an override of a .bib entry is counted,
        which it can afford: each replaces one entry of its .bib."""
        lim = self.limits
        index = len(top.value) - 1
        if top.counts == "publications":
            if isinstance(value, dict) and len(value) == 1 and isinstance(value.get("bibtex"), str):
                return
            self.publications += 1
            if self.publications > lim.publications:
                message = exceeded("publications", lim.publications, PUBLICATIONS_TOO_MANY)
                raise self.over(event, message, pos, ("publications", index))
        self.entries += 1
        if self.entries > lim.entries:
            stack = self.stack
            loc: Loc = (
                (stack[0].key or "", index) if len(stack) == 2 else ("sections", len(stack[1].value), "entries", index)
            )
            raise self.over(event, exceeded("entries", lim.entries, ENTRIES_TOO_MANY), pos, loc)

    def counted_list(self) -> str | None:
        """What the items of a list starting here count towards: a top-level list's items are
        entries (a publication is one of both), and so are a custom section's `entries`; a custom
        section is none (as `profile.check_entry_counts` counts: its 20,000 entries were refused)."""
        stack = self.stack
        if len(stack) == 1:
            root = stack[0]
            if not isinstance(root.value, dict) or root.merge_next or root.key == "sections":
                return None
            return "publications" if root.key == "publications" else "entries"
        if len(stack) == 3 and stack[0].key == "sections" and isinstance(stack[1].value, list):
            section = stack[2]
            return "entries" if isinstance(section.value, dict) and section.key == "entries" else None
        return None

    def feed(self, events: Iterable[Any]) -> None:
        handlers = self.handlers()
        for event in events:
            handler = handlers.get(type(event))  # stream starts and ends, document ends: nothing to do
            if handler is not None:
                handler(event)

    def handlers(self) -> dict[type, Callable[[Any], None]]:
        """What each kind of event does. Both parsers make ruamel's own event classes, so the
        exact type picks the method: one lookup per event instead of a chain of isinstance."""
        from ruamel.yaml import events as ev

        return {
            ev.ScalarEvent: self.scalar,
            ev.MappingStartEvent: lambda event: self.start(event, {}, _MAP_TAGS, "mapping"),
            ev.SequenceStartEvent: lambda event: self.start(event, [], _SEQ_TAGS, "list"),
            ev.MappingEndEvent: self.end,
            ev.SequenceEndEvent: self.end,
            ev.AliasEvent: self.alias,
            ev.DocumentStartEvent: self.document,
        }

    def document(self, event: Any) -> None:
        from ruamel.yaml.resolver import VersionedResolver

        self.documents += 1
        if self.documents > 1:
            raise self.fail(event, "a profile is one YAML document; remove the second `---` and what follows it")
        from ruamel.yaml.constructor import SafeConstructor

        # `%YAML 1.1` switches to 1.1 scalars (yes/no booleans), as ruamel's pure loader does
        self.resolver = VersionedResolver(version=getattr(event, "version", None) or (1, 2))
        self.constructor = SafeConstructor(loader=SimpleNamespace(_resolver=self.resolver))
        self.implicit = self.resolver.versioned_resolver
        self.resolved = {}

    def start(self, event: Any, value: dict[str, Any] | list[Any], tags: set[str | None], kind: str) -> None:
        self.check_key_position(event, kind)
        self.check_tag(event, tags, kind)
        if len(self.stack) >= self.limits.yaml_depth:
            raise self.over(event, exceeded("yaml_depth", self.limits.yaml_depth, "the nesting of the YAML"))
        self.count(event, 1, 0)
        mark = event.start_mark
        pos = PosNode(mark.line + 1, mark.column + 1, {} if isinstance(value, dict) else [])
        if event.anchor is not None:
            self.names.add(event.anchor)
            self.open_anchors.add(event.anchor)
        counted = self.count_entries and isinstance(value, list) and len(self.stack) in (1, 3)
        counts = self.counted_list() if counted else None
        self.stack.append(_Open(value, pos, event.anchor, self.nodes - 1, self.chars, counts=counts))

    def end(self, event: Any) -> None:
        done = self.stack.pop()
        value = done.value
        if done.merges and isinstance(value, dict):
            value = self.merged(done, value)
        if done.anchor is not None:
            self.open_anchors.discard(done.anchor)
            self.anchors[done.anchor] = _Anchored(
                value, self.nodes - done.nodes_at_start, self.chars - done.chars_at_start, False
            )
        self.add(event, value, done.pos)

    def merged(self, done: _Open, explicit: dict[str, Any]) -> dict[str, Any]:
        """`<<: *base` (YAML merge key), as ruamel's loaders do it: explicit keys win, then earlier sources."""
        out: dict[str, Any] = {}
        kids = done.pos.kids
        assert isinstance(kids, dict)
        for source, where in done.merges:
            for key, value in source.items():
                out[key] = value
                kids.setdefault(key, (where, where))
        out.update(explicit)
        return out

    def check_key_position(self, event: Any, kind: str) -> None:
        top = self.stack[-1] if self.stack else None
        if top is not None and isinstance(top.value, dict) and top.key is None and not top.merge_next:
            raise self.fail(event, f"a {kind} cannot be a key; keys are plain text")

    def check_tag(self, event: Any, allowed: set[str | None], kind: str) -> None:
        tag = event.tag
        if tag in allowed:
            return
        raise self.fail(event, _tag_message(tag, kind))

    def scalar(self, event: Any) -> None:
        text: str = event.value
        size = len(text)
        limits = self.limits
        if size > limits.field_chars:
            raise self.over(event, exceeded("field_chars", limits.field_chars, f"a value of {size:,} characters"))
        self.nodes += 1  # self.count(event, 1, size), inline: this runs for every value
        self.chars += size
        if self.nodes > limits.yaml_nodes or self.chars > limits.yaml_chars:
            self.count(event, 0, 0)
        tag = event.tag
        if tag is None or tag == "!":
            tag = self.resolve(text) if event.implicit[0] else _STR
        mark = event.start_mark
        pos = (mark.line + 1, mark.column + 1)
        if not text and not event.style and event.anchor is None and event.tag is None:
            pos = self.empty_value_position(pos)
        if tag == _MERGE and self.merge_key(event, text, pos):
            return
        value = text if tag in _TEXT_TAGS else self.construct(event, tag, text)
        if event.anchor is not None:
            self.names.add(event.anchor)
            self.anchors[event.anchor] = _Anchored(value, 1, size, True)
        self.add(event, value, pos)

    def empty_value_position(self, pos: Position) -> Position:
        """A key with no value (`a:`) has its value placed at the key: libyaml marks the empty value
        right after the colon, YAML 1.2's parser at the next token, often on a later line (found by
        the property test). The key is the same for both, and where the user adds the value."""
        top = self.stack[-1] if self.stack else None
        if top is not None and isinstance(top.value, dict) and top.key is not None:
            return top.key_pos
        return pos

    def merge_key(self, event: Any, text: str, pos: Position) -> bool:
        """`<<` in a key's place: the next value is merged into this mapping."""
        top = self.stack[-1] if self.stack else None
        if top is None or not isinstance(top.value, dict) or top.key is not None:
            return False
        if event.anchor is not None:
            self.names.add(event.anchor)
            self.anchors[event.anchor] = _Anchored(text, 1, len(text), True)
        top.merge_next = True
        top.key = "<<"
        top.key_pos = pos
        return True

    def resolve(self, text: str) -> str:
        """The tag of a plain scalar: ruamel's own table for the document's YAML version, looked up
        as ruamel's resolver does, without its per-call version lookup (a third of the load time).
        Answers are kept per document: names, venues and types repeat."""
        tag = self.resolved.get(text)
        if tag is None:
            table = self.implicit
            found = (str(t) for t, regexp in [*table.get(text[:1], ()), *table.get(None, ())] if regexp.match(text))
            tag = self.resolved[text] = next(found, _STR)
        return tag

    def construct(self, event: Any, tag: str, text: str) -> Any:
        if tag not in _SCALAR_TAGS:
            mark = event.start_mark
            written = _rest_of_line(self.text, mark.line, mark.column) if self.text else ""
            if written.startswith("!") and not written.startswith("!!"):  # `headline: !Important`
                raise self.fail(event, starts_with_indicator(written))
            raise self.fail(event, _tag_message(tag, "value"))
        if tag in (_STR, "tag:yaml.org,2002:timestamp"):
            return text
        from ruamel.yaml.nodes import ScalarNode  # here, after the text fast path: most scalars are text

        node = ScalarNode(tag, text, event.start_mark, event.end_mark, event.style)
        try:
            return self.constructor.yaml_constructors[tag](self.constructor, node)
        except ValueError as exc:  # e.g. a number of more than 4,300 digits
            reason = "too many digits" if "digits" in str(exc) else "not a valid number"
            raise self.fail(
                event, f"{text[:20]!r}{'…' if len(text) > 20 else ''}: {reason}; quote it if it is text"
            ) from None
        except Exception:  # ruamel's constructors raise their own errors for explicit tags
            raise self.fail(event, f"{text[:40]!r} is not a valid {tag.rsplit(':', 1)[-1]}") from None

    def alias(self, event: Any) -> None:
        name = event.anchor
        self.names.add(name)
        if name in self.open_anchors:
            raise self.fail(
                event, f"the alias *{name} is inside the node &{name} it names, which makes an endless structure"
            )
        target = self.anchors.get(name)
        if target is None:
            raise self.fail(event, self.unknown_alias(event, name))
        top = self.stack[-1] if self.stack else None
        if top is not None and isinstance(top.value, dict) and top.key is None and not target.scalar:
            raise self.fail(event, "a list or mapping cannot be a key; keys are plain text")
        self.count(event, target.nodes, target.chars)
        mark = event.start_mark
        self.add(event, target.value, (mark.line + 1, mark.column + 1))

    def unknown_alias(self, event: Any, name: str) -> str:
        """An alias with no anchor is most often Markdown: `- **Led** the team`, `- *Nature* paper`."""
        mark = event.start_mark
        written = _rest_of_line(self.text, mark.line, mark.column) if self.text else ""
        if "*" in name or len(written) > len(name) + 1:
            return starts_with_indicator(written)
        return f"the alias *{name} names no anchor; define &{name} before using it"

    def add(self, event: Any, value: Any, pos: Where) -> None:
        if not self.stack:
            self.root = value
            self.root_pos = pos if isinstance(pos, PosNode) else PosNode(*pos)
            return
        top = self.stack[-1]
        into, kids = top.value, top.pos.kids
        if isinstance(into, list):
            into.append(value)
            assert isinstance(kids, list)
            kids.append(pos)
            if top.counts is not None:
                self.count_entry(event, top, value, pos)
            return
        assert isinstance(kids, dict)
        key = top.key
        if key is None:
            key = str(value)  # `2024:` or `true:` as a key is the text the user wrote
            if key in into:
                first = kids[key][0]
                raise self.fail(
                    event,
                    f"duplicate key {key!r} (first at {first[0]}:{first[1]}); each key may appear once, remove one",
                )
            top.key, top.key_pos = key, (pos.line, pos.column) if isinstance(pos, PosNode) else pos
        elif top.merge_next:
            top.merge_next, top.key = False, None
            self.add_merge(event, top, value)
        else:
            into[key] = value
            kids[key] = (top.key_pos, pos)
            top.key = None

    def add_merge(self, event: Any, top: _Open, value: Any) -> None:
        sources = [value] if isinstance(value, dict) else list(reversed(value)) if isinstance(value, list) else None
        if sources is None or not all(isinstance(s, dict) for s in sources):
            raise self.fail(event, "`<<` merges a mapping or a list of mappings into this one")
        top.merges += [(s, top.key_pos) for s in sources]


def _tag_message(tag: str | None, kind: str) -> str:
    if tag in _UNORDERED:
        return f"the YAML type !!{str(tag).rsplit(':', 1)[-1]} is not supported: {_UNORDERED[tag]}"
    short = f"!!{str(tag).rsplit(':', 1)[-1]}" if str(tag).startswith("tag:yaml.org,2002:") else str(tag)
    return f"the YAML tag {short} is not supported here; remove it (a {kind} needs no tag)"


def _line_col(text: str, index: int) -> Position:
    return text.count("\n", 0, index) + 1, index - (text.rfind("\n", 0, index) + 1) + 1


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else text


def read_text(path: Path, what: str = "file", kind: str = "YAML", *, limits: Limits = DEFAULT_LIMITS) -> str:
    """Read a UTF-8 file of at most `limits.file_bytes`, turning every OS-level failure into an InputError."""
    if not path.exists():
        raise InputError(f"{path}: {what} not found")
    if not path.is_file():
        raise InputError(f"{path}: not a file, expected a {what}")
    try:
        with path.open("rb") as fh:
            raw = fh.read(limits.file_bytes + 1)
    except OSError as exc:
        raise InputError(f"{path}: cannot read {what}: {exc.strerror}") from None
    if len(raw) > limits.file_bytes:
        raise InputError([Problem(path, 1, 1, "", exceeded("file_bytes", limits.file_bytes, f"the {what}"))])
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1  # in bytes: the text cannot be decoded
        message = f"not UTF-8 text (byte 0x{raw[exc.start]:02x}); save the file as UTF-8 {kind}"
        raise InputError([Problem(path, line, col, "", message)]) from None


def load_yaml(
    path: Path,
    *,
    limits: Limits = DEFAULT_LIMITS,
    cache: dict[Any, Any] | None = None,
    count_entries: bool = False,
) -> YamlSource:
    """Read and parse a YAML file; empty and non-mapping documents are errors. `cache` and
    `count_entries`: see `parse_yaml`."""
    text = read_text(path, "profile", limits=limits)
    if "\x00" in text:
        line, col = _line_col(text, text.index("\x00"))
        raise InputError([Problem(path, line, col, "", "a NUL byte: this is a binary file, not a YAML profile")])
    source = parse_yaml(text, path, limits=limits, cache=cache, count_entries=count_entries)
    if source.data is None:
        raise InputError([Problem(path, 1, 1, "", "the profile is empty; start from `cvbuild new`")])
    if not isinstance(source.data, dict):
        kind = type(source.data).__name__
        raise InputError(
            [Problem(path, 1, 1, "", f"expected a mapping of fields (name: ..., ...) at top level, found {kind}")]
        )
    return source
