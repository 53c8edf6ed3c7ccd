"""Recorded ComfyUI node definitions (``GET /object_info``) and the questions we ask of them.

An entry looks like ``{class: {input: {required, optional, hidden}, input_order, output,
output_name, output_node, display_name, ...}}``; an input spec is ``[TYPE, {options}]`` where
TYPE is a type name (``"INT"``, ``"MODEL"``), a V1 COMBO (the list of choices itself) or the
V3 form ``"COMBO"`` with the choices under ``options["options"]``.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cmfc.diagnostics import CmfError, Diagnostic, Span

# Types the frontend draws as a widget (a value typed in the node) rather than a socket.
WIDGET_TYPES = frozenset({"INT", "FLOAT", "STRING", "BOOLEAN", "COMBO"})

# Inputs whose choices are files on the server (models under models/, uploads under input/).
# They depend on the user's server, so validation skips them and `cmfc doctor` checks them.
_FILE_INPUT_NAMES = re.compile(
    r"^(ckpt_name|unet_name|clip_name\d*|vae_name|lora_name|lora|lora_\d+|model_name|model|"
    r"control_net_name|style_model_name|clip_vision|upscale_model|gligen_name|hypernetwork_name|"
    r"audio_encoder_name|.*_model|image|video|file|audio)$"
)
_FILE_SUFFIXES = (
    ".safetensors", ".ckpt", ".pt", ".pth", ".bin", ".gguf", ".onnx", ".sft", ".pkl",
    ".png", ".jpg", ".jpeg", ".webp", ".gif", ".mp4", ".mov", ".webm", ".mkv", ".wav", ".mp3", ".flac",
)
_UPLOAD_OPTIONS = ("image_upload", "video_upload", "audio_upload", "file_upload")


@dataclass(frozen=True)
class InputSpec:
    """One declared input of a node class: where it is declared and what it accepts."""

    name: str
    category: str  # "required" | "optional"
    type: Any  # a type name, "COMBO", or a V1 list of choices
    options: dict

    @property
    def choices(self) -> list | None:
        """The COMBO choices (V1 list or V3 ``options``), or None when this is not a COMBO."""
        if isinstance(self.type, list):
            return self.type
        if self.type == "COMBO":
            listed = self.options.get("options")
            return listed if isinstance(listed, list) else None
        return None

    @property
    def is_widget(self) -> bool:
        """True when the frontend shows this input as a widget holding a value (not a socket)."""
        if self.options.get("forceInput"):
            return False
        return isinstance(self.type, list) or self.type in WIDGET_TYPES

    @property
    def has_control_widget(self) -> bool:
        """True when the frontend adds the hidden ``control_after_generate`` widget after this one."""
        flag = self.options.get("control_after_generate")
        if flag is not None:
            return bool(flag)
        # Frontends before the explicit flag keyed the control widget on these names.
        return self.type == "INT" and self.name in ("seed", "noise_seed")

    @property
    def has_upload_widget(self) -> bool:
        """True when the frontend adds an upload button widget (serialised, never sent) after this one."""
        return any(self.options.get(key) for key in _UPLOAD_OPTIONS)

    @property
    def is_file_choice(self) -> bool:
        """True for a COMBO whose choices are file names on the user's server."""
        choices = self.choices
        if choices is None:
            return False
        if self.has_upload_widget or not choices:
            return True
        if any(isinstance(c, str) and c.lower().endswith(_FILE_SUFFIXES) for c in choices):
            return True
        return bool(_FILE_INPUT_NAMES.match(self.name))


def load_object_info(path: str | os.PathLike) -> dict:
    """Read a recorded ``/object_info`` JSON file; a clear error when it is missing or not one."""
    source = Path(path)
    try:
        data = json.loads(source.read_text(encoding="utf-8"))
    except OSError as err:
        raise CmfError([Diagnostic(Span(str(source)), f"cannot read node definitions: {err.strerror}")]) from None
    except json.JSONDecodeError as err:
        raise CmfError([Diagnostic(Span(str(source), err.lineno, err.colno), f"not valid JSON: {err.msg}")]) from None
    if not isinstance(data, dict) or not all(isinstance(v, dict) and "input" in v for v in data.values()):
        raise CmfError([Diagnostic(Span(str(source)), "not a ComfyUI /object_info dump (expected {class: {input: ...}})")])
    return data


def input_specs(class_info: dict) -> list[InputSpec]:
    """Required then optional inputs of a class, in the server's declared order (``input_order``)."""
    declared = class_info.get("input", {})
    order = class_info.get("input_order", {})
    specs = []
    for category in ("required", "optional"):
        group = declared.get(category) or {}
        names = order.get(category) or list(group)
        for name in names:
            if name not in group:
                continue
            raw = group[name]
            if not isinstance(raw, (list, tuple)) or not raw:
                continue
            options = raw[1] if len(raw) > 1 and isinstance(raw[1], dict) else {}
            specs.append(InputSpec(name, category, raw[0], options))
    return specs


def input_spec(class_info: dict, name: str) -> InputSpec | None:
    """The declared input ``name`` (required or optional), or None when the class has no such input."""
    for spec in input_specs(class_info):
        if spec.name == name:
            return spec
    return None


def output_types(class_info: dict) -> list:
    """The class's output types by slot (a type name, or a COMBO list for a COMBO output)."""
    return list(class_info.get("output") or [])


def display_title(class_type: str, class_info: dict | None) -> str:
    """The title the frontend gives a fresh node: the class's display name, else the class name."""
    if class_info and class_info.get("display_name"):
        return class_info["display_name"]
    return class_type
