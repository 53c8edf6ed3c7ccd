"""The build graph for pictures (Graphviz DOT) and for tools (JSON); both deterministic."""

from __future__ import annotations

import json

from cmfc.build.action import Action, FileInput, topological_order


def graph_json(actions: list[Action]) -> str:
    """Actions in topological order with their kind, executor, scene, params, inputs and outputs."""
    nodes = []
    for action in topological_order(actions):
        inputs = {}
        for name, src in sorted(action.inputs.items()):
            inputs[name] = {"file": src.path} if isinstance(src, FileInput) else {"action": src.action, "output": src.output}
        nodes.append({
            "id": action.id,
            "kind": action.kind,
            "executor": action.executor,
            "scene": action.scene,
            "params": action.params,
            "inputs": inputs,
            "outputs": [{"name": o.name, "path": o.path, "provided": o.provided} for o in action.outputs],
        })
    return json.dumps({"format": 1, "actions": nodes}, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def graph_dot(actions: list[Action]) -> str:
    """A DOT digraph: boxes for actions, notes for source files and materialised outputs."""
    lines = ["digraph cmfc {", "  rankdir=LR;", '  node [fontname="Helvetica", fontsize=10];']
    files: set[str] = set()
    for action in topological_order(actions):
        label = f"{action.id}\\n{action.kind} @ {action.executor}"
        lines.append(f"  {_q(action.id)} [shape=box, label={_q(label, escaped=True)}];")
        for name, src in sorted(action.inputs.items()):
            if isinstance(src, FileInput):
                files.add(src.path)
                lines.append(f"  {_q('file:' + src.path)} -> {_q(action.id)} [label={_q(name)}];")
            else:
                lines.append(f"  {_q(src.action)} -> {_q(action.id)} [label={_q(src.output + ' -> ' + name)}];")
        for out in action.outputs:
            if out.path:
                files.add(out.path)
                lines.append(f"  {_q(action.id)} -> {_q('file:' + out.path)} [label={_q(out.name)}];")
    for path in sorted(files):
        lines.append(f"  {_q('file:' + path)} [shape=note, label={_q(path)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _q(text: str, escaped: bool = False) -> str:
    """A DOT double-quoted string (``escaped``: keep the ``\\n`` line breaks already in ``text``)."""
    body = text.replace('"', '\\"') if escaped else text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{body}"'
