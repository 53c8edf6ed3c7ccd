"""`cmfc batch SPEC... | FOLDER`: the day's videos in one build (one worker pool, one table, one report)."""

from __future__ import annotations

from pathlib import Path

import click

from cmfc.cli import report_errors
from cmfc.commands.remote_flags import executor_option, remote_options


def expand_specs(arguments: tuple[str, ...]) -> list[str]:
    """Each argument as a spec, or a folder holding project folders as each of them (sorted)."""
    from cmfc.project import UsageError, locate

    specs: list[str] = []
    for argument in arguments:
        try:
            locate(argument)
            specs.append(argument)
            continue
        except UsageError:
            if not Path(argument).is_dir():
                raise
        inside = []
        for folder in sorted(p for p in Path(argument).iterdir() if p.is_dir() and not p.name.startswith(".")):
            try:
                locate(str(folder))
            except UsageError:
                continue
            inside.append(str(folder))
        if not inside:
            raise UsageError(f"{argument}: neither a spec nor a folder of projects")
        specs.extend(inside)
    return specs


def is_batch(specs: tuple[str, ...]) -> bool:
    """Several specs, or one folder that is not a project but holds projects: a batch."""
    from cmfc.project import UsageError, locate

    if len(specs) != 1:
        return len(specs) > 1
    try:
        locate(specs[0])
        return False
    except UsageError:
        pass
    try:
        return Path(specs[0]).is_dir() and len(expand_specs(specs)) > 0
    except UsageError:
        return False


@click.command("batch")
@click.argument("specs", nargs=-1, required=True)
@click.option("-j", "--jobs", default=2, show_default=True, type=click.IntRange(1, 64), help="Actions run in parallel.")
@click.option("--keep-going", is_flag=True, help="Go on after a failure: the other projects (and the rest of the "
              "failing one) still build; failed scenes get marked placeholders.")
@click.option("--dry-run", is_flag=True, help="Say what would run; run nothing.")
@click.option("--report", "report_file", type=click.Path(dir_okay=False), help="Write the batch's report as JSON.")
@click.option("--tries", default=3, show_default=True, type=click.IntRange(1, 10), help="Tries for transient failures.")
@click.option("--preview", is_flag=True, help="The rough cuts: quarter size, fast encoder.")
@click.option("--compile-only", is_flag=True, help="Only the compiled files (ComfyUI, Natron, timelines, captions).")
@remote_options
@executor_option
@report_errors
def batch_command(specs: tuple[str, ...], jobs: int, keep_going: bool, dry_run: bool, report_file: str | None,
                  tries: int, preview: bool, compile_only: bool, remote_url: str | None, remote_read_only: bool,
                  executor: str | None) -> None:
    """Build several projects in one run: all their actions on one worker pool, longest chains first.

    SPECS are specs or project folders, or a folder holding project folders. Each project keeps its own
    cache and manifest; the table and --report cover the batch, action ids prefixed by project folder.

    \b
    Example:
      cmfc batch today/ -j 4 --keep-going --report batch.json
    """
    from cmfc.build.batch import Project, build_batch
    from cmfc.build.progress import make_progress
    from cmfc.commands.build import _load_plan, _manifest_path, finished_video, localized_timelines
    from cmfc.build.remote import RemoteCache
    from cmfc.children import stopping_children_on_signals
    from cmfc.fsutil import atomic_write_text

    loaded = [_load_plan(spec, preview=preview, render=not compile_only, comfyui=()) for spec in expand_specs(specs)]
    projects, taken = [], set()
    for compiled, actions in loaded:
        name = base = compiled.location.root.name
        count = 1
        while name in taken:
            count += 1
            name = f"{base}-{count}"
        taken.add(name)
        projects.append(Project(name, actions, compiled.location.root, _manifest_path(compiled),
                                extras=lambda compiled=compiled: localized_timelines(compiled)))
    remote = RemoteCache.from_project(projects[0].root, remote_url, remote_read_only)
    from cmfc.build.fanout import registry_for

    registry = registry_for(projects[0].root, executor)
    with stopping_children_on_signals():
        batch = build_batch(projects, jobs=jobs, keep_going=keep_going, dry_run=dry_run, tries=tries,
                            progress=make_progress(True), remote=remote, registry=registry)
    from rich.console import Console

    batch.report.render(Console(stderr=True))
    if report_file:
        atomic_write_text(report_file, batch.report.to_json())
    if not dry_run:
        for project, (compiled, actions) in zip(projects, loaded):
            video = finished_video(compiled, actions, batch.projects[project.name])
            click.echo(f"{project.name}: {video or 'no video (see above)'}", err=True)
    raise SystemExit(batch.exit_code)
