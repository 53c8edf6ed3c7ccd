"""Remote-cache benchmark: a second clone's full build of specs/resilience with a warm remote cache.

A teammate (clone ``alice``) builds specs/resilience with the shared cache on; nginx on 127.0.0.1
serves it (WebDAV PUT, the Bazel HTTP cache layout). A second clone (``bob``, another folder, an
empty ``.cmfc``) then builds the same spec: every action should be restored from the remote, none
run. Both builds run as ``cmfc build`` processes (start-up, compile and plan included: the number a
user feels). Prints wall times, bytes moved, and whether bob's 03_OUTPUT is byte-identical to alice's.

    .venv/bin/python bench/bench_remote_cache.py [--jobs 2]

Needs Debian's nginx (``make test-services`` installs it).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests" / "build"))

from remote_servers import Nginx, nginx_binary  # noqa: E402  (the tests' nginx runner)


def cmfc_build(spec: Path, url: str, jobs: int) -> tuple[float, float, str]:
    """Wall seconds, CPU seconds (user + system, the process and its ffmpeg children), stderr."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    done = subprocess.run([str(REPO / ".venv" / "bin" / "cmfc"), "build", str(spec), "-j", str(jobs),
                           "--remote-cache", url], capture_output=True, text=True)
    seconds = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        sys.exit(f"cmfc build {spec.name} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return seconds, cpu, done.stderr


def outputs(root: Path) -> dict[str, bytes]:
    """Every file the build's manifest lists, and the manifest (the Resolve copies beside them hold
    absolute paths on purpose: they differ between clones)."""
    manifest = next((root / "03_OUTPUT").glob("*/manifest.json"))
    listed = [entry["path"] for entry in json.loads(manifest.read_bytes())["outputs"]]
    return {rel: (root / rel).read_bytes() for rel in [*listed, manifest.relative_to(root).as_posix()]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--work", type=Path, default=None,
                        help="Keep the clones and the cache here; a second run reuses the first clone's build.")
    args = parser.parse_args()
    if nginx_binary() is None:
        sys.exit("nginx is not installed: make test-services (apt-get install -y nginx)")
    with tempfile.TemporaryDirectory(prefix="cmfc-bench-remote-") as tmp:
        work = args.work or Path(tmp)
        server = Nginx(work / "server").start()
        try:
            alice, bob = work / "alice", work / "bob"
            shutil.rmtree(bob, ignore_errors=True)
            cold = None
            if not (alice / "03_OUTPUT").is_dir():
                shutil.copytree(REPO / "specs" / "resilience", alice)
                cold, _, _ = cmfc_build(alice, server.url, args.jobs)
            shutil.copytree(REPO / "specs" / "resilience", bob)
            stored = sum(p.stat().st_size for p in (server.root / "cmfc").rglob("*") if p.is_file())
            warm, cpu, log = cmfc_build(bob, server.url, args.jobs)
        finally:
            server.stop()
        summary = next((line for line in log.splitlines() if line.startswith("remote cache:")), "(no remote line)")
        actions = next((line for line in log.splitlines() if re.match(r"\d+ actions:", line)), "")
        theirs, ours = outputs(alice), outputs(bob)
        same = theirs == ours
        for rel in sorted(set(theirs) | set(ours)):
            if theirs.get(rel) != ours.get(rel):
                print(f"  differs: {rel}")
        load = os.getloadavg()[0]
        print(f"specs/resilience, -j {args.jobs}, nginx on 127.0.0.1, {os.cpu_count()} cores, load average {load:.1f}")
        first = f"{cold:7.2f} s" if cold is not None else "(reused)"
        print(f"  first clone, cold build (uploads):   {first}   remote holds {stored / 1e6:.1f} MB")
        print(f"  second clone, warm remote cache:     {warm:7.2f} s   (aim: < 5 s); CPU {cpu:.2f} s (user + system)")
        print(f"    {actions}")
        print(f"    {summary}")
        print(f"  03_OUTPUT byte-identical to the first clone's: {'yes' if same else 'NO'}")
        if not same:
            sys.exit(1)


if __name__ == "__main__":
    main()
