"""The build never lies and never loses work (issue 15): inputs changed mid-build, edited outputs,
disk errors, leaks, clean and verify. Synthetic kinds, so every case is deterministic."""

from __future__ import annotations

import json
import os

import pytest
from build_helpers import PAST_NS, make_project, make_registry, write_source

from cmfc.build import Action, FileInput, Output, build


@pytest.fixture
def project(tmp_path):
    registry = make_registry()
    actions = make_project(tmp_path)

    def run(acts=None, **kw):
        kw.setdefault("progress", False)
        kw.setdefault("backoff", 0)
        return build(acts or actions, tmp_path, registry=kw.pop("registry", registry), **kw)

    run.root, run.actions, run.registry = tmp_path, actions, registry
    return run


# --- 1. inputs are verified after use ---------------------------------------------------------------

def _editing_kind(edits: list[bytes], keep_mtime: bool = False):
    """Like a user swapping ``audio/voice.wav`` mid-build: the first runs overwrite their input, then read it."""

    def run(ctx) -> None:
        path = ctx.input_path("voice")
        if edits:
            before = path.stat()
            path.write_bytes(edits.pop(0))
            if keep_mtime:  # same size and mtime: only ctime and the bytes tell
                os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
        ctx.output_path("clean").write_bytes(b"CLEAN:" + path.read_bytes())

    return run


def _voice_project(root):
    write_source(root, "audio/voice.wav", "LOUD-voice")
    return [Action("voice:clean", "edit_input", {}, {"voice": FileInput("audio/voice.wav")},
                   (Output("clean", "out/voice_clean.wav"),)),
            Action("mix", "concat", {"prefix": "MIX:"}, {"voice": FileInput("audio/voice.wav")},
                   (Output("mix", "out/mix.wav"),))]


@pytest.mark.parametrize("keep_mtime", [False, True], ids=["new-stat", "same-size-same-mtime"])
def test_an_input_edited_while_its_action_runs_fails_the_build_and_is_never_cached(tmp_path, keep_mtime):
    registry = make_registry()
    registry.add("edit_input", _editing_kind([b"QUIET-voic" if keep_mtime else b"quieter voice"], keep_mtime))
    actions = _voice_project(tmp_path)

    report = build(actions, tmp_path, registry=registry, progress=False)
    failed = report.result("voice:clean")
    assert failed.status == "failed" and report.exit_code == 1
    assert failed.error == "audio/voice.wav changed while the build was running; run the build again"
    assert failed.attempts == 1  # not retried as if it were a busy server
    assert not (tmp_path / "out/voice_clean.wav").exists()
    assert not list((tmp_path / ".cmfc/actions").glob(f"{failed.key}.json"))  # nothing under the old key
    manifest = json.loads((tmp_path / ".cmfc/manifest.json").read_text())
    assert "voice:clean" in manifest["incomplete"]

    # The user puts the original back: it runs again, from the original bytes, then stays cached.
    write_source(tmp_path, "audio/voice.wav", "LOUD-voice")
    again = build(actions, tmp_path, registry=registry, progress=False)
    assert again.result("voice:clean").status == "ran"
    assert (tmp_path / "out/voice_clean.wav").read_bytes() == b"CLEAN:LOUD-voice"
    third = build(actions, tmp_path, registry=registry, progress=False)
    assert third.ids("ran") == [] and third.exit_code == 0
    assert (tmp_path / "out/voice_clean.wav").read_bytes() == b"CLEAN:LOUD-voice"


def test_an_input_left_edited_builds_from_the_new_bytes_next_time(tmp_path):
    registry = make_registry()
    registry.add("edit_input", _editing_kind([b"quieter voice"]))
    actions = _voice_project(tmp_path)
    assert build(actions, tmp_path, registry=registry, progress=False).exit_code == 1
    report = build(actions, tmp_path, registry=registry, progress=False)
    assert report.exit_code == 0
    assert (tmp_path / "out/voice_clean.wav").read_bytes() == b"CLEAN:quieter voice"
    assert (tmp_path / "out/mix.wav").read_bytes() == b"MIX:quieter voice|mix"
