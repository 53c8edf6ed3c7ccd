"""Sonic-first resolution: sliced cuts, beat-locked cuts, auto SFX and the arc's tempo range, in the IR."""

from tests.helpers import PROJECT_HEAD, TWO_SCENES


def test_derived_cut_is_moved_by_semantic_slicing(tiny):
    project = tiny.compile().project
    assert [s.head_cut for s in project.scenes] == ["start", "sliced"]
    # The pause between "up." (ends 2.06 s) and "That" (starts 2.51 s): the cut stays inside it.
    assert 2.06 * 24 <= project.scenes[1].slot.start <= 2.51 * 24


def test_snap_beats_moves_the_cut_to_a_beat_in_the_pause(tiny):
    head = PROJECT_HEAD.replace("    arc the_rally\n", "    arc the_rally\n    snap beats tolerance 200ms\n")
    project = tiny.compile(head=head).project
    beats = project.music_facts.beats
    cut = project.scenes[1].slot.start
    assert project.scenes[1].head_cut == "beat"
    assert any(abs(cut - round(b * 24)) <= 1 for b in beats)
    assert 2.06 * 24 <= cut <= 2.51 * 24  # never inside a word


def test_a_cut_that_cannot_snap_is_reported(tiny):
    head = PROJECT_HEAD.replace("    arc the_rally\n", "    arc the_rally\n    snap beats tolerance 10ms\n")
    compiled = tiny.compile(head=head)
    assert compiled.project.scenes[1].head_cut == "sliced"
    assert [w.message.split(":")[0] for w in compiled.warnings] == ["scene SC_02"]
    assert "could not snap its cut to the beats" in compiled.warnings[0].message


def test_a_scene_can_turn_snapping_off(tiny):
    head = PROJECT_HEAD.replace("    arc the_rally\n", "    arc the_rally\n    snap beats tolerance 200ms\n")
    scenes = TWO_SCENES.replace('line "That is the whole secret."', 'line "That is the whole secret."\n  snap off')
    assert tiny.compile(scenes, head).project.scenes[1].head_cut == "sliced"


def test_sfx_auto_places_trigger_words_from_the_project_map(tiny):
    head = PROJECT_HEAD.replace('  sfx_library "assets/sfx"\n',
                                '  sfx_library "assets/sfx"\n    auto\n    trigger "secret" impact_01\n')
    project = tiny.compile(head=head).project
    assert [(a.scene, a.word, a.sfx) for a in project.auto_sfx] == [("SC_02", 9, "impact_01")]


def test_music_tempo_outside_the_arc_range_is_a_warning(tiny):
    head = PROJECT_HEAD.replace("arc the_rally", "arc quiet_storm")
    compiled = tiny.compile(head=head)
    assert compiled.project.music_facts.tempo > 100
    assert any("BPM" in w.message for w in compiled.warnings)


def test_sfx_auto_places_the_arcs_risers_and_impacts_on_scene_heads(tiny):
    import shutil

    riser = tiny.root / "assets/sfx/risers/riser_01.wav"
    riser.parent.mkdir(parents=True)
    shutil.copy(tiny.root / "assets/sfx/hits/impact_01.wav", riser)
    head = PROJECT_HEAD.replace('  sfx_library "assets/sfx"\n', '  sfx_library "assets/sfx"\n    auto\n')
    # the_rally: risers before payoff scenes, impacts on turn and payoff scenes.
    project = tiny.compile(TWO_SCENES.replace("SETUP-1", "PAYOFF-1"), head).project
    cut = project.scenes[1].slot.start * 2000
    placed = {(a.keyword, a.sfx, a.scene): a.start for a in project.auto_sfx}
    assert placed[("arc:impact", "impact_01", "SC_02")] == cut
    assert placed[("arc:riser", "riser_01", "SC_02")] == cut - 28_800  # the riser (0.6 s) ends on the cut
