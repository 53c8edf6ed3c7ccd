"""The effect fragments, rendered on a tiny moving test pattern and decoded frame by frame."""

from __future__ import annotations

import subprocess

import numpy as np
import pytest

from cmfc.mix.ffmpeg import ffmpeg_exe
from cmfc.check.facts import effect_window
from cmfc.frameworks.load import load_frameworks
from cmfc.render.effects import (LOCAL_EFFECTS, NOT_LOCAL, EffectSpan, chain, effect_filters,
                                 speed_ramp_source_frames)
from tests.render.media import typed

W, H, FPS, FRAMES = 144, 256, 24, 40
START, END = 12, 28
SOURCE = f"testsrc2=size={W}x{H}:rate={FPS},trim=end_frame={FRAMES},format=yuv420p,setpts=N/({FPS}*TB)"
# A black-to-white ramp: colour changes on it are the effect's, not the pattern's.
GREY = (f"color=c=black:s={W}x{H}:r={FPS},trim=end_frame={FRAMES},format=yuv444p,"
        f"geq=lum='16+X*219/W':cb=128:cr=128,format=yuv420p,setpts=N/({FPS}*TB)")
# A flat blue previous scene, so its share of a transition frame is measurable.
PREVIOUS = f"color=c=0x2040C0:s={W}x{H}:r={FPS},trim=end_frame={FRAMES},format=yuv420p"


def render(fragments: list[str], prev: bool = False, source: str = SOURCE) -> np.ndarray:
    """Frames (n, H, W, 3) of ``source`` through ``fragments``, as RGB floats."""
    graph, out = chain("src", fragments, prev_label="prev" if prev else None)
    parts = [f"{source}[src]"] + ([f"{PREVIOUS}[prev]"] if prev else []) + ([graph] if graph else [])
    result = subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-nostdin", "-v", "error", "-filter_complex", ";".join(parts),
         "-map", f"[{out}]", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
        capture_output=True, check=False)
    assert result.returncode == 0, result.stderr.decode()[-2000:]
    return np.frombuffer(result.stdout, np.uint8).reshape(-1, H, W, 3).astype(np.float64)


def apply(name: str, start: int = START, end: int = END, prev: bool = False, source: str = SOURCE,
          **params: str) -> np.ndarray:
    return render(effect_filters([EffectSpan(name, typed(name, params, FPS), start, end)], FPS, W, H, FRAMES, prev=prev),
                  prev, source)


@pytest.fixture(scope="module")
def plain() -> np.ndarray:
    return render([])


def changed_frames(frames: np.ndarray, plain: np.ndarray) -> list[int]:
    return [n for n in range(len(plain)) if not np.array_equal(frames[n], plain[n])]


def saturation(frames: np.ndarray) -> float:
    return float((frames.max(axis=-1) - frames.min(axis=-1)).mean())


def detail(frames: np.ndarray) -> float:
    """High-frequency energy: mean absolute difference of neighbouring pixels."""
    grey = frames.mean(axis=-1)
    return float(np.abs(np.diff(grey, axis=-1)).mean() + np.abs(np.diff(grey, axis=-2)).mean())


def test_every_catalogue_effect_is_local_or_has_a_reason():
    from cmfc.frameworks.load import load_frameworks

    catalogue = set(load_frameworks().effects)
    visual = {name for name, effect in load_frameworks().effects.items()
              if effect.category in ("motion", "color", "transition")}
    assert LOCAL_EFFECTS | set(NOT_LOCAL) == visual <= catalogue
    assert not LOCAL_EFFECTS & set(NOT_LOCAL)
    assert len(LOCAL_EFFECTS) == 22


@pytest.mark.parametrize("name", sorted(LOCAL_EFFECTS - {"hard_cut"}))
def test_effect_changes_only_its_frames(name, plain):
    transition = name in ("crossfade", "whip_pan", "zoom_through", "glitch_cut", "dip_to_black")
    start, end = (0, 10) if transition else (START, END)
    frames = apply(name, start, end)
    assert len(frames) == FRAMES
    changed = changed_frames(frames, plain)
    assert changed and set(changed) <= set(range(start, end)), changed


@pytest.mark.parametrize("name", ["crossfade", "whip_pan", "zoom_through", "glitch_cut", "dip_to_black"])
def test_transition_with_previous_scene_shows_it_at_the_head(name, plain):
    frames = apply(name, 0, 10, prev=True)
    assert len(frames) == FRAMES
    assert set(changed_frames(frames, plain)) <= set(range(10))
    blue = frames[..., 2] - frames[..., 0]
    assert blue[0].mean() > blue[9].mean() + 20 or name == "whip_pan"


def test_hard_cut_draws_nothing():
    assert effect_filters([EffectSpan("hard_cut", typed("hard_cut"), 0, 5)], FPS, W, H, FRAMES) == []


def test_flash_brightens_and_fades(plain):
    frames = apply("flash", duration="8f")
    lift = [frames[n].mean() - plain[n].mean() for n in range(START, START + 8)]
    assert lift[0] > 100 and lift == sorted(lift, reverse=True)


def test_flash_colour_is_the_param(plain):
    frames = apply("flash", color="#FF0000", intensity="0.5")
    red = frames[START][..., 0] - plain[START][..., 0]
    assert red.mean() > 30 and (frames[START][..., 1] - plain[START][..., 1]).mean() < 0


def test_grade_noir_is_grey(plain):
    assert saturation(apply("grade_noir", strength="1")[START:END]) < 3 < saturation(plain)


def test_grade_warm_shifts_to_amber():
    inside = apply("grade_warm", source=GREY)[START:END]
    assert (inside[..., 0] - inside[..., 2]).mean() > 10


def test_grade_teal_orange_splits_shadows_and_highlights():
    inside = apply("grade_teal_orange", source=GREY)[START:END]
    shift = inside[..., 0] - inside[..., 2]
    assert shift[:, :, : W // 3].mean() < -5 and shift[:, :, -W // 3:].mean() > 5


def test_blur_removes_detail_and_grain_adds_it(plain):
    assert detail(apply("blur", radius="40")[START:END]) < 0.7 * detail(plain[START:END])
    assert detail(apply("grain")[START:END]) > 1.2 * detail(plain[START:END])


def test_grain_is_deterministic():
    assert np.array_equal(apply("grain"), apply("grain"))


def test_glitch_splits_colour_channels(plain):
    frames = apply("glitch", source=GREY, intensity="1")
    assert saturation(frames[:START]) < 3 < saturation(frames[START:END])


def test_glitch_touches_only_its_span(plain):
    # The block displacement's maps exist only for the span's frames; every other frame is the source.
    frames = apply("glitch", intensity="1", blocks="200")
    assert changed_frames(frames, plain) == list(range(START, END))


def test_glitch_blocks_shift_pixels_on_every_frame_of_its_span():
    # the RGB split alone (no blocks) against the split plus blocks: the displacement fires on every span frame
    split_only, blocks = apply("glitch", intensity="1", blocks="0"), apply("glitch", intensity="1", blocks="200")
    assert [n for n in range(FRAMES) if not np.array_equal(split_only[n], blocks[n])] == list(range(START, END))


def test_vignette_darkens_corners_not_centre(plain):
    frames = apply("vignette", amount="1")
    corner = frames[START:END, :20, :20].mean() - plain[START:END, :20, :20].mean()
    centre = frames[START:END, 118:138, 62:82].mean() - plain[START:END, 118:138, 62:82].mean()
    assert corner < -20 and abs(centre) < 5


def test_crt_draws_scanlines_and_dark_corners(plain):
    frames = apply("crt", scanlines="1", curvature="0", vignette="0.5")
    rows = frames[START:END].mean(axis=(0, 2, 3)) - plain[START:END].mean(axis=(0, 2, 3))
    assert rows[::2].mean() < rows[1::2].mean() - 10 or rows[1::2].mean() < rows[::2].mean() - 10
    assert frames[START:END, :6, :6].mean() < plain[START:END, :6, :6].mean() - 20
    bulged = apply("crt", scanlines="0", curvature="1", vignette="0")
    assert bulged[START:END, :3, :3].mean() < 10 < plain[START:END, :3, :3].mean()


def test_zoom_punch_enlarges_content():
    # A centred white square on black: zooming in makes it cover more of the frame.
    square = (f"color=c=black:s={W}x{H}:r={FPS},trim=end_frame={FRAMES},"
              f"drawbox=x={W // 2 - 20}:y={H // 2 - 20}:w=40:h=40:c=white:t=fill,format=yuv420p,"
              f"setpts=N/({FPS}*TB)")
    frames = apply("zoom_punch", source=square, scale="1.5")
    area = (frames.mean(axis=-1) > 128).sum(axis=(1, 2))
    assert area[START + 3] > 1.8 * area[0] and area[END] == area[0]


def test_glow_brightens(plain):
    assert apply("glow", amount="1")[START:END].mean() > plain[START:END].mean() + 3


def test_light_leak_adds_its_colour(plain):
    middle = (START + END) // 2
    frames = apply("light_leak", duration="16f", intensity="1")
    assert (frames[middle][..., 0] - plain[middle][..., 0]).mean() > 10


def effect_frames(name, params, at, until, fps, frames):
    timing = load_frameworks().effects[name].timing
    return effect_window(timing, typed(name, params, fps), at, until, frames)


def test_effect_frames_by_timing():
    assert effect_frames("glitch", {"duration": "0.5s"}, 24, None, 24, 100) == (24, 36)
    assert effect_frames("crossfade", {}, None, None, 24, 100) == (0, 12)
    assert effect_frames("grain", {}, 10, None, 24, 100) == (10, 100)
    assert effect_frames("flash", {}, 98, None, 24, 100) == (98, 100)
    assert effect_frames("glitch", {}, 24, 30, 24, 100) == (24, 30)  # an instant with until runs to it


def test_not_local_effect_is_a_clear_error():
    with pytest.raises(ValueError, match="speed_ramp is not rendered locally"):
        effect_filters([EffectSpan("speed_ramp", typed("speed_ramp"), 0, 5)], FPS, W, H, FRAMES)


def test_unknown_param_is_a_clear_error():
    with pytest.raises(ValueError, match="grain has no parameter sizee"):
        typed("grain", {"sizee": "2"})


def test_chain_labels_fragments_in_order():
    graph, out = chain("v", ["[<IN>]gblur=sigma=1[<OUT>]", "[<IN>]split[<T>a][<T>b];[<T>a][<T>b]overlay[<OUT>]"])
    assert graph == "[v]gblur=sigma=1[fx0];[fx0]split[fx1_a][fx1_b];[fx1_a][fx1_b]overlay[fx1]"
    assert out == "fx1"
    assert chain("v", []) == ("", "v")


def test_fragments_are_deterministic():
    spans = [EffectSpan(name, typed(name, {}, 30), 2, 20) for name in sorted(LOCAL_EFFECTS)]
    assert effect_filters(spans, 30, 1080, 1920, 60) == effect_filters(spans, 30, 1080, 1920, 60)


def test_speed_ramp_source_frames_slow_down():
    offsets = speed_ramp_source_frames(0, 10, 1.0, 0.5, "linear")
    assert offsets[0] == 0 and offsets == sorted(offsets) and offsets[-1] < 9


def test_grain_size_makes_particles_that_many_pixels_wide():
    """Neighbouring pixels of 1 px grain are unrelated; 4 px particles make neighbours move together."""
    width, height = 1080, 96  # the catalogue's pixels are pixels of a 1080-wide frame
    flat = f"color=c=0x808080:s={width}x{height}:r={FPS},trim=end_frame=3,format=yuv420p,setpts=N/({FPS}*TB)"

    def neighbour_correlation(size: str) -> float:
        fragments = effect_filters([EffectSpan("grain", typed("grain", {"amount": "0.5", "size": size}), 0, 3)], FPS, width, height, 3)
        graph, out = chain("src", fragments)
        result = subprocess.run(
            [ffmpeg_exe(), "-hide_banner", "-nostdin", "-v", "error", "-filter_complex", f"{flat}[src];{graph}",
             "-map", f"[{out}]", "-f", "rawvideo", "-pix_fmt", "gray", "-"], capture_output=True, check=False)
        assert result.returncode == 0, result.stderr.decode()[-2000:]
        grain = np.frombuffer(result.stdout, np.uint8).reshape(-1, height, width).astype(np.float64)
        grain = grain - grain.mean()
        assert grain.std() > 3  # visible grain either way
        return float((grain[..., 1:] * grain[..., :-1]).mean() / (grain * grain).mean())

    assert abs(neighbour_correlation("1")) < 0.15
    assert neighbour_correlation("4") > 0.7
