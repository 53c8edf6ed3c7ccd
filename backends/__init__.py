"""Compile targets: one module per target, registered in one table."""
