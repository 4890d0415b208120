"""The vocabulary of each language: complete, consistent with babel, resolved into the Document."""

from __future__ import annotations

import datetime as dt
import itertools
import re
import string
import unicodedata
from pathlib import Path

import pytest
from conftest import documents, pdf_text, publications, run_cli, write

from cvbuild.document import locales
from cvbuild.document.dates import format_date
from cvbuild.document.locales import LANGUAGES, Vocabulary, known_key, vocabulary, words
from cvbuild.document.model import Document, PublicationEntry
from cvbuild.schema.fields import parse_date
from cvbuild.themes.check import fixture_profile

# `theme check`'s German fixture, and its text without the locale (each test sets one).
PROFILE = fixture_profile("german", Path("."))
PROFILE_TEXT = PROFILE.read_text(encoding="utf-8").replace("    locale: de\n", "")
ENGLISH = dict(words("en"))
PLURALS = ("zero", "one", "two", "few", "many", "other")


def plural_tags(lang: str) -> set[str]:
    from babel import Locale

    return set(Locale.parse(lang).plural_form.tags) | {"other"}


def expected_keys(lang: str) -> set[str]:
    """English's keys, with `count.X.*` in every plural category babel knows for the language."""
    plain = {k for k in ENGLISH if not k.startswith("count.") or k == "count.summary"}
    nouns = {k.rsplit(".", 1)[0] for k in ENGLISH if k.startswith("count.") and k != "count.summary"}
    return plain | {f"{noun}.{tag}" for noun in nouns for tag in plural_tags(lang)}


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_key_has_a_text_in_every_language(lang: str) -> None:
    """No silent English: each language has exactly the keys it needs, each a non-empty text with
    the same placeholders as the English one."""
    table = dict(words(lang))
    assert set(table) == expected_keys(lang)
    for key, text in table.items():
        assert text.strip(), key
        reference = ENGLISH.get(key) or ENGLISH[key.rsplit(".", 1)[0] + ".other"]
        if key.startswith("letter.salutation_to"):  # French greets by title alone (Madame,), Japanese with 拝啓
            assert fields(text) <= fields(reference), key
        else:
            assert fields(text) == fields(reference), key


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_language_writes_its_own_words(lang: str) -> None:
    """Headings differ from English (a missed translation would be a copy); the words that are
    the same in many languages (Code, PDF, Demo...) are not checked."""
    if lang == "en":
        return
    table = words(lang)
    same = [k for k in ENGLISH if k.startswith(("section.", "status.", "detail.")) and table[k] == ENGLISH[k]]
    allowed = {"section.publications", "status.preprint", "detail.gpa", "detail.mentor"}  # same words
    assert set(same) <= allowed, same


def test_regional_words_are_vocabulary_keys() -> None:
    from cvbuild.document.locales import pt

    for region, table in pt.REGIONS.items():
        assert set(table) <= set(words("pt")), region
    assert words("pt_PT")["status.accepted"] == "Aceite"
    assert words("pt-BR")["status.accepted"] == words("pt")["status.accepted"] == "Aceito"
    assert words("de_AT") == words("de")


def test_english_shortcuts_agree_with_babel() -> None:
    """English's plurals, lists and numbers are answered without babel's data (start-up time)."""
    from babel import Locale
    from babel.lists import format_list
    from babel.numbers import format_decimal

    en = vocabulary("en")
    for n in (0, 1, 2, 5, 21, 1000, 123456):
        assert en.plural(n) == Locale.parse("en").plural_form(n)
        assert en.number(n) == format_decimal(n, locale="en")
    for items in (["a"], ["a", "b"], ["a", "b", "c"], ["a", "b", "c", "d"]):
        assert en.join(items) == format_list(items, locale="en")
    assert en.decimal() == "."
    # The list separator and the range mark English writes out are CLDR's (babel's thin spaces aside).
    middle = Locale.parse("en").list_patterns["standard"]["middle"]
    assert en["list_sep"] == middle.replace("{0}", "").replace("{1}", "")
    assert Locale.parse("en").interval_formats[None].replace("\u2009", " ") == "{0}" + en["range_sep"] + "{1}"


@pytest.mark.parametrize(
    ("locale", "list_sep", "list_sep_long", "range_sep", "paren"),
    [
        ("en", ", ", "; ", " – ", (" (", ")")),
        ("de", ", ", "; ", " – ", (" (", ")")),
        ("zh", "、", "、", " – ", ("（", "）")),
        ("zh_TW", "、", "、", " – ", ("（", "）")),
        ("ja", "、", "、", "～", ("（", "）")),
        ("ko", ", ", ", ", " ~ ", ("(", ")")),
        ("ko_KR", ", ", ", ", " ~ ", ("(", ")")),
    ],
)
def test_list_range_and_bracket_marks_are_the_languages(
    locale: str, list_sep: str, list_sep_long: str, range_sep: str, paren: tuple[str, str]
) -> None:
    """Chinese and Japanese separate list items with 、 (CLDR's list pattern, via babel), not `, ` or
    `; `; a status goes in full-width brackets with no gap before them; Japanese joins a range with ～."""
    w = words(locale)
    assert (w["list_sep"], w["list_sep_long"], w["range_sep"]) == (list_sep, list_sep_long, range_sep)
    assert (w["paren_open"], w["paren_close"]) == paren


@pytest.mark.parametrize(
    ("locale", "one", "five", "joined"),
    [
        ("de", "1 Konferenzbeitrag", "5 Konferenzbeiträge", "a, b und c"),
        ("fr", "1 article de conférence", "5 articles de conférence", "a, b et c"),
        ("es", "1 artículo en congreso", "5 artículos en congresos", "a, b y c"),
        ("zh", "1篇会议论文", "5篇会议论文", "a、b和c"),
        ("ja", "国際会議論文1件", "国際会議論文5件", "a、b、c"),
        ("ko", "학술대회 논문 1편", "학술대회 논문 5편", "a, b 및 c"),
    ],
)
def test_plurals_and_lists_follow_babel(locale: str, one: str, five: str, joined: str) -> None:
    v = vocabulary(locale)
    assert (v.count("conference", 1), v.count("conference", 5), v.join(["a", "b", "c"])) == (one, five, joined)
    assert vocabulary("fr").count("publication", 0) == "0 publication"  # French: 0 is singular
    assert vocabulary("de").number(4100) == "4.100"


def test_months_follow_each_locales_order() -> None:
    """Month names and their order are babel's (CLDR skeletons), per date_format."""
    july = parse_date("2025-07")
    assert [format_date(july, "de", s) for s in ("short", "long", "numeric")] == ["Juli 2025", "Juli 2025", "07/2025"]
    assert format_date(july, "fr", "long") == "juillet 2025"
    assert format_date(july, "zh", "short") == "2025年7月"
    assert [format_date(july, "ko", s) for s in ("short", "long")] == ["2025년 7월", "2025년 7월"]
    assert format_date(july, "es", "long") == "julio de 2025"
    assert format_date(parse_date("present"), "it") == "oggi"
    assert [format_date(july, "en", s) for s in ("short", "long", "numeric")] == ["Jul 2025", "July 2025", "07/2025"]


def test_the_first_of_a_month_is_an_ordinal_in_french() -> None:
    """`1er janvier 2026`: babel (CLDR) writes `1 janvier`; any other day, and other languages, as babel does."""
    from cvbuild.document.dates import localized

    first, eleventh = dt.date(2026, 1, 1), dt.date(2026, 1, 11)
    assert [localized(first, "long", loc) for loc in ("fr", "fr_CA", "de", "en")] == [
        "1er janvier 2026",
        "1er janvier 2026",
        "1. Januar 2026",
        "January 1, 2026",
    ]
    assert localized(eleventh, "long", "fr") == "11 janvier 2026"
    assert localized(dt.date(2021, 10, 1), "long", "fr") == "1er octobre 2021"


def test_overrides_win_and_unknown_keys_are_caught() -> None:
    v = vocabulary("de", {"updated": "Zuletzt geändert:", "count.conference.other": "{n} Tagungsbeiträge"})
    assert v["updated"] == "Zuletzt geändert:" and v.count("conference", 3) == "3 Tagungsbeiträge"
    assert v["cv"] == "Lebenslauf"
    assert known_key("count.conference.few") and known_key("detail.advisor")
    assert not known_key("detail.adviser") and not known_key("count.nothing.one")


def test_a_label_separator_has_one_gap() -> None:
    """What follows a label: the colon and a space, but no space after a full-width colon, which
    carries its own (导师：Marta); an own `colon` brings its separator along."""
    assert {lang: words(lang)["label_sep"] for lang in ("en", "de", "fr", "zh", "ja", "ko")} == {
        "en": ": ",
        "de": ": ",
        "fr": "\u00a0: ",
        "zh": "：",
        "ja": "：",
        "ko": ": ",
    }
    assert all(words(lang)["label_sep"].startswith(words(lang)["colon"]) for lang in LANGUAGES)
    assert vocabulary("en", {"colon": " –"})["label_sep"] == " – "
    assert vocabulary("de", {"colon": "："})["label_sep"] == "："
    assert vocabulary("zh", {"colon": ":", "label_sep": ": "})["label_sep"] == ": "


def test_unsupported_language_is_named() -> None:
    assert locales.unsupported("de_CH") is None
    problem = locales.unsupported("sv")
    assert problem is not None and "'sv'" in problem and "en, de, fr" in problem
    with pytest.raises(ValueError, match="no CV vocabulary"):
        words("sv")


# ---- the Document ------------------------------------------------------------------------------


def german(tmp_path: Path, extra: str = "") -> Document:
    text = PROFILE_TEXT.replace("documents:\n  cv:\n", f"documents:\n  cv:\n    locale: de\n{extra}")
    return documents(write(tmp_path / "de.yaml", text))["cv"]


def test_the_document_carries_the_locales_words(tmp_path: Path) -> None:
    doc = german(tmp_path)
    titles = [s.title for s in doc.sections]
    assert titles[:4] == ["Profil", "Interessen", "Ausbildung", "Berufserfahrung"]
    assert "Auszeichnungen" in titles and "Referenzen" in titles
    assert doc.meta.title == "Ada Beispiel – Lebenslauf" and doc.meta.date_text == "1. Januar 2026"
    assert doc.meta.labels["page_of"] == "Seite {page} von {pages}" and doc.meta.labels["updated"] == "Stand:"
    assert all("." not in k for k in doc.meta.labels)
    education = next(s for s in doc.sections if s.id == "education").groups[0].entries
    assert [d.label for d in education[0].details] == [
        "Note",
        "Abschlussarbeit",
        "Betreuung",
        "Auszeichnungen",
        "Kurse",
    ]
    assert education[0].date is not None and education[0].date.text == "Okt. 2021 – Juni 2026 (voraussichtlich)"
    pubs = next(s for s in doc.sections if s.id == "publications")
    assert [g.title for g in pubs.groups][:3] == ["Konferenzbeiträge", "Zeitschriftenartikel", "Workshopbeiträge"]
    assert pubs.legend == ["* Gleicher Beitrag", "† Korrespondenzautor"]
    assert pubs.summary is not None and pubs.summary.startswith(
        "13 Publikationen: 1 Konferenzbeitrag, 1 Zeitschriftenartikel"
    )
    entries = [e for g in pubs.groups for e in g.entries if isinstance(e, PublicationEntry)]
    journal = next(e for e in entries if e.type == "journal")
    assert (journal.status_label, [link.label for link in journal.links]) == ("Im Erscheinen", ["Daten", "Projekt"])
    assert "".join(s.text for s in journal.citation or []) == "Bd. 12, Nr. 3, S. 101–119"
    assert journal.authors[2].etal and journal.authors[2].name == "et al."
    preprint = next(e for e in entries if e.type == "preprint" and not e.citation)
    assert "".join(s.text for s in preprint.venue or []) == "Preprint 2023"


def test_users_words_win_over_the_locales(tmp_path: Path) -> None:
    extra = (
        "    section_titles: {education: Studium}\n"
        "    labels: {updated: 'Zuletzt geändert:', detail.advisors: Doktoreltern}\n"
        "    publications: {group_by: type, max_authors: 4, status_labels: {to_appear: Angenommen (2025)}}\n"
    )
    text = PROFILE_TEXT.replace("    publications: {group_by: type, max_authors: 4}\n", "")
    doc = documents(
        write(tmp_path / "p.yaml", text.replace("documents:\n  cv:\n", f"documents:\n  cv:\n    locale: de\n{extra}"))
    )["cv"]
    assert next(s for s in doc.sections if s.id == "education").title == "Studium"
    assert doc.meta.labels["updated"] == "Zuletzt geändert:"
    education = next(s for s in doc.sections if s.id == "education").groups[0].entries
    assert "Doktoreltern" in [d.label for d in education[0].details]
    journal = next(e for s in doc.sections for g in s.groups for e in g.entries if getattr(e, "type", "") == "journal")
    assert isinstance(journal, PublicationEntry) and journal.status_label == "Angenommen (2025)"


def test_publications_since_is_localised(tmp_path: Path) -> None:
    text = PROFILE_TEXT.replace(
        "    publications: {group_by: type, max_authors: 4}\n", "    locale: fr\n    publications: {since: 2024}\n"
    )
    doc = documents(write(tmp_path / "p.yaml", text))["cv"]
    assert next(s for s in doc.sections if s.id == "publications").title == "Publications (depuis 2024)"


# ---- errors ------------------------------------------------------------------------------------


def test_unsupported_locale_is_a_located_error(tmp_path: Path) -> None:
    text = PROFILE_TEXT.replace("documents:\n  cv:\n", "documents:\n  cv:\n    locale: sv\n")
    path = write(tmp_path / "sv.yaml", text)
    line = text.splitlines().index("    locale: sv") + 1
    result = run_cli("validate", path)
    assert result.returncode == 2, result.stderr
    assert (
        f"sv.yaml:{line}:13: documents.cv.locale: cvbuild has no CV vocabulary for locale 'sv'"
        in result.stdout + result.stderr
    )
    result = run_cli("render", PROFILE, "-f", "txt", "-o", tmp_path / "out", "--set", "locale=sv")
    assert result.returncode == 2 and "--set: theme option locale: cvbuild has no CV vocabulary" in result.stderr
    assert "Traceback" not in result.stderr and not (tmp_path / "out").exists()


def test_unknown_label_key_is_a_located_error_with_a_suggestion(tmp_path: Path) -> None:
    text = PROFILE_TEXT.replace("documents:\n  cv:\n", "documents:\n  cv:\n    labels: {detail.adviser: Supervisor}\n")
    result = run_cli("validate", write(tmp_path / "p.yaml", text))
    assert result.returncode == 2
    out = result.stdout + result.stderr
    assert "documents.cv.labels" in out and "unknown label 'detail.adviser'; did you mean 'detail.advisor'?" in out
    assert re.search(r"p\.yaml:\d+:\d+:", out)


def test_a_label_keeps_its_spaces(tmp_path: Path) -> None:
    """The profile strips its strings, and stripped ` to `, `, ` and ` (prévu)` a range read
    `Jul 2023topresent`, and a range_sep of one space was refused as empty: a label is as written."""
    labels = '{range_sep: " to ", list_sep: " · ", updated: "Revised "}'
    text = PROFILE_TEXT.replace("documents:\n  cv:\n", f"documents:\n  cv:\n    labels: {labels}\n")
    doc = documents(write(tmp_path / "p.yaml", text))["cv"]
    assert {k: doc.meta.labels[k] for k in ("range_sep", "list_sep", "updated")} == {
        "range_sep": " to ",
        "list_sep": " · ",
        "updated": "Revised ",
    }
    ranges = [e.date.text for s in doc.sections for g in s.groups for e in g.entries if e.date and e.date.end_text]
    assert ranges and all(" to " in r for r in ranges), ranges
    text = PROFILE_TEXT.replace("documents:\n  cv:\n", 'documents:\n  cv:\n    labels: {range_sep: " "}\n')
    doc = documents(write(tmp_path / "space.yaml", text))["cv"]
    assert doc.meta.labels["range_sep"] == " "
    result = run_cli("validate", write(tmp_path / "empty.yaml", text.replace('range_sep: " "', 'range_sep: ""')))
    assert result.returncode == 2 and "documents.cv.labels.range_sep" in result.stdout + result.stderr


def test_a_label_in_a_block_scalar_is_its_line_and_a_heading_is_never_blank(tmp_path: Path) -> None:
    """Kept as written, a label took a YAML block scalar's final line break (`>` or `|`), which
    was refused as a second line (with the hint `use >`, which was what was written), and a
    heading of spaces was printed as none: `##` in md, a bare `===` in txt (it was refused when
    labels were stripped). A separator of spaces stays allowed."""
    labels = "    labels:\n      section.education: >\n        Ausbildung\n"
    labels += '      section.experience: |\n        Praxis\n      range_sep: " bis "\n'
    text = PROFILE_TEXT.replace("documents:\n  cv:\n", f"documents:\n  cv:\n{labels}")
    text = text.replace("documents:\n  cv:\n", "documents:\n  cv:\n    title: >\n      Lebenslauf\n", 1)
    text = text.replace(
        "documents:\n  cv:\n", "documents:\n  cv:\n    options:\n      font: >\n        Linux Libertine O\n", 1
    )
    out = tmp_path / "out"
    result = run_cli("render", write(tmp_path / "p.yaml", text), "-f", "md,txt,html", "-o", out)
    assert result.returncode == 0, result.stderr
    md = next(out.glob("*.md")).read_text(encoding="utf-8")
    assert "\n## Ausbildung\n" in md and "\n## Praxis\n" in md and "Oct 2021 bis Jun 2026" in md, md
    assert documents(tmp_path / "p.yaml")["cv"].options["font"] == "Linux Libertine O"  # an option, likewise
    doc = documents(tmp_path / "p.yaml")["cv"]
    assert doc.meta.title == "Lebenslauf"
    blank = PROFILE_TEXT.replace("documents:\n  cv:\n", 'documents:\n  cv:\n    labels: {section.skills: "   "}\n')
    result = run_cli("render", write(tmp_path / "blank.yaml", blank), "-f", "md", "-o", tmp_path / "blank")
    assert result.returncode == 2, result.stdout
    assert re.search(r"blank\.yaml:\d+:\d+: documents\.cv\.labels: label 'section\.skills' is blank", result.stderr)


def test_vocabulary_is_loaded_only_for_the_language_used() -> None:
    """`cvbuild --help` and English renders import no other language's table."""
    import subprocess
    import sys

    code = (
        "import sys; from cvbuild.document.locales import words; words('en'); "
        "print(sorted(m for m in sys.modules if m.startswith('cvbuild.document.locales.')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "['cvbuild.document.locales.en']"
    code = "import sys, cvbuild.cli.app; print(any(m.startswith('cvbuild.document.locales') for m in sys.modules))"
    assert (
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
        == "False"
    )


def test_vocabulary_type_is_frozen() -> None:
    v = vocabulary("en")
    assert isinstance(v, Vocabulary)
    with pytest.raises(TypeError):
        v.table["cv"] = "x"  # type: ignore[index]


def test_docs_list_every_key() -> None:
    """docs/locales.md lists the keys a user may set in `labels` (regenerate its tables when adding one)."""
    from conftest import ROOT

    listed = set(re.findall(r"^\| `([a-z_.]+)` \|", (ROOT / "docs" / "locales.md").read_text(encoding="utf-8"), re.M))
    assert listed == set(ENGLISH)


def test_rendercv_import_keeps_only_a_supported_language(tmp_path: Path) -> None:
    """RenderCV knows more languages than cvbuild: the import says so, and its profile validates."""
    rcv = write(tmp_path / "rcv.yaml", "cv:\n  name: Ada Example\nlocale:\n  language: turkish\n")
    result = run_cli("import", "rendercv", rcv)
    assert result.returncode == 0 and "locale:" not in result.stdout
    assert "rcv.yaml:4:13: locale.language: cvbuild has no CV vocabulary for locale 'tr'" in result.stderr
    assert run_cli("validate", write(tmp_path / "p.yaml", result.stdout)).returncode == 0
    french = write(tmp_path / "fr.yaml", "cv:\n  name: Ada Example\nlocale:\n  language: french\n")
    assert "locale: fr" in run_cli("import", "rendercv", french).stdout


def test_theme_section_titles_per_language(tmp_path: Path) -> None:
    """A theme's heading is one for every language, or one per language (the locale's otherwise)."""
    theme = tmp_path / "themes" / "mine"
    write(
        theme / "theme.toml",
        'extends = "classic"\n[section_titles]\nservice = "Gremien"\n'
        'talks = {en = "Invited Talks", de = "Eingeladene Vorträge", pt_PT = "Palestras convidadas"}\n',
    )
    titles = {}
    for locale in ("de", "fr", "en", "pt_PT"):
        text = PROFILE_TEXT.replace("documents:\n  cv:\n", f"documents:\n  cv:\n    locale: {locale}\n")
        doc = documents(write(tmp_path / f"{locale}.yaml", text), theme=str(theme))["cv"]
        titles[locale] = {s.id: s.title for s in doc.sections}
    assert [titles[loc]["talks"] for loc in ("de", "fr", "en", "pt_PT")] == [
        "Eingeladene Vorträge",
        "Communications",
        "Invited Talks",
        "Palestras convidadas",
    ]
    assert {titles[loc]["service"] for loc in titles} == {"Gremien"}


def test_theme_check_finds_a_themes_own_english(tmp_path: Path) -> None:
    """`cvbuild theme check` renders the German fixture and names English the theme wrote itself."""
    from cvbuild.themes import check
    from cvbuild.themes.theme import builtin_themes_dir

    folder = tmp_path / "themes" / "english"
    write(folder / "theme.toml", 'extends = "classic"\ntargets = ["txt"]\n')
    text = (builtin_themes_dir() / "base" / "cv.txt.j2").read_text(encoding="utf-8")
    write(
        folder / "cv.txt.j2",
        text.replace(
            "{{ section.title | upper }}",
            '{{ "Publications" if section.id == "publications" else section.title | upper }}',
        ),
    )
    result = check.check_theme(str(folder), fixtures=["german"])
    english = [p for p in result.problems if p.kind == "english"]
    assert len(english) == 1 and english[0].target == "txt", check.report(result)
    assert "section.publications: 'Publications'" in english[0].message
    assert check.check_theme("classic", fixtures=["german"]).ok


@pytest.mark.parametrize(
    ("locale", "typeset"),
    [
        ("en", "“Zorb ‘Vexil’” Bachelor’s"),
        ("de", "„Zorb ‚Vexil‘“ Bachelor’s"),
        ("fr", "«\u00a0Zorb “Vexil”\u00a0» Bachelor’s"),
        ("es", "«Zorb “Vexil”» Bachelor’s"),
        ("it", "«Zorb “Vexil”» Bachelor’s"),
        ("pt", "“Zorb ‘Vexil’” Bachelor’s"),
        ("nl", "“Zorb ‘Vexil’” Bachelor’s"),
        ("zh", "“Zorb ‘Vexil’” Bachelor’s"),
        ("ja", "「Zorb 『Vexil』」 Bachelor’s"),
        ("ko", "“Zorb ‘Vexil’” Bachelor’s"),
    ],
)
def test_typeset_quotes_are_the_languages(locale: str, typeset: str, tmp_path: Path) -> None:
    """PDF and HTML get the language's double quotes for the straight ones the owner typed, and its
    single (inner) quotes for a quote inside them; an apostrophe stays ’ in every language."""
    from cvbuild.document.typography import typographic

    text = PROFILE_TEXT.replace("headline: Quorra Vexil", "headline: '\"Zorb ''Vexil''\" Bachelor''s'")
    text = text.replace("documents:\n  cv:\n", f"documents:\n  cv:\n    locale: {locale}\n")
    doc = typographic(documents(write(tmp_path / "q.yaml", text))["cv"])
    assert "".join(s.text for s in doc.person.headline or []) == typeset


def test_text_headings_are_underlined_to_their_width(tmp_path: Path) -> None:
    """Wide (CJK) characters take two columns: `个人简介` gets eight `=`, and `ß` upper-cased two."""
    for locale in ("zh", "de"):
        text = PROFILE_TEXT.replace("documents:\n  cv:\n", f"documents:\n  cv:\n    locale: {locale}\n")
        result = run_cli("render", write(tmp_path / f"{locale}.yaml", text), "-f", "txt", "-o", tmp_path / locale)
        assert result.returncode == 0, result.stderr
        lines = (tmp_path / locale / "ada-beispiel-cv.txt").read_text(encoding="utf-8").splitlines()
        for above, line in itertools.pairwise(lines):
            if line and set(line) <= {"=", "-"} and above:
                wide = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in above)
                assert len(line) == wide, (above, line)
    assert "个人简介\n========\n" in (tmp_path / "zh" / "ada-beispiel-cv.txt").read_text(encoding="utf-8")


DEGREE = """\
name: Noa Example
education:
  - {institution: Universitas Zorbica, degree: M.Sc., field: Vexilogie, start: 2019, end: 2021}
  - {institution: Academia Nimborum, degree: B.Sc., start: 2015, end: 2019}
documents:
  cv: {locale: LANG}
"""


@pytest.mark.parametrize(
    ("locale", "title"),
    [
        ("en", "M.Sc. in Vexilogie"),
        ("fr", "M.Sc. en Vexilogie"),
        ("zh", "M.Sc.（Vexilogie）"),
        ("ja", "M.Sc.（Vexilogie）"),
        ("ko", "Vexilogie M.Sc."),
    ],
)
def test_a_degree_and_its_field_are_joined_in_the_language(locale: str, title: str, tmp_path: Path) -> None:
    """ "M.Sc. in Vexilogie" printed the English "in" in every language: Chinese and Japanese CVs
    read 修士（工学）, French "en"."""
    doc = documents(write(tmp_path / "p.yaml", DEGREE.replace("LANG", locale)))["cv"]
    education = next(s for s in doc.sections if s.id == "education").groups[0].entries
    assert ["".join(s.text for s in e.title) for e in education] == [title, "B.Sc."]


KOREAN = """\
name: 김지우
education:
  - {institution: 한국과학기술원, degree: 박사, field: 전산학, start: 2019-03, end: 2026-02, expected: true,
     courses: [운영체제, 컴퓨터 네트워크], honors: [우수 논문상, 최우수 논문상]}
experience:
  - {organization: 삼성리서치, role: 연구 인턴, start: 2022-06, end: 2022-08}
  - {organization: 한국과학기술원, role: 박사후연구원, start: 2024-03, end: present}
publications:
  - {title: 한국어 토큰화, authors: [김지우], venue: 정보과학회논문지, date: 2023, type: journal, status: under_review}
  - {title: 통신 압축, authors: [김지우], venue: KCC, date: 2024, type: conference}
  - {title: Edge MoE, authors: [김지우], venue: MobiCom, date: 2024, type: conference}
documents:
  cv: {locale: ko, publications: {group_by: type}}
"""


def test_a_korean_document_reads_as_korean_cvs_do(tmp_path: Path) -> None:
    """`locale: ko` was refused. Dates in Korean order joined by CLDR's " ~ " (2019년 3월 ~ 현재),
    `(예정)` and every bracket against the word, as the orthography writes them, the field before
    the degree (전산학 박사), courses and honors joined by a comma (Korean has no semicolon), and a
    count with its counter word (학술대회 논문 2편)."""
    doc = documents(write(tmp_path / "ko.yaml", KOREAN))["cv"]
    sections = {s.id: s for s in doc.sections}
    assert [sections[i].title for i in ("education", "experience", "publications")] == ["학력", "경력", "연구 실적"]
    phd = sections["education"].groups[0].entries[0]
    assert "".join(s.text for s in phd.title) == "전산학 박사"
    assert phd.date is not None and phd.date.text == "2019년 3월 ~ 2026년 2월(예정)"
    assert {d.label: "".join(s.text for s in d.value) for d in phd.details if d.label in ("수강 과목", "수상")} == {
        "수강 과목": "운영체제, 컴퓨터 네트워크",
        "수상": "우수 논문상, 최우수 논문상",
    }
    dates = [e.date.text for e in sections["experience"].groups[0].entries if e.date]
    assert dates == ["2022년 6월 ~ 2022년 8월", "2024년 3월 ~ 현재"]
    pubs = sections["publications"]
    assert [g.title for g in pubs.groups] == ["학술대회 논문", "학술지 논문"]
    assert pubs.summary == "연구 실적 3건: 학술대회 논문 2편 및 학술지 논문 1편"
    journal = next(e for e in publications(doc) if e.type == "journal")
    assert journal.status_label == "심사 중"
    assert doc.meta.labels["paren_open"] == "(" and doc.meta.labels["range_sep"] == " ~ "


def test_a_label_with_a_field_the_text_does_not_have_is_a_located_error(tmp_path: Path) -> None:
    """`count.publication.other: "{n} papers {m}"` crashed the render ({m} is unknown); it is refused,
    located, with the fields it may hold. Words a theme fills in (`page_of`) keep any other brace."""
    text = PROFILE_TEXT.replace(
        "documents:\n  cv:\n", "documents:\n  cv:\n    labels: {count.publication.other: '{n} papers {m}'}\n"
    )
    result = run_cli("validate", write(tmp_path / "p.yaml", text))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert re.search(
        r"p\.yaml:\d+:\d+: documents\.cv\.labels: label 'count\.publication\.other' may hold \{n\}", result.stderr
    )
    text = PROFILE_TEXT.replace(
        "documents:\n  cv:\n", "documents:\n  cv:\n    labels: {page_of: '{page} {pages} {x'}\n"
    )
    assert run_cli("validate", write(tmp_path / "p.yaml", text)).returncode == 0


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("degree.in_field", "{degree:>999999999999} in {field}"),  # was a MemoryError at render time
        ("degree.in_field", "{degree!r} in {field}"),  # printed 'M.Sc.' with quotes
        ("count.publication.other", "{n:,>99999999}"),
        ("section.publications_since", "Since {year!a}"),
    ],
)
def test_a_label_field_with_a_format_spec_or_conversion_is_refused(key: str, value: str, tmp_path: Path) -> None:
    """A label's fields are filled in by str.format: a spec or conversion there is code, not words."""
    text = PROFILE_TEXT.replace("documents:\n  cv:\n", f"documents:\n  cv:\n    labels: {{{key}: '{value}'}}\n")
    result = run_cli("validate", write(tmp_path / "p.yaml", text))
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    assert re.search(rf"p\.yaml:\d+:\d+: documents\.cv\.labels: label '{re.escape(key)}' may hold", result.stderr)


# Characters only Simplified Chinese writes (their Traditional forms: 專個書會歷發學論語...), all
# of them in zh.py's words.
SIMPLIFIED_ONLY = set(
    "专个书兴会务历发奖学审导应师录写报据术数献电码简经网职联节荐荣视计讨议讯论证话语课负贡责资邮链页项预频愿灯"
)


@pytest.mark.parametrize("locale", ["zh_TW", "zh-TW", "zh_HK", "zh_Hant", "zh_Hant_TW"])
def test_traditional_chinese_writes_traditional_words(locale: str) -> None:
    """zh_TW (which docs/locales.md names) wrote every heading and label in Simplified Chinese
    (个人简历, 教育背景, 论文发表), which a reader in Taiwan or Hong Kong notices at once."""
    w = words(locale)
    simplified = {k: v for k, v in w.items() if SIMPLIFIED_ONLY & set(v)}
    assert not simplified, simplified
    assert (w["section.education"], w["cv"], w["quote_open"], w["quote_close"]) == ("學歷", "個人履歷", "「", "」")
    assert set("".join(words("zh").values())) >= SIMPLIFIED_ONLY  # the list is zh.py's, and Simplified stays


@pytest.mark.parametrize(
    ("locale", "region"), [("zh_TW", "TW"), ("zh_Hant", "TW"), ("zh", "none"), ("en_GB", "GB"), ("pt_PT", "PT")]
)
def test_typst_gets_the_locales_region(locale: str, region: str, tmp_path: Path) -> None:
    """The region reaches Typst's text (and so the CJK font's local forms: Taiwan's centred ，。
    and Traditional glyph shapes); only the language did, so zh_TW was set in mainland forms."""
    theme = tmp_path / "t"
    write(theme / "theme.toml", 'extends = "base"\ntargets = ["pdf"]\n')
    write(
        theme / "cv.typ",
        '#import "@local/cvbuild:1.0.0": *\n#let doc = load-document()\n#show: setup.with(doc)\n'
        '#context text("region=" + repr(text.region))\n',
    )
    profile = write(tmp_path / "p.yaml", f"name: Ada Example\ndocuments:\n  cv: {{locale: {locale}}}\n")
    result = run_cli("render", profile, "--theme", theme, "-f", "pdf", "-o", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    shown = pdf_text(next((tmp_path / "out").glob("*.pdf")))
    assert ("region=" + (f'"{region}"' if region != "none" else "none")) in shown.replace("\u201c", '"').replace(
        "\u201d", '"'
    ), shown
