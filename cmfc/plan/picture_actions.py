"""Picture actions (stages 3–5 on the local executor): one segment per scene, exactly its slot's frames.

Where a scene needs a generator (hero lora/zimage, motion wan22/onetoall) and none is
configured, the segment is an honest storyboard card (the manifest says ``storyboard``).
A segment's params are its ``SegmentRequest``: editing one scene re-renders that segment
only; a caption edit re-renders only the segments whose caption groups changed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Sequence

from cmfc.build import Action, ActionInput, FileInput, Output, register
from cmfc.check import Compiled
from cmfc.ir.models import Project, Scene
from cmfc.render.encode import GOP_SECONDS

PICTURE_VERSION = "5"  # 2: x264 single-threaded, crt scanlines as a mask; 3: the last frame is its own action;
# 4: storyboard cards keep clear of the kinetic text and the captions; 5: stills on a 1/fps time base
PLACEHOLDER_VERSION = "1"
# Transitions that draw the outgoing scene (cmfc/render/effects_transitions.py): their head reads the
# previous scene's last frame; without it they come in from black.
TRANSITIONS_FROM_PREVIOUS = ("crossfade", "dip_to_black", "whip_pan", "zoom_through", "glitch_cut")
# Rough CPU seconds per rendered 1080x1920 frame, filters and one x264 thread (bench/bench_render_costs.py:
# 33-120 ms, most scenes 75-90), for the build's work order (Action.cost) and for cutting scenes into
# parts: x264 on temporal noise is the slow case, about 3x a plain frame.
SECONDS_PER_FRAME = 0.08
EXTRA_SECONDS_PER_FRAME = {"grain": 0.17}
# A scene body guessed slower than this renders in parts of whole GOPs, side by side on two workers:
# an edit to a 5 s scene then takes about half the time. A part skips the effects' work on the frames
# before it (render.segment), so a cut costs ~0.1-0.3 s of CPU.
PART_SECONDS = 6.0


def _placeholder(ctx) -> None:
    """The manual's Black Screen Placeholder: the slot's length in black with the scene id (§3.9)."""
    from cmfc.render.placeholder import black_segment

    request = ctx.params["request"]
    first, end = request.get("window") or (0, request["frames"])
    black_segment(request["scene_id"], request["width"], request["height"], request["fps"], end - first,
                  request.get("preview", False), ctx.output_path("segment"))


@register("render.segment", version=PICTURE_VERSION, placeholder=_placeholder)
def run_segment(ctx) -> None:
    """Render the scene's segment (or one window of it)."""
    from cmfc.render.segment import SegmentRequest, render_segment

    params = dict(ctx.params["request"])
    if "previous" in ctx.action.inputs:
        params["previous"] = str(ctx.input_path("previous"))
    render_segment(SegmentRequest.from_params(params), ctx.project_root, ctx.output_path("segment"),
                   progress=ctx.progress)


@register("render.last_frame", version=PICTURE_VERSION)
def run_last_frame(ctx) -> None:
    """The final frame of a scene's last render, as PNG, for the next scene's transition to read."""
    from cmfc.render.segment import last_frame

    ctx.output_path("last_frame").write_bytes(last_frame(ctx.input_path("segment"), ctx.params["frames"],
                                                         ctx.params["fps"]))


@register("render.join", version=PICTURE_VERSION)
def run_join(ctx) -> None:
    """A scene rendered in parts (transition head, body parts): joined (``-c copy``) into the scene's segment."""
    from cmfc.mix import concat_segments

    parts = sorted((name for name in ctx.action.inputs if name.startswith("part")), key=lambda name: int(name[4:]))
    target = ctx.output_path("segment")
    joined = target.with_name(target.name + ".mp4")  # ffmpeg picks the container by extension
    concat_segments([ctx.input_path(name) for name in parts], joined)
    joined.replace(target)


def picture_actions(compiled: Compiled, preview: bool, takes: dict | None = None) -> list[Action]:
    """The picture actions in timeline order; each scene's segment is the action ``render:<scene>``.

    A scene whose transition reads the previous scene (a crossfade) is split: ``render:<scene>:head``
    renders the transition's frames from the previous scene's last frame, ``render:<scene>:body`` the
    rest without it, and ``render:<scene>`` joins them, so an edit to one scene re-renders the next
    scene's head only, not all of it. A body slow enough to render (:data:`PART_SECONDS`) is rendered
    in parts, ``:body1``, ``:body2`` …, cut on keyframes, so an edit to the scene renders them side by side.
    The previous scene's last frame is read back (``render:<previous>:last``) only for a scene that needs it.
    """
    project = compiled.project
    captions = _captions_by_scene(compiled)
    actions: list[Action] = []
    last_render: Action | None = None  # the previous scene's last render action (its final window)
    previous_scene = ""
    suffix = ":preview" if preview else ""
    for scene in project.scenes:
        scene_captions = captions.get(scene.id)
        request, inputs, origin = segment_request(compiled, scene, preview,
                                                  scene_captions.document() if scene_captions else None,
                                                  (takes or {}).get(scene.id))
        segment = PurePosixPath(scene.outputs.segment)
        path = segment.parent / "preview" / segment.name if preview else segment
        outputs = (Output("segment", str(path), provided=origin == "provided", origin=origin),)
        scene_id = scene_segment_id(scene.id, preview)
        head = transition_head(request) if last_render else 0
        previous_id = ""
        if head:
            actions.append(_last_frame_action(last_render, previous_scene, suffix))
            previous_id = actions[-1].id
        # a transition over the whole scene reads the previous scene in every frame: one render
        windows = segment_windows(request, head) if head < request["frames"] else [(0, request["frames"])]
        if len(windows) > 1:
            actions += _split_scene(scene.id, suffix, request, inputs, previous_id, windows, bool(head), outputs,
                                    scene_captions)
            last_render = actions[-2]
        else:
            if head:
                inputs["previous"] = ActionInput(previous_id, "last_frame")
            actions.append(Action(id=scene_id, kind="render.segment", params={"request": request}, inputs=inputs,
                                  outputs=outputs, scene=scene.id, cost=render_cost(request)))
            last_render = actions[-1]
        previous_scene = scene.id
    return actions


def _last_frame_action(render: Action, scene: str, suffix: str) -> Action:
    """``render:<scene>:last``: the final frame of the scene's last render (its last window), as PNG.

    Its own action, planned only before a scene whose transition reads it: reading a frame back decodes
    up to a GOP (0.2–1.7 s at 1080x1920), and a transition added or removed never re-renders a scene.
    """
    request = render.params["request"]
    first, end = request.get("window") or (0, request["frames"])
    return Action(id=f"render:{scene}:last{suffix}", kind="render.last_frame",
                  params={"frames": end - first, "fps": request["fps"]},
                  inputs={"segment": ActionInput(render.id, "segment")}, outputs=(Output("last_frame"),), scene=scene,
                  cost=0.5)


def scene_segment_id(scene_id: str, preview: bool) -> str:
    """The action whose ``segment`` is the scene's whole segment (what assembly joins)."""
    return f"render:{scene_id}{':preview' if preview else ''}"


def render_cost(request: dict) -> float:
    """The planner's guess of a segment's render time in seconds (encoded frames, size, slow effects)."""
    first, end = request.get("window") or (0, request["frames"])
    seconds = SECONDS_PER_FRAME * (end - first)
    for effect in request["effects"]:
        overlap = min(end, effect["end"]) - max(first, effect["start"])
        seconds += EXTRA_SECONDS_PER_FRAME.get(effect["name"], 0.0) * max(0, overlap)
    return round(seconds * request["width"] * request["height"] / (1080 * 1920), 3)


def transition_head(request: dict) -> int:
    """Frames at the start of the segment that show the previous scene (0 when none does)."""
    return max((e["end"] for e in request["effects"] if e["name"] in TRANSITIONS_FROM_PREVIOUS), default=0)


def segment_windows(request: dict, head: int) -> list[tuple[int, int]]:
    """The frame windows a scene renders in: its transition head (if any), then the rest in parts.

    The rest is cut into about ``cost / PART_SECONDS`` parts on whole GOPs from its first frame, so
    every part starts on the keyframe a single render of the rest would place there (no extra keyframes).
    """
    frames, gop = request["frames"], round(request["fps"] * GOP_SECONDS)
    windows = [(0, head)] if head else []
    length = frames - head
    parts = max(1, min(math.ceil(render_cost({**request, "window": [head, frames]}) / PART_SECONDS),
                       length // gop))
    bounds = sorted({head, frames} | {head + round(length * k / parts / gop) * gop for k in range(1, parts)})
    return windows + [(a, b) for a, b in zip(bounds, bounds[1:]) if a < b]


def _split_scene(scene: str, suffix: str, request: dict, inputs: dict, previous_id: str,
                 windows: list[tuple[int, int]], has_head: bool, outputs: tuple,
                 captions: SceneCaptions | None) -> list[Action]:
    """One render per window (the head reads the previous scene, the body parts do not) + the join.

    Each part carries only the effects and the caption groups shown in its window: an edit to one
    renders the parts it touches.
    """
    bodies = len(windows) - has_head
    body_names = [":body"] if bodies == 1 else [f":body{i}" for i in range(1, bodies + 1)]
    names = ([":head"] if has_head else []) + body_names
    actions = []
    for name, window in zip(names, windows):
        part = {**request, "window": list(window), "effects": window_effects(request["effects"], window)}
        if captions is not None:
            part["captions"] = captions.document(window, request["fps"])
        # Without the previous frame a transition comes in from black instead, but only inside the head,
        # which the bodies' windows leave out: their frames are the ones a whole render makes.
        part_inputs = dict(inputs)
        if name == ":head":
            part_inputs["previous"] = ActionInput(previous_id, "last_frame")
        actions.append(Action(id=f"render:{scene}{name}{suffix}", kind="render.segment", params={"request": part},
                              inputs=part_inputs, outputs=(Output("segment"),), scene=scene, cost=render_cost(part)))
    join = Action(id=f"render:{scene}{suffix}", kind="render.join", params={"frames": request["frames"]},
                  inputs={f"part{i}": ActionInput(action.id, "segment") for i, action in enumerate(actions)},
                  outputs=outputs, scene=scene)
    return [*actions, join]


def window_effects(effects: list[dict], window: Sequence[int]) -> list[dict]:
    """The effects over frames of ``window`` (the others change none of its frames), each with its ``order``
    in the scene, which seeds its random choices as in a whole render."""
    return [{**effect, "order": order} for order, effect in enumerate(effects)
            if effect["end"] > max(effect["start"], window[0]) and effect["start"] < window[1]]


def segment_request(compiled: Compiled, scene: Scene, preview: bool, captions: str | None, take=None):
    """The scene's SegmentRequest params, its file inputs, and the manifest origin of its pixels.

    ``take`` (a ``generate_actions.TakeSource``) is the picked generated or hand-provided take: it
    replaces the storyboard card.
    """
    from cmfc.captions import LOWER_TEXT_PLACEMENTS
    from cmfc.render.card import Card
    from cmfc.render.motion import KenBurns
    from cmfc.render.segment import Effect, SegmentRequest, Style, Text
    from cmfc.render.source import Fit

    project = compiled.project
    fps = project.format.fps
    frames = scene.slot.length
    inputs: dict = {}
    # a card keeps its own lines out of the kinetic text's band and the captions' band
    placement = (scene.text.placement or "center") if scene.text else ""
    zones = {"text_zone": scene.text_y,
             "captions": ("raised" if placement in LOWER_TEXT_PLACEMENTS else "low") if captions else ""}
    if take is not None:
        source, path, origin, card = take.source, take.path, take.origin, None
        inputs["hero"] = take.input
    elif scene.needs_generator:
        source, path, origin = "card", None, "storyboard"
        prompt = (scene.motion.prompt if scene.motion and scene.motion.prompt else None) or \
            (scene.hero.prompt if scene.hero and scene.hero.prompt else "") or ""
        reason = _generator_reason(scene)
        card = Card(template=scene.template, subject=scene.subject or "", prompt=prompt,
                    slot_start=scene.slot.start, slot_end=scene.slot.end, reason=reason, **zones)
    elif scene.hero is not None and scene.hero.path:
        source, path, origin, card = scene.hero.kind, scene.hero.path, "provided", None
        inputs["hero"] = FileInput(path)
    else:
        source, path, origin = "card", None, "storyboard"
        card = Card(template=scene.template, subject=scene.subject or "", prompt=scene.line or "",
                    slot_start=scene.slot.start, slot_end=scene.slot.end, reason="no hero given", **zones)
    composited = take is not None and take.origin == "composited"  # Natron drew the effects and the text
    motion = None
    if composited:
        pass
    elif scene.motion is not None and scene.motion.kind == "kenburns":
        motion = KenBurns(tuple(scene.motion.zoom or (1.0, 1.1)), scene.motion.pan or "none")
    elif source == "image" and (scene.motion is None or scene.motion.kind != "none"):
        motion = KenBurns((1.0, 1.06), "none")  # a provided still never sits dead: a gentle push-in by default
    fit = Fit(scene.fit.mode, scene.fit.speed) if scene.fit else Fit()
    effects = [] if composited else [Effect(e.name, dict(e.values), e.start, e.end) for e in scene.effects]
    font = project.brand.font
    if font:
        inputs["font"] = FileInput(font)
    request = SegmentRequest(
        scene_id=scene.id, width=project.format.width, height=project.format.height, fps=fps, frames=frames,
        source=source, path=path, card=card, motion=motion, fit=fit,
        text=Text(scene.text.content, scene.text_y) if scene.text_y is not None and not composited else None,
        effects=tuple(effects), style=Style(font, str(project.brand.base), str(project.brand.highlight)),
        captions=captions, preview=preview,
    )
    return request.params(), inputs, origin


def _generator_reason(scene: Scene) -> str:
    verb = "needs" if len(scene.generator) == 1 else "need"
    return f"{' + '.join(scene.generator)} {verb} a generator; none is configured"


@dataclass(frozen=True)
class SceneCaptions:
    """A scene's caption groups (indexes into ``groups``), timed from the scene's first sample."""

    project: Project
    groups: tuple
    family: str
    indexes: tuple[int, ...]
    offset: int  # the scene's first sample

    def document(self, window: Sequence[int] | None = None, fps: int = 0) -> str | None:
        """The ASS document of the groups shown in frames ``[a, b)`` of the scene (all of them without a window).

        A group is kept if it overlaps the window widened by a frame and a centisecond (ASS times are
        centiseconds), so no group that libass would show in the window is left out. None when none is.
        """
        from cmfc.captions import ass_document
        from cmfc.ir.values import SAMPLE_RATE, frames_to_samples

        only = self.indexes
        if window is not None:
            margin = frames_to_samples(1, fps) + SAMPLE_RATE // 100
            low = self.offset + frames_to_samples(window[0], fps) - margin
            high = self.offset + frames_to_samples(window[1], fps) + margin
            only = tuple(i for i in only if self.groups[i].start_sample < high and self.groups[i].end_sample > low)
        if not only:
            return None
        return ass_document(self.project, self.groups, self.family, offset_samples=self.offset, only=only)


def _captions_by_scene(compiled: Compiled) -> dict[str, SceneCaptions]:
    """Each scene's caption groups, for its ASS documents (scenes without captions: absent)."""
    from cmfc.captions import group_words
    from cmfc.ir.values import frames_to_samples

    project: Project = compiled.project
    groups = tuple(group_words(project, compiled.words))
    family = project.font_family
    documents = {}
    for scene in project.scenes:
        only = tuple(i for i, group in enumerate(groups) if group.scene_id == scene.id)
        if only:
            offset = frames_to_samples(scene.slot.start, project.format.fps)
            documents[scene.id] = SceneCaptions(project, groups, family, only, offset)
    return documents
