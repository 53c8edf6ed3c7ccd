"""The synthetic project most build-engine tests run: ``project(...)`` builds it with the test registry."""

from __future__ import annotations

import pytest
from build_helpers import make_project, make_registry

from cmfc.build import build


@pytest.fixture
def project(tmp_path):
    registry = make_registry()
    actions = make_project(tmp_path)

    def run(acts=None, **kw):
        kw.setdefault("progress", False)
        kw.setdefault("backoff", 0)
        return build(acts or actions, tmp_path, registry=kw.pop("registry", registry), **kw)

    run.root, run.actions, run.registry = tmp_path, actions, registry
    return run
