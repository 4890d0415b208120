"""The profile's JSON Schema, for editors (yaml-language-server) and `cvbuild schema`."""

from __future__ import annotations

import json

from cvbuild.schema.model import Profile

SCHEMA_ID = "https://cvbuild.dev/schema/profile.schema.json"


def schema_json() -> str:
    data = Profile.model_json_schema(mode="validation")
    data = {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID, **data}
    return json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False) + "\n"
