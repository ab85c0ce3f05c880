"""Rules AWS documents but botocore's shapes cannot express, checked on the assembled request.

Each rule names the operation and the member it reads (``[]`` for every list item, ``""``
for the whole request) and cites where AWS writes it down: botocore's own
documentation strings (the API reference, shipped in ``service-2.json``) where they
state the rule, else the service guide. They are the rules a first ``pulumi up`` of
a stack like ours runs into; they are few on purpose.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Optional

from .._util import as_number as _number
from .._util import contains_unknown

Problem = Optional[str]


@dataclass(frozen=True)
class Rule:
    service: str
    operation: str
    path: str                             # member path; [] walks a list; "" is the whole request
    check: Callable[[Any], Problem]
    source: str
    kind: str = "documented"              # or "cross-field" for rules over several members
    inputs: str = ""                      # the inputs a whole-request rule reads, as the program names them
    what: str = ""                        # the rule in a few words (docs/aws-rules.md)


def _doc(service: str, operation: str, member: str) -> str:
    return f"botocore {service} {operation} {member} documentation"


# ---------------------------------------------------------------- value rules

_EC2_TEXT = re.compile(r"[a-zA-Z0-9 ._\-:/()#,@\[\]+=&;{}!$*]*")
_EC2_TEXT_ALLOWED = "a-z, A-Z, 0-9, spaces, and ._-:/()#,@[]+=&;{}!$*"


def _ec2_text(value: Any) -> Problem:
    if not isinstance(value, str):
        return None
    bad = "".join(sorted({c for c in value if not _EC2_TEXT.fullmatch(c)}))
    if bad or len(value) > 255:
        what = f"has characters EC2 does not allow ({bad!r})" if bad else f"is {len(value)} characters long"
        return f"{what}; EC2 allows up to 255 characters of {_EC2_TEXT_ALLOWED}"
    return None


def _group_name(value: Any) -> Problem:
    if isinstance(value, str) and value.lower().startswith("sg-"):
        return "starts with 'sg-', which EC2 reserves for group ids"
    return _ec2_text(value)


def _one_of(allowed: tuple[Any, ...], what: str) -> Callable[[Any], Problem]:
    def check(value: Any) -> Problem:
        if value is None or isinstance(value, (dict, list)):
            return None
        if value not in allowed:
            return f"is not one of the {what} AWS accepts: {', '.join(str(a) for a in allowed)}"
        return None
    return check


def _elb_name(kind: str, internal_prefix: bool) -> Callable[[Any], Problem]:
    def check(value: Any) -> Problem:
        if not isinstance(value, str):
            return None
        problems = []
        if len(value) > 32:
            problems.append(f"is {len(value)} characters long (at most 32)")
        if not re.fullmatch(r"[A-Za-z0-9-]*", value):
            problems.append("has characters other than letters, digits and hyphens")
        if value.startswith("-") or value.endswith("-"):
            problems.append("begins or ends with a hyphen")
        if internal_prefix and value.startswith("internal-"):
            problems.append("begins with 'internal-'")
        if problems:
            return f"{' and '.join(problems)}; a {kind} name must be 1-32 letters, digits or hyphens, not at either end"
        return None
    return check


_ECS_NAME = re.compile(r"[A-Za-z0-9_-]{1,255}")


def _ecs_name(what: str) -> Callable[[Any], Problem]:
    def check(value: Any) -> Problem:
        if isinstance(value, str) and not _ECS_NAME.fullmatch(value):
            return f"is not a valid {what}: ECS allows up to 255 letters, numbers, underscores and hyphens"
        return None
    return check


def _fifo_name(limit: int, what: str, allowed: str) -> Callable[[Any], Problem]:
    """SQS queue and SNS topic names: letters, digits, hyphens, underscores, and ``.fifo`` for FIFO."""
    def check(value: Any) -> Problem:
        if not isinstance(value, str):
            return None
        stem = value[:-5] if value.endswith(".fifo") else value
        if len(value) > limit or not re.fullmatch(r"[A-Za-z0-9_-]+", stem):
            return f"is not a valid {what} name: {allowed} (plus .fifo for FIFO)"
        return None
    return check


_sqs_name = _fifo_name(80, "queue", "up to 80 letters, digits, hyphens and underscores")
_sns_name = _fifo_name(256, "topic", "1-256 ASCII letters, digits, underscores and hyphens")


def _secret_name(value: Any) -> Problem:
    if isinstance(value, str) and not re.fullmatch(r"[A-Za-z0-9/_+=.@-]+", value):
        return "has characters Secrets Manager does not allow: ASCII letters, digits and /_+=.@- only"
    return None


def _bucket_name(value: Any) -> Problem:
    if not isinstance(value, str):
        return None
    if not re.fullmatch(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]", value) or ".." in value:
        return ("is not a valid bucket name: 3-63 lowercase letters, digits, dots and hyphens, "
                "beginning and ending with a letter or digit")
    return None


def _range(lo: float, hi: float, unit: str = "") -> Callable[[Any], Problem]:
    def check(value: Any) -> Problem:
        n = _number(value)
        if n is not None and not lo <= n <= hi:
            return f"is out of range; AWS allows {lo:,.0f} to {hi:,.0f}{unit}".replace(",", " ")
        return None
    return check


#: CreateQueue attribute -> its documented range (botocore sqs CreateQueue Attributes documentation).
SQS_RANGES = {
    "DelaySeconds": (0, 900), "MaximumMessageSize": (1024, 1048576), "MessageRetentionPeriod": (60, 1209600),
    "ReceiveMessageWaitTimeSeconds": (0, 20), "VisibilityTimeout": (0, 43200),
    "KmsDataKeyReusePeriodSeconds": (60, 86400),
}


def _sqs_attributes(attrs: Any) -> Iterator[tuple[str, Problem]]:
    if not isinstance(attrs, dict):
        return
    for key, (lo, hi) in SQS_RANGES.items():
        problem = _range(lo, hi)(attrs.get(key))
        if problem:
            yield f"[{key!r}]", problem


#: Load balancer / target group attributes with documented ranges.
LB_RANGES = {"idle_timeout.timeout_seconds": (1, 4000), "deregistration_delay.timeout_seconds": (0, 3600),
             "client_keep_alive.seconds": (60, 604800)}


def _lb_attributes(attrs: Any) -> Iterator[tuple[str, Problem]]:
    for i, a in enumerate(attrs if isinstance(attrs, list) else []):
        if isinstance(a, dict) and a.get("Key") in LB_RANGES:
            problem = _range(*LB_RANGES[a["Key"]])(a.get("Value"))
            if problem:
                yield f"[{i}].Value", f"({a['Key']}) {problem}"


RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
                  3288, 3653)
DLM_INTERVALS = (1, 2, 3, 4, 6, 8, 12, 24)

def _ec2_instance_type(value: Any) -> Problem:
    """Auto Scaling takes any string for an override's type; EC2 launches only the types its model lists."""
    from .shapes import service_model

    if not isinstance(value, str):
        return None
    known = service_model("ec2").shape_for("InstanceType").enum
    if known and value not in known:
        return f"is not an EC2 instance type ({len(known)} are known, e.g. {', '.join(known[:3])}, ...)"
    return None


# ---------------------------------------------------------------- cross-field rules (one request)

#: Fargate task sizes: cpu -> allowed memory (MiB), from botocore ecs RegisterTaskDefinition memory documentation.
FARGATE_SIZES: dict[int, tuple[int, ...]] = {
    256: (512, 1024, 2048),
    512: (1024, 2048, 3072, 4096),
    1024: tuple(range(2048, 8193, 1024)),
    2048: tuple(range(4096, 16385, 1024)),
    4096: tuple(range(8192, 30721, 1024)),
    8192: tuple(range(16384, 61441, 4096)),
    16384: tuple(range(32768, 122881, 8192)),
}


def _fargate_size(req: Any) -> Problem:
    if not isinstance(req, dict) or "FARGATE" not in (req.get("requiresCompatibilities") or []):
        return None
    cpu, memory = _number(req.get("cpu")), _number(req.get("memory"))
    if cpu is None or memory is None:
        return None
    if int(cpu) not in FARGATE_SIZES:
        return f"cpu {int(cpu)} is not a Fargate size; Fargate offers {', '.join(map(str, FARGATE_SIZES))}"
    allowed = FARGATE_SIZES[int(cpu)]
    if int(memory) not in allowed:
        shown = ", ".join(map(str, allowed)) if len(allowed) <= 8 else f"{allowed[0]} to {allowed[-1]} in steps " \
                f"of {allowed[1] - allowed[0]}"
        return f"memory {int(memory)} MiB does not pair with cpu {int(cpu)} on Fargate; it takes {shown} MiB"
    return None


def _fargate_containers(req: Any) -> Iterator[tuple[str, Problem]]:
    if not isinstance(req, dict):
        return
    fargate = "FARGATE" in (req.get("requiresCompatibilities") or [])
    for i, c in enumerate(req.get("containerDefinitions") or []):
        if not isinstance(c, dict):
            continue
        check = _range(2, 120, " seconds on Fargate") if fargate else None
        if check and check(c.get("stopTimeout")):
            yield f"containerDefinitions[{i}].stopTimeout", check(c.get("stopTimeout"))
        hc = c.get("healthCheck")
        if isinstance(hc, dict):
            for key, lo, hi in (("interval", 5, 300), ("timeout", 2, 60), ("retries", 1, 10), ("startPeriod", 0, 300)):
                problem = _range(lo, hi)(hc.get(key))
                if problem:
                    yield f"containerDefinitions[{i}].healthCheck.{key}", problem


def _batch_window(req: Any) -> Problem:
    if not isinstance(req, dict):
        return None
    arn = req.get("EventSourceArn")
    size, window = _number(req.get("BatchSize")), _number(req.get("MaximumBatchingWindowInSeconds"))
    if not isinstance(arn, str) or not arn.startswith(("arn:aws:sqs:", "arn:aws:kinesis:", "arn:aws:dynamodb:")):
        return None
    if size is not None and size > 10 and (window or 0) < 1:
        return (f"BatchSize {int(size)} is above 10, which needs MaximumBatchingWindowInSeconds of at least 1 "
                f"(it is {int(window or 0)})")
    if arn.startswith("arn:aws:sqs:") and arn.endswith(".fifo") and size is not None and size > 10:
        return f"BatchSize {int(size)} is above 10, the most a FIFO queue allows"
    return None


def _asg_sizes(req: Any) -> Problem:
    if not isinstance(req, dict):
        return None
    lo, hi, want = (_number(req.get(k)) for k in ("MinSize", "MaxSize", "DesiredCapacity"))
    if lo is not None and hi is not None and lo > hi:
        return f"MinSize {int(lo)} is above MaxSize {int(hi)}"
    if want is not None and (lo is not None and want < lo or hi is not None and want > hi):
        return f"DesiredCapacity {int(want)} is outside MinSize {int(lo or 0)} .. MaxSize {int(hi or 0)}"
    return None


def _alb_zones(req: Any) -> Problem:
    if not isinstance(req, dict) or req.get("Type", "application") != "application":
        return None
    subnets = req.get("Subnets")
    if not isinstance(subnets, list) or contains_unknown(subnets) or req.get("SubnetMappings"):
        return None
    if len(set(map(str, subnets))) < 2:
        return f"an Application Load Balancer needs subnets in at least two Availability Zones; it has {len(subnets)}"
    return None


def _listener_certificate(req: Any) -> Problem:
    if isinstance(req, dict) and req.get("Protocol") in ("HTTPS", "TLS") and not req.get("Certificates"):
        return f"a {req['Protocol']} listener needs exactly one certificate (certificateArn is not set)"
    return None


def _lambda_timeout(req: Any) -> Problem:
    """Timeout: 1 to 5,400 in the model, but "the maximum allowed value is 1,800 seconds" except on Lambda
    Managed Instances (botocore lambda CreateFunction Timeout documentation)."""
    if not isinstance(req, dict) or req.get("CapacityProviderConfig") is not None:
        return None
    timeout = _number(req.get("Timeout"))
    if timeout is not None and timeout > 1800:
        return (f"timeout {int(timeout)} s is above Lambda's 1,800 s maximum; only functions on Lambda Managed "
                "Instances (capacityProviderConfig set) allow up to 5,400 s, for asynchronous and event source "
                "mapping invocations")
    return None


def _alarm_period(req: Any) -> Problem:
    """botocore cloudwatch PutMetricAlarm Period documentation: 10, 20, 30 or a multiple of 60; the evaluation
    window (Period x EvaluationPeriods) at most 7 days, and at most 1 day when Period is under an hour."""
    if not isinstance(req, dict):
        return None
    period, periods = _number(req.get("Period")), _number(req.get("EvaluationPeriods"))
    if period is None:
        return None
    if period not in (10, 20, 30) and period % 60:
        return f"period {period:g} s is not one AWS accepts: 10, 20, 30 or a multiple of 60 seconds"
    if periods is not None:
        window, limit = period * periods, (86400 if period < 3600 else 604800)
        if window > limit:
            return (f"period {period:g} s x evaluationPeriods {periods:g} is {window:g} s; AWS allows at most "
                    f"{limit:,} s ({'one day for periods under an hour' if limit == 86400 else 'seven days'})")
    return None


#: CreateVolume per volume type: (size GiB, IOPS, throughput MiB/s) ranges; None where the type takes no value
#: (botocore ec2 CreateVolume Size, Iops and Throughput documentation).
EBS_LIMITS: dict[str, tuple[tuple[int, int], Optional[tuple[int, int]], Optional[tuple[int, int]]]] = {
    "gp2": ((1, 16384), None, None),
    "gp3": ((1, 65536), (3000, 80000), (125, 2000)),
    "io1": ((4, 16384), (100, 64000), None),
    "io2": ((4, 65536), (100, 256000), None),
    "st1": ((125, 16384), None, None),
    "sc1": ((125, 16384), None, None),
    "standard": ((1, 1024), None, None),
}


def _ebs_volume(req: Any) -> Iterator[tuple[str, Problem]]:
    if not isinstance(req, dict):
        return
    kind = req.get("VolumeType", "gp2")
    if kind not in EBS_LIMITS:
        return
    for member, limits in zip(("Size", "Iops", "Throughput"), EBS_LIMITS[kind]):
        value = _number(req.get(member))
        if value is None:
            continue
        if limits is None:
            yield member, f"is set, but a {kind} volume takes no {member.lower()} (omit it)"
            continue
        lo, hi = limits
        if not lo <= value <= hi:
            unit = {"Size": " GiB", "Iops": " IOPS", "Throughput": " MiB/s"}[member]
            yield member, f"is out of range for a {kind} volume; AWS allows {lo:,} to {hi:,}{unit}"


def _kms_alias(value: Any) -> Problem:
    """botocore kms CreateAlias AliasName documentation: begins with alias/, never alias/aws/."""
    if not isinstance(value, str):
        return None
    if not value.startswith("alias/"):
        return "does not begin with 'alias/': a KMS alias name is alias/ followed by a name"
    if value.startswith("alias/aws/"):
        return "begins with 'alias/aws/', which AWS reserves for AWS managed keys"
    return None


def _payload_format(req: Any) -> Problem:
    """botocore apigatewayv2 CreateIntegration PayloadFormatVersion documentation: 1.0 and 2.0 for Lambda proxy
    (AWS_PROXY) integrations, 1.0 for every other."""
    if not isinstance(req, dict) or not isinstance(req.get("PayloadFormatVersion"), str):
        return None
    kind, version = req.get("IntegrationType"), req["PayloadFormatVersion"]
    allowed = ("1.0", "2.0") if kind == "AWS_PROXY" else ("1.0",)
    if isinstance(kind, str) and version not in allowed:
        return f"payloadFormatVersion {version!r} is not one a {kind} integration takes: {' or '.join(allowed)}"
    return None


def _starting_position(req: Any) -> Problem:
    """botocore lambda CreateEventSourceMapping StartingPosition documentation: required for Kinesis and
    DynamoDB stream sources (and not used by SQS)."""
    if not isinstance(req, dict) or not isinstance(req.get("EventSourceArn"), str):
        return None
    arn = req["EventSourceArn"]
    stream = arn.startswith("arn:aws:kinesis:") or (arn.startswith("arn:aws:dynamodb:") and "/stream/" in arn)
    if stream and req.get("StartingPosition") is None:
        return "startingPosition is not set: a Kinesis or DynamoDB stream source needs TRIM_HORIZON, LATEST or " \
               "AT_TIMESTAMP"
    if arn.startswith("arn:aws:sqs:") and req.get("StartingPosition") is not None:
        return "startingPosition is set, but an SQS queue has no stream position (omit it)"
    return None


# ---------------------------------------------------------------- IAM document sizes

#: IAM quotas, counted without white space (IAM User Guide, "IAM and AWS STS quotas").
IAM_QUOTAS_URL = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html"
ROLE_INLINE_LIMIT = 10240
MANAGED_POLICY_LIMIT = 6144
TRUST_POLICY_LIMIT = 2048


def document_length(doc: Any) -> Optional[int]:
    """The characters IAM counts in a policy document: its JSON without white space."""
    if isinstance(doc, (dict, list)):
        doc = json.dumps(doc, separators=(",", ":"))
    if not isinstance(doc, str):
        return None
    return len(re.sub(r"\s+", "", doc))


def _size(limit: int, what: str) -> Callable[[Any], Problem]:
    def check(value: Any) -> Problem:
        n = document_length(value)
        if n is not None and n > limit:
            return f"is {n} characters without white space; IAM allows {limit} for a {what}"
        return None
    return check


RULES: tuple[Rule, ...] = (
    Rule("ec2", "CreateSecurityGroup", "Description", _ec2_text,
         _doc("ec2", "CreateSecurityGroup", "Description"),
         what='EC2 text: 255 characters of a-zA-Z0-9 ._-:/()#,@[]+=&;{}!$*'),
    Rule("ec2", "CreateSecurityGroup", "GroupName", _group_name, _doc("ec2", "CreateSecurityGroup", "GroupName"),
         what='EC2 text, not starting with sg-'),
    *(Rule("ec2", op, f"IpPermissions[].{ranges}[].Description", _ec2_text,
           _doc("ec2", op, f"IpPermissions.{ranges}.Description"),
         what='EC2 text: 255 characters of a-zA-Z0-9 ._-:/()#,@[]+=&;{}!$*')
      for op in ("AuthorizeSecurityGroupIngress", "AuthorizeSecurityGroupEgress")
      for ranges in ("IpRanges", "Ipv6Ranges", "UserIdGroupPairs", "PrefixListIds")),
    Rule("sqs", "CreateQueue", "QueueName", _sqs_name, _doc("sqs", "CreateQueue", "QueueName"),
         what='1-80 letters, digits, - and _, plus .fifo'),
    Rule("sqs", "CreateQueue", "Attributes", _sqs_attributes, _doc("sqs", "CreateQueue", "Attributes"),
         what='attribute ranges (delay, message size, retention, wait time, visibility, key reuse)'),
    Rule("sns", "CreateTopic", "Name", _sns_name, _doc("sns", "CreateTopic", "Name"),
         what='1-256 letters, digits, - and _, plus .fifo'),
    Rule("sns", "Subscribe", "Protocol", _one_of(("http", "https", "email", "email-json", "sms", "sqs",
                                                   "application", "lambda", "firehose"), "protocols"),
         _doc("sns", "Subscribe", "Protocol"),
         what='one of the documented protocols'),
    Rule("logs", "PutRetentionPolicy", "retentionInDays", _one_of(RETENTION_DAYS, "retention periods (days)"),
         _doc("logs", "PutRetentionPolicy", "retentionInDays"),
         what='one of the retention periods CloudWatch Logs offers'),
    Rule("cloudwatch", "PutMetricAlarm", "TreatMissingData",
         _one_of(("breaching", "notBreaching", "ignore", "missing"), "values"),
         _doc("cloudwatch", "PutMetricAlarm", "TreatMissingData"),
         what='breaching, notBreaching, ignore or missing'),
    Rule("kms", "ScheduleKeyDeletion", "PendingWindowInDays", _range(7, 30, " days"),
         _doc("kms", "ScheduleKeyDeletion", "PendingWindowInDays"),
         what='7 to 30 days'),
    Rule("elbv2", "CreateLoadBalancer", "Name", _elb_name("load balancer", True),
         _doc("elbv2", "CreateLoadBalancer", "Name"),
         what='1-32 letters, digits, hyphens; not at either end; not internal-'),
    Rule("elbv2", "CreateTargetGroup", "Name", _elb_name("target group", False),
         _doc("elbv2", "CreateTargetGroup", "Name"),
         what='1-32 letters, digits, hyphens; not at either end'),
    Rule("elbv2", "ModifyLoadBalancerAttributes", "Attributes", _lb_attributes,
         _doc("elbv2", "ModifyLoadBalancerAttributes", "Attributes.Key"),
         what='idle timeout and keep-alive ranges'),
    Rule("elbv2", "ModifyTargetGroupAttributes", "Attributes", _lb_attributes,
         _doc("elbv2", "ModifyTargetGroupAttributes", "Attributes.Key"),
         what='deregistration delay range'),
    Rule("ecs", "RegisterTaskDefinition", "family", _ecs_name("family"),
         _doc("ecs", "RegisterTaskDefinition", "family"),
         what='up to 255 letters, digits, - and _'),
    Rule("ecs", "RegisterTaskDefinition", "containerDefinitions[].name", _ecs_name("container name"),
         _doc("ecs", "RegisterTaskDefinition", "containerDefinitions.name"),
         what='up to 255 letters, digits, - and _'),
    Rule("ecs", "CreateService", "serviceName", _ecs_name("service name"), _doc("ecs", "CreateService", "serviceName"),
         what='up to 255 letters, digits, - and _'),
    Rule("dlm", "CreateLifecyclePolicy", "PolicyDetails.Schedules[].CreateRule.Interval",
         _one_of(DLM_INTERVALS, "snapshot intervals (hours)"),
         _doc("dlm", "CreateLifecyclePolicy", "PolicyDetails.Schedules.CreateRule.Interval"),
         what='1, 2, 3, 4, 6, 8, 12 or 24 hours'),
    Rule("autoscaling", "CreateAutoScalingGroup", "MixedInstancesPolicy.LaunchTemplate.Overrides[].InstanceType",
         _ec2_instance_type, "botocore ec2 InstanceType enum (the types EC2 launches)",
         what='an instance type EC2 launches'),
    Rule("secretsmanager", "CreateSecret", "Name", _secret_name, _doc("secretsmanager", "CreateSecret", "Name"),
         what='ASCII letters, digits and /_+=.@-'),
    Rule("s3", "CreateBucket", "Bucket", _bucket_name,
         "Amazon S3 User Guide, bucket naming rules (botocore s3 CreateBucket Bucket documentation links it)",
         what='3-63 lowercase letters, digits, dots, hyphens'),
    Rule("iam", "PutRolePolicy", "PolicyDocument", _size(ROLE_INLINE_LIMIT, "role's inline policies"),
         IAM_QUOTAS_URL,
         what='10,240 characters without white space'),
    Rule("iam", "CreatePolicy", "PolicyDocument", _size(MANAGED_POLICY_LIMIT, "managed policy"), IAM_QUOTAS_URL,
         what='6,144 characters without white space'),
    Rule("iam", "CreateRole", "AssumeRolePolicyDocument", _size(TRUST_POLICY_LIMIT, "role trust policy"),
         IAM_QUOTAS_URL,
         what='2,048 characters without white space'),
    # Several members of one request.
    Rule("ecs", "RegisterTaskDefinition", "", _fargate_size, _doc("ecs", "RegisterTaskDefinition", "memory"),
         "cross-field", "cpu, memory",
         what='a Fargate cpu/memory pair'),
    Rule("ecs", "RegisterTaskDefinition", "", _fargate_containers,
         _doc("ecs", "RegisterTaskDefinition", "containerDefinitions.stopTimeout/healthCheck"),
         inputs="containerDefinitions",
         what='Fargate stop timeout 2-120 s; health check interval, timeout, retries, start period'),
    Rule("lambda", "CreateEventSourceMapping", "", _batch_window,
         _doc("lambda", "CreateEventSourceMapping", "MaximumBatchingWindowInSeconds/BatchSize"), "cross-field",
         "batchSize, maximumBatchingWindowInSeconds",
         what='a batch above 10 needs a batching window; at most 10 from a FIFO queue'),
    Rule("lambda", "CreateFunction", "", _lambda_timeout, _doc("lambda", "CreateFunction", "Timeout"),
         "documented", "timeout, capacityProviderConfig",
         what='at most 1,800 s unless on Lambda Managed Instances'),
    Rule("cloudwatch", "PutMetricAlarm", "", _alarm_period, _doc("cloudwatch", "PutMetricAlarm", "Period"),
         "cross-field", "period, evaluationPeriods",
         what='10, 20, 30 or a multiple of 60 s; window at most 1 or 7 days'),
    Rule("ec2", "CreateVolume", "", _ebs_volume, _doc("ec2", "CreateVolume", "Size/Iops/Throughput"),
         inputs="type, size, iops, throughput",
         what='size, IOPS and throughput ranges of the volume type'),
    Rule("kms", "CreateAlias", "AliasName", _kms_alias, _doc("kms", "CreateAlias", "AliasName"),
         what='begins with alias/, not alias/aws/'),
    Rule("apigatewayv2", "CreateIntegration", "", _payload_format,
         _doc("apigatewayv2", "CreateIntegration", "PayloadFormatVersion"), "cross-field",
         "integrationType, payloadFormatVersion",
         what='1.0 or 2.0 for AWS_PROXY, else 1.0'),
    Rule("lambda", "CreateEventSourceMapping", "", _starting_position,
         _doc("lambda", "CreateEventSourceMapping", "StartingPosition"), "cross-field",
         "eventSourceArn, startingPosition",
         what='required for Kinesis and DynamoDB streams, not for SQS'),
    Rule("autoscaling", "CreateAutoScalingGroup", "", _asg_sizes,
         _doc("autoscaling", "CreateAutoScalingGroup", "DesiredCapacity"), "cross-field",
         "minSize, maxSize, desiredCapacity",
         what='min <= desired <= max'),
    Rule("elbv2", "CreateLoadBalancer", "", _alb_zones, _doc("elbv2", "CreateLoadBalancer", "Subnets"),
         "cross-field", "subnets",
         what="an ALB's subnets in two Availability Zones"),
    Rule("elbv2", "CreateListener", "", _listener_certificate, _doc("elbv2", "CreateListener", "Certificates"),
         "cross-field", "protocol, certificateArn",
         what='an HTTPS or TLS listener has a certificate'),
)

_BY_OPERATION: dict[tuple[str, str], list[Rule]] = {}
for _r in RULES:
    _BY_OPERATION.setdefault((_r.service, _r.operation), []).append(_r)


def rules_for(service: str, operation: str) -> list[Rule]:
    return _BY_OPERATION.get((service, operation), [])


def values_at(params: Any, path: str, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """(concrete path, value) for every value at ``path`` (``A.B[].C``) in ``params``."""
    if not path:
        yield prefix, params
        return
    head, _, rest = path.partition(".")
    many = head.endswith("[]")
    key = head[:-2] if many else head
    if not isinstance(params, dict) or key not in params:
        return
    value = params[key]
    where = f"{prefix}.{key}" if prefix else key
    if many:
        for i, item in enumerate(value if isinstance(value, list) else []):
            yield from values_at(item, rest, f"{where}[{i}]")
    else:
        yield from values_at(value, rest, where)


__all__ = ["FARGATE_SIZES", "RULES", "Rule", "document_length", "rules_for", "values_at", "ROLE_INLINE_LIMIT",
           "IAM_QUOTAS_URL"]
