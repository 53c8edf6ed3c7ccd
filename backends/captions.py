"""The captions target (manual stage 7): ``captions/<PROJECT>.srt`` for upload, ``captions/<PROJECT>.ass`` to burn in.

Both come from the same groups (``cmfc.captions.group_words``); the ASS carries the 70/30 rule as two styles
(Base, Accent) at the project's resolution, in the font family resolved once (``Project.font_family``). See docs/timelines.md.
"""

from __future__ import annotations

from cmfc.captions import ass_document, group_words, srt_document
from cmfc.ir.models import Project

__all__ = ["STAGE", "units", "emit"]
STAGE = "05_assembly"


def units(project: Project, frameworks) -> list:
    """One action for the project: the words grouped and styled in the brand."""
    from cmfc.backends import Unit
    from cmfc.ir.views import timeline_view

    files = (f"captions/{project.id}.ass", f"captions/{project.id}.srt")
    return [Unit("captions", timeline_view(project, brand=True), files, reads=("words", "font"))]


def emit(project: Project, ctx) -> dict[str, bytes]:
    """``captions/<PROJECT>.srt`` and ``captions/<PROJECT>.ass`` (UTF-8, LF line ends)."""
    groups = group_words(project, ctx.words)
    return {
        f"captions/{project.id}.srt": srt_document(groups, project.format.fps).encode("utf-8"),
        f"captions/{project.id}.ass": ass_document(project, groups, project.font_family).encode("utf-8"),
    }
