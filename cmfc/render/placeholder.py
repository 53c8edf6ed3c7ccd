"""The Black Screen Placeholder (manual §3.9): a failed scene's slot in black, marked with its id.

Encoded with the same settings as every segment, so the video still concatenates and the
rest of the film can be reviewed; the manifest marks it as a placeholder.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from cmfc.mix.ffmpeg import atomic_output, run_ffmpeg
from cmfc.render.encode import encoder_args, output_size


def black_segment(scene_id: str, width: int, height: int, fps: int, frames: int, preview: bool, out_path: Path) -> Path:
    """Write ``frames`` black frames with 'PLACEHOLDER — <scene id>' to ``out_path``."""
    from PIL import Image, ImageDraw, ImageFont

    width, height = output_size(width, height, preview)
    image = Image.new("RGB", (width, height), (0, 0, 0))
    draw = ImageDraw.Draw(image)
    size = max(10, width // 14)
    try:
        font = ImageFont.load_default(size)
    except TypeError:  # Pillow < 10.1 has only the bitmap default
        font = ImageFont.load_default()
    for row, text in enumerate(("PLACEHOLDER", scene_id, "this scene failed to build")):
        box = draw.textbbox((0, 0), text, font=font)
        x = (width - (box[2] - box[0])) // 2
        y = height // 2 + (row - 1) * int(size * 1.6)
        draw.text((x, y), text, fill=(200, 200, 200) if row != 1 else (255, 80, 80), font=font)
    with tempfile.TemporaryDirectory(prefix="cmfc-placeholder-") as scratch:
        card = Path(scratch) / "card.png"
        image.save(card, format="PNG")
        with atomic_output(out_path) as partial:
            run_ffmpeg(["-loop", "1", "-framerate", str(fps), "-i", str(card), "-vf", "format=yuv420p",
                        "-frames:v", str(frames), *encoder_args(fps, preview), str(partial)],
                       f"drawing the placeholder for scene {scene_id}", out_path)
    return Path(out_path)
