"""The compiled outputs of every example spec equal golden/ byte for byte, from any directory."""

from pathlib import Path

from click.testing import CliRunner

from cmfc.cli import cli
from cmfc.golden import check, compile_spec
from tests.helpers import copy_example

ROOT = Path(__file__).parent.parent


def test_goldens_match_the_compiler():
    results = check(ROOT / "specs", ROOT / "golden")
    problems = "".join(d for r in results for d in r.diffs)
    assert problems == "", "compiled outputs differ from golden/ (review, then `cmfc golden update`):\n" + problems[:4000]
    assert {r.spec for r in results} >= {"alpha", "resilience"}


def test_compiling_in_another_directory_gives_identical_bytes(tmp_path):
    copy = tmp_path / "somewhere else" / "alpha"
    copy_example("alpha", copy)
    assert compile_spec(copy) == compile_spec(ROOT / "specs" / "alpha")


def test_goldens_hold_no_absolute_paths_or_machine_names():
    import socket

    for path in (ROOT / "golden").rglob("*"):
        if path.is_file():
            text = path.read_bytes().decode("utf-8", errors="replace")
            assert str(ROOT) not in text and "/tmp/" not in text and "/home/" not in text, path
            assert socket.gethostname() not in text, path


def test_golden_check_command_prints_a_diff_and_fails(tmp_path):
    specs = tmp_path / "specs"
    copy_example("alpha", specs / "alpha")
    golden = tmp_path / "golden"
    runner = CliRunner()
    assert runner.invoke(cli, ["golden", "update", "--specs", str(specs), "--golden", str(golden)]).exit_code == 0
    assert runner.invoke(cli, ["golden", "check", "--specs", str(specs), "--golden", str(golden)]).exit_code == 0
    spec = specs / "alpha" / "alpha.cmf"
    spec.write_text(spec.read_text().replace("seed 42", "seed 43"))
    result = runner.invoke(cli, ["golden", "check", "--specs", str(specs), "--golden", str(golden)])
    assert result.exit_code == 1
    assert '-  "seed": 42,' in result.output and '+  "seed": 43,' in result.output
