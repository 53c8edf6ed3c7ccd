"""Spec edits (cmfc.edit, cmfc pick, cmfc set): minimal, checked, atomic, never corrupting the spec."""

from __future__ import annotations

import json
import threading

import pytest
from click.testing import CliRunner

from cmfc.cli import cli
from cmfc.edit import (
    Edit, EditError, EditRefused, StaleEdit, Text, Word, edit_spec, parse_note, preview_edits, read_spec,
)
from cmfc.lower.spec import parse_blueprint_file, parse_cmf_file
from cmfc.lower.to_yaml import emit_yaml
from tests.helpers import PROJECT_HEAD

SCENES = """
# the hook
scene SC_01 HOOK-1
  line "Every day you show up."
  light noir          # moody
  fx glitch at 0.5s
  fx grain
  takes 3
  pick v01   # the Director's choice

scene SC_02 SETUP-1
  # second beat
  line "That is the whole secret."
"""


@pytest.fixture
def project(tiny):
    tiny.write(SCENES)
    return tiny


def _changed_lines(before: str, after: str) -> tuple[list[str], list[str]]:
    import difflib

    a, b = before.split("\n"), after.split("\n")
    removed, added = [], []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag != "equal":
            removed += a[i1:i2]
            added += b[j1:j2]
    return removed, added


def test_pick_changes_only_its_line_and_keeps_the_comment(project):
    before = project.spec_path.read_text()
    result = edit_spec(str(project.spec_path), [Edit("SC_01", "set", "pick", (Word("v03"),))])
    after = project.spec_path.read_text()
    assert _changed_lines(before, after) == (["  pick v01   # the Director's choice"],
                                             ["  pick v03   # the Director's choice"])
    assert result.compiled.project.spec().scenes[0].pick == "v03"
    spec, _ = parse_cmf_file(after, "t.cmf")
    assert spec.scenes[0].pick == "v03"


def test_added_statement_is_indented_like_its_neighbours_in_canonical_order(project):
    before = project.spec_path.read_text()
    edit_spec(str(project.spec_path), parse_note("SC_02", "fit loop") + parse_note("SC_02", 'text "A \\"B\\" # C"'))
    after = project.spec_path.read_text()
    assert _changed_lines(before, after) == ([], ['  text "A \\"B\\" # C"', "  fit loop"])
    assert "  # second beat\n  line \"That is the whole secret.\"\n  text" in after
    spec, _ = parse_cmf_file(after, "t.cmf")
    assert spec.scenes[1].text.content == 'A "B" # C'
    assert spec.scenes[1].fit.mode == "loop"


def test_no_grain_removes_the_effect_line_only(project):
    before = project.spec_path.read_text()
    edit_spec(str(project.spec_path), parse_note("SC_01", "no grain"))
    assert _changed_lines(before, project.spec_path.read_text()) == (["  fx grain"], [])


def test_an_edit_that_does_not_check_is_refused_and_the_file_is_byte_identical(project):
    before = project.spec_path.read_bytes()
    with pytest.raises(EditRefused) as refused:
        edit_spec(str(project.spec_path), [Edit("SC_01", "set", "pick", (Word("v07"),))])
    assert "3 takes" in refused.value.diagnostics[0].message
    assert refused.value.diagnostics[0].span.line == refused.value.source.split("\n").index("  pick v07   # the "
                                                                                            "Director's choice") + 1
    assert project.spec_path.read_bytes() == before
    with pytest.raises(EditError, match="no scene SC_09"):
        edit_spec(str(project.spec_path), parse_note("SC_09", "pick v01"))
    with pytest.raises(EditError, match="has no fx sparkle"):
        edit_spec(str(project.spec_path), [Edit("SC_01", "remove", "fx", (Word("sparkle"),))])
    assert project.spec_path.read_bytes() == before
    assert not [p for p in project.root.iterdir() if p.name.endswith(".tmp")]


def test_a_stale_edit_is_refused_and_keeps_the_other_editors_change(project):
    _, seen = read_spec(str(project.spec_path))
    edit_spec(str(project.spec_path), parse_note("SC_01", "takes 4"))  # another tab's edit
    theirs = project.spec_path.read_bytes()
    with pytest.raises(StaleEdit, match="changed since it was read"):
        edit_spec(str(project.spec_path), parse_note("SC_01", "pick v02"), expected=seen)
    assert project.spec_path.read_bytes() == theirs


def test_concurrent_editors_never_corrupt_the_spec(project):
    """Eight editors, each reading then editing its own field with retries on stale: every edit lands."""
    notes = [("SC_01", "takes 5"), ("SC_01", "pick v02"), ("SC_02", "fit loop"), ("SC_02", "light noir"),
             ("SC_02", 'text "GO"'), ("SC_01", "no grain"), ("SC_02", "takes 2"), ("SC_01", "fit trim")]
    start = threading.Barrier(len(notes))
    stale = []

    def editor(scene, note):
        start.wait()
        while True:
            _, seen = read_spec(str(project.spec_path))
            try:
                edit_spec(str(project.spec_path), parse_note(scene, note), expected=seen)
                return
            except StaleEdit:
                stale.append(note)

    threads = [threading.Thread(target=editor, args=pair) for pair in notes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    spec, _ = parse_cmf_file(project.spec_path.read_text(), "t.cmf")
    one, two = spec.scenes
    assert (one.takes, one.pick, one.fit.mode, [u.name for u in one.fx]) == (5, "v02", "trim", ["glitch"])
    assert (two.takes, two.fit.mode, two.light, two.text.content) == (2, "loop", "noir", "GO")


def test_crlf_files_stay_crlf(project):
    project.spec_path.write_bytes(project.spec_path.read_bytes().replace(b"\n", b"\r\n"))
    edit_spec(str(project.spec_path), parse_note("SC_02", "takes 2") + parse_note("SC_01", "pick v02"))
    data = project.spec_path.read_bytes()
    assert b"\r\n  takes 2\r\n" in data and b"  pick v02   # the Director's choice\r\n" in data
    assert data.count(b"\n") == data.count(b"\r\n")


def test_yaml_blueprint_gets_the_same_edits_and_keeps_its_comments(project):
    spec, _ = parse_cmf_file(project.spec_path.read_text(), "t.cmf")
    yaml_text = emit_yaml(spec).replace("  pick: v01\n", "  pick: v01  # chosen\n")
    blueprint = project.root / "t.yaml"
    blueprint.write_text(yaml_text)
    notes = [("SC_01", "pick v03"), ("SC_01", "no grain"), ("SC_02", 'text "NEW: yes" upper_third'),
             ("SC_02", "+ fx grain"), ("SC_01", "fit speed 0.8")]
    edits = [edit for scene, note in notes for edit in parse_note(scene, note)]
    edit_spec(str(blueprint), edits)
    edit_spec(str(project.spec_path), edits)
    after = blueprint.read_text()
    assert "  pick: v03  # chosen\n" in after
    removed, _ = _changed_lines(yaml_text, after)
    assert sorted(removed) == ["  - name: grain", "  pick: v01  # chosen"]
    from_yaml, _ = parse_blueprint_file(after, "t.yaml")
    from_cmf, _ = parse_cmf_file(project.spec_path.read_text(), "t.cmf")
    assert from_yaml == from_cmf


def test_json_blueprint_gets_the_same_edits_in_its_own_layout(project):
    spec, _ = parse_cmf_file(project.spec_path.read_text(), "t.cmf")
    import yaml

    data = yaml.safe_load(emit_yaml(spec))
    blueprint = project.root / "t.json"
    blueprint.write_text(json.dumps(data, indent=2) + "\n")
    edits = parse_note("SC_01", "pick v02") + parse_note("SC_02", "takes 2")
    edit_spec(str(blueprint), edits)
    edit_spec(str(project.spec_path), edits)
    removed, added = _changed_lines(json.dumps(data, indent=2) + "\n", blueprint.read_text())
    assert removed == ['      "pick": "v01"', '      "line": "That is the whole secret."']
    assert added == ['      "pick": "v02"', '      "line": "That is the whole secret.",', '      "takes": 2']
    assert parse_blueprint_file(blueprint.read_text(), "t.json")[0] == \
        parse_cmf_file(project.spec_path.read_text(), "t.cmf")[0]


def test_preview_writes_nothing(project):
    before = project.spec_path.read_bytes()
    result = preview_edits(str(project.spec_path), parse_note("SC_02", "takes 3"))
    assert "+  takes 3" in result.diff()
    assert project.spec_path.read_bytes() == before


def test_notes_read_as_the_scripts_own_statements():
    assert parse_note("SC_03", "pick v02") == [Edit("SC_03", "set", "pick", (Word("v02"),))]
    assert parse_note("SC_03", 'text "a \\" b" top') == [Edit("SC_03", "set", "text", (Text('a " b'), Word("top")))]
    assert parse_note("SC_03", "no grain") == [Edit("SC_03", "remove", "*", (Word("grain"),))]
    assert parse_note("SC_03", "no light") == [Edit("SC_03", "remove", "light")]
    assert parse_note("SC_03", "fx crt") == [Edit("SC_03", "add", "fx", (Word("crt"),))]
    with pytest.raises(EditError, match="scene statement"):
        parse_note("SC_03", "extend 0.5s")
    with pytest.raises(EditError, match="not a single word"):
        Word("two words")


# ------------------------------------------------------------------ the command line

def test_cmfc_pick_writes_pick_and_says_so(project, monkeypatch):
    monkeypatch.chdir(project.root)
    result = CliRunner().invoke(cli, ["pick", "SC_02", "v01"])
    assert result.exit_code == 0, result.output
    assert "+  pick v01" in result.output and "checked ok" in result.output
    assert parse_cmf_file(project.spec_path.read_text(), "t.cmf")[0].scenes[1].pick == "v01"


def test_cmfc_pick_refuses_a_missing_take_with_a_caret_and_changes_nothing(project, monkeypatch):
    monkeypatch.chdir(project.root)
    before = project.spec_path.read_bytes()
    result = CliRunner().invoke(cli, ["pick", "SC_01", "v09", "t.cmf"])
    assert result.exit_code == 1
    assert "pick v09: scene SC_01 has 3 takes (v01..v03)" in result.output
    assert "  pick v09   # the Director's choice" in result.output and "^^^" in result.output
    assert "left unchanged" in result.output
    bad = CliRunner().invoke(cli, ["pick", "SC_01", "take2"])
    assert bad.exit_code == 2 and "takes are named v01, v02" in bad.output
    assert project.spec_path.read_bytes() == before


def test_cmfc_set_fields_with_shell_quoting(project, monkeypatch):
    monkeypatch.chdir(project.root)
    runner = CliRunner()
    assert runner.invoke(cli, ["set", "SC_01.text", 'Say "hi" #now', "upper_third"]).exit_code == 0
    assert runner.invoke(cli, ["set", "SC_01.fit", "loop", "--spec", "t.cmf"]).exit_code == 0
    missing = runner.invoke(cli, ["set", "SC_02", "--add", 'sfx impact_01 on "secret"', "--remove", "light"])
    assert missing.exit_code == 2 and "scene SC_02 has no light" in missing.output
    assert runner.invoke(cli, ["set", "SC_02", "--add", 'sfx impact_01 on "secret"']).exit_code == 0
    one, two = parse_cmf_file(project.spec_path.read_text(), "t.cmf")[0].scenes
    assert (one.text.content, one.text.placement, one.fit.mode) == ('Say "hi" #now', "upper_third", "loop")
    assert two.sfx[0].on == "secret"
    bad = runner.invoke(cli, ["set", "SC_01.fit", "bogus"])
    assert bad.exit_code == 1 and "expected one of loop, pingpong, trim, speed" in bad.output
    unknown = runner.invoke(cli, ["set", "SC_01.colour", "red"])
    assert unknown.exit_code == 2 and "fields: line, subject, hero, light, motion, text, fit" in unknown.output


def test_over_indented_statement_is_an_error_not_dropped(tiny):
    line = (PROJECT_HEAD + SCENES).split("\n").index("  light noir          # moody") + 1
    errors = tiny.errors(SCENES.replace("  light noir", "   light noir"))
    assert f"t.cmf:{line}:4: error: unexpected indent: light is a scene statement; indent it like the others" in errors
    assert f"{line} |    light noir" in errors and "\n      |    ^^^^^\n" in errors
    errors = tiny.errors(SCENES.replace('  line "Every day you show up."', '  line "Every day you show up."\n'
                                        '      words "x.json"'))
    assert "unexpected indent: line takes no indented block" in errors
    head = PROJECT_HEAD.replace("  seed 7", "    seed 7")
    assert "unexpected indent: seed is a project statement" in tiny.errors(SCENES, head=head)
