"""Director's notes in plain words -> spec edits (cmfc.console.notes): one row per note form, bad ones included."""

from __future__ import annotations

import pytest

from cmfc.console.notes import apply_note, note_result, read_note
from cmfc.edit import EditError, EditRefused, StaleEdit, read_spec

SCENES = """
scene SC_01 HOOK-1   # the hook
  line "Every day you show up."
  fx grain
  takes 2

scene SC_02 SETUP-1
  line "That is the whole secret."
"""


@pytest.fixture
def project(tiny):
    tiny.write(SCENES)
    return tiny


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    """One project for the tests that only read it (its voice analysis is then cached once)."""
    from tests.helpers import TinyProject

    tiny = TinyProject.create(tmp_path_factory.mktemp("notes") / "proj")
    tiny.write(SCENES)
    return tiny


def changed_lines(result) -> list[tuple[str, str]]:
    """(removed, added) line pairs of the diff, in order."""
    minus = [l[1:] for l in result.diff().splitlines() if l.startswith("-") and not l.startswith("---")]
    plus = [l[1:] for l in result.diff().splitlines() if l.startswith("+") and not l.startswith("+++")]
    return list(zip(minus, plus)) + [("", p) for p in plus[len(minus):]] + [(m, "") for m in minus[len(plus):]]


@pytest.mark.parametrize("note, scene, before, after", [
    ('text "SHOW / UP"', "SC_01", None, '  text "SHOW / UP"'),
    ("no grain", "SC_01", "  fx grain", None),
    ("pick v02", "SC_01", None, "  pick v02"),
    ("takes 3", "SC_01", "  takes 2", "  takes 3"),
    ("fit loop", "SC_02", None, "  fit loop"),
])
def test_statement_notes_edit_one_line(shared, note, scene, before, after):
    result = note_result(str(shared.root), scene, note)
    removed = [m for m, _ in changed_lines(result) if m]
    added = [p for _, p in changed_lines(result) if p]
    assert removed == ([before] if before else [])
    assert added == ([after] if after else [])


def test_extend_and_trim_write_an_explicit_slot_on_the_header_keeping_its_comment(project):
    compiled = project.compile(SCENES)
    slot = compiled.project.scenes[0].slot
    fps = compiled.project.format.fps
    result = apply_note(str(project.root), "SC_01", "extend 0.5s")
    header = next(l for l in result.after.splitlines() if l.startswith("scene SC_01"))
    assert header.endswith("# the hook")
    new = result.compiled.project.scenes[0].slot
    assert new.start == slot.start and new.end == slot.end + fps // 2
    assert result.compiled.project.scenes[1].slot.start == new.end  # the next scene starts at the new cut
    result = apply_note(str(project.root), "SC_01", "trim 12f")
    assert result.compiled.project.scenes[0].slot.end == slot.end + fps // 2 - 12
    assert project.spec_path.read_text().count(" at ") == 1  # the slot replaced, not appended twice


def test_swap_trades_the_scenes_pictures_and_keeps_their_lines(shared):
    result = note_result(str(shared.root), "SC_01", "swap with SC_02")
    assert result.after.endswith("""
scene SC_01 HOOK-1   # the hook
  line "Every day you show up."

scene SC_02 SETUP-1
  line "That is the whole secret."
  fx grain
  takes 2
""")
    scenes = result.compiled.project.scenes
    assert [s.line for s in scenes] == ["Every day you show up.", "That is the whole secret."]
    assert scenes[1].takes == 2 and scenes[0].takes == 1


@pytest.mark.parametrize("note, message", [
    ("", "the note is empty"),
    ("extend", "extend takes one time"),
    ("extend 0.5", "write a time like extend 0.5s"),
    ("trim -1s", "write a time like trim 0.5s"),
    ("extend 0s", "above zero"),
    ("swap SC_02", "swap with which scene"),
    ("swap with SC_01", "cannot swap with itself"),
    ("mute music", "no way to mute the music under one scene"),
    ("make it pop", "notes: extend 0.5s"),
])
def test_bad_notes_say_what_is_readable(note, message):
    with pytest.raises(EditError, match=message):
        read_note("SC_01", note)


@pytest.mark.parametrize("note, message", [
    ("swap with SC_09", "there is no such scene"),
    ("trim 30s", "trimming that much leaves nothing"),
    ("pick v07", "has 2 takes"),
])
def test_notes_that_would_break_the_spec_are_refused_and_the_file_is_untouched(shared, note, message):
    before = shared.spec_path.read_bytes()
    with pytest.raises((EditError, EditRefused)) as caught:
        apply_note(str(shared.root), "SC_01", note)
    text = str(caught.value) if isinstance(caught.value, EditError) else \
        " ".join(d.message for d in caught.value.diagnostics)
    assert message in text
    assert shared.spec_path.read_bytes() == before


def test_a_note_from_a_stale_view_is_refused(project):
    _, seen = read_spec(str(project.root))
    apply_note(str(project.root), "SC_01", "takes 3")
    after_first = project.spec_path.read_bytes()
    with pytest.raises(StaleEdit):
        apply_note(str(project.root), "SC_01", "no grain", expected=seen)
    assert project.spec_path.read_bytes() == after_first


@pytest.mark.parametrize("note, described", [
    ("extend 0.5s", "SC_01: slot +0.5s at its end"),
    ("trim 300ms", "SC_01: slot -0.3s at its end"),
    ("extend 12f", "SC_01: slot +12f at its end"),
    ("swap with SC_02", "SC_01: swapped with SC_02"),
    ("no grain", "SC_01: no grain"),
])
def test_a_read_note_says_what_it_will_do(note, described):
    assert read_note("SC_01", note).describe() == described
