"""Security baseline for the data services: DynamoDB tables, SQS queues, SNS topics and their policies.

The peer rules each policy matches are in peer_rules.json (and cited in its description).
"""

from __future__ import annotations

from typing import Any, Iterator

from pulumi_policy import Severity

from ._documents import (
    ACCOUNT_PRINCIPAL, actions, allows, aws_principals, document_input, is_public, resources, statements,
)
from ._util import as_bool, dig, require_known, resource_policy

TABLE = "aws:dynamodb/table:Table"
QUEUE = "aws:sqs/queue:Queue"
QUEUE_POLICY = "aws:sqs/queuePolicy:QueuePolicy"
TOPIC = "aws:sns/topic:Topic"
TOPIC_POLICY = "aws:sns/topicPolicy:TopicPolicy"


def public_statements(document: Any) -> list[str]:
    """Sids (or "statement N") of Allow statements open to any principal without a condition."""
    return [label for label, st in statements(document) if is_public(st)]


def _all_actions(_t, props, _c, _a) -> Iterator[str]:
    doc = document_input(props)
    for label, st in allows(doc):
        wild = [a for a in actions(st) if a in ("*", "sqs:*", "SQS:*")]
        if wild:
            yield f"policy {label} allows every SQS action ({', '.join(wild)}); name the actions the principal needs."


def _account_of(principal: str) -> str:
    """The account an AWS principal (an account id or an IAM ARN) belongs to; '' for '*' and services."""
    if ACCOUNT_PRINCIPAL.match(principal):
        return principal.split(":")[4] if ":" in principal else principal
    parts = principal.split(":")
    return parts[4] if principal.startswith("arn:") and len(parts) > 5 and parts[2] == "iam" else ""


def _cross_account(_t, props, _c, _a) -> Iterator[str]:
    doc = document_input(props)
    for label, st in allows(doc):
        owners = {r.split(":")[4] for r in resources(st) if r.startswith("arn:") and r.count(":") >= 5}
        others = [p for p in aws_principals(st) if _account_of(p) and _account_of(p) not in owners]
        if others and not st.get("Condition"):
            yield (f"policy {label} lets {', '.join(others)} use the topic with no condition; scope cross-account "
                   f"access with a condition (aws:SourceArn, aws:PrincipalOrgID) or drop it.")


def _table_encryption(_t, props, config, _a) -> Iterator[str]:
    sse = props.get("serverSideEncryption")
    require_known(sse, "serverSideEncryption")
    if as_bool(dig(sse, "enabled")) is not True:
        yield "the table uses the AWS-owned key (serverSideEncryption.enabled is not true)."
    elif config["requireCustomerManagedKey"] and not dig(sse, "kmsKeyArn"):
        yield "the table is not encrypted with a customer-managed KMS key (serverSideEncryption.kmsKeyArn)."


def _pitr(_t, props, _c, _a) -> Iterator[str]:
    value = dig(props, "pointInTimeRecovery", "enabled")
    require_known(value, "pointInTimeRecovery.enabled")
    if as_bool(value) is not True:
        yield "point-in-time recovery is off: a bad write or delete cannot be undone."


def _deletion_protection(_t, props, _c, _a) -> Iterator[str]:
    value = props.get("deletionProtectionEnabled")
    require_known(value, "deletionProtectionEnabled")
    if as_bool(value) is not True:
        yield "deletion protection is off (deletionProtectionEnabled)."


def _queue_encryption(_t, props, _c, _a) -> Iterator[str]:
    managed, key = props.get("sqsManagedSseEnabled"), props.get("kmsMasterKeyId")
    if key is not None:
        return  # a KMS key (even one not known yet) encrypts the queue
    require_known(managed, "sqsManagedSseEnabled")
    if as_bool(managed) is not True:
        yield "the queue is not encrypted at rest (set sqsManagedSseEnabled or kmsMasterKeyId)."


def _topic_encryption(_t, props, _c, _a) -> Iterator[str]:
    if props.get("kmsMasterKeyId") is None:
        yield "the topic is not encrypted at rest (kmsMasterKeyId)."


def _public_policy(_t, props, _c, _a) -> Iterator[str]:
    doc = document_input(props)
    for sid in public_statements(doc):
        yield f"policy {sid} allows any principal ('*') with no condition."


POLICIES = [
    resource_policy(
        name="security-dynamodb-encryption", types=[TABLE], check=_table_encryption,
        config={"requireCustomerManagedKey": {"type": "boolean", "default": False,
                                              "description": "Also require a customer-managed KMS key."}},
        description="DynamoDB tables are encrypted with a KMS key (AWS-managed or customer-managed).",
        severity=Severity.MEDIUM,
        remediation="Set serverSideEncryption = {enabled: true} (and kmsKeyArn for a customer-managed key)."),
    resource_policy(
        name="security-dynamodb-point-in-time-recovery", types=[TABLE], check=_pitr,
        description="DynamoDB tables have point-in-time recovery.", severity=Severity.MEDIUM,
        remediation="Set pointInTimeRecovery = {enabled: true} (ProcessingTier: processingPointInTimeRecovery)."),
    resource_policy(
        name="security-dynamodb-deletion-protection", types=[TABLE], check=_deletion_protection,
        description="DynamoDB tables have deletion protection.", severity=Severity.MEDIUM,
        remediation="Set deletionProtectionEnabled: true (ProcessingTier: processingDeletionProtection)."),
    resource_policy(
        name="security-sqs-encryption", types=[QUEUE], check=_queue_encryption,
        description="SQS queues are encrypted at rest.", severity=Severity.MEDIUM,
        remediation="Set sqsManagedSseEnabled: true, or kmsMasterKeyId to a KMS key."),
    resource_policy(
        name="security-sqs-policy-not-public", types=[QUEUE, QUEUE_POLICY], check=_public_policy,
        description="SQS queue policies do not allow any principal without a condition.", severity=Severity.CRITICAL,
        remediation="Name the principal (a service or account) and add a condition such as aws:SourceArn."),
    resource_policy(
        name="security-sqs-policy-no-wildcard-actions", types=[QUEUE, QUEUE_POLICY], check=_all_actions,
        description="SQS queue policies name the actions they allow: never '*' or sqs:*.", severity=Severity.HIGH,
        remediation="Allow only what the principal does, e.g. sqs:SendMessage for a topic or rule that delivers."),
    resource_policy(
        name="security-sns-policy-no-cross-account", types=[TOPIC, TOPIC_POLICY], check=_cross_account,
        description="SNS topic policies grant other accounts' principals access only under a condition.",
        severity=Severity.MEDIUM,
        remediation="Add a condition (aws:SourceArn, aws:SourceAccount, aws:PrincipalOrgID) or remove the "
                    "account principal."),
    resource_policy(
        name="security-sns-encryption", types=[TOPIC], check=_topic_encryption,
        description="SNS topics are encrypted at rest with KMS.", severity=Severity.MEDIUM,
        remediation="Set kmsMasterKeyId (a customer-managed key if CloudWatch alarms publish to the topic)."),
    resource_policy(
        name="security-sns-policy-not-public", types=[TOPIC, TOPIC_POLICY], check=_public_policy,
        description="SNS topic policies do not allow any principal without a condition.", severity=Severity.CRITICAL,
        remediation="Name the principal (a service or account) and add a condition such as aws:SourceArn."),
]
