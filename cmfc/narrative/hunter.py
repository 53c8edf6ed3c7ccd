"""The Premise Hunter (manual Stage 1.1): 3-5 ranked 60-second premises, each resting on exact passages.

A long transcript is read in chunks that start and end at sentence boundaries and overlap, so a
passage near a boundary is whole in one of them. Word indices are the transcript's own in every
chunk, so passages keep exact indices across chunks; each passage is verified against the
transcript (the Verbatim Mandate) and each premise against the banned platitudes.
"""

from __future__ import annotations

from dataclasses import dataclass

from cmfc.media.verbatim import tokenize
from cmfc.narrative.agents import Agents, converse, load_prompt
from cmfc.narrative.models import PremiseAnswer, PremisesAnswer
from cmfc.narrative.transcript import Transcript, sentence_starts
from cmfc.narrative.verbatim import check_block

# Generic phrasings the manual's Premise Hunter rejects; a project adds its own ([stage1] banned_phrases).
BANNED_PHRASES = (
    "never give up", "follow your dreams", "follow your passion", "believe in yourself", "hard work pays off",
    "everything happens for a reason", "be yourself", "dream big", "it is what it is", "good things take time",
    "the journey is the destination", "step out of your comfort zone", "stay positive", "success is a journey",
    "failure is not an option", "you can do anything", "just do it", "live your best life",
)
MIN_PREMISES, MAX_PREMISES = 3, 5


@dataclass(frozen=True)
class Chunk:
    """Words ``first..last`` (inclusive) of the transcript, as one request."""

    first: int
    last: int


def chunks(transcript: Transcript, size: int, overlap: int) -> list[Chunk]:
    """Chunks of about ``size`` words cut at sentence starts, each overlapping the next by about ``overlap``."""
    count = len(transcript.words)
    if count <= size:
        return [Chunk(0, count - 1)]
    starts = sentence_starts(transcript)
    result: list[Chunk] = []
    first = 0
    while True:
        if count - first <= size:
            result.append(Chunk(first, count - 1))
            return result
        # end before the last sentence start that keeps the chunk within size (at least one sentence)
        ends = [s for s in starts if first < s <= first + size]
        end = ends[-1] if ends else first + size
        result.append(Chunk(first, end - 1))
        # the next chunk starts at the first sentence start within the overlap before ``end``
        back = [s for s in starts if end - overlap <= s < end and s > first]
        first = back[0] if back else end


def numbered(transcript: Transcript, chunk: Chunk) -> str:
    """The chunk one sentence per line, each line led by ``[N]``, the index of its first word."""
    lines, line, line_start = [], [], chunk.first
    for index in range(chunk.first, chunk.last + 1):
        word = transcript.words[index]
        if not line:
            line_start = index
        line.append(word.text)
        if word.ends_sentence or index == chunk.last:
            lines.append(f"[{line_start}] " + " ".join(line))
            line = []
    return "\n".join(lines)


def platitudes(text: str, banned: tuple[str, ...]) -> list[str]:
    """The banned phrasings ``text`` contains (compared as words: case and punctuation aside)."""
    words = " " + " ".join(tokenize(text)) + " "
    return [phrase for phrase in banned if " " + " ".join(tokenize(phrase)) + " " in words]


def mine(transcript: Transcript, agents: Agents, source: str) -> dict:
    """premise_analysis.json's content: ranked premises with exact passages, and the calls that made them."""
    config = agents.config
    banned = BANNED_PHRASES + tuple(config.banned_phrases)
    prompt = load_prompt("premise_hunter", config.root)
    tokens = transcript.tokens()
    found: list[dict] = []
    parts = chunks(transcript, config.chunk_words, config.overlap_words)
    for number, chunk in enumerate(parts, 1):
        where = f" (part {number} of {len(parts)}, words {chunk.first}..{chunk.last})" if len(parts) > 1 else ""
        first_turn = (f"Transcript{where}:\n\n{numbered(transcript, chunk)}\n\n"
                      f"Find {MIN_PREMISES}-{MAX_PREMISES} premises.")
        exact: dict[int, list[tuple[int, int]]] = {}

        def verify(answer: PremisesAnswer) -> list[str]:
            problems = []
            if not len(parts) > 1 and len(answer.premises) < MIN_PREMISES:
                problems.append(f"give {MIN_PREMISES} to {MAX_PREMISES} premises, not {len(answer.premises)}")
            exact.clear()
            for p_index, premise in enumerate(answer.premises):
                for phrase in platitudes(f"{premise.title} {premise.hook}", banned):
                    problems.append(f'premise {p_index + 1} "{premise.title}" is a platitude ("{phrase}"): '
                                    "find a specific, contrarian insight instead")
                for passage in premise.passages:
                    verdict = check_block(transcript, passage.quote, config.pause_threshold, tokens,
                                          near=(passage.first_word, passage.last_word))
                    if not verdict.ok:
                        problems.append(f"premise {p_index + 1}: " + verdict.explain(transcript))
                    else:
                        exact.setdefault(p_index, []).append(verdict.span)
            return problems

        answer = converse(agents, "premise_hunter", prompt, first_turn, PremisesAnswer, verify)
        for p_index, premise in enumerate(answer.premises):
            found.append(_premise_record(transcript, premise, exact[p_index]))
    ranked = _rank(found)
    if len(ranked) < MIN_PREMISES:
        from cmfc.narrative.agents import RejectedAnswer

        raise RejectedAnswer("premise_hunter", 1, [f"only {len(ranked)} distinct premises were found; "
                                                   f"{MIN_PREMISES} are needed"])
    return {"format": 1, "transcript": source, "transcript_sha256": transcript.digest(), "words": len(transcript.words),
            "chunks": [[c.first, c.last] for c in parts], "premises": ranked[:MAX_PREMISES],
            "calls": [c.to_json() for c in agents.calls]}


def _premise_record(transcript: Transcript, premise: PremiseAnswer, spans: list[tuple[int, int]]) -> dict:
    scores = premise.scores
    return {
        "title": premise.title, "hook": premise.hook, "why": premise.why,
        "scores": {**scores.model_dump(), "trinity": scores.surprise * scores.emotion * scores.specificity},
        "passages": [{"first_word": a, "last_word": b, "start": transcript.words[a].start, "end": transcript.words[b].end,
                      "text": transcript.text(a, b)} for a, b in sorted(set(spans))],
    }


def _rank(premises: list[dict]) -> list[dict]:
    """Best Viral Trinity first (then arousal, contrarian, earliest passage); the same passages twice count once."""
    seen: set = set()
    unique = []
    for premise in sorted(premises, key=lambda p: (-p["scores"]["trinity"], -p["scores"]["arousal"],
                                                   -p["scores"]["contrarian"], p["passages"][0]["first_word"])):
        identity = tuple((p["first_word"], p["last_word"]) for p in premise["passages"])
        if identity in seen:
            continue
        seen.add(identity)
        unique.append({"rank": len(unique) + 1, **premise})
    return unique
