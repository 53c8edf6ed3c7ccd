"""The Running Hub executor against a stand-in on 127.0.0.1: the task flow and every fault a user meets."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from PIL import Image

from cmfc.executors.base import CancelledError, ExecutorPool, GenerationJob, PermanentError, TransientError
from cmfc.executors.keys import api_key
from cmfc.executors.runninghub import ERRORS, RunningHubExecutor, Timeouts, describe_code

from .runninghub_standin import KEY, TASK_BASE, RunningHubStandIn

FAST = Timeouts(connect=2.0, read=2.0, run=20.0, poll=0.01, throttle=0.01, throttle_max=0.05)
PAYLOAD = {
    "6": {"class_type": "CLIPTextEncode", "inputs": {"text": "a coach on a track", "clip": ["4", 1]},
          "_meta": {"title": "HERO_PROMPT"}},
    "10": {"class_type": "LoadImage", "inputs": {"image": "ref.png"}, "_meta": {"title": "REFERENCE"}},
    "9": {"class_type": "SaveImage", "inputs": {"images": ["8", 0], "filename_prefix": "P_SC_01_HERO_v01"},
          "_meta": {"title": "SAVE"}},
}


@pytest.fixture
def standin(tmp_path):
    with RunningHubStandIn(tmp_path) as server:
        yield server


def _job(tmp_path: Path, expect: str = "image") -> GenerationJob:
    ref = tmp_path / "ref.png"
    Image.new("RGB", (8, 8), (200, 10, 10)).save(ref)
    return GenerationJob(scene="SC_01", stage="hero", take="v01", payload=PAYLOAD, uploads={"ref.png": ref},
                         expect=expect, seed=7, label="SC_01 hero v01")


def _executor(standin, tmp_path, key=KEY, timeouts=FAST, **kwargs) -> RunningHubExecutor:
    return RunningHubExecutor(key, {"hero": "1904136902449209346", "motion": "1904136902449209347"},
                              url=standin.url, host="www.runninghub.ai", timeouts=timeouts,
                              scratch=tmp_path / "scratch", **kwargs)


def _run(executor, job, cancel=None):
    steps = []
    result = executor.run(job, lambda n, total: steps.append((n, total)), cancel or threading.Event())
    return result, steps


def test_task_flow_uploads_submits_our_payload_and_downloads(standin, tmp_path):
    executor = _executor(standin, tmp_path)
    result, steps = _run(executor, _job(tmp_path))
    # The input went up first and the payload names it by Running Hub's name.
    (upload,) = standin.calls("/task/openapi/upload")
    assert upload[2]["fileType"] == "image" and upload[2]["file"][:4] == b"\x89PNG"
    (create,) = standin.calls("/task/openapi/create")
    headers, body = create[1], create[2]
    assert headers["Host"] == "www.runninghub.ai"
    assert body["workflowId"] == "1904136902449209346" and isinstance(body["workflow"], str)
    sent = json.loads(body["workflow"])
    assert sent["10"]["inputs"]["image"] == "api/0000_ref.png" and sent["6"] == PAYLOAD["6"]
    # The 19-digit task id is kept exactly, as a string, in every later call and the result.
    assert result.job_id == str(TASK_BASE)
    assert all(r[2]["taskId"] == str(TASK_BASE) for r in standin.calls("/task/openapi/status"))
    (file,) = result.files
    with Image.open(file.path) as image:
        assert image.size == (64, 48)
    assert steps[0] == (0, 1) and steps[-1] == (1, 1)
    assert result.server == "runninghub https://www.runninghub.ai"


def test_key_is_never_in_results_identity_or_errors(standin, tmp_path):
    executor = _executor(standin, tmp_path)
    result, _ = _run(executor, _job(tmp_path))
    standin.state.faults.create_500 = 1
    with pytest.raises(TransientError) as error:
        _run(executor, _job(tmp_path))
    shown = " ".join([repr(executor), json.dumps(executor.identity()), repr(result), str(error.value)])
    assert KEY not in shown


def test_server_error_is_transient_and_the_pool_retries_elsewhere(tmp_path):
    with RunningHubStandIn(tmp_path / "a") as bad, RunningHubStandIn(tmp_path / "b") as good:
        bad.state.faults.create_500 = 5
        pool = ExecutorPool([_executor(bad, tmp_path / "a"), _executor(good, tmp_path / "b")])
        result, _ = _run(pool, _job(tmp_path))
        assert result.files and len(good.calls("/task/openapi/create")) == 1
        standalone = _executor(bad, tmp_path / "c")
        with pytest.raises(TransientError, match="create task: HTTP 500"):
            _run(standalone, _job(tmp_path))


def test_a_hanging_server_times_out(standin, tmp_path):
    standin.state.faults.hang_status = True
    executor = _executor(standin, tmp_path, timeouts=Timeouts(connect=1, read=0.3, run=5, poll=0.01))
    with pytest.raises(TransientError, match=r"task status: no answer within 0.3 s"):
        _run(executor, _job(tmp_path))


def test_a_failed_task_names_the_node_and_the_error(standin, tmp_path):
    standin.state.faults.fail = {"node_id": "6", "node_name": "CLIPTextEncode",
                                 "exception_type": "RuntimeError", "exception_message": "tensor size mismatch",
                                 "traceback": ["..."]}
    with pytest.raises(PermanentError) as error:
        _run(_executor(standin, tmp_path), _job(tmp_path))
    assert str(error.value) == (f"SC_01 hero v01: node 6 “HERO_PROMPT” failed on runninghub www.runninghub.ai "
                                f"(task {TASK_BASE}): tensor size mismatch")


def test_prompt_tips_node_errors_are_reported_like_comfyui(standin, tmp_path):
    standin.state.faults.node_errors = {"6": {"errors": [{
        "type": "required_input_missing", "message": "Required input is missing", "details": "clip",
        "extra_info": {"input_name": "clip"}}], "dependent_outputs": ["9"], "class_type": "CLIPTextEncode"}}
    with pytest.raises(PermanentError) as error:
        _run(_executor(standin, tmp_path), _job(tmp_path))
    assert "Running Hub's ComfyUI rejected the workflow" in str(error.value)
    assert error.value.details == ("node 6 “HERO_PROMPT” input clip: clip",)


@pytest.mark.parametrize("code", [415, 421, 814])
def test_concurrency_limits_throttle_instead_of_failing(standin, tmp_path, code):
    standin.state.faults.throttle = 3
    standin.state.faults.throttle_code = code
    result, _ = _run(_executor(standin, tmp_path), _job(tmp_path))
    assert result.files and len(standin.calls("/task/openapi/create")) == 4


def test_still_running_codes_keep_polling(standin, tmp_path):
    standin.state.faults.outputs_lag = 3  # status says SUCCESS, outputs still answers 804
    result, _ = _run(_executor(standin, tmp_path), _job(tmp_path))
    assert result.files and len(standin.calls("/task/openapi/outputs")) == 4


def test_truncated_output_is_not_a_take(standin, tmp_path):
    standin.state.faults.truncate = True
    with pytest.raises(TransientError, match=r"download of output 00.png: (truncated|cut off)"):
        _run(_executor(standin, tmp_path), _job(tmp_path))
    assert not list((tmp_path / "scratch").rglob("*.png"))  # nothing half-written left as a file


def test_wrong_output_is_not_a_take(standin, tmp_path):
    standin.state.faults.wrong = True
    with pytest.raises(TransientError, match="not a png file"):
        _run(_executor(standin, tmp_path), _job(tmp_path))


def test_expired_output_url_is_fetched_again_then_reported(standin, tmp_path):
    standin.state.faults.expire = 1
    result, _ = _run(_executor(standin, tmp_path), _job(tmp_path))
    assert result.files and standin.state.downloads == 2
    standin.state.faults.expire = 10
    with pytest.raises(TransientError, match=r"output URL answered HTTP 403 \(expired or removed\)"):
        _run(_executor(standin, tmp_path), _job(tmp_path))


def test_video_output(tmp_path):
    with RunningHubStandIn(tmp_path).with_video() as standin:
        result, _ = _run(_executor(standin, tmp_path), _job(tmp_path, expect="video"))
        assert result.files[0].path.suffix == ".mp4" and result.files[0].kind == "video"


def test_cancel_cancels_our_task_only(standin, tmp_path):
    standin.state.faults.polls_to_finish = 10_000
    cancel = threading.Event()
    executor = _executor(standin, tmp_path)
    outcome = {}

    def run():
        try:
            _run(executor, _job(tmp_path), cancel)
        except CancelledError as exc:
            outcome["error"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    while not standin.calls("/task/openapi/status"):
        thread.join(0.01)
    cancel.set()
    thread.join(10)
    assert "error" in outcome and standin.state.cancelled == [str(TASK_BASE)]


def test_inputs_over_30_mb_are_refused_with_advice(standin, tmp_path):
    big = tmp_path / "driving.mp4"
    with open(big, "wb") as handle:
        handle.truncate(31 * 1024 * 1024)
    job = GenerationJob(scene="SC_02", stage="motion", take="v01", payload=PAYLOAD,
                        uploads={"driving.mp4": big}, expect="video")
    with pytest.raises(PermanentError) as error:
        _run(_executor(standin, tmp_path), job)
    assert "driving.mp4 is 31.0 MB; Running Hub takes at most 30 MB per uploaded file" in str(error.value)
    assert "give it as a URL instead" in str(error.value)
    assert not standin.calls("/task/openapi/upload")


def test_doctor_checks_key_account_and_workflow_ids(standin, tmp_path):
    jobs = [_job(tmp_path), GenerationJob("SC_02", "relight", "v01", PAYLOAD)]
    findings = _executor(standin, tmp_path).doctor(jobs)
    by_what = {f.what: f for f in findings}
    assert by_what["account"].ok and "balance 1234" in by_what["account"].detail
    assert standin.calls("/uc/openapi/accountStatus")[0][2] == {"apikey": KEY}
    assert by_what["workflow hero"].ok
    assert not by_what["workflow relight"].ok
    assert "[executors.runninghub.workflows]" in by_what["workflow relight"].detail
    (bad,) = _executor(standin, tmp_path, key="wrong" * 6).doctor(jobs)
    assert not bad.ok and "the API key is not valid (APIKEY_UNAUTHORIZED)" in bad.detail
    (none,) = _executor(standin, tmp_path, key=None).doctor(jobs)
    assert not none.ok and "RUNNINGHUB_API_KEY" in none.detail


def test_every_documented_code_has_a_sentence():
    documented = {301, 380, 412, 415, 416, 421, 423, 433, 435, 436, 500, *range(801, 815), 901}
    assert documented <= set(ERRORS)
    assert describe_code(421) == "the account's task queue is full (TASK_QUEUE_MAXED); waiting for room [code 421]"
    assert describe_code(999, "NEW_THING") == "Running Hub answered code 999: NEW_THING"


def test_key_from_environment_or_dotenv(tmp_path, monkeypatch):
    monkeypatch.delenv("RUNNINGHUB_API_KEY", raising=False)
    assert api_key("RUNNINGHUB_API_KEY", tmp_path) is None
    (tmp_path / ".env").write_text(f"RUNNINGHUB_API_KEY={KEY}\n")
    assert api_key("RUNNINGHUB_API_KEY", tmp_path) == KEY
    monkeypatch.setenv("RUNNINGHUB_API_KEY", "from-env")
    assert api_key("RUNNINGHUB_API_KEY", tmp_path) == "from-env"
