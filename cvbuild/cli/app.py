"""`cvbuild` commands. Exit codes: 0 ok, 2 invalid input or usage, 1 rendering failed."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from cvbuild import __version__

app = typer.Typer(
    name="cvbuild",
    help="Build every CV document you need from one validated YAML profile.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
theme_app = typer.Typer(help="Create and inspect themes.", no_args_is_help=True)
import_app = typer.Typer(help="Convert other formats to profile YAML.", no_args_is_help=True)
export_app = typer.Typer(help="Convert a profile to other formats.", no_args_is_help=True)
app.add_typer(theme_app, name="theme")
app.add_typer(import_app, name="import")
app.add_typer(export_app, name="export")

if TYPE_CHECKING:
    from cvbuild.cli.report import Reporter
    from cvbuild.errors import Problem

T = TypeVar("T")


def _err(message: str) -> None:
    from cvbuild.cli.outcome import err

    err(message)


def run(action: Callable[[], T], reporter: Reporter | None = None) -> T:
    """Turn cvbuild errors into messages and exit codes; never show a traceback for bad input."""
    from cvbuild.cli.outcome import exit_code
    from cvbuild.cli.report import Reporter

    result: list[T] = []
    code = exit_code(lambda: result.append(action()), reporter or Reporter())
    if code:
        raise typer.Exit(code)
    return result[0]


def _reporter(fmt: str) -> Reporter:
    """A Reporter for `--format`/`--diagnostics`; an unknown name is a usage error (exit 2)."""
    from cvbuild.cli.outcome import reporter_for

    reporter = reporter_for(fmt)
    if reporter is None:
        raise typer.Exit(2)
    return reporter


def _version(value: bool) -> None:
    if value:
        typer.echo(f"cvbuild {__version__}")
        raise typer.Exit()


@app.callback()
def main_callback(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    """Build every CV document you need from one validated YAML profile."""


ProfileArg = Annotated[Path, typer.Argument(help="The profile YAML file.", show_default=False)]
DIAGNOSTICS_HELP = "How problems are printed: text (stderr), json (one list on stdout) or github (workflow commands)."

# The options render and check share (check renders as render does, and writes nothing).
FormatOpt = Annotated[
    str | None,
    typer.Option("-f", "--format", help="Comma-separated: pdf,html,txt,md,png. Default: all the theme supports."),
]
EngineOpt = Annotated[str | None, typer.Option("--engine", help="PDF engine: typst (default) or weasyprint.")]
ThemeOpt = Annotated[str | None, typer.Option("--theme", help="Theme name or folder path.")]
SetOpt = Annotated[list[str] | None, typer.Option("--set", help="Theme option KEY=VALUE; repeatable.")]
DiagnosticsOpt = Annotated[str, typer.Option("--diagnostics", help=DIAGNOSTICS_HELP)]
StrictOpt = Annotated[
    bool, typer.Option("--strict", help="Warnings (page budget, missing glyphs, ...) fail the run: exit 1.")
]
AtsOpt = Annotated[
    bool,
    typer.Option(
        "--ats",
        help="Read each PDF back as an applicant-tracking system does (line by line) and warn about text it "
        "loses, garbles or reads out of order.",
    ),
]
AllowPathOpt = Annotated[
    list[Path] | None,
    typer.Option(
        "--allow-path",
        help="Let paths in the profile (bibtex:, theme:) lead into DIR too; repeatable. "
        "By default they must stay inside the profile's folder.",
    ),
]
TimeLimitOpt = Annotated[
    float | None,
    typer.Option(
        "--time-limit",
        help="Seconds one template render or Typst compile of a theme not built in may take "
        "(default 60; 0: no limit). A theme that runs longer fails: exit 2.",
    ),
]


@app.command()
def validate(
    profile: ProfileArg,
    format: Annotated[str, typer.Option("--format", help=DIAGNOSTICS_HELP)] = "text",
    allow_path: AllowPathOpt = None,
) -> None:
    """Check a profile and report every problem with file:line:column."""
    reporter = _reporter(format)

    def action() -> None:
        from cvbuild.loading.photo import load_photo
        from cvbuild.loading.profile import load_profile
        from cvbuild.pipeline import RenderRequest, check_documents

        warnings: list[Problem] = []
        p, source = load_profile(profile, warnings, allow_path or ())
        photo = load_photo(source, p)
        for warning in warnings:
            reporter.warn(warning)
        check_documents(p, source, RenderRequest(profile=profile, allow_paths=tuple(allow_path or ())), photo)
        n_pubs = len(p.publication_entries())
        n_docs = len(p.documents) or 1
        reporter.line(
            f"{profile}: valid ({p.name}; {n_pubs} publication{'s' * (n_pubs != 1)}, "
            f"{n_docs} document{'s' * (n_docs != 1)})"
        )

    run(action, reporter)
    reporter.finish()


@app.command()
def render(
    profile: ProfileArg,
    format: FormatOpt = None,
    engine: EngineOpt = None,
    theme: ThemeOpt = None,
    document: Annotated[
        str | None, typer.Option("-d", "--document", help="Render only this document (variant).")
    ] = None,
    output: Annotated[Path, typer.Option("-o", "--output", help="Output folder.")] = Path("out"),
    set_: SetOpt = None,
    diagnostics: DiagnosticsOpt = "text",
    strict: StrictOpt = False,
    ats: AtsOpt = False,
    report: Annotated[
        Path | None, typer.Option("--report", help="Also write a JSON record of the run: files, pages, diagnostics.")
    ] = None,
    allow_path: AllowPathOpt = None,
    time_limit: TimeLimitOpt = None,
) -> None:
    """Render a profile into PDF, HTML, text, Markdown and PNG."""
    # The console script calls render_command itself for plain command lines (cli/entry.py).
    run_render(locals(), write=True)


@app.command()
def check(
    profile: ProfileArg,
    format: FormatOpt = None,
    engine: EngineOpt = None,
    theme: ThemeOpt = None,
    document: Annotated[
        str | None, typer.Option("-d", "--document", help="Check only this document (variant).")
    ] = None,
    output: Annotated[
        Path, typer.Option("-o", "--output", help="The output folder render would use (for the names reported).")
    ] = Path("out"),
    set_: SetOpt = None,
    diagnostics: DiagnosticsOpt = "text",
    strict: StrictOpt = False,
    ats: AtsOpt = False,
    report: Annotated[
        Path | None,
        typer.Option("--report", help="Write a JSON record of the run: the files render would write, diagnostics."),
    ] = None,
    allow_path: AllowPathOpt = None,
    time_limit: TimeLimitOpt = None,
) -> None:
    """Render as render does, in memory, and write no file."""
    run_render(locals(), write=False)


def run_render(options: dict[str, Any], *, write: bool) -> None:
    """`render` or `check`, whose parameters (`options`: the command's own, as named by its
    signature) are those of `render_command`."""
    from cvbuild.cli.outcome import render_command

    code = render_command(**options, write=write)
    if code:
        raise typer.Exit(code)


@app.command()
def watch(
    profile: ProfileArg,
    format: Annotated[
        str | None,
        typer.Option("-f", "--format", help="Formats to rebuild on each save. Default: html,pdf, those the theme has."),
    ] = None,
    theme: ThemeOpt = None,
    document: Annotated[str | None, typer.Option("-d", "--document", help="Only this document (variant).")] = None,
    output: Annotated[Path, typer.Option("-o", "--output", help="Output folder.")] = Path("out"),
    serve: Annotated[bool, typer.Option("--serve", help="Live preview on http://127.0.0.1:PORT/.")] = False,
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="Port for --serve; 0 picks a free one.")] = 8000,
    allow_path: AllowPathOpt = None,
    time_limit: TimeLimitOpt = None,
) -> None:
    """Rebuild whenever the profile, a .bib or a theme file changes."""
    from cvbuild.diagnostics import as_diagnostic
    from cvbuild.pipeline import RenderRequest, parse_formats, parse_time_limit
    from cvbuild.pipeline import render as run_render
    from cvbuild.themes.theme import builtin_themes_dir
    from cvbuild.watch import BuildState, watch_loop
    from cvbuild.watch import serve as start_server

    request = run(
        lambda: RenderRequest(
            profile=profile,
            formats=parse_formats(format or "html,pdf"),
            theme=theme,
            document=document,
            output=output,
            allow_paths=tuple(allow_path or ()),
            time_limit=parse_time_limit(time_limit),
            theme_formats_only=format is None,
        )
    )
    if not profile.is_file():
        _err(f"error: {profile}: profile not found")
        raise typer.Exit(2)
    state = BuildState()
    if serve:
        server = run(lambda: start_server(state, port))
        typer.echo(f"serving http://127.0.0.1:{server.server_address[1]}/ (Ctrl-C to stop)")
    paths = [profile.resolve().parent, builtin_themes_dir()]
    if theme and Path(theme).is_dir():
        paths.append(Path(theme).resolve())
    import signal
    import sys

    from cvbuild.targets.typst_stage import staged_session

    # A stop by SIGTERM (an editor's stop button, a CI time-out) ends like Ctrl-C: the staged folder goes.
    signal.signal(signal.SIGTERM, lambda _n, _f: sys.exit(143))
    cache: dict[Any, Any] = {}  # templates and Typst compilers survive between rebuilds
    with staged_session(cache):  # Typst reads the Document from a file: an edit is laid out anew, not all
        watch_loop(
            lambda: run_render(
                request, warn=lambda m: _err(str(as_diagnostic(m))), cache=cache, note=lambda m: _err(f"note: {m}")
            ),
            paths,
            state,
            lambda line: typer.echo(line, err=line.startswith("build") and "failed" in line),
        )


@app.command()
def new(
    path: Annotated[Path, typer.Argument(help="Where to write the starter profile.")] = Path("profile.yaml"),
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
    ci: Annotated[
        bool, typer.Option("--ci", help="Also write .github/workflows/cv.yml: build the CV on GitHub on every push.")
    ] = False,
) -> None:
    """Write a starter profile, with a JSON Schema beside it for editor completion."""

    def action() -> list[Path]:
        from cvbuild.cli.starter import write_starter

        return write_starter(path, force=force, ci=ci)

    for written in run(action):
        typer.echo(f"wrote {written}")


@app.command()
def schema(
    document: Annotated[
        bool, typer.Option("--document", help="The Document's schema (what themes receive) instead.")
    ] = False,
) -> None:
    """Print the JSON Schema of the profile (or, with --document, of the Document themes receive)."""
    if document:
        from cvbuild.document.reference import document_schema_json

        typer.echo(document_schema_json(), nl=False)
        return
    from cvbuild.schema.jsonschema import schema_json

    typer.echo(schema_json(), nl=False)


@app.command("inspect")
def inspect_document(
    profile: ProfileArg,
    document: Annotated[
        str | None, typer.Option("-d", "--document", help="The document (variant); default: the first.")
    ] = None,
    theme: ThemeOpt = None,
    pretty: Annotated[bool, typer.Option("--pretty", help="Indent the JSON for reading.")] = False,
) -> None:
    """Print the Document JSON a theme receives: the same bytes Typst gets in sys.inputs."""

    def action() -> str:
        import json

        from cvbuild.loading.profile import load_profile
        from cvbuild.pipeline import RenderRequest, build_for, documents_to_render, today
        from cvbuild.targets.typst_pdf import document_json

        p, _ = load_profile(profile)
        docs = documents_to_render(p, document)
        name, spec = docs[0]
        if len(docs) > 1:
            others = ", ".join(n for n, _ in docs[1:])
            _err(f"note: document {name!r}; the profile also declares {others} (choose with -d)")
        _, doc = build_for(p, name, spec, RenderRequest(profile=profile, theme=theme, document=name), today())
        data = document_json(doc)
        return json.dumps(json.loads(data), indent=2, ensure_ascii=False) + "\n" if pretty else data

    typer.echo(run(action), nl=False)


def skipped_note(folder: Path) -> str:
    """What `themes` says of a folder in ./themes whose theme.toml is not a valid cvbuild theme's."""
    from cvbuild.errors import escape_controls

    rel = os.path.relpath(folder)
    return escape_controls(f"note: {rel} skipped: not a valid cvbuild theme (cvbuild theme check {rel} says why)")


@app.command()
def themes(
    profile_dir: Annotated[
        Path | None,
        typer.Option(
            "--dir", help="Also list themes in DIR/themes; default: the current folder's, where `theme new` writes."
        ),
    ] = None,
    preview: Annotated[
        Path | None, typer.Option("--preview", help="Write DIR/THEME.png: page 1 of one profile in every theme.")
    ] = None,
    profile: Annotated[
        Path | None, typer.Option("--profile", help="The profile --preview renders; default: the built-in example.")
    ] = None,
) -> None:
    """List the themes cvbuild can find (with --preview, render a gallery of them)."""

    def action() -> list[Any]:
        from cvbuild.themes.theme import list_themes

        if profile_dir is not None:
            return list_themes(profile_dir)
        # ./themes, where `theme new` writes; a site's own themes there (Hugo's have a theme.toml
        # too) are no cvbuild themes, and failed the listing of all the others
        return list_themes(Path.cwd(), skip_broken=True, skipped=lambda folder: _err(skipped_note(folder)))

    found = run(action)
    if preview is None:
        from cvbuild.errors import escape_controls  # a theme's description is its author's text

        for line in theme_lines(found):
            typer.echo(escape_controls(line))
        return

    def render_previews() -> list[Path]:
        from cvbuild.pipeline import today
        from cvbuild.themes.check import full_example
        from cvbuild.themes.gallery import write_previews

        source = profile or full_example()
        skip = lambda t: _err(f"note: {t.name} has no png output; skipped")  # noqa: E731
        return write_previews(found, source, preview, today(), skipped=skip)

    for path in run(render_previews):
        typer.echo(f"wrote {path}")


@theme_app.command("new")
def theme_new(
    name: Annotated[str, typer.Argument(help="Name of the new theme.")],
    extends: Annotated[str, typer.Option("--extends", help="Theme to start from.")] = "classic",
    into: Annotated[Path, typer.Option("--dir", help="Folder that holds themes.")] = Path("themes"),
) -> None:
    """Scaffold a theme in ./themes/NAME that extends another; edit the copied files."""

    def action() -> list[Path]:
        from cvbuild.themes.scaffold import new_theme

        return new_theme(name, extends, into)

    from cvbuild.themes.scaffold import usage_hint

    for path in run(action):
        typer.echo(f"wrote {path}")
    typer.echo(usage_hint(name, into))


@theme_app.command("check")
def theme_check(
    theme: Annotated[str, typer.Argument(help="Theme name or folder path.", show_default=False)],
    fixture: Annotated[
        list[str] | None,
        typer.Option(
            "--fixture", help="Only these fixtures: full, minimal, empty, hostile, cjk, german, many, letter."
        ),
    ] = None,
    profile: Annotated[
        list[Path] | None,
        typer.Option(
            "--profile", help="Also every document of this profile (your own CV), checked as the fixtures; repeatable."
        ),
    ] = None,
    diagnostics: Annotated[str, typer.Option("--diagnostics", help=DIAGNOSTICS_HELP)] = "text",
    ats: Annotated[
        bool,
        typer.Option(
            "--ats",
            help="Also read each PDF back as an applicant-tracking system does (line by line): text it "
            "loses, garbles or reads out of order is a problem.",
        ),
    ] = False,
) -> None:
    """Render a theme in every target it declares against built-in profiles; report what breaks.

    Exit 0 when the theme passes, 1 when it has problems, 2 when it cannot be loaded."""
    from cvbuild.themes.check import FIXTURES, FixtureResult, check_diagnostics, check_theme, report

    reporter = _reporter(diagnostics)
    unknown = [f for f in fixture or [] if f not in FIXTURES]
    if unknown:
        _err(f"error: unknown fixture {unknown[0]!r}; choose from {', '.join(FIXTURES)}")
        raise typer.Exit(2)
    say = reporter.line  # stdout; stderr in json mode, where stdout is the JSON alone

    def progress(r: FixtureResult) -> None:
        pages = f", {r.pages} page{'s' * (r.pages != 1)}" if r.pages else ""
        say(f"  {r.name:<8} rendered {' '.join(r.rendered) or 'nothing'}{pages}")

    def action() -> Any:
        from cvbuild.pipeline import today

        fixtures = fixture or (() if profile else FIXTURES)  # --profile alone: the author's CVs only
        return check_theme(
            theme, Path.cwd(), fixtures, progress=progress, today=today(), profiles=profile or (), ats=ats
        )

    say(f"checking theme {theme} ...")
    result = run(action, reporter)
    if result.ok:
        n = len(result.results)
        say(f"theme {result.theme.name!r} passes: {n} profile{'s' * (n != 1)}, no problems")
        reporter.finish()
        return
    say(report(result))
    found = check_diagnostics(result)  # one per message, as listed
    say(f"theme {result.theme.name!r} has {len(found)} problem{'s' * (len(found) != 1)} ({result.theme.path})")
    if diagnostics == "github":  # the commands alone: the report above is the text form
        from cvbuild.diagnostics import format_github

        reporter.out.write(format_github(found, reporter.root))
    reporter.diagnostics += found
    reporter.finish()
    raise typer.Exit(1)


OutputOpt = Annotated[Path | None, typer.Option("-o", "--output", help="Write FILE instead of printing.")]
ForceOpt = Annotated[bool, typer.Option("--force", help="Replace the file -o names if it exists.")]


def _emit(text: str, output: Path | None, read: Path, *, keep: bool = False) -> None:
    """Print `text`, or write it to `output` whole or not at all (an import or export that fails
    leaves the file as it was, where `> file` would have emptied it first). With `keep`, an
    existing file is refused: an imported profile is the start of one's own edits. The file the
    command `read` is refused, --force or not: `export jsonresume profile.yaml -o profile.yaml`
    replaced the profile with its JSON, `import rendercv cv.yaml -o cv.yaml --force` the RenderCV file."""
    if output is None:
        typer.echo(text, nl=False)
        return
    from cvbuild.output import atomic_write

    def write() -> None:
        from cvbuild.errors import InputError

        if _same_file(output, read):
            raise InputError(f"{output}: is the file this command reads; give another name")
        if keep and os.path.lexists(output):
            raise InputError(f"{output}: exists; give another name, or --force to replace it")
        try:
            atomic_write(output, text.encode())
        except OSError as exc:
            from cvbuild.output import write_failure

            raise write_failure(f"{output}: cannot write", exc) from None

    run(write)
    typer.echo(f"wrote {output}", err=True)


def _same_file(output: Path, read: Path) -> bool:
    """Whether writing `output` would replace `read` (by another name or a link too)."""
    try:
        return os.path.samefile(output, read)
    except OSError:  # one of them is not there: no file to replace
        return False


def theme_lines(found: list[Any]) -> list[str]:
    """`cvbuild themes`: name, outputs, description and folder, in columns (a theme without a
    description left the columns after it out of line)."""
    outputs = [f"[{', '.join(t.targets)}]" for t in found]
    name_width = max((len(t.name) for t in found), default=0)
    outputs_width = max((len(o) for o in outputs), default=0)
    return [
        f"{t.name:<{name_width}}  {o:<{outputs_width}}  "
        + (f"{t.description}  " if t.description else "")
        + f"({t.path})"
        for t, o in zip(found, outputs, strict=True)
    ]


@import_app.command("bibtex")
def import_bibtex(
    file: Annotated[Path, typer.Argument(help="The .bib file.", show_default=False)],
    output: OutputOpt = None,
    force: ForceOpt = False,
) -> None:
    """Print the publications of a .bib file as profile YAML, to paste under `publications:`."""

    def action() -> str:
        from cvbuild.loading.bibtex import publications_yaml
        from cvbuild.loading.profile import import_bibtex as read_entries

        return publications_yaml(read_entries(file), file.name)

    _emit(run(action), output, file, keep=not force)


@import_app.command("jsonresume")
def import_jsonresume(
    file: Annotated[Path, typer.Argument(help="The resume.json file (JSON Resume 1.x).", show_default=False)],
    output: OutputOpt = None,
    force: ForceOpt = False,
) -> None:
    """Print a JSON Resume file as a profile: `cvbuild import jsonresume resume.json -o profile.yaml`.

    What a profile has no field for is reported on stderr and kept where possible."""

    def action() -> str:
        from cvbuild.interop.common import checked_yaml
        from cvbuild.interop.jsonresume import import_file

        data = import_file(file, _err)
        return checked_yaml(file, data, f"cvbuild profile imported from {file.name} (JSON Resume)", pointers=True)

    _emit(run(action), output, file, keep=not force)


@import_app.command("rendercv")
def import_rendercv(
    file: Annotated[Path, typer.Argument(help="The RenderCV YAML file (RenderCV 2.x).", show_default=False)],
    output: OutputOpt = None,
    force: ForceOpt = False,
) -> None:
    """Print a RenderCV file as a profile: `cvbuild import rendercv CV.yaml -o profile.yaml`."""

    def action() -> str:
        from cvbuild.interop.common import checked_yaml
        from cvbuild.interop.rendercv import import_file

        data = import_file(file, _err)
        return checked_yaml(file, data, f"cvbuild profile imported from {file.name} (RenderCV)")

    _emit(run(action), output, file, keep=not force)


@export_app.command("jsonresume")
def export_jsonresume(
    profile: ProfileArg,
    document: Annotated[
        str | None, typer.Option("-d", "--document", help="Export this document's sections and entries only.")
    ] = None,
    output: OutputOpt = None,
) -> None:
    """Print the profile as JSON Resume 1.x: `cvbuild export jsonresume profile.yaml -o resume.json`."""

    def action() -> str:
        from cvbuild.interop.jsonresume import export_file

        return export_file(profile, document, lambda m: _err(f"warning: {m}"))

    _emit(run(action), output, profile)


@export_app.command("bibtex")
def export_bibtex(
    profile: ProfileArg,
    document: Annotated[
        str | None, typer.Option("-d", "--document", help="Only the publications this document shows.")
    ] = None,
    output: OutputOpt = None,
    ascii: Annotated[
        bool,
        typer.Option(
            "--ascii", help="LaTeX for every character that has a form in it (é -> {\\'e}), for classic BibTeX."
        ),
    ] = False,
    allow_path: AllowPathOpt = None,
) -> None:
    """Print the profile's publications (YAML and .bib) as BibTeX: `cvbuild export bibtex profile.yaml > pubs.bib`."""

    def action() -> str:
        from cvbuild.interop.bibtex_export import export_file

        return export_file(profile, document, allow_path or (), ascii=ascii)

    _emit(run(action), output, profile)


def main() -> None:
    from cvbuild.cli.entry import main as entry_main  # `render` skips click's parser there

    entry_main()
