"""Fargate vCPUs: every Fargate service at its most tasks, and during a rolling deploy.

A service runs at most its scalable target's ``maxCapacity`` tasks (else ``desiredCount``; the provider's
default is 0), each of ``cpu`` / 1024 vCPUs (the task definition's ``cpu``). A rolling deploy starts new
tasks before it stops old ones, up to ``deploymentMaximumPercent`` of the count, rounded down (botocore
ecs DeploymentConfiguration.maximumPercent, default 200). Tasks on the FARGATE_SPOT capacity provider
count against the Spot quota: a capacity provider strategy gives each provider its ``base`` first, then
the rest by ``weight``, each share rounded up. An awsx ``FargateService`` that is opaque (under mocks)
is read from its inputs, its task size from ``taskDefinitionArgs.cpu``.
"""

from __future__ import annotations

import math
from typing import Any, Iterator, Mapping, Optional, Union

from .._util import dig
from ..cost.view import StackView
from ..graph import Node
from ._read import UNREADABLE, count, why
from .model import Need, NotAssessable, NotAssessed, Part, quota

SERVICE = "aws:ecs/service:Service"
AWSX_SERVICE = "awsx:ecs:FargateService"
TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition"
TARGET = "aws:appautoscaling/target:Target"
CLUSTER_PROVIDERS = "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders"
QUOTAS = {"FARGATE": "fargate.on_demand_vcpu", "FARGATE_SPOT": "fargate.spot_vcpu"}
DEFAULT_MAX_PERCENT = 200


def _strategy(view: StackView, node: Node) -> Optional[list[Mapping[str, Any]]]:
    """The capacity provider strategy the service's tasks follow: its own, its launch type's, or its
    cluster's default; None when the tasks do not run on Fargate."""
    p = node.props
    if node.type == AWSX_SERVICE:
        return p.get("capacityProviderStrategies") or [{"capacityProvider": "FARGATE", "base": 0, "weight": 1}]
    if p.get("capacityProviderStrategies"):
        strategy = p["capacityProviderStrategies"]
    elif p.get("launchType"):
        strategy = [{"capacityProvider": p["launchType"], "base": 0, "weight": 1}]
    else:
        strategy = []
        for cluster in view.deps(node, "cluster"):
            for cp in view.dependents(cluster, "clusterName", types=[CLUSTER_PROVIDERS]):
                strategy = cp.props.get("defaultCapacityProviderStrategies") or []
    if not any(s.get("capacityProvider") in QUOTAS for s in strategy if isinstance(s, Mapping)):
        return None
    return [s for s in strategy if isinstance(s, Mapping)]


def split(tasks: int, strategy: list[Mapping[str, Any]]) -> dict[str, int]:
    """Tasks per capacity provider: each provider's ``base`` first, the rest by ``weight``, rounded up."""
    out: dict[str, int] = {}
    left = tasks
    for s in strategy:
        base = min(left, int(s.get("base") or 0))
        out[s["capacityProvider"]] = out.get(s["capacityProvider"], 0) + base
        left -= base
    weights = {s["capacityProvider"]: float(s.get("weight") or 0) for s in strategy}
    total = sum(weights.values()) or 1.0
    for provider, weight in weights.items():
        out[provider] = out.get(provider, 0) + math.ceil(left * weight / total - 1e-9)
    return out


def _task_cpu(view: StackView, node: Node) -> float:
    if node.type == AWSX_SERVICE:
        cpu = count(node, "taskDefinitionArgs.cpu", value=dig(node.props, "taskDefinitionArgs", "cpu"))
        if cpu is None:
            raise NotAssessable("taskDefinitionArgs.cpu is not set (awsx sizes the task from its containers)")
        return cpu
    tds = view.deps(node, "taskDefinition", types=[TASK_DEFINITION])
    if not tds:
        raise NotAssessable("its task definition is not a resource of the stack, so its cpu is unknown")
    cpu = count(tds[0], "cpu")
    if cpu is None:
        raise NotAssessable(f"task definition {tds[0].name} sets no cpu")
    return cpu


def _max_tasks(view: StackView, node: Node) -> tuple[float, str]:
    for target in view.dependents(node, "resourceId", types=[TARGET]):
        if target.props.get("serviceNamespace") == "ecs":
            return count(target, "maxCapacity", 0), f"{target.name} maxCapacity"
    return count(node, "desiredCount", 0), "desiredCount"


def _parts(view: StackView, node: Node) -> list[tuple[str, Part]]:
    """(quota, part) for each capacity provider the service's tasks run on; [] when not on Fargate."""
    strategy = _strategy(view, node)
    if strategy is None:
        return []
    cpu = _task_cpu(view, node)
    tasks, basis = _max_tasks(view, node)
    pct = count(node, "deploymentMaximumPercent", DEFAULT_MAX_PERCENT)
    deploy = max(int(tasks), math.floor(tasks * pct / 100 + 1e-9))
    per_task = cpu / 1024
    how = (f"{node.name}: {tasks:g} tasks at most ({basis}) x {per_task:g} vCPU (cpu {cpu:g}) = "
           f"{tasks * per_task:g} vCPU; {deploy} tasks = {deploy * per_task:g} vCPU during a rolling deploy "
           f"at deploymentMaximumPercent {pct:g}%")
    out = []
    for provider, n in split(deploy, strategy).items():
        if provider in QUOTAS and n:
            share = how if n == deploy else f"{how}, {n} of them on {provider}"
            out.append((QUOTAS[provider], Part(node.name, node.type, n * per_task, share)))
    return out


def read(view: StackView) -> Iterator[Union[Need, NotAssessed]]:
    needs: dict[str, Need] = {}
    for node in view.of_type(SERVICE) + [n for n in view.of_type(AWSX_SERVICE) if view.is_opaque(n)]:
        try:
            parts = _parts(view, node)
        except UNREADABLE as exc:
            yield NotAssessed(node.name, node.type, "Fargate vCPUs", why(exc))
            continue
        for key, part in parts:
            needs.setdefault(key, Need(quota(key))).parts.append(part)
    yield from needs.values()

