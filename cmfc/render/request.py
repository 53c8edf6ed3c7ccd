"""What the build asks the renderer for, and what it reports back: frozen, plain, hashable.

A :class:`SegmentRequest` holds everything that decides a segment's pixels and nothing else, so an
action can hash ``params()``. Times are frames relative to the segment's first frame. Paths are strings
as the caller gives them: the planner writes ``input:<name>`` and maps them to files at run time with
:meth:`SegmentRequest.with_paths`, so a key does not depend on where the project lives.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Callable, Literal, Optional, Union

ParamValue = Union[str, int, float, bool]
PLACEMENTS = ("top", "upper_third", "center", "lower_third", "bottom", "behind_head")


@dataclass(frozen=True)
class Source:
    """The hero pixels: a still image or a clip (path A: provided; or a generator's output)."""

    kind: Literal["image", "clip"]
    path: str


@dataclass(frozen=True)
class CardSpec:
    """A storyboard card standing in for a shot no configured generator can make (manual's Disclosure Protocol).

    ``needs`` says what is missing (``hero lora``, ``motion wan22``); ``slot`` is the scene's absolute
    frames [start, end); ``background`` an optional provided still drawn dimmed behind the card.
    """

    scene_id: str
    template: str
    needs: str
    slot: tuple[int, int]
    subject: Optional[str] = None
    prompt: Optional[str] = None
    motion_prompt: Optional[str] = None
    background: Optional[str] = None


@dataclass(frozen=True)
class KenBurns:
    """Zoom from..to over the segment and the pan direction (the window's travel)."""

    zoom: tuple[float, float] = (1.0, 1.1)
    pan: Literal["left", "right", "up", "down", "none"] = "none"


@dataclass(frozen=True)
class FitSpec:
    """What a clip does when shorter or longer than the slot: loop, pingpong, trim or speed."""

    mode: Literal["loop", "pingpong", "trim", "speed"] = "loop"
    speed: Optional[float] = None


@dataclass(frozen=True)
class TextSpec:
    """Kinetic text: ``' / '`` breaks lines; ``behind_head`` falls back to ``upper_third`` (no subject matte)."""

    content: str
    placement: str = "center"


@dataclass(frozen=True)
class EffectSpec:
    """A catalogue effect over frames [start, end) of the segment, with every parameter resolved (typed)."""

    name: str
    start: int
    end: int
    params: tuple[tuple[str, ParamValue], ...] = ()

    def param(self, name: str, default: ParamValue) -> ParamValue:
        """The value of parameter ``name`` (the catalogue default when the caller left it out)."""
        return dict(self.params).get(name, default)


@dataclass(frozen=True)
class Captions:
    """An ASS file burned in with libass; ``offset_frames`` is the segment's start on that file's clock."""

    path: str
    offset_frames: int = 0
    fonts_dir: Optional[str] = None


@dataclass(frozen=True)
class SegmentRequest:
    """Everything one scene segment's pixels depend on (see the module docstring)."""

    scene_id: str
    width: int
    height: int
    fps: int
    frames: int
    source: Optional[Source] = None
    card: Optional[CardSpec] = None
    motion: Optional[KenBurns] = None
    fit: Optional[FitSpec] = None
    text: Optional[TextSpec] = None
    effects: tuple[EffectSpec, ...] = ()
    font: Optional[str] = None
    base_color: str = "#FFFFFF"
    highlight_color: str = "#FFD400"
    captions: Optional[Captions] = None
    previous_frame: Optional[str] = None
    seed: int = 0
    preview: bool = False
    scale: float = 1.0

    @property
    def size(self) -> tuple[int, int]:
        """Output width and height: the project's, times ``scale``, rounded to even numbers (yuv420p)."""
        return _even(self.width * self.scale), _even(self.height * self.scale)

    def params(self) -> dict:
        """Plain JSON (dicts, lists, numbers, strings) for an action's key."""
        return _plain(dataclasses.asdict(self))

    @classmethod
    def from_params(cls, params: dict) -> "SegmentRequest":
        """Inverse of ``params()``."""
        data = dict(params)
        for name, kind in (("source", Source), ("card", CardSpec), ("motion", KenBurns), ("fit", FitSpec),
                           ("text", TextSpec), ("captions", Captions)):
            if data.get(name) is not None:
                data[name] = kind(**_tuples(data[name]))
        data["effects"] = tuple(EffectSpec(e["name"], e["start"], e["end"], tuple(tuple(p) for p in e["params"]))
                                for e in data.get("effects", ()))
        return cls(**data)

    def with_paths(self, resolve: Callable[[str], str]) -> "SegmentRequest":
        """The same request with every file path passed through ``resolve`` (``input:hero`` → a real path)."""
        replace = dataclasses.replace
        source = replace(self.source, path=resolve(self.source.path)) if self.source else None
        card = self.card
        if card is not None and card.background:
            card = replace(card, background=resolve(card.background))
        captions = self.captions
        if captions is not None:
            captions = replace(captions, path=resolve(captions.path),
                               fonts_dir=resolve(captions.fonts_dir) if captions.fonts_dir else None)
        return replace(self, source=source, card=card, captions=captions,
                       font=resolve(self.font) if self.font else None,
                       previous_frame=resolve(self.previous_frame) if self.previous_frame else None)


@dataclass(frozen=True)
class SegmentFacts:
    """What was rendered: exact frame count and size, and whether the pixels are a storyboard card."""

    frames: int
    width: int
    height: int
    fps: int
    storyboard: bool
    effects: tuple[str, ...] = ()

    def to_json_dict(self) -> dict:
        """Plain data for the manifest."""
        return _plain(dataclasses.asdict(self))


def _even(value: float) -> int:
    return max(2, int(round(value / 2)) * 2)


def _tuples(data: dict) -> dict:
    return {key: tuple(value) if isinstance(value, list) else value for key, value in data.items()}


def _plain(value):
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    return value
