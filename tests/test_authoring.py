"""Theme authors see their data: `cvbuild inspect`, `cvbuild schema --document`, docs/document.md."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from conftest import EXAMPLE, RESUME, ROOT, documents, run_cli, write

from cvbuild.document import reference
from cvbuild.document.model import Document
from cvbuild.pipeline import RenderRequest, render
from cvbuild.targets import typst_pdf
from cvbuild.targets.typst_pdf import document_json


def test_inspect_prints_the_bytes_typst_receives(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    received: list[str] = []
    compile_pdf = typst_pdf._compile

    def spy(*args: Any, **kwargs: Any) -> Any:
        received.append(kwargs["sys_inputs"][typst_pdf.INPUT_KEY])
        return compile_pdf(*args, **kwargs)

    monkeypatch.setattr(typst_pdf, "_compile", spy)
    render(RenderRequest(profile=EXAMPLE, formats=("pdf",), document="cv", output=tmp_path))
    result = run_cli("inspect", EXAMPLE, "-d", "cv")
    assert result.returncode == 0, result.stderr
    assert received == [result.stdout]
    assert "’" in result.stdout  # typeset, as the theme gets it: the example's "master's" has a curly apostrophe
    doc = documents(EXAMPLE)["cv"]
    assert Document.model_validate_json(result.stdout).person == doc.person


def test_inspect_follows_theme_and_document() -> None:
    result = run_cli("inspect", EXAMPLE, "-d", "resume", "--theme", "classic", "--pretty")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["meta"]["document"] == "resume"
    assert data["options"]["font"] == "Linux Libertine O"  # classic's default, not modern's
    assert result.stdout.startswith("{\n  ")


def test_inspect_without_document_takes_the_first_and_says_so() -> None:
    result = run_cli("inspect", EXAMPLE)
    assert result.returncode == 0, result.stderr
    first = next(iter(documents(EXAMPLE)))
    assert json.loads(result.stdout)["meta"]["document"] == first
    assert "choose with -d" in result.stderr


def test_inspect_bad_input_exits_2(tmp_path: Path) -> None:
    bad = write(tmp_path / "p.yaml", "name: Ada\nsumary: x\n")
    result = run_cli("inspect", bad)
    assert result.returncode == 2 and "p.yaml:2:1" in result.stderr and result.stdout == ""
    result = run_cli("inspect", RESUME, "-d", "nope")
    assert result.returncode == 2 and "unknown document" in result.stderr


def test_schema_document_validates_real_documents() -> None:
    result = run_cli("schema", "--document")
    assert result.returncode == 0, result.stderr
    schema = json.loads(result.stdout)
    assert result.stdout == reference.document_schema_json()
    validator = jsonschema.Draft202012Validator(schema)
    for doc in [*documents(EXAMPLE).values(), *documents(RESUME).values()]:
        validator.validate(json.loads(document_json(doc)))
    assert schema["$defs"]["Author"]["properties"]["is_owner"]["description"]  # field docstrings carry over


def test_every_document_field_has_a_meaning() -> None:
    missing = [
        f"{m.__name__}.{name}"
        for m in reference.models()
        for name in m.model_fields
        if not reference.field_doc(m, name)
    ]
    assert not missing, f"add a docstring under these fields in cvbuild/document/model.py: {missing}"


def test_document_reference_is_in_sync() -> None:
    committed = (ROOT / "docs" / "document.md").read_text(encoding="utf-8")
    assert committed == reference.markdown(), (
        f"docs/document.md is out of date with cvbuild/document/model.py: run `{reference.REGENERATE}` and commit it"
    )


def test_document_reference_names_every_model_and_field() -> None:
    text = reference.markdown()
    for model in reference.models():
        assert f"## {model.__name__}\n" in text
        for name in model.model_fields:
            assert f"| `{name}` |" in text
    assert "list of [Span](#span)" in text and '`"text"` \\| `"tags"`' in text


def test_helper_reference_is_in_sync() -> None:
    from cvbuild.themes import reference as helpers

    committed = (ROOT / "docs" / "helpers.md").read_text(encoding="utf-8")
    assert committed == helpers.markdown(), (
        "docs/helpers.md is out of date with themes/base or cvbuild/targets/jinja.py: "
        f"run `{helpers.REGENERATE}` and commit it"
    )


def test_helper_reference_covers_every_helper() -> None:
    from cvbuild.targets.jinja import FILTERS
    from cvbuild.themes import reference as helpers
    from cvbuild.themes.theme import builtin_themes_dir

    text = helpers.markdown()
    lib = (builtin_themes_dir() / "base" / helpers.TYPST_PACKAGE).read_text(encoding="utf-8")
    documented = {signature.split("(")[0] for signature, _ in helpers.typst_functions(lib)}
    exported = set(re.findall(r"^#let ([a-z][\w-]*)", lib, re.M))
    assert exported == documented, f"give these a /// comment in lib.typ: {exported - documented}"
    for name in FILTERS:
        assert f"`value \\| {name}" in text
    macros = (builtin_themes_dir() / "base" / "_macros.html.j2").read_text(encoding="utf-8")
    for signature, doc in helpers.macros(macros):
        assert doc, f"describe {signature} in MACRO_DOCS (cvbuild/themes/reference.py)"


def test_theme_guide_documents_every_manifest_key() -> None:
    from cvbuild.themes.manifest import ThemeManifest

    guide = (ROOT / "docs" / "themes.md").read_text(encoding="utf-8")
    for key in ThemeManifest.model_fields:
        assert f"| `{key}` |" in guide or f"| `[{key}]` |" in guide, f"docs/themes.md: document theme.toml key {key}"
    for target in ("document.md", "helpers.md", "../examples/theme-package"):
        assert f"]({target}" in guide


@pytest.mark.parametrize("doc", ["README.md", "docs/themes.md"])
def test_commands_after_theme_new_use_the_new_theme(doc: str) -> None:
    """README's five commands after `theme new mytheme` previewed, inspected and rendered the
    profile's own theme: an author editing mytheme saw nothing change."""
    text = (ROOT / doc).read_text(encoding="utf-8")
    blocks = [b for b in re.findall(r"```sh\n(.*?)```", text, re.S) if "cvbuild theme new " in b]
    assert blocks
    for block in blocks:
        name = re.search(r"cvbuild theme new (\S+)", block)[1]  # type: ignore[index]
        for line in block.splitlines():
            if re.match(r"cvbuild (watch|inspect|render) ", line):
                assert f"--theme {name}" in line, line
