"""The console page driven by Streamlit's AppTest: every click a checked spec edit, nothing else kept."""

from __future__ import annotations

import json
import os
from importlib.util import find_spec
from pathlib import Path

import pytest

pytest.importorskip("streamlit")

from streamlit.testing.v1 import AppTest  # noqa: E402

from cmfc.edit import edit_spec, Edit, Word  # noqa: E402

APP = find_spec("cmfc.console.app").origin
SCENES = """
scene SC_01 HOOK-1
  line "Every day you show up."
  hero zimage "a runner at dawn"   # generated
  takes 2

scene SC_02 SETUP-1
  line "That is the whole secret."
"""


@pytest.fixture
def page(tiny, monkeypatch):
    tiny.write(SCENES)
    monkeypatch.setenv("CMFC_CONSOLE_SPEC", str(tiny.root))

    def run(app=None):
        app = app or AppTest.from_file(APP, default_timeout=60)
        return app.run()
    run.project = tiny
    return run


def plus_minus(before: str, after: str) -> tuple[list[str], list[str]]:
    import difflib

    diff = list(difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0))
    return ([l[1:] for l in diff if l.startswith("-") and not l.startswith("---")],
            [l[1:] for l in diff if l.startswith("+") and not l.startswith("+++")])


def test_selecting_a_take_writes_exactly_its_pick_line(page):
    spec = page.project.spec_path
    mining = page.project.root / "03_OUTPUT/PROJ_T/03_mining"
    mining.mkdir(parents=True)
    from PIL import Image

    Image.new("RGB", (90, 160), (200, 30, 30)).save(mining / "PROJ_T_SC_01_HERO_v02.png")
    before = spec.read_text()
    app = page()
    assert not app.exception
    captions = [c.value for c in app.caption]
    assert "v01 ✓ · missing" in captions and "v02 · generated" in captions
    assert app.button(key="select_SC_01_v01").disabled
    app.button(key="select_SC_01_v02").click().run()
    assert plus_minus(before, spec.read_text()) == ([], ["  pick v02"])
    assert "SC_01: picked v02" in app.success[0].value
    assert app.button(key="select_SC_01_v02").disabled and not app.button(key="select_SC_01_v01").disabled
    # reload (a new session): the choice is in the spec, so nothing is lost
    fresh = page()
    assert fresh.button(key="select_SC_01_v02").disabled


def test_regenerate_asks_for_one_more_take(page):
    spec = page.project.spec_path
    before = spec.read_text()
    app = page()
    app.button(key="regen_SC_01").click().run()
    assert plus_minus(before, spec.read_text()) == (["  takes 2"], ["  takes 3"])
    assert [c.value for c in app.caption if c.value.startswith("v03")] == ["v03 · missing"]


def test_a_click_on_a_stale_page_is_refused_and_the_other_edit_kept(page):
    spec = page.project.spec_path
    app = page()
    edit_spec(str(page.project.root), [Edit("SC_01", "set", "takes", (Word("4"),))])  # another tab
    theirs = spec.read_bytes()
    app.button(key="select_SC_01_v02").click().run()
    assert "changed since it was read" in app.error[0].value
    assert spec.read_bytes() == theirs


def test_a_bad_note_shows_an_error_and_leaves_the_spec_alone(page):
    spec = page.project.spec_path
    before = spec.read_bytes()
    app = page()
    app.selectbox(key="note_scene").select("SC_01")
    app.text_input(key="note_text").input("extend 0.5")
    app.button(key="preview_note").click().run()
    assert "write a time like extend 0.5s" in app.error[0].value
    app.text_input(key="note_text").input("trim 40s")
    app.button(key="preview_note").click().run()
    assert "trimming that much leaves nothing" in app.error[0].value
    assert spec.read_bytes() == before
    assert not [b for b in app.button if b.key == "apply_note"]


def test_a_note_shows_its_diff_first_and_applies_on_apply(page):
    spec = page.project.spec_path
    before = spec.read_text()
    app = page()
    app.selectbox(key="note_scene").select("SC_02")
    app.text_input(key="note_text").input('text "THE / SECRET"')
    app.button(key="preview_note").click().run()
    assert '+  text "THE / SECRET"' in app.code[0].value
    assert spec.read_text() == before, "previewing writes nothing"
    app.button(key="apply_note").click().run()
    assert plus_minus(before, spec.read_text()) == ([], ['  text "THE / SECRET"'])


def test_restitch_builds_the_preview_and_the_status_strip_says_what_ran(page):
    root = page.project.root
    app = page()
    assert "no build from the console yet" in [c.value for c in app.caption]
    app.button(key="restitch").click().run(timeout=240)
    report = json.loads((root / ".cmfc/console-report.json").read_text())
    assert "re-stitch (exit" in (app.success or app.error)[0].value
    assert (root / "03_OUTPUT/PROJ_T/05_assembly/PROJ_T_PREVIEW.mp4").is_file()
    ran = {a["id"] for a in report["actions"] if a["status"] == "ran"}
    assert {"render:SC_01:preview", "render:SC_02:preview", "assemble:mux:preview"} <= ran
    strip = next(c.value for c in app.caption if c.value.startswith("last build:") and " ran" in c.value)
    assert f"{len(ran)} ran" in strip
    table = app.dataframe[0].value
    assert set(table["action"]) >= ran and "why" in table.columns
    # a second re-stitch after a note: only what the note touched runs again
    app.selectbox(key="note_scene").select("SC_02")
    app.text_input(key="note_text").input('text "SECRET"')
    app.button(key="preview_note").click().run()
    app.button(key="apply_note").click().run()
    app.button(key="restitch").click().run(timeout=240)
    again = json.loads((root / ".cmfc/console-report.json").read_text())
    rerun = {a["id"] for a in again["actions"] if a["status"] == "ran"}
    assert "render:SC_02:preview" in rerun and "render:SC_01:preview" not in rerun, rerun
    assert "sonic:mix" not in rerun


def test_the_status_strip_says_what_failed_and_why_and_the_take_shows_it(page):
    root = page.project.root
    (root / ".cmfc").mkdir(exist_ok=True)
    (root / ".cmfc/console-report.json").write_text(json.dumps({"counts": {"ran": 3, "failed": 1}, "actions": [
        {"id": "generate:SC_01:hero:v02", "status": "failed", "error": "ComfyUI: CUDA out of memory", "why": ""}]}))
    app = page()
    strip = next(c.value for c in app.caption if c.value.startswith("last build:"))
    assert strip == "last build: 1 failed, 3 ran · FAILED generate:SC_01:hero:v02: ComfyUI: CUDA out of memory"
    assert "v02 · failed: ComfyUI: CUDA out of memory" in [c.value for c in app.caption]
