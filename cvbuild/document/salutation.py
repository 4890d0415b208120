"""A cover letter's salutation built from its recipient's name, in the letter's language:
`Dr. Jane Roe` is greeted "Dear Dr. Roe,", `Frau Dr. Anna Müller` "Sehr geehrte Frau Dr. Müller,".

The titles the name starts with are kept, with the surname (and its particles: de la Cruz, van
Dijk); a title that says who is addressed (Frau, Mr., Sra., Dott.ssa) picks the language's form for
a woman or a man (`letter.salutation_to.f`, `.m`), where the language has one. A name with no such
title is greeted whole, in the language's neutral form ("Guten Tag Dr. Jordan Lee,"), as nothing in
it says which form is right. French greets by title alone ("Madame,"), Japanese opens with 拝啓.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

# Titles a name may start with, and whom each addresses: "f", "m", or "" (either).
TITLES: dict[str, str] = {
    **dict.fromkeys(("Mr.", "Mr", "Herr", "Monsieur", "M.", "Sr.", "Sig.", "Dhr.", "heer", "Sig"), "m"),
    **dict.fromkeys(("Mrs.", "Mrs", "Ms.", "Ms", "Miss", "Frau", "Madame", "Mme", "Mme."), "f"),
    **dict.fromkeys(("Mademoiselle", "Sra.", "Srta.", "Dra.", "Profa.", "Sig.ra", "Mevr.", "mevrouw"), "f"),
    **dict.fromkeys(("Dott.ssa", "Prof.ssa", "Ing.ssa", "Avv.ssa"), "f"),
    **dict.fromkeys(("Dr.", "Dr", "Prof.", "Prof", "Professor", "Professorin", "Mx.", "Mx", "Pr", "Pr."), ""),
    **dict.fromkeys(("Dipl.-Ing.", "Ing.", "Dott.", "Avv.", "dr.", "prof.", "ir.", "mr.", "drs."), ""),
}
# Where a title is a man's in the language's grammar (Spanish "Dr." beside "Dra.").
MASCULINE = {"es": {"Dr.", "Prof."}, "pt": {"Dr.", "Prof."}, "it": {"Dott.", "Prof.", "Ing.", "Avv."}}
# Lower-case words that belong to a surname: de la Cruz, van Dijk, von Humboldt, da Silva.
PARTICLES = frozenset(
    [
        "de",
        "la",
        "le",
        "du",
        "des",
        "del",
        "della",
        "di",
        "da",
        "das",
        "do",
        "dos",
        "van",
        "der",
        "den",
        "von",
        "zu",
        "ten",
        "ter",
    ]
)


def addressed(name: str, language: str) -> tuple[str, str]:
    """How a letter addresses `name` (its titles and surname, or the name whole when it has no
    title), and whom: "f", "m" or "" when the name does not say."""
    words = name.split()
    titles = []
    while words and words[0] in TITLES and len(words) > 1:
        titles.append(words.pop(0))
    if not titles:
        return " ".join(name.split()), ""
    words = _name_words(words)
    surname = [words.pop()]
    while len(words) > 0 and words[-1] in PARTICLES:
        surname.insert(0, words.pop())
    gender = ""
    for title in titles:
        gender = TITLES[title] or ("m" if title in MASCULINE.get(language, ()) else gender)
    return " ".join(titles + surname), gender


def _name_words(words: list[str]) -> list[str]:
    """The words of the name, without what follows it: a degree, a generational suffix, a position
    after a comma or in brackets (`Jane Roe, PhD`, `Jane Roe Jr.`, `Jane Roe (HR)`), which was
    greeted as the surname ("Dear Dr. PhD,"). `Roe, Jane` keeps Roe. The words as they were when
    nothing is left."""
    from cvbuild.document.authors import bare_name

    before = re.split(r"[,(]", " ".join(words), maxsplit=1)[0]
    return bare_name(before).split() or words


def salutation(name: str, words: Mapping[str, str], language: str) -> str:
    """The salutation of a letter to `name`, in the words of its language."""
    who, gender = addressed(name, language)
    if not gender and words["letter.salutation_to.f"] != words["letter.salutation_to.m"]:
        who = " ".join(name.split())  # "Guten Tag Dr. Anna Müller,": her name whole, not "Dr. Müller"
    key = f"letter.salutation_to.{gender}" if gender else "letter.salutation_to"
    return words[key].format(name=who)
