"""The Running Hub executor: our compiled ComfyUI payload run on RunningHub's cloud (its OpenAPI task flow).

Written from RunningHub's official API documentation (runninghub-api-doc: "Start ComfyUI Task 2 -
Advanced", "Upload Resource", "Check Task Status", "Check Task Output", "Cancel ComfyUI Task",
"Get Account Information", the error-code table) and checked against public clients:

* Every call is ``POST`` with a JSON body carrying ``apiKey`` and the ``Host`` header the docs
  require (``www.runninghub.ai`` or ``www.runninghub.cn``). Replies are ``{"code", "msg", "data"}``;
  ``code`` 0 is success.
* ``/task/openapi/create`` ``{apiKey, workflowId, workflow}``: ``workflow`` is the whole API-form
  graph as a JSON *string* and replaces the saved workflow's graph, so the payload the compiler
  emitted runs as is (the saved ``workflowId`` still chooses the machine image: its custom nodes
  and models). ``data.taskId`` is kept as a string (a 19-digit id does not survive a double).
  ``data.promptTips`` is a JSON string holding ComfyUI's own ``/prompt`` answer; its
  ``node_errors`` are reported by node title and input like the ComfyUI executor does.
* ``/task/openapi/upload`` multipart ``apiKey``, ``fileType`` (image/video/audio), ``file`` answers
  ``data.fileName`` (``api/….png``), which replaces the local name in the payload (the file is not
  publicly readable: only a loader node of our task can use it). At most 30 MB
  a file: a bigger input must be given to the loader node as a URL it can read.
* ``/task/openapi/status`` answers ``data`` = ``QUEUED`` | ``RUNNING`` | ``SUCCESS`` | ``FAILED``;
  ``/task/openapi/outputs`` answers ``data`` = ``[{fileUrl, fileType, taskCostTime, nodeId}]``,
  or code 804 (running) / 813 (queued): keep polling; 805 (failed) with ``data.failedReason``.
* ``/task/openapi/cancel`` ``{apiKey, taskId}``: only our task.
* ``/uc/openapi/accountStatus`` ``{apikey}`` (lower-case in the docs): balance and running tasks.
* 415 / 421 / 814 are the account's concurrency limits: the executor waits and submits again
  (every thread of the account waits, with backoff) instead of failing the build.

The key comes from ``RUNNINGHUB_API_KEY`` or the project's ``.env``; it is sent in request
bodies only, and never appears in ``identity()``, a label, a log line or an error.
"""

from __future__ import annotations

import json
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping
from urllib.parse import urlsplit

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

KEY_ENV = "RUNNINGHUB_API_KEY"
DEFAULT_URL = "https://www.runninghub.ai"
UPLOAD_LIMIT = 30 * 1024 * 1024

THROTTLE_CODES = frozenset({415, 421, 814})
STILL_RUNNING_CODES = frozenset({804, 813})
TRANSIENT_CODES = frozenset({500, 808})
IMAGE_TYPES = frozenset({"png", "jpg", "jpeg", "webp"})
VIDEO_TYPES = frozenset({"mp4", "webm", "mov", "mkv", "gif"})

# Every code of RunningHub's error table (and the few its clients add), in words a user can act on.
ERRORS: dict[int, str] = {
    301: "a request parameter is invalid (PARAMS_INVALID)",
    380: "the workflow id does not exist on Running Hub (WORKFLOW_NOT_EXISTS): check "
         "[executors.runninghub.workflows] in cmfc.toml",
    412: "the request was refused as unauthenticated (TOKEN_INVALID); this usually means a wrong "
         "address: check the Running Hub URL in cmfc.toml",
    415: "the account's machines are all busy (TASK_INSTANCE_MAXED); waiting for one",
    416: "the account's balance is too low to start a task (TASK_CREATE_FAILED_BY_NOT_ENOUGH_WALLET): "
         "top it up on runninghub",
    421: "the account's task queue is full (TASK_QUEUE_MAXED); waiting for room",
    423: "Running Hub does not know this task (TASK_NOT_FOUND)",
    433: "Running Hub's ComfyUI rejected the workflow (VALIDATE_PROMPT_FAILED)",
    435: "no exclusive API machine of the requested type (TASK_USER_EXCLAPI_INSTANCE_NOT_FOUND): set "
         "instance_type = \"plus\" under [executors.runninghub] in cmfc.toml or remove it",
    436: "this workflow needs an exclusive API machine (TASK_USER_EXCLAPI_REQUIRED)",
    500: "Running Hub had an internal error (UNKNOWN_ERROR)",
    801: "free accounts cannot use the Running Hub API (APIKEY_UNSUPPORTED_FREE_USER): upgrade the account",
    802: "the API key is not valid (APIKEY_UNAUTHORIZED): check RUNNINGHUB_API_KEY",
    803: "the node overrides do not match the workflow (APIKEY_INVALID_NODE_INFO)",
    804: "the task is still running (APIKEY_TASK_IS_RUNNING)",
    805: "the task failed on Running Hub (APIKEY_TASK_STATUS_ERROR)",
    806: "no Running Hub user has this API key (APIKEY_USER_NOT_FOUND): check RUNNINGHUB_API_KEY",
    807: "Running Hub does not know this task (APIKEY_TASK_NOT_FOUND)",
    808: "the upload failed on Running Hub's side (APIKEY_UPLOAD_FAILED)",
    809: "the file is larger than Running Hub accepts (APIKEY_FILE_SIZE_EXCEEDED, 30 MB)",
    810: "the workflow was never saved and run once in Running Hub's web page "
         "(WORKFLOW_NOT_SAVED_OR_NOT_RUNNING): open it there, run it once, save it",
    811: "the enterprise API key is not valid (CORPAPIKEY_INVALID): check RUNNINGHUB_API_KEY",
    812: "the enterprise account's balance is too low (CORPAPIKEY_INSUFFICIENT_FUNDS)",
    813: "the task is queued (APIKEY_TASK_IS_QUEUED)",
    814: "the account's personal queue is full (PERSONAL_QUEUE_COUNT_LIMIT); waiting for room",
    901: "the AI app does not exist (WEBAPP_NOT_EXISTS)",
}


def describe_code(code: int, msg: str = "") -> str:
    """A sentence for a Running Hub answer code (the server's own ``msg`` when the code is unknown)."""
    known = ERRORS.get(code)
    if known:
        return f"{known} [code {code}]"
    return f"Running Hub answered code {code}" + (f": {msg}" if msg else "")


@dataclass(frozen=True)
class Timeouts:
    """Seconds. ``connect``/``read`` bound each HTTP call, ``run`` one task end to end."""

    connect: float = 10.0
    read: float = 60.0
    upload: float = 300.0
    download: float = 300.0
    run: float = 3600.0
    poll: float = 3.0               # between status calls
    throttle: float = 5.0           # first wait after a concurrency answer (doubles, at most 60 s)
    throttle_max: float = 60.0


def upload_type(path: Path) -> str:
    """The upload's ``fileType``: image, video or audio (the docs' "Upload Resource (image/video/audio)")."""
    suffix = path.suffix.lower()
    if suffix in (".mp4", ".mov", ".webm", ".mkv", ".avi", ".gif"):
        return "video"
    if suffix in (".wav", ".mp3", ".flac", ".ogg", ".m4a"):
        return "audio"
    if suffix in (".png", ".jpg", ".jpeg", ".webp", ".bmp"):
        return "image"
    return "input"


def host_of(url: str) -> str:
    return urlsplit(url).hostname or ""


class RunningHubExecutor:
    """One Running Hub account. ``workflows`` maps a stage to the saved workflow id that runs it."""

    kind = "runninghub"

    def __init__(self, api_key: str | None, workflows: Mapping[str, str], url: str = DEFAULT_URL,
                 host: str | None = None, instance_type: str | None = None,
                 timeouts: Timeouts | None = None, scratch: Path | None = None) -> None:
        self._key = api_key or ""
        self.workflows = dict(workflows)
        self.url = url.rstrip("/")
        self.host = host or host_of(self.url)
        self.instance_type = instance_type
        self.timeouts = timeouts or Timeouts()
        self._scratch = scratch
        self._local = threading.local()
        self._throttle_lock = threading.Condition()
        self._throttle_until = 0.0
        self._throttle_wait = 0.0
        self.label = f"runninghub {self.host}"

    def __repr__(self) -> str:  # never the key
        return f"RunningHubExecutor({self.label!r})"

    # ----- HTTP ------------------------------------------------------------------------------

    def _session(self):
        session = getattr(self._local, "session", None)
        if session is None:
            import requests

            session = requests.Session()
            session.headers["Host"] = self.host
            self._local.session = session
        return session

    def _post(self, path: str, what: str, *, json_body: dict | None = None, read: float | None = None,
              **kwargs) -> dict:
        """One call; returns the envelope. Connection trouble, timeouts, 5xx and non-JSON are transient."""
        import requests

        timeout = (self.timeouts.connect, read or self.timeouts.read)
        try:
            response = self._session().post(self.url + path, json=json_body, timeout=timeout, **kwargs)
        except requests.Timeout:
            raise TransientError(f"{self.label}: {what}: no answer within {timeout[1]:g} s") from None
        except requests.RequestException as exc:
            raise TransientError(self._clean(f"{self.label}: {what}: {type(exc).__name__}")) from None
        if response.status_code >= 500:
            raise TransientError(f"{self.label}: {what}: HTTP {response.status_code}")
        if response.status_code != 200:
            raise TransientError(f"{self.label}: {what}: HTTP {response.status_code}")
        try:
            envelope = response.json()
        except ValueError:
            raise TransientError(f"{self.label}: {what}: the answer is not JSON") from None
        if not isinstance(envelope, dict) or "code" not in envelope:
            raise TransientError(f"{self.label}: {what}: unexpected answer (no code)")
        return envelope

    def _clean(self, text: str) -> str:
        return redact(text, self._key)

    def _fail(self, job: GenerationJob | None, what: str, envelope: dict) -> Exception:
        """The exception for a non-zero code: transient for server trouble, permanent otherwise."""
        code = int(envelope.get("code", -1))
        head = f"{job.describe()}: " if job else ""
        text = self._clean(f"{head}{self.label}: {what}: {describe_code(code, str(envelope.get('msg') or ''))}")
        if code in TRANSIENT_CODES:
            return TransientError(text)
        return PermanentError(text)

    # ----- identity and doctor ---------------------------------------------------------------

    def identity(self) -> dict:
        return {"kind": self.kind, "server": f"https://{self.host}",
                "workflows": dict(sorted(self.workflows.items())),
                "instance_type": self.instance_type or ""}

    def account_status(self) -> dict:
        envelope = self._post("/uc/openapi/accountStatus", "account status", json_body={"apikey": self._key})
        if envelope.get("code") != 0:
            raise self._fail(None, "account status", envelope)
        return envelope.get("data") or {}

    def doctor(self, jobs: list[GenerationJob]) -> list[Finding]:
        server = self.label
        if not self._key:
            return [Finding(server, False, "API key",
                            f"no key: set {KEY_ENV} in the environment or in the project's .env file")]
        findings: list[Finding] = []
        try:
            data = self.account_status()
        except (TransientError, PermanentError) as exc:
            return [Finding(server, False, "account", str(exc))]
        coins = data.get("remainCoins", data.get("remainMoney", "?"))
        running = data.get("currentTaskCounts", "?")
        findings.append(Finding(server, True, "account", f"key accepted; balance {coins}, tasks running {running}"))
        for stage in sorted({job.stage for job in jobs}):
            if self.workflows.get(stage):
                findings.append(Finding(server, True, f"workflow {stage}", f"workflow id {self.workflows[stage]}"))
            else:
                findings.append(Finding(server, False, f"workflow {stage}",
                                        f"no workflow id for stage {stage}: add {stage} = \"<id>\" under "
                                        f"[executors.runninghub.workflows] in cmfc.toml (the id is in the "
                                        f"workflow's address on runninghub; run it once there first)"))
        return findings

    # ----- the task flow ---------------------------------------------------------------------

    def upload(self, job: GenerationJob, name: str, path: Path) -> str:
        """Upload one input; the name Running Hub gives it (``api/….png``)."""
        size = path.stat().st_size
        if size > UPLOAD_LIMIT:
            raise PermanentError(
                f"{job.describe()}: {path.name} is {size / 1048576:.1f} MB; Running Hub takes at most 30 MB "
                f"per uploaded file",
                (f"give it as a URL instead: put the file where the loader node can download it "
                 f"(any https address) and use that URL in the spec, or shorten/compress it under 30 MB",))
        with open(path, "rb") as handle:
            envelope = self._post("/task/openapi/upload", f"upload {path.name}", read=self.timeouts.upload,
                                  data={"apiKey": self._key, "fileType": upload_type(path)},
                                  files={"file": (path.name, handle)})
        if envelope.get("code") != 0:
            raise self._fail(job, f"upload {path.name}", envelope)
        data = envelope.get("data") or {}
        file_name = data.get("fileName") if isinstance(data, dict) else None
        if not file_name:
            raise TransientError(f"{self.label}: upload {path.name}: the answer has no fileName")
        return str(file_name)

    def run(self, job: GenerationJob, on_progress: ProgressCallback, cancel: threading.Event) -> GenerationResult:
        started = time.monotonic()
        workflow_id = self.workflows.get(job.stage)
        if not workflow_id:
            raise PermanentError(f"{job.describe()}: no Running Hub workflow id for stage {job.stage}",
                                 (f"add {job.stage} = \"<id>\" under [executors.runninghub.workflows] in cmfc.toml",))
        if not self._key:
            raise PermanentError(f"{job.describe()}: no Running Hub API key",
                                 (f"set {KEY_ENV} in the environment or in the project's .env file",))
        renames = {name: self.upload(job, name, Path(path)) for name, path in sorted(job.uploads.items())}
        payload = json.loads(json.dumps(job.payload))
        _rewrite_names(payload, renames)
        if cancel.is_set():
            raise CancelledError(f"{job.describe()}: cancelled before it was submitted")
        task_id = self._create(job, workflow_id, payload, cancel)
        queued_at = time.monotonic()
        on_progress(0, 1)
        try:
            files = self._follow(job, task_id, cancel, started)
        except CancelledError:
            self.cancel(task_id)
            raise
        except BaseException:
            if cancel.is_set():
                self.cancel(task_id)
            raise
        on_progress(1, 1)
        done = time.monotonic()
        return GenerationResult(files=files, server=f"runninghub https://{self.host}", job_id=task_id,
                                seed=job.seed, models=job.models,
                                timings={"queued": round(queued_at - started, 3), "ran": round(done - queued_at, 3)})

    def _create(self, job: GenerationJob, workflow_id: str, payload: dict, cancel: threading.Event) -> str:
        body = {"apiKey": self._key, "workflowId": str(workflow_id),
                "workflow": json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False),
                "addMetadata": False}
        if self.instance_type:
            body["instanceType"] = self.instance_type
        deadline = time.monotonic() + self.timeouts.run
        while True:
            self._wait_throttle(cancel, deadline, job)
            envelope = self._post("/task/openapi/create", "create task", json_body=body)
            code = envelope.get("code")
            data = envelope.get("data") if isinstance(envelope.get("data"), dict) else {}
            node_errors = _prompt_node_errors(data.get("promptTips"))
            if node_errors:
                raise PermanentError(f"{job.describe()}: Running Hub's ComfyUI rejected the workflow",
                                     tuple(describe_node_errors(node_errors, payload)))
            if code in THROTTLE_CODES:
                self._throttled()
                continue
            if code != 0:
                raise self._fail(job, "create task", envelope)
            self._unthrottled()
            task_id = data.get("taskId")
            if task_id in (None, ""):
                raise TransientError(f"{self.label}: create task: the answer has no taskId")
            return str(task_id)

    def _wait_throttle(self, cancel: threading.Event, deadline: float, job: GenerationJob) -> None:
        while True:
            with self._throttle_lock:
                wait = self._throttle_until - time.monotonic()
            if wait <= 0:
                return
            if time.monotonic() + wait > deadline:
                raise TransientError(f"{job.describe()}: {self.label}: the account stayed at its concurrency "
                                     f"limit for {self.timeouts.run:g} s")
            if cancel.wait(wait):
                raise CancelledError(f"{job.describe()}: cancelled while waiting for Running Hub capacity")

    def _throttled(self) -> None:
        with self._throttle_lock:
            self._throttle_wait = min(self.timeouts.throttle_max,
                                      self._throttle_wait * 2 if self._throttle_wait else self.timeouts.throttle)
            self._throttle_until = max(self._throttle_until, time.monotonic() + self._throttle_wait)

    def _unthrottled(self) -> None:
        with self._throttle_lock:
            self._throttle_wait = 0.0

    def status(self, task_id: str) -> str:
        envelope = self._post("/task/openapi/status", "task status", json_body={"apiKey": self._key, "taskId": task_id})
        if envelope.get("code") != 0:
            raise self._fail(None, f"status of task {task_id}", envelope)
        data = envelope.get("data")
        if isinstance(data, dict):
            data = data.get("taskStatus") or data.get("status")
        return str(data or "")

    def outputs(self, task_id: str) -> dict:
        return self._post("/task/openapi/outputs", "task outputs", json_body={"apiKey": self._key, "taskId": task_id})

    def cancel(self, task_id: str) -> None:
        """Cancel our task only; best effort (the build is stopping either way)."""
        try:
            self._post("/task/openapi/cancel", "cancel task", json_body={"apiKey": self._key, "taskId": task_id},
                       read=min(10.0, self.timeouts.read))
        except (TransientError, PermanentError):
            pass

    def _follow(self, job: GenerationJob, task_id: str, cancel: threading.Event, started: float) -> tuple[GeneratedFile, ...]:
        deadline = started + self.timeouts.run
        refreshed = False
        while True:
            if cancel.is_set():
                raise CancelledError(f"{job.describe()}: cancelled; Running Hub task {task_id} cancelled")
            if time.monotonic() > deadline:
                self.cancel(task_id)
                raise TransientError(f"{job.describe()}: {self.label}: task {task_id} did not finish within "
                                     f"{self.timeouts.run:g} s (cancelled)")
            state = self.status(task_id)
            if state in ("SUCCESS", "FAILED"):
                envelope = self.outputs(task_id)
                code = envelope.get("code")
                if code in STILL_RUNNING_CODES:
                    pass  # the status ran ahead of the outputs: keep polling
                elif code != 0 or state == "FAILED":
                    raise self._task_failed(job, task_id, envelope)
                else:
                    try:
                        return self._download(job, task_id, envelope.get("data") or [])
                    except _ExpiredURL as expired:
                        if refreshed:
                            raise TransientError(f"{job.describe()}: {self.label}: {expired}") from None
                        refreshed = True  # ask for the outputs again: fresh URLs
                        continue
            elif state not in ("QUEUED", "RUNNING", ""):
                raise TransientError(f"{job.describe()}: {self.label}: task {task_id} is in an unknown state {state!r}")
            if cancel.wait(self.timeouts.poll):
                raise CancelledError(f"{job.describe()}: cancelled; Running Hub task {task_id} cancelled")

    def _task_failed(self, job: GenerationJob, task_id: str, envelope: dict) -> Exception:
        data = envelope.get("data") if isinstance(envelope.get("data"), dict) else {}
        reason = data.get("failedReason") or {}
        if isinstance(reason, str):
            try:
                reason = json.loads(reason)
            except ValueError:
                reason = {"exception_message": reason}
        if reason:
            node = reason.get("node_id", "?")
            title = ((job.payload.get(str(node)) or {}).get("_meta") or {}).get("title") or reason.get("node_name") or ""
            message = str(reason.get("exception_message") or reason.get("exception_type") or "failed").strip()
            text = self._clean(f"{job.describe()}: node {node} “{title}” failed on {self.label} (task {task_id}): {message}")
            if "out of memory" in message.lower() or "OutOfMemory" in str(reason.get("exception_type", "")):
                return TransientError(text)
            return PermanentError(text)
        code = int(envelope.get("code", -1))
        return self._fail(job, f"task {task_id}", envelope) if code != 0 else PermanentError(
            f"{job.describe()}: Running Hub task {task_id} failed without a reason")

    def _download(self, job: GenerationJob, task_id: str, items: list) -> tuple[GeneratedFile, ...]:
        wanted = IMAGE_TYPES if job.expect == "image" else VIDEO_TYPES
        picked = [item for item in items if isinstance(item, dict) and item.get("fileUrl")
                  and str(item.get("fileType", "")).lower().lstrip(".") in wanted]
        if not picked:
            kinds = sorted({str(i.get("fileType")) for i in items if isinstance(i, dict)}) or ["nothing"]
            raise PermanentError(f"{job.describe()}: Running Hub task {task_id} produced no {job.expect} "
                                 f"(it produced: {', '.join(kinds)}); does the workflow end in a save node?")
        folder = self._scratch_dir() / task_id
        folder.mkdir(parents=True, exist_ok=True)
        files = []
        for n, item in enumerate(picked):
            suffix = str(item["fileType"]).lower().lstrip(".")
            target = folder / f"{n:02d}.{suffix}"
            self._fetch(job, str(item["fileUrl"]), target, suffix)
            files.append(GeneratedFile(target, job.expect, remote_name=f"task {task_id} #{n}"))
        return tuple(files)

    def _fetch(self, job: GenerationJob, url: str, target: Path, suffix: str) -> None:
        import requests

        what = f"download of output {target.name}"
        try:
            response = requests.get(url, stream=True, timeout=(self.timeouts.connect, self.timeouts.read))
        except requests.Timeout:
            raise TransientError(f"{job.describe()}: {self.label}: {what}: no answer in time") from None
        except requests.RequestException as exc:
            raise TransientError(f"{job.describe()}: {self.label}: {what}: {type(exc).__name__}") from None
        with response:
            if response.status_code in (403, 404, 410):
                raise _ExpiredURL(f"{what}: the output URL answered HTTP {response.status_code} "
                                  f"(expired or removed)")
            if response.status_code != 200:
                raise TransientError(f"{job.describe()}: {self.label}: {what}: HTTP {response.status_code}")
            expected = response.headers.get("Content-Length")
            partial = target.with_name(target.name + ".part")
            got = 0
            deadline = time.monotonic() + self.timeouts.download
            try:
                with open(partial, "wb") as handle:
                    for chunk in response.iter_content(1 << 16):
                        handle.write(chunk)
                        got += len(chunk)
                        if time.monotonic() > deadline:
                            raise TransientError(f"{job.describe()}: {self.label}: {what}: slower than "
                                                 f"{self.timeouts.download:g} s")
            except requests.RequestException as exc:
                partial.unlink(missing_ok=True)
                raise TransientError(f"{job.describe()}: {self.label}: {what}: cut off ({type(exc).__name__})") from None
            if expected is not None and got != int(expected):
                partial.unlink(missing_ok=True)
                raise TransientError(f"{job.describe()}: {self.label}: {what}: truncated ({got} of {expected} bytes)")
            _check_kind(job, partial, suffix, what, self.label)
            os.replace(partial, target)

    def _scratch_dir(self) -> Path:
        if self._scratch is None:
            import tempfile

            self._scratch = Path(tempfile.mkdtemp(prefix="cmfc-runninghub-"))
        return self._scratch


class _ExpiredURL(Exception):
    pass


# fileType -> what cmfc.media.probe.sniff must find in the bytes
SNIFFED = {"png": "png", "jpg": "jpeg", "jpeg": "jpeg", "webp": "webp", "mp4": "mp4", "mov": "mp4",
           "webm": "mkv", "mkv": "mkv", "gif": "gif"}


def _check_kind(job: GenerationJob, path: Path, suffix: str, what: str, label: str) -> None:
    """The bytes are the kind the answer said (an error page saved as .png is not a take)."""
    from cmfc.media.probe import sniff

    with open(path, "rb") as handle:
        head = handle.read(6)
    kind = "gif" if head[:4] == b"GIF8" else sniff(path)
    if kind != SNIFFED.get(suffix):
        path.unlink(missing_ok=True)
        raise TransientError(f"{job.describe()}: {label}: {what}: not a {suffix} file "
                             f"(it is {kind or 'unrecognised data'})")


def _prompt_node_errors(prompt_tips) -> dict:
    """``node_errors`` from ``promptTips`` (a JSON string of ComfyUI's /prompt answer), else {}."""
    if not prompt_tips:
        return {}
    if isinstance(prompt_tips, str):
        try:
            prompt_tips = json.loads(prompt_tips)
        except ValueError:
            return {}
    errors = prompt_tips.get("node_errors") if isinstance(prompt_tips, dict) else None
    return errors if isinstance(errors, dict) else {}


def describe_node_errors(node_errors: dict, payload: dict) -> list[str]:
    """``node_errors`` in words, as the ComfyUI executor words them: node, title, input, problem."""
    lines = []
    for node_id in sorted(node_errors, key=lambda k: (len(k), k)):
        entry = node_errors[node_id] or {}
        node = payload.get(node_id, {}) if isinstance(payload, dict) else {}
        title = (node.get("_meta") or {}).get("title") or entry.get("class_type") or node.get("class_type", "")
        for error in entry.get("errors", []):
            extra = error.get("extra_info") or {}
            where = f"node {node_id} “{title}”"
            if extra.get("input_name"):
                where += f" input {extra['input_name']}"
            detail = error.get("details") or error.get("message") or error.get("type")
            received = f" (got {extra['received_value']!r})" if "received_value" in extra else ""
            lines.append(f"{where}: {detail}{received}")
    return lines


def _rewrite_names(payload: dict, renames: dict[str, str]) -> None:
    for node in payload.values():
        inputs = node.get("inputs", {}) if isinstance(node, dict) else {}
        for key, value in list(inputs.items()):
            if isinstance(value, str) and value in renames:
                inputs[key] = renames[value]
