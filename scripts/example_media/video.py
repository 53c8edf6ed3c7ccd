"""Short H.264 clips made from Pillow frames piped into the ffmpeg that ships in the imageio-ffmpeg wheel.

Determinism: one encoder thread and ffmpeg's bitexact flags (no encoder/version strings in the
container). x264 still writes its own version into the stream, so bytes are stable for one
imageio-ffmpeg version, not across versions.
"""

from __future__ import annotations

import io
import math
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

from PIL import Image, ImageDraw

FPS = 24


def encode_h264(frames: Iterator[Image.Image], size: tuple[int, int], fps: int = FPS, crf: int = 30) -> bytes:
    """Encode RGB frames of `size` to an MP4 (H.264 High, yuv420p, faststart) and return its bytes."""
    import imageio_ffmpeg

    width, height = size
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "clip.mp4"
        cmd = [
            imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y",
            "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{width}x{height}", "-r", str(fps), "-i", "-",
            "-c:v", "libx264", "-preset", "medium", "-crf", str(crf), "-pix_fmt", "yuv420p",
            "-threads", "1", "-x264-params", "threads=1:lookahead-threads=1",
            "-map_metadata", "-1", "-fflags", "+bitexact", "-flags:v", "+bitexact",
            "-movflags", "+faststart", str(out),
        ]  # fmt: skip
        proc = subprocess.Popen(cmd, stdin=subprocess.PIPE)
        assert proc.stdin is not None
        for frame in frames:
            proc.stdin.write(frame.convert("RGB").tobytes())
        proc.stdin.close()
        if proc.wait() != 0:
            raise SystemExit("ffmpeg failed to encode a clip")
        return out.read_bytes()


def _limb(origin: tuple[float, float], angle: float, length: float) -> tuple[float, float]:
    # Angles are measured from straight down, positive towards the walking direction (+x).
    return origin[0] + length * math.sin(angle), origin[1] + length * math.cos(angle)


def walk_frames(size: tuple[int, int] = (360, 640), seconds: float = 3.0) -> Iterator[Image.Image]:
    """A stick figure walking on the spot, side view, two strides a second: a pose-driving video."""
    width, height = size
    unit = height / 640
    for n in range(int(seconds * FPS)):
        phase = 2 * math.pi * n / (FPS / 1.0)  # one full gait cycle (two steps) per second
        frame = Image.new("RGB", size, (236, 236, 232))
        draw = ImageDraw.Draw(frame)
        draw.rectangle([0, int(520 * unit), width, height], fill=(200, 200, 194))
        bob = 6 * unit * abs(math.sin(phase))
        hip = (width / 2, 330 * unit - bob)
        neck = (width / 2 + 6 * unit, 190 * unit - bob)
        line = dict(fill=(30, 30, 36), width=max(2, round(12 * unit)))
        for side in (0, math.pi):  # far limbs first would need depth; a line figure reads fine flat
            swing = 0.45 * math.sin(phase + side)
            knee = _limb(hip, swing, 95 * unit)
            bend = 0.9 * max(0.0, math.sin(phase + side - math.pi / 2))
            foot = _limb(knee, swing - bend, 95 * unit)
            draw.line([hip, knee, foot], joint="curve", **line)
            draw.line([foot, (foot[0] + 22 * unit, foot[1])], **line)
            elbow = _limb(neck, -0.6 * math.sin(phase + side), 70 * unit)
            hand = _limb(elbow, -0.6 * math.sin(phase + side) + 0.5, 65 * unit)
            draw.line([neck, elbow, hand], joint="curve", **line)
        draw.line([hip, neck], **line)
        r = 34 * unit
        head = (neck[0] + 4 * unit, neck[1] - r - 8 * unit)
        draw.ellipse([head[0] - r, head[1] - r, head[0] + r, head[1] + r], fill=(30, 30, 36))
        yield frame


def street_frames(stage_png: bytes, size: tuple[int, int] = (360, 640), seconds: float = 4.0) -> Iterator[Image.Image]:
    """A slow push-in down the dawn street while a jogger crosses: stands in for a provided hero clip."""
    width, height = size
    street = Image.open(io.BytesIO(stage_png)).convert("RGB").resize((width * 2, height * 2), Image.Resampling.BICUBIC)
    total = int(seconds * FPS)
    for n in range(total):
        t = n / (total - 1)
        zoom = 1.0 + 0.12 * t
        crop_w, crop_h = width * 2 / zoom, height * 2 / zoom
        left, top = (width * 2 - crop_w) / 2, (height * 2 - crop_h) / 2
        box = (round(left), round(top), round(left + crop_w), round(top + crop_h))
        frame = street.crop(box).resize(size, Image.Resampling.BILINEAR)
        draw = ImageDraw.Draw(frame)
        x = -40 + (width + 80) * t  # the jogger, a silhouette on the near sidewalk
        y = height * 0.82
        stride = 10 * math.sin(2 * math.pi * 3 * n / FPS)
        ink = (24, 20, 36)
        draw.ellipse([x - 9, y - 92, x + 9, y - 74], fill=ink)
        draw.line([(x, y - 74), (x + 4, y - 34)], fill=ink, width=7)
        draw.line([(x + 4, y - 34), (x + 4 + stride, y)], fill=ink, width=6)
        draw.line([(x + 4, y - 34), (x + 4 - stride, y)], fill=ink, width=6)
        draw.line([(x + 2, y - 66), (x + 2 - stride, y - 44)], fill=ink, width=5)
        draw.line([(x + 2, y - 66), (x + 2 + stride, y - 44)], fill=ink, width=5)
        yield frame
