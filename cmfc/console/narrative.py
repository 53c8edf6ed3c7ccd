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


def on_greenlight(analysis: str, transcript: str, number: int) -> None:
    done = subprocess.run([sys.executable, "-m", "cmfc", "script", transcript, "--premise", str(number),
                           "--analysis", analysis], capture_output=True, text=True, cwd=str(Path(analysis).parent))
    out = (done.stdout + done.stderr).strip()
    st.session_state["flash"] = ("success" if done.returncode == 0 else "error",
                                 f"GREENLIGHT premise {number}: script exit {done.returncode}", out)


def narrative_lab(root: Path) -> None:
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
            st.caption(f"“{passage.get('quote', '')}” (words {passage.get('first_word')}–{passage.get('last_word')})")
        st.button(f"GREENLIGHT {premise.get('rank')}", key=f"greenlight_{premise.get('rank')}", on_click=on_greenlight,
                  args=(str(analysis_path), str(transcript), int(premise.get("rank", 1))))
    script_path = analysis_path.with_name("final_script.json")
    if script_path.is_file():
        script = json.loads(script_path.read_text(encoding="utf-8"))
        st.subheader(f"script: {script.get('title', '')}")
        for index, block in enumerate(script.get("blocks", []), 1):
            st.write(f"{index}. {block.get('text', '')}")
