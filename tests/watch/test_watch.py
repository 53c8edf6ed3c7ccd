"""``cmfc watch``: real file events, debounced builds, a save during a build cancels it (ffmpeg included)."""

from __future__ import annotations

import json
import os
import threading
import time

import pytest

pytest.importorskip("watchdog")

from cmfc import children  # noqa: E402
from cmfc.commands.watch import Watcher, is_input_event  # noqa: E402
from cmfc.edit import edit_spec, parse_note  # noqa: E402

DEADLINE = 120.0


def _until(condition, what: str, deadline: float = DEADLINE):
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        value = condition()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


class Running:
    def __init__(self, watcher: Watcher):
        self.watcher = watcher
        self.lines: list[str] = []
        watcher.echo = self.lines.append
        self.thread = threading.Thread(target=watcher.run, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.watcher.stop.set()
        self.thread.join(timeout=60)
        assert not self.thread.is_alive()

    def settled(self, builds: int):
        """Wait for ``builds`` builds to have started and the watcher to be idle again."""
        _until(lambda: len(self.watcher.runs) >= builds, f"build {builds}")
        _until(lambda: self.watcher.idle.is_set() and self.watcher.current is None, "the watcher to settle")
        return self.watcher.runs


def _timeline(tiny) -> dict:
    return json.loads((tiny.root / "03_OUTPUT" / "PROJ_T" / "05_assembly" / "timeline" / "timeline.json")
                      .read_text(encoding="utf-8"))


def test_two_saves_in_quick_succession_build_once(tiny):
    tiny.write()
    with Running(Watcher(str(tiny.spec_path), debounce=0.5, render=False)) as running:
        first = running.settled(1)[0]
        assert first.report.ok and not first.cancelled
        edit_spec(str(tiny.spec_path), parse_note("SC_01", 'text "ONE"'))
        (tiny.root / "notes.txt~").write_text("an editor's backup is not an input")
        (tiny.root / "03_OUTPUT" / "x.txt").write_text("an output is not an input")
        edit_spec(str(tiny.spec_path), parse_note("SC_01", 'text "TWO"'))
        runs = running.settled(2)
    assert len(runs) == 2, running.lines
    assert [os.path.basename(p) for p in runs[1].trigger] == ["t.cmf"]
    assert runs[1].report.ok
    assert "TWO" in json.dumps(_timeline(tiny)) and "ONE" not in json.dumps(_timeline(tiny))
    assert any(line.startswith("[2] t.cmf changed: building") for line in running.lines)


def test_a_save_during_a_build_cancels_it_and_the_next_build_is_right(tiny):
    from cmfc.build import build
    from cmfc.commands.build import _load_plan, _manifest_path

    tiny.write()
    with Running(Watcher(str(tiny.spec_path), debounce=0.05)) as running:
        _until(lambda: running.watcher.current is not None, "the first build")
        live = _until(lambda: list(children._live), "an ffmpeg run of the first build")
        edit_spec(str(tiny.spec_path), parse_note("SC_02", 'text "CHANGED"'))
        runs = running.settled(2)
        assert all(process.poll() is not None for process in live)  # killed, not left rendering
    first, second = runs[:2]
    assert first.cancelled and any("[1] cancelled after" in line for line in running.lines), running.lines
    assert len(runs) == 2
    assert second.report.ok and not second.cancelled, running.lines
    assert any(line.startswith("[2] Video: ") and "PROJ_T_PREVIEW.mp4" in line for line in running.lines)
    assert "CHANGED" in json.dumps(_timeline(tiny))
    # Nothing the cancelled build left is wrong: a build of the same spec now has nothing to do.
    compiled, actions = _load_plan(str(tiny.spec_path), preview=True)
    check = build(actions, compiled.location.root, dry_run=True, progress=False, manifest=_manifest_path(compiled))
    assert check.ids("would-run") == []


def test_what_counts_as_an_input(tmp_path):
    root = tmp_path.resolve()
    assert is_input_event(str(root / "t.cmf"), root)
    assert is_input_event(str(root / "assets" / "stages" / "a.png"), root)
    assert is_input_event(str(root / "frameworks" / "effects.yaml"), root)
    for ignored in ("03_OUTPUT/PROJ/x.mp4", ".cmfc/store/ab/cd", ".t.cmf.abc.tmp", "t.cmf~", ".t.cmf.swp", "4913"):
        assert not is_input_event(str(root / ignored), root), ignored
