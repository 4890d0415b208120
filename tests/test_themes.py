"""Themes are folders: lookup order, `extends`, options, scaffolding."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
from conftest import BUILTIN_THEMES, pdf_lines, pdf_text, run_cli, write
from pypdf import PdfReader

from cvbuild.errors import InputError
from cvbuild.themes.theme import builtin_themes_dir, list_themes, load_theme


def test_builtin_chain_and_options() -> None:
    theme = load_theme("classic")
    assert theme.chain == (builtin_themes_dir() / "classic", builtin_themes_dir() / "base")
    assert theme.find("cv.txt.j2") == builtin_themes_dir() / "base" / "cv.txt.j2"
    assert theme.options["text_width"] == 80  # inherited from base
    assert theme.resolve_options({"text_width": "100"})["text_width"] == 100


@pytest.mark.parametrize(
    ("override", "phrase"),
    [
        ({"txt_width": 1}, "did you mean 'text_width'"),
        ({"text_width": "wide"}, "expects int"),
        ({"page_size": "a3"}, "a4"),
    ],
)
def test_bad_options_are_input_errors(override: dict[str, object], phrase: str) -> None:
    with pytest.raises(InputError, match=phrase):
        load_theme("classic").resolve_options(override)


def test_local_theme_beside_profile_overrides_template(tmp_path: Path) -> None:
    write(tmp_path / "themes" / "plain" / "theme.toml", 'name = "plain"\nextends = "classic"\n')
    write(tmp_path / "themes" / "plain" / "cv.txt.j2", "CUSTOM {{ person.name }}\n")
    profile = write(tmp_path / "p.yaml", "name: Ada Example\n")
    result = run_cli("render", profile, "-f", "txt,md", "--theme", "plain", "-o", tmp_path / "o")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "o" / "ada-example.txt").read_text() == "CUSTOM Ada Example\n"
    assert (tmp_path / "o" / "ada-example.md").read_text().startswith("# Ada Example")  # inherited
    assert "plain" in [t.name for t in list_themes(tmp_path)]


def test_theme_by_path_and_errors(tmp_path: Path) -> None:
    write(tmp_path / "a" / "theme.toml", 'name = "a"\nextends = "b"\n')
    write(tmp_path / "b" / "theme.toml", 'name = "b"\nextends = "a"\n')
    with pytest.raises(InputError, match="cycle") as info:
        load_theme(str(tmp_path / "a"))
    [problem] = info.value.problems  # at the `extends` line that closes the loop (it named no line)
    assert (problem.file, problem.line, problem.column, problem.path) == (
        tmp_path / "b" / "theme.toml",
        2,
        1,
        "extends",
    )
    assert problem.message == "`extends` forms a cycle: a -> b -> a; one of these themes must extend another"
    write(tmp_path / "c" / "theme.toml", 'name = "c"\ncolour = "red"\n')
    with pytest.raises(InputError, match="unknown key"):
        load_theme(str(tmp_path / "c"))
    with pytest.raises(InputError, match="not a theme folder"):
        load_theme(str(tmp_path))


def test_publication_defaults_take_the_values_a_profile_may_write(tmp_path: Path) -> None:
    """[publications] in theme.toml: numbering_scope and sort = "as_written" were refused though
    documented, and group_by, numbering and highlight took any string, ignored later."""
    folder = write(tmp_path / "t" / "theme.toml", 'extends = "classic"\n[publications]\n').parent
    good = 'group_by = "year"\nsort = "as_written"\nnumbering = "ascending"\nnumbering_scope = "group"\n'
    (folder / "theme.toml").write_text((folder / "theme.toml").read_text() + good + 'highlight = "underline"\n')
    assert load_theme(str(folder)).publications["numbering_scope"] == "group"
    for line, phrase in [
        ('group_by = "yaer"', "'none', 'type' or 'year'"),
        ('numbering = "up"', "'none', 'ascending', 'descending' or 'type'"),
        ('highlight = "italic"', "'bold', 'underline' or 'none'"),
        ("max_authors = -1", "greater than or equal to 0"),
    ]:
        write(folder / "theme.toml", f'extends = "classic"\n[publications]\n{line}\n')
        with pytest.raises(InputError) as info:
            load_theme(str(folder))
        [problem] = info.value.problems
        assert (problem.line, problem.column, problem.path) == (3, 1, f"publications.{line.split()[0]}")
        assert phrase in problem.message


def test_a_section_titles_key_one_slip_from_a_built_in_section_is_refused(tmp_path: Path) -> None:
    """`publicaitons = "Papers"` was taken, and its heading never used; a custom section's id (a
    profile's `leadership`) is still taken, as is every built-in id."""
    toml = 'extends = "classic"\n[section_titles]\nleadership = "Leading"\ntalks = "Invited Talks"\n'
    folder = write(tmp_path / "t" / "theme.toml", toml).parent
    assert load_theme(str(folder)).section_titles["leadership"] == "Leading"
    write(folder / "theme.toml", toml + 'publicaitons = "Papers"\n  "honours" = {en = "Honours"}\n')
    with pytest.raises(InputError) as info:
        load_theme(str(folder))
    pubs, honors = info.value.problems
    assert (pubs.line, pubs.column, pubs.path) == (5, 1, "section_titles.publicaitons")
    assert pubs.message.startswith("no built-in section is called 'publicaitons'; did you mean 'publications'?")
    assert (honors.line, honors.column, honors.path) == (6, 3, "section_titles.honours")
    assert "did you mean 'honors'?" in honors.message
    result = run_cli("render", write(tmp_path / "p.yaml", "name: Ada Example\n"), "--theme", folder, "-f", "txt")
    assert result.returncode == 2 and f"{folder / 'theme.toml'}:5:1: section_titles.publicaitons: " in result.stderr


def test_a_childs_option_keeps_its_parents_type(tmp_path: Path) -> None:
    """`show_photo = "yes please"` over classic's boolean was accepted, and failed later inside
    classic's cv.typ ("expected boolean, found string"), far from the line to fix."""
    toml = 'extends = "classic"\n[options]\nspacing = 1\nshow_photo = "yes please"\nsection_order = "skills"\n'
    folder = write(tmp_path / "t" / "theme.toml", toml).parent
    with pytest.raises(InputError) as info:
        load_theme(str(folder))
    photo, order = info.value.problems
    assert (photo.file, photo.line, photo.column, photo.path) == (folder / "theme.toml", 4, 1, "options.show_photo")
    assert photo.message == (
        "option 'show_photo' is a boolean in the theme this one extends, got 'yes please'; "
        "write a boolean, like its default there: show_photo = true"
    )
    assert (order.line, order.path) == (5, "options.section_order")
    assert order.message.endswith('section_order = ["summary", "interests", ...]')
    write(folder / "theme.toml", 'extends = "classic"\n[options]\nspacing = 1\nshow_photo = false\n')
    assert load_theme(str(folder)).options["spacing"] == 1  # an int for a float is a number too


def test_a_new_option_a_letter_from_an_inherited_one_is_a_typo(tmp_path: Path) -> None:
    """`acent = "#8b0000"` in a theme extending classic was taken as a new option of its own: the
    accent stayed classic's blue, and nothing said why."""
    toml = 'extends = "classic"\n[options]\nacent = "#8b0000"\nshow_photo_frame = true\n'
    # a second accent, numbered after the first, is an option of its own: it was refused as a typo
    numbered = 'extends = "classic"\n[options]\naccent2 = "#8b0000"\naccent_3 = "#000080"\n'
    assert load_theme(str(write(tmp_path / "n" / "theme.toml", numbered).parent)).options["accent2"] == "#8b0000"
    folder = write(tmp_path / "t" / "theme.toml", toml).parent
    with pytest.raises(InputError) as info:
        load_theme(str(folder))
    (problem,) = info.value.problems  # show_photo_frame is far enough from show_photo: an option of its own
    assert (problem.file, problem.line, problem.column, problem.path) == (folder / "theme.toml", 3, 1, "options.acent")
    assert problem.message.startswith(
        "option 'acent' is new here, not an option of the theme this one extends; did you mean 'accent'?"
    )
    result = run_cli("render", write(tmp_path / "p.yaml", "name: Ada Example\n"), "--theme", folder, "-f", "txt")
    assert result.returncode == 2 and f"{folder / 'theme.toml'}:3:1: options.acent: " in result.stderr
    assert "Traceback" not in result.stderr


def test_a_default_outside_its_choices_is_located_in_its_theme_toml(tmp_path: Path) -> None:
    """`date_format = "%s"` in a theme was found only when the run checked its options as
    overrides: "--set: option 'date_format' is '%s'", naming no file, on a run with no --set."""
    folder = write(tmp_path / "t" / "theme.toml", 'extends = "classic"\n[options]\n\ndate_format = "%s"\n').parent
    with pytest.raises(InputError) as info:
        load_theme(str(folder))
    (problem,) = info.value.problems
    assert (problem.file, problem.line, problem.column, problem.path) == (
        folder / "theme.toml",
        4,
        1,
        "options.date_format",
    )
    assert problem.message == "'%s' is not one of its choices: short, long, numeric, year"
    write(folder / "theme.toml", 'extends = "classic"\n[choices]\ndate_format = ["long"]\n')
    with pytest.raises(InputError) as info:
        load_theme(str(folder))
    (problem,) = info.value.problems
    assert (problem.file, problem.line, problem.path) == (folder / "theme.toml", 3, "choices.date_format")
    assert problem.message.startswith("'short', the default in ") and problem.message.endswith(", is not one of long")
    profile = write(tmp_path / "p.yaml", "name: Ada Example\n")
    result = run_cli("render", profile, "-f", "txt", "--theme", folder, "-o", tmp_path / "o")
    assert result.returncode == 2 and f"{folder / 'theme.toml'}:3:1: choices.date_format: " in result.stderr
    write(
        folder / "theme.toml",
        'extends = "classic"\n[choices]\ndate_format = ["long"]\n[options]\ndate_format = "long"\n',
    )
    assert load_theme(str(folder)).options["date_format"] == "long"


@pytest.mark.parametrize("name", ["../../escaped/pwn", "a/b", ".hidden", "x\\u001b[31m", "", "x" * 65, "x\\n"])
def test_a_theme_name_is_a_name_not_a_path(tmp_path: Path, name: str) -> None:
    """`themes --preview DIR` writes DIR/NAME.png: a local theme named "../../escaped/pwn" wrote
    (and made the folders for) a PNG outside DIR; a name with an escape coloured the listing.
    (Without --dir, ./themes/evil is skipped with a note: test_themes_in_a_site_with_its_own_themes_folder.)"""
    toml = f'name = "{name}"\nextends = "classic"\ntargets = ["png"]\n'
    write(tmp_path / "work" / "themes" / "evil" / "theme.toml", toml)
    result = run_cli("themes", "--dir", tmp_path / "work", "--preview", "out", cwd=tmp_path / "work")
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(
        f"{tmp_path / 'work' / 'themes' / 'evil' / 'theme.toml'}:1:1: name: a theme's name is"
    )
    assert not (tmp_path / "escaped").exists() and not (tmp_path / "work" / "out").exists()
    assert "\x1b" not in result.stderr + result.stdout


def test_theme_names_in_any_script_stay_valid(tmp_path: Path) -> None:
    # Marks (Devanagari's vowel signs, an accent typed apart) and Persian's joiner are in a word:
    # the python-re engine's \\w lacked them and refused these names.
    for name in ("my-theme", "académique", "v1.2", "theme_ok", "简历", "हिंदी", "acade\u0301mique", "نیم\u200cفاصله"):
        folder = write(tmp_path / name / "theme.toml", f'name = "{name}"\nextends = "classic"\n').parent
        assert load_theme(str(folder)).name == name


def test_template_errors_name_the_theme_file(tmp_path: Path) -> None:
    write(tmp_path / "t" / "theme.toml", 'name = "t"\nextends = "classic"\n')
    write(tmp_path / "t" / "cv.txt.j2", "line one\n{{ person.nmae }}\n")
    profile = write(tmp_path / "p.yaml", "name: Ada Example\n")
    result = run_cli("render", profile, "-f", "txt", "--theme", tmp_path / "t", "-o", tmp_path / "o")
    assert result.returncode == 2, result.stderr  # the theme is input: exit 2, located to the column
    assert "cv.txt.j2:2:11: template error: Person has no field 'nmae'; did you mean 'name'?" in result.stderr
    assert "Traceback" not in result.stderr


def test_theme_new_scaffolds_an_extending_theme(tmp_path: Path) -> None:
    result = run_cli("theme", "new", "mine", "--extends", "modern", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    theme = load_theme("mine", tmp_path)
    assert theme.chain[1].name == "modern"
    assert run_cli("theme", "new", "mine", cwd=tmp_path).returncode == 2
    assert run_cli("theme", "new", "Bad Name", cwd=tmp_path).returncode == 2


@pytest.mark.parametrize("parent", ["classic", "sidebar", "homepage"])
def test_theme_new_lists_the_parents_options_to_uncomment(tmp_path: Path, parent: str) -> None:
    """The new theme.toml had an empty [options]: to change the accent or the font, an author had
    to find the option's name elsewhere, and editing the font in cv.typ's setup() changed nothing
    (classic's `font` option wins). Uncommented, each line loads and sets the parent's default."""
    assert run_cli("theme", "new", "mine", "--extends", parent, cwd=tmp_path).returncode == 0
    manifest = tmp_path / "themes" / "mine" / "theme.toml"
    text = manifest.read_text(encoding="utf-8")
    parent_options = load_theme(parent).options
    assert "# accent = " in text and "# font = " in text and "wins over the font cv.typ gives setup()" in text
    assert '# show_email = "plain"  # one of: plain, obfuscated, hidden' in text or parent == "homepage"
    manifest.write_text(re.sub(r"(?m)^# (\w+ = )", r"\1", text), encoding="utf-8")
    mine = load_theme("mine", tmp_path)
    assert dict(mine.options) == dict(parent_options)
    assert set(tomllib.loads(manifest.read_text(encoding="utf-8"))["options"]) == set(parent_options)


def test_theme_new_extends_a_theme_of_ones_own_and_says_how_to_use_it(tmp_path: Path) -> None:
    """`theme new child --extends mine` failed with "unknown theme 'mine'" beside ./themes/mine;
    the hint's `watch PROFILE --serve` previewed the profile's theme, not the new one, and
    `--theme NAME` does not find a theme made with --dir elsewhere."""
    write(tmp_path / "p.yaml", "name: Ada Example\n")
    assert run_cli("theme", "new", "mine", cwd=tmp_path).returncode == 0
    result = run_cli("theme", "new", "child", "--extends", "mine", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert 'extends = "mine"\n' in (tmp_path / "themes" / "child" / "theme.toml").read_text(encoding="utf-8")
    assert result.stdout.endswith(
        "use it with: cvbuild render PROFILE --theme child"
        "   (live preview: cvbuild watch PROFILE --theme child --serve)\n"
    )
    assert [p.name for p in load_theme("child", tmp_path).chain] == ["child", "mine", "classic", "base"]

    result = run_cli("theme", "new", "other", "--dir", "elsewhere", "--extends", "./themes/mine", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert 'extends = "../../themes/mine"\n' in (tmp_path / "elsewhere" / "other" / "theme.toml").read_text()
    assert "--theme ./elsewhere/other --serve" in result.stdout
    rendered = run_cli("render", "p.yaml", "--theme", "./elsewhere/other", "-f", "txt", cwd=tmp_path)
    assert rendered.returncode == 0, rendered.stderr


def test_theme_new_extends_a_folder_named_beyond_the_basic_plane(tmp_path: Path) -> None:
    """The new theme.toml wrote its `extends` path with JSON's escapes: an emoji in a folder's
    name became a surrogate pair (`"../../par\\ud83d\\ude00/kid"`), which TOML refuses, so the
    theme just made could not be loaded ("invalid TOML"). Quotes, backslashes and control
    characters stay escaped."""
    write(tmp_path / "p.yaml", "name: Ada Example\n")
    parent = 'par😀 "q" \\ é'
    assert run_cli("theme", "new", "kid", "--dir", parent, cwd=tmp_path).returncode == 0
    result = run_cli("theme", "new", "child", "--extends", f"./{parent}/kid", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert 'extends = "../../par😀 \\"q\\" \\\\ é/kid"\n' in (tmp_path / "themes" / "child" / "theme.toml").read_text(
        encoding="utf-8"
    )
    assert [p.name for p in load_theme("child", tmp_path).chain] == ["child", "kid", "classic", "base"]
    rendered = run_cli("render", "p.yaml", "--theme", "child", "-f", "txt", "-o", "out", cwd=tmp_path)
    assert rendered.returncode == 0, rendered.stderr


def test_themes_lists_the_theme_just_made(tmp_path: Path) -> None:
    """`cvbuild themes` after `cvbuild theme new mine` left mine out: it read ./themes only with --dir."""
    assert run_cli("theme", "new", "mine", cwd=tmp_path).returncode == 0
    result = run_cli("themes", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert [line.split()[0] for line in result.stdout.splitlines()][:2] == ["mine", "classic"]
    assert f"({tmp_path / 'themes' / 'mine'})" in result.stdout


def test_themes_in_a_site_with_its_own_themes_folder(tmp_path: Path) -> None:
    """`cvbuild themes` reads ./themes since 49006c8; in a Hugo site (a home for a CV), whose
    themes have a theme.toml of their own, it failed with exit 2 and listed nothing. Such a folder
    is skipped with a note; a theme made with `theme new` is still listed, and --dir stays strict."""
    hugo = 'name = "Ananke Gohugo Theme"\nlicense = "MIT"\nmin_version = "0.84.0"\n[author]\n  name = "x"\n'
    write(tmp_path / "themes" / "ananke" / "theme.toml", hugo)
    assert run_cli("theme", "new", "mine", cwd=tmp_path).returncode == 0
    result = run_cli("themes", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert [line.split()[0] for line in result.stdout.splitlines()][:2] == ["mine", "classic"]
    assert (
        result.stderr
        == "note: themes/ananke skipped: not a valid cvbuild theme (cvbuild theme check themes/ananke says why)\n"
    )
    assert run_cli("themes", "--dir", ".", cwd=tmp_path).returncode == 2


@pytest.mark.parametrize("fmt", ["txt", "html", "pdf"])
@pytest.mark.parametrize("option", ["accent=red;}</style>", "margin=2 inches", "font_size=huge", 'font=a"b'])
def test_style_options_are_checked_once_for_every_target(tmp_path: Path, fmt: str, option: str) -> None:
    profile = write(tmp_path / "p.yaml", "name: Ada Example\n")
    result = run_cli("render", profile, "-f", fmt, "--set", option, "-o", tmp_path / "o")
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(f"error: --set: theme option {option.split('=')[0]}=")
    assert not (tmp_path / "o").exists()


def _install(site: Path, dist: str, name: str, package: str) -> None:
    """A package with a `cvbuild.themes` entry point, installed the way pip leaves it."""
    write(site / package / "__init__.py", "")
    write(site / package / "theme.toml", f'name = "{name}"\nextends = "classic"\n')
    write(site / f"{dist}-1.0.dist-info" / "METADATA", f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.0\n")
    write(site / f"{dist}-1.0.dist-info" / "entry_points.txt", f"[cvbuild.themes]\n{name} = {package}\n")


def test_installed_themes_kept_by_watch_until_a_package_is_installed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`watch` keeps the entry-point scan, but a package installed meanwhile is seen at once."""
    import sys

    from cvbuild.themes.theme import INSTALLED_CACHE_KEY, installed_themes

    site = tmp_path / "site"
    site.mkdir()
    monkeypatch.syspath_prepend(str(site))
    cache: dict[object, object] = {}
    assert "shiny" not in installed_themes(cache)
    assert INSTALLED_CACHE_KEY in cache
    before = installed_themes(cache)
    assert installed_themes(cache) is before  # nothing changed on sys.path: the kept scan
    _install(site, "cvbuild_shiny", "shiny", "shiny_theme")
    assert installed_themes(cache)["shiny"] == site / "shiny_theme"
    assert load_theme("shiny", cache=cache).chain[0] == site / "shiny_theme"
    assert installed_themes(cache) == installed_themes() == {**before, "shiny": site / "shiny_theme"}
    # removed again (pip uninstall): gone from the kept answer too
    import shutil

    shutil.rmtree(site / "cvbuild_shiny-1.0.dist-info")
    assert "shiny" not in installed_themes(cache)
    assert str(site) in sys.path


def test_entry_points_read_as_importlib_metadata_reads_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """cvbuild reads entry points without importing importlib.metadata: every group of every
    installed package (and a shadowed duplicate) must come out as importlib.metadata gives it."""
    from importlib import metadata

    from cvbuild.themes.theme import entry_points

    site, later = tmp_path / "site", tmp_path / "later"
    _install(site, "Cvbuild.Shiny", "shiny", "shiny_theme")
    _install(later, "cvbuild_shiny", "shiny", "other_theme")  # the same distribution, later on the path
    write(site / "odd-2.0.dist-info" / "entry_points.txt", "# comment\n[cvbuild.themes]\n  a=b:c  \n[x]\nq = r\n")
    monkeypatch.syspath_prepend(str(later))
    monkeypatch.syspath_prepend(str(site))
    groups = set(metadata.entry_points().groups)
    assert {"console_scripts", "cvbuild.themes"} <= groups
    for group in groups:
        assert entry_points(group) == [(ep.name, ep.value) for ep in metadata.entry_points(group=group)], group
    assert entry_points("cvbuild.themes") == [("shiny", "shiny_theme"), ("a", "b:c")]


HONOR_WITH_NOTE = """name: Ada Example
honors:
  - {title: Cirrus Compute PhD Fellowship, issuer: Cirrus Compute Inc., date: 2024-09,
     note: One of 12 fellows worldwide; two years of full funding.}
  - {title: Best Poster, issuer: EuroSys, date: 2024-04}
"""


@pytest.mark.parametrize("engine", ["typst", "weasyprint"])
@pytest.mark.parametrize("theme", BUILTIN_THEMES)
def test_a_one_line_entry_ends_with_its_note(theme: str, engine: str, tmp_path: Path) -> None:
    """An honor's note ("... of full funding.") stood beside its title, so the comma before the
    issuer followed its period: "funding., Cirrus Compute Inc."; the note now ends the line."""
    profile = write(tmp_path / "p.yaml", HONOR_WITH_NOTE)
    result = run_cli("render", profile, "-f", "pdf,html", "--theme", theme, "--engine", engine, "-o", tmp_path)
    assert result.returncode == 0, result.stderr
    pdf = " ".join(pdf_text(next(tmp_path.glob("*.pdf"))).split())
    page = " ".join(re.sub(r"<[^>]+>", "", next(tmp_path.glob("*.html")).read_text(encoding="utf-8")).split())
    for text in (pdf, page):
        assert "., " not in text
        assert re.search(r"Cirrus Compute Inc\.,? — One of 12 fellows worldwide; two years of full funding\.", text)


def test_compact_keeps_a_short_projects_stats(tmp_path: Path) -> None:
    """compact sets a section of short entries one line each: a project's stars and metrics were
    dropped there (the PDF and the page showed "Zorb" alone; txt and md had them)."""
    profile = write(
        tmp_path / "p.yaml", 'name: Ada\nprojects: [{name: Zorb, stars: 4100, metrics: ["20 contributors"]}]\n'
    )
    result = run_cli("render", profile, "--theme", "compact", "-f", "pdf,html", "-o", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert "Zorb (4.1k ★ · 20 contributors)" in pdf_text(tmp_path / "out" / "ada.pdf")
    assert '<span class="stats">(4.1k ★ · 20 contributors)</span>' in (tmp_path / "out" / "ada.html").read_text()


LONG_VENUES = """name: Ada Example
publications:
  - title: A Reasonably Long Title About Scheduling Large Language Model Inference on Spot Instances
    authors: [Ada Example, Bob Builder]
    venue: Proceedings of the International Conference on Very Large Data Bases and Their Applications in Industry
    date: 2024-05
  - title: Short title
    authors: [Ada Example]
    venue: Journal of Extremely Long Venue Names That Nobody Abbreviates Because They Like Them Long Volume 12
    date: 2023
experience:
  - organization: Short Org
    role: Engineer
    location: Instituto Nacional de Matemática Pura e Aplicada, Estrada Dona Castorina, Rio de Janeiro
    start: 2020
"""


def test_compact_a_long_venue_wraps_in_its_half_in_weasyprint(tmp_path: Path) -> None:
    """Compact sets a publication's venue right of its title. A venue wider than half the line
    takes half and wraps there, as cv.typ's side-by-side does; WeasyPrint's table cell, which could
    not wrap, left the title one word a line (and ran past the margin)."""
    profile = write(tmp_path / "p.yaml", LONG_VENUES)
    out = tmp_path / "out"
    result = run_cli("render", profile, "--theme", "compact", "--engine", "weasyprint", "-f", "pdf", "-o", out)
    assert result.returncode == 0, result.stderr
    lines = [text for text, _ in pdf_lines(out / "ada-example.pdf")[0].lines]
    assert any("A Reasonably Long Title About" in line and "Proceedings of the" in line for line in lines), lines
    assert any("Short title" in line and "Journal of Extremely" in line for line in lines), lines
    assert any("Short Org" in line and "Instituto Nacional" in line for line in lines), lines


def test_compact_a_long_venue_wraps_in_its_half_on_the_page(tmp_path: Path, browser: Any) -> None:
    """The same in Chromium: the title keeps half the head, the venue stays inside the page."""
    profile = write(tmp_path / "p.yaml", LONG_VENUES)
    result = run_cli("render", profile, "--theme", "compact", "-f", "html", "-o", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    page = browser.new_page(viewport={"width": 1000, "height": 800})
    try:
        page.goto((tmp_path / "out" / "ada-example.html").as_uri())
        for head in page.query_selector_all(".pub-head, .entry-head"):
            box, left, right = (e.bounding_box() for e in (head, *head.query_selector_all(":scope > *")))
            assert box and left and right
            assert left["width"] >= 0.45 * box["width"] and right["x"] + right["width"] <= box["x"] + box["width"] + 1
    finally:
        page.close()


def _with_nested_place(tmp_path: Path) -> Any:
    """A job with an undated project whose Document entry has a place: the theme contract allows
    one (Entry.location), which a theme of one's own or a later profile field may fill."""
    import datetime as dt

    from cvbuild.loading.profile import load_profile
    from cvbuild.pipeline import RenderRequest, build_for, documents_to_render

    profile = write(
        tmp_path / "p.yaml",
        "name: Jo Example\nexperience:\n  - organization: Acme Labs\n    role: Engineer\n"
        "    location: Berlin\n    start: 2020-01\n    end: 2022-06\n    highlights: [Built the pipeline]\n"
        "    projects:\n      - name: Sensor Network\n        highlights: [Deployed forty nodes]\n",
    )
    prof, _ = load_profile(profile)
    name, spec = documents_to_render(prof, None)[0]
    _, doc = build_for(prof, name, spec, RenderRequest(profile=profile), dt.date(2026, 1, 1))
    job = doc.sections[0].groups[0].entries[0]
    child = job.children[0].model_copy(update={"location": "Hamburg Harbour"})
    group = doc.sections[0].groups[0].model_copy(update={"entries": [job.model_copy(update={"children": [child]})]})
    section = doc.sections[0].model_copy(update={"groups": [group]})
    return doc.model_copy(update={"sections": [section, *doc.sections[1:]]})


@pytest.mark.parametrize("theme", ["classic", "sidebar", "modern"])
def test_a_nested_entry_has_its_place_where_its_pdf_has_it(tmp_path: Path, theme: str, browser: Any) -> None:
    """A nested entry with no date and no subtitle: classic's and sidebar's Typst set its place
    beside its title (bf70e2d), where classic's page and WeasyPrint PDF set it alone on the line
    below and sidebar's hid it (modern's look, which it inherits). Modern shows no nested place
    in its PDF, nor on its page."""
    import datetime as dt

    from cvbuild.targets.base import RenderContext, render_format

    doc = _with_nested_place(tmp_path)
    ctx = RenderContext(load_theme(theme, tmp_path), dt.date(2026, 1, 1), tmp_path, options=doc.options)
    files = {}
    for fmt, engine in (("pdf", None), ("pdf", "weasyprint"), ("html", None)):
        (artifact,) = render_format(fmt, engine, doc, ctx)
        files[engine or fmt] = tmp_path / f"{engine or fmt}.{fmt}"
        files[engine or fmt].write_bytes(artifact.data)
    for engine in ("pdf", "weasyprint"):
        lines = [line for page in pdf_lines(files[engine]) for line, _ in page.lines]
        if theme == "modern":
            assert not any("Hamburg" in line for line in lines), (engine, lines)
        else:
            assert "Sensor Network Hamburg Harbour" in lines, (engine, lines)
    page = browser.new_page(viewport={"width": 1000, "height": 900})
    try:
        page.goto(files["html"].as_uri(), wait_until="load")
        title = page.get_by_text("Sensor Network", exact=True).bounding_box()
        place = page.locator(".entry-nested .location")
        if theme == "modern":
            assert not place.is_visible()
        else:
            box = place.bounding_box()
            assert title is not None and box is not None
            assert abs(box["y"] - title["y"]) < title["height"] / 2 and box["x"] > title["x"] + title["width"], box
    finally:
        page.close()


def test_page_size_and_show_email_are_checked_where_written(tmp_path: Path) -> None:
    """`page_size = "a3"` in a theme.toml: the PDF took it and the HTML page refused it with no place;
    `show_email = "nope"` likewise. Each is now an error at its line, in every format."""
    write(tmp_path / "p.yaml", "name: Ada Example\ncontact: {email: ada@example.org}\n")
    folder = tmp_path / "themes" / "t"
    for line, says in [
        ('page_size = "a3"', "page_size='a3' is not one cvbuild knows; valid values are: a4, a5, us-letter"),
        ('show_email = "nope"', "show_email='nope' is not one cvbuild knows; valid values are: plain, obfuscated"),
        # read in any case here, the HTML page refused it as written: "error: theme option ...", no place
        ('show_email = "Hidden"', "show_email='Hidden' is not one cvbuild knows; valid values are: plain, obf"),
    ]:
        write(folder / "theme.toml", f'extends = "base"\ntargets = ["txt", "html"]\n\n[options]\n{line}\n')
        write(folder / "cv.html.j2", "<p>{{ doc.person.name }}</p>\n")
        write(folder / "style.css", "")
        result = run_cli("render", "p.yaml", "--theme", "t", "-o", "out", cwd=tmp_path)
        assert result.returncode == 2, result.stderr
        assert result.stderr.startswith(f"{folder / 'theme.toml'}:5:1: options.{line.split()[0]}: theme option {says}")


@pytest.mark.parametrize(("size", "points"), [("letter", (612, 792)), ("A5", (420, 595))])
def test_every_documented_page_size_reaches_typst(tmp_path: Path, size: str, points: tuple[int, int]) -> None:
    """docs/themes.md allows `letter` and any case; Typst knew neither (an error inside cvbuild's own
    lib.typ): the Document carries Typst's name, `us-letter`, `a5`."""
    write(tmp_path / "p.yaml", "name: Ada Example\n")
    write(tmp_path / "themes" / "t" / "theme.toml", 'extends = "modern"\n\n[choices]\npage_size = []\n')
    result = run_cli(
        "render", "p.yaml", "--theme", "t", "-f", "pdf,html", "--set", f"page_size={size}", "-o", "out", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    box = PdfReader(tmp_path / "out" / "ada-example.pdf").pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == points


# A page of text wide and long enough to reach every margin (two pages in every theme).
_MARGIN_PROFILE = """name: Ada Example
headline: Margins on every side
summary: >-
  A line of text that is long enough to run from the left margin to the right margin of the page and to
  wrap onto the next line, so that both margins show where the text stops.
experience:
""" + "".join(
    f"""  - organization: Company {i}
    role: Engineer
    start: 20{10 + i}-01
    highlights:
      - Built a thing that takes a line long enough to wrap across the whole text width of the page, and more.
      - Another thing, also long enough to wrap across the whole width of the page's text, twice if it can.
"""
    for i in range(12)
)
_CM = 72 / 2.54


def _text_edges(pdf: Path) -> tuple[float, float, float, float, float]:
    """(left, right, top, bottom) of page 1's body text, in cm from each edge of the paper, and the
    page's height; the footer (below the bottom margin's top) is left out."""
    import pdfplumber

    with pdfplumber.open(pdf) as document:
        page = document.pages[0]
        chars = [c for c in page.chars if c["text"].strip() and c["top"] < page.height - 1.5 * _CM]
        return (
            min(c["x0"] for c in chars) / _CM,
            (page.width - max(c["x1"] for c in chars)) / _CM,
            min(c["top"] for c in chars) / _CM,
            (page.height - max(c["bottom"] for c in chars)) / _CM,
            page.height,
        )


def _wide_band(theme: str) -> tuple[str, ...]:
    """A band wide enough for sidebar's text beside a 4cm left margin (a 6.4cm one is refused)."""
    return ("--set", "sidebar_width=7.5cm") if theme == "sidebar" else ()


@pytest.mark.parametrize("engine", ["typst", "weasyprint"])
@pytest.mark.parametrize("theme", BUILTIN_THEMES)
def test_margin_takes_one_length_per_side(tmp_path: Path, theme: str, engine: str) -> None:
    """`margin: 1cm 3cm 2cm 4cm` (top right bottom left, as in CSS): a RenderCV page's four margins
    (import rendercv took the smallest for all four). Each side is where the text stops, in both
    engines and every theme; the sidebar's band text starts at the left margin. One length still
    means every side."""
    profile = write(tmp_path / "p.yaml", _MARGIN_PROFILE)
    out = tmp_path / "out"
    result = run_cli(
        "render",
        profile,
        "--theme",
        theme,
        "--engine",
        engine,
        "-f",
        "pdf",
        "--set",
        "margin=1cm 3cm 2cm 4cm",
        *_wide_band(theme),
        "-o",
        out,
    )
    assert result.returncode == 0, result.stderr
    left, right, top, bottom, _ = _text_edges(next(out.glob("*.pdf")))
    assert abs(left - 4) < 0.05 and abs(right - 3) < 0.1, (left, right)
    assert 0.6 < top < 1.05, top  # capitals and ascenders above the first baseline
    assert 2 - 0.05 < bottom < 2 + 2, bottom  # the last line above the bottom margin, the page (nearly) full
    one = tmp_path / "one"
    assert (
        run_cli(
            "render", profile, "--theme", theme, "--engine", engine, "-f", "pdf", "--set", "margin=3cm", "-o", one
        ).returncode
        == 0
    )
    left, right, *_ = _text_edges(next(one.glob("*.pdf")))
    assert abs(left - 3) < 0.05 and abs(right - 3) < 0.1, (left, right)


def test_margin_per_side_in_the_browsers_print(tmp_path: Path, browser: Any) -> None:
    """The HTML page printed from a browser has the same four margins (@page), every HTML theme."""
    from conftest import HTML_THEMES

    profile = write(tmp_path / "p.yaml", _MARGIN_PROFILE)
    for theme in HTML_THEMES:
        out = tmp_path / theme
        args = ("render", profile, "--theme", theme, "-f", "html", "--set", "margin=1cm 3cm 2cm 4cm", "-o", out)
        args += _wide_band(theme)
        assert run_cli(*args).returncode == 0
        page = browser.new_page()
        page.goto(next(out.glob("*.html")).as_uri())
        pdf = out / "printed.pdf"
        page.pdf(path=str(pdf), prefer_css_page_size=True)
        page.close()
        left, right, *_ = _text_edges(pdf)
        assert abs(left - 4) < 0.1 and 3 - 0.1 < right < 3.5, (theme, left, right)


def _first_baseline(pdf: Path) -> float:
    """Page 1's first baseline, in mm from the paper's top. From the characters' origins, not
    pdfplumber's `top`: Chromium embeds the themes' CFF fonts as Type 3 fonts, whose bounding boxes
    put every character's top ~3.4 mm above where it is drawn (the "higher" print was only that)."""
    import pdfplumber

    with pdfplumber.open(pdf) as document:
        page = document.pages[0]
        return float(min(page.height - c["matrix"][5] for c in page.chars if c["text"].strip())) / 72 * 25.4


@pytest.mark.parametrize("theme", BUILTIN_THEMES)
def test_the_browsers_print_starts_where_the_pdfs_do(tmp_path: Path, theme: str, browser: Any) -> None:
    """The HTML page printed from Chromium (its @page CSS) sets its first line on the baseline of
    the Typst and WeasyPrint PDFs' first line, within half a millimetre, with one margin per side."""
    profile = write(tmp_path / "p.yaml", _MARGIN_PROFILE)
    sets = ("--set", "margin=1.5cm 3cm 2cm 4cm", *_wide_band(theme))
    found = {}
    for engine in ("typst", "weasyprint"):
        out = tmp_path / engine
        result = run_cli("render", profile, "--theme", theme, "--engine", engine, "-f", "pdf,html", *sets, "-o", out)
        assert result.returncode == 0, result.stderr
        found[engine] = _first_baseline(next(out.glob("*.pdf")))
    page = browser.new_page()
    page.goto(next((tmp_path / "typst").glob("*.html")).as_uri())
    page.pdf(path=str(tmp_path / "printed.pdf"), prefer_css_page_size=True)
    page.close()
    found["chromium"] = _first_baseline(tmp_path / "printed.pdf")
    assert all(abs(found[engine] - found["typst"]) < 0.5 for engine in found), found


@pytest.mark.parametrize(
    ("margin", "phrase"),
    [("1cm 2cm 3cm 4cm 5cm", "one per side"), ("1cm 300pt", "outside 0pt to 200pt"), ("1cm;2cm", "one per side")],
)
def test_a_margin_of_more_than_four_sides_or_too_wide_is_refused(tmp_path: Path, margin: str, phrase: str) -> None:
    profile = write(tmp_path / "p.yaml", "name: Ada Example\n")
    result = run_cli("render", profile, "-f", "txt", "--set", f"margin={margin}", "-o", tmp_path / "out")
    assert result.returncode == 2 and phrase in result.stderr and "Traceback" not in result.stderr, result.stderr
