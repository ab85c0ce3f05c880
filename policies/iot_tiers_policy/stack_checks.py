"""Stack-level placement checks that need more than one resource to judge.

* ``placement-broker-sidecar-single-task`` — an MQTT broker container (mosquitto,
  EMQX, ...) beside the bridge only works while the service has one task: with
  two, each task has its own broker and clients on one never see the other's messages.
* ``placement-gpu-instance-heavy-compute`` — GPU capacity belongs to an EC2
  heavy-compute workload that declares its profile, not to ECS capacity, an
  undeclared instance or a workload that says it needs no GPU.
* ``placement-multi-az-prod`` — production resources span availability zones
  (enabled by policies/config/prod.json, disabled in dev).

As everywhere in this pack, a value unknown at preview never makes a check pass.
"""

from __future__ import annotations

import re
from typing import Any, Iterator, Optional

from pulumi_policy import Severity

from . import decision as d
from ._util import as_bool, as_number, describe, dig, each, is_unknown, json_value, stack_policy
from .graph import Graph, Node
from .workload import (
    ASG, EC2_INSTANCE, ECS_SERVICE, ECS_TASKDEF, LAMBDA, LAUNCH_TEMPLATE, PLACEMENT_CONFIG, workloads,
)

APPAUTOSCALING_TARGET = "aws:appautoscaling/target:Target"
SUBNET = "aws:ec2/subnet:Subnet"
AWSX_VPC = "awsx:ec2:Vpc"
LOAD_BALANCERS = ("aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer")
RDS_INSTANCE = "aws:rds/instance:Instance"
#: awsx.ec2.Vpc spreads its subnets over this many AZs unless told otherwise.
AWSX_DEFAULT_AZS = 3

BROKER_SIDECAR = "placement-broker-sidecar-single-task"
GPU_INSTANCE = "placement-gpu-instance-heavy-compute"
MULTI_AZ = "placement-multi-az-prod"


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


# ---------------------------------------------------------------- multi-AZ

def _az_count(graph: Graph, node: Node, props: tuple[str, ...], value: Any) -> tuple[Optional[int], str]:
    """How many AZs a subnet list spans, read from the subnets and VPCs it depends on."""
    subnets = graph.deps(node, *props, types=[SUBNET])
    if subnets:
        azs = set()
        for s in subnets:
            az = s.props.get("availabilityZone") or s.props.get("availabilityZoneId")
            if az is None or is_unknown(az):
                return None, f"the availability zone of subnet '{s.name}' is unknown at preview"
            azs.add(az)
        return len(azs), f"its subnets are in {', '.join(sorted(azs))}"
    vpcs = graph.deps(node, *props, types=[AWSX_VPC])
    if vpcs:
        counts = []
        for v in vpcs:
            names = v.props.get("availabilityZoneNames")
            n = v.props.get("numberOfAvailabilityZones")
            if is_unknown(names) or is_unknown(n):
                return None, f"the AZs of VPC '{v.name}' are unknown at preview"
            counts.append(len(names) if names else int(as_number(n) or AWSX_DEFAULT_AZS))
        return min(counts), f"VPC '{vpcs[0].name}' spans {min(counts)} AZ(s)"
    if is_unknown(value):
        return None, "its subnets are unknown at preview"
    ids = [v for v in each(value) if not is_unknown(v)]
    if len(ids) != len(list(each(value))):
        return None, "some of its subnets are unknown at preview"
    # Literal subnet ids: AWS gives each AZ its own subnets, so distinct ids are
    # counted as distinct AZs (a stack file naming two subnets of one AZ defeats this).
    return len(set(ids)), f"it names {len(set(ids))} distinct subnet(s)"


def _multi_az_check(graph: Graph, config: dict[str, Any]) -> Iterator[tuple[str, Optional[str]]]:
    min_azs, min_tasks = int(config["minAzs"]), int(config["minTasks"])

    def judge(node: Node, props: tuple[str, ...], value: Any, what: str):
        count, why = _az_count(graph, node, props, value)
        label = describe(node.type, node.name)
        if count is None:
            return f"{label}: cannot verify that its {what} span {min_azs} AZs: {why}; an unverified check is not a pass."
        if count < min_azs:
            return f"{label}: its {what} span {count} AZ(s) ({why}); production needs at least {min_azs}."
        return None

    for svc in graph.of_type(ECS_SERVICE):
        label = describe(svc.type, svc.name)
        subnets = dig(svc.props, "networkConfiguration", "subnets")
        if subnets is not None:
            msg = judge(svc, ("networkConfiguration",), subnets, "tasks' subnets")
            if msg:
                yield msg, svc.urn
        desired = svc.props.get("desiredCount")
        floor = None if is_unknown(desired) else int(as_number(desired) or 0)
        for target in graph.dependents(svc, types=[APPAUTOSCALING_TARGET]):
            cap = target.props.get("minCapacity")
            floor = None if is_unknown(cap) or floor is None else max(floor, int(as_number(cap) or 0))
        if floor is None:
            yield f"{label}: cannot verify it keeps {min_tasks} tasks (task count unknown at preview).", svc.urn
        elif floor < min_tasks:
            yield (f"{label} keeps {floor} task(s): fewer than {min_tasks} tasks cannot span {min_azs} AZs, so "
                   f"one AZ outage stops it.", svc.urn)
    for fn in graph.of_type(LAMBDA):
        subnets = dig(fn.props, "vpcConfig", "subnetIds")
        if subnets is not None:
            msg = judge(fn, ("vpcConfig",), subnets, "VPC subnets")
            if msg:
                yield msg, fn.urn
    for asg in graph.of_type(ASG):
        zones = asg.props.get("vpcZoneIdentifiers")
        if zones is not None:
            msg = judge(asg, ("vpcZoneIdentifiers",), zones, "subnets")
        else:
            azs = asg.props.get("availabilityZones")
            if is_unknown(azs):
                msg = f"{describe(asg.type, asg.name)}: cannot verify its availability zones (unknown at preview)."
            else:
                n = len(set(each(azs)))
                msg = None if n >= min_azs else (f"{describe(asg.type, asg.name)} spans {n} AZ(s); production "
                                                 f"needs at least {min_azs}.")
        if msg:
            yield msg, asg.urn
    for lb in graph.of_type(*LOAD_BALANCERS):
        subnets = lb.props.get("subnets")
        if subnets is None and lb.props.get("subnetMappings") is not None:
            subnets = [dig(m, "subnetId") for m in each(lb.props.get("subnetMappings"))]
            props: tuple[str, ...] = ("subnetMappings",)
        else:
            props = ("subnets",)
        if subnets is not None:
            msg = judge(lb, props, subnets, "subnets")
            if msg:
                yield msg, lb.urn
    if not config["allowSingleInstances"]:
        for inst in graph.of_type(EC2_INSTANCE):
            yield (f"{describe(inst.type, inst.name)} is a single instance, so it lives in one AZ; run it from an "
                   f"auto-scaling group spanning {min_azs} AZs.", inst.urn)
    for db in graph.of_type(RDS_INSTANCE):
        multi = db.props.get("multiAz")
        if is_unknown(multi) or as_bool(multi) is not True:
            yield f"{describe(db.type, db.name)} is not Multi-AZ (multiAz is not true).", db.urn
    for vpc in graph.of_type(AWSX_VPC):
        n = vpc.props.get("numberOfAvailabilityZones")
        if not is_unknown(n) and n is not None and int(as_number(n) or 0) < min_azs:
            yield f"{describe(vpc.type, vpc.name)} spans {int(as_number(n) or 0)} AZ(s); production needs {min_azs}.", vpc.urn


# ---------------------------------------------------------------- exemptions

MULTI_AZ_CONFIG = {
    "minAzs": {"type": "integer", "minimum": 1, "default": 2,
               "description": "Fewest availability zones a production resource may span. Default 2."},
    "minTasks": {"type": "integer", "minimum": 1, "default": 2,
                 "description": "Fewest tasks an ECS service may keep. Default 2."},
    "allowSingleInstances": {"type": "boolean", "default": False,
                             "description": "Accept stand-alone EC2 instances. Default false."},
}


def exemption(graph: Graph, urn: Optional[str]) -> Optional[str]:
    """The reason of a resource's ``workload:exemption`` tag (None without one, or with an empty one)."""
    node = graph.get(urn) if urn else None
    tags = node.tags if node is not None else None
    reason = tags.get(d.TAG_EXEMPTION) if isinstance(tags, dict) else None
    return str(reason).strip() if isinstance(reason, str) and reason.strip() and not is_unknown(reason) else None


def _unless_exempted(check):
    """Exempted resources are left to placement-exempted, which reports them as advisory."""
    def wrapped(graph: Graph, config: dict[str, Any]):
        for message, urn in check(graph, config):
            if exemption(graph, urn) is None:
                yield message, urn
    return wrapped


def exempted_findings(graph: Graph, config: dict[str, Any]) -> Iterator[tuple[str, Optional[str]]]:
    """GPU and (when ``checkMultiAz``) multi-AZ findings on exempted resources, for placement-exempted."""
    checks = [(GPU_INSTANCE, _gpu_check)]
    if config.get("checkMultiAz", True):
        checks.append((MULTI_AZ, _multi_az_check))
    for name, check in checks:
        for message, urn in check(graph, config):
            reason = exemption(graph, urn)
            if reason is not None:
                yield f"exempted from {name} ({d.TAG_EXEMPTION}: {reason}): {message}", urn


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
        check=_unless_exempted(_gpu_check), config=PLACEMENT_CONFIG),
    stack_policy(
        name=MULTI_AZ,
        description="Production resources span availability zones: ECS services (tasks and subnets), Lambda VPC "
                    "subnets, auto-scaling groups, load balancers, RDS, VPCs; no single EC2 instances.",
        severity=Severity.HIGH,
        remediation="Give the resource subnets in at least minAzs AZs (awsx.ec2.Vpc does by default), run at "
                    "least minTasks ECS tasks, and run instances from an auto-scaling group across AZs.",
        check=_unless_exempted(_multi_az_check), config=MULTI_AZ_CONFIG),
]
