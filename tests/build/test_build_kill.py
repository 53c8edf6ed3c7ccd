"""SIGKILL a build at several points; nothing half-written may stay, and the rebuild must match a clean build."""

from __future__ import annotations

import hashlib
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

DRIVER = Path(__file__).with_name("kill_driver.py")


def start(root: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(DRIVER), str(root)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def store_entries(root: Path) -> list[Path]:
    store = root / ".cmfc" / "store"
    return [p for shard in store.iterdir() for p in shard.iterdir()] if store.exists() else []


def kill_after(root: Path, entries: int) -> bool:
    """Start a build, SIGKILL it once ``entries`` store entries exist; False if it finished first."""
    proc = start(root)
    deadline = time.monotonic() + 30
    while proc.poll() is None and len(store_entries(root)) < entries and time.monotonic() < deadline:
        time.sleep(0.002)  # polling the store, not waiting for a guessed duration
    killed = proc.poll() is None
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    return killed


def assert_nothing_half_written(root: Path, reference: Path) -> None:
    for entry in store_entries(root):
        assert hashlib.sha256(entry.read_bytes()).hexdigest() == entry.name, f"torn store entry {entry}"
    for record_file in (root / ".cmfc" / "actions").glob("*.json"):
        record = json.loads(record_file.read_text())  # a torn record would not parse
        for out in record["outputs"].values():
            assert (root / ".cmfc" / "store" / out["sha256"][:2] / out["sha256"]).exists()
    for out in (root / "out").glob("*") if (root / "out").exists() else []:
        assert out.read_bytes() == (reference / "out" / out.name).read_bytes(), f"half-written {out}"


def test_killed_builds_leave_nothing_torn_and_the_rebuild_matches_a_clean_build(tmp_path):
    reference, victim = tmp_path / "reference", tmp_path / "victim"
    assert start(reference).wait() == 0
    kills = []
    for entries in (2, 10, 22):
        kills.append(kill_after(victim, entries))
        assert_nothing_half_written(victim, reference)
    assert kills[0], "the first kill should land mid-build"
    assert start(victim).wait() == 0
    assert (victim / "manifest.json").read_bytes() == (reference / "manifest.json").read_bytes()
    for out in (reference / "out").iterdir():
        assert (victim / "out" / out.name).read_bytes() == out.read_bytes()
    assert not any((victim / ".cmfc" / "tmp").iterdir())
