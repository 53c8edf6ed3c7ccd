"""A ComfyUI stand-in on 127.0.0.1 (port 0) speaking the real HTTP + websocket protocol, with faults.

Routes and message shapes follow ComfyUI's ``server.py`` (PromptServer) and ``main.py``: every
route is also served under ``/api``; ``POST /prompt`` validates the graph against the recorded
``/object_info`` with the offline validator (the same checks as ``execution.validate_prompt``) plus
the server-side file check (models present, uploaded inputs present) and answers 400 with
``error`` + ``node_errors`` in the server's shape; a client ``prompt_id`` must be a canonical
lowercase UUID (400 ``invalid_prompt_id``). One worker runs the queue in order and sends
``status``, ``execution_start``, ``execution_cached``, ``executing``, ``progress``, binary
preview/text frames, ``executed``, ``execution_success`` (before the history entry, as ``main.py``
does), then ``executing`` with ``node: null`` after it. "Executing" writes small real files:
a PNG per image save node, an MP4 (ffmpeg from imageio-ffmpeg) per video save node.

Faults (attributes, set before or during a test): ``fail_submits`` (n submits answer 500),
``hang`` (every route stops answering), ``drop_ws_on_progress`` (close sockets at the first
progress), ``truncate_downloads``, ``history_lag`` (seconds the history entry lags the done
signal), ``paused`` (the worker takes nothing from the queue), ``hold`` (the worker stops after
the first progress until released or interrupted), ``missing_models`` (names not installed),
``jobs_api`` (serve ``/api/jobs``), ``fail_execution`` (node exception during the run).
"""

from __future__ import annotations

import asyncio
import io
import json
import re
import struct
import subprocess
import threading
import time
import uuid
from pathlib import Path

from aiohttp import WSMsgType, web

from cmfc.backends.comfyui.object_info import input_specs
from cmfc.backends.comfyui.validate import file_inputs, validate

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "comfyui" / "object_info.json"
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_PROBLEM = re.compile(r"^node (\S+) \(([^)]*)\): (?:required )?input '([^']+)'(.*) \[(\w+)\]$")
VIDEO_SAVERS = {"SaveVideo", "SaveWEBM", "VHS_VideoCombine", "SaveAnimatedWEBP"}


class ComfyStandIn:
    """Start with ``with ComfyStandIn(tmp) as server: server.url``; the loop runs in its own thread."""

    def __init__(self, root: Path, object_info: dict | None = None, extra_nodes: dict | None = None,
                 version: str = "0.12.1-standin") -> None:
        self.root = Path(root)
        for sub in ("input", "output", "temp"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        self.object_info = object_info if object_info is not None else json.loads(FIXTURE.read_text())
        if extra_nodes:
            self.object_info = {**self.object_info, **extra_nodes}
        self.version = version
        # faults
        self.fail_submits = 0
        self.hang = False
        self.drop_ws_on_progress = False
        self.truncate_downloads = False
        self.history_lag = 0.0
        self.paused = False
        self.hold = False
        self.missing_models: set[str] = set()
        self.models: set[str] = set()
        self._info_cache = None
        self.jobs_api = True
        self.fail_execution: str | None = None
        self.steps = 4
        # records, for assertions
        self.submitted: list[dict] = []
        self.executed: list[str] = []
        self.interrupts: list[str | None] = []     # prompt ids (None: a global interrupt)
        self.deleted: list[str] = []
        self.cancelled: list[str] = []
        self.uploads: list[str] = []
        self.feature_flags_seen = 0
        # state
        self.history: dict[str, dict] = {}
        self.queue: list[tuple] = []
        self.running: tuple | None = None
        self.sockets: dict[str, web.WebSocketResponse] = {}
        self.number = 0
        self.url = ""
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._started = threading.Event()
        self._runner: web.AppRunner | None = None
        self._wake: asyncio.Event | None = None
        self._release: asyncio.Event | None = None
        self._interrupt_flag = False
        self.progress_seen = threading.Event()

    # ----- lifecycle ------------------------------------------------------------------------
    def __enter__(self) -> "ComfyStandIn":
        if self._thread is None:
            self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._serve, name="comfy-standin", daemon=True)
        self._thread.start()
        if not self._started.wait(10):
            raise RuntimeError("stand-in did not start")

    def stop(self) -> None:
        """Stop answering at once (a server that dies with prompts queued)."""
        if self._loop is None:
            return
        loop = self._loop
        self._loop = None
        future = asyncio.run_coroutine_threadsafe(self._shutdown(), loop)
        try:
            future.result(10)
        except Exception:  # noqa: BLE001
            pass
        loop.call_soon_threadsafe(loop.stop)
        self._thread.join(10)

    def release(self) -> None:
        """Let a held prompt finish."""
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._release.set)

    def _serve(self) -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        self._loop = loop
        self._wake = asyncio.Event()
        self._release = asyncio.Event()
        app = web.Application(client_max_size=64 * 1024 * 1024)
        routes = [
            ("GET", "/ws", self.ws), ("GET", "/system_stats", self.system_stats),
            ("GET", "/object_info", self.get_object_info), ("GET", "/object_info/{cls}", self.get_object_info_one),
            ("GET", "/models", self.models), ("GET", "/models/{folder}", self.models_folder),
            ("GET", "/prompt", self.get_prompt), ("POST", "/prompt", self.post_prompt),
            ("GET", "/queue", self.get_queue), ("POST", "/queue", self.post_queue),
            ("POST", "/interrupt", self.interrupt), ("GET", "/history/{prompt_id}", self.get_history),
            ("GET", "/history", self.get_all_history), ("GET", "/view", self.view),
            ("POST", "/upload/image", self.upload), ("GET", "/features", self.features),
            ("GET", "/api/jobs", self.jobs), ("POST", "/api/jobs/{job_id}/cancel", self.cancel_job),
        ]
        for method, path, handler in routes:
            app.router.add_route(method, path, self._guard(handler))
            if not path.startswith("/api/"):
                app.router.add_route(method, "/api" + path, self._guard(handler))
        self._runner = web.AppRunner(app, access_log=None, handler_cancellation=True)
        loop.run_until_complete(self._runner.setup())
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        loop.run_until_complete(site.start())
        port = site._server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        self._worker = loop.create_task(self._work())
        self._started.set()
        try:
            loop.run_forever()
        finally:
            loop.close()

    async def _shutdown(self) -> None:
        self._worker.cancel()
        for ws in list(self.sockets.values()):
            await ws.close()
        await self._runner.cleanup()

    def _guard(self, handler):
        async def guarded(request):
            if self.hang:
                await asyncio.Event().wait()   # never answers; the client's timeout must fire
            return await handler(request)
        return guarded

    # ----- websocket ------------------------------------------------------------------------
    async def ws(self, request):
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        sid = request.rel_url.query.get("clientId", "") or uuid.uuid4().hex
        self.sockets[sid] = ws
        try:
            await self._send("status", {"status": self._queue_info(), "sid": sid}, sid)
            first = True
            async for msg in ws:
                if msg.type == WSMsgType.TEXT:
                    data = json.loads(msg.data)
                    if first and data.get("type") == "feature_flags":
                        self.feature_flags_seen += 1
                        await self._send("feature_flags", {"supports_preview_metadata": True,
                                                           "max_upload_size": 104857600}, sid)
                    first = False
        finally:
            if self.sockets.get(sid) is ws:
                self.sockets.pop(sid, None)
        return ws

    async def _send(self, event: str, data: dict, sid: str | None = None) -> None:
        targets = list(self.sockets.values()) if sid is None else [self.sockets[sid]] if sid in self.sockets else []
        for ws in targets:
            try:
                await ws.send_json({"type": event, "data": data})
            except Exception:  # noqa: BLE001
                pass

    async def _send_bytes(self, event: int, payload: bytes, sid: str | None) -> None:
        ws = self.sockets.get(sid)
        if ws is not None:
            try:
                await ws.send_bytes(struct.pack(">I", event) + payload)
            except Exception:  # noqa: BLE001
                pass

    # ----- routes ---------------------------------------------------------------------------
    async def system_stats(self, request):
        return web.json_response({"system": {"os": "linux", "ram_total": 1, "ram_free": 1,
                                             "comfyui_version": self.version, "python_version": "3.11",
                                             "pytorch_version": "cpu", "embedded_python": False, "argv": []},
                                  "devices": [{"name": "cpu", "type": "cpu", "index": None, "vram_total": 0,
                                               "vram_free": 0, "torch_vram_total": 0, "torch_vram_free": 0}]})

    def install_models_for(self, payloads) -> None:
        """Install every model file the payloads name (as a user's server would have them)."""
        for payload in payloads:
            for found in file_inputs(payload, self.object_info):
                if found.kind == "model":
                    self.models.add(found.value)

    def _served_info(self) -> dict:
        """/object_info as this server reports it: file COMBOs list the installed models."""
        inputs = sorted(p.name for p in (self.root / "input").iterdir() if p.is_file())
        key = (frozenset(self.models), frozenset(self.missing_models), tuple(inputs))
        if self._info_cache is not None and self._info_cache[0] == key:
            return self._info_cache[1]
        info = json.loads(json.dumps(self.object_info))
        for cls in info.values():
            for spec in input_specs(cls):
                if not (spec.is_file_choice and isinstance(spec.type, list)):
                    continue
                if spec.has_upload_widget or spec.name in ("image", "video", "file", "audio"):
                    spec.type[:] = inputs  # as ComfyUI lists its input/ folder
                else:
                    spec.type[:] = sorted((set(spec.type) | self.models) - self.missing_models)
        self._info_cache = (key, info)
        return info

    async def get_object_info(self, request):
        return web.json_response(self._served_info())

    async def get_object_info_one(self, request):
        cls = request.match_info["cls"]
        info = self._served_info()
        return web.json_response({cls: info[cls]} if cls in info else {})

    async def features(self, request):
        return web.json_response({"supports_preview_metadata": True})

    async def models(self, request):
        return web.json_response(["checkpoints", "diffusion_models", "loras", "text_encoders", "vae"])

    async def models_folder(self, request):
        folder = request.match_info["folder"]
        names = {"loras": "lora_name", "vae": "vae_name", "diffusion_models": "unet_name",
                 "checkpoints": "ckpt_name", "text_encoders": "clip_name"}
        if folder not in names:
            return web.Response(status=404)
        files = set()
        for cls in self._served_info().values():
            for spec in input_specs(cls):
                if spec.name.startswith(names[folder]) and spec.choices:
                    files.update(c for c in spec.choices if isinstance(c, str))
        return web.json_response(sorted(files))

    def _queue_info(self) -> dict:
        return {"exec_info": {"queue_remaining": len(self.queue) + (1 if self.running else 0)}}

    async def get_prompt(self, request):
        return web.json_response(self._queue_info())

    async def get_queue(self, request):
        return web.json_response({"queue_running": [list(self.running[:5])] if self.running else [],
                                  "queue_pending": [list(item[:5]) for item in self.queue]})

    async def post_prompt(self, request):
        body = await request.json()
        if self.fail_submits > 0:
            self.fail_submits -= 1
            return web.Response(status=500, text="500 Internal Server Error")
        if "prompt" not in body:
            error = {"type": "no_prompt", "message": "No prompt provided", "details": "No prompt provided",
                     "extra_info": {}}
            return web.json_response({"error": error, "node_errors": {}}, status=400)
        prompt_id = body.get("prompt_id")
        if prompt_id is None:
            prompt_id = str(uuid.uuid4())
        elif not (isinstance(prompt_id, str) and _UUID.match(prompt_id)):
            error = {"type": "invalid_prompt_id", "message": "prompt_id must be a valid UUID",
                     "details": "prompt_id must be a UUID string in canonical lowercase hyphenated form",
                     "extra_info": {}}
            return web.json_response({"error": error, "node_errors": {}}, status=400)
        prompt = body["prompt"]
        error, node_errors = self._validate(prompt)
        if error is not None:
            return web.json_response({"error": error, "node_errors": node_errors}, status=400)
        number = self.number
        self.number += 1
        extra = {"client_id": body.get("client_id"), "create_time": int(time.time() * 1000)}
        outputs = [nid for nid, node in prompt.items() if self.object_info[node["class_type"]].get("output_node")]
        self.queue.append((number, prompt_id, prompt, extra, outputs))
        self.submitted.append({"prompt_id": prompt_id, "client_id": body.get("client_id"), "prompt": prompt})
        self._wake.set()
        await self._send("status", {"status": self._queue_info()})
        return web.json_response({"prompt_id": prompt_id, "number": number, "node_errors": {}})

    def _validate(self, prompt: dict):
        for nid, node in prompt.items():
            if not isinstance(node, dict) or node.get("class_type") not in self.object_info:
                cls = node.get("class_type") if isinstance(node, dict) else None
                return ({"type": "invalid_prompt", "message": f"Cannot execute because node {cls} does not exist.",
                         "details": f"Node ID '#{nid}'", "extra_info": {}}, {})
        node_errors: dict = {}
        for problem in validate(prompt, self.object_info):
            match = _PROBLEM.match(problem)
            if match is None:
                return ({"type": "prompt_no_outputs", "message": "Prompt has no outputs", "details": problem,
                         "extra_info": {}}, {})
            nid, cls, name, detail, kind = match.groups()
            self._node_error(node_errors, nid, cls, kind, detail.strip(), name, prompt[nid]["inputs"].get(name))
        uploaded = {p.name for p in (self.root / "input").iterdir()}
        served = self._served_info()
        for found in file_inputs(prompt, self.object_info):
            if found.kind == "input":
                present = found.value in uploaded
            else:
                spec = next(s for s in input_specs(served[found.class_type]) if s.name == found.input_name)
                present = found.value in (spec.choices or [])
            if not present:
                self._node_error(node_errors, found.node_id, found.class_type, "value_not_in_list",
                                 f"{found.input_name}: '{found.value}' not in list", found.input_name, found.value)
        if node_errors:
            details = "\n".join(f"{e['type']}: {e['details']}" for n in node_errors.values() for e in n["errors"])
            return ({"type": "prompt_outputs_failed_validation", "message": "Prompt outputs failed validation",
                     "details": details, "extra_info": {}}, node_errors)
        return None, {}

    @staticmethod
    def _node_error(node_errors, nid, cls, kind, detail, name, received):
        entry = node_errors.setdefault(nid, {"errors": [], "dependent_outputs": [], "class_type": cls})
        entry["errors"].append({"type": kind, "message": kind.replace("_", " ").capitalize(), "details": detail,
                                "extra_info": {"input_name": name, "input_config": None, "received_value": received}})

    async def post_queue(self, request):
        body = await request.json()
        if body.get("clear"):
            self.queue.clear()
        for pid in body.get("delete", []):
            self.deleted.append(pid)
            self.queue[:] = [item for item in self.queue if item[1] != pid]
        return web.Response(status=200)

    async def interrupt(self, request):
        try:
            body = await request.json()
        except Exception:  # noqa: BLE001
            body = {}
        pid = body.get("prompt_id")
        self.interrupts.append(pid)
        if not pid or (self.running and self.running[1] == pid):
            self._interrupt_flag = True
            self._release.set()
        return web.Response(status=200)

    async def jobs(self, request):
        if not self.jobs_api:
            return web.Response(status=404)
        return web.json_response({"jobs": [], "pagination": {"offset": 0, "limit": None, "total": 0,
                                                              "has_more": False}})

    async def cancel_job(self, request):
        if not self.jobs_api:
            return web.Response(status=404)
        pid = request.match_info["job_id"]
        self.cancelled.append(pid)
        cancelled = False
        if self.running and self.running[1] == pid:
            self._interrupt_flag = True
            self._release.set()
            cancelled = True
        elif any(item[1] == pid for item in self.queue):
            self.queue[:] = [item for item in self.queue if item[1] != pid]
            cancelled = True
        return web.json_response({"cancelled": cancelled})

    async def get_history(self, request):
        pid = request.match_info["prompt_id"]
        return web.json_response({pid: self.history[pid]} if pid in self.history else {})

    async def get_all_history(self, request):
        return web.json_response(self.history)

    async def view(self, request):
        query = request.rel_url.query
        name = query.get("filename", "")
        if not name or name.startswith("/") or ".." in name:
            return web.Response(status=400)
        base = self.root / query.get("type", "output")
        path = base / query.get("subfolder", "") / name
        if not path.is_file():
            return web.Response(status=404)
        data = path.read_bytes()
        if not self.truncate_downloads:
            return web.Response(body=data, content_type="application/octet-stream")
        response = web.StreamResponse()
        response.content_length = len(data)
        await response.prepare(request)
        await response.write(data[: len(data) // 2])
        request.transport.close()
        return response

    async def upload(self, request):
        post = await request.post()
        image = post.get("image")
        if image is None or not getattr(image, "filename", None):
            return web.Response(status=400)
        subfolder = post.get("subfolder", "")
        folder = self.root / post.get("type", "input") / subfolder
        folder.mkdir(parents=True, exist_ok=True)
        data = image.file.read()
        filename = image.filename
        target = folder / filename
        if post.get("overwrite") not in ("true", "1"):
            stem, suffix = Path(filename).stem, Path(filename).suffix
            i = 1
            while target.exists() and target.read_bytes() != data:
                filename = f"{stem} ({i}){suffix}"
                target = folder / filename
                i += 1
        target.write_bytes(data)
        self.uploads.append(filename)
        return web.json_response({"name": filename, "subfolder": subfolder, "type": post.get("type", "input")})

    # ----- execution ------------------------------------------------------------------------
    async def _work(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self.queue and not self.paused:
                self.running = self.queue.pop(0)
                try:
                    await self._execute(self.running)
                finally:
                    self.running = None
                    await self._send("status", {"status": self._queue_info()})

    async def _execute(self, item: tuple) -> None:
        number, pid, prompt, extra, outputs = item
        sid = extra.get("client_id")
        messages = []

        async def event(name, data, keep=True):
            data = {**data, "prompt_id": pid}
            if keep:
                messages.append([name, {**data, "timestamp": int(time.time() * 1000)}])
            await self._send(name, data, sid)

        self._interrupt_flag = False
        self._release.clear()
        await event("execution_start", {"timestamp": int(time.time() * 1000)})
        await event("execution_cached", {"nodes": [], "timestamp": int(time.time() * 1000)})
        ui_outputs = {}
        for nid in sorted(prompt, key=lambda n: (len(n), n)):
            node = prompt[nid]
            await event("executing", {"node": nid, "display_node": nid}, keep=False)
            if "steps" in node.get("inputs", {}) or node["class_type"].startswith("KSampler"):
                for step in range(1, self.steps + 1):
                    await event("progress", {"value": step, "max": self.steps, "node": nid}, keep=False)
                    await self._send_bytes(1, struct.pack(">I", 2) + _tiny_png(), sid)
                    await self._send_bytes(3, struct.pack(">I", len(nid)) + nid.encode() + b"step", sid)
                    meta = json.dumps({"node_id": nid, "prompt_id": pid}).encode()
                    await self._send_bytes(4, struct.pack(">I", len(meta)) + meta + _tiny_png(), sid)
                    self.progress_seen.set()
                    if self.drop_ws_on_progress:
                        self.drop_ws_on_progress = False
                        for ws in list(self.sockets.values()):
                            await ws.close()
                    if self.hold and step == 1:
                        await self._release.wait()
                    if self._interrupt_flag:
                        await event("execution_interrupted", {"node_id": nid, "node_type": node["class_type"],
                                                              "executed": []})
                        self._store_history(item, {}, messages, "error")
                        await self._send("executing", {"node": None, "prompt_id": pid}, sid)
                        return
            if self.fail_execution and node["class_type"] == self.fail_execution:
                await event("execution_error", {"node_id": nid, "node_type": node["class_type"], "executed": [],
                                                "exception_message": "mat1 and mat2 shapes cannot be multiplied",
                                                "exception_type": "RuntimeError", "traceback": [],
                                                "current_inputs": {}, "current_outputs": {}})
                self._store_history(item, {}, messages, "error")
                await self._send("executing", {"node": None, "prompt_id": pid}, sid)
                return
            if nid in outputs:
                ui = await asyncio.get_running_loop().run_in_executor(None, self._save, prompt, nid, len(self.executed))
                ui_outputs[nid] = ui
                await event("executed", {"node": nid, "display_node": nid, "output": ui}, keep=False)
        self.executed.append(pid)
        await event("execution_success", {"timestamp": int(time.time() * 1000)})
        if self.history_lag:
            await self._send("executing", {"node": None, "prompt_id": pid}, sid)
            await asyncio.sleep(self.history_lag)   # simulated server lag, not test synchronisation
            self._store_history(item, ui_outputs, messages, "success")
            return
        self._store_history(item, ui_outputs, messages, "success")
        await self._send("executing", {"node": None, "prompt_id": pid}, sid)

    def _store_history(self, item, outputs, messages, status):
        number, pid, prompt, extra, out_ids = item
        self.history[pid] = {"prompt": [number, pid, prompt, extra, out_ids], "outputs": outputs,
                             "status": {"status_str": status, "completed": status == "success",
                                        "messages": messages}, "meta": {}}

    def _save(self, prompt: dict, nid: str, serial: int) -> dict:
        node = prompt[nid]
        cls = node["class_type"]
        prefix = str(_value(prompt, node["inputs"].get("filename_prefix", "ComfyUI")) or "ComfyUI")
        sub, _, stem = prefix.rpartition("/")
        folder = self.root / "output" / sub
        folder.mkdir(parents=True, exist_ok=True)
        width = int(_find(prompt, "width") or 64)
        height = int(_find(prompt, "height") or 64)
        source = _uploaded_image(prompt, self.root / "input")
        if cls in VIDEO_SAVERS:
            name = f"{stem}_{serial:05d}.mp4"
            frames = int(_find(prompt, "length") or 17)
            _write_video(folder / name, source, width, height, min(frames, 49), serial)
            entry = {"filename": name, "subfolder": sub, "type": "output"}
            if cls == "VHS_VideoCombine":
                return {"gifs": [{**entry, "format": "video/h264-mp4", "frame_rate": 16.0}]}
            return {"images": [entry], "animated": [True]}
        name = f"{stem}_{serial:05d}_.png"
        _write_image(folder / name, source, width, height, serial)
        kind = "temp" if cls == "PreviewImage" else "output"
        return {"images": [{"filename": name, "subfolder": sub, "type": kind}]}


def _value(prompt, value):
    if isinstance(value, list) and len(value) == 2 and isinstance(value[0], str) and value[0] in prompt:
        return prompt[value[0]]["inputs"].get("value")
    return value


def _find(prompt: dict, name: str):
    for node in prompt.values():
        if name in node.get("inputs", {}):
            value = _value(prompt, node["inputs"][name])
            if isinstance(value, (int, float)):
                return value
    return None


def _uploaded_image(prompt: dict, input_dir: Path) -> Path | None:
    for node in prompt.values():
        if node["class_type"] == "LoadImage":
            path = input_dir / str(node["inputs"].get("image", ""))
            if path.is_file():
                return path
    return None


def _write_image(path: Path, source: Path | None, width: int, height: int, serial: int) -> None:
    """A real PNG: the uploaded input inverted (so a chain is visible), else a seeded gradient."""
    from PIL import Image, ImageOps

    if source is not None:
        with Image.open(source) as image:
            result = ImageOps.invert(image.convert("RGB")).resize((width, height))
    else:
        import numpy as np

        y, x = np.mgrid[0:height, 0:width]
        rgb = np.stack([(x * 255 // max(1, width - 1)), (y * 255 // max(1, height - 1)),
                        np.full_like(x, (serial * 67) % 256)], axis=-1).astype("uint8")
        result = Image.fromarray(rgb)
    buffer = io.BytesIO()
    result.save(buffer, format="PNG", compress_level=1)
    path.write_bytes(buffer.getvalue())


def _write_video(path: Path, source: Path | None, width: int, height: int, frames: int, serial: int) -> None:
    import imageio_ffmpeg

    ffmpeg = imageio_ffmpeg.get_ffmpeg_exe()
    w, h = max(16, width // 4 * 2), max(16, height // 4 * 2)
    if source is not None:
        inputs = ["-loop", "1", "-i", str(source)]
        chain = f"scale={w}:{h},fade=in:0:{max(2, frames // 2)}"
    else:
        inputs = ["-f", "lavfi", "-i", f"testsrc2=size={w}x{h}:rate=16"]
        chain = "null"
    subprocess.run([ffmpeg, "-v", "error", "-y", *inputs, "-frames:v", str(frames), "-vf", chain, "-r", "16",
                    "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-f", "mp4", str(path)],
                   check=True, timeout=60)


def _tiny_png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 10, 10)).save(buffer, format="PNG")
    return buffer.getvalue()


if __name__ == "__main__":  # a stand-in in its own process (bench/bench_dispatch.py): prints its URL, stops on EOF
    import sys
    import tempfile

    with tempfile.TemporaryDirectory() as scratch, ComfyStandIn(Path(scratch)) as standin:
        standin.steps = int(sys.argv[1]) if len(sys.argv) > 1 else 1
        standin.models.update(sys.argv[2:])
        print(standin.url, flush=True)
        sys.stdin.read()
