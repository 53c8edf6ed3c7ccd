"""Synthetic audio with known truth for the sonic tests: clicks, a voice-like signal, sectioned music."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def click_track(bpm: float, seconds: float, sr: int, first: float = 0.25) -> tuple[np.ndarray, np.ndarray]:
    """Short 1 kHz blips on every beat; returns the samples and the true beat times."""
    samples = np.zeros(int(seconds * sr), dtype=np.float32)
    beats = np.arange(first, seconds - 0.05, 60.0 / bpm)
    n = int(0.012 * sr)
    blip = np.sin(2 * np.pi * 1000 * np.arange(n) / sr) * np.exp(-np.arange(n) / (0.003 * sr))
    for t in beats:
        i = int(round(t * sr))
        samples[i:i + n] += 0.8 * blip[: len(samples) - i]
    return samples, beats


def voice_like(sr: int, phrases: list[tuple[float, float]], seconds: float, seed: int = 3) -> np.ndarray:
    """Harmonic 'speech' (150 Hz voice, harmonics 300–3400 Hz, syllable wobble) only inside ``phrases``."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * sr)) / sr
    tone = sum(np.sin(2 * np.pi * 150 * k * t + k) / k for k in range(2, 23))
    syllables = 0.55 + 0.45 * np.sin(2 * np.pi * 4.0 * t) ** 2
    gate = np.zeros_like(t)
    for start, end in phrases:
        gate[(t >= start) & (t < end)] = 1.0
    floor = 1e-4 * rng.standard_normal(len(t))  # room tone, so pauses are not digital zeros
    return (0.25 * tone * syllables * gate + floor).astype(np.float32)


@dataclass(frozen=True)
class PartSpec:
    """One section of a synthetic song: its name, length in bars, loudness and instrumentation."""

    name: str
    bars: int
    level: float
    root_hz: float
    lead: bool = False


def music_piece(sr: int, bpm: float, parts: list[PartSpec], seed: int = 5) -> tuple[np.ndarray, list[float], list[float]]:
    """A 4/4 song: accented kick on beat 1, bass per bar, a chord pad per section, a lead in lead parts.

    Returns the samples, the true downbeat times and the true section start times.
    """
    rng = np.random.default_rng(seed)
    beat = 60.0 / bpm
    bar = 4 * beat
    total_bars = sum(p.bars for p in parts)
    n = int(round(total_bars * bar * sr))
    out = np.zeros(n)
    t_all = np.arange(n) / sr
    kick_n = int(0.15 * sr)
    kt = np.arange(kick_n) / sr
    kick = np.sin(2 * np.pi * (50 + 90 * np.exp(-kt * 30)) * kt) * np.exp(-kt * 22)
    hat_n = int(0.03 * sr)
    hat = rng.standard_normal(hat_n) * np.exp(-np.arange(hat_n) / (0.006 * sr))
    downbeats, starts = [], []
    bar_index = 0
    for part in parts:
        starts.append(bar_index * bar)
        a, b = int(round(bar_index * bar * sr)), int(round((bar_index + part.bars) * bar * sr))
        t = t_all[a:b]
        pad = sum(np.sin(2 * np.pi * part.root_hz * r * t) for r in (1.0, 1.26, 1.5)) / 3
        out[a:b] += 0.18 * part.level * pad
        if part.lead:
            lead = np.sign(np.sin(2 * np.pi * 880 * t)) * 0.5 + np.sin(2 * np.pi * 1760 * t) * 0.3
            out[a:b] += 0.12 * part.level * lead
        for k in range(part.bars):
            downbeats.append((bar_index + k) * bar)
            for q in range(4):
                i = int(round(((bar_index + k) * bar + q * beat) * sr))
                accent = 1.0 if q == 0 else 0.45
                out[i:i + kick_n] += 0.6 * part.level * accent * kick[: n - i]
                if part.lead:
                    j = int(round(((bar_index + k) * bar + (q + 0.5) * beat) * sr))
                    out[j:j + hat_n] += 0.15 * hat[: max(0, min(hat_n, n - j))]
            i = int(round((bar_index + k) * bar * sr))
            m = min(int(bar * sr), n - i)
            bt = np.arange(m) / sr
            out[i:i + m] += 0.2 * part.level * np.sin(2 * np.pi * part.root_hz / 2 * bt) * np.exp(-bt * 1.5)
        bar_index += part.bars
    out /= np.abs(out).max() / 0.9
    return out.astype(np.float32), downbeats, starts


def band_energy(samples: np.ndarray, sr: int, lo: float, hi: float) -> float:
    """Energy of ``samples`` between ``lo`` and ``hi`` Hz (from one FFT)."""
    mono = samples if samples.ndim == 1 else samples.mean(axis=1)
    spectrum = np.abs(np.fft.rfft(mono)) ** 2
    freqs = np.fft.rfftfreq(len(mono), 1 / sr)
    return float(spectrum[(freqs >= lo) & (freqs < hi)].sum())


def dominant_hz(samples: np.ndarray, sr: int) -> float:
    """The strongest frequency in ``samples``."""
    mono = samples if samples.ndim == 1 else samples.mean(axis=1)
    spectrum = np.abs(np.fft.rfft(mono * np.hanning(len(mono))))
    return float(np.fft.rfftfreq(len(mono), 1 / sr)[int(np.argmax(spectrum[1:])) + 1])
