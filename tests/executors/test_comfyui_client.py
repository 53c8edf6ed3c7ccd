"""The ComfyUI client against the stand-in: the happy path, the protocol details, and every fault."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from cmfc.executors.base import CancelledError, ExecutorPool, GenerationJob, PermanentError, TransientError
from cmfc.executors.comfyui import ComfyUIExecutor, Timeouts
from cmfc.executors.verify import OutputRejected, verify
from tests.backends.test_comfyui_emit import compile_payloads

from .comfyui_standin import ComfyStandIn

FAST = Timeouts(connect=1.0, read=2.0, run=30.0, history=5.0, poll=0.05, stall=5.0)


@pytest.fixture(scope="module")
def payloads(tmp_path_factory):
    from tests.helpers import TinyProject

    return compile_payloads(TinyProject.create(tmp_path_factory.mktemp("p") / "proj"))


@pytest.fixture
def server(tmp_path, payloads):
    with standin(tmp_path / "comfy", payloads) as started:
        yield started


def standin(root, payloads) -> ComfyStandIn:
    server = ComfyStandIn(root)
    server.install_models_for(payloads.values())
    return server


def hero_job(payloads, take="v01") -> GenerationJob:
    return GenerationJob(scene="SC_01", stage="hero", take=take, payload=payloads[f"comfyui/PROJ_T_SC_01_HERO_{take}.json"],
                         expect="image", label=f"SC_01 hero {take}")


def motion_job(payloads, hero_png: Path) -> GenerationJob:
    payload = payloads["comfyui/PROJ_T_SC_01_ICON_RAW_v01.json"]
    return GenerationJob(scene="SC_01", stage="motion", take="v01", payload=payload,
                         uploads={"PROJ_T_SC_01_HERO_v01.png": hero_png}, expect="video", label="SC_01 motion v01")


def run(executor, job, cancel=None):
    steps = []
    result = executor.run(job, lambda step, total: steps.append((step, total)), cancel or threading.Event())
    return result, steps


def test_a_hero_runs_end_to_end_with_progress_and_a_decodable_image(server, payloads, tmp_path):
    executor = ComfyUIExecutor(server.url, timeouts=FAST, scratch=tmp_path / "scratch")
    result, steps = run(executor, hero_job(payloads))
    assert steps and steps[-1] == (server.steps, server.steps)
    [image] = result.files
    decoded = verify(image.path, image.kind)
    assert image.kind == "image" and (decoded.width, decoded.height) == (720, 1280)
    submitted = server.submitted[0]
    assert submitted["prompt_id"] == result.job_id == submitted["prompt_id"].lower()
    assert server.feature_flags_seen == 1
    assert result.server == f"comfyui {server.url}"
    assert set(result.timings) == {"upload", "queued_and_ran", "download"}


def test_motion_uploads_its_input_and_downloads_an_animated_video(server, payloads, tmp_path):
    executor = ComfyUIExecutor(server.url, timeouts=FAST, scratch=tmp_path / "scratch")
    hero, _ = run(executor, hero_job(payloads))
    result, _ = run(executor, motion_job(payloads, hero.files[0].path))
    assert "PROJ_T_SC_01_HERO_v01.png" in server.uploads  # a LoRA hero animates unrelit
    [video] = result.files
    decoded = verify(video.path, video.kind)
    assert video.kind == "video" and decoded.frames > 1


def test_a_500_on_submit_is_transient_and_the_pool_moves_on(tmp_path, payloads):
    with standin(tmp_path / "a", payloads) as bad, standin(tmp_path / "b", payloads) as good:
        bad.fail_submits = 99
        pool = ExecutorPool([ComfyUIExecutor(bad.url, timeouts=FAST), ComfyUIExecutor(good.url, timeouts=FAST)],
                            cooldown=60)
        with pytest.raises(TransientError, match="HTTP 500"):
            ComfyUIExecutor(bad.url, timeouts=FAST).run(hero_job(payloads), lambda *a: None, threading.Event())
        result, _ = run(pool, hero_job(payloads))
        assert good.executed == [result.job_id] and bad.executed == []


def test_a_server_that_hangs_times_out(server, payloads):
    server.hang = True
    started = time.monotonic()
    with pytest.raises(TransientError, match="no answer within"):
        run(ComfyUIExecutor(server.url, timeouts=FAST), hero_job(payloads))
    assert time.monotonic() - started < 10


def test_a_websocket_dropped_mid_run_falls_back_to_polling(server, payloads, tmp_path):
    server.drop_ws_on_progress = True
    result, _ = run(ComfyUIExecutor(server.url, timeouts=FAST, scratch=tmp_path), hero_job(payloads))
    verify(result.files[0].path, "image")
    assert server.executed == [result.job_id]


def test_a_truncated_download_is_a_failure_not_a_take(server, payloads, tmp_path):
    server.truncate_downloads = True
    with pytest.raises(TransientError, match="downloading"):
        run(ComfyUIExecutor(server.url, timeouts=FAST, scratch=tmp_path / "scratch"), hero_job(payloads))
    assert not list((tmp_path / "scratch").rglob("*.png"))


def test_node_errors_are_reported_in_words_and_not_retried_elsewhere(tmp_path, payloads):
    job = hero_job(payloads)
    payload = {k: dict(v, inputs=dict(v["inputs"])) for k, v in job.payload.items()}
    sampler = next(k for k, v in payload.items() if v["class_type"] == "KSampler")
    payload[sampler]["inputs"]["sampler_name"] = "warp_drive"
    bad_job = GenerationJob(**{**job.__dict__, "payload": payload})
    with standin(tmp_path / "a", payloads) as one, standin(tmp_path / "b", payloads) as two:
        pool = ExecutorPool([ComfyUIExecutor(one.url, timeouts=FAST), ComfyUIExecutor(two.url, timeouts=FAST)])
        with pytest.raises(PermanentError) as caught:
            run(pool, bad_job)
        text = str(caught.value)
        assert "SC_01 hero v01" in text and "sampler_name" in text and "warp_drive" in text
        assert len(one.submitted) + len(two.submitted) == 0  # rejected at submit, never queued, tried once
        assert len([s for s in (one, two) if s.fail_submits == 0]) == 2


def test_a_server_that_dies_with_our_prompt_queued_is_retried_elsewhere(tmp_path, payloads):
    with standin(tmp_path / "b", payloads) as good:
        dying = standin(tmp_path / "a", payloads)
        dying.start()
        dying.paused = True
        first = ComfyUIExecutor(dying.url, timeouts=FAST)
        pool = ExecutorPool([first, ComfyUIExecutor(good.url, timeouts=FAST)])
        first.object_info()
        killer = threading.Thread(target=lambda: (_wait_for(lambda: dying.submitted), dying.stop()))
        killer.start()
        result, _ = run(pool, hero_job(payloads))
        killer.join()
        assert len(dying.submitted) == 1 and good.executed == [result.job_id]


def test_the_history_race_waits_for_the_entry(server, payloads, tmp_path):
    server.history_lag = 0.3
    result, _ = run(ComfyUIExecutor(server.url, timeouts=FAST, scratch=tmp_path), hero_job(payloads))
    verify(result.files[0].path, "image")


def test_a_missing_model_is_named_by_doctor_and_the_build(server, payloads):
    job = hero_job(payloads)
    model = next(v["inputs"]["unet_name"] for v in job.payload.values() if "unet_name" in v["inputs"])
    server.missing_models = {model}
    executor = ComfyUIExecutor(server.url, timeouts=FAST)
    findings = executor.doctor([job])
    bad = [f for f in findings if not f.ok]
    assert [f.what for f in bad] == [f"model {model}"] and "ComfyUI/models/diffusion_models/" in bad[0].detail
    with pytest.raises(PermanentError, match=model):
        run(executor, job)


def test_cancel_is_targeted_never_a_global_interrupt(server, payloads):
    server.hold = True
    cancel = threading.Event()
    threading.Thread(target=lambda: (server.progress_seen.wait(10), cancel.set())).start()
    with pytest.raises(CancelledError):
        run(ComfyUIExecutor(server.url, timeouts=FAST), hero_job(payloads), cancel)
    pid = server.submitted[0]["prompt_id"]
    assert server.cancelled == [pid] and None not in server.interrupts


def test_cancel_without_the_jobs_api_interrupts_by_prompt_id_and_deletes(server, payloads):
    server.hold = True
    server.jobs_api = False
    cancel = threading.Event()
    threading.Thread(target=lambda: (server.progress_seen.wait(10), cancel.set())).start()
    with pytest.raises(CancelledError):
        run(ComfyUIExecutor(server.url, timeouts=FAST), hero_job(payloads), cancel)
    pid = server.submitted[0]["prompt_id"]
    assert server.interrupts == [pid] and server.deleted == [pid]


def test_a_node_exception_during_the_run_is_permanent_with_the_message(server, payloads):
    server.fail_execution = "KSampler"
    with pytest.raises(PermanentError, match="KSampler.*mat1 and mat2"):
        run(ComfyUIExecutor(server.url, timeouts=FAST), hero_job(payloads))


def test_the_token_never_appears_in_identity_label_or_errors(server, payloads):
    secret = "sk-very-secret-0123456789"
    executor = ComfyUIExecutor(server.url.replace("http://", f"http://user:{secret}@"), token=secret, timeouts=FAST)
    assert secret not in repr(executor) and secret not in str(executor.identity()) and secret not in executor.label
    server.fail_submits = 1
    with pytest.raises(TransientError) as caught:
        run(executor, hero_job(payloads))
    assert secret not in str(caught.value)


def test_verify_rejects_flat_and_truncated_files(tmp_path):
    from PIL import Image

    flat = tmp_path / "flat.png"
    Image.new("RGB", (32, 32), (9, 9, 9)).save(flat)
    with pytest.raises(OutputRejected, match="flat"):
        verify(flat, "image")
    good = tmp_path / "good.png"
    Image.linear_gradient("L").save(good)
    cut = tmp_path / "cut.png"
    cut.write_bytes(good.read_bytes()[:300])
    with pytest.raises(OutputRejected, match="cut.png"):
        verify(cut, "image")
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"\x00\x00\x00\x18ftypisom" + b"\x00" * 400)
    with pytest.raises(OutputRejected, match="broken.mp4"):
        verify(broken, "video")


def _wait_for(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached")
        time.sleep(0.01)


def test_a_two_server_pool_spreads_eight_takes_and_survives_one_failing(tmp_path, payloads):
    from concurrent.futures import ThreadPoolExecutor

    base = hero_job(payloads)
    jobs = []
    for take in range(1, 9):
        payload = {k: dict(v, inputs=dict(v["inputs"])) for k, v in base.payload.items()}
        seed_node = next(k for k, v in payload.items() if v["_meta"]["title"].startswith("cmfc.seed"))
        payload[seed_node]["inputs"]["value"] = take
        jobs.append(GenerationJob(**{**base.__dict__, "payload": payload, "take": f"v{take:02d}",
                                     "label": f"SC_01 hero v{take:02d}"}))
    with standin(tmp_path / "a", payloads) as failing, standin(tmp_path / "b", payloads) as good:
        pool = ExecutorPool([ComfyUIExecutor(failing.url, timeouts=FAST), ComfyUIExecutor(good.url, timeouts=FAST)],
                            max_in_flight=2, cooldown=60)
        failing.fail_submits = 1000
        with ThreadPoolExecutor(4) as threads:
            results = list(threads.map(lambda job: pool.run(job, lambda *a: None, threading.Event()), jobs))
        assert len({r.job_id for r in results}) == 8
        assert sorted(good.executed) == sorted(r.job_id for r in results) and failing.executed == []
        seeds = sorted(s["prompt"][k]["inputs"]["value"] for s in good.submitted for k in s["prompt"]
                       if s["prompt"][k]["_meta"]["title"].startswith("cmfc.seed"))
        assert seeds == list(range(1, 9))  # each take generated exactly once
        assert 1000 - failing.fail_submits <= 2  # cooled down after failing, not hammered


def test_identity_follows_nodes_and_models_not_uploads(server, payloads, tmp_path):
    first = ComfyUIExecutor(server.url, timeouts=FAST).identity()
    (server.root / "input" / "someone_elses_upload.png").write_bytes(b"x")
    assert ComfyUIExecutor(server.url, timeouts=FAST).identity() == first
    server.models.add("new_lora.safetensors")
    assert ComfyUIExecutor(server.url, timeouts=FAST).identity() != first


def test_a_lone_server_is_not_cooled_down_so_the_builds_retry_reaches_it_at_once(server, payloads):
    pool = ExecutorPool([ComfyUIExecutor(server.url, timeouts=FAST)], cooldown=600)
    server.fail_submits = 1
    with pytest.raises(TransientError):
        run(pool, hero_job(payloads))
    started = time.monotonic()
    result, _ = run(pool, hero_job(payloads))
    assert server.executed == [result.job_id] and time.monotonic() - started < 30
