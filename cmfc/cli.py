"""The `cmfc` command line. Each command is a thin shell over a stage; errors render in one place."""

from __future__ import annotations

from functools import wraps

import click

from cmfc import __version__

EXIT_SPEC_ERROR = 1
EXIT_USAGE = 2


def report_errors(command):
    """Render CmfError diagnostics (exit 1) and UsageError (exit 2) without a traceback."""

    @wraps(command)
    def wrapper(*args, **kwargs):
        from cmfc.diagnostics import CmfError
        from cmfc.project import UsageError

        try:
            return command(*args, **kwargs)
        except CmfError as error:
            print_diagnostics(error.diagnostics)
            raise SystemExit(EXIT_SPEC_ERROR) from None
        except UsageError as error:
            click.echo(f"cmfc: error: {error}", err=True)
            raise SystemExit(EXIT_USAGE) from None

    return wrapper


def print_diagnostics(diagnostics) -> None:
    """Every diagnostic with its source line and caret, then a count."""
    from cmfc.diagnostics import read_source_lines, render

    sources = read_source_lines(d.span.path for d in diagnostics)
    for diagnostic in diagnostics:
        click.echo(render(diagnostic, sources), err=True)
    errors = sum(1 for d in diagnostics if d.severity == "error")
    if errors:
        click.echo(f"{errors} error{'s' if errors != 1 else ''}", err=True)


class CmfcGroup(click.Group):
    """The command list with the developer commands (goldens) in their own section."""

    DEVELOPER = ("golden",)

    def format_commands(self, ctx, formatter) -> None:
        rows = {False: [], True: []}
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows[name in self.DEVELOPER].append((name, command.get_short_help_str(formatter.width - 6 - 12)))
        for title, developer in (("Commands", False), ("Developer commands (working on cmfc itself)", True)):
            if rows[developer]:
                with formatter.section(title):
                    formatter.write_dl(rows[developer])


@click.group(cls=CmfcGroup, context_settings={"help_option_names": ["-h", "--help"]},
             epilog="\b\nExit codes: 0 ok; 1 spec errors, a failed build or check; 2 usage errors;\n"
                    "            130 stopped by Ctrl-C; 143 stopped by SIGTERM.\n"
                    "Shell completion: eval \"$(_CMFC_COMPLETE=bash_source cmfc)\" in ~/.bashrc\n"
                    "                  (zsh_source in ~/.zshrc, fish_source for fish; see README).")
@click.version_option(__version__, prog_name="cmfc")
def cli() -> None:
    """cmfc compiles .cmf scene scripts and YAML blueprints into a finished short video.

    SPEC is a .cmf script, a .yaml/.json blueprint, or a project folder (the spec its cmfc.toml names,
    else its one .cmf script). Without SPEC: the project around the working folder (the nearest
    cmfc.toml from here upwards), so inside a project made by `cmfc new` plain `cmfc build` works.

    \b
    Example:
      cmfc new my-short && cd my-short && cmfc build
    """


@cli.command()
@click.argument("spec", required=False)
@report_errors
def check(spec: str | None) -> None:
    """Parse, lower and check SPEC; print a one-line summary when all is well.

    \b
    Example:
      cmfc check my-short

    Exit codes: 0 ok (warnings may print), 1 spec errors, 2 usage error.
    """
    from cmfc.check import load

    compiled = load(spec)
    if compiled.warnings:
        print_diagnostics(compiled.warnings)
    project = compiled.project
    fps = project.format.fps
    click.echo(f"{compiled.location.display}: ok — {project.id}, {len(project.scenes)} scene"
               f"{'s' if len(project.scenes) != 1 else ''}, {project.duration_frames / fps:.2f}s at {fps} fps")


@cli.command()
@click.argument("spec", required=False)
@report_errors
def ir(spec: str | None) -> None:
    """Print SPEC's IR as canonical JSON (sorted keys, exact times, project-relative paths).

    \b
    Example:
      cmfc ir my-short > ir.json
    """
    from cmfc.check import load
    from cmfc.ir.canonical import dumps

    click.echo(dumps(load(spec).project), nl=False)


@cli.command()
def schema() -> None:
    """Print the JSON Schema of the blueprint form (YAML or JSON) for editors and agents.

    \b
    Example:
      cmfc schema > cmf.schema.json
    """
    from cmfc.lower.schema import blueprint_schema_json

    click.echo(blueprint_schema_json(), nl=False)


@cli.command()
@click.argument("spec", required=False)
@click.option("--check", "check_only", is_flag=True, help="Exit 1 with a diff when SPEC is not formatted; change nothing.")
@click.option("--to", "target", type=click.Choice(["cmf", "yaml"]), help="Convert to the script or the blueprint form (printed).")
@report_errors
def fmt(spec: str | None, check_only: bool, target: str | None) -> None:
    """Rewrite a .cmf script in canonical layout, keeping comments; or convert between forms.

    \b
    Example:
      cmfc fmt my-short --check

    Exit codes: 0 formatted (or rewritten), 1 not formatted with --check or a spec error, 2 usage error.
    """
    from cmfc.lower.format_command import run_fmt

    raise SystemExit(run_fmt(spec, check_only, target))


@cli.command()
@click.argument("directory")
@click.option("--id", "project_id", default=None, help="Project id (default: from the folder name).")
@report_errors
def new(directory: str, project_id: str | None) -> None:
    """Scaffold a working project in DIRECTORY: a spec, cmfc.toml, the folder layout, placeholder media.

    \b
    Example:
      cmfc new my-short && cd my-short && cmfc build
    """
    from cmfc.scaffold import scaffold

    created = scaffold(directory, project_id)
    click.echo(f"created {created.display}: try `cmfc check {directory}`")


@cli.command("compile")
@click.argument("spec", required=False)
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False), help="Folder to write the compiled files into.")
@click.option("--target", "targets", multiple=True, help="Only these targets (comfyui, natron, timeline, resolve, captions).")
@report_errors
def compile_command(spec: str | None, out_dir: str, targets: tuple[str, ...]) -> None:
    """Compile SPEC into every target's files (ComfyUI, Natron, MoviePy, Resolve, captions) under --out.

    \b
    Example:
      cmfc compile my-short --out compiled --target natron
    """
    from pathlib import Path

    from cmfc.backends import BACKENDS
    from cmfc.check import load
    from cmfc.compile import compile_targets, write_tree
    from cmfc.project import UsageError

    unknown = [t for t in targets if t not in BACKENDS]
    if unknown:
        raise UsageError(f"unknown target {unknown[0]}; targets: {', '.join(BACKENDS)}")
    files = compile_targets(load(spec), list(targets) or None)
    written, unchanged = write_tree(files, Path(out_dir))
    click.echo(f"{len(files)} files in {out_dir} ({written} written, {unchanged} unchanged)")


@cli.group()
def golden() -> None:
    """Golden files: the compiled outputs of every spec in specs/, kept in golden/ and reviewed like code.

    \b
    Example:
      cmfc golden check
    """


@golden.command("check")
@click.option("--specs", "specs_root", default="specs", show_default=True, type=click.Path(file_okay=False))
@click.option("--golden", "golden_root", default="golden", show_default=True, type=click.Path(file_okay=False))
@report_errors
def golden_check(specs_root: str, golden_root: str) -> None:
    """Compile every spec and print a unified diff per file that differs from golden/; exit 1 if any."""
    from pathlib import Path

    from cmfc.golden import check as check_goldens

    failed = False
    for result in check_goldens(Path(specs_root), Path(golden_root)):
        for diff in result.diffs:
            click.echo(diff, nl=False)
        failed |= not result.ok
        click.echo(f"{result.spec}: {'ok' if result.ok else f'{len(result.diffs)} file(s) differ'}", err=True)
    raise SystemExit(1 if failed else 0)


@golden.command("update")
@click.option("--specs", "specs_root", default="specs", show_default=True, type=click.Path(file_okay=False))
@click.option("--golden", "golden_root", default="golden", show_default=True, type=click.Path(file_okay=False))
@report_errors
def golden_update(specs_root: str, golden_root: str) -> None:
    """Rewrite golden/ from the current compiler (review the diff before committing)."""
    from pathlib import Path

    from cmfc.golden import update as update_goldens

    changed = update_goldens(Path(specs_root), Path(golden_root))
    for path in changed:
        click.echo(path)
    click.echo(f"{len(changed)} golden file(s) changed", err=True)


def _register_optional_commands() -> None:
    """Commands that live in their own modules (added as later stages land)."""
    import importlib

    for module_name, attribute in (("cmfc.commands.analyze", "analyze_command"),
                                   ("cmfc.commands.build", "build_commands"),
                                   ("cmfc.commands.visuals", "visual_commands"),
                                   ("cmfc.commands.verify", "verify_command"),
                                   ("cmfc.commands.stage1", "stage1_commands"),
                                   ("cmfc.commands.edit", "edit_commands"),
                                   ("cmfc.commands.batch", "batch_command"),
                                   ("cmfc.commands.watch", "watch_commands"),
                                   ("cmfc.commands.console", "console_command"),
                                   ("cmfc.commands.generation", "generation_commands")):
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as error:
            if error.name != module_name:
                raise
            continue
        found = getattr(module, attribute, None)
        for command in (found if isinstance(found, (list, tuple)) else [found] if found else []):
            cli.add_command(command)


_register_optional_commands()


def main() -> None:
    """Console entry point: Ctrl-C exits 130 and SIGTERM 143 (never click's "Aborted!", exit 1)."""
    from cmfc.children import stopping_children_on_signals

    with stopping_children_on_signals():
        cli(prog_name="cmfc")


if __name__ == "__main__":
    main()
