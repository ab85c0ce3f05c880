"""What AWS would refuse: inputs checked against the APIs that create the resources.

A preview passes whatever the program sets; the first ``pulumi up`` then fails on
the first request AWS refuses (a DLM policy description with a colon, a security
group description with an apostrophe, an ALB name of 33 characters), often half-way
through a deployment. These policies find those inputs at preview, from botocore's
service models and the rules AWS documents (:mod:`iot_tiers_policy.aws_rules`), so
every team's preview catches them. They are mandatory in every environment: AWS
refuses the request whatever the stack.

Fail soft: an input the rules cannot map is not a violation, a value not known yet
is checked again at ``pulumi up``, and an error inside a check is written to the
pack's log and skipped, never raised into the analysis.
"""

from __future__ import annotations

import sys
from typing import Any, Iterator, Mapping, Optional

from pulumi_policy import Severity

from ._util import resource_policy, stack_policy
from .aws_rules import check_resource, check_stack
from .aws_rules.requests import CALLS
from .graph import Graph

REMEDIATION = (
    "Change the input the message names to a value AWS accepts (the message quotes the rule and where AWS "
    "writes it down: the botocore service model shipped with boto3, or the AWS documentation page). For an "
    "auto-generated name, shorten the resource's logical name or pass an explicit `name` that fits.")


def _resource_check(typ: str, props: Mapping[str, Any], _config: Mapping[str, Any], args: Any) -> Iterator[str]:
    try:
        result = check_resource(typ, str(args.name), props)
    except Exception as exc:  # noqa: BLE001 - fail soft: never abort the analysis
        print(f"aws-api-constraints: {typ} {args.name}: {exc!r}", file=sys.stderr)
        return
    for note in result.notes:
        print(f"aws-api-constraints: {note}", file=sys.stderr)
    for v in result.violations:
        yield f"{v.message}"


def _stack_check(graph: Graph, _config: Mapping[str, Any]) -> Iterator[tuple[str, Optional[str]]]:
    try:
        found = list(check_stack(graph))
    except Exception as exc:  # noqa: BLE001 - fail soft
        print(f"aws-api-cross-resource: {exc!r}", file=sys.stderr)
        return
    for v, urn in found:
        yield v.message, urn


POLICIES = [
    resource_policy(
        name="aws-api-constraints", types=sorted(CALLS), check=_resource_check,
        description="Every input, and every name Pulumi generates, fits the API call that creates the resource: "
                    "botocore's enums, lengths, patterns, ranges and required members, plus the rules AWS "
                    "documents (security group text, Fargate sizes, log retention values, ELB names).",
        severity=Severity.HIGH, remediation=REMEDIATION),
    stack_policy(
        name="aws-api-cross-resource", check=_stack_check,
        description="Rules AWS applies across resources: an SQS queue's visibility timeout covers the timeout of "
                    "the function it feeds, provisioned concurrency fits within reserved concurrency, an ALB's "
                    "subnets span two zones, a role's inline policies fit IAM's size limit.",
        severity=Severity.HIGH, remediation=REMEDIATION),
]
