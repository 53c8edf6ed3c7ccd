"""cmfc build with ComfyUI stand-ins: takes generated, chained, ingested, cached; cards without an executor."""

from __future__ import annotations

import json

import pytest

from cmfc.build import build
from cmfc.check import load
from cmfc.plan import PlanOptions, plan_project
from tests.helpers import PROJECT_HEAD, TWO_SCENES

from .comfyui_standin import ComfyStandIn

HEAD = PROJECT_HEAD.replace("format 1080x1920 24fps", "format 144x256 24fps")
SCENES = TWO_SCENES.replace('line "Every day you show up."', '''line "Every day you show up."
  subject coach
  hero lora "on a rooftop"
  light noir
  takes 2''').replace('line "That is the whole secret."', '''line "That is the whole secret."
  hero zimage "in a messy kitchen"
  motion wan22 "Slow push-in."''')
MINING = "03_OUTPUT/PROJ_T/03_mining"
MANIFEST = "03_OUTPUT/PROJ_T/manifest.json"


def payloads_of(compiled):
    from cmfc.backends import EmitContext
    from cmfc.backends.comfyui.emit import emit

    ctx = EmitContext(words=tuple(compiled.words), frameworks=compiled.frameworks, root=compiled.location.root)
    return [json.loads(data) for data in emit(compiled.project, ctx).values()]


def start_standin(path, compiled, reference=True) -> ComfyStandIn:
    server = ComfyStandIn(path)
    server.install_models_for(payloads_of(compiled))
    if reference:  # the light presets' reference images, as the user put them in ComfyUI/input/
        for preset in compiled.frameworks.lighting.values():
            (server.root / "input" / preset.reference_image).write_bytes((server.root.parent / "ref.jpg").read_bytes())
    server.start()
    return server


@pytest.fixture
def project(tiny, tmp_path):
    from PIL import Image

    Image.radial_gradient("L").convert("RGB").save(tmp_path / "ref.jpg")
    compiled = load(str(tiny.write(SCENES, HEAD)))
    return tiny, compiled


def run_build(tiny, urls, keep_going=False):
    from cmfc.executors.setup import prepare

    compiled = load(str(tiny.root / "t.cmf"))
    _, generator = prepare(tiny.root, tuple(urls), warn=lambda line: None)
    actions = plan_project(compiled, PlanOptions(generator=generator))
    report = build(actions, tiny.root, jobs=2, progress=False, keep_going=keep_going, manifest=MANIFEST)
    return actions, report


def manifest(tiny) -> dict:
    return {e["path"]: e for e in json.loads((tiny.root / MANIFEST).read_text())["outputs"]}


def test_the_build_generates_every_take_chains_stages_and_renders_the_picked_one(project, tmp_path):
    tiny, compiled = project
    with start_standin(tmp_path / "comfy", compiled) as server:
        actions, report = run_build(tiny, [server.url])
        assert report.exit_code == 0, report.to_json()
        generated = sorted(a.id for a in actions if a.kind == "generate.comfyui")
        # SC_01's LoRA hero is lit in its prompt (manual path B): no relight; SC_02's zimage hero is relit
        assert generated == ["generate:SC_01:hero:v01", "generate:SC_01:hero:v02", "generate:SC_02:hero:v01",
                             "generate:SC_02:motion:v01", "generate:SC_02:relight:v01"]
        assert len(server.executed) == 5
        # chained: each relight/motion uploaded its take's previous stage under the name its payload reads
        assert sorted(server.uploads) == ["PROJ_T_SC_02_HERO.png", "PROJ_T_SC_02_HERO_LIT.png"]
    entries = manifest(tiny)
    take = entries[f"{MINING}/PROJ_T_SC_01_HERO_v01.png"]
    assert take["origin"] == "generated" and take["executor"] == "comfyui"
    record = take["generated"]
    assert record["server"] == f"comfyui {server.url}" and len(record["prompt_id"]) == 36
    assert isinstance(record["seed"], int) and record["models"] and set(record["timings"]) >= {"download"}
    assert f"{MINING}/PROJ_T_SC_02_DROLL_RAW_v01.mp4" in entries or any(p.endswith("_RAW_v01.mp4") for p in entries)
    segments = {e["scene"]: e for e in entries.values() if e["kind"] in ("render.segment", "render.join")}
    assert segments["SC_01"]["origin"] == segments["SC_02"]["origin"] == "generated"
    assert segments["SC_01"]["inputs"]["hero"]["action"] == "generate:SC_01:hero:v01"


def test_an_unchanged_take_is_never_generated_twice(project, tmp_path):
    import shutil

    tiny, compiled = project
    with start_standin(tmp_path / "comfy", compiled) as server:
        assert run_build(tiny, [server.url])[1].exit_code == 0
        shutil.rmtree(tiny.root / "03_OUTPUT")
        _, report = run_build(tiny, [server.url])
        assert report.exit_code == 0 and len(server.executed) == 5
        assert (tiny.root / MINING / "PROJ_T_SC_01_HERO_v02.png").is_file()


def test_without_an_executor_the_cards_stay_and_a_hand_made_take_is_provided(project):
    from PIL import Image

    tiny, _ = project
    actions, report = run_build(tiny, [])
    assert report.exit_code == 0 and not [a for a in actions if a.kind == "generate.comfyui"]
    segments = {e["scene"]: e for e in manifest(tiny).values() if e["kind"] in ("render.segment", "render.join")}
    assert segments["SC_01"]["origin"] == "storyboard"
    (tiny.root / MINING).mkdir(parents=True, exist_ok=True)
    Image.linear_gradient("L").convert("RGB").resize((144, 256)).save(tiny.root / MINING / "PROJ_T_SC_01_HERO_v01.png")
    _, report = run_build(tiny, [])
    segments = {e["scene"]: e for e in manifest(tiny).values() if e["kind"] in ("render.segment", "render.join")}
    assert report.exit_code == 0 and segments["SC_01"]["origin"] == "provided"
    assert segments["SC_02"]["origin"] == "storyboard"


def test_a_rejected_prompt_fails_its_scene_in_words_and_keep_going_renders_the_rest(project, tmp_path):
    tiny, compiled = project
    with start_standin(tmp_path / "comfy", compiled, reference=False) as server:
        _, report = run_build(tiny, [server.url], keep_going=True)
        rejected = len(server.submitted)
    failed = [r for r in report.results if r.status == "placeholder" and r.kind == "generate.comfyui"]
    assert sorted(r.id for r in failed) == ["generate:SC_02:relight:v01"]  # SC_01's LoRA hero has no relight
    assert all("Traceback" not in r.error and "_ref.jpg" in r.error and "not in list" in r.error for r in failed)
    assert all(r.attempts == 1 for r in failed)  # node_errors are never retried
    assert rejected == 4  # three heroes and SC_02 motion (from the placeholder); no relight was queued
    assert report.result("generate:SC_01:hero:v02").status == "ran"


def test_a_token_never_reaches_disk(project, tmp_path, monkeypatch):
    tiny, compiled = project
    secret = "tok-5ecr3t-abcdef0123456789"
    monkeypatch.setenv("CMFC_COMFYUI_TOKEN", secret)
    with start_standin(tmp_path / "comfy", compiled) as server:
        _, report = run_build(tiny, [server.url])
    assert report.exit_code == 0
    for path in tiny.root.rglob("*"):
        if path.is_file() and path.stat().st_size < 5_000_000:
            assert secret.encode() not in path.read_bytes(), path


def test_stopping_the_build_cancels_only_our_prompts(project, tmp_path):
    import threading

    from cmfc import children

    tiny, compiled = project
    with start_standin(tmp_path / "comfy", compiled) as server:
        server.hold = True
        outcome = {}
        builder = threading.Thread(target=lambda: outcome.setdefault("report", run_build(tiny, [server.url])[1]))
        builder.start()
        try:
            assert server.progress_seen.wait(60)
            children.stop_all()  # what Ctrl-C / SIGTERM do
            builder.join(60)
        finally:
            children.stop_event.clear()
        assert not builder.is_alive()
        report = outcome["report"]
        running = server.submitted[0]["prompt_id"]
        assert running in server.cancelled and None not in server.interrupts
        assert report.exit_code != 0 and len(server.executed) == 0


@pytest.mark.parametrize("example", ["alpha"])
def test_the_bundled_example_builds_with_generated_pixels_instead_of_cards(example, tmp_path):
    import shutil

    from PIL import Image


    root = tmp_path / example
    shutil.copytree(f"specs/{example}", root)
    Image.radial_gradient("L").convert("RGB").save(tmp_path / "ref.jpg")
    compiled = load(str(root))
    with start_standin(tmp_path / "comfy", compiled) as server:
        from cmfc.executors.setup import prepare

        _, generator = prepare(root, (server.url,), warn=lambda line: None)
        actions = plan_project(compiled, PlanOptions(generator=generator, preview=True))
        report = build(actions, root, jobs=2, progress=False, manifest=f"03_OUTPUT/{compiled.project.id}/manifest.json")
    assert report.exit_code == 0, report.to_json()
    doc = json.loads((root / "03_OUTPUT" / compiled.project.id / "manifest.json").read_text())
    origins = {e["scene"]: e["origin"] for e in doc["outputs"] if e["kind"] in ("render.segment", "render.join")}
    wanting = [s.id for s in compiled.project.scenes if s.needs_generator]
    assert wanting and all(origins[s] == "generated" for s in wanting) and "storyboard" not in origins.values()
