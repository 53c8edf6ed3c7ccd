"""The MoviePy timeline target: timeline.json as data, and timeline.py rendering it frame-exactly."""

from __future__ import annotations

import ast
import importlib.util
import json
import subprocess
import sys
import wave
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, strategies as st

from cmfc.backends import EmitContext
from cmfc.backends.timeline import duck_points, emit
from cmfc.ir.models import Text, Word
from cmfc.naming import asset_name
from tests.helpers import PROJECT_HEAD

HEAD = PROJECT_HEAD.replace("1080x1920", "144x256")
WIDTH, HEIGHT, FPS = 144, 256, 24
HOSTILE = "<b>&amp; \"q\" 'a' ]]> {{ x }} {% y %} \\n \n $(cmd) ${x} \"\"\" \u05e9\u05dc\u05d5\u05dd \U0001f525 e\u0301"
BANNED_CALLS = {"eval", "exec", "__import__", "compile", "system", "popen", "run", "call", "check_output", "Popen"}

# Four explicit slots tiling the 5 s voice (120 frames); clip lengths exercise every fit policy.
FITS = """
scene SC_01 HOOK-1 at 0s..1s
  fit loop

scene SC_02 SETUP-1 at 1s..2.25s
  fit pingpong

scene SC_03 CONFLICT-1 at 2.25s..3.5s
  fit speed 0.8

scene SC_04 PAYOFF-1 at 3.5s..5s
  fit trim
"""
SOURCE_FRAMES = {"SC_01": 10, "SC_02": 8, "SC_03": 12, "SC_04": 45}
COLOURS = {"SC_01": (230, 30, 30), "SC_02": (30, 200, 30), "SC_03": (30, 30, 230), "SC_04": (230, 230, 30)}


def _script_module():
    path = Path(__file__).resolve().parents[2] / "templates" / "timeline" / "timeline.py"
    spec = importlib.util.spec_from_file_location("timeline_script", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _emit(compiled, project=None) -> dict[str, bytes]:
    ctx = EmitContext(words=tuple(compiled.words), frameworks=compiled.frameworks, root=compiled.location.root)
    return emit(project or compiled.project, ctx)


# ---------------------------------------------------------------- the fit policies, in whole frames

@pytest.mark.parametrize("fit, frames, expected", [
    ({"mode": "loop"}, 3, [0, 1, 2, 0, 1, 2, 0]),
    ({"mode": "pingpong"}, 3, [0, 1, 2, 2, 1, 0, 0, 1]),
    ({"mode": "trim"}, 3, [0, 1, 2, 2, 2]),
    ({"mode": "trim"}, 9, [0, 1, 2, 3]),
    ({"mode": "speed", "speed": 0.8}, 4, [0, 0, 1, 2, 3, 0, 0, 1]),  # 4 frames slowed to 5, then looped
    ({"mode": "speed", "speed": 2.0}, 6, [0, 2, 4, 0, 2]),
])
def test_fit_policy_maps_slot_frames_to_source_frames(fit, frames, expected):
    module = _script_module()
    assert [module.source_frame(fit, frames, i) for i in range(len(expected))] == expected


# ---------------------------------------------------------------- music ducking

def _word(start_s: str, end_s: str) -> Word:
    return Word(text="w", start=int(Decimal(start_s) * 48000), end=int(Decimal(end_s) * 48000))


def test_ducking_ramps_down_before_a_word_and_releases_after_it():
    points = duck_points([_word("1", "2")], 24, 120, Decimal(-12))
    # The ramp starts 40 ms before 1 s (frame 23.04 -> 23) and is down at frame 24; back up 250 ms after 2 s.
    assert points == [(0, 0), (23, 0), (24, -12), (48, -12), (54, 0)]


def test_ducking_stays_down_between_close_words_and_has_no_points_without_change():
    points = duck_points([_word("1", "1.5"), _word("1.6", "2"), _word("4", "4.5")], 24, 120, Decimal(-6))
    assert points == [(0, 0), (23, 0), (24, -6), (48, -6), (54, 0), (95, 0), (96, -6), (108, -6), (114, 0)]


def test_ducking_of_a_word_at_the_start_and_one_running_to_the_end():
    assert duck_points([_word("0", "1"), _word("4.9", "5")], 24, 120, Decimal(-12)) == \
        [(0, -12), (24, -12), (30, 0), (117, 0), (118, -12), (120, -12)]
    assert duck_points([], 24, 120, Decimal(-12)) == [(0, 0)]


@given(st.lists(st.tuples(st.integers(0, 300_000), st.integers(0, 30_000)), max_size=12))
def test_ducking_points_are_ordered_in_range_and_only_at_changes(spans):
    words = [Word(text="w", start=start, end=start + length) for start, length in spans]
    points = duck_points(words, 24, 120, Decimal(-9))
    frames = [frame for frame, _ in points]
    assert frames[0] == 0 and frames == sorted(set(frames)) and frames[-1] <= 120
    assert {db for _, db in points} <= {0, -9}
    assert all(not (a[1] == b[1] == c[1]) for a, b, c in zip(points, points[1:], points[2:]))


# ---------------------------------------------------------------- timeline.json

def test_timeline_json_is_canonical_and_identical_across_emits(tiny):
    compiled = tiny.compile("""
scene SC_01 HOOK-1
  line "Every day you show up."
  sfx impact_01 on "show"
  sfx impact_01 at 0.5s
  pick v02
  takes 2

scene SC_02 SETUP-1
  line "That is the whole secret."
  fit speed 0.8
""", head=HEAD)
    first, second = _emit(compiled), _emit(compiled)
    assert first == second and sorted(first) == ["timeline/timeline.json", "timeline/timeline.py"]
    text = first["timeline/timeline.json"].decode("utf-8")
    data = json.loads(text)
    assert text == json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
    assert data["fps"] == 24 and data["duration"] == {"frames": 120, "samples": 240000}
    clip_one, clip_two = data["clips"]
    assert clip_one["path"] == "04_fabrication/" + asset_name("PROJ_T", "SC_01", clip_one["role"], "FX", 2, "mp4")
    assert (clip_one["slot"], clip_two["slot"]) == ({"start": 0, "end": 55}, {"start": 55, "end": 120})
    assert clip_two["fit"] == {"mode": "speed", "speed": 0.8}
    audio = data["audio"]
    assert audio["mix"]["path"] == "02_sonic/PROJ_T_MASTER.wav"
    assert audio["stems"]["voice"]["path"] == "02_sonic/PROJ_T_VOICE_CLEAN.wav"
    # "show" starts at 1.41 s (sample 67680, frame 34); "at 0.5s" is frame 12 of scene SC_01.
    cues = [(c["frame"], c["sample"], c["word"]) for c in audio["stems"]["sfx"]]
    assert cues == [(12, 24000, None), (34, 67680, "show")]
    gain = audio["stems"]["music"]["gain"]
    assert gain[0] == [0, 0] and all(a[0] < b[0] for a, b in zip(gain, gain[1:]))
    assert {db for _, db in gain} == {0, -12}
    assert [v for v in _numbers(data) if isinstance(v, float)] == [0.8]  # frames, samples, dB: integers


def _numbers(value):
    if isinstance(value, dict):
        for item in value.values():
            yield from _numbers(item)
    elif isinstance(value, list):
        for item in value:
            yield from _numbers(item)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        yield value


# ---------------------------------------------------------------- timeline.py renders it

def _ffmpeg() -> str:
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def _write_clip(path: Path, colour: tuple, frames: int) -> None:
    """A clip whose top half is the scene's colour and bottom half a grey level counting its frames."""
    step = 200 // frames
    pictures = np.zeros((frames, HEIGHT, WIDTH, 3), np.uint8)
    for index in range(frames):
        pictures[index, : HEIGHT // 2] = colour
        pictures[index, HEIGHT // 2:] = 20 + step * index
    path.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([_ffmpeg(), "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{WIDTH}x{HEIGHT}",
                    "-r", str(FPS), "-i", "-", "-c:v", "libx264", "-qp", "0", "-pix_fmt", "yuv444p", str(path)],
                   input=pictures.tobytes(), check=True)


def _write_tone(path: Path, samples: int) -> None:
    tone = (np.sin(np.arange(samples) * 2 * np.pi * 440 / 48000) * 8000).astype("<i2")
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1), out.setsampwidth(2), out.setframerate(48000)
        out.writeframes(tone.tobytes())


def _lay_out(files: dict[str, bytes], output_root: Path, data: dict) -> Path:
    """The build's layout: the compiled files in 05_assembly/, the clips and the mix where the timeline says."""
    for relative, content in files.items():
        (output_root / "05_assembly" / relative).parent.mkdir(parents=True, exist_ok=True)
        (output_root / "05_assembly" / relative).write_bytes(content)
    for clip in data["clips"]:
        _write_clip(output_root / clip["path"], COLOURS[clip["scene"]], SOURCE_FRAMES[clip["scene"]])
    _write_tone(output_root / data["audio"]["mix"]["path"], data["duration"]["samples"])
    return output_root / "05_assembly" / "timeline" / "timeline.py"


def _run(script: Path, *options: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(script), "--quiet", *options], capture_output=True, text=True,
                          timeout=120, cwd=script.parent.parent)


def _decode(video: Path, width: int, height: int) -> tuple[np.ndarray, np.ndarray]:
    """Every frame as RGB, and the sound as mono samples at 48 kHz."""
    pictures = subprocess.run([_ffmpeg(), "-v", "error", "-i", str(video), "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
                              capture_output=True, check=True).stdout
    sound = subprocess.run([_ffmpeg(), "-v", "error", "-i", str(video), "-vn", "-f", "s16le", "-ac", "1",
                            "-ar", "48000", "-"], capture_output=True, check=True).stdout
    frames = np.frombuffer(pictures, np.uint8).reshape(-1, height, width, 3)
    return frames, np.frombuffer(sound, "<i2").astype(float)


def _shown(frame: np.ndarray, scene_frames: dict) -> tuple[str, int]:
    """Which scene's clip a frame shows (by colour) and which of its frames (by grey level)."""
    height = frame.shape[0]
    top = frame[height // 8: height * 3 // 8].reshape(-1, 3).mean(axis=0)
    scene = min(COLOURS, key=lambda s: sum((top[i] - COLOURS[s][i]) ** 2 for i in range(3)))
    grey = frame[height * 5 // 8: height * 7 // 8].mean()
    return scene, round((grey - 20) / (200 // scene_frames[scene]))


def test_script_renders_every_slot_frame_exactly_with_the_mix(tiny):
    compiled = tiny.compile(FITS, head=HEAD)
    files = _emit(compiled)
    data = json.loads(files["timeline/timeline.json"])
    module = _script_module()
    script = _lay_out(files, tiny.root / "03_OUTPUT" / "PROJ_T", data)

    result = _run(script)
    assert result.returncode == 0, result.stderr
    frames, samples = _decode(tiny.root / "03_OUTPUT" / "PROJ_T" / "05_assembly" / "PROJ_T_FINAL.mp4", WIDTH, HEIGHT)

    assert len(frames) == compiled.project.duration_frames == 120
    expected = [(clip["scene"], module.source_frame(clip["fit"], SOURCE_FRAMES[clip["scene"]], i))
                for clip in data["clips"] for i in range(clip["slot"]["end"] - clip["slot"]["start"])]
    assert [_shown(frame, SOURCE_FRAMES) for frame in frames] == expected
    cuts = [i for i in range(1, len(frames)) if expected[i][0] != expected[i - 1][0]]
    assert cuts == [clip["slot"]["start"] for clip in data["clips"][1:]] == [24, 54, 84]
    assert abs(len(samples) - compiled.project.duration_samples) <= 48000 // FPS
    assert np.sqrt(np.mean(samples ** 2)) > 2000  # the master mix's tone, not silence


def test_hostile_text_stays_data_and_the_script_still_runs(tmp_path):
    from tests.helpers import TinyProject

    tiny = TinyProject.create(tmp_path / "we'ird \"dir\" $(x) ${y} \u05e9 \U0001f525")
    compiled = tiny.compile(FITS, head=HEAD)
    scenes = tuple(s.model_copy(update={"line": HOSTILE, "text": Text(content=HOSTILE, placement="center")})
                   for s in compiled.project.scenes)
    project = compiled.project.model_copy(update={"scenes": scenes, "title": HOSTILE})
    files = _emit(compiled, project)
    data = json.loads(files["timeline/timeline.json"])
    assert data["clips"][0]["text"]["content"] == HOSTILE and data["clips"][0]["line"] == HOSTILE

    source = files["timeline/timeline.py"].decode("utf-8")
    assert HOSTILE not in source and files["timeline/timeline.py"] == _emit(compiled)["timeline/timeline.py"]
    tree = ast.parse(source)
    calls = {node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
             for node in ast.walk(tree) if isinstance(node, ast.Call)}
    assert calls & BANNED_CALLS == set()
    modules = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names} | \
              {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert modules == {"argparse", "json", "math", "sys", "fractions", "functools", "pathlib", "moviepy"}

    script = _lay_out(files, tiny.root / "03_OUTPUT" / "PROJ_T", data)
    out = tmp_path / "out \"preview\" \u05e9.mp4"
    result = _run(script, "--preview", "--out", str(out))
    assert result.returncode == 0, result.stderr
    frames, _ = _decode(out, WIDTH // 4, HEIGHT // 4)
    assert len(frames) == 120


def test_a_missing_clip_is_one_clear_line_or_a_black_placeholder(tiny):
    compiled = tiny.compile(FITS, head=HEAD)
    files = _emit(compiled)
    data = json.loads(files["timeline/timeline.json"])
    output_root = tiny.root / "03_OUTPUT" / "PROJ_T"
    script = _lay_out(files, output_root, data)
    (output_root / data["clips"][1]["path"]).unlink()

    result = _run(script)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "scene SC_02: missing clip" in result.stderr and "--placeholders" in result.stderr

    result = _run(script, "--placeholders")
    assert result.returncode == 0, result.stderr
    frames, _ = _decode(output_root / "05_assembly" / "PROJ_T_FINAL.mp4", WIDTH, HEIGHT)
    black = [i for i, frame in enumerate(frames) if frame.max() < 40]
    assert len(frames) == 120 and black == list(range(24, 54))
