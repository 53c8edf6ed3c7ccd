"""A word-timed voice-over: espeak-ng speaks each word alone, we place the words on an exact ms grid.

Synthesising word by word makes the timings exact by construction (a word's start/end are where
its trimmed clip was placed), which is what a WhisperX alignment only approximates.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .audio_io import RATE

ESPEAK_RATE = 22_050
SAMPLES_PER_MS = RATE // 1000
SILENCE_THRESHOLD = 0.01  # about -40 dBFS: below this a word clip's head/tail counts as silence
EDGE_MS = 3  # kept around the audible part, and faded, so words don't click


@dataclass(frozen=True)
class TimedWord:
    """One spoken token as written in the transcript (punctuation kept) and its exact span in ms."""

    text: str
    start_ms: int
    end_ms: int


def ensure_espeak() -> str:
    """Return the espeak-ng executable, installing Debian's package first when we are root and it is missing."""
    found = shutil.which("espeak-ng")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
        subprocess.run(["apt-get", "install", "-y", "-qq", "espeak-ng"], check=True, env=env)
        found = shutil.which("espeak-ng")
    if not found:
        raise SystemExit("espeak-ng is needed to regenerate the voice-overs: apt-get install espeak-ng")
    return found


def espeak_version(espeak: str) -> str:
    """The `espeak-ng --version` line, recorded beside the media because its output can differ by version."""
    out = subprocess.run([espeak, "--version"], check=True, capture_output=True, text=True).stdout
    return out.strip().splitlines()[0].split("  Data at:")[0].strip()


def sentences_of(transcript: str) -> list[list[str]]:
    """Split a transcript into sentences of whitespace tokens; a sentence ends on a token ending in . ! or ?"""
    sentences: list[list[str]] = [[]]
    for token in transcript.split():
        sentences[-1].append(token)
        if token[-1] in ".!?":
            sentences.append([])
    return [s for s in sentences if s]


def speakable(token: str) -> str:
    """The token without surrounding punctuation (apostrophes inside words stay: "isn't")."""
    return re.sub(r"^[^\w']+|[^\w']+$", "", token)


def synthesize_word(espeak: str, word: str, voice: str, speed: int) -> np.ndarray:
    """Speak one word with espeak-ng; return it at 48 kHz, silence trimmed, edges faded, whole ms long."""
    from scipy.signal import resample_poly

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "word.wav"
        subprocess.run([espeak, "-v", voice, "-s", str(speed), "-w", str(path), word], check=True)
        with wave.open(str(path), "rb") as src:
            if src.getframerate() != ESPEAK_RATE or src.getsampwidth() != 2 or src.getnchannels() != 1:
                raise SystemExit(f"unexpected espeak-ng output format for {word!r}")
            raw = np.frombuffer(src.readframes(src.getnframes()), dtype="<i2")
    signal = resample_poly(raw.astype(np.float64) / 32768.0, RATE // 150, ESPEAK_RATE // 150)
    loud = np.flatnonzero(np.abs(signal) > SILENCE_THRESHOLD)
    if loud.size == 0:
        raise SystemExit(f"espeak-ng produced silence for {word!r}")
    edge = EDGE_MS * SAMPLES_PER_MS
    clip = signal[max(0, loud[0] - edge) : loud[-1] + edge + 1].copy()
    ramp = np.linspace(0.0, 1.0, edge, endpoint=False)
    clip[:edge] *= ramp
    clip[-edge:] *= ramp[::-1]
    pad = (-len(clip)) % SAMPLES_PER_MS
    return np.concatenate([clip, np.zeros(pad)])


def word_gap_ms(index: int, token: str) -> int:
    """Pause after a word inside a sentence: 60-90 ms, varied deterministically; longer after a comma."""
    return 180 if token.endswith((",", ";", ":")) else 60 + (17 * index) % 31


def sentence_pause_ms(index: int) -> int:
    """Pause between two sentences when no cut is pinned there: 350-450 ms, varied deterministically."""
    return 350 + (37 * index) % 101


def lay_out(
    sentences: list[list[str]],
    clips: list[np.ndarray],
    *,
    lead_in_ms: int,
    total_ms: int,
    cuts_ms: dict[int, int] | None = None,
) -> tuple[np.ndarray, list[TimedWord]]:
    """Place word clips on the timeline and pad to exactly `total_ms`.

    `cuts_ms[k]` pins the middle of the pause before sentence k to that time (so a scene cut
    derived as "the middle of the pause" lands exactly on a round, frame-aligned number).
    """
    cuts_ms = cuts_ms or {}
    words: list[TimedWord] = []
    cursor = lead_in_ms
    index = 0
    for k, sentence in enumerate(sentences):
        if k > 0:
            prev_end = words[-1].end_ms
            if k in cuts_ms:
                pause = 2 * (cuts_ms[k] - prev_end)
                if not 300 <= pause <= 1000:
                    raise SystemExit(
                        f"cut at {cuts_ms[k]} ms before {' '.join(sentence)!r} needs a {pause} ms pause "
                        f"(previous word ends at {prev_end} ms); adjust the pinned cut"
                    )
            else:
                pause = sentence_pause_ms(k)
            cursor = prev_end + pause
        for position, token in enumerate(sentence):
            length_ms = len(clips[index]) // SAMPLES_PER_MS
            words.append(TimedWord(token, cursor, cursor + length_ms))
            cursor += length_ms
            if position < len(sentence) - 1:
                cursor += word_gap_ms(index, token)
            index += 1
    if words[-1].end_ms > total_ms - 100:
        raise SystemExit(f"the voice-over runs to {words[-1].end_ms} ms, past its {total_ms} ms length")
    signal = np.zeros(total_ms * SAMPLES_PER_MS)
    for word, clip in zip(words, clips):
        start = word.start_ms * SAMPLES_PER_MS
        signal[start : start + len(clip)] += clip
    peak = float(np.max(np.abs(signal)))
    return signal * (0.89 / peak), words  # peak at -1 dBFS


def speak(
    transcript: str,
    *,
    voice: str = "en-us",
    speed: int = 165,
    lead_in_ms: int | None = None,
    first_sentence_ends_ms: int | None = None,
    total_ms: int,
    cuts_ms: dict[int, int] | None = None,
) -> tuple[np.ndarray, list[list[TimedWord]], str]:
    """Synthesize `transcript` word by word; return (48 kHz mono signal, words per sentence, espeak version)."""
    espeak = ensure_espeak()
    sentences = sentences_of(transcript)
    tokens = [token for sentence in sentences for token in sentence]
    clips = [synthesize_word(espeak, speakable(token), voice, speed) for token in tokens]
    if first_sentence_ends_ms is not None:
        first = len(sentences[0])
        natural = sum(len(c) for c in clips[:first]) // SAMPLES_PER_MS
        natural += sum(word_gap_ms(i, tokens[i]) for i in range(first - 1))
        lead_in_ms = first_sentence_ends_ms - natural
        if lead_in_ms < 50:
            raise SystemExit(f"the first sentence takes {natural} ms, too long to end at {first_sentence_ends_ms} ms")
    signal, words = lay_out(sentences, clips, lead_in_ms=lead_in_ms or 0, total_ms=total_ms, cuts_ms=cuts_ms)
    grouped, at = [], 0
    for sentence in sentences:
        grouped.append(words[at : at + len(sentence)])
        at += len(sentence)
    return signal, grouped, espeak_version(espeak)


def seconds(ms: int) -> float:
    """Milliseconds as seconds; exact to 3 decimals because every time here is a whole ms."""
    return round(ms / 1000, 3)


def words_json(sentences: list[list[TimedWord]]) -> str:
    """WhisperX-style JSON: one segment per sentence, each word with start/end (s, 3 decimals) and score 1.0."""
    segments = [
        {
            "start": seconds(s[0].start_ms),
            "end": seconds(s[-1].end_ms),
            "text": " ".join(w.text for w in s),
            "words": [
                {"word": w.text, "start": seconds(w.start_ms), "end": seconds(w.end_ms), "score": 1.0} for w in s
            ],
        }
        for s in sentences
    ]
    return json.dumps({"language": "en", "segments": segments}, indent=1, sort_keys=True) + "\n"


def srt_time(ms: int) -> str:
    """An SRT timestamp, HH:MM:SS,mmm."""
    return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d},{ms % 1000:03d}"


def srt(sentences: list[list[TimedWord]]) -> str:
    """SubRip captions, one cue per sentence."""
    cues = [
        f"{n}\n{srt_time(s[0].start_ms)} --> {srt_time(s[-1].end_ms)}\n{' '.join(w.text for w in s)}\n"
        for n, s in enumerate(sentences, 1)
    ]
    return "\n".join(cues)
