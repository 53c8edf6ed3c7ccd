"""The Director's console (Streamlit): ``streamlit run app.py`` with ``CMFC_CONSOLE_SPEC`` naming the spec.

Every page run reads the spec and the build's files afresh; every decision is a spec edit through
``cmfc.edit`` (checked, atomic). The digest of the spec the page showed is kept in the browser session
only, so a decision made on a stale page is refused with a message instead of overwriting a newer edit.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import streamlit as st

from cmfc.console.state import (REPORT_FILE, building, eject_path, latest_cut, read_report, readable_image,
                                scene_takes)
from cmfc.diagnostics import CmfError
from cmfc.project import UsageError
from cmfc.edit import Edit, EditError, EditRefused, StaleEdit, Text, Word, edit_spec, read_spec

SPEC = os.environ.get("CMFC_CONSOLE_SPEC", ".")


def _flash(kind: str, message: str, diff: str = "") -> None:
    st.session_state["flash"] = (kind, message, diff)


def _refusal(error: Exception) -> str:
    if isinstance(error, EditRefused):
        return "refused, the spec is unchanged: " + "; ".join(d.message for d in error.diagnostics)
    if isinstance(error, CmfError):
        return "; ".join(d.message for d in error.diagnostics)
    return str(error)


def _edit(edits: list[Edit], done: str) -> None:
    """Apply ``edits`` against the spec the page showed; flash the diff or the reason it was refused."""
    try:
        result = edit_spec(SPEC, edits, expected=st.session_state.get("seen"))
    except (EditRefused, StaleEdit, EditError, CmfError) as error:
        _flash("error", _refusal(error))
        return
    _flash("success", done, _diff(result))


def _diff(result) -> str:
    """The edit's diff, naming the spec as the project knows it (not by a path from wherever we run)."""
    from cmfc.edit import unified_diff

    name = result.location.spec.relative_to(result.location.root).as_posix()
    return unified_diff(result.before, result.after, name)


def on_select(scene: str, label: str) -> None:
    _edit([Edit(scene, "set", "pick", (Word(label),))], f"{scene}: picked {label}")


def on_regenerate(scene: str, takes: int) -> None:
    _edit([Edit(scene, "set", "takes", (Word(str(takes + 1)),))],
          f"{scene}: takes {takes + 1} (the next build generates v{takes + 1:02d})")


def on_upload(scene_id: str) -> None:
    upload = st.session_state.get(f"upload_{scene_id}")
    if upload is None:
        _flash("error", f"{scene_id}: choose a file to upload first")
        return
    from cmfc.check import load
    from cmfc.fsutil import atomic_write_bytes

    compiled = load(SPEC, defer_music=True)
    scene = next(s for s in compiled.project.scenes if s.id == scene_id)
    try:
        relative = eject_path(compiled, scene, upload.name)
    except ValueError as error:
        _flash("error", str(error))
        return
    kind = "clip" if Path(relative).suffix in (".mp4", ".mov", ".webm") else "image"
    if kind == "image" and not readable_image(upload.getvalue()):
        _flash("error", f"{upload.name}: not a readable image; nothing was stored")
        return
    target = compiled.location.root / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(target, upload.getvalue())
    try:
        result = edit_spec(SPEC, [Edit(scene_id, "set", "hero", (Word(kind), Text(relative)))],
                           expected=st.session_state.get("seen"))
    except (EditRefused, StaleEdit, EditError, CmfError) as error:
        target.unlink(missing_ok=True)  # the spec does not point at it: leave nothing behind
        _flash("error", _refusal(error))
        return
    _flash("success", f"{scene_id}: hero {kind} {relative} (stored in the project)", _diff(result))


def on_preview_note() -> None:
    from cmfc.console.notes import note_result

    scene, note = st.session_state.get("note_scene"), st.session_state.get("note_text", "")
    st.session_state.pop("pending", None)
    try:
        result = note_result(SPEC, scene, note)
    except (EditRefused, EditError, CmfError) as error:
        _flash("error", f"{scene}: {note!r}: {_refusal(error)}")
        return
    st.session_state["pending"] = (scene, note, st.session_state.get("seen"), _diff(result))
    st.session_state.pop("flash", None)


def on_apply_note() -> None:
    from cmfc.console.notes import apply_note

    pending = st.session_state.pop("pending", None)
    if pending is None:
        return
    scene, note, seen, _ = pending
    try:
        result = apply_note(SPEC, scene, note, expected=seen)
    except (EditRefused, StaleEdit, EditError, CmfError) as error:
        _flash("error", f"{scene}: {note!r}: {_refusal(error)}")
        return
    _flash("success", f"{scene}: {note}", _diff(result))


def on_restitch(root: str) -> None:
    command = [sys.executable, "-m", "cmfc", "build", str(Path(SPEC).resolve()), "--preview", "--keep-going", "--report",
               str(Path(root) / REPORT_FILE)]
    (Path(root) / REPORT_FILE).parent.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(command, capture_output=True, text=True, cwd=root)
    tail = "\n".join(done.stderr.strip().splitlines()[-3:])
    _flash("success" if done.returncode == 0 else "error", f"re-stitch (exit {done.returncode}): {tail}")


def status_strip(root: Path) -> None:
    report = read_report(root)
    parts = []
    if building(root):
        parts.append("BUILDING")
    if report:
        counts = report.get("counts", {})
        parts.append("last build: " + ", ".join(f"{n} {k}" for k, n in sorted(counts.items()) if n))
        failed = [a for a in report.get("actions", []) if a.get("status") == "failed"]
        for action in failed[:5]:
            parts.append(f"FAILED {action['id']}: {action.get('error') or action.get('why')}")
    else:
        parts.append("no build from the console yet")
    st.caption(" · ".join(parts))


def asset_swiper(compiled, report) -> None:
    from cmfc.visuals.frames import storyboard_card

    project = compiled.project
    fps = project.format.fps
    for scene in project.scenes:
        st.subheader(f"{scene.id} · {scene.template}")
        st.write(f"“{scene.line or ''}”  —  slot {scene.slot.start / fps:.2f}–{scene.slot.end / fps:.2f} s"
                 f"  ·  pick {scene.pick or 'v01'}  ·  takes {scene.takes}")
        takes = scene_takes(compiled, scene, report)
        picked = scene.pick or "v01"
        if scene.hero is not None and scene.hero.kind in ("image", "clip") and scene.hero.path:
            hero = compiled.location.root / str(scene.hero.path)
            st.caption(f"hero {scene.hero.kind} (provided): {scene.hero.path}")
            if hero.is_file():
                if scene.hero.kind == "clip":
                    st.video(str(hero))
                else:
                    st.image(str(hero), width=180)
        columns = st.columns(max(len(takes), 1))
        for column, take in zip(columns, takes):
            with column:
                if take.kind == "clip":
                    st.video(str(take.path))
                elif take.kind == "image":
                    st.image(str(take.path))
                else:
                    st.image(storyboard_card(project, scene, compiled.location.root, (180, 320)))
                mark = " ✓" if take.label == picked else ""
                st.caption(f"{take.label}{mark} · {take.state}" + (f": {take.why}" if take.why else ""))
                st.button(f"SELECT {take.label}", key=f"select_{scene.id}_{take.label}",
                          disabled=take.label == picked, on_click=on_select, args=(scene.id, take.label))
        left, right = st.columns(2)
        with left:
            st.button(f"REGENERATE (takes {scene.takes + 1})", key=f"regen_{scene.id}",
                      on_click=on_regenerate, args=(scene.id, scene.takes))
        with right:
            st.file_uploader(f"UPLOAD {scene.id}'s hero (image or clip)", key=f"upload_{scene.id}",
                             type=["png", "jpg", "jpeg", "webp", "mp4", "mov", "webm"])
            st.button(f"USE UPLOAD as {scene.id}'s hero", key=f"eject_{scene.id}", on_click=on_upload,
                      args=(scene.id,))
        st.divider()


def assembly(compiled) -> None:
    cut = latest_cut(compiled)
    if cut is not None:
        st.caption(str(cut.relative_to(compiled.location.root)))
        st.video(str(cut))
    else:
        st.info("no cut yet: RE-STITCH builds the preview")
    st.selectbox("scene", [s.id for s in compiled.project.scenes], key="note_scene")
    st.text_input("note (extend 0.5s, trim 0.3s, swap with SC_04, text \"…\", no grain)", key="note_text")
    st.button("PREVIEW NOTE", key="preview_note", on_click=on_preview_note)
    pending = st.session_state.get("pending")
    if pending:
        st.code(pending[3] or "(no change)", language="diff")
        st.button("APPLY", key="apply_note", on_click=on_apply_note)
    st.button("RE-STITCH", key="restitch", on_click=on_restitch, args=(str(compiled.location.root),))
    report = read_report(compiled.location.root)
    if report:
        rows = [{"action": a["id"], "status": a["status"], "why": a.get("why", "")}
                for a in report.get("actions", []) if a.get("status") != "cached"]
        st.caption(f"last build: {len(rows)} actions ran or failed, the rest were up to date")
        if rows:
            st.dataframe(rows, hide_index=True)


def _flash_shown() -> None:
    flash = st.session_state.pop("flash", None)
    if flash:
        kind, message, diff = flash
        (st.success if kind == "success" else st.error)(message)
        if diff:
            st.code(diff, language="diff")


def main() -> None:
    from cmfc.check import load

    st.set_page_config(page_title="cmfc console", layout="wide")
    from cmfc.console.narrative import narrative_lab

    try:
        compiled = load(SPEC, defer_music=True)
        _, seen = read_spec(SPEC)
    except (CmfError, UsageError) as error:  # no spec yet (before stage 1) or one that does not check
        st.error("no checked spec to show: " + _refusal(error))
        _flash_shown()
        given = Path(SPEC)
        narrative_lab(given if given.is_dir() else given.parent)
        return
    st.session_state["seen"] = seen
    root = compiled.location.root
    st.title(f"{compiled.project.id} — {compiled.project.title}")
    status_strip(root)
    _flash_shown()
    report = read_report(root)
    takes_tab, assembly_tab, narrative_tab = st.tabs(["Asset swiper", "Assembly preview", "Narrative lab"])
    with takes_tab:
        asset_swiper(compiled, report)
    with assembly_tab:
        assembly(compiled)
    with narrative_tab:
        narrative_lab(root)


main()
