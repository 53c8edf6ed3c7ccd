"""Short synthesized sound effects (48 kHz mono): an impact, a whoosh, a riser and room tone."""

from __future__ import annotations

import numpy as np

from .audio_io import RATE


def _t(duration: float) -> np.ndarray:
    return np.arange(int(duration * RATE)) / RATE


def _normalise(signal: np.ndarray, peak: float) -> np.ndarray:
    return signal * (peak / float(np.max(np.abs(signal))))


def impact_boom(rng: np.random.Generator) -> np.ndarray:
    """A low boom (sine swept 90 to 38 Hz, long decay) under a bright noise transient; 1.4 s."""
    from scipy.signal import butter, sosfilt

    t = _t(1.4)
    freq = 38.0 + 52.0 * np.exp(-t / 0.08)
    boom = np.sin(2 * np.pi * np.cumsum(freq) / RATE) * np.exp(-t / 0.45)
    crack = sosfilt(butter(2, 2500, "highpass", fs=RATE, output="sos"), rng.standard_normal(t.size))
    body = sosfilt(butter(2, 400, "lowpass", fs=RATE, output="sos"), rng.standard_normal(t.size))
    signal = boom + 0.6 * crack * np.exp(-t / 0.012) + 0.5 * body * np.exp(-t / 0.15)
    return _normalise(signal * np.minimum(1.0, (1.4 - t) / 0.2), 0.89)


def whoosh(rng: np.random.Generator) -> np.ndarray:
    """Noise through a band-pass that sweeps up then down, swelling and fading; 0.9 s."""
    from scipy.signal import butter, sosfilt

    duration, blocks = 0.9, 36
    noise = rng.standard_normal(int(duration * RATE))
    out = np.zeros_like(noise)
    size = noise.size // blocks
    for b in range(blocks):  # a stepped sweep, blended by the overlapping envelope below
        x = b / (blocks - 1)
        centre = 400.0 + 3600.0 * np.sin(np.pi * x)
        sos = butter(2, [centre * 0.6, centre * 1.6], "bandpass", fs=RATE, output="sos")
        seg = slice(b * size, noise.size if b == blocks - 1 else (b + 1) * size)
        out[seg] = sosfilt(sos, noise)[seg]
    t = _t(duration)[: out.size]
    return _normalise(out * np.sin(np.pi * t / duration) ** 2, 0.7)


def riser(rng: np.random.Generator) -> np.ndarray:
    """A tension riser: a sine gliding 110 to 880 Hz with its fifth, over growing noise; 1.5 s."""
    t = _t(1.5)
    freq = 110.0 * 8.0 ** (t / 1.5)
    phase = 2 * np.pi * np.cumsum(freq) / RATE
    tonal = np.sin(phase) + 0.5 * np.sin(1.5 * phase)
    noise = rng.standard_normal(t.size) * (t / 1.5) ** 2
    env = (t / 1.5) ** 1.5 * np.minimum(1.0, (1.5 - t) / 0.03)
    return _normalise((tonal + 0.3 * noise) * env, 0.7)


def room_tone(rng: np.random.Generator) -> np.ndarray:
    """Quiet room tone: low-passed noise with a faint 60 Hz hum; 1.2 s with short fades."""
    from scipy.signal import butter, sosfilt

    t = _t(1.2)
    air = sosfilt(butter(2, 900, "lowpass", fs=RATE, output="sos"), rng.standard_normal(t.size))
    hum = 0.15 * np.sin(2 * np.pi * 60 * t)
    env = np.minimum(1.0, np.minimum(t, 1.2 - t) / 0.05)
    return _normalise((air + hum) * env, 0.1)


LIBRARY = {
    "hits/impact_boom_04.wav": impact_boom,
    "hits/whoosh_01.wav": whoosh,
    "risers/riser_02.wav": riser,
    "ambience/room_tone_01.wav": room_tone,
}
