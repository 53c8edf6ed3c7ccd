"""The build engine: content-hashed actions, a content-addressed store, incremental parallel execution.

Generic over what actions do: the planner (``cmfc/plan``) gives a list of :class:`Action`, kinds are
registered with :func:`register`, and this package decides what is out of date, runs it, and
materialises the named outputs. See ``docs/build.md``.
"""

from __future__ import annotations

from pathlib import Path

from cmfc.build.action import Action, ActionInput, FileInput, GraphError, Output
from cmfc.build.context import ActionContext
from cmfc.build.engine import build
from cmfc.build.explain import Reason, explain_text
from cmfc.build.gc import CleanResult, GcResult, clean, gc
from cmfc.build.graphviz import graph_dot, graph_json
from cmfc.build.lock import ProjectLock
from cmfc.build.planner import Plan, PlanState, Step, make_plan
from cmfc.build.registry import REGISTRY, Kind, Registry, TransientError, register
from cmfc.build.report import ActionResult, BuildReport
from cmfc.build.verify import VerifyResult, verify

__all__ = [
    "Action", "ActionContext", "ActionInput", "ActionResult", "BuildReport", "CleanResult", "FileInput", "GcResult",
    "GraphError", "Kind", "Output", "Plan", "REGISTRY", "Reason", "Registry", "Step", "TransientError",
    "build", "clean", "explain", "gc", "graph_dot", "graph_json", "plan", "register", "VerifyResult", "verify",
]


def plan(actions: list[Action], root, registry: Registry | None = None) -> Plan:
    """What a build would do and why, changing nothing but the stat cache (skipped while a build runs)."""
    state = PlanState(Path(root).resolve(), registry)
    result = make_plan(actions, state)
    _save_stats_if_free(state)
    return result


def explain(actions: list[Action], root, target: str, registry: Registry | None = None) -> str:
    """Why ``target`` (an action id or an output path) is or is not up to date, down to the cause."""
    return explain_text(plan(actions, root, registry), target)


def _save_stats_if_free(state: PlanState) -> None:
    """Keep the hashing work of a plan for the next run, unless a build holds the lock right now."""
    from cmfc.diagnostics import CmfError

    if not state.layout.state.exists():
        return
    try:
        with ProjectLock(state.layout.lock_file):
            state.layout.tmp.mkdir(exist_ok=True)
            state.stats.save(state.layout.tmp)
    except CmfError:
        pass
