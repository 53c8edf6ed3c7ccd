"""Shared, session-scoped synthetic music (librosa's first analysis is the slow part: do it once)."""

from __future__ import annotations

import pytest

from tests.sonic.sonic_synth import PartSpec, music_piece

SONG_PARTS = [
    PartSpec("intro", 2, 0.4, 220.0),
    PartSpec("verse", 2, 0.7, 196.0),
    PartSpec("chorus", 2, 1.0, 262.0, lead=True),
    PartSpec("outro", 2, 0.45, 220.0),
]
SONG_BPM = 160.0  # 8 bars of 1.5 s: a 12-second song


@pytest.fixture(scope="session")
def song():
    """(samples, sr, true downbeats, true section starts) of the 12-second four-section song at 22.05 kHz."""
    samples, downbeats, starts = music_piece(22_050, SONG_BPM, SONG_PARTS)
    return samples, 22_050, downbeats, starts


@pytest.fixture(scope="session")
def song_analysis(song):
    """The analysis of ``song``."""
    from cmfc.sonic.analysis import analyze_music

    samples, sr, _, _ = song
    return analyze_music(samples, sr)
