"""The day's batch: several projects in one build, one worker pool, one report."""

from __future__ import annotations

import json

from build_helpers import make_project, make_registry, replace_action, write_source

from cmfc.build import Action, FileInput, Output, build
from cmfc.build.batch import Project, build_batch


def run_batch(projects, **kw):
    kw.setdefault("progress", False)
    kw.setdefault("backoff", 0)
    return build_batch(projects, registry=kw.pop("registry", make_registry()), **kw)


def test_a_batch_builds_each_project_as_its_own_build_would(tmp_path):
    projects = []
    for name in ("a", "b", "c"):
        actions = make_project(tmp_path / name)
        write_source(tmp_path / name, "src/c.txt", f"<{name}>")  # small edits: each project its own
        projects.append(Project(name, actions, tmp_path / name))
    batch = run_batch(projects, jobs=2)
    assert batch.exit_code == 0 and len(batch.report.ids("ran")) == 15
    assert batch.report.result("b/final").status == "ran"
    for name in ("a", "b", "c"):
        alone = tmp_path / f"alone-{name}"
        actions = make_project(alone)
        write_source(alone, "src/c.txt", f"<{name}>")
        build(actions, alone, registry=make_registry(), progress=False)
        for rel in ("out/final.mp4", "out/c.txt", "manifest.json"):
            assert (tmp_path / name / rel).read_bytes() == (alone / rel).read_bytes(), (name, rel)
        assert set(json.loads((tmp_path / name / ".cmfc/last.json").read_bytes())) == {
            "read:a", "read:b", "mix:ab", "read:c", "final"}
    again = run_batch(projects, jobs=2)
    assert again.report.ids("ran") == [] and len(again.report.ids("cached")) == 15


def test_all_projects_share_one_queue_longest_chain_first(tmp_path):
    quick = make_project(tmp_path / "quick")
    write_source(tmp_path / "slow", "src/s.txt", "<s>")
    slow = [Action("long", "concat", {"prefix": "L"}, {"src": FileInput("src/s.txt")},
                   (Output("text", "out/long.txt"),), cost=100.0)]
    batch = run_batch([Project("quick", quick, tmp_path / "quick"), Project("slow", slow, tmp_path / "slow")], jobs=1)
    order = sorted(batch.report.results, key=lambda r: r.started)
    assert order[0].id == "slow/long"  # listed last, started first: its chain is the longest
    assert batch.projects["slow"].result("long").status == "ran"


def test_keep_going_isolates_a_failing_project(tmp_path):
    broken = replace_action(make_project(tmp_path / "broken"), "mix:ab", kind="fail_no_placeholder")
    healthy = make_project(tmp_path / "healthy")
    projects = [Project("broken", broken, tmp_path / "broken"), Project("healthy", healthy, tmp_path / "healthy")]
    batch = run_batch(projects, jobs=2, keep_going=True)
    assert batch.exit_code == 1
    assert batch.projects["healthy"].ok and len(batch.projects["healthy"].ids("ran")) == 5
    assert batch.projects["broken"].ids("failed") == ["mix:ab"]
    assert set(batch.projects["broken"].ids("skipped")) == {"final"}
    manifest = json.loads((tmp_path / "broken" / "manifest.json").read_bytes())
    assert manifest["incomplete"] == ["final", "mix:ab"]
    assert json.loads((tmp_path / "healthy" / "manifest.json").read_bytes())["incomplete"] == []


def test_cmfc_build_of_a_folder_of_projects_builds_them_as_one_batch(tmp_path):
    import subprocess
    import sys

    today = tmp_path / "today"
    today.mkdir()
    for name in ("monday", "tuesday"):
        assert subprocess.run([sys.executable, "-m", "cmfc", "new", name], cwd=today, capture_output=True).returncode == 0
    done = subprocess.run([sys.executable, "-m", "cmfc", "build", "today", "--compile-only", "--report", "r.json"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "20 actions: 20 ran" in done.stderr
    report = json.loads((tmp_path / "r.json").read_text())
    assert {a["id"].split("/")[0] for a in report["actions"]} == {"monday", "tuesday"}
    for name in ("monday", "tuesday"):
        assert list((today / name / "03_OUTPUT").glob("*/manifest.json"))


def test_a_dry_batch_says_what_would_run_and_creates_nothing(tmp_path):
    projects = [Project(name, make_project(tmp_path / name), tmp_path / name) for name in ("a", "b")]
    batch = run_batch(projects, dry_run=True)
    assert len(batch.report.ids("would-run")) == 10
    assert not any((tmp_path / name / ".cmfc").exists() for name in ("a", "b"))
