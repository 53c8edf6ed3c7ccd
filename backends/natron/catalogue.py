"""The catalogue's 23 visual effects by name, their typed parameters and their frames."""

from __future__ import annotations

from typing import Callable

from cmfc.ir.values import Color, Time

from . import effects as fx
from . import transitions as tr
from .effects import FxContext, Window
from .graph import Node

Fragment = Callable[[FxContext, Node, dict, Window], Node]

FRAGMENTS: dict[str, Fragment] = {
    "shake": fx.shake, "zoom_punch": fx.zoom_punch, "drift": fx.drift, "rotate_wobble": fx.rotate_wobble,
    "speed_ramp": fx.speed_ramp, "handheld": fx.handheld, "glitch": fx.glitch, "crt": fx.crt, "grain": fx.grain,
    "glow": fx.glow, "blur": fx.blur, "flash": fx.flash, "grade_noir": fx.grade_noir, "grade_warm": fx.grade_warm,
    "grade_teal_orange": fx.grade_teal_orange, "vignette": fx.vignette, "light_leak": fx.light_leak,
    "hard_cut": tr.hard_cut, "crossfade": tr.crossfade, "whip_pan": tr.whip_pan, "zoom_through": tr.zoom_through,
    "glitch_cut": tr.glitch_cut, "dip_to_black": tr.dip_to_black,
}


def typed_params(effect, given: dict[str, str]) -> dict:
    """The effect's parameters with defaults filled, each as its catalogue type (float, int, Time, Color, str, bool)."""
    values = {}
    for name, spec in effect.params.items():
        text = given.get(name, spec.default)
        if spec.type == "float":
            values[name] = float(text)
        elif spec.type == "int":
            values[name] = int(text)
        elif spec.type == "time":
            values[name] = Time.parse(str(text))
        elif spec.type == "color":
            values[name] = Color.parse(str(text))
        elif spec.type == "bool":
            values[name] = text is True or str(text).lower() == "true"
        else:
            values[name] = str(text)
    return values


def window_for(effect, use, params: dict, ctx: FxContext) -> Window:
    """The frames an effect use covers: spans ``at..until`` (default the whole scene), instants and transitions ``duration``."""
    last_frame = ctx.length
    if effect.timing == "transition":
        first = 1
    else:
        first = 1 + (ctx.frames(use.at) if use.at is not None else 0)
    if effect.timing == "span":
        last = ctx.frames(use.until) if use.until is not None else last_frame
    else:
        duration = params.get("duration")  # hard_cut has none
        last = first + (max(1, ctx.frames(duration)) if duration is not None else 0)
    first = min(max(1, first), last_frame)
    return Window(first, min(max(first, last), last_frame))
