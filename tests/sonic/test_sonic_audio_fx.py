"""Audio effects EFFECT-A-01..11: each changes the sound the way its name says, deterministically."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

from cmfc.diagnostics import CmfError
from cmfc.frameworks.models import time_seconds
from cmfc.sonic.audio_fx import EFFECTS, apply_audio_effect, effect_specs
from tests.sonic.sonic_synth import band_energy, dominant_hz

SR = 22_050
RNG = np.random.default_rng(1)
NOISE = (0.1 * RNG.standard_normal(2 * SR)).astype(np.float32)
T = np.arange(2 * SR) / SR
TONE = (0.5 * np.sin(2 * np.pi * 440 * T)).astype(np.float32)


def energy_in(samples, lo, hi, start=0.0, end=None):
    return band_energy(samples[int(start * SR): None if end is None else int(end * SR)], SR, lo, hi)


def test_the_catalogue_has_eleven_effects_and_defaults_match_the_code():
    specs = effect_specs()
    assert sorted(specs) == [f"EFFECT-A-{i:02d}" for i in range(1, 12)]
    for effect_id, function in EFFECTS.items():
        spec = specs[effect_id]
        assert spec.name == function.__name__
        code = {n: p.default for n, p in inspect.signature(function).parameters.items() if n not in ("samples", "sr", "at_s")}
        assert set(code) == set(spec.params), effect_id
        for name, param in spec.params.items():
            default = float(time_seconds(param.default)) if param.type == "time" else param.default
            assert code[name] == pytest.approx(default), (effect_id, name)


@pytest.mark.parametrize("effect_id", sorted(EFFECTS))
def test_every_effect_is_deterministic_keeps_shape_and_changes_the_sound(effect_id):
    stereo = np.stack([NOISE, TONE], axis=1)
    first = apply_audio_effect(effect_id, stereo, SR)
    assert first.shape == stereo.shape and first.dtype == np.float32
    assert first.tobytes() == apply_audio_effect(effect_id, stereo, SR).tobytes()
    assert not np.allclose(first, stereo)
    assert np.all(np.isfinite(first))


def test_vocal_presence_lifts_the_presence_band():
    out = apply_audio_effect("vocal_presence", NOISE, SR)
    assert energy_in(out, 2500, 3500) / energy_in(NOISE, 2500, 3500) > 1.6  # +3 dB ≈ ×2 in power
    assert energy_in(out, 20, 50) < 0.5 * energy_in(NOISE, 20, 50)


def test_de_esser_tames_loud_sibilance_and_leaves_the_voice():
    from scipy.signal import butter, sosfiltfilt

    hiss = sosfiltfilt(butter(4, [5500, 8500], btype="bandpass", fs=SR, output="sos"), NOISE * 5)
    voice = TONE * 0.5 + hiss.astype(np.float32)
    out = apply_audio_effect("EFFECT-A-02", voice, SR)
    assert energy_in(out, 5500, 8500) < 0.4 * energy_in(voice, 5500, 8500)
    assert energy_in(out, 400, 480) == pytest.approx(energy_in(voice, 400, 480), rel=0.05)


def test_telephone_removes_lows_and_highs():
    out = apply_audio_effect("telephone", NOISE, SR)
    for lo, hi in ((20, 200), (4500, 10000)):
        assert energy_in(out, lo, hi) < 0.05 * energy_in(NOISE, lo, hi)
    assert energy_in(out, 800, 2500) > 0.5 * energy_in(NOISE, 800, 2500)


def test_reverb_tail_rings_on_after_the_sound_stops():
    burst = TONE.copy()
    burst[SR // 2:] = 0
    out = apply_audio_effect("reverb_tail", burst, SR, decay="1.5s")
    assert energy_in(out, 20, 5000, 0.6, 1.0) > 1000 * energy_in(burst, 20, 5000, 0.6, 1.0) + 1e-3
    longer = apply_audio_effect("reverb_tail", burst, SR, extend=True)
    assert len(longer) > len(burst)


def test_riser_builds_to_the_end():
    silence = np.zeros(2 * SR, dtype=np.float32)
    out = apply_audio_effect("riser", silence, SR)
    assert energy_in(out, 20, 11000, 1.6, 2.0) > 10 * energy_in(out, 20, 11000, 0.0, 0.4)


def test_reverse_swell_rises_into_the_hit():
    hit = np.zeros(2 * SR, dtype=np.float32)
    hit[SR: SR + 200] = 1.0
    out = apply_audio_effect("reverse_swell", hit, SR)
    before = [energy_in(out, 20, 11000, a, a + 0.2) for a in (0.4, 0.6, 0.8)]
    assert before[0] < before[1] < before[2] and energy_in(out, 20, 11000, 1.1, 1.5) < 1e-9


def test_tape_stop_lowers_the_pitch_at_the_end():
    out = apply_audio_effect("tape_stop", TONE, SR, length=0.8)
    assert dominant_hz(out[: SR // 2], SR) == pytest.approx(440, abs=3)
    assert dominant_hz(out[int(1.5 * SR): int(1.7 * SR)], SR) < 300
    assert np.abs(out[-100:]).max() < 0.02


def test_stutter_repeats_the_slice():
    ramp = np.linspace(-1, 1, 2 * SR).astype(np.float32)
    out = apply_audio_effect("stutter", ramp, SR, at_s=0.5, duration="0.4s", repeats=4)
    size = int(0.1 * SR)
    a = int(0.5 * SR)
    assert np.array_equal(out[a + 200: a + size - 200], out[a + 2 * size + 200: a + 3 * size - 200])
    assert np.array_equal(out[int(1.0 * SR):], ramp[int(1.0 * SR):])


def test_sidechain_pump_dips_on_the_beat():
    out = apply_audio_effect("sidechain_pump", TONE, SR, bpm=120.0)
    beat = int(0.5 * SR)
    on_beat = np.mean(np.abs(out[beat + 200: beat + 1200]))
    off_beat = np.mean(np.abs(out[beat + 8000: beat + 9000]))
    assert on_beat < 0.6 * off_beat


def test_lowpass_sweep_closes_the_highs():
    out = apply_audio_effect("lowpass_sweep", NOISE, SR)
    start, end = energy_in(out, 3000, 11000, 0.0, 0.3), energy_in(out, 3000, 11000, 1.7, 2.0)
    assert end < 0.01 * start


def test_bass_drop_adds_low_end_from_its_time():
    out = apply_audio_effect("bass_drop", NOISE, SR, at_s=0.5)
    assert energy_in(out, 20, 130, 0.5, 1.5) > 20 * energy_in(NOISE, 20, 130, 0.5, 1.5)
    assert np.array_equal(out[: SR // 2], NOISE[: SR // 2])


def test_bad_effect_and_parameters_are_clear_errors():
    with pytest.raises(CmfError) as caught:
        apply_audio_effect("telephon", NOISE, SR)
    assert caught.value.diagnostics[0].hint == "did you mean telephone?"
    with pytest.raises(CmfError, match='telephone has no parameter "dirve"') as caught:
        apply_audio_effect("telephone", NOISE, SR, dirve=3.0)
    assert caught.value.diagnostics[0].hint == "did you mean drive?"
    with pytest.raises(CmfError, match="at most 10"):
        apply_audio_effect("telephone", NOISE, SR, drive=99.0)
    with pytest.raises(CmfError, match="expected a time"):
        apply_audio_effect("tape_stop", NOISE, SR, length="long")
