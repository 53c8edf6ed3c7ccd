"""Compositing executors: a scene's compiled Natron project rendered by NatronRenderer, here or on Runpod.

The generation interface (``base.py``) is about ComfyUI payloads; a composite is a different job,
so this module adds its own small one: :class:`CompositeJob` (the compiled ``.ntp``/``.py``, the
Write node, the frame range, the project root it reads from) and :class:`CompositeResult` (the
verified clip and *which* executor made it, for the manifest). Without Natron and without a
Runpod Natron endpoint, ``find_renderer`` answers None and the build keeps its local ffmpeg
compositor.

The command line is Natron's own (``Engine/CLArgs.cpp`` usage, natronexecution.rst)::

    NatronRenderer --no-settings -w <Writer> <absolute output> <first>-<last> [-l <onload.py>] <project>

``--no-settings`` (as Natron-Tests' runTests.sh renders) keeps a user's preferences out of the
render; the output filename after ``-w`` (absolute paths only, per the usage text) lets us render
to a temporary name and move the clip into place only once it decodes with the right frame count.
"""

from __future__ import annotations

import base64
import os
import re
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from .base import CancelledError, Finding, PermanentError, TransientError

VERSION_RE = re.compile(r"Natron\S*\s+[Vv]ersion\s+(\d+\.\d+(?:\.\d+)?)")


@dataclass(frozen=True)
class CompositeJob:
    """One scene's composite. Paths in ``inputs`` and ``output_rel`` are project-relative."""

    scene: str
    project: Path                   # the compiled natron/<PROJECT>_<SCENE>.ntp (or .py)
    writer: str                     # the Write node's script name ("Writer1", a master comp's own)
    first: int
    last: int
    root: Path                      # the project root: relative paths in the project resolve here
    output_rel: str                 # where the Writer writes, e.g. 03_OUTPUT/P/04_fabrication/…_FX_v01.mov
    onload: Path | None = None      # natron/cmfc_paths.py for a .ntp
    inputs: tuple[str, ...] = ()    # project-relative files it reads (sent along to a remote worker)

    @property
    def frames(self) -> int:
        return self.last - self.first + 1


@dataclass(frozen=True)
class CompositeResult:
    path: Path
    executor: str                   # "natron 2.5.0", "runpod-natron <endpoint>": the manifest's executor
    frames: int
    timings: dict = field(default_factory=dict)


def find_renderer(configured: str | None = None) -> str | None:
    """``[executors] natron = "/path/to/NatronRenderer"`` if it is an executable, else NatronRenderer on PATH."""
    if configured:
        path = Path(configured).expanduser()
        return str(path) if path.is_file() and os.access(path, os.X_OK) else None
    return shutil.which("NatronRenderer")


def renderer_version(renderer: str, timeout: float = 30.0) -> str:
    """The version NatronRenderer prints for ``-v`` (its welcome line "Natron Version 2.5.0")."""
    try:
        done = subprocess.run([renderer, "-v"], capture_output=True, text=True, timeout=timeout)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise TransientError(f"{renderer}: cannot run it ({type(exc).__name__})") from None
    match = VERSION_RE.search(done.stdout + done.stderr)
    if not match:
        raise TransientError(f"{renderer}: -v printed no Natron version")
    return match.group(1)


def render_command(renderer: str, job: CompositeJob, output: Path) -> list[str]:
    """NatronRenderer's arguments for ``job``, writing to the absolute ``output``."""
    command = [renderer, "--no-settings", "-w", job.writer, str(output), f"{job.first}-{job.last}"]
    if job.onload is not None:
        command += ["-l", str(Path(job.onload).resolve())]
    return command + [str(Path(job.project).resolve())]


def count_frames(path: Path) -> int:
    """Frames in a video, by decoding it (imageio-ffmpeg); 0 when it does not decode."""
    import imageio_ffmpeg

    try:
        return int(imageio_ffmpeg.count_frames_and_secs(str(path))[0])
    except (RuntimeError, OSError, ValueError):
        return 0


def verify_clip(path: Path, frames: int, who: str) -> None:
    if not path.is_file() or path.stat().st_size == 0:
        raise TransientError(f"{who}: wrote no clip")
    got = count_frames(path)
    if got != frames:
        raise TransientError(f"{who}: the clip has {got} decodable frames, expected {frames}")


class NatronExecutor:
    """A local NatronRenderer."""

    kind = "natron"

    def __init__(self, renderer: str, timeout: float = 3600.0) -> None:
        self.renderer = renderer
        self.timeout = timeout
        self._version: str | None = None

    @property
    def version(self) -> str:
        if self._version is None:
            self._version = renderer_version(self.renderer)
        return self._version

    def identity(self) -> dict:
        return {"kind": self.kind, "version": self.version}

    def doctor(self) -> list[Finding]:
        try:
            return [Finding("natron (local)", True, "version", f"NatronRenderer {self.version} at {self.renderer}")]
        except TransientError as exc:
            return [Finding("natron (local)", False, "version", str(exc))]

    def render(self, job: CompositeJob, cancel: threading.Event) -> CompositeResult:
        target = job.root / job.output_rel
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.stem}.partial{target.suffix}")
        partial.unlink(missing_ok=True)
        command = render_command(self.renderer, job, partial)
        started = time.monotonic()
        who = f"{job.scene}: NatronRenderer"
        process = subprocess.Popen(command, cwd=job.root, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        output: list[str] = []
        reader = threading.Thread(target=lambda: output.extend(process.stdout), daemon=True)
        reader.start()
        while True:
            try:
                code = process.wait(timeout=0.2)
                break
            except subprocess.TimeoutExpired:
                pass
            if cancel.is_set() or time.monotonic() - started > self.timeout:
                process.kill()
                process.wait()
                partial.unlink(missing_ok=True)
                if cancel.is_set():
                    raise CancelledError(f"{who}: cancelled")
                raise TransientError(f"{who}: did not finish within {self.timeout:g} s")
        reader.join(5)
        if code != 0:
            partial.unlink(missing_ok=True)
            tail = "".join(output).strip().splitlines()[-8:]
            raise PermanentError(f"{who} exited with {code}", tuple(tail))
        try:
            verify_clip(partial, job.frames, who)
        except TransientError:
            partial.unlink(missing_ok=True)
            raise
        os.replace(partial, target)
        return CompositeResult(target, f"natron {self.version}", job.frames,
                               {"ran": round(time.monotonic() - started, 3)})


class RunpodNatronExecutor:
    """A Runpod endpoint running workers/natron: the scene and the files it reads go up, the clip comes back."""

    kind = "runpod-natron"

    def __init__(self, runpod) -> None:  # a cmfc.executors.runpod.RunpodExecutor for the endpoint
        self.runpod = runpod

    def identity(self) -> dict:
        return {"kind": self.kind, "server": f"runpod:{self.runpod.endpoint_id}"}

    def request_body(self, job: CompositeJob) -> dict:
        def b64(path: Path) -> str:
            return base64.b64encode(Path(path).read_bytes()).decode("ascii")

        body = {"project": {"name": Path(job.project).name, "data": b64(job.project)},
                "writer": job.writer, "frames": [job.first, job.last], "output": job.output_rel,
                "files": [{"path": rel, "data": b64(job.root / rel)} for rel in sorted(set(job.inputs))]}
        if job.onload is not None:
            body["onload"] = {"name": Path(job.onload).name, "data": b64(job.onload)}
        size = len(str(body))
        if size > self.runpod.run_limit:
            raise PermanentError(f"{job.scene}: the scene and its inputs are {size / 1e6:.1f} MB once base64, over "
                                 f"Runpod's 10 MB per request", ("render this scene locally, or shorten its inputs",))
        return {"input": body}

    def render(self, job: CompositeJob, cancel: threading.Event) -> CompositeResult:
        rp = self.runpod
        started = time.monotonic()
        answer = rp._call("POST", "/run", "run", cancel, json=self.request_body(job))
        job_id = str(answer.get("id") or "")
        if not job_id:
            raise TransientError(f"{rp.label}: run: the answer has no job id")
        try:
            final = rp._follow(_Named(job.scene), job_id, cancel, started)
        except CancelledError:
            rp.cancel(job_id)
            raise
        output = final.get("output") or {}
        if output.get("error"):
            from .runpod import _error_text

            raise PermanentError(f"{job.scene}: the Natron worker failed: {_error_text(output)}")
        video = output.get("video") or {}
        target = job.root / job.output_rel
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.stem}.partial{target.suffix}")
        who = f"{job.scene}: {rp.label}"
        if video.get("type") == "s3_url":
            rp._download(_Named(job.scene), str(video.get("data")), partial)
        else:
            try:
                partial.write_bytes(base64.b64decode(str(video.get("data", "")), validate=True))
            except ValueError:
                raise TransientError(f"{who}: the clip is not valid base64 (cut off?)") from None
        try:
            verify_clip(partial, job.frames, who)
        except TransientError:
            partial.unlink(missing_ok=True)
            raise
        os.replace(partial, target)
        return CompositeResult(target, f"runpod-natron {rp.endpoint_id}", job.frames,
                               {"queued": round(float(final.get("delayTime") or 0) / 1000, 3),
                                "ran": round(float(final.get("executionTime") or 0) / 1000, 3)})


class _Named:
    """What RunpodExecutor's helpers need of a job: a name for messages."""

    def __init__(self, name: str) -> None:
        self.name = name

    def describe(self) -> str:
        return self.name
