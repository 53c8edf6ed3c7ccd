"""Run the embedded ffmpeg (imageio-ffmpeg's binary) with reproducible flags and readable errors."""

from __future__ import annotations

import contextlib
import os
import subprocess
import tempfile
from pathlib import Path
from typing import Iterator, Sequence

from cmfc import children
from cmfc.diagnostics import CmfError, Diagnostic, Span
from cmfc.fsutil import publish

# No encoder/version strings, no creation time: the same inputs give the same bytes.
BITEXACT = ("-fflags", "+bitexact", "-flags", "+bitexact", "-map_metadata", "-1", "-map_chapters", "-1")


def ffmpeg_exe() -> str:
    """Path of the ffmpeg binary shipped in the imageio-ffmpeg wheel."""
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def run_ffmpeg(args: Sequence[str], what: str, subject: str | os.PathLike = "") -> subprocess.CompletedProcess:
    """Run ``ffmpeg -hide_banner -nostdin <args>``; a failure is a CmfError saying ``what`` failed and why."""
    command = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-y", *map(str, args)]
    try:
        result = children.run(command)
    except OSError as error:
        raise CmfError([Diagnostic(Span(str(subject)), f"{what}: cannot run ffmpeg: {error}")]) from None
    if result.returncode != 0:
        raise ffmpeg_failure(what, subject, result.stderr)
    return result


def ffmpeg_failure(what: str, subject: str | os.PathLike, stderr: bytes) -> CmfError:
    """``<what> failed: <ffmpeg's last 3 lines>``, with what to do when the disk is full or read-only."""
    lines = [line for line in stderr.decode("utf-8", "replace").splitlines() if line.strip()]
    tail, hint = lines[-3:], None
    for phrases, advice in (
            (("No space left on device", "Disk quota exceeded"),
             "the disk is full: free some space (`cmfc gc SPEC` drops cache entries nothing uses) and build again"),
            (("Read-only file system", "Permission denied"), "make the folder it names writable, then build again")):
        cause = next((line for line in lines if any(p in line for p in phrases)), None)
        if cause is not None:  # ffmpeg says it early, then its summary: keep the line that names the file
            tail, hint = [cause] + [line for line in tail if line != cause][-2:], advice
            break
    return CmfError([Diagnostic(Span(str(subject)), f"{what} failed: " + " | ".join(tail), hint=hint)])


@contextlib.contextmanager
def atomic_output(out_path: str | os.PathLike) -> Iterator[Path]:
    """A temporary path next to ``out_path`` (same extension, so ffmpeg picks the format), renamed on success."""
    target = Path(out_path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=target.suffix, dir=target.parent)
    os.close(fd)
    try:
        yield Path(name)
        publish(name, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(name)
