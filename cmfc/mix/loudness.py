"""Measure the final file (issue 5: "measured on the final file, not assumed"): ffmpeg's EBU R128 scanner."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from cmfc.diagnostics import CmfError, Diagnostic, Span
from cmfc.mix.ffmpeg import run_ffmpeg


@dataclass(frozen=True)
class Loudness:
    """Integrated loudness (LUFS) and true peak (dBTP) of a file's first audio stream."""

    integrated_lufs: float
    true_peak_dbtp: float


_INTEGRATED = re.compile(r"Integrated loudness:\s*I:\s*(-?[\d.]+|-inf)\s*LUFS", re.S)
_TRUE_PEAK = re.compile(r"True peak:\s*Peak:\s*(-?[\d.]+|-inf)\s*dBFS", re.S)


def measure(path: str | os.PathLike) -> Loudness:
    """Decode ``path`` (MP4 or WAV) through ``ebur128=peak=true`` and read its summary."""
    result = run_ffmpeg(["-nostats", "-i", path, "-map", "0:a:0", "-af", "ebur128=peak=true", "-f", "null", "-"],
                        "measuring loudness", path)
    log = result.stderr.decode("utf-8", "replace")
    summary = log[log.rfind("Summary:"):] if "Summary:" in log else ""
    integrated, peak = _INTEGRATED.search(summary), _TRUE_PEAK.search(summary)
    if not integrated or not peak:
        raise CmfError([Diagnostic(Span(str(path)), "measuring loudness: ffmpeg's ebur128 printed no summary")])
    return Loudness(float(integrated.group(1)), float(peak.group(1)))
