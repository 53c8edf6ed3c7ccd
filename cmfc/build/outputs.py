"""``.cmfc/outputs.json``: every project file the build ever wrote, with the digest it last wrote there.

What makes an output "edited": a file at an output's path whose bytes are neither what the build last
wrote there (this ledger, the manifest) nor any entry of the store. Such a file is the user's work
(a Natron project saved by Natron, a timeline touched by hand): before the build overwrites or
``clean`` deletes it, it is moved aside to ``NAME.edited-1`` (``-2``, ...) and the build says so.
The ledger is also what ``clean`` removes: outputs of failed builds and of actions no longer in the
plan included.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

_FORMAT = 1


class OutputLedger:
    """Project-relative path -> sha256 of the bytes the build last wrote there."""

    def __init__(self, file: Path):
        self.file = file
        self.paths: dict[str, str] = _load(file)
        self._saved = dict(self.paths)
        self._lock = threading.Lock()

    def record(self, rel: str, digest: str) -> None:
        """The build just wrote ``digest``'s bytes to ``rel``."""
        with self._lock:
            self.paths[rel] = digest

    def forget(self, rel: str) -> None:
        """``rel`` is no longer the build's (deleted, or moved aside)."""
        with self._lock:
            self.paths.pop(rel, None)

    def last_written(self, rel: str) -> str | None:
        """The digest the build last wrote to ``rel`` (None when it never did)."""
        return self.paths.get(rel)

    def save(self, write) -> None:
        """Write the ledger with ``write(path, bytes)`` (atomic) if it changed."""
        with self._lock:
            if self.paths == self._saved:
                return
            data = json.dumps({"format": _FORMAT, "outputs": self.paths}, sort_keys=True, indent=0).encode()
            snapshot = dict(self.paths)
        write(self.file, data)
        self._saved = snapshot


def _load(file: Path) -> dict[str, str]:
    try:
        doc = json.loads(file.read_bytes())
    except (OSError, ValueError):
        return {}
    if not isinstance(doc, dict) or doc.get("format") != _FORMAT or not isinstance(doc.get("outputs"), dict):
        return {}
    return {k: v for k, v in doc["outputs"].items() if isinstance(k, str) and isinstance(v, str)}


def aside_name(path: Path) -> Path:
    """``NAME.edited-1``, or the first ``NAME.edited-N`` that does not exist yet."""
    n = 1
    while True:
        candidate = path.with_name(f"{path.name}.edited-{n}")
        if not os.path.lexists(candidate):
            return candidate
        n += 1
