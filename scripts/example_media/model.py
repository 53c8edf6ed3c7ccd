"""A placeholder LoRA in the real safetensors layout, so loaders and hashers have a valid file to chew on."""

from __future__ import annotations

import json

import numpy as np


def placeholder_lora(character: str) -> bytes:
    """A tiny valid .safetensors: u64-LE header length, JSON header (with __metadata__), raw F32 tensors.

    It holds a rank-1 down/up pair for one layer; its weights mean nothing.
    """
    down = np.linspace(-0.5, 0.5, 8, dtype="<f4").reshape(1, 8)
    up = np.linspace(0.25, -0.25, 8, dtype="<f4").reshape(8, 1)
    tensors = {"lora_unet_placeholder.lora_down.weight": down, "lora_unet_placeholder.lora_up.weight": up}
    header: dict[str, object] = {
        "__metadata__": {
            "placeholder": "true",
            "character": character,
            "note": "Not a trained LoRA: a stand-in so the example project is complete. "
            "Replace it with a real character LoRA for generation.",
            "format": "pt",
        }
    }
    offset, blobs = 0, []
    for name in sorted(tensors):
        blob = tensors[name].tobytes()
        header[name] = {"dtype": "F32", "shape": list(tensors[name].shape), "data_offsets": [offset, offset + len(blob)]}
        offset += len(blob)
        blobs.append(blob)
    text = json.dumps(header, sort_keys=True, separators=(",", ":")).encode()
    text += b" " * ((-len(text)) % 8)  # the format allows trailing spaces; 8-byte alignment for the data
    return len(text).to_bytes(8, "little") + text + b"".join(blobs)
