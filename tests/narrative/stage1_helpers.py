"""A small recorded talk (word timings and a matching voice-like WAV) and the answers a good model gives."""

from __future__ import annotations

import json
import math
import struct
import wave
from pathlib import Path

SENTENCES = [
    "I used to think discipline was about waking up at five.",
    "In 2019 I lost my company and my savings in the same week.",
    "Nobody tells you that the worst part is the silence afterwards.",
    "So I started writing down one thing I did well every single night.",
    "After ninety nights the list was longer than my list of failures.",
    "That list is the only reason I am still building today.",
    "Discipline is not an alarm clock, it is a receipt you keep for yourself.",
]
RATE = 16_000


def talk_words() -> list[dict]:
    words, t = [], 0.2
    for sentence in SENTENCES:
        for token in sentence.split():
            length = 0.16 + 0.025 * len(token)
            words.append({"word": token, "start": round(t, 3), "end": round(t + length, 3), "score": 0.9})
            t += length + 0.08
        t += 0.55  # a breath between sentences
    return words


def write_talk(root: Path, words: list[dict] | None = None) -> None:
    """talk.words.json (WhisperX form, one segment per sentence) and talk.wav (tone bursts on the word times)."""
    words = words or talk_words()
    segments, index = [], 0
    for sentence in SENTENCES:
        count = len(sentence.split())
        seg = words[index:index + count]
        segments.append({"start": seg[0]["start"], "end": seg[-1]["end"], "text": sentence, "words": seg})
        index += count
    (root / "talk.words.json").write_text(json.dumps({"segments": segments, "language": "en"}))
    total = int((words[-1]["end"] + 0.4) * RATE)
    samples = [0.0] * total
    for n, word in enumerate(words):
        a, b = int(word["start"] * RATE), int(word["end"] * RATE)
        pitch = 170 + 15 * (n % 5)
        for i in range(a, b):
            env = math.sin(math.pi * (i - a) / (b - a))
            samples[i] = 0.3 * env * math.sin(2 * math.pi * pitch * i / RATE)
    with wave.open(str(root / "talk.wav"), "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(RATE)
        handle.writeframes(b"".join(struct.pack("<h", int(s * 32767)) for s in samples))


def sentence_span(number: int) -> tuple[int, int]:
    first = sum(len(s.split()) for s in SENTENCES[:number])
    return first, first + len(SENTENCES[number].split()) - 1


def passage(number: int) -> dict:
    first, last = sentence_span(number)
    return {"first_word": first, "last_word": last, "quote": SENTENCES[number]}


def premise(title: str, hook: str, sentences: list[int], trinity=(8, 7, 9)) -> dict:
    return {"title": title, "hook": hook, "why": "a specific number and a reversal",
            "scores": {"surprise": trinity[0], "emotion": trinity[1], "specificity": trinity[2], "arousal": 7,
                       "contrarian": 8},
            "passages": [passage(n) for n in sentences]}


def good_premises() -> dict:
    return {"premises": [
        premise("Discipline is a receipt", "Discipline is a receipt you keep, not an alarm clock", [6, 3, 4]),
        premise("The silence after failure", "The worst part of losing everything is the silence", [1, 2], (7, 9, 6)),
        premise("Ninety nights", "Ninety nights of one good thing outweighed every failure", [3, 4, 5], (6, 6, 8)),
    ]}


def block(number: int, text: str | None = None) -> dict:
    first, last = sentence_span(number)
    return {"text": text or SENTENCES[number], "first_word": first, "last_word": last}


def good_script() -> dict:
    return {"title": "Discipline is a receipt", "blocks": [block(6), block(1), block(3), block(4), block(5)]}


PARAPHRASED = "So I began writing down one good thing I did every night."


def paraphrased_script() -> dict:
    return {"title": "Discipline is a receipt", "blocks": [block(6), block(1), block(3, PARAPHRASED), block(4), block(5)]}


def good_blueprint() -> dict:
    templates = ["HOOK-2", "SETUP-1", "TURN-1", "EPIPHANY-1", "PAYOFF-1"]
    return {"title": "Discipline Is A Receipt", "arc": "the_rally",
            "character_anchor": "a man in his thirties, grey hoodie, short beard",
            "scenes": [{"block": i, "template": t, "subject": "client" if i % 2 == 0 else "character",
                        "hero_prompt": "a desk at night, a notebook under a lamp", "text": None}
                       for i, t in enumerate(templates)]}


def project(root: Path, base_url: str, **settings) -> Path:
    """A project folder with the talk and a cmfc.toml pointing the agents at ``base_url``."""
    root.mkdir(parents=True, exist_ok=True)
    write_talk(root)
    options = {"base_url": base_url, "max_retries": 0, "timeout": 10, **settings}
    lines = ["[stage1]"] + [f"{k} = {json.dumps(v)}" for k, v in options.items()]
    (root / "cmfc.toml").write_text("\n".join(lines) + "\n")
    return root
