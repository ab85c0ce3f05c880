"""HeavyComputeTier: brokers, time-series databases, inference and batch on EC2.

The decision rule sends a workload to EC2 when it needs a GPU or durable local
disk, or runs continuously outside a container service (ENGINEERING.md, steps 0
and 3): a self-hosted MQTT broker or time-series database keeping data on disk, a
model server for a large model on a GPU, long batch jobs. One tier is one role
(``broker``, ``timeseries``, ``inference``, ``batch``, see ``heavy_roles.py``); a
stack runs one tier per role it lists in ``heavyRoles``.

Every role gets a launch template (AMI from AWS's public SSM parameter, IMDSv2
only, encrypted gp3 volumes, no key pair: access is through SSM Session Manager),
an instance role with exactly the SSM and CloudWatch agent managed policies, and
a security group opening only the role's ports to the configured sources.

Stateless roles (inference, batch) run in an auto-scaling group with a mixed
instances policy: ``on_demand_base`` on-demand instances (the baseline to cover
with reserved instances or a savings plan: output ``reserved_baseline``) and spot
above it, price-capacity-optimized over several instance types, with capacity
rebalancing.

Stateful roles (broker, timeseries) run one on-demand ``aws.ec2.Instance`` from the
launch template, in the first subnet, with a separate EBS data volume in that
subnet's zone attached by an ``aws.ec2.VolumeAttachment`` and snapshotted by a
Data Lifecycle Manager policy. Why an instance plus an attachment rather than an
ASG of one whose user data attaches the volume: the attachment is then Pulumi's
job, so the instance role needs no ``ec2:AttachVolume`` (which cannot be scoped
to "only my volume" without tag conditions an instance could satisfy for other
volumes), a replacement detaches cleanly (the attachment is deleted before it is
re-created, stopping the old instance first), and preview shows the whole data
path. What the ASG would add, replacing an instance whose host fails, EC2's
automatic recovery already does for an EBS-only instance (set explicitly below).
The instance follows the template's default version, so a new AMI or user data
reaches it only when it is replaced on purpose (``pulumi up --replace``); a
database is never rebooted by an AMI release.
"""

from __future__ import annotations

import base64
from typing import Any, Mapping, Optional, Sequence, TypedDict

import pulumi
import pulumi_aws as aws

from iot_tiers_policy.decision import TAG_EXEMPTION, Service, WorkloadProfile, instance_has_gpu

from .base import TierComponent, Transform, assume_role_policy
from .config import ConfigError
from .config.heavy import resolve_heavy
from .heavy_roles import DATA_DEVICE, MQTT, MQTTS, ROOT_DEVICE, ami_parameter, preset
from .tags import workload_tags
from .userdata import UserDataSpec, render

#: The only managed policies the instance role gets: Session Manager access, and
#: the CloudWatch agent (metrics and the containers' awslogs driver).
INSTANCE_POLICIES = {
    "ssm": "AmazonSSMManagedInstanceCore",
    "cloudwatch-agent": "CloudWatchAgentServerPolicy",
}
DLM_POLICY = "service-role/AWSDataLifecycleManagerServiceRole"

#: Tag Data Lifecycle Manager selects a tier's data volume by.
SNAPSHOT_TAG = "iot-tiers:snapshot"

#: TLS policy of the broker's 8883 listener: TLS 1.3 and 1.2 only.
TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06"

ANYWHERE = "0.0.0.0/0"

#: Why a stateful role's instance is one instance in one zone, declared on it as the
#: contract's accepted exception (the policy pack reports it, and does not block).
SINGLE_AZ_REASON = ("stateful role: one instance beside its EBS data volume, which lives in one "
                    "availability zone; recovery in another zone is a restore from the scheduled snapshots")


class HeavyComputeTierArgs(TypedDict, total=False):
    """Arguments of :class:`HeavyComputeTier`.

    ``role``, ``vpc_id`` and ``subnet_ids`` are required; every other key is
    optional and defaults to the role preset's development value from the
    settings table (``components/config/heavy.py``). Keys marked *stateless*
    apply to inference and batch only, *broker* to the broker only.
    """

    role: str
    """``broker``, ``timeseries``, ``inference`` or ``batch``. Required. Example: ``"timeseries"``."""
    vpc_id: pulumi.Input[str]
    """VPC of the tier. Required. Example: ``network.vpc_id``."""
    subnet_ids: pulumi.Input[Sequence[str]]
    """Private subnets. Stateless roles spread over all of them; a stateful role uses the
    first (its data volume lives in that subnet's zone). Required."""
    public_subnet_ids: pulumi.Input[Sequence[str]]
    """Public subnets for an internet-facing broker load balancer. Default none."""
    vpc_cidr: pulumi.Input[str]
    """The VPC's CIDR, the default source of ingress; looked up from ``vpc_id`` when omitted."""
    instance_types: list[str]
    """Instance types in order of preference. Default: the preset's (broker/timeseries
    ``["t4g.small"]``, inference ``["g5.xlarge", "g6.xlarge", "g4dn.xlarge"]``, batch
    ``["c7g.large", "c6g.large", "m7g.large"]``). Stateful roles take exactly one.
    Example: ``["m7g.large"]``."""
    architecture: str
    """``arm64`` or ``x86_64``: selects the AMI; every instance type must match.
    Default: the preset's (``x86_64`` for inference, ``arm64`` otherwise)."""
    engine: str
    """What runs: broker ``mosquitto`` (default) or ``emqx``; timeseries ``influxdb``
    (default) or ``timescaledb``; inference ``triton``; batch ``container``."""
    image: str
    """Container image overriding the engine's pinned one. Default ``""``; required for batch.
    Example: ``"123456789012.dkr.ecr.eu-west-1.amazonaws.com/etl:1.4"``."""
    allowed_cidrs: list[str]
    """Sources allowed to reach the role's ports. Default ``[]``: the VPC's CIDR.
    ``["0.0.0.0/0"]`` opens them to the internet and is never a default."""
    root_volume_gb: int
    """Encrypted gp3 root volume, GiB. Default 20 (batch 30, inference 100)."""
    data_volume_gb: int
    """Stateful: the persistent data volume, GiB (broker 10, timeseries 20). Stateless:
    a scratch volume per instance, 0 (default) for none."""
    spot: bool
    """Stateless: spot above the on-demand base. Default ``True``. Stateful roles refuse ``True``."""
    on_demand_base: int
    """Stateless: on-demand instances kept before any spot. Default ``0`` (dev: spot only).
    Example: ``1`` in prod, covered by a reserved instance."""
    min_size: int
    """Stateless: ASG minimum. Default 1 (batch 0)."""
    max_size: int
    """Stateless: ASG maximum. Default 2 (batch 4)."""
    desired_capacity: int
    """Stateless: ASG starting size. Default 1 (batch 0)."""
    target_cpu_percent: int
    """Stateless: average CPU a target-tracking policy holds between ``min_size`` and ``max_size``;
    ``0`` keeps the capacity fixed. Default ``60``."""
    load_balancer: bool
    """Broker: a network load balancer in front of it. Default ``False``."""
    certificate_arn: str
    """Broker: ACM certificate for TLS on 8883. Default ``""``: plain TCP 1883 (dev only)."""
    access_logs_bucket: str
    """Broker: S3 bucket for the load balancer's access logs. Default ``""``: none."""
    load_balancer_public: bool
    """Broker: internet-facing load balancer in ``public_subnet_ids``. Default ``False``."""
    detailed_monitoring: bool
    """EC2 detailed monitoring. Default ``False`` (``True`` in prod)."""
    metadata_hop_limit: int
    """IMDSv2 hop limit, 1 or 2. Default ``1``."""
    snapshot_interval_hours: int
    """Stateful: hours between data volume snapshots. Default ``24``."""
    snapshot_retention_count: int
    """Stateful: snapshots kept. Default ``7``."""
    deletion_protection: bool
    """Pulumi ``protect`` and a final snapshot on a stateful role's data volume; deletion
    protection on the broker's load balancer. Default ``False`` (``True`` in prod)."""
    log_retention_days: int
    """Retention of the tier's log group (the containers' output). Default ``14``."""
    tags: Mapping[str, str]
    """Extra tags for every child resource. Default none."""
    transform: Mapping[str, Transform]
    """Escape hatch: per-child functions rewriting a child's arguments, keyed by child name
    (``launch-template``, ``instance``, ``asg``, ``data``, ``data-attachment``, ``snapshots``,
    ``security-group``, ``role``, ``instance-profile``, ``nlb``, ``listener``, ``log-group``, ...).
    Example: ``{"data": lambda a: {**a, "iops": 6000}}``."""


class HeavyComputeTier(TierComponent):
    """One heavy role on EC2: a launch template and either an instance with a data volume
    (stateful roles) or a mixed spot/on-demand auto-scaling group (stateless roles).

    Outputs: ``role``, ``security_group_id``, ``launch_template_id``, ``ami_id``,
    ``ami_parameter``, ``instance_role_arn``, ``log_group_name``, ``reserved_baseline`` (``{instance_types,
    count}``: the always-on on-demand capacity to cover with reserved instances or a
    savings plan), and per kind ``instance_id`` + ``data_volume_id`` (stateful),
    ``asg_name`` (stateless), ``load_balancer_dns`` (broker with a load balancer).
    """

    tier = "heavy"

    def __init__(self, name: str, args: HeavyComputeTierArgs,
                 opts: Optional[pulumi.ResourceOptions] = None) -> None:
        given = dict(args or {})
        tags = given.pop("tags", None)
        transform = given.pop("transform", None)
        role = given.pop("role", None)
        vpc_id = given.pop("vpc_id", None)
        subnet_ids = given.pop("subnet_ids", None)
        public_subnet_ids = given.pop("public_subnet_ids", None)
        vpc_cidr = given.pop("vpc_cidr", None)
        a = resolve_heavy(role, given)
        missing = [k for k, v in (("vpc_id", vpc_id), ("subnet_ids", subnet_ids)) if v is None]
        if missing:
            raise ConfigError([f"heavy ({role}): {k} is required (the network the tier runs in)" for k in missing])
        if a.get("load_balancer_public") and public_subnet_ids is None:
            raise ConfigError([f"heavy ({role}): load_balancer_public=True needs public_subnet_ids "
                               "(an internet-facing load balancer lives in public subnets)"])
        super().__init__("iot-tiers:components:HeavyComputeTier", name, tags, transform, opts)
        self.settings = a
        self.role_name = role
        p = preset(role)
        engine = p.engine(a["engine"])
        image = a["image"] or engine.image
        types = list(a["instance_types"])
        gpu = any(instance_has_gpu(t) for t in types)
        stateful = p.stateful
        invoke = pulumi.InvokeOptions(parent=self)
        partition = aws.get_partition_output(opts=invoke).partition

        # --- The AMI: AWS's public SSM parameter for the OS line and architecture.
        self.ami_parameter = ami_parameter(a["architecture"], gpu)
        self.ami_id = aws.ssm.get_parameter_output(name=self.ami_parameter, opts=invoke).insecure_value

        # --- Profile tags. disk-gb is the durable disk: the data volume of a stateful role.
        disk_gb = a["data_volume_gb"] if stateful else 0
        profile = WorkloadProfile(persistent_connections=p.persistent_connections, trigger="continuous",
                                  gpu=gpu, disk_gb=disk_gb)
        self.workload_tags = self.tags(workload_tags(profile, expect=Service.EC2,
                                                     extra={"iot-tiers:role": role, "Name": name}))

        # --- Where traffic may come from: configured CIDRs, else the VPC's own.
        if vpc_cidr is None:
            vpc_cidr = aws.ec2.get_vpc_output(id=vpc_id, opts=invoke).cidr_block
        sources: Any = list(a["allowed_cidrs"]) or [vpc_cidr]

        self.log_group = self.child(
            aws.cloudwatch.LogGroup, "log-group",
            name=f"/iot-tiers/{pulumi.get_stack()}/{name}",
            retention_in_days=a["log_retention_days"],
            tags=self.tags(),
        )

        # --- Instance role: Session Manager and the CloudWatch agent, nothing broader.
        self.instance_role = self.child(
            aws.iam.Role, "role", assume_role_policy=assume_role_policy("ec2.amazonaws.com"),
            description=f"{name}: {role} instances (SSM Session Manager, CloudWatch agent)", tags=self.tags())
        attachments = [
            self.child(aws.iam.RolePolicyAttachment, f"role-{short}", role=self.instance_role.name,
                       policy_arn=partition.apply(lambda part, pol=policy: f"arn:{part}:iam::aws:policy/{pol}"))
            for short, policy in INSTANCE_POLICIES.items()
        ]
        self.instance_profile = self.child(aws.iam.InstanceProfile, "instance-profile",
                                           role=self.instance_role.name, tags=self.tags())

        # --- Load balancer security group first: the instance's group admits it by id.
        lb_port = None
        self.lb_security_group = None
        if a.get("load_balancer"):
            lb_port = MQTTS if a["certificate_arn"] else MQTT
            self.lb_security_group = self.child(
                aws.ec2.SecurityGroup, "lb-security-group",
                vpc_id=vpc_id,
                description=f"{name}: MQTT{' over TLS' if lb_port == MQTTS else ''} load balancer",
                ingress=[{"protocol": "tcp", "from_port": lb_port, "to_port": lb_port, "cidr_blocks": sources,
                          "description": "MQTT clients"}],
                egress=[{"protocol": "tcp", "from_port": MQTT, "to_port": MQTT, "cidr_blocks": [vpc_cidr],
                         "description": "to the broker"}],
                tags=self.tags(),
            )

        ingress = [{"protocol": "tcp", "from_port": port, "to_port": port, "cidr_blocks": sources,
                    "description": f"{engine.name} {port}"} for port in engine.ports]
        if self.lb_security_group is not None:
            ingress.append({"protocol": "tcp", "from_port": MQTT, "to_port": MQTT,
                            "security_groups": [self.lb_security_group.id],
                            "description": "from the load balancer"})
        self.security_group = self.child(
            aws.ec2.SecurityGroup, "security-group",
            vpc_id=vpc_id,
            description=f"{name}: {role} ({engine.name}) ports only",
            ingress=ingress,
            # HTTPS out: SSM, CloudWatch, package and container registries. Anything
            # inside the VPC (a database the batch job writes to, say).
            egress=[{"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_blocks": [ANYWHERE],
                     "description": "HTTPS: SSM, CloudWatch, registries"},
                    {"protocol": "-1", "from_port": 0, "to_port": 0, "cidr_blocks": [vpc_cidr],
                     "description": "within the VPC"}],
            tags=self.tags(),
        )

        root = {"device_name": ROOT_DEVICE, "ebs": {
            "volume_size": a["root_volume_gb"], "volume_type": "gp3", "encrypted": "true",
            "delete_on_termination": "true"}}
        block_devices = [root]
        scratch = not stateful and a["data_volume_gb"] > 0
        if scratch:
            block_devices.append({"device_name": DATA_DEVICE, "ebs": {
                "volume_size": a["data_volume_gb"], "volume_type": "gp3", "encrypted": "true",
                "delete_on_termination": "true"}})

        # --- Stateful: the data volume comes first (its id goes into the user data).
        self.data_volume = None
        subnet = None
        if stateful:
            subnet = pulumi.Output.from_input(subnet_ids).apply(_first_subnet)
            zone = aws.ec2.get_subnet_output(id=subnet, opts=invoke).availability_zone
            self.snapshot_key = f"{pulumi.get_project()}-{pulumi.get_stack()}-{name}"
            self.data_volume = self.child(
                aws.ebs.Volume, "data",
                availability_zone=zone,
                size=a["data_volume_gb"],
                type="gp3",
                encrypted=True,
                final_snapshot=a["deletion_protection"],
                tags=self.tags({SNAPSHOT_TAG: self.snapshot_key, "Name": f"{name}-data"}),
                opts=pulumi.ResourceOptions(protect=a["deletion_protection"]),
            )
            volume_id: Any = self.data_volume.id
        else:
            volume_id = None

        spec = dict(role=role, engine=engine.name, image=image, gpu=gpu, stateful=stateful,
                    data_volume=stateful or scratch)
        log_group_name = self.log_group.name
        user_data = pulumi.Output.all(log_group_name, volume_id).apply(
            lambda lv: _b64(render(UserDataSpec(**spec, log_group=lv[0], volume_id=lv[1]))))

        metadata = {"http_endpoint": "enabled", "http_tokens": "required",
                    "http_put_response_hop_limit": a["metadata_hop_limit"], "instance_metadata_tags": "disabled"}
        self.launch_template = self.child(
            aws.ec2.LaunchTemplate, "launch-template",
            description=f"iot-tiers {role} ({engine.name}) on {a['architecture']}{' with GPU' if gpu else ''}",
            image_id=self.ami_id,
            instance_type=types[0] if stateful else None,
            iam_instance_profile={"arn": self.instance_profile.arn},
            vpc_security_group_ids=[self.security_group.id],
            metadata_options=metadata,
            monitoring={"enabled": a["detailed_monitoring"]},
            block_device_mappings=block_devices,
            user_data=user_data,
            update_default_version=True,
            tag_specifications=[{"resource_type": "instance", "tags": self.workload_tags},
                                {"resource_type": "volume", "tags": self.tags()}],
            tags=self.workload_tags,
            opts=pulumi.ResourceOptions(depends_on=attachments),
        )

        self.instance = None
        self.asg = None
        if stateful:
            self.instance = self.child(
                aws.ec2.Instance, "instance",
                launch_template={"id": self.launch_template.id, "version": "$Default"},
                instance_type=types[0],
                subnet_id=subnet,
                # Repeated from the template so that the instance resource itself
                # shows them (to a policy pack, and in a drift check).
                metadata_options=metadata,
                monitoring=a["detailed_monitoring"],
                maintenance_options={"auto_recovery": "default"},
                root_block_device={"volume_size": a["root_volume_gb"], "volume_type": "gp3", "encrypted": True,
                                   "delete_on_termination": True, "tags": self.tags()},
                tags={**self.workload_tags, TAG_EXEMPTION: SINGLE_AZ_REASON},
            )
            self.data_attachment = self.child(
                aws.ec2.VolumeAttachment, "data-attachment",
                device_name=DATA_DEVICE,
                volume_id=self.data_volume.id,
                instance_id=self.instance.id,
                # Stop the old instance before detaching: the engine shuts down cleanly
                # instead of losing its last writes.
                stop_instance_before_detaching=True,
                # The volume can be attached to one instance at a time: detach from the
                # old instance before attaching to its replacement.
                opts=pulumi.ResourceOptions(delete_before_replace=True),
            )
            self._snapshots(name, a, partition)
            baseline = {"instance_types": [types[0]], "count": 1}
        else:
            base = a["on_demand_base"]
            self.asg = self.child(
                aws.autoscaling.Group, "asg",
                vpc_zone_identifiers=subnet_ids,
                min_size=a["min_size"],
                max_size=a["max_size"],
                desired_capacity=a["desired_capacity"],
                capacity_rebalance=a["spot"],
                health_check_type="EC2",
                health_check_grace_period=300,
                mixed_instances_policy={
                    "instances_distribution": {
                        "on_demand_base_capacity": base,
                        "on_demand_percentage_above_base_capacity": 0 if a["spot"] else 100,
                        # The base goes to the first type, so a reserved instance of that
                        # type keeps matching it.
                        "on_demand_allocation_strategy": "prioritized",
                        "spot_allocation_strategy": "price-capacity-optimized",
                    },
                    "launch_template": {
                        "launch_template_specification": {
                            "launch_template_id": self.launch_template.id,
                            "version": self.launch_template.latest_version.apply(str),
                        },
                        "overrides": [{"instance_type": t} for t in types],
                    },
                },
                instance_refresh={"strategy": "Rolling", "preferences": {"min_healthy_percentage": 50}},
                tags=[{"key": k, "value": v, "propagate_at_launch": True} for k, v in self.workload_tags.items()],
            )
            self.scaling_policy = None
            if a["target_cpu_percent"] and a["max_size"] > a["min_size"]:
                self.scaling_policy = self.child(
                    aws.autoscaling.Policy, "cpu-scaling",
                    autoscaling_group_name=self.asg.name,
                    policy_type="TargetTrackingScaling",
                    # Let a new instance load its engine (or model) before its CPU counts.
                    estimated_instance_warmup=300,
                    target_tracking_configuration={
                        "predefined_metric_specification": {"predefined_metric_type": "ASGAverageCPUUtilization"},
                        "target_value": a["target_cpu_percent"],
                    })
            # Always-on on-demand capacity: what a commitment should cover.
            count = min(base, a["min_size"]) if a["spot"] else a["min_size"]
            baseline = {"instance_types": [types[0]] if count else [], "count": count}
        self.reserved_baseline = baseline

        self.load_balancer = None
        if a.get("load_balancer"):
            self._load_balancer(name, a, vpc_id, subnet_ids, public_subnet_ids, lb_port)

        outputs: dict[str, Any] = {
            "role": role,
            "security_group_id": self.security_group.id,
            "launch_template_id": self.launch_template.id,
            "ami_id": self.ami_id,
            "ami_parameter": self.ami_parameter,
            "instance_role_arn": self.instance_role.arn,
            "log_group_name": self.log_group.name,
            "reserved_baseline": baseline,
        }
        if self.instance is not None:
            outputs["instance_id"] = self.instance.id
            outputs["data_volume_id"] = self.data_volume.id
        if self.asg is not None:
            outputs["asg_name"] = self.asg.name
        if self.load_balancer is not None:
            outputs["load_balancer_dns"] = self.load_balancer.dns_name
        self.output_values = outputs
        self.register_outputs(outputs)

    # ------------------------------------------------------------ parts
    def _snapshots(self, name: str, a: Mapping[str, Any], partition: pulumi.Output[str]) -> None:
        """Scheduled snapshots of the data volume, found by its tag."""
        self.snapshot_role = self.child(
            aws.iam.Role, "snapshot-role", assume_role_policy=assume_role_policy("dlm.amazonaws.com"),
            description=f"{name}: Data Lifecycle Manager snapshots", tags=self.tags())
        policy = self.child(aws.iam.RolePolicyAttachment, "snapshot-role-policy", role=self.snapshot_role.name,
                            policy_arn=partition.apply(lambda part: f"arn:{part}:iam::aws:policy/{DLM_POLICY}"))
        hours, keep = a["snapshot_interval_hours"], a["snapshot_retention_count"]
        self.snapshot_policy = self.child(
            aws.dlm.LifecyclePolicy, "snapshots",
            description=f"{name}: data volume every {hours} h, keep {keep}",
            execution_role_arn=self.snapshot_role.arn,
            state="ENABLED",
            policy_details={
                "policy_type": "EBS_SNAPSHOT_MANAGEMENT",
                "resource_types": ["VOLUME"],
                "target_tags": {SNAPSHOT_TAG: self.snapshot_key},
                "schedules": [{
                    "name": f"every {hours} h, keep {keep}",
                    "create_rule": {"interval": hours, "interval_unit": "HOURS", "times": "03:00"},
                    "retain_rule": {"count": keep},
                    "copy_tags": True,
                    "tags_to_add": {"iot-tiers:snapshot-of": name},
                }],
            },
            tags=self.tags(),
            opts=pulumi.ResourceOptions(depends_on=[policy]),
        )

    def _load_balancer(self, name: str, a: Mapping[str, Any], vpc_id: Any, subnet_ids: Any,
                       public_subnet_ids: Any, lb_port: int) -> None:
        """A network load balancer for the broker: TLS 8883 with a certificate, else TCP 1883."""
        public = a["load_balancer_public"]
        self.load_balancer = self.child(
            aws.lb.LoadBalancer, "nlb",
            load_balancer_type="network",
            internal=not public,
            subnets=public_subnet_ids if public else subnet_ids,
            security_groups=[self.lb_security_group.id],
            enable_cross_zone_load_balancing=True,
            enable_deletion_protection=a["deletion_protection"],
            access_logs=({"bucket": a["access_logs_bucket"], "enabled": True, "prefix": name}
                         if a["access_logs_bucket"] else None),
            tags=self.tags(),
        )
        self.target_group = self.child(
            aws.lb.TargetGroup, "target-group",
            port=MQTT, protocol="TCP", target_type="instance", vpc_id=vpc_id,
            # The broker then sees the load balancer's address, which its security
            # group admits by group id; the client CIDRs are enforced at the NLB.
            preserve_client_ip="false",
            health_check={"protocol": "TCP", "port": "traffic-port", "interval": 30},
            tags=self.tags(),
        )
        self.child(aws.lb.TargetGroupAttachment, "target", target_group_arn=self.target_group.arn,
                   target_id=self.instance.id, port=MQTT)
        tls = lb_port == MQTTS
        self.listener = self.child(
            aws.lb.Listener, "listener",
            load_balancer_arn=self.load_balancer.arn,
            port=lb_port,
            protocol="TLS" if tls else "TCP",
            certificate_arn=a["certificate_arn"] if tls else None,
            ssl_policy=TLS_POLICY if tls else None,
            default_actions=[{"type": "forward", "target_group_arn": self.target_group.arn}],
            tags=self.tags(),
        )


def _first_subnet(ids: Sequence[str]) -> str:
    if not ids:
        raise ConfigError(["heavy: subnet_ids is empty: a stateful role needs a subnet for its instance "
                           "and data volume"])
    return ids[0]


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


__all__ = ["HeavyComputeTier", "HeavyComputeTierArgs", "INSTANCE_POLICIES", "SNAPSHOT_TAG"]
