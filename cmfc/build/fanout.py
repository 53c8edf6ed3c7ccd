"""Render and mix actions as Ray tasks (``--executor ray``, extra ``cmfc[ray]``).

The build engine stays the only scheduler and the source of truth: it plans, keys, caches and
retries as always; only the body of a render/mix action runs elsewhere. A Ray task is stateless:
it gets the action, the bytes of every input (a project file is recreated at its project-relative
path, since renders read the project's media by path; another action's output as a file), runs the
same kind function in a scratch folder, and returns the outputs' bytes, which the engine stores as if
the action had run here. Inputs and outputs travel through Ray's object store. The action's key does
not change (``executor`` stays what the planner said): the same bytes come out wherever it runs.

A worker that dies mid-task (killed, out of memory, its machine gone) is retried by Ray on another
(``max_retries``); an exception raised by the action itself comes back as that exception, so the
engine's own rules apply (``TransientError`` retried, ``CmfError`` shown as a diagnostic).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path, PurePosixPath
from typing import Callable

from cmfc.build.action import Action, FileInput
from cmfc.build.context import ActionContext
from cmfc.build.registry import Registry, TransientError
from cmfc.diagnostics import CmfError

RAY_KINDS = ("render.segment", "render.join", "render.last_frame", "sonic.mix")
WORKER_RETRIES = 3  # tries after a worker process dies


def ray_registry(base: Registry, kinds=RAY_KINDS, address: str | None = None, init: Callable | None = None) -> Registry:
    """A registry whose ``kinds`` run as Ray tasks (same versions, same placeholders); the rest as in ``base``.

    Ray is started (``address``: ``auto``, ``ray://host:10001``, or ``$RAY_ADDRESS``; none: a local
    instance) the first time an action needs it, not before.
    """
    registry = Registry()
    for name, kind in base.kinds.items():
        if name in kinds:
            registry.add(name, RayRun(kind.run, address, init), kind.version, kind.placeholder)
        else:
            registry.kinds[name] = kind
    return registry


class RayRun:
    """A kind's ``run(ctx)``, sent to a Ray worker with its inputs; the outputs written back into ``ctx``."""

    def __init__(self, run: Callable, address: str | None = None, init: Callable | None = None):
        self.run = run
        self.address = address
        self.init = init

    def __call__(self, ctx: ActionContext) -> None:
        ray = _ray(self.address, self.init)
        action = ctx.action
        files = {name: ctx.input_path(name).read_bytes() for name in action.inputs}
        task = _task(ray).options(max_retries=WORKER_RETRIES, retry_exceptions=False)
        try:
            outputs, log, failure = ray.get(task.remote(self.run, action, files, ctx.attempt))
        except ray.exceptions.RayTaskError as error:  # the action's own exception, as if it ran here
            cause = getattr(error, "cause", None)
            if isinstance(cause, Exception):
                raise cause from None
            raise
        for line in log:
            ctx.log(line)
        if failure is not None:  # rebuilt here: CmfError does not survive pickling as an exception
            what, detail = failure
            raise CmfError(detail) if what == "diagnostics" else TransientError(detail)
        for name, data in outputs.items():
            ctx.output_path(name).write_bytes(data)


_TASK = None


def _task(ray):
    global _TASK
    if _TASK is None:
        _TASK = ray.remote(num_cpus=1)(run_on_worker)
    return _TASK


def _ray(address: str | None, init: Callable | None):
    import ray

    if not ray.is_initialized():
        if init is not None:
            init()
        else:
            ray.init(address=address or os.environ.get("RAY_ADDRESS") or None, include_dashboard=False,
                     log_to_driver=False)
    return ray


def run_on_worker(run: Callable, action: Action, files: dict[str, bytes],
                  attempt: int) -> tuple[dict[str, bytes], list[str], tuple | None]:
    """On the worker: lay the inputs out in a scratch project, run the kind, return the outputs' bytes,
    the log, and a user error or transient failure as plain data (other exceptions propagate)."""
    scratch = Path(tempfile.mkdtemp(prefix="cmfc-ray-"))
    try:
        root = scratch / "project"
        inputs = {}
        for name, data in files.items():
            src = action.inputs[name]
            path = root / PurePosixPath(src.path) if isinstance(src, FileInput) else scratch / "inputs" / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            inputs[name] = path
        out_dir = scratch / "out"
        out_dir.mkdir()
        log: list[str] = []
        ctx = ActionContext(action, root, inputs, out_dir, log.append, lambda fraction: None, attempt)
        try:
            run(ctx)
        except CmfError as error:
            return {}, log, ("diagnostics", error.diagnostics)
        except TransientError as error:
            return {}, log, ("transient", str(error))
        outputs = {}
        for out in action.outputs:
            path = ctx.output_path(out.name)
            if path.is_file():
                outputs[out.name] = path.read_bytes()
        return outputs, log, None
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def registry_for(root: Path, executor: str | None = None):
    """The registry a build uses: None (run everything here) unless ``--executor ray`` or
    ``[executors] render = "ray"`` in cmfc.toml (with ``address``, else ``$RAY_ADDRESS``, else a local Ray)."""
    import tomllib

    from cmfc.build.registry import REGISTRY
    from cmfc.diagnostics import Diagnostic, Span
    from cmfc.project import CONFIG_NAME

    section: dict = {}
    config = Path(root) / CONFIG_NAME
    if config.is_file():
        try:
            section = tomllib.loads(config.read_text(encoding="utf-8")).get("executors", {}) or {}
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
            raise CmfError([Diagnostic(Span(str(config)), f"cmfc.toml is not valid TOML: {error}")]) from None
    chosen = executor or section.get("render", "local")
    if chosen == "local":
        return None
    if chosen != "ray":
        raise CmfError([Diagnostic(Span(str(config)), f"[executors] render = {chosen!r}: expected \"local\" or \"ray\"")])
    try:
        import ray  # noqa: F401
    except ModuleNotFoundError:
        raise CmfError([Diagnostic(Span(str(config) if not executor else "--executor"),
                                   "the ray executor needs Ray", hint="pip install 'cmfc[ray]'")]) from None
    address = section.get("address")
    return ray_registry(REGISTRY, address=str(address) if address else None)
