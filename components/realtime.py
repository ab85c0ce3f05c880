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

from __future__ import annotations

import json
import re
from typing import Any, Mapping, Optional, Sequence, TypedDict

import pulumi
import pulumi_aws as aws
import pulumi_awsx as awsx

from iot_tiers_policy.decision import Service, WorkloadProfile
from iot_tiers_runtime.bridge.metrics import DIMENSION_SERVICE_NAME, METRIC_ACTIVE_CONNECTIONS

from .assets import bridge_context, bridge_dockerfile
from .base import TierComponent, Transform, allow, assume_role_policy, policy_document
from .config import ConfigError, resolve_tier
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

#: A non-root uid:gid (the image's files are world-readable; it needs to write only /tmp).
BRIDGE_USER = "10001:10001"
#: The Mosquitto image's own unprivileged user.
SIDECAR_USER = "1883:1883"

BRIDGE_CONTAINER = "bridge"
SIDECAR_CONTAINER = "broker"
SIDECAR_URL = "mqtt://127.0.0.1:1883"
IOT_PORT = 8883

#: The bridge reads its client certificate from files (``MQTT_CERT_FILE``/``MQTT_KEY_FILE``);
#: ECS hands secrets over as environment values. This start-up line writes them to the
#: task's private /tmp volume (mode 600), drops them from the environment and execs the
#: bridge, so the bridge is PID 1 and receives SIGTERM itself.
CERT_FILE = "/tmp/mqtt/client-cert.pem"
KEY_FILE = "/tmp/mqtt/client-key.pem"
_CERT_ENV, _KEY_ENV = "MQTT_CLIENT_CERT_PEM", "MQTT_CLIENT_KEY_PEM"
START_WITH_CERT = (
    f"umask 077 && mkdir -p /tmp/mqtt && printf '%s' \"${_CERT_ENV}\" > {CERT_FILE} && "
    f"printf '%s' \"${_KEY_ENV}\" > {KEY_FILE} && unset {_CERT_ENV} {_KEY_ENV} && "
    "exec python -m iot_tiers_runtime.bridge")


#: AWS's TLS 1.3 policy that still accepts TLS 1.2 clients (no TLS 1.0/1.1, no CBC suites).
TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06"

_ECR_IMAGE = re.compile(r"(?P<account>\d{12})\.dkr\.ecr\.(?P<region>[a-z0-9-]+)\.amazonaws\.com(\.cn)?/"
                        r"(?P<repo>[a-z0-9._/-]+?)(:[\w.-]+|@sha256:[0-9a-f]{64})$")


class RealtimeTierArgs(TypedDict, total=False):
    """Arguments of :class:`RealtimeTier`.

    ``vpc_id`` and the subnet ids are required (from :class:`~iot_tiers.components.network.Network`,
    or your own VPC). Every other key is optional; the defaults are the development
    defaults of the settings table (``components/config/realtime.py``).
    """

    vpc_id: pulumi.Input[str]
    """Required. The VPC the tasks and the ALB run in. Example: ``network.vpc_id``."""
    private_subnet_ids: pulumi.Input[Sequence[pulumi.Input[str]]]
    """Required. Subnets of the tasks (no public IPs), one per AZ, with a route out (NAT or endpoints)."""
    public_subnet_ids: pulumi.Input[Sequence[pulumi.Input[str]]]
    """Subnets of an internet-facing ALB; required unless ``internal`` is true."""
    environment: str
    """``"development"`` or ``"production"``. Default ``"production"`` for a library user (safe:
    plain HTTP refused); the stack program passes the stack's ``iot-tiers:environment``."""
    image_uri: str
    """A prebuilt image to run; ``""`` (default) builds ``runtime/bridge/Dockerfile`` for
    linux/arm64 into a new ECR repository. Example: ``"1234.dkr.ecr.us-east-1.amazonaws.com/bridge:1.4"``."""
    cpu: int
    """Task CPU units (256, 512, 1024, ... 16384). Default ``512``."""
    memory_mb: int
    """Task memory in MiB, a size Fargate pairs with ``cpu`` (a bad pair is refused with the valid
    ones listed). Default ``1024``. Example: ``2048`` with ``cpu=1024``."""
    desired_count: int
    """Tasks at creation; autoscaling owns the count afterwards. Default ``1``."""
    min_count: int
    """Autoscaling floor. Default ``1``. Example: ``2`` in prod (one per AZ survives a zone)."""
    max_count: int
    """Autoscaling ceiling. Default ``4``."""
    min_healthy_percent: int
    """Deployment floor in percent. Default ``100`` (zero-downtime rolling deploys)."""
    max_percent: int
    """Deployment ceiling in percent. Default ``200``."""
    container_insights: bool
    """Container Insights on the cluster. Default ``False`` (``True`` in prod)."""
    connections_per_task: int
    """Target of the ``ActiveConnections`` policy (average per task). Default ``1000``."""
    cpu_target_percent: int
    """Target of the CPU safety policy. Default ``70``."""
    scale_out_cooldown_s: int
    """Default ``60``."""
    scale_in_cooldown_s: int
    """Default ``600``; must exceed ``scale_out_cooldown_s`` (connections are sticky)."""
    stop_timeout_s: int
    """SIGTERM -> SIGKILL grace, 2-120 s. Default ``120``."""
    ping_interval_s: int
    """The bridge's WebSocket ping interval (``BRIDGE_PING_INTERVAL_S``). Default ``20``."""
    idle_timeout_s: int
    """ALB idle timeout; must exceed ``ping_interval_s``. Default ``120``."""
    deregistration_delay_s: int
    """ALB draining time; must be below ``stop_timeout_s``. Default ``60``."""
    broker: str
    """``"iot-core"`` (default), ``"external"`` or ``"sidecar"`` (dev only: exactly one task)."""
    broker_url: pulumi.Input[str]
    """The external broker's ``mqtt(s)://host:port`` (``broker="external"`` only). Default ``""``.
    Example: the HeavyComputeTier's broker URL output."""
    sidecar_image: str
    """Mosquitto image of the sidecar. Default ``public.ecr.aws/docker/library/eclipse-mosquitto:2.0.20``."""
    topic_filters: list[str]
    """MQTT filters dashboards may reach; they scope the IoT permissions. Default ``["devices/+/telemetry"]``."""
    iot_certificate_secret_arn: str
    """Existing secret with ``{"certificate_pem", "private_key"}``; ``""`` (default) creates an IoT
    certificate and its secret."""
    jwt_secret_arn: str
    """Existing secret holding the HS256 token key; ``""`` (default) creates one with a random value."""
    certificate_arn: str
    """ACM certificate for HTTPS; ``""`` (default) means plain HTTP, refused outside development."""
    allowed_cidrs: list[str]
    """Client ranges the ALB accepts. Default private address space
    ``["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]``; ``["0.0.0.0/0"]`` for public dashboards."""
    internal: bool
    """An internal ALB in the private subnets. Default ``False``."""
    deletion_protection: bool
    """Deletion protection on the ALB. Default ``False`` (``True`` in prod)."""
    access_logs: bool
    """ALB access logs to S3, kept ``log_retention_days``. Default ``False`` (``True`` in prod)."""
    access_logs_bucket: str
    """An existing bucket for the access logs; ``""`` (default) creates a private SSE-S3 bucket
    when ``access_logs`` is on. Example: ``"acme-alb-logs-eu-west-1"``."""
    log_retention_days: int
    """Retention of the bridge's log group. Default ``14``."""
    tags: Mapping[str, str]
    """Extra tags for every child. Default none."""
    transform: Mapping[str, Transform]
    """Escape hatch: per-child argument rewrites keyed by child name (``cluster``, ``task-definition``,
    ``service``, ``alb``, ``target-group``, ``listener-https``, ``listener-http``, ``alb-sg``,
    ``tasks-sg``, ``execution-role``, ``task-role``, ``log-group``, ``repository``, ``image``,
    ``jwt-secret``, ``scaling-target``, ``scaling-connections``, ``scaling-cpu``, ...).
    Example: ``{"service": lambda a: {**a, "enable_execute_command": True}}``."""


#: Arguments that wire the tier to its surroundings rather than size it (not in the settings table).
_WIRING = ("vpc_id", "private_subnet_ids", "public_subnet_ids", "environment", "tags", "transform")


class RealtimeTier(TierComponent):
    """The Fargate tier: ALB -> bridge tasks in private subnets -> MQTT broker.

    Outputs: ``url``, ``dns_name``, ``cluster_name``, ``service_name``, ``log_group_name``,
    ``image_uri``, ``broker_url``, ``jwt_secret_arn``, ``task_role_arn``,
    ``execution_role_arn``, ``load_balancer_arn``, ``target_group_arn``,
    ``alb_security_group_id``, ``tasks_security_group_id`` (and ``iot_policy_name`` with IoT Core).
    """

    tier = "realtime"

    def __init__(self, name: str, args: Optional[RealtimeTierArgs] = None,
                 opts: Optional[pulumi.ResourceOptions] = None) -> None:
        given = dict(args or {})
        wiring = {k: given.pop(k) for k in _WIRING if k in given}
        super().__init__("iot-tiers:components:RealtimeTier", name, wiring.get("tags"),
                         wiring.get("transform"), opts)
        a = resolve_tier("realtime", given)
        _check_wiring(a, wiring)
        self.settings = a
        self.environment = wiring.get("environment", "production")
        self.https = bool(a["certificate_arn"])

        invoke = pulumi.InvokeOptions(parent=self)
        region = aws.get_region_output(opts=invoke).region
        account = aws.get_caller_identity_output(opts=invoke).account_id
        #: The ECS service's name, fixed up front: the task definition hands it to the
        #: bridge (``BRIDGE_SERVICE_NAME``, its metric dimension and client-id prefix)
        #: before the service exists, and the scaling policy's dimension must equal it.
        #: Project and stack in it keep two stacks in one account from sharing a metric.
        self.service_name = f"{pulumi.get_project()}-{pulumi.get_stack()}-{name}"
        vpc_id = wiring["vpc_id"]
        private_subnets = wiring["private_subnet_ids"]
        alb_subnets = private_subnets if a["internal"] else wiring["public_subnet_ids"]

        # --- Cluster and logs.
        self.cluster = self.child(
            aws.ecs.Cluster, "cluster",
            settings=[aws.ecs.ClusterSettingArgs(
                name="containerInsights", value="enabled" if a["container_insights"] else "disabled")],
            tags=self.tags(),
        )
        self.log_group = self.child(
            aws.cloudwatch.LogGroup, "log-group",
            name=f"/iot-tiers/{pulumi.get_stack()}/{name}/bridge",
            retention_in_days=a["log_retention_days"],
            tags=self.tags(),
        )

        # --- Secrets: the token key, and (IoT Core) the client certificate.
        self.jwt_secret_arn = self._jwt_secret(a["jwt_secret_arn"])
        secrets: list[dict[str, Any]] = [{"name": "BRIDGE_JWT_SECRET", "valueFrom": self.jwt_secret_arn}]
        secret_arns: list[Any] = [self.jwt_secret_arn]

        # --- The broker.
        self.iot_policy: Optional[aws.iot.Policy] = None
        environment: dict[str, Any] = {}
        entry_point: Optional[list[str]] = None
        iot_statements: list[dict[str, Any]] = []
        if a["broker"] == "iot-core":
            endpoint = aws.iot.get_endpoint_output(endpoint_type="iot:Data-ATS", opts=invoke).endpoint_address
            self.broker_url: pulumi.Output[str] = endpoint.apply(lambda host: f"mqtts://{host}:{IOT_PORT}")
            iot_statements = iot_bridge_statements(region, account, self.service_name, a["topic_filters"])
            cert_arn = self._iot_certificate(a["iot_certificate_secret_arn"], iot_statements)
            secrets += [{"name": _CERT_ENV, "valueFrom": pulumi.Output.concat(cert_arn, ":certificate_pem::")},
                        {"name": _KEY_ENV, "valueFrom": pulumi.Output.concat(cert_arn, ":private_key::")}]
            secret_arns.append(cert_arn)
            environment.update({"MQTT_CERT_FILE": CERT_FILE, "MQTT_KEY_FILE": KEY_FILE})
            entry_point = ["/bin/sh", "-c", START_WITH_CERT]
            broker_ports: Any = [IOT_PORT]
        elif a["broker"] == "external":
            self.broker_url = pulumi.Output.from_input(a["broker_url"])
            broker_ports = self.broker_url.apply(lambda url: [broker_port(url)])
        else:
            self.broker_url = pulumi.Output.from_input(SIDECAR_URL)
            broker_ports = []  # the sidecar is on localhost: nothing leaves the task

        # --- The image: built and pushed here, or given.
        self.repository: Optional[aws.ecr.Repository] = None
        ecr_repo_arn: Optional[pulumi.Input[str]] = None
        if a["image_uri"]:
            self.image_uri: pulumi.Output[str] = pulumi.Output.from_input(a["image_uri"])
            ecr_repo_arn = ecr_repository_arn(a["image_uri"])
        else:
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
            image = self.child(
                awsx.ecr.Image, "image",
                repository_url=self.repository.repository_url,
                context=str(bridge_context()),
                dockerfile=str(bridge_dockerfile()),
                platform="linux/arm64",
            )
            self.image_uri = image.image_uri
            ecr_repo_arn = self.repository.arn

        # --- Roles. The execution role starts the task (image, logs, secrets); the task
        # role is what the bridge itself may do: read its broker topics, nothing more.
        self.execution_role = self.child(
            aws.iam.Role, "execution-role", assume_role_policy=assume_role_policy("ecs-tasks.amazonaws.com"),
            description=f"{name}: start the bridge task (pull, log, read its secrets)", tags=self.tags())
        exec_statements = [
            allow(["logs:CreateLogStream", "logs:PutLogEvents"],
                  [self.log_group.arn.apply(lambda arn: f"{arn}:*")], "WriteLogs"),
            allow(["secretsmanager:GetSecretValue"], secret_arns, "ReadTierSecrets"),
        ]
        if ecr_repo_arn is not None:
            exec_statements += [
                # GetAuthorizationToken has no resource to scope to: AWS requires "*".
                allow(["ecr:GetAuthorizationToken"], ["*"], "EcrLogin"),
                allow(["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"],
                      [ecr_repo_arn], "PullBridgeImage"),
            ]
        self.execution_role_policy = self.child(aws.iam.RolePolicy, "execution-role-policy",
                                                role=self.execution_role.id,
                                                policy=policy_document(*exec_statements))
        self.task_role = self.child(
            aws.iam.Role, "task-role", assume_role_policy=assume_role_policy("ecs-tasks.amazonaws.com"),
            description=f"{name}: the bridge's own permissions", tags=self.tags())
        if iot_statements:
            # With mutual TLS, IoT Core authorizes by the certificate's IoT policy (above);
            # the same statements on the task role cover a SigV4 (WebSocket) connection.
            self.child(aws.iam.RolePolicy, "task-role-policy", role=self.task_role.id,
                       policy=policy_document(*iot_statements))

        # --- Security groups: the ALB from the allowed ranges, the tasks from the ALB only.
        self.alb_sg = self.child(aws.ec2.SecurityGroup, "alb-sg", vpc_id=vpc_id,
                                 description=f"{name}: dashboards to the bridge's load balancer",
                                 tags=self.tags())
        self.tasks_sg = self.child(aws.ec2.SecurityGroup, "tasks-sg", vpc_id=vpc_id,
                                   description=f"{name}: bridge tasks, reachable from their ALB only",
                                   tags=self.tags())
        listener_ports = [443, 80] if self.https else [80]
        for port in listener_ports:
            for i, cidr in enumerate(a["allowed_cidrs"]):
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
        self._broker_egress(broker_ports)

        # --- Load balancer.
        access_logs, alb_deps = None, []
        if a["access_logs"]:
            bucket, alb_deps = self._access_logs_bucket(a["access_logs_bucket"], account, a["log_retention_days"])
            access_logs = aws.lb.LoadBalancerAccessLogsArgs(bucket=bucket, enabled=True, prefix=name)
        self.alb = self.child(
            aws.lb.LoadBalancer, "alb",
            load_balancer_type="application",
            internal=a["internal"],
            subnets=alb_subnets,
            security_groups=[self.alb_sg.id],
            idle_timeout=a["idle_timeout_s"],
            drop_invalid_header_fields=True,
            enable_deletion_protection=a["deletion_protection"],
            access_logs=access_logs,
            tags=self.tags(),
            # ELB checks that it may write to the bucket when logging is switched on.
            opts=pulumi.ResourceOptions(depends_on=alb_deps),
        )
        self.target_group = self.child(
            aws.lb.TargetGroup, "target-group",
            port=BRIDGE_PORT, protocol="HTTP", protocol_version="HTTP1", target_type="ip", vpc_id=vpc_id,
            deregistration_delay=a["deregistration_delay_s"],
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
                ssl_policy=TLS_POLICY, certificate_arn=a["certificate_arn"],
                default_actions=forward, tags=self.tags()))
            http_actions = [aws.lb.ListenerDefaultActionArgs(
                type="redirect", redirect=aws.lb.ListenerDefaultActionRedirectArgs(
                    protocol="HTTPS", port="443", status_code="HTTP_301"))]
        else:
            http_actions = forward  # development only (checked above)
        self.listeners.append(self.child(
            aws.lb.Listener, "listener-http", load_balancer_arn=self.alb.arn, port=80, protocol="HTTP",
            default_actions=http_actions, tags=self.tags()))

        # --- Task definition.
        environment.update({
            "MQTT_BROKER_URL": self.broker_url,
            "PORT": str(BRIDGE_PORT),
            "BRIDGE_SERVICE_NAME": self.service_name,
            "BRIDGE_METRIC_NAMESPACE": METRIC_NAMESPACE,
            "BRIDGE_PING_INTERVAL_S": str(a["ping_interval_s"]),
        })
        log_options = {"awslogs-group": self.log_group.name, "awslogs-region": region,
                       # Non-blocking: a slow Logs API must never stall the bridge's event loop
                       # on a full stdout pipe; the buffer absorbs bursts.
                       "mode": "non-blocking", "max-buffer-size": "4m"}
        bridge: dict[str, Any] = {
            "name": BRIDGE_CONTAINER,
            "image": self.image_uri,
            "essential": True,
            "portMappings": [{"containerPort": BRIDGE_PORT, "protocol": "tcp", "name": "http"}],
            "environment": [{"name": k, "value": v} for k, v in sorted(environment.items())],
            "secrets": secrets,
            "healthCheck": {"command": HEALTH_COMMAND, "interval": 15, "timeout": 5, "retries": 3,
                            "startPeriod": 15},
            "logConfiguration": {"logDriver": "awslogs",
                                 "options": {**log_options, "awslogs-stream-prefix": BRIDGE_CONTAINER}},
            "stopTimeout": a["stop_timeout_s"],
            "readonlyRootFilesystem": True,
            "user": BRIDGE_USER,
            "mountPoints": [{"sourceVolume": "tmp", "containerPath": "/tmp", "readOnly": False}],
            # Each dashboard is a socket: lift the open-files limit well above the target per task.
            "ulimits": [{"name": "nofile", "softLimit": 65535, "hardLimit": 65535}],
        }
        if entry_point:
            bridge["entryPoint"] = entry_point
        containers = [bridge]
        if a["broker"] == "sidecar":
            containers.append({
                "name": SIDECAR_CONTAINER,
                "image": a["sidecar_image"],
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
        profile_tags = workload_tags(profile, expect=Service.FARGATE)
        self.task_definition = self.child(
            aws.ecs.TaskDefinition, "task-definition",
            family=self.service_name,
            cpu=str(a["cpu"]),
            memory=str(a["memory_mb"]),
            network_mode="awsvpc",
            requires_compatibilities=["FARGATE"],
            runtime_platform=aws.ecs.TaskDefinitionRuntimePlatformArgs(
                cpu_architecture="ARM64", operating_system_family="LINUX"),
            execution_role_arn=self.execution_role.arn,
            task_role_arn=self.task_role.arn,
            container_definitions=pulumi.Output.json_dumps(containers),
            volumes=[aws.ecs.TaskDefinitionVolumeArgs(name="tmp")],
            tags=self.tags({**profile_tags, CONTAINERS_TAG: _declared_containers(containers)}),
            opts=pulumi.ResourceOptions(depends_on=[self.execution_role_policy]),
        )

        # --- Service.
        self.service = self.child(
            aws.ecs.Service, "service",
            name=self.service_name,
            cluster=self.cluster.arn,
            task_definition=self.task_definition.arn,
            desired_count=a["desired_count"],
            launch_type="FARGATE",
            platform_version="LATEST",
            network_configuration=aws.ecs.ServiceNetworkConfigurationArgs(
                subnets=private_subnets, security_groups=[self.tasks_sg.id], assign_public_ip=False),
            load_balancers=[aws.ecs.ServiceLoadBalancerArgs(
                target_group_arn=self.target_group.arn, container_name=BRIDGE_CONTAINER,
                container_port=BRIDGE_PORT)],
            health_check_grace_period_seconds=30,
            deployment_circuit_breaker=aws.ecs.ServiceDeploymentCircuitBreakerArgs(enable=True, rollback=True),
            deployment_minimum_healthy_percent=a["min_healthy_percent"],
            deployment_maximum_percent=a["max_percent"],
            propagate_tags="SERVICE",
            enable_ecs_managed_tags=True,
            tags=self.tags(profile_tags),
            # Autoscaling owns the running count once the service exists. The name is fixed (the
            # metric dimension), so a replacement must delete the old service before creating the new.
            opts=pulumi.ResourceOptions(depends_on=self.listeners, ignore_changes=["desired_count"],
                                        delete_before_replace=True),
        )

        # --- Autoscaling: connections per task, with CPU as a safety net.
        self.scaling_target = self.child(
            aws.appautoscaling.Target, "scaling-target",
            service_namespace="ecs", scalable_dimension="ecs:service:DesiredCount",
            resource_id=pulumi.Output.concat("service/", self.cluster.name, "/", self.service.name),
            min_capacity=a["min_count"], max_capacity=a["max_count"],
            tags=self.tags(),
        )
        scaling = aws.appautoscaling
        custom = scaling.PolicyTargetTrackingScalingPolicyConfigurationCustomizedMetricSpecificationArgs
        dimension = scaling.PolicyTargetTrackingScalingPolicyConfigurationCustomizedMetricSpecificationDimensionArgs
        predefined = scaling.PolicyTargetTrackingScalingPolicyConfigurationPredefinedMetricSpecificationArgs
        self.scaling_connections = self._tracking_policy(
            "scaling-connections", "connections", a, a["connections_per_task"],
            customized_metric_specification=custom(
                namespace=METRIC_NAMESPACE, metric_name=METRIC_NAME, statistic="Average",
                dimensions=[dimension(name=METRIC_DIMENSION, value=self.service.name)]))
        self.scaling_cpu = self._tracking_policy(
            "scaling-cpu", "cpu", a, a["cpu_target_percent"],
            predefined_metric_specification=predefined(predefined_metric_type="ECSServiceAverageCPUUtilization"))

        scheme = "https" if self.https else "http"
        self.dns_name = self.alb.dns_name
        self.url = self.alb.dns_name.apply(lambda dns: f"{scheme}://{dns}")
        outputs = {
            "url": self.url,
            "dns_name": self.alb.dns_name,
            "cluster_name": self.cluster.name,
            "service_name": self.service.name,
            "log_group_name": self.log_group.name,
            "image_uri": self.image_uri,
            "broker_url": self.broker_url,
            "jwt_secret_arn": self.jwt_secret_arn,
            "task_role_arn": self.task_role.arn,
            "execution_role_arn": self.execution_role.arn,
            "load_balancer_arn": self.alb.arn,
            "target_group_arn": self.target_group.arn,
            "alb_security_group_id": self.alb_sg.id,
            "tasks_security_group_id": self.tasks_sg.id,
        }
        if self.iot_policy is not None:
            outputs["iot_policy_name"] = self.iot_policy.name
        self.register_outputs(outputs)

    # ------------------------------------------------------------ pieces
    def _tracking_policy(self, short: str, suffix: str, a: Mapping[str, Any], target: float,
                         **metric: Any) -> aws.appautoscaling.Policy:
        """A target-tracking policy on the service's scalable target, holding ``metric`` at ``target``.

        Both policies share the cooldowns: scale-in is the slower one, since every task
        removed drops its dashboards.
        """
        return self.child(
            aws.appautoscaling.Policy, short,
            name=f"{self.service_name}-{suffix}",
            policy_type="TargetTrackingScaling",
            service_namespace=self.scaling_target.service_namespace,
            scalable_dimension=self.scaling_target.scalable_dimension,
            resource_id=self.scaling_target.resource_id,
            target_tracking_scaling_policy_configuration=aws.appautoscaling
            .PolicyTargetTrackingScalingPolicyConfigurationArgs(
                target_value=target,
                scale_out_cooldown=a["scale_out_cooldown_s"],
                scale_in_cooldown=a["scale_in_cooldown_s"],
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
                "dimensions": {METRIC_DIMENSION: self.service_name}}

    def allow_from(self, security_group_id: pulumi.Input[str], name: str) -> aws.vpc.SecurityGroupIngressRule:
        """Let another security group (a VPN endpoint, a bastion) reach the load balancer."""
        port = 443 if self.https else 80
        return aws.vpc.SecurityGroupIngressRule(
            f"{self._name}-alb-sg-in-{name}", security_group_id=self.alb_sg.id, ip_protocol="tcp",
            from_port=port, to_port=port, referenced_security_group_id=security_group_id,
            description=f"dashboards from {name}", opts=pulumi.ResourceOptions(parent=self))


# ---------------------------------------------------------------- helpers (pure)


def _check_wiring(a: Mapping[str, Any], wiring: Mapping[str, Any]) -> None:
    problems = []
    missing = [k for k in ("vpc_id", "private_subnet_ids") if wiring.get(k) is None]
    if not a["internal"] and wiring.get("public_subnet_ids") is None:
        missing.append("public_subnet_ids")
    if missing:
        problems.append(
            f"realtime: {', '.join(missing)} {'is' if len(missing) == 1 else 'are'} required: pass "
            "Network(...).placement() or your own VPC's ids (public_subnet_ids may be left out "
            "with internal=True)")
    env = wiring.get("environment", "production")
    if env not in ("development", "production"):
        problems.append(f"realtime: environment={env!r} is not allowed: one of development, production")
    elif env != "development" and not a["certificate_arn"]:
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
