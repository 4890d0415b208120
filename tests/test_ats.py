"""`render`/`check --ats`: each PDF read back line by line, as an applicant-tracking system reads
it, against its Document (cvbuild/targets/ats.py)."""

from __future__ import annotations

from pathlib import Path

from conftest import EXAMPLE, FIXTURES, documents, output_for, run_cli

from cvbuild.document.readback import atoms
from cvbuild.targets.ats import pdf_text_by_lines, text_problems

PHYSICIST = FIXTURES / "seeds" / "physicist.yaml"


def test_a_one_column_cv_reads_whole_and_in_order(tmp_path: Path) -> None:
    """Every document of the example, in the default theme and both engines: nothing to say, so
    even --strict passes and the PDFs are written."""
    for engine in ("typst", "weasyprint"):
        out = tmp_path / engine
        result = run_cli("render", EXAMPLE, "-f", "pdf", "--engine", engine, "--ats", "--strict", "-o", out)
        assert result.returncode == 0, result.stderr
        assert "applicant-tracking" not in result.stderr
        assert len(list(out.glob("*.pdf"))) == len(documents(EXAMPLE))


def test_columns_read_across_are_told_at_the_document(tmp_path: Path) -> None:
    """The sidebar theme sets sections beside each other: read line by line, a line of each comes
    in turn. The warning names the PDF and points at the document in the profile; --strict fails."""
    args = ("check", EXAMPLE, "-d", "resume", "-f", "pdf", "--theme", "sidebar", "--ats")
    result = run_cli(*args)
    assert result.returncode == 0, result.stderr
    warning = next(line for line in result.stderr.splitlines() if "applicant-tracking" in line)
    assert warning.startswith(f"{EXAMPLE}:"), warning
    assert "documents.resume" in warning and "wenya-tang-resume.pdf" in warning
    assert "the sidebar and the main column beside it are read across the page" in warning
    strict = run_cli(*args, "--strict")
    assert strict.returncode == 1, strict.stderr
    plain = run_cli("check", EXAMPLE, "-d", "resume", "-f", "pdf", "--theme", "sidebar")
    assert "applicant-tracking" not in plain.stderr  # only when asked


def test_a_title_wrapping_beside_its_venue_is_named(tmp_path: Path) -> None:
    """compact sets a publication's venue beside its title, beside the title's last line since
    188fd6c, so a wrapped title reads whole. As it was set before (the venue beside the first line),
    the title is read with the venue between its lines, which the warning says of that title."""
    result = run_cli("render", PHYSICIST, "-f", "pdf", "--theme", "compact", "--ats", "-o", tmp_path)
    assert result.returncode == 0, result.stderr
    assert "applicant-tracking" not in result.stderr
    doc = documents(PHYSICIST)["cv"]
    text = pdf_text_by_lines(output_for(tmp_path, doc).read_bytes())
    first, rest = "= 13\n", "TeV pp collisions Phys. Lett. B 2023\n"
    assert first + rest in text, text
    problems = text_problems(text.replace(first + rest, "= 13 Phys. Lett. B 2023\nTeV pp collisions\n"), doc)
    assert any("in the section 'Publications', 'Measurement of the Higgs boson mass" in p for p in problems)
    assert any("is not read whole: it wraps beside a date, venue or status" in p for p in problems), problems


def test_codes_and_lost_pieces_are_told(tmp_path: Path) -> None:
    """What the real render reads back, altered as a PDF with a font that has no map to Unicode
    reads (pdfminer's `(cid:N)`), or with an entry's title gone."""
    result = run_cli("render", EXAMPLE, "-d", "resume", "-f", "pdf", "-o", tmp_path)
    assert result.returncode == 0, result.stderr
    doc = documents(EXAMPLE)["resume"]
    text = pdf_text_by_lines(output_for(tmp_path, doc).read_bytes())
    assert text_problems(text, doc) == []
    title = "Cirrus Compute Inc."
    assert title in atoms(doc) or any(title in a for a in atoms(doc))
    garbled = text.replace("Cirrus", "(cid:3)(cid:4)rrus")
    problems = text_problems(garbled, doc)
    assert any("4 character(s) read back as codes ('(cid:3), (cid:4)')" in p for p in problems), problems
    assert any("not read at all" in p and "Cirrus Compute" in p for p in problems), problems
    assert not any("read back as codes" in p for p in text_problems(text.replace("Cirrus", "Cirrus\n"), doc))


def test_a_long_piece_is_quoted_cut_with_an_ellipsis(tmp_path: Path) -> None:
    """A piece longer than a message quotes was cut bare ('... with Disa'), which read as if it
    were the CV's text; it ends with an ellipsis now, and a short one is quoted whole."""
    result = run_cli("render", EXAMPLE, "-d", "resume", "-f", "pdf", "-o", tmp_path)
    assert result.returncode == 0, result.stderr
    doc = documents(EXAMPLE)["resume"]
    text = pdf_text_by_lines(output_for(tmp_path, doc).read_bytes())
    long = next(a for a in atoms(doc) if len(a) > 80 and a in text)
    problems = text_problems(text.replace(long, ""), doc)
    assert any(f"{long[:59].rstrip()}…'" in p for p in problems), problems
    assert not any(f"{long[:60]}'" in p for p in problems), problems
