"""The remote cache in an S3 bucket (boto3), against moto's S3 server on 127.0.0.1: same semantics as HTTP."""

from __future__ import annotations

import hashlib

import pytest
from build_helpers import make_project, make_registry, write_source
from remote_servers import free_port

from cmfc.build import build
from cmfc.build.remote import RemoteCache, RemoteConfig

boto3 = pytest.importorskip("boto3", reason="the cache-s3 extra (boto3) is not installed")
moto_server = pytest.importorskip("moto.server", reason="moto[server] is not installed (test extra)")

BUCKET = "team-cache"


@pytest.fixture(scope="module")
def s3_endpoint():
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3(s3_endpoint, monkeypatch, request):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ENDPOINT_URL", s3_endpoint)
    client = boto3.client("s3")
    bucket = f"{BUCKET}-{abs(hash(request.node.name)) % 10**8}"
    client.create_bucket(Bucket=bucket)
    return client, bucket


def remote(url, read_only=False, lines=None, timeout=5.0):
    return RemoteCache(RemoteConfig(url, read_only, timeout), warn=lines.append if lines is not None else None)


def run(root, actions, **kw):
    return build(actions, root, registry=make_registry(), progress=False, backoff=0, **kw)


def keys(client, bucket, prefix):
    found = client.list_objects_v2(Bucket=bucket, Prefix=prefix).get("Contents", [])
    return sorted(o["Key"] for o in found)


def test_a_second_clone_restores_everything_from_the_bucket(tmp_path, s3):
    client, bucket = s3
    url = f"s3://{bucket}/cmfc"
    first = tmp_path / "alice"
    actions = make_project(first)
    assert run(first, actions, remote=remote(url)).remote.uploads == 5
    assert len(keys(client, bucket, "cmfc/ac/")) == 5 and keys(client, bucket, "cmfc/cas/")

    second = tmp_path / "bob"
    actions = make_project(second)
    report = run(second, actions, remote=remote(url))
    assert report.ids("ran") == [] and report.remote.hits == 5
    for rel in ("out/ab.txt", "out/c.txt", "out/final.mp4", "manifest.json"):
        assert (second / rel).read_bytes() == (first / rel).read_bytes(), rel


def test_a_corrupt_object_is_discarded_and_repaired(tmp_path, s3):
    client, bucket = s3
    url = f"s3://{bucket}/cmfc"
    first = tmp_path / "alice"
    actions = make_project(first)
    run(first, actions, remote=remote(url))
    good = (first / "out/c.txt").read_bytes()
    key = f"cmfc/cas/{hashlib.sha256(good).hexdigest()}"
    client.put_object(Bucket=bucket, Key=key, Body=b"Y" * len(good))

    second = tmp_path / "bob"
    actions = make_project(second)
    report = run(second, actions, remote=remote(url))
    assert report.ids("ran") == ["read:c"] and report.remote.corrupt == 1
    assert (second / "out/c.txt").read_bytes() == good
    assert client.get_object(Bucket=bucket, Key=key)["Body"].read() == good


def test_read_only_never_writes_to_the_bucket(tmp_path, s3):
    client, bucket = s3
    url = f"s3://{bucket}/cmfc"
    first = tmp_path / "alice"
    run(first, make_project(first), remote=remote(url))
    held = keys(client, bucket, "cmfc/")

    second = tmp_path / "bob"
    actions = make_project(second)
    write_source(second, "src/b.txt", "<fork>")
    report = run(second, actions, remote=remote(url, read_only=True))
    assert set(report.ids("ran")) == {"read:b", "mix:ab", "final"} and report.remote.hits == 2
    assert keys(client, bucket, "cmfc/") == held


def test_an_endpoint_that_is_down_costs_one_warning(tmp_path, s3, monkeypatch):
    _, bucket = s3
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{free_port()}")
    root = tmp_path / "alice"
    lines = []
    report = run(root, make_project(root), remote=remote(f"s3://{bucket}/cmfc", lines=lines, timeout=1.0))
    assert report.exit_code == 0 and len(report.ids("ran")) == 5
    assert len(lines) == 1 and "building locally" in lines[0]


def test_keys_and_endpoint_from_the_projects_dotenv_never_reach_disk(tmp_path, s3, monkeypatch):
    client, bucket = s3
    endpoint = client.meta.endpoint_url
    secret = "moto-secret-key-never-on-disk"
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    root = tmp_path / "alice"
    actions = make_project(root)
    (root / ".env").write_text(f"AWS_ACCESS_KEY_ID=testing\nAWS_SECRET_ACCESS_KEY={secret}\n"
                               f"AWS_DEFAULT_REGION=us-east-1\nAWS_ENDPOINT_URL={endpoint}\n")
    lines = []
    cache = RemoteCache(RemoteConfig(f"s3://{bucket}/cmfc"), root=root, warn=lines.append)
    report = run(root, actions, remote=cache)
    assert lines == [] and report.remote.uploads == 5
    for path in root.rglob("*"):
        if path.is_file() and path.name != ".env":
            assert secret.encode() not in path.read_bytes(), path
    assert secret not in report.to_json()
