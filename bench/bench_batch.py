"""The day's batch: 7 copies of specs/resilience (each with a small edit, its highlight colour) built as
one batch vs one after another, locally; then the batch on a local Ray instance with 1 and 2 CPUs.

Previews (``--preview``: quarter size, fast preset) keep the run to minutes on a 2-core machine; the
scheduling is the same as for full renders. Compile and planning are timed apart (both ways do them
once per project); the numbers compared are the builds'.

    .venv/bin/python bench/bench_batch.py [--copies 7] [--jobs 2] [--no-ray]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def make_copies(folder: Path, copies: int) -> list[Path]:
    roots = []
    for i in range(copies):
        root = folder / f"day{i + 1}"
        shutil.copytree(REPO / "specs" / "resilience", root)
        spec = root / "resilience.cmf"
        spec.write_text(spec.read_text().replace("highlight #FF4D2E", f"highlight #FF4D{0x2E + i:02X}"))
        roots.append(root)
    return roots


def load_all(roots: list[Path]):
    from cmfc.check import load
    from cmfc.plan import PlanOptions, plan_project

    loaded = []
    for root in roots:
        compiled = load(str(root), defer_music=True)
        loaded.append((compiled, plan_project(compiled, PlanOptions(render=True, preview=True))))
    return loaded


def projects_of(loaded):
    from cmfc.build.batch import Project

    return [Project(c.location.root.name, actions, c.location.root, f"03_OUTPUT/{c.project.id}/manifest.json")
            for c, actions in loaded]


def run_batch(folder: Path, copies: int, jobs: int, ray_cpus: int | None) -> None:
    """One mode in this process; prints ``seconds load build`` for the parent."""
    from cmfc.build.batch import build_batch

    registry = None
    if ray_cpus:
        import ray

        from cmfc.build import REGISTRY
        from cmfc.build.fanout import ray_registry

        ray.init(num_cpus=ray_cpus, include_dashboard=False, log_to_driver=False)
        ray.get(ray.remote(lambda: None).remote())  # workers up before the clock starts
    started = time.monotonic()
    loaded = load_all(make_copies(folder, copies))
    if ray_cpus:
        registry = ray_registry(REGISTRY)
    loaded_at = time.monotonic()
    report = build_batch(projects_of(loaded), jobs=jobs, progress=False, registry=registry).report
    done = time.monotonic()
    if not report.ok:
        sys.exit(f"batch failed: {[r.id for r in report.results if r.status == 'failed']}")
    print(f"RESULT {loaded_at - started:.2f} {done - loaded_at:.2f} {len(report.results)}")


def run_sequential(folder: Path, copies: int, jobs: int) -> None:
    from cmfc.build import build

    started = time.monotonic()
    loaded = load_all(make_copies(folder, copies))
    loaded_at = time.monotonic()
    actions = 0
    for project in projects_of(loaded):
        report = build(project.actions, project.root, jobs=jobs, progress=False, manifest=project.manifest)
        if not report.ok:
            sys.exit(f"{project.name} failed")
        actions += len(report.results)
    done = time.monotonic()
    print(f"RESULT {loaded_at - started:.2f} {done - loaded_at:.2f} {actions}")


def child(mode: str, copies: int, jobs: int) -> tuple[float, float, int]:
    with tempfile.TemporaryDirectory(prefix="cmfc-bench-batch-") as tmp:
        done = subprocess.run([sys.executable, __file__, "--mode", mode, "--copies", str(copies), "--jobs", str(jobs),
                               "--folder", tmp], capture_output=True, text=True)
    line = next((l for l in done.stdout.splitlines() if l.startswith("RESULT ")), None)
    if done.returncode != 0 or line is None:
        sys.exit(f"{mode} failed:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}")
    load, build, actions = line.split()[1:]
    return float(load), float(build), int(actions)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=7)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--no-ray", action="store_true")
    parser.add_argument("--mode", help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.mode == "sequential":
        return run_sequential(args.folder, args.copies, args.jobs)
    if args.mode and args.mode.startswith("batch"):
        cpus = int(args.mode.split(":")[1]) if ":" in args.mode else None
        return run_batch(args.folder, args.copies, args.jobs, cpus)
    modes = ["sequential", "batch"]
    if not args.no_ray:
        try:
            import ray  # noqa: F401

            modes += ["batch:1", "batch:2"]
        except ModuleNotFoundError:
            print("(ray not installed: pip install 'cmfc[ray]'; the Ray rows are skipped)")
    print(f"{args.copies} copies of specs/resilience --preview, -j {args.jobs}, {os.cpu_count()} cores, "
          f"load average {os.getloadavg()[0]:.1f}")
    labels = {"sequential": "one after another (local)", "batch": "one batch (local)",
              "batch:1": "one batch, Ray, 1 CPU", "batch:2": "one batch, Ray, 2 CPUs"}
    results = {}
    for mode in modes:
        load, build, actions = child(mode, args.copies, args.jobs)
        results[mode] = build
        print(f"  {labels[mode]:28s} build {build:7.2f} s   ({actions} actions; compile + plan {load:.2f} s)")
    if "batch" in results:
        print(f"  batch vs sequential: {results['sequential'] / results['batch']:.2f}x")
    if "batch:2" in results:
        print(f"  Ray 1 -> 2 CPUs: {results['batch:1'] / results['batch:2']:.2f}x")


if __name__ == "__main__":
    main()
