"""Name checks: duplicate ids, unknown templates/arcs/presets/effects/characters/SFX, LoRA ownership, picks."""

from __future__ import annotations

from cmfc.diagnostics import Diagnostics, Span, suggest
from cmfc.ir.models import ProjectSpec
from cmfc.ir.params import coerce_param
from cmfc.media.words import normalise

# ``light none``: no relighting, not even the scene template's default light.
NO_LIGHT = "none"

def check_duplicates(spec: ProjectSpec, positions: dict, diag: Diagnostics, path: str) -> None:
    """Scene and character ids are unique."""
    for field, what in (("characters", "character"), ("scenes", "scene")):
        seen: dict[str, int] = {}
        for index, item in enumerate(getattr(spec, field)):
            span = positions.get((field, index, "id"), Span(path))
            if item.id in seen:
                first = positions.get((field, seen[item.id], "id"))
                diag.error(span, f"{what} {item.id} is defined twice",
                           hint=f"the first is on line {first.line}" if first else None)
            else:
                seen[item.id] = index


def check_names(spec: ProjectSpec, frameworks, sfx_names: set[str] | None, positions: dict, diag: Diagnostics,
                path: str) -> None:
    """Every name a spec uses exists in the frameworks, the characters or the SFX library.

    ``sfx_names`` is None when the library could not be read (already reported): SFX names are then not checked.
    """
    def where(*key) -> Span:
        return positions.get(key, Span(path))

    if spec.music and spec.music.arc and spec.music.arc not in frameworks.arcs:
        diag.error(where("music", "arc"), f"unknown sonic arc {spec.music.arc}",
                   hint=suggest(spec.music.arc, frameworks.arcs) or _choices(frameworks.arcs))
    characters = {c.id: c for c in spec.characters}
    for i, scene in enumerate(spec.scenes):
        if scene.template not in frameworks.templates:
            diag.error(where("scenes", i, "template"), f"unknown scene template {scene.template}",
                       hint=suggest(scene.template, frameworks.templates) or _choices(frameworks.templates))
        if scene.light is not None and scene.light != NO_LIGHT and scene.light not in frameworks.lighting:
            diag.error(where("scenes", i, "light"), f"unknown lighting preset {scene.light}",
                       hint=suggest(scene.light, tuple(frameworks.lighting) + (NO_LIGHT,))
                       or _choices(frameworks.lighting) + f", or {NO_LIGHT} for no relighting")
        if scene.subject is not None and scene.subject not in characters:
            diag.error(where("scenes", i, "subject"), f"unknown character {scene.subject}",
                       hint=suggest(scene.subject, characters) or
                       ("define it with a character block" if not characters else _choices(characters)))
        _check_hero(spec, i, characters, where, diag)
        _check_effects(scene.fx, frameworks.effects, ("scenes", i, "fx"), "effect", positions, diag, path)
        _check_local(scene.fx, frameworks.effects, ("scenes", i, "fx"), positions, diag, path)
        _check_effects(scene.afx, frameworks.audio_effects, ("scenes", i, "afx"), "audio effect", positions, diag, path)
        _check_sfx(scene, i, sfx_names, where, diag)
        if scene.pick is not None and int(scene.pick[1:]) > scene.takes:
            diag.error(where("scenes", i, "pick"), f"pick {scene.pick}: scene {scene.id} has "
                       f"{scene.takes} take{'s' if scene.takes != 1 else ''} (v01"
                       + (f"..v{scene.takes:02d}" if scene.takes > 1 else "") + ")",
                       hint=f"ask for more with takes {int(scene.pick[1:])}, or pick an existing take")
        if scene.pick is not None and int(scene.pick[1:]) == 0:
            diag.error(where("scenes", i, "pick"), "takes are numbered from v01")


def _choices(names) -> str:
    names = sorted(names)
    if not names:
        return "none are defined in the frameworks"
    shown = ", ".join(names[:12]) + (", …" if len(names) > 12 else "")
    return f"known: {shown}"


def _check_hero(spec: ProjectSpec, i: int, characters: dict, where, diag: Diagnostics) -> None:
    scene = spec.scenes[i]
    if scene.hero is None or scene.hero.kind != "lora":
        return
    owners = [c.id for c in spec.characters if c.lora is not None]
    if scene.subject is None:
        diag.error(where("scenes", i, "hero"), f"hero lora needs the scene's subject: whose LoRA is it?",
                   hint=f"add subject {owners[0]}" if owners else "give a character a lora first")
        return
    character = characters.get(scene.subject)
    if character is not None and character.lora is None:
        diag.error(where("scenes", i, "hero"), f"hero lora: {scene.subject} has no LoRA"
                   + (f"; only {', '.join(owners)} {'has' if len(owners) == 1 else 'have'} one" if owners else ""),
                   hint="a LoRA is used only for the character who owns it; use hero zimage for "
                        f"{scene.subject} (the anchor block keeps them consistent)")


def _check_effects(uses, catalogue: dict, key: tuple, what: str, positions: dict, diag: Diagnostics,
                   path: str) -> None:
    for j, use in enumerate(uses):
        span = positions.get(key + (j, "name"), Span(path))
        effect = catalogue.get(use.name)
        if effect is None:
            diag.error(span, f"unknown {what} {use.name}", hint=suggest(use.name, catalogue) or _choices(
                [n for n in catalogue if not n.startswith("EFFECT-")] or catalogue))
            continue
        typed = {}
        for name, text in use.params.items():
            param = effect.params.get(name)
            typed[name] = coerce_param(param.type, text) if param is not None else text
        for problem in effect.check_params(typed):
            diag.error(positions.get(key + (j, "params", problem.param), span), problem.message, hint=problem.hint)
        if use.until is not None and use.at is not None and use.until.as_fraction(1) <= use.at.as_fraction(1) \
                and use.until.frames is None and use.at.frames is None:
            diag.error(positions.get(key + (j, "at"), span), f"{use.name}: the time range ends before it starts")


def _check_local(uses, catalogue: dict, key: tuple, positions: dict, diag: Diagnostics, path: str) -> None:
    """The local executor renders the video: an effect it cannot draw is an error, never silently dropped."""
    from cmfc.render.effects import LOCAL_EFFECTS, NOT_LOCAL

    for j, use in enumerate(uses):
        if use.name in catalogue and use.name not in LOCAL_EFFECTS:
            reason = NOT_LOCAL.get(use.name, "no local implementation")
            diag.error(positions.get(key + (j, "name"), Span(path)),
                       f"effect {use.name} is not rendered by the local executor yet ({reason})",
                       hint="remove it, or use an effect the local renderer draws (see docs/effects.md)")


class _NoLibrary(frozenset):
    """Marks a project that declares no sfx_library at all."""


NO_LIBRARY = _NoLibrary()


def scene_has_library(names) -> bool:
    return names is not NO_LIBRARY


def _check_sfx(scene, i: int, sfx_names: set[str] | None, where, diag: Diagnostics) -> None:
    line_words = {normalise(w) for w in (scene.line or "").split()}
    for j, cue in enumerate(scene.sfx):
        if sfx_names is not None and cue.name not in sfx_names and scene_has_library(sfx_names):
            diag.error(where("scenes", i, "sfx", j, "name"), f"unknown SFX {cue.name}: no such file in the sfx library",
                       hint=suggest(cue.name, sfx_names) or (_choices(sfx_names) if sfx_names else
                                                             "the sfx library has no audio files"))
        if sfx_names is NO_LIBRARY:
            diag.error(where("scenes", i, "sfx", j, "name"), f"sfx {cue.name}: the project has no sfx_library",
                       hint='add sfx_library "assets/sfx" to the project block')
        if cue.on is not None:
            if scene.line is None:
                diag.error(where("scenes", i, "sfx", j, "on"), f"sfx {cue.name} on \"{cue.on}\": the scene has no line",
                           hint="place it with at TIME instead")
            elif normalise(cue.on) not in line_words:
                diag.error(where("scenes", i, "sfx", j, "on"), f"sfx {cue.name}: \"{cue.on}\" is not a word of "
                           f"scene {scene.id}'s line", hint=suggest(cue.on, (scene.line or "").split()))
