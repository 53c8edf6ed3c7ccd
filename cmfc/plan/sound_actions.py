"""Sound actions (stages 2 and 6): the music's analysis, clean voice, the mix, and its single AAC encode.

Paths never enter params: files are named inputs, and params refer to them as
``input:<name>``, so a key is the same wherever the project lives.
"""

from __future__ import annotations

import json
from pathlib import Path

from cmfc.build import Action, ActionInput, FileInput, Output, register
from cmfc.check import Compiled
from cmfc.naming import sonic_name, stage_dir

SOUND_VERSION = "3"  # 3: surgery stretches with Rubber Band
# Rough seconds of work per second of timeline on two cores (bench/bench_mix.py), for the build's
# work order only (Action.cost).
SECONDS_PER_SECOND = {"voice_clean": 0.01, "mix": 0.09, "encode": 0.07}
# The analysis is mostly librosa's import (about 3 s) on a cold build: it starts first, beside a render.
MUSIC_ANALYSIS_SECONDS = 4.0
MUSIC_ANALYSIS_ID = "sonic:music_analysis"


@register("sonic.analyze_music", version=SOUND_VERSION)
def run_analyze_music(ctx) -> None:
    """Tempo, beats, downbeats, sections and energy of the music (what the IR shows and surgery cuts on)."""
    from cmfc.check.sonic import music_analysis

    # through check's cache by content: a project `cmfc check`ed before builds this in milliseconds
    analysis = music_analysis(Path(ctx.project_root), ctx.input_path("music"))
    ctx.output_path("analysis").write_text(json.dumps(analysis, sort_keys=True), encoding="utf-8")


def music_analysis_actions(compiled: Compiled) -> list[Action]:
    """The analysis as an action, when the project's music is analysed (an arc, or snapping)."""
    if not music_analysed(compiled):
        return []
    return [Action(id=MUSIC_ANALYSIS_ID, kind="sonic.analyze_music",
                   inputs={"music": FileInput(compiled.project.music.path)}, outputs=(Output("analysis"),),
                   cost=MUSIC_ANALYSIS_SECONDS)]


def music_analysed(compiled: Compiled) -> bool:
    """True when the music is analysed: the IR has its facts, or check left the analysis to the build."""
    return compiled.project.music_facts is not None or compiled.music_deferred


@register("sonic.voice_clean", version=SOUND_VERSION)
def run_voice_clean(ctx) -> None:
    """Denoise, presence EQ and gentle compression of the voice-over (48 kHz mono)."""
    from cmfc.mix import clean_voice
    from cmfc.mix.voice import INSTALL_DEEPFILTERNET

    denoiser = ctx.params.get("denoiser", "afftdn")
    if ctx.params.get("asked") == "deepfilternet" and denoiser != "deepfilternet":
        ctx.log(f"DeepFilterNet is not installed ({INSTALL_DEEPFILTERNET}): the voice is denoised with afftdn")
    clean_voice(ctx.input_path("voice"), ctx.output_path("voice_clean"), denoiser)


@register("sonic.mix", version=SOUND_VERSION)
def run_mix(ctx) -> None:
    """The master: ducked, arc-shaped music + clean voice + SFX, normalised to the loudness target."""
    from cmfc.mix import MixRequest, render_mix

    params = dict(ctx.params["request"])
    resolve = lambda value: str(ctx.input_path(value[len("input:"):])) if isinstance(value, str) and \
        value.startswith("input:") else value  # noqa: E731
    params["voice_path"] = resolve(params["voice_path"])
    if ctx.params.get("afx"):
        processed = ctx.output_path("master").with_name("voice_afx.wav")
        apply_scene_afx(params["voice_path"], ctx.params["afx"], processed)
        params["voice_path"] = str(processed)
    params["music_path"] = resolve(params.get("music_path"))
    if ctx.params.get("stems"):
        ctx.log(f"music stems on: demucs is not installed ({INSTALL_DEMUCS}): the whole bed ducks under the voice")
    if params.get("music_vocals_path"):
        params["music_vocals_path"] = resolve(params["music_vocals_path"])
    if "music_analysis" in ctx.action.inputs:
        params["music_analysis"] = str(ctx.input_path("music_analysis"))  # surgery cuts on its bars
    params["cues"] = [{**cue, "path": resolve(cue["path"])} for cue in params.get("cues", ())]
    render_mix(MixRequest.from_params(params), ctx.output_path("master"))


@register("sonic.encode", version=SOUND_VERSION)
def run_encode(ctx) -> None:
    """The master encoded once to AAC, exactly the timeline's length."""
    from cmfc.mix import encode_audio

    params = ctx.params
    target = ctx.output_path("audio")
    encoded = target.with_name(target.name + ".m4a")  # ffmpeg picks the container by extension
    encode_audio(ctx.input_path("master"), encoded, params["fps"], params["frames"], preview=params["preview"])
    encoded.replace(target)


def apply_scene_afx(voice_path: str, uses: list[dict], out_path: Path) -> None:
    """The scenes' audio effects (EFFECT-A-NN) on the voice inside their spans, with 10 ms crossfades at the edges."""
    import numpy as np

    from cmfc.mix.master import write_float_wav
    from cmfc.sonic.audio_fx import apply_audio_effect
    from cmfc.sonic.audio_io import load_audio

    voice, sr = load_audio(voice_path, sr=48_000, mono=True)
    fade = int(0.010 * sr)
    for use in uses:
        start, end = max(0, use["start"]), min(len(voice), use["end"])
        if end - start < 2 * fade + 1:
            continue
        dry = voice[start:end].copy()
        wet = np.asarray(apply_audio_effect(use["effect"], dry, sr, at_s=use.get("at_s", 0.0), **use["params"]),
                         dtype=np.float32).reshape(-1)[: end - start]
        if len(wet) < end - start:
            wet = np.pad(wet, (0, end - start - len(wet)))
        ramp = np.ones(end - start, dtype=np.float32)
        ramp[:fade] = np.linspace(0.0, 1.0, fade, dtype=np.float32)
        ramp[-fade:] = np.linspace(1.0, 0.0, fade, dtype=np.float32)
        voice[start:end] = dry * (1 - ramp) + wet * ramp
    write_float_wav(out_path, voice)


def _afx_params(compiled: Compiled) -> list[dict]:
    """Each scene's ``afx`` as an absolute sample span with typed parameters (times stay as text)."""
    from cmfc.ir.params import coerce_param
    from cmfc.ir.values import SAMPLE_RATE, frames_to_samples

    project = compiled.project
    fps = project.format.fps
    uses = []
    for scene in project.scenes:
        scene_start = frames_to_samples(scene.slot.start, fps)
        scene_end = frames_to_samples(scene.slot.end, fps)
        for use in scene.afx:
            effect = compiled.frameworks.audio_effects[use.name]
            params = {name: coerce_param(effect.params[name].type, text) if name in effect.params else text
                      for name, text in use.params.items()}
            at = use.at.to_samples(fps) if use.at is not None else 0
            if effect.timing == "instant":
                start, end, at_s = scene_start, scene_end, at / SAMPLE_RATE
            else:
                start = scene_start + at
                end = scene_start + use.until.to_samples(fps) if use.until is not None else scene_end
                at_s = 0.0
            uses.append({"effect": effect.id, "params": params, "start": start, "end": min(end, scene_end),
                         "at_s": at_s})
    return uses


STEMS_ID = "sonic:stems"
INSTALL_DEMUCS = "pip install 'cmfc[stems]'"


def stems_available() -> bool:
    """True when demucs and torch can be imported (found, not loaded: planning stays fast)."""
    import importlib.util

    return importlib.util.find_spec("demucs") is not None and importlib.util.find_spec("torch") is not None


@register("sonic.stems", version=SOUND_VERSION)
def run_stems(ctx) -> None:
    """The music bed split by demucs: its vocals, and the rest (drums, bass, other) summed."""
    from cmfc.mix.master import write_float_wav
    from cmfc.sonic.audio_io import load_audio
    from cmfc.sonic.stems import separate_stems

    samples, sr = load_audio(ctx.input_path("music"))
    stems = separate_stems(samples, sr, source=ctx.action.inputs["music"].path)
    vocals = stems.pop("vocals")
    write_float_wav(ctx.output_path("vocals"), vocals, sr)
    write_float_wav(ctx.output_path("band"), sum(stems.values()), sr)


def stems_actions(compiled: Compiled) -> list[Action]:
    """``music ... stems on``: the separation as an action, when demucs is installed (else the mix notes it)."""
    music = compiled.project.music
    if music is None or not music.stems or not stems_available():
        return []
    return [Action(id=STEMS_ID, kind="sonic.stems", inputs={"music": FileInput(music.path)},
                   outputs=(Output("vocals"), Output("band")), cost=60.0)]


def sound_actions(compiled: Compiled, preview: bool) -> list[Action]:
    """voice_clean → mix → encode; the encode's ``audio`` output is what the mux takes."""
    project = compiled.project
    sonic = str(stage_dir(project.id, "sonic"))
    seconds = project.duration_frames / project.format.fps
    denoise: dict = {}
    if project.voice.denoise != "afftdn":  # the default adds no params: existing keys stay as they were
        from cmfc.mix.voice import deepfilternet_available

        # what runs is in the key: installing DeepFilterNet later re-cleans the voice with it
        denoise = {"asked": project.voice.denoise,
                   "denoiser": "deepfilternet" if deepfilternet_available() else "afftdn"}
    actions = [Action(
        id="sonic:voice_clean", kind="sonic.voice_clean", inputs={"voice": FileInput(project.voice.path)},
        params=denoise,
        outputs=(Output("voice_clean", f"{sonic}/{sonic_name(project.id, 'VOICE_CLEAN')}", origin="processed"),),
        cost=round(seconds * SECONDS_PER_SECOND["voice_clean"], 3),
    )]
    actions += stems_actions(compiled)
    request, inputs = _mix_request(compiled)
    if request["music_fit"] == "surgery":
        inputs["music_analysis"] = ActionInput(MUSIC_ANALYSIS_ID, "analysis")
    actions.append(Action(
        id="sonic:mix", kind="sonic.mix", inputs=inputs,
        params={"request": request, "afx": _afx_params(compiled),
                **({"stems": "demucs missing"} if project.music and project.music.stems and not stems_available() else {})},
        outputs=(Output("master", f"{sonic}/{sonic_name(project.id, 'MASTER')}", origin="processed"),),
        cost=round(seconds * SECONDS_PER_SECOND["mix"], 3),
    ))
    suffix = ":preview" if preview else ""
    actions.append(Action(
        id=f"sonic:encode{suffix}", kind="sonic.encode",
        params={"fps": project.format.fps, "frames": project.duration_frames, "preview": preview},
        inputs={"master": ActionInput("sonic:mix", "master")}, outputs=(Output("audio"),),
        cost=round(seconds * SECONDS_PER_SECOND["encode"], 3),
    ))
    return actions


def _mix_request(compiled: Compiled) -> tuple[dict, dict]:
    """MixRequest params with paths as ``input:<name>``, and the inputs they name."""
    from cmfc.check.assets import sfx_names
    from cmfc.mix import MixRequest, resolve_cues

    project = compiled.project
    root = compiled.location.root
    inputs: dict = {"voice_clean": ActionInput("sonic:voice_clean", "voice_clean")}
    library = sfx_names(root / project.sfx_library) if project.sfx_library else {}
    cues = resolve_cues(project, library)
    sfx_inputs: dict[str, str] = {}
    cue_params = []
    for cue in cues:
        relative = Path(cue.path).resolve().relative_to(root.resolve()).as_posix()
        name = sfx_inputs.setdefault(relative, f"sfx_{len(sfx_inputs)}")
        inputs[name] = FileInput(relative)
        cue_params.append({"start": cue.start, "path": f"input:{name}", "gain_db": cue.gain_db, "impact": cue.impact})
    arc = compiled.frameworks.arcs.get(project.music.arc) if project.music and project.music.arc else None
    duration_s = project.duration_samples / 48_000
    music_path = vocals_path = None
    if project.music is not None:
        inputs["music"] = FileInput(project.music.path)
        music_path = "input:music"
        if project.music.stems and stems_available():
            inputs["music"] = ActionInput(STEMS_ID, "band")
            inputs["music_vocals"] = ActionInput(STEMS_ID, "vocals")
            vocals_path = "input:music_vocals"
    request = MixRequest(
        duration_samples=project.duration_samples,
        voice_path="input:voice_clean",
        music_path=music_path,
        arc_points=tuple(tuple(point) for point in arc.energy) if arc else ((0.0, 1.0), (1.0, 1.0)),
        duck_db=float(project.music.duck.db) if project.music else -12.0,
        payoff_s=round(arc.payoff_at * duration_s, 3) if arc else None,
        speech=tuple((w.start, w.end) for w in compiled.words),
        target_lufs=float(project.voice.loudness.lufs),
        bass_dip_db=float(arc.impacts.bass_dip_db) if arc else -6.0,
        dip_ms=int(arc.impacts.dip_ms) if arc else 250,
        music_fit="surgery" if music_analysed(compiled) else "loop",
        music_vocals_path=vocals_path,
    )
    params = request.params()
    params["cues"] = cue_params
    return params, inputs
