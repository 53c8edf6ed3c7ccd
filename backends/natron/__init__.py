"""The Natron compile target: per scene a ``.ntp`` and the same composite as a ``.py``, and ``render.sh``.

``natron/<PROJECT>_<SCENE>.ntp`` / ``.py``: Read (the scene's raw clip) → fit → the
scene's effects at their frames → kinetic Text → Merge → Write (``…_FX_vNN.mov``) at
the project's format and fps over frames 1..slot length. ``natron/render.sh`` renders
them all with NatronRenderer; ``natron/cmfc_paths.py`` anchors the project-relative
paths to the project root. See docs/natron.md.
"""

from __future__ import annotations

from importlib import resources

from cmfc.ir.models import Project

from .ntp import write_ntp
from .pyproject import write_py
from .render_script import RenderJob, output_dir, render_script
from .scene import SceneFiles, SceneInputs, build_scene, scene_files

__all__ = ["STAGE", "units", "emit"]
STAGE = "04_fabrication"


def units(project: Project, frameworks) -> list:
    """One action per scene (its composite, reading that scene only) and one for the render scripts."""
    from cmfc.backends import Unit
    from cmfc.ir.views import scene_view, skeleton_view

    found = [Unit(f"natron:{scene.id}", scene_view(project, scene, brand=True, seed=False),
                  (f"natron/{project.id}_{scene.id}.ntp", f"natron/{project.id}_{scene.id}.py"), scene.id)
             for scene in project.scenes]
    return found + [Unit("natron:render", skeleton_view(project), ("natron/cmfc_paths.py", "natron/render.sh"))]


def emit(project: Project, ctx) -> dict[str, bytes]:
    """Every Natron file of ``project``, by path relative to the compile folder."""
    files: dict[str, bytes] = {}
    jobs: list[RenderJob] = []
    previous: tuple[SceneFiles, int] | None = None
    fmt = project.format
    for scene in project.scenes:
        paths = scene_files(scene)
        facts = (ctx.media_facts or {}).get(paths.raw) or {}
        inputs = SceneInputs(paths, previous, project.font_family, facts.get("frames"))
        graph = build_scene(project, scene, inputs)
        length = max(1, scene.slot.length)
        stem = f"{project.id}_{scene.id}"
        files[f"natron/{stem}.ntp"] = write_ntp(graph, fmt.width, fmt.height, fmt.fps, length)
        title = f"{project.id} {scene.id}: frames 1-{length} at {fmt.fps} fps, {fmt.width}x{fmt.height}"
        files[f"natron/{stem}.py"] = write_py(graph, fmt.width, fmt.height, fmt.fps, length, title)
        jobs.append(RenderJob(stem, length, output_dir(paths.fx)))
        previous = (paths, length)
    files["natron/render.sh"] = render_script(project.id, jobs)
    files["natron/cmfc_paths.py"] = resources.files("cmfc.templates").joinpath("natron", "cmfc_paths.py").read_bytes()
    return files
