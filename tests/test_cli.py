"""The command line as a user meets it: help, version, new, validate, render, schema, themes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import EXAMPLE, ROOT, run_cli, write

from cvbuild import __version__
from cvbuild.loading.yaml_source import load_yaml


def test_version() -> None:
    result = run_cli("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"cvbuild {__version__}"


def test_help_lists_commands_and_imports_no_engine() -> None:
    code = (
        "import sys\n"
        "from cvbuild.cli.app import app\n"
        "try:\n"
        "    app(['--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "names = ('typst', 'weasyprint', 'bibtexparser', 'jinja2', 'babel', 'markdown_it', 'pydantic', 'ruamel')\n"
        "heavy = [m for m in names if m in sys.modules]\n"
        "print('HEAVY', heavy)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    for command in ("render", "validate", "new", "schema", "themes", "import"):
        assert command in result.stdout
    assert "HEAVY []" in result.stdout


def test_no_arguments_shows_usage() -> None:
    result = run_cli()
    assert result.returncode == 2
    assert "Usage" in result.stdout + result.stderr


def test_new_writes_valid_profile_with_working_schema_comment(tmp_path: Path) -> None:
    import jsonschema

    result = run_cli("new", "cv.yaml", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    profile = tmp_path / "cv.yaml"
    first = profile.read_text().splitlines()[0]
    assert first.startswith("# yaml-language-server: $schema=")
    schema_path = tmp_path / first.split("$schema=", 1)[1]
    schema = json.loads(schema_path.read_text())
    jsonschema.validate(load_yaml(profile).data, schema)  # what the editor would check
    assert run_cli("validate", "cv.yaml", cwd=tmp_path).returncode == 0
    rendered = run_cli("render", "cv.yaml", "-f", "txt", cwd=tmp_path)
    assert rendered.returncode == 0, rendered.stderr
    assert (tmp_path / "out" / "ada-example.txt").is_file()


def test_new_refuses_to_overwrite(tmp_path: Path) -> None:
    write(tmp_path / "profile.yaml", "name: Keep Me\n")
    result = run_cli("new", cwd=tmp_path)
    assert result.returncode == 2
    assert "already exists" in result.stderr
    assert (tmp_path / "profile.yaml").read_text() == "name: Keep Me\n"


def test_schema_command_matches_committed_copy() -> None:
    result = run_cli("schema")
    assert result.returncode == 0
    committed = (ROOT / "schema" / "profile.schema.json").read_text()
    assert result.stdout == committed, "run `cvbuild schema > schema/profile.schema.json`"
    assert json.loads(committed)["properties"]["name"]


def test_example_profile_matches_json_schema() -> None:
    import jsonschema

    schema = json.loads((ROOT / "schema" / "profile.schema.json").read_text())
    jsonschema.validate(load_yaml(EXAMPLE).data, schema)


def test_themes_lists_builtin_themes() -> None:
    result = run_cli("themes")
    assert result.returncode == 0
    names = [line.split()[0] for line in result.stdout.splitlines()]
    assert "classic" in names and "modern" in names
    assert "base" not in names  # abstract themes are not offered


def test_themes_shows_a_descriptions_control_characters_instead_of_obeying_them(tmp_path: Path) -> None:
    """A local theme's description set the terminal's title (OSC) and reversed the line (U+202E)."""
    description = "nice\\u001b]0;pwned\\u0007 \\u202e reversed"
    write(tmp_path / "themes" / "evil" / "theme.toml", f'name = "evil"\ndescription = "{description}"\n')
    result = run_cli("themes", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    (line,) = [line for line in result.stdout.splitlines() if line.startswith("evil")]
    assert "nice\\x1b]0;pwned\\x07 \\u202e reversed" in line
    assert not any(ch in result.stdout for ch in "\x1b\x07\u202e")


def test_unknown_theme_lists_available(tmp_path: Path) -> None:
    result = run_cli("render", EXAMPLE, "-f", "txt", "--theme", "clasic", "-o", tmp_path / "o")
    assert result.returncode == 2
    assert "did you mean 'classic'" in result.stderr
    from cvbuild.themes.theme import list_themes

    listed = ", ".join(sorted(t.name for t in list_themes()))  # every built-in theme, in order
    assert f"available themes: {listed}" in result.stderr
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize(
    ("args", "phrase"),
    [
        (["-f", "docx"], "unknown format 'docx'"),
        (["--set", "nonsense"], "KEY=VALUE"),
        (["--set", "acent=#000"], "did you mean 'accent'"),
        (["--set", "page_size=a5"], "valid values are: a4, us-letter"),
        (["-d", "nope"], "unknown document 'nope'"),
        (["--engine", "latex"], "unknown engine 'latex'"),
    ],
)
def test_usage_errors_exit_2_without_output(tmp_path: Path, args: list[str], phrase: str) -> None:
    result = run_cli("render", EXAMPLE, "-o", tmp_path / "o", *args)
    assert result.returncode == 2, result.stderr
    assert phrase in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "o").exists()


def test_render_names_outputs_after_the_person(tmp_path: Path) -> None:
    profile = write(tmp_path / "p.yaml", "name: Zoë O'Brien-Li\n")
    result = run_cli("render", profile, "-f", "txt,md", "-o", tmp_path / "o")
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (tmp_path / "o").iterdir()) == ["zoe-o-brien-li.md", "zoe-o-brien-li.txt"]


def test_render_each_document_variant(tmp_path: Path) -> None:
    profile = write(
        tmp_path / "p.yaml",
        "name: Ada Example\nsummary: Hi.\nskills: [{category: Code, items: [Python]}]\n"
        "documents:\n  cv: {}\n  short: {sections: [skills]}\n",
    )
    result = run_cli("render", profile, "-f", "txt", "-o", tmp_path / "o")
    assert result.returncode == 0, result.stderr
    full = (tmp_path / "o" / "ada-example-cv.txt").read_text()
    short = (tmp_path / "o" / "ada-example-short.txt").read_text()
    assert "SUMMARY" in full and "SKILLS" in full
    assert "SUMMARY" not in short and "SKILLS" in short
    only = run_cli("render", profile, "-f", "txt", "-o", tmp_path / "one", "-d", "short")
    assert only.returncode == 0
    assert [p.name for p in (tmp_path / "one").iterdir()] == ["ada-example-short.txt"]


def test_source_date_epoch_sets_the_date(tmp_path: Path) -> None:
    profile = write(tmp_path / "p.yaml", "name: Ada Example\n")
    result = run_cli("render", profile, "-f", "txt", "-o", tmp_path, env={"SOURCE_DATE_EPOCH": "1700000000"})
    assert result.returncode == 0
    assert "November 14, 2023" in (tmp_path / "ada-example.txt").read_text()
    bad = run_cli("render", profile, "-f", "txt", "-o", tmp_path, env={"SOURCE_DATE_EPOCH": "soon"})
    assert bad.returncode == 2
    assert "SOURCE_DATE_EPOCH" in bad.stderr


def test_page_budget_warns_but_renders(tmp_path: Path) -> None:
    long = "\n".join(f"  - {{title: Prize number {i}, date: 2020}}" for i in range(120))
    profile = write(tmp_path / "p.yaml", f"name: Ada Example\nhonors:\n{long}\ndocuments:\n  short: {{max_pages: 1}}\n")
    result = run_cli("render", profile, "-f", "pdf", "-o", tmp_path / "o")
    assert result.returncode == 0, result.stderr
    assert "document 'short' has 3 pages, over its budget of max_pages: 1" in result.stderr
    assert (tmp_path / "o" / "ada-example-short.pdf").is_file()


def test_png_previews_of_removed_pages_are_deleted(tmp_path: Path) -> None:
    long = "\n".join(f"  - {{title: Prize number {i}, date: 2020}}" for i in range(120))
    profile = write(tmp_path / "p.yaml", f"name: Ada Example\nhonors:\n{long}\n")
    assert run_cli("render", profile, "-f", "png", "-o", tmp_path / "o").returncode == 0
    assert sorted(p.name for p in (tmp_path / "o").iterdir()) == [f"ada-example-{i}.png" for i in (1, 2, 3)]
    write(tmp_path / "o" / "ada-example-notes.png", "keep: not a page")
    profile.write_text("name: Ada Example\nsummary: Short now.\n")
    assert run_cli("render", profile, "-f", "png", "-o", tmp_path / "o").returncode == 0
    assert sorted(p.name for p in (tmp_path / "o").iterdir()) == ["ada-example-1.png", "ada-example-notes.png"]


def test_check_renders_every_document_and_writes_nothing(tmp_path: Path) -> None:
    """`cvbuild check`: a render's problems (a theme's error, a page budget under --strict) without files,
    for a pull request or a pre-commit hook; --report lists what render would write."""
    write(tmp_path / "p.yaml", "name: Ada Example\ndocuments:\n  cv: {}\n  resume: {theme: modern, max_pages: 1}\n")
    result = run_cli("check", "p.yaml", "-f", "pdf,txt", "--report", "r.json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "would write out/ada-example-cv.pdf (1 page)",
        "would write out/ada-example-cv.txt",
        "would write out/ada-example-resume.pdf (1 page)",
        "would write out/ada-example-resume.txt",
        "p.yaml: every document renders; nothing was written",
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.yaml", "r.json"]
    report = json.loads((tmp_path / "r.json").read_text())
    assert (report["exit_code"], report["written"], report["diagnostics"]) == (0, False, [])
    assert [(o["file"], o["pages"]) for o in report["outputs"]][:2] == [
        ("out/ada-example-cv.pdf", 1),
        ("out/ada-example-cv.txt", None),
    ]

    honors = "".join(f"  - {{title: Prize number {i}, date: 2020}}\n" for i in range(80))
    write(
        tmp_path / "p.yaml",
        f"name: Ada Example\nhonors:\n{honors}documents:\n  resume: {{theme: modern, max_pages: 1}}\n",
    )
    strict = run_cli("check", "p.yaml", "-f", "pdf", "--strict", "--diagnostics", "github", cwd=tmp_path)
    assert strict.returncode == 1, strict.stderr
    assert "::warning file=p.yaml,line=84,col=38,title=cvbuild%3A documents.resume.max_pages::" in strict.stdout
    assert not (tmp_path / "out").exists()

    write(tmp_path / "themes" / "t" / "theme.toml", 'extends = "classic"\n')
    write(tmp_path / "themes" / "t" / "cv.typ", "#let x = (\n")
    broken = run_cli("check", "p.yaml", "-f", "pdf", "--theme", "t", "--diagnostics", "github", cwd=tmp_path)
    assert broken.returncode == 2, broken.stderr
    assert broken.stdout.startswith("::error file=themes/t/cv.typ,line=1,col=10,title=cvbuild::Typst error in theme:")
    assert "Traceback" not in broken.stderr and not (tmp_path / "out").exists()


@pytest.mark.parametrize("had_workflow", [False, True])
@pytest.mark.parametrize("failing", ["cvbuild.schema.json", "profile.yaml", "cv.yml"])
def test_new_writes_its_files_as_one_set(tmp_path: Path, failing: str, had_workflow: bool) -> None:
    """`cvbuild new --force --ci` on a disk that fills up part-way: the schema had been replaced
    before the profile failed, so an old profile sat beside a schema of another version (and a
    new workflow pointed at it). Now every file is the old one (a workflow of the user's own too,
    which was left overwritten), and nothing new or temporary is left, no empty folder either;
    with space back, all are written."""
    import errno

    from cvbuild.cli.starter import write_starter
    from cvbuild.errors import RenderError
    from cvbuild.output import fill

    def full_at(path: Path, fd: int, data: bytes) -> None:
        if path.name.endswith(failing):
            raise OSError(errno.ENOSPC, "No space left on device")
        fill(path, fd, data)

    (tmp_path / ".git").mkdir()
    write(tmp_path / "profile.yaml", "name: Keep Me\n")
    write(tmp_path / "cvbuild.schema.json", "{}\n")
    if had_workflow:
        write(tmp_path / ".github" / "workflows" / "cv.yml", "name: My own\n")
    before = {p.relative_to(tmp_path).as_posix(): p.read_bytes() if p.is_file() else b"" for p in tmp_path.rglob("*")}
    with pytest.raises(RenderError, match="No space left on device"):
        write_starter(tmp_path / "profile.yaml", force=True, ci=True, writer=full_at)
    after = {p.relative_to(tmp_path).as_posix(): p.read_bytes() if p.is_file() else b"" for p in tmp_path.rglob("*")}
    assert after == before  # folders too: a failed new left an empty .github/workflows
    written = write_starter(tmp_path / "profile.yaml", force=True, ci=True)
    assert [p.relative_to(tmp_path).as_posix() for p in written] == [
        "profile.yaml",
        "cvbuild.schema.json",
        ".github/workflows/cv.yml",
    ]
    assert b"Ada Example" in (tmp_path / "profile.yaml").read_bytes()


def test_new_refuses_a_pipe_for_the_profile(tmp_path: Path) -> None:
    """`cvbuild new` into a FIFO or device wrote the schema beside it, into that folder (/dev)."""
    import os

    os.mkfifo(tmp_path / "pipe.yaml")
    result = run_cli("new", "pipe.yaml", "--force", cwd=tmp_path)
    assert result.returncode == 2
    assert "not a regular file; give the name of a file" in result.stderr
    assert sorted(os.listdir(tmp_path)) == ["pipe.yaml"]


@pytest.mark.parametrize("command", ["render", "check"])
def test_a_report_named_as_the_profile_is_refused(tmp_path: Path, command: str) -> None:
    """`--report profile.yaml`, a slip of the hand, replaced the profile with the JSON report (and
    `check` then said "nothing was written"); through a link to it too."""
    profile = write(tmp_path / "p.yaml", "name: Ada Example\n")
    (tmp_path / "link.yaml").symlink_to("p.yaml")
    for given, report in [("p.yaml", "p.yaml"), ("link.yaml", "p.yaml"), ("p.yaml", "./p.yaml")]:
        result = run_cli(command, given, "-f", "txt", "--report", report, cwd=tmp_path)
        assert result.returncode == 2, result.stderr
        assert "that is the profile; give the report another name" in result.stderr
        assert profile.read_text() == "name: Ada Example\n"
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("command", ["render", "check"])
def test_a_report_named_as_a_bib_file_or_the_photo_is_refused(tmp_path: Path, command: str) -> None:
    """`--report refs.bib` (or the photo) replaced that input with the JSON report, on success and
    on failure alike; refused at the line that names it, and nothing is written. A .bib named
    through a link is refused under either name."""
    import shutil

    from conftest import FIXTURES

    bib = "@article{k, title = {T}, author = {Ada Example}, year = 2020}\n"
    write(tmp_path / "refs.bib", bib)
    (tmp_path / "link.bib").symlink_to("refs.bib")
    shutil.copy(FIXTURES / "interop" / "photo.png", tmp_path / "me.png")
    photo = (tmp_path / "me.png").read_bytes()
    profile = write(tmp_path / "p.yaml", "name: Ada Example\nphoto: me.png\npublications:\n  - bibtex: link.bib\n")
    bib_at = "4:13: publications[0].bibtex"
    for report, where, what in [
        ("refs.bib", bib_at, "a BibTeX file"),
        ("link.bib", bib_at, "a BibTeX file"),
        ("./me.png", "2:8: photo", "the photo"),
    ]:
        result = run_cli(command, profile, "-f", "txt", "-o", tmp_path / "out", "--report", report, cwd=tmp_path)
        assert result.returncode == 2, result.stderr
        expected = (
            f"{profile}:{where}: --report {Path(report)}: that is {what} of this profile; give the report another name"
        )
        assert expected in result.stderr
        assert (tmp_path / "refs.bib").read_text() == bib and (tmp_path / "me.png").read_bytes() == photo
        assert (tmp_path / "link.bib").is_symlink()
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("command", ["render", "check"])
def test_a_report_named_as_an_output_is_refused(tmp_path: Path, command: str) -> None:
    """`-o out --report out/ada-example.txt`: the JSON report replaced the CV it lists, right after
    it was written (`check`: the last render's); refused, and nothing is written."""
    profile = write(tmp_path / "p.yaml", "name: Ada Example\nsummary: Hello.\n")
    assert run_cli("render", profile, "-f", "txt", "-o", tmp_path / "out").returncode == 0
    cv = (tmp_path / "out" / "ada-example.txt").read_bytes()
    for folder in ("out", "new"):
        report = tmp_path / folder / "ada-example.txt"
        result = run_cli(command, profile, "-f", "txt,md", "-o", tmp_path / folder, "--report", report)
        assert result.returncode == 2, result.stderr
        assert f"--report {report}: that is the output ada-example.txt of this run" in result.stderr
    assert (tmp_path / "out" / "ada-example.txt").read_bytes() == cv
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["ada-example.txt"]
    assert not (tmp_path / "new").exists()


def test_new_keeps_a_link_that_leads_nowhere(tmp_path: Path) -> None:
    """A profile name that is a dangling link (to a file on a drive not mounted) "did not exist",
    and `new` replaced the link without --force."""
    import os

    (tmp_path / "profile.yaml").symlink_to(tmp_path / "gone" / "cv.yaml")
    result = run_cli("new", cwd=tmp_path)
    assert result.returncode == 2 and "profile.yaml: already exists; pass --force" in result.stderr
    assert os.readlink(tmp_path / "profile.yaml") == str(tmp_path / "gone" / "cv.yaml")


def test_a_build_date_that_is_no_timestamp_says_how_to_write_one(tmp_path: Path) -> None:
    """A CI job that set SOURCE_DATE_EPOCH to the commit's ISO date (`github.event.head_commit.timestamp`)
    was told only that it is not a Unix timestamp."""
    profile = write(tmp_path / "p.yaml", "name: Ada Example\n")
    env = {**os.environ, "SOURCE_DATE_EPOCH": "2026-01-01T00:00:00Z"}
    result = run_cli("render", profile, "-f", "txt", "-o", tmp_path / "out", env=env)
    assert result.returncode == 2, result.stderr
    assert result.stderr == (
        "error: SOURCE_DATE_EPOCH='2026-01-01T00:00:00Z' is not a Unix timestamp; give whole seconds since 1970 "
        "(UTC), e.g. a commit's: SOURCE_DATE_EPOCH=$(git log -1 --format=%ct)\n"
    )
    assert not (tmp_path / "out").exists()


def _children(pid: int) -> list[int]:
    tasks = Path(f"/proc/{pid}/task")
    return [int(c) for t in tasks.iterdir() for c in (t / "children").read_text().split()]


@pytest.mark.parametrize(("stop", "code"), [("SIGTERM", 143), ("SIGINT", 130)])
def test_a_stop_ends_a_render_at_once_and_writes_nothing(tmp_path: Path, stop: str, code: int) -> None:
    """A CI job's time-out or cancel sends SIGTERM, a user Ctrl-C: the run ends as documented (exit
    143 or 130, as a shell reports a death by it), through its clean-ups, with nothing written and
    no process left. A theme's Typst child was waited for to its time limit (60 s), since the
    worker thread waiting for it kept the process alive."""
    import signal
    import time

    write(tmp_path / "themes" / "slow" / "theme.toml", 'extends = "classic"\n')
    # 10^10 steps over arrays of 10^5: slow, never near the memory limit (range(10^8) reached it in ~3 s)
    loop = "#let x = 0\n#for i in range(100000) { for j in range(100000) { x += 1 } }\n#x\n"
    write(tmp_path / "themes" / "slow" / "cv.typ", loop)
    write(tmp_path / "p.yaml", "name: Ada Example\n")
    argv = [sys.executable, "-m", "cvbuild", "render", "p.yaml", "--theme", "slow", "-f", "pdf,txt", "-o", "out"]
    popen = subprocess.Popen(
        argv,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # as at a terminal: a test run in the background (`make test &`) hands down SIGINT ignored
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    with popen as process:  # reaped and its pipes closed on every way out
        try:
            deadline = time.monotonic() + 60
            while not (children := _children(process.pid)) and time.monotonic() < deadline:
                time.sleep(0.1)
            time.sleep(1)  # the child compiles: well inside its minutes
            assert process.poll() is None and children, process.communicate()
            process.send_signal(getattr(signal, stop))
            _, err = process.communicate(timeout=15)  # it took the theme's whole time limit, 60 s
        finally:
            if process.poll() is None:
                process.kill()
    assert process.returncode in (code, -getattr(signal, stop)), err
    assert "Traceback" not in err
    assert not (tmp_path / "out").exists()
    assert not [c for c in children if Path(f"/proc/{c}").exists()]


def test_a_themes_typst_child_dies_with_a_render_killed_at_once(tmp_path: Path) -> None:
    """kill -9 (or the OOM killer) leaves cvbuild no way to stop a theme's Typst child at the time
    limit: the child of a looping theme ran on for hours (four were found still running after the
    test runs that killed their renders). It dies with the render now."""
    import signal
    import time

    write(tmp_path / "themes" / "slow" / "theme.toml", 'extends = "classic"\n')
    loop = "#let x = 0\n#for i in range(100000) { for j in range(100000) { x += 1 } }\n#x\n"
    write(tmp_path / "themes" / "slow" / "cv.typ", loop)
    write(tmp_path / "p.yaml", "name: Ada Example\n")
    argv = [sys.executable, "-m", "cvbuild", "render", "p.yaml", "--theme", "slow", "-f", "pdf", "-o", "out"]
    with subprocess.Popen(argv, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as process:
        try:
            deadline = time.monotonic() + 60
            while not (children := _children(process.pid)) and time.monotonic() < deadline:
                time.sleep(0.1)
            time.sleep(1)
            assert process.poll() is None and children
        finally:
            process.send_signal(signal.SIGKILL)
    deadline = time.monotonic() + 10
    while [c for c in children if Path(f"/proc/{c}").exists()] and time.monotonic() < deadline:
        time.sleep(0.1)
    left = [c for c in children if Path(f"/proc/{c}").exists()]
    for pid in left:  # not to leave it running whatever the outcome
        os.kill(pid, signal.SIGKILL)
    assert not left
