"""The Script Composer (manual Stage 1.2): blocks of the speaker's own words, under the Verbatim Mandate.

Each block the model writes is checked against the transcript; a block that is not an exact word
span goes back to the model with the difference and the nearest true passage, at most three
tries. The accepted script keeps the transcript's own words and times for every block.
"""

from __future__ import annotations

from cmfc.narrative.agents import Agents, converse, load_prompt
from cmfc.narrative.hunter import Chunk, numbered
from cmfc.narrative.models import ScriptAnswer
from cmfc.narrative.transcript import Transcript
from cmfc.narrative.verbatim import check_block


def compose(transcript: Transcript, premise: dict, agents: Agents, source: str, audio: str | None) -> dict:
    """final_script.json's content for ``premise`` (a record of premise_analysis.json)."""
    config = agents.config
    prompt = load_prompt("script_composer", config.root)
    tokens = transcript.tokens()
    passages = "\n".join(f"- words {p['first_word']}..{p['last_word']}: \"{p['text']}\"" for p in premise["passages"])
    first_turn = (f"Premise: {premise['title']}\nHook: {premise['hook']}\nIt rests on:\n{passages}\n\n"
                  f"Transcript:\n\n{numbered(transcript, _around(transcript, premise))}\n\nCompose the script.")
    verdicts: list = []

    def verify(answer: ScriptAnswer) -> list[str]:
        verdicts.clear()
        problems = []
        for index, block in enumerate(answer.blocks):
            verdict = check_block(transcript, block.text, config.pause_threshold, tokens,
                                  near=(block.first_word, block.last_word))
            verdicts.append(verdict)
            if not verdict.ok:
                problems.append(f"block {index + 1}: " + verdict.explain(transcript))
        return problems

    answer = converse(agents, "script_composer", prompt, first_turn, ScriptAnswer, verify)
    blocks = []
    for verdict in verdicts:
        first, last = verdict.span
        blocks.append({"text": transcript.text(first, last), "first_word": first, "last_word": last,
                       "start": transcript.words[first].start, "end": transcript.words[last].end,
                       "pauses": [{"after_word": p.after, "seconds": p.seconds} for p in verdict.pauses],
                       "interpolated_words": [i for i in range(first, last + 1) if transcript.words[i].interpolated]})
    speech = sum(b["end"] - b["start"] for b in blocks)
    return {"format": 1, "title": answer.title, "premise": {"rank": premise.get("rank"), "title": premise["title"],
                                                             "hook": premise["hook"]},
            "transcript": source, "transcript_sha256": transcript.digest(), "audio": audio,
            "speech_seconds": round(speech, 3), "blocks": blocks, "calls": [c.to_json() for c in agents.calls]}


def _around(transcript: Transcript, premise: dict, reach: int = 1500) -> Chunk:
    """The stretch of transcript the composer sees: the premise's passages and up to ``reach`` words around them."""
    firsts = [p["first_word"] for p in premise["passages"]]
    lasts = [p["last_word"] for p in premise["passages"]]
    first = max(0, min(firsts) - reach)
    last = min(len(transcript.words) - 1, max(lasts) + reach)
    while first > 0 and not transcript.words[first - 1].ends_sentence:
        first -= 1
    while last < len(transcript.words) - 1 and not transcript.words[last].ends_sentence:
        last += 1
    return Chunk(first, last)
