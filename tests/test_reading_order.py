"""Reading order: applicant-tracking systems and screen readers read a PDF's text in the order
extraction gives it. For every built-in theme, both engines and real profiles, pypdf (content
stream order), poppler's pdftotext (layout order) and pdfplumber (line by line) must read each
section's title, then its entries in Document order, before the next section's title
(conftest.reading_order_problems)."""

from __future__ import annotations

import fcntl
import json
import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import (
    EXAMPLE,
    FIXTURES,
    PROFILES,
    documents,
    output_for,
    pdf_extractions,
    reading_order_problems,
    run_cli,
)

from cvbuild.document.model import Document
from cvbuild.themes.theme import list_themes

THEMES = tuple(sorted(t.name for t in list_themes() if "pdf" in t.targets))
ENGINES = ("typst", "weasyprint")
EXTRACTORS = ("pypdf", "pdftotext", "pdfplumber")
SEEDS = FIXTURES / "seeds"
PROFILE_FILES = (
    EXAMPLE,
    PROFILES / "onepage.yaml",
    *(SEEDS / f"{name}.yaml" for name in ("physicist", "seed000", "seed000-bib", "seed001", "seed001-bib", "seed004")),
    # titles that wrap beside their dates: read whole, not with the date between their lines
    FIXTURES / "reading" / "wrapped.yaml",
)

# What an extraction still reads out of order, and why: the sections each garbles. Their cases are
# xfail, strict (one that starts passing fails the run, so its entry goes), and the rest of the
# Document must still read in order without them. Keyed by profile stem, theme, engine, extractor.
Known = tuple[frozenset[str], str]
FITTED_TABLE: Known = (
    frozenset({"skills"}),
    "a trade-off of fitting, not of the layout: pdftotext (poppler) makes one text block of lines less "
    "than 1.5 em apart, so it reads a label | values table (skills) with tighter rows column by column, "
    "every label before every value (each label and each value is whole, only which value is whose is "
    "lost). The themes space the rows 1.5 em apart at full spacing, and pypdf and pdfplumber read them "
    "row by row; this profile asks for max_pages: 1, which fitting meets only by tightening the rows "
    "below that: at 1.5 em the page overflows to 2 at classic's floors",
)


# pdfplumber's extract_text() ignores the content stream's order and any columns: it sorts the
# characters of a page into lines by their height on the page (3 pt tolerance) across its whole
# width, then each line left to right. A page read interleaved garbles every section: "*".
SIDE_BY_SIDE: Known = (
    frozenset({"*"}),
    "a limit of the extractor on any two-column page, which sidebar is by design: pdfplumber reads a "
    "page line by line across its whole width, whatever the content order, so a line of the band and "
    "the line of the main column at its height are read as one. The PDF's order is right: pypdf (content "
    "order) and pdftotext (which finds the columns) read the band, then the main column, in order; "
    "only a one-column theme reads in order line by line",
)


# The one place where a right side still lies beside a wrapped title's other lines: the Typst PDF
# starts it at the title's last line (lib.typ's side-by-side); CSS cannot start a grid cell at the
# last line of the cell beside it, and a WeasyPrint page bottom-aligns it instead.
WRAPPED_VENUE: Known = (
    frozenset({"publications"}),
    "not fixed in the WeasyPrint PDF: a venue that wraps (over half the line) beside a title that wraps "
    "ends on the title's last line, so its first line lies beside the title's second to last, and "
    "pdfplumber (a page read line by line) reads it between the title's lines; compact's Typst PDF "
    "starts it at the title's last line",
)


KNOWN: dict[tuple[str, str, str, str], Known] = {
    **{("onepage", theme, "typst", "pdftotext"): FITTED_TABLE for theme in ("classic", "modern")},
    **{(p.stem, "sidebar", engine, "pdfplumber"): SIDE_BY_SIDE for p in PROFILE_FILES for engine in ENGINES},
    ("wrapped", "compact", "weasyprint", "pdfplumber"): WRAPPED_VENUE,
}


def cases() -> list[object]:
    return [
        pytest.param(
            profile,
            theme,
            engine,
            extractor,
            id=f"{profile.stem}-{theme}-{engine}-{extractor}",
            marks=[pytest.mark.xfail(strict=True, reason=known[1])]
            if (known := KNOWN.get((profile.stem, theme, engine, extractor)))
            else [],
        )
        for profile in PROFILE_FILES
        for theme in THEMES
        for engine in ENGINES
        for extractor in EXTRACTORS
    ]


@pytest.fixture(scope="session")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Callable[[Path, str, str], dict[str, str]]:
    """The extractions of one render (a profile's `cv` document, or its only one), made once for
    both extractors' tests: kept beside the xdist workers' own temp folders, under a lock, so that
    two workers given the two tests of one render do not both render it."""
    # Under xdist the workers' temp folders share a parent made for this run; without it, the
    # parent holds every run's folders, so the run's own folder keeps a cache from going stale.
    base = tmp_path_factory.getbasetemp()
    root = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "reading-order"
    root.mkdir(exist_ok=True)

    def extract(profile: Path, theme: str, engine: str) -> dict[str, str]:
        name = f"{profile.stem}-{theme}-{engine}"
        with (root / f"{name}.lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            saved = root / f"{name}.json"
            if not saved.exists():
                doc = document(profile, theme)
                out = root / name
                result = run_cli(
                    "render",
                    profile,
                    "-d",
                    doc.meta.document,
                    "-f",
                    "pdf",
                    "--theme",
                    theme,
                    "--engine",
                    engine,
                    "-o",
                    out,
                )
                assert result.returncode == 0, result.stderr
                saved.write_text(json.dumps(pdf_extractions(output_for(out, doc))), encoding="utf-8")
            texts: dict[str, str] = json.loads(saved.read_text(encoding="utf-8"))
            return texts

    return extract


def document(profile: Path, theme: str) -> Document:
    docs = documents(profile, theme)
    return docs.get("cv") or next(iter(docs.values()))


@pytest.mark.parametrize(("profile", "theme", "engine", "extractor"), cases())
def test_text_extracts_in_document_order(
    profile: Path, theme: str, engine: str, extractor: str, rendered: Callable[[Path, str, str], dict[str, str]]
) -> None:
    text = rendered(profile, theme, engine)[extractor]
    assert reading_order_problems(text, document(profile, theme)) == []


PARTIAL = [key for key, known in KNOWN.items() if "*" not in known[0]]


@pytest.mark.parametrize(("profile", "theme", "engine", "extractor"), PARTIAL, ids=["-".join(key) for key in PARTIAL])
def test_known_defects_leave_the_rest_in_order(
    profile: str, theme: str, engine: str, extractor: str, rendered: Callable[[Path, str, str], dict[str, str]]
) -> None:
    """Where a known defect garbles some sections, every other section still reads in order."""
    path = next(p for p in PROFILE_FILES if p.stem == profile)
    doc = document(path, theme)
    garbled = KNOWN[profile, theme, engine, extractor][0]
    rest = doc.model_copy(update={"sections": [s for s in doc.sections if s.id not in garbled]})
    assert reading_order_problems(rendered(path, theme, engine)[extractor], rest) == []


def title_pattern(title: str) -> re.Pattern[str]:
    """A section title as the words it is, in any case, across any line break between its words."""
    words = [re.escape(word) for word in title.split()]
    return re.compile(r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)", re.IGNORECASE)


@pytest.mark.parametrize(
    ("profile", "theme", "engine", "extractor"),
    [(p, t, e, x) for p in PROFILE_FILES for t in THEMES for e in ENGINES for x in EXTRACTORS],
    ids=[f"{p.stem}-{t}-{e}-{x}" for p in PROFILE_FILES for t in THEMES for e in ENGINES for x in EXTRACTORS],
)
def test_section_titles_extract_as_whole_words(
    profile: Path, theme: str, engine: str, extractor: str, rendered: Callable[[Path, str, str], dict[str, str]]
) -> None:
    """An applicant-tracking system finds a CV's parts by their headings: a heading letter-spaced
    past pdftotext's word gap came out as `S KIL L S` (the sidebar's band, tracked 0.1 em at 0.9
    em), and pypdf ran WeasyPrint's small-caps headings into the next line's first word
    (`ExperienceStaff …`) and a name with no contact line into the first title (`Ziming
    MaoPublications`): it measures the step to a new line against the font in force, and
    WeasyPrint moved before it set the smaller font (base.css paints a title, and the header, in a
    graphics state of its own)."""
    text = rendered(profile, theme, engine)[extractor]
    missing = [s.title for s in document(profile, theme).sections if not title_pattern(s.title).search(text)]
    assert missing == [], missing


def name_line_rest(text: str, name: str) -> str | None:
    """What follows the name on its line (its last word; a long name may wrap or be hyphenated
    before it), casefolded; None when the name is not there."""
    last = re.split(r"[\s-]", name)[-1].casefold()
    line = next((line.casefold() for line in text.splitlines() if last in line.casefold()), None)
    return None if line is None else line[line.index(last) + len(last) :].strip()


# The sidebar's name shares its line with the main column's first lines for pdfplumber (SIDE_BY_SIDE).
NAME_CASES = [
    (p, t, e, x)
    for p in PROFILE_FILES
    for t in THEMES
    for e in ENGINES
    for x in EXTRACTORS
    if KNOWN.get((p.stem, t, e, x)) != SIDE_BY_SIDE
]


@pytest.mark.parametrize(
    ("profile", "theme", "engine", "extractor"),
    NAME_CASES,
    ids=[f"{p.stem}-{t}-{e}-{x}" for p, t, e, x in NAME_CASES],
)
def test_name_extracts_as_a_line_of_its_own(
    profile: Path, theme: str, engine: str, extractor: str, rendered: Callable[[Path, str, str], dict[str, str]]
) -> None:
    """The name ends its line (or only the native name follows it): pypdf ran the 36 pt name of a
    WeasyPrint page into the headline below it ("Mara LindqvistMachine-learning systems
    engineer"), or with no headline and no contact line into the first title."""
    person = document(profile, theme).person
    rest = name_line_rest(rendered(profile, theme, engine)[extractor], person.name)
    assert rest in ("", (person.native_name or "").casefold()), rest
