"""Watch-mode benchmark: after a one-scene text edit in specs/resilience, time until the updated preview is written.

A copy of specs/resilience is watched by ``cmfc watch`` (in-process ``Watcher``, preview, -j 2, the
default debounce). After the first build, each scene in turn gets a new ``text`` through ``cmfc.edit``
(what ``cmfc set SC_xx.text`` does); the time from the save to the new PREVIEW.mp4 being in place is
measured. Prints each scene's time and the median (the aim: under 3 s on the 2-core machine).

    .venv/bin/python bench/bench_watch.py [--scenes N]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import threading
import time
from pathlib import Path

from cmfc.commands.watch import Watcher
from cmfc.edit import edit_spec, parse_note

REPO = Path(__file__).resolve().parent.parent


def wait_for(condition, deadline: float = 600.0):
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if condition():
            return
        time.sleep(0.01)
    raise TimeoutError


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scenes", type=int, default=0, help="only the first N scenes (default: all)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "resilience"
        shutil.copytree(REPO / "specs" / "resilience", root, ignore=shutil.ignore_patterns(".cmfc", "03_OUTPUT"))
        spec = root / "resilience.cmf"
        lines: list[str] = []
        watcher = Watcher(str(spec), preview=True, jobs=2, echo=lines.append)
        thread = threading.Thread(target=watcher.run, daemon=True)
        started = time.monotonic()
        thread.start()
        wait_for(lambda: watcher.runs and watcher.runs[0].done.is_set() and watcher.idle.is_set())
        print(f"first preview build: {time.monotonic() - started:.1f} s ({watcher.runs[0].report.summary_line()})")
        preview = root / "03_OUTPUT" / watcher.runs[0].compiled.project.id / "05_assembly" / \
            f"{watcher.runs[0].compiled.project.id}_PREVIEW.mp4"
        scenes = [scene.id for scene in watcher.runs[0].compiled.project.scenes]
        if args.scenes:
            scenes = scenes[: args.scenes]
        times = []
        for number, scene in enumerate(scenes, start=1):
            before = preview.stat().st_mtime_ns
            builds = len(watcher.runs)
            t0 = time.monotonic()
            edit_spec(str(spec), parse_note(scene, f'text "EDIT {number}"'))
            wait_for(lambda: len(watcher.runs) > builds and watcher.runs[-1].done.is_set()
                     and preview.stat().st_mtime_ns != before)
            seconds = time.monotonic() - t0
            run = watcher.runs[-1]
            times.append(seconds)
            print(f"{scene}: {seconds:.2f} s to the new preview ({len(run.report.ids('ran'))} actions ran)")
            wait_for(lambda: watcher.idle.is_set())
        watcher.stop.set()
        thread.join(timeout=60)
        print(f"median over {len(times)} scenes: {statistics.median(times):.2f} s "
              f"(min {min(times):.2f}, max {max(times):.2f}; aim < 3 s)")


if __name__ == "__main__":
    main()
