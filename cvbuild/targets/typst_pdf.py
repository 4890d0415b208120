"""PDF through Typst, in-process (the PNG previews are drawn from this PDF: targets/png.py).

The theme's `cv.typ` receives the whole Document as JSON in `sys.inputs.cvbuild` and lays it
out; no user text ever becomes Typst source. The compiler sees only the theme's fonts (never
system fonts), the theme folder as its root and packages shipped inside the theme chain, so a
PDF is the same on every machine and nothing reaches the network.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from cvbuild import confine
from cvbuild.document.model import Document
from cvbuild.errors import InputError, RenderError, ThemeError
from cvbuild.targets import typst_stage, typst_warm
from cvbuild.targets.base import (
    Artifact,
    RenderContext,
    Started,
    Warner,
    display_path,
    dumped,
    font_dirs,
    font_files,
    keep_probe,
    take_probe,
    theme_failure,
    time_budget,
)
from cvbuild.themes import fonts
from cvbuild.themes.theme import builtin_themes_dir, is_builtin

TEMPLATE = "cv.typ"
PACKAGES = "packages"  # <theme>/packages/<namespace>/<name>/<version>/, e.g. @local/cvbuild:1.0.0
INPUT_KEY = typst_stage.DOCUMENT_KEY
PHOTO_KEY = "cvbuild_photo"
T = TypeVar("T")

_PACKAGE_SPEC = re.compile(r"""["']@([a-z0-9_-]+)/([a-z0-9_-]+):(\d+\.\d+\.\d+)["']""")
_DIAG_LOCATION = re.compile(r"┌─ (\S+?):(\d+):(\d+)")  # typst-py counts columns from 0; editors from 1

# Compilers and "already checked" marks live in ctx.cache, which one pipeline run shares across
# its formats: the font check and Typst's warnings happen once per Document, and the PNG
# previews are drawn from the PDF the pdf target made (`pdf_for`).


def render(fmt: str, doc: Document, ctx: RenderContext) -> list[Artifact]:
    """The PDF, as one artifact."""
    started = start(fmt, doc, ctx)
    later: list[str] = []  # the compile's warnings, said after the font check's
    check = None if started.check is None else partial(started.check, ctx.warn)
    result = alongside(partial(started.work, later.append), check)
    for message in later:
        ctx.warn(message)
    return result


def start(fmt: str, doc: Document, ctx: RenderContext) -> Started:
    """Everything before the compile, in the caller's thread (the checks, the staged Document,
    the compiler); the compile, which lets go of the GIL, is the `work`, and the font check
    (characters no font draws) the `check` beside it."""
    template = _template(ctx)
    data = dumped(doc, ctx.cache)  # the JSON of `cvbuild inspect`, dumped once per Document
    packages = _package_dir(ctx)
    _check_folders(template, packages, ctx)  # every run: in `watch` a theme folder can change
    # An edited template (in `watch`) is checked and warned about again, like new data.
    key = (template, template.stat().st_mtime_ns, _digest(ctx, data))
    checked: set[tuple[Path, int, bytes]] = ctx.cache.setdefault("typst.checked", set())
    first = key not in checked
    check: Callable[[Warner], None] | None = None
    files = font_files(ctx)
    if first:
        check_packages([template.parent, *([packages] if packages else [])], packages)
        check = partial(_warn_uncovered, ctx, data, files)

    def said(warn: Warner) -> Warner:
        return warn if first else _quiet  # say Typst's warnings once per Document

    inputs = _inputs(doc, data, joined_pattern(ctx, data, files))
    probed = take_probe(ctx, "typst", partial(_probe_key, ctx, template, inputs))  # fitting made this very PDF
    if probed is not None:
        pdf, warnings, layout = probed

        def reuse(warn: Warner) -> list[Artifact]:
            _report(warnings, template, ctx, said(warn))
            checked.add(key)
            return _handed(doc, ctx, Artifact(".pdf", pdf, pages=count_pages(pdf), layout=layout))

        return Started(reuse, check)
    folder, given = _channel(ctx, template, packages, inputs)
    guess = _glyphs_guess(ctx, doc, data, files, template, packages)
    compiler = _compiler(template, ctx, folder, guess)
    live = [compiler]  # the compilers `stop` stops: this one, then the one the glyphs need

    def work(warn: Warner) -> list[Artifact]:
        warnings: list[Any] = []
        result = _compile(compiler, template, ctx, _quiet, sys_inputs=given, keep=warnings, **_pdf_kwargs(doc))
        glyphs = last_resort_glyphs(ctx, data, files)  # found by `check` meanwhile, or here
        used = compiler
        if glyphs != guess:  # not the fonts this Document needs: the next compile is the one kept
            used = _compiler(template, ctx, folder, glyphs)
            live.append(used)
            warnings = []
            result = _compile(used, template, ctx, _quiet, sys_inputs=given, keep=warnings, **_pdf_kwargs(doc))
        _report(warnings, template, ctx, said(warn))
        checked.add(key)
        _keep_recipe(ctx, doc, template, packages, inputs, glyphs)
        layout = _layout(used, doc, result)
        return _handed(doc, ctx, Artifact(".pdf", result, pages=count_pages(result), layout=layout))

    def stop() -> None:  # a theme's child (typst_child.ChildCompiler) is killed; a built-in's compile is short
        for each in live:
            kill = getattr(each, "stop", None)
            if kill is not None:
                kill()

    return Started(work, check, stop)


_HANDOFF = "typst.pdf"  # ctx.cache slot: the last PDF made, for the PNG previews of the same run


def _keep_recipe(
    ctx: RenderContext,
    doc: Document,
    template: Path,
    packages: Path | None,
    inputs: dict[str, str],
    glyphs: tuple[str, ...],
) -> None:
    """Note this compile for the next run's warm start (`typst_warm`): built-in themes only, and
    not in `watch` (no list to note it in), whose compilers stay warm anyway."""
    recipes: list[typst_warm.Recipe] | None = ctx.cache.get(typst_warm.RECIPES)
    if recipes is None or not is_builtin(ctx.theme):
        return
    dirs = tuple(str(d) for d in font_dirs(ctx))
    key = (str(template), dirs, str(packages) if packages else None, glyphs)
    day = ctx.today.isoformat()
    recipes.append(typst_warm.Recipe(doc.meta.document, key, inputs, day, tuple(doc.meta.pdf_standards)))


def _handed(doc: Document, ctx: RenderContext, pdf: Artifact) -> list[Artifact]:
    """Keep `pdf` for `pdf_for`; the slot holds `doc` itself, so only this very Document (one
    run's) can match it, never a later one that happens to reuse its id."""
    ctx.cache[_HANDOFF] = (doc, ctx.theme, ctx.today, pdf.data)
    return [pdf]


def pdf_for(doc: Document, ctx: RenderContext) -> bytes:
    """The PDF of `doc`: the one the pdf target made just before in this run, else a new one
    (which warns as the pdf target would, once per Document)."""
    slot = ctx.cache.pop(_HANDOFF, None)
    if slot is not None and slot[0] is doc and slot[1] is ctx.theme and slot[2] == ctx.today:
        data: bytes = slot[3]
        return data
    pdf = render("pdf", doc, ctx)[0].data
    ctx.cache.pop(_HANDOFF, None)
    return pdf


def alongside(work: Callable[[], T], check: Callable[[], None] | None) -> T:
    """`work()`, with `check()` run meanwhile in this thread. Typst lets go of the GIL while it
    lays out, so on a second core the font check (importing HarfBuzz, reading the text back:
    ~30 ms for the example, more at 1,000 publications) adds no wall time. What `check` says
    comes first and an error of `work` after it, as if the two ran one after the other."""
    if check is None:
        return work()
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="cvbuild-typst") as pool:
        future = pool.submit(work)
        check()
        return future.result()


def _inputs(doc: Document, data: str, joined: str | None = None) -> dict[str, str]:
    inputs = {INPUT_KEY: data}
    if joined is not None:  # only then: every other Document's inputs, and so its PDF, are as they were
        inputs[JOINED_KEY] = joined
    if doc.person.photo is not None:  # Typst cannot decode a data: URI; it builds bytes from this array
        from cvbuild.loading.photo import photo_bytes

        inputs[PHOTO_KEY] = json.dumps(list(photo_bytes(doc.person.photo)), separators=(",", ":"))
    return inputs


def _channel(
    ctx: RenderContext, template: Path, packages: Path | None, inputs: dict[str, str]
) -> tuple[Path | None, dict[str, str]]:
    """(the package folder for the compiler, its sys.inputs): with a staged folder (`watch`, a
    warm start) the Document goes into a file of it (see typst_stage), else into sys.inputs."""
    warm: typst_warm.Warm | None = ctx.cache.get(typst_warm.SLOT)
    settle = None if warm is None else warm.settle
    return typst_stage.channel(ctx.cache, template.parent, packages, inputs, settle)


def probe_layout(doc: Document, ctx: RenderContext) -> Any:
    """Lay `doc` out with the warm compiler and say where its text sits (for fitting); the PDF
    is kept for the render that follows (~60-90 ms a layout)."""
    template = _template(ctx)
    data, files = dumped(doc, ctx.cache), font_files(ctx)
    inputs = _inputs(doc, data, joined_pattern(ctx, data, files))
    folder, given = _channel(ctx, template, _package_dir(ctx), inputs)
    compiler = _compiler(template, ctx, folder, last_resort_glyphs(ctx, data, files))
    warnings: list[Any] = []
    pdf = _compile(compiler, template, ctx, _quiet, sys_inputs=given, keep=warnings, **_pdf_kwargs(doc))
    layout = _layout(compiler, doc, pdf)
    keep_probe(ctx, "typst", _probe_key(ctx, template, inputs), (pdf, warnings, layout), MAX_KEPT_PROBES)
    return layout


MAX_KEPT_PROBES = 12  # a fit tries a handful


def _pdf_kwargs(doc: Document) -> dict[str, Any]:
    """Typst's PDF options for `doc`: its PDF standards (Typst checks the output against them and
    fails the compile where the theme breaks one)."""
    return {"format": "pdf", "pdf_standards": list(doc.meta.pdf_standards)}


def _probe_key(ctx: RenderContext, template: Path, inputs: dict[str, str]) -> tuple[Any, ...]:
    digest = hashlib.blake2b(json.dumps(inputs, sort_keys=True).encode()).digest()
    return (template, template.stat().st_mtime_ns, ctx.today, digest)


def _layout(compiler: Any, doc: Document, pdf: bytes) -> Any:
    from dataclasses import replace

    from cvbuild.targets.fit import Layout, typst_layout

    pages = count_pages(pdf)
    found = typst_layout(compiler, [s.title for s in doc.sections])
    return Layout(pages, 1.0, pages, 1.0) if found is None else replace(found, pages=pages)


def document_json(doc: Document) -> str:
    """The JSON `cv.typ` reads from sys.inputs; `cvbuild inspect` prints exactly this. The
    typeset Document's, as `render_format` hands it to this target: with typographic quotes."""
    from cvbuild.targets.base import typeset_document

    cache: dict[Any, Any] = {}
    return dumped(typeset_document(doc, cache), cache)


def count_pages(pdf: bytes) -> int:
    """Page objects in a Typst PDF (it writes each page dictionary in the clear)."""
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))


def _quiet(_message: str) -> None:
    pass


def _template(ctx: RenderContext) -> Path:
    path = ctx.theme.find(TEMPLATE)
    if path is None:
        raise InputError(f"theme {ctx.theme.name!r} has no {TEMPLATE}, so it cannot make PDF or PNG output")
    confine.read_confined(path, ctx.theme.roots, _where(ctx))  # a regular file inside the chain
    return path


def _where(ctx: RenderContext) -> str:
    return f"the folders of theme {ctx.theme.name!r}"


def _check_folders(template: Path, packages: Path | None, ctx: RenderContext) -> None:
    """Typst reads its root folder and the package folder by itself and follows links there, so
    both are checked first: nothing in them may lead outside the theme chain or be a FIFO or a
    device. (Font folders are checked by `fonts.font_dirs`.)"""
    confine.check_tree(confine.real(template).parent, ctx.theme.roots, _where(ctx))
    if packages is not None:
        confine.check_tree(packages, ctx.theme.roots, _where(ctx))


def _compiler(template: Path, ctx: RenderContext, packages: Path | None, glyphs: tuple[str, ...]) -> Any:
    """A Typst compiler that sees only the theme folder, the theme's fonts (and the last-resort
    font of `glyphs`, see `last_resort_glyphs`) and shipped packages: in-process for a built-in
    theme, else one in a child process stopped at the time budget."""
    dirs = tuple(str(d) for d in font_dirs(ctx))
    budget = time_budget(ctx)
    key = (template, dirs, str(packages) if packages else None, budget, glyphs)
    compilers: dict[tuple[Path, tuple[str, ...], str | None, float | None, tuple[str, ...]], Any] = (
        ctx.cache.setdefault("typst.compilers", {})
    )
    if key in compilers:
        return compilers[key]
    for other in [k for k in compilers if k[:4] == key[:4] and k[4] and glyphs]:
        del compilers[other]  # `watch`: one emoji typed after another would keep a compiler each
    if budget is not None:
        from cvbuild.limits import DEFAULT_LIMITS
        from cvbuild.targets.typst_child import ChildCompiler, settings_for

        settings = settings_for(str(template), typst_warm.font_paths(dirs, glyphs), key[2])
        compilers[key] = ChildCompiler(settings, budget, offline_env(), DEFAULT_LIMITS.theme_memory)
        return compilers[key]
    text_key = (str(template), dirs, key[2], glyphs)
    warm: typst_warm.Warm | None = ctx.cache.get(typst_warm.SLOT)
    compiler = None if warm is None else warm.take(text_key)
    if compiler is None:
        try:
            compiler = typst_warm.new_compiler(text_key)
        except (RuntimeError, OSError, ValueError) as exc:
            raise RenderError(f"{template}: cannot start Typst: {exc}") from None
    compilers[key] = compiler
    return compiler


def _compile(
    compiler: Any,
    template: Path,
    ctx: RenderContext,
    warn: Callable[[str], None],
    keep: list[Any] | None = None,
    **kwargs: Any,
) -> Any:
    """Compile with a fixed timestamp; Typst errors become RenderErrors, warnings go to `warn`
    (and into `keep`, for a render that reuses the result)."""
    import typst

    stamp = _dt.datetime.combine(ctx.today, _dt.time(0), tzinfo=_dt.UTC)
    try:
        with offline():
            result, warnings = compiler.compile_with_warnings(timestamp=stamp, **kwargs)
    except typst.TypstError as exc:
        download = _DOWNLOAD.search(str(exc.message))
        if download:  # a package name built at run time, which `check_packages` cannot see
            name, version = download.groups()
            raise ThemeError(  # located, so JSON and GitHub diagnostics carry the file and line
                f"{_located(exc, template, _package_dir(ctx))}: the theme imports @preview/{name}:{version}, "
                f"which it does not ship; {_NO_DOWNLOAD}{PACKAGES}/preview/{name}/{version}/"
            ) from None
        raise theme_failure(ctx.theme, typst_message(exc, template, _package_dir(ctx))) from None
    except (RuntimeError, OSError, ValueError) as exc:  # typst-py reports setup problems this way
        raise RenderError(f"{template}: Typst failed: {exc}") from None
    if keep is not None:
        keep.extend(warnings)
    _report(warnings, template, ctx, warn)
    return result


def _report(warnings: list[Any], template: Path, ctx: RenderContext, warn: Callable[[str], None]) -> None:
    for warning in warnings:
        where = _located(warning, template, _package_dir(ctx))
        named = _font_named_at(template, str(warning.message)) if _inside_package_only(warning) else None
        if named is not None:  # `setup.with(doc, font: "Helvetica")`: Typst's span is the package's set rule
            where = f"{named} (inside {where})"
        warn(f"{where}: Typst: {warning.message}{_font_hint(warning, ctx)}")


def _inside_package_only(diag: Any) -> bool:
    found = _DIAG_LOCATION.findall(str(getattr(diag, "diagnostic", "") or ""))
    return bool(found) and all(file.startswith("@") for file, _, _ in found)


def _font_named_at(template: Path, message: str) -> str | None:
    """Where the theme's own Typst files name the unknown family of a warning (Typst lower-cases it),
    as `file:line:col` of its opening quote; None when no file names it as a string."""
    family = re.fullmatch(r"unknown font family: (.+)", message.strip())
    if family is None:
        return None
    quoted = re.compile(f"[\"']{re.escape(family[1])}[\"']", re.I)
    for source in sorted(template.parent.rglob("*.typ"), key=lambda p: (p != template, p)):
        if PACKAGES in source.relative_to(template.parent).parts or not source.is_file():
            continue
        text = confine.read_regular(source).decode("utf-8", errors="replace")
        match = quoted.search(text)
        if match is not None:
            line = text.count("\n", 0, match.start()) + 1
            return f"{_display(source)}:{line}:{match.start() - text.rfind(chr(10), 0, match.start())}"
    return None


# ---- checks before compiling ----------------------------------------------------------------------


def _package_dir(ctx: RenderContext) -> Path | None:
    """Typst packages ship inside the theme chain (base ships @local/cvbuild); a child may add its own."""
    for folder in ctx.theme.chain:
        if (folder / PACKAGES).is_dir():
            return folder / PACKAGES
    return None


def check_packages(folders: list[Path], packages: Path | None) -> None:
    """Refuse imports of packages the theme does not ship, with the line that names them. A name
    built at run time gets past this check, but `offline` still keeps Typst from downloading it."""
    for source in sorted(p for folder in folders for p in folder.rglob("*.typ") if p.is_file()):
        text = confine.read_regular(source).decode("utf-8", errors="replace")
        for match in _PACKAGE_SPEC.finditer(text):
            namespace, name, version = match.groups()
            if (namespace, name, version) == typst_stage.DATA_PACKAGE:
                continue  # cvbuild writes this one itself (typst_stage), in `watch`
            if packages is None or not (packages / namespace / name / version).is_dir():
                line = text[: match.start()].count("\n") + 1
                col = match.start() - text.rfind("\n", 0, match.start())
                fix = f"{_NO_DOWNLOAD}{PACKAGES}/{namespace}/{name}/{version}/"
                if (builtin_themes_dir() / "base" / PACKAGES / namespace / name / version).is_dir():
                    # a theme written from scratch, extending nothing: the base theme has it
                    fix = 'the built-in base theme has it: add extends = "base" (or "classic", ...) to theme.toml'
                raise ThemeError(  # located, so JSON and GitHub diagnostics carry the file and line
                    f"{source}:{line}:{col}: imports @{namespace}/{name}:{version}, "
                    f"which the theme does not ship; {fix}"
                )


# typst-py always gives Typst its downloader for `@preview` packages; there is no switch to turn
# it off. The downloader takes its proxy from the environment on every download, so during a
# compile every proxy variable names a port nothing can listen on (port 0 of the loopback): a
# download fails at once, with no DNS query and no packet leaving the machine. NO_PROXY is
# removed so that it cannot exempt the package host. tests/test_safety_network.py proves it in a
# network namespace that records DNS queries.
_OFFLINE_PROXY = "http://127.0.0.1:0"
_PROXY_VARS = ("https_proxy", "HTTPS_PROXY", "http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY")
_NO_PROXY_VARS = ("no_proxy", "NO_PROXY")
_DOWNLOAD = re.compile(r"failed to download package \(\S*/preview/([a-z0-9_-]+)-(\d+\.\d+\.\d+)\.tar\.gz")
_NO_DOWNLOAD = "cvbuild never downloads packages: copy it into the theme as "


def offline_env() -> dict[str, str]:
    """The environment with Typst's downloader kept off the network, for a child process."""
    env = {name: value for name, value in os.environ.items() if name not in _NO_PROXY_VARS}
    env.update(dict.fromkeys(_PROXY_VARS, _OFFLINE_PROXY))
    return env


@contextmanager
def offline() -> Iterator[None]:
    """Keep Typst's package downloader from reaching the network while the block runs."""
    saved = {name: os.environ.get(name) for name in (*_PROXY_VARS, *_NO_PROXY_VARS)}
    os.environ.update(dict.fromkeys(_PROXY_VARS, _OFFLINE_PROXY))
    for name in _NO_PROXY_VARS:
        os.environ.pop(name, None)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _font_hint(warning: Any, ctx: RenderContext) -> str:
    """Unknown families are often system fonts, which cvbuild never uses: name what is there."""
    if "unknown font family" not in str(warning.message):
        return ""
    import typst

    found = typst.Fonts(
        include_system_fonts=False,
        include_embedded_fonts=False,
        font_paths=[str(d) for d in fonts.font_dirs(ctx.theme)],
    ).families()
    return (
        f" (system fonts are never used; the theme's fonts are: {', '.join(sorted(set(found)))}; "
        "or put the family's .otf/.ttf files in the theme's fonts/ folder)"
    )


def _warn_uncovered(ctx: RenderContext, data: str, files: list[Path], warn: Warner) -> None:
    """`data` is the Document's JSON, which Typst gets anyway: its characters are asked, not a
    second dump of the Document (1,000 publications: ~15 vs ~110 ms). The last-resort glyphs are
    found here, beside the compile, which needs them only once it is done."""
    if not last_resort_glyphs(ctx, data, files):  # every character of the JSON has a font
        return
    message = fonts.uncovered_warning(data, files)
    if message:
        warn(message)


# ---- the last-resort font -----------------------------------------------------------------------
#
# A character no font of the theme has (an emoji) was Typst's .notdef, which reads back as \x00
# (pypdf) or (cid:0) (pdfminer, pdfplumber: what many applicant-tracking systems read PDFs with).
# As in the WeasyPrint engine, such characters get a box each from the last-resort font
# (targets/last_resort.py), which Typst is given after the theme's fonts: it falls back to it only
# for what no other font has, and the PDF's ToUnicode maps each box back to its character. The
# font is made for the Document's characters, so it changes the compiler's fonts; finding them
# needs HarfBuzz (~30 ms with its import), which would delay every compile. So the compile starts
# at once with the fonts of a guess (the last render's, kept by the warm start: none for most
# profiles), the font check finds the glyphs beside it, and only a wrong guess compiles again.

_LAST_RESORT = "typst.last_resort"  # ctx.cache: the glyphs of each (fonts, Document JSON) asked
_LAST_RESORT_LOCK = threading.Lock()  # the check and the compile's thread may both ask at once
_NOT_DRAWN = {"Cc", "Cf", "Cs", "Zl", "Zp"}  # controls, formats (ZWJ, bidi marks), line breaks


def last_resort_glyphs(ctx: RenderContext, data: str, files: list[Path]) -> tuple[str, ...]:
    """The glyphs of the last-resort font for the Document JSON `data`: each character of it no
    font in `files` has and each cluster of them set as one (`last_resort.sequences`), sorted;
    () when every character has a font. Every string of the JSON is asked (keys and URLs too, a
    superset of what is drawn: a glyph never drawn costs a few bytes of a font nobody embeds)."""
    key = (tuple(files), _digest(ctx, data))
    with _LAST_RESORT_LOCK:
        found: dict[Any, tuple[str, ...]] = ctx.cache.setdefault(_LAST_RESORT, {})
        if key not in found:
            if len(found) > 16:  # `watch` keeps ctx.cache for hours
                found.clear()
            found[key] = _glyphs_of(data, files)
        return found[key]


def _glyphs_of(data: str, files: list[Path]) -> tuple[str, ...]:
    import unicodedata

    chars = {c for c in set(data) if unicodedata.category(c) not in _NOT_DRAWN and not _selector(c)}
    missing = fonts.uncovered(chars, files)
    if not missing:
        return ()
    from cvbuild.targets import last_resort

    wanted = frozenset(missing)
    texts = [t for t in _strings(json.loads(data)) if not wanted.isdisjoint(t)]
    # A cluster with a missing character gets a box whole, with a glyph for each of its characters
    # even where a theme font has one (the 1 of 1️⃣, the ✈ of 👩‍✈️): `joined_pattern` sets it in
    # this font, so that it reads back as itself. Spaces are no part of a cluster (and a font with
    # a space glyph would keep the ZWJs as spaces).
    drawn = {c for t in texts for c in t if unicodedata.category(c) not in _NOT_DRAWN | {"Zs"} and not _selector(c)}
    runs = {run for run in last_resort.sequences(texts, drawn) if not wanted.isdisjoint(run)}
    return tuple(sorted({*missing, *(c for run in runs for c in run), *runs}))


# Where a cluster can join a character a theme font has with one no font has: a keycap (1️⃣),
# a ZWJ sequence (👩‍✈️), a skin tone (✌🏽). Only a Document holding one of these is asked more.
# Substring tests: ~0.2 ms for 1,000 publications' JSON, where a character class took ~50 ms.
_JOINERS = ("\u20e3", "\u200d", *map(chr, range(0x1F3FB, 0x1F400)))
JOINED_KEY = "cvbuild_joined"  # sys.inputs: the pattern of the clusters the last-resort font sets


def joined_pattern(ctx: RenderContext, data: str, files: list[Path]) -> str | None:
    """The regex (lib.typ's joined-emoji) of the last-resort clusters that hold a character a theme
    font has, or None. Typst picks a cluster's font by its first character: 1️⃣ went to the main
    font, which has the 1 but no keycap, and printed three .notdef; 👩‍✈️ went to DejaVu Sans,
    which drew the ✈ alone. Set in the last-resort font, each is one box that reads back whole."""
    if not any(joiner in data for joiner in _JOINERS):
        return None
    runs = [g for g in last_resort_glyphs(ctx, data, files) if len(g) > 1]
    mixed = [run for run in runs if len(fonts.uncovered(run, files)) < len(set(run))]
    if not mixed:
        return None
    from cvbuild.targets import last_resort

    return last_resort.pattern(mixed)


def _digest(ctx: RenderContext, data: str) -> bytes:
    """The digest of the Document JSON `data`, once for each (~3 ms at 1,000 publications)."""
    slot: tuple[str, bytes] | None = ctx.cache.get("typst.digest")
    if slot is None or slot[0] is not data:
        slot = ctx.cache["typst.digest"] = (data, hashlib.blake2b(data.encode()).digest())
    return slot[1]


def _selector(char: str) -> bool:
    code = ord(char)
    return 0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF  # variation selectors: never drawn


def _strings(data: Any) -> Iterator[str]:
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def _glyphs_guess(
    ctx: RenderContext, doc: Document, data: str, files: list[Path], template: Path, packages: Path | None
) -> tuple[str, ...]:
    """The last-resort glyphs this compile starts with: the ones found for this very JSON, else
    those the last render of this document used (`typst_warm`), else none."""
    with _LAST_RESORT_LOCK:
        known: tuple[str, ...] | None = ctx.cache.get(_LAST_RESORT, {}).get((tuple(files), _digest(ctx, data)))
    if known is not None:
        return known
    warm: typst_warm.Warm | None = ctx.cache.get(typst_warm.SLOT)
    dirs = tuple(str(d) for d in font_dirs(ctx))
    where = (str(template), dirs, str(packages) if packages else None)
    for recipe in [] if warm is None else warm.before():
        if recipe.document == doc.meta.document and recipe.key[:3] == where:
            return recipe.key[3]
    return ()


# ---- error messages -------------------------------------------------------------------------------


def typst_message(exc: Any, template: Path, packages: Path | None) -> str:
    """`themes/classic/cv.typ:12:3: Typst error in theme: unknown variable: x`, then Typst's excerpt."""
    diagnostic = str(getattr(exc, "diagnostic", "") or "").rstrip()
    lines = diagnostic.splitlines()
    if lines and lines[0].startswith("error:"):  # the message itself, already on our first line
        lines = lines[1:]
    if not lines:  # no excerpt: keep the hints at least
        lines = [f"hint: {h}" for h in getattr(exc, "hints", None) or []]
    lines = _first_errors([_ROOT_HINT.sub(r"\1" + ROOT_HINT, line) for line in lines])
    detail = _real_paths("\n".join(lines), template, packages)
    hint = _key_hint(exc.message) or _name_hint(exc.message, template, packages)
    return f"{_located(exc, template, packages)}: Typst error in theme: {exc.message}{hint}" + (
        f"\n{detail}" if detail else ""
    )


# Typst's CLI hint for a path outside the root names an option cvbuild does not have.
_ROOT_HINT = re.compile(r"^(.*hint: )you can adjust the project root with the `--root` argument$")
ROOT_HINT = "a theme reads only files inside the folder of its cv.typ: copy the file there"


# Errors shown after the first. One unclosed `(` makes Typst read the rest of the file as code and
# report every later `#` as an error too (25 excerpts for a one-character mistake), which buried it.
MORE_ERRORS_SHOWN = 2


def _first_errors(lines: list[str]) -> list[str]:
    """The first error's excerpt and at most MORE_ERRORS_SHOWN more; a count of the rest."""
    starts = [i for i, line in enumerate(lines) if line.startswith("error:")]
    if len(starts) <= MORE_ERRORS_SHOWN:
        return lines
    cut = starts[MORE_ERRORS_SHOWN]
    rest = len(starts) - MORE_ERRORS_SHOWN
    note = f"... and {rest} more error{'s' * (rest != 1)}, often caused by the first: fix it and run again"
    return [*lines[:cut], note]


def _key_hint(message: str) -> str:
    """For a misspelt Document field (`doc.persn`: `dictionary does not contain key "persn"`), the
    field that was meant; Typst's dictionaries are the Document's objects, so any of their fields."""
    key = re.fullmatch(r'dictionary does not contain key "([^"]*)"', str(message))
    if key is None:
        return ""
    from cvbuild.document.model import view_fields
    from cvbuild.schema.validate import did_you_mean

    fields = sorted({name for names in view_fields().values() for name in names})
    hint = did_you_mean(key[1], fields, None)
    return hint or f'; the fields are in docs/document.md; a key that may be missing: .at("{key[1]}", default: none)'


_LET_NAME = re.compile(r"\blet\s+([A-Za-z_][\w-]*)")
_LET_PARAMS = re.compile(r"\blet\s+[A-Za-z_][\w-]*\(((?:[^()]|\([^()]*\))*)\)")  # a default may call one
_NAMED_PARAM = re.compile(r"([A-Za-z_][\w-]*)\s*:")


def _name_hint(message: str, template: Path, packages: Path | None) -> str:
    """For a misspelt name (`contact-item(doc)`: `unknown variable: contact-item`), the one meant,
    out of those the theme's Typst files and its packages define with `let` (Typst's own hint took
    the dash for a minus sign); for a misspelt named argument (`fnt:`), the parameter meant."""
    unknown = re.fullmatch(r"(unknown variable|unexpected argument): ([\w-]+)", str(message))
    if unknown is None:
        return ""
    from cvbuild.schema.validate import did_you_mean

    files = [p for folder in (template.parent, packages) if folder is not None for p in folder.rglob("*.typ")]
    names: set[str] = set()
    for path in files:
        try:
            text = confine.read_regular(path).decode("utf-8", errors="replace")
        except (OSError, InputError):  # a file refused elsewhere: no names from it
            continue
        if unknown[1] == "unknown variable":
            names.update(_LET_NAME.findall(text))
        else:  # the named parameters of the functions they define: `setup(doc, fnt: ...)` meant font
            names.update(n for params in _LET_PARAMS.findall(text) for n in _NAMED_PARAM.findall(params))
    names.discard(unknown[2])
    return did_you_mean(unknown[2], sorted(names), None)


def _located(diag: Any, template: Path, packages: Path | None) -> str:
    """The first `file:line:col` Typst names, as a path a user can open. Inside a package, the
    theme's line that called it comes first: that is the line to fix (`spans(5)`), and the file a
    GitHub annotation can point at (the package lies outside the repository); the package's own
    place follows in parentheses."""
    found = _DIAG_LOCATION.findall(str(getattr(diag, "diagnostic", "") or ""))
    if not found:
        return str(_display(template))
    where = [f"{_real_path(file, template, packages)}:{line}:{int(col) + 1}" for file, line, col in found]
    caller = next((w for (file, _, _), w in zip(found, where, strict=True) if not file.startswith("@")), None)
    if found[0][0].startswith("@") and caller is not None:
        return f"{caller} (inside {where[0]})"
    return where[0]


def _real_paths(text: str, template: Path, packages: Path | None) -> str:
    return _DIAG_LOCATION.sub(
        lambda m: f"┌─ {_real_path(m.group(1), template, packages)}:{m.group(2)}:{int(m.group(3)) + 1}", text
    )


def _real_path(file: str, template: Path, packages: Path | None) -> str:
    """Typst names package files `@ns/name:ver/lib.typ`, others relative to the working folder."""
    pkg = re.match(r"^@([^/]+)/([^:]+):([^/]+)/(.*)$", file)
    if pkg and packages is not None:
        ns, name, version, rest = pkg.groups()
        return str(_display(packages / ns / name / version / rest))
    for candidate in (Path(file), template.parent / file.lstrip("/")):
        if candidate.exists():
            return str(_display(candidate))
    return file


_display = display_path
