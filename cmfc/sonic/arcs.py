"""Sonic arcs drive the mix: a music level curve over the video, ducking under the voice, tempo checks.

An arc's energy curve is a list of ``(position, level)`` points, position 0..1
over the video and level 0..1 (the shape in ``frameworks/sonic_arcs.yaml``);
between points the level is linear. A level of 1 plays the music at its mix
level, 0 at ``floor_db`` below it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Sequence

if TYPE_CHECKING:  # numpy is imported where it is used: `cmfc check` and a no-op build read arcs without it
    import numpy as np


def arc_points_of(arc_points: Sequence[Any]) -> list[tuple[float, float]]:
    """Normalise points given as ``(pos, level)`` pairs or dicts ``{at|t|pos, level|energy}``, sorted."""
    points = []
    for point in arc_points:
        if isinstance(point, dict):
            pos = next(point[k] for k in ("at", "t", "pos", "position") if k in point)
            level = next(point[k] for k in ("level", "energy", "value") if k in point)
        else:
            pos, level = point
        points.append((min(max(float(pos), 0.0), 1.0), min(max(float(level), 0.0), 1.0)))
    if not points:
        raise ValueError("an arc needs at least one (position, level) point")
    return sorted(points)


def arc_level_curve(arc_points: Sequence[Any], duration_s: float, hop_s: float = 0.1) -> np.ndarray:
    """The arc's level (0..1) at every ``hop_s`` step across ``duration_s`` (linear between points)."""
    import numpy as np

    points = arc_points_of(arc_points)
    steps = max(1, int(np.ceil(duration_s / hop_s)))
    positions = (np.arange(steps) * hop_s) / max(duration_s, 1e-9)
    return np.interp(positions, [p for p, _ in points], [v for _, v in points])


def music_gain_envelope(arc_points: Sequence[Any], duration_s: float, sr: int, floor_db: float = -18.0,
                        voice_active: np.ndarray | None = None, voice_hop_s: float = 0.01,
                        duck_db: float = -12.0, attack_s: float = 0.08, release_s: float = 0.35) -> np.ndarray:
    """Linear gain per sample for the music: the arc's level curve, ducked by ``duck_db`` under the voice.

    The duck follows the voice with a musical attack and release (one-pole smoothing), not a gate.
    """
    import numpy as np

    n = int(round(duration_s * sr))
    hop_s = 0.01
    level = arc_level_curve(arc_points, duration_s, hop_s)
    gain_db = floor_db * (1.0 - level)
    if voice_active is not None and len(voice_active):
        voice = np.interp(np.arange(len(level)) * hop_s, np.arange(len(voice_active)) * voice_hop_s,
                          np.asarray(voice_active, dtype=float))
        gain_db = gain_db + duck_db * smooth_attack_release(voice, hop_s, attack_s, release_s)
    times = np.arange(n) / sr
    return 10 ** (np.interp(times, np.arange(len(gain_db)) * hop_s, gain_db) / 20)


def smooth_attack_release(signal: np.ndarray, hop_s: float, attack_s: float, release_s: float) -> np.ndarray:
    """One-pole follower: rises with time constant ``attack_s``, falls with ``release_s``."""
    import numpy as np

    up = 1 - np.exp(-hop_s / max(attack_s, 1e-6))
    down = 1 - np.exp(-hop_s / max(release_s, 1e-6))
    out = np.empty(len(signal))
    state = 0.0
    for i, value in enumerate(signal):
        state += (up if value > state else down) * (value - state)
        out[i] = state
    return out


def impact_times(arc_points: Sequence[Any], duration_s: float, min_jump: float = 0.25,
                 grid_s: Sequence[float] | None = None) -> list[float]:
    """Where the arc jumps up by ``min_jump`` or more (the hits), snapped to the nearest grid time if given."""
    import numpy as np

    points = arc_points_of(arc_points)
    hits = []
    for (p0, v0), (p1, v1) in zip(points, points[1:]):
        if v1 - v0 >= min_jump:
            hits.append(p1 * duration_s)
    if grid_s is not None and len(grid_s):
        grid = np.asarray(sorted(grid_s), dtype=float)
        hits = [float(grid[np.argmin(np.abs(grid - t))]) for t in hits]
    return sorted(set(round(t, 6) for t in hits))


def riser_spans(impacts_s: Sequence[float], length_s: float = 2.0) -> list[tuple[float, float]]:
    """A riser ending on each impact: ``(start, end)`` seconds, never starting before 0."""
    return [(max(0.0, t - length_s), t) for t in impacts_s]


def check_tempo(arc_bpm_range: Sequence[float], tempo: float) -> str | None:
    """A warning when the track's tempo is outside the arc's BPM range, else None."""
    low, high = float(arc_bpm_range[0]), float(arc_bpm_range[1])
    if tempo <= 0:
        return "the music has no steady beat, so its tempo cannot be checked against the arc"
    if low <= tempo <= high:
        return None
    message = f"the music runs at {tempo:.0f} BPM, outside the arc's {low:.0f}–{high:.0f} BPM"
    for felt, name in ((tempo * 2, "double-time"), (tempo / 2, "half-time")):
        if low <= felt <= high:
            return f"{message} (its {name} feel, {felt:.0f} BPM, is inside)"
    return message
