"""The JSON Schema of the blueprint form, for editors and agents (``cmfc schema``)."""

from __future__ import annotations

import json

from cmfc.ir.models import ProjectSpec

SCHEMA_ID = "https://cmfc.dev/schema/production_blueprint.json"


def blueprint_schema() -> dict:
    """The schema as data: ProjectSpec, with the draft and an id."""
    schema = ProjectSpec.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = SCHEMA_ID
    schema["title"] = "cmfc production blueprint"
    schema["description"] = ("A cmfc project as an agent writes it (YAML or JSON): the same content as a .cmf "
                             "script. Times are text with a unit (4.2s, 500ms, 0:04.20, 12f).")
    return schema


def blueprint_schema_json() -> str:
    """Canonical JSON text of the schema."""
    return json.dumps(blueprint_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
