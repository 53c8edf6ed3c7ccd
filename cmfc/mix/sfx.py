"""SFX cues (stage 6): the SFX the IR places (``Project.sfx_starts``, resolved once), laid on a stereo track.

Where each starts (``on "success"``: with that word as the voice says it; ``at 1.2s``: from the scene's
start) is decided in resolution (cmfc/check/facts.py), so the mix and the timelines agree. The caller
hands the library as ``{name: file}`` (``cmfc.check.assets.sfx_names``).
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Mapping, Sequence

from cmfc.diagnostics import CmfError, Diagnostic, Span, suggest
from cmfc.ir.models import Project
from cmfc.ir.values import SAMPLE_RATE
from cmfc.mix.request import Cue

if TYPE_CHECKING:  # numpy loads where a track is made: planning resolves cues without it
    import numpy as np

FADE_S = 0.010
# Library tags that make a cue an impact (the music's bass dips under it).
_IMPACT_WORDS = ("impact", "boom", "hit", "slam", "crash", "punch", "thud", "drop", "sub", "braam")
IMPACT_TAGS = frozenset(_IMPACT_WORDS + tuple(word + "s" for word in _IMPACT_WORDS))


def resolve_cues(project: Project, sfx_files: Mapping[str, Path]) -> list[Cue]:
    """Every SFX the IR places (``Project.sfx_starts``, resolved once) as a Cue: its start sample and file, in time order."""
    cues = [_cue(start.name, start.sample, float(start.gain.db), sfx_files, project) for start in project.sfx_starts]
    return sorted(cues, key=lambda c: (c.start, c.path, c.gain_db))


def is_impact(path: str | Path) -> bool:
    """True when the file's folder or name says it is a hit (``impacts/…``, ``impact_boom_04``)."""
    from cmfc.sonic.librarian import tags_for

    relative = PurePosixPath(Path(path).parent.name, Path(path).name)
    return bool(IMPACT_TAGS.intersection(tags_for(relative)))


def sfx_track(cues: Sequence[Cue], n: int) -> np.ndarray:
    """A stereo track of ``n`` samples holding every cue at its start, gain applied, 10 ms fades at both ends."""
    import numpy as np

    from cmfc.sonic.audio_io import load_audio

    track = np.zeros((n, 2), dtype=np.float32)
    loaded: dict[str, np.ndarray] = {}
    for cue in cues:
        if cue.path not in loaded:
            samples, _ = load_audio(cue.path, sr=SAMPLE_RATE)
            loaded[cue.path] = _stereo(samples)
        start = max(cue.start, 0)
        sound = loaded[cue.path][start - cue.start:][: n - start]
        if len(sound):
            track[start:start + len(sound)] += fade_ends(sound) * np.float32(10 ** (cue.gain_db / 20))
    return track


def fade_ends(sound: np.ndarray, fade_s: float = FADE_S) -> np.ndarray:
    """A copy with a raised-sine fade-in and fade-out of ``fade_s`` (a cut never clicks)."""
    import numpy as np

    count = min(int(round(fade_s * SAMPLE_RATE)), len(sound) // 2)
    out = np.array(sound, dtype=np.float32, copy=True)
    if count:
        ramp = (np.sin(np.linspace(0.0, np.pi / 2, count, endpoint=False)) ** 2).astype(np.float32)
        shape = (count,) + (1,) * (out.ndim - 1)
        out[:count] *= ramp.reshape(shape)
        out[len(out) - count:] *= ramp[::-1].reshape(shape)
    return out


def _cue(name: str, start: int, gain_db: float, sfx_files: Mapping[str, Path], project: Project) -> Cue:
    if name not in sfx_files:
        raise CmfError([Diagnostic(Span(project.sfx_library or project.id),
                                   f"no sound effect named {name} in the sfx library", hint=suggest(name, sfx_files))])
    path = sfx_files[name]
    return Cue(start=int(start), path=str(path), gain_db=gain_db, impact=is_impact(path))


def _stereo(samples: np.ndarray) -> np.ndarray:
    import numpy as np

    samples = np.asarray(samples, dtype=np.float32)
    if samples.ndim == 1:
        return np.stack([samples, samples], axis=1)
    return np.repeat(samples, 2, axis=1) if samples.shape[1] == 1 else samples[:, :2]
