"""The ``generate.comfyui`` action kind: one stage of one take on the configured pool.

The build sets the pool once (:func:`use_pool`) before it runs; the action uploads its inputs,
runs, verifies every downloaded file by decoding it, and stores the take plus a small JSON record
(server label, prompt id, seed, models, timings) that the manifest shows as ``generated``.
``cancel`` is set on Ctrl-C/SIGTERM: running prompts are cancelled on their server, targeted.
"""

from __future__ import annotations

import json
import shutil
from cmfc.build.registry import TransientError, register

from .base import CancelledError, GenerationJob, PermanentError
from .verify import OutputRejected, verify

GENERATE_VERSION = "1"
_state: dict = {"pool": None}


def use_pool(pool) -> None:
    """The executor pool ``generate.comfyui`` actions run on (None: none configured)."""
    _state["pool"] = pool


def current_pool():
    return _state["pool"]


def _placeholder(ctx) -> None:
    """After the last try (--keep-going): a black frame/clip marked as a placeholder, and a record saying so."""
    from PIL import Image

    out = ctx.output_path("take")
    if ctx.params["expect"] == "video":
        from cmfc.render.placeholder import black_segment

        black_segment(ctx.params["scene"], 320, 576, 16, 16, True, out)
    else:
        Image.new("RGB", (320, 576)).save(out, format="PNG")
    ctx.output_path("record").write_bytes(json.dumps({"placeholder": True}, sort_keys=True).encode())


@register("generate.comfyui", version=GENERATE_VERSION, placeholder=_placeholder)
def run_generate(ctx) -> None:
    from cmfc.build.engine import ActionFailed

    pool = current_pool()
    params = ctx.params
    label = f"{params['scene']} {params['stage']} {params['take']}"
    if pool is None:
        raise ActionFailed(f"{label}: no ComfyUI server is configured (cmfc.toml [executors] or --comfyui URL)",
                           ctx.attempt)
    uploads = {name: ctx.input_path(key) for name, key in params["uploads"].items()}
    job = GenerationJob(scene=params["scene"], stage=params["stage"], take=params["take"], payload=params["payload"],
                        uploads=uploads, expect=params["expect"], seed=params.get("seed"),
                        models=tuple(_models(params["payload"])), label=label)

    def progress(step: int, total: int) -> None:
        if total > 0:
            ctx.progress(min(1.0, step / total))

    from cmfc.children import stop_event

    try:
        result = pool.run(job, progress, stop_event)
    except PermanentError as exc:
        raise ActionFailed(str(exc), ctx.attempt) from None
    except CancelledError as exc:
        raise ActionFailed(f"{label}: {exc}", ctx.attempt) from None
    wanted = [f for f in result.files if f.kind == job.expect] or list(result.files)
    try:
        decoded = verify(wanted[0].path, job.expect)
    except OutputRejected as exc:
        raise TransientError(f"{label}: {exc}") from None
    shutil.copyfile(wanted[0].path, ctx.output_path("take"))
    for generated in result.files:
        generated.path.unlink(missing_ok=True)
    record = {"server": result.server, "prompt_id": result.job_id, "seed": result.seed, "models": list(result.models),
              "timings": dict(result.timings), "width": decoded.width, "height": decoded.height,
              "frames": decoded.frames, "remote_file": wanted[0].remote_name}
    ctx.output_path("record").write_bytes(json.dumps(record, sort_keys=True).encode())
    ctx.log(f"{label}: generated on {result.server} (prompt {result.job_id})")


def _models(payload: dict) -> list[str]:
    from cmfc.backends.comfyui.object_info import _FILE_INPUT_NAMES

    found = set()
    for node in payload.values():
        for name, value in node.get("inputs", {}).items():
            if isinstance(value, str) and _FILE_INPUT_NAMES.match(name) and name not in ("image", "video", "file", "audio") \
                    and value.endswith((".safetensors", ".ckpt", ".pt", ".pth", ".gguf", ".bin", ".sft")):
                found.add(value)
    return sorted(found)
