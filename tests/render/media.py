"""Tiny media for the render tests: generated stills and clips, and decoding segments to numpy frames."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import numpy as np

from cmfc.mix.ffmpeg import ffmpeg_exe, run_ffmpeg

W, H, FPS = 144, 256, 24


def decode(mp4: Path, pix_fmt: str = "gray") -> np.ndarray:
    """All frames of ``mp4`` as an array (frames, height, width[, 3]), decoded through a pipe."""
    channels = {"gray": 1, "rgb24": 3}[pix_fmt]
    info = probe(mp4)
    raw = subprocess.run([ffmpeg_exe(), "-v", "error", "-i", str(mp4), "-f", "rawvideo", "-pix_fmt", pix_fmt, "-"],
                         capture_output=True, check=True).stdout
    frames = np.frombuffer(raw, np.uint8).reshape(-1, info["height"], info["width"], channels)
    return frames[..., 0] if channels == 1 else frames


def probe(mp4: Path) -> dict:
    """Codec, pixel format, size and fps of the first video stream, read from ``ffmpeg -i``."""
    stderr = subprocess.run([ffmpeg_exe(), "-hide_banner", "-i", str(mp4)], capture_output=True).stderr.decode()
    match = re.search(r"Video: (\w+).*?, (\w+)\(.*?\), (\d+)x(\d+).*?, ([\d.]+) fps", stderr)
    assert match, stderr
    codec, pix_fmt, width, height, fps = match.groups()
    return {"codec": codec, "pix_fmt": pix_fmt, "width": int(width), "height": int(height), "fps": float(fps),
            "audio": "Audio:" in stderr}


def grey_clip(path: Path, frames: int, step: int = 16) -> Path:
    """A clip whose frame k is a uniform grey of level 16 + k*step (lossless), to read frame numbers back."""
    run_ffmpeg(["-f", "lavfi", "-i", f"color=c=black:s=32x32:r={FPS}",
                "-vf", f"format=gray,geq=lum='16+N*{step}'", "-frames:v", str(frames),
                "-c:v", "libx264", "-qp", "0", "-pix_fmt", "yuv444p", str(path)], "making a test clip", path)
    return path


def frame_numbers(frames: np.ndarray, step: int = 16) -> list[int]:
    """The source frame numbers a segment of :func:`grey_clip` frames shows."""
    return [round((float(frame.mean()) - 16) / step) for frame in frames]


def blob_image(path: Path, width: int = 2 * W, height: int = 2 * H) -> Path:
    """A black still with one soft white dot in the middle: its centroid tracks the motion."""
    from PIL import Image

    ys, xs = np.mgrid[0:height, 0:width]
    dot = np.exp(-((xs - width / 2) ** 2 + (ys - height / 2) ** 2) / (2 * (width / 24) ** 2)) * 255
    Image.fromarray(dot.astype(np.uint8)).convert("RGB").save(path)
    return path


def centroids(frames: np.ndarray) -> np.ndarray:
    """The brightness-weighted x of each frame."""
    xs = np.arange(frames.shape[2], dtype=float)
    weights = frames.astype(float)
    return (weights * xs).sum(axis=(1, 2)) / weights.sum(axis=(1, 2))


def typed(name: str, params: dict[str, str] | None = None, fps: int = FPS) -> dict:
    """An effect's parameters as resolution gives them to the renderer: every one typed, defaults filled
    from the built-in catalogue (the renderer itself reads no catalogue)."""
    from cmfc.check.facts import typed_params
    from cmfc.frameworks.load import load_frameworks

    return typed_params(load_frameworks().effects[name], params or {}, fps)
