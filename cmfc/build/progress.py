"""Progress display: a rich bar per running action plus an overall bar on a terminal, plain lines in CI."""

from __future__ import annotations

import sys
import threading
import time


class NullProgress:
    """Shows nothing (``progress=False``, tests, library use)."""

    def start(self, total: int) -> None:
        """Begin; ``total`` is the number of actions that will execute."""

    def started(self, action_id: str) -> None:
        """An action began executing."""

    def update(self, action_id: str, fraction: float) -> None:
        """An action reported how far it is (0..1)."""

    def log(self, action_id: str, message: str) -> None:
        """An action logged a line."""

    def finished(self, result) -> None:
        """An action ended (any status)."""

    def close(self) -> None:
        """The build is over."""


class LineProgress(NullProgress):
    """Plain lines on stderr for CI logs, ``| tee`` and IDE runners (no control characters).

    One line per finished action (``[3/12] ran render:SC_01 4.2s``) and, every ``every`` seconds
    (also while a long action runs and nothing finishes), where the build is:
    ``3/12 actions, 0:42 elapsed, ETA 1:10``. ``every=0`` prints that line after each action instead.
    """

    def __init__(self, stream=None, every: float = 10.0, clock=time.monotonic):
        self.stream = stream or sys.stderr
        self.every = every
        self.clock = clock
        self.total = 0
        self.done = 0
        self.began = clock()
        self.last_status = self.began
        self._lock = threading.Lock()
        self._closed = threading.Event()
        self._heartbeat: threading.Thread | None = None

    def start(self, total: int) -> None:
        self.total = total
        self.began = self.last_status = self.clock()
        if self.every > 0 and total:
            self._heartbeat = threading.Thread(target=self._beat, name="cmfc-progress", daemon=True)
            self._heartbeat.start()

    def log(self, action_id: str, message: str) -> None:
        with self._lock:
            print(f"  {action_id}: {message}", file=self.stream, flush=True)

    def finished(self, result) -> None:
        with self._lock:
            self.done += 1
            note = f" ({result.error.splitlines()[0]})" if result.error else ""
            print(f"[{self.done}/{self.total}] {result.status} {result.id} {result.seconds:.1f}s{note}",
                  file=self.stream, flush=True)
            if self.done < self.total and self.clock() - self.last_status >= self.every:
                self._status()

    def close(self) -> None:
        self._closed.set()
        if self._heartbeat is not None:
            self._heartbeat.join()

    def status_line(self) -> str:
        """``n/N actions, m:ss elapsed, ETA m:ss`` (the ETA from the pace so far)."""
        elapsed = self.clock() - self.began
        if self.done:
            eta = f"ETA {_clock(elapsed / self.done * (self.total - self.done))}"
        else:
            eta = "ETA unknown"
        return f"{self.done}/{self.total} actions, {_clock(elapsed)} elapsed, {eta}"

    def _status(self) -> None:
        self.last_status = self.clock()
        print(self.status_line(), file=self.stream, flush=True)

    def _beat(self) -> None:
        while not self._closed.wait(max(0.01, self.last_status + self.every - self.clock())):
            with self._lock:
                if self.clock() - self.last_status >= self.every and self.done < self.total:
                    self._status()


def _clock(seconds: float) -> str:
    minutes, rest = divmod(int(round(seconds)), 60)
    return f"{minutes}:{rest:02d}"


class RichProgress(NullProgress):
    """An overall bar with ETA and one transient bar per running action."""

    def __init__(self):
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

        self.bars = Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
                             TimeElapsedColumn(), TimeRemainingColumn(), transient=True)
        self.tasks: dict[str, int] = {}
        self.overall = None
        self._lock = threading.Lock()

    def start(self, total: int) -> None:
        self.bars.start()
        self.overall = self.bars.add_task("build", total=max(total, 1))

    def started(self, action_id: str) -> None:
        with self._lock:
            self.tasks[action_id] = self.bars.add_task(f"  {action_id}", total=1.0)

    def update(self, action_id: str, fraction: float) -> None:
        with self._lock:
            task = self.tasks.get(action_id)
        if task is not None:
            self.bars.update(task, completed=max(0.0, min(1.0, fraction)))

    def log(self, action_id: str, message: str) -> None:
        self.bars.console.print(f"  {action_id}: {message}", markup=False, highlight=False)

    def finished(self, result) -> None:
        with self._lock:
            task = self.tasks.pop(result.id, None)
        if task is not None:
            self.bars.remove_task(task)
        if result.status in ("failed", "placeholder"):
            first_line = (result.error or "").split("\n", 1)[0]
            self.bars.console.print(f"[red]{result.status}[/] {result.id}: {first_line}", highlight=False)
        self.bars.advance(self.overall)

    def close(self) -> None:
        self.bars.stop()


def make_progress(enabled, every: float = 10.0):
    """Rich bars on a TTY, plain lines otherwise (a status line each ``every`` seconds), nothing when disabled.

    ``enabled`` may also be a progress object already made (``build(..., progress=LineProgress(every=0))``).
    """
    if isinstance(enabled, NullProgress):
        return enabled
    if not enabled:
        return NullProgress()
    if sys.stderr.isatty():
        return RichProgress()
    return LineProgress(every=every)
