"""`cvbuild new`: a starter profile that validates and renders as it is."""

from __future__ import annotations

from pathlib import Path

from cvbuild.errors import InputError
from cvbuild.output import atomic_write
from cvbuild.schema.jsonschema import schema_json

SCHEMA_FILE = "cvbuild.schema.json"

STARTER = """\
# yaml-language-server: $schema={schema}
# Your CV as data. Validate with `cvbuild validate {name}`, render with `cvbuild render {name}`.
# Text fields accept inline Markdown: **bold**, *italic*, [links](https://example.org), `code`.
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
"""


def write_starter(path: Path, *, force: bool = False) -> list[Path]:
    """Write the profile and the schema file its `$schema` comment points to."""
    if path.exists() and not force:
        raise InputError(f"{path}: already exists; pass --force to overwrite it")
    schema_path = path.parent / SCHEMA_FILE
    atomic_write(schema_path, schema_json().encode("utf-8"))
    atomic_write(path, STARTER.format(schema=SCHEMA_FILE, name=path.name).encode("utf-8"))
    return [path, schema_path]
