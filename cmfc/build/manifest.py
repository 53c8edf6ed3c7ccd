"""``manifest.json``: every materialised output, its digest, and the action and inputs that made it.

Deterministic by construction: sorted keys and entries, project-relative paths, no times, so the
same project built in two folders gives identical bytes.
"""

from __future__ import annotations

import json
from pathlib import Path

from cmfc.build.action import Action, FileInput
from cmfc.build.report import ActionResult

MANIFEST_FORMAT = 1


def make_manifest(actions: dict[str, Action], results: list[ActionResult], read=None) -> dict:
    """The manifest document for the outputs that ended in place (ran, cached or placeholder).

    ``read(sha256) -> bytes`` reads a stored output: an action's JSON ``record`` output (a generated
    take's server, prompt id, seed, models, timings) is shown on its other outputs as ``generated``.
    """
    entries = []
    incomplete = []
    for result in results:
        action = actions[result.id]
        if result.status not in ("ran", "cached", "placeholder"):
            incomplete.append(result.id)
            continue
        inputs = {}
        for name, src in sorted(action.inputs.items()):
            digest = result.inputs.get(name)
            if isinstance(src, FileInput):
                inputs[name] = {"path": src.path, "sha256": digest}
            else:
                inputs[name] = {"action": src.action, "output": src.output, "sha256": digest}
        record = _record(result, read)
        for out in action.outputs:
            if out.path is None:
                continue
            stored = result.outputs[out.name]
            extra = {"generated": record} if record is not None else {}
            entries.append({**extra,
                "path": out.path,
                "sha256": stored["sha256"],
                "size": stored["size"],
                "action": action.id,
                "kind": action.kind,
                "key": result.key,
                "executor": action.executor,
                "scene": action.scene,
                "output": out.name,
                "inputs": inputs,
                "origin": out.origin or ("provided" if out.provided else "generated"),
                "placeholder": result.status == "placeholder",
            })
    entries.sort(key=lambda e: e["path"])
    return {"format": MANIFEST_FORMAT, "outputs": entries, "incomplete": sorted(incomplete)}


def _record(result: ActionResult, read) -> dict | None:
    entry = result.outputs.get("record")
    if read is None or entry is None:
        return None
    try:
        value = json.loads(read(entry["sha256"]))
    except (OSError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def manifest_bytes(manifest: dict) -> bytes:
    """Canonical, human-readable bytes of a manifest (sorted keys, 2-space indent, final newline)."""
    return (json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()


def read_manifest(path: Path) -> dict | None:
    """A manifest read back, or None when there is none (or it is unreadable)."""
    try:
        doc = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None
    return doc if isinstance(doc, dict) and isinstance(doc.get("outputs"), list) else None
