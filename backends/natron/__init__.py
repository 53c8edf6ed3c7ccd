"""The Natron compile target: per scene a ``.ntp`` and the same composite as a ``.py``, and ``render.sh``.

``natron/<PROJECT>_<SCENE>.ntp`` / ``.py``: Read (the scene's raw clip) → fit → the
scene's effects at their frames → kinetic Text → Merge → Write (``…_FX_vNN.mov``) at
the project's format and fps over frames 1..slot length. ``natron/render.sh`` renders
them all with NatronRenderer; ``natron/cmfc_paths.py`` anchors the project-relative
paths to the project root. A project's own master comp (``natron/MASTER_COMP.ntp``) replaces
the generated graph: each scene is injected into it by node label (``master.py``). See docs/natron.md.
"""

from __future__ import annotations

from importlib import resources

from cmfc.ir.models import Project

from cmfc.media.natron_template import load_template

from .master import inject, scene_values, writer_name
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

    # A master comp replaces the generated graph (so no .py form) and is read by every Natron action.
    forms = (".ntp",) if project.natron_master else (".ntp", ".py")
    reads = ("natron_master",) if project.natron_master else ()
    found = [Unit(f"natron:{scene.id}", scene_view(project, scene, brand=True, seed=False),
                  tuple(f"natron/{project.id}_{scene.id}{form}" for form in forms), scene.id, reads)
             for scene in project.scenes]
    return found + [Unit("natron:render", skeleton_view(project), ("natron/cmfc_paths.py", "natron/render.sh"),
                         None, reads)]


def emit(project: Project, ctx) -> dict[str, bytes]:
    """Every Natron file of ``project``, by path relative to the compile folder."""
    files: dict[str, bytes] = {}
    jobs: list[RenderJob] = []
    previous: tuple[SceneFiles, int] | None = None
    fmt = project.format
    # check vouched for the project's master comp; resolution says whether there is one
    template = load_template(ctx.root) if project.natron_master and ctx.root is not None else None
    for scene in project.scenes:
        paths = scene_files(scene)
        facts = (ctx.media_facts or {}).get(paths.raw) or {}
        inputs = SceneInputs(paths, previous, project.font_family, facts.get("frames"))
        length = max(1, scene.slot.length)
        stem = f"{project.id}_{scene.id}"
        if template is not None:
            values = scene_values(project, scene, paths, length)
            files[f"natron/{stem}.ntp"] = inject(template, values)
            jobs.append(RenderJob(stem, length, output_dir(paths.fx), writer_name(template), python_form=False))
            previous = (paths, length)
            continue
        graph = build_scene(project, scene, inputs)
        files[f"natron/{stem}.ntp"] = write_ntp(graph, fmt.width, fmt.height, fmt.fps, length)
        title = f"{project.id} {scene.id}: frames 1-{length} at {fmt.fps} fps, {fmt.width}x{fmt.height}"
        files[f"natron/{stem}.py"] = write_py(graph, fmt.width, fmt.height, fmt.fps, length, title)
        jobs.append(RenderJob(stem, length, output_dir(paths.fx)))
        previous = (paths, length)
    files["natron/render.sh"] = render_script(project.id, jobs)
    files["natron/cmfc_paths.py"] = resources.files("cmfc.templates").joinpath("natron", "cmfc_paths.py").read_bytes()
    return files
