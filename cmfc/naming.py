"""The manual's output layout and asset names (§2.4, §4.2): one place, so every stage agrees.

``03_OUTPUT/<PROJECT_ID>/{01_narrative,02_sonic,03_mining,04_fabrication,05_assembly}/`` and
``[PROJECT_ID]_[SCENE]_[ROLE]_[TYPE]_[VERSION].[EXT]``, e.g. ``PROJ_Alpha_SC_03_ICON_RAW_v01.mp4``.
"""

from __future__ import annotations

from pathlib import PurePosixPath

from cmfc.ir.models import Project, Scene

OUTPUT_ROOT = "03_OUTPUT"
STAGE_DIRS = {
    "narrative": "01_narrative",
    "sonic": "02_sonic",
    "mining": "03_mining",
    "fabrication": "04_fabrication",
    "assembly": "05_assembly",
}
ROLES = ("ICON", "PERF", "DROLL", "EROLL", "CROLL")
TYPES = ("RAW", "FX")


def stage_dir(project_id: str, stage: str) -> PurePosixPath:
    """``03_OUTPUT/<id>/<NN_stage>`` (project-relative)."""
    return PurePosixPath(OUTPUT_ROOT, project_id, STAGE_DIRS[stage])


def asset_name(project_id: str, scene_id: str, role: str, kind: str, version: int, ext: str) -> str:
    """``PROJ_Alpha_SC_03_ICON_RAW_v01.mp4``."""
    assert role in ROLES and kind in TYPES, (role, kind)
    return f"{project_id}_{scene_id}_{role}_{kind}_v{version:02d}.{ext}"


def scene_role(project: Project, scene: Scene, template_role: str) -> str:
    """The asset role of a scene's footage: what its hero and motion make it, else its template's role.

    Resolution calls this once per scene (``Scene.role``); targets read the role from the IR.
    """
    if scene.motion is not None and scene.motion.kind == "onetoall":
        return "PERF"
    if scene.hero is not None and scene.hero.kind == "lora":
        return "ICON"
    if scene.hero is not None and scene.hero.kind == "clip":
        return "DROLL"
    return template_role


def picked_take(scene: Scene) -> int:
    """The take the Director picked (``pick v02`` → 2), or 1."""
    return int(scene.pick[1:]) if scene.pick else 1


def hero_name(project_id: str, scene_id: str, lit: bool = False, take: int | None = None) -> str:
    """``PROJ_Alpha_SC_01_HERO.png`` / ``..._HERO_LIT.png`` (``_v02`` inserted for takes beyond the first)."""
    suffix = "_LIT" if lit else ""
    version = f"_v{take:02d}" if take is not None else ""
    return f"{project_id}_{scene_id}_HERO{suffix}{version}.png"


def final_name(project_id: str, preview: bool = False) -> str:
    """``PROJ_Alpha_FINAL.mp4`` (``PROJ_Alpha_PREVIEW.mp4`` for the rough cut)."""
    return f"{project_id}_{'PREVIEW' if preview else 'FINAL'}.mp4"


def sonic_name(project_id: str, kind: str) -> str:
    """``PROJ_Alpha_MASTER.wav`` / ``PROJ_Alpha_VOICE_CLEAN.wav``: the 02_sonic stems."""
    assert kind in ("MASTER", "VOICE_CLEAN", "MUSIC"), kind
    return f"{project_id}_{kind}.wav"
