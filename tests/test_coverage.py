"""Every field the profile schema accepts is printed by every built-in theme in every format.

The profile is generated from the JSON Schema, not written by hand: a unique marker goes into
every string field (inside the URL for link fields), every date gets a year of its own, and each
list holds one item of every kind it accepts. A field added to the schema is therefore tested
here at once; leaving it out of a theme fails this test unless the field is on the one
documented list of fields that do not print (cvbuild/document/coverage.py).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from conftest import pdf_text, squash

from cvbuild.document.coverage import not_printed_reason
from cvbuild.schema.model import Profile
from cvbuild.themes.theme import list_themes

SKIP = object()


@dataclass
class Markers:
    """Expected text per schema path, and the schema paths that were filled."""

    texts: dict[str, str] = field(default_factory=dict)  # path -> text that must appear
    urls: dict[str, str] = field(default_factory=dict)  # path -> text that must appear in a link
    n: int = 0
    year: int = 1949

    def next_marker(self) -> str:
        self.n += 1
        return f"qz{self.n:03d}x"

    def next_year(self) -> int:
        self.year += 1
        return self.year


def _resolve(schema: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = root["$defs"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _variants(schema: dict[str, Any], root: dict[str, Any]) -> list[dict[str, Any]]:
    """The non-null alternatives of a schema (a Date's own anyOf counts as one)."""
    schema = _resolve(schema, root)
    alts = schema.get("anyOf") or schema.get("oneOf")
    if alts and "YYYY" not in schema.get("description", ""):
        out = []
        for alt in alts:
            if alt.get("type") != "null":
                out.extend(_variants(alt, root))
        return out
    return [schema]


def _string(schema: dict[str, Any], path: str, m: Markers) -> Any:
    if "enum" in schema or "const" in schema:
        return SKIP
    marker = m.next_marker()
    desc = schema.get("description", "")
    leaf = path.rsplit(".", 1)[-1].rstrip("[]")
    if "http(s)" in desc:
        m.urls[path] = marker
        return f"https://example.org/{marker}"
    if "user name, or a full" in desc:
        m.urls[path] = marker
        return marker
    if "phone number" in desc:
        m.texts[path] = "+1 415-555-0142"
        return "+1 415 555 0142"
    if "@" in schema.get("pattern", ""):
        m.texts[path] = f"{marker}@example.org"
        return f"{marker}@example.org"
    if leaf == "doi":
        m.texts[path] = f"10.5555/{marker}"
        return f"10.5555/{marker}"
    if leaf == "arxiv":
        number = f"2501.{m.n:05d}"
        m.texts[path] = f"arXiv:{number}"
        return number
    m.texts[path] = marker
    return marker


def fill(schema: dict[str, Any], path: str, m: Markers, root: dict[str, Any]) -> Any:
    """A value for `schema` at `path` with markers recorded in `m`; SKIP when not printed."""
    if not_printed_reason(path) is not None:
        return SKIP
    variants = _variants(schema, root)
    if len(variants) != 1:
        printable = [v for v in variants if fill(v, path, Markers(), root) is not SKIP]
        return fill(printable[0], path, m, root) if printable else SKIP
    schema = variants[0]
    if "YYYY" in schema.get("description", ""):
        year = m.next_year()
        m.texts[path] = str(year)
        return year
    kind = schema.get("type")
    if kind == "object":
        return _object(schema, path, m, root)
    if kind == "array":
        items = [v for alt in _variants(schema["items"], root) if (v := fill(alt, path + "[]", m, root)) is not SKIP]
        return items or SKIP
    if kind == "string":
        return _string(schema, path, m)
    if kind == "integer" and path.endswith(".stars"):
        m.texts[path] = "4.3k"
        return 4321
    return SKIP  # booleans and choices are printed as words; their own tests check them


def _object(schema: dict[str, Any], path: str, m: Markers, root: dict[str, Any]) -> Any:
    props = schema.get("properties", {})
    out = {}
    for key, sub in props.items():
        if key == "date" and "start" in props:  # `date` and `start`/`end` are alternatives
            continue
        value = fill(sub, f"{path}.{key}" if path else key, m, root)
        if value is not SKIP:
            out[key] = value
    return out or SKIP


def marked_profile() -> tuple[dict[str, Any], Markers]:
    root = Profile.model_json_schema()
    m = Markers()
    data = fill(root, "", m, root)
    Profile.model_validate(data)  # the generated profile must be valid, or the test proves nothing
    return data, m


def _themes() -> list[str]:
    return sorted(t.name for t in list_themes() if "pdf" in t.targets)


@pytest.fixture(scope="module")
def marked(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Markers]:
    data, m = marked_profile()
    folder = tmp_path_factory.mktemp("coverage")
    path = folder / "profile.yaml"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")  # JSON is YAML
    return path, m


def _pdf_links(path: Path) -> str:
    from pypdf import PdfReader

    uris = []
    for page in PdfReader(path).pages:
        for annot in page.get("/Annots") or []:
            action = annot.get_object().get("/A")
            if action is not None and "/URI" in action:
                uris.append(str(action["/URI"]))
    return "\n".join(uris)


def _outputs(profile: Path, theme: str, out: Path, engine: str | None) -> dict[str, tuple[str, str]]:
    """format -> (visible text, link targets) of each output of one theme."""
    from cvbuild.pipeline import RenderRequest, render

    formats = ["pdf"] if engine == "weasyprint" else ["txt", "md", "html", "pdf"]
    written = render(RenderRequest(profile=profile, theme=theme, output=out, formats=formats, engine=engine))
    result = {}
    for p in written:
        if p.suffix == ".pdf":
            result["pdf"] = (pdf_text(p), _pdf_links(p))
        elif p.suffix == ".html":
            html = p.read_text(encoding="utf-8")
            result["html"] = (re.sub(r"<[^>]+>", " ", html), " ".join(re.findall(r'href="([^"]+)"', html)))
        else:
            text = p.read_text(encoding="utf-8")
            result[p.suffix[1:]] = (text, text)
    return result


def test_the_generated_profile_reaches_every_kind_of_field() -> None:
    """Guard the generator itself: it must fill nested bullets, sub-projects and links."""
    _data, m = marked_profile()
    paths = set(m.texts) | set(m.urls)
    for expected in (
        "name",
        "experience[].projects[].highlights[].highlights[]",
        "experience[].collaborators[]",
        "publications[].volume",
        "publications[].pages",
        "publications[].arxiv",
        "contact.links.github",
        "teaching[].terms[]",
        "honors[].note",
    ):
        assert expected in paths, f"{expected} not filled; filled: {sorted(paths)[:20]}..."
    assert len(paths) > 120


@pytest.mark.parametrize("engine", ["typst", "weasyprint"])
@pytest.mark.parametrize("theme", _themes())
def test_every_field_is_printed(marked: tuple[Path, Markers], theme: str, engine: str, tmp_path: Path) -> None:
    profile, m = marked
    outputs = _outputs(profile, theme, tmp_path, engine)
    missing = []
    for fmt, (text, links) in outputs.items():
        seen, seen_links = squash(text).casefold(), squash(links).casefold()
        for path, marker in m.texts.items():
            if squash(marker).casefold() not in seen:
                missing.append(f"{fmt}: {path} ({marker})")
        for path, marker in m.urls.items():
            # txt and md print URLs in full; html and pdf carry them as link targets
            if marker not in seen_links and marker not in seen:
                missing.append(f"{fmt}: {path} (link with {marker})")
    assert not missing, f"theme {theme} ({engine}) does not print:\n" + "\n".join(missing)
