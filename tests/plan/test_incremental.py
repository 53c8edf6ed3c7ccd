"""Issue 3's exact sets of executed actions, on a real project through the real planner and backends."""

import shutil

from cmfc.build import build
from cmfc.check import load
from cmfc.plan import PlanOptions, plan_project
from tests.helpers import PROJECT_HEAD, TWO_SCENES

SCENES = TWO_SCENES.replace('line "Every day you show up."', '''line "Every day you show up."
  subject coach
  hero lora "on a rooftop"
  text "SHOW UP"''').replace('line "That is the whole secret."', '''line "That is the whole secret."
  hero image "assets/stages/stage_01.png"
  text "THE SECRET"''')


def run_build(tiny, scenes=SCENES, head=PROJECT_HEAD):
    spec = tiny.write(scenes, head)
    compiled = load(str(spec))
    report = build(plan_project(compiled, PlanOptions(render=False)), tiny.root, jobs=2, progress=False,
                   manifest=f"03_OUTPUT/{compiled.project.id}/manifest.json")
    assert report.exit_code == 0, report.to_json()
    return set(report.ids("ran"))


def test_first_build_runs_everything_and_a_noop_runs_nothing(tiny):
    first = run_build(tiny)
    assert {"compile:ir", "compile:comfyui:SC_01", "compile:comfyui:SC_02"} <= first
    assert run_build(tiny) == set()


def test_touching_a_file_without_changing_it_runs_nothing(tiny):
    run_build(tiny)
    words = tiny.root / "audio" / "voice.words.json"
    words.write_bytes(words.read_bytes())
    assert run_build(tiny) == set()


def test_editing_one_scenes_text_reruns_only_that_scene_and_project_wide_actions(tiny):
    first = run_build(tiny)
    ran = run_build(tiny, SCENES.replace("THE SECRET", "THE WHOLE SECRET"))
    per_scene = {a for a in first if a.endswith(":SC_01") or a.endswith(":SC_02")}
    assert not ({a for a in ran if a.endswith(":SC_01")})
    assert ran - per_scene <= {"compile:ir", "compile:timeline", "compile:resolve", "compile:captions"}
    assert "compile:natron:SC_02" in ran or "compile:natron:SC_02" not in first


def test_changing_the_seed_reruns_generation_only(tiny):
    run_build(tiny)
    ran = run_build(tiny, head=PROJECT_HEAD.replace("seed 7", "seed 8"))
    # SC_02's hero is provided, but its template relights it: relighting is generation too.
    assert ran == {"compile:ir", "compile:comfyui:SC_01", "compile:comfyui:SC_02"}


def test_changing_a_brand_colour_reruns_only_what_draws_the_brand(tiny):
    run_build(tiny)
    ran = run_build(tiny, head=PROJECT_HEAD.replace("  brand\n", "  brand\n    highlight #00FF00\n"))
    assert "compile:comfyui:SC_01" not in ran and "compile:comfyui:SC_02" not in ran
    assert ran <= {"compile:ir", "compile:captions", "compile:natron:SC_01", "compile:natron:SC_02"}


def test_deleting_an_output_restores_it_without_rerunning(tiny):
    run_build(tiny)
    target = tiny.root / "03_OUTPUT" / "PROJ_T" / "01_narrative" / "ir.json"
    data = target.read_bytes()
    target.unlink()
    assert run_build(tiny) == set()
    assert target.read_bytes() == data


def test_building_in_two_directories_gives_identical_outputs(tiny, tmp_path):
    run_build(tiny)
    copy = tmp_path / "elsewhere"
    shutil.copytree(tiny.root, copy, ignore=shutil.ignore_patterns(".cmfc", "03_OUTPUT"))
    from tests.helpers import TinyProject

    other = TinyProject(copy)
    run_build(other)
    left = {p.relative_to(tiny.root): p.read_bytes() for p in (tiny.root / "03_OUTPUT").rglob("*") if p.is_file()}
    right = {p.relative_to(copy): p.read_bytes() for p in (copy / "03_OUTPUT").rglob("*") if p.is_file()}
    assert left == right
