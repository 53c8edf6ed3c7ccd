"""Motion effects (shake, zoom_punch, drift, rotate_wobble, handheld) as one ``perspective`` each.

Each moves the frame with a per-frame transform and zooms in just enough that no edge shows
(:func:`cover_zoom`); the zoom holds over the whole span, so a mid-scene span starts with a
small, deliberate punch-in.
"""

from __future__ import annotations

import math
from typing import Any

from cmfc.render.effects_expr import Ctx, camera, cover_zoom, direction_vector, num


def shake(ctx: Ctx, params: dict[str, Any]) -> list[str]:
    """Random jolts of up to ``amplitude`` px, ``frequency`` new positions a second."""
    amplitude = params["amplitude"] * ctx.scale
    if amplitude <= 0:
        return []
    jolt = f"floor({ctx.seconds('FN')}*{num(params['frequency'])})"
    dx = f"{num(amplitude)}*(2*{ctx.hash(jolt, 1)}-1)"
    dy = f"{num(amplitude)}*(2*{ctx.hash(jolt, 2)}-1)"
    zoom = num(cover_zoom(ctx, amplitude, amplitude))
    return [f"[<IN>]{camera(ctx, zoom, dx, dy)}[<OUT>]"]


def zoom_punch(ctx: Ctx, params: dict[str, Any]) -> list[str]:
    """Jumps halfway in on the first frame, peaks at ``scale`` a fifth in, eases back to rest."""
    p = ctx.progress("FN")
    envelope = f"if(lt({p},0.2),0.5+2.5*{p},pow((1-{p})/0.8,2))"
    zoom = f"1+{num(params['scale'] - 1)}*{envelope}"
    return [f"[<IN>]{camera(ctx, zoom)}[<OUT>]"]


def drift(ctx: Ctx, params: dict[str, Any]) -> list[str]:
    """A linear slide of ``distance`` px in ``direction`` across the span, centred on the rest position."""
    distance = params["distance"] * ctx.scale
    vx, vy = direction_vector(params["direction"])
    travel = f"{num(distance)}*({ctx.progress('FN')}-0.5)"
    zoom = num(cover_zoom(ctx, abs(vx) * distance / 2, abs(vy) * distance / 2))
    return [f"[<IN>]{camera(ctx, zoom, f'{vx}*{travel}', f'{vy}*{travel}')}[<OUT>]"]


def rotate_wobble(ctx: Ctx, params: dict[str, Any]) -> list[str]:
    """A sine roll of up to ``angle`` degrees, ``frequency`` times a second."""
    angle = math.radians(params["angle"])
    roll = f"{num(angle)}*sin(2*PI*{num(params['frequency'])}*{ctx.seconds('FN')})"
    return [f"[<IN>]{camera(ctx, num(cover_zoom(ctx, angle=angle)), angle=roll)}[<OUT>]"]


def handheld(ctx: Ctx, params: dict[str, Any]) -> list[str]:
    """Smooth sway: two detuned sines per axis and a slow roll, so the path never visibly repeats."""
    amplitude = params["amplitude"] * ctx.scale
    frequency, rotation = params["frequency"], math.radians(params["rotation"])
    t = ctx.seconds("FN")

    def sway(f1: float, p1: float, f2: float, p2: float) -> str:
        return (f"{num(amplitude)}*(0.65*sin(2*PI*{num(frequency * f1)}*{t}+{num(p1)})"
                f"+0.35*sin(2*PI*{num(frequency * f2)}*{t}+{num(p2)}))")

    roll = f"{num(rotation)}*sin(2*PI*{num(frequency * 0.61)}*{t}+0.4)"
    zoom = num(cover_zoom(ctx, amplitude, amplitude, rotation))
    return [f"[<IN>]{camera(ctx, zoom, sway(1, 0, 1.7, 1.3), sway(0.83, 0.7, 2.3, 2.1), roll)}[<OUT>]"]


BUILDERS = {
    "shake": shake,
    "zoom_punch": zoom_punch,
    "drift": drift,
    "rotate_wobble": rotate_wobble,
    "handheld": handheld,
}
