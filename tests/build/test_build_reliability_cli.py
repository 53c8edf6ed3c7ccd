"""Issue 15 from the command line, on a real (compile-only) project: clean, verify --repair."""

from __future__ import annotations

from click.testing import CliRunner

from cmfc.cli import cli
from tests.helpers import PROJECT_HEAD, TWO_SCENES

HEAD = PROJECT_HEAD.replace("format 1080x1920 24fps", "format 144x256 24fps")


def _cmfc(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_verify_repair_and_clean_on_a_compiled_project(tiny):
    spec = tiny.write(TWO_SCENES, HEAD)
    assert _cmfc("build", spec, "--compile-only").exit_code == 0
    out = tiny.root / "03_OUTPUT" / "PROJ_T"
    ir = out / "01_narrative" / "ir.json"
    good = ir.read_bytes()
    ir.write_bytes(good.replace(b"PROJ_T", b"PROJ_X", 1))  # rot, or a hand edit: same size

    found = _cmfc("verify", spec)
    assert found.exit_code == 1, found.output
    assert "  changed: 03_OUTPUT/PROJ_T/01_narrative/ir.json (rotted, or edited by hand)" in found.output
    repaired = _cmfc("verify", spec, "--repair", "--compile-only")
    assert repaired.exit_code == 0, repaired.output
    assert ir.read_bytes() == good and (out / "01_narrative" / "ir.json.edited-1").is_file()
    assert _cmfc("verify", spec).exit_code == 0

    cleaned = _cmfc("clean", spec)
    assert cleaned.exit_code == 0, cleaned.output
    assert "empty folder" in cleaned.output
    left = sorted(p.relative_to(tiny.root).as_posix() for p in (tiny.root / "03_OUTPUT").rglob("*") if p.is_file())
    assert left == ["03_OUTPUT/PROJ_T/01_narrative/ir.json.edited-1"]  # the Resolve copies went too
    assert not (out / "05_assembly").exists()
