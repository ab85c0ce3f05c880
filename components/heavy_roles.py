"""The HeavyComputeTier's role presets, and what an instance type says about itself.

A role is a small, fixed recipe: which ports it serves, which engines it can run
(each a pinned container image), whether it keeps state on a data volume, and the
development defaults for its instance types and disks. Stack files and tier
arguments override the defaults; they cannot change the nature of a role (a
stateful role never runs on spot, only the inference role gets the GPU AMI).

Pure Python (no Pulumi): the settings table and the tests read it too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

from iot_tiers_policy.decision import instance_has_gpu

ARM64 = "arm64"
X86_64 = "x86_64"
ARCHITECTURES = (ARM64, X86_64)

#: Public SSM parameters AWS keeps pointing at the newest AMI of each image line.
AL2023_AMI_PARAMETER = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-{arch}"
#: Deep Learning Base OSS Nvidia Driver GPU AMI (Amazon Linux 2023): the NVIDIA
#: driver, CUDA and the NVIDIA container toolkit, so a model server container can
#: use the GPU with ``docker run --gpus all``. AWS publishes it for x86_64 and,
#: for G5g (Graviton + NVIDIA T4G), for arm64.
GPU_AMI_PARAMETER = "/aws/service/deeplearning/ami/{arch}/base-oss-nvidia-driver-gpu-amazon-linux-2023/latest/ami-id"

#: The root device of both AMI lines.
ROOT_DEVICE = "/dev/xvda"
#: Where a data volume is attached; on Nitro instances Amazon Linux's udev rules
#: (amazon-ec2-utils) add this name as a symlink to the NVMe device.
DATA_DEVICE = "/dev/sdf"

_INSTANCE_TYPE = re.compile(r"[a-z][a-z0-9-]*\.[a-z0-9-]+")
_FAMILY = re.compile(r"([a-z]+)(\d+)([a-z-]*)")


def is_instance_type(value: object) -> bool:
    """True for strings shaped like an EC2 instance type (``t4g.small``, ``m7i-flex.large``)."""
    return isinstance(value, str) and _INSTANCE_TYPE.fullmatch(value) is not None


def instance_architecture(instance_type: str) -> str:
    """``arm64`` for Graviton types, ``x86_64`` for the rest.

    Graviton families carry a ``g`` among the letters after the generation
    number (t4g, m7g, c6gn, r8gd, im4gn, g5g) or are ``a1``; a GPU family's
    leading ``g`` (g5, g4dn) is before the number, so it does not count.
    """
    family = instance_type.split(".", 1)[0].lower()
    if family == "a1":
        return ARM64
    m = _FAMILY.fullmatch(family)
    if m and "g" in m.group(3):
        return ARM64
    return X86_64


def ami_parameter(architecture: str, gpu: bool) -> str:
    """The SSM parameter naming the AMI for ``architecture``, GPU-ready or not."""
    if architecture not in ARCHITECTURES:
        raise ValueError(f"architecture must be one of {ARCHITECTURES}, got {architecture!r}")
    return (GPU_AMI_PARAMETER if gpu else AL2023_AMI_PARAMETER).format(arch=architecture)


@dataclass(frozen=True)
class Engine:
    """One workload a role can run: a pinned container image and the ports it serves."""

    name: str
    image: str
    ports: tuple[int, ...]
    description: str


@dataclass(frozen=True)
class RolePreset:
    """What a role is, and its development defaults."""

    name: str
    description: str
    #: Keeps data that must survive the instance: a separate EBS volume, snapshots,
    #: one on-demand instance. Stateless roles run in a mixed spot/on-demand ASG.
    stateful: bool
    #: Holds long-lived client connections (declared in the workload profile tags).
    persistent_connections: bool
    engines: tuple[Engine, ...]
    instance_types: tuple[str, ...]
    architecture: str
    #: May run on accelerated (GPU/Inferentia) instance types.
    gpu_allowed: bool
    root_volume_gb: int
    data_volume_gb: int
    min_size: int = 1
    max_size: int = 1
    desired_capacity: int = 1
    #: Extra ports served only by the load balancer in front of the role.
    load_balancer_ports: tuple[int, ...] = ()

    def engine(self, name: Optional[str] = None) -> Engine:
        """The engine called ``name`` (the first, the default, when None)."""
        if name is None:
            return self.engines[0]
        for e in self.engines:
            if e.name == name:
                return e
        raise KeyError(f"role {self.name!r} has no engine {name!r}; "
                       f"it runs: {', '.join(e.name for e in self.engines)}")

    @property
    def engine_names(self) -> tuple[str, ...]:
        return tuple(e.name for e in self.engines)


#: MQTT in the VPC; MQTT over TLS (8883) is served by the NLB with an ACM certificate.
MQTT = 1883
MQTTS = 8883

PRESETS: dict[str, RolePreset] = {
    "broker": RolePreset(
        name="broker",
        description="A self-hosted MQTT broker, for fleets past AWS IoT Core's per-message pricing.",
        stateful=True,
        persistent_connections=True,
        engines=(
            Engine("mosquitto", "public.ecr.aws/docker/library/eclipse-mosquitto:2.0.20", (MQTT,),
                   "Eclipse Mosquitto: small, single-node; anonymous access off, users via mosquitto_passwd"),
            Engine("emqx", "docker.io/emqx/emqx:5.8.4", (MQTT,),
                   "EMQX: a clustered broker with a rule engine; dashboard on 18083 stays closed"),
        ),
        instance_types=("t4g.small",),
        architecture=ARM64,
        gpu_allowed=False,
        root_volume_gb=20,
        data_volume_gb=10,
        load_balancer_ports=(MQTTS,),
    ),
    "timeseries": RolePreset(
        name="timeseries",
        description="A self-hosted time-series database, cheaper than a managed one at scale.",
        stateful=True,
        persistent_connections=False,
        engines=(
            Engine("influxdb", "public.ecr.aws/docker/library/influxdb:2.7.11", (8086,),
                   "InfluxDB 2: HTTP API on 8086; admin password generated at first boot"),
            Engine("timescaledb", "docker.io/timescale/timescaledb:2.17.2-pg16", (5432,),
                   "TimescaleDB on PostgreSQL 16 on 5432; postgres password generated at first boot"),
        ),
        instance_types=("t4g.small",),
        architecture=ARM64,
        gpu_allowed=False,
        root_volume_gb=20,
        data_volume_gb=20,
    ),
    "inference": RolePreset(
        name="inference",
        description="A model server for a large model that must stay warm (no cold starts).",
        stateful=False,
        persistent_connections=False,
        engines=(
            Engine("triton", "nvcr.io/nvidia/tritonserver:24.12-py3", (8000, 8001, 8002),
                   "NVIDIA Triton: HTTP 8000, gRPC 8001, metrics 8002; models under /models"),
        ),
        instance_types=("g5.xlarge", "g6.xlarge", "g4dn.xlarge"),
        architecture=X86_64,
        gpu_allowed=True,
        # The GPU AMI's own snapshot is far bigger than Amazon Linux's, and the
        # Triton image is around 15 GB.
        root_volume_gb=100,
        data_volume_gb=0,
        min_size=1, max_size=2, desired_capacity=1,
    ),
    "batch": RolePreset(
        name="batch",
        description="Long-running batch work (ETL over sensor history, transcoding): your container image.",
        stateful=False,
        persistent_connections=False,
        engines=(
            Engine("container", "", (),
                   "your image (heavyBatchImage), run with the data directory mounted at /data"),
        ),
        instance_types=("c7g.large", "c6g.large", "m7g.large"),
        architecture=ARM64,
        gpu_allowed=False,
        root_volume_gb=30,
        data_volume_gb=0,
        min_size=0, max_size=4, desired_capacity=0,
    ),
}

ROLES = tuple(PRESETS)


def preset(role: str) -> RolePreset:
    try:
        return PRESETS[role]
    except KeyError:
        raise KeyError(f"unknown heavy role {role!r}; roles: {', '.join(ROLES)}") from None


def gpu_types(instance_types: list[str]) -> list[str]:
    return [t for t in instance_types if instance_has_gpu(t)]


__all__ = [
    "AL2023_AMI_PARAMETER", "ARCHITECTURES", "ARM64", "DATA_DEVICE", "Engine", "GPU_AMI_PARAMETER",
    "MQTT", "MQTTS", "PRESETS", "ROLES", "ROOT_DEVICE", "RolePreset", "X86_64", "ami_parameter",
    "gpu_types", "instance_architecture", "is_instance_type", "preset",
]
