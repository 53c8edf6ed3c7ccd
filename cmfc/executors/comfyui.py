"""The ComfyUI executor: upload, submit, follow, download — one server, the real HTTP + websocket API.

Written from ComfyUI's ``server.py`` (PromptServer routes), ``main.py`` and ``protocol.py``:

* ``POST /upload/image`` (multipart ``image``, ``overwrite``, ``type``, ``subfolder``) answers
  ``{"name", "subfolder", "type"}``; the payload then references ``subfolder/name``.
* ``POST /prompt {"prompt", "client_id", "prompt_id"}`` with a canonical lowercase UUID that we
  generate (so a lost reply can still be cancelled or found); 400 carries ``error`` and
  ``node_errors``, which are the job's fault (:class:`PermanentError`, not retried elsewhere).
* ``/ws?clientId=…``: our first message is ``feature_flags``; JSON frames ``{"type", "data"}``
  (``status``, ``execution_start``, ``execution_cached``, ``executing``, ``progress``,
  ``progress_state``, ``executed``, ``execution_success``, ``execution_error``,
  ``execution_interrupted``) and binary frames (4-byte big-endian event type 1-4: previews and
  text), which are skipped. Done = ``executing`` with ``node: null`` for our prompt id; the
  ``/history/{id}`` entry can lag ``execution_success``, so we poll it until it appears.
  If the socket drops we follow by polling ``/history/{id}`` and ``/queue``.
* Outputs: every list under ``outputs[node]`` (``images``, ``gifs``, ``videos``…) whose entries have
  ``filename``/``subfolder``/``type == "output"``, fetched with ``GET /view``.
* Cancel only our prompt: ``POST /api/jobs/{id}/cancel`` where the server has it, else
  ``POST /interrupt {"prompt_id"}`` plus ``POST /queue {"delete": [id]}``. Never a bare interrupt.

A token for a proxied server comes from the environment (``CMFC_COMFYUI_TOKEN`` or one named in
the config) and is only ever sent as an ``Authorization`` header: it is not in ``identity()``,
the server label, log lines or errors.
"""

from __future__ import annotations

import hashlib
import json
import struct
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

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

VIDEO_SUFFIXES = (".mp4", ".webm", ".mov", ".mkv", ".gif", ".webp")
BINARY_EVENTS = {1: "preview_image", 2: "unencoded_preview_image", 3: "text", 4: "preview_image_with_metadata"}
# Where ComfyUI looks for the files a loader input names (models/<folder>/), for doctor's advice.
MODEL_FOLDERS = {
    "ckpt_name": "checkpoints", "unet_name": "diffusion_models", "vae_name": "vae", "lora_name": "loras",
    "lora": "loras", "clip_name": "text_encoders", "clip_name1": "text_encoders", "clip_name2": "text_encoders",
    "control_net_name": "controlnet", "clip_vision": "clip_vision", "upscale_model": "upscale_models",
    "model_name": "diffusion_models", "model": "diffusion_models", "style_model_name": "style_models",
}


@dataclass(frozen=True)
class Timeouts:
    """Seconds. ``connect``/``read`` bound every HTTP call; ``run`` bounds one job end to end."""

    connect: float = 5.0
    read: float = 30.0
    run: float = 3600.0
    history: float = 60.0           # after "done", how long the history entry may lag
    poll: float = 1.0               # polling interval when the websocket is gone (backs off to 4x)
    stall: float = 120.0            # no message and no queue change for this long: the server hangs


def server_label(url: str) -> str:
    """``http://host:port`` with any user info, path, query and fragment removed."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path.rstrip("/"), "", ""))


def canonical_prompt_id() -> str:
    """What newer servers require of a client-chosen prompt id: a lowercase hyphenated UUID."""
    return str(uuid.uuid4())


class ComfyUIExecutor:
    """One ComfyUI server. Thread-safe: each ``run`` has its own websocket and client id."""

    kind = "comfyui"

    def __init__(self, url: str, token: str | None = None, timeouts: Timeouts | None = None,
                 scratch: Path | None = None) -> None:
        self.url = url.rstrip("/")
        self.label = server_label(self.url)
        self._token = token
        self.timeouts = timeouts or Timeouts()
        self._scratch = scratch
        self._local = threading.local()
        self._identity: dict | None = None
        self._jobs_api: bool | None = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:  # never the token
        return f"ComfyUIExecutor({self.label!r})"

    # ----- HTTP -------------------------------------------------------------------------------
    def _session(self):
        session = getattr(self._local, "session", None)
        if session is None:
            import requests

            session = requests.Session()
            if self._token:
                session.headers["Authorization"] = f"Bearer {self._token}"
            self._local.session = session
        return session

    def _request(self, method: str, path: str, *, what: str, read: float | None = None, **kwargs):
        """One HTTP call with a timeout; connection trouble and 5xx become TransientError."""
        import requests

        try:
            response = self._session().request(method, self.url + path,
                                               timeout=(self.timeouts.connect, read or self.timeouts.read), **kwargs)
        except requests.Timeout:
            raise TransientError(f"{self.label}: {what}: no answer within {read or self.timeouts.read:g} s") from None
        except requests.RequestException as exc:
            raise TransientError(f"{self.label}: {what}: {_reason(exc)}") from None
        if response.status_code >= 500:
            raise TransientError(f"{self.label}: {what}: HTTP {response.status_code}")
        return response

    def _json(self, method: str, path: str, *, what: str, **kwargs):
        response = self._request(method, path, what=what, **kwargs)
        if response.status_code != 200:
            raise TransientError(f"{self.label}: {what}: HTTP {response.status_code}")
        try:
            return response.json()
        except ValueError:
            raise TransientError(f"{self.label}: {what}: the answer is not JSON") from None

    # ----- identity and doctor ----------------------------------------------------------------
    def object_info(self) -> dict:
        """The server's node definitions (cached for the life of the executor)."""
        cached = getattr(self, "_object_info", None)
        if cached is None:
            cached = self._json("GET", "/object_info", what="reading /object_info", read=max(60.0, self.timeouts.read))
            self._object_info = cached
        return cached

    def identity(self) -> dict:
        """Kind plus a digest of the server's node classes and the model files its loaders offer.

        Two servers with the same nodes and models give the same identity, so their takes share
        cache entries; installing a model or a node pack changes it. Secret-free, no time, no URL.
        """
        with self._lock:
            if self._identity is None:
                info = self.object_info()
                nodes = sorted(info)
                files = sorted({f"{name}={choice}" for cls in info.values()
                                for name, choice in _file_choices(cls)})
                digest = hashlib.sha256(json.dumps([nodes, files]).encode()).hexdigest()[:16]
                self._identity = {"kind": self.kind, "nodes_models": digest}
            return dict(self._identity)

    def system_stats(self) -> dict:
        return self._json("GET", "/system_stats", what="reading /system_stats")

    def doctor(self, jobs: list[GenerationJob]) -> list[Finding]:
        """Reachable, version, node classes, model files, queue — what is missing and where it goes."""
        findings: list[Finding] = []
        try:
            stats = self.system_stats()
        except TransientError as exc:
            return [Finding(self.label, False, "reachable", str(exc))]
        system = stats.get("system", {})
        findings.append(Finding(self.label, True, "reachable",
                                f"ComfyUI {system.get('comfyui_version', 'unknown')}"))
        try:
            info = self.object_info()
            queue = self._json("GET", "/queue", what="reading /queue")
        except TransientError as exc:
            return findings + [Finding(self.label, False, "object_info", str(exc))]
        needed_nodes: dict[str, list[str]] = {}
        needed_files: dict[tuple[str, str, str], list[str]] = {}
        for job in jobs:
            for node_id, node in sorted(job.payload.items()):
                cls = node.get("class_type", "")
                if cls not in info:
                    needed_nodes.setdefault(cls, []).append(job.describe())
                    continue
                for name, choices in _file_choice_lists(info[cls]):
                    value = node.get("inputs", {}).get(name)
                    if isinstance(value, str) and value not in job.uploads and value not in choices:
                        needed_files.setdefault((cls, name, value), []).append(job.describe())
        for cls, users in sorted(needed_nodes.items()):
            findings.append(Finding(self.label, False, f"node {cls}",
                                    f"not installed (used by {_few(users)}): install the custom node pack "
                                    f"that provides {cls} into ComfyUI/custom_nodes/ and restart the server"))
        for (cls, name, value), users in sorted(needed_files.items()):
            folder = MODEL_FOLDERS.get(name, "the folder that node reads")
            findings.append(Finding(self.label, False, f"model {value}",
                                    f"missing (needed by {cls}.{name} in {_few(users)}): "
                                    f"put it in ComfyUI/models/{folder}/"))
        if not needed_nodes:
            used = sorted({n.get('class_type', '') for job in jobs for n in job.payload.values()})
            findings.append(Finding(self.label, True, "nodes", f"all {len(used)} node classes present"))
        pending = len(queue.get("queue_pending", [])) + len(queue.get("queue_running", []))
        findings.append(Finding(self.label, True, "queue", f"{pending} prompt(s) queued or running"))
        return findings

    # ----- run --------------------------------------------------------------------------------
    def upload(self, name: str, path: Path) -> str:
        """Upload ``path`` as ``name`` (overwriting), returning how a loader input must name it."""
        with open(path, "rb") as handle:
            data = handle.read()
        response = self._request("POST", "/upload/image", what=f"uploading {name}",
                                 files={"image": (name, data)},
                                 data={"overwrite": "true", "type": "input", "subfolder": ""})
        if response.status_code != 200:
            raise PermanentError(f"{self.label}: uploading {name}: HTTP {response.status_code}")
        try:
            reply = response.json()
        except ValueError:
            raise TransientError(f"{self.label}: uploading {name}: the answer is not JSON") from None
        stored = str(reply.get("name", name))
        sub = str(reply.get("subfolder") or "")
        return f"{sub}/{stored}" if sub else stored

    def run(self, job: GenerationJob, on_progress: ProgressCallback, cancel: threading.Event) -> GenerationResult:
        started = time.monotonic()
        payload = json.loads(json.dumps(job.payload))  # a private copy we may rewrite
        renames = {name: self.upload(name, Path(path)) for name, path in sorted(job.uploads.items())}
        _rewrite_names(payload, {k: v for k, v in renames.items() if k != v})
        uploaded = time.monotonic()
        client_id = uuid.uuid4().hex
        prompt_id = canonical_prompt_id()
        follower = _Follower(self, prompt_id, client_id, on_progress)
        follower.connect()
        try:
            self._submit(job, payload, client_id, prompt_id)
            submitted = time.monotonic()
            follower.wait(job, cancel, deadline=started + self.timeouts.run)
        finally:
            follower.close()
        ran = time.monotonic()
        entry = self._history_entry(prompt_id, cancel)
        status = entry.get("status") or {}
        if status.get("status_str") == "error":
            raise PermanentError(f"{job.describe()}: ComfyUI reported an error", tuple(_status_messages(status)))
        files = self._download(job, prompt_id, entry)
        done = time.monotonic()
        return GenerationResult(
            files=files, server=f"{self.kind} {self.label}", job_id=prompt_id, seed=job.seed, models=job.models,
            timings={"upload": round(uploaded - started, 3), "queued_and_ran": round(ran - submitted, 3),
                     "download": round(done - ran, 3)},
        )

    def _submit(self, job: GenerationJob, payload: dict, client_id: str, prompt_id: str) -> None:
        body = {"prompt": payload, "client_id": client_id, "prompt_id": prompt_id}
        response = self._request("POST", "/prompt", what=f"submitting {job.describe()}", json=body)
        if response.status_code == 200:
            return
        try:
            reply = response.json()
        except ValueError:
            reply = {}
        if response.status_code == 400 and isinstance(reply, dict):
            raise PermanentError(f"{job.describe()}: {self.label} rejected the prompt: {_error_message(reply)}",
                                 tuple(describe_node_errors(reply.get("node_errors") or {}, payload)))
        raise TransientError(f"{self.label}: submitting {job.describe()}: HTTP {response.status_code}")

    def history(self, prompt_id: str) -> dict | None:
        reply = self._json("GET", f"/history/{prompt_id}", what="reading /history")
        entry = reply.get(prompt_id) if isinstance(reply, dict) else None
        return entry if isinstance(entry, dict) else None

    def queue_ids(self) -> set[str]:
        reply = self._json("GET", "/queue", what="reading /queue")
        ids = set()
        for key in ("queue_running", "queue_pending"):
            for item in reply.get(key, []):
                if isinstance(item, list) and len(item) > 1:
                    ids.add(str(item[1]))
        return ids

    def _history_entry(self, prompt_id: str, cancel: threading.Event) -> dict:
        """The history entry, polled with backoff: it may lag ``execution_success``."""
        deadline = time.monotonic() + self.timeouts.history
        delay = 0.02
        while True:
            entry = self.history(prompt_id)
            if entry is not None and (entry.get("outputs") is not None):
                return entry
            if time.monotonic() > deadline:
                raise TransientError(f"{self.label}: prompt {prompt_id} finished but /history never listed it")
            if cancel.wait(delay):
                raise CancelledError("cancelled")
            delay = min(delay * 2, self.timeouts.poll)

    def _download(self, job: GenerationJob, prompt_id: str, entry: dict) -> tuple[GeneratedFile, ...]:
        scratch = self._scratch_dir() / prompt_id
        scratch.mkdir(parents=True, exist_ok=True)
        files = []
        for node_id in sorted(entry.get("outputs", {}), key=_node_key):
            ui = entry["outputs"][node_id]
            for key in sorted(ui):
                items = ui[key]
                if not isinstance(items, list):
                    continue
                for item in items:
                    if not (isinstance(item, dict) and "filename" in item and item.get("type", "output") == "output"):
                        continue
                    name = str(item["filename"])
                    sub = str(item.get("subfolder") or "")
                    query = urlencode({"filename": name, "subfolder": sub, "type": "output"})
                    target = scratch / Path(name).name
                    self._fetch(f"/view?{query}", target, f"downloading {name}")
                    animated = bool(ui.get("animated") and any(ui.get("animated")))
                    kind = "video" if (key in ("gifs", "videos", "video") or animated
                                       or name.lower().endswith(VIDEO_SUFFIXES)) else "image"
                    files.append(GeneratedFile(target, kind, f"{sub}/{name}" if sub else name))
        if not files:
            raise PermanentError(f"{job.describe()}: the prompt ran but produced no output file "
                                 f"(does the workflow end in a Save node?)")
        return tuple(files)

    def _fetch(self, path: str, target: Path, what: str) -> None:
        """Download to ``target``; a body shorter than Content-Length is a TransientError."""
        import requests

        try:
            with self._session().get(self.url + path, stream=True,
                                     timeout=(self.timeouts.connect, self.timeouts.read)) as response:
                if response.status_code >= 500:
                    raise TransientError(f"{self.label}: {what}: HTTP {response.status_code}")
                if response.status_code != 200:
                    raise TransientError(f"{self.label}: {what}: HTTP {response.status_code}")
                expected = response.headers.get("Content-Length")
                size = 0
                partial = target.with_name(target.name + ".part")
                with open(partial, "wb") as handle:
                    for chunk in response.iter_content(1 << 16):
                        handle.write(chunk)
                        size += len(chunk)
        except requests.RequestException as exc:
            raise TransientError(f"{self.label}: {what}: {_reason(exc)}") from None
        if expected is not None and int(expected) != size:
            partial.unlink(missing_ok=True)
            raise TransientError(f"{self.label}: {what}: truncated ({size} of {expected} bytes)")
        partial.replace(target)

    def _scratch_dir(self) -> Path:
        if self._scratch is None:
            import tempfile

            self._scratch = Path(tempfile.mkdtemp(prefix="cmfc-comfyui-"))
        return self._scratch

    def jobs_api(self) -> bool:
        """Whether the server has the jobs API (``GET /api/jobs``); asked once."""
        if self._jobs_api is None:
            try:
                response = self._request("GET", "/api/jobs?limit=1", what="probing /api/jobs")
                self._jobs_api = response.status_code == 200
            except TransientError:
                self._jobs_api = False
        return self._jobs_api

    def cancel(self, prompt_id: str) -> None:
        """Cancel only ``prompt_id``: pending or running. Best effort, never a global interrupt."""
        try:
            if self.jobs_api():
                response = self._request("POST", f"/api/jobs/{prompt_id}/cancel", what="cancelling", json={})
                if response.status_code == 200:
                    return
            self._request("POST", "/queue", what="cancelling", json={"delete": [prompt_id]})
            self._request("POST", "/interrupt", what="cancelling", json={"prompt_id": prompt_id})
        except TransientError:
            pass


class _Follower:
    """Follows one prompt: the websocket while it lives, then polling ``/history`` and ``/queue``."""

    def __init__(self, executor: ComfyUIExecutor, prompt_id: str, client_id: str, on_progress: ProgressCallback):
        self.ex = executor
        self.prompt_id = prompt_id
        self.client_id = client_id
        self.on_progress = on_progress
        self.ws = None
        self.events: list[str] = []         # message types seen for our prompt, in order (for tests/logs)
        self.server_flags: dict = {}

    def connect(self) -> None:
        import websocket

        parts = urlsplit(self.ex.url)
        scheme = "wss" if parts.scheme == "https" else "ws"
        url = urlunsplit((scheme, parts.netloc, parts.path + "/ws", f"clientId={self.client_id}", ""))
        headers = [f"Authorization: Bearer {self.ex._token}"] if self.ex._token else None
        try:
            self.ws = websocket.create_connection(url, timeout=self.ex.timeouts.connect, header=headers,
                                                  enable_multithread=True)
            self.ws.send(json.dumps({"type": "feature_flags", "data": {"supports_preview_metadata": False}}))
            self.ws.settimeout(min(self.ex.timeouts.poll, 1.0))
        except Exception:  # noqa: BLE001 - any websocket trouble: follow by polling instead
            self.close()

    def close(self) -> None:
        if self.ws is not None:
            try:
                self.ws.close()
            except Exception:  # noqa: BLE001
                pass
            self.ws = None

    def wait(self, job: GenerationJob, cancel: threading.Event, deadline: float) -> None:
        """Return when our prompt is done; raise on error, interruption, hang or cancel."""
        last_sign = time.monotonic()
        next_poll = time.monotonic() + self.ex.timeouts.poll
        poll_delay = self.ex.timeouts.poll
        unreachable = 0
        while True:
            if cancel.is_set():
                self.ex.cancel(self.prompt_id)
                raise CancelledError(f"{job.describe()}: cancelled (prompt {self.prompt_id})")
            now = time.monotonic()
            if now > deadline:
                self.ex.cancel(self.prompt_id)
                raise TransientError(f"{self.ex.label}: {job.describe()} did not finish within "
                                     f"{self.ex.timeouts.run:g} s")
            if self.ws is not None:
                outcome = self._receive(job)
                if outcome == "done":
                    return
                if outcome == "message":
                    last_sign = time.monotonic()
                    continue
                if outcome == "dropped":
                    next_poll = time.monotonic()
            if self.ws is None or time.monotonic() >= next_poll:
                state = self._poll()
                if state == "done":
                    return
                unreachable = unreachable + 1 if state == "unreachable" else 0
                if unreachable >= 3:
                    raise TransientError(f"{self.ex.label}: stopped answering while {job.describe()} was queued "
                                         f"(prompt {self.prompt_id})")
                if state == "active":
                    last_sign = time.monotonic()
                elif state == "lost":
                    raise TransientError(f"{self.ex.label}: prompt {self.prompt_id} for {job.describe()} "
                                         f"vanished from the queue without a result (server restarted?)")
                if self.ws is None:
                    poll_delay = min(poll_delay * 1.5, self.ex.timeouts.poll * 4)
                next_poll = time.monotonic() + poll_delay
                if self.ws is None and cancel.wait(poll_delay):
                    continue
            if time.monotonic() - last_sign > self.ex.timeouts.stall:
                raise TransientError(f"{self.ex.label}: no word about {job.describe()} for "
                                     f"{self.ex.timeouts.stall:g} s (server hangs?)")

    def _poll(self) -> str:
        """'done' when history has our entry, 'active' when it is queued/running, else 'lost'."""
        try:
            if self.ex.history(self.prompt_id) is not None:
                return "done"
            if self.prompt_id in self.ex.queue_ids():
                return "active"
            # Between queue and history the id is briefly in neither; look at history once more.
            return "done" if self.ex.history(self.prompt_id) is not None else "lost"
        except TransientError:
            return "unreachable"

    def _receive(self, job: GenerationJob) -> str:
        import websocket

        try:
            frame = self.ws.recv()
        except websocket.WebSocketTimeoutException:
            return "idle"
        except Exception:  # noqa: BLE001 - closed, reset: fall back to polling
            self.close()
            return "dropped"
        if isinstance(frame, (bytes, bytearray)):
            if len(frame) >= 4:
                BINARY_EVENTS.get(struct.unpack(">I", bytes(frame[:4]))[0], "unknown")  # previews: not used
            return "message"
        try:
            message = json.loads(frame)
        except ValueError:
            return "message"
        kind = message.get("type")
        data = message.get("data") or {}
        if kind == "feature_flags":
            self.server_flags = data
            return "message"
        if data.get("prompt_id") != self.prompt_id:
            return "message"  # status broadcasts and other prompts
        self.events.append(str(kind))
        if kind == "progress":
            try:
                self.on_progress(int(data.get("value", 0)), int(data.get("max", 0)))
            except (TypeError, ValueError):
                pass
        elif kind == "executing" and data.get("node") is None:
            return "done"
        elif kind == "execution_error":
            raise _execution_error(job, data, self.ex.label)
        elif kind == "execution_interrupted":
            raise TransientError(f"{self.ex.label}: {job.describe()} was interrupted on the server "
                                 f"(at node {data.get('node_id')} {data.get('node_type', '')})")
        return "message"


def _execution_error(job: GenerationJob, data: dict, label: str) -> Exception:
    exc_type = str(data.get("exception_type", ""))
    text = (f"{job.describe()}: node {data.get('node_id')} ({data.get('node_type', '?')}) failed on {label}: "
            f"{exc_type + ': ' if exc_type else ''}{str(data.get('exception_message', '')).strip()}")
    if "OutOfMemory" in exc_type or "out of memory" in str(data.get("exception_message", "")).lower():
        return TransientError(text)
    return PermanentError(text)


def _error_message(reply: dict) -> str:
    error = reply.get("error")
    if isinstance(error, dict):
        return str(error.get("message") or error.get("type") or "invalid prompt")
    return str(error or "invalid prompt")


def describe_node_errors(node_errors: dict, payload: dict) -> list[str]:
    """``node_errors`` in words: node title, input, what was wrong, what it received."""
    lines = []
    for node_id in sorted(node_errors, key=_node_key):
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


def _status_messages(status: dict) -> list[str]:
    out = []
    for item in status.get("messages", []):
        if isinstance(item, list) and len(item) == 2 and item[0] == "execution_error":
            data = item[1] or {}
            out.append(f"node {data.get('node_id')} ({data.get('node_type')}): {data.get('exception_message', '')}")
    return out


def _rewrite_names(payload: dict, renames: dict[str, str]) -> None:
    if not renames:
        return
    for node in payload.values():
        inputs = node.get("inputs", {})
        for key, value in list(inputs.items()):
            if isinstance(value, str) and value in renames:
                inputs[key] = renames[value]


def _file_choice_lists(class_info: dict):
    """(input name, choices) for each file-name COMBO a node class declares on this server."""
    from cmfc.backends.comfyui.object_info import input_specs

    for spec in input_specs(class_info):
        if spec.is_file_choice and spec.choices is not None:
            yield spec.name, set(str(c) for c in spec.choices)


def _file_choices(class_info: dict):
    """(input, model file) pairs: uploaded inputs (LoadImage's list of input/) change with every upload and
    are not part of what the server is."""
    from cmfc.backends.comfyui.object_info import input_specs

    uploads = {spec.name for spec in input_specs(class_info)
               if spec.has_upload_widget or spec.name in ("image", "video", "file", "audio")}
    for name, choices in _file_choice_lists(class_info):
        if name not in uploads:
            for choice in choices:
                yield name, choice


def _few(items: list[str]) -> str:
    unique = sorted(set(items))
    return ", ".join(unique[:3]) + (f" and {len(unique) - 3} more" if len(unique) > 3 else "")


def _node_key(node_id: str) -> tuple:
    return (0, int(node_id), "") if str(node_id).isdigit() else (1, 0, str(node_id))


def _reason(exc: Exception) -> str:
    text = type(exc).__name__
    if "Connection refused" in str(exc) or "NewConnectionError" in str(exc):
        return "connection refused (is the server running?)"
    if "Read timed out" in str(exc):
        return "read timed out"
    return text
