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
    return read_marked_words(path, display_path)[0]


def read_marked_words(path: Path, display_path: str) -> tuple[list[Word], set[int]]:
    """The words (as ``read_words``) and the indexes of those whose times were interpolated, not heard.

    WhisperX leaves some words untimed (numerals, symbols; whole segments when alignment fails);
    they get an even share of the gap between their timed neighbours, so a line may still use them,
    and `cmfc check` warns when one does. Files written by `cmfc transcribe` mark such words
    ``"interpolated": true``.
    """
    if path.suffix.lower() in (".srt", ".vtt"):
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as error:
            raise CmfError([Diagnostic(Span(display_path), f"cannot read word timings: {error}")]) from None
        return sorted(_from_subtitles(text, display_path), key=lambda w: (w.start, w.end)), set()
    items = interpolate(read_word_items(path, display_path, "word timings"))
    words = [(Word(text=i["text"], start=round_to_units(Fraction(repr(i["start"])), SAMPLE_RATE),
                   end=round_to_units(Fraction(repr(i["end"])), SAMPLE_RATE)), i["interpolated"]) for i in items]
    words.sort(key=lambda pair: (pair[0].start, pair[0].end))
    return [w for w, _ in words], {index for index, (_, marked) in enumerate(words) if marked}


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


def read_word_items(path: Path, display_path: str, what: str = "the transcript") -> list[dict]:
    """Every word of a transcript as ``{text, start, end, score, segment, seg_start, seg_end}``, times in seconds or None.

    Tolerant of what real recognisers write (stage 1 reads whole recordings): WhisperX words
    without ``start``/``end``/``score`` (numerals in older versions), segments whose alignment
    failed (``words: []`` or no ``words``: the segment's text, untimed), faster-whisper's
    ``probability`` and leading spaces. SRT/VTT cues give each word an even share of the cue.
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise CmfError([Diagnostic(Span(display_path), f"cannot read {what}: {error}")]) from None
    if path.suffix.lower() in (".srt", ".vtt"):
        return [{"text": w.text, "start": w.start / SAMPLE_RATE, "end": w.end / SAMPLE_RATE, "score": None,
                 "segment": 0, "seg_start": None, "seg_end": None, "interpolated": False}
                for w in _from_subtitles(text, display_path)]
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise CmfError([Diagnostic(Span(display_path, error.lineno, error.colno),
                                   f"{what} {'are' if what.endswith('s') else 'is'} not valid JSON: {error.msg}")]) from None
    segments = data.get("segments") if isinstance(data, dict) else data if isinstance(data, list) else None
    if not isinstance(segments, list):
        raise CmfError([Diagnostic(Span(display_path), f"{what}: expected WhisperX or faster-whisper JSON "
                                   "with segments[].words[]")])
    items: list[dict] = []
    for s_index, segment in enumerate(segments):
        if not isinstance(segment, dict):
            raise CmfError([Diagnostic(Span(display_path), f"{what}: segments[{s_index}] is not an object")])
        seg_start = _optional_seconds(segment.get("start"), display_path, f"segments[{s_index}].start")
        seg_end = _optional_seconds(segment.get("end"), display_path, f"segments[{s_index}].end")
        seg_words = segment.get("words")
        if not seg_words:  # alignment failed: keep the segment's words, untimed (interpolated later)
            seg_words = [{"word": token} for token in str(segment.get("text") or "").split()]
        if not isinstance(seg_words, list):
            raise CmfError([Diagnostic(Span(display_path), f"{what}: segments[{s_index}].words is not a list")])
        for w_index, item in enumerate(seg_words):
            where = f"segments[{s_index}].words[{w_index}]"
            word = item.get("word", item.get("text")) if isinstance(item, dict) else None
            if not isinstance(word, str):
                raise CmfError([Diagnostic(Span(display_path), f"{what}: {where} has no word text")])
            for token in word.split() or [""]:
                if not token:
                    continue
                start = _optional_seconds(item.get("start"), display_path, where + ".start")
                end = _optional_seconds(item.get("end"), display_path, where + ".end")
                if start is not None and end is not None and end < start:
                    raise CmfError([Diagnostic(Span(display_path), f"{what}: {where} ends before it starts")])
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


def interpolate(items: list[dict]) -> list[dict]:
    """``items`` (from ``read_word_items``) with every start/end set; untimed ones marked ``interpolated``.

    An untimed run gets an even share of the gap between the timed words around it, kept inside
    its segment when the segment has times; a word with one time gets the other from it.
    """
    count = len(items)
    starts = [i["start"] for i in items]
    ends = [i["end"] for i in items]
    for i in range(count):
        if starts[i] is None and ends[i] is not None:
            starts[i] = ends[i]
        if ends[i] is None and starts[i] is not None:
            ends[i] = starts[i]
    out: list[dict] = []
    i = 0
    while i < count:
        if starts[i] is not None:
            out.append({**items[i], "start": starts[i], "end": max(starts[i], ends[i])})
            i += 1
            continue
        j = i
        while j < count and starts[j] is None:
            j += 1
        seg, last = items[i], items[j - 1]
        left = ends[i - 1] if i > 0 else None
        right = starts[j] if j < count else None
        if (left is None or items[i - 1]["segment"] != seg["segment"]) and seg["seg_start"] is not None:
            left = max(seg["seg_start"], left or 0.0)
        if (right is None or items[j]["segment"] != last["segment"]) and last["seg_end"] is not None:
            right = last["seg_end"] if right is None else min(last["seg_end"], right)
        left = left if left is not None else 0.0
        right = right if right is not None and right >= left else left + 0.3 * (j - i)
        step = (right - left) / (j - i)
        for k in range(i, j):
            start, end = left + step * (k - i), left + step * (k - i + 1)
            out.append({**items[k], "start": round(start, 3), "end": round(max(start, end), 3), "interpolated": True})
        i = j
    return out
