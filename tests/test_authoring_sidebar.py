"""The two-column `sidebar` theme: a coloured band beside the main column in the PDF, and HTML whose
band stacks above the main column on a phone."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import EXAMPLE, RESUME, run_cli

BAND_CM = 6.4
PT_PER_CM = 72 / 2.54

# The lines of an element's first text node as the browser laid them out: the rectangles of each
# character, by line ({top, text, right}).
TEXT_LINES = """e => {
    const text = e.firstChild, out = [];
    for (let i = 0; i < text.length; i++) {
        const r = document.createRange(); r.setStart(text, i); r.setEnd(text, i + 1);
        const box = r.getBoundingClientRect();
        if (!box.width) continue;
        const last = out[out.length - 1];
        if (last && Math.abs(last.top - box.top) < 2) { last.text += text.data[i]; last.right = box.right; }
        else out.push({top: box.top, text: text.data[i], right: box.right});
    }
    return out;
}"""


def html_text_lines(profile_text: str, selector: str, tmp_path: Path, browser: Any) -> tuple[list[Any], float]:
    """The lines of `selector`'s text in sidebar's HTML page on a desktop, and the right edge of
    the masthead band's text."""
    profile = tmp_path / "profile.yaml"
    profile.write_text(profile_text, encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli("render", profile, "-f", "html", "--theme", "sidebar", "-o", out)
    assert result.returncode == 0, result.stderr
    page = browser.new_page(viewport={"width": 1100, "height": 800})
    try:
        page.goto(next(out.glob("*.html")).as_uri(), wait_until="load")
        band = page.eval_on_selector(
            ".masthead", "e => e.getBoundingClientRect().right - parseFloat(getComputedStyle(e).paddingRight)"
        )
        return page.eval_on_selector(selector, TEXT_LINES), band
    finally:
        page.close()


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sidebar")
    result = run_cli("render", RESUME, "-f", "pdf,html", "--theme", "sidebar", "-o", out)
    assert result.returncode == 0, result.stderr
    return out


def test_pdf_puts_contact_and_skills_in_the_band(rendered: Path) -> None:
    import pdfplumber

    with pdfplumber.open(next(rendered.glob("*.pdf"))) as pdf:
        page = pdf.pages[0]
        band = BAND_CM * PT_PER_CM
        words = page.extract_words()
        side = " ".join(w["text"] for w in words if w["x1"] < band)
        main = " ".join(w["text"] for w in words if w["x0"] > band)
        fills = [r for r in page.rects if r["x0"] < 1 and abs(r["x1"] - band) < 1 and r["height"] > page.height - 1]
    assert fills, "the coloured band spans the page height"
    for text in ("Jordan", "jordan.alvarez@example.com", "GitHub", "SKILLS", "Infrastructure", "Kubernetes,"):
        assert text in side
    for text in ("EXPERIENCE", "Brightline", "PUBLICATIONS", "Exactly-Once"):
        assert text in main and text not in side


def _boxes(browser: object, page_path: Path, width: int) -> dict[str, dict[str, float]]:
    page = browser.new_page(viewport={"width": width, "height": 900})  # type: ignore[attr-defined]
    page.goto(page_path.as_uri())
    boxes: dict[str, dict[str, float]] = page.evaluate(
        """() => Object.fromEntries(['.masthead', 'aside.band', 'main', 'body'].map(s => {
             const r = document.querySelector(s).getBoundingClientRect();
             return [s, {left: r.left, right: r.right, top: r.top, bottom: r.bottom,
                         scroll: document.documentElement.scrollWidth}];
           }))"""
    )
    page.close()
    return boxes


def test_html_two_columns_on_a_desktop(rendered: Path, browser: object) -> None:
    b = _boxes(browser, next(rendered.glob("*.html")), 1280)
    head, band, main = b[".masthead"], b["aside.band"], b["main"]
    assert head["right"] <= main["left"] and band["right"] <= main["left"]
    assert head["top"] == main["top"] and band["top"] < main["bottom"]
    assert b["body"]["scroll"] <= 1280


def test_html_band_stacks_above_main_on_a_phone(rendered: Path, browser: object) -> None:
    b = _boxes(browser, next(rendered.glob("*.html")), 390)
    head, band, main = b[".masthead"], b["aside.band"], b["main"]
    assert head["bottom"] <= band["top"] + 1 and band["bottom"] <= main["top"] + 1
    assert main["left"] < 30 and main["right"] > 360
    assert b["body"]["scroll"] <= 390  # nothing wider than the phone


def test_sidebar_sections_option_moves_sections(tmp_path: Path) -> None:
    result = run_cli(
        "render", EXAMPLE, "-d", "cv", "-f", "html", "--theme", "sidebar", "-o", tmp_path,
        "--set", "sidebar_sections=languages,honors",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    page = next(tmp_path.glob("*.html")).read_text(encoding="utf-8")
    aside = page.split('<aside class="band">', 1)[1].split("</aside>", 1)[0]
    assert 'id="honors"' in aside and 'id="languages"' in aside and 'id="skills"' not in aside
    assert page.count('id="honors"') == 1


LONG_NAMES = {
    # a real one: Polish given name, Danish-Spanish surname
    "Małgorzata Østergaard-Núñez": ["Małgorzata", "Østergaard-", "Núñez"],
    # capitals are far wider than the average letter an estimate from the number of letters took
    "MAXIMILIANO WOJCIECHOWSKI-OYELARAN": ["MAXIMILIANO", "WOJCIECHOWSKI-", "OYELARAN"],
}


@pytest.mark.parametrize("name", LONG_NAMES)
@pytest.mark.parametrize("engine", ["typst", "weasyprint"])
def test_pdf_long_name_stays_inside_the_band(engine: str, name: str, tmp_path: Path) -> None:
    """A long name with a long hyphenated part is set smaller until its widest part fits the band,
    rather than running past its edge, where white text on the white page is invisible, or being
    broken inside a word or before its hyphen ("Østergaard" / "-Núñez", as WeasyPrint did): it
    breaks after the hyphen."""
    import pdfplumber

    profile = tmp_path / "profile.yaml"
    profile.write_text(f"name: {name}\nheadline: Associate Professor\n", encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli("render", profile, "-f", "pdf", "--theme", "sidebar", "--engine", engine, "-o", out)
    assert result.returncode == 0, result.stderr
    with pdfplumber.open(next(out.glob("*.pdf"))) as pdf:
        page = pdf.pages[0]
        band = BAND_CM * PT_PER_CM
        name_chars = [c for c in page.chars if c["top"] < 150 and c["size"] > 11]
    assert "".join(c["text"] for c in name_chars).replace(" ", "") == name.replace(" ", "")
    assert max(c["x1"] for c in name_chars) <= band - 0.3 * PT_PER_CM
    lines: dict[int, str] = {}
    for c in sorted(name_chars, key=lambda c: (round(c["top"]), c["x0"])):
        lines[round(c["top"])] = lines.get(round(c["top"]), "") + c["text"]
    assert [line.strip() for line in lines.values()] == LONG_NAMES[name]


@pytest.mark.parametrize("name", LONG_NAMES)
def test_html_long_name_stays_inside_the_band(name: str, tmp_path: Path, browser: Any) -> None:
    """The same in Chromium, on a desktop: each line of the name is one of its parts, inside the band."""
    lines, band = html_text_lines(
        f"name: {name}\nheadline: Associate Professor\n", ".masthead h1 .name", tmp_path, browser
    )
    assert [line["text"].strip() for line in lines] == LONG_NAMES[name]
    assert max(line["right"] for line in lines) <= band, (lines, band)


@pytest.mark.parametrize("engine", ["typst", "weasyprint"])
def test_no_contact_title_without_contact_details(engine: str, tmp_path: Path) -> None:
    """A profile without contact details (seed 001's publications page) has no "Contact" title in
    the band: the HTML's empty list drew it alone."""
    import pdfplumber

    profile = tmp_path / "profile.yaml"
    profile.write_text("name: Ziming Mao\nsummary: Systems for ML.\n", encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli("render", profile, "-f", "pdf,html", "--theme", "sidebar", "--engine", engine, "-o", out)
    assert result.returncode == 0, result.stderr
    with pdfplumber.open(next(out.glob("*.pdf"))) as pdf:
        text = pdf.pages[0].extract_text()
    assert "Systems for ML." in text and "CONTACT" not in text.upper()
    assert 'class="contact' not in next(out.glob("*.html")).read_text(encoding="utf-8")


OBFUSCATED = """\
name: Noa Example
contact: {email: zhang@cs.exampleuniv.edu.cn}
documents:
  cv: {options: {show_email: obfuscated}}
"""


def email_lines(lines: list[str]) -> list[str]:
    """The lines of the obfuscated e-mail, from the first (`zhang (at) ...`) to the one with `cn`."""
    first = next(i for i, line in enumerate(lines) if line.startswith("zhang"))
    last = next(i for i, line in enumerate(lines) if i >= first and line.endswith("cn"))
    return [line.replace("\u00a0", " ") for line in lines[first : last + 1]]


def check_email_breaks(lines: list[str]) -> None:
    assert " ".join(lines) == "zhang (at) cs (dot) exampleuniv (dot) edu (dot) cn", lines
    assert len(lines) > 1, lines  # it wraps in the band: what is checked is where
    assert all(not line.startswith(("(at)", "(dot)")) for line in lines), lines
    assert lines[-1].endswith("edu (dot) cn"), lines


@pytest.mark.parametrize("engine", ["typst", "weasyprint"])
def test_pdf_obfuscated_email_breaks_after_its_dots(engine: str, tmp_path: Path) -> None:
    """`zhang (at) cs (dot) exampleuniv (dot) edu (dot)` then `cn` alone on a line: the obfuscated
    e-mail breaks only after an `(at)` or a `(dot)`, and keeps its last part with the one before."""
    import pdfplumber

    profile = tmp_path / "profile.yaml"
    profile.write_text(OBFUSCATED, encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli("render", profile, "-f", "pdf", "--theme", "sidebar", "--engine", engine, "-o", out)
    assert result.returncode == 0, result.stderr
    with pdfplumber.open(next(out.glob("*.pdf"))) as pdf:
        page = pdf.pages[0]
        band = page.crop((0, 0, BAND_CM * PT_PER_CM, page.height))
        lines = [line.strip() for line in band.extract_text().splitlines()]
    check_email_breaks(email_lines(lines))


def test_html_obfuscated_email_breaks_after_its_dots(tmp_path: Path, browser: Any) -> None:
    """The same in Chromium: the lines of the e-mail as the browser laid them out."""
    lines, _ = html_text_lines(OBFUSCATED, ".contact .email", tmp_path, browser)
    check_email_breaks(email_lines([line["text"].strip() for line in lines]))


WIDE_MARGIN = """\
name: Jordan Alvarez
headline: Senior Backend Engineer
contact: {email: jordan.alvarez@example.com, location: "Seattle, WA"}
skills:
  - {category: Languages, items: [Go, Rust]}
summary: Backend engineer.
documents:
  cv:
    theme: sidebar
    options:
      margin: "1.3cm 1.3cm 1.3cm 7cm"
"""


def test_a_left_margin_wider_than_the_band_is_refused_at_its_line(tmp_path: Path) -> None:
    """A left margin past the band's edge left the band's text no width: Typst drew none of it and
    WeasyPrint spun. It is refused where it is written, with a margin and a band that fit."""
    profile = tmp_path / "profile.yaml"
    profile.write_text(WIDE_MARGIN, encoding="utf-8")
    for command in (("render", profile, "-f", "pdf,html", "-o", tmp_path / "out"), ("validate", profile)):
        result = run_cli(*command)
        assert result.returncode == 2, result.stderr
        assert f"{profile}:11:15: documents.cv.options.margin: the left margin (7cm)" in result.stderr
        assert "margin: '1.3cm 1.3cm 1.3cm 3.35cm'" in result.stderr and "sidebar_width: 10.05cm" in result.stderr
    assert not (tmp_path / "out").exists()
    result = run_cli("render", profile, "-f", "pdf", "--set", "sidebar_width=10.05cm", "-o", tmp_path / "wide")
    assert result.returncode == 0, result.stderr  # a fix on the command line is taken
    result = run_cli("render", profile, "-f", "pdf", "--set", "margin=6cm", "-o", tmp_path / "set")
    assert result.returncode == 2 and result.stderr.startswith("error: --set: the left margin (6cm)"), result.stderr


@pytest.mark.parametrize("engine", ["typst", "weasyprint"])
def test_the_widest_left_margin_taken_keeps_the_band_text(engine: str, tmp_path: Path) -> None:
    """At the widest left margin the band takes, its text is all there, between that margin and the
    band's edge, in both engines."""
    import pdfplumber

    profile = tmp_path / "profile.yaml"
    profile.write_text(WIDE_MARGIN.replace("7cm", "3.35cm"), encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli("render", profile, "-f", "pdf", "--engine", engine, "-o", out)
    assert result.returncode == 0, result.stderr
    with pdfplumber.open(next(out.glob("*.pdf"))) as pdf:
        band = [w for w in pdf.pages[0].extract_words() if w["x0"] < BAND_CM * PT_PER_CM]
    text = " ".join(w["text"] for w in band)
    for word in ("Jordan", "Alvarez", "Seattle,", "SKILLS", "Rust"):
        assert word in text, text
    assert min(w["x0"] for w in band) > 3.35 * PT_PER_CM - 1
    assert max(w["x1"] for w in band) < BAND_CM * PT_PER_CM
