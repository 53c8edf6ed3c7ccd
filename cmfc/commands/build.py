"""`cmfc plan | build | explain | graph | clean | gc`: the build graph from the command line."""

from __future__ import annotations

from pathlib import Path

import click

from cmfc.cli import report_errors
from cmfc.commands.remote_flags import executor_option, remote_for, remote_options


def _load_plan(spec: str | None, preview: bool = False, render: bool = True, comfyui: tuple[str, ...] | None = None):
    """Compile the spec and plan its actions; returns (compiled, actions).

    With ``comfyui`` (not None: a build) the configured ComfyUI servers are asked for their identity and
    every take becomes a generation action; without, scenes that need a generator keep their cards.

    The music's analysis is left to the build graph (unless a cut snaps to it), where it runs beside
    the first renders instead of before them.
    """
    from cmfc.check import load
    from cmfc.plan import PlanOptions, plan_project

    compiled = load(spec, defer_music=True)
    generator = None
    if comfyui is not None and render:
        from cmfc.executors.setup import prepare

        _, generator = prepare(compiled.location.root, comfyui, lambda line: click.echo(line, err=True))
    compositor = None
    if comfyui is not None and render:
        from cmfc.executors.composite import prepare_compositor

        compositor = prepare_compositor(compiled.location.root, lambda line: click.echo(line, err=True))
    return compiled, plan_project(compiled, PlanOptions(render=render, preview=preview, generator=generator,
                                                        compositor=compositor))


def _manifest_path(compiled) -> str:
    return f"03_OUTPUT/{compiled.project.id}/manifest.json"


@click.command("plan")
@click.argument("spec", required=False)
@remote_options
@report_errors
def plan_command(spec: str | None, remote_url: str | None, remote_read_only: bool) -> None:
    """Show the actions a build would run, each with why and which executor runs it.

    \b
    Example:
      cmfc plan my-short
    """
    from cmfc.build import plan

    compiled, actions = _load_plan(spec, comfyui=())  # the configured ComfyUI servers, as a build would
    remote = remote_for(compiled.location.root, remote_url, remote_read_only)
    result = plan(actions, compiled.location.root, remote=remote)
    for step in result.steps:
        if step.state == "cached":
            continue
        scene = f" [{step.action.scene}]" if step.action.scene else ""
        click.echo(f"run  {step.action.id}{scene}  ({step.action.executor}): {step.why_text}")
    for step in result.steps:
        if step.state == "cached" and step.restore:
            click.echo(f"restore {step.action.id}: {step.why_text}")
    click.echo(result.summary())
    if remote is not None:
        click.echo(remote.stats.summary())
    from cmfc.plan.estimate import estimate

    # No remote executor runs generation yet: the estimate says what the compiled payloads would cost.
    click.echo(estimate(compiled).summary())


@click.command("build")
@click.argument("specs", nargs=-1, metavar="[SPEC]...")
@click.option("-j", "--jobs", default=2, show_default=True, type=click.IntRange(1, 64), help="Actions run in parallel.")
@click.option("--keep-going", is_flag=True, help="Go on after a failure; failed scenes get marked placeholders.")
@click.option("--dry-run", is_flag=True, help="Say what would run; run nothing.")
@click.option("--report", "report_file", type=click.Path(dir_okay=False), help="Write the build report as JSON.")
@click.option("--tries", default=3, show_default=True, type=click.IntRange(1, 10), help="Tries for transient failures.")
@click.option("--preview", is_flag=True, help="The rough cut: quarter size, fast encoder, cached apart from the master.")
@click.option("--compile-only", is_flag=True, help="Only the compiled files (ComfyUI, Natron, timelines, captions).")
@click.option("--media-root", type=click.Path(file_okay=False), default=None,
              help="Where the project folder will be when Resolve opens the timelines (default: where it is now).")
@click.option("--force", is_flag=True, help="Overwrite outputs you edited instead of moving them aside (NAME.edited-N).")
@click.option("--progress-every", "progress_every", default=10.0, show_default=True, type=click.FloatRange(0),
              metavar="SECONDS", help="When stderr is not a terminal (CI, | tee): seconds between "
              "'n/N actions, elapsed, ETA' lines (0: after every action).")
@click.option("--comfyui", "comfyui", multiple=True, metavar="URL",
              help="A ComfyUI server to generate takes on (repeatable; replaces cmfc.toml [executors] comfyui).")
@remote_options
@executor_option
@report_errors
def build_command(specs: tuple[str, ...], jobs: int, keep_going: bool, dry_run: bool, report_file: str | None,
                  tries: int, preview: bool, compile_only: bool, media_root: str | None, force: bool,
                  progress_every: float, remote_url: str | None, remote_read_only: bool, executor: str | None,
                  comfyui: tuple[str, ...] = ()) -> None:
    """Execute what is out of date, in parallel, and materialise 03_OUTPUT; exit non-zero if anything failed.

    The finished video lands in 03_OUTPUT/<ID>/05_assembly/<ID>_FINAL.mp4 (<ID>_PREVIEW.mp4 with --preview).
    Ctrl-C or SIGTERM stops the build and the ffmpeg runs it started; the next build resumes from what finished.

    Several SPECs (or a folder of project folders) build as one batch: see `cmfc batch`.

    \b
    Example:
      cmfc build my-short -j 4 --report build.json

    \b
    Exit codes:
      0    everything built (or was up to date)
      1    a spec error, or an action failed (see the table)
      2    a usage error (no such spec, a bad option)
      130  stopped by Ctrl-C (SIGINT)
      143  stopped by SIGTERM (a CI cancel, a process manager)
    """
    import contextlib

    from cmfc import sealed
    from cmfc.build import build
    from cmfc.build.progress import make_progress
    from cmfc.children import RESUME_NOTE, stopping_children_on_signals
    from cmfc.commands.batch import batch_command, is_batch

    if is_batch(specs):  # the day's batch: one pool, one table, one report
        click.get_current_context().invoke(
            batch_command, specs=specs, jobs=jobs, keep_going=keep_going, dry_run=dry_run, report_file=report_file,
            tries=tries, preview=preview, compile_only=compile_only, remote_url=remote_url,
            remote_read_only=remote_read_only, executor=executor)
    spec = specs[0] if specs else None
    from cmfc.fsutil import atomic_write_text
    from cmfc.project import UsageError

    if report_file and not Path(report_file).resolve().parent.is_dir():
        raise UsageError(f"--report {report_file}: the folder {Path(report_file).parent} does not exist")
    with sealed.read_only() if dry_run else contextlib.nullcontext():  # a dry run creates nothing
        compiled, actions = _load_plan(spec, preview=preview, render=not compile_only,
                                       comfyui=tuple(comfyui))
    resolve_root = Path(media_root).resolve() if media_root else None
    remote = remote_for(compiled.location.root, remote_url, remote_read_only)
    from cmfc.build.fanout import registry_for

    registry = registry_for(compiled.location.root, executor)
    with stopping_children_on_signals(RESUME_NOTE):  # SIGTERM/Ctrl-C stop the running ffmpeg too, not only cmfc
        report = build(actions, compiled.location.root, jobs=jobs, keep_going=keep_going, dry_run=dry_run,
                       tries=tries, progress=make_progress(True, progress_every), manifest=_manifest_path(compiled),
                       force=force, extras=lambda: localized_timelines(compiled, resolve_root), remote=remote,
                       registry=registry)
    from rich.console import Console

    report.render(Console(stderr=True))
    if report_file:
        from cmfc.build.oserrors import disk_errors

        with disk_errors(path=report_file):  # a full disk or read-only folder: a sentence, the old report intact
            atomic_write_text(report_file, report.to_json())
    if not dry_run:  # the results, on stdout (the table, progress and diagnostics are on stderr)
        timelines = resolve_line(compiled.location.root, report.extras)
        if timelines:
            click.echo(timelines)
        video = finished_video(compiled, actions, report)
        if video:
            click.echo(video)
    raise SystemExit(report.exit_code)


def resolve_line(root: Path, paths: list[str]) -> str | None:
    """The Resolve timelines in one line: ``Resolve timelines: <folder>/ (ID.xml, ID.fcpxml, ID.otio)``."""
    if not paths:
        return None
    order = {".xml": 0, ".fcpxml": 1, ".otio": 2}
    files = sorted((root / p for p in paths), key=lambda f: (str(f.parent), order.get(f.suffix, 3), f.name))
    folders = sorted({from_here(f.parent) for f in files})
    if len(folders) > 1:
        return "Resolve timelines: " + ", ".join(from_here(f) for f in files)
    return f"Resolve timelines: {folders[0]}/ ({', '.join(f.name for f in files)})"


def finished_video(compiled, actions, report) -> str | None:
    """``Video: <path> (0:05.00 at 24 fps, 1080x1920)`` once the build assembled it, with a word on placeholders."""
    from cmfc.render.encode import output_size

    mux = next((action for action in actions if action.kind == "assemble.mux"), None)
    if mux is None or report.result(mux.id).status not in ("ran", "cached"):
        return None
    project = compiled.project
    seconds = project.duration_frames / project.format.fps
    width, height = output_size(project.format.width, project.format.height, mux.id.endswith(":preview"))
    length = f"{int(seconds // 60)}:{seconds % 60:05.2f}"
    line = (f"Video: {from_here(compiled.location.root / mux.outputs[0].path)} ({length} at {project.format.fps} fps, "
            f"{width}x{height})")
    stand_ins = sorted({r.scene for r in report.results if r.status == "placeholder" and r.scene})
    if stand_ins:
        line += f"; black placeholders for {', '.join(stand_ins)} (failed, see above)"
    return line


def from_here(path: Path) -> str:
    """``path`` as the user can type it from the working directory: relative below it, else absolute."""
    import os

    absolute = path.resolve()
    try:
        return str(absolute.relative_to(Path.cwd().resolve()))
    except ValueError:
        return os.fspath(absolute)


def localized_timelines(compiled, media_root: Path | None = None) -> dict[str, bytes]:
    """Copies of the Resolve timelines with absolute file:// URLs, next to the media they link
    (project path -> bytes; the build writes them under its lock, temp files in .cmfc/tmp).

    The built (portable, relative-URL) files in 05_assembly/resolve/ stay what the manifest records;
    these copies in 05_assembly/ are for Resolve, which links media only by absolute URL.
    """
    from cmfc.backends.resolve.urls import export_folder, localize

    project_id = compiled.project.id
    root = compiled.location.root
    built = export_folder(root, project_id) / "resolve"
    copies = {}
    for kind in ("xml", "fcpxml", "otio"):
        portable = built / f"{project_id}.{kind}"
        if not portable.is_file():
            continue
        data = localize(portable.read_bytes(), kind, export_folder(media_root or root.resolve(), project_id))
        target = export_folder(root, project_id) / f"{project_id}.{kind}"
        copies[target.relative_to(root).as_posix()] = data
    return copies


@click.command("explain")
@click.argument("first", metavar="[SPEC]")
@click.argument("second", required=False, metavar="TARGET")
@remote_options
@report_errors
def explain_command(first: str, second: str | None, remote_url: str | None, remote_read_only: bool) -> None:
    """Why TARGET (an action id or an output path) is, or is not, up to date.

    With one argument it is TARGET, in the project around the working folder.

    \b
    Example:
      cmfc explain my-short render:SC_01
    """
    from cmfc.build import explain

    spec, target = (first, second) if second is not None else (None, first)
    compiled, actions = _load_plan(spec, comfyui=())
    remote = remote_for(compiled.location.root, remote_url, remote_read_only)
    click.echo(explain(actions, compiled.location.root, target, remote=remote))


@click.command("graph")
@click.argument("spec", required=False)
@click.option("--format", "fmt", type=click.Choice(["dot", "json"]), default="dot", show_default=True)
@report_errors
def graph_command(spec: str | None, fmt: str) -> None:
    """Print the build graph as Graphviz DOT (for a picture) or JSON (for tools).

    \b
    Example:
      cmfc graph my-short | dot -Tsvg > graph.svg
    """
    from cmfc.build import graph_dot, graph_json

    _, actions = _load_plan(spec)
    click.echo(graph_dot(actions) if fmt == "dot" else graph_json(actions), nl=False)


@click.command("clean")
@click.argument("spec", required=False)
@click.option("--force", is_flag=True, help="Delete outputs you edited too, instead of moving them aside.")
@report_errors
def clean_command(spec: str | None, force: bool) -> None:
    """Remove every file the builds wrote into the project and the folders left empty (the cache stays:
    the next build restores them). An output you edited is moved aside to NAME.edited-N, not deleted.

    \b
    Example:
      cmfc clean my-short
    """
    from cmfc.build import clean
    from cmfc.project import locate

    location = locate(spec)
    click.echo(clean(location.root, force=force).summary())


@click.command("gc")
@click.argument("spec", required=False)
@report_errors
def gc_command(spec: str | None) -> None:
    """Delete cache entries no longer referenced by the current plan or the last build, with sizes.

    \b
    Example:
      cmfc gc my-short
    """
    from cmfc.build import gc

    compiled, actions = _load_plan(spec)
    click.echo(gc(actions, compiled.location.root).summary())


build_commands = [plan_command, build_command, explain_command, graph_command, clean_command, gc_command]
