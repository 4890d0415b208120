"""Load a profile file into a validated Profile: YAML (+ BibTeX includes) -> schema."""

from __future__ import annotations

from pathlib import Path

from cvbuild.loading.yaml_source import YamlSource, load_yaml
from cvbuild.schema.model import Profile
from cvbuild.schema.validate import validate_source


def load_profile(path: Path) -> tuple[Profile, YamlSource]:
    """Read, parse and validate; raises InputError listing every problem, located."""
    source = load_yaml(path)
    return validate_source(source), source
