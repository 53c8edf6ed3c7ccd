"""cmfc build on the local executor: a real MP4, frame-exact, and incremental by construction."""

import json
import subprocess

import pytest

from cmfc.build import build
from cmfc.check import load
from cmfc.mix.ffmpeg import ffmpeg_exe
from cmfc.mix.mux import count_frames
from cmfc.plan import PlanOptions, plan_project
from tests.helpers import PROJECT_HEAD, TWO_SCENES

HEAD = PROJECT_HEAD.replace("format 1080x1920 24fps", "format 144x256 24fps")
SCENES = TWO_SCENES.replace('line "Every day you show up."', '''line "Every day you show up."
  subject coach
  hero lora "on a rooftop"
  text "SHOW UP"
  fx flash at 0.5s''').replace('line "That is the whole secret."', '''line "That is the whole secret."
  hero image "assets/stages/stage_01.png"
  motion kenburns zoom 1.0..1.2 pan left
  text "THE SECRET" lower_third
  sfx impact_01 on "secret"''')


def run(tiny, scenes=SCENES, head=HEAD, preview=False, keep_going=False):
    compiled = load(str(tiny.write(scenes, head)))
    report = build(plan_project(compiled, PlanOptions(preview=preview)), tiny.root, jobs=2, progress=False,
                   keep_going=keep_going, manifest="03_OUTPUT/PROJ_T/manifest.json")
    return compiled, report


@pytest.fixture
def built(tiny):
    compiled, report = run(tiny)
    assert report.exit_code == 0, report.to_json()
    return tiny, compiled


def decode_gray(path):
    """Mean brightness of every frame (16x16 grey thumbnails)."""
    out = subprocess.run([ffmpeg_exe(), "-v", "error", "-i", str(path), "-vf", "scale=16:16,format=gray", "-f", "rawvideo",
                          "-"], capture_output=True, check=True).stdout
    return [sum(out[i:i + 256]) / 256 for i in range(0, len(out), 256)]


def test_final_mp4_has_the_voices_length_to_the_frame_with_sound(built):
    tiny, compiled = built
    final = tiny.root / "03_OUTPUT/PROJ_T/05_assembly/PROJ_T_FINAL.mp4"
    assert count_frames(final) == compiled.project.duration_frames == 120
    probe = subprocess.run([ffmpeg_exe(), "-i", str(final)], capture_output=True, text=True).stderr
    assert "144x256" in probe and "24 fps" in probe and "Audio: aac" in probe and "48000 Hz" in probe


def test_the_cut_lands_on_the_slot_boundary(built):
    tiny, compiled = built
    final = tiny.root / "03_OUTPUT/PROJ_T/05_assembly/PROJ_T_FINAL.mp4"
    brightness = decode_gray(final)
    cut = compiled.project.scenes[1].slot.start
    # SC_01 is a storyboard card, SC_02 the stage image: the biggest change near the cut is exactly at it.
    jumps = {i: abs(brightness[i] - brightness[i - 1]) for i in range(cut - 10, cut + 10)}
    assert max(jumps, key=jumps.get) == cut


def test_manifest_says_which_pixels_are_storyboard_and_which_provided(built):
    tiny, _ = built
    manifest = json.loads((tiny.root / "03_OUTPUT/PROJ_T/manifest.json").read_text())
    origins = {entry["path"].rsplit("/", 1)[-1]: entry["origin"] for entry in manifest["outputs"]}
    assert origins["PROJ_T_SC_01_ICON_FX_v01.mp4"] == "storyboard"
    assert [v for k, v in origins.items() if k.startswith("PROJ_T_SC_02_") and k.endswith("_FX_v01.mp4")] == ["provided"]


def test_editing_one_scenes_text_rerenders_that_segment_and_the_assembly_only(built):
    tiny, _ = built
    _, report = run(tiny, SCENES.replace("THE SECRET", "THE REAL SECRET"))
    ran = set(report.ids("ran"))
    assert "render:SC_02" in ran and "render:SC_01" not in ran
    assert {"sonic:voice_clean", "sonic:mix", "sonic:encode"}.isdisjoint(ran)
    assert {"assemble:concat", "assemble:mux"} <= ran


def test_preview_is_cached_apart_from_the_master(built):
    tiny, _ = built
    _, report = run(tiny, preview=True)
    assert report.exit_code == 0
    preview = tiny.root / "03_OUTPUT/PROJ_T/05_assembly/PROJ_T_PREVIEW.mp4"
    assert count_frames(preview) == 120
    assert "render:SC_01:preview" in report.ids("ran")
    _, again = run(tiny)
    assert again.ids("ran") == []
