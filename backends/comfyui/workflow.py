"""ComfyUI workflows as data: load (API or UI form), inject values by node title, bypass a node.

A stage template is an API-format graph ``{node_id: {class_type, inputs, _meta: {title}}}``.
The compiler never addresses a node by id: each value goes to the node whose title is an
injection point (``cmfc.prompt``, ``cmfc.seed``, ...; the title may go on with a space and a
note, ``cmfc.seed (high noise)``), into the input :data:`INJECTION_POINTS` names. So a user
can export their own workflow, title the same nodes, and use it in place of ours.
Numbers and texts that feed several nodes (seed, width, prompt...) live in one Primitive node
(``PrimitiveInt`` / ``PrimitiveFloat`` / ``PrimitiveStringMultiline``, or KJNodes'
``INTConstant``) linked to every input that needs them; their input is ``value``.
"""

from __future__ import annotations

import copy
import json
import math
import os
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Mapping

from cmfc.diagnostics import CmfError, Diagnostic, Span, suggest

from .object_info import input_specs, output_types


@dataclass(frozen=True)
class InjectionPoint:
    """Where a point's value goes on its titled node, and the Python type the value must have."""

    input_name: str
    value_type: type


# The one table of injection points: title -> (input on the titled node, value type).
INJECTION_POINTS: dict[str, InjectionPoint] = {
    "cmfc.prompt": InjectionPoint("value", str),
    "cmfc.negative": InjectionPoint("value", str),
    "cmfc.seed": InjectionPoint("value", int),
    "cmfc.width": InjectionPoint("value", int),
    "cmfc.height": InjectionPoint("value", int),
    "cmfc.length": InjectionPoint("value", int),
    "cmfc.fps": InjectionPoint("value", float),
    "cmfc.lora": InjectionPoint("lora_name", str),
    "cmfc.lora_strength": InjectionPoint("value", float),
    "cmfc.hero_image": InjectionPoint("image", str),
    "cmfc.reference_image": InjectionPoint("image", str),
    "cmfc.driving_video": InjectionPoint("video", str),
    "cmfc.output": InjectionPoint("filename_prefix", str),
}

# The four stage templates shipped under templates/comfyui/, one per manual stage.
STAGE_TEMPLATES = {
    "hero": "hero_zimage.json",
    "relight": "relight_qwen.json",
    "motion_wan22": "motion_wan22.json",
    "motion_onetoall": "motion_onetoall.json",
}

POINT_PREFIX = "cmfc."


def load_template(template_name: str) -> dict:
    """Load one of our stage templates (``hero_zimage.json``...) from the installed package data."""
    entry = resources.files("cmfc.templates").joinpath("comfyui", template_name)
    if not entry.is_file():
        hint = suggest(template_name, STAGE_TEMPLATES.values())
        raise CmfError([Diagnostic(Span(template_name), f"no ComfyUI template named {template_name!r}", hint=hint)])
    return load_workflow(entry.read_text(encoding="utf-8"), template_name)


def load_workflow(path_or_text: str | os.PathLike, source_name: str, object_info: dict | None = None) -> dict:
    """Parse a workflow in API form, or in UI form (converted with ``object_info``), into API form.

    A ``str`` that starts with ``{`` is JSON text; anything else is a path to read.
    """
    if isinstance(path_or_text, str) and path_or_text.lstrip().startswith("{"):
        text = path_or_text
    else:
        try:
            text = Path(path_or_text).read_text(encoding="utf-8")
        except OSError as err:
            raise CmfError([Diagnostic(Span(source_name), f"cannot read workflow: {err.strerror}")]) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise CmfError([Diagnostic(Span(source_name, err.lineno, err.colno), f"workflow is not valid JSON: {err.msg}")]) from None
    if isinstance(data, dict) and isinstance(data.get("nodes"), list) and "links" in data:
        if object_info is None:
            raise CmfError([Diagnostic(Span(source_name), "this is a UI-format workflow; converting it needs the "
                                       "server's node definitions (object_info)",
                                       hint="export it with 'Export (API)' instead, or pass object_info")])
        from .ui_to_api import ui_to_api

        return ui_to_api(data, object_info, source_name)
    _check_api_shape(data, source_name)
    return {str(node_id): node for node_id, node in data.items()}


def _check_api_shape(data: object, source_name: str) -> None:
    if not isinstance(data, dict) or not data:
        raise CmfError([Diagnostic(Span(source_name), "not a ComfyUI workflow: expected {node_id: {class_type, inputs}}")])
    bad = [str(k) for k, v in data.items()
           if not isinstance(v, dict) or not isinstance(v.get("class_type"), str) or not isinstance(v.get("inputs", {}), dict)]
    if bad:
        raise CmfError([Diagnostic(Span(source_name), f"not an API-format workflow: node(s) {', '.join(sorted(bad))} "
                                   "lack class_type/inputs")])


def node_title(node: dict) -> str:
    """The node's title as ComfyUI stores it in ``_meta.title`` ('' when there is none)."""
    meta = node.get("_meta")
    title = meta.get("title") if isinstance(meta, dict) else None
    return title if isinstance(title, str) else ""


def _title_point(title: str) -> str:
    words = title.split()
    return words[0] if words and words[0].startswith(POINT_PREFIX) else ""


def find_titled(workflow: Mapping[str, dict], title: str) -> list[str]:
    """Ids of the nodes carrying injection point ``title`` (sorted, so errors read the same each run)."""
    return sorted((nid for nid, node in workflow.items() if _title_point(node_title(node)) == title), key=_id_key)


def injection_points(workflow: Mapping[str, dict]) -> list[str]:
    """The ``cmfc.*`` points a workflow offers, sorted."""
    return sorted({p for node in workflow.values() if (p := _title_point(node_title(node)))})


def inject(workflow: dict, values: Mapping[str, object], template_name: str) -> dict:
    """A copy of ``workflow`` with each value set on the node titled with its point; all errors at once."""
    result = copy.deepcopy(workflow)
    problems = []
    for point in sorted(values):
        value = values[point]
        spec = INJECTION_POINTS.get(point)
        if spec is None:
            problems.append(Diagnostic(Span(template_name), f"unknown injection point {point!r}",
                                       hint=suggest(point, INJECTION_POINTS)))
            continue
        ids = find_titled(result, point)
        if not ids:
            problems.append(Diagnostic(Span(template_name), f"template {template_name} has no node titled {point!r}"))
            continue
        if len(ids) > 1:
            problems.append(Diagnostic(Span(template_name), f"template {template_name} has {len(ids)} nodes titled "
                                       f"{point!r} (ids {', '.join(ids)}); an injection point must be unique"))
            continue
        node = result[ids[0]]
        where = f"template {template_name}: node {ids[0]} ({node['class_type']}) titled {point!r}"
        inputs = node.setdefault("inputs", {})
        if spec.input_name not in inputs:
            problems.append(Diagnostic(Span(template_name), f"{where} has no input {spec.input_name!r}"))
            continue
        if isinstance(inputs[spec.input_name], list):
            problems.append(Diagnostic(Span(template_name), f"{where}: input {spec.input_name!r} is linked to "
                                       "another node; an injection point must hold a value"))
            continue
        checked, problem = _coerce(value, spec.value_type)
        if problem:
            problems.append(Diagnostic(Span(template_name), f"{where}: {problem}"))
            continue
        inputs[spec.input_name] = checked
    if problems:
        raise CmfError(problems)
    return result


def _coerce(value: object, wanted: type) -> tuple[object, str | None]:
    if wanted is str:
        return (value, None) if isinstance(value, str) else (value, f"expected text, got {type(value).__name__}")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return value, f"expected a number, got {type(value).__name__}"
    if wanted is int:
        return (value, None) if isinstance(value, int) else (value, f"expected a whole number, got {value!r}")
    if not math.isfinite(value):
        return value, f"expected a finite number, got {value!r}"
    # One JSON spelling per number: 16 and 16.0 must not give two different payloads.
    return float(value), None


def bypass(workflow: dict, title: str, object_info: dict | None = None) -> dict:
    """A copy of ``workflow`` without the pass-through node titled ``title``, its consumers re-wired.

    Each consumer linked to output slot k is re-linked to what feeds the bypassed node's input
    of the same type (with ``object_info``; ComfyUI's frontend does the same for a bypassed node),
    or to its only linked input (without). Nodes that fed only the bypassed node are dropped too.
    """
    ids = find_titled(workflow, title)
    if len(ids) != 1:
        found = "no node" if not ids else f"{len(ids)} nodes"
        raise CmfError([Diagnostic(Span(title), f"cannot bypass {title!r}: the workflow has {found} with that title")])
    gone = ids[0]
    result = copy.deepcopy(workflow)
    removed = result.pop(gone)
    problems = []
    for consumer_id, consumer in sorted(result.items(), key=lambda item: _id_key(item[0])):
        for name, value in consumer.get("inputs", {}).items():
            if isinstance(value, list) and len(value) == 2 and str(value[0]) == gone:
                feed = _pass_through(removed, value[1], object_info)
                if feed is None:
                    problems.append(Diagnostic(Span(title), f"cannot bypass {title!r} ({removed['class_type']}): "
                                               f"nothing of the right type feeds it for node {consumer_id}'s input {name!r}"))
                else:
                    consumer["inputs"][name] = list(feed)
    if problems:
        raise CmfError(problems)
    _prune_orphans(result, [v[0] for v in removed.get("inputs", {}).values() if isinstance(v, list) and len(v) == 2],
                   object_info)
    return result


def _pass_through(node: dict, slot: int, object_info: dict | None) -> list | None:
    links = {name: value for name, value in node.get("inputs", {}).items() if isinstance(value, list) and len(value) == 2}
    class_info = (object_info or {}).get(node["class_type"])
    if class_info is None:
        return next(iter(links.values())) if len(links) == 1 else None
    produced = output_types(class_info)
    if not isinstance(slot, int) or not 0 <= slot < len(produced):
        return None
    declared = [spec for spec in input_specs(class_info) if spec.name in links]
    # The frontend tries the input at the same index first, then every input in order.
    ordered = ([declared[slot]] if slot < len(declared) else []) + declared
    for spec in ordered:
        if spec.type == produced[slot]:
            return links[spec.name]
    return None


def _prune_orphans(workflow: dict, candidates: list, object_info: dict | None) -> None:
    pending = [str(c) for c in candidates]
    while pending:
        node_id = pending.pop()
        node = workflow.get(node_id)
        if node is None or (object_info or {}).get(node["class_type"], {}).get("output_node"):
            continue
        consumed = any(isinstance(v, list) and len(v) == 2 and str(v[0]) == node_id
                       for other in workflow.values() for v in other.get("inputs", {}).values())
        if not consumed:
            del workflow[node_id]
            pending.extend(str(v[0]) for v in node.get("inputs", {}).values() if isinstance(v, list) and len(v) == 2)


def canonical_json(payload: object) -> bytes:
    """The one byte form of a payload: sorted keys, 2-space indent, UTF-8 as-is, newline at the end."""
    text = json.dumps(payload, sort_keys=True, indent=2, ensure_ascii=False, allow_nan=False)
    return (text + "\n").encode("utf-8")


def _id_key(node_id: str) -> tuple:
    return (0, int(node_id), node_id) if node_id.isdigit() else (1, 0, node_id)
