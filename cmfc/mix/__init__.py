"""The mix and the final mux (issue 5, stages 2, 6 and 8): library code the build graph calls.

``clean_voice`` (the voice chain), ``render_mix`` (bed, ducking, SFX, loudness, true-peak
limit → ``<PROJECT>_MASTER.wav``), ``concat_segments``, ``encode_audio`` and ``mux`` (the
final MP4, audio encoded once), ``measure`` (EBU R128 on the final file). Requests are frozen
dataclasses whose ``params()`` an action hashes. ``render_mix`` loads on first use (it brings
numpy): planning and a no-op build read the requests without paying for numpy.
"""

from typing import Any

from cmfc.mix.loudness import Loudness, measure
from cmfc.mix.mux import concat_segments, encode_audio, mux
from cmfc.mix.request import Cue, MixFacts, MixRequest
from cmfc.mix.sfx import resolve_cues
from cmfc.mix.voice import clean_voice

__all__ = ["Cue", "Loudness", "MixFacts", "MixRequest", "clean_voice", "concat_segments", "encode_audio",
           "measure", "mux", "render_mix", "resolve_cues"]


def __getattr__(name: str) -> Any:
    if name == "render_mix":
        from cmfc.mix.master import render_mix

        return render_mix
    raise AttributeError(f"module 'cmfc.mix' has no attribute {name!r}")
