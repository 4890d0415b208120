"""An entry's summary of several paragraphs stays several paragraphs in every target and theme.

A real French CV (tests/fixtures/interop/jsonresume_real_french.json) wrote its jobs' and its
references' summaries in paragraphs ("\\n\\n"); every output ran them together into one:
"productivité).  Dans ce cadre...". A single line break inside a paragraph stays a space (YAML's
soft wrap), and user text stays data, escaped as in a summary of one paragraph.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import pytest
from conftest import BUILTIN_THEMES, FIXTURES, HTML_THEMES, documents, pdf_text, run_cli, squash, write

from cvbuild.document.inline import plain, spans
from cvbuild.document.model import Entry
from cvbuild.targets.jinja import spans_html, spans_md, spans_text

HOSTILE = r"#x $y$ *b* _i_ <script>alert(1)</script> @r \ ] [ { } 😀 中文 delta."
PROFILE = f"""\
name: Ada Example
summary: |
  Alpha summary first.

  Beta summary second.
experience:
  - organization: Acme
    role: Engineer
    start: 2020-01
    summary: |
      Gamma first paragraph
      wraps softly here.

      {HOSTILE}
references:
  - name: Rita Roe
    text: "Epsilon first.\\n\\nZeta second."
"""
FIRST = "Gamma first paragraph wraps softly here."


@pytest.fixture(scope="module")
def profile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write(tmp_path_factory.mktemp("paragraphs") / "ada.yaml", PROFILE)


def _entry(profile: Path, section: str) -> Entry:
    (doc,) = documents(profile).values()
    entry = next(s for s in doc.sections if s.id == section).groups[0].entries[0]
    assert isinstance(entry, Entry)
    return entry


def test_the_document_keeps_each_paragraph_and_the_whole_summary(profile: Path) -> None:
    """`paragraphs` holds each paragraph; `summary` stays the whole text, for themes that print one."""
    job = _entry(profile, "experience")
    assert job.paragraphs == [spans("Gamma first paragraph\nwraps softly here."), spans(HOSTILE)]
    assert plain(job.paragraphs[0]) == FIRST  # a single line break is a space, as before
    assert plain(job.summary) == f"{FIRST} {plain(spans(HOSTILE))}"
    reference = _entry(profile, "references")
    assert [plain(p) for p in reference.paragraphs] == ["Epsilon first.", "Zeta second."]
    (doc,) = documents(profile).values()
    summary = next(s for s in doc.sections if s.id == "summary").groups[0].entries
    assert [plain(e.summary) for e in summary] == ["Alpha summary first.", "Beta summary second."]
    assert all(e.paragraphs == [] for e in summary)  # one paragraph each: nothing new


def _follows(lines: list[str], first: str, second: str) -> bool:
    """A line ends with `first` and the next begins with `second`: two paragraphs, in order."""
    return any(a.endswith(first) and b.startswith(second) for a, b in itertools.pairwise(lines))


@pytest.mark.parametrize("engine", ["typst", "weasyprint"])
@pytest.mark.parametrize("theme", BUILTIN_THEMES)
def test_pdf_sets_each_paragraph_apart(profile: Path, theme: str, engine: str, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run_cli("render", profile, "-f", "pdf", "--theme", theme, "--engine", engine, "-o", out)
    assert result.returncode == 0, result.stderr
    text = pdf_text(out / "ada-example.pdf")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    assert _follows(lines, "softly here.", "#x"), lines
    assert _follows(lines, "Epsilon first.", "Zeta second."), lines
    assert _follows(lines, "Alpha summary first.", "Beta summary second."), lines
    # the hostile paragraph, every character as typed (Markdown's *b* and _i_ set in italics)
    start = text.index("#x")
    assert squash(r"#x $y$ b i <script>alert(1)</script> @r \ ] [ { } 😀 中文 delta.") in squash(text[start:])


def _pitch(pdf: Path, before: str, after: str) -> float:
    """Points from the top of the line holding `before` to the top of the next holding `after`."""
    import pdfplumber

    with pdfplumber.open(pdf) as opened:
        lines = opened.pages[0].extract_text_lines()
    top = next(line["top"] for line in lines if before in line["text"])
    return float(next(line["top"] for line in lines if after in line["text"] and line["top"] > top) - top)


@pytest.mark.parametrize("theme", BUILTIN_THEMES)
def test_weasyprint_sets_paragraphs_as_far_apart_as_typst(theme: str, tmp_path: Path) -> None:
    """Typst puts its paragraph spacing between two paragraphs; WeasyPrint's print set them a line
    apart or closer (0.1 pt of gap in classic, where Typst leaves 3), so they read as one. Plain
    words: a line with an emoji or Han is taller in WeasyPrint, whatever the spacing."""
    summary = "First paragraph ends here.\n\nSecond paragraph starts here."
    job = f"{{organization: Acme, role: Engineer, start: 2020-01, summary: {json.dumps(summary)}}}"
    plain_profile = write(tmp_path / "ada.yaml", f"name: Ada Example\nexperience:\n  - {job}\n")
    pitches = []
    for engine in ("typst", "weasyprint"):
        out = tmp_path / engine
        result = run_cli("render", plain_profile, "-f", "pdf", "--theme", theme, "--engine", engine, "-o", out)
        assert result.returncode == 0, result.stderr
        pitches.append(_pitch(out / "ada-example.pdf", "First paragraph", "Second paragraph"))
    assert abs(pitches[0] - pitches[1]) < 0.3, pitches


@pytest.mark.parametrize("theme", HTML_THEMES)
def test_html_has_a_p_for_each_paragraph(profile: Path, theme: str, tmp_path: Path, browser: Any) -> None:
    out = tmp_path / "out"
    result = run_cli("render", profile, "-f", "html", "--theme", theme, "-o", out)
    assert result.returncode == 0, result.stderr
    html = (out / "ada-example.html").read_text(encoding="utf-8")
    assert str(spans_html(spans(HOSTILE))) in html  # escaped as a one-paragraph summary is
    page = browser.new_page()
    try:
        page.goto((out / "ada-example.html").as_uri())
        paragraphs = page.eval_on_selector_all("p", "ps => ps.map(p => p.textContent.trim())")
        scripts = page.eval_on_selector_all("script", "ss => ss.filter(s => s.textContent.includes('alert')).length")
    finally:
        page.close()
    hostile = r"#x $y$ b i <script>alert(1)</script> @r \ ] [ { } 😀 中文 delta."
    for first, second in ((FIRST, hostile), ("Epsilon first.", "Zeta second.")):
        assert first in paragraphs and second in paragraphs, paragraphs
        assert paragraphs.index(first) < paragraphs.index(second)
    assert scripts == 0


@pytest.mark.parametrize("theme", BUILTIN_THEMES)
def test_txt_and_md_leave_a_blank_line_between_paragraphs(profile: Path, theme: str, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run_cli("render", profile, "-f", "txt,md", "--theme", theme, "-o", out)
    assert result.returncode == 0, result.stderr
    txt = (out / "ada-example.txt").read_text(encoding="utf-8")
    assert f"  {FIRST}\n\n  {spans_text(spans(HOSTILE))}\n" in txt
    assert "  Epsilon first.\n\n  Zeta second.\n" in txt
    md = (out / "ada-example.md").read_text(encoding="utf-8")
    assert f"\n{FIRST}\n\n{spans_md(spans(HOSTILE))}\n" in md
    assert "\nEpsilon first.\n\nZeta second.\n" in md


def test_the_real_french_cv_keeps_its_paragraphs(tmp_path: Path) -> None:
    """The CV that showed it: imported from JSON Resume, its first job's two paragraphs ran together."""
    imported = run_cli("import", "jsonresume", FIXTURES / "interop" / "jsonresume_real_french.json")
    assert imported.returncode == 0, imported.stderr
    profile = write(tmp_path / "cv.yaml", imported.stdout)
    result = run_cli("render", profile, "-f", "txt,md", "-o", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    txt = (tmp_path / "out" / "jeremy-buget-cv.txt").read_text(encoding="utf-8")
    md = (tmp_path / "out" / "jeremy-buget-cv.md").read_text(encoding="utf-8")
    assert "productivité).\n\n  Dans ce cadre" in txt
    assert "productivité).\n\nDans ce cadre" in md
