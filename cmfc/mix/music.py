"""The music bed (stage 6): fitted to the video's length, shaped by the sonic arc, ducked under the voice.

Gains are computed in dB per sample with numpy, never by a gate: the arc's energy
curve sets the bed's level (level 1 plays it at its mix level, 0 at ``arc_floor_db``),
the duck follows the voice's word spans with a one-pole attack and release (solved in
closed form per span, so a minute of audio costs milliseconds), and impacts dip the
bass for a moment so an SFX hit has room (the manual's sidechain "Impact").
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from cmfc.ir.values import SAMPLE_RATE
from cmfc.mix.request import MixRequest

FADE_S = 0.010  # the fade at every audio cut, also the crossfade at loop joins
DUCK_ATTACK_S = 0.040
DUCK_RELEASE_S = 0.250
DUCK_BRIDGE_S = 0.350  # gaps between words shorter than this stay ducked: no pumping between words
BASS_HZ = 150.0


def fit_bed(samples: np.ndarray, request: MixRequest) -> tuple[np.ndarray, tuple[str, ...]]:
    """The music exactly ``request.duration_samples`` long, stereo: bar surgery or a crossfaded loop/trim."""
    target = request.duration_samples
    samples = _stereo(samples)
    if request.music_fit == "surgery":
        bed, notes = _surgery(samples, request)
    else:
        bed, notes = loop_to_length(samples, target), ("looped or trimmed with 10 ms crossfades",)
    return _exact_length(bed, target), notes


def loop_to_length(samples: np.ndarray, target: int, crossfade_s: float = FADE_S) -> np.ndarray:
    """Repeat ``samples`` (n, channels) to ``target`` samples, each join a 10 ms equal-gain crossfade.

    Equal gain (sin² + cos² = 1), not equal power: a loop's end and start are alike, and
    equal power would bump correlated audio by 3 dB at every join.
    """
    length = len(samples)
    overlap = min(int(round(crossfade_s * SAMPLE_RATE)), length // 2)
    if length >= target or length == 0:
        return _exact_length(samples, target)
    ramp = (np.sin(np.linspace(0.0, np.pi / 2, overlap, endpoint=False)) ** 2)[:, None] if overlap else None
    out = np.zeros((target + length,) + samples.shape[1:], dtype=np.float64)
    step, position, first = length - overlap, 0, True
    while position < target:
        piece = samples.astype(np.float64)
        if overlap:
            piece = piece.copy()
            if not first:
                piece[:overlap] *= ramp
            piece[length - overlap:] *= 1.0 - ramp
        out[position:position + length] += piece
        position, first = position + step, False
    return out[:target].astype(np.float32)


def arc_gain_db(arc_points: Sequence[Sequence[float]], n: int, floor_db: float) -> np.ndarray:
    """The arc's level (0..1, linear between points over the video) as a gain in dB for each of ``n`` samples."""
    from cmfc.sonic.arcs import arc_points_of

    points = arc_points_of(arc_points)
    positions = np.arange(n, dtype=np.float64) / max(n - 1, 1)
    level = np.interp(positions, [p for p, _ in points], [v for _, v in points])
    return floor_db * (1.0 - level)


def speech_spans(words: Sequence[tuple[int, int]], bridge_s: float = DUCK_BRIDGE_S) -> list[tuple[int, int]]:
    """Word spans (samples) merged across gaps shorter than ``bridge_s``: where the voice is 'present'."""
    bridge = int(round(bridge_s * SAMPLE_RATE))
    merged: list[list[int]] = []
    for start, end in sorted((int(a), int(b)) for a, b in words if b > a):
        if merged and start - merged[-1][1] < bridge:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(a, b) for a, b in merged]


def detect_speech(voice: np.ndarray) -> list[tuple[int, int]]:
    """Speech spans found in the voice itself (300–3400 Hz activity), for when no word timings are given."""
    from cmfc.sonic.slicing import VAD_HOP_S, voice_activity

    active = voice_activity(voice, SAMPLE_RATE)
    hop = int(round(VAD_HOP_S * SAMPLE_RATE))
    edges = np.diff(np.concatenate([[0], active.astype(np.int8), [0]]))
    starts, ends = np.nonzero(edges == 1)[0], np.nonzero(edges == -1)[0]
    return [(int(a) * hop, min(int(b) * hop, len(voice))) for a, b in zip(starts, ends)]


def duck_gain_db(spans: Sequence[tuple[int, int]], n: int, duck_db: float, attack_s: float = DUCK_ATTACK_S,
                 release_s: float = DUCK_RELEASE_S) -> np.ndarray:
    """Gain in dB: ``duck_db`` while the voice is present, 0 in pauses, with one-pole attack and release.

    The attack starts two time constants before each span (the word timings are known in
    advance), so the bed is already down when the first syllable lands.
    """
    if n <= 0:
        return np.zeros(0)
    lead = int(round(2 * attack_s * SAMPLE_RATE))
    target = np.zeros(n, dtype=np.int8)
    for start, end in speech_spans(spans):
        target[max(0, start - lead):min(n, end)] = 1
    depth = np.zeros(n, dtype=np.float64)
    edges = np.nonzero(np.diff(target))[0] + 1
    state = 0.0
    for a, b in zip(np.concatenate([[0], edges]), np.concatenate([edges, [n]])):
        goal = float(target[a])
        tau = (attack_s if goal > state else release_s) * SAMPLE_RATE
        decay = np.exp(-np.arange(1, b - a + 1) / tau)
        depth[a:b] = goal + (state - goal) * decay
        state = depth[b - 1] if b > a else state
    return duck_db * depth


def bass_dip(music: np.ndarray, impact_starts: Sequence[int], dip_db: float, dip_ms: int) -> np.ndarray:
    """Turn the music's low band (< 150 Hz) down by ``dip_db`` for ``dip_ms`` from each impact, with short ramps."""
    if not impact_starts or dip_db >= 0:
        return music
    from scipy.signal import butter, sosfiltfilt

    n = len(music)
    gain_db = np.zeros(n, dtype=np.float64)
    hold = int(round(dip_ms * SAMPLE_RATE / 1000))
    ramp_in, ramp_out = int(round(FADE_S * SAMPLE_RATE)), int(round(0.1 * SAMPLE_RATE))
    shape = np.concatenate([np.linspace(0.0, 1.0, ramp_in, endpoint=False), np.ones(hold),
                            np.linspace(1.0, 0.0, ramp_out)]) * dip_db
    for start in impact_starts:
        a = int(start) - ramp_in  # fully down when the hit lands
        lo, hi = max(a, 0), min(a + len(shape), n)
        if hi > lo:
            gain_db[lo:hi] = np.minimum(gain_db[lo:hi], shape[lo - a:hi - a])
    # zero-phase low band, so music - low is its exact complement and a 0 dB dip changes nothing
    low = sosfiltfilt(butter(2, BASS_HZ, btype="lowpass", fs=SAMPLE_RATE, output="sos"), music, axis=0)
    return (music + low * (10 ** (gain_db / 20) - 1.0)[:, None]).astype(np.float32)


def _surgery(samples: np.ndarray, request: MixRequest) -> tuple[np.ndarray, tuple[str, ...]]:
    """Issue 6's bar-level fit (climax on the payoff); analyses the track here when no analysis is given."""
    import json

    from cmfc.sonic.analysis import MusicAnalysis, analyze_music
    from cmfc.sonic.surgery import fit_music

    if request.music_analysis:
        with open(request.music_analysis, encoding="utf-8") as handle:
            data = json.load(handle)
        analysis = MusicAnalysis.from_json_dict(data.get("analysis", data))
    else:
        from cmfc.sonic.audio_io import resample

        analysis = analyze_music(resample(samples.mean(axis=1), SAMPLE_RATE, 22_050), 22_050)
    bed, report = fit_music(samples, SAMPLE_RATE, analysis, request.duration_samples / SAMPLE_RATE, request.payoff_s)
    notes = list(report.notes) + [f"{len(report.joins)} bar joins, climax at "
                                  + ("none" if report.climax_out_s is None else f"{report.climax_out_s:.3f}s")]
    return bed, tuple(notes)


def _stereo(samples: np.ndarray) -> np.ndarray:
    samples = np.asarray(samples, dtype=np.float32)
    if samples.ndim == 1:
        return np.stack([samples, samples], axis=1)
    if samples.shape[1] == 1:
        return np.repeat(samples, 2, axis=1)
    return samples[:, :2]


def _exact_length(samples: np.ndarray, length: int) -> np.ndarray:
    if len(samples) >= length:
        return samples[:length]
    pad = np.zeros((length - len(samples),) + samples.shape[1:], dtype=samples.dtype)
    return np.concatenate([samples, pad])
