"""Web fonts for the HTML page: the bundled faces a page uses, subset to its characters.

HarfBuzz (through uharfbuzz) reads each face's family, weight and slant and subsets it in
milliseconds, even the 16 MB CJK font; fontTools needs 0.1-0.3 s per CFF face. The subsets are
embedded as plain OpenType: WOFF2 would halve their bytes, but fontTools can only compress them at
Brotli quality 11, ~75 ms per face, more than the rest of the page costs. Subsetting is
deterministic, so a page always embeds the same bytes.
"""

from __future__ import annotations

import base64
import binascii
import html
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import uharfbuzz as hb

from cvbuild.themes.fonts import font_coverage, is_cjk

# CSS family names the themes' stylesheets use. They are unique, so no installed font can answer
# for them: the page looks the same everywhere, and WeasyPrint never falls back to system fonts.
MAIN, MONO = "cv-main", "cv-mono"
FALLBACK_CSS = ("cv-fallback-1", "cv-fallback-2", "cv-fallback-3", "cv-fallback-4")
DEFAULT_FALLBACKS = ("Noto Sans CJK SC", "DejaVu Sans")  # as the Typst themes use them
MONO_FAMILY = "DejaVu Sans Mono"

# OpenType features a stylesheet can switch on, kept only when it does: HarfBuzz keeps the
# defaults (kern, liga, ...), and small caps alone would add ~20 % to a face.
CSS_FEATURES = {
    "small-caps": (b"smcp",),
    "all-small-caps": (b"smcp", b"c2sc"),
    "oldstyle-nums": (b"onum",),
    "lining-nums": (b"lnum",),
    "tabular-nums": (b"tnum",),
    "proportional-nums": (b"pnum",),
}


@dataclass(frozen=True)
class Face:
    path: Path
    family: str
    weight: int
    italic: bool


@dataclass(frozen=True)
class PageText:
    """What a page shows: its characters, those inside <code>, the weights CSS asks for, italics."""

    chars: frozenset[str]
    code_chars: frozenset[str]
    weights: frozenset[int]
    italic: bool
    features: tuple[bytes, ...] = ()


@dataclass(frozen=True)
class Part:
    """One CSS family of the page: the faces that serve it and the characters they must hold."""

    css_family: str
    faces: tuple[Face, ...]
    chars: frozenset[str]
    features: tuple[bytes, ...] = ()


# ---- faces ------------------------------------------------------------------------------


def read_faces(paths: Iterable[Path]) -> list[Face]:
    """Family, weight and slant from each font's own tables, so themes need no font list."""
    faces = []
    for path in paths:
        if path.suffix.lower() not in (".otf", ".ttf"):
            continue
        face = hb.Face(hb.Blob.from_file_path(str(path)), 0)
        if not face.glyph_count or not {"name", "OS/2"} <= set(face.table_tags):
            continue  # not an sfnt font, or one without the tables that name and weigh it
        family = face.get_name(hb.OTNameIdPredefined.TYPOGRAPHIC_FAMILY) or face.get_name(
            hb.OTNameIdPredefined.FONT_FAMILY
        )
        font = hb.Font(face)
        weight = int(font.get_style_value(hb.StyleTag.WEIGHT))  # OS/2 usWeightClass
        italic = bool(font.get_style_value(hb.StyleTag.ITALIC))  # OS/2 fsSelection or head macStyle
        faces.append(Face(path, family or path.stem, weight, italic))
    return faces


def family_faces(faces: Sequence[Face], family: str) -> list[Face]:
    return [f for f in faces if f.family.casefold() == family.casefold()]


def pick_faces(faces: Sequence[Face], weights: Iterable[int], italic: bool) -> list[Face]:
    """The faces CSS font matching would pick for these weights, upright and (if used) italic."""
    chosen: set[Face] = set()
    for slant in (False, True) if italic else (False,):
        pool = [f for f in faces if f.italic == slant] or list(faces)
        for w in weights:
            chosen.add(min(pool, key=lambda f: (abs(f.weight - w), f.weight < w if w > 400 else f.weight > w)))
    return sorted(chosen, key=lambda f: (f.italic, f.weight, f.path.name))


def regular(faces: Sequence[Face]) -> Face:
    return min(faces, key=lambda f: (f.italic, abs(f.weight - 400), f.path.name))


def text_em(faces: Sequence[Face], families: Sequence[str], text: str, weight: int = 400) -> float:
    """How wide `text` is set upright at `weight`, in em: each character in the first of `families`
    that has it (as the page's fonts are planned), advances as HarfBuzz shapes them, kerning
    included. A character no family has counts 1 em. For a theme that fits a line to a width."""
    fonts = []
    for family in families:
        members = family_faces(faces, family)
        if members:
            face = hb.Face(hb.Blob.from_file_path(str(pick_faces(members, [weight], False)[0].path)), 0)
            fonts.append((hb.Font(face), face.upem))
    width = 0.0
    runs: list[tuple[int, str]] = []  # (font index, characters), consecutive characters of one font
    for ch in text:
        index = next((i for i, (font, _) in enumerate(fonts) if font.get_nominal_glyph(ord(ch))), None)
        if index is None:
            width += 1.0
        elif runs and runs[-1][0] == index:
            runs[-1] = (index, runs[-1][1] + ch)
        else:
            runs.append((index, ch))
    for index, chars in runs:
        font, upem = fonts[index]
        buf = hb.Buffer()
        buf.add_str(chars)
        buf.guess_segment_properties()
        hb.shape(font, buf)
        width += sum(pos.x_advance for pos in buf.glyph_positions) / upem
    return width


# ---- the page ---------------------------------------------------------------------------

_WEIGHT_RE = re.compile(r"font-weight\s*:\s*(\d{3}|bold)", re.I)
_ITALIC_RE = re.compile(r"font-style\s*:\s*(?:italic|oblique)|<(?:em|i|cite|var|dfn)\b", re.I)
# Always present: digits and punctuation also appear through list markers and page counters.
ASCII = frozenset(chr(c) for c in range(0x20, 0x7F))
# Drawn by the engine, not written in the page: list bullets, the hyphen of `hyphens: auto`.
GENERATED = frozenset("\u2022\u25e6\u25aa\u2010\u00a0")
_HIDDEN = ("script", "style", "title")
_CODE = ("code", "kbd", "samp", "pre")


# The page is cvbuild's own output, escaped by Jinja, so a regular reading of it is exact (a test
# holds it to html.parser's reading of every built-in theme's pages) and ~10x faster: the text is
# what is left when hidden elements, comments and tags are taken out and references resolved.
# A tag starts as html.parser's does (`<` and a letter, `</`, `<!`, `<?`); quoted values may hold
# `>`. The patterns are unrolled (runs of ordinary characters taken whole), so they do not step
# through the page a character at a time.
_ATTRS = r"""[^>"']*(?:(?:"[^"]*"|'[^']*')[^>"']*)*"""
_TAG = rf"<(?:/?[A-Za-z]{_ATTRS}|!--.*?--|![^>]*|\?[^>]*)>"
_NOT_TEXT = re.compile(rf"<({'|'.join(_HIDDEN)})\b[^>]*>[^<]*(?:<(?!/\1)[^<]*)*</\1\s*>|{_TAG}", re.I | re.S)
_CODE_RUN = re.compile(rf"<({'|'.join(_CODE)})\b{_ATTRS}>(.*?)</\1\s*>", re.I | re.S)


def _text(markup: str) -> str:
    return html.unescape(_NOT_TEXT.sub("", markup))


def map_text(page: str, change: Callable[[str], str]) -> str:
    """The page with `change` applied to each run of its text (as written, references and all),
    never to a tag, an attribute, a comment or what <script>, <style> and <title> hold."""
    return map_between(page, _NOT_TEXT, change)


def map_between(text: str, skip: re.Pattern[str], change: Callable[[str], str]) -> str:
    """`text` with `change` applied to each stretch between the matches of `skip`, which stay."""
    out, at = [], 0
    for match in skip.finditer(text):
        out += [change(text[at : match.start()]), match[0]]
        at = match.end()
    out.append(change(text[at:]))
    return "".join(out)


def page_text(page: str, css: str) -> PageText:
    """Everything the page can draw; both cases of each letter, for `text-transform` in themes."""
    text = _text(page)
    code = frozenset("".join(_text(m[2]) for m in _CODE_RUN.finditer(page)))
    weights = {400, 700} | {700 if w.lower() == "bold" else int(w) for w in _WEIGHT_RE.findall(css)}
    # `word in css` first: the pattern alone is tried at every position of the stylesheet (~3 ms)
    features = {
        tag for word, tags in CSS_FEATURES.items() if word in css and re.search(rf"\b{word}\b", css) for tag in tags
    }
    return PageText(
        chars=drawn_chars(text + _generated(text, _CSS_COMMENT.sub("", css))),
        code_chars=code | ASCII if code else frozenset(),
        weights=frozenset(weights),
        italic=bool(_ITALIC_RE.search(css) or _ITALIC_RE.search(page)),
        features=tuple(sorted(features)),
    )


def _generated(text: str, css: str) -> str:
    """What the stylesheet (its comments taken out: their examples, "项目（", "영 / 향에", would put
    the CJK font into every Latin page) may draw as generated `content`, such as separators, its
    escapes decoded: classic's `"\00a0\00b7"` was read as written, its · was in no subset, and
    WeasyPrint drew it in a system font (a browser in whatever font came next). An escaped CJK
    character (`:lang(zh)`'s "\ff0c") counts only on a page that draws CJK text already."""
    decoded = _CSS_ESCAPE.sub(_unescape, css)
    if decoded == css or any(is_cjk(c) for c in set(text)):  # each character once: a long page's text
        return decoded
    return "".join(c for c in set(decoded) - set(css) if not is_cjk(c)) + css


_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_STYLE = re.compile(r"<style\b[^>]*>(.*?)</style\s*>", re.I | re.S)
_CSS_ESCAPE = re.compile(r"\\([0-9A-Fa-f]{1,6})[ \t\n]?")


def template_css(page: str, *stylesheets: str) -> str:
    """The CSS the page's template wrote into its <style> besides the theme's `stylesheets`, its
    escapes decoded: the @page footer (the name, the locale's `page_of`, the date line), which
    css_string writes as hex escapes and WeasyPrint draws in the page margins. Without its
    characters in the subsets, WeasyPrint drew a .notdef box for the 페 of Korean's "페이지"."""
    own = "".join(m[1] for m in _STYLE.finditer(page))
    for sheet in stylesheets:
        if sheet:
            own = own.replace(sheet, "")
    return _CSS_ESCAPE.sub(_unescape, own)


def _unescape(match: re.Match[str]) -> str:
    code = int(match[1], 16)
    return chr(code) if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else ""


def drawn_chars(text: str) -> frozenset[str]:
    """The printable characters of `text` in both cases (for `text-transform`), with ASCII and
    what the engine draws by itself."""
    chars = set(ASCII | GENERATED)
    for ch in set(text):
        if ch.isprintable():
            chars.update(c for c in (ch, ch.upper(), ch.lower()) if len(c) == 1)
    return frozenset(chars)


# Quotation marks Chinese and Japanese set full-width, from the CJK font: a Latin font's are narrow
# and hug the characters (“大模型推理”), which a reader of either notices.
WIDE_QUOTES = frozenset("“”‘’")


def plan_fonts(
    faces: Sequence[Face], main: str, fallbacks: Sequence[str], page: PageText, *, wide_quotes: bool = False
) -> list[Part]:
    """Each character goes to the first family that has it: the main font, then the fallbacks in
    order. A CJK family takes only CJK characters, so Latin pages never carry it; with
    `wide_quotes` (a Chinese or Japanese page) it takes the quotation marks too, when it has them."""
    main_faces = family_faces(faces, main)
    if not main_faces:
        raise LookupError(main)
    covered = set(font_coverage(regular(main_faces).path).covered(page.chars))
    quotes = covered & WIDE_QUOTES if wide_quotes and any("cjk" in f.casefold() for f in fallbacks) else set()
    covered -= quotes
    rest = set(page.chars) - covered
    parts = []
    for css_family, family in zip(FALLBACK_CSS, fallbacks, strict=False):
        members = family_faces(faces, family)
        if not rest or not members:
            continue
        wanted = {c for c in rest if is_cjk(c) or c in quotes} if "cjk" in family.casefold() else rest - quotes
        coverage = font_coverage(regular(members).path)
        got = coverage.covered(wanted)
        if got:
            chosen = tuple(pick_faces(members, page.weights, False))
            # Pango draws the space or comma after "中文" or "😀" in that run's font: without them in
            # the fallback's subset, WeasyPrint drew a .notdef box there ("中文 text")
            shared = coverage.covered(ASCII | GENERATED)
            parts.append(Part(css_family, chosen, frozenset(got | shared), page.features))
            rest -= got
    covered |= quotes & rest  # no CJK font of the theme had them: the main font's, as before
    main_part = Part(MAIN, tuple(pick_faces(main_faces, page.weights, page.italic)), frozenset(covered), page.features)
    parts.insert(0, main_part)
    mono = family_faces(faces, MONO_FAMILY)
    if page.code_chars and mono:
        parts.append(Part(MONO, (regular(mono),), page.code_chars))
    return parts


# ---- subsetting and CSS ------------------------------------------------------------------


def subset(path: Path, chars: Iterable[str], features: Iterable[bytes] = ()) -> bytes:
    """The face cut down to these characters, with HarfBuzz's default layout features (kern, liga,
    calt, mark, ...) plus the requested ones. No hinting: it means little on screen and costs bytes."""
    face = hb.Face(hb.Blob.from_file_path(str(path)), 0)
    plan = hb.SubsetInput()
    plan.unicode_set.update(sorted(ord(c) for c in chars))
    plan.layout_feature_tag_set.update(int.from_bytes(tag, "big") for tag in features)
    plan.flags = hb.SubsetFlags.NO_HINTING  # CFF stays subroutinized: smaller, and not compressed
    data: bytes = hb.subset(face, plan).blob.data
    return data


def face_css(css_family: str, face: Face, data: bytes) -> str:
    encoded = base64.b64encode(data).decode("ascii")
    style = "italic" if face.italic else "normal"
    mime, fmt = ("font/otf", "opentype") if data[:4] == b"OTTO" else ("font/ttf", "truetype")
    return (
        f'@font-face{{font-family:"{css_family}";font-weight:{face.weight};font-style:{style};'
        f'font-display:swap;src:url(data:{mime};base64,{encoded}) format("{fmt}")}}'
    )


def font_face_css(parts: Sequence[Part]) -> str:
    """Every @font-face rule of the page, one line each."""
    return "\n".join(
        face_css(part.css_family, face, subset(face.path, part.chars, part.features))
        for part in parts
        for face in part.faces
    )


LAST_RESORT_CSS = "cv-last-resort"


def last_resort_css(chars: Iterable[str]) -> str:
    """The @font-face of `last_resort.font_for(chars)`, for characters no font of the page has
    (an emoji). No stylesheet names its family, so a browser never uses it and draws such a
    character as it can; WeasyPrint hands every @font-face to Fontconfig, whose fallback takes it
    for them, and draws a box that reads back as the character (see last_resort)."""
    from cvbuild.targets.last_resort import LAST_RESORT, font_for

    return face_css(LAST_RESORT_CSS, Face(LAST_RESORT, LAST_RESORT_CSS, 400, False), font_for(chars))


# ---- the WeasyPrint engine ----------------------------------------------------------------

# An embedded face as `face_css` writes it: the rule's quoted family name cannot occur in the
# page's text (Jinja escapes `"`, JSON-LD writes `\"`), so a profile's words are never touched.
_EMBEDDED = re.compile(
    r'(@font-face\{font-family:"[^"<>]*";[^{}<>"]*src:)url\(data:(font/(?:otf|ttf));base64,([A-Za-z0-9+/=]*)\)'
)
FONT_SCHEME = "cvbuild-font"


def detach_fonts(page: str) -> tuple[str, dict[str, bytes]]:
    """The page with each embedded face replaced by a short `cvbuild-font:N` URL, and the bytes
    each URL stands for. WeasyPrint's HTML and CSS tokenizers walk a data: URL a character at a
    time (~0.3 s for a page's 250 KB of fonts); a fetcher hands over the same bytes at once."""
    fonts: dict[str, bytes] = {}

    def swap(match: re.Match[str]) -> str:
        try:
            data = base64.b64decode(match[3])
        except binascii.Error:  # not cvbuild's (a theme's own, broken): WeasyPrint judges it
            return match[0]
        url = f"{FONT_SCHEME}:{len(fonts)}"
        fonts[url] = data
        return f"{match[1]}url({url})"

    return _EMBEDDED.sub(swap, page), fonts
