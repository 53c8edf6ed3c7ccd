"""Click commands that ``cmfc.cli`` registers on the main group (one module per command)."""
