"""Semantic slicing (manual §3.7) and beat-locked cuts.

Voice cuts go where the speaker breathes: voice activity in the telephone band
(300–3400 Hz), the quietest point within ±500 ms of the intended cut, the nearest
zero crossing, and 10 ms fades. Cuts between scenes may also be pulled onto the
music's beats or transients, but never into the middle of a word.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

VAD_HOP_S = 0.01
VOICE_BAND_HZ = (300.0, 3400.0)


def voice_activity(samples: np.ndarray, sr: int, hop_s: float = VAD_HOP_S) -> np.ndarray:
    """Boolean mask, one entry per ``hop_s`` frame: True where the 300–3400 Hz band holds speech."""
    band_db = _frame_db(_voice_band(samples, sr), sr, hop_s)
    if band_db.size == 0:
        return np.zeros(0, dtype=bool)
    floor, peak = np.percentile(band_db, 10), np.percentile(band_db, 99)
    # a third of the way from the room tone up to the speech level, and never in true silence
    threshold = max(floor + 0.33 * (peak - floor), peak - 45.0, -70.0)
    active = band_db > threshold
    return _close_gaps(active, int(round(0.05 / hop_s)))  # a 50 ms dip inside a word is not a pause


def safe_cut(samples: np.ndarray, sr: int, t: float, window_s: float = 0.5,
             activity: np.ndarray | None = None, hop_s: float = VAD_HOP_S) -> float:
    """The quietest point within ±``window_s`` of ``t`` (preferring non-voice frames), on a zero crossing."""
    mono = _mono(samples)
    if activity is None:
        activity = voice_activity(mono, sr, hop_s)
    lo = max(0, int(round((t - window_s) / hop_s)))
    hi = min(len(activity), int(round((t + window_s) / hop_s)) + 1)
    if hi <= lo:
        return _snap_to_sample(t, sr, len(mono))
    level_db = _frame_db(mono, sr, hop_s, window_s=0.03)[lo:hi]
    silent = ~activity[lo:hi]
    candidates = silent if silent.any() else np.ones_like(silent)
    level = np.where(candidates, level_db, np.inf)
    quiet = level <= level.min() + 1.0  # within 1 dB of the minimum counts as "as quiet"
    start, end = _run_around(quiet, _nearest_true(quiet, (t / hop_s) - lo))
    centre = lo + (start + end - 1) / 2  # middle of the quiet run: farthest from the words on both sides
    return nearest_zero_crossing(mono, sr, centre * hop_s)


def nearest_zero_crossing(samples: np.ndarray, sr: int, t: float, search_s: float = 0.005) -> float:
    """The sample boundary nearest ``t`` where the signal changes sign (``t`` itself if none is near)."""
    mono = _mono(samples)
    i = int(round(t * sr))
    radius = int(round(search_s * sr))
    lo, hi = max(1, i - radius), min(len(mono), i + radius + 1)
    if hi <= lo:
        return _snap_to_sample(t, sr, len(mono))
    window = mono[lo - 1:hi]
    crossings = np.nonzero(np.signbit(window[1:]) != np.signbit(window[:-1]))[0] + lo
    if crossings.size == 0:
        return _snap_to_sample(t, sr, len(mono))
    best = crossings[np.argmin(np.abs(crossings - i) * 2 + (crossings > i))]  # ties go to the earlier one
    return float(best) / sr


def apply_fades(samples: np.ndarray, sr: int, cut_points: Sequence[float], fade_ms: float = 10.0) -> np.ndarray:
    """A copy with a ``fade_ms`` fade-out ending at, and a fade-in starting at, each cut point (seconds)."""
    out = np.array(samples, dtype=np.float32, copy=True)
    n = max(1, int(round(fade_ms * sr / 1000.0)))
    ramp = np.sin(np.linspace(0.0, np.pi / 2, n, endpoint=False)) ** 2
    for cut in cut_points:
        i = int(round(cut * sr))
        a = max(0, i - n)
        if i > 0:
            out[a:i] = (out[a:i].T * ramp[::-1][n - (i - a):]).T
        b = min(len(out), i + n)
        if b > i:
            out[i:b] = (out[i:b].T * ramp[: b - i]).T
    return out


@dataclass(frozen=True)
class SnapResult:
    """Where one cut went: ``snapped`` equals ``original`` when it could not move (then ``reason`` says why)."""

    original: float
    snapped: float
    reason: str | None = None

    @property
    def moved(self) -> bool:
        return self.reason is None and self.snapped != self.original

    @property
    def ok(self) -> bool:
        return self.reason is None


def snap_cuts(cuts_s: Sequence[float], grid_s: Sequence[float], words: Sequence[Any],
              tolerance_s: float = 0.12) -> list[SnapResult]:
    """Move each cut to the nearest grid point within tolerance that does not split a word.

    ``words`` are dicts or objects with ``start``/``end`` (and optionally ``word``) in seconds. A cut may
    sit on a word's edge but never strictly inside it; cuts keep their order and never merge.
    """
    grid = sorted(float(g) for g in grid_s)
    spans = sorted((float(_get(w, "start")), float(_get(w, "end")), str(_get(w, "word", ""))) for w in words)
    results: list[SnapResult] = []
    previous = -np.inf
    for cut in cuts_s:
        cut = float(cut)
        near = [g for g in grid[bisect_left(grid, cut - tolerance_s - 1e-9):] if g <= cut + tolerance_s + 1e-9]
        if not near:
            results.append(SnapResult(cut, cut, f"no beat within ±{_ms(tolerance_s)} of {cut:.3f}s"))
            continue
        near.sort(key=lambda g: (abs(g - cut), g))
        free = [g for g in near if _word_at(spans, g) is None and g > previous]
        if free:
            results.append(SnapResult(cut, free[0]))
            previous = free[0]
            continue
        word = _word_at(spans, near[0])
        reason = (f"every beat within ±{_ms(tolerance_s)} of {cut:.3f}s falls inside the word "
                  f"\"{word[2]}\" ({word[0]:.3f}s–{word[1]:.3f}s)" if word
                  else f"the nearest beat to {cut:.3f}s is already taken by the previous cut")
        results.append(SnapResult(cut, cut, reason))
        previous = max(previous, cut)
    return results


def _word_at(spans: list[tuple[float, float, str]], t: float) -> tuple[float, float, str] | None:
    """The word whose open interval (start, end) holds ``t``."""
    for start, end, text in spans:
        if start >= t:
            break
        if start < t < end:
            return start, end, text
    return None


def _voice_band(samples: np.ndarray, sr: int) -> np.ndarray:
    from scipy.signal import butter, sosfiltfilt

    low, high = VOICE_BAND_HZ
    sos = butter(4, [low, min(high, 0.45 * sr)], btype="bandpass", fs=sr, output="sos")
    return sosfiltfilt(sos, _mono(samples).astype(np.float64))


def _frame_db(signal: np.ndarray, sr: int, hop_s: float, window_s: float | None = None) -> np.ndarray:
    """Mean power in dB per ``hop_s`` frame, averaged over ``window_s`` centred on the frame."""
    hop = max(1, int(round(hop_s * sr)))
    frames = int(np.ceil(len(signal) / hop))
    width = max(hop, int(round((window_s or hop_s) * sr)))
    squares = np.concatenate([[0.0], np.cumsum(np.asarray(signal, dtype=np.float64) ** 2)])
    centres = np.arange(frames) * hop + hop // 2
    a = np.clip(centres - width // 2, 0, len(signal))
    b = np.clip(centres + width - width // 2, 0, len(signal))
    power = (squares[b] - squares[a]) / np.maximum(b - a, 1)
    return 10 * np.log10(power + 1e-12)


def _close_gaps(mask: np.ndarray, max_gap: int) -> np.ndarray:
    out = mask.copy()
    on = np.nonzero(mask)[0]
    for a, b in zip(on[:-1], on[1:]):
        if 1 < b - a <= max_gap + 1:
            out[a:b] = True
    return out


def _run_around(mask: np.ndarray, index: int) -> tuple[int, int]:
    start = end = index
    while start > 0 and mask[start - 1]:
        start -= 1
    while end < len(mask) and mask[end]:
        end += 1
    return start, end


def _nearest_true(mask: np.ndarray, position: float) -> int:
    indices = np.nonzero(mask)[0]
    return int(indices[np.argmin(np.abs(indices - position))])


def _mono(samples: np.ndarray) -> np.ndarray:
    samples = np.asarray(samples)
    return samples if samples.ndim == 1 else samples.mean(axis=1)


def _snap_to_sample(t: float, sr: int, length: int) -> float:
    return float(min(max(int(round(t * sr)), 0), length)) / sr


def _get(word: Any, key: str, default: Any = None) -> Any:
    if isinstance(word, dict):
        return word.get(key, default)
    if isinstance(word, (tuple, list)):
        return {"start": word[0], "end": word[1], "word": word[2] if len(word) > 2 else default}[key]
    return getattr(word, key, default)


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"
