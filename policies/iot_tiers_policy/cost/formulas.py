"""Cost formulas: one function per AWS billing rule, each returning priced line items.

Every function takes the quantities it prices (not resources, not Pulumi objects)
and a :class:`~.prices.PriceTable`, and returns a list of :class:`LineItem`, each
with the quantity, unit and price key it was computed from, so a reader can redo
the arithmetic. A month is 730 hours (the AWS Pricing Calculator's month). Free
tiers are never subtracted: they are per account, not per stack.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Optional

from .prices import PriceError, PriceTable
from .traffic import HOURS_PER_MONTH

#: IoT Core meters messages and rule executions in 5 KB steps.
IOT_METER_BYTES = 5 * 1024
#: SQS and SNS bill one request per 64 KB chunk of payload.
SQS_CHUNK_BYTES = 64 * 1024
#: SQS ReceiveMessage and DeleteMessageBatch handle at most 10 messages a call.
SQS_MAX_MESSAGES_PER_CALL = 10
#: DynamoDB on-demand: one write request unit per 1 KB of item.
DDB_WRITE_UNIT_BYTES = 1024
#: Fargate includes this much ephemeral storage in every task.
FARGATE_FREE_EPHEMERAL_GB = 20
#: gp3 baseline included in the GB price.
GP3_BASE_IOPS, GP3_BASE_THROUGHPUT = 3000, 125
#: Lambda's SQS event source starts with this many pollers, each long-polling 20 s at a time.
SQS_IDLE_POLLERS, SQS_LONG_POLL_S = 5, 20
#: Metrics EC2 detailed monitoring sends per instance (priced as custom metrics).
DETAILED_MONITORING_METRICS = 7
#: EBS volume types and the price keys of each.
EBS_TYPES = ("gp2", "gp3", "io1", "io2", "st1", "sc1", "standard")


@dataclass
class LineItem:
    """One priced quantity: ``quantity`` ``unit`` at ``price_key`` is ``usd`` a month.

    ``estimated`` marks an item priced from an estimated rate (a reserved or Spot
    rate the table does not have); ``basis`` says how it was estimated.
    """

    service: str
    item: str
    quantity: float
    unit: str
    usd: float
    price_key: str = ""
    note: str = ""
    #: Filled by the estimator: which tier and resource this item belongs to.
    tier: str = ""
    resource: str = ""
    resource_type: str = ""
    estimated: bool = False
    basis: str = ""

    def as_json(self) -> dict:
        out = {k: getattr(self, k) for k in ("tier", "resource", "resource_type", "service", "item",
                                            "quantity", "unit", "usd", "price_key", "note")}
        if self.estimated:
            out.update(estimated=True, estimate_basis=self.basis)
        return out


def _item(prices: PriceTable, service: str, item: str, key: str, quantity: float, unit: str,
          note: str = "") -> LineItem:
    return LineItem(service, item, quantity, unit, prices.cost(key, quantity), key, note)


def total(items: list[LineItem]) -> float:
    return sum(i.usd for i in items)


def chunks(payload_bytes: float, chunk: int) -> int:
    """Billing units for one payload metered in ``chunk``-byte steps (at least one)."""
    return max(1, math.ceil(payload_bytes / chunk))


# ------------------------------------------------------------------- Lambda

def lambda_costs(prices: PriceTable, *, invocations: float, duration_ms: float, memory_mb: int,
                 arch: str = "x86_64", provisioned: int = 0) -> list[LineItem]:
    """Requests, GB-seconds and provisioned concurrency of one function for a month.

    ``duration_ms`` is billed rounded up to the millisecond; GB is ``memory_mb / 1024``.
    With ``provisioned`` > 0 (default 0) the provisioned environments are charged for
    the whole month, and invocations are assumed to run on them, at the lower
    provisioned duration rate.
    """
    arch = _arch(arch)
    gb = memory_mb / 1024
    gb_s = invocations * math.ceil(duration_ms) / 1000 * gb
    items = [_item(prices, "Lambda", "requests", "lambda.requests", invocations, "requests")]
    if provisioned > 0:
        items.append(_item(prices, "Lambda", f"duration ({memory_mb} MB, {arch}, on provisioned)",
                           f"lambda.provisioned_duration.{arch}", gb_s, "GB-s"))
        seconds = prices.hours_per_month * 3600
        items.append(_item(prices, "Lambda", f"provisioned concurrency {provisioned} x {memory_mb} MB",
                           f"lambda.provisioned.{arch}", provisioned * gb * seconds, "GB-s provisioned"))
    else:
        items.append(_item(prices, "Lambda", f"duration ({memory_mb} MB, {arch}, {math.ceil(duration_ms)} ms each)",
                           f"lambda.duration.{arch}", gb_s, "GB-s"))
    return items


def lambda_invocation_ms(overhead_ms: float, ms_per_message: float, messages: float) -> float:
    """Wall time of one invocation that handles ``messages`` messages."""
    return overhead_ms + ms_per_message * messages


def sqs_batch_messages(messages_per_month: float, batch_size: int, window_s: float) -> float:
    """Average messages a Lambda SQS event source hands one invocation.

    A batch closes at ``batch_size`` messages or when the batching window
    (``maximumBatchingWindowInSeconds``) ends, whichever comes first: at ``r``
    messages a second that is ``min(batch_size, r x window)``, and never less than
    one message. With no window (0 s, the default for standard queues) Lambda
    invokes as soon as a receive returns messages; the model takes one message
    per invocation then, the most invocations a steady trickle can cause.
    """
    if batch_size < 1:
        raise ValueError(f"batchSize={batch_size!r}: must be at least 1")
    if window_s <= 0:
        return 1.0
    rate = messages_per_month / (HOURS_PER_MONTH * 3600)
    return max(1.0, min(float(batch_size), rate * window_s))


# ------------------------------------------------------------------- Fargate

FARGATE_OS = ("linux", "windows")


def fargate_costs(prices: PriceTable, *, tasks: float, vcpu: float, memory_gb: float, arch: str = "x86_64",
                  spot_share: float = 0.0, ephemeral_gb: float = FARGATE_FREE_EPHEMERAL_GB,
                  hours: Optional[float] = None, public_ip: bool = False, os: str = "linux") -> list[LineItem]:
    """``tasks`` Fargate tasks of ``vcpu`` / ``memory_gb`` running ``hours`` (default all month).

    ``os`` is ``linux`` (default; ``arch`` x86_64 or arm64) or ``windows`` (x86_64
    only, its own vCPU and GB rates plus an OS license fee per vCPU-hour, no Spot).
    ``spot_share`` (default 0) is the share of tasks on Fargate Spot, at the typical
    Spot discount; ``ephemeral_gb`` above the 20 GB included is charged; ``public_ip``
    (default False) adds a public IPv4 address per task.
    """
    arch = _arch(arch)
    if os not in FARGATE_OS:
        raise ValueError(f"Fargate operating system {os!r}: allowed values are {', '.join(FARGATE_OS)}")
    hours = prices.hours_per_month if hours is None else hours
    task_hours = tasks * hours
    if os == "windows":
        if arch != "x86_64":
            raise ValueError("Fargate runs Windows tasks on x86_64 only (cpuArchitecture ARM64 is refused)")
        if spot_share > 0:
            raise ValueError("Fargate Spot does not run Windows tasks")
        return [
            _item(prices, "Fargate", f"{tasks:g} task(s) x {vcpu:g} vCPU (Windows)", "fargate.vcpu_hour.windows",
                  task_hours * vcpu, "vCPU-hours"),
            _item(prices, "Fargate", f"{tasks:g} task(s) x {memory_gb:g} GB (Windows)", "fargate.gb_hour.windows",
                  task_hours * memory_gb, "GB-hours"),
            _item(prices, "Fargate", "Windows OS license", "fargate.windows_license.vcpu_hour", task_hours * vcpu,
                  "vCPU-hours"),
        ] + _fargate_extras(prices, task_hours, ephemeral_gb, public_ip)
    items = [
        _item(prices, "Fargate", f"{tasks:g} task(s) x {vcpu:g} vCPU ({arch})", f"fargate.vcpu_hour.{arch}",
              task_hours * vcpu, "vCPU-hours"),
        _item(prices, "Fargate", f"{tasks:g} task(s) x {memory_gb:g} GB ({arch})", f"fargate.gb_hour.{arch}",
              task_hours * memory_gb, "GB-hours"),
    ]
    if spot_share > 0:
        discount = prices.price("fargate.spot_discount").usd
        saved = -total(items) * spot_share * discount
        note = "Fargate Spot runs x86_64 tasks only" if arch == "arm64" else ""
        items.append(LineItem("Fargate", f"Fargate Spot on {spot_share:.0%} of tasks", spot_share, "share",
                              saved, "fargate.spot_discount", note))
    return items + _fargate_extras(prices, task_hours, ephemeral_gb, public_ip)


def _fargate_extras(prices: PriceTable, task_hours: float, ephemeral_gb: float, public_ip: bool) -> list[LineItem]:
    items = []
    extra = max(0.0, ephemeral_gb - FARGATE_FREE_EPHEMERAL_GB)
    if extra:
        items.append(_item(prices, "Fargate", f"ephemeral storage above 20 GB ({extra:g} GB/task)",
                           "fargate.ephemeral_gb_hour", task_hours * extra, "GB-hours"))
    if public_ip:
        items.append(_item(prices, "VPC", "public IPv4 address per task", "vpc.public_ipv4.hour", task_hours,
                           "address-hours"))
    return items


# ------------------------------------------------------------------- EC2 and EBS

PRICING_MODELS = ("on-demand", "reserved", "spot")


def ec2_costs(prices: PriceTable, *, instance_type: str, count: float = 1, hours: Optional[float] = None,
              pricing: str = "on-demand", cpu_utilization: float = 0.0, unlimited: bool = True) -> list[LineItem]:
    """``count`` instances of ``instance_type`` for ``hours`` (default all month).

    ``pricing`` is ``on-demand`` (default), ``reserved`` (1-year standard, no
    upfront) or ``spot`` (the family's typical discount). A reserved or Spot rate
    the table does not have is estimated (see :meth:`PriceTable.instance`) and the
    item is marked ``estimated``. For burstable types (t3/t4g) in unlimited mode
    (their default), average ``cpu_utilization`` (0-1, default 0) above the
    baseline is charged as surplus CPU credits.
    """
    if pricing not in PRICING_MODELS:
        raise ValueError(f"pricing={pricing!r}: allowed values are {', '.join(PRICING_MODELS)}")
    inst = prices.instance(instance_type)
    hours = prices.hours_per_month if hours is None else hours
    inst_hours = count * hours
    estimated, basis = False, ""
    if pricing == "reserved":
        rate, label = inst.reserved.hourly, "1-yr reserved, no upfront"
        estimated, basis = inst.reserved.estimated, inst.reserved.basis
    elif pricing == "spot":
        rate, label = inst.spot.hourly, "spot (typical)"
        estimated, basis = inst.spot.estimated, inst.spot.basis
    else:
        rate, label = inst.on_demand_hourly, "on-demand"
    note = f"${rate:.4g}/hour" + (" (estimated)" if estimated else "")
    items = [LineItem("EC2", f"{count:g} x {instance_type} {label}", inst_hours, "instance-hours",
                      inst_hours * rate, "ec2.instances", note, estimated=estimated, basis=basis)]
    if inst.burst_baseline is not None and unlimited and cpu_utilization > inst.burst_baseline:
        surplus = (cpu_utilization - inst.burst_baseline) * inst.vcpu * inst_hours
        items.append(_item(prices, "EC2", f"CPU credits above the {inst.burst_baseline:.0%} baseline "
                                          f"({cpu_utilization:.0%} average)",
                           f"ec2.cpu_credits.{inst.arch}", surplus, "vCPU-hours"))
    return items


def ebs_costs(prices: PriceTable, *, size_gb: float, volume_type: str = "gp3", iops: Optional[float] = None,
              throughput: Optional[float] = None, count: float = 1, io_requests: float = 0) -> list[LineItem]:
    """``count`` EBS volumes of ``size_gb`` of ``volume_type`` (default gp3), as EBS bills each type.

    gp2, st1, sc1: GB-months only. gp3: GB-months, plus IOPS above 3,000 and
    throughput above 125 MB/s. io1: GB-months plus every provisioned IOPS. io2:
    GB-months plus provisioned IOPS, tiered per volume (the first 32,000, the next
    32,000, the rest). standard (magnetic): GB-months plus ``io_requests`` a month.
    Another type is a :class:`PriceError` naming the priced ones.
    """
    vt = str(volume_type or "gp2").lower()
    if vt not in EBS_TYPES:
        raise PriceError(f"EBS volume type {volume_type!r}: priced types are {', '.join(EBS_TYPES)}")
    items = [_item(prices, "EBS", f"{count:g} x {size_gb:g} GB {vt}", f"ebs.{vt}.gb_month", count * size_gb,
                   "GB-months")]
    iops = float(iops or 0)
    if vt == "gp3":
        if iops > GP3_BASE_IOPS:
            items.append(_item(prices, "EBS", f"gp3 IOPS above 3,000 ({iops:g})", "ebs.gp3.iops_month",
                               count * (iops - GP3_BASE_IOPS), "IOPS-months"))
        if throughput and float(throughput) > GP3_BASE_THROUGHPUT:
            items.append(_item(prices, "EBS", f"gp3 throughput above 125 MB/s ({float(throughput):g})",
                               "ebs.gp3.throughput_month", count * (float(throughput) - GP3_BASE_THROUGHPUT),
                               "MB/s-months"))
    elif vt in ("io1", "io2"):
        if iops <= 0:
            raise PriceError(f"an {vt} volume needs provisioned iops (none given)")
        price = prices.price(f"ebs.{vt}.iops_month")
        items.append(LineItem("EBS", f"{vt} provisioned IOPS ({iops:g} per volume)", count * iops, "IOPS-months",
                              count * price.cost(iops), price.key))  # io2's tiers apply per volume
    elif vt == "standard" and io_requests:
        items.append(_item(prices, "EBS", "magnetic I/O requests", "ebs.standard.io_requests", count * io_requests,
                           "requests"))
    return items


def snapshot_costs(prices: PriceTable, *, gb_months: float, what: str = "snapshots") -> list[LineItem]:
    return [_item(prices, "EBS", what, "ebs.snapshot.gb_month", gb_months, "GB-months")]


def snapshot_storage_gb(*, used_gb: float, daily_change_gb: float, interval_hours: float, kept: int) -> float:
    """Snapshot data a schedule keeps: the first snapshot holds the used data, each later one
    only the blocks changed since the one before (EBS snapshots are incremental), so
    ``kept`` snapshots hold ``used + (kept - 1) x change per interval``, the change capped
    at the used size."""
    if kept < 1:
        return 0.0
    per_interval = min(used_gb, daily_change_gb * interval_hours / 24)
    return used_gb + (kept - 1) * per_interval


# ------------------------------------------------------------------- networking

def load_balancer_costs(prices: PriceTable, *, kind: str = "application", active_connections: float = 0,
                        new_connections_per_s: float = 0, processed_gb_per_hour: float = 0,
                        hours: Optional[float] = None, public_ipv4: int = 0) -> list[LineItem]:
    """An ALB (``kind="application"``, default) or NLB (``"network"``) for ``hours``.

    Capacity units are the largest of the dimensions AWS bills on: an ALB LCU is 25
    new connections/s, 3,000 active connections or 1 GB/hour processed; an NLB NLCU
    (TCP) is 800 new flows/s, 100,000 active flows or 1 GB/hour. An internet-facing
    load balancer holds ``public_ipv4`` public addresses (one per AZ), each billed
    by the hour.
    """
    hours = prices.hours_per_month if hours is None else hours
    if kind == "network":
        units = max(new_connections_per_s / 800, active_connections / 100_000, processed_gb_per_hour / 1.0)
        items = [_item(prices, "ELB", "NLB hours", "elb.nlb.hour", hours, "hours"),
                 _item(prices, "ELB", f"NLCUs ({units:.4g} average)", "elb.nlb.nlcu_hour", units * hours, "NLCU-hours")]
    elif kind == "application":
        units = max(new_connections_per_s / 25, active_connections / 3000, processed_gb_per_hour / 1.0)
        items = [_item(prices, "ELB", "ALB hours", "elb.alb.hour", hours, "hours"),
                 _item(prices, "ELB", f"LCUs ({units:.4g} average)", "elb.alb.lcu_hour", units * hours, "LCU-hours")]
    else:
        raise ValueError(f"load balancer kind={kind!r}: allowed values are application, network")
    if public_ipv4:
        items.append(_item(prices, "VPC", f"public IPv4 addresses ({public_ipv4}, one per AZ)", "vpc.public_ipv4.hour",
                           public_ipv4 * hours, "address-hours"))
    return items


def nat_gateway_costs(prices: PriceTable, *, count: float = 1, gb_processed: float = 0,
                      hours: Optional[float] = None, addresses: bool = True) -> list[LineItem]:
    """``count`` NAT gateways: hours, the ``gb_processed`` that crosses them (in total, whatever
    the count), and with ``addresses`` (default True) the public IPv4 address each holds."""
    hours = prices.hours_per_month if hours is None else hours
    items = [_item(prices, "VPC", f"{count:g} NAT gateway(s)", "vpc.nat.hour", count * hours, "hours"),
             _item(prices, "VPC", "NAT data processed", "vpc.nat.gb", gb_processed, "GB")]
    if addresses:
        items.append(_item(prices, "VPC", "NAT public IPv4 address(es)", "vpc.public_ipv4.hour", count * hours,
                           "address-hours"))
    return items


def data_transfer_out_costs(prices: PriceTable, *, gb: float, what: str = "data out to the internet") -> list[LineItem]:
    return [_item(prices, "Data transfer", what, "data_transfer.out_gb", gb, "GB")]


# ------------------------------------------------------------------- messaging

def sqs_costs(prices: PriceTable, *, requests: float, fifo: bool = False, what: str = "requests") -> list[LineItem]:
    key = "sqs.fifo.requests" if fifo else "sqs.standard.requests"
    return [_item(prices, "SQS", what, key, requests, "requests")]


def sqs_lambda_requests(messages: float, message_bytes: float, per_invocation: float,
                        busy_pollers: float = 0.0) -> dict[str, float]:
    """Requests a queue drained by a Lambda event source mapping makes in a month.

    * sends: one per message per 64 KB chunk;
    * receives: an invocation of ``per_invocation`` messages took
      ``ceil(per_invocation / 10)`` ReceiveMessage calls (10 messages at most each),
      each billed per 64 KB chunk of the messages it returned;
    * deletes: Lambda deletes a successful batch with DeleteMessageBatch, 10 a call;
    * idle receives: the event source keeps 5 pollers long-polling (20 s a poll, 3 a
      minute); the ``busy_pollers`` (average concurrent invocations) are not idle,
      the others each make 3 x 43,800 = 131,400 empty receives a month.
    """
    invocations = messages / per_invocation if messages else 0.0
    calls = math.ceil(per_invocation / SQS_MAX_MESSAGES_PER_CALL)
    full, rest = divmod(per_invocation, SQS_MAX_MESSAGES_PER_CALL)
    receive_chunks = full * chunks(SQS_MAX_MESSAGES_PER_CALL * message_bytes, SQS_CHUNK_BYTES)
    if rest:
        receive_chunks += chunks(rest * message_bytes, SQS_CHUNK_BYTES)
    idle_pollers = max(0.0, SQS_IDLE_POLLERS - busy_pollers)
    idle = idle_pollers * (60 / SQS_LONG_POLL_S) * HOURS_PER_MONTH * 60
    return {"sends": messages * chunks(message_bytes, SQS_CHUNK_BYTES),
            "receives": invocations * receive_chunks,
            "deletes": invocations * calls,
            "idle_receives": idle}


def sns_costs(prices: PriceTable, *, publishes: float, payload_bytes: float = 1024, emails: float = 0) -> list[LineItem]:
    items = [_item(prices, "SNS", "publishes", "sns.publish", publishes * chunks(payload_bytes, SQS_CHUNK_BYTES),
                   "publishes")]
    if emails:
        items.append(_item(prices, "SNS", "e-mail notifications", "sns.email", emails, "e-mails"))
    return items


def iot_connectivity_costs(prices: PriceTable, *, clients: float, connected_fraction: float = 1.0,
                           what: str = "") -> list[LineItem]:
    """Connection-minutes of ``clients`` MQTT clients connected ``connected_fraction`` of the month."""
    label = what or f"connectivity ({clients:g} clients, {connected_fraction:.0%} connected)"
    return [_item(prices, "IoT Core", label, "iot.connectivity",
                  clients * connected_fraction * prices.hours_per_month * 60, "connection-minutes")]


def iot_messaging_costs(prices: PriceTable, *, messages: float, message_bytes: float, what: str,
                        already_billed: float = 0) -> list[LineItem]:
    """``messages`` MQTT messages of ``message_bytes`` (topic + payload), metered in 5 KB steps.

    Messaging is tiered per account and month (first billion, next four, the rest):
    ``already_billed`` metered messages counted before these put them in their tier.
    """
    meters = chunks(message_bytes, IOT_METER_BYTES)
    price = prices.price("iot.messaging")
    metered = messages * meters
    return [LineItem("IoT Core", f"{what} ({meters} x 5 KB meter each)", metered, "messages",
                     price.cost_from(already_billed, metered), price.key)]


def iot_core_costs(prices: PriceTable, *, devices: float, connected_fraction: float, messages: float,
                   payload_bytes: float, rules: int = 0, actions_per_message: float = 0,
                   topic_bytes: float = 0) -> list[LineItem]:
    """IoT Core for a fleet: connection-minutes, its messages (topic + payload in 5 KB steps,
    tiered), and ``rules`` triggered / ``actions_per_message`` applied by every message."""
    size = topic_bytes + payload_bytes
    meters = chunks(size, IOT_METER_BYTES)
    items = iot_connectivity_costs(prices, clients=devices, connected_fraction=connected_fraction,
                                   what=f"connectivity ({devices:g} devices, {connected_fraction:.0%} connected)")
    items += iot_messaging_costs(prices, messages=messages, message_bytes=size, what="messages")
    if rules:
        items.append(_item(prices, "IoT Core", f"rules triggered ({rules} rule(s))", "iot.rules_triggered",
                           messages * rules * meters, "rules triggered"))
    if actions_per_message:
        items.append(_item(prices, "IoT Core", "rule actions applied", "iot.actions",
                           messages * actions_per_message * meters, "actions"))
    return items


# ------------------------------------------------------------------- storage

def dynamodb_costs(prices: PriceTable, *, writes: float = 0, item_bytes: float = 1024, reads: float = 0,
                   storage_gb: float = 0, pitr: bool = False, extra_wru: float = 0,
                   wcu: float = 0, rcu: float = 0) -> list[LineItem]:
    """A table for a month.

    On-demand (``wcu`` = ``rcu`` = 0): ``writes`` items of ``item_bytes`` (1 WRU per
    started KB) plus ``extra_wru`` other write units, ``reads`` RRUs. Provisioned:
    ``wcu`` / ``rcu`` capacity units all month, whatever the traffic. Both: storage
    and, with ``pitr``, continuous backups of it.
    """
    per_item = chunks(item_bytes, DDB_WRITE_UNIT_BYTES)
    if wcu or rcu:
        items = [_item(prices, "DynamoDB", f"provisioned writes ({wcu:g} WCU)", "dynamodb.provisioned.wcu_hour",
                       wcu * prices.hours_per_month, "WCU-hours"),
                 _item(prices, "DynamoDB", f"provisioned reads ({rcu:g} RCU)", "dynamodb.provisioned.rcu_hour",
                       rcu * prices.hours_per_month, "RCU-hours")]
    else:
        items = [_item(prices, "DynamoDB", f"writes ({per_item} WRU per item)", "dynamodb.ondemand.write",
                       writes * per_item + extra_wru, "WRU")]
        if reads:
            items.append(_item(prices, "DynamoDB", "reads", "dynamodb.ondemand.read", reads, "RRU"))
    items.append(_item(prices, "DynamoDB", "storage (steady state)", "dynamodb.storage.gb_month", storage_gb,
                       "GB-months"))
    if pitr:
        items.append(_item(prices, "DynamoDB", "point-in-time recovery", "dynamodb.pitr.gb_month", storage_gb,
                           "GB-months"))
    return items


def storage_costs(prices: PriceTable, *, service: str, key: str, gb: float, what: str = "storage") -> list[LineItem]:
    """A usage-based storage charge (S3, ECR, log storage): ``gb`` GB-months at ``key``."""
    return [_item(prices, service, what, key, gb, "GB-months")]


# ------------------------------------------------------------------- management

def cloudwatch_costs(prices: PriceTable, *, alarms: int = 0, custom_metrics: int = 0,
                     log_gb: float = 0, detailed_instances: float = 0) -> list[LineItem]:
    items = []
    if alarms:
        items.append(_item(prices, "CloudWatch", f"{alarms} alarm(s)", "cloudwatch.alarm.month", alarms, "alarm-months"))
    if custom_metrics:
        items.append(_item(prices, "CloudWatch", f"{custom_metrics} custom metric(s)", "cloudwatch.custom_metric.month",
                           custom_metrics, "metric-months"))
    if log_gb:
        items.append(_item(prices, "CloudWatch", "log ingestion", "cloudwatch.logs.ingest_gb", log_gb, "GB"))
    if detailed_instances:
        items.append(_item(prices, "CloudWatch",
                           f"EC2 detailed monitoring ({DETAILED_MONITORING_METRICS} metrics x {detailed_instances:g})",
                           "cloudwatch.detailed_monitoring.instance_month", detailed_instances, "instance-months"))
    return items


def kms_costs(prices: PriceTable, *, keys: int = 1, requests: float = 0) -> list[LineItem]:
    items = [_item(prices, "KMS", f"{keys} customer managed key(s)", "kms.key.month", keys, "key-months")]
    if requests:
        items.append(_item(prices, "KMS", "requests", "kms.requests", requests, "requests"))
    return items


def secrets_costs(prices: PriceTable, *, secrets: int = 1) -> list[LineItem]:
    return [_item(prices, "Secrets Manager", f"{secrets} secret(s)", "secretsmanager.secret.month", secrets,
                  "secret-months")]


def _arch(arch: Optional[str]) -> str:
    if arch is not None and not isinstance(arch, str):
        raise ValueError(f"architecture {arch!r}: allowed values are x86_64, arm64")
    a = (arch or "x86_64").lower().replace("-", "_")
    if a in ("arm64", "aarch64", "arm"):
        return "arm64"
    if a in ("x86_64", "x86", "amd64"):
        return "x86_64"
    raise ValueError(f"architecture {arch!r}: allowed values are x86_64, arm64")
