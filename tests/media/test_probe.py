"""Audio lengths read from headers: exact, and without importing soundfile for FLAC (no-op build start-up)."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
import soundfile

from cmfc.media.probe import audio_samples, flac_length


@pytest.mark.parametrize("rate, samples", [(48_000, 48_000 * 3 + 7), (44_100, 12_345)])
def test_flac_length_is_the_streaminfo_sample_count(tmp_path, rate, samples):
    path = tmp_path / "voice.flac"
    soundfile.write(path, np.zeros((samples, 2)), rate)
    assert flac_length(path) == (samples, rate)
    assert audio_samples(path) == round(samples * 48_000 / rate)


def test_a_wav_is_not_taken_for_flac(tmp_path):
    path = tmp_path / "voice.wav"
    soundfile.write(path, np.zeros(100), 48_000, subtype="FLOAT")  # a float WAV: the wave module refuses it
    assert flac_length(path) is None
    assert audio_samples(path) == 100


def test_measuring_a_flac_voice_does_not_import_soundfile(tmp_path):
    path = tmp_path / "voice.flac"
    soundfile.write(path, np.zeros(4800), 48_000)
    code = (f"import sys; from cmfc.media.probe import audio_samples; n = audio_samples({str(path)!r}); "
            "print(n, 'soundfile' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["4800", "False"]
