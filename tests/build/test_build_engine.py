"""The build engine's incremental behaviour: exact sets of actions that run, with synthetic kinds."""

from __future__ import annotations

import json
import os

import pytest
from build_helpers import PAST_NS, make_project, make_registry, replace_action, write_source

from cmfc.build import build, explain, plan


def store_entry(root, digest):
    return root / ".cmfc" / "store" / digest[:2] / digest


def test_first_build_runs_everything_and_materialises_named_outputs(project):
    report = project()
    assert set(report.ids("ran")) == {"read:a", "read:b", "mix:ab", "read:c", "final"}
    assert report.exit_code == 0
    assert (project.root / "out/ab.txt").read_bytes() == b"M:A:<a>|textB:<b>|text|text"
    assert (project.root / "out/final.mp4").read_bytes().startswith(b"F:M:A:<a>")
    assert sorted(p.name for p in (project.root / "out").iterdir()) == ["ab.txt", "c.txt", "final.mp4"]
    assert not any((project.root / ".cmfc/tmp").iterdir())


def test_noop_rebuild_runs_nothing_and_hashes_nothing(project):
    project()
    report = project()
    assert report.ids("ran") == []
    assert len(report.ids("cached")) == 5
    assert report.files_hashed == 0


def test_touching_a_source_without_changing_bytes_rehashes_it_but_runs_nothing(project):
    project()
    os.utime(project.root / "src/a.txt", ns=(PAST_NS + 10**9, PAST_NS + 10**9))
    report = project()
    assert report.ids("ran") == []
    assert report.files_hashed == 1
    assert project().files_hashed == 0


def test_changing_one_source_runs_only_its_downstream(project):
    project()
    write_source(project.root, "src/c.txt", "<C!>")
    report = project()
    assert set(report.ids("ran")) == {"read:c", "final"}
    assert report.result("read:c").why == "input changed: 'src' (src/c.txt)"
    assert report.result("final").why == "upstream read:c changed"  # past: it ran
    assert (project.root / "out/c.txt").read_bytes() == b"C:<C!>|text"


def test_same_size_edit_right_after_a_build_is_not_missed(project):
    write_source(project.root, "src/a.txt", "<a>")
    os.utime(project.root / "src/a.txt")  # modified "now": racily clean against the stat cache
    project()
    (project.root / "src/a.txt").write_text("<x>")  # same size, quite possibly the same clock tick
    assert set(project().ids("ran")) == {"read:a", "mix:ab", "final"}


def test_changing_one_param_runs_that_action_and_downstream_and_names_the_param(project):
    project()
    changed = replace_action(project.actions, "mix:ab", params={"prefix": "M2:"})
    report = project(changed)
    assert set(report.ids("ran")) == {"mix:ab", "final"}
    assert report.result("mix:ab").why == "parameter changed: prefix"
    text = explain(changed, project.root, "out/final.mp4", registry=project.registry)
    assert "upstream mix:ab will run" not in text  # already built: final is up to date now
    assert "is up to date" in text


def test_nested_param_change_is_named_by_its_dotted_path_in_plan_and_explain(project):
    project()
    changed = replace_action(project.actions, "final", params={"prefix": "F:", "style": {"colour": "#000000", "size": 3}})
    step = plan(changed, project.root, registry=project.registry).by_id["final"]
    assert step.why_text == "parameter changed: style.colour"
    text = explain(changed, project.root, "final", registry=project.registry)
    assert "final (concat, executor local) will run" in text
    assert "style.colour: '#FFD400' -> '#000000'" in text


def test_explain_follows_upstream_down_to_the_changed_file(project):
    project()
    write_source(project.root, "src/b.txt", "<bb>")
    text = explain(project.actions, project.root, "out/final.mp4", registry=project.registry)
    assert "- upstream mix:ab will run" in text
    assert "- upstream read:b will run" in text
    assert "- input changed: 'src' (src/b.txt)" in text


def test_changing_a_kind_version_reruns_its_actions(project):
    project()
    registry = make_registry()
    kind = registry.get("concat")
    registry.add("concat", kind.run, version="2")
    report = project(registry=registry)
    assert len(report.ids("ran")) == 5
    assert report.result("read:a").why == "action code changed: concat version 1 -> 2"


def test_changing_the_executor_reruns_and_says_so(project):
    project()
    report = project(replace_action(project.actions, "read:c", executor="comfyui"))
    assert set(report.ids("ran")) == {"read:c"}  # same bytes: final is cut off as cached
    assert report.result("read:c").why == "executor changed: local -> comfyui"
    assert report.result("final").why == "upstream ran but its outputs did not change"


def test_deleted_output_is_restored_from_the_store_without_rerunning(project):
    project()
    before = (project.root / "out/final.mp4").read_bytes()
    (project.root / "out/final.mp4").unlink()
    report = project()
    assert report.ids("ran") == []
    assert report.result("final").restored == ["out/final.mp4"]
    assert (project.root / "out/final.mp4").read_bytes() == before


def test_edited_output_is_moved_aside_and_restored_from_the_store(project):
    project()
    (project.root / "out/c.txt").write_text("my edit")
    report = project()
    assert report.ids("ran") == []
    assert (project.root / "out/c.txt").read_bytes() == b"C:<c>|text"
    assert (project.root / "out/c.txt.edited-1").read_text() == "my edit"
    assert report.kept == ["out/c.txt.edited-1"]


@pytest.mark.parametrize("garbage", [b"GARBAGE!!!", b"GARBAGE-OF-ANOTHER-SIZE"], ids=["same-size", "other-size"])
def test_corrupt_store_entry_is_detected_rebuilt_and_never_used(project, garbage):
    first = project()
    digest = first.result("read:a").outputs["text"]["sha256"]
    entry = store_entry(project.root, digest)
    entry.chmod(0o644)
    entry.write_bytes(garbage)
    (project.root / "out/ab.txt").unlink()
    report = project()
    assert report.ids("ran") == ["read:a"]
    assert "corrupt in the store" in report.result("read:a").why
    assert entry.read_bytes() == b"A:<a>|text"
    assert (project.root / "out/ab.txt").read_bytes() == b"M:A:<a>|textB:<b>|text|text"
    assert project().ids("ran") == []
    assert not any(garbage in p.read_bytes() for p in (project.root / "out").iterdir())


def test_transient_failure_is_retried_then_succeeds(project):
    from cmfc.build import Action

    report = project(project.actions + [Action("flaky", "fail_n_times", {"n": 2}, {}, ())], tries=3)
    assert report.result("flaky").status == "ran"
    assert report.result("flaky").attempts == 3
    assert report.result("flaky").log == ["attempt 1/3 failed: server busy (attempt 1)",
                                          "attempt 2/3 failed: server busy (attempt 2)"]


def test_transient_failure_past_the_last_try_fails_the_build(project):
    from cmfc.build import Action

    report = project(project.actions + [Action("flaky2", "fail_n_times", {"n": 5}, {}, ())], tries=2)
    assert report.result("flaky2").status == "failed"
    assert report.result("flaky2").error == "failed after 2 tries: server busy (attempt 2)"
    assert report.exit_code == 1


def _with_failing(project, kind):
    from cmfc.build import Action, ActionInput, Output

    return project.actions + [
        Action("gen:SC_03", kind, {}, {}, (Output("clip", "out/SC_03.mp4"),), scene="SC_03"),
        Action("grade:SC_03", "concat", {}, {"clip": ActionInput("gen:SC_03", "clip")},
               (Output("clip", "out/SC_03_FX.mp4"),), scene="SC_03"),
    ]


def test_keep_going_gives_a_placeholder_that_downstream_uses_and_the_manifest_marks(project):
    report = project(_with_failing(project, "always_fail"), keep_going=True)
    assert report.result("gen:SC_03").status == "placeholder"
    assert "the generator exploded" in report.result("gen:SC_03").error
    assert report.result("grade:SC_03").status == "ran"
    assert len(report.ids("ran")) == 6
    assert report.exit_code == 1
    assert (project.root / "out/SC_03_FX.mp4").read_bytes() == b"PLACEHOLDER gen:SC_03|clip"
    manifest = json.loads((project.root / "manifest.json").read_text())
    marked = {e["path"]: e["placeholder"] for e in manifest["outputs"]}
    assert marked["out/SC_03.mp4"] is True and marked["out/ab.txt"] is False
    again = project(_with_failing(project, "always_fail"), keep_going=True)
    assert again.ids("placeholder") == ["gen:SC_03"]  # retried next time, never cached
    assert again.result("grade:SC_03").status == "cached"


def test_keep_going_without_placeholder_skips_only_dependents(project):
    report = project(_with_failing(project, "fail_no_placeholder"), keep_going=True)
    assert report.result("gen:SC_03").status == "failed"
    assert report.result("grade:SC_03").status == "skipped"
    assert report.result("grade:SC_03").why == "blocked: upstream gen:SC_03 did not build"
    assert len(report.ids("ran")) == 5
    assert json.loads((project.root / "manifest.json").read_text())["incomplete"] == ["gen:SC_03", "grade:SC_03"]


def test_without_keep_going_nothing_new_starts_after_a_failure(project):
    from cmfc.build import Action

    actions = [Action("boom", "fail_no_placeholder", {}, {}, ())] + project.actions
    report = project(actions, jobs=1)
    assert report.ids("failed") == ["boom"]
    assert len(report.ids("skipped")) == 5
    assert report.result("read:a").why == "not started: the build stopped after boom failed"
    assert report.result("final").why == "blocked: upstream mix:ab did not build"
    assert report.exit_code == 1


def test_a_stopped_builds_table_shows_the_whole_error_not_a_row_per_action_it_kept_from_starting(project):
    import io

    from rich.console import Console

    from cmfc.build import Action

    actions = [Action("boom", "fail_no_placeholder", {}, {}, ())] + project.actions
    out = io.StringIO()
    project(actions, jobs=1).render(Console(file=out, width=80))
    text = out.getvalue()
    assert "5 actions not started: the build stopped after boom failed" in text
    assert "read:a" not in text and "final" not in text  # no row each for what never started
    assert "boom failed:" in text and "RuntimeError: the generator exploded" in text


def test_an_error_is_printed_as_written(tmp_path):
    """No rich markup, emoji codes or escapes applied to what an action said (a path, a caption, a prompt)."""
    import io

    from rich.console import Console

    from cmfc.build.report import ActionResult, BuildReport

    error = "assets/[bold]x[/]:thumbs_up:.png: error: cannot read C:\\media\\"
    report = BuildReport([ActionResult("render:SC_01", "render.segment", "SC_01", "local", "k", "failed", error=error)])
    out = io.StringIO()
    report.render(Console(file=out, width=80))
    assert error in out.getvalue().splitlines()


def test_a_user_error_inside_an_action_is_shown_without_traceback(project):
    from cmfc.build import Action

    report = project([Action("line", "user_error", {}, {}, ())])
    error = report.result("line").error
    assert error.startswith("spec.cmf:3:1: error: scene SC_09 has no line")
    assert "Traceback" not in error


def test_dry_run_changes_nothing(project):
    report = project(dry_run=True)
    assert len(report.ids("would-run")) == 5
    assert not (project.root / "out").exists()
    assert not (project.root / "manifest.json").exists()


def test_parallel_build_gives_the_same_manifest_as_serial(tmp_path):
    from build_helpers import wide_project

    manifests = []
    for jobs in (1, 4):
        root = tmp_path / f"j{jobs}"
        report = build(wide_project(root, 12), root, jobs=jobs, progress=False, registry=make_registry())
        assert len(report.ids("ran")) == 25
        manifests.append((root / "manifest.json").read_bytes())
    assert manifests[0] == manifests[1]


def test_the_report_says_when_each_action_started_after_its_inputs(tmp_path):
    from build_helpers import wide_project

    actions = wide_project(tmp_path, 6)
    report = build(actions, tmp_path, jobs=3, progress=False, registry=make_registry())
    results = {r.id: r for r in report.results}
    for action in actions:  # the timeline --report gives: nothing starts before what it reads has finished
        result = results[action.id]
        assert 0 <= result.started <= report.seconds
        for upstream in action.upstream():
            assert results[upstream].started + results[upstream].seconds <= result.started + 1e-6
    assert "started" in json.loads(report.to_json())["actions"][0]


def test_two_directories_give_identical_outputs_and_manifest(tmp_path):
    roots = [tmp_path / "one", tmp_path / "elsewhere" / "two"]
    for root in roots:
        build(make_project(root), root, progress=False, registry=make_registry())
    one, two = ((r / "manifest.json").read_bytes() for r in roots)
    assert one == two
    assert str(tmp_path) not in one.decode()
    for rel in ("out/ab.txt", "out/c.txt", "out/final.mp4"):
        assert (roots[0] / rel).read_bytes() == (roots[1] / rel).read_bytes()


def test_manifest_names_action_inputs_and_origin(project):
    project()
    manifest = json.loads((project.root / "manifest.json").read_text())
    by_path = {e["path"]: e for e in manifest["outputs"]}
    assert sorted(by_path) == ["out/ab.txt", "out/c.txt", "out/final.mp4"]
    final = by_path["out/final.mp4"]
    assert final["action"] == "final" and final["kind"] == "concat" and len(final["key"]) == 64
    assert final["inputs"]["c"] == {"action": "read:c", "output": "text", "sha256": by_path["out/c.txt"]["sha256"]}
    assert by_path["out/c.txt"]["origin"] == "provided"
    assert by_path["out/c.txt"]["inputs"]["src"]["path"] == "src/c.txt"
    assert final["origin"] == "generated" and final["placeholder"] is False


def test_report_json_and_table(project):
    import io

    from rich.console import Console

    report = project()
    doc = json.loads(report.to_json())
    assert doc["ok"] is True
    assert {a["id"]: a["status"] for a in doc["actions"]}["final"] == "ran"
    assert set(doc["actions"][0]) >= {"id", "key", "kind", "scene", "status", "seconds", "why"}
    out = io.StringIO()
    report.render(Console(file=out, width=150))
    assert "5 actions: 5 ran" in out.getvalue()
    assert "mix:ab" in out.getvalue()


def test_plan_says_what_would_run_and_changes_nothing(project):
    first = plan(project.actions, project.root, registry=project.registry)
    assert first.summary() == "5 actions: 5 to run, 0 cached"
    assert [s.why_text for s in first.steps][:2] == ["new: never built", "new: never built"]
    assert not (project.root / "out").exists()
    project()
    (project.root / "out/c.txt").unlink()
    assert plan(project.actions, project.root, registry=project.registry).summary() == \
        "5 actions: 0 to run, 5 cached, 1 outputs to restore from the store"


def test_plain_progress_lines_when_not_on_a_terminal(project, capsys):
    project(progress=True)
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 5
    assert lines[0].startswith("[1/5] ran read:")
    assert lines[-1].startswith("[5/5] ran final ")


def test_one_worker_starts_the_longest_chain_first_and_cost_is_not_part_of_the_key(tmp_path):
    """Scene order would start the cheap scenes first and leave the slow one running alone at the end."""
    from dataclasses import replace

    from build_helpers import wide_project

    order: list[str] = []
    registry = make_registry()

    def recording(ctx):
        order.append(ctx.action.id)
        from build_helpers import concat

        concat(ctx)

    registry.add("recording", recording)
    costs = {"render:SC_000": 1.0, "render:SC_001": 2.0, "render:SC_002": 9.0, "read:SC_001": 8.0}
    actions = [replace(a, kind="recording", cost=costs.get(a.id, 0.0)) for a in wide_project(tmp_path, 3)]
    build(actions, tmp_path, jobs=1, progress=False, registry=registry)
    # Ranks (cost to the end): read:SC_001 10, read:SC_002 9, render:SC_002 9, render:SC_001 2,
    # read:SC_000 1, render:SC_000 1; in plan order they would run SC_000 first.
    assert order == ["read:SC_001", "read:SC_002", "render:SC_002", "render:SC_001", "read:SC_000",
                     "render:SC_000", "assemble"]

    order.clear()
    recosted = [replace(a, cost=0.0) for a in actions]
    report = build(recosted, tmp_path, jobs=1, progress=False, registry=registry)
    assert order == [] and len(report.ids("cached")) == 7


def test_the_table_keeps_action_ids_whole_in_an_80_column_log():
    import io

    from rich.console import Console

    from cmfc.build.report import ActionResult, BuildReport

    ids = [f"compile:comfyui:SC_{n:02d}" for n in range(1, 4)] + ["sonic:music_analysis"]
    report = BuildReport([ActionResult(i, "compile.target", i[-5:], "local", "k", "ran",
                                       why="upstream sonic:music_analysis will run") for i in ids])
    out = io.StringIO()
    report.render(Console(file=out, width=80))
    assert all(i in out.getvalue() for i in ids)
