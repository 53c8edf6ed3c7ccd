"""``cmfc verify``: look for bit rot the stat cache cannot see, and repair it.

A flipped bit keeps a file's size and mtime, so builds (which trust an unchanged stat) never notice
it. ``verify`` re-hashes every store entry and every output the last build wrote, ignoring the stat
cache, and reports what differs. ``repair=True`` then deletes the rotted store entries and damaged
action records, forgets what the stat cache believed about the rest, and runs a build: outputs come
back from the store where it holds them, the rest are rebuilt. A rotted project file cannot be told
apart from a hand edit, so the build moves it aside (``NAME.edited-N``) as it does any edit.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from cmfc.build.lock import ProjectLock
from cmfc.build.manifest import read_manifest
from cmfc.build.oserrors import disk_errors
from cmfc.build.planner import PlanState
from cmfc.build.report import BuildReport


@dataclass
class VerifyResult:
    """What was re-hashed and what did not match."""

    store_entries: int = 0
    store_bytes: int = 0
    corrupt: list[str] = field(default_factory=list)  # store entries (project-relative) whose bytes lost their name
    records: int = 0
    damaged_records: list[str] = field(default_factory=list)  # .cmfc/actions/*.json that are not records
    side_records: int = 0
    damaged_side: list[str] = field(default_factory=list)  # .cmfc/analysis records that fail their seal
    outputs: int = 0
    changed: list[str] = field(default_factory=list)  # outputs whose bytes are not what the build wrote
    missing: list[str] = field(default_factory=list)  # outputs the last build wrote that are gone
    owners: dict[str, str] = field(default_factory=dict)  # store entry -> "output 'x' of action" when known
    repaired: BuildReport | None = None

    @property
    def ok(self) -> bool:
        """True when nothing rotted (missing outputs are a clean's doing, not rot)."""
        return not (self.corrupt or self.damaged_records or self.damaged_side or self.changed)

    def lines(self) -> list[str]:
        """The report, one finding per line."""
        out = [f"store: {self.store_entries} entries ({self.store_bytes / 1e6:.1f} MB) re-hashed, "
               f"{len(self.corrupt)} corrupt"]
        out += [f"  corrupt: {path}" + (f" ({self.owners[path]})" if path in self.owners else "")
                for path in self.corrupt]
        out.append(f"cache records: {self.records} read, {len(self.damaged_records)} damaged")
        out += [f"  damaged: {path}" for path in self.damaged_records]
        if self.side_records:
            out.append(f"analysis records: {self.side_records} read, {len(self.damaged_side)} damaged")
            out += [f"  damaged: {path}" for path in self.damaged_side]
        out.append(f"outputs: {self.outputs} re-hashed, {len(self.changed)} not what the build wrote"
                   + (f", {len(self.missing)} missing" if self.missing else ""))
        out += [f"  changed: {path} (rotted, or edited by hand)" for path in self.changed]
        out += [f"  missing: {path}" for path in self.missing]
        if self.repaired is not None:
            out.append("repaired: " + self.repaired.summary_line())
        elif not self.ok or self.missing:
            out.append("run `cmfc verify --repair` to restore from the store and rebuild what rotted "
                       "(a changed output is kept as NAME.edited-N in case it was your edit)")
        return out


def verify(root, actions=None, repair: bool = False, registry=None, **build_options) -> VerifyResult:
    """Re-hash the store, the cache records and the last build's outputs; with ``repair`` (and the
    project's ``actions``) drop what rotted and build, so every output is whole again."""
    root = Path(root).resolve()
    state = PlanState(root, registry)
    layout = state.layout
    result = VerifyResult()
    with disk_errors(root, doing="read"), ProjectLock(layout.lock_file):
        manifest = read_manifest(layout.manifest_file) or {"outputs": []}
        for entry in manifest["outputs"]:
            if isinstance(entry, dict) and isinstance(entry.get("sha256"), str):
                rel = layout.store_rel(entry["sha256"])
                result.owners.setdefault(rel, f"output {entry.get('output')!r} of {entry.get('action')}")
        _verify_store(state, result)
        _verify_records(state, result)
        _verify_outputs(state, manifest, result)
        _verify_side_records(state, result)
        if repair:
            layout.tmp.mkdir(parents=True, exist_ok=True)
            for rel in result.corrupt:
                state.store.remove(Path(rel).name)
            for rel in result.damaged_records:
                state.cache.remove(Path(rel).stem)
            for rel in result.damaged_side:
                (root / rel).unlink(missing_ok=True)  # computed again when next needed
            for rel in result.changed:
                state.stats.forget(rel)  # so the build hashes it and restores it
            state.stats.save(layout.tmp)
    if repair and actions is not None:
        from cmfc.build.engine import build

        result.repaired = build(actions, root, registry=registry, **build_options)
    return result


def _verify_store(state: PlanState, result: VerifyResult) -> None:
    store = state.layout.store
    for shard in sorted(store.iterdir()) if store.is_dir() else []:
        for entry in sorted(shard.iterdir()) if shard.is_dir() else []:
            rel = state.layout.store_rel(entry.name)
            found = state.stats.hash(entry)
            result.store_entries += 1
            result.store_bytes += entry.stat().st_size
            if found != entry.name:
                result.corrupt.append(rel)
            else:
                state.stats.record(rel, found)


def _verify_records(state: PlanState, result: VerifyResult) -> None:
    for key in state.cache.keys():
        result.records += 1
        path = state.layout.actions / f"{key}.json"
        try:
            record = json.loads(path.read_bytes())
            ok = isinstance(record, dict) and isinstance(record.get("outputs"), dict) and all(
                isinstance(o, dict) and isinstance(o.get("sha256"), str) and isinstance(o.get("size"), int)
                for o in record["outputs"].values())
        except ValueError:
            ok = False
        if not ok:
            result.damaged_records.append(path.relative_to(state.layout.root).as_posix())


def _verify_outputs(state: PlanState, manifest: dict, result: VerifyResult) -> None:
    root = state.layout.root
    for entry in manifest["outputs"]:
        if not (isinstance(entry, dict) and isinstance(entry.get("path"), str) and isinstance(entry.get("sha256"), str)):
            continue
        path = root / entry["path"]
        if not path.is_file():
            result.missing.append(entry["path"])
            continue
        result.outputs += 1
        if state.stats.hash(path) != entry["sha256"]:
            result.changed.append(entry["path"])


def _verify_side_records(state: PlanState, result: VerifyResult) -> None:
    from cmfc.sealed import problem_of

    folder = state.layout.state / "analysis"
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        result.side_records += 1
        if problem_of(path):
            result.damaged_side.append(path.relative_to(state.layout.root).as_posix())
