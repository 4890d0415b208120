"""Explicit limits on everything cvbuild reads, so that no input can hang it or exhaust memory.

A limit is checked while the input is read (YAML events, BibTeX macros) or validated, long before
the data could grow; exceeding one is an input error (exit 2) that names the file, the line, the
column and the limit. The defaults sit far above real CVs (10,000 publications load and render) and
far below what hurts a laptop; README.md ("Limits") lists them. `Limits()` is passed down as a value.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    """Upper bounds on input size and shape; one instance per run, never mutated."""

    file_bytes: int = 16 * 1024 * 1024
    """Size of a profile or a .bib file."""

    yaml_depth: int = 64
    """Nesting of mappings and lists; a profile needs about 6, Python's recursion about 1,000."""

    yaml_nodes: int = 1_000_000
    """Keys and values in the YAML, each alias counted as a full copy of what it names. The example
    profile has 1,700, bench/run.py's 1,000 publications 24,000 and its 10,000 240,000. Reading takes
    ~3 µs a value: 2,000,000 values took 5 s to refuse (and 77 s while the pure parser checked them)."""

    yaml_chars: int = 32 * 1024 * 1024
    """Characters of all keys and values, each alias counted as a full copy (billion laughs)."""

    field_chars: int = 20_000
    """Characters in one value: a summary of several paragraphs is about 2,000."""

    combining_marks: int = 16
    """Combining marks on one base character: real scripts stack at most a handful."""

    bib_macro_chars: int = 1_000_000
    """Characters of all @string macros of a .bib file after expansion (chained doublings)."""

    publications: int = 10_000
    """Publications of a profile, its .bib files' entries included; the largest real CVs list
    1,000 to 2,000. Each .bib file is counted before it is read: 200,000 entries took 64 s."""

    entries: int = 20_000
    """Entries of every list of a profile together (publications, experience, talks, each custom
    section's entries, ...), counted before validation."""

    png_page_pixels: int = 100_000_000
    """Pixels of one PNG preview page (3 bytes each): an A4 page at 150 ppi has 2.2 million."""

    schema_problems: int = 1_000
    """Schema problems located and explained one by one (~1 ms each, a "did you mean" among them);
    past it they are counted: 300,000 unknown keys in a 3 MB profile took 95 s."""

    theme_seconds: float = 60.0
    """Wall time of one template render or one Typst compile of a theme that is not built in: a
    theme may loop (`range(100000)` twice nested: 10^10 steps). 1,000 publications take ~1.5 s.
    Only the user sets it (`--time-limit`), never a theme; 0 turns it off. Built-in themes have
    none: they are cvbuild's code, and compile in-process (targets/typst_child.py)."""

    theme_memory: int = 2 * 1024**3
    """Bytes of data (RLIMIT_DATA: heap and private writable mappings) the child process that
    compiles a theme that is not built in may hold; such a theme may build an array or a string
    without end (`range(200000000)`: ~3 GiB); it is stopped there, exit 2. The example's compile
    holds ~45 MiB, 1,000 publications' ~140 MiB, 10,000 publications' ~1 GiB. On Linux it is
    also what such a theme's WeasyPrint render (a child forked from cvbuild) may hold beyond what
    cvbuild held (a `symbolic` counter repeated 5 * 10^8 times: 2 GiB in 6 s, then stopped).
    Where `theme_seconds` is 0 both stay in-process, under the user's limits only."""


DEFAULT_LIMITS = Limits()


# What to do about it, where there is more to say than the limit: a limit is no setting, since an
# input that passes one of these is no CV (or a mistake, such as a file exported twice).
_NEXT = {
    "file_bytes": "a profile with 10,000 publications is about 4 MiB; is this the file you meant?",
    "yaml_nodes": "a profile with 1,000 publications has about 24,000; is this the file you meant?",
    "yaml_chars": "a profile with 1,000 publications has about 260,000 characters; is this the file you meant?",
    "publications": "the largest real CVs list about 2,000; keep the rest in a .bib file the profile does not include",
    "entries": "a CV with 1,000 publications has about 1,100; keep the rest in a file the profile does not include",
}


def exceeded(name: str, limit: int, what: str) -> str:
    """The one wording for a limit error: what was too big, the limit's name and value, and what to do."""
    hint = _NEXT.get(name)
    return f"{what} exceeds the limit {name} = {limit:,}" + (f"; {hint}" if hint else "")
