"""A Director's per-scene notes in plain words, read into spec edits.

``read_note(scene, note)`` turns one note into a ``Note``: ``extend 0.5s`` / ``trim 0.3s`` (the scene's
slot made longer or shorter at its end, written as an explicit ``at A..B`` on the scene's header),
``swap with SC_04`` (the two scenes trade pictures: every statement but the
``line``, since the voice is the clock and each slot keeps its words), ``mute music`` (read, then
refused: the spec has no per-scene music mute yet), and every note ``cmfc.edit.parse_note`` reads
(``text "…"``, ``no grain``, ``pick v02``, ``takes 4``, ``fit loop``, ``+ fx grain``). A note it cannot read
raises ``EditError`` with a sentence saying what it can read.

``note_result(SPEC, scene, note)`` applies the note to the spec's text and checks the result (nothing
written): the diff to show before applying. ``apply_note(SPEC, scene, note, expected)`` writes it,
atomically and re-checked, refusing a stale view (``StaleEdit``) as ``cmfc.edit.edit_spec`` does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

from cmfc.edit import Edit, EditError

NOTE_FORMS = ('extend 0.5s', 'trim 0.3s', 'swap with SC_04', 'text "…"', 'no grain', 'pick v02', 'takes 4',
              'fit loop')
_TIME = re.compile(r"(\d+(?:\.\d+)?)(s|ms|f)\Z")
_SCENE_ID = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")


@dataclass(frozen=True)
class Note:
    """One note, read: statement edits, or a retime (``delta`` seconds at the scene's end), or a swap."""

    scene: str
    text: str
    edits: tuple[Edit, ...] = ()
    delta: Fraction | None = None  # extend (+) / trim (-)
    swap_with: str | None = None

    def describe(self) -> str:
        if self.delta is not None:
            size = f"{abs(self.delta)}f" if isinstance(self.delta, _FramesDelta) else _seconds(abs(self.delta))
            return f"{self.scene}: slot {'+' if self.delta > 0 else '-'}{size} at its end"
        if self.swap_with is not None:
            return f"{self.scene}: swapped with {self.swap_with}"
        return "; ".join(edit.describe() for edit in self.edits)


def _amount(word: str, what: str) -> Fraction:
    """Seconds, or a ``_FramesDelta`` for a time in frames (resolved against the fps later)."""
    match = _TIME.match(word)
    if not match:
        raise EditError(f"{what} by how much? write a time like {what} 0.5s (or 300ms, 12f); got {word!r}")
    value = Fraction(match.group(1))
    if value <= 0:
        raise EditError(f"{what} needs a time above zero, like {what} 0.5s")
    unit = match.group(2)
    if unit == "f":
        return _FramesDelta(value)
    return value / 1000 if unit == "ms" else value


def read_note(scene: str, note: str) -> Note:
    """``note`` about ``scene`` as a ``Note``; ``EditError`` with a clear sentence when it cannot be read."""
    from cmfc.edit import parse_note

    text = note.strip()
    words = text.split()
    if not words:
        raise EditError("the note is empty; notes: " + ", ".join(NOTE_FORMS))
    head = words[0].lower()
    if head in ("extend", "trim"):
        if len(words) != 2:
            raise EditError(f"{head} takes one time, like {head} 0.5s")
        amount = _amount(words[1], head)
        if isinstance(amount, _FramesDelta):
            return Note(scene, text, delta=_FramesDelta(amount if head == "extend" else -amount))
        return Note(scene, text, delta=amount if head == "extend" else -amount)
    if head == "swap":
        if len(words) != 3 or words[1].lower() != "with" or not _SCENE_ID.match(words[2]):
            raise EditError("swap with which scene? write it like: swap with SC_04")
        if words[2] == scene:
            raise EditError(f"{scene} cannot swap with itself")
        return Note(scene, text, swap_with=words[2])
    if head == "mute" and len(words) == 2 and words[1].lower() == "music":
        raise EditError("mute music: the spec has no way to mute the music under one scene yet; "
                        "to drop the music for the whole film remove the project's music block")
    try:
        return Note(scene, text, edits=tuple(parse_note(scene, text)))
    except EditError as error:
        raise EditError(f"{error} (notes: {', '.join(NOTE_FORMS)})") from None


class _FramesDelta(Fraction):
    """A retime given in frames (``extend 12f``); sign: + extend, - trim."""


def _seconds(value: Fraction) -> str:
    text = f"{float(value):.3f}".rstrip("0").rstrip(".")
    return f"{text}s"


def apply_note_text(text: str, path: str, note: Note, compiled) -> str:
    """``text`` with ``note`` applied (unchecked); ``compiled`` is the spec as it checks now (for slots)."""
    from cmfc.edit import apply_text_edits

    scene_ids = [s.id for s in compiled.project.scenes]
    if note.scene not in scene_ids:
        raise EditError(f"there is no scene {note.scene}; scenes: {', '.join(scene_ids)}")
    if note.edits:
        return apply_text_edits(text, path, list(note.edits))
    if not path.lower().endswith(".cmf"):
        raise EditError("timing notes (extend, trim, swap) edit a .cmf script; this spec is a blueprint")
    if note.swap_with is not None:
        if note.swap_with not in scene_ids:
            raise EditError(f"swap with {note.swap_with}: there is no such scene; scenes: {', '.join(scene_ids)}")
        return _swap_blocks(text, note.scene, note.swap_with)
    fps = compiled.project.format.fps
    scene = next(s for s in compiled.project.scenes if s.id == note.scene)
    delta = note.delta
    if isinstance(delta, _FramesDelta):
        delta = Fraction(delta) / fps
    start = Fraction(scene.slot.start) / fps
    end = Fraction(scene.slot.end) / fps + delta
    if end <= start:
        raise EditError(f"{note.text}: {note.scene} is {_seconds(Fraction(scene.slot.end - scene.slot.start, fps))} "
                        "long; trimming that much leaves nothing")
    return _set_header_slot(text, note.scene, f"{_seconds(start)}..{_seconds(end)}")


_HEADER = re.compile(r"^(?P<indent>[ \t]*)scene[ \t]+(?P<id>[A-Za-z][A-Za-z0-9_]*)(?P<rest>[^\r\n]*)$", re.M)
_AT = re.compile(r"[ \t]+at[ \t]+\S+")


def _header(text: str, scene: str) -> re.Match:
    for match in _HEADER.finditer(text):
        if match.group("id") == scene:
            return match
    raise EditError(f"there is no scene {scene} in the script")


def _set_header_slot(text: str, scene: str, slot: str) -> str:
    match = _header(text, scene)
    rest = match.group("rest")
    comment = ""
    hash_at = rest.find("#")
    if hash_at >= 0:
        rest, comment = rest[:hash_at], rest[hash_at:]
    trailing = rest[len(rest.rstrip()):]
    body = _AT.sub("", rest.rstrip())
    line = f"{match.group('indent')}scene {scene}{body} at {slot}{trailing or (' ' if comment else '')}{comment}"
    return text[:match.start()] + line + text[match.end():]


def _block_span(text: str, scene: str) -> tuple[int, int]:
    """Offsets of the scene's block: its header line up to the next top-level line that is not blank/comment."""
    match = _header(text, scene)
    start = match.start()
    pos = text.find("\n", match.end())
    end = len(text) if pos < 0 else pos + 1
    last_content = end
    while end < len(text):
        nl = text.find("\n", end)
        line_end = len(text) if nl < 0 else nl + 1
        line = text[end:line_end]
        stripped = line.strip()
        if stripped and not line[0].isspace() and not stripped.startswith("#"):
            break
        if stripped:
            last_content = line_end
        end = line_end
    return start, last_content


def _swap_blocks(text: str, first: str, second: str) -> str:
    """The two scenes trade their pictures: every statement but ``line`` (the voice is the clock, so each
    slot keeps its words and its header), comments included."""
    a = _block_span(text, first)
    b = _block_span(text, second)
    if a > b:
        a, b = b, a
    block_a, block_b = text[a[0]:a[1]], text[b[0]:b[1]]
    new_a, new_b = _trade(block_a, block_b), _trade(block_b, block_a)
    return text[:a[0]] + new_a + text[a[1]:b[0]] + new_b + text[b[1]:]


def _trade(mine: str, theirs: str) -> str:
    """``mine``'s header and ``line`` statement with ``theirs``'s other statements."""
    own = mine.splitlines(keepends=True)
    other = theirs.splitlines(keepends=True)
    is_line = re.compile(r"[ \t]+line[ \t]")
    own_lines = [l for l in own[1:] if is_line.match(l)]
    body, placed = [], False
    for line in other[1:]:
        if is_line.match(line):
            if not placed:
                body.extend(own_lines)
                placed = True
            continue
        body.append(line)
    if not placed:
        body[:0] = own_lines
    return own[0] + "".join(body)


def note_result(argument: str, scene: str, note: str):
    """The checked result of applying ``note`` (nothing written): ``EditResult`` with ``.diff()``."""
    from cmfc.project import locate

    location = locate(argument)
    raw = location.spec.read_bytes()
    return _result(location, raw, read_note(scene, note))


def _result(location, raw: bytes, note: Note):
    """The checked edit of ``raw`` by ``note`` (the spec must check before, for the slots a retime reads)."""
    from cmfc.diagnostics import CmfError
    from cmfc.edit import EditRefused, EditResult, check_text, digest

    before = raw.decode("utf-8")
    try:
        current = check_text(before, location)
    except CmfError as error:
        raise EditRefused(error.diagnostics, before, location.display) from None
    after = apply_note_text(before, location.display, note, current)
    try:
        compiled = check_text(after, location)
    except CmfError as error:
        raise EditRefused(error.diagnostics, after, location.display) from None
    return EditResult(location, before, after, digest(after.encode("utf-8")), compiled)


def apply_note(argument: str, scene: str, note: str, expected: str | None = None):
    """Apply ``note`` to the spec: checked, atomic, refused when the file changed since ``expected``."""
    # cmfc.edit's own lock and atomic replace, so a note and a pick/set never interleave on the file.
    from cmfc.edit import StaleEdit, _locked, _replace, digest
    from cmfc.project import locate

    parsed = read_note(scene, note)
    location = locate(argument)
    with _locked(location.spec) as raw:
        if expected is not None and digest(raw) != expected:
            raise StaleEdit(f"{location.display} changed since it was read (someone else edited it); "
                            "reload it and make the edit again")
        result = _result(location, raw, parsed)
        if result.changed:
            _replace(location.spec, result.after.encode("utf-8"))
    return result
