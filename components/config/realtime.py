"""Settings of the RealtimeTier (the MQTT -> WebSocket bridge on ECS Fargate): its rows of the table."""

from __future__ import annotations

import math
from typing import Any, Mapping

from .arns import certificate_arn_check
from .schema import IPV4_CIDR, PROJECT, Setting, config_set_command, int_range, list_of, log_retention, matches, one_of

T = "realtime"


def _steps(lo: int, hi: int, step: int) -> tuple[int, ...]:
    return tuple(range(lo, hi + 1, step))


#: The task sizes Fargate offers: CPU units -> the memory sizes (MiB) allowed with it.
FARGATE_SIZES: dict[int, tuple[int, ...]] = {
    256: (512, 1024, 2048),
    512: _steps(1024, 4096, 1024),
    1024: _steps(2048, 8192, 1024),
    2048: _steps(4096, 16384, 1024),
    4096: _steps(8192, 30720, 1024),
    8192: _steps(16384, 61440, 4096),
    16384: _steps(32768, 122880, 8192),
}

BROKERS = ("iot-core", "external", "sidecar")

#: Fargate's ceiling for a container's stop timeout (SIGTERM -> SIGKILL), in seconds.
FARGATE_MAX_STOP_TIMEOUT_S = 120

#: Private address space: reachable over a VPN, Direct Connect or peering, not from the internet.
PRIVATE_RANGES = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]

#: The dashboard's certificate key (the ``certificate_arn`` row below), named in its messages.
CERTIFICATE_KEY = f"{PROJECT}:{T}CertificateArn"
_SECRET_ARN = r"arn:aws[\w-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[\w/+=.@-]+-[A-Za-z0-9]{6}"
_BROKER_URL = r"mqtts?://[A-Za-z0-9.-]+(:\d{1,5})?/?"
_IMAGE = r"[a-z0-9.-]+(:\d+)?/[a-z0-9._/-]+(:[\w.-]{1,128}|@sha256:[0-9a-f]{64})"


def is_mqtt_filter(value: Any) -> bool:
    """An MQTT topic filter: '+' only as a whole level, '#' only as the whole last level."""
    if not isinstance(value, str) or not value or len(value) > 256:
        return False
    levels = value.split("/")
    for i, level in enumerate(levels):
        if "#" in level and (level != "#" or i != len(levels) - 1):
            return False
        if "+" in level and level != "+":
            return False
    return True


def _valid_cidr(v: Any) -> bool:
    if not matches(IPV4_CIDR)(v):
        return False
    addr, bits = v.split("/")
    return all(0 <= int(o) <= 255 for o in addr.split(".")) and 0 <= int(bits) <= 32


def _bool(v: Any) -> bool:
    return isinstance(v, bool)


SETTINGS: list[Setting] = [
    Setting(T, "image_uri", "string", "",
            "A prebuilt bridge image to run (then nothing is built). '' builds runtime/bridge/Dockerfile "
            "for linux/arm64 on `pulumi up` (not on preview) with docker-build, tagged with a digest of "
            "its build context, into an ECR repository the tier creates (scan on push, immutable tags).",
            "'' or an image reference with a tag or digest, e.g. "
            "123456789012.dkr.ecr.us-east-1.amazonaws.com/bridge:1.4.2",
            lambda v: v == "" or matches(_IMAGE)(v)),
    Setting(T, "cpu", "integer", 512,
            "CPU units of one bridge task (1024 = 1 vCPU). The bridge is async: connections cost memory "
            "far more than CPU.",
            "one of the Fargate CPU sizes: " + ", ".join(map(str, FARGATE_SIZES)), one_of(FARGATE_SIZES)),
    Setting(T, "memory_mb", "integer", 1024,
            "Memory of one bridge task, in MiB; must be a size Fargate offers with realtimeCpu.",
            "a whole number of MiB from 512 to 122880 that Fargate pairs with the CPU size",
            int_range(512, 122880)),
    Setting(T, "desired_count", "integer", 1,
            "Tasks the service starts with (autoscaling moves it between realtimeMinCount and realtimeMaxCount).",
            "a whole number from 1 to 1000", int_range(1, 1000)),
    Setting(T, "min_count", "integer", 1,
            "Fewest tasks autoscaling may leave running.", "a whole number from 1 to 1000", int_range(1, 1000)),
    Setting(T, "max_count", "integer", 4,
            "Most tasks autoscaling may start.", "a whole number from 1 to 1000", int_range(1, 1000)),
    Setting(T, "min_healthy_percent", "integer", 100,
            "Deployment floor, in percent of the desired count: 100 keeps every connection slot up while "
            "a new version rolls out (zero-downtime).",
            "a whole number from 0 to 100", int_range(0, 100)),
    Setting(T, "max_percent", "integer", 200,
            "Deployment ceiling, in percent of the desired count: 200 starts the new tasks beside the old.",
            "a whole number from 100 to 200", int_range(100, 200)),
    Setting(T, "wait_for_steady_state", "boolean", True,
            "pulumi up waits until the service is stable (its tasks running, as `aws ecs wait "
            "services-stable`), so a bridge that cannot start fails the update instead of being reported "
            "as deployed; a first deploy that never gets a task running fails when the provider's wait "
            "times out. An update the circuit breaker rolls back still ends as a success (the old version "
            "is stable again): check the service's events. false returns as soon as ECS accepted the change.",
            "true or false", _bool),
    Setting(T, "container_insights", "boolean", False,
            "CloudWatch Container Insights on the ECS cluster (per-task metrics, billed as custom metrics).",
            "true or false", _bool),
    Setting(T, "connections_per_task", "integer", 1000,
            "Target of the scaling policy: average open WebSocket connections per task "
            "(the bridge's ActiveConnections metric).",
            "a whole number from 1 to 100000", int_range(1, 100000)),
    Setting(T, "cpu_target_percent", "integer", 70,
            "Target of the safety scaling policy on average CPU, in case connections get busy.",
            "a whole number from 10 to 95", int_range(10, 95)),
    Setting(T, "scale_out_cooldown_s", "integer", 60,
            "Seconds after a scale-out before another scaling activity.",
            "a whole number of seconds from 0 to 3600", int_range(0, 3600)),
    Setting(T, "scale_in_cooldown_s", "integer", 600,
            "Seconds after a scale-in before another; longer than scale-out because connections are "
            "sticky: a task removed drops its clients, who reconnect elsewhere.",
            "a whole number of seconds from 0 to 3600", int_range(0, 3600)),
    Setting(T, "stop_timeout_s", "integer", FARGATE_MAX_STOP_TIMEOUT_S,
            "Seconds the bridge gets between SIGTERM and SIGKILL to close its WebSockets cleanly.",
            f"a whole number of seconds from 2 to {FARGATE_MAX_STOP_TIMEOUT_S} (Fargate's limit)",
            int_range(2, FARGATE_MAX_STOP_TIMEOUT_S)),
    Setting(T, "ping_interval_s", "integer", 20,
            "Seconds between the bridge's WebSocket pings; the ALB idle timeout must be longer so idle "
            "dashboards stay connected.",
            "a whole number of seconds from 5 to 600", int_range(5, 600)),
    Setting(T, "idle_timeout_s", "integer", 120,
            "ALB idle timeout, in seconds: a connection with no traffic for this long is closed.",
            "a whole number of seconds from 1 to 4000", int_range(1, 4000)),
    Setting(T, "deregistration_delay_s", "integer", 60,
            "Seconds the ALB keeps a leaving task's open connections before closing them (ECS sends SIGTERM "
            "after it). Dashboards stay connected for hours, so no drain waits them out; kept shorter than "
            "realtimeStopTimeoutS so a deploy or scale-in is not held up by it.",
            "a whole number of seconds from 0 to 3600", int_range(0, 3600)),
    Setting(T, "broker", "string", "iot-core",
            "The MQTT broker the bridge reads: 'iot-core' (AWS IoT Core over mutual TLS), 'external' "
            "(realtimeBrokerUrl, e.g. the heavy tier's broker) or 'sidecar' (a Mosquitto container in the "
            "task: a dev convenience, one task only).",
            "one of: " + ", ".join(BROKERS), one_of(BROKERS)),
    Setting(T, "broker_url", "string", "",
            "URL of the external broker (realtimeBroker 'external' only).",
            "'' or mqtt://host[:port] / mqtts://host[:port]", lambda v: v == "" or matches(_BROKER_URL)(v)),
    Setting(T, "sidecar_image", "string", "public.ecr.aws/docker/library/eclipse-mosquitto:2.0.20",
            "Image of the sidecar broker (realtimeBroker 'sidecar' only). From ECR Public, which has no "
            "anonymous pull rate limit for AWS traffic.",
            "an image reference with a tag or digest", matches(_IMAGE)),
    Setting(T, "topic_filters", "array", ["devices/+/telemetry"],
            "MQTT topic filters of the telemetry dashboards may subscribe to through the bridge. With "
            "realtimeAlertFilters they scope the IoT policy (iot:Subscribe/iot:Receive) and so bound what "
            "any token can reach; changing them leaves the alert filters in place.",
            "a non-empty list of MQTT filters ('+' and '#' only as whole levels, '#' last)",
            lambda v: isinstance(v, list) and len(v) > 0 and list_of(is_mqtt_filter)(v)),
    Setting(T, "alert_filters", "array", ["alerts/#"],
            "MQTT topic filters of the alerts dashboards may subscribe to: the ProcessingTier relays each "
            "alert to <processingAlertTopicPrefix><deviceId>, so this must cover that prefix. [] turns "
            "alerts off at the bridge.",
            "a list of MQTT filters ('+' and '#' only as whole levels, '#' last), or []",
            lambda v: isinstance(v, list) and list_of(is_mqtt_filter)(v)),
    Setting(T, "iot_certificate_secret_arn", "string", "",
            "An existing Secrets Manager secret holding the bridge's IoT client certificate as JSON "
            "{\"certificate_pem\": ..., \"private_key\": ...}. '' makes the tier create an IoT certificate "
            "and keep it in a new secret (the private key then also sits, encrypted, in the Pulumi state).",
            "'' or a full secret ARN (ending in the 6-character suffix)",
            lambda v: v == "" or matches(_SECRET_ARN)(v)),
    Setting(T, "jwt_secret_arn", "string", "",
            "An existing Secrets Manager secret holding the HS256 key dashboards' tokens are signed with. "
            "'' makes the tier create one with a random 64-character value.",
            "'' or a full secret ARN (ending in the 6-character suffix)",
            lambda v: v == "" or matches(_SECRET_ARN)(v)),
    Setting(T, "certificate_arn", "string", "",
            "ACM certificate for the dashboard ALB's HTTPS listener. '' serves plain HTTP, which only a "
            "development environment may do.",
            "'' or an ACM certificate ARN", certificate_arn_check(CERTIFICATE_KEY)),
    Setting(T, "allowed_cidrs", "array", PRIVATE_RANGES,
            "Client ranges the dashboard ALB accepts. The default is private address space only (VPN, "
            "Direct Connect, peering): opening the dashboards to the internet is a deliberate "
            "[\"0.0.0.0/0\"] in the stack file (every connection still needs a signed token).",
            "a non-empty list of IPv4 CIDR blocks", lambda v: isinstance(v, list) and len(v) > 0
            and list_of(_valid_cidr)(v)),
    Setting(T, "internal", "boolean", False,
            "An internal ALB (private subnets, no public DNS resolution to it) instead of an internet-facing one.",
            "true or false", _bool),
    Setting(T, "deletion_protection", "boolean", False,
            "Deletion protection on the dashboard ALB (on in prod: deleting it changes the dashboards' DNS name).",
            "true or false", _bool),
    Setting(T, "access_logs", "boolean", False,
            "ALB access logs to S3 (on in prod, so a connection can be traced after an incident). Kept as "
            "long as realtimeLogRetentionDays.",
            "true or false", _bool),
    Setting(T, "access_logs_bucket", "string", "",
            "An existing S3 bucket for the access logs (SSE-S3, with a policy letting ELB write); '' makes "
            "the tier create one when realtimeAccessLogs is true.",
            "'' or an S3 bucket name", lambda v: v == "" or matches(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")(v)),
    log_retention(T),
]


def _deploy_can_progress(n: int, min_pct: int, max_pct: int) -> bool:
    """Whether ECS can replace a task of ``n``: start one more (ceiling) or stop one (floor)."""
    return math.floor(n * max_pct / 100) > n or math.ceil(n * min_pct / 100) < n


def cross_checks(args: Mapping[str, Any]) -> list[str]:
    """Rules that span several realtime arguments.

    Messages name arguments as ``arg=value`` so that, for a stack file, the loader
    rewrites them into config keys.
    """
    problems = []
    cpu, memory = args["cpu"], args["memory_mb"]
    valid = FARGATE_SIZES.get(cpu)
    if valid is not None and memory not in valid:
        problems.append(
            f"memory_mb={memory} is not a size Fargate offers with cpu={cpu}; allowed with "
            f"cpu={cpu}: memory_mb={', '.join(map(str, valid))}")

    lo, n, hi = args["min_count"], args["desired_count"], args["max_count"]
    if not lo <= n <= hi:
        problems.append(f"min_count={lo}, desired_count={n} and max_count={hi} must satisfy "
                        "min_count <= desired_count <= max_count")

    if args["broker"] == "sidecar" and (lo, n, hi) != (1, 1, 1):
        problems.append(
            f"broker='sidecar' runs a Mosquitto broker inside each task, so with more than one task devices "
            f"and dashboards would land on different brokers; it needs exactly one task: set "
            f"desired_count=1, min_count=1 and max_count=1 (now desired_count={n}, min_count={lo}, "
            f"max_count={hi}), or broker='iot-core' or 'external'")
    if args["broker"] == "external" and not args["broker_url"]:
        problems.append("broker='external' needs broker_url=mqtt(s)://host:port (it is empty)")
    if args["broker"] != "external" and args["broker_url"]:
        problems.append(f"broker_url={args['broker_url']!r} is only read with broker 'external' "
                        f"(broker={args['broker']!r}); remove it or set broker 'external'")

    if args["access_logs_bucket"] and not args["access_logs"]:
        problems.append(f"access_logs_bucket={args['access_logs_bucket']!r} is only read with access_logs=true "
                        "(it is false); remove it or turn access logs on")
    if args["idle_timeout_s"] <= args["ping_interval_s"]:
        problems.append(
            f"idle_timeout_s={args['idle_timeout_s']} must be longer than ping_interval_s="
            f"{args['ping_interval_s']}, or the ALB closes idle dashboards between two pings")
    if args["deregistration_delay_s"] >= args["stop_timeout_s"]:
        problems.append(
            f"deregistration_delay_s={args['deregistration_delay_s']} must be shorter than stop_timeout_s="
            f"{args['stop_timeout_s']}: WebSocket connections outlive any drain (the ALB closes them when it "
            "ends, and dashboards reconnect to another task), so a longer drain only slows deploys and scale-in")
    if args["scale_in_cooldown_s"] <= args["scale_out_cooldown_s"]:
        problems.append(
            f"scale_in_cooldown_s={args['scale_in_cooldown_s']} must be longer than scale_out_cooldown_s="
            f"{args['scale_out_cooldown_s']}: connections are sticky, so scaling in is the costly direction")

    if lo <= n <= hi:
        stuck = [c for c in range(lo, min(hi, 1000) + 1)
                 if not _deploy_can_progress(c, args["min_healthy_percent"], args["max_percent"])]
        if stuck:
            problems.append(
                f"min_healthy_percent={args['min_healthy_percent']} and max_percent={args['max_percent']} "
                f"leave no room to replace a task at {stuck[0]} task(s): a deployment would never progress; "
                "e.g. max_percent=200 (start the new task first) or min_healthy_percent=0 (stop the old first)")
    return problems


def stack_checks(settings: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """Rules that need the stack's environment (registered in ``STACK_CHECKS``)."""
    problems = []
    env = settings["stack"]["environment"]
    rt = settings["realtime"]
    if env != "development" and not rt["certificate_arn"]:
        problems.append(
            f"{CERTIFICATE_KEY} is empty, so the dashboard load balancer would serve plain "
            f"HTTP, which only iot-tiers:environment=development allows (this stack: {env}); set "
            f"the ARN of your dashboard domain's ACM certificate: `{config_set_command(CERTIFICATE_KEY, '<arn>')}`")
    return problems
