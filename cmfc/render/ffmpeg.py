"""Run the embedded ffmpeg (imageio-ffmpeg's binary): errors that name the file, progress, probing, decoding.

Probing reads ffmpeg's own report (``ffmpeg -i FILE -c copy -f null -``): the wheel ships no ffprobe.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Callable, Optional, Sequence

from cmfc.diagnostics import CmfError, Diagnostic, Span

Progress = Callable[[int, int], None]  # (frames done, frames in total)


def ffmpeg_exe() -> str:
    """Path of the ffmpeg binary shipped in the imageio-ffmpeg wheel."""
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def fail(subject: str | os.PathLike, message: str) -> CmfError:
    """A CmfError about ``subject`` (a file the user gave, or the output being made)."""
    return CmfError([Diagnostic(Span(str(subject)), message)])


def run_ffmpeg(args: Sequence[str | os.PathLike], what: str, subject: str | os.PathLike = "",
               cwd: Optional[Path] = None, progress: Optional[Progress] = None, total_frames: int = 0) -> str:
    """Run ``ffmpeg <args>`` and return its log; failure is a CmfError saying what failed, on which file, and why.

    With ``progress``, ffmpeg reports through ``-progress pipe:1`` and ``progress(done, total_frames)``
    is called as frames are encoded.
    """
    command = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-nostats", "-y"]
    if progress is not None:
        command += ["-progress", "pipe:1"]
    command += [str(a) for a in args]
    # stderr goes to a file, not a pipe: a chatty ffmpeg would block on a full pipe while we read stdout.
    with tempfile.TemporaryFile() as log:
        try:
            process = subprocess.Popen(command, stdout=subprocess.PIPE if progress else subprocess.DEVNULL,
                                       stderr=log, cwd=cwd)
        except OSError as error:
            raise fail(subject, f"{what}: cannot run ffmpeg: {error}") from None
        if progress is not None:
            for raw in process.stdout:
                line = raw.decode("ascii", "replace").strip()
                if line.startswith("frame="):
                    progress(min(int(line[6:] or 0), total_frames or 1 << 62), total_frames)
        code = process.wait()
        log.seek(0)
        text = log.read().decode("utf-8", "replace")
    if code != 0:
        raise fail(subject, f"{what} failed: {explain(text)}")
    return text


def explain(log: str) -> str:
    """The lines of an ffmpeg log that say what went wrong (the last few, without noise)."""
    lines = [line.strip() for line in log.splitlines() if line.strip()]
    useful = [line for line in lines if not line.startswith(("frame=", "Stream mapping", "Press [q]"))]
    return " | ".join(useful[-3:]) or "ffmpeg gave no reason"


@dataclass(frozen=True)
class VideoFacts:
    """What ffmpeg says about a video file's first video stream."""

    width: int
    height: int
    fps: Fraction
    frames: int


def probe_video(path: str | os.PathLike) -> VideoFacts:
    """Size, frame rate and frame count of ``path`` (packets counted, nothing decoded)."""
    if not Path(path).is_file():
        raise fail(path, "reading the clip: no such file")
    log = run_ffmpeg(["-i", f"file:{path}", "-map", "0:v:0", "-c", "copy", "-f", "null", "-"],
                     "reading the clip (is it a video file?)", path)
    stream = re.search(r"Stream #\S+.*?: Video: .*", log)
    if stream is None:
        raise fail(path, "reading the clip: it holds no video stream")
    size = re.search(r"\b(\d{2,5})x(\d{2,5})\b", stream.group(0))
    rate = re.search(r"([\d.]+)(k?) (?:fps|tbr)", stream.group(0))
    counts = re.findall(r"frame=\s*(\d+)", log)
    if not (size and rate and counts):
        raise fail(path, "reading the clip: ffmpeg did not report its size, frame rate and length")
    fps = Fraction(rate.group(1)).limit_denominator(1001) * (1000 if rate.group(2) else 1)
    return VideoFacts(int(size.group(1)), int(size.group(2)), fps, int(counts[-1]))


def count_frames(path: str | os.PathLike) -> int:
    """Video frames in ``path`` (packets counted by a remux to null)."""
    log = run_ffmpeg(["-i", f"file:{path}", "-map", "0:v:0", "-c", "copy", "-f", "null", "-"],
                     "counting video frames", path)
    counts = re.findall(r"frame=\s*(\d+)", log)
    if not counts:
        raise fail(path, "counting video frames: ffmpeg reported none")
    return int(counts[-1])


def decode_rgb(path: str | os.PathLike, width: int, height: int, frames: Sequence[int] | None = None):
    """Decode a video to RGB frames (numpy uint8, shape (n, height, width, 3)); only ``frames`` if given."""
    import numpy as np

    args = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-v", "error", "-i", f"file:{path}", "-map", "0:v:0"]
    if frames is not None:
        wanted = "+".join(f"eq(n\\,{n})" for n in frames)
        args += ["-vf", f"select='{wanted}'", "-fps_mode", "passthrough"]
    args += ["-f", "rawvideo", "-pix_fmt", "rgb24", "-"]
    result = subprocess.run(args, capture_output=True, check=False)
    if result.returncode != 0:
        raise fail(path, f"decoding the video failed: {explain(result.stderr.decode('utf-8', 'replace'))}")
    data = np.frombuffer(result.stdout, dtype=np.uint8)
    return data.reshape(-1, height, width, 3)
