"""Regenerate the media of the bundled example projects: specs/alpha and specs/resilience.

    python scripts/make_example_media.py            # write every file (only those whose bytes changed)
    python scripts/make_example_media.py --check    # regenerate in memory, exit 1 if any file differs
    python scripts/make_example_media.py --fetch-font   # also re-download Anton (needs npm + PyPI)

Everything is synthesized here and deterministic for a given toolchain; the exceptions are noted
in each spec's LICENSES.md: espeak-ng (installed with apt-get when missing) and the x264 inside
imageio-ffmpeg may produce different bytes in other versions; the font is fetched, not generated.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np

from example_media import audio_io, images, model, music, sfx, video, voice

ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT / "specs"

ALPHA_TRANSCRIPT = "Most people think failure is the opposite of success. It isn't. It is the tuition you pay for it."

RESILIENCE_TRANSCRIPT = (
    "Everyone wants to be strong. Nobody wants to be tested. But strength is not a gift. It is a receipt. "
    "Every time you fell and stood back up, you paid for it. The morning you wanted to quit and did not. "
    "The door that closed in your face. You thought those moments were breaking you. They were building you. "
    "Resilience is not about never falling. It is what you do on the floor. You breathe. You look up. "
    "You find one reason. Then you stand. Not fast. Not pretty. But you stand. "
    "And the next time life hits, it hits someone harder. Get up. Try again. Fail better. "
    "This is how the strong are made. Follow for more."
)

# Cuts pinned to frame-aligned times (ms, keyed by sentence index): resilience.cmf's explicit
# `at A..B` scenes start/end here, so they meet their derived neighbours exactly.
RESILIENCE_CUTS_MS = {5: 15_625, 6: 19_875, 14: 40_375, 18: 46_125, 23: 58_000}

Files = dict[str, bytes]


def voice_files(signal: np.ndarray, sentences: list[list[voice.TimedWord]], meta: dict, audio_name: str) -> Files:
    """The voice (WAV or FLAC by name), its WhisperX-style words JSON, an SRT and a truth file (how it was made)."""
    stem = audio_name.rsplit(".", 1)[0]
    encode = audio_io.flac_bytes if audio_name.endswith(".flac") else audio_io.wav_bytes
    return {
        f"audio/{audio_name}": encode(signal),
        f"audio/{stem}.words.json": voice.words_json(sentences).encode(),
        f"audio/{stem}.srt": voice.srt(sentences).encode(),
        f"audio/{stem}.truth.json": (json.dumps(meta, indent=1, sort_keys=True) + "\n").encode(),
    }


def sfx_files() -> Files:
    """The shared SFX library tree, each effect from its own seeded noise source."""
    return {
        f"assets/sfx/{name}": audio_io.wav_bytes(make(np.random.default_rng(seed)))
        for seed, (name, make) in enumerate(sorted(sfx.LIBRARY.items()), start=100)
    }


def font_files() -> Files:
    """Anton and its licence, copied from specs/alpha (where --fetch-font puts them)."""
    fonts = SPECS / "alpha" / "assets" / "fonts"
    return {f"assets/fonts/{p.name}": p.read_bytes() for p in sorted(fonts.iterdir()) if p.is_file()}


def alpha() -> Files:
    """specs/alpha: the reference example of DESIGN.md (9.0 s voice, 10 s 120 BPM bed, two stages)."""
    signal, sentences, version = voice.speak(
        ALPHA_TRANSCRIPT, speed=200, first_sentence_ends_ms=3_900, total_ms=9_000, cuts_ms={1: 4_125}
    )
    meta = {
        "transcript": ALPHA_TRANSCRIPT, "tts": version, "tts_voice": "en-us", "tts_speed_wpm": 200,
        "samples": len(signal), "sample_rate": audio_io.RATE, "pinned_cuts_s": {"1": 4.125},
    }  # fmt: skip
    # 120 BPM sits inside the_rally's range (specs/frameworks/sonic_arcs.yaml: 100-128) on a
    # round grid: a beat is 0.5 s (12 frames at 24 fps), a bar 2 s.
    bed, truth = music.render_bed(
        120,
        [
            music.Section("intro", 2, "low", frozenset({"pad", "hat8"})),
            music.Section("build", 2, "medium", frozenset({"pad", "kick4", "hat8", "bass"})),
            music.Section("drop", 1, "high", frozenset({"kick4", "snare", "hat16", "bass", "pad_loud"})),
        ],
        chords=[[0, 3, 7], [-4, 0, 3], [-9, -5, -2], [-2, 2, 5]],  # Am F C G (around A4)
        duration_s=10.0,
        seed=120,
    )
    files = voice_files(signal, sentences, meta, "voice.wav")
    files["audio/bed.wav"] = audio_io.wav_bytes(bed)
    files["audio/bed.truth.json"] = music.truth_json(truth).encode()
    files.update(sfx_files())
    files["models/coach.safetensors"] = model.placeholder_lora("coach")
    files["assets/stages/kitchen.png"] = images.kitchen()
    files["assets/stages/rooftop_night.png"] = images.rooftop_night()
    return files


def resilience() -> Files:
    """specs/resilience: the 60-second example (60.0 s voice, 112 BPM bed, stages, driving video, hero clip)."""
    signal, sentences, version = voice.speak(
        RESILIENCE_TRANSCRIPT, speed=180, lead_in_ms=200, total_ms=60_000, cuts_ms=RESILIENCE_CUTS_MS
    )
    meta = {
        "transcript": RESILIENCE_TRANSCRIPT, "tts": version, "tts_voice": "en-us", "tts_speed_wpm": 180,
        "samples": len(signal), "sample_rate": audio_io.RATE,
        "pinned_cuts_s": {str(k): v / 1000 for k, v in sorted(RESILIENCE_CUTS_MS.items())},
    }  # fmt: skip
    # The sparse sections (a bare clock, a heartbeat kick) are digital silence between hits, which
    # FLAC stores for almost nothing; eighth-note hats in the drops for the same reason.
    full = frozenset({"kick4", "snare", "hat8", "bass", "pad_loud", "tick8"})
    bed, truth = music.render_bed(
        112,
        [
            music.Section("intro", 4, "low", frozenset({"tick8"})),
            music.Section("verse", 4, "medium", frozenset({"pad", "tick8", "kick2", "hat8"})),
            music.Section("build", 4, "medium", frozenset({"pad", "tick16", "kick2", "snare", "bass"})),
            music.Section("drop", 4, "high", full),
            music.Section("break", 4, "low", frozenset({"tick8", "kick2"})),
            music.Section("build", 4, "medium", frozenset({"pad", "tick16", "kick4", "bass"})),
            music.Section("drop", 4, "high", full),
            music.Section("outro", 2, "low", frozenset({"tick8"})),
        ],
        chords=[[-9, -5, -2], [-4, 0, 3], [0, 3, 7], [-2, 2, 5]],  # C F Am G
        duration_s=64.0,
        seed=112,
    )
    # FLAC, not WAV: the same 2,880,000 samples losslessly, at a quarter of the bytes in the repo.
    files = voice_files(signal, sentences, meta, "voice.flac")
    files["audio/bed.flac"] = audio_io.flac_bytes(bed)
    files["audio/bed.truth.json"] = music.truth_json(truth).encode()
    files.update(sfx_files())
    files.update(font_files())
    files["models/coach.safetensors"] = model.placeholder_lora("coach")
    for name, draw in sorted(images.STAGES.items()):
        files[f"assets/stages/{name}"] = draw()
    files["assets/driving/walk_01.mp4"] = video.encode_h264(video.walk_frames(), (360, 640))
    files["assets/clips/street_01.mp4"] = video.encode_h264(video.street_frames(images.street_dawn()), (360, 640))
    return files


PROJECTS: dict[str, Callable[[], Files]] = {"alpha": alpha, "resilience": resilience}


def main(argv: list[str] | None = None) -> int:
    """Generate (or with --check, verify) the example media; return the process exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="verify the committed files, write nothing")
    parser.add_argument("--fetch-font", action="store_true", help="re-download Anton into specs/alpha first")
    parser.add_argument("projects", nargs="*", metavar="PROJECT", help=f"one of {', '.join(PROJECTS)} (default: all)")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.projects) - set(PROJECTS))
    if unknown:
        parser.error(f"unknown project {unknown[0]!r}; choose from {', '.join(PROJECTS)}")
    if args.fetch_font:
        from example_media import font

        fonts = SPECS / "alpha" / "assets" / "fonts"
        fonts.mkdir(parents=True, exist_ok=True)
        font.fetch_anton(fonts / "Anton-Regular.ttf", fonts / "OFL.txt")
    stale = []
    for name in args.projects or PROJECTS:
        for rel, data in sorted(PROJECTS[name]().items()):
            path = SPECS / name / rel
            if path.is_file() and path.read_bytes() == data:
                continue
            stale.append(path.relative_to(ROOT).as_posix())
            if not args.check:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)
    verb = "differ" if args.check else "written"
    print(f"{len(stale)} file(s) {verb}" + "".join(f"\n  {p}" for p in stale))
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
