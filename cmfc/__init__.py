"""cmfc: a compiler for short-form video."""

__version__ = "0.1.0"
