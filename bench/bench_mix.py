"""Benchmark: the mix and the final mux for a 60-second timeline (issue 5, stages 2, 6 and 8).

Run from the repo root: ``.venv/bin/python bench/bench_mix.py``. Times the voice chain,
``render_mix`` (looped bed; and bar surgery with a precomputed analysis), joining 30 video
segments with ``-c copy``, the one AAC encode, the mux (a copy), and the EBU R128 measurement.
The first mix pays scipy/pyloudnorm imports; it is reported separately as "warm-up".
"""

from __future__ import annotations

import json
import pathlib
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from tests.mix.media import SR, hit, make_segment, write_wav  # noqa: E402
from tests.sonic.sonic_synth import PartSpec, music_piece, voice_like  # noqa: E402

SECONDS = 60
FPS = 24


def timed(label: str, run):
    start = time.perf_counter()
    result = run()
    print(f"{label:<46} {time.perf_counter() - start:6.2f} s")
    return result


def main() -> None:
    from cmfc.mix import Cue, MixRequest, clean_voice, concat_segments, encode_audio, measure, mux, render_mix
    from cmfc.sonic.analysis import analyze_music
    from cmfc.sonic.audio_io import resample

    folder = pathlib.Path(tempfile.mkdtemp(prefix="bench-mix-"))
    n = SECONDS * SR
    phrases = [(t + 0.3, t + 2.6) for t in np.arange(0, SECONDS - 3, 3.0)]
    voice = voice_like(SR, phrases, SECONDS) + 0.002 * np.random.default_rng(0).standard_normal(n).astype(np.float32)
    write_wav(folder / "voice.wav", voice, subtype="PCM_24")
    parts = [PartSpec("intro", 8, 0.4, 220.0), PartSpec("verse", 8, 0.7, 196.0),
             PartSpec("chorus", 8, 1.0, 262.0, lead=True), PartSpec("outro", 4, 0.5, 220.0)]
    song, _, _ = music_piece(SR, 124.0, parts)
    write_wav(folder / "music.wav", np.stack([song, song], axis=1))
    write_wav(folder / "hit.wav", hit())
    cues = tuple(Cue(int(t * SR), str(folder / "hit.wav"), -6.0, True) for t in range(2, SECONDS, 6))
    speech = tuple((int(a * SR), int(b * SR)) for a, b in phrases)
    analysis = analyze_music(resample(song.astype(np.float32), SR, 22_050), 22_050)
    (folder / "analysis.json").write_text(json.dumps(analysis.to_json_dict()))

    print(f"{SECONDS} s timeline, {len(cues)} SFX cues, {len(phrases)} phrases, bed {len(song) / SR:.1f} s")
    timed("warm-up (5 s mix: imports)", lambda: render_mix(
        MixRequest(5 * SR, str(folder / "voice.wav"), music_fit="loop"), folder / "warm.wav"))
    timed("clean_voice (ffmpeg chain)", lambda: clean_voice(folder / "voice.wav", folder / "clean.wav"))
    base = dict(duration_samples=n, voice_path=str(folder / "clean.wav"), music_path=str(folder / "music.wav"),
                arc_points=((0.0, 0.55), (0.4, 0.25), (0.8, 1.0), (1.0, 0.75)), cues=cues, speech=speech)
    facts = timed("render_mix, looped bed", lambda: render_mix(MixRequest(**base, music_fit="loop"),
                                                                folder / "master.wav"))
    timed("render_mix, bar surgery (analysis given)", lambda: render_mix(
        MixRequest(**base, payoff_s=48.0, music_analysis=str(folder / "analysis.json")), folder / "master2.wav"))
    print(f"  master: {facts.integrated_lufs:.2f} LUFS, {facts.true_peak_dbtp:.2f} dBTP, "
          f"limiter max {facts.limiter_max_reduction_db:.1f} dB")

    frames = [48] * (SECONDS * FPS // 48)
    segments = [make_segment(folder / f"seg{i:02d}.mp4", count, (20 * i % 256, 90, 160))
                for i, count in enumerate(frames)]
    joined = timed(f"concat_segments ({len(segments)} segments, -c copy)",
                   lambda: concat_segments(segments, folder / "joined.mp4"))
    encoded = timed("encode_audio (AAC 192k, 60 s)",
                    lambda: encode_audio(folder / "master.wav", folder / "master.m4a", FPS, sum(frames)))
    timed("encode_audio, preview (fast coder)", lambda: encode_audio(
        folder / "master.wav", folder / "preview.m4a", FPS, sum(frames), preview=True))
    final = timed("mux (stream copy, +faststart)",
                  lambda: mux(joined, encoded, folder / "final.mp4", FPS, sum(frames)))
    loudness = timed("measure (ebur128 on the MP4)", lambda: measure(final))
    print(f"  final MP4: {loudness.integrated_lufs:.1f} LUFS, {loudness.true_peak_dbtp:.1f} dBTP")
    subprocess.run(["rm", "-rf", str(folder)], check=False)


if __name__ == "__main__":
    main()
