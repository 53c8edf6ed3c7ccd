"""Colour and texture effects: glitch, crt, grain, glow, blur, flash, the grades, vignette, light_leak.

Most filters here work on yuv420p as it is; the RGB split and the colour grades need RGB and run
through :func:`rgb_pass`, which shows the converted copy only inside the effect's frames.
"""

from __future__ import annotations

from typing import Any

from cmfc.render.effects_expr import Ctx, even, num, rgb_pass


def glitch_fragments(ctx: Ctx, intensity: float, blocks: int) -> list[str]:
    """RGB split plus about ``blocks`` grid blocks shifted sideways, re-dealt every 2 frames.

    The blocks are one ``displace``: its shift map is drawn by ``geq`` on a tiny grid (a few
    hundred cells, so the per-pixel expression costs nothing) and scaled up without smoothing.
    """
    if intensity <= 0:
        return []
    w, h, length = ctx.width, ctx.height, ctx.frames
    split = max(1, round(intensity * 0.015 * w))
    rgb_split = rgb_pass(ctx, f"rgbashift=rh={split}:bh={-split}:gv={split // 3}:edge=smear")
    columns, rows = _GLITCH_GRID
    rng = ctx.rng(7)
    a, b, c = rng.randrange(101, 997), rng.randrange(1009, 9973), rng.randrange(0, 65521)
    cell = f"mod(X*131+Y*977+floor(N/2)*7919+{c},65521)"
    chosen = f"lt(mod({cell}*{cell}*{a}+{cell}*{b},65521),{round(65521 * min(1, blocks / (columns * rows)))})"
    # displace reads 128 as "no shift", so the largest shift is 127 px.
    shift = f"round((2*mod({cell}*{b}+{a},65521)/65521-1)*{num(min(127, intensity * 0.12 * w))})"
    source = f"r={ctx.fps},format=gray,trim=end_frame={length},setpts=N/({ctx.fps}*TB)"
    xmap = (f"color=c=0x808080:s={columns}x{rows}:{source},geq=lum='128+{chosen}*{shift}',"
            f"scale={w}:{h}:flags=neighbor[<T>x]")
    ymap = f"color=c=0x808080:s={w}x{h}:{source}[<T>y]"
    blocks_fragment = f"{xmap};{ymap};[<IN>][<T>x][<T>y]displace=edge=smear:{ctx.enable()}[<OUT>]"
    return [rgb_split, blocks_fragment]


# Grid cells (columns, rows) of the glitch blocks: wide, thin blocks like broken macroblock rows.
_GLITCH_GRID = (4, 96)


def glitch(ctx: Ctx, params: dict[str, Any]) -> list[str]:
    """Digital breakup at ``intensity`` with ``blocks`` displaced blocks a frame."""
    return glitch_fragments(ctx, params["intensity"], params["blocks"])


# vignette dithers by default with fresh noise every frame: x264 then spends 4x the bits (and the time)
# on a still picture, and crf 20 flattens the dither anyway.
VIGNETTE_OPTIONS = "dither=0"


def crt(ctx: Ctx, params: dict[str, Any]) -> list[str]:
    """Scanlines every ~1/480 of the height, barrel bulge, dark corners.

    The scanlines multiply the luma by a mask drawn once and looped (``blend`` is vectorised: a
    per-frame ``drawgrid`` cost 14 ms a 1080x1920 frame), before the bulge, so they curve with it.
    """
    fragments, looks = [], []
    if params["scanlines"] > 0:
        period = max(2, round(ctx.height / 480))
        dark = round(255 * (1 - 0.6 * params["scanlines"]))
        mask = (f"color=c=white:s={ctx.width}x{ctx.height}:r={ctx.fps},format=yuv420p,trim=end_frame=1,"
                f"geq=lum='if(lt(mod(Y,{period}),{max(1, period // 2)}),{dark},255)':cb=128:cr=128,"
                f"loop=loop=-1:size=1,trim=end_frame={ctx.frames},setpts=N/({ctx.fps}*TB)[<T>m]")
        fragments.append(f"{mask};[<IN>][<T>m]blend=c0_mode=multiply:c1_mode=normal:c1_opacity=0"
                         f":c2_mode=normal:c2_opacity=0:{ctx.enable()}[<OUT>]")
    if params["curvature"] > 0:
        curvature = params["curvature"]
        looks.append(f"lenscorrection=k1={num(0.3 * curvature)}:k2={num(0.1 * curvature)}"
                     f":i=bilinear:{ctx.enable()}")
    if params["vignette"] > 0:
        looks.append(f"vignette=angle={num(1.2 * params['vignette'])}:{VIGNETTE_OPTIONS}:{ctx.enable()}")
    return fragments + ([f"[<IN>]{','.join(looks)}[<OUT>]"] if looks else [])


def grain(ctx: Ctx, params: dict[str, Any]) -> list[str]:
    """Seeded temporal noise, mostly in luma like film, in particles of ``size`` px.

    One-pixel grain is ``noise`` on the frame itself. Larger particles are the same noise drawn on a
    neutral grey layer ``size`` times smaller, scaled up bicubically (soft edges, like film grain) and
    merged onto the frame (``grainmerge``: frame + layer - 128). Sizes at or below 1 px of the
    rendered frame (a preview makes everything 4x smaller) are 1 px.
    """
    amount = params["amount"]
    if amount <= 0:
        return []
    luma, chroma = round(48 * amount), round(12 * amount)
    noise = f"noise=c0s={luma}:c0f=t+u:c1s={chroma}:c1f=t+u:c2s={chroma}:c2f=t+u:all_seed={ctx.seed}"
    size = params.get("size", 1.0) * ctx.scale
    if size <= 1:
        return [f"[<IN>]{noise}:{ctx.enable()}[<OUT>]"]
    layer = (f"color=c=black:s={even(ctx.width / size)}x{even(ctx.height / size)}:r={ctx.fps},format=yuv420p,"
             f"trim=end_frame={ctx.frames},setpts=N/({ctx.fps}*TB),lutyuv=y=128:u=128:v=128,{noise},"
             f"scale={ctx.width}:{ctx.height}:flags=bicubic[<T>g]")
    return [f"{layer};[<IN>][<T>g]blend=all_mode=grainmerge:{ctx.enable()}[<OUT>]"]


def glow(ctx: Ctx, params: dict[str, Any]) -> list[str]:
    """Highlights blurred by ``radius`` and screened back onto the luma at ``amount``."""
    amount, sigma = params["amount"], max(0.5, params["radius"] * ctx.scale / 2)
    if amount <= 0:
        return []
    # Screen on U/V would tint; only the luma plane is blended, the chroma passes at opacity 0.
    return [f"[<IN>]split[<T>a][<T>b];"
            f"[<T>b]lutyuv=y='clip((val-128)*2,0,255)':{ctx.enable()},gblur=sigma={num(sigma)}:{ctx.enable()}[<T>g];"
            f"[<T>a][<T>g]blend=c0_mode=screen:c0_opacity={num(amount)}:c1_mode=normal:c1_opacity=0"
            f":c2_mode=normal:c2_opacity=0:{ctx.enable()}[<OUT>]"]


def blur(ctx: Ctx, params: dict[str, Any]) -> list[str]:
    """Gaussian blur whose sigma is half the ``radius``."""
    sigma = params["radius"] * ctx.scale / 2
    return [f"[<IN>]gblur=sigma={num(sigma)}:{ctx.enable()}[<OUT>]"] if sigma > 0 else []


def _colour_layer(ctx: Ctx, rgb: tuple[int, int, int]) -> str:
    """A solid ``rgb`` yuva420p layer of the span's length, timed to start at the span."""
    hex_rgb = "".join(f"{c:02X}" for c in rgb)
    return (f"color=c=0x{hex_rgb}:s={ctx.width}x{ctx.height}:r={ctx.fps},trim=end_frame={ctx.length},"
            f"setpts=(N+{ctx.start})/({ctx.fps}*TB),format=yuva420p")


def flash(ctx: Ctx, params: dict[str, Any]) -> list[str]:
    """Full-frame ``color`` at ``intensity`` on the first frame, fading out linearly over the span."""
    if params["intensity"] <= 0:
        return []
    return [f"{_colour_layer(ctx, params['color'])},fade=t=out:s=0:n={ctx.length}:alpha=1,"
            f"lut=a='val*{num(params['intensity'])}'[<T>f];"
            f"[<IN>][<T>f]overlay=eof_action=pass[<OUT>]"]


def grade_noir(ctx: Ctx, params: dict[str, Any]) -> list[str]:
    """Desaturate and harden the contrast, mixed in by ``strength``."""
    strength = params["strength"]
    return [f"[<IN>]hue=s={num(1 - strength)}:{ctx.enable()},"
            f"eq=contrast={num(1 + 0.6 * strength)}:brightness={num(-0.05 * strength)}:{ctx.enable()}[<OUT>]"]


def grade_warm(ctx: Ctx, params: dict[str, Any]) -> list[str]:
    """Amber: red and a touch of green lifted, blue lowered, most in the midtones (per-channel curves)."""
    k = params["strength"]
    return [rgb_pass(ctx, f"curves=r='0/0 0.5/{num(0.5 + 0.1 * k)} 1/1':g='0/0 0.5/{num(0.5 + 0.03 * k)} 1/1'"
                          f":b='0/0 0.5/{num(0.5 - 0.1 * k)} 1/1'")]


def grade_teal_orange(ctx: Ctx, params: dict[str, Any]) -> list[str]:
    """Shadows pushed to teal, highlights to orange, a little more contrast (per-channel curves)."""
    k = params["strength"]

    def curve(low: float, high: float) -> str:
        return f"'0/0 0.25/{num(0.25 + low * k)} 0.75/{num(0.75 + high * k)} 1/1'"

    # curves is a lookup table per channel: about 10x cheaper than colorbalance at 1080x1920.
    return [rgb_pass(ctx, f"curves=r={curve(-0.08, 0.08)}:g={curve(-0.01, 0.02)}:b={curve(0.08, -0.08)}")]


def vignette(ctx: Ctx, params: dict[str, Any]) -> list[str]:
    """Darkened edges: ``amount`` sets the lens angle, ``softness`` widens the falloff toward the centre."""
    angle = params["amount"] * 1.35 * (0.85 + 0.3 * params["softness"])
    return [f"[<IN>]vignette=angle={num(min(angle, 1.57))}:{VIGNETTE_OPTIONS}:{ctx.enable()}[<OUT>]"] if angle > 0 else []


def light_leak(ctx: Ctx, params: dict[str, Any]) -> list[str]:
    """A soft radial glow of ``color`` sweeping left to right, fading in and out over the span."""
    if params["intensity"] <= 0:
        return []
    w, h, length = ctx.width, ctx.height, ctx.length
    hex_rgb = "".join(f"{c:02X}" for c in params["color"])
    small_w, small_h = even(w / 2), even(h / 4)
    ramp = max(1, length // 3)
    # One small gradient frame, scaled once and looped: the layer costs a fade and an overlay a frame.
    layer = (f"gradients=s={small_w}x{small_h}:type=radial:nb_colors=2:c0=0x{hex_rgb}ff:c1=0x{hex_rgb}00"
             f":x0={small_w // 2}:y0={small_h // 2}:x1={small_w // 2}:y1=0:speed=0.00001:r={ctx.fps},"
             f"trim=end_frame=1,scale={2 * w}x{h},loop=loop={length - 1}:size=1:start=0,"
             f"setpts=(N+{ctx.start})/({ctx.fps}*TB),format=yuva420p,"
             f"fade=t=in:s=0:n={ramp}:alpha=1,fade=t=out:s={length - ramp}:n={ramp}:alpha=1,"
             f"lut=a='val*{num(params['intensity'])}'[<T>l]")
    x = f"-1.3*{w}+1.6*{w}*{ctx.progress()}"
    return [f"{layer};[<IN>][<T>l]overlay=x='{x}':y=0:eof_action=pass[<OUT>]"]


BUILDERS = {
    "glitch": glitch,
    "crt": crt,
    "grain": grain,
    "glow": glow,
    "blur": blur,
    "flash": flash,
    "grade_noir": grade_noir,
    "grade_warm": grade_warm,
    "grade_teal_orange": grade_teal_orange,
    "vignette": vignette,
    "light_leak": light_leak,
}
