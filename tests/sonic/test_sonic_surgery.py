"""Musical surgery: exact length, joins on downbeats, the climax on the payoff."""

from __future__ import annotations

import numpy as np
import pytest

from cmfc.sonic.analysis import MusicAnalysis, Section
from cmfc.sonic.surgery import fit_music
from tests.sonic.sonic_synth import music_piece


def lead_starts(samples: np.ndarray, sr: int) -> float:
    """When the chorus's 880 Hz square lead is first clearly present (50 ms resolution)."""
    hop = int(0.01 * sr)
    size = int(0.05 * sr)
    t = np.arange(size) / sr
    probe = np.exp(-2j * np.pi * 880 * t)
    levels = np.array([abs(np.dot(samples[i:i + size], probe)) for i in range(0, len(samples) - size, hop)])
    return (int(np.argmax(levels > 0.5 * levels.max())) * hop + size / 2) / sr


CASES = [  # (target, payoff): shorten, lengthen, early payoff, payoff at 0, no payoff given
    (9.3, 5.0), (20.0, 12.0), (8.0, 2.2), (6.0, 0.0), (10.0, None),
]


@pytest.mark.parametrize("target, payoff", CASES)
def test_fit_is_exactly_the_target_length_with_the_climax_on_the_payoff(song, song_analysis, target, payoff):
    samples, sr, _, _ = song
    fitted, report = fit_music(samples, sr, song_analysis, target, payoff)
    assert len(fitted) == round(target * sr)
    assert report.climax.label == "chorus"
    expected = payoff if payoff is not None else min(song_analysis.climax().start, 0.6 * target)
    assert abs(report.climax_out_s - expected) <= 1 / sr
    assert abs(lead_starts(fitted, sr) - expected) < 0.06  # heard, not only reported


@pytest.mark.parametrize("target, payoff", CASES)
def test_every_join_is_on_a_downbeat_and_stretch_is_small(song, song_analysis, target, payoff):
    samples, sr, _, _ = song
    _, report = fit_music(samples, sr, song_analysis, target, payoff)
    marks = song_analysis.downbeats + [song_analysis.duration]
    for join in report.joins:
        assert min(abs(join.from_s - m) for m in marks) < 1.5 / sr
        assert min(abs(join.to_s - m) for m in marks) < 1.5 / sr
    assert abs(report.stretch_pre - 1) <= 0.04 and abs(report.stretch_post - 1) <= 0.04


def test_lengthening_repeats_the_section_that_leads_into_the_climax(song, song_analysis):
    samples, sr, _, _ = song
    _, report = fit_music(samples, sr, song_analysis, 20.0, 12.0)
    verse = next(s for s in song_analysis.sections if s.label == "verse")
    repeats = [span for span in report.spans if abs(span[1] - verse.start) < 0.01]
    assert len(repeats) >= 2


def test_fit_at_48k_stereo_is_exact_and_deterministic(song_analysis):
    from tests.sonic.conftest import SONG_BPM, SONG_PARTS

    mono, _, _ = music_piece(48_000, SONG_BPM, SONG_PARTS)
    stereo = np.stack([mono, 0.9 * mono], axis=1)
    first, report = fit_music(stereo, 48_000, song_analysis, 7.77, 3.33)
    second, _ = fit_music(stereo, 48_000, song_analysis, 7.77, 3.33)
    assert first.shape == (round(7.77 * 48_000), 2)
    assert first.tobytes() == second.tobytes()
    assert report.to_json_dict()["climax_out"] == 3.33


def test_joins_do_not_click(song, song_analysis):
    samples, sr, _, _ = song
    fitted, report = fit_music(samples, sr, song_analysis, 20.0, 12.0)
    for join in report.joins:
        i = int(round(join.output_s * sr))
        step = np.max(np.abs(np.diff(fitted[i - 200: i + 200])))
        typical = np.percentile(np.abs(np.diff(fitted)), 99.9)
        assert step <= typical * 1.5


def test_a_track_without_a_beat_grid_is_looped_to_length():
    sr = 8_000
    tone = np.sin(2 * np.pi * 220 * np.arange(3 * sr) / sr).astype(np.float32)
    analysis = MusicAnalysis(3.0, 0.0, [], [], [], [Section(0.0, 3.0, "intro", "A", 1.0)], [1.0] * 30)
    fitted, report = fit_music(tone, sr, analysis, 7.5)
    assert len(fitted) == 7.5 * sr and report.notes and "no beat grid" in report.notes[0]


@pytest.mark.parametrize("factor", [1.03, 0.97])
def test_a_stretch_keeps_every_drum_hit_on_time(factor):
    """Hits land where the stretch puts them, to 2.5 ms (librosa's phase vocoder: 2–9 ms late, unevenly: a flam)."""
    from cmfc.sonic.surgery import _time_stretch

    sr, hits = 48_000, [0.5, 1.0, 1.5, 2.0]
    track = np.zeros((3 * sr, 2), dtype=np.float32)
    burst = (np.random.default_rng(1).standard_normal(480) * np.exp(-np.arange(480) / 80) * 0.5).astype(np.float32)
    for t in hits:
        track[int(t * sr): int(t * sr) + 480] += np.stack([burst, 0.8 * burst], axis=1)
    stretched = _time_stretch(track, sr, factor)
    assert stretched.shape == (round(3 * sr * factor), 2)
    window = int(0.03 * sr)
    for t in hits:
        expected = int(round(t * factor * sr))
        heard = expected - window + int(np.argmax(stretched[expected - window: expected + window, 0] ** 2))
        assert abs(heard - expected) / sr < 0.0025, (t, (heard - expected) / sr)
