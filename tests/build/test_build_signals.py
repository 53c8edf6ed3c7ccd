"""A build told to stop (SIGTERM from a process manager, SIGINT) stops its ffmpeg runs too, at once."""

from __future__ import annotations

import contextlib
import os
import re
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
        assert b"cmfc: stopped by SIGTERM (1 running process with it)" in errors


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads child processes from Linux /proc")
@pytest.mark.parametrize("signum, exit_code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_cmfc_build_stopped_by_a_signal_exits_as_a_shell_reports_it(tmp_path, signum, exit_code):
    """The real command (click and all): Ctrl-C is 130, not click's "Aborted!" exit 1; SIGTERM is 143;
    the ffmpeg rendering a scene is stopped with it, and the message says the next build resumes."""
    from cmfc.scaffold import scaffold

    scaffold(str(tmp_path / "proj"), "PROJ_Sig")
    build = subprocess.Popen([sys.executable, "-m", "cmfc", "build", str(tmp_path / "proj")],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    ffmpeg: list[int] = []
    while build.poll() is None and not ffmpeg and time.monotonic() < deadline:
        # the Ken Burns render of the still (SC_02): seconds of work, the build's longest action
        ffmpeg = [pid for pid in children(build.pid) if b"stage_01.png" in cmdline(pid) and b"ffmpeg" in cmdline(pid)]
        time.sleep(0.01)  # polling for the child, not waiting for a guessed duration
    try:
        assert ffmpeg, "the build never rendered the still"
        build.send_signal(signum)
        out, errors = build.communicate(timeout=30)
        text = errors.decode()
        assert build.returncode == exit_code, text[-2000:]
        assert not running(ffmpeg[0])
    finally:
        build.kill()
        for pid in ffmpeg:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
    assert "Aborted!" not in text and "Traceback" not in text
    name = signal.Signals(signum).name
    assert re.search(rf"^cmfc: stopped by {name} \(\d+ running process(es)? with it\); "
                     r"the next build resumes from what finished$", text, re.M), text[-2000:]
    assert not list((tmp_path / "proj").rglob("*_FINAL.mp4"))


def test_build_help_states_the_exit_codes():
    from click.testing import CliRunner

    from cmfc.cli import cli

    text = CliRunner().invoke(cli, ["build", "--help"]).output
    for code in (0, 1, 2, 130, 143):
        assert re.search(rf"^ +{code} +\w", text, re.M), text
    assert "Ctrl-C" in text and "SIGTERM" in text
