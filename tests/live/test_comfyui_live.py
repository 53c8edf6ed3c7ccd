"""Opt-in: a real ComfyUI server builds a project end to end (``CMFC_COMFYUI_URL=http://127.0.0.1:8188``).

The project's own stage workflows (``tests/fixtures/comfyui_live``, dropped in its ``comfyui/`` folder
with the compiler's titled injection points) use only core nodes that run on CPU without model
weights: hero EmptyImage (orange, a blue square) → SaveImage; relight LoadImage → ImageInvert →
SaveImage; motion LoadImage → ImageScale → RepeatImageBatch → CreateVideo → SaveVideo. So the
finished MP4 must show the inverted colours: orange becomes azure, the blue square yellow.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest
from click.testing import CliRunner

from cmfc.cli import cli
from tests.helpers import FIXTURES, PROJECT_HEAD, TWO_SCENES

URL = os.environ.get("CMFC_COMFYUI_URL", "")
pytestmark = pytest.mark.skipif(not URL, reason="live ComfyUI tests: set CMFC_COMFYUI_URL=http://host:port "
                                "to a running ComfyUI server (CPU is enough; no model weights needed)")

HEAD = PROJECT_HEAD.replace("format 1080x1920 24fps", "format 144x256 24fps")
SCENES = TWO_SCENES.replace('line "That is the whole secret."', '''line "That is the whole secret."
  hero zimage "a flat orange card with a blue corner"
  light noir
  motion wan22 "Hold still."''')
MINING = "03_OUTPUT/PROJ_T/03_mining"
FINAL = "03_OUTPUT/PROJ_T/05_assembly/PROJ_T_FINAL.mp4"
AZURE = (0, 127, 255)    # 0xFF8000 inverted
YELLOW = (255, 255, 0)   # 0x0000FF inverted


@pytest.fixture
def live_project(tiny):
    tiny.write(SCENES, HEAD)
    shutil.copytree(FIXTURES / "comfyui_live", tiny.root / "comfyui")
    return tiny


def frame(path, seconds: float, size: tuple[int, int]) -> list[tuple[int, int, int]]:
    """One decoded RGB frame of ``path`` at ``seconds``, as a row-major list of pixels."""
    from cmfc.mix.ffmpeg import ffmpeg_exe

    raw = subprocess.run([ffmpeg_exe(), "-v", "error", "-ss", f"{seconds:.3f}", "-i", str(path), "-frames:v", "1",
                          "-s", f"{size[0]}x{size[1]}", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
                         check=True, capture_output=True).stdout
    return [tuple(raw[i:i + 3]) for i in range(0, len(raw), 3)]


def duration(path) -> float:
    import imageio_ffmpeg

    frames, seconds = imageio_ffmpeg.count_frames_and_secs(str(path))
    return seconds


def near(pixel, colour, tolerance=40) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel, colour))


def test_a_real_server_generates_chains_and_the_final_video_shows_the_generated_pixels(live_project):
    spec = str(live_project.root / "t.cmf")
    result = CliRunner().invoke(cli, ["build", spec, "--comfyui", URL, "--report", str(live_project.root / "r.json")])
    assert result.exit_code == 0, result.output
    report = json.loads((live_project.root / "r.json").read_text())
    manifest = {e["path"]: e for e in json.loads((live_project.root / "03_OUTPUT/PROJ_T/manifest.json")
                                                  .read_text())["outputs"]}
    generated = {p: e for p, e in manifest.items() if e.get("origin") == "generated" and p.startswith(MINING)}
    names = sorted(p.rsplit("/", 1)[1] for p in generated)
    assert names == ["PROJ_T_SC_02_DROLL_RAW_v01.mp4", "PROJ_T_SC_02_HERO_LIT_v01.png", "PROJ_T_SC_02_HERO_v01.png"]
    for entry in generated.values():
        record = entry["generated"]
        assert len(record["prompt_id"]) == 36 and URL.split("//")[1] in record["server"]
    # the chain: the relit hero is the inverted hero, and the motion clip shows the relit hero
    from PIL import Image

    with Image.open(live_project.root / MINING / "PROJ_T_SC_02_HERO_v01.png") as hero:
        assert hero.size == (144, 256)
        assert hero.getpixel((100, 200)) == (255, 128, 0) and hero.getpixel((5, 5)) == (0, 0, 255)
    with Image.open(live_project.root / MINING / "PROJ_T_SC_02_HERO_LIT_v01.png") as lit:
        assert near(lit.getpixel((100, 200)), AZURE, 2) and near(lit.getpixel((5, 5)), YELLOW, 2)
    raw = live_project.root / MINING / names[0]
    pixels = frame(raw, 0.1, (144, 256))
    assert near(pixels[200 * 144 + 100], AZURE) and near(pixels[5 * 144 + 5], YELLOW)
    # the finished video: SC_02 (the second half) shows the generated take, not a storyboard card
    final = live_project.root / FINAL
    end = duration(final)
    pixels = frame(final, end * 0.8, (144, 256))
    azure = sum(near(p, AZURE, 60) for p in pixels)
    assert azure > len(pixels) // 4, f"{azure} of {len(pixels)} pixels are the relit orange"
    first = frame(final, end * 0.1, (144, 256))
    assert sum(near(p, AZURE, 60) for p in first) < len(first) // 20  # SC_01 stays a card
    assert any(r["id"].startswith("generate:SC_02:motion") and r["status"] == "ran" for r in report["actions"])


def test_doctor_passes_and_names_a_missing_model(live_project):
    spec = str(live_project.root / "t.cmf")
    ok = CliRunner().invoke(cli, ["doctor", spec, "--comfyui", URL])
    assert ok.exit_code == 0, ok.output
    assert "ComfyUI" in ok.output
    hero = json.loads((live_project.root / "comfyui/hero_zimage.json").read_text())
    hero["90"] = {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "cmfc-live-missing.safetensors"},
                  "_meta": {"title": "checkpoint"}}
    (live_project.root / "comfyui/hero_zimage.json").write_text(json.dumps(hero))
    bad = CliRunner().invoke(cli, ["doctor", spec, "--comfyui", URL])
    assert bad.exit_code == 1, bad.output
    lines = [line for line in bad.output.splitlines() if line.startswith("MISSING")]
    assert any("cmfc-live-missing.safetensors" in line and "models/checkpoints" in line for line in lines), bad.output


def test_the_client_uploads_follows_the_websocket_and_downloads_from_a_real_server(tmp_path, monkeypatch):
    import threading

    from PIL import Image

    from cmfc.executors import comfyui
    from cmfc.executors.base import GenerationJob
    from cmfc.executors.verify import verify

    seen: list[list[str]] = []
    close = comfyui._Follower.close
    monkeypatch.setattr(comfyui._Follower, "close", lambda self: (seen.append(list(self.events)), close(self))[1])
    source = tmp_path / "in.png"
    image = Image.new("RGB", (64, 96), (10, 200, 30))
    image.paste((250, 20, 90), (0, 0, 16, 16))
    image.save(source)
    payload = json.loads((FIXTURES / "comfyui_live/relight_qwen.json").read_text())
    payload["2"]["inputs"]["image"] = "cmfc_live_in.png"
    payload["4"]["inputs"]["filename_prefix"] = "cmfc_live_out"
    executor = comfyui.ComfyUIExecutor(URL, scratch=tmp_path / "scratch")
    job = GenerationJob(scene="SC_99", stage="relight", take="v01", payload=payload,
                        uploads={"cmfc_live_in.png": source})
    result = executor.run(job, lambda value, maximum: None, threading.Event())
    assert len(result.files) == 1 and result.files[0].kind == "image"
    decoded = verify(result.files[0].path, "image")
    assert (decoded.width, decoded.height) == (64, 96)
    with Image.open(result.files[0].path) as out:
        assert near(out.convert("RGB").getpixel((40, 60)), (245, 55, 225), 1)  # inverted
    events = [e for batch in seen for e in batch]
    assert "execution_start" in events and "executed" in events and events[-1] == "executing", events


def test_a_real_server_rejection_is_reported_by_node_and_input(tmp_path):
    import threading

    from cmfc.executors import comfyui
    from cmfc.executors.base import GenerationJob, PermanentError

    payload = json.loads((FIXTURES / "comfyui_live/relight_qwen.json").read_text())
    payload["2"]["inputs"]["image"] = "cmfc-live-no-such-file.png"
    executor = comfyui.ComfyUIExecutor(URL, scratch=tmp_path / "scratch")
    job = GenerationJob(scene="SC_99", stage="relight", take="v01", payload=payload)
    with pytest.raises(PermanentError) as error:
        executor.run(job, lambda value, maximum: None, threading.Event())
    text = str(error.value)
    assert "cmfc-live-no-such-file.png" in text and "cmfc.hero_image" in text, text


def test_cancelling_removes_only_our_queued_prompt_and_spares_another_users_running_one(tmp_path):
    import threading
    import time
    import uuid

    import requests

    from cmfc.executors import comfyui
    from cmfc.executors.base import CancelledError, GenerationJob

    slow = {"1": {"class_type": "EmptyImage", "inputs": {"width": 512, "height": 512, "batch_size": 1,
                                                         "color": uuid.uuid4().int % 0xFFFFFF}},
            "2": {"class_type": "RepeatImageBatch", "inputs": {"image": ["1", 0], "amount": 1000}},
            "3": {"class_type": "CreateVideo", "inputs": {"images": ["2", 0], "fps": 24.0}},
            "4": {"class_type": "SaveVideo", "inputs": {"video": ["3", 0], "filename_prefix": "cmfc_live_other",
                                                        "format": "mp4", "codec": "h264"}}}
    theirs = str(uuid.uuid4())
    assert requests.post(f"{URL}/prompt", json={"prompt": slow, "client_id": "someone-else", "prompt_id": theirs},
                         timeout=10).status_code == 200

    def queue() -> tuple[set, set]:
        reply = requests.get(f"{URL}/queue", timeout=10).json()
        return ({item[1] for item in reply["queue_running"]}, {item[1] for item in reply["queue_pending"]})

    def until(condition, seconds=30.0):
        deadline = time.monotonic() + seconds
        while not condition():
            assert time.monotonic() < deadline, "timed out"
            time.sleep(0.05)

    until(lambda: theirs in queue()[0])
    payload = json.loads((FIXTURES / "comfyui_live/hero_zimage.json").read_text())
    payload["7"]["inputs"]["filename_prefix"] = "cmfc_live_cancelled"
    executor = comfyui.ComfyUIExecutor(URL, scratch=tmp_path / "scratch")
    job = GenerationJob(scene="SC_99", stage="hero", take="v01", payload=payload)
    cancel, outcome = threading.Event(), []

    def ours():
        try:
            executor.run(job, lambda value, maximum: None, cancel)
        except CancelledError as error:
            outcome.append(error)

    worker = threading.Thread(target=ours)
    worker.start()
    until(lambda: len(queue()[1]) == 1)
    (mine,) = queue()[1]
    cancel.set()
    worker.join(30)
    assert outcome and mine in str(outcome[0])
    assert mine not in queue()[1]
    until(lambda: theirs in requests.get(f"{URL}/history/{theirs}", timeout=10).json(), 120)
    status = requests.get(f"{URL}/history/{theirs}", timeout=10).json()[theirs]["status"]
    assert status["status_str"] == "success", status  # their prompt was not interrupted
    assert mine not in requests.get(f"{URL}/history/{mine}", timeout=10).json()
