"""Plain text and Markdown targets: every item present, user text verbatim in txt and inert in md."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from conftest import EXAMPLE, FIXTURES, RESUME, documents, publications, run_cli, write
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from pydantic import ValidationError

from cvbuild.document.inline import plain, spans
from cvbuild.document.model import Document, Entry, PublicationEntry
from cvbuild.loading.profile import load_profile
from cvbuild.pipeline import RenderRequest, build_for, documents_to_render, output_stem, today
from cvbuild.schema.model import Profile
from cvbuild.targets import markdown as md_target
from cvbuild.targets import text as txt_target
from cvbuild.targets.base import RenderContext
from cvbuild.targets.jinja import spans_text

# ---- helpers ----------------------------------------------------------------------------


def norm(text: str) -> str:
    """Whitespace-insensitive form, so wrapped lines compare equal to the unwrapped text."""
    return " ".join(text.split())


class _Visible(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        self.tags.append(tag)
        if tag in ("br", "p", "li", "h1", "h2", "h3", "h4", "hr"):
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        self.tags.append("/" + tag)
        if tag in ("p", "li", "h1", "h2", "h3", "h4"):
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


@cache
def _commonmark() -> MarkdownIt:
    return MarkdownIt("commonmark")


def md_html(md: str) -> str:
    return _commonmark().render(md)


def visible(html: str) -> tuple[str, list[str]]:
    """(normalised visible text, sequence of tags) of an HTML fragment."""
    parser = _Visible()
    parser.feed(html)
    parser.close()
    return norm("".join(parser.parts)), parser.tags


def render_docs(
    profile: Profile, profile_path: Path, sets: dict[str, str] | None = None
) -> dict[str, tuple[Document, str, str]]:
    """In-process: document name -> (Document, txt, md), exactly as `render` builds them."""
    request = RenderRequest(profile=profile_path, sets=sets or {})
    day = today()
    out = {}
    for name, spec in documents_to_render(profile, None):
        theme, doc = build_for(profile, name, spec, request, day)
        ctx = RenderContext(theme=theme, today=day, profile_dir=profile_path.parent, options=doc.options)
        txt = txt_target.render("txt", doc, ctx)[0].data.decode("utf-8")
        md = md_target.render("md", doc, ctx)[0].data.decode("utf-8")
        out[name] = (doc, txt, md)
    return out


def entries(doc: Document) -> Iterator[Entry | PublicationEntry]:
    for section in doc.sections:
        for group in section.groups:
            for e in group.entries:
                yield e
                if isinstance(e, Entry):
                    yield from _children(e)


def _children(e: Entry) -> Iterator[Entry]:
    for c in e.children:
        yield c
        yield from _children(c)


def without_rules(txt: str) -> str:
    """The txt without its `=====` and `-----` underlines, whose length follows the title."""
    return "\n".join(line for line in txt.splitlines() if not re.fullmatch(r"\s*(=+|-+)\s*", line))


def txt_publication_blocks(txt: str, section_title: str) -> list[str]:
    """Paragraphs of the publications section of the txt, each with its whitespace normalised."""
    lines = txt.splitlines()
    start = next(i for i, line in enumerate(lines) if line == section_title.upper() and set(lines[i + 1]) == {"="})
    end = next((i for i in range(start + 2, len(lines) - 1) if set(lines[i + 1]) == {"="}), len(lines))
    return [norm(b) for b in re.split(r"\n\s*\n", "\n".join(lines[start + 2 : end])) if b.strip()]


def md_publication_items(md: str, section_title: str) -> list[str]:
    """Visible text of every list item in the publications section of the Markdown, as CommonMark."""
    html = md_html(md)
    m = re.search(rf"<h2>{re.escape(section_title)}</h2>(.*?)(<h2>|<hr />)", html, flags=re.S)
    assert m, section_title
    return [visible(li)[0] for li in re.findall(r"<li>(.*?)</li>", m.group(1), flags=re.S)]


# ---- both profiles render ---------------------------------------------------------------


@pytest.mark.parametrize("profile_path", [EXAMPLE, RESUME], ids=["example", "resume"])
def test_profile_renders_txt_and_md(profile_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run_cli("render", profile_path, "-f", "txt,md", "-o", out)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    profile, _ = load_profile(profile_path)
    docs = documents_to_render(profile, None)
    expected = {f"{output_stem(profile, name)}{ext}" for name, _ in docs for ext in (".txt", ".md")}
    assert {p.name for p in out.iterdir()} == expected
    in_process = render_docs(profile, profile_path)
    for name, _ in docs:
        stem = output_stem(profile, name)
        assert stem.startswith("wenya-tang" if profile_path == EXAMPLE else "jordan-alvarez")
        _, txt, md = in_process[name]
        assert (out / f"{stem}.txt").read_text(encoding="utf-8") == txt
        assert (out / f"{stem}.md").read_text(encoding="utf-8") == md
        assert txt.endswith("\n") and not txt.endswith("\n\n")
        assert md.startswith(f"# {profile.name}")


def test_example_profile_is_rich() -> None:
    """The example must stay at least as rich as the seed pages."""
    profile, _ = load_profile(EXAMPLE)
    pubs = profile.publication_entries()
    assert len(pubs) >= 28
    assert {p.type for p in pubs} >= {"conference", "journal", "workshop", "preprint", "thesis", "patent"}
    assert any(p.status == "submitted" for p in pubs)
    assert any(p.status == "to_appear" for p in pubs)
    assert {
        "Best Paper Award",
        "Best Student Paper Award",
        "Outstanding Paper Award",
        "Distinguished Artifact Award",
    } <= {p.award for p in pubs}
    assert max(len(p.authors) for p in pubs) >= 13
    assert any(a.endswith("*") for p in pubs for a in p.authors)
    assert any(a.endswith("†") for p in pubs for a in p.authors)
    assert {p.date.year for p in pubs} >= set(range(2019, 2027))
    assert len({p.id for p in pubs}) == len(pubs)
    assert profile.native_name and all("\u4e00" <= ch <= "\u9fff" or ch == "·" for ch in profile.native_name)
    for section in (
        "education",
        "experience",
        "honors",
        "skills",
        "languages",
        "projects",
        "service",
        "teaching",
        "talks",
    ):
        assert getattr(profile, section), section
    assert profile.sections and profile.interests and profile.summary
    assert {"cv", "resume"} <= set(profile.documents)


# ---- every item of the example profile appears ------------------------------------------


@cache
def _example() -> tuple[Profile, dict[str, tuple[Document, str, str]]]:
    profile, _ = load_profile(EXAMPLE)
    return profile, render_docs(profile, EXAMPLE)


def test_cv_document_holds_every_publication() -> None:
    profile, docs = _example()
    doc = docs["cv"][0]
    titles = [plain(e.title) for e in entries(doc) if isinstance(e, PublicationEntry)]
    assert sorted(titles) == sorted(plain(spans(p.title)) for p in profile.publication_entries())


@pytest.mark.parametrize("fmt", ["txt", "md"])
@pytest.mark.parametrize("document", ["cv", "resume", "recent"])
def test_every_title_author_venue_and_date_appears(document: str, fmt: str) -> None:
    _, docs = _example()
    doc, txt, md = docs[document]
    (pub_section,) = [s for s in doc.sections if s.kind == "publications"]
    blocks = (txt_publication_blocks if fmt == "txt" else md_publication_items)(
        txt if fmt == "txt" else md, pub_section.title
    )
    whole = norm(txt) if fmt == "txt" else visible(md_html(md))[0]
    checked = 0
    for e in entries(doc):
        if isinstance(e, PublicationEntry):
            title = norm(plain(e.title))
            mine = [b for b in blocks if re.sub(r"^\[\w+\] ", "", b).startswith(title)]
            assert len(mine) == 1, f"{title!r} found in {len(mine)} blocks of the {fmt}"
            block = mine[0]
            for author in e.authors:
                assert author.name in block, f"{author.name!r} missing for {title!r}"
            if e.venue:
                assert norm(plain(e.venue)) in block, f"venue of {title!r}"
            assert e.year in block, f"the date ({e.year}) of {title!r} is not shown"
            if e.award:
                assert norm(plain(e.award)) in block
            checked += 1
        else:
            if e.title:
                assert norm(plain(e.title)) in whole
            if e.date:
                assert norm(e.date.text) in whole, f"date {e.date.text!r} of {plain(e.title)!r}"
            checked += 1
    assert checked >= 5


def test_every_row_of_a_table_section_is_its_own_markdown_item() -> None:
    """Skills (a `table` section) in Markdown: one list item per group, each with its own items;
    a template line ending in a block tag once ran them all into one item."""
    _, docs = _example()
    doc, _, md = docs["cv"]
    (skills,) = [s for s in doc.sections if s.id == "skills"]
    html = md_html(md)
    m = re.search(rf"<h2>{re.escape(skills.title)}</h2>(.*?)<h2>", html, flags=re.S)
    assert m, skills.title
    items = [visible(li)[0] for li in re.findall(r"<li>(.*?)</li>", m.group(1), flags=re.S)]
    expected = [f"{plain(e.title)}: {', '.join(e.items)}" for e in skills.groups[0].entries]
    assert len(expected) >= 2
    assert items == expected


@pytest.mark.parametrize("native", [None, "唐文雅"])
def test_pronouns_and_native_name_keep_their_own_lines(native: str | None, tmp_path: Path) -> None:
    """`WENYA TANG (唐文雅)she/her` was the example's first line: pronouns stand on their own line,
    and the headline comes after a blank line whether or not there are pronouns."""
    data = {"name": "Ada Example", "pronouns": "she/her", "headline": "Researcher"}
    if native:
        data["native_name"] = native
    _, txt, md = _render_dict(data, tmp_path)
    name = "ADA EXAMPLE" + (f" ({native})" if native else "")
    assert txt.splitlines()[:4] == [name, "she/her", "", "Researcher"], txt
    assert "*she/her*" in md.splitlines(), md
    del data["pronouns"]
    _, txt, _ = _render_dict(data, tmp_path / "bare")
    assert txt.splitlines()[:3] == [name, "", "Researcher"], txt


def test_publication_without_venue_still_shows_its_year(tmp_path: Path) -> None:
    """A paper in submission often has no venue yet; its date must still be shown."""
    data = {
        "name": "Ada Example",
        "publications": [
            {"title": "Quiet Queues", "authors": ["Ada Example"], "date": "2031-02", "status": "submitted"},
            {"title": "Loud Queues", "authors": ["Ada Example"], "date": "2030-01", "type": "workshop"},
        ],
    }
    _, txt, md = _render_dict(data, tmp_path)
    blocks = txt_publication_blocks(txt, "Publications")
    items = md_publication_items(md, "Publications")
    for title, year in (("Quiet Queues", "2031"), ("Loud Queues", "2030")):
        (block,) = [b for b in blocks if title in b]
        (item,) = [i for i in items if title in i]
        assert year in block, block
        assert year in item, item


def test_every_full_venue_name_appears() -> None:
    """`venue_full` is part of the Document; text and Markdown must not drop it."""
    _, docs = _example()
    doc, txt, md = docs["cv"]
    full = [norm(plain(e.venue_full)) for e in entries(doc) if isinstance(e, PublicationEntry) and e.venue_full]
    assert len(full) >= 20
    md_text = visible(md_html(md))[0]
    assert [v for v in full if v not in norm(txt)] == []
    assert [v for v in full if v not in md_text] == []


def test_owner_bold_in_md_and_unmarked_in_txt() -> None:
    _, docs = _example()
    doc, txt, md = docs["cv"]
    html = md_html(md)
    owner_forms = set()
    for e in entries(doc):
        if isinstance(e, PublicationEntry):
            for a in e.authors:
                if a.is_owner:
                    owner_forms.add(a.name)
                    assert f"**{a.name}**" in md
                elif not a.etal:
                    assert f"**{a.name}**" not in md
                    assert f"<strong>{a.name}</strong>" not in html
    assert owner_forms == {"Wenya Tang", "W. Tang"}  # "Tang, Wenya" is shown in reading order
    assert "<strong>Wenya Tang</strong>*" in html  # equal contribution: a literal star after the bold name
    assert "**" not in txt and "<strong>" not in txt
    assert "Kai Brennan*, Wenya Tang*, Joaquín Salas" in norm(txt)
    assert "Irene Okafor†" in txt


# ---- width ------------------------------------------------------------------------------


def _long_lines(txt: str, width: int) -> list[str]:
    """Lines over `width` that have no excuse: only an unbreakable URL may stick out."""
    return [line for line in txt.splitlines() if len(line) > width and "://" not in line]


def test_text_wraps_at_80_and_width_can_be_set(tmp_path: Path) -> None:
    _, docs = _example()
    txt80 = docs["cv"][1]
    assert _long_lines(txt80, 80) == []
    assert max(len(line) for line in txt80.splitlines() if "://" not in line) > 70  # it does fill lines

    out = tmp_path / "out"
    result = run_cli("render", EXAMPLE, "-f", "txt", "-d", "cv", "-o", out, "--set", "text_width=100")
    assert result.returncode == 0, result.stderr
    (path,) = out.iterdir()
    txt100 = path.read_text(encoding="utf-8")
    assert _long_lines(txt100, 100) == []
    assert any(len(line) > 80 and "://" not in line for line in txt100.splitlines())
    assert norm(txt100) == norm(txt80)  # same words, wrapped differently


# ---- special characters in every free-text field ----------------------------------------

SPECIAL = (
    "*lone _under #hash <b>bold?</b> [x] $5 C:\\dir @at a|b AT&T &amp; 😀 中文 עברית العربية <script>alert(1)</script>"
)


def special_profile(t: Callable[[str], str]) -> dict[str, Any]:
    """A profile whose every free-text field is t(label); labels are unique so each field can be found."""
    return {
        "name": t("n00"),
        "native_name": t("n01"),
        "aliases": [t("n02")],
        "headline": t("n03"),
        "pronouns": t("n04"),
        "contact": {"email": "z_o*e@example.org", "location": t("n05"), "phone": "+1 (555) 010-0100"},
        "summary": t("n06"),
        "interests": [t("n07"), t("n08")],
        "education": [
            {
                "institution": t("n09"),
                "degree": t("n10"),
                "field": t("n11"),
                "location": t("n12"),
                "start": 2019,
                "end": 2024,
                "gpa": t("n13"),
                "honors": [t("n14")],
                "advisors": [t("n15")],
                "thesis": t("n16"),
                "highlights": [t("n17")],
            }
        ],
        "experience": [
            {
                "organization": t("n18"),
                "role": t("n19"),
                "team": t("n20"),
                "location": t("n21"),
                "start": "2020-01",
                "end": "present",
                "advisors": [t("n22")],
                "mentors": [t("n23")],
                "summary": t("n24"),
                "highlights": [t("n25")],
                "projects": [{"name": t("n26"), "summary": t("n27"), "highlights": [t("n28")]}],
            }
        ],
        "publications": [
            {
                "id": "p1",
                "title": t("n29"),
                "authors": [t("n30") + "*", t("n00") + "*", t("n31") + "†"],
                "venue": t("n32"),
                "venue_full": t("n33"),
                "date": "2024-05",
                "award": t("n34"),
                "note": t("n35"),
            }
        ],
        "honors": [{"title": t("n36"), "issuer": t("n37"), "date": 2023, "note": t("n38")}],
        "skills": [{"category": t("n39"), "items": [t("n40"), t("n41")]}],
        "languages": [{"language": t("n42"), "fluency": t("n43")}],
        "projects": [
            {
                "name": t("n44"),
                "role": t("n45"),
                "summary": t("n46"),
                "highlights": [t("n47")],
                "technologies": [t("n48")],
                "metrics": [t("n49")],
                "url": "https://example.org/p",
            }
        ],
        "service": [{"role": t("n50"), "organization": t("n51"), "summary": t("n52"), "date": 2022}],
        "teaching": [
            {"course": t("n53"), "role": t("n54"), "institution": t("n55"), "term": t("n56"), "summary": t("n57")}
        ],
        "talks": [{"title": t("n58"), "event": t("n59"), "location": t("n60"), "date": 2023, "summary": t("n61")}],
        "sections": [
            {
                "title": t("n62"),
                "id": "custom",
                "entries": [
                    {
                        "title": t("n63"),
                        "subtitle": t("n64"),
                        "location": t("n65"),
                        "summary": t("n66"),
                        "highlights": [t("n67")],
                        "date": 2021,
                    }
                ],
            }
        ],
    }


LABELS = [f"n{i:02d}" for i in range(68)]
SHOWN = [label for label in LABELS if label != "n02"]  # aliases only decide who the owner is
UPPER_IN_TXT = {"n00", "n62"}  # the txt layout puts the name and section titles in capitals


def _plain_t(label: str) -> str:
    # In parentheses, as SPECIAL has some: a venue that holds its own is joined by a dash, not
    # wrapped in another pair (PublicationEntry.venue_parens), so both renders have one layout;
    # ending in a letter, as SPECIAL does not end in a number or `)`: a year added after those
    # follows a comma (publications.year_glue).
    return f"{label} (plain) z"


def _special_t(label: str) -> str:
    return f"{label} {SPECIAL}"


def _render_dict(data: dict[str, Any], tmp_path: Path) -> tuple[Document, str, str]:
    profile = Profile.model_validate(data)
    ((doc, txt, md),) = render_docs(profile, tmp_path / "profile.yaml").values()
    return doc, txt, md


def test_special_text_is_not_markup() -> None:
    """Precondition: SPECIAL has no pair that forms inline Markdown, so it must come out unchanged."""
    assert plain(spans(SPECIAL)) == SPECIAL
    assert not any(s.bold or s.italic or s.code or s.href for s in spans(SPECIAL))


def test_every_free_text_field_is_shown(tmp_path: Path) -> None:
    _, txt, md = _render_dict(special_profile(_plain_t), tmp_path)
    md_text = visible(md_html(md))[0]
    missing_txt = [label for label in SHOWN if _plain_t(label) not in norm(txt) and _plain_t(label).upper() not in txt]
    missing_md = [label for label in SHOWN if _plain_t(label) not in md_text]
    assert (missing_txt, missing_md) == ([], []), "fields missing from the (txt, md)"


def test_special_characters_verbatim_in_txt(tmp_path: Path) -> None:
    _, txt_plain, _ = _render_dict(special_profile(_plain_t), tmp_path)
    _, txt, _ = _render_dict(special_profile(_special_t), tmp_path)
    expected = norm(without_rules(txt_plain))
    for label in LABELS:
        expected = expected.replace(_plain_t(label), _special_t(label))
        if label in UPPER_IN_TXT:
            expected = expected.replace(_plain_t(label).upper(), _special_t(label).upper())
    assert norm(without_rules(txt)) == expected
    shown = [label for label in SHOWN if label not in UPPER_IN_TXT and _plain_t(label) in txt_plain]
    assert len(shown) >= 60
    for label in shown:
        assert _special_t(label) in norm(txt), label
    assert "<script>alert(1)</script>" in txt and "\\" in txt and "😀" in txt and "עברית" in txt


def test_special_characters_escaped_in_md(tmp_path: Path) -> None:
    _, _, md_plain = _render_dict(special_profile(_plain_t), tmp_path)
    _, _, md = _render_dict(special_profile(_special_t), tmp_path)
    text_plain, tags_plain = visible(md_html(md_plain))
    html = md_html(md)
    text, tags = visible(html)
    expected = text_plain
    for label in LABELS:
        expected = expected.replace(_plain_t(label), _special_t(label))
    assert text == expected  # every field's visible text is the original text
    assert tags == tags_plain  # and it added no <em>, <strong>, headings, lists or raw HTML
    assert "<script" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert html.count("<h1>") == 1


def test_special_profile_through_the_cli(tmp_path: Path) -> None:
    """JSON is YAML 1.2: the same profile written to disk renders to the same bytes."""
    data = special_profile(_special_t)
    path = write(tmp_path / "special.yaml", json.dumps(data, ensure_ascii=False, indent=1))
    out = tmp_path / "out"
    result = run_cli("render", path, "-f", "txt,md", "-o", out)
    assert result.returncode == 0, result.stderr
    _, txt, md = _render_dict(data, tmp_path)
    (txt_file,) = out.glob("*.txt")
    (md_file,) = out.glob("*.md")
    assert txt_file.read_text(encoding="utf-8") == txt
    assert md_file.read_text(encoding="utf-8") == md


# ---- inline Markdown pairs are markup by design; a backslash escapes them ---------------

PAIRS = "**bold** then *it* then [text](https://x.org/a_b) then `co*de` end"
ESCAPED = r"\*\*nb\*\* then \*ni\* then \[nt\](https://x.org) then \`nc\` end"
LONE = "5 * 3 and a_b and x* end"


def _summary_html(md: str) -> str:
    m = re.search(r"<h2>Summary</h2>\s*<p>(.*?)</p>", md_html(md), flags=re.S)
    assert m, md
    return m.group(1)


def _summary_render(summary: str, tmp_path: Path) -> tuple[str, str]:
    _, txt, md = _render_dict({"name": "Ada Example", "summary": summary}, tmp_path)
    return txt, md


def test_markdown_pairs_are_markup(tmp_path: Path) -> None:
    txt, md = _summary_render(PAIRS, tmp_path)
    assert "bold then it then text (https://x.org/a_b) then co*de end" in norm(txt)
    html = _summary_html(md)
    assert "<strong>bold</strong>" in html
    assert "<em>it</em>" in html
    assert '<a href="https://x.org/a_b">text</a>' in html
    assert "<code>co*de</code>" in html
    assert visible(html)[0] == "bold then it then text then co*de end"


def test_backslash_escapes_markup(tmp_path: Path) -> None:
    txt, md = _summary_render(ESCAPED, tmp_path)
    shown = "**nb** then *ni* then [nt](https://x.org) then `nc` end"
    assert shown in norm(txt)
    html = _summary_html(md)
    assert not re.search(r"<(strong|em|a|code)\b", html), html
    assert visible(html)[0] == shown


def test_lone_star_and_underscore_are_text(tmp_path: Path) -> None:
    txt, md = _summary_render(LONE, tmp_path)
    assert LONE in norm(txt)
    html = _summary_html(md)
    assert not re.search(r"<(strong|em)\b", html), html
    assert visible(html)[0] == LONE


# ---- property: any title comes out as its own visible text ------------------------------

_SPECIALS = "*_#<>[]$\\@|`!&~()-+=.:;'\"{}/%^?"
_titles = st.text(
    alphabet=st.one_of(
        st.sampled_from(_SPECIALS + " 😀中文עברيةä"),
        st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Co", "Cn")),
    ),
    min_size=1,
    max_size=40,
)


@cache
def _baseline_tags() -> dict[str, int]:
    _, _, md = _render_title("plain title")
    return _block_tags(md_html(md))


def _block_tags(html: str) -> dict[str, int]:
    return {
        t: len(re.findall(rf"<{t}\b", html)) for t in ("h1", "h2", "h3", "ul", "ol", "li", "hr", "blockquote", "pre")
    }


def _render_title(title: str) -> tuple[Document, str, str]:
    profile = Profile.model_validate(
        {"name": "Ada Example", "publications": [{"title": title, "authors": ["Ada Example", "Bo Li*"], "date": 2024}]}
    )
    ((doc, txt, md),) = render_docs(profile, Path("/nonexistent/profile.yaml")).values()
    return doc, txt, md


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=_titles)
@example(title="*SkyLB*: A Locality-Aware Load Balancer")
@example(title="**Sky**Serve: Serving AI Models")  # bold followed by a letter, inside the bold title
@example(title="Fast\u2028- and cheap")  # a Unicode line separator must not start a Markdown list
@example(title="1. <b>x</b> # [y] | $z$ \\ @w")
def test_any_title_survives_txt_and_md(title: str) -> None:
    try:
        doc, txt, md = _render_title(title)
    except ValidationError:
        assume(False)
        return
    (pub,) = [e for e in entries(doc) if isinstance(e, PublicationEntry)]
    assume(norm(plain(pub.title)))
    assert norm(spans_text(pub.title)) in norm(txt)
    html = md_html(md)
    items = [visible(m)[0] for m in re.findall(r"<li>(.*?)</li>", html, flags=re.S)]
    assert len(items) == 1, html
    shown = re.sub(r"^\[\d+\] ", "", items[0])  # the classic theme numbers publications
    assert shown.startswith(norm(plain(pub.title)) + " "), (items[0], md)
    assert _block_tags(html) == _baseline_tags(), md


# ---- issue 8 §7: e-mail visibility, no dangling colons, no needless escapes -------------------

EMAIL_PROFILE = """\
name: Ada Example
contact: {email: ada@example.org}
education:
  - {institution: MIT, degree: BSc, start: 2019, end: 2023, gpa: "3.8/4.0"}
languages:
  - {language: English}
  - {language: French, fluency: fluent}
documents:
  plain: {options: {show_email: plain}}
  obfuscated: {options: {show_email: obfuscated}}
  hidden: {options: {show_email: hidden}}
"""


@pytest.fixture(scope="module")
def email_outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("email")
    profile = write(folder / "ada.yaml", EMAIL_PROFILE)
    result = run_cli("render", profile, "-f", "txt,md", "-o", folder / "out")
    assert result.returncode == 0, result.stderr
    return {p.name: p.read_text(encoding="utf-8") for p in (folder / "out").iterdir()}


@pytest.mark.parametrize("fmt", ["txt", "md"])
def test_show_email_is_honoured_in_text_and_markdown(email_outputs: dict[str, str], fmt: str) -> None:
    plain_out = email_outputs[f"ada-example-plain.{fmt}"]
    obfuscated = email_outputs[f"ada-example-obfuscated.{fmt}"]
    hidden = email_outputs[f"ada-example-hidden.{fmt}"]
    assert "ada@example.org" in plain_out
    assert "ada@example.org" not in obfuscated and "mailto:" not in obfuscated
    assert "ada (at) example (dot) org" in obfuscated
    assert "ada" not in hidden.replace("Ada Example", "").replace("ada-example", "") and "mailto:" not in hidden


@pytest.mark.parametrize("fmt", ["txt", "md"])
def test_no_dangling_colon_or_needless_escape(email_outputs: dict[str, str], fmt: str) -> None:
    out = email_outputs[f"ada-example-plain.{fmt}"]
    assert not re.search(r"English\W*:", out)  # a language without a fluency
    assert "3.8/4.0" in out and "3\\.8" not in out


@pytest.mark.parametrize(
    "text", ["3.8/4.0", "C# and F#", "AT&T", "Hello!", "-5 °C", "v2.0 (beta)", "50% off", "e.g. this", "2024 - 2025"]
)
def test_ordinary_text_needs_no_escapes_in_markdown(text: str) -> None:
    from cvbuild.targets.jinja import md_escape

    assert md_escape(text) == text


@cache
def _gfm() -> MarkdownIt:
    return MarkdownIt("gfm-like", {"linkify": False})  # tables and strikethrough


@given(st.text(alphabet=st.sampled_from("ab1 .-+#>*_`[]()!&;<|~$=\\\n"), max_size=30))
@settings(max_examples=400, deadline=None)
def test_escaped_text_renders_as_itself(text: str) -> None:
    """Whatever the text, escaped Markdown shows exactly it, as one paragraph of text (CommonMark and GFM)."""
    from cvbuild.targets.jinja import md_escape

    words = " ".join(text.split())
    assume(words)
    for md in (_commonmark(), _gfm()):
        shown, tags = visible(md.render(md_escape(words)))
        assert " ".join(shown.split()) == words
        assert tags == ["p", "/p"], (words, md.render(md_escape(words)))


def test_text_never_wraps_inside_a_name_or_a_date(tmp_path: Path) -> None:
    """The physicist's 40-author paper and her grants in plain text: a line broke inside names
    ("M. N." / "Agaras") and dates ("Sep 2021" / "– Aug 2025", "2021 –" / "present"), which the
    PDF and HTML never do."""
    profile = FIXTURES / "seeds" / "physicist.yaml"
    result = run_cli("render", profile, "-f", "txt", "-o", tmp_path)
    assert result.returncode == 0, result.stderr
    lines = next(tmp_path.glob("*.txt")).read_text(encoding="utf-8").splitlines()
    names = [a.name for p in publications(documents(profile)["cv"]) for a in p.authors if " " in a.name]
    assert "M. N. Agaras" in names and "T. P. A. Åkesson" in names
    broken = [n for n in names if not any(n in line for line in lines)]
    assert broken == []
    for date in ("Sep 2021 – Aug 2025", "2021 – present", "Spring 2024"):
        assert any(date in line for line in lines), date
    assert max(len(line) for line in lines) <= 80


def test_a_date_range_never_wraps_inside_whatever_the_list_sep(tmp_path: Path) -> None:
    """Plain text kept a date whole as the pieces of its text between list separators (a teaching
    entry's terms are joined by them): a range_sep the list_sep also is (" / ") let a line break
    between "Sep 2021" and "Jun 2026". A formatted date is kept whole; terms still break between."""
    jobs = "\n".join(f"  - {{organization: {'O' * n}, role: R, start: 2021-09, end: 2026-06}}" for n in range(40, 76))
    profile = write(
        tmp_path / "p.yaml",
        f"name: Ada Example\nexperience:\n{jobs}\n"
        "teaching: [{course: C, institution: " + "I" * 60 + ", terms: [Fall 2024, Spring 2025]}]\n"
        'documents:\n  cv: {labels: {range_sep: " / ", list_sep: " / "}}\n',
    )
    result = run_cli("render", profile, "-f", "txt", "-o", tmp_path)
    assert result.returncode == 0, result.stderr
    lines = next(tmp_path.glob("*.txt")).read_text(encoding="utf-8").splitlines()
    assert sum("Sep 2021 / Jun 2026" in line for line in lines) == 36, "\n".join(lines)
    assert any(line.endswith("Fall 2024 /") for line in lines), "\n".join(lines)  # terms may part
    assert max(len(line) for line in lines) <= 80


def test_a_link_in_text_keeps_its_target_as_written(tmp_path: Path) -> None:
    """A link in a summary is the address the user wrote, as a link field's is, in every target:
    markdown-it percent-encoded it, so `a\\b` was `a%5Cb` (another address: a browser reads `\\`
    as `/`), `ä` `%C3%A4`, and the text printed a host name as punycode (`xn--bcher-kva.de`)."""
    import pypdf

    written = ["https://e.org/a\\b", "https://bücher.de/ä?q=1&r=2", "https://e.org/Go_(game)"]
    summary = (
        "See [one](https://e.org/a\\\\b), [two](https://bücher.de/ä?q=1&r=2) and [three](https://e.org/Go_\\(game\\))."
    )
    profile = write(
        tmp_path / "p.yaml",
        f"name: Ada Example\ncontact:\n  website: {written[0]}\nsummary: {json.dumps(summary)}\n",
    )
    out = tmp_path / "out"
    result = run_cli("render", profile, "-f", "pdf,html,txt,md", "-o", out)
    assert result.returncode == 0, result.stderr
    txt = " ".join((out / "ada-example.txt").read_text(encoding="utf-8").split())
    assert "See one (https://e.org/a\\b), two (https://bücher.de/ä?q=1&r=2) and three (https://e.org/Go_(game))." in txt
    page = (out / "ada-example.html").read_text(encoding="utf-8")
    hrefs = re.findall(r'<a [^>]*href="([^"]*)"[^>]*>(?:one|two|three)</a>', page)
    assert [h.replace("&amp;", "&") for h in hrefs] == written
    md = MarkdownIt("commonmark")
    links = [
        t.attrs["href"]
        for t in md.parseInline((out / "ada-example.md").read_text(encoding="utf-8"))[0].children or []
        if t.type == "link_open"
    ]
    assert md.normalizeLink(written[0]) in links  # CommonMark reads the md back as the same address
    uris = [  # the URI's bytes are UTF-8, as a link field's are (pypdf reads them as PDFDocEncoding)
        str(a.get_object()["/A"]["/URI"]).encode("latin-1").decode("utf-8")
        for page_ in pypdf.PdfReader(out / "ada-example.pdf").pages
        for a in page_.get("/Annots") or []
        if "/URI" in a.get_object().get("/A", {})
    ]
    assert all(u in uris for u in written), uris


@pytest.mark.parametrize(
    ("url", "written"),
    [
        ("https://en.wikipedia.org/wiki/Go_(game)", "(https://en.wikipedia.org/wiki/Go_(game))"),
        ("https://e.org/a)b(c", "(https://e.org/a\\)b\\(c)"),
        ("https://e.org/(((a", "(https://e.org/\\(\\(\\(a)"),
    ],
)
def test_a_link_target_with_parentheses_keeps_them_in_markdown(tmp_path: Path, url: str, written: str) -> None:
    """HTML and PDF keep a link's `(` and `)` as the user wrote them; the md target wrote them
    %28 and %29, another address to a server that reads its path as written. Balanced, they
    stand bare (CommonMark allows it); otherwise backslash-escaped. markdown-it reads the same URL."""
    target = url.replace("(", "\\(").replace(")", "\\)")  # as the profile's Markdown writes it
    profile = write(
        tmp_path / "p.yaml",
        f"name: Ada Example\ncontact:\n  website: {json.dumps(url)}\nsummary: {json.dumps(f'See [it]({target}).')}\n",
    )
    result = run_cli("render", profile, "-f", "md,html", "-o", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    text = (tmp_path / "out" / "ada-example.md").read_text(encoding="utf-8")
    assert text.count(written) == 2 and "%28" not in text and "%29" not in text, text
    md = MarkdownIt("commonmark")
    hrefs = [t.attrs["href"] for b in md.parse(text) for t in b.children or [] if t.type == "link_open"]
    assert hrefs.count(url) == 2, hrefs
    page = (tmp_path / "out" / "ada-example.html").read_text(encoding="utf-8")
    assert page.count(f'href="{url}"') == 2
