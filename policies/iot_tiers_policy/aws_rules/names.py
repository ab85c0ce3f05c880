"""The physical name a resource gets in AWS: the one the program sets, or the one Pulumi makes up.

pulumi-aws auto-names every resource whose Terraform schema has a ``name`` input the
program leaves out: the logical name, a separator and 7 random hex characters
(``processing-queue-a76f9d0``). A few types carry a maximum; when the logical name
plus the suffix exceeds it, pulumi-aws refuses at preview ("name 'x-' plus 7 random
chars is longer than maximum length 32") rather than truncating. Every other type
gets the bridge's default maximum of 255, whatever AWS allows, so a long logical name
reaches AWS and is refused there (an ALB name over 32 characters, an IAM instance
profile over 128).

Source: pulumi/pulumi-aws ``provider/resources.go`` (``setAutonaming``: ``name``, 255,
``"-"`` for every resource without its own rule; the per-resource ``AutoName`` rules
below) and pulumi-terraform-bridge's ``NewUniqueHex``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Optional

#: Random characters pulumi-aws appends; a stand-in keeps the generated name's shape.
RANDOM_LENGTH = 7
RANDOM_STANDIN = "0a1b2c3"
#: What Terraform appends to a ``name_prefix`` (a timestamp and a counter, 26 characters).
PREFIX_SUFFIX_LENGTH = 26


@dataclass(frozen=True)
class AutoName:
    """How pulumi-aws names one resource type when the program gives no name."""

    field: str = "name"
    maxlen: Optional[int] = 255
    separator: str = "-"
    lower: bool = False
    #: An input that, when true, makes pulumi-aws append ``.fifo`` (SQS queues, SNS topics).
    fifo: Optional[str] = None
    prefix: str = ""


#: The resource types whose names this module knows (pulumi-aws's rules for them).
AUTONAMES: dict[str, AutoName] = {
    "aws:lambda/function:Function": AutoName(maxlen=64),
    "aws:iam/role:Role": AutoName(maxlen=64),
    "aws:iam/rolePolicy:RolePolicy": AutoName(),
    "aws:iam/policy:Policy": AutoName(),
    "aws:iam/instanceProfile:InstanceProfile": AutoName(),
    "aws:cloudwatch/logGroup:LogGroup": AutoName(),
    "aws:cloudwatch/metricAlarm:MetricAlarm": AutoName(),
    "aws:ecs/cluster:Cluster": AutoName(),
    "aws:ecs/service:Service": AutoName(),
    "aws:lb/loadBalancer:LoadBalancer": AutoName(),
    "aws:alb/loadBalancer:LoadBalancer": AutoName(),
    "aws:lb/targetGroup:TargetGroup": AutoName(maxlen=32),
    "aws:alb/targetGroup:TargetGroup": AutoName(),
    "aws:ecr/repository:Repository": AutoName(),
    "aws:secretsmanager/secret:Secret": AutoName(),
    "aws:sns/topic:Topic": AutoName(maxlen=80, fifo="fifoTopic"),
    "aws:sqs/queue:Queue": AutoName(maxlen=80, fifo="fifoQueue"),
    "aws:dynamodb/table:Table": AutoName(),
    "aws:iot/topicRule:TopicRule": AutoName(maxlen=None, separator="_"),
    "aws:iot/policy:Policy": AutoName(),
    "aws:ec2/securityGroup:SecurityGroup": AutoName(),
    "aws:ec2/launchTemplate:LaunchTemplate": AutoName(),
    "aws:autoscaling/group:Group": AutoName(),
    "aws:autoscaling/policy:Policy": AutoName(),
    "aws:appautoscaling/policy:Policy": AutoName(),
    "aws:lambda/alias:Alias": AutoName(),
    "aws:lambda/permission:Permission": AutoName(field="statementId", maxlen=100),
    "aws:s3/bucket:Bucket": AutoName(field="bucket", maxlen=63, lower=True),
    "aws:s3/bucketV2:BucketV2": AutoName(field="bucket", maxlen=63, lower=True),
    "aws:kms/alias:Alias": AutoName(maxlen=238, prefix="alias/"),
    # No rule of their own in resources.go: the bridge's default, "name", 255, "-".
    "aws:cloudwatch/logMetricFilter:LogMetricFilter": AutoName(),
    "aws:apigatewayv2/api:Api": AutoName(),
    "aws:apigatewayv2/stage:Stage": AutoName(),
    "aws:iot/thing:Thing": AutoName(),
    # resources.go: aws_cloudwatch_event_rule AutoName("name", 64, "-"); aws_cloudwatch_event_target
    # AutoName("targetId", 255, "-").
    "aws:cloudwatch/eventRule:EventRule": AutoName(maxlen=64),
    "aws:cloudwatch/eventTarget:EventTarget": AutoName(field="targetId"),
}


@dataclass(frozen=True)
class PhysicalName:
    """A resource's name in AWS and where it comes from."""

    value: str
    field: str
    #: ``"input"`` (the program set it), ``"prefix"`` (``namePrefix`` plus Terraform's suffix)
    #: or ``"auto"`` (Pulumi's logical name plus a random suffix).
    origin: str
    #: Set when pulumi-aws itself refuses to make the name up (the preview fails).
    refusal: Optional[str] = None

    @property
    def described(self) -> str:
        if self.origin == "auto":
            return f"{self.field} (auto-named: the logical name and {RANDOM_LENGTH} random hex characters)"
        if self.origin == "prefix":
            return f"{self.field} (namePrefix plus 26 characters Terraform adds)"
        return self.field


def physical_name(typ: str, logical: str, inputs: Mapping[str, Any],
                  is_unknown: Any = lambda v: False) -> Optional[PhysicalName]:
    """The name ``typ`` gets in AWS, or None when the type is not named here or the name is unknown."""
    rule = AUTONAMES.get(typ)
    if rule is None:
        return None
    given = inputs.get(rule.field)
    if given is not None:
        if not isinstance(given, str) or is_unknown(given):
            return None
        return PhysicalName(given, rule.field, "input")
    prefix = inputs.get("namePrefix") if rule.field == "name" else inputs.get(f"{rule.field}Prefix")
    if isinstance(prefix, str) and not is_unknown(prefix):
        return PhysicalName(prefix + "0" * PREFIX_SUFFIX_LENGTH, rule.field, "prefix")
    base = logical.lower() if rule.lower else logical
    stem = f"{rule.prefix}{base}{rule.separator}"
    name = stem + RANDOM_STANDIN
    if rule.fifo and inputs.get(rule.fifo) is True:
        name += ".fifo"
    refusal = None
    if rule.maxlen is not None and len(stem) - len(rule.prefix) + RANDOM_LENGTH > rule.maxlen:
        refusal = (f"pulumi-aws refuses to auto-name it: the logical name {logical!r} plus "
                   f"{rule.separator!r} and {RANDOM_LENGTH} random characters is "
                   f"{len(stem) - len(rule.prefix) + RANDOM_LENGTH} characters, over its maximum of "
                   f"{rule.maxlen} (the preview fails: \"name '{base}{rule.separator}' plus {RANDOM_LENGTH} "
                   f"random chars is longer than maximum length {rule.maxlen}\")")
    return PhysicalName(name, rule.field, "auto", refusal)


__all__ = ["AUTONAMES", "AutoName", "PhysicalName", "RANDOM_LENGTH", "physical_name"]
