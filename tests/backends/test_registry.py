"""The target registry: a target is one module and one line in BACKENDS; the planner and compile loop over it."""

from __future__ import annotations

import pytest

import cmfc.backends


@pytest.fixture
def toy(monkeypatch):
    monkeypatch.setitem(cmfc.backends.BACKENDS, "toy", "tests.backends.toy_target")


def test_a_registered_target_is_compiled_and_planned(toy, tiny):
    from cmfc.check import load
    from cmfc.compile import compile_targets
    from cmfc.plan import PlanOptions, plan_project

    compiled = load(str(tiny.write("\nscene SC_01 HOOK-1 at 0s..2s\n\nscene SC_02 SETUP-1 at 2s..5s\n")),
                    defer_music=True)
    assert "toy" in cmfc.backends.available_targets()
    assert compile_targets(compiled)["toy/cuts.txt"] == b"SC_01 0 48\nSC_02 48 120\n"
    action, = [a for a in plan_project(compiled, PlanOptions(targets=("toy",), render=False)) if a.kind == "compile.target"]
    assert action.id == "compile:toy"
    assert [o.path for o in action.outputs] == ["03_OUTPUT/PROJ_T/05_assembly/toy/cuts.txt"]
    assert action.params["files"] == ["toy/cuts.txt"]


def test_every_registered_target_declares_its_stage_units_and_emit():
    for name in cmfc.backends.available_targets():
        module = cmfc.backends.target_module(name)
        assert module.STAGE.startswith("0") and callable(module.units) and callable(module.emit), name
