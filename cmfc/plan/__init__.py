"""The planner: the resolved IR becomes the build graph (a list of actions for ``cmfc.build``).

Each action's params are the IR view it reads (see ``views``), so editing one scene
re-plans only that scene's actions plus the project-wide ones (timelines, captions,
assembly); changing the brand touches only what draws the brand; changing the seed
touches only generation.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cmfc.backends import BACKENDS
from cmfc.build import Action, ActionInput, FileInput, Output
from cmfc.check import Compiled
from cmfc.ir.canonical import canonical_data


@dataclass(frozen=True)
class PlanOptions:
    """What the user asked for on the command line."""

    targets: tuple[str, ...] = ("ir", *BACKENDS)  # the IR and every registered target
    render: bool = True  # the local executor's pictures, mix and assembly (the finished MP4)
    preview: bool = False  # the Director's rough cut: quarter size, fast preset, cached apart from the master
    generator: dict | None = None  # {stage: executor identity} for the stages an executor runs (generate takes)
    compositor: dict | None = None  # the Natron compositor's identity (composite actions), None: local ffmpeg


def plan_project(compiled: Compiled, options: PlanOptions = PlanOptions()) -> list[Action]:
    """Every action of the build, in a stable order."""
    from cmfc.backends import available_targets

    from cmfc.plan.sound_actions import music_analysis_actions

    available = set(available_targets()) | {"ir"}
    actions: list[Action] = []
    if options.render or "ir" in options.targets:
        actions += music_analysis_actions(compiled)
    for target in options.targets:
        if target in available:
            actions.extend(_compile_actions(compiled, target))
    if options.render and compiled.project.scenes:
        from cmfc.plan.assembly_actions import assembly_actions
        from cmfc.plan.picture_actions import picture_actions, scene_segment_id
        from cmfc.plan.sound_actions import sound_actions

        from cmfc.plan.generate_actions import generation_actions

        generated, takes = generation_actions(compiled, options.generator, _built_generated(compiled))
        actions += generated
        from cmfc.plan.composite_actions import composite_actions

        composited, composites = composite_actions(compiled, options.compositor, takes)
        actions += composited
        takes = {**takes, **composites}
        actions += sound_actions(compiled, options.preview) + picture_actions(compiled, options.preview, takes)
        segment_ids = [scene_segment_id(scene.id, options.preview) for scene in compiled.project.scenes]
        actions += assembly_actions(compiled.project, segment_ids, options.preview)
    return actions


def _built_generated(compiled: Compiled) -> frozenset[str]:
    """The takes the last build wrote (its manifest), so a file there is not mistaken for a hand-made one."""
    from cmfc.build.manifest import read_manifest

    doc = read_manifest(compiled.location.root / "03_OUTPUT" / compiled.project.id / "manifest.json")
    entries = doc["outputs"] if doc else []
    return frozenset(e["path"] for e in entries if str(e.get("kind", "")).startswith("generate."))


def _frameworks_inputs(compiled: Compiled) -> dict:
    digest = getattr(compiled.frameworks, "source_digest", "")
    return {"frameworks": digest}


def _compile_actions(compiled: Compiled, target: str) -> list[Action]:
    """The target's compile actions: one per unit it declares (``backends``: the view it reads, the files it writes)."""
    from cmfc.backends import target_module

    project = compiled.project
    if target == "ir":
        from cmfc.plan.sound_actions import MUSIC_ANALYSIS_ID, music_analysed

        # The music's facts come from the analysis action (so the IR's key is the same whether check
        # analysed the music or left it to the build); compile:ir puts them back.
        music = {"music_analysis": ActionInput(MUSIC_ANALYSIS_ID, "analysis")} if music_analysed(compiled) else {}
        view = project.model_copy(update={"music_facts": None})
        return [_compile_action("compile:ir", target, view, ["ir.json"], music, compiled, None)]
    return [_compile_action(f"compile:{unit.id}", target, unit.view, unit.files, _unit_inputs(compiled, unit.reads),
                            compiled, unit.scene)
            for unit in target_module(target).units(project, compiled.frameworks)]


def _compile_action(action_id, target, view, files, inputs, compiled, scene, extra_inputs=None) -> Action:
    from cmfc.plan.compile_actions import output_name, output_path

    project_id = compiled.project.id
    params = {"target": target, "project": canonical_data(view), "files": sorted(files),
              **_frameworks_inputs(compiled)}
    return Action(
        id=action_id, kind="compile.target", params=params, inputs={**inputs, **(extra_inputs or {})},
        outputs=tuple(Output(output_name(f), output_path(project_id, target, f), origin="compiled")
                      for f in sorted(files)),
        scene=scene,
    )


def _unit_inputs(compiled: Compiled, reads: tuple[str, ...]) -> dict:
    """The files a unit reads besides the IR, as action inputs: words, the font, the music, the SFX it uses, overrides."""
    project = compiled.project
    inputs: dict = {}
    if "words" in reads and project.voice.words:
        inputs["words"] = FileInput(project.voice.words)
    if "font" in reads and project.brand.font:
        inputs["font"] = FileInput(project.brand.font)
    if "music" in reads and project.music is not None:
        inputs["music"] = FileInput(project.music.path)
    if "sfx" in reads:
        for start in sorted(project.sfx_starts, key=lambda s: s.name):
            if start.path is not None:
                inputs[f"sfx_{start.name}"] = FileInput(start.path)
    if "comfyui_overrides" in reads:
        inputs.update(_overrides(compiled.location.root, "comfyui"))
    if "natron_master" in reads and project.natron_master:
        inputs["master_comp"] = FileInput(project.natron_master)
    return inputs


def _overrides(root: Path, folder: str) -> dict:
    """A project's own workflow files (e.g. comfyui/hero_zimage.json) are inputs of the actions that use them."""
    base = root / folder
    if not base.is_dir():
        return {}
    return {f"override_{p.name}": FileInput(f"{folder}/{p.name}") for p in sorted(base.glob("*.json"))}
