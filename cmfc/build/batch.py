"""The day's batch: several projects built in one run, on one worker pool, scheduled together.

Each project keeps its own ``.cmfc/`` (lock, store, action cache, last keys) and its own manifest;
only the scheduling is shared. Their plans are joined into one, with every action id prefixed by
the project's name (``alpha/render:SC_01``), so the engine's ready queue orders all of them by the
longest chain to the end (a long render in one project starts before short work in another) and
one progress display and one report cover the batch. A worker runs each action against its own
project's state. With ``keep_going`` a failing project only stops what depends on the failure.
"""

from __future__ import annotations

import threading
import time
from contextlib import ExitStack
from dataclasses import dataclass, replace
from typing import Callable
from pathlib import Path

from cmfc.build.action import Action, ActionInput
from cmfc.build.engine import (RACY_MARGIN_NS, Runner, _planned_result, _same_bytes, _save_last, _saving,
                               _write_extras, temporaries_in)
from cmfc.build.lock import ProjectLock
from cmfc.build.manifest import make_manifest, manifest_bytes
from cmfc.build.oserrors import disk_errors
from cmfc.build.planner import Plan, PlanState, make_plan
from cmfc.build.progress import make_progress
from cmfc.build.registry import Registry
from cmfc.build.remote import RemoteCache, attach, settle
from cmfc.build.report import ActionResult, BuildReport
from cmfc.build.store import write_atomic
from cmfc.fsutil import sha256_bytes


@dataclass
class Project:
    """One project of a batch: a short unique name (the id prefix), its actions, root and manifest path."""

    name: str
    actions: list[Action]
    root: Path
    manifest: str = "manifest.json"
    extras: Callable[[], dict[str, bytes]] | None = None  # derived files written last (Resolve copies)


@dataclass
class BatchReport:
    """The batch's one report (ids prefixed by project) and each project's own (ids as in its graph)."""

    report: BuildReport
    projects: dict[str, BuildReport]

    @property
    def exit_code(self) -> int:
        return self.report.exit_code


def build_batch(projects: list[Project], jobs: int = 1, keep_going: bool = False, dry_run: bool = False,
                tries: int = 3, backoff: float = 0.5, progress=True, registry: Registry | None = None,
                remote: RemoteCache | None = None, force: bool = False) -> BatchReport:
    """Bring every project up to date in one scheduling; write each project's manifest (and extras)."""
    started = time.monotonic()
    names = [p.name for p in projects]
    if len(set(names)) != len(names) or any("/" in n for n in names):
        raise ValueError(f"batch project names must be unique and contain no '/': {names}")
    with ExitStack() as held:
        states: dict[str, PlanState] = {}
        steps = []
        corrupt: dict[str, set[str]] = {}
        for project in projects:
            state = PlanState(Path(project.root).resolve(), registry)
            state.planned_ns = time.time_ns() - RACY_MARGIN_NS
            attach(state, remote, fetch=not dry_run)
            held.enter_context(disk_errors(state.layout.root))
            if not dry_run:  # planning only reads: a dry run creates nothing
                held.enter_context(ProjectLock(state.layout.lock_file))
                state.layout.make_dirs()
                state.layout.clean_tmp()
            plan = make_plan(project.actions, state)
            if settle(state):
                plan = make_plan(project.actions, state)
            states[project.name] = state
            corrupt[project.name] = plan.corrupt
            steps.extend(_prefixed(step, project.name) for step in plan.steps)
        joined = Plan(steps)
        owner = {step.action.id: states[step.action.id.split("/", 1)[0]] for step in steps}
        problems: dict[str, list[str]] = {p.name: [] for p in projects}
        if dry_run:
            results = [_planned_result(step) for step in joined.steps]
        else:
            for name, digests in corrupt.items():
                for digest in sorted(digests):
                    states[name].store.remove(digest)
            runner = _BatchRunner(joined, owner, max(1, jobs), keep_going, max(1, tries), backoff,
                                  make_progress(progress), clock=started, force=force)
            try:
                with temporaries_in(states[projects[0].name].layout.tmp):
                    results = runner.run()
            finally:
                for project in projects:
                    state, root = states[project.name], states[project.name].layout.root
                    mine = _own(runner.results.values(), project.name)
                    _saving(problems[project.name], root, state.layout.last_file, lambda: _save_last(state, mine))
                    _saving([], root, state.layout.stat_file, lambda: state.stats.save(state.layout.tmp))
        per_project: dict[str, BuildReport] = {}
        for project in projects:
            state, root, layout = states[project.name], states[project.name].layout.root, states[project.name].layout
            mine = _own(results, project.name)
            written, kept = [], []
            if not dry_run:
                doc = manifest_bytes(make_manifest({a.id: a for a in project.actions}, mine))
                for target in (layout.manifest_file, root / project.manifest):
                    if not _same_bytes(target, doc) and _saving(problems[project.name], root, target,
                                                                lambda: write_atomic(target, doc, layout.tmp)):
                        continue
                    if target != layout.manifest_file:
                        state.ledger.record(project.manifest, sha256_bytes(doc))
                if project.extras:
                    written, kept = _write_extras(state, project.extras, force, problems[project.name])
                _saving(problems[project.name], root, layout.outputs_file, lambda: state.ledger.save(
                    lambda path, data: write_atomic(path, data, layout.tmp)))
            report = BuildReport(mine, time.monotonic() - started, state.stats.files_hashed, state.stats.bytes_hashed,
                                 dry_run, problems=problems[project.name])
            report.extras, report.extras_kept = written, kept
            per_project[project.name] = report
    seconds = time.monotonic() - started
    combined = BuildReport(results, seconds, sum(r.files_hashed for r in per_project.values()),
                           sum(r.bytes_hashed for r in per_project.values()), dry_run,
                           problems=[f"{name}: {p}" for name, ps in problems.items() for p in ps],
                           remote=remote.stats if remote else None)
    combined.extras = [f"{name}/{e}" for name, r in per_project.items() for e in r.extras]
    combined.extras_kept = [f"{name}/{e}" for name, r in per_project.items() for e in r.extras_kept]
    return BatchReport(combined, per_project)


def _prefixed(step, name: str):
    """The step with its action's id, its upstream references and its reasons' subjects under ``name/``."""
    action = step.action
    inputs = {key: ActionInput(f"{name}/{src.action}", src.output) if isinstance(src, ActionInput) else src
              for key, src in action.inputs.items()}
    why = [replace(r, subject=f"{name}/{r.subject}", message=r.message.replace(r.subject, f"{name}/{r.subject}", 1))
           if r.code == "upstream" else r for r in step.why]
    return replace(step, action=replace(action, id=f"{name}/{action.id}", inputs=inputs), why=why)


def _own(results, name: str) -> list[ActionResult]:
    """This project's results with the ids of its own graph (what its manifest and last.json record)."""
    prefix = f"{name}/"
    return [replace(r, id=r.id[len(prefix):]) for r in results if r.id.startswith(prefix)]


class _BatchRunner(Runner):
    """The engine's runner with one project state per action: a worker binds its action's state."""

    def __init__(self, plan: Plan, owner: dict[str, PlanState], *args, **kw):
        self._bound = threading.local()
        self._owner = owner
        super().__init__(plan, None, *args, **kw)

    @property
    def state(self) -> PlanState:
        return self._bound.state

    @state.setter
    def state(self, value) -> None:  # Runner.__init__ sets one state; a batch has one per project
        pass

    def _execute(self, step) -> ActionResult:
        self._bound.state = self._owner[step.action.id]
        try:
            return super()._execute(step)
        finally:
            self._bound.state = None

