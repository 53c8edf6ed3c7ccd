"""The frameworks' schema: scene templates, sonic arcs, lighting presets and effects.

Each framework file under ``specs/frameworks/`` (or a project's ``frameworks/``)
is a mapping with one key holding a list of entries::

    scene_templates.yaml  templates: [SceneTemplate, ...]
    sonic_arcs.yaml       arcs:      [SonicArc, ...]
    lighting.yaml         presets:   [LightingPreset, ...]
    effects.yaml          effects:   [Effect, ...]     (visual, EFFECT-V-NN)
    audio_effects.yaml    effects:   [Effect, ...]     (audio,  EFFECT-A-NN)

Field meanings are in ``docs/frameworks.md``. Models are frozen and forbid
unknown fields so a typo in a framework file is an error, not a silent default.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any, Literal, NamedTuple

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from cmfc.diagnostics import suggest
from cmfc.yamlpos import show_value

Family = Literal["hook", "setup", "conflict", "turn", "epiphany", "payoff", "cta"]
FAMILIES: tuple[str, ...] = ("hook", "setup", "conflict", "turn", "epiphany", "payoff", "cta")
Role = Literal["ICON", "PERF", "DROLL", "EROLL", "CROLL"]
MotionKind = Literal["kenburns", "none", "wan22", "onetoall"]
Pan = Literal["left", "right", "up", "down", "none"]
FitMode = Literal["loop", "pingpong", "trim", "speed"]
TextPlacement = Literal["top", "upper_third", "center", "lower_third", "bottom", "behind_head"]
# One flat Literal (not a union of two) so a wrong category gives one plain error.
Category = Literal["motion", "color", "transition", "voice", "sfx", "music", "processing"]
Timing = Literal["span", "instant", "transition"]
ParamType = Literal["float", "int", "time", "color", "choice", "bool"]

VISUAL_CATEGORIES: tuple[str, ...] = ("motion", "color", "transition")
AUDIO_CATEGORIES: tuple[str, ...] = ("voice", "sfx", "music", "processing")
# The manual's relighting trigger phrase (Stage 3.2), used verbatim by every built-in preset.
TRIGGER_PHRASE = "参考色调，移除图1原有的光照并参考图2的光照和色调对图1重新照明"

# The time forms of docs/language.md: 4.2s, 500ms, 12f, 0:04.20, 1:02:03.5.
TIME_RE = re.compile(r"^(?:\d+(?:\.\d+)?(?:s|ms)|\d+f|(?:\d+:)?\d{1,2}:\d{2}(?:\.\d+)?)$")
COLOR_RE = re.compile(r"^#[0-9A-Fa-f]{6}$")
NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")
EFFECT_ID_RE = re.compile(r"^EFFECT-(V|A)-\d\d$")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def time_seconds(text: str) -> Decimal | None:
    """Seconds in a time written as ``0.3s``/``500ms``/``m:ss.ff``; None for frames (``12f``), which need an fps."""
    if text.endswith("ms"):
        return Decimal(text[:-2]) / 1000
    if text.endswith("s"):
        return Decimal(text[:-1])
    if text.endswith("f"):
        return None
    seconds = Decimal(0)
    for part in text.split(":"):
        seconds = seconds * 60 + Decimal(part)
    return seconds


def _check_name(value: str, what: str) -> str:
    if not NAME_RE.match(value):
        raise ValueError(f'{what} "{value}" must be lower-case letters, digits and _ (like blade_through_shadows)')
    return value


# ---------------------------------------------------------------- scene templates


class Motion(_Model):
    """A template's default motion; ``zoom`` and ``pan`` only for Ken Burns."""

    kind: MotionKind
    zoom: tuple[float, float] | None = None
    pan: Pan | None = None

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        return {"kind": value} if isinstance(value, str) else value

    @model_validator(mode="after")
    def _kenburns_only(self) -> "Motion":
        if self.kind != "kenburns" and (self.zoom is not None or self.pan is not None):
            raise ValueError(f"zoom and pan only apply to kenburns motion, not {self.kind}")
        if self.zoom is not None and not all(0.5 <= z <= 4.0 for z in self.zoom):
            raise ValueError("kenburns zoom values must be between 0.5 and 4.0")
        return self


class Fit(_Model):
    """What happens when a clip is shorter or longer than its slot; ``speed`` only with mode speed."""

    mode: FitMode
    speed: float | None = None

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        # "pingpong" or "speed 0.8", as written in a .cmf scene.
        if not isinstance(value, str):
            return value
        mode, _, speed = value.partition(" ")
        if not speed.strip():
            return {"mode": mode}
        try:
            return {"mode": mode, "speed": float(speed)}
        except ValueError:
            raise ValueError(f'"{value}" is not a fit like pingpong or speed 0.8') from None

    @model_validator(mode="after")
    def _speed_with_speed(self) -> "Fit":
        if self.mode == "speed" and self.speed is None:
            raise ValueError("fit speed needs a speed factor, like speed: 0.8")
        if self.mode != "speed" and self.speed is not None:
            raise ValueError(f"a speed factor only applies to fit speed, not {self.mode}")
        if self.speed is not None and not 0.1 <= self.speed <= 4.0:
            raise ValueError(f"fit speed must be between 0.1 and 4.0, got {self.speed}")
        return self


class FxUse(_Model):
    """One effect applied by default: its name, parameter overrides, and an optional time (relative to the scene)."""

    name: str
    params: dict[str, Any] = Field(default_factory=dict)
    at: str | None = None

    @field_validator("at")
    @classmethod
    def _time_or_range(cls, value: str | None) -> str | None:
        if value is not None and not all(TIME_RE.match(part) for part in value.split("..", 1)):
            raise ValueError(f'"{value}" is not a time like 3.9s or a range like 0.5s..2s')
        return value


class TemplateDefaults(_Model):
    """What a scene using the template gets unless it says otherwise."""

    motion: Motion | None = None
    fit: Fit | None = None
    text_placement: TextPlacement | None = None
    light: str | None = None
    fx: tuple[FxUse, ...] = ()
    energy: float = Field(0.5, ge=0.0, le=1.0)


class SceneTemplate(_Model):
    """A narrative beat (HOOK-4, SETUP-1, …): what it does and the defaults it gives a scene."""

    # family before id: pydantic validates in field order, and the id check needs the family.
    family: Family
    id: str
    description: str = Field(min_length=1)
    role: Role
    defaults: TemplateDefaults = TemplateDefaults()

    @field_validator("id")
    @classmethod
    def _id_matches_family(cls, value: str, info: ValidationInfo) -> str:
        family = info.data.get("family")
        expected = family.upper() if family else "|".join(f.upper() for f in FAMILIES)
        if not re.match(rf"^({expected})-[1-9][0-9]*$", value):
            where = f" for family {family}" if family else ""
            first = expected.split("|")[0]
            raise ValueError(f'"{value}" must be {expected.replace("|", ", ")}-<number>{where}, like {first}-1')
        return value


# ---------------------------------------------------------------- sonic arcs

ImpactTarget = Literal["hook", "setup", "conflict", "turn", "epiphany", "payoff", "cta", "downbeats"]


class Impacts(_Model):
    """Where the music's bass dips for an SFX impact (the manual's sidechain 'Impact')."""

    on: tuple[ImpactTarget, ...]
    bass_dip_db: float = Field(-6.0, lt=0)
    dip_ms: int = Field(250, gt=0, le=2000)


class Risers(_Model):
    """Risers placed to end at the head of scenes of these families."""

    before: tuple[Family, ...] = ()
    length_s: float = Field(2.0, gt=0, le=10)


class SonicArc(_Model):
    """A named emotional trajectory for the music bed: tempo range, energy curve and mix rules."""

    name: str
    description: str = Field(min_length=1)
    bpm: tuple[int, int]
    energy: tuple[tuple[float, float], ...] = Field(min_length=2)
    duck_db: float = Field(-12.0, lt=0)
    payoff_at: float = Field(ge=0.0, le=1.0)
    impacts: Impacts
    risers: Risers = Risers()

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        return _check_name(value, "arc name")

    @field_validator("bpm")
    @classmethod
    def _bpm_range(cls, value: tuple[int, int]) -> tuple[int, int]:
        low, high = value
        if not 40 <= low <= high <= 220:
            raise ValueError(f"must be [low, high] with 40 <= low <= high <= 220, got [{low}, {high}]")
        return value

    @field_validator("energy")
    @classmethod
    def _curve(cls, points: tuple[tuple[float, float], ...]) -> tuple[tuple[float, float], ...]:
        if points[0][0] != 0 or points[-1][0] != 1:
            raise ValueError("the curve must start at position 0 and end at position 1")
        for (left, _), (right, _) in zip(points, points[1:]):
            if right <= left:
                raise ValueError(f"positions must increase, but {right} comes after {left}")
        for position, level in points:
            if not 0 <= level <= 1:
                raise ValueError(f"the level at position {position} must be between 0 and 1, got {level}")
        return points

    def level_at(self, position: float) -> float:
        """The energy curve's level at ``position`` (0..1 of the piece), linearly interpolated."""
        position = min(1.0, max(0.0, position))
        for (x0, y0), (x1, y1) in zip(self.energy, self.energy[1:]):
            if position <= x1:
                return y0 + (y1 - y0) * (position - x0) / (x1 - x0)
        return self.energy[-1][1]


# ---------------------------------------------------------------- lighting


class LightingPreset(_Model):
    """A relighting reference for Qwen-Edit + lighting LoRA (manual Stage 3.2)."""

    name: str
    description: str = Field(min_length=1)
    reference_image: str
    trigger_phrase: str = Field(min_length=1)
    english: str = Field(min_length=1)
    lora: str
    lora_strength: float = Field(ge=0.0, le=2.0)
    mood: str = Field(min_length=1)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        return _check_name(value, "preset name")

    @field_validator("reference_image")
    @classmethod
    def _image(cls, value: str) -> str:
        if "/" in value or "\\" in value or not value.lower().endswith((".jpg", ".jpeg", ".png", ".webp")):
            raise ValueError(f'"{value}" must be an image file name (.jpg, .png, .webp) without folders')
        return value

    @field_validator("lora")
    @classmethod
    def _lora(cls, value: str) -> str:
        if "/" in value or "\\" in value or not value.endswith(".safetensors"):
            raise ValueError(f'"{value}" must be a .safetensors file name without folders')
        return value

    @property
    def relight_prompt(self) -> str:
        """The dual-conditioning text prompt: trigger phrase, then the English description."""
        return f"{self.trigger_phrase} {self.english}"


# ---------------------------------------------------------------- effects


class ParamProblem(NamedTuple):
    """A problem with one effect parameter given by a template or scene."""

    param: str
    message: str
    hint: str | None = None


class ParamSpec(_Model):
    """One effect parameter: its type, default, bounds or choices, unit and meaning."""

    type: ParamType
    default: Any = None
    min: float | None = None
    max: float | None = None
    choices: tuple[str, ...] | None = None
    unit: str | None = None
    description: str = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> "ParamSpec":
        if (self.type == "choice") != (self.choices is not None):
            raise ValueError("choices go with type choice, and type choice needs choices")
        if self.type in ("color", "choice", "bool") and (self.min is not None or self.max is not None):
            raise ValueError(f"min and max do not apply to a {self.type} parameter")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min {self.min} is more than max {self.max}")
        if self.default is None:
            raise ValueError("a parameter needs a default")
        problem = self.check_value(self.default)
        if problem:
            raise ValueError(f"default {problem}")
        return self

    def check_value(self, value: Any) -> str | None:
        """Why ``value`` is not acceptable for this parameter, or None when it is."""
        if self.type in ("float", "int"):
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                return f"expected a {'whole ' if self.type == 'int' else ''}number, got {show_value(value)}"
            if self.type == "int" and not isinstance(value, int):
                return f"expected a whole number, got {show_value(value)}"
            return self._bounds(value, value)
        if self.type == "time":
            if not isinstance(value, str) or not TIME_RE.match(value):
                return f"expected a time like 0.3s or 500ms, got {show_value(value)}"
            seconds = time_seconds(value)
            return None if seconds is None else self._bounds(float(seconds), value)
        if self.type == "color":
            ok = isinstance(value, str) and COLOR_RE.match(value)
            return None if ok else f"expected a colour like #FFD400, got {show_value(value)}"
        if self.type == "choice":
            ok = isinstance(value, str) and value in (self.choices or ())
            return None if ok else f"expected one of {', '.join(self.choices or ())}, got {show_value(value)}"
        return None if isinstance(value, bool) else f"expected true or false, got {show_value(value)}"

    def _bounds(self, number: float, shown: Any) -> str | None:
        if self.min is not None and number < self.min:
            return f"must be at least {self.min:g}, got {show_value(shown)}"
        if self.max is not None and number > self.max:
            return f"must be at most {self.max:g}, got {show_value(shown)}"
        return None


class Effect(_Model):
    """A visual (EFFECT-V-NN) or audio (EFFECT-A-NN) effect: what it does and its parameters."""

    id: str
    name: str
    category: Category
    description: str = Field(min_length=1)
    params: dict[str, ParamSpec] = Field(default_factory=dict)
    timing: Timing

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if not EFFECT_ID_RE.match(value):
            raise ValueError(f'effect id "{value}" must look like EFFECT-V-01 (visual) or EFFECT-A-01 (audio)')
        return value

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        return _check_name(value, "effect name")

    @model_validator(mode="after")
    def _kind_matches(self) -> "Effect":
        visual = self.id.startswith("EFFECT-V-")
        if visual != (self.category in VISUAL_CATEGORIES):
            kinds = VISUAL_CATEGORIES if visual else AUDIO_CATEGORIES
            raise ValueError(f"{self.id} needs a category among {', '.join(kinds)}, not {self.category}")
        if self.timing == "instant" and getattr(self.params.get("duration"), "type", None) != "time":
            raise ValueError(f"{self.name} is instant, so it needs a duration parameter of type time")
        return self

    @property
    def visual(self) -> bool:
        """True for EFFECT-V-NN effects."""
        return self.id.startswith("EFFECT-V-")

    def defaults(self) -> dict[str, Any]:
        """Every parameter's default value, by name."""
        return {name: spec.default for name, spec in self.params.items()}

    def check_params(self, params: dict[str, Any]) -> list[ParamProblem]:
        """Problems with parameter values given for this effect (unknown names, wrong types, out of range)."""
        problems = []
        for name in sorted(params):
            spec = self.params.get(name)
            if spec is None:
                hint = suggest(name, self.params) if self.params else None
                known = ", ".join(sorted(self.params)) or "none"
                problems.append(ParamProblem(name, f'{self.name} has no parameter "{name}" (it has: {known})', hint))
                continue
            problem = spec.check_value(params[name])
            if problem:
                problems.append(ParamProblem(name, f"{self.name} {name}: {problem}"))
        return problems


# ---------------------------------------------------------------- file shapes


class TemplatesFile(_Model):
    """``scene_templates.yaml``."""

    templates: tuple[SceneTemplate, ...]


class ArcsFile(_Model):
    """``sonic_arcs.yaml``."""

    arcs: tuple[SonicArc, ...]


class LightingFile(_Model):
    """``lighting.yaml``."""

    presets: tuple[LightingPreset, ...]


class EffectsFile(_Model):
    """``effects.yaml`` and ``audio_effects.yaml``."""

    effects: tuple[Effect, ...]
