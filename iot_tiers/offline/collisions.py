"""Physical names two stacks would both create in one AWS account.

A resource given an explicit name (rather than Pulumi's auto-name, which adds a random suffix)
holds that name in its account: in its region for most services, everywhere for IAM, and
across all accounts for S3 buckets. A second stack that creates the same name fails its
`pulumi up` with ResourceAlreadyExists (EntityAlreadyExists, BucketAlreadyExists...), or,
for a task-definition family, silently shares its revisions with the first.

Only the types whose name is unique at that scope are listed: a name scoped to a parent (a
Lambda alias within its function, a scaling policy within its target, a security group within
its VPC) never clashes across stacks whose parents are auto-named.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable, Iterable

from .harness import Capture

GLOBAL, ACCOUNT, REGION = "every account", "the account (all regions)", "the region"

#: Resource type -> (input holding its physical name, where the name must be unique).
NAMED_TYPES: dict[str, tuple[str, str]] = {
    "aws:s3/bucket:Bucket": ("bucket", GLOBAL),
    "aws:s3/bucketV2:BucketV2": ("bucket", GLOBAL),
    "aws:iam/role:Role": ("name", ACCOUNT),
    "aws:iam/policy:Policy": ("name", ACCOUNT),
    "aws:iam/instanceProfile:InstanceProfile": ("name", ACCOUNT),
    "aws:iam/user:User": ("name", ACCOUNT),
    "aws:iam/group:Group": ("name", ACCOUNT),
    "aws:iot/topicRule:TopicRule": ("name", REGION),
    "aws:iot/policy:Policy": ("name", REGION),
    "aws:iot/thing:Thing": ("name", REGION),
    "aws:cloudwatch/logGroup:LogGroup": ("name", REGION),
    "aws:cloudwatch/metricAlarm:MetricAlarm": ("name", REGION),
    "aws:cloudwatch/eventRule:EventRule": ("name", REGION),
    "aws:lambda/function:Function": ("name", REGION),
    "aws:sqs/queue:Queue": ("name", REGION),
    "aws:sns/topic:Topic": ("name", REGION),
    "aws:dynamodb/table:Table": ("name", REGION),
    "aws:ecs/cluster:Cluster": ("name", REGION),
    "aws:ecs/taskDefinition:TaskDefinition": ("family", REGION),
    "aws:ecr/repository:Repository": ("name", REGION),
    "aws:lb/loadBalancer:LoadBalancer": ("name", REGION),
    "aws:lb/targetGroup:TargetGroup": ("name", REGION),
    "aws:ec2/launchTemplate:LaunchTemplate": ("name", REGION),
    "aws:autoscaling/group:Group": ("name", REGION),
    "aws:secretsmanager/secret:Secret": ("name", REGION),
    "aws:kms/alias:Alias": ("name", REGION),
    "aws:ssm/parameter:Parameter": ("name", REGION),
    "aws:kinesis/stream:Stream": ("name", REGION),
}


@dataclass(frozen=True)
class Collision:
    """One physical name that several stacks create."""

    type: str
    name: str
    scope: str
    #: ``(stack, urn)`` of each resource that creates it.
    holders: tuple[tuple[str, str], ...]

    def as_json(self) -> dict:
        return {"type": self.type, "name": self.name, "uniqueIn": self.scope,
                "resources": [{"stack": s, "urn": u} for s, u in self.holders]}

    def describe(self) -> str:
        where = ", ".join(f"{stack} ({urn.rsplit('::', 1)[-1]})" for stack, urn in self.holders)
        return f"{self.type} {self.name!r} (unique in {self.scope}): created by {where}"


def _regions(capture: Capture) -> Callable[[Any], str]:
    """Each resource's region: an explicit provider's ``region`` if it sets one (a resource may
    live in another region than the stack), else the stack's ``aws:region``."""
    default = capture.config.get("aws:region", "us-east-1")
    by_provider = {r.urn: str(r.inputs["region"]) for r in capture.resources
                   if r.type == "pulumi:providers:aws" and r.inputs.get("region")}
    # A provider reference is "<urn>::<id>".
    return lambda resource: by_provider.get((resource.provider or "").rsplit("::", 1)[0], default)


def physical_names(capture: Capture) -> dict[tuple[str, str, str], str]:
    """``(type, scope key, name) -> urn`` for every explicitly named resource of one stack."""
    found = {}
    region = _regions(capture)
    for r in capture.resources:
        entry = NAMED_TYPES.get(r.type)
        if not entry:
            continue
        name = r.inputs.get(entry[0])
        if not isinstance(name, str) or not name:
            continue  # auto-named (or unknown at preview): a random suffix never clashes
        scope = entry[1] if entry[1] != REGION else f"{REGION} {region(r)}"
        if entry[1] == ACCOUNT:
            name = name.lower()  # IAM names are unique regardless of case (IAM identifiers guide)
        found[(r.type, scope, name)] = r.urn
    return found


def find_collisions(captures: Iterable[Capture]) -> list[Collision]:
    """Names created by more than one of ``captures`` (assumed to share one account)."""
    holders: dict[tuple[str, str, str], list[tuple[str, str]]] = {}
    for capture in captures:
        for key, urn in physical_names(capture).items():
            holders.setdefault(key, []).append((f"{capture.project}/{capture.stack}", urn))
    return [Collision(type=k[0], scope=k[1], name=k[2], holders=tuple(v))
            for k, v in sorted(holders.items()) if len(v) > 1]


def filters_overlap(a: str, b: str) -> bool:
    """True when some MQTT topic matches both filters (``+`` one level, ``#`` the rest)."""
    left, right = a.split("/"), b.split("/")
    for x, y in zip(left, right):
        if x == "#" or y == "#":
            return True
        if x != y and "+" not in (x, y):
            return False
    if len(left) == len(right):
        return True
    longer = left if len(left) > len(right) else right
    return longer[min(len(left), len(right))] == "#"  # "a/#" also matches "a"


_RULE_FROM = re.compile(r"\bFROM\s+'([^']+)'", re.IGNORECASE)


@dataclass(frozen=True)
class SharedTopic:
    """Two stacks' IoT rules in one region whose topic filters overlap: both deploy, and each
    receives the other's messages (IoT Core rules are per account and region)."""

    filters: tuple[str, str]
    region: str
    rules: tuple[tuple[str, str], tuple[str, str]]

    def as_json(self) -> dict:
        return {"filters": list(self.filters), "region": self.region,
                "rules": [{"stack": s, "urn": u} for s, u in self.rules]}

    def describe(self) -> str:
        (s1, u1), (s2, u2) = self.rules
        return (f"IoT rules {u1.rsplit('::', 1)[-1]} ({s1}, '{self.filters[0]}') and {u2.rsplit('::', 1)[-1]} "
                f"({s2}, '{self.filters[1]}') in {self.region}: each would also receive the other stack's "
                f"devices' messages; give each stack its own account, region or topic prefix")


def _rule_filters(capture: Capture) -> list[tuple[str, str, str]]:
    found = []
    region = _regions(capture)
    for r in capture.by_type("aws:iot/topicRule:TopicRule"):
        sql = r.inputs.get("sql")
        match = _RULE_FROM.search(sql) if isinstance(sql, str) else None
        if match:
            found.append((match.group(1), region(r), r.urn))
    return found


def find_shared_topics(captures: Iterable[Capture]) -> list[SharedTopic]:
    """Overlapping rule filters across different stacks in one region (advice, not a failure)."""
    rules = [(f"{c.project}/{c.stack}", f, region, urn) for c in captures for f, region, urn in _rule_filters(c)]
    shared = []
    for i, (s1, f1, reg1, u1) in enumerate(rules):
        for s2, f2, reg2, u2 in rules[i + 1:]:
            if s1 != s2 and reg1 == reg2 and filters_overlap(f1, f2):
                shared.append(SharedTopic((f1, f2), reg1, ((s1, u1), (s2, u2))))
    return shared
