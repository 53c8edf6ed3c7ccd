"""Assembly (stage 6/8): join scene segments without re-encoding, then mux the master audio once.

Per-segment audio would drift (every AAC segment carries its own priming and padding, and
concat joins accumulate them), so segments are video only and the whole-timeline master is
encoded once (``encode_audio``, its own cacheable step), padded or trimmed to exactly the
video's frame count in samples (the voice is the master clock and the segments sum to its
frames), then stream-copied beside the video: ffmpeg's MP4 edit list keeps AAC's priming
out of the timeline, so the decoded audio starts on frame 0 and ends on the last frame.
``-shortest`` is never used: the two durations agree by construction, and ``mux`` refuses
a video with the wrong frame count.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import Sequence

from cmfc.diagnostics import CmfError, Diagnostic, Span
from cmfc.ir.values import SAMPLE_RATE, frames_to_samples
from cmfc.mix.ffmpeg import BITEXACT, atomic_output, run_ffmpeg

AAC_BITRATE = "192k"
ENCODED_SUFFIXES = (".m4a", ".aac")


def concat_segments(segment_paths: Sequence[str | os.PathLike], out_path: str | os.PathLike) -> Path:
    """Join video segments (same codec and settings) into ``out_path`` with the concat demuxer, ``-c copy``."""
    if not segment_paths:
        raise CmfError([Diagnostic(Span(str(out_path)), "assembling the video: no scene segments to join")])
    with tempfile.TemporaryDirectory(prefix="cmfc-concat-") as folder:
        listing = Path(folder) / "segments.txt"
        listing.write_text("ffconcat version 1.0\n"
                           + "".join(f"file {concat_quote(Path(p).resolve())}\n" for p in segment_paths),
                           encoding="utf-8")
        with atomic_output(out_path) as tmp:
            run_ffmpeg(["-f", "concat", "-safe", "0", "-i", listing, "-map", "0:v:0", "-c", "copy",
                        "-movflags", "+faststart", *BITEXACT, tmp], "joining the scene segments", out_path)
    return Path(out_path)


def encode_audio(master_path: str | os.PathLike, out_path: str | os.PathLike, fps: int, frames: int,
                 preview: bool = False) -> Path:
    """Encode the master once to AAC 48 kHz stereo in ``out_path`` (.m4a), cut to exactly ``frames`` at ``fps``.

    Its own action, so a scene edit that leaves the sound alone re-muxes without re-encoding.
    ``preview`` uses ffmpeg's fast AAC coder (about 4x faster; for the rough cut only).
    """
    samples = audio_samples_for(frames, fps)
    with atomic_output(out_path) as tmp:
        run_ffmpeg(["-i", master_path, "-map", "0:a:0", "-vn", *_aac(samples, preview), "-movflags", "+faststart",
                    *BITEXACT, tmp], "encoding the master audio", master_path)
    return Path(out_path)


def mux(video_path: str | os.PathLike, audio_path: str | os.PathLike, out_path: str | os.PathLike,
        fps: int, frames: int) -> Path:
    """The final MP4: the video copied, the audio copied from an ``.m4a`` (``encode_audio``) or encoded from a WAV.

    Refuses a video whose frame count is not ``frames``: the durations must agree by construction.
    """
    found = count_frames(video_path)
    if found != frames:
        raise CmfError([Diagnostic(Span(str(video_path)), f"assembling the video: it holds {found} frames, "
                                   f"the timeline needs {frames} (the voice-over's length at {fps} fps)")])
    if Path(audio_path).suffix.lower() in ENCODED_SUFFIXES:
        audio_args = ["-c:a", "copy"]
    else:
        audio_args = _aac(audio_samples_for(frames, fps), preview=False)
    with atomic_output(out_path) as tmp:
        run_ffmpeg(["-i", video_path, "-i", audio_path, "-map", "0:v:0", "-map", "1:a:0", "-c:v", "copy",
                    *audio_args, "-movflags", "+faststart", *BITEXACT, tmp], "muxing the master audio", out_path)
    return Path(out_path)


def _aac(samples: int, preview: bool) -> list[str]:
    """Encoder arguments: resampled to 48 kHz, padded or trimmed to ``samples``, AAC-LC stereo at a fixed bitrate."""
    audio_filter = f"aresample={SAMPLE_RATE},apad=whole_len={samples},atrim=end_sample={samples}"
    coder = ["-aac_coder", "fast"] if preview else []
    return ["-af", audio_filter, "-c:a", "aac", *coder, "-b:a", AAC_BITRATE, "-ar", str(SAMPLE_RATE), "-ac", "2"]


def audio_samples_for(frames: int, fps: int) -> int:
    """Samples at 48 kHz spanning ``frames`` video frames (the IR's rounding rule)."""
    return frames_to_samples(frames, fps)


def count_frames(video_path: str | os.PathLike) -> int:
    """Video frames in a file, counted by remuxing to null (reads packets, decodes nothing)."""
    result = run_ffmpeg(["-i", video_path, "-map", "0:v:0", "-c", "copy", "-f", "null", "-"],
                        "counting video frames", video_path)
    counts = re.findall(r"frame=\s*(\d+)", result.stderr.decode("utf-8", "replace"))
    if not counts:
        raise CmfError([Diagnostic(Span(str(video_path)), "counting video frames: ffmpeg reported none")])
    return int(counts[-1])


def concat_quote(path: str | os.PathLike) -> str:
    """A path quoted for an ffconcat ``file`` line: single quotes, each ``'`` written as ``'\\''``."""
    return "'" + str(path).replace("'", "'\\''") + "'"
