"""The homepage theme: an academic home page (HTML only), in its parser's and in Chromium's eyes."""

from __future__ import annotations

import shutil
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from conftest import EXAMPLE, FIXTURES, run_cli, write
from test_browser import Visit

NEWS = """
  - title: News
    entries:
      - {date: 2025-10, title: Paper accepted, summary: "*Skyferry* accepted to **NSDI 2026**."}
      - {date: 2025-07, summary: "Started an internship at Cirrus Labs.", url: "https://example.org/news"}
"""


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example profile with a photo and a News section, as its home page."""
    folder = tmp_path_factory.mktemp("homepage")
    shutil.copy(FIXTURES / "interop" / "photo.png", folder / "photo.png")
    text = EXAMPLE.read_text(encoding="utf-8").replace(
        "pronouns: she/her\n", "pronouns: she/her\nphoto: photo.png\n", 1
    )
    text = text.replace("\nsections:\n", "\nsections:" + NEWS, 1)
    text = text[: text.index("\ndocuments:")] + "\n"
    profile = write(folder / "p.yaml", text)
    result = run_cli("render", profile, "--theme", "homepage", "-o", folder / "out", "--set", "bibtex_link=pubs.bib")
    assert result.returncode == 0, result.stderr
    (page,) = (folder / "out").glob("*.html")  # html is all the theme makes
    return page


class _Tree(HTMLParser):
    """Ids, classes in order, and the id of the section each publication sits in."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.section = ""
        self.pubs: dict[str, list[str]] = {}
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {k: v or "" for k, v in attrs}
        if "id" in found:
            self.ids.append(found["id"])
        if tag == "section":
            self.section = found.get("id", "")
        if tag == "li" and "pub" in found.get("class", "").split():
            self.pubs.setdefault(self.section, []).append(found.get("id", ""))
        if tag == "a":
            self.hrefs.append(found.get("href", ""))


def tree(path: Path) -> _Tree:
    parsed = _Tree()
    parsed.feed(path.read_text(encoding="utf-8"))
    return parsed


def test_listed_as_an_html_theme() -> None:
    result = run_cli("themes")
    (line,) = [line for line in result.stdout.splitlines() if line.startswith("homepage ")]
    assert "[html]" in line


def test_no_pdf(tmp_path: Path) -> None:
    result = run_cli("render", EXAMPLE, "--theme", "homepage", "-f", "pdf", "-o", tmp_path)
    assert result.returncode == 2 and "homepage" in result.stderr and "html" in result.stderr


def test_selected_publications_lead_and_the_rest_follow_once(home: Path) -> None:
    from cvbuild.loading.profile import load_profile

    pubs = load_profile(EXAMPLE)[0].publication_entries()
    selected = {f"pub-{p.id}" for p in pubs if p.selected}
    parsed = tree(home)
    assert len(parsed.ids) == len(set(parsed.ids))
    assert selected and set(parsed.pubs["selected.publications"]) == selected
    assert not selected & set(parsed.pubs["publications"])
    assert len(parsed.pubs["selected.publications"]) + len(parsed.pubs["publications"]) == len(pubs)
    assert "#selected.publications" in parsed.hrefs and "#news" in parsed.hrefs  # the section bar
    assert "pubs.bib" in parsed.hrefs  # bibtex_link


def test_news_photo_and_bio(home: Path) -> None:
    html = home.read_text(encoding="utf-8")
    assert '<section id="news" class="section section-news"' in html
    assert "<em>Skyferry</em> accepted to <strong>NSDI 2026</strong>" in html
    assert '<img class="photo" src="data:image/' in html
    assert html.index('class="bio"') < html.index('id="news"') < html.index('id="selected.publications"')


@pytest.mark.parametrize(
    "link",
    [
        "javascript:alert(1)",
        "../secret.bib",
        ".hidden.bib",
        "a b.bib",
        'x"onclick="y',
        "//elsewhere.example/x.bib",
        "/etc/x.bib",
    ],
)
def test_bibtex_link_is_a_plain_file_name_or_an_allowed_url(tmp_path: Path, link: str) -> None:
    result = run_cli(
        "render", EXAMPLE, "-d", "cv", "--theme", "homepage", "-o", tmp_path, "--set", f"bibtex_link={link}"
    )
    assert result.returncode == 0, result.stderr
    assert "[BibTeX]" not in next(tmp_path.glob("*.html")).read_text(encoding="utf-8")


def test_all_selected_is_one_list(tmp_path: Path) -> None:
    """A document that shows only selected publications (the résumé) lists them once, under its title."""
    result = run_cli("render", EXAMPLE, "-d", "resume", "--theme", "homepage", "-o", tmp_path)
    assert result.returncode == 0, result.stderr
    parsed = tree(next(tmp_path.glob("*.html")))
    assert "selected.publications" not in parsed.pubs and parsed.pubs["publications"]


@pytest.mark.parametrize("width", [1280, 390])
def test_layout_in_chromium(browser: Any, home: Path, width: int) -> None:
    with Visit(browser, home, width) as visit:
        page = visit.page
        assert visit.console == []
        assert [u for u in visit.requests if not u.startswith("data:")] == [home.as_uri()]  # offline
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        photo = page.locator(".hero .photo").bounding_box()
        name = page.locator("h1").bounding_box()
        assert photo and name
        if width == 1280:  # beside the name
            assert photo["x"] + photo["width"] < name["x"] and photo["y"] <= name["y"] + 5
            assert page.locator(".bar").bounding_box()["height"] < 60  # one line of section links
        else:  # above it, and the page is one column
            assert photo["y"] + photo["height"] <= name["y"]
        assert page.evaluate("getComputedStyle(document.querySelector('h1')).fontFamily").startswith("cv-main")
        owner = page.locator(".selected-pubs strong.owner").first
        assert owner.is_visible() and page.evaluate("document.fonts.check('16px cv-main')")


@pytest.mark.allow_hosts(["127.0.0.1", "::1"])  # the watch server, on the loopback
def test_watch_without_formats_previews_the_page(tmp_path: Path) -> None:
    """`watch --serve`'s default formats (html,pdf) are those the theme has: the homepage's build
    failed, as the theme has no pdf; an explicit `-f pdf` is still refused."""
    import urllib.request

    from conftest import watch_server

    profile = write(tmp_path / "p.yaml", "name: Ada Example\nsummary: My bio.\ndocuments:\n  home: {theme: homepage}\n")
    for base in watch_server(profile, "-o", "out"):
        with urllib.request.urlopen(f"{base}__livereload?epoch=0", timeout=60) as response:
            assert int(response.read()) > 0
        with urllib.request.urlopen(base + "ada-example-home.html", timeout=30) as response:
            assert "My bio." in response.read().decode("utf-8")
    assert not list((tmp_path / "out").glob("*.pdf"))
    refused = run_cli("render", profile, "-f", "pdf", "-o", tmp_path / "x")
    assert refused.returncode == 2 and "has no pdf output" in refused.stderr
