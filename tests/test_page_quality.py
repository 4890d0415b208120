"""Page breaks in every built-in theme and both engines, read back from the PDF (poppler's word boxes):
no page ends with a title, no short entry (title to last bullet) or publication splits (a paper
with 12 or more authors may, and an entry with more than three bullets or with children may break
between its bullets, never right after its head), the last entry of a list of
three or more never starts a page alone, no page but the last ends in a hole (a short list moved
whole), and a nearly empty last page is warned about."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import EXAMPLE, FIXTURES, PROFILES, PageLines, documents, output_for, pdf_lines, plain, run_cli, write
from conftest import squash as norm

from cvbuild.document.model import Document, Entry, PublicationEntry
from cvbuild.targets.fit import SPARSE_LAST_PAGE
from cvbuild.themes.theme import list_themes

THEMES = tuple(sorted(t.name for t in list_themes() if "pdf" in t.targets))
ENGINES = ("typst", "weasyprint")
LONG_AUTHORS = 12  # a publication with this many authors may break across pages (lib.typ long-authors)
MAX_HOLE = 0.1  # of the text height (about five lines): the most a page may leave empty at its foot
POINTS = {"pt": 1.0, "mm": 72 / 25.4, "cm": 72 / 2.54, "in": 72.0}


def many_publications(folder: Path, count: int = 200) -> Path:
    """The one-page profile with `count` publications of 1 to 9 authors, and no page budget."""
    base = (PROFILES / "onepage.yaml").read_text(encoding="utf-8").split("\ndocuments:")[0]
    pubs = ["publications:"]
    for i in range(count):
        authors = ", ".join(["Mara Lindqvist", *(f"Coauthor{j} Person{i}" for j in range(i % 9))])
        pubs.append(
            f'  - id: p{i}\n    title: "P{i:03d} {"A study of scheduling, caching and serving " * (1 + i % 3)}"\n'
            f"    authors: [{authors}]\n    venue: Venue {i % 17} {2000 + i % 26}\n"
            f"    date: {2000 + i % 26}-0{1 + i % 9}\n"
            f"    type: {('conference', 'journal', 'workshop', 'preprint')[i % 4]}\n"
        )
    text = base.replace("publications:\n", "old_publications:\n", 1)
    head, _, tail = text.partition("old_publications:\n")
    rest = tail[tail.index("\nprojects:") :]  # drop the five original papers
    return write(folder / "many.yaml", head + "\n".join(pubs) + rest + "\n")


@pytest.fixture(scope="session")
def many(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return many_publications(tmp_path_factory.mktemp("many"))


def margins(doc: Document) -> tuple[float, float]:
    values = str(doc.options.get("margin", "2cm")).split()
    top, bottom = values[0], values[2] if len(values) > 2 else values[0]

    def pt(v: str) -> float:
        number = v.rstrip("abcdefghijklmnopqrstuvwxyz")
        return float(number) * POINTS[v[len(number) :]]

    return pt(top), pt(bottom)


def page_lines(path: Path, doc: Document) -> list[PageLines]:
    """Per page, the text lines above the footer with their bottom edge."""
    _, bottom = margins(doc)
    return pdf_lines(path, bottom - 1)


def problems(pages: list[PageLines], doc: Document) -> list[str]:
    lines = [page.lines for page in pages]
    texts = [norm(" ".join(t for t, _ in page)).casefold() for page in lines]
    starts = [sum(len(t) for t in texts[:i]) for i in range(len(texts))]
    full = "".join(texts)

    def page_at(offset: int) -> int:
        return max(i for i, s in enumerate(starts, start=1) if s <= offset)

    found = []
    titles = {norm(t).casefold() for s in doc.sections for t in [s.title, *(g.title for g in s.groups)] if t}
    for number, page in enumerate(lines[:-1], start=1):
        if page and norm(page[-1][0]).casefold() in titles:
            found.append(f"page {number} ends with the title {page[-1][0]!r}")
    cursor = 0
    for s in doc.sections:  # in reading order: each section, then its entries, after the last
        cursor = max(cursor, full.find(norm(s.title).casefold(), cursor))
        for g in s.groups:
            pages = []
            for e in g.entries:
                start = norm(plain(e.title))[:28].casefold()
                at = full.find(start, cursor)
                if at < 0:
                    continue  # a title drawn in small caps or wrapped oddly; content tests check it
                cursor = at + len(start)
                pages.append((start, page_at(at)))
                end = -1
                if isinstance(e, PublicationEntry) and len(e.authors) >= LONG_AUTHORS:
                    pass  # may break between its lines (lib.typ long-authors)
                elif isinstance(e, PublicationEntry) and not e.authors[-1].etal:
                    end = full.find(norm(e.authors[-1].name).casefold(), cursor)
                elif isinstance(e, Entry) and last_bullet(e):
                    end = full.find(last_bullet(e), cursor)
                    cursor = max(cursor, end)
                    if len(e.highlights) > 3 or e.children:  # may break between its bullets (lib.typ entry-block)
                        first = full.find(first_line(e), at)
                        if first >= 0 and page_at(first) != page_at(at):
                            found.append(f"{s.id}: {start!r} ends page {page_at(at)} with its head alone")
                        end = -1
                if end >= 0 and page_at(end) != page_at(at):
                    found.append(f"{s.id}: {start!r} splits over pages {page_at(at)}-{page_at(end)}")
            # In a list of two the last may start a page: chained to the first, which stays with
            # the title, it would move the whole list and leave a hole (lib.typ keep-with-last).
            if len(pages) >= 3 and pages[-1][1] != pages[-2][1]:
                found.append(f"{s.id}: the last entry {pages[-1][0]!r} starts page {pages[-1][1]} alone")
    return found


def first_line(e: Entry) -> str:
    """The start of what follows an entry's head: its summary, else its first bullet."""
    text = plain(e.summary) if e.summary else plain(e.highlights[0]) if e.highlights else ""
    return norm(text)[:20].casefold()


def last_bullet(e: Entry) -> str:
    """The start of an entry's last bullet (its last child's, when it has children)."""
    while e.children:
        e = e.children[-1]
    return norm(plain(e.highlights[-1]))[:28].casefold() if e.highlights else ""


def render(profile: Path, theme: str, engine: str, out: Path) -> tuple[Path, str]:
    result = run_cli("render", profile, "-d", "cv", "-f", "pdf", "--theme", theme, "--engine", engine, "-o", out)
    assert result.returncode == 0, result.stderr
    return out, result.stderr


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("theme", THEMES)
def test_example_cv_breaks_cleanly(theme: str, engine: str, tmp_path: Path) -> None:
    out, stderr = render(EXAMPLE, theme, engine, tmp_path)
    doc = documents(EXAMPLE, theme)["cv"]
    pages = page_lines(output_for(out, doc), doc)
    assert problems(pages, doc) == []
    check_sparse_warning(pages, doc, stderr)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("theme", THEMES)
def test_two_hundred_publications_break_cleanly(theme: str, engine: str, many: Path, tmp_path: Path) -> None:
    out, stderr = render(many, theme, engine, tmp_path)
    (doc,) = documents(many, theme).values()
    pages = page_lines(output_for(out, doc), doc)
    assert problems(pages, doc) == []
    check_sparse_warning(pages, doc, stderr)


def check_sparse_warning(pages: list[PageLines], doc: Document, stderr: str) -> None:
    """The warning names the last page exactly when its text fills less than 15% of it."""
    top, bottom = margins(doc)
    lines = [page.lines for page in pages]
    height = pages[-1].height - top - bottom
    fill = (max(b for _, b in lines[-1]) - top) / height if lines[-1] else 0.0
    warned = "is only" in stderr and "filled" in stderr
    if len(lines) > 1 and abs(fill - SPARSE_LAST_PAGE) > 0.02:  # near the line, engines may round apart
        assert warned == (fill < SPARSE_LAST_PAGE), f"fill {fill:.2f}: {stderr}"
    if warned:
        assert f"max_pages: {len(lines) - 1}" in stderr


def grouped_physicist(folder: Path) -> Path:
    """The physicist's CV with its publications grouped by type: a group of two journal papers, the
    second with 40 authors, falls near the foot of the first page."""
    text = (FIXTURES / "seeds" / "physicist.yaml").read_text(encoding="utf-8")
    option = "    publications: {sort: as_written, group_by: none}\n"
    assert option in text
    return write(folder / "physicist.yaml", text.replace(option, ""))


def holes(pages: list[PageLines], doc: Document) -> list[str]:
    """Pages before the last whose text ends more than MAX_HOLE of the text height above the foot."""
    top, bottom = margins(doc)
    found = []
    for number, page in enumerate(pages[:-1], start=1):
        height = page.height - top - bottom
        hole = (page.height - bottom - max(b for _, b in page.lines)) / height
        if hole > MAX_HOLE:
            found.append(f"page {number} ends {hole:.0%} of its height above the foot")
    return found


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("theme", THEMES)
def test_a_short_group_leaves_no_hole(theme: str, engine: str, tmp_path: Path) -> None:
    """A two-entry group is not moved whole to the next page (its title, its first entry and its
    last chained together), and a tall paper breaks between its author lines instead of leaving
    its height empty: the page fills, and every other rule holds."""
    assert_fills_its_pages(grouped_physicist(tmp_path), theme, engine, tmp_path / "out")


def assert_fills_its_pages(profile: Path, theme: str, engine: str, out_dir: Path) -> None:
    """No hole at the foot of a page, and every other page rule holds."""
    out, _ = render(profile, theme, engine, out_dir)
    doc = documents(profile, theme)["cv"]
    pages = page_lines(output_for(out, doc), doc)
    assert holes(pages, doc) == []
    assert problems(pages, doc) == []


def long_entry_profile(folder: Path) -> Path:
    """A summary that ends low on page 1, then an entry of ten bullets: moved whole, it left a
    fifth of the page empty (classic, both engines)."""
    summary = " ".join(["Filler sentence to push the entry down the page."] * 96)
    bullets = "".join(
        f"      - Bullet number {i} describing a concrete achievement with numbers, 2.4x faster and 30% cheaper.\n"
        for i in range(10)
    )
    return write(
        folder / "long-entry.yaml",
        f'name: Ada Example\nsummary: "{summary}"\nexperience:\n'
        "  - organization: Org A\n    role: Engineer\n    start: 2020\n    end: present\n    highlights:\n"
        f"{bullets}"
        "  - {organization: Org B, role: Intern, start: 2019, end: 2019}\n"
        "documents: {cv: {}}\n",
    )


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("theme", THEMES)
def test_a_long_entry_breaks_between_its_bullets(theme: str, engine: str, tmp_path: Path) -> None:
    assert_fills_its_pages(long_entry_profile(tmp_path), theme, engine, tmp_path / "out")
