"""Real servers for the remote-cache tests: Debian's nginx as a WebDAV (PUT) cache, and a TCP proxy
that breaks downloads on purpose. Everything listens on 127.0.0.1 only."""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

NGINX_CONF = """\
daemon off;
master_process off;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 256; }}
http {{
    log_format cache '$request_method $uri $status';
    access_log {tmp}/access.log cache;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    server {{
        listen 127.0.0.1:{port};
        root {root};
        location / {{
            dav_methods PUT;
            create_full_put_path on;
            dav_access user:rw group:r all:r;
            client_max_body_size 0;
            log_not_found off;
{auth}
        }}
    }}
}}
"""


def nginx_binary() -> str | None:
    """nginx on PATH or where Debian puts it."""
    return shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.access(p, os.X_OK)), None)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, deadline: float, process: subprocess.Popen | None = None) -> bool:
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            return False
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return True
        except OSError:
            time.sleep(0.02)
    return False


class Nginx:
    """nginx in the foreground on a free 127.0.0.1 port, serving (and accepting PUTs into) ``root``."""

    def __init__(self, workdir: Path, user: str | None = None, password: str | None = None):
        self.tmp = workdir / "nginx"
        self.root = workdir / "www"
        self.tmp.mkdir(parents=True, exist_ok=True)
        self.root.mkdir(parents=True, exist_ok=True)
        auth = ""
        if user:
            digest = base64.b64encode(hashlib.sha1(password.encode()).digest()).decode()
            (self.tmp / "htpasswd").write_text(f"{user}:{{SHA}}{digest}\n")
            auth = f'            auth_basic "cmfc cache";\n            auth_basic_user_file {self.tmp}/htpasswd;'
        self.auth = auth
        self.process: subprocess.Popen | None = None
        self.port = 0

    def start(self) -> Nginx:
        binary = nginx_binary()
        for _ in range(5):  # another test may take the free port between the probe and nginx's bind
            self.port = free_port()
            conf = self.tmp / "nginx.conf"
            conf.write_text(NGINX_CONF.format(tmp=self.tmp, root=self.root, port=self.port, auth=self.auth))
            self.process = subprocess.Popen([binary, "-p", str(self.tmp), "-e", str(self.tmp / "error.log"),
                                             "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            if wait_for_port(self.port, time.monotonic() + 10, self.process):
                return self
            self.stop()
        raise RuntimeError(f"nginx did not start: {(self.tmp / 'error.log').read_text(errors='replace')[-2000:]}")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/cmfc"

    def files(self, kind: str) -> dict[str, bytes]:
        """Name -> bytes of what the cache holds under ``ac`` or ``cas``."""
        folder = self.root / "cmfc" / kind
        return {p.name: p.read_bytes() for p in sorted(folder.iterdir())} if folder.is_dir() else {}

    def requests(self) -> list[tuple[str, str, str]]:
        """(method, uri, status) of every request so far, in order."""
        log = self.tmp / "access.log"
        return [tuple(line.split(" ", 2)) for line in log.read_text().splitlines()] if log.exists() else []

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


class BreakingProxy:
    """A one-request-per-connection HTTP proxy to ``upstream_port`` that cuts the body of the first
    ``breaks`` GET /cas/ responses in half and closes the connection (a dropped download)."""

    def __init__(self, upstream_port: int, breaks: int = 1):
        self.upstream_port = upstream_port
        self.breaks = breaks
        self.broken: list[str] = []
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.port = self.listener.getsockname()[1]
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._handle, args=(client,), daemon=True).start()

    def _handle(self, client: socket.socket) -> None:
        with client:
            request = _read_request(client)
            if request is None:
                return
            # one request per connection: tell both sides so
            head, body = request.split(b"\r\n\r\n", 1)
            head = b"\r\n".join(line for line in head.split(b"\r\n") if not line.lower().startswith(b"connection:"))
            head += b"\r\nConnection: close"
            with socket.create_connection(("127.0.0.1", self.upstream_port)) as upstream:
                upstream.sendall(head + b"\r\n\r\n" + body)
                response = b""
                while chunk := upstream.recv(1 << 16):
                    response += chunk
            line = head.split(b"\r\n", 1)[0].decode()
            with self.lock:
                cut = line.startswith("GET ") and "/cas/" in line and len(self.broken) < self.breaks
                if cut:
                    self.broken.append(line.split()[1])
            if cut:
                header_end = response.index(b"\r\n\r\n") + 4
                response = response[:header_end + (len(response) - header_end) // 2]
            client.sendall(response)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/cmfc"

    def close(self) -> None:
        self.listener.close()


def _read_request(sock: socket.socket) -> bytes | None:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(1 << 16)
        if not chunk:
            return None
        data += chunk
    head, body = data.split(b"\r\n\r\n", 1)
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        chunk = sock.recv(1 << 16)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body


class SilentServer:
    """Accepts connections and never answers: a remote that hangs."""

    def __init__(self):
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.port = self.listener.getsockname()[1]
        self.accepted = 0
        self.held: list[socket.socket] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            self.accepted += 1
            self.held.append(conn)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/cmfc"

    def close(self) -> None:
        self.listener.close()
        for conn in self.held:
            conn.close()
