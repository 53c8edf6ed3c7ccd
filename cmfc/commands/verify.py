"""`cmfc verify [--repair]`: re-hash the store and the outputs, report bit rot, repair it."""

from __future__ import annotations

import click

from cmfc.cli import report_errors


@click.command("verify")
@click.argument("spec")
@click.option("--repair", is_flag=True,
              help="Delete what rotted, then build: outputs come back from the store or are rebuilt.")
@click.option("-j", "--jobs", default=2, show_default=True, type=click.IntRange(1, 64), help="Actions run in parallel.")
@click.option("--preview", is_flag=True, help="With --repair: build the rough cut, as `cmfc build --preview`.")
@click.option("--compile-only", is_flag=True, help="With --repair: build only the compiled files, as `cmfc build --compile-only`.")
@report_errors
def verify_command(spec: str, repair: bool, jobs: int, preview: bool, compile_only: bool) -> None:
    """Re-hash every store entry, cache record and output, ignoring the stat cache (bit rot keeps a file's
    size and mtime, so builds cannot see it); report what does not match; exit 1 if anything did.

    With --repair, rotted store entries and records are deleted and the project is built: outputs are
    restored from the store or rebuilt. A changed output may be your edit, so it is kept as NAME.edited-N.

    \b
    Example:
      cmfc verify my-short            # report only
      cmfc verify my-short --repair   # and fix it
    """
    import sys

    from cmfc.build import verify

    if repair:
        from rich.console import Console

        from cmfc.commands.build import _load_plan, _manifest_path

        compiled, actions = _load_plan(spec, preview=preview, render=not compile_only)
        result = verify(compiled.location.root, actions, repair=True, jobs=jobs, progress=sys.stderr.isatty(),
                        manifest=_manifest_path(compiled))
        result.repaired.render(Console(stderr=True))
    else:
        from cmfc.project import locate

        result = verify(locate(spec).root)
    for line in result.lines():
        click.echo(line)
    raise SystemExit(0 if (result.repaired.ok if result.repaired is not None else result.ok) else 1)
