"""A 30-minute transcript: `mine` reads it in overlapping sentence-bounded chunks, and every passage's word indices are exact."""

import json
import random
import re

import pytest
from click.testing import CliRunner

pytest.importorskip("anthropic")

from cmfc.cli import cli  # noqa: E402
from cmfc.media.verbatim import tokenize  # noqa: E402
from cmfc.narrative.hunter import chunks  # noqa: E402
from cmfc.narrative.transcript import read_transcript  # noqa: E402

from .fake_anthropic import FakeAnthropic, computed  # noqa: E402

WORDS = ("money time fear night company family week years silence list morning client coach plan "
         "started lost built kept wrote learned quit failed tried said").split()


def thirty_minutes(path):
    """~4,500 words at 150 words a minute, sentences of 6-18 words, each with a sentence number (so no two repeat)."""
    rng = random.Random(7)
    segments, t, number = [], 0.0, 0
    while t < 30 * 60:
        number += 1
        tokens = [rng.choice(WORDS) for _ in range(rng.randint(5, 17))] + [f"{number}."]
        words = []
        for token in tokens:
            words.append({"word": token, "start": round(t, 3), "end": round(t + 0.3, 3), "score": 0.9})
            t += 0.4
        t += 0.5
        segments.append({"start": words[0]["start"], "end": words[-1]["end"], "text": " ".join(tokens), "words": words})
    path.write_text(json.dumps({"segments": segments, "language": "en"}))


def answer_from_chunk(body):
    """Premises quoting the first, a middle and the last sentence of the chunk the request holds."""
    text = body["messages"][0]["content"]
    lines = re.findall(r"^\[(\d+)\] (.+)$", text, re.M)
    picks = [lines[0], lines[len(lines) // 2], lines[-1]]
    premises = []
    for n, (index, sentence) in enumerate(picks):
        first = int(index)
        claimed = first + 3 if n == 1 else first  # a model's index off by three: the quote decides, the index is fixed
        premises.append({"title": f"Premise at word {first}", "hook": f"what happened at {first}", "why": "specific",
                         "scores": {"surprise": 5 + n, "emotion": 6, "specificity": 7, "arousal": 5, "contrarian": 5},
                         "passages": [{"first_word": claimed, "last_word": claimed + len(sentence.split()) - 1,
                                       "quote": sentence}]})
    return {"kind": "tool", "input": {"premises": premises}, "usage": {"input_tokens": 20000, "output_tokens": 900}}


def test_thirty_minutes_are_chunked_and_every_passage_index_is_exact(tmp_path, monkeypatch):
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-test")
    thirty_minutes(tmp_path / "long.words.json")
    transcript = read_transcript(tmp_path / "long.words.json")
    assert transcript.duration >= 30 * 60 - 1 and len(transcript.words) > 4000

    parts = chunks(transcript, 1500, 150)
    assert len(parts) >= 3
    assert parts[0].first == 0 and parts[-1].last == len(transcript.words) - 1
    for before, after in zip(parts, parts[1:]):
        assert after.first <= before.last, "chunks overlap"
        assert transcript.words[after.first - 1].ends_sentence, "a chunk starts at a sentence"
        assert transcript.words[before.last].ends_sentence, "a chunk ends at a sentence"
        assert len(transcript.words[before.first:before.last + 1]) <= 1500

    with FakeAnthropic() as api:
        (tmp_path / "cmfc.toml").write_text(f'[stage1]\nbase_url = "{api.base_url}"\nmax_retries = 0\n'
                                            "chunk_words = 1500\noverlap_words = 150\n")
        api.queue(*[computed(answer_from_chunk)] * len(parts))
        monkeypatch.chdir(tmp_path)
        result = CliRunner().invoke(cli, ["mine", "long.words.json"])
        assert result.exit_code == 0, result.output
        assert len(api.requests) == len(parts)
    analysis = json.loads((tmp_path / "premise_analysis.json").read_text())
    assert analysis["chunks"] == [[c.first, c.last] for c in parts]
    assert len(analysis["premises"]) == 5
    for premise in analysis["premises"]:
        for passage in premise["passages"]:
            first, last = passage["first_word"], passage["last_word"]
            assert tokenize(transcript.text(first, last)) == tokenize(passage["text"])
            assert passage["text"].endswith(".") and transcript.words[first - 1].ends_sentence
            assert passage["start"] == transcript.words[first].start and passage["end"] == transcript.words[last].end
    assert max(p["passages"][0]["first_word"] for p in analysis["premises"]) > 3000, "passages from late chunks keep global indices"
    assert f"{len(parts)} agent calls" in result.output
