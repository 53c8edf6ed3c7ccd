"""Canonical JSON: the bytes that get hashed, diffed and written as goldens."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel


def canonical_data(value: Any) -> Any:
    """Plain JSON data for a model or a structure of models (times, levels and colours as text)."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, dict):
        return {str(k): canonical_data(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [canonical_data(v) for v in value]
    return value


def dumps(value: Any, indent: int | None = 2) -> str:
    """Sorted keys, UTF-8 text, a newline at the end; floats as Python's shortest round-trip repr."""
    text = json.dumps(canonical_data(value), sort_keys=True, ensure_ascii=False, indent=indent,
                      separators=(",", ": ") if indent is not None else (",", ":"), allow_nan=False)
    return text + "\n"


def dumps_bytes(value: Any) -> bytes:
    """Compact canonical JSON bytes, for hashing."""
    return dumps(value, indent=None).encode("utf-8")
