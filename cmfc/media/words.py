"""Read word timings of the voice-over: WhisperX JSON word level, SRT/VTT segment level."""

from __future__ import annotations

import json
import re
from fractions import Fraction
from pathlib import Path

from cmfc.diagnostics import CmfError, Diagnostic, Span
from cmfc.ir.models import Word
from cmfc.ir.values import SAMPLE_RATE, round_to_units


def read_words(path: Path, display_path: str) -> list[Word]:
    """Words with start/end in samples at 48 kHz, in time order; CmfError naming the file when unreadable."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise CmfError([Diagnostic(Span(display_path), f"cannot read word timings: {error}")]) from None
    suffix = path.suffix.lower()
    if suffix in (".srt", ".vtt"):
        words = _from_subtitles(text, display_path)
    else:
        words = _from_whisperx(text, display_path)
    return sorted(words, key=lambda w: (w.start, w.end))


def _seconds_to_samples(value, display_path: str, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise CmfError([Diagnostic(Span(display_path), f"word timings: {where} is not a time in seconds")])
    try:
        seconds = float(value)  # bounds the work: "1e99999999" must not become a 100-million-digit Fraction
        if not 0 <= seconds < 86_400:
            raise ValueError(value)
        return round_to_units(Fraction(str(value)) if isinstance(value, str) else Fraction(repr(seconds)), SAMPLE_RATE)
    except (ValueError, ZeroDivisionError):
        raise CmfError([Diagnostic(Span(display_path), f"word timings: {where} is not a time in seconds")]) from None


def _from_whisperx(text: str, display_path: str) -> list[Word]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise CmfError([Diagnostic(Span(display_path, error.lineno, error.colno),
                                   f"word timings are not valid JSON: {error.msg}")]) from None
    segments = data.get("segments") if isinstance(data, dict) else None
    if not isinstance(segments, list):
        raise CmfError([Diagnostic(Span(display_path), "word timings: expected WhisperX JSON with segments[].words[]")])
    words: list[Word] = []
    for s_index, segment in enumerate(segments):
        seg_words = segment.get("words") if isinstance(segment, dict) else None
        if not isinstance(seg_words, list):
            raise CmfError([Diagnostic(Span(display_path), f"word timings: segment {s_index} has no words list")])
        for w_index, item in enumerate(seg_words):
            where = f"segments[{s_index}].words[{w_index}]"
            if not isinstance(item, dict) or not isinstance(item.get("word"), str):
                raise CmfError([Diagnostic(Span(display_path), f"word timings: {where} has no word text")])
            if "start" not in item or "end" not in item:
                continue  # WhisperX leaves numerals it could not align without times
            start = _seconds_to_samples(item["start"], display_path, where + ".start")
            end = _seconds_to_samples(item["end"], display_path, where + ".end")
            if end < start:
                raise CmfError([Diagnostic(Span(display_path), f"word timings: {where} ends before it starts")])
            words.append(Word(text=item["word"].strip(), start=start, end=end))
    return words


_CUE_TIME = re.compile(r"(?:(\d+):)?(\d{1,2}):(\d{2})[,.](\d{3})")


def _cue_seconds(text: str) -> Fraction:
    match = _CUE_TIME.fullmatch(text.strip())
    if not match:
        raise ValueError(text)
    hours, minutes, seconds, millis = match.groups()
    return Fraction(int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds)) + Fraction(int(millis), 1000)


def _from_subtitles(text: str, display_path: str) -> list[Word]:
    """Segment-level timings: each cue's words share the cue's time, spread evenly across it."""
    words: list[Word] = []
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        line = lines[index]
        if "-->" in line:
            left, right = line.split("-->", 1)
            try:
                start = _cue_seconds(left)
                end = _cue_seconds(right.split()[0])
            except (ValueError, IndexError):
                raise CmfError([Diagnostic(Span(display_path, index + 1, 1), "bad cue time line")]) from None
            index += 1
            cue_text = []
            while index < len(lines) and lines[index].strip():
                cue_text.append(re.sub(r"<[^>]+>", "", lines[index]))
                index += 1
            tokens = " ".join(cue_text).split()
            for t_index, token in enumerate(tokens):
                w_start = start + (end - start) * t_index / len(tokens)
                w_end = start + (end - start) * (t_index + 1) / len(tokens)
                words.append(Word(text=token, start=round_to_units(w_start, SAMPLE_RATE),
                                  end=round_to_units(w_end, SAMPLE_RATE)))
        index += 1
    return words


def normalise(word: str) -> str:
    """A word as compared for the Verbatim Mandate: case, punctuation and curly quotes aside."""
    word = word.replace("\u2019", "'").replace("\u2018", "'").casefold()
    return re.sub(r"[^\w']+", "", word).strip("'")


def read_word_items(path: Path, display_path: str) -> list[dict]:
    """Every word of a transcript as ``{text, start, end, score, segment, seg_start, seg_end}``, times in seconds or None.

    Tolerant of what real recognisers write (stage 1 reads whole recordings): WhisperX words
    without ``start``/``end``/``score`` (numerals in older versions), segments whose alignment
    failed (``words: []`` or no ``words``: the segment's text, untimed), faster-whisper's
    ``probability`` and leading spaces. SRT/VTT cues give each word an even share of the cue.
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise CmfError([Diagnostic(Span(display_path), f"cannot read the transcript: {error}")]) from None
    if path.suffix.lower() in (".srt", ".vtt"):
        return [{"text": w.text, "start": w.start / SAMPLE_RATE, "end": w.end / SAMPLE_RATE, "score": None,
                 "segment": 0, "seg_start": None, "seg_end": None} for w in _from_subtitles(text, display_path)]
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise CmfError([Diagnostic(Span(display_path, error.lineno, error.colno),
                                   f"the transcript is not valid JSON: {error.msg}")]) from None
    segments = data.get("segments") if isinstance(data, dict) else data if isinstance(data, list) else None
    if not isinstance(segments, list):
        raise CmfError([Diagnostic(Span(display_path), "the transcript: expected WhisperX or faster-whisper JSON "
                                   "with segments[].words[]")])
    items: list[dict] = []
    for s_index, segment in enumerate(segments):
        if not isinstance(segment, dict):
            raise CmfError([Diagnostic(Span(display_path), f"the transcript: segments[{s_index}] is not an object")])
        seg_start = _optional_seconds(segment.get("start"), display_path, f"segments[{s_index}].start")
        seg_end = _optional_seconds(segment.get("end"), display_path, f"segments[{s_index}].end")
        seg_words = segment.get("words")
        if not seg_words:  # alignment failed: keep the segment's words, untimed (interpolated later)
            seg_words = [{"word": token} for token in str(segment.get("text") or "").split()]
        if not isinstance(seg_words, list):
            raise CmfError([Diagnostic(Span(display_path), f"the transcript: segments[{s_index}].words is not a list")])
        for w_index, item in enumerate(seg_words):
            where = f"segments[{s_index}].words[{w_index}]"
            word = item.get("word", item.get("text")) if isinstance(item, dict) else None
            if not isinstance(word, str):
                raise CmfError([Diagnostic(Span(display_path), f"the transcript: {where} has no word text")])
            for token in word.split() or [""]:
                if not token:
                    continue
                start = _optional_seconds(item.get("start"), display_path, where + ".start")
                end = _optional_seconds(item.get("end"), display_path, where + ".end")
                if start is not None and end is not None and end < start:
                    raise CmfError([Diagnostic(Span(display_path), f"the transcript: {where} ends before it starts")])
                score = item.get("score", item.get("probability"))
                score = float(score) if isinstance(score, (int, float)) and not isinstance(score, bool) else None
                items.append({"text": token, "start": start, "end": end, "score": score, "segment": s_index,
                              "seg_start": seg_start, "seg_end": seg_end,
                              "interpolated": item.get("interpolated") is True})
    return items


def _optional_seconds(value, display_path: str, where: str) -> float | None:
    """A time in seconds, None when absent; CmfError naming the file and key when it is not a time."""
    if value is None:
        return None
    return _seconds_to_samples(value, display_path, where) / SAMPLE_RATE
