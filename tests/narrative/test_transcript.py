"""The transcript reader on real-shaped WhisperX, faster-whisper and SRT output."""

from pathlib import Path

import pytest

from cmfc.diagnostics import CmfError
from cmfc.narrative.transcript import read_transcript

FIXTURES = Path(__file__).parent.parent / "fixtures" / "stage1"


def test_whisperx_untimed_numeral_gets_times_between_its_neighbours():
    transcript = read_transcript(FIXTURES / "whisperx_aligned.json")
    texts = [w.text for w in transcript.words]
    assert texts[:5] == ["In", "2019", "I", "lost", "everything."]
    numeral = transcript.words[1]
    assert numeral.interpolated and numeral.score is None
    assert transcript.words[0].end <= numeral.start < numeral.end <= transcript.words[2].start


def test_whisperx_failed_segment_keeps_its_words_inside_the_segment():
    transcript = read_transcript(FIXTURES / "whisperx_aligned.json")
    nobody, came = transcript.words[5], transcript.words[6]
    assert (nobody.text, came.text) == ("Nobody", "came.")
    assert nobody.interpolated and came.interpolated
    assert 3.2 <= nobody.start < came.start < came.end <= 5.0


def test_whisperx_word_without_score_keeps_its_times():
    word = read_transcript(FIXTURES / "whisperx_aligned.json").words[8]
    assert (word.text, word.start, word.end, word.score, word.interpolated) == ("I", 5.6, 5.66, None, False)


def test_faster_whisper_words_lose_the_leading_space_and_keep_probability():
    transcript = read_transcript(FIXTURES / "faster_whisper.json")
    assert [w.text for w in transcript.words] == ["Every", "day", "you", "show", "up."]
    assert transcript.words[0].score == 0.98 and not any(w.interpolated for w in transcript.words)


def test_srt_cues_spread_their_words_evenly():
    transcript = read_transcript(FIXTURES / "talk.srt")
    assert len(transcript.words) == 10
    assert transcript.words[5].text == "That" and transcript.words[5].start == 2.5
    assert transcript.words[-1].end == 4.0


def test_written_form_is_whisperx_and_reads_back_the_same(tmp_path):
    transcript = read_transcript(FIXTURES / "whisperx_aligned.json")
    out = tmp_path / "t.json"
    out.write_text(transcript.to_json())
    again = read_transcript(out)
    assert again.words == transcript.words
    assert '"interpolated": true' in out.read_text()


@pytest.mark.parametrize("content, message", [
    ("{", "not valid JSON"),
    ('{"segments": 3}', "expected WhisperX or faster-whisper JSON"),
    ('{"segments": [{"words": [{"start": 1}]}]}', "segments[0].words[0] has no word text"),
    ('{"segments": [{"words": [{"word": "a", "start": 2, "end": 1}]}]}', "ends before it starts"),
    ('{"segments": []}', "holds no words"),
])
def test_bad_transcripts_name_the_file_and_the_place(tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(CmfError) as caught:
        read_transcript(path, "bad.json")
    diagnostic = caught.value.diagnostics[0]
    assert diagnostic.span.path == "bad.json" and message in diagnostic.message
