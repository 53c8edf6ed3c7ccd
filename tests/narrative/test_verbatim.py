"""The Verbatim Mandate for script blocks: true spans pass, any edit fails with the exact difference."""

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from cmfc.narrative.transcript import Transcript, TranscriptWord
from cmfc.narrative.verbatim import PAUSE_THRESHOLD_S, check_block

VOCABULARY = ["the", "fear", "came", "back", "every", "night", "and", "I", "kept", "going", "anyway", "because",
              "nobody", "else", "would", "build", "it", "for", "me", "so", "started", "again"]


def make_transcript(texts, gaps=None) -> Transcript:
    words, t = [], 0.0
    for index, text in enumerate(texts):
        words.append(TranscriptWord(text=text, start=round(t, 3), end=round(t + 0.3, 3)))
        t += 0.3 + (gaps[index] if gaps else 0.1)
    return Transcript(words=tuple(words))


texts_strategy = st.lists(st.sampled_from(VOCABULARY), min_size=8, max_size=60)


@st.composite
def transcript_and_span(draw):
    texts = draw(texts_strategy)
    first = draw(st.integers(0, len(texts) - 1))
    last = draw(st.integers(first, min(len(texts) - 1, first + 15)))
    return texts, first, last


def dressed(words, draw_case, draw_punct):
    """The span as a model might write it: other case, punctuation attached, extra spaces."""
    out = []
    for i, word in enumerate(words):
        word = word.upper() if draw_case[i % len(draw_case)] else word
        out.append(word + draw_punct[i % len(draw_punct)])
    return "  ".join(out)


@settings(max_examples=150, deadline=None)
@given(transcript_and_span(), st.lists(st.booleans(), min_size=1, max_size=5),
       st.lists(st.sampled_from(["", ",", ".", "!", "?", " —"]), min_size=1, max_size=5))
def test_every_true_span_passes(case, upper, punct):
    texts, first, last = case
    transcript = make_transcript(texts)
    result = check_block(transcript, dressed(texts[first:last + 1], upper, punct), near=(first, last))
    assert result.ok
    assert [w.token for w in transcript.words[result.span[0]:result.span[1] + 1]] == \
        [w.lower() for w in texts[first:last + 1]]


def _not_in(texts, candidate):
    tokens = [t.lower() for t in texts]
    size = len(candidate)
    return all(tokens[i:i + size] != [c.lower() for c in candidate] for i in range(len(tokens) - size + 1))


@settings(max_examples=150, deadline=None)
@given(transcript_and_span(), st.data())
def test_any_insertion_substitution_drop_or_reorder_fails(case, data):
    texts, first, last = case
    span = list(texts[first:last + 1])
    kind = data.draw(st.sampled_from(["insert", "substitute", "drop", "reorder"]))
    if kind == "insert":
        at = data.draw(st.integers(0, len(span)))
        edited = span[:at] + [data.draw(st.sampled_from(["truly", "really", "just"]))] + span[at:]
    elif kind == "substitute":
        at = data.draw(st.integers(0, len(span) - 1))
        edited = span[:at] + [data.draw(st.sampled_from(["truly", "really", "just"]))] + span[at + 1:]
    elif kind == "drop":
        assume(len(span) >= 2)
        at = data.draw(st.integers(0, len(span) - 1))
        edited = span[:at] + span[at + 1:]
    else:
        assume(len(span) >= 2)
        at = data.draw(st.integers(0, len(span) - 2))
        edited = span[:at] + [span[at + 1], span[at]] + span[at + 2:]
    assume(_not_in(texts, edited))  # the edit happens to be another true passage: not a violation
    result = check_block(make_transcript(texts), " ".join(edited))
    assert not result.ok
    assert result.differences, "a violation always says what differs"
    assert result.nearest is not None


def test_each_kind_of_edit_is_named_with_the_words():
    transcript = make_transcript("so I started again because nobody else would build it for me".split())
    cases = {
        "so I really started again": 'inserted "really"',
        "so I began again": 'substituted "began" for "started"',
        "so started again": 'dropped "i"',
        "so I again started": 'reordered',
    }
    for text, expected in cases.items():
        result = check_block(transcript, text)
        assert not result.ok
        message = result.explain(transcript)
        assert expected in message, message
        assert 'Nearest true passage, words 0..' in message and '"so I started again' in message


def test_a_span_across_a_long_pause_is_flagged_with_where():
    texts = "I lost everything that year and then I started over".split()
    gaps = [0.1] * len(texts)
    gaps[4] = PAUSE_THRESHOLD_S + 0.4  # after "year": 0.9 s of silence
    transcript = make_transcript(texts, gaps)
    crossing = check_block(transcript, "that year and then")
    assert crossing.ok and [(p.after, p.seconds) for p in crossing.pauses] == [(4, 0.9)]
    assert 'pause of 0.90s after word 4 ("year")' in crossing.explain(transcript)
    assert check_block(transcript, "I lost everything that year").pauses == []


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(0.0, 2.0), min_size=12, max_size=12), st.integers(0, 10), st.integers(1, 11))
def test_pauses_flagged_exactly_when_longer_than_the_threshold(gaps, first, length):
    texts = VOCABULARY[:12]
    gaps = [round(g, 3) for g in gaps]
    transcript = make_transcript(texts, gaps)
    last = min(11, first + length)
    result = check_block(transcript, " ".join(texts[first:last + 1]))
    flagged = {p.after for p in result.pauses}
    expected = {i for i in range(first, last)
                if transcript.words[i + 1].start - transcript.words[i].end > PAUSE_THRESHOLD_S}
    assert flagged == expected
