"""Cost formulas: one function per AWS service, each returning priced line items.

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

from .prices import PriceTable

#: IoT Core meters messages and rule executions in 5 KB steps.
IOT_METER_BYTES = 5 * 1024
#: SQS and SNS bill one request per 64 KB chunk of payload.
SQS_CHUNK_BYTES = 64 * 1024
#: DynamoDB on-demand: one write request unit per 1 KB of item.
DDB_WRITE_UNIT_BYTES = 1024
#: Fargate includes this much ephemeral storage in every task.
FARGATE_FREE_EPHEMERAL_GB = 20
#: gp3 baseline included in the GB price.
GP3_BASE_IOPS, GP3_BASE_THROUGHPUT = 3000, 125
#: Lambda's SQS poller: pollers it keeps long-polling an idle queue, and how long one poll waits.
SQS_IDLE_POLLERS, SQS_LONG_POLL_S = 5, 20


@dataclass
class LineItem:
    """One priced quantity: ``quantity`` ``unit`` at ``price_key`` is ``usd`` a month."""

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

    def as_json(self) -> dict:
        return {k: getattr(self, k) for k in ("tier", "resource", "resource_type", "service", "item",
                                             "quantity", "unit", "usd", "price_key", "note")}


def _item(prices: PriceTable, service: str, item: str, key: str, quantity: float, unit: str,
          note: str = "") -> LineItem:
    return LineItem(service, item, quantity, unit, prices.cost(key, quantity), key, note)


def total(items: list[LineItem]) -> float:
    return sum(i.usd for i in items)


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


# ------------------------------------------------------------------- Fargate

def fargate_costs(prices: PriceTable, *, tasks: float, vcpu: float, memory_gb: float, arch: str = "x86_64",
                  spot_share: float = 0.0, ephemeral_gb: float = FARGATE_FREE_EPHEMERAL_GB,
                  hours: Optional[float] = None, public_ip: bool = False) -> list[LineItem]:
    """``tasks`` Fargate tasks of ``vcpu`` / ``memory_gb`` running ``hours`` (default all month).

    ``spot_share`` (default 0) is the share of tasks on Fargate Spot, at the typical
    Spot discount; ``ephemeral_gb`` above the 20 GB included is charged; ``public_ip``
    (default False) adds a public IPv4 address per task.
    """
    arch = _arch(arch)
    hours = prices.hours_per_month if hours is None else hours
    task_hours = tasks * hours
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
    upfront) or ``spot`` (the family's typical discount). For burstable types
    (t3/t4g) in unlimited mode (their default), average ``cpu_utilization`` (0-1,
    default 0) above the baseline is charged as surplus CPU credits.
    """
    if pricing not in PRICING_MODELS:
        raise ValueError(f"pricing={pricing!r}: allowed values are {', '.join(PRICING_MODELS)}")
    inst = prices.instance(instance_type)
    hours = prices.hours_per_month if hours is None else hours
    inst_hours = count * hours
    if pricing == "reserved":
        if inst.reserved_1y_no_upfront_hourly is None:
            raise ValueError(f"no 1-year reserved price for {instance_type} in the price table")
        rate, label = inst.reserved_1y_no_upfront_hourly, "1-yr reserved, no upfront"
    elif pricing == "spot":
        rate, label = inst.on_demand_hourly * (1 - prices.spot_discount(instance_type)), "spot (typical)"
    else:
        rate, label = inst.on_demand_hourly, "on-demand"
    items = [LineItem("EC2", f"{count:g} x {instance_type} {label}", inst_hours, "instance-hours",
                      inst_hours * rate, "ec2.instances", f"${rate:g}/hour")]
    if inst.burst_baseline is not None and unlimited and cpu_utilization > inst.burst_baseline:
        surplus = (cpu_utilization - inst.burst_baseline) * inst.vcpu * inst_hours
        items.append(_item(prices, "EC2", f"CPU credits above the {inst.burst_baseline:.0%} baseline "
                                          f"({cpu_utilization:.0%} average)",
                           f"ec2.cpu_credits.{inst.arch}", surplus, "vCPU-hours"))
    return items


def ebs_costs(prices: PriceTable, *, size_gb: float, volume_type: str = "gp3", iops: Optional[int] = None,
              throughput: Optional[int] = None, count: float = 1) -> list[LineItem]:
    """``count`` EBS volumes of ``size_gb`` (gp3 default; gp2 supported, other types priced as gp3 with a note)."""
    note = ""
    if volume_type not in ("gp3", "gp2"):
        note = f"{volume_type} priced as gp3 (no {volume_type} price in the table)"
        volume_type = "gp3"
    items = [_item(prices, "EBS", f"{count:g} x {size_gb:g} GB {volume_type}", f"ebs.{volume_type}.gb_month",
                   count * size_gb, "GB-months", note)]
    if volume_type == "gp3":
        if iops and iops > GP3_BASE_IOPS:
            items.append(_item(prices, "EBS", f"gp3 IOPS above 3,000 ({iops})", "ebs.gp3.iops_month",
                               count * (iops - GP3_BASE_IOPS), "IOPS-months"))
        if throughput and throughput > GP3_BASE_THROUGHPUT:
            items.append(_item(prices, "EBS", f"gp3 throughput above 125 MB/s ({throughput})",
                               "ebs.gp3.throughput_month", count * (throughput - GP3_BASE_THROUGHPUT), "MB/s-months"))
    return items


# ------------------------------------------------------------------- networking

def load_balancer_costs(prices: PriceTable, *, kind: str = "application", active_connections: float = 0,
                        new_connections_per_s: float = 0, processed_gb_per_hour: float = 0,
                        hours: Optional[float] = None) -> list[LineItem]:
    """An ALB (``kind="application"``, default) or NLB (``"network"``) for ``hours``.

    Capacity units are the largest of the dimensions AWS bills on: an ALB LCU is 25
    new connections/s, 3,000 active connections or 1 GB/hour processed; an NLB NLCU
    (TCP) is 800 new flows/s, 100,000 active flows or 1 GB/hour.
    """
    hours = prices.hours_per_month if hours is None else hours
    if kind == "network":
        units = max(new_connections_per_s / 800, active_connections / 100_000, processed_gb_per_hour / 1.0)
        return [_item(prices, "ELB", "NLB hours", "elb.nlb.hour", hours, "hours"),
                _item(prices, "ELB", f"NLCUs ({units:.4g} average)", "elb.nlb.nlcu_hour", units * hours, "NLCU-hours")]
    if kind != "application":
        raise ValueError(f"load balancer kind={kind!r}: allowed values are application, network")
    units = max(new_connections_per_s / 25, active_connections / 3000, processed_gb_per_hour / 1.0)
    return [_item(prices, "ELB", "ALB hours", "elb.alb.hour", hours, "hours"),
            _item(prices, "ELB", f"LCUs ({units:.4g} average)", "elb.alb.lcu_hour", units * hours, "LCU-hours")]


def nat_gateway_costs(prices: PriceTable, *, count: float = 1, gb_processed: float = 0,
                      hours: Optional[float] = None) -> list[LineItem]:
    """``count`` NAT gateways: hours, data processed, and the public IPv4 address each holds."""
    hours = prices.hours_per_month if hours is None else hours
    return [_item(prices, "VPC", f"{count:g} NAT gateway(s)", "vpc.nat.hour", count * hours, "hours"),
            _item(prices, "VPC", "NAT data processed", "vpc.nat.gb", count * gb_processed, "GB"),
            _item(prices, "VPC", "NAT public IPv4 address(es)", "vpc.public_ipv4.hour", count * hours, "address-hours")]


def data_transfer_out_costs(prices: PriceTable, *, gb: float, what: str = "data out to the internet") -> list[LineItem]:
    return [_item(prices, "Data transfer", what, "data_transfer.out_gb", gb, "GB")]


# ------------------------------------------------------------------- messaging and storage

def chunks(payload_bytes: float, chunk: int) -> int:
    """Billing units for one payload metered in ``chunk``-byte steps (at least one)."""
    return max(1, math.ceil(payload_bytes / chunk))


def sqs_costs(prices: PriceTable, *, requests: float, fifo: bool = False, what: str = "requests") -> list[LineItem]:
    key = "sqs.fifo.requests" if fifo else "sqs.standard.requests"
    return [_item(prices, "SQS", what, key, requests, "requests")]


def sqs_lambda_requests(messages: float, payload_bytes: float) -> dict[str, float]:
    """Requests a queue drained by a Lambda event source mapping makes in a month.

    Sends: one per message per 64 KB chunk. Receives and deletes: the poller
    receives up to 10 messages per call and deletes them in one batch call. Idle
    polling: the poller keeps 5 long polls (20 s each) going on an empty queue, so
    an idle queue still costs 5 x 3 x 43,800 = 657,000 requests a month; busy polls
    are the receives already counted, so idle polling is the larger of the two,
    not their sum.
    """
    n = chunks(payload_bytes, SQS_CHUNK_BYTES)
    sends = messages * n
    receives = math.ceil(messages / 10) * n
    deletes = math.ceil(messages / 10)
    idle_floor = SQS_IDLE_POLLERS * (60 / SQS_LONG_POLL_S) * 730 * 60
    return {"sends": sends, "receives": max(receives, idle_floor), "deletes": deletes}


def dynamodb_costs(prices: PriceTable, *, writes: float = 0, item_bytes: float = 1024, reads: float = 0,
                   storage_gb: float = 0, pitr: bool = False) -> list[LineItem]:
    """On-demand table: ``writes`` items of ``item_bytes`` (1 WRU per KB), ``reads`` RRUs, storage, PITR."""
    wru = writes * chunks(item_bytes, DDB_WRITE_UNIT_BYTES)
    items = [_item(prices, "DynamoDB", f"writes ({chunks(item_bytes, DDB_WRITE_UNIT_BYTES)} WRU per item)",
                   "dynamodb.ondemand.write", wru, "WRU"),
             _item(prices, "DynamoDB", "storage (steady state)", "dynamodb.storage.gb_month", storage_gb, "GB-months")]
    if reads:
        items.append(_item(prices, "DynamoDB", "reads", "dynamodb.ondemand.read", reads, "RRU"))
    if pitr:
        items.append(_item(prices, "DynamoDB", "point-in-time recovery", "dynamodb.pitr.gb_month", storage_gb,
                           "GB-months"))
    return items


def sns_costs(prices: PriceTable, *, publishes: float, payload_bytes: float = 1024, emails: float = 0) -> list[LineItem]:
    items = [_item(prices, "SNS", "publishes", "sns.publish", publishes * chunks(payload_bytes, SQS_CHUNK_BYTES),
                   "publishes")]
    if emails:
        items.append(_item(prices, "SNS", "e-mail notifications", "sns.email", emails, "e-mails"))
    return items


def iot_core_costs(prices: PriceTable, *, devices: float, connected_fraction: float, messages: float,
                   payload_bytes: float, rules: int = 0, actions_per_message: float = 0) -> list[LineItem]:
    """IoT Core for a month: connection-minutes, messages (5 KB steps, tiered), rules and actions.

    Every message is assumed to trigger each of the ``rules`` (their SQL selects the
    telemetry topic), and ``actions_per_message`` actions in total across them.
    """
    meters = chunks(payload_bytes, IOT_METER_BYTES)
    items = [_item(prices, "IoT Core", f"connectivity ({devices:g} devices, {connected_fraction:.0%} connected)",
                   "iot.connectivity", devices * connected_fraction * prices.hours_per_month * 60, "connection-minutes"),
             _item(prices, "IoT Core", f"messages ({meters} x 5 KB meter each)", "iot.messaging",
                   messages * meters, "messages")]
    if rules:
        items.append(_item(prices, "IoT Core", f"rules triggered ({rules} rule(s))", "iot.rules_triggered",
                           messages * rules * meters, "rules triggered"))
    if actions_per_message:
        items.append(_item(prices, "IoT Core", "rule actions applied", "iot.actions",
                           messages * actions_per_message * meters, "actions"))
    return items


# ------------------------------------------------------------------- management

def cloudwatch_costs(prices: PriceTable, *, alarms: int = 0, custom_metrics: int = 0,
                     log_gb: float = 0) -> list[LineItem]:
    items = []
    if alarms:
        items.append(_item(prices, "CloudWatch", f"{alarms} alarm(s)", "cloudwatch.alarm.month", alarms, "alarm-months"))
    if custom_metrics:
        items.append(_item(prices, "CloudWatch", f"{custom_metrics} custom metric(s)", "cloudwatch.custom_metric.month",
                           custom_metrics, "metric-months"))
    if log_gb:
        items.append(_item(prices, "CloudWatch", "log ingestion", "cloudwatch.logs.ingest_gb", log_gb, "GB"))
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
    a = (arch or "x86_64").lower().replace("-", "_")
    if a in ("arm64", "aarch64", "arm"):
        return "arm64"
    if a in ("x86_64", "x86", "amd64"):
        return "x86_64"
    raise ValueError(f"architecture {arch!r}: allowed values are x86_64, arm64")
