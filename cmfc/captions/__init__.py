"""Captions (manual stage 7): the voice's words in short groups, styled by the 70/30 rule.

``group_words`` cuts the words into groups of 1–4 that never span a scene cut or a pause over 300 ms;
a group holding a keyword (``DEFAULT_KEYWORDS`` plus the brand's) is an accent group. The same groups
feed the uploaded ``.srt``, the ``.ass`` burned in by libass (``ass_document``), and the renderer, which
writes one segment's groups with times shifted to the segment start. See docs/timelines.md.
"""

from __future__ import annotations

import re

from dataclasses import dataclass
from fractions import Fraction
from math import ceil
from typing import Iterable, Sequence

from cmfc.ir.models import Project, Word
from cmfc.ir.values import SAMPLE_RATE, frames_to_samples, round_to_units

__all__ = ["CaptionGroup", "DEFAULT_KEYWORDS", "MAX_WORDS", "MAX_PAUSE_SAMPLES", "group_words",
           "keywords", "srt_document", "ass_document"]

MAX_WORDS = 4
MAX_PAUSE_SAMPLES = SAMPLE_RATE * 300 // 1000  # a longer silence ends the group
BREAK_AFTER = (".", "!", "?", ";", ":", ",", "\u2026")  # punctuation that ends a phrase, so a group

# Words that carry the hook of a short: a group holding one gets the accent style (manual §3.7).
DEFAULT_KEYWORDS = frozenset({
    "money", "cash", "rich", "broke", "debt", "free", "win", "wins", "won", "winning", "lose", "lost", "fail",
    "failed", "never", "death", "dead", "die", "kill", "killed", "secret", "truth", "lie", "lies", "stop", "fear",
    "pain", "power", "million", "billion", "boom", "crash", "suddenly",
})


@dataclass(frozen=True)
class CaptionGroup:
    """Words shown together: samples [start, end) at 48 kHz, the text, their word indexes, style and scene."""

    start_sample: int
    end_sample: int
    text: str
    words: tuple[int, ...]
    accent: bool
    scene_id: str | None


def keywords(project: Project) -> frozenset[str]:
    """The accent keywords: the defaults and the brand's, normalised."""
    from cmfc.media.words import normalise

    return frozenset(DEFAULT_KEYWORDS) | frozenset(normalise(k) for k in project.brand.keywords if normalise(k))


def group_words(project: Project, words: Sequence[Word]) -> list[CaptionGroup]:
    """The caption groups of the voice: 1–4 words, never across a scene cut or a pause over 300 ms."""
    from cmfc.media.words import normalise

    accent_words = keywords(project)
    cuts = _scene_cuts(project)
    groups: list[CaptionGroup] = []
    for run in _runs(project, words, cuts):
        for chunk in _balanced(run, MAX_WORDS):
            scene_id = _scene_of(cuts, words[chunk[0]].start)
            text = " ".join(" ".join(words[i].text.split()) for i in chunk if words[i].text.strip())
            accent = any(normalise(words[i].text) in accent_words for i in chunk)
            groups.append(CaptionGroup(words[chunk[0]].start, words[chunk[-1]].end, text, tuple(chunk), accent,
                                       scene_id))
    return _hold(groups, cuts)


def _scene_cuts(project: Project) -> list[tuple[int, int, str]]:
    """Each scene's slot in samples: (start, end, id), in time order."""
    fps = project.format.fps
    samples = lambda frame: frames_to_samples(frame, fps)  # noqa: E731
    return sorted((samples(s.slot.start), samples(s.slot.end), s.id) for s in project.scenes)


def _scene_of(cuts: list[tuple[int, int, str]], sample: int) -> str | None:
    for start, end, scene_id in cuts:
        if start <= sample < end:
            return scene_id
    return None


def _runs(project: Project, words: Sequence[Word], cuts) -> Iterable[list[int]]:
    """Maximal runs of word indexes with no scene cut, long pause or phrase end inside."""
    order = [i for i in sorted(range(len(words)), key=lambda i: (words[i].start, i)) if words[i].text.strip()]
    run: list[int] = []
    for index in order:
        if run:
            previous = words[run[-1]]
            word = words[index]
            if (word.start - previous.end > MAX_PAUSE_SAMPLES
                    or _scene_of(cuts, word.start) != _scene_of(cuts, previous.start)
                    or previous.text.rstrip().endswith(BREAK_AFTER)):
                yield run
                run = []
        run.append(index)
    if run:
        yield run


def _balanced(run: list[int], size: int) -> list[list[int]]:
    """Split a run into the fewest chunks of at most ``size``, as even as possible (5 → 3+2, not 4+1)."""
    count = ceil(len(run) / size)
    base, extra = divmod(len(run), count)
    chunks, at = [], 0
    for n in range(count):
        width = base + (1 if n < extra else 0)
        chunks.append(run[at:at + width])
        at += width
    return chunks


def _hold(groups: list[CaptionGroup], cuts) -> list[CaptionGroup]:
    """Keep a group on screen until the next one when the gap is short and no cut lies between; clip at cuts."""
    held = []
    for group, following in zip(groups, groups[1:] + [None]):
        end = group.end_sample
        if (following is not None and following.scene_id == group.scene_id
                and 0 <= following.start_sample - end <= MAX_PAUSE_SAMPLES):
            end = following.start_sample
        scene_end = next((e for s, e, sid in cuts if sid == group.scene_id), None)
        if scene_end is not None:
            end = min(end, scene_end)
        if following is not None:
            end = min(end, max(following.start_sample, group.start_sample))
        held.append(CaptionGroup(group.start_sample, max(end, group.start_sample), group.text, group.words,
                                 group.accent, group.scene_id))
    return held


# ---------------------------------------------------------------- SRT

def _units(samples: int, rate: int) -> int:
    return round_to_units(Fraction(samples, SAMPLE_RATE), rate)


def _frame_units(samples: int, rate: int, fps: int) -> int:
    """A time snapped to its frame (the rounding rule), written as ``floor(frame * rate / fps)`` units.

    A player shows a cue on frames whose time t has start <= t < end; with frame-snapped, floored
    times a caption held to a scene cut ends before the cut's first frame, never on it.
    """
    frame = round_to_units(Fraction(samples, SAMPLE_RATE), fps)
    return frame * rate // fps


def _timed(groups: Sequence[CaptionGroup], rate: int, offset: int = 0,
           fps: int | None = None) -> list[tuple[int, int, CaptionGroup]]:
    """Groups with start/end in units of ``1/rate`` s (frame-exact with ``fps``); each lasts at least one unit,
    none overlaps the next.

    Overlapping events would stack: libass pushes the later one a line up for its whole life. Two
    groups on one frame (a 10 ms word, then the next phrase) keep that: the first gets its unit,
    the second starts after it (a frame later on screen).
    """
    timed: list[tuple[int, int, CaptionGroup]] = []
    units = (lambda samples: _frame_units(samples, rate, fps)) if fps else (lambda samples: _units(samples, rate))
    for group in groups:
        start = units(group.start_sample - offset)
        end = units(group.end_sample - offset)
        if timed and timed[-1][1] > start:
            start = max(start, timed[-1][0] + 1)
            timed[-1] = (timed[-1][0], start, timed[-1][2])
        timed.append((start, max(end, start + 1), group))
    return timed


def _srt_time(ms: int) -> str:
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d},{millis:03d}"


def srt_document(groups: Sequence[CaptionGroup], fps: int | None = None) -> str:
    """SubRip text: one numbered cue per group, times in milliseconds (frame-exact when ``fps`` is given)."""
    blocks = []
    for number, (start, end, group) in enumerate(_timed(groups, 1000, fps=fps), 1):
        text = "\n".join(srt_escape(line) for line in group.text.splitlines() if line.strip()) or " "
        blocks.append(f"{number}\n{_srt_time(start)} --> {_srt_time(end)}\n{text}\n")
    return "\n".join(blocks)


_SRT_MARKUP = re.compile(r"(<)(?=/?[A-Za-z])|(\{)(?=\\)")


def srt_escape(text: str) -> str:
    """User text safe in SubRip: players read ``<b>``/``<font …>`` and ``{\\an8}`` as markup, so a word
    joiner (U+2060, invisible) goes after a ``<`` that starts a tag and a ``{`` that starts an override."""
    return _SRT_MARKUP.sub(lambda match: (match.group(1) or match.group(2)) + "\u2060", text)


# ---------------------------------------------------------------- ASS

def _ass_time(cs: int) -> str:
    hours, rest = divmod(cs, 360_000)
    minutes, rest = divmod(rest, 6000)
    seconds, centis = divmod(rest, 100)
    return f"{hours:d}:{minutes:02d}:{seconds:02d}.{centis:02d}"


def ass_escape(text: str) -> str:
    """User text as literal ASS dialogue: braces escaped, backslashes kept from forming tags, one line."""
    out = []
    for char in " ".join(text.split()):
        if char in "{}":
            out.append("\\" + char)
        elif char == "\\":
            # a word joiner after it, so ``\N``, ``\h`` or ``\{`` can no longer form
            out.append("\\\u2060")
        else:
            out.append(char)
    return "".join(out)


def _ass_colour(rgb: tuple[int, int, int], alpha: int = 0) -> str:
    red, green, blue = rgb
    return f"&H{alpha:02X}{blue:02X}{green:02X}{red:02X}"


# Captions sit in the lower band (bottom edge at 72 % of the height, above the platforms' UI). A scene whose
# kinetic text is a lower third would be covered there: its captions hang from the same margin at the top.
RAISED = r"{\an8}"
LOWER_TEXT_PLACEMENTS = frozenset({"lower_third"})
CAPTION_EDGE = 0.28  # the captions' MarginV, as a fraction of the height (from the bottom; from the top raised)
CAPTION_BAND = 0.15  # two lines of the accent style, with spacing


def caption_band(raised: bool) -> tuple[float, float]:
    """The band of the frame a scene's captions may cover, as fractions of the height (top, bottom)."""
    if raised:
        return CAPTION_EDGE, CAPTION_EDGE + CAPTION_BAND
    return 1 - CAPTION_EDGE - CAPTION_BAND, 1 - CAPTION_EDGE


def _scenes_with_lower_text(project: Project) -> frozenset[str]:
    """Scenes whose kinetic text sits where the captions do."""
    return frozenset(scene.id for scene in project.scenes
                     if scene.text is not None and scene.text.placement in LOWER_TEXT_PLACEMENTS)


POP = r"{\fscx70\fscy70\t(0,90,\fscx112\fscy112)\t(90,180,\fscx100\fscy100)}"  # the accent's kinetic pop


def _styles(project: Project, font_family: str) -> list[str]:
    height = project.format.height
    base_size = max(8, round(height * 0.05))
    accent_size = max(9, round(base_size * 1.25))
    outline = max(1, round(height / 480))
    margin_v = round(height * CAPTION_EDGE)
    margin_h = round(project.format.width * 0.08)
    base = _ass_colour(project.brand.base.rgb)
    accent = _ass_colour(project.brand.highlight.rgb)
    black, shadow = _ass_colour((0, 0, 0)), _ass_colour((0, 0, 0), 0x80)
    font = font_family.replace(",", " ")
    line = "Style: {name},{font},{size},{colour},{colour},{black},{shadow},-1,0,0,0,100,100,0,0,1,{outline},0,2," \
           "{mh},{mh},{mv},1"
    return [line.format(name="Base", font=font, size=base_size, colour=base, black=black, shadow=shadow,
                        outline=outline, mh=margin_h, mv=margin_v),
            line.format(name="Accent", font=font, size=accent_size, colour=accent, black=black, shadow=shadow,
                        outline=outline + 1, mh=margin_h, mv=margin_v)]


def ass_document(project: Project, groups: Sequence[CaptionGroup], font_family: str, offset_samples: int = 0,
                 only: Iterable[int] | None = None) -> str:
    """The ASS script: Base and Accent styles at the project's size, one Dialogue per group.

    ``offset_samples`` is subtracted from every time (a segment's start); ``only`` keeps the groups at those
    indexes of ``groups`` (the ones a segment shows). Groups starting before the offset start at 0.
    """
    keep = set(only) if only is not None else None
    chosen = [g for i, g in enumerate(groups) if keep is None or i in keep]
    clipped = [CaptionGroup(max(g.start_sample, offset_samples), max(g.end_sample, offset_samples), g.text, g.words,
                            g.accent, g.scene_id) for g in chosen if g.end_sample > offset_samples]
    lines = [
        "[Script Info]",
        "; cmfc captions",
        "ScriptType: v4.00+",
        f"PlayResX: {project.format.width}",
        f"PlayResY: {project.format.height}",
        "WrapStyle: 0",
        "ScaledBorderAndShadow: yes",
        "YCbCr Matrix: TV.709",
        "",
        "[V4+ Styles]",
        "Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, "
        "Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, "
        "MarginR, MarginV, Encoding",
        *_styles(project, font_family),
        "",
        "[Events]",
        "Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text",
    ]
    raised = _scenes_with_lower_text(project)
    for start, end, group in _timed(clipped, 100, offset_samples, fps=project.format.fps):
        style = "Accent" if group.accent else "Base"
        place = RAISED if group.scene_id in raised else ""
        text = place + (POP if group.accent else "") + ass_escape(group.text)
        layer = 1 if group.accent else 0
        lines.append(f"Dialogue: {layer},{_ass_time(start)},{_ass_time(end)},{style},,0,0,0,,{text}")
    return "\n".join(lines) + "\n"
