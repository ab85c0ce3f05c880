"""Security baseline for CloudWatch Logs: every log group expires, every workload logs to one.

Drawn from checkov (log group retention) and cdk-nag; the second check exists
because Lambda and ECS create a log group on first write when none exists, and
such a group keeps everything forever.
"""

from __future__ import annotations

from typing import Any, Iterator, Optional

from pulumi_policy import Severity

from ._util import as_number, describe, dig, is_unknown, json_value, require_known, resource_policy, stack_policy
from .graph import Graph, Node

LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
FUNCTION = "aws:lambda/function:Function"
TASKDEF = "aws:ecs/taskDefinition:TaskDefinition"


def _retention(_t, props, config, _a) -> Iterator[str]:
    days = props.get("retentionInDays")
    require_known(days, "retentionInDays")
    n = as_number(days)
    if not n:
        yield "the log group keeps its events forever (retentionInDays is not set)."
    elif n < config["minRetentionDays"]:
        yield f"the log group keeps events {int(n)} days; at least {config['minRetentionDays']} are required."


def _group_names(graph: Graph) -> dict[str, Node]:
    return {str(g.props["name"]): g for g in graph.of_type(LOG_GROUP)
            if isinstance(g.props.get("name"), str) and not is_unknown(g.props["name"])}


def _has_group(graph: Graph, node: Node, prop: str, names: dict[str, Node], wanted: list[Any]) -> bool:
    if graph.deps(node, prop, types=[LOG_GROUP]):
        return True
    return any(isinstance(w, str) and w in names for w in wanted)


def _compute_groups(graph: Graph, _config: dict[str, Any]) -> Iterator[tuple[str, Optional[str]]]:
    names = _group_names(graph)
    for fn in graph.of_type(FUNCTION):
        fn_name = fn.props.get("name")
        wanted = [dig(fn.props, "loggingConfig", "logGroup")]
        if isinstance(fn_name, str) and not is_unknown(fn_name):
            wanted.append(f"/aws/lambda/{fn_name}")
        if _has_group(graph, fn, "loggingConfig", names, wanted):
            continue
        # A log group named after the function (name=fn.name.apply(...)) depends on it.
        if any(g for g in graph.dependents(fn, "name", types=[LOG_GROUP])):
            continue
        yield (f"{describe(fn.type, fn.name)} has no log group in the stack: Lambda creates "
               f"/aws/lambda/<name> on first write, with no retention.", fn.urn)
    for td in graph.of_type(TASKDEF):
        containers = json_value(td.props.get("containerDefinitions"))
        if is_unknown(containers):
            if graph.deps(td, "containerDefinitions", types=[LOG_GROUP]):
                continue
            yield (f"{describe(td.type, td.name)}: cannot verify its containers log to a group the stack "
                   f"creates (container definitions unknown at preview).", td.urn)
            continue
        for c in containers or []:
            if not isinstance(c, dict) or dig(c, "logConfiguration", "logDriver") != "awslogs":
                continue
            group = dig(c, "logConfiguration", "options", "awslogs-group")
            create = dig(c, "logConfiguration", "options", "awslogs-create-group")
            if group in names or graph.deps(td, "containerDefinitions", types=[LOG_GROUP]):
                continue
            if str(create).lower() == "true" or group is not None:
                yield (f"{describe(td.type, td.name)}: container '{c.get('name')}' logs to '{group}', which the "
                       f"stack does not create, so nothing sets its retention.", td.urn)


POLICIES = [
    resource_policy(
        name="security-logs-retention", types=[LOG_GROUP], check=_retention,
        config={"minRetentionDays": {"type": "integer", "minimum": 1, "default": 1,
                                     "description": "Fewest days a log group must keep events. Default 1."}},
        description="CloudWatch log groups set a retention (and keep events at least minRetentionDays).",
        severity=Severity.MEDIUM,
        remediation="Set retentionInDays (e.g. 7 in dev, 90 in prod; ProcessingTier: processingLogRetentionDays)."),
    stack_policy(
        name="security-logs-workload-log-groups", check=_compute_groups,
        description="Every Lambda function and ECS container logs to a log group the stack creates (so its "
                    "retention is set), not one AWS creates on first write.", severity=Severity.LOW,
        remediation="Create an aws.cloudwatch.LogGroup with a retention and point the function "
                    "(loggingConfig.logGroup, or name it /aws/lambda/<function>) or the container "
                    "(awslogs-group) at it."),
]
