"""An idiomatic MoviePy 2 render of specs/resilience from its sources, for issue 5's comparison.

What a MoviePy user would write for the same 60 s timeline: each scene's still (with a Ken Burns zoom
by ``resized(lambda t: ...)`` and a centre crop), clip (looped to its slot) or storyboard card, its
kinetic text as a ``TextClip``, composited on the slot, the master mix as the soundtrack, written with
the same x264 settings as the floor (medium, crf 20, 2 threads). No effects and no captions: it does
less than ``cmfc build``, so the ratio flatters MoviePy.

Run after a build of the project (it reads the master mix): ``python bench/moviepy_reference.py PROJECT OUT.mp4``
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from cmfc.check import load
from cmfc.render.card import Card, draw_card


def scene_clip(scene, root: Path, fps: int, size: tuple[int, int], font: str | None, scratch: Path):
    """The scene's picture for its slot, the way MoviePy's documentation builds one."""
    from moviepy import CompositeVideoClip, ImageClip, TextClip, VideoFileClip, vfx

    width, height = size
    duration = (scene.slot.end - scene.slot.start) / fps
    if scene.hero is not None and scene.hero.kind == "clip" and not scene.needs_generator:
        picture = VideoFileClip(str(root / scene.hero.path), audio=False)
        picture = picture.resized(height=height).cropped(x_center=picture.w * height / picture.h / 2,
                                                         width=width).with_effects([vfx.Loop(duration=duration)])
    else:
        if scene.hero is not None and scene.hero.path and not scene.needs_generator:
            still = root / scene.hero.path
        else:
            still = scratch / f"{scene.id}.png"
            still.write_bytes(draw_card(scene.id, Card(template=scene.template), width, height, fps, None))
        image = ImageClip(str(still)).with_duration(duration)
        image = image.resized(height=height) if image.w / image.h < width / height else image.resized(width=width)
        start, end = (scene.motion.zoom or (1.0, 1.1)) if scene.motion and scene.motion.zoom else (1.0, 1.06)
        zoomed = image.resized(lambda t: start + (end - start) * t / duration)
        picture = CompositeVideoClip([zoomed.with_position("center")], size=size)
    layers = [picture]
    if scene.text is not None:
        text = TextClip(font=font, text=scene.text.content.replace(" / ", "\n"), font_size=int(width * 0.085),
                        color="white", stroke_color="black", stroke_width=4, method="label")
        layers.append(text.with_duration(duration).with_position(("center", 0.7), relative=True))
    return CompositeVideoClip(layers, size=size).with_duration(duration).with_start(scene.slot.start / fps)


def main() -> None:
    from moviepy import AudioFileClip, CompositeVideoClip

    project_dir, out = Path(sys.argv[1]), Path(sys.argv[2])
    compiled = load(project_dir)
    project, root = compiled.project, compiled.location.root
    fps, size = project.format.fps, (project.format.width, project.format.height)
    font = str(root / project.brand.font) if project.brand.font else None
    scratch = out.parent / "moviepy-cards"
    scratch.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    clips = [scene_clip(scene, root, fps, size, font, scratch) for scene in project.scenes]
    video = CompositeVideoClip(clips, size=size).with_duration(project.duration_frames / fps)
    master = next((root / "03_OUTPUT" / project.id / "02_sonic").glob("*_MASTER.wav"))
    video = video.with_audio(AudioFileClip(str(master)))
    video.write_videofile(str(out), fps=fps, codec="libx264", preset="medium", threads=2, audio_codec="aac",
                          audio_bitrate="192k", ffmpeg_params=["-crf", "20", "-pix_fmt", "yuv420p"], logger=None)
    print(f"{time.perf_counter() - started:.1f}")


if __name__ == "__main__":
    main()
