"""The MoviePy timeline target (manual §4.5, §3.8): ``timeline/timeline.json`` and ``timeline/timeline.py``.

``timeline.json`` is the edit as data: each scene's fabricated clip, its slot in frames and
its fit policy, the master mix, and — for transparency — the stems the mix was made from
(the clean voice; the music with its ducking as gain points; the SFX cues at their frames).
``timeline.py`` is one fixed MoviePy 2 script that reads the JSON next to it and renders it,
so no user text ever becomes Python source. See docs/timeline.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from importlib import resources
from pathlib import PurePosixPath

from cmfc.ir.canonical import dumps
from cmfc.ir.models import Project, Scene, Word
from cmfc.ir.values import SAMPLE_RATE, round_to_units, samples_to_frames
from cmfc.naming import final_name, picked_take, stage_dir, sonic_name

__all__ = ["STAGE", "units", "emit", "build_timeline", "duck_points", "sfx_cues", "SfxPlacement", "SCHEMA"]
STAGE = "05_assembly"

SCHEMA = "cmfc.timeline/1"
FABRICATED_EXT = "mp4"
DUCK_ATTACK = Fraction(40, 1000)  # seconds: the music is fully ducked when a word starts
DUCK_RELEASE = Fraction(250, 1000)  # seconds: back to full level this long after a word ends
DEFAULT_FIT = "loop"  # §3.8: a short clip loops, a long one is trimmed


def units(project: Project, frameworks) -> list:
    """One action for the project: the timeline view, with the words, the music and the SFX it places."""
    from cmfc.backends import Unit
    from cmfc.ir.views import timeline_view

    return [Unit("timeline", timeline_view(project, brand=False), ("timeline/timeline.json", "timeline/timeline.py"),
                 reads=("words", "music", "sfx"))]


def emit(project: Project, ctx) -> dict[str, bytes]:
    """``timeline/timeline.json`` (canonical JSON) and ``timeline/timeline.py`` (the MoviePy script that renders it)."""
    timeline = build_timeline(project, ctx.words)
    script = resources.files("cmfc.templates").joinpath("timeline", "timeline.py").read_bytes()
    return {"timeline/timeline.json": dumps(timeline).encode("utf-8"), "timeline/timeline.py": script}


def build_timeline(project: Project, words: tuple[Word, ...], frameworks=None) -> dict:
    """The timeline as plain JSON data; every path is relative to ``03_OUTPUT/<PROJECT>/``."""
    fmt = project.format
    return {
        "schema": SCHEMA,
        "project": project.id,
        "fps": fmt.fps,
        "size": {"width": fmt.width, "height": fmt.height},
        "sample_rate": SAMPLE_RATE,
        "duration": {"frames": project.duration_frames, "samples": project.duration_samples},
        "outputs": {"final": _in_output(project, "assembly", final_name(project.id)),
                    "preview": _in_output(project, "assembly", final_name(project.id, preview=True))},
        "clips": [_clip(project, scene) for scene in project.scenes],
        "audio": {"mix": {"path": _in_output(project, "sonic", sonic_name(project.id, "MASTER")), "start": 0},
                  "stems": _stems(project, words)},
    }


def _in_output(project: Project, stage: str, name: str) -> str:
    """``<NN_stage>/<name>``, relative to the project's output folder."""
    return str(PurePosixPath(stage_dir(project.id, stage).name, name))


def _clip(project: Project, scene: Scene) -> dict:
    take = picked_take(scene)
    fit = {"mode": scene.fit.mode if scene.fit else DEFAULT_FIT}
    if scene.fit is not None and scene.fit.mode == "speed":
        fit["speed"] = scene.fit.speed
    text = None
    if scene.text is not None:
        text = {"content": scene.text.content, "placement": scene.text.placement, "y": scene.text_y}
    return {
        "scene": scene.id,
        "template": scene.template,
        "role": scene.role,
        "take": take,
        "path": _in_output(project, "fabrication", PurePosixPath(scene.outputs.segment).name),
        "slot": {"start": scene.slot.start, "end": scene.slot.end},
        "fit": fit,
        "line": scene.line,
        "text": text,
    }


def _stems(project: Project, words: tuple[Word, ...]) -> dict:
    fps = project.format.fps
    voice = {"path": _in_output(project, "sonic", sonic_name(project.id, "VOICE_CLEAN")), "source": project.voice.path}
    music = None
    if project.music is not None:
        duck_db = project.music.duck.db
        music = {
            "source": project.music.path,
            "arc": project.music.arc,
            "duck": {"db": _number(duck_db), "attack_ms": int(DUCK_ATTACK * 1000),
                     "release_ms": int(DUCK_RELEASE * 1000)},
            "gain": [[frame, _number(db)] for frame, db in duck_points(words, fps, project.duration_frames, duck_db)],
        }
    sfx = [placement.as_json() for placement in sfx_cues(project, words)]
    return {"voice": voice, "music": music, "sfx": sfx, "sfx_library": project.sfx_library}


def _number(value: Decimal) -> int | float:
    """A decibel value as JSON: an integer when whole, else its shortest decimal."""
    return int(value) if value == value.to_integral_value() else float(str(value))


_frames = samples_to_frames


def duck_points(words, fps: int, duration_frames: int, duck_db: Decimal,
                attack: Fraction = DUCK_ATTACK, release: Fraction = DUCK_RELEASE) -> list[tuple[int, Decimal]]:
    """Music gain automation ``[(frame, dB)]``, linear between points: ``duck_db`` while words are spoken.

    Each ramp lasts at least one frame; a word starting before the previous release has ended keeps the music
    ducked. Points only where the level changes, strictly increasing frames, within ``[0, duration_frames]``.
    """
    zero = Decimal(0)
    if not words or duck_db == zero:
        return [(0, zero)]
    attack_samples = round_to_units(attack, SAMPLE_RATE)
    release_samples = round_to_units(release, SAMPLE_RATE)
    spans: list[list[int]] = []  # [ramp down from, ducked from, ducked until, back up at]
    for word in sorted(words, key=lambda w: (w.start, w.end)):
        ducked_from = min(_frames(word.start, fps), duration_frames)
        ducked_until = min(max(_frames(word.end, fps), ducked_from), duration_frames)
        down = max(0, min(_frames(word.start - attack_samples, fps), ducked_from - 1))
        up = min(duration_frames, max(_frames(word.end + release_samples, fps), ducked_until + 1))
        if spans and down < spans[-1][3]:
            spans[-1][2] = max(spans[-1][2], ducked_until)
            spans[-1][3] = max(spans[-1][3], up)
        else:
            spans.append([down, ducked_from, ducked_until, up])
    points: list[tuple[int, Decimal]] = []
    for down, ducked_from, ducked_until, up in spans:
        candidates = [(down, zero), (ducked_from, duck_db), (ducked_until, duck_db)]
        if up > ducked_until:
            candidates.append((up, zero))
        for frame, db in candidates:
            if points and points[-1][0] == frame:
                points[-1] = (frame, db)  # only when ramp-down starts at frame 0: the music starts ducked
            elif not points or points[-1] != (frame, db):
                points.append((frame, db))
    if points[0][0] != 0:
        points.insert(0, (0, zero))
    return points


@dataclass(frozen=True)
class SfxPlacement:
    """An SFX cue on the timeline: library name, scene, start (frame and sample), gain and why it is there."""

    name: str
    scene: str
    frame: int
    sample: int
    gain_db: Decimal
    word: str | None
    auto: bool

    def as_json(self) -> dict:
        """The cue as timeline.json writes it."""
        return {"name": self.name, "scene": self.scene, "frame": self.frame, "sample": self.sample,
                "gain_db": _number(self.gain_db), "word": self.word, "auto": self.auto}


def sfx_cues(project: Project, words=()) -> list[SfxPlacement]:
    """Every SFX cue (the scenes' ``sfx`` and the librarian's ``sfx_auto`` placements), in time order, as resolved."""
    return [SfxPlacement(s.name, s.scene, s.frame, s.sample, s.gain.db, s.word, s.auto) for s in project.sfx_starts]
