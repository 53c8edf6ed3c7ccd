"""Hear a music track: tempo, beat grid, downbeats, onsets, sections and an energy curve.

One short-time spectrum (22.05 kHz, 1024-point FFT, hop 256 ≈ 11.6 ms) feeds
everything: librosa's onset envelope and beat tracker, a bar-phase vote for the
downbeats, and bar-synchronous timbre/harmony features whose novelty gives the
section boundaries, which therefore always sit on downbeats. Beats and onsets are
then refined to the sample-level transient nearby, because the spectral frames
alone are a frame late and 11.6 ms coarse.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

ANALYSIS_SR = 22_050
N_FFT = 1024
HOP = 256
ENERGY_HOP_S = 0.1
LOW_BAND_HZ = 200.0


@dataclass(frozen=True)
class Section:
    """A stretch of the track between two downbeats, with a role label and its mean energy (0..1)."""

    start: float
    end: float
    label: str
    group: str
    energy: float

    @property
    def duration(self) -> float:
        return self.end - self.start


@dataclass
class MusicAnalysis:
    """Everything the mix and the arrangement need to know about a track; times in seconds."""

    duration: float
    tempo: float
    beats: list[float]
    downbeats: list[float]
    onsets: list[float]
    sections: list[Section]
    energy: list[float]
    energy_hop: float = ENERGY_HOP_S
    beats_per_bar: int = 4

    @property
    def bar_duration(self) -> float:
        """Median distance between downbeats (0.0 when there are fewer than two)."""
        if len(self.downbeats) < 2:
            return 0.0
        return float(np.median(np.diff(self.downbeats)))

    def climax(self) -> Section | None:
        """The highest-energy section (the earliest one on a tie)."""
        return max(self.sections, key=lambda s: (s.energy, -s.start), default=None)

    def to_json_dict(self) -> dict:
        """Plain data rounded to the millisecond (energy to 1/1000), so the JSON is deterministic."""
        return {
            "duration": _ms(self.duration),
            "tempo": round(float(self.tempo), 2),
            "beats": [_ms(t) for t in self.beats],
            "downbeats": [_ms(t) for t in self.downbeats],
            "onsets": [_ms(t) for t in self.onsets],
            "sections": [
                {"start": _ms(s.start), "end": _ms(s.end), "label": s.label, "group": s.group,
                 "energy": round(float(s.energy), 3)}
                for s in self.sections
            ],
            "energy": [round(float(e), 3) for e in self.energy],
            "energy_hop": self.energy_hop,
            "beats_per_bar": self.beats_per_bar,
        }

    @classmethod
    def from_json_dict(cls, data: dict) -> "MusicAnalysis":
        """Inverse of ``to_json_dict`` (for analyses read back from the build cache)."""
        return cls(
            duration=data["duration"], tempo=data["tempo"], beats=list(data["beats"]),
            downbeats=list(data["downbeats"]), onsets=list(data["onsets"]),
            sections=[Section(**s) for s in data["sections"]], energy=list(data["energy"]),
            energy_hop=data.get("energy_hop", ENERGY_HOP_S), beats_per_bar=data.get("beats_per_bar", 4),
        )


def analyze_music(samples: np.ndarray, sr: int, beats_per_bar: int = 4) -> MusicAnalysis:
    """Tempo, beats, downbeats, onsets, sections and energy of a track (mono or stereo samples)."""
    from cmfc.sonic.jit_cache import librosa_locked

    with librosa_locked() as librosa:
        return _analyze_music(librosa, samples, sr, beats_per_bar)


def _analyze_music(librosa: Any, samples: np.ndarray, sr: int, beats_per_bar: int) -> MusicAnalysis:
    from cmfc.sonic.audio_io import resample, to_mono

    y = resample(np.asarray(to_mono(samples), dtype=np.float32), sr, ANALYSIS_SR).astype(np.float32)
    duration = len(samples) / sr
    energy = energy_curve(y, ANALYSIS_SR)
    if len(y) < N_FFT or not np.any(y):
        return MusicAnalysis(duration, 0.0, [], [], [], [Section(0.0, duration, "intro", "A", 1.0)], energy)

    power = np.abs(librosa.stft(y, n_fft=N_FFT, hop_length=HOP)) ** 2
    mel = librosa.feature.melspectrogram(S=power, sr=ANALYSIS_SR, n_mels=64)
    mel_db = librosa.power_to_db(mel, ref=np.max)
    onset_env = librosa.onset.onset_strength(S=mel_db, sr=ANALYSIS_SR)
    mel_hz = librosa.mel_frequencies(n_mels=64, fmax=ANALYSIS_SR / 2)
    low_env = librosa.onset.onset_strength(S=mel_db[mel_hz <= LOW_BAND_HZ], sr=ANALYSIS_SR)

    beat_frames = track_beats(onset_env, y)
    onset_frames = librosa.onset.onset_detect(onset_envelope=onset_env, sr=ANALYSIS_SR, hop_length=HOP)
    beats = refine_to_transients(y, ANALYSIS_SR, librosa.frames_to_time(beat_frames, sr=ANALYSIS_SR, hop_length=HOP))
    onsets = refine_to_transients(y, ANALYSIS_SR, librosa.frames_to_time(onset_frames, sr=ANALYSIS_SR, hop_length=HOP))
    tempo = tempo_from_beats(beats)
    extended = extend_to_the_ends(y, ANALYSIS_SR, beats, tempo)
    if len(extended) != len(beats):
        beats = extended
        beat_frames = np.round(beats * ANALYSIS_SR / HOP).astype(int)
        tempo = tempo_from_beats(beats)

    chroma = librosa.feature.chroma_stft(S=power, sr=ANALYSIS_SR)
    phase = downbeat_phase(beat_frames, low_env, chroma, beats_per_bar)
    downbeats = beats[phase::beats_per_bar]

    mfcc = librosa.feature.mfcc(S=mel_db, n_mfcc=13)
    log_rms = np.log10(np.sqrt(power.mean(axis=0)) + 1e-6)[None, :]
    sections = find_sections(downbeats, duration, [mfcc, chroma, log_rms], energy)
    return MusicAnalysis(duration, tempo, _floats(beats), _floats(downbeats), _floats(onsets), sections, energy,
                         beats_per_bar=beats_per_bar)


def track_beats(onset_env: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Beat frames from librosa's dynamic-programming tracker, fed a sub-frame tempo estimate.

    librosa's own tempo is quantised to whole frames of lag (±1 % at 160 BPM), and the tracker then
    drifts off the true grid within a few bars; the autocorrelation refined over several beat
    multiples is within ~0.1 %. Produced music sits on a grid, hence a tight tracker (400, not 100).
    """
    from cmfc.sonic.jit_cache import librosa_locked

    with librosa_locked() as librosa:
        return _track_beats(librosa, onset_env, y)


def _track_beats(librosa: Any, onset_env: np.ndarray, y: np.ndarray) -> np.ndarray:
    from cmfc.sonic.jit_cache import beat_module

    rough = float(librosa.feature.tempo(onset_envelope=onset_env, sr=ANALYSIS_SR, hop_length=HOP)[0])
    period = refine_period(onset_env, 60.0 * ANALYSIS_SR / HOP / rough)
    bpm = 60.0 * ANALYSIS_SR / HOP / period
    _, frames = beat_module(librosa).beat_track(onset_envelope=onset_env, sr=ANALYSIS_SR, hop_length=HOP,
                                                bpm=bpm, tightness=400, trim=False)
    frames = np.asarray(frames, dtype=int)
    # trim=False keeps quiet intros (librosa's trim drops them), so drop only beats in near-silence
    rms = np.sqrt(np.convolve(np.asarray(y, dtype=np.float64) ** 2, np.ones(HOP * 4) / (HOP * 4), mode="same"))
    loud = rms[np.clip(frames * HOP, 0, len(rms) - 1)] > 0.01 * rms.max()
    inside = frames * HOP < len(y) - N_FFT // 2  # a beat on the last frame has no music after it
    return frames[loud & inside]


def refine_period(onset_env: np.ndarray, rough_period: float, multiples: int = 16) -> float:
    """Beat period in frames from the onset envelope's autocorrelation peaks near k × the rough period."""
    centred = onset_env - onset_env.mean()
    n = len(centred)
    spectrum = np.fft.rfft(centred, 2 * n)
    autocorr = np.fft.irfft(np.abs(spectrum) ** 2)[:n]
    weighted_lags = weights = 0.0
    for k in range(1, multiples + 1):
        centre = k * rough_period
        lo, hi = int(np.floor(centre - 0.1 * rough_period)), int(np.ceil(centre + 0.1 * rough_period)) + 1
        if hi + 1 >= n // 2:
            break
        peak = lo + int(np.argmax(autocorr[lo:hi]))
        left, mid, right = autocorr[peak - 1], autocorr[peak], autocorr[peak + 1]
        curvature = left - 2 * mid + right
        offset = 0.5 * (left - right) / curvature if curvature < 0 else 0.0
        weighted_lags += (peak + offset) * k
        weights += k * k
    return weighted_lags / weights if weights else rough_period


def energy_curve(y: np.ndarray, sr: int, hop_s: float = ENERGY_HOP_S) -> list[float]:
    """RMS per ``hop_s`` block, normalised so the loudest block is 1.0."""
    hop = max(1, int(round(hop_s * sr)))
    blocks = int(np.ceil(len(y) / hop))
    padded = np.zeros(blocks * hop, dtype=np.float64)
    padded[: len(y)] = y
    rms = np.sqrt((padded.reshape(blocks, hop) ** 2).mean(axis=1))
    peak = rms.max() if blocks else 0.0
    return [float(v) for v in (rms / peak if peak > 0 else rms)]


def refine_to_transients(y: np.ndarray, sr: int, times: np.ndarray, early_s: float = 0.035,
                         late_s: float = 0.02) -> np.ndarray:
    """Move each time to the sharpest energy rise just before it (kept when there is no clear one).

    The spectral onset envelope peaks a frame or so after the attack, so the search window reaches
    ``early_s`` back but only ``late_s`` forward.
    """
    rise_times, rise = energy_rises(y, sr)
    if len(rise) < 1 or len(times) == 0:
        return np.asarray(times, dtype=float)
    refined = []
    for t in times:
        lo = int(np.searchsorted(rise_times, t - early_s))
        hi = int(np.searchsorted(rise_times, t + late_s, side="right"))
        if hi <= lo:
            refined.append(float(t))
            continue
        best = lo + int(np.argmax(rise[lo:hi]))
        refined.append(float(rise_times[best]) if rise[best] > 0.5 else float(t))  # > 0.5 nat ≈ +2 dB
    return np.asarray(refined)


def energy_rises(y: np.ndarray, sr: int) -> tuple[np.ndarray, np.ndarray]:
    """Times and sizes (in nats of frame energy) of the energy rises between 128-sample frames, 32 apart.

    The signal counts as preceded by silence, so a hit on the very first sample (a beat at 0 s) is a rise.
    """
    hop, frame = 32, 128
    padded = np.concatenate([np.zeros(frame), np.asarray(y, dtype=np.float64)])
    squares = np.concatenate([[0.0], np.cumsum(padded ** 2)])
    starts = np.arange(0, max(0, len(padded) - frame), hop)
    if len(starts) < 2:
        return np.zeros(0), np.zeros(0)
    frame_energy = squares[starts + frame] - squares[starts]
    log_energy = np.log(np.maximum(frame_energy, 1e-4 * frame_energy.max()) + 1e-12)  # ignore rises in near-silence
    # a rise between frames k and k+1 means the new samples at the end of frame k+1 hold the attack
    return (starts[1:] + frame - hop / 2 - frame) / sr, np.diff(log_energy)


def extend_to_the_ends(y: np.ndarray, sr: int, beats: np.ndarray, tempo: float, reach_s: float = 0.03) -> np.ndarray:
    """The beat grid carried on to the first and last beats of the file, where the tracker stopped short.

    librosa's tracker cannot see a beat in its onset envelope's first frames (zero-padded: a click at
    0 s is invisible) and ends where its cumulative score stops rising, a beat or two before the end of
    the file. So the grid is stepped on, one period at a time, while a transient as strong as half the
    tracked beats' typical one stands within ``reach_s`` of where the next beat belongs.
    """
    beats = np.asarray(beats, dtype=float)
    if len(beats) < 4 or tempo <= 0:
        return beats
    period = 60.0 / tempo
    rise_times, rise = energy_rises(y, sr)
    if len(rise) == 0:
        return beats

    def strongest(t: float) -> tuple[float, float]:
        lo = int(np.searchsorted(rise_times, t - reach_s))
        hi = int(np.searchsorted(rise_times, t + reach_s, side="right"))
        if hi <= lo:
            return 0.0, t
        best = lo + int(np.argmax(rise[lo:hi]))
        return float(rise[best]), float(rise_times[best])

    threshold = max(0.5, 0.5 * float(np.median([strongest(b)[0] for b in beats])))
    end = len(y) / sr - N_FFT / 2 / ANALYSIS_SR  # a beat on the last frame has no music after it
    grid = list(beats)
    while grid[-1] + period < end:
        size, at = strongest(grid[-1] + period)
        if size < threshold or at <= grid[-1] + period / 2:
            break
        grid.append(at)
    while grid[0] - period > -reach_s:
        size, at = strongest(grid[0] - period)
        if size < threshold or at >= grid[0] - period / 2:
            break
        grid.insert(0, max(0.0, at))
    return np.asarray(grid)


def tempo_from_beats(beats: np.ndarray) -> float:
    """BPM from a least-squares line through the beat times (robust to a skipped beat)."""
    if len(beats) < 2:
        return 0.0
    beats = np.asarray(beats, dtype=float)
    ibi = float(np.median(np.diff(beats)))
    if ibi <= 0:
        return 0.0
    index = np.round((beats - beats[0]) / ibi)
    slope = np.polyfit(index, beats, 1)[0] if len(np.unique(index)) > 1 else ibi
    return float(60.0 / slope)


def downbeat_phase(beat_frames: np.ndarray, low_env: np.ndarray, chroma: np.ndarray, beats_per_bar: int) -> int:
    """Which beat of each group of ``beats_per_bar`` is the ``1``: low-end hits and harmony changes vote."""
    if len(beat_frames) < beats_per_bar * 2:
        return 0
    frames = np.clip(beat_frames, 0, len(low_env) - 1)
    low = np.array([low_env[max(0, f - 1): f + 2].max() for f in frames])
    beat_chroma = _sync_columns(chroma, beat_frames)
    norms = np.linalg.norm(beat_chroma, axis=0) + 1e-9
    unit = beat_chroma / norms
    change = np.concatenate([[0.0], 1.0 - np.sum(unit[:, 1:] * unit[:, :-1], axis=0)])
    score = low / (low.mean() + 1e-9) + change / (change.mean() + 1e-9)
    votes = [score[p::beats_per_bar].mean() for p in range(beats_per_bar)]
    return int(np.argmax(votes))


def find_sections(downbeats: list[float] | np.ndarray, duration: float, features: list[np.ndarray],
                  energy: list[float]) -> list[Section]:
    """Split the track at downbeats where bar-level timbre/harmony/loudness change most (novelty peaks)."""
    downbeats = list(downbeats)
    edges = [0.0] + [t for t in downbeats[1:]] + [duration]
    if len(downbeats) < 4:
        return _label_sections([(0.0, duration)], None, energy)
    bar_frames = np.round(np.asarray(downbeats) * ANALYSIS_SR / HOP).astype(int)
    bar_features = np.vstack([_standardise(_sync_columns(f, bar_frames)) for f in features])
    bars = bar_features.shape[1]
    width = 4 if bars >= 24 else 2
    novelty = np.zeros(bars)
    for i in range(1, bars):
        k = min(width, i, bars - i)
        novelty[i] = np.linalg.norm(bar_features[:, i - k:i].mean(axis=1) - bar_features[:, i:i + k].mean(axis=1))
    inner = novelty[1:]
    # homogeneous music has flat novelty: a boundary must stand well above the quietest half
    noise = float(np.median(np.sort(inner)[: max(1, len(inner) // 2)]))
    floor = max(3.0 * noise, 0.3 * float(inner.max()), 1e-6)
    radius = max(1, width - 1)
    boundaries: list[int] = []
    for i in sorted(range(1, bars), key=lambda j: (-novelty[j], j)):
        local_peak = novelty[i] >= novelty[max(1, i - radius): i + radius + 1].max()
        if local_peak and novelty[i] > floor and all(abs(i - b) >= width for b in boundaries):
            boundaries.append(i)
    cuts = sorted(boundaries)
    spans = [(edges[a], edges[b]) for a, b in zip([0] + cuts, cuts + [len(edges) - 1])]
    section_features = [bar_features[:, a:b].mean(axis=1) for a, b in zip([0] + cuts, cuts + [bars])]
    return _label_sections(spans, section_features, energy)


def _label_sections(spans: list[tuple[float, float]], features: list[np.ndarray] | None,
                    energy: list[float]) -> list[Section]:
    """Letters group similar sections (A, B, A'); roles name them intro/verse/chorus/bridge/outro."""
    groups = _group_letters(features) if features is not None else ["A"] * len(spans)
    energies = [_mean_energy(energy, a, b) for a, b in spans]
    peak = max(energies) if energies else 1.0
    energies = [e / peak if peak > 0 else 0.0 for e in energies]
    loudest_group = groups[int(np.argmax(energies))]
    median = float(np.median(energies))
    labels: list[str | None] = []
    for i, (group, level) in enumerate(zip(groups, energies)):
        if group == loudest_group:
            labels.append("chorus")
        elif i == 0 and len(spans) > 1 and level <= median:
            labels.append("intro")
        elif i == len(spans) - 1 and len(spans) > 2 and level <= median:
            labels.append("outro")
        else:
            labels.append(None)
    # the first body section that is not the chorus sets what a verse sounds like; other material is a bridge
    verse_group = next((g for g, label in zip(groups, labels) if label is None), None)
    return [
        Section(float(start), float(end), label or ("verse" if group == verse_group else "bridge"), group, float(level))
        for (start, end), group, level, label in zip(spans, groups, energies, labels)
    ]


def _group_letters(features: list[np.ndarray]) -> list[str]:
    if len(features) < 3:
        return [chr(ord("A") + i) for i in range(len(features))]
    distances = [np.linalg.norm(a - b) for i, a in enumerate(features) for b in features[i + 1:]]
    same = 0.4 * float(np.median(distances))
    letters: list[str] = []
    representatives: list[tuple[str, np.ndarray]] = []
    for vector in features:
        match = next((letter for letter, rep in representatives if np.linalg.norm(vector - rep) < same), None)
        if match is None:
            match = chr(ord("A") + len(representatives)) if len(representatives) < 26 else "Z"
            representatives.append((match, vector))
        letters.append(match)
    return letters


def _sync_columns(matrix: np.ndarray, frames: np.ndarray) -> np.ndarray:
    """Mean of each column span between consecutive frame marks (the last span runs to the end)."""
    frames = np.clip(np.asarray(frames, dtype=int), 0, matrix.shape[1] - 1)
    bounds = list(frames) + [matrix.shape[1]]
    return np.stack([matrix[:, a:max(b, a + 1)].mean(axis=1) for a, b in zip(bounds[:-1], bounds[1:])], axis=1)


def _standardise(matrix: np.ndarray) -> np.ndarray:
    """Zero mean, unit spread per row, then scaled so each feature group weighs the same."""
    centred = matrix - matrix.mean(axis=1, keepdims=True)
    spread = centred.std(axis=1, keepdims=True)
    scaled = centred / np.maximum(spread, 1e-3 * (np.abs(matrix).mean() + 1e-9))
    return scaled / np.sqrt(matrix.shape[0])


def _mean_energy(energy: list[float], start: float, end: float) -> float:
    a = int(start / ENERGY_HOP_S)
    b = max(a + 1, int(np.ceil(end / ENERGY_HOP_S)))
    window = energy[a:b]
    return float(np.mean(window)) if window else 0.0


def _floats(values) -> list[float]:
    return [float(v) for v in values]


def _ms(seconds: float) -> float:
    return round(float(seconds), 3)


__all__ = ["MusicAnalysis", "Section", "analyze_music", "energy_curve", "tempo_from_beats"]
