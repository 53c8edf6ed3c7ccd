"""librosa's numba cache: cmfc's own folder per version set, and one process at a time inside it."""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys

import pytest

from cmfc.sonic import jit_cache


def test_the_cache_folder_is_named_by_versions(monkeypatch, tmp_path):
    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    monkeypatch.delenv("CMFC_NUMBA_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    folder = jit_cache.numba_cache_dir()
    assert folder.parent == tmp_path / "cmfc" / "numba"
    assert folder.name.startswith("numba") and "-librosa" in folder.name
    assert folder.name.endswith(f"-py{sys.version_info[0]}{sys.version_info[1]}")


def test_a_users_numba_cache_dir_is_respected(monkeypatch, tmp_path):
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path / "mine"))
    assert jit_cache.numba_cache_dir() == tmp_path / "mine"


def test_another_process_waits_while_librosa_runs(tmp_path):
    # A child holds librosa_locked() and reports it; the cache's lock file must then be taken.
    env = {**os.environ, "CMFC_NUMBA_CACHE": str(tmp_path)}
    env.pop("NUMBA_CACHE_DIR", None)
    code = ("import sys\nfrom cmfc.sonic.jit_cache import librosa_locked\n"
            "with librosa_locked():\n    with librosa_locked():\n        print('held', flush=True)\n"
            "        sys.stdin.readline()\nprint('released', flush=True)\n")
    child = subprocess.Popen([sys.executable, "-c", code], env=env, stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "held"
        descriptor = os.open(tmp_path / ".lock", os.O_RDWR)
        with pytest.raises(BlockingIOError):
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        child.stdin.write("\n")
        child.stdin.flush()
        assert child.stdout.readline().strip() == "released"
        fcntl.flock(descriptor, fcntl.LOCK_EX)  # free once the outermost block ends
        os.close(descriptor)
    finally:
        child.kill()
        child.wait()


def test_the_beat_kernel_librosa_leaves_uncached_is_cached():
    # librosa declares __beat_local_score cache=False: without cmfc's help every process compiles it
    # again. The second process must load it from the (shared, versioned) cache.
    code = ("from cmfc.sonic.jit_cache import beat_module, librosa_locked\n"
            "with librosa_locked() as librosa:\n    beat_module(librosa)\n")
    env = {**os.environ, "NUMBA_DEBUG_CACHE": "1"}
    for _ in range(2):
        run = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    loaded = [line for line in run.stdout.splitlines() if "data loaded" in line and "beat_local_score" in line]
    assert loaded, run.stdout[-2000:]
