"""Owner matching, author marks and truncation that keeps the owner visible."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cvbuild.document.authors import is_owner, owner_keys, resolve_authors, strip_marks, truncate
from cvbuild.document.model import Author
from cvbuild.targets.jinja import authors_html, authors_md, authors_text

OWNER = owner_keys(["Ziming Mao", "Z. Mao"])


@pytest.mark.parametrize(
    "name",
    [
        "Ziming Mao",
        "Z. Mao",  # initials
        "Z Mao",
        "Mao, Ziming",  # Last, First
        "Mao, Z.",
        "ziming mao",  # case
        "ZIMING MAO",
        "Zimíng Mão",  # accents
        "Ziming Mao*",  # markers
        "Ziming Mao†",
        "*Ziming Mao",
        "∗Mao, Ziming",
        "Ziming Mao¹",
        "**Ziming Mao**",  # bold copied from a Markdown page
        "Ziming M. Mao",  # a middle initial the profile does not give
        " Ziming  Mao ",
    ],
)
def test_owner_is_recognised(name: str) -> None:
    assert is_owner(name, OWNER)


@pytest.mark.parametrize(
    "name",
    [
        "Wei Mao",  # same family name, different person
        "Mao, Wei",
        "W. Mao",
        "Xiangxi Mo",
        "Ziming Ma",
        "Mao",  # a family name alone says nothing
        "Ziming",
        "Z. M. Mao",  # a second initial the owner does not have
        "Mao Ziming",  # family-first without a comma is ambiguous; list it as an alias if you use it
        "",
        "et al.",
    ],
)
def test_other_people_are_not_the_owner(name: str) -> None:
    assert not is_owner(name, OWNER)


def test_aliases_extend_matching() -> None:
    keys = owner_keys(["Ziming Mao", "Mao Ziming", "毛子明"])
    assert is_owner("Mao Ziming", keys)
    assert is_owner("毛子明", keys)


def test_hyphenated_given_names_and_their_initials() -> None:
    keys = owner_keys(["Wei-Lin Chiang"])
    for name in ("Wei-Lin Chiang", "W.-L. Chiang", "W-L Chiang", "Chiang, Wei-Lin", "Chiang, W.-L."):
        assert is_owner(name, keys), name
    for name in ("Wei Chiang", "W. Chiang", "Lin Chiang", "W.-J. Chiang"):
        assert not is_owner(name, keys), name


def test_letters_without_decomposition_are_folded() -> None:
    keys = owner_keys(["Søren Łukasz Kierkegaard"])
    assert is_owner("Soren Lukasz Kierkegaard", keys)
    assert is_owner("S. Ł. Kierkegaard", keys)
    assert is_owner("Søren Kierkegaard", keys)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Ada Example", ("Ada Example", False, False)),
        ("Ada Example*", ("Ada Example", True, False)),
        ("Ada Example†", ("Ada Example", False, True)),
        ("Ada Example*†", ("Ada Example", True, True)),
        ("*Pang, Ce", ("Pang, Ce", True, False)),
        ("∗Yadav, Sourabh", ("Yadav, Sourabh", True, False)),
        ("**Ada Example**", ("Ada Example", False, False)),
        ("**Ada Example***", ("Ada Example", True, False)),
    ],
)
def test_strip_marks(raw: str, expected: tuple[str, bool, bool]) -> None:
    assert strip_marks(raw) == expected


def test_resolve_authors_flags_and_et_al() -> None:
    authors = resolve_authors(
        ["Ziming Mao*", "Tian Xia", "Ion Stoica†", "others", "et al."],
        OWNER,
        equal=["Tian Xia"],
        corresponding=["Mao, Ziming"],
    )
    assert authors == [
        Author(name="Ziming Mao", is_owner=True, equal=True, corresponding=True),
        Author(name="Tian Xia", equal=True),
        Author(name="Ion Stoica", corresponding=True),
        Author(name="et al.", etal=True),
    ]


def _people(*names: str, owner: str) -> list[Author]:
    return resolve_authors(list(names), owner_keys([owner]))


def test_truncation_matches_the_resume_style() -> None:
    authors = _people(
        "Zhifei Li*", "Tian Xia*", "Ziming Mao", "Jamison Kerney", "Ethan J. Jackson", "Scott Shenker", "Ion Stoica",
        owner="Tian Xia",
    )  # fmt: skip
    assert authors_text(truncate(authors, 4)) == "Zhifei Li*, Tian Xia*, et al., Scott Shenker, Ion Stoica"


def test_truncation_keeps_an_owner_from_the_middle_within_the_limit() -> None:
    names = [f"Person {c}" for c in "ABCDEFGHIJ"]
    names[5] = "Ziming Mao"
    shown = truncate(_people(*names, owner="Ziming Mao"), 4)
    assert authors_text(shown) == "Person A, et al., Ziming Mao, et al., Person I, Person J"
    assert sum(not a.etal for a in shown) == 4
    md = authors_md(shown)
    assert "**Ziming Mao**" in md and md.count("et al.") == 2


def test_truncation_never_hides_a_single_name_behind_et_al() -> None:
    shown = truncate(_people("A a", "B b", "C c", "D d", "E e", owner="X y"), 4)
    assert [a.name for a in shown] == ["A a", "B b", "C c", "D d", "E e"]


def test_truncation_merges_with_a_written_et_al() -> None:
    authors = _people("A a", "B b", "C c", "D d", "E e", "F f", "others", owner="B b")
    assert authors_text(truncate(authors, 3)) == "A a, B b, C c, et al."
    assert authors_text(truncate(authors, 2)) == "A a, B b, et al."
    assert truncate(authors, None) == authors
    assert truncate(authors, 50) == authors


def test_several_owner_names_all_stay_visible() -> None:
    authors = _people(*[f"P{i} x" for i in range(10)], owner="P4 x")
    keys = owner_keys(["P4 x", "P6 x"])
    authors = resolve_authors([a.name for a in authors], keys)
    shown = truncate(authors, 4)
    assert [a.name for a in shown if a.is_owner] == ["P4 x", "P6 x"]
    assert shown[0].name == "P0 x" and shown[-1].name == "P9 x"


@pytest.mark.parametrize(
    ("highlight", "md", "html"),
    [
        ("bold", "**Ziming Mao**", '<strong class="owner">Ziming\u00a0Mao</strong>'),
        ("underline", "<u>Ziming Mao</u>", '<u class="owner">Ziming\u00a0Mao</u>'),
        ("none", "Ziming Mao", '<span class="owner">Ziming\u00a0Mao</span>'),
    ],
)
def test_highlight_styles(highlight: str, md: str, html: str) -> None:
    authors = resolve_authors(["Ziming Mao*", "Tian Xia*"], OWNER)
    assert authors_md(authors, highlight).startswith(md + "\\*")
    assert html in str(authors_html(authors, highlight))
    assert authors_text(authors) == "Ziming Mao*, Tian Xia*"  # plain text never marks the owner


@pytest.mark.parametrize(
    ("name", "html"),
    [
        ("Tian Xia", "Tian\u00a0Xia"),  # spaces are a plain name's only break opportunities
        ("Ethan R. Morley", "Ethan\u00a0R.\u00a0Morley"),
        ("Tomás Ibarra", "Tomás\u00a0Ibarra"),
        ("Seán O'Brien", "Seán\u00a0O&#39;Brien"),
        ("Ζωή Παππά", "Ζωή\u00a0Παππά"),
        ("Min-jun Seo", '<span class="author">Min-jun Seo</span>'),  # could break after the hyphen
        ("王小明", '<span class="author">王小明</span>'),  # could break between any two characters
        ("สมชาย ใจดี", '<span class="author">สมชาย ใจดี</span>'),  # Thai breaks inside words
        ("Ada  Lovelace", '<span class="author">Ada  Lovelace</span>'),  # a double space would show
        ("<b>Eve</b> & Co", '<span class="author">&lt;b&gt;Eve&lt;/b&gt; &amp; Co</span>'),
    ],
)
def test_author_names_never_break(name: str, html: str) -> None:
    """A name is either one run of letters and no-break spaces or a nowrap span, never neither."""
    out = str(authors_html([Author(name=name), Author(name="Bo Li", equal=True)]))
    assert out == f"{html}, Bo\u00a0Li<sup>*</sup>"


_HIGHLIGHTS = st.sampled_from(["bold", "underline", "none"])


@given(st.lists(st.text(min_size=1, max_size=12), min_size=1, max_size=4), _HIGHLIGHTS)
def test_author_html_keeps_every_name_verbatim(names: list[str], highlight: str) -> None:
    """Whatever the names, the page shows each one as written (no-break spaces read as spaces),
    none of it as markup."""
    from html.parser import HTMLParser

    class Text(HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.tags: list[str] = []
            self.data: list[str] = []

        def handle_starttag(self, tag: str, attrs: object) -> None:
            self.tags.append(tag)

        def handle_data(self, data: str) -> None:
            self.data.append(data)

    authors = [Author(name=n, is_owner=i == 0) for i, n in enumerate(names)]
    parser = Text()
    parser.feed(str(authors_html(authors, highlight)))
    parser.close()
    assert set(parser.tags) <= {"span", "strong", "u"}
    shown = "".join(parser.data)
    assert shown.replace("\u00a0", " ") == ", ".join(names).replace("\u00a0", " ")


# ---- titles, degrees and generations around the owner's name -------------------------------------

TITLED = ["Dr. Lena Vasquez", "Dr Lena Vasquez", "Prof. Lena Vasquez", "Prof. Dr. Lena Vasquez",
          "Professor Lena Vasquez", "Lena Vasquez, PhD", "Lena Vasquez, Ph.D.", "Lena Vasquez PhD",
          "Dr. Lena Vasquez, PhD", "Lena Vasquez Jr.", "Lena Vasquez, Jr.", "Ms. Lena Vasquez",
          "Lena Vasquez, MD", "Lena Vasquez, M.Sc."]  # fmt: skip
WRITTEN = ["Lena Vasquez", "L. Vasquez", "Vasquez, Lena", "Vasquez, L.", "Lena M. Vasquez", "LENA VASQUEZ",
           "Lena Vasquez*", "Lena Vasquez Jr", "Vasquez, Jr., Lena", "Dr. Lena Vasquez"]  # fmt: skip


@pytest.mark.parametrize("profile_name", TITLED)
@pytest.mark.parametrize("written", WRITTEN)
def test_owner_with_a_title_or_degree_is_recognised(profile_name: str, written: str) -> None:
    keys = owner_keys([profile_name])
    assert is_owner(written, keys)
    assert not is_owner("Ana Vasquez", keys) and not is_owner("Lena Vargas", keys) and not is_owner("Vasquez", keys)


def test_a_family_name_that_looks_like_a_degree_stays_a_name() -> None:
    keys = owner_keys(["Dr. Yi Ma, PhD"])
    assert is_owner("Yi Ma", keys) and is_owner("Ma, Yi", keys) and not is_owner("Yi Mao", keys)
    assert not is_owner("Yi", keys)  # "Ma" is the family name, not a Master of Arts
    assert is_owner("Dr. Who", owner_keys(["Dr. Who"]))  # a title is only dropped when a name is left


@pytest.mark.parametrize(
    ("written", "shown"),
    [
        ("Lena Vasquez, PhD", "Lena Vasquez, PhD"),  # not "PhD Lena Vasquez"
        ("Vasquez, Jr., Lena", "Lena Vasquez Jr."),
        ("Vasquez, Lena", "Lena Vasquez"),
    ],
)
def test_degrees_and_generations_are_shown_where_they_belong(written: str, shown: str) -> None:
    (author,) = resolve_authors([written], owner_keys(["Dr. Lena Vasquez"]))
    assert author.name == shown and author.is_owner


_GIVEN = st.sampled_from(["Lena", "Ziming", "Søren", "Anne-Marie", "José", "Wei-Lin", "Chen Henry"])
_FAMILY = st.sampled_from(["Vasquez", "Mao", "Østergaard", "Ma", "Ng", "O'Neil"])
_TITLE = st.sampled_from(["", "Dr. ", "Prof. ", "Prof. Dr. ", "Mr. ", "Dr "])
_SUFFIX = st.sampled_from(["", ", PhD", " PhD", ", Ph.D.", " Jr.", ", Jr.", ", MD", " III"])


@given(given_name=_GIVEN, family=_FAMILY, title=_TITLE, suffix=_SUFFIX)
def test_owner_matching_ignores_titles_and_degrees(given_name: str, family: str, title: str, suffix: str) -> None:
    keys = owner_keys([f"{title}{given_name} {family}{suffix}"])
    initials = " ".join(f"{part[0]}." for part in given_name.replace("-", " ").split())
    for written in (f"{given_name} {family}", f"{family}, {given_name}", f"{initials} {family}"):
        assert is_owner(written, keys), written
    assert not is_owner(f"Xavier {family}", keys)
