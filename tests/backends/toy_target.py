"""A toy compile target for tests/backends/test_registry.py: one text file listing the scenes' cuts."""

from __future__ import annotations

from cmfc.backends import Unit
from cmfc.ir.models import Project
from cmfc.ir.views import skeleton_view

STAGE = "05_assembly"


def units(project: Project, frameworks) -> list[Unit]:
    return [Unit("toy", skeleton_view(project), ("toy/cuts.txt",))]


def emit(project: Project, ctx) -> dict[str, bytes]:
    lines = [f"{scene.id} {scene.slot.start} {scene.slot.end}" for scene in project.scenes]
    return {"toy/cuts.txt": ("\n".join(lines) + "\n").encode("utf-8")}
