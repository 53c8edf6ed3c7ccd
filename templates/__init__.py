"""Package data for cmfc (see pyproject.toml package-dir)."""
