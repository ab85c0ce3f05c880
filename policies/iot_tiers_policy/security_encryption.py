"""Data at rest encrypted with a customer-managed KMS key, service by service.

The per-service policies (security-dynamodb-encryption, security-sqs-encryption,
security-ec2-encrypted-volumes, ...) require encryption; this one asks for a key the
team controls (its policy, its rotation, its audit trail in CloudTrail), which an
AWS-owned or AWS-managed key does not give. It costs a key per stack, so it is
advisory by default.

Buckets that receive logs are left alone: S3 server access logs and load balancer access
logs can be delivered only to buckets encrypted with SSE-S3.
"""

from __future__ import annotations

from typing import Any, Iterator, Optional

from pulumi_policy import EnforcementLevel, Severity

from ._util import as_bool, contains_unknown, describe, dig, each, is_unknown, stack_policy
from .graph import Graph
from .security_s3 import log_destinations

TABLE = "aws:dynamodb/table:Table"
REPLICA = "aws:dynamodb/tableReplica:TableReplica"
QUEUE = "aws:sqs/queue:Queue"
SECRET = "aws:secretsmanager/secret:Secret"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
REPOSITORY = "aws:ecr/repository:Repository"
VOLUME = "aws:ebs/volume:Volume"
BUCKET_SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"

#: Where each type names its key.
KEY_INPUTS = {TABLE: "serverSideEncryption.kmsKeyArn", REPLICA: "kmsKeyArn", QUEUE: "kmsMasterKeyId",
              SECRET: "kmsKeyId", LOG_GROUP: "kmsKeyId", VOLUME: "kmsKeyId"}


def _is_customer_key(value: Any) -> bool:
    """A key id, ARN or alias that is not an AWS-managed alias (alias/aws/...)."""
    if value is None or value == "":
        return False
    if is_unknown(value):
        return True  # a key created by the stack: known only at deploy time
    return not str(value).split(":")[-1].startswith("alias/aws/")


def _findings(typ, props) -> Iterator[str]:
    if typ == REPOSITORY:
        configs = props.get("encryptionConfigurations")
        if not any(str(dig(c, "encryptionType")).upper().startswith("KMS") for c in each(configs)):
            yield "the repository's images are encrypted with AES256 (an AWS-owned key), not a KMS key."
        return
    if typ == BUCKET_SSE:
        for rule in each(props.get("rules")):
            default = dig(rule, "applyServerSideEncryptionByDefault") or {}
            if not str(dig(default, "sseAlgorithm")).startswith("aws:kms") or \
                    not _is_customer_key(dig(default, "kmsMasterKeyId")):
                yield "the bucket's default encryption is not SSE-KMS with a customer-managed key."
        return
    path = KEY_INPUTS[typ]
    value = dig(props, *path.split("."))
    if typ == TABLE and as_bool(dig(props, "serverSideEncryption", "enabled")) is not True:
        value = None
    if not _is_customer_key(value):
        yield f"encrypted with a key AWS manages, not a customer-managed KMS key ({path})."


def _check(graph: Graph, _config: dict[str, Any]) -> Iterator[tuple[str, Optional[str]]]:
    log_buckets = log_destinations(graph)
    for node in graph.of_type(*KEY_INPUTS, REPOSITORY, BUCKET_SSE):
        if node.type == BUCKET_SSE and {b.urn for b in graph.deps(node, "bucket")} & log_buckets:
            continue
        if contains_unknown(node.props.get("encryptionConfigurations")):
            continue
        for message in _findings(node.type, node.props):
            yield f"{describe(node.type, node.name)}: {message}", node.urn


POLICIES = [
    stack_policy(
        name="security-encryption-customer-managed-key", check=_check,
        enforcement_level=EnforcementLevel.ADVISORY,
        description="Data at rest (DynamoDB tables and replicas, SQS queues, secrets, log groups, ECR "
                    "repositories, EBS volumes, S3 default encryption except in buckets that receive logs) is "
                    "encrypted with a customer-managed KMS key.",
        severity=Severity.LOW,
        remediation="Create an aws.kms.Key (with rotation and a key policy allowing the service) and pass it as "
                    "the resource's KMS key input."),
]
