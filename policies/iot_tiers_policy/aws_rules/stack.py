"""Rules AWS applies across resources: the request is refused because of another resource's inputs.

The edges come from property dependencies (an event source mapping's ``eventSourceArn``
depends on the queue), as everywhere in the pack (:mod:`iot_tiers_policy.graph`).
A rule whose values are not all known yet is skipped: at ``pulumi up`` the pack sees
them again, known.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterator, Optional

from .._util import contains_unknown
from ..graph import Graph, Node
from .check import Violation
from .documented import ROLE_INLINE_LIMIT, IAM_QUOTAS_URL, document_length

QUEUE = "aws:sqs/queue:Queue"
FUNCTION = "aws:lambda/function:Function"
ALIAS = "aws:lambda/alias:Alias"
ESM = "aws:lambda/eventSourceMapping:EventSourceMapping"
PROVISIONED = "aws:lambda/provisionedConcurrencyConfig:ProvisionedConcurrencyConfig"
LOAD_BALANCERS = ("aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer")
SUBNET = "aws:ec2/subnet:Subnet"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"

#: Defaults AWS applies when the input is left out (SQS CreateQueue and Lambda CreateFunction docs).
SQS_DEFAULT_VISIBILITY = 30
LAMBDA_DEFAULT_TIMEOUT = 3

SQS_LAMBDA_URL = "https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html"
PROVISIONED_URL = "https://docs.aws.amazon.com/lambda/latest/dg/provisioned-concurrency.html"
ALB_SUBNETS = "botocore elbv2 CreateLoadBalancer Subnets documentation"


def _known_number(value: Any, default: Optional[float] = None) -> Optional[float]:
    """A known number (whole ones as int), ``default`` when left out, None when unknown or not a number."""
    if value is None:
        return default
    if isinstance(value, bool) or contains_unknown(value):
        return None
    try:
        n = float(value)
    except (TypeError, ValueError):
        return None
    return int(n) if n.is_integer() else n


def _functions(graph: Graph, node: Node, prop: str) -> list[Node]:
    """The functions ``node`` names through ``prop``: directly, or through an alias."""
    found = graph.deps(node, prop, types=[FUNCTION])
    for alias in graph.deps(node, prop, types=[ALIAS]):
        found += graph.deps(alias, "functionName", types=[FUNCTION])
    return list({f.urn: f for f in found}.values())


def _queue_visibility(graph: Graph) -> Iterator[tuple[Violation, str]]:
    """Lambda refuses a mapping whose queue hides a message for less time than the function may run.

    The hard rule is visibility >= timeout (CreateEventSourceMapping fails otherwise); the
    Lambda guide recommends six times the timeout, which is advice, not a refusal.
    """
    for esm in graph.of_type(ESM):
        for queue in graph.deps(esm, "eventSourceArn", types=[QUEUE]):
            visibility = _known_number(queue.props.get("visibilityTimeoutSeconds"), SQS_DEFAULT_VISIBILITY)
            for fn in _functions(graph, esm, "functionName"):
                timeout = _known_number(fn.props.get("timeout"), LAMBDA_DEFAULT_TIMEOUT)
                if visibility is None or timeout is None or timeout <= visibility:
                    continue
                yield Violation(
                    "cross-field", f"eventSourceArn (queue '{queue.name}'), functionName (function '{fn.name}')",
                    None,
                    f"the queue's visibility timeout ({int(visibility)} s) is shorter than the function's timeout "
                    f"({int(timeout)} s): Lambda refuses to create the event source mapping; set the queue's "
                    f"visibilityTimeoutSeconds to at least the timeout (AWS recommends 6x)", SQS_LAMBDA_URL), esm.urn


def _provisioned_vs_reserved(graph: Graph) -> Iterator[tuple[Violation, str]]:
    per_function: dict[str, tuple[Node, float, list[Node]]] = {}
    for pc in graph.of_type(PROVISIONED):
        amount = _known_number(pc.props.get("provisionedConcurrentExecutions"))
        for fn in _functions(graph, pc, "functionName"):
            if amount is None:
                continue
            _, total, configs = per_function.get(fn.urn, (fn, 0.0, []))
            per_function[fn.urn] = (fn, total + amount, configs + [pc])
    for fn, total, configs in per_function.values():
        reserved = _known_number(fn.props.get("reservedConcurrentExecutions"))
        if reserved is None or reserved < 0 or total <= reserved:
            continue
        for pc in configs:
            amount = _known_number(pc.props.get("provisionedConcurrentExecutions"))
            yield Violation(
                "cross-field", "provisionedConcurrentExecutions", amount,
                f"the function '{fn.name}' reserves {int(reserved)} concurrent executions, but its provisioned "
                f"concurrency adds up to {int(total)}: provisioned concurrency cannot exceed reserved concurrency",
                PROVISIONED_URL), pc.urn


def _alb_zones(graph: Graph) -> Iterator[tuple[Violation, str]]:
    for lb in graph.of_type(*LOAD_BALANCERS):
        if lb.props.get("loadBalancerType", "application") != "application":
            continue
        subnets = lb.props.get("subnets")
        nodes = graph.deps(lb, "subnets", types=[SUBNET])
        if not isinstance(subnets, list) or not nodes or len(nodes) < len(subnets):
            continue  # some subnets come from outside the stack: their zones are not known here
        zones = {n.props.get("availabilityZone") or n.props.get("availabilityZoneId") for n in nodes}
        if None in zones or contains_unknown(list(zones)) or len(zones) >= 2:
            continue
        yield Violation("cross-field", "subnets", sorted(n.name for n in nodes),
                        f"all in one Availability Zone ({', '.join(map(str, zones))}): an Application Load "
                        f"Balancer needs subnets in at least two", ALB_SUBNETS), lb.urn


def _role_inline_total(graph: Graph) -> Iterator[tuple[Violation, str]]:
    for role in graph.of_type(ROLE):
        docs = [p.get("policy") for p in role.props.get("inlinePolicies") or [] if isinstance(p, dict)]
        attached = graph.dependents(role, "role", types=[ROLE_POLICY])
        docs += [p.props.get("policy") for p in attached]
        if len(docs) < 2 or contains_unknown(docs):
            continue
        sizes = [document_length(d) for d in docs]
        if None in sizes or sum(sizes) <= ROLE_INLINE_LIMIT:
            continue
        yield Violation("cross-field", f"policy of {', '.join(p.name for p in attached) or 'inlinePolicies'}",
                        None, f"the inline policies of role '{role.name}' add up to {sum(sizes)} characters "
                        f"without white space; IAM allows {ROLE_INLINE_LIMIT} per role", IAM_QUOTAS_URL), role.urn


#: botocore lambda CreateEventSourceMapping BatchSize documentation: "For FIFO queues the max is 10."
FIFO_BATCH_LIMIT = 10
ESM_BATCH_SIZE = "botocore lambda CreateEventSourceMapping BatchSize documentation"


def _fifo_batch(graph: Graph) -> Iterator[tuple[Violation, str]]:
    """The per-request rule reads the queue's ARN, unknown at a first preview; the queue's own input is known."""
    for esm in graph.of_type(ESM):
        size = _known_number(esm.props.get("batchSize"))
        arn = esm.props.get("eventSourceArn")
        if size is None or size <= FIFO_BATCH_LIMIT or (isinstance(arn, str) and arn.endswith(".fifo")):
            continue  # a known .fifo ARN is the per-request rule's to report
        for queue in graph.deps(esm, "eventSourceArn", types=[QUEUE]):
            if queue.props.get("fifoQueue") is True:
                yield Violation("cross-field", f"batchSize (queue '{queue.name}' is FIFO)", int(size),
                                f"is above {FIFO_BATCH_LIMIT}, the most Lambda takes from a FIFO queue in one batch",
                                ESM_BATCH_SIZE), esm.urn


LATEST = "$LATEST"


def _provisioned_on_latest(graph: Graph) -> Iterator[tuple[Violation, str]]:
    """Provisioned concurrency needs a published version: not $LATEST, nor an alias that points at it."""
    for pc in graph.of_type(PROVISIONED):
        qualifier = pc.props.get("qualifier")
        if qualifier == LATEST:
            yield Violation("cross-field", "qualifier", qualifier,
                            "is the unpublished version: provisioned concurrency takes a published version or an "
                            "alias of one (publish the function and name its version or an alias)",
                            PROVISIONED_URL), pc.urn
            continue
        for alias in graph.deps(pc, "qualifier", types=[ALIAS]):
            if alias.props.get("functionVersion") == LATEST:
                yield Violation("cross-field", f"qualifier (alias '{alias.name}')", qualifier,
                                f"names an alias whose functionVersion is {LATEST}: provisioned concurrency takes a "
                                "published version (set publish on the function and point the alias at its "
                                "version)", PROVISIONED_URL), pc.urn


ECS_SERVICE = "aws:ecs/service:Service"
TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition"
TARGET_GROUPS = ("aws:lb/targetGroup:TargetGroup", "aws:alb/targetGroup:TargetGroup")
ECS_TARGET_TYPE = "botocore ecs LoadBalancer targetGroupArn documentation"


def _awsvpc_target_type(graph: Graph) -> Iterator[tuple[Violation, str]]:
    """An awsvpc task registers its ENI's IP: ECS refuses a target group of target type instance (the default)."""
    for service in graph.of_type(ECS_SERVICE):
        tasks = graph.deps(service, "taskDefinition", types=[TASK_DEFINITION])
        if not any(t.props.get("networkMode") == "awsvpc" for t in tasks):
            continue
        for tg in graph.deps(service, "loadBalancers", types=TARGET_GROUPS):
            target_type = tg.props.get("targetType", "instance")
            if target_type == "instance":
                shown = "targetType" if "targetType" in tg.props else "targetType (left at its default, instance)"
                yield Violation("cross-field", f"loadBalancers (target group '{tg.name}' {shown})", "instance",
                                "does not suit a task in awsvpc network mode: its target group needs target type "
                                "ip", ECS_TARGET_TYPE), service.urn


APIGW_API = "aws:apigatewayv2/api:Api"
APIGW_INTEGRATION = "aws:apigatewayv2/integration:Integration"
WEBSOCKET_TIMEOUT_MS = 29000
APIGW_TIMEOUT = "botocore apigatewayv2 CreateIntegration TimeoutInMillis documentation"


def _websocket_integration_timeout(graph: Graph) -> Iterator[tuple[Violation, str]]:
    for integration in graph.of_type(APIGW_INTEGRATION):
        timeout = _known_number(integration.props.get("timeoutMilliseconds"))
        if timeout is None or timeout <= WEBSOCKET_TIMEOUT_MS:
            continue
        for api in graph.deps(integration, "apiId", types=[APIGW_API]):
            if api.props.get("protocolType") == "WEBSOCKET":
                yield Violation("cross-field", f"timeoutMilliseconds (API '{api.name}' is WEBSOCKET)", int(timeout),
                                f"is above {WEBSOCKET_TIMEOUT_MS:,} ms, the most a WebSocket API's integration "
                                "allows (HTTP APIs allow 30,000)", APIGW_TIMEOUT), integration.urn


@dataclass(frozen=True)
class CrossRule:
    """A rule over two or more resources: the types it reads, the one AWS refuses first, and its source."""

    check: Callable[[Graph], Iterator[tuple[Violation, str]]]
    types: tuple[str, ...]     # the first is the resource reported
    what: str
    source: str


CROSS_RESOURCE_RULES = (
    CrossRule(_queue_visibility, (ESM, QUEUE, FUNCTION, ALIAS),
              "the queue's visibility timeout is at least the consuming function's timeout (6x recommended)",
              SQS_LAMBDA_URL),
    CrossRule(_fifo_batch, (ESM, QUEUE), "at most 10 messages per batch from a FIFO queue", ESM_BATCH_SIZE),
    CrossRule(_provisioned_vs_reserved, (PROVISIONED, FUNCTION, ALIAS),
              "provisioned concurrency within the function's reserved concurrency", PROVISIONED_URL),
    CrossRule(_provisioned_on_latest, (PROVISIONED, ALIAS),
              "provisioned concurrency on a published version, not $LATEST or an alias of it", PROVISIONED_URL),
    CrossRule(_awsvpc_target_type, (ECS_SERVICE, TASK_DEFINITION, *TARGET_GROUPS),
              "an awsvpc task's target group has target type ip", ECS_TARGET_TYPE),
    CrossRule(_websocket_integration_timeout, (APIGW_INTEGRATION, APIGW_API),
              "a WebSocket API's integration timeout at most 29,000 ms", APIGW_TIMEOUT),
    CrossRule(_alb_zones, (*LOAD_BALANCERS, SUBNET), "an ALB's subnets span two Availability Zones", ALB_SUBNETS),
    CrossRule(_role_inline_total, (ROLE, ROLE_POLICY), "a role's inline policies add up to 10,240 characters at most",
              IAM_QUOTAS_URL),
)


def check_stack(graph: Graph) -> Iterator[tuple[Violation, str]]:
    """(violation, urn of the resource AWS would refuse) for every cross-resource rule."""
    for rule in CROSS_RESOURCE_RULES:
        try:
            yield from list(rule.check(graph))
        except Exception:  # noqa: BLE001 - fail soft: one rule's bug never aborts the analysis
            continue


__all__ = ["CROSS_RESOURCE_RULES", "CrossRule", "check_stack"]
