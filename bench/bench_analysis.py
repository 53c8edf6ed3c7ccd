"""Benchmark: music analysis time for 60 s and 10 min of synthetic music (issue 6; aim: 60 s in < 5 s).

Run from the repo root: ``.venv/bin/python bench/bench_analysis.py``. The first analysis in a process
pays librosa's import and numba cache load; it is reported separately as "warm-up".
"""

from __future__ import annotations

import pathlib
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from tests.sonic.sonic_synth import PartSpec, music_piece  # noqa: E402

SR = 48_000
BPM = 124.0


def song(seconds: float):
    """A verse/chorus song of about ``seconds`` (sections cycle: intro, verse, chorus, bridge)."""
    bar = 4 * 60.0 / BPM
    cycle = [PartSpec("intro", 4, 0.4, 220.0), PartSpec("verse", 8, 0.7, 196.0),
             PartSpec("chorus", 8, 1.0, 262.0, lead=True), PartSpec("bridge", 4, 0.55, 175.0)]
    parts, bars = [], 0
    while bars * bar < seconds:
        part = cycle[len(parts) % len(cycle)]
        parts.append(part)
        bars += part.bars
    samples, _, _ = music_piece(SR, BPM, parts)
    return samples[: int(seconds * SR)]


def main() -> None:
    from cmfc.sonic.analysis import analyze_music

    start = time.perf_counter()
    analyze_music(song(5.0), SR)
    print(f"warm-up (imports, numba cache): {time.perf_counter() - start:.2f} s")
    for seconds in (60.0, 600.0):
        samples = song(seconds)
        start = time.perf_counter()
        analysis = analyze_music(samples, SR)
        elapsed = time.perf_counter() - start
        print(f"{seconds / 60:>4.0f} min of 48 kHz music: {elapsed:.2f} s  ({seconds / elapsed:.0f}x real time; "
              f"{analysis.tempo:.1f} BPM, {len(analysis.beats)} beats, {len(analysis.sections)} sections)")


if __name__ == "__main__":
    main()
