"""YAML 1.2 loading: every valid document loads, with the same data through the C and the pure parser;
every YAML block shown to users in README.md and docs/ is a valid profile (or part of one)."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pytest
from conftest import ROOT, write
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from cvbuild.errors import InputError
from cvbuild.loading.profile import load_profile
from cvbuild.loading.yaml_source import parse_yaml

P = Path("corpus.yaml")

# YAML 1.2 constructs people write; libyaml (the C loader) rejects some of them.
CORPUS: dict[str, str] = {
    "flow_url": "links: {code: https://github.com/x/y}\n",
    "flow_url_port_query": "l: {a: http://h:8080/p?q=1:2, b: 'x: y'}\n",
    "flow_seq_colons": "t: [12:30, a:b, https://x.org/a:b]\n",
    "flow_nested": "d: {a: [1, {b: c}], e: {}}\n",
    "block_literal": "s: |\n  line one\n  line two\n\n  para\n",
    "block_folded": "s: >\n  folded\n  text\n\n  next\n",
    "block_keep_strip": "a: |+\n  x\n\nb: >-\n  y\n  z\n",
    "quoted_keys": "'a: b': 1\n\"c\\td\": 2\n'it''s': 3\n",
    "comments": "# head\na: 1 # trailing\n# between\nb: [1, # in flow\n  2]\n",
    "anchors": "base: &b {x: 1, y: [a, b]}\nuse: *b\nlist: [&s one, *s]\n",
    "merge_key": "base: &b {x: 1, y: 2}\nuse:\n  <<: *b\n  y: 3\n",
    "crlf": "a: 1\r\nb:\r\n  - x\r\n  - y\r\ns: |\r\n  l1\r\n  l2\r\n",
    "bom": "\ufeffname: Ada\n",
    "yaml12_scalars": "a: no\nb: on\nc: NO\nd: 0o17\ne: 012\nf: 1e3\ng: .inf\nh: ~\ni: true\nj: 0x1F\n",
    "dates_stay_text": "d: 2023-02-30\ne: 2024-05-01\n",
    "unicode": 'name: 艾达 Ünïcødé\nemoji: "\\U0001F600"\n',
    "document_marker": "---\na: 1\n...\n",
    "plain_multiline": "t: a long\n  title continued\n",
    "empty_values": "a:\nb: []\nc: {}\nd: ''\n",
    "tabs_quoted": 'a: "x\\ty"\nb: "\\t"\n',
    "key_colon_no_space": "a:b: c\n",
    "merge_list": "a: &a {x: 1, y: 2}\nb: &b {z: 1, x: 5}\nuse:\n  y: 3\n  <<: [*a, *b]\n",
    "yaml11_directive": "%YAML 1.1\n---\na: yes\nb: 0777\n",
    "scalar_keys": "2024: a\ntrue: b\n1.5: c\n",
    "anchor_on_key": "&k a: 1\nb: *k\n",
    "reused_anchor": "a: &x 1\nb: &x 2\nc: *x\n",
    "explicit_core_tags": "a: !!str 12\nb: !!int '7'\nc: !!float 1\nd: !!null ''\ne: !!bool true\nf: !!map {}\n",
    "nested_block": "a:\n  - b:\n      - [1, 2]\n      - {c: d}\n",
}


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_corpus_loads_the_same_through_both_parsers(name: str) -> None:
    text = CORPUS[name]
    fast = parse_yaml(text, P).data
    pure = parse_yaml(text, P, pure=True).data
    assert fast == pure
    assert list(_walk_keys(fast)) == list(_walk_keys(pure))  # key order is part of the data
    reference = _reference(text)
    assert fast == reference
    assert list(_walk_keys(fast)) == list(_walk_keys(reference))


def _reference(text: str) -> object:
    """ruamel's own pure YAML 1.2 loader, dates kept as text and keys as strings, like ours."""
    from ruamel.yaml import YAML
    from ruamel.yaml.constructor import SafeConstructor

    class TextDates(SafeConstructor):
        pass

    TextDates.add_constructor("tag:yaml.org,2002:timestamp", TextDates.construct_yaml_str)
    yaml = YAML(typ="safe", pure=True)
    yaml.Constructor = TextDates
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a reused anchor is valid YAML; ruamel warns about it
        return _str_keys(yaml.load(text))


def _str_keys(value: object) -> object:
    if isinstance(value, dict):
        return {str(k): _str_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_str_keys(v) for v in value]
    return value


def _walk_keys(value: object) -> object:
    if isinstance(value, dict):
        for k, v in value.items():
            yield k
            yield from _walk_keys(v)
    elif isinstance(value, list):
        for v in value:
            yield from _walk_keys(v)


def test_flow_mapping_with_url_from_the_issue() -> None:
    data = parse_yaml("name: X\npublications: [{id: a, links: {code: https://github.com/x/y}}]\n", P).data
    assert data["publications"][0]["links"] == {"code": "https://github.com/x/y"}


def test_crlf_and_bom_give_the_plain_data() -> None:
    assert parse_yaml(CORPUS["crlf"], P).data == {"a": 1, "b": ["x", "y"], "s": "l1\nl2\n"}
    assert parse_yaml(CORPUS["bom"], P).data == {"name": "Ada"}


# ---- YAML shown to users -------------------------------------------------------------------------

_BLOCK_RE = re.compile(r"^```ya?ml[^\n]*\n(.*?)^```", re.M | re.S)


def _doc_files() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("**/*.md"))]


def _blocks() -> list[tuple[str, int, str]]:
    out = []
    for path in _doc_files():
        text = path.read_text(encoding="utf-8")
        for m in _BLOCK_RE.finditer(text):
            line = text.count("\n", 0, m.start()) + 1
            out.append((str(path.relative_to(ROOT)), line, m[1]))
    return out


def test_readme_has_yaml_examples() -> None:
    assert len([b for b in _blocks() if b[0] == "README.md"]) >= 2


@pytest.mark.parametrize(("doc", "line", "block"), _blocks(), ids=lambda v: str(v)[:40])
def test_documented_yaml_is_a_valid_profile(doc: str, line: int, block: str, tmp_path: Path) -> None:
    """A snippet is merged into a minimal profile; its .bib includes get entries for the ids it extends."""
    data = parse_yaml(block, Path(doc)).data
    assert isinstance(data, dict), f"{doc}:{line}: not a mapping"
    text = block if "name" in data else "name: X\n" + block
    for rel in re.findall(r"bibtex:\s*([^\s}#]+)", block):
        ids = re.findall(r"id:\s*([A-Za-z0-9_:.\-+/]+)", block) or ["placeholder"]
        entries = "".join(f"@misc{{{k}, title={{T}}, author={{Ada}}, year=2024}}\n" for k in ids)
        write(tmp_path / rel, entries)
    profile = write(tmp_path / "profile.yaml", text)
    try:
        load_profile(profile)
    except InputError as exc:  # pragma: no cover - the message is the point
        pytest.fail(f"{doc}:{line}: the documented YAML is invalid:\n{exc}")


# ---- broken YAML: never a traceback, always located ---------------------------------------------

BASE = """name: Ada Example
headline: "PhD student: systems"
contact: {email: ada@example.org, links: {github: ada}}
summary: |
  Two lines
  of summary.
interests: [systems, 'machine learning']
experience:
  - organization: &org Lab
    role: Intern
    start: 2023-05
    end: present
    highlights:
      - Built **things**
publications:
  - title: A paper
    authors: [Ada Example, B. Builder]
    date: 2024
    links: {code: https://github.com/x/y}
honors:
  - {title: Prize, issuer: *org, date: 2022}
"""
_NASTY = ":-[]{}'\"#&*!|>%@`,?<= \n\t\\a0é\u202e\x00\x1b\u0301\ufeff"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    edits=st.lists(
        st.tuples(st.integers(0, len(BASE)), st.integers(0, 3), st.text(alphabet=_NASTY, max_size=4)),
        min_size=1,
        max_size=4,
    )
)
def test_broken_yaml_is_always_a_located_input_error(edits: list[tuple[int, int, str]], tmp_path: Path) -> None:
    text = BASE
    for at, cut, insert in edits:
        at = min(at, len(text))
        text = text[:at] + insert + text[at + cut :]
    path = tmp_path / "broken.yaml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        load_profile(path)
    except InputError as exc:
        assert exc.problems, str(exc)
        assert all(p.line >= 1 and p.column >= 1 for p in exc.problems), str(exc)
        shown = str(exc)
        assert not any(ch in shown for ch in "\x00\x1b\u202e"), shown


# ---- the C parser and the pure one agree: data, positions, errors --------------------------------


def _outcome(text: str, *, pure: bool) -> tuple[object, object, object]:
    """What a caller can observe of parse_yaml: the data with its key order, every position, or
    the problems of the InputError (file, line, column, message)."""
    try:
        source = parse_yaml(text, P, pure=pure)
    except InputError as exc:
        return None, None, [(p.file, p.line, p.column, p.path, p.message) for p in exc.problems]
    return (source.data, list(_walk_keys(source.data))), source.positions, None


def _dump(data: object, flow: bool | None, indent: int, width: int) -> str:
    from io import StringIO

    from ruamel.yaml import YAML

    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = flow
    yaml.indent(mapping=indent, sequence=indent + 2, offset=indent)
    yaml.width = width
    yaml.allow_unicode = True
    out = StringIO()
    yaml.dump(data, out)
    return out.getvalue()


_KEYS = st.text(alphabet="abcé: -#'\"1", min_size=1, max_size=6)
_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=False, width=32),
    st.text(alphabet="ab é艾: -#'\"\\\n\t,[]{}&*!|>%@`?~0o1x.", max_size=12),
    st.sampled_from(["yes", "no", "on", "off", "0o17", "012", "1:30", "2024-05", "2023-02-30", ".inf", "~"]),
)
_DATA = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_KEYS, inner, max_size=4),
    max_leaves=25,
)


@settings(max_examples=300, deadline=None)
@given(
    data=st.dictionaries(_KEYS, _DATA, min_size=1, max_size=5),
    flow=st.sampled_from([None, False, True]),
    indent=st.integers(2, 4),
    width=st.sampled_from([20, 80, 4096]),
)
def test_c_parser_gives_the_pure_parsers_data_and_positions(
    data: dict[str, object], flow: bool | None, indent: int, width: int
) -> None:
    text = _dump(data, flow, indent, width)
    assert _outcome(text, pure=False) == _outcome(text, pure=True), text


@settings(max_examples=300, deadline=None)
@given(
    edits=st.lists(
        st.tuples(st.integers(0, len(BASE)), st.integers(0, 3), st.text(alphabet=_NASTY, max_size=4)),
        min_size=1,
        max_size=4,
    )
)
@example(edits=[(412, 3, "\t")])  # a tab libyaml took as separation, an indentation error in YAML 1.2
@example(edits=[(426, 3, ""), (0, 0, "0\ufeff")])  # a byte-order mark inside a plain scalar
@example(edits=[(415, 0, "\n0")])  # an empty value: libyaml marked it after the colon, YAML 1.2 at the next key
@example(edits=[(0, 0, "[]*")])  # libyaml's events until it fails may be read apart: YAML 1.2 decides errors
@example(edits=[(BASE.index("https://github.com/x/y}"), 0, "=?")])  # `{code: =?https:...}`: `=` first, for libyaml
def test_c_parser_and_pure_parser_agree_on_edited_yaml(edits: list[tuple[int, int, str]]) -> None:
    """Valid or not: the same data and positions, or the same located problems (anchors, merges,
    duplicate keys, tags and limits are checked on the events of either parser)."""
    text = BASE
    for at, cut, insert in edits:
        at = min(at, len(text))
        text = text[:at] + insert + text[at + cut :]
    assert _outcome(text, pure=False) == _outcome(text, pure=True), text


# ---- `watch`: top-level blocks parsed one by one and kept (parse_by_blocks) ----------------------


def _outcome_kept(text: str, cache: dict[object, object]) -> tuple[object, object, object]:
    try:
        source = parse_yaml(text, P, cache=cache)
    except InputError as exc:
        return None, None, [(p.file, p.line, p.column, p.path, p.message) for p in exc.problems]
    return (source.data, list(_walk_keys(source.data))), source.positions, None


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_kept_blocks_give_the_whole_parse(name: str) -> None:
    cache: dict[object, object] = {}
    for _ in range(2):  # the second time from the kept blocks
        assert _outcome_kept(CORPUS[name], cache) == _outcome(CORPUS[name], pure=False)


def test_profiles_split_into_blocks_and_an_edit_is_picked_up() -> None:
    """The shipped profiles are read by blocks; an edited block, a block moved down by a new line,
    and a return to the earlier text each give what the whole parse gives."""
    from cvbuild.limits import DEFAULT_LIMITS
    from cvbuild.loading.yaml_source import parse_by_blocks

    for path in sorted((ROOT / "profiles").glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        cache: dict[object, object] = {}
        first = parse_by_blocks(text, P, DEFAULT_LIMITS, cache)
        assert first is not None, path
        edited = text.replace("\nname: ", "\nname: X ", 1)
        moved = text.replace("\nname: ", "\n# a new line\nname: ", 1) if "\nname: " in text else "# c\n" + text
        for version in (text, edited, moved, text):
            assert _outcome_kept(version, cache) == _outcome(version, pure=False), path
        assert parse_yaml(edited, P, cache=cache).data["name"].startswith("X ")


@pytest.mark.parametrize(
    "text",
    [
        "a: &x 1\nb: *x\n",  # an alias may reach across blocks
        "---\na: 1\n",
        "%YAML 1.1\n---\na: yes\n",
        "'a': 1\nb: 2\n",
        "a: [1,\n2]\nb: 3\n",  # a flow value continued at column 0
        "a: 1\na: 2\n",  # the whole parse names both lines
        "a: 1\rb: 2\n",
        "a: x\u2028b: 2\n",
        "- a\nb: 1\n",
        "  a: 1\n  b: 2\n",
        "a:\n\tb: 1\n",
    ],
)
def test_what_blocks_could_read_apart_is_read_whole(text: str) -> None:
    from cvbuild.limits import DEFAULT_LIMITS
    from cvbuild.loading.yaml_source import parse_by_blocks

    assert parse_by_blocks(text, P, DEFAULT_LIMITS, {}) is None
    assert _outcome_kept(text, {}) == _outcome(text, pure=False)


def test_kept_data_is_a_copy() -> None:
    cache: dict[object, object] = {}
    first = parse_yaml(BASE, P, cache=cache)
    first.data["experience"][0]["highlights"].append("changed by a build")
    assert parse_yaml(BASE, P, cache=cache).data == parse_yaml(BASE, P).data


PLAIN_BASE = BASE.replace("&org ", "").replace("*org", "Lab")  # no anchor: it splits into blocks


@settings(max_examples=300, deadline=None)
@given(
    edits=st.lists(
        st.tuples(st.integers(0, len(PLAIN_BASE)), st.integers(0, 3), st.text(alphabet=_NASTY, max_size=4)),
        min_size=1,
        max_size=4,
    )
)
@example(edits=[(PLAIN_BASE.index("interests"), 0, "a:\n")])  # a new top-level key: every later block moves down
@example(edits=[(PLAIN_BASE.index("headline"), 0, "&a ")])  # an anchor on a key
@example(edits=[(PLAIN_BASE.index("headline"), 0, "name: again\n")])  # a key written twice
@example(edits=[(0, 0, "#\x1b")])  # a control character in a comment before the first key
def test_kept_blocks_agree_with_the_whole_parse_on_edited_yaml(edits: list[tuple[int, int, str]]) -> None:
    """As `watch` reads successive saves: the base text, an edit of it, the base again. Valid or
    not, each gives the whole parse's data and positions or its located problems."""
    from cvbuild.limits import DEFAULT_LIMITS
    from cvbuild.loading.yaml_source import parse_by_blocks

    assert parse_by_blocks(PLAIN_BASE, P, DEFAULT_LIMITS, {}) is not None
    text = PLAIN_BASE
    for at, cut, insert in edits:
        at = min(at, len(text))
        text = text[:at] + insert + text[at + cut :]
    cache: dict[object, object] = {}
    for version in (PLAIN_BASE, text, PLAIN_BASE):
        assert _outcome_kept(version, cache) == _outcome(version, pure=False), version
