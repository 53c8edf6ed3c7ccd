"""A stand-in for the Anthropic Messages API on 127.0.0.1 that replays scripted answers, with faults.

It speaks the real protocol the SDK uses (``POST /v1/messages``, JSON message bodies, ``error``
bodies with ``type``/``message``, ``retry-after-ms``), records every request it receives, and
takes its answers from a queue: a tool call, text, an HTTP error, or a hang (for timeouts).
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def tool_answer(payload: dict, input_tokens: int = 1200, output_tokens: int = 300) -> dict:
    return {"kind": "tool", "input": payload, "usage": {"input_tokens": input_tokens, "output_tokens": output_tokens}}


def text_answer(text: str) -> dict:
    return {"kind": "text", "text": text, "usage": {"input_tokens": 1000, "output_tokens": 50}}


def http_error(status: int, error_type: str, message: str, headers: dict | None = None) -> dict:
    return {"kind": "error", "status": status, "error_type": error_type, "message": message, "headers": headers or {}}


HANG = {"kind": "hang"}


def computed(fn) -> dict:
    """An answer made from the request body by ``fn(body) -> answer``."""
    return {"kind": "call", "fn": fn}


class FakeAnthropic:
    """``with FakeAnthropic() as api: api.queue(...); api.base_url``; ``api.requests`` holds what arrived."""

    def __init__(self):
        self.answers: list[dict] = []
        self.requests: list[dict] = []
        self.headers: list[dict] = []
        self.arrivals: list[float] = []
        self.release = threading.Event()
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output clean
                pass

            def do_POST(self):
                import time

                length = int(self.headers.get("content-length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                with fake._lock:
                    fake.requests.append(body)
                    fake.headers.append({k.lower(): v for k, v in self.headers.items()})
                    fake.arrivals.append(time.monotonic())
                    answer = fake.answers.pop(0) if fake.answers else http_error(500, "api_error", "no scripted answer")
                if answer["kind"] == "call":  # an answer computed from the request (chunked transcripts)
                    answer = answer["fn"](body)
                if self.path != "/v1/messages":
                    return self._send(404, {"type": "error", "error": {"type": "not_found_error", "message": self.path}})
                if answer["kind"] == "hang":
                    fake.release.wait(10)
                    return
                if answer["kind"] == "error":
                    return self._send(answer["status"], {"type": "error", "error": {
                        "type": answer["error_type"], "message": answer["message"]}}, answer["headers"])
                tool = next((t["name"] for t in body.get("tools", [])), "answer")
                content = [{"type": "tool_use", "id": f"toolu_{len(fake.requests):04d}", "name": tool,
                            "input": answer["input"]}] if answer["kind"] == "tool" else \
                    [{"type": "text", "text": answer["text"]}]
                self._send(200, {"id": f"msg_{len(fake.requests):04d}", "type": "message", "role": "assistant",
                                 "model": body.get("model"), "content": content,
                                 "stop_reason": "tool_use" if answer["kind"] == "tool" else "end_turn",
                                 "stop_sequence": None, "usage": answer["usage"]})

            def _send(self, status, payload, headers=None):
                data = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(data)))
                    for key, value in (headers or {}).items():
                        self.send_header(key, value)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def queue(self, *answers: dict) -> None:
        with self._lock:
            self.answers.extend(answers)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()
