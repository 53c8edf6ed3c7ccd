"""The outcome of a build: one result per action, as JSON for CI and as a table for people."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

STATUSES = ("ran", "cached", "placeholder", "failed", "skipped", "would-run")
NOT_STARTED = "not started: "  # the why of an action a failure kept from starting (without --keep-going)


@dataclass
class ActionResult:
    """What happened to one action."""

    id: str
    kind: str
    scene: str | None
    executor: str
    key: str | None
    status: str
    why: str = ""
    seconds: float = 0.0
    started: float = 0.0  # seconds from the build's start (after planning) to this action's start
    attempts: int = 0
    error: str | None = None
    outputs: dict[str, dict] = field(default_factory=dict)  # name -> {"sha256", "size"}
    inputs: dict[str, str] = field(default_factory=dict)  # name -> sha256
    restored: list[str] = field(default_factory=list)  # project paths copied back from the store
    kept: list[str] = field(default_factory=list)  # where user-edited outputs were moved aside (NAME.edited-N)
    log: list[str] = field(default_factory=list)


@dataclass
class BuildReport:
    """Every action's result in build order, and what the build cost."""

    results: list[ActionResult]
    seconds: float = 0.0
    files_hashed: int = 0
    bytes_hashed: int = 0
    dry_run: bool = False
    problems: list[str] = field(default_factory=list)  # the build's own writes that failed (manifest, ledger)
    extras: list[str] = field(default_factory=list)  # derived files written after the outputs (Resolve copies)
    extras_kept: list[str] = field(default_factory=list)  # where edited derived files were moved aside

    def ids(self, status: str) -> list[str]:
        """Ids of the actions that ended with ``status``."""
        return [r.id for r in self.results if r.status == status]

    def result(self, action_id: str) -> ActionResult:
        """The result for one action id."""
        return next(r for r in self.results if r.id == action_id)

    @property
    def ok(self) -> bool:
        """True when nothing failed, got a placeholder or was skipped."""
        return not self.problems and not any(r.status in ("failed", "placeholder", "skipped") for r in self.results)

    @property
    def exit_code(self) -> int:
        """0 for a clean build, 1 otherwise (the CLI's exit status)."""
        return 0 if self.ok else 1

    def counts(self) -> dict[str, int]:
        """Number of actions per status (only statuses that occur)."""
        out: dict[str, int] = {}
        for r in self.results:
            out[r.status] = out.get(r.status, 0) + 1
        return out

    def summary_line(self) -> str:
        """``12 actions: 3 ran, 9 cached (1.42 s)``."""
        counts = self.counts()
        parts = [f"{counts[s]} {s}" for s in STATUSES if s in counts]
        restored = sum(len(r.restored) for r in self.results)
        if restored:
            parts.append(f"{restored} outputs restored from the store")
        return f"{len(self.results)} actions: " + ", ".join(parts) + f" ({self.seconds:.2f} s)"

    @property
    def kept(self) -> list[str]:
        """Where outputs the user had edited were moved aside (``NAME.edited-N``) before being overwritten."""
        return sorted([path for r in self.results for path in r.kept] + self.extras_kept)

    def kept_lines(self) -> list[str]:
        """One sentence per edited output the build moved aside."""
        return [kept_line(path, "the build wrote its own version in its place") for path in self.kept]

    def to_json(self) -> str:
        """The report as JSON (``--report FILE``): every action's key, kind, scene, status, start, seconds, why."""
        actions = []
        for r in self.results:
            entry = asdict(r)
            entry["seconds"] = round(r.seconds, 3)
            entry["started"] = round(r.started, 3)
            actions.append(entry)
        doc = {
            "ok": self.ok,
            "dry_run": self.dry_run,
            "seconds": round(self.seconds, 3),
            "files_hashed": self.files_hashed,
            "counts": self.counts(),
            "kept_edits": self.kept,
            "problems": self.problems,
            "actions": actions,
        }
        return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"

    def render(self, console=None, show_cached: bool = False) -> None:
        """Print what ran, failed or was restored as a table, then each failure's whole error.

        Cached actions are only counted (unless asked for); the actions a failure kept from starting
        collapse into one line, so the error is not buried under a row for each of them.
        """
        from rich.console import Console
        from rich.markup import escape
        from rich.table import Table

        console = console or Console(stderr=True)
        table = Table(title="cmfc build", show_lines=False)
        # The id names the kind (the JSON report has it); ids never wrap, so an 80-column log stays readable.
        table.add_column("action", no_wrap=True)
        table.add_column("scene", no_wrap=True)
        table.add_column("status", no_wrap=True)
        table.add_column("seconds", justify="right", no_wrap=True)
        table.add_column("why", overflow="fold")
        style = {"ran": "green", "cached": "dim", "failed": "bold red", "placeholder": "yellow",
                 "skipped": "red", "would-run": "cyan"}
        stopped = [r for r in self.results if r.status == "skipped" and r.why.startswith(NOT_STARTED)]
        # after a stop, the actions blocked by one that never started are not started either
        not_started = [r for r in self.results if r.status == "skipped"] if stopped else []
        for r in self.results:
            if (r.status == "cached" and not r.restored and not show_cached) or r in not_started:
                continue
            why = "error below" if r.error else r.why
            table.add_row(escape(r.id), r.scene or "", f"[{style[r.status]}]{r.status}[/]",
                          f"{r.seconds:.2f}", escape(why))
        if table.row_count:
            console.print(table)
        plain = {"markup": False, "emoji": False, "highlight": False, "soft_wrap": True}  # text as written
        if not_started:
            reason = stopped[0].why[len(NOT_STARTED):]
            count = f"{len(not_started)} action{'s' if len(not_started) != 1 else ''}"
            console.print(f"{count} not started: {reason} (--keep-going builds what does not depend on it)", **plain)
        for line in self.kept_lines():
            console.print(line, style="yellow", **plain)
        for problem in self.problems:
            console.print(f"error: {problem}", style="bold red", **plain)
        for r in self.results:
            if r.error:
                stand_in = "; a black placeholder stands in" if r.status == "placeholder" else ""
                console.print(f"{r.id} failed{stand_in}:", style="bold red", **plain)
                console.print(r.error.rstrip(), **plain)
        console.print(self.summary_line())


def kept_line(aside: str, then: str) -> str:
    """``kept your edit of a/b.ntp as a/b.ntp.edited-1 (<then>)``."""
    original = aside.rsplit(".edited-", 1)[0]
    return f"kept your edit of {original} as {aside} ({then}; --force overwrites edits)"
