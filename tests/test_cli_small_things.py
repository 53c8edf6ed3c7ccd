"""Small things a user notices (issue 15): results on stdout, help with examples and exit codes, the
scaffold's label, hints that point at files of the right kind, --report and --dry-run behaving."""

from __future__ import annotations

import os
import re

import pytest

from cmfc.cli import cli
from tests.helpers import run_cli_in, scaffold_short


def run(*args, cwd):
    return run_cli_in(cwd, *args)


@pytest.fixture
def project(tmp_path):
    return scaffold_short(tmp_path)


def test_the_scaffold_stage_label_has_no_missing_glyph_box():
    from PIL import ImageFont

    from cmfc.scaffold import STAGE_LABEL

    font = ImageFont.load_default()

    def glyph(text):
        mask = font.getmask(text)
        return mask.size, bytes(mask)

    missing = glyph("\U000F0000")  # a private-use code point: the font's .notdef box
    assert [c for c in STAGE_LABEL if glyph(c) == missing and not c.isspace()] == []


def test_a_missing_voice_is_not_pointed_at_the_music_bed(project):
    (project / "audio" / "voice.wav").unlink()
    result = run("check", cwd=project)
    assert result.exit_code == 1
    assert "audio/voice.wav: voice-over file not found" in result.output
    assert "bed.wav" not in result.output.split("not found", 1)[1]
    (project / "audio" / "take2.wav").write_bytes((project / "audio" / "bed.wav").read_bytes())
    (project / "audio" / "voice.txt").write_text("the script")
    hint = run("check", cwd=project).output
    assert "hint: audio files in audio/ not used for anything else: take2.wav" in hint
    (project / "audio" / "voice_final.wav").write_bytes((project / "audio" / "bed.wav").read_bytes())
    assert "hint: did you mean voice_final.wav?" in run("check", cwd=project).output


def tree(folder):
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def test_build_results_on_stdout_each_once_and_the_table_on_stderr(project):
    result = run("build", "--compile-only", cwd=project)
    assert result.exit_code == 0, result.output
    assert result.stdout == ("Resolve timelines: 03_OUTPUT/PROJ_MyShort/05_assembly/ "
                             "(PROJ_MyShort.xml, PROJ_MyShort.fcpxml, PROJ_MyShort.otio)\n")
    assert "actions: " in result.stderr and "Resolve" not in result.stderr


def test_dry_run_creates_nothing(project):
    before = tree(project)
    result = run("build", "--dry-run", cwd=project)
    assert result.exit_code == 0, result.output
    assert "would-run" in result.stderr
    assert tree(project) == before


def test_report_into_a_missing_folder_is_an_error_not_mkdir(project):
    before = tree(project)
    result = run("build", "--compile-only", "--report", "reports/build.json", cwd=project)
    assert result.exit_code == 2
    assert "--report reports/build.json: the folder reports does not exist" in result.stderr
    assert tree(project) == before


def test_every_command_has_an_example_and_golden_is_a_developer_command(tmp_path):
    from pathlib import Path

    main_help = run("--help", cwd=tmp_path).output
    commands, developer = main_help.split("Commands:", 1)[1].split("Developer commands", 1)
    assert "golden" not in commands and "golden" in developer.split("Exit codes")[0]
    assert "Exit codes: 0 ok; 1 " in main_help and "130 " in main_help and "143 " in main_help
    assert "_CMFC_COMPLETE=bash_source cmfc" in main_help
    for name, command in cli.commands.items():
        text = run(name, "--help", cwd=tmp_path).output
        found = re.search(r"^  Examples?:(?:\n +| )(.*)$", text, re.M)
        example = found.group(1) if found else ""
        assert example.startswith(f"cmfc {name}"), (name, text)
    readme = (Path(__file__).parent.parent / "README.md").read_text()
    assert 'eval "$(_CMFC_COMPLETE=bash_source cmfc)"' in readme


def test_shell_completion_completes_commands():
    import subprocess
    import sys

    env = dict(os.environ, _CMFC_COMPLETE="bash_complete", COMP_WORDS="cmfc bu", COMP_CWORD="1")
    done = subprocess.run([sys.executable, "-c", "from cmfc.cli import main; main()"], env=env,
                          capture_output=True, text=True, timeout=60)
    assert "plain,build" in done.stdout.splitlines()
