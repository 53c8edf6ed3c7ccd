"""SFX cues: resolved onto the voice's words, and heard on their word in the final MP4."""

from __future__ import annotations

import numpy as np
import pytest

from cmfc.check.assets import sfx_names
from cmfc.diagnostics import CmfError
from cmfc.mix import MixRequest, clean_voice, mux, render_mix, resolve_cues
from cmfc.mix.sfx import is_impact
from tests.mix.media import FPS, SR, decode_audio, hit, make_segment, write_wav

SCENES = """
scene SC_01 HOOK-1
  line "Every day you show up."
  sfx impact_boom_04 on "show"

scene SC_02 SETUP-1
  line "That is the whole secret."
  sfx whoosh_soft at 0.5s gain -3dB
"""


@pytest.fixture
def compiled(tiny):
    library = tiny.root / "assets" / "sfx"
    write_wav(library / "hits" / "impact_boom_04.wav", hit())
    write_wav(library / "whoosh_soft.wav", hit(0.2, seed=2) * 0.5)
    return tiny.compile(SCENES)


def test_cue_on_a_word_starts_with_that_word(compiled):
    project, words = compiled.project, compiled.words
    cues = resolve_cues(project, sfx_names(compiled.location.root / "assets" / "sfx"))
    show = next(w for w in words if w.text == "show")
    assert cues[0].start == show.start and cues[0].path.endswith("impact_boom_04.wav") and cues[0].impact


def test_cue_at_a_time_is_relative_to_its_scene(compiled):
    project = compiled.project
    cues = resolve_cues(project, sfx_names(compiled.location.root / "assets" / "sfx"))
    second = project.scenes[1]
    assert cues[1].start == second.slot.start * SR // FPS + SR // 2
    assert cues[1].gain_db == -3.0 and not cues[1].impact


def test_a_missing_sound_is_a_clear_error_with_a_suggestion(compiled):
    names = {"impact_boom_05": compiled.location.root / "x.wav", "whoosh_soft": compiled.location.root / "y.wav"}
    with pytest.raises(CmfError, match="no sound effect named impact_boom_04") as error:
        resolve_cues(compiled.project, names)
    assert "impact_boom_05" in (error.value.diagnostics[0].hint or "")


def test_impacts_are_recognised_by_folder_or_name(tmp_path):
    assert is_impact(tmp_path / "hits" / "x.wav") and is_impact(tmp_path / "boom_01.wav")
    assert not is_impact(tmp_path / "ui" / "whoosh_soft.wav")


def test_sfx_onset_lands_on_its_word_within_one_frame(compiled, tmp_path):
    from scipy.signal import butter, sosfiltfilt

    project, words, root = compiled.project, compiled.words, compiled.location.root
    cues = resolve_cues(project, sfx_names(root / "assets" / "sfx"))
    voice = clean_voice(root / project.voice.path, tmp_path / "voice_clean.wav")
    frames = project.duration_frames
    request = MixRequest(duration_samples=frames * SR // FPS, voice_path=str(voice),
                         music_path=str(root / "audio/bed.wav"), cues=tuple(cues),
                         speech=tuple((w.start, w.end) for w in words), music_fit="loop")
    render_mix(request, tmp_path / "master.wav")
    final = mux(make_segment(tmp_path / "v.mp4", frames, (10, 10, 10)), tmp_path / "master.wav",
                tmp_path / "final.mp4", FPS, frames)
    audio = decode_audio(final)[:, 0].astype(np.float64)
    hiss = np.abs(sosfiltfilt(butter(4, 5000, btype="highpass", fs=SR, output="sos"), audio))
    show = next(w for w in words if w.text == "show").start
    window = hiss[show - SR // 4:show + SR // 4]
    onset = show - SR // 4 + int(np.argmax(window > 0.2 * window.max()))
    assert abs(onset - show) <= SR // FPS
