"""A hero clip fills its slot by its fit policy, in whole frames (frame k of the clip is grey 16+16k)."""

from __future__ import annotations

import pytest

from cmfc.render.segment import SegmentRequest, render_segment
from cmfc.render.source import Fit, fit_indices
from tests.render.media import FPS, H, W, decode, frame_numbers, grey_clip


@pytest.mark.parametrize("fit, clip_frames, expected", [
    (Fit("loop"), 5, [0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 0, 1]),
    (Fit("pingpong"), 4, [0, 1, 2, 3, 2, 1, 0, 1, 2, 3, 2, 1]),
    (Fit("trim"), 14, list(range(12))),
    (Fit("trim"), 8, [0, 1, 2, 3, 4, 5, 6, 7, 7, 7, 7, 7]),
    (Fit("speed", 0.8), 14, [0, 0, 1, 2, 3, 4, 4, 5, 6, 7, 8, 8]),
])
def test_fit_policy_picks_the_expected_source_frames(tmp_path, fit, clip_frames, expected):
    assert fit_indices(fit, clip_frames, 12) == expected
    grey_clip(tmp_path / "clip.mp4", clip_frames)
    request = SegmentRequest("SC_01", W, H, FPS, 12, "clip", "clip.mp4", fit=fit)
    render_segment(request, tmp_path, tmp_path / "out.mp4")
    assert frame_numbers(decode(tmp_path / "out.mp4")) == expected
