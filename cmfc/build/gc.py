"""Housekeeping: ``clean`` removes the materialised outputs the manifest lists; ``gc`` drops cache
records and store entries that neither the current plan nor the last build refers to."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from cmfc.build.action import Action, GraphError, check_relative
from cmfc.build.lock import ProjectLock
from cmfc.build.manifest import read_manifest
from cmfc.build.oserrors import disk_errors
from cmfc.build.planner import PlanState, make_plan
from cmfc.build.registry import Registry
from cmfc.build.report import kept_line
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


@dataclass(frozen=True)
class CleanResult:
    """What clean removed, where it moved edited outputs, and the folders it left empty and removed."""

    removed: list[str]
    kept: list[str]
    folders: list[str]

    def summary(self) -> str:
        """``removed 3 output files and 2 empty folders`` plus a line per edited output kept."""
        files, folders = len(self.removed), len(self.folders)
        text = f"removed {files} output file{'s' if files != 1 else ''}"
        if folders:
            text += f" and {folders} empty folder{'s' if folders != 1 else ''}"
        lines = [text] + [kept_line(path, "it was changed since the build wrote it") for path in self.kept]
        return "\n".join(lines)


def clean(root, manifest: str | None = None, force: bool = False) -> CleanResult:
    """Delete every file the build ever wrote into the project (per ``.cmfc/outputs.json`` and the manifest:
    outputs of failed builds and of actions since removed included) and the folders that leaves empty.

    A file the user changed since the build wrote it is moved aside to ``NAME.edited-N`` instead
    (``force=True``: deleted too). The cache stays: the next build restores everything.
    """
    from cmfc.build.engine import set_aside_if_edited

    root = Path(root).resolve()
    state = PlanState(root)
    layout = state.layout
    with disk_errors(root, doing="remove"), ProjectLock(layout.lock_file):
        doc = read_manifest(layout.manifest_file if manifest is None else root / manifest) or {"outputs": []}
        paths = set(state.ledger.paths)
        paths |= {e["path"] for e in doc["outputs"] if isinstance(e, dict) and isinstance(e.get("path"), str)}
        removed, kept, parents = [], [], set()
        for rel in sorted(paths):
            try:
                check_relative(rel, "a recorded output")
            except GraphError:  # a hand-edited ledger: never delete outside the project or in .cmfc/
                continue
            path = root / rel
            aside = None if force else set_aside_if_edited(state, rel)
            if aside:
                kept.append(aside)
            elif path.is_file() or path.is_symlink():
                path.unlink()
                removed.append(rel)
            state.ledger.forget(rel)
            state.stats.forget(rel)
            parents.add(path.parent)
        folders = _remove_empty_folders(root, parents)
        if layout.state.is_dir():
            layout.tmp.mkdir(exist_ok=True)
            state.ledger.save(lambda target, data: write_atomic(target, data, layout.tmp))
            state.stats.save(layout.tmp)
    return CleanResult(sorted(removed), sorted(kept), folders)


def _remove_empty_folders(root: Path, folders: set[Path]) -> list[str]:
    """Remove each folder left empty, then its parents while they are empty too (never ``root``)."""
    removed = []
    for folder in sorted(folders, key=lambda f: len(f.parts), reverse=True):
        while folder != root and root in folder.parents:
            try:
                folder.rmdir()
            except OSError:  # not empty (or already gone): stop climbing
                break
            removed.append(folder.relative_to(root).as_posix())
            folder = folder.parent
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
