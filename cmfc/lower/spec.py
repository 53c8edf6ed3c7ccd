"""Validate blueprint-shaped data (from a script or a YAML/JSON file) into a ProjectSpec."""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import ValidationError

from cmfc.diagnostics import CmfError, Diagnostics, Span
from cmfc.ir.models import ProjectSpec
from cmfc.yamlpos import load_with_positions, validation_diagnostics

Positions = dict[tuple, Span]


def validate_spec(data: object, positions: Positions, path: str) -> ProjectSpec:
    """Build the ProjectSpec or raise CmfError with every problem positioned in ``path``."""
    if not isinstance(data, dict):
        raise CmfError(Diagnostics().items + [_top_level_error(path)])
    try:
        return ProjectSpec.model_validate(data)
    except ValidationError as error:
        raise CmfError(validation_diagnostics(error, positions, path, model=ProjectSpec)) from None


def _top_level_error(path: str):
    from cmfc.diagnostics import Diagnostic

    return Diagnostic(Span(path, 1, 1), "a blueprint is a mapping with at least id, voice and scenes",
                      hint="run `cmfc schema` for the full form")


def parse_cmf_file(text: str, path: str) -> tuple[ProjectSpec, Positions]:
    """Parse and lower a .cmf script into a ProjectSpec and the positions of its values."""
    from cmfc.lower.from_cmf import lower_document
    from cmfc.syntax.parser import parse

    document = parse(text, path)
    diagnostics = Diagnostics()
    data, positions = lower_document(document, diagnostics)
    if diagnostics.has_errors:
        # Still validate what was read, so independent mistakes all show in one run.
        try:
            validate_spec(data, positions, path)
        except CmfError as error:
            diagnostics.extend(d for d in error.diagnostics if not _duplicate(d, diagnostics))
        diagnostics.raise_if_errors()
    return validate_spec(data, positions, path), positions


def _duplicate(candidate, diagnostics: Diagnostics) -> bool:
    return any(d.span.line == candidate.span.line for d in diagnostics.items)


def parse_blueprint_file(text: str, path: str) -> tuple[ProjectSpec, Positions]:
    """Read a YAML or JSON blueprint into a ProjectSpec and the positions of its values."""
    if path.lower().endswith(".json"):
        text = json_as_yaml(text)
    data, positions = load_with_positions(text, path)
    return validate_spec(data, positions, path), positions


_SURROGATE_PAIR = re.compile(r"(?<!\\)((?:\\\\)*)\\u([dD][89abAB][0-9a-fA-F]{2})\\u([dD][c-fC-F][0-9a-fA-F]{2})")
# Characters JSON allows raw in a string that YAML refuses (DEL, C1) or reads as a line break (NEL, LS, PS).
_YAML_UNPRINTABLE = re.compile("[\x7f-\x9f\u2028\u2029\ufffe\uffff]")


def json_as_yaml(text: str) -> str:
    """JSON that YAML's reader also takes: surrogate-pair escapes (how json.dumps writes emoji) joined
    into the character, and characters JSON allows raw but YAML refuses (DEL, C1 controls) escaped."""
    def join(match: re.Match) -> str:
        high, low = int(match.group(2), 16), int(match.group(3), 16)
        return match.group(1) + chr(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))

    text = _SURROGATE_PAIR.sub(join, text)
    return _YAML_UNPRINTABLE.sub(lambda m: "\\u%04x" % ord(m.group(0)), text)


def parse_spec_file(path: Path, display_path: str) -> tuple[ProjectSpec, Positions]:
    """Read any spec form by extension: .cmf, .yaml/.yml, .json."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise CmfError([_file_error(display_path, f"cannot read the spec: {error.strerror}")]) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise CmfError([_file_error(display_path, "the spec is not UTF-8 text", line)]) from None
    if path.suffix == ".cmf":
        return parse_cmf_file(text, display_path)
    return parse_blueprint_file(text, display_path)


def _file_error(path: str, message: str, line: int = 0):
    from cmfc.diagnostics import Diagnostic

    return Diagnostic(Span(path, line, 1 if line else 0), message)
