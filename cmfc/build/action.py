"""The build graph as plain data: actions, their named inputs and outputs (ninja-like).

The planner (``cmfc/plan``) turns a project into a list of :class:`Action`; the engine in this
package plans, caches and runs them without knowing what any of them means.
"""

from __future__ import annotations

import heapq
import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Mapping, Union

from cmfc.diagnostics import suggest

# Everything the engine keeps lives here, inside the project; outputs must never land in it.
STATE_DIR = ".cmfc"
_OUTPUT_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")


class GraphError(ValueError):
    """The action list itself is malformed (a planner bug): cycle, dangling reference, bad path."""


@dataclass(frozen=True)
class FileInput:
    """A source file of the project (spec, media), by project-relative POSIX path."""

    path: str


@dataclass(frozen=True)
class ActionInput:
    """An output of another action, by action id and output name."""

    action: str
    output: str


Input = Union[FileInput, ActionInput]


@dataclass(frozen=True)
class Output:
    """A named output; ``path`` is where it is materialised in the project (None: intermediate only).

    ``provided`` marks pixels/sound that were supplied, not generated (the manual's Disclosure Protocol);
    ``origin`` says more when neither word is true (``storyboard``: an animatic card standing in for a
    generated shot; ``compiled``: a file compiled from the spec).
    """

    name: str
    path: str | None = None
    provided: bool = False
    origin: str = ""


@dataclass(frozen=True)
class Action:
    """One step of the build: a registered kind run on canonical params and named inputs.

    ``cost`` is the planner's guess of the run time in seconds. It only orders the work (the longest
    chain to the end of the build starts first); it is not part of the action's key.
    """

    id: str
    kind: str
    params: Mapping = field(default_factory=dict)
    inputs: Mapping[str, Input] = field(default_factory=dict)
    outputs: tuple[Output, ...] = ()
    executor: str = "local"
    scene: str | None = None
    cost: float = 0.0

    def output(self, name: str) -> Output:
        """The output called ``name``; GraphError naming the known ones otherwise."""
        for out in self.outputs:
            if out.name == name:
                return out
        hint = suggest(name, [o.name for o in self.outputs])
        raise GraphError(f"action {self.id} has no output {name!r}" + (f" ({hint})" if hint else ""))

    def upstream(self) -> list[str]:
        """Ids of the actions whose outputs this one reads, in input-name order, without repeats."""
        seen: dict[str, None] = {}
        for name in sorted(self.inputs):
            src = self.inputs[name]
            if isinstance(src, ActionInput):
                seen.setdefault(src.action)
        return list(seen)


def check_relative(path: str, what: str) -> None:
    """Refuse absolute paths, ``..`` and anything inside ``.cmfc/``: the graph must be relocatable."""
    pure = PurePosixPath(path)
    if not path or pure.is_absolute() or ".." in pure.parts or "\\" in path:
        raise GraphError(f"{what}: {path!r} is not a project-relative POSIX path")
    if pure.parts[0] == STATE_DIR:
        raise GraphError(f"{what}: {path!r} is inside {STATE_DIR}/, which belongs to the build engine")


def index_actions(actions: list[Action]) -> dict[str, Action]:
    """Actions by id, after checking ids, output names/paths and references (GraphError on the first problem)."""
    by_id: dict[str, Action] = {}
    claimed_paths: dict[str, str] = {}
    for action in actions:
        if action.id in by_id:
            raise GraphError(f"two actions have the id {action.id!r}")
        by_id[action.id] = action
        names = [o.name for o in action.outputs]
        for name in names:
            if not _OUTPUT_NAME.fullmatch(name):
                raise GraphError(f"action {action.id}: output name {name!r} must be letters, digits, '_', '-' or '.'")
        if len(set(names)) != len(names):
            raise GraphError(f"action {action.id} declares an output name twice: {sorted(names)}")
        for out in action.outputs:
            if out.path is None:
                continue
            check_relative(out.path, f"output {out.name!r} of {action.id}")
            if out.path in claimed_paths:
                raise GraphError(
                    f"actions {claimed_paths[out.path]} and {action.id} both write {out.path}"
                )
            claimed_paths[out.path] = action.id
    for action in actions:
        for name, src in action.inputs.items():
            if isinstance(src, FileInput):
                check_relative(src.path, f"input {name!r} of {action.id}")
            elif isinstance(src, ActionInput):
                if src.action not in by_id:
                    hint = suggest(src.action, by_id)
                    raise GraphError(
                        f"input {name!r} of {action.id} reads from unknown action {src.action!r}"
                        + (f" ({hint})" if hint else "")
                    )
                by_id[src.action].output(src.output)
            else:
                raise GraphError(f"input {name!r} of {action.id} is neither FileInput nor ActionInput")
    return by_id


def topological_order(actions: list[Action]) -> list[Action]:
    """Actions ordered so every producer precedes its consumers; ties keep the given order.

    A cycle raises GraphError naming the actions on it.
    """
    by_id = index_actions(actions)
    position = {a.id: i for i, a in enumerate(actions)}
    waiting = {a.id: len(a.upstream()) for a in actions}
    consumers: dict[str, list[str]] = {a.id: [] for a in actions}
    for action in actions:
        for up in action.upstream():
            consumers[up].append(action.id)
    ready = [(position[i], i) for i, n in waiting.items() if n == 0]
    heapq.heapify(ready)
    order: list[Action] = []
    while ready:
        _, action_id = heapq.heappop(ready)
        order.append(by_id[action_id])
        for consumer in consumers[action_id]:
            waiting[consumer] -= 1
            if waiting[consumer] == 0:
                heapq.heappush(ready, (position[consumer], consumer))
    if len(order) != len(actions):
        raise GraphError("the build graph has a cycle: " + " -> ".join(_find_cycle(by_id, waiting)))
    return order


def _find_cycle(by_id: dict[str, Action], waiting: dict[str, int]) -> list[str]:
    """Walk upstream from a stuck action until an id repeats; that loop is the cycle."""
    stuck = {i for i, n in waiting.items() if n > 0}
    node = min(stuck)
    path: list[str] = []
    while node not in path:
        path.append(node)
        node = next(up for up in by_id[node].upstream() if up in stuck)
    loop = path[path.index(node):] + [node]
    return list(reversed(loop))
