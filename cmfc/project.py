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


def locate(argument: str | None) -> SpecLocation:
    """The spec named by ``argument`` and its root.

    ``argument`` is a spec file, or a folder: the spec its cmfc.toml names (``[project] spec``), else
    the one .cmf script in it. ``None`` (no SPEC on the command line) is the project around the working
    folder: the nearest cmfc.toml from there upwards, as git finds its repository.
    """
    if argument is None:
        return locate(str(_project_around(Path.cwd())))
    given = Path(argument)
    if not given.exists():
        raise UsageError(f"{argument}: no such file or folder")
    if given.is_dir():
        spec = _configured_spec(given, argument) or _single_spec_in(given, argument)
    elif given.suffix.lower() in SPEC_SUFFIXES:
        spec = given
    else:
        raise UsageError(f"{argument}: not a spec (expected a .cmf script, a .yaml/.json blueprint, or a folder)")
    spec = spec.resolve()
    return SpecLocation(spec=spec, root=find_root(spec.parent))


def _project_around(start: Path) -> Path:
    """The nearest folder from ``start`` upwards holding cmfc.toml (shown relative to ``start``)."""
    for folder in (start, *start.parents):
        if (folder / CONFIG_NAME).is_file():
            return Path(os.path.relpath(folder, start))
    raise UsageError(f"no SPEC given and no {CONFIG_NAME} in this folder or above it: name a spec "
                     "(cmfc build my-short/my-short.cmf) or run inside a project made by `cmfc new`")


def _configured_spec(folder: Path, argument: str) -> Path | None:
    """The spec ``folder/cmfc.toml`` names in ``[project] spec``, if it has one and names one."""
    import tomllib

    config = folder / CONFIG_NAME
    if not config.is_file():
        return None
    try:
        data = tomllib.loads(config.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise CmfError([Diagnostic(Span(display_path(config)), f"{CONFIG_NAME} is not valid TOML: {error}")]) from None
    named = (data.get("project") or {}).get("spec") if isinstance(data.get("project"), dict) else None
    if named is None:
        return None
    spec = folder / str(named)
    if not isinstance(named, str) or not spec.is_file() or spec.suffix.lower() not in SPEC_SUFFIXES:
        raise CmfError([Diagnostic(Span(display_path(config)),
                                   f"{CONFIG_NAME} names the spec {named!r}, which is not a spec file in "
                                   f"{display_path(folder) if folder != Path('.') else 'this folder'}",
                                   hint="write [project] spec = \"<name>.cmf\" relative to cmfc.toml's folder")])
    return spec


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
