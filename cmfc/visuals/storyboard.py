"""``cmfc storyboard``: a contact sheet, one cell per scene — its frame, id, template, slot and line."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from PIL import Image, ImageDraw

from cmfc.ir.models import Project, Scene
from cmfc.naming import stage_dir
from cmfc.visuals.drawing import BACKGROUND, MUTED, PANEL, TEXT, brand_font, clock, ellipsise, png_bytes, ui_font, wrap
from cmfc.visuals.frames import scene_frame

DEFAULT_WIDTH = 1600
MARGIN = 32
GAP = 24
CELL_MIN = 340  # narrowest cell that still holds a readable line; decides the column count
HEADER = 124
LINE_LINES = 3


@dataclass(frozen=True)
class SheetLayout:
    """Where everything goes on the sheet (pixels); the tests read cell positions from here."""

    width: int
    height: int
    columns: int
    cell_width: int
    frame_height: int
    cell_height: int
    cells: tuple[tuple[int, int], ...]  # top-left of each scene's cell, in scene order


def storyboard_path(project: Project) -> PurePosixPath:
    """``03_OUTPUT/<ID>/01_narrative/<ID>_STORYBOARD.png`` (project-relative)."""
    return stage_dir(project.id, "narrative") / f"{project.id}_STORYBOARD.png"


def sheet_layout(project: Project, width: int = DEFAULT_WIDTH) -> SheetLayout:
    """The grid for ``project``'s scenes at ``width`` px: a fixed cell size per width, short rows centred."""
    columns = max(1, (width - 2 * MARGIN + GAP) // (CELL_MIN + GAP))
    cell_width = (width - 2 * MARGIN - (columns - 1) * GAP) // columns
    frame_height = round(cell_width * project.format.height / project.format.width)
    cell_height = frame_height + _caption_height()
    count = len(project.scenes)
    cells = []
    for index in range(count):
        row, column = divmod(index, columns)
        in_row = min(columns, count - row * columns)
        row_left = (width - (in_row * cell_width + (in_row - 1) * GAP)) // 2
        cells.append((row_left + column * (cell_width + GAP), HEADER + row * (cell_height + GAP)))
    rows = max(1, -(-count // columns))
    height = HEADER + rows * cell_height + (rows - 1) * GAP + MARGIN
    return SheetLayout(width, height, columns, cell_width, frame_height, cell_height, tuple(cells))


def render_storyboard(project: Project, root: Path, width: int = DEFAULT_WIDTH) -> bytes:
    """The contact sheet as PNG bytes (same project and media → same bytes)."""
    layout = sheet_layout(project, width)
    sheet = Image.new("RGB", (layout.width, layout.height), BACKGROUND)
    draw = ImageDraw.Draw(sheet)
    _draw_header(draw, project, root, layout)
    for scene, (left, top) in zip(project.scenes, layout.cells):
        frame = scene_frame(project, scene, root, (layout.cell_width, layout.frame_height))
        sheet.paste(frame, (left, top))
        _draw_caption(draw, project, root, scene, left, top + layout.frame_height, layout.cell_width)
    return png_bytes(sheet)


def badge_text(scene: Scene) -> str:
    """The frame's corner label: where the shot comes from and how it moves (``LORA · WAN22``)."""
    hero = scene.hero.kind.upper() if scene.hero is not None else "NO HERO"
    motion = scene.motion.kind.upper() if scene.motion is not None and scene.motion.kind != "none" else ""
    return " · ".join(part for part in (hero, motion) if part)


def _caption_height() -> int:
    return 12 + 34 + 8 + 22 + 10 + LINE_LINES * 26 + 12


def _draw_header(draw: ImageDraw.ImageDraw, project: Project, root: Path, layout: SheetLayout) -> None:
    title = f"{project.id} · {project.title}" if project.title else project.id
    draw.text((MARGIN, 26), ellipsise(draw, title, brand_font(root, project.brand.font, 40), layout.width - 2 * MARGIN),
              font=brand_font(root, project.brand.font, 40), fill=TEXT)
    seconds = project.duration_frames / project.format.fps
    count = len(project.scenes)
    facts = (f"storyboard · {count} scene{'s' if count != 1 else ''} · {clock(seconds)} · "
             f"{project.format.width}x{project.format.height} {project.format.fps} fps")
    draw.text((MARGIN, 84), facts, font=ui_font(18), fill=MUTED)


def _draw_badge(draw: ImageDraw.ImageDraw, label: str, right: int, middle: int) -> None:
    font = ui_font(13)
    width = int(draw.textlength(label, font=font))
    draw.rounded_rectangle([right - width - 16, middle - 11, right, middle + 11], radius=4, fill=BACKGROUND)
    draw.text((right - 8, middle), label, font=font, fill=MUTED, anchor="rm")


def _draw_caption(draw: ImageDraw.ImageDraw, project: Project, root: Path, scene: Scene,
                  left: int, top: int, width: int) -> None:
    draw.rectangle([left, top, left + width - 1, top + _caption_height() - 1], fill=PANEL)
    draw.rectangle([left, top, left + width - 1, top + 3], fill=project.brand.highlight.rgb)
    inner = width - 28
    x = left + 14
    badge = badge_text(scene)
    _draw_badge(draw, badge, left + width - 14, top + 30)
    id_room = inner - int(draw.textlength(badge, font=ui_font(13))) - 28
    draw.text((x, top + 12), ellipsise(draw, scene.id, brand_font(root, project.brand.font, 30), id_room),
              font=brand_font(root, project.brand.font, 30), fill=TEXT)
    fps = project.format.fps
    start, end = scene.slot.start / fps, scene.slot.end / fps
    # Pillow's bundled font has no en dash; a spaced hyphen reads the same
    facts = f"{scene.template}  ·  {clock(start)} - {clock(end)}  ({end - start:.2f} s)"
    draw.text((x, top + 54), ellipsise(draw, facts, ui_font(16), inner), font=ui_font(16), fill=MUTED)
    line_font = ui_font(18)
    line = f"“{scene.line}”" if scene.line else "(no line)"
    for index, text in enumerate(wrap(draw, line, line_font, inner, LINE_LINES)):
        draw.text((x, top + 86 + index * 26), text, font=line_font, fill=TEXT if scene.line else MUTED)
