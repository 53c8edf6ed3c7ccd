"""Tiny, dependency-light audio writers: 16-bit PCM WAV via `wave` (byte-stable) and FLAC via soundfile."""

from __future__ import annotations

import io
import wave
from pathlib import Path

import numpy as np

RATE = 48_000


def to_pcm16(signal: np.ndarray) -> np.ndarray:
    """Clip a float signal in [-1, 1] to int16 with round-half-even (numpy's rint), so bytes are stable."""
    return np.rint(np.clip(signal, -1.0, 1.0) * 32767.0).astype("<i2")


def wav_bytes(signal: np.ndarray, rate: int = RATE) -> bytes:
    """Encode a float signal, shape (n,) or (n, channels), as a 16-bit PCM WAV with no extra chunks."""
    pcm = to_pcm16(signal)
    channels = 1 if pcm.ndim == 1 else pcm.shape[1]
    buf = io.BytesIO()
    with wave.open(buf, "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(pcm.tobytes())
    return buf.getvalue()


def flac_bytes(signal: np.ndarray, rate: int = RATE) -> bytes:
    """Encode a float signal as 16-bit FLAC (lossless; libsndfile's encoder, bytes stable per libFLAC version)."""
    import soundfile

    buf = io.BytesIO()
    soundfile.write(buf, to_pcm16(signal), rate, format="FLAC", subtype="PCM_16", compression_level=1.0)
    return buf.getvalue()


def write_audio(path: Path, signal: np.ndarray, rate: int = RATE) -> None:
    """Write `signal` as WAV or FLAC according to the path's extension."""
    data = flac_bytes(signal, rate) if path.suffix == ".flac" else wav_bytes(signal, rate)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
