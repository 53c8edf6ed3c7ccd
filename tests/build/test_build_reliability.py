"""The build never lies and never loses work (issue 15): inputs changed mid-build, edited outputs,
disk errors, leaks, clean and verify. Synthetic kinds, so every case is deterministic."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from build_helpers import make_registry, write_source

from cmfc.build import Action, FileInput, Output, build


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


def test_an_action_that_writes_into_a_store_entry_it_reads_fails_and_the_entry_is_rebuilt(project):
    from build_helpers import replace_action

    def scribble(ctx):
        path = ctx.input_path("a")
        path.chmod(0o644)  # read-only does not stop root
        path.write_bytes(b"scribbled")
        ctx.output_path("text").write_bytes(b"M")

    project.registry.add("scribble", scribble)
    first = project(replace_action(project.actions, "mix:ab", kind="scribble"))
    assert first.result("mix:ab").error.startswith(
        "the stored output 'text' of read:a changed while the build was running")
    again = project()
    assert "read:a" in again.ids("ran") and again.exit_code == 0
    assert (project.root / "out/ab.txt").read_bytes() == b"M:A:<a>|textB:<b>|text|text"


# --- 3. edited outputs are kept; 9. clean removes everything the builds wrote ------------------------

def _render(report) -> str:
    from io import StringIO

    from rich.console import Console

    out = StringIO()
    report.render(Console(file=out, width=200))
    return out.getvalue()


def test_an_output_saved_by_hand_is_moved_aside_not_lost_and_the_build_says_so(project):
    project()
    ntp = project.root / "out/ab.txt"
    ntp.write_text("saved by Natron")  # the user's work, at an output's path
    report = project()
    assert ntp.read_bytes() == b"M:A:<a>|textB:<b>|text|text"  # the build's version is back
    assert (project.root / "out/ab.txt.edited-1").read_text() == "saved by Natron"
    assert "kept your edit of out/ab.txt as out/ab.txt.edited-1" in _render(report)
    assert json.loads(report.to_json())["kept_edits"] == ["out/ab.txt.edited-1"]
    ntp.write_text("saved again")
    project()
    assert (project.root / "out/ab.txt.edited-2").read_text() == "saved again"
    assert (project.root / "out/ab.txt.edited-1").read_text() == "saved by Natron"
    assert project().kept == []  # the build's own bytes are never "edited"


def test_an_edited_output_of_an_action_that_runs_again_is_kept_too(project):
    from build_helpers import replace_action

    project()
    (project.root / "out/c.txt").write_text("hand-tuned")
    report = project(replace_action(project.actions, "read:c", params={"prefix": "C2:"}))
    assert report.result("read:c").status == "ran"
    assert (project.root / "out/c.txt").read_bytes() == b"C2:<c>|text"
    assert (project.root / "out/c.txt.edited-1").read_text() == "hand-tuned"


def test_force_overwrites_an_edited_output(project):
    project()
    (project.root / "out/c.txt").write_text("my edit")
    assert project(force=True).kept == []
    assert (project.root / "out/c.txt").read_bytes() == b"C:<c>|text"
    assert not (project.root / "out/c.txt.edited-1").exists()


def test_an_output_rewritten_by_a_killed_build_is_not_taken_for_an_edit(project):
    """A build killed after materialising but before saving its ledger wrote bytes the store holds."""
    from build_helpers import replace_action

    project()
    changed = replace_action(project.actions, "read:c", params={"prefix": "C2:"})
    project(changed)
    (project.root / ".cmfc/outputs.json").unlink()  # as if killed before the ledger was saved
    (project.root / ".cmfc/manifest.json").unlink()  # and before the manifest was written
    assert project().kept == []  # back to the old params: the file holds a store entry's bytes


def test_clean_keeps_edited_outputs_and_removes_empty_folders(project):
    from cmfc.build import clean

    project()
    (project.root / "out/c.txt").write_text("my edit")
    result = clean(project.root)
    assert result.removed == ["manifest.json", "out/ab.txt", "out/final.mp4"]
    assert result.kept == ["out/c.txt.edited-1"]
    assert "kept your edit of out/c.txt as out/c.txt.edited-1" in result.summary()
    assert sorted(p.name for p in (project.root / "out").iterdir()) == ["c.txt.edited-1"]
    (project.root / "out/c.txt.edited-1").unlink()
    project()
    assert clean(project.root).folders == ["out"]
    assert not (project.root / "out").exists()
    assert (project.root / "src/a.txt").exists()


def test_clean_force_deletes_edited_outputs(project):
    from cmfc.build import clean

    project()
    (project.root / "out/c.txt").write_text("my edit")
    result = clean(project.root, force=True)
    assert "out/c.txt" in result.removed and result.kept == []
    assert not (project.root / "out").exists()


def test_clean_removes_the_outputs_of_a_failed_build_and_of_removed_actions(project):
    from build_helpers import replace_action

    from cmfc.build import clean

    project()
    failing = replace_action(project.actions, "mix:ab", kind="fail_no_placeholder")
    assert project(failing).exit_code == 1  # its manifest no longer lists out/ab.txt nor out/final.mp4
    manifest = json.loads((project.root / "manifest.json").read_text())
    assert "out/ab.txt" not in [e["path"] for e in manifest["outputs"]]
    fewer = [a for a in project.actions if a.id != "read:c"]
    fewer = replace_action(fewer, "final", inputs={"ab": project.actions[-1].inputs["ab"]})
    project(fewer)  # out/c.txt is now stale: no action writes it
    removed = clean(project.root).removed
    assert removed == ["manifest.json", "out/ab.txt", "out/c.txt", "out/final.mp4"]
    assert not (project.root / "out").exists()


# --- 4. every OS error is a sentence ------------------------------------------------------------------

def _no_traceback(report) -> None:
    text = _render(report)
    assert "Traceback" not in text and "File \"" not in text, text


def test_a_file_where_an_output_folder_belongs_is_named_in_one_sentence(project):
    write_source(project.root, "out", "I am a file")
    report = project(keep_going=True)
    assert report.exit_code == 1
    error = report.result("mix:ab").error
    assert error.startswith("cannot write out/ab.txt: out is a file where the build needs a folder; "
                            "move or rename that file and run the build again")
    _no_traceback(report)
    assert (project.root / "out").read_text() == "I am a file"


def test_a_folder_where_an_output_file_belongs_is_named_in_one_sentence(project):
    (project.root / "out/c.txt").mkdir(parents=True)
    report = project(keep_going=True)
    assert report.result("read:c").error.startswith(
        "out/c.txt is a folder, but the build writes a file there; move or rename that folder")
    assert report.result("mix:ab").status == "ran"  # the rest of the build went on
    _no_traceback(report)


@pytest.fixture
def immutable(tmp_path):
    """``chattr +i`` on folders (stops root too, unlike chmod); undone after the test."""
    import shutil
    import subprocess

    if not shutil.which("chattr"):
        pytest.skip("chattr is not installed")
    made = []

    def freeze(folder):
        done = subprocess.run(["chattr", "+i", str(folder)], capture_output=True, text=True)
        if done.returncode:
            pytest.skip(f"this file system cannot make a folder immutable: {done.stderr.strip()}")
        made.append(folder)

    yield freeze
    for folder in made:
        subprocess.run(["chattr", "-i", str(folder)], check=False)


def test_a_read_only_output_folder_fails_with_a_sentence_and_keeps_the_previous_outputs(project, immutable):
    from build_helpers import replace_action

    project()
    before = {p.name: p.read_bytes() for p in (project.root / "out").iterdir()}
    immutable(project.root / "out")
    report = project(replace_action(project.actions, "read:c", params={"prefix": "C2:"}))
    assert report.exit_code == 1
    assert report.result("read:c").error.startswith("cannot write out/c.txt: permission denied; ")
    _no_traceback(report)
    assert {p.name: p.read_bytes() for p in (project.root / "out").iterdir()} == before
    assert not any((project.root / ".cmfc/tmp").rglob("*.part"))


def test_a_full_disk_while_writing_the_manifest_keeps_the_table_and_the_old_manifest(project, monkeypatch):
    import errno

    import cmfc.build.engine as engine

    project()
    old = (project.root / "manifest.json").read_bytes()
    real = engine.write_atomic

    def full(target, data, tmp_dir):
        if target.name == "manifest.json":
            raise OSError(errno.ENOSPC, "No space left on device", str(tmp_dir / "x.part"))
        real(target, data, tmp_dir)

    monkeypatch.setattr(engine, "write_atomic", full)
    from build_helpers import replace_action

    report = project(replace_action(project.actions, "read:c", params={"prefix": "C2:"}))
    assert report.exit_code == 1
    assert report.problems[0].startswith("no space left on the device while writing .cmfc/manifest.json; free some space")
    text = _render(report)
    assert "read:c" in text and "error: no space left on the device while writing manifest.json" in text
    assert (project.root / "manifest.json").read_bytes() == old
    assert json.loads(report.to_json())["ok"] is False


def test_a_full_disk_inside_an_action_names_the_file_without_a_traceback(project):
    import errno

    def fills_the_disk(ctx):
        raise OSError(errno.ENOSPC, "No space left on device", str(ctx.output_path("text")))

    project.registry.add("full", fills_the_disk)
    from build_helpers import replace_action

    report = project(replace_action(project.actions, "read:a", kind="full"))
    error = report.result("read:a").error
    assert error.startswith("no space left on the device while writing .cmfc/tmp/")
    assert "cmfc gc SPEC" in error and report.result("read:a").attempts == 1
    _no_traceback(report)


def test_a_state_folder_that_is_a_file_is_one_diagnostic(project):
    from cmfc.diagnostics import CmfError

    write_source(project.root, ".cmfc", "not a folder")
    with pytest.raises(CmfError) as caught:
        project()
    assert "where the build needs a folder" in str(caught.value)


@pytest.fixture
def tiny_disk(tmp_path):
    """A 64 KB tmpfs mounted on ``out/``, where the test may mount one (root, mount allowed)."""
    import subprocess

    folder = tmp_path / "out"
    folder.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(folder)],
                          capture_output=True, text=True)
    if done.returncode:
        pytest.skip(f"cannot mount a tmpfs here (needs root and mount rights): {done.stderr.strip()}")
    yield folder
    subprocess.run(["umount", str(folder)], check=False)


def test_a_full_output_disk_keeps_the_previous_output_whole(tmp_path, tiny_disk):
    registry = make_registry()

    def sized(ctx):
        ctx.output_path("blob").write_bytes(b"x" * ctx.params["bytes"])

    registry.add("sized", sized)
    actions = [Action("blob", "sized", {"bytes": 10_000}, {}, (Output("blob", "out/blob.bin"),))]
    assert build(actions, tmp_path, registry=registry, progress=False).exit_code == 0
    bigger = [Action("blob", "sized", {"bytes": 200_000}, {}, (Output("blob", "out/blob.bin"),))]
    report = build(bigger, tmp_path, registry=registry, progress=False)
    assert report.exit_code == 1
    assert report.result("blob").error.startswith("no space left on the device while writing out/blob.bin; ")
    assert (tiny_disk / "blob.bin").read_bytes() == b"x" * 10_000
    assert sorted(p.name for p in tiny_disk.iterdir()) == ["blob.bin"]  # no temp file left behind


# --- 7. temporaries live in .cmfc/tmp and are cleared at the next start ---------------------------------

def test_an_actions_scratch_folder_lives_in_cmfc_tmp_and_the_next_build_clears_it(project):
    import tempfile

    from build_helpers import replace_action

    left = []

    def leaky(ctx):  # a segment render killed mid-way: its scratch folder is never removed
        left.append(Path(tempfile.mkdtemp(prefix="cmfc-segment-")))
        (left[-1] / "frame_0001.png").write_bytes(b"png")
        ctx.output_path("text").write_bytes(b"A")

    project.registry.add("leaky", leaky)
    before = tempfile.gettempdir()
    project(replace_action(project.actions, "read:a", kind="leaky"))
    assert left[0].parent == project.root / ".cmfc" / "tmp"
    assert tempfile.gettempdir() == before  # only while the build runs
    project()
    assert not left[0].exists()


def test_derived_files_are_written_under_the_lock_through_cmfc_tmp_and_cleaned(project):
    from cmfc.build import ProjectLock, clean
    from cmfc.diagnostics import CmfError

    held = []

    def resolve_copies():
        with pytest.raises(CmfError, match="another cmfc build is running"):
            with ProjectLock(project.root / ".cmfc" / "lock"):
                pass
        held.append(True)
        return {"out/PROJ.fcpxml": b"<fcpxml file:///abs/>"}

    report = project(extras=resolve_copies)
    assert held and report.extras == ["out/PROJ.fcpxml"]
    assert (project.root / "out/PROJ.fcpxml").read_bytes() == b"<fcpxml file:///abs/>"
    assert not [p.name for p in (project.root / "out").iterdir() if p.name.endswith(".tmp")]
    (project.root / "out/PROJ.fcpxml").write_bytes(b"<fcpxml edited in Resolve/>")
    report = project(extras=resolve_copies)
    assert report.kept == ["out/PROJ.fcpxml.edited-1"]
    assert "out/PROJ.fcpxml" in clean(project.root).removed


# --- 11. verify finds bit rot the stat cache cannot see, and repairs it -----------------------------------

def _rot(root, rel: str) -> None:
    """Flip a byte of ``rel`` the way a disk does: same size, and a stat the stat cache still trusts."""
    path = root / rel
    path.chmod(0o644)
    data = bytearray(path.read_bytes())
    data[0] ^= 0x01
    path.write_bytes(bytes(data))
    stat_file = root / ".cmfc/stat.json"
    doc = json.loads(stat_file.read_text())
    st = path.stat()
    doc["entries"][rel][:4] = [st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns]
    doc["entries"][rel][5] = 0
    stat_file.write_text(json.dumps(doc))


def test_verify_finds_a_rotted_output_a_build_cannot_see_and_repair_restores_it(project):
    from cmfc.build import verify

    project()
    good = (project.root / "out/c.txt").read_bytes()
    _rot(project.root, "out/c.txt")
    assert project().ids("ran") == [] and (project.root / "out/c.txt").read_bytes() != good  # invisible to build
    found = verify(project.root)
    assert not found.ok and found.changed == ["out/c.txt"] and found.corrupt == []
    assert "  changed: out/c.txt (rotted, or edited by hand)" in found.lines()
    fixed = verify(project.root, project.actions, repair=True, registry=project.registry, progress=False)
    assert fixed.repaired.ids("ran") == [] and fixed.repaired.exit_code == 0  # restored from the store
    assert (project.root / "out/c.txt").read_bytes() == good
    assert (project.root / "out/c.txt.edited-1").exists()  # rot and a hand edit look alike: kept
    assert verify(project.root).ok


def test_verify_finds_a_rotted_store_entry_and_repair_rebuilds_it(project):
    from cmfc.build import verify

    first = project()
    digest = first.result("read:a").outputs["text"]["sha256"]
    rel = f".cmfc/store/{digest[:2]}/{digest}"
    _rot(project.root, rel)
    (project.root / "out/ab.txt").unlink()
    found = verify(project.root)
    assert found.corrupt == [rel] and f"  corrupt: {rel}" in found.lines()
    assert found.missing == ["out/ab.txt"]
    fixed = verify(project.root, project.actions, repair=True, registry=project.registry, progress=False)
    assert "read:a" in fixed.repaired.ids("ran")
    assert (project.root / "out/ab.txt").read_bytes() == b"M:A:<a>|textB:<b>|text|text"
    assert verify(project.root).ok


def test_verify_reports_damaged_records_and_analysis_caches(project):
    from cmfc.build import verify
    from cmfc.sealed import write_sealed

    project()
    key = project().result("read:b").key
    (project.root / f".cmfc/actions/{key}.json").write_text('{"outputs": {"text": {"sha')
    write_sealed(project.root / ".cmfc/analysis/music-x.json", "music-analysis", {"tempo": 120})
    record = project.root / ".cmfc/analysis/music-x.json"
    record.write_text(record.read_text().replace("120", "97"))
    found = verify(project.root)
    assert found.damaged_records == [f".cmfc/actions/{key}.json"]
    assert found.damaged_side == [".cmfc/analysis/music-x.json"]
    verify(project.root, project.actions, repair=True, registry=project.registry, progress=False)
    assert not record.exists() and verify(project.root).ok


def test_ffmpeg_meeting_a_full_disk_says_what_to_do(tiny_disk):
    from cmfc.diagnostics import CmfError
    from cmfc.mix.ffmpeg import run_ffmpeg

    with pytest.raises(CmfError) as caught:
        run_ffmpeg(["-f", "lavfi", "-i", "anullsrc=r=48000:cl=mono", "-t", "5", "-c:a", "pcm_s16le",
                    tiny_disk / "voice.wav"], "cleaning the voice", "audio/voice.wav")
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.message.startswith("cleaning the voice failed: ") and "No space left on device" in diagnostic.message
    assert diagnostic.hint.startswith("the disk is full: free some space")


def test_an_unreadable_or_folder_input_is_a_diagnostic_naming_it(project, monkeypatch):
    import errno
    import shutil

    from cmfc.build.statcache import StatCache
    from cmfc.diagnostics import CmfError

    (project.root / "src/b.txt").unlink()
    (project.root / "src/b.txt").mkdir()
    real = StatCache._hash

    def locked(self, path):
        if path.name == "a.txt":
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real(self, path)

    monkeypatch.setattr(StatCache, "_hash", locked)
    with pytest.raises(CmfError) as caught:
        project()
    messages = [d.message for d in caught.value.diagnostics]
    assert messages == ["cannot read src/a.txt: permission denied (input 'src' of read:a)",
                        "input file src/b.txt is a folder, not a file (input 'src' of read:b)"]
    assert caught.value.diagnostics[0].hint.startswith("make it readable for you")
    shutil.rmtree(project.root / "src/b.txt")
