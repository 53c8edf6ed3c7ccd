"""Compile targets: one module per target, registered in one table.

A backend turns the resolved IR into files, deterministically: the same IR gives the
same bytes on every machine. Each registers ``emit(project, ctx) -> dict[str, bytes]``
mapping a path relative to the compile folder (``comfyui/…``, ``natron/…``) to bytes.
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

# target name -> module under cmfc.backends providing emit(); add a target here and nowhere else.
BACKENDS: dict[str, str] = {
    "comfyui": "cmfc.backends.comfyui.emit",
    "natron": "cmfc.backends.natron",
    "timeline": "cmfc.backends.timeline",
    "resolve": "cmfc.backends.resolve",
    "captions": "cmfc.backends.captions",
}


def emitter(target: str) -> Emitter:
    """The emit function of a target (imported on first use)."""
    return importlib.import_module(BACKENDS[target]).emit


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
