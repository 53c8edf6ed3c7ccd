"""Every kind of spec mistake gives its designed message: first line and hint, as the user sees them."""

import pytest

from tests.helpers import TWO_SCENES

S2 = 'line "That is the whole secret."'
S1 = 'line "Every day you show up."'


def in_scene_2(extra: str) -> str:
    return TWO_SCENES.replace(S2, S2 + "\n  " + extra.replace("\n", "\n  "))


def in_scene_1(extra: str) -> str:
    return TWO_SCENES.replace(S1, S1 + "\n  " + extra.replace("\n", "\n  "))


CASES = [
    # (scenes text, expected first line, expected hint or None)
    (TWO_SCENES.replace("HOOK-1", "HOOK-9"), "t.cmf:21:13: error: unknown scene template HOOK-9", "did you mean HOOK-4?"),
    (TWO_SCENES.replace("show up", "show off"), "t.cmf:22:8: error: scene SC_01's line is not verbatim in the voice-over",
     'nearest passage at 0.30s: "Every day you show up." (voice says "up", line says "off")'),
    (in_scene_2("subject dad"), "t.cmf:26:11: error: unknown character dad", "known: coach, mom"),
    (in_scene_2("fx glich at 1s"), "t.cmf:26:6: error: unknown effect glich", "did you mean glitch?"),
    (in_scene_2("fx glitch intensity 3"), "t.cmf:26:23: error: glitch intensity: must be at most 1, got 3.0", None),
    (in_scene_2("fx glitch strength 0.5"), 't.cmf:26:22: error: glitch has no parameter "strength" (it has: blocks, duration, intensity)', None),
    (in_scene_2('sfx impact_1 on "secret"'), "t.cmf:26:7: error: unknown SFX impact_1: no such file in the sfx library", "did you mean impact_01?"),
    (in_scene_2('sfx impact_01 on "banana"'), 't.cmf:26:20: error: sfx impact_01: "banana" is not a word of scene SC_02\'s line', None),
    (in_scene_2("pick v02"), "t.cmf:26:8: error: pick v02: scene SC_02 has 1 take (v01)", "ask for more with takes 2, or pick an existing take"),
    (in_scene_2("light blade_shadows"), "t.cmf:26:9: error: unknown lighting preset blade_shadows", "did you mean blade_through_shadows?"),
    (in_scene_2('hero lora "rooftop"\nsubject mom'), "t.cmf:26:8: error: hero lora: mom has no LoRA; only coach has one",
     "a LoRA is used only for the character who owns it; use hero zimage for mom (the anchor block keeps them consistent)"),
    (in_scene_2('hero lora "rooftop"'), "t.cmf:26:8: error: hero lora needs the scene's subject: whose LoRA is it?", "add subject coach"),
    (TWO_SCENES.replace("scene SC_02 SETUP-1", "scene SC_02 SETUP-1 at 2s..4.5s"),
     "t.cmf:24:24: error: the last scene ends at 4.5s but the voice-over runs to 5s", "end scene SC_02 at 5s"),
    (TWO_SCENES.replace("scene SC_02 SETUP-1", "scene SC_02 SETUP-1 at 4.2s..9.0s"),
     "t.cmf:24:24: error: scene SC_02 runs past the end of the voice-over (9s > 5s)",
     "the voice-over is the master clock: end the last scene where it ends"),
    (TWO_SCENES.replace("scene SC_01 HOOK-1", "scene SC_01 HOOK-1 at 0s..3s").replace("scene SC_02 SETUP-1", "scene SC_02 SETUP-1 at 2.5s..5s"),
     "t.cmf:24:24: error: scene SC_02 overlaps scene SC_01 by 0.5s", "SC_01 ends at 3s"),
    (TWO_SCENES.replace("scene SC_01 HOOK-1", "scene SC_01 HOOK-1 at 0s..2s").replace("scene SC_02 SETUP-1", "scene SC_02 SETUP-1 at 2.5s..5s"),
     "t.cmf:24:24: error: there is a gap of 0.5s between scene SC_01 and scene SC_02", "start SC_02 at 2s"),
    (TWO_SCENES.replace("SC_02", "SC_01"), "t.cmf:24:7: error: scene SC_01 is defined twice", "the first is on line 21"),
    (TWO_SCENES.replace('  line "That is the whole secret."\n', ""),
     "t.cmf:24:7: error: scene SC_02 has neither a slot (at A..B) nor a line to place it",
     "add a line from the voice-over, or an explicit slot like at 4.2s..9.0s"),
    (in_scene_2("fx glitch at 4.2"), "t.cmf:26:16: error: fx: expected a duration like 4.2s, 500ms, 0:04.20 or 12f, got 4.2",
     "write it as: fx glitch intensity 0.7 at 3.9s"),
    (in_scene_2("motion kenburns zoom 1.0-1.2"),
     "t.cmf:26:24: error: motion: expected a range like 1.0..1.15 (two values joined by ..), got 1.0-1.2",
     'write it as: motion wan22 "prompt"  |  motion onetoall "driving.mp4"  |  motion kenburns zoom 1.0..1.15 pan left  |  motion none'),
    (in_scene_2('motion warp "p"'), "t.cmf:26:10: error: motion: warp is not a motion kind; expected one of wan22, onetoall, kenburns, none", None),
    (in_scene_2("lin \"x\""), "t.cmf:26:3: error: unknown statement lin in a scene block; expected one of line, subject, hero, light, motion, text, fx, afx, sfx, fit, takes, pick, snap",
     "did you mean line?"),
    (in_scene_2('words "w.json"'), "t.cmf:26:3: error: words does not belong in a scene block", "words goes inside the voice block; check its indentation"),
    (in_scene_2("takes three"), "t.cmf:26:9: error: takes: expected a whole number like 42, got three", "write it as: takes 3"),
    (in_scene_2("fit speed fast"), "t.cmf:26:13: error: fit: expected a number like 0.8, got fast",
     "write it as: fit loop  |  fit pingpong  |  fit trim  |  fit speed 0.8"),
    (in_scene_2('text "HI" sideways'), "t.cmf:26:13: error: text: sideways is not a text placement; expected one of top, upper_third, center, lower_third, bottom, behind_head", None),
    (in_scene_2("line \"again\""), "t.cmf:26:3: error: line is given twice in a scene block", "the first is on line 25; keep one"),
    (in_scene_2('hero image "assets/stages/nope.png"'), "t.cmf:26:14: error: assets/stages/nope.png: hero image file not found", None),
    (in_scene_2('hero image "../outside.png"'), "t.cmf:26:14: error: ../outside.png: this path leaves the project folder",
     "copy the file into the project and point at the copy"),
    (in_scene_2('hero image "/etc/passwd"'), "t.cmf:26:14: error: /etc/passwd: asset paths are relative to the project, with / between folders",
     "write it relative to the folder holding the spec or cmfc.toml"),
    (in_scene_2('hero image "audio/voice.wav"'), "t.cmf:26:14: error: audio/voice.wav: a hero image must be png/jpeg/webp, not wav", None),
    (in_scene_2('hero image "assets/stages/stage_01.jpg"'), "t.cmf:26:14: error: assets/stages/stage_01.jpg: hero image file not found",
     "did you mean stage_01.png?"),
    (in_scene_2('hero clip "assets/stages/stage_01.png"'), "t.cmf:26:13: error: assets/stages/stage_01.png: a hero clip must be mp4/mkv, not png", None),
    (in_scene_2("scene SC_03 HOOK-1"), "t.cmf:26:3: error: scene does not belong in a scene block", "scene goes inside the top level; check its indentation"),
]


@pytest.mark.parametrize("scenes, first_line, hint", CASES, ids=[c[1].split(": error: ")[1][:40] for c in CASES])
def test_message(tiny, scenes, first_line, hint):
    text = tiny.errors(scenes)
    lines = text.splitlines()
    assert lines, "expected an error"
    assert lines[0] == first_line
    hints = [line.removeprefix("  hint: ") for line in lines if line.startswith("  hint: ")]
    assert (hints[0] if hints else None) == hint


def test_caret_sits_under_the_offending_value(tiny):
    text = tiny.errors(TWO_SCENES.replace("HOOK-1", "HOOK-9"))
    assert text.splitlines()[1:3] == ["   21 | scene SC_01 HOOK-9", "      |             ^^^^^^"]


def test_independent_errors_are_all_reported_in_one_run(tiny):
    text = tiny.errors(in_scene_2('subject dad\nlight nope\nfx glich\npick v09'))
    assert [line.split(": error: ")[1] for line in text.splitlines() if ": error: " in line] == [
        "unknown character dad", "unknown lighting preset nope", "unknown effect glich",
        "pick v09: scene SC_02 has 1 take (v01)"]


def test_text_file_named_wav_is_refused(tiny):
    (tiny.root / "audio" / "voice.wav").write_text("not audio")
    assert tiny.errors().splitlines()[0] == \
        "t.cmf:8:9: error: audio/voice.wav: this is not a wav file (its bytes are not a media file)"


def test_symlink_out_of_the_project_is_refused(tiny, tmp_path):
    outside = tmp_path / "outside.png"
    outside.write_bytes((tiny.root / "assets" / "stages" / "stage_01.png").read_bytes())
    (tiny.root / "assets" / "stages" / "link.png").symlink_to(outside)
    text = tiny.errors(in_scene_2('hero image "assets/stages/link.png"'))
    assert text.splitlines()[0] == \
        "t.cmf:26:14: error: assets/stages/link.png: this path leads outside the project folder (through a symlink)"


def test_an_effect_the_local_renderer_cannot_draw_fails_check(tiny):
    text = tiny.errors(in_scene_2("fx speed_ramp"))
    assert text.splitlines()[0].startswith("t.cmf:26:6: error: effect speed_ramp is not rendered by the local executor yet (")


def test_a_line_on_untimed_words_checks_with_a_warning_naming_them(tiny):
    import json

    words_file = tiny.root / "audio" / "voice.words.json"
    data = json.loads(words_file.read_text())
    for word in data["segments"][1]["words"][1:3]:  # "is the": WhisperX left them untimed
        del word["start"], word["end"], word["score"]
    words_file.write_text(json.dumps(data))
    compiled = tiny.compile()
    assert len(compiled.project.scenes) == 2, "the line still places its scene"
    messages = [w.message for w in compiled.warnings]
    assert "scene SC_02's line uses words the transcript did not time ('is', 'the'): their times are interpolated, " \
           "so the cuts around it may be off" in messages
    assert not any("SC_01" in m for m in messages)
