"""Pipeline helpers: long-word warnings."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from cvbuild.pipeline import LONG_WORD, long_word_warnings, long_words

# What long_words replaces: a regular expression that tries every position of the text.
REFERENCE = re.compile(r'[^\s"\\]{' + str(LONG_WORD) + ",}")
CHARS = ["y", "é", "语", "\U00010000", ":", '"', "\\"]
SPACES = [" ", "\n", "\t", "\r", "\x0b", "\x0c", "\x85", "\u2028", "\u3000", "\xa0", "\x1c"]
PIECES = st.sampled_from(CHARS + SPACES)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(PIECES, st.integers(1, 120)), max_size=12))
def test_long_words_are_the_runs_the_regular_expression_finds(runs: list[tuple[str, int]]) -> None:
    text = "".join(piece * count for piece, count in runs)
    assert long_words(text) == REFERENCE.findall(text)


def test_long_word_warning_names_the_word_not_urls() -> None:
    word = "x" * 90
    url = "https://example.org/" + "p" * 90
    (warning,) = long_word_warnings(f'{{"a":"{word} and {url}","b":"short"}}')
    assert warning.startswith("a 90-character word (xxxxxxxx")
