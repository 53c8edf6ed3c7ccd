"""Planning: which actions are cached, which must run and why, in topological order.

An input produced by another action takes that output's digest from the action cache when the
producer is cached; otherwise the consumer's key is unknown until the producer has run, and the
consumer is dirty "because upstream X will run" (the engine re-checks the cache once it knows).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cmfc.build.action import Action, FileInput, topological_order
from cmfc.build.explain import Reason, diff_reasons
from cmfc.build.keys import action_key, check_params, key_material
from cmfc.build.outputs import OutputLedger
from cmfc.build.registry import REGISTRY, Kind, Registry
from cmfc.build.statcache import StatCache
from cmfc.build.store import ActionCache, Layout, Store
from cmfc.diagnostics import CmfError, Diagnostics, Span, suggest


@dataclass
class Step:
    """The plan for one action: its key (when computable), cached or run, and why."""

    action: Action
    kind: Kind
    key: str | None
    state: str  # "cached" | "run"
    why: list[Reason] = field(default_factory=list)
    input_digests: dict[str, str] = field(default_factory=dict)  # all of them once the key is known
    outputs: dict[str, dict] | None = None  # name -> {"sha256", "size"}, when cached
    restore: list[str] = field(default_factory=list)  # outputs to copy back into the project

    @property
    def why_text(self) -> str:
        """The reasons in one line, as planned; many "upstream will run" are folded into one phrase."""
        return self._why("will run")

    @property
    def why_after_run(self) -> str:
        """The same once the upstream ran: it changed, or this step would have been a cache hit."""
        return self._why("changed")

    def _why(self, upstream_verb: str) -> str:
        upstream = [r.subject for r in self.why if r.code == "upstream"]
        others = [r.message for r in self.why if r.code != "upstream"]
        if len(upstream) > 2:
            others.append(f"upstream {upstream[0]}, {upstream[1]} and {len(upstream) - 2} more {upstream_verb}")
        else:
            others.extend(f"upstream {u} {upstream_verb}" for u in upstream)
        return "; ".join(others)


@dataclass
class Plan:
    """Steps in topological order, plus store entries found corrupt while planning."""

    steps: list[Step]
    corrupt: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.by_id = {s.action.id: s for s in self.steps}

    @property
    def to_run(self) -> list[Step]:
        """Steps that will (or may, once upstream has run) execute."""
        return [s for s in self.steps if s.state == "run"]

    def summary(self) -> str:
        """One line: how many actions run, are cached, and how many outputs get restored."""
        run = len(self.to_run)
        restore = sum(len(s.restore) for s in self.steps if s.state == "cached")
        text = f"{len(self.steps)} actions: {run} to run, {len(self.steps) - run} cached"
        return text + (f", {restore} outputs to restore from the store" if restore else "")

    def step_for(self, target: str) -> Step:
        """The step for an action id or a materialised output path (CmfError with a hint otherwise)."""
        if target in self.by_id:
            return self.by_id[target]
        for step in self.steps:
            if any(o.path == target for o in step.action.outputs):
                return step
        known = list(self.by_id) + [o.path for s in self.steps for o in s.action.outputs if o.path]
        diags = Diagnostics()
        diags.error(Span(target), f"no action or output called {target}", suggest(target, known))
        raise CmfError(diags.items)


class PlanState:
    """What planning and building read: layout, stat cache, store, action cache, last-built keys."""

    def __init__(self, root, registry: Registry | None = None):
        import json

        self.layout = Layout(root)
        self.registry = registry or REGISTRY
        self.stats = StatCache(root, self.layout.stat_file)
        self.store = Store(self.layout, self.stats)
        self.cache = ActionCache(self.layout)
        try:
            self.last: dict[str, str] = json.loads(self.layout.last_file.read_bytes())
        except (OSError, ValueError):
            self.last = {}
        if not isinstance(self.last, dict):  # damaged: only "why" texts depend on it
            self.last = {}
        self.planned_ns: int | None = None  # wall clock (minus a margin) when a build started planning
        self.ledger = OutputLedger(self.layout.outputs_file)
        if not self.layout.outputs_file.exists():  # a project built before the ledger: its manifest says
            from cmfc.build.manifest import read_manifest

            for entry in (read_manifest(self.layout.manifest_file) or {"outputs": []})["outputs"]:
                if isinstance(entry, dict) and isinstance(entry.get("path"), str) and isinstance(entry.get("sha256"), str):
                    self.ledger.record(entry["path"], entry["sha256"])

    def is_ours(self, rel: str, digest: str) -> bool:
        """True when ``digest`` is what the build last wrote at ``rel``, or any output it keeps in the store:
        a file with other bytes at an output's path is the user's edit."""
        return digest == self.ledger.last_written(rel) or self.store.has(digest)


def make_plan(actions: list[Action], state: PlanState) -> Plan:
    """Plan every action; CmfError listing every missing source file."""
    order = topological_order(actions)
    diags = Diagnostics()
    steps: dict[str, Step] = {}
    corrupt: set[str] = set()
    for action in order:
        kind = state.registry.get(action.kind)
        check_params(action)
        digests: dict[str, str] = {}
        waiting_on: list[str] = []
        for name in sorted(action.inputs):
            src = action.inputs[name]
            if isinstance(src, FileInput):
                digest = state.stats.digest(src.path)
                if digest is None:
                    diags.error(Span(src.path), f"input file {src.path} does not exist (input {name!r} of {action.id})")
                else:
                    digests[name] = digest
            else:
                upstream = steps[src.action]
                if upstream.state == "cached":
                    digests[name] = upstream.outputs[src.output]["sha256"]
                elif src.action not in waiting_on:
                    waiting_on.append(src.action)
        if waiting_on:
            why = [Reason("upstream", f"upstream {up} will run", subject=up) for up in waiting_on]
            steps[action.id] = Step(action, kind, None, "run", why, digests)
        elif len(digests) == len(action.inputs):
            steps[action.id] = _plan_keyed(action, kind, digests, state, corrupt)
        else:
            steps[action.id] = Step(action, kind, None, "run", [Reason("input-missing", "an input file is missing")])
    diags.raise_if_errors()
    return Plan([steps[a.id] for a in order], corrupt)


def _plan_keyed(action: Action, kind: Kind, digests: dict[str, str], state: PlanState, corrupt: set[str]) -> Step:
    key = action_key(action, kind.version, digests)
    record = state.cache.get(key)
    if record is not None:
        problems = check_outputs(action, record, state.store, corrupt)
        if not problems:
            outputs = record["outputs"]
            restore = [o.name for o in action.outputs
                       if o.path and not state.stats.matches(o.path, outputs[o.name]["sha256"], outputs[o.name]["size"])]
            why = [Reason("restore", f"output file {o.path} missing or changed: restored from the store")
                   for o in action.outputs if o.name in restore]
            return Step(action, kind, key, "cached", why or [Reason("up-to-date", "up to date")], digests, outputs, restore)
        return Step(action, kind, key, "run", problems, digests)
    last_key = state.last.get(action.id)
    last_record = state.cache.get(last_key) if last_key else None
    why = diff_reasons(action, kind, key_material(action, kind.version, digests), last_key, last_record, key)
    return Step(action, kind, key, "run", why, digests)


def check_outputs(action: Action, record: dict, store: Store, corrupt: set[str]) -> list[Reason]:
    """Reasons a cached record cannot be used: an output missing from the record or the store, or corrupt."""
    problems = []
    for out in action.outputs:
        entry = record["outputs"].get(out.name)
        if entry is None:
            problems.append(Reason("output-missing", f"output {out.name!r} is not in the cache record"))
            continue
        status = store.verify(entry["sha256"], entry["size"])
        if status == "missing":
            problems.append(Reason("output-missing", f"output {out.name!r} is missing from the store"))
        elif status == "corrupt":
            corrupt.add(entry["sha256"])
            problems.append(Reason("output-corrupt", f"output {out.name!r} is corrupt in the store (digest mismatch)"))
    return problems

