"""cmfc build composites a scene with Natron when NatronRenderer is found; without it, the local compositor."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from cmfc.build import build
from cmfc.check import load
from cmfc.executors.composite import prepare_compositor
from cmfc.executors.natron import count_frames
from cmfc.plan import PlanOptions, plan_project

from ..workers.test_natron_worker import fake_renderer
from .test_generation_build import HEAD, MANIFEST, SCENES


@pytest.fixture
def project(tiny, tmp_path):
    """The two-scene project with a hand-made raw clip for SC_02 (its motion take), 12 frames."""
    import imageio_ffmpeg

    compiled = load(str(tiny.write(SCENES, HEAD)))
    raw = tiny.root / compiled.project.scenes[1].outputs.raw
    raw.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-y", "-f", "lavfi", "-i",
                    "testsrc=size=144x256:rate=24", "-frames:v", "12", "-pix_fmt", "yuv420p", str(raw)], check=True)
    return tiny, compiled


def run_build(tiny):
    compiled = load(str(tiny.root / "t.cmf"))
    compositor = prepare_compositor(tiny.root, warn=lambda line: None)
    actions = plan_project(compiled, PlanOptions(compositor=compositor))
    report = build(actions, tiny.root, jobs=2, progress=False, manifest=MANIFEST)
    entries = {e["path"]: e for e in json.loads((tiny.root / MANIFEST).read_text())["outputs"]}
    return compiled, actions, report, entries


def test_natron_on_path_composites_the_scene_and_the_manifest_says_natron(project, tmp_path, monkeypatch):
    tiny, compiled = project
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake_renderer(bin_dir)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_NATRON_LOG", str(tmp_path / "argv.jsonl"))
    compiled, actions, report, entries = run_build(tiny)
    assert report.exit_code == 0
    scene = compiled.project.scenes[1]
    (composite,) = [a for a in actions if a.kind == "composite.natron"]  # SC_01 has no raw clip: local
    assert composite.scene == "SC_02" and composite.executor == "natron"
    entry = entries[scene.outputs.composite]
    assert entry["executor"] == "natron" and entry["origin"] == "composited"
    assert count_frames(tiny.root / scene.outputs.composite) == scene.slot.length
    # NatronRenderer ran the compiled .ntp with its Writer over the scene's frames
    runs = [json.loads(line) for line in (tmp_path / "argv.jsonl").read_text().splitlines()]
    (render,) = [argv for argv in runs if "-w" in argv]
    assert render[render.index("-w") + 1] == "Writer1" and f"1-{scene.slot.length}" in render
    assert render[-1].endswith(f"/{compiled.project.id}_SC_02.ntp")
    # the scene's render reads the composite, without drawing the effects and text again
    segment = next(a for a in actions if a.id == "render:SC_02")
    assert segment.inputs["hero"].action == composite.id
    assert segment.params["request"]["effects"] == [] and segment.params["request"]["text"] is None
    renders = {e["scene"]: e for e in entries.values() if e["kind"] in ("render.segment", "render.join")}
    assert renders["SC_02"]["executor"] == "local" and renders["SC_02"]["origin"] == "composited"
    assert renders["SC_01"]["origin"] == "storyboard"


def test_without_natron_the_local_compositor_renders_every_scene(project, monkeypatch):
    tiny, compiled = project
    monkeypatch.setenv("PATH", os.pathsep.join(p for p in os.environ["PATH"].split(os.pathsep)
                                               if not os.path.exists(os.path.join(p, "NatronRenderer"))))
    compiled, actions, report, entries = run_build(tiny)
    assert report.exit_code == 0
    assert not [a for a in actions if a.kind == "composite.natron"]
    assert compiled.project.scenes[1].outputs.composite not in entries
    renders = {e["scene"]: e for e in entries.values() if e["kind"] in ("render.segment", "render.join")}
    assert renders["SC_02"]["executor"] == "local" and renders["SC_02"]["origin"] == "provided"
