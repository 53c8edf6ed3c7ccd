"""Convert a UI-format (litegraph) workflow into the API format the server runs.

Follows the frontend's ``graphToPrompt``:

* ``widgets_values`` is a list in widget order; a node's widgets are its widget-typed inputs
  in the server's ``input_order`` (required, then optional), each seed-like INT or COMBO with
  ``control_after_generate`` followed by that hidden control widget, and each upload COMBO by
  its upload button. Neither extra widget is sent. (VideoHelperSuite saves a dict by name.)
* a linked input becomes ``[origin_id, origin_slot]``; a link wins over a widget value;
* Note/MarkdownNote nodes are dropped; a Reroute is followed to what feeds it; a PrimitiveNode's
  value is written into every input it drives;
* a muted node (mode 2) is left out, and inputs linked to it are dropped; a bypassed node
  (mode 4) is left out and its consumers are linked to what feeds its input of the same type
  (the input at the same index first, then any).
"""

from __future__ import annotations

from cmfc.diagnostics import CmfError, Diagnostic, Span, suggest

from .object_info import display_title, input_specs

MODE_MUTED = 2
MODE_BYPASSED = 4
_NOTE_TYPES = frozenset({"Note", "MarkdownNote"})
_VIRTUAL_TYPES = _NOTE_TYPES | {"Reroute", "PrimitiveNode"}


def ui_to_api(ui_workflow: dict, object_info: dict, source_name: str = "<workflow>") -> dict:
    """The API-format prompt ComfyUI's frontend would queue for this UI-format workflow."""
    nodes = {node["id"]: node for node in ui_workflow.get("nodes", []) if isinstance(node, dict) and "id" in node}
    links = _links_by_id(ui_workflow.get("links") or [])
    _reject_unknown(nodes, object_info, ui_workflow, source_name)

    prompt: dict[str, dict] = {}
    for node_id, node in nodes.items():
        class_type = node.get("type")
        if class_type in _VIRTUAL_TYPES or node.get("mode", 0) in (MODE_MUTED, MODE_BYPASSED):
            continue
        class_info = object_info[class_type]
        inputs = _widget_inputs(node, class_info)
        for socket in node.get("inputs") or []:
            link_id = socket.get("link")
            if link_id is None or link_id not in links:
                continue
            resolved = _resolve(links[link_id], socket.get("type"), nodes, links)
            name = socket.get("name")
            if resolved is None:
                inputs.pop(name, None)
            elif resolved[0] == "value":
                inputs[name] = resolved[1]
            else:
                inputs[name] = [str(resolved[1]), int(resolved[2])]
        title = node.get("title") or display_title(class_type, class_info)
        prompt[str(node_id)] = {"class_type": class_type, "inputs": inputs, "_meta": {"title": title}}

    # As the frontend does: drop links to nodes that are not in the prompt (muted, unresolved).
    for node in prompt.values():
        for name, value in list(node["inputs"].items()):
            if isinstance(value, list) and len(value) == 2 and value[0] not in prompt:
                del node["inputs"][name]
    return prompt


def _links_by_id(raw_links: list) -> dict:
    """``{link_id: (origin_id, origin_slot, target_id, target_slot, type)}`` from list or object links."""
    table = {}
    for link in raw_links:
        if isinstance(link, list) and len(link) >= 6:
            table[link[0]] = tuple(link[1:6])
        elif isinstance(link, dict) and "id" in link:
            table[link["id"]] = (link.get("origin_id"), link.get("origin_slot"), link.get("target_id"),
                                 link.get("target_slot"), link.get("type"))
    return table


def _reject_unknown(nodes: dict, object_info: dict, ui_workflow: dict, source_name: str) -> None:
    problems = []
    if (ui_workflow.get("definitions") or {}).get("subgraphs"):
        problems.append(Diagnostic(Span(source_name), "this workflow uses subgraphs, which cmfc cannot convert",
                                   hint="unpack the subgraphs in ComfyUI, or export it with 'Export (API)'"))
    for node_id, node in sorted(nodes.items(), key=lambda item: str(item[0])):
        class_type = node.get("type")
        if class_type not in _VIRTUAL_TYPES and class_type not in object_info:
            problems.append(Diagnostic(Span(source_name), f"node {node_id}: node class {class_type!r} is not on the "
                                       "server the node definitions were recorded from",
                                       hint=suggest(str(class_type), object_info)))
    if problems:
        raise CmfError(problems)


def _widget_inputs(node: dict, class_info: dict) -> dict:
    values = node.get("widgets_values")
    specs = [spec for spec in input_specs(class_info) if spec.is_widget]
    if isinstance(values, dict):
        return {spec.name: values[spec.name] for spec in specs if spec.name in values}
    values = list(values or [])
    inputs = {}
    position = 0
    for spec in specs:
        if position >= len(values):
            break
        inputs[spec.name] = values[position]
        position += 1 + int(spec.has_control_widget) + int(spec.has_upload_widget)
    return inputs


def _resolve(link: tuple, wanted_type, nodes: dict, links: dict):
    """Follow a link through Reroutes, Primitives and bypassed nodes to a real output.

    Returns ``("link", node_id, slot)``, ``("value", value)`` for a PrimitiveNode, or None when
    nothing real feeds the input.
    """
    seen = set()
    while True:
        origin_id, origin_slot = link[0], link[1]
        if (origin_id, origin_slot) in seen:
            return None
        seen.add((origin_id, origin_slot))
        origin = nodes.get(origin_id)
        if origin is None:
            return None
        kind = origin.get("type")
        if kind == "PrimitiveNode":
            values = origin.get("widgets_values") or []
            return ("value", values[0]) if values else None
        if kind == "Reroute":
            upstream = _input_link(origin, 0, links)
        elif origin.get("mode", 0) == MODE_BYPASSED:
            upstream = _bypassed_feed(origin, origin_slot, wanted_type, links)
        else:
            return ("link", origin_id, origin_slot)
        if upstream is None:
            return None
        link = upstream


def _input_link(node: dict, index: int, links: dict):
    sockets = node.get("inputs") or []
    if index >= len(sockets):
        return None
    return links.get(sockets[index].get("link"))


def _bypassed_feed(node: dict, slot: int, wanted_type, links: dict):
    sockets = node.get("inputs") or []
    order = ([slot] if isinstance(slot, int) and slot < len(sockets) else []) + list(range(len(sockets)))
    for index in order:
        if sockets[index].get("type") == wanted_type:
            # The frontend stops at the first input of the right type, linked or not.
            return _input_link(node, index, links)
    return None
