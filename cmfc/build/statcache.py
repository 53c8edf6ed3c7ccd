"""The stat cache (``.cmfc/stat.json``): path -> size, mtime, inode, ctime, digest, like git's index.

A file is hashed only when its stat signature differs from the one recorded with its digest, so a
no-op build stats files and hashes none. Racy entries (modified in the same clock tick the cache
was written) are marked and re-hashed next time, as git does, so a quick edit is never missed.
"""

from __future__ import annotations

import json
import os
import stat
import threading
from pathlib import Path

from cmfc.fsutil import HASH_CHUNK

_FORMAT = 1
_TRUSTED, _RACY = 0, 1


class StatCache:
    """Digests of project files keyed by project-relative path, trusted while their stat is unchanged."""

    def __init__(self, root: Path, cache_file: Path):
        self.root = root
        self.cache_file = cache_file
        self.entries: dict[str, list] = _load(cache_file)
        self.files_hashed = 0
        self.bytes_hashed = 0
        self._own: set[str] = set()
        self._dirty = False
        self._lock = threading.Lock()

    def digest(self, rel: str, expected_size: int | None = None, fresh_after_ns: int | None = None) -> str | None:
        """SHA-256 of ``root/rel`` (None if missing); re-hashes only when the stat changed.

        With ``expected_size``, a file of another size returns "" at once, without hashing. With
        ``fresh_after_ns``, a file modified at or after that wall-clock time is hashed even when its stat
        is unchanged (a same-size rewrite within one clock tick keeps the stat).
        """
        try:
            st = os.stat(self.root / rel)
        except (FileNotFoundError, NotADirectoryError):
            self.forget(rel)
            return None
        if not stat.S_ISREG(st.st_mode):  # a folder (or a device) where a file belongs holds no bytes
            self.forget(rel)
            return None
        signature = [st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns]
        entry = self.entries.get(rel)
        recent = fresh_after_ns is not None and max(st.st_mtime_ns, st.st_ctime_ns) >= fresh_after_ns
        if entry is not None and entry[:4] == signature and entry[5] == _TRUSTED and not recent:
            return entry[4]
        if expected_size is not None and st.st_size != expected_size:
            return ""
        digest = self._hash(self.root / rel)
        with self._lock:
            self.entries[rel] = signature + [digest, _TRUSTED]
            self._dirty = True
        return digest

    def matches(self, rel: str, digest: str, size: int | None = None) -> bool:
        """True when ``root/rel`` exists and holds exactly the bytes with ``digest``."""
        return self.digest(rel, size) == digest

    def record(self, rel: str, digest: str) -> None:
        """Remember the digest of a file the engine just wrote itself (no hashing needed)."""
        st = os.stat(self.root / rel)
        with self._lock:
            self.entries[rel] = [st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns, digest, _TRUSTED]
            self._own.add(rel)
            self._dirty = True

    def forget(self, rel: str) -> None:
        """Drop what is known about ``rel`` (it vanished or was deleted on purpose)."""
        with self._lock:
            if self.entries.pop(rel, None) is not None:
                self._dirty = True

    def save(self, tmp_dir: Path) -> None:
        """Write the cache atomically if anything changed, marking racily-clean entries."""
        if not self._dirty:
            return
        tmp_dir.mkdir(parents=True, exist_ok=True)
        tmp_path = tmp_dir / f"stat.{os.getpid()}.{threading.get_ident()}.part"
        with open(tmp_path, "wb") as out:
            # The temp file's own mtime is "now" on the file-system clock: any file we did not
            # write ourselves whose mtime is not older may still change within this same tick.
            now_ns = os.fstat(out.fileno()).st_mtime_ns
            with self._lock:
                for rel, entry in self.entries.items():
                    entry[5] = _RACY if entry[1] >= now_ns and rel not in self._own else _TRUSTED
                text = json.dumps({"format": _FORMAT, "entries": self.entries}, sort_keys=True, separators=(",", ":"))
            out.write(text.encode())
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp_path, self.cache_file)
        self._dirty = False

    def hash(self, path: Path) -> str:
        """SHA-256 of a file's bytes now, whatever its stat says (``cmfc verify``: bit rot keeps the stat)."""
        return self._hash(path)

    def _hash(self, path: Path) -> str:
        import hashlib

        digest = hashlib.sha256()
        size = 0
        with open(path, "rb") as handle:
            while chunk := handle.read(HASH_CHUNK):
                digest.update(chunk)
                size += len(chunk)
        with self._lock:
            self.files_hashed += 1
            self.bytes_hashed += size
        return digest.hexdigest()


def _load(cache_file: Path) -> dict[str, list]:
    """The saved entries, or none at all when the file is missing, torn or from another format."""
    try:
        data = json.loads(cache_file.read_bytes())
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("format") != _FORMAT or not isinstance(data.get("entries"), dict):
        return {}
    return {k: v for k, v in data["entries"].items() if isinstance(v, list) and len(v) == 6}
