"""Compile targets: one module per target, registered in one table (:data:`BACKENDS`).

A target module has

* ``STAGE``: the ``03_OUTPUT/<PROJECT>/`` folder its files land in (``05_assembly``);
* ``units(project, frameworks) -> list[Unit]``: the IR view each of its compile actions reads and the
  files it writes (one unit per scene, or one for the project);
* ``emit(project, ctx) -> dict[str, bytes]``: a path relative to the compile folder (``natron/…``) to bytes,
  deterministically: the same IR gives the same bytes on every machine.

The planner loops over the table; adding a target is one module and one line here
(tests/backends/test_registry.py registers a toy one).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from cmfc.ir.models import Project, Word


@dataclass(frozen=True)
class EmitContext:
    """What a backend may read besides the IR: the voice words, the frameworks, the project root."""

    words: tuple[Word, ...]
    frameworks: object
    root: Path
    media_facts: dict = field(default_factory=dict)  # project-relative path -> facts (e.g. {"frames": 96}) of provided media


Emitter = Callable[[Project, EmitContext], dict[str, bytes]]
# Files besides the IR a unit may read; the planner turns each into action inputs.
READS = ("words", "font", "music", "sfx", "comfyui_overrides", "natron_master")


@dataclass(frozen=True)
class Unit:
    """One compile action of a target: the IR view it reads, the files it writes, what else it reads."""

    id: str  # the action id's tail: "natron:SC_01", "timeline"
    view: Project
    files: tuple[str, ...]
    scene: str | None = None
    reads: tuple[str, ...] = ()  # among READS

    def __post_init__(self):
        unknown = set(self.reads) - set(READS)
        assert not unknown, f"unit {self.id} reads {sorted(unknown)}: not among {READS}"

# target name -> module under cmfc.backends providing emit(); add a target here and nowhere else.
BACKENDS: dict[str, str] = {
    "comfyui": "cmfc.backends.comfyui.emit",
    "natron": "cmfc.backends.natron",
    "captions": "cmfc.backends.captions",
    "resolve": "cmfc.backends.resolve",
    "timeline": "cmfc.backends.timeline",
}


def target_module(target: str):
    """The module of a target (imported on first use)."""
    return importlib.import_module(BACKENDS[target])


def emitter(target: str) -> Emitter:
    """The emit function of a target (imported on first use)."""
    return target_module(target).emit


def available_targets() -> list[str]:
    """Targets whose module exists in this installation."""
    found = []
    for target, module in BACKENDS.items():
        try:
            loaded = importlib.import_module(module)
        except ModuleNotFoundError as error:
            if error.name and module.startswith(error.name):
                continue
            raise
        if hasattr(loaded, "emit"):
            found.append(target)
    return found
