"""The Blueprint Architect (manual Stage 1.3): the final script becomes a checked `.cmf` spec.

The model maps the script onto the frameworks (a sonic arc, a scene template, a subject and a
hero prompt per block); the code does the rest, deterministically: the voice-over is cut from the
recording block by block with Semantic Slicing (the quietest point in the pause around each block,
10 ms fades: manual §3.7), its words re-timed into a WhisperX file, and the spec written as a YAML
blueprint and a `.cmf` script. The caller runs `cmfc check` on it; nothing unchecked reaches a build.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from cmfc.fsutil import atomic_write_text
from cmfc.media.verbatim import tokenize
from cmfc.narrative.agents import Agents, converse, load_prompt
from cmfc.narrative.models import BlueprintAnswer
from cmfc.narrative.transcript import Transcript, TranscriptWord

VOICE_PATH = "audio/voice.wav"
WORDS_PATH = "audio/voice.words.json"
LEAD_S = 0.25  # silence kept before the first block and after the last (at most)


def plan_blueprint(script: dict, agents: Agents, frameworks) -> BlueprintAnswer:
    """Ask the architect for the mapping and verify it against the frameworks and the script."""
    prompt = load_prompt("blueprint_architect", agents.config.root)
    blocks = "\n".join(f"{i}. [{b['end'] - b['start']:.1f}s] {b['text']}" for i, b in enumerate(script["blocks"]))
    templates = "\n".join(f"- {t.id} ({t.family}, {t.role}): {' '.join(t.description.split())}"
                          for t in frameworks.templates.values())
    arcs = "\n".join(f"- {a.name} ({a.bpm[0]}-{a.bpm[1]} BPM): {' '.join(a.description.split())}"
                     for a in frameworks.arcs.values())
    first_turn = (f"Script \"{script['title']}\" ({len(script['blocks'])} blocks):\n{blocks}\n\n"
                  f"Scene templates:\n{templates}\n\nSonic arcs:\n{arcs}\n\nMap the script: one scene per block, in order.")

    def verify(answer: BlueprintAnswer) -> list[str]:
        problems = []
        if answer.arc not in frameworks.arcs:
            problems.append(f"arc {answer.arc!r} is not one of: {', '.join(frameworks.arcs)}")
        if [s.block for s in answer.scenes] != list(range(len(script["blocks"]))):
            problems.append(f"give exactly one scene per block, in order: blocks 0..{len(script['blocks']) - 1}")
        for index, scene in enumerate(answer.scenes):
            if scene.template not in frameworks.templates:
                problems.append(f"scene {index + 1}: template {scene.template!r} is not one of the listed templates")
            if scene.text and 0 <= scene.block < len(script["blocks"]):
                words = set(tokenize(script["blocks"][scene.block]["text"]))
                if not set(tokenize(scene.text)) <= words:
                    problems.append(f"scene {index + 1}: on-screen text {scene.text!r} must use words of its block")
        return problems

    return converse(agents, "blueprint_architect", prompt, first_turn, BlueprintAnswer, verify)


def project_id(title: str) -> str:
    """``PROJ_`` and the title's words capitalised (letters and digits only)."""
    words = [w.capitalize() for w in re.split(r"[^A-Za-z0-9]+", title) if w]
    return "PROJ_" + ("".join(words)[:40] or "Stage1")


def blueprint_data(script: dict, plan: BlueprintAnswer, music: str | None) -> dict:
    """The spec in the blueprint form (what `cmfc fmt --to yaml` prints), from the script and the mapping."""
    data: dict = {"cmf": 1, "id": project_id(plan.title or script["title"]), "title": plan.title or script["title"],
                  "voice": {"path": VOICE_PATH, "words": WORDS_PATH}}
    if music:
        data["music"] = {"path": music, "arc": plan.arc}
    characters = [{"id": "client", "anchor": "The speaker of the recording, as in the reference photos"}]
    if any(s.subject == "character" for s in plan.scenes):
        characters.append({"id": "character", "anchor": plan.character_anchor})
    data["characters"] = characters
    scenes = []
    for index, (block, choice) in enumerate(zip(script["blocks"], plan.scenes)):
        scene = {"id": f"SC_{index + 1:02d}", "template": choice.template, "line": block["text"],
                 "subject": choice.subject, "hero": {"kind": "zimage", "prompt": choice.hero_prompt}}
        if choice.text:
            scene["text"] = {"content": choice.text}
        scenes.append(scene)
    data["scenes"] = scenes
    return data


def cut_voice(script: dict, transcript: Transcript, audio: Path, out_root: Path) -> float:
    """Write the voice-over (the blocks in script order) and its word timings; return its length in seconds."""
    import numpy as np

    from cmfc.sonic.audio_io import load_audio, save_audio
    from cmfc.sonic.slicing import apply_fades, safe_cut, voice_activity

    samples, sr = load_audio(audio, mono=True)
    activity = voice_activity(samples, sr)
    length = len(samples) / sr
    pieces, words, junctions, cursor = [], [], [], 0.0
    for block in script["blocks"]:
        first, last = block["first_word"], block["last_word"]
        before = transcript.words[first - 1].end if first > 0 else max(0.0, block["start"] - 2 * LEAD_S)
        after = transcript.words[last + 1].start if last + 1 < len(transcript.words) else min(length, block["end"] + 2 * LEAD_S)
        head = _cut(samples, sr, activity, before, block["start"], safe_cut)
        tail = _cut(samples, sr, activity, block["end"], after, safe_cut)
        a, b = int(round(head * sr)), int(round(tail * sr))
        pieces.append(samples[a:b])
        for index in range(first, last + 1):
            word = transcript.words[index]
            words.append(TranscriptWord(text=word.text, start=round(cursor + word.start - head, 3),
                                        end=round(cursor + word.end - head, 3), score=word.score,
                                        interpolated=word.interpolated, segment=len(pieces) - 1))
        cursor += (b - a) / sr
        junctions.append(cursor)
    voice = apply_fades(np.concatenate(pieces), sr, junctions[:-1])
    save_audio(out_root / VOICE_PATH, voice, sr)
    atomic_write_text(out_root / WORDS_PATH, Transcript(words=tuple(words), language=transcript.language).to_json())
    return len(voice) / sr


def _cut(samples, sr, activity, quiet_from: float, quiet_to: float, safe_cut) -> float:
    """A safe cut inside the pause ``quiet_from..quiet_to`` (its middle when too short to search)."""
    gap = max(0.0, quiet_to - quiet_from)
    middle = (quiet_from + quiet_to) / 2
    if gap < 0.02:
        return middle
    cut = safe_cut(samples, sr, middle, window_s=min(0.5, gap / 2), activity=activity)
    return min(max(cut, quiet_from), quiet_to)


def write_spec(data: dict, out_root: Path, name: str | None = None) -> tuple[Path, Path]:
    """The blueprint (YAML) and the script (.cmf) of ``data`` in ``out_root``; a cmfc.toml naming the script."""
    from cmfc.lower.spec import validate_spec
    from cmfc.lower.to_cmf import emit_cmf
    from cmfc.lower.to_yaml import emit_yaml

    spec = validate_spec(data, {}, "blueprint")
    name = name or data["id"].lower()
    yaml_path, cmf_path = out_root / f"{name}.blueprint.yaml", out_root / f"{name}.cmf"
    atomic_write_text(yaml_path, emit_yaml(spec))
    atomic_write_text(cmf_path, emit_cmf(spec))
    config = out_root / "cmfc.toml"
    if not config.exists():
        atomic_write_text(config, f'[project]\nspec = "{cmf_path.name}"\n')
    return cmf_path, yaml_path


def production_blueprint(script: dict, plan: BlueprintAnswer, calls: list) -> str:
    """production_blueprint.json: the architect's whole mapping (arc, templates, subjects), canonical."""
    return json.dumps({"format": 1, "script_title": script["title"], "mapping": plan.model_dump(mode="json"),
                       "calls": calls}, sort_keys=True, indent=1) + "\n"
