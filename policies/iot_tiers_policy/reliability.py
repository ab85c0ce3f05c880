"""Reliability: production resources survive the loss of one availability zone.

* ``reliability-multi-az`` — ECS services (tasks and subnets), Lambda VPC subnets,
  auto-scaling groups, load balancers, RDS and VPCs span at least ``minAzs`` AZs, ECS
  services keep ``minTasks`` tasks, and no workload is a single EC2 instance (unless
  ``allowSingleInstances``). Mandatory in the production profile, disabled by the
  development one (:mod:`.environment`).
* ``reliability-exempted`` — advisory: a multi-AZ finding on a resource with a reasoned
  ``workload:exemption`` tag, reported with its reason instead of blocking.

This is not the decision rule (that is :mod:`.placement`): where a workload runs and
how many zones it spans are separate questions. Until this module, the multi-AZ check
was ``placement-multi-az-prod``; its configuration is unchanged.

As everywhere in this pack, a value unknown at preview never makes a check pass, and
opaque awsx components are judged from their inputs, expanded ones through their children.
"""

from __future__ import annotations

from typing import Any, Iterator, Optional

from pulumi_policy import Severity

from ._util import as_bool, as_number, describe, dig, each, hashable, is_unknown, stack_policy
from .graph import Graph, Node
from .stack_checks import APPAUTOSCALING_TARGET, exempted_findings, exempted_policy, unless_exempted
from .workload import ASG, AWSX_EC2_SERVICE, AWSX_FARGATE_SERVICE, EC2_INSTANCE, ECS_SERVICE, LAMBDA

MULTI_AZ = "reliability-multi-az"
EXEMPTED = "reliability-exempted"
#: The name the multi-AZ check had before it left the placement concern.
FORMER_NAME = "placement-multi-az-prod"

SUBNET = "aws:ec2/subnet:Subnet"
AWSX_VPC = "awsx:ec2:Vpc"
LOAD_BALANCERS = ("aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer")
RDS_INSTANCE = "aws:rds/instance:Instance"
#: awsx.ec2.Vpc spreads its subnets over this many AZs unless told otherwise (pulumi_awsx/ec2/vpc.py).
AWSX_DEFAULT_AZS = 3
#: An awsx ECS service runs one task unless told otherwise.
AWSX_DEFAULT_DESIRED_COUNT = 1


def _az_count(graph: Graph, node: Node, props: tuple[str, ...], value: Any) -> tuple[Optional[int], str]:
    """How many AZs a subnet list spans, read from the subnets and VPCs it depends on."""
    subnets = graph.deps(node, *props, types=[SUBNET])
    if subnets:
        azs = set()
        for s in subnets:
            az = s.props.get("availabilityZone") or s.props.get("availabilityZoneId")
            if az is None or is_unknown(az):
                return None, f"the availability zone of subnet '{s.name}' is unknown at preview"
            azs.add(hashable(az))
        return len(azs), f"its subnets are in {', '.join(sorted(map(str, azs)))}"
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
    distinct = {hashable(i) for i in ids}
    return len(distinct), f"it names {len(distinct)} distinct subnet(s)"


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

    for svc in graph.judged_nodes(ECS_SERVICE, AWSX_FARGATE_SERVICE, AWSX_EC2_SERVICE):
        label = describe(svc.type, svc.name)
        subnets = dig(svc.props, "networkConfiguration", "subnets")
        if subnets is not None and not isinstance(subnets, (list, str)):
            subnets = None
        if subnets is not None:
            msg = judge(svc, ("networkConfiguration",), subnets, "tasks' subnets")
            if msg:
                yield msg, svc.urn
        desired = svc.props.get("desiredCount")
        if desired is None and svc.type != ECS_SERVICE:
            desired = AWSX_DEFAULT_DESIRED_COUNT
        floor = None if is_unknown(desired) else int(as_number(desired) or 0)
        for target in graph.dependents(svc, types=[APPAUTOSCALING_TARGET]):
            cap = target.props.get("minCapacity")
            floor = None if is_unknown(cap) or floor is None else max(floor, int(as_number(cap) or 0))
        if floor is None:
            yield f"{label}: cannot verify it keeps {min_tasks} tasks (task count unknown at preview).", svc.urn
        elif floor < min_tasks:
            yield (f"{label} keeps {floor} task(s): fewer than {min_tasks} tasks cannot span {min_azs} AZs, so "
                   f"one AZ outage stops it.", svc.urn)
    for fn in graph.judged_nodes(LAMBDA):
        subnets = dig(fn.props, "vpcConfig", "subnetIds")
        if subnets is not None:
            msg = judge(fn, ("vpcConfig",), subnets, "VPC subnets")
            if msg:
                yield msg, fn.urn
    for asg in graph.judged_nodes(ASG):
        zones = asg.props.get("vpcZoneIdentifiers")
        if zones is not None:
            msg = judge(asg, ("vpcZoneIdentifiers",), zones, "subnets")
        else:
            azs = asg.props.get("availabilityZones")
            if is_unknown(azs):
                msg = f"{describe(asg.type, asg.name)}: cannot verify its availability zones (unknown at preview)."
            else:
                n = len({hashable(a) for a in each(azs)})
                msg = None if n >= min_azs else (f"{describe(asg.type, asg.name)} spans {n} AZ(s); production "
                                                 f"needs at least {min_azs}.")
        if msg:
            yield msg, asg.urn
    for lb in graph.judged_nodes(*LOAD_BALANCERS):
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
        for inst in graph.judged_nodes(EC2_INSTANCE):
            yield (f"{describe(inst.type, inst.name)} is a single instance, so it lives in one AZ; run it from an "
                   f"auto-scaling group spanning {min_azs} AZs.", inst.urn)
    for db in graph.judged_nodes(RDS_INSTANCE):
        multi = db.props.get("multiAz")
        if is_unknown(multi) or as_bool(multi) is not True:
            yield f"{describe(db.type, db.name)} is not Multi-AZ (multiAz is not true).", db.urn
    for vpc in graph.judged_nodes(AWSX_VPC):
        n = vpc.props.get("numberOfAvailabilityZones")
        if not is_unknown(n) and n is not None and int(as_number(n) or 0) < min_azs:
            yield f"{describe(vpc.type, vpc.name)} spans {int(as_number(n) or 0)} AZ(s); production needs {min_azs}.", vpc.urn


MULTI_AZ_CONFIG = {
    "minAzs": {"type": "integer", "minimum": 1, "default": 2,
               "description": "Fewest availability zones a production resource may span. Default 2."},
    "minTasks": {"type": "integer", "minimum": 1, "default": 2,
                 "description": "Fewest tasks an ECS service may keep. Default 2."},
    "allowSingleInstances": {"type": "boolean", "default": False,
                             "description": "Accept stand-alone EC2 instances. Default false."},
}


def _exempted(graph: Graph, config: dict[str, Any]) -> Iterator[tuple[str, Optional[str]]]:
    yield from exempted_findings(graph, config, [(MULTI_AZ, _multi_az_check)])


POLICIES = [
    stack_policy(
        name=MULTI_AZ,
        description="Production resources span availability zones: ECS services (tasks and subnets), Lambda VPC "
                    "subnets, auto-scaling groups, load balancers, RDS, VPCs; no single EC2 instances.",
        severity=Severity.HIGH,
        remediation="Give the resource subnets in at least minAzs AZs (awsx.ec2.Vpc does by default), run at "
                    "least minTasks ECS tasks, and run instances from an auto-scaling group across AZs.",
        check=unless_exempted(_multi_az_check), config=MULTI_AZ_CONFIG),
    exempted_policy(
        name=EXEMPTED, findings="multi-AZ finding",
        remediation="Review the exemption's reason; remove the tag once the resource spans availability zones.",
        check=_exempted, config=MULTI_AZ_CONFIG),
]
