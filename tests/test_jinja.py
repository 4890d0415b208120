"""The Jinja sandbox of theme templates (targets/jinja.py)."""

from __future__ import annotations

import pickle
import types
from pathlib import Path

import pytest
from conftest import run_cli, write
from jinja2 import StrictUndefined
from jinja2.sandbox import SandboxedEnvironment, SecurityError

from cvbuild.document.model import Author
from cvbuild.targets.jinja import fields_only, known_safe


def _f() -> None:
    pass


OBJECTS: list[object] = [Author(name="Ada"), _f, Author.model_dump, Author(name="A").model_dump, str, "text", [1], {}]
OBJECTS += [(x for x in ()), _f.__code__, types.SimpleNamespace(a=1)]
ATTRS = ["name", "__class__", "_private", "__globals__", "mro", "gi_frame", "f_globals", "co_code", "upper", "a"]


def test_known_safe_answers_as_the_sandbox_for_every_type_and_attribute() -> None:
    env = SandboxedEnvironment()
    check = known_safe(env.is_safe_attribute)
    for _ in range(2):  # the second round is answered from what the first learnt
        for obj in OBJECTS:
            for attr in ATTRS:
                assert check(obj, attr, None) == env.is_safe_attribute(obj, attr, None), (obj, attr)


def test_template_still_refuses_internal_attributes_after_safe_reads() -> None:
    env = SandboxedEnvironment(undefined=StrictUndefined)  # as cvbuild's environment
    env.is_safe_attribute = known_safe(env.is_safe_attribute)  # type: ignore[method-assign]
    assert env.from_string("{{ a.name }} {{ a.name }}").render(a=Author(name="Ada")) == "Ada Ada"
    with pytest.raises(SecurityError):
        env.from_string("{{ f.__globals__ }}").render(f=_f)
    with pytest.raises(SecurityError):
        env.from_string("{{ a.name }}{{ a.__class__.__mro__ }}").render(a=Author(name="Ada"))


class _Payload:
    """Unpickling this runs `touch PATH`: what a theme's pickle file would do."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self) -> tuple[object, tuple[str, ...]]:
        import os

        return (os.system, (f"touch {self.path}",))


@pytest.mark.parametrize("fmt", ["txt", "html"])
def test_a_template_cannot_call_pydantics_api_to_read_files_or_run_code(tmp_path: Path, fmt: str) -> None:
    """`doc.parse_file(...)` read any file and unpickled it: a theme ran code of its own."""
    profile = write(tmp_path / "cv" / "p.yaml", "name: Ada Example\nsummary: Hi.\n")
    theme = tmp_path / "evil"
    write(theme / "theme.toml", 'name = "evil"\nextends = "classic"\n')
    ran = tmp_path / "ran"
    (theme / "x.pkl").write_bytes(pickle.dumps(_Payload(ran)))
    call = f"{{{{ doc.parse_file({str(theme / 'x.pkl')!r}, content_type='application/pickle', allow_pickle=True) }}}}"
    write(theme / ("cv.html.j2" if fmt == "html" else "cv.txt.j2"), f"{{{{ person.name }}}}\n{call}\n")
    result = run_cli("render", profile, "--theme", theme, "-f", fmt, "-o", tmp_path / "out")
    assert not ran.exists(), "the theme's pickle ran"
    assert result.returncode == 2, result.stderr
    assert f"cv.{fmt}.j2:2:" in result.stderr and "parse_file" in result.stderr and "unsafe" in result.stderr
    assert not (tmp_path / "out").exists()


def test_a_model_shows_templates_its_fields_only() -> None:
    env = SandboxedEnvironment(undefined=StrictUndefined)
    env.is_safe_attribute = known_safe(fields_only(env.is_safe_attribute))  # type: ignore[method-assign]
    author = Author(name="Ada", is_owner=True)
    assert env.from_string("{{ a.name }} {{ a['is_owner'] }} {{ a.name.upper() }}").render(a=author) == "Ada True ADA"
    for attr in ("parse_file", "parse_raw", "model_validate_json", "model_dump", "copy", "schema"):
        with pytest.raises(SecurityError):
            env.from_string(f"{{{{ a.{attr} }}}}").render(a=author)
        with pytest.raises(SecurityError):
            env.from_string(f"{{{{ a[{attr!r}] }}}}").render(a=author)
    with pytest.raises(SecurityError):
        env.from_string("{{ t.parse_raw }}").render(t=Author)


# A template whose own expressions fail: (its text, the line and the error the message names)
FAILING = {
    "a range over the sandbox's limit": ("Hi.\n{{ range(10**9) | list }}\n", 2, "OverflowError: Range too big"),
    "a macro calling itself": ("{% macro f() %}{{ f() }}{% endmacro %}\n\n{{ f() }}\n", 1, "RecursionError"),
    "a template extending itself": ("{% extends 'cv.txt.j2' %}\n", 1, "RecursionError"),
    "a template including itself": ("x\n{% include 'cv.txt.j2' %}\n", 2, "RecursionError"),
    "a type error": ("{{ 1 + 'a' }}\n", 1, "TypeError: unsupported operand"),
    "a filter given a bad argument": ("\n\n{{ person.name | wrap(width='x') }}\n", 3, "TypeError"),
    "a division by zero": ("{{ 1 / 0 }}\n", 1, "ZeroDivisionError"),
    # What a template builds is bounded: each of these took gigabytes (or the machine) first.
    "a huge repetition": ('Hi.\n{{ "x" * 10**13 }}\n', 2, "ValueError: a repetition of 1 × 10,000,000,000,000"),
    "a huge list": ("{{ [1] * 10**8 }}\n", 1, "ValueError: a repetition of 1 × 100,000,000"),
    "a huge power": ("{{ 3 ** (10**9) }}\n", 1, "ValueError: 3 ** 1000000000 is more than"),
    "a huge %-width": ('{{ "%0999999999d" % 1 }}\n', 1, "ValueError: a format width of a million"),
    "a huge format width": ('{{ "{:>999999999}".format(1) }}\n', 1, "ValueError: a format width of a million"),
    "a huge nested width": ('{{ "{0:{1}}".format(1, 10**9) }}\n', 1, "ValueError: a format argument over"),
    "a huge center()": ('{{ "".center(10**9) }}\n', 1, "ValueError: center() of more than 1,000,000"),
    "a huge center filter": ('{{ "x" | center(10**9) }}\n', 1, "ValueError: a filter argument over"),
    "a huge indent filter": ('{{ "x" | indent(10**9) }}\n', 1, "ValueError: a filter argument over"),
    "a huge format filter": ('{{ "%0999999999d" | format(1) }}\n', 1, "ValueError: a format width of a million"),
}


def test_what_a_template_builds_within_the_bounds_is_unchanged(tmp_path: Path) -> None:
    """The bounds refuse only sizes past a million: a rule, a padded column, a format work."""
    profile = write(tmp_path / "p.yaml", "name: Ada Example\nsummary: Hi.\n")
    theme = tmp_path / "ok"
    write(theme / "theme.toml", 'name = "ok"\nextends = "classic"\n')
    text = '{{ "=" * 3 }}|{{ 2 ** 10 }}|{{ "%03d" % 7 }}|{{ "{:>4}".format("ab") }}|'
    text += '{{ "ab".center(6) }}|{{ "x" | center(3) }}\n'
    write(theme / "cv.txt.j2", text)
    result = run_cli("render", profile, "--theme", theme, "-f", "txt", "-o", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / "ada-example.txt").read_text(encoding="utf-8") == "===|1024|007|  ab|  ab  | x\n"


@pytest.mark.parametrize("case", list(FAILING))
def test_a_failing_template_expression_is_the_themes_error_at_its_line(tmp_path: Path, case: str) -> None:
    """These were exit 1, 'rendering failed: TypeError: ...' with no file or line (a template
    extending itself even blamed the theme folder's path)."""
    text, line, error = FAILING[case]
    profile = write(tmp_path / "p.yaml", "name: Ada Example\nsummary: Hi.\n")
    theme = tmp_path / "evil"
    write(theme / "theme.toml", 'name = "evil"\nextends = "classic"\n')
    write(theme / "cv.txt.j2", text)
    result = run_cli("render", profile, "--theme", theme, "-f", "txt", "-o", tmp_path / "out")
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(f"{theme / 'cv.txt.j2'}:{line}:"), result.stderr
    assert f"template error: {error}" in result.stderr.splitlines()[0]
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("template", "error"),
    [
        # a misspelt variable or field: the name that was meant, the Document class by its own name
        ("{{ persn.name }}", "2:4: template error: 'persn' is undefined; did you mean 'person'?"),
        (
            "{% for s in doc.sections %}{{ s.sumary }}{% endfor %}",
            "2:33: template error: Section has no field 'sumary'; did you mean 'summary'? (docs/document.md#section)",
        ),
        ("{{ person.zzqx }}", "2:11: template error: Person has no field 'zzqx'; its fields: name, native_name,"),
        (
            "{{ person.phone.area }}",
            "2:17: template error: 'None' has no attribute 'area'; the value is optional and none here: test it first",
        ),
        ("{{ options.acent }}", "2:12: template error: 'dict object' has no attribute 'acent'; a key that may be"),
        # a missing file: where it was looked for, and the one that was meant
        (
            '{% include "cv.md.j" %}',
            "2:13: template error: no template 'cv.md.j' in the theme's folders (t, classic, base); "
            "did you mean 'cv.md.j2'?; or write t/cv.md.j to add it",
        ),
        # a file that is nothing like one there: the file to write
        (
            '{% include "parts/header.html.j2" %}',
            "2:13: template error: no template 'parts/header.html.j2' in the theme's folders (t, classic, base); "
            "write t/parts/header.html.j2 to add it",
        ),
        ("{{ person.headline | htm }}", "2:22: template syntax error: No filter named 'htm'; did you mean 'html'?"),
        # the token Jinja names, inside the tag: not the same word in the HTML before it
        (
            '<b class="x">{{ person.name }}</b>{% if person.name <i class="y"> %}{% endif %}',
            "2:56: template syntax error: expected token 'end of statement block', got 'class'; end the tag with %}",
        ),
    ],
)
def test_template_errors_say_how_to_fix_them(tmp_path: Path, template: str, error: str) -> None:
    """Jinja said `'cvbuild.document.model.Section object' has no attribute 'sumary'`, a bare
    `_layuot.html.j2` for a missing template, and put a syntax error at the first `class` of the
    line; each is now at its column with the fix."""
    write(tmp_path / "t" / "theme.toml", 'extends = "classic"\n')
    write(tmp_path / "t" / "cv.txt.j2", "line one\n" + template + "\n")
    write(tmp_path / "p.yaml", "name: Ada Example\nsummary: Builds systems.\n")
    result = run_cli("render", "p.yaml", "-f", "txt", "--theme", "./t", cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(f"{tmp_path / 't' / 'cv.txt.j2'}:{error}"), result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("template", "error"),
    [
        # a block the layout does not have: Jinja dropped it, and the page showed nothing of it
        (
            "{% block mastehad %}<h1>Me</h1>{% endblock %}",
            "2:10: template error: block 'mastehad' is in no template this one extends (_layout.html.j2), "
            "so Jinja never shows it; did you mean 'masthead'?",
        ),
        ("{% block zzqx %}x{% endblock %}", "2:10: template error: block 'zzqx' is in no template this one extends"),
        # Jinja's words for a module or `self` were its class names
        (
            "{% block aside %}{{ m.sectoin(1) }}{% endblock %}",
            "2:23: template error: the imported template has no macro 'sectoin'; its macros are listed in "
            "docs/helpers.md",
        ),
        (
            "{% block aside %}{{ self.mastehad() }}{% endblock %}",
            "2:26: template error: `self` has no block 'mastehad'; name a block of this template or of one it extends",
        ),
    ],
)
def test_a_missing_block_or_macro_is_an_error_at_its_line(tmp_path: Path, template: str, error: str) -> None:
    write(tmp_path / "t" / "theme.toml", 'extends = "classic"\n')
    write(tmp_path / "t" / "cv.html.j2", '{% extends "_layout.html.j2" %}\n' + template + "\n")
    write(tmp_path / "p.yaml", "name: Ada Example\nsummary: Builds systems.\n")
    result = run_cli("render", "p.yaml", "-f", "html", "--theme", "./t", cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(f"{tmp_path / 't' / 'cv.html.j2'}:{error}"), result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    "template",
    [
        "{% block aside %}{{ self.extra() }}{% endblock %}{% block extra %}<p>More</p>{% endblock %}",
        "{% block aside %}{% block extra %}<p>More</p>{% endblock %}{% endblock %}",  # for a child theme
        "{% block masthead %}<h1>Mine</h1>{% endblock %}",  # a block of the parent template's parent
    ],
)
def test_a_block_the_template_uses_itself_is_no_error(tmp_path: Path, template: str) -> None:
    write(tmp_path / "t" / "theme.toml", 'extends = "classic"\n')
    page = '{% extends "_layout.html.j2" %}\n{% block body_class %}cv t{% endblock %}\n'
    write(tmp_path / "t" / "page.html.j2", page)
    write(tmp_path / "t" / "cv.html.j2", '{% extends "page.html.j2" %}\n' + template + "\n")
    write(tmp_path / "p.yaml", "name: Ada Example\nsummary: Builds systems.\n")
    result = run_cli("render", "p.yaml", "-f", "html", "--theme", "./t", "-o", "out", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    page = (tmp_path / "out" / "ada-example.html").read_text()
    assert ("More" in page) or ("Mine" in page)
