"""Settings of the HeavyComputeTier (EC2): its rows of the defaults table.

Two kinds of rows:

- ``heavy*`` keys, shared by every heavy role of the stack: which roles exist
  (``heavyRoles``), monitoring, IMDS hop limit, snapshot schedule, protection, logs;
- ``heavy<Role>*`` keys, one table per role (``heavyBrokerInstanceTypes``,
  ``heavyInferenceOnDemandBase``, ...), holding only the rows that role uses, with
  the role preset's development defaults (``components/heavy_roles.py``).

A :class:`~iot_tiers.components.heavy.HeavyComputeTier` takes the shared rows (minus
``roles``) plus its role's rows as arguments; :func:`resolve_heavy` fills and
checks them, with the same messages a stack file gets.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from ..heavy_roles import (ARCHITECTURES, PRESETS, ROLES, RolePreset, gpu_types, instance_architecture,
                           is_instance_type)
from .arns import certificate_arn_check
from .schema import (IPV4_CIDR, PROJECT, ConfigError, CrossCheck, Setting, int_range, list_of, log_retention,
                     matches, one_of, resolve)

T = "heavy"

#: The intervals, in hours, a Data Lifecycle Manager schedule accepts.
SNAPSHOT_INTERVALS = (1, 2, 3, 4, 6, 8, 12, 24)
#: gp3 volume sizes, in GiB.
GP3_MAX_GB = 16384

_BOOL = ("true or false", lambda v: isinstance(v, bool))
_CERT_ARN = r"arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate/[A-Za-z0-9-]+"


def _valid_cidr(value: Any) -> bool:
    if not matches(IPV4_CIDR)(value):
        return False
    addr, prefix = value.split("/")
    return all(0 <= int(o) <= 255 for o in addr.split(".")) and 0 <= int(prefix) <= 32


SHARED: list[Setting] = [
    Setting(T, "roles", "array", ["timeseries"],
            "Heavy compute roles this stack runs, one HeavyComputeTier (named heavy-<role>) each. "
            "[] creates no heavy tier at all.",
            "a list of distinct roles from: " + ", ".join(ROLES) + " ([] for none)",
            lambda v: isinstance(v, list) and all(r in ROLES for r in v) and len(set(v)) == len(v)),
    Setting(T, "detailed_monitoring", "boolean", False,
            "EC2 detailed (1-minute) monitoring on heavy instances (on in prod; it costs per metric).",
            *_BOOL),
    Setting(T, "metadata_hop_limit", "integer", 1,
            "IMDSv2 PUT response hop limit. 1 keeps instance credentials away from bridged "
            "containers; the presets run their containers on the host network, so 1 suffices.",
            "1 or 2", one_of((1, 2))),
    Setting(T, "snapshot_interval_hours", "integer", 24,
            "Hours between scheduled snapshots of a stateful role's data volume (Data Lifecycle Manager).",
            "one of: " + ", ".join(map(str, SNAPSHOT_INTERVALS)), one_of(SNAPSHOT_INTERVALS)),
    Setting(T, "snapshot_retention_count", "integer", 7,
            "Scheduled snapshots kept per data volume; older ones are deleted.",
            "a whole number from 1 to 1000", int_range(1, 1000)),
    Setting(T, "deletion_protection", "boolean", False,
            "Deletion protection (on in prod): Pulumi protect and a final snapshot on stateful roles' "
            "data volumes, and the broker load balancer's own deletion protection.", *_BOOL),
    log_retention(T),
]


def _role_table(role: str) -> str:
    return T + role.capitalize()


def _role_rows(p: RolePreset) -> list[Setting]:
    t = _role_table(p.name)
    engines = p.engine_names
    rows = [
        Setting(t, "instance_types", "array", list(p.instance_types),
                f"EC2 instance types of the {p.name} role, in order of preference"
                + (" (exactly one: a stateful role runs one instance)." if p.stateful else
                   " (the first also takes the on-demand base; several give spot more pools).")
                + f" All must be {p.architecture} unless the architecture setting says otherwise.",
                "a list of EC2 instance types such as t4g.small", lambda v: isinstance(v, list) and len(v) > 0
                and all(is_instance_type(x) for x in v)),
        Setting(t, "architecture", "string", p.architecture,
                f"CPU architecture of the {p.name} role's AMI; every instance type must match it.",
                "one of: " + ", ".join(ARCHITECTURES), one_of(ARCHITECTURES)),
        Setting(t, "engine", "string", engines[0],
                f"What the {p.name} role runs: " + "; ".join(f"{e.name}: {e.description}" for e in p.engines) + ".",
                "one of: " + ", ".join(engines), one_of(engines)),
        Setting(t, "image", "string", "",
                f"Container image of the {p.name} role's engine; '' for the engine's pinned image."
                + (" Required for batch." if p.name == "batch" else ""),
                "a container image reference, or ''", lambda v: isinstance(v, str) and " " not in v),
        Setting(t, "allowed_cidrs", "array", [],
                f"IPv4 CIDRs allowed to reach the {p.name} role's ports; [] means the VPC's own CIDR. "
                "0.0.0.0/0 opens them to the internet, so it is never a default.",
                "a list of IPv4 CIDRs such as 10.0.0.0/16", list_of(_valid_cidr)),
        Setting(t, "root_volume_gb", "integer", p.root_volume_gb,
                f"Size of the {p.name} role's encrypted gp3 root volume, in GiB.",
                f"a whole number of GiB from 8 to {GP3_MAX_GB}", int_range(8, GP3_MAX_GB)),
        Setting(t, "spot", "boolean", not p.stateful,
                (f"Run the {p.name} role's capacity above the on-demand base on spot instances "
                 "(price-capacity-optimized, with capacity rebalancing)." if not p.stateful else
                 f"Spot capacity for the {p.name} role: refused, since a spot interruption would stop "
                 "the stateful service and detach its data volume. Kept so that asking for it fails clearly."),
                *_BOOL),
    ]
    if p.stateful:
        rows.append(Setting(t, "data_volume_gb", "integer", p.data_volume_gb,
                            f"Size of the {p.name} role's encrypted gp3 data volume, in GiB. It outlives the "
                            "instance and is snapshotted on schedule.",
                            f"a whole number of GiB from 1 to {GP3_MAX_GB}", int_range(1, GP3_MAX_GB)))
    else:
        rows += [
            Setting(t, "data_volume_gb", "integer", p.data_volume_gb,
                    f"Size of an encrypted gp3 scratch volume on each {p.name} instance (deleted with the "
                    "instance), in GiB; 0 for none.",
                    f"a whole number of GiB from 0 to {GP3_MAX_GB}", int_range(0, GP3_MAX_GB)),
            Setting(t, "on_demand_base", "integer", 0,
                    f"On-demand instances the {p.name} ASG always keeps, before any spot: the baseline to "
                    "cover with reserved instances or a savings plan (output reserved_baseline). 0 in dev.",
                    "a whole number from 0 to 1000", int_range(0, 1000)),
            Setting(t, "min_size", "integer", p.min_size, f"Minimum instances of the {p.name} ASG.",
                    "a whole number from 0 to 1000", int_range(0, 1000)),
            Setting(t, "max_size", "integer", p.max_size, f"Maximum instances of the {p.name} ASG.",
                    "a whole number from 1 to 1000", int_range(1, 1000)),
            Setting(t, "desired_capacity", "integer", p.desired_capacity,
                    f"Instances the {p.name} ASG starts with.",
                    "a whole number from 0 to 1000", int_range(0, 1000)),
            Setting(t, "target_cpu_percent", "integer", 60,
                    f"Average CPU the {p.name} ASG scales to hold (target tracking between min_size and "
                    "max_size); 0 keeps the desired capacity fixed. CPU is a proxy on GPU instances: "
                    "scale on a GPU metric through the transform hatch when the model is GPU-bound.",
                    "0, or a whole percentage from 10 to 90", lambda v: v == 0 or int_range(10, 90)(v)),
        ]
    if p.load_balancer_ports:
        rows += [
            Setting(t, "load_balancer", "boolean", False,
                    f"Put a network load balancer in front of the {p.name}: TLS on 8883 with "
                    "certificate_arn, else plain TCP 1883 (development only).", *_BOOL),
            Setting(t, "certificate_arn", "string", "",
                    "ACM certificate for the load balancer's TLS listener on 8883; '' for a plain "
                    "TCP 1883 listener (refused in production).",
                    "an ACM certificate ARN, or ''",
                    certificate_arn_check(f"{PROJECT}:{t}CertificateArn", _CERT_ARN)),
            Setting(t, "access_logs_bucket", "string", "",
                    "S3 bucket for the load balancer's access logs (TLS connections); '' for none. The "
                    "bucket's policy must let the ELB log delivery service write to it.",
                    "an S3 bucket name, or ''", lambda v: v == "" or matches(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")(v)),
            Setting(t, "load_balancer_public", "boolean", False,
                    "Make the load balancer internet-facing (in the public subnets). Devices on the "
                    "internet also need allowed_cidrs to include them.", *_BOOL),
        ]
    return rows


ROLE_SETTINGS: dict[str, list[Setting]] = {role: _role_rows(p) for role, p in PRESETS.items()}


# ---------------------------------------------------------------- checks


def role_checks(role: str) -> CrossCheck:
    """The rules spanning one role's rows (a stack file gets them per role table)."""
    p = PRESETS[role]

    def check(a: Mapping[str, Any]) -> list[str]:
        problems: list[str] = []
        types = list(a["instance_types"])
        arch = a["architecture"]
        wrong_arch = [t for t in types if instance_architecture(t) != arch]
        if wrong_arch:
            other = "x86_64" if arch == "arm64" else "arm64"
            problems.append(
                f"instance_types={types!r} is not allowed: {wrong_arch} are {other}, but architecture="
                f"{arch!r} selects an {arch} AMI; use {arch} types"
                + (" (Graviton: t4g, m7g, c7g, r7g, ...)" if arch == "arm64" else " (t3, m7i, c7i, g5, ...)")
                + f" or set architecture to {other}")
        gpu = gpu_types(types)
        if gpu and not p.gpu_allowed:
            problems.append(
                f"instance_types={types!r} is not allowed: {gpu} carry a GPU/accelerator, which the "
                f"{role} role cannot use (it runs on Amazon Linux 2023 without NVIDIA drivers, so the "
                "accelerator would be paid for and idle); GPU instance types belong to the inference role")
        elif gpu and len(gpu) != len(types):
            plain = [t for t in types if t not in gpu]
            problems.append(
                f"instance_types={types!r} is not allowed: it mixes GPU types {gpu} with non-GPU types "
                f"{plain}; one launch template has one AMI (the GPU AMI or Amazon Linux), so list only one kind")
        if p.stateful:
            if a["spot"]:
                problems.append(
                    f"spot=True is refused for the stateful role {role!r}: a spot interruption stops the "
                    "service and detaches its data volume with two minutes' notice. It runs on-demand; "
                    "cover it with a reserved instance or savings plan instead")
            if len(types) != 1:
                problems.append(
                    f"instance_types={types!r} is not allowed: the stateful role {role!r} runs exactly one "
                    "instance (its data volume attaches to one instance), so give exactly one instance type")
        else:
            lo, want, hi = a["min_size"], a["desired_capacity"], a["max_size"]
            if not lo <= want <= hi:
                problems.append(f"min_size={lo}, desired_capacity={want}, max_size={hi} are not allowed: "
                                "they must satisfy min_size <= desired_capacity <= max_size")
            if a["on_demand_base"] > hi:
                problems.append(f"on_demand_base={a['on_demand_base']} exceeds max_size={hi}: the on-demand "
                                "base is part of the group's capacity")
            if a["spot"] and len(types) < 2:
                problems.append(
                    f"instance_types={types!r} is not allowed with spot=True: spot needs at least two "
                    "instance types so price-capacity-optimized allocation has pools to fall back on")
        if "certificate_arn" in a and a["certificate_arn"] and not a["load_balancer"]:
            problems.append("certificate_arn is set but load_balancer=False: the certificate is used only "
                            "by the load balancer's TLS listener; turn load_balancer on or drop it")
        if a.get("access_logs_bucket") and not a["certificate_arn"]:
            problems.append("access_logs_bucket is set without certificate_arn: a network load balancer "
                            "writes access logs for TLS listeners only")
        if "load_balancer_public" in a and a["load_balancer_public"] and not a["load_balancer"]:
            problems.append("load_balancer_public=True needs load_balancer=True")
        return problems

    return check


def _component_checks(role: str) -> CrossCheck:
    """Rules that hold only for a tier that is actually created (not for every stack table)."""

    def check(a: Mapping[str, Any]) -> list[str]:
        if role == "batch" and not a["image"]:
            return [f"image='' is not allowed for the batch role: give the container image that runs "
                    f"your jobs (stack config key iot-tiers:{_role_table(role)}Image)"]
        return []

    return check


def tables() -> list[tuple[str, Sequence[Setting], Sequence[CrossCheck]]]:
    """(name, rows, cross-checks) of every heavy table, for ``iot_tiers.components.config.TABLES``."""
    return [(T, SHARED, ())] + [(_role_table(r), ROLE_SETTINGS[r], (role_checks(r),)) for r in ROLES]


def role_args(role: str) -> list[str]:
    """The argument names a HeavyComputeTier of ``role`` accepts from the table."""
    return [s.arg for s in SHARED if s.arg != "roles"] + [s.arg for s in ROLE_SETTINGS[role]]


def resolve_heavy(role: Any, given: Mapping[str, Any]) -> dict[str, Any]:
    """Defaults plus validation for one HeavyComputeTier's arguments."""
    if role not in PRESETS:
        raise ConfigError([f"heavy: role={role!r} is not allowed: one of {', '.join(ROLES)}"])
    label = f"heavy ({role}): "
    mine = set(role_args(role))
    problems = []
    for name in given:
        if name in mine:
            continue
        elsewhere = [r for r in ROLES if name in role_args(r)]
        if elsewhere:
            problems.append(f"{label}{name} does not apply to the {role} role"
                            + (" (stateful: one on-demand instance)" if PRESETS[role].stateful else "")
                            + f"; it applies to: {', '.join(elsewhere)}")
    if problems:
        raise ConfigError(problems)
    rows = [s for s in SHARED if s.arg != "roles"] + ROLE_SETTINGS[role]
    return resolve(rows, given, (role_checks(role), _component_checks(role)), label=label)


def stack_checks(settings: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """Cross-tier rules of a whole stack (for ``iot_tiers.components.config.STACK_CHECKS``).

    In production, an MQTT load balancer must terminate TLS: plain 1883 would
    carry device credentials and telemetry in clear text.
    """
    env = settings.get("stack", {}).get("environment")
    roles = settings.get(T, {}).get("roles") or []
    broker = settings.get(_role_table("broker"), {})
    if env == "production" and "broker" in roles and broker.get("load_balancer") and not broker.get("certificate_arn"):
        return ["iot-tiers:heavyBrokerLoadBalancer=true without iot-tiers:heavyBrokerCertificateArn is refused "
                "in production: the load balancer would serve plain MQTT on 1883; give an ACM certificate "
                "ARN for the TLS listener on 8883"]
    return []


def role_settings(settings: Mapping[str, Mapping[str, Any]], role: str) -> dict[str, Any]:
    """The arguments of the stack's ``role`` tier, from ``load_stack_settings``' result."""
    shared = {k: v for k, v in settings[T].items() if k != "roles"}
    return {**shared, **settings[_role_table(role)]}


__all__ = ["ROLE_SETTINGS", "SHARED", "resolve_heavy", "role_args", "role_checks", "role_settings",
           "stack_checks", "tables"]
