"""The storyboard card: what the local executor shows where a scene needs a generator it does not have.

A scene whose hero is ``lora``/``zimage`` or whose motion is ``wan22``/``onetoall`` needs an image or
video model. Without one configured, the video stays an honest animatic: a card naming the scene, its
template, subject, prompt and slot, under a banner that says it is not a generated shot.
"""

from __future__ import annotations

import io
import textwrap
from dataclasses import dataclass
from pathlib import Path

from cmfc.render.text import load_font

BANNER = "STORYBOARD \u2014 not generated"
BACKGROUND = (28, 30, 36)
BANNER_FILL = (196, 40, 40)
INK = (235, 235, 235)
MUTED = (150, 156, 168)
MARGIN = 0.07  # of the width
TEXT_HALF_BAND = 0.09  # of the height, each side of the kinetic text's centre: two lines of it


@dataclass(frozen=True)
class Card:
    """What the card says besides the scene id: template, subject, prompt, slot (frames) and why."""

    template: str = ""
    subject: str = ""
    prompt: str = ""
    slot_start: int = 0
    slot_end: int = 0
    reason: str = ""
    text_zone: float | None = None  # the kinetic text's centre (Scene.text_y): the card keeps its lines out of that band
    captions: str = ""  # where the scene's captions sit, "low" or "raised" ("": none): kept clear as well


def slot_text(card: Card, fps: int) -> str:
    """The slot as seconds and frames, e.g. ``0.00–2.50 s (frames 0–60)``."""
    return (f"{card.slot_start / fps:.2f}\u2013{card.slot_end / fps:.2f} s "
            f"(frames {card.slot_start}\u2013{card.slot_end})")


def draw_card(scene_id: str, card: Card, width: int, height: int, fps: int, font_path: Path | None) -> bytes:
    """The card as PNG bytes at ``width``x``height`` (deterministic: no metadata, fixed compression)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (width, height), BACKGROUND)
    draw = ImageDraw.Draw(image)
    margin = round(width * MARGIN)
    big, body, small = (max(round(width * f), 6) for f in (0.075, 0.045, 0.036))
    banner_h = round(big * 2.0)
    draw.rectangle((0, 0, width, banner_h), fill=BANNER_FILL)
    draw.text((width / 2, banner_h / 2), BANNER, font=_fit(font_path, BANNER, small + 4, width - 2 * margin),
              fill=INK, anchor="mm")
    header = [(scene_id, big, INK), (card.template, body, MUTED)]
    if card.subject:
        header.append((f"subject: {card.subject}", body, INK))
    header.append((slot_text(card, fps), small, MUTED))
    chars = max(int((width - 2 * margin) / (body * 0.55)), 8)
    prompt = [(line, body, INK) for line in textwrap.wrap(card.prompt, chars)]
    # Lines flow down the card and jump over the bands the kinetic text and the captions will cover.
    bands = keep_out_bands(card, height)
    y = clear_of(bands, banner_h + margin, round(big * 1.3) + round(body * 1.3))  # the id with its template
    for index, (text, size, fill) in enumerate(header + prompt):
        y += small if index == len(header) else 0  # a gap before the prompt
        y = clear_of(bands, y, round(size * 1.3))
        if y + round(size * 1.3) > height - 3 * margin:
            break
        y = _line(draw, (margin, y), text, load_font(font_path, size), fill)
    if card.reason:
        draw.text((margin, height - margin), card.reason, font=_fit(font_path, card.reason, small, width - 2 * margin),
                  fill=MUTED, anchor="ls")
    draw.rectangle((0, height - banner_h // 4, width, height), fill=BANNER_FILL)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=6)
    return buffer.getvalue()


def keep_out_bands(card: Card, height: int) -> list[tuple[int, int]]:
    """Rows (top, bottom) the card leaves empty: the kinetic text's band and the captions' band, top first."""
    from cmfc.captions import caption_band
    from cmfc.render.text import centre_row

    bands = []
    if card.text_zone is not None:
        centre = centre_row(card.text_zone, height)
        bands.append((centre - round(height * TEXT_HALF_BAND), centre + round(height * TEXT_HALF_BAND)))
    if card.captions:
        top, bottom = caption_band(raised=card.captions == "raised")
        bands.append((round(top * height), round(bottom * height)))
    return sorted(bands)


def clear_of(bands: list[tuple[int, int]], y: int, size: int) -> int:
    """The first row from ``y`` where ``size`` rows fit without entering a band (bands sorted by top)."""
    for top, bottom in bands:
        if y < bottom and y + size > top:
            y = bottom
    return y


def _line(draw, xy: tuple[int, int], text: str, font, fill) -> int:
    draw.text(xy, text, font=font, fill=fill)
    size = getattr(font, "size", 10)
    return xy[1] + round(size * 1.3)


def _fit(font_path: Path | None, text: str, size: int, max_width: int):
    """The font shrunk until ``text`` fits in ``max_width`` pixels."""
    from PIL import Image, ImageDraw

    probe = ImageDraw.Draw(Image.new("RGB", (1, 1)))
    font = load_font(font_path, size)
    while size > 6 and probe.textlength(text, font=font) > max_width:
        size -= 1
        font = load_font(font_path, size)
    return font
