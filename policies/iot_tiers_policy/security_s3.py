"""Security baseline for S3 buckets: not public, TLS only, versioned, logged, expiring.

No policy asks for default encryption: S3 encrypts every object at rest (SSE-S3) since
January 2023; security-encryption-customer-managed-key asks for a KMS key where wanted.

A bucket's settings live either on the bucket (legacy inline inputs) or in resources
of their own that depend on it through their ``bucket`` input (BucketPublicAccessBlock,
BucketVersioning, ...); the stack checks look for either.
"""

from __future__ import annotations

from typing import Any, Iterator, Optional

from pulumi_policy import EnforcementLevel, Severity

from ._documents import document_input, is_public, statements
from ._util import as_bool, describe, dig, each, is_unknown, json_value, require_known, resource_policy, stack_policy
from .graph import Graph, Node

BUCKET = "aws:s3/bucket:Bucket"
PAB = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
VERSIONING = "aws:s3/bucketVersioning:BucketVersioning"
LOGGING = "aws:s3/bucketLogging:BucketLogging"
POLICY = "aws:s3/bucketPolicy:BucketPolicy"
ACL = "aws:s3/bucketAcl:BucketAcl"
OWNERSHIP = "aws:s3/bucketOwnershipControls:BucketOwnershipControls"
LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"
LBS = ("aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer", "aws:elb/loadBalancer:LoadBalancer")
FLOW_LOG = "aws:ec2/flowLog:FlowLog"

PAB_FLAGS = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
PUBLIC_ACLS = ("public-read", "public-read-write", "authenticated-read")
PUBLIC_GRANTEES = ("http://acs.amazonaws.com/groups/global/AllUsers",
                   "http://acs.amazonaws.com/groups/global/AuthenticatedUsers")


def _settings(graph: Graph, bucket: Node, typ: str) -> list[Node]:
    return graph.dependents(bucket, "bucket", types=[typ])


def _public_access_block(graph: Graph, _c: dict[str, Any]) -> Iterator[tuple[str, Optional[str]]]:
    for bucket in graph.of_type(BUCKET):
        blocks = _settings(graph, bucket, PAB)
        if not blocks:
            yield (f"{describe(bucket.type, bucket.name)} has no public access block (aws.s3.BucketPublicAccessBlock): "
                   f"one ACL or policy change can make it public.", bucket.urn)
        for block in blocks:
            off = [f for f in PAB_FLAGS if not is_unknown(block.props.get(f)) and as_bool(block.props.get(f)) is not True]
            if off:
                yield (f"{describe(bucket.type, bucket.name)}: its public access block leaves {', '.join(off)} off.",
                       block.urn)


def _versioning(graph: Graph, _c: dict[str, Any]) -> Iterator[tuple[str, Optional[str]]]:
    for bucket in graph.of_type(BUCKET):
        inline = as_bool(dig(bucket.props, "versioning", "enabled"))
        managed = [v for v in _settings(graph, bucket, VERSIONING)
                   if str(dig(v.props, "versioningConfiguration", "status")) == "Enabled" or
                   is_unknown(dig(v.props, "versioningConfiguration", "status"))]
        if inline is not True and not managed:
            yield (f"{describe(bucket.type, bucket.name)} is not versioned: an overwrite or delete cannot be undone.",
                   bucket.urn)


def log_destinations(graph: Graph) -> set[str]:
    """Buckets other resources write logs into (an access-log bucket does not log itself)."""
    out: set[str] = set()
    for lb in graph.of_type(*LBS):
        out.update(n.urn for n in graph.deps(lb, "accessLogs", types=[BUCKET]))
    for logging in graph.of_type(LOGGING):
        out.update(n.urn for n in graph.deps(logging, "targetBucket", types=[BUCKET]))
    for flow in graph.of_type(FLOW_LOG):
        out.update(n.urn for n in graph.deps(flow, "logDestination", types=[BUCKET]))
    return out


def _access_logging(graph: Graph, _c: dict[str, Any]) -> Iterator[tuple[str, Optional[str]]]:
    destinations = log_destinations(graph)
    for bucket in graph.of_type(BUCKET):
        if bucket.urn in destinations:
            continue
        if bucket.props.get("logging") is None and not _settings(graph, bucket, LOGGING):
            yield (f"{describe(bucket.type, bucket.name)} has no server access logging (aws.s3.BucketLogging): "
                   f"reads and writes leave no trace.", bucket.urn)


def _denies_plain_http(doc: Any) -> bool:
    for _label, st in statements(doc):
        if st.get("Effect") != "Deny":
            continue
        cond = st.get("Condition") or {}
        for operator in ("Bool", "BoolIfExists"):
            if str(dig(cond, operator, "aws:SecureTransport")).lower() == "false":
                return True
    return False


def _tls_only(graph: Graph, _c: dict[str, Any]) -> Iterator[tuple[str, Optional[str]]]:
    for bucket in graph.of_type(BUCKET):
        docs = [json_value(bucket.props.get("policy"))] + [json_value(p.props.get("policy"))
                                                          for p in _settings(graph, bucket, POLICY)]
        if any(is_unknown(d) for d in docs):
            continue  # the policy is computed at deploy time; pulumi up checks it
        if not any(_denies_plain_http(d) for d in docs if d):
            yield (f"{describe(bucket.type, bucket.name)} accepts requests over plain HTTP: its bucket policy does not "
                   f"deny aws:SecureTransport = false.", bucket.urn)


def _policy_public(_t, props, _c, _a) -> Iterator[str]:
    for label, st in statements(document_input(props)):
        if is_public(st):
            yield f"bucket policy {label} allows any principal ('*') with no condition."


def _public_acl(typ, props, _c, _a) -> Iterator[str]:
    acl = props.get("acl")
    require_known(acl, "acl")
    if acl in PUBLIC_ACLS:
        yield f"the canned ACL '{acl}' opens the bucket to {'everyone' if 'public' in acl else 'every AWS account'}."
    grants = props.get("grants") if typ == BUCKET else dig(props, "accessControlPolicy", "grants")
    for g in each(grants):
        uri = dig(g, "uri") or dig(g, "grantee", "uri")
        if uri in PUBLIC_GRANTEES:
            yield f"a grant gives {uri.rsplit('/', 1)[-1]} access to the bucket."


def _ownership(_t, props, _c, _a) -> Iterator[str]:
    value = dig(props, "rule", "objectOwnership")
    require_known(value, "rule.objectOwnership")
    if value != "BucketOwnerEnforced":
        yield f"object ownership is {value}: ACLs stay in effect; use BucketOwnerEnforced to disable them."


def _lifecycle(graph: Graph, _c: dict[str, Any]) -> Iterator[tuple[str, Optional[str]]]:
    for bucket in graph.of_type(BUCKET):
        configs = _settings(graph, bucket, LIFECYCLE)
        rules = [r for c in configs for r in each(c.props.get("rules"))] + list(each(bucket.props.get("lifecycleRules")))
        label = describe(bucket.type, bucket.name)
        if not rules:
            yield f"{label} has no lifecycle configuration: objects (and failed uploads) are kept for ever.", bucket.urn
        elif not any(dig(r, "abortIncompleteMultipartUpload", "daysAfterInitiation") is not None
                     or dig(r, "abortIncompleteMultipartUploadDays") is not None for r in rules):
            yield (f"{label}: no lifecycle rule aborts incomplete multipart uploads, whose parts are stored and "
                   f"billed until deleted.", bucket.urn)


POLICIES = [
    stack_policy(
        name="security-s3-public-access-block", check=_public_access_block,
        description="Every S3 bucket has a public access block with all four settings on.", severity=Severity.HIGH,
        remediation="Add aws.s3.BucketPublicAccessBlock(bucket=..., block_public_acls=True, block_public_policy=True, "
                    "ignore_public_acls=True, restrict_public_buckets=True)."),
    stack_policy(
        name="security-s3-tls-only", check=_tls_only,
        description="S3 bucket policies deny requests that do not use TLS (aws:SecureTransport = false).",
        severity=Severity.MEDIUM,
        remediation="Add a Deny statement for s3:* on the bucket and its objects with Condition "
                    "{Bool: {aws:SecureTransport: false}}."),
    stack_policy(
        name="security-s3-versioning", check=_versioning,
        enforcement_level=EnforcementLevel.ADVISORY,
        description="S3 buckets are versioned.", severity=Severity.LOW,
        remediation="Add aws.s3.BucketVersioning(versioning_configuration={status: 'Enabled'}) with a lifecycle rule "
                    "expiring noncurrent versions."),
    stack_policy(
        name="security-s3-access-logging", check=_access_logging,
        description="S3 buckets log server access, except buckets that themselves receive logs.",
        severity=Severity.LOW,
        remediation="Add aws.s3.BucketLogging targeting a log bucket of the stack."),
    stack_policy(
        name="security-s3-lifecycle", check=_lifecycle,
        description="S3 buckets have a lifecycle configuration, and it aborts incomplete multipart uploads.",
        severity=Severity.LOW,
        remediation="Add aws.s3.BucketLifecycleConfiguration with a rule abort_incomplete_multipart_upload "
                    "{days_after_initiation: 7} (and expirations that fit the data)."),
    resource_policy(
        name="security-s3-policy-not-public", types=[BUCKET, POLICY], check=_policy_public,
        description="S3 bucket policies never allow any principal ('*') without a condition.",
        severity=Severity.CRITICAL,
        remediation="Name the principal (a service, account or role) and add a condition such as aws:SourceArn."),
    resource_policy(
        name="security-s3-no-public-acl", types=[BUCKET, ACL], check=_public_acl,
        description="S3 ACLs never grant access to everyone (AllUsers) or to every AWS account (AuthenticatedUsers).",
        severity=Severity.CRITICAL,
        remediation="Remove the public canned ACL or grant; share objects through a bucket policy naming principals, "
                    "or CloudFront with origin access control."),
    resource_policy(
        name="security-s3-acls-disabled", types=[OWNERSHIP], check=_ownership,
        description="S3 object ownership is BucketOwnerEnforced (ACLs disabled).", severity=Severity.LOW,
        remediation="Set rule = {object_ownership: 'BucketOwnerEnforced'}."),
]
