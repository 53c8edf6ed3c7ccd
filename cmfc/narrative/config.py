"""Stage 1's settings: ``[stage1]`` in the project's cmfc.toml, over defaults.

::

    [stage1]
    model = "claude-sonnet-4-6"      # default: the newest Sonnet the installed SDK lists
    temperature = 0.2                # sent only when set; part of every agent call's key
    max_tokens = 8000
    timeout = 600                    # seconds per request
    max_retries = 2                  # the SDK's own retries (429, 5xx, timeouts) before we give up
    pause_threshold = 0.5            # seconds; a block crossing a longer silence is flagged
    chunk_words = 2500               # the Premise Hunter reads long transcripts in chunks of about this many words
    overlap_words = 150              # ... overlapping by about this many, cut at sentence boundaries
    base_url = "https://api.anthropic.com"   # optional (a proxy, a gateway)

    [stage1.rates]                   # US dollars per million tokens, for the cost printed per call
    input = 3.0
    output = 15.0
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path

from cmfc.diagnostics import CmfError, Diagnostic, Span

FALLBACK_MODEL = "claude-sonnet-4-5"


@dataclass(frozen=True)
class Stage1Config:
    """Every stage-1 knob, with where it came from for messages."""

    model: str = ""
    temperature: float | None = None
    max_tokens: int = 8000
    timeout: float = 600.0
    max_retries: int = 2
    pause_threshold: float = 0.5
    chunk_words: int = 2500
    overlap_words: int = 150
    base_url: str | None = None
    rates: dict = field(default_factory=lambda: {"input": 3.0, "output": 15.0})
    banned_phrases: tuple[str, ...] = ()
    root: Path = Path(".")

    def resolved_model(self) -> str:
        return self.model or newest_sonnet()


_NUMBERS = {"temperature": (float, 0.0, 2.0), "max_tokens": (int, 1, 200_000), "timeout": (float, 0.1, 3600.0),
            "max_retries": (int, 0, 20), "pause_threshold": (float, 0.0, 60.0), "chunk_words": (int, 50, 200_000),
            "overlap_words": (int, 0, 10_000)}


def load_config(root: Path) -> Stage1Config:
    """``[stage1]`` of ``root/cmfc.toml`` (defaults when absent); CmfError naming the key when a value is wrong."""
    config = Stage1Config(root=root)
    path = root / "cmfc.toml"
    if not path.is_file():
        return config
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise CmfError([Diagnostic(Span(str(path)), f"cmfc.toml is not valid TOML: {error}")]) from None
    table = data.get("stage1", {})
    if not isinstance(table, dict):
        raise CmfError([Diagnostic(Span(str(path)), "cmfc.toml [stage1] must be a table")])
    changes: dict = {}
    for key, value in table.items():
        if key in _NUMBERS:
            kind, low, high = _NUMBERS[key]
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high \
                    or (kind is int and not isinstance(value, int)):
                raise CmfError([Diagnostic(Span(str(path)), f"cmfc.toml [stage1] {key} = {value!r}: expected "
                                           f"{'a whole number' if kind is int else 'a number'} from {low} to {high}")])
            changes[key] = kind(value)
        elif key in ("model", "base_url"):
            if not isinstance(value, str) or not value:
                raise CmfError([Diagnostic(Span(str(path)), f"cmfc.toml [stage1] {key} must be a non-empty string")])
            changes[key] = value
        elif key == "rates":
            if not isinstance(value, dict) or not all(k in ("input", "output") and isinstance(v, (int, float))
                                                       and not isinstance(v, bool) and v >= 0 for k, v in value.items()):
                raise CmfError([Diagnostic(Span(str(path)), "cmfc.toml [stage1.rates] holds input and output, "
                                           "US dollars per million tokens")])
            changes[key] = {**config.rates, **{k: float(v) for k, v in value.items()}}
        elif key == "banned_phrases":
            if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
                raise CmfError([Diagnostic(Span(str(path)), "cmfc.toml [stage1] banned_phrases is a list of phrases")])
            changes[key] = tuple(value)
        else:
            raise CmfError([Diagnostic(Span(str(path)), f"cmfc.toml [stage1] has no setting {key!r}",
                                       hint="settings: " + ", ".join([*_NUMBERS, "model", "base_url", "rates",
                                                                      "banned_phrases"]))])
    return replace(config, **changes)


def newest_sonnet() -> str:
    """The newest ``claude-sonnet-*`` alias the installed anthropic SDK lists (its Model type)."""
    try:
        import typing

        from anthropic.types import Model
    except ImportError:
        return FALLBACK_MODEL
    names = [a for arg in typing.get_args(Model) for a in (typing.get_args(arg) or (arg,)) if isinstance(a, str)]
    best, best_version = FALLBACK_MODEL, ()
    for name in names:
        match = re.fullmatch(r"claude-sonnet-(\d+)(?:-(\d))?(?:-\d{8})?(?:-latest)?", name)
        if not match:
            continue
        version = (int(match.group(1)), int(match.group(2) or 0), name.count("-") <= 3 - (match.group(2) is None))
        if version > best_version:
            best, best_version = name, version
    return best
