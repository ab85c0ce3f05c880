"""Security baseline for ECS: task definitions, services and clusters.

Drawn from checkov's ECS checks, cdk-nag's AwsSolutions ECS rules and awsguard.
Container definitions are a JSON string input; when it depends on outputs not
known at preview (an image digest), these hardening checks report the standard
"can't run during preview" advisory and run for real at ``pulumi up``.
"""

from __future__ import annotations

import re
from typing import Any, Iterator

from pulumi_policy import Severity

from ._secrets import credential_kind
from ._util import as_bool, dig, each, is_unknown, json_value, require_known, resource_policy

TASKDEF = "aws:ecs/taskDefinition:TaskDefinition"
SERVICE = "aws:ecs/service:Service"
CLUSTER = "aws:ecs/cluster:Cluster"

#: Environment variable names that say their value is a secret (a hint only: values decide, see _secrets).
SECRET_NAME_PATTERN = r"(?i)(passw(or)?d|passwd|secret|token|api[_-]?key|private[_-]?key|credential)"
SECRET_CONFIG = {"secretNamePattern": {
    "type": "string", "default": SECRET_NAME_PATTERN,
    "description": "Regular expression for environment variable names that say they hold a secret; such a "
                   "variable is flagged when its value looks like a typed password. Any variable is flagged when "
                   "its value is a known credential format or a high-entropy token.",
}}


def containers(props: dict[str, Any]) -> list[dict[str, Any]]:
    value = json_value(props.get("containerDefinitions"))
    require_known(value, "containerDefinitions")
    return [c for c in value or [] if isinstance(c, dict)]


def _privileged(_t, props, _c, _a) -> Iterator[str]:
    for c in containers(props):
        if as_bool(c.get("privileged")):
            yield f"container '{c.get('name')}' is privileged (root on the host)."


def _readonly_root(_t, props, _c, _a) -> Iterator[str]:
    for c in containers(props):
        if as_bool(c.get("readonlyRootFilesystem")) is not True:
            yield f"container '{c.get('name')}' can write to its root filesystem (readonlyRootFilesystem is not true)."


def _env_secrets(_t, props, config, _a) -> Iterator[str]:
    names = re.compile(config["secretNamePattern"])
    for c in containers(props):
        for env in each(c.get("environment")):
            name, value = str(dig(env, "name", default="")), dig(env, "value")
            if value in (None, "") or is_unknown(value):
                continue
            kind = credential_kind(str(value), name_says_secret=bool(names.search(name)))
            if kind:
                yield (f"container '{c.get('name')}' has {kind} in plain environment variable {name}; pass it "
                       f"through 'secrets' (Secrets Manager or SSM) instead.")


def _logging(_t, props, _c, _a) -> Iterator[str]:
    for c in containers(props):
        if not dig(c, "logConfiguration", "logDriver"):
            yield f"container '{c.get('name')}' has no logConfiguration: its output is lost."


def _host_namespaces(_t, props, _c, _a) -> Iterator[str]:
    for key in ("networkMode", "pidMode", "ipcMode"):
        value = props.get(key)
        if isinstance(value, str) and value == "host":
            yield f"{key} is 'host': the tasks share the host's {key[:-4]} namespace."


def _root_user(_t, props, _c, _a) -> Iterator[str]:
    for c in containers(props):
        user = str(c.get("user") or "")
        if user.split(":")[0] in ("root", "0"):
            yield f"container '{c.get('name')}' runs as user '{user}' (root)."


def _public_ip(_t, props, _c, _a) -> Iterator[str]:
    value = dig(props, "networkConfiguration", "assignPublicIp")
    require_known(value, "networkConfiguration.assignPublicIp")
    if as_bool(value):
        yield "the service gives its tasks public IP addresses (assignPublicIp is true); use private subnets."


def _container_insights(_t, props, _c, _a) -> Iterator[str]:
    settings = props.get("settings")
    require_known(settings, "settings")
    for s in each(settings):
        if dig(s, "name") == "containerInsights" and dig(s, "value") in ("enabled", "enhanced"):
            return
    yield "Container Insights is not enabled on the cluster (settings containerInsights=enabled)."


def _platform_version(_t, props, _c, _a) -> Iterator[str]:
    if str(props.get("launchType") or "").upper() != "FARGATE":
        return
    version = props.get("platformVersion")
    if version not in (None, "LATEST") and not is_unknown(version):
        yield f"the service pins Fargate platform version {version}; use LATEST to get security fixes."


def _efs_transit(_t, props, _c, _a) -> Iterator[str]:
    for v in each(props.get("volumes")):
        efs = dig(v, "efsVolumeConfiguration")
        if efs is not None and str(dig(efs, "transitEncryption", default="DISABLED")).upper() != "ENABLED":
            yield f"EFS volume '{dig(v, 'name')}' is mounted without encryption in transit (transitEncryption)."


def _exec_logging(_t, props, _c, _a) -> Iterator[str]:
    config = dig(props, "configuration", "executeCommandConfiguration")
    require_known(config, "configuration.executeCommandConfiguration")
    if config is None:
        return  # ECS Exec sessions then log where the task's containers log (logging DEFAULT)
    if str(dig(config, "logging", default="DEFAULT")).upper() == "NONE":
        yield "ECS Exec sessions on the cluster are not logged (executeCommandConfiguration.logging is NONE)."
        return
    if not dig(config, "kmsKeyId"):
        yield "ECS Exec sessions are not encrypted with a KMS key (executeCommandConfiguration.kmsKeyId)."
    log = dig(config, "logConfiguration") or {}
    if str(dig(config, "logging")).upper() == "OVERRIDE" and not (
            as_bool(dig(log, "cloudWatchEncryptionEnabled")) or as_bool(dig(log, "s3BucketEncryptionEnabled"))):
        yield "the ECS Exec session log is not encrypted (logConfiguration.cloudWatchEncryptionEnabled)."


def _separate_roles(_t, props, _c, args) -> Iterator[str]:
    execution, task = props.get("executionRoleArn"), props.get("taskRoleArn")
    if execution is None or task is None:
        return
    if not is_unknown(execution) and execution == task:
        yield ("the task role is the execution role: the application gets the agent's permissions (pull images, "
               "read every secret of the task) and the agent the application's.")


POLICIES = [
    resource_policy(
        name="security-ecs-no-privileged-containers", types=[TASKDEF], check=_privileged,
        description="ECS containers are not privileged.", severity=Severity.CRITICAL,
        remediation="Remove 'privileged: true' from the container definition; grant specific Linux capabilities "
                    "(linuxParameters.capabilities) if one is really needed."),
    resource_policy(
        name="security-ecs-readonly-root-filesystem", types=[TASKDEF], check=_readonly_root,
        description="ECS containers mount their root filesystem read-only.", severity=Severity.MEDIUM,
        remediation="Set readonlyRootFilesystem: true and give the container a volume or tmpfs for the paths "
                    "it writes to."),
    resource_policy(
        name="security-ecs-no-secrets-in-environment", types=[TASKDEF], check=_env_secrets, config=SECRET_CONFIG,
        description="ECS containers take secrets from Secrets Manager or SSM ('secrets'), not plain environment "
                    "values: a value that is a credential (known formats, high-entropy tokens, a typed password in "
                    "a variable named as a secret) is flagged, references (names, ARNs, URLs without credentials) "
                    "are not.", severity=Severity.HIGH,
        remediation="Store the value in Secrets Manager or SSM Parameter Store and reference it from the "
                    "container's 'secrets' list (valueFrom), granting the execution role read access."),
    resource_policy(
        name="security-ecs-container-logging", types=[TASKDEF], check=_logging,
        description="Every ECS container sends its logs somewhere (logConfiguration).", severity=Severity.MEDIUM,
        remediation="Add logConfiguration with the awslogs driver and a log group the stack creates "
                    "(with a retention)."),
    resource_policy(
        name="security-ecs-no-host-namespaces", types=[TASKDEF], check=_host_namespaces,
        description="ECS tasks do not share the host's network, PID or IPC namespace.", severity=Severity.HIGH,
        remediation="Use networkMode 'awsvpc' (required on Fargate) and leave pidMode/ipcMode unset or 'task'."),
    resource_policy(
        name="security-ecs-non-root-user", types=[TASKDEF], check=_root_user,
        description="ECS containers do not explicitly run as root.", severity=Severity.MEDIUM,
        remediation="Set 'user' to an unprivileged uid (e.g. '1000') and build the image to run as it."),
    resource_policy(
        name="security-ecs-service-no-public-ip", types=[SERVICE], check=_public_ip,
        description="ECS services do not give their tasks public IP addresses.", severity=Severity.HIGH,
        remediation="Set networkConfiguration.assignPublicIp to false, run tasks in private subnets and expose "
                    "them through a load balancer."),
    resource_policy(
        name="security-ecs-efs-transit-encryption", types=[TASKDEF], check=_efs_transit,
        description="EFS volumes of ECS tasks are mounted with encryption in transit.", severity=Severity.MEDIUM,
        remediation="Set efsVolumeConfiguration.transitEncryption: 'ENABLED'."),
    resource_policy(
        name="security-ecs-exec-logging", types=[CLUSTER], check=_exec_logging,
        description="A cluster's ECS Exec configuration logs sessions (logging is not NONE) and encrypts them "
                    "with a KMS key.", severity=Severity.MEDIUM,
        remediation="Set configuration.executeCommandConfiguration = {logging: 'OVERRIDE' (or 'DEFAULT'), "
                    "kmsKeyId, logConfiguration: {cloudWatchLogGroupName, cloudWatchEncryptionEnabled: true}}, or "
                    "leave it unset."),
    resource_policy(
        name="security-ecs-separate-task-role", types=[TASKDEF], check=_separate_roles,
        description="ECS task definitions run the application under a task role other than the execution role.",
        severity=Severity.MEDIUM,
        remediation="Give the task its own role (taskRoleArn) with only what the application calls."),
    resource_policy(
        name="security-ecs-cluster-container-insights", types=[CLUSTER], check=_container_insights,
        description="ECS clusters have Container Insights enabled.", severity=Severity.LOW,
        remediation="Add settings=[{name: 'containerInsights', value: 'enabled'}] to the cluster."),
    resource_policy(
        name="security-ecs-fargate-latest-platform", types=[SERVICE], check=_platform_version,
        description="Fargate services run on the LATEST platform version.", severity=Severity.LOW,
        remediation="Remove platformVersion or set it to 'LATEST'."),
]
