"""Sealed JSON records: the side caches outside the build store (audio analyses, the SFX index) verified
like store entries, so a damaged, partial or hand-edited record is never used.

A record is ``{"format": 1, "kind": ..., "sha256": <digest of the canonical data>, "data": {...}}``.
Reading checks the JSON, the kind, the digest and the caller's shape check; any failure is reported in
one line on stderr (``cmfc: .cmfc/analysis/music-….json was damaged (…); computing it again``) and the
caller recomputes and rewrites it. Never a traceback, never silently used.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path
from typing import Callable

FORMAT = 1
# Every damaged record met by this process (path, problem): what the one-line reports said.
DAMAGED: list[tuple[str, str]] = []


def _canonical(data) -> bytes:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()


def seal(kind: str, data: dict) -> str:
    """The record's text (sorted, one key per line at the top level, final newline)."""
    doc = {"format": FORMAT, "kind": kind, "sha256": hashlib.sha256(_canonical(data)).hexdigest(), "data": data}
    return json.dumps(doc, sort_keys=True, indent=1, ensure_ascii=False) + "\n"


def write_sealed(path: str | os.PathLike, kind: str, data: dict) -> None:
    """Write the record atomically; a read-only or full disk only means it is computed again next time."""
    from cmfc.fsutil import atomic_write_text

    try:
        atomic_write_text(path, seal(kind, data))
    except OSError:
        pass


def read_sealed(path: str | os.PathLike, kind: str, check: Callable[[dict], object] | None = None) -> dict | None:
    """The record's data, or None when there is none or it is damaged (then reported once, in one line).

    ``check(data)`` validates the shape: any exception it raises (KeyError, TypeError, ValueError...)
    marks the record damaged.
    """
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        return _damaged(path, f"unreadable: {exc.__class__.__name__}")
    problem = _problem(text, kind, check)
    if problem:
        return _damaged(path, problem)
    return json.loads(text)["data"]


def _problem(text: str, kind: str, check) -> str | None:
    try:
        doc = json.loads(text)
    except ValueError:
        return "not JSON: torn or damaged"
    if not isinstance(doc, dict) or doc.get("format") != FORMAT or doc.get("kind") != kind:
        return f"not a {kind} record of format {FORMAT}"
    data = doc.get("data")
    if not isinstance(data, dict):
        return "no data"
    try:
        if hashlib.sha256(_canonical(data)).hexdigest() != doc.get("sha256"):
            return "its checksum does not match: edited or damaged"
    except (TypeError, ValueError):
        return "data that is not plain JSON"
    if check is not None:
        try:
            check(data)
        except Exception as exc:  # the shape check's failure, whatever it is, means "do not use"
            return f"incomplete: {exc.__class__.__name__} {exc}".rstrip()
    return None


def _damaged(path, problem: str) -> None:
    shown = os.fspath(path)
    DAMAGED.append((shown, problem))
    print(f"cmfc: {shown} was damaged ({problem}); computing it again", file=sys.stderr)
    return None


def problem_of(path: str | os.PathLike) -> str | None:
    """What is wrong with a sealed record on disk, whatever its kind (None: whole). For ``cmfc verify``."""
    try:
        text = Path(path).read_text(encoding="utf-8")
        kind = json.loads(text).get("kind")
    except (OSError, UnicodeDecodeError, ValueError, AttributeError):
        return "not a sealed record: torn or damaged"
    return _problem(text, kind, None) if isinstance(kind, str) else "not a sealed record"
