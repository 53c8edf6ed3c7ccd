"""Media URLs of the Resolve timelines: portable (relative) when compiled, absolute when materialised.

The compiled files name media by percent-encoded URLs relative to the export folder
(``03_OUTPUT/<PROJECT>/05_assembly/``), e.g. ``../04_fabrication/PROJ_SC_01_ICON_FX_v01.mp4``, so they are
byte-identical on every machine. Resolve links media only by absolute ``file://localhost/…`` URLs, so
``cmfc build`` rewrites them with ``localize`` for the folder the export will sit in when Resolve opens it.
"""

from __future__ import annotations

import posixpath
import re
from pathlib import Path, PurePath, PurePosixPath
from urllib.parse import quote, unquote

from cmfc.naming import stage_dir

KINDS = ("xml", "fcpxml", "otio")
# Our writers emit URLs percent-encoded (no quotes, '<' or '&'), so these patterns see each one whole.
_PATTERNS = {
    "xml": re.compile(rb"(<pathurl>)([^<]*)(</pathurl>)"),
    "fcpxml": re.compile(rb'(\ssrc=")([^"]*)(")'),
    "otio": re.compile(rb'("target_url": ")([^"]*)(")'),
}


def relative_url(target: str | PurePosixPath, export_dir: str | PurePosixPath) -> str:
    """A project-relative path as a percent-encoded URL relative to ``export_dir`` (also project-relative)."""
    relative = posixpath.relpath(PurePosixPath(target).as_posix(), PurePosixPath(export_dir).as_posix())
    return quote(relative, safe="/")


def export_folder(project_root: Path, project_id: str) -> Path:
    """Where the timelines are materialised under a project root: ``<root>/03_OUTPUT/<ID>/05_assembly``."""
    return Path(project_root) / stage_dir(project_id, "assembly")


def absolute_url(relative: str, media_root: PurePath) -> str:
    """``relative`` (percent-encoded, relative to ``media_root``) as ``file://localhost/…``; absolute URLs pass."""
    if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", relative):
        return relative
    base = PurePath(media_root).as_posix()
    if not base.startswith("/"):
        base = "/" + base  # a Windows drive path: file://localhost/D:/…
    path = posixpath.normpath(posixpath.join(base, unquote(relative)))
    if path.startswith("//"):
        path = "/" + path.lstrip("/")
    return "file://localhost" + quote(path, safe="/")


def localize(data: bytes, kind: str, media_root: Path) -> bytes:
    """A compiled timeline (``kind`` = ``xml``, ``fcpxml`` or ``otio``) with its relative media URLs made absolute.

    ``media_root`` is the folder the file will sit in when Resolve opens it (see ``export_folder``).
    """
    if kind not in _PATTERNS:
        raise ValueError(f"unknown timeline kind {kind!r}; expected one of {', '.join(KINDS)}")

    def rewrite(match: re.Match) -> bytes:
        url = absolute_url(match.group(2).decode("utf-8"), media_root)
        return match.group(1) + url.encode("ascii") + match.group(3)

    return _PATTERNS[kind].sub(rewrite, data)
