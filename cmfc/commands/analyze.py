"""``cmfc analyze AUDIO``: what the compiler hears in a music track (tempo, beats, sections, energy)."""

from __future__ import annotations

import json
import sys

import click

from cmfc.diagnostics import CmfError, render

SPARKS = " ▁▂▃▄▅▆▇█"


@click.command("analyze")
@click.argument("audio", type=click.Path(dir_okay=False, path_type=str))
@click.option("--json", "as_json", is_flag=True, help="Print the analysis as JSON (times in seconds).")
def analyze_command(audio: str, as_json: bool) -> None:
    """Analyse a music track: tempo, beat grid, downbeats, onsets, sections and energy.

    \b
    Example:
      cmfc analyze audio/bed.wav --json
    """
    from cmfc.sonic.analysis import analyze_music
    from cmfc.sonic.audio_io import load_audio

    try:
        samples, sr = load_audio(audio)
    except CmfError as error:
        for diagnostic in error.diagnostics:
            click.echo(render(diagnostic), err=True)
        sys.exit(1)
    analysis = analyze_music(samples, sr)
    if as_json:
        click.echo(json.dumps(analysis.to_json_dict(), sort_keys=True))
    else:
        click.echo(summary(audio, analysis.to_json_dict()))


def summary(name: str, data: dict) -> str:
    """A few readable lines: length, tempo, counts, the sections and an energy sparkline."""
    bars = max(0, len(data["downbeats"]))
    lines = [
        f"{name}: {_clock(data['duration'])}, {data['tempo']:.1f} BPM, {len(data['beats'])} beats, "
        f"{bars} bars, {len(data['onsets'])} onsets",
        "sections:",
    ]
    for section in data["sections"]:
        lines.append(f"  {_clock(section['start'])}–{_clock(section['end'])}  {section['label']:<7} "
                     f"({section['group']})  energy {section['energy']:.2f}")
    lines.append("energy: " + sparkline(data["energy"], 60))
    return "\n".join(lines)


def sparkline(values: list[float], width: int) -> str:
    """The curve squeezed into ``width`` block characters (each the max of its slice)."""
    if not values:
        return ""
    step = max(1, -(-len(values) // width))
    peaks = [max(values[i: i + step]) for i in range(0, len(values), step)]
    return "".join(SPARKS[min(len(SPARKS) - 1, int(round(v * (len(SPARKS) - 1))))] for v in peaks)


def _clock(seconds: float) -> str:
    minutes, rest = divmod(float(seconds), 60)
    return f"{int(minutes)}:{rest:05.2f}"
