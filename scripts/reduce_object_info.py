"""Cut a recorded ComfyUI ``/object_info`` down to the node classes our workflows use.

The full recording (1030 classes, 2.2 MB) lives outside the repo; tests and the validator need
only the classes that appear in ``templates/comfyui/*.json`` and in the reference workflows
under ``tests/fixtures/comfyui/`` (API and UI form). Entries are copied verbatim.

    python scripts/reduce_object_info.py ../shared/comfyui/object_info_recorded.json \
        tests/fixtures/comfyui/object_info.json
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
WORKFLOW_GLOBS = (
    (REPO / "templates" / "comfyui", "*.json"),
    (REPO / "tests" / "fixtures" / "comfyui", "*_api.json"),
    (REPO / "tests" / "fixtures" / "comfyui", "*_ui.json"),
)
# On top of those in the workflows: every class of ../shared/comfyui/object_info_subset.json
# (One-to-All "extend" blocks, ConditioningZeroOut), so this file is a superset of that one,
# and PreviewImage, which the tests use as a second output node.
EXTRA_CLASSES = (
    "ConditioningZeroOut", "GetImageSizeAndCount", "ImageBatchExtendWithOverlap", "PreviewImage",
    "WanVideoAddOneToAllExtendEmbeds", "WanVideoEncode",
)


def used_classes() -> set[str]:
    """Every node class named by a template or a reference workflow (API ``class_type``, UI ``type``)."""
    classes = set(EXTRA_CLASSES)
    for folder, pattern in WORKFLOW_GLOBS:
        for path in sorted(folder.glob(pattern)):
            data = json.loads(path.read_text(encoding="utf-8"))
            if isinstance(data.get("nodes"), list):
                classes.update(node["type"] for node in data["nodes"])
            else:
                classes.update(node["class_type"] for node in data.values())
    return classes


def main(argv: list[str] | None = None) -> int:
    """Write the reduced file; exit 1 naming any used class the recording lacks (UI-only ones excepted)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("recorded", type=Path)
    parser.add_argument("output", type=Path)
    args = parser.parse_args(argv)
    recorded = json.loads(args.recorded.read_text(encoding="utf-8"))
    wanted = used_classes()
    frontend_only = {"Note", "MarkdownNote", "Reroute", "PrimitiveNode"}
    missing = sorted(wanted - set(recorded) - frontend_only)
    if missing:
        print(f"not in {args.recorded}: {', '.join(missing)}", file=sys.stderr)
        return 1
    reduced = {name: recorded[name] for name in sorted(wanted & set(recorded))}
    text = json.dumps(reduced, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
    args.output.write_text(text, encoding="utf-8")
    print(f"{len(reduced)} classes, {len(text.encode('utf-8'))} bytes -> {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
