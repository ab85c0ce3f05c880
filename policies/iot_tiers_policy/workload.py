"""Workloads as the decision rule sees them: declared tags plus traits read from the graph.

A *workload* is one compute resource the rule can place: a Lambda function, an ECS
service (with its task definition), a task definition no service runs, an EC2
instance, an Auto Scaling group (with its launch template), a launch template
nothing in the stack uses, or an opaque awsx ECS service or task definition (judged
from its inputs, see :mod:`.graph`). Each gets

* the service it is on (``on``),
* its declared profile (the ``workload:*`` tags of the resource, its task definition or
  launch template, and the remote component that created it),
* traits inferred from the graph, each with the evidence that shows it, and
* the facts that could not be established because a value is unknown at preview.

Local storage follows ENGINEERING.md's contract. *Durable* local disk is a volume that
outlives the instance (a separate EBS volume attached to it, a root or data volume with
delete-on-termination off) or an instance store the workload maps and depends on. Other
local storage (a data volume deleted with the instance, Fargate ephemeral storage) is
*scratch*: only a need above the 200 GiB Fargate can give is a reason for EC2. A root
volume deleted with its instance counts for nothing, whatever its size: it holds the OS.

Inference reads inputs and dependencies, which the engine knows at preview. Where
it must read a value that is unknown, it records that instead of guessing: the
placement policies turn such a record into a violation, never into a pass.

Compute the rule does not name (:data:`UNASSESSED_COMPUTE`) is listed by
:func:`unassessed` so that it is reported, never passed silently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Optional

from . import decision as d
from ._util import as_bool, as_list, as_size, describe, dig, each, failure_reason, is_unknown, json_value
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
AWSX_FARGATE_SERVICE = "awsx:ecs:FargateService"
AWSX_EC2_SERVICE = "awsx:ecs:EC2Service"
AWSX_FARGATE_TASKDEF = "awsx:ecs:FargateTaskDefinition"
AWSX_EC2_TASKDEF = "awsx:ecs:EC2TaskDefinition"

#: Every resource type that carries a workload profile (ENGINEERING.md, "Contracts").
COMPUTE_TYPES = (LAMBDA, ECS_SERVICE, ECS_TASKDEF, EC2_INSTANCE, LAUNCH_TEMPLATE, ASG)
#: awsx components that are workloads while they are opaque (judged from their inputs).
AWSX_WORKLOADS = {AWSX_FARGATE_SERVICE: d.Service.FARGATE, AWSX_EC2_SERVICE: d.Service.EC2,
                  AWSX_FARGATE_TASKDEF: d.Service.FARGATE, AWSX_EC2_TASKDEF: d.Service.EC2}

#: Compute the decision rule does not name: reported as not assessed, never passed silently.
UNASSESSED_COMPUTE = {
    "aws:apprunner/service:Service": "App Runner service",
    "aws:batch/computeEnvironment:ComputeEnvironment": "AWS Batch compute environment",
    "aws:batch/jobDefinition:JobDefinition": "AWS Batch job definition",
    "aws:eks/nodeGroup:NodeGroup": "EKS node group",
    "aws:eks/fargateProfile:FargateProfile": "EKS Fargate profile",
    "aws:sfn/activity:Activity": "Step Functions activity",
    "aws:lightsail/instance:Instance": "Lightsail instance",
    "aws:lightsail/containerService:ContainerService": "Lightsail container service",
    "aws:elasticbeanstalk/environment:Environment": "Elastic Beanstalk environment",
    "aws:emr/cluster:Cluster": "EMR cluster",
    "aws:glue/job:Job": "Glue job",
    "aws:sagemaker/endpoint:Endpoint": "SageMaker endpoint",
    "aws:ec2/spotInstanceRequest:SpotInstanceRequest": "EC2 spot instance request",
    "aws:ec2/spotFleetRequest:SpotFleetRequest": "EC2 spot fleet request",
    "aws:ec2/fleet:Fleet": "EC2 fleet",
}

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

#: SQS's visibility timeout when a queue does not set one, in seconds.
SQS_DEFAULT_VISIBILITY_S = 30
#: Kept for callers of the first version (the default is the decision module's).
LAMBDA_DEFAULT_TIMEOUT_S = d.LAMBDA_DEFAULT_TIMEOUT_S
FARGATE_DEFAULT_EPHEMERAL_GB = d.FARGATE_FREE_EPHEMERAL_GB
#: Device names AMIs use for their root volume; other mappings are data volumes.
ROOT_DEVICE_NAMES = frozenset({"/dev/xvda", "/dev/sda1", "/dev/sda", "xvda", "sda1"})

#: Config shared by the placement policies: the schema, with defaults and meaning.
PLACEMENT_CONFIG = {
    "lambdaMaxDurationS": {
        "type": "integer", "minimum": 1, "maximum": d.LAMBDA_MANAGED_INSTANCES_TIMEOUT_LIMIT_S,
        "default": d.RULE_LAMBDA_THRESHOLD_S,
        "description": "The rule's step-2 threshold in seconds: event work done in under it belongs on Lambda. "
                       "Default 900, the decision guide's 15 minutes. It is the rule's, not AWS's: Lambda itself "
                       "allows timeouts up to 1,800 s (5,400 s for asynchronous and event-source-mapping "
                       "invocations on Lambda Managed Instances).",
    },
    "fargateMaxStorageGb": {
        "type": "integer", "minimum": 1, "default": d.FARGATE_MAX_EPHEMERAL_GB,
        "description": "Local storage (GiB) Fargate can give a task: 20 free, up to 200 configurable. A need for "
                       "non-durable local storage above it is rule step 0 (EC2); durable local disk always is. "
                       "Default 200.",
    },
}

_RECEIVE_ACTIONS = re.compile(r"^(\*|sqs:\*|sqs:receive\*|sqs:receivemessage)$", re.IGNORECASE)


def rule_settings(config: dict[str, Any]) -> dict[str, int]:
    """The keyword arguments of :func:`decision.place` that a policy's config sets."""
    return {"lambda_threshold_s": as_size(config.get("lambdaMaxDurationS")) or d.RULE_LAMBDA_THRESHOLD_S,
            "fargate_max_storage_gb": as_size(config.get("fargateMaxStorageGb")) or d.FARGATE_MAX_EPHEMERAL_GB}


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
    #: An exemption tag without a reason: reported, and the workload is judged as not exempted.
    exemption_error: Optional[str] = None
    inferred: dict[str, Trait] = field(default_factory=dict)
    #: Facts that could not be read at preview, as (profile field or None for all, what).
    unknowns: list[tuple[Optional[str], str]] = field(default_factory=list)
    is_ecs_capacity: bool = False
    #: Why the workload could not be evaluated (an unexpected input broke the inference).
    error: Optional[str] = None

    def unknown(self, field_name: Optional[str], what: str) -> None:
        self.unknowns.append((field_name, what))

    def _declared_value(self, field_name: str) -> Any:
        return {"connections": self.declared.connections, "trigger": self.declared.trigger,
                "max-duration": self.declared.max_duration_s, "gpu": self.declared.gpu,
                "disk-gb": self.declared.disk_gb, "scratch-gb": None}[field_name]

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
        scratch = inf.get("scratch-gb")
        if scratch is not None and scratch.value:
            why.append(f"scratch-gb={scratch.value} (inferred: {scratch.evidence})")
        if connections is None:
            missing.append(d.TAG_CONNECTIONS)
        if trigger is None:
            missing.append(d.TAG_TRIGGER)
        if missing:
            return None, why, missing
        profile = d.WorkloadProfile(persistent_connections=bool(connections), trigger=trigger,
                                    max_duration_s=max_duration, gpu=bool(gpu), disk_gb=int(disk or 0),
                                    scratch_gb=int(scratch.value) if scratch is not None else 0)
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
        # Only durable disk contradicts a declaration: scratch storage or a root volume
        # deleted with its instance fills no disk-gb, but may be a cache.
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
    """Every workload of the stack, with its declared profile and inferred traits.

    One resource whose inputs break the inference does not stop the others: its
    workload carries the reason in ``error``.
    """
    out: list[Workload] = []
    used_taskdefs: set[str] = set()
    used_templates: set[str] = set()
    for svc in graph.of_type(ECS_SERVICE):
        used_taskdefs.update(t.urn for t in graph.deps(svc, "taskDefinition", types=[ECS_TASKDEF]))
    for node in graph.of_type(EC2_INSTANCE, ASG):
        used_templates.update(lt.urn for lt in _templates_of(graph, node))
    for svc in graph.judged_nodes(AWSX_FARGATE_SERVICE, AWSX_EC2_SERVICE):
        used_taskdefs.update(t.urn for t in graph.deps(svc, "taskDefinition"))

    for node in graph.judged_nodes():
        w = _workload_of(graph, node, used_taskdefs, used_templates)
        if w is None:
            continue
        try:
            _infer(graph, w)
            _read_declared(graph, w)
        except Exception as exc:  # an input no program should have, but one did: judge the rest
            w.error = failure_reason(exc)
        out.append(w)
    return out


def _workload_of(graph: Graph, node: Node, used_taskdefs: set[str], used_templates: set[str]) -> Optional[Workload]:
    if node.type == LAMBDA:
        return Workload(node, d.Service.LAMBDA)
    if node.type == ECS_SERVICE:
        return Workload(node, None, related=graph.deps(node, "taskDefinition", types=[ECS_TASKDEF]))
    if node.type == ECS_TASKDEF and node.urn not in used_taskdefs:
        return Workload(node, None)
    if node.type == EC2_INSTANCE:
        return Workload(node, d.Service.EC2, related=_templates_of(graph, node))
    if node.type == ASG:
        w = Workload(node, d.Service.EC2, related=_templates_of(graph, node))
        w.is_ecs_capacity = bool(graph.dependents(node, types=[ECS_CAPACITY_PROVIDER]))
        return w
    if node.type == LAUNCH_TEMPLATE and node.urn not in used_templates:
        return Workload(node, d.Service.EC2)
    if node.type in AWSX_WORKLOADS and graph.is_opaque(node) and node.urn not in used_taskdefs:
        return Workload(node, AWSX_WORKLOADS[node.type])
    return None


def _infer(graph: Graph, w: Workload) -> None:
    typ = w.node.type
    if typ == LAMBDA:
        _infer_lambda(graph, w)
    elif typ in (ECS_SERVICE, ECS_TASKDEF):
        _infer_ecs(graph, w)
    elif typ in AWSX_WORKLOADS:
        _infer_awsx_ecs(graph, w)
    else:
        _infer_ec2(graph, w)


def unassessed(graph: Graph) -> list[tuple[Node, str]]:
    """Compute the rule does not name, with what it is (``App Runner service``...)."""
    return [(n, UNASSESSED_COMPUTE[n.type]) for n in graph.judged_nodes(*UNASSESSED_COMPUTE)]


def _templates_of(graph: Graph, node: Node) -> list[Node]:
    return graph.deps(node, "launchTemplate", "mixedInstancesPolicy", types=[LAUNCH_TEMPLATE])


def _read_declared(graph: Graph, w: Workload) -> None:
    """Merge the profile tags of the resource, its related resources and the remote component
    that created it (the resource wins, the component's tags come last)."""
    merged: dict[str, Any] = {}
    creator = graph.remote_ancestor(w.node)
    for n in [w.node, *w.related, *([creator] if creator is not None else [])]:
        for source in _profile_tag_sources(n):
            if is_unknown(source):
                w.unknown(None, f"the tags of {describe(n.type, n.name)}")
                continue
            for k, v in source.items():
                if isinstance(k, str) and k.startswith("workload:") and k not in merged:
                    merged[k] = v
    for k in [k for k, v in merged.items() if is_unknown(v)]:
        w.unknown(None, f"tag {k}")
        merged.pop(k)
    exemption = merged.get(d.TAG_EXEMPTION)
    if exemption is not None and not str(exemption).strip():
        w.exemption_error = f"tag {d.TAG_EXEMPTION} is empty: an exemption must state its reason"
        merged.pop(d.TAG_EXEMPTION)
    try:
        w.declared = d.declared_profile({k: str(v) for k, v in merged.items()})
    except d.TagError as exc:
        w.tag_error = str(exc)


def _profile_tag_sources(n: Node) -> list[Any]:
    sources = [n.tags]
    if n.type == LAUNCH_TEMPLATE:
        for spec in each(n.props.get("tagSpecifications")):
            if isinstance(spec, dict) and spec.get("resourceType") in (None, "instance"):
                tags = spec.get("tags")
                sources.append(tags if isinstance(tags, dict) or is_unknown(tags) else {})
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
    elif as_size(timeout):
        w.inferred["max-duration"] = Trait(as_size(timeout), f"its timeout is {as_size(timeout)} s")
    else:
        seconds = d.LAMBDA_DEFAULT_TIMEOUT_S
        w.inferred["max-duration"] = Trait(seconds, f"it sets no timeout, so Lambda's default of {seconds} s applies"
                                           if timeout is None else
                                           f"its timeout {timeout!r} is no number of seconds, so Lambda's default of "
                                           f"{seconds} s applies")
    w.inferred["gpu"] = Trait(False, "Lambda offers no GPU", platform=True)
    storage = as_size(dig(fn.props, "ephemeralStorage", "size"))
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
    if is_unknown(strategies):
        return None, "the cluster's default capacity provider strategy"
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


def _infer_ecs(graph: Graph, w: Workload) -> None:
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
            _infer_containers(w, [c for c in (containers if isinstance(containers, list) else [])
                                  if isinstance(c, dict)])
        _infer_task_storage(w, td, dig(td.props, "ephemeralStorage", "sizeInGib"), td.props.get("volumes"))
        roles = graph.deps(td, "taskRoleArn", types=[IAM_ROLE])
        _infer_queue_consumer(graph, w, roles, "its task role")
    _infer_server(w)


def _infer_containers(w: Workload, containers: list[dict]) -> None:
    """GPU requests and listening ports of container definitions (ECS's and awsx's alike)."""
    for c in containers:
        for req in each(c.get("resourceRequirements")):
            if isinstance(req, dict) and str(req.get("type", "")).upper() == "GPU":
                w.inferred["gpu"] = Trait(True, f"container '{c.get('name')}' requests {req.get('value')} GPU")
        for pm in each(c.get("portMappings")):
            port = dig(pm, "containerPort") if isinstance(pm, dict) else None
            if port is not None and not is_unknown(port) and "listens" not in w.inferred:
                w.inferred["listens"] = Trait(True, f"container '{c.get('name')}' listens on port {_fmt(port)}")


def _infer_server(w: Workload) -> None:
    """A service with a listening port runs continuously, unless it is shown to work per message."""
    listens = w.inferred.pop("listens", None)
    if listens is not None and "trigger" not in w.inferred and \
            w.node.type not in (ECS_TASKDEF, AWSX_FARGATE_TASKDEF, AWSX_EC2_TASKDEF):
        w.inferred["trigger"] = Trait("continuous", f"{listens.evidence}: a long-running server")


def _infer_task_storage(w: Workload, td: Node, ephemeral: Any, volumes: Any) -> None:
    if is_unknown(ephemeral):
        w.unknown("scratch-gb", f"the ephemeral storage of {describe(td.type, td.name)}")
    elif as_size(ephemeral):
        gb = as_size(ephemeral) or 0
        w.inferred["scratch-gb"] = Trait(gb, f"it asks for {gb} GiB of ephemeral storage, lost when a task stops")
    for vol in each(volumes):
        if not isinstance(vol, dict):
            continue
        docker = vol.get("dockerVolumeConfiguration") or {}
        if vol.get("hostPath") or (isinstance(docker, dict) and docker.get("scope") == "shared"):
            trait = Trait(max(1, w.inferred.get("durable-disk-gb", Trait(0, "")).value),
                          f"volume '{vol.get('name')}' keeps data on the host's disk")
            w.inferred["disk-gb"] = trait
            w.inferred["durable-disk-gb"] = trait


def _infer_awsx_ecs(graph: Graph, w: Workload) -> None:
    """An opaque awsx ECS service or task definition, from its inputs (as under mocks)."""
    node = w.node
    args = node.props if node.type in (AWSX_FARGATE_TASKDEF, AWSX_EC2_TASKDEF) else \
        node.props.get("taskDefinitionArgs")
    if is_unknown(args):
        w.unknown(None, f"the task definition arguments of {w.label}")
        return
    args = args if isinstance(args, dict) else {}
    containers: list[dict] = []
    single = args.get("container")
    if isinstance(single, dict):
        containers.append({"name": "container", **single} if "name" not in single else single)
    many = args.get("containers")
    if isinstance(many, dict):
        containers.extend({"name": k, **v} for k, v in many.items() if isinstance(v, dict))
    if is_unknown(single) or is_unknown(many):
        w.unknown("gpu" if w.on is d.Service.EC2 else "trigger", f"the containers of {w.label}")
    _infer_containers(w, containers)
    _infer_task_storage(w, node, dig(args, "ephemeralStorage", "sizeInGib"), args.get("volumes"))
    _infer_server(w)


def _infer_queue_consumer(graph: Graph, w: Workload, roles: list[Node], whose: str) -> None:
    """A role allowed sqs:ReceiveMessage makes the workload a queue consumer: event work.

    Each job is bounded by the queue's visibility timeout (a consumer that takes
    longer sees its message delivered again), so that bounds ``max-duration``.
    """
    evidence, timeouts = [], []
    for role in roles:
        for doc_node, prop in _role_documents(graph, role):
            queues = graph.deps(doc_node, prop, types=[SQS_QUEUE])
            if prop == "inlinePolicies":
                docs = [json_value(p.get("policy")) for p in each(doc_node.props.get("inlinePolicies"))
                        if isinstance(p, dict)]
            else:
                docs = [json_value(doc_node.props.get(prop))]
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
                        timeouts.append((as_size(vt) or SQS_DEFAULT_VISIBILITY_S, q.name))
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

class _Storage:
    """Local storage of an EC2 workload, sorted into durable disk and scratch."""

    def __init__(self) -> None:
        self.durable, self.scratch = 0, 0
        self.durable_parts: list[str] = []
        self.scratch_parts: list[str] = []

    def add(self, size: int, what: str, *, keeps: bool) -> None:
        if keeps:
            self.durable += max(1, size)
            self.durable_parts.append(what)
        else:
            self.scratch += size
            self.scratch_parts.append(what)

    def record(self, w: Workload) -> None:
        if self.durable:
            trait = Trait(self.durable, "it keeps " + ", ".join(self.durable_parts))
            w.inferred["disk-gb"] = trait
            w.inferred["durable-disk-gb"] = trait
        if self.scratch:
            w.inferred["scratch-gb"] = Trait(self.scratch, "it has " + ", ".join(self.scratch_parts)
                                             + ", deleted with the instance")


def _ec2_volumes(n: Node, storage: _Storage) -> None:
    """The volumes an instance or launch template maps (roots only count when they outlive the instance)."""
    root = dig(n.props, "rootBlockDevice")
    if isinstance(root, dict) and as_bool(root.get("deleteOnTermination")) is False:
        size = as_size(root.get("volumeSize"))
        what = f"its {size} GB root volume" if size else "its root volume"
        storage.add(size or 1, f"{what} after termination", keeps=True)
    for dev in each(n.props.get("ebsBlockDevices")):
        if not isinstance(dev, dict):
            continue
        size = as_size(dev.get("volumeSize"))
        if size:
            storage.add(size, f"a {size} GB EBS volume ({dev.get('deviceName', '?')})",
                        keeps=as_bool(dev.get("deleteOnTermination")) is False)
    for dev in each(n.props.get("ephemeralBlockDevices")):
        if isinstance(dev, dict) and str(dev.get("virtualName") or "").startswith("ephemeral") \
                and as_bool(dev.get("noDevice")) is not True:
            storage.add(1, f"instance store {dev.get('virtualName')} mapped at {dev.get('deviceName', '?')}", keeps=True)
    for m in each(n.props.get("blockDeviceMappings")):
        if not isinstance(m, dict) or as_bool(m.get("noDevice")) is True:
            continue
        name = str(m.get("deviceName") or "?")
        if str(m.get("virtualName") or "").startswith("ephemeral"):
            storage.add(1, f"instance store {m.get('virtualName')} mapped at {name}", keeps=True)
            continue
        ebs = m.get("ebs") if isinstance(m.get("ebs"), dict) else {}
        size = as_size(ebs.get("volumeSize"))
        keeps = as_bool(ebs.get("deleteOnTermination")) is False
        if name in ROOT_DEVICE_NAMES:
            if keeps:
                storage.add(size or 1, f"its root volume ({name}) after termination", keeps=True)
        elif size:
            storage.add(size, f"a {size} GB volume ({name})", keeps=keeps)


def _infer_ec2(graph: Graph, w: Workload) -> None:
    nodes = [w.node, *w.related]
    types = []
    for n in nodes:
        it = n.props.get("instanceType")
        if is_unknown(it):
            w.unknown("gpu", f"the instance type of {describe(n.type, n.name)}")
        elif isinstance(it, str) and it:
            types.append(it)
        for o in each(dig(n.props, "mixedInstancesPolicy", "launchTemplate", "overrides")):
            if isinstance(o, dict) and isinstance(o.get("instanceType"), str) and not is_unknown(o["instanceType"]):
                types.append(o["instanceType"])
    if types:
        gpu_types = sorted({t for t in types if d.instance_has_gpu(t)})
        if gpu_types:
            w.inferred["gpu"] = Trait(True, f"instance type {', '.join(gpu_types)} has a GPU")
        elif not any(f == "gpu" for f, _ in w.unknowns):
            w.inferred["gpu"] = Trait(False, f"instance type {', '.join(sorted(set(types)))} has no GPU")

    storage = _Storage()
    for n in nodes:
        _ec2_volumes(n, storage)
    for att in graph.dependents(w.node, "instanceId", types=[VOLUME_ATTACHMENT]):
        for vol in graph.deps(att, "volumeId", types=[EBS_VOLUME]):
            size = as_size(vol.props.get("size"))
            storage.add(size or 1, f"attached volume '{vol.name}'" + (f" of {size} GB" if size else ""),
                        keeps=True)
    storage.record(w)

    roles: list[Node] = []
    for n in nodes:
        for prof in graph.deps(n, "iamInstanceProfile", types=[IAM_INSTANCE_PROFILE]):
            roles.extend(graph.deps(prof, "role", types=[IAM_ROLE]))
    _infer_queue_consumer(graph, w, roles, "its instance role")
