"""API keys of the cloud executors: from the environment, else the project's ``.env`` (python-dotenv).

A key is only ever returned to the client that sends it; nothing here logs, prints or stores it.
``redact`` removes a key from any text that is about to be shown (an error from a server may
echo the request back).
"""

from __future__ import annotations

import os
from pathlib import Path


def api_key(name: str, root: Path | None = None) -> str | None:
    """``$name`` if set and non-empty, else ``name=…`` from ``root/.env``, else None."""
    value = os.environ.get(name, "").strip()
    if value:
        return value
    if root is not None and (Path(root) / ".env").is_file():
        from dotenv import dotenv_values

        value = (dotenv_values(Path(root) / ".env").get(name) or "").strip()
        if value:
            return value
    return None


def redact(text: str, *secrets: str | None) -> str:
    """``text`` with every secret replaced by ``***``."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text
