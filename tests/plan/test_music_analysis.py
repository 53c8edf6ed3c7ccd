"""The music's analysis is a build action: a cold `cmfc build` renders while librosa reads the track."""

from cmfc.build import build
from cmfc.check import load
from cmfc.plan import PlanOptions, plan_project
from tests.helpers import PROJECT_HEAD, TWO_SCENES


def build_plan(tiny, actions):
    report = build(actions, tiny.root, jobs=2, progress=False, manifest="03_OUTPUT/PROJ_T/manifest.json")
    assert report.exit_code == 0, report.to_json()
    return report


def test_the_build_analyses_the_music_in_its_graph_and_the_ir_still_has_its_facts(tiny, tmp_path, monkeypatch):
    cache = tmp_path / "cold"
    monkeypatch.setenv("CMFC_ANALYSIS_CACHE", str(cache))
    spec = str(tiny.write(TWO_SCENES, PROJECT_HEAD))
    deferred = load(spec, defer_music=True)
    assert deferred.project.music_facts is None and not list(cache.glob("music-*"))  # nothing analysed yet

    actions = {a.id: a for a in plan_project(deferred, PlanOptions())}
    analysis = "sonic:music_analysis"
    assert actions["sonic:mix"].inputs["music_analysis"].action == analysis
    assert actions["compile:ir"].inputs["music_analysis"].action == analysis
    assert not any(analysis in str(a.inputs) for i, a in actions.items() if i.startswith("render:"))

    report = build_plan(tiny, plan_project(deferred, PlanOptions(render=False)))
    assert analysis in report.ids("ran")
    inline = load(spec)  # what `cmfc check` / `cmfc compile` resolve: the analysis inline
    ir = (tiny.root / "03_OUTPUT/PROJ_T/01_narrative/ir.json").read_text(encoding="utf-8")
    from cmfc.ir.canonical import dumps

    assert inline.project.music_facts is not None and ir == dumps(inline.project)
    # and every key is the same either way: nothing is stale when a check-resolved plan builds next
    assert build_plan(tiny, plan_project(inline, PlanOptions(render=False))).ids("ran") == []


def test_a_cut_that_snaps_to_the_beats_has_the_analysis_before_planning(tiny):
    head = PROJECT_HEAD.replace("    arc the_rally\n", "    arc the_rally\n    snap beats tolerance 200ms\n")
    compiled = load(str(tiny.write(TWO_SCENES, head)), defer_music=True)
    assert compiled.project.music_facts is not None and compiled.project.scenes[1].head_cut == "beat"


def test_a_new_music_track_reruns_what_hears_it_and_no_picture(tiny):
    from cmfc.scaffold import _beat

    head = PROJECT_HEAD.replace("format 1080x1920 24fps", "format 144x256 24fps")
    spec = str(tiny.write(TWO_SCENES, head))
    build_plan(tiny, plan_project(load(spec, defer_music=True), PlanOptions()))
    (tiny.root / "audio" / "bed.wav").write_bytes(_beat(seconds=4.0, bpm=128))
    ran = set(build_plan(tiny, plan_project(load(spec, defer_music=True), PlanOptions())).ids("ran"))
    # the IR shows the new tempo and beats; the timelines reference the track; the mix plays it
    assert {"sonic:music_analysis", "sonic:mix", "compile:ir", "assemble:mux"} <= ran
    assert ran <= {"sonic:music_analysis", "sonic:mix", "sonic:encode", "compile:ir", "compile:resolve",
                   "compile:timeline", "assemble:mux"}, ran
