"""What an action's ``run(ctx)`` sees: its params, readable inputs, writable output paths, log, progress."""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import Callable, Mapping

from cmfc.build.action import Action


class ActionContext:
    """The interface between the engine and one attempt of one action."""

    def __init__(self, action: Action, project_root: Path, input_paths: Mapping[str, Path], tmp_dir: Path,
                 log: Callable[[str], None], progress: Callable[[float], None], attempt: int = 1):
        self.action = action
        self.params = action.params
        self.project_root = project_root
        self.attempt = attempt
        self._input_paths = input_paths
        self._tmp_dir = tmp_dir
        self._log = log
        self._progress = progress

    def input_path(self, name: str) -> Path:
        """A readable file for input ``name``: a source file or a verified store entry. Do not modify it."""
        try:
            return self._input_paths[name]
        except KeyError:
            raise KeyError(f"action {self.action.id} has no input {name!r}; it has {sorted(self._input_paths)}") from None

    def output_path(self, name: str) -> Path:
        """The temp file the action must write output ``name`` to (same extension as its project path)."""
        out = self.action.output(name)
        suffix = PurePosixPath(out.path).suffix if out.path else ""
        return self._tmp_dir / f"{name}{suffix}"

    def log(self, message: str) -> None:
        """A line for the build log and the progress display."""
        self._log(message)

    def progress(self, fraction: float) -> None:
        """How far the action is, 0..1 (drives its progress bar)."""
        self._progress(fraction)
