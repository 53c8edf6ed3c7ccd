"""The IR: pydantic models, the single source of truth for every later stage.

Two layers, one vocabulary. ``ProjectSpec`` is what a person or an agent declares
(the `.cmf` script and the YAML/JSON blueprint both lower to it, and both are
emitted from it). ``Project`` extends it with what the compiler resolves: each
scene's slot in frames, the words its line aligns to, and which settings came from
the scene template. Times are exact (see ``cmfc.ir.values``).
"""

from __future__ import annotations

from typing import Literal, Optional, Union

from pydantic import BaseModel, ConfigDict, Field, field_validator

from cmfc.ir.values import Color, Level, Loudness, Time

NAME_PATTERN = r"^[A-Za-z][A-Za-z0-9_\-]*$"
PLACEMENTS = ("top", "upper_third", "center", "lower_third", "bottom", "behind_head")
PANS = ("left", "right", "up", "down", "none")
FIT_MODES = ("loop", "pingpong", "trim", "speed")
HERO_KINDS = ("image", "clip", "lora", "zimage")
MOTION_KINDS = ("wan22", "onetoall", "kenburns", "none")

Placement = Literal["top", "upper_third", "center", "lower_third", "bottom", "behind_head"]
AssetPath = str  # project-relative POSIX path, checked by cmfc.check.assets


class Node(BaseModel):
    """Base of every IR model: closed, immutable, exact."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Format(Node):
    width: int = Field(1080, ge=16, le=8192, description="frame width in pixels")
    height: int = Field(1920, ge=16, le=8192, description="frame height in pixels")
    fps: int = Field(24, ge=1, le=240, description="frames per second")


class Brand(Node):
    base: Color = Field(Color("#FFFFFF"), description="base text colour")
    highlight: Color = Field(Color("#FFD400"), description="accent colour (captions, kinetic text)")
    font: Optional[AssetPath] = Field(None, description="brand font file (.ttf/.otf)")
    keywords: tuple[str, ...] = Field((), description="caption accent keywords, added to the defaults")


class Voice(Node):
    path: AssetPath = Field(description="the voice-over: the master clock")
    words: Optional[AssetPath] = Field(None, description="word timings: WhisperX JSON, .srt or .vtt")
    loudness: Loudness = Field(Loudness.parse("-14LUFS"), description="integrated loudness target")
    denoise: Literal["afftdn", "deepfilternet"] = Field(
        "afftdn", description="the voice chain's denoiser: ffmpeg's afftdn, or DeepFilterNet (optional extra)")


class Snap(Node):
    """Beat-locked cuts: move derived cuts to the nearest beat or onset within the tolerance."""

    mode: Literal["beats", "onsets", "off"]
    tolerance: Time = Field(Time.parse("120ms"), description="how far a cut may move")


class Music(Node):
    path: AssetPath
    arc: Optional[str] = Field(None, description="a sonic arc from the frameworks")
    duck: Level = Field(Level.parse("-12dB"), description="music level change while the voice speaks")
    snap: Optional[Snap] = Field(None, description="snap scene cuts to the music's beats or onsets")
    stems: bool = Field(False, description="separate the bed (demucs, optional extra) so the duck lowers only its vocals")


class SfxTrigger(Node):
    """A word that places an SFX automatically (extends the librarian's keyword map)."""

    word: str
    sfx: str


class Lora(Node):
    path: AssetPath
    strength: float = Field(1.0, ge=0.0, le=2.0)


class Character(Node):
    id: str = Field(pattern=NAME_PATTERN)
    lora: Optional[Lora] = None
    anchor: Optional[str] = Field(None, description="the invariant visual anchor block, pasted into every prompt")


class Slot(Node):
    """A slot as written: ``at START..END``."""

    start: Time
    end: Time


class Hero(Node):
    kind: Literal["image", "clip", "lora", "zimage"]
    path: Optional[AssetPath] = Field(None, description="for image and clip")
    prompt: Optional[str] = Field(None, description="for lora and zimage")


class Motion(Node):
    kind: Literal["wan22", "onetoall", "kenburns", "none"]
    prompt: Optional[str] = Field(None, description="wan22: the kinetic prompt")
    driving: Optional[AssetPath] = Field(None, description="onetoall: the driving video")
    zoom: Optional[tuple[float, float]] = Field(None, description="kenburns: zoom from..to")
    pan: Optional[Literal["left", "right", "up", "down", "none"]] = None


class Text(Node):
    content: str
    placement: Optional[Placement] = None


class EffectUse(Node):
    """An effect applied in a scene; times are relative to the scene's start."""

    name: str
    params: dict[str, str] = Field(default_factory=dict, description="canonical text of each value, typed by the catalogue")
    at: Optional[Time] = None
    until: Optional[Time] = None


class SfxCue(Node):
    name: str
    on: Optional[str] = Field(None, description="a word of the scene's line; the cue starts with it")
    at: Optional[Time] = Field(None, description="or a time relative to the scene's start")
    gain: Optional[Level] = None


class Fit(Node):
    mode: Literal["loop", "pingpong", "trim", "speed"]
    speed: Optional[float] = Field(None, gt=0.05, le=8.0)


class SceneSpec(Node):
    id: str = Field(pattern=NAME_PATTERN)
    template: str
    at: Optional[Slot] = Field(None, description="explicit slot; otherwise derived from line")
    line: Optional[str] = None
    subject: Optional[str] = None
    hero: Optional[Hero] = None
    light: Optional[str] = None
    motion: Optional[Motion] = None
    text: Optional[Text] = None
    fx: tuple[EffectUse, ...] = ()
    afx: tuple[EffectUse, ...] = ()
    sfx: tuple[SfxCue, ...] = ()
    fit: Optional[Fit] = None
    takes: int = Field(1, ge=1, le=99)
    pick: Optional[str] = Field(None, pattern=r"^v\d{2}$", description="a take like v02")
    snap: Optional[Snap] = Field(None, description="this scene's head cut: override the project's snap")


class ProjectSpec(Node):
    """The declared project: what `.cmf` scripts and blueprints hold."""

    cmf: int = Field(1, description="language version")
    id: str = Field(pattern=NAME_PATTERN)
    title: str = ""
    format: Format = Format()
    seed: int = Field(0, ge=0, lt=2**63)
    brand: Brand = Brand()
    voice: Voice
    music: Optional[Music] = None
    sfx_library: Optional[AssetPath] = None
    sfx_auto: bool = Field(False, description="place SFX on trigger words (boom, suddenly, crash, …)")
    sfx_triggers: tuple[SfxTrigger, ...] = Field((), description="extra trigger words for sfx_auto")
    characters: tuple[Character, ...] = ()
    scenes: tuple[SceneSpec, ...] = ()

    @field_validator("cmf")
    @classmethod
    def _known_version(cls, value: int) -> int:
        if value != 1:
            raise ValueError("this cmfc reads version 1 of the language (cmf 1)")
        return value


class FrameRange(Node):
    """Frames [start, end) at the project fps."""

    start: int = Field(ge=0)
    end: int = Field(ge=0)

    @property
    def length(self) -> int:
        return self.end - self.start


# A typed effect parameter: float, int, bool, a choice (str), a time in frames (int), a colour as (r, g, b).
EffectValue = Union[bool, int, float, tuple[int, int, int], str]


class EffectWindow(Node):
    """An effect use as every target applies it, resolved once (docs/timing.md).

    ``start``/``end``: the frames it covers, ``[start, end)``, 0-based from the scene's first frame.
    ``values``: every parameter of the project's catalogue entry, given or default, typed.
    """

    name: str
    timing: Literal["span", "instant", "transition"]
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    values: dict[str, EffectValue] = Field(default_factory=dict)


class SceneOutputs(Node):
    """The project-relative files a scene's footage goes by (cmfc.naming)."""

    raw: str = Field(description="the generated or provided clip (03_mining, .mp4)")
    composite: str = Field(description="the Natron composite (04_fabrication, .mov)")
    segment: str = Field(description="the local render's segment (04_fabrication, .mp4)")


class Scene(SceneSpec):
    """A scene with what the compiler resolved."""

    slot: FrameRange
    head_cut: Literal["start", "explicit", "pause", "sliced", "beat", "onset"] = Field(
        "explicit", description="how the cut at the slot's start was placed")
    words: Optional[tuple[int, int]] = Field(None, description="voice word indexes [first, last] the line aligns to")
    inherited: tuple[str, ...] = Field((), description="fields filled from the scene template")
    role: str = Field("", description="the asset role of its footage (ICON PERF DROLL EROLL CROLL)")
    generator: tuple[str, ...] = Field((), description="what must be generated (\"hero lora\", \"motion wan22\")")
    stages: tuple[str, ...] = Field((), description="the ComfyUI stages of each take, in chain order "
                                                    "(hero, relight, motion_wan22 | motion_onetoall)")
    hero_lighting: Optional[str] = Field(None, description="the lighting phrase a LoRA hero's prompt carries "
                                                           "instead of a relight")
    outputs: Optional[SceneOutputs] = None
    effects: tuple[EffectWindow, ...] = Field((), description="its fx, typed, with their frames")
    text_y: Optional[float] = Field(None, description="the kinetic text's centre, as a fraction of the height from the top "
                                                      "(None: no text is drawn)")

    @property
    def needs_generator(self) -> bool:
        """True when some of its pixels must be generated (hero lora/zimage, motion wan22/onetoall)."""
        return bool(self.generator)

    def spec(self) -> SceneSpec:
        """The scene as declared (template defaults removed again)."""
        data = self.model_dump(exclude=RESOLVED_SCENE_FIELDS)
        for name in self.inherited:
            field, _, sub = name.partition(".")
            if sub:
                data[field][sub] = None
            else:
                data[field] = SceneSpec.model_fields[field].get_default()
        return SceneSpec.model_validate(data)


RESOLVED_SCENE_FIELDS = frozenset(set(Scene.model_fields) - set(SceneSpec.model_fields))


class Word(Node):
    """A word of the voice-over with its time in samples at 48 kHz."""

    text: str
    start: int
    end: int


class Section(Node):
    start: float
    end: float
    label: str
    energy: float


class MusicFacts(Node):
    """What the music analysis found (seconds, rounded to the millisecond)."""

    tempo: float
    beats: tuple[float, ...]
    downbeats: tuple[float, ...]
    onsets: tuple[float, ...]
    sections: tuple[Section, ...]


class AutoSfx(Node):
    """An SFX placed automatically (``sfx_auto``): on a trigger word, or where the sonic arc puts a riser or impact."""

    scene: str
    word: Optional[int] = Field(None, description="voice word index (trigger words)")
    start: int = Field(ge=0, description="where the SFX starts, in samples at 48 kHz")
    sfx: str
    keyword: str = Field(description="the trigger word, or arc:riser / arc:impact")


class SfxStart(Node):
    """An SFX as every target places it, resolved once: a scene's cue or an ``sfx_auto`` placement."""

    name: str
    scene: str
    sample: int = Field(ge=0, description="where it starts, in samples at 48 kHz from the video's start")
    frame: int = Field(ge=0, description="the same start in frames (the rounding rule)")
    gain: Level = Field(Level.parse("0dB"))
    word: Optional[str] = Field(None, description="the spoken word it starts with, or the auto placement's keyword")
    auto: bool = False
    path: Optional[AssetPath] = Field(None, description="its file in the sfx library (None: no library to look in)")


class Project(ProjectSpec):
    """The resolved project: the IR every backend reads."""

    scenes: tuple[Scene, ...] = ()
    duration_frames: int = Field(ge=0, description="the voice-over's length in frames (the master clock)")
    duration_samples: int = Field(ge=0, description="the voice-over's length in samples at 48 kHz")
    music_facts: Optional[MusicFacts] = Field(None, description="tempo, beats, sections of the music (when snapping)")
    auto_sfx: tuple[AutoSfx, ...] = ()
    font_family: str = Field("DejaVu Sans", description="the family the kinetic text and captions are set in")
    sfx_starts: tuple[SfxStart, ...] = Field((), description="every SFX in time order, with its file")
    natron_master: Optional[str] = Field(None, description="the project's Natron master comp (checked), when it has one")

    def spec(self) -> ProjectSpec:
        """The project as declared."""
        data = self.model_dump(exclude={"scenes", "duration_frames", "duration_samples", "music_facts", "auto_sfx",
                                        "font_family", "sfx_starts", "natron_master"})
        data["scenes"] = [scene.spec() for scene in self.scenes]
        return ProjectSpec.model_validate(data)

    def character(self, character_id: str) -> Optional[Character]:
        return next((c for c in self.characters if c.id == character_id), None)
