"""Synthetic action kinds and a tiny project, so engine tests read like the spec."""

from __future__ import annotations

import hashlib
import os
import threading
import time
from pathlib import Path

from cmfc.build import Action, ActionInput, FileInput, Output, Registry, TransientError
from cmfc.diagnostics import CmfError, Diagnostic, Span

PAST_NS = 1_600_000_000 * 10**9  # sources "exist long before the build", like real ones


def concat(ctx) -> None:
    """Prefix + every input's bytes in input-name order, to each output (tagged with its name)."""
    body = b"".join(ctx.input_path(n).read_bytes() for n in sorted(ctx.action.inputs))
    for out in ctx.action.outputs:
        ctx.output_path(out.name).write_bytes(ctx.params.get("prefix", "").encode() + body + f"|{out.name}".encode())


_failures: dict[str, int] = {}
_failures_lock = threading.Lock()


def fail_n_times(ctx) -> None:
    """Raise TransientError for the first ``params['n']`` attempts of this action, then behave like concat."""
    with _failures_lock:
        seen = _failures.get(ctx.action.id, 0)
        _failures[ctx.action.id] = seen + 1
    if seen < ctx.params["n"]:
        raise TransientError(f"server busy (attempt {seen + 1})")
    concat(ctx)


def always_fail(ctx) -> None:
    """A permanent failure: a bug-shaped exception."""
    raise RuntimeError("the generator exploded")


def user_error(ctx) -> None:
    """A user mistake reported as a diagnostic."""
    raise CmfError([Diagnostic(Span("spec.cmf", 3, 1), "scene SC_09 has no line")])


def black_placeholder(ctx) -> None:
    """What a failed generation leaves behind: clearly marked bytes."""
    for out in ctx.action.outputs:
        ctx.output_path(out.name).write_bytes(f"PLACEHOLDER {ctx.action.id}".encode())


def slow(ctx) -> None:
    """16 KB derived from the inputs, written in 4 chunks over ``params['ms']`` milliseconds (kill test)."""
    seed = hashlib.sha256(b"".join(ctx.input_path(n).read_bytes() for n in sorted(ctx.action.inputs)))
    seed.update(ctx.params.get("prefix", "").encode())
    for out in ctx.action.outputs:
        with open(ctx.output_path(out.name), "wb") as handle:
            for i in range(4):
                handle.write((seed.hexdigest() + f"|{out.name}|{i}\n").encode() * 50)
                handle.flush()
                time.sleep(ctx.params["ms"] / 4000)


def make_registry() -> Registry:
    """A fresh registry with the synthetic kinds."""
    registry = Registry()
    registry.add("concat", concat)
    registry.add("fail_n_times", fail_n_times)
    registry.add("always_fail", always_fail, placeholder=black_placeholder)
    registry.add("fail_no_placeholder", always_fail)
    registry.add("user_error", user_error)
    registry.add("slow", slow)
    return registry


def write_source(root: Path, rel: str, text: str) -> None:
    """Write a source file and date it in the past."""
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    os.utime(path, ns=(PAST_NS, PAST_NS))


def make_project(root: Path) -> list[Action]:
    """Three sources, five actions: read:a, read:b -> mix:ab -> final <- read:c."""
    for name in "abc":
        write_source(root, f"src/{name}.txt", f"<{name}>")
    return [
        Action("read:a", "concat", {"prefix": "A:"}, {"src": FileInput("src/a.txt")}, (Output("text"),)),
        Action("read:b", "concat", {"prefix": "B:"}, {"src": FileInput("src/b.txt")}, (Output("text"),)),
        Action("mix:ab", "concat", {"prefix": "M:"},
               {"a": ActionInput("read:a", "text"), "b": ActionInput("read:b", "text")},
               (Output("text", "out/ab.txt"),), scene="SC_01"),
        Action("read:c", "concat", {"prefix": "C:"}, {"src": FileInput("src/c.txt")},
               (Output("text", "out/c.txt", provided=True),), scene="SC_02"),
        Action("final", "concat", {"prefix": "F:", "style": {"colour": "#FFD400", "size": 3}},
               {"ab": ActionInput("mix:ab", "text"), "c": ActionInput("read:c", "text")},
               (Output("video", "out/final.mp4"),)),
    ]


def replace_action(actions: list[Action], action_id: str, **changes) -> list[Action]:
    """The same list with one action's fields replaced."""
    from dataclasses import replace

    return [replace(a, **changes) if a.id == action_id else a for a in actions]


def wide_project(root: Path, scenes: int, kind: str = "concat", params: dict | None = None) -> list[Action]:
    """Per scene: a source, a read and a render; one final assembly reading every render."""
    actions = []
    for i in range(scenes):
        sid = f"SC_{i:03d}"
        write_source(root, f"src/{sid}.txt", f"scene {i}")
        actions.append(Action(f"read:{sid}", kind, dict(params or {}), {"src": FileInput(f"src/{sid}.txt")},
                              (Output("text"),), scene=sid))
        actions.append(Action(f"render:{sid}", kind, {"prefix": sid, **(params or {})},
                              {"text": ActionInput(f"read:{sid}", "text")},
                              (Output("clip", f"out/{sid}.mp4"),), scene=sid))
    actions.append(Action("assemble", kind, dict(params or {}),
                          {f"s{i:03d}": ActionInput(f"render:SC_{i:03d}", "clip") for i in range(scenes)},
                          (Output("final", "out/FINAL.mp4"),)))
    return actions
