"""Connecting a build to its executors: config → executor per stage → the identities that enter generation keys.

ComfyUI servers (``[executors] comfyui`` or ``--comfyui``) form one pool; a stage configured for a cloud
executor (``[executors.runninghub]`` / ``[executors.runpod]`` ``stages``, see ``cloud.py``) goes there
instead, through :class:`cloud.StageRouter`. Each stage's identity keys that stage's takes only.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from .cloud import STAGES


def prepare(root: Path, urls: tuple[str, ...] = (), warn: Callable[[str], None] = print):
    """(executor, {stage: identity}) for the project, or (None, None) when no stage has a reachable executor.

    Unreachable ComfyUI servers are left out with a warning; a stage with no executor keeps its cards.
    """
    from .base import ExecutorPool, TransientError
    from .cloud import StageRouter, load_cloud_config, stage_routes
    from .config import load_config, make_pool
    from .generate import use_pool

    pool = make_pool(root, load_config(root, urls))
    if pool is not None:
        alive = []
        for executor in pool.executors:
            try:
                executor.identity()
                alive.append(executor)
            except TransientError as exc:
                warn(f"cmfc: ComfyUI server left out of this build: {exc}")
        if not alive:
            warn("cmfc: no ComfyUI server answered; stages left to ComfyUI keep their storyboard cards")
        pool = ExecutorPool(alive, max_in_flight=pool.max_in_flight, cooldown=pool.cooldown) if alive else None
    routes = stage_routes(root, load_cloud_config(root))
    if pool is None and not routes:
        use_pool(None)
        return None, None
    executor = StageRouter(routes, default=pool) if routes else pool
    use_pool(executor)
    generator = {}
    for stage in STAGES:
        chosen = routes.get(stage, pool)
        if chosen is not None:
            generator[stage] = chosen.identity()
    return executor, generator
