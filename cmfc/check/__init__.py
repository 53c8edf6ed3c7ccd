"""Semantic checks and resolution: a ProjectSpec plus its files becomes the Project IR.

Every independent problem is collected and reported in one run; resolution stops only
where a later check would be meaningless (no voice → no slots).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cmfc.diagnostics import CmfError, Diagnostics, Span
from cmfc.ir.models import AutoSfx, Project, ProjectSpec, Scene, Word
from cmfc.project import SpecLocation


@dataclass
class Compiled:
    """The result of loading a spec: the IR, the voice words, and any warnings."""

    project: Project
    words: list[Word]
    location: SpecLocation
    warnings: list
    frameworks: object = None
    music_analysis: dict | None = None  # the music's full analysis (beats, sections, energy) for the mix
    # True when the music is analysed but that was left to the build (the ``sonic:music_analysis``
    # action): the IR then has no ``music_facts``, and the plan supplies them.
    music_deferred: bool = False


def resolve(spec: ProjectSpec, positions: dict, location: SpecLocation, frameworks,
            defer_music: bool = False) -> Compiled:
    """Check ``spec`` against its files and the frameworks; return the IR or raise CmfError with every problem.

    ``defer_music``: unless a cut snaps to the music, leave its analysis (seconds: librosa) to the build,
    which runs it beside the first renders; the arc's tempo warning is then ``cmfc check``'s alone.
    """
    from cmfc.check.assets import check_assets, sfx_names
    from cmfc.check.facts import font_family, scene_facts, sfx_starts
    from cmfc.check.references import check_duplicates, check_names
    from cmfc.check.slots import align_lines, derive_slots, samples_to_frames
    from cmfc.lower.templates import template_defaults
    from cmfc.media.probe import audio_samples
    from cmfc.media.words import read_marked_words

    path = location.display
    diag = Diagnostics()
    check_duplicates(spec, positions, diag, path)
    files = check_assets(spec, location.root, positions, diag, path)
    from cmfc.media.natron_template import TEMPLATE_PATH, check_template

    check_template(location.root, any(s.text is not None and s.text.content.strip() for s in spec.scenes), diag)
    from cmfc.check.references import NO_LIBRARY

    library_files = sfx_names(files[("sfx_library",)]) if ("sfx_library",) in files else {}
    if ("sfx_library",) in files:
        library_names = set(library_files)
    else:
        library_names = NO_LIBRARY if spec.sfx_library is None else None
    check_names(spec, frameworks, library_names, positions, diag, path)

    voice_samples = 0
    voice_file = files.get(("voice", "path"))
    if voice_file is not None:
        try:
            voice_samples = audio_samples(voice_file)
        except Exception as error:  # a corrupt header is the user's file problem, not our bug
            diag.error(positions.get(("voice", "path"), Span(path)), f"{spec.voice.path}: cannot read this audio file ({error})")
            voice_file = None
    words: list[Word] = []
    interpolated: set[int] = set()
    words_file = files.get(("voice", "words"))
    if words_file is not None:
        try:
            words, interpolated = read_marked_words(words_file, f"{location.relative(words_file)}")
        except CmfError as error:
            diag.extend(error.diagnostics)
    elif spec.voice.words is None and any(s.line and not s.at for s in spec.scenes):
        diag.error(positions.get(("voice",), Span(path)), "scenes place themselves by their line, but the voice has no word timings",
                   hint='add words "audio/voice.words.json" under voice')

    duration_frames = samples_to_frames(voice_samples, spec.format.fps)
    matches = align_lines(spec, words, positions, diag, path) if words else [None] * len(spec.scenes)
    if interpolated:
        _warn_interpolated(spec, words, matches, interpolated, positions, diag, path)
    facts = analysis = None
    music_file = files.get(("music", "path"))
    deferred = music_file is not None and _wants_music_facts(spec) and defer_music and not _snapping(spec)
    if music_file is not None and _wants_music_facts(spec) and not deferred:
        from cmfc.check.sonic import check_arc_tempo, music_analysis, music_facts

        analysis = music_analysis(location.root, music_file)
        facts = music_facts(analysis)
        check_arc_tempo(spec, frameworks, facts, positions, diag, path)
    slots = head_cuts = None
    if voice_file is not None and (words or all(s.at for s in spec.scenes)):
        refine = _refiner(spec, location.root, voice_file, facts, words, positions, diag, path)
        slots, head_cuts = derive_slots(spec, matches, words, duration_frames, positions, diag, path, refine)
    placed = []
    if spec.sfx_auto and ("sfx_library",) in files and words:
        from cmfc.check.sonic import auto_sfx

        placed = auto_sfx(spec, words, matches, files[("sfx_library",)], location.root, frameworks, slots)
    diag.raise_if_errors()

    scenes = []
    for i, scene in enumerate(spec.scenes):
        data, inherited = template_defaults(scene, frameworks.templates[scene.template], frameworks.effects)
        data["fx"] = [_canonical_use(use, frameworks.effects) for use in data["fx"]]
        data["afx"] = [_canonical_use(use, frameworks.audio_effects) for use in data["afx"]]
        data.update(slot=slots[i].model_dump() if slots and slots[i] else {"start": 0, "end": 0},
                    head_cut=head_cuts[i] if head_cuts else "explicit",
                    words=list(matches[i]) if matches[i] is not None else None, inherited=list(inherited))
        scene = Scene.model_validate(data)
        scenes.append(scene.model_copy(update=scene_facts(spec.id, scene, frameworks, spec.format.fps)))
    root = location.root.resolve()
    library = {name: file.resolve().relative_to(root).as_posix() for name, file in library_files.items()}
    starts = sfx_starts(scenes, [AutoSfx.model_validate(p) for p in placed], words, spec.format.fps, library)
    project_data = spec.model_dump(exclude={"scenes"})
    project = Project.model_validate({**project_data, "scenes": [s.model_dump() for s in scenes],
                                      "duration_frames": duration_frames, "duration_samples": voice_samples,
                                      "music_facts": facts.model_dump() if facts else None, "auto_sfx": placed,
                                      "font_family": font_family(location.root, spec.brand.font),
                                      "sfx_starts": starts,
                                      "natron_master": TEMPLATE_PATH if (location.root / TEMPLATE_PATH).is_file() else None})
    return Compiled(project=project, words=words, location=location,
                    warnings=[d for d in diag.items if d.severity != "error"], frameworks=frameworks,
                    music_analysis=analysis, music_deferred=deferred)


def _warn_interpolated(spec, words, matches, interpolated, positions, diag, path) -> None:
    """A line resting on words the recogniser did not time: its cut may be off (the times are estimates)."""
    for index, (scene, match) in enumerate(zip(spec.scenes, matches)):
        if match is None:
            continue
        guessed = [words[i].text for i in range(match[0], match[1] + 1) if i in interpolated]
        if guessed:
            diag.warning(positions.get(("scenes", index, "line"), Span(path)),
                         f"scene {scene.id}'s line uses word{'s' if len(guessed) != 1 else ''} the transcript did not "
                         f"time ({', '.join(repr(w) for w in guessed)}): {'their' if len(guessed) != 1 else 'its'} "
                         "times are interpolated, so the cuts around it may be off",
                         hint="check the cut by ear, or re-run the alignment")


def _wants_music_facts(spec: ProjectSpec) -> bool:
    """Analyse the music only when something uses it: snapping, or an arc whose tempo range is checked."""
    return spec.music is not None and (_snapping(spec) or spec.music.arc is not None)


def _snapping(spec: ProjectSpec) -> bool:
    """True when a cut snaps to the music's beats or onsets (slots then need the analysis)."""
    return (spec.music is not None and spec.music.snap is not None and spec.music.snap.mode != "off") or any(
        s.snap is not None and s.snap.mode != "off" for s in spec.scenes)


def _refiner(spec: ProjectSpec, root, voice_file, facts, words, positions, diag, path):
    """The function that moves derived cuts: Semantic Slicing on the voice, then beat/onset snapping."""
    from cmfc.check.sonic import slice_cuts, snap_to_music

    def refine(candidates: dict[int, int]) -> dict[int, tuple[int, str]]:
        indexes = sorted(candidates)
        sliced = slice_cuts(root, voice_file, [candidates[i] for i in indexes])
        result = {i: (cut, "sliced") for i, cut in zip(indexes, sliced)}
        for i in indexes:
            snap = spec.scenes[i].snap or (spec.music.snap if spec.music else None)
            if snap is None or snap.mode == "off" or facts is None:
                continue
            (moved, reason), = snap_to_music([result[i][0]], facts, snap.mode, snap.tolerance.as_fraction(1), words)
            if moved is not None:
                result[i] = (moved, "beat" if snap.mode == "beats" else "onset")
            else:
                span = positions.get(("scenes", i, "snap"), positions.get(("scenes", i), Span(path)))
                diag.warning(span, f"scene {spec.scenes[i].id}: could not snap its cut to the {snap.mode}: {reason}")
        return result

    return refine


def _canonical_use(use: dict, catalogue: dict) -> dict:
    from cmfc.ir.params import canonical_param, coerce_param

    effect = catalogue.get(use["name"])
    params = {}
    for name, text in use["params"].items():
        kind = effect.params[name].type if effect is not None and name in effect.params else ""
        params[name] = canonical_param(kind, coerce_param(kind, text))
    return {**use, "params": params}


def load(argument: str | None, defer_music: bool = False) -> Compiled:
    """Locate, parse, lower and check a spec named on the command line (``defer_music``: see ``resolve``)."""
    from cmfc.frameworks.load import load_frameworks
    from cmfc.lower.spec import parse_spec_file
    from cmfc.project import locate

    location = locate(argument)
    spec, positions = parse_spec_file(location.spec, location.display)
    extra = location.root / "frameworks"
    frameworks = load_frameworks(extra if extra.is_dir() else None)
    return resolve(spec, positions, location, frameworks, defer_music=defer_music)
