"""Commands taking SPEC default to the project around the working folder, as git finds its repository."""

from __future__ import annotations

import pytest

from tests.helpers import run_cli_in, scaffold_short


def run(*args, cwd):
    return run_cli_in(cwd, *args)


@pytest.fixture
def project(tmp_path):
    return scaffold_short(tmp_path)


def test_a_first_time_users_first_commands_work_without_spec(project):
    result = run("check", cwd=project)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("my-short.cmf: ok — PROJ_MyShort")
    from_below = run("check", cwd=project / "assets" / "stages")
    assert from_below.exit_code == 0, from_below.output
    assert from_below.output.startswith("../../my-short.cmf: ok")
    dry = run("build", "--dry-run", cwd=project / "audio")
    assert dry.exit_code == 0, dry.output
    assert "would run" in dry.output or "would-run" in dry.output
    for command in (["plan"], ["graph", "--format", "json"], ["ir"], ["timeline"], ["fmt", "--check"]):
        assert run(*command, cwd=project).exit_code == 0, command
    explained = run("explain", "compile:ir", cwd=project)
    assert explained.exit_code == 0 and explained.output.startswith("compile:ir"), explained.output


def test_cmfc_toml_names_the_spec_among_several(project):
    (project / "draft.cmf").write_text((project / "my-short.cmf").read_text().replace("PROJ_MyShort", "PROJ_Draft"))
    assert "PROJ_MyShort" in run("check", cwd=project).output
    assert "PROJ_MyShort" in run("check", str(project), cwd=project.parent).output
    (project / "cmfc.toml").write_text('[project]\nspec = "draft.cmf"\n')
    assert "PROJ_Draft" in run("check", cwd=project / "audio").output


def test_no_spec_outside_a_project_is_a_usage_error(tmp_path):
    result = run("build", cwd=tmp_path)
    assert result.exit_code == 2
    assert "no SPEC given and no cmfc.toml in this folder or above it" in result.output


def test_a_cmfc_toml_naming_a_missing_spec_says_so(project):
    (project / "cmfc.toml").write_text('[project]\nspec = "gone.cmf"\n')
    result = run("check", cwd=project)
    assert result.exit_code == 1
    assert "cmfc.toml names the spec 'gone.cmf', which is not a spec file" in result.output
    assert "Traceback" not in result.output
