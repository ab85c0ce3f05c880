"""Which API calls the Terraform AWS provider makes to create each resource, and with what.

One :class:`Call` per API request the provider sends when it creates a resource of a
type (``aws_lambda_function``: ``CreateFunction``, then ``PutFunctionConcurrency``
when reserved concurrency is set). ``fields`` maps an input (a pulumi-aws input path)
to the API member it fills; ``same`` lists inputs whose member has the same name (in
the API's case); nested blocks are copied member by member by :class:`~.convert.Converter`.
``build`` handles the shapes Terraform flattens or splits (a target group's health
check, a DynamoDB key schema). ``exempt`` names required members the provider fills
itself (a function's ``Code`` comes from the archive).

The mappings follow hashicorp/terraform-provider-aws's resource code (``expand*``
functions) and its docs; anything not listed here is not checked.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Optional

from .convert import Converter, Origins, get_path, join, norm, parse_json, scalar
from .shapes import input_shape


class Request:
    """One API request being assembled from a resource's inputs."""

    def __init__(self, call: "Call", inputs: Mapping[str, Any], converter: Converter) -> None:
        self.call = call
        self.inputs = inputs
        self.shape = input_shape(call.service, call.operation)
        self.conv = converter
        self.params: dict[str, Any] = {}
        self.origins: Origins = {}

    def put(self, api_path: str, value: Any, src: str) -> None:
        """Place ``value`` (from input ``src``) at ``api_path`` (``"A.B"``), converted to its shape."""
        if value is None:
            return
        shape, target, api = self.shape, self.params, ""
        parts = api_path.split(".")
        for part in parts[:-1]:
            shape = shape.members[part]
            api = join(api, part)
            target = target.setdefault(part, {})
        last = parts[-1]
        target[last] = self.conv.like(value, shape.members[last], join(api, last), src, self.origins)

    def trace(self, origins: Mapping[str, str]) -> None:
        """Record, after a ``put`` of a structure assembled by hand, which input each API member came from."""
        self.origins.update(origins)

    def put_from(self, api_path: str, input_path: str) -> None:
        self.put(api_path, get_path(self.inputs, input_path), input_path)

    def source(self, api_path: str) -> str:
        """The input an API member came from (its nearest recorded ancestor)."""
        if " key " in api_path:  # a map's key: "Tags key 'x'"
            base, _, key = api_path.partition(" key ")
            return f"{self.source(base)} key {key}"
        path = api_path
        while path:
            if path in self.origins:
                return self.origins[path]
            cut = max(path.rfind("."), path.rfind("["))
            path = path[:cut] if cut > 0 else ""
        return api_path


Builder = Callable[[Request], None]


def fills(*members: str) -> Callable[[Builder], Builder]:
    """Declare the top-level API members a builder fills (the coverage table lists what each call checks)."""
    def mark(build: Builder) -> Builder:
        build.fills = tuple(members)  # type: ignore[attr-defined]
        return build
    return mark


@dataclass(frozen=True)
class Call:
    service: str
    operation: str
    fields: Mapping[str, str] = field(default_factory=dict)
    same: tuple[str, ...] = ()
    build: Optional[Builder] = None
    exempt: tuple[str, ...] = ()
    renames: Mapping[str, str] = field(default_factory=dict)
    #: The provider makes this call only when this holds of the inputs.
    when: Optional[Callable[[Mapping[str, Any]], bool]] = None
    #: Inputs ``build`` reads (for the coverage table and the mapping test; ``build`` itself reads them).
    reads: tuple[str, ...] = ()

    def members(self) -> tuple[str, ...]:
        """The top-level API members this call can fill."""
        names = [api.split(".")[0] for api in self.fields.values()]
        names += [self.member_for(src) for src in self.same]
        names += list(getattr(self.build, "fills", ()))
        return tuple(dict.fromkeys(names))

    def inputs(self) -> tuple[str, ...]:
        """Every input this call reads: ``fields``, ``same`` and what ``build`` reads (top-level names)."""
        names = [src.split(".")[0] for src in (*self.fields, *self.same, *self.reads)]
        return tuple(dict.fromkeys(names))

    def member_for(self, name: str) -> str:
        """The top-level member an input of ``same`` fills (matched as the converter matches)."""
        try:
            return _members_by_norm(self.service, self.operation)[norm(name)]
        except KeyError:
            raise KeyError(f"{self.service} {self.operation} has no member for input {name!r}") from None

    def request(self, inputs: Mapping[str, Any], is_unknown: Callable[[Any], bool]) -> Request:
        req = Request(self, inputs, Converter(is_unknown, self.renames))
        for src, api in self.fields.items():
            req.put_from(api, src)
        for src in self.same:
            req.put_from(self.member_for(src), src)
        if self.build is not None:
            self.build(req)
        return req


@functools.lru_cache(maxsize=None)
def _members_by_norm(service: str, operation: str) -> dict[str, str]:
    return {norm(m): m for m in input_shape(service, operation).members}


def _set(key: str) -> Callable[[Mapping[str, Any]], bool]:
    return lambda inputs: inputs.get(key) is not None


def _tags_spec(resource_type: str) -> Builder:
    """EC2's tags: ``TagSpecifications=[{ResourceType, Tags}]``."""
    @fills("TagSpecifications")
    def build(req: Request) -> None:
        if req.inputs.get("tags") is not None:
            req.put("TagSpecifications", [{"ResourceType": resource_type, "Tags": req.inputs["tags"]}], "tags")
    return build


def _chain(*builders: Builder) -> Builder:
    @fills(*(m for b in builders for m in getattr(b, "fills", ())))
    def build(req: Request) -> None:
        for b in builders:
            b(req)
    return build


# ---------------------------------------------------------------- Lambda

LAMBDA_FUNCTION = [
    Call("lambda", "CreateFunction",
         fields={"name": "FunctionName", "kmsKeyArn": "KMSKeyArn", "fileSystemConfig": "FileSystemConfigs",
                 "imageUri": "Code.ImageUri", "s3Bucket": "Code.S3Bucket", "s3Key": "Code.S3Key",
                 "s3ObjectVersion": "Code.S3ObjectVersion"},
         same=("description", "runtime", "handler", "memorySize", "timeout", "role", "publish", "architectures",
               "layers", "environment", "loggingConfig", "tags", "vpcConfig", "deadLetterConfig", "tracingConfig",
               "ephemeralStorage", "packageType", "imageConfig", "snapStart", "codeSigningConfigArn",
               "capacityProviderConfig", "durableConfig", "tenancyConfig", "publishTo"),
         renames={"entryPoints": "EntryPoint", "commands": "Command"},
         exempt=("Code",)),
    Call("lambda", "PutFunctionConcurrency",
         fields={"name": "FunctionName", "reservedConcurrentExecutions": "ReservedConcurrentExecutions"},
         # Terraform's -1 means "unreserved": no call is made.
         when=lambda i: isinstance(i.get("reservedConcurrentExecutions"), (int, float))
         and i["reservedConcurrentExecutions"] >= 0),
]

LAMBDA_ALIAS = [Call("lambda", "CreateAlias", fields={"name": "Name"},
                     same=("functionName", "functionVersion", "description", "routingConfig"))]

LAMBDA_ESM = [Call(
    "lambda", "CreateEventSourceMapping",
    same=("eventSourceArn", "functionName", "batchSize", "maximumBatchingWindowInSeconds", "functionResponseTypes",
          "scalingConfig", "filterCriteria", "enabled", "startingPosition", "startingPositionTimestamp",
          "destinationConfig", "maximumRecordAgeInSeconds", "bisectBatchOnFunctionError", "maximumRetryAttempts",
          "parallelizationFactor", "tumblingWindowInSeconds", "topics", "queues", "sourceAccessConfigurations",
          "tags", "kmsKeyArn", "metricsConfig", "provisionedPollerConfig"),
    fields={"documentDbEventSourceConfig": "DocumentDBEventSourceConfig"},
    renames={"destinationArn": "Destination"})]

LAMBDA_PERMISSION = [Call(
    "lambda", "AddPermission",
    fields={"function": "FunctionName", "principalOrgId": "PrincipalOrgID"},
    same=("statementId", "action", "principal", "sourceArn", "sourceAccount", "qualifier", "eventSourceToken",
          "functionUrlAuthType"))]

LAMBDA_PROVISIONED = [Call("lambda", "PutProvisionedConcurrencyConfig",
                           same=("functionName", "qualifier", "provisionedConcurrentExecutions"))]

LAMBDA_INVOKE_CONFIG = [Call("lambda", "PutFunctionEventInvokeConfig",
                             same=("functionName", "qualifier", "maximumRetryAttempts", "maximumEventAgeInSeconds",
                                   "destinationConfig"))]

# ---------------------------------------------------------------- SQS, SNS

#: aws_sqs_queue attribute -> CreateQueue attribute (terraform-provider-aws internal/service/sqs/attribute_map).
SQS_ATTRIBUTES = {
    "visibilityTimeoutSeconds": "VisibilityTimeout", "messageRetentionSeconds": "MessageRetentionPeriod",
    "maxMessageSize": "MaximumMessageSize", "delaySeconds": "DelaySeconds",
    "receiveWaitTimeSeconds": "ReceiveMessageWaitTimeSeconds", "policy": "Policy", "redrivePolicy": "RedrivePolicy",
    "redriveAllowPolicy": "RedriveAllowPolicy", "fifoQueue": "FifoQueue",
    "contentBasedDeduplication": "ContentBasedDeduplication", "kmsMasterKeyId": "KmsMasterKeyId",
    "kmsDataKeyReusePeriodSeconds": "KmsDataKeyReusePeriodSeconds", "sqsManagedSseEnabled": "SqsManagedSseEnabled",
    "deduplicationScope": "DeduplicationScope", "fifoThroughputLimit": "FifoThroughputLimit",
}

SNS_ATTRIBUTES = {
    "displayName": "DisplayName", "policy": "Policy", "deliveryPolicy": "DeliveryPolicy",
    "kmsMasterKeyId": "KmsMasterKeyId", "fifoTopic": "FifoTopic", "contentBasedDeduplication":
    "ContentBasedDeduplication", "signatureVersion": "SignatureVersion", "tracingConfig": "TracingConfig",
    "archivePolicy": "ArchivePolicy",
}


def _attributes(table: Mapping[str, str], member: str = "Attributes") -> Builder:
    """Inputs the provider sends as one attributes map, keyed by attribute name.

    The values stay as the program wrote them (the provider stringifies them); the
    documented ranges are checked on the numbers.
    """
    @fills(member)
    def build(req: Request) -> None:
        given = {attribute: req.inputs[src] for src, attribute in table.items() if req.inputs.get(src) is not None}
        if not given:
            return
        req.params[member] = given
        req.origins[member] = "attributes"
        for src, attribute in table.items():
            if attribute in given:
                req.origins[f"{member}[{attribute!r}]"] = src
    return build


SQS_QUEUE = [Call("sqs", "CreateQueue", fields={"name": "QueueName", "tags": "tags"},
                  build=_attributes(SQS_ATTRIBUTES), reads=tuple(SQS_ATTRIBUTES))]
SNS_TOPIC = [Call("sns", "CreateTopic", fields={"name": "Name"}, same=("tags",), build=_attributes(SNS_ATTRIBUTES),
                  reads=tuple(SNS_ATTRIBUTES))]
SNS_SUBSCRIPTION = [Call("sns", "Subscribe", fields={"topic": "TopicArn"}, same=("protocol", "endpoint"))]

# ---------------------------------------------------------------- IAM

IAM_ROLE = [Call("iam", "CreateRole",
                 fields={"name": "RoleName", "assumeRolePolicy": "AssumeRolePolicyDocument"},
                 same=("path", "description", "maxSessionDuration", "permissionsBoundary", "tags"))]
IAM_ROLE_POLICY = [Call("iam", "PutRolePolicy",
                        fields={"role": "RoleName", "name": "PolicyName", "policy": "PolicyDocument"})]
IAM_ROLE_POLICY_ATTACHMENT = [Call("iam", "AttachRolePolicy", fields={"role": "RoleName", "policyArn": "PolicyArn"})]
IAM_INSTANCE_PROFILE = [
    Call("iam", "CreateInstanceProfile", fields={"name": "InstanceProfileName"}, same=("path", "tags")),
    Call("iam", "AddRoleToInstanceProfile", fields={"name": "InstanceProfileName", "role": "RoleName"},
         when=_set("role")),
]
IAM_POLICY = [Call("iam", "CreatePolicy", fields={"name": "PolicyName", "policy": "PolicyDocument"},
                   same=("path", "description", "tags"))]

# ---------------------------------------------------------------- DynamoDB


@fills("KeySchema", "AttributeDefinitions", "ProvisionedThroughput", "StreamSpecification", "SSESpecification", "GlobalSecondaryIndexes", "LocalSecondaryIndexes")
def _dynamodb_table(req: Request) -> None:
    i = req.inputs
    keys = [(k, {"AttributeName": i[k], "KeyType": t}) for k, t in (("hashKey", "HASH"), ("rangeKey", "RANGE"))
            if i.get(k) is not None]
    req.put("KeySchema", [key for _, key in keys] or None, "hashKey")
    req.trace({f"KeySchema[{n}].AttributeName": src for n, (src, _) in enumerate(keys)})
    attrs = i.get("attributes")
    if isinstance(attrs, list):
        req.put("AttributeDefinitions",
                [{"AttributeName": a.get("name"), "AttributeType": a.get("type")} if isinstance(a, dict) else a
                 for a in attrs], "attributes")
        for n in range(len(attrs)):
            req.trace({f"AttributeDefinitions[{n}].AttributeName": f"attributes[{n}].name",
                       f"AttributeDefinitions[{n}].AttributeType": f"attributes[{n}].type"})
    if i.get("readCapacity") is not None or i.get("writeCapacity") is not None:
        req.put("ProvisionedThroughput", {"ReadCapacityUnits": i.get("readCapacity"),
                                          "WriteCapacityUnits": i.get("writeCapacity")}, "readCapacity")
        req.trace({"ProvisionedThroughput.ReadCapacityUnits": "readCapacity",
                   "ProvisionedThroughput.WriteCapacityUnits": "writeCapacity"})
    if i.get("streamEnabled") is not None:
        req.put("StreamSpecification", {"StreamEnabled": i["streamEnabled"],
                                        "StreamViewType": i.get("streamViewType")}, "streamEnabled")
        req.trace({"StreamSpecification.StreamViewType": "streamViewType"})
    sse = i.get("serverSideEncryption")
    if isinstance(sse, dict) and sse.get("enabled"):
        req.put("SSESpecification", {"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": sse.get("kmsKeyArn")},
                "serverSideEncryption")
        req.trace({"SSESpecification.KMSMasterKeyId": "serverSideEncryption.kmsKeyArn"})
    for index in ("globalSecondaryIndexes", "localSecondaryIndexes"):
        items = i.get(index)
        if isinstance(items, list):
            member = index[0].upper() + index[1:]
            req.put(member, [_dynamodb_index(g) if isinstance(g, dict) else g for g in items], index)
            for n in range(len(items)):
                req.trace({f"{member}[{n}].{api}": f"{index}[{n}].{src}" for api, src in DYNAMODB_INDEX_ORIGINS.items()})


#: The members :func:`_dynamodb_index` fills, and the input of an index block each comes from.
DYNAMODB_INDEX_ORIGINS = {"IndexName": "name", "KeySchema[0].AttributeName": "hashKey",
                          "KeySchema[1].AttributeName": "rangeKey", "Projection.ProjectionType": "projectionType",
                          "Projection.NonKeyAttributes": "nonKeyAttributes",
                          "ProvisionedThroughput.ReadCapacityUnits": "readCapacity",
                          "ProvisionedThroughput.WriteCapacityUnits": "writeCapacity"}


def _dynamodb_index(g: Mapping[str, Any]) -> dict[str, Any]:
    keys = [{"AttributeName": g[k], "KeyType": t} for k, t in (("hashKey", "HASH"), ("rangeKey", "RANGE"))
            if g.get(k) is not None]
    out: dict[str, Any] = {"IndexName": g.get("name"), "KeySchema": keys,
                           "Projection": {"ProjectionType": g.get("projectionType"),
                                          "NonKeyAttributes": g.get("nonKeyAttributes")}}
    if g.get("readCapacity") is not None:
        out["ProvisionedThroughput"] = {"ReadCapacityUnits": g.get("readCapacity"),
                                        "WriteCapacityUnits": g.get("writeCapacity")}
    return out


def _ttl(i: Mapping[str, Any]) -> bool:
    return isinstance(i.get("ttl"), dict) and bool(i["ttl"].get("enabled"))


def _pitr(i: Mapping[str, Any]) -> bool:
    return isinstance(i.get("pointInTimeRecovery"), dict) and i["pointInTimeRecovery"].get("enabled") is not None


DYNAMODB_TABLE = [
    Call("dynamodb", "CreateTable", fields={"name": "TableName"},
         same=("billingMode", "tableClass", "deletionProtectionEnabled", "tags"), build=_dynamodb_table,
         reads=("hashKey", "rangeKey", "attributes", "readCapacity", "writeCapacity", "streamEnabled",
                "streamViewType", "serverSideEncryption", "globalSecondaryIndexes", "localSecondaryIndexes")),
    Call("dynamodb", "UpdateTimeToLive", fields={"name": "TableName", "ttl.attributeName":
                                                 "TimeToLiveSpecification.AttributeName",
                                                 "ttl.enabled": "TimeToLiveSpecification.Enabled"}, when=_ttl),
    Call("dynamodb", "UpdateContinuousBackups",
         fields={"name": "TableName",
                 "pointInTimeRecovery.enabled": "PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled",
                 "pointInTimeRecovery.recoveryPeriodInDays":
                     "PointInTimeRecoverySpecification.RecoveryPeriodInDays"}, when=_pitr),
]

# ---------------------------------------------------------------- CloudWatch, Logs, KMS


@fills("Dimensions")
def _dimensions(req: Request) -> None:
    dims = req.inputs.get("dimensions")
    if isinstance(dims, dict):
        req.put("Dimensions", [{"Name": k, "Value": v} for k, v in dims.items()], "dimensions")


METRIC_ALARM = [Call("cloudwatch", "PutMetricAlarm",
                     fields={"name": "AlarmName", "okActions": "OKActions",
                             "evaluateLowSampleCountPercentiles": "EvaluateLowSampleCountPercentile"},
                     same=("alarmDescription", "actionsEnabled", "alarmActions", "insufficientDataActions",
                           "metricName", "namespace", "statistic", "extendedStatistic", "period", "unit",
                           "evaluationPeriods", "datapointsToAlarm", "threshold", "comparisonOperator",
                           "treatMissingData", "thresholdMetricId", "tags"),
                     build=_dimensions, reads=("dimensions",))]

LOG_GROUP = [
    Call("logs", "CreateLogGroup", fields={"name": "logGroupName"}, same=("kmsKeyId", "tags", "logGroupClass")),
    Call("logs", "PutRetentionPolicy", fields={"name": "logGroupName", "retentionInDays": "retentionInDays"},
         when=lambda i: bool(i.get("retentionInDays"))),
]

KMS_KEY = [
    Call("kms", "CreateKey", fields={"customerMasterKeySpec": "KeySpec"},
         same=("description", "keyUsage", "policy", "bypassPolicyLockoutSafetyCheck", "multiRegion",
               "customKeyStoreId", "xksKeyId", "tags")),
    Call("kms", "EnableKeyRotation", fields={"rotationPeriodInDays": "RotationPeriodInDays"},
         exempt=("KeyId",), when=lambda i: bool(i.get("enableKeyRotation"))),
    Call("kms", "ScheduleKeyDeletion", fields={"deletionWindowInDays": "PendingWindowInDays"},
         exempt=("KeyId",), when=_set("deletionWindowInDays")),
]

# ---------------------------------------------------------------- ECS


@fills("containerDefinitions")
def _task_definition(req: Request) -> None:
    given = req.inputs.get("containerDefinitions")
    containers = parse_json(given)
    if isinstance(given, str) and containers is given and not req.conv.is_unknown(given):
        return  # not JSON: the provider refuses it first (.provider), there is no request to check
    req.put("containerDefinitions", containers, "containerDefinitions")


ECS_TASK_DEFINITION = [Call(
    "ecs", "RegisterTaskDefinition",
    same=("family", "taskRoleArn", "executionRoleArn", "networkMode", "volumes", "placementConstraints",
          "requiresCompatibilities", "cpu", "memory", "tags", "pidMode", "ipcMode", "proxyConfiguration",
          "ephemeralStorage", "runtimePlatform"),
    renames={"hostPath": "host"},
    build=_task_definition, reads=("containerDefinitions",))]


@fills("deploymentConfiguration", "networkConfiguration")
def _ecs_service(req: Request) -> None:
    i = req.inputs
    for src, api in (("deploymentMaximumPercent", "deploymentConfiguration.maximumPercent"),
                     ("deploymentMinimumHealthyPercent", "deploymentConfiguration.minimumHealthyPercent"),
                     ("deploymentCircuitBreaker", "deploymentConfiguration.deploymentCircuitBreaker")):
        req.put_from(api, src)
    net = i.get("networkConfiguration")
    if isinstance(net, dict):
        public = net.get("assignPublicIp")
        req.put("networkConfiguration.awsvpcConfiguration", {
            "subnets": net.get("subnets"), "securityGroups": net.get("securityGroups"),
            "assignPublicIp": None if public is None else ("ENABLED" if public is True else
                                                           "DISABLED" if public is False else public),
        }, "networkConfiguration")


ECS_SERVICE = [Call(
    "ecs", "CreateService",
    fields={"name": "serviceName", "enableEcsManagedTags": "enableECSManagedTags",
            "orderedPlacementStrategies": "placementStrategy",
            "capacityProviderStrategies": "capacityProviderStrategy"},
    same=("cluster", "taskDefinition", "desiredCount", "launchType", "platformVersion", "loadBalancers",
          "healthCheckGracePeriodSeconds", "deploymentController", "propagateTags", "enableExecuteCommand",
          "schedulingStrategy", "placementConstraints", "serviceRegistries", "tags", "availabilityZoneRebalancing"),
    renames={"elbName": "loadBalancerName"},
    build=_ecs_service, reads=("deploymentMaximumPercent", "deploymentMinimumHealthyPercent", "deploymentCircuitBreaker",
                               "networkConfiguration"))]

ECS_CLUSTER = [Call("ecs", "CreateCluster", fields={"name": "clusterName"},
                    same=("settings", "tags", "configuration", "serviceConnectDefaults"))]

# ---------------------------------------------------------------- Elastic Load Balancing v2


def _lb_attributes(table: Mapping[str, str], operation_member: str = "Attributes") -> Builder:
    @fills(operation_member)
    def build(req: Request) -> None:
        attrs = []
        for src, key in table.items():
            value = get_path(req.inputs, src)
            if value is None or req.conv.is_unknown(value):
                continue
            i = len(attrs)
            req.origins[f"{operation_member}[{i}].Value"] = src
            req.origins[f"{operation_member}[{i}].Key"] = src
            attrs.append({"Key": key, "Value": scalar(value, "string")})
        if attrs:
            req.params[operation_member] = attrs
    return build


#: aws_lb arguments -> load balancer attributes (terraform-provider-aws internal/service/elbv2/load_balancer.go).
LB_ATTRIBUTES = {
    "idleTimeout": "idle_timeout.timeout_seconds",
    "dropInvalidHeaderFields": "routing.http.drop_invalid_header_fields.enabled",
    "enableDeletionProtection": "deletion_protection.enabled",
    "enableCrossZoneLoadBalancing": "load_balancing.cross_zone.enabled",
    "enableHttp2": "routing.http2.enabled",
    "desyncMitigationMode": "routing.http.desync_mitigation_mode",
    "clientKeepAlive": "client_keep_alive.seconds",
    "accessLogs.enabled": "access_logs.s3.enabled",
    "accessLogs.bucket": "access_logs.s3.bucket",
    "accessLogs.prefix": "access_logs.s3.prefix",
}

TARGET_GROUP_ATTRIBUTES = {
    "deregistrationDelay": "deregistration_delay.timeout_seconds",
    "slowStart": "slow_start.duration_seconds",
    "preserveClientIp": "preserve_client_ip.enabled",
    "proxyProtocolV2": "proxy_protocol_v2.enabled",
    "connectionTermination": "deregistration_delay.connection_termination.enabled",
}


@fills("Scheme")
def _scheme(req: Request) -> None:
    internal = req.inputs.get("internal")
    if isinstance(internal, bool):
        req.put("Scheme", "internal" if internal else "internet-facing", "internal")


LOAD_BALANCER = [
    Call("elbv2", "CreateLoadBalancer", fields={"name": "Name", "loadBalancerType": "Type"},
         same=("subnets", "subnetMappings", "securityGroups", "ipAddressType", "customerOwnedIpv4Pool", "tags"),
         renames={"privateIpv4Address": "PrivateIPv4Address", "ipv6Address": "IPv6Address"}, build=_scheme,
         reads=("internal",)),
    Call("elbv2", "ModifyLoadBalancerAttributes", build=_lb_attributes(LB_ATTRIBUTES), exempt=("LoadBalancerArn",),
         when=lambda i: any(i.get(k.split(".")[0]) is not None for k in LB_ATTRIBUTES), reads=tuple(LB_ATTRIBUTES)),
]

TARGET_GROUP = [
    Call("elbv2", "CreateTargetGroup",
         fields={"name": "Name", "healthCheck.enabled": "HealthCheckEnabled", "healthCheck.path": "HealthCheckPath",
                 "healthCheck.port": "HealthCheckPort", "healthCheck.protocol": "HealthCheckProtocol",
                 "healthCheck.interval": "HealthCheckIntervalSeconds",
                 "healthCheck.timeout": "HealthCheckTimeoutSeconds",
                 "healthCheck.healthyThreshold": "HealthyThresholdCount",
                 "healthCheck.unhealthyThreshold": "UnhealthyThresholdCount",
                 "healthCheck.matcher": "Matcher.HttpCode"},
         same=("protocol", "protocolVersion", "port", "vpcId", "targetType", "ipAddressType", "tags")),
    Call("elbv2", "ModifyTargetGroupAttributes", build=_lb_attributes(TARGET_GROUP_ATTRIBUTES),
         exempt=("TargetGroupArn",), when=lambda i: any(i.get(k) is not None for k in TARGET_GROUP_ATTRIBUTES),
         reads=tuple(TARGET_GROUP_ATTRIBUTES)),
]


@fills("Targets")
def _target(req: Request) -> None:
    i = req.inputs
    req.put("Targets", [{"Id": i.get("targetId"), "Port": i.get("port"), "AvailabilityZone": i.get("availabilityZone")}],
            "targetId/port/availabilityZone")


TARGET_GROUP_ATTACHMENT = [Call("elbv2", "RegisterTargets", same=("targetGroupArn",), build=_target,
                                reads=("targetId", "port", "availabilityZone"))]


@fills("Certificates")
def _certificate(req: Request) -> None:
    if req.inputs.get("certificateArn") is not None:
        req.put("Certificates", [{"CertificateArn": req.inputs["certificateArn"]}], "certificateArn")


LISTENER = [Call("elbv2", "CreateListener", same=("loadBalancerArn", "port", "protocol", "sslPolicy", "alpnPolicy",
                                                   "defaultActions", "tags", "mutualAuthentication"),
                 renames={"redirect": "RedirectConfig", "fixedResponse": "FixedResponseConfig",
                          "forward": "ForwardConfig", "authenticateCognito": "AuthenticateCognitoConfig",
                          "authenticateOidc": "AuthenticateOidcConfig"},
                 build=_certificate, reads=("certificateArn",))]

# ---------------------------------------------------------------- EC2


#: An ``aws_security_group`` rule block's inputs -> (IpPermission member, the item's key) for each source.
RULE_SOURCES = (("cidrBlocks", "IpRanges", "CidrIp"), ("ipv6CidrBlocks", "Ipv6Ranges", "CidrIpv6"),
                ("securityGroups", "UserIdGroupPairs", "GroupId"), ("prefixListIds", "PrefixListIds", "PrefixListId"))


def _permission(r: Mapping[str, Any], src: str, api: str, origins: dict[str, str]) -> dict[str, Any]:
    """One rule block (``protocol``, ``fromPort``, ``toPort``, ``cidrBlocks``, ...) as an IpPermission.

    Each CIDR, group and prefix list is a range of its own carrying the block's description
    (``expandIPPerm`` in terraform-provider-aws internal/service/ec2/vpc_security_group.go).
    ``origins`` gets the input each member came from, as the program wrote it.
    """
    d = r.get("description")
    perm: dict[str, Any] = {"IpProtocol": r.get("protocol"), "FromPort": r.get("fromPort"), "ToPort": r.get("toPort")}
    origins.update({f"{api}.IpProtocol": f"{src}.protocol", f"{api}.FromPort": f"{src}.fromPort",
                    f"{api}.ToPort": f"{src}.toPort"})
    # ``self = true`` adds the group's own id, known only once it exists: nothing to check.
    groups = r.get("securityGroups") or []
    for field, member, key in RULE_SOURCES:
        values = groups if field == "securityGroups" else r.get(field) or []
        if not isinstance(values, list):
            continue
        perm[member] = [{key: v, "Description": d} for v in values]
        for n in range(len(values)):
            origins[f"{api}.{member}[{n}].{key}"] = f"{src}.{field}[{n}]"
            origins[f"{api}.{member}[{n}].Description"] = f"{src}.description"
    return perm


def _permissions(rules: Any, src: str, origins: dict[str, str]) -> list[dict[str, Any]]:
    """An ``aws_security_group``'s inline rules as IpPermissions."""
    return [_permission(r, f"{src}[{i}]", f"IpPermissions[{i}]", origins)
            for i, r in enumerate(rules if isinstance(rules, list) else []) if isinstance(r, dict)]


def _inline_rules(direction: str) -> Builder:
    @fills("IpPermissions")
    def build(req: Request) -> None:
        origins: dict[str, str] = {}
        perms = _permissions(req.inputs.get(direction), direction, origins)
        if perms:
            req.put("IpPermissions", perms, direction)
            req.trace(origins)
    return build


SECURITY_GROUP = [
    Call("ec2", "CreateSecurityGroup", fields={"name": "GroupName"}, same=("description", "vpcId"),
         build=_tags_spec("security-group"), reads=("tags",)),
    Call("ec2", "AuthorizeSecurityGroupIngress", build=_inline_rules("ingress"), when=_set("ingress"),
         reads=("ingress",)),
    Call("ec2", "AuthorizeSecurityGroupEgress", build=_inline_rules("egress"), exempt=("GroupId",),
         when=_set("egress"), reads=("egress",)),
]


@fills("IpPermissions")
def _rule(req: Request) -> None:
    """An ``aws_vpc_security_group_{ingress,egress}_rule``: one source, one IpPermission."""
    i = req.inputs
    perm: dict[str, Any] = {"IpProtocol": i.get("ipProtocol"), "FromPort": i.get("fromPort"),
                            "ToPort": i.get("toPort")}
    origins = {"IpPermissions[0].IpProtocol": "ipProtocol", "IpPermissions[0].FromPort": "fromPort",
               "IpPermissions[0].ToPort": "toPort"}
    d = i.get("description")
    for src, member, key in (("cidrIpv4", "IpRanges", "CidrIp"), ("cidrIpv6", "Ipv6Ranges", "CidrIpv6"),
                             ("referencedSecurityGroupId", "UserIdGroupPairs", "GroupId"),
                             ("prefixListId", "PrefixListIds", "PrefixListId")):
        if i.get(src) is not None:
            perm[member] = [{key: i[src], "Description": d}]
            origins[f"IpPermissions[0].{member}[0].{key}"] = src
            origins[f"IpPermissions[0].{member}[0].Description"] = "description"
    req.put("IpPermissions", [perm], "ipProtocol")
    req.trace(origins)


VPC_RULE_INPUTS = ("ipProtocol", "fromPort", "toPort", "description", "cidrIpv4", "cidrIpv6",
                   "referencedSecurityGroupId", "prefixListId", "tags")


@fills("IpPermissions")
def _sg_rule(req: Request) -> None:
    """An ``aws_security_group_rule`` (``type`` ingress or egress): its block as one IpPermission."""
    i = req.inputs
    block = {k: i.get(k) for k in ("protocol", "fromPort", "toPort", "description", "cidrBlocks", "ipv6CidrBlocks",
                                   "prefixListIds")}
    block["securityGroups"] = [i["sourceSecurityGroupId"]] if i.get("sourceSecurityGroupId") is not None else []
    origins: dict[str, str] = {}
    perm = _permission(block, "", "IpPermissions[0]", origins)
    req.put("IpPermissions", [perm], "type")
    req.trace({api: ("sourceSecurityGroupId" if src.startswith(".securityGroups") else src.lstrip("."))
               for api, src in origins.items()})


SG_RULE_INPUTS = ("protocol", "fromPort", "toPort", "description", "cidrBlocks", "ipv6CidrBlocks", "prefixListIds",
                  "self", "sourceSecurityGroupId")

SG_RULE = [
    Call("ec2", f"AuthorizeSecurityGroup{direction.title()}", fields={"securityGroupId": "GroupId"}, build=_sg_rule,
         reads=("type", *SG_RULE_INPUTS), when=lambda i, d=direction: i.get("type") == d)
    for direction in ("ingress", "egress")
]

SG_INGRESS_RULE = [Call("ec2", "AuthorizeSecurityGroupIngress", fields={"securityGroupId": "GroupId"},
                        build=_chain(_rule, _tags_spec("security-group-rule")), reads=VPC_RULE_INPUTS)]
SG_EGRESS_RULE = [Call("ec2", "AuthorizeSecurityGroupEgress", fields={"securityGroupId": "GroupId"},
                       build=_chain(_rule, _tags_spec("security-group-rule")), reads=VPC_RULE_INPUTS)]

VPC_ENDPOINT = [Call("ec2", "CreateVpcEndpoint", fields={"policy": "PolicyDocument"},
                     same=("vpcId", "serviceName", "vpcEndpointType", "routeTableIds", "subnetIds",
                           "securityGroupIds", "ipAddressType"), build=_tags_spec("vpc-endpoint"), reads=("tags",))]

#: aws_launch_template arguments -> LaunchTemplateData members (expandRequestLaunchTemplateData).
LAUNCH_TEMPLATE_DATA = {
    "imageId": "ImageId", "instanceType": "InstanceType", "keyName": "KeyName", "userData": "UserData",
    "ebsOptimized": "EbsOptimized", "iamInstanceProfile": "IamInstanceProfile",
    "blockDeviceMappings": "BlockDeviceMappings", "networkInterfaces": "NetworkInterfaces",
    "monitoring": "Monitoring", "metadataOptions": "MetadataOptions", "tagSpecifications": "TagSpecifications",
    "vpcSecurityGroupIds": "SecurityGroupIds", "securityGroupNames": "SecurityGroups",
    "disableApiTermination": "DisableApiTermination", "disableApiStop": "DisableApiStop",
    "instanceInitiatedShutdownBehavior": "InstanceInitiatedShutdownBehavior", "placement": "Placement",
    "maintenanceOptions": "MaintenanceOptions", "privateDnsNameOptions": "PrivateDnsNameOptions",
    "creditSpecification": "CreditSpecification", "cpuOptions": "CpuOptions", "kernelId": "KernelId",
    "ramDiskId": "RamDiskId", "instanceMarketOptions": "InstanceMarketOptions",
}


@fills("LaunchTemplateData", "TagSpecifications")
def _launch_template(req: Request) -> None:
    for src, member in LAUNCH_TEMPLATE_DATA.items():
        req.put_from(f"LaunchTemplateData.{member}", src)
    if "LaunchTemplateData" not in req.params:
        req.params["LaunchTemplateData"] = {}
    if req.inputs.get("tags") is not None:
        req.put("TagSpecifications", [{"ResourceType": "launch-template", "Tags": req.inputs["tags"]}], "tags")


LAUNCH_TEMPLATE = [Call("ec2", "CreateLaunchTemplate", fields={"name": "LaunchTemplateName",
                                                                "description": "VersionDescription"},
                        renames={"httpPutResponseHopLimit": "HttpPutResponseHopLimit"}, build=_launch_template,
                        reads=(*LAUNCH_TEMPLATE_DATA, "tags"))]


@fills("Monitoring", "BlockDeviceMappings", "IamInstanceProfile", "TagSpecifications")
def _instance(req: Request) -> None:
    i = req.inputs
    if isinstance(i.get("monitoring"), bool):
        req.put("Monitoring", {"Enabled": i["monitoring"]}, "monitoring")
    root = i.get("rootBlockDevice")
    if isinstance(root, dict):
        req.put("BlockDeviceMappings", [{"Ebs": root}], "rootBlockDevice")
    profile = i.get("iamInstanceProfile")
    if isinstance(profile, str):
        req.put("IamInstanceProfile", {"Name": profile}, "iamInstanceProfile")
    _tags_spec("instance")(req)


INSTANCE = [Call("ec2", "RunInstances",
                 fields={"ami": "ImageId", "vpcSecurityGroupIds": "SecurityGroupIds", "privateIp": "PrivateIpAddress"},
                 same=("instanceType", "subnetId", "launchTemplate", "metadataOptions", "maintenanceOptions",
                       "userData", "keyName", "ebsOptimized", "disableApiTermination"),
                 renames={"id": "LaunchTemplateId", "name": "LaunchTemplateName"},
                 exempt=("MinCount", "MaxCount"), build=_instance,
                 reads=("monitoring", "rootBlockDevice", "iamInstanceProfile", "tags"))]

VOLUME_ATTACHMENT = [Call("ec2", "AttachVolume", fields={"deviceName": "Device"}, same=("instanceId", "volumeId"))]

EBS_VOLUME = [Call("ec2", "CreateVolume", fields={"type": "VolumeType"},
                   same=("availabilityZone", "size", "encrypted", "iops", "throughput", "kmsKeyId", "snapshotId",
                         "multiAttachEnabled", "outpostArn"), build=_tags_spec("volume"), reads=("tags",))]

# ---------------------------------------------------------------- Auto Scaling


@fills("VPCZoneIdentifier")
def _asg(req: Request) -> None:
    zones = req.inputs.get("vpcZoneIdentifiers")
    if isinstance(zones, list) and not any(req.conv.is_unknown(z) for z in zones):
        req.put("VPCZoneIdentifier", ",".join(str(z) for z in zones), "vpcZoneIdentifiers")


ASG = [Call("autoscaling", "CreateAutoScalingGroup",
            fields={"name": "AutoScalingGroupName", "targetGroupArns": "TargetGroupARNs",
                    "loadBalancers": "LoadBalancerNames", "protectFromScaleIn": "NewInstancesProtectedFromScaleIn",
                    "serviceLinkedRoleArn": "ServiceLinkedRoleARN"},
            same=("minSize", "maxSize", "desiredCapacity", "defaultCooldown", "availabilityZones", "launchTemplate",
                  "mixedInstancesPolicy", "healthCheckType", "healthCheckGracePeriod", "terminationPolicies",
                  "capacityRebalance", "maxInstanceLifetime", "placementGroup", "defaultInstanceWarmup", "tags",
                  "instanceMaintenancePolicy", "capacityReservationSpecification"),
            renames={"id": "LaunchTemplateId", "name": "LaunchTemplateName"}, build=_asg,
            reads=("vpcZoneIdentifiers",))]

ASG_POLICY = [Call("autoscaling", "PutScalingPolicy",
                   fields={"autoscalingGroupName": "AutoScalingGroupName", "name": "PolicyName"},
                   same=("policyType", "adjustmentType", "minAdjustmentMagnitude", "scalingAdjustment", "cooldown",
                         "metricAggregationType", "stepAdjustments", "estimatedInstanceWarmup",
                         "targetTrackingConfiguration", "enabled", "predictiveScalingConfiguration"),
                   renames={"metricDimensions": "Dimensions"})]

APPAUTOSCALING_TARGET = [Call("application-autoscaling", "RegisterScalableTarget", fields={"roleArn": "RoleARN"},
                              same=("serviceNamespace", "resourceId", "scalableDimension", "minCapacity",
                                    "maxCapacity", "suspendedState", "tags"))]

APPAUTOSCALING_POLICY = [Call("application-autoscaling", "PutScalingPolicy", fields={"name": "PolicyName"},
                              same=("serviceNamespace", "resourceId", "scalableDimension", "policyType",
                                    "stepScalingPolicyConfiguration", "targetTrackingScalingPolicyConfiguration"))]

# ---------------------------------------------------------------- DLM, ECR, Secrets Manager, IoT, S3

DLM_POLICY = [Call("dlm", "CreateLifecyclePolicy",
                   same=("description", "executionRoleArn", "state", "policyDetails", "tags"))]

ECR_REPOSITORY = [Call("ecr", "CreateRepository",
                       fields={"name": "repositoryName", "encryptionConfigurations": "encryptionConfiguration"},
                       same=("imageTagMutability", "imageScanningConfiguration", "tags",
                             "imageTagMutabilityExclusionFilters"))]
ECR_LIFECYCLE = [Call("ecr", "PutLifecyclePolicy", fields={"repository": "repositoryName",
                                                           "policy": "lifecyclePolicyText"})]

SECRET = [Call("secretsmanager", "CreateSecret", fields={"name": "Name", "replicas": "AddReplicaRegions"},
               same=("description", "kmsKeyId", "tags", "forceOverwriteReplicaSecret"))]
SECRET_VERSION = [Call("secretsmanager", "PutSecretValue", same=("secretId", "secretString", "versionStages"),
                       fields={"secretBinary": "SecretBinary"})]

IOT_POLICY = [Call("iot", "CreatePolicy", fields={"name": "policyName", "policy": "policyDocument"}, same=("tags",))]
IOT_CERTIFICATE = [Call("iot", "CreateKeysAndCertificate", fields={"active": "setAsActive"},
                        when=lambda i: i.get("csr") is None and i.get("certificatePem") is None)]
IOT_POLICY_ATTACHMENT = [Call("iot", "AttachPolicy", fields={"policy": "policyName"}, same=("target",))]

#: aws_iot_topic_rule's action inputs (one list per kind) -> the member of an IoT Action each fills.
IOT_ACTIONS = {
    "cloudwatchAlarms": "cloudwatchAlarm", "cloudwatchLogs": "cloudwatchLogs", "cloudwatchMetrics": "cloudwatchMetric",
    "dynamodbs": "dynamoDB", "dynamodbv2s": "dynamoDBv2", "elasticsearch": "elasticsearch", "firehoses": "firehose",
    "https": "http", "iotAnalytics": "iotAnalytics", "iotEvents": "iotEvents", "kafkas": "kafka",
    "kineses": "kinesis", "lambdas": "lambda", "republishes": "republish", "s3": "s3", "sns": "sns", "sqs": "sqs",
    "stepFunctions": "stepFunctions", "timestreams": "timestream",
}


@fills("topicRulePayload")
def _topic_rule(req: Request) -> None:
    i = req.inputs
    actions, sources = [], []
    for kind, member in IOT_ACTIONS.items():
        items = i.get(kind)
        for n, item in enumerate(items if isinstance(items, list) else []):
            actions.append({member: item})
            sources.append(f"{kind}[{n}]")
    if actions:
        req.put("topicRulePayload.actions", actions, "actions")
        for n, src in enumerate(sources):
            req.origins[f"topicRulePayload.actions[{n}]"] = src
    if isinstance(i.get("enabled"), bool):
        req.put("topicRulePayload.ruleDisabled", not i["enabled"], "enabled")
    error = i.get("errorAction")
    if isinstance(error, dict):
        singular = {norm(m): m for m in IOT_ACTIONS.values()}
        req.put("topicRulePayload.errorAction", {singular.get(norm(k), k): v for k, v in error.items()},
                "errorAction")


IOT_TOPIC_RULE = [Call("iot", "CreateTopicRule",
                       fields={"name": "ruleName", "sql": "topicRulePayload.sql",
                               "description": "topicRulePayload.description",
                               "sqlVersion": "topicRulePayload.awsIotSqlVersion"},
                       # Terraform always sends the list, empty when the rule has no action.
                       exempt=("topicRulePayload.actions",), build=_topic_rule,
                       reads=(*IOT_ACTIONS, "enabled", "errorAction"))]

S3_BUCKET = [Call("s3", "CreateBucket", fields={"bucket": "Bucket"})]

PUBLIC_ACCESS_BLOCK = ("blockPublicAcls", "ignorePublicAcls", "blockPublicPolicy", "restrictPublicBuckets")


@fills("PublicAccessBlockConfiguration")
def _public_access_block(req: Request) -> None:
    req.put("PublicAccessBlockConfiguration", {k: req.inputs.get(k) for k in PUBLIC_ACCESS_BLOCK}, "blockPublicAcls")
    req.trace({f"PublicAccessBlockConfiguration.{k[0].upper()}{k[1:]}": k for k in PUBLIC_ACCESS_BLOCK})


def _under(api_path: str, input_name: str) -> Builder:
    """The whole input ``input_name`` as the member ``api_path`` (an S3 configuration's rules)."""
    return fills(api_path.split(".")[0])(lambda req: req.put(api_path, req.inputs.get(input_name), input_name))


S3_PUBLIC_ACCESS_BLOCK = [Call("s3", "PutPublicAccessBlock", same=("bucket",), build=_public_access_block,
                               reads=PUBLIC_ACCESS_BLOCK)]
S3_OWNERSHIP = [Call("s3", "PutBucketOwnershipControls", same=("bucket",), build=_under("OwnershipControls.Rules", "rule"),
                     reads=("rule",))]
S3_ENCRYPTION = [Call("s3", "PutBucketEncryption", same=("bucket", "expectedBucketOwner"),
                      renames={"kmsMasterKeyId": "KMSMasterKeyID", "sseAlgorithm": "SSEAlgorithm"},
                      build=_under("ServerSideEncryptionConfiguration.Rules", "rules"), reads=("rules",))]
S3_LIFECYCLE = [Call("s3", "PutBucketLifecycleConfiguration", same=("bucket", "expectedBucketOwner"),
                     renames={"id": "ID"}, build=_under("LifecycleConfiguration.Rules", "rules"), reads=("rules",))]
S3_POLICY = [Call("s3", "PutBucketPolicy", same=("bucket", "policy"))]
# Terraform's "Disabled" means "never versioned": on create the provider makes no call
# (aws_s3_bucket_versioning docs and resourceBucketVersioningCreate).
S3_VERSIONING = [Call("s3", "PutBucketVersioning", same=("bucket", "expectedBucketOwner", "versioningConfiguration"),
                      fields={"mfa": "MFA"}, renames={"mfaDelete": "MFADelete"},
                      when=lambda i: not (isinstance(i.get("versioningConfiguration"), dict)
                                          and i["versioningConfiguration"].get("status") == "Disabled"))]
S3_LOGGING = [Call("s3", "PutBucketLogging", same=("bucket", "expectedBucketOwner"),
                   fields={"targetBucket": "BucketLoggingStatus.LoggingEnabled.TargetBucket",
                           "targetPrefix": "BucketLoggingStatus.LoggingEnabled.TargetPrefix",
                           "targetGrants": "BucketLoggingStatus.LoggingEnabled.TargetGrants",
                           "targetObjectKeyFormat": "BucketLoggingStatus.LoggingEnabled.TargetObjectKeyFormat"})]

# ---------------------------------------------------------------- SQS and SNS policies, KMS alias, CloudWatch Logs

SQS_QUEUE_POLICY = [Call("sqs", "SetQueueAttributes", fields={"queueUrl": "QueueUrl"},
                         build=_attributes({"policy": "Policy"}), reads=("policy",))]


@fills("AttributeName")
def _topic_policy(req: Request) -> None:
    req.params["AttributeName"] = "Policy"


SNS_TOPIC_POLICY = [Call("sns", "SetTopicAttributes", fields={"arn": "TopicArn", "policy": "AttributeValue"},
                         build=_topic_policy)]
KMS_ALIAS = [Call("kms", "CreateAlias", fields={"name": "AliasName", "targetKeyId": "TargetKeyId"})]

#: aws_cloudwatch_log_metric_filter's metric_transformation -> MetricTransformation members.
METRIC_TRANSFORMATION = {"name": "metricName", "namespace": "metricNamespace", "value": "metricValue",
                         "defaultValue": "defaultValue", "dimensions": "dimensions", "unit": "unit"}


@fills("metricTransformations")
def _metric_filter(req: Request) -> None:
    mt = req.inputs.get("metricTransformation")
    if isinstance(mt, list) and len(mt) == 1:
        mt = mt[0]
    if not isinstance(mt, dict):
        req.put("metricTransformations", mt, "metricTransformation")
        return
    req.put("metricTransformations", [{api: mt.get(src) for src, api in METRIC_TRANSFORMATION.items()}],
            "metricTransformation")
    req.trace({f"metricTransformations[0].{api}": f"metricTransformation.{src}"
               for src, api in METRIC_TRANSFORMATION.items()})


LOG_METRIC_FILTER = [Call("logs", "PutMetricFilter",
                          fields={"name": "filterName", "logGroupName": "logGroupName", "pattern": "filterPattern"},
                          same=("applyOnTransformedLogs",), build=_metric_filter, reads=("metricTransformation",))]

# ---------------------------------------------------------------- API Gateway v2

APIGW_API = [Call("apigatewayv2", "CreateApi",
                  same=("name", "protocolType", "description", "apiKeySelectionExpression", "corsConfiguration",
                        "credentialsArn", "disableExecuteApiEndpoint", "ipAddressType", "routeKey",
                        "routeSelectionExpression", "tags", "target", "version"))]
APIGW_STAGE = [Call("apigatewayv2", "CreateStage", fields={"name": "StageName"},
                    same=("apiId", "accessLogSettings", "autoDeploy", "clientCertificateId", "defaultRouteSettings",
                          "deploymentId", "description", "stageVariables", "tags"))]


@fills("RequestParameters")
def _route_parameters(req: Request) -> None:
    """Terraform's ``request_parameter`` blocks as the API's map of parameter key -> {Required}."""
    params = req.inputs.get("requestParameters")
    if isinstance(params, list) and all(isinstance(p, dict) for p in params):
        req.put("RequestParameters", {p.get("requestParameterKey"): {"Required": p.get("required")} for p in params},
                "requestParameters")


APIGW_ROUTE = [Call("apigatewayv2", "CreateRoute",
                    same=("apiId", "routeKey", "apiKeyRequired", "authorizationScopes", "authorizationType",
                          "authorizerId", "modelSelectionExpression", "operationName", "requestModels",
                          "routeResponseSelectionExpression", "target"),
                    build=_route_parameters, reads=("requestParameters",))]


@fills("ResponseParameters")
def _response_parameters(req: Request) -> None:
    """Terraform's ``response_parameters`` blocks as the API's map of status code -> mappings."""
    params = req.inputs.get("responseParameters")
    if isinstance(params, list) and all(isinstance(p, dict) for p in params):
        req.put("ResponseParameters", {p.get("statusCode"): p.get("mappings") for p in params}, "responseParameters")


APIGW_INTEGRATION = [Call("apigatewayv2", "CreateIntegration", fields={"timeoutMilliseconds": "TimeoutInMillis"},
                          same=("apiId", "integrationType", "connectionId", "connectionType", "contentHandlingStrategy",
                                "credentialsArn", "description", "integrationMethod", "integrationSubtype",
                                "integrationUri", "passthroughBehavior", "payloadFormatVersion", "requestParameters",
                                "requestTemplates", "templateSelectionExpression", "tlsConfig"),
                          build=_response_parameters, reads=("responseParameters",))]

# ---------------------------------------------------------------- Lambda URLs, ECR policies, IoT things, EventBridge

LAMBDA_FUNCTION_URL = [Call("lambda", "CreateFunctionUrlConfig", fields={"authorizationType": "AuthType"},
                            same=("functionName", "qualifier", "cors", "invokeMode"))]
ECR_REPOSITORY_POLICY = [Call("ecr", "SetRepositoryPolicy", fields={"repository": "repositoryName",
                                                                    "policy": "policyText"})]
IOT_THING = [Call("iot", "CreateThing", fields={"name": "thingName", "attributes": "attributePayload.attributes"},
                  same=("thingTypeName",))]


@fills("State")
def _rule_state(req: Request) -> None:
    """``is_enabled`` (deprecated for ``state``) as the rule's State."""
    enabled = req.inputs.get("isEnabled")
    if req.inputs.get("state") is None and isinstance(enabled, bool):
        req.put("State", "ENABLED" if enabled else "DISABLED", "isEnabled")


EVENT_RULE = [Call("events", "PutRule", same=("name", "description", "eventBusName", "eventPattern", "roleArn",
                                              "scheduleExpression", "state", "tags"),
                   build=_rule_state, reads=("isEnabled",))]
#: aws_cloudwatch_event_target arguments -> Target members (expandPutTargetsInput).
EVENT_TARGET_MEMBERS = {"targetId": "Id", "arn": "Arn", "roleArn": "RoleArn", "input": "Input", "inputPath": "InputPath",
                        "deadLetterConfig": "DeadLetterConfig", "retryPolicy": "RetryPolicy",
                        "inputTransformer": "InputTransformer", "sqsTarget": "SqsParameters",
                        "kinesisTarget": "KinesisParameters", "httpTarget": "HttpParameters"}


@fills("Targets")
def _event_target(req: Request) -> None:
    target = {member: req.inputs.get(src) for src, member in EVENT_TARGET_MEMBERS.items()
              if req.inputs.get(src) is not None}
    req.put("Targets", [target], "targetId")
    req.trace({f"Targets[0].{member}": src for src, member in EVENT_TARGET_MEMBERS.items()})


EVENT_TARGET = [Call("events", "PutTargets", same=("rule", "eventBusName"), build=_event_target,
                     reads=tuple(EVENT_TARGET_MEMBERS))]

#: pulumi-aws type -> the API calls its creation makes.
CALLS: dict[str, list[Call]] = {
    "aws:lambda/function:Function": LAMBDA_FUNCTION,
    "aws:lambda/alias:Alias": LAMBDA_ALIAS,
    "aws:lambda/eventSourceMapping:EventSourceMapping": LAMBDA_ESM,
    "aws:lambda/permission:Permission": LAMBDA_PERMISSION,
    "aws:lambda/provisionedConcurrencyConfig:ProvisionedConcurrencyConfig": LAMBDA_PROVISIONED,
    "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig": LAMBDA_INVOKE_CONFIG,
    "aws:sqs/queue:Queue": SQS_QUEUE,
    "aws:sns/topic:Topic": SNS_TOPIC,
    "aws:sns/topicSubscription:TopicSubscription": SNS_SUBSCRIPTION,
    "aws:iam/role:Role": IAM_ROLE,
    "aws:iam/rolePolicy:RolePolicy": IAM_ROLE_POLICY,
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": IAM_ROLE_POLICY_ATTACHMENT,
    "aws:iam/instanceProfile:InstanceProfile": IAM_INSTANCE_PROFILE,
    "aws:iam/policy:Policy": IAM_POLICY,
    "aws:dynamodb/table:Table": DYNAMODB_TABLE,
    "aws:cloudwatch/metricAlarm:MetricAlarm": METRIC_ALARM,
    "aws:cloudwatch/logGroup:LogGroup": LOG_GROUP,
    "aws:kms/key:Key": KMS_KEY,
    "aws:ecs/taskDefinition:TaskDefinition": ECS_TASK_DEFINITION,
    "aws:ecs/service:Service": ECS_SERVICE,
    "aws:ecs/cluster:Cluster": ECS_CLUSTER,
    "aws:lb/loadBalancer:LoadBalancer": LOAD_BALANCER,
    "aws:alb/loadBalancer:LoadBalancer": LOAD_BALANCER,
    "aws:lb/targetGroup:TargetGroup": TARGET_GROUP,
    "aws:alb/targetGroup:TargetGroup": TARGET_GROUP,
    "aws:lb/targetGroupAttachment:TargetGroupAttachment": TARGET_GROUP_ATTACHMENT,
    "aws:alb/targetGroupAttachment:TargetGroupAttachment": TARGET_GROUP_ATTACHMENT,
    "aws:lb/listener:Listener": LISTENER,
    "aws:alb/listener:Listener": LISTENER,
    "aws:ec2/securityGroup:SecurityGroup": SECURITY_GROUP,
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": SG_INGRESS_RULE,
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": SG_EGRESS_RULE,
    "aws:ec2/vpcEndpoint:VpcEndpoint": VPC_ENDPOINT,
    "aws:ec2/launchTemplate:LaunchTemplate": LAUNCH_TEMPLATE,
    "aws:ec2/instance:Instance": INSTANCE,
    "aws:ec2/volumeAttachment:VolumeAttachment": VOLUME_ATTACHMENT,
    "aws:ebs/volume:Volume": EBS_VOLUME,
    "aws:autoscaling/group:Group": ASG,
    "aws:autoscaling/policy:Policy": ASG_POLICY,
    "aws:appautoscaling/target:Target": APPAUTOSCALING_TARGET,
    "aws:appautoscaling/policy:Policy": APPAUTOSCALING_POLICY,
    "aws:dlm/lifecyclePolicy:LifecyclePolicy": DLM_POLICY,
    "aws:ecr/repository:Repository": ECR_REPOSITORY,
    "aws:ecr/lifecyclePolicy:LifecyclePolicy": ECR_LIFECYCLE,
    "aws:secretsmanager/secret:Secret": SECRET,
    "aws:secretsmanager/secretVersion:SecretVersion": SECRET_VERSION,
    "aws:iot/policy:Policy": IOT_POLICY,
    "aws:iot/certificate:Certificate": IOT_CERTIFICATE,
    "aws:iot/policyAttachment:PolicyAttachment": IOT_POLICY_ATTACHMENT,
    "aws:iot/topicRule:TopicRule": IOT_TOPIC_RULE,
    "aws:s3/bucket:Bucket": S3_BUCKET,
    "aws:s3/bucketV2:BucketV2": S3_BUCKET,
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": S3_PUBLIC_ACCESS_BLOCK,
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": S3_OWNERSHIP,
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": S3_ENCRYPTION,
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": S3_LIFECYCLE,
    "aws:s3/bucketPolicy:BucketPolicy": S3_POLICY,
    "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2": S3_ENCRYPTION,
    "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2": S3_LIFECYCLE,
    "aws:s3/bucketVersioning:BucketVersioning": S3_VERSIONING,
    "aws:s3/bucketVersioningV2:BucketVersioningV2": S3_VERSIONING,
    "aws:s3/bucketLogging:BucketLogging": S3_LOGGING,
    "aws:s3/bucketLoggingV2:BucketLoggingV2": S3_LOGGING,
    "aws:sqs/queuePolicy:QueuePolicy": SQS_QUEUE_POLICY,
    "aws:sns/topicPolicy:TopicPolicy": SNS_TOPIC_POLICY,
    "aws:ec2/securityGroupRule:SecurityGroupRule": SG_RULE,
    "aws:kms/alias:Alias": KMS_ALIAS,
    "aws:cloudwatch/logMetricFilter:LogMetricFilter": LOG_METRIC_FILTER,
    "aws:cloudwatch/eventRule:EventRule": EVENT_RULE,
    "aws:cloudwatch/eventTarget:EventTarget": EVENT_TARGET,
    "aws:apigatewayv2/api:Api": APIGW_API,
    "aws:apigatewayv2/stage:Stage": APIGW_STAGE,
    "aws:apigatewayv2/route:Route": APIGW_ROUTE,
    "aws:apigatewayv2/integration:Integration": APIGW_INTEGRATION,
    "aws:lambda/functionUrl:FunctionUrl": LAMBDA_FUNCTION_URL,
    "aws:ecr/repositoryPolicy:RepositoryPolicy": ECR_REPOSITORY_POLICY,
    "aws:iot/thing:Thing": IOT_THING,
}

__all__ = ["CALLS", "Call", "Request"]
