"""`cvbuild theme check`: render a theme in every target it declares against fixtures that reach
every branch (the full example, a name only, every optional field empty, hostile text, CJK, 200
publications, a cover letter), and report what a designer must fix: template errors at the theme's file:line,
undefined names, missing glyphs, text that runs off the page, and content one format shows
and another drops.
"""

from __future__ import annotations

import datetime as _dt
import json
import re
import tempfile
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from html.parser import HTMLParser
from importlib import resources
from pathlib import Path
from typing import Any

from cvbuild.document.inline import plain
from cvbuild.document.model import Document, PublicationEntry
from cvbuild.document.readback import atoms, shows, squash
from cvbuild.errors import CvbuildError
from cvbuild.themes.theme import Theme, load_theme

FIXTURES = ("full", "minimal", "empty", "hostile", "cjk", "german", "many", "letter")
TARGET_ORDER = ("txt", "md", "html", "pdf", "png")
TEXT_TARGETS = ("txt", "md", "html", "pdf")  # whose text is compared
MANY_PUBLICATIONS = 200
EDGE_TOLERANCE = 1.5  # points a glyph may stick out (italic overhang) before it counts as overflow
MAX_LISTED = 8  # items listed per problem; the rest are counted


@dataclass(frozen=True)
class Problem:
    kind: str  # error, undefined, glyphs, overflow, differs, markup, order, warning
    fixture: str
    target: str
    message: str


@dataclass
class FixtureResult:
    name: str
    rendered: list[str] = field(default_factory=list)
    pages: int | None = None


@dataclass
class CheckResult:
    theme: Theme
    results: list[FixtureResult] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


# ---- fixtures ---------------------------------------------------------------------------------


def fixtures_dir() -> Path:
    return Path(str(resources.files("cvbuild.themes"))) / "fixtures"


def full_example() -> Path:
    """The example profile: packaged beside the fixtures in a wheel, in profiles/ in a checkout."""
    packaged = fixtures_dir() / "full.yaml"
    if packaged.is_file():
        return packaged
    return Path(__file__).resolve().parents[2] / "profiles" / "example.yaml"


def many_publications(n: int = MANY_PUBLICATIONS) -> dict[str, Any]:
    """A profile with n publications of every type and status, long author lists and links."""
    types = ["conference", "journal", "workshop", "preprint", "thesis", "patent"]
    types += ["book", "chapter", "report", "poster", "demo", "other"]
    statuses = ["published", "published", "accepted", "to_appear", "under_review", "submitted", "preprint"]
    pubs = []
    for i in range(n):
        authors = [f"Coauthor {chr(65 + j)}. Number{i}" for j in range(i % 9)]
        authors.insert(i % (len(authors) + 1), "Ada Many*" if i % 5 == 0 else "Ada Many")
        if i % 5 == 0 and len(authors) > 1:
            authors[-1] += "*"
        if i % 7 == 0:
            authors[0] += "†"
        pub: dict[str, Any] = {
            "id": f"many{i}",
            "title": f"Publication number {i}: a reasonably long title about *systems* and data, part {i % 13}",
            "authors": authors,
            "venue": f"Venue{i % 17}",
            "date": f"{2025 - i % 20}-{1 + i % 12:02d}",
            "type": types[i % len(types)],
            "status": statuses[i % len(statuses)],
        }
        if i % 4 == 0:
            pub["venue_full"] = f"Proceedings of the {i % 17}th Symposium on Long Venue Names"
        if i % 11 == 0:
            pub["award"] = "Best Paper Award"
        if i % 3 == 0:
            pub["links"] = {"paper": f"https://example.org/p{i}.pdf", "code": f"https://example.org/c{i}"}
        if i % 6 == 0:
            pub["doi"] = f"10.1000/many.{i}"
        pubs.append(pub)
    return {"name": "Ada Many", "aliases": ["A. Many"], "headline": "Prolific author", "publications": pubs}


def fixture_profile(name: str, workdir: Path) -> Path:
    """The fixture as a profile file in `workdir` (generated ones are written there)."""
    if name == "full":
        return full_example()
    if name == "many":
        path = workdir / "many.yaml"
        path.write_text(json.dumps(many_publications(), ensure_ascii=False, indent=1), encoding="utf-8")  # JSON is YAML
        return path
    path = fixtures_dir() / f"{name}.yaml"
    if not path.is_file():
        raise KeyError(name)
    return path


# ---- the check ------------------------------------------------------------------------------


def check_theme(
    name_or_path: str,
    profile_dir: Path | None = None,
    fixtures: Iterable[str] = FIXTURES,
    progress: Callable[[FixtureResult], None] = lambda _r: None,
    today: _dt.date = _dt.date(2026, 1, 1),
    profiles: Iterable[Path] = (),
    ats: bool = False,
) -> CheckResult:
    """Render every fixture in every target the theme declares, then every document and letter
    of each of `profiles` (the author's real CVs, checked as the fixtures are). A theme that cannot be
    loaded, or a profile that is not valid, raises InputError (exit 2); everything a render finds
    becomes a Problem (exit 1). With `ats`, each PDF is also read back as an applicant-tracking
    system reads it (`render --ats`): text it loses or reads out of order is a problem too."""
    from cvbuild.loading.profile import load_profile
    from cvbuild.pipeline import documents_to_render

    real = []  # (label, path, document): profiles are read first, so a bad one stops the check at once
    for path in profiles:
        profile, _ = load_profile(path)
        docs = documents_to_render(profile, None)
        real += [(path.name if len(docs) == 1 else f"{path.name} -d {d}", path, d) for d, _ in docs]
    from cvbuild.themes.files import check_theme_files

    theme = load_theme(name_or_path, profile_dir)
    result = CheckResult(theme=theme)
    targets = [t for t in TARGET_ORDER if t in theme.targets] or ["txt", "md"]
    check_theme_files(theme, targets)  # a target it cannot make: its theme.toml's line, before any fixture
    with tempfile.TemporaryDirectory(prefix="cvbuild-check-") as tmp:
        runs = [(name, fixture_profile(name, Path(tmp)), None) for name in fixtures]
        for name, path, document in [*runs, *real]:
            fixture = FixtureResult(name)
            result.problems += _check_fixture(theme, name, path, targets, fixture, today, document, ats)
            result.results.append(fixture)
            progress(fixture)
    return result


def _check_fixture(
    theme: Theme,
    name: str,
    path: Path,
    targets: list[str],
    out: FixtureResult,
    today: _dt.date,
    document: str | None = None,
    ats: bool = False,
) -> list[Problem]:
    from cvbuild.loading.profile import load_profile
    from cvbuild.pipeline import RenderRequest, build_located, documents_to_render
    from cvbuild.targets.base import RenderContext, render_format
    from cvbuild.themes import fonts

    problems: list[Problem] = []
    try:
        profile, source = load_profile(path)
        # a fixture's first document; for the letter fixture, its letter (after the implicit CV)
        doc_name, spec = documents_to_render(profile, document)[-1 if profile.letters and not document else 0]
        photo = None
        if document is not None:  # a real profile's photo, as render embeds it
            from cvbuild.loading.photo import load_photo

            photo = load_photo(source, profile)
        request = RenderRequest(profile=path, theme=str(theme.path))
        # an author's own profile: an option the theme lacks, at its line
        _, doc = build_located(profile, source, doc_name, spec, request, today, photo)
    except CvbuildError as exc:
        return [Problem("error", name, "document", str(exc))]
    missing = fonts.uncovered(fonts.document_chars(doc.model_dump()), fonts.font_files(theme))
    if missing:
        message = fonts.coverage_warning(missing, cjk_installed=fonts.cjk_font_dir() is not None)
        problems.append(Problem("glyphs", name, "fonts", message))
    texts: dict[str, str] = {}
    for fmt in targets:
        warnings: list[str] = []
        ctx = RenderContext(
            theme=theme, today=today, profile_dir=path.parent, options=doc.options, warn=warnings.append
        )
        try:
            artifacts = render_format(fmt, None, doc, ctx)
        except Exception as exc:  # a theme may fail in any way; the check reports and goes on
            message = str(exc) if isinstance(exc, CvbuildError) else f"{type(exc).__name__}: {exc}"
            problems.append(Problem(_error_kind(message), name, fmt, message))
            continue
        out.rendered.append(fmt)
        problems += [Problem("warning", name, fmt, w) for w in warnings if "not covered by the theme's fonts" not in w]
        data = artifacts[0].data
        if fmt == "pdf":
            out.pages = artifacts[0].pages
            text, overflow = pdf_text_and_overflow(data, _margin_pt(doc.options.get("margin")))
            texts[fmt] = text
            problems += [Problem("overflow", name, fmt, m) for m in overflow]
            if ats:
                from cvbuild.targets.ats import ats_problems

                problems += [Problem("order", name, fmt, m) for m in ats_problems(data, doc)]
        elif fmt in TEXT_TARGETS:
            texts[fmt] = _visible_text(fmt, data.decode("utf-8"))
    items = atoms(doc)
    differences = content_differences(items, texts, fields_of(doc.model_dump(), items))
    problems += [Problem("differs", name, fmt, m) for fmt, m in differences]
    problems += [Problem("markup", name, fmt, m) for fmt, m in markup_read(verbatim_atoms(doc), texts)]
    problems += [Problem("differs", name, fmt, m) for fmt, m in letter_missing(doc, texts)]
    return problems + english_problems(name, doc.meta.locale, texts)


def english_problems(fixture: str, locale: str, texts: dict[str, str]) -> list[Problem]:
    """English words cvbuild would have translated, in a document of another language: the
    theme's own (`"Advisor:"` in a template instead of the Detail's label, `meta.labels`)."""
    from cvbuild.document.locales import english_leftovers

    found = {fmt: english_leftovers(locale, text) for fmt, text in texts.items()}
    return [
        Problem(
            "english",
            fixture,
            fmt,
            f"English in a '{locale}' document: {', '.join(words)}; "
            "print the Document's words (meta.labels, section and detail labels) instead",
        )
        for fmt, words in found.items()
        if words
    ]


def _error_kind(message: str) -> str:
    """StrictUndefined errors get their own kind: they are the usual template mistake."""
    if re.search(r"is undefined|has no attribute|has no field|UndefinedError", message):
        return "undefined"
    return "error"


# ---- what each format shows -------------------------------------------------------------------


class _TextExtractor(HTMLParser):
    """The text a reader sees: no <head>, <style> or <script>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("head", "style", "script", "title"):
            self._hidden += 1
        elif tag in ("br", "p", "li", "div", "h1", "h2", "h3", "h4", "dt", "dd", "tr"):
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("head", "style", "script", "title"):
            self._hidden = max(0, self._hidden - 1)

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def html_text(page: str) -> str:
    parser = _TextExtractor()
    parser.feed(page)
    parser.close()
    return "".join(parser.parts)


def _visible_text(fmt: str, source: str) -> str:
    if fmt == "html":
        return html_text(source)
    if fmt == "md":  # what a Markdown viewer shows: escapes and markers gone
        from markdown_it import MarkdownIt

        return html_text(MarkdownIt("commonmark").render(source))
    return source


def _margin_pt(value: Any) -> tuple[float, float] | None:
    """The `margin` option's left and right sides in points; None when absent or in em."""
    from cvbuild.themes.options import margin_sides, points

    sides = margin_sides(value) if value else None
    if sides is None or any(side.endswith("em") for side in sides):
        return None
    _, right, _, left = sides
    return points(left), points(right)


def pdf_text_and_overflow(pdf: bytes, margins: tuple[float, float] | None) -> tuple[str, list[str]]:
    """The PDF's text, and a message for each page where glyphs leave the page or, when the
    theme's `margin` is known, cross the left or right margin (`margins`: left, right, in points)."""
    import io

    import pdfplumber

    texts: list[str] = []
    problems: list[str] = []
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        for number, page in enumerate(document.pages, start=1):
            texts.append(page.extract_text(use_text_flow=True) or "")
            width, height = float(page.width), float(page.height)
            left = (margins or (0.0, 0.0))[0] - EDGE_TOLERANCE
            right = width - (margins or (0.0, 0.0))[1] + EDGE_TOLERANCE
            out = [
                c
                for c in page.chars
                if c["text"].strip()
                and (
                    ((c["x0"] < left or c["x1"] > right) and not _hangs(c["text"]))
                    or not (c["x0"] > -EDGE_TOLERANCE and c["x1"] < width + EDGE_TOLERANCE)
                    or not (c["top"] > -EDGE_TOLERANCE and c["bottom"] < height + EDGE_TOLERANCE)
                )
            ]
            if out:
                where = "off the page" if margins is None else "past the page margins"
                sample = "".join(c["text"] for c in out[:40])
                problems.append(f"page {number}: {len(out)} characters run {where}, starting at {sample!r}")
    return "\n".join(texts), problems


def _hangs(char: str) -> bool:
    """Typst hangs punctuation into the margin on purpose (overhang); off the page it is still wrong."""
    return unicodedata.category(char[:1] or " ").startswith("P")


# ---- comparing formats --------------------------------------------------------------------------


# Characters that are markup in some target (HTML, Markdown, Typst, Jinja): text holding one is
# where a template that lets user text be read as code shows it altered.
MARKUP_CHARS = frozenset("<>&*_#$@\\[]{}`~^")


def verbatim_atoms(doc: Document) -> list[str]:
    """Atoms every format must show character for character: plain strings, and rich text without
    styles or links, that hold a markup character (`Zoë #1 <b>bold?</b>`, `C# & F#`)."""
    p = doc.person
    out = [p.name, p.native_name, p.pronouns, p.location, *(link.label for link in p.links)]
    if p.headline and _unstyled(p.headline):
        out.append(plain(p.headline))
    for section in doc.sections:
        out += [section.title, *(g.title for g in section.groups)]
        for group in section.groups:
            for e in group.entries:
                if isinstance(e, PublicationEntry):
                    out += [plain(e.title) if _unstyled(e.title) else None, *(a.name for a in e.authors)]
                else:
                    out += [e.location, *e.items]
                    out += [plain(r) for r in (e.title, e.subtitle) if r and _unstyled(r)]
    return list(dict.fromkeys(a.strip() for a in out if a and MARKUP_CHARS & set(a)))


def _unstyled(runs: Iterable[Any]) -> bool:
    return all(not (r.bold or r.italic or r.code or r.sup or r.sub or r.href) for r in runs)


def markup_read(items: list[str], texts: dict[str, str]) -> Iterator[tuple[str, str]]:
    """(target, message) for user text one format shows as written and this one shows altered: what
    is not markup in it is there, the whole is not. The template let it be read as markup (`| safe`
    in HTML, a bare `{{ }}` in Markdown, `eval` in Typst)."""
    squashed = {fmt: squash(text) for fmt, text in texts.items()}
    bare = {fmt: _bare(text) for fmt, text in squashed.items()}
    altered: dict[str, list[str]] = {}
    for item in items:
        exact = [fmt for fmt, text in squashed.items() if squash(item) in text]
        if not exact:
            continue
        for fmt in squashed:
            if fmt not in exact and _bare(squash(item)) in bare[fmt]:
                altered.setdefault(fmt, []).append(item)
    for fmt, found in altered.items():
        listed = "; ".join(repr(item[:60]) for item in found[:MAX_LISTED])
        more = f"; and {len(found) - MAX_LISTED} more" if len(found) > MAX_LISTED else ""
        yield (
            fmt,
            (
                f"user text shown altered, as if read as markup: {listed}{more}; other formats show it as "
                "written; put it in as data (docs/themes.md#user-text-stays-data)"
            ),
        )


def _bare(squashed: str) -> str:
    """Text without tags and markup characters: what is left of user text that was read as markup."""
    return "".join(c for c in re.sub(r"<[^<>]*>", "", squashed) if c not in MARKUP_CHARS)


def letter_missing(doc: Document, texts: dict[str, str]) -> Iterator[tuple[str, str]]:
    """(target, message) for a target that shows none of a letter's body: its template never lays
    out `doc.letter` (a difference `content_differences` misses when every target lacks it)."""
    if doc.letter is None:
        return
    for fmt, text in texts.items():
        squashed = squash(text)
        if not any(shows(plain(para), squashed) for para in doc.letter.body):
            yield fmt, "the cover letter's body is missing: lay out `doc.letter` (docs/themes.md#cover-letters)"


def fields_of(dumped: Any, items: list[str]) -> dict[str, str]:
    """For each item, the Document field that holds it and its section, in a template's words
    (`highlights in the section 'Experience'`): "15 items are missing" named no field to lay out."""
    wanted, found = set(items), {}

    def record(text: str, keys: tuple[str, ...], section: str | None) -> None:
        text = text.strip()
        if text in wanted and text not in found and keys:
            field = ".".join(keys[-2:]) if keys[-1] in ("text", "name", "label") and len(keys) > 1 else keys[-1]
            found[text] = field + (f" in the section {section!r}" if section else "")

    def walk(node: Any, keys: tuple[str, ...], section: str | None) -> None:
        if isinstance(node, dict):
            if "groups" in node and isinstance(node.get("title"), str):
                section = node["title"]
            for key, value in node.items():
                walk(value, (*keys, str(key)), section)
        elif isinstance(node, list):
            if node and all(isinstance(x, dict) and isinstance(x.get("text"), str) and "bold" in x for x in node):
                record("".join(x["text"] for x in node), keys, section)  # rich text: its spans, read as one
                return
            for x in node:
                walk(x, keys, section)
        elif isinstance(node, str):
            record(node, keys, section)

    walk(dumped, (), None)
    return found


def content_differences(
    items: list[str], texts: dict[str, str], fields: Mapping[str, str] | None = None
) -> Iterator[tuple[str, str]]:
    """(target, message) for items some formats show and this one lacks; `fields`: each item's
    Document field (`fields_of`), said beside it."""
    fields = fields or {}
    squashed = {fmt: squash(text) for fmt, text in texts.items()}
    missing: dict[str, list[tuple[str, list[str]]]] = {}
    for item in items:
        present = [fmt for fmt, text in squashed.items() if shows(item, text)]
        absent = [fmt for fmt in squashed if fmt not in present]
        if present and absent:
            for fmt in absent:
                missing.setdefault(fmt, []).append((item, present))
    for fmt, lost in missing.items():
        listed = "; ".join(
            f"{item[:60]!r} (in {', '.join(where)}{f'; {fields[item]}' if item in fields else ''})"
            for item, where in lost[:MAX_LISTED]
        )
        more = f"; and {len(lost) - MAX_LISTED} more" if len(lost) > MAX_LISTED else ""
        yield fmt, f"{len(lost)} item(s) other formats show are missing: {listed}{more}"


# ---- report -------------------------------------------------------------------------------------

KIND_TITLES = {
    "error": "template error",
    "undefined": "undefined name (StrictUndefined)",
    "glyphs": "missing glyphs",
    "overflow": "overflowing page",
    "differs": "content differs between formats",
    "markup": "user text read as markup",
    "order": "read by an applicant-tracking system (--ats)",
    "warning": "warning",
}


def check_diagnostics(result: CheckResult) -> list[Any]:
    """The report's problems as Diagnostics, one per listed message (for `--diagnostics github|json`):
    at the theme file, line and column the message starts with, when it does."""
    from dataclasses import replace

    from cvbuild.diagnostics import as_diagnostic

    grouped: dict[tuple[str, str, str], list[str]] = {}
    for p in result.problems:
        grouped.setdefault((p.kind, p.target, p.message), []).append(p.fixture)
    out = []
    for (kind, target, message), where in grouped.items():
        diag = as_diagnostic(message.splitlines()[0], "warning" if kind == "warning" else "error")
        out.append(replace(diag, message=f"{KIND_TITLES[kind]} in {target} [{', '.join(where)}]: {diag.message}"))
    return out


def report(result: CheckResult) -> str:
    """Problems grouped by message, so one template bug hit by six fixtures is listed once."""
    grouped: dict[tuple[str, str, str], list[str]] = {}
    for p in result.problems:
        grouped.setdefault((p.kind, p.target, p.message), []).append(p.fixture)
    lines = []
    for (kind, target, message), where in grouped.items():
        lines.append(f"{KIND_TITLES[kind]} in {target} [{', '.join(where)}]:")
        lines += [f"    {line}" for line in message.splitlines()]
    return "\n".join(lines)
