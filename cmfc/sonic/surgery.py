"""Musical surgery (manual §2.2): fit a track to the video's exact length, climax on the payoff.

The track is cut into bars at its downbeats. The output is two parts: the *pre*
part (music before the climax: intro and build, shortened by dropping whole bars
from the middle or lengthened by repeating the section that leads into the
climax) and the *post* part (the climax, what follows it, and the track's
ending). Every join between bars that were not neighbours in the source is a
short crossfade centred on a downbeat. Bars never divide a length exactly, so the
last few percent come from a time-stretch of at most ``max_stretch``, or from
starting on a later beat of the first bar and ending with a fade-out. The
output is exactly ``target_s`` long to the sample and the climax's first
downbeat lands on ``payoff_s`` to the sample.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from cmfc.sonic.analysis import MusicAnalysis, Section

CROSSFADE_S = 0.03


@dataclass(frozen=True)
class Join:
    """A splice in the output: at ``output_s`` the source jumps from ``from_s`` to ``to_s`` (both downbeats)."""

    output_s: float
    from_s: float
    to_s: float


@dataclass
class FitReport:
    """What the surgery did, in numbers the IR and ``cmfc ir`` can show."""

    target_samples: int
    sample_rate: int
    payoff_s: float
    climax_out_s: float | None
    climax: Section | None
    joins: list[Join] = field(default_factory=list)
    spans: list[tuple[float, float, float]] = field(default_factory=list)  # (output start, source start, source end)
    stretch_pre: float = 1.0
    stretch_post: float = 1.0
    start_offset_s: float = 0.0
    fade_out_s: float = 0.0
    notes: list[str] = field(default_factory=list)

    def to_json_dict(self) -> dict:
        """Plain data rounded to the millisecond (stretch to 1e-4), deterministic for hashing."""
        ms = lambda t: round(float(t), 3)  # noqa: E731
        return {
            "target_samples": self.target_samples, "sample_rate": self.sample_rate,
            "payoff": ms(self.payoff_s),
            "climax_out": None if self.climax_out_s is None else ms(self.climax_out_s),
            "joins": [{"at": ms(j.output_s), "from": ms(j.from_s), "to": ms(j.to_s)} for j in self.joins],
            "spans": [[ms(a), ms(b), ms(c)] for a, b, c in self.spans],
            "stretch_pre": round(self.stretch_pre, 4), "stretch_post": round(self.stretch_post, 4),
            "start_offset": ms(self.start_offset_s), "fade_out": ms(self.fade_out_s), "notes": list(self.notes),
        }


@dataclass(frozen=True)
class _Part:
    bars: list[int]
    length: int  # output samples
    factor: float = 1.0  # output length / source length
    drop: int = 0  # source samples dropped from the head of the first bar


def fit_music(samples: np.ndarray, sr: int, analysis: MusicAnalysis, target_s: float, payoff_s: float | None = None,
              max_stretch: float = 0.04, crossfade_s: float = CROSSFADE_S) -> tuple[np.ndarray, FitReport]:
    """Re-arrange ``samples`` to exactly ``target_s`` with the highest-energy section starting at ``payoff_s``.

    ``payoff_s=None`` keeps the climax where it is, or at 60 % of the target if it would start later.
    """
    source = np.asarray(samples, dtype=np.float32)
    target = int(round(target_s * sr))
    climax = analysis.climax()
    bars = _bars(analysis, sr, len(source))
    if target <= 0:
        return source[:0].copy(), FitReport(0, sr, 0.0, None, climax, notes=["empty target"])
    if len(bars) < 2 or climax is None:
        return _fit_without_grid(source, sr, target, crossfade_s)

    first_climax_bar = next((i for i, (a, _) in enumerate(bars) if a >= round(climax.start * sr) - sr // 100), None)
    if first_climax_bar is None:
        return _fit_without_grid(source, sr, target, crossfade_s)
    if payoff_s is None:
        payoff_s = min(climax.start, 0.6 * target_s)
    notes: list[str] = []
    if not 0 <= payoff_s < target_s:
        notes.append(f"payoff {payoff_s:.3f}s is outside the {target_s:.3f}s target; clamped")
        payoff_s = min(max(payoff_s, 0.0), max(0.0, target_s - (bars[0][1] - bars[0][0]) / sr))
    pre_length = int(round(payoff_s * sr))
    post_length = target - pre_length

    sections = _section_bars(analysis, bars, sr)
    climax_bars = next(run for run in sections if run[0] == first_climax_bar)
    bar_length = float(np.median([b - a for a, b in bars]))
    pre_bars, post_bars = list(range(first_climax_bar)), list(range(first_climax_bar, len(bars)))
    loop_bars = _lead_in_section(sections, pre_bars, climax_bars, analysis, bars, sr)
    select_pre = lambda n: _shorten_or_loop_pre(pre_bars, sections, loop_bars, n)  # noqa: E731
    select_post = lambda n: _shorten_or_loop_post(post_bars, sections, climax_bars, n)  # noqa: E731

    beats = [int(round(t * sr)) for t in analysis.beats]
    pre = _plan_pre(pre_length, bars, bar_length, select_pre, beats, max_stretch) if pre_length else None
    post, trimmed = _plan_post(post_length, bars, bar_length, select_post, max_stretch)
    fade_out = min(1.5, 0.25 * post_length / sr) if trimmed else 0.0

    handle = max(1, int(round(crossfade_s * sr / 2)))
    padded = np.concatenate([np.zeros((handle,) + source.shape[1:], source.dtype), source,
                             np.zeros((handle + target,) + source.shape[1:], source.dtype)])
    parts = [p for p in (pre, post) if p is not None]
    rendered = [_render_part(padded, sr, handle, bars, part) for part in parts]
    out = _overlap_add(rendered, [p.length for p in parts], handle, source.shape[1:])
    if pre is not None and pre.drop:
        out = _fade(out, sr, 0.05, at_start=True)
    out = _fade(out, sr, fade_out if fade_out else 0.01, at_start=False)

    report = FitReport(target, sr, pre_length / sr, pre_length / sr, climax, notes=notes,
                       stretch_pre=pre.factor if pre else 1.0, stretch_post=post.factor,
                       start_offset_s=(pre.drop / sr) if pre else 0.0, fade_out_s=fade_out)
    _describe(report, parts, bars, sr)
    return out, report


def _bars(analysis: MusicAnalysis, sr: int, length: int) -> list[tuple[int, int]]:
    """Sample spans between downbeats; the last bar runs one bar length or to the end of the track."""
    marks = [int(round(t * sr)) for t in analysis.downbeats if 0 <= t * sr < length]
    if len(marks) < 2:
        return []
    typical = int(np.median(np.diff(marks)))
    spans = list(zip(marks[:-1], marks[1:]))
    last_end = min(marks[-1] + typical, length)
    if last_end - marks[-1] > typical // 2:
        spans.append((marks[-1], last_end))
    return spans


def _section_bars(analysis: MusicAnalysis, bars: list[tuple[int, int]], sr: int) -> list[list[int]]:
    """Bar indices of each section (a bar belongs to the section its downbeat falls in)."""
    runs: list[list[int]] = []
    for section in analysis.sections:
        lo, hi = section.start * sr - sr // 100, section.end * sr - sr // 100
        run = [i for i, (a, _) in enumerate(bars) if lo <= a < hi]
        if run:
            runs.append(run)
    return runs


def _lead_in_section(sections: list[list[int]], pre_bars: list[int], climax_bars: list[int],
                     analysis: MusicAnalysis, bars: list[tuple[int, int]], sr: int) -> list[int]:
    """The bars to repeat when the build-up must grow: the section right before the climax, else the calmest."""
    before = [run for run in sections if run[-1] < climax_bars[0]]
    if before:
        return before[-1]
    others = [run for run in sections if run != climax_bars]
    if not others:
        return climax_bars
    level = {tuple(run): _run_energy(analysis, bars, run, sr) for run in others}
    return min(others, key=lambda run: (level[tuple(run)], run[0]))


def _shorten_or_loop_pre(pre_bars: list[int], sections: list[list[int]], loop: list[int], n: int) -> list[int]:
    """``n`` bars leading into the climax: keep the intro's opening and the bars just before the climax."""
    if n <= 0:
        return []
    if n <= len(pre_bars):
        intro = next((run for run in sections if run[0] == pre_bars[0]), pre_bars)
        head = min(len(intro), n // 2)
        return pre_bars[:head] + pre_bars[len(pre_bars) - (n - head):]
    # grow by repeating the lead-in section, so the bars right before the climax are still its own
    kept = [b for b in pre_bars if b < loop[0]] if set(loop) <= set(pre_bars) else list(pre_bars)
    count = n - len(kept)
    return kept + loop[: count % len(loop)] + loop * (count // len(loop))


def _shorten_or_loop_post(post_bars: list[int], sections: list[list[int]], climax: list[int], n: int) -> list[int]:
    """``n`` bars from the climax on: the whole climax, then the track's own ending, dropping the middle."""
    if n <= len(post_bars):
        last = next((run for run in reversed(sections) if run[-1] == post_bars[-1]), [])
        tail = 0 if last == climax else min(len(last), max(0, n - len(climax)))
        return post_bars[: n - tail] + post_bars[len(post_bars) - tail:] if tail else post_bars[:n]
    extra = n - len(post_bars)
    after = post_bars[len(climax):]
    return climax * (1 + extra // len(climax)) + climax[: extra % len(climax)] + after


def _plan_pre(length: int, bars: list[tuple[int, int]], bar_length: float, select: Callable[[int], list[int]],
              beats: list[int], max_stretch: float) -> _Part:
    """Bars for the music before the payoff: a whole-bar fit with a small stretch, else a later start."""
    n_up = max(1, math.ceil(length / bar_length))
    for n in (n_up - 1, n_up):
        chosen = select(n) if n > 0 else []
        size = _size(bars, chosen)
        if chosen and abs(length / size - 1) <= max_stretch:
            return _Part(chosen, length, length / size)
    chosen = select(n_up)
    while _size(bars, chosen) < length:
        n_up += 1
        chosen = select(n_up)
    size = _size(bars, chosen)
    first_start, first_end = bars[chosen[0]]
    # start on the beat of the first bar that leaves the least to stretch; else exactly where it must
    offsets = [b - first_start for b in beats if first_start <= b < first_end] or [0]
    best = min(offsets, key=lambda d: (abs(length / (size - d) - 1), d))
    if abs(length / (size - best) - 1) <= max_stretch:
        return _Part(chosen, length, length / (size - best), best)
    return _Part(chosen, length, 1.0, size - length)


def _plan_post(length: int, bars: list[tuple[int, int]], bar_length: float, select: Callable[[int], list[int]],
               max_stretch: float) -> tuple[_Part, bool]:
    """Bars from the climax on: end on a bar line with a small stretch if possible, else trim (True)."""
    n_near = max(1, round(length / bar_length))
    for n in (n_near, n_near + 1, n_near - 1):
        chosen = select(n) if n > 0 else []
        size = _size(bars, chosen)
        if chosen and abs(length / size - 1) <= max_stretch:
            return _Part(chosen, length, length / size), False
    n = max(1, math.ceil(length / bar_length))
    chosen = select(n)
    while _size(bars, chosen) < length:
        n += 1
        chosen = select(n)
    return _Part(chosen, length), True


def _size(bars: list[tuple[int, int]], chosen: list[int]) -> int:
    return sum(bars[i][1] - bars[i][0] for i in chosen)


def _segments(bars: list[tuple[int, int]], chosen: list[int], drop: int) -> list[tuple[int, int]]:
    """Contiguous source spans for a bar sequence (neighbouring bars merge: no join, no crossfade)."""
    spans: list[list[int]] = []
    for i in chosen:
        start, end = bars[i]
        if spans and spans[-1][1] == start:
            spans[-1][1] = end
        else:
            spans.append([start, end])
    if spans and drop:
        spans[0][0] += drop
    return [(a, b) for a, b in spans]


def _render_part(padded: np.ndarray, sr: int, handle: int, bars: list[tuple[int, int]], part: _Part) -> np.ndarray:
    """The part's audio with ``handle`` samples of source context on each side, stretched to its length."""
    spans = _segments(bars, part.bars, part.drop)
    pieces = [padded[a: b + 2 * handle] for a, b in spans]  # padded index a is source index a - handle
    raw = _overlap_add(pieces, [b - a for a, b in spans], handle, padded.shape[1:], keep_handles=True)
    if part.factor == 1.0:
        return raw[: part.length + 2 * handle]
    stretched = _time_stretch(raw, sr, part.factor)
    centre = int(round(handle * part.factor))
    window = stretched[max(0, centre - handle): centre + part.length + handle]
    return _fit_length(window, part.length + 2 * handle)


def _overlap_add(pieces: list[np.ndarray], lengths: list[int], handle: int, channel_shape: tuple,
                 keep_handles: bool = False) -> np.ndarray:
    """Butt pieces (each ``length + 2*handle`` long) together with equal-gain crossfades over the handles."""
    total = sum(lengths)
    out = np.zeros((total + 2 * handle,) + tuple(channel_shape), dtype=np.float64)
    ramp = np.sin(np.linspace(0, np.pi / 2, 2 * handle, endpoint=False) + np.pi / (8 * handle)) ** 2
    position = 0
    for k, (piece, length) in enumerate(zip(pieces, lengths)):
        piece = _fit_length(piece, length + 2 * handle).astype(np.float64)
        weight = np.ones(length + 2 * handle)
        if k > 0:
            weight[: 2 * handle] = ramp
        elif not keep_handles:
            weight[:handle] = 0.0
        if k < len(pieces) - 1:
            weight[length:] = ramp[::-1]
        elif not keep_handles:
            weight[length + handle:] = 0.0
        out[position: position + length + 2 * handle] += (piece.T * weight).T
        position += length
    result = out if keep_handles else out[handle: handle + total]
    return result.astype(np.float32)


def _time_stretch(audio: np.ndarray, sr: int, factor: float) -> np.ndarray:
    """Stretch to ``factor`` × the length, pitch unchanged: Rubber Band, inside the embedded ffmpeg.

    Its transient handling keeps drum hits on time (within 2.5 ms) where librosa's phase vocoder put
    them 2–9 ms late, unevenly, and took 2.8 s a minute of stereo (Rubber Band: ~1 s);
    ``channels=together`` keeps the stereo image.
    """
    from cmfc.sonic.audio_io import ffmpeg_filter

    stretched = ffmpeg_filter(audio, sr, f"rubberband=tempo={1.0 / factor:.9f}:channels=together")
    return _fit_length(stretched.astype(audio.dtype, copy=False), int(round(len(audio) * factor)))


def _fit_length(audio: np.ndarray, length: int) -> np.ndarray:
    if len(audio) >= length:
        return audio[:length]
    pad = np.zeros((length - len(audio),) + audio.shape[1:], dtype=audio.dtype)
    return np.concatenate([audio, pad])


def _fade(audio: np.ndarray, sr: int, seconds: float, at_start: bool) -> np.ndarray:
    n = min(len(audio), max(1, int(round(seconds * sr))))
    ramp = np.sin(np.linspace(0, np.pi / 2, n)) ** 2
    out = audio.copy()
    if at_start:
        out[:n] = (out[:n].T * ramp).T
    else:
        out[len(out) - n:] = (out[len(out) - n:].T * ramp[::-1]).T
    return out


def _fit_without_grid(source: np.ndarray, sr: int, target: int, crossfade_s: float) -> tuple[np.ndarray, FitReport]:
    """No beat grid (silence, speech, free-time music): loop or trim the whole track, fade the end."""
    handle = max(1, int(round(crossfade_s * sr / 2)))
    repeats = max(1, math.ceil(target / len(source)))
    padded = np.concatenate([np.zeros((handle,) + source.shape[1:], source.dtype), source,
                             np.zeros((handle,) + source.shape[1:], source.dtype)])
    pieces = [padded] * repeats
    lengths = [len(source)] * repeats
    out = _overlap_add(pieces, lengths, handle, source.shape[1:])[:target]
    out = _fade(out, sr, min(1.5, 0.25 * target / sr), at_start=False)
    report = FitReport(target, sr, 0.0, None, None, notes=["no beat grid found: the track is looped or trimmed as a whole"])
    report.spans = [(k * len(source) / sr, 0.0, len(source) / sr) for k in range(repeats)]
    return out, report


def _describe(report: FitReport, parts: list[_Part], bars: list[tuple[int, int]], sr: int) -> None:
    """Fill the report's spans and joins (output times account for each part's stretch)."""
    out_position = 0.0
    previous_end: int | None = None
    for part in parts:
        for start, end in _segments(bars, part.bars, part.drop):
            if previous_end is not None and previous_end != start:
                report.joins.append(Join(out_position / sr, previous_end / sr, start / sr))
            report.spans.append((out_position / sr, start / sr, end / sr))
            out_position += (end - start) * part.factor
            previous_end = end
        out_position = float(sum(p.length for p in parts[: parts.index(part) + 1]))


def _run_energy(analysis: MusicAnalysis, bars: list[tuple[int, int]], run: list[int], sr: int) -> float:
    start, end = bars[run[0]][0] / sr, bars[run[-1]][1] / sr
    hop = analysis.energy_hop
    window = analysis.energy[int(start / hop): max(int(start / hop) + 1, int(end / hop))]
    return float(np.mean(window)) if window else 0.0
