"""`cmfc fmt`: format a script in place, check formatting, or convert between forms."""

from __future__ import annotations

import difflib
from pathlib import Path

import click

from cmfc.fsutil import atomic_write_text
from cmfc.project import UsageError, display_path, locate


def run_fmt(argument: str | None, check_only: bool, target: str | None) -> int:
    """Do what `cmfc fmt` was asked; return the exit code."""
    location = locate(argument)
    path = location.spec
    shown = display_path(path)
    if target is not None:
        from cmfc.lower.spec import parse_spec_file
        from cmfc.lower.to_cmf import emit_cmf
        from cmfc.lower.to_yaml import emit_yaml

        spec, _ = parse_spec_file(path, shown)
        click.echo(emit_cmf(spec) if target == "cmf" else emit_yaml(spec), nl=False)
        return 0
    if path.suffix != ".cmf":
        raise UsageError(f"{shown}: fmt lays out .cmf scripts; convert a blueprint with --to cmf")
    from cmfc.syntax.formatter import format_source

    original = _read(path, shown)
    formatted = format_source(original, shown)
    if formatted == original:
        if not check_only:
            click.echo(f"{shown}: already formatted")
        return 0
    if check_only:
        diff = difflib.unified_diff(original.splitlines(keepends=True), formatted.splitlines(keepends=True),
                                    fromfile=f"{shown} (as written)", tofile=f"{shown} (formatted)")
        click.echo("".join(diff), nl=False)
        click.echo(f"{shown}: not formatted (run `{' '.join(['cmfc', 'fmt', *([argument] if argument else [])])}`)", err=True)
        return 1
    atomic_write_text(path, formatted)
    click.echo(f"{shown}: reformatted")
    return 0


def _read(path: Path, shown: str) -> str:
    from cmfc.diagnostics import CmfError, Diagnostic, Span

    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise CmfError([Diagnostic(Span(shown), "the spec is not UTF-8 text")]) from None
