"""Semantic checks and resolution: a ProjectSpec plus its files becomes the Project IR.

Every independent problem is collected and reported in one run; resolution stops only
where a later check would be meaningless (no voice → no slots).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cmfc.diagnostics import CmfError, Diagnostics, Span
from cmfc.ir.models import Project, ProjectSpec, Scene, Word
from cmfc.project import SpecLocation


@dataclass
class Compiled:
    """The result of loading a spec: the IR, the voice words, and any warnings."""

    project: Project
    words: list[Word]
    location: SpecLocation
    warnings: list
    frameworks: object = None


def resolve(spec: ProjectSpec, positions: dict, location: SpecLocation, frameworks) -> Compiled:
    """Check ``spec`` against its files and the frameworks; return the IR or raise CmfError with every problem."""
    from cmfc.check.assets import check_assets, sfx_names
    from cmfc.check.references import check_duplicates, check_names
    from cmfc.check.slots import align_lines, derive_slots, samples_to_frames
    from cmfc.lower.templates import template_defaults
    from cmfc.media.probe import audio_samples
    from cmfc.media.words import read_words

    path = location.display
    diag = Diagnostics()
    check_duplicates(spec, positions, diag, path)
    files = check_assets(spec, location.root, positions, diag, path)
    from cmfc.check.references import NO_LIBRARY

    if ("sfx_library",) in files:
        library_names = set(sfx_names(files[("sfx_library",)]))
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
    words_file = files.get(("voice", "words"))
    if words_file is not None:
        try:
            words = read_words(words_file, f"{location.relative(words_file)}")
        except CmfError as error:
            diag.extend(error.diagnostics)
    elif spec.voice.words is None and any(s.line and not s.at for s in spec.scenes):
        diag.error(positions.get(("voice",), Span(path)), "scenes place themselves by their line, but the voice has no word timings",
                   hint='add words "audio/voice.words.json" under voice')

    duration_frames = samples_to_frames(voice_samples, spec.format.fps)
    matches = align_lines(spec, words, positions, diag, path) if words else [None] * len(spec.scenes)
    if voice_file is not None and (words or all(s.at for s in spec.scenes)):
        slots = derive_slots(spec, matches, words, duration_frames, positions, diag, path)
    else:
        slots = None
    diag.raise_if_errors()

    scenes = []
    for i, scene in enumerate(spec.scenes):
        data, inherited = template_defaults(scene, frameworks.templates[scene.template], frameworks.effects)
        data["fx"] = [_canonical_use(use, frameworks.effects) for use in data["fx"]]
        data["afx"] = [_canonical_use(use, frameworks.audio_effects) for use in data["afx"]]
        data.update(slot=slots[i].model_dump() if slots and slots[i] else {"start": 0, "end": 0},
                    words=list(matches[i]) if matches[i] is not None else None, inherited=list(inherited))
        scenes.append(Scene.model_validate(data))
    project_data = spec.model_dump(exclude={"scenes"})
    project = Project.model_validate({**project_data, "scenes": [s.model_dump() for s in scenes],
                                      "duration_frames": duration_frames, "duration_samples": voice_samples})
    return Compiled(project=project, words=words, location=location,
                    warnings=[d for d in diag.items if d.severity != "error"], frameworks=frameworks)


def _canonical_use(use: dict, catalogue: dict) -> dict:
    from cmfc.check.references import canonical_param, coerce_param

    effect = catalogue.get(use["name"])
    params = {}
    for name, text in use["params"].items():
        kind = effect.params[name].type if effect is not None and name in effect.params else ""
        params[name] = canonical_param(kind, coerce_param(kind, text))
    return {**use, "params": params}


def load(argument: str) -> Compiled:
    """Locate, parse, lower and check a spec named on the command line."""
    from cmfc.frameworks.load import load_frameworks
    from cmfc.lower.spec import parse_spec_file
    from cmfc.project import locate

    location = locate(argument)
    spec, positions = parse_spec_file(location.spec, location.display)
    extra = location.root / "frameworks"
    frameworks = load_frameworks(extra if extra.is_dir() else None)
    return resolve(spec, positions, location, frameworks)
