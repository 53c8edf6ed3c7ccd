"""Benchmark: rendering one 4-second 1080x1920 scene segment locally (issue 5, "Per scene").

Run from the repo root: ``.venv/bin/python bench/bench_segment.py [--preview]``. Renders three
segments — a still with Ken Burns and kinetic text, a short clip fitted by ping-pong, a storyboard
card — and, as the floor, ffmpeg encoding 4 s of lavfi ``testsrc2`` with the same encoder settings.
Prints seconds, real-time factor (seconds of video per second of wall time) and the ratio to the floor.
"""

from __future__ import annotations

import pathlib
import sys
import tempfile
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from cmfc.mix.ffmpeg import run_ffmpeg  # noqa: E402
from cmfc.render.card import Card  # noqa: E402
from cmfc.render.encode import encoder_args, output_size  # noqa: E402
from cmfc.render.motion import KenBurns  # noqa: E402
from cmfc.render.segment import SegmentRequest, Text, render_segment  # noqa: E402
from cmfc.render.source import Fit  # noqa: E402

WIDTH, HEIGHT, FPS, SECONDS = 1080, 1920, 24, 4


def timed(run) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def make_inputs(root: pathlib.Path) -> None:
    """A detailed 1600x2400 still and a 1.5 s 720x1280 clip, from ffmpeg's test sources."""
    run_ffmpeg(["-f", "lavfi", "-i", "testsrc2=s=1600x2400", "-frames:v", "1", root / "still.png"], "still")
    run_ffmpeg(["-f", "lavfi", "-i", f"testsrc2=s=720x1280:r={FPS}", "-frames:v", str(FPS * 3 // 2),
                "-pix_fmt", "yuv420p", root / "clip.mp4"], "clip")


def main() -> None:
    preview = "--preview" in sys.argv
    frames = FPS * SECONDS
    with tempfile.TemporaryDirectory() as folder:
        root = pathlib.Path(folder)
        make_inputs(root)
        width, height = output_size(WIDTH, HEIGHT, preview)
        floor = timed(lambda: run_ffmpeg(
            ["-f", "lavfi", "-i", f"testsrc2=s={width}x{height}:r={FPS}", "-frames:v", str(frames),
             *encoder_args(FPS, preview), root / "floor.mp4"], "floor"))
        base = dict(width=WIDTH, height=HEIGHT, fps=FPS, frames=frames, preview=preview)
        cases = {
            "image + kenburns + text": SegmentRequest(
                "SC_01", source="image", path="still.png", motion=KenBurns((1.0, 1.15), "right"),
                text=Text("EVERY DAY / YOU SHOW UP", 0.70), **base),
            "clip + pingpong": SegmentRequest("SC_02", source="clip", path="clip.mp4", fit=Fit("pingpong"), **base),
            "storyboard card (static)": SegmentRequest(
                "SC_03", source="card", card=Card("HOOK-4", "ALEX", "a man walks into a storm", 0, frames,
                                                  "hero lora: no generator configured"), **base),
        }
        print(f"{width}x{height}, {SECONDS} s at {FPS} fps, preset {'preview' if preview else 'master'}")
        print(f"{'encode floor (testsrc2)':<28} {floor:6.2f} s  {SECONDS / floor:5.2f}x real time")
        for label, request in cases.items():
            seconds = timed(lambda: render_segment(request, root, root / "segment.mp4"))
            print(f"{label:<28} {seconds:6.2f} s  {SECONDS / seconds:5.2f}x real time  {seconds / floor:4.2f}x floor")


if __name__ == "__main__":
    main()
