"""One diagnostic type for every stage, rendered in one place.

A diagnostic names a file and a position (1-based line and column), says what is
wrong in words a non-programmer understands, and may carry a hint
(``did you mean HOOK-4?``). Every stage collects them; the CLI renders them as::

    specs/alpha/alpha.cmf:12:9: error: unknown scene template HOOK-9
       12 | scene SC_01 HOOK-9
          |             ^^^^^^
      hint: did you mean HOOK-4?
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Iterable, Literal

Severity = Literal["error", "warning", "note"]


@dataclass(frozen=True)
class Span:
    """A place in a source file: 1-based line and column, and a width in characters."""

    path: str
    line: int = 0
    col: int = 0
    width: int = 1

    @property
    def known(self) -> bool:
        return self.line > 0


@dataclass(frozen=True)
class Diagnostic:
    """A message about a spec or an input file, with where it happened."""

    span: Span
    message: str
    severity: Severity = "error"
    hint: str | None = None

    def sort_key(self) -> tuple:
        return (self.span.path, self.span.line, self.span.col, self.message)


class CmfError(Exception):
    """Raised to stop a stage with one or more diagnostics (bad user input, never a bug)."""

    def __init__(self, diagnostics: Iterable[Diagnostic]):
        self.diagnostics = sorted(diagnostics, key=Diagnostic.sort_key)
        super().__init__("\n".join(d.message for d in self.diagnostics))


@dataclass
class Diagnostics:
    """A collector: stages add to it and raise once at the end, so several errors show in one run."""

    items: list[Diagnostic] = field(default_factory=list)

    def error(self, span: Span, message: str, hint: str | None = None) -> None:
        self.items.append(Diagnostic(span, message, "error", hint))

    def warning(self, span: Span, message: str, hint: str | None = None) -> None:
        self.items.append(Diagnostic(span, message, "warning", hint))

    def extend(self, other: Iterable[Diagnostic]) -> None:
        self.items.extend(other)

    @property
    def has_errors(self) -> bool:
        return any(d.severity == "error" for d in self.items)

    def raise_if_errors(self) -> None:
        if self.has_errors:
            raise CmfError(self.items)


def suggest(name: str, known: Iterable[str]) -> str | None:
    """A ``did you mean X?`` hint for a near-miss name, or None when nothing is close."""
    known = sorted(set(known))
    folded = {k.casefold(): k for k in known}
    if name.casefold() in folded:
        return f"did you mean {folded[name.casefold()]}?"
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    if not close:
        close = [folded[c] for c in difflib.get_close_matches(name.casefold(), list(folded), n=1, cutoff=0.6)]
    return f"did you mean {close[0]}?" if close else None


def render(diagnostic: Diagnostic, source_lines: dict[str, list[str]] | None = None) -> str:
    """Format one diagnostic as ``path:line:col: severity: message`` plus the source line and a caret."""
    span = diagnostic.span
    where = f"{span.path}:{span.line}:{span.col}" if span.known else span.path
    out = [f"{where}: {diagnostic.severity}: {clip(diagnostic.message)}"]
    lines = (source_lines or {}).get(span.path)
    if span.known and lines and 0 < span.line <= len(lines):
        text = lines[span.line - 1].rstrip("\n").expandtabs(1)
        width = max(1, min(span.width, max(1, len(text) - span.col + 1)))
        text, col, width = _window(text, span.col, width)
        gutter = f"{span.line:>5} | "
        out.append(gutter + text)
        out.append(" " * (len(gutter) - 2) + "| " + " " * (col - 1) + "^" * width)
    if diagnostic.hint:
        out.append(f"  hint: {clip(diagnostic.hint)}")
    return "\n".join(out)


SOURCE_WINDOW = 200  # characters of a source line shown around the caret


def _window(text: str, col: int, width: int) -> tuple[str, int, int]:
    """At most ~SOURCE_WINDOW characters of ``text`` around the caret, ``…`` where cut; the caret moved
    to match (a 5 MB one-line script gives a readable excerpt, not megabytes of terminal)."""
    if len(text) <= SOURCE_WINDOW:
        return text, col, width
    start = max(0, min(col - 1 - SOURCE_WINDOW // 3, len(text) - SOURCE_WINDOW))
    end = start + SOURCE_WINDOW
    head = "…" if start > 0 else ""
    tail = "…" if end < len(text) else ""
    caret = col - start + len(head)
    return head + text[start:end] + tail, caret, max(1, min(width, end - (col - 1)))


def clip(text: str, limit: int = 300) -> str:
    """``text`` shortened in the middle to about ``limit`` characters (a message quoting a huge token)."""
    if len(text) <= limit:
        return text
    keep = limit - 60
    return f"{text[:keep]}… ({len(text) - keep - 40:,} characters left out) …{text[-40:]}"


def read_source_lines(paths: Iterable[str]) -> dict[str, list[str]]:
    """Read the files diagnostics point into, tolerating ones that vanished or are not text."""
    lines: dict[str, list[str]] = {}
    for path in set(paths):
        try:
            with open(path, encoding="utf-8", errors="replace", newline="") as handle:
                lines[path] = [line.removesuffix("\r") for line in handle.read().split("\n")]
        except OSError:
            continue
    return lines
