"""The captions target (manual stage 7): ``captions/<PROJECT>.srt`` for upload, ``captions/<PROJECT>.ass`` to burn in.

Both come from the same groups (``cmfc.captions.group_words``); the ASS carries the 70/30 rule as two styles
(Base, Accent) at the project's resolution, in the font family resolved once (``Project.font_family``). See docs/timelines.md.
"""

from __future__ import annotations

from cmfc.captions import ass_document, group_words, srt_document
from cmfc.ir.models import Project

__all__ = ["emit"]


def emit(project: Project, ctx) -> dict[str, bytes]:
    """``captions/<PROJECT>.srt`` and ``captions/<PROJECT>.ass`` (UTF-8, LF line ends)."""
    groups = group_words(project, ctx.words)
    return {
        f"captions/{project.id}.srt": srt_document(groups, project.format.fps).encode("utf-8"),
        f"captions/{project.id}.ass": ass_document(project, groups, project.font_family).encode("utf-8"),
    }
