"""Graph checks, keys, the lock, graph export, clean and gc."""

from __future__ import annotations

import json

import pytest
from build_helpers import make_project, make_registry, replace_action

from cmfc.build import Action, ActionInput, FileInput, GraphError, Output, build, clean, gc, graph_dot, graph_json, plan
from cmfc.build.keys import action_key, looks_secret
from cmfc.build.lock import ProjectLock
from cmfc.diagnostics import CmfError


def run(actions, root, **kw):
    return build(actions, root, progress=False, backoff=0, registry=make_registry(), **kw)


def test_cycle_is_named():
    actions = [
        Action("a", "concat", {}, {"x": ActionInput("c", "o")}, (Output("o"),)),
        Action("b", "concat", {}, {"x": ActionInput("a", "o")}, (Output("o"),)),
        Action("c", "concat", {}, {"x": ActionInput("b", "o")}, (Output("o"),)),
    ]
    with pytest.raises(GraphError, match=r"the build graph has a cycle: a -> b -> c -> a"):
        graph_json(actions)


@pytest.mark.parametrize("actions, message", [
    ([Action("mix:ab", "concat", {}, {"x": ActionInput("mix:a", "o")})],
     "input 'x' of mix:ab reads from unknown action 'mix:a' (did you mean mix:ab?)"),
    ([Action("a", "concat", {}, {}, (Output("text"),)), Action("b", "concat", {}, {"x": ActionInput("a", "txt")})],
     "action a has no output 'txt' (did you mean text?)"),
    ([Action("a", "concat"), Action("a", "concat")], "two actions have the id 'a'"),
    ([Action("a", "concat", {}, {}, (Output("o", "out/x"),)), Action("b", "concat", {}, {}, (Output("o", "out/x"),))],
     "actions a and b both write out/x"),
    ([Action("a", "concat", {}, {"x": FileInput("../secret.txt")})], "is not a project-relative POSIX path"),
    ([Action("a", "concat", {}, {}, (Output("o", ".cmfc/store/x"),))], "belongs to the build engine"),
])
def test_malformed_graphs_get_clear_errors(actions, message):
    with pytest.raises(GraphError) as caught:
        graph_json(actions)
    assert message in str(caught.value)


def test_unknown_kind_and_secret_params_are_refused(tmp_path):
    with pytest.raises(GraphError, match=r"unknown action kind 'concatt' \(did you mean concat\?\)"):
        plan([Action("a", "concatt")], tmp_path, registry=make_registry())
    with pytest.raises(GraphError, match="'executor.api_key', which looks like a secret"):
        plan([Action("a", "concat", {"executor": {"api_key": "sk-1"}})], tmp_path, registry=make_registry())


@pytest.mark.parametrize("key, secret", [
    ("api_key", True), ("apiKey", True), ("RUNPOD_API_KEY", True), ("auth-token", True), ("password", True),
    ("client_secret", True), ("max_tokens", False), ("token_count", False), ("seed", False), ("keyframes", False),
])
def test_secret_looking_keys(key, secret):
    assert looks_secret(key) is secret


def test_missing_source_file_is_a_user_error(tmp_path):
    actions = [Action("read", "concat", {}, {"voice": FileInput("audio/voice.wav")})]
    with pytest.raises(CmfError, match=r"input file audio/voice.wav does not exist \(input 'voice' of read\)"):
        plan(actions, tmp_path, registry=make_registry())


def test_key_covers_params_inputs_version_executor_but_not_id_or_scene():
    base = Action("a", "concat", {"p": 1}, {"x": FileInput("x")}, (Output("o"),))
    key = action_key(base, "1", {"x": "00"})
    assert action_key(replace_action([base], "a", id="b", scene="SC_01")[0], "1", {"x": "00"}) == key
    for other in (action_key(base, "2", {"x": "00"}), action_key(base, "1", {"x": "01"}),
                  action_key(replace_action([base], "a", params={"p": 2})[0], "1", {"x": "00"}),
                  action_key(replace_action([base], "a", executor="runpod")[0], "1", {"x": "00"})):
        assert other != key
    assert action_key(replace_action([base], "a", params={"p": 1})[0], "1", {"x": "00"}) == key


def test_second_concurrent_build_is_refused_naming_the_first(tmp_path):
    import os

    actions = make_project(tmp_path)
    with ProjectLock(tmp_path / ".cmfc" / "lock"):
        with pytest.raises(CmfError) as caught:
            run(actions, tmp_path)
    assert str(caught.value) == f"another cmfc build is running in this project (pid {os.getpid()})"
    assert run(actions, tmp_path).exit_code == 0


def test_graph_exports_are_deterministic_and_complete(tmp_path):
    actions = make_project(tmp_path)
    doc = json.loads(graph_json(actions))
    assert [a["id"] for a in doc["actions"]] == ["read:a", "read:b", "mix:ab", "read:c", "final"]
    assert doc["actions"][2]["inputs"]["a"] == {"action": "read:a", "output": "text"}
    dot = graph_dot(actions)
    assert dot == graph_dot(list(reversed(actions))) or dot.startswith("digraph cmfc {")
    assert '"read:a" -> "mix:ab" [label="text -> a"];' in dot
    assert '"file:src/c.txt" -> "read:c" [label="src"];' in dot
    assert '"final" -> "file:out/final.mp4" [label="video"];' in dot


def test_clean_removes_only_listed_outputs_and_the_next_build_restores_them(tmp_path):
    actions = make_project(tmp_path)
    run(actions, tmp_path)
    (tmp_path / "out" / "notes.txt").write_text("mine")
    assert clean(tmp_path).removed == ["manifest.json", "out/ab.txt", "out/c.txt", "out/final.mp4"]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["notes.txt"]
    assert (tmp_path / "src/a.txt").exists()
    report = run(actions, tmp_path)
    assert report.ids("ran") == []
    assert sorted(p for r in report.results for p in r.restored) == ["out/ab.txt", "out/c.txt", "out/final.mp4"]


def test_gc_drops_what_nothing_refers_to_and_keeps_the_build_a_noop(tmp_path):
    actions = make_project(tmp_path)
    run(actions, tmp_path)
    assert gc(actions, tmp_path, registry=make_registry()).records_removed == 0
    changed = replace_action(actions, "read:c", params={"prefix": "C2:"})
    run(changed, tmp_path)
    result = gc(changed, tmp_path, registry=make_registry())
    assert (result.records_removed, result.entries_removed) == (2, 2)  # old read:c and old final
    assert result.bytes_freed > 0
    assert "removed 2 cache records and 2 store entries" in result.summary()
    assert run(changed, tmp_path).ids("ran") == []
