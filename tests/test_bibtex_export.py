"""`cvbuild export bibtex`: the .bib reads back (through the BibTeX loader) as the same publications."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES, PROFILES, run_cli, write
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cvbuild.document.authors import owner_keys, resolve_authors
from cvbuild.document.inline import script_chars, spans
from cvbuild.interop.bibtex_export import bib_name, entry_key, latex_markup, latex_text, to_bibtex
from cvbuild.loading.bibtex import decode_latex, decode_markup, parse_bibtex
from cvbuild.loading.profile import import_bibtex, load_profile
from cvbuild.schema.model import Publication

# The real profiles that list publications (a one-page résumé such as student.yaml lists none).
SEED_PROFILES = sorted(p for p in (FIXTURES / "seeds").glob("*.yaml") if "\npublications:" in p.read_text("utf-8"))
HOSTILE = r"#x $y$ *b* _i_ <script>alert(1)</script> @r \ ] [ { } 😀 中文 % & ~ ^ -- --- '' `` ?` a|b"
MARKUP_FIELDS = ("title", "venue", "venue_full", "award", "note")


def _runs(markup: str | None) -> list[tuple[Any, ...]] | None:
    """What a target shows of inline Markdown: styled runs, spaces squashed. A link's address and
    `code` style are not kept by BibTeX readers (documented), and a superscript the reader can
    write as a Unicode character comes back as that character."""
    if markup is None:
        return None
    out: list[tuple[Any, ...]] = []
    for s in spans(markup):
        text = s.text
        if s.sup or s.sub:
            chars = script_chars(text, sup=s.sup, safe_only=True)
            if chars is not None:
                text, s = chars, s.model_copy(update={"sup": False, "sub": False})
        run = (s.bold, s.italic, s.sup, s.sub)
        if out and out[-1][0] == run:
            out[-1] = (run, out[-1][1] + text)
        else:
            out.append((run, text))
    squashed = [(run, " ".join(text.replace("\xa0", " ").split())) for run, text in out]
    return [r for r in squashed if r[1]]


def comparable(pub: Publication) -> dict[str, Any]:
    """A publication as every target shows it (`status_label`, the CV's own wording, has no BibTeX field)."""
    data = pub.model_dump(
        exclude={"id", "status_label", "authors", "equal_contribution", "corresponding", *MARKUP_FIELDS}
    )
    for name in MARKUP_FIELDS:
        data[name] = _runs(getattr(pub, name))
    authors = resolve_authors(
        pub.authors, owner_keys([]), equal=pub.equal_contribution, corresponding=pub.corresponding
    )
    data["authors"] = [(a.name, a.equal, a.corresponding, a.etal) for a in authors]
    for name in ("pages", "volume", "number", "publisher", "location"):
        if data[name] is not None:
            data[name] = " ".join(data[name].split())
    return data


def round_trip(pubs: list[Publication], tmp_path: Path, *, ascii: bool = False) -> list[Publication]:
    bib = write(tmp_path / "out.bib", to_bibtex(pubs, ascii=ascii))
    return [Publication.model_validate(d) for d in import_bibtex(bib)]


def assert_same(before: list[Publication], after: list[Publication]) -> None:
    assert len(after) == len(before)
    taken = {p.id for p in before if p.id}
    for old, new in zip(before, after, strict=True):
        key = entry_key(old, taken)
        taken.add(key)
        assert new.id == key
        assert comparable(new) == comparable(old), old.id


# ---- seeds and profiles --------------------------------------------------------------------


@pytest.mark.parametrize("ascii", [False, True], ids=["utf8", "ascii"])
@pytest.mark.parametrize("profile", [*SEED_PROFILES, PROFILES / "example.yaml"], ids=lambda p: p.stem)
def test_round_trip_of_real_profiles(profile: Path, ascii: bool, tmp_path: Path) -> None:
    pubs = load_profile(profile)[0].publication_entries()
    assert pubs
    after = round_trip(pubs, tmp_path, ascii=ascii)
    assert_same(pubs, after)
    assert to_bibtex(after, ascii=ascii) == to_bibtex(pubs, ascii=ascii)  # a second pass changes no byte


def test_cli_writes_the_same_bytes_twice(tmp_path: Path) -> None:
    profile = FIXTURES / "seeds" / "seed000-bib.yaml"
    first = run_cli("export", "bibtex", str(profile))
    assert first.returncode == 0, first.stderr
    out = tmp_path / "pubs.bib"
    second = run_cli("export", "bibtex", str(profile), "-o", str(out))
    assert second.returncode == 0, second.stderr
    assert out.read_text(encoding="utf-8") == first.stdout
    assert first.stdout.startswith("% 7 publications, exported by cvbuild\n\n@inproceedings{xia2026skylb,\n")
    again = run_cli("import", "bibtex", str(out))  # the importer reads it without a warning
    assert again.returncode == 0 and not again.stderr, again.stderr


def test_document_selects_its_publications(tmp_path: Path) -> None:
    profile = write(
        tmp_path / "p.yaml",
        "name: Ada Example\npublications:\n"
        "  - {id: old, title: Old, authors: [Ada Example], date: 2019, tags: [ml]}\n"
        "  - {id: new, title: New, authors: [Ada Example], date: 2024, selected: true}\n"
        "documents:\n  cv: {}\n  short: {publications: {selected_only: true}}\n",
    )
    full = run_cli("export", "bibtex", str(profile))
    short = run_cli("export", "bibtex", str(profile), "-d", "short")
    assert "{old," in full.stdout and "{new," in full.stdout
    assert "{old," not in short.stdout and "{new," in short.stdout


def test_bad_profile_is_located_exit_2(tmp_path: Path) -> None:
    profile = write(tmp_path / "p.yaml", "name: Ada\npublications:\n  - {title: T, authors: [A], date: 2024-13}\n")
    result = run_cli("export", "bibtex", str(profile))
    assert result.returncode == 2
    assert f"{profile}:3:" in result.stderr and "Traceback" not in result.stderr
    bad_bib = write(tmp_path / "refs.bib", "@article{x,\n  title = {T},\n  author = {A},\n  year = {2024\n")
    profile = write(tmp_path / "q.yaml", "name: Ada\npublications:\n  - bibtex: refs.bib\n")
    result = run_cli("export", "bibtex", str(profile))
    assert result.returncode == 2 and f"{bad_bib}:4:10" in result.stderr, result.stderr  # the year's `{`


def test_ascii_writes_latin_letters_as_latex() -> None:
    result = run_cli("export", "bibtex", str(FIXTURES / "seeds" / "physicist.yaml"), "--ascii")
    assert result.returncode == 0, result.stderr
    assert r"{\O}stergaard-N{\'u}{\~n}ez, M." in result.stdout and "Østergaard" not in result.stdout
    assert r"H {\textrightarrow} ZZ*" in result.stdout
    assert "√s = 13 TeV" in result.stdout  # pylatexenc's \sqrt{} reads back as "√()": kept as written
    assert not result.stderr  # no warning about characters without a LaTeX form


def test_unwritable_output_is_exit_2(tmp_path: Path) -> None:
    result = run_cli("export", "bibtex", str(PROFILES / "example.yaml"), "-o", str(tmp_path))  # a folder
    assert result.returncode == 2 and f"{tmp_path}: cannot write" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


def test_month_is_a_macro(tmp_path: Path) -> None:
    text = to_bibtex([Publication(id="k", title="T", authors=["A B"], date="2024-05-17")])
    assert "  month = may,\n  date = {2024-05-17}\n" in text
    (back,) = round_trip([Publication(id="k", title="T", authors=["A B"], date="2024-05")], tmp_path)
    assert str(back.date) == "2024-05"


def test_unknown_document_is_exit_2(tmp_path: Path) -> None:
    result = run_cli("export", "bibtex", str(PROFILES / "example.yaml"), "-d", "nosuch")
    assert result.returncode == 2 and "nosuch" in result.stderr


# ---- pieces --------------------------------------------------------------------------------


def test_hostile_text_reads_back_verbatim() -> None:
    written = latex_text(HOSTILE)
    assert written.count("{") == written.count("}")  # BibTeX counts braces, escaped or not
    assert decode_latex(written) == " ".join(HOSTILE.split())
    assert spans(decode_markup(latex_markup(HOSTILE.replace("*", r"\*").replace("_", r"\_")))) == spans(
        HOSTILE.replace("*", r"\*").replace("_", r"\_")
    )


def test_hostile_entry_parses_cleanly(tmp_path: Path) -> None:
    pub = Publication(
        id="h1",
        title=HOSTILE,
        authors=["Zhang San 张三", "O'Brien, Jr, Pat", "{Brace} and Co", "Ada Example 😀", "A_B C%D"],
        venue=HOSTILE,
        date="2024-05-17",
        pages="1--10",
        note="50% @home #1 & \\ more",
        tags=["ml", "a&b"],
    )
    text = to_bibtex([pub])
    parsed = parse_bibtex(text, Path("x.bib"))
    assert not parsed.problems and not parsed.warnings, parsed.problems + parsed.warnings
    assert_same([pub], round_trip([pub], tmp_path))


@pytest.mark.parametrize(
    ("name", "bib"),
    [
        ("Ada Lovelace", "Lovelace, Ada"),
        ("Ada Lovelace*", "Lovelace, Ada*"),
        ("Ludwig van Beethoven†", "van Beethoven, Ludwig†"),
        ("Lovelace, Ada", "Lovelace, Ada"),
        ("张三", "张三"),
        ("et al.", "others"),
        ("Smith and Sons", "{Smith and Sons}"),
        ("**Ada Example**", "Example, Ada"),
    ],
)
def test_names(name: str, bib: str) -> None:
    assert bib_name(name) == bib


def test_key_without_id_is_stable_and_unique() -> None:
    pub = Publication(title="On the Łódź Effect", authors=["Łucja Ørsted"], date=2021)
    taken: set[str] = set()
    first = entry_key(pub, taken)
    taken.add(first)
    assert (first, entry_key(pub, taken)) == ("orsted2021lodz", "orsted2021lodza")
    assert entry_key(Publication(title="中文", authors=["张三"], date=2020), set()) == "pub2020"


@pytest.mark.parametrize(
    ("pub_type", "extra", "entry"),
    [
        ("conference", {}, "@inproceedings{"),
        ("journal", {"venue": "CoRR"}, "@article{"),
        ("preprint", {"arxiv": "2401.01234"}, "@misc{"),
        ("thesis", {"publisher": "MIT"}, "@thesis{"),
        ("report", {"publisher": "MIT"}, "@techreport{"),
        ("chapter", {}, "@incollection{"),
        ("workshop", {}, "@inproceedings{"),
        ("poster", {}, "@misc{"),
        ("other", {"arxiv": "2401.01234"}, "@misc{"),
    ],
)
def test_entry_types_read_back(pub_type: str, extra: dict[str, Any], entry: str, tmp_path: Path) -> None:
    pub = Publication(id="k", title="T", authors=["A B"], date=2024, type=pub_type, **extra)  # type: ignore[arg-type]
    assert entry in to_bibtex([pub])
    (back,) = round_trip([pub], tmp_path)
    assert back.type == pub_type
    assert comparable(back) == comparable(pub)


# ---- property ------------------------------------------------------------------------------

_ALPHABET = st.sampled_from(
    [*"aZ9 -'`?!.,:;\"@#$%&~^_{}[]\\|<>/*", "–", "ł", "√", "₂", "ℓ", "…", "😀", "中", "é", "ß", "\xa0", "--", "ö"]
)
_TEXT = st.lists(_ALPHABET, min_size=1, max_size=14).map("".join).filter(lambda s: s.strip())
_WORD = st.text(alphabet=st.sampled_from(list("abcdefgHIJKéøł张三-'")), min_size=1, max_size=8)
_NAME = st.lists(_WORD, min_size=1, max_size=3).map(" ".join).filter(lambda s: s.strip("-'") == s and s.strip())


def _markdown(text: str) -> str:
    """Literal text as inline Markdown (every markup character escaped)."""
    return "".join("\\" + c if c in "\\`*_[]^~" else c for c in text)


@st.composite
def publications(draw: st.DrawFn) -> list[Publication]:
    out = []
    for i in range(draw(st.integers(1, 3))):
        title = _markdown(draw(_TEXT))
        if draw(st.booleans()):
            title = f"**{title.strip()}** {title}" if title.strip() == title else title
        out.append(
            Publication(
                id=draw(st.sampled_from([None, f"p{i}", f"k:{i}.x-y+z/w"])),
                title=title,
                authors=draw(st.lists(_NAME, min_size=1, max_size=3)),
                venue=draw(st.none() | _TEXT.map(_markdown)),
                date=draw(st.sampled_from(["2024", "2023-02", "2022-11-30"])),
                type=draw(st.sampled_from(["conference", "journal", "workshop", "preprint", "book", "other"])),
                status=draw(st.sampled_from(["published", "submitted", "to_appear", "in_preparation"])),
                award=draw(st.none() | _TEXT.map(_markdown)),
                pages=draw(st.none() | _TEXT),
                publisher=draw(st.none() | _TEXT),
                doi=draw(st.none() | st.just("10.1145/3627703.3650072")),
                arxiv=draw(st.none() | st.just("2401.01234v2")),
                url=draw(st.none() | st.just("https://example.org/a%20b#frag")),
                selected=draw(st.booleans()),
                tags=draw(st.lists(st.sampled_from(["ml", "sys", "a&b", "x_y", "中文"]), max_size=2, unique=True)),
            )
        )
    return out


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pubs=publications(), ascii=st.booleans())
def test_property_round_trip(pubs: list[Publication], ascii: bool, tmp_path: Path) -> None:
    after = round_trip(pubs, tmp_path, ascii=ascii)
    assert_same(pubs, after)
    # The reader squashes spaces (a no-break space too): from the first pass on, the bytes stay.
    assert to_bibtex(round_trip(after, tmp_path, ascii=ascii), ascii=ascii) == to_bibtex(after, ascii=ascii)


def test_braces_and_backslashes_in_links_keep_the_entry_whole(tmp_path: Path) -> None:
    """A DOI or URL is written as it is, but BibTeX counts its braces (`a}b` ended the field and
    lost the rest of the entry) and the reader takes a final backslash as an escape: those three
    are percent-encoded, the same address."""
    pub = Publication(
        id="l1",
        title="Links",
        authors=["Ada Example"],
        date="2021-05",
        doi="10.1234/a}b{c",
        url="https://x.org/a}b\\",
        links={"code": "https://git.example/{x"},
        note="kept",
    )
    text = to_bibtex([pub, Publication(id="l2", title="Next", authors=["Ada Example"], date="2022")])
    parsed = parse_bibtex(text, Path("x.bib"))
    assert not parsed.problems and not parsed.warnings, parsed.problems + parsed.warnings
    first, second = round_trip([pub, Publication(id="l2", title="Next", authors=["A B"], date="2022")], tmp_path)
    assert first.doi == "10.1234/a%7Db%7Bc" and first.url == "https://x.org/a%7Db%5C"
    assert first.links.code == "https://git.example/%7Bx" and first.note == "kept" and second.id == "l2"


def test_output_into_a_pipe_writes_into_it(tmp_path: Path) -> None:
    """`-o` onto a FIFO (or /dev/stdout) writes into it, as a shell's `>` does; the .bib was
    written beside it and renamed over it, so the reader got nothing and the FIFO was gone (as
    root, `-o /dev/null` replaced the device itself)."""
    import os
    import stat
    import threading

    fifo = tmp_path / "pubs.bib"
    os.mkfifo(fifo)
    got: list[bytes] = []

    def read() -> None:
        with open(fifo, "rb") as stream:
            got.append(stream.read())

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    result = run_cli("export", "bibtex", PROFILES / "example.yaml", "-o", fifo)
    reader.join(timeout=30)
    if reader.is_alive():  # nobody wrote into it: let the reader go
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        reader.join(timeout=5)
    assert result.returncode == 0, result.stderr
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert got and got[0].startswith(b"% ") and b"@" in got[0]


def test_a_tag_with_a_comma_stays_one_tag(tmp_path: Path) -> None:
    """The reader splits keywords at commas and semicolons: such a tag is written braced, and
    read back whole (it came back as two tags, 'a' and 'b')."""
    pub = Publication(id="t1", title="T", authors=["A B"], date="2020", tags=["a, b", "c;d", "e"])
    (back,) = round_trip([pub], tmp_path)
    assert back.tags == ["a, b", "c;d", "e"]
    assert not parse_bibtex("@misc{k, title={T}, year={2020}, keywords={x, {y, z}; w}}", Path("k.bib")).problems


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("https://x.org/a\\b", "https://x.org/a\\b"),
        ("https://x.org/C:\\Users\\ada\\paper.pdf", "https://x.org/C:\\Users\\ada\\paper.pdf"),
        ("https://x.org/a\\\\b%20c#s", "https://x.org/a\\\\b%20c#s"),
        ("https://x.org/a\\%20", "https://x.org/a\\%20"),
        # where the reader would take the backslash with the next character, it is percent-encoded
        ("https://x.org/a\\_b", "https://x.org/a%5C_b"),
        ("https://x.org/a\\{b", "https://x.org/a%5C%7Bb"),
        ("https://x.org/a\\\\", "https://x.org/a%5C%5C"),
    ],
)
def test_a_backslash_in_a_link_reads_back_as_written(written: str, read: str, tmp_path: Path) -> None:
    """A URL's backslash was percent-encoded everywhere (5c22778), so `https://x.org/a\\b` came
    back from the .bib as `a%5Cb`, another address to a browser (which reads `\\` as `/`). It is
    written as it is, but where a reader would take it for an escape."""
    pub = Publication(id="u1", title="Links", authors=["Ada Example"], date="2021", url=written, doi="10.1234/a\\b")
    pub_code = pub.model_copy(update={"links": pub.links.model_copy(update={"code": written})})
    (back,) = round_trip([pub_code], tmp_path)
    assert (back.url, back.links.code, back.doi) == (read, read, "10.1234/a\\b")
