"""Hypothesis over the whole pipeline (issue 10): valid profiles whose every field kind holds
hostile strings render in every target with the strings verbatim, and random edits of a valid
profile end in a render or in exit 2 at file:line:col, never a traceback.

Strings are made of atoms that are code in some target (`#`, `$`, `<script>`, `@`, `\\`, `{{`),
emoji, Chinese, a right-to-left word and combining marks, joined by spaces so that no pair of
them forms intended Markdown (`*a*`). Examples are few and kept small (profile `safety` below)
so that the suite stays fast; CI runs them with the same fixed seed as a developer does.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from typing import Any

import pytest
from conftest import EPOCH, pdf_text, straight, write
from conftest import squash as norm
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from cvbuild.pipeline import RenderRequest, render

settings.register_profile(
    "safety",
    max_examples=8,
    deadline=None,
    derandomize=True,  # the same examples on every run: a failure here is never a flaky one
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
SAFETY = settings.get_profile("safety")

ATOMS = [
    "#",
    "#import",
    '#read("/etc/passwd")',
    "$x^2$",
    "$",
    "*",
    "_",
    "<script>alert(1)</script>",
    "<b>",
    "&amp;",
    "@ref",
    "@",
    "\\",
    "\\n",
    "{{ x }}",
    "{%",
    "//",
    "]",
    "%",
    "😀",
    "中文",
    "履歴書",
    "naïve",
    "e\u0301",  # a combining acute accent
    "Zoë",
]
RTL = ["עברית", "مرحبا"]  # one per string: two RTL words in a row come back from a PDF reversed
WORDS = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCXYZ0123456789.,:;!?()'\"-", min_size=1, max_size=8)
_ATOM = st.one_of(st.sampled_from(ATOMS), WORDS)


@st.composite
def hostile(draw: st.DrawFn, tag: str, size: int = 5) -> str:
    """A single-line string of hostile atoms after a tag that names its field (so that a field
    missing from an output cannot hide behind another's equal text); at most one RTL word."""
    parts = [tag, *draw(st.lists(_ATOM, min_size=1, max_size=size))]
    if draw(st.booleans()):
        # between Latin letters: a PDF stores text in visual order, where neutrals (`?):`) beside
        # a right-to-left word would move to its other side
        parts.insert(draw(st.integers(1, len(parts))), f"q {draw(st.sampled_from(RTL))} q")
    return " ".join(parts)


@st.composite
def profiles(draw: st.DrawFn) -> dict[str, Any]:
    """A valid profile with a hostile string in every kind of text field."""
    tags = iter(f"F{a}{b}" for a in "abcdefghij" for b in "klmnopqrst")  # no atom holds an F

    def s(size: int = 5) -> str:
        return draw(hostile(next(tags), size))

    return {
        "name": "Ada " + draw(st.sampled_from(["Example", "Zoë", "中文", "O'Brien", "<b>Ex</b>", "#Ex"])),
        "headline": s(),
        "contact": {"location": s(3)},
        "summary": s(),
        "experience": [
            {
                "organization": s(3),
                "role": s(3),
                "location": s(2),
                "start": "2020-01",
                "end": "present",
                "highlights": [s(), s()],
            }
        ],
        "education": [{"institution": s(3), "degree": s(2), "start": 2015, "end": 2019}],
        "publications": [{"title": s(), "authors": ["Ada Example"], "venue": s(3), "date": 2024}],
        "skills": [{"category": s(2), "items": [s(2), s(2)]}],
        "honors": [{"title": s(3), "issuer": s(2), "date": 2022}],
        "projects": [{"name": s(2), "summary": s()}],
        "talks": [{"title": s(3), "event": s(2), "date": 2023}],
    }


def strings(profile: dict[str, Any]) -> list[str]:
    """Every string the profile holds but dates and the fixed author."""
    found: list[str] = []
    for value in profile.values() if isinstance(profile, dict) else profile:
        if isinstance(value, str):
            found.append(value)
        elif isinstance(value, dict | list):
            found += strings(value)  # type: ignore[arg-type]
    return [v for v in found if v not in ("present", "2020-01")]


class _Visible(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._skip += tag in ("script", "style", "head")

    def handle_endtag(self, tag: str) -> None:
        self._skip -= tag in ("script", "style", "head")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def visible(html: str) -> str:
    parser = _Visible()
    parser.feed(html)
    return " ".join(parser.parts)


def md_visible(md: str) -> str:
    """What a Markdown reader shows: CommonMark to HTML, then the text."""
    from markdown_it import MarkdownIt

    return visible(MarkdownIt("commonmark").render(md))


def _check_all_present(profile: dict[str, Any], texts: dict[str, str]) -> None:
    for fmt, text in texts.items():
        folded = norm(text).casefold()  # the txt theme sets the name in capitals
        for value in strings(profile):
            assert norm(value).casefold() in folded, f"{value!r} is not verbatim in the {fmt}"


@SAFETY
@given(profile=profiles())
@example(profile={"name": "Ada Example", "headline": "X #import $x^2$ <script>alert(1)</script> @ref \\ 😀 中文 עברית"})
def test_hostile_strings_come_out_verbatim_in_every_target(profile: dict[str, Any], tmp_path_factory: Any) -> None:
    tmp = tmp_path_factory.mktemp("hyp")
    path = write(tmp / "p.yaml", json.dumps(profile, ensure_ascii=False))  # JSON is YAML 1.2
    out = tmp / "out"
    written = render(RenderRequest(profile=path, formats=["pdf", "html", "txt", "md", "png"], output=out))
    by_suffix = {p.suffix: p for p in written}
    assert by_suffix[".png"].read_bytes().startswith(b"\x89PNG")
    texts = {
        "txt": by_suffix[".txt"].read_text(encoding="utf-8"),
        "md": md_visible(by_suffix[".md"].read_text(encoding="utf-8")),
        "html": straight(visible(by_suffix[".html"].read_text(encoding="utf-8"))),
        "pdf": pdf_text(by_suffix[".pdf"]),
    }
    assert "root:x:0:0" not in "".join(texts.values())  # #read("/etc/passwd") stayed text
    _check_all_present(profile, texts)


@settings(SAFETY, max_examples=3)
@given(profile=profiles())
def test_hostile_strings_come_out_verbatim_from_weasyprint(profile: dict[str, Any], tmp_path_factory: Any) -> None:
    tmp = tmp_path_factory.mktemp("hypw")
    path = write(tmp / "p.yaml", json.dumps(profile, ensure_ascii=False))
    (pdf,) = render(RenderRequest(profile=path, formats=["pdf"], engine="weasyprint", output=tmp / "out"))
    _check_all_present(profile, {"pdf (WeasyPrint)": pdf_text(pdf)})


# ---- broken YAML: a render or exit 2 at file:line:col, through the real CLI ----------------------

VALID = """\
name: Ada Example
headline: Research engineer
contact:
  email: ada@example.org
  links: {github: ada-example}
summary: >-
  Builds **careful** systems.
experience:
  - organization: &org Lab
    role: Intern
    start: 2023-05
    end: present
    highlights:
      - Built things
publications:
  - title: A paper
    authors: [Ada Example, B. Builder]
    date: 2024
honors:
  - {title: Prize, issuer: *org, date: 2022}
"""
_NASTY = ":-[]{}'\"#&*!|>%@`,?<= \n\t\\a0é\u202e\x00\x1b\u0301\ufeff"
_LINE_EDITS = ["drop", "duplicate", "indent", "dedent", "swap"]


def _mutate(text: str, edits: list[tuple[str, int, int, str]]) -> str:
    for kind, at, cut, insert in edits:
        lines = text.split("\n")
        i = at % len(lines)
        if kind == "drop":
            del lines[i]
        elif kind == "duplicate":
            lines.insert(i, lines[i])
        elif kind == "indent":
            lines[i] = " " * (cut + 1) + lines[i]
        elif kind == "dedent":
            lines[i] = lines[i][cut + 1 :]
        elif kind == "swap" and i + 1 < len(lines):
            lines[i], lines[i + 1] = lines[i + 1], lines[i]
        else:  # characters: cut some, insert nasty ones
            joined = "\n".join(lines)
            at %= len(joined) + 1
            return _mutate(joined[:at] + insert + joined[at + cut :], [])
        text = "\n".join(lines)
    return text


_EDIT = st.tuples(
    st.sampled_from([*_LINE_EDITS, "chars"]), st.integers(0, 10_000), st.integers(0, 3), st.text(_NASTY, max_size=4)
)


@settings(SAFETY, max_examples=40)
@given(edits=st.lists(_EDIT, min_size=1, max_size=3))
@example(edits=[("chars", 0, 0, "\x00")])
@example(edits=[("indent", 8, 0, "")])
def test_broken_yaml_renders_or_is_exit_2_located(
    edits: list[tuple[str, int, int, str]], tmp_path_factory: Any
) -> None:
    from cvbuild.cli.app import app

    tmp = tmp_path_factory.mktemp("broken")
    path = tmp / "broken.yaml"
    path.write_text(_mutate(VALID, edits), encoding="utf-8", errors="surrogatepass")
    out = tmp / "out"
    result = CliRunner().invoke(
        app, ["render", str(path), "-f", "txt,md,html", "-o", str(out)], env={"SOURCE_DATE_EPOCH": EPOCH}
    )
    stderr = result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in stderr and "rendering failed" not in stderr, stderr
    assert result.exit_code in (0, 2), stderr
    event(f"exit {result.exit_code}")  # --hypothesis-show-statistics: both outcomes are reached
    if result.exit_code == 2:
        assert re.match(rf"{re.escape(str(path))}:\d+:\d+: ", stderr), stderr
        assert not any(ch in stderr for ch in "\x00\x1b\u202e"), stderr
        assert not out.exists()
    else:
        assert sorted(p.suffix for p in out.iterdir()) == [".html", ".md", ".txt"]


@pytest.mark.parametrize("kind", _LINE_EDITS)
def test_mutations_do_change_the_profile(kind: str) -> None:
    """The control: each kind of edit does change the text, so the test above tries something."""
    assert _mutate(VALID, [(kind, 9, 1, "")]) != VALID
