"""Generators for the bundled example projects' media (used by scripts/make_example_media.py)."""
