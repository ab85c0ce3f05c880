"""From a stack's resources and traffic assumptions to per-tier monthly line items.

The input is what a policy pack sees: each resource's type, properties, URN,
parent and property dependencies (:class:`ResourceView`; adapters below build it
from a ``pulumi_policy`` ``PolicyResource`` or from anything with the same fields,
such as the harness's captured resources). Nothing here imports Pulumi.

How traffic reaches resources (the model, in order):

1. Devices publish ``messages_per_month`` telemetry messages to IoT Core; each
   ``aws:iot/topicRule:TopicRule`` is triggered by every one of them, and each of
   its actions (not its error action) is applied to every one.
2. A queue a rule delivers to receives every message; when there is no rule, the
   queues that Lambda event source mappings drain are taken to receive them.
3. A function an event source mapping invokes from such a queue runs once per
   batch (``batchSize`` messages); a function a rule invokes directly runs once
   per message. Their duration is ``lambda_overhead_ms + lambda_ms_per_message x
   batch``.
4. A function that processes telemetry writes every message to the DynamoDB
   tables and publishes ``alerts_per_million`` of them to the SNS topics it references
   (its environment), and logs ``log_bytes_per_invocation`` per invocation.
5. Always-on compute (ECS services, EC2 instances and auto-scaling groups) costs
   what it declares (task and instance counts), whatever the traffic; load
   balancers carry the dashboard connections.
6. Everything else that has a monthly price (keys, alarms, NAT gateways,
   secrets) costs that price; resources with no price of their own (IAM, rules'
   roles, log groups) cost nothing.

Resources are grouped by their tier: the nearest ancestor whose type is a
component of ours (``iot-tiers:index:ProcessingTier``, ``...:Network``);
resources outside every component are ``shared``. A stack with no components is
grouped by service.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Optional, Sequence

from . import formulas as f
from .formulas import LineItem
from .prices import PriceTable
from .traffic import DAYS_PER_MONTH, Traffic

#: A component's type: ``iot-tiers:index:<Name>Tier`` (a tier) or ``iot-tiers:index:<Name>`` (a
#: shared part such as the network), or a team's own ``<pkg>:components:<Name>``; its resources are
#: grouped under it.
TIER_TYPE = re.compile(r"^(?:[\w-]+:components|iot-tiers:index):(\w+?)(?:Tier)?$")
SHARED = "shared"

#: Bytes a telemetry item carries besides its payload (keys, timestamps, TTL).
ITEM_OVERHEAD_BYTES = 100


@dataclass
class ResourceView:
    """A resource as the estimator needs it (the shape a policy pack sees)."""

    urn: str
    type: str
    name: str
    props: Mapping[str, Any]
    parent: Optional[str] = None
    property_dependencies: Mapping[str, list[str]] = field(default_factory=dict)


def from_policy_resources(resources: Iterable[Any]) -> list[ResourceView]:
    """Views of ``pulumi_policy`` ``PolicyResource`` objects (stack validation's ``args.resources``).

    During a preview some properties are unknown (an ARN not yet assigned), and the
    pack's property proxy raises on reading them; they become ``None`` here, and the
    graph falls back on property dependencies, which are always known.
    """
    out = []
    for r in resources:
        deps = {k: [d.urn for d in v or []] for k, v in (getattr(r, "property_dependencies", None) or {}).items()}
        parent = getattr(r, "parent", None)
        out.append(ResourceView(r.urn, r.resource_type, r.name, _plain(r.props) or {},
                                parent.urn if parent is not None else None, deps))
    return out


def _plain(value: Any) -> Any:
    """A deep copy of ``value`` as dicts and lists, with unreadable (unknown) values as None."""
    if isinstance(value, (str, bytes, int, float, bool)) or value is None:
        return value
    if isinstance(value, Mapping):
        out = {}
        for k in list(value):
            try:
                out[k] = _plain(value[k])
            except Exception:  # pulumi_policy's UnknownValueError: not known until the update
                out[k] = None
        return out
    if isinstance(value, Sequence):
        items = []
        for i in range(len(value)):
            try:
                items.append(_plain(value[i]))
            except Exception:
                items.append(None)
        return items
    return value


def from_captured(resources: Iterable[Any]) -> list[ResourceView]:
    """Views of captured registrations (``type``, ``inputs``, ``outputs``, ``parent``...).

    Properties are the outputs overlaid with the inputs: what a policy pack sees
    after a preview under mocks (identifiers such as ARNs come from the outputs).
    """
    return [ResourceView(r.urn, r.type, r.name, {**dict(getattr(r, "outputs", None) or {}), **dict(r.inputs or {})},
                         r.parent or None, dict(getattr(r, "property_dependencies", None) or {}))
            for r in resources]


@dataclass
class Estimate:
    """Monthly cost of a stack: line items, subtotals per tier, the assumptions used."""

    items: list[LineItem]
    traffic: Traffic
    region: str
    price_origin: str
    notes: list[str] = field(default_factory=list)

    @property
    def total(self) -> float:
        return sum(i.usd for i in self.items)

    def tiers(self) -> dict[str, float]:
        """Subtotal per tier, tiers in first-seen order and ``shared`` last."""
        out: dict[str, float] = {}
        for i in sorted(self.items, key=lambda i: i.tier == SHARED):
            out[i.tier] = out.get(i.tier, 0.0) + i.usd
        return out

    def top(self, n: int = 3) -> list[LineItem]:
        return sorted(self.items, key=lambda i: -i.usd)[:n]

    def as_json(self) -> dict[str, Any]:
        return {
            "region": self.region,
            "currency": "USD",
            "prices": self.price_origin,
            "total_usd": round(self.total, 2),
            "tiers": {k: round(v, 2) for k, v in self.tiers().items()},
            "items": [dict(i.as_json(), usd=round(i.usd, 4)) for i in self.items],
            "assumptions": {**self.traffic.as_config(),
                            "messagesPerMonth": self.traffic.messages_per_month,
                            "hoursPerMonth": 730},
            "notes": self.notes,
        }


# ------------------------------------------------------------------ the graph

class _Graph:
    def __init__(self, resources: list[ResourceView]) -> None:
        self.resources = resources
        self.by_urn = {r.urn: r for r in resources}
        #: identifier string (ARN, URL, id, physical name of named resources) -> URN
        self.ids: dict[str, str] = {}
        for r in resources:
            for key in ("arn", "url", "id", "invokeArn"):
                v = r.props.get(key)
                if isinstance(v, str) and len(v) > 3:
                    self.ids.setdefault(v, r.urn)
            if r.type in ("aws:dynamodb/table:Table", "aws:lambda/function:Function", "aws:sqs/queue:Queue"):
                v = r.props.get("name")
                if isinstance(v, str) and v:
                    self.ids.setdefault(v, r.urn)

    def refs(self, r: ResourceView, key: str) -> list[ResourceView]:
        """Resources ``r``'s property ``key`` points at: its dependencies, else identifiers in its value."""
        urns = list((r.property_dependencies or {}).get(key) or [])
        if not urns:
            for s in _strings(r.props.get(key)):
                urn = self.ids.get(s)
                if urn is None and s.startswith("arn:aws:lambda:"):  # an alias or version ARN
                    urn = self.ids.get(":".join(s.split(":")[:7]))
                if urn:
                    urns.append(urn)
        return [self.by_urn[u] for u in dict.fromkeys(urns) if u in self.by_urn]

    def function_of(self, r: ResourceView) -> Optional[ResourceView]:
        """The function a reference resolves to, through an alias if need be."""
        if r.type == "aws:lambda/function:Function":
            return r
        if r.type == "aws:lambda/alias:Alias":
            fns = [x for x in self.refs(r, "functionName") if x.type == "aws:lambda/function:Function"]
            return fns[0] if fns else None
        return None

    def tier_of(self, r: ResourceView) -> Optional[ResourceView]:
        seen = set()
        cur = self.by_urn.get(r.parent or "")
        while cur is not None and cur.urn not in seen:
            if TIER_TYPE.match(cur.type):
                return cur
            seen.add(cur.urn)
            cur = self.by_urn.get(cur.parent or "")
        return None


def _strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _strings(v)


def tier_label(component: ResourceView) -> str:
    """``ProcessingTier`` named ``processing`` -> ``processing``; ``HeavyComputeTier`` ``gpu`` -> ``heavy-compute (gpu)``;
    ``Network`` named ``network`` -> ``network``."""
    m = TIER_TYPE.match(component.type)
    kind = re.sub(r"(?<!^)(?=[A-Z])", "-", m.group(1)).lower() if m else component.type
    return kind if component.name == kind else f"{kind} ({component.name})"


# ------------------------------------------------------------------ estimate

def estimate(resources: Iterable[ResourceView], traffic: Optional[Traffic] = None,
             prices: Optional[PriceTable] = None) -> Estimate:
    """Price ``resources`` for a month of ``traffic`` (default: the default assumptions).

    ``prices`` defaults to the bundled us-east-1 table.
    """
    from .prices import load_prices

    traffic = traffic or Traffic()
    prices = prices or load_prices()
    resources = list(resources)
    g = _Graph(resources)
    est = Estimate([], traffic, prices.region, prices.origin)
    M = traffic.messages_per_month
    est.notes.append(
        f"{traffic.devices:,} devices x {traffic.messages_per_device_per_hour:,} msg/hour = "
        f"{M:,.0f} messages a month ({traffic.messages_per_day:,.0f} a day; a month is 730 hours)")
    est.notes.append("free tiers are not subtracted (they are per account, shared by every stack in it)")

    has_tiers = any(TIER_TYPE.match(r.type) for r in resources)

    def add(r: ResourceView, items: list[LineItem]) -> None:
        comp = g.tier_of(r)
        for i in items:
            i.tier = tier_label(comp) if comp else (SHARED if has_tiers else i.service)
            i.resource = r.name
            i.resource_type = r.type
            est.items.append(i)

    rules = [r for r in resources if r.type == "aws:iot/topicRule:TopicRule" and r.props.get("enabled", True)]
    esms = [r for r in resources if r.type == "aws:lambda/eventSourceMapping:EventSourceMapping"]

    # 1-2: where telemetry enters.
    fed_queues: set[str] = set()
    rule_functions: set[str] = set()
    for rule in rules:
        actions = 0
        for action, value in rule.props.items():
            if action in _RULE_ACTIONS and value:
                n = len(value) if isinstance(value, list) else 1
                actions += n
                if action == "sqs":
                    fed_queues.update(q.urn for q in g.refs(rule, "sqs") if q.type == "aws:sqs/queue:Queue")
                if action == "lambdas":
                    for target in g.refs(rule, "lambdas"):
                        fn = g.function_of(target)
                        if fn:
                            rule_functions.add(fn.urn)
        add(rule, _rule_items(prices, traffic, M, actions))
    if rules:
        # Connectivity and messaging belong to the fleet, billed once; put them with the first rule's tier.
        add(rules[0], f.iot_core_costs(prices, devices=traffic.devices, connected_fraction=traffic.connected_fraction,
                                       messages=M, payload_bytes=traffic.payload_bytes))
    else:
        est.notes.append("no IoT topic rule in the stack: IoT Core connectivity and messaging are not counted")
        for esm in esms:
            fed_queues.update(q.urn for q in g.refs(esm, "eventSourceArn") if q.type == "aws:sqs/queue:Queue")

    # 3: Lambda invocations.
    invocations: dict[str, tuple[float, float]] = {}  # function urn -> (invocations, messages per invocation)
    drained: dict[str, int] = {}  # queue urn -> batch size
    for esm in esms:
        queues = [q for q in g.refs(esm, "eventSourceArn") if q.urn in fed_queues]
        fns = [g.function_of(t) for t in g.refs(esm, "functionName")]
        fns = [fn for fn in fns if fn]
        if not queues or not fns:
            continue
        batch = max(1, int(esm.props.get("batchSize") or 10))
        drained[queues[0].urn] = batch
        per = min(batch, max(M, 1))
        n, _ = invocations.get(fns[0].urn, (0.0, per))
        invocations[fns[0].urn] = (n + math.ceil(M / batch), per)
    for urn in rule_functions:
        n, _ = invocations.get(urn, (0.0, 1))
        invocations[urn] = (n + M, 1)

    telemetry_functions = [g.by_urn[u] for u in invocations]
    written_tables: dict[str, float] = {}  # table urn -> ttl days
    alert_topics: set[str] = set()
    for fn in telemetry_functions:
        env = (fn.props.get("environment") or {})
        for t in g.refs(fn, "environment"):
            if t.type == "aws:dynamodb/table:Table":
                ttl = _number(((env.get("variables") or {}).get("TTL_DAYS")), 30)
                written_tables[t.urn] = max(written_tables.get(t.urn, 0), ttl)
            elif t.type == "aws:sns/topic:Topic":
                alert_topics.add(t.urn)

    # A Lambda subscribed to an alert topic runs once per alert (the ProcessingTier's relay).
    for sub in (r for r in resources if r.type == "aws:sns/topicSubscription:TopicSubscription"):
        if sub.props.get("protocol") == "lambda" and any(t.urn in alert_topics for t in g.refs(sub, "topic")):
            for target in g.refs(sub, "endpoint"):
                fn = g.function_of(target)
                if fn and fn.urn not in invocations:
                    invocations[fn.urn] = (M * traffic.alert_rate, 1)

    provisioned: dict[str, int] = {}
    for pc in (r for r in resources if r.type == "aws:lambda/provisionedConcurrencyConfig:ProvisionedConcurrencyConfig"):
        for t in g.refs(pc, "functionName"):
            fn = g.function_of(t)
            if fn:
                provisioned[fn.urn] = provisioned.get(fn.urn, 0) + int(pc.props.get("provisionedConcurrentExecutions") or 0)

    sub_emails: dict[str, int] = {}
    for sub in (r for r in resources if r.type == "aws:sns/topicSubscription:TopicSubscription"):
        if sub.props.get("protocol") == "email":
            for t in g.refs(sub, "topic"):
                sub_emails[t.urn] = sub_emails.get(t.urn, 0) + 1

    item_bytes = traffic.payload_bytes + ITEM_OVERHEAD_BYTES
    alarms = 0
    for r in resources:
        p = r.props
        t = r.type
        if t == "aws:lambda/function:Function":
            n, per = invocations.get(r.urn, (0.0, 1))
            archs = p.get("architectures") or ["x86_64"]
            items = f.lambda_costs(prices, invocations=n,
                                   duration_ms=f.lambda_invocation_ms(traffic.lambda_overhead_ms,
                                                                      traffic.lambda_ms_per_message, per),
                                   memory_mb=int(p.get("memorySize") or 128), arch=archs[0],
                                   provisioned=provisioned.get(r.urn, 0))
            if n:
                items[0].note = f"{n:,.0f} invocations of {per:g} message(s)"
                log_gb = n * traffic.log_bytes_per_invocation / 1e9
                items += f.cloudwatch_costs(prices, log_gb=log_gb)
            else:
                items[0].note = "no traffic reaches this function in the model"
            add(r, items)
        elif t == "aws:sqs/queue:Queue":
            fifo = bool(p.get("fifoQueue"))
            if r.urn in drained:
                req = f.sqs_lambda_requests(M, traffic.payload_bytes)
                add(r, f.sqs_costs(prices, requests=sum(req.values()), fifo=fifo,
                                   what=f"requests: {req['sends']:,.0f} sends, {req['receives']:,.0f} receives, "
                                        f"{req['deletes']:,.0f} deletes"))
            elif r.urn in fed_queues:
                add(r, f.sqs_costs(prices, requests=M * f.chunks(traffic.payload_bytes, f.SQS_CHUNK_BYTES), fifo=fifo,
                                   what="sends (nothing in the stack drains this queue)"))
            else:
                add(r, f.sqs_costs(prices, requests=0, fifo=fifo, what="requests (no modelled traffic)"))
        elif t == "aws:dynamodb/table:Table":
            if p.get("billingMode", "PROVISIONED") != "PAY_PER_REQUEST":
                est.notes.append(f"{r.name}: provisioned-capacity tables are priced as on-demand")
            writes = M if r.urn in written_tables else 0
            ttl = written_tables.get(r.urn, 0)
            storage_gb = M / DAYS_PER_MONTH * ttl * item_bytes / 1e9 if writes else 0
            pitr = bool((p.get("pointInTimeRecovery") or {}).get("enabled"))
            items = f.dynamodb_costs(prices, writes=writes, item_bytes=item_bytes, storage_gb=storage_gb, pitr=pitr)
            if writes:
                items[1].note = f"{ttl:g} days of readings kept (TTL) x {item_bytes} B each"
            add(r, items)
        elif t == "aws:sns/topic:Topic":
            publishes = M * traffic.alert_rate if r.urn in alert_topics else 0
            add(r, f.sns_costs(prices, publishes=publishes, emails=publishes * sub_emails.get(r.urn, 0)))
        elif t == "aws:kms/key:Key":
            add(r, f.kms_costs(prices, keys=1))
        elif t == "aws:cloudwatch/metricAlarm:MetricAlarm":
            alarms += 1
            add(r, f.cloudwatch_costs(prices, alarms=1))
        elif t == "aws:secretsmanager/secret:Secret":
            add(r, f.secrets_costs(prices))
        elif t == "aws:ecs/service:Service":
            add(r, _ecs_service(g, r, prices, est))
        elif t == "aws:ec2/instance:Instance":
            add(r, _ec2_instance(r, prices))
        elif t == "aws:autoscaling/group:Group":
            add(r, _asg(g, r, prices, est))
        elif t == "aws:ebs/volume:Volume":
            add(r, f.ebs_costs(prices, size_gb=float(p.get("size") or 0), volume_type=p.get("type") or "gp2",
                               iops=p.get("iops"), throughput=p.get("throughput")))
        elif t in ("aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer",
                   "awsx:lb:ApplicationLoadBalancer", "awsx:lb:NetworkLoadBalancer"):
            kind = "network" if (p.get("loadBalancerType") == "network" or t.endswith("NetworkLoadBalancer")) else "application"
            gb_h = (traffic.dashboard_connections * traffic.dashboard_messages_per_minute * 60
                    * traffic.payload_bytes / 1e9)
            items = f.load_balancer_costs(prices, kind=kind, active_connections=traffic.dashboard_connections,
                                          processed_gb_per_hour=gb_h)
            items += f.data_transfer_out_costs(prices, gb=gb_h * prices.hours_per_month,
                                               what="dashboard traffic out to the internet")
            add(r, items)
        elif t == "aws:ec2/vpcEndpoint:VpcEndpoint" and p.get("vpcEndpointType") == "Interface":
            azs = max(1, len(p.get("subnetIds") or []))
            hours = azs * prices.hours_per_month
            add(r, [LineItem("VPC", f"interface endpoint {p.get('serviceName', '')} in {azs} AZ(s)", hours,
                             "ENI-hours", prices.cost("vpc.endpoint.interface_hour", hours),
                             "vpc.endpoint.interface_hour", "gateway endpoints (S3, DynamoDB) are free")])
        elif t == "aws:ec2/natGateway:NatGateway":
            add(r, f.nat_gateway_costs(prices, count=1, gb_processed=traffic.nat_gb_per_month))
        elif t == "aws:ec2/eip:Eip":
            add(r, [LineItem("VPC", "Elastic IP (public IPv4)", prices.hours_per_month, "address-hours",
                             prices.cost("vpc.public_ipv4.hour", prices.hours_per_month), "vpc.public_ipv4.hour")])
        elif t == "awsx:ec2:Vpc":
            nat = (p.get("natGateways") or {}).get("strategy", "OnePerAz")
            azs = int(p.get("numberOfAvailabilityZones") or len(p.get("availabilityZoneNames") or []) or 3)
            count = {"None": 0, "Single": 1}.get(nat, azs)
            if count:
                items = f.nat_gateway_costs(prices, count=count, gb_processed=traffic.nat_gb_per_month)
                items[0].note = f"awsx VPC, NAT strategy {nat} over {azs} AZs"
                add(r, items)

    if traffic.custom_metrics and any(i.service == "Lambda" for i in est.items):
        est.items.append(LineItem("CloudWatch", f"{traffic.custom_metrics} custom metric(s)", traffic.custom_metrics,
                                  "metric-months", prices.cost("cloudwatch.custom_metric.month", traffic.custom_metrics),
                                  "cloudwatch.custom_metric.month", "trafficCustomMetrics",
                                  tier=SHARED if has_tiers else "CloudWatch", resource="(stack)"))
    return est


#: TopicRule properties that are actions (the error action is not counted: it runs only on failure).
_RULE_ACTIONS = ("sqs", "lambdas", "dynamodbs", "dynamodbv2s", "sns", "kineses", "firehoses", "s3",
                 "republishes", "cloudwatchMetrics", "cloudwatchLogs", "cloudwatchAlarms", "iotEvents",
                 "iotAnalytics", "timestreams", "https", "kafkas", "stepFunctions", "elasticsearch",
                 "opensearches")


def _rule_items(prices: PriceTable, traffic: Traffic, messages: float, actions: int) -> list[LineItem]:
    meters = f.chunks(traffic.payload_bytes, f.IOT_METER_BYTES)
    items = [LineItem("IoT Core", "rule triggered by every message", messages * meters, "rules triggered",
                      prices.cost("iot.rules_triggered", messages * meters), "iot.rules_triggered")]
    if actions:
        items.append(LineItem("IoT Core", f"{actions} action(s) per message", messages * actions * meters, "actions",
                              prices.cost("iot.actions", messages * actions * meters), "iot.actions"))
    return items


def _number(raw: Any, default: float) -> float:
    try:
        return float(raw)
    except (TypeError, ValueError):
        return default


def _ecs_service(g: _Graph, r: ResourceView, prices: PriceTable, est: Estimate) -> list[LineItem]:
    p = r.props
    tds = [t for t in g.refs(r, "taskDefinition") if t.type == "aws:ecs/taskDefinition:TaskDefinition"]
    strategies = p.get("capacityProviderStrategies") or []
    fargate = p.get("launchType") == "FARGATE" or any(
        str(s.get("capacityProvider", "")).startswith("FARGATE") for s in strategies)
    if not fargate:
        est.notes.append(f"{r.name}: an ECS service on EC2 capacity costs its instances, counted there")
        return []
    if not tds:
        est.notes.append(f"{r.name}: its task definition is not in the stack; not priced")
        return []
    td = tds[0].props
    vcpu = _number(td.get("cpu"), 256) / 1024
    mem = _number(td.get("memory"), 512) / 1024
    arch = ((td.get("runtimePlatform") or {}).get("cpuArchitecture") or "X86_64").lower()
    eph = _number((td.get("ephemeralStorage") or {}).get("sizeInGib"), 20)
    tasks = int(p.get("desiredCount") if p.get("desiredCount") is not None else 1)
    scaling = _scaling_target(g, r)
    if scaling is not None:
        lo, hi = int(_number(scaling.props.get("minCapacity"), tasks)), int(_number(scaling.props.get("maxCapacity"), tasks))
        tasks = max(tasks, lo)
    weights = {s.get("capacityProvider"): _number(s.get("weight"), 0) for s in strategies}
    spot = weights.get("FARGATE_SPOT", 0) / sum(weights.values()) if sum(weights.values()) else 0
    public = bool((p.get("networkConfiguration") or {}).get("assignPublicIp"))
    items = f.fargate_costs(prices, tasks=tasks, vcpu=vcpu, memory_gb=mem, arch=arch, spot_share=spot,
                            ephemeral_gb=eph, public_ip=public)
    items[0].note = f"{tasks} task(s) always on"
    if scaling is not None and hi > tasks:
        peak = f.total(f.fargate_costs(prices, tasks=hi, vcpu=vcpu, memory_gb=mem, arch=arch, spot_share=spot,
                                       ephemeral_gb=eph, public_ip=public))
        items[0].note += f"; auto-scales to {hi}: up to ${peak:,.2f} if it stayed there all month"
    return items


def _scaling_target(g: _Graph, service: ResourceView) -> Optional[ResourceView]:
    """The Application Auto Scaling target of an ECS service (resourceId service/<cluster>/<name>)."""
    name = service.props.get("name")
    for r in g.resources:
        if r.type != "aws:appautoscaling/target:Target" or r.props.get("scalableDimension") != "ecs:service:DesiredCount":
            continue
        if service.urn in (r.property_dependencies or {}).get("resourceId", []):
            return r
        rid = r.props.get("resourceId")
        if isinstance(rid, str) and isinstance(name, str) and rid.endswith("/" + name):
            return r
    return None


def _ebs_from_block(dev: Mapping[str, Any]) -> dict[str, Any]:
    ebs = dev.get("ebs", dev)
    return {"size_gb": _number(ebs.get("volumeSize"), 8), "volume_type": ebs.get("volumeType") or "gp3",
            "iops": ebs.get("iops"), "throughput": ebs.get("throughput")}


def _ec2_instance(r: ResourceView, prices: PriceTable) -> list[LineItem]:
    p = r.props
    itype = p.get("instanceType") or "t3.micro"
    spot = bool(p.get("instanceMarketOptions"))
    items = f.ec2_costs(prices, instance_type=itype, count=1, pricing="spot" if spot else "on-demand")
    root = p.get("rootBlockDevice") or {}
    items += f.ebs_costs(prices, **_ebs_from_block({"volumeSize": root.get("volumeSize", 8),
                                                    "volumeType": root.get("volumeType", "gp3"),
                                                    "iops": root.get("iops"), "throughput": root.get("throughput")}))
    for dev in p.get("ebsBlockDevices") or []:
        items += f.ebs_costs(prices, **_ebs_from_block(dev))
    _reserved_note(items[0], prices, itype, 1)
    return items


def _asg(g: _Graph, r: ResourceView, prices: PriceTable, est: Estimate) -> list[LineItem]:
    p = r.props
    count = p.get("desiredCapacity")
    count = int(count if count is not None else (p.get("minSize") or 0))
    mip = p.get("mixedInstancesPolicy") or {}
    lt_key = "launchTemplate" if p.get("launchTemplate") else "mixedInstancesPolicy"
    lts = [t for t in g.refs(r, lt_key) if t.type == "aws:ec2/launchTemplate:LaunchTemplate"]
    lt = lts[0].props if lts else {}
    overrides = ((mip.get("launchTemplate") or {}).get("overrides") or [])
    itype = lt.get("instanceType") or (overrides[0].get("instanceType") if overrides else None)
    if not itype:
        est.notes.append(f"{r.name}: no instance type found (launch template not in the stack); not priced")
        return []
    dist = mip.get("instancesDistribution") or {}
    base = int(_number(dist.get("onDemandBaseCapacity"), 0))
    pct = _number(dist.get("onDemandPercentageAboveBaseCapacity"), 100) / 100 if mip else 1.0
    on_demand = min(count, base) + max(0, count - base) * pct
    spot = count - on_demand
    items = []
    if on_demand:
        items += f.ec2_costs(prices, instance_type=itype, count=on_demand)
        _reserved_note(items[-1], prices, itype, on_demand)
    if spot:
        items += f.ec2_costs(prices, instance_type=itype, count=spot, pricing="spot")
    if not items:
        items += f.ec2_costs(prices, instance_type=itype, count=0)
    for dev in lt.get("blockDeviceMappings") or [{"ebs": {"volumeSize": 8}}]:
        items += f.ebs_costs(prices, count=count, **_ebs_from_block(dev))
    items[0].note = (items[0].note + f"; desired capacity {count}").lstrip("; ")
    return items


def _reserved_note(item: LineItem, prices: PriceTable, itype: str, count: float) -> None:
    inst = prices.instance(itype)
    if inst.reserved_1y_no_upfront_hourly is not None and count:
        ri = inst.reserved_1y_no_upfront_hourly * count * prices.hours_per_month
        item.note = (item.note + f"; ${ri:,.2f} with 1-yr no-upfront reservations").lstrip("; ")


def to_json(est: Estimate) -> str:
    return json.dumps(est.as_json(), indent=2)
