"""`cmfc storyboard | timeline`: pictures of a project to look at before (and after) a build."""

from __future__ import annotations

from pathlib import Path

import click

from cmfc.cli import report_errors

WIDTH = click.IntRange(480, 8000)


@click.command("storyboard")
@click.argument("spec", required=False)
@click.option("--out", "out_file", type=click.Path(dir_okay=False),
              help="PNG to write (default: 03_OUTPUT/<ID>/01_narrative/<ID>_STORYBOARD.png in the project).")
@click.option("--width", default=1600, show_default=True, type=WIDTH, help="Sheet width in pixels.")
@report_errors
def storyboard_command(spec: str | None, out_file: str | None, width: int) -> None:
    """Draw a contact sheet of SPEC: one cell per scene with its frame, id, template, slot and line.

    The frame is the scene's hero image, the middle frame of its clip, or a storyboard card
    with the prompt where a generator would make the shot.
    """
    from cmfc.check import load
    from cmfc.visuals.storyboard import render_storyboard, storyboard_path

    compiled = load(spec)
    root = compiled.location.root
    png = render_storyboard(compiled.project, root, width)
    _write(png, out_file or root / storyboard_path(compiled.project))


@click.command("timeline")
@click.argument("spec", required=False)
@click.option("--png", "as_png", is_flag=True, help="Draw the timeline as a PNG instead of printing it.")
@click.option("--out", "out_file", type=click.Path(dir_okay=False),
              help="PNG to write (default: 03_OUTPUT/<ID>/01_narrative/<ID>_TIMELINE.png in the project).")
@click.option("--width", default=1600, show_default=True, type=WIDTH, help="Picture width in pixels (--png).")
@report_errors
def timeline_command(spec: str | None, as_png: bool, out_file: str | None, width: int) -> None:
    """Show SPEC's timeline: scenes with their slots and lines, or with --png one picture of the
    waveform (the mix master once built, else the voice), music, scene cuts, beats and caption groups.
    """
    from cmfc.check import load
    from cmfc.project import UsageError

    compiled = load(spec)
    if not as_png:
        if out_file:
            raise UsageError("--out writes a picture: add --png")
        click.echo(timeline_text(compiled.project))
        return
    from cmfc.visuals.timeline_png import render_timeline, timeline_path

    root = compiled.location.root
    png = render_timeline(compiled.project, compiled.words, root, width)
    _write(png, out_file or root / timeline_path(compiled.project))


def timeline_text(project) -> str:
    """One line per scene: id, template, slot in seconds, and the line."""
    from cmfc.visuals.drawing import clock

    fps = project.format.fps
    rows = [f"{project.id}: {len(project.scenes)} scenes, {clock(project.duration_frames / fps)} at {fps} fps"]
    id_width = max((len(s.id) for s in project.scenes), default=0)
    template_width = max((len(s.template) for s in project.scenes), default=0)
    for scene in project.scenes:
        slot = f"{clock(scene.slot.start / fps)}–{clock(scene.slot.end / fps)}"
        line = f'"{scene.line}"' if scene.line else ""
        rows.append(f"  {scene.id:<{id_width}}  {scene.template:<{template_width}}  {slot}  {line}".rstrip())
    return "\n".join(rows)


def _write(png: bytes, target: str | Path) -> None:
    """Write atomically and print the path: as typed for --out, else relative to the working folder."""
    from cmfc.fsutil import atomic_write_bytes
    from cmfc.project import display_path

    atomic_write_bytes(target, png)
    click.echo(target if isinstance(target, str) else display_path(target))


visual_commands = [storyboard_command, timeline_command]
