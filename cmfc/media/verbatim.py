"""Word-span matching for the Verbatim Mandate, shared by `cmfc check` (scene lines) and stage 1 (script blocks).

Both compare normalised words (``words.normalise``: case, punctuation and curly quotes aside): a
text is verbatim when its words are a contiguous run of the transcript's words. When it is not,
the nearest true passage and the exact difference (inserted, substituted, dropped, reordered
words) say what to fix.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from cmfc.media.words import normalise


def tokenize(text: str) -> list[str]:
    """The normalised words of ``text`` (empty tokens, such as a lone dash, dropped)."""
    return [t for t in (normalise(part) for part in text.split()) if t]


def find_span(tokens: list[str], wanted: list[str], start: int = 0) -> tuple[int, int] | None:
    """The first (first, last) indexes at or after ``start`` where ``wanted`` occurs in ``tokens``."""
    size = len(wanted)
    if not size:
        return None
    first = wanted[0]
    for i in range(start, len(tokens) - size + 1):
        if tokens[i] == first and tokens[i:i + size] == wanted:
            return (i, i + size - 1)
    return None


def nearest_passage(tokens: list[str], wanted: list[str]) -> int:
    """The start index of the run of ``len(wanted)`` tokens most like ``wanted`` (earliest on ties)."""
    size = max(1, len(wanted))
    best, best_ratio = 0, -1.0
    wanted_set = set(wanted)
    for i in range(max(1, len(tokens) - size + 1)):
        window = tokens[i:i + size]
        if best_ratio > 0 and not wanted_set.intersection(window):
            continue  # cannot beat a passage that shares a word (ratio 0): skip the diff
        ratio = difflib.SequenceMatcher(None, window, wanted, autojunk=False).ratio()
        if ratio > best_ratio:
            best, best_ratio = i, ratio
    return best


def nearest_window(tokens: list[str], wanted: list[str], slack: int = 2) -> tuple[int, int]:
    """(first, last) of the passage most like ``wanted``, up to ``slack`` words longer or shorter.

    A text that dropped or added words matches a passage of another length best; comparing only
    same-length runs would report a spurious change at the passage's end. The score is the words
    in matching order over the longer length; the words shared in any order bound it from above,
    so only windows whose bound can still win are diffed (exact, and fast on a long transcript).
    Ties go to the length nearest the text's, then to the earliest passage.
    """
    from collections import Counter

    if not tokens or not wanted:
        return (0, max(0, min(len(tokens), len(wanted)) - 1))
    want = Counter(wanted)
    candidates = []  # (-bound, size distance, first, size)
    for size in range(max(1, len(wanted) - slack), len(wanted) + slack + 1):
        if size > len(tokens):
            continue
        window: Counter = Counter()
        shared = 0
        for i, token in enumerate(tokens):
            if window[token] < want.get(token, 0):
                shared += 1
            window[token] += 1
            if i >= size:
                old = tokens[i - size]
                window[old] -= 1
                if window[old] < want.get(old, 0):
                    shared -= 1
            if i >= size - 1:
                candidates.append((-shared / max(size, len(wanted)), abs(size - len(wanted)), i - size + 1, size))
    if not candidates:
        return (0, len(tokens) - 1)
    candidates.sort()
    best_key, best = None, candidates[0]
    for negative_bound, distance, first, size in candidates:
        if best_key is not None and -negative_bound < best_key[0]:
            break
        blocks = difflib.SequenceMatcher(None, tokens[first:first + size], wanted, autojunk=False).get_matching_blocks()
        key = (sum(b.size for b in blocks) / max(size, len(wanted)), -distance, -first)
        if best_key is None or key > best_key:
            best_key, best = key, (negative_bound, distance, first, size)
    return (best[2], best[2] + best[3] - 1)


@dataclass(frozen=True)
class Difference:
    """One way a text departs from the passage it was taken from.

    ``kind`` is ``inserted`` (words the text adds), ``dropped`` (words of the passage the text
    leaves out), ``substituted`` (passage words replaced by others) or ``reordered`` (the same
    words in another order).
    """

    kind: str
    said: tuple[str, ...]  # the passage's words
    written: tuple[str, ...]  # the text's words

    def describe(self) -> str:
        said, written = " ".join(self.said), " ".join(self.written)
        if self.kind == "inserted":
            return f'inserted "{written}"'
        if self.kind == "dropped":
            return f'dropped "{said}"'
        if self.kind == "reordered":
            return f'reordered "{said}" as "{written}"'
        return f'substituted "{written}" for "{said}"'


def differences(said: list[str], written: list[str]) -> list[Difference]:
    """How ``written`` differs from ``said`` (both normalised), in reading order."""
    found: list[Difference] = []
    for tag, a0, a1, b0, b1 in difflib.SequenceMatcher(None, said, written, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        heard, wrote = tuple(said[a0:a1]), tuple(written[b0:b1])
        if tag == "replace" and sorted(heard) == sorted(wrote):
            found.append(Difference("reordered", heard, wrote))
        else:
            found.append(Difference({"insert": "inserted", "delete": "dropped", "replace": "substituted"}[tag],
                                    heard, wrote))
    # A word dropped in one place and inserted in another was moved: say so, as a reader would.
    dropped = [d for d in found if d.kind == "dropped"]
    inserted = [d for d in found if d.kind == "inserted"]
    for drop in dropped:
        for insert in inserted:
            if sorted(drop.said) == sorted(insert.written) and drop in found and insert in found:
                index = found.index(drop)
                found[index] = Difference("reordered", drop.said, insert.written)
                found.remove(insert)
                break
    return found
