"""Progress display: a rich bar per running action plus an overall bar on a terminal, plain lines in CI."""

from __future__ import annotations

import sys
import threading


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
    """One line per finished action on stderr: readable in CI logs, no control characters."""

    def __init__(self, stream=None):
        self.stream = stream or sys.stderr
        self.total = 0
        self.done = 0
        self._lock = threading.Lock()

    def start(self, total: int) -> None:
        self.total = total

    def log(self, action_id: str, message: str) -> None:
        with self._lock:
            print(f"  {action_id}: {message}", file=self.stream, flush=True)

    def finished(self, result) -> None:
        with self._lock:
            self.done += 1
            note = f" ({result.error.splitlines()[0]})" if result.error else ""
            print(f"[{self.done}/{self.total}] {result.status} {result.id} {result.seconds:.1f}s{note}",
                  file=self.stream, flush=True)


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


def make_progress(enabled: bool):
    """Rich bars on a TTY, plain lines otherwise, nothing when disabled."""
    if not enabled:
        return NullProgress()
    if sys.stderr.isatty():
        return RichProgress()
    return LineProgress()
