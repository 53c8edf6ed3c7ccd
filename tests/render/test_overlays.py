"""What sits on the picture: kinetic text in its placement, the storyboard card, burned-in captions."""

from __future__ import annotations

import numpy as np
import pytest

from cmfc.check.facts import text_centre
from cmfc.render.card import Card
from cmfc.render.segment import SegmentRequest, Text, render_segment
from tests.render.media import FPS, H, W, decode

ASS = """[Script Info]
ScriptType: v4.00+
PlayResX: 144
PlayResY: 256

[V4+ Styles]
Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, \
Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, \
MarginV, Encoding
Style: Base,DejaVu Sans,24,&H00FFFFFF,&H00FFFFFF,&H00000000,&H00000000,1,0,0,0,100,100,0,0,1,2,0,2,8,8,20,1

[Events]
Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text
Dialogue: 0,0:00:00.50,0:00:01.00,Base,,0,0,0,,WORD
"""


@pytest.fixture
def black(tmp_path):
    from PIL import Image

    Image.new("RGB", (W, H), (0, 0, 0)).save(tmp_path / "black.png")
    return tmp_path


def bright_rows(frame: np.ndarray) -> np.ndarray:
    return np.flatnonzero((frame > 150).sum(axis=1) > 0)


@pytest.mark.parametrize("placement, band", [
    ("top", (0.0, 0.25)), ("upper_third", (0.15, 0.42)), ("center", (0.38, 0.62)),
    ("lower_third", (0.58, 0.82)), ("bottom", (0.75, 1.0)), ("behind_head", (0.15, 0.42)),
])
def test_text_lands_in_its_placement(black, placement, band):
    request = SegmentRequest("SC_01", W, H, FPS, 12, "image", "black.png", text=Text("HELLO", text_centre(placement)))
    render_segment(request, black, black / "t.mp4")
    rows = bright_rows(decode(black / "t.mp4")[-1])
    assert len(rows) > 3
    assert band[0] * H <= rows.min() and rows.max() <= band[1] * H, (rows.min(), rows.max())


def test_last_line_takes_the_highlight_colour(black):
    request = SegmentRequest("SC_01", W, H, FPS, 12, "image", "black.png", text=Text("TOP / LAST", text_centre("center")))
    render_segment(request, black, black / "t.mp4")
    frame = decode(black / "t.mp4", "rgb24")[-1].astype(int)
    yellow = (frame[..., 0] > 180) & (frame[..., 1] > 160) & (frame[..., 2] < 90)
    white = (frame.min(axis=2) > 200)
    assert np.flatnonzero(white.any(axis=1)).mean() < np.flatnonzero(yellow.any(axis=1)).mean()


def test_card_is_a_visible_storyboard_with_its_banner(tmp_path):
    card = Card("HOOK-4", "ALEX", "a man walks into a storm at night", 0, 24, "hero lora: no generator configured")
    render_segment(SegmentRequest("SC_07", W, H, FPS, 24, "card", card=card), tmp_path, tmp_path / "c.mp4")
    frame = decode(tmp_path / "c.mp4", "rgb24")[0].astype(int)
    banner = frame[2:10].reshape(-1, 3).mean(axis=0)
    assert banner[0] > 150 and banner[1] < 90  # the red 'STORYBOARD — not generated' strip
    assert frame[H // 4:].std() > 10  # text drawn, not a flat colour


@pytest.mark.parametrize("text_zone, captions", [("lower_third", "raised"), ("behind_head", "low"), ("center", "low")])
def test_card_lines_keep_clear_of_the_kinetic_text_and_the_captions(text_zone, captions):
    import io

    from PIL import Image

    from cmfc.render.card import draw_card, keep_out_bands

    card = Card("CTA-1", "coach", "arms crossed, a half smile, dawn light over the city behind him, " * 3, 1392, 1440,
                "hero lora need a generator", text_zone=text_centre(text_zone), captions=captions)
    width, height = 540, 960
    picture = np.asarray(Image.open(io.BytesIO(draw_card("SC_13", card, width, height, FPS, None))).convert("L"))
    inked = np.flatnonzero((np.abs(picture.astype(int) - picture[height // 2, 2]) > 40).any(axis=1))
    bands = keep_out_bands(card, height)
    assert len(bands) == 2
    for top, bottom in bands:  # where the kinetic text and the captions will be, the card is empty
        assert not ((inked >= top) & (inked < bottom)).any(), (top, bottom)
    # and it still says everything: lines above, between and below the bands
    assert (inked < bands[0][0]).any() and (inked >= bands[-1][1]).any()


def test_captions_are_burned_in_at_their_time(black):
    request = SegmentRequest("SC_01", W, H, FPS, 36, "image", "black.png", captions=ASS)
    render_segment(request, black, black / "c.mp4")
    lit = [(frame > 150).sum() for frame in decode(black / "c.mp4")]
    # shown 0.5–1.0 s, i.e. exactly frames 12–23 (on image2's 1/25 time base the still's frame 12
    # was stamped 0.44 s, and the caption came a frame late)
    assert [n for n, pixels in enumerate(lit) if pixels > 20] == list(range(12, 24))


def test_brand_font_in_an_awkward_folder_still_renders_text_and_captions(black):
    import shutil

    from PIL import ImageFont

    from cmfc.render.segment import Style

    try:
        system_font = ImageFont.truetype("DejaVuSans-Bold.ttf", 10).path
    except OSError:
        pytest.skip("no DejaVu font on this machine")
    folder = black / "brand fonts: it's [new]"
    folder.mkdir()
    shutil.copy(system_font, folder / "Brand.ttf")
    request = SegmentRequest("SC_01", W, H, FPS, 36, "image", "black.png", text=Text("HI", text_centre("top")),
                             captions=ASS, style=Style(font=f"{folder.name}/Brand.ttf"))
    render_segment(request, black, black / "f.mp4")
    assert (decode(black / "f.mp4")[18] > 150).sum() > 20
