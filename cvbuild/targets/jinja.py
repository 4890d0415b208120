"""Shared Jinja2 machinery: a sandboxed, strict environment over the theme chain, and span filters."""

from __future__ import annotations

import functools
import re
import textwrap
import time
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from markupsafe import Markup, escape

from cvbuild.document.inline import script_chars
from cvbuild.document.model import Author, Document, Span
from cvbuild.schema.fields import ALLOWED_SCHEMES, url_scheme
from cvbuild.targets.base import RenderContext, _once, over_time, theme_failure, time_budget
from cvbuild.themes.theme import Theme, is_builtin

# ---- plain text -------------------------------------------------------------------------


def spans_text(runs: Sequence[Span] | None, *, urls: bool = True) -> str:
    """Spans as plain text; an inline link keeps its URL in parentheses."""
    out = []
    for s in runs or []:
        out.append(_script_text(s) if s.sup or s.sub else s.text)
        if urls and s.href and s.href.removeprefix("mailto:") != s.text:
            out.append(f" ({s.href})")
    return "".join(out)


def _script_text(s: Span) -> str:
    """`ᴺ` where Unicode has every character, else `^N` / `_i` (`^(ab)` for several)."""
    chars = script_chars(s.text, sup=s.sup)
    if chars is not None:
        return chars
    return ("^" if s.sup else "_") + (s.text if len(s.text) == 1 else f"({s.text})")


def wrap(text: str, width: int = 80, indent: int = 0, first: int | None = None, keep: Sequence[str] = ()) -> str:
    """Wrap a paragraph; URLs and long words are never broken, so they stay copyable, nor is any
    piece of `keep` (an author's name, a date)."""
    # "M. N." / "Agaras" or "Sep 2021" / "– Aug 2025" read as two things; the PDF never splits them.
    lead = " " * (indent if first is None else first)
    glue = next((chr(c) for c in range(0xE000, 0xF900) if chr(c) not in text), None)  # a private-use character
    pieces = sorted({k for k in keep if " " in k and k in text}, key=len, reverse=True) if glue else []
    for piece in pieces:
        text = text.replace(piece, piece.replace(" ", glue or " "))
    filled = textwrap.fill(
        text,
        width=max(width, indent + 20),
        initial_indent=lead,
        subsequent_indent=" " * indent,
        break_long_words=False,
        break_on_hyphens=False,
    )
    return filled.replace(glue, " ") if pieces and glue else filled


def authors_text(authors: Sequence[Author], mark: Callable[[str], str] = lambda s: s) -> str:
    """`Ada Example*, Bo Li*, et al., Ion Stoica`; `mark` styles the owner for each target."""
    parts = []
    for a in authors:
        if a.etal:  # its name is the Document's word: "et al."
            parts.append(a.name)
            continue
        marks = ("*" if a.equal else "") + ("†" if a.corresponding else "")
        parts.append((mark(a.name) if a.is_owner else a.name) + marks)
    return ", ".join(parts)


# ---- Markdown ---------------------------------------------------------------------------

# Escaped wherever they are: emphasis, code, links, raw HTML, GFM tables, strikethrough and math.
# `&` only where it would start an entity; `!` never (an image needs `[`, which is escaped).
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<|~$]|&(?=#?\w+;))")
# Escaped only at the start of a line, where they would start a block: "3.8/4.0" or "C#" stay as written.
_MD_LINE_START = re.compile(
    r"^([ \t]*)(#{1,6}(?=\s|$)|>|[-+](?=\s|$)|(?:-[ \t]*){3,}$|=+[ \t]*$|\d{1,9}[.)](?=\s|$))", re.M
)
# `#`s after a space at the end of a line close an ATX heading and vanish: "Role #" as a heading's text.
_MD_CLOSING_HASHES = re.compile(r"(?:(?<=[ \t])|^)#(?=#*[ \t]*$)", re.M)


# Characters str.splitlines() breaks on: a line break there could start a list or a heading.
_LINE_BREAKS = str.maketrans(dict.fromkeys("\u2028\u2029\x85\x0b\x0c\x1c\x1d\x1e", " "))


def md_escape(text: str) -> str:
    """Backslash-escape every character that CommonMark could read as structure."""
    text = _MD_SPECIAL.sub(r"\\\1", text.translate(_LINE_BREAKS))
    return _MD_CLOSING_HASHES.sub(r"\\#", _MD_LINE_START.sub(_escape_line_start, text))


def _escape_line_start(m: re.Match[str]) -> str:
    """At the start of a line "- x", "1. x", "> x" and "# x" would become lists, quotes or headings."""
    head = m.group(2)
    if head[-1:] in ".)" and head[:1].isdigit():
        return m.group(1) + head[:-1] + "\\" + head[-1]
    return m.group(1) + "\\" + head


def _md_url(url: str) -> str:
    """A link destination CommonMark reads back as `url`, its parentheses as written (as HTML and
    PDF keep them; percent-encoded, they were another address): balanced ones bare, which
    CommonMark allows (markdown-it up to 32 deep), others backslash-escaped."""
    # a backslash doubled: CommonMark reads `\\_` in a link's target as `_`
    text = url.replace("\\", "\\\\").replace("<", "%3C").replace(">", "%3E").replace(" ", "%20")
    return text if _balanced(url) else text.replace("(", "\\(").replace(")", "\\)")


def _balanced(url: str) -> bool:
    depth = 0
    for c in url:
        depth += {"(": 1, ")": -1}.get(c, 0)
        if not 0 <= depth <= 32:
            return False
    return depth == 0


def _md_wrap(inner: str, marker: str) -> str:
    """Put emphasis markers inside surrounding spaces, where CommonMark accepts them."""
    stripped = inner.strip()
    if not stripped:
        return inner
    lead = inner[: len(inner) - len(inner.lstrip())]
    trail = inner[len(inner.rstrip()) :]
    return f"{lead}{marker}{stripped}{marker}{trail}"


def _md_code(text: str) -> str:
    fence = "`"
    while fence in text:
        fence += "`"
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _italic_marker(before: str, after: str) -> str:
    """`_` between word boundaries (it nests safely inside `**`), `*` inside a word, where `_` cannot."""
    return "_" if not before[-1:].isalnum() and not after[:1].isalnum() else "*"


def _unicode_scripts(runs: Sequence[Span]) -> list[Span]:
    """Superscripts and subscripts that Unicode has become characters of the run before (`Summᴺ`)."""
    out: list[Span] = []
    for s in runs:
        chars = script_chars(s.text, sup=s.sup) if (s.sup or s.sub) and not s.code else None
        if chars is not None:
            s = s.model_copy(update={"text": chars, "sup": False, "sub": False})
        if out and not s.code and out[-1].model_copy(update={"text": s.text}) == s:
            out[-1] = s.model_copy(update={"text": out[-1].text + s.text})
        else:
            out.append(s)
    return out


def spans_md(runs: Sequence[Span] | None) -> str:
    """Spans as CommonMark: text escaped, bold/italic/code marked, links only for allowed schemes."""
    out: list[str] = []
    items = _unicode_scripts(runs or [])
    for i, s in enumerate(items):
        piece = _md_code(s.text) if s.code else md_escape(s.text)
        if s.sup or s.sub:  # no Unicode form: the HTML tag, which CommonMark passes through
            tag = "sup" if s.sup else "sub"
            piece = f"<{tag}>{piece}</{tag}>"
        if s.italic and not s.code:
            after = items[i + 1].text if i + 1 < len(items) else ""
            piece = _md_wrap(piece, _italic_marker(out[-1] if out else "", after))
        if s.bold and not s.code:
            piece = _md_wrap(piece, "**")
        if s.href and url_scheme(s.href) in ALLOWED_SCHEMES:
            piece = f"[{piece}]({_md_url(s.href)})"
        out.append(piece)
    return "".join(out)


def md_strong(runs: Sequence[Span] | None) -> str:
    """Spans inside one bold run (a title): inner bold is dropped, so markers never collide."""
    inner = spans_md([r.model_copy(update={"bold": False}) for r in runs or []])
    return _md_wrap(inner, "**")


def md_link(label: str, url: str) -> str:
    """`[label](url)` with the label escaped and the URL percent-encoded where Markdown would stop."""
    return f"[{md_escape(label)}]({_md_url(url)})"


def authors_md(authors: Sequence[Author], highlight: str = "bold") -> str:
    """An author list in Markdown; the owner bold or underlined as `highlight` says."""

    def mark(name: str) -> str:
        if highlight == "bold":
            return f"**{md_escape(name)}**"
        if highlight == "underline":
            return f"<u>{md_escape(name)}</u>"
        return md_escape(name)

    parts = []
    for a in authors:
        marks = ("\\*" if a.equal else "") + ("†" if a.corresponding else "")
        parts.append(md_escape(a.name) if a.etal else (mark(a.name) if a.is_owner else md_escape(a.name)) + marks)
    return ", ".join(parts)


# ---- HTML -------------------------------------------------------------------------------


def spans_html(runs: Sequence[Span] | None) -> Markup:
    """Spans as escaped HTML with <strong>, <em>, <code> and links (allowed schemes only)."""
    out = []
    for s in runs or []:
        piece = str(escape(s.text))
        if s.code:
            piece = f"<code>{piece}</code>"
        if s.sup or s.sub:
            piece = f"<sup>{piece}</sup>" if s.sup else f"<sub>{piece}</sub>"
        if s.italic:
            piece = f"<em>{piece}</em>"
        if s.bold:
            piece = f"<strong>{piece}</strong>"
        if s.href and url_scheme(s.href) in ALLOWED_SCHEMES:
            piece = f'<a href="{escape(s.href)}">{piece}</a>'
        out.append(piece)
    return Markup("".join(out))


def authors_html(authors: Sequence[Author], highlight: str = "bold") -> Markup:
    """An author list as escaped HTML: the owner in <strong class=owner> (or <u>), marks in <sup>.
    A name never breaks inside: its spaces are no-break spaces, or (a name with a hyphen, CJK, ...)
    it is a <span class=author>, which the base theme sets `white-space: nowrap`."""
    # No-break spaces, as the Typst themes write names, make the plain names and their commas
    # one text run: a printed page lays out a few text boxes per list instead of two per name,
    # which was most of WeasyPrint's cost per publication. The comma before an element (the
    # owner, a span, `et al.`) is a span of its own: a text run must not end in a space where the
    # next box cannot break, or WeasyPrint 70 may break the line after the run's first name.
    tag = {"bold": "strong", "underline": "u"}.get(highlight)
    out = []
    for i, a in enumerate(authors):
        if a.etal:
            piece = f'<span class="etal">{escape(a.name)}</span>'
        else:
            joined = unbreakable_name(a.name)
            name = str(escape(a.name if joined is None else joined))
            if a.is_owner:
                name = f'<{tag} class="owner">{name}</{tag}>' if tag else f'<span class="owner">{name}</span>'
            marks = ("<sup>*</sup>" if a.equal else "") + ("<sup>†</sup>" if a.corresponding else "")
            piece = f"{name}{marks}" if joined is not None else f'<span class="author">{name}{marks}</span>'
        if i:
            out.append("<span>, </span>" if piece.startswith("<") else ", ")
        out.append(piece)
    return Markup("".join(out))


# Characters of a name that offer no line break: letters of the scripts that separate words with
# spaces, combining accents, digits, `.` and apostrophes (UAX #14 classes AL, CM, NU, IS, QU).
_NAME_PUNCT = frozenset(".'’")
_SPACED_SCRIPTS = ("LATIN ", "GREEK ", "CYRILLIC ")


@functools.lru_cache(maxsize=4096)
def unbreakable_name(name: str) -> str | None:
    """`name` with no-break spaces when its single spaces are its only break opportunities,
    else None (hyphens, CJK, Thai, other punctuation, leading, trailing or double spaces)."""
    words = name.split(" ")
    if not all(words):
        return None
    for ch in name:
        if ch == " " or ch in _NAME_PUNCT or ("0" <= ch <= "9") or ("A" <= ch <= "Z") or ("a" <= ch <= "z"):
            continue
        if unicodedata.category(ch) == "Mn":
            continue
        if not (ch.isalpha() and unicodedata.name(ch, "").startswith(_SPACED_SCRIPTS)):
            return None
    return "\u00a0".join(words)


def display_width(text: str) -> int:
    """Columns `text` takes in a monospace terminal: wide (CJK) characters count two, so a heading's
    underline is as long as the heading (`个人简介` takes eight)."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in str(text))


def safe_href(url: str | None) -> str:
    """A link target only if its scheme is allowed, else "" (templates then drop the link)."""
    return url if url and url_scheme(url) in ALLOWED_SCHEMES else ""


_CSS_PLAIN = re.compile(r"[A-Za-z0-9 ,.:;()/_-]")


def css_string(text: str) -> Markup:
    """A quoted CSS string for `content:` in an inline <style>; anything but plain characters
    becomes a 6-digit hex escape, so no value can end the string, the rule or the element. CSS
    takes one space after an escape as its end, so a space there is escaped too: the footer read
    "최종수정2026년11월28일" for "최종 수정 2026년 11월 28일"."""
    out: list[str] = []
    for ch in str(text):
        plain = _CSS_PLAIN.fullmatch(ch) and not (ch == " " and out and out[-1].startswith("\\"))
        out.append(ch if plain else f"\\{ord(ch):06x}")
    return Markup(f'"{"".join(out)}"')


def css_page_counter(pattern: str) -> Markup:
    """`Page {page} of {pages}` (the locale's `page_of`) as CSS `content:` for an @page margin box:
    `"Page " counter(page) " of " counter(pages)`; every piece of text is a css_string."""
    counters = {"{page}": "counter(page)", "{pages}": "counter(pages)"}
    parts = [p for p in re.split(r"(\{pages?\})", str(pattern)) if p]
    return Markup(" ".join(counters.get(p) or str(css_string(p)) for p in parts))


# ---- environment ------------------------------------------------------------------------

FILTERS: dict[str, Callable[..., Any]] = {
    "text": spans_text,
    "wrap": wrap,
    "authors_text": authors_text,
    "md": spans_md,
    "md_strong": md_strong,
    "md_escape": md_escape,
    "md_link": md_link,
    "authors_md": authors_md,
    "html": spans_html,
    "authors_html": authors_html,
    "href": safe_href,
    "css_string": css_string,
    "css_page_counter": css_page_counter,
    "display_width": display_width,
}


# A template the renders read: its name, the file that name found in the theme chain, its text.
Used = dict[str, tuple[Path, str]]


def theme_loader(theme: Theme) -> Any:
    """A Jinja loader over the theme chain that reads only regular files resolving inside it:
    a template (or an include) that is a link to /etc/passwd, or a FIFO, is refused. Its `used`
    collects every template the renders since it was last cleared read (see `templates_current`)."""
    from jinja2 import BaseLoader, TemplateNotFound

    class ThemeLoader(BaseLoader):
        def __init__(self) -> None:
            self.used: Used = {}

        def get_source(self, environment: Any, template: str) -> tuple[str, str, Callable[[], bool]]:
            path = _find(theme, template)
            if path is None:
                raise TemplateNotFound(template)
            source = theme.read(path)  # a refusal is an InputError: exit 2, naming the file
            self.used[template] = (path, source)

            def uptodate() -> bool:  # Jinja asks before it reuses the compiled template
                if not templates_current(theme, {template: (path, source)}):
                    return False
                self.used[template] = (path, source)
                return True

            return source, str(path), uptodate

    return ThemeLoader()


def _find(theme: Theme, template: str) -> Path | None:
    """The file a template name stands for: the first folder of the chain that has it."""
    import os

    from jinja2.loaders import split_template_path

    pieces = split_template_path(template)  # refuses `..`
    for folder in theme.chain:
        path = folder.joinpath(*pieces)
        if os.path.lexists(path):
            return path
    return None


def templates_current(theme: Theme, used: Used) -> bool:
    """Whether each name still finds the same file (a child theme may add one that overrides its
    parent's), holding the same text. Text, not mtime: two saves within one tick of the file
    system's clock leave the mtime as it was."""
    try:
        return all(_find(theme, name) == path and theme.read(path) == text for name, (path, text) in used.items())
    except OSError:
        return False


# The most a template's own expression may build: `"x" * 10**13`, `2 ** 10**9`, `"%0999999999d" % 1`
# or `"".center(10**9)` took the machine's memory (or minutes) before any error. Past these, the
# template fails at its line like any other error of its own (exit 2).
MAX_TEMPLATE_SIZE = 1_000_000  # characters or items of a string or list a template makes
MAX_POWER_BITS = 100_000  # of an integer power
_FORMAT_WIDTH = re.compile(r"\d{7,}")  # a width or precision of a million or more in a format string


def bounded(operator: str, left: Any, right: Any) -> None:
    """Refuse (ValueError) a binary operation of a template whose result would be too large."""
    if operator == "*":
        for seq, n in ((left, right), (right, left)):
            if isinstance(seq, str | bytes | list | tuple) and isinstance(n, int) and len(seq) * n > MAX_TEMPLATE_SIZE:
                raise ValueError(f"a repetition of {len(seq):,} × {n:,} is more than a template may make")
    elif operator == "**":
        if isinstance(left, int) and isinstance(right, int) and right * max(abs(left), 1).bit_length() > MAX_POWER_BITS:
            raise ValueError(f"{left} ** {right} is more than a template may compute")
    elif operator == "%" and isinstance(left, str):
        bounded_format(left)


def bounded_format(spec: str) -> None:
    """Refuse a format string (`%`, `str.format`, the `format` filter) with a huge width."""
    if _FORMAT_WIDTH.search(spec.replace("{{", "").replace("}}", "")) and any(c in spec for c in "%{"):
        raise ValueError("a format width of a million or more is more than a template may make")


def too_large(args: Sequence[Any], kwargs: dict[str, Any]) -> bool:
    """A count or width among a call's arguments past MAX_TEMPLATE_SIZE."""
    return any(
        isinstance(a, int) and not isinstance(a, bool) and a > MAX_TEMPLATE_SIZE for a in (*args, *kwargs.values())
    )


def bounded_call(obj: Any, args: Sequence[Any], kwargs: dict[str, Any]) -> None:
    """Refuse a string method call that pads or repeats past the limit (`"".center(10**9)`)."""
    owner = getattr(obj, "__self__", None)
    if not isinstance(owner, str | bytes):
        return
    if too_large(args, kwargs):
        raise ValueError(
            f"{obj.__name__}() of more than {MAX_TEMPLATE_SIZE:,} characters is more than a template may make"
        )


def bounded_filter(filter_: Callable[..., Any]) -> Callable[..., Any]:
    """A padding or formatting filter (center, indent, format, truncate, wordwrap) under the limits."""

    @functools.wraps(filter_)
    def call(value: Any, *args: Any, **kwargs: Any) -> Any:
        if filter_.__name__ == "do_format" and isinstance(value, str):
            bounded_format(value)
        if too_large(args, kwargs):
            raise ValueError(f"a filter argument over {MAX_TEMPLATE_SIZE:,} is more than a template may use")
        return filter_(value, *args, **kwargs)

    return call


# The time budget of the render under way (a monotonic deadline), or None: no budget (a built-in
# theme). What a template can repeat without end goes through a loop, a call (a macro calling
# itself) or an include, so those look at the clock: a `for` over anything (see `_parse`) at every
# item, every call and every template loaded. A step between two looks is bounded by the size
# limits above.
_DEADLINE: ContextVar[float | None] = ContextVar("cvbuild_template_deadline", default=None)
LOOP_FILTER = "cvbuild_timed"  # wraps the iterable of every `{% for %}`; in the compiled code


class TimeUp(Exception):
    """The template ran past its deadline; raised inside it, so the traceback has its line."""


def check_time() -> None:
    deadline = _DEADLINE.get()
    if deadline is not None and time.monotonic() > deadline:
        raise TimeUp


def timed_loop(items: Any) -> Any:
    """`items` as a `{% for %}` iterates it, looking at the clock at each item (under a budget)."""
    if _DEADLINE.get() is None:
        return items
    from jinja2 import Undefined

    if isinstance(items, Undefined):  # it fails as it always did
        return items
    return _Timed(items)


class _Timed:
    """An iterable that checks the deadline before each item; its length, when it has one, is
    the iterable's (`loop.length` and `loop.last` then need no list of it)."""

    __slots__ = ("items",)

    def __init__(self, items: Any) -> None:
        self.items = items

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self) -> Iterator[Any]:
        for item in self.items:
            check_time()
            yield item


def sandbox_class(timed: bool = False) -> Any:
    """Jinja's sandbox, with what a template builds bounded (`bounded`, `bounded_call`), and with
    `timed` how long it runs (`check_time`): a theme not built in. A built-in theme's templates
    are compiled and run as before, without a look at the clock (the class's name is in the
    bytecode cache's key, so the two never share compiled code)."""
    from jinja2 import nodes
    from jinja2.sandbox import SandboxedEnvironment

    class BoundedSandbox(SandboxedEnvironment):
        intercepted_binops = frozenset({"*", "**", "%"})

        def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
            bounded(operator, left, right)
            return super().call_binop(context, operator, left, right)

        def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
            bounded_call(__obj, args, kwargs)
            return super().call(__context, __obj, *args, **kwargs)

        def wrap_str_format(self, value: Any) -> Any:
            # `str.format` is wrapped when it is read, not called through `call`; a width may be
            # in the string (`{:>999999999}`) or an argument (`{0:{1}}`).
            wrapped = super().wrap_str_format(value)
            if wrapped is None:
                return None

            def bounded_wrapper(*args: Any, **kwargs: Any) -> Any:
                bounded_format(str(value.__self__))
                if too_large(args, kwargs):
                    raise ValueError(f"a format argument over {MAX_TEMPLATE_SIZE:,} is more than a template may use")
                return wrapped(*args, **kwargs)

            return bounded_wrapper

    if not timed:
        return BoundedSandbox

    class TimedSandbox(BoundedSandbox):
        def _parse(self, source: str, name: str | None, filename: str | None) -> Any:
            # Every `{% for x in items %}` iterates `items | cvbuild_timed`: a nested loop over
            # range(100000) has no call in it, and would never look at the clock otherwise.
            tree = super()._parse(source, name, filename)
            for loop in tree.find_all(nodes.For):
                loop.iter = nodes.Filter(loop.iter, LOOP_FILTER, [], [], None, None, lineno=loop.iter.lineno)
            return tree

        def _load_template(self, name: str, globals: Any) -> Any:
            # `{% include %}`, `{% import %}` and `{% extends %}` come here: a template that
            # includes itself twice under a counter recurses 2^n times with no loop or call.
            check_time()
            return super()._load_template(name, globals)

        def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
            check_time()
            return super().call(__context, __obj, *args, **kwargs)

    return TimedSandbox


def environment(ctx: RenderContext, autoescape: bool) -> Any:
    """A sandboxed, strict environment over the theme chain, kept in ctx.cache: compiled
    templates are reused across formats and `watch` rebuilds (auto_reload sees edited files)."""
    from jinja2 import StrictUndefined

    timed = time_budget(ctx) is not None
    key = ("jinja", ctx.theme.chain, autoescape, timed)
    env = ctx.cache.get(key)
    if env is None:
        env = sandbox_class(timed)(
            loader=theme_loader(ctx.theme),
            undefined=StrictUndefined,
            autoescape=autoescape,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        env.filters.update(FILTERS)
        if timed:
            env.filters[LOOP_FILTER] = timed_loop
        for name in ("center", "indent", "format", "truncate", "wordwrap"):
            env.filters[name] = bounded_filter(env.filters[name])
        env.globals["wrap"] = wrap
        env.is_safe_attribute = known_safe(fields_only(env.is_safe_attribute))
        from cvbuild.targets.template_cache import bytecode_cache

        env.bytecode_cache = bytecode_cache(env)  # compiled templates kept between runs
        ctx.cache[key] = env
    return env


def fields_only(check: Callable[[Any, str, Any], bool]) -> Callable[[Any, str, Any], bool]:
    """The sandbox's attribute check, except that a pydantic model (the Document and its parts)
    shows a template its fields and nothing else. Pydantic's own API is callable attributes the
    sandbox lets through: `doc.parse_file(path, content_type="application/pickle", allow_pickle=True)`
    reads any file and unpickles it (runs a theme's code), `parse_raw` and `model_validate_json`
    echo what they read in their errors. The answer depends only on the type and the name, as
    `known_safe` needs."""
    from pydantic import BaseModel

    def is_safe_attribute(obj: Any, attr: str, value: Any) -> bool:
        if isinstance(obj, BaseModel):
            return attr in type(obj).model_fields
        if isinstance(obj, type) and issubclass(obj, BaseModel):
            return False
        return check(obj, attr, value)

    return is_safe_attribute


def known_safe(check: Callable[[Any, str, Any], bool]) -> Callable[[Any, str, Any], bool]:
    """The sandbox's attribute check, answered once per (type, attribute name): Jinja's own check
    (`is_safe_attribute`: a leading `_`, or `is_internal_attribute`, whose every test is an
    isinstance of the object) depends on nothing else, and runs for each of the ~2,500 attribute
    reads of a page (~15 ms of an HTML build)."""
    known: dict[tuple[type, str], bool] = {}

    def is_safe_attribute(obj: Any, attr: str, value: Any) -> bool:
        key = (type(obj), attr)
        safe = known.get(key)
        if safe is None:
            safe = known[key] = check(obj, attr, value)
        return safe

    return is_safe_attribute


def render_template(name: str, doc: Document, ctx: RenderContext, *, autoescape: bool, **extra: Any) -> str:
    """Render a theme template in a sandbox; undefined names are errors, not blanks. An error in
    a template is the theme's (exit 2), located at its file:line:col."""
    from jinja2 import TemplateError, TemplateNotFound, TemplateSyntaxError

    from cvbuild.errors import CvbuildError, InputError

    env = environment(ctx, autoescape)
    budget = time_budget(ctx)
    token = _DEADLINE.set(None if budget is None else time.monotonic() + budget)
    try:
        template = env.get_template(name)
        if not _once(ctx.cache, "theme.builtin", ctx.theme, lambda: is_builtin(ctx.theme)):
            check_blocks(env, name, ctx.cache, ctx.theme)
        text: str = template.render(doc=doc, person=doc.person, meta=doc.meta, options=doc.options, **extra)
        return text
    except TimeUp as exc:
        raise over_time(_template_line(exc, name, ""), "the template", budget or 0) from None
    except TemplateSyntaxError as exc:
        where = _located(exc.filename or name, exc.lineno, str(exc.message))
        hint = _syntax_hint(str(exc.message), env)
        message = f"{str(exc.message).rstrip('.')}{hint}" if hint else exc.message
        raise theme_failure(ctx.theme, f"{where}: template syntax error: {message}") from None
    except TemplateNotFound as exc:  # an {% extends %}, {% include %} or {% import %} of a missing file
        message = _not_found(str(exc.name), ctx.theme)
        raise theme_failure(ctx.theme, f"{_template_line(exc, name, message)}: template error: {message}") from None
    except TemplateError as exc:
        message = _explained(exc)
        raise theme_failure(ctx.theme, f"{_template_line(exc, name, str(exc))}: template error: {message}") from None
    except CvbuildError as exc:  # a refused include names its file: and, when a template included it, that line
        where = _template_line(exc, name, "")
        if where == name or not isinstance(exc, InputError) or exc.problems:
            raise
        raise theme_failure(ctx.theme, f"{where}: {exc}") from None
    except (ArithmeticError, LookupError, RecursionError, TypeError, ValueError) as exc:
        # What a template's own expression raises (`range(10**9)`, `1 + 'a'`, a macro calling
        # itself): the theme's mistake, at its line, like a TemplateError.
        message = f"template error: {type(exc).__name__}: {exc}"
        raise theme_failure(ctx.theme, f"{_template_line(exc, name, str(exc))}: {message}") from None
    finally:
        _DEADLINE.reset(token)


_EXTENDS = re.compile(r"\{%-?\s*extends\s+([\"'])([^\"']+)\1")


def check_blocks(env: Any, name: str, cache: dict[Any, Any], theme: Theme) -> None:
    """A block the template fills that no template it extends has (`{% block mastehad %}`) is
    dropped by Jinja without a word, and the theme author's change never shows: an error at the
    block's line, with the block that was meant. Checked once per text of the template."""
    from jinja2 import nodes

    source, filename, _ = env.loader.get_source(env, name)
    key = ("jinja.blocks", name, source)
    if key in cache:
        return
    tree = env.parse(source, name, filename)
    parent = next(iter(tree.find_all(nodes.Extends)), None)
    if parent is None or not isinstance(parent.template, nodes.Const):  # a page of its own, or a dynamic parent
        cache[key] = True
        return
    ancestors, known = ancestor_blocks(env, str(parent.template.value))
    called = {n.attr for n in tree.find_all(nodes.Getattr) if isinstance(n.node, nodes.Name) and n.node.name == "self"}
    for block in outer_blocks(tree):
        if block.name not in known and block.name not in called:
            from cvbuild.schema.validate import did_you_mean

            hint = did_you_mean(block.name, sorted(known), None) or f"; its blocks: {', '.join(sorted(known))}"
            about = f"'{block.name}'"
            message = (
                f"block {about} is in no template this one extends ({', '.join(ancestors)}), so Jinja never "
                f"shows it{hint}"
            )
            raise theme_failure(theme, f"{_located(filename, block.lineno, about)}: template error: {message}")
    cache[key] = True


def ancestor_blocks(env: Any, parent: str) -> tuple[list[str], set[str]]:
    """The templates `parent` starts (it, the one it extends, ...) and every block they define."""
    chain: list[str] = []
    known: set[str] = set()
    current: str | None = parent
    while current is not None and current not in chain:
        chain.append(current)
        known |= set(env.get_template(current).blocks)
        source = env.loader.get_source(env, current)[0]
        found = _EXTENDS.search(source)
        current = found[2] if found else None
    return chain, known


def outer_blocks(node: Any) -> Iterator[Any]:
    """The blocks of a template that are not inside another block: those that override a parent's."""
    from jinja2 import nodes

    for child in node.iter_child_nodes():
        if isinstance(child, nodes.Block):
            yield child
        else:
            yield from outer_blocks(child)


# What every template receives (docs/helpers.md#template-variables), for a "did you mean".
TEMPLATE_NAMES = ("doc", "person", "meta", "options", "wrap")


def _explained(exc: BaseException) -> str:
    """Jinja's message in a theme author's words, with how to fix it: a Document class by its
    own name (not `cvbuild.document.model.Section object`), the field it has that was meant."""
    from cvbuild.document.model import view_fields
    from cvbuild.schema.validate import did_you_mean

    message = str(exc)
    missing = re.fullmatch(r"'(?:[\w.]+\.)?(\w+) object' has no attribute '([^']*)'", message)
    if missing is not None:
        cls, attr = missing.groups()
        fields = view_fields().get(cls)
        if fields is not None:
            hint = did_you_mean(attr, fields, "its fields")
            return f"{cls} has no field {attr!r}{hint} (docs/document.md#{cls.lower()})"
        if cls == "TemplateModule":  # `{% import "_macros.html.j2" as m %}` ... `m.sectoin(s)`
            return f"the imported template has no macro {attr!r}; its macros are listed in docs/helpers.md"
        if cls == "TemplateReference":  # `self.mastehad()`
            return f"`self` has no block {attr!r}; name a block of this template or of one it extends"
        if cls == "dict":  # options, meta.labels, section counts
            return f"{message}; a key that may be missing: .get({attr!r}, default)"
    if re.fullmatch(r"'None' has no attribute '[^']*'", message):
        return f"{message}; the value is optional and none here: test it first, {{% if value %}}"
    undefined = re.fullmatch(r"'([^']*)' is undefined", message)
    if undefined is not None:
        hint = did_you_mean(undefined[1], TEMPLATE_NAMES, None)
        return message + (hint or "; a template receives doc, person, meta and options (docs/helpers.md)")
    return message


# A tag that is not closed where Jinja expected its end: what closes it.
_UNCLOSED = {"end of statement block": "%}", "end of print statement": "}}"}


def _syntax_hint(message: str, env: Any) -> str:
    """How to fix a syntax error: the filter that was meant (`No filter named 'htm'.`), or the
    delimiter a tag lacks (`expected token 'end of statement block', got 'class'`)."""
    from cvbuild.schema.validate import did_you_mean

    unclosed = re.search(r"(?<!un)expected (?:token )?'(end of statement block|end of print statement)'", message)
    if unclosed is not None:
        return f"; end the tag with {_UNCLOSED[unclosed[1]]} before that (text outside tags is copied as it is)"
    unknown = re.fullmatch(r"No (filter|test) named '([^']*)'\.?", message)
    if unknown is None:
        return ""
    known = sorted(env.filters if unknown[1] == "filter" else env.tests)
    return did_you_mean(unknown[2], known, None) or "; the filters are listed in docs/helpers.md"


def _not_found(template: str, theme: Theme) -> str:
    """Which file is missing, where it was looked for, the name that was meant, the file to write."""
    import difflib
    import os

    from cvbuild.targets.base import display_path

    names = sorted({n for folder in theme.chain if folder.is_dir() for n in os.listdir(folder) if n.endswith(".j2")})
    folders = ", ".join(folder.name for folder in theme.chain)
    # close names only: every template ends in .html.j2 or so, which made 'header.html.j2' "mean"
    # '_macros.html.j2' at difflib's usual cutoff
    close = difflib.get_close_matches(template, names, n=1, cutoff=0.8)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    add = f"{'or ' if hint else ''}write {display_path(theme.path / template)} to add it"
    return f"no template {template!r} in the theme's folders ({folders}){hint}; {add}"


def _template_line(exc: BaseException, name: str, about: str) -> str:
    """The theme file and line from the traceback Jinja rewrites to point into templates."""
    tb = exc.__traceback__
    where = name
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith(".j2"):
            where = _located(filename, tb.tb_lineno, about)
        tb = tb.tb_next
    return where


# A Jinja tag, `{{ }}`, `{% %}` or `{# #}`, or an unclosed one to the end of the line.
_TAG_RE = re.compile(r"\{[{%#].*?(?:[}%#]\}|$)")


def _located(filename: str, line: int, about: str) -> str:
    """`file:line:col`. Jinja knows only the line: the column is that of the name the message
    `about` quotes (`'x' is undefined`, `no attribute 'nmae'`, `got 'class'`), searched first
    inside the line's Jinja tags (`got 'class'` is not the HTML `class=` before the tag), else
    the line's first character."""
    from cvbuild import confine
    from cvbuild.errors import InputError

    try:
        text = confine.read_regular(Path(filename)).decode("utf-8", errors="replace").splitlines()[line - 1]
    except (OSError, IndexError, ValueError, InputError):  # a refused or vanished file: the line is still right
        return f"{filename}:{line}:1"
    tags = [(m.start(), m.group()) for m in _TAG_RE.finditer(text)]
    for quoted in re.findall(r"'([^'\n]+)'", about):
        word = re.compile(rf"(?<!\w){re.escape(quoted)}(?!\w)")
        for start, part in [*tags, (0, text)]:
            found = word.search(part)
            if found:
                return f"{filename}:{line}:{start + found.start() + 1}"
    return f"{filename}:{line}:{len(text) - len(text.lstrip()) + 1}"
