"""What the build asks the mix for, and what the mix reports back: frozen, plain, hashable.

Times are samples at 48 kHz (the IR's audio clock); paths are as the caller gives them
(the build passes files it resolved). ``params()`` is the plain-JSON form an action hashes.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Literal, Optional

from cmfc.ir.values import SAMPLE_RATE

DEFAULT_DUCK_DB = -12.0
DEFAULT_TARGET_LUFS = -14.0
DEFAULT_CEILING_DBTP = -1.0


@dataclass(frozen=True)
class Cue:
    """One SFX hit: where it starts (absolute samples), which file, its gain, and whether it is an impact."""

    start: int
    path: str
    gain_db: float = 0.0
    impact: bool = False


@dataclass(frozen=True)
class MixRequest:
    """Everything that decides the master: the build hashes ``params()`` plus the files' contents.

    ``speech`` holds the voice's word spans (samples) that drive the duck; empty means "detect it
    from the clean voice". ``music_fit`` "surgery" re-arranges the track on its bars (issue 6's
    ``fit_music``, using ``music_analysis`` JSON when given); "loop" loops or trims with crossfades.
    """

    duration_samples: int
    voice_path: str
    music_path: Optional[str] = None
    arc_points: tuple[tuple[float, float], ...] = ((0.0, 1.0), (1.0, 1.0))
    duck_db: float = DEFAULT_DUCK_DB
    payoff_s: Optional[float] = None
    cues: tuple[Cue, ...] = ()
    speech: tuple[tuple[int, int], ...] = ()
    target_lufs: float = DEFAULT_TARGET_LUFS
    ceiling_dbtp: float = DEFAULT_CEILING_DBTP
    music_fit: Literal["surgery", "loop"] = "surgery"
    music_analysis: Optional[str] = None
    arc_floor_db: float = -12.0
    bass_dip_db: float = -6.0
    dip_ms: int = 250
    # The bed's vocals stem (demucs): when given, ``music_path`` is the rest of the bed and only the
    # vocals duck under the voice (``music ... stems on``).
    music_vocals_path: Optional[str] = None

    def params(self) -> dict:
        """Plain JSON (lists, numbers, strings) for an action's key (no stems: the key it always had)."""
        data = _plain(dataclasses.asdict(self))
        if data["music_vocals_path"] is None:
            del data["music_vocals_path"]
        return data

    @classmethod
    def from_params(cls, params: dict) -> "MixRequest":
        """Inverse of ``params()``."""
        data = dict(params)
        data["cues"] = tuple(Cue(**cue) for cue in data.get("cues", ()))
        data["arc_points"] = tuple(tuple(point) for point in data.get("arc_points", ()))
        data["speech"] = tuple(tuple(span) for span in data.get("speech", ()))
        return cls(**data)

    @property
    def duration_s(self) -> float:
        return self.duration_samples / SAMPLE_RATE


@dataclass(frozen=True)
class MixFacts:
    """What the mix measured on the master it wrote (BS.1770 loudness, 4x-oversampled true peak)."""

    samples: int
    integrated_lufs: float
    true_peak_dbtp: float
    limiter_max_reduction_db: float
    music_notes: tuple[str, ...] = ()

    def to_json_dict(self) -> dict:
        """Rounded plain data (0.01 dB), deterministic."""
        return {"samples": self.samples, "integrated_lufs": round(self.integrated_lufs, 2),
                "true_peak_dbtp": round(self.true_peak_dbtp, 2),
                "limiter_max_reduction_db": round(self.limiter_max_reduction_db, 2),
                "music_notes": list(self.music_notes)}


def _plain(value):
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    return value
