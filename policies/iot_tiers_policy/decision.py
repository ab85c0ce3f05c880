"""The placement rule: which AWS compute service a workload belongs on.

This module is the single home of the decision rule. The policy pack enforces it,
the components use it to tag what they build, and `tiers advise` explains it. It is
pure Python (no Pulumi, no AWS) so that it works inside a published policy pack.

The rule, applied in order (ENGINEERING.md, "Contracts"):

0. needs a GPU, durable local disk, or more local storage than Fargate gives -> EC2
1. holds persistent client connections                                      -> Fargate
2. event-triggered, each unit under the rule's threshold (900 s)            -> Lambda
3. anything else                                                            -> EC2

The step-2 threshold is the decision guide's 15 minutes, and it is the rule's own: AWS
itself now allows Lambda timeouts far longer (:data:`LAMBDA_TIMEOUT_LIMIT_S`), so a unit
of work over the threshold is "over the rule's 900 s threshold", not "impossible on
Lambda". Callers may set another threshold (the pack setting ``lambdaMaxDurationS``).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Mapping, Optional

#: The rule's step-2 threshold by default (the decision guide's 15 minutes): a unit of
#: work must finish strictly before it to belong on Lambda.
RULE_LAMBDA_THRESHOLD_S = 900
#: Kept for callers of the first version; it is the rule's threshold, not an AWS limit.
LAMBDA_MAX_DURATION_S = RULE_LAMBDA_THRESHOLD_S

#: AWS's hard limit on one Lambda invocation, in seconds. botocore's lambda model
#: (CreateFunction ``Timeout``): "the maximum allowed value is 1,800 seconds".
LAMBDA_TIMEOUT_LIMIT_S = 1800
#: The same limit for functions on Lambda Managed Instances, for asynchronous and
#: event-source-mapping invocations (except Amazon MQ and DocumentDB): 5,400 s, the
#: maximum of botocore's ``Timeout`` shape.
LAMBDA_MANAGED_INSTANCES_TIMEOUT_LIMIT_S = 5400
#: Lambda's timeout when a function sets none, in seconds (botocore: "The default is 3 seconds").
LAMBDA_DEFAULT_TIMEOUT_S = 3

#: Fargate's ephemeral storage: 20 GiB free, up to 200 GiB configurable per task. Only a
#: need above the maximum is a reason for EC2 by size alone (rule step 0).
FARGATE_FREE_EPHEMERAL_GB = 20
FARGATE_MAX_EPHEMERAL_GB = 200


def lambda_limit_note(seconds: int) -> str:
    """What AWS's own Lambda limits say about a unit of work of ``seconds`` (for messages)."""
    if seconds > LAMBDA_MANAGED_INSTANCES_TIMEOUT_LIMIT_S:
        return (f"over every Lambda limit ({LAMBDA_TIMEOUT_LIMIT_S:,} s, {LAMBDA_MANAGED_INSTANCES_TIMEOUT_LIMIT_S:,} s "
                f"on Lambda Managed Instances)")
    if seconds > LAMBDA_TIMEOUT_LIMIT_S:
        return (f"over Lambda's {LAMBDA_TIMEOUT_LIMIT_S:,} s limit (only asynchronous and event-source-mapping "
                f"invocations on Lambda Managed Instances allow up to {LAMBDA_MANAGED_INSTANCES_TIMEOUT_LIMIT_S:,} s)")
    return f"within Lambda's own {LAMBDA_TIMEOUT_LIMIT_S:,} s limit"


TAG_CONNECTIONS = "workload:connections"
TAG_TRIGGER = "workload:trigger"
TAG_MAX_DURATION = "workload:max-duration"
TAG_GPU = "workload:gpu"
TAG_DISK_GB = "workload:disk-gb"
TAG_EXEMPTION = "workload:exemption"

CONNECTIONS_VALUES = ("persistent", "none")
TRIGGER_VALUES = ("event", "continuous")
BOOL_VALUES = ("true", "false")


class Service(str, enum.Enum):
    """The three compute services of the decision rule."""

    LAMBDA = "lambda"
    FARGATE = "fargate"
    EC2 = "ec2"

    @property
    def label(self) -> str:
        return {"lambda": "Lambda", "fargate": "ECS Fargate", "ec2": "EC2"}[self.value]


@dataclass(frozen=True)
class WorkloadProfile:
    """What a workload needs, as the decision rule sees it.

    ``disk_gb`` is durable local disk (data that must survive the instance or task:
    a volume that outlives it, or an instance store the workload depends on), which
    Fargate's ephemeral storage cannot give; 0 means none. ``scratch_gb`` is local
    storage that need not survive (a spool, a cache); only more than Fargate's
    :data:`FARGATE_MAX_EPHEMERAL_GB` is a reason for EC2.
    """

    persistent_connections: bool = False
    trigger: str = "event"
    max_duration_s: Optional[int] = None
    gpu: bool = False
    disk_gb: int = 0
    scratch_gb: int = 0

    def __post_init__(self) -> None:
        if self.trigger not in TRIGGER_VALUES:
            raise ValueError(f"trigger must be one of {TRIGGER_VALUES}, got {self.trigger!r}")
        if self.max_duration_s is not None and self.max_duration_s < 0:
            raise ValueError(f"max_duration_s must be >= 0, got {self.max_duration_s}")
        if self.disk_gb < 0:
            raise ValueError(f"disk_gb must be >= 0, got {self.disk_gb}")
        if self.scratch_gb < 0:
            raise ValueError(f"scratch_gb must be >= 0, got {self.scratch_gb}")

    def to_tags(self) -> dict[str, str]:
        """The workload profile tags (ENGINEERING.md) that declare this profile."""
        tags = {
            TAG_CONNECTIONS: "persistent" if self.persistent_connections else "none",
            TAG_TRIGGER: self.trigger,
            TAG_GPU: "true" if self.gpu else "false",
            TAG_DISK_GB: str(self.disk_gb),
        }
        if self.max_duration_s is not None:
            tags[TAG_MAX_DURATION] = str(self.max_duration_s)
        return tags


@dataclass(frozen=True)
class Step:
    """One question of the rule, its answer for a profile, and whether it decided."""

    number: int
    question: str
    answer: str
    decided: Optional[Service] = None

    def __str__(self) -> str:
        verdict = f" -> {self.decided.label}" if self.decided else " -> continue"
        return f"step {self.number}: {self.question} {self.answer}{verdict}"


@dataclass(frozen=True)
class Placement:
    """The service the rule places a workload on, with the chain of steps that led there."""

    service: Service
    steps: tuple[Step, ...] = field(default_factory=tuple)

    @property
    def step(self) -> int:
        """The number of the step that decided."""
        return self.steps[-1].number

    def explain(self) -> str:
        return "; ".join(str(s) for s in self.steps)


def place(profile: WorkloadProfile, *, lambda_threshold_s: int = RULE_LAMBDA_THRESHOLD_S,
          fargate_max_storage_gb: int = FARGATE_MAX_EPHEMERAL_GB) -> Placement:
    """Apply the decision rule to ``profile`` and return where it belongs and why.

    ``lambda_threshold_s``: step 2's threshold (default the rule's 900 s).
    ``fargate_max_storage_gb``: local storage Fargate can give (default 200 GiB); a
    non-durable need above it is step 0.
    """
    steps: list[Step] = []
    q0 = f"needs a GPU, durable local disk, or more than {fargate_max_storage_gb} GiB of local storage?"
    hard_needs = []
    if profile.gpu:
        hard_needs.append("a GPU")
    if profile.disk_gb > 0:
        hard_needs.append(f"{profile.disk_gb} GB of durable local disk")
    if profile.scratch_gb > fargate_max_storage_gb:
        hard_needs.append(f"{profile.scratch_gb} GB of local storage, more than Fargate's {fargate_max_storage_gb} GiB")
    if hard_needs:
        steps.append(Step(0, q0, "yes (" + " and ".join(hard_needs) + ")", Service.EC2))
        return Placement(Service.EC2, tuple(steps))
    steps.append(Step(0, q0, "no"))

    if profile.persistent_connections:
        steps.append(Step(1, "holds persistent connections?", "yes", Service.FARGATE))
        return Placement(Service.FARGATE, tuple(steps))
    steps.append(Step(1, "holds persistent connections?", "no"))

    q2 = f"event-triggered and done in under the rule's {lambda_threshold_s} s threshold?"
    duration = profile.max_duration_s
    if profile.trigger == "event" and duration is not None and duration < lambda_threshold_s:
        steps.append(Step(2, q2, f"yes (event, {duration} s)", Service.LAMBDA))
        return Placement(Service.LAMBDA, tuple(steps))
    if profile.trigger == "event" and duration is None:
        why = "no (event, but no max duration declared)"
    elif profile.trigger == "event":
        why = (f"no (event, but {duration} s >= {lambda_threshold_s} s: over the rule's threshold, "
               f"{lambda_limit_note(duration)})")
    else:
        why = "no (runs continuously)"
    steps.append(Step(2, q2, why))

    steps.append(Step(3, "anything else", f"runs continuously or longer than the rule's {lambda_threshold_s} s "
                                          f"threshold", Service.EC2))
    return Placement(Service.EC2, tuple(steps))


class TagError(ValueError):
    """A workload profile tag has a value outside what the contract allows."""


def _parse_bool(tags: Mapping[str, str], key: str) -> Optional[bool]:
    raw = tags.get(key)
    if raw is None:
        return None
    value = str(raw).strip().lower()
    if value not in BOOL_VALUES:
        raise TagError(f"tag {key}={raw!r}: allowed values are {', '.join(BOOL_VALUES)}")
    return value == "true"


def _parse_int(tags: Mapping[str, str], key: str) -> Optional[int]:
    raw = tags.get(key)
    if raw is None:
        return None
    try:
        value = int(str(raw).strip())
    except ValueError:
        raise TagError(f"tag {key}={raw!r}: must be a whole number of {'seconds' if key == TAG_MAX_DURATION else 'GB'}") from None
    if value < 0:
        raise TagError(f"tag {key}={raw!r}: must be >= 0")
    return value


@dataclass(frozen=True)
class DeclaredProfile:
    """The profile a resource's tags declare; ``None`` fields were not declared."""

    connections: Optional[bool] = None
    trigger: Optional[str] = None
    max_duration_s: Optional[int] = None
    gpu: Optional[bool] = None
    disk_gb: Optional[int] = None
    exemption: Optional[str] = None

    @property
    def is_declared(self) -> bool:
        """True when the two tags the rule cannot do without are present."""
        return self.connections is not None and self.trigger is not None


def declared_profile(tags: Optional[Mapping[str, str]]) -> DeclaredProfile:
    """Read the workload profile tags. Raises :class:`TagError` for a value outside the contract."""
    tags = dict(tags or {})
    conn = tags.get(TAG_CONNECTIONS)
    if conn is not None and conn not in CONNECTIONS_VALUES:
        raise TagError(f"tag {TAG_CONNECTIONS}={conn!r}: allowed values are {', '.join(CONNECTIONS_VALUES)}")
    trigger = tags.get(TAG_TRIGGER)
    if trigger is not None and trigger not in TRIGGER_VALUES:
        raise TagError(f"tag {TAG_TRIGGER}={trigger!r}: allowed values are {', '.join(TRIGGER_VALUES)}")
    exemption = tags.get(TAG_EXEMPTION)
    if exemption is not None and not str(exemption).strip():
        raise TagError(f"tag {TAG_EXEMPTION} is empty: an exemption must state its reason")
    return DeclaredProfile(
        connections=None if conn is None else conn == "persistent",
        trigger=trigger,
        max_duration_s=_parse_int(tags, TAG_MAX_DURATION),
        gpu=_parse_bool(tags, TAG_GPU),
        disk_gb=_parse_int(tags, TAG_DISK_GB),
        exemption=None if exemption is None else str(exemption).strip(),
    )


#: Instance families that carry an accelerator (GPU, Inferentia, Trainium).
GPU_FAMILY_PREFIXES = ("g", "p", "inf", "trn", "dl")


def instance_has_gpu(instance_type: str) -> bool:
    """True for accelerated EC2 instance types (g*, p*, inf*, trn*, dl*)."""
    family = instance_type.split(".", 1)[0].lower()
    # "g" alone must not match graviton general-purpose families? Those are m7g/c7g:
    # the family *starts* with m/c, so a prefix test on the family is exact.
    return family.startswith(GPU_FAMILY_PREFIXES)
