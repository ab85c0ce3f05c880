"""Security baseline for Secrets Manager: every secret rotates, at least every maxRotationDays."""

from __future__ import annotations

import re
from typing import Any, Iterator, Optional

from pulumi_policy import EnforcementLevel, Severity

from ._util import as_number, describe, dig, is_unknown, stack_policy
from .graph import Graph

SECRET = "aws:secretsmanager/secret:Secret"
ROTATION = "aws:secretsmanager/secretRotation:SecretRotation"
_RATE = re.compile(r"^rate\((\d+)\s+days?\)$")


def _interval(rotation) -> Optional[float]:
    days = as_number(dig(rotation.props, "rotationRules", "automaticallyAfterDays"))
    if days is not None:
        return days
    schedule = dig(rotation.props, "rotationRules", "scheduleExpression")
    match = _RATE.match(str(schedule or "").strip())
    return float(match.group(1)) if match else None


def _rotation(graph: Graph, config: dict[str, Any]) -> Iterator[tuple[str, Optional[str]]]:
    limit = config["maxRotationDays"]
    for secret in graph.of_type(SECRET):
        label = describe(secret.type, secret.name)
        rotations = graph.dependents(secret, "secretId", types=[ROTATION])
        if not rotations:
            yield (f"{label} never rotates (no aws.secretsmanager.SecretRotation): a leaked value stays valid "
                   f"until someone notices.", secret.urn)
            continue
        for r in rotations:
            days = _interval(r)
            if days is not None and not is_unknown(days) and days > limit:
                yield f"{label} rotates every {int(days)} days; at most {limit} are allowed.", secret.urn


POLICIES = [
    stack_policy(
        name="security-secretsmanager-rotation", check=_rotation,
        config={"maxRotationDays": {"type": "integer", "minimum": 1, "default": 90,
                                    "description": "Longest rotation interval allowed, in days. Default 90."}},
        enforcement_level=EnforcementLevel.ADVISORY,
        description="Secrets Manager secrets rotate automatically, at least every maxRotationDays (90).",
        severity=Severity.MEDIUM,
        remediation="Add an aws.secretsmanager.SecretRotation with a rotation function and rotationRules "
                    "(automaticallyAfterDays or a schedule)."),
]
