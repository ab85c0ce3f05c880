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

    def member_for(self, name: str) -> str:
        """The top-level member an input of ``same`` fills (matched as the converter matches)."""
        members = {norm(m): m for m in input_shape(self.service, self.operation).members}
        try:
            return members[norm(name)]
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


def _set(key: str) -> Callable[[Mapping[str, Any]], bool]:
    return lambda inputs: inputs.get(key) is not None


def _tags_spec(resource_type: str) -> Builder:
    """EC2's tags: ``TagSpecifications=[{ResourceType, Tags}]``."""
    def build(req: Request) -> None:
        if req.inputs.get("tags") is not None:
            req.put("TagSpecifications", [{"ResourceType": resource_type, "Tags": req.inputs["tags"]}], "tags")
    return build


def _chain(*builders: Builder) -> Builder:
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
               "ephemeralStorage", "packageType", "imageConfig", "snapStart", "codeSigningConfigArn"),
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
                  build=_attributes(SQS_ATTRIBUTES))]
SNS_TOPIC = [Call("sns", "CreateTopic", fields={"name": "Name"}, same=("tags",), build=_attributes(SNS_ATTRIBUTES))]
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


def _dynamodb_table(req: Request) -> None:
    i = req.inputs
    keys = [{"AttributeName": i[k], "KeyType": t} for k, t in (("hashKey", "HASH"), ("rangeKey", "RANGE"))
            if i.get(k) is not None]
    req.put("KeySchema", keys or None, "hashKey/rangeKey")
    attrs = i.get("attributes")
    if isinstance(attrs, list):
        req.put("AttributeDefinitions",
                [{"AttributeName": a.get("name"), "AttributeType": a.get("type")} if isinstance(a, dict) else a
                 for a in attrs], "attributes")
    if i.get("readCapacity") is not None or i.get("writeCapacity") is not None:
        req.put("ProvisionedThroughput", {"ReadCapacityUnits": i.get("readCapacity"),
                                          "WriteCapacityUnits": i.get("writeCapacity")}, "readCapacity/writeCapacity")
    if i.get("streamEnabled") is not None:
        req.put("StreamSpecification", {"StreamEnabled": i["streamEnabled"],
                                        "StreamViewType": i.get("streamViewType")}, "streamEnabled/streamViewType")
    sse = i.get("serverSideEncryption")
    if isinstance(sse, dict) and sse.get("enabled"):
        req.put("SSESpecification", {"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": sse.get("kmsKeyArn")},
                "serverSideEncryption")
    for index in ("globalSecondaryIndexes", "localSecondaryIndexes"):
        items = i.get(index)
        if isinstance(items, list):
            member = index[0].upper() + index[1:]
            req.put(member, [_dynamodb_index(g) if isinstance(g, dict) else g for g in items], index)


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
         same=("billingMode", "tableClass", "deletionProtectionEnabled", "tags"), build=_dynamodb_table),
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
                     build=_dimensions)]

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


def _task_definition(req: Request) -> None:
    containers = parse_json(req.inputs.get("containerDefinitions"))
    req.put("containerDefinitions", containers, "containerDefinitions")


ECS_TASK_DEFINITION = [Call(
    "ecs", "RegisterTaskDefinition",
    same=("family", "taskRoleArn", "executionRoleArn", "networkMode", "volumes", "placementConstraints",
          "requiresCompatibilities", "cpu", "memory", "tags", "pidMode", "ipcMode", "proxyConfiguration",
          "ephemeralStorage", "runtimePlatform"),
    renames={"hostPath": "host"},
    build=_task_definition)]


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
    build=_ecs_service)]

ECS_CLUSTER = [Call("ecs", "CreateCluster", fields={"name": "clusterName"},
                    same=("settings", "tags", "configuration", "serviceConnectDefaults"))]

# ---------------------------------------------------------------- Elastic Load Balancing v2


def _lb_attributes(table: Mapping[str, str], operation_member: str = "Attributes") -> Builder:
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


def _scheme(req: Request) -> None:
    internal = req.inputs.get("internal")
    if isinstance(internal, bool):
        req.put("Scheme", "internal" if internal else "internet-facing", "internal")


LOAD_BALANCER = [
    Call("elbv2", "CreateLoadBalancer", fields={"name": "Name", "loadBalancerType": "Type"},
         same=("subnets", "subnetMappings", "securityGroups", "ipAddressType", "customerOwnedIpv4Pool", "tags"),
         renames={"privateIpv4Address": "PrivateIPv4Address", "ipv6Address": "IPv6Address"}, build=_scheme),
    Call("elbv2", "ModifyLoadBalancerAttributes", build=_lb_attributes(LB_ATTRIBUTES), exempt=("LoadBalancerArn",),
         when=lambda i: any(i.get(k.split(".")[0]) is not None for k in LB_ATTRIBUTES)),
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
         exempt=("TargetGroupArn",), when=lambda i: any(i.get(k) is not None for k in TARGET_GROUP_ATTRIBUTES)),
]


def _target(req: Request) -> None:
    i = req.inputs
    req.put("Targets", [{"Id": i.get("targetId"), "Port": i.get("port"), "AvailabilityZone": i.get("availabilityZone")}],
            "targetId/port/availabilityZone")


TARGET_GROUP_ATTACHMENT = [Call("elbv2", "RegisterTargets", same=("targetGroupArn",), build=_target)]


def _certificate(req: Request) -> None:
    if req.inputs.get("certificateArn") is not None:
        req.put("Certificates", [{"CertificateArn": req.inputs["certificateArn"]}], "certificateArn")


LISTENER = [Call("elbv2", "CreateListener", same=("loadBalancerArn", "port", "protocol", "sslPolicy", "alpnPolicy",
                                                   "defaultActions", "tags", "mutualAuthentication"),
                 renames={"redirect": "RedirectConfig", "fixedResponse": "FixedResponseConfig",
                          "forward": "ForwardConfig", "authenticateCognito": "AuthenticateCognitoConfig",
                          "authenticateOidc": "AuthenticateOidcConfig"},
                 build=_certificate)]

# ---------------------------------------------------------------- EC2


def _permissions(rules: Any, src: str) -> list[dict[str, Any]]:
    """An ``aws_security_group``'s inline rules as IpPermissions (each CIDR or group a range with the description)."""
    out = []
    for r in rules if isinstance(rules, list) else []:
        if not isinstance(r, dict):
            continue
        d = r.get("description")
        perm: dict[str, Any] = {"IpProtocol": r.get("protocol"), "FromPort": r.get("fromPort"),
                                "ToPort": r.get("toPort")}
        perm["IpRanges"] = [{"CidrIp": c, "Description": d} for c in r.get("cidrBlocks") or []]
        perm["Ipv6Ranges"] = [{"CidrIpv6": c, "Description": d} for c in r.get("ipv6CidrBlocks") or []]
        perm["UserIdGroupPairs"] = [{"GroupId": g, "Description": d} for g in r.get("securityGroups") or []]
        perm["PrefixListIds"] = [{"PrefixListId": p, "Description": d} for p in r.get("prefixListIds") or []]
        out.append(perm)
    return out


def _inline_rules(direction: str) -> Builder:
    def build(req: Request) -> None:
        perms = _permissions(req.inputs.get(direction), direction)
        if perms:
            req.put("IpPermissions", perms, direction)
    return build


SECURITY_GROUP = [
    Call("ec2", "CreateSecurityGroup", fields={"name": "GroupName"}, same=("description", "vpcId"),
         build=_tags_spec("security-group")),
    Call("ec2", "AuthorizeSecurityGroupIngress", build=_inline_rules("ingress"), when=_set("ingress")),
    Call("ec2", "AuthorizeSecurityGroupEgress", build=_inline_rules("egress"), exempt=("GroupId",),
         when=_set("egress")),
]


def _rule(req: Request) -> None:
    i = req.inputs
    perm: dict[str, Any] = {"IpProtocol": i.get("ipProtocol"), "FromPort": i.get("fromPort"),
                            "ToPort": i.get("toPort")}
    d = i.get("description")
    for src, member, key in (("cidrIpv4", "IpRanges", "CidrIp"), ("cidrIpv6", "Ipv6Ranges", "CidrIpv6"),
                             ("referencedSecurityGroupId", "UserIdGroupPairs", "GroupId"),
                             ("prefixListId", "PrefixListIds", "PrefixListId")):
        if i.get(src) is not None:
            perm[member] = [{key: i[src], "Description": d}]
    req.put("IpPermissions", [perm], "ipProtocol/fromPort/toPort/description")


SG_INGRESS_RULE = [Call("ec2", "AuthorizeSecurityGroupIngress", fields={"securityGroupId": "GroupId"},
                        build=_chain(_rule, _tags_spec("security-group-rule")))]
SG_EGRESS_RULE = [Call("ec2", "AuthorizeSecurityGroupEgress", fields={"securityGroupId": "GroupId"},
                       build=_chain(_rule, _tags_spec("security-group-rule")))]

VPC_ENDPOINT = [Call("ec2", "CreateVpcEndpoint", fields={"policy": "PolicyDocument"},
                     same=("vpcId", "serviceName", "vpcEndpointType", "routeTableIds", "subnetIds",
                           "securityGroupIds", "ipAddressType"), build=_tags_spec("vpc-endpoint"))]

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


def _launch_template(req: Request) -> None:
    for src, member in LAUNCH_TEMPLATE_DATA.items():
        req.put_from(f"LaunchTemplateData.{member}", src)
    if "LaunchTemplateData" not in req.params:
        req.params["LaunchTemplateData"] = {}
    if req.inputs.get("tags") is not None:
        req.put("TagSpecifications", [{"ResourceType": "launch-template", "Tags": req.inputs["tags"]}], "tags")


LAUNCH_TEMPLATE = [Call("ec2", "CreateLaunchTemplate", fields={"name": "LaunchTemplateName",
                                                                "description": "VersionDescription"},
                        renames={"httpPutResponseHopLimit": "HttpPutResponseHopLimit"}, build=_launch_template)]


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
                 exempt=("MinCount", "MaxCount"), build=_instance)]

VOLUME_ATTACHMENT = [Call("ec2", "AttachVolume", fields={"deviceName": "Device"}, same=("instanceId", "volumeId"))]

EBS_VOLUME = [Call("ec2", "CreateVolume", fields={"type": "VolumeType"},
                   same=("availabilityZone", "size", "encrypted", "iops", "throughput", "kmsKeyId", "snapshotId",
                         "multiAttachEnabled", "outpostArn"), build=_tags_spec("volume"))]

# ---------------------------------------------------------------- Auto Scaling


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
            renames={"id": "LaunchTemplateId", "name": "LaunchTemplateName"}, build=_asg)]

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
                       exempt=("topicRulePayload.actions",), build=_topic_rule)]

S3_BUCKET = [Call("s3", "CreateBucket", fields={"bucket": "Bucket"})]
S3_PUBLIC_ACCESS_BLOCK = [Call("s3", "PutPublicAccessBlock", same=("bucket",), build=lambda req: req.put(
    "PublicAccessBlockConfiguration",
    {k: req.inputs.get(k) for k in ("blockPublicAcls", "ignorePublicAcls", "blockPublicPolicy",
                                    "restrictPublicBuckets")}, "blockPublicAcls/..."))]
S3_OWNERSHIP = [Call("s3", "PutBucketOwnershipControls", same=("bucket",),
                     build=lambda req: req.put("OwnershipControls.Rules", req.inputs.get("rule"), "rule"))]
S3_ENCRYPTION = [Call("s3", "PutBucketEncryption", same=("bucket",),
                      renames={"kmsMasterKeyId": "KMSMasterKeyID", "sseAlgorithm": "SSEAlgorithm"},
                      build=lambda req: req.put("ServerSideEncryptionConfiguration.Rules", req.inputs.get("rules"),
                                                "rules"))]
S3_LIFECYCLE = [Call("s3", "PutBucketLifecycleConfiguration", same=("bucket",), renames={"id": "ID"},
                     build=lambda req: req.put("LifecycleConfiguration.Rules", req.inputs.get("rules"), "rules"))]
S3_POLICY = [Call("s3", "PutBucketPolicy", same=("bucket", "policy"))]

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
}

__all__ = ["CALLS", "Call", "Request"]
