"""Semantic slicing (manual §3.7) and beat-locked cuts."""

from __future__ import annotations

import numpy as np
import pytest

from cmfc.sonic.slicing import VAD_HOP_S, apply_fades, nearest_zero_crossing, safe_cut, snap_cuts, voice_activity
from tests.sonic.sonic_synth import voice_like

SR = 48_000
PHRASES = [(0.3, 1.6), (2.0, 3.1), (3.6, 5.2), (5.5, 6.0)]
PAUSES = [(1.6, 2.0), (3.1, 3.6), (5.2, 5.5)]


@pytest.fixture(scope="module")
def voice():
    samples = voice_like(SR, PHRASES, 6.5)
    return samples, voice_activity(samples, SR)


def test_voice_activity_finds_the_phrases(voice):
    _, active = voice
    times = np.arange(len(active)) * VAD_HOP_S
    inside = np.zeros(len(active), dtype=bool)
    for start, end in PHRASES:
        inside |= (times >= start) & (times < end)
    agreement = np.mean(active == inside)
    assert agreement > 0.95


@pytest.mark.parametrize("word_boundary", [1.6, 1.9, 2.05, 3.15, 3.5, 5.25])
def test_safe_cut_lands_in_the_pause_near_the_word_boundary(voice, word_boundary):
    samples, active = voice
    cut = safe_cut(samples, SR, word_boundary, activity=active)
    pause = next(p for p in PAUSES if p[0] - 0.5 <= word_boundary <= p[1] + 0.5)
    assert pause[0] + 0.03 < cut < pause[1] - 0.03
    assert cut * SR == int(cut * SR)  # on a sample


def test_safe_cut_is_on_a_zero_crossing(voice):
    samples, active = voice
    i = int(round(safe_cut(samples, SR, 3.3, activity=active) * SR))
    assert np.signbit(samples[i - 1]) != np.signbit(samples[i])


def test_nearest_zero_crossing_of_a_sine():
    t = np.arange(4800) / SR
    sine = np.sin(2 * np.pi * 100 * t + 0.3)
    crossing = nearest_zero_crossing(sine, SR, 0.0101)
    assert abs(np.sin(2 * np.pi * 100 * crossing + 0.3)) < 0.02


def test_fades_silence_the_cut_and_spare_the_rest():
    samples = np.ones(SR, dtype=np.float32)
    faded = apply_fades(samples, SR, [0.5], fade_ms=10)
    i = SR // 2
    assert faded[i] == 0.0 and faded[i - 1] < 0.01
    assert faded[i - 480 - 1] == 1.0 and faded[i + 480] == 1.0
    assert np.all(np.diff(faded[i - 480: i]) <= 0) and np.all(np.diff(faded[i: i + 480]) >= 0)


def test_fades_work_on_stereo():
    samples = np.ones((SR, 2), dtype=np.float32)
    assert apply_fades(samples, SR, [0.25])[SR // 4].tolist() == [0.0, 0.0]


WORDS = [{"word": "Most", "start": 0.40, "end": 0.62}, {"word": "people", "start": 0.70, "end": 1.05},
         {"word": "think", "start": 1.10, "end": 1.40}]


def test_snap_moves_a_cut_to_the_nearest_beat_within_tolerance():
    [result] = snap_cuts([1.5], [1.0, 1.45, 1.62, 2.0], WORDS, tolerance_s=0.12)
    assert result.ok and result.moved and result.snapped == 1.45


def test_snap_never_lands_inside_a_word():
    [result] = snap_cuts([0.98], [0.9, 1.07], WORDS, tolerance_s=0.12)
    assert result.snapped == 1.07  # 0.9 is nearer but inside "people"


def test_snap_reports_cuts_it_cannot_move():
    far, inside = snap_cuts([2.0, 0.85], [1.5, 0.8, 0.9], WORDS, tolerance_s=0.12)
    assert not far.ok and far.snapped == 2.0 and "no beat within ±120 ms" in far.reason
    assert not inside.ok and inside.snapped == 0.85 and '"people"' in inside.reason


def test_a_cut_on_a_word_edge_is_allowed():
    [result] = snap_cuts([1.0], [1.05], WORDS)
    assert result.ok and result.snapped == 1.05


def test_two_cuts_never_snap_onto_one_beat():
    first, second = snap_cuts([1.46, 1.54], [1.5], [])
    assert first.snapped == 1.5 and not second.ok


def test_words_may_be_tuples_or_objects():
    class Word:
        def __init__(self, start, end):
            self.start, self.end, self.word = start, end, "x"

    assert snap_cuts([0.5], [0.55], [Word(0.52, 0.7)])[0].snapped == 0.5
    assert snap_cuts([0.5], [0.55], [(0.52, 0.7)])[0].snapped == 0.5
