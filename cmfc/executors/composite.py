"""The ``composite.natron`` action kind: a scene's compiled Natron project rendered by the compositor.

The build sets the compositor once (:func:`prepare_compositor`, from ``cloud.compositor()``: a local
NatronRenderer, else a Runpod Natron endpoint, else None and no composite actions are planned). The
action renders the scene's ``.ntp`` from the project root (where its relative paths, the raw clip,
resolve), into the action's temp output; the executor verifies the clip by decoding it, frame count
included, before the engine stores and materialises it as ``scene.outputs.composite``.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Callable

from cmfc.build.registry import TransientError, register

from .base import CancelledError, PermanentError

COMPOSITE_VERSION = "1"
_state: dict = {"compositor": None}


def use_compositor(executor) -> None:
    """The executor ``composite.natron`` actions run on (None: the local ffmpeg compositor does the job)."""
    _state["compositor"] = executor


def prepare_compositor(root: Path, warn: Callable[[str], None] = print) -> dict | None:
    """The compositor's identity (its ``kind`` is the manifest's executor) or None: no Natron anywhere."""
    from .cloud import compositor, load_cloud_config

    executor = compositor(root, load_cloud_config(root))
    identity = None
    if executor is not None:
        try:
            identity = executor.identity()
        except TransientError as exc:
            warn(f"cmfc: the Natron compositor is left out of this build: {exc}")
            executor = None
    use_compositor(executor)
    return identity


@register("composite.natron", version=COMPOSITE_VERSION)
def run_composite(ctx) -> None:
    from cmfc.build.engine import ActionFailed
    from cmfc.children import stop_event

    from .natron import CompositeJob

    params = ctx.params
    executor = _state["compositor"]
    if executor is None:
        raise ActionFailed(f"{params['scene']}: no Natron compositor is configured (NatronRenderer on PATH, "
                           f"[executors] natron or [executors.runpod] natron_endpoint)", ctx.attempt)
    root = Path(ctx.project_root)
    target = ctx.output_path("composite")
    # NatronRenderer tells a project from a script by its extension: copies under their own names
    project = target.parent / params["project_name"]
    onload = target.parent / "cmfc_paths.py"
    shutil.copyfile(ctx.input_path("project"), project)
    shutil.copyfile(ctx.input_path("onload"), onload)
    job = CompositeJob(scene=params["scene"], project=project, writer=params["writer"],
                       first=params["first"], last=params["last"], root=root,
                       output_rel=os.path.relpath(target, root), onload=onload,
                       inputs=tuple(params["reads"]))
    try:
        result = executor.render(job, stop_event)
    except PermanentError as exc:
        raise ActionFailed(str(exc), ctx.attempt) from None
    except CancelledError as exc:
        raise ActionFailed(f"{params['scene']}: {exc}", ctx.attempt) from None
    ctx.log(f"{params['scene']}: composited by {result.executor}")
