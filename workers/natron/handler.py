"""Runpod serverless worker: render one compiled Natron scene with NatronRenderer, return the clip.

The job input (what ``cmfc`` sends to ``POST /v2/<endpoint>/run``)::

    {"project": {"name": "PROJ_SC_01.ntp", "data": "<base64>"}      # or "url": "https://…"  (.ntp or .py)
     "writer": "Writer1",                                           # the Write node's script name
     "frames": [1, 48],
     "output": "03_OUTPUT/PROJ/04_fabrication/PROJ_SC_01_ICON_FX_v01.mov",   # what the Writer writes
     "files": [{"path": "03_OUTPUT/PROJ/03_mining/…_RAW_v01.mp4", "data": "<base64>"},   # or "url"
               {"path": "assets/fonts/brand.ttf", "url": "https://…"}],
     "onload": {"name": "cmfc_paths.py", "data": "<base64>"}}       # optional, run with -l

Paths are project-relative (the compiler writes no absolute path): the worker lays the files out in
a fresh folder, runs ``NatronRenderer [-l onload] -w <writer> <first>-<last> natron/<project>``
there, and answers ``{"video": {"filename", "type": "base64" | "s3_url", "data"}, "frames", "seconds"}``
(``s3_url`` when ``BUCKET_ENDPOINT_URL`` is set, through the SDK's ``rp_upload`` like
worker-comfyui) or ``{"error", "details"}`` (the SDK then marks the job FAILED).
``NATRON_RENDERER`` names the binary (default: ``NatronRenderer`` on PATH); ``RENDER_TIMEOUT``
bounds one render in seconds (default 3600).
"""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path, PurePosixPath

DOWNLOAD_TIMEOUT = 300


class BadInput(ValueError):
    pass


def _relative(path: str) -> PurePosixPath:
    """A project-relative path, refusing anything that would escape the job folder."""
    rel = PurePosixPath(str(path))
    if not str(path) or rel.is_absolute() or ".." in rel.parts or "\\" in str(path):
        raise BadInput(f"not a project-relative path: {path!r}")
    return rel


def _fetch(item: dict, what: str) -> bytes:
    if "data" in item:
        try:
            return base64.b64decode(str(item["data"]).split(",", 1)[-1], validate=True)
        except ValueError:
            raise BadInput(f"{what}: data is not valid base64") from None
    url = str(item.get("url") or "")
    if not url.startswith(("https://", "http://")):
        raise BadInput(f"{what}: give data (base64) or an http(s) url")
    try:
        with urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT) as response:  # noqa: S310 - http(s) only
            return response.read()
    except OSError as exc:
        raise BadInput(f"{what}: cannot download it ({exc})") from None


def _write(root: Path, rel: PurePosixPath, data: bytes) -> Path:
    target = root.joinpath(*rel.parts)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return target


def render_command(renderer: str, writer: str, first: int, last: int, project: str, onload: str | None) -> list[str]:
    """NatronRenderer's command line (natronexecution.rst): [-l script] -w Writer first-last project."""
    command = [renderer]
    if onload:
        command += ["-l", onload]
    return command + ["-w", writer, f"{first}-{last}", project]


def handler(job: dict) -> dict:
    job_input = job.get("input") or {}
    started = time.monotonic()
    root = Path(tempfile.mkdtemp(prefix="natron-job-"))
    try:
        project = job_input.get("project") or {}
        name = PurePosixPath(str(project.get("name") or ""))
        if name.suffix not in (".ntp", ".py") or len(name.parts) != 1:
            raise BadInput("project.name must be a file name ending in .ntp or .py")
        project_path = _write(root, PurePosixPath("natron") / name, _fetch(project, "project"))
        for n, item in enumerate(job_input.get("files") or []):
            _write(root, _relative(item.get("path", "")), _fetch(item, f"files[{n}] ({item.get('path')})"))
        onload = None
        if job_input.get("onload"):
            onload_item = job_input["onload"]
            onload = str(_write(root, PurePosixPath("natron") / PurePosixPath(str(onload_item.get("name", "onload.py"))).name,
                                _fetch(onload_item, "onload")))
        output = _relative(job_input.get("output", ""))
        frames = job_input.get("frames") or [1, 1]
        first, last = int(frames[0]), int(frames[1])
        if first < 0 or last < first:
            raise BadInput(f"frames must be [first, last] with first <= last, got {frames!r}")
        writer = str(job_input.get("writer") or "Writer1")
        root.joinpath(*output.parts).parent.mkdir(parents=True, exist_ok=True)
        renderer = os.environ.get("NATRON_RENDERER") or shutil.which("NatronRenderer") or "NatronRenderer"
        command = render_command(renderer, writer, first, last, str(project_path), onload)
        try:
            done = subprocess.run(command, cwd=root, capture_output=True, text=True,
                                  timeout=float(os.environ.get("RENDER_TIMEOUT", "3600")))
        except FileNotFoundError:
            return {"error": f"NatronRenderer not found ({renderer})"}
        except subprocess.TimeoutExpired:
            return {"error": "the render did not finish in time (RENDER_TIMEOUT)"}
        clip = root.joinpath(*output.parts)
        if done.returncode != 0 or not clip.is_file() or clip.stat().st_size == 0:
            tail = (done.stderr or done.stdout or "").strip().splitlines()[-12:]
            return {"error": f"NatronRenderer exited with {done.returncode}"
                             + ("" if clip.is_file() else f" and wrote no {output}"), "details": tail}
        answer = {"frames": last - first + 1, "seconds": round(time.monotonic() - started, 3)}
        if os.environ.get("BUCKET_ENDPOINT_URL"):
            from runpod.serverless.utils import rp_upload

            url = rp_upload.upload_file_to_bucket(clip.name, str(clip))
            answer["video"] = {"filename": clip.name, "type": "s3_url", "data": url}
        else:
            answer["video"] = {"filename": clip.name, "type": "base64",
                               "data": base64.b64encode(clip.read_bytes()).decode("ascii")}
        return answer
    except BadInput as exc:
        return {"error": f"bad input: {exc}"}
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    import runpod

    runpod.serverless.start({"handler": handler})
