"""The 23 catalogue effects (specs/frameworks/effects.yaml) as Natron node fragments.

Each fragment takes the node the picture comes from and returns the node it leaves,
adding stock Natron/OpenFX nodes with keyframes at the effect's frames. Frames are
1-based within the scene (frame 1 = the scene's first frame). Pixel amounts in the
catalogue are at 1080 px wide and are scaled to the project's width. Effects limited
to part of the scene are gated by keying their node's mix/amount (constant keys).
Transitions are in transitions.py; the name → fragment table in catalogue.py.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from importlib import resources
from typing import Callable

from . import knobs as K
from .graph import CONSTANT, HORIZONTAL, LINEAR, Graph, Key, Node


@dataclass
class FxContext:
    """What a fragment needs: the graph, the frame size, rate and length, a seed, and the previous scene."""

    graph: Graph
    width: int
    height: int
    fps: int
    length: int
    seed: str
    previous: Callable[[], Node]

    @property
    def px(self) -> float:
        """Project pixels per catalogue pixel (catalogue amounts are at 1080 px wide)."""
        return self.width / 1080.0

    @property
    def center(self) -> tuple[float, float]:
        return self.width / 2.0, self.height / 2.0

    def random(self, *salt) -> float:
        """A repeatable number in [-1, 1] for this scene and ``salt``."""
        digest = hashlib.sha256("/".join(map(str, (self.seed,) + salt)).encode()).digest()
        return int.from_bytes(digest[:8], "big") / 2**63 - 1.0


@dataclass(frozen=True)
class Window:
    """The frames an effect covers, inclusive, 1-based: the resolved ``[start, end)`` is ``first = start + 1``,
    ``last = end`` (docs/timing.md). ``rest`` is the first frame after it, where an animation is back at rest."""

    first: int
    last: int

    @classmethod
    def of(cls, start: int, end: int) -> "Window":
        """The Natron frames of the resolved 0-based half-open window ``[start, end)``."""
        return cls(start + 1, end)

    @property
    def rest(self) -> int:
        return self.last + 1


def gate(ctx: FxContext, window: Window, on: float, off: float = 0.0) -> list[Key] | None:
    """Constant keys holding ``on`` inside the window and ``off`` outside; None when it covers the scene."""
    if window.first <= 1 and window.last >= ctx.length:
        return None
    keys = []
    if window.first > 1:
        keys.append(Key(1, off, CONSTANT))
    keys.append(Key(window.first, on, CONSTANT))
    if window.last < ctx.length:
        keys.append(Key(window.last + 1, off, CONSTANT))
    return keys


def _gated(node: Node, knob: str, ctx: FxContext, window: Window, on: float) -> None:
    """Set a one-dimensional knob to ``on`` within the window and 0 outside it."""
    keys = gate(ctx, window, on)
    if keys is None:
        node.set(knob, on)
    else:
        node.animate(knob, 0, keys)


def transform_node(ctx: FxContext, upstream: Node) -> Node:
    node = ctx.graph.add(K.TRANSFORM, "Transform").connect("Source", upstream)
    return node.set("center", *ctx.center)


def _overscan(ctx: FxContext, node: Node, pixels: float = 0.0, degrees: float = 0.0) -> None:
    """Scale up just enough that a move of ``pixels`` or a roll of ``degrees`` shows no black edge."""
    angle = math.radians(degrees)
    ratio = max(ctx.width, ctx.height) / min(ctx.width, ctx.height)
    scale = (math.cos(angle) + ratio * math.sin(angle)) * (1.0 + 2.0 * pixels / min(ctx.width, ctx.height))
    node.set("scale", scale, scale)


# ---------------------------------------------------------------- motion


def shake(ctx: FxContext, upstream: Node, p: dict, window: Window) -> Node:
    """Transform.translate jumping to a new random offset ``frequency`` times a second."""
    node = transform_node(ctx, upstream)
    amplitude = p["amplitude"] * ctx.px
    step = max(1, round(ctx.fps / p["frequency"]))
    for dimension in (0, 1):
        keys = [Key(window.first, 0.0)]
        for n, frame in enumerate(range(window.first + step, window.last, step)):
            keys.append(Key(frame, amplitude * ctx.random("shake", window.first, n, dimension)))
        keys.append(Key(window.last, 0.0))
        node.animate("translate", dimension, keys)
    _overscan(ctx, node, pixels=amplitude)
    return node


def zoom_punch(ctx: FxContext, upstream: Node, p: dict, window: Window) -> Node:
    """Transform.scale punching in to ``scale`` in the first third of ``duration`` and easing back."""
    node = transform_node(ctx, upstream)
    peak = window.first + max(1, (window.rest - window.first) // 3)
    end = max(peak + 1, window.rest)
    keys = [Key(window.first, 1.0, LINEAR), Key(peak, p["scale"], HORIZONTAL), Key(end, 1.0, HORIZONTAL)]
    for dimension in (0, 1):
        node.animate("scale", dimension, keys)
    return node


DIRECTIONS = {"left": (-1.0, 0.0), "right": (1.0, 0.0), "up": (0.0, 1.0), "down": (0.0, -1.0)}  # Natron is y-up


def drift(ctx: FxContext, upstream: Node, p: dict, window: Window) -> Node:
    """Transform.translate sliding ``distance`` px in ``direction`` across the span, linearly."""
    node = transform_node(ctx, upstream)
    distance = p["distance"] * ctx.px
    dx, dy = DIRECTIONS[p["direction"]]
    end = max(window.first + 1, window.last)
    for dimension, unit in ((0, dx), (1, dy)):
        node.animate("translate", dimension, [Key(window.first, -unit * distance / 2), Key(end, unit * distance / 2)])
    _overscan(ctx, node, pixels=distance / 2)
    return node


def _sway(frames: range, values: Callable[[int], float]) -> list[Key]:
    keys = [Key(frames.start, 0.0, HORIZONTAL)]
    for n, frame in enumerate(frames[1:], start=1):
        keys.append(Key(frame, values(n), HORIZONTAL))
    return keys


def rotate_wobble(ctx: FxContext, upstream: Node, p: dict, window: Window) -> Node:
    """Transform.rotate rocking ±``angle``: eased at the extremes, linear through zero (a sine)."""
    node = transform_node(ctx, upstream)
    quarter = max(1, round(ctx.fps / (4 * p["frequency"])))
    keys = []
    for n, frame in enumerate(range(window.first, window.last + 1, quarter)):
        phase = n % 4
        value = (0.0, p["angle"], 0.0, -p["angle"])[phase]
        keys.append(Key(frame, value, LINEAR if phase in (0, 2) else HORIZONTAL))
    if len(keys) < 2:
        keys.append(Key(window.first + 1, 0.0, LINEAR))
    node.animate("rotate", 0, keys)
    _overscan(ctx, node, degrees=p["angle"])
    return node


RAMP_SHAPES = {"linear": (LINEAR, LINEAR), "ease_in": (HORIZONTAL, LINEAR),
               "ease_out": (LINEAR, HORIZONTAL), "ease_in_out": (HORIZONTAL, HORIZONTAL)}


def speed_ramp(ctx: FxContext, upstream: Node, p: dict, window: Window) -> Node:
    """Retime.speed keyed from ``start_speed`` to ``end_speed`` with the curve's ease."""
    node = ctx.graph.add(K.RETIME, "Retime").connect("Source", upstream)
    start_interp, end_interp = RAMP_SHAPES[p["curve"]]
    end = max(window.first + 1, window.last)
    node.animate("speed", 0, [Key(window.first, p["start_speed"], start_interp), Key(end, p["end_speed"], end_interp)])
    return node


def handheld(ctx: FxContext, upstream: Node, p: dict, window: Window) -> Node:
    """Transform.translate and rotate swaying to eased random poses twice per period."""
    node = transform_node(ctx, upstream)
    amplitude = p["amplitude"] * ctx.px
    frames = range(window.first, window.last + 1, max(1, round(ctx.fps / (2 * p["frequency"]))))
    for dimension in (0, 1):
        node.animate("translate", dimension,
                     _sway(frames, lambda n, d=dimension: amplitude * ctx.random("handheld", window.first, n, d)))
    node.animate("rotate", 0, _sway(frames, lambda n: p["rotation"] * ctx.random("handheld-roll", window.first, n)))
    _overscan(ctx, node, pixels=amplitude, degrees=p["rotation"])
    return node


# ---------------------------------------------------------------- colour and texture


def shader_source(name: str) -> str:
    """A GLSL source from templates/natron/."""
    return resources.files("cmfc.templates").joinpath("natron", f"{name}.glsl").read_text(encoding="utf-8")


def shader_node(ctx: FxContext, upstream: Node, name: str, params: list[tuple[str, str, float]], window: Window) -> Node:
    """A Shadertoy node running templates/natron/<name>.glsl, its uniforms as extra parameters, gated by ``amount``."""
    node = ctx.graph.add(K.SHADERTOY, "Shadertoy").connect("iChannel0", upstream)
    node.set("imageShaderSource", shader_source(name))
    params = params + [("amount", "float", 1.0)]
    node.set("paramCount", len(params))
    for n, (param, kind, value) in enumerate(params):
        node.choose(f"paramType{n}", kind)
        node.set(f"paramName{n}", param)
        node.set(f"paramLabel{n}", param)
        node.set(f"paramValueFloat{n}" if kind == "float" else f"paramValueInt{n}", value)
    _gated(node, f"paramValueFloat{len(params) - 1}", ctx, window, 1.0)
    return node


def glitch(ctx: FxContext, upstream: Node, p: dict, window: Window) -> Node:
    """Shadertoy (templates/natron/glitch.glsl): block displacement and channel split for ``duration``."""
    return shader_node(ctx, upstream, "glitch", [("intensity", "float", p["intensity"]), ("blocks", "int", p["blocks"])],
                   window)


def crt(ctx: FxContext, upstream: Node, p: dict, window: Window) -> Node:
    """Shadertoy (templates/natron/crt.glsl): scanlines, tube curvature and corner vignette."""
    return shader_node(ctx, upstream, "crt", [("scanlines", "float", p["scanlines"]),
                                          ("curvature", "float", p["curvature"]),
                                          ("vignette", "float", p["vignette"])], window)


def grain(ctx: FxContext, upstream: Node, p: dict, window: Window) -> Node:
    """SeGrain (film grain): per-channel intensity from ``amount``, particle size from ``size``."""
    node = ctx.graph.add(K.GRAIN, "SeGrain").connect("Source", upstream)
    strength = 2.0 * p["amount"]  # the catalogue default 0.25 gives half SeGrain's (strong) Kodak preset
    for knob in ("grainIntensityRed", "grainIntensityGreen", "grainIntensityBlue"):
        node.set(knob, K.GRAIN.knobs[knob].default[0] * strength)
    node.set("grainSizeAll", p["size"])
    node.set("grainSeed", float(int((ctx.random("grain") + 1) * 5000)))
    _gated(node, "mix", ctx, window, 1.0)
    return node


def glow(ctx: FxContext, upstream: Node, p: dict, window: Window) -> Node:
    """Grade isolating the highlights → Blur ``radius`` → Merge screen over the plate, mix ``amount``."""
    highlights = ctx.graph.add(K.GRADE, "Grade").connect("Source", upstream)
    highlights.set("blackPoint", 0.6, 0.6, 0.6, 0.0)
    blur_node = ctx.graph.add(K.BLUR, "Blur").connect("Source", highlights)
    size = 2.0 * p["radius"] * ctx.px
    blur_node.set("size", size, size)
    merge = ctx.graph.add(K.MERGE, "Merge").connect("B", upstream).connect("A", blur_node).choose("operation", "screen")
    _gated(merge, "mix", ctx, window, p["amount"])
    return merge


def blur(ctx: FxContext, upstream: Node, p: dict, window: Window) -> Node:
    """CImgBlur with a Gaussian of ``radius`` px (size = diameter)."""
    node = ctx.graph.add(K.BLUR, "Blur").connect("Source", upstream)
    size = 2.0 * p["radius"] * ctx.px
    node.set("size", size, size)
    _gated(node, "mix", ctx, window, 1.0)
    return node


def _rgb(rgb: tuple[int, int, int]) -> tuple[float, float, float]:
    return tuple(round(c / 255.0, 6) for c in rgb)


def flash(ctx: FxContext, upstream: Node, p: dict, window: Window) -> Node:
    """A Solid of ``color`` merged over the plate, its mix jumping to ``intensity`` and fading out."""
    solid = ctx.graph.add(K.SOLID, "Solid").set("color", *_rgb(p["color"]))
    merge = ctx.graph.add(K.MERGE, "Merge").connect("B", upstream).connect("A", solid).choose("operation", "over")
    keys = [Key(window.first, p["intensity"], LINEAR), Key(max(window.first + 1, window.rest), 0.0, LINEAR)]
    if window.first > 1:
        keys.insert(0, Key(window.first - 1, 0.0, CONSTANT))
    merge.animate("mix", 0, keys)
    return merge


def grade_noir(ctx: FxContext, upstream: Node, p: dict, window: Window) -> Node:
    """ColorCorrect: no saturation, hard contrast, crushed shadows; mix ``strength``."""
    node = ctx.graph.add(K.COLOR_CORRECT, "ColorCorrect").connect("Source", upstream)
    node.set("MasterSaturation", 0.0, 0.0, 0.0, 1.0)
    node.set("MasterContrast", 1.35, 1.35, 1.35, 1.0)
    node.set("ShadowsGain", 0.7, 0.7, 0.7, 1.0)
    _gated(node, "mix", ctx, window, p["strength"])
    return node


def grade_warm(ctx: FxContext, upstream: Node, p: dict, window: Window) -> Node:
    """Grade: amber gain and a warm lift; mix ``strength``."""
    node = ctx.graph.add(K.GRADE, "Grade").connect("Source", upstream)
    node.set("white", 1.08, 1.0, 0.85, 1.0)
    node.set("black", 0.02, 0.01, 0.0, 0.0)
    _gated(node, "mix", ctx, window, p["strength"])
    return node


def grade_teal_orange(ctx: FxContext, upstream: Node, p: dict, window: Window) -> Node:
    """ColorCorrect: teal shadows, orange highlights, a little more saturation; mix ``strength``."""
    node = ctx.graph.add(K.COLOR_CORRECT, "ColorCorrect").connect("Source", upstream)
    node.set("ShadowsGain", 0.9, 1.0, 1.12, 1.0)
    node.set("ShadowsOffset", -0.01, 0.01, 0.03, 0.0)
    node.set("HighlightsGain", 1.1, 1.0, 0.86, 1.0)
    node.set("MasterSaturation", 1.1, 1.1, 1.1, 1.0)
    _gated(node, "mix", ctx, window, p["strength"])
    return node


def vignette(ctx: FxContext, upstream: Node, p: dict, window: Window) -> Node:
    """A soft Rectangle as the mask of a Grade that darkens outside it (maskInvert) by ``amount``."""
    short = min(ctx.width, ctx.height)
    inset = 0.04 * short
    rect = ctx.graph.add(K.RECTANGLE, "Rectangle")
    rect.set("bottomLeft", inset, inset).set("size", ctx.width - 2 * inset, ctx.height - 2 * inset)
    rect.set("softness", max(1.0, p["softness"] * 0.45 * short))
    node = ctx.graph.add(K.GRADE, "Grade").connect("Source", upstream).connect("Mask", rect)
    darken = 1.0 - p["amount"]
    node.set("multiply", darken, darken, darken, 1.0).set("maskInvert", True)
    _gated(node, "mix", ctx, window, 1.0)
    return node


def light_leak(ctx: FxContext, upstream: Node, p: dict, window: Window) -> Node:
    """A soft Rectangle of ``color`` sweeping across the frame, screened over the plate, peaking at ``intensity``."""
    rect = ctx.graph.add(K.RECTANGLE, "Rectangle")
    width = 0.6 * ctx.width
    rect.set("size", width, 1.2 * ctx.height).set("softness", 0.3 * ctx.width)
    rect.set("color1", *_rgb(p["color"]), 1.0)
    end = max(window.first + 2, window.rest)
    rect.animate("bottomLeft", 0, [Key(window.first, -width), Key(end, float(ctx.width))])
    rect.animate("bottomLeft", 1, [Key(window.first, -0.1 * ctx.height, CONSTANT)])
    merge = ctx.graph.add(K.MERGE, "Merge").connect("B", upstream).connect("A", rect).choose("operation", "screen")
    middle = (window.first + end) // 2
    keys = [Key(window.first, 0.0), Key(middle, p["intensity"]), Key(end, 0.0)]
    merge.animate("mix", 0, keys)
    return merge
