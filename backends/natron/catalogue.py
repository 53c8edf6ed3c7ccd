"""The catalogue's 23 visual effects by name (their typed parameters and frames are resolved: ``Scene.effects``)."""

from __future__ import annotations

from typing import Callable

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
