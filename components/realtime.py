"""RealtimeTier: the MQTT -> WebSocket bridge (``python -m iot_tiers_runtime.bridge``) on ECS Fargate.

Dashboards hold WebSocket connections for hours; the bridge holds one MQTT session
to the broker and fans messages out to them. Persistent connections are exactly
what the decision rule puts on Fargate (step 1): Lambda cannot hold them, and an
always-on EC2 fleet would be ours to patch.

The path of a message: device -> broker (AWS IoT Core by default) -> bridge task
(private subnet, no public IP) -> ALB (HTTPS, TLS 1.3 policy) -> dashboard. Scaling
follows the bridge's own ``ActiveConnections`` metric (EMF on stdout, so no IAM
permission and no API call), with a CPU policy as a safety net; scaling in is
slower than scaling out because every task removed drops its dashboards.

Secrets never appear as plain environment values: the JWT key and the IoT client
certificate live in Secrets Manager and reach the container through the task
definition's ``secrets`` field, read by the execution role, which may read exactly
those secrets and nothing else.
"""

import json
import os
import re
from pathlib import Path
from typing import Any, Mapping, Optional, Required, Sequence, TypedDict

import pulumi
import pulumi_aws as aws
import pulumi_docker_build as docker_build

from iot_tiers_policy.decision import Service, WorkloadProfile
from iot_tiers_runtime.bridge.clientcert import CERT_VARIABLE, KEY_VARIABLE
from iot_tiers_runtime.bridge.metrics import DIMENSION_SERVICE_NAME, METRIC_ACTIVE_CONNECTIONS

from .assets import BRIDGE_PLATFORM, bridge_context, bridge_dockerfile, image_tag
from .base import TierComponent, Transform, allow, assume_role_policy, policy_document
from .config import ConfigError, resolve_tier
from .names import SCALING_POLICY_NAME_MAX, bounded, ecs_name, log_group_name
from .tags import workload_tags

# ---------------------------------------------------------------- the bridge's contract
# The bridge reads these (runtime/bridge/config.py); the tier sets every one of them
# explicitly, so the scaling policy's metric and what the bridge emits come from the
# same values below and cannot drift apart.

#: Port of the WebSocket server and of ``GET /health``.
BRIDGE_PORT = 3000
HEALTH_PATH = "/health"
#: CloudWatch namespace of the bridge's EMF metrics (``BRIDGE_METRIC_NAMESPACE``).
METRIC_NAMESPACE = "IotTiers/Bridge"
#: Metric the connection policy tracks, and the dimension naming the ECS service.
METRIC_NAME = METRIC_ACTIVE_CONNECTIONS
METRIC_DIMENSION = DIMENSION_SERVICE_NAME

#: The container's health check: the image has Python, not curl. ``urlopen`` raises
#: on a non-2xx answer or a timeout, so the exit status is the verdict.
HEALTH_COMMAND = ["CMD", "python", "-c",
                  "import urllib.request; urllib.request.urlopen("
                  f"'http://127.0.0.1:{BRIDGE_PORT}{HEALTH_PATH}', timeout=4)"]

#: A non-root uid:gid (the image's files are world-readable). The bridge writes nowhere: the
#: root file system is read-only and the task mounts no volume (see ``_task_definition``).
BRIDGE_USER = "10001:10001"
#: The Mosquitto image's own unprivileged user.
SIDECAR_USER = "1883:1883"

BRIDGE_CONTAINER = "bridge"
SIDECAR_CONTAINER = "broker"
SIDECAR_URL = "mqtt://127.0.0.1:1883"
IOT_PORT = 8883


#: AWS's TLS 1.3 policy that still accepts TLS 1.2 clients (no TLS 1.0/1.1, no CBC suites).
TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06"

#: docker-build settings of the bridge image besides its context, platform, tags and login;
#: they are part of the image tag (changing one makes docker-build rebuild: a new tag).
IMAGE_BUILD: dict[str, Any] = {"push": True, "build_on_preview": False}

_ECR_IMAGE = re.compile(r"(?P<account>\d{12})\.dkr\.ecr\.(?P<region>[a-z0-9-]+)\.amazonaws\.com(\.cn)?/"
                        r"(?P<repo>[a-z0-9._/-]+?)(:[\w.-]+|@sha256:[0-9a-f]{64})$")


class RealtimeTierInputs(TypedDict, total=False):
    """Arguments of :class:`RealtimeTier` that every Pulumi language can pass.

    ``vpc_id`` and ``private_subnet_ids`` are required (from :class:`~iot_tiers.components.network.Network`,
    or your own VPC), and ``public_subnet_ids`` unless ``internal`` is true. Every other key
    is optional; defaults and allowed values come from the settings table
    (``components/config/realtime.py``), and the text of each table-backed key is generated
    from it (``python -m tools.args_docs update``).
    """

    vpc_id: Required[pulumi.Input[str]]
    """The VPC the tasks and the ALB run in. Example: ``network.vpc_id``."""
    private_subnet_ids: Required[pulumi.Input[Sequence[pulumi.Input[str]]]]
    """Subnets of the tasks (no public IPs), one per AZ, with a route out (NAT or endpoints)."""
    public_subnet_ids: pulumi.Input[Sequence[pulumi.Input[str]]]
    """Subnets of an internet-facing ALB; required unless ``internal`` is true."""
    environment: str
    """``"development"`` or ``"production"``. Default ``"production"`` for a library user (safe:
    plain HTTP refused); the stack program passes the stack's ``iot-tiers:environment``."""
    image_uri: str
    """A prebuilt bridge image to run (then nothing is built). '' builds runtime/bridge/Dockerfile for
    linux/arm64 on `pulumi up` (not on preview) with docker-build, tagged with a digest of its build
    context, into an ECR repository the tier creates (scan on push, immutable tags). Allowed: '' or
    an image reference with a tag or digest, e.g.
    123456789012.dkr.ecr.us-east-1.amazonaws.com/bridge:1.4.2. Default: ``""``. Stack config:
    ``iot-tiers:realtimeImageUri``."""
    cpu: pulumi.Input[int]
    """CPU units of one bridge task (1024 = 1 vCPU). The bridge is async: connections cost memory far
    more than CPU. Allowed: one of the Fargate CPU sizes: 256, 512, 1024, 2048, 4096, 8192, 16384.
    Default: ``512``. Stack config: ``iot-tiers:realtimeCpu``."""
    memory_mb: pulumi.Input[int]
    """Memory of one bridge task, in MiB; must be a size Fargate offers with cpu. Allowed: a whole
    number of MiB from 512 to 122880 that Fargate pairs with the CPU size. Default: ``1024``. Stack
    config: ``iot-tiers:realtimeMemoryMb``."""
    desired_count: pulumi.Input[int]
    """Tasks the service starts with (autoscaling moves it between min_count and max_count). Allowed: a
    whole number from 1 to 1000. Default: ``1``. Stack config: ``iot-tiers:realtimeDesiredCount``."""
    min_count: pulumi.Input[int]
    """Fewest tasks autoscaling may leave running. Allowed: a whole number from 1 to 1000. Default:
    ``1``. Stack config: ``iot-tiers:realtimeMinCount``."""
    max_count: pulumi.Input[int]
    """Most tasks autoscaling may start. Allowed: a whole number from 1 to 1000. Default: ``4``. Stack
    config: ``iot-tiers:realtimeMaxCount``."""
    min_healthy_percent: pulumi.Input[int]
    """Deployment floor, in percent of the desired count: 100 keeps every connection slot up while a new
    version rolls out (zero-downtime). Allowed: a whole number from 0 to 100. Default: ``100``. Stack
    config: ``iot-tiers:realtimeMinHealthyPercent``."""
    max_percent: pulumi.Input[int]
    """Deployment ceiling, in percent of the desired count: 200 starts the new tasks beside the old.
    Allowed: a whole number from 100 to 200. Default: ``200``. Stack config:
    ``iot-tiers:realtimeMaxPercent``."""
    wait_for_steady_state: pulumi.Input[bool]
    """pulumi up waits until the service is stable (its tasks running, as `aws ecs wait
    services-stable`), so a bridge that cannot start fails the update instead of being reported as
    deployed; a first deploy that never gets a task running fails when the provider's wait times out.
    An update the circuit breaker rolls back still ends as a success (the old version is stable
    again): check the service's events. false returns as soon as ECS accepted the change. Allowed:
    true or false. Default: ``True``. Stack config: ``iot-tiers:realtimeWaitForSteadyState``."""
    container_insights: pulumi.Input[bool]
    """CloudWatch Container Insights on the ECS cluster (per-task metrics, billed as custom metrics).
    Allowed: true or false. Default: ``False``. Stack config:
    ``iot-tiers:realtimeContainerInsights``."""
    connections_per_task: pulumi.Input[int]
    """Target of the scaling policy: average open WebSocket connections per task (the bridge's
    ActiveConnections metric). Allowed: a whole number from 1 to 100000. Default: ``1000``. Stack
    config: ``iot-tiers:realtimeConnectionsPerTask``."""
    cpu_target_percent: pulumi.Input[int]
    """Target of the safety scaling policy on average CPU, in case connections get busy. Allowed: a
    whole number from 10 to 95. Default: ``70``. Stack config:
    ``iot-tiers:realtimeCpuTargetPercent``."""
    scale_out_cooldown_s: pulumi.Input[int]
    """Seconds after a scale-out before another scaling activity. Allowed: a whole number of seconds
    from 0 to 3600. Default: ``60``. Stack config: ``iot-tiers:realtimeScaleOutCooldownS``."""
    scale_in_cooldown_s: pulumi.Input[int]
    """Seconds after a scale-in before another; longer than scale-out because connections are sticky: a
    task removed drops its clients, who reconnect elsewhere. Allowed: a whole number of seconds from
    0 to 3600. Default: ``600``. Stack config: ``iot-tiers:realtimeScaleInCooldownS``."""
    stop_timeout_s: pulumi.Input[int]
    """Seconds the bridge gets between SIGTERM and SIGKILL to close its WebSockets cleanly. Allowed: a
    whole number of seconds from 2 to 120 (Fargate's limit). Default: ``120``. Stack config:
    ``iot-tiers:realtimeStopTimeoutS``."""
    ping_interval_s: pulumi.Input[int]
    """Seconds between the bridge's WebSocket pings; the ALB idle timeout must be longer so idle
    dashboards stay connected. Allowed: a whole number of seconds from 5 to 600. Default: ``20``.
    Stack config: ``iot-tiers:realtimePingIntervalS``."""
    idle_timeout_s: pulumi.Input[int]
    """ALB idle timeout, in seconds: a connection with no traffic for this long is closed. Allowed: a
    whole number of seconds from 1 to 4000. Default: ``120``. Stack config:
    ``iot-tiers:realtimeIdleTimeoutS``."""
    deregistration_delay_s: pulumi.Input[int]
    """Seconds the ALB keeps a leaving task's open connections before closing them (ECS sends SIGTERM
    after it). Dashboards stay connected for hours, so no drain waits them out; kept shorter than
    stop_timeout_s so a deploy or scale-in is not held up by it. Allowed: a whole number of seconds
    from 0 to 3600. Default: ``60``. Stack config: ``iot-tiers:realtimeDeregistrationDelayS``."""
    broker: str
    """The MQTT broker the bridge reads: 'iot-core' (AWS IoT Core over mutual TLS), 'external'
    (broker_url, e.g. the heavy tier's broker) or 'sidecar' (a Mosquitto container in the task: a dev
    convenience, one task only). Allowed: one of: iot-core, external, sidecar. Default:
    ``"iot-core"``. Stack config: ``iot-tiers:realtimeBroker``."""
    broker_url: pulumi.Input[str]
    """URL of the external broker (broker 'external' only). Allowed: '' or mqtt://host[:port] /
    mqtts://host[:port]. Default: ``""``. Stack config: ``iot-tiers:realtimeBrokerUrl``."""
    sidecar_image: pulumi.Input[str]
    """Image of the sidecar broker (broker 'sidecar' only). From ECR Public, which has no anonymous pull
    rate limit for AWS traffic. Allowed: an image reference with a tag or digest. Default:
    ``"public.ecr.aws/docker/library/eclipse-mosquitto:2.0.20"``. Stack config:
    ``iot-tiers:realtimeSidecarImage``."""
    topic_filters: list[str]
    """MQTT topic filters of the telemetry dashboards may subscribe to through the bridge. With
    alert_filters they scope the IoT policy (iot:Subscribe/iot:Receive) and so bound what any token
    can reach; changing them leaves the alert filters in place. Allowed: a non-empty list of MQTT
    filters ('+' and '#' only as whole levels, '#' last). Default: ``["devices/+/telemetry"]``. Stack
    config: ``iot-tiers:realtimeTopicFilters``."""
    alert_filters: list[str]
    """MQTT topic filters of the alerts dashboards may subscribe to: the ProcessingTier relays each
    alert to <processingAlertTopicPrefix><deviceId>, so this must cover that prefix. [] turns alerts
    off at the bridge. Allowed: a list of MQTT filters ('+' and '#' only as whole levels, '#' last),
    or []. Default: ``["alerts/#"]``. Stack config: ``iot-tiers:realtimeAlertFilters``."""
    iot_certificate_secret_arn: str
    """An existing Secrets Manager secret holding the bridge's IoT client certificate as JSON
    {"certificate_pem": ..., "private_key": ...}. '' makes the tier create an IoT certificate and
    keep it in a new secret (the private key then also sits, encrypted, in the Pulumi state).
    Allowed: '' or a full secret ARN (ending in the 6-character suffix). Default: ``""``. Stack
    config: ``iot-tiers:realtimeIotCertificateSecretArn``."""
    jwt_secret_arn: str
    """An existing Secrets Manager secret holding the HS256 key dashboards' tokens are signed with. ''
    makes the tier create one with a random 64-character value. Allowed: '' or a full secret ARN
    (ending in the 6-character suffix). Default: ``""``. Stack config:
    ``iot-tiers:realtimeJwtSecretArn``."""
    certificate_arn: str
    """ACM certificate for the dashboard ALB's HTTPS listener. '' serves plain HTTP, which only a
    development environment may do. Allowed: '' or an ACM certificate ARN. Default: ``""``. Stack
    config: ``iot-tiers:realtimeCertificateArn``."""
    allowed_cidrs: list[str]
    """Client ranges the dashboard ALB accepts. The default is private address space only (VPN, Direct
    Connect, peering): opening the dashboards to the internet is a deliberate ["0.0.0.0/0"] in the
    stack file (every connection still needs a signed token). Allowed: a non-empty list of IPv4 CIDR
    blocks. Default: ``["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]``. Stack config:
    ``iot-tiers:realtimeAllowedCidrs``."""
    internal: bool
    """An internal ALB (private subnets, no public DNS resolution to it) instead of an internet-facing
    one. Allowed: true or false. Default: ``False``. Stack config: ``iot-tiers:realtimeInternal``."""
    deletion_protection: pulumi.Input[bool]
    """Deletion protection on the dashboard ALB (on in prod: deleting it changes the dashboards' DNS
    name). Allowed: true or false. Default: ``False``. Stack config:
    ``iot-tiers:realtimeDeletionProtection``."""
    access_logs: bool
    """ALB access logs to S3 (on in prod, so a connection can be traced after an incident). Kept as long
    as log_retention_days. Allowed: true or false. Default: ``False``. Stack config:
    ``iot-tiers:realtimeAccessLogs``."""
    access_logs_bucket: str
    """An existing S3 bucket for the access logs (SSE-S3, with a policy letting ELB write); '' makes the
    tier create one when access_logs is true. Allowed: '' or an S3 bucket name. Default: ``""``.
    Stack config: ``iot-tiers:realtimeAccessLogsBucket``."""
    log_retention_days: pulumi.Input[int]
    """CloudWatch Logs retention for the realtime tier's log groups, in days. Allowed: one of the
    periods CloudWatch Logs accepts: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731,
    1096, 1827, 2192, 2557, 2922, 3288, 3653. Default: ``14``. Stack config:
    ``iot-tiers:realtimeLogRetentionDays``."""
    tags: Mapping[str, str]
    """Extra tags for every child. Default none."""


class RealtimeTierArgs(RealtimeTierInputs, total=False):
    """Arguments of :class:`RealtimeTier` (Python): every input, plus ``transform``."""

    transform: Mapping[str, Transform]
    """Escape hatch: per-child functions rewriting a child's keyword arguments, keyed by the child's
    short name (see ``RealtimeTier.children``: ``cluster``, ``task-definition``, ``service``, ``alb``,
    ``target-group``, ``listener-https``, ...); a key naming no child is refused. Other languages use
    Pulumi's ``transforms`` resource option instead. Example:
    ``{"service": lambda a: {**a, "enable_execute_command": True}}``."""


#: Arguments that wire the tier to its surroundings rather than size it (not in the settings table).
_WIRING = ("vpc_id", "private_subnet_ids", "public_subnet_ids", "environment", "tags", "transform")


class RealtimeTier(TierComponent):
    """The Fargate tier: ALB -> bridge tasks in private subnets -> MQTT broker."""

    tier = "realtime"
    type_token = "iot-tiers:index:RealtimeTier"
    previous_type_tokens = ("iot-tiers:components:RealtimeTier",)
    children = (
        "cluster", "log-group", "jwt-secret", "jwt-secret-value",
        "iot-policy", "iot-certificate", "iot-policy-attachment", "iot-certificate-secret",
        "iot-certificate-secret-value", "repository", "repository-lifecycle", "image",
        "execution-role", "execution-role-policy", "task-role", "task-role-policy",
        "alb-sg", "tasks-sg", "alb-sg-in-*", "alb-sg-out-tasks", "tasks-sg-in-alb", "tasks-sg-out-https",
        "tasks-sg-out-broker", "tasks-sg-out-broker-*",
        "access-logs", "access-logs-public-access-block", "access-logs-ownership", "access-logs-encryption",
        "access-logs-lifecycle", "access-logs-policy",
        "alb", "target-group", "listener-https", "listener-http",
        "task-definition", "service", "scaling-target", "scaling-connections", "scaling-cpu",
    )

    url: pulumi.Output[str]
    """The dashboards' URL: ``https://<ALB DNS name>`` (``http://`` in development without a certificate)."""
    dns_name: pulumi.Output[str]
    """The load balancer's DNS name (point your dashboard domain's CNAME here)."""
    cluster_name: pulumi.Output[str]
    """Name of the ECS cluster."""
    service_name: pulumi.Output[str]
    """Name of the ECS service (also the ``ServiceName`` dimension of the bridge's metrics)."""
    log_group_name: pulumi.Output[str]
    """Log group of the bridge's containers."""
    image_uri: pulumi.Output[str]
    """The bridge image the tasks run (built here, or the one given)."""
    broker_url: pulumi.Output[str]
    """The MQTT broker the bridge reads (``mqtts://<IoT Core endpoint>:8883`` by default)."""
    jwt_secret_arn: pulumi.Output[str]
    """Secrets Manager secret holding the HS256 key that signs dashboard tokens."""
    task_role_arn: pulumi.Output[str]
    """The bridge's own role."""
    execution_role_arn: pulumi.Output[str]
    """The role ECS starts the task with (image pull, logs, secrets)."""
    load_balancer_arn: pulumi.Output[str]
    """The application load balancer."""
    target_group_arn: pulumi.Output[str]
    """The tasks' target group."""
    alb_security_group_id: pulumi.Output[str]
    """The load balancer's security group (see :meth:`RealtimeTier.allow_from`)."""
    tasks_security_group_id: pulumi.Output[str]
    """The tasks' security group (reachable from the load balancer only)."""
    iot_policy_name: Optional[pulumi.Output[str]]
    """With the IoT Core broker: the IoT policy of the bridge's certificate (attach it to your own
    certificate when you pass ``iot_certificate_secret_arn``)."""

    def __init__(self, name: str, args: Optional[RealtimeTierArgs] = None,
                 opts: Optional[pulumi.ResourceOptions] = None) -> None:
        given = dict(args or {})
        wiring = {k: given.pop(k) for k in _WIRING if k in given}
        self.settings = resolve_tier("realtime", given)
        _check_wiring(self.settings, wiring)
        super().__init__(name, wiring.get("tags"), wiring.get("transform"), opts)
        s = self.settings
        self.environment = wiring.get("environment", "production")
        self.https = bool(s.plain("certificate_arn"))
        self._vpc_id = wiring["vpc_id"]
        self._private_subnets = wiring["private_subnet_ids"]
        self._alb_subnets = self._private_subnets if s.plain("internal") else wiring["public_subnet_ids"]
        invoke = pulumi.InvokeOptions(parent=self)
        self._invoke = invoke
        self._region = aws.get_region_output(opts=invoke).region
        self._account = aws.get_caller_identity_output(opts=invoke).account_id
        #: The ECS service's name, fixed up front: the task definition hands it to the
        #: bridge (``BRIDGE_SERVICE_NAME``, its metric dimension and client-id prefix)
        #: before the service exists, and the scaling policy's dimension must equal it.
        #: Project and stack in it keep two stacks in one account from sharing a metric.
        self._service_name = ecs_name(name)

        self._cluster()
        self._secrets()
        self._broker()
        self._image()
        self._roles()
        self._security_groups()
        self._load_balancer()
        self._task_definition()
        self._service()
        self._autoscaling()
        self._outputs()

    # ------------------------------------------------------------ steps
    def _cluster(self) -> None:
        """The cluster, and the log group the bridge (and a sidecar) log to."""
        s = self.settings
        self.cluster = self.child(
            aws.ecs.Cluster, "cluster",
            settings=[aws.ecs.ClusterSettingArgs(
                name="containerInsights",
                value=s.derive(lambda on: "enabled" if on else "disabled", "container_insights"))],
            tags=self.tags(),
        )
        self.log_group = self.child(
            aws.cloudwatch.LogGroup, "log-group",
            name=log_group_name(self._name, "bridge"),
            retention_in_days=s["log_retention_days"],
            tags=self.tags(),
        )

    def _secrets(self) -> None:
        """The token key; the container gets secrets only through the task definition."""
        self.jwt_secret_arn = self._jwt_secret(self.settings.plain("jwt_secret_arn"))
        self._container_secrets: list[dict[str, Any]] = [{"name": "BRIDGE_JWT_SECRET", "valueFrom": self.jwt_secret_arn}]
        self._secret_arns: list[Any] = [self.jwt_secret_arn]

    def _broker(self) -> None:
        """Where the bridge reads from: IoT Core over mutual TLS (its certificate in Secrets
        Manager, its IoT policy scoped to the dashboards' filters), an external broker, or a
        sidecar in the task."""
        s = self.settings
        self.iot_policy: Optional[aws.iot.Policy] = None
        self._environment: dict[str, Any] = {}
        self._iot_statements: list[dict[str, Any]] = []
        broker = s.plain("broker")
        if broker == "iot-core":
            endpoint = aws.iot.get_endpoint_output(endpoint_type="iot:Data-ATS", opts=self._invoke).endpoint_address
            self.broker_url = endpoint.apply(lambda host: f"mqtts://{host}:{IOT_PORT}")
            self._iot_statements = iot_bridge_statements(self._region, self._account, self._service_name,
                                                         self.filters)
            cert_arn = self._iot_certificate(s.plain("iot_certificate_secret_arn"), self._iot_statements)
            # ECS hands the certificate and key over as environment values, and the bridge loads
            # them from there into memory (iot_tiers_runtime.bridge.clientcert): no start-up
            # script, no file, no writable path. (A /tmp task volume would not do: on Fargate an
            # empty bind mount is root-owned 0755 unless the image declares that path a VOLUME.)
            self._container_secrets += [
                {"name": CERT_VARIABLE, "valueFrom": pulumi.Output.concat(cert_arn, ":certificate_pem::")},
                {"name": KEY_VARIABLE, "valueFrom": pulumi.Output.concat(cert_arn, ":private_key::")}]
            self._secret_arns.append(cert_arn)
            self._broker_ports: Any = [IOT_PORT]
        elif broker == "external":
            self.broker_url = pulumi.Output.from_input(s["broker_url"])
            self._broker_ports = self.broker_url.apply(lambda url: [broker_port(url)])
        else:
            self.broker_url = pulumi.Output.from_input(SIDECAR_URL)
            self._broker_ports = []  # the sidecar is on localhost: nothing leaves the task

    @property
    def filters(self) -> list[str]:
        """What dashboards may read: ``topic_filters`` and ``alert_filters``, once each."""
        return list(dict.fromkeys([*self.settings.plain("topic_filters"), *self.settings.plain("alert_filters")]))

    def _image(self) -> None:
        """The image: the one given, or built from the bridge's own folder and pushed to an
        ECR repository made here (scan on push, immutable tags, the 20 newest kept)."""
        self.repository: Optional[aws.ecr.Repository] = None
        self._ecr_repo_arn: Optional[pulumi.Input[str]] = None
        given = self.settings.plain("image_uri")
        if given:
            self.image_uri = pulumi.Output.from_input(given)
            self._ecr_repo_arn = ecr_repository_arn(given)
            return
        self.repository = self.child(
            aws.ecr.Repository, "repository",
            image_tag_mutability="IMMUTABLE",
            image_scanning_configuration=aws.ecr.RepositoryImageScanningConfigurationArgs(scan_on_push=True),
            encryption_configurations=[aws.ecr.RepositoryEncryptionConfigurationArgs(encryption_type="AES256")],
            force_delete=self.environment == "development",
            tags=self.tags(),
        )
        self.child(aws.ecr.LifecyclePolicy, "repository-lifecycle", repository=self.repository.name,
                   policy=json.dumps({"rules": [{
                       "rulePriority": 1, "description": "keep the 20 newest images",
                       "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 20},
                       "action": {"type": "expire"}}]}))
        self.image = self._built_image(self.repository)
        # By digest: the task runs exactly the image this update pushed.
        self.image_uri = pulumi.Output.concat(self.repository.repository_url, "@", self.image.digest)
        self._ecr_repo_arn = self.repository.arn

    def _built_image(self, repository: aws.ecr.Repository) -> docker_build.Image:
        """The bridge image, built by docker-build only on ``pulumi up`` and pushed under a content tag.

        - Tag: :func:`~.assets.image_tag`, a digest of the build context Docker sends. The
          repository's tags are IMMUTABLE, so a tag that did not change with the content (awsx's
          default is a hash of the context *path*) would make the second push after any change
          fail; a content tag is new exactly when the image is.
        - ``build_on_preview=False``: awsx.ecr.Image has no such input and builds on every
          preview, which for linux/arm64 on an x86 machine means QEMU emulation in every CI
          preview. docker-build is the provider awsx.ecr.Image itself runs, so this adds no
          plugin (docs/deploying.md#building-the-bridge-image).
        - Paths relative to the program's folder (where Pulumi runs the program and its
          providers): docker-build rebuilds when the context's *location* changes, and an
          absolute path differs between a laptop and a CI runner, so an unchanged image would
          be rebuilt (not byte-identical) and pushed under its existing tag, which IMMUTABLE refuses.
        - Registry login: a short-lived ECR token (``ecr:GetAuthorizationToken``), as awsx does;
          docker-build ignores password changes when diffing, so a new token is no change.
        """
        context, dockerfile = bridge_context(), bridge_dockerfile()
        self.image_tag = image_tag(context, dockerfile, BRIDGE_PLATFORM, IMAGE_BUILD)
        token = aws.ecr.get_authorization_token_output(registry_id=repository.registry_id, opts=self._invoke)
        return self.child(
            docker_build.Image, "image",
            context=docker_build.BuildContextArgs(location=_from_program_dir(context)),
            dockerfile=docker_build.DockerfileArgs(location=_from_program_dir(dockerfile)),
            platforms=[docker_build.Platform(BRIDGE_PLATFORM)],
            tags=[pulumi.Output.concat(repository.repository_url, ":", self.image_tag)],
            registries=[docker_build.RegistryArgs(
                address=token.proxy_endpoint, username=token.user_name,
                password=pulumi.Output.secret(token.password))],
            **IMAGE_BUILD,
        )

    def _roles(self) -> None:
        """The execution role starts the task (image, logs, secrets); the task role is what
        the bridge itself may do: read its broker topics, nothing more."""
        self.execution_role = self.child(
            aws.iam.Role, "execution-role", assume_role_policy=assume_role_policy("ecs-tasks.amazonaws.com"),
            description=f"{self._name}: start the bridge task (pull, log, read its secrets)", tags=self.tags())
        exec_statements = [
            allow(["logs:CreateLogStream", "logs:PutLogEvents"],
                  [self.log_group.arn.apply(lambda arn: f"{arn}:*")], "WriteLogs"),
            allow(["secretsmanager:GetSecretValue"], self._secret_arns, "ReadTierSecrets"),
        ]
        if self._ecr_repo_arn is not None:
            exec_statements += [
                # GetAuthorizationToken has no resource to scope to: AWS requires "*".
                allow(["ecr:GetAuthorizationToken"], ["*"], "EcrLogin"),
                allow(["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"],
                      [self._ecr_repo_arn], "PullBridgeImage"),
            ]
        self.execution_role_policy = self.child(aws.iam.RolePolicy, "execution-role-policy",
                                                role=self.execution_role.id,
                                                policy=policy_document(*exec_statements))
        self.task_role = self.child(
            aws.iam.Role, "task-role", assume_role_policy=assume_role_policy("ecs-tasks.amazonaws.com"),
            description=f"{self._name}: the bridge's own permissions", tags=self.tags())
        if self._iot_statements:
            # With mutual TLS, IoT Core authorizes by the certificate's IoT policy (above);
            # the same statements on the task role cover a SigV4 (WebSocket) connection.
            self.child(aws.iam.RolePolicy, "task-role-policy", role=self.task_role.id,
                       policy=policy_document(*self._iot_statements))

    def _security_groups(self) -> None:
        """The ALB from the allowed ranges, the tasks from the ALB only."""
        self.alb_sg = self.child(aws.ec2.SecurityGroup, "alb-sg", vpc_id=self._vpc_id,
                                 description=f"{self._name}: dashboards to the bridge load balancer",
                                 tags=self.tags())
        self.tasks_sg = self.child(aws.ec2.SecurityGroup, "tasks-sg", vpc_id=self._vpc_id,
                                   description=f"{self._name}: bridge tasks, reachable from their ALB only",
                                   tags=self.tags())
        listener_ports = [443, 80] if self.https else [80]
        for port in listener_ports:
            for i, cidr in enumerate(self.settings.plain("allowed_cidrs")):
                self.child(aws.vpc.SecurityGroupIngressRule, f"alb-sg-in-{port}-{i}",
                           security_group_id=self.alb_sg.id, ip_protocol="tcp", from_port=port, to_port=port,
                           cidr_ipv4=cidr, description=f"dashboards from {cidr}")
        self.child(aws.vpc.SecurityGroupEgressRule, "alb-sg-out-tasks",
                   security_group_id=self.alb_sg.id, ip_protocol="tcp", from_port=BRIDGE_PORT,
                   to_port=BRIDGE_PORT, referenced_security_group_id=self.tasks_sg.id,
                   description="to the bridge tasks")
        self.child(aws.vpc.SecurityGroupIngressRule, "tasks-sg-in-alb",
                   security_group_id=self.tasks_sg.id, ip_protocol="tcp", from_port=BRIDGE_PORT,
                   to_port=BRIDGE_PORT, referenced_security_group_id=self.alb_sg.id,
                   description="from the load balancer only")
        self.child(aws.vpc.SecurityGroupEgressRule, "tasks-sg-out-https",
                   security_group_id=self.tasks_sg.id, ip_protocol="tcp", from_port=443, to_port=443,
                   cidr_ipv4="0.0.0.0/0", description="ECR, CloudWatch Logs, Secrets Manager")
        self._broker_egress(self._broker_ports)

    def _load_balancer(self) -> None:
        """The ALB: HTTPS with the TLS 1.3 policy and a redirect from 80 (plain HTTP only in
        development), invalid headers dropped, optional access logs."""
        s = self.settings
        access_logs, alb_deps = None, []
        if s.plain("access_logs"):
            bucket, alb_deps = self._access_logs_bucket(s.plain("access_logs_bucket"), self._account,
                                                        s["log_retention_days"])
            access_logs = aws.lb.LoadBalancerAccessLogsArgs(bucket=bucket, enabled=True, prefix=self._name)
        self.alb = self.child(
            aws.lb.LoadBalancer, "alb",
            load_balancer_type="application",
            internal=s.plain("internal"),
            subnets=self._alb_subnets,
            security_groups=[self.alb_sg.id],
            idle_timeout=s["idle_timeout_s"],
            drop_invalid_header_fields=True,
            enable_deletion_protection=s["deletion_protection"],
            access_logs=access_logs,
            tags=self.tags(),
            # ELB checks that it may write to the bucket when logging is switched on.
            opts=pulumi.ResourceOptions(depends_on=alb_deps),
        )
        self.target_group = self.child(
            aws.lb.TargetGroup, "target-group",
            port=BRIDGE_PORT, protocol="HTTP", protocol_version="HTTP1", target_type="ip", vpc_id=self._vpc_id,
            deregistration_delay=s["deregistration_delay_s"],
            health_check=aws.lb.TargetGroupHealthCheckArgs(
                path=HEALTH_PATH, port="traffic-port", protocol="HTTP", matcher="200",
                interval=15, timeout=5, healthy_threshold=2, unhealthy_threshold=3),
            tags=self.tags(),
        )
        forward = [aws.lb.ListenerDefaultActionArgs(type="forward", target_group_arn=self.target_group.arn)]
        self.listeners: list[aws.lb.Listener] = []
        if self.https:
            self.listeners.append(self.child(
                aws.lb.Listener, "listener-https",
                load_balancer_arn=self.alb.arn, port=443, protocol="HTTPS",
                ssl_policy=TLS_POLICY, certificate_arn=s.plain("certificate_arn"),
                default_actions=forward, tags=self.tags()))
            http_actions = [aws.lb.ListenerDefaultActionArgs(
                type="redirect", redirect=aws.lb.ListenerDefaultActionRedirectArgs(
                    protocol="HTTPS", port="443", status_code="HTTP_301"))]
        else:
            http_actions = forward  # development only (checked in _check_wiring)
        self.listeners.append(self.child(
            aws.lb.Listener, "listener-http", load_balancer_arn=self.alb.arn, port=80, protocol="HTTP",
            default_actions=http_actions, tags=self.tags()))

    def _task_definition(self) -> None:
        """ARM64 Fargate task: the bridge (read-only root, non-root, secrets from Secrets
        Manager, health check, non-blocking logs) and, for the sidecar broker, mosquitto."""
        s = self.settings
        environment = dict(self._environment)
        environment.update({
            "MQTT_BROKER_URL": self.broker_url,
            "PORT": str(BRIDGE_PORT),
            "BRIDGE_SERVICE_NAME": self._service_name,
            "BRIDGE_METRIC_NAMESPACE": METRIC_NAMESPACE,
            "BRIDGE_PING_INTERVAL_S": s.derive(str, "ping_interval_s"),
        })
        log_options = {"awslogs-group": self.log_group.name, "awslogs-region": self._region,
                       # Non-blocking: a slow Logs API must never stall the bridge's event loop
                       # on a full stdout pipe; the buffer absorbs bursts.
                       "mode": "non-blocking", "max-buffer-size": "4m"}
        bridge: dict[str, Any] = {
            "name": BRIDGE_CONTAINER,
            "image": self.image_uri,
            "essential": True,
            "portMappings": [{"containerPort": BRIDGE_PORT, "protocol": "tcp", "name": "http"}],
            "environment": [{"name": k, "value": v} for k, v in sorted(environment.items())],
            "secrets": self._container_secrets,
            "healthCheck": {"command": HEALTH_COMMAND, "interval": 15, "timeout": 5, "retries": 3,
                            "startPeriod": 15},
            "logConfiguration": {"logDriver": "awslogs",
                                 "options": {**log_options, "awslogs-stream-prefix": BRIDGE_CONTAINER}},
            "stopTimeout": s["stop_timeout_s"],
            # Read-only root and no volume: the bridge writes no file (its client certificate
            # is loaded from the environment into memory), so nothing needs a writable path.
            "readonlyRootFilesystem": True,
            "user": BRIDGE_USER,
            # Each dashboard is a socket: lift the open-files limit well above the target per task.
            "ulimits": [{"name": "nofile", "softLimit": 65535, "hardLimit": 65535}],
        }
        containers = [bridge]
        if s.plain("broker") == "sidecar":
            containers.append({
                "name": SIDECAR_CONTAINER,
                "image": s["sidecar_image"],
                "essential": True,
                # Mosquitto 2 with no listener configured binds localhost:1883 only ("local only
                # mode"): reachable by the bridge in the same task, by nothing outside it.
                "readonlyRootFilesystem": True,
                "user": SIDECAR_USER,
                "logConfiguration": {"logDriver": "awslogs",
                                     "options": {**log_options, "awslogs-stream-prefix": SIDECAR_CONTAINER}},
            })
            # The bridge starts after the broker and, on stop, is stopped before it.
            bridge["dependsOn"] = [{"containerName": SIDECAR_CONTAINER, "condition": "START"}]

        profile = WorkloadProfile(persistent_connections=True, trigger="continuous")
        self._profile_tags = workload_tags(profile, expect=Service.FARGATE)
        self.task_definition = self.child(
            aws.ecs.TaskDefinition, "task-definition",
            family=self._service_name,
            cpu=s.derive(str, "cpu"),
            memory=s.derive(str, "memory_mb"),
            network_mode="awsvpc",
            requires_compatibilities=["FARGATE"],
            runtime_platform=aws.ecs.TaskDefinitionRuntimePlatformArgs(
                cpu_architecture="ARM64", operating_system_family="LINUX"),
            execution_role_arn=self.execution_role.arn,
            task_role_arn=self.task_role.arn,
            container_definitions=pulumi.Output.json_dumps(containers),
            tags=self.tags({**self._profile_tags, CONTAINERS_TAG: _declared_containers(containers)}),
            opts=pulumi.ResourceOptions(depends_on=[self.execution_role_policy]),
        )

    def _service(self) -> None:
        """Private subnets, no public IP, circuit breaker with rollback, rolling deploys."""
        s = self.settings
        self.service = self.child(
            aws.ecs.Service, "service",
            name=self._service_name,
            cluster=self.cluster.arn,
            task_definition=self.task_definition.arn,
            desired_count=s["desired_count"],
            launch_type="FARGATE",
            platform_version="LATEST",
            network_configuration=aws.ecs.ServiceNetworkConfigurationArgs(
                subnets=self._private_subnets, security_groups=[self.tasks_sg.id], assign_public_ip=False),
            load_balancers=[aws.ecs.ServiceLoadBalancerArgs(
                target_group_arn=self.target_group.arn, container_name=BRIDGE_CONTAINER,
                container_port=BRIDGE_PORT)],
            health_check_grace_period_seconds=30,
            deployment_circuit_breaker=aws.ecs.ServiceDeploymentCircuitBreakerArgs(enable=True, rollback=True),
            deployment_minimum_healthy_percent=s["min_healthy_percent"],
            deployment_maximum_percent=s["max_percent"],
            propagate_tags="SERVICE",
            enable_ecs_managed_tags=True,
            # Without it the provider returns once ECS accepted the service, so `pulumi up` reports
            # success while tasks crash-loop (pulumi-aws ecs.Service input, default false).
            wait_for_steady_state=s["wait_for_steady_state"],
            tags=self.tags(self._profile_tags),
            # Autoscaling owns the running count once the service exists. The name is fixed (the
            # metric dimension), so a replacement must delete the old service before creating the new.
            opts=pulumi.ResourceOptions(depends_on=self.listeners, ignore_changes=["desired_count"],
                                        delete_before_replace=True),
        )

    def _autoscaling(self) -> None:
        """Connections per task, with CPU as a safety net."""
        s = self.settings
        self.scaling_target = self.child(
            aws.appautoscaling.Target, "scaling-target",
            service_namespace="ecs", scalable_dimension="ecs:service:DesiredCount",
            resource_id=pulumi.Output.concat("service/", self.cluster.name, "/", self.service.name),
            min_capacity=s["min_count"], max_capacity=s["max_count"],
            tags=self.tags(),
        )
        scaling = aws.appautoscaling
        custom = scaling.PolicyTargetTrackingScalingPolicyConfigurationCustomizedMetricSpecificationArgs
        dimension = scaling.PolicyTargetTrackingScalingPolicyConfigurationCustomizedMetricSpecificationDimensionArgs
        predefined = scaling.PolicyTargetTrackingScalingPolicyConfigurationPredefinedMetricSpecificationArgs
        self.scaling_connections = self._tracking_policy(
            "scaling-connections", "connections", s["connections_per_task"],
            customized_metric_specification=custom(
                namespace=METRIC_NAMESPACE, metric_name=METRIC_NAME, statistic="Average",
                dimensions=[dimension(name=METRIC_DIMENSION, value=self.service.name)]))
        self.scaling_cpu = self._tracking_policy(
            "scaling-cpu", "cpu", s["cpu_target_percent"],
            predefined_metric_specification=predefined(predefined_metric_type="ECSServiceAverageCPUUtilization"))

    def _outputs(self) -> None:
        scheme = "https" if self.https else "http"
        self.dns_name = self.alb.dns_name
        self.url = self.alb.dns_name.apply(lambda dns: f"{scheme}://{dns}")
        self.cluster_name = self.cluster.name
        self.service_name = self.service.name
        self.log_group_name = self.log_group.name
        self.task_role_arn = self.task_role.arn
        self.execution_role_arn = self.execution_role.arn
        self.load_balancer_arn = self.alb.arn
        self.target_group_arn = self.target_group.arn
        self.alb_security_group_id = self.alb_sg.id
        self.tasks_security_group_id = self.tasks_sg.id
        self.iot_policy_name = self.iot_policy.name if self.iot_policy is not None else None
        self.register_declared_outputs()

    # ------------------------------------------------------------ pieces
    def _tracking_policy(self, short: str, suffix: str, target: pulumi.Input[float],
                         **metric: Any) -> aws.appautoscaling.Policy:
        """A target-tracking policy on the service's scalable target, holding ``metric`` at ``target``.

        Both policies share the cooldowns: scale-in is the slower one, since every task
        removed drops its dashboards.
        """
        return self.child(
            aws.appautoscaling.Policy, short,
            name=bounded(f"{self._service_name}-{suffix}", SCALING_POLICY_NAME_MAX),
            policy_type="TargetTrackingScaling",
            service_namespace=self.scaling_target.service_namespace,
            scalable_dimension=self.scaling_target.scalable_dimension,
            resource_id=self.scaling_target.resource_id,
            target_tracking_scaling_policy_configuration=aws.appautoscaling
            .PolicyTargetTrackingScalingPolicyConfigurationArgs(
                target_value=target,
                scale_out_cooldown=self.settings["scale_out_cooldown_s"],
                scale_in_cooldown=self.settings["scale_in_cooldown_s"],
                **metric,
            ),
        )

    def _jwt_secret(self, existing: str) -> pulumi.Output[str]:
        if existing:
            return pulumi.Output.from_input(existing)
        secret = self.child(aws.secretsmanager.Secret, "jwt-secret",
                            description=f"{self._name}: HS256 key that signs dashboard tokens",
                            tags=self.tags())
        value = aws.secretsmanager.get_random_password_output(
            password_length=64, exclude_punctuation=True, opts=pulumi.InvokeOptions(parent=self))
        # The first value is kept: a new random value on every `pulumi up` would
        # invalidate every token already handed out.
        self.child(aws.secretsmanager.SecretVersion, "jwt-secret-value", secret_id=secret.id,
                   secret_string=pulumi.Output.secret(value.random_password),
                   opts=pulumi.ResourceOptions(ignore_changes=["secret_string"]))
        return secret.arn

    def _iot_certificate(self, existing: str, statements: list[dict[str, Any]]) -> pulumi.Output[str]:
        """The IoT policy for the bridge's certificate, and the certificate's secret ARN."""
        self.iot_policy = self.child(aws.iot.Policy, "iot-policy",
                                     policy=policy_document(*statements), tags=self.tags())
        if existing:
            # The operator's own certificate: they attach ``iot_policy_name`` to it.
            return pulumi.Output.from_input(existing)
        cert = self.child(aws.iot.Certificate, "iot-certificate", active=True)
        self.child(aws.iot.PolicyAttachment, "iot-policy-attachment", policy=self.iot_policy.name,
                   target=cert.arn)
        secret = self.child(aws.secretsmanager.Secret, "iot-certificate-secret",
                            description=f"{self._name}: the bridge's IoT client certificate and key",
                            tags=self.tags())
        self.child(aws.secretsmanager.SecretVersion, "iot-certificate-secret-value", secret_id=secret.id,
                   secret_string=pulumi.Output.secret(pulumi.Output.json_dumps(
                       {"certificate_pem": cert.certificate_pem, "private_key": cert.private_key})))
        return secret.arn

    def _access_logs_bucket(self, existing: str, account: pulumi.Output[str],
                            days: int) -> tuple[pulumi.Input[str], list[pulumi.Resource]]:
        """The bucket the ALB logs to: the given one, or a private SSE-S3 bucket made here."""
        if existing:
            return existing, []
        bucket = self.child(aws.s3.Bucket, "access-logs", force_destroy=self.environment == "development",
                            tags=self.tags())
        deps: list[pulumi.Resource] = [
            self.child(aws.s3.BucketPublicAccessBlock, "access-logs-public-access-block", bucket=bucket.id,
                       block_public_acls=True, block_public_policy=True, ignore_public_acls=True,
                       restrict_public_buckets=True),
            self.child(aws.s3.BucketOwnershipControls, "access-logs-ownership", bucket=bucket.id,
                       rule=aws.s3.BucketOwnershipControlsRuleArgs(object_ownership="BucketOwnerEnforced")),
            # ALB access logs support SSE-S3 only (not KMS).
            self.child(aws.s3.BucketServerSideEncryptionConfiguration, "access-logs-encryption", bucket=bucket.id,
                       rules=[aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
                           apply_server_side_encryption_by_default=aws.s3
                           .BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
                               sse_algorithm="AES256"))]),
            self.child(aws.s3.BucketLifecycleConfiguration, "access-logs-lifecycle", bucket=bucket.id,
                       rules=[aws.s3.BucketLifecycleConfigurationRuleArgs(
                           id="expire-access-logs", status="Enabled",
                           filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(prefix=""),
                           expiration=aws.s3.BucketLifecycleConfigurationRuleExpirationArgs(days=days),
                           abort_incomplete_multipart_upload=aws.s3
                           .BucketLifecycleConfigurationRuleAbortIncompleteMultipartUploadArgs(
                               days_after_initiation=1))]),
        ]
        elb_account = aws.elb.get_service_account_output(opts=pulumi.InvokeOptions(parent=self)).arn
        logs_arn = pulumi.Output.all(bucket.arn, account).apply(
            lambda ba: f"{ba[0]}/{self._name}/AWSLogs/{ba[1]}/*")
        deps.append(self.child(
            aws.s3.BucketPolicy, "access-logs-policy", bucket=bucket.id,
            policy=policy_document(
                # Regions older than August 2022 deliver as ELB's account; newer ones as the service.
                {"Sid": "ElbDelivers", "Effect": "Allow", "Principal": {"AWS": elb_account},
                 "Action": "s3:PutObject", "Resource": logs_arn},
                {"Sid": "ElbLogDeliveryService", "Effect": "Allow",
                 "Principal": {"Service": "logdelivery.elasticloadbalancing.amazonaws.com"},
                 "Action": "s3:PutObject", "Resource": logs_arn},
                {"Sid": "TlsOnly", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
                 "Resource": [bucket.arn, bucket.arn.apply(lambda arn: f"{arn}/*")],
                 "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
            ),
            opts=pulumi.ResourceOptions(depends_on=deps[:1]),
        ))
        return bucket.bucket, deps

    def _broker_egress(self, ports: Any) -> None:
        """Egress from the tasks to the broker's port, when it is not 443 (already open)."""
        if isinstance(ports, list):
            for port in ports:
                if port != 443:
                    self.child(aws.vpc.SecurityGroupEgressRule, f"tasks-sg-out-broker-{port}",
                               security_group_id=self.tasks_sg.id, ip_protocol="tcp", from_port=port,
                               to_port=port, cidr_ipv4="0.0.0.0/0", description="to the MQTT broker")
            return
        # An external broker given as an Output: its port is known only at deploy time.
        port = ports.apply(lambda ps: ps[0])
        self.child(aws.vpc.SecurityGroupEgressRule, "tasks-sg-out-broker",
                   security_group_id=self.tasks_sg.id, ip_protocol="tcp", from_port=port, to_port=port,
                   cidr_ipv4="0.0.0.0/0", description="to the MQTT broker")

    # ------------------------------------------------------------ CDK-style helpers
    def metric_active_connections(self) -> dict[str, Any]:
        """The ``ActiveConnections`` metric of this service, for alarms and dashboards."""
        return {"namespace": METRIC_NAMESPACE, "metric_name": METRIC_NAME,
                "dimensions": {METRIC_DIMENSION: self._service_name}}

    def allow_from(self, security_group_id: pulumi.Input[str], name: str) -> aws.vpc.SecurityGroupIngressRule:
        """Let another security group (a VPN endpoint, a bastion) reach the load balancer."""
        port = 443 if self.https else 80
        return aws.vpc.SecurityGroupIngressRule(
            f"{self._name}-alb-sg-in-{name}", security_group_id=self.alb_sg.id, ip_protocol="tcp",
            from_port=port, to_port=port, referenced_security_group_id=security_group_id,
            description=f"dashboards from {name}", opts=pulumi.ResourceOptions(parent=self))


# ---------------------------------------------------------------- helpers (pure)


def _check_wiring(settings: Any, wiring: Mapping[str, Any]) -> None:
    problems = []
    missing = [k for k in ("vpc_id", "private_subnet_ids") if wiring.get(k) is None]
    if not settings.plain("internal") and wiring.get("public_subnet_ids") is None:
        missing.append("public_subnet_ids")
    if missing:
        problems.append(
            f"realtime: {', '.join(missing)} {'is' if len(missing) == 1 else 'are'} required: pass "
            "Network(...).placement() or your own VPC's ids (public_subnet_ids may be left out "
            "with internal=True)")
    env = wiring.get("environment", "production")
    if env not in ("development", "production"):
        problems.append(f"realtime: environment={env!r} is not allowed: one of development, production")
    elif env != "development" and not settings.plain("certificate_arn"):
        problems.append(
            f"realtime: certificate_arn is empty, so the load balancer would serve plain HTTP, which only "
            f"environment='development' allows (here: {env!r}); pass an ACM certificate ARN")
    if problems:
        raise ConfigError(problems)


def mqtt_filter_to_iam(topic_filter: str) -> str:
    """An MQTT filter as an IAM/IoT resource pattern: ``+`` and ``#`` become ``*``.

    In IoT policies ``+``/``#`` are literal characters, so a policy naming
    ``devices/+/telemetry`` would allow only that exact filter, not
    ``devices/sensor-1/telemetry``; ``*`` matches both (and, being IAM's wildcard,
    also deeper levels under the same prefix, which is as narrow as IAM can say).
    """
    return "/".join("*" if level in ("+", "#") else level for level in topic_filter.split("/"))


def iot_bridge_statements(region: pulumi.Input[str], account: pulumi.Input[str], client_prefix: str,
                          topic_filters: Sequence[str]) -> list[dict[str, Any]]:
    """What the bridge may do on IoT Core: connect as ``<prefix>-*``, read ``topic_filters``."""
    base = pulumi.Output.all(region, account).apply(lambda ra: f"arn:aws:iot:{ra[0]}:{ra[1]}")
    patterns = [mqtt_filter_to_iam(f) for f in topic_filters]
    return [
        allow(["iot:Connect"], [base.apply(lambda b: f"{b}:client/{client_prefix}-*")], "ConnectAsTheBridge"),
        allow(["iot:Subscribe"], [base.apply(lambda b, p=p: f"{b}:topicfilter/{p}") for p in patterns],
              "SubscribeToDashboardTopics"),
        allow(["iot:Receive"], [base.apply(lambda b, p=p: f"{b}:topic/{p}") for p in patterns],
              "ReceiveDashboardTopics"),
    ]


def broker_port(url: str) -> int:
    """The TCP port of an ``mqtt://`` (1883) or ``mqtts://`` (8883) URL."""
    m = re.fullmatch(r"(mqtts?)://[^:/]+(?::(\d+))?/?", url)
    if not m:
        raise ValueError(f"broker_url={url!r} is not mqtt://host[:port] or mqtts://host[:port]")
    return int(m.group(2)) if m.group(2) else (8883 if m.group(1) == "mqtts" else 1883)


def _from_program_dir(path: Path) -> str:
    """``path`` relative to the working directory (the program's folder under Pulumi), if it can be."""
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive (Windows): only an absolute path reaches it
        return str(path)


def ecr_repository_arn(image_uri: str) -> Optional[str]:
    """The ECR repository ARN of a private ECR image URI, or None for any other registry."""
    m = _ECR_IMAGE.fullmatch(image_uri)
    if not m:
        return None
    partition = "aws-cn" if ".amazonaws.com.cn/" in image_uri else "aws"
    return f"arn:{partition}:ecr:{m['region']}:{m['account']}:repository/{m['repo']}"


__all__ = ["RealtimeTier", "RealtimeTierArgs", "METRIC_NAMESPACE", "METRIC_NAME",
           "METRIC_DIMENSION", "BRIDGE_PORT", "HEALTH_PATH"]


#: Tag declaring the task's containers (``name=image`` pairs, space-separated). The
#: container definitions hold the built image's digest, unknown until the image is
#: pushed, so at preview the policy pack reads this known declaration instead; at
#: ``pulumi up`` it checks the real definitions again.
CONTAINERS_TAG = "iot-tiers:containers"


def _declared_containers(containers: list[dict[str, Any]]) -> str:
    parts = []
    for c in containers:
        image = c["image"] if isinstance(c["image"], str) else "built-by-this-stack"
        parts.append(f"{c['name']}={image}")
    return " ".join(parts)
