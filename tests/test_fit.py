"""Fitting to max_pages: the search, the theme's [fit] floors, and real renders that overflow."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import PROFILES, RESUME, run_cli, write
from pypdf import PdfReader

from cvbuild.errors import InputError
from cvbuild.targets.fit import (
    FULL_ENOUGH,
    KNOBS,
    STEP,
    Fit,
    Layout,
    Setting,
    apply,
    describe,
    overflow_message,
    search,
    sparse_last_page,
    start_and_floor,
    to_points,
)
from cvbuild.themes.theme import list_themes, load_theme

START = Setting(spacing=1.0, font_size=10.0, margin=2 * 72 / 2.54)
FLOOR = Setting(spacing=0.6, font_size=9.0, margin=72 / 2.54)
PAGE = 700.0  # text area height of the fake engine


def fake_probe(content: float, calls: list[Setting]) -> object:
    """An engine whose content (in points at START) shrinks with spacing, size and margin."""

    def probe(s: Setting) -> Layout:
        calls.append(s)
        # a third of the height is gaps (scale with spacing), all of it scales with the font size,
        # and a narrower margin gives more room on each page.
        height = content * (2 / 3 + s.spacing / 3) * (s.font_size / START.font_size)
        room = PAGE + 2 * (START.margin - s.margin)
        pages = int(height // room) + 1
        return Layout(pages, room, pages, height - (pages - 1) * room, (("Experience", 1, 0.0),))

    return probe


def test_a_document_that_fits_is_laid_out_once() -> None:
    calls: list[Setting] = []
    fit = search(START, FLOOR, 1, fake_probe(600, calls))  # type: ignore[arg-type]
    assert fit.fits and fit.setting == START and calls == [START]


def test_a_few_lines_over_only_tighten_spacing() -> None:
    calls: list[Setting] = []
    fit = search(START, FLOOR, 1, fake_probe(740, calls))  # type: ignore[arg-type]
    assert fit.fits and fit.layout.pages == 1
    assert fit.setting.font_size == START.font_size and fit.setting.margin == START.margin
    assert FLOOR.spacing < fit.setting.spacing < 1.0
    # the largest that fits: one grid step looser does not
    looser = replace(fit.setting, spacing=fit.setting.spacing + 0.05)
    assert fake_probe(740, [])(looser).pages > 1  # type: ignore[operator]
    assert len(calls) <= 1 + 1 + 4


def test_half_a_page_over_also_lowers_the_font_size_within_the_floor() -> None:
    fit = search(START, FLOOR, 1, fake_probe(880, []))  # type: ignore[arg-type]
    assert fit.fits and fit.setting.spacing == FLOOR.spacing
    assert FLOOR.font_size <= fit.setting.font_size < START.font_size
    assert fit.setting.margin == START.margin


def test_margins_are_the_last_resort() -> None:
    fit = search(START, FLOOR, 1, fake_probe(960, []))  # type: ignore[arg-type]
    assert fit.fits and fit.setting.font_size == FLOOR.font_size and fit.setting.spacing == FLOOR.spacing
    assert FLOOR.margin <= fit.setting.margin < START.margin


def test_far_too_much_stops_at_the_floors_and_says_by_how_much() -> None:
    fit = search(START, FLOOR, 1, fake_probe(3000, []))  # type: ignore[arg-type]
    assert not fit.fits and fit.setting == FLOOR
    clause, longest = overflow_message(1, fit, START, {"margin": "2cm", "font_size": "10pt"})
    assert "even at the theme's floors" in clause and "pages over" in clause and ";" not in clause
    assert "spacing 1 → 0.6×" in clause and "font 10 → 9 pt" in clause and "margin 2 → 1 cm" in clause
    assert longest.startswith("Experience (")


@pytest.mark.parametrize("start", [FLOOR, replace(FLOOR, spacing=0.8), replace(START, font_size=FLOOR.font_size)])
def test_a_start_at_or_near_the_floors_is_searched_without_error(start: Setting) -> None:
    # `--set spacing=0.6 --set font_size=9pt --set margin=1cm` once crashed the search (an empty max()).
    calls: list[Setting] = []
    fit = search(start, FLOOR, 1, fake_probe(3000, calls))  # type: ignore[arg-type]
    assert not fit.fits and fit.setting == FLOOR and len(calls) <= 4


@pytest.mark.parametrize("content", [720, 760, 800, 840, 880, 920, 960])
def test_the_search_lays_out_few_settings_and_keeps_the_order(content: float) -> None:
    """Each probe is a full layout, so the search must not bisect blindly: at most five layouts
    (the first included), and it still never moves a knob while an earlier one's floor fits."""
    calls: list[Setting] = []
    probe = fake_probe(content, calls)
    fit = search(START, FLOOR, 1, probe)  # type: ignore[arg-type]
    assert fit.fits and fit.probes == len(calls) <= 5, calls
    for knob, previous in (("font_size", "spacing"), ("margin", "font_size")):
        if fit.setting.get(knob) < START.get(knob):  # then the earlier knobs alone did not fit
            earlier = replace(fit.setting, **{knob: START.get(knob)})
            assert earlier.get(previous) == FLOOR.get(previous)
            assert probe(earlier).pages > 1  # type: ignore[operator]
    # nearly the largest that fits: a fitted page has less than FULL_ENOUGH free, or one grid
    # step looser overflows
    looser = [replace(fit.setting, **{k: fit.setting.get(k) + STEP[k]}) for k in KNOBS]
    moved = [s for s, k in zip(looser, KNOBS, strict=True) if fit.setting.get(k) < START.get(k)]
    assert fit.layout.used >= 1 - FULL_ENOUGH or probe(moved[-1]).pages > 1  # type: ignore[operator]


def gapped_probe(content: float, gap: float, calls: list[Setting]) -> object:
    """`fake_probe`, but on two pages the first ends `gap` points early (an entry moved whole to
    the next page), and the probe marks where each page's text ends."""

    def probe(s: Setting) -> Layout:
        calls.append(s)
        height = content * (2 / 3 + s.spacing / 3) * (s.font_size / START.font_size)
        room = PAGE + 2 * (START.margin - s.margin)
        if height <= room:
            return Layout(1, room, 1, height, (("Experience", 1, 0.0),), bottoms=(height,))
        rest = height - (room - gap)
        return Layout(2, room, 2, rest, (("Experience", 1, 0.0),), bottoms=(room - gap, rest))

    return probe


def test_the_text_measured_leaves_out_the_gap_at_the_foot_of_a_page() -> None:
    # page 1 holds text down to 600 of 700 (the next entry moved whole to page 2), page 2 to 140
    layout = Layout(2, 700.0, 2, 140.0, (("Experience", 1, 0.0), ("Skills", 2, 100.0)), bottoms=(600.0, 140.0))
    assert layout.used == pytest.approx(1.2)
    assert layout.text_at_least == pytest.approx(600 / 700 + 0.2)
    # unmarked, a page counts only down to its lowest section title: never more than there is
    assert replace(layout, bottoms=()).text_at_least == pytest.approx(0.2)


def test_a_spacing_floor_that_surely_overflows_is_not_laid_out() -> None:
    calls: list[Setting] = []
    fit = search(START, FLOOR, 1, gapped_probe(880, 0.0, calls))  # type: ignore[arg-type]
    spacing_floor = replace(START, spacing=FLOOR.spacing)
    assert fit.fits and fit.setting.spacing == FLOOR.spacing and fit.setting.font_size < START.font_size
    assert spacing_floor not in calls and len(calls) <= 4, calls
    assert gapped_probe(880, 0.0, [])(spacing_floor).pages > 1  # type: ignore[operator]


def test_a_gap_at_the_foot_of_the_page_does_not_hide_a_spacing_floor_that_fits() -> None:
    # 200 pt of the first page are a gap: by where the text ends the floor would overflow, but
    # the text itself fits there, so spacing alone must do
    calls: list[Setting] = []
    fit = search(START, FLOOR, 1, gapped_probe(760, 200.0, calls))  # type: ignore[arg-type]
    assert fit.fits and fit.setting.font_size == START.font_size and fit.setting.margin == START.margin


def test_a_tiny_overflow_is_said_in_lines() -> None:
    layout = Layout(2, 700.0, 2, 3.0, (("Skills", 1, 600.0),))
    clause, longest = overflow_message(1, Fit(FLOOR, layout, False, 3), START, {"margin": "2cm", "font_size": "10pt"})
    assert "run less than 0.01 page over (about 1 line)" in clause, clause
    assert longest.startswith("Skills (")


def test_floors_above_the_documents_own_setting_never_loosen_it() -> None:
    start, floor = start_and_floor({"spacing": 0.5, "font_size": "8pt", "margin": "1cm"}, {"font_size": "9pt"})
    assert floor.font_size == start.font_size == 8.0 and floor.spacing == 0.5
    assert floor.margin == start.margin  # no margin floor declared: margins stay


def test_options_keep_their_units_and_the_report_names_what_moved() -> None:
    options = {"font_size": "10pt", "margin": "1.6cm", "spacing": 1.0}
    start, _ = start_and_floor(options, {})
    moved = Setting(0.8, 9.4, to_points("1.2cm")[0])  # type: ignore[index]
    assert apply(options, moved, start) == {"font_size": "9.4pt", "margin": "1.2cm", "spacing": 0.8}
    assert describe(moved, start, options) == "spacing 1 → 0.8×, font 10 → 9.4 pt, margin 1.6 → 1.2 cm"
    assert describe(replace(start, spacing=0.75), start, options) == "spacing 1 → 0.75×"


def test_a_nearly_empty_last_page_is_named_with_a_remedy() -> None:
    layout = Layout(3, 700.0, 3, 50.0, (("Publications", 1, 300.0), ("Honors", 2, 600.0)))
    message = sparse_last_page("cv", layout, 10.0)
    assert message is not None and "only 7% filled" in message and "Publications" in message
    assert "max_pages: 2" in message
    assert sparse_last_page("cv", replace(layout, end_y=200.0), 10.0) is None
    assert sparse_last_page("cv", Layout(1, 700.0, 1, 20.0), 10.0) is None  # one short page is fine


# ---- the theme's [fit] table ------------------------------------------------------------------


def test_every_builtin_theme_with_a_pdf_declares_its_floors() -> None:
    for listed in list_themes():
        if "pdf" in listed.targets:
            theme = load_theme(listed.name)
            assert set(theme.fit) == {"spacing", "font_size", "margin"}, theme.name
            assert "spacing" in theme.options, theme.name


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        ("[fit]\nspacing = 2\n", "fit.spacing: input should be less than or equal to 1"),
        ('[fit]\nfont_size = "small"\n', "fit.font_size: string should match pattern"),
        ("[fit]\nleading = 0.5\n", "fit.leading: unknown key; allowed: spacing, font_size, margin"),
    ],
)
def test_bad_fit_tables_are_located_input_errors(tmp_path: Path, table: str, expected: str) -> None:
    write(tmp_path / "mine" / "theme.toml", f'name = "mine"\nextends = "classic"\n{table}')
    with pytest.raises(InputError) as caught:
        load_theme(str(tmp_path / "mine"))
    text = str(caught.value)
    assert expected in text and "theme.toml:4:" in text, text


# ---- real renders -----------------------------------------------------------------------------


def _resume_with(tmp_path: Path, extra_bullets: int) -> Path:
    """The example résumé with more bullets under its first job, as a user's grows."""
    text = RESUME.read_text(encoding="utf-8")
    bullets = "".join(
        f"      - Extra achievement number {i} with enough words to fill most of one line of the page.\n"
        for i in range(extra_bullets)
    )
    marker = "      - Mentor four engineers; run the team's design reviews.\n"
    assert marker in text
    return write(tmp_path / "resume.yaml", text.replace(marker, marker + bullets))


def _pages(folder: Path) -> int:
    return len(PdfReader(next(folder.glob("*.pdf"))).pages)


@pytest.mark.parametrize(
    ("extra", "changed"),
    [(10, "spacing 1 → 0."), (24, "font 10 → 9."), (32, "margin 1.6 → 1.")],
    ids=["a few lines", "a third of a page", "half a page"],
)
def test_overflows_are_fitted_to_one_page(tmp_path: Path, extra: int, changed: str) -> None:
    profile = _resume_with(tmp_path, extra)
    unbudgeted = write(tmp_path / "free" / "resume.yaml", profile.read_text().replace("max_pages: 1", "formats: [pdf]"))
    plain = run_cli("render", unbudgeted, "-f", "pdf", "-o", tmp_path / "plain")
    assert plain.returncode == 0, plain.stderr
    assert _pages(tmp_path / "plain") == 2
    result = run_cli("render", profile, "-f", "pdf,png", "-o", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    said = result.stdout + result.stderr
    assert "note: document 'resume' fitted to 1 page:" in said, said
    assert changed in said.split("fitted to 1 page:")[1]
    assert "warning" not in said
    assert _pages(tmp_path / "out") == 1
    # fitting is a note, not a warning: CI's --strict passes
    assert run_cli("render", profile, "-f", "pdf", "-o", tmp_path / "strict", "--strict").returncode == 0
    assert len(list((tmp_path / "out").glob("*.png"))) == 1  # PNG pages follow the fitted PDF


def test_far_too_much_warns_exits_0_and_keeps_the_usual_look(tmp_path: Path) -> None:
    profile = _resume_with(tmp_path, 120)
    result = run_cli("render", profile, "-f", "pdf", "-o", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert "over its budget of max_pages: 1 and even at the theme's floors (spacing 1 → 0.6×" in result.stderr
    assert re.search(r"it would run [\d.]+ pages? over \(about \d+ lines?\), so it keeps its usual size", result.stderr)
    assert "shorten it (longest sections: Experience (" in result.stderr
    strict = run_cli("render", profile, "-f", "pdf", "-o", tmp_path / "strict", "--strict")
    assert strict.returncode == 1 and not (tmp_path / "strict").exists()
    assert _pages(tmp_path / "out") > 1
    unbudgeted = write(tmp_path / "free" / "resume.yaml", profile.read_text().replace("max_pages: 1", "formats: [pdf]"))
    assert run_cli("render", unbudgeted, "-f", "pdf", "-o", tmp_path / "usual").returncode == 0
    assert (tmp_path / "usual" / "jordan-alvarez-resume.pdf").read_bytes() == next(
        (tmp_path / "out").glob("*.pdf")
    ).read_bytes()


def test_weasyprint_fits_a_few_lines_by_spacing_alone(tmp_path: Path) -> None:
    profile = _resume_with(tmp_path, 10)
    result = run_cli("render", profile, "-f", "pdf", "--engine", "weasyprint", "-o", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert "fitted to 1 page: spacing 1 → 0." in result.stdout, result.stdout
    assert "font" not in result.stdout.split("fitted to 1 page:")[1]
    assert _pages(tmp_path / "out") == 1


@pytest.mark.parametrize("theme", sorted(t.name for t in list_themes() if "pdf" in t.targets))
def test_onepage_profile_fits_through_weasyprint_in_every_theme(tmp_path: Path, theme: str) -> None:
    """Every built-in print stylesheet follows var(--spacing), so WeasyPrint tightens the same
    knobs as Typst, spacing first, and the page count of the PDF it writes is the budget."""
    result = run_cli(
        "render", PROFILES / "onepage.yaml", "-f", "pdf", "--engine", "weasyprint", "--theme", theme, "-o", tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert "warning" not in result.stderr, result.stderr
    if theme == "compact":  # compact fits at its own size
        assert "fitted" not in result.stdout, result.stdout
    else:
        assert "fitted to 1 page: spacing 1 → 0." in result.stdout, result.stdout
    assert _pages(tmp_path) == 1


# ---- the one-page profile of the issue ----------------------------------------------------------


def test_onepage_profile_is_one_page_in_compact_without_fitting(tmp_path: Path) -> None:
    result = run_cli("render", PROFILES / "onepage.yaml", "-f", "pdf", "-o", tmp_path)
    assert result.returncode == 0, result.stderr
    assert "fitted" not in result.stdout + result.stderr and "warning" not in result.stderr
    assert _pages(tmp_path) == 1


def test_onepage_profile_is_one_page_in_modern_with_fitting(tmp_path: Path) -> None:
    profile = PROFILES / "onepage.yaml"
    result = run_cli("render", profile, "-f", "pdf", "--theme", "modern", "-o", tmp_path)
    assert result.returncode == 0, result.stderr
    assert "note: document 'resume' fitted to 1 page: " in result.stdout, result.stdout + result.stderr
    assert _pages(tmp_path) == 1


def test_the_fitted_pdf_is_the_probe_that_chose_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The render after fitting lays nothing out again: Typst compiles once per probe, and a
    document that fits at once is compiled once in all."""
    import cvbuild.targets.typst_pdf as typst_pdf
    from cvbuild.pipeline import RenderRequest, render

    compiled: list[str] = []
    original = typst_pdf._compile

    def counting(*args: object, **kwargs: object) -> object:
        compiled.append(str(kwargs.get("format")))
        return original(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(typst_pdf, "_compile", counting)
    notes: list[str] = []
    render(RenderRequest(PROFILES / "onepage.yaml", formats=["pdf"], output=tmp_path / "a"), note=notes.append)
    assert compiled == ["pdf"] and notes == []
    compiled.clear()
    request = RenderRequest(PROFILES / "onepage.yaml", formats=["pdf"], theme="modern", output=tmp_path / "b")
    render(request, note=notes.append)
    assert notes and "fitted to 1 page" in notes[0]
    assert 2 <= len(compiled) <= 4, compiled  # the probes, and no compile after them
    fresh = tmp_path / "fresh.yaml"
    fitted = notes[0].split(": ", 1)[1]
    assert "font 10 → " in fitted
    size = fitted.split("font 10 → ")[1].split(" pt")[0]
    write(
        fresh,
        (PROFILES / "onepage.yaml")
        .read_text(encoding="utf-8")
        .replace("    max_pages: 1\n", f"    options: {{spacing: 0.6, font_size: {size}pt}}\n"),
    )
    render(RenderRequest(fresh, formats=["pdf"], theme="modern", output=tmp_path / "c"))
    assert _pages(tmp_path / "b") == 1
    assert next((tmp_path / "b").glob("*.pdf")).read_bytes() == next((tmp_path / "c").glob("*.pdf")).read_bytes()


def test_an_entry_longer_than_a_page_breaks_and_the_document_fits(tmp_path: Path) -> None:
    """A job longer than a page breaks between its bullets (lib.typ entry-block: an entry of more
    than three bullets may break anywhere between them, so nothing needs measuring), and fitting
    to two pages still finds the setting."""
    from cvbuild.pipeline import RenderRequest, render

    profile = _resume_with(tmp_path, 75)  # one job longer than a page, about 2.2 pages in all
    write(profile, profile.read_text(encoding="utf-8").replace("max_pages: 1", "max_pages: 2"))
    notes: list[str] = []
    render(RenderRequest(profile, formats=["pdf"], theme="modern", output=tmp_path / "out"), note=notes.append)
    assert notes and "fitted to 2 pages" in notes[0], notes
    assert _pages(tmp_path / "out") == 2


def test_weasyprint_lays_a_fitting_document_out_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import cvbuild.targets.weasyprint_pdf as weasyprint_pdf
    from cvbuild.pipeline import RenderRequest, render

    laid_out: list[str] = []
    original = weasyprint_pdf._lay_out

    def counting(page: str, ctx: object, variant: str | None) -> object:
        laid_out.append(page)
        return original(page, ctx, variant)  # type: ignore[arg-type]

    monkeypatch.setattr(weasyprint_pdf, "_lay_out", counting)
    request = RenderRequest(PROFILES / "onepage.yaml", formats=["pdf"], engine="weasyprint", output=tmp_path)
    render(request)
    assert len(laid_out) == 1  # the budget's probe is the PDF
    assert _pages(tmp_path) == 1


@pytest.mark.parametrize("engine", ["typst", "weasyprint"])
def test_compact_tightens_its_spacing_in_both_engines(tmp_path: Path, engine: str) -> None:
    """compact's print CSS follows the `spacing` option too, so WeasyPrint fits it the same way."""
    text = (PROFILES / "onepage.yaml").read_text(encoding="utf-8")
    marker = "          - Led five engineers through design review, rollout and the on-call handover.\n"
    extra = "".join(f"          - Another result, number {i}, long enough to take most of a line.\n" for i in range(7))
    profile = write(tmp_path / "p.yaml", text.replace(marker, marker + extra))
    result = run_cli("render", profile, "-f", "pdf", "--engine", engine, "-o", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert "fitted to 1 page: spacing 1 → 0." in result.stdout, result.stdout + result.stderr
    assert _pages(tmp_path / "out") == 1


def test_a_margin_per_side_is_narrowed_at_its_widest_sides() -> None:
    """`margin: 1cm 3cm 2cm 4cm` (a RenderCV page's four): fitting narrows the widest sides first,
    down to the next and then to the floor, and keeps the narrower ones and each side's unit; the
    per-side margin read as no margin at all (to_points), so fitting never moved it."""
    options = {"font_size": "10pt", "margin": "1cm 3cm 2cm 4cm"}
    start, floor = start_and_floor(options, {"margin": "1cm"})
    assert round(start.margin / (72 / 2.54), 6) == 4 and round(floor.margin / (72 / 2.54), 6) == 1
    narrower = replace(start, margin=2.5 * 72 / 2.54)
    assert apply(options, narrower, start)["margin"] == "1cm 2.5cm 2cm"
    assert apply(options, floor, start)["margin"] == "1cm"
    assert describe(narrower, start, options) == "widest margin 4 → 2.5 cm"
    assert apply({"margin": "0.5in 1in"}, replace(start, margin=54.0), start)["margin"] == "0.5in 0.75in"


def test_a_page_with_a_margin_per_side_is_fitted_to_its_budget(tmp_path: Path) -> None:
    """The one-page résumé with 7cm sides: fitted by narrowing them at last, on one page."""
    source = RESUME.read_text(encoding="utf-8")
    assert "    max_pages: 1\n" in source and "    options:" not in source
    own = "    max_pages: 1\n    options:\n      margin: 1cm 7cm 1cm 7cm\n"
    profile = write(tmp_path / "resume.yaml", source.replace("    max_pages: 1\n", own))
    result = run_cli("render", profile, "-f", "pdf", "-o", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert "widest margin 7 → " in result.stdout + result.stderr, result
    assert len(PdfReader(next((tmp_path / "out").glob("*.pdf"))).pages) == 1
