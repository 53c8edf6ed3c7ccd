"""Connecting a build to its executors: config → pool → the identity that enters generation keys."""

from __future__ import annotations

from pathlib import Path
from typing import Callable


def prepare(root: Path, urls: tuple[str, ...] = (), warn: Callable[[str], None] = print):
    """(pool, generator identity) for the project, or (None, None) when no server is configured or reachable.

    Unreachable servers are left out with a warning; with none left the scenes keep their storyboard cards.
    """
    from .base import ExecutorPool, TransientError
    from .config import load_config, make_pool
    from .generate import use_pool

    config = load_config(root, urls)
    pool = make_pool(root, config)
    if pool is None:
        use_pool(None)
        return None, None
    alive = []
    for executor in pool.executors:
        try:
            executor.identity()
            alive.append(executor)
        except TransientError as exc:
            warn(f"cmfc: ComfyUI server left out of this build: {exc}")
    if not alive:
        warn("cmfc: no ComfyUI server answered; scenes that need a generator keep their storyboard cards")
        use_pool(None)
        return None, None
    pool = ExecutorPool(alive, max_in_flight=pool.max_in_flight, cooldown=pool.cooldown)
    use_pool(pool)
    return pool, pool.identity()
