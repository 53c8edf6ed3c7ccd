"""A synthesized music bed with a known tempo and known sections, plus its ground truth.

Drum voices are tiny numpy recipes; noise comes from a seeded generator so every run is identical.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np

from .audio_io import RATE

A4 = 440.0


@dataclass(frozen=True)
class Section:
    """A run of bars with one arrangement; `parts` names which instruments play."""

    label: str
    bars: int
    energy: str
    parts: frozenset[str]


def note(semitones_from_a4: float) -> float:
    """Equal-tempered frequency in Hz."""
    return A4 * 2.0 ** (semitones_from_a4 / 12.0)


def seconds(n: int) -> np.ndarray:
    """Time axis for n samples."""
    return np.arange(n) / RATE


def kick() -> np.ndarray:
    """A pitch-swept sine thump (120 Hz down to 45 Hz) with a short click."""
    t = seconds(int(0.45 * RATE))
    freq = 45.0 + 75.0 * np.exp(-t / 0.035)
    body = np.sin(2 * np.pi * np.cumsum(freq) / RATE) * np.exp(-t / 0.13)
    click = np.sin(2 * np.pi * 1800 * t) * np.exp(-t / 0.002) * 0.25
    return 0.9 * (body + click)


def snare(rng: np.random.Generator) -> np.ndarray:
    """Band-passed noise plus a 185 Hz body."""
    from scipy.signal import butter, sosfilt

    t = seconds(int(0.25 * RATE))
    noise = sosfilt(butter(2, [1200, 6000], "bandpass", fs=RATE, output="sos"), rng.standard_normal(t.size))
    return 0.55 * noise * np.exp(-t / 0.05) + 0.35 * np.sin(2 * np.pi * 185 * t) * np.exp(-t / 0.05)


def hat(rng: np.random.Generator) -> np.ndarray:
    """A closed hi-hat: high-passed noise, 15 ms decay (short noise keeps the FLAC small)."""
    from scipy.signal import butter, sosfilt

    t = seconds(int(0.05 * RATE))
    noise = sosfilt(butter(4, 7000, "highpass", fs=RATE, output="sos"), rng.standard_normal(t.size))
    return 0.22 * noise * np.exp(-t / 0.015)


def tick() -> np.ndarray:
    """A clock tick: a 2.4 kHz ping that dies in a few ms (the ticking_clock arc's motif)."""
    t = seconds(int(0.04 * RATE))
    return 0.3 * np.sin(2 * np.pi * 2400 * t) * np.exp(-t / 0.006)


def tone(freqs: list[float], duration: float, attack: float, release: float, harmonics: int = 3) -> np.ndarray:
    """Sum of harmonic-rich sines for a chord or a bass note, with a linear attack and release."""
    t = seconds(int(duration * RATE))
    out = np.zeros(t.size)
    for f in freqs:
        for h in range(1, harmonics + 1):
            out += np.sin(2 * np.pi * f * h * t) / (h * h)
    env = np.minimum(1.0, np.minimum(t / attack, (duration - t) / release))
    return out * np.clip(env, 0.0, 1.0) / len(freqs)


def add(track: np.ndarray, at: int, sound: np.ndarray, gain: float = 1.0) -> None:
    """Mix `sound` into `track` starting at sample `at`, cut at the track's end."""
    end = min(track.size, at + sound.size)
    if at < end:
        track[at:end] += gain * sound[: end - at]


def play_bar(centre: np.ndarray, right: np.ndarray, parts: frozenset[str], bar_start: float, beat_s: float,
             chord: list[int], drums: dict) -> None:
    """Mix one 4/4 bar of the parts named in `parts` into the centre and right-leaning tracks."""
    if "pad" in parts or "pad_loud" in parts:
        pad = tone([note(n) for n in chord], 4 * beat_s, 0.25, 0.3)
        add(centre, int(round(bar_start * RATE)), pad, 0.30 if "pad_loud" in parts else 0.18)
    bass = tone([note(chord[0] - 12)], beat_s / 2 * 0.9, 0.005, 0.05, harmonics=2)
    for step in range(16):  # sixteenth notes
        at = int(round((bar_start + step * beat_s / 4) * RATE))
        on_beat, on_eighth = step % 4 == 0, step % 2 == 0
        if "kick4" in parts and on_beat or "kick2" in parts and step in (0, 8):
            add(centre, at, drums["kick"])
        if "snare" in parts and step in (4, 12):
            add(centre, at, drums["snare"])
        if "hat16" in parts or "hat8" in parts and on_eighth or "hat4" in parts and on_beat:
            add(right, at, drums["hats"][step % len(drums["hats"])], 0.8 if on_eighth else 0.5)
        if "tick16" in parts or "tick8" in parts and on_eighth:
            add(centre, at, drums["tick"], 1.0 if on_beat else 0.6)
        if "bass" in parts and on_eighth:
            add(centre, at, bass, 0.35)


def render_bed(
    bpm: int, sections: list[Section], chords: list[list[int]], duration_s: float, seed: int
) -> tuple[np.ndarray, dict]:
    """Render a stereo bed (n, 2) at 48 kHz and its truth: tempo, beats, downbeats and section spans."""
    rng = np.random.default_rng(seed)
    total = int(round(duration_s * RATE))
    centre, right = np.zeros(total), np.zeros(total)
    beat_s = 60.0 / bpm
    drums = {"kick": kick(), "snare": snare(rng), "tick": tick()}
    drums["hats"] = [hat(rng) for _ in range(8)]  # a few variants, so the hats aren't a machine-gun copy
    sections_truth, bar = [], 0
    for section in sections:
        start_bar = bar
        for _ in range(section.bars):
            play_bar(centre, right, section.parts, bar * 4 * beat_s, beat_s, chords[bar % len(chords)], drums)
            bar += 1
        sections_truth.append(
            {
                "label": section.label,
                "energy": section.energy,
                "start_s": round(start_bar * 4 * beat_s, 3),
                "end_s": round(min(bar * 4 * beat_s, duration_s), 3),
                "bars": section.bars,
            }
        )
    fade = int(0.5 * RATE)  # a soft tail so the bed doesn't end on a click
    ramp = np.linspace(1.0, 0.0, fade)
    centre[-fade:] *= ramp
    right[-fade:] *= ramp
    stereo = np.stack([centre + 0.35 * right, centre + 0.65 * right], axis=1)
    stereo *= 0.8 / float(np.max(np.abs(stereo)))  # peak near -2 dBFS
    beats = [round(i * beat_s, 3) for i in range(int(duration_s / beat_s) + 1) if i * beat_s < duration_s]
    truth = {
        "bpm": bpm,
        "beats_per_bar": 4,
        "first_downbeat_s": 0.0,
        "duration_s": round(total / RATE, 3),
        "sample_rate": RATE,
        "channels": 2,
        "sections": sections_truth,
        "beat_times_s": beats,
        "downbeat_times_s": beats[::4],
        "how": "synthesized by scripts/make_example_media.py (kick, snare, hats, clock ticks, bass, chord pad)",
    }
    return stereo, truth


def truth_json(truth: dict) -> str:
    """Canonical JSON for a bed's ground truth."""
    return json.dumps(truth, indent=1, sort_keys=True) + "\n"
