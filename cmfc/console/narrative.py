"""The narrative lab: stage 1's premises (``premise_analysis.json`` in the project), GREENLIGHT runs ``cmfc script``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import streamlit as st


def find_analysis(root: Path) -> Path | None:
    """The project's ``premise_analysis.json`` (outside the build's folders), if stage 1 mined one."""
    for path in sorted(root.rglob("premise_analysis.json")):
        if not ({".cmfc", "03_OUTPUT"} & set(path.relative_to(root).parts)):
            return path
    return None


def _cmfc(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cmfc", *args], capture_output=True, text=True, cwd=str(cwd))


def recording_for(transcript: Path) -> Path | None:
    """The recording beside a transcript (``talk.words.json`` -> ``talk.wav``), if there is one."""
    stem = transcript.name.split(".")[0]
    for ext in (".wav", ".flac", ".mp3", ".m4a"):
        if (transcript.parent / (stem + ext)).is_file():
            return transcript.parent / (stem + ext)
    return None


def on_greenlight(analysis: str, transcript: str, number: int) -> None:
    """GREENLIGHT: the Script Composer writes final_script.json for premise ``number``."""
    args = ["script", transcript, "--premise", str(number), "--analysis", analysis]
    recording = recording_for(Path(transcript))
    if recording is not None:
        args += ["--audio", str(recording)]
    done = _cmfc(*args, cwd=Path(analysis).parent)
    st.session_state["flash"] = ("success" if done.returncode == 0 else "error",
                                 f"GREENLIGHT premise {number}: script exit {done.returncode}",
                                 (done.stdout + done.stderr).strip())


def on_lock(script: str) -> None:
    """LOCK SCRIPT: the Blueprint Architect writes the spec, then ``cmfc check`` says what it thinks of it."""
    folder = Path(script).parent
    done = _cmfc("blueprint", script, cwd=folder)
    out = (done.stdout + done.stderr).strip()
    if done.returncode != 0:
        st.session_state["flash"] = ("error", f"LOCK SCRIPT: blueprint exit {done.returncode}", out)
        return
    spec = out.splitlines()[0].split(": checked", 1)[0]
    checked = _cmfc("check", spec, cwd=folder)
    st.session_state["flash"] = ("success" if checked.returncode == 0 else "error",
                                 f"LOCK SCRIPT: {spec} written; cmfc check exit {checked.returncode}",
                                 out + "\n\n$ cmfc check " + spec + "\n" + (checked.stdout + checked.stderr).strip())


def narrative_lab(root: Path) -> None:
    root = root.resolve()  # the commands it runs work in the transcript's folder
    analysis_path = find_analysis(root)
    if analysis_path is None:
        st.info("no premise_analysis.json in this project: run cmfc mine TRANSCRIPT first")
        return
    analysis = json.loads(analysis_path.read_text(encoding="utf-8"))
    transcript = analysis_path.with_name(str(analysis.get("transcript", "")))
    for premise in analysis.get("premises", []):
        scores = premise.get("scores", {})
        st.markdown(f"**{premise.get('rank')}. {premise.get('title')}** — {premise.get('hook', '')}  \n"
                    f"trinity {scores.get('trinity')} (surprise {scores.get('surprise')}, emotion "
                    f"{scores.get('emotion')}, specificity {scores.get('specificity')})")
        for passage in premise.get("passages", []):
            where = f"{passage['start']:.2f}–{passage['end']:.2f} s, " if "start" in passage and "end" in passage else ""
            st.caption(f"“{passage.get('text') or passage.get('quote', '')}” ({where}words "
                       f"{passage.get('first_word')}–{passage.get('last_word')})")
        st.button(f"GREENLIGHT {premise.get('rank')}", key=f"greenlight_{premise.get('rank')}", on_click=on_greenlight,
                  args=(str(analysis_path), str(transcript), int(premise.get("rank", 1))))
    script_path = analysis_path.with_name("final_script.json")
    if script_path.is_file():
        script = json.loads(script_path.read_text(encoding="utf-8"))
        st.subheader(f"script: {script.get('title', '')}")
        for index, block in enumerate(script.get("blocks", []), 1):
            st.write(f"{index}. {block.get('text', '')}")
            st.caption(f"source: words {block.get('first_word')}–{block.get('last_word')}, "
                       f"{block.get('start', 0):.2f}–{block.get('end', 0):.2f} s of {script.get('transcript', '')}")
        st.button("LOCK SCRIPT", key="lock_script", on_click=on_lock, args=(str(script_path),))
