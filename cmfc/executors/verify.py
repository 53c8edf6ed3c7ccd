"""Decode a generated file before it enters the store: a truncated or blank output is a failure.

An image must open and fully decode with Pillow, have a size, and not be one flat colour.
A video must decode with ffmpeg (imageio-ffmpeg's binary) to at least one frame without errors,
and not be one flat colour throughout. Cheap: videos are decoded scaled down to 32 px wide, grey.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path


class OutputRejected(Exception):
    """The downloaded file is not a usable take (names the file and the reason)."""


@dataclass(frozen=True)
class Decoded:
    kind: str
    width: int
    height: int
    frames: int = 1


def verify(path: Path, kind: str) -> Decoded:
    """Decode ``path`` as ``kind`` ("image" | "video"); OutputRejected saying why otherwise."""
    path = Path(path)
    if not path.is_file() or path.stat().st_size == 0:
        raise OutputRejected(f"{path.name}: empty or missing")
    if kind == "image" and path.suffix.lower() not in (".gif", ".webp", ".mp4", ".webm"):
        return _verify_image(path)
    return _verify_video(path)


def _verify_image(path: Path) -> Decoded:
    from PIL import Image

    try:
        with Image.open(path) as image:
            image.load()
            width, height = image.size
            extrema = image.convert("RGB").getextrema()
    except Exception as exc:  # noqa: BLE001 - Pillow raises many kinds for a broken file
        raise OutputRejected(f"{path.name}: does not decode as an image ({exc})") from None
    if width <= 0 or height <= 0:
        raise OutputRejected(f"{path.name}: image has no pixels")
    if all(low == high for low, high in extrema):
        raise OutputRejected(f"{path.name}: image is one flat colour {tuple(low for low, _ in extrema)}")
    return Decoded("image", width, height)


def _verify_video(path: Path) -> Decoded:
    import imageio_ffmpeg

    ffmpeg = imageio_ffmpeg.get_ffmpeg_exe()
    command = [ffmpeg, "-v", "error", "-xerror", "-i", str(path), "-vf", "scale=32:-2,format=gray",
               "-f", "rawvideo", "-"]
    result = subprocess.run(command, capture_output=True, timeout=120)
    errors = result.stderr.decode("utf-8", "replace").strip()
    if result.returncode != 0 or not result.stdout:
        raise OutputRejected(f"{path.name}: does not decode as a video ({errors.splitlines()[-1] if errors else 'no frames'})")
    width, height = _dimensions(ffmpeg, path)
    frame_size = 32 * max(2, round(32 * height / max(1, width) / 2) * 2)
    frames = max(1, len(result.stdout) // frame_size) if frame_size else 1
    if min(result.stdout) == max(result.stdout):
        raise OutputRejected(f"{path.name}: video is one flat colour")
    return Decoded("video", width, height, frames)


def _dimensions(ffmpeg: str, path: Path) -> tuple[int, int]:
    import re

    probe = subprocess.run([ffmpeg, "-hide_banner", "-i", str(path)], capture_output=True, timeout=30)
    match = re.search(r"Video: .*?(\d{2,5})x(\d{2,5})", probe.stderr.decode("utf-8", "replace"))
    return (int(match.group(1)), int(match.group(2))) if match else (0, 0)
