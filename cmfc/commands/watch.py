"""``cmfc watch SPEC``: rebuild on every save, cancelling a build the next save made outdated.

Watches the project folder (the spec, ``cmfc.toml``, the project's ``frameworks/`` and every input file
under it; ``03_OUTPUT/``, ``.cmfc/`` and hidden or editor swap files are not inputs) and the built-in
frameworks. Saves are debounced: a burst of events (an editor's write-rename, ``cmfc set`` and the
file-manager copying a clip) starts one build once the folder has been quiet for ``--debounce``. A save
while a build runs cancels that build (its running ffmpeg processes are killed through
``cmfc.children``, no new one starts, nothing it did not finish is cached) and starts the next build once
it has stopped. Builds run in this process, so the next one pays no start-up cost; the incremental build
does the rest.

Needs the ``watch`` extra (watchdog): ``pip install 'cmfc[watch]'``.
"""

from __future__ import annotations

import os
import queue
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import click

from cmfc.cli import report_errors

IGNORED_DIRS = ("03_OUTPUT", ".cmfc", ".git", "__pycache__")
SWAP_SUFFIXES = ("~", ".swp", ".swx", ".tmp", ".part", ".crdownload")


def is_input_event(path: str, root: Path) -> bool:
    """Whether a change at ``path`` can change the build: not outputs, build state, hidden or swap files."""
    try:
        parts = Path(path).resolve().relative_to(root).parts
    except ValueError:
        parts = Path(path).parts[-1:]  # a watched folder outside the project (the built-in frameworks)
    if not parts or parts[0] in IGNORED_DIRS:
        return False
    name = parts[-1]
    if any(part.startswith(".") for part in parts) or name.endswith(SWAP_SUFFIXES) or name.isdigit():
        return False  # hidden files (our own atomic-write temps), editor swap files, vim's 4913 probe
    return True


@dataclass
class BuildRun:
    """One build started by the watcher."""

    number: int
    trigger: list[str]
    started: float
    thread: threading.Thread | None = None
    cancelled: bool = False
    report: object = None
    error: str | None = None
    seconds: float = 0.0
    done: threading.Event = field(default_factory=threading.Event)


class Watcher:
    """The watch loop: file events in, debounced builds out (one at a time, the outdated one cancelled)."""

    def __init__(self, spec: str, preview: bool = True, jobs: int = 2, debounce: float = 0.3,
                 echo: Callable[[str], None] = print, render: bool = True):
        from cmfc.project import locate

        self.spec = spec
        self.location = locate(spec)
        self.root = self.location.root.resolve()
        self.preview, self.jobs, self.debounce, self.echo, self.render = preview, jobs, debounce, echo, render
        self.events: queue.Queue[str] = queue.Queue()
        self.runs: list[BuildRun] = []
        self.current: BuildRun | None = None
        self.stop = threading.Event()
        self.idle = threading.Event()  # no save pending and no build running
        self._observer = None

    # -- file events ---------------------------------------------------------------------------------
    def start_watching(self) -> None:
        from watchdog.events import FileSystemEventHandler
        from watchdog.observers import Observer

        watcher = self

        class Handler(FileSystemEventHandler):
            def on_any_event(self, event):
                if event.event_type in ("opened", "closed_no_write"):
                    return
                for path in (event.src_path, getattr(event, "dest_path", "") or ""):
                    if path and not (event.is_directory and event.event_type == "modified") \
                            and is_input_event(os.fsdecode(path), watcher.root):
                        watcher.events.put(os.fsdecode(path))

        self._observer = Observer()
        self._observer.schedule(Handler(), str(self.root), recursive=True)
        builtin = _builtin_frameworks()
        if builtin is not None and not str(builtin).startswith(str(self.root)):
            self._observer.schedule(Handler(), str(builtin), recursive=False)
        self._observer.start()

    def stop_watching(self) -> None:
        if self._observer is not None:
            self._observer.stop()
            self._observer.join(timeout=5)

    # -- the loop --------------------------------------------------------------------------------------
    def run(self, initial_build: bool = True) -> None:
        """Until ``stop`` is set: collect saves, debounce, build, cancel outdated builds."""
        self.start_watching()
        pending: list[str] = ["(start)"] if initial_build else []
        last_event = time.monotonic() - self.debounce if initial_build else 0.0
        try:
            while not self.stop.is_set():
                timeout = 0.05
                try:
                    path = self.events.get(timeout=timeout)
                    self.idle.clear()
                    pending.append(path)
                    last_event = time.monotonic()
                    while True:  # drain the burst
                        pending.append(self.events.get_nowait())
                except queue.Empty:
                    pass
                if self.current is not None and self.current.done.is_set():
                    self._finished(self.current)
                    self.current = None
                if pending and time.monotonic() - last_event >= self.debounce:
                    if self.current is not None:
                        self._cancel(self.current)
                        self.current = None
                    self.current = self._start(sorted(set(pending)))
                    pending = []
                if not pending and self.current is None and self.events.empty():
                    self.idle.set()
        finally:
            if self.current is not None:
                self._cancel(self.current)
            self.stop_watching()

    def _start(self, trigger: list[str]) -> BuildRun:
        run = BuildRun(len(self.runs) + 1, trigger, time.monotonic())
        self.runs.append(run)
        shown = ", ".join(_short(p, self.root) for p in trigger[:3]) + (" …" if len(trigger) > 3 else "")
        what = "first build" if trigger == ["(start)"] else f"{shown} changed"
        self.echo(f"[{run.number}] {what}: building{' the preview' if self.preview else ''}")
        run.thread = threading.Thread(target=self._build, args=(run,), name=f"cmfc-watch-build-{run.number}",
                                      daemon=True)
        run.thread.start()
        return run

    def _build(self, run: BuildRun) -> None:
        from cmfc.build import build
        from cmfc.commands.build import _load_plan, _manifest_path
        from cmfc.diagnostics import CmfError, read_source_lines, render

        try:
            compiled, actions = _load_plan(self.spec, preview=self.preview, render=self.render)
            run.compiled, run.actions = compiled, actions
            run.report = build(actions, compiled.location.root, jobs=self.jobs, progress=False,
                               manifest=_manifest_path(compiled))
        except CmfError as error:
            sources = read_source_lines(d.span.path for d in error.diagnostics)
            run.error = "\n".join(render(d, sources) for d in error.diagnostics)
        except Exception as error:  # noqa: BLE001 - a watcher reports and waits for the next save
            run.error = f"{type(error).__name__}: {error}"
        finally:
            run.seconds = time.monotonic() - run.started
            run.done.set()

    def _cancel(self, run: BuildRun) -> None:
        """Stop ``run``: kill its ffmpeg children, refuse new ones, wait for its threads to end."""
        from cmfc import children

        run.cancelled = True
        killed = children.stop_all()
        run.done.wait()
        children.clear_stopping()
        self.echo(f"[{run.number}] cancelled after {time.monotonic() - run.started:.1f} s "
                  f"(a newer save; {killed} running process{'es' if killed != 1 else ''} stopped)")

    def _finished(self, run: BuildRun) -> None:
        if run.error is not None:
            self.echo(f"[{run.number}] the spec does not build ({run.seconds:.1f} s); waiting for the next save\n"
                      + run.error)
            return
        report = run.report
        # What the user sees first: renders and the assembly, then the compiled files.
        ran = sorted(report.ids("ran"), key=lambda action_id: action_id.startswith("compile:"))
        shown = ", ".join(ran[:6]) + (f" and {len(ran) - 6} more" if len(ran) > 6 else "")
        self.echo(f"[{run.number}] {report.summary_line()} in {run.seconds:.1f} s"
                  + (f": ran {shown}" if ran else ""))
        failed = report.ids("failed")
        if failed:
            self.echo(f"[{run.number}] failed: {', '.join(failed)} (cmfc build {self.spec} shows why)")
        from cmfc.commands.build import finished_video

        video = finished_video(run.compiled, run.actions, report)
        if video:
            self.echo(f"[{run.number}] {video}")


def _short(path: str, root: Path) -> str:
    try:
        return Path(path).resolve().relative_to(root).as_posix()
    except ValueError:
        return path


def _builtin_frameworks() -> Path | None:
    from importlib import resources

    try:
        folder = Path(str(resources.files("cmfc.frameworks_data")))
    except (ModuleNotFoundError, TypeError):
        return None
    return folder if folder.is_dir() else None


@click.command("watch")
@click.argument("spec", default=".")
@click.option("--preview/--master", default=True, show_default=True,
              help="Build the quarter-size preview (the fast loop) or the master.")
@click.option("-j", "--jobs", default=2, show_default=True, type=click.IntRange(1, 64), help="Actions run in parallel.")
@click.option("--debounce", default=0.3, show_default=True, type=click.FloatRange(0.0, 10.0),
              help="Seconds of quiet after a save before a build starts.")
@report_errors
def watch_command(spec: str, preview: bool, jobs: int, debounce: float) -> None:
    """Rebuild SPEC on every save of the spec, a framework file or an input file (Ctrl-C stops).

    A save during a build cancels it (its ffmpeg runs too) and the next build starts from what finished.

    \b
    Example:
      cmfc watch specs/resilience            # the preview, rebuilt on every save
      cmfc watch specs/resilience --master   # the full-size MP4
    """
    from cmfc.project import UsageError

    try:
        import watchdog  # noqa: F401
    except ModuleNotFoundError:
        raise UsageError("cmfc watch needs the watch extra: pip install 'cmfc[watch]'") from None
    watcher = Watcher(spec, preview=preview, jobs=jobs, debounce=debounce,
                      echo=lambda line: click.echo(line, err=True))
    click.echo(f"watching {watcher.root} (Ctrl-C stops)", err=True)
    try:
        watcher.run()
    except KeyboardInterrupt:
        watcher.stop.set()
        click.echo("stopped watching", err=True)


watch_commands = [watch_command]
