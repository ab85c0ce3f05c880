"""Stack-level placement checks that need more than one resource to judge.

* ``placement-broker-sidecar-single-task`` — an MQTT broker container (mosquitto,
  EMQX, ...) beside the bridge only works while the service has one task: with
  two, each task has its own broker and clients on one never see the other's messages.
* ``placement-gpu-instance-heavy-compute`` — GPU capacity belongs to an EC2
  heavy-compute workload that declares its profile, not to ECS capacity, an
  undeclared instance or a workload that says it needs no GPU.

Multi-AZ spread is a reliability concern, not the decision rule: see :mod:`.reliability`.

As everywhere in this pack, a value unknown at preview never makes a check pass.
"""

from __future__ import annotations

import re
from typing import Any, Iterator, Optional

from pulumi_policy import EnforcementLevel, Severity

from . import decision as d
from ._util import as_number, describe, each, is_unknown, json_value, stack_policy
from .graph import Graph, Node
from .workload import (
    ASG, EC2_INSTANCE, ECS_SERVICE, ECS_TASKDEF, LAUNCH_TEMPLATE, PLACEMENT_CONFIG, workloads,
)

APPAUTOSCALING_TARGET = "aws:appautoscaling/target:Target"

BROKER_SIDECAR = "placement-broker-sidecar-single-task"
GPU_INSTANCE = "placement-gpu-instance-heavy-compute"


# ---------------------------------------------------------------- broker sidecar

def _max_tasks(graph: Graph, svc: Node) -> tuple[Optional[int], str]:
    """The most tasks the service may run: desiredCount, or its scalable target's maxCapacity."""
    desired = svc.props.get("desiredCount")
    if is_unknown(desired):
        return None, "its desiredCount is unknown at preview"
    count, why = int(as_number(desired) or 0), f"desiredCount {int(as_number(desired) or 0)}"
    for target in graph.dependents(svc, types=[APPAUTOSCALING_TARGET]):
        cap = target.props.get("maxCapacity")
        if is_unknown(cap):
            return None, f"the maxCapacity of scalable target '{target.name}' is unknown at preview"
        if as_number(cap) is not None and as_number(cap) > count:
            count, why = int(as_number(cap)), f"scalable target '{target.name}' allows {int(as_number(cap))} tasks"
    return count, why


#: Tag on a task definition declaring its containers as space-separated name=image pairs.
CONTAINERS_TAG = "iot-tiers:containers"


def _declared_containers(td: Node) -> Optional[list[dict[str, str]]]:
    tags = td.props.get("tags")
    value = tags.get(CONTAINERS_TAG) if isinstance(tags, dict) else None
    if not isinstance(value, str) or is_unknown(value) or not value.strip():
        return None
    out = []
    for part in value.split():
        name, _, image = part.partition("=")
        out.append({"name": name, "image": image})
    return out


def _broker_check(graph: Graph, config: dict[str, Any]) -> Iterator[tuple[str, Optional[str]]]:
    pattern = re.compile("|".join(config["brokerImages"]), re.IGNORECASE)
    for svc in graph.of_type(ECS_SERVICE):
        tasks, tasks_why = _max_tasks(graph, svc)
        for td in graph.deps(svc, "taskDefinition", types=[ECS_TASKDEF]):
            containers = json_value(td.props.get("containerDefinitions"))
            label = describe(svc.type, svc.name)
            if is_unknown(containers):
                # The definitions hold values computed at deploy time (an image digest). A
                # known declaration stands in for them at preview; the real definitions are
                # checked again at `pulumi up`. Without one, an unverified check is no pass.
                containers = _declared_containers(td)
                if containers is None:
                    if tasks is None or tasks > 1:
                        yield (f"{label} may run more than one task ({tasks_why}), and the container definitions "
                               f"of task definition '{td.name}' are unknown at preview, so a broker sidecar cannot "
                               f"be ruled out; an unverified check is not a pass (declare the containers in the "
                               f"task definition's '{CONTAINERS_TAG}' tag as name=image pairs).", svc.urn)
                    continue
            containers = [c for c in containers or [] if isinstance(c, dict)]
            brokers = [c for c in containers
                       if pattern.search(str(c.get("image", ""))) or pattern.search(str(c.get("name", "")))]
            if not brokers or len(containers) < 2:
                continue
            names = ", ".join(f"'{c.get('name')}' ({c.get('image')})" for c in brokers)
            if tasks is None:
                yield (f"{label} runs broker sidecar {names} and {tasks_why}: with more than one task each task "
                       f"has its own broker.", svc.urn)
            elif tasks > 1:
                yield (f"{label} runs broker sidecar {names} next to "
                       f"{', '.join(repr(c.get('name')) for c in containers if c not in brokers)} with up to "
                       f"{tasks} tasks ({tasks_why}): each task gets its own broker, so a client connected to "
                       f"one task never sees messages published through another.", svc.urn)


# ---------------------------------------------------------------- GPU capacity

#: Other resources that can buy GPU instances without being a workload of the rule.
_OTHER_GPU_CAPACITY = (
    "aws:ec2/spotInstanceRequest:SpotInstanceRequest",
    "aws:ec2/spotFleetRequest:SpotFleetRequest",
    "aws:ec2/fleet:Fleet",
    "aws:batch/computeEnvironment:ComputeEnvironment",
)


def _instance_types(value: Any) -> Iterator[str]:
    """Every instanceType / instanceTypes string anywhere in ``value``."""
    if isinstance(value, dict):
        for k, v in value.items():
            if k in ("instanceType", "instanceTypes"):
                yield from (t for t in each(v) if isinstance(t, str) and not is_unknown(t))
            else:
                yield from _instance_types(v)
    elif isinstance(value, list):
        for v in value:
            yield from _instance_types(v)


def _gpu_check(graph: Graph, config: dict[str, Any]) -> Iterator[tuple[str, Optional[str]]]:
    for w in workloads(graph, config):
        if w.node.type not in (EC2_INSTANCE, ASG, LAUNCH_TEMPLATE):
            continue
        gpu = w.inferred.get("gpu")
        if not gpu or gpu.value is not True:
            continue
        if w.is_ecs_capacity:
            yield (f"{w.label}: {gpu.evidence}, but it is capacity for an ECS cluster, not an EC2 heavy-compute "
                   f"workload; GPU work belongs on EC2 as its own workload (HeavyComputeTier).", w.node.urn)
            continue
        if w.tag_error:
            continue  # placement-profile-consistent reports the tag
        profile, _why, missing = w.effective()
        if profile is None:
            yield (f"{w.label}: {gpu.evidence}, but it declares no workload profile ({', '.join(missing)} "
                   f"missing), so nothing says a heavy-compute workload needs it.", w.node.urn)
        elif w.declared.gpu is False:
            yield (f"{w.label}: {gpu.evidence}, but its workload declares {d.TAG_GPU}=false: GPU capacity "
                   f"for a workload that needs none.", w.node.urn)
    for n in graph.of_type(*_OTHER_GPU_CAPACITY):
        gpus = sorted({t for t in _instance_types(n.props) if d.instance_has_gpu(t)})
        if gpus:
            yield (f"{describe(n.type, n.name)} buys GPU instances ({', '.join(gpus)}) outside an EC2 "
                   f"heavy-compute workload.", n.urn)


# ---------------------------------------------------------------- exemptions

def exemption(graph: Graph, urn: Optional[str]) -> Optional[str]:
    """The reason of a resource's ``workload:exemption`` tag (None without one, or with an empty one)."""
    node = graph.get(urn) if urn else None
    tags = node.tags if node is not None else None
    reason = tags.get(d.TAG_EXEMPTION) if isinstance(tags, dict) else None
    return str(reason).strip() if isinstance(reason, str) and reason.strip() and not is_unknown(reason) else None


def unless_exempted(check):
    """Exempted resources are left to the concern's ``*-exempted`` policy, which reports them as advisory."""
    def wrapped(graph: Graph, config: dict[str, Any]):
        for message, urn in check(graph, config):
            if exemption(graph, urn) is None:
                yield message, urn
    return wrapped


def exempted_findings(graph: Graph, config: dict[str, Any], checks=None) -> Iterator[tuple[str, Optional[str]]]:
    """Findings of ``checks`` ((policy name, check) pairs; default the GPU check) on exempted
    resources, each prefixed with the policy and the exemption's reason."""
    for name, check in checks or [(GPU_INSTANCE, _gpu_check)]:
        for message, urn in check(graph, config):
            reason = exemption(graph, urn)
            if reason is not None:
                yield f"exempted from {name} ({d.TAG_EXEMPTION}: {reason}): {message}", urn


def exempted_policy(*, name: str, findings: str, remediation: str, check, config) -> Any:
    """The advisory policy that reports a concern's findings on exempted resources, with their reasons."""
    return stack_policy(
        name=name,
        description=f"A {findings} on a resource with a reasoned workload:exemption tag: reported with its reason, "
                    f"never blocking.",
        severity=Severity.LOW, remediation=remediation, check=check, config=config,
        enforcement_level=EnforcementLevel.ADVISORY)


POLICIES = [
    stack_policy(
        name=BROKER_SIDECAR,
        description="An MQTT broker container (mosquitto, EMQX, ...) next to the bridge only in a service that "
                    "runs a single task: with more tasks each has its own broker and clients are split.",
        severity=Severity.HIGH,
        remediation="Run the broker once, outside the bridge's tasks: AWS IoT Core, or a self-hosted broker on "
                    "EC2 (HeavyComputeTier, it keeps its data on disk), and point MQTT_BROKER_URL at it. "
                    "Or pin the service to one task.",
        check=_broker_check,
        config={"brokerImages": {
            "type": "array", "items": {"type": "string"},
            "default": ["mosquitto", "emqx", "vernemq", "hivemq", "nanomq"],
            "description": "Regular expressions matched against container images and names that are MQTT brokers.",
        }}),
    stack_policy(
        name=GPU_INSTANCE,
        description="GPU instance types (g*, p*, inf*, trn*, dl*) only in an EC2 heavy-compute workload: one "
                    "that declares its workload profile and does not declare workload:gpu=false; never as ECS "
                    "capacity or in undeclared instances, spot requests or batch environments.",
        severity=Severity.HIGH,
        remediation="Use a non-GPU instance type, or build the GPU work as an EC2 heavy-compute workload "
                    "(HeavyComputeTier) with its workload:* tags.",
        check=unless_exempted(_gpu_check), config=PLACEMENT_CONFIG),
]
