"""Built-in section ids, their default order and titles."""

from __future__ import annotations

import re
import unicodedata

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


def section_slug(title: str) -> str:
    """A stable id for a custom section from its title."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")
    return slug or "section"
