"""ComfyUI target: stage templates, injection by node title, UI-to-API conversion, offline validation.

The IR-facing ``emit`` lives elsewhere; these are the pieces it calls.
"""

from .object_info import load_object_info
from .ui_to_api import ui_to_api
from .validate import FileInput, file_inputs, validate
from .workflow import (
    INJECTION_POINTS,
    STAGE_TEMPLATES,
    InjectionPoint,
    bypass,
    canonical_json,
    find_titled,
    inject,
    injection_points,
    load_template,
    load_workflow,
)

__all__ = [
    "INJECTION_POINTS", "STAGE_TEMPLATES", "FileInput", "InjectionPoint", "bypass", "canonical_json",
    "file_inputs", "find_titled", "inject", "injection_points", "load_object_info", "load_template",
    "load_workflow", "ui_to_api", "validate",
]
