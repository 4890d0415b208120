"""Built-in section ids, their default order and titles."""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Sequence

from cvbuild.document.authors import ascii_slug

# Default order of sections; custom sections follow in the order they are written.
BUILTIN_SECTIONS: dict[str, str] = {
    "summary": "Summary",
    "interests": "Interests",  # research topics or hobbies (JSON Resume): a document may retitle it
    "education": "Education",
    "experience": "Experience",
    "publications": "Publications",
    "projects": "Projects",
    "honors": "Honors & Awards",
    "certificates": "Certificates",
    "talks": "Talks",
    "teaching": "Teaching",
    "service": "Service",
    "volunteer": "Volunteering",
    "skills": "Skills",
    "languages": "Languages",
    "references": "References",
}


def custom_section_ids(sections: Sequence[tuple[str | None, str]]) -> list[str]:
    """The id of each custom section, given as (`id`, `title`): its own `id`, else the slug of its
    title, with -2, -3... added while a built-in section, an explicit `id` or an earlier section
    has that slug, as page anchors do: a section titled "Interests" beside the built-in `interests`
    is `interests-2` (real CVs title their own sections so). Explicit ids are kept as written; a
    clash among those is the profile's error (schema.validate)."""
    taken = set(BUILTIN_SECTIONS) | {sid for sid, _ in sections if sid}
    ids = []
    for sid, title in sections:
        if not sid:
            sid = free_id(section_slug(title), taken)
            taken.add(sid)
        ids.append(sid)
    return ids


def free_id(base: str, taken: set[str]) -> str:
    """`base`, or `base-2`, `base-3`... the first that is not taken, as page anchors count."""
    sid, n = base, 2
    while sid in taken:
        sid, n = f"{base}-{n}", n + 1
    return sid


def section_slug(title: str) -> str:
    """A stable id for a custom section from its title, folded as file names are (`ascii_slug`):
    NFKD alone dropped the letters it does not decompose, `Straße` was `strae`, `Ørsted` `rsted`.
    A title with no Latin letter or digit (`Публикации`, `研究经历`) is `section-` and six hex
    digits of it: all were `section`, `section-2`... by their place, so moving one section gave it
    another's id, and a document's `sections:` list chose the wrong one."""
    if slug := ascii_slug(title):
        return slug
    return "section-" + hashlib.sha1(unicodedata.normalize("NFC", title.strip()).encode("utf-8")).hexdigest()[:6]
