"""Workloads as the decision rule sees them: declared tags plus traits read from the graph.

A *workload* is one compute resource the rule can place: a Lambda function, an ECS
service (with its task definition), a task definition no service runs, an EC2
instance, an Auto Scaling group (with its launch template), or a launch template
nothing in the stack uses. Each gets

* the service it is on (``on``),
* its declared profile (the ``workload:*`` tags of the resource and its task
  definition or launch template),
* traits inferred from the graph, each with the evidence that shows it, and
* the facts that could not be established because a value is unknown at preview.

Inference reads inputs and dependencies, which the engine knows at preview. Where
it must read a value that is unknown, it records that instead of guessing: the
placement policies turn such a record into a violation, never into a pass.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Optional

from . import decision as d
from ._util import as_bool, as_list, as_number, describe, dig, each, is_unknown, json_value
from .graph import Graph, Node

LAMBDA = "aws:lambda/function:Function"
LAMBDA_ALIAS = "aws:lambda/alias:Alias"
ECS_SERVICE = "aws:ecs/service:Service"
ECS_TASKDEF = "aws:ecs/taskDefinition:TaskDefinition"
ECS_CAPACITY_PROVIDER = "aws:ecs/capacityProvider:CapacityProvider"
ECS_CLUSTER_CAPACITY = "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders"
EC2_INSTANCE = "aws:ec2/instance:Instance"
LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
ASG = "aws:autoscaling/group:Group"
APIGW_INTEGRATION = "aws:apigatewayv2/integration:Integration"
APIGW_API = "aws:apigatewayv2/api:Api"
SQS_QUEUE = "aws:sqs/queue:Queue"
IAM_ROLE = "aws:iam/role:Role"
IAM_ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
IAM_POLICY = "aws:iam/policy:Policy"
IAM_ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
IAM_INSTANCE_PROFILE = "aws:iam/instanceProfile:InstanceProfile"
EBS_VOLUME = "aws:ebs/volume:Volume"
VOLUME_ATTACHMENT = "aws:ec2/volumeAttachment:VolumeAttachment"

#: Every resource type that carries a workload profile (ENGINEERING.md, "Contracts").
COMPUTE_TYPES = (LAMBDA, ECS_SERVICE, ECS_TASKDEF, EC2_INSTANCE, LAUNCH_TEMPLATE, ASG)

#: Resources whose presence means "this function runs per event".
LAMBDA_TRIGGER_TYPES = {
    "aws:lambda/eventSourceMapping:EventSourceMapping": "event source mapping",
    "aws:lambda/permission:Permission": "invoke permission",
    "aws:lambda/functionUrl:FunctionUrl": "function URL",
    APIGW_INTEGRATION: "API Gateway integration",
    "aws:sns/topicSubscription:TopicSubscription": "SNS subscription",
    "aws:cloudwatch/eventTarget:EventTarget": "EventBridge target",
    "aws:iot/topicRule:TopicRule": "IoT rule",
    "aws:s3/bucketNotification:BucketNotification": "S3 notification",
    "aws:scheduler/schedule:Schedule": "EventBridge schedule",
}

#: Fargate's ephemeral storage without asking for more, in GiB.
FARGATE_DEFAULT_EPHEMERAL_GB = 20
#: SQS's visibility timeout when a queue does not set one, in seconds.
SQS_DEFAULT_VISIBILITY_S = 30
#: Lambda's timeout when a function does not set one, in seconds.
LAMBDA_DEFAULT_TIMEOUT_S = 3

#: Config shared by the placement policies: the schema, with defaults and meaning.
PLACEMENT_CONFIG = {
    "largeDiskGb": {
        "type": "integer", "minimum": 1, "default": FARGATE_DEFAULT_EPHEMERAL_GB,
        "description": "Storage (GB) above which ephemeral storage or a volume counts as needing "
                       "local disk (rule step 0). Default 20: anything beyond Fargate's free 20 GiB.",
    },
}

_RECEIVE_ACTIONS = re.compile(r"^(\*|sqs:\*|sqs:receive\*|sqs:receivemessage)$", re.IGNORECASE)


@dataclass
class Trait:
    """An inferred value with the evidence that shows it (for messages)."""

    value: Any
    evidence: str
    #: A fact about the platform (Lambda has no GPU), not about the workload: it fills an
    #: undeclared field but never contradicts or overrides a declaration.
    platform: bool = False


@dataclass
class Workload:
    node: Node
    on: Optional[d.Service]
    related: list[Node] = field(default_factory=list)
    declared: d.DeclaredProfile = field(default_factory=d.DeclaredProfile)
    tag_error: Optional[str] = None
    inferred: dict[str, Trait] = field(default_factory=dict)
    #: Facts that could not be read at preview, as (profile field or None for all, what).
    unknowns: list[tuple[Optional[str], str]] = field(default_factory=list)
    is_ecs_capacity: bool = False

    def unknown(self, field_name: Optional[str], what: str) -> None:
        self.unknowns.append((field_name, what))

    def _declared_value(self, field_name: str) -> Any:
        return {"connections": self.declared.connections, "trigger": self.declared.trigger,
                "max-duration": self.declared.max_duration_s, "gpu": self.declared.gpu,
                "disk-gb": self.declared.disk_gb}[field_name]

    def placement_unknowns(self) -> list[str]:
        """Unknown facts the verdict depends on: those behind a field that is not declared."""
        return list(dict.fromkeys(what for f, what in self.unknowns
                                  if f is None or self._declared_value(f) is None))

    def unverifiable_declarations(self) -> list[str]:
        """Declared fields the graph could contradict, but whose evidence is unknown at preview."""
        return list(dict.fromkeys(f"declared {f} against {what}" for f, what in self.unknowns
                                  if f is not None and self._declared_value(f) is not None))

    @property
    def label(self) -> str:
        return describe(self.node.type, self.node.name)

    # ----------------------------------------------------------- the profile
    def effective(self) -> tuple[Optional[d.WorkloadProfile], list[str], list[str]]:
        """The profile the rule is applied to, how each field was known, and what is missing.

        Declared tags win; inferred traits fill the gaps. Returns ``(profile or None,
        provenance lines, missing tags)``; the profile is None when a field the rule
        needs is neither declared nor inferable.
        """
        decl, inf = self.declared, self.inferred
        why: list[str] = []
        missing: list[str] = []

        def pick(name: str, declared_value: Any, tag: str) -> Any:
            shown = (lambda v: ("persistent" if v else "none")) if name == "connections" else _fmt
            evidence = inf.get(name)
            if declared_value is not None:
                # Hard evidence of a need beats a declaration that denies it: a function
                # a WebSocket API integrates holds connections whatever its tag says.
                if (evidence is not None and not evidence.platform and evidence.value is True
                        and declared_value is False):
                    why.append(f"{name}={shown(True)} (declared {shown(False)}, but {evidence.evidence})")
                    return True
                why.append(f"{name}={shown(declared_value)} (declared {tag})")
                return declared_value
            if evidence is not None:
                why.append(f"{name}={shown(evidence.value)} (inferred: {evidence.evidence})")
                return evidence.value
            return None

        connections = pick("connections", decl.connections, d.TAG_CONNECTIONS)
        trigger = pick("trigger", decl.trigger, d.TAG_TRIGGER)
        max_duration = pick("max-duration", decl.max_duration_s, d.TAG_MAX_DURATION)
        gpu = pick("gpu", decl.gpu, d.TAG_GPU)
        disk = pick("disk-gb", decl.disk_gb, d.TAG_DISK_GB)
        durable = inf.get("durable-disk-gb")
        if durable is not None and durable.value > int(disk or 0):
            why.append(f"disk-gb={durable.value} (declared {disk}, but {durable.evidence})")
            disk = durable.value
        if connections is None:
            missing.append(d.TAG_CONNECTIONS)
        if trigger is None:
            missing.append(d.TAG_TRIGGER)
        if missing:
            return None, why, missing
        profile = d.WorkloadProfile(persistent_connections=bool(connections), trigger=trigger,
                                    max_duration_s=max_duration, gpu=bool(gpu), disk_gb=int(disk or 0))
        return profile, why, []

    def contradictions(self) -> list[str]:
        """Declared tags the graph shows to be false."""
        out = []
        decl, inf = self.declared, self.inferred
        if decl.connections is False and inf.get("connections") and inf["connections"].value is True:
            out.append(f"declares {d.TAG_CONNECTIONS}=none, but it holds persistent connections: "
                       f"{inf['connections'].evidence}")
        if decl.gpu is not None and "gpu" in inf and not inf["gpu"].platform and inf["gpu"].value != decl.gpu:
            out.append(f"declares {d.TAG_GPU}={_fmt(decl.gpu)}, but {inf['gpu'].evidence}")
        # Only durable disk contradicts a declaration: large ephemeral storage or a root
        # volume deleted with its instance fills an undeclared tag, but may be a cache.
        durable = inf.get("durable-disk-gb")
        if decl.disk_gb is not None and durable and durable.value and decl.disk_gb < durable.value:
            out.append(f"declares {d.TAG_DISK_GB}={decl.disk_gb}, but {durable.evidence}")
        if (decl.max_duration_s is not None and "max-duration" in inf and self.node.type == LAMBDA
                and decl.max_duration_s > inf["max-duration"].value):
            out.append(f"declares {d.TAG_MAX_DURATION}={decl.max_duration_s}, but "
                       f"{inf['max-duration'].evidence}: it is killed before such a unit of work ends")
        return out


def _fmt(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


# ---------------------------------------------------------------- discovery

def workloads(graph: Graph, config: dict[str, Any]) -> list[Workload]:
    """Every workload of the stack, with its declared profile and inferred traits."""
    large_disk = int(config.get("largeDiskGb", FARGATE_DEFAULT_EPHEMERAL_GB))
    out: list[Workload] = []
    used_taskdefs: set[str] = set()
    used_templates: set[str] = set()

    for svc in graph.of_type(ECS_SERVICE):
        taskdefs = graph.deps(svc, "taskDefinition", types=[ECS_TASKDEF])
        used_taskdefs.update(t.urn for t in taskdefs)
    for node in graph.of_type(EC2_INSTANCE, ASG):
        for lt in _templates_of(graph, node):
            used_templates.add(lt.urn)

    for node in graph.nodes:
        if node.type == LAMBDA:
            w = Workload(node, d.Service.LAMBDA)
            _infer_lambda(graph, w)
        elif node.type == ECS_SERVICE:
            w = Workload(node, None, related=graph.deps(node, "taskDefinition", types=[ECS_TASKDEF]))
            _infer_ecs(graph, w, large_disk)
        elif node.type == ECS_TASKDEF and node.urn not in used_taskdefs:
            w = Workload(node, None)
            _infer_ecs(graph, w, large_disk)
        elif node.type == EC2_INSTANCE:
            w = Workload(node, d.Service.EC2, related=_templates_of(graph, node))
            _infer_ec2(graph, w, large_disk)
        elif node.type == ASG:
            w = Workload(node, d.Service.EC2, related=_templates_of(graph, node))
            w.is_ecs_capacity = bool(graph.dependents(node, types=[ECS_CAPACITY_PROVIDER]))
            _infer_ec2(graph, w, large_disk)
        elif node.type == LAUNCH_TEMPLATE and node.urn not in used_templates:
            w = Workload(node, d.Service.EC2)
            _infer_ec2(graph, w, large_disk)
        else:
            continue
        _read_declared(w)
        out.append(w)
    return out


def _templates_of(graph: Graph, node: Node) -> list[Node]:
    return graph.deps(node, "launchTemplate", "mixedInstancesPolicy", types=[LAUNCH_TEMPLATE])


def _read_declared(w: Workload) -> None:
    """Merge the profile tags of the resource and its related resources (the resource wins)."""
    merged: dict[str, Any] = {}
    for n in [w.node, *w.related]:
        for source in _profile_tag_sources(n):
            if is_unknown(source):
                w.unknown(None, f"the tags of {describe(n.type, n.name)}")
                continue
            for k, v in source.items():
                if k.startswith("workload:") and k not in merged:
                    merged[k] = v
    unknown_values = [k for k, v in merged.items() if is_unknown(v)]
    for k in unknown_values:
        w.unknown(None, f"tag {k}")
        merged.pop(k)
    try:
        w.declared = d.declared_profile({k: str(v) for k, v in merged.items()})
    except d.TagError as exc:
        w.tag_error = str(exc)


def _profile_tag_sources(n: Node) -> list[Any]:
    sources = [n.tags]
    if n.type == LAUNCH_TEMPLATE:
        for spec in each(n.props.get("tagSpecifications")):
            if isinstance(spec, dict) and spec.get("resourceType") in (None, "instance"):
                sources.append(spec.get("tags") or {})
    return sources


# ---------------------------------------------------------------- Lambda

def _infer_lambda(graph: Graph, w: Workload) -> None:
    fn = w.node
    targets = [fn, *graph.dependents(fn, "functionName", types=[LAMBDA_ALIAS])]
    websocket, triggers = [], []
    for t in targets:
        for dep in graph.dependents(t):
            if dep.type in LAMBDA_TRIGGER_TYPES:
                triggers.append(f"{LAMBDA_TRIGGER_TYPES[dep.type]} '{dep.name}'")
            if dep.type == APIGW_INTEGRATION:
                for api in graph.deps(dep, "apiId", types=[APIGW_API]):
                    protocol = api.props.get("protocolType")
                    if is_unknown(protocol):
                        w.unknown("connections", f"the protocolType of apigatewayv2.Api '{api.name}'")
                    elif str(protocol).upper() == "WEBSOCKET":
                        websocket.append(f"integrated by apigatewayv2.Integration '{dep.name}' "
                                         f"of WEBSOCKET API '{api.name}'")
    if websocket:
        w.inferred["connections"] = Trait(True, "; ".join(websocket))
    else:
        # A function cannot keep a connection open between invocations; only an
        # API Gateway WebSocket API holds them on its behalf.
        w.inferred["connections"] = Trait(False, "a Lambda function holds no connection between invocations "
                                                 "and no WebSocket API integrates it", platform=True)
    if triggers:
        w.inferred["trigger"] = Trait("event", "invoked through " + ", ".join(sorted(set(triggers))))
    timeout = fn.props.get("timeout")
    if is_unknown(timeout):
        w.unknown("max-duration", "the function's timeout")
    else:
        seconds = int(as_number(timeout) or LAMBDA_DEFAULT_TIMEOUT_S)
        w.inferred["max-duration"] = Trait(seconds, f"its timeout is {seconds} s")
    w.inferred["gpu"] = Trait(False, "Lambda offers no GPU", platform=True)
    storage = as_number(dig(fn.props, "ephemeralStorage", "size"))
    if storage:
        w.inferred["disk-gb"] = Trait(0, f"its {int(storage)} MB of /tmp is ephemeral", platform=True)


# ---------------------------------------------------------------- ECS

def _ecs_service_on(graph: Graph, svc: Node, taskdefs: list[Node]) -> tuple[Optional[d.Service], Optional[str]]:
    launch = svc.props.get("launchType")
    if is_unknown(launch):
        return None, "the service's launchType"
    if launch:
        return (d.Service.FARGATE if str(launch).upper() == "FARGATE" else d.Service.EC2), None
    strategies = svc.props.get("capacityProviderStrategies")
    if is_unknown(strategies):
        return None, "the service's capacityProviderStrategies"
    if not strategies:
        # No strategy on the service: the cluster's default strategy applies.
        for cluster in graph.deps(svc, "cluster"):
            for ccp in graph.dependents(cluster, types=[ECS_CLUSTER_CAPACITY]):
                strategies = ccp.props.get("defaultCapacityProviderStrategies")
    providers = [str(dig(s, "capacityProvider", default="")) for s in each(strategies) if isinstance(s, dict)]
    if providers:
        return (d.Service.FARGATE if all(p.upper().startswith("FARGATE") for p in providers)
                else d.Service.EC2), None
    for td in taskdefs:
        compat = td.props.get("requiresCompatibilities")
        if isinstance(compat, list) and [str(c).upper() for c in compat] == ["FARGATE"]:
            return d.Service.FARGATE, None
    # ECS's own default when neither a launch type nor a strategy is given.
    return d.Service.EC2, None


def _infer_ecs(graph: Graph, w: Workload, large_disk: int) -> None:
    node = w.node
    taskdefs = w.related if node.type == ECS_SERVICE else [node]
    if node.type == ECS_SERVICE:
        w.on, unknown = _ecs_service_on(graph, node, taskdefs)
        if unknown:
            w.unknown(None, unknown)
    else:
        compat = node.props.get("requiresCompatibilities")
        if is_unknown(compat):
            w.unknown(None, "the task definition's requiresCompatibilities")
        w.on = d.Service.FARGATE if isinstance(compat, list) and "FARGATE" in [str(c).upper() for c in compat] \
            else d.Service.EC2
    for td in taskdefs:
        containers = json_value(td.props.get("containerDefinitions"))
        if is_unknown(containers):
            # Fargate runs no GPU task (AWS rejects the request), so only ECS on EC2
            # needs the definitions to know whether the workload has a GPU.
            if w.on is not d.Service.FARGATE:
                w.unknown("gpu", f"the container definitions of {describe(td.type, td.name)} (GPU requests)")
        else:
            for c in containers or []:
                for req in (c.get("resourceRequirements") or []) if isinstance(c, dict) else []:
                    if str(req.get("type", "")).upper() == "GPU":
                        w.inferred["gpu"] = Trait(True, f"container '{c.get('name')}' requests {req.get('value')} GPU")
        eph = dig(td.props, "ephemeralStorage", "sizeInGib")
        if is_unknown(eph):
            w.unknown("disk-gb", f"the ephemeral storage of {describe(td.type, td.name)}")
        elif as_number(eph) and as_number(eph) > large_disk:
            w.inferred["disk-gb"] = Trait(int(as_number(eph)), f"it asks for {int(as_number(eph))} GiB of "
                                                                 f"ephemeral storage (more than {large_disk})")
        for vol in each(td.props.get("volumes")):
            if not isinstance(vol, dict):
                continue
            docker = vol.get("dockerVolumeConfiguration") or {}
            if vol.get("hostPath") or (isinstance(docker, dict) and docker.get("scope") == "shared"):
                trait = Trait(max(1, w.inferred.get("disk-gb", Trait(0, "")).value),
                              f"volume '{vol.get('name')}' keeps data on the host's disk")
                w.inferred["disk-gb"] = trait
                w.inferred["durable-disk-gb"] = trait
        roles = graph.deps(td, "taskRoleArn", types=[IAM_ROLE])
        _infer_queue_consumer(graph, w, roles, f"its task role")


def _infer_queue_consumer(graph: Graph, w: Workload, roles: list[Node], whose: str) -> None:
    """A role allowed sqs:ReceiveMessage makes the workload a queue consumer: event work.

    Each job is bounded by the queue's visibility timeout (a consumer that takes
    longer sees its message delivered again), so that bounds ``max-duration``.
    """
    evidence, timeouts = [], []
    for role in roles:
        for doc_node, prop in _role_documents(graph, role):
            doc = json_value(doc_node.props.get(prop)) if prop != "inlinePolicies" else None
            queues = graph.deps(doc_node, prop, types=[SQS_QUEUE])
            if prop == "inlinePolicies":
                docs = [json_value(p.get("policy")) for p in each(doc_node.props.get("inlinePolicies"))
                        if isinstance(p, dict)]
            else:
                docs = [doc]
            receives = False
            for doc in docs:
                if is_unknown(doc):
                    # The document embeds ARNs not known yet; its dependencies are.
                    if queues:
                        receives = True
                        evidence.append(f"{whose} has a policy that refers to queue(s) "
                                        f"{', '.join(repr(q.name) for q in queues)} (actions unknown at preview)")
                    continue
                if _allows_receive(doc):
                    receives = True
                    evidence.append(f"{whose} may sqs:ReceiveMessage"
                                    + (f" from {', '.join(repr(q.name) for q in queues)}" if queues else ""))
            if receives:
                for q in queues:
                    vt = q.props.get("visibilityTimeoutSeconds")
                    if is_unknown(vt):
                        w.unknown("max-duration", f"the visibility timeout of queue '{q.name}'")
                    else:
                        timeouts.append((int(as_number(vt) or SQS_DEFAULT_VISIBILITY_S), q.name))
    if evidence:
        w.inferred["trigger"] = Trait("event", "; ".join(dict.fromkeys(evidence)))
        if timeouts:
            longest, qname = max(timeouts)
            w.inferred["max-duration"] = Trait(longest, f"queue '{qname}' gives each job {longest} s "
                                                        f"(its visibility timeout)")


def _role_documents(graph: Graph, role: Node) -> Iterable[tuple[Node, str]]:
    yield role, "inlinePolicies"
    for rp in graph.dependents(role, "role", types=[IAM_ROLE_POLICY]):
        yield rp, "policy"
    for att in graph.dependents(role, "role", types=[IAM_ATTACHMENT]):
        for pol in graph.deps(att, "policyArn", types=[IAM_POLICY]):
            yield pol, "policy"


def _allows_receive(doc: Any) -> bool:
    if not isinstance(doc, dict):
        return False
    for st in as_list(doc.get("Statement")):
        if not isinstance(st, dict) or st.get("Effect") != "Allow":
            continue
        if any(isinstance(a, str) and _RECEIVE_ACTIONS.match(a) for a in as_list(st.get("Action"))):
            return True
    return False


# ---------------------------------------------------------------- EC2

def _infer_ec2(graph: Graph, w: Workload, large_disk: int) -> None:
    nodes = [w.node, *w.related]
    types = []
    for n in nodes:
        it = n.props.get("instanceType")
        if is_unknown(it):
            w.unknown("gpu", f"the instance type of {describe(n.type, n.name)}")
        elif it:
            types.append(str(it))
        for o in each(dig(n.props, "mixedInstancesPolicy", "launchTemplate", "overrides")):
            if isinstance(o, dict) and isinstance(o.get("instanceType"), str) and not is_unknown(o["instanceType"]):
                types.append(o["instanceType"])
    if types:
        gpu_types = sorted({t for t in types if d.instance_has_gpu(t)})
        if gpu_types:
            w.inferred["gpu"] = Trait(True, f"instance type {', '.join(gpu_types)} has a GPU")
        elif not any(f == "gpu" for f, _ in w.unknowns):
            w.inferred["gpu"] = Trait(False, f"instance type {', '.join(sorted(set(types)))} has no GPU")

    # Volumes: the root volume holds the OS and counts (once) only when it is itself
    # large; a volume that outlives its instance (an attached ebs.Volume, or
    # deleteOnTermination=false) is durable disk.
    disk, durable, parts, durable_parts, root_counted = 0, 0, [], [], False

    def add(size: float, what: str, keeps: bool) -> None:
        nonlocal disk, durable
        disk += int(size)
        parts.append(what)
        if keeps:
            durable += int(size)
            durable_parts.append(what)

    for n in nodes:
        roots = [(dig(n.props, "rootBlockDevice") or {})]
        mappings = [m for m in each(n.props.get("blockDeviceMappings")) if isinstance(m, dict)]
        if mappings:
            roots.append(dig(mappings[0], "ebs") or {})
        for root in roots:
            size = as_number(dig(root, "volumeSize"))
            if size and size > large_disk and not root_counted:
                root_counted = True
                add(size, f"a {int(size)} GB root volume", as_bool(dig(root, "deleteOnTermination")) is False)
        for dev in each(n.props.get("ebsBlockDevices")):
            size = as_number(dig(dev, "volumeSize"))
            if size:
                add(size, f"a {int(size)} GB EBS volume ({dig(dev, 'deviceName', default='?')})",
                    as_bool(dig(dev, "deleteOnTermination")) is False)
        for m in mappings[1:]:
            size = as_number(dig(m, "ebs", "volumeSize"))
            if size:
                add(size, f"a {int(size)} GB volume ({dig(m, 'deviceName', default='?')})",
                    as_bool(dig(m, "ebs", "deleteOnTermination")) is False)
    for att in graph.dependents(w.node, "instanceId", types=[VOLUME_ATTACHMENT]):
        for vol in graph.deps(att, "volumeId", types=[EBS_VOLUME]):
            size = as_number(vol.props.get("size"))
            if size:
                add(size, f"attached volume '{vol.name}' of {int(size)} GB", True)
    if disk:
        w.inferred["disk-gb"] = Trait(disk, "it has " + ", ".join(parts))
    if durable:
        w.inferred["durable-disk-gb"] = Trait(durable, "it keeps " + ", ".join(durable_parts))

    roles: list[Node] = []
    for n in nodes:
        for prof in graph.deps(n, "iamInstanceProfile", types=[IAM_INSTANCE_PROFILE]):
            roles.extend(graph.deps(prof, "role", types=[IAM_ROLE]))
    _infer_queue_consumer(graph, w, roles, "its instance role")
