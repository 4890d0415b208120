"""PDF through WeasyPrint: the html target's page, laid out with the theme's print CSS.

The page already embeds its fonts (subset OpenType data: URLs) and names them with cvbuild-only
family names, so WeasyPrint uses the bundled fonts and never a system font; this engine hands
the same bytes over through its fetcher (`cvbuild-font:N` URLs) rather than make WeasyPrint
tokenize them. Any other resource goes through `SafeFetcher`: only data: URLs and files inside
the theme chain and the font folders load; http(s), ftp, other files (the profile's folder too),
`../` and symlinks that lead outside are refused and skipped. WeasyPrint is imported only when
this engine runs. A strictly written page (every built-in theme's) is read by `page_tree`
rather than by WeasyPrint's HTML5 parser: the same tree, ~5x faster.
"""

from __future__ import annotations

import copy
import gc
import hashlib
import logging
import mimetypes
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import unquote, urlsplit

if TYPE_CHECKING:  # imported where used: the early process (weasyprint_early) runs without pydantic
    from cvbuild.document.model import Document
    from cvbuild.targets.base import Artifact, RenderContext

T = TypeVar("T")


class FetchRefused(Exception):
    """A resource outside what a CV may load."""


def render(fmt: str, doc: Document, ctx: RenderContext) -> list[Artifact]:
    from cvbuild.targets import weasyprint_early
    from cvbuild.targets.base import Artifact, take_probe
    from cvbuild.targets.html import build_html

    page = keep_korean_words(build_html(doc, ctx), doc)
    warn_uncovered(page, doc, ctx)
    variant = pdf_variant(doc.meta.pdf_standards)
    probed = None if forked(ctx) else take_probe(ctx, "weasyprint", lambda: (_digest(page), variant))
    # A child: under a time limit, or the one started early (this render's first page, unless
    # fitting laid it out already).
    if forked(ctx) or (probed is None and weasyprint_early.SLOT in ctx.cache):
        kept = take_probe(ctx, CHILD_PROBES, lambda: (_digest(page), variant)) if forked(ctx) else None
        pdf, pages, layout, said = kept if kept is not None else _in_child(page, doc, ctx, variant)
        for message in said:
            ctx.warn(message)
        return [Artifact(".pdf", pdf, pages=pages, layout=layout)]
    if probed is not None:  # fitting to max_pages laid out this very page already
        for message in probed[2]:
            ctx.warn(message)
    import_weasyprint()  # never under the watchdog: an import stopped halfway stays broken

    def make() -> tuple[Any, bytes]:
        laid, given = probed[:2] if probed is not None else _lay_out(page, ctx, variant)
        with _forward_log(ctx.warn), _gc_paused(), sized_arrays_parsed_once():
            written: bytes = laid.write_pdf(**given)
        return laid, written

    result, pdf = guarded(ctx, make)
    return [Artifact(".pdf", pdf, pages=len(result.pages), layout=page_layout(result, doc))]


def warn_uncovered(page: str, doc: Document, ctx: RenderContext) -> None:
    """The warning the Typst engine gives for characters no font of the theme has, when the page
    draws some (they come from the last-resort font, and WeasyPrint no longer warns of them)."""
    from cvbuild.targets.base import dumped, font_files
    from cvbuild.targets.webfonts import LAST_RESORT_CSS
    from cvbuild.themes import fonts

    if f'font-family:"{LAST_RESORT_CSS}"' not in page:
        return
    message = fonts.uncovered_warning(dumped(doc, ctx.cache), font_files(ctx))
    if message:
        ctx.warn(message)


def probe_layout(doc: Document, ctx: RenderContext) -> Any:
    """Lay `doc` out and say where its text sits (for fitting); no PDF is written. The layout is
    kept for the render that follows (the setting fitting picks was always one of the probes)."""
    from dataclasses import replace

    from cvbuild.targets.base import keep_probe
    from cvbuild.targets.html import build_html

    page = keep_korean_words(build_html(doc, ctx), doc)
    warnings: list[str] = []
    variant = pdf_variant(doc.meta.pdf_standards)
    if forked(ctx):
        whole = _in_child(page, doc, ctx, variant)
        keep_probe(ctx, CHILD_PROBES, (_digest(page), variant), whole, MAX_KEPT_PROBES)
        return whole[2]
    import_weasyprint()
    laid_out, options = guarded(ctx, lambda: _lay_out(page, replace(ctx, warn=warnings.append), variant))
    keep_probe(ctx, "weasyprint", (_digest(page), variant), (laid_out, options, warnings), MAX_KEPT_PROBES)
    return page_layout(laid_out, doc)


CHILD_PROBES = "weasyprint-child"  # ctx.cache slot of fitting's probes made in a child: whole renders

# A whole render made in a child process (weasyprint_child): the PDF, its pages, its Layout, and
# the warnings it gave.
Whole = tuple[bytes, int, Any, list[str]]


def forked(ctx: RenderContext) -> bool:
    """Whether this render runs in a child process: a theme that is not built in, under a time limit
    (as its Typst does), where the child can be given a data limit (weasyprint_child)."""
    from cvbuild.targets import weasyprint_child
    from cvbuild.targets.base import time_budget

    return time_budget(ctx) is not None and weasyprint_child.available()


def _in_child(page: str, doc: Document, ctx: RenderContext, variant: str | None) -> Whole:
    """The render in a child: the one started early (weasyprint_early) when it is ready, else one
    forked from this process (or, with no time limit, here)."""
    from cvbuild.targets import weasyprint_early

    job = make_job(page, ctx, variant, tuple(s.id for s in doc.sections))
    early = weasyprint_early.take(ctx.cache)
    if early is None:
        import_weasyprint()  # here, once: the child is forked with it
    child = None if early is None else partial(early.run, job)
    pdf, pages, figures, said = guarded(ctx, partial(whole, job), child)
    told = [css_place(job.page, ctx, text) if placed else text for text, placed in said]
    return pdf, pages, layout_from(figures, doc), told


@dataclass(frozen=True)
class Job:
    """What WeasyPrint is given to lay out a page, as data (a child process is sent it)."""

    page: str  # without its fonts (`webfonts.detach_fonts`)
    fonts: dict[str, bytes]  # `cvbuild-font:N` -> the font's bytes
    identifier: bytes  # the PDF's file ID: from the whole page, fonts included
    roots: tuple[Path, ...]  # the folders the fetcher may read (`allowed_roots`)
    base_url: str
    variant: str | None
    sections: tuple[str, ...] = ()  # the Document's section ids, for `page_figures`


def make_job(page: str, ctx: RenderContext, variant: str | None, sections: tuple[str, ...] = ()) -> Job:
    from cvbuild.targets.html import stylesheet_path
    from cvbuild.targets.webfonts import detach_fonts

    short_page, fonts = detach_fonts(page)
    return Job(
        page=short_page,
        fonts=fonts,
        # Same page, same bytes: the file ID comes from the content, the dates from the
        # <meta name="dcterms.*"> the page carries (SOURCE_DATE_EPOCH or today).
        identifier=hashlib.sha256(page.encode("utf-8")).hexdigest()[:32].encode("ascii"),
        roots=tuple(allowed_roots(ctx)),
        base_url=stylesheet_path(ctx).parent.as_uri() + "/",  # relative URLs come only from style.css
        variant=variant,
        sections=sections,
    )


# What a whole render in a child says: each message, and whether it is WeasyPrint's own (which
# `css_place` may place in the theme's stylesheet, here in the parent).
Said = list[tuple[str, bool]]
# The page's figures a Layout is made of (`layout_from`): pages, page height and the text's end
# in points, and for each section found, its index in Job.sections, page number and top.
Figures = tuple[int, float, float, tuple[tuple[int, int, float], ...]]


def whole(job: Job) -> tuple[bytes, int, Figures, Said]:
    """Lay out, write the PDF and say where its text sits (in a child: what comes back is data)."""
    said: Said = []
    laid, given = lay_out_page(job, lambda m: said.append((m, False)), lambda m: said.append((m, True)))
    with _forward_log(lambda m: said.append((m, False))), _gc_paused(), sized_arrays_parsed_once():
        pdf: bytes = laid.write_pdf(**given)
    return pdf, len(laid.pages), page_figures(laid, job.sections), said


# Between two characters of a Korean word: a Hangul syllable and what it touches but a space, and
# not before the "&" that starts a reference ("가&amp;" gets its joiner after "&amp;").
_IN_KOREAN_WORD = re.compile(r"(?<=[\uac00-\ud7a3])(?=[^\s&])|(?<=\S)(?=[\uac00-\ud7a3])")
WORD_JOINER = "\u2060"
_HEADING = re.compile(r"<(h[1-6])\b.*?</\1\s*>", re.I | re.S)


def keep_korean_words(page: str, doc: Document) -> str:
    """A Korean page with a word joiner (U+2060, drawn as nothing and not in the PDF's text) inside
    each word with Hangul: WeasyPrint has no `word-break: keep-all`, and Pango broke Korean between
    any two syllables ("영 / 향에"); now only at the spaces between words, as Typst and Chromium
    do. Other languages' pages are left as they are."""
    from cvbuild.document.locales import language

    if language(doc.meta.locale) != "ko":
        return page
    from cvbuild.targets.webfonts import map_between, map_text

    def join(part: str) -> str:
        return map_text(part, lambda text: _IN_KOREAN_WORD.sub(WORD_JOINER, text))

    # Headings are left as they are: short, and tracked by the themes, and Pango spaces a joiner
    # as a letter of its own, which doubled the gaps of a tracked heading ("요  약").
    return map_between(page, _HEADING, join)


MAX_KEPT_PROBES = 4  # laid-out pages are large; a fit tries a handful


def _digest(page: str) -> bytes:
    return hashlib.blake2b(page.encode("utf-8")).digest()


# The PDF standards WeasyPrint writes (its `pdf_variant`): one at a time, and PDF/A-4 only in its
# e/f/u forms, which are not what `a-4` (the base level, as Typst writes it) promises.
WEASYPRINT_STANDARDS = ("a-2b", "a-2u", "a-2a", "a-3b", "a-3u", "a-3a", "ua-1")


def standards_problem(standards: Sequence[str]) -> str | None:
    """Why this engine cannot write `standards`, or None when it can."""
    if len(standards) > 1:
        return (
            f"the weasyprint engine writes one PDF standard at a time, not {', '.join(standards)}; "
            "keep one, or render with --engine typst"
        )
    if standards and standards[0] not in WEASYPRINT_STANDARDS:
        known = ", ".join(WEASYPRINT_STANDARDS)
        return (
            f"the weasyprint engine cannot write {standards[0]}; choose one of {known}, or render with --engine typst"
        )
    return None


def pdf_variant(standards: Sequence[str]) -> str | None:
    """WeasyPrint's `pdf_variant` for the Document's standards (checked by `standards_problem`)."""
    return f"pdf/{standards[0]}" if standards else None


def page_layout(laid_out: Any, doc: Document) -> Any:
    """Where the text ends (the lowest line on the last page) and where each section starts,
    in points from the top of the page's text area."""
    return layout_from(page_figures(laid_out, tuple(s.id for s in doc.sections)), doc)


def page_figures(laid_out: Any, sections: tuple[str, ...]) -> Figures:
    """`page_layout`'s figures, for the sections of these ids (no Document: see weasyprint_early)."""
    from weasyprint.formatting_structure.boxes import TextBox

    px = 0.75  # CSS px -> pt
    pages = laid_out.pages
    last = pages[-1]._page_box
    top, height = last.content_box_y(), last.height
    body = last.children[0] if last.children else None  # the root box; margin boxes follow it
    ends = [b.position_y + b.height for b in (body.descendants() if body else []) if isinstance(b, TextBox)]
    found = []
    for index, section in enumerate(sections):
        for number, page in enumerate(pages, start=1):
            if section in page.anchors:
                found.append((index, number, (page.anchors[section][1] - top) * px))
                break
    return len(pages), height * px, (max(ends, default=top) - top) * px, tuple(found)


def layout_from(figures: Figures, doc: Document) -> Any:
    from cvbuild.targets.fit import Layout

    pages, height, end, found = figures
    sections = tuple((doc.sections[index].title, number, top) for index, number, top in found)
    return Layout(pages, height, pages, end, sections)


def allowed_roots(ctx: RenderContext) -> list[Path]:
    """The theme chain and the font folders, symlinks resolved. Not the profile's folder: the
    page names no file of it (the photo is a data: URL), and a theme's
    `<link rel="attachment" href="...">` would put any file under it, ~/.ssh/id_rsa for a
    profile in the home folder, into the PDF that its owner then publishes."""
    from cvbuild.targets.base import font_dirs

    roots = [*ctx.theme.chain, *font_dirs(ctx)]
    return list(dict.fromkeys(p.resolve() for p in roots))


def check_url(url: str, roots: Sequence[Path]) -> Path | None:
    """None for a data: URL, the resolved file for an allowed file: URL; else FetchRefused.

    The path is resolved (following every symlink and `..`) before it is compared with the
    roots, so neither a link nor a percent-encoded `..%2f` can lead outside them."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "data":
        return None
    if scheme != "file":
        raise FetchRefused(f"{scheme or 'relative'} URLs are not loaded: {url}")
    if parts.netloc not in ("", "localhost"):
        raise FetchRefused(f"remote file URL: {url}")
    try:
        path = Path(unquote(parts.path)).resolve(strict=True)
    except (OSError, RuntimeError) as exc:  # missing, or a symlink loop
        raise FetchRefused(f"cannot read {url}: {exc}") from None
    if not path.is_file():
        raise FetchRefused(f"not a file: {url}")
    if not any(path.is_relative_to(root) for root in roots):
        raise FetchRefused(f"outside the theme and font folders: {url}")
    return path


RESOURCE_BYTES = 64 * 1024 * 1024  # one image or font a theme's CSS loads (a CJK font: ~20 MB)


def make_fetcher(roots: Sequence[Path], warn: Callable[[str], None], fonts: Mapping[str, bytes] | None = None) -> Any:
    """A WeasyPrint URLFetcher that applies `check_url`; refusals are warnings, not failures.
    `fonts` are the page's own faces (`webfonts.detach_fonts`), served from memory."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    from cvbuild.confine import PathRefused, read_regular

    faces = dict(fonts or {})

    class SafeFetcher(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            if url in faces:
                kind = "font/otf" if faces[url][:4] == b"OTTO" else "font/ttf"
                return URLFetcherResponse(url, faces[url], {"Content-Type": kind})
            try:
                path = check_url(url, roots)
            except FetchRefused as exc:
                warn(f"weasyprint: skipped a resource: {exc}")
                raise
            if path is None:
                return super().fetch(url, headers)
            # Read the checked path, not the URL again, so nothing can swap it in between; without
            # blocking on a FIFO put there meanwhile, and bounded: a sparse 3 GB "image" in a theme
            # was read whole, in one call no time limit can stop.
            try:
                data = read_regular(path, limit=RESOURCE_BYTES)
            except PathRefused as exc:
                warn(f"weasyprint: skipped a resource: {exc}")
                raise FetchRefused(str(exc)) from None
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(path.as_uri(), data, {"Content-Type": content_type})

    return SafeFetcher(allowed_protocols=("data", "file"), allow_redirects=False, timeout=1)


def import_weasyprint() -> Any:
    """`import weasyprint`, without the ~50 compiler and linker runs that cost ~0.4 s on Linux,
    and without importing the fontTools modules it needs only for fonts cvbuild never embeds."""
    import sys

    if "weasyprint" not in sys.modules:
        with _no_library_search(), fonttools_deferred():
            import weasyprint
    import weasyprint

    return weasyprint


@contextmanager
def _no_library_search() -> Iterator[None]:
    """WeasyPrint tries several names per library (`libgobject-2.0-0`, `gobject-2.0`, ...,
    `libgobject-2.0.so.0`); cffi answers each miss with `ctypes.util.find_library`, which runs
    ldconfig, gcc and ld. Every list also holds the Linux soname, which loads directly, so on
    Linux the misses can fail at once: the same libraries load."""
    import ctypes.util
    import sys

    if not sys.platform.startswith("linux"):
        yield
        return
    find_library = ctypes.util.find_library
    ctypes.util.find_library = _no_library
    try:
        yield
    finally:
        ctypes.util.find_library = find_library


def _no_library(name: str) -> str | None:
    return None


# fontTools modules WeasyPrint imports for fonts cvbuild never embeds, with the functions it
# takes from them by name.
DEFERRED_MODULES = {"fontTools.subset": (), "fontTools.varLib.instancer": ("instantiateVariableFont",)}


@contextmanager
def fonttools_deferred() -> Iterator[None]:
    """WeasyPrint's PDF module imports `fontTools.subset` (a fallback for when HarfBuzz cannot
    subset) and `fontTools.varLib.instancer` (for variable fonts): ~0.25 s of imports that a
    cvbuild page never uses. While WeasyPrint is imported, each is a stand-in module that
    imports the real one at its first use (an attribute read, or a call of a function WeasyPrint
    took by name); the stand-ins leave `sys.modules` afterwards, so any later import gets the
    real modules. A test fails if WeasyPrint stops binding them this way."""
    import sys

    stand_ins = {name: _stand_in(name, names) for name, names in DEFERRED_MODULES.items() if name not in sys.modules}
    sys.modules.update(stand_ins)
    try:
        yield
    finally:
        for name, module in stand_ins.items():
            if sys.modules.get(name) is module:
                del sys.modules[name]


def _stand_in(name: str, functions: tuple[str, ...]) -> Any:
    """A module that imports `name` when first used and answers with the real module's values."""
    import importlib
    import sys
    import types

    stand_in = types.ModuleType(name)

    def real() -> Any:
        if sys.modules.get(name) is stand_in:
            del sys.modules[name]
        return importlib.import_module(name)

    def attribute(attr: str) -> Any:
        if attr.startswith("__"):  # the import system asks for `__path__` and the like
            raise AttributeError(attr)
        return getattr(real(), attr)

    def deferred(function: str) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            return getattr(real(), function)(*args, **kwargs)

        return call

    stand_in.__getattr__ = attribute  # type: ignore[method-assign]
    for function in functions:
        setattr(stand_in, function, deferred(function))
    return stand_in


def guarded(ctx: RenderContext, work: Callable[[], T], child: Callable[[float | None, int], T] | None = None) -> T:
    """`work()` (WeasyPrint laying out or writing the page) within the theme's time budget, in a
    child process with a data limit where there is one (`forked`), or by `child(seconds, memory)`
    (the early process: weasyprint_early) when given; a theme that is not built in
    and makes WeasyPrint run past it, need more memory, or fail, is input (exit 2) at its
    stylesheet: WeasyPrint lays cvbuild's page out, so only the theme's CSS can make it explode
    (a `symbolic` counter repeated 10^8 times) or fail (`font-size: 1e8px`: ZeroDivisionError)."""
    from cvbuild.errors import CvbuildError, Problem, ThemeError
    from cvbuild.limits import DEFAULT_LIMITS
    from cvbuild.targets import weasyprint_child
    from cvbuild.targets.base import display_path, over_time, theme_failure, time_budget
    from cvbuild.targets.deadline import OverTime, within
    from cvbuild.targets.html import stylesheet_path

    budget = time_budget(ctx)
    if budget is not None and child is None:
        import_ahead()
    try:
        if child is not None:
            return child(budget, DEFAULT_LIMITS.theme_memory if budget is not None else 0)
        if budget is not None and weasyprint_child.available():
            return weasyprint_child.run(work, budget, DEFAULT_LIMITS.theme_memory)
        return within(budget, work)
    except OverTime:
        where = str(display_path(stylesheet_path(ctx)))
        raise over_time(where, "WeasyPrint's layout of the page", budget or 0) from None
    except weasyprint_child.OverMemory as exc:
        raise _over_memory(ctx, exc) from None
    except CvbuildError:
        raise
    except Exception as exc:
        shown = display_path(stylesheet_path(ctx))
        reason = str(exc) if isinstance(exc, weasyprint_child.Failed) else f"{type(exc).__name__}: {exc}"
        failed = f"WeasyPrint could not lay the page out with this stylesheet: {reason}"
        error = theme_failure(ctx.theme, f"{shown}: {failed}")
        if isinstance(error, ThemeError) and not error.problems:  # annotated on the file, as a time-out
            error.problems = [Problem(shown, 0, 0, "", failed)]
        raise error from None


def _over_memory(ctx: RenderContext, exc: Any) -> Exception:
    """The error for a stylesheet that made WeasyPrint need more than the data limit (exit 2), at
    the stylesheet, as a time-out."""
    from cvbuild.errors import Problem, ThemeError
    from cvbuild.targets.base import display_path
    from cvbuild.targets.html import stylesheet_path

    where = display_path(stylesheet_path(ctx))
    limit = "the limit theme_memory" if exc.own else "the data limit of this process (ulimit -d)"
    message = (
        f"WeasyPrint needed more memory than {limit} = {exc.limit // 1024**2:,} MiB, so it was stopped "
        "(a stylesheet that makes text or boxes without end?)"
    )
    error = ThemeError(f"{where}: {message}")
    error.problems = [Problem(where, 0, 0, "", message)]
    return error


def import_ahead() -> None:
    """Import what the work imports at its first use, before the time limit starts: an interruption
    that lands in an import can leave a module half made in sys.modules, or the import's lock held,
    for the rest of the process (`watch`); a child forked while another thread imports (Typst's,
    for the PNGs) would wait for that import's lock for ever. cvbuild's own page reading,
    hyphenation, file reading and time limits, the email headers WeasyPrint parses for every
    fetched resource (the fonts too), and the image formats Pillow knows first (a photo is a PNG
    or a JPEG). The early process (weasyprint_early) imports them too, and nothing that needs
    pydantic. tests/test_safety_time.py records imports under the limit."""
    import email.policy  # noqa: F401
    import html.parser  # noqa: F401

    import PIL.Image

    from cvbuild import confine  # noqa: F401
    from cvbuild.targets import deadline, hyphenation, page_tree  # noqa: F401

    PIL.Image.preinit()


def _lay_out(page: str, ctx: RenderContext, variant: str | None) -> tuple[Any, dict[str, Any]]:
    job = make_job(page, ctx, variant)
    return lay_out_page(job, ctx.warn, lambda message: ctx.warn(css_place(job.page, ctx, message)))


def lay_out_page(job: Job, warn: Callable[[str], None], said: Callable[[str], None]) -> tuple[Any, dict[str, Any]]:
    """WeasyPrint's laid-out document and the options to write it with; `warn` hears refused
    resources, `said` what WeasyPrint logs while it lays out (for `css_place`)."""
    import_weasyprint()
    from cvbuild.targets import hyphenation

    hyphenation.install()  # `hyphens: auto` reads its patterns from the cache folder, not the .dic
    fetcher = make_fetcher(job.roots, warn, job.fonts)
    with _forward_log(said), _gc_paused():
        html = html_document(job.page, job.base_url, fetcher)
        options = {
            "pdf_identifier": job.identifier,
            "uncompressed_pdf": False,
            # A variant sets the PDF version, tags and sRGB output intent it needs, in layout too.
            "pdf_variant": job.variant,
        }
        laid_out = html.render(font_config=bundled_fonts_only(), **options)
    return laid_out, options


def bundled_fonts_only() -> Any:
    """A WeasyPrint FontConfiguration that knows no system font: its Fontconfig configuration is
    empty (`FcConfigCreate`) instead of the system's (`FcInitLoadConfigAndFonts`), so it holds the
    page's own @font-face fonts and nothing else. A theme's CSS that names a system family
    (`font-family: "DejaVu Sans"`) put that machine's font into the PDF; now the page's fallback
    fonts draw it, as in Typst, and the PDF is the same on every machine. WeasyPrint's own
    __init__ is followed line for line; a test compares the attributes both set."""
    from weasyprint.text.ffi import ffi, fontconfig, gobject, pangoft2
    from weasyprint.text.fonts import FontConfiguration

    # WeasyPrint declares only what it calls. Whether FcConfigCreate is declared is asked of the
    # library, not of a flag set after: a render stopped in between (the time limit) left it
    # declared and unnoted, and cffi refuses a second declaration (override: two threads at once).
    try:
        create = fontconfig.FcConfigCreate
    except AttributeError:
        ffi.cdef("FcConfig * FcConfigCreate (void);", override=True)
        create = fontconfig.FcConfigCreate
    fonts: Any = FontConfiguration.__new__(FontConfiguration)
    config = create()
    fonts._config = config
    fonts.font_map = ffi.gc(pangoft2.pango_ft2_font_map_new(), gobject.g_object_unref)
    pangoft2.pango_fc_font_map_set_config(ffi.cast("PangoFcFontMap *", fonts.font_map), config)
    fontconfig.FcConfigDestroy(config)  # the font map keeps its own reference
    fonts._folder = None
    fonts.strut_layouts = {}
    fonts.font_features = {}
    return fonts


# What WeasyPrint's HTML.__init__ sets; `html_document` adopts a tree only while this holds.
HTML_ATTRIBUTES = frozenset({"base_url", "url_fetcher", "media_type", "wrapper_element", "etree_element"})
_EMPTY_PAGE = "<!DOCTYPE html><html><head></head><body></body></html>"


def html_document(page: str, base_url: str, fetcher: Any) -> Any:
    """WeasyPrint's HTML document for `page`. A strictly written page (`page_tree.strict_tree`) is
    read ~5x faster than tinyhtml5 reads it; its tree goes into an HTML object made by WeasyPrint
    itself (from an empty page, so its base URL, fetcher and media type are WeasyPrint's own), as
    WeasyPrint wraps a parsed tree. If HTML objects ever carry anything else, or wrap their tree
    otherwise, WeasyPrint parses the page itself."""
    from weasyprint import HTML

    from cvbuild.targets.page_tree import strict_tree

    tree = strict_tree(page)
    document = None
    if tree is not None:
        document = HTML(string=_EMPTY_PAGE, base_url=base_url, url_fetcher=fetcher, media_type="print")
        own = document.wrapper_element
        wrap = type(own).from_html_root
        same_wrapping = vars(wrap(document.etree_element, content_language=None)) == vars(own)
        if set(vars(document)) == HTML_ATTRIBUTES and same_wrapping:
            document.wrapper_element = wrap(tree, content_language=None)
            document.etree_element = document.wrapper_element.etree_element
        else:
            document = None
    if document is None:
        document = HTML(string=page, base_url=base_url, url_fetcher=fetcher, media_type="print")
    if not may_make_notes(page):
        ua_stylesheets = document._ua_stylesheets
        document._ua_stylesheets = lambda forms=False: [without_note_styles(s) for s in ua_stylesheets(forms)]
    return document


# WeasyPrint's UA stylesheet styles five pseudo-elements of *every* element for footnotes and notes
# (`::footnote-call { content: counter(footnote) ... }` and the like), so each element of the page
# got five computed styles more (of its ~9) in the cascade: ~5 % of the function calls of a render.
# They are used only for an element that is a footnote (`float: footnote`) or a note
# (`position: note(...)`), which no page that never names them can make.
NOTE_PSEUDO_ELEMENTS = frozenset({"footnote-call", "footnote-marker", "note-call", "note-marker", "note-callback"})
_NAMES_NOTES = re.compile(r"footnote|note\(|<link\b|@import", re.I)  # or CSS from elsewhere: unknown
_CSS_ESCAPE = re.compile(r"\\(?:([0-9a-fA-F]{1,6})[ \t\r\n\f]?|(.))", re.S)


def may_make_notes(page: str) -> bool:
    """Whether `page` could make a footnote or a note: it names them (after CSS escapes are read,
    so `foot\\6eote` counts; words of the text count too: it only errs on the safe side), or it
    links or imports a stylesheet whose text is not in the page."""

    def unescape(m: re.Match[str]) -> str:
        if m[1] is None:
            return m[2]
        code = int(m[1], 16)
        return chr(code) if 0 < code <= 0x10FFFF else "\ufffd"

    return _NAMES_NOTES.search(_CSS_ESCAPE.sub(unescape, page)) is not None


# What WeasyPrint's CSS objects and cssselect2's Matcher hold; a stylesheet is trimmed only then.
CSS_ATTRIBUTES = frozenset({"base_url", "matcher", "page_rules", "layers"})
MATCHER_ATTRIBUTES = frozenset(
    {"id_selectors", "class_selectors", "lower_local_name_selectors", "namespace_selectors"}
    | {"lang_attr_selectors", "other_selectors", "order"}
)
_TRIMMED: dict[int, tuple[Any, Any]] = {}  # id(stylesheet) -> (stylesheet, trimmed copy), per process


def without_note_styles(sheet: Any) -> Any:
    """`sheet` without its rules for the footnote and note pseudo-elements of every element (a
    copy, made once a process); `sheet` itself when it has none, or is not built as known."""
    kept = _TRIMMED.get(id(sheet))
    if kept is not None and kept[0] is sheet:
        return kept[1]
    if set(getattr(sheet, "__dict__", ())) != CSS_ATTRIBUTES:
        return sheet
    matcher: Any = sheet.matcher
    if set(getattr(matcher, "__dict__", ())) != MATCHER_ATTRIBUTES:
        return sheet
    # Rules with no element part (`::footnote-call`) are tried on every element: other_selectors,
    # as (test, specificity, order, pseudo-element, declarations).
    entries = matcher.other_selectors
    if not all(type(e) is tuple and len(e) == 5 for e in entries):
        return sheet
    universal = [e for e in entries if e[3] not in NOTE_PSEUDO_ELEMENTS]
    trimmed = sheet
    if len(universal) < len(entries):
        trimmed = copy.copy(sheet)
        trimmed.matcher = copy.copy(matcher)
        trimmed.matcher.other_selectors = universal
    _TRIMMED[id(sheet)] = (sheet, trimmed)
    return trimmed


_SIZED_ARRAY = re.compile(r"(\w+)\[(\d+)\]")


@contextmanager
def sized_arrays_parsed_once() -> Iterator[None]:
    """WeasyPrint subsets each font with `ffi.new(f"hb_codepoint_t[{n}]", items)`: a new C type
    string per font and size, which cffi parses with pycparser against all of WeasyPrint's
    declarations (~7-20 ms each, ~20 per render). `ffi.new("hb_codepoint_t[]", items)` makes the
    same array (its length is the items') from a type parsed once. While this is active, WeasyPrint's
    `ffi.new` does that for a sized array given exactly its items; any other call passes through
    unchanged, so a WeasyPrint that allocates otherwise only loses the shortcut (a test notices)."""
    from weasyprint.text.ffi import ffi

    if "new" in vars(ffi):  # already active (a render in another thread): leave it to that one
        yield
        return
    from cvbuild.targets.deadline import after_stop

    original = ffi.new

    def new(cdecl: Any, init: Any = None) -> Any:
        if isinstance(cdecl, str) and isinstance(init, (list, tuple)):
            sized = _SIZED_ARRAY.fullmatch(cdecl)
            if sized and int(sized[2]) == len(init):
                return original(f"{sized[1]}[]", init)
        return original(cdecl, init)

    def restore() -> None:
        # Only our own stand-in goes: two renders that both found none both set one, and the
        # one that ends first must neither leave its own behind nor take the other's away.
        if vars(ffi).get("new") is new:
            del ffi.new

    after_stop(restore)  # under a time limit, an interruption can skip the `finally`
    ffi.new = new
    try:
        yield
    finally:
        restore()


@contextmanager
def _gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while WeasyPrint works: it allocates millions of small objects
    (styles, boxes), and each full collection walks all of them; ~20 % of the CPU time of a
    1,000-publication CV went there. What it leaves behind is collected after, as usual."""
    from cvbuild.targets.deadline import after_stop

    was_enabled = gc.isenabled()
    if was_enabled:
        after_stop(gc.enable)  # under a time limit, an interruption can skip the `finally`
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


_CSS_AT = re.compile(r" at (\d+):(\d+)")  # WeasyPrint's place in a <style> element: "Ignored `x` at 12:5, ..."
_QUOTED = re.compile(r"`([^`:]+)")  # the declaration or rule quoted: "Ignored `colr: red`" -> "colr"


def css_place(page: str, ctx: RenderContext, message: str) -> str:
    """`style.css:219:8: weasyprint: Ignored ...` for a WeasyPrint message about the theme's
    stylesheet (which the page carries inline, after the option CSS), so JSON and GitHub
    diagnostics land on the line; the message unchanged when its place is elsewhere or unsure
    (an inline `style` attribute counts its own lines): the quoted text must be on that line."""
    from cvbuild.targets.html import stylesheet_parts

    at = _CSS_AT.search(message)
    if at is None:
        return message
    parts = stylesheet_parts(ctx)
    start = page.find("\n".join(css for _, css in parts))
    opened = page.rfind("<style", 0, start)
    if start < 0 or opened < 0:
        return message
    line = int(at[1]) - page.count("\n", page.find(">", opened) + 1, start)
    for path, css in parts:
        lines = css.split("\n")
        if 1 <= line <= len(lines):
            quoted = _QUOTED.search(message)
            if quoted is not None and quoted[1].strip() not in lines[line - 1]:
                return message
            from cvbuild.targets.base import display_path

            return f"{display_path(path)}:{line}:{at[2]}: {message[: at.start()]}{message[at.end() :]}"
        line -= len(lines)
    return message


# Expected, not worth a warning: screen-only media queries (`@media (max-width: ...)`), which
# WeasyPrint skips as it should for print, resources the fetcher refused (it warned already), and
# what base.css asks of browsers that WeasyPrint does by itself or without: no synthetic italics,
# Korean's `word-break: keep-all` (keep_korean_words stands in), the quarter em between Han and
# Latin (`text-autospace`).
_QUIET = (
    "Expected a media type",
    "Invalid media type",
    "Failed to load",
    "Ignored `word-break: keep-all`",
    "Ignored `font-synthesis-style",
    "Ignored `text-autospace",
)


@contextmanager
def _forward_log(warn: Callable[[str], None], place: Callable[[str], str] | None = None) -> Iterator[None]:
    """WeasyPrint reports unusable CSS and resources through logging; show them as warnings,
    located in the theme's stylesheet by `place` where the message says where."""

    class Forward(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            message = record.getMessage()
            if not message.startswith(_QUIET):
                warn(place(f"weasyprint: {message}") if place else f"weasyprint: {message}")

    from cvbuild.targets.deadline import after_stop

    logger = logging.getLogger("weasyprint")
    handler = Forward(level=logging.WARNING)
    after_stop(partial(logger.removeHandler, handler))  # an interruption can skip the `finally`
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)
