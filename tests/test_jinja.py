"""The Jinja sandbox of theme templates (targets/jinja.py)."""

from __future__ import annotations

import types

import pytest
from jinja2 import StrictUndefined
from jinja2.sandbox import SandboxedEnvironment, SecurityError

from cvbuild.document.model import Author
from cvbuild.targets.jinja import known_safe


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
