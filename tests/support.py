"""Helpers tests import (tests/ is on pytest's pythonpath)."""

from __future__ import annotations

import json
from pathlib import Path

#: The repository root (tests/ is one level below it).
REPO_ROOT = Path(__file__).resolve().parent.parent


def policy_statements(policy_json: str) -> list[dict]:
    """Statements of an IAM policy document, with Action/Resource always lists."""
    doc = json.loads(policy_json)
    out = []
    for stmt in doc["Statement"]:
        stmt = dict(stmt)
        for key in ("Action", "Resource"):
            if isinstance(stmt.get(key), str):
                stmt[key] = [stmt[key]]
        out.append(stmt)
    return out
