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
from cmfc.media.words import interpolate, normalise, read_word_items

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


def _interpolate(items: list[dict]) -> list[TranscriptWord]:
    return [TranscriptWord(text=i["text"], start=i["start"], end=i["end"], score=i["score"],
                           interpolated=i["interpolated"], segment=i["segment"]) for i in interpolate(items)]


def sentence_starts(transcript: Transcript) -> list[int]:
    """Indices of the words that start a sentence (0 first): where chunks may begin."""
    starts = [0]
    for index, word in enumerate(transcript.words[:-1]):
        if word.ends_sentence:
            starts.append(index + 1)
    return starts
