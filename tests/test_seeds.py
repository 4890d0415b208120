"""The seed pages (shared/seeds 000 and 001, real academic homepages), written as BibTeX in the
styles real exports use (al-folio, Google Scholar, DBLP, arXiv, ACL Anthology: fixtures/seeds/*.bib),
render in every built-in theme and every format with every field of every entry, in the page's order."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT, run_cli, squash
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
    """Every concrete theme in themes/, found at run time: other streams add themes."""
    return [
        t.parent.name for t in sorted((ROOT / "themes").glob("*/theme.toml")) if "abstract = true" not in t.read_text()
    ]


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
