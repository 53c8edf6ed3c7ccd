"""Load the frameworks: the built-in YAML shipped with cmfc, then a project's own ``frameworks/``.

A project's entries add to the built-ins or replace one with the same name
(a template by id, an arc/preset/visual effect by name, an audio effect by id).
Every mistake is a positioned diagnostic; cross-references (a template's light
and effects) are checked after merging, so a project may use its own presets.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.resources
import json
import pathlib
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from cmfc.diagnostics import CmfError, Diagnostics, Span, suggest
from cmfc.frameworks.models import (
    ArcsFile,
    Effect,
    EffectsFile,
    LightingFile,
    LightingPreset,
    SceneTemplate,
    SonicArc,
    TemplatesFile,
)
from cmfc.yamlpos import KEY, load_with_positions, span_for, validation_diagnostics

# Bumped when the meaning of a framework field changes, so cached builds keyed on the digest rebuild.
SCHEMA_VERSION = "frameworks/1"


@dataclass(frozen=True)
class _FileKind:
    kind: str  # key in the merged tables
    file_model: type[BaseModel]
    list_key: str  # the file's one top-level key
    key_field: str  # the field entries are identified by
    id_prefix: str | None = None  # effect files: the only ids allowed in them


FILE_KINDS: dict[str, _FileKind] = {
    "scene_templates.yaml": _FileKind("templates", TemplatesFile, "templates", "id"),
    "sonic_arcs.yaml": _FileKind("arcs", ArcsFile, "arcs", "name"),
    "lighting.yaml": _FileKind("lighting", LightingFile, "presets", "name"),
    "effects.yaml": _FileKind("effects", EffectsFile, "effects", "name", "EFFECT-V-"),
    "audio_effects.yaml": _FileKind("audio_effects", EffectsFile, "effects", "id", "EFFECT-A-"),
}
WHAT = {"templates": "template", "arcs": "sonic arc", "lighting": "lighting preset",
        "effects": "effect", "audio_effects": "audio effect"}


@dataclass(frozen=True)
class Frameworks:
    """Every framework entry after merging, by the name a .cmf script uses (shared and cached: do not mutate)."""

    templates: dict[str, SceneTemplate]
    arcs: dict[str, SonicArc]
    lighting: dict[str, LightingPreset]
    effects: dict[str, Effect]  # visual, by name
    audio_effects: dict[str, Effect]  # by id (EFFECT-A-01) and by name
    source_digest: str  # sha256 of the canonical JSON of everything above


@dataclass(frozen=True)
class _Origin:
    """Where an entry was written, to position errors found after merging."""

    path: str
    positions: dict
    at: tuple

    def span(self, *loc: Any) -> Span:
        return span_for(self.positions, self.at + loc, self.path)


# kind -> key -> (entry, origin)
_Tables = dict[str, dict[str, tuple[Any, _Origin]]]


def builtin_dir() -> pathlib.Path:
    """The installed copy of ``specs/frameworks`` (package ``cmfc.frameworks_data``)."""
    return pathlib.Path(str(importlib.resources.files("cmfc.frameworks_data")))


def load_frameworks(extra_dir: pathlib.Path | None = None) -> Frameworks:
    """Built-in frameworks, then a project's ``frameworks/`` folder adding to or overriding them by name."""
    if extra_dir is None or not pathlib.Path(extra_dir).is_dir():
        return _builtin_frameworks()
    tables = {kind: dict(entries) for kind, entries in _builtin_tables().items()}
    diagnostics = Diagnostics()
    project = _read_dir(pathlib.Path(extra_dir), diagnostics, project=True)
    diagnostics.raise_if_errors()
    for kind, entries in project.items():
        tables[kind].update(entries)
    return _finish(tables)


@functools.lru_cache(maxsize=1)
def _builtin_tables() -> _Tables:
    diagnostics = Diagnostics()
    tables = _read_dir(builtin_dir(), diagnostics, project=False)
    diagnostics.raise_if_errors()
    return tables


@functools.lru_cache(maxsize=1)
def _builtin_frameworks() -> Frameworks:
    # Cached: `cmfc check` calls this every run, and the built-ins never change within a process.
    return _finish(_builtin_tables())


def _read_dir(folder: pathlib.Path, diagnostics: Diagnostics, project: bool) -> _Tables:
    tables: _Tables = {spec.kind: {} for spec in FILE_KINDS.values()}
    if project:
        for stray in sorted(folder.glob("*.y*ml")):
            if stray.name not in FILE_KINDS:
                hint = suggest(stray.name, FILE_KINDS) or f"framework files are {', '.join(sorted(FILE_KINDS))}"
                diagnostics.error(Span(str(stray)), f"unknown framework file {stray.name}", hint=hint)
    for file_name, spec in FILE_KINDS.items():
        file_path = folder / file_name
        # audio_effects.yaml may be absent (a project adds only what it needs; built-ins may lag).
        if file_path.is_file():
            tables[spec.kind] = _read_file(file_path, spec, diagnostics)
    return tables


def _read_file(file_path: pathlib.Path, spec: _FileKind, diagnostics: Diagnostics) -> dict:
    path = str(file_path)
    try:
        text = file_path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        diagnostics.error(Span(path), f"{file_path.name} is not UTF-8 text (byte {exc.start})")
        return {}
    try:
        data, positions = load_with_positions(text, path)
    except CmfError as exc:
        diagnostics.extend(exc.diagnostics)
        return {}
    try:
        parsed = spec.file_model.model_validate(data)
    except ValidationError as exc:
        diagnostics.extend(validation_diagnostics(exc, positions, path, model=spec.file_model))
        return {}
    entries: dict = {}
    for index, entry in enumerate(getattr(parsed, spec.list_key)):
        origin = _Origin(path, positions, (spec.list_key, index))
        key = getattr(entry, spec.key_field)
        if key in entries:
            first = entries[key][1].span(spec.key_field)
            diagnostics.error(origin.span(spec.key_field),
                              f"duplicate {WHAT[spec.kind]} {key} (first defined on line {first.line})")
            continue
        if spec.id_prefix and not entry.id.startswith(spec.id_prefix):
            diagnostics.error(origin.span("id"), f"{file_path.name} holds {spec.id_prefix}NN effects, not {entry.id}")
            continue
        entries[key] = (entry, origin)
    return entries


def _finish(tables: _Tables) -> Frameworks:
    """Check cross-references in the merged tables and freeze them into a Frameworks."""
    diagnostics = Diagnostics()
    _check_unique(tables["effects"], "id", "effect id", diagnostics)
    _check_unique(tables["audio_effects"], "name", "audio effect name", diagnostics)
    effects = {name: entry for name, (entry, _) in tables["effects"].items()}
    for template, origin in tables["templates"].values():
        _check_template(template, origin, tables, effects, diagnostics)
    diagnostics.raise_if_errors()
    audio = {}
    for effect_id, (entry, _) in tables["audio_effects"].items():
        audio[effect_id] = entry
        audio[entry.name] = entry
    frameworks = {
        "templates": {key: entry for key, (entry, _) in sorted(tables["templates"].items())},
        "arcs": {key: entry for key, (entry, _) in sorted(tables["arcs"].items())},
        "lighting": {key: entry for key, (entry, _) in sorted(tables["lighting"].items())},
        "effects": dict(sorted(effects.items())),
        "audio_effects": dict(sorted(audio.items())),
    }
    return Frameworks(**frameworks, source_digest=_digest(frameworks))


def _check_unique(entries: dict, field: str, what: str, diagnostics: Diagnostics) -> None:
    seen: dict[str, str] = {}
    for key, (entry, origin) in entries.items():  # built-ins first, then the project's, in file order
        value = getattr(entry, field)
        if value in seen:
            diagnostics.error(origin.span(field), f"{what} {value} is already used by {seen[value]}")
        else:
            seen[value] = key


def _check_template(template: SceneTemplate, origin: _Origin, tables: _Tables, effects: dict[str, Effect],
                    diagnostics: Diagnostics) -> None:
    light = template.defaults.light
    if light is not None and light not in tables["lighting"]:
        diagnostics.error(origin.span("defaults", "light"), f"{template.id}: unknown lighting preset {light}",
                          hint=suggest(light, tables["lighting"]))
    for index, use in enumerate(template.defaults.fx):
        at = ("defaults", "fx", index)
        effect = effects.get(use.name)
        if effect is None:
            diagnostics.error(origin.span(*at, "name"), f"{template.id}: unknown effect {use.name}",
                              hint=suggest(use.name, effects))
            continue
        if effect.timing == "transition" and use.at is not None:
            diagnostics.error(origin.span(*at, "at"),
                              f"{template.id}: {use.name} is a transition; it happens at the scene's cut, "
                              "so it takes no time")
        if effect.timing == "instant" and use.at is not None and ".." in use.at:
            diagnostics.error(origin.span(*at, "at"),
                              f"{template.id}: {use.name} happens at one time (it lasts its duration), "
                              "not over a range")
        for problem in effect.check_params(use.params):
            diagnostics.error(origin.span(*at, "params", problem.param, KEY), f"{template.id}: {problem.message}",
                              hint=problem.hint)


def _digest(frameworks: dict[str, dict[str, BaseModel]]) -> str:
    canonical = {kind: {key: entry.model_dump(mode="json") for key, entry in entries.items()}
                 for kind, entries in frameworks.items()}
    canonical["schema"] = SCHEMA_VERSION
    text = json.dumps(canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
