"""The bundled example projects' media: the right lengths, exact word timings, honest file types.

These are the files a new user opens first (specs/alpha, specs/resilience); they are made by
scripts/make_example_media.py, and where it runs without espeak-ng we also check it
reproduces the committed bytes.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import sys
import wave
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT / "specs"
ALPHA, RESILIENCE = SPECS / "alpha", SPECS / "resilience"

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
VOICES = [  # (spec folder, voice file, transcript, exact length in samples at 48 kHz)
    (ALPHA, "audio/voice.wav", ALPHA_TRANSCRIPT, 432_000),
    (RESILIENCE, "audio/voice.flac", RESILIENCE_TRANSCRIPT, 2_880_000),
]


def words_of(spec: Path) -> list[dict]:
    data = json.loads((spec / "audio/voice.words.json").read_text())
    return [word for segment in data["segments"] for word in segment["words"]]


def media_files() -> list[Path]:
    """The bundled files: not what a build of the example leaves beside them (``make demo`` runs first)."""
    from cmfc.build.action import STATE_DIR
    from cmfc.naming import OUTPUT_ROOT

    built = {STATE_DIR, OUTPUT_ROOT}
    return sorted(p for spec in (ALPHA, RESILIENCE) for p in spec.rglob("*")
                  if p.is_file() and not built & set(p.relative_to(spec).parts))


def audio_info(path: Path) -> tuple[int, int, int]:
    """(frames, sample rate, channels) of a WAV or FLAC."""
    if path.suffix == ".wav":
        with wave.open(str(path), "rb") as handle:
            assert handle.getsampwidth() == 2, f"{path.name}: expected 16-bit PCM"
            return handle.getnframes(), handle.getframerate(), handle.getnchannels()
    import soundfile

    info = soundfile.info(str(path))
    assert info.subtype == "PCM_16", f"{path.name}: expected 16-bit, got {info.subtype}"
    return info.frames, info.samplerate, info.channels


@pytest.mark.parametrize("spec,voice,transcript,samples", VOICES, ids=["alpha", "resilience"])
def test_voice_is_exactly_its_length_48k_mono(spec, voice, transcript, samples):
    assert audio_info(spec / voice) == (samples, 48_000, 1)


@pytest.mark.parametrize("spec,voice,transcript,samples", VOICES, ids=["alpha", "resilience"])
def test_word_timings_are_ordered_inside_the_voice_and_spell_the_transcript(spec, voice, transcript, samples):
    data = json.loads((spec / "audio/voice.words.json").read_text())
    assert data["language"] == "en"
    words = words_of(spec)
    assert " ".join(w["word"] for w in words) == transcript
    times = [t for w in words for t in (w["start"], w["end"])]
    assert times == sorted(times) and all(w["start"] < w["end"] for w in words)
    assert 0 <= times[0] and times[-1] <= samples / 48_000
    assert all(w["score"] == 1.0 and round(w["start"], 3) == w["start"] for w in words)
    for segment in data["segments"]:
        assert segment["text"] == " ".join(w["word"] for w in segment["words"])
        assert (segment["start"], segment["end"]) == (segment["words"][0]["start"], segment["words"][-1]["end"])


@pytest.mark.parametrize("spec", [ALPHA, RESILIENCE], ids=["alpha", "resilience"])
def test_srt_has_one_cue_per_sentence_with_the_same_times(spec):
    segments = json.loads((spec / "audio/voice.words.json").read_text())["segments"]
    cues = (spec / "audio/voice.srt").read_text().strip().split("\n\n")
    assert len(cues) == len(segments)
    for cue, segment in zip(cues, segments):
        _, times, text = cue.split("\n")
        h, m, s, ms = map(int, re.split(r"[:,]", times.split(" --> ")[0]))
        assert (h * 3600 + m * 60 + s) * 1000 + ms == round(segment["start"] * 1000)
        assert text == segment["text"]


def test_alpha_sentences_leave_room_for_the_cut_at_4_2s():
    words = words_of(ALPHA)
    assert words[8]["word"] == "success." and words[8]["end"] < 4.0
    assert [w["word"] for w in words[9:11]] == ["It", "isn't."] and words[9]["start"] > 4.3


def test_resilience_words_cover_the_full_minute():
    words = words_of(RESILIENCE)
    assert words[0]["start"] < 0.5 and 59.0 < words[-1]["end"] <= 60.0


def scenes_of(cmf: Path) -> list[dict]:
    """Scene id, explicit slot (or None) and line, read straight from the script's text."""
    scenes = []
    for block in re.split(r"\n(?=scene )", cmf.read_text())[1:]:
        head = re.match(r"scene (\S+) \S+(?: at ([\d.]+)s\.\.([\d.]+)s)?", block)
        line = re.search(r'^  line "(.*)"$', block, re.M)
        slot = (float(head[2]), float(head[3])) if head[2] else None
        scenes.append({"id": head[1], "at": slot, "line": line[1] if line else None})
    return scenes


def test_every_resilience_line_is_verbatim_and_they_tile_the_transcript():
    scenes = scenes_of(RESILIENCE / "resilience.cmf")
    assert 12 <= len(scenes) <= 14
    assert " ".join(s["line"] for s in scenes) == RESILIENCE_TRANSCRIPT


def test_resilience_explicit_slots_meet_the_derived_cuts_exactly():
    scenes = scenes_of(RESILIENCE / "resilience.cmf")
    words = words_of(RESILIENCE)
    cuts, at = [0.0], 0  # the cut before each scene: the middle of the pause before its line
    for scene in scenes:
        if at:
            cuts.append((words[at - 1]["end"] + words[at]["start"]) / 2)
        at += len(scene["line"].split())
    cuts.append(60.0)
    explicit = [(i, s["at"]) for i, s in enumerate(scenes) if s["at"]]
    assert len(explicit) >= 3
    for i, (start, end) in explicit:
        assert (start, end) == (pytest.approx(cuts[i], abs=1e-9), pytest.approx(cuts[i + 1], abs=1e-9)), scenes[i]["id"]


@pytest.mark.parametrize("cmf", [ALPHA / "alpha.cmf", RESILIENCE / "resilience.cmf"], ids=["alpha", "resilience"])
def test_every_path_a_spec_names_exists(cmf):
    paths = re.findall(r'"([\w./-]+\.[a-z0-9]+|assets/sfx)"', cmf.read_text())
    assert paths, "no asset paths found"
    missing = [p for p in paths if not (cmf.parent / p).exists()]
    assert not missing


@pytest.mark.parametrize("spec", [ALPHA, RESILIENCE], ids=["alpha", "resilience"])
def test_sfx_library_has_the_named_effects(spec):
    names = {p.relative_to(spec / "assets/sfx").as_posix() for p in (spec / "assets/sfx").rglob("*.wav")}
    assert {"hits/impact_boom_04.wav", "hits/whoosh_01.wav", "risers/riser_02.wav", "ambience/room_tone_01.wav"} <= names
    for name in names:
        frames, rate, _ = audio_info(spec / "assets/sfx" / name)
        assert rate == 48_000 and 0 < frames < 2 * rate


MAGIC = {
    ".wav": lambda b: b[:4] == b"RIFF" and b[8:12] == b"WAVE",
    ".flac": lambda b: b[:4] == b"fLaC",
    ".png": lambda b: b[:8] == b"\x89PNG\r\n\x1a\n",
    ".mp4": lambda b: b[4:8] == b"ftyp",
    ".ttf": lambda b: b[:4] in (b"\x00\x01\x00\x00", b"true"),
    ".json": lambda b: json.loads(b) is not None,
}


@pytest.mark.parametrize("path", media_files(), ids=lambda p: p.relative_to(SPECS).as_posix())
def test_each_file_is_what_its_extension_says(path):
    if path.suffix == ".safetensors":
        safetensors_header(path)
    elif path.suffix in MAGIC:
        assert MAGIC[path.suffix](path.read_bytes())


def safetensors_header(path: Path) -> dict:
    """Parse the header the way safetensors does; check the offsets cover the data exactly."""
    blob = path.read_bytes()
    size = int.from_bytes(blob[:8], "little")
    header = json.loads(blob[8 : 8 + size])
    data = len(blob) - 8 - size
    spans = sorted(tuple(v["data_offsets"]) for k, v in header.items() if k != "__metadata__")
    assert spans[0][0] == 0 and spans[-1][1] == data
    assert all(a[1] == b[0] for a, b in zip(spans, spans[1:]))
    for key, tensor in header.items():
        if key != "__metadata__":
            count = 1
            for dim in tensor["shape"]:
                count *= dim
            assert tensor["dtype"] == "F32" and tensor["data_offsets"][1] - tensor["data_offsets"][0] == 4 * count
    return header


def test_coach_lora_says_it_is_a_placeholder():
    assert safetensors_header(ALPHA / "models/coach.safetensors")["__metadata__"]["placeholder"] == "true"


@pytest.mark.parametrize("path", sorted(SPECS.glob("*/assets/stages/*.png")), ids=lambda p: p.name)
def test_stage_images_are_small_vertical_pngs(path):
    from PIL import Image

    with Image.open(path) as image:
        assert image.size == (540, 960)
        assert image.getextrema() != ((0, 0),)  # not blank
    assert path.stat().st_size < 150_000


@pytest.mark.parametrize("rel", ["assets/driving/walk_01.mp4", "assets/clips/street_01.mp4"])
def test_resilience_videos_are_short_vertical_h264(rel):
    import imageio_ffmpeg

    reader = imageio_ffmpeg.read_frames(str(RESILIENCE / rel))
    meta = next(reader)
    reader.close()
    assert meta["codec"] == "h264" and meta["size"] == (360, 640) and meta["fps"] == 24
    assert 2.0 <= meta["duration"] <= 6.0


@pytest.mark.parametrize("spec,bed,bpm_range", [(ALPHA, "audio/bed.wav", "the_rally"), (RESILIENCE, "audio/bed.flac", "ticking_clock")],
                         ids=["alpha", "resilience"])
def test_music_bed_matches_its_truth_and_its_arc(spec, bed, bpm_range):
    import yaml

    truth = json.loads((spec / "audio/bed.truth.json").read_text())
    frames, rate, channels = audio_info(spec / bed)
    assert (rate, channels) == (48_000, 2) and frames == round(truth["duration_s"] * rate)
    arcs = {a["name"]: a for a in yaml.safe_load((SPECS / "frameworks/sonic_arcs.yaml").read_text())["arcs"]}
    low, high = arcs[bpm_range]["bpm"]
    assert low <= truth["bpm"] <= high
    sections = truth["sections"]
    assert sections[0]["start_s"] == 0 and sections[-1]["end_s"] == truth["duration_s"]
    assert all(a["end_s"] == b["start_s"] for a, b in zip(sections, sections[1:]))
    assert len({s["energy"] for s in sections}) >= 2
    assert truth["beat_times_s"][1] == round(60 / truth["bpm"], 3)


def test_fonts_are_anton_with_its_licence():
    for spec in (ALPHA, RESILIENCE):
        font = (spec / "assets/fonts/Anton-Regular.ttf").read_bytes()
        assert b"A\x00n\x00t\x00o\x00n" in font or b"Anton" in font
        assert "SIL Open Font License" in (spec / "assets/fonts/OFL.txt").read_text()


def test_examples_stay_small():
    unique = {hashlib.sha256(p.read_bytes()).hexdigest(): p.stat().st_size for p in media_files()}
    assert sum(unique.values()) < 7_500_000  # git stores the shared copies once


@pytest.fixture(scope="module")
def generator():
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import make_example_media

        yield make_example_media
    finally:
        sys.path.remove(str(ROOT / "scripts"))


def test_generator_reproduces_the_committed_synthesized_media(generator):
    from example_media import images, model  # importable once the fixture put scripts/ on the path

    expected = generator.sfx_files()
    expected["assets/stages/kitchen.png"] = images.kitchen()
    expected["models/coach.safetensors"] = model.placeholder_lora("coach")
    for rel, data in expected.items():
        assert (ALPHA / rel).read_bytes() == data, rel


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")
def test_generator_reproduces_alpha_exactly(generator):
    stale = [rel for rel, data in generator.alpha().items() if (ALPHA / rel).read_bytes() != data]
    assert not stale
