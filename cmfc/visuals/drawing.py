"""Drawing helpers shared by the storyboard and the timeline: fonts, text fitting, clocks, PNG bytes."""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

BACKGROUND = (17, 20, 24)
PANEL = (28, 32, 39)
TEXT = (236, 238, 242)
MUTED = (150, 158, 170)
ELLIPSIS = "…"


def clock(seconds: float) -> str:
    """``4.2`` → ``0:04.20`` (minutes, seconds to the hundredth)."""
    hundredths = int(round(seconds * 100))
    minutes, rest = divmod(hundredths, 6000)
    return f"{minutes}:{rest // 100:02d}.{rest % 100:02d}"


@lru_cache(maxsize=32)
def ui_font(size: int) -> ImageFont.FreeTypeFont:
    """Pillow's bundled sans font at ``size`` px: the same glyphs on every machine with this Pillow."""
    return ImageFont.load_default(size)


@lru_cache(maxsize=32)
def _font_file(path: str, size: int) -> ImageFont.FreeTypeFont | None:
    try:
        return ImageFont.truetype(path, size)
    except OSError:  # a placeholder or broken font file: the picture still renders, in the UI font
        return None


def brand_font(root: Path, font: str | None, size: int) -> ImageFont.FreeTypeFont:
    """The project's brand font at ``size`` px, or the UI font when there is none or it cannot be read."""
    if font:
        loaded = _font_file(str(Path(root) / font), size)
        if loaded is not None:
            return loaded
    return ui_font(size)


def readable_font(root: Path, font: str | None) -> Path | None:
    """The brand font file if FreeType can open it, else None (callers then use a fallback font)."""
    if font and _font_file(str(Path(root) / font), 12) is not None:
        return Path(root) / font
    return None


def text_width(draw: ImageDraw.ImageDraw, text: str, font) -> int:
    """Width in pixels of ``text`` drawn in ``font``."""
    return int(round(draw.textlength(text, font=font)))


def ellipsise(draw: ImageDraw.ImageDraw, text: str, font, max_width: int) -> str:
    """``text`` cut to fit ``max_width``, ending in an ellipsis when cut."""
    if text_width(draw, text, font) <= max_width:
        return text
    while text and text_width(draw, text.rstrip() + ELLIPSIS, font) > max_width:
        text = text[:-1]
    return text.rstrip() + ELLIPSIS if text else ""


def wrap(draw: ImageDraw.ImageDraw, text: str, font, max_width: int, max_lines: int) -> list[str]:
    """Greedy word wrap into at most ``max_lines`` lines; the last is ellipsised if text is left over."""
    lines: list[str] = []
    current = ""
    words = text.split()
    for index, word in enumerate(words):
        candidate = f"{current} {word}".strip()
        if text_width(draw, candidate, font) <= max_width or not current:
            current = candidate
            continue
        lines.append(current)
        current = word
        if len(lines) == max_lines:
            # the word that did not fit follows, so the joined text overflows and gets its ellipsis
            lines[-1] = ellipsise(draw, " ".join([lines[-1], *words[index:]]), font, max_width)
            return lines
    if current:
        lines.append(current)
    return [ellipsise(draw, line, font, max_width) for line in lines]


def cover(image: Image.Image, size: tuple[int, int]) -> Image.Image:
    """``image`` scaled to cover ``size`` and centre-cropped (what the video's cover fit does)."""
    from PIL import ImageOps

    return ImageOps.fit(image.convert("RGB"), size, method=Image.Resampling.LANCZOS, centering=(0.5, 0.5))


def png_bytes(image: Image.Image) -> bytes:
    """PNG bytes with no metadata chunks, so the same picture gives the same bytes."""
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, format="PNG", optimize=False, compress_level=6)
    return buffer.getvalue()
