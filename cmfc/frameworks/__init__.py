"""Frameworks: scene templates, sonic arcs, lighting presets and effects, as data (``specs/frameworks``)."""

from cmfc.frameworks.load import Frameworks, builtin_dir, load_frameworks
from cmfc.frameworks.models import (
    Effect,
    FxUse,
    LightingPreset,
    ParamProblem,
    ParamSpec,
    SceneTemplate,
    SonicArc,
)

__all__ = [
    "Effect",
    "Frameworks",
    "FxUse",
    "LightingPreset",
    "ParamProblem",
    "ParamSpec",
    "SceneTemplate",
    "SonicArc",
    "builtin_dir",
    "load_frameworks",
]
