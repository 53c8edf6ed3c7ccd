"""Kinetic text: the scene's ``text`` drawn once with Pillow, then popped in over the picture by ffmpeg.

``" / "`` in the content breaks lines; every line is in the brand's base colour except the last of a
multi-line text, which takes the highlight colour (manual: the punchline carries the accent). The text
block is a small RGBA PNG; ffmpeg scales and fades only that block during the pop-in, so the per-frame
cost is tiny. Where the block sits is resolved once (``Scene.text_y``, cmfc/check/facts.py), the same
number every target uses; ``behind_head`` falls back to ``upper_third`` there (docs/render.md).
"""

from __future__ import annotations

from pathlib import Path

from cmfc.render.motion import number

LINE_BREAK = " / "
FONT_SIZE = 0.085  # of the frame width, before shrinking to fit
MAX_WIDTH = 0.88  # of the frame width
POP_SECONDS = 0.25
FALLBACK_FONTS = ("DejaVuSans-Bold.ttf", "DejaVuSans.ttf")


def load_font(path: Path | None, size: int):
    """The brand font at ``size`` px; else DejaVu if the system has it; else Pillow's own default."""
    from PIL import ImageFont

    size = max(size, 1)
    if path is not None:
        return ImageFont.truetype(str(path), size)
    for name in FALLBACK_FONTS:
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    return ImageFont.load_default(size)


def centre_row(y: float, height: int) -> int:
    """The row the text block is centred on, for its centre ``y`` as resolved (a fraction of the height from the top)."""
    return round(y * height)


def text_lines(content: str) -> list[str]:
    """The content split into display lines on ``" / "``."""
    return [line.strip() for line in content.split(LINE_BREAK) if line.strip()]


def draw_text_block(content: str, width: int, font_path: Path | None, base: str, highlight: str):
    """An RGBA Pillow image holding the text lines, centred, outlined for legibility, tightly cropped."""
    from PIL import Image, ImageDraw

    lines = text_lines(content) or [""]
    size = max(round(width * FONT_SIZE), 6)
    font = load_font(font_path, size)
    probe = ImageDraw.Draw(Image.new("RGBA", (1, 1)))
    while size > 6 and max(probe.textlength(line, font=font) for line in lines) > width * MAX_WIDTH:
        size = max(size - max(size // 12, 1), 6)
        font = load_font(font_path, size)
    stroke = max(size // 14, 1)
    line_height = round(size * 1.2)
    pad = stroke * 2 + 2
    block_w = int(max(probe.textlength(line, font=font) for line in lines)) + 2 * pad
    block_h = line_height * len(lines) + 2 * pad
    image = Image.new("RGBA", (block_w + block_w % 2, block_h + block_h % 2), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    for index, line in enumerate(lines):
        colour = highlight if len(lines) > 1 and index == len(lines) - 1 else base
        centre = (image.width / 2, pad + line_height * index + line_height / 2)
        draw.text(centre, line, font=font, fill=colour, anchor="mm", stroke_width=stroke, stroke_fill="#000000")
    return image


def text_overlay_graph(text_input: str, base: str, out: str, y: float,
                       width: int, height: int, fps: int) -> list[str]:
    """Filter chains popping the text block ``text_input`` in over ``base``, centred at height fraction ``y``."""
    pop = max(round(fps * POP_SECONDS), 1)
    t = f"min(n/{pop},1)"
    # Ease out with a small overshoot: 75% → ~101% → 100% over the pop.
    grow = f"(0.75+0.25*sin({t}*PI/2)+0.08*sin({t}*PI))"
    centre_y = centre_row(y, height)
    return [
        f"{text_input}loop=loop=-1:size=1,setpts=N/{fps}/TB,format=rgba,"
        f"scale=w='max(2,trunc(iw*{grow}/2)*2)':h='max(2,trunc(ih*{grow}/2)*2)':eval=frame,"
        f"fade=t=in:s=0:n={pop}:alpha=1[text]",
        f"{base}[text]overlay=x='{number(width / 2)}-w/2':y='{centre_y}-h/2':eval=frame:shortest=0"
        f":eof_action=repeat{out}",
    ]
