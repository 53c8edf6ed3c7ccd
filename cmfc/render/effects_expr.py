"""Shared pieces of effect fragments: the span context, number formatting, ffmpeg expressions.

ffmpeg expressions are built as text here so every float is written the same way (no repr
accidents) and every per-frame random value is exact integer arithmetic, not libm noise.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

# Catalogue pixel amounts are given at this frame width.
REFERENCE_WIDTH = 1080
# A prime modulus: the quadratic hash below stays exact in doubles for any realistic frame count.
_HASH_MOD = 65521


@dataclass(frozen=True)
class Ctx:
    """Where one effect runs: the segment's format and the effect's ``[start, end)`` frames."""

    fps: int
    width: int
    height: int
    frames: int
    start: int
    end: int
    seed: int
    prev: bool = False
    first: int = 0  # a window's render keeps only frames from here on: earlier ones need not be processed
    stateful: bool = False  # frame n depends on the span's frames before it: it runs over all of them

    @property
    def live_start(self) -> int:
        """The first frame the effect works on: the window's first if that is later (unless it is stateful)."""
        return self.start if self.stateful else max(self.start, self.first)

    @property
    def scale(self) -> float:
        """Catalogue pixels (at 1080 wide) to this segment's pixels."""
        return self.width / REFERENCE_WIDTH

    @property
    def length(self) -> int:
        return self.end - self.start

    def enable(self) -> str:
        """Timeline option limiting a filter to the effect's frames from :attr:`live_start` on."""
        return f"enable='between(n,{self.live_start},{self.end - 1})'"

    def progress(self, frame: str = "n") -> str:
        """0 at the first frame of the span, rising by 1/length a frame (1 would be the frame after it)."""
        return f"(({frame})-{self.start})/{self.length}"

    def seconds(self, frame: str = "n") -> str:
        """Seconds since the span started."""
        return f"(({frame})-{self.start})/{self.fps}"

    def rng(self, salt: int) -> random.Random:
        """A deterministic generator for choices made once per effect (block sizes, hash constants)."""
        return random.Random(self.seed * 1000 + salt)

    def hash(self, key: str, salt: int) -> str:
        """A per-``key`` pseudo-random value in [0, 1), as an exact-integer ffmpeg expression."""
        rng = self.rng(salt)
        a, b, c = rng.randrange(101, 997), rng.randrange(1009, 9973), rng.randrange(0, _HASH_MOD)
        return f"mod(({key})*({key})*{a}+({key})*{b}+{c},{_HASH_MOD})/{_HASH_MOD}"


def num(value: float) -> str:
    """A float as short fixed-point text (6 decimals at most, never ``-0``)."""
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def even(value: float) -> int:
    """The nearest even integer at least 2 (yuv420p chroma needs even sizes)."""
    return max(2, 2 * round(value / 2))


def rgb_pass(ctx: Ctx, filters: str) -> str:
    """A fragment running RGB-only ``filters`` on the span's frames (they see only those: no ``enable``).

    Converting to planar RGB and back is not lossless, so the converted copy is only shown inside
    the span: the original passes untouched elsewhere. Only the span's frames are converted (the copy
    keeps their timestamps, and overlay passes the rest through); a span over the whole segment
    skips the split.
    """
    rgb = f"format=gbrp,{filters},format=yuv420p"
    if ctx.live_start == 0 and ctx.end >= ctx.frames:
        return f"[<IN>]{rgb}[<OUT>]"
    return (f"[<IN>]split[<T>ya][<T>yb];[<T>yb]trim=start_frame={ctx.live_start}:end_frame={ctx.end},{rgb}[<T>yc];"
            f"[<T>ya][<T>yc]overlay=eof_action=pass:{ctx.enable()}[<OUT>]")


def camera(ctx: Ctx, zoom: str, dx: str = "0", dy: str = "0", angle: str = "0") -> str:
    """A ``perspective`` filter moving the picture by (dx, dy) px, rotating by ``angle`` rad, zooming by ``zoom``.

    The expressions use ``FN``, the segment frame number (``perspective`` only knows ``in``, 1-based,
    counting every frame); sub-pixel bilinear sampling keeps slow moves free of integer-step jitter.
    """
    w, h = ctx.width, ctx.height
    frame = "(in-1)"
    z, ddx, ddy, a = (f"({e.replace('FN', frame)})" for e in (zoom, dx, dy, angle))
    points = []
    for index, (cx, cy) in enumerate(((0, 0), (w, 0), (0, h), (w, h))):
        ux, uy = f"({num(cx - w / 2)}-{ddx})", f"({num(cy - h / 2)}-{ddy})"
        x = f"{num(w / 2)}+(cos{a}*{ux}-sin{a}*{uy})/{z}"
        y = f"{num(h / 2)}+(sin{a}*{ux}+cos{a}*{uy})/{z}"
        points.append(f"x{index}='{x}':y{index}='{y}'")
    return f"perspective={':'.join(points)}:interpolation=linear:eval=frame:{ctx.enable()}"


def cover_zoom(ctx: Ctx, shift_x: float = 0.0, shift_y: float = 0.0, angle: float = 0.0) -> float:
    """The zoom that keeps the frame filled while it moves by up to (shift_x, shift_y) px and rolls ``angle`` rad."""
    w, h = ctx.width, ctx.height
    aspect = max(w, h) / min(w, h)
    turn = math.cos(angle) + aspect * math.sin(abs(angle))
    return turn + 2 * max(abs(shift_x) / w, abs(shift_y) / h)


def direction_vector(direction: str) -> tuple[int, int]:
    """The unit screen vector of ``left``/``right``/``up``/``down``."""
    return {"left": (-1, 0), "right": (1, 0), "up": (0, -1), "down": (0, 1)}[direction]
