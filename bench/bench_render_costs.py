"""Where a full render's time goes: each segment of specs/resilience rendered alone, one at a time, twice —
through its filter graph only (output discarded) and through the graph plus x264 — with CPU seconds per
frame for both, so the encoder's share and each look's share can be read off per scene.

The segments are the ones `cmfc build` plans (heads and body parts included), rendered with the real
`render_segment`; only its final ffmpeg run is captured and replayed. Sequential runs on an idle
machine: expect a few minutes.

Run: .venv/bin/python bench/bench_render_costs.py
"""

from __future__ import annotations

import resource
import shutil
import subprocess
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def cpu_seconds(command: list[str]) -> float:
    """User + sys seconds of ``command`` (a child process)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def main() -> None:
    from PIL import Image

    import cmfc.render.segment as segment
    from cmfc.check import load
    from cmfc.mix.ffmpeg import ffmpeg_exe
    from cmfc.plan import PlanOptions, plan_project

    folder = Path(tempfile.mkdtemp(prefix="cmfc-render-costs-"))
    try:
        project = folder / "resilience"
        shutil.copytree(ROOT / "specs" / "resilience", project, ignore=shutil.ignore_patterns(".cmfc", "03_OUTPUT"))
        actions = plan_project(load(str(project / "resilience.cmf")), PlanOptions())
        captured: list[list[str]] = []
        # render_segment's last step runs ffmpeg: keep its arguments, and its scratch files past the render.
        segment._run = lambda args, what, subject, frames, progress: captured.append(list(args))
        tempfile.TemporaryDirectory = lambda prefix="", **_: _Kept(folder, prefix)
        # a transition's tail frame from the previous scene: a flat grey stand-in costs what the real one does
        Image.new("RGB", (1080, 1920), (90, 90, 90)).save(folder / "previous.png")
        print(f"{'segment':<22}{'frames':>7}{'filters ms/frame':>18}{'+ x264 ms/frame':>17}{'x264 share':>12}",
              flush=True)
        total_filters = total_full = 0.0
        for action in actions:
            if action.kind != "render.segment":
                continue
            params = dict(action.params["request"])
            if "previous" in action.inputs:
                params["previous"] = str(folder / "previous.png")
            request = segment.SegmentRequest.from_params(params)
            segment.render_segment(request, project, folder / "out.mp4")
            args = captured.pop()
            encoder_at = args.index("-an")
            frames = request.frame_range[1] - request.frame_range[0]
            filters = cpu_seconds([ffmpeg_exe(), "-v", "error", *args[:encoder_at], "-f", "null", "-"])
            full = cpu_seconds([ffmpeg_exe(), "-v", "error", "-y", *args[:-1], str(folder / "out.mp4")])
            total_filters, total_full = total_filters + filters, total_full + full
            print(f"{action.id:<22}{frames:>7}{1000 * filters / frames:>18.1f}{1000 * full / frames:>17.1f}"
                  f"{(full - filters) / full:>12.0%}", flush=True)
        print(f"all segments: filters {total_filters:.0f} s CPU, filters + x264 {total_full:.0f} s CPU "
              f"(x264 {(total_full - total_filters) / total_full:.0%})")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


class _Kept:
    """A scratch folder that outlives its ``with`` block (the captured command still reads its files)."""

    def __init__(self, folder: Path, prefix: str) -> None:
        self.name = tempfile.mkdtemp(prefix=prefix, dir=folder)

    def __enter__(self) -> str:
        return self.name

    def __exit__(self, *exc) -> None:
        return None


if __name__ == "__main__":
    main()
