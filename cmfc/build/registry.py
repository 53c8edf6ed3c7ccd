"""Action kinds: name -> (code version, run function, optional placeholder). Stdlib only, imports nothing heavy."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from cmfc.build.action import GraphError
from cmfc.diagnostics import suggest


class TransientError(Exception):
    """Raised by an action (or its executor) for a failure worth retrying: timeouts, busy servers."""


@dataclass(frozen=True)
class Kind:
    """An implementation of an action kind; ``version`` enters every key, so bump it when outputs change."""

    name: str
    version: str
    run: Callable
    placeholder: Callable | None = None


class Registry:
    """A table of kinds by name; the module-level REGISTRY is the one ``@register`` fills."""

    def __init__(self) -> None:
        self.kinds: dict[str, Kind] = {}

    def add(self, name: str, run: Callable, version: str = "1", placeholder: Callable | None = None) -> Kind:
        """Register (or replace) a kind and return it."""
        kind = Kind(name, str(version), run, placeholder)
        self.kinds[name] = kind
        return kind

    def get(self, name: str) -> Kind:
        """The kind called ``name``; GraphError with a near-miss hint otherwise."""
        try:
            return self.kinds[name]
        except KeyError:
            hint = suggest(name, self.kinds)
            raise GraphError(f"unknown action kind {name!r}" + (f" ({hint})" if hint else "")) from None


REGISTRY = Registry()


def register(name: str, version: str = "1", placeholder: Callable | None = None) -> Callable:
    """Decorator: ``@register("render.segment", version="3")`` on ``def run(ctx) -> None``."""

    def decorate(run: Callable) -> Callable:
        REGISTRY.add(name, run, version, placeholder)
        return run

    return decorate


def placeholder_for(name: str) -> Callable:
    """Decorator attaching a placeholder writer to an already registered kind."""

    def decorate(write: Callable) -> Callable:
        kind = REGISTRY.get(name)
        REGISTRY.add(name, kind.run, kind.version, write)
        return write

    return decorate
