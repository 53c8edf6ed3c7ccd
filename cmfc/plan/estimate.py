"""What the generation would cost on a remote GPU: the manual's numbers, configurable per project.

Manual §2.2: about 180 s of RTX 4090 time per 4-second clip, about 0.40 USD per hour. Override in
``cmfc.toml``::

    [costs]
    gpu_seconds_per_4s_clip = 180
    gpu_seconds_per_image = 20
    usd_per_gpu_hour = 0.40
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from cmfc.diagnostics import CmfError, Diagnostic, Span

DEFAULTS = {"gpu_seconds_per_4s_clip": 180.0, "gpu_seconds_per_image": 20.0, "usd_per_gpu_hour": 0.40}


@dataclass(frozen=True)
class Estimate:
    clips: int
    images: int
    gpu_seconds: float
    usd: float

    def summary(self) -> str:
        if not self.clips and not self.images:
            return "remote generation: nothing to generate"
        return (f"remote generation: {self.clips} motion clip{'s' if self.clips != 1 else ''} and {self.images} "
                f"image{'s' if self.images != 1 else ''} ≈ {self.gpu_seconds / 3600:.2f} GPU hours (RTX 4090) "
                f"≈ {self.usd:.2f} USD")


def rates(root: Path) -> dict[str, float]:
    """The cost rates: defaults, overridden by ``[costs]`` in the project's cmfc.toml."""
    config = root / "cmfc.toml"
    values = dict(DEFAULTS)
    if config.is_file():
        try:
            data = tomllib.loads(config.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
            raise CmfError([Diagnostic(Span(str(config)), f"cmfc.toml is not valid TOML: {error}")]) from None
        for key, value in data.get("costs", {}).items():
            if key not in DEFAULTS or isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                raise CmfError([Diagnostic(Span(str(config)), f"cmfc.toml [costs] {key} = {value!r}: expected one of "
                                           + ", ".join(DEFAULTS) + " with a number ≥ 0")])
            values[key] = float(value)
    return values


def estimate(compiled) -> Estimate:
    """GPU time and cost of every generation the spec asks for (hero, relight, motion; every take)."""
    project = compiled.project
    table = rates(compiled.location.root)
    clips = images = 0
    seconds = 0.0
    for scene in project.scenes:  # the stages resolution decided (Scene.stages), for every take
        for stage in scene.stages * scene.takes:
            if stage.startswith("motion"):
                clips += 1
                seconds += table["gpu_seconds_per_4s_clip"] * (scene.slot.length / project.format.fps) / 4.0
            else:
                images += 1
                seconds += table["gpu_seconds_per_image"]
    return Estimate(clips, images, seconds, seconds / 3600 * table["usd_per_gpu_hour"])
