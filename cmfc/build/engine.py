"""Executing a plan: a thread pool of ``jobs`` workers, retries with backoff, placeholders, atomic results.

An action starts when its inputs are ready. A dirty action whose key was unknown at planning time
(its upstream had to run) is looked up again once the upstream is done: if the upstream produced the
same bytes as before, the action is cached after all (early cutoff).
"""

from __future__ import annotations

import contextlib
import heapq
import json
import os
import shutil
import tempfile
import threading
import time
import traceback
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from pathlib import Path
from typing import Callable

from cmfc.build.action import Action, FileInput, check_relative
from cmfc.build.context import ActionContext
from cmfc.build.keys import action_key, key_material
from cmfc.build.lock import ProjectLock
from cmfc.build.manifest import make_manifest, manifest_bytes
from cmfc.build.oserrors import disk_errors, is_environment, sentence
from cmfc.build.outputs import aside_name
from cmfc.build.planner import Plan, PlanState, Step, check_outputs, make_plan
from cmfc.build.progress import make_progress
from cmfc.build.registry import Registry, TransientError
from cmfc.build.remote import RemoteCache, from_remote
from cmfc.build.remote import attach as attach_remote
from cmfc.build.remote import settle as settle_remote
from cmfc.build.report import NOT_STARTED, ActionResult, BuildReport
from cmfc.build.store import write_atomic
from cmfc.diagnostics import CmfError, render
from cmfc.fsutil import fsync_dir, sha256_bytes


# Remote actions in flight at once (each mostly waits on its server; the executor pool bounds each server).
REMOTE_SLOTS = 16


class ActionFailed(Exception):
    """An attempt failed; ``message`` is what the user sees (no traceback for CmfError)."""

    def __init__(self, message: str, attempts: int):
        super().__init__(message)
        self.attempts = attempts


class InputChanged(ActionFailed):
    """A file the action read changed while it ran: its outputs are discarded, never retried or cached."""


# Files modified this long before planning (or later) are re-hashed after each action that read them
# even when their stat looks unchanged: file-system timestamps are coarser than a fast rewrite.
RACY_MARGIN_NS = 2 * 10**9


def build(actions: list[Action], root, jobs: int = 1, keep_going: bool = False, dry_run: bool = False,
          tries: int = 3, backoff: float = 0.5, progress: bool = True, registry: Registry | None = None,
          manifest: str = "manifest.json", force: bool = False,
          extras: Callable[[], dict[str, bytes]] | None = None, remote: RemoteCache | None = None) -> BuildReport:
    """Bring every action up to date under ``root``; write ``manifest`` (project-relative); return the report.

    An output file the user edited since the build wrote it is moved aside to ``NAME.edited-N`` before
    it is overwritten (``force=True``: overwritten). ``extras()`` gives files derived from the outputs
    (project path -> bytes, e.g. the Resolve timelines with absolute URLs); they are written last,
    still under the project lock, and recorded like outputs (``clean`` removes them).
    Every temporary file of the build, the actions' own included, lives in ``.cmfc/tmp/``.
    ``remote``: a shared cache asked before running an action and given its outputs after (``remote.py``).
    """
    started = time.monotonic()
    root = Path(root).resolve()
    state = PlanState(root, registry)
    state.planned_ns = time.time_ns() - RACY_MARGIN_NS
    attach_remote(state, remote, fetch=not dry_run)
    layout = state.layout
    if dry_run:  # planning only reads: no lock, no .cmfc folders, no stat cache (a dry run creates nothing)
        with disk_errors(root):
            plan = make_plan(actions, state)
        results = [_planned_result(step) for step in plan.steps]
        return _report(results, state, started, dry_run=True)
    with disk_errors(root), ProjectLock(layout.lock_file):
        layout.make_dirs()
        layout.clean_tmp()
        plan = make_plan(actions, state)
        if settle_remote(state):  # a remote download failed: plan again, those actions run here
            plan = make_plan(actions, state)
        for digest in sorted(plan.corrupt):
            state.store.remove(digest)
        runner = Runner(plan, state, max(1, jobs), keep_going, max(1, tries), backoff, make_progress(progress),
                        clock=started, force=force)
        problems: list[str] = []
        try:
            with temporaries_in(layout.tmp):
                results = runner.run()
        finally:
            # What the build did is kept even when a write fails: each file is replaced whole or not at all.
            _saving(problems, root, layout.last_file, lambda: _save_last(state, runner.results.values()))
            _saving([], root, layout.stat_file, lambda: state.stats.save(layout.tmp))  # only a cache of hashes
            _saving(problems, root, layout.outputs_file, lambda: state.ledger.save(
                lambda path, data: write_atomic(path, data, layout.tmp)))
        doc = manifest_bytes(make_manifest({a.id: a for a in actions}, results,
                                           lambda digest: state.store.path(digest).read_bytes()))
        for target in (layout.manifest_file, root / manifest):
            if not _same_bytes(target, doc) and _saving(problems, root, target,
                                                        lambda: write_atomic(target, doc, layout.tmp)):
                continue
            if target != layout.manifest_file:
                state.ledger.record(manifest, sha256_bytes(doc))
        written, kept = _write_extras(state, extras, force, problems) if extras else ([], [])
        _saving(problems, root, layout.outputs_file, lambda: state.ledger.save(
            lambda path, data: write_atomic(path, data, layout.tmp)))
    report = _report(results, state, started, problems=problems)
    report.extras, report.extras_kept = written, kept
    return report


_tempdir_lock = threading.Lock()


@contextlib.contextmanager
def temporaries_in(folder: Path):
    """Every ``tempfile`` folder and file made meanwhile (an action's scratch: segment frames, concat lists)
    goes into ``folder``, which the next build empties at its start, so a killed build leaks nothing."""
    with _tempdir_lock:
        previous = tempfile.tempdir
        tempfile.tempdir = str(folder)
    try:
        yield
    finally:
        with _tempdir_lock:
            tempfile.tempdir = previous


def _write_extras(state: PlanState, extras, force: bool, problems: list[str]) -> tuple[list[str], list[str]]:
    """Write the derived files (only when their bytes change), moving a user's edit aside first;
    return the paths written and where edits were moved."""
    written, kept = [], []
    root, layout = state.layout.root, state.layout
    try:
        items = extras()
    except OSError as exc:
        if not is_environment(exc):
            raise
        problems.append(sentence(exc, root=root, doing="read"))
        return written, kept
    for rel, data in sorted(items.items()):
        check_relative(rel, "an extra file of the build")
        target = root / rel
        if _same_bytes(target, data):
            state.ledger.record(rel, sha256_bytes(data))
            written.append(rel)
            continue
        if not force and target.is_file():
            found, last = state.stats.digest(rel), state.ledger.last_written(rel)
            if found is not None and last is not None and found != last:  # unknown: an older cmfc wrote it
                aside = aside_name(target)
                if not _saving(problems, root, target, lambda: os.replace(target, aside)):
                    kept.append(aside.relative_to(root).as_posix())
        if not _saving(problems, root, target, lambda: write_atomic(target, data, layout.tmp)):
            state.ledger.record(rel, sha256_bytes(data))
            written.append(rel)
    return written, kept


def _report(results: list[ActionResult], state: PlanState, started: float, dry_run: bool = False,
            problems: list[str] | None = None) -> BuildReport:
    remote = getattr(state.cache, "remote", None)
    return BuildReport(results, time.monotonic() - started, state.stats.files_hashed, state.stats.bytes_hashed, dry_run,
                       problems=problems or [], remote=remote.stats if remote else None)


def _saving(problems: list[str], root: Path, path: Path, write) -> bool:
    """Run ``write``; on the machine's error add a sentence naming ``path`` to ``problems``; True if it failed."""
    try:
        write()
    except OSError as exc:
        if not is_environment(exc):
            raise
        problems.append(sentence(exc, path, root))
        return True
    return False


def _planned_result(step: Step) -> ActionResult:
    status = "would-run" if step.state == "run" else "cached"
    restored = [o.path for o in step.action.outputs if o.name in step.restore]
    return _result(step, status, step.key, why=step.why_text, inputs=step.input_digests,
                   outputs=step.outputs or {}, restored=restored)


def _result(step: Step, status: str, key: str | None, **fields) -> ActionResult:
    a = step.action
    return ActionResult(a.id, a.kind, a.scene, a.executor, key, status, **fields)


def _same_bytes(path: Path, data: bytes) -> bool:
    try:
        return path.read_bytes() == data
    except OSError:
        return False


def _save_last(state: PlanState, results) -> None:
    """Remember the key each action id was last built with (what explain diffs against)."""
    last = dict(state.last)
    for r in results:
        if r.status in ("ran", "cached") and r.key:
            last[r.id] = r.key
    if last != state.last:
        data = json.dumps(last, sort_keys=True, indent=0).encode()
        write_atomic(state.layout.last_file, data, state.layout.tmp)


class Runner:
    """Schedules the plan's steps on a thread pool and collects their results."""

    def __init__(self, plan: Plan, state: PlanState, jobs: int, keep_going: bool, tries: int, backoff: float,
                 progress, clock: float | None = None, force: bool = False):
        self.plan = plan
        self.state = state
        self.jobs = jobs
        self.keep_going = keep_going
        self.tries = tries
        self.backoff = backoff
        self.progress = progress
        self.force = force
        self.clock = time.monotonic() if clock is None else clock  # what ActionResult.started counts from
        self.results: dict[str, ActionResult] = {}
        self.stopped_by: str | None = None
        self.consumers: dict[str, list[str]] = {s.action.id: [] for s in plan.steps}
        for step in plan.steps:
            for up in step.action.upstream():
                self.consumers[up].append(step.action.id)

    def run(self) -> list[ActionResult]:
        """Execute until every step has a result; results in plan (topological) order."""
        pending = {s.action.id: set(s.action.upstream()) for s in self.plan.steps}
        ready = ReadyQueue(self.plan.steps, self.consumers)
        for step in self.plan.steps:
            if not pending[step.action.id]:
                ready.push(step)
        running: dict[Future, Step] = {}
        self.progress.start(sum(1 for s in self.plan.steps if s.state == "run" or s.restore))

        def may_start(step: Step) -> bool:
            # Remote actions (ComfyUI...) mostly wait on the network: they do not take a local worker.
            remote = step.action.executor != "local"
            busy = sum(1 for s in running.values() if (s.action.executor != "local") == remote)
            return _inline(step) or busy < (REMOTE_SLOTS if remote else self.jobs)

        try:
            with ThreadPoolExecutor(max_workers=self.jobs + REMOTE_SLOTS, thread_name_prefix="cmfc-build") as pool:
                while ready or running:
                    while ready and may_start(ready.peek()):
                        step = ready.pop()
                        result = self._settle_without_running(step)
                        if result is not None:
                            result.started = time.monotonic() - self.clock
                            self._finish(result, pending, ready)
                        else:
                            self.progress.started(step.action.id)
                            running[pool.submit(self._execute, step)] = step
                    if running:
                        done, _ = wait(running, return_when=FIRST_COMPLETED)
                        for future in done:
                            self._finish(future.result(), pending, ready)
                            del running[future]
        finally:
            self.progress.close()
        return [self.results[s.action.id] for s in self.plan.steps]

    def _settle_without_running(self, step: Step) -> ActionResult | None:
        """A result decided on the spot: skipped (blocked or stopped) or cached with nothing to restore."""
        blocked = [up for up in step.action.upstream() if self.results[up].status in ("failed", "skipped")]
        if blocked:
            return _result(step, "skipped", step.key, why=f"blocked: upstream {blocked[0]} did not build")
        if self.stopped_by is not None:
            return _result(step, "skipped", step.key, why=f"{NOT_STARTED}the build stopped after {self.stopped_by} failed")
        if _inline(step):
            return _result(step, "cached", step.key, why=step.why_text, inputs=step.input_digests, outputs=step.outputs)
        return None

    def _finish(self, result: ActionResult, pending: dict[str, set], ready: ReadyQueue) -> None:
        self.results[result.id] = result
        if result.status != "cached" or result.restored:
            self.progress.finished(result)
        if result.status == "failed" and not self.keep_going and self.stopped_by is None:
            self.stopped_by = result.id
        for consumer in self.consumers[result.id]:
            pending[consumer].discard(result.id)
            if not pending[consumer]:
                ready.push(self.plan.by_id[consumer])

    def _execute(self, step: Step) -> ActionResult:
        """Worker thread: restore, re-check the cache, or run (with retries and placeholder)."""
        started = time.monotonic()
        try:
            result = self._execute_step(step)
        except ActionFailed as exc:
            result = _result(step, "failed", step.key, why=step.why_after_run, error=str(exc), attempts=exc.attempts)
        except OSError as exc:  # the machine's (disk full, read-only folder): a sentence; a bug's: the traceback
            error = sentence(exc, root=self.state.layout.root) if is_environment(exc) else traceback.format_exc()
            result = _result(step, "failed", step.key, why=step.why_after_run, error=error)
        except Exception:  # a bug in the engine or a store problem: report it on this action, keep going
            result = _result(step, "failed", step.key, why=step.why_after_run, error=traceback.format_exc())
        result.seconds = time.monotonic() - started
        result.started = started - self.clock
        return result

    def _execute_step(self, step: Step) -> ActionResult:
        action, state = step.action, self.state
        if step.state == "cached":
            restored, kept = self._materialise(action, step.outputs, step.restore)
            return _result(step, "cached", step.key, why=step.why_text, inputs=step.input_digests,
                           outputs=step.outputs, restored=restored, kept=kept)
        digests = dict(step.input_digests)
        for name, src in action.inputs.items():
            if name not in digests:
                digests[name] = self.results[src.action].outputs[src.output]["sha256"]
        key = step.key or action_key(action, step.kind.version, digests)
        if step.key is None:
            record = state.cache.get(key)
            if record is not None and not check_outputs(action, record, state.store, set()):
                restored, kept = self._materialise(action, record["outputs"])
                why = "restored from the remote cache" if from_remote(record) else "upstream ran but its outputs did not change"
                return _result(step, "cached", key, why=why,
                               inputs=digests, outputs=record["outputs"], restored=restored, kept=kept)
        inputs = self._input_paths(action, digests)
        log: list[str] = []
        try:
            outputs, attempts = self._run_with_retries(step, inputs, log)
        except ActionFailed as exc:
            if isinstance(exc, InputChanged) or not (self.keep_going and step.kind.placeholder):
                raise
            outputs = self._attempt(step, inputs, log, attempt=exc.attempts, writer=step.kind.placeholder)
            _, kept = self._materialise(action, outputs)
            return _result(step, "placeholder", key, why=step.why_after_run, error=str(exc), attempts=exc.attempts,
                           inputs=digests, outputs=outputs, log=log, kept=kept)
        record = key_material(action, step.kind.version, digests)
        record.update(id=action.id, outputs=outputs)
        state.cache.put(key, record)
        _, kept = self._materialise(action, outputs)
        return _result(step, "ran", key, why=step.why_after_run, attempts=attempts, inputs=digests, outputs=outputs,
                       log=log, kept=kept)

    def _input_paths(self, action: Action, digests: dict[str, str]) -> dict[str, Path]:
        """Readable paths for every input; store entries are verified first (never feed corrupt bytes)."""
        paths = {}
        for name, src in action.inputs.items():
            if isinstance(src, FileInput):
                paths[name] = self.state.layout.root / src.path
                continue
            size = self.results[src.action].outputs[src.output]["size"]
            status = self.state.store.verify(digests[name], size)
            if status != "ok":
                self.state.store.remove(digests[name])
                raise ActionFailed(f"input {name!r} ({src.action} -> {src.output}) is {status} in the store; "
                                   "it was removed, run the build again to rebuild it", 0)
            paths[name] = self.state.store.path(digests[name])
        return paths

    def _run_with_retries(self, step: Step, inputs: dict[str, Path], log: list[str]) -> tuple[dict, int]:
        for attempt in range(1, self.tries + 1):
            try:
                return self._attempt(step, inputs, log, attempt, step.kind.run), attempt
            except TransientError as exc:
                log.append(f"attempt {attempt}/{self.tries} failed: {exc}")
                if attempt == self.tries:
                    raise ActionFailed(f"failed after {attempt} tries: {exc}", attempt) from None
                time.sleep(self.backoff * 2 ** (attempt - 1))
            except InputChanged:
                raise
            except CmfError as exc:
                raise ActionFailed("\n".join(render(d) for d in exc.diagnostics), attempt) from None
            except ActionFailed:
                raise
            except OSError as exc:
                if not is_environment(exc):
                    raise ActionFailed(traceback.format_exc().rstrip(), attempt) from None
                raise ActionFailed(sentence(exc, root=self.state.layout.root), attempt) from None
            except Exception:
                raise ActionFailed(traceback.format_exc().rstrip(), attempt) from None
        raise AssertionError("unreachable")

    def _attempt(self, step: Step, inputs: dict[str, Path], log: list[str], attempt: int, writer) -> dict:
        """One call of ``run`` (or ``placeholder``) in a fresh temp folder; outputs moved into the store."""
        action = step.action
        tmp_dir = self.state.layout.new_tmp_dir()

        def note(message: str) -> None:
            log.append(message)
            self.progress.log(action.id, message)

        ctx = ActionContext(action, self.state.layout.root, inputs, tmp_dir, note,
                            lambda fraction: self.progress.update(action.id, fraction), attempt)
        try:
            try:
                writer(ctx)
            except BaseException:
                self._check_inputs_unchanged(step, attempt)  # a changed input explains the failure best
                raise
            self._check_inputs_unchanged(step, attempt)
            missing = [o.name for o in action.outputs if not ctx.output_path(o.name).is_file()]
            if missing:
                raise ActionFailed(f"{action.kind} did not write output(s) {', '.join(missing)}", attempt)
            outputs = {}
            for out in action.outputs:
                digest, size = self.state.store.put(ctx.output_path(out.name))
                outputs[out.name] = {"sha256": digest, "size": size}
            return outputs
        finally:
            shutil.rmtree(tmp_dir, ignore_errors=True)

    def _check_inputs_unchanged(self, step: Step, attempt: int) -> None:
        """Re-check every file the action read (stat, and the digest when the stat changed or is racy).

        Its outputs were made from whatever bytes it read; if those are not the bytes its key names,
        storing them under that key would serve a wrong output on every later build (Bazel and ninja
        refuse the same way). Store entries it read are re-checked too: an action must not modify them.
        """
        changed = []
        for name, src in sorted(step.action.inputs.items()):
            if isinstance(src, FileInput):
                expected = step.input_digests.get(name)
                found = self.state.stats.digest(src.path, fresh_after_ns=self.state.planned_ns)
                if expected is not None and found != expected:
                    changed.append(src.path)
            else:
                result = self.results.get(src.action)
                entry = result.outputs.get(src.output) if result else None
                if entry and self.state.store.verify(entry["sha256"], entry["size"]) != "ok":
                    self.state.store.remove(entry["sha256"])
                    changed.append(f"the stored output {src.output!r} of {src.action}")
        if changed:
            raise InputChanged(f"{', '.join(changed)} changed while the build was running; run the build again",
                               attempt)

    def _materialise(self, action: Action, outputs: dict[str, dict], names=None) -> tuple[list[str], list[str]]:
        """Copy outputs into the project where the file is missing or differs; return the paths written
        and where edited files were moved aside."""
        written, kept = [], []
        for out in action.outputs:
            if out.path is None or (names is not None and out.name not in names):
                continue
            entry = outputs[out.name]
            if not self.state.stats.matches(out.path, entry["sha256"], entry["size"]):
                aside = None if self.force else set_aside_if_edited(self.state, out.path)
                if aside:
                    kept.append(aside)
                try:
                    self.state.store.materialise(entry["sha256"], out.path)
                except OSError as exc:
                    if not is_environment(exc):
                        raise
                    kept_note = f" (your edit was kept as {aside})" if aside else ""
                    raise ActionFailed(sentence(exc, out.path, self.state.layout.root) + kept_note, 0) from None
                self.state.ledger.record(out.path, entry["sha256"])
                written.append(out.path)
        return written, kept


def set_aside_if_edited(state: PlanState, rel: str) -> str | None:
    """Move the file at ``rel`` to ``rel.edited-N`` when the user changed it since the build wrote it;
    return the new project-relative path (None: nothing there, or the build's own bytes)."""
    path = state.layout.root / rel
    if not path.is_file():
        return None
    found = state.stats.digest(rel)
    if found is None or state.is_ours(rel, found):
        return None
    aside = aside_name(path)
    os.replace(path, aside)
    fsync_dir(path.parent)
    state.stats.forget(rel)
    return aside.relative_to(state.layout.root).as_posix()


class ReadyQueue:
    """Steps whose inputs are ready, critical path first.

    A step's rank is its action's ``cost`` plus the largest rank among its consumers: the planner's
    guess of the time from its start to the end of the build. With two workers and a 60 s timeline,
    starting the slowest scene (and the chain behind it) first instead of in scene order keeps one
    worker from finishing alone. Steps settled without the pool come first; ties keep plan order.
    """

    def __init__(self, steps: list[Step], consumers: dict[str, list[str]]) -> None:
        self.order = {step.action.id: index for index, step in enumerate(steps)}
        self.rank: dict[str, float] = {}
        for step in reversed(steps):  # topological order: consumers are ranked before their producers
            after = [self.rank[c] for c in consumers[step.action.id]]
            self.rank[step.action.id] = max(0.0, step.action.cost) + max(after, default=0.0)
        self.heap: list[tuple[bool, float, int, Step]] = []

    def push(self, step: Step) -> None:
        heapq.heappush(self.heap, (not _inline(step), -self.rank[step.action.id], self.order[step.action.id], step))

    def peek(self) -> Step:
        return self.heap[0][3]

    def pop(self) -> Step:
        return heapq.heappop(self.heap)[3]

    def __len__(self) -> int:
        return len(self.heap)


def _inline(step: Step) -> bool:
    """Cached with every output already in place: settled without touching the pool."""
    return step.state == "cached" and not step.restore
