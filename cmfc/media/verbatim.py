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
    same-length runs would report a spurious change at the passage's end.
    """
    best, best_ratio = (0, min(len(tokens), len(wanted)) - 1), -1.0
    wanted_set = set(wanted)
    for size in sorted(range(max(1, len(wanted) - slack), len(wanted) + slack + 1), key=lambda n: abs(n - len(wanted))):
        for i in range(max(1, len(tokens) - size + 1)):
            window = tokens[i:i + size]
            if not wanted_set.intersection(window) and best_ratio >= 0:
                continue
            blocks = difflib.SequenceMatcher(None, window, wanted, autojunk=False).get_matching_blocks()
            ratio = sum(b.size for b in blocks) / max(len(window), len(wanted))  # extra length costs like a change
            if ratio > best_ratio:
                best, best_ratio = (i, min(len(tokens), i + size) - 1), ratio
    return best


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
