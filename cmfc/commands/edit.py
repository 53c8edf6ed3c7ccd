"""``cmfc pick`` and ``cmfc set``: a Director's decision as a minimal, checked edit of the spec."""

from __future__ import annotations

import re
from functools import wraps

import click

EXIT_SPEC_ERROR = 1
EXIT_USAGE = 2
_TAKE = re.compile(r"v\d{2}\Z")


def _report(command):
    """Refused edits: the check's errors shown in the edited text, and a word that nothing was written."""

    @wraps(command)
    def wrapper(*args, **kwargs):
        from cmfc.diagnostics import CmfError, read_source_lines, render
        from cmfc.edit import EditError, EditRefused
        from cmfc.project import UsageError

        try:
            return command(*args, **kwargs)
        except EditRefused as refused:
            sources = read_source_lines(d.span.path for d in refused.diagnostics)
            sources[refused.path] = refused.source.split("\n")
            for diagnostic in refused.diagnostics:
                click.echo(render(diagnostic, sources), err=True)
            click.echo(f"edit refused: {refused.path} would not check, so it was left unchanged", err=True)
            raise SystemExit(EXIT_SPEC_ERROR) from None
        except CmfError as error:
            sources = read_source_lines(d.span.path for d in error.diagnostics)
            for diagnostic in error.diagnostics:
                click.echo(render(diagnostic, sources), err=True)
            click.echo("edit refused: the spec does not read as it is; fix it first (cmfc check)", err=True)
            raise SystemExit(EXIT_SPEC_ERROR) from None
        except (EditError, UsageError) as error:
            click.echo(f"cmfc: error: {error}", err=True)
            raise SystemExit(EXIT_USAGE) from None

    return wrapper


def _done(result, quiet_diff: bool) -> None:
    if not result.changed:
        click.echo(f"{result.location.display}: already so, nothing changed")
        return
    if not quiet_diff:
        click.echo(result.diff(), nl=False)
    project = result.compiled.project
    click.echo(f"{result.location.display}: edited and checked ok — {project.id}, {len(project.scenes)} scenes; "
               "the next build re-renders what the change touches")


@click.command("pick")
@click.argument("scene")
@click.argument("take")
@click.argument("spec", default=".")
@click.option("--quiet", is_flag=True, help="Do not print the diff.")
@_report
def pick_command(scene: str, take: str, spec: str, quiet: bool) -> None:
    """Pick SCENE's take TAKE (v01, v02, …): writes `pick TAKE` into SPEC (default: the .cmf here).

    Only that line changes (comments and layout are kept); the result is checked before it is written.

    Example: cmfc pick SC_03 v02 specs/alpha
    """
    from cmfc.edit import Edit, EditError, Word, edit_spec, read_spec

    if not _TAKE.match(take):
        raise EditError(f"{take} is not a take; takes are named v01, v02, … (see cmfc takes)")
    _, expected = read_spec(spec)
    _done(edit_spec(spec, [Edit(scene, "set", "pick", (Word(take),))], expected=expected), quiet)


@click.command("set")
@click.argument("target", metavar="SCENE.FIELD")
@click.argument("values", nargs=-1)
@click.option("--spec", "-s", "spec", default=".", show_default=True, help="The spec to edit.")
@click.option("--add", "adds", multiple=True, metavar="STATEMENT",
              help="Add a statement as written in a script, e.g. --add 'fx grain' (SCENE only as the target).")
@click.option("--remove", "removes", multiple=True, metavar="STATEMENT",
              help="Remove statements: 'fx grain', 'light', or just an effect or SFX name like 'grain'.")
@click.option("--dry-run", is_flag=True, help="Show the checked diff; write nothing.")
@click.option("--quiet", is_flag=True, help="Do not print the diff.")
@_report
def set_command(target: str, values: tuple[str, ...], spec: str, adds: tuple[str, ...], removes: tuple[str, ...],
                dry_run: bool, quiet: bool) -> None:
    """Set a scene field in the spec, as a minimal checked edit: SCENE.FIELD VALUE...

    FIELD is a scene statement (line, subject, hero, light, motion, text, fit, takes, pick, snap); the
    VALUEs are its arguments as in a script, the shell's quotes standing for the script's.

    \b
    Examples:
      cmfc set SC_03.text "FAILURE IS / A TRAP" upper_third
      cmfc set SC_03.fit loop --spec specs/alpha
      cmfc set SC_03.takes 4
      cmfc set SC_03 --add 'sfx whoosh_01 on "success"' --remove grain
    """
    from cmfc.edit import Edit, EditError, edit_spec, parse_note, preview_edits, read_spec, typed_args
    from cmfc.edit.ops import SCENE_SINGLE

    scene, _, field = target.partition(".")
    edits: list[Edit] = []
    if field:
        if field not in SCENE_SINGLE:
            raise EditError(f"{field} is not a field to set; fields: {', '.join(SCENE_SINGLE)} "
                            "(add or remove fx, afx and sfx with --add/--remove)")
        if not values:
            raise EditError(f"{target}: give a value, e.g. cmfc set {scene}.{field} …; "
                            f"to remove it: cmfc set {scene} --remove {field}")
        edits.append(Edit(scene, "set", field, typed_args(field, list(values))))
    elif values:
        raise EditError(f"name the field: cmfc set {scene}.FIELD VALUE… (fields: {', '.join(SCENE_SINGLE)})")
    edits.extend(edit for statement in adds for edit in parse_note(scene, "+ " + statement))
    edits.extend(edit for statement in removes for edit in parse_note(scene, "no " + statement))
    if not edits:
        raise EditError("nothing to do: give SCENE.FIELD VALUE…, --add or --remove")
    if dry_run:
        result = preview_edits(spec, edits)
        click.echo(result.diff(), nl=False)
        click.echo(f"{result.location.display}: the edit checks ok (dry run: nothing written)")
        return
    _, expected = read_spec(spec)
    _done(edit_spec(spec, edits, expected=expected), quiet)


edit_commands = [pick_command, set_command]
