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


def test_a_storyboard_card_says_in_words_what_it_stands_in_for(tiny):
    def reasons(scenes):
        actions = plan_project(load(str(tiny.write(scenes, HEAD))), PlanOptions())
        return {a.scene: a.params["request"]["card"]["reason"] for a in actions
                if a.kind == "render.segment" and a.params["request"].get("card")}

    assert reasons(SCENES) == {"SC_01": "hero lora needs a generator; none is configured"}
    with_motion = SCENES.replace('hero lora "on a rooftop"', 'hero lora "on a rooftop"\n  motion wan22 "a push-in"')
    assert reasons(with_motion) == {"SC_01": "hero lora + motion wan22 need a generator; none is configured"}


def test_the_build_says_where_the_finished_video_landed(built, monkeypatch):
    from click.testing import CliRunner

    from cmfc.cli import cli

    tiny, _ = built
    monkeypatch.chdir(tiny.root)
    result = CliRunner().invoke(cli, ["build", tiny.spec_path.name])
    assert result.exit_code == 0, result.output
    assert "Video: 03_OUTPUT/PROJ_T/05_assembly/PROJ_T_FINAL.mp4 (0:05.00 at 24 fps, 144x256)" in result.output


def test_build_writes_resolve_timelines_with_absolute_urls_beside_the_portable_ones(tiny):
    from click.testing import CliRunner

    from cmfc.cli import cli

    tiny.write(SCENES, HEAD)
    result = CliRunner().invoke(cli, ["build", str(tiny.spec_path), "--compile-only"])
    assert result.exit_code == 0, result.output
    assembly = tiny.root / "03_OUTPUT/PROJ_T/05_assembly"
    portable = (assembly / "resolve/PROJ_T.fcpxml").read_text()
    local = (assembly / "PROJ_T.fcpxml").read_text()
    assert 'src="../04_fabrication/' in portable and "file://" not in portable
    assert 'src="file://localhost' + str(assembly.parent).replace(" ", "%20") in local
    manifest = (tiny.root / "03_OUTPUT/PROJ_T/manifest.json").read_text()
    assert "05_assembly/resolve/PROJ_T.fcpxml" in manifest and '05_assembly/PROJ_T.fcpxml"' not in manifest
    elsewhere = CliRunner().invoke(cli, ["build", str(tiny.spec_path), "--compile-only", "--media-root", "/Volumes/Media/short"])
    assert elsewhere.exit_code == 0
    assert 'src="file://localhost/Volumes/Media/short/03_OUTPUT/PROJ_T/04_fabrication/' in (assembly / "PROJ_T.fcpxml").read_text()


def test_plan_estimates_remote_gpu_time_from_configurable_rates(tiny):
    from click.testing import CliRunner

    from cmfc.cli import cli
    from cmfc.plan.estimate import estimate

    tiny.write(SCENES.replace('text "SHOW UP"', 'text "SHOW UP"\n  motion wan22 "push in"'), HEAD)
    result = CliRunner().invoke(cli, ["plan", str(tiny.spec_path)])
    assert "remote generation: 1 motion clip and 2 images" in result.output
    # SC_01: a LoRA hero lit in its prompt, no relight; SC_02: its template's relight (2 × 20 s) and one
    # 55-frame clip: 180 s × 55/24/4.
    cheap = estimate(load(str(tiny.spec_path)))
    assert cheap.gpu_seconds == 2 * 20 + 180 * 55 / 24 / 4
    (tiny.root / "cmfc.toml").write_text('[project]\nspec = "t.cmf"\n[costs]\nusd_per_gpu_hour = 4.0\n')
    assert estimate(load(str(tiny.spec_path))).usd == cheap.gpu_seconds / 3600 * 4.0
    (tiny.root / "cmfc.toml").write_text('[costs]\nusd_per_gpu_hour = "cheap"\n')
    bad = CliRunner().invoke(cli, ["plan", str(tiny.spec_path)])
    assert bad.exit_code == 1 and "usd_per_gpu_hour" in bad.output


def test_a_scenes_audio_effect_changes_the_mix_inside_its_span_only(tiny):
    import numpy as np

    from cmfc.sonic.audio_io import load_audio

    compiled, report = run(tiny)
    assert report.exit_code == 0
    master = tiny.root / "03_OUTPUT/PROJ_T/02_sonic/PROJ_T_MASTER.wav"
    plain, _ = load_audio(master, sr=48_000, mono=True)
    scenes = SCENES.replace('  sfx impact_01 on "secret"', '  sfx impact_01 on "secret"\n  afx telephone at 0s..1s')
    _, report = run(tiny, scenes)
    assert "sonic:mix" in report.ids("ran") and "render:SC_02" not in report.ids("ran")
    phoned, _ = load_audio(master, sr=48_000, mono=True)
    start = compiled.project.scenes[1].slot.start * 2000
    inside = slice(start + 2400, start + 45_600)
    outside = slice(0, start - 2400)
    # Loudness normalisation and the limiter move the whole master a little; the effect moves its span a lot.
    scale = np.dot(phoned[outside], plain[outside]) / np.dot(plain[outside], plain[outside])
    changed_inside = np.abs(phoned[inside] - scale * plain[inside]).max()
    changed_outside = np.abs(phoned[outside] - scale * plain[outside]).max()
    assert changed_inside > 10 * changed_outside


CROSSFADE = SCENES.replace('sfx impact_01 on "secret"', 'sfx impact_01 on "secret"\n  fx crossfade duration 0.5s')


def test_a_crossfade_scene_rerenders_only_its_head_when_the_scene_before_changes(tiny):
    compiled, report = run(tiny, CROSSFADE)
    assert report.exit_code == 0, report.to_json()
    assert {"render:SC_02:head", "render:SC_02:body", "render:SC_02"} <= set(report.ids("ran"))
    final = tiny.root / "03_OUTPUT/PROJ_T/05_assembly/PROJ_T_FINAL.mp4"
    assert count_frames(final) == compiled.project.duration_frames
    cut = compiled.project.scenes[1].slot.start
    brightness = decode_gray(final)
    # the dissolve: the first frames after the cut sit between the card's brightness and the stage's
    card, stage = brightness[cut - 1], brightness[cut + 12]
    assert min(card, stage) < brightness[cut + 6] < max(card, stage)

    _, report = run(tiny, CROSSFADE.replace('text "SHOW UP"', 'text "SHOW UP NOW"'))
    ran = set(report.ids("ran"))
    assert {"render:SC_01", "render:SC_02:head", "render:SC_02", "assemble:concat", "assemble:mux"} <= ran
    assert "render:SC_02:body" not in ran  # 12 frames re-rendered, not the whole scene


@pytest.mark.parametrize("transition", ["dip_to_black", "whip_pan", "zoom_through", "glitch_cut"])
def test_every_transition_that_draws_the_outgoing_scene_reads_it(tiny, transition):
    scenes = SCENES.replace('sfx impact_01 on "secret"', f'sfx impact_01 on "secret"\n  fx {transition} duration 0.5s')
    actions = {a.id: a for a in plan_project(load(str(tiny.write(scenes, HEAD))), PlanOptions())}
    assert actions["render:SC_02:head"].inputs["previous"].action == "render:SC_01:last"


def test_a_dip_to_black_starts_from_the_scene_before_not_from_black(tiny):
    compiled, report = run(tiny, SCENES.replace('sfx impact_01 on "secret"',
                                                'sfx impact_01 on "secret"\n  fx dip_to_black duration 0.5s'))
    assert report.exit_code == 0, report.to_json()
    brightness = decode_gray(tiny.root / "03_OUTPUT/PROJ_T/05_assembly/PROJ_T_FINAL.mp4")
    cut = compiled.project.scenes[1].slot.start
    # the card's last frame, then the dip: it starts at the card's brightness, reaches black mid-way
    assert brightness[cut] > 0.8 * brightness[cut - 1]
    assert brightness[cut + 5] < 0.5 * brightness[cut - 1]


def test_a_scene_is_read_back_only_for_a_transition_and_adding_one_keeps_the_scene_before(tiny):
    _, report = run(tiny)
    assert report.exit_code == 0, report.to_json()
    assert not [i for i in report.ids("ran") if i.endswith(":last")]  # no transition reads SC_01: no decode

    _, report = run(tiny, CROSSFADE)
    assert report.exit_code == 0, report.to_json()
    ran = set(report.ids("ran"))
    assert {"render:SC_01:last", "render:SC_02:head"} <= ran
    assert "render:SC_01" not in ran  # the scene before is read, not rendered again


def test_a_slow_scene_body_is_cut_into_parts_on_keyframes():
    from cmfc.plan.picture_actions import segment_windows

    # specs/resilience's SC_02: 111 frames at 1080x1920, a 12-frame crossfade head, grain throughout
    grainy = {"frames": 111, "fps": 24, "width": 1080, "height": 1920,
              "effects": [{"name": "grain", "start": 0, "end": 111}]}
    assert segment_windows(grainy, 12) == [(0, 12), (12, 60), (60, 111)]  # parts start 2 s (a GOP) apart
    plain = {**grainy, "effects": []}
    assert segment_windows(plain, 12) == [(0, 12), (12, 60), (60, 111)]  # ~9 s of CPU: an edit uses both cores
    assert segment_windows(plain, 0) == [(0, 48), (48, 111)]
    assert segment_windows({**plain, "width": 720, "height": 1280}, 0) == [(0, 111)]  # ~4 s: not worth a cut
    assert segment_windows({**grainy, "frames": 90}, 0) == [(0, 90)]  # not two whole GOPs: one part


def test_a_scene_in_parts_joins_to_its_slot_and_an_edit_renders_every_part(tiny, monkeypatch):
    import cmfc.plan.picture_actions as picture_actions

    # tiny scenes are short and cheap: make parts of 12 frames out of anything
    monkeypatch.setattr(picture_actions, "PART_SECONDS", 1e-6)
    monkeypatch.setattr(picture_actions, "GOP_SECONDS", 0.5)
    compiled, report = run(tiny, CROSSFADE)
    assert report.exit_code == 0, report.to_json()
    ran = set(report.ids("ran"))
    assert {"render:SC_02:head", "render:SC_02:body1", "render:SC_02:body2", "render:SC_02"} <= ran
    final = tiny.root / "03_OUTPUT/PROJ_T/05_assembly/PROJ_T_FINAL.mp4"
    assert count_frames(final) == compiled.project.duration_frames

    _, report = run(tiny, CROSSFADE.replace('text "THE SECRET"', 'text "THE REAL SECRET"'))
    ran = set(report.ids("ran"))
    parts = {i for i in ran if i.startswith("render:SC_02:body")}
    assert len(parts) >= 2 and "render:SC_01" not in ran


def test_a_caption_edit_renders_only_the_parts_that_show_it(tiny, monkeypatch):
    import cmfc.plan.picture_actions as picture_actions

    monkeypatch.setattr(picture_actions, "PART_SECONDS", 1e-6)  # parts of 12 frames out of anything
    monkeypatch.setattr(picture_actions, "GOP_SECONDS", 0.5)
    compiled, report = run(tiny)
    assert report.exit_code == 0, report.to_json()
    parts = {a.id: a.params["request"] for a in plan_project(compiled, PlanOptions())
             if a.id.startswith("render:SC_02:body")}
    assert len(parts) >= 4
    shown = {i for i, request in parts.items() if request["captions"] and "That" in request["captions"]}
    assert 0 < len(shown) < len(parts)  # each part carries the groups in its window only

    # "that" becomes an accent word: its group changes style, the others do not
    accented = HEAD.replace("  brand\n", '  brand\n    keywords "that"\n')
    _, report = run(tiny, head=accented)
    assert report.exit_code == 0, report.to_json()
    assert {i for i in report.ids("ran") if i.startswith("render:SC_02:body")} == shown
    assert "render:SC_01" not in report.ids("ran")


def test_an_effect_edit_renders_only_the_parts_it_covers(tiny, monkeypatch):
    import cmfc.plan.picture_actions as picture_actions

    monkeypatch.setattr(picture_actions, "PART_SECONDS", 1e-6)  # parts of 12 frames out of anything
    monkeypatch.setattr(picture_actions, "GOP_SECONDS", 0.5)
    flashed = SCENES.replace('text "THE SECRET" lower_third', 'text "THE SECRET" lower_third\n  fx flash at 0.2s')
    _, report = run(tiny, flashed)
    assert report.exit_code == 0, report.to_json()
    assert len([i for i in report.ids("ran") if i.startswith("render:SC_02:body")]) >= 4

    _, report = run(tiny, flashed.replace("fx flash at 0.2s", "fx flash intensity 0.5 at 0.2s"))
    assert report.exit_code == 0, report.to_json()
    assert {i for i in report.ids("ran") if i.startswith("render:SC_02:body")} == {"render:SC_02:body1"}


def _parts_against_whole(tiny, tmp_path, monkeypatch, head, captions_for):
    """Render SC_02 whole and in three windows, each with ``captions_for(scene_captions, window)``,
    losslessly; assert every window's frames are the whole render's. Returns the windows' documents."""
    import numpy as np

    import cmfc.render.segment as segment
    from cmfc.plan.picture_actions import _captions_by_scene, segment_request
    from cmfc.render.segment import SegmentRequest, render_segment
    from tests.render.media import decode

    monkeypatch.setattr(segment, "encoder_args", lambda fps, preview=False: [
        "-an", "-c:v", "libx264", "-qp", "0", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-r", str(fps), "-f", "mp4"])
    compiled = load(str(tiny.write(SCENES, head)))
    scene = compiled.project.scenes[1]
    captions = captions_for(compiled, _captions_by_scene(compiled)[scene.id])
    request, _, _ = segment_request(compiled, scene, False, captions.document())
    render_segment(SegmentRequest.from_params(request), tiny.root, tmp_path / "whole.mp4")
    expected = decode(tmp_path / "whole.mp4", "rgb24")
    documents = []
    for window in ((0, 24), (24, 48), (48, request["frames"])):
        documents.append(captions.document(window, 24))
        part = {**request, "window": list(window), "captions": documents[-1]}
        render_segment(SegmentRequest.from_params(part), tiny.root, tmp_path / "part.mp4")
        assert np.array_equal(decode(tmp_path / "part.mp4", "rgb24"), expected[window[0]:window[1]]), window
    return documents


def test_parts_with_only_their_captions_show_the_frames_a_whole_render_makes(tiny, tmp_path, monkeypatch):
    documents = _parts_against_whole(tiny, tmp_path, monkeypatch, HEAD, lambda compiled, captions: captions)
    assert len(set(documents)) > 1  # each window its own groups, not the whole scene's


def test_a_part_leaving_out_a_one_frame_caption_draws_the_next_one_where_a_whole_render_does(
        tiny, tmp_path, monkeypatch):
    """ "So," lasts 15 ms and the next phrase starts on its frame: had their events overlapped, libass would
    stack the phrase a line up in the whole render, and the part without "So," would draw it lower."""
    from dataclasses import replace

    from cmfc.captions import CaptionGroup

    def colliding(compiled, captions):
        at = captions.offset + 10 * 2000  # frame 10 of the scene, in 48 kHz samples
        groups = (CaptionGroup(at, at + 720, "So,", (0,), False, "SC_02"),
                  CaptionGroup(at + 720, captions.offset + 40 * 2000, "this is the part", (1, 2, 3, 4), False, "SC_02"))
        return replace(captions, groups=groups, indexes=(0, 1))

    documents = _parts_against_whole(tiny, tmp_path, monkeypatch, HEAD.replace("144x256", "288x512"), colliding)
    assert "So," not in documents[1] and "this is the part" in documents[1]


def test_a_split_scene_shows_the_frames_a_whole_render_makes(tmp_path, monkeypatch):
    import numpy as np
    from PIL import Image

    from cmfc.mix.mux import concat_segments
    from cmfc.render.motion import KenBurns
    from cmfc.render.segment import Effect, SegmentRequest, render_segment
    from tests.render.media import decode, typed

    import cmfc.render.segment as segment

    # Lossless H.264, so the comparison sees the pictures, not coding noise.
    monkeypatch.setattr(segment, "encoder_args", lambda fps, preview=False: [
        "-an", "-c:v", "libx264", "-qp", "0", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-r", str(fps), "-f", "mp4"])
    Image.new("RGB", (144, 256), (200, 40, 40)).save(tmp_path / "prev.png")
    Image.radial_gradient("L").resize((144, 256)).convert("RGB").save(tmp_path / "still.png")
    whole = SegmentRequest("SC_02", 144, 256, 24, 36, "image", "still.png", motion=KenBurns((1.0, 1.3), "left"),
                           effects=(Effect("crossfade", typed("crossfade", {"duration": "0.5s"}), 0, 12),
                                    Effect("grain", typed("grain", {"amount": "0.3"}), 0, 36)), previous="prev.png")
    render_segment(whole, tmp_path, tmp_path / "whole.mp4")
    render_segment(SegmentRequest(**{**vars(whole), "window": (0, 12)}), tmp_path, tmp_path / "head.mp4")
    render_segment(SegmentRequest(**{**vars(whole), "window": (12, 36), "previous": None}), tmp_path,
                   tmp_path / "body.mp4")
    concat_segments([tmp_path / "head.mp4", tmp_path / "body.mp4"], tmp_path / "joined.mp4")
    expected, joined = decode(tmp_path / "whole.mp4").astype(int), decode(tmp_path / "joined.mp4").astype(int)
    assert joined.shape == expected.shape == (36, 256, 144)
    assert np.array_equal(joined, expected)  # every frame, the grain continuing its sequence
    assert np.abs(joined[20] - joined[21]).mean() > 2  # temporal grain: consecutive frames differ


def test_the_plan_guesses_a_grainy_scene_is_slow_so_the_build_starts_it_first(tiny):
    def plan(scenes):
        return {a.id: a for a in plan_project(load(str(tiny.write(scenes, HEAD))), PlanOptions())}

    plain = plan(SCENES)
    grainy = plan(SCENES.replace("  fx flash at 0.5s", "  fx flash at 0.5s\n  fx grain amount 0.3"))
    assert grainy["render:SC_01"].cost > 3 * plain["render:SC_01"].cost > 0  # x264 on temporal noise
    assert plain["sonic:mix"].cost > 0 and plain["compile:ir"].cost == 0


def test_a_no_op_build_does_not_load_numpy(built):
    """numpy alone is a third of a no-op build's start-up: nothing on the cached path may import it."""
    import sys

    tiny, _ = built
    code = ("import sys; from cmfc.cli import cli\ntry:\n    cli(['build', '.'])\nexcept SystemExit as exit:\n"
            "    assert not exit.code, exit.code\nprint('numpy' in sys.modules, 'soundfile' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], cwd=tiny.root, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "cached" in result.stderr and "ran" not in result.stderr and result.stdout.split()[-2:] == ["False", "False"], result.stderr
