"""Parse + lower + check time for a generated 1,000-scene spec (issue 2's aim: under 1 s).

Run: .venv/bin/python bench/bench_check.py [SCENES]
"""

from __future__ import annotations

import json
import math
import shutil
import struct
import sys
import tempfile
import time
import wave
from pathlib import Path

RATE = 48_000
WORDS_PER_SCENE = 6


def make_project(root: Path, scenes: int) -> Path:
    """A project whose voice has WORDS_PER_SCENE words per scene, every line derived or explicit."""
    from cmfc.scaffold import scaffold

    scaffold(str(root), "PROJ_Bench")
    for spec in root.glob("*.cmf"):
        spec.unlink()
    words, segments, t = [], [], 0.2
    for s in range(scenes):
        seg = []
        for w in range(WORDS_PER_SCENE):
            word = {"word": f"w{s}x{w}", "start": round(t, 3), "end": round(t + 0.25, 3), "score": 1.0}
            seg.append(word)
            t += 0.32
        t += 0.4
        segments.append({"start": seg[0]["start"], "end": seg[-1]["end"], "text": "", "words": seg})
        words.extend(seg)
    duration = math.ceil(t + 0.5)
    with wave.open(str(root / "audio" / "voice.wav"), "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(RATE)
        handle.writeframes(struct.pack("<h", 0) * (duration * RATE))
    (root / "audio" / "voice.words.json").write_text(json.dumps({"segments": segments}))
    lines = ["cmf 1", "", 'project PROJ_Bench "Bench"', "  format 1080x1920 24fps", "  seed 3",
             '  voice "audio/voice.wav"', '    words "audio/voice.words.json"', '  music "audio/bed.wav"',
             "    arc the_rally", '  sfx_library "assets/sfx"', "", "character host", '  anchor "The host"', ""]
    templates = ["HOOK-1", "SETUP-2", "CONFLICT-1", "TURN-1", "EPIPHANY-1", "PAYOFF-1", "CTA-1"]
    for s in range(scenes):
        text = " ".join(w["word"] for w in segments[s]["words"])
        lines += [f"scene SC_{s + 1:04d} {templates[s % len(templates)]}", f'  line "{text}"', "  subject host",
                  '  hero image "assets/stages/stage_01.png"', "  motion kenburns zoom 1.0..1.1 pan left",
                  f'  text "SCENE {s + 1}" lower_third', "  fx grain amount 0.2", "  fx glitch at 0.5s",
                  f'  sfx impact_01 on "{segments[s]["words"][2]["word"]}"', ""]
    spec = root / "bench.cmf"
    spec.write_text("\n".join(lines))
    return spec


def main(scenes: int = 1000) -> dict:
    from cmfc.check import load

    folder = Path(tempfile.mkdtemp(prefix="cmfc-bench-"))
    try:
        spec = make_project(folder / "proj", scenes)
        start = time.perf_counter()
        compiled = load(str(spec))
        seconds = time.perf_counter() - start
        assert len(compiled.project.scenes) == scenes
        lines = spec.read_text().count("\n") + 1
        print(f"check of {scenes} scenes ({lines} lines): {seconds:.3f} s in-process (includes grammar build)")
        return {"scenes": scenes, "seconds": round(seconds, 3)}
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
