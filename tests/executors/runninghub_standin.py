"""A Running Hub stand-in on 127.0.0.1: the OpenAPI task flow with RunningHub's documented answers.

Speaks ``/task/openapi/{create,upload,status,outputs,cancel}`` and ``/uc/openapi/accountStatus``
(JSON envelopes ``{"code", "msg", "data"}``, the ``Host`` header recorded), "runs" a task by
moving it QUEUED → RUNNING → SUCCESS over status polls, and serves real small PNG/MP4 outputs
under ``/files/…`` (RunningHub serves them from its object store). Faults are switched on per
test through ``faults``: see ``Faults``.
"""

from __future__ import annotations

import io
import json
import threading
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

KEY = "0123456789abcdef0123456789abcdef"  # 32 characters, like a real key
TASK_BASE = 1904152026220003329  # 19 digits: more than a double holds exactly


@dataclass
class Faults:
    create_500: int = 0          # the next N creates answer HTTP 500
    throttle: int = 0            # the next N creates answer code 421 (queue full)
    throttle_code: int = 421
    node_errors: dict | None = None  # create answers 433 with these node_errors in promptTips
    hang_status: bool = False    # status calls never answer (until the test ends)
    fail: dict | None = None     # the task fails with this failedReason
    outputs_lag: int = 0         # outputs answers 804 this many times after status says SUCCESS
    truncate: bool = False       # the output file is cut short (Content-Length says more)
    wrong: bool = False          # the output "png" is an HTML error page
    expire: int = 0              # the first N downloads answer 403 (an expired signed URL)
    polls_to_finish: int = 2     # status polls before SUCCESS


@dataclass
class State:
    faults: Faults = field(default_factory=Faults)
    requests: list = field(default_factory=list)    # (path, headers dict, body dict or fields)
    tasks: dict = field(default_factory=dict)       # taskId -> {"status", "polls", "workflow", ...}
    uploads: dict = field(default_factory=dict)     # fileName -> bytes
    cancelled: list = field(default_factory=list)
    downloads: int = 0
    release: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    files: dict = field(default_factory=dict)       # name -> bytes
    expect: str = "image"


def _png() -> bytes:
    from PIL import Image

    image = Image.new("RGB", (64, 48))
    image.putdata([(x * 4, y * 5, 128) for y in range(48) for x in range(64)])
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _mp4(folder: Path) -> bytes:
    import subprocess

    import imageio_ffmpeg

    target = folder / "clip.mp4"
    subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-y", "-f", "lavfi", "-i",
                    "testsrc=size=64x48:rate=8:duration=1", "-pix_fmt", "yuv420p", str(target)], check=True)
    return target.read_bytes()


class _Handler(BaseHTTPRequestHandler):
    server: "RunningHubStandIn"
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:  # quiet
        pass

    def _send(self, payload: dict, status: int = 200) -> None:
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _ok(self, data) -> None:
        self._send({"code": 0, "msg": "success", "data": data})

    def _code(self, code: int, msg: str, data=None) -> None:
        self._send({"code": code, "msg": msg, "data": data})

    def do_GET(self) -> None:  # noqa: N802 - output files
        state = self.server.state
        name = self.path.rsplit("/", 1)[-1]
        with state.lock:
            state.downloads += 1
            expired = state.faults.expire > 0
            if expired:
                state.faults.expire -= 1
        if expired:
            body = b"<?xml version='1.0'?><Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>"
            self.send_response(403)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        data = state.files.get(name)
        if data is None:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if state.faults.wrong:
            data = b"<!DOCTYPE html><html><body>502 Bad Gateway</body></html>"
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if state.faults.truncate:
            self.wfile.write(data[: len(data) // 3])
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(data)

    def do_POST(self) -> None:  # noqa: N802
        state = self.server.state
        length = int(self.headers.get("Content-Length", 0))
        raw = self.rfile.read(length)
        ctype = self.headers.get("Content-Type", "")
        if ctype.startswith("multipart/form-data"):
            message = BytesParser(policy=HTTP).parsebytes(b"Content-Type: " + ctype.encode() + b"\r\n\r\n" + raw)
            body = {}
            for part in message.iter_parts():
                name = part.get_param("name", header="content-disposition")
                body[name] = part.get_payload(decode=True) if part.get_filename() else part.get_content()
                if part.get_filename():
                    body["_filename"] = part.get_filename()
        else:
            body = json.loads(raw or b"{}")
        with state.lock:
            state.requests.append((self.path, dict(self.headers), body))
        route = {
            "/task/openapi/create": self._create, "/task/openapi/upload": self._upload,
            "/task/openapi/status": self._status, "/task/openapi/outputs": self._outputs,
            "/task/openapi/cancel": self._cancel, "/uc/openapi/accountStatus": self._account,
        }.get(self.path)
        if route is None:
            self._send({"code": 404, "msg": "not found"}, 404)
            return
        key = body.get("apikey") if self.path == "/uc/openapi/accountStatus" else body.get("apiKey")
        if isinstance(key, bytes):
            key = key.decode()
        if key != KEY:
            self._code(802, "APIKEY_UNAUTHORIZED")
            return
        route(body)

    def _create(self, body: dict) -> None:
        state, faults = self.server.state, self.server.state.faults
        with state.lock:
            if faults.create_500 > 0:
                faults.create_500 -= 1
                self._send({"timestamp": 0, "status": 500, "error": "Internal Server Error"}, 500)
                return
            if faults.throttle > 0:
                faults.throttle -= 1
                self._code(faults.throttle_code, "TASK_QUEUE_MAXED")
                return
        if faults.node_errors:
            tips = {"result": False, "error": {"type": "prompt_outputs_failed_validation"},
                    "outputs_to_execute": [], "node_errors": faults.node_errors}
            self._code(433, "VALIDATE_PROMPT_FAILED", {"promptTips": json.dumps(tips)})
            return
        workflow = json.loads(body["workflow"])  # a JSON string, as documented
        with state.lock:
            task_id = str(TASK_BASE + len(state.tasks))
            state.tasks[task_id] = {"status": "QUEUED", "polls": 0, "workflow": workflow,
                                    "workflowId": body["workflowId"], "lag": faults.outputs_lag}
        tips = {"result": True, "error": None, "outputs_to_execute": ["9"], "node_errors": {}}
        self._ok({"netWssUrl": f"wss://stand-in/ws/{task_id}", "taskId": task_id, "clientId": "c0ffee",
                  "taskStatus": "QUEUED", "promptTips": json.dumps(tips)})

    def _upload(self, body: dict) -> None:
        state = self.server.state
        name = f"api/{len(state.uploads):04d}_{body.get('_filename', 'file')}"
        with state.lock:
            state.uploads[name] = body["file"]
        self._ok({"fileName": name, "fileType": body.get("fileType", "input")})

    def _task(self, body: dict):
        return self.server.state.tasks.get(str(body.get("taskId")))

    def _status(self, body: dict) -> None:
        state = self.server.state
        if state.faults.hang_status:
            state.release.wait(30)
            return
        task = self._task(body)
        if task is None:
            self._code(807, "APIKEY_TASK_NOT_FOUND")
            return
        with state.lock:
            if task["status"] in ("QUEUED", "RUNNING"):
                task["polls"] += 1
                if task["polls"] >= state.faults.polls_to_finish:
                    task["status"] = "FAILED" if state.faults.fail else "SUCCESS"
                else:
                    task["status"] = "RUNNING"
        self._ok(task["status"])

    def _outputs(self, body: dict) -> None:
        state = self.server.state
        task = self._task(body)
        if task is None:
            self._code(807, "APIKEY_TASK_NOT_FOUND")
            return
        if task["status"] == "QUEUED":
            self._code(813, "APIKEY_TASK_IS_QUEUED")
            return
        if task["status"] == "RUNNING" or task["lag"] > 0:
            task["lag"] -= 1
            self._code(804, "APIKEY_TASK_IS_RUNNING")
            return
        if task["status"] == "FAILED":
            self._code(805, "APIKEY_TASK_STATUS_ERROR", {"failedReason": state.faults.fail})
            return
        host = f"http://127.0.0.1:{self.server.server_address[1]}"
        kind = "mp4" if state.expect == "video" else "png"
        self._ok([{"fileUrl": f"{host}/files/{body['taskId']}/out.{kind}", "fileType": kind,
                   "taskCostTime": "3", "nodeId": "9"}])

    def _cancel(self, body: dict) -> None:
        state = self.server.state
        task = self._task(body)
        with state.lock:
            state.cancelled.append(str(body.get("taskId")))
            if task is not None:
                task["status"] = "CANCELLED"
        self._ok(None)

    def _account(self, body: dict) -> None:
        self._ok({"remainCoins": "1234", "currentTaskCounts": "0", "remainMoney": None, "currency": None,
                  "apiType": "NORMAL"})


class RunningHubStandIn(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, scratch: Path) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.state = State()
        png = _png()
        self.state.files = {"out.png": png}
        self._scratch = scratch
        self._thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def with_video(self) -> "RunningHubStandIn":
        self.state.files["out.mp4"] = _mp4(self._scratch)
        self.state.expect = "video"
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def calls(self, path: str) -> list:
        return [r for r in self.state.requests if r[0] == path]

    def __enter__(self) -> "RunningHubStandIn":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.state.release.set()
        self.shutdown()
        self.server_close()
