"""One build per project at a time: an exclusive, non-blocking ``flock`` on ``.cmfc/lock``."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from cmfc.diagnostics import CmfError, Diagnostic, Span


class ProjectLock:
    """Context manager holding ``.cmfc/lock``; the file carries the holder's pid for the message."""

    def __init__(self, lock_file: Path):
        self.lock_file = lock_file
        self.fd: int | None = None

    def __enter__(self) -> "ProjectLock":
        self.lock_file.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.lock_file, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 64).decode(errors="replace").strip() or "unknown"
            os.close(fd)
            raise CmfError([Diagnostic(
                Span(str(self.lock_file)),
                f"another cmfc build is running in this project (pid {holder})",
                hint="wait for it to finish, or stop that process; nothing was changed",
            )]) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self.fd = fd
        return self

    def __exit__(self, *exc) -> None:
        if self.fd is not None:
            # The pid stays in the file; it is only read while someone holds the lock.
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)
            self.fd = None
