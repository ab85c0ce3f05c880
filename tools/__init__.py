"""Generators that keep the docs in step with the code (not shipped in the wheel)."""
