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
pack's log and skipped, never raised into the analysis. The values not known yet are
counted, once per stack, by the advisory ``aws-api-not-checkable`` ("N inputs not
checkable at preview"), which ``tiers preview`` also puts in its summary.
"""

from __future__ import annotations

import json
import re
import sys
from collections import OrderedDict
from typing import Any, Iterator, Mapping, Optional

from pulumi_policy import EnforcementLevel, Severity

from ._util import resource_policy, stack_policy
from .aws_rules import Result, check_resource, check_stack
from .aws_rules.requests import CALLS
from .graph import Graph

NOT_CHECKABLE = "aws-api-not-checkable"
#: How the advisory's message begins; ``tiers preview`` reads the count back from it.
NOT_CHECKABLE_LINE = re.compile(r"^(\d+) inputs? not checkable at preview")
#: Inputs named in the advisory; the rest are counted.
NOT_CHECKABLE_SHOWN = 12

REMEDIATION = (
    "Change the input the message names to a value AWS accepts (the message quotes the rule and where AWS "
    "writes it down: the botocore service model shipped with boto3, or the AWS documentation page). For an "
    "auto-generated name, shorten the resource's logical name or pass an explicit `name` that fits.")


class _Results:
    """Each resource's result, kept for the stack policies of the same analysis.

    The engine sends every resource to ``Analyze`` and then all of them to ``AnalyzeStack``:
    keyed by type, name and inputs, the stack's count of unknown inputs reuses the per-resource
    check instead of running it twice.
    """

    def __init__(self, size: int = 4096) -> None:
        self.size = size
        self._items: "OrderedDict[tuple[str, str, str], Result]" = OrderedDict()

    def get(self, typ: str, name: str, props: Mapping[str, Any]) -> Result:
        key = (typ, name, json.dumps(props, sort_keys=True, default=repr))
        found = self._items.get(key)
        if found is None:
            found = self._items[key] = check_resource(typ, name, props)
            if len(self._items) > self.size:
                self._items.popitem(last=False)
        else:
            self._items.move_to_end(key)
        return found


_RESULTS = _Results()


def _resource_check(typ: str, props: Mapping[str, Any], _config: Mapping[str, Any], args: Any) -> Iterator[str]:
    try:
        result = _RESULTS.get(typ, str(args.name), props)
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


def not_checkable(graph: Graph) -> list[str]:
    """``resource.input`` for every input the checks could not judge because its value is not known yet."""
    found: list[str] = []
    for node in graph.nodes:
        if node.type in CALLS:
            found += [f"{node.name}.{path}" for path in _RESULTS.get(node.type, node.name, node.props).unknown]
    return found


def _not_checkable(graph: Graph, _config: Mapping[str, Any]) -> Iterator[tuple[str, Optional[str]]]:
    try:
        found = not_checkable(graph)
    except Exception as exc:  # noqa: BLE001 - fail soft
        print(f"{NOT_CHECKABLE}: {exc!r}", file=sys.stderr)
        return
    if not found:
        return
    shown = ", ".join(found[:NOT_CHECKABLE_SHOWN])
    more = f", and {len(found) - NOT_CHECKABLE_SHOWN} more" if len(found) > NOT_CHECKABLE_SHOWN else ""
    yield (f"{len(found)} input{'s' if len(found) != 1 else ''} not checkable at preview: their values come from "
           f"resources that do not exist yet, so AWS's rules apply to them at `pulumi up`, where this pack sees "
           f"them known ({shown}{more})"), None


POLICIES = [
    resource_policy(
        name="aws-api-constraints", types=sorted(CALLS), check=_resource_check,
        description="Every input, and every name Pulumi generates, fits the API call that creates the resource: "
                    "botocore's types, enums, lengths, patterns, ranges, sizes and required members, plus the rules "
                    "AWS documents (security group text, Fargate sizes, log retention values, ELB names, EBS "
                    "limits) and the validations pulumi-aws's provider runs (CIDR network addresses, policy JSON, "
                    "DynamoDB keys). Coverage: docs/aws-rules.md.",
        severity=Severity.HIGH, remediation=REMEDIATION),
    stack_policy(
        name="aws-api-cross-resource", check=_stack_check,
        description="Rules AWS applies across resources: an SQS queue's visibility timeout covers the timeout of "
                    "the function it feeds, a FIFO queue's batch size, provisioned concurrency within reserved "
                    "concurrency and on a published version, an awsvpc service's target group type, an ALB's "
                    "subnets in two zones, a role's inline policies within IAM's size limit.",
        severity=Severity.HIGH, remediation=REMEDIATION),
    stack_policy(
        name=NOT_CHECKABLE, check=_not_checkable, enforcement_level=EnforcementLevel.ADVISORY,
        description="Counts the inputs aws-api-constraints could not judge at preview: values computed from other "
                    "resources (ARNs, ids, generated names) that are unknown until those exist. Not a fault: the "
                    "same checks run on them at `pulumi up`.",
        severity=Severity.LOW,
        remediation="Nothing to change. To see these inputs checked before deploying, run `tiers preview` (mock "
                    "values stand in for them) or look at the verdict of `pulumi up`."),
]
