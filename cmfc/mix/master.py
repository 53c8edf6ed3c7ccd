"""The master (stage 6): sum voice, bed and SFX, normalise to the loudness target, limit the true peak.

Levels before the sum: the clean voice at -16 LUFS, the bed 6 dB under it at arc level 1
(then shaped by the arc and the duck), SFX at their library level plus the cue's gain.
The sum is normalised to the target (BS.1770 via pyloudnorm) and a look-ahead limiter keeps
the 4x-oversampled true peak under the ceiling, with headroom for the AAC encoder's overshoot.
Everything is numpy/scipy on float64: the same request gives the same WAV bytes.
"""

from __future__ import annotations

import os
import numpy as np

from cmfc.ir.values import SAMPLE_RATE
from cmfc.mix import music as bed
from cmfc.mix.request import MixFacts, MixRequest
from cmfc.mix.sfx import fade_ends, sfx_track

VOICE_REF_LUFS = -16.0
BED_UNDER_VOICE_DB = -6.0
AAC_HEADROOM_DB = 0.5  # AAC's reconstruction overshoots the PCM's true peak by a few tenths of a dB
LIMITER_BLOCK = 48  # 1 ms: the limiter's gain is decided per block and interpolated
LIMITER_LOOKAHEAD_BLOCKS = 5
LIMITER_RELEASE_S = 0.08
OVERSAMPLE = 4


def render_mix(request: MixRequest, out_path: str | os.PathLike) -> MixFacts:
    """Mix ``request`` into a 48 kHz stereo float WAV at ``out_path``; return what was measured on it."""
    from cmfc.sonic.audio_io import load_audio

    n = request.duration_samples
    voice, _ = load_audio(request.voice_path, sr=SAMPLE_RATE, mono=True)
    voice = _exact(voice.astype(np.float64), n)
    voice *= _gain_to(voice, VOICE_REF_LUFS)
    mix = np.repeat(voice[:, None], 2, axis=1)
    notes: tuple[str, ...] = ()
    if request.music_path:
        music, notes = music_bed(request, voice)
        mix += music
    if request.cues:
        mix += sfx_track(request.cues, n)
    mix = fade_ends(mix.astype(np.float32)).astype(np.float64)  # the first and last samples are cuts too
    master, reduction = normalise_and_limit(mix, request.target_lufs, request.ceiling_dbtp - AAC_HEADROOM_DB)
    write_float_wav(out_path, master)
    return MixFacts(samples=n, integrated_lufs=integrated_lufs(master), true_peak_dbtp=float(true_peak_dbtp(master)),
                    limiter_max_reduction_db=reduction, music_notes=notes)


def music_bed(request: MixRequest, voice: np.ndarray) -> tuple[np.ndarray, tuple[str, ...]]:
    """The fitted bed at its mix level, shaped by the arc, ducked under the voice, bass dipped under impacts."""
    from cmfc.sonic.audio_io import load_audio

    n = request.duration_samples
    samples, _ = load_audio(request.music_path, sr=SAMPLE_RATE)
    music, notes = bed.fit_bed(samples, request)
    vocals = None
    if request.music_vocals_path:  # stems: both fitted alike (the same surgery), only the vocals duck
        stem, _ = load_audio(request.music_vocals_path, sr=SAMPLE_RATE)
        vocals, _ = bed.fit_bed(stem, request)
        vocals = vocals.astype(np.float64)
        notes = notes + ("stems: only the bed's vocals duck under the voice",)
    level = _gain_to(music if vocals is None else music + vocals, VOICE_REF_LUFS + BED_UNDER_VOICE_DB)
    music = music.astype(np.float64) * level
    spans = request.speech or tuple(bed.detect_speech(voice))
    gain_db = bed.arc_gain_db(request.arc_points, n, request.arc_floor_db)
    duck_db = bed.duck_gain_db(spans, n, request.duck_db)
    if vocals is None:
        gain_db = gain_db + duck_db
    else:
        music += vocals * level * (10 ** (duck_db / 20))[:, None]
    music *= (10 ** (gain_db / 20))[:, None]
    impacts = [cue.start for cue in request.cues if cue.impact]
    return bed.bass_dip(music, impacts, request.bass_dip_db, request.dip_ms).astype(np.float64), notes


def normalise_and_limit(mix: np.ndarray, target_lufs: float, ceiling_dbtp: float) -> tuple[np.ndarray, float]:
    """Gain to ``target_lufs``, then the limiter; repeated (at most 4 times) until limiting costs < 0.05 LU."""
    loudness = integrated_lufs(mix)
    if not np.isfinite(loudness):
        return mix, 0.0  # silence: nothing to normalise
    gain_db = target_lufs - loudness
    # True peaks scale with the gain: oversample once, not once per pass (a 60 s master: 0.6 s each).
    peaks = sample_true_peaks(mix)
    for _ in range(4):
        gain = 10 ** (gain_db / 20)
        limited, reduction = limit_true_peak(mix * gain, ceiling_dbtp, peaks * gain)
        shortfall = target_lufs - integrated_lufs(limited)
        if abs(shortfall) < 0.05:
            break
        gain_db += shortfall
    return limited, reduction


def limit_true_peak(x: np.ndarray, ceiling_dbtp: float,
                    true_peaks: np.ndarray | None = None) -> tuple[np.ndarray, float]:
    """Look-ahead limiter: 5 ms attack ramp ahead of each over, 80 ms release; returns (audio, max reduction dB).

    ``true_peaks`` are ``sample_true_peaks(x)`` when the caller has them already.
    """
    ceiling = 10 ** (ceiling_dbtp / 20)
    n = len(x)
    blocks = -(-n // LIMITER_BLOCK)
    peaks = np.zeros(blocks * LIMITER_BLOCK)
    peaks[:n] = sample_true_peaks(x) if true_peaks is None else true_peaks
    need = np.minimum(1.0, ceiling / np.maximum(peaks.reshape(blocks, LIMITER_BLOCK).max(axis=1), 1e-12))
    if need.min() >= 1.0:
        return x, 0.0
    a = LIMITER_LOOKAHEAD_BLOCKS
    # forward min then backward mean over the same width: a ramp of `a` blocks that is down in time
    ahead = np.lib.stride_tricks.sliding_window_view(np.concatenate([need, np.ones(a - 1)]), a).min(axis=1)
    smooth = np.convolve(np.concatenate([np.ones(a - 1), ahead]), np.ones(a) / a, mode="valid")
    gain = _release(np.minimum(smooth, need), LIMITER_RELEASE_S * SAMPLE_RATE / LIMITER_BLOCK)
    # per-sample gain: linear between block edges, each edge the lower of its two blocks (never above a block's need)
    edges = np.minimum(np.concatenate([gain[:1], gain]), np.concatenate([gain, gain[-1:]]))
    per_sample = np.interp(np.arange(n) / LIMITER_BLOCK, np.arange(blocks + 1), edges)
    return x * per_sample[:, None], float(-20 * np.log10(gain.min()))


def sample_true_peaks(x: np.ndarray, chunk: int = 1 << 16) -> np.ndarray:
    """Per input sample, the largest |value| of its 4x-oversampled neighbourhood over all channels (BS.1770 Annex 2)."""
    from scipy.signal import resample_poly

    x = x.reshape(len(x), -1)
    margin = 32
    out = np.empty(len(x))
    for a in range(0, len(x), chunk):
        b = min(a + chunk, len(x))
        lo, hi = max(a - margin, 0), min(b + margin, len(x))
        up = resample_poly(x[lo:hi], OVERSAMPLE, 1, axis=0)[(a - lo) * OVERSAMPLE:(b - lo) * OVERSAMPLE]
        out[a:b] = np.abs(up).reshape(b - a, OVERSAMPLE, -1).max(axis=(1, 2))
    return np.maximum(out, np.abs(x).max(axis=1))


def true_peak_dbtp(x: np.ndarray) -> float:
    """True peak in dBTP (4x oversampling); -inf for silence."""
    peak = float(sample_true_peaks(x).max()) if len(x) else 0.0
    return 20 * np.log10(peak) if peak > 0 else float("-inf")


def integrated_lufs(x: np.ndarray) -> float:
    """BS.1770 integrated loudness (pyloudnorm); -inf for silence or audio shorter than one 400 ms block."""
    import pyloudnorm

    if len(x) < int(0.4 * SAMPLE_RATE):
        return float("-inf")
    return float(pyloudnorm.Meter(SAMPLE_RATE).integrated_loudness(x))


def write_float_wav(path: str | os.PathLike, samples: np.ndarray, sr: int = SAMPLE_RATE) -> None:
    """A 32-bit float WAV (format 3 + fact chunk), atomically.

    Written by hand because libsndfile adds a PEAK chunk to float files that carries the
    time of writing, which would make every master's bytes different.
    """
    import struct

    from cmfc.fsutil import atomic_write_bytes

    data = np.ascontiguousarray(samples.reshape(len(samples), -1), dtype="<f4")
    channels = data.shape[1]
    fmt = struct.pack("<HHIIHHH", 3, channels, sr, sr * 4 * channels, 4 * channels, 32, 0)
    body = (b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"fact" + struct.pack("<II", 4, len(data))
            + b"data" + struct.pack("<I", data.nbytes) + data.tobytes())
    atomic_write_bytes(path, b"RIFF" + struct.pack("<I", len(body)) + body)


def _release(need: np.ndarray, tau_blocks: float) -> np.ndarray:
    """Follow ``need`` down at once, back up with a one-pole release in dB."""
    alpha = 1 - np.exp(-1 / max(tau_blocks, 1e-6))
    need_db = 20 * np.log10(need)
    out = np.empty_like(need_db)
    state = 0.0
    for i, value in enumerate(need_db.tolist()):
        state = value if value < state else state + alpha * (value - state)
        out[i] = state
    return 10 ** (out / 20)


def _gain_to(x: np.ndarray, lufs: float) -> float:
    loudness = integrated_lufs(x)
    return 10 ** ((lufs - loudness) / 20) if np.isfinite(loudness) else 1.0


def _exact(x: np.ndarray, n: int) -> np.ndarray:
    return x[:n] if len(x) >= n else np.concatenate([x, np.zeros(n - len(x), dtype=x.dtype)])
