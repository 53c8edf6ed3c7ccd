"""Emit a ProjectSpec as a .cmf script in canonical layout (``cmfc fmt --to cmf``)."""

from __future__ import annotations

from cmfc.ir.models import Brand, Character, EffectUse, Format, ProjectSpec, SceneSpec, SfxCue
from cmfc.ir.values import format_decimal
from cmfc.syntax.tree import escape_string as q

INDENT = "  "


def emit_cmf(spec: ProjectSpec) -> str:
    """The canonical script for ``spec``: lowering it gives ``spec`` back."""
    blocks = [[f"cmf {spec.cmf}"], _project(spec)]
    blocks += [_character(c) for c in spec.characters]
    blocks += [_scene(s) for s in spec.scenes]
    return "\n\n".join("\n".join(lines) for lines in blocks) + "\n"


def _number(value: float) -> str:
    from decimal import Decimal

    return format_decimal(Decimal(repr(float(value))))


def _project(spec: ProjectSpec) -> list[str]:
    lines = [f"project {spec.id}" + (f" {q(spec.title)}" if spec.title else "")]
    if spec.format != Format():
        lines.append(f"{INDENT}format {spec.format.width}x{spec.format.height} {spec.format.fps}fps")
    if spec.seed:
        lines.append(f"{INDENT}seed {spec.seed}")
    if spec.brand != Brand():
        lines.append(f"{INDENT}brand")
        default = Brand()
        if spec.brand.base != default.base:
            lines.append(f"{INDENT * 2}base {spec.brand.base}")
        if spec.brand.highlight != default.highlight:
            lines.append(f"{INDENT * 2}highlight {spec.brand.highlight}")
        if spec.brand.font:
            lines.append(f"{INDENT * 2}font {q(spec.brand.font)}")
        if spec.brand.keywords:
            lines.append(f"{INDENT * 2}keywords " + " ".join(q(k) for k in spec.brand.keywords))
    lines.append(f"{INDENT}voice {q(spec.voice.path)}")
    if spec.voice.words:
        lines.append(f"{INDENT * 2}words {q(spec.voice.words)}")
    if str(spec.voice.loudness) != "-14LUFS":
        lines.append(f"{INDENT * 2}loudness {spec.voice.loudness}")
    if spec.voice.denoise != "afftdn":
        lines.append(f"{INDENT * 2}denoise {spec.voice.denoise}")
    if spec.music:
        lines.append(f"{INDENT}music {q(spec.music.path)}")
        if spec.music.arc:
            lines.append(f"{INDENT * 2}arc {spec.music.arc}")
        if str(spec.music.duck) != "-12dB":
            lines.append(f"{INDENT * 2}duck {spec.music.duck}")
        if spec.music.snap:
            lines.append(f"{INDENT * 2}{_snap(spec.music.snap)}")
        if spec.music.stems:
            lines.append(f"{INDENT * 2}stems on")
    if spec.sfx_library:
        lines.append(f"{INDENT}sfx_library {q(spec.sfx_library)}")
        if spec.sfx_auto:
            lines.append(f"{INDENT * 2}auto")
        for trigger in spec.sfx_triggers:
            lines.append(f"{INDENT * 2}trigger {q(trigger.word)} {trigger.sfx}")
    return lines


def _snap(snap) -> str:
    text = f"snap {snap.mode}"
    if str(snap.tolerance) != "0.12s":
        text += f" tolerance {snap.tolerance}"
    return text


def _character(character: Character) -> list[str]:
    lines = [f"character {character.id}"]
    if character.lora:
        strength = "" if character.lora.strength == 1.0 else f" strength {_number(character.lora.strength)}"
        lines.append(f"{INDENT}lora {q(character.lora.path)}{strength}")
    if character.anchor is not None:
        lines.append(f"{INDENT}anchor {q(character.anchor)}")
    return lines


def _scene(scene: SceneSpec) -> list[str]:
    head = f"scene {scene.id} {scene.template}"
    if scene.at:
        head += f" at {scene.at.start}..{scene.at.end}"
    lines = [head]
    add = lambda text: lines.append(INDENT + text)  # noqa: E731 - a local shorthand keeps the table readable
    if scene.line is not None:
        add(f"line {q(scene.line)}")
    if scene.subject:
        add(f"subject {scene.subject}")
    if scene.hero:
        value = scene.hero.path if scene.hero.kind in ("image", "clip") else scene.hero.prompt
        add(f"hero {scene.hero.kind} {q(value or '')}")
    if scene.light:
        add(f"light {scene.light}")
    if scene.motion:
        add("motion " + _motion(scene))
    if scene.text:
        add(f"text {q(scene.text.content)}" + (f" {scene.text.placement}" if scene.text.placement else ""))
    for use in scene.fx:
        add("fx " + _effect(use))
    for use in scene.afx:
        add("afx " + _effect(use))
    for cue in scene.sfx:
        add("sfx " + _cue(cue))
    if scene.fit:
        add(f"fit {scene.fit.mode}" + (f" {_number(scene.fit.speed)}" if scene.fit.speed is not None else ""))
    if scene.takes != 1:
        add(f"takes {scene.takes}")
    if scene.pick:
        add(f"pick {scene.pick}")
    if scene.snap:
        add(_snap(scene.snap))
    return lines


def _motion(scene: SceneSpec) -> str:
    motion = scene.motion
    if motion.kind == "wan22":
        return f"wan22 {q(motion.prompt or '')}"
    if motion.kind == "onetoall":
        return f"onetoall {q(motion.driving or '')}"
    text = motion.kind
    if motion.zoom is not None:
        text += f" zoom {_number(motion.zoom[0])}..{_number(motion.zoom[1])}"
    if motion.pan is not None:
        text += f" pan {motion.pan}"
    return text


def _effect(use: EffectUse) -> str:
    parts = [use.name]
    for name in sorted(use.params):
        value = use.params[name]
        parts.append(f"{name} {value if _is_word(value) else q(value)}")
    if use.at is not None:
        parts.append(f"at {use.at}" + (f"..{use.until}" if use.until is not None else ""))
    return " ".join(parts)


def _is_word(value: str) -> bool:
    """True when ``value`` reads back unchanged written bare (a word, or an upper-case #RRGGBB colour)."""
    import re

    if re.fullmatch(r"#[0-9A-F]{6}", value):
        return True
    return bool(value) and not any(ch.isspace() or ch in '"#\\' or not ch.isprintable() for ch in value)


def _cue(cue: SfxCue) -> str:
    text = cue.name + (f" on {q(cue.on)}" if cue.on is not None else f" at {cue.at}")
    if cue.gain is not None:
        text += f" gain {cue.gain}"
    return text
