"""The bed: exact length, smooth loop joins, arc level, a duck with ramps (never a gate), bass dips."""

from __future__ import annotations

import numpy as np

from cmfc.mix.music import arc_gain_db, bass_dip, duck_gain_db, loop_to_length, speech_spans
from tests.mix.media import SR, band_rms_db, tone

MS = SR // 1000


def test_duck_is_the_depth_under_speech_and_zero_in_pauses():
    gain = duck_gain_db([(1 * SR, 2 * SR)], 4 * SR, -12.0)
    assert abs(gain[int(1.5 * SR)] + 12) < 0.1
    assert abs(gain[int(3.8 * SR)]) < 0.1 and gain[int(0.5 * SR)] == 0.0


def test_duck_ramps_down_ahead_of_the_voice_and_releases_slowly():
    gain = duck_gain_db([(1 * SR, 2 * SR)], 4 * SR, -12.0)
    assert gain[1 * SR] < -10  # already mostly down on the first syllable (the attack leads the words)
    attack = gain[1 * SR - 80 * MS:1 * SR]
    release = gain[2 * SR:2 * SR + 500 * MS]
    assert np.all(np.diff(attack) <= 0) and np.all(np.diff(release) >= 0)
    assert np.abs(np.diff(gain)).max() < 0.05  # no step anywhere: at most 0.05 dB per sample
    assert -9 < gain[2 * SR + 100 * MS] < -5  # 100 ms into a 250 ms release: part way back


def test_short_gaps_between_words_stay_ducked():
    words = [(SR, SR + 200 * MS), (SR + 300 * MS, SR + 500 * MS), (3 * SR, 3 * SR + 100 * MS)]
    assert speech_spans(words) == [(SR, SR + 500 * MS), (3 * SR, 3 * SR + 100 * MS)]


def test_arc_sets_the_level_between_its_points():
    gain = arc_gain_db([(0.0, 0.0), (0.5, 1.0), (1.0, 0.5)], 1001, -12.0)
    assert gain[0] == -12.0 and gain[500] == 0.0 and gain[1000] == -6.0 and gain[250] == -6.0


def test_loop_reaches_the_exact_length_without_clicks_at_joins():
    loop = np.stack([tone(220, 0.5)] * 2, axis=1)
    out = loop_to_length(loop, 2 * SR + 17)
    assert out.shape == (2 * SR + 17, 2)
    assert np.abs(np.diff(out[:, 0])).max() < 2 * np.abs(np.diff(loop[:, 0])).max()


def test_trim_when_the_music_is_longer():
    assert loop_to_length(np.ones((SR, 2), np.float32), 100).shape == (100, 2)


def test_bass_dips_under_an_impact_and_nowhere_else():
    music = np.stack([tone(60, 2.0) + tone(2000, 2.0)] * 2, axis=1)
    dipped = bass_dip(music, [SR], -6.0, 250)
    low, high = band_rms_db(dipped[:, 0], None, 120), band_rms_db(dipped[:, 0], 1000, None)
    low_before, high_before = band_rms_db(music[:, 0], None, 120), band_rms_db(music[:, 0], 1000, None)
    at_hit, away = slice(102, 122), slice(30, 60)  # 10 ms windows: 1.02–1.22 s, 0.3–0.6 s
    assert abs((low[at_hit] - low_before[at_hit]).mean() + 6) < 0.5
    assert abs((low[away] - low_before[away]).mean()) < 0.05
    assert abs((high[at_hit] - high_before[at_hit]).mean()) < 0.3  # the highs are untouched


def test_loop_joins_keep_a_steady_level():
    loop = np.stack([tone(100, 0.5)] * 2, axis=1)  # 50 whole periods: the loop's end matches its start
    out = loop_to_length(loop, 2 * SR)
    level = band_rms_db(out[:, 0], 50, 200, window_s=0.01)
    assert level[5:-5].max() - level[5:-5].min() < 0.2  # no 3 dB bump (or dip) at the joins


def test_surgery_fits_the_bed_with_the_climax_on_the_payoff(tmp_path):
    import json

    from cmfc.mix.music import fit_bed
    from cmfc.mix.request import MixRequest
    from cmfc.sonic.analysis import MusicAnalysis, Section
    from tests.sonic.sonic_synth import PartSpec, music_piece

    parts = [PartSpec("intro", 2, 0.4, 220.0), PartSpec("chorus", 2, 1.0, 262.0, lead=True)]
    samples, downbeats, starts = music_piece(SR, 160.0, parts)  # 4 bars of 1.5 s
    analysis = MusicAnalysis(duration=6.0, tempo=160.0, beats=[i * 0.375 for i in range(16)], downbeats=downbeats,
                             onsets=[], sections=[Section(0.0, 3.0, "intro", "A", 0.4),
                                                  Section(3.0, 6.0, "chorus", "B", 1.0)],
                             energy=[0.4] * 30 + [1.0] * 30)
    (tmp_path / "analysis.json").write_text(json.dumps(analysis.to_json_dict()))
    request = MixRequest(duration_samples=9 * SR, voice_path="unused.wav", payoff_s=6.0,
                         music_analysis=str(tmp_path / "analysis.json"))
    bed, notes = fit_bed(samples, request)
    assert bed.shape == (9 * SR, 2)
    assert any("climax at 6.000s" in note for note in notes)
