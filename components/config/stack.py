"""Settings shared by the whole stack (not owned by one tier)."""

from __future__ import annotations

from .schema import Setting, one_of

T = "stack"

ENVIRONMENTS = ("development", "production")

SETTINGS: list[Setting] = [
    Setting(T, "environment", "string", "development",
            "What kind of environment this stack is. It is recorded in tags and selects which "
            "safety rules apply (for example, plain HTTP is refused in production); sizing "
            "itself comes from the stack file, never from this value.",
            "one of: " + ", ".join(ENVIRONMENTS), one_of(ENVIRONMENTS)),
]
