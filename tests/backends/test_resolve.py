"""The Resolve timelines: xmeml, FCPXML and OTIO read back by OpenTimelineIO and its FCP adapters, frame-exact."""

from __future__ import annotations

import re
import shutil
from fractions import Fraction
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest
from lxml import etree

from cmfc.backends import EmitContext
from cmfc.backends.resolve import emit
from cmfc.backends.resolve.urls import export_folder, localize
from cmfc.backends.timeline import duck_points
from cmfc.naming import asset_name
from tests.helpers import PROJECT_HEAD

otio = pytest.importorskip("opentimelineio")
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "resolve"
ADAPTERS = {"xml": "fcp_xml", "fcpxml": "fcpx_xml", "otio": None}
HOSTILE = "<b>&amp; \"q\" 'a' ]]> {{ x }} {% y %} \\n $(cmd) ${x} \u05e9\u05dc\u05d5\u05dd \U0001f525 e\u0301"
MUSIC = "audio/bed #1 100% ünï.wav"  # spaces, '#', '%', non-ASCII
SFX_DIR = "assets/sfx lib"

# SC_01 0..1.5s, SC_02 1.5..5s (24 fps: 0..36, 36..120); text, an SFX on "show", a picked take.
SCENES = """
scene SC_01 HOOK-1 at 0s..1.5s
  line "Every day you show up."
  text "STAY / HUNGRY" upper_third
  sfx impact_01 on "show"

scene SC_02 SETUP-1 at 1.5s..5s
  line "That is the whole secret."
  takes 2
  pick v02
"""


def _project(tiny, scenes: str = SCENES, head: str = PROJECT_HEAD):
    root = tiny.root
    (root / "audio" / "bed.wav").rename(root / MUSIC)
    shutil.move(str(root / "assets" / "sfx"), str(root / SFX_DIR))
    head = head.replace('music "audio/bed.wav"', f'music "{MUSIC}"').replace('sfx_library "assets/sfx"',
                                                                              f'sfx_library "{SFX_DIR}"')
    return tiny.compile(scenes, head)


def _emit(compiled) -> dict[str, bytes]:
    ctx = EmitContext(words=tuple(compiled.words), frameworks=compiled.frameworks, root=compiled.location.root)
    return emit(compiled.project, ctx)


def _read(kind: str, data: bytes, folder: Path):
    path = folder / f"t.{kind}"
    path.write_bytes(data)
    result = otio.adapters.read_from_file(str(path), adapter_name=ADAPTERS[kind]) if ADAPTERS[kind] else \
        otio.adapters.read_from_file(str(path))
    if isinstance(result, otio.schema.SerializableCollection):
        result = next(iter(result))
    return result


def _clips(timeline) -> dict[str, tuple[int, int, int, str | None]]:
    """name -> (record start, length, source start, media URL) of every clip on every track."""
    found = {}
    for track in timeline.tracks:
        for item in track:
            if isinstance(item, otio.schema.Clip):
                record = track.range_of_child(item)
                url = getattr(item.media_reference, "target_url", None)
                found[item.name] = (int(record.start_time.value), int(record.duration.value),
                                    int(item.source_range.start_time.value), url)
    return found


def _expected(compiled) -> dict[str, tuple[int, int, int, str]]:
    project = compiled.project
    take_names = {"SC_01": asset_name("PROJ_T", "SC_01", "EROLL", "FX", 1, "mp4"),
                  "SC_02": asset_name("PROJ_T", "SC_02", "EROLL", "FX", 2, "mp4")}
    expected = {}
    for scene in project.scenes:
        role = compiled.frameworks.templates[scene.template].role
        name = asset_name("PROJ_T", scene.id, role, "FX", int(scene.pick[1:]) if scene.pick else 1, "mp4")
        take_names[scene.id] = name
        expected[scene.id] = (scene.slot.start, scene.slot.length, 0, f"../04_fabrication/{name}")
    total = project.duration_frames
    expected["voice"] = (0, total, 0, "../02_sonic/PROJ_T_VOICE_CLEAN.wav")
    import soundfile

    music = soundfile.info(str(compiled.location.root / MUSIC))
    music_frames = -(-music.frames * 24 // music.samplerate)  # a shorter bed ends early; a longer one is trimmed
    expected["music"] = (0, min(total, music_frames), 0, "../../../audio/bed%20%231%20100%25%20%C3%BCn%C3%AF.wav")
    show = next(w for w in compiled.words if w.text == "show")
    frame = round(Fraction(show.start, 48000) * 24)
    expected["impact_01 (SC_01)"] = (frame, None, 0, "../../../assets/sfx%20lib/hits/impact_01.wav")
    return expected


@pytest.fixture
def compiled(tiny):
    return _project(tiny)


@pytest.mark.parametrize("kind", ["xml", "fcpxml", "otio"])
def test_every_clip_reads_back_frame_exact(compiled, tmp_path, kind):
    files = _emit(compiled)
    timeline = _read(kind, files[f"resolve/PROJ_T.{kind}"], tmp_path)
    clips = _clips(timeline)
    for name, (start, length, source, url) in _expected(compiled).items():
        got = clips[name]
        assert got[0] == start and got[2] == source and got[3] == url, (kind, name, got)
        if length is not None:
            assert got[1] == length, (kind, name, got)
    assert compiled.project.scenes[1].slot.start == 36
    if kind != "fcpxml":  # the FCPXML reader drops titles; checked on the XML below
        assert clips["SC_01 text"][:2] == (0, 36)


def test_names_and_fps_in_all_three(compiled, tmp_path):
    files = _emit(compiled)
    assert sorted(files) == ["resolve/PROJ_T.fcpxml", "resolve/PROJ_T.otio", "resolve/PROJ_T.xml"]
    for kind in ADAPTERS:
        timeline = _read(kind, files[f"resolve/PROJ_T.{kind}"], tmp_path)
        rates = {item.source_range.duration.rate for track in timeline.tracks for item in track}
        assert rates == {24}, kind


def test_markers_carry_scene_id_and_line(compiled, tmp_path):
    files = _emit(compiled)
    lines = {s.id: (s.slot.start, s.line) for s in compiled.project.scenes}
    for kind in ("xml", "otio"):
        timeline = _read(kind, files[f"resolve/PROJ_T.{kind}"], tmp_path)
        markers = {m.name: (int(m.marked_range.start_time.value), m.comment or m.metadata.get("fcp_xml", {})
                            .get("comment")) for m in timeline.tracks.markers}
        assert markers == lines, kind
    fcpx = etree.fromstring(files["resolve/PROJ_T.fcpxml"])
    for marker in fcpx.iter("marker"):
        clip = marker.getparent()
        assert clip.get("name") == marker.get("value") and marker.get("note") == lines[marker.get("value")][1]
        assert marker.get("start") == clip.get("start")
    assert len(list(fcpx.iter("marker"))) == 2


def test_fcpxml_is_valid_against_the_dtd_with_frame_aligned_times(compiled):
    data = _emit(compiled)["resolve/PROJ_T.fcpxml"]
    document = etree.fromstring(data)
    dtd = etree.DTD(str(FIXTURES / "FCPXMLv1_8.dtd"))
    assert dtd.validate(document), dtd.error_log.filter_from_errors()
    assert document.get("version") == "1.8"
    times = [value for element in document.iter() for key, value in element.attrib.items()
             if key in ("offset", "start", "duration", "time", "frameDuration", "tcStart")]
    assert times and all(re.fullmatch(r"0s|\d+s|\d+/24s", t) for t in times), times
    title = document.find(".//title")
    assert title.get("lane") == "1" and title.find("text/text-style").text == "STAY / HUNGRY"


def test_xmeml_structure_resolve_needs(compiled):
    document = etree.fromstring(_emit(compiled)["resolve/PROJ_T.xml"])
    assert document.get("version") == "5"
    characteristics = document.find("sequence/media/video/format/samplecharacteristics")
    assert (characteristics.findtext("width"), characteristics.findtext("height")) == ("1080", "1920")
    seen = set()
    for file in document.iter("file"):  # the first element with an id is the full definition
        if file.get("id") not in seen:
            assert file.find("pathurl") is not None and file.find("rate/timebase") is not None
            seen.add(file.get("id"))
        else:
            assert len(file) == 0
    ids = [item.get("id") for item in document.iter("clipitem", "generatoritem")]
    assert len(ids) == len(set(ids))
    generator = document.find(".//generatoritem")
    assert generator.findtext("enabled") == "FALSE" and generator.findtext("effect/effecttype") == "generator"


def test_music_ducking_is_written_as_level_keyframes(compiled):
    files = _emit(compiled)
    project = compiled.project
    points = duck_points(compiled.words, 24, project.duration_frames, project.music.duck.db)
    assert len(points) > 2
    fcpx = etree.fromstring(files["resolve/PROJ_T.fcpxml"])
    keys = [(k.get("time"), k.get("value")) for k in fcpx.iter("keyframe")]
    assert keys == [(("0s" if f == 0 else f"{f // 24}s" if f % 24 == 0 else f"{f}/24s"), f"{db}dB")
                    for f, db in points]
    xmeml = etree.fromstring(files["resolve/PROJ_T.xml"])
    music = next(c for c in xmeml.iter("clipitem") if c.findtext("name") == "music")
    frames = [(int(k.findtext("when")), float(k.findtext("value"))) for k in music.iter("keyframe")]
    assert [f for f, _ in frames] == [f for f, _ in points]
    assert [round(v, 3) for _, v in frames] == [round(10 ** (float(db) / 20), 3) for _, db in points]


def test_portable_bytes_across_directories(tiny, tmp_path):
    first = _emit(_project(tiny))
    other = tmp_path / "elsewhere" / "proj"
    shutil.copytree(tiny.root, other)
    from tests.helpers import TinyProject

    second = _emit(TinyProject(other).compile(SCENES, PROJECT_HEAD.replace('music "audio/bed.wav"', f'music "{MUSIC}"')
                                              .replace('sfx_library "assets/sfx"', f'sfx_library "{SFX_DIR}"')))
    assert first == second
    for data in first.values():
        assert str(tmp_path).encode() not in data and b"file:" not in data


@pytest.mark.parametrize("kind", ["xml", "fcpxml", "otio"])
def test_localize_makes_hostile_paths_absolute_and_readable(compiled, tmp_path, kind):
    root = compiled.location.root
    data = localize(_emit(compiled)[f"resolve/PROJ_T.{kind}"], kind, export_folder(root, "PROJ_T"))
    clips = _clips(_read(kind, data, tmp_path))
    for name in ("music", "impact_01 (SC_01)", "voice", "SC_01"):
        url = clips[name][3]
        assert url.startswith("file://localhost/") and " " not in url and "#" not in url.replace("%23", ""), url
        path = Path(unquote(urlparse(url).path))
        assert path.is_absolute()
        if name == "music":
            assert path == (root / MUSIC).resolve() or path == root / MUSIC
            assert path.exists()
    assert localize(data, kind, Path("/elsewhere")) == data  # absolute URLs are left alone


def test_localize_for_another_media_root():
    data = b"<file><pathurl>../../../audio/a%20b%23%25%C3%BC.wav</pathurl></file>"
    out = localize(data, "xml", Path("/Volumes/Media Drive/proj/03_OUTPUT/P/05_assembly"))
    assert out == (b"<file><pathurl>file://localhost/Volumes/Media%20Drive/proj/audio/a%20b%23%25%C3%BC.wav"
                   b"</pathurl></file>")
    assert localize(b' src="../x.mp4"', "fcpxml", Path("D:/work/exp")) == b' src="file://localhost/D%3A/work/x.mp4"'
    with pytest.raises(ValueError):
        localize(data, "edl", Path("/"))


def test_hostile_text_stays_text(tiny, tmp_path):
    escaped = HOSTILE.replace("\\", "\\\\").replace('"', '\\"')
    compiled = _project(tiny, f"""
scene SC_01 HOOK-1 at 0s..2s
  line "Every day you show up."
  text "{escaped}"

scene SC_02 SETUP-1 at 2s..5s
  line "That is the whole secret."
""")
    files = _emit(compiled)
    for kind in ADAPTERS:
        timeline = _read(kind, files[f"resolve/PROJ_T.{kind}"], tmp_path)
        assert timeline is not None
    fcpx = etree.fromstring(files["resolve/PROJ_T.fcpxml"])
    assert fcpx.find(".//title/text/text-style").text == HOSTILE
    xmeml = etree.fromstring(files["resolve/PROJ_T.xml"])
    assert xmeml.find(".//generatoritem/effect/parameter/value").text == HOSTILE


def test_fcpxml_times_exact_at_25fps(tiny):
    compiled = tiny.compile(SCENES, PROJECT_HEAD.replace("24fps", "25fps"))
    document = etree.fromstring(_emit(compiled)["resolve/PROJ_T.fcpxml"])
    slots = {s.id: s.slot for s in compiled.project.scenes}

    def frames(text: str) -> Fraction:
        return Fraction(0) if text == "0s" else Fraction(text[:-1]) * 25

    for clip in document.find(".//spine").iterfind("asset-clip"):
        slot = slots[clip.get("name")]
        assert (frames(clip.get("offset")), frames(clip.get("duration"))) == (slot.start, slot.length)
