"""Security baseline for KMS keys: rotation, an explicit key policy, keys left enabled."""

from __future__ import annotations

from typing import Any, Iterator, Optional

from pulumi_policy import Severity

from ._documents import is_public, statements
from ._util import (
    UNKNOWN_STRING_VALUE, UnknownValueError, as_bool, describe, is_unknown, json_value, require_known, resource_policy,
    stack_policy,
)
from .graph import Graph

KEY = "aws:kms/key:Key"
KEY_POLICY = "aws:kms/keyPolicy:KeyPolicy"


def _rotation(_t, props, _c, _a) -> Iterator[str]:
    spec = props.get("customerMasterKeySpec") or "SYMMETRIC_DEFAULT"
    if spec != "SYMMETRIC_DEFAULT":
        return  # AWS rotates only symmetric encryption keys (asymmetric and HMAC keys cannot rotate)
    value = props.get("enableKeyRotation")
    require_known(value, "enableKeyRotation")
    if as_bool(value) is not True:
        yield "automatic key rotation is off (enableKeyRotation): the same key material encrypts data for ever."


def _key_policy(graph: Graph, _config: dict[str, Any]) -> Iterator[tuple[str, Optional[str]]]:
    unknown = []
    for node in graph.of_type(KEY, KEY_POLICY):
        raw = node.props.get("policy")
        if raw is None:
            if node.type == KEY and not graph.dependents(node, "keyId", types=[KEY_POLICY]):
                yield (f"{describe(node.type, node.name)} has no key policy of its own: AWS gives it the default "
                       f"policy, under which any IAM principal of the account allowed kms:* may use it; name who "
                       f"administers and who uses it.", node.urn)
            continue
        doc = json_value(raw)
        if is_unknown(doc):
            unknown.append(f"the policy of {describe(node.type, node.name)}")
            continue
        for label, st in statements(doc):
            if is_public(st):
                yield (f"{describe(node.type, node.name)}: key policy {label} allows any principal ('*') with no "
                       f"condition.", node.urn)
    if unknown:
        raise UnknownValueError(UNKNOWN_STRING_VALUE, [", ".join(unknown)])


def _enabled(_t, props, _c, _a) -> Iterator[str]:
    value = props.get("isEnabled")
    require_known(value, "isEnabled")
    if as_bool(value) is False:
        yield "the key is disabled (isEnabled: false): whatever it encrypts cannot be read."


POLICIES = [
    resource_policy(
        name="security-kms-key-rotation", types=[KEY], check=_rotation,
        description="Symmetric KMS keys rotate their key material every year.", severity=Severity.MEDIUM,
        remediation="Set enableKeyRotation: true (rotationPeriodInDays to rotate more often)."),
    stack_policy(
        name="security-kms-key-policy", check=_key_policy,
        description="KMS keys have their own key policy, and it never allows any principal ('*') without a "
                    "condition.", severity=Severity.HIGH,
        remediation="Give the key a policy naming the account's administrators and the services or roles that "
                    "use it; scope any '*' principal with a condition such as kms:CallerAccount or aws:SourceArn."),
    resource_policy(
        name="security-kms-key-enabled", types=[KEY], check=_enabled,
        description="KMS keys are left enabled.", severity=Severity.LOW,
        remediation="Set isEnabled: true, or delete the key (deletionWindowInDays) once nothing needs it."),
]
