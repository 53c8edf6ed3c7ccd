"""The planner: the resolved IR becomes the build graph (a list of actions for ``cmfc.build``).

Each action's params are the IR view it reads (see ``views``), so editing one scene
re-plans only that scene's actions plus the project-wide ones (timelines, captions,
assembly); changing the brand touches only what draws the brand; changing the seed
touches only generation.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cmfc.build import Action, ActionInput, FileInput, Output
from cmfc.check import Compiled
from cmfc.ir.canonical import canonical_data


@dataclass(frozen=True)
class PlanOptions:
    """What the user asked for on the command line."""

    targets: tuple[str, ...] = ("ir", "comfyui", "natron", "captions", "resolve", "timeline")
    render: bool = True  # the local executor's pictures, mix and assembly (the finished MP4)
    preview: bool = False  # the Director's rough cut: quarter size, fast preset, cached apart from the master
    generator: dict | None = None  # {stage: executor identity} for the stages an executor runs (generate takes)


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
    from cmfc.plan import compile_actions as ca
    from cmfc.plan.views import scene_view, skeleton_view, timeline_view

    project = compiled.project
    root = compiled.location.root
    words_input = _words_input(compiled)
    if target == "comfyui":
        from cmfc.backends.comfyui.emit import payload_names

        actions = []
        for scene in project.scenes:
            view = scene_view(project, scene, brand=False, seed=True)
            files = payload_names(view, scene, compiled.frameworks)
            if files:
                actions.append(_compile_action(f"compile:comfyui:{scene.id}", target, view, files, {}, compiled,
                                               scene.id, _overrides(root, "comfyui")))
        return actions
    if target == "natron":
        from cmfc.check.natron_template import TEMPLATE_PATH

        # A project's master comp is an input of every Natron action (each scene is injected into it,
        # render.sh names its Write node) and replaces the generated .py form.
        master = {"master_comp": FileInput(TEMPLATE_PATH)} if (root / TEMPLATE_PATH).is_file() else {}
        actions = []
        for scene in project.scenes:
            view = scene_view(project, scene, brand=True, seed=False)
            files = [f"natron/{project.id}_{scene.id}.ntp"] + ([] if master else [f"natron/{project.id}_{scene.id}.py"])
            actions.append(_compile_action(f"compile:natron:{scene.id}", target, view, files, master, compiled, scene.id))
        scripts = ["natron/render.sh", "natron/cmfc_paths.py"]
        actions.append(_compile_action("compile:natron:render", target, skeleton_view(project), scripts,
                                       master, compiled, None))
        return actions
    if target == "ir":
        from cmfc.plan.sound_actions import MUSIC_ANALYSIS_ID, music_analysed

        # The music's facts come from the analysis action (so the IR's key is the same whether check
        # analysed the music or left it to the build); compile:ir puts them back.
        music = {"music_analysis": ActionInput(MUSIC_ANALYSIS_ID, "analysis")} if music_analysed(compiled) else {}
        view = project.model_copy(update={"music_facts": None})
        return [_compile_action("compile:ir", target, view, ["ir.json"], music, compiled, None)]
    view = timeline_view(project, brand=target == "captions")
    words_input = {**words_input, **_media_inputs(compiled, target)}
    files = {
        "captions": [f"captions/{project.id}.srt", f"captions/{project.id}.ass"],
        "resolve": [f"resolve/{project.id}.xml", f"resolve/{project.id}.fcpxml", f"resolve/{project.id}.otio"],
        "timeline": ["timeline/timeline.json", "timeline/timeline.py"],
    }[target]
    return [_compile_action(f"compile:{target}", target, view, files, words_input, compiled, None)]


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


def _media_inputs(compiled: Compiled, target: str) -> dict:
    """Files a project-wide target reads besides the IR: the font (captions), music and SFX (timelines)."""
    project = compiled.project
    inputs: dict = {}
    if target == "captions" and project.brand.font:
        inputs["font"] = FileInput(project.brand.font)
    if target in ("resolve", "timeline") and project.music is not None:
        inputs["music"] = FileInput(project.music.path)
    if target in ("resolve", "timeline") and project.sfx_library:
        from cmfc.check.assets import sfx_names

        root = compiled.location.root.resolve()
        used = {cue.name for scene in project.scenes for cue in scene.sfx} | {a.sfx for a in project.auto_sfx}
        for name, path in sorted(sfx_names(root / project.sfx_library).items()):
            if name in used:
                inputs[f"sfx_{name}"] = FileInput(path.resolve().relative_to(root).as_posix())
    return inputs


def _words_input(compiled: Compiled) -> dict:
    words = compiled.project.voice.words
    return {"words": FileInput(words)} if words else {}


def _overrides(root: Path, folder: str) -> dict:
    """A project's own workflow files (e.g. comfyui/hero_zimage.json) are inputs of the actions that use them."""
    base = root / folder
    if not base.is_dir():
        return {}
    return {f"override_{p.name}": FileInput(f"{folder}/{p.name}") for p in sorted(base.glob("*.json"))}
