"""A build told to stop (SIGTERM from a process manager, SIGINT) stops its ffmpeg runs too, at once."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

DRIVER = Path(__file__).with_name("signal_driver.py")


def children(pid: int) -> list[int]:
    """Child process ids of ``pid``, over all its threads (Linux /proc; threads and children come and go)."""
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(FileNotFoundError, ProcessLookupError):
            found += [int(child) for child in (task / "children").read_text().split()]
    return found


def cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except (FileNotFoundError, ProcessLookupError):
        return b""


def running(pid: int) -> bool:
    """True while ``pid`` exists and is not a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat[stat.rindex(")") + 2] not in "ZX"


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads child processes from Linux /proc")
@pytest.mark.parametrize("signum, exit_code", [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_stopped_build_stops_its_ffmpeg(tmp_path, signum, exit_code):
    build = subprocess.Popen([sys.executable, str(DRIVER), str(tmp_path)], stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    ffmpeg: list[int] = []
    while build.poll() is None and not ffmpeg and time.monotonic() < deadline:
        ffmpeg = [pid for pid in children(build.pid) if b"testsrc2=size=64x64" in cmdline(pid)]
        time.sleep(0.01)  # polling for the child, not waiting for a guessed duration
    try:
        assert ffmpeg, "the build never started ffmpeg"
        build.send_signal(signum)
        _, errors = build.communicate(timeout=20)  # the encode alone would take ten minutes
        assert build.returncode == exit_code, errors.decode()[-2000:]
        assert not running(ffmpeg[0])
    finally:
        build.kill()
        for pid in ffmpeg:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
    assert not (tmp_path / "out.txt").exists()
    if signum == signal.SIGTERM:
        assert b"cmfc: stopped by SIGTERM (1 running processes with it)" in errors
