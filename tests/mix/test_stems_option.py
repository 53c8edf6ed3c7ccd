"""`music ... stems on`: demucs splits the bed so the duck lowers only its vocals; without demucs, a note."""

from __future__ import annotations

import numpy as np
import pytest

from cmfc.build import build
from cmfc.check import load
from cmfc.mix.master import music_bed, write_float_wav
from cmfc.mix.request import MixRequest
from cmfc.plan.sound_actions import music_analysis_actions, sound_actions, stems_available
from tests.helpers import PROJECT_HEAD, TWO_SCENES

STEMS_HEAD = PROJECT_HEAD.replace("    arc the_rally\n", "    arc the_rally\n    stems on\n")
RATE = 48_000


def test_the_statement_lowers_and_prints_back(tiny):
    from cmfc.lower.spec import parse_spec_file
    from cmfc.lower.to_cmf import emit_cmf

    assert tiny.compile(TWO_SCENES, STEMS_HEAD).project.music.stems is True
    spec, _ = parse_spec_file(tiny.spec_path, "t.cmf")
    assert "\n    stems on\n" in emit_cmf(spec)
    assert "stems: maybe is not on or off; expected one of on, off" in \
        tiny.errors(TWO_SCENES, STEMS_HEAD.replace("stems on", "stems maybe"))


def _tone(freq: float, seconds: float) -> np.ndarray:
    t = np.arange(int(seconds * RATE)) / RATE
    return np.repeat((0.2 * np.sin(2 * np.pi * freq * t))[:, None], 2, axis=1).astype(np.float32)


def _amplitude(x: np.ndarray, freq: float, start: float, end: float) -> float:
    a, b = int(start * RATE), int(end * RATE)
    t = np.arange(a, b) / RATE
    segment = x[a:b, 0]
    return float(np.hypot(segment @ np.sin(2 * np.pi * freq * t), segment @ np.cos(2 * np.pi * freq * t)) * 2 / (b - a))


def test_with_stems_only_the_vocals_duck_under_the_voice(tmp_path):
    write_float_wav(tmp_path / "band.wav", _tone(220.0, 4.0))
    write_float_wav(tmp_path / "vocals.wav", _tone(1000.0, 4.0))
    speech = ((int(1.5 * RATE), int(2.5 * RATE)),)
    request = MixRequest(duration_samples=4 * RATE, voice_path="unused", music_path=str(tmp_path / "band.wav"),
                         music_vocals_path=str(tmp_path / "vocals.wav"), music_fit="loop", speech=speech, duck_db=-12.0)
    bed, notes = music_bed(request, np.zeros(4 * RATE))
    assert "stems: only the bed's vocals duck under the voice" in notes
    band_ratio = _amplitude(bed, 220.0, 1.8, 2.2) / _amplitude(bed, 220.0, 0.3, 0.7)
    vocals_ratio = _amplitude(bed, 1000.0, 1.8, 2.2) / _amplitude(bed, 1000.0, 0.3, 0.7)
    assert band_ratio == pytest.approx(1.0, abs=0.02)
    assert vocals_ratio == pytest.approx(10 ** (-12 / 20), abs=0.03)
    # without stems the same bed (band + vocals in one file) ducks as a whole
    write_float_wav(tmp_path / "both.wav", _tone(220.0, 4.0) + _tone(1000.0, 4.0))
    whole, _ = music_bed(MixRequest(duration_samples=4 * RATE, voice_path="unused", music_path=str(tmp_path / "both.wav"),
                                    music_fit="loop", speech=speech, duck_db=-12.0), np.zeros(4 * RATE))
    assert _amplitude(whole, 220.0, 1.8, 2.2) / _amplitude(whole, 220.0, 0.3, 0.7) == pytest.approx(0.25, abs=0.03)


def test_the_default_keeps_the_mix_key(tiny):
    mix = next(a for a in sound_actions(tiny.compile(), False) if a.id == "sonic:mix")
    assert "stems" not in mix.params and "music_vocals_path" not in mix.params["request"]


@pytest.mark.skipif(stems_available(), reason="demucs is installed")
def test_without_demucs_the_whole_bed_ducks_and_the_build_says_so(tiny):
    compiled = load(str(tiny.write(TWO_SCENES, STEMS_HEAD)))
    actions = [a for a in sound_actions(compiled, False) if a.id in ("sonic:voice_clean", "sonic:mix")]
    assert [a.id for a in sound_actions(compiled, False)].count("sonic:stems") == 0
    actions += music_analysis_actions(compiled)
    report = build(actions, tiny.root, progress=False)
    assert report.exit_code == 0, report.to_json()
    assert report.result("sonic:mix").log == [
        "music stems on: demucs is not installed (pip install 'cmfc[stems]'): the whole bed ducks under the voice"]


@pytest.mark.skipif(not stems_available(), reason="demucs is not installed")
def test_demucs_splits_a_tiny_bed(tiny):
    compiled = load(str(tiny.write(TWO_SCENES, STEMS_HEAD)))
    actions = sound_actions(compiled, False)
    stems = next(a for a in actions if a.id == "sonic:stems")
    report = build([stems], tiny.root, progress=False)
    assert report.exit_code == 0, report.to_json()
    assert set(report.result("sonic:stems").outputs) == {"vocals", "band"}
