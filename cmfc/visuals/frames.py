"""One representative frame per scene: the hero image, a clip's middle frame, or a storyboard card."""

from __future__ import annotations

import re
from pathlib import Path

from PIL import Image

from cmfc import children
from cmfc.diagnostics import CmfError, Diagnostic, Span
from cmfc.ir.models import Project, Scene
from cmfc.render.card import Card, draw_card
from cmfc.visuals.drawing import cover, readable_font

_DURATION = re.compile(rb"Duration:\s*(\d+):(\d+):(\d+(?:\.\d+)?)")


def frame_kind(scene: Scene) -> str:
    """What the storyboard shows for ``scene``: ``image``, ``clip`` or ``card`` (a generator would make it)."""
    if scene.hero is not None and scene.hero.kind in ("image", "clip") and scene.hero.path:
        return scene.hero.kind
    return "card"


def scene_frame(project: Project, scene: Scene, root: Path, size: tuple[int, int]) -> Image.Image:
    """The picture of ``scene`` at ``size``: hero image or clip frame scaled to cover, else a card."""
    kind = frame_kind(scene)
    if kind == "image":
        path = Path(root) / scene.hero.path
        try:
            with Image.open(path) as image:
                return cover(image, size)
        except OSError as error:
            raise CmfError([Diagnostic(Span(scene.hero.path), f"{scene.hero.path}: cannot read this image ({error})")]) from None
    if kind == "clip":
        return cover(clip_middle_frame(Path(root) / scene.hero.path, scene.hero.path), size)
    return storyboard_card(project, scene, root, size)


def clip_middle_frame(path: Path, shown_as: str) -> Image.Image:
    """The frame in the middle of a video clip, decoded by the embedded ffmpeg."""
    import io

    from cmfc.mix.ffmpeg import run_ffmpeg

    middle = clip_seconds(path) / 2
    result = run_ffmpeg(["-ss", f"{middle:.3f}", "-i", path, "-frames:v", "1", "-an",
                         "-f", "image2pipe", "-vcodec", "png", "-"], f"reading a frame of {shown_as}", shown_as)
    if not result.stdout:
        raise CmfError([Diagnostic(Span(shown_as), f"{shown_as}: ffmpeg decoded no frame from this clip")])
    with Image.open(io.BytesIO(result.stdout)) as frame:
        return frame.convert("RGB")


def clip_seconds(path: Path) -> float:
    """A clip's duration from ffmpeg's stream summary (there is no ffprobe in the wheel); 0 if unknown."""
    from cmfc.mix.ffmpeg import ffmpeg_exe

    result = children.run([ffmpeg_exe(), "-hide_banner", "-nostdin", "-i", str(path)])
    found = _DURATION.search(result.stderr)
    if not found:
        return 0.0
    hours, minutes, seconds = found.groups()
    return int(hours) * 3600 + int(minutes) * 60 + float(seconds)


def scene_card(scene: Scene) -> Card:
    """What the renderer's storyboard card says for ``scene``: template, subject, prompts, slot, why."""
    prompts = [scene.hero.prompt if scene.hero is not None else None,
               f"{scene.motion.kind}: {scene.motion.prompt}" if scene.motion is not None and scene.motion.prompt else None]
    hero = scene.hero.kind if scene.hero is not None else "no"
    return Card(template=scene.template, subject=scene.subject or "",
                prompt="  ".join(p for p in prompts if p) or (scene.line or ""),
                slot_start=scene.slot.start, slot_end=scene.slot.end,
                reason=f"{hero} hero: needs a generator" if scene.hero is not None else "no hero declared")


def storyboard_card(project: Project, scene: Scene, root: Path, size: tuple[int, int]) -> Image.Image:
    """The same storyboard card the local renderer puts in the video, drawn at ``size``."""
    import io

    font = readable_font(root, project.brand.font)
    png = draw_card(scene.id, scene_card(scene), size[0], size[1], project.format.fps, font)
    with Image.open(io.BytesIO(png)) as card:
        return card.convert("RGB")
