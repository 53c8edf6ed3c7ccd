"""No stage reaches into one it must not: a walk over every import (module-level and function-local).

Resolution (lower, check) produces the IR; the planner, the targets and the local render only read it.
So lowering never imports check, check never imports the renderer or a target, a target never imports
check, lowering or another target, the renderer never loads a catalogue of its own (the project's
frameworks reach it through the IR), and the planner uses no target's private function.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# (importer prefix, forbidden imported prefix)
FORBIDDEN = [
    ("cmfc.ir", "cmfc.lower"), ("cmfc.ir", "cmfc.check"), ("cmfc.ir", "cmfc.plan"), ("cmfc.ir", "cmfc.backends"),
    ("cmfc.lower", "cmfc.check"), ("cmfc.lower", "cmfc.plan"), ("cmfc.lower", "cmfc.backends"),
    ("cmfc.check", "cmfc.plan"), ("cmfc.check", "cmfc.backends"), ("cmfc.check", "cmfc.render"),
    ("cmfc.backends", "cmfc.check"), ("cmfc.backends", "cmfc.lower"), ("cmfc.backends", "cmfc.plan"),
    ("cmfc.render", "cmfc.check"), ("cmfc.render", "cmfc.plan"), ("cmfc.render", "cmfc.frameworks"),
    ("cmfc.render", "cmfc.backends"),
]
# Known reaches still to remove, each with its reason; the test fails when one disappears, so this shrinks.
KNOWN = {
    ("cmfc.check.references", "cmfc.render.effects"): "check refuses effects the embedded renderer cannot draw",
}
KNOWN_BETWEEN_TARGETS = {
    ("cmfc.backends.resolve.edit", "cmfc.backends.timeline"): "the music's duck points (a fact still computed there)",
}


def _module(path: Path) -> str:
    relative = path.relative_to(ROOT).with_suffix("")
    parts = list(relative.parts)
    if parts[0] == "backends":
        parts = ["cmfc", *parts]
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _imports(path: Path) -> list[tuple[str, list[str]]]:
    """(imported module, names) of every import in the file, relative ones resolved."""
    module = _module(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(alias.name, []) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([node.module] if node.module else []))
            found.append((base, [alias.name for alias in node.names]))
    return found


def _all_imports():
    for folder in ("cmfc", "backends"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            for imported, names in _imports(path):
                yield _module(path), imported.replace("backends.", "cmfc.backends.", 1) if imported.startswith(
                    "backends.") else imported, names


def _under(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def test_no_stage_imports_one_it_must_not():
    seen, wrong = set(), []
    for importer, imported, _ in _all_imports():
        for low, high in FORBIDDEN:
            if _under(importer, low) and _under(imported, high):
                if (importer, imported) in KNOWN:
                    seen.add((importer, imported))
                else:
                    wrong.append(f"{importer} imports {imported}")
    assert not wrong, "\n".join(sorted(set(wrong)))
    assert seen == set(KNOWN), f"no longer imported, drop from KNOWN: {sorted(set(KNOWN) - seen)}"


def test_a_target_imports_no_other_target():
    wrong = []
    for importer, imported, _ in _all_imports():
        if _under(importer, "cmfc.backends") and _under(imported, "cmfc.backends") and importer.count(".") >= 2:
            mine, theirs = importer.split(".")[2], imported.split(".")[2] if imported.count(".") >= 2 else ""
            if theirs and mine != theirs and (importer, imported) not in KNOWN_BETWEEN_TARGETS:
                wrong.append(f"{importer} imports {imported}")
    assert not wrong, "\n".join(sorted(set(wrong)))


def test_the_planner_uses_no_private_function_of_a_target():
    wrong = [f"{importer} imports {name} from {imported}" for importer, imported, names in _all_imports()
             if _under(importer, "cmfc.plan") and _under(imported, "cmfc.backends")
             for name in names if name.startswith("_")]
    assert not wrong, "\n".join(wrong)
