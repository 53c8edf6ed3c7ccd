"""`cmfc build/plan/explain` with a remote cache, as a team uses it: two clones of a `cmfc new` project."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest
from remote_servers import Nginx, nginx_binary

pytestmark = pytest.mark.skipif(nginx_binary() is None,
                                reason="nginx is not installed (make test installs it: apt-get install -y nginx)")

TOKEN = "tok-9f3e1c-never-on-disk"


def cmfc(*args, cwd):
    env = {**os.environ, "CMFC_REMOTE_CACHE_TOKEN": TOKEN}
    env.pop("CMFC_REMOTE_CACHE", None)
    done = subprocess.run([sys.executable, "-m", "cmfc", *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=300)
    return done.returncode, done.stdout + done.stderr


def test_a_teammates_clone_builds_from_the_remote_and_says_so(tmp_path):
    server = Nginx(tmp_path / "server").start()
    try:
        assert cmfc("new", "alice", cwd=tmp_path)[0] == 0
        with open(tmp_path / "alice" / "cmfc.toml", "a") as config:
            config.write(f'\n[cache]\nremote = "{server.url}"\ntimeout = 3\n')
        shutil.copytree(tmp_path / "alice", tmp_path / "bob")

        code, out = cmfc("build", "alice", "--compile-only", cwd=tmp_path)
        assert code == 0, out
        assert "remote cache: 0 hits, 10 misses, 0 B down" in out and "(10 uploaded)" in out

        code, out = cmfc("plan", "bob", cwd=tmp_path)
        assert code == 0, out
        assert "remote cache: 10 hits" in out
        code, out = cmfc("explain", "bob", "compile:ir", cwd=tmp_path)
        assert "restored from the remote cache" in out, out

        code, out = cmfc("build", "bob", "--compile-only", "--remote-cache-read-only", cwd=tmp_path)
        assert code == 0, out
        assert "10 actions: 10 cached" in out and "remote cache: 10 hits, 0 misses" in out and "0 B up" in out
    finally:
        server.stop()
    built = {p.relative_to(tmp_path / "alice"): p.read_bytes() for p in (tmp_path / "alice" / "03_OUTPUT").rglob("*")
             if p.is_file() and p.parent.name != "05_assembly"}  # Resolve copies hold absolute paths
    assert built and all((tmp_path / "bob" / rel).read_bytes() == data for rel, data in built.items())
    for path in (tmp_path / "bob").rglob("*"):
        if path.is_file():
            assert TOKEN.encode() not in path.read_bytes(), path
    assert TOKEN not in out
