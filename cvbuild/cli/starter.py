"""`cvbuild new`: a starter profile that validates and renders as it is."""

from __future__ import annotations

import json
import os
from pathlib import Path

from cvbuild.errors import InputError
from cvbuild.output import Writer, fill, write_failure, write_set
from cvbuild.schema.jsonschema import schema_json

SCHEMA_FILE = "cvbuild.schema.json"
WORKFLOW_FILE = Path(".github/workflows/cv.yml")
ACTION = "cvbuild/cvbuild@v1"  # the GitHub Action in this repository (action.yml), by its major tag

STARTER = """\
# yaml-language-server: $schema={schema}
# Your CV as data. Validate with `cvbuild validate {name}`, render with `cvbuild render {name}`.
# Text fields accept inline Markdown: **bold**, *italic*, [links](https://example.org), `code`.
# Headings, labels and dates in another language: `cvbuild render {name} --set locale=de`
# (en, de, fr, es, it, pt, nl, zh, ja, ko), or `documents: {{cv: {{locale: de}}}}`.
name: Ada Example
headline: PhD student in Computer Science
contact:
  email: ada@example.org
  website: https://ada.example.org
  location: Cambridge, MA
  links:
    github: adaexample
summary: I build **reliable systems** for machine learning.
education:
  - institution: Example University
    degree: PhD
    field: Computer Science
    start: 2022-09
    end: 2027-06
    expected: true
experience:
  - organization: Example Labs
    role: Research Intern
    start: 2024-06
    end: 2024-09
    highlights:
      - Cut tail latency by 35% on a production serving path.
publications:
  - id: example2025
    title: "A Short Title: With a Subtitle"
    authors: [Ada Example, Bo Li]
    venue: EuroSys
    date: 2025-03
    links:
      paper: https://example.org/paper.pdf
skills:
  - category: Languages
    items: [Python, Rust, C++]
# A cover letter in the CV's look: uncomment, then `cvbuild render {name} -d acme`.
# letters:
#   acme:
#     recipient: {{name: Dr. Jane Roe, organization: ACME Research, address: [1 Main Street, Springfield]}}
#     place: Zürich
#     subject: Application for the **Research Engineer** position
#     body: |
#       I am writing to apply for the Research Engineer position at ACME Research.
#
#       Thank you for your consideration.
#     enclosures: [Curriculum vitae]
"""


def write_starter(path: Path, *, force: bool = False, ci: bool = False, writer: Writer = fill) -> list[Path]:
    """Write the profile and the schema file its `$schema` comment points to as one set (both or
    neither: a profile whose schema is missing or of another version misleads the editor), and
    with `ci` a workflow, which lives in another folder and is written first, then taken back if
    the set fails. `writer` fills one file (tests hand in one that fails)."""
    workflow = repository_root(path.parent) / WORKFLOW_FILE
    for target in (path, *([workflow] if ci else [])):
        if os.path.lexists(target) and not force:  # a link that leads nowhere is the user's too
            raise InputError(f"{target}: already exists; pass --force to overwrite it")
    schema_path = path.parent / SCHEMA_FILE
    for target in (path, schema_path, *([workflow] if ci else [])):  # before any is written
        if target.is_dir():
            raise InputError(f"{target}: cannot write: a folder, not a file; give the name of a file")
        if target.exists() and not target.is_file():  # a FIFO or a device: its folder is not the user's
            raise InputError(f"{target}: cannot write: not a regular file; give the name of a file")
    files = [
        (schema_path.name, schema_json().encode()),
        (path.name, STARTER.format(schema=SCHEMA_FILE, name=path.name).encode()),
    ]
    if not ci:
        _write_set(path.parent, files, writer)
        return [path, schema_path]
    relative = path.resolve().relative_to(workflow.parents[2]).as_posix()
    # what taking the workflow back restores: with --force, the old one (it was overwritten and
    # kept, beside the old profile); else nothing, not even the folders made for it
    old = workflow.read_bytes() if workflow.is_file() else None
    made = [p for p in (workflow.parent, workflow.parent.parent) if not p.exists()]
    _write_set(
        workflow.parent,
        [(workflow.name, WORKFLOW.format(action=ACTION, profile=json.dumps(relative)).encode())],
        writer,
    )
    try:
        _write_set(path.parent, files, writer)
    except BaseException:
        if old is not None:
            _write_set(workflow.parent, [(workflow.name, old)], fill)
        else:
            workflow.unlink(missing_ok=True)
            for folder in made:
                folder.rmdir()
        raise
    return [path, schema_path, workflow]


def _write_set(folder: Path, files: list[tuple[str, bytes]], writer: Writer) -> None:
    try:
        write_set(folder, files, writer=writer)
    except OSError as exc:
        names = ", ".join(str(folder / name) for name, _ in files)
        raise write_failure(f"{names}: cannot write", exc) from None


WORKFLOW = """\
# Builds the CV on every push and pull request; problems in the profile show on the changed lines.
# The PDF, HTML and text are attached to the run as the artifact "cv". More: docs/ci.md of cvbuild.
name: CV

on:
  push:
  pull_request:
  workflow_dispatch:

permissions:
  contents: read

jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v6
      - id: cv
        uses: {action}
        with:
          profile: {profile}
          formats: pdf,html,txt
          # strict: true   # any warning (page budget, missing glyphs, ...) fails the job
          # ats: true      # and text an applicant-tracking system would lose or misread warns
      - uses: actions/upload-artifact@v6
        with:
          name: cv
          path: ${{{{ steps.cv.outputs.files }}}}
          if-no-files-found: error
"""


def repository_root(start: Path) -> Path:
    """The enclosing git work tree (GitHub reads workflows only there), else `start` itself."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder
    return start
