"""The edit the three Resolve timelines describe, in whole frames: built once from the IR, written three ways.

Tracks: V1 the scenes' fabricated clips, V2 their kinetic text as titles, A1 the clean voice, A2 the music
with its ducking, A3 the SFX; a marker per scene. The edit does not depend on the brand (the planner's view
for this target leaves it out), so ``cmfc compile`` and ``cmfc build`` give the same bytes. Media are named by URLs relative to the export folder
(``03_OUTPUT/<PROJECT>/05_assembly/``), percent-encoded, so the compiled files are the same on every machine;
``urls.localize`` makes them absolute for the machine that opens them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from pathlib import Path, PurePosixPath

from cmfc.diagnostics import CmfError, Diagnostic, Span
from cmfc.ir.models import Project
from cmfc.naming import sonic_name, stage_dir

FABRICATED_EXT = "mp4"
EXPORT_STAGE = "assembly"
_XML_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_safe(value: str) -> str:
    """Text XML 1.0 can hold (a blueprint's JSON may carry any control character): the others are dropped."""
    return _XML_UNSAFE.sub("", value)


@dataclass(frozen=True)
class Media:
    """A source file: its display name, URL relative to the export folder, length in frames, and kind."""

    key: str  # stable id stem, unique per file
    name: str
    url: str
    frames: int
    video: bool
    channels: int = 0


@dataclass(frozen=True)
class Clip:
    """A media use: source frames [src_in, src_out) placed at record frames [rec_in, rec_in + length)."""

    name: str
    media: Media
    src_in: int
    rec_in: int
    length: int
    gain: tuple[tuple[int, Decimal], ...] = ()  # level keyframes (record frame, dB); () = unity
    gain_db: Decimal = Decimal(0)  # a constant clip level (SFX cue gain)

    @property
    def src_out(self) -> int:
        return self.src_in + self.length

    @property
    def rec_out(self) -> int:
        return self.rec_in + self.length


@dataclass(frozen=True)
class Title:
    """A scene's kinetic text on V2 (disabled: the fabricated clip already has it burned in)."""

    name: str
    text: str
    placement: str
    y: float  # its centre as a fraction of the height from the top (Scene.text_y)
    rec_in: int
    length: int


@dataclass(frozen=True)
class Marker:
    """A scene marker at its first frame: the scene id and its line."""

    frame: int
    name: str
    comment: str


@dataclass(frozen=True)
class Edit:
    """The whole timeline."""

    name: str
    fps: int
    width: int
    height: int
    duration: int
    video: tuple[Clip, ...]
    titles: tuple[Title, ...]
    audio: tuple[tuple[Clip, ...], ...]  # A1 voice, A2 music, A3 sfx
    markers: tuple[Marker, ...]

    def media(self) -> list[Media]:
        """Every distinct source, in first-use order (video, then audio tracks)."""
        seen: dict[str, Media] = {}
        for clip in (*self.video, *(c for track in self.audio for c in track)):
            seen.setdefault(clip.media.key, clip.media)
        return list(seen.values())


def url_for(project_relative: str | PurePosixPath, project_id: str) -> str:
    """A project-relative path as a percent-encoded URL relative to the export folder."""
    from cmfc.backends.resolve.urls import relative_url

    return relative_url(project_relative, stage_dir(project_id, EXPORT_STAGE))


def build_edit(project: Project, ctx) -> Edit:
    """The edit of ``project`` (words and the SFX library come from ``ctx``)."""
    from cmfc.backends.timeline import duck_points

    fps, total = project.format.fps, project.duration_frames
    video, titles, markers = [], [], []
    for scene in project.scenes:
        rel = PurePosixPath(scene.outputs.segment)
        name = rel.name
        length = max(1, scene.slot.length)
        media = Media(f"scene:{scene.id}", name, url_for(rel, project.id), length, video=True)
        video.append(Clip(scene.id, media, 0, scene.slot.start, length))
        markers.append(Marker(scene.slot.start, scene.id, scene.line or ""))
        if scene.text_y is not None:
            titles.append(Title(f"{scene.id} text", scene.text.content, scene.text.placement or "center",
                                scene.text_y, scene.slot.start, length))
    voice_name = sonic_name(project.id, "VOICE_CLEAN")
    voice = Media("voice:", voice_name, url_for(stage_dir(project.id, "sonic") / voice_name, project.id),
                  total, video=False, channels=1)
    audio: list[tuple[Clip, ...]] = [(Clip("voice", voice, 0, 0, total),) if total else ()]
    music_track: tuple[Clip, ...] = ()
    if project.music is not None and total:
        length = _audio_frames(ctx.root, project.music.path, fps) or total
        frames = min(total, length)  # a shorter bed ends early, a longer one is trimmed to the voice
        music = Media("music:", PurePosixPath(project.music.path).name, url_for(project.music.path, project.id),
                      length, video=False, channels=2)
        gain = tuple(duck_points(ctx.words, fps, total, project.music.duck.db))
        music_track = (Clip("music", music, 0, 0, frames, gain=gain),)
    audio.append(music_track)
    audio.append(tuple(_sfx_clips(project, ctx)))
    return Edit(project.id, fps, project.format.width, project.format.height, total, tuple(video), tuple(titles),
                tuple(audio), tuple(markers))


def _sfx_clips(project: Project, ctx) -> list[Clip]:
    """The resolved SFX (``Project.sfx_starts``) on A3, each as long as its file."""
    fps, total = project.format.fps, project.duration_frames
    clips = []
    for cue in project.sfx_starts:
        if cue.path is None:
            raise CmfError([Diagnostic(Span(project.sfx_library or project.id),
                                       f"scene {cue.scene}: no sound effect named {cue.name} in the sfx library")])
        rel = PurePosixPath(cue.path)
        frames = max(1, _audio_frames(ctx.root, rel, fps) or fps)
        length = min(frames, total - cue.frame)
        if length <= 0:
            continue
        media = Media(f"sfx:{rel}", rel.name, url_for(rel, project.id), frames, video=False, channels=2)
        clips.append(Clip(f"{cue.name} ({cue.scene})", media, 0, cue.frame, length, gain_db=cue.gain.db))
    # a cue overlapping the next is shortened: one audio track holds one clip at a time
    trimmed = []
    for clip, following in zip(clips, clips[1:] + [None]):
        if following is not None and clip.rec_out > following.rec_in:
            clip = Clip(clip.name, clip.media, clip.src_in, clip.rec_in, max(0, following.rec_in - clip.rec_in),
                        clip.gain, clip.gain_db)
        if clip.length > 0:
            trimmed.append(clip)
    return trimmed


def _audio_frames(root: Path, rel: str | PurePosixPath, fps: int) -> int | None:
    """A sound file's length in whole frames (rounded up), or None when it cannot be read."""
    import soundfile

    try:
        info = soundfile.info(str(Path(root) / rel))
    except (RuntimeError, OSError, soundfile.LibsndfileError):
        return None
    exact = Fraction(info.frames, info.samplerate) * fps
    return -(-exact.numerator // exact.denominator)

