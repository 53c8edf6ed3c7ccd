"""Golden files: the compiled outputs of every spec in specs/, reviewed like code.

``golden/<spec>/…`` holds exactly what ``cmfc compile specs/<spec>`` produces. ``check``
prints a unified diff per differing file (and names missing and extra ones); ``update``
rewrites them.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path

EXCLUDED_SPEC_DIRS = {"frameworks"}


@dataclass
class GoldenResult:
    spec: str
    diffs: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.diffs


def spec_dirs(specs_root: Path) -> list[Path]:
    """Every example project folder under specs/."""
    return sorted(p for p in specs_root.iterdir() if p.is_dir() and p.name not in EXCLUDED_SPEC_DIRS
                  and not p.name.startswith((".", "_")) and any(p.glob("*.cmf")))


def compile_spec(spec_dir: Path) -> dict[str, bytes]:
    """Compile one spec folder to its golden file set."""
    from cmfc.check import load
    from cmfc.compile import compile_targets

    return compile_targets(load(str(spec_dir)))


def check(specs_root: Path, golden_root: Path) -> list[GoldenResult]:
    """Compare every spec's compiled files with its goldens."""
    results = []
    for spec_dir in spec_dirs(specs_root):
        files = compile_spec(spec_dir)
        result = GoldenResult(spec_dir.name)
        folder = golden_root / spec_dir.name
        existing = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()} if folder.is_dir() else set()
        for relative in sorted(existing | set(files)):
            shown = f"golden/{spec_dir.name}/{relative}"
            if relative not in files:
                result.diffs.append(f"{shown}: no longer produced (run `cmfc golden update`)\n")
                continue
            if relative not in existing:
                result.diffs.append(f"{shown}: new file, not in golden/ yet (run `cmfc golden update`)\n")
                continue
            expected = (folder / relative).read_bytes()
            if expected != files[relative]:
                result.diffs.append(_diff(shown, expected, files[relative]))
        results.append(result)
    return results


def update(specs_root: Path, golden_root: Path) -> list[str]:
    """Rewrite every spec's goldens; return the paths that changed."""
    from cmfc.compile import write_tree

    changed = []
    for spec_dir in spec_dirs(specs_root):
        files = compile_spec(spec_dir)
        folder = golden_root / spec_dir.name
        if folder.is_dir():
            for path in sorted(folder.rglob("*"), reverse=True):
                relative = path.relative_to(folder).as_posix()
                if path.is_file() and relative not in files:
                    path.unlink()
                    changed.append(f"golden/{spec_dir.name}/{relative} (removed)")
        for relative, data in files.items():
            target = folder / relative
            if not target.is_file() or target.read_bytes() != data:
                changed.append(f"golden/{spec_dir.name}/{relative}")
        write_tree(files, folder)
    return changed


def _diff(shown: str, expected: bytes, actual: bytes) -> str:
    try:
        old, new = expected.decode("utf-8"), actual.decode("utf-8")
    except UnicodeDecodeError:
        return f"{shown}: binary content differs\n"
    return "".join(difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True),
                                        fromfile=f"{shown} (golden)", tofile=f"{shown} (compiled)"))
