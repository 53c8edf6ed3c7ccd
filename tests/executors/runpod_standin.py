"""A Runpod serverless stand-in on 127.0.0.1 running the worker-comfyui contract, plus an S3 stand-in.

``/v2/<endpoint>/run`` (10 MB body limit), ``/status/<id>`` (IN_QUEUE → IN_PROGRESS → COMPLETED over
polls), ``/cancel/<id>``, ``/health``; outputs as worker-comfyui returns them
(``output.images[] = {filename, type: base64|s3_url, data}``). ``/s3/<bucket>/<key>`` takes presigned
PUTs and GETs. Faults per test through ``faults``.
"""

from __future__ import annotations

import base64
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import requests

from .runninghub_standin import _mp4, _png

KEY = "test-runpod-key-not-a-secret-0123456789"  # a made-up key, not shaped like a real one
ENDPOINT = "abc123xyz"
LIMIT = 10 * 1000 * 1000


@dataclass
class Faults:
    run_500: int = 0
    busy: int = 0                 # the next N calls answer 429
    hang_status: bool = False
    fail: str | None = None       # FAILED with this error (a JSON string, as the SDK sends it)
    handler_error: dict | None = None  # COMPLETED but the handler returned {"error", "details"}
    timed_out: bool = False
    truncate: bool = False        # base64 output cut short
    wrong: bool = False           # "png" output that is an HTML page
    s3_output: bool = False       # outputs as s3_url
    expire: bool = False          # s3 GETs answer 403
    polls_to_finish: int = 2


@dataclass
class State:
    faults: Faults = field(default_factory=Faults)
    requests: list = field(default_factory=list)
    jobs: dict = field(default_factory=dict)
    cancelled: list = field(default_factory=list)
    s3: dict = field(default_factory=dict)
    release: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    files: dict = field(default_factory=dict)
    expect: str = "image"
    fetched_inputs: dict = field(default_factory=dict)  # name -> bytes the "worker" got
    natron_handler: object = None  # workers/natron/handler.handler, to run Natron jobs


class _Handler(BaseHTTPRequestHandler):
    server: "RunpodStandIn"
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:
        pass

    def _send(self, payload, status: int = 200) -> None:
        body = json.dumps(payload).encode() if not isinstance(payload, bytes) else payload
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _route(self, method: str) -> None:
        state = self.server.state
        length = int(self.headers.get("Content-Length", 0) or 0)
        raw = self.rfile.read(length) if length else b""
        path = urlsplit(self.path).path
        with state.lock:
            state.requests.append((method, path, dict(self.headers), len(raw)))
        if path.startswith("/s3/"):
            return self._s3(method, path, raw)
        if self.headers.get("Authorization") != f"Bearer {KEY}":
            return self._send({"error": "Unauthorized"}, 401)
        prefix = f"/v2/{ENDPOINT}"
        if not path.startswith(prefix):
            return self._send({"error": "not found"}, 404)
        with state.lock:
            if state.faults.busy > 0:
                state.faults.busy -= 1
                return self._send({"error": "Too Many Requests"}, 429)
        rest = path[len(prefix):]
        if method == "POST" and rest == "/run":
            return self._run(raw)
        if method == "GET" and rest.startswith("/status/"):
            return self._status(rest.rsplit("/", 1)[-1])
        if method == "POST" and rest.startswith("/cancel/"):
            job_id = rest.rsplit("/", 1)[-1]
            with state.lock:
                state.cancelled.append(job_id)
                if job_id in state.jobs:
                    state.jobs[job_id]["status"] = "CANCELLED"
            return self._send({"id": job_id, "status": "CANCELLED"})
        if method == "GET" and rest == "/health":
            return self._send({"jobs": {"completed": 3, "failed": 0, "inProgress": 0, "inQueue": 1, "retried": 0},
                               "workers": {"idle": 1, "running": 0, "initializing": 0, "ready": 1}})
        return self._send({"error": "not found"}, 404)

    def do_GET(self) -> None:  # noqa: N802
        self._route("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._route("POST")

    def do_PUT(self) -> None:  # noqa: N802
        self._route("PUT")

    def _s3(self, method: str, path: str, raw: bytes) -> None:
        state = self.server.state
        if "X-Amz-Signature=" not in self.path:
            return self._send(b"<Error><Code>AccessDenied</Code></Error>", 403)
        if method == "PUT":
            state.s3[path] = raw
            return self._send(b"", 200)
        if state.faults.expire:
            return self._send(b"<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>", 403)
        data = state.s3.get(path)
        if data is None:
            return self._send(b"<Error><Code>NoSuchKey</Code></Error>", 404)
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _run(self, raw: bytes) -> None:
        state, faults = self.server.state, self.server.state.faults
        if len(raw) > LIMIT:
            return self._send({"error": "request body too large"}, 413)
        with state.lock:
            if faults.run_500 > 0:
                faults.run_500 -= 1
                return self._send({"error": "internal"}, 500)
        body = json.loads(raw)
        job_input = body["input"]
        if "project" in job_input and state.natron_handler is not None:  # the workers/natron contract
            with state.lock:
                job_id = f"{len(state.jobs) + 1:04d}-natron-job"
                state.jobs[job_id] = {"status": "IN_QUEUE", "polls": 0, "input": job_input,
                                      "output": state.natron_handler({"id": job_id, "input": job_input})}
            return self._send({"id": job_id, "status": "IN_QUEUE"})
        assert isinstance(job_input["workflow"], dict)
        for image in job_input.get("images", []):  # what worker-comfyui's upload_images does
            data = image["image"]
            if data.startswith("http"):
                got = requests.get(data, timeout=5)
                assert got.status_code == 200, got.status_code
                state.fetched_inputs[image["name"]] = got.content
            else:
                state.fetched_inputs[image["name"]] = base64.b64decode(data.split(",", 1)[-1])
        with state.lock:
            job_id = f"{len(state.jobs) + 1:04d}-7b4c-41c9-8a3e-runpodjob"
            state.jobs[job_id] = {"status": "IN_QUEUE", "polls": 0, "input": job_input}
        self._send({"id": job_id, "status": "IN_QUEUE"})

    def _status(self, job_id: str) -> None:
        state, faults = self.server.state, self.server.state.faults
        if faults.hang_status:
            state.release.wait(30)
            return
        job = state.jobs.get(job_id)
        if job is None:
            return self._send({"error": "job not found"}, 404)
        with state.lock:
            if job["status"] in ("IN_QUEUE", "IN_PROGRESS"):
                job["polls"] += 1
                job["status"] = "IN_PROGRESS"
                if job["polls"] >= faults.polls_to_finish:
                    job["status"] = ("FAILED" if faults.fail else "TIMED_OUT" if faults.timed_out else "COMPLETED")
        answer = {"id": job_id, "status": job["status"], "delayTime": 1200, "executionTime": 3400}
        if job["status"] == "FAILED":
            answer["error"] = faults.fail
        if job["status"] == "COMPLETED":
            answer["output"] = job.get("output") or faults.handler_error or {"images": [self._output(job_id)]}
        self._send(answer)

    def _output(self, job_id: str) -> dict:
        state, faults = self.server.state, self.server.state.faults
        name = "P_SC_01_MOTION_v01_00001.mp4" if state.expect == "video" else "P_SC_01_HERO_v01_00001_.png"
        data = state.files["out.mp4" if state.expect == "video" else "out.png"]
        if faults.wrong:
            data = b"<!DOCTYPE html><html><body>oops</body></html>"
        if faults.s3_output:
            key = f"/s3/outputs/{job_id}/{name}"
            state.s3[key] = data
            return {"filename": name, "type": "s3_url", "data": f"{self.server.url}{key}?X-Amz-Signature=abc"}
        encoded = base64.b64encode(data).decode()
        if faults.truncate:
            encoded = encoded[: len(encoded) // 2 + 1]
        return {"filename": name, "type": "base64", "data": encoded}


class RunpodStandIn(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, scratch: Path) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.state = State()
        self.state.files = {"out.png": _png()}
        self._scratch = scratch
        self._thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def with_video(self) -> "RunpodStandIn":
        self.state.files["out.mp4"] = _mp4(self._scratch)
        self.state.expect = "video"
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def calls(self, method: str, suffix: str) -> list:
        return [r for r in self.state.requests if r[0] == method and r[1].endswith(suffix)]

    def __enter__(self) -> "RunpodStandIn":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.state.release.set()
        self.shutdown()
        self.server_close()
