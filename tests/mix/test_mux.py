"""Assembly: segments joined without re-encoding, the master muxed once; no drift across 12 cuts."""

from __future__ import annotations

import numpy as np
import pytest

from cmfc.diagnostics import CmfError
from cmfc.mix import concat_segments, encode_audio, measure, mux
from cmfc.mix.mux import concat_quote, count_frames
from tests.mix.media import FPS, SR, colour, decode_audio, decode_colours, make_segment, tone, write_wav

SCENE_FRAMES = [7, 13, 5, 24, 11, 9, 17, 6, 20, 8, 15, 12]  # 147 frames, 6.125 s
SAMPLES_PER_FRAME = SR // FPS


@pytest.fixture(scope="module")
def timeline(tmp_path_factory):
    """Twelve solid-colour segments, their join, and a master whose click sits exactly on the last cut."""
    folder = tmp_path_factory.mktemp("timeline")
    segments = [make_segment(folder / f"seg {i:02d}'s.mp4", n, colour(i)) for i, n in enumerate(SCENE_FRAMES)]
    joined = concat_segments(segments, folder / "joined.mp4")
    total = sum(SCENE_FRAMES)
    last_cut = total - SCENE_FRAMES[-1]
    audio = np.stack([tone(220, total / FPS, 0.05)] * 2, axis=1)
    click = last_cut * SAMPLES_PER_FRAME
    audio[click:click + 48] = 0.9
    master = write_wav(folder / "master.wav", audio)
    encoded = encode_audio(master, folder / "master.m4a", FPS, total)
    final = mux(joined, encoded, folder / "final.mp4", FPS, total)
    return folder, segments, joined, master, final, last_cut


def test_joined_video_has_every_frame_and_every_cut_on_its_frame(timeline):
    _, _, joined, _, _, _ = timeline
    colours = decode_colours(joined)
    assert len(colours) == sum(SCENE_FRAMES)
    cuts = np.nonzero(np.abs(np.diff(colours, axis=0)).max(axis=1) > 30)[0] + 1
    assert cuts.tolist() == np.cumsum(SCENE_FRAMES)[:-1].tolist()


def test_video_and_audio_durations_agree_within_one_frame(timeline):
    *_, final, _ = timeline
    video_s = len(decode_colours(final)) / FPS
    audio_s = len(decode_audio(final)) / SR
    assert abs(video_s - audio_s) <= 1 / FPS
    assert len(decode_audio(final)) == sum(SCENE_FRAMES) * SAMPLES_PER_FRAME  # exact, in fact


def test_click_on_the_last_cut_is_heard_within_one_frame_of_it(timeline):
    *_, final, last_cut = timeline
    colours = decode_colours(final)
    seen_cut = int(np.nonzero(np.abs(colours - colours[-1]).max(axis=1) > 30)[0][-1]) + 1
    assert seen_cut == last_cut
    audio = np.abs(decode_audio(final)).max(axis=1)
    heard_s = int(np.argmax(audio)) / SR
    assert abs(heard_s - seen_cut / FPS) <= 1 / FPS


def test_same_inputs_give_identical_bytes(timeline, tmp_path):
    _, segments, joined, master, final, _ = timeline
    encoded = encode_audio(master, tmp_path / "master.m4a", FPS, sum(SCENE_FRAMES))
    again = mux(concat_segments(segments, tmp_path / "joined.mp4"), encoded, tmp_path / "final.mp4", FPS,
                sum(SCENE_FRAMES))
    assert (tmp_path / "joined.mp4").read_bytes() == joined.read_bytes()
    assert again.read_bytes() == final.read_bytes()


def test_final_file_is_h264_and_aac_48k_stereo_with_faststart(timeline):
    *_, final, _ = timeline
    data = final.read_bytes()
    assert data.index(b"moov") < data.index(b"mdat")  # +faststart: playable while downloading
    assert b"avc1" in data and b"mp4a" in data
    assert decode_audio(final).shape[1] == 2
    assert count_frames(final) == sum(SCENE_FRAMES)


def test_mux_refuses_a_video_with_the_wrong_frame_count(timeline, tmp_path):
    _, _, joined, master, _, _ = timeline
    with pytest.raises(CmfError, match="holds 147 frames, the timeline needs 150"):
        mux(joined, master, tmp_path / "bad.mp4", FPS, 150)
    assert not (tmp_path / "bad.mp4").exists()


def test_a_wav_master_is_encoded_in_the_mux_with_the_same_timing(timeline, tmp_path):
    _, _, joined, master, final, last_cut = timeline
    direct = mux(joined, master, tmp_path / "direct.mp4", FPS, sum(SCENE_FRAMES))
    assert np.array_equal(decode_audio(direct), decode_audio(final))


def test_short_master_is_padded_to_the_video(timeline, tmp_path):
    _, _, joined, _, _, _ = timeline
    short = write_wav(tmp_path / "short.wav", tone(440, 2.0))
    final = mux(joined, short, tmp_path / "final.mp4", FPS, sum(SCENE_FRAMES))
    assert len(decode_audio(final)) == sum(SCENE_FRAMES) * SAMPLES_PER_FRAME


def test_preview_audio_uses_the_fast_coder_with_the_same_timing(timeline, tmp_path):
    _, _, joined, master, _, _ = timeline
    fast = encode_audio(master, tmp_path / "fast.m4a", FPS, sum(SCENE_FRAMES), preview=True)
    assert len(decode_audio(fast)) == sum(SCENE_FRAMES) * SAMPLES_PER_FRAME


def test_concat_of_nothing_is_a_clear_error(tmp_path):
    with pytest.raises(CmfError, match="no scene segments"):
        concat_segments([], tmp_path / "x.mp4")


def test_concat_quoting_survives_quotes_and_spaces():
    assert concat_quote("/a b/it's.mp4") == "'/a b/it'\\''s.mp4'"


def test_measure_reads_ebur128_summary(timeline):
    *_, final, _ = timeline
    loudness = measure(final)
    assert -40 < loudness.integrated_lufs < -10 and -3 < loudness.true_peak_dbtp < 3
