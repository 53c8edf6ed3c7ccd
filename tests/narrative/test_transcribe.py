"""`cmfc transcribe`: what to install when no recogniser is there, --from, and the backends' output shapes."""

import json
from collections import namedtuple

import pytest
from click.testing import CliRunner

from cmfc.cli import cli
from cmfc.narrative.transcribe import available_backend, faster_whisper_segments, transcript_from_data

from .stage1_helpers import write_talk


@pytest.mark.skipif(available_backend() is not None, reason="a recogniser is installed")
def test_without_a_recogniser_the_command_says_what_to_install(tmp_path):
    write_talk(tmp_path)
    result = CliRunner().invoke(cli, ["transcribe", str(tmp_path / "talk.wav")])
    assert result.exit_code == 1
    assert "no speech recogniser is installed: pip install 'cmfc[transcribe]'" in result.output
    assert "pip install faster-whisper" in result.output and "--from FILE" in result.output
    assert not (tmp_path / "talk.words.json.tmp").exists()


def test_from_an_srt_writes_whisperx_json_with_every_word_timed(tmp_path):
    (tmp_path / "talk.srt").write_text("1\n00:00:00,000 --> 00:00:02,000\nEvery day you show up.\n")
    out = tmp_path / "out.json"
    result = CliRunner().invoke(cli, ["transcribe", "talk.wav", "--from", str(tmp_path / "talk.srt"), "--out", str(out)])
    assert result.exit_code == 0, result.output
    words = json.loads(out.read_text())["segments"][0]["words"]
    assert [w["word"] for w in words] == ["Every", "day", "you", "show", "up."]
    assert words[-1]["end"] == 2.0 and all("start" in w for w in words)


def test_from_reports_interpolated_words(tmp_path):
    from pathlib import Path

    fixture = Path(__file__).parent.parent / "fixtures/stage1/whisperx_aligned.json"
    result = CliRunner().invoke(cli, ["transcribe", "x.wav", "--from", str(fixture), "--out", str(tmp_path / "o.json")])
    assert result.exit_code == 0, result.output
    assert "12 words" in result.output and "3 untimed words given interpolated times" in result.output


Word = namedtuple("Word", "start end word probability")
Segment = namedtuple("Segment", "id seek start end text tokens avg_logprob compression_ratio no_speech_prob words temperature")
Info = namedtuple("Info", "language language_probability duration")


def test_faster_whisper_segments_normalise_like_a_file():
    segments = [Segment(1, 0, 0.0, 1.2, " Hello there.", [1], -0.2, 1.0, 0.01,
                        [Word(0.0, 0.5, " Hello", 0.9), Word(0.5, 1.2, " there.", 0.8)], 0.0),
                Segment(2, 0, 1.5, 2.0, " Again.", [2], -0.2, 1.0, 0.01, None, 0.0)]
    transcript = transcript_from_data(faster_whisper_segments(segments, Info("en", 0.99, 2.0)))
    assert [w.text for w in transcript.words] == ["Hello", "there.", "Again."]
    assert transcript.words[1].score == 0.8 and transcript.language == "en"
    assert transcript.words[2].interpolated and 1.5 <= transcript.words[2].start < transcript.words[2].end <= 2.0


@pytest.mark.skipif(available_backend() != "faster-whisper", reason="faster-whisper is not installed")
def test_faster_whisper_module_boundary():
    import faster_whisper

    assert hasattr(faster_whisper, "WhisperModel")
