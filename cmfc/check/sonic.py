"""Sonic resolution: Semantic Slicing of derived cuts, beat-locked cuts, auto SFX, tempo checks.

Audio analysis is slow to compute and quick to reuse, so results are cached under the
project's ``.cmfc/analysis/`` keyed by the audio file's content digest (an edit to the
audio recomputes; nothing else does). Each record is sealed (``cmfc/sealed.py``): a damaged,
partial or hand-edited one is reported in one line and computed again, never used.
numpy/librosa load only when audio is analysed.
"""

from __future__ import annotations

import os
from fractions import Fraction
from pathlib import Path

from cmfc.diagnostics import Diagnostics, Span
from cmfc.fsutil import sha256_file
from cmfc.ir.models import MusicFacts, ProjectSpec, Word
from cmfc.ir.values import SAMPLE_RATE, frames_to_samples
from cmfc.sealed import read_sealed, write_sealed

CACHE_DIR = ".cmfc/analysis"
SLICING_VERSION = "1"
MUSIC_VERSION = "1"


def _cache_file(root: Path, kind: str, digest: str) -> Path:
    """Analysis results by content digest: in the project, or in $CMFC_ANALYSIS_CACHE when set (shared)."""
    shared = os.environ.get("CMFC_ANALYSIS_CACHE")
    folder = Path(shared) if shared else root / CACHE_DIR
    return folder / f"{kind}-{digest[:32]}.json"


def _check_cuts(data: dict) -> None:
    """The shape a voice record must have to be used (any exception: damaged)."""
    if not all(isinstance(k, str) and isinstance(v, int) and not isinstance(v, bool) for k, v in data["cuts"].items()):
        raise ValueError("a cut that is not a whole number of samples")


def _check_music(data: dict) -> None:
    """The shape a music record must have to be used: what the IR and the mix's surgery read."""
    analysis = data["analysis"]
    music_facts(analysis)
    for name in ("duration", "tempo"):
        float(analysis[name])
    for name in ("beats", "downbeats", "onsets", "energy"):
        if not all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in analysis[name]):
            raise ValueError(f"{name} holds something other than numbers")


def slice_cuts(root: Path, voice_file: Path, cuts: list[int]) -> list[int]:
    """Each candidate cut (samples at 48 kHz) moved to the quietest point within ±500 ms, on a zero crossing."""
    if not cuts:
        return []
    digest = sha256_file(voice_file)
    cache_path = _cache_file(root, "voice", digest)
    cache = read_sealed(cache_path, "voice-cuts", _check_cuts) or {}
    known = dict(cache["cuts"]) if cache.get("version") == SLICING_VERSION and cache.get("input") == digest else {}
    missing = [c for c in cuts if str(c) not in known]
    if missing:
        from cmfc.sonic.audio_io import load_audio
        from cmfc.sonic.slicing import safe_cut, voice_activity

        samples, sr = load_audio(voice_file, sr=SAMPLE_RATE, mono=True)
        activity = voice_activity(samples, sr)
        for cut in missing:
            refined = safe_cut(samples, sr, cut / SAMPLE_RATE, activity=activity)
            known[str(cut)] = int(round(refined * SAMPLE_RATE))
        write_sealed(cache_path, "voice-cuts", {"version": SLICING_VERSION, "input": digest, "cuts": known})
    return [int(known[str(c)]) for c in cuts]


def music_analysis(root: Path, music_file: Path) -> dict:
    """The full analysis of the music as JSON data (cached by content): what the mix's surgery reads."""
    digest = sha256_file(music_file)
    cache_path = _cache_file(root, "music", digest)
    cache = read_sealed(cache_path, "music-analysis", _check_music) or {}
    if cache.get("version") != MUSIC_VERSION or cache.get("input") != digest:
        from cmfc.sonic.analysis import analyze_music
        from cmfc.sonic.audio_io import load_audio

        samples, sr = load_audio(music_file, sr=22_050, mono=True)
        analysis = analyze_music(samples, sr).to_json_dict()
        cache = {"version": MUSIC_VERSION, "input": digest, "analysis": analysis}
        write_sealed(cache_path, "music-analysis", cache)
    return cache["analysis"]


def music_facts(analysis: dict) -> MusicFacts:
    """Tempo, beats, downbeats, onsets and sections: the part of the analysis the IR shows."""
    return MusicFacts(tempo=round(float(analysis["tempo"]), 2), beats=tuple(analysis["beats"]),
                      downbeats=tuple(analysis["downbeats"]), onsets=tuple(analysis["onsets"]),
                      sections=tuple({k: s[k] for k in ("start", "end", "label", "energy")}
                                     for s in analysis["sections"]))


def snap_to_music(cuts: list[int], facts: MusicFacts, mode: str, tolerance_s: Fraction, words: list[Word]) -> list:
    """(new cut in samples or None, reason when it could not move) for each cut."""
    from cmfc.sonic.slicing import snap_cuts

    grid = facts.beats if mode == "beats" else facts.onsets
    spans = [{"start": w.start / SAMPLE_RATE, "end": w.end / SAMPLE_RATE, "word": w.text} for w in words]
    results = snap_cuts([c / SAMPLE_RATE for c in cuts], grid, spans, float(tolerance_s))
    out = []
    for cut, result in zip(cuts, results):
        if result.ok:
            out.append((int(round(result.snapped * SAMPLE_RATE)), None))
        else:
            out.append((None, result.reason))
    return out


def check_arc_tempo(spec: ProjectSpec, frameworks, facts: MusicFacts, positions: dict, diag: Diagnostics,
                    path: str) -> None:
    """Warn when the track's tempo is outside the arc's BPM range."""
    from cmfc.sonic.arcs import check_tempo

    arc = frameworks.arcs.get(spec.music.arc) if spec.music and spec.music.arc else None
    if arc is None:
        return
    warning = check_tempo(arc.bpm, facts.tempo)
    if warning:
        diag.warning(positions.get(("music", "arc"), Span(path)), warning)


def auto_sfx(spec: ProjectSpec, words: list[Word], matches: list, library_folder: Path, root: Path,
             frameworks=None, slots=None) -> list[dict]:
    """SFX placed automatically (``sfx_auto``), as AutoSfx data: on trigger words inside scenes' lines, and
    where the sonic arc wants them — risers ending on the head of its ``risers.before`` families, impacts
    on the head of its ``impacts.on`` families (from the library's ``riser`` and ``hit``/``impact`` tags)."""
    from cmfc.sonic.librarian import auto_cues, index_library

    index = index_library(library_folder, root / CACHE_DIR / "sfx_index.json")
    keyword_map = {t.word: t.sfx for t in spec.sfx_triggers}
    spans = [{"word": w.text, "start": w.start / SAMPLE_RATE, "end": w.end / SAMPLE_RATE} for w in words]
    placed = []
    for cue in auto_cues(spans, keyword_map, index):
        scene = next((s for s, m in zip(spec.scenes, matches) if m and m[0] <= cue.word_index <= m[1]), None)
        if scene is not None:
            placed.append({"scene": scene.id, "word": cue.word_index, "start": words[cue.word_index].start,
                           "sfx": cue.sfx, "keyword": cue.keyword})
    arc = frameworks.arcs.get(spec.music.arc) if frameworks and spec.music and spec.music.arc else None
    if arc is not None and slots:
        placed += _arc_sfx(spec, arc, frameworks, slots, index)
    return sorted(placed, key=lambda p: (p["start"], p["sfx"]))


def _arc_sfx(spec: ProjectSpec, arc, frameworks, slots, index) -> list[dict]:
    riser = index.pick("riser") or index.pick("risers")
    impact = index.pick("impact") or index.pick("hit") or index.pick("hits")
    fps = spec.format.fps
    placed = []
    for scene, slot in zip(spec.scenes, slots):
        if slot is None or slot.start == 0:
            continue
        family = frameworks.templates[scene.template].family
        head = frames_to_samples(slot.start, fps)
        if riser is not None and family in arc.risers.before:
            length = int(round(min(riser.duration_s, arc.risers.length_s) * SAMPLE_RATE))
            placed.append({"scene": scene.id, "start": max(0, head - length), "sfx": riser.name, "keyword": "arc:riser"})
        if impact is not None and family in arc.impacts.on:
            placed.append({"scene": scene.id, "start": head, "sfx": impact.name, "keyword": "arc:impact"})
    return placed
