"""`voice ... denoise deepfilternet`: the manual's denoiser as an optional extra, afftdn (with a note) without it."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf

from cmfc.build import build
from cmfc.check import load
from cmfc.lower.from_cmf import VOICE_STATEMENTS
from cmfc.mix import clean_voice
from cmfc.mix.voice import deepfilternet_available
from cmfc.plan.sound_actions import sound_actions
from tests.helpers import PROJECT_HEAD, TWO_SCENES

DENOISED_HEAD = PROJECT_HEAD.replace('    words "audio/voice.words.json"\n',
                                     '    words "audio/voice.words.json"\n    denoise deepfilternet\n')


def test_the_statement_lowers_and_prints_back(tiny):
    assert "denoise" in VOICE_STATEMENTS
    compiled = tiny.compile(TWO_SCENES, DENOISED_HEAD)
    assert compiled.project.voice.denoise == "deepfilternet"
    from cmfc.lower.to_cmf import emit_cmf
    from cmfc.lower.spec import parse_spec_file

    spec, _ = parse_spec_file(tiny.spec_path, "t.cmf")
    assert "\n    denoise deepfilternet\n" in emit_cmf(spec)
    assert "denoise" not in emit_cmf(spec.model_copy(update={"voice": spec.voice.model_copy(update={"denoise": "afftdn"})}))


def test_an_unknown_denoiser_is_named(tiny):
    text = tiny.errors(TWO_SCENES, DENOISED_HEAD.replace("deepfilternet", "rnnoise"))
    assert "denoise: rnnoise is not a denoiser; expected one of afftdn, deepfilternet" in text


def test_the_default_adds_nothing_to_the_action_key(tiny):
    compiled = tiny.compile()
    clean = next(a for a in sound_actions(compiled, False) if a.id == "sonic:voice_clean")
    assert dict(clean.params) == {}


@pytest.mark.skipif(deepfilternet_available(), reason="DeepFilterNet is installed")
def test_without_deepfilternet_the_build_uses_afftdn_and_says_so(tiny):
    compiled = load(str(tiny.write(TWO_SCENES, DENOISED_HEAD)))
    actions = [a for a in sound_actions(compiled, False) if a.id == "sonic:voice_clean"]
    assert dict(actions[0].params) == {"asked": "deepfilternet", "denoiser": "afftdn"}
    report = build(actions, tiny.root, progress=False)
    assert report.exit_code == 0, report.to_json()
    log = report.result("sonic:voice_clean").log
    assert log == ["DeepFilterNet is not installed (pip install 'cmfc[denoise]'): the voice is denoised with afftdn"]
    cleaned = tiny.root / actions[0].outputs[0].path
    reference = clean_voice(tiny.root / "audio/voice.wav", tiny.root / "reference.wav")
    assert cleaned.read_bytes() == reference.read_bytes()


@pytest.mark.skipif(not deepfilternet_available(), reason="DeepFilterNet is not installed")
def test_deepfilternet_runs_and_keeps_the_length(tiny, tmp_path):
    out = clean_voice(tiny.root / "audio/voice.wav", tmp_path / "v.wav", "deepfilternet")
    info = sf.info(str(out))
    source = sf.info(str(tiny.root / "audio/voice.wav"))
    assert (info.samplerate, info.channels) == (48_000, 1)
    assert abs(info.frames - source.frames * 48_000 // source.samplerate) <= 480
    assert np.isfinite(sf.read(str(out))[0]).all()
