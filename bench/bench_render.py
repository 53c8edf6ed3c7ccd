"""Issue 5's benchmark: specs/resilience (60 s, 1080x1920) rendered in full, rebuilt after a one-scene
edit, as a --preview, and as a no-op; beside the encode floor (ffmpeg x264 medium + AAC of 60 s of
moving 1080x1920 testsrc2). Prints wall times and ratios.

Run: .venv/bin/python bench/bench_render.py
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CMFC = [sys.executable, "-m", "cmfc"]


def timed(args: list[str], cwd: Path | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(args, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def encode_floor(out: Path) -> float:
    from cmfc.mix.ffmpeg import ffmpeg_exe

    return timed([ffmpeg_exe(), "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=1080x1920:rate=24:duration=60",
                  "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=60", "-c:v", "libx264",
                  "-preset", "medium", "-crf", "20", "-pix_fmt", "yuv420p", "-threads", "2", "-c:a", "aac",
                  "-b:a", "192k", str(out)])


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="cmfc-render-bench-"))
    try:
        project = folder / "resilience"
        shutil.copytree(ROOT / "specs" / "resilience", project, ignore=shutil.ignore_patterns(".cmfc", "03_OUTPUT"))
        floor = encode_floor(folder / "floor.mp4")
        full = timed(CMFC + ["build", ".", "-j", "2"], project)
        noop = timed(CMFC + ["build", ".", "-j", "2"], project)
        spec = project / "resilience.cmf"
        spec.write_text(spec.read_text().replace('text "NOT A GIFT', 'text "NOT EVER A GIFT'))
        edit = timed(CMFC + ["build", ".", "-j", "2"], project)
        preview = timed(CMFC + ["build", ".", "-j", "2", "--preview"], project)
        print(f"encode floor (60 s, 1080x1920, x264 medium + AAC): {floor:.1f} s")
        print(f"full render:      {full:.1f} s  ({full / floor:.2f}x the floor, {60 / full:.2f}x real time)")
        print(f"one-scene edit:   {edit:.1f} s  ({edit / full:.0%} of a full render)")
        print(f"--preview:        {preview:.1f} s  ({60 / preview:.1f}x real time; the mix is shared with the master)")
        print(f"no-op rebuild:    {noop:.2f} s (process start included)")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
