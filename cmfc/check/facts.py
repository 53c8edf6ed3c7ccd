"""Resolution of what every target reads: each fact about a scene decided here, once (docs/timing.md).

The Natron comp, the Resolve/OTIO timelines, the MoviePy timeline, the captions and the local
render read these facts from the resolved ``Project``; none of them re-derives a role, a
window, a parameter's type or a placement, so they cannot disagree about them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

from cmfc.ir.models import EffectUse, EffectWindow, Scene, SceneOutputs
from cmfc.ir.values import Color, Time
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
            "effects": effects, "text_y": text_y}

