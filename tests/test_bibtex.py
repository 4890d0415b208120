"""BibTeX: decoding, mapping to the schema, merging with YAML overrides, located errors, import."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES, SEEDS, run_cli, write
from hypothesis import given, settings
from hypothesis import strategies as st

from cvbuild.document.build import BuildOptions, build_document
from cvbuild.document.publications import PublicationView
from cvbuild.errors import InputError
from cvbuild.loading.bibtex import decode_latex, decode_markup, month_number, parse_bibtex, strip_front_matter
from cvbuild.loading.profile import load_profile
from cvbuild.schema.model import DocumentSpec, Publication, PublicationOptions

SEED_FIXTURES = FIXTURES / "seeds"
PROFILE_HEAD = "name: Ziming Mao\naliases: [Z. Mao]\n"


def entries(bib: str) -> dict[str, dict[str, Any]]:
    """Parse a .bib text that must be free of problems; entries by key."""
    parsed = parse_bibtex(textwrap.dedent(bib), Path("refs.bib"))
    assert not parsed.problems, [str(p) for p in parsed.problems]
    return {e.key: e.data for e in parsed.entries}


def one(bib: str) -> dict[str, Any]:
    (data,) = entries(bib).values()
    return data


def problems(bib: str) -> list[str]:
    return [str(p) for p in parse_bibtex(textwrap.dedent(bib), Path("refs.bib")).problems]


# ---- decoding ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("latex", "text"),
    [
        (r"{\"o}", "ö"),
        (r"{\c{s}}", "ş"),
        (r"{R}unge", "Runge"),
        ("1--10", "1–10"),
        ("a---b", "a—b"),
        (r"Kry{\'s}ci{\'n}ski", "Kryściński"),
        (r"{\v{S}}koda", "Škoda"),
        (r"G{\"{u}}nter", "Günter"),
        (r"{\o}", "ø"),
        (r"\ss", "ß"),
        (r"Can{\textquoteright}t", "Can’t"),
        (r"50\% \& more", "50% & more"),
        ("50% faster", "50% faster"),  # a bare % is text, not a LaTeX comment
        ("A~B", "A B"),
        ("multi\n      line\tvalue", "multi line value"),
        (r"$\alpha$-test", "α-test"),
        (r"\url{https://a.org/x}", "https://a.org/x"),
    ],
)
def test_latex_decodes_to_unicode(latex: str, text: str) -> None:
    assert decode_latex(latex) == text


@pytest.mark.parametrize(
    ("latex", "markup"),
    [
        (r"\emph{SkyServe}: x", "*SkyServe*: x"),
        (r"\textit{DYLE}", "*DYLE*"),
        (r"\textbf{Bold} move", "**Bold** move"),
        ("A* search and snake_case", r"A\* search and snake\_case"),  # literal marks stay literal
        (r"[A+] \_x", r"\[A+\] \_x"),
        (r"\emph{}", ""),
    ],
)
def test_latex_styles_become_inline_markdown(latex: str, markup: str) -> None:
    assert decode_markup(latex) == markup


# ---- LaTeX that is not plain text: math scripts, unknown macros, what cannot be shown ---------------


@pytest.mark.parametrize(
    ("latex", "markup", "text"),
    [
        # ACL Anthology's title of Summ^N, as in seed 001: a styled superscript, never "^N"
        (r"\emph{Summ$^N$}: A Framework", "*Summ^N^*: A Framework", "Summᴺ: A Framework"),
        (r"Summ$^{N}$", "Summ^N^", "Summᴺ"),
        (r"H$_2$O and CO$_{2}$", "H₂O and CO₂", "H₂O and CO₂"),  # Unicode every bundled font has
        (r"$10^{-3}$ error", "10⁻³ error", "10⁻³ error"),
        (r"GPT$^\text{2}$", "GPT²", "GPT²"),
        (r"$x_{ij}$", "x~ij~", "xᵢⱼ"),
        (r"10\textsuperscript{th} Conference", "10^th^ Conference", "10ᵗʰ Conference"),
        (r"CO\textsubscript{2}", "CO₂", "CO₂"),
        (r"\textsc{Bert}ology", "Bertology", "Bertology"),
        (r"{\sc Bert} and {\bf Ernie}", "Bert and Ernie", "Bert and Ernie"),
        (r"\O{}stergaard", "Østergaard", "Østergaard"),
        (r"\mbox{GPT}-4 and \texttt{vLLM}", "GPT-4 and vLLM", "GPT-4 and vLLM"),
        (r"\url{https://a.org/x_y}", r"https://a.org/x\_y", "https://a.org/x_y"),
        (r"\href{https://a.org}{Trinity}", "Trinity", "Trinity"),
        (r"\foo{kept} text", "kept text", "kept text"),  # unknown macro: its text stays
        (r"\LaTeX{} tools", "LaTeX tools", "LaTeX tools"),
        (r"a \^{} b", r"a \^ b", "a ^ b"),
        (r"x~y", "x y", "x y"),
    ],
)
def test_latex_constructs_keep_their_text(latex: str, markup: str, text: str) -> None:
    from cvbuild.loading.bibtex import latex_warnings

    assert decode_markup(latex) == markup
    assert decode_latex(latex) == text
    assert latex_warnings(latex) == ()


def test_superscripts_become_styled_spans() -> None:
    from cvbuild.document.inline import spans

    runs = spans(decode_markup(r"\emph{Summ$^N$}: A"))
    assert [(r.text, r.italic, r.sup) for r in runs] == [
        ("Summ", True, False),
        ("N", True, True),
        (": A", False, False),
    ]
    (sub,) = [r for r in spans(decode_markup(r"$x_{ij}$")) if r.sub]
    assert sub.text == "ij"


@pytest.mark.parametrize(
    ("latex", "kept", "warning"),
    [
        (r"as shown in \cite{smith2020}", "as shown in", r"\cite{...} cannot be shown"),
        (r"see Section~\ref{sec:x}", "see Section", r"\ref{...} cannot be shown"),
        (r"A \mymacro\ B", "A B", r"unknown LaTeX macro \mymacro is left out"),
    ],
)
def test_what_cannot_be_shown_is_said(latex: str, kept: str, warning: str) -> None:
    from cvbuild.loading.bibtex import latex_warnings

    assert decode_latex(latex) == kept
    (message,) = latex_warnings(latex)
    assert message.startswith(warning)


# Macros whose argument LaTeX never prints: a length, a label, an index term, a citation key.
_ARGUMENT_NOT_PRINTED = ("label", "index", "vspace", "hspace", "nocite")
_WORDS = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJ", min_size=1, max_size=12)
_MACROS = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=3, max_size=12).filter(
    lambda name: name not in _ARGUMENT_NOT_PRINTED
)


@pytest.mark.parametrize(
    "latex",
    [*(f"Graphs \\{m}{{Secretkey}} made easy" for m in _ARGUMENT_NOT_PRINTED), r"Graphs \vspace*{2em} made easy"],
)
def test_an_argument_latex_never_prints_is_left_out(latex: str) -> None:
    """`\\nocite{smith2020}` or `\\index{Graphs}` in a title shows neither the key nor the term, as in LaTeX."""
    from cvbuild.loading.bibtex import latex_warnings

    assert decode_latex(latex) == "Graphs made easy"
    assert latex_warnings(latex) == ()


@given(macro=_MACROS, word=_WORDS, before=_WORDS)
@settings(max_examples=300, deadline=None)
def test_nothing_vanishes_silently(macro: str, word: str, before: str) -> None:
    """Whatever other macro, its argument's text is in the output, or a warning says why not."""
    from cvbuild.loading.bibtex import latex_warnings

    for latex in (
        f"{before} \\{macro}{{{word}}}",
        f"{before} \\textbf{{\\{macro}{{{word}}}}}",
        f"{before} \\{macro} {word}",
    ):
        decoded = decode_latex(latex)
        assert before in decoded
        assert word in decoded or latex_warnings(latex), (latex, decoded)


def test_warnings_name_the_bib_file_line_and_column(tmp_path: Path) -> None:
    bib = write(
        tmp_path / "refs.bib",
        "@inproceedings{a,\n  title = {Better than \\cite{b}},\n  author = {Mao, Ziming},\n"
        "  booktitle = {NSDI}, year = 2024,\n  abstract = {\\cite{ignored}: not shown, so not warned},\n}\n",
    )
    parsed = parse_bibtex(bib.read_text(encoding="utf-8"), bib)
    assert [str(w).split(": ", 1)[0] for w in parsed.warnings] == [f"{bib}:2:3"]
    profile = write(tmp_path / "cv.yaml", PROFILE_HEAD + "publications:\n  - bibtex: refs.bib\n")
    result = run_cli("render", profile, "-f", "txt", "-o", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert f"{bib}:2:3: warning: a.title: \\cite{{...}} cannot be shown in a CV" in result.stderr
    validated = run_cli("validate", profile)
    assert validated.returncode == 0 and f"{bib}:2:3: warning:" in validated.stderr


def test_markup_round_trips_through_the_schema_as_the_same_text() -> None:
    from cvbuild.document.inline import plain, spans

    assert plain(spans(decode_markup(r"A* search in snake\_case {[}x{]}"))) == "A* search in snake_case [x]"


@pytest.mark.parametrize(
    ("text", "month"),
    [
        ("jan", 1),
        ("January", 1),
        ("Feb.", 2),
        ("sept", 9),
        ("9", 9),
        ("09", 9),
        ("dec", 12),
        ("13", None),
        ("foo", None),
    ],
)
def test_month_numbers(text: str, month: int | None) -> None:
    assert month_number(text) == month


def test_every_month_macro() -> None:
    months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    bib = "".join(f"@misc{{m{i}, title={{t}}, author={{A B}}, year=2024, month={m}}}\n" for i, m in enumerate(months))
    found = entries(bib)
    assert [found[f"m{i}"]["date"] for i in range(12)] == [f"2024-{i:02d}" for i in range(1, 13)]


def test_string_macros_concatenation_quotes_braces_and_multiline_values() -> None:
    data = one(
        """
        @string{conf = "EuroSys"}
        @STRING{ yr = {2024} }
        @inproceedings{k,
          title = "Quoted {Title} with {\\"o}",
          author = {Braced, Name and
                    Second, Person},
          booktitle = conf # " '" # yr,
          year = yr,
          month = "May",
          pages = {12--34},
          note = {A note
                  over two lines},
        }
        """
    )
    assert data["title"] == "Quoted Title with ö"
    assert data["authors"] == ["Name Braced", "Person Second"]
    assert data["venue"] == "EuroSys '2024"
    assert data["date"] == "2024-05"
    assert data["pages"] == "12–34"
    assert data["note"] == "A note over two lines"


def test_names_last_first_von_jr_marks_and_others() -> None:
    data = one(
        r"""
        @article{k, title={t}, journal={J}, year=2020,
          author={Mao*, Ziming and Tian Xia* and van der Berg, Jr, Jan and {\"O}zt{\"u}rk, Ay{\c{s}}e and
                  Stoica, Ion$^\dag$ and {Barnes and Noble} and Smith, A. B. and others}}
        """
    )
    assert data["authors"] == [
        "Ziming Mao*",
        "Tian Xia*",
        "Jan van der Berg Jr",
        "Ayşe Öztürk",
        "Ion Stoica†",
        "Barnes and Noble",
        "A. B. Smith",
        "et al.",
    ]


def test_jekyll_front_matter_is_ignored_and_lines_are_kept() -> None:
    text = "---\nlayout: none\n---\n@misc{k, title={t}}\n"
    assert strip_front_matter(text).splitlines()[3] == "@misc{k, title={t}}"
    parsed = parse_bibtex(text, Path("papers.bib"))
    assert [e.key for e in parsed.entries] == ["k"]
    assert parsed.entries[0].line == 4


@pytest.mark.parametrize(
    ("entry", "pub_type"),
    [
        ("@inproceedings{k, booktitle={NSDI}", "conference"),
        ("@conference{k, booktitle={NSDI}", "conference"),
        ("@article{k, journal={TACL}", "journal"),
        ("@article{k, journal={arXiv preprint arXiv:2504.17307}", "preprint"),
        ("@article{k, journal={CoRR}, volume={abs/2501.14312}", "preprint"),
        ("@phdthesis{k, school={UC Berkeley}", "thesis"),
        ("@mastersthesis{k, school={Yale}", "thesis"),
        ("@misc{k, eprint={2401.01234}, archivePrefix={arXiv}", "preprint"),
        ("@unpublished{k, eprint={2401.01234}", "preprint"),
        ("@misc{k, howpublished={Blog post}", "other"),
        ("@techreport{k, institution={MIT}", "report"),
        ("@book{k, publisher={MIT Press}", "book"),
        ("@incollection{k, booktitle={Handbook}", "chapter"),
        ("@inbook{k, booktitle={Handbook}", "chapter"),
        ("@patent{k, number={US 1}", "patent"),
        ("@online{k, url={https://a.org}", "other"),
        ("@inproceedings{k, booktitle={HotNets}, pubtype={workshop}", "workshop"),  # cvbuild export's own field
        ("@misc{k, eprint={2401.01234}, pubtype={other}", "other"),
        ("@misc{k, pubtype={no such type}", "other"),
    ],
)
def test_entry_types(entry: str, pub_type: str) -> None:
    data = one(entry + ", title={t}, author={A B}, year=2024}")
    assert data["type"] == pub_type
    Publication.model_validate(data)


def test_fields_map_into_the_schema() -> None:
    data = one(
        r"""
        @inproceedings{mao2024trinity,
          abbr = {EuroSys},
          title = {\emph{Trinity}: A Fast Compressed Multi-attribute Data Store},
          author = {Mao, Ziming and Khandelwal, Anurag},
          booktitle = {Proceedings of the Nineteenth European Conference on Computer Systems},
          year = {2024}, month = apr,
          pages = {1--16}, volume = {1}, number = {2},
          publisher = {ACM}, address = {Athens, Greece},
          doi = {https://doi.org/10.1145/3627703.3650072},
          eprint = {arXiv:2401.01234v2}, archivePrefix = {arXiv},
          url = {https://dl.acm.org/doi/10.1145/3627703.3650072},
          pdf = {https://a.org/p.pdf}, code = {https://github.com/x/y}, slides = {https://a.org/s},
          video = {https://youtu.be/x}, poster = {https://a.org/poster}, html = {https://a.org/h},
          website = {https://a.org/project}, blog = {https://a.org/blog},
          award_name = {Best Student Paper Award}, award = {Long award text},
          selected = {true},
          note = {Artifact badges},
          keywords = {systems; storage, systems},
          abstract = {Ignored.}, bibtex_show = {true}, preview = {trinity.png},
        }
        """
    )
    assert data == {
        "id": "mao2024trinity",
        "title": "*Trinity*: A Fast Compressed Multi-attribute Data Store",
        "authors": ["Ziming Mao", "Anurag Khandelwal"],
        "date": "2024-04",
        "type": "conference",
        "venue": "EuroSys",
        "venue_full": "Proceedings of the Nineteenth European Conference on Computer Systems",
        "award": "Best Student Paper Award",
        "pages": "1–16",
        "volume": "1",
        "number": "2",
        "publisher": "ACM",
        "location": "Athens, Greece",
        "doi": "10.1145/3627703.3650072",
        "arxiv": "2401.01234v2",
        "url": "https://dl.acm.org/doi/10.1145/3627703.3650072",
        "links": {
            "pdf": "https://a.org/p.pdf",
            "code": "https://github.com/x/y",
            "slides": "https://a.org/s",
            "video": "https://youtu.be/x",
            "poster": "https://a.org/poster",
            "html": "https://a.org/h",
            "project": "https://a.org/project",
            "blog": "https://a.org/blog",
        },
        "selected": True,
        "note": "Artifact badges",
        "tags": ["systems", "storage"],
    }
    Publication.model_validate(data)


def test_al_folio_relative_links_are_left_out() -> None:
    data = one("@article{k, title={t}, author={A B}, journal={J}, year=2021, pdf={TMC2020.pdf}, html={https://a.org}}")
    assert data["links"] == {"html": "https://a.org"}


@pytest.mark.parametrize(
    ("fields", "status", "note"),
    [
        ("note={Under submission}", "submitted", None),
        ("note={In Submission.}", "submitted", None),
        ("note={To appear}", "to_appear", None),
        ("pubstate={forthcoming}", "to_appear", None),
        ("note={Under review}", "under_review", None),
        ("note={Oral presentation}", None, "Oral presentation"),
    ],
)
def test_status_from_note_or_pubstate(fields: str, status: str | None, note: str | None) -> None:
    data = one(f"@misc{{k, title={{t}}, author={{A B}}, year=2025, {fields}}}")
    assert data.get("status") == status
    assert data.get("note") == note


def test_selected_values() -> None:
    found = entries(
        "@misc{a, title={t}, author={A B}, year=1, selected={yes}}\n"
        "@misc{b, title={t}, author={A B}, year=1, selected={false}}"
    )
    assert found["a"]["selected"] is True and found["b"]["selected"] is False


# ---- problems in a .bib ---------------------------------------------------------------------


def test_syntax_error_is_reported_with_its_line() -> None:
    found = problems(
        """\
        @misc{ok, title={fine}}

        @article{broken,
          title = {Unclosed,
          year = 2020
        }
        @misc{next, title={t}}
        """
    )
    assert len(found) == 1
    assert found == [
        "refs.bib:4:11: @article{broken}: BibTeX syntax error: the `{` of `title` opened here is not closed"
        " before `year` on line 5; add the missing `}`"
    ]


def test_duplicate_keys_and_fields_and_unknown_macros() -> None:
    found = problems(
        """\
        @misc{a, title={t}}
        @misc{a, title={u}}
        @misc{b, title={t}, title={u}}
        @misc{c, title=nomacro}
        @misc{d, title={t}, year=2024, month=smarch}
        @misc{e, pages=12--34}
        """
    )
    assert found == [
        "refs.bib:2:1: @misc{a}: duplicate entry key 'a' (first used on line 1)",
        "refs.bib:3:1: @misc{b}: field title appears more than once in this entry",
        "refs.bib:4:10: c.title: unknown @string macro 'nomacro'; "
        "define it with @string{nomacro = {...}} or use braces",
        "refs.bib:5:32: d.month: invalid month 'smarch'; write jan ... dec, a month name or 1 ... 12",
        "refs.bib:6:10: e.pages: write the value in braces: {12--34}",
    ]


def _profile(tmp_path: Path, publications: str, bib: str, name: str = "refs.bib") -> Path:
    write(tmp_path / name, textwrap.dedent(bib))
    return write(tmp_path / "cv.yaml", PROFILE_HEAD + "publications:\n" + textwrap.dedent(publications))


def test_bib_syntax_error_exits_2_with_file_and_line(tmp_path: Path) -> None:
    path = _profile(
        tmp_path, "  - bibtex: refs.bib\n", "@misc{a, title={t}, author={A B}, year=2024}\n\n@misc{b,\n title={x\n"
    )
    result = run_cli("validate", path.name, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    never = "refs.bib:4:8: @misc{b}: BibTeX syntax error: the `{` of `title` opened here is never closed"
    assert never in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_bib_exits_2_located_at_the_yaml_key(tmp_path: Path) -> None:
    path = write(tmp_path / "cv.yaml", PROFILE_HEAD + "publications:\n  - bibtex: nowhere/refs.bib\n")
    result = run_cli("validate", path.name, cwd=tmp_path)
    assert result.returncode == 2
    assert "cv.yaml:4:13: publications[0].bibtex: nowhere/refs.bib: BibTeX file not found" in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_values_after_mapping_point_into_the_bib(tmp_path: Path) -> None:
    path = _profile(
        tmp_path,
        "  - bibtex: refs.bib\n",
        """\
        @inproceedings{good, title={t}, author={A B}, year=2024}
        @inproceedings{bad,
          title = {t},
          author = {A B},
          year = {20x4},
          doi = {not-a-doi},
          code = {ftp://example.org/x},
        }
        @misc{noauthor, title={t}, year=2024}
        """,
    )
    with pytest.raises(InputError) as info:
        load_profile(path)
    where = tmp_path / "refs.bib"
    assert [str(p) for p in info.value.problems] == [
        f"{where}:5:3: bad.year: invalid date '20x4'; write YYYY, YYYY-MM, YYYY-MM-DD or present",
        f"{where}:6:3: bad.doi: invalid value 'not-a-doi': expected a DOI like 10.1145/3600006.3613165 "
        "(without https://doi.org/)",
        f"{where}:7:3: bad.code: link scheme 'ftp:' is not allowed; use http, https, mailto or tel",
        f"{where}:9:1: noauthor.author: missing field 'author'",
    ]


def test_yaml_overrides_extend_bibtex_entries(tmp_path: Path) -> None:
    path = _profile(
        tmp_path,
        """\
          - id: trinity
            award: Best Student Paper Award
            links: {code: "https://github.com/Trinity-data-store/Trinity"}
          - bibtex: refs.bib
          - id: skyserve
            selected: true
            type: workshop
          - title: Written in YAML
            authors: [Ziming Mao]
            date: 2023
        """,
        """\
        @inproceedings{trinity, title={Trinity}, author={Mao, Ziming}, booktitle={EuroSys}, year=2024,
                        url={https://dl.acm.org/doi/pdf/10.1145/3627703.3650072}}
        @inproceedings{skyserve, title={SkyServe}, author={Mao, Ziming}, booktitle={EuroSys}, year=2025}
        """,
    )
    profile, _ = load_profile(path)
    pubs = {p.id: p for p in profile.publication_entries()}
    assert list(pubs) == ["trinity", "skyserve", None]  # BibTeX entries take the include's place
    assert pubs["trinity"].award == "Best Student Paper Award"
    assert pubs["trinity"].url == "https://dl.acm.org/doi/pdf/10.1145/3627703.3650072"
    assert pubs["trinity"].links.code == "https://github.com/Trinity-data-store/Trinity"
    assert pubs["skyserve"].selected and pubs["skyserve"].type == "workshop"
    assert not pubs["trinity"].selected


def test_override_errors_point_at_the_yaml_and_unknown_ids_are_explained(tmp_path: Path) -> None:
    path = _profile(
        tmp_path,
        """\
          - bibtex: refs.bib
          - id: trinity
            award: Best Paper
            links: {code: "github.com/x"}
          - id: trinty
            selected: true
        """,
        "@inproceedings{trinity, title={T}, author={Mao, Ziming}, booktitle={EuroSys}, year=2024}\n",
    )
    result = run_cli("validate", path.name, cwd=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert (
        lines[0] == "cv.yaml:7:17: publications[1].links.code: 'github.com/x' has no scheme; write https://github.com/x"
    )
    assert lines[1].startswith("cv.yaml:8:7: publications[2].id: no BibTeX entry has the key 'trinty'")
    assert lines[1].endswith("did you mean 'trinity'?")


def test_duplicate_keys_across_files_are_reported(tmp_path: Path) -> None:
    write(tmp_path / "a.bib", "@misc{same, title={A}, author={A B}, year=2020}\n")
    write(tmp_path / "b.bib", "\n@misc{same, title={B}, author={A B}, year=2021}\n")
    path = write(tmp_path / "cv.yaml", PROFILE_HEAD + "publications:\n  - bibtex: a.bib\n  - bibtex: b.bib\n")
    with pytest.raises(InputError) as info:
        load_profile(path)
    (problem,) = info.value.problems
    assert (problem.file.name, problem.line) == ("b.bib", 2)
    assert "duplicate publication id 'same'" in problem.message


def test_malformed_include_is_a_schema_error(tmp_path: Path) -> None:
    path = write(tmp_path / "cv.yaml", PROFILE_HEAD + "publications:\n  - {bibtex: refs.bib, tags: [x]}\n")
    with pytest.raises(InputError) as info:
        load_profile(path)
    assert "unknown key 'tags'" in str(info.value)


# ---- the seed publication lists ------------------------------------------------------------


@pytest.mark.parametrize("seed", ["seed000", "seed001"])
@pytest.mark.parametrize(
    "options",
    [
        PublicationOptions(),
        PublicationOptions(group_by="type", numbering="type"),
        PublicationOptions(group_by="year", numbering="descending", max_authors=4),
        PublicationOptions(since=2024, sort="oldest", numbering="ascending", highlight="underline"),
        PublicationOptions(selected_only=True),
    ],
)
def test_bibtex_and_yaml_give_the_same_document(seed: str, options: PublicationOptions) -> None:
    from_bib, _ = load_profile(SEED_FIXTURES / f"{seed}-bib.yaml")
    from_yaml, _ = load_profile(SEED_FIXTURES / f"{seed}.yaml")
    build = BuildOptions(spec=DocumentSpec(publications=options), publications=PublicationView())
    a = build_document(from_bib, build).model_dump()
    b = build_document(from_yaml, build).model_dump()
    assert a == b
    n = {"seed000": 7, "seed001": 12}[seed]
    assert len(from_bib.publication_entries()) == n


def test_seed_fixtures_transcribe_the_pages() -> None:
    """Every title of the seed pages is in the fixtures (the commented-out paper on page 001 is not shown there)."""
    import re

    if not SEEDS.is_dir():
        pytest.skip(f"the seed pages are not in this checkout ({SEEDS})")

    for seed, fixture in (("000", "seed000.yaml"), ("001", "seed001.yaml")):
        (page,) = SEEDS.glob(f"{seed}_*.txt")
        visible = re.sub(r"<!--.*?-->", "", page.read_text(encoding="utf-8"), flags=re.S)
        profile, _ = load_profile(SEED_FIXTURES / fixture)
        from cvbuild.document.inline import plain, spans

        titles = {plain(spans(p.title)) for p in profile.publication_entries()}  # Summ^N^ -> "SummN"
        page_titles = {
            re.sub(r"</?sup>|[*_]", "", block.splitlines()[0]).rstrip("\\").strip()
            for block in re.split(r"\n\s*\n", visible.strip())
        }
        assert titles == page_titles


# ---- cvbuild import bibtex -----------------------------------------------------------------


def test_import_prints_yaml_that_validates_and_equals_the_include(tmp_path: Path) -> None:
    result = run_cli("import", "bibtex", SEED_FIXTURES / "seed001.bib")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("# 12 publications from seed001.bib")
    assert '    title: "*Can\'t Be Late*: Optimizing Spot Instance Savings under Deadlines"' in result.stdout
    pasted = write(tmp_path / "cv.yaml", PROFILE_HEAD + "publications:\n" + result.stdout)
    imported, _ = load_profile(pasted)
    included, _ = load_profile(SEED_FIXTURES / "seed001-bib.yaml")
    assert imported.publications == included.publications


def test_import_reports_problems_with_lines(tmp_path: Path) -> None:
    bib = write(tmp_path / "refs.bib", "@misc{a, title={t}, author={A B}, year=2024, month=smarch}\n@misc{b,\n")
    result = run_cli("import", "bibtex", bib)
    assert result.returncode == 2
    assert result.stdout == ""
    assert f"{bib}:1:46: a.month: invalid month" in result.stderr
    assert f"{bib}:2:9: @misc{{b}}: BibTeX syntax error: the entry is not closed: add a `}}`" in result.stderr
    missing = run_cli("import", "bibtex", tmp_path / "none.bib")
    assert missing.returncode == 2 and "BibTeX file not found" in missing.stderr


def test_bibtexparser_is_imported_only_when_a_bib_is_read() -> None:
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from cvbuild.loading.profile import load_profile\n"
        f"load_profile(Path({str(SEED_FIXTURES / 'seed000.yaml')!r}))\n"
        "print('before', 'bibtexparser' in sys.modules, 'pylatexenc' in sys.modules)\n"
        f"load_profile(Path({str(SEED_FIXTURES / 'seed000-bib.yaml')!r}))\n"
        "print('after', 'bibtexparser' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "before False False" in out and "after True" in out


@pytest.mark.parametrize("markup", [False, True])
def test_fast_path_decodes_like_pylatexenc(markup: bool) -> None:
    """Common LaTeX skips pylatexenc (about 1 ms a field) but must give exactly its text."""
    from cvbuild.loading.bibtex import _decoder, _simple_latex

    cases = [
        r"{\"o}", r"{\c{s}}", r"{R}unge", "1--10", "a---b", r"Kry{\'s}ci{\'n}ski", r"{\v{S}}koda", r"G{\"{u}}nter",
        r"{\o}", r"\ss", r"\ss x", r"\o rsted", r"Gau{\ss}", r"\'{\i}", r"\'\i", r"\^{o}", r"\`a", r"\~n", r"\=a",
        r"\.z", r"\u{g}", r"\H{o}", r"\k{a}", r"\r{a}", r"\d{s}", r"\c c", r"Ay{\c{s}}e", r"\emph{SkyServe}: x",
        r"\textbf{B} \textit{i}", r"50\% \& \_ \#", "A~B", "it''s", r"{\AA}ngstr{\"o}m", r"{\L}ukasz", r"Pin{-}Lun",
        r"\'{E}cole", r"\"{\i}", r"Erd\H{o}s", r"\v{C}ech", r"Fran\c{c}ois", r"\AE sop", r"{\ae}",
    ]  # fmt: skip
    for latex in cases:
        fast = _simple_latex(latex, markup=markup)
        assert fast is not None, latex
        assert " ".join(fast.split()) == " ".join(_decoder(markup).latex_to_text(latex).split()), latex
    for latex in (r"$\alpha$", r"\url{x}", r"``q''", r"\unknown{x}", r"\emph{a {b} c}"):
        assert _simple_latex(latex, markup=markup) is None, latex  # left to pylatexenc


def test_al_folio_style_file_in_the_wild() -> None:
    """Quirks seen in real al-folio files: front matter, leading `*`/`∗` marks, empty fields, a DOI URL,
    a relative pdf, `month={Aug},}`, an indented entry, unknown fields and an HTML-ish title."""
    found = entries(
        r"""---
---
@ARTICLE{TMC2020,
  abbr={TMC 2020},
  author={*Pang, Ce and Qiu, Chenxi and ∗Yadav, Sourabh},
  journal={IEEE Transactions on Mobile Computing},
  title={[A+] Location Privacy via {Geo-Indistinguishability}},
  year={2020},
  volume={},
  number={},
  pages={1275–1284},
  doi = {https://doi.org/10.1016/j.tej.2020.106883},
  pdf={TMC2020.pdf},
  selected1 = {true},
  month={Aug},}

  @INPROCEEDINGS{8025305,
    abbr = {ICPP 2017},
    author={Qiu, Chenxi and Shen, Haiying},
    booktitle={Proceedings of 46th International Conference on Parallel Processing (ICPP)},
    title={Fading-Resistant Link Scheduling for <tex-math>$k$</tex-math>-Coverage},
    year={2017},
    keywords={},
  }
"""
    )
    tmc = found["TMC2020"]
    assert tmc["authors"] == ["Ce Pang*", "Chenxi Qiu", "Sourabh Yadav*"]
    assert tmc["title"] == r"\[A+\] Location Privacy via Geo-Indistinguishability"
    assert (tmc["venue"], tmc["venue_full"], tmc["date"]) == (
        "TMC 2020",
        "IEEE Transactions on Mobile Computing",
        "2020-08",
    )
    assert tmc["doi"] == "10.1016/j.tej.2020.106883" and "links" not in tmc
    assert "volume" not in tmc and "number" not in tmc and tmc["pages"] == "1275–1284"
    icpp = found["8025305"]
    assert icpp["type"] == "conference" and "tags" not in icpp
    for data in found.values():
        Publication.model_validate(data)


@pytest.mark.parametrize(
    ("latex", "text"),
    [
        ("1-{}-10", "1--10"),  # TeX prints two hyphens; the braces only break the ligature
        ("a'{}'b", "a''b"),
        (r"\textbraceleft{}x\textbraceright{}", "{x}"),
        (r"\textasciicircum{} \textless{}b\textgreater{} a\textbar{}b", "^ <b> a|b"),
        (r"50\% -{}- \textbackslash{}", "50% -- \\"),
    ],
)
def test_reserved_characters_by_name(latex: str, text: str) -> None:
    """What `cvbuild export bibtex` writes for LaTeX's reserved characters reads back as them."""
    assert decode_latex(latex) == text


def test_full_biblatex_date_wins_over_year() -> None:
    data = one("@article{k, title={T}, author={A}, year={2024}, month={5}, date={2024-05-17}}")
    assert data["date"] == "2024-05-17"
    assert one("@article{k, title={T}, author={A}, year={2024}, date={2023}}")["date"] == "2024"


@pytest.mark.parametrize(
    ("bib", "message", "fix"),
    [
        (  # a `}` left out inside a value: found where the next field starts
            "@article{a,\n  title = {Slow {Things},\n  author = {Example, Ada},\n  journal = {JACM},\n"
            "  year = {2023}\n}\n@misc{b, title = {Other}, author = {Example, Ada}, year = 2022}\n",
            "refs.bib:2:11: @article{a}: BibTeX syntax error: the `{` of `title` opened here is not closed before"
            " `author` on line 3; add the missing `}`",
            ("{Slow {Things},", "{Slow {Things}},"),
        ),
        (  # a `"` left out
            '@article{a,\n  title = "Slow Things,\n  author = {Example, Ada},\n  journal = {JACM},\n'
            "  year = {2023}\n}\n",
            'refs.bib:2:11: @article{a}: BibTeX syntax error: the `"` of `title` opened here is not closed before'
            ' `author` on line 3; add the missing `"`',
            ('"Slow Things,', '"Slow Things",'),
        ),
        (  # the entry's own `}`
            "@article{a,\n  title = {Slow Things},\n  author = {Example, Ada},\n  journal = {JACM},\n"
            "  year = {2023}\n\n@misc{b, title = {Other}, author = {Example, Ada}, year = 2022}\n",
            "refs.bib:5:16: @article{a}: BibTeX syntax error: the entry is not closed: add a `}` after its last field",
            ("{2023}\n", "{2023}}\n"),
        ),
        (  # a `,` left out: the journal was 'JACM}\n  year = {2023', the year 'missing'
            "@article{a,\n  title = {Slow Things},\n  author = {Example, Ada},\n  journal = {JACM}\n"
            "  year = {2023}\n}\n",
            "refs.bib:4:19: a.journal: a `,` is missing after this value, before `year` on line 5",
            ("{JACM}\n", "{JACM},\n"),
        ),
    ],
)
def test_a_bib_typing_mistake_is_told_where_the_fix_goes(
    bib: str, message: str, fix: tuple[str, str], tmp_path: Path
) -> None:
    """The mistakes people make in a .bib, each reported alone at the place to fix (they were at
    the entry's first line, or the year 'missing' where a comma was), and fixed there it loads."""
    assert problems(bib) == [message]
    line, column = (int(n) for n in message.split(":")[1:3])
    placed = bib.split("\n")[line - 1][column - 1 :]
    assert placed.startswith(("{", '"')) or placed.strip() == "", placed  # the place itself
    fixed = parse_bibtex(bib.replace(*fix), Path("refs.bib"))
    assert not fixed.problems
    assert fixed.entries[0].data["title"] == "Slow Things"
    assert fixed.entries[0].data.get("venue", "JACM") == "JACM" and fixed.entries[0].data["date"] == "2023"
