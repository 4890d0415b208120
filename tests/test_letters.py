"""Cover letters (`letters:` in the profile): schema, Document, and every built-in theme's targets."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from conftest import BUILTIN_THEMES, HTML_THEMES, documents, pdf_text, plain, run_cli, squash, straight, write

from cvbuild.document.locales import words

LETTER = """
name: Ada Example
headline: Systems researcher
contact:
  email: ada@example.org
  phone: "+1 415 555 0142"
  location: Zürich, Switzerland
  links: {github: adaexample}
summary: Builds storage systems.
letters:
  acme:
    recipient:
      name: Dr. Jane Roe
      organization: ACME Research Labs
      address: [1 Main Street, "Springfield, IL 62701"]
    date: 2026-11-28
    place: Zürich
    subject: Application for the **Staff Research Engineer** position
    salutation: Dear Dr. Roe,
    body: |
      I am writing to apply for the Staff Research Engineer position at ACME Research Labs. Over
      the past six years I have built storage systems that serve *billions* of requests a day.

      At Example Corp I led the design of a log-structured key-value store, cutting tail latency
      by 40%. My research on [crash consistency](https://example.org/paper) appeared at SOSP.

      I would welcome the chance to discuss how I could contribute. Thank you for your time.
    closing: Kind regards,
    enclosures: [Curriculum vitae, List of publications]
"""
SHOWN = [
    "Dr. Jane Roe",
    "ACME Research Labs",
    "1 Main Street",
    "Springfield, IL 62701",
    "Zürich, November 28, 2026",
    "Application for the Staff Research Engineer position",
    "Dear Dr. Roe,",
    "serve billions of requests a day.",
    "My research on crash consistency",
    "Thank you for your time.",
    "Kind regards,",
    "Enclosures:",
    "Curriculum vitae",
    "List of publications",
    "ada@example.org",  # the sender block: the CV's header
    "Zürich, Switzerland",
]


@pytest.fixture(scope="module")
def chromium(browser: Any) -> Any:
    page = browser.new_page(viewport={"width": 1000, "height": 900})
    yield page
    page.close()


def rendered(profile: Path, theme: str, out: Path, chromium: Any, name: str = "acme") -> dict[str, str]:
    """Every target of letter `name` in `theme`: both PDFs (pypdf), the page as Chromium shows it,
    the text, and the Markdown as CommonMark renders it (without tags, entities undone); each PDF
    is one page."""
    from markdown_it import MarkdownIt
    from pypdf import PdfReader

    args = ("-d", name, "--theme", theme, "-o")
    result = run_cli("render", profile, "-f", "pdf,html,txt,md", *args, out / "typst")
    assert result.returncode == 0, result.stderr
    result = run_cli("render", profile, "-f", "pdf", "--engine", "weasyprint", *args, out / "weasy")
    assert result.returncode == 0, result.stderr
    stem = out / "typst" / f"ada-example-{name}"
    texts = {}
    for engine in ("typst", "weasy"):
        pdf = out / engine / f"ada-example-{name}.pdf"
        assert len(PdfReader(pdf).pages) == 1, (engine, theme)
        texts[engine] = pdf_text(pdf).replace("\x00", "")
    chromium.goto(stem.with_suffix(".html").as_uri(), wait_until="load")
    assert chromium.is_visible("article.letter")
    texts["html"] = chromium.inner_text("body")
    texts["txt"] = stem.with_suffix(".txt").read_text(encoding="utf-8")
    md = MarkdownIt("commonmark").render(stem.with_suffix(".md").read_text(encoding="utf-8"))
    md = re.sub(r"<[^>]+>", "", md)
    texts["md"] = md.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&amp;", "&")
    return texts


@pytest.mark.parametrize("theme", BUILTIN_THEMES)
def test_a_letter_renders_in_every_target_on_one_page(theme: str, tmp_path: Path, chromium: Any) -> None:
    profile = write(tmp_path / "p.yaml", LETTER)
    texts = rendered(profile, theme, tmp_path, chromium)
    for target, text in texts.items():
        flat = squash(text)
        missing = [s for s in SHOWN if squash(s) not in flat]
        assert not missing, (target, missing, text)
        assert "Updated" not in text, target  # a letter has its own date, not the CV's footer
        assert "Summary" not in text and "Builds storage systems" not in text, target  # no CV section
    # Sender block, then recipient, date, subject, salutation, body and closing, in this order.
    order = [
        "ada@example.org",
        "Dr. Jane Roe",
        "Zürich, November 28, 2026",
        "Application for",
        "Dear Dr. Roe",
        "Kind regards",
        "Enclosures:",
        "Curriculum vitae",
        "List of publications",
    ]
    for target, text in texts.items():
        flat = squash(text)
        where = [flat.find(squash(s)) for s in order]
        assert where == sorted(where), (target, where)
    assert squash(texts["txt"]).endswith(
        squash("Kind regards,\n\nAda Example\n\nEnclosures:\nCurriculum vitae\nList of publications")
    )


def test_a_letter_looks_like_the_cv_header(tmp_path: Path, chromium: Any) -> None:
    """The letter's masthead is the CV's: the same name, headline and contact list, in HTML."""
    profile = write(tmp_path / "p.yaml", LETTER)
    result = run_cli("render", profile, "-f", "html", "-o", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    heads = {}
    for stem in ("ada-example", "ada-example-acme"):
        chromium.goto((tmp_path / "out" / f"{stem}.html").as_uri(), wait_until="load")
        heads[stem] = chromium.inner_html("header.masthead")
    assert heads["ada-example"] == heads["ada-example-acme"]


def test_render_writes_the_cv_and_every_letter(tmp_path: Path) -> None:
    profile = write(tmp_path / "p.yaml", LETTER)
    result = run_cli("render", profile, "-f", "txt", "-o", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["ada-example-acme.txt", "ada-example.txt"]
    assert "SUMMARY" in (tmp_path / "out" / "ada-example.txt").read_text(encoding="utf-8")


def test_unknown_document_names_the_letters(tmp_path: Path) -> None:
    profile = write(tmp_path / "p.yaml", LETTER)
    result = run_cli("render", profile, "-d", "acm", "-o", tmp_path / "out")
    assert result.returncode == 2
    assert "acme" in result.stderr and "Traceback" not in result.stderr


def test_inspect_shows_the_letter(tmp_path: Path) -> None:
    profile = write(tmp_path / "p.yaml", LETTER)
    result = run_cli("inspect", profile, "-d", "acme")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["sections"] == [] and doc["letter"]["salutation"] == "Dear Dr. Roe,"
    assert doc["meta"]["title"] == "Ada Example – Cover Letter"
    assert doc["meta"]["subject"] == "Application for the Staff Research Engineer position"


def test_export_is_no_letter(tmp_path: Path) -> None:
    """A letter has no CV sections to export: `export jsonresume -d` knows only documents."""
    profile = write(tmp_path / "p.yaml", LETTER)
    result = run_cli("export", "jsonresume", profile, "-d", "acme")
    assert result.returncode == 2 and "unknown document 'acme'" in result.stderr


# ---- the Document ---------------------------------------------------------------------------------


def test_defaults_come_from_the_build_date_and_the_profile(tmp_path: Path) -> None:
    profile = write(tmp_path / "p.yaml", "name: Ada Example\nletters:\n  short:\n    body: Hello.\n")
    doc = documents(profile)["short"]
    letter = doc.letter
    assert letter is not None and doc.sections == []
    assert (letter.date, letter.date_text) == ("2026-01-01", "January 1, 2026")  # SOURCE_DATE_EPOCH
    assert (letter.salutation, letter.closing, letter.signature) == (
        "Dear Hiring Manager,",
        "Sincerely,",
        "Ada Example",
    )
    assert letter.recipient == [] and letter.subject is None
    assert letter.date_line == "January 1, 2026" and letter.enclosures == []  # no place: the date alone
    assert [plain(p) for p in letter.body] == ["Hello."]
    assert documents(profile)["cv"].letter is None


@pytest.mark.parametrize(
    ("locale", "date_text", "salutation", "closing", "date_line", "enclosures"),
    [
        (
            "de",
            "1. Januar 2026",
            "Sehr geehrte Damen und Herren,",
            "Mit freundlichen Grüßen",
            "Ort, 1. Januar 2026",
            "Anlagen",
        ),
        (
            "fr",
            "1er janvier 2026",
            "Madame, Monsieur,",
            "Je vous prie d’agréer",
            "Ort, le 1er janvier 2026",
            "Pièces jointes :",
        ),
        (
            "pt_PT",
            "1 de janeiro de 2026",
            "Exmos. Senhores,",
            "Com os melhores cumprimentos,",
            "Ort, 1 de janeiro de 2026",
            "Anexos:",
        ),
        ("ja", "2026年1月1日", "拝啓", "敬具", "Ort、2026年1月1日", "同封書類"),
        ("zh", "2026年1月1日", "尊敬的招聘负责人：", "此致\n敬礼！", "Ort，2026年1月1日", "附件："),
    ],
)
def test_the_locale_words_the_date_salutation_and_closing(
    locale: str, date_text: str, salutation: str, closing: str, date_line: str, enclosures: str, tmp_path: Path
) -> None:
    text = f"name: Ada Example\nletters:\n  l:\n    locale: {locale}\n    body: Hallo.\n"
    text += "    place: Ort\n    enclosures: [CV]\n"
    letter = documents(write(tmp_path / "p.yaml", text))["l"].letter
    assert letter is not None
    assert (letter.date_text, letter.salutation) == (date_text, salutation)
    assert letter.closing.startswith(closing)
    assert (letter.date_line, letter.enclosures_label, letter.enclosures) == (date_line, enclosures, ["CV"])


@pytest.mark.parametrize(
    ("locale", "name", "salutation"),
    [
        ("en", "Dr. Jane Smith", "Dear Dr. Smith,"),
        ("en", "Jordan Lee", "Dear Jordan Lee,"),  # no title: the name whole
        ("en", "Ms. Maria de la Cruz", "Dear Ms. de la Cruz,"),  # the surname with its particles
        # what follows the name is no surname: it was "Dear Dr. PhD,", "Dear Prof. Jr.,", "Dear Dr. (HR),"
        ("en", "Dr. Jane Roe, PhD", "Dear Dr. Roe,"),
        ("en", "Prof. John Roe Jr.", "Dear Prof. Roe,"),
        ("en", "Dr. Jane Roe (Head of Hiring)", "Dear Dr. Roe,"),
        ("en", "Dr. Roe, Jane", "Dear Dr. Roe,"),
        ("de", "Frau Dr. Anna Müller", "Sehr geehrte Frau Dr. Müller,"),
        ("de", "Herr Prof. Dr. Hans von Weizsäcker", "Sehr geehrter Herr Prof. Dr. von Weizsäcker,"),
        ("de", "Dr. Kim Berger", "Guten Tag Dr. Kim Berger,"),  # nothing says Frau or Herr
        ("fr", "Madame Claire Dupont", "Madame,"),  # French greets by title alone
        ("fr", "Dr Camille Martin", "Madame, Monsieur,"),
        ("es", "Dra. Ana García", "Estimada Dra. García:"),
        ("es", "Dr. Juan García", "Estimado Dr. García:"),
        ("it", "Dott.ssa Giulia Rossi", "Gentile Dott.ssa Rossi,"),
        ("nl", "mevrouw Anna van Dijk", "Geachte mevrouw van Dijk,"),
        ("pt", "Sra. Maria da Silva", "Prezada Sra. da Silva,"),
        ("zh", "王伟教授", "尊敬的王伟教授："),
        ("zh_TW", "陳教授", "陳教授您好："),
        ("ko", "김지우 교수", "김지우 교수님께"),
        ("ja", "山田太郎", "拝啓"),  # the name heads the address; the letter opens with 拝啓
    ],
)
def test_a_named_recipient_is_greeted_by_name(locale: str, name: str, salutation: str, tmp_path: Path) -> None:
    """A letter to a named recipient without its own salutation greets them in its language ("Dear
    Hiring Manager," went to Dr. Smith); without a name it keeps the locale's."""
    text = f"name: Ada Example\nletters:\n  l:\n    locale: {locale}\n    body: Hallo.\n"
    letter = documents(write(tmp_path / "p.yaml", text + f'    recipient: {{name: "{name}"}}\n'))["l"].letter
    assert letter is not None and letter.salutation == salutation
    unnamed = documents(write(tmp_path / "q.yaml", text + "    recipient: {organization: ACME}\n"))["l"].letter
    assert unnamed is not None and unnamed.salutation == words(locale)["letter.salutation"]


@pytest.mark.parametrize("theme", BUILTIN_THEMES)
def test_a_built_salutation_reads_back_and_a_given_one_is_kept(theme: str, tmp_path: Path) -> None:
    """The built salutation in every target, as the reader sees it; one the letter gives, verbatim."""
    base = "name: Ada Example\nletters:\n  l:\n    locale: de\n    body: Hallo.\n"
    base += "    recipient: {name: Frau Dr. Anna Müller, organization: ACME}\n"
    for text, want in (
        (base, "Sehr geehrte Frau Dr. Müller,"),
        (base + "    salutation: Liebe Anna,\n", "Liebe Anna,"),
    ):
        out = tmp_path / str(len(text))
        result = run_cli(
            "render", write(tmp_path / "p.yaml", text), "-d", "l", "--theme", theme, "-f", "pdf,txt,md,html", "-o", out
        )
        assert result.returncode == 0, result.stderr
        assert want in pdf_text(next(out.glob("*.pdf")))
        for suffix in (".txt", ".md", ".html"):
            assert want in next(out.glob(f"*{suffix}")).read_text(encoding="utf-8"), suffix


def test_a_place_is_filled_in_once(tmp_path: Path) -> None:
    """The place is data: a place written `{date}` is not filled in again, and the user's own
    `letter.dateline` words order the two."""
    text = (
        "name: Ada Example\nletters:\n  l:\n    body: Hallo.\n    place: '{date} {place}'\n"
        "    date: 2026-11-28\n    labels: {letter.dateline: 'Written in {place} on {date} {{sic}}'}\n"
    )
    letter = documents(write(tmp_path / "p.yaml", text))["l"].letter
    assert letter is not None
    assert letter.date_line == "Written in {date} {place} on November 28, 2026 {sic}"


def test_own_words_win_over_the_locale(tmp_path: Path) -> None:
    text = (
        "name: Ada Example\nletters:\n  l:\n    locale: de\n    body: Hallo.\n"
        "    labels: {letter.closing: Beste Grüße}\n    salutation: Liebe Frau Roe,\n    signature: A. Example\n"
    )
    letter = documents(write(tmp_path / "p.yaml", text))["l"].letter
    assert letter is not None
    assert (letter.salutation, letter.closing, letter.signature) == ("Liebe Frau Roe,", "Beste Grüße", "A. Example")


# ---- errors ---------------------------------------------------------------------------------------

BASE = "name: Ada Example\nletters:\n  acme:\n    body: Hello.\n"


@pytest.mark.parametrize(
    ("extra", "where", "says"),
    [
        ("    date: 2026-11\n", "p.yaml:5:11: letters.acme.date", "full date"),
        ("    date: present\n", "p.yaml:5:11: letters.acme.date", "full date"),
        ("    recipent: {name: X}\n", "p.yaml:5:5: letters.acme.recipent", "did you mean 'recipient'"),
        ("    recipient: {address: [a, '']}\n", "p.yaml:5:30: letters.acme.recipient.address[1]", "empty"),
        ("    options: {accent: 'red;}'}\n", "p.yaml:5:23: letters.acme.options.accent", "not a colour"),
        ("    theme: ../../elsewhere\n", "p.yaml:5:12: letters.acme.theme", "outside the profile's folder"),
        ("    theme: nosuch\n", "p.yaml:5:12: letters.acme.theme", "unknown theme"),
        ("documents:\n  acme: {}\n", "p.yaml:3:3: letters", "names a document and a letter"),
    ],
)
def test_letter_errors_are_located(extra: str, where: str, says: str, tmp_path: Path) -> None:
    profile = write(tmp_path / "p.yaml", BASE + extra)
    result = run_cli("render", profile, "-f", "txt", "-o", tmp_path / "out")
    assert result.returncode == 2, result.stderr
    assert where in result.stderr and says in result.stderr, result.stderr
    assert "Traceback" not in result.stderr and not (tmp_path / "out").exists()


def test_a_letter_without_body_is_located(tmp_path: Path) -> None:
    profile = write(tmp_path / "p.yaml", "name: Ada Example\nletters:\n  acme:\n    subject: Hi\n")
    result = run_cli("validate", profile)
    assert result.returncode == 2
    assert "p.yaml:4:5: letters.acme" in result.stderr and "body" in result.stderr, result.stderr
    profile = write(tmp_path / "p.yaml", "name: Ada Example\nletters:\n  acme:\n    body: ' '\n")
    result = run_cli("validate", profile)
    assert result.returncode == 2 and "p.yaml:4:11: letters.acme.body: must not be empty" in result.stderr


# ---- hostile text ---------------------------------------------------------------------------------

# Markup of every kind; the fields that take inline Markdown (subject, body) get it without
# `*b* _i_`, which they show as emphasis.
HOSTILE = "#x $y$ *b* _i_ <script>alert(1)</script> @r \\ ] [ { } 😀 中文"
HOSTILE_MD = "#x $y$ <script>alert(1)</script> @r \\ ] [ { } 😀 中文"
PLAIN_FIELDS = ("name", "organization", "address", "place", "salutation", "closing", "signature", "enclosure")


def hostile_letter() -> str:
    def q(key: str, text: str) -> str:
        return json.dumps(f"⟦{key}:{text}⟧", ensure_ascii=False)

    return f"""
name: Ada Example
contact: {{email: ada@example.org}}
letters:
  acme:
    recipient: {{name: {q("name", HOSTILE)}, organization: {q("organization", HOSTILE)},
                address: [{q("address", HOSTILE)}]}}
    place: {q("place", HOSTILE)}
    subject: {q("subject", HOSTILE_MD)}
    salutation: {q("salutation", HOSTILE)}
    body: {q("body", HOSTILE_MD)}
    closing: {q("closing", HOSTILE)}
    signature: {q("signature", HOSTILE)}
    enclosures: [{q("enclosure", HOSTILE)}]
"""


@pytest.mark.parametrize("theme", BUILTIN_THEMES)
def test_hostile_text_in_every_letter_field_is_verbatim(theme: str, tmp_path: Path, chromium: Any) -> None:
    alerts: list[str] = []
    chromium.on("dialog", lambda dialog: (alerts.append(dialog.message), dialog.dismiss()))
    profile = write(tmp_path / "p.yaml", hostile_letter())
    texts = rendered(profile, theme, tmp_path, chromium)
    for engine in ("typst", "weasy"):  # poppler reads a justified line's CJK text in order
        pdf = tmp_path / engine / "ada-example-acme.pdf"
        texts[engine] = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert not alerts
    html = (tmp_path / "typst" / "ada-example-acme.html").read_text(encoding="utf-8")
    assert "<script>alert" not in html
    want = {f"⟦{key}:{HOSTILE}⟧" for key in PLAIN_FIELDS} | {f"⟦{key}:{HOSTILE_MD}⟧" for key in ("subject", "body")}
    for target, text in texts.items():
        flat = "".join(straight(text).split())
        missing = [w[:12] for w in want if "".join(w.split()) not in flat]
        assert not missing, (target, missing, text)


@pytest.mark.parametrize("theme", HTML_THEMES)
def test_letter_text_never_becomes_markup_in_html(theme: str, tmp_path: Path) -> None:
    """The CV's HTML payloads (test_html.FREE_TEXT: script, img, Jinja, style) in every letter field."""
    from test_html import FREE_TEXT, assert_inert

    fields = {f: FREE_TEXT for f in (*PLAIN_FIELDS, "subject", "body")}
    text = hostile_letter()
    for key, value in re.findall(r'"⟦(\w+):([^"]*)⟧"', text):
        text = text.replace(f'"⟦{key}:{value}⟧"', json.dumps(f"⟦{key}:{fields.get(key, FREE_TEXT)}⟧"))
    profile = write(tmp_path / "p.yaml", text)
    result = run_cli("render", profile, "-d", "acme", "-f", "html", "--theme", theme, "-o", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    html = (tmp_path / "out" / "ada-example-acme.html").read_text(encoding="utf-8")
    page = assert_inert(html)
    assert "<script>alert" not in html and "<img" not in html
    visible = straight(page.visible)
    for key in (*PLAIN_FIELDS, "subject", "body"):  # inline Markdown takes `7*7 ... *{` for emphasis, as in a CV
        shown = FREE_TEXT.strip() if key in PLAIN_FIELDS else FREE_TEXT.strip().replace("*", "")
        assert f"⟦{key}:{shown}⟧" in visible, (key, visible)
    assert "49" not in visible.replace("2049", "").replace("2026", "")


@pytest.mark.parametrize("theme", BUILTIN_THEMES)
@pytest.mark.parametrize("engine", ["typst", "weasyprint"])
def test_a_long_letter_runs_on_numbered_from_page_two(engine: str, theme: str, tmp_path: Path) -> None:
    from pypdf import PdfReader

    para = "This paragraph goes on about storage systems, their design and their operation. " * 6
    body = "\n\n".join([para] * 14)
    text = f"name: Ada Example\nletters:\n  long:\n    body: {json.dumps(body)}\n"
    profile = write(tmp_path / "p.yaml", text)
    result = run_cli("render", profile, "-f", "pdf", "--engine", engine, "--theme", theme, "-o", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    pages = [p.extract_text() or "" for p in PdfReader(tmp_path / "out" / "ada-example-long.pdf").pages]
    assert len(pages) >= 2
    assert "Updated" not in pages[0] and "Page 1" not in pages[0]  # the letter carries its date
    assert f"Page 2 of {len(pages)}" in pages[1]
    assert "Sincerely," in pages[-1]


def test_the_starter_letter_renders_when_uncommented(tmp_path: Path) -> None:
    """`cvbuild new` writes a cover letter commented out; uncommented, it is valid and renders."""
    result = run_cli("new", tmp_path / "profile.yaml")
    assert result.returncode == 0, result.stderr
    text = (tmp_path / "profile.yaml").read_text(encoding="utf-8")
    start = text.index("# letters:")
    text = text[:start] + re.sub(r"(?m)^# ?", "", text[start:])
    profile = write(tmp_path / "profile.yaml", text)
    result = run_cli("render", profile, "-d", "acme", "-f", "txt", "-o", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    out = (tmp_path / "out" / "ada-example-acme.txt").read_text(encoding="utf-8")
    assert "Dr. Jane Roe" in out and "Thank you for your consideration." in out and "Sincerely," in out


@pytest.mark.parametrize("theme", sorted({*BUILTIN_THEMES, *HTML_THEMES}))
def test_theme_check_renders_the_letter_fixture(theme: str) -> None:
    """Every built-in theme, the HTML-only ones too, shows every part of a letter in every target."""
    from cvbuild.themes import check

    result = check.check_theme(theme, fixtures=("letter",))
    assert result.ok, check.report(result)
    assert set(result.results[0].rendered) == set(result.theme.targets)
    assert result.results[0].pages == (1 if "pdf" in result.theme.targets else None)


def test_theme_check_names_a_theme_that_ignores_letters(tmp_path: Path) -> None:
    """A theme's own cv.typ that lays out sections only: its PDF shows the header alone."""
    from cvbuild.themes import check

    folder = tmp_path / "themes" / "cvonly"
    write(folder / "theme.toml", 'name = "cvonly"\nextends = "classic"\n')
    typ = '#import "@local/cvbuild:1.0.0": *\n#let doc = load-document()\n#show: setup.with(doc)\n'
    typ += "#text(doc.person.name)\n#for s in doc.sections { heading(text(s.title)) }\n"
    write(folder / "cv.typ", typ)
    result = check.check_theme(str(folder), fixtures=("letter",))
    found = [(p.target, p.message) for p in result.problems if p.kind == "differs"]
    assert ("pdf", "the cover letter's body is missing: lay out `doc.letter` (docs/themes.md#cover-letters)") in found
    assert {t for t, _ in found} & {"html", "txt", "md"} == set()


def _long_letter(paragraphs: int, budget: str = "") -> str:
    para = "This paragraph goes on about storage systems, their design and their operation. " * 6
    body = json.dumps("\n\n".join([para] * paragraphs))
    return f"name: Ada Example\nletters:\n  long:\n{budget}    body: {body}\n"


@pytest.mark.parametrize("engine", ["typst", "weasyprint"])
def test_max_pages_fits_a_letter(engine: str, tmp_path: Path) -> None:
    """A letter a few lines over a page is tightened onto one, as a CV's `max_pages` does."""
    from pypdf import PdfReader

    profile = write(tmp_path / "p.yaml", _long_letter(8))
    result = run_cli("render", profile, "-f", "pdf", "--engine", engine, "-o", tmp_path / "plain")
    assert result.returncode == 0 and len(PdfReader(tmp_path / "plain" / "ada-example-long.pdf").pages) == 2
    profile = write(tmp_path / "p.yaml", _long_letter(8, "    max_pages: 1\n"))
    result = run_cli("render", profile, "-f", "pdf", "--engine", engine, "-o", tmp_path / "fit")
    assert result.returncode == 0, result.stderr
    said = result.stdout + result.stderr
    assert "fitted to 1 page" in said and "warning" not in said, said
    assert len(PdfReader(tmp_path / "fit" / "ada-example-long.pdf").pages) == 1


def test_a_letter_over_its_budget_is_told_at_its_line(tmp_path: Path) -> None:
    profile = write(tmp_path / "p.yaml", _long_letter(20, "    max_pages: 1\n"))
    result = run_cli("render", profile, "-f", "pdf", "-o", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert "p.yaml:4:16: warning: letters.long.max_pages: document 'long' has 3 pages" in result.stderr
    assert result.stderr.rstrip().endswith("; shorten it"), result.stderr  # no sections to narrow


def test_a_letter_named_cv_beside_the_implicit_cv_is_located(tmp_path: Path) -> None:
    """With no documents declared the CV is `cv`: a letter of that name took `-d cv` and wrote
    the same file as the CV (exit 1, "File exists"). With documents declared the name is free."""
    profile = write(tmp_path / "p.yaml", "name: Ada Example\nletters:\n  cv:\n    body: Hello.\n")
    result = run_cli("render", profile, "-f", "txt", "-o", tmp_path / "out")
    assert result.returncode == 2, result.stderr
    assert "p.yaml:3:3: letters" in result.stderr and "rename the letter" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr and not (tmp_path / "out").exists()
    declared = write(tmp_path / "q.yaml", "name: Ada Example\ndocuments: {main: {}}\nletters: {cv: {body: Hello.}}\n")
    assert run_cli("render", declared, "-f", "txt", "-o", tmp_path / "q").returncode == 0
    assert sorted(p.name for p in (tmp_path / "q").iterdir()) == ["ada-example-cv.txt", "ada-example-main.txt"]


# ---- the page on a screen -------------------------------------------------------------------------


def test_the_sidebar_band_runs_to_the_foot_of_a_tall_window(tmp_path: Path, browser: Any) -> None:
    """A letter is shorter than a desktop window: the sidebar's band runs down to the window's foot,
    as it runs down the paper in the PDF, instead of stopping above a white strip."""
    profile = write(tmp_path / "p.yaml", LETTER)
    result = run_cli("render", profile, "-d", "acme", "--theme", "sidebar", "-f", "html", "-o", tmp_path)
    assert result.returncode == 0, result.stderr
    page = browser.new_page(viewport={"width": 1000, "height": 1400})
    try:
        page.goto((tmp_path / "ada-example-acme.html").as_uri(), wait_until="load")
        band = page.evaluate("document.querySelector('.band').getBoundingClientRect().bottom")
        scroll = page.evaluate("[document.documentElement.scrollHeight, document.documentElement.clientHeight]")
        assert band >= 1400 - 1, band
        assert scroll[0] == scroll[1], scroll  # and no scroll bar for it
    finally:
        page.close()


@pytest.mark.parametrize("theme", HTML_THEMES)
def test_prose_is_not_justified_on_a_phone(theme: str, tmp_path: Path, browser: Any) -> None:
    """Justified on a phone's short lines, a paragraph opens wide gaps between words: a letter's
    paragraphs, and the CV's summary where a theme justifies it (classic, compact)."""
    profile = write(tmp_path / "p.yaml", LETTER)
    result = run_cli("render", profile, "--theme", theme, "-f", "html", "-o", tmp_path)
    assert result.returncode == 0, result.stderr
    aligns = {}
    for width in (390, 1000):
        page = browser.new_page(viewport={"width": width, "height": 800})
        try:
            for stem, part in (("ada-example-acme", ".letter-para"), ("ada-example", ".summary")):
                page.goto((tmp_path / f"{stem}.html").as_uri(), wait_until="load")
                found = f"document.querySelector('{part}')"  # the homepage's bio has no .summary
                aligns[width, part] = page.evaluate(f"{found} ? getComputedStyle({found}).textAlign : 'start'")
        finally:
            page.close()
    assert aligns[390, ".letter-para"] == aligns[390, ".summary"] == "start", aligns
    assert aligns[1000, ".letter-para"] == "justify", aligns


# ---- a letter in Chinese or Japanese is laid out as one is written there ---------------------------

CJK_LETTERS = {
    "zh": "name: 李雷\nletters:\n  l:\n    locale: zh\n    date: 2026-11-28\n"
    "    body: |\n      我在清华大学攻读博士学位。\n\n      期待您的回复。\n",
    "ja": "name: 山田 花子\nletters:\n  l:\n    locale: ja\n    date: 2026-11-28\n"
    "    body: |\n      貴社のリサーチエンジニア職に応募いたします。\n\n      何卒よろしくお願い申し上げます。\n",
}


def _pdf_words(pdf: Path) -> dict[str, tuple[float, float]]:
    """The left edge and top of each word of page 1 (the first where it repeats), from poppler."""
    xml = subprocess.run(["pdftotext", "-bbox", "-l", "1", str(pdf), "-"], capture_output=True, text=True).stdout
    found: dict[str, tuple[float, float]] = {}
    for x, top, word in re.findall(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="[\d.]+" yMax="[\d.]+">(.*?)</word>', xml
    ):
        found.setdefault(word, (float(x), float(top)))
    return found


@pytest.mark.parametrize("theme", ["classic", "sidebar"])
def test_a_chinese_or_japanese_letter_keeps_its_conventions(theme: str, tmp_path: Path, chromium: Any) -> None:
    """Chinese: the paragraphs and 此致 start two characters in, 敬礼！ stands under 此致 at the
    margin (it was "此致敬礼！" on one line at the margin). Japanese: the paragraphs start one
    character in and 敬具 stands at the right (it was at the left). Both PDFs and the page."""
    rows = {}
    for lang, yaml in CJK_LETTERS.items():
        profile = write(tmp_path / lang / "p.yaml", yaml)
        for engine in ("typst", "weasyprint"):
            out = tmp_path / lang / engine
            args = ("-d", "l", "-f", "pdf,html", "--engine", engine, "--theme", theme, "-o", out)
            result = run_cli("render", profile, *args)
            assert result.returncode == 0, result.stderr
            (pdf,) = out.glob("*.pdf")
            words = _pdf_words(pdf)
            rows[lang, engine] = words
            (html,) = out.glob("*.html")
        chromium.goto(html.as_uri(), wait_until="load")
        box = {
            cls: chromium.locator(f".letter-{cls}").first.evaluate(
                "e => { const r = document.createRange(); r.setStart(e.firstChild, 0); r.setEnd(e.firstChild, 1);"
                " const b = r.getBoundingClientRect(); return [b.left, b.top, e.getBoundingClientRect().right]; }"
            )
            for cls in ("salutation", "para", "closing")
        }
        rows[lang, "html"] = box
    for engine in ("typst", "weasyprint"):
        zh, ja = rows["zh", engine], rows["ja", engine]
        margin = zh["尊敬的招聘负责人："][0]
        assert zh["我在清华大学攻读博士学位。"][0] > margin + 15, (engine, zh)  # two characters at 10-11 pt
        assert zh["此致"][0] > margin + 15 and abs(zh["敬礼！"][0] - margin) < 1, (engine, zh)
        assert zh["敬礼！"][1] > zh["此致"][1] + 5, (engine, zh)  # on the next line
        margin = ja["拝啓"][0]
        assert margin + 5 < ja["何卒よろしくお願い申し上げます。"][0] < margin + 15, (engine, ja)
        assert ja["敬具"][0] > 300, (engine, ja)  # at the right of an A4 page
    zh, ja = rows["zh", "html"], rows["ja", "html"]
    assert zh["para"][0] > zh["salutation"][0] + 15 and zh["closing"][0] > zh["salutation"][0] + 15, zh
    assert ja["salutation"][0] + 5 < ja["para"][0] < ja["salutation"][0] + 20, ja
    assert ja["closing"][0] > ja["salutation"][0] + 200, ja  # at the right
    assert (tmp_path / "zh" / "typst").exists()
