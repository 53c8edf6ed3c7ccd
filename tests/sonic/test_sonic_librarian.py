"""The SFX librarian: indexing, tags, name resolution with suggestions, auto cues."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

from cmfc.sonic.audio_io import save_audio
from cmfc.sonic.librarian import SfxIndex, UnknownSfx, auto_cues, index_library

SR = 48_000


@pytest.fixture
def library(tmp_path):
    folder = tmp_path / "sfx"
    t = np.arange(int(0.5 * SR)) / SR
    save_audio(folder / "impacts" / "metal" / "impact_boom_04.wav", 0.5 * np.sin(2 * np.pi * 60 * t) * np.exp(-t * 6), SR)
    save_audio(folder / "whooshes" / "whoosh-fast.wav", 0.05 * np.sin(2 * np.pi * 900 * t[: SR // 5]), SR)
    save_audio(folder / "ui" / "click_01.wav", 0.3 * np.sin(2 * np.pi * 2000 * t[:480]), SR)
    (folder / "notes.txt").write_text("not audio")
    return folder


def test_index_names_tags_durations_loudness(library):
    index = index_library(library)
    assert index.names() == ["click_01", "impact_boom_04", "whoosh-fast"]
    boom = index.resolve("impact_boom_04")
    assert boom.path == "impacts/metal/impact_boom_04.wav"
    assert boom.tags == ("boom", "impact", "impacts", "metal")
    assert boom.duration_s == 0.5
    assert -30 < boom.loudness_lufs < 0
    assert index.resolve("whoosh-fast").loudness_lufs < boom.loudness_lufs  # quieter file, lower LUFS
    assert index.resolve("click_01").duration_s == 0.01  # a one-shot shorter than a loudness block still indexes


def test_a_typo_gets_a_suggestion(library):
    index = index_library(library)
    with pytest.raises(UnknownSfx) as caught:
        index.resolve("impact_bom_04")
    assert caught.value.hint == "did you mean impact_boom_04?"
    assert "no sound effect named impact_bom_04" in str(caught.value)


def test_pick_by_tag(library):
    index = index_library(library)
    assert index.pick("metal").name == "impact_boom_04"
    assert index.pick("whoosh").name == "whoosh-fast"
    assert index.pick("laser") is None


def test_cache_skips_unchanged_files_and_notices_changes(library, tmp_path, monkeypatch):
    cache = tmp_path / ".cmfc" / "sfx_index.json"
    first = index_library(library, cache)
    data = json.loads(cache.read_text())["data"]
    assert sorted(data["files"]) == ["impacts/metal/impact_boom_04.wav", "ui/click_01.wav", "whooshes/whoosh-fast.wav"]

    import cmfc.sonic.librarian as librarian

    measured = []
    real_measure = librarian.measure
    monkeypatch.setattr(librarian, "measure", lambda path: measured.append(os.path.basename(path)) or real_measure(path))
    assert index_library(library, cache) == first
    assert measured == []
    save_audio(library / "ui" / "click_01.wav", np.zeros(SR // 10), SR)
    index_library(library, cache)
    assert measured == ["click_01.wav"]


def test_a_missing_library_is_a_clean_error(tmp_path):
    from cmfc.diagnostics import CmfError

    with pytest.raises(CmfError, match="is not a folder"):
        index_library(tmp_path / "nope")


WORDS = [{"word": w, "start": i * 0.5, "end": i * 0.5 + 0.4} for i, w in
         enumerate(["And", "suddenly,", "it", "CRASHED.", "Boom!", "Money", "slammed", "rising"])]


def test_auto_cues_on_trigger_words_at_the_word_start():
    cues = auto_cues(WORDS)
    assert [(c.sfx, c.word_index, c.keyword) for c in cues] == [
        ("whoosh", 1, "suddenly"), ("crash", 3, "crash"), ("boom", 4, "boom"), ("cash", 5, "money"),
        ("slam", 6, "slam"), ("riser", 7, "rise")]
    assert cues[2].start_s == WORDS[4]["start"]  # on the word's first sample: well within a frame


def test_project_keywords_extend_the_map_and_resolve_through_the_library(library):
    index = index_library(library)
    cues = auto_cues(WORDS, {"it": "click_01"}, index=index)
    assert [(c.sfx, c.word_index) for c in cues] == [("whoosh-fast", 1), ("click_01", 2), ("impact_boom_04", 4)]


def test_index_is_a_plain_value(library):
    index = index_library(library)
    assert isinstance(index, SfxIndex) and index.duplicates == {}
