"""The checks ComfyUI's ``validate_prompt`` makes on an API-format payload, run offline.

Mirrors ``execution.py`` (``validate_prompt`` / ``validate_inputs``) and
``comfy_execution/validation.py`` (``validate_node_input``) of the ComfyUI version that
recorded our ``object_info``:

* every node has a ``class_type`` the server knows, and at least one node is an output node;
* starting from each output node and following links upstream (nodes nothing reaches are
  never validated, as on the server), each *required* input is present, and each present
  required or optional input is checked: a link must be ``[node_id, slot]`` to an existing
  node whose output type at that slot overlaps the input type (comma-separated unions, equal
  COMBO lists, and ``*`` match); a value must convert to INT/FLOAT, respect ``min``/``max``
  (``step`` is not checked — ComfyUI does not) and, for a COMBO, be one of the choices;
* unknown input names are ignored, as the server ignores them.

File-name COMBOs (models, uploaded images and videos) depend on the user's server, so they
are skipped here and reported by :func:`file_inputs` for ``cmfc doctor`` to check.
The one deliberate difference: V3 ``["COMBO", {options}]`` choices are checked too (the server
leaves them to the frontend), because a value outside them fails when the node runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cmfc.diagnostics import suggest

from .object_info import InputSpec, input_specs, output_types

_MATCH_TYPE = "COMFY_MATCHTYPE_V3"


@dataclass(frozen=True, order=True)
class FileInput:
    """A file-name value the payload needs on the server: a model, or an uploaded input file."""

    node_id: str
    class_type: str
    input_name: str
    value: str
    kind: str  # "model" | "input"


def validate(payload: dict, object_info: dict) -> list[str]:
    """Every problem ComfyUI's prompt validation would report (file names aside), sorted; [] when valid."""
    problems: list[str] = []
    if not isinstance(payload, dict) or not payload:
        return ["payload is empty: a ComfyUI prompt is {node_id: {class_type, inputs}}"]
    outputs = []
    for node_id in sorted(payload, key=_node_order):
        node = payload[node_id]
        if not isinstance(node, dict) or "class_type" not in node:
            problems.append(f"node {node_id}: missing class_type [invalid_prompt]")
            continue
        class_type = node["class_type"]
        if class_type not in object_info:
            hint = suggest(str(class_type), object_info)
            problems.append(
                f"node {node_id}: unknown node class {class_type!r} (not on the recorded server)"
                + (f"; {hint}" if hint else "") + " [invalid_prompt]"
            )
            continue
        if object_info[class_type].get("output_node") is True:
            outputs.append(node_id)
    if problems:
        return problems
    if not outputs:
        return ["payload has no output node (SaveImage, SaveVideo, VHS_VideoCombine, ...) [prompt_no_outputs]"]

    validated: set[str] = set()
    pending = list(outputs)
    while pending:
        node_id = pending.pop()
        if node_id in validated:
            continue
        validated.add(node_id)
        problems.extend(_check_node(payload, node_id, object_info, pending))
    return sorted(set(problems), key=_problem_order)


def file_inputs(payload: dict, object_info: dict) -> list[FileInput]:
    """The file-name values :func:`validate` skips (models and uploads), for ``cmfc doctor`` to check."""
    found = []
    for node_id, node in payload.items():
        class_info = object_info.get(node.get("class_type"), {})
        inputs = node.get("inputs", {})
        for spec in input_specs(class_info):
            value = inputs.get(spec.name)
            if spec.is_file_choice and isinstance(value, str):
                kind = "input" if spec.has_upload_widget or spec.name in ("image", "video", "file", "audio") else "model"
                found.append(FileInput(str(node_id), node["class_type"], spec.name, value, kind))
    return sorted(found)


def _check_node(payload: dict, node_id: str, object_info: dict, pending: list[str]) -> list[str]:
    node = payload[node_id]
    class_type = node["class_type"]
    where = f"node {node_id} ({class_type})"
    inputs = node.get("inputs")
    if not isinstance(inputs, dict):
        return [f"{where}: 'inputs' must be an object [invalid_prompt]"]
    problems = []
    for spec in input_specs(object_info[class_type]):
        if spec.name not in inputs:
            if spec.category == "required":
                problems.append(f"{where}: required input {spec.name!r} is missing [required_input_missing]")
            continue
        value = inputs[spec.name]
        if isinstance(value, list):
            problems.extend(_check_link(payload, where, spec, value, object_info, pending))
        else:
            problems.extend(_check_value(where, spec, value))
    return problems


def _check_link(payload, where, spec: InputSpec, link: list, object_info, pending) -> list[str]:
    if len(link) != 2:
        return [f"{where}: input {spec.name!r} is a bad link {link!r}, expected [node_id, slot] [bad_linked_input]"]
    source_id, slot = link
    source_key = str(source_id)
    if not isinstance(source_id, str):
        # The server looks the id up as given; JSON object keys are always strings.
        return [f"{where}: input {spec.name!r} links to node {source_id!r}, a number; node ids are strings "
                "[exception_during_inner_validation]"]
    if source_key not in payload:
        return [f"{where}: input {spec.name!r} links to node {source_key!r}, which does not exist "
                "[exception_during_inner_validation]"]
    source_class = payload[source_key].get("class_type")
    produced = output_types(object_info.get(source_class, {}))
    if isinstance(slot, bool) or not isinstance(slot, int) or not 0 <= slot < len(produced):
        return [f"{where}: input {spec.name!r} links to output {slot!r} of node {source_key} ({source_class}), "
                f"which has {len(produced)} output(s) [exception_during_inner_validation]"]
    received = produced[slot]
    if not _types_match(received, spec.type):
        return [f"{where}: input {spec.name!r} expects {_type_name(spec.type)} but node {source_key} "
                f"({source_class}) output {slot} is {_type_name(received)} [return_type_mismatch]"]
    pending.append(source_key)
    return []


def _check_value(where: str, spec: InputSpec, value: Any) -> list[str]:
    if isinstance(value, dict) and "__value__" in value:
        value = value["__value__"]  # the server's escape for a list-valued widget
    converted, problem = _convert(spec.type, value)
    if problem:
        return [f"{where}: input {spec.name!r} {problem} [invalid_input_type]"]
    value = converted
    options = spec.options
    if "min" in options and _comparable(value) and value < options["min"]:
        return [f"{where}: input {spec.name!r} value {value!r} is smaller than min of {options['min']} "
                "[value_smaller_than_min]"]
    if "max" in options and _comparable(value) and value > options["max"]:
        return [f"{where}: input {spec.name!r} value {value!r} is bigger than max of {options['max']} "
                "[value_bigger_than_max]"]
    choices = spec.choices
    if choices is not None and not spec.is_file_choice and value not in choices:
        hint = suggest(str(value), [str(c) for c in choices])
        listed = f"(list of length {len(choices)})" if len(choices) > 20 else repr(choices)
        return [f"{where}: input {spec.name!r} value {value!r} not in {listed}"
                + (f"; {hint}" if hint else "") + " [value_not_in_list]"]
    return []


def _convert(input_type: Any, value: Any) -> tuple[Any, str | None]:
    """ComfyUI's coercion: int()/float() may fail; str() and bool() always succeed."""
    try:
        if input_type == "INT":
            return int(value), None
        if input_type == "FLOAT":
            return float(value), None
    except (TypeError, ValueError, OverflowError):
        return value, f"value {value!r} cannot be converted to {input_type}"
    if input_type == "STRING":
        return str(value), None
    if input_type == "BOOLEAN":
        return bool(value), None
    return value, None


def _comparable(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _types_match(received: Any, expected: Any) -> bool:
    """``validate_node_input`` (non-strict) plus the ``*`` any-type custom nodes declare."""
    if received == expected:
        return True
    if _MATCH_TYPE in (received, expected) or "*" in (received, expected):
        return True
    if not isinstance(received, str) or not isinstance(expected, str):
        return False
    received_set = {t.strip() for t in received.split(",")}
    expected_set = {t.strip() for t in expected.split(",")}
    return bool(received_set & expected_set)


def _type_name(declared: Any) -> str:
    return "a COMBO" if isinstance(declared, list) else str(declared)


def _node_order(node_id: str) -> tuple:
    text = str(node_id)
    return (0, int(text), text) if text.isdigit() else (1, 0, text)


def _problem_order(problem: str) -> tuple:
    head = problem.split(" ", 2)
    return (_node_order(head[1].rstrip(":")) if len(head) > 1 else (2, 0, ""), problem)
