"""Action keys: one SHA-256 over the canonical JSON of everything that decides an action's outputs."""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any, Mapping

from cmfc.build.action import Action, FileInput, GraphError

# Bump when the key material changes shape, so old cache entries are never mistaken for new ones.
KEY_SCHEME = "cmfc-build/1"

# A params key that names a credential is a planner bug: secrets would end up in the key and in
# .cmfc/actions/*.json on disk. Judged by the key's last word, so ``max_tokens`` or ``token_count`` still pass.
_SECRET_WORDS = {"apikey", "token", "secret", "password", "passwd", "credential", "credentials"}
_WORD_SPLIT = re.compile(r"[^a-z0-9]+")


def canonical_json(value: Any) -> str:
    """Sorted keys, no whitespace, UTF-8 text, no NaN: the same value gives the same text anywhere."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def looks_secret(key: str) -> bool:
    """True for keys like ``api_key``, ``apiKey``, ``auth-token``, ``db_password``."""
    spaced = re.sub(r"([a-z])([A-Z])", r"\1_\2", key).lower()
    words = [w for w in _WORD_SPLIT.split(spaced) if w]
    joined = "".join(words)
    # The last word names what the value is: ``auth_token`` is a token, ``token_count`` a number.
    return "apikey" in joined or bool(words) and words[-1] in _SECRET_WORDS


def check_params(action: Action) -> None:
    """Refuse params that are not plain JSON or carry a secret-looking key (GraphError)."""
    _walk_secrets(action.params, action.id, "")
    try:
        canonical_json(action.params)
    except (TypeError, ValueError) as exc:
        raise GraphError(f"params of {action.id} are not plain JSON: {exc}") from None


def _walk_secrets(value: Any, action_id: str, where: str) -> None:
    if isinstance(value, Mapping):
        for key, sub in value.items():
            dotted = f"{where}.{key}" if where else str(key)
            if looks_secret(str(key)):
                raise GraphError(
                    f"params of {action_id} contain {dotted!r}, which looks like a secret; "
                    "secrets must reach executors another way, never through action params"
                )
            _walk_secrets(sub, action_id, dotted)
    elif isinstance(value, (list, tuple)):
        for i, sub in enumerate(value):
            _walk_secrets(sub, action_id, f"{where}[{i}]")


def key_material(action: Action, version: str, input_digests: Mapping[str, str]) -> dict:
    """The dict whose canonical JSON is hashed into the key (also kept in the action record)."""
    inputs = {}
    for name, digest in input_digests.items():
        src = action.inputs[name]
        # A file's path is part of the key: outputs such as Natron projects may refer to it by path.
        inputs[name] = {"path": src.path, "sha256": digest} if isinstance(src, FileInput) else {"sha256": digest}
    return {
        "scheme": KEY_SCHEME,
        "kind": action.kind,
        "version": version,
        "params": action.params,
        "inputs": inputs,
        "executor": action.executor,
    }


def action_key(action: Action, version: str, input_digests: Mapping[str, str]) -> str:
    """Hex SHA-256 of the key material; ``input_digests`` must name every input of the action."""
    return hashlib.sha256(canonical_json(key_material(action, version, input_digests)).encode()).hexdigest()
