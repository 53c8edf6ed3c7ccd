"""Issue 5's benchmark: specs/resilience (60 s, 1080x1920) rendered in full, as a no-op, after one-scene
edits, and as a --preview; beside the encode floor (ffmpeg x264 + AAC of 60 s of moving 1080x1920
testsrc2, with the segments' own x264 settings: medium, CRF 20, 2 s GOP, 2 B-frames; both cores) and
the emitted MoviePy timeline.py rendering the same timeline. Prints wall times, ratios and peak memory,
line by line as they are measured. The floor is measured just before and just after the full render,
and the ratio is to their mean.

Before the clock starts, ``cmfc check`` of a throwaway copy warms librosa's numba cache: the first use
on a machine compiles its kernels once (over a minute on a slow 2-core VM), which is not a render cost.
The "content floor" is x264 alone on cmfc's own final pictures (decoded from the finished video,
re-encoded with the same settings): what these pictures cost to encode, grain included.

Edits: each scene's kinetic text in turn gets a "!" (the earlier edits stay, so every build re-renders
exactly one segment plus the mux); the median and the worst scene are reported.

With ``--moviepy-reference`` it also times bench/moviepy_reference.py (an idiomatic MoviePy 2 render of
the same timeline from its sources; slow: ten minutes or more).

Run: .venv/bin/python bench/bench_render.py [--moviepy-reference]
"""

from __future__ import annotations

import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CMFC = [sys.executable, "-m", "cmfc"]
TEXT_LINE = re.compile(r'^(\s+text ")([^"]*)(".*)$')


CPU_SECONDS: dict[str, float] = {}  # user + sys of the children, per label: steadier than wall time on a shared VM


def timed(args: list[str], cwd: Path | None = None, label: str | None = None) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(args, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if label:
        CPU_SECONDS[label] = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return wall


def x264_settings() -> list[str]:
    """The segments' own x264 settings (preset, CRF, GOP, B-frames), with both cores: one process alone."""
    from cmfc.render import encode

    gop = str(24 * encode.GOP_SECONDS)
    return ["-c:v", "libx264", "-preset", encode.MASTER_PRESET, "-crf", str(encode.CRF), "-g", gop,
            "-keyint_min", gop, "-sc_threshold", "0", "-bf", str(encode.B_FRAMES), "-pix_fmt", "yuv420p",
            "-threads", "2"]


def encode_floor(out: Path, label: str) -> float:
    from cmfc.mix.ffmpeg import ffmpeg_exe

    return timed([ffmpeg_exe(), "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=1080x1920:rate=24:duration=60",
                  "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=60", *x264_settings(),
                  "-c:a", "aac", "-b:a", "192k", str(out)], label=label)


def content_floor(final: Path, out: Path) -> float:
    from cmfc.mix.ffmpeg import ffmpeg_exe

    return timed([ffmpeg_exe(), "-v", "error", "-y", "-i", str(final), *x264_settings(), "-c:a", "aac", "-b:a", "192k",
                  str(out)])


def build_timeline(report: Path, wall: float, jobs: int) -> tuple[float, float]:
    """(seconds before the build's first action, worker-seconds with nothing running) from ``--report``."""
    import json

    doc = json.loads(report.read_text(encoding="utf-8"))
    spans = [(a["started"], a["started"] + a["seconds"]) for a in doc["actions"] if a["status"] == "ran"]
    events = sorted([(start, 1) for start, _ in spans] + [(end, -1) for _, end in spans])
    first = events[0][0]
    idle, running, last = 0.0, 0, first
    for moment, change in events:
        idle += (jobs - min(running, jobs)) * (moment - last)
        running, last = running + change, moment
    idle += jobs * max(0.0, doc["seconds"] - last)
    return wall - doc["seconds"] + first, idle


def say(text: str) -> None:
    print(text, flush=True)


def scene_edits(spec: Path) -> list[tuple[str, str]]:
    """(scene id, the script with that scene's text edited) for every scene with text, edits accumulating."""
    lines = spec.read_text(encoding="utf-8").splitlines(keepends=True)
    scene, edits = None, []
    for index, line in enumerate(lines):
        if line.startswith("scene "):
            scene = line.split()[1]
        match = TEXT_LINE.match(line.rstrip("\n"))
        if match and scene:
            lines[index] = f"{match.group(1)}{match.group(2)}!{match.group(3)}\n"
            edits.append((scene, "".join(lines)))
    return edits


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="cmfc-render-bench-"))
    try:
        project = folder / "resilience"
        shutil.copytree(ROOT / "specs" / "resilience", project, ignore=shutil.ignore_patterns(".cmfc", "03_OUTPUT"))
        warm = folder / "warm-up"
        shutil.copytree(project, warm)
        warm_up = timed(CMFC + ["check", "."], warm)
        say(f"warm-up (cmfc check of a copy; compiles librosa's numba kernels if this machine never did): {warm_up:.1f} s")
        before = encode_floor(folder / "floor.mp4", "floor before")
        full = timed(CMFC + ["build", ".", "-j", "2", "--report", str(folder / "full.json")], project, label="full")
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        after = encode_floor(folder / "floor.mp4", "floor after")
        # The floor is measured on both sides of the full render and averaged: this VM drifts by 10-20 %
        # within minutes, and a ratio to one floor measured earlier drifts with it.
        floor = (before + after) / 2
        floor_cpu = (CPU_SECONDS["floor before"] + CPU_SECONDS["floor after"]) / 2
        say(f"encode floor (60 s, 1080x1920, x264 + AAC, the segments' settings): {floor:.1f} s "
            f"(before the full render {before:.1f} s, after it {after:.1f} s)")
        say(f"full render:      {full:.1f} s  ({full / floor:.2f}x the floor, {60 / full:.2f}x real time, "
            f"peak {peak_mb:.0f} MB in one process)")
        say(f"CPU time (user + sys): floor {floor_cpu:.0f} s, full render {CPU_SECONDS['full']:.0f} s "
            f"({CPU_SECONDS['full'] / floor_cpu:.2f}x; steadier than wall time when the VM's neighbours are busy)")
        before_build, idle = build_timeline(folder / "full.json", full, jobs=2)
        say(f"  of which before the first action (process start, check, planning; the music analysis is an action): "
            f"{before_build:.1f} s; then the 2 workers sat idle {idle:.1f} worker-seconds while the build ran")
        final = project / "03_OUTPUT" / "PROJ_Resilience" / "05_assembly" / "PROJ_Resilience_FINAL.mp4"
        pictures = content_floor(final, folder / "content.mp4")
        say(f"content floor (x264 + AAC alone on cmfc's final pictures): {pictures:.1f} s "
            f"({pictures / floor:.2f}x the floor; the full render is {full / pictures:.2f}x it)")
        noop = timed(CMFC + ["build", ".", "-j", "2"], project)
        say(f"no-op rebuild:    {noop:.2f} s (process start included)")
        script = project / "03_OUTPUT" / "PROJ_Resilience" / "05_assembly" / "timeline" / "timeline.py"
        moviepy = timed([sys.executable, str(script), "--quiet", "--out", str(folder / "moviepy.mp4")])
        say(f"MoviePy timeline.py (joins the rendered segments, re-encodes): {moviepy:.1f} s "
            f"({moviepy / floor:.2f}x the floor)")
        if "--moviepy-reference" in sys.argv:
            reference = timed([sys.executable, str(ROOT / "bench" / "moviepy_reference.py"), str(project),
                               str(folder / "reference.mp4")])
            say(f"MoviePy from the sources (bench/moviepy_reference.py, no effects, no captions): {reference:.1f} s "
                f"({reference / floor:.2f}x the floor; cmfc's full render is {reference / full:.1f}x faster)")
        spec = project / "resilience.cmf"
        edit_times = {}
        for scene, text in scene_edits(spec):
            spec.write_text(text, encoding="utf-8")
            edit_times[scene] = timed(CMFC + ["build", ".", "-j", "2"], project)
        median = statistics.median(edit_times.values())
        worst = max(edit_times, key=edit_times.get)
        say(f"one-scene edit:   median {median:.1f} s ({median / full:.0%} of a full render) over "
            f"{len(edit_times)} scenes; worst {worst} {edit_times[worst]:.1f} s ({edit_times[worst] / full:.0%})")
        say("  per scene: " + ", ".join(f"{scene} {seconds:.1f}" for scene, seconds in edit_times.items()))
        preview = timed(CMFC + ["build", ".", "-j", "2", "--preview"], project)
        say(f"--preview:        {preview:.1f} s  ({60 / preview:.1f}x real time; the mix is shared with the master)")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
