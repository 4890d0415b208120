"""The Document reference for theme authors, generated from the pydantic models.

`make docs` (or `python -m cvbuild.document.reference docs/document.md`) writes docs/document.md;
a test fails when the committed file differs, so a new Document field is documented by its
field docstring in model.py and one command.
"""

from __future__ import annotations

import json
import sys
import types
import typing
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any, Literal, Union

from pydantic import BaseModel

from cvbuild.document.model import DOCUMENT_VERSION, Document

REGENERATE = "make docs"

INTRO = f"""\
# The Document reference

<!-- Generated from cvbuild/document/model.py by `{REGENERATE}`; do not edit by hand. -->

A theme receives one **Document** per rendered variant and nothing else. cvbuild has already
selected, sorted, numbered and formatted everything in it: templates only lay it out.
This is version {DOCUMENT_VERSION} of the Document (`doc.version`).

- **Typst** (`cv.typ`): `#let doc = load-document()` (from `@local/cvbuild:1.0.0`), then
  `doc.person.name`, `doc.sections`. Optional values are `none`; test them with `!= none`.
- **Jinja** (`cv.html.j2`, `cv.txt.j2`, `cv.md.j2`): the variables `doc`, `person` (= `doc.person`),
  `meta` (= `doc.meta`) and `options` (= `doc.options`). Optional values are `None`, which is false
  in `{{% if %}}`. A name that does not exist is an error, not an empty string.
- `cvbuild inspect PROFILE` prints this Document as JSON for a real profile (exactly what Typst
  receives); `cvbuild schema --document` prints its JSON Schema.

Rich text is a list of [Span](#span)s: never join `text` values into markup yourself; use the
`spans()` helper in Typst and the `html`, `md` or `text` filters in Jinja, which escape for you.
"""


@cache
def field_docs() -> dict[str, dict[str, str]]:
    """The field docstrings of model.py, {model name: {field: text}}, as pydantic's
    use_attribute_docstrings would read them (a string literal right under an annotated field)."""
    import ast
    import inspect

    from cvbuild.document import model as module

    docs: dict[str, dict[str, str]] = {}
    for node in ast.parse(inspect.getsource(module)).body:
        if not isinstance(node, ast.ClassDef):
            continue
        fields = docs.setdefault(node.name, {})
        for field, after in zip(node.body, node.body[1:], strict=False):
            if (
                isinstance(field, ast.AnnAssign)
                and isinstance(field.target, ast.Name)
                and isinstance(after, ast.Expr)
                and isinstance(after.value, ast.Constant)
                and isinstance(after.value.value, str)
            ):
                fields[field.target.id] = inspect.cleandoc(after.value.value)
    return docs


def field_doc(model: type[BaseModel], name: str) -> str:
    """A field's docstring, from the class that declares it (or a base class); "" when none."""
    for cls in model.__mro__:
        text = field_docs().get(cls.__name__, {}).get(name)
        if text:
            return text
    return ""


def _describe(schema: dict[str, Any], model: type[BaseModel]) -> None:
    """Put each field's docstring into its JSON Schema property, as `description`."""
    properties = schema.get("properties", {})
    for name, prop in properties.items():
        text = field_doc(model, name)
        if text:  # keys in pydantic's (sorted) order, so the output reads as it always did
            properties[name] = dict(sorted({**prop, "description": text}.items()))


def document_schema() -> dict[str, Any]:
    """JSON Schema of the Document, for editors and for `cvbuild schema --document`."""
    schema = Document.model_json_schema()
    _describe(schema, Document)
    for model in models():
        if model.__name__ in schema.get("$defs", {}):
            _describe(schema["$defs"][model.__name__], model)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = f"cvbuild Document, version {DOCUMENT_VERSION}"
    return schema


def document_schema_json() -> str:
    return json.dumps(document_schema(), indent=2, ensure_ascii=False) + "\n"


def models(root: type[BaseModel] = Document) -> list[type[BaseModel]]:
    """Every model reachable from `root`, root first, then in the order fields mention them."""
    seen: list[type[BaseModel]] = []
    queue = [root]
    while queue:
        model = queue.pop(0)
        if model in seen:
            continue
        seen.append(model)
        for info in model.model_fields.values():
            queue.extend(m for m in _models_in(info.annotation) if m not in seen)
    return seen


def _models_in(annotation: Any) -> Iterator[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
    for arg in typing.get_args(annotation):
        yield from _models_in(arg)


def type_text(annotation: Any) -> str:
    """`list of [Span](#span)`, `text or none`: a type as a designer reads it."""
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if annotation is type(None):
        return "none"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return f"[{annotation.__name__}](#{annotation.__name__.lower()})"
    if origin is Literal:
        return " \\| ".join(f"`{json.dumps(a, ensure_ascii=False)}`" for a in args)
    if origin in (Union, types.UnionType):
        return " or ".join(type_text(a) for a in args)
    if origin is list:
        return f"list of {type_text(args[0])}" if args else "list"
    if origin is dict:
        return f"map of {type_text(args[0])} to {type_text(args[1])}" if args else "map"
    names = {str: "text", int: "integer", float: "number", bool: "true/false"}
    if annotation in names:
        return names[annotation]
    if annotation is Any:
        return "any"
    return str(annotation)


def _default_text(info: Any) -> str:
    if info.is_required():
        return "required"
    return f"`{json.dumps(info.get_default(call_default_factory=True), ensure_ascii=False)}`"


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def model_section(model: type[BaseModel]) -> str:
    import inspect

    doc = inspect.cleandoc(model.__doc__ or "")
    lines = [f"## {model.__name__}", ""]
    if doc:
        lines += [doc, ""]
    lines += ["| field | type | default | meaning |", "| --- | --- | --- | --- |"]
    for name, info in model.model_fields.items():
        lines.append(
            f"| `{name}` | {type_text(info.annotation)} | {_default_text(info)} | {_cell(field_doc(model, name))} |"
        )
    return "\n".join(lines) + "\n"


def markdown() -> str:
    """The whole docs/document.md."""
    return "\n".join([INTRO, *(model_section(m) for m in models())])


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    text = markdown()
    if not args:
        sys.stdout.write(text)
        return 0
    Path(args[0]).write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
