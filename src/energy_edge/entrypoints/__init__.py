"""Composition roots: one per module, plus the `energy-edge` CLI."""
