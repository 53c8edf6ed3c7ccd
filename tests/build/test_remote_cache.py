"""The shared remote cache against a real nginx (WebDAV PUT), as teams serve the Bazel HTTP cache protocol."""

from __future__ import annotations

import json
import shutil
import time

import pytest
from build_helpers import make_project, make_registry, write_source
from remote_servers import BreakingProxy, Nginx, SilentServer, free_port, nginx_binary

from cmfc.build import build, explain, plan
from cmfc.build.remote import RemoteCache, RemoteConfig

pytestmark = pytest.mark.skipif(nginx_binary() is None,
                                reason="nginx is not installed (make test installs it: apt-get install -y nginx)")

OUTPUTS = ("out/ab.txt", "out/c.txt", "out/final.mp4", "manifest.json")


@pytest.fixture
def nginx(tmp_path):
    server = Nginx(tmp_path / "server").start()
    yield server
    server.stop()


def clone(tmp_path, name):
    root = tmp_path / name
    return root, make_project(root)


def remote(url, read_only=False, timeout=5.0, lines=None, root=None):
    return RemoteCache(RemoteConfig(url, read_only, timeout), root=root,
                       warn=(lines.append if lines is not None else None))


def run(root, actions, registry=None, **kw):
    return build(actions, root, registry=registry or make_registry(), progress=False, backoff=0, **kw)


def refusing_registry():
    """Every kind fails if run: a build that completes with it restored everything."""
    registry = make_registry()
    for name in list(registry.kinds):
        registry.add(name, _refuse)
    return registry


def _refuse(ctx):
    raise AssertionError(f"{ctx.action.id} ran, but the remote cache had it")


def test_a_second_clone_restores_everything_from_the_remote_byte_identical(tmp_path, nginx):
    first, actions = clone(tmp_path, "alice")
    report = run(first, actions, remote=remote(nginx.url))
    assert len(report.ids("ran")) == 5
    assert report.remote.uploads == 5 and report.remote.misses == 5 and report.remote.hits == 0
    assert len(nginx.files("ac")) == 5

    second, actions = clone(tmp_path, "bob")
    planned = plan(actions, second, make_registry(), remote=remote(nginx.url))
    assert planned.to_run == []
    assert "restored from the remote cache" in explain(actions, second, "out/final.mp4", make_registry(),
                                                         remote=remote(nginx.url))
    assert not (second / ".cmfc" / "store").exists() or not any((second / ".cmfc" / "store").iterdir())

    report = run(second, actions, registry=refusing_registry(), remote=remote(nginx.url))
    assert report.exit_code == 0 and report.ids("ran") == []
    assert report.remote.hits == 5 and report.remote.misses == 0 and report.remote.uploads == 0
    assert report.remote.bytes_down > 0 and report.remote.bytes_up == 0
    assert report.result("final").why == "restored from the remote cache"
    for rel in OUTPUTS:
        assert (second / rel).read_bytes() == (first / rel).read_bytes(), rel
    # from now on the clone's own cache answers: no request reaches the remote
    before = len(nginx.requests())
    again = run(second, actions, registry=refusing_registry(), remote=remote(nginx.url))
    assert again.remote.hits == 0 and again.remote.bytes_down == 0 and len(nginx.requests()) == before


def test_blobs_are_uploaded_before_the_record_that_names_them(tmp_path, nginx):
    root, actions = clone(tmp_path, "alice")
    run(root, actions, remote=remote(nginx.url))
    puts = [uri for method, uri, status in nginx.requests() if method == "PUT"]
    records = {path.stem: json.loads(path.read_bytes()) for path in (root / ".cmfc" / "actions").glob("*.json")}
    for key, record in records.items():
        record_at = puts.index(f"/cmfc/ac/{key}")
        for entry in record["outputs"].values():
            assert puts.index(f"/cmfc/cas/{entry['sha256']}") < record_at
    # a blob already there is not sent again: the second clone's new action uploads its one new blob
    second, actions = clone(tmp_path, "bob")
    write_source(second, "src/c.txt", "<c2>")
    report = run(second, actions, remote=remote(nginx.url))
    assert set(report.ids("ran")) == {"read:c", "final"}
    assert report.remote.uploads == 2


def test_a_corrupt_blob_is_discarded_the_action_runs_locally_and_the_upload_repairs_it(tmp_path, nginx):
    first, actions = clone(tmp_path, "alice")
    run(first, actions, remote=remote(nginx.url))
    good = (first / "out/c.txt").read_bytes()
    blob = nginx.root / "cmfc" / "cas" / __import__("hashlib").sha256(good).hexdigest()
    blob.write_bytes(b"X" * len(good))  # same size, wrong bytes

    second, actions = clone(tmp_path, "bob")
    report = run(second, actions, remote=remote(nginx.url))
    assert report.ids("ran") == ["read:c"]
    assert report.remote.corrupt == 1
    assert (second / "out/c.txt").read_bytes() == good
    assert (second / "out/final.mp4").read_bytes() == (first / "out/final.mp4").read_bytes()
    assert blob.read_bytes() == good  # re-uploaded over the bad copy


def test_a_download_dropped_midway_is_a_miss_and_the_action_runs_locally(tmp_path, nginx):
    first, actions = clone(tmp_path, "alice")
    run(first, actions, remote=remote(nginx.url))

    proxy = BreakingProxy(nginx.port, breaks=1)
    try:
        second, actions = clone(tmp_path, "bob")
        lines = []
        report = run(second, actions, remote=remote(proxy.url, lines=lines))
    finally:
        proxy.close()
    assert len(proxy.broken) == 1
    assert report.exit_code == 0 and len(report.ids("ran")) == 1
    assert report.remote.failed == 1 and report.remote.hits == 4 and lines == []
    for rel in OUTPUTS:
        assert (second / rel).read_bytes() == (first / rel).read_bytes(), rel
    assert not any((second / ".cmfc" / "tmp").iterdir())


def test_a_server_that_is_down_costs_one_warning_and_the_build_goes_on_locally(tmp_path):
    root, actions = clone(tmp_path, "alice")
    lines = []
    report = run(root, actions, remote=remote(f"http://127.0.0.1:{free_port()}/cmfc", lines=lines))
    assert report.exit_code == 0 and len(report.ids("ran")) == 5
    assert len(lines) == 1 and "connection refused" in lines[0] and "building locally" in lines[0]
    assert report.remote.hits == 0 and report.remote.uploads == 0


def test_a_server_that_hangs_costs_at_most_the_timeout_per_build(tmp_path):
    silent = SilentServer()
    try:
        root, actions = clone(tmp_path, "alice")
        lines = []
        started = time.monotonic()
        report = run(root, actions, remote=remote(silent.url, timeout=0.5, lines=lines), jobs=2)
        took = time.monotonic() - started
    finally:
        silent.close()
    assert report.exit_code == 0 and len(report.ids("ran")) == 5
    assert len(lines) == 1 and "timed out" in lines[0]
    assert silent.accepted == 1  # asked once, then left alone
    assert took < 0.5 + 1.5


def test_read_only_restores_but_never_uploads(tmp_path, nginx):
    first, actions = clone(tmp_path, "alice")
    run(first, actions, remote=remote(nginx.url))
    held = {kind: nginx.files(kind) for kind in ("ac", "cas")}
    puts = sum(1 for r in nginx.requests() if r[0] in ("PUT", "HEAD"))

    second, actions = clone(tmp_path, "bob")
    write_source(second, "src/a.txt", "<fork>")
    report = run(second, actions, remote=remote(nginx.url, read_only=True))
    assert set(report.ids("ran")) == {"read:a", "mix:ab", "final"}
    assert set(report.ids("cached")) == {"read:b", "read:c"}
    assert report.remote.uploads == 0 and report.remote.bytes_up == 0
    assert {kind: nginx.files(kind) for kind in ("ac", "cas")} == held
    assert sum(1 for r in nginx.requests() if r[0] in ("PUT", "HEAD")) == puts


def test_credentials_come_from_dotenv_and_never_reach_disk_or_logs(tmp_path):
    password = "s3cret-Pa55-for-the-cache"
    server = Nginx(tmp_path / "server", user="ci", password=password).start()
    try:
        first, actions = clone(tmp_path, "alice")
        lines = []
        denied = run(first, actions, remote=remote(server.url, lines=lines, root=first))
        assert len(lines) == 1 and "HTTP 401" in lines[0] and denied.remote.uploads == 0

        shutil.rmtree(first / ".cmfc")
        (first / ".env").write_text(f"CMFC_REMOTE_CACHE_USER=ci\nCMFC_REMOTE_CACHE_PASSWORD={password}\n")
        lines = []
        report = run(first, actions, remote=remote(server.url, lines=lines, root=first))
        assert lines == [] and report.remote.uploads == 5
    finally:
        server.stop()
    on_disk = [p for p in first.rglob("*") if p.is_file() and p.name != ".env"]
    on_disk += [p for p in (server.root).rglob("*") if p.is_file()]
    for path in on_disk:
        assert password.encode() not in path.read_bytes(), path
    assert password not in report.to_json()
