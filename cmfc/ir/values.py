"""Exact value types of the IR: times, levels, colours, and their one rounding rule.

A time is kept as written (exact decimal seconds, or whole frames) and converted to
frames or samples only where a rate is known, with one rule: ``floor(t * rate + 1/2)``
on the exact rational value (half a frame rounds up). No floating point is involved,
so the same spec gives the same frames on every machine.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from math import floor
from typing import Annotated, Any

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic_core import core_schema

SAMPLE_RATE = 48_000


class ValueError_(ValueError):
    """A value that does not read as its kind; the message says what was expected."""


def round_to_units(seconds: Fraction, rate: int) -> int:
    """The rounding rule: whole units (frames or samples) nearest to ``seconds``, half rounding up."""
    return floor(seconds * rate + Fraction(1, 2))


def frames_to_samples(frames: int, fps: int, rate: int = SAMPLE_RATE) -> int:
    """The sample where frame ``frames`` starts at ``fps``, by the rounding rule (the one conversion every stage uses)."""
    return round_to_units(Fraction(frames, fps), rate)


def samples_to_frames(samples: int, fps: int, rate: int = SAMPLE_RATE) -> int:
    """The frame nearest to sample ``samples``, by the rounding rule."""
    return round_to_units(Fraction(samples, rate), fps)


def _decimal(text: str) -> Decimal:
    if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", text):
        raise InvalidOperation(text)
    return Decimal(text)


def format_decimal(value: Decimal) -> str:
    """Canonical decimal text: no exponent, no trailing zeros (``4.20`` → ``4.2``, ``10`` → ``10``)."""
    text = format(value.normalize(), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


_CLOCK = re.compile(r"(?:(\d+):)?(\d+):(\d{1,2}(?:\.\d+)?)")


@dataclass(frozen=True)
class Time:
    """A non-negative time as written: exact seconds (``4.2s``) or whole frames (``12f``)."""

    seconds: Decimal | None = None
    frames: int | None = None
    EXAMPLE = "4.2s"

    @classmethod
    def parse(cls, text: str) -> "Time":
        """Read ``4.2s``, ``500ms``, ``0:04.20``, ``1:02:03.5`` or ``12f``."""
        try:
            if re.fullmatch(r"\d+f", text):
                return cls(frames=int(text[:-1]))
            if text.endswith("ms") and re.fullmatch(r"\d+(\.\d+)?ms", text):
                return cls(seconds=_decimal(text[:-2]) / 1000)
            if re.fullmatch(r"\d+(\.\d+)?s", text):
                return cls(seconds=_decimal(text[:-1]))
            match = _CLOCK.fullmatch(text)
            if match:
                hours, minutes, secs = match.groups()
                if int(minutes) >= 60 and hours is not None or Decimal(secs) >= 60:
                    raise InvalidOperation(text)
                total = Decimal(int(hours or 0) * 3600 + int(minutes) * 60) + Decimal(secs)
                return cls(seconds=total)
        except InvalidOperation:
            pass
        raise ValueError_("expected a duration like 4.2s, 500ms, 0:04.20 or 12f")

    def to_frames(self, fps: int) -> int:
        """Whole frames at ``fps`` by the rounding rule."""
        if self.frames is not None:
            return self.frames
        return round_to_units(Fraction(self.seconds), fps)

    def to_samples(self, fps: int, rate: int = SAMPLE_RATE) -> int:
        """Whole samples at ``rate`` (frames convert through ``fps`` exactly)."""
        if self.frames is not None:
            return round_to_units(Fraction(self.frames, fps), rate)
        return round_to_units(Fraction(self.seconds), rate)

    def as_fraction(self, fps: int) -> Fraction:
        """Exact seconds."""
        return Fraction(self.frames, fps) if self.frames is not None else Fraction(self.seconds)

    def __str__(self) -> str:
        return f"{self.frames}f" if self.frames is not None else f"{format_decimal(self.seconds)}s"

    @classmethod
    def from_frames(cls, frames: int) -> "Time":
        return cls(frames=frames)

    @classmethod
    def from_seconds(cls, seconds: Fraction | Decimal | str) -> "Time":
        """An exact time from seconds; a fraction that is not a finite decimal is rounded to 1 µs."""
        if isinstance(seconds, Fraction):
            seconds = (Decimal(seconds.numerator) / Decimal(seconds.denominator)).quantize(Decimal("0.000001"))
        return cls(seconds=Decimal(seconds))

    __get_pydantic_core_schema__ = classmethod(lambda cls, source, handler: _string_schema(cls))
    __get_pydantic_json_schema__ = classmethod(
        lambda cls, schema, handler: {"type": "string", "pattern": r"^(\d+(\.\d+)?(s|ms)|\d+f|(\d+:)?\d+:\d{1,2}(\.\d+)?)$",
                                      "examples": ["4.2s", "500ms", "0:04.20", "12f"]})


def parse_range(text: str, parse_one, example: str = "4.2s..9.0s") -> tuple[Any, Any]:
    """Split ``A..B`` and read each side with ``parse_one``."""
    if text.count("..") != 1:
        raise ValueError_(f"expected a range like {example} (two values joined by ..)")
    left, right = text.split("..")
    return parse_one(left), parse_one(right)


def _decimal_with_unit(text: str, sign: str, unit: str, expected: str) -> Decimal:
    """The number of ``-12dB``-style text (``sign`` is the regex of the allowed sign)."""
    match = re.fullmatch(rf"({sign}\d+(\.\d+)?){unit}", text)
    if not match:
        raise ValueError_(f"expected {expected}")
    return Decimal(match.group(1))


def _unit_json_schema(sign: str, unit: str, example: str):
    return classmethod(lambda cls, schema, handler: {
        "type": "string", "pattern": rf"^{sign}\d+(\.\d+)?{unit}$", "examples": [example]})


@dataclass(frozen=True)
class Level:
    """A gain in decibels, e.g. ``-12dB``."""

    db: Decimal
    EXAMPLE = "-12dB"

    @classmethod
    def parse(cls, text: str) -> "Level":
        return cls(_decimal_with_unit(text, "[+-]?", "dB", "a level in decibels like -12dB"))

    def __str__(self) -> str:
        return f"{format_decimal(self.db)}dB"

    __get_pydantic_core_schema__ = classmethod(lambda cls, source, handler: _string_schema(cls))
    __get_pydantic_json_schema__ = _unit_json_schema("[+-]?", "dB", EXAMPLE)


@dataclass(frozen=True)
class Loudness:
    """An integrated loudness target, e.g. ``-14LUFS``."""

    lufs: Decimal
    EXAMPLE = "-14LUFS"

    @classmethod
    def parse(cls, text: str) -> "Loudness":
        return cls(_decimal_with_unit(text, "-?", "LUFS", "a loudness like -14LUFS"))

    def __str__(self) -> str:
        return f"{format_decimal(self.lufs)}LUFS"

    __get_pydantic_core_schema__ = classmethod(lambda cls, source, handler: _string_schema(cls))
    __get_pydantic_json_schema__ = _unit_json_schema("-?", "LUFS", EXAMPLE)


@dataclass(frozen=True)
class Color:
    """An sRGB colour ``#RRGGBB``, stored upper-case."""

    hex: str
    EXAMPLE = "#FFD400"

    @classmethod
    def parse(cls, text: str) -> "Color":
        if not re.fullmatch(r"#[0-9A-Fa-f]{6}", text):
            raise ValueError_("expected a colour like #FFD400")
        return cls(text.upper())

    @property
    def rgb(self) -> tuple[int, int, int]:
        return int(self.hex[1:3], 16), int(self.hex[3:5], 16), int(self.hex[5:7], 16)

    def __str__(self) -> str:
        return self.hex

    __get_pydantic_core_schema__ = classmethod(lambda cls, source, handler: _string_schema(cls))
    __get_pydantic_json_schema__ = classmethod(
        lambda cls, schema, handler: {"type": "string", "pattern": r"^#[0-9A-Fa-f]{6}$", "examples": ["#FFD400"]})


def _string_schema(cls) -> core_schema.CoreSchema:
    """Validate from an instance or its text form; serialise to the canonical text."""

    def validate(value: Any) -> Any:
        if isinstance(value, cls):
            return value
        if isinstance(value, (int, float)) and not isinstance(value, bool) and cls is not Color:
            raise ValueError(f"write it with its unit, e.g. {cls.EXAMPLE}")
        if not isinstance(value, str):
            raise ValueError("expected text")
        try:
            return cls.parse(value.strip())
        except ValueError_ as error:
            raise ValueError(str(error)) from None

    return core_schema.no_info_plain_validator_function(
        validate, serialization=core_schema.plain_serializer_function_ser_schema(str, when_used="always"))


def parse_number(text: str) -> Decimal:
    """A plain decimal number (``0.8``, ``3``)."""
    try:
        return _decimal(text)
    except InvalidOperation:
        raise ValueError_("expected a number like 0.8") from None


def parse_format(size: str, rate: str) -> tuple[int, int, int]:
    """``1080x1920`` and ``24fps`` → (width, height, fps)."""
    match = re.fullmatch(r"(\d+)x(\d+)", size)
    if not match:
        raise ValueError_("expected a frame size like 1080x1920")
    rate_match = re.fullmatch(r"(\d+)fps", rate)
    if not rate_match:
        raise ValueError_("expected a frame rate like 24fps")
    return int(match.group(1)), int(match.group(2)), int(rate_match.group(1))
