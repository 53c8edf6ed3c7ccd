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


def test_a_read_only_output_folder_is_a_table_and_sentences_not_a_traceback(tiny):
    import shutil
    import subprocess

    import pytest

    spec = tiny.write(TWO_SCENES, HEAD)
    assert _cmfc("build", spec, "--compile-only").exit_code == 0
    out = tiny.root / "03_OUTPUT" / "PROJ_T"
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    if not shutil.which("chattr"):
        pytest.skip("chattr is not installed")
    frozen = [p for p in [out, *out.rglob("*")] if p.is_dir()]
    for folder in frozen:  # read-only for root too (chmod is not)
        done = subprocess.run(["chattr", "+i", str(folder)], capture_output=True, text=True)
        if done.returncode:
            pytest.skip(f"this file system cannot make a folder immutable: {done.stderr.strip()}")
    try:
        tiny.write(TWO_SCENES, HEAD.replace("seed 7", "seed 8"))
        result = _cmfc("build", spec, "--compile-only")
    finally:
        for folder in frozen:
            subprocess.run(["chattr", "-i", str(folder)], check=False)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and "permission denied" in result.output
    assert "cmfc build" in result.output  # the table is there
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before  # nothing half-written
