"""The executor interface: what every generation backend (ComfyUI, Running Hub, Runpod) implements.

A *generation job* is one stage of one take of one scene (``SC_03`` / ``hero`` / ``v01``) as the
compiler emitted it: an API-form ComfyUI payload plus the local files it references by name. An
:class:`Executor` takes a job to a :class:`GenerationResult` — files downloaded to a local
scratch directory, not yet verified or stored; the build verifies (decodes) and ingests them.

Errors are split by what the build should do next:

* :class:`cmfc.build.registry.TransientError` (re-exported here): the server failed, hung, dropped
  the connection or died with our prompt queued. The pool cools that server down and retries the
  job on another one.
* :class:`PermanentError`: the job itself is wrong (the server rejected it with ``node_errors``,
  a model is missing, the node raised). Retrying elsewhere would fail the same way; the build
  reports it by scene, stage, node and input and applies its placeholder rule.

Nothing in this module may hold a secret: ``identity()`` and ``GenerationResult.server`` enter
action keys and the manifest, so they name a server by a secret-free label (scheme, host, port),
never by a URL carrying a token.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Literal, Mapping, Protocol, runtime_checkable

from cmfc.build.registry import TransientError

__all__ = [
    "CancelledError", "Executor", "ExecutorPool", "Finding", "GeneratedFile", "GenerationJob",
    "GenerationResult", "PermanentError", "ProgressCallback", "Stage", "TransientError",
]

Stage = Literal["hero", "relight", "motion"]
OutputKind = Literal["image", "video"]
ProgressCallback = Callable[[int, int], None]
"""``on_progress(step, total)``: the server's own step counter (ComfyUI ``progress`` messages)."""


class PermanentError(Exception):
    """The job cannot succeed anywhere as it is (node_errors, missing model, node exception).

    ``details`` are human sentences naming scene, stage, node title and input where known.
    """

    def __init__(self, message: str, details: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.details = tuple(details)

    def __str__(self) -> str:
        head = super().__str__()
        return head if not self.details else head + "\n" + "\n".join(f"  - {d}" for d in self.details)


class CancelledError(Exception):
    """The job stopped because the caller set ``cancel``; our prompt was cancelled on the server."""


@dataclass(frozen=True)
class GenerationJob:
    """One stage of one take, as compiled. Frozen: the same job may be retried on another server.

    ``payload`` is the API-form graph exactly as the compiler emitted it; file-name inputs in it
    (``LoadImage.image`` and similar) name the keys of ``uploads``. The executor uploads each
    local file and rewrites those references to whatever name the server returned.
    ``output_name`` is the ``filename_prefix`` stem the payload's save node writes (for logs).
    """

    scene: str                      # "SC_03"
    stage: Stage                    # "hero" | "relight" | "motion"
    take: str                       # "v01"
    payload: Mapping                # API-form ComfyUI graph {node_id: {class_type, inputs, _meta}}
    uploads: Mapping[str, Path] = field(default_factory=dict)  # name the payload uses -> local file
    expect: OutputKind = "image"
    seed: int | None = None
    models: tuple[str, ...] = ()    # model file names the payload names (for doctor and the manifest)
    label: str = ""                 # e.g. "SC_03 hero v01 (comfyui/P_SC_03_HERO_v01.json)"

    def describe(self) -> str:
        """How error messages name the job."""
        return self.label or f"{self.scene} {self.stage} {self.take}"


@dataclass(frozen=True)
class GeneratedFile:
    """A file the server produced, downloaded to ``path`` (scratch, not yet verified)."""

    path: Path
    kind: OutputKind
    remote_name: str = ""           # "subfolder/filename" on the server, for the manifest


@dataclass(frozen=True)
class GenerationResult:
    """What a finished job brought back. Every field is secret-free (it goes into the manifest)."""

    files: tuple[GeneratedFile, ...]
    server: str                     # secret-free label, e.g. "comfyui http://gpu1:8188"
    job_id: str                     # the remote prompt / task id
    seed: int | None = None
    models: tuple[str, ...] = ()
    timings: Mapping[str, float] = field(default_factory=dict)  # "queued", "ran", "downloaded" (seconds)


@dataclass(frozen=True)
class Finding:
    """One line of ``cmfc doctor``: ``ok`` False means the build will fail on this server."""

    server: str
    ok: bool
    what: str                       # "reachable", "version", "node VHS_VideoCombine", "model loras/x.safetensors"
    detail: str = ""                # what is missing and where to put it


@runtime_checkable
class Executor(Protocol):
    """A backend that can run generation jobs. One instance = one server (or one cloud account).

    Implementations must be safe to call ``run`` from several threads at once (the pool bounds it).
    """

    kind: str                       # "comfyui", "runninghub", "runpod": enters the action key

    def identity(self) -> dict:
        """A stable, secret-free dict that enters action keys: kind plus what changes the pixels
        (e.g. the server's node-class and model-file set), never a URL with a token, never a time."""
        ...

    def doctor(self, jobs: list[GenerationJob]) -> list[Finding]:
        """Check the server can run ``jobs``: reachable, version, node classes, model files, queue."""
        ...

    def run(self, job: GenerationJob, on_progress: ProgressCallback, cancel: threading.Event) -> GenerationResult:
        """Upload, submit, follow, download. Raises TransientError, PermanentError or CancelledError.

        Every network call has a timeout. When ``cancel`` is set, cancel *only this job's* remote
        work (never a global interrupt on a shared server) and raise CancelledError.
        """
        ...


class ExecutorPool:
    """Several executors of one kind: bounded jobs in flight per server, failing servers cooled down.

    ``run`` picks the least-loaded healthy server, runs the job there, and on TransientError cools
    that server down for ``cooldown`` seconds and tries another, up to ``attempts`` servers in all.
    PermanentError and CancelledError pass straight through (not retried elsewhere).
    """

    def __init__(self, executors: list[Executor], max_in_flight: int = 1, cooldown: float = 30.0,
                 attempts: int = 3, clock: Callable[[], float] = time.monotonic) -> None:
        if not executors:
            raise ValueError("an executor pool needs at least one executor")
        self.executors = list(executors)
        self.max_in_flight = max(1, int(max_in_flight))
        self.cooldown = cooldown
        self.attempts = max(1, attempts)
        self._clock = clock
        self._cond = threading.Condition()
        self._busy = [0] * len(self.executors)
        self._cool_until = [0.0] * len(self.executors)

    @property
    def kind(self) -> str:
        return self.executors[0].kind

    def identity(self) -> dict:
        """Key material shared by the pool: the kind and the servers' identities, order-free."""
        ids = sorted((_canonical(e.identity()) for e in self.executors))
        return {"kind": self.kind, "servers": ids if len(set(ids)) > 1 else ids[:1]}

    def doctor(self, jobs: list[GenerationJob]) -> list[Finding]:
        return [finding for executor in self.executors for finding in executor.doctor(jobs)]

    def _acquire(self, tried: set[int], cancel: threading.Event) -> int:
        with self._cond:
            while True:
                if cancel.is_set():
                    raise CancelledError("cancelled before it started")
                now = self._clock()
                candidates = [i for i in range(len(self.executors))
                              if i not in tried and self._busy[i] < self.max_in_flight]
                healthy = [i for i in candidates if self._cool_until[i] <= now]
                if healthy:
                    best = min(healthy, key=lambda i: (self._busy[i], i))
                    self._busy[best] += 1
                    return best
                untried = [i for i in range(len(self.executors)) if i not in tried]
                if not untried:
                    raise TransientError("every server failed this job")
                # All untried servers are busy or cooling: wait for a slot or the earliest thaw.
                thaw = min((self._cool_until[i] for i in untried if self._cool_until[i] > now), default=None)
                self._cond.wait(timeout=min(0.5, max(0.01, thaw - now)) if thaw else 0.5)

    def _release(self, index: int, failed: bool) -> None:
        with self._cond:
            self._busy[index] -= 1
            if failed and len(self.executors) > 1:  # a lone server is retried by the build's own backoff
                self._cool_until[index] = self._clock() + self.cooldown
            self._cond.notify_all()

    def run(self, job: GenerationJob, on_progress: ProgressCallback, cancel: threading.Event) -> GenerationResult:
        tried: set[int] = set()
        errors: list[str] = []
        for _ in range(min(self.attempts, len(self.executors))):
            index = self._acquire(tried, cancel)
            tried.add(index)
            executor = self.executors[index]
            try:
                result = executor.run(job, on_progress, cancel)
            except TransientError as exc:
                self._release(index, failed=True)
                errors.append(f"{server_label(executor)}: {exc}")
                continue
            except BaseException:
                self._release(index, failed=False)
                raise
            self._release(index, failed=False)
            return result
        raise TransientError(f"{job.describe()}: failed on every server tried: " + "; ".join(errors))


def server_label(executor: Executor) -> str:
    """A secret-free name for log lines."""
    return str(executor.identity().get("server", executor.kind))


def _canonical(value: dict) -> str:
    import json

    return json.dumps(value, sort_keys=True, separators=(",", ":"))
