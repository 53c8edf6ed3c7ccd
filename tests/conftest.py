"""Shared fixtures: a tiny generated project to compile snippets in."""

from __future__ import annotations

import pytest

from tests.helpers import TinyProject


@pytest.fixture
def tiny(tmp_path) -> TinyProject:
    """A project folder with a 5-second placeholder voice (words: Every day you show up. That is the whole secret.)."""
    return TinyProject.create(tmp_path / "proj")
