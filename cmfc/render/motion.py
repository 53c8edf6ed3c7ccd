"""Ken Burns as an ffmpeg filter chain: smooth zoom and pan over a still, without the zoompan jitter.

The trap (issue 5): ``zoompan`` rounds its window position and size to whole input pixels, so a slow
zoom wobbles back and forth (measured: 0.5 px at 1x, still 0.25 px on a 4x pre-upscaled canvas, which
also costs 55 ms a frame at 1080x1920). ``perspective`` with per-frame corner expressions samples the
still at sub-pixel positions (bilinear), so the centre of a zoom stays put to 0.01 px and a pan moves
monotonically; on a looped, pre-scaled still it costs about 13 ms a frame at 1080x1920.
"""

from __future__ import annotations

from dataclasses import dataclass

# A pan needs room to travel: with the window as big as the canvas there is nothing to slide over.
PAN_MIN_ZOOM = 1.1
PANS = ("left", "right", "up", "down", "none")


@dataclass(frozen=True)
class KenBurns:
    """Zoom from ``zoom[0]`` to ``zoom[1]`` (1.0 = the still covers the frame) while panning ``pan``."""

    zoom: tuple[float, float] = (1.0, 1.0)
    pan: str = "none"


def effective_zooms(motion: KenBurns) -> tuple[float, float]:
    """The zooms actually used: never below 1 (no borders), and at least PAN_MIN_ZOOM when panning."""
    start, end = motion.zoom
    floor = PAN_MIN_ZOOM if motion.pan != "none" else 1.0
    lowest = min(start, end)
    if lowest < floor:
        start, end = start * floor / lowest, end * floor / lowest
    return start, end


def number(value: float) -> str:
    """A float as ffmpeg expression text: fixed, locale-free, no exponent."""
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return text if text not in ("", "-0") else "0"


def cover_filters(width: int, height: int) -> list[str]:
    """Scale a picture to cover ``width``x``height`` (keeping its aspect) and crop the centre."""
    return [
        f"scale={width}:{height}:force_original_aspect_ratio=increase:flags=lanczos",
        f"crop={width}:{height}",
        "setsar=1",
    ]


def still_filters(width: int, height: int, fps: int) -> list[str]:
    """A single decoded still held for ever at ``fps`` (the caller trims to the slot).

    The time base becomes 1/fps: an image arrives in image2's 1/25, where ``N/fps/TB`` truncates
    (frame 12 at 24 fps would be stamped 0.44 s), so layers placed by timestamp landed a frame late.
    """
    return [*cover_filters(width, height), "loop=loop=-1:size=1", f"settb=1/{fps}", f"setpts=N/{fps}/TB"]


def kenburns_filters(motion: KenBurns, width: int, height: int, fps: int, frames: int, first: int = 0) -> list[str]:
    """Filters turning one decoded still into ``frames`` frames of smooth zoom/pan at ``width``x``height``.

    ``first``: frames before it are only counted, not warped (a window's render discards them, and
    ``perspective`` counts its input frames whether or not it is enabled).
    """
    if motion.pan not in PANS:
        raise ValueError(f"unknown pan {motion.pan!r}")
    start, end = effective_zooms(motion)
    last = max(frames - 1, 1)
    progress = f"(in/{last})"
    # Geometric interpolation: equal zoom ratios per frame read as constant speed.
    zoom = f"({number(start)}*pow({number(end / start)},{progress}))"
    window_w, window_h = f"(W/{zoom})", f"(H/{zoom})"
    centre_x, centre_y = f"((W-{window_w})/2)", f"((H-{window_h})/2)"
    x, y = {
        "none": (centre_x, centre_y),
        "right": (f"((W-{window_w})*{progress})", centre_y),
        "left": (f"((W-{window_w})*(1-{progress}))", centre_y),
        "down": (centre_x, f"((H-{window_h})*{progress})"),
        "up": (centre_x, f"((H-{window_h})*(1-{progress}))"),
    }[motion.pan]
    right, bottom = f"{x}+{window_w}", f"{y}+{window_h}"
    corners = {"x0": x, "y0": y, "x1": right, "y1": y, "x2": x, "y2": bottom, "x3": right, "y3": bottom}
    # perspective maps the source quad (our window) onto the whole frame; the quotes keep the commas
    # of pow() from ending the filter.
    options = ":".join(f"{key}='{value}'" for key, value in corners.items())
    skip = f":enable='gte(n,{first})'" if first > 0 else ""
    return [
        *still_filters(width, height, fps),
        f"perspective={options}:interpolation=linear:eval=frame{skip}",
    ]
