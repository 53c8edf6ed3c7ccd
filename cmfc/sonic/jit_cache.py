"""librosa under one lock: numba's on-disk JIT cache is not safe for processes compiling at once.

librosa's kernels are ``@jit(cache=True)``. numba writes a cache entry's index and data files as two
separate replacements, so two processes compiling the same function (two builds, two test workers)
can leave an index that points at the other's machine code, and every later process that loads it
segfaults (seen here: a fresh venv, ``pytest -n 2``, every worker crashing in ``beat_track``).

So cmfc gives numba its own cache folder, named by the numba/librosa/Python versions (a stale cache
from other versions is never read), and holds an exclusive file lock on it while librosa runs. The
lock is taken once per process however deeply :func:`librosa_locked` nests, and analyses are cached by
content (``.cmfc/analysis``), so the wait is rare and short. ``CMFC_NUMBA_CACHE`` picks the folder; a
``NUMBA_CACHE_DIR`` set by the user is respected.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
import time
from importlib import metadata
from pathlib import Path
from types import ModuleType
from typing import Iterator

_process_lock = threading.RLock()
_depth = 0
_lock_file: int | None = None


def numba_cache_dir() -> Path:
    """The folder numba caches librosa's compiled kernels in, for this set of versions."""
    configured = os.environ.get("NUMBA_CACHE_DIR") or os.environ.get("CMFC_NUMBA_CACHE")
    if configured:
        return Path(configured)
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    versions = "-".join(_version(name) for name in ("numba", "librosa"))
    return base / "cmfc" / "numba" / f"{versions}-py{sys.version_info[0]}{sys.version_info[1]}"


def _version(distribution: str) -> str:
    try:
        return f"{distribution}{metadata.version(distribution)}"
    except metadata.PackageNotFoundError:
        return f"{distribution}-none"


@contextlib.contextmanager
def librosa_locked() -> Iterator[ModuleType]:
    """librosa, imported with cmfc's numba cache and used under the cache's exclusive lock."""
    global _depth, _lock_file
    with _process_lock:
        if _depth == 0:
            folder = numba_cache_dir()
            folder.mkdir(parents=True, exist_ok=True)
            # numba reads NUMBA_CACHE_DIR when librosa's functions are decorated, i.e. at import.
            os.environ.setdefault("NUMBA_CACHE_DIR", str(folder))
            _lock_file = _acquire(folder / ".lock")
        _depth += 1
        try:
            import librosa

            yield librosa
        finally:
            _depth -= 1
            if _depth == 0 and _lock_file is not None:
                _release(_lock_file)
                _lock_file = None


def beat_module(librosa: ModuleType) -> ModuleType:
    """``librosa.beat``, with the one kernel librosa leaves uncached cached like the others.

    librosa 0.11 declares ``__beat_local_score`` ``guvectorize(cache=False)``, so every process that
    imports ``librosa.beat`` compiles it again: 1.7 s of every fresh music analysis (and of a fresh
    build's serial start). Cached, it loads in milliseconds and computes the same beats; the
    cache's lock (call this inside :func:`librosa_locked`) rules out numba's concurrent-writer race.
    """
    if "librosa.beat" not in sys.modules:
        import numba

        original = numba.guvectorize

        def cached(*args, **kwargs):
            if kwargs.get("cache") is False:
                kwargs["cache"] = True
            return original(*args, **kwargs)

        numba.guvectorize = cached
        try:
            import librosa.beat  # noqa: F401
        finally:
            numba.guvectorize = original
    return librosa.beat


def _acquire(path: Path) -> int:
    """An exclusive lock on ``path`` (blocking); the descriptor to release."""
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        import fcntl
    except ImportError:  # Windows: no flock; the per-process lock is all there is
        return descriptor
    from cmfc import children

    # Polled, not blocking: another process (a second build, a test worker) may hold the lock for a
    # whole analysis, and a build told to stop must not wait for it (Ctrl-C would hang until then).
    while True:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return descriptor
        except BlockingIOError:
            if children.stopping():
                os.close(descriptor)
                raise children.Stopped("the build is stopping") from None
            time.sleep(0.05)


def _release(descriptor: int) -> None:
    try:
        import fcntl

        fcntl.flock(descriptor, fcntl.LOCK_UN)
    except ImportError:
        pass
    os.close(descriptor)
