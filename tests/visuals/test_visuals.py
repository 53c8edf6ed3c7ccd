"""`cmfc storyboard` and `cmfc timeline --png`: the pictures a user looks at, checked by their pixels."""

from __future__ import annotations

import os
import shutil

import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image

from cmfc.check import load
from cmfc.cli import cli
from cmfc.mix.ffmpeg import run_ffmpeg
from cmfc.visuals.drawing import clock, wrap
from cmfc.visuals.storyboard import sheet_layout
from cmfc.visuals.timeline_png import CUT_COLOR, LEFT, MASTER_COLORS, VOICE_COLORS, envelope, timeline_layout
from tests.helpers import copy_example

HIGHLIGHT = (0xFF, 0xD4, 0x00)  # alpha's brand highlight: the stripe on top of each storyboard caption


def run(*args, cwd=None):
    here = os.getcwd()
    if cwd:
        os.chdir(cwd)
    try:
        return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    finally:
        os.chdir(here)


def pixels(path) -> np.ndarray:
    with Image.open(path) as image:
        assert image.mode == "RGB"
        return np.asarray(image)


def runs_of(row: np.ndarray, color) -> list[tuple[int, int]]:
    """[start, end) column runs where ``row`` is exactly ``color``."""
    hits = np.all(row == np.array(color, dtype=row.dtype), axis=1).astype(np.int8)
    edges = np.diff(np.concatenate([[0], hits, [0]]))
    return list(zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)))


@pytest.fixture(scope="module")
def alpha(tmp_path_factory):
    return copy_example("alpha", tmp_path_factory.mktemp("visuals") / "alpha")


def test_storyboard_writes_one_cell_per_scene_at_the_default_path(alpha):
    result = run("storyboard", ".", cwd=alpha)
    assert result.exit_code == 0, result.output
    target = alpha / "03_OUTPUT/PROJ_Alpha/01_narrative/PROJ_Alpha_STORYBOARD.png"
    assert result.output.strip() == "03_OUTPUT/PROJ_Alpha/01_narrative/PROJ_Alpha_STORYBOARD.png"
    project = load(str(alpha)).project
    layout = sheet_layout(project, 1600)
    image = pixels(target)
    assert image.shape == (layout.height, 1600, 3)
    stripe_row = image[layout.cells[0][1] + layout.frame_height + 1]
    stripes = runs_of(stripe_row, HIGHLIGHT)
    assert [end - start for start, end in stripes] == [layout.cell_width] * len(project.scenes) == [layout.cell_width] * 2
    # SC_02's hero is the kitchen image (warm, bright); SC_01 needs a generator, so it is a dark card
    card_left, kitchen_left = (left for left, _ in layout.cells)
    frame_middle = layout.cells[0][1] + layout.frame_height // 2
    assert image[frame_middle, kitchen_left:kitchen_left + layout.cell_width].mean() > 120
    assert image[frame_middle, card_left:card_left + layout.cell_width].mean() < 60


def test_storyboard_is_byte_identical_twice_and_respects_out_and_width(alpha, tmp_path):
    first, second = tmp_path / "a" / "sheet.png", tmp_path / "b.png"
    assert run("storyboard", alpha, "--out", first, "--width", 900).exit_code == 0
    assert run("storyboard", alpha, "--out", second, "--width", 900).exit_code == 0
    assert first.read_bytes() == second.read_bytes()
    assert pixels(first).shape[1] == 900
    assert b"tIME" not in first.read_bytes() and b"tEXt" not in first.read_bytes()


def test_timeline_png_draws_a_line_at_every_scene_cut(alpha):
    result = run("timeline", alpha, "--png")
    assert result.exit_code == 0, result.output
    target = alpha / "03_OUTPUT/PROJ_Alpha/01_narrative/PROJ_Alpha_TIMELINE.png"
    assert result.output.strip().endswith("03_OUTPUT/PROJ_Alpha/01_narrative/PROJ_Alpha_TIMELINE.png")
    project = load(str(alpha)).project
    layout = timeline_layout(project, 1600)
    image = pixels(target)
    assert image.shape == (layout.height, 1600, 3)
    assert set(layout.lanes) >= {"scenes", "voice", "music", "beats", "captions", "words", "axis"}
    seconds = project.duration_samples / 48_000
    expected = [LEFT + round(s.slot.start / 24 / seconds * layout.plot_width) for s in project.scenes]
    for lane in ("voice", "music", "captions"):
        top, bottom = layout.lanes[lane]
        cuts = runs_of(image[(top + bottom) // 2], CUT_COLOR)
        assert [start for start, _ in cuts] == expected, lane
    voice_top, voice_bottom = layout.lanes["voice"]
    assert np.all(image[voice_top:voice_bottom] == VOICE_COLORS[1], axis=2).sum() > 1000  # the raw voice is drawn


def test_timeline_draws_the_master_once_the_mix_exists(alpha, tmp_path):
    master = alpha / "03_OUTPUT/PROJ_Alpha/02_sonic/PROJ_Alpha_MASTER.wav"
    master.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(alpha / "audio/voice.wav", master)
    try:
        out = tmp_path / "timeline.png"
        assert run("timeline", alpha, "--png", "--out", out).exit_code == 0
        again = tmp_path / "again.png"
        assert run("timeline", alpha, "--png", "--out", again).exit_code == 0
        assert out.read_bytes() == again.read_bytes()
        top, bottom = timeline_layout(load(str(alpha)).project).lanes["voice"]
        lane = pixels(out)[top:bottom]
        assert np.all(lane == MASTER_COLORS[1], axis=2).sum() > 1000
        assert np.all(lane == VOICE_COLORS[1], axis=2).sum() == 0
    finally:
        master.unlink()


def test_timeline_without_png_prints_the_scenes(alpha):
    result = run("timeline", alpha)
    assert result.exit_code == 0
    assert result.output.splitlines()[1:] == [
        '  SC_01  HOOK-4   0:00.00–0:04.21  "Most people think failure is the opposite of success."',
        '  SC_02  SETUP-1  0:04.21–0:09.00  "It isn\'t."',
    ]
    assert run("timeline", alpha, "--out", "x.png").exit_code == 2


def test_a_clip_hero_shows_its_middle_frame(tiny):
    clip = tiny.root / "assets" / "clip.mp4"
    # red for the first second, blue for the second: the middle frame of the 2 s clip is blue
    run_ffmpeg(["-f", "lavfi", "-i", "color=red:s=64x112:r=24:d=1", "-f", "lavfi", "-i", "color=blue:s=64x112:r=24:d=1",
                "-filter_complex", "[0][1]concat=n=2:v=1", "-c:v", "libx264", "-pix_fmt", "yuv420p", clip], "test clip")
    tiny.write('\nscene SC_01 HOOK-1\n  line "Every day you show up."\n  hero clip "assets/clip.mp4"\n'
               '\nscene SC_02 SETUP-1\n  line "That is the whole secret."\n')
    out = tiny.root / "sheet.png"
    result = run("storyboard", "t.cmf", "--out", "sheet.png", cwd=tiny.root)
    assert result.exit_code == 0, result.output
    layout = sheet_layout(load(str(tiny.spec_path)).project)
    left, top = layout.cells[0]
    red, green, blue = pixels(out)[top + layout.frame_height // 2, left + layout.cell_width // 2]
    assert blue > 200 and red < 60, (red, green, blue)


def test_a_bad_spec_gets_diagnostics_not_a_traceback(tiny):
    tiny.write('\nscene SC_01 HOOK-9\n  line "Every day you show up."\n')
    for command in (["storyboard", "t.cmf"], ["timeline", "t.cmf", "--png"]):
        result = run(*command, cwd=tiny.root)
        assert result.exit_code == 1
        assert "HOOK-9" in result.output and "Traceback" not in result.output


def test_envelope_keeps_peaks_and_pads_short_audio():
    samples = np.zeros(1000, dtype=np.float32)
    samples[10], samples[20] = 0.9, -0.5
    lows, highs, rms = envelope(samples, 4, 2000)
    assert highs.tolist()[0] == pytest.approx(0.9) and lows.tolist()[0] == pytest.approx(-0.5)
    assert highs[2:].tolist() == [0.0, 0.0] and rms[3] == 0.0


def test_text_fitting():
    from PIL import ImageDraw

    from cmfc.visuals.drawing import ui_font

    draw = ImageDraw.Draw(Image.new("RGB", (10, 10)))
    lines = wrap(draw, "one two three four five six seven eight nine ten", ui_font(18), 90, 2)
    assert len(lines) == 2 and lines[-1].endswith("…")
    assert clock(4.2) == "0:04.20" and clock(65.005) == "1:05.00"
