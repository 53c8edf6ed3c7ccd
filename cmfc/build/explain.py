"""Why an action is out of date: the last-built record of its id diffed against what it is now."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cmfc.build.action import Action, FileInput
from cmfc.build.registry import Kind


@dataclass(frozen=True)
class Reason:
    """One reason in words (``message``), a stable ``code`` for tools, and old -> new values (``detail``)."""

    code: str
    message: str
    detail: str = ""
    subject: str = ""  # the upstream action id, for "upstream will run"


def diff_reasons(action: Action, kind: Kind, material: dict, last_key: str | None, last_record: dict | None,
                 key: str) -> list[Reason]:
    """Reasons an action whose key is not cached must run, from its last-built record."""
    if last_key is None:
        return [Reason("new", "new: never built")]
    if last_key == key:
        return [Reason("cache-missing", "its cache entry is gone (cleaned or collected)")]
    if last_record is None:
        return [Reason("changed", "changed since the last build (that build's record was collected)")]
    reasons: list[Reason] = []
    if last_record.get("kind") != action.kind:
        reasons.append(Reason("kind-changed", f"kind changed: {last_record.get('kind')} -> {action.kind}"))
    elif last_record.get("version") != kind.version:
        reasons.append(Reason("code-changed",
                              f"action code changed: {action.kind} version {last_record.get('version')} -> {kind.version}"))
    if last_record.get("executor") != action.executor:
        reasons.append(Reason("executor-changed", f"executor changed: {last_record.get('executor')} -> {action.executor}"))
    changed = diff_params(last_record.get("params", {}), material["params"])
    if changed:
        names = ", ".join(path for path, _, _ in changed)
        detail = "\n".join(f"{path}: {_short(old)} -> {_short(new)}" for path, old, new in changed)
        reasons.append(Reason("param-changed", f"parameter changed: {names}", detail))
    reasons.extend(_input_reasons(action, last_record.get("inputs", {}), material["inputs"]))
    if last_record.get("scheme") != material["scheme"] and not reasons:
        reasons.append(Reason("engine-changed", "the build engine's key scheme changed"))
    return reasons or [Reason("changed", "changed since the last build")]


_MISSING = object()


def diff_params(old: Any, new: Any, where: str = "") -> list[tuple[str, Any, Any]]:
    """Dotted paths whose values differ between two JSON values, with (old, new); sorted."""
    if isinstance(old, dict) and isinstance(new, dict):
        out = []
        for key in sorted(set(old) | set(new), key=str):
            path = f"{where}.{key}" if where else str(key)
            out.extend(diff_params(old.get(key, _MISSING), new.get(key, _MISSING), path))
        return out
    if _plain(old) == _plain(new):
        return []
    return [(where or "(params)", old, new)]


def _plain(value: Any) -> Any:
    # A tuple from the planner and the list it became in the JSON record are the same value.
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _short(value: Any) -> str:
    if value is _MISSING:
        return "(absent)"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _input_reasons(action: Action, old: dict, new: dict) -> list[Reason]:
    reasons = []
    for name in sorted(set(old) | set(new)):
        before, after = old.get(name), new.get(name)
        if before is None:
            reasons.append(Reason("input-added", f"input added: {name!r}"))
        elif after is None:
            reasons.append(Reason("input-removed", f"input removed: {name!r}"))
        elif before.get("path") != after.get("path"):
            reasons.append(Reason("input-changed", f"input {name!r} now reads {after.get('path')} (was {before.get('path')})"))
        elif before.get("sha256") != after.get("sha256"):
            src = action.inputs[name]
            where = src.path if isinstance(src, FileInput) else f"output {src.output!r} of {src.action}"
            reasons.append(Reason("input-changed", f"input changed: {name!r} ({where})",
                                  f"{name}: sha256 {before.get('sha256', '')[:12]} -> {after.get('sha256', '')[:12]}"))
    return reasons


def explain_text(plan, target: str) -> str:
    """A few lines on whether ``target`` (action id or output path) is up to date and why, down to the cause."""
    step = plan.step_for(target)
    lines = [_headline(step)]
    seen: set[str] = set()
    _explain_into(plan, step, lines, "  ", seen)
    lines.append(f"  key: {step.key or '(unknown until upstream runs)'}")
    for name in sorted(step.action.inputs):
        src = step.action.inputs[name]
        where = src.path if isinstance(src, FileInput) else f"{src.action} -> {src.output}"
        digest = (step.input_digests or {}).get(name)
        lines.append(f"  input {name}: {where}" + (f" (sha256 {digest[:12]})" if digest else ""))
    for out in step.action.outputs:
        where = out.path or "(intermediate)"
        source = "the remote cache" if any(r.code == "remote" for r in step.why) else "store"
        lines.append(f"  output {out.name}: {where}" + (f" [restore from {source}]" if out.name in step.restore else ""))
    return "\n".join(lines)


def _headline(step) -> str:
    action = step.action
    what = f"{action.id} ({action.kind}, executor {action.executor})"
    if step.state == "cached":
        if any(r.code == "remote" for r in step.why):
            return f"{what} is in the remote cache: a build downloads its outputs instead of running it"
        return f"{what} is up to date" + (" (outputs will be restored from the store)" if step.restore else "")
    return f"{what} will run"


def _explain_into(plan, step, lines: list[str], indent: str, seen: set[str]) -> None:
    """Append step's reasons; follow 'upstream will run' to the upstream's own reasons, once each."""
    for reason in step.why:
        lines.append(f"{indent}- {reason.message}")
        for detail in filter(None, reason.detail.split("\n")):
            lines.append(f"{indent}    {detail}")
        if reason.code == "upstream":
            up = plan.by_id[reason.subject]
            if up.action.id not in seen:
                seen.add(up.action.id)
                _explain_into(plan, up, lines, indent + "    ", seen)
