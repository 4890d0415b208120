"""The whole pipeline in order: load -> Profile -> Document(s) -> targets -> files.

Everything is rendered in memory first and written only when every target succeeded,
so a failing run leaves the previous outputs byte-identical.
"""

from __future__ import annotations

import datetime as _dt
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cvbuild.diagnostics import Diagnostic
from cvbuild.errors import InputError, Problem, RenderError
from cvbuild.limits import DEFAULT_LIMITS
from cvbuild.schema.model import DocumentSpec, Profile

ALL_FORMATS = ("pdf", "html", "txt", "md", "png")
DEFAULT_THEME = "classic"


@dataclass(frozen=True)
class RenderRequest:
    profile: Path
    formats: Sequence[str] | None = None
    engine: str | None = None
    theme: str | None = None
    document: str | None = None
    output: Path = Path("out")
    sets: Mapping[str, str] = field(default_factory=dict)
    strict: bool = False  # any warning fails the run (exit 1) and nothing is written
    allow_paths: Sequence[Path] = ()  # --allow-path: folders a profile's paths may lead to
    time_limit: float = DEFAULT_LIMITS.theme_seconds  # --time-limit: a theme's render or compile; 0: none
    # `watch` without -f: of `formats`, each document makes those its theme has (html alone for an
    # HTML-only theme), where an explicit list is refused for a format the theme lacks.
    theme_formats_only: bool = False
    write: bool = True  # `cvbuild check`: render everything in memory, write nothing
    ats: bool = False  # --ats: read each PDF back as an applicant-tracking system does (targets/ats.py)
    report: Path | None = None  # --report: the JSON record's file, which must be no input


# Engines warn with plain strings; the pipeline with located Diagnostics (a page budget points at max_pages).
Warn = Callable[[str | Diagnostic], None]


@dataclass(frozen=True)
class Output:
    """One written file, for reports and CI summaries."""

    path: Path
    document: str
    format: str
    size: int
    pages: int | None = None


def today(env: Mapping[str, str] | None = None) -> _dt.date:
    """SOURCE_DATE_EPOCH (UTC) when set, so builds are reproducible; else the local date."""
    env = os.environ if env is None else env
    raw = env.get("SOURCE_DATE_EPOCH", "").strip()
    if raw:
        try:
            return _dt.datetime.fromtimestamp(int(raw), tz=_dt.UTC).date()
        except (ValueError, OverflowError, OSError):
            raise InputError(
                f"SOURCE_DATE_EPOCH={raw!r} is not a Unix timestamp; give whole seconds since 1970 (UTC), "
                "e.g. a commit's: SOURCE_DATE_EPOCH=$(git log -1 --format=%ct)"
            ) from None
    return _dt.date.today()


def parse_formats(text: str | None) -> list[str] | None:
    if not text:
        return None
    formats = [f.strip().lower() for f in text.split(",") if f.strip()]
    bad = [f for f in formats if f not in ALL_FORMATS]
    if bad:
        raise InputError(f"unknown format {bad[0]!r}; choose from {', '.join(ALL_FORMATS)}")
    return list(dict.fromkeys(formats))


# A week: the largest limit every mechanism under it takes (poll() counts milliseconds in an int).
MAX_TIME_LIMIT = 604_800


def parse_time_limit(seconds: float | None) -> float:
    """`--time-limit`: the default when not given; a negative, not-a-number or too large value is refused."""
    if seconds is None:
        return DEFAULT_LIMITS.theme_seconds
    if not seconds >= 0:
        raise InputError(f"--time-limit {seconds:g}: give seconds, 0 or more (0: no limit)")
    if seconds > MAX_TIME_LIMIT:  # inf, 1e9: the time-outs under it overflow (poll, Typst's child)
        raise InputError(f"--time-limit {seconds:g}: at most {MAX_TIME_LIMIT:,} seconds; for no limit at all, give 0")
    return seconds


def parse_sets(items: Sequence[str]) -> dict[str, str]:
    out = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise InputError(f"--set {item!r}: write KEY=VALUE, for example --set accent=#8b0000")
        out[key.strip()] = value.strip()  # `accent= #1a3a6b` means #1a3a6b
    return out


def documents_to_render(
    profile: Profile, name: str | None, with_letters: bool = True
) -> list[tuple[str, DocumentSpec]]:
    """One named document or letter, or every declared variant (the implicit `cv` when none is
    declared) followed by every letter. A letter comes as the DocumentSpec it renders with
    (`LetterSpec.document_spec`); `build_for` finds its content by name."""
    letters = profile.letters if with_letters else {}
    if name is not None:
        if name in profile.documents:
            return [(name, profile.documents[name])]
        if name in letters:
            return [(name, letters[name].document_spec())]
        if name == "cv" and not profile.documents:
            return [("cv", DocumentSpec())]
        known = ", ".join([*profile.documents, *letters]) or "none declared; the default is 'cv'"
        if not profile.documents and letters:
            known += "; and the default 'cv'"
        raise InputError(f"unknown document {name!r}; documents in this profile: {known}")
    docs = list(profile.documents.items()) or [("cv", DocumentSpec())]
    return docs + [(n, letter.document_spec()) for n, letter in letters.items()]


def spec_group(profile: Profile, name: str) -> str:
    """Where a rendered document's settings are in the profile: `documents` or `letters`."""
    return "letters" if name in profile.letters else "documents"


def build_for(
    profile: Profile,
    name: str,
    spec: DocumentSpec,
    request: RenderRequest,
    day: _dt.date,
    photo: Any = None,
    cache: dict[Any, Any] | None = None,
    check_only: bool = False,
) -> tuple[Any, Any]:
    """(Theme, Document) for one variant: theme defaults < document spec < --set. `cache`: what
    `watch` keeps between builds (the installed themes' entry points). `check_only`: every check
    the build makes, and None for the Document (`check_document`)."""
    from cvbuild.document.build import BuildOptions, build_document, check_document
    from cvbuild.document.publications import PublicationView
    from cvbuild.themes.options import check_style_options, normalized
    from cvbuild.themes.theme import load_theme

    profile_dir = request.profile.resolve().parent
    if request.theme:  # typed on the command line: a path starts at the working folder
        theme = load_theme(request.theme, profile_dir, cache=cache)
    else:  # from the profile: a path starts at, and stays inside, the profile's folder
        allowed = [profile_dir, *request.allow_paths]
        theme = load_theme(spec.theme or DEFAULT_THEME, profile_dir, base=profile_dir, allowed=allowed, cache=cache)
    group = spec_group(profile, name)
    options = theme.resolve_options(spec.options, source=f"{group}.{name}.options")
    check_style_options(options, source=f"{group}.{name}.options")
    options = theme.resolve_options(options, request.sets)
    check_style_options(options, source="--set")
    check_band(options, theme.name, spec, request, f"{group}.{name}.options")
    options = normalized(options)
    pub_defaults = {k: v for k, v in theme.publications.items() if k in PublicationView.__dataclass_fields__}
    if "tags" in pub_defaults:
        pub_defaults["tags"] = tuple(pub_defaults["tags"])
    doc = (check_document if check_only else build_document)(
        profile,
        BuildOptions(
            document=name,
            spec=spec,
            publications=PublicationView(**pub_defaults),
            section_order=tuple(options.get("section_order", ())),
            section_titles=dict(theme.section_titles),
            theme_options=options,
            locale=str(options.get("locale", "en")),
            today=day,
            photo=photo,
            letter=profile.letters.get(name),
        ),
    )
    return theme, doc


def check_band(options: dict[str, Any], theme: str, spec: DocumentSpec, request: RenderRequest, source: str) -> None:
    """A band theme's left margin and `sidebar_width`, checked together once both are known, and
    blamed on whoever wrote one of them last: --set, the profile's line (located), or the theme."""
    from cvbuild.themes.options import BAND_KEYS, band_problem
    from cvbuild.themes.theme import OptionError

    problem = band_problem(options)
    if problem is None:
        return
    if any(key in request.sets for key in BAND_KEYS):
        raise InputError(f"--set: {problem}")
    for key in BAND_KEYS:
        if key in spec.options:
            raise OptionError(f"{source}: {problem}", key)
    raise InputError(f"theme {theme!r}: {problem}")


def output_stem(profile: Profile, name: str) -> str:
    """`ada-example`; with declared documents always `ada-example-NAME`, so `-d NAME` names alike;
    a letter always (`ada-example-acme`).
    A name in another script is spelt by its Latin `native_name` when there is one (`김지우` with
    `native_name: Jiwoo Kim`: `jiwoo-kim-cv`), else left out (`cv`, `resume`; it was `cv-cv`)."""
    from cvbuild.output import slug

    base = slug(profile.name) or slug(profile.native_name or "")
    parts = [base, name if profile.documents or name in profile.letters else ""]
    return "-".join(p for p in parts if p) or "cv"


def render(
    request: RenderRequest,
    warn: Warn = lambda _m: None,
    cache: dict[Any, Any] | None = None,
    note: Callable[[str], None] = lambda _m: None,
) -> list[Path]:
    """Run the pipeline; returns the written paths. Raises InputError / RenderError.

    `cache` lets a long-lived caller (`watch`) keep compiled templates and Typst compilers;
    `note` hears what cvbuild changed on its own (fitting to max_pages), which is not a warning."""
    return [out.path for out in render_outputs(request, warn, cache, note)]


def render_outputs(
    request: RenderRequest,
    warn: Warn = lambda _m: None,
    cache: dict[Any, Any] | None = None,
    note: Callable[[str], None] = lambda _m: None,
) -> list[Output]:
    """`render`, saying for each written file its document, format, size and pages (with
    `request.write` off, the files it would write)."""
    from cvbuild.loading.photo import load_photo
    from cvbuild.loading.profile import input_files, load_profile
    from cvbuild.targets.base import RenderContext, dumped, render_formats

    if request.write:
        check_output_folder(request.output)
    load_warnings: list[Problem] = []
    profile, source = load_profile(request.profile, load_warnings, request.allow_paths, cache=cache)
    warned: list[str | Diagnostic] = []

    def warn_all(item: str | Diagnostic) -> None:
        if item in warned:  # a theme's file, located, warned about by each document that uses it
            return
        warned.append(item)
        warn(item)

    for problem in load_warnings:
        warn_all(Diagnostic.from_problem(problem, "warning"))

    photo = load_photo(source, profile)
    if request.report is not None:
        check_report(request.report, source, profile)
    day = today()
    docs = documents_to_render(profile, request.document)
    if request.engine is not None and request.engine not in ("typst", "weasyprint"):
        raise InputError(f"unknown engine {request.engine!r}; choose typst or weasyprint")
    pending: list[tuple[Output, bytes]] = []
    cache = {} if cache is None else cache  # engines keep compilers here
    for name, spec in docs:
        group = spec_group(profile, name)
        theme, doc, formats = prepare(profile, source, name, spec, request, day, photo, cache)
        ctx = RenderContext(
            theme=theme,
            today=day,
            profile_dir=request.profile.resolve().parent,
            options=doc.options,
            warn=warn_all,
            cache=cache,
            time_limit=request.time_limit,
        )
        doc, ctx, overflow = fit_to_budget(name, spec, doc, ctx, formats, request.engine, note)
        stem = output_stem(profile, name)
        if {"pdf", "png", "html"} & set(formats):
            for message in long_word_warnings(dumped(doc, cache), cache):
                warn_all(message)
        rendered = render_formats(_supported(formats, theme), request.engine, doc, ctx)
        if request.ats:
            for message in read_back_warnings(rendered.get("pdf", []), doc, stem):
                warn_all(Diagnostic.from_problem(source.problem((group, name), message), "warning"))
        for fmt in formats:
            for artifact in rendered[fmt]:
                path = request.output / f"{stem}{artifact.suffix}"
                pending.append((Output(path, name, fmt, len(artifact.data), artifact.pages), artifact.data))
                over = page_budget_warning(name, spec, artifact.pages, overflow, letter=group == "letters")
                if over:
                    where = source.problem((group, name, "max_pages"), over)
                    warn_all(Diagnostic.from_problem(where, "warning"))
                sparse = sparse_page_warning(name, doc, artifact)
                if sparse:
                    warn_all(sparse)
    if request.strict and warned:
        n = len(warned)
        raise RenderError(f"{n} warning{'s' * (n != 1)} with --strict; nothing was written")
    written = [(out.path, data) for out, data in pending]
    if request.report is not None:
        check_report_is_no_output(request.report, request.output, [p for p, _ in written])
    if request.write:
        check_inputs_kept(request.output, [p for p, _ in written], input_files(source, profile))
        if request.report is not None:  # a report that cannot be written fails the run before the outputs change
            check_report_place(request.report)
        write_outputs(request.output, written)
    return [out for out, _ in pending]


def prepare(
    profile: Profile,
    source: Any,
    name: str,
    spec: DocumentSpec,
    request: RenderRequest,
    day: _dt.date,
    photo: Any = None,
    cache: dict[Any, Any] | None = None,
    check_only: bool = False,
) -> tuple[Any, Any, list[str]]:
    """(Theme, Document, formats) of one document, with every check made before an engine runs:
    its theme and options, PDF standards, the `font` option and the theme's files for the formats.
    `validate` runs it too (`check_only`: no Document), so that it never calls valid a profile
    `render` refuses."""
    from cvbuild.themes.files import check_theme_files

    group = spec_group(profile, name)
    theme, doc = build_located(profile, source, name, spec, request, day, photo, cache, check_only)
    formats = list(request.formats or spec.formats or _theme_formats(theme))
    if request.theme_formats_only and theme.targets:
        formats = [f for f in formats if f in theme.targets] or formats
    refused = standards_refused(spec, formats, request.engine)
    if refused:
        raise InputError([source.problem((group, name, "pdf_standards"), refused)])
    if {"pdf", "png", "html"} & set(formats):  # the formats that draw with the `font` option
        check_font(theme, name, spec, request, source, group)
    check_theme_files(theme, _supported(formats, theme), request.engine)
    return theme, doc, formats


def build_located(
    profile: Profile,
    source: Any,
    name: str,
    spec: DocumentSpec,
    request: RenderRequest,
    day: _dt.date,
    photo: Any = None,
    cache: dict[Any, Any] | None = None,
    check_only: bool = False,
) -> tuple[Any, Any]:
    """`build_for`, with a theme or option problem that came from the profile said at its line
    there (`locate_in_profile`): `prepare`'s, and `cvbuild theme check` on an author's profile."""
    try:
        return build_for(profile, name, spec, request, day, photo, cache, check_only)
    except InputError as exc:
        raise locate_in_profile(exc, source, name, spec, request, spec_group(profile, name)) from None


def check_documents(profile: Profile, source: Any, request: RenderRequest, photo: Any = None) -> None:
    """`prepare` for every document and letter, with every document's problems raised together
    (a theme two documents share is reported once): `validate` said "valid" to a profile whose
    `theme: clasic` or `options: {acent: ...}` every render refused."""
    problems: dict[str, Problem] = {}
    day = today()
    for name, spec in documents_to_render(profile, None):
        try:
            prepare(profile, source, name, spec, request, day, photo, check_only=True)
        except InputError as exc:
            found = exc.problems or [Problem(request.profile, 0, 0, "", exc.text)]
            problems.update((str(p), p) for p in found)
    if problems:
        raise InputError(list(problems.values()))


def standards_refused(spec: DocumentSpec, formats: list[str], engine: str | None) -> str | None:
    """Why the engine writing the document's PDF cannot meet its PDF standards, or None; said at
    the profile's line, before anything is laid out."""
    from cvbuild.targets.base import engine_for

    if not spec.pdf_standards or "pdf" not in formats or engine_for("pdf", engine) != "weasyprint":
        return None
    from cvbuild.targets.weasyprint_pdf import standards_problem

    return standards_problem(spec.pdf_standards)


def check_font(
    theme: Any, name: str, spec: DocumentSpec, request: RenderRequest, source: Any, group: str = "documents"
) -> None:
    """The `font` option names a font of the theme, checked before any engine runs (Typst only
    warned, and set the PDF in another font); the error points where the value was written: the
    profile's `documents.NAME.options.font`, the theme.toml that set it, or `--set`."""
    from cvbuild.themes.fonts import missing_font
    from cvbuild.themes.manifest import MANIFEST, problem_at
    from cvbuild.themes.theme import is_builtin

    if "font" not in request.sets and "font" not in spec.options and is_builtin(theme):
        # A built-in theme's own font is there (its tests render it), and reading every font's
        # names (~25 ms, and uharfbuzz's import, otherwise made beside Typst) would hold the render.
        return
    family = str(theme.options.get("font") or "")
    if "font" in request.sets:
        family = request.sets["font"]
    elif "font" in spec.options:
        family = str(spec.options["font"])
    problem = missing_font(theme, family) if family else None
    if problem is None:
        return
    if "font" in request.sets:
        raise InputError(f"--set: {problem}")
    if "font" in spec.options:
        raise InputError([source.problem((group, name, "options", "font"), problem)])
    for folder in theme.chain:  # the nearest theme.toml that sets it
        where = problem_at(folder / MANIFEST, ("options", "font"), problem)
        if where.line:
            raise InputError([where])
    raise InputError(problem)


def _supported(formats: list[str], theme: Any) -> list[str]:
    from cvbuild.targets.base import FORMATS

    for fmt in formats:
        if fmt not in FORMATS:
            raise InputError(f"unknown format {fmt!r}")
        if theme.targets and fmt not in theme.targets:
            raise InputError(f"theme {theme.name!r} has no {fmt} output; it supports {', '.join(theme.targets)}")
    return formats


def locate_in_profile(
    exc: InputError, source: Any, name: str, spec: DocumentSpec, request: RenderRequest, group: str = "documents"
) -> InputError:
    """A theme or option problem that came from the profile, pointed at its line there (a bad
    theme.toml already names itself)."""
    from cvbuild.document.build import MergeError
    from cvbuild.themes.theme import OptionError

    message = str(exc)
    if exc.problems:
        return exc
    prefix = f"{group}.{name}.options: "
    if isinstance(exc, OptionError) and message.startswith(prefix):
        return InputError([source.problem((group, name, "options", exc.key), message.removeprefix(prefix))])
    if isinstance(exc, MergeError):  # at the merged section, not at the document's theme
        text = message.removeprefix(f"{group}.{name}.sections: ")
        at = () if exc.index is None else (exc.index,)
        return InputError([source.problem((group, name, "sections", *at), text)])
    if spec.theme and not request.theme and not message.startswith(("--set", "/", "-o")):
        return InputError([source.problem((group, name, "theme"), message)])
    return exc


# A word this long fills a line; PDF and HTML break it where they must (Typst: lib.typ's setup;
# HTML: overflow-wrap in base.css); the text and Markdown outputs keep it whole, to copy.
LONG_WORD = 80


def long_words(document_json: str) -> list[str]:
    """The runs of at least LONG_WORD characters that are neither white space nor JSON quotes or
    escapes, as `re.findall(r'[^\\s"\\\\]{80,}')` finds them (a test holds the two equal).

    Most texts have none, so the UTF-8 bytes are searched first, at C speed, for LONG_WORD bytes
    in a row none of which is ASCII white space, a quote or a backslash: each of those separates
    words, and a character is at least one byte, so every long word lies inside such a run of
    bytes, and only those runs are split into words (1,000 publications, ~1.4 MB: ~10 ms instead
    of ~100 ms splitting every word). ASCII bytes never occur inside a multi-byte character, so a
    run decodes on its own."""
    data = document_json.encode("utf-8", "surrogatepass")
    runs = data.translate(_RUN_BYTES)
    found: list[str] = []
    start = 0
    while (hit := runs.find(_LONG_RUN, start)) >= 0:
        begin = runs.rfind(b" ", 0, hit) + 1
        end = runs.find(b" ", hit)
        end = len(runs) if end < 0 else end
        found += _split_long(data[begin:end].decode("utf-8", "surrogatepass"))
        start = end
    return found


# Bytes that end a word in every text (str.split's ASCII white space, the JSON quote and escape)
# become b" ", every other byte b"x".
_RUN_BYTES = bytes(0x20 if b in b' \t\n\r\x0b\x0c"\\' else 0x78 for b in range(256))
_LONG_RUN = b"x" * LONG_WORD


def _split_long(text: str) -> list[str]:
    return [w for w in text.replace('"', " ").replace("\\", " ").split() if len(w) >= LONG_WORD]


def long_word_warnings(document_json: str, cache: dict[Any, Any] | None = None) -> list[str]:
    """Warnings for words longer than a line (URLs aside, which are link targets); with a `cache`
    (`watch`), found once per JSON text."""
    if cache is None:
        return _long_word_warnings(document_json)
    from cvbuild.targets.base import kept_by

    return list(kept_by(cache, "long_words", document_json, lambda: _long_word_warnings(document_json)))


def _long_word_warnings(document_json: str) -> list[str]:
    words = [
        w
        for w in long_words(document_json)
        # JSON's own punctuation between values (`:[[],[],…]`) holds no letter: not a word; nor is
        # a link target or the photo's data: URI, which no engine prints as text
        if any(c.isalpha() for c in w) and "://" not in w and not w.startswith(("mailto:", "tel:", "data:"))
    ]
    if words:  # rare: the Document is read again only then
        unprinted = _unprinted_displays(document_json)
        words = [w for w in words if w not in unprinted]
    return [
        f"a {len(w):,}-character word ({w[:24]}…) is longer than a line; PDF and HTML break it where they must"
        for w in dict.fromkeys(words)
    ][:5]


def _unprinted_displays(document_json: str) -> set[str]:
    """The `display` of every link but the website's: no PDF or page prints them (a publication's
    [Paper], an entry's [Link]; plain text prints the URL itself), so a news article's long URL
    (`theatlantic.com/ideas/archive/2018/08/...`, 86 characters) was warned of as a word longer
    than a line, once per link, and failed `--strict`. The website's is printed, in the header."""
    import json

    found: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            if isinstance(value.get("display"), str) and "url" in value and "label" in value:
                found.add(value["display"])
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    data = json.loads(document_json)
    walk(data)
    website = ((data.get("person") or {}).get("website") or {}).get("display") if isinstance(data, dict) else None
    return found - {website}


def check_output_folder(folder: Path) -> None:
    """`-o` must name a folder (or a place to make one): checked before anything renders."""
    for place in (folder, *folder.parents):
        if place.exists() or place.is_symlink():
            if not place.is_dir():
                raise InputError(f"-o {folder}: {place} is not a folder; give a folder for the outputs")
            return


class ReportReplacesInput(InputError):
    """`--report` names a file the profile reads, or one the run writes: no report is written either."""


def check_report_is_no_output(report: Path, folder: Path, written: list[Path]) -> None:
    """Refuse a `--report` named as one of the run's outputs (`-o out --report out/ada.txt`): the
    JSON report replaced the CV it lists, after it was written (and `check` replaced the last
    render's); nothing is written."""
    from cvbuild.confine import real

    try:
        entry, place = real(report.parent) / report.name, real(folder)
    except InputError:  # a folder not made yet holds no output; the report's is said where it is written
        return
    for path in written:
        if place / path.name == entry:
            raise ReportReplacesInput(
                f"--report {report}: that is the output {path.name} of this run; give the report another name"
            )


def check_report_place(report: Path) -> None:
    from cvbuild.output import check_place, write_failure

    try:
        check_place(report)
    except OSError as exc:
        raise write_failure(f"--report {report}: cannot write", exc, "; the previous outputs are kept") from None


def check_report(report: Path, source: Any, profile: Profile) -> None:
    """Refuse a `--report` that names a .bib file the profile includes or its photo, located where
    the profile names it: the JSON report would have replaced it (the profile itself is refused
    before it is read). As for the profile, its entry or what it leads to."""
    from cvbuild.confine import real
    from cvbuild.loading.profile import input_places

    try:
        entry = real(report.parent) / report.name
    except InputError:  # a path that cannot be resolved is no input; said where it is written
        return
    for path, loc in input_places(source, profile):
        try:
            places = (real(path.parent) / path.name, real(path))
        except InputError:
            continue
        if entry in places:
            what = "the photo" if loc == ("photo",) else "a BibTeX file"
            message = f"--report {report}: that is {what} of this profile; give the report another name"
            raise ReportReplacesInput([source.problem(loc, message)])


def check_inputs_kept(folder: Path, written: list[Path], inputs: list[Path]) -> None:
    """Refuse a run whose outputs would replace or remove one of its own inputs: a profile named
    `ada-example.md` rendered to md into its own folder, or a photo named like a PNG preview.
    An output replaces the entry of its name in the folder (never what a link there leads to),
    so the folder is resolved and the name is not."""
    from cvbuild.confine import real

    place = real(folder) if folder.exists() else None
    if place is None:  # a folder the run will make holds no input yet
        return
    names = [p.name for p in written] + stale_pages(folder, written)
    for name in names:
        if place / name in inputs:
            raise InputError(
                f"-o {folder}: the output {name} would replace {place / name}, an input of this run; "
                "give another output folder with -o, or rename the input"
            )


def write_outputs(folder: Path, pending: list[tuple[Path, bytes]]) -> None:
    """All outputs of the run as one set (see cvbuild.output); a CV that shrank from 5 pages to 4
    loses its old `-5.png` preview in the same step."""
    from cvbuild.output import write_failure, write_set

    names = [(path.name, data) for path, data in pending]
    try:
        write_set(folder, names, remove=stale_pages(folder, [p for p, _ in pending]))
    except OSError as exc:
        raise write_failure(f"cannot write the outputs into {folder}", exc, "; the previous outputs are kept") from None


def stale_pages(folder: Path, written: list[Path]) -> list[str]:
    """PNG previews of pages the new set no longer has."""
    fresh = {p.name for p in written}
    stale = []
    for stem in {p.name.rsplit("-", 1)[0] for p in written if _page_number(p)}:
        for old in folder.glob(f"{stem}-*.png"):
            if old.name not in fresh and _page_number(old) and old.name.rsplit("-", 1)[0] == stem:
                stale.append(old.name)
    return sorted(stale)


def _page_number(path: Path) -> int | None:
    tail = path.name.rsplit("-", 1)[-1]
    return int(tail[:-4]) if tail.endswith(".png") and tail[:-4].isdigit() else None


def fit_to_budget(
    name: str,
    spec: DocumentSpec,
    doc: Any,
    ctx: Any,
    formats: Sequence[str],
    engine: str | None,
    note: Callable[[str], None],
) -> tuple[Any, Any, tuple[str, str] | None]:
    """With `max_pages`, the document PDF and PNG get: tightened within the theme's [fit] floors
    when it runs over; (doc, ctx, a warning when even the floors do not fit)."""
    from dataclasses import replace

    if spec.max_pages is None or not {"pdf", "png"} & set(formats):
        return doc, ctx, None
    from cvbuild.targets.base import engine_for
    from cvbuild.targets.fit import fit_document

    paged_engine = engine_for("pdf" if "pdf" in formats else "png", engine)
    fitted, changed, overflow = fit_document(name, doc, ctx, spec.max_pages, paged_engine)
    if changed:
        note(changed)
    return fitted, replace(ctx, options=fitted.options), overflow


def read_back_warnings(pdfs: list[Any], doc: Any, stem: str) -> list[str]:
    """--ats: what an applicant-tracking system, reading each PDF line by line, gets wrong of it."""
    from cvbuild.targets.ats import ats_problems

    return [
        f"{stem}{pdf.suffix}, read as an applicant-tracking system reads it: {message}"
        for pdf in pdfs
        for message in ats_problems(pdf.data, doc)
    ]


def sparse_page_warning(name: str, doc: Any, artifact: Any) -> str | None:
    """A PDF whose last page holds a few lines gets told what would pull them back."""
    from cvbuild.targets.fit import sparse_last_page, to_points

    if artifact.layout is None:
        return None
    size = to_points(str(doc.options.get("font_size", ""))) or (0.0, "pt")
    return sparse_last_page(name, artifact.layout, size[0])


def page_budget_warning(
    name: str, spec: DocumentSpec, pages: int | None, overflow: tuple[str, str] | None = None, letter: bool = False
) -> str | None:
    """A document over its `max_pages` still renders, but the user hears about it (and, when
    fitting could not help, by how much even the theme's floors overflow and where). A letter has
    no sections to narrow: it can only be shortened."""
    if pages is None or spec.max_pages is None or pages <= spec.max_pages:
        return None
    clause, longest = overflow or ("", "")
    advice = (
        "; shorten it"
        if letter
        else f"; shorten it{f' (longest sections: {longest})' if longest else ''}, narrow `sections`/`tags`, "
        "or set `publications: {selected_only: true}`"
    )
    return (
        f"document {name!r} has {pages} pages, over its budget of max_pages: {spec.max_pages}"
        + (f" {clause}" if clause else "")
        + advice
    )


def _theme_formats(theme: Any) -> list[str]:
    return [f for f in ALL_FORMATS if f in theme.targets] or ["txt", "md"]
