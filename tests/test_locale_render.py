"""Every language through every theme and target: the words read back from the Typst PDF, the
WeasyPrint PDF, the HTML page (as Chromium shows it), the text and the Markdown are the locale's,
and no English word of cvbuild's vocabulary is left over."""

from __future__ import annotations

import datetime as dt
import itertools
import re
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from conftest import BUILTIN_THEMES, pdf_text, run_cli, write

from cvbuild.document.dates import localized
from cvbuild.document.locales import LANGUAGES, english_leftovers, words
from cvbuild.themes.check import fixture_profile

# `theme check`'s German fixture: the owner's text holds no English word of the vocabulary.
GERMAN = fixture_profile("german", Path("."))
BUILD_DAY = (2026, 1, 1)  # SOURCE_DATE_EPOCH of the tests

# Every section of the fixture, and what each output shows of the rest of the vocabulary.
SECTIONS = [
    "summary", "interests", "education", "experience", "publications", "projects", "honors",
    "certificates", "talks", "teaching", "service", "volunteer", "skills", "languages", "references",
]  # fmt: skip
STATUSES = ["accepted", "to_appear", "under_review", "submitted", "in_preparation"]
DETAILS = ["gpa", "thesis", "advisor", "advisors", "mentor", "mentors", "worked_with", "courses"]
TYPES = ["conference", "journal", "workshop", "preprint", "thesis", "patent", "book", "chapter", "report"]


def fold(text: str) -> str:
    """For finding a word in extracted text: NFKC, casefolded (small caps, upper-case headings), no
    whitespace or hyphens (line breaks, hyphenation of long German words), no NULs (pypdf reads
    some CJK text of WeasyPrint's PDFs with one after each character)."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return "".join(c for c in text if not c.isspace() and c not in "-\u00ad\u2010\u200b\x00")


def expected(lang: str, target: str, pages: int = 0) -> list[str]:
    """The locale's words each output of the fixture must show (`pages`: of a PDF)."""
    w = words(lang)
    colon = w["colon"].strip()
    day = localized(dt.date(*BUILD_DAY), "long", lang)
    want = [w[f"section.{s}"] for s in SECTIONS]
    want += [w[f"status.{s}"] for s in STATUSES]
    want += [w[f"detail.{d}"] + colon for d in DETAILS]
    want += [w["date.present"], w["date.expected"].strip(), w["talk.invited"].strip(), w["talk.invited_talk"]]
    want += [w["references.on_request"], w["legend.equal"], w["legend.corresponding"], w["updated"] + " " + day]
    want += [w[f"type.{t}"] for t in TYPES]
    if pages:  # the footer from page 2 on
        want.append(w["page_of"].format(page=2, pages=pages))
    if target == "txt":  # every link with its label, and the contact lines
        want += [w[k] + colon for k in ("email", "phone", "website", "location")]
        links = ["paper", "code", "slides", "video", "data", "project", "poster", "demo", "blog", "course"]
        want += [w[f"link.{k}"] + colon for k in [*links, "certificate", "event", "website", "link"]]
    return [s for s in want if s]


def missing(lang: str, target: str, text: str, pages: int = 0) -> list[str]:
    folded = fold(text)
    return [s for s in expected(lang, target, pages) if fold(s) not in folded]


def page_count(path: Path) -> int:
    from pypdf import PdfReader

    count = len(PdfReader(path).pages)
    assert count >= 2, f"{path}: the fixture must fill two pages, for the footer of page 2"
    return count


def in_language(lang: str, folder: Path) -> Path:
    """The German fixture with another locale."""
    text = GERMAN.read_text(encoding="utf-8")
    assert "    locale: de\n" in text
    return write(folder / f"{lang}.yaml", text.replace("    locale: de\n", f"    locale: {lang}\n"))


@pytest.fixture(scope="module")
def chromium(browser: Any) -> Any:
    page = browser.new_page(viewport={"width": 1000, "height": 900})
    yield page
    page.close()


@pytest.mark.parametrize("theme", BUILTIN_THEMES)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_target_speaks_the_locale(lang: str, theme: str, tmp_path: Path, chromium: Any) -> None:
    out = tmp_path / "out"
    profile = in_language(lang, tmp_path)
    args = ("--theme", theme, "-o")
    result = run_cli("render", profile, "-f", "pdf,html,txt,md", *args, out)
    assert result.returncode == 0, result.stderr
    result = run_cli("render", profile, "-f", "pdf", "--engine", "weasyprint", *args, tmp_path / "weasy")
    assert result.returncode == 0, result.stderr
    chromium.goto((out / "ada-beispiel-cv.html").as_uri(), wait_until="load")
    pdfs = {"typst": out / "ada-beispiel-cv.pdf", "weasyprint": tmp_path / "weasy" / "ada-beispiel-cv.pdf"}
    pages = {target: page_count(path) for target, path in pdfs.items()}
    texts = {
        **{target: pdf_text(path) for target, path in pdfs.items()},
        "html": chromium.inner_text("body"),
        "txt": (out / "ada-beispiel-cv.txt").read_text(encoding="utf-8"),
        "md": (out / "ada-beispiel-cv.md").read_text(encoding="utf-8").replace("\\", "").replace("*", ""),  # no markup
    }
    problems = {
        target: (missing(lang, target, text, pages.get(target, 0)), english_leftovers(lang, text))
        for target, text in texts.items()
    }
    problems = {target: found for target, found in problems.items() if found[0] or found[1]}
    assert not problems, problems
    assert chromium.get_attribute("html", "lang") == lang


@pytest.mark.parametrize("lang", ["de", "zh", "ko"])
def test_localised_renders_are_deterministic(lang: str, tmp_path: Path) -> None:
    """Same bytes from two fresh processes (other hash seeds), babel's data included."""
    outs = []
    for run in ("a", "b"):
        out = tmp_path / run
        result = run_cli("render", in_language(lang, tmp_path), "-f", "pdf,html,txt,md", "-o", out, fresh=True)
        assert result.returncode == 0, result.stderr
        outs.append({p.name: p.read_bytes() for p in sorted(out.iterdir())})
    assert outs[0] == outs[1]


# ---- what follows a label ----------------------------------------------------------------------

LABELLED = """\
name: Ada Beispiel
contact: {email: ada@example.org, location: Zorbhafen}
education:
  - {institution: Universitas Zorbica, degree: M.Sc., start: 2019-10, end: 2021-09, advisors: [Marta Quell]}
skills:
  - {category: Vexilogie, items: [Quorra, Nimbor]}
documents:
  cv: {locale: LANG}
"""


def rendered_texts(profile: Path, theme: str, out: Path, chromium: Any) -> dict[str, str]:
    """The text of each target of `profile`: both PDFs (poppler reads WeasyPrint's CJK text
    cleanly), the HTML as Chromium shows it, the text and the Markdown without its markup."""
    import subprocess

    args = ("--theme", theme, "-o")
    result = run_cli("render", profile, "-f", "pdf,html,txt,md", *args, out / "typst")
    assert result.returncode == 0, result.stderr
    result = run_cli("render", profile, "-f", "pdf", "--engine", "weasyprint", *args, out / "weasy")
    assert result.returncode == 0, result.stderr
    stem = out / "typst" / "ada-beispiel-cv"
    chromium.goto(stem.with_suffix(".html").as_uri(), wait_until="load")
    pdf = {
        engine: subprocess.run(
            ["pdftotext", str(out / engine / "ada-beispiel-cv.pdf"), "-"], capture_output=True, text=True, check=True
        ).stdout
        for engine in ("typst", "weasy")
    }
    return {
        **pdf,
        "html": chromium.inner_text("body"),
        "txt": stem.with_suffix(".txt").read_text(encoding="utf-8"),
        "md": stem.with_suffix(".md").read_text(encoding="utf-8").replace("\\", "").replace("*", ""),
    }


@pytest.mark.parametrize("theme", BUILTIN_THEMES)
@pytest.mark.parametrize("lang", ["en", "fr", "zh", "ja", "ko"])
def test_a_label_is_followed_by_one_gap(lang: str, theme: str, tmp_path: Path, chromium: Any) -> None:
    """`导师：Marta Quell`: a full-width colon carries its own gap, so Chinese and Japanese put no
    space after it (the templates added one: `导师： Marta`); `Advisor: `, French `Encadrement : `."""
    w = words(lang)
    profile = write(tmp_path / "p.yaml", LABELLED.replace("LANG", lang))
    texts = rendered_texts(profile, theme, tmp_path, chromium)
    sep = w["label_sep"].replace("\u00a0", " ")
    want = {target: [w["detail.advisor"] + sep + "Marta Quell"] for target in texts}
    for target in ("txt", "md"):  # the table row ("Vexilogie: Quorra, Nimbor"), in txt the contact lines
        want[target].append("Vexilogie" + sep + "Quorra" + w["list_sep"] + "Nimbor")  # 、 in zh and ja
    want["txt"] += [w["email"] + sep + "ada@example.org", w["location"] + sep + "Zorbhafen"]
    texts = {target: text.replace("\u00a0", " ") for target, text in texts.items()}
    problems = {target: [s for s in want[target] if s not in text] for target, text in texts.items()}
    assert not any(problems.values()), (problems, texts)
    gaps = {target: re.findall(r"\S+：[ \u3000]+\S+", text) for target, text in texts.items()}
    assert not any(gaps.values()), gaps


# ---- quotes inside quotes, and the first of a month ---------------------------------------------

QUOTED = """\
name: Ada Beispiel
headline: '"Quorra ''Vexil'' Nimbor" l''art'
documents:
  cv: {locale: LANG}
"""
# What PDF and HTML show (typeset); text and Markdown keep what was typed.
TYPESET = {
    "fr": "« Quorra “Vexil” Nimbor » l’art",
    "de": "„Quorra ‚Vexil‘ Nimbor“ l’art",
    "ja": "「Quorra 『Vexil』 Nimbor」 l’art",
}


@pytest.mark.parametrize("theme", BUILTIN_THEMES)
@pytest.mark.parametrize("lang", list(TYPESET))
def test_inner_quotes_and_the_first_of_the_month_are_the_languages(
    lang: str, theme: str, tmp_path: Path, chromium: Any
) -> None:
    """A quote inside a quote gets the language's single quotes in both PDFs and the HTML (text and
    Markdown keep what was typed); French writes the first of a month `1er` in every footer."""
    profile = write(tmp_path / "p.yaml", QUOTED.replace("LANG", lang))
    texts = rendered_texts(profile, theme, tmp_path, chromium)
    typed = "\"Quorra 'Vexil' Nimbor\" l'art"
    want = {"typst": TYPESET[lang], "weasy": TYPESET[lang], "html": TYPESET[lang], "txt": typed, "md": typed}
    footer = words(lang)["updated"] + localized(dt.date(*BUILD_DAY), "long", lang)
    assert lang != "fr" or "1er janvier 2026" in footer
    squashed = {t: "".join(s.split()) for t, s in texts.items()}  # PDF readers space CJK and kerned pairs
    flat = {t: " ".join(s.replace("\u00a0", " ").split()) for t, s in texts.items()}
    problems = {t: flat[t] for t in texts if want[t] not in flat[t] or "".join(footer.split()) not in squashed[t]}
    assert not problems, (want, footer, problems)


# ---- brackets and list separators of Chinese and Japanese ----------------------------------------

CJK_PUNCTUATION = """\
name: Ada Beispiel
education:
  - institution: Universitas Zorbica
    degree: M.Sc.
    start: 2019-10
    end: 2021-09
    advisors: [Marta Quell, Iver Stahl]
    courses: [Vexilogie, Nimborik]
experience:
  - {organization: Quellwerk, role: Vexilogin, start: 2023-04, end: present}
publications:
  - {id: a, title: Quorra Alpha, authors: [Ada Beispiel], venue: ZORB, date: 2025, type: conference, status: accepted}
  - {id: b, title: Quorra Beta, authors: [Ada Beispiel], venue: ZW, date: 2024, type: workshop, status: under_review}
projects:
  - {name: Vexil, stars: 4100}
skills:
  - {category: Vexilogie, items: [Quorra, Nimbor]}
languages:
  - {language: Zorbisch, fluency: C2}
interests: [Quorra, Vexil]
documents:
  cv: {locale: LANG}
"""
CJK = re.compile(r"[\u3000-\u30ff\u4e00-\u9fff\uff00-\uffef]")


@pytest.mark.parametrize("theme", BUILTIN_THEMES)
@pytest.mark.parametrize("lang", ["zh", "ja"])
def test_chinese_and_japanese_use_their_brackets_and_list_separators(
    lang: str, theme: str, tmp_path: Path, chromium: Any
) -> None:
    """A status was printed in ASCII parentheses with a gap ("ZORB 2025 (已录用)"), courses joined
    by "; " and names, skills and interests by ", ": Chinese and Japanese write （已录用） with no gap
    before it, and 、 between the items of a list (CLDR's list pattern); Japanese joins a range with ～."""
    w = words(lang)
    profile = write(tmp_path / "p.yaml", CJK_PUNCTUATION.replace("LANG", lang))
    texts = rendered_texts(profile, theme, tmp_path, chromium)
    sep = w["list_sep"]
    want = [f"Marta Quell{sep}Iver Stahl", f"Vexilogie{sep}Nimborik", f"Quorra{sep}Nimbor", "Zorbisch（C2）"]
    want += [w["status.accepted"], w["status.under_review"], w["date.present"]]
    want += ["2023年4月～現在"] if lang == "ja" else []
    flat = {t: "".join(s.split()) for t, s in texts.items()}  # PDF readers space CJK and Latin apart
    problems = {t: [s for s in want if "".join(s.split()) not in flat[t]] for t in texts}
    assert not any(problems.values()), (problems, texts)
    # No ASCII bracket, comma or semicolon beside the language's own text, no gap before a full-width bracket.
    mixed = {
        t: re.findall(rf"\S*(?:[(),;]\s*{CJK.pattern}|{CJK.pattern}\s*[(),;]|[ \u3000]（)\S*", s)
        for t, s in texts.items()
    }
    assert not any(mixed.values()), mixed
    if theme == "classic":  # the status in brackets right after the venue
        for t in ("typst", "weasy", "html"):
            assert f"ZORB2025（{w['status.accepted']}）" in flat[t], texts[t]


# Markup of every kind; the fields that take inline Markdown (courses, advisors) get it without
# `*b* _i_`, which they show as emphasis.
HOSTILE = "#x $y$ *b* _i_ <script>alert(1)</script> @r \\ ] [ { } 😀 中文"
HOSTILE_MD = "#x $y$ <script>alert(1)</script> @r \\ ] [ { } 😀 中文"
PUNCTUATION_LABELS = ["paren_open", "paren_close", "comma", "list_sep", "list_sep_long", "range_sep"]


def hostile_punctuation_profile(lang: str) -> str:
    """Hostile text in the e-mail, a status, courses, advisors, degree and field, and in every
    label the punctuation of a language comes from, each marked ⟦key:…⟧ to be found."""
    import json

    def q(text: str) -> str:
        return json.dumps(text, ensure_ascii=False)

    labels = {key: f"⟦{key}:{HOSTILE}⟧" for key in PUNCTUATION_LABELS}
    labels["degree.in_field"] = "{degree}⟦in_field:" + HOSTILE.replace("{", "{{").replace("}", "}}") + "⟧{field}"
    return f"""
name: Ada Beispiel
contact: {{email: 'x#$*_<b>]\\[{{}}😀中@evil.ex{{a}}mple.c#om'}}
education:
  - {{institution: Uni, degree: {q("DEG" + HOSTILE)}, field: {q("FLD" + HOSTILE)}, start: 2020, end: 2024,
      courses: [{q("C1" + HOSTILE_MD)}, {q("C2" + HOSTILE_MD)}],
      advisors: [{q("A1" + HOSTILE_MD)}, {q("A2" + HOSTILE_MD)}]}}
publications:
  - {{title: T, authors: [Ada Beispiel], venue: ZORB 2025, date: 2025, status: accepted}}
skills: [{{category: S, items: [{q("I1" + HOSTILE)}, {q("I2" + HOSTILE)}]}}]
languages: [{{language: Zorbisch, fluency: {q("F" + HOSTILE)}}}]
projects: [{{name: P, start: 2021, metrics: [{q("M" + HOSTILE)}]}}]
documents:
  cv:
    locale: {lang}
    options: {{show_email: obfuscated}}
    publications: {{status_labels: {{accepted: {q("ST" + HOSTILE)}}}}}
    labels: {json.dumps(labels, ensure_ascii=False)}
"""


@pytest.mark.parametrize(
    ("lang", "theme"),
    [
        *[("zh", theme) for theme in ("classic", "sidebar", "compact", "modern")],
        *[(lang, "classic") for lang in ("ja", "fr", "ko")],
    ],
)
def test_hostile_text_in_punctuation_labels_and_cjk_fields_is_verbatim(
    lang: str, theme: str, tmp_path: Path, chromium: Any
) -> None:
    """The punctuation a language now brings (brackets, commas, list and range separators, a
    degree's field) is a label the owner may set: it and the text it joins are data in every target,
    and the obfuscated e-mail keeps every character of the address."""
    from markdown_it import MarkdownIt

    alerts: list[str] = []
    chromium.on("dialog", lambda dialog: (alerts.append(dialog.message), dialog.dismiss()))
    profile = write(tmp_path / "p.yaml", hostile_punctuation_profile(lang))
    texts = rendered_texts(profile, theme, tmp_path, chromium)
    assert not alerts
    for engine in ("typst", "weasy"):  # pypdf keeps a two-column row's lines apart (pdftotext interleaves them)
        texts[engine] = pdf_text(tmp_path / engine / "ada-beispiel-cv.pdf")
    md = (tmp_path / "typst" / "ada-beispiel-cv.md").read_text(encoding="utf-8")
    texts["md"] = re.sub(r"<[^>]+>", "", MarkdownIt("commonmark").render(md))  # entities stay: &lt;script&gt;
    texts["md"] = texts["md"].replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&").replace("&quot;", '"')
    flat = {t: "".join(s.replace("\x00", "").split()) for t, s in texts.items()}
    host, host_md = "".join(HOSTILE.split()), "".join(HOSTILE_MD.split())
    want = [f"{name}{host}" for name in ("DEG", "FLD", "I1", "I2", "F", "ST")]
    want += [f"{name}{host_md}" for name in ("C1", "C2", "A1", "A2")]
    want += ["x#$*_<b>]\\[{}😀中(at)evil(dot)ex{a}mple(dot)c#om"]
    problems = {t: [s[:8] for s in want if s not in flat[t]] for t in texts}
    assert not any(problems.values()), problems
    for target, text in flat.items():  # each label shown is shown whole, and classic shows them all
        shown = set(re.findall(r"⟦(\w+):", text))
        assert all(text.count(f"⟦{key}:") == text.count(f"⟦{key}:{host}⟧") for key in shown), texts[target]
        if theme == "classic":
            assert shown >= {*PUNCTUATION_LABELS, "in_field"} - {"comma"}, (target, shown)


# ---- Korean --------------------------------------------------------------------------------------

KOREAN = Path(__file__).resolve().parent / "fixtures" / "korean" / "profile.yaml"
HANGUL_RUN = re.compile(r"[\uac00-\ud7a3]+")
# Every syllable of a Korean word that Chromium laid out on another line than what comes before it
# in the word. After a syllable a line may end, before what is not Hangul: Blink's keep-all lets a
# bracket or a Latin word start the next line ("혼합 / (Mixture-of-Experts)"), as Korean web pages do.
SPLIT_WORDS_JS = """() => {
  const split = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (const m of node.data.matchAll(/(?=(\\S[\\uac00-\\ud7a3]))/g)) {
      const range = document.createRange();
      range.setStart(node, m.index);
      range.setEnd(node, m.index + 2);
      const tops = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)));
      if (tops.size > 1) split.push(m[1]);
    }
  }
  return split;
}"""


def korean_renders(theme: str, out: Path) -> dict[str, str]:
    """The Korean fixture through `theme`: both PDFs' text (pypdf), the text and the Markdown;
    neither render warns (no character without a glyph, no .notdef box)."""
    for engine in ("typst", "weasyprint"):
        formats = "pdf,html,txt,md" if engine == "typst" else "pdf"
        result = run_cli("render", KOREAN, "-f", formats, "--engine", engine, "--theme", theme, "-o", out / engine)
        assert result.returncode == 0, result.stderr
        assert "notdef" not in result.stderr and "not covered" not in result.stderr, result.stderr
    stem = out / "typst" / "jiwoo-kim-cv"
    return {
        "typst": pdf_text(stem.with_suffix(".pdf")),
        "weasy": pdf_text(out / "weasyprint" / "jiwoo-kim-cv.pdf").replace("\x00", ""),
        "txt": stem.with_suffix(".txt").read_text(encoding="utf-8"),
        "md": stem.with_suffix(".md").read_text(encoding="utf-8").replace("\\", "").replace("*", ""),
    }


def platform_fonts(page: Any) -> set[tuple[str, bool]]:
    """(family, is a web font) of every font Chromium drew the page's text with (DevTools)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
    fonts = set()
    for node in cdp.send("DOM.querySelectorAll", {"nodeId": root, "selector": "body *"})["nodeIds"]:
        for font in cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]:
            fonts.add((font["familyName"], font["isCustomFont"]))
    cdp.detach()
    return fonts


@pytest.mark.parametrize("theme", BUILTIN_THEMES)
def test_a_korean_cv_reads_whole_in_every_target(theme: str, tmp_path: Path, browser: Any) -> None:
    """A Korean researcher's CV (Hangul name, headings, body; Korean and English titles; BibTeX):
    its Korean words, dates (2019년 3월 ~ 2024년 2월, 2024년 3월 ~ 현재) and labels in both PDFs,
    Chromium, text and Markdown, every glyph from the bundled fonts (Chromium used no system font,
    neither PDF engine warned of a missing glyph), and no Korean word broken across two lines:
    Typst and Pango broke between any two syllables ("영 / 향에"), as CSS `word-break: keep-all`
    does not."""
    texts = korean_renders(theme, tmp_path)
    page = browser.new_page(viewport={"width": 380, "height": 900})
    try:
        page.goto((tmp_path / "typst" / "jiwoo-kim-cv.html").as_uri(), wait_until="load")
        texts["html"] = page.inner_text("body")
        fonts = platform_fonts(page)
        split_in_chromium = page.evaluate(SPLIT_WORDS_JS)
        # Hangul in an italic line stays upright, as in both PDFs (Chromium slanted it)
        assert page.evaluate("getComputedStyle(document.body).fontSynthesisStyle") == "none"
        assert page.get_attribute("html", "lang") == "ko"
    finally:
        page.close()
    want = ["김지우", "학력", "경력", "연구 실적", "수상 경력", "보유 기술", "전산학 박사", "컴퓨터공학 학사"]
    want += ["2019년 3월 ~ 2024년 2월", "2024년 3월 ~ 현재", "지도교수", "게재 승인", "심사 중", "초청"]
    want += ["한국어 대규모 언어 모델의 형태소 단위 토큰화 효율 분석", "Sparse Mixture-of-Experts Inference"]
    flat = {t: "".join(s.split()) for t, s in texts.items()}  # lines break, Latin words at hyphens
    problems = {t: [s for s in want if "".join(s.split()) not in flat[t]] for t in texts}
    assert not any(problems.values()), problems
    assert all(custom for _, custom in fonts), fonts  # cv-main, cv-fallback-N: the page's own
    assert not split_in_chromium, split_in_chromium
    # A PDF's runs of Hangul are the page's: a word broken at a line's end leaves two pieces.
    runs = {w for t in ("html", "txt", "md") for w in HANGUL_RUN.findall(texts[t])}
    runs |= {w for label in words("ko").values() for w in HANGUL_RUN.findall(label)}  # the PDF's own
    for engine in ("typst", "weasy"):
        pieces = sorted({w for w in HANGUL_RUN.findall(texts[engine]) if w not in runs})
        assert not pieces, (engine, pieces)


HOSTILE_KOREAN = f"{HOSTILE_MD} 한국어 제목(초안), 2025년"  # Markdown fields would show *b* as b


@pytest.mark.parametrize("theme", BUILTIN_THEMES)
def test_hostile_text_with_hangul_is_verbatim_in_a_korean_cv(theme: str, tmp_path: Path, chromium: Any) -> None:
    """Markup of every kind beside Hangul, in a Korean document's name, headline, summary,
    highlights, a title and skills: data in every target, shown as typed (the word joiners the
    WeasyPrint page gets are not part of its text), no script run."""
    import json

    q = json.dumps(HOSTILE_KOREAN, ensure_ascii=False)
    profile = write(
        tmp_path / "p.yaml",
        f"name: {json.dumps('김지우 ' + HOSTILE, ensure_ascii=False)}\nheadline: {q}\nsummary: {q}\n"
        f"experience:\n  - {{organization: 삼성리서치, role: {q}, start: 2022-06, end: present, highlights: [{q}]}}\n"
        f"publications:\n  - {{title: {q}, authors: [김지우], venue: {q}, date: 2025, status: accepted}}\n"
        f"skills: [{{category: {q}, items: [{q}, 파이썬]}}]\n"
        "documents:\n  cv: {locale: ko}\n",
    )
    alerts: list[str] = []
    chromium.on("dialog", lambda dialog: (alerts.append(dialog.message), dialog.dismiss()))
    out = tmp_path / "out"
    for engine in ("typst", "weasyprint"):
        args = ("-f", "pdf,html,txt" if engine == "typst" else "pdf", "--engine", engine, "--theme", theme)
        result = run_cli("render", profile, *args, "-o", out / engine)
        assert result.returncode == 0, result.stderr
        assert "notdef" not in result.stderr and "not covered" not in result.stderr, result.stderr
    (html,) = (out / "typst").glob("*.html")
    chromium.goto(html.as_uri(), wait_until="load")
    texts = {
        "typst": pdf_text(html.with_suffix(".pdf")),
        "weasy": pdf_text(next((out / "weasyprint").glob("*.pdf"))).replace("\x00", ""),
        "html": chromium.inner_text("body"),
        "txt": html.with_suffix(".txt").read_text(encoding="utf-8"),
    }
    assert not alerts
    flat = {t: "".join(s.split()) for t, s in texts.items()}
    hostile = "".join(HOSTILE_KOREAN.split())
    counts = {t: s.count(hostile) for t, s in flat.items()}
    assert all(n >= 6 for n in counts.values()), counts  # headline, summary, role, highlight, title...
    name = "김지우" + "".join(HOSTILE.split())
    assert [t for t, s in flat.items() if name.casefold() not in s.casefold()] == [], texts  # txt: upper case


@pytest.mark.parametrize(
    ("locale", "wide"), [("zh", True), ("ja", True), ("zh_TW", True), ("en", False), ("ko", False)]
)
@pytest.mark.parametrize("engine", ["typst", "weasyprint"])
def test_chinese_and_japanese_quotes_are_full_width(locale: str, wide: bool, engine: str, tmp_path: Path) -> None:
    """Chinese and Japanese set “ ” ‘ ’ full-width, from the CJK font; they came from the Latin
    main font, narrow, hugging the characters (关注“大模型推理”的). Other languages keep the main
    font's (the HTML page plans its fonts as the WeasyPrint PDF shows them)."""
    import pdfplumber

    profile = write(
        tmp_path / "p.yaml",
        f"name: 李雷\nsummary: 关注“大模型推理”与‘吞吐’的 “Fast” 系统\ndocuments:\n  cv: {{locale: {locale}}}\n",
    )
    result = run_cli("render", profile, "-f", "pdf", "--engine", engine, "-o", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    with pdfplumber.open(next((tmp_path / "out").glob("*.pdf"))) as pdf:
        fonts = {c["text"]: c["fontname"] for c in pdf.pages[0].chars if c["text"] in "“”‘’大"}
    assert set(fonts) == set("“”‘’大"), fonts
    for quote in "“”‘’":  # the CJK font is the one 大 is set in
        assert (fonts[quote] == fonts["大"]) == wide, (quote, fonts)


COUNTED = """\
name: 李雷
publications:
  - {title: 流式系统, authors: [李雷], venue: EuroSys, date: 2024, type: conference}
  - {title: 期刊, authors: [李雷], venue: TOCS, date: 2023, type: journal}
  - {title: 预印本, authors: [李雷], venue: arXiv, date: 2025, type: preprint}
documents:
  cv: {locale: LOCALE, publications: {group_by: type}}
"""
SUMMARIES = {
    "zh": "3篇论文：1篇会议论文、1篇期刊论文和1篇预印本",
    "zh_TW": "3篇論文：1篇研討會論文、1篇期刊論文和1篇預印本",
    "ja": "業績3件：国際会議論文1件、学術論文誌1件、プレプリント1件",
    "ko": "연구 실적 3건: 학술대회 논문 1편, 학술지 논문 1편 및 프리프린트 1편",  # words spaced, 1편 one word
}
# The summary's width as Chromium sets it, and with its text-autospace turned off.
_AUTOSPACE = """e => {
    const range = document.createRange(); range.selectNodeContents(e);
    const width = () => range.getBoundingClientRect().width;
    const on = width(); e.style.textAutospace = "no-autospace"; const off = width(); e.style.textAutospace = "";
    return [on, off, parseFloat(getComputedStyle(e).fontSize)];
}"""


def digit_gaps(chars: list[tuple[str, float, float]]) -> list[float]:
    """The gap between each digit and a Han, kana or Hangul letter next to it (not a full-width
    comma or colon, which keeps its own room), in points."""
    gaps = []
    for (a, _, a_right), (b, b_left, _) in itertools.pairwise(chars):
        wide = [c for c in (a, b) if unicodedata.east_asian_width(c) == "W" and unicodedata.category(c) == "Lo"]
        if wide and (a.isdigit() or b.isdigit()):
            gaps.append(round(b_left - a_right, 1))
    return gaps


@pytest.mark.parametrize("lang", list(SUMMARIES))
def test_a_count_line_spaces_its_numbers_alike(lang: str, tmp_path: Path, chromium: Any) -> None:
    """ "1 篇会议论文和1 篇预印本": a number had a space before its counter and none after babel's
    和. A number now touches the Han and kana beside it in the text, as babel's dates do
    ("2024年"), and the typesetter sets one gap on both sides of it: Typst's cjk-latin-spacing
    (a quarter em), Chromium's text-autospace; none in WeasyPrint, which has no such property.
    Korean spaces its words and writes a number with its counter as one word (1편)."""
    import pdfplumber

    profile = write(tmp_path / "p.yaml", COUNTED.replace("LOCALE", lang))
    out = tmp_path / "out"
    result = run_cli("render", profile, "-f", "pdf,html,txt,md", "-o", out)
    assert result.returncode == 0, result.stderr
    result = run_cli("render", profile, "-f", "pdf", "--engine", "weasyprint", "-o", tmp_path / "weasy")
    assert result.returncode == 0, result.stderr
    want = SUMMARIES[lang]
    for suffix in (".txt", ".md"):
        assert want in next(out.glob(f"*{suffix}")).read_text(encoding="utf-8")
    gaps = {}
    for engine, folder in (("typst", out), ("weasyprint", tmp_path / "weasy")):
        with pdfplumber.open(next(folder.glob("*.pdf"))) as pdf:
            page = pdf.pages[0]
            assert want in page.extract_text().splitlines(), (engine, page.extract_text())
            chars = [(c["text"], c["x0"], c["x1"]) for c in page.chars if c["text"].strip()]
            start = "".join(c[0] for c in chars).index(want.replace(" ", ""))
            gaps[engine] = digit_gaps(chars[start : start + len(want.replace(" ", ""))])
    chromium.goto(next(out.glob("*.html")).as_uri(), wait_until="load")
    assert chromium.inner_text(".pub-summary") == want
    on, off, size = chromium.eval_on_selector(".pub-summary", _AUTOSPACE)
    if lang == "ko":  # words spaced, and no gap added inside one (1편)
        assert on == off, (on, off)
        return
    assert len(gaps["typst"]) == {"ja": 8}.get(lang, 5), gaps  # 績3件 文1件 ...; 3篇 1篇 1篇 和1篇
    assert set(gaps["weasyprint"]) == {0.0}, gaps
    assert min(gaps["typst"]) > 1.5 and max(gaps["typst"]) - min(gaps["typst"]) < 0.3, gaps
    # Chromium widens the glyph before each boundary by an eighth of an em, so it is counted whole
    assert abs((on - off) - len(gaps["typst"]) * size / 8) < 1, (on, off, size, gaps)
