"""Tiny generated media for the mix tests: solid-colour video segments, tones, voices, hits; decoders."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import soundfile as sf

from cmfc.mix.ffmpeg import ffmpeg_exe

SR = 48_000
FPS = 24
SIZE = "64x112"


def colour(index: int) -> tuple[int, int, int]:
    """A distinct, saturated colour per segment (neighbours differ strongly in at least one channel)."""
    palette = [(230, 30, 30), (30, 200, 40), (40, 60, 230), (240, 220, 20), (220, 30, 220), (20, 210, 220)]
    r, g, b = palette[index % len(palette)]
    return (r, g, 255 - b) if index >= len(palette) else (r, g, b)


def make_segment(path: Path, frames: int, rgb: tuple[int, int, int], fps: int = FPS) -> Path:
    """A video-only H.264 segment of exactly ``frames`` solid-colour frames (same settings for every segment)."""
    hex_rgb = "0x%02x%02x%02x" % rgb
    subprocess.run([ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi",
                    "-i", f"color=c={hex_rgb}:s={SIZE}:r={fps}", "-frames:v", str(frames), "-c:v", "libx264",
                    "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-threads", "1", "-fflags", "+bitexact",
                    "-flags", "+bitexact", str(path)], check=True)
    return path


def write_wav(path: Path, samples: np.ndarray, subtype: str = "FLOAT") -> Path:
    sf.write(str(path), np.asarray(samples, dtype=np.float32), SR, subtype=subtype)
    return path


def tone(hz: float, seconds: float, level: float = 0.3) -> np.ndarray:
    t = np.arange(int(round(seconds * SR))) / SR
    return (level * np.sin(2 * np.pi * hz * t)).astype(np.float32)


def hit(seconds: float = 0.3, seed: int = 1) -> np.ndarray:
    """A decaying noise burst with a sharp attack: an impact."""
    n = int(seconds * SR)
    noise = np.random.default_rng(seed).standard_normal(n)
    return (0.8 * noise / np.abs(noise).max() * np.exp(-np.arange(n) / (0.04 * SR))).astype(np.float32)


def decode_audio(path: Path) -> np.ndarray:
    """The first audio stream as float32 (n, 2) at 48 kHz, edit lists applied (what a player plays)."""
    out = subprocess.run([ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-i", str(path), "-map", "0:a:0",
                          "-f", "f32le", "-ac", "2", "-ar", str(SR), "-"], capture_output=True, check=True).stdout
    return np.frombuffer(out, dtype="<f4").reshape(-1, 2)


def decode_colours(path: Path) -> np.ndarray:
    """The mean RGB of every decoded video frame, shape (frames, 3)."""
    width, height = map(int, SIZE.split("x"))
    out = subprocess.run([ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-i", str(path), "-map", "0:v:0",
                          "-f", "rawvideo", "-pix_fmt", "rgb24", "-"], capture_output=True, check=True).stdout
    frames = np.frombuffer(out, dtype=np.uint8).reshape(-1, height, width, 3)
    return frames.reshape(len(frames), -1, 3).mean(axis=1)


def band_rms_db(x: np.ndarray, low: float | None, high: float | None, window_s: float = 0.01) -> np.ndarray:
    """RMS in dB per ``window_s`` window of ``x`` (mono) band-passed to [low, high] Hz."""
    from scipy.signal import butter, sosfiltfilt

    if low and high:
        sos = butter(4, [low, high], btype="bandpass", fs=SR, output="sos")
    elif high:
        sos = butter(4, high, btype="lowpass", fs=SR, output="sos")
    else:
        sos = butter(4, low, btype="highpass", fs=SR, output="sos")
    band = sosfiltfilt(sos, x)
    hop = int(window_s * SR)
    frames = band[: len(band) // hop * hop].reshape(-1, hop)
    return 10 * np.log10((frames ** 2).mean(axis=1) + 1e-20)
