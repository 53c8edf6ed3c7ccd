"""Progress where nobody watches a terminal (CI logs, ``| tee``, IDE runners): plain lines that say
which action finished, how it ended and how long it took, and where the whole build is."""

from __future__ import annotations

import io
import re
import subprocess
import sys
import threading
import time
from types import SimpleNamespace

from cmfc.build.progress import LineProgress
from cmfc.scaffold import scaffold

STATUS = re.compile(r"^\d+/\d+ actions, \d+:\d\d elapsed, ETA (\d+:\d\d|unknown)$", re.M)


def test_a_build_with_stderr_a_pipe_logs_each_action_and_where_the_build_is(tmp_path):
    scaffold(str(tmp_path / "proj"), "PROJ_Log")
    spec = tmp_path / "proj" / "proj.cmf"  # no music bed: its analysis waits on librosa's machine-wide lock
    spec.write_text(re.sub(r'  music "audio/bed.wav"\n(    .*\n)*', "", spec.read_text()))
    done = subprocess.run([sys.executable, "-m", "cmfc", "build", "--compile-only", "--progress-every", "0",
                           str(tmp_path / "proj")], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    finished = re.findall(r"^\[(\d+)/(\d+)\] ran (\S+) \d+\.\ds$", done.stderr, re.M)
    assert {"compile:natron:SC_01", "compile:captions", "compile:resolve"} <= {f[2] for f in finished}
    assert [int(f[0]) for f in finished] == list(range(1, len(finished) + 1))
    assert {int(f[1]) for f in finished} == {len(finished)}
    assert STATUS.search(done.stderr), done.stderr
    assert "\x1b[" not in done.stderr.split("┏")[0]  # no terminal control before the table


def test_the_status_line_comes_while_a_long_action_runs_and_nothing_finishes():
    stream = io.StringIO()
    progress = LineProgress(stream, every=0.05)
    progress.start(3)
    progress.finished(SimpleNamespace(id="render:SC_01", status="ran", seconds=0.2, error=None))
    deadline = time.monotonic() + 10
    while not STATUS.search(stream.getvalue()) and time.monotonic() < deadline:
        time.sleep(0.01)  # polling the log for the heartbeat, not waiting for a guessed duration
    progress.close()
    assert STATUS.search(stream.getvalue()).group(0).startswith("1/3 actions, ")
    assert not any(t.name == "cmfc-progress" for t in threading.enumerate())


def test_the_eta_follows_the_pace_so_far():
    now = [100.0]
    stream = io.StringIO()
    progress = LineProgress(stream, every=0, clock=lambda: now[0])
    progress.start(12)
    assert progress.status_line() == "0/12 actions, 0:00 elapsed, ETA unknown"
    for index in range(3):
        now[0] += 10
        progress.finished(SimpleNamespace(id=f"a{index}", status="ran", seconds=10.0, error=None))
    assert progress.status_line() == "3/12 actions, 0:30 elapsed, ETA 1:30"
    assert "[3/12] ran a2 10.0s\n3/12 actions, 0:30 elapsed, ETA 1:30\n" in stream.getvalue()
