"""Transitions as the head of the incoming scene: frames ``[0, duration)`` of its segment.

Segments render on their own, so the outgoing half of a transition can only be drawn when the
caller passes the previous scene's tail as ``[<PREV>]`` (``prev=True``): a finite stream of the
same size and fps, pts from 0, at least ``duration`` frames (its last frame held is enough).
Without it every transition degrades to its incoming half from black (documented in docs/effects.md).
"""

from __future__ import annotations

from typing import Any

from cmfc.render.effects_expr import Ctx, camera, direction_vector, num
from cmfc.render.effects_looks import glitch_fragments


def _prev(ctx: Ctx, frames: int) -> str:
    """The previous scene's tail, cut to ``frames`` and restamped from 0."""
    return f"[<PREV>]trim=end_frame={frames},setpts=N/({ctx.fps}*TB)"


def _fade_in(ctx: Ctx, start: int) -> str:
    """Fade up from black over ``[start, end)`` (by timestamp: the pts contract of the module doc)."""
    return (f"fade=t=in:st={num(start / ctx.fps)}:d={num((ctx.end - start) / ctx.fps)}"
            f":{ctx.enable()}")


def hard_cut(ctx: Ctx, params: dict[str, Any]) -> list[str]:
    """Nothing to draw: a cut is the segment boundary itself."""
    return []


def crossfade(ctx: Ctx, params: dict[str, Any]) -> list[str]:
    """The previous scene dissolves into this one; without it, a fade up from black."""
    if not ctx.prev:
        return [f"[<IN>]{_fade_in(ctx, ctx.start)}[<OUT>]"]
    return [f"{_prev(ctx, ctx.length)},format=yuva420p,fade=t=out:s=0:n={ctx.length}:alpha=1[<T>p];"
            f"[<IN>][<T>p]overlay=eof_action=pass[<OUT>]"]


def dip_to_black(ctx: Ctx, params: dict[str, Any]) -> list[str]:
    """Previous scene down to black over the first half, this one up over the second; without it, up over all."""
    half = ctx.length // 2 if ctx.prev else 0
    if half == 0:
        return [f"[<IN>]{_fade_in(ctx, ctx.start)}[<OUT>]"]
    return [f"{_prev(ctx, half)},fade=t=out:s=0:n={half}[<T>p];"
            f"[<IN>]{_fade_in(ctx, half)}[<T>c];[<T>c][<T>p]overlay=eof_action=pass[<OUT>]"]


def whip_pan(ctx: Ctx, params: dict[str, Any]) -> list[str]:
    """The new picture travels in (``direction`` = the way it moves) with a directional streak blur.

    The previous scene leaves the same way when given, else the picture enters over black.
    """
    w, h, length = ctx.width, ctx.height, ctx.length
    vx, vy = direction_vector(params["direction"])
    p = ctx.progress()
    eased = f"({p})*({p})*(3-2*({p}))"
    parts = [f"[<IN>]split[<T>a][<T>b]",
             f"[<T>a]drawbox=x=0:y=0:w=iw:h=ih:t=fill:c=black:{ctx.enable()}[<T>base]"]
    base = "[<T>base]"
    if ctx.prev:
        parts.append(f"{_prev(ctx, length)}[<T>p]")
        parts.append(f"[<T>base][<T>p]overlay=x='{vx * w}*{eased}':y='{vy * h}*{eased}'"
                     f":eof_action=pass[<T>bp]")
        base = "[<T>bp]"
    parts.append(f"{base}[<T>b]overlay=x='{-vx * w}*(1-{eased})':y='{-vy * h}*(1-{eased})'"
                 f":{ctx.enable()}[<T>m]")
    radius = round(params["motion_blur"] * 0.08 * (w if vx else h))
    angle = 0 if vx else 90
    streak = "[<T>m]null"
    if radius > 0:
        # Full streak over the fast middle half, a third of it while the pan starts and lands.
        quarter = length // 4
        middle = f"enable='between(n,{quarter},{length - quarter - 1})'"
        edges = f"enable='between(n,0,{length - 1})*not(between(n,{quarter},{length - quarter - 1}))'"
        streak = (f"[<T>m]dblur=angle={angle}:radius={radius}:{middle},"
                  f"dblur=angle={angle}:radius={max(1, radius // 3)}:{edges}")
    parts.append(f"{streak}[<OUT>]")
    return [";".join(parts)]


def zoom_through(ctx: Ctx, params: dict[str, Any]) -> list[str]:
    """This scene settles from ``scale`` to 1; the previous one, when given, zooms in and fades over it."""
    scale = params["scale"]
    p = ctx.progress("FN")
    settle = f"{num(scale)}-{num(scale - 1)}*(1-pow(1-{p},2))"
    if not ctx.prev:
        return [f"[<IN>]{camera(ctx, settle)}[<OUT>]"]
    push = f"1+{num(scale - 1)}*pow({p},2)"
    fade_frames = max(1, ctx.length // 2)
    return [f"{_prev(ctx, ctx.length)},{camera(ctx, push)},format=yuva420p,"
            f"fade=t=out:s=0:n={fade_frames}:alpha=1[<T>p];"
            f"[<IN>]{camera(ctx, settle)}[<T>c];[<T>c][<T>p]overlay=eof_action=pass[<OUT>]"]


def glitch_cut(ctx: Ctx, params: dict[str, Any]) -> list[str]:
    """Digital breakup over the head; the previous scene, when given, stutters through its first half."""
    fragments = glitch_fragments(ctx, params["intensity"], 12)
    if not ctx.prev or ctx.length < 2:
        return fragments
    stutter = f"enable='lt(n,{ctx.length // 2})*not(mod(n,2))'"
    return [f"{_prev(ctx, ctx.length)}[<T>p];[<IN>][<T>p]overlay=eof_action=pass:{stutter}[<OUT>]",
            *fragments]


BUILDERS = {
    "hard_cut": hard_cut,
    "crossfade": crossfade,
    "whip_pan": whip_pan,
    "zoom_through": zoom_through,
    "glitch_cut": glitch_cut,
    "dip_to_black": dip_to_black,
}
