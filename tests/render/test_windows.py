"""A window of a segment (a scene rendered in parts) shows exactly the frames a whole render makes.

A window's render skips the effects' work on the frames before it (they are thrown away), except
where an effect carries state from frame to frame (grain's noise): for every effect of the local
catalogue, each window's frames must equal the whole render's, bit for bit (lossless H.264).
"""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

import cmfc.render.segment as segment
from cmfc.plan.picture_actions import window_effects
from cmfc.frameworks.load import load_frameworks
from cmfc.render.effects import LOCAL_EFFECTS
from cmfc.render.motion import KenBurns
from cmfc.render.segment import Effect, SegmentRequest, render_segment
from tests.render.media import FPS, H, W, decode, typed

FRAMES = 36
WINDOWS = ((12, 24), (24, 36))  # the first starts inside the effects' spans, the second after most of them


def _uses() -> list[tuple[str, dict[str, str], int, int]]:
    """Each effect over part of the segment; each span effect also over all of it (the whole-frame paths)."""
    uses = []
    for name in sorted(LOCAL_EFFECTS):
        timing = load_frameworks().effects[name].timing
        if timing == "transition":
            uses.append((name, {}, 0, 12))  # a head: the windows after it are the bodies
        else:
            uses.append((name, {}, 6, 20))
        if timing == "span":
            uses.append((name, {}, 0, FRAMES))
    uses.append(("grain", {"size": "12"}, 6, 20))  # particles (1.6 px at 144 wide): noise on a layer, merged in
    return uses


@pytest.fixture
def lossless(monkeypatch):
    monkeypatch.setattr(segment, "encoder_args", lambda fps, preview=False: [
        "-an", "-c:v", "libx264", "-qp", "0", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-r", str(fps), "-f", "mp4"])


@pytest.mark.parametrize("name, params, start, end", _uses(), ids=lambda value: str(value))
def test_every_window_shows_the_frames_a_whole_render_makes(tmp_path, lossless, name, params, start, end):
    Image.radial_gradient("L").resize((W, H)).convert("RGB").save(tmp_path / "still.png")
    Image.new("RGB", (W, H), (200, 40, 40)).save(tmp_path / "prev.png")
    whole = SegmentRequest("SC_02", W, H, FPS, FRAMES, "image", "still.png", motion=KenBurns((1.0, 1.2), "left"),
                           effects=(Effect(name, typed(name, params), start, end),), previous="prev.png")
    render_segment(whole, tmp_path, tmp_path / "whole.mp4")
    expected = decode(tmp_path / "whole.mp4", "rgb24")
    assert expected.shape[0] == FRAMES
    for first, last in WINDOWS:
        # a body part renders without the previous scene, as the planner asks for it
        part = SegmentRequest(**{**vars(whole), "window": (first, last), "previous": None})
        render_segment(part, tmp_path, tmp_path / f"part{first}.mp4")
        frames = decode(tmp_path / f"part{first}.mp4", "rgb24")
        assert np.array_equal(frames, expected[first:last]), f"{name} differs in frames {first}-{last - 1}"


def test_a_window_given_only_its_effects_keeps_their_random_choices(tmp_path, lossless):
    """The planner hands a part only the effects over its frames; each keeps the seed of its place in the scene."""
    Image.radial_gradient("L").resize((W, H)).convert("RGB").save(tmp_path / "still.png")
    effects = (Effect("flash", typed("flash", {}), 2, 6), Effect("glitch", typed("glitch", {"intensity": "0.9"}), 4, 10),
               Effect("glitch", typed("glitch", {"intensity": "0.9"}), 14, 30), Effect("grain", typed("grain", {}), 0, FRAMES),
               Effect("shake", typed("shake", {}), 26, 36))
    whole = SegmentRequest("SC_02", W, H, FPS, FRAMES, "image", "still.png", effects=effects)
    render_segment(whole, tmp_path, tmp_path / "whole.mp4")
    expected = decode(tmp_path / "whole.mp4", "rgb24")
    for first, last in WINDOWS:
        params = {**whole.params(), "window": [first, last]}
        params["effects"] = window_effects(params["effects"], (first, last))
        assert len(params["effects"]) < len(effects)
        render_segment(SegmentRequest.from_params(params), tmp_path, tmp_path / "part.mp4")
        assert np.array_equal(decode(tmp_path / "part.mp4", "rgb24"), expected[first:last]), (first, last)
