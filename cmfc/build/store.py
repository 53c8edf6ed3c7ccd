"""Where the engine keeps things under ``.cmfc/``: the content-addressed store, the action cache,
temp space, and the atomic moves between them and the project.

Order of writes (so a SIGKILL at any moment leaves nothing half-written in place): an action writes
into ``.cmfc/tmp/``; each output is fsynced and renamed into ``store/<2 hex>/<digest>``; only then is
``actions/<key>.json`` written (atomically); only then are named outputs copied into the project
(temp + fsync + rename).
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import uuid
from pathlib import Path

from cmfc.build.action import STATE_DIR
from cmfc.build.statcache import StatCache
from cmfc.fsutil import HASH_CHUNK, atomic_write_bytes, fsync_dir


class Layout:
    """The paths of one project's engine state."""

    def __init__(self, root: Path):
        self.root = root
        self.state = root / STATE_DIR
        self.store = self.state / "store"
        self.actions = self.state / "actions"
        self.tmp = self.state / "tmp"
        self.stat_file = self.state / "stat.json"
        self.last_file = self.state / "last.json"
        self.manifest_file = self.state / "manifest.json"
        self.outputs_file = self.state / "outputs.json"
        self.lock_file = self.state / "lock"

    def store_rel(self, digest: str) -> str:
        """Project-relative path of a store entry (the key the stat cache knows it by)."""
        return f"{STATE_DIR}/store/{digest[:2]}/{digest}"

    def make_dirs(self) -> None:
        """Create the state folders (idempotent)."""
        for folder in (self.store, self.actions, self.tmp):
            folder.mkdir(parents=True, exist_ok=True)

    def clean_tmp(self) -> None:
        """Remove what a killed build left in ``.cmfc/tmp/`` (call under the project lock)."""
        if self.tmp.exists():
            shutil.rmtree(self.tmp, ignore_errors=True)
        self.tmp.mkdir(parents=True, exist_ok=True)

    def new_tmp_dir(self) -> Path:
        """A fresh private folder in ``.cmfc/tmp/`` for one attempt of one action."""
        folder = self.tmp / uuid.uuid4().hex
        folder.mkdir(parents=True)
        return folder


def write_atomic(target: Path, data: bytes, tmp_dir: Path) -> None:
    """Write via a temp file in ``tmp_dir`` (cleaned at the next start), fsync, rename, fsync the folder."""
    target.parent.mkdir(parents=True, exist_ok=True)
    part = tmp_dir / f"{uuid.uuid4().hex}.part"
    try:
        fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        _replace(part, target)
    except BaseException:
        _unlink_quietly(part)
        raise


def _unlink_quietly(path: Path) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def _replace(part: Path, target: Path) -> None:
    try:
        os.replace(part, target)
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
        # The output folder is on another file system (a mount or symlink): rename next to it instead.
        atomic_write_bytes(target, part.read_bytes())
        part.unlink()
    fsync_dir(target.parent)


class Store:
    """Content-addressed blobs, verified against their name whenever they are about to be read."""

    def __init__(self, layout: Layout, stats: StatCache):
        self.layout = layout
        self.stats = stats

    def path(self, digest: str) -> Path:
        """Absolute path of the entry for ``digest``."""
        return self.layout.root / self.layout.store_rel(digest)

    def put(self, src: Path) -> tuple[str, int]:
        """Move a finished temp file into the store; return its digest and size."""
        import hashlib

        digest = hashlib.sha256()
        size = 0
        with open(src, "rb") as handle:
            while chunk := handle.read(HASH_CHUNK):
                digest.update(chunk)
                size += len(chunk)
            os.fsync(handle.fileno())
        hexdigest = digest.hexdigest()
        # Read-only, so an action that scribbles on its input cannot corrupt the store silently.
        os.chmod(src, 0o444)
        target = self.path(hexdigest)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(src, target)
        fsync_dir(target.parent)
        self.stats.record(self.layout.store_rel(hexdigest), hexdigest)
        return hexdigest, size

    def verify(self, digest: str, size: int) -> str:
        """"ok", "missing" or "corrupt": size first, then the digest (cached by stat)."""
        found = self.stats.digest(self.layout.store_rel(digest), expected_size=size)
        if found is None:
            return "missing"
        return "ok" if found == digest else "corrupt"

    def has(self, digest: str) -> bool:
        """True when an entry named ``digest`` exists (not verified)."""
        return self.path(digest).is_file()

    def remove(self, digest: str) -> int:
        """Delete an entry (corrupt or unreferenced); return the bytes freed."""
        path = self.path(digest)
        try:
            size = path.stat().st_size
            path.unlink()
        except FileNotFoundError:
            size = 0
        self.stats.forget(self.layout.store_rel(digest))
        return size

    def materialise(self, digest: str, rel: str) -> None:
        """Copy an entry to the project path ``rel`` atomically and remember its stat."""
        target = self.layout.root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        part = self.layout.tmp / f"{uuid.uuid4().hex}.part"
        try:
            shutil.copyfile(self.path(digest), part)
            os.chmod(part, 0o666 & ~_umask())
            with open(part, "rb+") as handle:
                os.fsync(handle.fileno())
            _replace(part, target)
        except BaseException:
            _unlink_quietly(part)  # a full disk must not stay full of our copy
            raise
        self.stats.record(rel, digest)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


class ActionCache:
    """``.cmfc/actions/<key>.json``: the record of a successful run (key material + output digests)."""

    def __init__(self, layout: Layout):
        self.layout = layout

    def get(self, key: str) -> dict | None:
        """The record for ``key``, or None when absent or unreadable."""
        try:
            record = json.loads((self.layout.actions / f"{key}.json").read_bytes())
        except (OSError, ValueError):
            return None
        return record if isinstance(record, dict) and isinstance(record.get("outputs"), dict) else None

    def put(self, key: str, record: dict) -> None:
        """Write the record atomically (the last step of a successful run)."""
        data = json.dumps(record, sort_keys=True, indent=1, ensure_ascii=False).encode()
        write_atomic(self.layout.actions / f"{key}.json", data, self.layout.tmp)

    def keys(self) -> list[str]:
        """Every key with a record."""
        if not self.layout.actions.exists():
            return []
        return sorted(p.stem for p in self.layout.actions.glob("*.json"))

    def remove(self, key: str) -> int:
        """Delete a record; return the bytes freed."""
        path = self.layout.actions / f"{key}.json"
        try:
            size = path.stat().st_size
            path.unlink()
        except FileNotFoundError:
            return 0
        return size
