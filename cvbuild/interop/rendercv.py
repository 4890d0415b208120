"""RenderCV 2.x YAML -> cvbuild profile.

`cv.sections` maps section titles to lists of entries, one entry type per section. The entry
type is read from its keys, as RenderCV itself does (institution+area: EducationEntry,
company+position: ExperienceEntry, title+authors: PublicationEntry, name: NormalEntry,
label+details: OneLineEntry, bullet, number, reversed_number, or a plain string: TextEntry).
A section lands in the profile field its type and title fit (Experience -> experience,
Skills -> skills, ...); anything else becomes a custom section, so nothing is dropped silently.
Warnings point at the file's line and column.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from cvbuild.document.sections import BUILTIN_SECTIONS, section_slug
from cvbuild.errors import InputError
from cvbuild.interop.common import (
    Warn,
    checked_profile,
    leftovers,
    refuse_too_many_to_import,
    unique_section_ids,
    unreadable_photo,
    usable_phone,
    wrong_kind,
)
from cvbuild.loading.yaml_source import Loc, load_yaml
from cvbuild.schema.fields import parse_date
from cvbuild.schema.model import NAMED_NETWORKS, network_key
from cvbuild.themes.options import LENGTH_RANGES, SIDES, margin_text, points

# RenderCV theme -> (cvbuild theme, accent). Serif RenderCV themes go to classic, sans to modern.
THEMES: dict[str, tuple[str, str | None]] = {
    "classic": ("modern", "#004f90"),
    "engineeringclassic": ("modern", "#004f90"),
    "moderncv": ("modern", "#004f90"),
    "opal": ("modern", None),
    "ember": ("modern", None),
    "sb2nov": ("classic", "#000000"),
    "engineeringresumes": ("classic", "#000000"),
    "harvard": ("classic", "#000000"),
    "ink": ("classic", None),
}
LOCALES = {
    "english": "en",
    "arabic": "ar",
    "danish": "da",
    "dutch": "nl",
    "french": "fr",
    "german": "de",
    "hebrew": "he",
    "hindi": "hi",
    "hungarian": "hu",
    "indonesian": "id",
    "italian": "it",
    "japanese": "ja",
    "korean": "ko",
    "mandarin_chinese": "zh",
    "norwegian_bokmål": "nb",
    "norwegian_nynorsk": "nn",
    "persian": "fa",
    "portuguese": "pt",
    "russian": "ru",
    "spanish": "es",
    "turkish": "tr",
    "vietnamese": "vi",
}
# RenderCV 2's page margin by theme, where the file sets none (classic's 0.7in for the others).
MARGINS = {"ember": "0.6in", "ink": "0.6in", "harvard": "0.5in", "opal": "0.65in"}
# Design keys of RenderCV 1.x, whose margins were its own (`margins: page: top: 2 cm`).
_RENDERCV_1_KEYS = {"page_size", "color", "font_size", "margins", "font", "disable_page_numbering"}
# Networks RenderCV knows that have no named link in cvbuild: their profile URL prefixes.
PROFILE_URLS = {
    "IMDB": "https://imdb.com/name/",
    "Instagram": "https://instagram.com/",
    "StackOverflow": "https://stackoverflow.com/users/",
    "Telegram": "https://t.me/",
    "WhatsApp": "https://wa.me/",
    "Leetcode": "https://leetcode.com/u/",
    "Reddit": "https://reddit.com/user/",
}
_TYPST = re.compile(r"\$\$|#[a-z][a-z-]*[\[(]")
_OWNER_MARK = re.compile(r"^(\*{2,3})([^*].*?)\1$")  # **bold** or ***bold italic***
_ITALIC_MARK = re.compile(r"^\*([^*].*?)\*$")
_WHOLE_LINK = re.compile(r"^\[([^\[\]]+)\]\((https?://[^\s()]+)\)$")
_TRAILING_LINK = re.compile(r"^(.*?[^\s|,:–—-])[\s|,:–—-]*\[([^\[\]]+)\]\((https?://[^\s()]+)\)$")
# Typst calls RenderCV passes through (it escapes everything else), innermost first: a body without brackets.
_TYPST_CALL = re.compile(
    r"#(strong|emph|underline|text|smallcaps|highlight|box|upper|link|h|v)(\([^()]*\))?(\[[^\[\]]*\])?"
)
# What Typst markup shows for `--` and `---`, outside link targets, code and math.
_VERBATIM = re.compile(r"(\]\([^)]*\)|`[^`]*`|https?://\S+|\$\$.*?\$\$)")

Note = Callable[[Loc, str], None]


def import_file(path: Path, warn: Warn) -> dict[str, Any]:
    """A RenderCV YAML file as profile data; warnings (located) through `warn`."""
    source = load_yaml(path)
    data = source.data
    wrong_kind(path, data, "rendercv")
    cv = data.get("cv")
    if not isinstance(cv, Mapping):
        raise InputError([source.problem(("cv",), "a RenderCV file has its content under `cv:`")])

    problems = [source.problem(loc, message) for loc, message in shape_problems(data)]
    if problems:
        raise InputError(problems)
    sections = cv.get("sections")
    lists = [
        (("cv", "sections", key), items, lambda item: isinstance(item, Mapping) and "authors" in item)
        for key, items in (sections.items() if isinstance(sections, Mapping) else ())
        if isinstance(items, list)
    ]
    refuse_too_many_to_import(lists, source.problem)

    def note(loc: Loc, message: str) -> None:
        warn(str(source.problem(loc, message)))

    out = from_rendercv(data, note)
    _check_photo(path, out, note)
    return checked_profile(path, out)


_LISTS = ("highlights", "authors")  # the entry fields that are lists of text
# RenderCV's other entry fields, all text. Any other key is an extra field, which RenderCV takes
# whatever its shape (a template may show it); the import keeps or reports it (common.leftovers).
_TEXTS = {
    *("name", "institution", "area", "degree", "company", "position", "title", "journal", "doi", "url"),
    *("summary", "location", "date", "start_date", "end_date", "label", "details", "bullet"),
    *("number", "reversed_number"),
}
_SCALAR = (str, int, float)


def shape_problems(data: Mapping[str, Any]) -> list[tuple[Loc, str]]:
    """Where the file has a list or mapping that RenderCV takes as text, or the other way round:
    RenderCV refuses such a file, and the import would misread it (`social_networks: GitHub`)."""
    problems: list[tuple[Loc, str]] = []
    for key in ("design", "locale", "settings", "rendercv_settings"):
        if data.get(key) is not None and not isinstance(data[key], Mapping):
            problems.append(((key,), "expected a mapping (key: value lines)"))
    design = data.get("design")
    for key, value in design.items() if isinstance(design, Mapping) else ():
        if key in ("page", "colors", "typography", "text", "margins") and not isinstance(value, Mapping | None):
            problems.append((("design", key), "expected a mapping (key: value lines)"))  # the import reads in them
    cv = data["cv"]
    for key, value in cv.items():
        loc: Loc = ("cv", key)
        if key in ("social_networks", "custom_connections"):
            if value is not None and (not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value)):
                problems.append((loc, "expected a list of entries like `- network: GitHub` / `username: ...`"))
        elif key in ("email", "phone", "website"):
            if isinstance(value, Mapping) or (
                isinstance(value, list) and not all(isinstance(v, _SCALAR) for v in value)
            ):
                problems.append((loc, "expected text, or a list of texts"))
        elif key != "sections" and isinstance(value, (Mapping, list)):
            problems.append((loc, "expected text"))
    sections = cv.get("sections")
    for title, entries in (sections or {}).items() if isinstance(sections, Mapping) else ():
        for i, entry in enumerate(entries if isinstance(entries, list) else []):
            for field, value in entry.items() if isinstance(entry, Mapping) else ():
                loc = ("cv", "sections", title, i, field)
                if value is None:
                    continue
                if field in _LISTS:
                    if not isinstance(value, (list, str)) or not all(isinstance(v, _SCALAR) for v in value):
                        problems.append((loc, "expected a list of texts (`- ...` lines)"))
                elif field in _TEXTS and isinstance(value, (Mapping, list)):
                    problems.append((loc, "expected text"))
    return problems


def _check_photo(path: Path, out: dict[str, Any], note: Note) -> None:
    """Keep `photo` only if the profile, written beside the RenderCV file, will validate with it:
    RenderCV also takes SVG, and a file that is not there is reported rather than imported."""
    problem = unreadable_photo(path, out)
    if problem is not None:
        note(("cv", "photo"), problem)
        del out["photo"]
        out["documents"]["cv"]["options"].pop("show_photo", None)


def as_shown(value: Any, key: Any = None) -> Any:
    """The entries' text as RenderCV shows it, in Markdown: `--` and `---` are dashes in Typst markup,
    and the Typst calls RenderCV lets through become Markdown (`#strong[x]` -> `**x**`) or their
    text (`#underline[x]` -> `x`); other Typst stays as text, and the import says so."""
    if isinstance(value, Mapping):
        return {k: as_shown(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [as_shown(v) for v in value]
    if not isinstance(value, str) or key in ("url", "doi"):
        return value
    for _ in range(8):  # nested calls: one level a pass
        text, value = value, _TYPST_CALL.sub(_typst_call, value)
        if text == value:
            break
    parts = _VERBATIM.split(value)
    return "".join(p if i % 2 else p.replace("---", "—").replace("--", "–") for i, p in enumerate(parts))


def _typst_call(m: re.Match[str]) -> str:
    name, args, body = m[1], m[2] or "", m[3][1:-1] if m[3] else None
    if name in ("h", "v"):
        return " " if name == "h" else ""  # spacing
    if name == "link":
        url = re.fullmatch(r'\(\s*"([^"]+)"\s*\)', args)
        if url is None:
            return m[0]
        return f"[{body}]({url[1]})" if body else url[1]
    if body is None:
        return m[0]
    if name == "strong":
        return f"**{body}**"
    if name == "emph":
        return f"*{body}*"
    return body.upper() if name == "upper" else body


def from_rendercv(data: Mapping[str, Any], note: Note) -> dict[str, Any]:
    cv = dict(data["cv"])
    cv["sections"] = as_shown(cv.get("sections"))
    out: dict[str, Any] = {}
    aliases: list[str] = []
    _header(cv, out, note)
    sections = cv.get("sections") or {}
    if not isinstance(sections, Mapping):
        note(("cv", "sections"), "expected a mapping of section titles to entries; not imported")
        sections = {}
    custom: list[dict[str, Any]] = []
    order: list[Any] = []  # built-in section ids and custom section dicts, in the file's order
    shown: dict[str, str] = {}  # built-in section id -> the title RenderCV shows for it
    out["documents_education"] = _education_key(sections)
    templates = _templates(data.get("design"))
    for key, entries in sections.items():
        loc: Loc = ("cv", "sections", key)
        title = _section_title(str(key))
        before_keys, before_custom = set(out), len(custom)
        _section(title, _shown_fields(entries, templates, loc, note), loc, out, custom, aliases, note)
        new = [k for k in out if k not in before_keys and k in BUILTIN_SECTIONS]
        if not re.fullmatch(r"[a-z0-9_]+", str(key)):  # written as a title, not as a key (`experience`)
            shown |= {k: title for k in new}
        order += new
        order += custom[before_custom:]
    out.pop("documents_education")
    unique_section_ids(custom)
    ids = [s if isinstance(s, str) else s.get("id") or section_slug(s["title"]) for s in order]
    if aliases:
        out["aliases"] = sorted(set(aliases) - {out.get("name")})
    if custom:
        out["sections"] = custom
    doc = _document(data, note, has_photo="photo" in out)
    titles = out.pop("documents_titles", {})
    # RenderCV shows a title as written, "Projects" in a Korean CV: cvbuild's would be 프로젝트. A
    # key (`experience`) is the section's name, and gets the locale's title.
    if doc.get("locale", "en") != "en":
        titles = shown | titles
    if pub_sections := out.pop("documents_publication_sections", []):  # and publications as written
        _publication_groups(pub_sections, doc, titles, note)
    if titles:
        doc["section_titles"] = titles
    if ids:  # RenderCV shows sections in the order they are written
        doc["sections"] = list(dict.fromkeys(ids))
    out["documents"] = {"cv": doc}
    if "name" not in out:
        note(("cv",), "no `name`; set `name:` in the profile (it is required)")
        out["name"] = "Your Name"
    return out


def _education_key(sections: Mapping[Any, Any]) -> Any:
    """The key of the section that is the profile's education: the first one of schools under
    a title that says education (EducationEntry, or ExperienceEntry as some write it), else the
    first of EducationEntry. Real CVs write awards, grants, talks and workshops as EducationEntry
    too ("institution: CAREER Award, area: NSF"); each keeps its own heading and place."""
    shaped = [
        key
        for key, entries in sections.items()
        if isinstance(entries, list) and entries and _entry_type(entries[0]) in ("EducationEntry", "ExperienceEntry")
    ]
    titled = [key for key in shaped if _EDUCATION_TITLE.search(_section_title(str(key)))]
    schools = [key for key in shaped if _entry_type(sections[key][0]) == "EducationEntry"]
    return (titled or schools or [None])[0]


_TEMPLATE_KEYS = {
    "EducationEntry": "education_entry",
    "ExperienceEntry": "experience_entry",
    "PublicationEntry": "publication_entry",
    "NormalEntry": "normal_entry",
    "OneLineEntry": "one_line_entry",
}


def _templates(design: Any) -> dict[str, set[str]]:
    """design.templates (RenderCV 2.x): per entry type, the placeholders its columns show."""
    templates = design.get("templates") if isinstance(design, Mapping) else None
    shown: dict[str, set[str]] = {}
    for key, columns in templates.items() if isinstance(templates, Mapping) else ():
        texts = columns.values() if isinstance(columns, Mapping) else [columns]
        shown[str(key)] = {w for t in texts if isinstance(t, str) for w in re.findall(r"[A-Z][A-Z0-9_]*", t)}
    return shown


def _shown_fields(entries: Any, templates: dict[str, set[str]], loc: Loc, note: Note) -> Any:
    """The entries without the extra keys their type's template in the file leaves out: RenderCV
    shows an extra key only where a template names it (`MEDIA_COVERAGE`), and a file with its own
    templates chose what to show (github.com/mdenolle/marine-cv keeps `citations: -1`, "no data",
    beside every paper, and shows none; the import printed it in each note). Without a template
    of the file's own, extra keys are kept as before (common.leftovers)."""
    if not isinstance(entries, list) or not entries:
        return entries
    kind = _entry_type(entries[0])
    shown = templates.get(_TEMPLATE_KEYS.get(kind, ""))
    if shown is None:
        return entries
    kept: list[Any] = []
    dropped: dict[Any, int] = {}
    for i, e in enumerate(entries):
        if not isinstance(e, Mapping):
            kept.append(e)
            continue
        kept.append({k: v for k, v in e.items() if k in _TEXTS or k in _LISTS or str(k).upper() in shown})
        for k in e:
            if k not in kept[-1]:
                dropped.setdefault(k, i)
    for k, i in dropped.items():
        note(
            (*loc, i, k),
            f"not in the file's template for {kind} (design.templates), which RenderCV shows; not imported",
        )
    return kept


def _section(
    title: str, entries: Any, loc: Loc, out: dict[str, Any], custom: list[Any], aliases: list[str], note: Note
) -> None:
    """One RenderCV section into the profile field its entry type and title fit, or a custom section."""
    if not isinstance(entries, list) or not entries:
        note(loc, "a section is a list of entries; not imported")
        return
    handler = SECTION_HANDLERS.get(_entry_type(entries[0]))
    if handler is None:
        note((*loc, 0), "unknown entry type; kept in a custom section")
        custom.append(_custom_section(title, entries, loc, note))
        return
    handler(title, entries, loc, out, custom, aliases, note)


# Words RenderCV leaves in lower case when it makes a title of a section key.
_MINOR_WORDS = frozenset(
    [
        "a",
        "and",
        "as",
        "at",
        "but",
        "by",
        "for",
        "from",
        "if",
        "in",
        "into",
        "like",
        "near",
        "nor",
        "of",
        "off",
        "on",
        "onto",
        "or",
        "over",
        "so",
        "than",
        "that",
        "to",
        "upon",
        "when",
        "with",
        "yet",
    ]
)


def _section_title(key: str) -> str:
    """The title RenderCV shows for a section key: `education_and_training` -> `Education and Training`;
    a key with a space or a capital stays as written."""
    if " " in key or any(c.isupper() for c in key):
        return key
    return " ".join(w if w in _MINOR_WORDS else w.capitalize() for w in key.replace("_", " ").split(" "))


def _text(value: Any) -> str | None:
    if isinstance(value, bool) or value is None:
        return None
    text = str(value).strip()
    return text or None


def _first(value: Any, loc: Loc, note: Note) -> str | None:
    """RenderCV allows a list of e-mails, phones or websites; a profile has one of each."""
    if isinstance(value, list):
        if len(value) > 1:
            note(loc, f"cvbuild keeps one; {', '.join(map(str, value[1:]))} not imported")
        value = value[0] if value else None
    return _text(value)


def _header(cv: Mapping[str, Any], out: dict[str, Any], note: Note) -> None:
    if name := _text(cv.get("name")):
        out["name"] = name
    if headline := _text(cv.get("headline")) or _text(cv.get("label")):  # `label` until RenderCV 1.10
        out["headline"] = headline
    if photo := _text(cv.get("photo")):
        if "://" in photo:
            note(("cv", "photo"), "cvbuild embeds a local photo only; download it and set `photo:` to its file name")
        else:
            out["photo"] = photo
    contact: dict[str, Any] = {}
    for key in ("email", "phone", "website"):
        if value := _first(cv.get(key), ("cv", key), note):
            value = value.removeprefix("tel:")
            if key == "phone":
                value = usable_phone(value, ("cv", key), note)
            if value:
                contact[key] = value
    if location := _text(cv.get("location")):
        contact["location"] = location
    links: dict[str, str] = {}
    profiles: list[dict[str, str]] = []
    for i, item in enumerate(cv.get("social_networks") or []):
        _social(item, ("cv", "social_networks", i), links, profiles, note)
        _unused_keys(item, ("network", "username"), ("cv", "social_networks", i), note)
    for i, item in enumerate(cv.get("custom_connections") or []):
        label, url = _text(item.get("placeholder")), _text(item.get("url"))
        if label and url:
            profiles.append({"network": label, "url": url})
            _unused_keys(item, ("placeholder", "url"), ("cv", "custom_connections", i), note)
        else:
            note(("cv", "custom_connections", i), "a connection without a url has no place in a profile; not imported")
    if links:
        contact["links"] = links
    if profiles:
        contact["profiles"] = profiles
    if contact:
        out["contact"] = contact
    used = {"name", "headline", "photo", "email", "phone", "website", "location", "social_networks", "sections"}
    if "headline" not in cv:
        used.add("label")
    for key in cv:
        if key not in used and key != "custom_connections":
            note(("cv", key), "no such field in a cvbuild profile; not imported")


def _unused_keys(item: Mapping[str, Any], used: Sequence[str], loc: Loc, note: Note) -> None:
    """Report, by name, each key of a connection the profile has no place for (the import keeps the link)."""
    for key in item:
        if key in used or item[key] in (None, ""):
            continue
        if key == "fontawesome_icon":  # cvbuild's themes draw no icons: each link is its label
            note((*loc, key), "cvbuild themes show links by name, without icons; not imported")
        else:
            note((*loc, key), "no such field in a cvbuild profile; not imported")


def _social(item: Any, loc: Loc, links: dict[str, str], profiles: list[dict[str, str]], note: Note) -> None:
    network, user = _text(item.get("network")), _text(item.get("username"))
    if not network or not user:
        note(loc, "needs `network` and `username`; not imported")
        return
    key = network_key(network)
    if network == "Mastodon" and user.count("@") == 2:  # @user@host
        _, name, host = user.split("@")
        links["mastodon"] = f"https://{host}/@{name}"
    elif key in NAMED_NETWORKS:
        links[key] = user
    elif network in PROFILE_URLS:
        profiles.append({"network": network, "url": PROFILE_URLS[network] + user, "username": user})
    else:
        note(loc, f"unknown network {network!r}; add it under contact.profiles with its url")


def _entry_type(entry: Any) -> str:
    """The RenderCV entry type, from the keys each type requires."""
    if isinstance(entry, str):
        return "TextEntry"
    if not isinstance(entry, Mapping):
        return "unknown"
    keys = set(entry)
    for kind, needs in (
        ("EducationEntry", {"institution", "area"}),
        ("ExperienceEntry", {"company", "position"}),
        ("PublicationEntry", {"title", "authors"}),
        ("OneLineEntry", {"label", "details"}),
        ("ReversedNumberedEntry", {"reversed_number"}),
        ("NumberedEntry", {"number"}),
        ("BulletEntry", {"bullet"}),
        ("NormalEntry", {"name"}),
    ):
        if needs <= keys:
            return kind
    return "unknown"


def _check_text(value: Any, loc: Loc, note: Note) -> str | None:
    text = _text(value)
    if text and _TYPST.search(text):
        note(loc, "Typst code is shown as text in cvbuild (inline Markdown still works)")
    return text


def _texts(values: Any, loc: Loc, note: Note) -> list[str]:
    if isinstance(values, str):  # one highlight written without its list
        values = [values]
    out = []
    for i, v in enumerate(values or []):
        if t := _check_text(v, (*loc, i), note):
            out.append(t)
    return out


def _highlights(values: Any, loc: Loc, note: Note) -> list[Any]:
    """RenderCV renders each " - " inside a highlight as a sub-bullet; here they become nested bullets."""
    out: list[Any] = []
    for text in _texts(values, loc, note):
        head, *subs = [part.strip() for part in text.split(" - ")]
        subs = [sub for sub in subs if sub]
        out.append({"text": head, "highlights": subs} if head and subs else text)
    return out


def _name_and_url(value: Any, item: dict[str, Any], key: str, loc: Loc, note: Note) -> None:
    """A name written as one Markdown link, `[FlashInfer](https://...)`, as RenderCV allows: names
    are plain text in a profile, so the text becomes the name and the target the entry's url. A name
    followed by a link, `Flood modelling [Link](https://...)`, is the name, and the link its url."""
    text = _text(value)
    m = _WHOLE_LINK.match(text or "")
    trailing = _TRAILING_LINK.match(text or "")
    if m and not item.get("url"):
        item[key], item["url"] = m[1].strip(), m[2]
    elif trailing and not item.get("url"):
        item[key], item["url"] = trailing[1], trailing[3]
        note(loc, f"the link [{trailing[2]}]({trailing[3]}) after the name is the entry's url")
    else:
        item[key] = text


_RANGE = re.compile(r"^(\d{4}(?:-\d{2})?)\s*(?:–|—|-|to)\s*(\d{4}(?:-\d{2})?|present)$", re.I)


_EXPECTED = re.compile(r"^(?:expected|anticipated|exp\.)\s*:?\s*(.+)$", re.I)


def _dates(
    entry: Mapping[str, Any], out: dict[str, Any], loc: Loc, note: Note, *, expected: bool = False
) -> str | None:
    """start_date/end_date/date -> start/end/date. A free-form date ("Fall 2023") is returned, to keep as text.
    With `expected` (a school), a date `Expected May 2028` beside start_date is an expected end."""
    start, end, date = _text(entry.get("start_date")), _text(entry.get("end_date")), _text(entry.get("date"))
    if end and not start and not date:  # RenderCV shows an end_date alone as the entry's date (a degree's year)
        date = end
    if date and start:
        when = _EXPECTED.match(date)
        month = _month_year(when[1]) if when else None
        if expected and month is not None and _valid(start):
            note((*loc, "date"), f"{date!r} read as an expected end, after start_date {start}")
            out["start"], out["end"], out["expected"] = start, month, True
            return None
        # RenderCV shows the date and leaves start_date and end_date out; they were shown instead,
        # and the date (`Expected May 2028`) lost
        note((*loc, "start_date"), "RenderCV shows `date` and leaves start_date and end_date out; so does the import")
        start = None
    if date and not start:
        if _valid(date):
            out["date"] = date
            return None
        m = _RANGE.match(date)
        if m and _valid(m[1]) and _valid(m[2]):
            out["start"], out["end"] = m[1], m[2].lower()
            return None
        note((*loc, "date"), f"{date!r} is free text, not a date; kept as text in the entry")
        return date
    if start and _valid(start):
        out["start"] = start
        if end and _valid(end):
            out["end"] = end
        elif not end:  # RenderCV: a start_date alone is still going on, shown `Apr 2023 – present`
            out["end"] = "present"
        elif end:
            note((*loc, "end_date"), f"{end!r} is not a date; kept in the summary")
            return f"until {end}"
    elif start:
        note((*loc, "start_date"), f"{start!r} is not a date; kept in the summary")
        return start + (f" – {end}" if end else "")
    return None


def _month_year(text: str) -> str | None:
    """`May 2028`, `Sept. 2028` or `2028-05` as YYYY-MM (or YYYY), else None."""
    import datetime as dt

    text = text.strip().rstrip(".")
    if _valid(text):
        return text
    for pattern in ("%B %Y", "%b %Y", "%b. %Y"):
        try:
            return dt.datetime.strptime(text.replace("Sept", "Sep"), pattern).strftime("%Y-%m")
        except ValueError:
            continue
    return None


def _valid(text: str) -> bool:
    try:
        parse_date(text)
    except ValueError:
        return False
    return True


def _summary_with(summary: str | None, free_date: str | None) -> str | None:
    if free_date:
        return f"{free_date}. {summary}" if summary else free_date
    return summary


_DATED = ("start_date", "end_date", "date", "location", "summary", "highlights")

Handler = Callable[[str, list[Any], Loc, dict[str, Any], list[dict[str, Any]], list[str], Note], None]


def _education(
    title: str, entries: list[Any], loc: Loc, out: dict[str, Any], custom: list[Any], _a: list[str], note: Note
) -> None:
    items = []
    for i, e in enumerate(entries):
        eloc = (*loc, i)
        item: dict[str, Any] = {}
        _name_and_url(e.get("institution"), item, "institution", (*eloc, "institution"), note)
        item |= {"degree": _text(e.get("degree")), "field": _text(e.get("area")), "location": _text(e.get("location"))}
        free = _dates(e, item, eloc, note, expected=True)
        highlights = _highlights(e.get("highlights"), (*eloc, "highlights"), note)
        summary = _summary_with(_check_text(e.get("summary"), (*eloc, "summary"), note), free)
        highlights[:0] = as_bullets(summary)  # education has no summary: it leads the highlights
        item["url"] = _text(e.get("url")) or item.get("url")
        item["highlights"] = highlights + leftovers(e, ("institution", "degree", "area", "url", *_DATED), eloc, note)
        items.append(_link_location(item))
    if loc[-1] != out.get("documents_education"):  # awards or grants written as schools: a section of their own
        custom.append({"title": title, "entries": [_school_as_generic(item) for item in items]})
        return
    _extend(out, "education", items, title, "Education", loc, note, custom)


def _school_as_generic(school: dict[str, Any]) -> dict[str, Any]:
    """An EducationEntry outside the education section as a custom entry, as RenderCV shows it:
    the institution is its title (an award's name), the degree and area its subtitle (the awarder)."""
    subtitle = ", ".join(t for t in (school.pop("degree", None), school.pop("field", None)) if t)
    return {"title": school.pop("institution", None) or "–", "subtitle": subtitle or None} | school


def _experience(
    title: str, entries: list[Any], loc: Loc, out: dict[str, Any], custom: list[Any], _a: list[str], note: Note
) -> None:
    volunteer = bool(re.search(r"volunt", title, re.I))
    items = []
    for i, e in enumerate(entries):
        eloc = (*loc, i)
        item: dict[str, Any] = {}
        _name_and_url(e.get("company"), item, "organization", (*eloc, "company"), note)
        item["role"] = _text(e.get("position"))
        item["location"] = _text(e.get("location"))
        free = _dates(e, item, eloc, note)
        summary = _check_text(e.get("summary"), (*eloc, "summary"), note)
        span = _RANGE.match(summary or "")
        if span and not free and not {"date", "start"} & set(item) and _valid(span[1]) and _valid(span[2]):
            # an undated entry whose summary is only its dates ("2015 - 2020") is dated by them
            item["start"], item["end"], summary = span[1], span[2].lower(), None
        item["summary"] = _summary_with(summary, free)
        item["highlights"] = _highlights(e.get("highlights"), (*eloc, "highlights"), note)
        item["url"] = _text(e.get("url")) or item.get("url")  # was a highlight `url: https://...`
        item["highlights"] += leftovers(e, ("company", "position", "url", *_DATED), eloc, note)
        items.append(_link_location(item))
    if loc[-1] == out.get("documents_education"):  # "EDUCACIÓN" as company + position: a school and a degree
        schools = [_as_school(item) for item in items]
        _extend(out, "education", schools, title, "Education", loc, note, custom)
        return
    key, default = ("volunteer", "Volunteering") if volunteer else ("experience", "Experience")
    first = out.get("documents_titles", {}).get(key, default)
    if key in out and title.strip().lower() != first.strip().lower():
        # A second section of jobs under a title of its own ("Teaching Experience" after "Research
        # Experience") keeps its heading, as in RenderCV: joined, its entries were under the first.
        custom.append({"title": title, "entries": [_as_generic(item) for item in items]})
        return
    _extend(out, key, items, title, default, loc, note, custom)


# Section titles that say education in the languages cvbuild speaks.
_EDUCATION_TITLE = re.compile(
    r"educa|formaci[oó]n|formazione|formation|ausbildung|bildung|studium|opleiding|istruzione|"
    r"образование|教育|学历|学歴|학력",
    re.I,
)


# Section titles that say languages, interests, skills or summary in the languages cvbuild speaks:
# a French CV's `Compétences` and `Langues` were custom sections, its `Résumé` no summary. Dutch
# `talen` is not English `Talents`; German `Sprach` is in `Sprachen` and `Sprachkenntnisse`.
_LANGUAGE_TITLE = re.compile(r"language|langue|idioma|sprach|lingue|talen(?!t)|язык|语言|言語|언어", re.I)
_INTEREST_TITLE = re.compile(r"interest|int[ée]r[êe]t|interes|hobb|loisir|freizeit|兴趣|爱好|趣味|관심|취미", re.I)
_SKILL_TITLE = re.compile(
    r"skill|technolog|tool|comp[eé]t[eéê]nc|competenz|kompetenz|expertise|stack|habilidad|kenntnis|"
    r"fähigkeit|vaardighed|навык|技能|スキル|기술|역량",
    re.I,
)
_PROJECT_TITLE = re.compile(r"project|projet|proyecto|projekt|progett|projeto|项目|プロジェクト|프로젝트", re.I)
_AWARD_TITLE = re.compile(
    r"award|honou?r|prize|grant|fellowship|prix|distinction|premio|prêmio|auszeichnung|preise|"
    r"获奖|奖项|受賞|수상",
    re.I,
)
_SUMMARY_TITLE = re.compile(
    r"summary|about|profil|objective|r[ée]sum[ée]|resumen|resumo|zusammenfassung|über mich|sommario|"
    r"samenvatting|简介|概要|要約|소개|요약",
    re.I,
)


def _as_school(job: dict[str, Any]) -> dict[str, Any]:
    """An ExperienceEntry under an education title: the company is the school, the position the degree."""
    school = {"institution": job.pop("organization", None), "degree": job.pop("role", None)}
    job["highlights"] = as_bullets(job.pop("summary", None)) + job.get("highlights", [])  # education has no summary
    return school | job


def as_bullets(summary: str | None) -> list[str]:
    """A summary where the entry has none (education): each paragraph a bullet, its lines joined.
    Whole, a summary of two paragraphs or wrapped lines was a bullet with a line break, which the
    profile refuses, and the import with it."""
    return [" ".join(p.split()) for p in re.split(r"\n\s*\n", summary or "") if p.strip()]


def _as_generic(job: dict[str, Any]) -> dict[str, Any]:
    """A job as a custom section's entry: the role is its title, the organisation its subtitle."""
    generic = {
        "title": job.pop("role", None) or job.get("organization") or "–",
        "subtitle": job.pop("organization", None),
    }
    return generic | job


def _publications(
    title: str, entries: list[Any], loc: Loc, out: dict[str, Any], custom: list[Any], aliases: list[str], note: Note
) -> None:
    items, stray = [], []
    italic: list[str] = []
    kind = pub_type(title)
    for i, e in enumerate(entries):
        eloc = (*loc, i)
        authors = []
        for a in e.get("authors") or []:
            name = str(a).strip()
            if m := _OWNER_MARK.match(
                name
            ):  # RenderCV users mark themselves ***like this***; cvbuild finds them by name
                name = m[2].strip()
                aliases.append(name)
            elif m := _ITALIC_MARK.match(name):
                # italics mark others (mentored students, in github.com/mdenolle/marine-cv): as an
                # alias each was set bold as the CV's owner
                name = m[1].strip()
                italic.append(name)
            authors.append(name)
        item: dict[str, Any] = {"title": _check_text(e.get("title"), (*eloc, "title"), note), "authors": authors}
        item["venue"] = _text(e.get("journal"))
        # RenderCV's `journal` holds any venue ("NeurIPS 2023"), so it says no type; preprint servers
        # do, and so may the section's title ("Journal Articles"; _publication_groups).
        item["type"] = "preprint" if re.search(r"rxiv|preprint", item["venue"] or "", re.I) else "other"
        free = _dates(e, item, eloc, note)
        if "start" in item:  # a publication has one date
            item["date"] = item.pop("start")
            item.pop("end", None)
        doi = _text(e.get("doi"))
        if doi and re.match(r"^10\.\d{4,9}/\S+$", doi):
            item["doi"] = doi
        elif doi:
            note((*eloc, "doi"), f"{doi!r} is not a DOI (10.xxxx/...); not imported")
        item["url"] = _text(e.get("url"))
        extra = leftovers(e, ("title", "authors", "journal", "doi", "url", *_DATED), eloc, note, "in the note")
        notes = [_summary_with(_check_text(e.get("summary"), (*eloc, "summary"), note), None), *extra]
        item["note"] = " ".join(n for n in notes if n) or None
        if "date" not in item or not authors:
            note(eloc, "a publication needs a date (YYYY, YYYY-MM or YYYY-MM-DD) and authors; kept in a custom section")
            stray.append(
                {"title": item["title"] or "Untitled", "subtitle": ", ".join(authors) or None, "summary": free}
                | {"url": item["url"]}
            )
            continue
        items.append(item)
    if italic:
        names = ", ".join(dict.fromkeys(italic))
        note(loc, f"authors in italics ({names[:80]}) are plain names here: cvbuild marks only you, in bold")
    # Several publication sections become one list, grouped by type (from_rendercv decides).
    out.setdefault("publications", []).extend(items)
    out.setdefault("documents_publication_sections", []).append((title, kind, loc, items))
    if stray:
        custom.append({"title": f"{title} (to complete)", "entries": stray})


# A publication section's title -> the type of its entries.
_PUB_TYPES = (
    (r"preprint|under review|submitted", "preprint"),
    (r"poster", "poster"),
    (r"workshop", "workshop"),
    (r"chapter", "chapter"),
    (r"\bbooks?\b|monograph", "book"),
    (r"thes[ie]s|dissertation", "thesis"),
    (r"patent", "patent"),
    (r"report", "report"),
    (r"demo", "demo"),
    (r"journal|article", "journal"),
    (r"conference|proceeding|symposi", "conference"),
)


def pub_type(title: str) -> str | None:
    """The type a publication section's title names ("Journal Articles": journal), or None when it
    names none or several ("Journal and Conference Papers"). A "Conference Poster" is a poster."""
    kinds = [kind for pattern, kind in _PUB_TYPES if re.search(pattern, title, re.I)]
    if len(kinds) > 1 and "conference" in kinds:
        kinds.remove("conference")
    return kinds[0] if len(kinds) == 1 else None


def _publication_groups(
    sections: list[tuple[str, str | None, Loc, list[dict[str, Any]]]],
    doc: dict[str, Any],
    titles: dict[str, str],
    note: Note,
) -> None:
    """RenderCV files list papers in several sections (Preprints, Journal Articles, Posters); when
    each names a type of its own, its papers take that type and the list is grouped by type, in
    the file's order, under the file's titles. Otherwise they are one list under the first title,
    as written (a lone section's title types nothing: "Publications and Posters" are not all posters)."""
    kinds = [kind for _, kind, _, _ in sections]
    if len(sections) > 1 and None not in kinds and len(set(kinds)) == len(kinds):
        doc["publications"] = {"sort": "as_written", "group_by": "type"}
        doc["labels"] = doc.get("labels", {}) | {f"type.{kind}": title for title, kind, _, _ in sections}
        titles.pop("publications", None)  # "Publications" over the groups
        for _, kind, _, items in sections:
            for item in items:
                item["type"] = kind
        return
    doc["publications"] = {"sort": "as_written", "group_by": "none"}
    first = sections[0][0]
    if first.strip().lower() != "publications":
        titles["publications"] = first
    for _, _, loc, _ in sections[1:]:
        note(loc, "joined to the publications of an earlier section")


def _one_line(
    title: str, entries: list[Any], loc: Loc, out: dict[str, Any], custom: list[Any], _a: list[str], note: Note
) -> None:
    rows = [(_text(e.get("label")) or "", _text(e.get("details")) or "") for e in entries]
    for i, e in enumerate(entries):
        leftovers(e, ("label", "details"), (*loc, i), note, None)
    if _LANGUAGE_TITLE.search(title) and not re.search(r"programm|programa", title, re.I):
        langs: list[Any] = [{"language": label, "fluency": details or None} for label, details in rows if label]
        _extend(out, "languages", langs, title, "Languages", loc, note, custom)
    elif _INTEREST_TITLE.search(title):
        interests: list[Any] = [{"name": label, "keywords": _split(details)} for label, details in rows if label]
        _extend(out, "interests", interests, title, "Interests", loc, note, custom)
    elif _SKILL_TITLE.search(title):
        skills: list[Any] = [
            {"category": label, "items": _split(details) or [label]} for label, details in rows if label
        ]
        _extend(out, "skills", skills, title, "Skills", loc, note, custom)
    elif line := line_section(title, [" ".join(r) for r in rows]):
        _, key, field, default = line
        _extend(out, key, _line_items(rows, key, field, loc, note), title, default, loc, note, custom)
    else:  # `label: details` on one line, as RenderCV sets it: the details are the note after the title
        entries_out = [
            {"title": label, "note": details or None} if label else {"summary": details} for label, details in rows
        ]
        custom.append({"title": title, "entries": [e for e in entries_out if e.get("title") or e.get("summary")]})


def _top_level_parts(text: str) -> list[str]:
    """`Español (Nativo), Inglés (B2)` -> two parts: split at commas, semicolons, `|` and `·`
    outside parentheses."""
    parts, depth, cur = [], 0, ""
    for ch in text:
        depth += ch in "(（["
        depth -= ch in ")）]"
        if ch in ",;|·" and depth <= 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    return [p.strip() for p in [*parts, cur] if p.strip()]


def _language_line(text: str) -> dict[str, Any] | None:
    """A language written as a line, `Español (Nativo)`, `**English:** fluent`, `German – B2`:
    the language and its fluency (a line of a Text or Bullet section titled Languages, Idiomas...)."""
    plain = text.replace("**", "").strip()
    m = re.fullmatch(r"(.+?)\s*[(（](.+)[)）]", plain) or re.fullmatch(r"(.+?)\s*(?::|：|\s[–—-])\s*(.+)", plain)
    language, fluency = (m[1], m[2]) if m else (plain, None)
    language = language.strip(" *_:")
    return {"language": language, "fluency": fluency.strip() if fluency else None} if language else None


def _line_items(rows: list[tuple[str, str]], key: str, field: str, loc: Loc, note: Note) -> list[dict[str, Any]]:
    """One-line entries (`label: details`) under a title with a built-in home (Certificates,
    Awards, Talks...): the label is the entry, a link written as it (`[Cert](https://...)`) its
    url; the details are a certificate's issuer, any other entry's note. They were a custom section
    (`certificates-2`) beside the built-in one."""
    items: list[dict[str, Any]] = []
    for i, (label, details) in enumerate(rows):
        if not label:
            continue
        item: dict[str, Any] = {}
        if key == "talks":  # a talk has no url: its title keeps the link, as Markdown
            item[field] = label
        else:
            _name_and_url(label, item, field, (*loc, i, "label"), note)
        item["issuer" if key == "certificates" else "note"] = details or None
        items.append(item)
    return items


def _split(details: str) -> list[str]:
    """`Python, C++, Rust` -> three items; a comma inside parentheses does not split. Details with
    groups of their own (`R: dplyr, ggplot; Python: pandas`) stay one item: the items are shown
    joined by commas, where the semicolons and colons would be lost."""
    parts, depth, cur = [], 0, ""
    for ch in details:
        depth += ch in "([{"
        depth -= ch in ")]}"
        if ch in ",;:" and depth <= 0:
            if ch != ",":
                return [details.strip()] if details.strip() else []
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    parts.append(cur)
    return [p.strip() for p in parts if p.strip()]


def _normal(
    title: str, entries: list[Any], loc: Loc, out: dict[str, Any], custom: list[Any], _a: list[str], note: Note
) -> None:
    if _PROJECT_TITLE.search(title):
        items = []
        for i, e in enumerate(entries):
            eloc = (*loc, i)
            item: dict[str, Any] = {}
            _check_text(e.get("name"), (*eloc, "name"), note)
            _name_and_url(e.get("name"), item, "name", (*eloc, "name"), note)
            free = _dates(e, item, eloc, note)
            summary = _summary_with(_check_text(e.get("summary"), (*eloc, "summary"), note), free)
            if location := _text(e.get("location")):
                summary = f"{location}. {summary}" if summary else location
            item["summary"] = summary
            item["highlights"] = _highlights(e.get("highlights"), (*eloc, "highlights"), note)
            item["highlights"] += leftovers(e, ("name", *_DATED), eloc, note)
            items.append(item)
        _extend(out, "projects", items, title, "Projects", loc, note, custom)
        return
    if _AWARD_TITLE.search(title):
        honors = []
        for i, e in enumerate(entries):
            eloc = (*loc, i)
            item = {"title": _check_text(e.get("name"), (*eloc, "name"), note)}
            free = _dates(e, item, eloc, note)  # a date, or a range: a fellowship held 2016-2019
            parts = [_summary_with(_check_text(e.get("summary"), (*eloc, "summary"), note), free)]
            parts += [_text(e.get("location")), *_texts(e.get("highlights"), (*eloc, "highlights"), note)]
            parts += leftovers(e, ("name", *_DATED), eloc, note, "in the note")
            item["note"] = "; ".join(p for p in parts if p) or None
            honors.append(item)
        _extend(out, "honors", honors, title, "Honors & Awards", loc, note, custom)
        return
    custom.append(_custom_section(title, entries, loc, note))


_TALK_TITLE = (
    r"talk|presentation|speaking|vortr[äa]g|expos[ée]s|ponencia|charlas|palestra|interventi|"
    r"presentatie|lezing|报告|演讲|講演|발표|강연"
)
# Sections of one-line entries that have a built-in home: (title pattern, section, field, default
# title), in English and the other languages cvbuild speaks: `Vorträge`, `Enseignement` or `受賞歴`
# stayed custom lists where `Talks`, `Teaching` and `Awards` found their home.
LINE_SECTIONS = (
    (
        rf"{_TALK_TITLE}|conf[ée]rences",
        "talks",
        "title",
        "Talks",
    ),
    (
        r"service|review|gutacht|gremient|responsabilit[ée]s collectives|servicio acad|incarichi|atividades acad|"
        r"academische activ|学术服务|学会活動|학술 활동",
        "service",
        "role",
        "Service",
    ),
    (
        r"teach|\blehre\b|lehrtätigkeit|enseignement|docencia|ense[ñn]anza|didattic|doc[êe]ncia|ensino|onderwijs|"
        r"教学|授業|講義|教育歴|강의",
        "teaching",
        "course",
        "Teaching",
    ),
    (
        r"award|honou?r|prize|auszeichnung|\bpreise\b|\bprix\b|distinction|premio|\bpremi\b|pr[êé]mio|prijs|"
        r"prijzen|onderscheiding|获奖|奖项|荣誉|受賞|表彰|수상",
        "honors",
        "title",
        "Honors & Awards",
    ),
    (r"certific|zertifi|资格|证书|資格|자격", "certificates", "name", "Certificates"),
)


# A title that says the conferences were attended, not spoken at ("Conferences Attended",
# "Conference Participation", "Teilnahme an Tagungen"): no talks, whatever else it says.
_ATTENDED_TITLE = re.compile(
    r"attend|participa|teilnahme|teilgenommen|besucht|asistencia|asistid|partecipa|deelname|bijgewoond|"
    r"参加|参会|出席|참석|참가",
    re.I,
)
# What a talk given reads as, in a line of a section titled only "Conferences".
_TALK_LINE = re.compile(
    r"\btalks?\b|present|poster|keynote|invited|speaker|\boral\b|lecture|seminar|webinar|panel|"
    r"vortrag|communication|expos[ée]|ponencia|[\"“”«»„]",
    re.I,
)


def line_section(title: str, texts: Sequence[str]) -> tuple[str, str, str, str] | None:
    """The built-in home (LINE_SECTIONS) of a section of lines under `title`, if it has one.
    Attended is not given: "Conferences Attended" are no talks, and lines under a title that
    says only "Conferences" (English; "Conférences" is French for talks) are talks when one of
    them reads as one ("Poster: ...", a quoted title), else conferences, kept as written."""
    line = next((x for x in LINE_SECTIONS if re.search(x[0], title, re.I)), None)
    if line is None or line[1] != "talks":
        return line
    if _ATTENDED_TITLE.search(title):
        return None
    only_conferences = not re.search(_TALK_TITLE, title, re.I)
    if only_conferences and "é" not in title.lower() and not any(_TALK_LINE.search(t) for t in texts):
        return None
    return line


def _lines(
    title: str, entries: list[Any], loc: Loc, out: dict[str, Any], custom: list[Any], _a: list[str], note: Note
) -> None:
    """TextEntry, BulletEntry, NumberedEntry, ReversedNumberedEntry: lines of text."""
    texts = []
    for i, e in enumerate(entries):
        value = e if isinstance(e, str) else next(e.get(k) for k in ("bullet", "number", "reversed_number") if k in e)
        if not isinstance(e, str):
            leftovers(e, ("bullet", "number", "reversed_number"), (*loc, i), note, None)
        if text := _check_text(value, (*loc, i), note):
            texts.append(text)
    if not texts:
        return
    if isinstance(entries[0], str) and _SUMMARY_TITLE.search(title) and "summary" not in out:
        out["summary"] = " ".join(texts)
        if title.strip().lower() != "summary":
            out.setdefault("documents_titles", {})["summary"] = title
        return
    if _LANGUAGE_TITLE.search(title) and not re.search(r"programm|programa", title, re.I) and "languages" not in out:
        langs = [_language_line(part) for t in texts for part in _top_level_parts(t)]
        _extend(out, "languages", [x for x in langs if x], title, "Languages", loc, note, custom)
        return
    if isinstance(entries[0], Mapping) and ("number" in entries[0] or "reversed_number" in entries[0]):
        note(loc, "numbered entries become a list; cvbuild numbers publications only")
    if line := line_section(title, texts):
        _, key, field, default = line
        _extend(out, key, [{field: t} for t in texts], title, default, loc, note, custom)
        return
    # TextEntry strings are paragraphs (a free-text section). Bullets and numbered lines are one bulleted
    # list, as RenderCV sets them: as titles they were each set bold, their own **Label:** lost in it.
    if isinstance(entries[0], str):
        custom.append({"title": title, "entries": [{"summary": t} for t in texts]})
    else:
        custom.append({"title": title, "entries": [{"highlights": texts}]})


def _custom_section(title: str, entries: list[Any], loc: Loc, note: Note) -> dict[str, Any]:
    """Any entries as generic ones: name/title/label -> title, company/institution -> subtitle."""
    out = []
    for i, e in enumerate(entries):
        eloc = (*loc, i)
        if not isinstance(e, Mapping):
            out.append({"title": _text(e) or "–"})
            continue
        head = next((t for k in ("name", "title", "label", "bullet") if (t := _text(e.get(k)))), None)
        sub = next((t for k in ("company", "institution", "position", "details") if (t := _text(e.get(k)))), None)
        item: dict[str, Any] = {"title": head or "–", "subtitle": sub, "location": _text(e.get("location"))}
        free = _dates(e, item, eloc, note)
        item["summary"] = _summary_with(_check_text(e.get("summary"), (*eloc, "summary"), note), free)
        item["url"] = _text(e.get("url"))
        item["highlights"] = _highlights(e.get("highlights"), (*eloc, "highlights"), note)
        used = ("name", "title", "label", "bullet", "company", "institution", "position", "details", "url", *_DATED)
        item["highlights"] += leftovers(e, used, eloc, note)
        out.append(_link_location(item))
    return {"title": title, "entries": out}


def _link_location(item: dict[str, Any]) -> dict[str, Any]:
    """A location written as a Markdown link, `[qr-universe.com](https://...)`, which RenderCV shows
    as a link: a location is plain text in a profile, so its text stays and the target becomes the
    entry's url (when it has none)."""
    m = _WHOLE_LINK.match(item.get("location") or "")
    if m:
        item["location"] = m[1].strip()
        item["url"] = item.get("url") or m[2]
    return item


def _extend(
    out: dict[str, Any], key: str, items: list[Any], title: str, default: str, loc: Loc, note: Note, custom: list[Any]
) -> None:
    """Add to a built-in section. A later section of the same kind under a title of its own
    ("Honors" after "Awards", "Contributed Talks" after "Invited Talks") is a custom section, in
    its place, as RenderCV shows it: joined to the first, its heading was lost and its entries
    moved up; under the same title it joins the first."""
    first = out.get("documents_titles", {}).get(key, default)
    if key in out and title.strip().lower() != first.strip().lower():
        custom.append({"title": title, "entries": [_as_custom(item) for item in items]})
        return
    if key in out:
        note(loc, f"joined to the {key} of an earlier section")
    elif title.strip().lower() != default.lower():
        out.setdefault("documents_titles", {})[key] = title
    out.setdefault(key, []).extend(items)


# A built-in section's fields as a custom entry's: what heads the entry, and what stands under it.
_AS_TITLE = ("title", "name", "course", "role", "category", "language")
_AS_SUBTITLE = ("issuer", "organization", "event", "institution", "fluency")
_AS_IS = ("date", "start", "end", "location", "summary", "highlights", "url")


def _as_custom(item: dict[str, Any]) -> dict[str, Any]:
    """A built-in section's entry (an honor, a talk, a skill group, a project) as a custom one."""
    words = [str(v) for k in ("items", "keywords") for v in item.get(k) or []]
    if {"category", "language", "keywords"} & set(item):  # a one-line entry's: `label: details`, one line
        head = item.get("category") or item.get("language") or item.get("name") or "–"
        return {"title": head, "note": "; ".join(t for t in (item.get("fluency"), ", ".join(words)) if t) or None}
    summary = "; ".join(t for t in (item.get("summary"), item.get("note"), ", ".join(words)) if t) or None
    return {
        "title": next((item[k] for k in _AS_TITLE if item.get(k)), "–"),
        "subtitle": next((item[k] for k in _AS_SUBTITLE if item.get(k)), None),
        **{k: item[k] for k in _AS_IS if item.get(k) not in (None, [], "")},
        "summary": summary,
    }


SECTION_HANDLERS: dict[str, Handler] = {
    "EducationEntry": _education,
    "ExperienceEntry": _experience,
    "PublicationEntry": _publications,
    "OneLineEntry": _one_line,
    "NormalEntry": _normal,
    "TextEntry": _lines,
    "BulletEntry": _lines,
    "NumberedEntry": _lines,
    "ReversedNumberedEntry": _lines,
}


# A RenderCV date template -> cvbuild's date_format (RenderCV's default, MONTH_ABBREVIATION YEAR, is short).
_DATE_TEMPLATES = (("MONTH_NAME", "long"), ("MONTH_ABBREVIATION", "short"), ("MONTH", "numeric"), ("YEAR", "year"))


def _date_style(template: str, locale: Mapping[str, Any], code: str) -> str | None:
    """cvbuild's date_format for a RenderCV date template: the one that prints a date as the
    template does in the file's locale (`YEAR년 MONTH월` is Korean's short, "2024년 3월", not
    the numeric "2024/3" its MONTH suggests), else the one its placeholders name."""
    from cvbuild.document.dates import format_date

    def names(*keys: str) -> list[str]:
        found = next((v for k in keys if isinstance(v := locale.get(k), list) and len(v) == 12), None)
        return [str(n) for n in found] if found else []

    month, year = 3, 2024
    full = names("month_names", "full_names_of_months") or ["March"] * 12
    short = names("month_abbreviations", "abbreviations_for_months") or ["Mar"] * 12
    shown = template
    for key, value in (  # longest first: MONTH_NAME before MONTH
        ("FULL_MONTH_NAME", full[month - 1]),
        ("MONTH_NAME", full[month - 1]),
        ("MONTH_ABBREVIATION", short[month - 1]),
        ("MONTH_IN_TWO_DIGITS", f"{month:02d}"),
        ("MONTH", str(month)),
        ("YEAR_IN_TWO_DIGITS", str(year)[2:]),
        ("YEAR", str(year)),
    ):
        shown = shown.replace(key, value)
    date = parse_date(f"{year}-{month:02d}")
    named = next((s for key, s in _DATE_TEMPLATES if key in template), None)
    # the style the placeholders name first: French March is "mars" in both short and long
    for style in dict.fromkeys([named, "short", "long", "numeric", "year"]):
        if style and format_date(date, code, style) == shown:
            return style
    return named


# RenderCV's month names: 2.x `locale`, then 1.x `locale_catalog`.
_MONTH_NAMES = {
    "short": ("month_abbreviations", "abbreviations_for_months"),
    "long": ("month_names", "full_names_of_months"),
}


def _locale_words(locale: Mapping[str, Any], doc: dict[str, Any], note: Note, where: str = "locale") -> None:
    """The locale's word for an ongoing end (`present: presente`), its date template and its month
    names, which cvbuild has a place for (the document's labels and date_format); RenderCV's other
    words are cvbuild's own, by locale. The user's `presente` was printed `actualidad`, and their
    `Sept` `Sep`."""
    from cvbuild.document.locales import words

    present = _text(locale.get("present"))
    if present and present != words(str(doc.get("locale", "en"))).get("date.present"):
        doc["labels"] = doc.get("labels", {}) | {"date.present": present}
    template = _text(locale.get("date_template") or locale.get("single_date_template"))
    style = _date_style(template, locale, str(doc.get("locale", "en"))) if template else None
    if style is not None and style != "short":
        doc["date_format"] = style
    doc["labels"] = doc.get("labels", {}) | _month_labels(locale, str(doc.get("locale", "en")), style or "short")
    if not doc["labels"]:
        del doc["labels"]
    read = {
        "language",
        "present",
        "date_template",
        "single_date_template",
        *_MONTH_NAMES["short"],
        *_MONTH_NAMES["long"],
    }
    if other := [str(k) for k in locale if k not in read]:
        note((where,), f"custom words ({', '.join(other)}) are not imported; cvbuild has its own for each locale")
    for key in (*_MONTH_NAMES["short"], *_MONTH_NAMES["long"]):  # 11 names were dropped with no word
        names = locale.get(key)
        if names is not None and not (isinstance(names, list) and len(names) == 12):
            count = f"{len(names)} names" if isinstance(names, list) else "not a list"
            note((where, key), f"{count}, not one for each of the 12 months: not imported; cvbuild prints its own")


def _month_labels(locale: Mapping[str, Any], code: str, style: str) -> dict[str, str]:
    """The file's names of the months in the date style the document prints (`month.short.9: Sept`),
    each where cvbuild's own for the locale differ (RenderCV's English `June`, `Sept` for `Jun`, `Sep`)."""
    from cvbuild.document.dates import format_date, printed_name
    from cvbuild.schema.fields import PartialDate

    names = next(
        (v for k in _MONTH_NAMES.get(style, ()) if isinstance(v := locale.get(k), list) and len(v) == 12), None
    )
    labels: dict[str, str] = {}
    for month, name in enumerate(names or [], start=1):
        shown = printed_name(format_date(PartialDate(2024, month), code, style), month, style, code)
        if (text := _text(name)) and text != shown:
            labels[f"month.{style}.{month}"] = text
    return labels


def _document(data: Mapping[str, Any], note: Note, *, has_photo: bool) -> dict[str, Any]:
    """design.theme -> the nearest cvbuild theme and its options; locale.language -> locale."""
    doc: dict[str, Any] = {}
    options: dict[str, Any] = {}
    design = data.get("design") or {}
    name = str(design.get("theme") or "classic")
    theme, accent = THEMES.get(name, ("classic", None))
    if name not in THEMES:
        note(("design", "theme"), f"{name!r} is not a built-in RenderCV theme; using cvbuild's classic")
    doc["theme"] = theme
    page = _at(design, "page") or {}
    size_name = str(page.get("size") or design.get("page_size") or "us-letter").lower()  # page_size: 1.x
    options["page_size"] = "a4" if size_name in ("a4", "a4paper") else "us-letter"
    options["margin"] = _margin(design, name, note)
    if _footer(design, name, note) is False:
        options["footer"] = False
    color = _rgb(_at(design, "colors", "section_titles") or _at(design, "colors", "name") or design.get("color"))
    if color or accent:  # color: 1.x
        options["accent"] = color or accent
    # typography.font_size.body: 2.4 on; text.font_size: 2.0 to 2.3; font_size: 1.x
    size = _at(design, "typography", "font_size", "body") or _at(design, "text", "font_size") or design.get("font_size")
    if isinstance(size, str) and re.fullmatch(r"\d+(\.\d+)?pt", size.strip()):
        options["font_size"] = size.strip()
    elif size is None:  # RenderCV's body size in every theme (1.x and 2.x); classic's own is 10.5pt
        options["font_size"] = "10pt"
    if has_photo:
        options["show_photo"] = True  # a RenderCV user who set a photo sees it
    read = ("theme", "page", "colors", "typography", "text", "page_size", "color", "font_size", "margins")
    for key in design:  # each at its own line: a margin among them says where it was
        if key not in read:
            note(("design", key), "no cvbuild option for this; not imported")
    locale = data.get("locale") or {}
    if isinstance(locale, Mapping) and locale.get("language"):
        from cvbuild.document.locales import unsupported

        language = str(locale["language"]).strip().lower()
        # RenderCV 2.0 to 2.2 took an ISO 639-1 code (`en`, `ko`); later versions the English name.
        code = language if language in LOCALES.values() else LOCALES.get(language)
        if code and (problem := unsupported(code)):  # the profile would not validate: headings stay English
            note(("locale", "language"), f"{problem}; not imported")
        elif code:
            doc["locale"] = code
        else:
            note(("locale", "language"), f"unknown language {locale['language']!r}; not imported")
    if isinstance(locale, Mapping):
        _locale_words(locale, doc, note)
    if data.get("settings") or data.get("rendercv_settings"):
        note(("settings",) if "settings" in data else ("rendercv_settings",), "RenderCV settings are not imported")
    if isinstance(catalog := data.get("locale_catalog"), Mapping) and catalog:  # RenderCV 1.x's `locale`
        _locale_words(catalog, doc, note, "locale_catalog")
    for key in data:
        if key not in ("cv", "design", "locale", "settings", "rendercv_settings", "locale_catalog"):
            note((key,), "not a part of a RenderCV file; not imported")
    doc["options"] = options
    return doc


def _at(data: Any, *keys: str | int) -> Any:
    """data[k1][k2]..., or None where a level is missing or is not a mapping."""
    for key in keys:
        if not isinstance(data, Mapping):
            return None
        data = data.get(key)
    return data


_SIDES = ("top", "bottom", "left", "right")  # as RenderCV files write them: notes come in that order
_MAX_MARGIN = LENGTH_RANGES["margin"][1]  # in points
# Keys only RenderCV 2.0 to 2.3 has; its page margin was 2cm in every theme, 0.7in (classic) since 2.4.
_RENDERCV_2_0_PAGE_KEYS = {"show_page_numbering", "show_last_updated_date"}


def _margin(design: Mapping[str, Any], theme: str, note: Note) -> str:
    """cvbuild's margin from RenderCV's four (2.x `page.top_margin`..., 1.x `margins.page.top`...;
    a side the file leaves out has RenderCV's own for that version and theme), one length per
    side as CSS writes them (`0.5in 0.7in`), or one where all four are the same."""
    if _RENDERCV_1_KEYS & set(design):
        for key in _at(design, "margins") or ():  # section_title, entry_area...: spacing cvbuild's themes set
            if key != "page":
                note(("design", "margins", key), "no cvbuild option for these margins; not imported")
        where: Loc = ("design", "margins", "page")
        keys = {side: side for side in _SIDES}
        default = "2cm"
    else:
        where = ("design", "page")
        keys = {side: f"{side}_margin" for side in _SIDES}
        old = "text" in design or bool(_RENDERCV_2_0_PAGE_KEYS & set(_at(design, "page") or ()))
        default = "2cm" if old else MARGINS.get(theme, "0.7in")
    page = _at(design, *where[1:])
    page = page if isinstance(page, Mapping) else {}
    sides: dict[str, str] = {}
    for side, key in keys.items():
        value = page.get(key)
        length = _length(value)
        if value is not None and length is None:
            note(
                (*where, key),
                f"{value!r} is not a margin cvbuild takes (pt, mm, cm, in); taken as RenderCV's own {default}",
            )
        if length and points(length) > _MAX_MARGIN:  # a page cvbuild would refuse to render
            note((*where, key), f"{value!r} is more than the {_MAX_MARGIN:g}pt cvbuild's margin takes; taken as that")
            length = f"{_MAX_MARGIN:g}pt"
        sides[side] = length or default
    return margin_text(*(sides[side] for side in SIDES))


def _length(value: Any) -> str | None:
    """A RenderCV length (`0.5in`, `0.5 in`, `2 cm`, `1.in`) as cvbuild writes it, or None for
    one cvbuild cannot take (em, ex: relative to a font) or that is no length."""
    m = re.fullmatch(r"(\d+)(?:\.(\d*))?\s*(pt|mm|cm|in)", _text(value) or "")
    if m is None:
        return None
    return f"{m[1]}{'.' + m[2] if m[2] else ''}{m[3]}"


# Themes whose footer (page numbers) or top note (the date) RenderCV hides unless the file shows it:
# 2.4 on, then 2.0 to 2.3 (where the top note was `show_last_updated_date`, shown in every theme).
_NO_FOOTER = {"engineeringresumes", "opal"}
_NO_TOP_NOTE = {"harvard", "opal"}
_NO_PAGE_NUMBERS = {"engineeringresumes", "engineeringclassic"}


def _footer(design: Mapping[str, Any], theme: str, note: Note) -> bool | None:
    """False where RenderCV shows neither its footer (the page numbers) nor its top note (the
    date): cvbuild's footer holds both (the date on page 1, name and page numbers after it), so
    it is off only when both are; where one is shown it stays on, and a file that hid the other
    hears so at that line."""
    page = _at(design, "page")
    page = page if isinstance(page, Mapping) else {}
    if "text" in design or _RENDERCV_2_0_PAGE_KEYS & set(page):
        keys, hidden = ("show_page_numbering", "show_last_updated_date"), (theme in _NO_PAGE_NUMBERS, False)
    else:
        keys, hidden = ("show_footer", "show_top_note"), (theme in _NO_FOOTER, theme in _NO_TOP_NOTE)
    shown = [page[k] if isinstance(page.get(k), bool) else not h for k, h in zip(keys, hidden, strict=True)]
    if not any(shown):
        return False
    for key, on in zip(keys, shown, strict=True):
        if not on and key in page:
            note(
                ("design", "page", key),
                "cvbuild's footer shows the date on page 1 and the page numbers after it, both or neither; "
                "kept, as RenderCV shows the other",
            )
    return None


def _rgb(value: Any) -> str | None:
    text = _text(value) or ""
    m = re.fullmatch(r"rgb\(\s*(\d+)\s*[,\s]\s*(\d+)\s*[,\s]\s*(\d+)\s*\)", text)  # rgb(1, 2, 3) or rgb(1 2 3)
    if m:
        return "#" + "".join(f"{min(int(c), 255):02x}" for c in m.groups())
    if re.fullmatch(r"#[0-9a-fA-F]{6}|#[0-9a-fA-F]{3}", text):
        return text.lower()
    return None
