"""cmfc.toml's cloud executors, keys only from the environment or .env, and a build mixing backends by stage."""

from __future__ import annotations

import json
import threading

import pytest

from cmfc.diagnostics import CmfError
from cmfc.executors.cloud import StageRouter, compositor, load_cloud_config, stage_routes
from cmfc.executors.natron import NatronExecutor, RunpodNatronExecutor
from cmfc.executors.runninghub import RunningHubExecutor, Timeouts as HubTimeouts
from cmfc.executors.runpod import RunpodExecutor, Timeouts as PodTimeouts

from . import runninghub_standin, runpod_standin
from .test_runninghub import PAYLOAD, _job

TOML = """
[project]
spec = "t.cmf"

[executors]
comfyui = ["http://gpu1:8188"]

[executors.runninghub]
stages = ["motion"]
[executors.runninghub.workflows]
motion = "1904136902449209347"

[executors.runpod]
endpoint = "abc123xyz"
natron_endpoint = "nat456"
stages = ["hero", "relight"]
[executors.runpod.s3]
bucket = "inputs"
region = "eu-west-1"
"""


@pytest.fixture
def project(tmp_path, monkeypatch):
    for name in ("RUNNINGHUB_API_KEY", "RUNPOD_API_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PATH", "/nonexistent")  # no NatronRenderer here
    (tmp_path / "cmfc.toml").write_text(TOML)
    (tmp_path / ".env").write_text("RUNNINGHUB_API_KEY=hub-secret-0123\nRUNPOD_API_KEY=pod-secret-4567\n"
                                   "AWS_ACCESS_KEY_ID=AKIDEXAMPLE\nAWS_SECRET_ACCESS_KEY=aws-secret-89\n")
    return tmp_path


def test_routes_from_cmfc_toml_with_keys_from_dotenv(project):
    config = load_cloud_config(project)
    routes = stage_routes(project, config)
    assert isinstance(routes["motion"], RunningHubExecutor) and routes["motion"].workflows == {"motion": "1904136902449209347"}
    assert isinstance(routes["hero"], RunpodExecutor) and routes["relight"] is routes["hero"]
    assert routes["hero"].s3 is not None and routes["hero"].s3.location.region == "eu-west-1"
    # Without NatronRenderer the Natron endpoint composites; identities never hold a key.
    assert isinstance(compositor(project, config), RunpodNatronExecutor)
    shown = json.dumps(StageRouter(routes).identity()) + repr(routes)
    for secret in ("hub-secret-0123", "pod-secret-4567", "aws-secret-89"):
        assert secret not in shown


def test_configured_natron_wins(project, tmp_path):
    renderer = tmp_path / "NatronRenderer"
    renderer.write_text("#!/bin/sh\n")
    renderer.chmod(0o755)
    (project / "cmfc.toml").write_text(TOML.replace("[executors]\n", f'[executors]\nnatron = "{renderer}"\n', 1))
    assert isinstance(compositor(project, load_cloud_config(project)), NatronExecutor)


def test_no_cloud_no_compositor(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    (tmp_path / "cmfc.toml").write_text('[project]\nspec = "t.cmf"\n')
    config = load_cloud_config(tmp_path)
    assert stage_routes(tmp_path, config) == {} and compositor(tmp_path, config) is None  # ffmpeg composites


@pytest.mark.parametrize("extra, message", [
    ('[executors.runninghub]\napi_key = "x"\n', "[executors.runninghub] api_key: keys do not belong in cmfc.toml; set RUNNINGHUB_API_KEY"),
    ('[executors.runninghub.workflows]\nhro = "1"\n', "[executors.runninghub.workflows]: expected stage = \"workflow id\" lines"),
    ('[executors.runpod]\nstages = ["wan"]\n', "[executors.runpod] stages: expected a list of hero, relight, motion"),
    ('[executors]\nnatron = 3\n', "[executors] natron: expected the path of NatronRenderer"),
])
def test_bad_config_is_a_diagnostic(tmp_path, extra, message):
    (tmp_path / "cmfc.toml").write_text(extra)
    with pytest.raises(CmfError) as error:
        load_cloud_config(tmp_path)
    assert message in str(error.value)


def test_a_build_mixing_running_hub_and_runpod_by_stage(tmp_path):
    with runninghub_standin.RunningHubStandIn(tmp_path / "hub") as hub, runpod_standin.RunpodStandIn(tmp_path / "pod") as pod:
        hub_exec = RunningHubExecutor(runninghub_standin.KEY, {"motion": "1904136902449209347"}, url=hub.url,
                                      timeouts=HubTimeouts(connect=2, read=5, run=20, poll=0.01))
        pod_exec = RunpodExecutor(runpod_standin.KEY, runpod_standin.ENDPOINT, base_url=f"{pod.url}/v2",
                                  timeouts=PodTimeouts(connect=2, read=5, run=20, poll=0.01))
        router = StageRouter({"hero": pod_exec, "relight": pod_exec, "motion": hub_exec})
        jobs = []
        for n, stage in enumerate(["hero", "relight", "motion", "hero"]):
            base = _job(tmp_path)
            jobs.append(type(base)(scene=f"SC_0{n + 1}", stage=stage, take="v01", payload=PAYLOAD,
                                   uploads=base.uploads, label=f"SC_0{n + 1} {stage} v01"))
        results = [None] * len(jobs)

        def run(i):
            results[i] = router.run(jobs[i], lambda *a: None, threading.Event())

        threads = [threading.Thread(target=run, args=(i,)) for i in range(len(jobs))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    assert [r.server.split()[0] for r in results] == ["runpod", "runpod", "runninghub", "runpod"]
    assert all(r.files and r.files[0].path.is_file() for r in results)
    assert len(pod.state.jobs) == 3 and len(hub.state.tasks) == 1
    with pytest.raises(Exception, match="no executor is configured for the motion stage"):
        StageRouter({"hero": pod_exec}).run(jobs[2], lambda *a: None, threading.Event())


def test_doctor_lines_for_natron_and_the_ffmpeg_fallback(tmp_path, monkeypatch):
    from cmfc.executors.cloud import cloud_findings

    from ..workers.test_natron_worker import fake_renderer

    monkeypatch.setenv("PATH", "/nonexistent")
    (tmp_path / "cmfc.toml").write_text('[project]\nspec = "t.cmf"\n')
    (finding,) = cloud_findings(tmp_path, [])
    assert finding.ok and "local ffmpeg compositor" in finding.detail
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake_renderer(bin_dir)
    monkeypatch.setenv("PATH", str(bin_dir))
    (finding,) = cloud_findings(tmp_path, [])
    assert finding.ok and finding.detail.startswith("NatronRenderer 2.5.0 at ")
