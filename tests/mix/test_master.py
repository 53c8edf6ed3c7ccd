"""The master: -14 LUFS and ≤ -1 dBTP measured on the final MP4, an audible duck, no clicks, same bytes."""

from __future__ import annotations

import json

import numpy as np
import pytest
import soundfile as sf

from cmfc.mix import Cue, MixRequest, measure, mux, render_mix
from cmfc.mix.master import integrated_lufs, limit_true_peak, true_peak_dbtp
from tests.mix.media import FPS, SR, band_rms_db, hit, make_segment, tone, write_wav
from tests.sonic.sonic_synth import voice_like

FRAMES = 147  # 6.125 s
PHRASES = [(0.3, 2.0), (3.5, 5.5)]
CHIME_AT = 4.0  # a 1 kHz SFX that starts and ends at its crest: a hard cut there would click


@pytest.fixture(scope="module")
def session(tmp_path_factory):
    """A voice, a looped 100 Hz bed, an impact and a chime, mixed and muxed into a 147-frame MP4."""
    folder = tmp_path_factory.mktemp("master")
    n = FRAMES * SR // FPS
    write_wav(folder / "voice.wav", voice_like(SR, PHRASES, n / SR))
    bed = tone(100, 1.7, 0.3)
    write_wav(folder / "bed.wav", np.stack([bed, bed], axis=1))
    write_wav(folder / "impact.wav", hit())
    write_wav(folder / "chime.wav", np.cos(2 * np.pi * 1000 * np.arange(SR // 4) / SR).astype(np.float32) * 0.5)
    request = MixRequest(
        duration_samples=n, voice_path=str(folder / "voice.wav"), music_path=str(folder / "bed.wav"),
        speech=tuple((int(a * SR), int(b * SR)) for a, b in PHRASES), music_fit="loop",
        cues=(Cue(int(1.2 * SR), str(folder / "impact.wav"), -6.0, True),
              Cue(int(CHIME_AT * SR), str(folder / "chime.wav"))))
    facts = render_mix(request, folder / "master.wav")
    final = mux(make_segment(folder / "video.mp4", FRAMES, (0, 0, 0)), folder / "master.wav", folder / "final.mp4",
                FPS, FRAMES)
    master, _ = sf.read(str(folder / "master.wav"))
    return folder, request, facts, master, final


def test_final_mp4_is_at_the_loudness_target_under_the_true_peak_ceiling(session):
    *_, final = session
    loudness = measure(final)
    assert abs(loudness.integrated_lufs - -14.0) <= 0.5
    assert loudness.true_peak_dbtp <= -1.0


def test_mix_facts_match_what_ffmpeg_measures_on_the_master(session):
    folder, _, facts, _, _ = session
    on_file = measure(folder / "master.wav")
    assert abs(facts.integrated_lufs - on_file.integrated_lufs) < 0.3
    assert facts.true_peak_dbtp <= -1.0 and abs(facts.true_peak_dbtp - on_file.true_peak_dbtp) < 0.3
    assert facts.samples == FRAMES * SR // FPS


def test_music_ducks_by_the_depth_while_the_voice_speaks_with_ramps(session):
    _, request, _, master, _ = session
    # 20 ms windows (two periods of the bed's 100 Hz); the voice lives above 300 Hz
    bed_db = band_rms_db(master[:, 0], None, 200, window_s=0.02)
    speaking, pause = bed_db[40:55].mean(), bed_db[135:165].mean()  # 0.8–1.1 s and 2.7–3.3 s
    assert abs((speaking - pause) - request.duck_db) < 1.5
    into_phrase = bed_db[165:180]  # 3.3–3.6 s: the attack starts ahead of the voice at 3.5 s
    between = (into_phrase < pause - 1) & (into_phrase > speaking + 1)
    assert between.sum() >= 3  # at least 60 ms on the way down: a ramp, not a gate's step
    release = bed_db[100:135]  # 2.0–2.7 s: back up after the first phrase, smoothly
    assert ((release < pause - 1) & (release > speaking + 1)).sum() >= 5


def test_cue_starts_and_ends_do_not_click(session):
    _, _, _, master, _ = session
    left = master[:, 0]
    steady = np.abs(np.diff(left[int((CHIME_AT + 0.1) * SR):int((CHIME_AT + 0.12) * SR)])).max()
    for edge in (CHIME_AT, CHIME_AT + 0.25):
        around = left[int(edge * SR) - 240:int(edge * SR) + 240]
        assert np.abs(np.diff(around)).max() <= 1.2 * steady
    assert abs(left[0]) < 1e-3 and abs(left[-1]) < 1e-3  # the timeline's own edges are faded too


def test_same_request_gives_the_same_master_bytes(session, tmp_path):
    folder, request, _, _, _ = session
    render_mix(request, tmp_path / "again.wav")
    assert (tmp_path / "again.wav").read_bytes() == (folder / "master.wav").read_bytes()


def test_request_params_are_plain_json_and_round_trip(session):
    _, request, _, _, _ = session
    params = request.params()
    assert json.loads(json.dumps(params, sort_keys=True)) == params
    assert MixRequest.from_params(params) == request


def test_limiter_holds_the_ceiling_and_leaves_quiet_audio_alone():
    loud = np.stack([tone(997, 1.0, 1.4)] * 2, axis=1).astype(np.float64)
    limited, reduction = limit_true_peak(loud, -1.0)
    assert true_peak_dbtp(limited) <= -1.0 + 1e-6 and 3.5 < reduction < 4.5
    quiet = loud * 0.1
    assert limit_true_peak(quiet, -1.0)[0] is quiet


def test_silence_is_not_normalised(tmp_path):
    write_wav(tmp_path / "v.wav", np.zeros(SR))
    facts = render_mix(MixRequest(duration_samples=SR, voice_path=str(tmp_path / "v.wav")), tmp_path / "m.wav")
    assert facts.integrated_lufs == float("-inf") and not sf.read(str(tmp_path / "m.wav"))[0].any()


def test_integrated_loudness_of_a_reference_tone():
    # BS.1770: a 997 Hz sine at -20 dBFS peak in both channels reads about -20 LUFS (-23 + 3)
    stereo = np.stack([tone(997, 3.0, 0.1)] * 2, axis=1).astype(np.float64)
    assert abs(integrated_lufs(stereo) - -20.0) < 0.2
