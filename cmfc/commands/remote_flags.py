"""The remote-cache flags every building command shares (docs/remote-cache.md)."""

from __future__ import annotations

import click


def remote_options(command):
    """``--remote-cache URL`` and ``--remote-cache-read-only`` (see docs/remote-cache.md)."""
    command = click.option("--remote-cache-read-only", "remote_read_only", is_flag=True,
                           help="Use the remote cache but never upload to it (CI for forks).")(command)
    return click.option("--remote-cache", "remote_url", metavar="URL", default=None,
                        help="A shared cache: http://host:port/prefix (Bazel HTTP cache, nginx WebDAV) or "
                             "s3://bucket/prefix; default: [cache] remote in cmfc.toml.")(command)


def remote_for(root, url: str | None, read_only: bool):
    """The remote cache for this project, or None (flags, $CMFC_REMOTE_CACHE, [cache] in cmfc.toml)."""
    from cmfc.build.remote import RemoteCache

    return RemoteCache.from_project(root, url, read_only)


def executor_option(command):
    """``--executor local|ray``: where render and mix actions run (docs/build.md, "Fan-out on Ray")."""
    return click.option("--executor", type=click.Choice(["local", "ray"]), default=None,
                        help="Run render and mix actions here (local) or as Ray tasks (ray: RAY_ADDRESS, "
                             "[executors] address, or a local Ray); default: [executors] render in cmfc.toml.")(command)
