"""HTML: one self-contained page from the theme's cv.html.j2 and style.css.

The page needs nothing from any other host: the stylesheet is inlined, fonts are subset to the
characters the page shows (HarfBuzz) and embedded as OpenType data: URLs, and no script runs (the only
<script> is JSON-LD data). A Content-Security-Policy in <head> enforces that in browsers.
The WeasyPrint PDF is built from this same page (see weasyprint_pdf.py).

The theme option show_email=obfuscated shows `ada (at) example (dot) org` as plain text, as
researchers write it by hand: a person reads it, copy and paste keeps it readable, it needs no
script, and no `mailto:`, JSON-LD `email` or meta tag puts the real address anywhere in the
file, so a scraper looking for `name@host` finds nothing. show_email=hidden leaves it out.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from cvbuild.document.inline import plain
from cvbuild.document.model import Document, Entry
from cvbuild.errors import InputError, RenderError
from cvbuild.targets.base import Artifact, RenderContext, display_path, theme_failure
from cvbuild.themes.options import EMAIL_MODES, PAGE_SIZES, SIDES, STYLE_OPTIONS, margin_sides

TEMPLATE = "cv.html.j2"
STYLESHEET = "style.css"
BASE_STYLESHEET = "base.css"
# Stands where the @font-face rules go until the page's characters are known. User text cannot
# produce it: `<` is always escaped in text and attributes, and written as \u003c in JSON-LD.
FONT_SLOT = "<cvbuild-font-faces/>"


def render(fmt: str, doc: Document, ctx: RenderContext) -> list[Artifact]:
    page = build_html(doc, ctx)
    for path, css in stylesheet_parts(ctx):
        if builtin_stylesheet(path):  # cvbuild's own: tests check each (~2 ms a file to ask)
            continue
        for at, family in unbundled_families(css):
            line, col = css.count("\n", 0, at) + 1, at - css.rfind("\n", 0, at)
            ctx.warn(f"{display_path(path)}:{line}:{col}: {UNBUNDLED.format(family=family)}")
    return [Artifact(".html", page.encode("utf-8"))]


@dataclass(frozen=True)
class Settings:
    """Theme options that reach CSS, checked so a `--set` value can never end the <style> block."""

    accent: str
    margin: str
    font_size: str
    page_size: str
    font: str
    fallbacks: tuple[str, ...]
    show_email: str
    spacing: float = 1.0  # factor of the theme's vertical gaps, as CSS var(--spacing)

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> Settings:
        def checked(key: str, default: str) -> str:
            value = " ".join(str(options.get(key, default)).split())  # a margin's sides, one space apart
            pattern, expected = STYLE_OPTIONS[key]
            if not pattern.fullmatch(value):
                raise InputError(f"theme option {key}={value!r} is not {expected}")
            return value

        page = str(options.get("page_size", "a4")).lower()
        if page not in PAGE_SIZES:
            raise InputError(f"theme option page_size={page!r}; valid values are: {', '.join(PAGE_SIZES)}")
        email = str(options.get("show_email", "plain"))
        if email not in EMAIL_MODES:
            raise InputError(f"theme option show_email={email!r}; valid values are: {', '.join(EMAIL_MODES)}")
        raw_fallbacks = options.get("fallback_fonts", ("Noto Sans CJK SC", "DejaVu Sans"))
        if isinstance(raw_fallbacks, str):
            raw_fallbacks = [s.strip() for s in raw_fallbacks.split(",") if s.strip()]
        return cls(
            accent=checked("accent", "#1a3a6b"),
            margin=checked("margin", "2cm"),
            font_size=checked("font_size", "10.5pt"),
            page_size=PAGE_SIZES[page],
            font=checked("font", "Linux Libertine O"),
            fallbacks=tuple(str(f) for f in raw_fallbacks),
            show_email=email,
            spacing=float(options.get("spacing", 1.0)),
        )

    def css(self) -> str:
        """Option-driven CSS; everything else about the look is in the theme's style.css. Each side
        of the page margin is also a variable (--page-margin-top...), for print CSS that trims the
        half-leading above a page's first line, places the footer as Typst does, or paints a band."""
        light = lighten(self.accent, 0.55)
        sides = margin_sides(self.margin) or (self.margin,) * 4  # checked in from_options
        margins = "".join(f"--page-margin-{side}:{value};" for side, value in zip(SIDES, sides, strict=True))
        return (
            f":root{{--accent:{self.accent};--accent-light:{light};--print-font-size:{self.font_size};"
            # 1 at full spacing, 0 on a page tightened to fit max_pages (tables keep tight rows there)
            f"--spacing:{self.spacing:g};--full-spacing:{int(self.spacing >= 1)};{margins}}}\n"
            f"@page{{size:{self.page_size};margin:{self.margin}}}"
        )


def lighten(color: str, amount: float) -> str:
    """A hex colour mixed with white, like Typst's `lighten`; named colours stay as they are."""
    digits = color.lstrip("#")
    if not color.startswith("#") or len(digits) not in (3, 6):
        return color
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    channels = (int(digits[i : i + 2], 16) for i in (0, 2, 4))
    return "#" + "".join(f"{round(c + (255 - c) * amount):02x}" for c in channels)


def build_html(doc: Document, ctx: RenderContext) -> str:
    """The whole page as text; also the input of the WeasyPrint engine. A page made before from
    the same inputs (`watch`, after a save that changed nothing this document shows) is reused."""
    from cvbuild.targets.base import font_files

    settings = Settings.from_options(doc.options)
    stylesheet = theme_stylesheet(ctx)
    fonts = font_files(ctx)
    key = page_key(doc, ctx, stylesheet, fonts)
    kept: dict[tuple[Any, ...], tuple[str, Any]] = ctx.cache.setdefault("html.pages", {})
    hit = kept.get(key) if key is not None else None
    if hit is not None:
        from cvbuild.targets.jinja import templates_current

        if templates_current(ctx.theme, hit[1]):
            return hit[0]
    page, used = _build(doc, ctx, settings, stylesheet, fonts)
    if key is not None:
        if len(kept) >= MAX_KEPT_PAGES:
            kept.clear()
        kept[key] = (page, used)
    return page


MAX_KEPT_PAGES = 8  # one a document and theme: a profile's variants, or the last few edits


def page_key(doc: Document, ctx: RenderContext, stylesheet: str, fonts: list[Path]) -> tuple[Any, ...] | None:
    """Everything a page is made from but the templates, which `templates_current` checks: the
    Document (its JSON, exact for every field but the free-form `options`, which its repr makes
    exact: a tuple is not a list there, nor 1 a 1.0 or True), the theme chain, the stylesheets'
    text and the font files (by `file_stamp`, as their subsets are kept). None: not to be kept."""
    from cvbuild.targets.base import dumped

    stamps = tuple((path, file_stamp(path)) for path in fonts)
    if any(stamp is None for _, stamp in stamps):
        return None
    return (tuple(ctx.theme.chain), dumped(doc, ctx.cache), repr(doc.options), stylesheet, stamps)


def _build(
    doc: Document, ctx: RenderContext, settings: Settings, stylesheet: str, fonts: list[Path]
) -> tuple[str, Any]:
    """The page, and the templates it was made from."""
    from markupsafe import Markup

    from cvbuild.targets import webfonts
    from cvbuild.targets.jinja import environment, render_template

    option_css = settings.css()
    loader = environment(ctx, autoescape=True).loader
    loader.used.clear()
    faces = theme_faces(fonts, ctx.cache)
    page_families = (settings.font, *settings.fallbacks)

    def text_em(text: str, weight: int = 400) -> float:
        """For templates: how wide `text` is in the page's fonts, in em (a name fitted to a band)."""
        return webfonts.text_em(faces, page_families, str(text), int(weight))

    page = render_template(
        TEMPLATE,
        doc,
        ctx,
        autoescape=True,
        stylesheet=Markup(stylesheet),
        option_css=Markup(option_css),
        font_faces=Markup(FONT_SLOT),
        json_ld=Markup(json_ld(doc, settings.show_email)),
        show_email=settings.show_email,
        text_em=text_em,
    )
    used = dict(loader.used)
    text = webfonts.page_text(page, stylesheet + option_css + webfonts.template_css(page, stylesheet, option_css))
    try:
        wide = doc.meta.locale.replace("-", "_").split("_")[0].lower() in ("zh", "ja")
        parts = webfonts.plan_fonts(faces, settings.font, settings.fallbacks, text, wide_quotes=wide)
    except LookupError:
        families = ", ".join(sorted({f.family for f in faces}))
        message = f"theme option font={settings.font!r}: no such font in the theme; bundled: {families}"
        raise InputError(message) from None
    faces_css = font_faces(parts, ctx.cache)
    # The mono part holds every character of <code>, those its font lacks too (an emoji)
    uncovered = text.chars - frozenset().union(*(p.chars for p in parts if p.css_family != webfonts.MONO))
    if uncovered:
        faces_css += "\n" + webfonts.last_resort_css(uncovered)
    return page.replace(FONT_SLOT, faces_css), used


MAX_KEPT_SUBSETS = 64  # `watch` keeps ctx.cache for hours
MAX_KEPT_FACE_LISTS = 8  # one a theme (a font changed: another)
SETTLED_NS = 2_000_000_000  # a file changed this recently is never served from a cache


def file_stamp(path: Path) -> tuple[int, ...] | None:
    """What identifies a file's content without reading it: any write changes its ctime (which
    no program can set back) or size; a rename gives another inode. The CJK fonts are 33 MB,
    too much to hash on every `watch` build. As git does for its index ("racy git"), a file
    changed in the last seconds gets None: a second write within the file system's clock tick
    could leave the stamp as it was, so such a file is not looked up in, nor kept in, a cache."""
    import time

    st = path.stat()
    if time.time_ns() - max(st.st_mtime_ns, st.st_ctime_ns) < SETTLED_NS:
        return None
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def theme_faces(paths: list[Path], cache: dict[Any, Any]) -> list[Any]:
    """`webfonts.read_faces`, kept in `cache` while every font file keeps its `file_stamp`."""
    from cvbuild.targets import webfonts

    stamps = tuple((path, file_stamp(path)) for path in paths)
    kept: dict[tuple[Any, ...], list[Any]] = cache.setdefault("html.faces", {})
    faces = kept.get(stamps)
    if faces is None:
        faces = webfonts.read_faces(paths)
        if all(stamp is not None for _, stamp in stamps):
            if len(kept) >= MAX_KEPT_FACE_LISTS:
                kept.clear()
            kept[stamps] = faces
    return list(faces)


def font_faces(parts: list[Any], cache: dict[Any, Any]) -> str:
    """`webfonts.font_face_css`, with each face's subset kept in `cache` (`watch` keeps it across
    builds: subsetting is ~30 ms of an HTML build, and an edit rarely brings a new character), and
    the page's rules kept between runs (`face_cache`). Keyed by the font file (`file_stamp`), the
    characters and the layout features."""
    from cvbuild.targets import face_cache, webfonts

    kept: dict[tuple[Any, ...], str] = cache.setdefault("html.font_faces", {})
    faces = [(part, face, file_stamp(face.path)) for part in parts for face in part.faces]
    keys = [(part.css_family, face, stamp, part.chars, part.features) for part, face, stamp in faces]
    disk = None
    if all(stamp is not None for _, _, stamp in faces) and not all(key in kept for key in keys):
        disk = face_cache.entry_key(
            [
                (
                    part.css_family,
                    str(face.path),
                    face.family,
                    face.weight,
                    face.italic,
                    stamp,
                    _in_order(part.chars),
                    part.features,
                )
                for part, face, stamp in faces
                if stamp is not None
            ]
        )
        text = face_cache.load(disk)
        if text is not None:
            return text
    rules = []
    for (part, face, stamp), key in zip(faces, keys, strict=True):
        rule = kept.get(key) if stamp is not None else None
        if rule is None:
            rule = webfonts.face_css(part.css_family, face, webfonts.subset(face.path, part.chars, part.features))
            if stamp is not None:
                if len(kept) >= MAX_KEPT_SUBSETS:
                    kept.clear()
                kept[key] = rule
        rules.append(rule)
    text = "\n".join(rules)
    if disk is not None:
        face_cache.store(disk, text)
    return text


def _in_order(chars: frozenset[str]) -> str:
    """A set of characters as text, the same in every process (a set's order is not)."""
    return "".join(sorted(chars))


def stylesheet_path(ctx: RenderContext) -> Path:
    """The theme's style.css, the nearest along the chain; relative URLs in it start here."""
    path = ctx.theme.find(STYLESHEET)
    if path is None:
        raise RenderError(f"theme {ctx.theme.name!r} has no {STYLESHEET}")
    return path


def theme_stylesheet(ctx: RenderContext) -> str:
    """The theme's style.css (its look), then every base.css along the chain, root first: the
    responsive and print structure comes last so that it wins over the look's rules at equal
    specificity, and a child's base.css adds to its parents' instead of having to repeat them."""
    return "\n".join(css for _, css in stylesheet_parts(ctx))


def stylesheet_parts(ctx: RenderContext) -> list[tuple[Path, str]]:
    """The files of `theme_stylesheet`, in its order, each with its text; read and checked once
    a build (the page and the target's warnings both ask, ~4 ms each for the base theme). A build
    loads its Theme anew, so `watch` reads the files again after each save."""
    from cvbuild.targets.base import _once

    return list(_once(ctx.cache, "html.stylesheets", ctx.theme, lambda: _stylesheet_parts(ctx)))


def _stylesheet_parts(ctx: RenderContext) -> tuple[tuple[Path, str], ...]:
    bases = [folder / BASE_STYLESHEET for folder in reversed(ctx.theme.chain)]
    paths = [stylesheet_path(ctx), *(p for p in bases if os.path.lexists(p))]
    parts: list[tuple[Path, str]] = []
    for path in paths:
        css = ctx.theme.read(path)
        at = css.lower().find("</style")
        if at >= 0:  # it would end the inline <style> element early
            line, col = css.count("\n", 0, at) + 1, at - css.rfind("\n", 0, at)
            raise theme_failure(ctx.theme, f"{path}:{line}:{col}: a stylesheet may not contain '</style'")
        # cvbuild's own stylesheets: tests check each (~1 ms a file to ask)
        folder = (parts[0][0] if parts else path).parent
        problem = None if builtin_stylesheet(path) else reference_problem(css, folder) or brace_problem(css)
        if problem is not None:
            at, message = problem
            line, col = css.count("\n", 0, at) + 1, at - css.rfind("\n", 0, at)
            raise theme_failure(ctx.theme, f"{display_path(path)}:{line}:{col}: {message}")
        parts.append((path, css))
    return tuple(parts)


def builtin_stylesheet(path: Path) -> bool:
    """A stylesheet of cvbuild's built-in themes: what a theme author is told about their own
    stylesheets (`reference_problem`, `brace_problem`, `unbundled_families`) is checked for
    these by the tests (tests/test_html.py), not at each render."""
    from cvbuild.themes.places import builtin_themes_dir

    return path.resolve().is_relative_to(builtin_themes_dir().resolve())


# A comment, or a string (kept: a comment's /* inside a string is text); CSS strings end at a line break.
_CSS_COMMENT_OR_STRING = re.compile(r"""/\*.*?(?:\*/|$)|"(?:[^"\\\n]|\\.)*"?|'(?:[^'\\\n]|\\.)*'?""", re.S)
_URL_OPENING = re.compile(r"\burl\(\s*$", re.I)
_CSS_REFERENCE = re.compile(r"""@import\b|\burl\(\s*(?:"([^"]*)"|'([^']*)'|([^)\s]*))""", re.I)
_STYLESHEETS = "cvbuild puts style.css and each base.css into the page, which loads no other stylesheet"


def _blanked(match: re.Match[str], css: str) -> str:
    """A comment, or a string that is no url()'s argument (`content: "url(x)"` is text), as spaces
    (line breaks kept, so places stay); a url("...")'s string as it is."""
    if match[0][0] in "\"'" and _URL_OPENING.search(unescaped_css(css[max(0, match.start() - 64) : match.start()])[0]):
        return match[0]  # after `url(`, escaped or not
    return re.sub(r"[^\n]", " ", match[0])


def reference_problem(css: str, folder: Path) -> tuple[int, str] | None:
    """(offset, message) of the first reference in a theme stylesheet that cannot work: an `@import`
    (the page loads no stylesheet: its rules never applied, silently), a URL on the network, or a
    theme file that does not exist (WeasyPrint skipped it with a warning that named no line)."""
    blanked = _CSS_COMMENT_OR_STRING.sub(lambda m: _blanked(m, css), css)  # places kept
    # CSS escapes read as the characters they name, in names and URLs alike: `\75 rl(` is `url(`
    # and `@\69mport` is `@import` to WeasyPrint and to a browser.
    read, places = unescaped_css(blanked)
    for match in _CSS_REFERENCE.finditer(read):
        at = places[match.start()]
        spelt = (
            "" if read[match.start() : match.end()] == css[at : places[match.end()]] else " (spelt with CSS escapes)"
        )
        if match[0].lower() == "@import":
            return at, f"@import{spelt}: {_STYLESHEETS}, so its rules would never apply; copy them into style.css"
        target = next((g for g in match.groups() if g is not None), "").strip()
        scheme = re.match(r"([a-zA-Z][a-zA-Z0-9+.-]*):", target)
        if not target or target.startswith("#") or (scheme and scheme[1].lower() == "data"):
            continue
        if scheme:
            return at, (
                f"url({target}){spelt}: the page loads nothing from the network; put the file in the theme "
                "(fonts in fonts/, named by the font option) or write it as a data: URL"
            )
        name = target.split("?")[0].split("#")[0]
        if not (folder / name).is_file() and not (folder / unquote(name)).is_file():  # %20: WeasyPrint decodes
            return at, (
                f"url({target}){spelt}: no such file in the theme ({display_path(folder / target)}); add it there, "
                "or write it as a data: URL (the HTML page shows only data: images; WeasyPrint also reads theme files)"
            )
    return None


# A comment, a string, an escape (`\{` is a character) or a brace.
_CSS_BRACE = re.compile(r"""/\*.*?(?:\*/|\Z)|"(?:[^"\\\n]|\\.)*"?|'(?:[^'\\\n]|\\.)*'?|\\.|[{}]""", re.S)


def brace_problem(css: str) -> tuple[int, str] | None:
    """(offset, message) of a `{` never closed or a `}` that closes nothing. A browser reads
    every rule after an unclosed `{` inside it, and drops the rule after a stray `}`: the page
    quietly lost part of its look, and only WeasyPrint said anything, of a later line."""
    if css.count("{") == css.count("}"):  # the usual case, without the scan (~7 ms a page)
        return None
    opened: list[int] = []
    for match in _CSS_BRACE.finditer(css):
        if match[0] == "{":
            opened.append(match.start())
        elif match[0] == "}":
            if not opened:
                return match.start(), "this '}' closes no '{', so the rule after it is dropped; remove it"
            opened.pop()
    if opened:
        return opened[-1], (
            "this '{' is never closed, so every rule after it is read inside it; close it with '}' where its rule ends"
        )
    return None


# ---- font families: the page has only its embedded fonts ----------------------------------------

UNBUNDLED = (
    "font-family {family!r}: the page embeds no such font, so each reader's machine shows its own (or none); "
    "name the theme's fonts: cv-main (the font option), cv-fallback-1 to cv-fallback-4 (fallback_fonts) and "
    "cv-mono, with a generic family such as serif last"
)
# Names any page may use: the embedded fonts, CSS's generic families and its keywords.
_PAGE_FAMILIES = {"cv-main", "cv-mono", "cv-fallback-1", "cv-fallback-2", "cv-fallback-3", "cv-fallback-4"}
_GENERIC_FAMILIES = {
    *("serif", "sans-serif", "monospace", "cursive", "fantasy", "system-ui", "math", "emoji", "fangsong"),
    *("ui-serif", "ui-sans-serif", "ui-monospace", "ui-rounded", "inherit", "initial", "unset", "revert"),
    "revert-layer",
}
_FONT_FACE_RULE = re.compile(r"@font-face\s*\{[^}]*\}?", re.I)
_FONT_FAMILY = re.compile(r"(?<![\w-])font-family\s*:([^;{}]*)", re.I)
_FAMILY_ITEM = re.compile(r"""\s*("[^"]*"?|'[^']*'?|[^,]*)\s*(?:,|$)""")


def unbundled_families(css: str) -> list[tuple[int, str]]:
    """(offset, name) of the first family of each `font-family` in a theme stylesheet that the
    HTML page has no font for: not one of the page's embedded fonts, a family the stylesheet's
    own @font-face rules declare, a generic family or a keyword. A browser would draw it with
    the reader's own font of that name, where there is one. The WeasyPrint PDF knows no font but
    the page's, so there the name only falls through to the next."""
    kept = _CSS_COMMENT_OR_STRING.sub(lambda m: m[0] if m[0][0] in "\"'" else _spaces(m[0]), css)  # strings kept
    blanked = _CSS_COMMENT_OR_STRING.sub(lambda m: _spaces(m[0]), css)  # ... and blanked: same places
    faces = [(m.start(), m.end()) for m in _FONT_FACE_RULE.finditer(blanked)]
    declarations = [
        (any(a <= m.start() < b for a, b in faces), _families(kept[m.start(1) : m.end(1)], m.start(1)))
        for m in _FONT_FAMILY.finditer(blanked)
    ]
    declared = {name.lower() for in_face, families in declarations if in_face for _, name in families}
    found = []
    for in_face, families in declarations:
        if in_face or any(re.match(r"(?:var|env)\(", name, re.I) for _, name in families):
            continue  # a face's own name, or a value only the page's variables say
        for at, name in families:
            if name.lower() not in _PAGE_FAMILIES | _GENERIC_FAMILIES | declared:  # CSS matches names so
                found.append((at, name))
                break
    return found


def _spaces(text: str) -> str:
    return re.sub(r"[^\n]", " ", text)


def _families(value: str, start: int) -> list[tuple[int, str]]:
    """Each family of a `font-family` value, with its offset: a quoted name as written, an
    unquoted one with its spaces made one, escapes read."""
    read, places = unescaped_css(re.sub(r"!\s*important\s*$", "", value, flags=re.I))
    out = []
    for m in _FAMILY_ITEM.finditer(read):
        item = m[1].strip()
        if item:
            name = item[1:].rstrip(item[0]) if item[0] in "\"'" else " ".join(item.split())
            out.append((start + places[m.start(1)], name))
        if m.end() >= len(read):
            break
    return out


# A CSS escape (CSS Syntax 4.3.7): up to six hex digits and one optional white space after them,
# or any other character but a line break, which stands for itself.
_CSS_ESCAPE = re.compile(r"\\(?:([0-9a-fA-F]{1,6})(?:\r\n|[ \t\n\r\f])?|([^\n\r\f0-9a-fA-F]))")


def unescaped_css(css: str) -> tuple[str, list[int]]:
    """The text with every escape read as its character, and for each of its offsets (and its
    end) the offset in `css` it came from."""
    out: list[str] = []
    places: list[int] = []
    last = 0
    for match in _CSS_ESCAPE.finditer(css):
        out.append(css[last : match.start()])
        places.extend(range(last, match.start()))
        code = int(match[1], 16) if match[1] else ord(match[2])
        out.append(chr(code) if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else "\ufffd")
        places.append(match.start())
        last = match.end()
    out.append(css[last:])
    places.extend(range(last, len(css) + 1))
    return "".join(out), places


# ---- JSON-LD ----------------------------------------------------------------------------

_JSON_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def json_ld(doc: Document, show_email: str) -> str:
    """schema.org Person, safe inside <script>: no `<`, `>` or `&` survives, so `</script>` in any
    field stays data. The e-mail is left out unless it is shown in plain."""
    p = doc.person
    data: dict[str, Any] = {"@context": "https://schema.org", "@type": "Person", "name": p.name}
    optional: list[tuple[str, Any]] = [
        ("alternateName", p.native_name),
        ("jobTitle", plain(p.headline) if p.headline else None),
        ("description", _summary(doc)),
        ("email", p.email if show_email == "plain" else None),
        ("telephone", p.phone),
        ("url", p.website.url if p.website else None),
        ("sameAs", [link.url for link in p.links] or None),
        ("address", {"@type": "PostalAddress", "addressLocality": p.location} if p.location else None),
        ("knowsAbout", list(doc.meta.keywords) or None),
    ]
    data.update((k, v) for k, v in optional if v)
    text = json.dumps(data, ensure_ascii=False, indent=1)
    return _escape_json(text)


def _escape_json(text: str) -> str:
    return re.sub("[<>&\u2028\u2029]", lambda m: _JSON_ESCAPES[m.group()], text)


def _summary(doc: Document) -> str | None:
    for section in doc.sections:
        entries = section.groups[0].entries if section.kind == "text" and section.groups else []
        if entries and isinstance(entries[0], Entry):
            return plain(entries[0].summary) or None
    return None
