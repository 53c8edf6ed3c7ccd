"""The command line as a user meets it: summaries, exit codes, conversions, scaffolding."""

import json
import os

import yaml
from click.testing import CliRunner

from cmfc.cli import cli
from tests.helpers import TWO_SCENES


def run(*args, cwd=None):
    runner = CliRunner()
    here = os.getcwd()
    if cwd:
        os.chdir(cwd)
    try:
        return runner.invoke(cli, list(args), catch_exceptions=False)
    finally:
        os.chdir(here)


def test_check_prints_one_summary_line_and_exits_0(tiny):
    tiny.write()
    result = run("check", "t.cmf", cwd=tiny.root)
    assert result.exit_code == 0
    assert result.output == "t.cmf: ok — PROJ_T, 2 scenes, 5.00s at 24 fps\n"


def test_check_accepts_a_folder_holding_one_script(tiny):
    tiny.write()
    assert run("check", str(tiny.root)).exit_code == 0


def test_spec_errors_exit_1_with_count_and_no_traceback(tiny):
    tiny.write(TWO_SCENES.replace("HOOK-1", "HOOK-9"))
    result = run("check", "t.cmf", cwd=tiny.root)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert result.output.endswith("1 error\n")


def test_usage_errors_exit_2(tmp_path):
    assert run("check", str(tmp_path / "missing.cmf")).exit_code == 2
    (tmp_path / "notes.txt").write_text("hi")
    result = run("check", str(tmp_path / "notes.txt"))
    assert result.exit_code == 2 and "not a spec" in result.output
    assert run("frobnicate").exit_code == 2


def test_ir_prints_canonical_json(tiny):
    tiny.write()
    result = run("ir", "t.cmf", cwd=tiny.root)
    data = json.loads(result.output)
    assert list(data) == sorted(data)
    assert data["scenes"][0]["slot"] == {"end": 55, "start": 0}


def test_schema_validates_the_yaml_form_of_a_spec(tiny):
    import jsonschema

    tiny.write()
    schema = json.loads(run("schema").output)
    blueprint = yaml.safe_load(run("fmt", "t.cmf", "--to", "yaml", cwd=tiny.root).output)
    jsonschema.validate(blueprint, schema)
    blueprint["scenes"][0]["colour"] = "red"
    try:
        jsonschema.validate(blueprint, schema)
    except jsonschema.ValidationError:
        pass
    else:
        raise AssertionError("an unknown field must not validate")


def test_yaml_blueprint_compiles_to_the_same_ir(tiny):
    tiny.write()
    ir_from_script = run("ir", "t.cmf", cwd=tiny.root).output
    (tiny.root / "t.yaml").write_text(run("fmt", "t.cmf", "--to", "yaml", cwd=tiny.root).output)
    assert run("ir", "t.yaml", cwd=tiny.root).output == ir_from_script
    back = run("fmt", "t.yaml", "--to", "cmf", cwd=tiny.root).output
    (tiny.root / "t2.cmf").write_text(back)
    assert run("ir", "t2.cmf", cwd=tiny.root).output == ir_from_script


def test_blueprint_errors_point_into_the_yaml(tiny):
    tiny.write()
    text = run("fmt", "t.cmf", "--to", "yaml", cwd=tiny.root).output.replace("template: HOOK-1", "template: HOOK-9") \
        .replace("  line: That is", "  lin: That is")
    (tiny.root / "bp.yaml").write_text(text)
    result = run("check", "bp.yaml", cwd=tiny.root)
    assert result.exit_code == 1
    first = result.output.splitlines()[0]
    assert first.startswith("bp.yaml:") and 'unknown field "lin"' in first
    assert "did you mean line?" in result.output


def test_fmt_check_shows_a_diff_and_fmt_rewrites(tiny):
    from tests.helpers import PROJECT_HEAD

    path = tiny.write(head=PROJECT_HEAD.replace("cmf 1", "cmf   1  # version"))
    result = run("fmt", "t.cmf", "--check", cwd=tiny.root)
    assert result.exit_code == 1
    assert "-cmf   1  # version\n+cmf 1  # version\n" in result.output
    assert run("fmt", "t.cmf", cwd=tiny.root).output == "t.cmf: reformatted\n"
    assert path.read_text().startswith("cmf 1  # version\n")
    assert run("fmt", "t.cmf", "--check", cwd=tiny.root).exit_code == 0


def test_new_scaffolds_a_project_that_checks(tmp_path):
    result = run("new", str(tmp_path / "my-short"))
    assert result.exit_code == 0
    assert (tmp_path / "my-short" / "cmfc.toml").is_file()
    assert run("check", str(tmp_path / "my-short")).exit_code == 0
    assert run("new", str(tmp_path / "my-short")).exit_code == 2


def test_project_root_is_nearest_cmfc_toml(tiny):
    (tiny.root / "specs").mkdir()
    spec = tiny.write()
    moved = tiny.root / "specs" / "t.cmf"
    spec.rename(moved)
    assert run("check", "specs/t.cmf", cwd=tiny.root).exit_code == 0


def test_compiled_files_get_the_mode_new_files_get(tiny, tmp_path):
    from cmfc.fsutil import FILE_MODE

    tiny.write()
    assert run("compile", "t.cmf", "--out", str(tmp_path / "out"), "--target", "captions", cwd=tiny.root).exit_code == 0
    written = [path for path in (tmp_path / "out").rglob("*") if path.is_file()]
    assert written and {path.stat().st_mode & 0o777 for path in written} == {FILE_MODE}
    assert FILE_MODE == 0o666 & ~_umask()  # 0644 under the usual umask 022, not mkstemp's 0600


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
