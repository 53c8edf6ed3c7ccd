"""What resolution puts in the IR: derived slots, exact frames, template defaults, canonical values."""

from cmfc.ir.canonical import dumps
from tests.helpers import TWO_SCENES


def test_derived_slots_tile_the_voice_and_cut_in_the_pause(tiny):
    project = tiny.compile().project
    sc1, sc2 = project.scenes
    assert project.duration_frames == 120 and project.duration_samples == 240_000
    assert sc1.slot.start == 0 and sc2.slot.end == 120
    assert sc1.slot.end == sc2.slot.start
    # "up." ends at 2.06 s and "That" starts at 2.51 s: the cut is the middle of the pause, 2.285 s → frame 54.84 → 55.
    assert sc1.slot.end == 55
    assert sc1.words == (0, 4) and sc2.words == (5, 9)


def test_explicit_slot_next_to_derived_one(tiny):
    project = tiny.compile(TWO_SCENES.replace("scene SC_02 SETUP-1", "scene SC_02 SETUP-1 at 2.5s..5s")).project
    assert [(s.slot.start, s.slot.end) for s in project.scenes] == [(0, 60), (60, 120)]


def test_time_spellings_round_by_the_one_rule(tiny):
    scenes = TWO_SCENES.replace("scene SC_01 HOOK-1", "scene SC_01 HOOK-1 at 0:00.00..50f") \
        .replace("scene SC_02 SETUP-1", "scene SC_02 SETUP-1 at 2083ms..0:05")
    project = tiny.compile(scenes).project
    # 2.083 s × 24 = 49.992 → 50; half a frame rounds up.
    assert [(s.slot.start, s.slot.end) for s in project.scenes] == [(0, 50), (50, 120)]
    assert str(project.scenes[1].at.start) == "2.083s"


def test_template_defaults_fill_what_the_scene_leaves_out(tiny):
    scene = tiny.compile().project.scenes[0]
    assert "fit" in scene.inherited and scene.fit is not None
    declared = scene.spec()
    assert declared.fit is None and declared.fx == ()


def test_scene_values_override_the_template(tiny):
    scenes = TWO_SCENES.replace('line "Every day you show up."', 'line "Every day you show up."\n  fit trim\n  fx grain amount 0.20')
    scene = tiny.compile(scenes).project.scenes[0]
    assert scene.fit.mode == "trim" and "fit" not in scene.inherited
    assert [(u.name, u.params) for u in scene.fx] == [("grain", {"amount": "0.2"})]


def test_ir_json_is_canonical_and_relative(tiny):
    compiled = tiny.compile()
    text = dumps(compiled.project)
    assert str(tiny.root) not in text
    assert '"path": "audio/voice.wav"' in text
    assert text == dumps(tiny.compile().project)


def test_srt_word_timings_align_at_segment_level(tiny):
    (tiny.root / "audio" / "voice.srt").write_text(
        "1\n00:00:00,300 --> 00:00:02,140\nEvery day you show up.\n\n2\n00:00:02,590 --> 00:00:04,600\nThat is the whole secret.\n")
    head = __import__("tests.helpers", fromlist=["PROJECT_HEAD"]).PROJECT_HEAD.replace("voice.words.json", "voice.srt")
    project = tiny.compile(head=head).project
    assert project.scenes[0].words == (0, 4)
