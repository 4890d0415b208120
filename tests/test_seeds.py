"""The seed pages (shared/seeds 000 and 001, real academic homepages), written as BibTeX in the
styles real exports use (al-folio, Google Scholar, DBLP, arXiv, ACL Anthology: fixtures/seeds/*.bib),
render in every built-in theme and every format with every field of every entry, in the page's order.
Whole pages (seed 004 as a profile, a physicist's CV shaped unlike the seeds, and a real historian's
CV, round six) render every entry of every section once, in order, in every theme, format and engine,
with no warning."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES, pdf_text, run_cli, squash
from test_publications import visible_text

from cvbuild.document.inline import plain
from cvbuild.document.model import PublicationEntry
from cvbuild.loading.profile import load_profile
from cvbuild.pipeline import RenderRequest, build_for, documents_to_render, today

SEED_FIXTURES = FIXTURES / "seeds"
FORMATS = ("txt", "md", "html", "pdf")
# The page's order is the .bib file's order: `sort: as_written`, one list, as the pages show it.
AS_WRITTEN = "documents:\n  page: {publications: {sort: as_written, group_by: none, numbering: none}}\n"


def builtin_themes() -> list[str]:
    """Every built-in CV theme (all formats), found at run time: other streams add themes. The
    HTML-only homepage is in test_html's and test_browser's pages."""
    from conftest import BUILTIN_THEMES

    return list(BUILTIN_THEMES)


@pytest.fixture(scope="module", params=["seed000", "seed001"])
def seed(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed's profile (its .bib included, YAML overrides as the page has them), set to the page's order."""
    folder = tmp_path_factory.mktemp(request.param)
    shutil.copy(SEED_FIXTURES / f"{request.param}.bib", folder)
    text = (SEED_FIXTURES / f"{request.param}-bib.yaml").read_text(encoding="utf-8")
    profile = folder / "profile.yaml"
    profile.write_text(text + AS_WRITTEN, encoding="utf-8")
    return profile


@pytest.fixture(scope="module")
def rendered(seed: Path) -> dict[str, Path]:
    """Every built-in theme's txt, md, html and Typst PDF of the seed: `{theme}.{fmt}` -> file."""
    out: dict[str, Path] = {}
    for theme in builtin_themes():
        folder = seed.parent / theme
        result = run_cli("render", seed, "--theme", theme, "-f", ",".join(FORMATS), "-o", folder)
        assert result.returncode == 0, result.stderr
        assert "warning" not in result.stderr, result.stderr  # the seeds' LaTeX decodes completely
        for fmt in FORMATS:
            (path,) = folder.glob(f"*.{fmt}")
            out[f"{theme}.{fmt}"] = path
    return out


def entries_of(seed: Path) -> list[PublicationEntry]:
    profile, _ = load_profile(seed)
    ((name, spec),) = documents_to_render(profile, None)
    _, doc = build_for(profile, name, spec, RenderRequest(profile=seed), today())
    return [e for s in doc.sections for g in s.groups for e in g.entries if isinstance(e, PublicationEntry)]


def test_the_document_keeps_the_bib_files_order(seed: Path) -> None:
    import re

    (bib,) = seed.parent.glob("*.bib")
    keys = re.findall(r"^@(?!string)\w+\{([^,]+),", bib.read_text(encoding="utf-8"), flags=re.M)
    assert [e.id for e in entries_of(seed)] == keys


def fields(e: PublicationEntry, fmt: str) -> list[str]:
    """What a reader must find for one entry: title, every author, venue with year, award, links."""
    out = [plain(e.title), *(a.name for a in e.authors)]
    if e.award:
        out.append(plain(e.award))
    for link in e.links:
        out.append(f"{link.label}: {link.url}" if fmt == "txt" else f"[{link.label}]")
    return out


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("theme", builtin_themes())
def test_every_field_of_every_entry_in_the_pages_order(
    seed: Path, rendered: dict[str, Path], theme: str, fmt: str
) -> None:
    text = squash(visible_text(fmt, rendered[f"{theme}.{fmt}"]))
    entries = entries_of(seed)
    starts, pos = [], 0
    for e in entries:  # titles in the page's order
        head = text.find(squash(plain(e.title)), pos)
        assert head >= 0, f"{theme}.{fmt}: {plain(e.title)!r} missing or out of order"
        starts.append(head)
        pos = head + 1
    for e, start, end in zip(entries, starts, [*starts[1:], len(text)], strict=True):
        block = text[start:end]  # each field inside its own entry
        for value in fields(e, fmt)[1:]:
            assert squash(value) in block, f"{theme}.{fmt}: {plain(e.title)[:30]!r}: {value!r} missing"
        # the venue with its year: the short one ("NSDI 2024"), or the full one that already says it ("... (NSDI 24)")
        venues = [plain(e.venue), *([plain(e.venue_full)] if e.venue_full and e.venue_in_full else [])]
        assert any(squash(v) in block for v in venues), f"{theme}.{fmt}: {plain(e.title)[:30]!r}: {venues} missing"


@pytest.mark.parametrize("seed", ["seed001"], indirect=True)  # the page whose BibTeX has Summ$^N$
def test_summ_n_is_a_superscript_in_every_theme(seed: Path, rendered: dict[str, Path]) -> None:
    for theme in builtin_themes():
        assert "Summᴺ:" in rendered[f"{theme}.txt"].read_text(encoding="utf-8")
        assert "Summᴺ" in rendered[f"{theme}.md"].read_text(encoding="utf-8")
        assert "Summ</em><em><sup>N</sup>" in rendered[f"{theme}.html"].read_text(encoding="utf-8")
        for fmt in FORMATS:
            shown = visible_text(fmt, rendered[f"{theme}.{fmt}"])
            assert "SummN:" in shown and "^N" not in shown, (theme, fmt)


# ---- whole pages: every kind of entry, once each, in order ----------------------------------------
# seed004.yaml is shared/seeds/004 written by hand as a profile; physicist.yaml holds what the seeds
# do not (grants, students, patents, a 40-author paper, co-presenters, terms, many scripts);
# historian.yaml is a real humanities CV (its source in its header): chapters, essays in magazines,
# radio, media coverage, news articles' long URLs (warned of as words longer than a line).

PAGES = ("seed004", "physicist", "historian")


@pytest.fixture(scope="module", params=PAGES)
def page(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict[str, Path]]:
    """Every built-in theme's txt, md, html and Typst PDF of the page, and half the themes' WeasyPrint PDF."""
    folder = tmp_path_factory.mktemp(request.param)
    profile = shutil.copy(SEED_FIXTURES / f"{request.param}.yaml", folder / "profile.yaml")
    out: dict[str, Path] = {}
    for i, theme in enumerate(builtin_themes()):
        result = run_cli("render", profile, "--theme", theme, "-f", ",".join(FORMATS), "-o", folder / theme)
        assert result.returncode == 0, result.stderr
        # no warning but a sparse last page's, which tells the length of the CV (a real one, cut)
        assert not [x for x in result.stderr.splitlines() if "warning" in x and "the last page" not in x], result.stderr
        for fmt in FORMATS:
            (out[f"{theme}.{fmt}"],) = (folder / theme).glob(f"*.{fmt}")
        if (i + PAGES.index(request.param)) % 2:
            continue  # WeasyPrint takes each theme with one of the two pages
        w = folder / f"{theme}-weasyprint"
        result = run_cli("render", profile, "--theme", theme, "-f", "pdf", "--engine", "weasyprint", "-o", w)
        assert result.returncode == 0, result.stderr
        (out[f"{theme}.weasyprint"],) = w.glob("*.pdf")
    return request.param, out


def entry_titles(profile: Path, theme: str) -> list[list[str]]:
    """Per section of the theme's Document, the titles of its entries (and their children), in order."""
    loaded, _ = load_profile(profile)
    ((name, spec),) = documents_to_render(loaded, None)
    _, doc = build_for(loaded, name, spec, RenderRequest(profile=profile, theme=theme), today())

    def titles(entries: list[Any]) -> list[str]:
        out = []
        for e in entries:
            out += [plain(e.title)] if plain(e.title) else []
            out += titles(getattr(e, "children", []))
        return out

    return [titles([e for g in s.groups for e in g.entries]) for s in doc.sections]


def test_every_entry_of_a_page_once_and_in_order(page: tuple[str, dict[str, Path]]) -> None:
    name, outputs = page
    source = squash((SEED_FIXTURES / f"{name}.yaml").read_text(encoding="utf-8"))
    missing = []
    for key, path in sorted(outputs.items()):
        theme, fmt = key.split(".")
        # PDF text in drawing order (pypdf): a line-by-line reading interleaves a wrapped title with
        # the date or venue set beside it
        text = squash(pdf_text(path) if fmt in ("pdf", "weasyprint") else visible_text(fmt, path))
        sections = entry_titles(SEED_FIXTURES / f"{name}.yaml", theme)
        assert sum(map(len, sections)) >= 25
        for titles in sections:
            at = 0
            for title in map(squash, titles):
                # never more often than the profile writes it (a role may also be in the headline;
                # a title made of several fields, "Ph.D. in Physics", once)
                if text.count(title) > max(1, source.count(title.strip("*_"))):
                    missing.append(f"{key}: {title!r} shown {text.count(title)} times")
                found = text.find(title, at)
                if found < 0:
                    missing.append(f"{key}: {title!r} missing or out of order")
                at = max(at, found)
    assert not missing, "\n".join(missing)


def test_a_real_one_page_resume_stays_on_one_page(tmp_path: Path) -> None:
    """student.yaml, a real one-page résumé (its source in its header), on one page in every
    built-in theme with both engines, every line of it there once, in order, and no word of it
    broken: WeasyPrint broke a title's note where the title wrapped ("Expect|ed Summer 2016", the
    sidebar theme), as it did not go back to the space before the note's box."""
    import pypdf
    from conftest import pdf_lines

    profile = shutil.copy(SEED_FIXTURES / "student.yaml", tmp_path / "profile.yaml")
    loaded, _ = load_profile(profile)
    lines = [s for e in loaded.experience for s in (e.role, e.summary)] + [p.summary for p in loaded.projects]
    for theme in builtin_themes():
        for engine in ("typst", "weasyprint"):
            out = tmp_path / f"{theme}-{engine}"
            result = run_cli("render", profile, "--theme", theme, "-f", "pdf", "--engine", engine, "-o", out)
            assert result.returncode == 0, result.stderr
            (pdf,) = out.glob("*.pdf")
            assert len(pypdf.PdfReader(pdf).pages) == 1, (theme, engine)
            words = {w for page in pdf_lines(pdf) for line, _ in page.lines for w in line.split()}
            assert {"Expected", "Summer", "Embedded", "Computational"} <= words, (theme, engine, sorted(words))
            text, at = squash(pdf_text(pdf)), 0
            for line in (squash(x.replace("^", "")) for x in lines):  # I^2^C reads I2C
                assert text.count(line) == 1, (theme, engine, line)
                assert (at := text.find(line, at)) >= 0, (theme, engine, line)
