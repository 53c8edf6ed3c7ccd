"""Render and mix actions fanned out on a local Ray instance: same bytes, same keys, a killed worker retried."""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

import pytest
from build_helpers import concat, make_project, make_registry

from cmfc.build import TransientError, build

ray = pytest.importorskip("ray", reason="the ray extra is not installed")

import build_helpers  # noqa: E402

from cmfc.build.fanout import ray_registry  # noqa: E402


@pytest.fixture(scope="module")
def local_ray():
    for module in (build_helpers, sys.modules[__name__]):  # the test kinds travel with their tasks
        ray.cloudpickle.register_pickle_by_value(module)
    started = not ray.is_initialized()
    if started:
        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield ray
    if started:
        ray.shutdown()


def where(ctx) -> None:
    """concat, and say which process ran it."""
    ctx.log(f"pid {os.getpid()}")
    concat(ctx)


def die_once(ctx) -> None:
    """The first try's worker dies (SIGKILL) mid-task; the retry on a fresh worker completes."""
    marker = Path(ctx.params["marker"])
    if not marker.exists():
        marker.write_text("killed")
        os.kill(os.getpid(), signal.SIGKILL)
    concat(ctx)


def test_a_build_on_ray_gives_the_same_bytes_and_keys_as_a_local_one(tmp_path, local_ray):
    local = make_registry()
    local.add("concat", where)
    build(make_project(tmp_path / "here"), tmp_path / "here", registry=local, progress=False)
    report = build(make_project(tmp_path / "ray"), tmp_path / "ray", registry=ray_registry(local, kinds=("concat",)),
                   jobs=2, progress=False)
    assert report.exit_code == 0 and len(report.ids("ran")) == 5
    assert all(r.log and r.log[0] != f"pid {os.getpid()}" for r in report.results)  # ran in Ray workers
    for rel in ("out/ab.txt", "out/c.txt", "out/final.mp4", "manifest.json", ".cmfc/last.json"):
        assert (tmp_path / "ray" / rel).read_bytes() == (tmp_path / "here" / rel).read_bytes(), rel


def test_a_worker_killed_mid_task_is_retried_elsewhere(tmp_path, local_ray):
    registry = make_registry()
    registry.add("die_once", die_once)
    actions = make_project(tmp_path)
    marker = tmp_path / "killed.txt"
    from build_helpers import replace_action

    actions = replace_action(actions, "read:c", kind="die_once", params={"prefix": "C:", "marker": str(marker)})
    report = build(actions, tmp_path, registry=ray_registry(registry, kinds=("die_once",)), progress=False)
    assert marker.read_text() == "killed"
    assert report.exit_code == 0 and report.result("read:c").attempts == 1  # Ray retried; the engine saw one try
    assert (tmp_path / "out/c.txt").read_bytes() == b"C:<c>|text"


def busy_once(ctx) -> None:
    """The first try says the server is busy (TransientError); the engine retries it."""
    marker = Path(ctx.params["marker"])
    if not marker.exists():
        marker.write_text("busy")
        raise TransientError("server busy")
    concat(ctx)


def test_an_action_error_on_a_worker_is_the_engines_error(tmp_path, local_ray):
    registry = make_registry()
    registry.add("busy_once", busy_once)
    from build_helpers import replace_action

    actions = make_project(tmp_path)
    flaky = replace_action(actions, "read:a", kind="busy_once", params={"prefix": "A:", "marker": str(tmp_path / "m")})
    broken = replace_action(flaky, "read:b", kind="user_error")
    report = build(broken, tmp_path, registry=ray_registry(registry, kinds=("busy_once", "user_error")),
                   progress=False, backoff=0, keep_going=True)
    assert report.result("read:a").status == "ran" and report.result("read:a").attempts == 2
    assert "server busy" in report.result("read:a").log[0]
    failed = report.result("read:b")
    assert failed.status == "failed" and failed.attempts == 1
    assert "scene SC_09 has no line" in failed.error and "Traceback" not in failed.error


def test_a_real_preview_renders_on_ray_byte_identical_to_a_local_render(tmp_path, local_ray):
    """The scaffolded project's renders and mix read the project's media by path: shipped to stateless workers."""
    import shutil

    from cmfc.build import REGISTRY
    from cmfc.check import load
    from cmfc.plan import PlanOptions, plan_project
    from cmfc.scaffold import scaffold

    scaffold(str(tmp_path / "here"), None)
    shutil.copytree(tmp_path / "here", tmp_path / "ray")
    built = {}
    for name in ("here", "ray"):
        compiled = load(str(tmp_path / name), defer_music=True)
        actions = plan_project(compiled, PlanOptions(render=True, preview=True))
        registry = ray_registry(REGISTRY) if name == "ray" else None
        report = build(actions, compiled.location.root, registry=registry, jobs=2, progress=False)
        assert report.exit_code == 0, [r.error for r in report.results if r.error]
        built[name] = {r.id: r.outputs for r in report.results}
        if name == "ray":
            fanned = [r.id for r in report.results if r.kind in ("render.segment", "sonic.mix")]
            assert fanned and all(report.result(i).status == "ran" for i in fanned)
    assert built["ray"] == built["here"]  # every output's digest, action by action
