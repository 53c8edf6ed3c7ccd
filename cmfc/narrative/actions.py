"""`cmfc stage1` as build actions: transcribe -> mine -> script -> blueprint, cached like every build step.

Each action's key holds what its answer depends on: the prompt file's digest, the model id, the
temperature and the other stage-1 settings (params), and its inputs' digests (the recording, the
transcript, the premises, the script). A re-run is all cache hits and asks nothing; editing a
prompt re-runs exactly the actions that use it. Agents' own answers are kept content-addressed
under ``.cmfc/agents/`` too, so a rerun after a failure resumes where it stopped.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

from cmfc.build import Action, ActionInput, FileInput, Output, register
from cmfc.diagnostics import CmfError, Diagnostic, Span
from cmfc.fsutil import atomic_write_text
from cmfc.narrative.config import Stage1Config, load_config

OUT = "stage1"
SHORT = f"{OUT}/short"
SPEC_NAME = "short"
SHORT_FILES = {"spec": f"{SHORT}/{SPEC_NAME}.cmf", "blueprint": f"{SHORT}/{SPEC_NAME}.blueprint.yaml",
               "voice": f"{SHORT}/audio/voice.wav", "words": f"{SHORT}/audio/voice.words.json",
               "config": f"{SHORT}/cmfc.toml", "production": f"{SHORT}/production_blueprint.json"}


def stage1_actions(audio: str, config: Stage1Config, transcript_from: str | None = None, premise: int = 1,
                   music: str | None = None) -> list[Action]:
    """The four actions for ``audio`` (project-relative), reading ``transcript_from`` instead of transcribing."""
    from cmfc.narrative.agents import load_prompt

    def digest(name: str) -> str:
        return load_prompt(name, config.root).digest

    agent = {"model": config.resolved_model(), "temperature": config.temperature, "max_tokens": config.max_tokens,
             "pause_threshold": config.pause_threshold}
    inputs = {"audio": FileInput(audio)}
    if transcript_from:
        inputs["from"] = FileInput(transcript_from)
    return [
        Action("stage1:transcribe", "stage1.transcribe", params={"from": bool(transcript_from)}, inputs=inputs,
               outputs=(Output("transcript", f"{OUT}/transcript.json"),), cost=60.0),
        Action("stage1:mine", "stage1.mine",
               params={**agent, "prompt": digest("premise_hunter"), "chunk_words": config.chunk_words,
                       "overlap_words": config.overlap_words, "banned": list(config.banned_phrases)},
               inputs={"transcript": ActionInput("stage1:transcribe", "transcript")},
               outputs=(Output("analysis", f"{OUT}/premise_analysis.json"),), cost=30.0),
        Action("stage1:script", "stage1.script", params={**agent, "prompt": digest("script_composer"),
                                                         "premise": premise, "audio": audio},
               inputs={"transcript": ActionInput("stage1:transcribe", "transcript"),
                       "analysis": ActionInput("stage1:mine", "analysis")},
               outputs=(Output("script", f"{OUT}/final_script.json"),), cost=30.0),
        Action("stage1:blueprint", "stage1.blueprint", params={**agent, "prompt": digest("blueprint_architect"),
                                                               "music": music},
               inputs={"transcript": ActionInput("stage1:transcribe", "transcript"),
                       "script": ActionInput("stage1:script", "script"), "audio": FileInput(audio),
                       **({"music": FileInput(music)} if music else {})},
               outputs=tuple(Output(name, path, origin="compiled") for name, path in SHORT_FILES.items()), cost=20.0),
    ]


def _agents(ctx):
    from cmfc.narrative.agents import Agents

    return Agents(load_config(ctx.project_root), echo=ctx.log)


def _failing(ctx, error: Exception, where: str) -> CmfError:
    """An agent failure as a diagnostic on the file the action was working on (no traceback)."""
    return CmfError([Diagnostic(Span(where), str(error))])


@register("stage1.transcribe", version="1")
def _transcribe(ctx) -> None:
    from cmfc.narrative.transcribe import TranscriberMissing, transcribe
    from cmfc.narrative.transcript import read_transcript

    if ctx.params["from"]:
        transcript = read_transcript(ctx.input_path("from"), ctx.action.inputs["from"].path)
    else:
        try:
            transcript = transcribe(ctx.input_path("audio"))
        except TranscriberMissing as error:
            raise _failing(ctx, error, ctx.action.inputs["audio"].path) from None
    ctx.output_path("transcript").write_text(transcript.to_json(), encoding="utf-8")
    ctx.log(f"{len(transcript.words)} words, {transcript.duration:.1f}s")


@register("stage1.mine", version="1")
def _mine(ctx) -> None:
    from cmfc.narrative.agents import AgentError
    from cmfc.narrative.hunter import mine
    from cmfc.narrative.transcript import read_transcript

    transcript = read_transcript(ctx.input_path("transcript"), f"{OUT}/transcript.json")
    try:
        analysis = mine(transcript, _agents(ctx), f"{OUT}/transcript.json")
    except AgentError as error:
        raise _failing(ctx, error, f"{OUT}/transcript.json") from None
    ctx.output_path("analysis").write_text(json.dumps(analysis, sort_keys=True, indent=1) + "\n", encoding="utf-8")


@register("stage1.script", version="1")
def _script(ctx) -> None:
    from cmfc.narrative.agents import AgentError
    from cmfc.narrative.composer import compose
    from cmfc.narrative.transcript import read_transcript

    transcript = read_transcript(ctx.input_path("transcript"), f"{OUT}/transcript.json")
    analysis = json.loads(ctx.input_path("analysis").read_text(encoding="utf-8"))
    premise = pick_premise(analysis, ctx.params["premise"], f"{OUT}/premise_analysis.json")
    try:
        script = compose(transcript, premise, _agents(ctx), f"{OUT}/transcript.json", ctx.params["audio"])
    except AgentError as error:
        raise _failing(ctx, error, f"{OUT}/premise_analysis.json") from None
    ctx.output_path("script").write_text(json.dumps(script, sort_keys=True, indent=1) + "\n", encoding="utf-8")


def pick_premise(analysis: dict, number: int, where: str) -> dict:
    """Premise ``number`` (1 = best) of an analysis; CmfError listing what there is otherwise."""
    premises = analysis.get("premises") or []
    if not 1 <= number <= len(premises):
        listed = "; ".join(f"{p['rank']}. {p['title']}" for p in premises)
        raise CmfError([Diagnostic(Span(where), f"there is no premise {number}: the analysis has {len(premises)}",
                                   hint=listed or None)])
    return premises[number - 1]


@register("stage1.blueprint", version="1")
def _blueprint(ctx) -> None:
    from cmfc.narrative.transcript import read_transcript

    transcript = read_transcript(ctx.input_path("transcript"), f"{OUT}/transcript.json")
    script = json.loads(ctx.input_path("script").read_text(encoding="utf-8"))
    music = ctx.input_path("music") if "music" in ctx.action.inputs else None
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        produced = build_short(script, transcript, ctx.input_path("audio"), root, _agents(ctx), music, SPEC_NAME,
                               f"{OUT}/final_script.json")
        for name, path in produced.items():
            shutil.copyfile(path, ctx.output_path(name))


def build_short(script: dict, transcript, audio: Path, root: Path, agents, music: Path | None, name: str,
                where: str) -> dict[str, Path]:
    """Map, cut, write and check the short in ``root``; CmfError (the check's own diagnostics) when it fails."""
    from cmfc.check import load
    from cmfc.frameworks.load import load_frameworks
    from cmfc.narrative.agents import AgentError
    from cmfc.narrative.architect import blueprint_data, cut_voice, production_blueprint, write_spec

    frameworks = load_frameworks(agents.config.root / "frameworks" if (agents.config.root / "frameworks").is_dir()
                                 else None)
    try:
        from cmfc.narrative.architect import plan_blueprint

        plan = plan_blueprint(script, agents, frameworks)
    except AgentError as error:
        raise CmfError([Diagnostic(Span(where), str(error))]) from None
    music_rel = None
    if music is not None:
        music_rel = f"audio/music{music.suffix.lower()}"
        (root / "audio").mkdir(parents=True, exist_ok=True)
        shutil.copyfile(music, root / music_rel)
    cut_voice(script, transcript, audio, root)
    data = blueprint_data(script, plan, music_rel)
    cmf_path, yaml_path = write_spec(data, root, name)
    atomic_write_text(root / "production_blueprint.json",
                      production_blueprint(script, plan, [c.to_json() for c in agents.calls]))
    try:
        load(str(cmf_path))
    except CmfError as error:
        raise CmfError([Diagnostic(Span(where), "the blueprint does not pass cmfc check; its errors follow"),
                        *error.diagnostics]) from None
    return {"spec": cmf_path, "blueprint": yaml_path, "voice": root / "audio" / "voice.wav",
            "words": root / "audio" / "voice.words.json", "config": root / "cmfc.toml",
            "production": root / "production_blueprint.json"}
