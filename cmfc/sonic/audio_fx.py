"""Audio effects EFFECT-A-01..11: deterministic DSP on float sample arrays.

Each effect is a function ``(samples, sr, **params) -> samples`` of the same
shape (mono ``(n,)`` or ``(n, channels)``), float32. Noise comes from seeded
generators, filters are plain IIR/FIR, so the same input and parameters give the
same bytes. Parameter names, defaults and ranges are described once in
``specs/frameworks/audio_effects.yaml``; ``apply_audio_effect`` validates against it
and a test keeps the function defaults equal to the catalogue's.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from cmfc.diagnostics import CmfError, Diagnostic, Span, suggest

CATALOGUE = "audio_effects.yaml"


def vocal_presence(samples, sr, presence_db=3.0, presence_hz=3000.0, mud_db=-2.0, mud_hz=250.0, highpass_hz=80.0):
    """EFFECT-A-01: rumble high-pass, a little less mud, a presence lift (manual §2.1's vocal curve)."""
    from scipy.signal import butter, sosfilt

    x, restore = _columns(samples)
    x = sosfilt(butter(2, highpass_hz, btype="highpass", fs=sr, output="sos"), x, axis=0)
    x = _peaking(x, sr, mud_hz, mud_db, q=1.0)
    return restore(_peaking(x, sr, min(presence_hz, 0.45 * sr), presence_db, q=0.8))


def de_esser(samples, sr, low_hz=5000.0, high_hz=9000.0, threshold_db=-30.0, ratio=4.0, max_reduction_db=10.0):
    """EFFECT-A-02: turn the sibilance band down only while it is louder than the threshold."""
    from scipy.signal import butter, sosfiltfilt

    x, restore = _columns(samples)
    sos = butter(2, [low_hz, min(high_hz, 0.45 * sr)], btype="bandpass", fs=sr, output="sos")
    band = sosfiltfilt(sos, x, axis=0)  # zero phase, so x - band is the clean complement
    level_db = 10 * np.log10(_moving_mean(band ** 2, int(0.005 * sr)) + 1e-12)
    over = np.maximum(level_db - threshold_db, 0.0)
    reduction_db = np.minimum(over * (1 - 1 / ratio), max_reduction_db)
    gain = 10 ** (-_moving_mean(reduction_db, int(0.002 * sr)) / 20)
    return restore(x - band + band * gain)


def telephone(samples, sr, low_hz=300.0, high_hz=3400.0, drive=2.0):
    """EFFECT-A-03: a phone/radio voice: band-limited, lightly overdriven, band-limited again, same loudness."""
    from scipy.signal import butter, sosfiltfilt

    x, restore = _columns(samples)
    sos = butter(4, [low_hz, min(high_hz, 0.45 * sr)], btype="bandpass", fs=sr, output="sos")
    band = sosfiltfilt(sos, x, axis=0)
    peak = np.abs(band).max() or 1.0
    driven = np.tanh(drive * band / peak) / np.tanh(drive) * peak
    out = sosfiltfilt(sos, driven, axis=0)  # distortion makes harmonics above the line's band
    return restore(out * _rms(x) / (_rms(out) or 1.0))


def reverb_tail(samples, sr, decay=1.2, predelay=0.02, wet=0.3, damping_hz=6000.0, seed=7, extend=False):
    """EFFECT-A-04: convolution with a seeded, decaying, darkened noise impulse; ``extend`` keeps the tail."""
    from scipy.signal import fftconvolve

    x, restore = _columns(samples)
    reverb = np.stack([fftconvolve(x[:, c], _impulse(sr, decay, predelay, damping_hz, seed + c))
                       for c in range(x.shape[1])], axis=1)
    if extend:
        x = np.concatenate([x, np.zeros((len(reverb) - len(x), x.shape[1]))])
    return restore((1 - wet) * x + wet * reverb[: len(x)])


def riser(samples, sr, start_hz=200.0, end_hz=2000.0, level_db=-12.0, noise_mix=0.5, length=0.0, seed=11):
    """EFFECT-A-05: a rising tone-and-noise sweep that peaks at the end of the span (``length`` 0 = all of it)."""
    x, restore = _columns(samples)
    n = len(x) if length <= 0 else min(len(x), int(round(length * sr)))
    t = np.arange(n) / max(n, 1)
    freq = start_hz * (end_hz / start_hz) ** t
    tone = np.sin(2 * np.pi * np.cumsum(freq) / sr)
    noise = _sweep_filter(np.random.default_rng(seed).standard_normal(n), sr, start_hz * 2, end_hz * 4)
    noise /= (_rms(noise) or 1.0) * np.sqrt(2)
    sweep = ((1 - noise_mix) * tone + noise_mix * noise) * t ** 2 * 10 ** (level_db / 20)
    x[len(x) - n:] += sweep[:, None]
    return restore(x)


def reverse_swell(samples, sr, decay=1.5, wet=0.6, seed=13):
    """EFFECT-A-06: reverse reverb: each sound is preceded by its own reverb, swelling into it."""
    from scipy.signal import fftconvolve

    x, restore = _columns(samples)
    swell = np.stack([fftconvolve(x[::-1, c], _impulse(sr, decay, 0.0, 8000.0, seed + c))[: len(x)][::-1]
                      for c in range(x.shape[1])], axis=1)
    return restore(x + wet * swell)


def tape_stop(samples, sr, length=0.8, curve=2.0):
    """EFFECT-A-07: over the span's last ``length`` the tape slows to a halt: pitch and level fall."""
    x, restore = _columns(samples)
    n = min(len(x), int(round(length * sr)))
    if n < 2:
        return restore(x)
    start = len(x) - n
    speed = (1 - np.arange(n) / n) ** curve
    position = start + np.concatenate([[0.0], np.cumsum(speed[:-1])])
    source = np.arange(len(x))
    slowed = np.stack([np.interp(position, source, x[:, c]) for c in range(x.shape[1])], axis=1)
    x[start:] = slowed * np.sqrt(speed)[:, None]
    return restore(x)


def stutter(samples, sr, at_s=0.0, duration=0.5, repeats=4, fade=0.003):
    """EFFECT-A-08: from ``at_s``, the first ``duration / repeats`` plays ``repeats`` times in a row (DJ stutter)."""
    x, restore = _columns(samples)
    a, size = int(round(at_s * sr)), max(1, int(round(duration / repeats * sr)))
    piece = x[a: a + size].copy()
    if len(piece) == 0:
        return restore(x)
    edge = min(len(piece) // 2, max(1, int(round(fade * sr))))
    ramp = np.linspace(0.0, 1.0, edge)[:, None]
    piece[:edge] *= ramp
    piece[len(piece) - edge:] *= ramp[::-1]
    for k in range(int(repeats)):
        b = a + k * len(piece)
        if b >= len(x):
            break
        x[b: b + len(piece)] = piece[: len(x) - b]
    return restore(x)


def sidechain_pump(samples, sr, bpm=120.0, depth_db=-8.0, release=0.6, offset=0.0):
    """EFFECT-A-09: the level dips on every beat and swells back over ``release`` of the beat (EDM pump)."""
    x, restore = _columns(samples)
    beat = 60.0 / bpm
    phase = ((np.arange(len(x)) / sr - offset) % beat) / beat
    recovery = np.clip(1 - phase / release, 0.0, 1.0) ** 2
    attack = np.clip(phase * beat / 0.005, 0.0, 1.0)  # 5 ms into the dip, so the beat itself does not click
    gain = 10 ** (depth_db * recovery * attack / 20)
    return restore(x * gain[:, None])


def lowpass_sweep(samples, sr, start_hz=18000.0, end_hz=500.0, q=0.9):
    """EFFECT-A-10: a low-pass filter whose cutoff glides (log scale) from ``start_hz`` to ``end_hz``."""
    x, restore = _columns(samples)
    return restore(np.stack([_sweep_filter(x[:, c], sr, start_hz, end_hz, q) for c in range(x.shape[1])], axis=1))


def bass_drop(samples, sr, at_s=0.0, duration=1.5, start_hz=120.0, end_hz=35.0, level_db=-6.0):
    """EFFECT-A-11: a sub-bass sine diving from ``start_hz`` to ``end_hz`` from ``at_s``, decaying out."""
    x, restore = _columns(samples)
    a = int(round(at_s * sr))
    n = max(0, min(len(x) - a, int(round(duration * sr))))
    if n == 0:
        return restore(x)
    t = np.arange(n) / sr
    freq = start_hz * (end_hz / start_hz) ** (t / duration)
    envelope = np.minimum(t / 0.005, 1.0) * np.exp(-3.0 * t / duration) * (1 - t / duration)
    x[a: a + n] += (np.sin(2 * np.pi * np.cumsum(freq) / sr) * envelope * 10 ** (level_db / 20))[:, None]
    return restore(x)


EFFECTS: dict[str, Callable] = {
    "EFFECT-A-01": vocal_presence, "EFFECT-A-02": de_esser, "EFFECT-A-03": telephone,
    "EFFECT-A-04": reverb_tail, "EFFECT-A-05": riser, "EFFECT-A-06": reverse_swell,
    "EFFECT-A-07": tape_stop, "EFFECT-A-08": stutter, "EFFECT-A-09": sidechain_pump,
    "EFFECT-A-10": lowpass_sweep, "EFFECT-A-11": bass_drop,
}
NAMES: dict[str, str] = {function.__name__: effect_id for effect_id, function in EFFECTS.items()}


def apply_audio_effect(effect: str, samples: np.ndarray, sr: int, at_s: float = 0.0, **params) -> np.ndarray:
    """Run one catalogue effect, by id (``EFFECT-A-03``) or name (``telephone``), with checked parameters.

    Time parameters take catalogue text (``"0.5s"``, ``"20ms"``) or seconds; ``at_s`` places an instant
    effect inside ``samples`` (span effects apply to all of ``samples``: the caller cuts the span).
    """
    from cmfc.frameworks.models import time_seconds

    effect_id = resolve_effect(effect)
    spec = effect_specs()[effect_id]
    given = {name: _as_time_text(value) if _kind(spec, name) == "time" else value for name, value in params.items()}
    problems = spec.check_params(given)
    if problems:
        raise CmfError([Diagnostic(Span(CATALOGUE), p.message, "error", p.hint) for p in problems])
    values = {name: float(time_seconds(value)) if _kind(spec, name) == "time" else value for name, value in given.items()}
    if spec.timing == "instant":
        values["at_s"] = at_s
    return EFFECTS[effect_id](np.asarray(samples, dtype=np.float32), sr, **values)


def resolve_effect(effect: str) -> str:
    """The catalogue id for an id or a name (case-insensitive); a ``CmfError`` with a suggestion otherwise."""
    key = effect.strip()
    if key.upper() in EFFECTS:
        return key.upper()
    if key.casefold() in NAMES:
        return NAMES[key.casefold()]
    raise _error(f"unknown audio effect {effect}", suggest(effect, list(NAMES) + list(EFFECTS)))


def effect_specs() -> dict:
    """The audio effects catalogue (``frameworks/audio_effects.yaml``) as framework models, by id."""
    from cmfc.frameworks.load import load_frameworks

    return {effect_id: load_frameworks().audio_effects[effect_id] for effect_id in EFFECTS}


def _kind(spec, name: str) -> str | None:
    param = spec.params.get(name)
    return param.type if param is not None else None


def _as_time_text(value):
    """Seconds as a number become ``"<n>s"`` so the catalogue's time check applies to them too."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"{float(value):.6f}".rstrip("0").rstrip(".") + "s"
    return value


def _error(message: str, hint: str | None = None) -> CmfError:
    return CmfError([Diagnostic(Span(CATALOGUE), message, "error", hint)])


def _columns(samples) -> tuple[np.ndarray, Callable[[np.ndarray], np.ndarray]]:
    """Float64 ``(n, channels)`` working copy, and a function giving back the caller's shape as float32."""
    array = np.asarray(samples, dtype=np.float64)
    mono = array.ndim == 1
    work = array[:, None].copy() if mono else array.copy()
    return work, lambda out: (out[:, 0] if mono else out).astype(np.float32)


def _peaking(x: np.ndarray, sr: int, hz: float, gain_db: float, q: float) -> np.ndarray:
    """RBJ-cookbook peaking EQ."""
    from scipy.signal import lfilter

    a_gain = 10 ** (gain_db / 40)
    w = 2 * np.pi * hz / sr
    alpha = np.sin(w) / (2 * q)
    b = [1 + alpha * a_gain, -2 * np.cos(w), 1 - alpha * a_gain]
    a = [1 + alpha / a_gain, -2 * np.cos(w), 1 - alpha / a_gain]
    return lfilter(np.array(b) / a[0], np.array(a) / a[0], x, axis=0)


def _sweep_filter(x: np.ndarray, sr: int, start_hz: float, end_hz: float, q: float = 0.707,
                  block: int = 256) -> np.ndarray:
    """A low-pass biquad whose cutoff moves log-linearly across ``x``, updated every ``block`` samples."""
    from scipy.signal import lfilter

    out = np.empty(len(x))
    state = np.zeros(2)
    blocks = max(1, int(np.ceil(len(x) / block)))
    for k in range(blocks):
        cutoff = start_hz * (end_hz / start_hz) ** (k / max(blocks - 1, 1))
        w = 2 * np.pi * min(cutoff, 0.45 * sr) / sr
        alpha = np.sin(w) / (2 * q)
        b = np.array([(1 - np.cos(w)) / 2, 1 - np.cos(w), (1 - np.cos(w)) / 2]) / (1 + alpha)
        a = np.array([1 + alpha, -2 * np.cos(w), 1 - alpha]) / (1 + alpha)
        chunk = x[k * block: (k + 1) * block]
        out[k * block: k * block + len(chunk)], state = lfilter(b, a, chunk, zi=state)
    return out


def _impulse(sr: int, decay_s: float, predelay_ms: float, damping_hz: float, seed: int) -> np.ndarray:
    """Exponentially decaying (−60 dB at ``decay_s``) seeded noise, darkened, unit energy."""
    from scipy.signal import butter, sosfilt

    n = max(1, int(round(decay_s * sr)))
    t = np.arange(n) / sr
    noise = np.random.default_rng(seed).standard_normal(n) * np.exp(-6.91 * t / decay_s)
    noise = sosfilt(butter(1, min(damping_hz, 0.45 * sr), fs=sr, output="sos"), noise)
    impulse = np.concatenate([np.zeros(int(round(predelay_ms * sr / 1000))), noise])
    return impulse / (np.sqrt(np.sum(impulse ** 2)) or 1.0)


def _moving_mean(signal: np.ndarray, width: int) -> np.ndarray:
    width = max(1, width)
    kernel_sum = np.cumsum(np.concatenate([np.zeros((1,) + signal.shape[1:]), signal], axis=0), axis=0)
    half = width // 2
    a = np.clip(np.arange(len(signal)) - half, 0, len(signal))
    b = np.clip(np.arange(len(signal)) - half + width, 0, len(signal))
    return ((kernel_sum[b] - kernel_sum[a]).T / np.maximum(b - a, 1)).T


def _rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(x)))) if np.size(x) else 0.0
