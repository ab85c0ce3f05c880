"""How telemetry moves through the stack, followed along the graph's dependencies.

The model, in order (every count is a month's):

1. Devices publish ``M = trafficDevices x trafficMessagesPerDevicePerHour x 730``
   messages to IoT Core. Every enabled ``aws:iot/topicRule:TopicRule`` is triggered
   by each of them (a rule's ``monthly_messages`` usage says otherwise), and applies
   each of its actions (not its error action) to each.
2. A queue a rule's ``sqs`` action depends on receives the rule's messages; with no
   rule in the stack, the queues Lambda event sources drain are taken to receive ``M``.
3. An event source mapping invokes its function once per batch: a batch closes at
   ``batchSize`` messages or when ``maximumBatchingWindowInSeconds`` ends, whichever
   comes first (:func:`..formulas.sqs_batch_messages`). A rule's ``lambda`` action
   invokes its function once per message.
4. A function that handles telemetry writes one item per message to the DynamoDB
   tables its environment depends on, and publishes ``trafficAlertsPerMillion`` of
   them to the SNS topics its environment depends on (each alert also writes a claim
   and a sent marker). A function subscribed to such a topic runs once per alert;
   one whose environment names ``IOT_DATA_ENDPOINT`` (the alert relay) republishes
   each alert to IoT Core over HTTPS.
5. An ECS service whose containers connect to IoT Core (``MQTT_BROKER_URL`` on an
   ``*.iot.<region>.amazonaws.com`` endpoint: the realtime tier's bridge) subscribes
   to what its dashboards watch: IoT Core delivers it ``trafficDashboardConnections x
   trafficDashboardMessagesPerMinute`` telemetry messages a minute (no two dashboards
   on a task assumed to share a topic, an upper bound), at most every message once per
   task, and every relayed alert once per task; each delivery (QoS 1) comes back as a
   PUBACK, which IoT Core meters as a message. Each task holds one MQTT connection.
   From private subnets, the deliveries cross the NAT gateways (unless an ``iot.data``
   interface endpoint carries them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

from .._util import is_unknown
from ..graph import Node
from . import formulas as f
from . import telemetry as tm
from .traffic import HOURS_PER_MONTH, MINUTES_PER_MONTH, Traffic
from .usage import Usage
from .view import StackView, container_definitions, environment

RULE = "aws:iot/topicRule:TopicRule"
ESM = "aws:lambda/eventSourceMapping:EventSourceMapping"
QUEUE = "aws:sqs/queue:Queue"
TABLE = "aws:dynamodb/table:Table"
TOPIC = "aws:sns/topic:Topic"
SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription"
SERVICE = "aws:ecs/service:Service"
TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition"
SCALING_TARGET = "aws:appautoscaling/target:Target"
ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint"

#: TopicRule properties that are actions (the error action is not counted: it runs only on failure).
RULE_ACTIONS = ("sqs", "lambdas", "dynamodbs", "dynamodbv2s", "sns", "kineses", "firehoses", "s3",
                "republishes", "cloudwatchMetrics", "cloudwatchLogs", "cloudwatchAlarms", "iotEvents",
                "iotAnalytics", "timestreams", "https", "kafkas", "stepFunctions", "elasticsearch",
                "opensearches")
#: The handler's own default (``TTL_DAYS``), used when a function's environment does not set it.
DEFAULT_TTL_DAYS = 90
#: The SQS event source's default batch size.
DEFAULT_BATCH_SIZE = 10


@dataclass
class Invoked:
    """A function's invocations a month, and what each handles."""

    invocations: float = 0.0
    per_invocation: float = 1.0
    telemetry: float = 0.0
    alerts: float = 0.0
    how: list[str] = field(default_factory=list)


@dataclass
class Drain:
    """A queue an event source drains: messages in, batch size out."""

    messages: float
    per_invocation: float
    invocations: float
    function: Optional[Node]


@dataclass
class TableLoad:
    readings: float = 0.0
    alerts: float = 0.0
    ttl_days: float = 0.0


@dataclass
class Bridge:
    """An ECS service subscribed to IoT Core (the realtime tier's bridge)."""

    service: Node
    tasks: float
    #: telemetry and relayed alerts IoT Core delivers to the bridge's subscriptions a month
    deliveries: float
    through_nat: bool
    via_endpoint: bool = False
    alert_deliveries: float = 0.0

    @property
    def telemetry_deliveries(self) -> float:
        return self.deliveries - self.alert_deliveries


class Flows:
    """The traffic every resource of a stack sees, computed once from the graph."""

    def __init__(self, view: StackView, traffic: Traffic, usage: Usage) -> None:
        self.view = view
        self.traffic = traffic
        self.usage = usage
        self.notes: list[str] = []
        M = traffic.messages_per_month
        self.rules = [r for r in view.of_type(RULE) if r.props.get("enabled", True) is not False]
        self.rule_messages = {r.urn: float(usage.number(r, "monthly_messages", M)) for r in self.rules}
        self.queue_messages: dict[str, float] = {}
        self.invoked: dict[str, Invoked] = {}
        for rule in self.rules:
            n = self.rule_messages[rule.urn]
            for q in view.deps(rule, "sqs", types=[QUEUE]):
                self.queue_messages[q.urn] = self.queue_messages.get(q.urn, 0.0) + n
            for fn in view.functions(rule, "lambdas"):
                self._invoke(fn, n, 1.0, telemetry=n, how=f"{n:,.0f} invocations of 1 message (IoT rule {rule.name})")
        if not self.rules:
            for esm in view.of_type(ESM):
                for q in view.deps(esm, "eventSourceArn", types=[QUEUE]):
                    self.queue_messages[q.urn] = M
        self.drains: dict[str, Drain] = {}
        for esm in view.of_type(ESM):
            self._drain(esm)
        self.tables: dict[str, TableLoad] = {}
        self.alert_topics: dict[str, float] = {}
        for urn, inv in list(self.invoked.items()):
            if inv.telemetry:
                self._effects(view.graph.get(urn), inv)
        self.relay_publishes = 0.0
        self.emails: dict[str, int] = {}
        for sub in view.of_type(SUBSCRIPTION):
            self._subscription(sub)
        self.bridges = [b for b in (self._bridge(s) for s in view.of_type(SERVICE)) if b is not None]

    # ------------------------------------------------------------ steps

    def _invoke(self, fn: Node, invocations: float, per: float, *, telemetry: float = 0.0, alerts: float = 0.0,
                how: str = "") -> None:
        inv = self.invoked.setdefault(fn.urn, Invoked())
        total = inv.invocations + invocations
        inv.per_invocation = ((inv.per_invocation * inv.invocations + per * invocations) / total) if total else per
        inv.invocations = total
        inv.telemetry += telemetry
        inv.alerts += alerts
        if how:
            inv.how.append(how)

    def _drain(self, esm: Node) -> None:
        queues = [q for q in self.view.deps(esm, "eventSourceArn", types=[QUEUE]) if q.urn in self.queue_messages]
        fns = self.view.functions(esm, "functionName")
        if not queues:
            return
        q = queues[0]
        messages = self.queue_messages[q.urn]
        batch = esm.props.get("batchSize")
        window = esm.props.get("maximumBatchingWindowInSeconds")
        batch = DEFAULT_BATCH_SIZE if batch is None or is_unknown(batch) else int(batch)
        window = 0.0 if window is None or is_unknown(window) else float(window)
        per = f.sqs_batch_messages(messages, batch, window)
        invocations = messages / per if messages else 0.0
        fn = fns[0] if fns else None
        self.drains[q.urn] = Drain(messages, per, invocations, fn)
        if fn is not None:
            how = (f"{invocations:,.0f} invocations of {per:.3g} message(s): batches close at {batch} messages "
                   f"or after the {window:g} s window, whichever comes first")
            self._invoke(fn, invocations, per, telemetry=messages, how=how)

    def _effects(self, fn: Optional[Node], inv: Invoked) -> None:
        if fn is None:
            return
        env = environment(fn)
        ttl = env.get("TTL_DAYS")
        try:
            ttl_days = float(ttl) if ttl is not None and not is_unknown(ttl) else DEFAULT_TTL_DAYS
        except (TypeError, ValueError):
            ttl_days = DEFAULT_TTL_DAYS
        alerts = inv.telemetry * self.traffic.alert_rate
        for t in self.view.deps(fn, "environment", types=[TABLE]):
            load = self.tables.setdefault(t.urn, TableLoad())
            load.readings += inv.telemetry
            load.alerts += alerts
            load.ttl_days = max(load.ttl_days, ttl_days)
        for t in self.view.deps(fn, "environment", types=[TOPIC]):
            self.alert_topics[t.urn] = self.alert_topics.get(t.urn, 0.0) + alerts

    def _subscription(self, sub: Node) -> None:
        topics = [t for t in self.view.deps(sub, "topic", "topicArn", types=[TOPIC])]
        protocol = sub.props.get("protocol")
        for t in topics:
            if protocol == "email" or protocol == "email-json":
                self.emails[t.urn] = self.emails.get(t.urn, 0) + 1
            alerts = self.alert_topics.get(t.urn, 0.0)
            if protocol != "lambda" or not alerts:
                continue
            for fn in self.view.functions(sub, "endpoint"):
                if fn.urn in self.invoked and self.invoked[fn.urn].telemetry:
                    continue
                self._invoke(fn, alerts, 1.0, alerts=alerts, how=f"{alerts:,.0f} invocations, one per alert")
                if environment(fn).get("IOT_DATA_ENDPOINT") is not None:
                    self.relay_publishes += alerts

    def _bridge(self, service: Node) -> Optional[Bridge]:
        tds = self.view.deps(service, "taskDefinition", types=[TASK_DEFINITION])
        if not tds:
            return None
        containers = container_definitions(tds[0])
        if containers is None:
            self.notes.append(f"{service.name}: its container definitions are not known at this preview, so whether "
                              "it subscribes to IoT Core cannot be told: its deliveries are not counted")
            return None
        if not any(_iot_broker(c) for c in containers):
            return None
        tasks = service_tasks(self.view, service)[0]
        t = self.traffic
        wanted = t.dashboard_connections * t.dashboard_messages_per_minute * MINUTES_PER_MONTH
        telemetry = min(wanted, tasks * t.messages_per_month) if t.dashboard_connections else 0.0
        # every relayed alert reaches every task serving dashboards (they watch its device)
        alerts = self.relay_publishes * tasks if t.dashboard_connections else 0.0
        public = bool((service.props.get("networkConfiguration") or {}).get("assignPublicIp"))
        via_endpoint = any("iot.data" in str(e.props.get("serviceName") or "") for e in self.view.of_type(ENDPOINT))
        return Bridge(service, tasks, telemetry + alerts, through_nat=not public and not via_endpoint,
                      via_endpoint=not public and via_endpoint, alert_deliveries=alerts)

    # ------------------------------------------------------------ derived figures

    def bridge_of(self, service: Node) -> Optional[Bridge]:
        return next((b for b in self.bridges if b.service.urn == service.urn), None)

    def iot_meter_order(self) -> list[tuple[str, float]]:
        """Metered IoT Core messages in the order they are billed (devices, bridge, relay)."""
        t = self.traffic
        out = []
        if self.rules:
            out.append(("devices", t.messages_per_month * f.chunks(tm.telemetry_message_bytes(t.payload_bytes),
                                                                   f.IOT_METER_BYTES)))
        for b in self.bridges:
            meters = (b.telemetry_deliveries * f.chunks(tm.telemetry_message_bytes(t.payload_bytes), f.IOT_METER_BYTES)
                      + b.alert_deliveries * f.chunks(tm.alert_message_bytes(), f.IOT_METER_BYTES))
            out.append((f"bridge:{b.service.urn}", meters + b.deliveries))  # deliveries + their PUBACKs
        if self.relay_publishes:
            out.append(("relay", self.relay_publishes))
        return out

    def iot_already_billed(self, kind: str) -> float:
        before = 0.0
        for k, n in self.iot_meter_order():
            if k == kind:
                return before
            before += n
        return before

    def bridge_gb(self, *, via: str) -> float:
        """GB a month of the bridges' deliveries and PUBACKs that go ``via`` ``"nat"`` or ``"endpoint"``."""
        size = tm.telemetry_message_bytes(self.traffic.payload_bytes) + tm.MQTT_TLS_OVERHEAD_BYTES
        alert = tm.alert_message_bytes() + tm.MQTT_TLS_OVERHEAD_BYTES
        return sum(b.telemetry_deliveries * size + b.alert_deliveries * alert for b in self.bridges
                   if (b.through_nat if via == "nat" else b.via_endpoint)) / 1e9

    def nat_derived_gb(self) -> float:
        """GB a month the model sends through NAT: the bridge's deliveries and their PUBACKs."""
        return self.bridge_gb(via="nat")

    def nat_gb(self) -> float:
        return self.traffic.nat_gb_per_month + self.nat_derived_gb()

    def seconds(self) -> float:
        return HOURS_PER_MONTH * 3600


def _iot_broker(container: dict[str, Any]) -> bool:
    for e in container.get("environment") or []:
        if isinstance(e, dict) and e.get("name") == "MQTT_BROKER_URL":
            v = str(e.get("value") or "")
            return ".iot." in v and "amazonaws.com" in v
    return False


def service_tasks(view: StackView, service: Node) -> tuple[float, Optional[float], Optional[float]]:
    """(tasks always running, scaling minimum, scaling maximum) of an ECS service.

    ``desiredCount`` (default 1), raised to the Application Auto Scaling target's
    ``minCapacity`` when one scales the service (the target's ``resourceId`` depends
    on the service, or names it as ``service/<cluster>/<name>``).
    """
    desired = service.props.get("desiredCount")
    tasks = 1.0 if desired is None or is_unknown(desired) else float(desired)
    target = scaling_target(view, service)
    if target is None:
        return tasks, None, None
    lo, hi = target.props.get("minCapacity"), target.props.get("maxCapacity")
    lo = None if lo is None or is_unknown(lo) else float(lo)
    hi = None if hi is None or is_unknown(hi) else float(hi)
    return max(tasks, lo or 0.0), lo, hi


def scaling_target(view: StackView, service: Node) -> Optional[Node]:
    for t in view.dependents(service, "resourceId", types=[SCALING_TARGET]):
        if t.props.get("scalableDimension") == "ecs:service:DesiredCount":
            return t
    name = service.props.get("name")
    for t in view.of_type(SCALING_TARGET):
        rid = t.props.get("resourceId")
        if (t.props.get("scalableDimension") == "ecs:service:DesiredCount" and isinstance(rid, str)
                and isinstance(name, str) and name and rid.endswith("/" + name)):
            return t
    return None
