"""Stage 1: read input files into plain Python data that remembers where each node came from."""

from cvbuild.loading.yaml_source import YamlSource, load_yaml, parse_yaml

__all__ = ["YamlSource", "load_yaml", "parse_yaml"]
