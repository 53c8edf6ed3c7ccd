"""Sonic arcs: level curves, ducking envelopes, impacts, tempo checks."""

from __future__ import annotations

import numpy as np

from cmfc.sonic.arcs import arc_level_curve, check_tempo, impact_times, music_gain_envelope, riser_spans

RALLY = [(0.0, 0.55), (0.2, 0.45), (0.4, 0.25), (0.55, 0.5), (0.8, 1.0), (1.0, 0.75)]


def test_level_curve_interpolates_the_arc_points():
    curve = arc_level_curve(RALLY, 10.0, 0.1)
    assert len(curve) == 100
    assert curve[0] == 0.55 and abs(curve[40] - 0.25) < 1e-9 and abs(curve[80] - 1.0) < 1e-9
    assert abs(curve[30] - 0.35) < 1e-9


def test_points_may_be_dicts():
    assert arc_level_curve([{"at": 0, "level": 0}, {"at": 1, "level": 1}], 1.0, 0.5).tolist() == [0.0, 0.5]


def test_gain_envelope_follows_the_arc_and_ducks_under_the_voice():
    sr = 1000
    voice = np.zeros(1000, dtype=bool)
    voice[300:600] = True  # voice from 3 s to 6 s (10 ms hop)
    gain = music_gain_envelope([(0, 1.0), (1, 1.0)], 10.0, sr, voice_active=voice, duck_db=-12.0)
    assert len(gain) == 10 * sr
    assert abs(20 * np.log10(gain[1000]) - 0.0) < 0.01
    assert abs(20 * np.log10(gain[5500]) + 12.0) < 0.5  # fully ducked well inside the voice
    assert -12.0 < 20 * np.log10(gain[3020]) < -0.5  # attack, not a gate
    assert 20 * np.log10(gain[9500]) > -0.5  # released


def test_a_quiet_arc_point_plays_at_the_floor():
    gain = music_gain_envelope([(0, 0.0), (1, 0.0)], 1.0, 100, floor_db=-18.0)
    assert abs(20 * np.log10(gain[50]) + 18.0) < 1e-6


def test_impacts_on_the_arc_jumps_snap_to_the_grid():
    assert impact_times(RALLY, 60.0, min_jump=0.25) == [33.0, 48.0]
    assert impact_times(RALLY, 60.0, grid_s=[32.9, 47.5, 48.4]) == [32.9, 48.4]
    assert riser_spans([48.0, 1.0], 2.5) == [(45.5, 48.0), (0.0, 1.0)]


def test_tempo_check():
    assert check_tempo((100, 128), 120.0) is None
    assert check_tempo((100, 128), 140.0) == "the music runs at 140 BPM, outside the arc's 100–128 BPM"
    assert "half-time feel, 110 BPM, is inside" in check_tempo((100, 128), 220.0)
    assert "no steady beat" in check_tempo((100, 128), 0.0)
