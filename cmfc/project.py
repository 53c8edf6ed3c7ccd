"""Where a spec lives: finding the spec file and the project root from what the user typed."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from cmfc.diagnostics import CmfError, Diagnostic, Span

SPEC_SUFFIXES = (".cmf", ".yaml", ".yml", ".json")
CONFIG_NAME = "cmfc.toml"


class UsageError(Exception):
    """The command line names something that is not a spec (exit 2)."""


@dataclass(frozen=True)
class SpecLocation:
    """A spec file, the project root it belongs to, and how to name the file in messages."""

    spec: Path
    root: Path

    @property
    def display(self) -> str:
        return display_path(self.spec)

    def relative(self, path: Path) -> str:
        """``path`` relative to the project root, POSIX style."""
        return path.relative_to(self.root).as_posix()


def display_path(path: Path) -> str:
    """A path as shown in messages: relative to the working directory when inside it."""
    try:
        return os.path.relpath(path, Path.cwd()) if path.is_absolute() else str(path)
    except ValueError:
        return str(path)


def locate(argument: str) -> SpecLocation:
    """The spec named by ``argument`` (a spec file, or a folder holding exactly one .cmf) and its root."""
    given = Path(argument)
    if not given.exists():
        raise UsageError(f"{argument}: no such file or folder")
    if given.is_dir():
        spec = _single_spec_in(given, argument)
    elif given.suffix.lower() in SPEC_SUFFIXES:
        spec = given
    else:
        raise UsageError(f"{argument}: not a spec (expected a .cmf script, a .yaml/.json blueprint, or a folder)")
    spec = spec.resolve()
    return SpecLocation(spec=spec, root=find_root(spec.parent))


def _single_spec_in(folder: Path, argument: str) -> Path:
    scripts = sorted(p for p in folder.glob("*.cmf") if p.is_file())
    if len(scripts) == 1:
        return scripts[0]
    if len(scripts) > 1:
        names = ", ".join(p.name for p in scripts)
        raise UsageError(f"{argument}: holds several .cmf scripts ({names}); name one")
    blueprints = sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file()
                        and p.name not in ("cmfc.yaml",))
    if len(blueprints) == 1:
        return blueprints[0]
    raise UsageError(f"{argument}: no .cmf script in this folder")


def find_root(start: Path) -> Path:
    """The nearest folder from ``start`` upwards holding cmfc.toml; else ``start`` itself."""
    for folder in (start, *start.parents):
        if (folder / CONFIG_NAME).is_file():
            return folder
    return start


def resolve_asset(root: Path, relative: str, span: Span) -> Path:
    """An asset path from a spec, checked to stay inside the project root (no ``..``, absolute or symlink escapes)."""
    if not relative:
        raise CmfError([Diagnostic(span, "the path is empty")])
    if relative.startswith(("/", "\\")) or (len(relative) > 1 and relative[1] == ":") or "\\" in relative:
        raise CmfError([Diagnostic(span, f"{relative}: asset paths are relative to the project, with / between folders",
                                   hint="write it relative to the folder holding the spec or cmfc.toml")])
    candidate = root / relative
    if ".." in Path(relative).parts:
        raise CmfError([Diagnostic(span, f"{relative}: this path leaves the project folder",
                                   hint="copy the file into the project and point at the copy")])
    real = candidate.resolve()
    real_root = root.resolve()
    if real != real_root and real_root not in real.parents:
        raise CmfError([Diagnostic(span, f"{relative}: this path leads outside the project folder (through a symlink)",
                                   hint="copy the file into the project instead of linking to it")])
    return candidate
