"""The six catalogue transitions as Natron node fragments, at the scene's head.

A per-scene composite cannot see the previous scene's clip while it plays, so the
outgoing picture is the previous scene's last frame, held (its rendered FX clip), or
black for the first scene (``FxContext.previous``); see docs/natron.md.
"""

from __future__ import annotations

from . import knobs as K
from .effects import DIRECTIONS, FxContext, Window, shader_node, transform_node
from .graph import CONSTANT, HORIZONTAL, LINEAR, Key, Node


def hard_cut(ctx: FxContext, upstream: Node, p: dict, window: Window) -> Node:
    """A straight cut: nothing to composite; a Dot marks it in the graph."""
    return ctx.graph.add(K.DOT, "Dot").connect("", upstream)


def _dissolve(ctx: FxContext, outgoing: Node, incoming: Node, keys: list[Key]) -> Node:
    node = ctx.graph.add(K.DISSOLVE, "Dissolve").connect("0", outgoing).connect("1", incoming)
    return node.animate("which", 0, keys)


def _switch_keys(frame: int) -> list[Key]:
    """Dissolve.which cutting from the outgoing to the incoming picture at ``frame``."""
    return [Key(max(1, frame - 1), 0.0, CONSTANT), Key(max(2, frame), 1.0, CONSTANT)]


def crossfade(ctx: FxContext, upstream: Node, p: dict, window: Window) -> Node:
    """Dissolve from the previous scene's last frame to this scene over ``duration``."""
    end = max(window.first + 1, window.rest)
    return _dissolve(ctx, ctx.previous(), upstream, [Key(window.first, 0.0), Key(end, 1.0)])


def whip_pan(ctx: FxContext, upstream: Node, p: dict, window: Window) -> Node:
    """Both pictures slide a frame's width in ``direction`` with motion blur; the new one lands over the old."""
    dx, dy = DIRECTIONS[p["direction"]]
    end = max(window.first + 1, window.rest)
    travel = (-dx * ctx.width, -dy * ctx.height)  # the camera pans one way, the picture moves the other
    moved = []
    for source, start, finish in ((ctx.previous(), (0.0, 0.0), travel), (upstream, (-travel[0], -travel[1]), (0.0, 0.0))):
        node = transform_node(ctx, source)
        for dimension in (0, 1):
            node.animate("translate", dimension, [Key(window.first, start[dimension]), Key(end, finish[dimension])])
        node.set("motionBlur", p["motion_blur"]).set("shutter", 0.5 + p["motion_blur"])
        moved.append(node)
    return ctx.graph.add(K.MERGE, "Merge").connect("B", moved[0]).connect("A", moved[1]).choose("operation", "over")


def zoom_through(ctx: FxContext, upstream: Node, p: dict, window: Window) -> Node:
    """The previous picture zooms in to ``scale``, cut at the middle, this one zooms out from ``scale``."""
    end = max(window.first + 2, window.rest)
    middle = (window.first + end) // 2
    out_zoom = transform_node(ctx, ctx.previous())
    in_zoom = transform_node(ctx, upstream)
    for dimension in (0, 1):
        out_zoom.animate("scale", dimension, [Key(window.first, 1.0, HORIZONTAL), Key(middle, p["scale"], LINEAR)])
        in_zoom.animate("scale", dimension, [Key(middle, p["scale"], LINEAR), Key(end, 1.0, HORIZONTAL)])
    return _dissolve(ctx, out_zoom, in_zoom, _switch_keys(middle))


def glitch_cut(ctx: FxContext, upstream: Node, p: dict, window: Window) -> Node:
    """A cut at the middle of ``duration`` hidden under the glitch shader at ``intensity``."""
    end = max(window.first + 2, window.rest)
    cut = _dissolve(ctx, ctx.previous(), upstream, _switch_keys((window.first + end) // 2))
    return shader_node(ctx, cut, "glitch", [("intensity", "float", p["intensity"]), ("blocks", "int", 12)],
                   Window(window.first, end - 1))


def dip_to_black(ctx: FxContext, upstream: Node, p: dict, window: Window) -> Node:
    """Black merged over the cut, its mix rising to 1 at the middle of ``duration`` and back to 0."""
    end = max(window.first + 2, window.rest)
    middle = (window.first + end) // 2
    cut = _dissolve(ctx, ctx.previous(), upstream, _switch_keys(middle))
    black = ctx.graph.add(K.SOLID, "Solid").set("color", 0.0, 0.0, 0.0)
    merge = ctx.graph.add(K.MERGE, "Merge").connect("B", cut).connect("A", black).choose("operation", "over")
    return merge.animate("mix", 0, [Key(window.first, 0.0), Key(middle, 1.0), Key(end, 0.0)])
