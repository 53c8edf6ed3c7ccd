"""`cmfc compile`: every target's files for a spec, in memory, deterministically."""

from __future__ import annotations

from pathlib import Path

from cmfc.check import Compiled
from cmfc.ir.canonical import dumps


def compile_targets(compiled: Compiled, targets: list[str] | None = None) -> dict[str, bytes]:
    """Relative path → bytes for the IR (``ir.json``) and each requested target (default: all available)."""
    from cmfc.backends import EmitContext, available_targets, emitter

    ctx = EmitContext(words=tuple(compiled.words), frameworks=compiled.frameworks, root=compiled.location.root)
    files: dict[str, bytes] = {"ir.json": dumps(compiled.project).encode("utf-8")}
    for target in targets or available_targets():
        for path, data in emitter(target)(compiled.project, ctx).items():
            if path in files:
                raise RuntimeError(f"two targets emit {path}")  # a programming error, not a user one
            files[path] = data
    return dict(sorted(files.items()))


def write_tree(files: dict[str, bytes], out_dir: Path) -> tuple[int, int]:
    """Write ``files`` under ``out_dir`` atomically, leaving unchanged files untouched; (written, unchanged)."""
    from cmfc.fsutil import atomic_write_bytes

    written = unchanged = 0
    for relative, data in files.items():
        target = out_dir / relative
        if target.is_file() and target.read_bytes() == data:
            unchanged += 1
            continue
        atomic_write_bytes(target, data)
        written += 1
    return written, unchanged
