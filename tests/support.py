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


#: An ACM certificate ARN of the shape AWS issues, for previewing prod offline: Pulumi.prod.yaml
#: carries none (a deployment sets its own with `pulumi config set`), and production requires one.
#: Not a placeholder (components/config/arns.py): its account is no documentation example.
TEST_CERTIFICATE_ARN = "arn:aws:acm:us-east-1:246813579024:certificate/3f1c9a4e-8b2d-4c6e-9f01-2a7b5c3d4e6f"
#: The stack config that supplies it (``run_stack(..., extra_config=...)``, ``run_preview(..., extra_config=...)``).
TEST_CERTIFICATE_CONFIG = {"iot-tiers:realtimeCertificateArn": TEST_CERTIFICATE_ARN}
#: The same as ``tiers preview``/``tiers cost`` arguments.
TEST_CERTIFICATE_ARGS = ["-c", f"iot-tiers:realtimeCertificateArn={TEST_CERTIFICATE_ARN}"]
#: What each of the repo's stacks needs, besides its stack file, to run offline.
REPO_STACK_CONFIG = {"dev": {}, "prod": TEST_CERTIFICATE_CONFIG}
