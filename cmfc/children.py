"""The processes a build starts (ffmpeg, mostly), so a build that is told to stop stops them too.

Ctrl-C reaches every process in the terminal's foreground group, ffmpeg included. SIGTERM from a
process manager, a CI cancel or a UI's ``terminate()`` reaches only cmfc: without this its ffmpeg
runs would go on for minutes, rendering into files nobody will publish. Every child cmfc starts goes
through :func:`run` or :func:`started`; :func:`stopping_children_on_signals` wraps a build.
"""

from __future__ import annotations

import contextlib
import signal
import subprocess
import sys
import threading
from typing import Iterator, Sequence

_live: set[subprocess.Popen] = set()
_lock = threading.RLock()  # re-entrant: a signal handler may run while its thread holds it
_stopping = threading.Event()
_signalled = False  # a stop signal arrived: the process is on its way out (never reset)
stop_event = _stopping  # set once the build is told to stop: remote executors cancel their prompts on it


class Stopped(Exception):
    """Raised instead of starting a process once the build is stopping."""


@contextlib.contextmanager
def started(command: Sequence[str], **popen_args) -> Iterator[subprocess.Popen]:
    """``subprocess.Popen(command, **popen_args)``, known to :func:`stop_all` until it has ended."""
    with _lock:
        if _stopping.is_set():
            raise Stopped("the build is stopping")
        process = subprocess.Popen(list(command), **popen_args)
        _live.add(process)
    try:
        with process:
            yield process
    finally:
        with _lock:
            _live.discard(process)


def run(command: Sequence[str], input: bytes | None = None) -> subprocess.CompletedProcess:
    """Like ``subprocess.run(command, input=input, capture_output=True)``, stoppable by :func:`stop_all`."""
    with started(command, stdin=subprocess.PIPE if input is not None else subprocess.DEVNULL,
                 stdout=subprocess.PIPE, stderr=subprocess.PIPE) as process:
        out, err = process.communicate(input)
    return subprocess.CompletedProcess(list(command), process.returncode, out, err)


def stopping() -> bool:
    """True once the build was told to stop: long waits (a lock another process holds) give up."""
    return _stopping.is_set()


def stop_all() -> int:
    """Kill every running child and refuse to start new ones; returns how many were running."""
    with _lock:
        _stopping.set()
        running = list(_live)
    for process in running:
        with contextlib.suppress(ProcessLookupError):
            process.kill()
    return len(running)


RESUME_NOTE = "the next build resumes from what finished"


@contextlib.contextmanager
def stopping_children_on_signals(note: str | None = None) -> Iterator[None]:
    """Inside: SIGTERM and SIGINT kill the running children first, then end the process with
    ``cmfc: stopped by SIGINT (N running processes with it); <note>`` on stderr and exit 128 + the signal
    (130 for Ctrl-C, 143 for SIGTERM), as a shell reports a process a signal ended.

    SIGINT ends the process with ``SystemExit(130)``, not ``KeyboardInterrupt``: click would turn that
    into "Aborted!" and exit 1, which a script cannot tell from a failed build. A second signal while
    the first is unwinding (the build waiting for its workers, writing last.json) kills the children
    again but does not interrupt that clean-up. Only in the main thread; the handlers are restored after.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def on_signal(signum, frame):
        global _signalled
        stopped = stop_all()
        if _signalled:
            return
        _signalled = True
        processes = f"{stopped} running process{'es' if stopped != 1 else ''} with it"
        print(f"cmfc: stopped by {signal.Signals(signum).name} ({processes})" + (f"; {note}" if note else ""),
              file=sys.stderr, flush=True)
        raise SystemExit(128 + signum)

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        _stopping.clear()


def clear_stopping() -> None:
    """Let children start again after :func:`stop_all` (``cmfc watch``: the cancelled build has ended)."""
    with _lock:
        _stopping.clear()
