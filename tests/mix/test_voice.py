"""The voice chain: cleaner, same length, same timing, 48 kHz mono float, same bytes every time."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf

from cmfc.diagnostics import CmfError
from cmfc.mix import clean_voice
from tests.sonic.sonic_synth import voice_like


@pytest.fixture
def noisy_voice(tmp_path):
    """3 s at 44.1 kHz: speech-like 0.5–2.0 s, a click at 2.5 s, room noise at -50 dBFS throughout."""
    sr = 44_100
    voice = voice_like(sr, [(0.5, 2.0)], 3.0)
    voice += 0.003 * np.random.default_rng(2).standard_normal(len(voice)).astype(np.float32)
    voice[int(2.5 * sr)] = 0.9
    path = tmp_path / "voice.wav"
    sf.write(str(path), voice, sr, subtype="PCM_16")
    return path


def test_clean_voice_is_48k_mono_float_of_the_same_duration(noisy_voice, tmp_path):
    out = clean_voice(noisy_voice, tmp_path / "P_VOICE_CLEAN.wav")
    info = sf.info(str(out))
    assert (info.samplerate, info.channels, info.subtype, info.frames) == (48_000, 1, "FLOAT", 3 * 48_000)


def test_clean_voice_keeps_the_timing_to_the_sample(noisy_voice, tmp_path):
    cleaned, _ = sf.read(str(clean_voice(noisy_voice, tmp_path / "v.wav")))
    tail = np.abs(cleaned[int(2.3 * 48_000):])
    assert int(np.argmax(tail)) + int(2.3 * 48_000) in (120_000, 120_001)


def test_clean_voice_lowers_the_noise_floor_under_the_speech(noisy_voice, tmp_path):
    raw, _ = sf.read(str(noisy_voice))
    cleaned, _ = sf.read(str(clean_voice(noisy_voice, tmp_path / "v.wav")))

    def levels_db(x, sr):
        rms = lambda a, b: 20 * np.log10(np.sqrt(np.mean(x[int(a * sr):int(b * sr)] ** 2)))  # noqa: E731
        return rms(1.0, 1.8), rms(2.6, 2.95)

    (speech, noise), (raw_speech, raw_noise) = levels_db(cleaned, 48_000), levels_db(raw, 44_100)
    assert noise < raw_noise - 6
    assert speech - noise > raw_speech - raw_noise + 3  # the compressor takes a few dB off the speech peaks


def test_clean_voice_is_deterministic(noisy_voice, tmp_path):
    first = clean_voice(noisy_voice, tmp_path / "a.wav").read_bytes()
    assert clean_voice(noisy_voice, tmp_path / "b.wav").read_bytes() == first


def test_unreadable_voice_is_a_clear_error(tmp_path):
    bad = tmp_path / "voice.wav"
    bad.write_bytes(b"not audio at all")
    with pytest.raises(CmfError, match="cleaning the voice-over failed"):
        clean_voice(bad, tmp_path / "out.wav")
    assert not (tmp_path / "out.wav").exists()
