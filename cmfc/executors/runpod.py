"""The Runpod executor: our compiled payload on a Runpod serverless endpoint running worker-comfyui.

Runpod's serverless API (docs.runpod.io "Send requests to an endpoint"; the ``runpod`` SDK's
``runpod/endpoint/runner.py`` makes the same calls): ``POST {base}/{endpoint}/run`` with
``{"input": …}`` answers ``{"id", "status": "IN_QUEUE"}``; ``GET …/status/{id}`` answers ``status``
(``IN_QUEUE``, ``IN_PROGRESS``, ``COMPLETED``, ``FAILED``, ``CANCELLED``, ``TIMED_OUT``) with
``output`` or ``error``, ``delayTime`` and ``executionTime`` (ms); ``POST …/cancel/{id}`` cancels one
job; ``GET …/health`` counts jobs and workers (for doctor). Auth: ``Authorization: Bearer <key>``.
A ``/run`` body may be at most 10 MB; HTTP 429 means too many requests (we wait and retry).

The job contract is runpod-workers/worker-comfyui's ``handler.py``: ``input.workflow`` = the API-form
graph (our payload as is), ``input.images`` = ``[{"name", "image": base64}]`` uploaded to ComfyUI
under ``name`` before the run (the payload already names them so). Its answer
``output.images`` = ``[{"filename", "type": "base64" | "s3_url", "data"}]`` (videos that ComfyUI
lists under ``images`` come the same way); a failed run answers ``{"error", "details"}``.

Inputs that would push the body over 10 MB go to the user's S3 bucket (``[executors.runpod.s3]``)
through a presigned PUT and are passed as a presigned GET URL in ``image`` (the stock worker
only decodes base64: such a job needs a worker that downloads URLs, like workers/natron); without
a bucket the job fails with a sentence saying what to configure.

Why a small HTTP client and not the ``runpod`` SDK here: the SDK keeps the key and the API base in
module globals (``runpod.api_key``, ``runpod.endpoint_url_base``), so two endpoints or accounts
cannot live side by side in one build, and its ``Job.output()`` polls with its own sleeps and
timeouts that a cancel event cannot interrupt; its dependency tree (aiohttp, boto3, fastapi,
paramiko…) serves the worker side. The five calls are simple; the SDK stays the runtime of the
worker we ship (workers/natron), installed by the optional extra ``cmfc[runpod]``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from .base import (
    CancelledError,
    Finding,
    GeneratedFile,
    GenerationJob,
    GenerationResult,
    PermanentError,
    ProgressCallback,
    TransientError,
)
from .keys import redact
from .s3 import S3Location, presign

KEY_ENV = "RUNPOD_API_KEY"
DEFAULT_BASE = "https://api.runpod.ai/v2"
RUN_LIMIT = 10 * 1000 * 1000          # bytes of a /run body (Runpod: 10 MB)
ENVELOPE_ROOM = 64 * 1024             # what the workflow JSON and the envelope may take besides inputs
RUNNING = ("IN_QUEUE", "IN_PROGRESS")
VIDEO_SUFFIXES = (".mp4", ".webm", ".mov", ".mkv", ".gif")
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp")


@dataclass(frozen=True)
class Timeouts:
    connect: float = 10.0
    read: float = 60.0
    run: float = 3600.0
    poll: float = 2.0
    download: float = 300.0
    busy: float = 5.0               # first wait after HTTP 429 (doubles, at most 60 s)


@dataclass(frozen=True)
class S3Credentials:
    location: S3Location
    access_key: str
    secret_key: str


class RunpodExecutor:
    """One Runpod serverless endpoint (``endpoint_id``) running the worker-comfyui contract."""

    kind = "runpod"

    def __init__(self, api_key: str | None, endpoint_id: str, base_url: str = DEFAULT_BASE,
                 s3: S3Credentials | None = None, timeouts: Timeouts | None = None,
                 scratch: Path | None = None, run_limit: int = RUN_LIMIT) -> None:
        self._key = api_key or ""
        self.endpoint_id = endpoint_id
        self.base_url = base_url.rstrip("/")
        self.s3 = s3
        self.timeouts = timeouts or Timeouts()
        self._scratch = scratch
        self.run_limit = run_limit
        self._local = threading.local()
        self.label = f"runpod endpoint {endpoint_id}"

    def __repr__(self) -> str:
        return f"RunpodExecutor({self.label!r})"

    # ----- HTTP ------------------------------------------------------------------------------

    def _session(self):
        session = getattr(self._local, "session", None)
        if session is None:
            import requests

            session = requests.Session()
            session.headers["Authorization"] = f"Bearer {self._key}"
            self._local.session = session
        return session

    def _call(self, method: str, path: str, what: str, cancel: threading.Event | None = None, **kwargs) -> dict:
        """One call to the endpoint; 429 waits and retries, 401/403/404 are permanent, 5xx transient."""
        import requests

        wait = self.timeouts.busy
        deadline = time.monotonic() + self.timeouts.run
        while True:
            try:
                response = self._session().request(method, f"{self.base_url}/{self.endpoint_id}{path}",
                                                   timeout=(self.timeouts.connect, self.timeouts.read), **kwargs)
            except requests.Timeout:
                raise TransientError(f"{self.label}: {what}: no answer within {self.timeouts.read:g} s") from None
            except requests.RequestException as exc:
                raise TransientError(f"{self.label}: {what}: {type(exc).__name__}") from None
            if response.status_code == 429 and time.monotonic() + wait < deadline:
                if cancel is not None and cancel.wait(wait):
                    raise CancelledError(f"{self.label}: cancelled while Runpod was busy")
                if cancel is None:
                    threading.Event().wait(wait)
                wait = min(60.0, wait * 2)
                continue
            if response.status_code in (401, 403):
                raise PermanentError(f"{self.label}: {what}: Runpod refused the API key (HTTP "
                                     f"{response.status_code}): check {KEY_ENV}")
            if response.status_code == 404:
                raise PermanentError(f"{self.label}: {what}: Runpod has no such endpoint or job (HTTP 404): "
                                     f"check the endpoint id in cmfc.toml")
            if response.status_code == 413:
                raise PermanentError(f"{self.label}: {what}: the request is larger than Runpod accepts (HTTP 413)")
            if response.status_code != 200:
                raise TransientError(f"{self.label}: {what}: HTTP {response.status_code}")
            try:
                return response.json()
            except ValueError:
                raise TransientError(f"{self.label}: {what}: the answer is not JSON") from None

    # ----- identity and doctor ---------------------------------------------------------------

    def identity(self) -> dict:
        return {"kind": self.kind, "server": f"runpod:{self.endpoint_id}"}

    def doctor(self, jobs: list[GenerationJob]) -> list[Finding]:
        if not self._key:
            return [Finding(self.label, False, "API key",
                            f"no key: set {KEY_ENV} in the environment or in the project's .env file")]
        try:
            health = self._call("GET", "/health", "health")
        except (TransientError, PermanentError) as exc:
            return [Finding(self.label, False, "reachable", redact(str(exc), self._key))]
        workers = health.get("workers") or {}
        queue = health.get("jobs") or {}
        return [Finding(self.label, True, "reachable",
                        f"workers idle {workers.get('idle', 0)}, running {workers.get('running', 0)}; "
                        f"jobs in queue {queue.get('inQueue', 0)}, in progress {queue.get('inProgress', 0)}")]

    # ----- a job -----------------------------------------------------------------------------

    def request_body(self, job: GenerationJob) -> dict:
        """The /run body: the workflow and its inputs (base64, or presigned URLs for big ones)."""
        workflow = json.loads(json.dumps(job.payload))
        inputs = sorted((name, Path(path)) for name, path in job.uploads.items())
        room = self.run_limit - ENVELOPE_ROOM - len(json.dumps(workflow))
        images, total = [], 0
        for name, path in inputs:
            size = (path.stat().st_size + 2) // 3 * 4
            if total + size <= room:
                images.append({"name": name, "image": base64.b64encode(path.read_bytes()).decode("ascii")})
                total += size
            else:
                images.append({"name": name, "image": self._stage_to_s3(job, name, path)})
        body = {"input": {"workflow": workflow, "images": images}}
        if not images:
            del body["input"]["images"]
        return body

    def _stage_to_s3(self, job: GenerationJob, name: str, path: Path) -> str:
        if self.s3 is None:
            raise PermanentError(
                f"{job.describe()}: {path.name} ({path.stat().st_size / 1e6:.1f} MB) does not fit in a Runpod "
                f"request (10 MB at most, base64 included)",
                ("configure a bucket for big inputs: [executors.runpod.s3] bucket = \"…\" (and region or "
                 "endpoint) in cmfc.toml, with AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment "
                 "or .env; the worker must accept URLs in input.images (the stock worker-comfyui decodes "
                 "base64 only)", "or make the input smaller"))
        import requests

        s3 = self.s3
        digest = hashlib.sha256()
        with open(path, "rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
        key = f"{s3.location.prefix}{digest.hexdigest()[:32]}{path.suffix.lower()}"  # same file, same key
        put = presign("PUT", s3.location, key, s3.access_key, s3.secret_key, expires=3600)
        try:
            with open(path, "rb") as handle:
                response = requests.put(put, data=handle, timeout=(self.timeouts.connect, self.timeouts.download))
        except requests.RequestException as exc:
            raise TransientError(f"{job.describe()}: upload of {path.name} to S3: {type(exc).__name__}") from None
        if response.status_code != 200:
            raise TransientError(f"{job.describe()}: upload of {path.name} to S3: HTTP {response.status_code}")
        return presign("GET", s3.location, key, s3.access_key, s3.secret_key, expires=int(self.timeouts.run) + 3600)

    def run(self, job: GenerationJob, on_progress: ProgressCallback, cancel: threading.Event) -> GenerationResult:
        if not self._key:
            raise PermanentError(f"{job.describe()}: no Runpod API key",
                                 (f"set {KEY_ENV} in the environment or in the project's .env file",))
        started = time.monotonic()
        body = self.request_body(job)
        if cancel.is_set():
            raise CancelledError(f"{job.describe()}: cancelled before it was submitted")
        answer = self._call("POST", "/run", "run", cancel, json=body)
        job_id = str(answer.get("id") or "")
        if not job_id:
            raise TransientError(f"{self.label}: run: the answer has no job id")
        on_progress(0, 1)
        try:
            final = self._follow(job, job_id, cancel, started)
        except CancelledError:
            self.cancel(job_id)
            raise
        files = self._outputs(job, job_id, final)
        on_progress(1, 1)
        timings = {"queued": round(float(final.get("delayTime") or 0) / 1000, 3),
                   "ran": round(float(final.get("executionTime") or 0) / 1000, 3)}
        return GenerationResult(files=files, server=f"runpod {self.endpoint_id}", job_id=job_id,
                                seed=job.seed, models=job.models, timings=timings)

    def status(self, job_id: str) -> dict:
        return self._call("GET", f"/status/{job_id}", "status")

    def cancel(self, job_id: str) -> None:
        try:
            self._call("POST", f"/cancel/{job_id}", "cancel")
        except (TransientError, PermanentError):
            pass

    def _follow(self, job: GenerationJob, job_id: str, cancel: threading.Event, started: float) -> dict:
        deadline = started + self.timeouts.run
        while True:
            if cancel.is_set():
                raise CancelledError(f"{job.describe()}: cancelled; Runpod job {job_id} cancelled")
            if time.monotonic() > deadline:
                self.cancel(job_id)
                raise TransientError(f"{job.describe()}: {self.label}: job {job_id} did not finish within "
                                     f"{self.timeouts.run:g} s (cancelled)")
            answer = self.status(job_id)
            state = answer.get("status")
            if state == "COMPLETED":
                return answer
            if state == "FAILED":
                raise PermanentError(f"{job.describe()}: Runpod job {job_id} failed: {_error_text(answer.get('error'))}")
            if state == "TIMED_OUT":
                raise TransientError(f"{job.describe()}: Runpod job {job_id} timed out on the endpoint "
                                     f"(its execution timeout)")
            if state == "CANCELLED":
                raise TransientError(f"{job.describe()}: Runpod job {job_id} was cancelled by someone else")
            if state not in RUNNING:
                raise TransientError(f"{job.describe()}: Runpod job {job_id} is in an unknown state {state!r}")
            if cancel.wait(self.timeouts.poll):
                raise CancelledError(f"{job.describe()}: cancelled; Runpod job {job_id} cancelled")

    def _outputs(self, job: GenerationJob, job_id: str, answer: dict) -> tuple[GeneratedFile, ...]:
        output = answer.get("output")
        if isinstance(output, dict) and output.get("error"):
            raise PermanentError(f"{job.describe()}: Runpod job {job_id} failed: {_error_text(output)}")
        items = (output or {}).get("images") if isinstance(output, dict) else None
        suffixes = IMAGE_SUFFIXES if job.expect == "image" else VIDEO_SUFFIXES
        picked = [i for i in items or [] if isinstance(i, dict) and Path(str(i.get("filename", ""))).suffix.lower() in suffixes]
        if not picked:
            names = ", ".join(str(i.get("filename")) for i in items or [] if isinstance(i, dict)) or "nothing"
            raise PermanentError(f"{job.describe()}: Runpod job {job_id} produced no {job.expect} (it produced: "
                                 f"{names}); does the workflow end in a save node?")
        folder = self._scratch_dir() / job_id
        folder.mkdir(parents=True, exist_ok=True)
        files = []
        for n, item in enumerate(picked):
            suffix = Path(str(item["filename"])).suffix.lower()
            target = folder / f"{n:02d}{suffix}"
            partial = target.with_name(target.name + ".part")
            if item.get("type") == "s3_url":
                self._download(job, str(item.get("data")), partial)
            else:
                try:
                    partial.write_bytes(base64.b64decode(str(item.get("data", "")), validate=True))
                except ValueError:
                    raise TransientError(f"{job.describe()}: Runpod job {job_id}: output {item['filename']} is not "
                                         f"valid base64 (cut off?)") from None
            from .runninghub import _check_kind

            _check_kind(job, partial, suffix.lstrip("."), f"output {item['filename']}", self.label)
            os.replace(partial, target)
            files.append(GeneratedFile(target, job.expect, remote_name=str(item["filename"])))
        return tuple(files)

    def _download(self, job: GenerationJob, url: str, target: Path) -> None:
        import requests

        try:
            response = requests.get(url, timeout=(self.timeouts.connect, self.timeouts.download))
        except requests.RequestException as exc:
            raise TransientError(f"{job.describe()}: download of an S3 output: {type(exc).__name__}") from None
        if response.status_code != 200:
            raise TransientError(f"{job.describe()}: download of an S3 output: HTTP {response.status_code}"
                                 + (" (the presigned URL expired)" if response.status_code == 403 else ""))
        expected = response.headers.get("Content-Length")
        if expected is not None and len(response.content) != int(expected):
            raise TransientError(f"{job.describe()}: download of an S3 output: truncated")
        target.write_bytes(response.content)

    def _scratch_dir(self) -> Path:
        if self._scratch is None:
            import tempfile

            self._scratch = Path(tempfile.mkdtemp(prefix=f"cmfc-runpod-{uuid.uuid4().hex[:6]}-"))
        return self._scratch


def _error_text(error) -> str:
    """Runpod's ``error`` (a string, often JSON) or worker-comfyui's ``{"error", "details"}`` in words."""
    if isinstance(error, str):
        try:
            error = json.loads(error)
        except ValueError:
            return error.strip() or "no reason given"
    if isinstance(error, dict):
        head = str(error.get("error") or error.get("error_message") or error.get("message") or "failed")
        details = error.get("details") or []
        if isinstance(details, list) and details:
            return head + ": " + "; ".join(str(d) for d in details)
        return head
    return str(error or "no reason given")


def endpoints_from(config: Mapping) -> list[str]:
    """Endpoint ids from ``[executors.runpod] endpoint = "…"`` or ``endpoints = [...]``."""
    ids = config.get("endpoints") or ([config["endpoint"]] if config.get("endpoint") else [])
    return [str(i) for i in ids]
