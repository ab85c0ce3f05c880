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

import base64
from typing import Any, Mapping, Optional, Required, Sequence, TypedDict

import pulumi
import pulumi_aws as aws

from iot_tiers_policy.decision import TAG_EXEMPTION, Service, WorkloadProfile, instance_has_gpu

from .base import TierComponent, Transform, assume_role_policy
from .config import ConfigError
from .config.heavy import resolve_heavy
from .heavy_roles import DATA_DEVICE, MQTT, MQTTS, ROOT_DEVICE, ami_parameter, preset
from .names import log_group_name
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


class HeavyComputeTierInputs(TypedDict, total=False):
    """Arguments of :class:`HeavyComputeTier` that every Pulumi language can pass.

    ``role``, ``vpc_id`` and ``subnet_ids`` are required. Every other key is optional and
    defaults to the role preset's development value from the settings table
    (``components/config/heavy.py``); the text of each table-backed key is generated from it
    (``python -m tools.args_docs update``).
    """

    role: Required[str]
    """``broker``, ``timeseries``, ``inference`` or ``batch`` (see ``heavy_roles.py``). Example: ``"timeseries"``."""
    vpc_id: Required[pulumi.Input[str]]
    """VPC of the tier. Example: ``network.vpc_id``."""
    subnet_ids: Required[pulumi.Input[Sequence[pulumi.Input[str]]]]
    """Private subnets. Stateless roles spread over all of them; a stateful role uses the first (its
    data volume lives in that subnet's zone)."""
    public_subnet_ids: pulumi.Input[Sequence[pulumi.Input[str]]]
    """Public subnets for an internet-facing broker load balancer. Default none."""
    vpc_cidr: pulumi.Input[str]
    """The VPC's CIDR, the default source of ingress; looked up from ``vpc_id`` when omitted."""
    instance_types: list[str]
    """Broker, timeseries: EC2 instance types of this role, in order of preference (exactly one: a
    stateful role runs one instance). All must be arm64 unless the architecture setting says
    otherwise. Allowed: a list of EC2 instance types such as t4g.small. Inference: EC2 instance types
    of this role, in order of preference (the first also takes the on-demand base; several give spot
    more pools). All must be x86_64 unless the architecture setting says otherwise. Allowed: a list
    of EC2 instance types such as t4g.small. Batch: EC2 instance types of this role, in order of
    preference (the first also takes the on-demand base; several give spot more pools). All must be
    arm64 unless the architecture setting says otherwise. Allowed: a list of EC2 instance types such
    as t4g.small. Default: broker ``["t4g.small"]``, timeseries ``["t4g.small"]``, inference
    ``["g5.xlarge", "g6.xlarge", "g4dn.xlarge"]``, batch ``["c7g.large", "c6g.large", "m7g.large"]``.
    Stack config: ``iot-tiers:heavyBrokerInstanceTypes``, ``iot-tiers:heavyTimeseriesInstanceTypes``,
    ``iot-tiers:heavyInferenceInstanceTypes``, ``iot-tiers:heavyBatchInstanceTypes``."""
    architecture: str
    """CPU architecture of this role's AMI; every instance type must match it. Allowed: one of: arm64,
    x86_64. Default: broker ``"arm64"``, timeseries ``"arm64"``, inference ``"x86_64"``, batch
    ``"arm64"``. Stack config: ``iot-tiers:heavyBrokerArchitecture``,
    ``iot-tiers:heavyTimeseriesArchitecture``, ``iot-tiers:heavyInferenceArchitecture``,
    ``iot-tiers:heavyBatchArchitecture``."""
    engine: str
    """Broker: What this role runs: mosquitto: Eclipse Mosquitto: small, single-node; anonymous access
    off, users via mosquitto_passwd; emqx: EMQX: a clustered broker with a rule engine; dashboard on
    18083 stays closed. Allowed: one of: mosquitto, emqx. Timeseries: What this role runs: influxdb:
    InfluxDB 2: HTTP API on 8086; admin password generated at first boot; timescaledb: TimescaleDB on
    PostgreSQL 16 on 5432; postgres password generated at first boot. Allowed: one of: influxdb,
    timescaledb. Inference: What this role runs: triton: NVIDIA Triton: HTTP 8000, gRPC 8001, metrics
    8002; models under /models. Allowed: one of: triton. Batch: What this role runs: container: your
    image (image), run with the data directory mounted at /data. Allowed: one of: container. Default:
    broker ``"mosquitto"``, timeseries ``"influxdb"``, inference ``"triton"``, batch ``"container"``.
    Stack config: ``iot-tiers:heavyBrokerEngine``, ``iot-tiers:heavyTimeseriesEngine``,
    ``iot-tiers:heavyInferenceEngine``, ``iot-tiers:heavyBatchEngine``."""
    image: str
    """Broker, timeseries, inference: Container image of this role's engine; '' for the engine's pinned
    image. Allowed: a container image reference, or ''. Batch: Container image of this role's engine;
    '' for the engine's pinned image. Required for batch. Allowed: a container image reference, or
    ''. Default: ``""``. Stack config: ``iot-tiers:heavyBrokerImage``,
    ``iot-tiers:heavyTimeseriesImage``, ``iot-tiers:heavyInferenceImage``,
    ``iot-tiers:heavyBatchImage``."""
    allowed_cidrs: list[str]
    """IPv4 CIDRs allowed to reach this role's ports; [] means the VPC's own CIDR. 0.0.0.0/0 opens them
    to the internet, so it is never a default. Allowed: a list of IPv4 CIDRs such as 10.0.0.0/16.
    Default: ``[]``. Stack config: ``iot-tiers:heavyBrokerAllowedCidrs``,
    ``iot-tiers:heavyTimeseriesAllowedCidrs``, ``iot-tiers:heavyInferenceAllowedCidrs``,
    ``iot-tiers:heavyBatchAllowedCidrs``."""
    root_volume_gb: pulumi.Input[int]
    """Size of this role's encrypted gp3 root volume, in GiB. Allowed: a whole number of GiB from 8 to
    16384. Default: broker ``20``, timeseries ``20``, inference ``100``, batch ``30``. Stack config:
    ``iot-tiers:heavyBrokerRootVolumeGb``, ``iot-tiers:heavyTimeseriesRootVolumeGb``,
    ``iot-tiers:heavyInferenceRootVolumeGb``, ``iot-tiers:heavyBatchRootVolumeGb``."""
    data_volume_gb: int
    """Broker, timeseries: Size of this role's encrypted gp3 data volume, in GiB. It outlives the
    instance and is snapshotted on schedule. Allowed: a whole number of GiB from 1 to 16384.
    Inference, batch: Size of an encrypted gp3 scratch volume on each instance of this role (deleted
    with the instance), in GiB; 0 for none. Allowed: a whole number of GiB from 0 to 16384. Default:
    broker ``10``, timeseries ``20``, inference ``0``, batch ``0``. Stack config:
    ``iot-tiers:heavyBrokerDataVolumeGb``, ``iot-tiers:heavyTimeseriesDataVolumeGb``,
    ``iot-tiers:heavyInferenceDataVolumeGb``, ``iot-tiers:heavyBatchDataVolumeGb``."""
    spot: bool
    """Broker, timeseries: Spot capacity for this role: refused, since a spot interruption would stop
    the stateful service and detach its data volume. Kept so that asking for it fails clearly.
    Allowed: true or false. Inference, batch: Run this role's capacity above the on-demand base on
    spot instances (price-capacity-optimized, with capacity rebalancing). Allowed: true or false.
    Default: broker ``False``, timeseries ``False``, inference ``True``, batch ``True``. Stack
    config: ``iot-tiers:heavyBrokerSpot``, ``iot-tiers:heavyTimeseriesSpot``,
    ``iot-tiers:heavyInferenceSpot``, ``iot-tiers:heavyBatchSpot``."""
    on_demand_base: int
    """On-demand instances this role's ASG always keeps, before any spot: the baseline to cover with
    reserved instances or a savings plan (output reserved_baseline). 0 in dev. Allowed: a whole
    number from 0 to 1000. Applies to: inference, batch. Default: ``0``. Stack config:
    ``iot-tiers:heavyInferenceOnDemandBase``, ``iot-tiers:heavyBatchOnDemandBase``."""
    min_size: int
    """Minimum instances of this role's ASG. Allowed: a whole number from 0 to 1000. Applies to:
    inference, batch. Default: inference ``1``, batch ``0``. Stack config:
    ``iot-tiers:heavyInferenceMinSize``, ``iot-tiers:heavyBatchMinSize``."""
    max_size: int
    """Maximum instances of this role's ASG. Allowed: a whole number from 1 to 1000. Applies to:
    inference, batch. Default: inference ``2``, batch ``4``. Stack config:
    ``iot-tiers:heavyInferenceMaxSize``, ``iot-tiers:heavyBatchMaxSize``."""
    desired_capacity: pulumi.Input[int]
    """Instances this role's ASG starts with. Allowed: a whole number from 0 to 1000. Applies to:
    inference, batch. Default: inference ``1``, batch ``0``. Stack config:
    ``iot-tiers:heavyInferenceDesiredCapacity``, ``iot-tiers:heavyBatchDesiredCapacity``."""
    target_cpu_percent: int
    """Average CPU this role's ASG scales to hold (target tracking between min_size and max_size); 0
    keeps the desired capacity fixed. CPU is a proxy on GPU instances: scale on a GPU metric through
    the transform hatch when the model is GPU-bound. Allowed: 0, or a whole percentage from 10 to 90.
    Applies to: inference, batch. Default: ``60``. Stack config:
    ``iot-tiers:heavyInferenceTargetCpuPercent``, ``iot-tiers:heavyBatchTargetCpuPercent``."""
    load_balancer: bool
    """Put a network load balancer in front of the broker: TLS on 8883 with certificate_arn, else plain
    TCP 1883 (development only). Allowed: true or false. Applies to: broker. Default: ``False``.
    Stack config: ``iot-tiers:heavyBrokerLoadBalancer``."""
    certificate_arn: str
    """ACM certificate for the load balancer's TLS listener on 8883; '' for a plain TCP 1883 listener
    (refused in production). Allowed: an ACM certificate ARN, or ''. Applies to: broker. Default:
    ``""``. Stack config: ``iot-tiers:heavyBrokerCertificateArn``."""
    access_logs_bucket: str
    """S3 bucket for the load balancer's access logs (TLS connections); '' for none. The bucket's policy
    must let the ELB log delivery service write to it. Allowed: an S3 bucket name, or ''. Applies to:
    broker. Default: ``""``. Stack config: ``iot-tiers:heavyBrokerAccessLogsBucket``."""
    load_balancer_public: bool
    """Make the load balancer internet-facing (in the public subnets). Devices on the internet also need
    allowed_cidrs to include them. Allowed: true or false. Applies to: broker. Default: ``False``.
    Stack config: ``iot-tiers:heavyBrokerLoadBalancerPublic``."""
    detailed_monitoring: pulumi.Input[bool]
    """EC2 detailed (1-minute) monitoring on heavy instances (on in prod; it costs per metric). Allowed:
    true or false. Default: ``False``. Stack config: ``iot-tiers:heavyDetailedMonitoring``."""
    metadata_hop_limit: pulumi.Input[int]
    """IMDSv2 PUT response hop limit. 1 keeps instance credentials away from bridged containers; the
    presets run their containers on the host network, so 1 suffices. Allowed: 1 or 2. Default: ``1``.
    Stack config: ``iot-tiers:heavyMetadataHopLimit``."""
    snapshot_interval_hours: int
    """Hours between scheduled snapshots of a stateful role's data volume (Data Lifecycle Manager).
    Allowed: one of: 1, 2, 3, 4, 6, 8, 12, 24. Default: ``24``. Stack config:
    ``iot-tiers:heavySnapshotIntervalHours``."""
    snapshot_retention_count: int
    """Scheduled snapshots kept per data volume; older ones are deleted. Allowed: a whole number from 1
    to 1000. Default: ``7``. Stack config: ``iot-tiers:heavySnapshotRetentionCount``."""
    deletion_protection: bool
    """Deletion protection (on in prod): Pulumi protect and a final snapshot on stateful roles' data
    volumes, and the broker load balancer's own deletion protection. Allowed: true or false. Default:
    ``False``. Stack config: ``iot-tiers:heavyDeletionProtection``."""
    log_retention_days: pulumi.Input[int]
    """CloudWatch Logs retention for the heavy tier's log groups, in days. Allowed: one of the periods
    CloudWatch Logs accepts: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096,
    1827, 2192, 2557, 2922, 3288, 3653. Default: ``14``. Stack config:
    ``iot-tiers:heavyLogRetentionDays``."""
    tags: Mapping[str, str]
    """Extra tags for every child resource. Default none."""


class HeavyComputeTierArgs(HeavyComputeTierInputs, total=False):
    """Arguments of :class:`HeavyComputeTier` (Python): every input, plus ``transform``."""

    transform: Mapping[str, Transform]
    """Escape hatch: per-child functions rewriting a child's keyword arguments, keyed by the child's
    short name (see ``HeavyComputeTier.children``: ``launch-template``, ``instance``, ``asg``, ``data``,
    ``security-group``, ``nlb``, ...); a key naming no child is refused. Other languages use Pulumi's
    ``transforms`` resource option instead. Example: ``{"data": lambda a: {**a, "iops": 6000}}``."""


#: Wiring arguments: where the tier runs, not how it is sized (not in the settings table).
_WIRING = ("role", "vpc_id", "subnet_ids", "public_subnet_ids", "vpc_cidr", "tags", "transform")


class HeavyComputeTier(TierComponent):
    """One heavy role on EC2: a launch template and either an instance with a data volume
    (stateful roles) or a mixed spot/on-demand auto-scaling group (stateless roles)."""

    tier = "heavy"
    type_token = "iot-tiers:index:HeavyComputeTier"
    previous_type_tokens = ("iot-tiers:components:HeavyComputeTier",)
    children = ("log-group", "role", "role-*", "instance-profile", "lb-security-group", "security-group",
                "data", "launch-template", "instance", "data-attachment", "snapshot-role",
                "snapshot-role-policy", "snapshots", "asg", "cpu-scaling", "nlb", "target-group", "target",
                "listener")

    role: pulumi.Output[str]
    """The tier's role."""
    security_group_id: pulumi.Output[str]
    """Security group of the role's instances."""
    launch_template_id: pulumi.Output[str]
    """Launch template every instance of the role starts from."""
    ami_id: pulumi.Output[str]
    """The AMI the launch template uses (from AWS's public SSM parameter)."""
    ami_parameter: pulumi.Output[str]
    """The SSM parameter the AMI id comes from."""
    instance_role_arn: pulumi.Output[str]
    """The instances' IAM role (SSM Session Manager and the CloudWatch agent only)."""
    log_group_name: pulumi.Output[str]
    """Log group of the role's containers."""
    reserved_baseline: pulumi.Output[dict[str, Any]]
    """``{instance_types, count}``: the always-on on-demand capacity to cover with reserved
    instances or a savings plan."""
    instance_id: Optional[pulumi.Output[str]]
    """Stateful roles: the instance."""
    data_volume_id: Optional[pulumi.Output[str]]
    """Stateful roles: the EBS data volume that outlives the instance."""
    asg_name: Optional[pulumi.Output[str]]
    """Stateless roles: the auto-scaling group."""
    load_balancer_dns: Optional[pulumi.Output[str]]
    """Broker with a load balancer: its DNS name."""

    def __init__(self, name: str, args: HeavyComputeTierArgs,
                 opts: Optional[pulumi.ResourceOptions] = None) -> None:
        given = dict(args or {})
        wiring = {k: given.pop(k) for k in _WIRING if k in given}
        role = wiring.get("role")
        self.settings = resolve_heavy(role, given)
        _check_wiring(role, self.settings, wiring)
        super().__init__(name, wiring.get("tags"), wiring.get("transform"), opts)
        s = self.settings
        self.role_name = role
        self._preset = preset(role)
        self._engine = self._preset.engine(s.plain("engine"))
        self._types = list(s.plain("instance_types"))
        self._gpu = any(instance_has_gpu(t) for t in self._types)
        self._stateful = self._preset.stateful
        self._vpc_id, self._subnet_ids = wiring["vpc_id"], wiring["subnet_ids"]
        invoke = pulumi.InvokeOptions(parent=self)
        self._invoke = invoke
        self._partition = aws.get_partition_output(opts=invoke).partition
        vpc_cidr = wiring.get("vpc_cidr")
        if vpc_cidr is None:
            vpc_cidr = aws.ec2.get_vpc_output(id=self._vpc_id, opts=invoke).cidr_block
        self._vpc_cidr = vpc_cidr
        # Where traffic may come from: configured CIDRs, else the VPC's own.
        self._sources: Any = list(s.plain("allowed_cidrs")) or [vpc_cidr]

        self._ami()
        self._profile_tags()
        self._log_group()
        self._instance_role()
        self._security_groups()
        self._data_volume()
        self._launch_template()
        if self._stateful:
            self._instance()
            self._snapshots()
        else:
            self._auto_scaling_group()
        self.load_balancer = None
        if self._has_load_balancer:
            self._load_balancer(wiring.get("public_subnet_ids"))
        self._outputs()

    @property
    def _has_load_balancer(self) -> bool:
        """Only the broker role has the setting."""
        return "load_balancer" in self.settings and self.settings.plain("load_balancer")

    # ------------------------------------------------------------ steps
    def _ami(self) -> None:
        """AWS's public SSM parameter for the OS line and architecture (GPU AMI for GPU types)."""
        self.ami_parameter = ami_parameter(self.settings.plain("architecture"), self._gpu)
        self.ami_id = aws.ssm.get_parameter_output(name=self.ami_parameter, opts=self._invoke).insecure_value

    def _profile_tags(self) -> None:
        """The workload profile; disk-gb is the durable disk: a stateful role's data volume."""
        disk_gb = self.settings.plain("data_volume_gb") if self._stateful else 0
        profile = WorkloadProfile(persistent_connections=self._preset.persistent_connections, trigger="continuous",
                                  gpu=self._gpu, disk_gb=disk_gb)
        self.workload_tags = self.tags(workload_tags(profile, expect=Service.EC2,
                                                     extra={"iot-tiers:role": self.role_name, "Name": self._name}))

    def _log_group(self) -> None:
        self.log_group = self.child(
            aws.cloudwatch.LogGroup, "log-group",
            name=log_group_name(self._name),
            retention_in_days=self.settings["log_retention_days"],
            tags=self.tags(),
        )

    def _instance_role(self) -> None:
        """Session Manager and the CloudWatch agent, nothing broader."""
        self.instance_role = self.child(
            aws.iam.Role, "role", assume_role_policy=assume_role_policy("ec2.amazonaws.com"),
            description=f"{self._name}: {self.role_name} instances (SSM Session Manager, CloudWatch agent)",
            tags=self.tags())
        self._role_attachments = [
            self.child(aws.iam.RolePolicyAttachment, f"role-{short}", role=self.instance_role.name,
                       policy_arn=self._partition.apply(lambda part, pol=policy: f"arn:{part}:iam::aws:policy/{pol}"))
            for short, policy in INSTANCE_POLICIES.items()
        ]
        self.instance_profile = self.child(aws.iam.InstanceProfile, "instance-profile",
                                           role=self.instance_role.name, tags=self.tags())

    def _security_groups(self) -> None:
        """The load balancer's group first (the instances' group admits it by id), then the
        instances': the engine's ports from the sources, HTTPS out, anything within the VPC."""
        s, engine, sources = self.settings, self._engine, self._sources
        self._lb_port = None
        self.lb_security_group = None
        if self._has_load_balancer:
            self._lb_port = MQTTS if s.plain("certificate_arn") else MQTT
            self.lb_security_group = self.child(
                aws.ec2.SecurityGroup, "lb-security-group",
                vpc_id=self._vpc_id,
                description=f"{self._name}: MQTT{' over TLS' if self._lb_port == MQTTS else ''} load balancer",
                ingress=[{"protocol": "tcp", "from_port": self._lb_port, "to_port": self._lb_port,
                          "cidr_blocks": sources, "description": "MQTT clients"}],
                egress=[{"protocol": "tcp", "from_port": MQTT, "to_port": MQTT, "cidr_blocks": [self._vpc_cidr],
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
            vpc_id=self._vpc_id,
            description=f"{self._name}: {self.role_name} ({engine.name}) ports only",
            ingress=ingress,
            # HTTPS out: SSM, CloudWatch, package and container registries. Anything
            # inside the VPC (a database the batch job writes to, say).
            egress=[{"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_blocks": [ANYWHERE],
                     "description": "HTTPS: SSM, CloudWatch, registries"},
                    {"protocol": "-1", "from_port": 0, "to_port": 0, "cidr_blocks": [self._vpc_cidr],
                     "description": "within the VPC"}],
            tags=self.tags(),
        )

    def _data_volume(self) -> None:
        """Stateful roles: the data volume comes before the template (its id goes into the
        user data), in the zone of the first subnet, where the instance will run."""
        self.data_volume = None
        self._subnet = None
        if not self._stateful:
            return
        s = self.settings
        protect = s.plain("deletion_protection")
        self._subnet = pulumi.Output.from_input(self._subnet_ids).apply(_first_subnet)
        zone = aws.ec2.get_subnet_output(id=self._subnet, opts=self._invoke).availability_zone
        self.snapshot_key = f"{pulumi.get_project()}-{pulumi.get_stack()}-{self._name}"
        self.data_volume = self.child(
            aws.ebs.Volume, "data",
            availability_zone=zone,
            size=s.plain("data_volume_gb"),
            type="gp3",
            encrypted=True,
            final_snapshot=protect,
            tags=self.tags({SNAPSHOT_TAG: self.snapshot_key, "Name": f"{self._name}-data"}),
            opts=pulumi.ResourceOptions(protect=protect),
        )

    def _launch_template(self) -> None:
        """IMDSv2 only, encrypted gp3 volumes, no key pair (Session Manager instead), the
        engine's user data; stateful roles fix the instance type here."""
        s, stateful = self.settings, self._stateful
        root = {"device_name": ROOT_DEVICE, "ebs": {
            "volume_size": s["root_volume_gb"], "volume_type": "gp3", "encrypted": "true",
            "delete_on_termination": "true"}}
        block_devices = [root]
        scratch = not stateful and s.plain("data_volume_gb") > 0
        if scratch:
            block_devices.append({"device_name": DATA_DEVICE, "ebs": {
                "volume_size": s["data_volume_gb"], "volume_type": "gp3", "encrypted": "true",
                "delete_on_termination": "true"}})
        engine = self._engine
        spec = dict(role=self.role_name, engine=engine.name, image=s.plain("image") or engine.image, gpu=self._gpu,
                    stateful=stateful, data_volume=stateful or scratch)
        volume_id = self.data_volume.id if self.data_volume is not None else None
        user_data = pulumi.Output.all(self.log_group.name, volume_id).apply(
            lambda lv: _b64(render(UserDataSpec(**spec, log_group=lv[0], volume_id=lv[1]))))
        self._metadata = {"http_endpoint": "enabled", "http_tokens": "required",
                          "http_put_response_hop_limit": s["metadata_hop_limit"],
                          "instance_metadata_tags": "disabled"}
        arch = s.plain("architecture")
        self.launch_template = self.child(
            aws.ec2.LaunchTemplate, "launch-template",
            description=f"iot-tiers {self.role_name} ({engine.name}) on {arch}{' with GPU' if self._gpu else ''}",
            image_id=self.ami_id,
            instance_type=self._types[0] if stateful else None,
            iam_instance_profile={"arn": self.instance_profile.arn},
            vpc_security_group_ids=[self.security_group.id],
            metadata_options=self._metadata,
            monitoring={"enabled": s["detailed_monitoring"]},
            block_device_mappings=block_devices,
            user_data=user_data,
            update_default_version=True,
            tag_specifications=[{"resource_type": "instance", "tags": self.workload_tags},
                                {"resource_type": "volume", "tags": self.tags()}],
            tags=self.workload_tags,
            opts=pulumi.ResourceOptions(depends_on=self._role_attachments),
        )

    def _instance(self) -> None:
        """Stateful roles: one on-demand instance from the template, and its data volume attached."""
        s = self.settings
        self.asg = None
        self.instance = self.child(
            aws.ec2.Instance, "instance",
            launch_template={"id": self.launch_template.id, "version": "$Default"},
            instance_type=self._types[0],
            subnet_id=self._subnet,
            # Repeated from the template so that the instance resource itself
            # shows them (to a policy pack, and in a drift check).
            metadata_options=self._metadata,
            monitoring=s["detailed_monitoring"],
            maintenance_options={"auto_recovery": "default"},
            root_block_device={"volume_size": s["root_volume_gb"], "volume_type": "gp3", "encrypted": True,
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
        self._baseline = {"instance_types": [self._types[0]], "count": 1}

    def _auto_scaling_group(self) -> None:
        """Stateless roles: on-demand base, spot above it, price-capacity-optimized over the
        types, with capacity rebalancing, and CPU target tracking between min and max."""
        s, types = self.settings, self._types
        self.instance = None
        spot, base = s.plain("spot"), s.plain("on_demand_base")
        lo, hi = s.plain("min_size"), s.plain("max_size")
        self.asg = self.child(
            aws.autoscaling.Group, "asg",
            vpc_zone_identifiers=self._subnet_ids,
            min_size=lo,
            max_size=hi,
            desired_capacity=s["desired_capacity"],
            capacity_rebalance=spot,
            health_check_type="EC2",
            health_check_grace_period=300,
            mixed_instances_policy={
                "instances_distribution": {
                    "on_demand_base_capacity": base,
                    "on_demand_percentage_above_base_capacity": 0 if spot else 100,
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
            # The target-tracking policy owns the running count once the group exists; without
            # this, every `pulumi up` would reset it to the configured desired capacity.
            opts=pulumi.ResourceOptions(ignore_changes=["desired_capacity"]),
        )
        self.scaling_policy = None
        target = s.plain("target_cpu_percent")
        if target and hi > lo:
            self.scaling_policy = self.child(
                aws.autoscaling.Policy, "cpu-scaling",
                autoscaling_group_name=self.asg.name,
                policy_type="TargetTrackingScaling",
                # Let a new instance load its engine (or model) before its CPU counts.
                estimated_instance_warmup=300,
                target_tracking_configuration={
                    "predefined_metric_specification": {"predefined_metric_type": "ASGAverageCPUUtilization"},
                    "target_value": target,
                })
        # Always-on on-demand capacity: what a commitment should cover.
        count = min(base, lo) if spot else lo
        self._baseline = {"instance_types": [types[0]] if count else [], "count": count}

    def _snapshots(self) -> None:
        """Scheduled snapshots of the data volume, found by its tag."""
        s = self.settings
        self.snapshot_role = self.child(
            aws.iam.Role, "snapshot-role", assume_role_policy=assume_role_policy("dlm.amazonaws.com"),
            description=f"{self._name}: Data Lifecycle Manager snapshots", tags=self.tags())
        policy = self.child(aws.iam.RolePolicyAttachment, "snapshot-role-policy", role=self.snapshot_role.name,
                            policy_arn=self._partition.apply(lambda part: f"arn:{part}:iam::aws:policy/{DLM_POLICY}"))
        hours, keep = s.plain("snapshot_interval_hours"), s.plain("snapshot_retention_count")
        self.snapshot_policy = self.child(
            aws.dlm.LifecyclePolicy, "snapshots",
            description=f"{self._name} data volume - every {hours} h - keep {keep}",
            execution_role_arn=self.snapshot_role.arn,
            state="ENABLED",
            policy_details={
                "policy_type": "EBS_SNAPSHOT_MANAGEMENT",
                "resource_types": ["VOLUME"],
                "target_tags": {SNAPSHOT_TAG: self.snapshot_key},
                "schedules": [{
                    "name": f"every {hours} h - keep {keep}",
                    "create_rule": {"interval": hours, "interval_unit": "HOURS", "times": "03:00"},
                    "retain_rule": {"count": keep},
                    "copy_tags": True,
                    "tags_to_add": {"iot-tiers:snapshot-of": self._name},
                }],
            },
            tags=self.tags(),
            opts=pulumi.ResourceOptions(depends_on=[policy]),
        )

    def _load_balancer(self, public_subnet_ids: Any) -> None:
        """A network load balancer for the broker: TLS 8883 with a certificate, else TCP 1883."""
        s = self.settings
        public = s.plain("load_balancer_public")
        bucket = s.plain("access_logs_bucket")
        self.load_balancer = self.child(
            aws.lb.LoadBalancer, "nlb",
            load_balancer_type="network",
            internal=not public,
            subnets=public_subnet_ids if public else self._subnet_ids,
            security_groups=[self.lb_security_group.id],
            enable_cross_zone_load_balancing=True,
            enable_deletion_protection=s["deletion_protection"],
            access_logs=({"bucket": bucket, "enabled": True, "prefix": self._name} if bucket else None),
            tags=self.tags(),
        )
        self.target_group = self.child(
            aws.lb.TargetGroup, "target-group",
            port=MQTT, protocol="TCP", target_type="instance", vpc_id=self._vpc_id,
            # The broker then sees the load balancer's address, which its security
            # group admits by group id; the client CIDRs are enforced at the NLB.
            preserve_client_ip="false",
            health_check={"protocol": "TCP", "port": "traffic-port", "interval": 30},
            tags=self.tags(),
        )
        self.child(aws.lb.TargetGroupAttachment, "target", target_group_arn=self.target_group.arn,
                   target_id=self.instance.id, port=MQTT)
        tls = self._lb_port == MQTTS
        self.listener = self.child(
            aws.lb.Listener, "listener",
            load_balancer_arn=self.load_balancer.arn,
            port=self._lb_port,
            protocol="TLS" if tls else "TCP",
            certificate_arn=s["certificate_arn"] if tls else None,
            ssl_policy=TLS_POLICY if tls else None,
            default_actions=[{"type": "forward", "target_group_arn": self.target_group.arn}],
            tags=self.tags(),
        )

    def _outputs(self) -> None:
        self.reserved_baseline = self._baseline
        self.role = self.role_name
        self.security_group_id = self.security_group.id
        self.launch_template_id = self.launch_template.id
        self.instance_role_arn = self.instance_role.arn
        self.log_group_name = self.log_group.name
        self.instance_id = self.instance.id if self.instance is not None else None
        self.data_volume_id = self.data_volume.id if self.data_volume is not None else None
        self.asg_name = self.asg.name if self.asg is not None else None
        self.load_balancer_dns = self.load_balancer.dns_name if self.load_balancer is not None else None
        #: The registered outputs as a dict (the stack program exports it per role).
        self.output_values = self.register_declared_outputs()


def _check_wiring(role: str, settings: Any, wiring: Mapping[str, Any]) -> None:
    missing = [k for k in ("vpc_id", "subnet_ids") if wiring.get(k) is None]
    if missing:
        raise ConfigError([f"heavy ({role}): {k} is required (the network the tier runs in)" for k in missing])
    if settings.get("load_balancer_public") and wiring.get("public_subnet_ids") is None:
        raise ConfigError([f"heavy ({role}): load_balancer_public=True needs public_subnet_ids "
                           "(an internet-facing load balancer lives in public subnets)"])


def _first_subnet(ids: Sequence[str]) -> str:
    if not ids:
        raise ConfigError(["heavy: subnet_ids is empty: a stateful role needs a subnet for its instance "
                           "and data volume"])
    return ids[0]


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


__all__ = ["HeavyComputeTier", "HeavyComputeTierArgs", "INSTANCE_POLICIES", "SNAPSHOT_TAG"]
