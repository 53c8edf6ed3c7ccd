"""A shared remote cache: the Bazel HTTP remote-cache protocol (``/ac/`` and ``/cas/``), or S3.

What is stored where (the layout bazel-remote and an nginx WebDAV folder both serve):

- ``<base>/cas/<sha256>``: an output's bytes, named by their SHA-256 (the local store's blobs);
- ``<base>/ac/<action key>``: the action's record as JSON (the local ``.cmfc/actions/<key>.json``:
  key material and each output's ``{"sha256", "size"}``).

Reading: the record is fetched, checked (its key material must hash to the key asked for), then
every output is downloaded into the local store and verified by digest and size; only then is the
local record written, so the planner sees an ordinary cache hit. A blob that does not match is
discarded and the action runs locally (and its upload then replaces the bad blob).

Writing (after an action ran, unless read-only): the blobs first (``HEAD`` to skip what is there,
``PUT`` otherwise), the record last, so a partial upload is never visible under its key.

Failures never fail a build. The first time the remote cannot be reached, times out or answers
with a server error, one line is printed and the remote is left alone for the rest of the build;
transfers that break midway count against the same time budget (``timeout``).

Credentials come from the environment or the project's ``.env``: ``CMFC_REMOTE_CACHE_TOKEN``
(``Authorization: Bearer``) or ``CMFC_REMOTE_CACHE_USER`` + ``CMFC_REMOTE_CACHE_PASSWORD`` (basic);
for S3 ``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``, ``AWS_ENDPOINT_URL``... (the same
places), else boto3's own chain.
They never enter a key, a record, a log line or a report. With bazel-remote, start it with
``--disable_http_ac_validation`` (the records are JSON, not REAPI ActionResult protobufs).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable
from urllib.parse import urlsplit, urlunsplit

from cmfc.build.keys import KEY_SCHEME, canonical_json
from cmfc.diagnostics import CmfError, Diagnostic, Span
from cmfc.fsutil import HASH_CHUNK

DEFAULT_TIMEOUT = 5.0
MAX_RECORD_BYTES = 4 << 20  # an action record is a few KB; refuse to read a server's novel
_HEX64 = re.compile(r"[0-9a-f]{64}")
_MATERIAL = ("scheme", "kind", "version", "params", "inputs", "executor")
FROM_REMOTE = "_remote"  # marker on a record returned by RemoteActionCache.get (never written to disk)
ENV_URL = "CMFC_REMOTE_CACHE"
ENV_TOKEN = "CMFC_REMOTE_CACHE_TOKEN"
ENV_USER = "CMFC_REMOTE_CACHE_USER"
ENV_PASSWORD = "CMFC_REMOTE_CACHE_PASSWORD"


class RemoteDown(Exception):
    """The remote cannot serve this build: unreachable, too slow, refusing us, or failing."""


class TransferFailed(Exception):
    """One transfer broke (connection dropped midway, short body): that fetch is a miss."""


# --- configuration -----------------------------------------------------------------------------


@dataclass(frozen=True)
class RemoteConfig:
    """Where the remote cache is and how to use it (``[cache]`` in cmfc.toml, flags, environment)."""

    url: str
    read_only: bool = False
    timeout: float = DEFAULT_TIMEOUT

    @property
    def display(self) -> str:
        """The URL without any user:password part (what logs and reports show)."""
        return redact(self.url)


def redact(url: str) -> str:
    """``http://user:pw@host/x`` -> ``http://host/x``: credentials never reach a log line."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit((parts.scheme, parts.netloc.rsplit("@", 1)[1], parts.path, parts.query, parts.fragment))


def load_config(root: Path, url: str | None = None, read_only: bool | None = None,
                timeout: float | None = None) -> RemoteConfig | None:
    """The remote cache for the project at ``root``: flags win over ``$CMFC_REMOTE_CACHE``, which wins
    over ``[cache]`` in cmfc.toml (``remote``, ``read_only``, ``timeout``). None when there is none."""
    import tomllib

    from cmfc.project import CONFIG_NAME

    section: dict = {}
    config = Path(root) / CONFIG_NAME
    if config.is_file():
        try:
            section = tomllib.loads(config.read_text(encoding="utf-8")).get("cache", {})
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
            raise CmfError([Diagnostic(Span(str(config)), f"cmfc.toml is not valid TOML: {error}")]) from None
        if not isinstance(section, dict):
            raise CmfError([Diagnostic(Span(str(config)), "cmfc.toml: [cache] must be a table")])
    chosen = url or os.environ.get(ENV_URL) or section.get("remote")
    if not chosen:
        return None
    if not isinstance(chosen, str) or urlsplit(chosen).scheme not in ("http", "https", "s3"):
        raise CmfError([Diagnostic(Span(str(config)), f"cache remote {redact(str(chosen))!r}: expected an "
                                   "http://, https:// or s3:// URL")])
    wait = timeout if timeout is not None else section.get("timeout", DEFAULT_TIMEOUT)
    if not isinstance(wait, (int, float)) or isinstance(wait, bool) or wait <= 0:
        raise CmfError([Diagnostic(Span(str(config)), f"cmfc.toml [cache] timeout = {wait!r}: expected seconds > 0")])
    ro = read_only if read_only else bool(section.get("read_only", False))
    return RemoteConfig(chosen, ro, float(wait))


AWS_NAMES = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL",
             "AWS_DEFAULT_REGION")


def credentials(root: Path, names: tuple[str, ...] = (ENV_TOKEN, ENV_USER, ENV_PASSWORD)) -> dict[str, str]:
    """The remote cache's credentials from the environment, else the project's ``.env`` (never logged)."""
    found = {name: os.environ[name] for name in names if os.environ.get(name)}
    env_file = Path(root) / ".env"
    if len(found) < len(names) and env_file.is_file():
        from dotenv import dotenv_values

        for name, value in dotenv_values(env_file).items():
            if name in names and value and name not in found:
                found[name] = value
    return found


# --- backends ----------------------------------------------------------------------------------


class HttpBackend:
    """The Bazel HTTP cache protocol: ``GET``/``HEAD``/``PUT`` on ``<base>/ac/<key>`` and ``<base>/cas/<sha256>``."""

    def __init__(self, url: str, timeout: float, secrets: dict[str, str]):
        import requests

        parts = urlsplit(url)
        self.base = urlunsplit((parts.scheme, parts.netloc.rsplit("@", 1)[-1], parts.path.rstrip("/"), "", ""))
        self.timeout = timeout
        self.auth = None
        self.headers = {}
        if secrets.get(ENV_TOKEN):
            self.headers["Authorization"] = f"Bearer {secrets[ENV_TOKEN]}"
        elif secrets.get(ENV_USER):
            self.auth = (secrets[ENV_USER], secrets.get(ENV_PASSWORD, ""))
        elif parts.username:
            from urllib.parse import unquote

            self.auth = (unquote(parts.username), unquote(parts.password or ""))
        self._requests = requests
        self._local = threading.local()

    def _session(self):
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._requests.Session()
            session.headers.update(self.headers)
            session.auth = self.auth
            session.trust_env = False  # no proxy from the environment between us and the team's cache
            self._local.session = session
        return session

    def _call(self, method: str, path: str, **kw):
        try:
            response = self._session().request(method, f"{self.base}/{path}", timeout=self.timeout, **kw)
        except self._requests.RequestException as error:
            raise RemoteDown(_short_error(error)) from None
        if response.status_code >= 500 or response.status_code in (401, 403, 407):
            response.close()
            raise RemoteDown(f"HTTP {response.status_code} on {method} /{path.split('/')[0]}/")
        return response

    def get_record(self, key: str) -> bytes | None:
        response = self._call("GET", f"ac/{key}", stream=True)
        with response:
            if response.status_code == 404:
                return None
            if response.status_code != 200:
                raise RemoteDown(f"HTTP {response.status_code} on GET /ac/")
            return _read_limited(response, MAX_RECORD_BYTES, self._requests)

    def has_blob(self, digest: str) -> bool:
        response = self._call("HEAD", f"cas/{digest}")
        response.close()
        return response.status_code == 200

    def download(self, digest: str, out) -> bool:
        """Write the blob's bytes to the open file ``out``; False when the remote has none."""
        response = self._call("GET", f"cas/{digest}", stream=True)
        with response:
            if response.status_code == 404:
                return False
            if response.status_code != 200:
                raise RemoteDown(f"HTTP {response.status_code} on GET /cas/")
            try:
                for chunk in response.iter_content(HASH_CHUNK):
                    out.write(chunk)
            except self._requests.RequestException as error:
                raise TransferFailed(_short_error(error)) from None
        return True

    def put(self, path: str, data) -> None:
        response = self._call("PUT", path, data=data, headers={"Content-Type": "application/octet-stream"})
        response.close()
        if response.status_code not in (200, 201, 204):
            raise RemoteDown(f"HTTP {response.status_code} on PUT /{path.split('/')[0]}/")

    def put_blob(self, digest: str, source: Path) -> None:
        with open(source, "rb") as handle:
            self.put(f"cas/{digest}", handle)

    def put_record(self, key: str, data: bytes) -> None:
        self.put(f"ac/{key}", data)


class S3Backend:
    """The same layout in an S3 bucket (``s3://bucket/prefix``) through boto3 (extra ``cache-s3``)."""

    def __init__(self, url: str, timeout: float, secrets: dict[str, str] | None = None):
        try:
            import boto3
            from botocore.config import Config
        except ModuleNotFoundError:
            raise CmfError([Diagnostic(Span("cmfc.toml"), "an s3:// remote cache needs boto3",
                                       hint="pip install 'cmfc[cache-s3]'")]) from None
        import botocore.exceptions

        parts = urlsplit(url)
        self.bucket = parts.netloc
        self.prefix = parts.path.strip("/")
        config = Config(connect_timeout=timeout, read_timeout=timeout,
                        retries={"total_max_attempts": 1, "mode": "standard"})
        secrets = secrets or {}  # from the project's .env; boto3's own chain (environment, profiles) otherwise
        session = boto3.session.Session(aws_access_key_id=secrets.get("AWS_ACCESS_KEY_ID"),
                                        aws_secret_access_key=secrets.get("AWS_SECRET_ACCESS_KEY"),
                                        aws_session_token=secrets.get("AWS_SESSION_TOKEN"),
                                        region_name=secrets.get("AWS_DEFAULT_REGION"))
        self.client = session.client("s3", config=config, endpoint_url=secrets.get("AWS_ENDPOINT_URL"))
        self._errors = botocore.exceptions

    def _key(self, path: str) -> str:
        return f"{self.prefix}/{path}" if self.prefix else path

    def _wrap(self, call: Callable, *args, **kw):
        try:
            return call(*args, **kw)
        except self._errors.ClientError as error:
            status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
            code = error.response.get("Error", {}).get("Code", "")
            if status == 404 or code in ("404", "NoSuchKey", "NotFound"):
                return None
            raise RemoteDown(f"S3 {code or status}") from None
        except (self._errors.BotoCoreError, OSError) as error:
            raise RemoteDown(type(error).__name__) from None

    def get_record(self, key: str) -> bytes | None:
        found = self._wrap(self.client.get_object, Bucket=self.bucket, Key=self._key(f"ac/{key}"))
        if found is None:
            return None
        if found.get("ContentLength", 0) > MAX_RECORD_BYTES:
            raise TransferFailed("the action record is implausibly large")
        return self._read(found["Body"])

    def _read(self, body) -> bytes:
        try:
            return body.read()
        except (self._errors.BotoCoreError, OSError) as error:
            raise TransferFailed(type(error).__name__) from None

    def has_blob(self, digest: str) -> bool:
        return self._wrap(self.client.head_object, Bucket=self.bucket, Key=self._key(f"cas/{digest}")) is not None

    def download(self, digest: str, out) -> bool:
        found = self._wrap(self.client.get_object, Bucket=self.bucket, Key=self._key(f"cas/{digest}"))
        if found is None:
            return False
        try:
            for chunk in found["Body"].iter_chunks(HASH_CHUNK):
                out.write(chunk)
        except (self._errors.BotoCoreError, OSError) as error:
            raise TransferFailed(type(error).__name__) from None
        return True

    def put_blob(self, digest: str, source: Path) -> None:
        with open(source, "rb") as handle:
            self._wrap(self.client.put_object, Bucket=self.bucket, Key=self._key(f"cas/{digest}"), Body=handle)

    def put_record(self, key: str, data: bytes) -> None:
        self._wrap(self.client.put_object, Bucket=self.bucket, Key=self._key(f"ac/{key}"), Body=data)


def _read_limited(response, limit: int, requests) -> bytes:
    data = bytearray()
    try:
        for chunk in response.iter_content(64 << 10):
            data += chunk
            if len(data) > limit:
                raise TransferFailed("the action record is implausibly large")
    except requests.RequestException as error:
        raise TransferFailed(_short_error(error)) from None
    return bytes(data)


def _short_error(error: Exception) -> str:
    """A transport error in a few words, without the URL (which may carry a user name)."""
    import requests

    if isinstance(error, requests.Timeout):
        return "timed out"
    if isinstance(error, requests.ConnectionError):
        text = str(error)
        if "refused" in text.lower():
            return "connection refused"
        if "Name or service not known" in text or "nodename" in text:
            return "host not found"
        return "connection failed"
    return type(error).__name__


# --- the session: statistics, failure policy -----------------------------------------------------


@dataclass
class RemoteStats:
    """What the remote did for one build or plan."""

    hits: int = 0
    misses: int = 0
    bytes_down: int = 0
    bytes_up: int = 0
    uploads: int = 0  # action records written
    corrupt: int = 0  # blobs discarded for a digest mismatch
    failed: int = 0  # transfers that broke midway
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """``remote cache: 12 hits, 3 misses, 41.2 MB down, 0 B up``."""
        text = (f"remote cache: {self.hits} hit{'s' if self.hits != 1 else ''}, {self.misses} miss"
                f"{'es' if self.misses != 1 else ''}, {human_bytes(self.bytes_down)} down, "
                f"{human_bytes(self.bytes_up)} up")
        extra = []
        if self.uploads:
            extra.append(f"{self.uploads} uploaded")
        if self.corrupt:
            extra.append(f"{self.corrupt} corrupt blob{'s' if self.corrupt != 1 else ''} discarded")
        if self.failed:
            extra.append(f"{self.failed} broken transfer{'s' if self.failed != 1 else ''}")
        return text + (f" ({', '.join(extra)})" if extra else "")

    def to_dict(self) -> dict:
        return {"hits": self.hits, "misses": self.misses, "bytes_down": self.bytes_down, "bytes_up": self.bytes_up,
                "uploads": self.uploads, "corrupt": self.corrupt, "failed": self.failed, "warnings": self.warnings}


def human_bytes(count: int) -> str:
    """``0 B``, ``812 B``, ``4.1 KB``, ``37.9 MB`` (powers of 1000, like ``gc``)."""
    if count < 1000:
        return f"{count} B"
    for unit in ("KB", "MB", "GB"):
        count /= 1000
        if count < 1000 or unit == "GB":
            return f"{count:.1f} {unit}"
    raise AssertionError("unreachable")


class RemoteCache:
    """One build's (or plan's) use of a remote: the backend, the stats, and when to stop asking."""

    def __init__(self, config: RemoteConfig, backend=None, root: Path | None = None,
                 warn: Callable[[str], None] | None = None):
        self.config = config
        if backend is None:
            if urlsplit(config.url).scheme == "s3":
                backend = S3Backend(config.url, config.timeout, credentials(root or Path.cwd(), AWS_NAMES))
            else:
                backend = HttpBackend(config.url, config.timeout, credentials(root or Path.cwd()))
        self.backend = backend
        self.stats = RemoteStats()
        self._warn = warn or (lambda line: print(line, file=sys.stderr, flush=True))
        self._lock = threading.Lock()
        self._down = False
        self._writes_off = config.read_only
        self._lost = 0.0  # seconds spent on transfers that broke
        self.bad_blobs: set[str] = set()  # digests the remote served wrong: re-uploaded, never skipped

    @classmethod
    def from_project(cls, root: Path, url: str | None = None, read_only: bool = False,
                     timeout: float | None = None) -> RemoteCache | None:
        """The remote configured for ``root`` (flags, environment, cmfc.toml), or None."""
        config = load_config(root, url, read_only, timeout)
        return cls(config, root=root) if config else None

    @property
    def alive(self) -> bool:
        return not self._down

    def _disable(self, why: str) -> None:
        with self._lock:
            if self._down:
                return
            self._down = True
        line = (f"cmfc: warning: remote cache {self.config.display} {why}; "
                "building locally without it for the rest of this build")
        self.stats.warnings.append(line)
        self._warn(line)

    def _count(self, **deltas: int) -> None:
        with self._lock:
            for name, delta in deltas.items():
                setattr(self.stats, name, getattr(self.stats, name) + delta)

    def _broken(self, started: float) -> None:
        """A transfer broke: that fetch misses; enough lost time and the remote is dropped too."""
        with self._lock:
            self.stats.failed += 1
            self._lost += time.monotonic() - started
            over = self._lost >= self.config.timeout
        if over:
            self._disable(f"keeps breaking transfers ({self.stats.failed} so far)")

    # reading

    def lookup(self, key: str) -> dict | None:
        """The checked record for ``key`` from the remote, or None (a miss, or the remote is down)."""
        if self._down:
            return None
        started = time.monotonic()
        try:
            data = self.backend.get_record(key)
        except RemoteDown as error:
            self._disable(str(error))
            return None
        except TransferFailed:
            self._broken(started)
            return None
        record = parse_record(key, data) if data is not None else None
        if record is None:
            self._count(misses=1)
        else:
            self._count(bytes_down=len(data))
        return record

    def fetch_blob(self, digest: str, size: int, store, tmp_dir: Path) -> bool:
        """Download one blob into the local store, verified; False if absent, broken or corrupt."""
        if store.verify(digest, size) == "ok":
            return True
        if self._down:
            return False
        part = tmp_dir / f"{uuid.uuid4().hex}.remote"
        started = time.monotonic()
        try:
            with open(part, "wb") as out:
                hasher = _HashingWriter(out)
                found = self.backend.download(digest, hasher)
            if not found:
                return False
            self._count(bytes_down=hasher.size)
            if hasher.size != size or hasher.hexdigest() != digest:
                self._count(corrupt=1)
                with self._lock:
                    self.bad_blobs.add(digest)
                return False
            stored, _ = store.put(part)
            return stored == digest
        except RemoteDown as error:
            self._disable(str(error))
            return False
        except TransferFailed:
            self._broken(started)
            return False
        finally:
            part.unlink(missing_ok=True)

    # writing

    def upload(self, key: str, record: dict, store) -> None:
        """Blobs first, the record last (skipped when read-only or down); never raises."""
        if self._down or self._writes_off:
            return
        try:
            sent = 0
            for entry in sorted(record["outputs"].values(), key=lambda e: e["sha256"]):
                digest = entry["sha256"]
                if digest not in self.bad_blobs and self.backend.has_blob(digest):
                    continue
                self.backend.put_blob(digest, store.path(digest))
                sent += entry["size"]
            data = record_bytes(record)
            self.backend.put_record(key, data)
            self._count(bytes_up=sent + len(data), uploads=1)
        except (RemoteDown, TransferFailed, OSError) as error:
            self._disable(f"refused an upload ({error})")


class _HashingWriter:
    def __init__(self, out):
        self.out = out
        self.hash = hashlib.sha256()
        self.size = 0

    def write(self, chunk: bytes) -> None:
        self.hash.update(chunk)
        self.size += len(chunk)
        self.out.write(chunk)

    def hexdigest(self) -> str:
        return self.hash.hexdigest()


def record_bytes(record: dict) -> bytes:
    """A record as stored remotely: canonical JSON, without the in-memory marker."""
    return canonical_json({k: v for k, v in record.items() if k != FROM_REMOTE}).encode()


def parse_record(key: str, data: bytes) -> dict | None:
    """A downloaded record, or None unless it is one of ours and its key material hashes to ``key``."""
    try:
        record = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(record, dict) or record.get("scheme") != KEY_SCHEME or not isinstance(record.get("outputs"), dict):
        return None
    if any(name not in record for name in _MATERIAL):
        return None
    material = {name: record[name] for name in _MATERIAL}
    try:
        if hashlib.sha256(canonical_json(material).encode()).hexdigest() != key:
            return None
    except (TypeError, ValueError):
        return None
    for entry in record["outputs"].values():
        if not (isinstance(entry, dict) and isinstance(entry.get("sha256"), str) and _HEX64.fullmatch(entry["sha256"])
                and isinstance(entry.get("size"), int) and not isinstance(entry["size"], bool) and entry["size"] >= 0):
            return None
    return record


# --- the hook: an ActionCache that falls back to the remote ------------------------------------------


class RemoteActionCache:
    """The local action cache with the remote behind it.

    ``get`` answers from ``.cmfc/actions/`` first; on a miss it asks the remote. While a build
    plans, a remote record is returned at once (so the planner goes on to the next key, which may
    depend on this record's digests) and its outputs download in the background, several at a time;
    ``settle`` then waits for them, writes the local records of the complete ones, and says whether
    any failed (the build then plans again: those actions run). After ``settle``, and during the
    build, ``get`` downloads before answering. With ``fetch`` off (``plan``, ``explain``) records are
    only looked up. ``put`` writes locally, then uploads. Records from the remote carry ``FROM_REMOTE``.
    """

    DOWNLOADS = 8  # blobs in flight at once while planning

    def __init__(self, local, store, layout, remote: RemoteCache, fetch: bool = True):
        self.local = local
        self.store = store
        self.layout = layout
        self.remote = remote
        self.fetch = fetch
        self.planning = fetch
        self.failed: set[str] = set()  # keys whose download failed: misses for the rest of the build
        self.restored: set[str] = set()  # keys this build restored from the remote
        self._pending: dict[str, tuple[dict, list]] = {}
        self._inflight: dict[str, object] = {}  # digest -> Future (one download per blob)
        self._pool = None

    def __getattr__(self, name):  # keys(), remove(), ... stay the local cache's
        return getattr(self.local, name)

    def get(self, key: str) -> dict | None:
        record = self.local.get(key)
        if record is not None and key in self.restored:
            return {**record, FROM_REMOTE: "fetched"}
        if record is not None or not _HEX64.fullmatch(key or "") or key in self.failed:
            return record
        if key in self._pending:
            return {**self._pending[key][0], FROM_REMOTE: "lookup"}
        record = self.remote.lookup(key)
        if record is None:
            return None
        if not self.fetch:
            self.remote._count(hits=1)
            return {**record, FROM_REMOTE: "lookup"}
        if self.planning:
            self._pending[key] = (record, [self._download(entry) for entry in record["outputs"].values()])
            return {**record, FROM_REMOTE: "lookup"}
        if all(self.remote.fetch_blob(e["sha256"], e["size"], self.store, self.layout.tmp)
               for e in record["outputs"].values()):
            self.local.put(key, record)
            self.restored.add(key)
            self.remote._count(hits=1)
            return {**record, FROM_REMOTE: "fetched"}
        self.failed.add(key)
        self.remote._count(misses=1)
        return None

    def _download(self, entry: dict):
        from concurrent.futures import ThreadPoolExecutor

        digest = entry["sha256"]
        if digest not in self._inflight:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(self.DOWNLOADS, thread_name_prefix="cmfc-remote")
            self._inflight[digest] = self._pool.submit(self.remote.fetch_blob, digest, entry["size"], self.store,
                                                       self.layout.tmp)
        return self._inflight[digest]

    def settle(self) -> bool:
        """Wait for the downloads started while planning; True when some failed (plan again)."""
        self.planning = False
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None
        failed = False
        for key, (record, futures) in sorted(self._pending.items()):
            if all(future.result() for future in futures):
                self.local.put(key, record)
                self.restored.add(key)
                self.remote._count(hits=1)
            else:
                self.failed.add(key)
                self.remote._count(misses=1)
                failed = True
        self._pending.clear()
        self._inflight.clear()
        return failed

    def put(self, key: str, record: dict) -> None:
        self.local.put(key, record)
        self.remote.upload(key, record, self.store)


def settle(state) -> bool:
    """After planning a build: wait for the remote's downloads; True if the build must plan again."""
    cache = state.cache
    return cache.settle() if isinstance(cache, RemoteActionCache) else False


def attach(state, remote: RemoteCache | None, fetch: bool) -> None:
    """Put the remote behind ``state.cache`` (a PlanState); nothing when there is no remote."""
    if remote is not None:
        state.cache = RemoteActionCache(state.cache, state.store, state.layout, remote, fetch)


def from_remote(record: dict | None) -> str | None:
    """``"fetched"`` or ``"lookup"`` when ``record`` came from the remote; None for a local one."""
    return record.get(FROM_REMOTE) if record else None


def remote_problems(action, record: dict) -> list:
    """For a record only looked up (``plan``): the outputs it lacks, as the planner's reasons."""
    from cmfc.build.explain import Reason

    return [Reason("output-missing", f"output {o.name!r} is not in the remote cache record")
            for o in action.outputs if o.name not in record["outputs"]]
