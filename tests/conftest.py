"""Shared fixtures: a tiny generated project to compile snippets in."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True, scope="session")
def _shared_analysis_cache(tmp_path_factory):
    """Audio analyses are cached by content: share them across the tiny projects of a test session."""
    import os

    folder = tmp_path_factory.mktemp("analysis-cache")
    os.environ["CMFC_ANALYSIS_CACHE"] = str(folder)
    yield
    os.environ.pop("CMFC_ANALYSIS_CACHE", None)

from tests.helpers import TinyProject


@pytest.fixture
def tiny(tmp_path) -> TinyProject:
    """A project folder with a 5-second placeholder voice (words: Every day you show up. That is the whole secret.)."""
    return TinyProject.create(tmp_path / "proj")
