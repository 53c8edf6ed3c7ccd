"""Picture actions (stages 3–5 on the local executor): one segment per scene, exactly its slot's frames.

Where a scene needs a generator (hero lora/zimage, motion wan22/onetoall) and none is
configured, the segment is an honest storyboard card (the manifest says ``storyboard``).
A segment's params are its ``SegmentRequest``: editing one scene re-renders that segment
only; a caption edit re-renders only the segments whose caption groups changed.
"""

from __future__ import annotations

from pathlib import PurePosixPath

from cmfc.build import Action, ActionInput, FileInput, Output, register
from cmfc.check import Compiled
from cmfc.ir.models import Project, Scene
from cmfc.naming import asset_name, picked_take, scene_role, stage_dir

PICTURE_VERSION = "1"
PLACEHOLDER_VERSION = "1"
TRANSITIONS_FROM_PREVIOUS = ("crossfade",)


def _placeholder(ctx) -> None:
    """The manual's Black Screen Placeholder: the slot's length in black with the scene id (§3.9)."""
    from cmfc.render.placeholder import black_segment

    request = ctx.params["request"]
    black_segment(request["scene_id"], request["width"], request["height"], request["fps"], request["frames"],
                  request.get("preview", False), ctx.output_path("segment"))


@register("render.segment", version=PICTURE_VERSION, placeholder=_placeholder)
def run_segment(ctx) -> None:
    """Render the scene's segment (and keep its last frame for the next scene's transition)."""
    from cmfc.render.segment import SegmentRequest, last_frame, render_segment

    params = dict(ctx.params["request"])
    if "previous" in ctx.action.inputs:
        params["previous"] = str(ctx.input_path("previous"))
    request = SegmentRequest.from_params(params)
    render_segment(request, ctx.project_root, ctx.output_path("segment"), progress=ctx.progress)
    ctx.output_path("last_frame").write_bytes(last_frame(ctx.output_path("segment"), request.frames, request.fps))


def picture_actions(compiled: Compiled, preview: bool) -> list[Action]:
    """One ``render:<scene>`` action per scene, in timeline order."""
    project = compiled.project
    captions = _captions_by_scene(compiled)
    actions = []
    for index, scene in enumerate(project.scenes):
        request, inputs, origin = segment_request(compiled, scene, preview, captions.get(scene.id))
        previous_id = actions[-1].id if actions else None
        if previous_id and any(use.name in TRANSITIONS_FROM_PREVIOUS for use in scene.fx):
            inputs["previous"] = ActionInput(previous_id, "last_frame")
        suffix = ":preview" if preview else ""
        role = scene_role(project, scene, compiled.frameworks.templates[scene.template].role)
        folder = stage_dir(project.id, "fabrication") / ("preview" if preview else "")
        name = asset_name(project.id, scene.id, role, "FX", picked_take(scene), "mp4")
        actions.append(Action(
            id=f"render:{scene.id}{suffix}", kind="render.segment", params={"request": request}, inputs=inputs,
            outputs=(Output("segment", str(PurePosixPath(folder, name)), provided=origin == "provided", origin=origin),
                     Output("last_frame")),
            scene=scene.id,
        ))
    return actions


def needs_generator(scene: Scene) -> bool:
    """True when the scene's pixels must be generated (hero lora/zimage, motion wan22/onetoall)."""
    return (scene.hero is not None and scene.hero.kind in ("lora", "zimage")) or \
        (scene.motion is not None and scene.motion.kind in ("wan22", "onetoall"))


def segment_request(compiled: Compiled, scene: Scene, preview: bool, captions: str | None):
    """The scene's SegmentRequest params, its file inputs, and the manifest origin of its pixels."""
    from cmfc.render.card import Card
    from cmfc.render.effects import effect_frames
    from cmfc.render.motion import KenBurns
    from cmfc.render.segment import Effect, SegmentRequest, Style, Text
    from cmfc.render.source import Fit

    project = compiled.project
    fps = project.format.fps
    frames = scene.slot.length
    inputs: dict = {}
    if needs_generator(scene):
        source, path, origin = "card", None, "storyboard"
        prompt = (scene.motion.prompt if scene.motion and scene.motion.prompt else None) or \
            (scene.hero.prompt if scene.hero and scene.hero.prompt else "") or ""
        reason = _generator_reason(scene)
        card = Card(template=scene.template, subject=scene.subject or "", prompt=prompt,
                    slot_start=scene.slot.start, slot_end=scene.slot.end, reason=reason,
                    text_zone=(scene.text.placement or "center") if scene.text else "")
    elif scene.hero is not None and scene.hero.path:
        source, path, origin, card = scene.hero.kind, scene.hero.path, "provided", None
        inputs["hero"] = FileInput(path)
    else:
        source, path, origin = "card", None, "storyboard"
        card = Card(template=scene.template, subject=scene.subject or "", prompt=scene.line or "",
                    slot_start=scene.slot.start, slot_end=scene.slot.end, reason="no hero given")
    motion = None
    if scene.motion is not None and scene.motion.kind == "kenburns":
        motion = KenBurns(tuple(scene.motion.zoom or (1.0, 1.1)), scene.motion.pan or "none")
    elif source == "image" and (scene.motion is None or scene.motion.kind != "none"):
        motion = KenBurns((1.0, 1.06), "none")  # a provided still never sits dead: a gentle push-in by default
    fit = Fit(scene.fit.mode, scene.fit.speed) if scene.fit else Fit()
    effects = []
    for use in scene.fx:
        at = use.at.to_frames(fps) if use.at is not None else None
        until = use.until.to_frames(fps) if use.until is not None else None
        start, end = effect_frames(use.name, use.params, at, until, fps, frames)
        effects.append(Effect(use.name, dict(use.params), start, end))
    font = project.brand.font
    if font:
        inputs["font"] = FileInput(font)
    request = SegmentRequest(
        scene_id=scene.id, width=project.format.width, height=project.format.height, fps=fps, frames=frames,
        source=source, path=path, card=card, motion=motion, fit=fit,
        text=Text(scene.text.content, scene.text.placement) if scene.text else None,
        effects=tuple(effects), style=Style(font, str(project.brand.base), str(project.brand.highlight)),
        captions=captions, preview=preview,
    )
    return request.params(), inputs, origin


def _generator_reason(scene: Scene) -> str:
    wanted = []
    if scene.hero is not None and scene.hero.kind in ("lora", "zimage"):
        wanted.append(f"hero {scene.hero.kind}")
    if scene.motion is not None and scene.motion.kind in ("wan22", "onetoall"):
        wanted.append(f"motion {scene.motion.kind}")
    return " + ".join(wanted) + " need a generator; none is configured"


def _captions_by_scene(compiled: Compiled) -> dict[str, str]:
    """Each scene's caption groups as an ASS document timed from the scene's start (scenes without: absent)."""
    from cmfc.captions import ass_document, font_family, group_words
    from cmfc.ir.values import SAMPLE_RATE

    project: Project = compiled.project
    groups = group_words(project, compiled.words)
    family = font_family(project, compiled.location.root)
    documents = {}
    for scene in project.scenes:
        only = [i for i, group in enumerate(groups) if group.scene_id == scene.id]
        if only:
            offset = scene.slot.start * SAMPLE_RATE // project.format.fps
            documents[scene.id] = ass_document(project, groups, family, offset_samples=offset, only=only)
    return documents
