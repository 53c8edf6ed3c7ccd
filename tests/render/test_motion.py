"""Ken Burns moves smoothly: monotonic pans, a zoom whose centre stays put, no back-and-forth jitter."""

from __future__ import annotations

import numpy as np

from cmfc.render.motion import KenBurns, effective_zooms
from cmfc.render.segment import SegmentRequest, render_segment
from tests.render.media import FPS, H, W, blob_image, centroids, decode


def render_motion(tmp_path, motion: KenBurns) -> np.ndarray:
    blob_image(tmp_path / "dot.png")
    request = SegmentRequest("SC_01", W, H, FPS, 36, "image", "dot.png", motion=motion)
    render_segment(request, tmp_path, tmp_path / "kb.mp4")
    return decode(tmp_path / "kb.mp4")


def test_pan_right_moves_the_picture_left_every_frame(tmp_path):
    steps = np.diff(centroids(render_motion(tmp_path, KenBurns((1.2, 1.2), "right"))))
    assert (steps < 0).all(), steps
    assert steps.max() - steps.min() < 0.2  # even speed, no stutter


def test_centred_zoom_keeps_its_centre_and_grows_steadily(tmp_path):
    frames = render_motion(tmp_path, KenBurns((1.0, 1.3), "none"))
    xs = centroids(frames)
    assert xs.max() - xs.min() < 0.15
    bright = (frames > 128).sum(axis=(1, 2))
    assert bright[-1] > bright[0] * 1.4
    assert (np.diff(bright) >= -2).all()  # the dot never shrinks back


def test_pan_gets_room_to_travel_even_at_zoom_one():
    assert effective_zooms(KenBurns((1.0, 1.15), "right")) == (1.1, 1.1 * 1.15)
    assert effective_zooms(KenBurns((1.0, 1.15), "none")) == (1.0, 1.15)
