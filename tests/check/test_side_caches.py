"""Issue 15 item 2: no cache is trusted blindly. An audio analysis record that was edited, torn or left
partial is reported in one line and computed again, never used and never a traceback."""

from __future__ import annotations

import json

import pytest

from cmfc.check.sonic import music_analysis, slice_cuts
from cmfc.scaffold import _beat


@pytest.fixture
def music(tmp_path, monkeypatch):
    """A real WAV, a project-local analysis cache, and an analysis that counts its runs (no librosa)."""
    import cmfc.sonic.analysis as analysis_module
    from cmfc.sonic.analysis import MusicAnalysis, Section

    monkeypatch.delenv("CMFC_ANALYSIS_CACHE", raising=False)
    path = tmp_path / "audio" / "bed.wav"
    path.parent.mkdir()
    path.write_bytes(_beat(seconds=2.0, bpm=120))
    runs = []

    def analyse(samples, sr, beats_per_bar=4):
        runs.append(sr)
        return MusicAnalysis(2.0, 120.0, [0.0, 0.5, 1.0, 1.5], [0.0], [0.0, 0.5],
                             [Section(0.0, 2.0, "intro", "A", 0.5)], [0.1, 0.2])

    monkeypatch.setattr(analysis_module, "analyze_music", analyse)
    return tmp_path, path, runs


def _record(root):
    (found,) = (root / ".cmfc" / "analysis").glob("music-*.json")
    return found


def test_an_edited_tempo_is_detected_reported_and_analysed_again(music, capsys):
    root, path, runs = music
    assert music_analysis(root, path)["tempo"] == 120.0 and len(runs) == 1
    assert music_analysis(root, path)["tempo"] == 120.0 and len(runs) == 1  # cached
    record = _record(root)
    doc = json.loads(record.read_text())
    doc["data"]["analysis"]["tempo"] = 97.0  # a plausible, wrong tempo
    record.write_text(json.dumps(doc))
    capsys.readouterr()
    assert music_analysis(root, path)["tempo"] == 120.0 and len(runs) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "music-" in err[0]
    assert err[0].endswith("was damaged (its checksum does not match: edited or damaged); computing it again")
    assert music_analysis(root, path)["tempo"] == 120.0 and len(runs) == 2  # rewritten whole, trusted again


@pytest.mark.parametrize("text", [
    '{"version": "1", "analysis": {"tempo": 120}}',  # valid JSON, partial: a KeyError on today's code
    '{"format": 1, "kind": "music-analysis", "sha',  # torn by a kill
    "",
], ids=["partial", "torn", "empty"])
def test_a_partial_or_torn_record_is_analysed_again_without_a_traceback(music, capsys, text):
    root, path, runs = music
    music_analysis(root, path)
    _record(root).write_text(text)
    assert music_analysis(root, path)["beats"] == [0.0, 0.5, 1.0, 1.5] and len(runs) == 2
    assert "computing it again" in capsys.readouterr().err


def test_a_record_sealed_for_another_file_is_not_used(music):
    root, path, runs = music
    music_analysis(root, path)
    record = _record(root)
    other = path.with_name("other.wav")
    other.write_bytes(_beat(seconds=2.0, bpm=90))
    music_analysis(root, other)
    (second,) = [p for p in record.parent.glob("music-*.json") if p != record]
    second.write_text(record.read_text())  # a whole, valid record - of the other track
    music_analysis(root, other)
    assert len(runs) == 3


def test_edited_voice_cuts_are_not_used(tmp_path, monkeypatch, capsys):
    from tests.helpers import TinyProject

    monkeypatch.delenv("CMFC_ANALYSIS_CACHE", raising=False)
    tiny = TinyProject.create(tmp_path / "proj")
    voice = next((tiny.root / "audio").glob("*.wav"))
    first = slice_cuts(tiny.root, voice, [48_000])
    (record,) = (tiny.root / ".cmfc" / "analysis").glob("voice-*.json")
    doc = json.loads(record.read_text())
    doc["data"]["cuts"]["48000"] = 1
    record.write_text(json.dumps(doc))
    assert slice_cuts(tiny.root, voice, [48_000]) == first
    assert "was damaged" in capsys.readouterr().err
