"""The Verbatim Mandate for script blocks (manual Stage 1.2): the speaker's own words, nothing else.

A block is accepted only when its words are one contiguous run of the transcript's words (case,
punctuation and whitespace aside; ``cmfc.media.verbatim`` holds the matching `cmfc check` uses
too). A violation carries the exact difference and the nearest true passage, worded so it can be
sent back to the model and printed to the user. A true span that runs across a pause longer than
the threshold is accepted but flagged: the speaker stopped there, and a cut belongs in it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cmfc.media.verbatim import Difference, differences, find_span, nearest_window, tokenize
from cmfc.narrative.transcript import Transcript

# A pause longer than this inside a block is flagged. The manual's Semantic Slicing (§3.7) looks for a
# safe cut within ±500 ms of a boundary; a silence longer than that window is a break in the speech.
PAUSE_THRESHOLD_S = 0.5


@dataclass(frozen=True)
class Pause:
    """A silence inside a block: between word ``after`` and the next, ``seconds`` long."""

    after: int
    seconds: float


@dataclass
class BlockCheck:
    """The verdict on one block: its word span when verbatim, else what differs and the nearest passage."""

    text: str
    span: tuple[int, int] | None = None
    differences: list[Difference] = field(default_factory=list)
    nearest: tuple[int, int] | None = None
    pauses: list[Pause] = field(default_factory=list)
    empty: bool = False

    @property
    def ok(self) -> bool:
        return self.span is not None

    def explain(self, transcript: Transcript) -> str:
        """One paragraph for the user and the model: what is wrong, and what the speaker actually said."""
        if self.empty:
            return f'block "{self.text}" has no words'
        if self.ok:
            first, last = self.span
            notes = [f"pause of {p.seconds:.2f}s after word {p.after} (\"{transcript.words[p.after].text}\")"
                     for p in self.pauses]
            return f"words {first}..{last}" + (f"; crosses {'; '.join(notes)}" if notes else "")
        first, last = self.nearest
        said = transcript.text(first, last)
        start = transcript.words[first].start
        changes = "; ".join(d.describe() for d in self.differences) or "no passage matches"
        return (f'block "{self.text}" is not verbatim: {changes}. Nearest true passage, words {first}..{last} '
                f'at {start:.2f}s: "{said}"')


def check_block(transcript: Transcript, text: str, pause_threshold: float = PAUSE_THRESHOLD_S,
                tokens: list[str] | None = None, near: tuple[int, int] | None = None) -> BlockCheck:
    """Check one block against the transcript. ``near``: the span the model claimed, preferred when it matches."""
    tokens = tokens if tokens is not None else transcript.tokens()
    wanted = tokenize(text)
    result = BlockCheck(text=text)
    if not wanted:
        result.empty = True
        result.nearest = (0, 0)
        return result
    span = None
    if near is not None:
        first = near[0]
        if 0 <= first and tokens[first:first + len(wanted)] == wanted:
            span = (first, first + len(wanted) - 1)
    span = span or find_span(tokens, wanted)
    if span is None:
        result.nearest = nearest_window(tokens, wanted)
        result.differences = differences(tokens[result.nearest[0]:result.nearest[1] + 1], wanted)
        return result
    result.span = span
    result.pauses = pauses_within(transcript, span, pause_threshold)
    return result


def pauses_within(transcript: Transcript, span: tuple[int, int], threshold: float = PAUSE_THRESHOLD_S) -> list[Pause]:
    """Silences longer than ``threshold`` between consecutive words of ``span``."""
    first, last = span
    words = transcript.words
    return [Pause(after=i, seconds=round(words[i + 1].start - words[i].end, 3))
            for i in range(first, last) if words[i + 1].start - words[i].end > threshold]
