"""``cmfc timeline --png``: the whole timeline on one picture.

Lanes, top to bottom: scenes, the voice waveform (or the mix master once it exists), the music
waveform, beats, caption groups, words, and a time axis; a line at every scene cut runs through
all of them. Waveforms are min/max envelopes per pixel column with the RMS inside, at true scale
(full height = 0 dBFS), so a quiet bed looks quiet.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import numpy as np
from PIL import Image, ImageDraw

from cmfc.ir.models import Project, Word
from cmfc.naming import sonic_name, stage_dir
from cmfc.visuals.drawing import ELLIPSIS, BACKGROUND, MUTED, PANEL, TEXT, brand_font, clock, ellipsise, png_bytes, ui_font

DEFAULT_WIDTH = 1600
LEFT = 132  # lane labels live left of the plot
RIGHT = 28
HEADER = 92
LANE_GAP = 8
CUT_COLOR = (255, 77, 109)
VOICE_COLORS = ((62, 132, 176), (127, 209, 255))  # envelope, RMS
MASTER_COLORS = ((78, 150, 84), (155, 227, 122))
MUSIC_COLORS = ((112, 84, 150), (199, 146, 234))
BEAT_COLOR = (120, 128, 140)
DOWNBEAT_COLOR = (230, 232, 236)
SCENE_FILLS = ((40, 46, 56), (54, 61, 74))
GROUP_FILLS = ((70, 78, 92), (88, 97, 113))
TICK_STEPS = (0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300)


@dataclass
class TimelineLayout:
    """Pixel geometry of the picture; the tests find lanes and cut lines through it."""

    width: int
    height: int = 0
    lanes: dict[str, tuple[int, int]] = field(default_factory=dict)  # name → (top, bottom), bottom exclusive
    cut_xs: tuple[int, ...] = ()

    @property
    def plot_width(self) -> int:
        return self.width - LEFT - RIGHT


def timeline_path(project: Project) -> PurePosixPath:
    """``03_OUTPUT/<ID>/01_narrative/<ID>_TIMELINE.png`` (project-relative)."""
    return stage_dir(project.id, "narrative") / f"{project.id}_TIMELINE.png"


def master_path(project: Project) -> PurePosixPath:
    """Where the mix stage writes the master: drawn instead of the raw voice once it exists."""
    return stage_dir(project.id, "sonic") / sonic_name(project.id, "MASTER")


def timeline_layout(project: Project, width: int = DEFAULT_WIDTH) -> TimelineLayout:
    """The lanes this project gets at ``width`` px (no music → no music lane; no beats → no beat lane)."""
    heights = [("scenes", 44), ("voice", 168)]
    if project.music is not None:
        heights.append(("music", 104))
    if project.music_facts is not None and project.music_facts.beats:
        heights.append(("beats", 30))
    heights += [("captions", 40), ("words", 30), ("axis", 34)]
    layout = TimelineLayout(width)
    top = HEADER
    for name, height in heights:
        layout.lanes[name] = (top, top + height)
        top += height + LANE_GAP
    layout.height = top + 16
    layout.cut_xs = tuple(_x(layout, project, frame / project.format.fps) for frame in cut_frames(project))
    return layout


def cut_frames(project: Project) -> list[int]:
    """The frames where a cut line is drawn: every scene's start, once each, in time order."""
    return sorted({scene.slot.start for scene in project.scenes})


def render_timeline(project: Project, words: list[Word], root: Path, width: int = DEFAULT_WIDTH) -> bytes:
    """The timeline picture as PNG bytes (same project and media → same bytes)."""
    from cmfc.sonic.audio_io import load_audio

    layout = timeline_layout(project, width)
    image = Image.new("RGB", (layout.width, layout.height), BACKGROUND)
    draw = ImageDraw.Draw(image)
    master = Path(root) / master_path(project)
    source = ("MASTER", "mix master", master_path(project).as_posix()) if master.is_file() else \
        ("VOICE", "raw voice", project.voice.path)
    _draw_header(draw, project, root, layout, source[1], source[2])
    _draw_scenes(draw, project, layout)
    voice, _ = load_audio(Path(root) / source[2], mono=True)
    colors = MASTER_COLORS if source[0] == "MASTER" else VOICE_COLORS
    _draw_wave(draw, layout, "voice", source[0], voice, project.duration_samples, colors)
    if "music" in layout.lanes:
        music, _ = load_audio(Path(root) / project.music.path, mono=True)
        _draw_wave(draw, layout, "music", "MUSIC", music, project.duration_samples, MUSIC_COLORS)
    if "beats" in layout.lanes:
        _draw_beats(draw, project, layout)
    _draw_captions(draw, project, words, layout)
    _draw_axis(draw, project, layout)
    _draw_cuts(draw, layout)
    return png_bytes(image)


def envelope(samples: np.ndarray, columns: int, total: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per pixel column over ``total`` samples: (min, max, rms); audio past ``total`` is cut, short audio padded."""
    total = max(total, columns)
    fitted = np.zeros(total, dtype=np.float64)
    used = min(total, len(samples))
    fitted[:used] = samples[:used]
    starts = (np.arange(columns, dtype=np.int64) * total) // columns
    counts = np.diff(np.append(starts, total))
    lows = np.minimum.reduceat(fitted, starts)
    highs = np.maximum.reduceat(fitted, starts)
    rms = np.sqrt(np.add.reduceat(fitted * fitted, starts) / counts)
    return lows, highs, rms


def _x(layout: TimelineLayout, project: Project, seconds: float) -> int:
    total = max(project.duration_samples, 1) / 48_000
    return LEFT + int(round(seconds / total * layout.plot_width))


def _lane_label(draw: ImageDraw.ImageDraw, layout: TimelineLayout, lane: str, label: str, note: str = "") -> None:
    top, bottom = layout.lanes[lane]
    middle = (top + bottom) // 2
    draw.text((LEFT - 14, middle - (8 if note else 0)), label, font=ui_font(14), fill=TEXT, anchor="rm")
    if note:
        draw.text((LEFT - 14, middle + 10), note, font=ui_font(12), fill=MUTED, anchor="rm")


def _draw_header(draw, project: Project, root: Path, layout: TimelineLayout, what: str, path: str) -> None:
    title = f"{project.id} · {project.title}" if project.title else project.id
    font = brand_font(root, project.brand.font, 34)
    draw.text((LEFT, 18), ellipsise(draw, title, font, layout.plot_width), font=font, fill=TEXT)
    seconds = project.duration_samples / 48_000
    count = len(project.scenes)
    facts = f"timeline · {count} scene{'s' if count != 1 else ''} · {clock(seconds)} · waveform: {what} ({path})"
    if project.music_facts is not None:
        facts += f" · {project.music_facts.tempo:.1f} BPM"
    draw.text((LEFT, 62), ellipsise(draw, facts, ui_font(16), layout.plot_width), font=ui_font(16), fill=MUTED)


def _draw_scenes(draw, project: Project, layout: TimelineLayout) -> None:
    top, bottom = layout.lanes["scenes"]
    _lane_label(draw, layout, "scenes", "SCENES")
    fps = project.format.fps
    font = ui_font(15)
    for index, scene in enumerate(project.scenes):
        left, right = _x(layout, project, scene.slot.start / fps), _x(layout, project, scene.slot.end / fps)
        draw.rectangle([left, top, max(left, right - 1), bottom - 1], fill=SCENE_FILLS[index % 2])
        room = right - left - 16
        label = next((text for text in (f"{scene.id}  {scene.template}", scene.id)
                      if draw.textlength(text, font=font) <= room), ellipsise(draw, scene.id, font, room))
        if label and label != ELLIPSIS:
            draw.text((left + 10, (top + bottom) // 2), label, font=font, fill=TEXT, anchor="lm")


def _draw_wave(draw, layout: TimelineLayout, lane: str, label: str, samples: np.ndarray, total: int,
               colors: tuple[tuple[int, int, int], tuple[int, int, int]]) -> None:
    top, bottom = layout.lanes[lane]
    draw.rectangle([LEFT, top, layout.width - RIGHT - 1, bottom - 1], fill=PANEL)
    middle, half = (top + bottom - 1) / 2, (bottom - top - 4) / 2
    peak = float(np.max(np.abs(samples))) if samples.size else 0.0
    note = f"peak {20 * np.log10(peak):.1f} dBFS" if peak > 0 else "silent"
    _lane_label(draw, layout, lane, label, note)
    draw.line([(LEFT, round(middle)), (layout.width - RIGHT - 1, round(middle))], fill=(52, 58, 68))
    lows, highs, rms = envelope(samples, layout.plot_width, total)
    for column, (low, high, level) in enumerate(zip(lows, highs, rms)):
        x = LEFT + column
        draw.line([(x, round(middle - min(high, 1.0) * half)), (x, round(middle - max(low, -1.0) * half))], fill=colors[0])
        if level > 0:
            draw.line([(x, round(middle - min(level, 1.0) * half)), (x, round(middle + min(level, 1.0) * half))],
                      fill=colors[1])


def _draw_beats(draw, project: Project, layout: TimelineLayout) -> None:
    top, bottom = layout.lanes["beats"]
    facts = project.music_facts
    _lane_label(draw, layout, "beats", "BEATS", f"{len(facts.beats)} beats")
    downbeats = {round(t, 3) for t in facts.downbeats}
    end = project.duration_samples / 48_000
    for beat in facts.beats:
        if beat > end:
            continue
        x = _x(layout, project, beat)
        strong = round(beat, 3) in downbeats
        draw.line([(x, top + (2 if strong else 12)), (x, bottom - 3)], fill=DOWNBEAT_COLOR if strong else BEAT_COLOR,
                  width=2 if strong else 1)


def _draw_captions(draw, project: Project, words: list[Word], layout: TimelineLayout) -> None:
    from cmfc.captions import group_words

    top, bottom = layout.lanes["captions"]
    groups = group_words(project, words) if words else []
    accents = sum(1 for g in groups if g.accent)
    _lane_label(draw, layout, "captions", "CAPTIONS", f"{len(groups)} groups · {accents} accent")
    font = ui_font(14)
    for index, group in enumerate(groups):
        left = _x(layout, project, group.start_sample / 48_000)
        right = _x(layout, project, group.end_sample / 48_000) - 2  # a hair of gap between held groups
        fill = project.brand.highlight.rgb if group.accent else GROUP_FILLS[index % 2]
        draw.rectangle([left, top + 4, max(left, right), bottom - 5], fill=fill)
        label = group.text if draw.textlength(group.text, font=font) <= right - left - 10 else ""
        if label:
            draw.text((left + 6, (top + bottom) // 2), label, font=font, fill=(16, 16, 16) if group.accent else TEXT,
                      anchor="lm")
    _draw_words(draw, project, words, layout)


def _draw_words(draw, project: Project, words: list[Word], layout: TimelineLayout) -> None:
    top, bottom = layout.lanes["words"]
    _lane_label(draw, layout, "words", "WORDS", f"{len(words)} words")
    font = ui_font(12)
    label_end = 0
    for word in words:
        left, right = _x(layout, project, word.start / 48_000), _x(layout, project, word.end / 48_000)
        draw.line([(left, top + 2), (max(left, right - 1), top + 2)], fill=VOICE_COLORS[1], width=3)
        # a label may overhang its word but never the previous label: dense speech shows every other word
        if left >= label_end + 4 and left + draw.textlength(word.text, font=font) <= layout.width - RIGHT:
            draw.text((left, top + 8), word.text, font=font, fill=MUTED)
            label_end = left + int(draw.textlength(word.text, font=font))


def _draw_axis(draw, project: Project, layout: TimelineLayout) -> None:
    top, _ = layout.lanes["axis"]
    total = project.duration_samples / 48_000
    step = next((s for s in TICK_STEPS if s / max(total, 1e-9) * layout.plot_width >= 110), TICK_STEPS[-1])
    draw.line([(LEFT, top), (layout.width - RIGHT - 1, top)], fill=MUTED)
    font = ui_font(13)
    count = int(total / step + 1e-9)
    for index in range(count + 1):
        seconds = index * step
        x = _x(layout, project, seconds)
        draw.line([(x, top), (x, top + 6)], fill=MUTED)
        label = clock(seconds)[:-3] if float(step).is_integer() else clock(seconds)[:-1]
        draw.text((x, top + 9), label, font=font, fill=MUTED, anchor="mt")


def _draw_cuts(draw, layout: TimelineLayout) -> None:
    top = layout.lanes["scenes"][0]
    bottom = layout.lanes["words"][1]
    for x in layout.cut_xs:
        draw.line([(x, top), (x, bottom - 1)], fill=CUT_COLOR, width=2)
