"""Hero sources as ffmpeg inputs and filters: a still, or a clip fitted to the slot in whole frames.

A clip is first resampled to the project's fps, so "frame" always means a project frame. When its
length differs from the slot, the fit policy decides which source frame shows at each slot frame
(:func:`fit_indices` is the reference the tests check the filters against):

- ``loop``: 0 1 2 … M-1 0 1 2 …
- ``pingpong``: forward then reverse without repeating the ends: 0 1 … M-1 M-2 … 1 0 1 …
- ``trim``: the first N frames; a clip shorter than the slot holds its last frame.
- ``speed S``: slot frame i shows source frame floor(i*S) (0.8 = slower); past the end it holds.

Loop and ping-pong buffer the (already frame-sized) clip in memory, which is bounded by the slot
because they are only used when the clip is shorter than it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from cmfc import children
from cmfc.diagnostics import CmfError, Diagnostic, Span
from cmfc.mix.ffmpeg import ffmpeg_exe
from cmfc.render.motion import cover_filters, number

FIT_MODES = ("loop", "pingpong", "trim", "speed")
DEFAULT_SPEED = 0.8
# The count probe decodes at this size: exact frame count, negligible pixel work.
PROBE_SIZE = 8


@dataclass(frozen=True)
class Fit:
    """How a clip fills a slot of a different length."""

    mode: str = "trim"
    speed: float | None = None


def fit_indices(fit: Fit, clip_frames: int, slot_frames: int) -> list[int]:
    """The source frame shown at each slot frame under ``fit`` (the contract the filters implement)."""
    last = clip_frames - 1
    if fit.mode == "loop":
        return [i % clip_frames for i in range(slot_frames)]
    if fit.mode == "pingpong":
        if clip_frames == 1:
            return [0] * slot_frames
        cycle = list(range(clip_frames)) + list(range(last - 1, 0, -1))
        return [cycle[i % len(cycle)] for i in range(slot_frames)]
    if fit.mode == "speed":
        speed = fit.speed or DEFAULT_SPEED
        return [min(math.floor(i * speed + 1e-9), last) for i in range(slot_frames)]
    return [min(i, last) for i in range(slot_frames)]


def count_clip_frames(path: Path, fps: int, shown_as: str) -> int:
    """Frames in the clip's first video stream once resampled to ``fps`` (decodes it, tiny)."""
    command = [
        ffmpeg_exe(), "-hide_banner", "-nostdin", "-v", "error", "-i", str(path), "-map", "0:v:0",
        "-vf", f"fps={fps},scale={PROBE_SIZE}:{PROBE_SIZE}", "-f", "rawvideo", "-pix_fmt", "gray", "-",
    ]
    result = children.run(command)
    frames = len(result.stdout) // (PROBE_SIZE * PROBE_SIZE)
    if result.returncode != 0 or frames == 0:
        tail = [line for line in result.stderr.decode("utf-8", "replace").splitlines() if line.strip()][-2:]
        reason = " | ".join(tail) or "no video frames"
        raise CmfError([Diagnostic(Span(shown_as), f"cannot read the hero clip: {reason}")])
    return frames


def clip_graph(fit: Fit, clip_frames: int, width: int, height: int, fps: int, frames: int,
               source: str, out: str) -> list[str]:
    """Filter chains from the decoded clip ``source`` to ``out``: exactly ``frames`` frames under ``fit``."""
    if fit.mode not in FIT_MODES:
        raise ValueError(f"unknown fit mode {fit.mode!r}")
    # Timestamps are renumbered so a clip that starts late or has gaps still maps frame for frame.
    head = [f"fps={fps}", f"setpts=N/{fps}/TB", *cover_filters(width, height)]
    chains: list[str] = []
    if fit.mode == "speed":
        speed = fit.speed or DEFAULT_SPEED
        # Frame k starts at k/speed (on a fine timebase: 1/fps would round it); rounding that up
        # makes slot frame i show frame floor(i*speed).
        tail = ["settb=AVTB", f"setpts=N/({number(speed)}*{fps})/TB", f"fps={fps}:round=up"]
        shown = math.floor((clip_frames - 1) / speed) + 1
    elif fit.mode == "loop" and clip_frames < frames:
        tail = [f"loop=loop=-1:size={clip_frames}", f"setpts=N/{fps}/TB"]
        shown = frames
    elif fit.mode == "pingpong" and 1 < clip_frames < frames:
        cycle = 2 * clip_frames - 2
        chains += [
            f"{source}{','.join(head)},split[fwd][back]",
            f"[back]reverse,trim=start_frame=1,setpts=N/{fps}/TB[rev]",
        ]
        source, head = "[fwd][rev]", [f"concat=n=2:v=1:a=0", f"trim=end_frame={cycle}"]
        tail = [f"loop=loop=-1:size={cycle}", f"setpts=N/{fps}/TB"]
        shown = frames
    else:
        tail = []
        shown = clip_frames
    if shown < frames:
        tail.append(f"tpad=stop_mode=clone:stop={frames - shown}")
    tail.append(f"trim=end_frame={frames}")
    chains.append(f"{source}{','.join(head + tail)}{out}")
    return chains
