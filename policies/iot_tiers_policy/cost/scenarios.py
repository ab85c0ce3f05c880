"""What-if costs: one workload on each of the three services, and the seed's table.

``compare_services`` prices one workload profile on Lambda, Fargate and EC2 so
``tiers advise`` can show what a misplacement costs (or why it is impossible).
``seed_table`` recomputes the decision guide's cost table with our formulas.

Sizing of always-on services (the assumptions are :class:`Sizing` fields):
a workload of ``r`` messages a second at peak (``peak_to_average`` x the
average) needs ``r x cpu_ms_per_message / 1000`` vCPUs; Fargate runs that many
tasks of ``fargate_vcpu`` (at least one), EC2 that many instances (at least one).
Burstable instances pay CPU credits for average use above their baseline.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Optional

from ..decision import LAMBDA_MAX_DURATION_S, LAMBDA_TIMEOUT_LIMIT_S, Service, WorkloadProfile, lambda_limit_note, place
from . import formulas as f
from . import telemetry as tm
from .formulas import LineItem
from .prices import PriceTable
from .traffic import DAYS_PER_MONTH


@dataclass(frozen=True)
class Sizing:
    """How a workload is sized on each service. Every field has a default."""

    #: Lambda memory, MB. Default 256 (the ProcessingTier's default).
    memory_mb: int = 256
    #: Lambda architecture. Default ``x86_64`` (the seed's; ``arm64`` is 20% cheaper per GB-s).
    lambda_arch: str = "x86_64"
    #: Wall time of one unit of work (one message), ms. Default None: 100 ms (capped at
    #: the max duration) for short event work; the whole max duration for units of
    #: 900 s or more (a long job runs about as long as it is declared to).
    duration_ms: Optional[float] = None
    #: CPU time one unit needs on an always-on server, ms. Default None: 2 ms for
    #: short or message-forwarding work (I/O-bound, 500 messages/s per vCPU); the
    #: whole duration for units of 900 s or more (CPU-bound jobs).
    cpu_ms_per_message: Optional[float] = None
    #: Peak over average message rate. Default 2.
    peak_to_average: float = 2.0
    #: Fargate task size. Default 0.5 vCPU / 1 GB (the seed's task definition).
    fargate_vcpu: float = 0.5
    fargate_memory_gb: float = 1.0
    fargate_arch: str = "x86_64"
    #: EC2 instance type. Default None: t3.medium, or g4dn.xlarge for a GPU workload.
    instance_type: Optional[str] = None
    #: Root volume of each instance, GB (gp3). Default 8.
    root_gb: int = 8

    def unit_ms(self, profile: WorkloadProfile) -> float:
        if self.duration_ms is not None:
            return self.duration_ms
        if profile.max_duration_s is not None and profile.max_duration_s >= LAMBDA_MAX_DURATION_S:
            return profile.max_duration_s * 1000
        if profile.max_duration_s is not None:
            return min(profile.max_duration_s * 1000, 100)
        return 100

    def cpu_ms(self, profile: WorkloadProfile) -> float:
        if self.cpu_ms_per_message is not None:
            return self.cpu_ms_per_message
        if profile.max_duration_s is not None and profile.max_duration_s >= LAMBDA_MAX_DURATION_S:
            return self.unit_ms(profile)
        return 2.0


@dataclass
class ServiceOption:
    """A workload priced on one service, or why it cannot run there."""

    service: Service
    possible: bool
    reason: str = ""
    summary: str = ""
    items: list[LineItem] = field(default_factory=list)

    @property
    def usd(self) -> Optional[float]:
        return f.total(self.items) if self.possible else None

    def as_json(self) -> dict:
        return {"service": self.service.value, "label": self.service.label, "possible": self.possible,
                "reason": self.reason, "summary": self.summary,
                "monthly_usd": None if self.usd is None else round(self.usd, 2),
                "items": [dict(i.as_json(), usd=round(i.usd, 4)) for i in self.items]}


def lambda_impossible(profile: WorkloadProfile) -> Optional[str]:
    if profile.gpu:
        return "Lambda has no GPUs"
    if profile.disk_gb:
        return "Lambda has no durable local disk (/tmp is at most 10 GB and goes with the execution environment)"
    if profile.persistent_connections:
        return (f"a Lambda invocation cannot hold a client connection open: it ends within its timeout (AWS "
                f"allows at most {LAMBDA_TIMEOUT_LIMIT_S:,} s) and keeps nothing between invocations")
    if profile.trigger == "continuous":
        return (f"Lambda runs per event, at most {LAMBDA_TIMEOUT_LIMIT_S:,} s an invocation (AWS's limit): a "
                f"process that runs continuously cannot")
    # Over the rule's 900 s threshold is not impossible: only AWS's own limit is.
    if profile.max_duration_s is not None and profile.max_duration_s > LAMBDA_TIMEOUT_LIMIT_S:
        return f"a unit of work of {profile.max_duration_s} s is {lambda_limit_note(profile.max_duration_s)}"
    return None


def fargate_impossible(profile: WorkloadProfile) -> Optional[str]:
    if profile.gpu:
        return "Fargate offers no GPUs"
    if profile.disk_gb:
        return ("Fargate storage is ephemeral (20-200 GB, lost when the task stops): no durable local disk "
                f"for {profile.disk_gb} GB")
    return None


def _vcpu_demand(messages_per_day: float, sizing: Sizing, profile: WorkloadProfile) -> tuple[float, float]:
    """(peak vCPUs, average vCPUs) the message load needs on an always-on server."""
    avg = messages_per_day / 86400 * sizing.cpu_ms(profile) / 1000
    return avg * sizing.peak_to_average, avg


def compare_services(profile: WorkloadProfile, messages_per_day: float, prices: PriceTable,
                     sizing: Optional[Sizing] = None) -> list[ServiceOption]:
    """``profile`` with ``messages_per_day`` units of work, priced on Lambda, Fargate and EC2."""
    sizing = sizing or Sizing()
    per_month = messages_per_day * DAYS_PER_MONTH
    peak, avg = _vcpu_demand(messages_per_day, sizing, profile)
    out = []

    why = lambda_impossible(profile)
    if why:
        out.append(ServiceOption(Service.LAMBDA, False, why))
    else:
        ms = sizing.unit_ms(profile)
        items = f.lambda_costs(prices, invocations=per_month, duration_ms=ms, memory_mb=sizing.memory_mb,
                               arch=sizing.lambda_arch)
        out.append(ServiceOption(Service.LAMBDA, True, summary=(
            f"{per_month:,.0f} invocations x {ms:g} ms at {sizing.memory_mb} MB ({sizing.lambda_arch})"), items=items))

    why = fargate_impossible(profile)
    if why:
        out.append(ServiceOption(Service.FARGATE, False, why))
    else:
        tasks = max(1, math.ceil(round(peak / sizing.fargate_vcpu, 9)))
        items = f.fargate_costs(prices, tasks=tasks, vcpu=sizing.fargate_vcpu, memory_gb=sizing.fargate_memory_gb,
                                arch=sizing.fargate_arch)
        out.append(ServiceOption(Service.FARGATE, True, summary=(
            f"{tasks} task(s) of {sizing.fargate_vcpu:g} vCPU / {sizing.fargate_memory_gb:g} GB, always on "
            f"(peak {peak:.3g} vCPU)"), items=items))

    itype = sizing.instance_type or ("g4dn.xlarge" if profile.gpu else "t3.medium")
    inst = prices.instance(itype)
    if inst.vcpu is None:
        from .prices import PriceError

        raise PriceError(f"the price table has {itype}'s hourly price but not its vCPU count, which sizing needs: "
                         f"add ec2.instances.{itype}.vcpu and memory_gib with --prices FILE")
    count = max(1, math.ceil(round(peak / inst.vcpu, 9)))
    util = avg / (count * inst.vcpu)
    items = f.ec2_costs(prices, instance_type=itype, count=count, cpu_utilization=util)
    items += f.ebs_costs(prices, size_gb=sizing.root_gb, count=count)
    if profile.disk_gb:
        items += f.ebs_costs(prices, size_gb=profile.disk_gb, count=count)
    reserved = ""
    if inst.reserved_1y_no_upfront_hourly is not None:
        ri = f.total(f.ec2_costs(prices, instance_type=itype, count=count, pricing="reserved", cpu_utilization=util))
        od = f.total(f.ec2_costs(prices, instance_type=itype, count=count, cpu_utilization=util))
        est = " (estimated)" if inst.reserved.estimated else ""
        reserved = f"; ${f.total(items) - od + ri:,.2f} with 1-yr no-upfront reservations{est}"
    out.append(ServiceOption(Service.EC2, True, summary=(
        f"{count} x {itype} on-demand, always on ({util:.0%} average CPU){reserved}"), items=items))
    return out


@dataclass
class Advice:
    """The rule's placement, its steps, and the workload priced on each service."""

    profile: WorkloadProfile
    messages_per_day: float
    placement: object
    options: list[ServiceOption]

    def option(self, service: Service) -> ServiceOption:
        return next(o for o in self.options if o.service is service)

    def as_json(self) -> dict:
        chosen = self.option(self.placement.service)
        return {
            "profile": {"connections": "persistent" if self.profile.persistent_connections else "none",
                        "trigger": self.profile.trigger, "max_duration_s": self.profile.max_duration_s,
                        "gpu": self.profile.gpu, "disk_gb": self.profile.disk_gb},
            "messages_per_day": self.messages_per_day,
            "placement": self.placement.service.value,
            "placement_label": self.placement.service.label,
            "steps": [{"number": s.number, "question": s.question, "answer": s.answer,
                       "decided": s.decided.value if s.decided else None} for s in self.placement.steps],
            "options": [dict(o.as_json(), placed=o.service is self.placement.service,
                             vs_placement_usd=(None if o.usd is None or chosen.usd is None
                                               else round(o.usd - chosen.usd, 2)))
                        for o in self.options],
        }


def advise(profile: WorkloadProfile, messages_per_day: float, prices: PriceTable,
           sizing: Optional[Sizing] = None) -> Advice:
    """The decision rule's placement for ``profile`` and its cost on every service."""
    return Advice(profile, messages_per_day, place(profile), compare_services(profile, messages_per_day, prices, sizing))


# ------------------------------------------------------------------ the seed's table

#: The decision guide's cost table, as published: msgs/day -> (Lambda, Fargate, EC2) USD/month.
SEED_TABLE = {
    100_000: (0.02, 25, 35),
    1_000_000: (0.20, 25, 35),
    10_000_000: (2, 50, 70),
    100_000_000: (20, 200, 140),
}

#: Sizing that reproduces the seed's setting: a telemetry handler (I/O-bound, 2 ms of
#: CPU a message), one message per Lambda invocation at 128 MB / 100 ms (inside the
#: seed's "50-300 ms"), a 0.5 vCPU / 1 GB task, a t3.medium.
SEED_SIZING = Sizing(memory_mb=128, lambda_arch="x86_64", duration_ms=100, cpu_ms_per_message=2,
                     peak_to_average=2.0, instance_type="t3.medium")


@dataclass
class SeedRow:
    messages_per_day: int
    seed: tuple
    lambda_requests_only: float
    lambda_per_message: ServiceOption
    lambda_batched: list[LineItem]
    fargate: ServiceOption
    ec2: ServiceOption
    ec2_reserved: float
    pipeline: list[LineItem]
    #: messages per batched invocation (the batch size, or what the window collects)
    batched_per_invocation: float = 0.0


def seed_table(prices: PriceTable, sizing: Sizing = SEED_SIZING, *, batch_size: int = 100, window_s: float = 1,
               batched_memory_mb: int = 256, overhead_ms: float = 50, ms_per_message: float = 2,
               payload_bytes: int = 512) -> list[SeedRow]:
    """Our figures for every row of :data:`SEED_TABLE`.

    Besides the seed's three columns: Lambda as the ProcessingTier builds it (from
    SQS, a batch closing at ``batch_size`` messages or after ``window_s`` seconds,
    whichever comes first; ``batched_memory_mb`` arm64; ``overhead_ms +
    ms_per_message x messages`` each), and the message pipeline every option sits
    behind when devices publish through IoT Core (IoT Core, SQS and DynamoDB writes
    for ``payload_bytes`` messages, the handler's item).
    """
    profile = WorkloadProfile(persistent_connections=False, trigger="event", max_duration_s=30)
    rows = []
    for per_day, seed in SEED_TABLE.items():
        per_month = per_day * DAYS_PER_MONTH
        opts = {o.service: o for o in compare_services(profile, per_day, prices, sizing)}
        per = f.sqs_batch_messages(per_month, batch_size, window_s)
        duration = f.lambda_invocation_ms(overhead_ms, ms_per_message, per)
        batched = f.lambda_costs(prices, invocations=per_month / per, duration_ms=duration,
                                 memory_mb=batched_memory_mb, arch="arm64")
        inst = prices.instance(sizing.instance_type or "t3.medium")
        ec2 = opts[Service.EC2]
        count = int(ec2.items[0].quantity / prices.hours_per_month)
        credits = sum(i.usd for i in ec2.items if i.price_key.startswith("ec2.cpu_credits"))
        ri = count * inst.reserved_1y_no_upfront_hourly * prices.hours_per_month + credits
        busy = per_month / per / (DAYS_PER_MONTH * 86400) * duration / 1000
        req = f.sqs_lambda_requests(per_month, tm.queued_message_bytes(payload_bytes), per, busy_pollers=busy)
        pipeline = (f.iot_core_costs(prices, devices=0, connected_fraction=0, messages=per_month,
                                     payload_bytes=payload_bytes, topic_bytes=len(tm.TELEMETRY_TOPIC), rules=1,
                                     actions_per_message=1)[1:]
                    + f.sqs_costs(prices, requests=sum(req.values()))
                    + f.dynamodb_costs(prices, writes=per_month, item_bytes=tm.reading_item_bytes())[:1])
        rows.append(SeedRow(per_day, seed, prices.cost("lambda.requests", per_month), opts[Service.LAMBDA],
                            batched, opts[Service.FARGATE], ec2, ri, pipeline, per))
    return rows
