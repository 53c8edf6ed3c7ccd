"""The Runpod executor against a serverless stand-in running the worker-comfyui contract."""

from __future__ import annotations

import base64
import json
import threading
from datetime import datetime, timezone

import pytest
from PIL import Image

from cmfc.executors.base import CancelledError, GenerationJob, PermanentError, TransientError
from cmfc.executors.runpod import RunpodExecutor, S3Credentials, Timeouts
from cmfc.executors.s3 import S3Location, presign

from .runpod_standin import ENDPOINT, KEY, RunpodStandIn
from .test_runninghub import PAYLOAD

FAST = Timeouts(connect=2.0, read=2.0, run=20.0, poll=0.01, busy=0.01)


@pytest.fixture
def standin(tmp_path):
    with RunpodStandIn(tmp_path) as server:
        yield server


def _job(tmp_path, expect="image", size=None):
    ref = tmp_path / "ref.png"
    Image.new("RGB", (8, 8), (10, 200, 10)).save(ref)
    if size:
        ref.write_bytes(ref.read_bytes() + b"\0" * (size - ref.stat().st_size))
    return GenerationJob("SC_01", "hero", "v01", PAYLOAD, uploads={"ref.png": ref}, expect=expect, label="SC_01 hero v01")


def _executor(standin, tmp_path, key=KEY, **kwargs):
    kwargs.setdefault("timeouts", FAST)
    return RunpodExecutor(key, ENDPOINT, base_url=f"{standin.url}/v2", scratch=tmp_path / "scratch", **kwargs)


def _run(executor, job, cancel=None):
    return executor.run(job, lambda n, total: None, cancel or threading.Event())


def test_run_sends_workflow_and_images_and_decodes_base64_output(standin, tmp_path):
    result = _run(_executor(standin, tmp_path), _job(tmp_path))
    (job,) = standin.state.jobs.values()
    assert job["input"]["workflow"] == PAYLOAD  # our payload as is
    assert [i["name"] for i in job["input"]["images"]] == ["ref.png"]
    assert standin.state.fetched_inputs["ref.png"] == (tmp_path / "ref.png").read_bytes()
    (file,) = result.files
    with Image.open(file.path) as image:
        assert image.size == (64, 48)
    assert result.timings == {"queued": 1.2, "ran": 3.4} and result.server == f"runpod {ENDPOINT}"
    assert KEY not in repr(result) + json.dumps(_executor(standin, tmp_path).identity())


def test_video_from_s3_url(tmp_path):
    with RunpodStandIn(tmp_path).with_video() as standin:
        standin.state.faults.s3_output = True
        result = _run(_executor(standin, tmp_path), _job(tmp_path, expect="video"))
        assert result.files[0].path.suffix == ".mp4" and result.files[0].remote_name.endswith(".mp4")


def test_500_on_run_is_transient(standin, tmp_path):
    standin.state.faults.run_500 = 1
    with pytest.raises(TransientError, match="run: HTTP 500"):
        _run(_executor(standin, tmp_path), _job(tmp_path))


def test_hang_times_out(standin, tmp_path):
    standin.state.faults.hang_status = True
    executor = _executor(standin, tmp_path, timeouts=Timeouts(connect=1, read=0.3, run=5, poll=0.01))
    with pytest.raises(TransientError, match=r"status: no answer within 0.3 s"):
        _run(executor, _job(tmp_path))


def test_failed_job_says_why(standin, tmp_path):
    standin.state.faults.fail = json.dumps({"error_type": "ValueError", "error_message": "Workflow validation failed"})
    with pytest.raises(PermanentError, match="Runpod job .* failed: Workflow validation failed"):
        _run(_executor(standin, tmp_path), _job(tmp_path))
    standin.state.faults.fail = None
    standin.state.faults.handler_error = {"error": "Job processing failed",
                                          "details": ["Workflow execution error: Node Type: KSampler, Node ID: 3, Message: CUDA out of memory"]}
    with pytest.raises(PermanentError, match="Job processing failed: Workflow execution error: Node Type: KSampler"):
        _run(_executor(standin, tmp_path), _job(tmp_path))


def test_timed_out_on_the_endpoint_is_transient(standin, tmp_path):
    standin.state.faults.timed_out = True
    with pytest.raises(TransientError, match="timed out on the endpoint"):
        _run(_executor(standin, tmp_path), _job(tmp_path))


def test_busy_answers_wait_and_retry(standin, tmp_path):
    standin.state.faults.busy = 3
    assert _run(_executor(standin, tmp_path), _job(tmp_path)).files
    assert len(standin.calls("POST", "/run")) == 4


def test_truncated_and_wrong_outputs_are_not_takes(standin, tmp_path):
    standin.state.faults.truncate = True
    with pytest.raises(TransientError, match="not valid base64|not a png"):
        _run(_executor(standin, tmp_path), _job(tmp_path))
    standin.state.faults.truncate = False
    standin.state.faults.wrong = True
    with pytest.raises(TransientError, match="not a png file"):
        _run(_executor(standin, tmp_path), _job(tmp_path))
    assert not list((tmp_path / "scratch").rglob("*.png"))


def test_expired_output_url(standin, tmp_path):
    standin.state.faults.s3_output = True
    standin.state.faults.expire = True
    with pytest.raises(TransientError, match=r"HTTP 403 \(the presigned URL expired\)"):
        _run(_executor(standin, tmp_path), _job(tmp_path))


def test_cancel_cancels_our_job(standin, tmp_path):
    standin.state.faults.polls_to_finish = 10_000
    cancel = threading.Event()
    outcome = {}

    def run():
        try:
            _run(_executor(standin, tmp_path), _job(tmp_path), cancel)
        except CancelledError as exc:
            outcome["error"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    while not standin.calls("GET", "/status/0001-7b4c-41c9-8a3e-runpodjob"):
        thread.join(0.01)
    cancel.set()
    thread.join(10)
    assert "error" in outcome and standin.state.cancelled == ["0001-7b4c-41c9-8a3e-runpodjob"]


def test_wrong_key_is_permanent_and_named(standin, tmp_path):
    with pytest.raises(PermanentError, match="Runpod refused the API key .*RUNPOD_API_KEY"):
        _run(_executor(standin, tmp_path, key="nope"), _job(tmp_path))


def test_big_input_without_a_bucket_is_a_clear_error(standin, tmp_path):
    with pytest.raises(PermanentError) as error:
        _run(_executor(standin, tmp_path), _job(tmp_path, size=8_000_000))  # 10.7 MB once base64
    assert "does not fit in a Runpod request (10 MB at most, base64 included)" in str(error.value)
    assert "[executors.runpod.s3]" in str(error.value)
    assert not standin.calls("POST", "/run")


def test_big_input_goes_through_a_presigned_s3_url(standin, tmp_path):
    s3 = S3Credentials(S3Location("inputs", endpoint=f"{standin.url}/s3"), "AKIDEXAMPLE", "secret-example")
    _run(_executor(standin, tmp_path, s3=s3), _job(tmp_path, size=8_000_000))
    (run,) = standin.calls("POST", "/run")
    assert run[3] < 100_000  # the body stayed small
    (job,) = standin.state.jobs.values()
    url = job["input"]["images"][0]["image"]
    assert url.startswith(f"{standin.url}/s3/inputs/cmfc-inputs/") and "X-Amz-Signature=" in url
    assert "secret-example" not in url
    assert standin.state.fetched_inputs["ref.png"] == (tmp_path / "ref.png").read_bytes()


def test_presign_matches_aws_documented_example():
    # AWS "Authenticating Requests: Using Query Parameters (AWS Signature Version 4)", GET example.
    url = presign("GET", S3Location("examplebucket"), "test.txt", "AKIAIOSFODNN7EXAMPLE",
                  "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", expires=86400,
                  now=datetime(2013, 5, 24, tzinfo=timezone.utc))
    assert url.endswith("X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404")


def test_doctor_reports_workers_and_queue(standin, tmp_path):
    (finding,) = _executor(standin, tmp_path).doctor([])
    assert finding.ok and finding.detail == "workers idle 1, running 0; jobs in queue 1, in progress 0"
    (bad,) = _executor(standin, tmp_path, key="nope").doctor([])
    assert not bad.ok and "nope" not in bad.detail
    (none,) = _executor(standin, tmp_path, key=None).doctor([])
    assert not none.ok and "RUNPOD_API_KEY" in none.detail


def test_base64_payload_round_trips_bytes(standin, tmp_path):
    job = _job(tmp_path)
    body = _executor(standin, tmp_path).request_body(job)
    assert base64.b64decode(body["input"]["images"][0]["image"]) == (tmp_path / "ref.png").read_bytes()
