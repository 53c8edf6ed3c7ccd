"""Build-engine benchmark: plan time and no-op rebuild of synthetic 100- and 1,000-scene graphs.

Each scene has a source file, a read action and a render action with a materialised output; one
assembly reads every render (2n+1 actions). The no-op is timed in-process and as a fresh
``python -c`` process (import + graph construction + stat + plan, the number a user feels).

    .venv/bin/python bench/bench_build.py [--sizes 100,1000]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from cmfc.build import Action, ActionInput, FileInput, Output, Registry, build, plan

REPO = Path(__file__).resolve().parent.parent


def concat(ctx) -> None:
    body = b"".join(ctx.input_path(n).read_bytes()[:64] for n in sorted(ctx.action.inputs))
    for out in ctx.action.outputs:
        ctx.output_path(out.name).write_bytes(ctx.params.get("prefix", "").encode() + body)


def make_registry() -> Registry:
    registry = Registry()
    registry.add("bench.concat", concat)
    return registry


def make_actions(scenes: int) -> list[Action]:
    actions = []
    for i in range(scenes):
        sid = f"SC_{i:04d}"
        actions.append(Action(f"read:{sid}", "bench.concat", {"scene": sid, "fps": 24, "seed": 42},
                              {"src": FileInput(f"src/{sid}.txt")}, (Output("text"),), scene=sid))
        actions.append(Action(f"render:{sid}", "bench.concat", {"prefix": sid, "style": {"base": "#FFFFFF"}},
                              {"text": ActionInput(f"read:{sid}", "text")},
                              (Output("clip", f"03_OUTPUT/BENCH/04_fabrication/BENCH_{sid}_ICON_FX_v01.mp4"),),
                              scene=sid))
    actions.append(Action("assemble", "bench.concat", {},
                          {f"s{i:04d}": ActionInput(f"render:SC_{i:04d}", "clip") for i in range(scenes)},
                          (Output("final", "03_OUTPUT/BENCH/05_assembly/BENCH_FINAL.mp4"),)))
    return actions


def make_sources(root: Path, scenes: int) -> None:
    (root / "src").mkdir(parents=True, exist_ok=True)
    for i in range(scenes):
        (root / "src" / f"SC_{i:04d}.txt").write_text(f"scene {i}\n" * 20)


NOOP_SNIPPET = """
import sys, time
sys.path.insert(0, {bench!r})
import bench_build
from cmfc.build import build
report = build(bench_build.make_actions({n}), {root!r}, progress=False, registry=bench_build.make_registry())
assert report.ids("ran") == [] and report.files_hashed == 0, report.summary_line()
"""


def best_of(runs: int, fn) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times)


def bench(scenes: int, workdir: Path, jobs: int) -> dict:
    root = workdir / f"p{scenes}"
    make_sources(root, scenes)
    actions, registry = make_actions(scenes), make_registry()
    started = time.perf_counter()
    first = build(actions, root, jobs=jobs, progress=False, registry=registry)
    first_s = time.perf_counter() - started
    assert first.exit_code == 0
    plan_s = best_of(3, lambda: plan(actions, root, registry=registry))
    noop_s = best_of(3, lambda: build(actions, root, progress=False, registry=registry))
    snippet = NOOP_SNIPPET.format(bench=str(REPO / "bench"), n=scenes, root=str(root))
    process_s = best_of(3, lambda: subprocess.run([sys.executable, "-c", snippet], check=True, cwd=REPO))
    return {"scenes": scenes, "actions": len(actions), "first": first_s, "plan": plan_s, "noop": noop_s,
            "noop_process": process_s}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cmfc-bench-build-") as tmp:
        rows = [bench(int(n), Path(tmp), args.jobs) for n in args.sizes.split(",")]
    print(f"{'scenes':>7} {'actions':>8} {'first build':>12} {'plan':>8} {'no-op':>8} {'no-op (process)':>16}")
    for r in rows:
        print(f"{r['scenes']:>7} {r['actions']:>8} {r['first']:>11.2f}s {r['plan']:>7.3f}s {r['noop']:>7.3f}s "
              f"{r['noop_process']:>15.3f}s")


if __name__ == "__main__":
    main()
