"""The Resolve target (manual §4.5): the edit as FCP 7 XML, FCPXML 1.8 and OpenTimelineIO.

``resolve/<PROJECT>.xml``, ``.fcpxml`` and ``.otio`` describe one edit (``edit.build_edit``). Media URLs
are relative to the export folder ``03_OUTPUT/<PROJECT>/05_assembly/`` so the compiled files are identical
on every machine; ``urls.localize`` rewrites them to absolute ``file://localhost/…`` URLs when ``cmfc build``
materialises them. See docs/timelines.md.
"""

from __future__ import annotations

from cmfc.ir.models import Project

__all__ = ["STAGE", "units", "emit"]
STAGE = "05_assembly"


def units(project: Project, frameworks) -> list:
    """One action for the project: the edit reads the timeline view, the words, the music and the SFX files."""
    from cmfc.backends import Unit
    from cmfc.ir.views import timeline_view

    files = tuple(f"resolve/{project.id}.{ext}" for ext in ("fcpxml", "otio", "xml"))
    return [Unit("resolve", timeline_view(project, brand=False), files, reads=("words", "music", "sfx"))]


def emit(project: Project, ctx) -> dict[str, bytes]:
    """``resolve/<PROJECT>.xml`` (xmeml v5), ``.fcpxml`` (FCPXML 1.8) and ``.otio`` (OTIO JSON)."""
    from cmfc.backends.resolve import fcpxml, otio_export, xmeml
    from cmfc.backends.resolve.edit import build_edit

    edit = build_edit(project, ctx)
    return {
        f"resolve/{project.id}.xml": xmeml.write(edit),
        f"resolve/{project.id}.fcpxml": fcpxml.write(edit),
        f"resolve/{project.id}.otio": otio_export.write(edit),
    }
