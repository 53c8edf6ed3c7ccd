"""Natron compositing: NatronRenderer found and versioned, its command line, local renders and Runpod dispatch."""

from __future__ import annotations

import json
import os
import shlex
import threading
from pathlib import Path

import pytest

from cmfc.executors.base import PermanentError, TransientError
from cmfc.executors.natron import (
    CompositeJob,
    NatronExecutor,
    RunpodNatronExecutor,
    count_frames,
    find_renderer,
    render_command,
)
from cmfc.executors.runpod import RunpodExecutor, Timeouts

from ..workers.fake_natron import parse
from ..workers.test_natron_worker import SCENE, _load_handler, fake_renderer
from .runpod_standin import ENDPOINT, KEY, RunpodStandIn

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "natron"
RAW = "03_OUTPUT/PROJ_Alpha/03_mining/PROJ_Alpha_SC_01_ICON_RAW_v02.mp4"
FX = "03_OUTPUT/PROJ_Alpha/04_fabrication/PROJ_Alpha_SC_01_ICON_FX_v02.mov"


@pytest.fixture
def renderer(tmp_path, monkeypatch):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = fake_renderer(bin_dir)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_NATRON_LOG", str(tmp_path / "argv.jsonl"))
    return str(script)


def _job(tmp_path: Path) -> CompositeJob:
    root = tmp_path / "project"
    (root / "natron").mkdir(parents=True)
    project = root / "natron" / SCENE.name
    project.write_bytes(SCENE.read_bytes())
    onload = root / "natron" / "cmfc_paths.py"
    onload.write_text("# anchors paths\n")
    (root / RAW).parent.mkdir(parents=True)
    (root / RAW).write_bytes(b"\0" * 32)
    return CompositeJob("SC_01", project, "Writer1", 1, 12, root, FX, onload, (RAW,))


def test_command_line_follows_natrons_recorded_grammar(tmp_path):
    recorded = [shlex.split(line) for line in (FIXTURES / "natron_invocations.txt").read_text().splitlines()
                if line and not line.startswith("#")]
    parsed = [parse(argv[1:]) for argv in recorded]
    assert parsed[1]["output"] == "/FastDisk/Pictures/sequence###.exr" and parsed[1]["range"] == "1-100"
    assert parsed[2]["onload"].endswith("onProjectLoaded.py") and parsed[3]["flags"] == ["--no-settings"]
    job = _job(tmp_path)
    ours = render_command("NatronRenderer", job, tmp_path / "out.mov")
    assert ours[0] == "NatronRenderer"
    got = parse(ours[1:])
    assert got == {"flags": ["--no-settings"], "writer": "Writer1", "output": str(tmp_path / "out.mov"),
                   "range": "1-12", "onload": str(job.onload.resolve()), "project": str(job.project.resolve())}
    # Natron takes only absolute paths for the output filename and the project.
    assert Path(got["output"]).is_absolute() and Path(got["project"]).is_absolute()


def test_renderer_found_on_path_or_configured_and_versioned(renderer, tmp_path):
    assert find_renderer() == renderer
    assert find_renderer(renderer) == renderer
    assert find_renderer(str(tmp_path / "nope")) is None
    (finding,) = NatronExecutor(renderer).doctor()
    assert finding.ok and finding.detail == f"NatronRenderer 2.5.0 at {renderer}"


def test_local_render_writes_the_verified_clip(renderer, tmp_path):
    job = _job(tmp_path)
    result = NatronExecutor(renderer).render(job, threading.Event())
    assert result.path == job.root / FX and count_frames(result.path) == 12
    assert result.executor == "natron 2.5.0"
    assert [p.name for p in result.path.parent.iterdir()] == [result.path.name]  # no partial left
    (argv,) = [a for a in map(json.loads, (tmp_path / "argv.jsonl").read_text().splitlines()) if a != ["-v"]]
    assert argv[:3] == ["--no-settings", "-w", "Writer1"]


def test_a_failed_render_says_what_natron_said(renderer, tmp_path, monkeypatch):
    monkeypatch.setenv("FAKE_NATRON_FAIL", "1")
    with pytest.raises(PermanentError, match="exited with 1") as error:
        NatronExecutor(renderer).render(_job(tmp_path), threading.Event())
    assert "Unable to open file" in str(error.value)


def test_a_short_clip_is_not_accepted(renderer, tmp_path, monkeypatch):
    monkeypatch.setenv("FAKE_NATRON_FRAMES", "5")
    job = _job(tmp_path)
    with pytest.raises(TransientError, match="the clip has 5 decodable frames, expected 12"):
        NatronExecutor(renderer).render(job, threading.Event())
    assert not (job.root / FX).exists() and not list((job.root / FX).parent.iterdir())


def test_dispatch_to_the_runpod_natron_worker(renderer, tmp_path, monkeypatch):
    monkeypatch.delenv("BUCKET_ENDPOINT_URL", raising=False)
    job = _job(tmp_path)
    with RunpodStandIn(tmp_path) as standin:
        standin.state.natron_handler = _load_handler().handler
        runpod = RunpodExecutor(KEY, ENDPOINT, base_url=f"{standin.url}/v2", scratch=tmp_path / "s",
                                timeouts=Timeouts(connect=2, read=10, run=30, poll=0.01))
        result = RunpodNatronExecutor(runpod).render(job, threading.Event())
        (sent,) = standin.state.jobs.values()
    assert [f["path"] for f in sent["input"]["files"]] == [RAW] and sent["input"]["writer"] == "Writer1"
    assert result.executor == f"runpod-natron {ENDPOINT}" and count_frames(result.path) == 12
    assert result.path == job.root / FX
