"""Scene slots: align each line to the voice's words (the Verbatim Mandate) and tile the timeline.

Derived cuts sit in the middle of the pause between the last word of one scene's line
and the first word of the next (Semantic Slicing refines this with the audio later).
The first scene starts at frame 0 and the last ends where the voice ends.
"""

from __future__ import annotations

from cmfc.diagnostics import Diagnostics, Span
from cmfc.ir import values
from cmfc.ir.models import FrameRange, ProjectSpec, Word
from cmfc.ir.values import SAMPLE_RATE
from cmfc.media.verbatim import differences, find_span, nearest_passage, tokenize
from cmfc.media.words import normalise


samples_to_frames = values.samples_to_frames  # the IR's one conversion (kept here for its callers)


def format_seconds(frames: int, fps: int) -> str:
    """Frames as seconds for messages (``4.208s``)."""
    return f"{frames / fps:.3f}".rstrip("0").rstrip(".") + "s"


def align_lines(spec: ProjectSpec, words: list[Word], positions: dict, diag: Diagnostics, path: str) -> list:
    """For each scene, the (first, last) voice word indexes its line matches, or None."""
    tokens = [normalise(w.text) for w in words]
    matches: list = []
    cursor = 0
    for index, scene in enumerate(spec.scenes):
        if scene.line is None:
            matches.append(None)
            continue
        wanted = tokenize(scene.line)
        span = positions.get(("scenes", index, "line"), Span(path))
        if not wanted:
            diag.error(span, "the line has no words")
            matches.append(None)
            continue
        found = find_span(tokens, wanted, cursor)
        if found is None:
            found_anywhere = find_span(tokens, wanted, 0)
            if found_anywhere is not None:
                diag.error(span, f"scene {scene.id}'s line is spoken before the previous scene's line",
                           hint="list scenes in the order they are spoken")
            else:
                diag.error(span, f"scene {scene.id}'s line is not verbatim in the voice-over",
                           hint=_nearest_passage(words, tokens, wanted))
            matches.append(None)
            continue
        matches.append(found)
        cursor = found[1] + 1
    return matches


def _nearest_passage(words: list[Word], tokens: list[str], wanted: list[str]) -> str:
    if not tokens:
        return "the word timings hold no words"
    size = len(wanted)
    best = nearest_passage(tokens, wanted)
    passage = words[best:best + size]
    said = " ".join(w.text for w in passage)
    differ = [f"voice says \"{' '.join(d.said) or '—'}\", line says \"{' '.join(d.written) or '—'}\""
              for d in differences(tokens[best:best + size], wanted)]
    start = passage[0].start / SAMPLE_RATE if passage else 0.0
    return f"nearest passage at {start:.2f}s: \"{said}\"" + (f" ({'; '.join(differ)})" if differ else "")


def derive_slots(spec: ProjectSpec, matches: list, words: list[Word], duration_frames: int, positions: dict,
                 diag: Diagnostics, path: str, refine=None) -> tuple[list[FrameRange | None], list[str]]:
    """Each scene's slot in frames, and how its head cut was placed.

    Explicit ``at`` slots are taken as written; the rest are derived from line alignment, cut in the
    middle of the pause between lines, then (``refine``) moved by Semantic Slicing and beat snapping.
    A slot that cannot be derived (its line or a neighbour's did not align, already reported) is None.
    """
    fps = spec.format.fps
    scenes = spec.scenes
    explicit = [(s.at.start.to_frames(fps), s.at.end.to_frames(fps)) if s.at else None for s in scenes]
    # Cuts between two scenes whose lines both aligned, in samples: the middle of the pause.
    candidates: dict[int, int] = {}
    for i in range(1, len(scenes)):
        if explicit[i] is None and explicit[i - 1] is None and matches[i] is not None and matches[i - 1] is not None:
            pause_start, pause_end = words[matches[i - 1][1]].end, words[matches[i][0]].start
            candidates[i] = (pause_start + pause_end) // 2 if pause_end >= pause_start else pause_end
    how = {i: "pause" for i in candidates}
    if refine is not None and candidates:
        for i, (samples, method) in refine(candidates).items():
            candidates[i], how[i] = samples, method

    def cut_before(i: int) -> int | None:
        return samples_to_frames(candidates[i], fps) if i in candidates else None

    slots: list[FrameRange | None] = []
    head_cuts: list[str] = []
    for i, scene in enumerate(scenes):
        span = positions.get(("scenes", i), Span(path))
        head_cuts.append("explicit" if explicit[i] is not None else "start" if i == 0 else how.get(i, "explicit"))
        if explicit[i] is not None:
            start, end = explicit[i]
        else:
            if scene.line is None:
                diag.error(span, f"scene {scene.id} has neither a slot (at A..B) nor a line to place it",
                           hint="add a line from the voice-over, or an explicit slot like at 4.2s..9.0s")
                slots.append(None)
                continue
            if matches[i] is None:
                slots.append(None)
                continue
            start = 0 if i == 0 else explicit[i - 1][1] if explicit[i - 1] is not None else cut_before(i)
            if i == len(scenes) - 1:
                end = duration_frames
            else:
                end = explicit[i + 1][0] if explicit[i + 1] is not None else cut_before(i + 1)
            if start is None or end is None:
                slots.append(None)
                continue
        slots.append(FrameRange(start=max(0, start), end=max(0, end)))
    _check_tiling(spec, slots, matches, duration_frames, positions, diag, path)
    return slots, head_cuts


def _check_tiling(spec, slots, matches, duration_frames, positions, diag, path) -> None:
    fps = spec.format.fps
    previous = None
    for i, (scene, slot) in enumerate(zip(spec.scenes, slots)):
        span = positions.get(("scenes", i, "at"), positions.get(("scenes", i), Span(path)))
        if slot is None:
            previous = None  # its neighbours cannot be judged against an unknown slot
            continue
        if slot.end <= slot.start:
            diag.error(span, f"scene {scene.id}'s slot is empty or ends before it starts "
                       f"({format_seconds(slot.start, fps)}..{format_seconds(slot.end, fps)})")
        if slot.end > duration_frames:
            diag.error(span, f"scene {scene.id} runs past the end of the voice-over "
                       f"({format_seconds(slot.end, fps)} > {format_seconds(duration_frames, fps)})",
                       hint="the voice-over is the master clock: end the last scene where it ends")
        if previous is not None:
            prev_scene, prev_slot = previous
            if slot.start < prev_slot.end:
                diag.error(span, f"scene {scene.id} overlaps scene {prev_scene.id} by "
                           f"{format_seconds(prev_slot.end - slot.start, fps)}",
                           hint=f"{prev_scene.id} ends at {format_seconds(prev_slot.end, fps)}")
            elif slot.start > prev_slot.end:
                diag.error(span, f"there is a gap of {format_seconds(slot.start - prev_slot.end, fps)} between "
                           f"scene {prev_scene.id} and scene {scene.id}",
                           hint=f"start {scene.id} at {format_seconds(prev_slot.end, fps)}")
        elif i == 0 and slot.start > 0:
            diag.error(span, f"the first scene starts at {format_seconds(slot.start, fps)}, leaving the opening uncovered",
                       hint="start the first scene at 0s")
        previous = (scene, slot)
    if previous is not None and slots[-1] is not None and previous[1].end < duration_frames \
            and previous[1].end > previous[1].start:
        scene, slot = previous
        index = len(spec.scenes) - 1
        span = positions.get(("scenes", index, "at"), positions.get(("scenes", index), Span(path)))
        diag.error(span, f"the last scene ends at {format_seconds(slot.end, fps)} but the voice-over runs to "
                   f"{format_seconds(duration_frames, fps)}",
                   hint=f"end scene {scene.id} at {format_seconds(duration_frames, fps)}")
