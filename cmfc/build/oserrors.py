"""Operating-system errors as sentences: what could not be done, to which path, and what to do.

A full disk, a read-only folder, a file where a folder belongs are the user's machine, not a bug in
cmfc: they get one line naming the path and a hint, never a traceback. Errors with other numbers
(a path cmfc computed wrong is a bug) keep their traceback.
"""

from __future__ import annotations

import contextlib
import errno
import os
from pathlib import Path

from cmfc.diagnostics import CmfError, Diagnostic, Span

# What the user's machine does to a build, as opposed to what a bug in cmfc does.
ENVIRONMENT = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM, errno.EISDIR, errno.ENOTDIR,
               errno.EEXIST, errno.EIO, errno.EMFILE, errno.ENFILE, errno.ETXTBSY, errno.EFBIG, errno.ENAMETOOLONG}

FREE_SPACE = "free some space (`cmfc gc SPEC` drops cache entries nothing uses) and run the build again"


def is_environment(exc: BaseException) -> bool:
    """True for an OSError the machine caused (disk full, read-only, permission, path kind)."""
    return isinstance(exc, OSError) and exc.errno in ENVIRONMENT


def describe(exc: OSError, path: str | os.PathLike | None = None, root: Path | None = None,
             doing: str = "write") -> tuple[str, str]:
    """(message, hint) for ``exc`` met while ``doing`` ``path`` (default: the path the error names)."""
    where = _shown(path if path is not None else exc.filename, root)
    number = exc.errno
    if number in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        what = "no space left on the device" if number != errno.EDQUOT else "the disk quota is used up"
        return (f"{what} while writing {where}" if where else what), FREE_SPACE
    if number == errno.EROFS:
        return f"cannot {doing} {where}: the file system is read-only", \
            "build a copy of the project on a writable disk, or remount it read-write"
    if number in (errno.EACCES, errno.EPERM):
        return f"cannot {doing} {where}: permission denied", \
            "make the folder writable for you (e.g. chmod u+w on it, or chattr -i if it was made immutable)"
    if number == errno.EISDIR:
        return f"{where} is a folder, but the build writes a file there", \
            "move or rename that folder and run the build again"
    if number in (errno.ENOTDIR, errno.EEXIST):
        blocking = _blocking_file(path if path is not None else exc.filename, root)
        stands = f"{_shown(blocking, root)} is a file" if blocking else "a file stands"
        return f"cannot {doing} {where}: {stands} where the build needs a folder", \
            "move or rename that file and run the build again"
    reason = exc.strerror or str(exc)
    return (f"cannot {doing} {where}: {reason}" if where else reason), "fix that and run the build again"


def sentence(exc: OSError, path: str | os.PathLike | None = None, root: Path | None = None,
             doing: str = "write") -> str:
    """``describe`` as one line: ``message; hint``; the previous outputs are named as untouched."""
    message, hint = describe(exc, path, root, doing)
    return f"{message}; {hint} (the outputs already there are untouched)"


def disk_error(exc: OSError, path: str | os.PathLike | None = None, root: Path | None = None,
               doing: str = "write") -> CmfError:
    """A CmfError (exit 1, no traceback) for ``exc``, with the path as its span."""
    message, hint = describe(exc, path, root, doing)
    where = _shown(path if path is not None else exc.filename, root) or "cmfc"
    return CmfError([Diagnostic(Span(where), message, hint=hint + " (the outputs already there are untouched)")])


@contextlib.contextmanager
def disk_errors(root: Path | None = None, path: str | os.PathLike | None = None, doing: str = "write"):
    """The machine's errors inside the block (full disk, read-only folder, a file where a folder belongs)
    become a CmfError: exit 1 and a sentence, no traceback. Other OSErrors are bugs and pass through."""
    try:
        yield
    except OSError as exc:
        if not is_environment(exc):
            raise
        raise disk_error(exc, path, root, doing) from None


def _shown(path, root: Path | None) -> str:
    """``path`` relative to the project when it is inside it, else as given."""
    if path is None:
        return ""
    path = Path(os.fsdecode(path))
    if root is not None and path.is_absolute():
        try:
            return path.relative_to(root).as_posix()
        except ValueError:
            pass
    return str(path)


def _blocking_file(path, root: Path | None) -> Path | None:
    """The nearest parent of ``path`` that exists and is not a folder."""
    if path is None:
        return None
    path = Path(os.fsdecode(path))
    if not path.is_absolute() and root is not None:
        path = root / path
    for parent in path.parents:
        if parent.exists():
            return None if parent.is_dir() else parent
    return None
