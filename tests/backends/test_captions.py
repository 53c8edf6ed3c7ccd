"""Captions: the grouping rules, exact SRT/ASS times, the 70/30 styles, hostile text, and libass accepting the ASS."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from cmfc.backends import EmitContext
from cmfc.backends.captions import emit
from cmfc.check.facts import FALLBACK_FONT_FAMILY as FALLBACK_FONT, font_family
from cmfc.captions import (MAX_PAUSE_SAMPLES, ass_document, ass_escape, group_words,
                           srt_document)
from cmfc.ir.models import Word
from tests.helpers import PROJECT_HEAD

FONT = Path(__file__).resolve().parents[2] / "specs" / "alpha" / "assets" / "fonts" / "Anton-Regular.ttf"
HEAD = PROJECT_HEAD.replace("1080x1920", "144x256")
MS = 48  # samples per millisecond


def _words(*spec: tuple[str, int, int]) -> tuple[Word, ...]:
    """Words from (text, start ms, end ms)."""
    return tuple(Word(text=text, start=start * MS, end=end * MS) for text, start, end in spec)


@pytest.fixture
def project(tiny):
    """The tiny project at 144x256: SC_01 0..2.5s, SC_02 2.5..5s."""
    return tiny.compile("""
scene SC_01 HOOK-1 at 0s..2.5s
  line "Every day you show up."

scene SC_02 SETUP-1 at 2.5s..5s
  line "That is the whole secret."
""", HEAD).project


def _emit(tiny, compiled) -> dict[str, str]:
    ctx = EmitContext(words=tuple(compiled.words), frameworks=compiled.frameworks, root=compiled.location.root)
    return {path: data.decode("utf-8") for path, data in emit(compiled.project, ctx).items()}


# ---------------------------------------------------------------- grouping

def test_groups_hold_at_most_four_words_split_evenly(project):
    words = _words(*[(f"w{i}", i * 200, i * 200 + 150) for i in range(9)])  # one run of 9 words, 50 ms gaps
    groups = group_words(project, words)
    assert [len(g.words) for g in groups] == [3, 3, 3]
    assert [g.text for g in groups] == ["w0 w1 w2", "w3 w4 w5", "w6 w7 w8"]
    assert [i for g in groups for i in g.words] == list(range(9))


def test_a_pause_over_300ms_ends_a_group(project):
    words = _words(("one", 0, 100), ("two", 400, 500), ("three", 801, 900))  # 300 ms, then 301 ms
    groups = group_words(project, words)
    assert [g.text for g in groups] == ["one two", "three"]
    assert MAX_PAUSE_SAMPLES == 300 * MS


def test_no_group_crosses_a_scene_cut(project):
    words = _words(("before", 2200, 2400), ("the", 2420, 2490), ("cut", 2510, 2600), ("after", 2620, 2700))
    groups = group_words(project, words)
    assert [(g.text, g.scene_id) for g in groups] == [("before the", "SC_01"), ("cut after", "SC_02")]
    assert groups[0].end_sample <= 2500 * MS  # held at most until the cut


def test_phrase_punctuation_ends_a_group(project):
    groups = group_words(project, _words(("Stop.", 0, 100), ("Now", 150, 250), ("go", 300, 400)))
    assert [g.text for g in groups] == ["Stop.", "Now go"]


def test_keyword_groups_get_the_accent(tiny):
    compiled = tiny.compile("""
scene SC_01 HOOK-1 at 0s..5s
  line "Every day you show up. That is the whole secret."
""", HEAD.replace('font "assets/fonts/brand.ttf"', 'font "assets/fonts/brand.ttf"\n    keywords "Grind"'))
    words = _words(("Free", 0, 100), ("stuff", 150, 200), ("is", 700, 800), ("rare", 850, 900),
                   ("grind!", 1400, 1500), ("ok", 2000, 2100))
    groups = group_words(compiled.project, words)
    assert [(g.text, g.accent) for g in groups] == [("Free stuff", True), ("is rare", False), ("grind!", True),
                                                    ("ok", False)]


# ---------------------------------------------------------------- exact times

def test_srt_and_ass_times(project):
    words = _words(("Every", 300, 630), ("day", 710, 980), ("you", 1060, 1330), ("show", 1410, 1710),
                   ("up.", 1790, 2060), ("win", 2600, 2901))
    groups = group_words(project, words)
    # five words: 3 + 2; the first held until the next starts (80 ms gap), the second not across the cut
    assert [(g.start_sample, g.end_sample) for g in groups] == [(300 * MS, 1410 * MS), (1410 * MS, 2060 * MS),
                                                                (2600 * MS, 2901 * MS)]
    srt = srt_document(groups)
    assert srt == ("1\n00:00:00,300 --> 00:00:01,410\nEvery day you\n\n"
                   "2\n00:00:01,410 --> 00:00:02,060\nshow up.\n\n"
                   "3\n00:00:02,600 --> 00:00:02,901\nwin\n")
    ass = ass_document(project, groups, "Anton")
    events = [line for line in ass.splitlines() if line.startswith("Dialogue:")]
    assert events[0] == "Dialogue: 0,0:00:00.29,0:00:01.41,Base,,0,0,0,,Every day you"
    # ASS times are frame-exact at the project's 24 fps: 2.600 s is frame 62 (2.583 s), 2.901 s frame 70.
    assert events[2].startswith("Dialogue: 1,0:00:02.58,0:00:02.91,Accent,,0,0,0,,{\\fscx70\\fscy70\\t(")
    assert events[2].endswith("}win")
    shifted = ass_document(project, groups, "Anton", offset_samples=2500 * MS, only=[2])
    assert [line for line in shifted.splitlines() if line.startswith("Dialogue:")][0].startswith(
        "Dialogue: 1,0:00:00.08,0:00:00.41,Accent")


def test_ass_header_styles_follow_the_project(project):
    ass = ass_document(project, [], "Anton")
    assert "PlayResX: 144\nPlayResY: 256\n" in ass
    base = re.search(r"^Style: Base,Anton,(\d+),&H00FFFFFF,", ass, re.M)
    accent = re.search(r"^Style: Accent,Anton,(\d+),&H0000D4FF,", ass, re.M)  # #FFD400 as &HAABBGGRR
    assert base and accent and int(accent.group(1)) > int(base.group(1))


def test_emitted_files_and_font_fallback(tiny):
    compiled = tiny.compile(head=HEAD)
    files = _emit(tiny, compiled)
    assert sorted(files) == ["captions/PROJ_T.ass", "captions/PROJ_T.srt"]
    assert "Style: Base,Anton," in files["captions/PROJ_T.ass"]
    assert files["captions/PROJ_T.srt"].startswith("1\n00:00:00,291 --> ")
    # An unreadable font: resolution falls back to a family libass always has (one family for every target).
    (tiny.root / "assets" / "fonts" / "brand.ttf").write_bytes(b"\x00\x01\x00\x00" + b"\x00" * 60)
    assert font_family(tiny.root, "assets/fonts/brand.ttf") == FALLBACK_FONT
    compiled = compiled.__class__(**{**vars(compiled), "project": compiled.project.model_copy(
        update={"font_family": FALLBACK_FONT})})
    fallback = _emit(tiny, compiled)
    assert f"Style: Base,{FALLBACK_FONT}," in fallback["captions/PROJ_T.ass"]
    assert fallback != files and _emit(tiny, compiled) == fallback


# ---------------------------------------------------------------- hostile text

def test_ass_escaping():
    assert ass_escape("{\\an8}x") == "\\{\\\u2060an8\\}x"
    assert ass_escape("a\nb\\Nc") == "a b\\\u2060Nc"
    assert "\n" not in ass_escape("line\r\nbreak")


def _render(ass: str, folder: Path, at: float) -> tuple[int, np.ndarray]:
    import imageio_ffmpeg

    (folder / "fonts").mkdir(exist_ok=True)
    shutil.copy(FONT, folder / "fonts" / FONT.name)
    (folder / "c.ass").write_text(ass, encoding="utf-8")
    result = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-f", "lavfi", "-i",
                             "color=size=144x256:duration=3", "-vf", "ass=c.ass:fontsdir=fonts", "-ss", str(at),
                             "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "gray", "-"],
                            cwd=folder, capture_output=True, timeout=60)
    return result.returncode, np.frombuffer(result.stdout, dtype=np.uint8)


def test_libass_renders_captions_and_hostile_text(project, tmp_path):
    words = _words(("{hidden}", 100, 400), ("\\N", 450, 500), ("<b>&amp;x", 1400, 1500),
                   ("\u05e9\u05dc\u05d5\u05dd", 1510, 1600), ("money", 2600, 2900))
    groups = group_words(project, words)
    assert [g.text for g in groups] == ["{hidden} \\N", "<b>&amp;x \u05e9\u05dc\u05d5\u05dd", "money"]
    ass = ass_document(project, groups, "Anton")
    code, blank = _render(ass, tmp_path, 0.05)
    assert code == 0 and blank.size == 144 * 256 and blank.max() < 40
    for at in (0.2, 1.45, 2.8):  # the braces group would vanish as an override block if not escaped
        code, frame = _render(ass, tmp_path, at)
        assert code == 0 and int((frame > 128).sum()) > 30, at


def test_two_groups_on_one_frame_never_overlap_so_libass_never_stacks_them(project):
    """A 2 ms "So," then the next phrase 3 ms later: both start on frame 7 (291.7 ms). Overlapping events would
    stack (libass pushes the later one a line up for its whole life, and a part of the scene that
    leaves "So," out would draw it a line lower)."""
    from cmfc.captions import CaptionGroup

    groups = [CaptionGroup(290 * MS, 292 * MS, "So,", (0,), False, "SC_01"),
              CaptionGroup(295 * MS, 1500 * MS, "this is the part", (1, 2, 3, 4), False, "SC_01")]
    times = [line.split(",")[1:3] for line in ass_document(project, groups, "Anton").splitlines()
             if line.startswith("Dialogue:")]
    assert times == [["0:00:00.29", "0:00:00.30"], ["0:00:00.30", "0:00:01.50"]]
    assert "00:00:00,291 --> 00:00:00,292\nSo," in srt_document(groups, fps=24)
    assert "00:00:00,292 --> 00:00:01,500\nthis is the part" in srt_document(groups, fps=24)


def test_a_caption_held_to_a_cut_ends_before_the_cuts_first_frame():
    """Cut at frame 101 (4.2083 s at 24 fps): the last caption of the scene must not show on frame 101."""
    from cmfc.captions import _frame_units

    cut_samples = 101 * 48_000 // 24
    assert _frame_units(cut_samples, 100, 24) == 420          # 4.20 s < 4.2083 s: frame 101 is clear
    assert _frame_units(cut_samples, 1000, 24) == 4208        # 4.208 s < 4.2083 s
    assert _frame_units(100 * 48_000 // 24, 100, 24) / 100 <= 100 / 24  # starts never after their frame


def test_captions_move_to_the_top_band_in_a_scene_with_a_lower_third(tiny, tmp_path):
    compiled = tiny.compile("""
scene SC_01 HOOK-1 at 0s..2.5s
  line "Every day you show up."
  text "SHOW UP" lower_third

scene SC_02 SETUP-1 at 2.5s..5s
  line "That is the whole secret."
""", HEAD)
    groups = group_words(compiled.project, _words(("Every", 200, 600), ("secret", 2600, 2950)))
    ass = ass_document(compiled.project, groups, "Anton")
    lit_rows = {}
    for at in (0.4, 2.8):
        code, frame = _render(ass, tmp_path, at)
        assert code == 0
        lit_rows[at] = np.flatnonzero((frame.reshape(256, 144) > 128).any(axis=1))
    assert lit_rows[0.4].max() < 256 * 0.5  # above the lower third (centred at 70 %)
    assert lit_rows[2.8].min() > 256 * 0.5  # the other scene keeps the usual lower band


def test_srt_text_cannot_become_player_markup(project):
    groups = group_words(project, _words(("<b>bold</b>", 100, 400), ("{\\an8}up", 450, 600), ("I", 1400, 1450),
                                         ("<3", 1460, 1600)))
    srt = srt_document(groups)
    assert "<b>" not in srt and "</b>" not in srt and "{\\an8}" not in srt
    assert "<\u2060b>bold<\u2060/b>" in srt and "{\u2060\\an8}up" in srt
    assert "I <3" in srt  # not a tag: left alone
