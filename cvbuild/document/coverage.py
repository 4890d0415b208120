"""The one list of profile fields that no output prints, each with its reason.

Every other field of the profile schema is shown by every built-in theme in txt, md, html and
pdf; tests/test_coverage.py proves it by putting a unique marker into every field and finding
each marker in every output. Patterns are schema paths (`[]` for list items); `*` matches
any run of characters.
"""

from __future__ import annotations

import re

NOT_PRINTED: dict[str, str] = {
    "aliases[]": "how the owner appears in author lists; used to highlight the owner's name",
    "*tags[]": "choose entries for a document",
    "documents*": "document variants: they choose what is printed",
    "publications[].id": "a key that YAML entries and BibTeX entries share",
    "publications[].bibtex": "a file the publications are read from",
    "publications[].selected": "chooses publications for `selected_only`",
    "publications[].equal_contribution[]": "printed as `*` after the author it names",
    "publications[].corresponding[]": "printed as `†` after the author it names",
    "publications[].type": "a choice: printed as the group heading when grouped by type",
    "publications[].status": "a choice: printed as its label (`status_label`, `Under review`)",
    "sections[].id": "a key for `documents.*.sections`",
    "teaching[].start": "when `term`/`terms` are given they are printed instead of the dates",
    "teaching[].end": "when `term`/`terms` are given they are printed instead of the dates",
    "education[].expected": "a flag: printed as `(expected)` after the end date",
    "talks[].invited": "a flag: printed as `(invited)`",
    "photo": "an image file: embedded, not printed as text, where the theme's `show_photo` is on",
}


def not_printed_reason(path: str) -> str | None:
    """Why the field at `path` is not printed, or None when every output must show it."""
    for pattern, reason in NOT_PRINTED.items():
        regex = re.escape(pattern).replace(r"\*", ".*")  # `[]` is literal, unlike in fnmatch
        if re.fullmatch(regex, path) or re.fullmatch(regex, path + "[]"):  # a list, or its items
            return reason
    return None
