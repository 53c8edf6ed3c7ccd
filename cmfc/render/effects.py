"""The visual effects catalogue as ffmpeg filtergraph fragments, applied to one scene segment.

Contract (docs/effects.md): :func:`effect_filters` returns one *fragment* per effect, in order.
A fragment is complete filtergraph text with placeholder labels: ``[<IN>]`` is the stream it
reads, ``[<OUT>]`` the stream it writes, ``[<T>name]`` its private labels and ``[<PREV>]`` the
previous scene's tail (only when asked for with ``prev=True``). :func:`chain` gives the
placeholders real, unique labels and joins the fragments with ``;``.

The stream must be ``yuv420p`` (:data:`PIX_FMT`: every filter here works on it natively, so
frames outside an effect's range come out bit-identical) with frame ``n`` at ``pts = n / fps``
(as after ``setpts=N/FRAME_RATE/TB``): generated layers are placed by timestamp.
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence

from cmfc.render import effects_looks, effects_motion, effects_transitions
from cmfc.render.effects_expr import Ctx

PIX_FMT = "yuv420p"

# Why these are not rendered here (issue 5: such effects fail `check`, never silently dropped).
NOT_LOCAL: Mapping[str, str] = {
    "speed_ramp": "changes which source frames are shown, not the pixels of a frame: it belongs to "
                  "the motion/fit stage that picks source frames (see speed_ramp_source_frames)",
}

_BUILDERS: dict[str, Callable[[Ctx, dict[str, Any]], list[str]]] = {
    **effects_motion.BUILDERS,
    **effects_looks.BUILDERS,
    **effects_transitions.BUILDERS,
}
LOCAL_EFFECTS: frozenset[str] = frozenset(_BUILDERS)
# Effects whose frame n depends on the span's frames before it (grain's noise draws on from one frame to
# the next): they are not switched off before a window (Ctx.stateful). An effect added here or drawn
# with a new stateful filter must be listed: tests/render/test_windows.py renders each one in windows.
STATEFUL: frozenset[str] = frozenset({"grain"})


@dataclass(frozen=True)
class EffectSpan:
    """One effect over frames ``[start, end)`` of a segment; ``params``: every parameter typed, as resolved
    (``EffectWindow.values``: times in frames, colours as RGB), so the project's own catalogue reaches here."""

    name: str
    params: Mapping[str, Any]
    start: int
    end: int
    order: int | None = None  # its place among the scene's effects (None: its place in the list given)


def effect_filters(spans: Sequence[EffectSpan], fps: int, width: int, height: int, frames: int,
                   prev: bool = False, first: int = 0) -> list[str]:
    """Fragments (see module doc) applying ``spans`` in order; ``prev`` lets transitions read ``[<PREV>]``.

    ``first``: a window's render keeps only frames from ``first`` on, so an effect leaves the frames
    before it alone (a span over before it is left out), unless it carries state from frame to frame
    (:data:`STATEFUL`: it runs over its whole span). The kept frames are the ones a whole render makes.
    A span's random choices are seeded by its name, frames and ``order`` (its place among the scene's
    effects), so a window may be given only the spans it shows.
    """
    fragments: list[str] = []
    for index, span in enumerate(spans):
        if span.name not in _BUILDERS:
            reason = NOT_LOCAL.get(span.name, "not in the effects catalogue")
            raise ValueError(f"effect {span.name} is not rendered locally: {reason}")
        start, end = max(0, span.start), min(frames, span.end)
        if end <= max(start, first):
            continue
        order = index if span.order is None else span.order
        seed = zlib.crc32(f"{span.name}:{start}:{end}:{order}".encode()) & 0xFFFF
        ctx = Ctx(fps=fps, width=width, height=height, frames=frames, start=start, end=end,
                  seed=seed, prev=prev, first=first, stateful=span.name in STATEFUL)
        fragments.extend(_BUILDERS[span.name](ctx, dict(span.params)))
    return fragments


def chain(input_label: str, fragments: Sequence[str], prev_label: str | None = None,
          prefix: str = "fx") -> tuple[str, str]:
    """Filtergraph text running ``fragments`` on ``[input_label]``, and the label of its output.

    With no fragments (and no ``prev_label``) the text is empty and the output label is the input's. ``prev_label`` names
    the previous scene's tail stream; it is required when a fragment reads ``[<PREV>]``, and sunk
    (``nullsink``) when none does, so a graph that always offers it stays valid.
    """
    parts: list[str] = []
    current = input_label
    if prev_label is not None and not fragments:
        # ffmpeg rejects a graph whose only filter is the sink: give it an output.
        fragments = ["[<IN>]null[<OUT>]"]
    for index, fragment in enumerate(fragments):
        if "<PREV>" in fragment and prev_label is None:
            raise ValueError("a transition fragment reads the previous scene: pass prev_label")
        out = f"{prefix}{index}"
        text = (fragment.replace("<IN>", current).replace("<OUT>", out)
                .replace("<T>", f"{prefix}{index}_").replace("<PREV>", prev_label or ""))
        parts.append(text)
        current = out
    if prev_label is not None and not any("<PREV>" in fragment for fragment in fragments):
        parts.append(f"[{prev_label}]nullsink")
    return ";".join(parts), current


def speed_ramp_source_frames(start: int, end: int, start_speed: float, end_speed: float,
                             curve: str = "ease_in_out") -> list[int]:
    """Source frame offsets (from ``start``) shown at each output frame of a speed ramp over ``[start, end)``."""
    shapes = {"linear": lambda p: p, "ease_in": lambda p: p * p, "ease_out": lambda p: 1 - (1 - p) ** 2,
              "ease_in_out": lambda p: p * p * (3 - 2 * p)}
    shape = shapes[curve]
    position, offsets = 0.0, []
    for k in range(end - start):
        offsets.append(math.floor(position + 1e-9))
        p = k / max(1, end - start - 1)
        position += start_speed + (end_speed - start_speed) * shape(p)
    return offsets
