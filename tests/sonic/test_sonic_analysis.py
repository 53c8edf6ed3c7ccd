"""Music analysis against synthetic audio whose tempo, beats and sections are known."""

from __future__ import annotations

import json

import numpy as np
import pytest

from cmfc.sonic.analysis import MusicAnalysis, analyze_music
from tests.sonic.conftest import SONG_BPM
from tests.sonic.sonic_synth import click_track


@pytest.mark.parametrize("bpm", [97.0, 128.0, 141.0])
def test_click_track_tempo_within_one_percent_and_beats_within_20ms(bpm):
    samples, truth = click_track(bpm, 10.0, 22_050)
    analysis = analyze_music(samples, 22_050)
    assert abs(analysis.tempo - bpm) / bpm < 0.01
    errors = [np.min(np.abs(truth - beat)) for beat in analysis.beats]
    assert max(errors) < 0.020
    assert len(analysis.beats) >= len(truth) - 2


def test_click_track_at_48k_gives_the_same_grid():
    samples, truth = click_track(120.0, 8.0, 48_000)
    analysis = analyze_music(samples, 48_000)
    assert abs(analysis.tempo - 120.0) < 1.2
    assert max(np.min(np.abs(truth - beat)) for beat in analysis.beats) < 0.020


def test_song_tempo_downbeats_and_sections(song, song_analysis):
    _, _, true_downbeats, true_starts = song
    assert abs(song_analysis.tempo - SONG_BPM) / SONG_BPM < 0.01
    assert len(song_analysis.downbeats) == len(true_downbeats)
    assert max(np.min(np.abs(np.array(true_downbeats) - d)) for d in song_analysis.downbeats) < 0.04
    starts = [s.start for s in song_analysis.sections]
    assert len(starts) == len(true_starts)
    assert all(abs(a - b) < 0.05 for a, b in zip(starts, true_starts))
    # section boundaries sit on detected downbeats
    assert all(s.start in song_analysis.downbeats for s in song_analysis.sections[1:])


def test_song_section_labels_and_climax(song_analysis):
    labels = [s.label for s in song_analysis.sections]
    assert labels == ["intro", "verse", "chorus", "outro"]
    assert song_analysis.climax().label == "chorus"
    assert song_analysis.sections[0].group == song_analysis.sections[-1].group  # intro and outro: same material


def test_energy_curve_is_normalised_at_a_tenth_of_a_second(song, song_analysis):
    samples, sr, _, _ = song
    assert len(song_analysis.energy) == int(np.ceil(len(samples) / sr / 0.1))
    assert max(song_analysis.energy) == 1.0 and min(song_analysis.energy) >= 0.0
    chorus = song_analysis.climax()
    loudest = int(np.argmax(song_analysis.energy)) * 0.1
    assert chorus.start - 0.1 <= loudest < chorus.end


def test_json_is_rounded_to_the_millisecond_and_round_trips(song_analysis):
    data = song_analysis.to_json_dict()
    assert set(data) >= {"tempo", "beats", "downbeats", "onsets", "sections", "energy", "duration"}
    assert all(round(t, 3) == t for t in data["beats"] + data["onsets"])
    again = MusicAnalysis.from_json_dict(json.loads(json.dumps(data))).to_json_dict()
    assert json.dumps(again, sort_keys=True) == json.dumps(data, sort_keys=True)


def test_analysis_is_deterministic(song, song_analysis):
    samples, sr, _, _ = song
    again = analyze_music(samples, sr)
    assert json.dumps(again.to_json_dict(), sort_keys=True) == json.dumps(song_analysis.to_json_dict(), sort_keys=True)


def test_silence_has_no_beats_and_one_section():
    analysis = analyze_music(np.zeros(22_050 * 2, dtype=np.float32), 22_050)
    assert analysis.tempo == 0.0 and analysis.beats == [] and len(analysis.sections) == 1
    assert analysis.duration == 2.0
