"""Resolution of what every target reads: each fact about a scene decided here, once (docs/timing.md).

The Natron comp, the Resolve/OTIO timelines, the MoviePy timeline, the captions and the local
render read these facts from the resolved ``Project``; none of them re-derives a role, a
window, a parameter's type or a placement, so they cannot disagree about them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

from cmfc.ir.models import EffectUse, EffectWindow, Scene, SceneOutputs, SfxStart
from cmfc.ir.values import Color, Level, Time, frames_to_samples, samples_to_frames
from cmfc.naming import asset_name, picked_take, scene_role, stage_dir

# The kinetic text's vertical centre, as a fraction of the frame height from the top: the local
# render's numbers (docs/render.md), which keep the text clear of the captions' bands.
TEXT_CENTRE = {"top": 0.12, "upper_third": 0.28, "center": 0.5, "lower_third": 0.70, "bottom": 0.86}
# behind_head needs a matte of the subject to put the text between head and background; no target has one.
FALLBACK_PLACEMENT = {"behind_head": "upper_third"}
# The family used when the brand names no readable font: what the local render draws with
# (DejaVu, cmfc.render.text) and what libass and Natron then ask for.
FALLBACK_FONT_FAMILY = "DejaVu Sans"
GENERATED_HEROES = ("lora", "zimage")
GENERATED_MOTIONS = ("wan22", "onetoall")


def text_placement(placement: str | None) -> str:
    """The placement every target draws: the written one, ``center`` by default, behind_head's fallback."""
    wanted = placement or "center"
    return FALLBACK_PLACEMENT.get(wanted, wanted)


def text_centre(placement: str | None) -> float:
    """The kinetic text's centre as a fraction of the height from the top."""
    return TEXT_CENTRE[text_placement(placement)]


def font_family(root: Path, font: str | None) -> str:
    """The family name inside the brand font file (read with Pillow), or the fallback family."""
    if not font:
        return FALLBACK_FONT_FAMILY
    from PIL import ImageFont

    try:
        family = ImageFont.truetype(str(Path(root) / font), 12).getname()[0]
    except (OSError, ValueError):  # an unreadable font: the targets load it by path and fall back
        return FALLBACK_FONT_FAMILY
    return family or FALLBACK_FONT_FAMILY


def generator_needs(scene) -> tuple[str, ...]:
    """What of the scene must be generated (``"hero lora"``, ``"motion wan22"``), in that order."""
    needs = []
    if scene.hero is not None and scene.hero.kind in GENERATED_HEROES:
        needs.append(f"hero {scene.hero.kind}")
    if scene.motion is not None and scene.motion.kind in GENERATED_MOTIONS:
        needs.append(f"motion {scene.motion.kind}")
    return tuple(needs)


def generation_stages(scene, lighting) -> tuple[str, ...]:
    """The ComfyUI stages of each take, in chain order: the one place that decides them (manual 3.1-4.2).

    ``hero`` for a generated hero; ``relight`` (Qwen-Edit, 3.2) when the scene has a lighting preset
    and a still hero that is not a LoRA hero: a LoRA hero (path B) is lit in its own prompt instead,
    which keeps the identity; ``motion_wan22``/``motion_onetoall`` for generated motion.
    """
    stages = []
    hero = scene.hero.kind if scene.hero is not None else None
    if hero in GENERATED_HEROES:
        stages.append("hero")
    if scene.light in lighting and hero in ("image", "zimage"):
        stages.append("relight")
    if scene.motion is not None and scene.motion.kind in GENERATED_MOTIONS:
        stages.append(f"motion_{scene.motion.kind}")
    return tuple(stages)


def hero_lighting(scene, lighting) -> str | None:
    """The lighting phrase a LoRA hero's prompt carries (English, for SDXL/Flux), or None."""
    if scene.hero is None or scene.hero.kind != "lora" or scene.light not in lighting:
        return None
    return f"Lighting: {lighting[scene.light].description}"


def scene_outputs(project_id: str, scene, role: str) -> SceneOutputs:
    """The scene's raw clip (03_mining), Natron composite and rendered segment (04_fabrication)."""
    take = picked_take(scene)
    mining, fabrication = stage_dir(project_id, "mining"), stage_dir(project_id, "fabrication")
    return SceneOutputs(raw=str(mining / asset_name(project_id, scene.id, role, "RAW", take, "mp4")),
                        composite=str(fabrication / asset_name(project_id, scene.id, role, "FX", take, "mov")),
                        segment=str(fabrication / asset_name(project_id, scene.id, role, "FX", take, "mp4")))


def typed_value(kind: str, value: Any, fps: int) -> Any:
    """One parameter as its catalogue type: float, int, bool, a time in frames, a colour as (r, g, b), else text."""
    text = str(value)
    if kind == "float":
        return float(text)
    if kind == "int":
        return int(text)
    if kind == "time":
        return Time.parse(text).to_frames(fps)
    if kind == "color":
        return Color.parse(text).rgb
    if kind == "bool":
        return value is True or text.lower() == "true"
    return text


def typed_params(effect, given: Mapping[str, str], fps: int) -> dict[str, Any]:
    """Every parameter of catalogue entry ``effect``: the given canonical text or the default, typed."""
    unknown = sorted(set(given) - set(effect.params))
    if unknown:  # check reports these with positions; a direct caller gets a plain error
        raise ValueError(f"effect {effect.name} has no parameter {', '.join(unknown)}")
    return {name: typed_value(spec.type, given.get(name, spec.default), fps) for name, spec in effect.params.items()}


def effect_window(timing: str, values: Mapping[str, Any], at: int | None, until: int | None,
                  frames: int) -> tuple[int, int]:
    """The frames ``[start, end)`` (0-based in the scene) an effect covers, clamped to the scene.

    A transition covers the head for its ``duration``; an instant starts at ``at`` (default 0) and
    lasts its ``duration`` (at least a frame) or runs to ``until``; a span runs from ``at`` (default 0)
    to ``until`` (default the scene's end).
    """
    if timing == "transition":
        start, end = 0, values.get("duration", 0)
    elif timing == "instant":
        start = at or 0
        end = until if until is not None else start + max(1, values.get("duration", 1))
    else:
        start, end = at or 0, until if until is not None else frames
    start = max(0, min(start, frames))
    return start, max(start, min(end, frames))


def resolve_effect(effect, use: EffectUse, fps: int, frames: int) -> EffectWindow:
    """An effect use typed by the project's catalogue entry, with its frames."""
    values = typed_params(effect, use.params, fps)
    at = use.at.to_frames(fps) if use.at is not None else None
    until = use.until.to_frames(fps) if use.until is not None else None
    start, end = effect_window(effect.timing, values, at, until, frames)
    return EffectWindow(name=use.name, timing=effect.timing, start=start, end=end, values=values)


def scene_facts(project_id: str, scene: Scene, frameworks, fps: int) -> dict:
    """The facts of a scene whose slot is known: its role, outputs, generator needs, effect windows, text centre."""
    role = scene_role(None, scene, frameworks.templates[scene.template].role)
    effects = tuple(resolve_effect(frameworks.effects[use.name], use, fps, scene.slot.length) for use in scene.fx)
    drawn = scene.text is not None and scene.text.content.strip()  # blank text is drawn by no target
    text_y = text_centre(scene.text.placement) if drawn else None
    return {"role": role, "outputs": scene_outputs(project_id, scene, role), "generator": generator_needs(scene),
            "stages": generation_stages(scene, frameworks.lighting),
            "hero_lighting": hero_lighting(scene, frameworks.lighting), "effects": effects, "text_y": text_y}



def sfx_starts(scenes, auto_sfx, words, fps: int, library: Mapping[str, str]) -> list[SfxStart]:
    """Every SFX (the scenes' cues, then ``sfx_auto``'s) at its sample and frame, in time order.

    A cue ``on`` a word starts with that word as the scene says it (its aligned words, else the words
    starting in its slot); ``at`` is from the scene's start. ``library``: name -> project-relative file.
    """
    placed = []
    order = {scene.id: index for index, scene in enumerate(scenes)}
    for scene in scenes:
        for cue in scene.sfx:
            gain = cue.gain if cue.gain is not None else Level.parse("0dB")
            if cue.on is not None:
                word = _spoken(scene, cue.on, words, fps)
                if word is None:  # check refused it already (not a word of the line); nothing to place
                    continue
                sample, label = word.start, word.text
            else:
                offset = cue.at.to_samples(fps) if cue.at is not None else 0
                sample, label = frames_to_samples(scene.slot.start, fps) + offset, None
            placed.append((order[scene.id], SfxStart(name=cue.name, scene=scene.id, sample=sample,
                                                     frame=samples_to_frames(sample, fps), gain=gain, word=label,
                                                     path=library.get(cue.name))))
    for auto in auto_sfx:
        label = words[auto.word].text if auto.word is not None else auto.keyword
        placed.append((order.get(auto.scene, len(order)), SfxStart(
            name=auto.sfx, scene=auto.scene, sample=auto.start, frame=samples_to_frames(auto.start, fps), word=label,
            auto=True, path=library.get(auto.sfx))))
    placed.sort(key=lambda item: (item[1].sample, item[0], item[1].name))
    return [start for _, start in placed]


def _spoken(scene, wanted: str, words, fps: int):
    from cmfc.media.words import normalise

    if scene.words is not None:
        first, last = scene.words
        candidates = words[first:last + 1]
    else:
        candidates = [w for w in words if scene.slot.start <= samples_to_frames(w.start, fps) < scene.slot.end]
    return next((w for w in candidates if normalise(w.text) == normalise(wanted)), None)
