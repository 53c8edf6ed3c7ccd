"""Emit a ProjectSpec as a YAML blueprint (``cmfc fmt --to yaml``)."""

from __future__ import annotations

import yaml

from cmfc.ir.models import ProjectSpec


class _Dumper(yaml.SafeDumper):
    """Block style, keys in model order, multi-line strings as literal blocks."""


def _str(dumper: yaml.SafeDumper, value: str):
    # Line breaks YAML folds (NEL, LS, PS, CR) and non-printables only survive in double quotes.
    if any(not ch.isprintable() and ch not in "\n" for ch in value):
        style = '"'
    elif "\n" in value and not value.endswith((" ", "\t")):
        style = "|"
    else:
        style = None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def blueprint_data(spec: ProjectSpec) -> dict:
    """The blueprint as plain data, defaults left out."""
    data = spec.model_dump(mode="json", exclude_defaults=True)
    data["cmf"] = spec.cmf
    data["id"] = spec.id
    data["voice"] = spec.voice.model_dump(mode="json", exclude_defaults=True)
    ordered = {key: data[key] for key in ProjectSpec.model_fields if key in data}
    return ordered


def emit_yaml(spec: ProjectSpec) -> str:
    """A YAML blueprint that loads back to ``spec``."""
    return yaml.dump(blueprint_data(spec), Dumper=_Dumper, sort_keys=False, allow_unicode=True,
                     default_flow_style=False, width=100)
