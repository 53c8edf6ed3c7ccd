"""Housekeeping: ``clean`` removes the materialised outputs the manifest lists; ``gc`` drops cache
records and store entries that neither the current plan nor the last build refers to."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from cmfc.build.action import Action
from cmfc.build.lock import ProjectLock
from cmfc.build.manifest import read_manifest
from cmfc.build.planner import PlanState, make_plan
from cmfc.build.registry import Registry
from cmfc.build.store import Layout, write_atomic


@dataclass(frozen=True)
class GcResult:
    """What gc deleted."""

    records_removed: int
    entries_removed: int
    bytes_freed: int

    def summary(self) -> str:
        """``removed 3 cache records and 5 store entries, 1.2 MB freed``."""
        return (f"removed {self.records_removed} cache records and {self.entries_removed} store entries, "
                f"{self.bytes_freed / 1e6:.1f} MB freed")


def clean(root, manifest: str | None = None) -> list[str]:
    """Delete the outputs the last build materialised (per its manifest) and nothing else; return their paths."""
    root = Path(root).resolve()
    layout = Layout(root)
    with ProjectLock(layout.lock_file):
        doc = read_manifest(layout.manifest_file if manifest is None else root / manifest) or {"outputs": []}
        removed = []
        for entry in doc["outputs"]:
            path = root / entry["path"]
            if path.is_file() or path.is_symlink():
                path.unlink()
                removed.append(entry["path"])
    return sorted(removed)


def gc(actions: list[Action], root, registry: Registry | None = None) -> GcResult:
    """Keep what the current plan's keys, the last build (per action id) and the manifest need; delete the rest."""
    root = Path(root).resolve()
    state = PlanState(root, registry)
    layout = state.layout
    with ProjectLock(layout.lock_file):
        layout.make_dirs()
        plan = make_plan(actions, state)
        ids = {a.id for a in actions}
        keep_keys = {s.key for s in plan.steps if s.key}
        keep_keys |= {key for action_id, key in state.last.items() if action_id in ids}
        manifest = read_manifest(layout.manifest_file) or {"outputs": []}
        keep_keys |= {e["key"] for e in manifest["outputs"] if e.get("key")}
        keep_digests = {e["sha256"] for e in manifest["outputs"]}
        records_removed = entries_removed = freed = 0
        for key in state.cache.keys():
            record = state.cache.get(key)
            if key in keep_keys and record is not None:
                keep_digests |= {o["sha256"] for o in record["outputs"].values()}
            else:
                freed += state.cache.remove(key)
                records_removed += 1
        for shard in sorted(layout.store.iterdir()) if layout.store.exists() else []:
            for entry in sorted(shard.iterdir()):
                if entry.name not in keep_digests:
                    freed += state.store.remove(entry.name)
                    entries_removed += 1
            if not any(shard.iterdir()):
                os.rmdir(shard)
        last = {k: v for k, v in state.last.items() if k in ids}
        if last != state.last:
            import json

            write_atomic(layout.last_file, json.dumps(last, sort_keys=True, indent=0).encode(), layout.tmp)
        state.stats.save(layout.tmp)
    return GcResult(records_removed, entries_removed, freed)
