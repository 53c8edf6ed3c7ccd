"""`cmfc transcribe | mine | script | blueprint | stage1`: a long recording becomes a checked `.cmf` spec (stage 1)."""

from __future__ import annotations

import json
from functools import wraps
from pathlib import Path

import click

from cmfc.cli import report_errors


def agent_errors(command):
    """AgentError (no key, the API gave up, every try broke the rules) as ``cmfc: error: ...``, exit 1."""

    @wraps(command)
    def wrapper(*args, **kwargs):
        from cmfc.narrative.agents import AgentError

        try:
            return command(*args, **kwargs)
        except AgentError as error:
            click.echo(f"cmfc: error: {error}", err=True)
            raise SystemExit(1) from None

    return wrapper


def _root(path: Path) -> Path:
    from cmfc.project import find_root

    return find_root(path.resolve().parent)


def _existing(path: str, what: str) -> Path:
    from cmfc.project import UsageError

    given = Path(path)
    if not given.is_file():
        raise UsageError(f"{path}: no such {what}")
    return given


def _agents(root: Path):
    from cmfc.narrative.agents import Agents
    from cmfc.narrative.config import load_config

    return Agents(load_config(root), echo=lambda line: click.echo(f"  {line}", err=True))


def _write_json(path: Path, data: dict) -> None:
    from cmfc.fsutil import atomic_write_text

    atomic_write_text(path, json.dumps(data, sort_keys=True, indent=1) + "\n")


def _costs(agents) -> str:
    spent = sum(c.cost_usd for c in agents.calls if not c.cached)
    reused = sum(1 for c in agents.calls if c.cached)
    return f"{len(agents.calls)} agent call{'s' if len(agents.calls) != 1 else ''}, ${spent:.4f} spent" + \
        (f" ({reused} answered from the store)" if reused else "")


@click.command("transcribe")
@click.argument("audio", type=click.Path(dir_okay=False))
@click.option("--out", "out_file", type=click.Path(dir_okay=False), help="Where to write (default: AUDIO.words.json).")
@click.option("--from", "from_file", type=click.Path(dir_okay=False),
              help="Read this transcript (WhisperX/faster-whisper .json, .srt, .vtt) instead of running a recogniser.")
@click.option("--model", "model_size", default="large-v3", show_default=True, help="Whisper model size.")
@click.option("--language", default=None, help="Language code (default: detected).")
@report_errors
def transcribe_command(audio: str, out_file: str | None, from_file: str | None, model_size: str,
                       language: str | None) -> None:
    """Transcribe AUDIO to word timings in WhisperX's JSON form (every word timed).

    \b
    Example:
      cmfc transcribe talk.wav                         # WhisperX or faster-whisper, whichever is installed
      cmfc transcribe talk.wav --from talk.srt --out talk.words.json
    """
    from cmfc.narrative.transcribe import TranscriberMissing, transcribe
    from cmfc.narrative.transcript import read_transcript

    source = Path(audio)
    out = Path(out_file) if out_file else source.with_name(source.stem + ".words.json")
    if from_file:
        transcript = read_transcript(_existing(from_file, "transcript"), from_file)
    else:
        _existing(audio, "recording")
        try:
            transcript = transcribe(source, model_size, language)
        except TranscriberMissing as error:
            click.echo(f"cmfc: error: {error}", err=True)
            raise SystemExit(1) from None
    from cmfc.fsutil import atomic_write_text

    atomic_write_text(out, transcript.to_json())
    untimed = sum(1 for w in transcript.words if w.interpolated)
    click.echo(f"{out}: {len(transcript.words)} words, {transcript.duration:.1f}s"
               + (f"; {untimed} untimed word{'s' if untimed != 1 else ''} given interpolated times" if untimed else ""))


@click.command("mine")
@click.argument("transcript", type=click.Path(dir_okay=False))
@click.option("--out", "out_file", type=click.Path(dir_okay=False),
              help="Where to write (default: premise_analysis.json beside TRANSCRIPT).")
@report_errors
@agent_errors
def mine_command(transcript: str, out_file: str | None) -> None:
    """The Premise Hunter: 3-5 ranked 60-second premises from TRANSCRIPT, each on exact passages.

    \b
    Example:
      cmfc mine talk.words.json          # writes premise_analysis.json; needs ANTHROPIC_API_KEY
    """
    from cmfc.narrative.hunter import mine
    from cmfc.narrative.transcript import read_transcript

    path = _existing(transcript, "transcript")
    words = read_transcript(path, transcript)
    agents = _agents(_root(path))
    analysis = mine(words, agents, path.name)
    out = Path(out_file) if out_file else path.with_name("premise_analysis.json")
    _write_json(out, analysis)
    for premise in analysis["premises"]:
        s = premise["scores"]
        click.echo(f"{premise['rank']}. {premise['title']}  (trinity {s['trinity']} = {s['surprise']}x{s['emotion']}"
                   f"x{s['specificity']}; {len(premise['passages'])} passage{'s' if len(premise['passages']) != 1 else ''})")
    click.echo(f"{out}: {len(analysis['premises'])} premises; {_costs(agents)}")


@click.command("script")
@click.argument("transcript", type=click.Path(dir_okay=False))
@click.option("--premise", "premise_number", default=1, show_default=True, type=int, help="Which premise (1 = best).")
@click.option("--analysis", type=click.Path(dir_okay=False), help="default: premise_analysis.json beside TRANSCRIPT.")
@click.option("--audio", type=click.Path(dir_okay=False), help="The recording (recorded in the script for blueprint).")
@click.option("--out", "out_file", type=click.Path(dir_okay=False), help="default: final_script.json beside TRANSCRIPT.")
@report_errors
@agent_errors
def script_command(transcript: str, premise_number: int, analysis: str | None, audio: str | None,
                   out_file: str | None) -> None:
    """The Script Composer: blocks of the speaker's own words for one premise (the Verbatim Mandate).

    \b
    Example:
      cmfc script talk.words.json --premise 2 --audio talk.wav
    """
    from cmfc.narrative.actions import pick_premise
    from cmfc.narrative.composer import compose
    from cmfc.narrative.transcript import read_transcript

    path = _existing(transcript, "transcript")
    analysis_path = _existing(analysis or str(path.with_name("premise_analysis.json")), "premise analysis (run cmfc mine)")
    premise = pick_premise(json.loads(analysis_path.read_text(encoding="utf-8")), premise_number, str(analysis_path))
    root = _root(path)
    audio_rel = None
    if audio:
        audio_rel = Path(_existing(audio, "recording")).resolve().relative_to(root.resolve()).as_posix() \
            if root.resolve() in Path(audio).resolve().parents else str(Path(audio).resolve())
    agents = _agents(root)
    script = compose(read_transcript(path, transcript), premise, agents, path.name, audio_rel)
    out = Path(out_file) if out_file else path.with_name("final_script.json")
    _write_json(out, script)
    for index, block in enumerate(script["blocks"], 1):
        flag = f"  [pause {block['pauses'][0]['seconds']:.2f}s inside]" if block["pauses"] else ""
        click.echo(f"{index:2d}. {block['start']:7.2f}s  {block['text']}{flag}")
    click.echo(f"{out}: {len(script['blocks'])} blocks, {script['speech_seconds']:.1f}s of speech; {_costs(agents)}")


@click.command("blueprint")
@click.argument("script", type=click.Path(dir_okay=False))
@click.option("--audio", type=click.Path(dir_okay=False), help="The recording (default: the one the script names).")
@click.option("--music", type=click.Path(dir_okay=False), help="A music bed (the architect's sonic arc applies to it).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False), help="default: a folder named after the project.")
@report_errors
@agent_errors
def blueprint_command(script: str, audio: str | None, music: str | None, out_dir: str | None) -> None:
    """The Blueprint Architect: SCRIPT becomes a .cmf spec (and its YAML blueprint) that passes `cmfc check`.

    \b
    Example:
      cmfc blueprint final_script.json --music bed.wav --out my-short
    """
    from cmfc.narrative.actions import build_short
    from cmfc.narrative.architect import project_id
    from cmfc.narrative.transcript import read_transcript
    from cmfc.project import UsageError, display_path

    path = _existing(script, "script")
    data = json.loads(path.read_text(encoding="utf-8"))
    root = _root(path)
    recording = audio or data.get("audio")
    if not recording:
        raise UsageError("the script names no recording: give it with --audio FILE")
    recording_path = Path(recording) if audio or Path(recording).is_absolute() else root / recording
    recording_path = _existing(str(recording_path), "recording")
    transcript_path = path.with_name(data["transcript"])
    words = read_transcript(_existing(str(transcript_path), "transcript"), str(transcript_path))
    out = Path(out_dir) if out_dir else path.parent / project_id(data["title"]).lower()
    out.mkdir(parents=True, exist_ok=True)
    agents = _agents(root)
    produced = build_short(data, words, recording_path, out, agents, Path(music) if music else None, None, script)
    click.echo(f"{display_path(produced['spec'])}: checked; blueprint {display_path(produced['blueprint'])}; {_costs(agents)}")
    click.echo(f"next: cmfc build {display_path(out)}")


@click.command("stage1")
@click.argument("audio", type=click.Path(dir_okay=False))
@click.option("--from", "from_file", type=click.Path(dir_okay=False), help="A transcript to use instead of transcribing.")
@click.option("--premise", "premise_number", default=1, show_default=True, type=int, help="Which premise to script.")
@click.option("--music", type=click.Path(dir_okay=False), help="A music bed for the short.")
@click.option("--report", "report_file", type=click.Path(dir_okay=False), help="Write the build report as JSON.")
@report_errors
def stage1_command(audio: str, from_file: str | None, premise_number: int, music: str | None,
                   report_file: str | None) -> None:
    """Run stage 1 on AUDIO as build actions: transcribe, mine, script, blueprint; stop at the first failure.

    Outputs land in stage1/ of the project (the folder holding cmfc.toml, else AUDIO's folder);
    the checked short is stage1/short/. A re-run reuses every answer (no call, no cost).

    \b
    Example:
      cmfc stage1 talk.wav --from talk.srt --music bed.wav
    """
    from cmfc.build import build
    from cmfc.fsutil import atomic_write_text
    from cmfc.narrative.actions import SHORT, stage1_actions
    from cmfc.narrative.config import load_config

    recording = _existing(audio, "recording")
    root = _root(recording)

    def relative(path: str | None, what: str) -> str | None:
        from cmfc.project import UsageError

        if path is None:
            return None
        resolved = _existing(path, what).resolve()
        if root.resolve() not in resolved.parents:
            raise UsageError(f"{path}: the {what} must be inside the project folder {root}")
        return resolved.relative_to(root.resolve()).as_posix()

    actions = stage1_actions(relative(audio, "recording"), load_config(root), relative(from_file, "transcript"),
                             premise_number, relative(music, "music bed"))
    report = build(actions, root, jobs=1, progress=False)
    for result in report.results:
        for line in result.log:
            click.echo(f"  {result.id}: {line}", err=True)
    report.render()
    if report_file:
        atomic_write_text(report_file, report.to_json())
    if report.exit_code:
        raise SystemExit(report.exit_code)
    from cmfc.project import display_path

    click.echo(f"the short is checked: cmfc build {display_path(root / SHORT)}")


stage1_commands = [transcribe_command, mine_command, script_command, blueprint_command, stage1_command]
