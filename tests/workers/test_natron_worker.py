"""workers/natron: the Runpod handler's contract, run the way the SDK runs it locally (--test_input)."""

from __future__ import annotations

import base64
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WORKER = ROOT / "workers" / "natron" / "handler.py"
SCENE = ROOT / "golden" / "alpha" / "natron" / "PROJ_Alpha_SC_01.ntp"
OUTPUT = "03_OUTPUT/PROJ_Alpha/04_fabrication/PROJ_Alpha_SC_01_ICON_FX_v02.mov"

pytest.importorskip("runpod")


def fake_renderer(folder: Path) -> Path:
    """An executable named NatronRenderer that runs tests/workers/fake_natron.py."""
    script = folder / "NatronRenderer"
    script.write_text(f"#!/bin/sh\nexec {sys.executable} {Path(__file__).with_name('fake_natron.py')} \"$@\"\n")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script


def _job(raw: bytes) -> dict:
    return {"input": {
        "project": {"name": SCENE.name, "data": base64.b64encode(SCENE.read_bytes()).decode()},
        "writer": "Writer1", "frames": [1, 12], "output": OUTPUT,
        "files": [{"path": "03_OUTPUT/PROJ_Alpha/03_mining/PROJ_Alpha_SC_01_ICON_RAW_v02.mp4",
                   "data": base64.b64encode(raw).decode()}],
        "onload": {"name": "cmfc_paths.py", "data": base64.b64encode(b"# anchors paths\n").decode()}}}


def _run_local(tmp_path: Path, job: dict, **env) -> tuple[int, str]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    fake_renderer(bin_dir)
    environ = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
               "FAKE_NATRON_LOG": str(tmp_path / "argv.jsonl"), **env}
    environ.pop("BUCKET_ENDPOINT_URL", None)
    done = subprocess.run([sys.executable, str(WORKER), "--test_input", json.dumps(job)], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120, env=environ)
    return done.returncode, done.stdout + done.stderr


def _load_handler():
    from importlib import util

    spec = util.spec_from_file_location("natron_worker_handler", WORKER)
    module = util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _frames(path: Path) -> int:
    import imageio_ffmpeg

    return imageio_ffmpeg.count_frames_and_secs(str(path))[0]


def test_sdk_local_run_renders_with_natrons_command_line(tmp_path):
    code, log = _run_local(tmp_path, _job(b"\0" * 64))
    assert code == 0, log
    assert "completed successfully" in log
    # The SDK's logger cuts long lines: the head of the result is enough to see its shape.
    assert "'output': {'frames': 12," in log and "'filename': 'PROJ_Alpha_SC_01_ICON_FX_v02.mov', 'type': 'base64'" in log
    # The command line NatronRenderer got is the one render.sh uses: -l onload -w Writer first-last project.
    (argv,) = [json.loads(line) for line in (tmp_path / "argv.jsonl").read_text().splitlines()]
    assert argv[0] == "-l" and argv[1].endswith("natron/cmfc_paths.py")
    assert argv[2:5] == ["-w", "Writer1", "1-12"] and argv[5].endswith("natron/PROJ_Alpha_SC_01.ntp")


def test_handler_returns_a_clip_that_decodes(tmp_path, monkeypatch):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake_renderer(bin_dir)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.delenv("BUCKET_ENDPOINT_URL", raising=False)
    result = _load_handler().handler(_job(b"\0" * 64))
    clip = tmp_path / "clip.mov"
    clip.write_bytes(base64.b64decode(result["video"]["data"]))
    assert result["frames"] == 12 and _frames(clip) == 12


def test_render_failure_is_a_failed_job_with_natrons_words(tmp_path):
    code, log = _run_local(tmp_path, _job(b"\0"), FAKE_NATRON_FAIL="1")
    assert code == 1
    assert "NatronRenderer exited with 1" in log and "Unable to open file" in log


@pytest.mark.parametrize("bad, message", [
    ({"output": "../../etc/passwd"}, "not a project-relative path: '../../etc/passwd'"),
    ({"files": [{"path": "/abs/x.mp4", "data": ""}]}, "not a project-relative path: '/abs/x.mp4'"),
    ({"project": {"name": "x.txt", "data": ""}}, "project.name must be a file name ending in .ntp or .py"),
    ({"files": [{"path": "a.mp4", "data": "@@@"}]}, "files[0] (a.mp4): data is not valid base64"),
])
def test_bad_input_is_refused_in_words(tmp_path, bad, message):
    module = _load_handler()
    job = _job(b"\0")
    job["input"].update(bad)
    assert module.handler(job) == {"error": f"bad input: {message}"}
