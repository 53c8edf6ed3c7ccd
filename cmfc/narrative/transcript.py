"""The word-timed transcript stage 1 works on: every word, in spoken order, with a time.

Read from WhisperX or faster-whisper JSON or SRT/VTT (``cmfc.media.words.read_word_items``).
Words the recogniser left untimed get times interpolated between their timed neighbours
(within their segment when it has times) and are marked ``interpolated``; the transcript is
written back in WhisperX's form, so ``voice ... words`` can name it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from cmfc.diagnostics import CmfError, Diagnostic, Span
from cmfc.fsutil import sha256_bytes
from cmfc.media.words import normalise, read_word_items

_SENTENCE_END = re.compile(r"[.!?…][\"'\u201d\u2019)\]]*$")


@dataclass(frozen=True)
class TranscriptWord:
    """One spoken word: its text as recognised, times in seconds (ms precision), confidence if known."""

    text: str
    start: float
    end: float
    score: float | None = None
    interpolated: bool = False
    segment: int = 0

    @property
    def token(self) -> str:
        return normalise(self.text)

    @property
    def ends_sentence(self) -> bool:
        return bool(_SENTENCE_END.search(self.text))


@dataclass(frozen=True)
class Transcript:
    """The words, indexed from 0: word indices in premises and scripts point into this list."""

    words: tuple[TranscriptWord, ...]
    language: str | None = None

    def tokens(self) -> list[str]:
        """Normalised words, index for index (what the Verbatim Mandate compares)."""
        return [w.token for w in self.words]

    def text(self, first: int, last: int) -> str:
        """The words ``first..last`` (inclusive) as spoken."""
        return " ".join(w.text for w in self.words[first:last + 1])

    @property
    def duration(self) -> float:
        return self.words[-1].end if self.words else 0.0

    def to_whisperx(self) -> dict:
        """WhisperX's JSON form (segments[].words[] with word/start/end/score), interpolated words marked."""
        segments: list[dict] = []
        for word in self.words:
            if not segments or segments[-1]["_id"] != word.segment:
                segments.append({"_id": word.segment, "words": []})
            entry = {"word": word.text, "start": word.start, "end": word.end}
            if word.score is not None:
                entry["score"] = word.score
            if word.interpolated:
                entry["interpolated"] = True
            segments[-1]["words"].append(entry)
        out = []
        for segment in segments:
            words = segment["words"]
            out.append({"start": words[0]["start"], "end": words[-1]["end"],
                        "text": " ".join(w["word"] for w in words), "words": words})
        data: dict = {"segments": out}
        if self.language:
            data["language"] = self.language
        return data

    def to_json(self) -> str:
        """Canonical bytes of the WhisperX form (sorted keys, fixed separators)."""
        return json.dumps(self.to_whisperx(), sort_keys=True, indent=1, ensure_ascii=False) + "\n"

    def digest(self) -> str:
        return sha256_bytes(self.to_json().encode("utf-8"))


def read_transcript(path: Path, display_path: str | None = None) -> Transcript:
    """The transcript in ``path`` with every word timed; CmfError naming the file when unreadable or empty."""
    display = display_path or str(path)
    items = read_word_items(path, display)
    if not items:
        raise CmfError([Diagnostic(Span(display), "the transcript holds no words")])
    language = None
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(path.read_text(encoding="utf-8-sig"))
            language = data.get("language") if isinstance(data, dict) and isinstance(data.get("language"), str) else None
        except (OSError, ValueError):
            language = None
    return Transcript(words=tuple(_interpolate(items)), language=language)


def _ms(value: float) -> float:
    return round(value, 3)


def _interpolate(items: list[dict]) -> list[TranscriptWord]:
    """Times for untimed words: an even share of the gap between the timed words around them."""
    count = len(items)
    starts = [i["start"] for i in items]
    ends = [i["end"] for i in items]
    for i in range(count):  # a word with only one of its times gets the other from it
        if starts[i] is None and ends[i] is not None:
            starts[i] = ends[i]
        if ends[i] is None and starts[i] is not None:
            ends[i] = starts[i]
    words: list[TranscriptWord] = []
    i = 0
    while i < count:
        if starts[i] is not None:
            words.append(_word(items[i], starts[i], ends[i], False))
            i += 1
            continue
        j = i
        while j < count and starts[j] is None:
            j += 1
        seg = items[i]
        left = ends[i - 1] if i > 0 else None
        right = starts[j] if j < count else None
        # Stay inside the segment when it is timed and its neighbours lie in other segments.
        if (left is None or items[i - 1]["segment"] != seg["segment"]) and seg["seg_start"] is not None:
            left = max(seg["seg_start"], left or 0.0)
        if (right is None or items[j]["segment"] != items[j - 1]["segment"]) and items[j - 1]["seg_end"] is not None:
            right = items[j - 1]["seg_end"] if right is None else min(items[j - 1]["seg_end"], right)
        left = left if left is not None else 0.0
        right = right if right is not None and right >= left else left + 0.3 * (j - i)
        step = (right - left) / (j - i)
        for k in range(i, j):
            words.append(_word(items[k], left + step * (k - i), left + step * (k - i + 1), True))
        i = j
    return words


def _word(item: dict, start: float, end: float, interpolated: bool) -> TranscriptWord:
    return TranscriptWord(text=item["text"], start=_ms(start), end=_ms(max(start, end)), score=item["score"],
                          interpolated=interpolated or item.get("interpolated", False), segment=item["segment"])


def sentence_starts(transcript: Transcript) -> list[int]:
    """Indices of the words that start a sentence (0 first): where chunks may begin."""
    starts = [0]
    for index, word in enumerate(transcript.words[:-1]):
        if word.ends_sentence:
            starts.append(index + 1)
    return starts
