"""A passing and a failing fixture for every security policy, written the way people write Pulumi.

Each fixture is a small stack: resources with the inputs a pulumi-aws program
registers (camelCase, JSON documents as strings) and the property dependencies the
engine would record (``deps``: input -> names of other resources of the fixture).
The pack tests send them through the analyzer protocol; ``tools.peer_parity`` also
writes each failing fixture as Terraform and runs checkov over it, so a peer rule
mapped to a policy is seen to fail on that policy's failing fixture.

No import of pytest here: the peer-parity tool imports this module too.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from typing import Any

ACCOUNT = "123456789012"
REGION = "us-east-1"


@dataclass
class R:
    """One resource of a fixture: ``deps`` maps an input to the names of the resources it is computed from."""

    type: str
    name: str
    props: dict[str, Any] = field(default_factory=dict)
    deps: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class Fixture:
    passing: list[R]
    failing: list[R]


def doc(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(action: Any, resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def trust(principal: Any, **extra: Any) -> str:
    return doc({"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole", **extra})


def arn(service: str, rest: str) -> str:
    return f"arn:aws:{service}:{REGION}:{ACCOUNT}:{rest}"


# ---------------------------------------------------------------- types
FN = "aws:lambda/function:Function"
PERMISSION = "aws:lambda/permission:Permission"
URL = "aws:lambda/functionUrl:FunctionUrl"
ESM = "aws:lambda/eventSourceMapping:EventSourceMapping"
TOPIC = "aws:sns/topic:Topic"
TOPIC_POLICY = "aws:sns/topicPolicy:TopicPolicy"
SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription"
QUEUE = "aws:sqs/queue:Queue"
QUEUE_POLICY = "aws:sqs/queuePolicy:QueuePolicy"
TABLE = "aws:dynamodb/table:Table"
KEY = "aws:kms/key:Key"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
POLICY = "aws:iam/policy:Policy"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
POLICY_ATTACHMENT = "aws:iam/policyAttachment:PolicyAttachment"
PROFILE = "aws:iam/instanceProfile:InstanceProfile"
CLUSTER = "aws:ecs/cluster:Cluster"
SERVICE = "aws:ecs/service:Service"
TASKDEF = "aws:ecs/taskDefinition:TaskDefinition"
LB = "aws:lb/loadBalancer:LoadBalancer"
LISTENER = "aws:lb/listener:Listener"
TARGET_GROUP = "aws:lb/targetGroup:TargetGroup"
CLASSIC_LB = "aws:elb/loadBalancer:LoadBalancer"
WAF_ASSOCIATION = "aws:wafv2/webAclAssociation:WebAclAssociation"
INSTANCE = "aws:ec2/instance:Instance"
LT = "aws:ec2/launchTemplate:LaunchTemplate"
LC = "aws:ec2/launchConfiguration:LaunchConfiguration"
ASG = "aws:autoscaling/group:Group"
VOLUME = "aws:ebs/volume:Volume"
ATTACH_VOLUME = "aws:ec2/volumeAttachment:VolumeAttachment"
SG = "aws:ec2/securityGroup:SecurityGroup"
SG_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
SG_INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
SG_EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
VPC = "aws:ec2/vpc:Vpc"
FLOW_LOG = "aws:ec2/flowLog:FlowLog"
DEFAULT_VPC = "aws:ec2/defaultVpc:DefaultVpc"
DEFAULT_SG = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"
SUBNET = "aws:ec2/subnet:Subnet"
NACL = "aws:ec2/networkAcl:NetworkAcl"
NACL_RULE = "aws:ec2/networkAclRule:NetworkAclRule"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
SECRET = "aws:secretsmanager/secret:Secret"
ROTATION = "aws:secretsmanager/secretRotation:SecretRotation"
REPOSITORY = "aws:ecr/repository:Repository"
REPOSITORY_POLICY = "aws:ecr/repositoryPolicy:RepositoryPolicy"
ECR_LIFECYCLE = "aws:ecr/lifecyclePolicy:LifecyclePolicy"
BUCKET = "aws:s3/bucket:Bucket"
PAB = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
BUCKET_SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
VERSIONING = "aws:s3/bucketVersioning:BucketVersioning"
BUCKET_LOGGING = "aws:s3/bucketLogging:BucketLogging"
BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
BUCKET_ACL = "aws:s3/bucketAcl:BucketAcl"
OWNERSHIP = "aws:s3/bucketOwnershipControls:BucketOwnershipControls"
BUCKET_LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"
IOT_POLICY = "aws:iot/policy:Policy"
TOPIC_RULE = "aws:iot/topicRule:TopicRule"
CERTIFICATE = "aws:iot/certificate:Certificate"
IOT_ATTACHMENT = "aws:iot/policyAttachment:PolicyAttachment"
REPLICA = "aws:dynamodb/tableReplica:TableReplica"

# ---------------------------------------------------------------- building blocks
LAMBDA_TRUST = trust({"Service": "lambda.amazonaws.com"})


def function(name: str = "fn", **over: Any) -> R:
    props = {"runtime": "python3.12", "handler": "app.handler", "role": arn("iam", "role/fn").replace(f"{REGION}", ""),
             "code": {"__archive": "assets", "assets": {}}, "reservedConcurrentExecutions": 5,
             "tracingConfig": {"mode": "Active"}, "environment": {"variables": {"TABLE_NAME": "readings"}}}
    props.update(over)
    return R(FN, name, {k: v for k, v in props.items() if v is not None})


def container(**over: Any) -> dict[str, Any]:
    c = {"name": "app", "image": "public.ecr.aws/docker/library/python:3.12", "essential": True,
         "readonlyRootFilesystem": True, "user": "1000",
         "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": "/app", "awslogs-region": REGION,
                                                                  "awslogs-stream-prefix": "app"}}}
    c.update(over)
    return {k: v for k, v in c.items() if v is not None}


def task(name: str = "td", containers: Any = None, **over: Any) -> R:
    props = {"family": "app", "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"], "cpu": "256",
             "memory": "512", "containerDefinitions": json.dumps(containers or [container()]),
             "executionRoleArn": "arn:aws:iam::123456789012:role/exec", "taskRoleArn": "arn:aws:iam::123456789012:role/task"}
    props.update(over)
    return R(TASKDEF, name, {k: v for k, v in props.items() if v is not None})


def bucket_stack(name: str = "data", skip: tuple[str, ...] = (), **over: dict[str, Any]) -> list[R]:
    """A bucket with every setting the S3 policies ask for; ``skip`` leaves some out, ``over`` replaces inputs."""
    parts = {
        "pab": R(PAB, f"{name}-pab", {"bucket": name, "blockPublicAcls": True, "blockPublicPolicy": True,
                                      "ignorePublicAcls": True, "restrictPublicBuckets": True}, {"bucket": [name]}),
        "sse": R(BUCKET_SSE, f"{name}-sse", {"bucket": name, "rules": [{"applyServerSideEncryptionByDefault": {
            "sseAlgorithm": "aws:kms", "kmsMasterKeyId": arn("kms", "key/1234")}, "bucketKeyEnabled": True}]},
            {"bucket": [name]}),
        "versioning": R(VERSIONING, f"{name}-versioning", {"bucket": name, "versioningConfiguration": {"status": "Enabled"}},
                        {"bucket": [name]}),
        "logging": R(BUCKET_LOGGING, f"{name}-logging", {"bucket": name, "targetBucket": "logs", "targetPrefix": "s3/"},
                     {"bucket": [name]}),
        "policy": R(BUCKET_POLICY, f"{name}-policy", {"bucket": name, "policy": doc(
            {"Sid": "TlsOnly", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
             "Resource": [f"arn:aws:s3:::{name}", f"arn:aws:s3:::{name}/*"],
             "Condition": {"Bool": {"aws:SecureTransport": "false"}}})}, {"bucket": [name]}),
        "ownership": R(OWNERSHIP, f"{name}-ownership", {"bucket": name, "rule": {"objectOwnership": "BucketOwnerEnforced"}},
                       {"bucket": [name]}),
        "lifecycle": R(BUCKET_LIFECYCLE, f"{name}-lifecycle", {"bucket": name, "rules": [
            {"id": "tidy", "status": "Enabled", "filter": {"prefix": ""},
             "abortIncompleteMultipartUpload": {"daysAfterInitiation": 7},
             "noncurrentVersionExpiration": {"noncurrentDays": 30}}]}, {"bucket": [name]}),
    }
    out = [R(BUCKET, name, {"bucket": name, "tags": {"team": "iot"}})]
    for key, r in parts.items():
        if key in skip:
            continue
        if key in over:
            r.props.update(over[key])
        out.append(r)
    return out


def sg_rule(typ: str, name: str, cidr: str, protocol: str, lo: int, hi: int, description: str = "clients") -> R:
    if typ in (SG_INGRESS, SG_EGRESS):
        return R(typ, name, {"securityGroupId": "sg-1", "cidrIpv4": cidr, "ipProtocol": protocol, "fromPort": lo,
                             "toPort": hi, "description": description})
    return R(typ, name, {"securityGroupId": "sg-1", "type": "ingress", "cidrBlocks": [cidr], "protocol": protocol,
                         "fromPort": lo, "toPort": hi, "description": description})


def group(name: str = "sg", ingress: Any = (), egress: Any = (), description: str = "the app's tasks") -> R:
    return R(SG, name, {"vpcId": "vpc-1", "description": description, "ingress": list(ingress), "egress": list(egress)})


def rule(protocol: str, lo: int, hi: int, cidr: str = "10.0.0.0/16", description: str = "within the VPC") -> dict:
    return {"protocol": protocol, "fromPort": lo, "toPort": hi, "cidrBlocks": [cidr], "description": description}


def alb(name: str = "alb", **over: Any) -> R:
    props = {"loadBalancerType": "application", "internal": True, "subnets": ["subnet-a", "subnet-b"],
             "dropInvalidHeaderFields": True, "enableDeletionProtection": True,
             "accessLogs": {"enabled": True, "bucket": "logs"}}
    props.update(over)
    return R(LB, name, {k: v for k, v in props.items() if v is not None})


def listener(deps: Any = None, **over: Any) -> R:
    props = {"loadBalancerArn": arn("elasticloadbalancing", "loadbalancer/app/alb/1"), "port": 443, "protocol": "HTTPS",
             "sslPolicy": "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09", "certificateArn": arn("acm", "certificate/1"),
             "defaultActions": [{"type": "forward", "targetGroupArn": arn("elasticloadbalancing", "targetgroup/tg/1")}]}
    props.update(over)
    return R(LISTENER, "listener", {k: v for k, v in props.items() if v is not None}, deps or {})


def instance(**over: Any) -> R:
    props = {"ami": "ami-0abcdef1234567890", "instanceType": "t3.micro", "subnetId": "subnet-a",
             "associatePublicIpAddress": False, "monitoring": True, "iamInstanceProfile": "app-profile",
             "metadataOptions": {"httpTokens": "required", "httpEndpoint": "enabled", "httpPutResponseHopLimit": 1},
             "rootBlockDevice": {"encrypted": True, "volumeSize": 20}, "ebsOptimized": True}
    props.update(over)
    return R(INSTANCE, "box", {k: v for k, v in props.items() if v is not None})


def template(**over: Any) -> R:
    props = {"imageId": "ami-0abcdef1234567890", "instanceType": "t3.micro",
             "iamInstanceProfile": {"name": "app-profile"}, "monitoring": {"enabled": True},
             "metadataOptions": {"httpTokens": "required", "httpEndpoint": "enabled", "httpPutResponseHopLimit": 1},
             "networkInterfaces": [{"associatePublicIpAddress": "false", "deviceIndex": 0}],
             "blockDeviceMappings": [{"deviceName": "/dev/xvda", "ebs": {"encrypted": "true", "volumeSize": 20}}],
             "userData": base64.b64encode(b"#!/bin/bash\nsystemctl start app\n").decode()}
    props.update(over)
    return R(LT, "template", {k: v for k, v in props.items() if v is not None})


def iot_policy(*statements: dict[str, Any]) -> R:
    return R(IOT_POLICY, "device-policy", {"name": "device-policy", "policy": doc(*statements)})


DEVICE_STATEMENTS = [
    allow("iot:Connect", arn("iot", "client/${iot:Connection.Thing.ThingName}")),
    allow("iot:Publish", arn("iot", "topic/devices/${iot:Connection.Thing.ThingName}/telemetry")),
    allow("iot:Subscribe", arn("iot", "topicfilter/devices/${iot:Connection.Thing.ThingName}/commands")),
    allow("iot:Receive", arn("iot", "topic/devices/${iot:Connection.Thing.ThingName}/commands")),
]
SQS_ACTION = {"sqs": {"queueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/readings",
                      "roleArn": arn("iam", "role/rule").replace(REGION, ""), "useBase64": False}}


def role_with(policy_doc: str, service: str = "lambda.amazonaws.com") -> list[R]:
    return [R(ROLE, "role", {"assumeRolePolicy": trust({"Service": service})}),
            R(ROLE_POLICY, "role-policy", {"role": "role", "policy": policy_doc}, {"role": ["role"]})]


# ---------------------------------------------------------------- the fixtures

FIXTURES: dict[str, Fixture] = {
    # ---- data services
    "security-dynamodb-encryption": Fixture(
        [R(TABLE, "t", {"hashKey": "pk", "serverSideEncryption": {"enabled": True}})],
        [R(TABLE, "t", {"hashKey": "pk"}), R(TABLE, "off", {"hashKey": "pk", "serverSideEncryption": {"enabled": False}})]),
    "security-dynamodb-point-in-time-recovery": Fixture(
        [R(TABLE, "t", {"hashKey": "pk", "pointInTimeRecovery": {"enabled": True}})],
        [R(TABLE, "t", {"hashKey": "pk", "pointInTimeRecovery": {"enabled": False}})]),
    "security-dynamodb-deletion-protection": Fixture(
        [R(TABLE, "t", {"hashKey": "pk", "deletionProtectionEnabled": True})],
        [R(TABLE, "t", {"hashKey": "pk"})]),
    "security-sqs-encryption": Fixture(
        [R(QUEUE, "q", {"sqsManagedSseEnabled": True})], [R(QUEUE, "q", {"sqsManagedSseEnabled": False})]),
    "security-sqs-policy-not-public": Fixture(
        [R(QUEUE_POLICY, "qp", {"queueUrl": "q", "policy": doc(allow("sqs:SendMessage", arn("sqs", "q"),
                                                                    Principal={"Service": "sns.amazonaws.com"},
                                                                    Condition={"ArnEquals": {"aws:SourceArn": arn("sns", "t")}}))})],
        [R(QUEUE_POLICY, "qp", {"queueUrl": "q", "policy": doc(allow("sqs:SendMessage", arn("sqs", "q"),
                                                                    Principal={"AWS": "*"}))})]),
    "security-sqs-policy-no-wildcard-actions": Fixture(
        [R(QUEUE_POLICY, "qp", {"queueUrl": "q", "policy": doc(allow("sqs:SendMessage", arn("sqs", "q"),
                                                                    Principal={"Service": "sns.amazonaws.com"},
                                                                    Condition={"ArnEquals": {"aws:SourceArn": arn("sns", "t")}}))})],
        [R(QUEUE_POLICY, "service", {"queueUrl": "q", "policy": doc(allow("sqs:*", arn("sqs", "q"),
                                                                         Principal={"AWS": f"arn:aws:iam::{ACCOUNT}:root"}))}),
         R(QUEUE_POLICY, "everything", {"queueUrl": "q2", "policy": doc(allow("*", arn("sqs", "q2"),
                                                                            Principal={"AWS": f"arn:aws:iam::{ACCOUNT}:root"}))})]),
    "security-sns-encryption": Fixture(
        [R(TOPIC, "t", {"kmsMasterKeyId": "alias/aws/sns"})], [R(TOPIC, "t", {})]),
    "security-sns-policy-not-public": Fixture(
        [R(TOPIC_POLICY, "tp", {"arn": arn("sns", "t"), "policy": doc(allow("sns:Publish", arn("sns", "t"),
                                                                            Principal={"Service": "cloudwatch.amazonaws.com"}))})],
        [R(TOPIC_POLICY, "tp", {"arn": arn("sns", "t"), "policy": doc(allow("sns:Publish", arn("sns", "t"),
                                                                            Principal={"AWS": "*"}))})]),
    "security-sns-policy-no-cross-account": Fixture(
        [R(TOPIC_POLICY, "tp", {"arn": arn("sns", "t"), "policy": doc(allow("sns:Publish", arn("sns", "t"),
                                                                            Principal={"AWS": f"arn:aws:iam::{ACCOUNT}:role/app"}))})],
        [R(TOPIC_POLICY, "tp", {"arn": arn("sns", "t"), "policy": doc(allow("sns:Subscribe", arn("sns", "t"),
                                                                            Principal={"AWS": "arn:aws:iam::210987654321:root"}))})]),
    "security-encryption-customer-managed-key": Fixture(
        [R(TABLE, "t", {"hashKey": "pk", "serverSideEncryption": {"enabled": True, "kmsKeyArn": arn("kms", "key/1")}}),
         R(QUEUE, "q", {"kmsMasterKeyId": arn("kms", "key/1")}),
         R(SECRET, "s", {"kmsKeyId": arn("kms", "key/1")}),
         R(LOG_GROUP, "g", {"retentionInDays": 30, "kmsKeyId": arn("kms", "key/1")}),
         R(REPOSITORY, "r", {"encryptionConfigurations": [{"encryptionType": "KMS", "kmsKey": arn("kms", "key/1")}]}),
         R(VOLUME, "v", {"availabilityZone": "us-east-1a", "size": 10, "encrypted": True, "kmsKeyId": arn("kms", "key/1")}),
         R(REPLICA, "rep", {"globalTableArn": arn("dynamodb", "table/t"), "kmsKeyArn": arn("kms", "key/2")}),
         *bucket_stack("b")],
        [R(TABLE, "t", {"hashKey": "pk", "serverSideEncryption": {"enabled": True}}),
         R(QUEUE, "q", {"sqsManagedSseEnabled": True}),
         R(QUEUE, "aws-key", {"kmsMasterKeyId": "alias/aws/sqs"}),
         R(SECRET, "s", {}),
         R(LOG_GROUP, "g", {"retentionInDays": 30}),
         R(REPOSITORY, "r", {"encryptionConfigurations": [{"encryptionType": "AES256"}]}),
         R(VOLUME, "v", {"availabilityZone": "us-east-1a", "size": 10, "encrypted": True}),
         R(REPLICA, "rep", {"globalTableArn": arn("dynamodb", "table/t")}),
         *bucket_stack("b", sse={"rules": [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}]})]),
    # ---- KMS
    "security-kms-key-rotation": Fixture(
        [R(KEY, "k", {"enableKeyRotation": True, "policy": doc(allow("kms:*", "*", Principal={"AWS": f"arn:aws:iam::{ACCOUNT}:root"}))})],
        [R(KEY, "k", {"enableKeyRotation": False, "policy": doc(allow("kms:*", "*", Principal={"AWS": f"arn:aws:iam::{ACCOUNT}:root"}))})]),
    "security-kms-key-policy": Fixture(
        [R(KEY, "k", {"enableKeyRotation": True, "policy": doc(
            allow("kms:*", "*", Principal={"AWS": f"arn:aws:iam::{ACCOUNT}:root"}),
            allow(["kms:Decrypt", "kms:GenerateDataKey*"], "*", Principal={"Service": "sns.amazonaws.com"}))})],
        [R(KEY, "open", {"enableKeyRotation": True, "policy": doc(allow("kms:*", "*", Principal={"AWS": "*"}))}),
         R(KEY, "default", {"enableKeyRotation": True})]),
    "security-kms-key-enabled": Fixture(
        [R(KEY, "k", {"enableKeyRotation": True, "isEnabled": True})],
        [R(KEY, "k", {"enableKeyRotation": True, "isEnabled": False})]),
    # ---- IAM
    "security-iam-no-wildcard-actions": Fixture(
        role_with(doc(allow(["sqs:SendMessage"], arn("sqs", "q")))),
        role_with(doc(allow("*", arn("sqs", "q"))))),
    "security-iam-no-admin-managed-policies": Fixture(
        [R(ROLE, "role", {"assumeRolePolicy": trust({"Service": "ec2.amazonaws.com"}),
                          "managedPolicyArns": ["arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"]})],
        [R(ROLE, "role", {"assumeRolePolicy": trust({"Service": "ec2.amazonaws.com"})}),
         R(ATTACHMENT, "admin", {"role": "role", "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"},
           {"role": ["role"]}),
         R(ATTACHMENT, "iam-full", {"role": "role", "policyArn": "arn:aws:iam::aws:policy/IAMFullAccess"},
           {"role": ["role"]})]),
    "security-iam-no-admin-policies": Fixture(
        [R(POLICY, "p", {"policy": doc(allow(["dynamodb:PutItem"], arn("dynamodb", "table/t")))})],
        [R(POLICY, "admin", {"policy": doc(allow("*", "*"))}),
         R(POLICY, "iam", {"policy": doc(allow("iam:*", "*"))})]),
    "security-iam-no-privilege-escalation": Fixture(
        [R(POLICY, "p", {"policy": doc(allow("iam:PassRole", arn("iam", "role/app").replace(REGION, ""),
                                             Condition={"StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}}))})],
        [R(POLICY, "p", {"policy": doc(allow(["iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction",
                                              "iam:CreatePolicyVersion", "iam:CreateAccessKey", "iam:PutRolePolicy",
                                              "sts:AssumeRole"], "*"))})]),
    "security-iam-no-unscoped-write": Fixture(
        [R(POLICY, "p", {"policy": doc(allow(["dynamodb:PutItem", "s3:GetObject"], [arn("dynamodb", "table/t"), "arn:aws:s3:::b/*"]),
                                       allow("cloudwatch:PutMetricData", "*"))})],
        [R(POLICY, "p", {"policy": doc(allow(["dynamodb:PutItem", "s3:PutObject", "s3:GetObject",
                                              "secretsmanager:GetSecretValue"], "*"))})]),
    "security-iam-trust-no-wildcard-principal": Fixture(
        [R(ROLE, "role", {"assumeRolePolicy": LAMBDA_TRUST})],
        [R(ROLE, "role", {"assumeRolePolicy": trust({"AWS": "*"})})]),
    "security-iam-trust-no-whole-account": Fixture(
        [R(ROLE, "role", {"assumeRolePolicy": trust({"AWS": "arn:aws:iam::210987654321:role/deployer"})})],
        [R(ROLE, "role", {"assumeRolePolicy": trust({"AWS": "arn:aws:iam::210987654321:root"})})]),
    "security-iam-no-user-policies": Fixture(
        [R(POLICY_ATTACHMENT, "att", {"policyArn": arn("iam", "policy/p").replace(REGION, ""), "roles": ["app"]})],
        [R(POLICY_ATTACHMENT, "att", {"policyArn": arn("iam", "policy/p").replace(REGION, ""), "users": ["alice"]})]),
    # ---- Lambda
    "security-lambda-no-secrets-in-environment": Fixture(
        [function(environment={"variables": {
            "TOKEN_TTL_SECONDS": "3600", "TOKEN_ISSUER": "https://auth.example.com/realms/iot",
            "JWT_SECRET_NAME": "iot-tiers/dev/jwt", "DB_PASSWORD_ARN": arn("secretsmanager", "secret:db-AbCdEf"),
            "API_KEY_PARAMETER": "/iot/dev/api-key", "AUTH_MODE": "jwt", "MQTT_BROKER_URL": "mqtts://broker.example.com:8883"}})],
        [function(environment={"variables": {"AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE",
                                             "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                                             "DATABASE_URL": "postgres://app:s3cr3tpw@db.internal:5432/app"}})]),
    "security-lambda-supported-runtime": Fixture([function()], [function(runtime="python3.7")]),
    "security-lambda-concurrency-limit": Fixture([function()], [function(reservedConcurrentExecutions=None)]),
    "security-lambda-tracing": Fixture([function()], [function(tracingConfig=None)]),
    "security-lambda-no-public-permission": Fixture(
        [R(PERMISSION, "invoke", {"action": "lambda:InvokeFunction", "function": "fn", "principal": "apigateway.amazonaws.com",
                                  "sourceArn": arn("execute-api", "abc/*")})],
        [R(PERMISSION, "invoke", {"action": "lambda:InvokeFunction", "function": "fn", "principal": "*"})]),
    "security-lambda-service-permission-scoped": Fixture(
        [R(PERMISSION, "invoke", {"action": "lambda:InvokeFunction", "function": "fn", "principal": "sns.amazonaws.com",
                                  "sourceArn": arn("sns", "alerts")})],
        [R(PERMISSION, "invoke", {"action": "lambda:InvokeFunction", "function": "fn", "principal": "s3.amazonaws.com"})]),
    "security-lambda-url-requires-auth": Fixture(
        [R(URL, "url", {"functionName": "fn", "authorizationType": "AWS_IAM"})],
        [R(URL, "url", {"functionName": "fn", "authorizationType": "NONE"})]),
    "security-lambda-url-cors": Fixture(
        [function(), R(URL, "url", {"functionName": "fn", "authorizationType": "AWS_IAM",
                                    "cors": {"allowOrigins": ["https://dashboard.example.com"], "allowMethods": ["GET"]}},
                       {"functionName": ["fn"]})],
        [function(), R(URL, "url", {"functionName": "fn", "authorizationType": "AWS_IAM",
                                    "cors": {"allowOrigins": ["*"], "allowMethods": ["*"]}}, {"functionName": ["fn"]})]),
    "security-lambda-event-source-dlq": Fixture(
        [R(QUEUE, "dlq", {"sqsManagedSseEnabled": True}),
         R(QUEUE, "jobs", {"sqsManagedSseEnabled": True, "redrivePolicy": json.dumps(
             {"deadLetterTargetArn": arn("sqs", "dlq"), "maxReceiveCount": 5})}, {"redrivePolicy": ["dlq"]}),
         function(), R(ESM, "esm", {"eventSourceArn": arn("sqs", "jobs"), "functionName": "fn"},
                       {"eventSourceArn": ["jobs"], "functionName": ["fn"]})],
        [R(QUEUE, "jobs", {"sqsManagedSseEnabled": True}),
         function(), R(ESM, "esm", {"eventSourceArn": arn("sqs", "jobs"), "functionName": "fn"},
                       {"eventSourceArn": ["jobs"], "functionName": ["fn"]})]),
    "security-lambda-async-dlq": Fixture(
        [function(deadLetterConfig={"targetArn": arn("sqs", "dlq")}),
         R(PERMISSION, "from-sns", {"action": "lambda:InvokeFunction", "function": "fn", "principal": "sns.amazonaws.com",
                                    "sourceArn": arn("sns", "alerts")}, {"function": ["fn"]})],
        [function(), R(PERMISSION, "from-sns", {"action": "lambda:InvokeFunction", "function": "fn",
                                                "principal": "sns.amazonaws.com", "sourceArn": arn("sns", "alerts")},
                       {"function": ["fn"]})]),
    # ---- ECS
    "security-ecs-no-privileged-containers": Fixture([task()], [task(containers=[container(privileged=True)])]),
    "security-ecs-readonly-root-filesystem": Fixture([task()], [task(containers=[container(readonlyRootFilesystem=False)])]),
    "security-ecs-no-secrets-in-environment": Fixture(
        [task(containers=[container(environment=[{"name": "MQTT_BROKER_URL", "value": "mqtts://broker:8883"},
                                                 {"name": "BRIDGE_JWT_SECRET_ARN", "value": arn("secretsmanager", "secret:jwt-AbCdEf")},
                                                 {"name": "TOKEN_TTL_SECONDS", "value": "3600"}],
                                    secrets=[{"name": "BRIDGE_JWT_SECRET", "valueFrom": arn("secretsmanager", "secret:jwt-AbCdEf")}])])],
        [task(containers=[container(environment=[{"name": "AWS_ACCESS_KEY_ID", "value": "AKIAIOSFODNN7EXAMPLE"},
                                                 {"name": "DB_PASSWORD", "value": "Hunter2-and-more"}])])]),
    "security-ecs-container-logging": Fixture([task()], [task(containers=[container(logConfiguration=None)])]),
    "security-ecs-no-host-namespaces": Fixture([task()], [task(pidMode="host")]),
    "security-ecs-non-root-user": Fixture([task()], [task(containers=[container(user="root")])]),
    "security-ecs-efs-transit-encryption": Fixture(
        [task(volumes=[{"name": "data", "efsVolumeConfiguration": {"fileSystemId": "fs-1", "transitEncryption": "ENABLED"}}])],
        [task(volumes=[{"name": "data", "efsVolumeConfiguration": {"fileSystemId": "fs-1"}}])]),
    "security-ecs-separate-task-role": Fixture(
        [task()], [task(taskRoleArn="arn:aws:iam::123456789012:role/exec")]),
    "security-ecs-service-no-public-ip": Fixture(
        [R(SERVICE, "svc", {"launchType": "FARGATE", "networkConfiguration": {"subnets": ["subnet-a"], "assignPublicIp": False}})],
        [R(SERVICE, "svc", {"launchType": "FARGATE", "networkConfiguration": {"subnets": ["subnet-a"], "assignPublicIp": True}})]),
    "security-ecs-cluster-container-insights": Fixture(
        [R(CLUSTER, "c", {"settings": [{"name": "containerInsights", "value": "enabled"}]})], [R(CLUSTER, "c", {})]),
    "security-ecs-exec-logging": Fixture(
        [R(CLUSTER, "c", {"settings": [{"name": "containerInsights", "value": "enabled"}], "configuration": {
            "executeCommandConfiguration": {"kmsKeyId": arn("kms", "key/1"), "logging": "OVERRIDE", "logConfiguration": {
                "cloudWatchLogGroupName": "/ecs/exec", "cloudWatchEncryptionEnabled": True}}}})],
        [R(CLUSTER, "c", {"configuration": {"executeCommandConfiguration": {"logging": "NONE"}}}),
         R(CLUSTER, "no-key", {"configuration": {"executeCommandConfiguration": {"logging": "DEFAULT"}}})]),
    "security-ecs-fargate-latest-platform": Fixture(
        [R(SERVICE, "svc", {"launchType": "FARGATE", "platformVersion": "LATEST"})],
        [R(SERVICE, "svc", {"launchType": "FARGATE", "platformVersion": "1.3.0"})]),
    # ---- load balancers
    "security-lb-https-listeners": Fixture(
        [listener(port=80, protocol="HTTP", sslPolicy=None, certificateArn=None,
                  defaultActions=[{"type": "redirect", "redirect": {"protocol": "HTTPS", "port": "443", "statusCode": "HTTP_301"}}])],
        [alb(internal=False),
         listener(port=80, protocol="HTTP", sslPolicy=None, certificateArn=None, loadBalancerArn="alb",
                  deps={"loadBalancerArn": ["alb"]}),
         ]),
    "security-lb-tls12-policy": Fixture(
        [listener(sslPolicy="ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04")], [listener(sslPolicy=None)]),
    "security-lb-drop-invalid-headers": Fixture([alb()], [alb(dropInvalidHeaderFields=None)]),
    "security-lb-access-logs": Fixture(
        [alb(), R(CLASSIC_LB, "classic", {"availabilityZones": ["us-east-1a"], "accessLogs": {"bucket": "logs"},
                                          "listeners": [{"lbPort": 443, "lbProtocol": "https", "instancePort": 8443,
                                                         "instanceProtocol": "https", "sslCertificateId": arn("acm", "certificate/1")}]})],
        [alb(accessLogs=None), R(CLASSIC_LB, "classic", {"availabilityZones": ["us-east-1a"], "listeners": [
            {"lbPort": 443, "lbProtocol": "https", "instancePort": 8443, "instanceProtocol": "https",
             "sslCertificateId": arn("acm", "certificate/1")}]})]),
    "security-lb-deletion-protection": Fixture([alb()], [alb(enableDeletionProtection=None)]),
    "security-lb-classic-listeners-encrypted": Fixture(
        [R(CLASSIC_LB, "classic", {"availabilityZones": ["us-east-1a"], "listeners": [
            {"lbPort": 443, "lbProtocol": "https", "instancePort": 8443, "instanceProtocol": "https",
             "sslCertificateId": arn("acm", "certificate/1")}]})],
        [R(CLASSIC_LB, "classic", {"availabilityZones": ["us-east-1a"], "listeners": [
            {"lbPort": 80, "lbProtocol": "http", "instancePort": 8080, "instanceProtocol": "http"}]})]),
    "security-lb-desync-mitigation": Fixture([alb(desyncMitigationMode="strictest")], [alb(desyncMitigationMode="monitor")]),
    "security-lb-waf": Fixture(
        [alb(internal=False), R(WAF_ASSOCIATION, "waf", {"resourceArn": "alb", "webAclArn": arn("wafv2", "regional/webacl/w/1")},
                                {"resourceArn": ["alb"]})],
        [alb(internal=False)]),
    "security-lb-https-to-targets": Fixture(
        [R(TARGET_GROUP, "tg", {"port": 8443, "protocol": "HTTPS", "vpcId": "vpc-1", "targetType": "ip",
                                "healthCheck": {"path": "/health", "protocol": "HTTPS"}})],
        [R(TARGET_GROUP, "tg", {"port": 8080, "protocol": "HTTP", "vpcId": "vpc-1", "targetType": "ip",
                                "healthCheck": {"path": "/health"}})]),
    # ---- EC2
    "security-ec2-imdsv2": Fixture([instance(), template()],
                                   [instance(metadataOptions={"httpTokens": "optional"}), template(metadataOptions=None)]),
    "security-ec2-no-public-ip": Fixture(
        [instance(), template()],
        [instance(associatePublicIpAddress=True),
         template(networkInterfaces=[{"associatePublicIpAddress": "true", "deviceIndex": 0}]),
         R(LC, "lc", {"imageId": "ami-0abcdef1234567890", "instanceType": "t3.micro", "associatePublicIpAddress": True,
                      "metadataOptions": {"httpTokens": "required", "httpPutResponseHopLimit": 1},
                      "rootBlockDevice": {"encrypted": True}})]),
    "security-ec2-encrypted-volumes": Fixture(
        [instance(), R(VOLUME, "data", {"availabilityZone": "us-east-1a", "size": 10, "encrypted": True}),
         R(ATTACH_VOLUME, "attach", {"deviceName": "/dev/sdf", "instanceId": "box", "volumeId": "data"},
           {"instanceId": ["box"], "volumeId": ["data"]})],
        [instance(ebsBlockDevices=[{"deviceName": "/dev/sdf", "volumeSize": 50, "encrypted": False}]),
         R(VOLUME, "data", {"availabilityZone": "us-east-1a", "size": 10}),
         R(ATTACH_VOLUME, "attach", {"deviceName": "/dev/sdg", "instanceId": "box", "volumeId": "data"},
           {"instanceId": ["box"], "volumeId": ["data"]})]),
    "security-ec2-no-open-ingress": Fixture(
        [group(ingress=[rule("tcp", 443, 443, "0.0.0.0/0", "dashboards")]),
         sg_rule(SG_INGRESS, "mqtt", "10.0.0.0/16", "tcp", 8883, 8883)],
        [group(ingress=[rule("tcp", 22, 22, "0.0.0.0/0", "ssh"), rule("tcp", 3389, 3389, "0.0.0.0/0", "rdp")]),
         sg_rule(SG_INGRESS, "all", "0.0.0.0/0", "-1", -1, -1), sg_rule(SG_RULE, "icmp", "0.0.0.0/0", "icmp", -1, -1)]),
    "security-ec2-no-open-egress": Fixture(
        [group(egress=[rule("tcp", 443, 443, "0.0.0.0/0", "AWS APIs")])],
        [group(egress=[rule("-1", 0, 0, "0.0.0.0/0", "anything")])]),
    "security-ec2-security-group-descriptions": Fixture(
        [group(ingress=[rule("tcp", 8883, 8883)])],
        [R(SG, "sg", {"vpcId": "vpc-1", "ingress": [{"protocol": "tcp", "fromPort": 8883, "toPort": 8883,
                                                      "cidrBlocks": ["10.0.0.0/16"]}]})]),
    "security-ec2-no-secrets-in-user-data": Fixture(
        [template()],
        [template(userData=base64.b64encode(b"#!/bin/bash\nexport AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\n"
                                            b"export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n").decode()),
         instance(userData="#!/bin/bash\nexport AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\n"
                           "export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n")]),
    "security-ec2-detailed-monitoring": Fixture([instance()], [instance(monitoring=None)]),
    "security-ec2-metadata-hop-limit": Fixture(
        [template()], [template(metadataOptions={"httpTokens": "required", "httpPutResponseHopLimit": 3})]),
    "security-ec2-asg-launch-template": Fixture(
        [R(ASG, "asg", {"minSize": 1, "maxSize": 2, "vpcZoneIdentifiers": ["subnet-a"],
                        "launchTemplate": {"id": "lt-1", "version": "$Latest"}})],
        [R(ASG, "asg", {"minSize": 1, "maxSize": 2, "vpcZoneIdentifiers": ["subnet-a"], "launchConfiguration": "lc-1"})]),
    "security-ec2-instance-role": Fixture([instance()], [instance(iamInstanceProfile=None)]),
    # ---- VPC
    "security-vpc-flow-logs": Fixture(
        [R(VPC, "vpc", {"cidrBlock": "10.0.0.0/16"}),
         R(FLOW_LOG, "flow", {"vpcId": "vpc", "trafficType": "ALL", "logDestinationType": "s3",
                              "logDestination": "arn:aws:s3:::flow-logs"}, {"vpcId": ["vpc"]})],
        [R(VPC, "vpc", {"cidrBlock": "10.0.0.0/16"})]),
    "security-vpc-no-default-vpc": Fixture([R(VPC, "vpc", {"cidrBlock": "10.0.0.0/16"})], [R(DEFAULT_VPC, "default", {})]),
    "security-vpc-default-security-group-closed": Fixture(
        [R(DEFAULT_SG, "default-sg", {"vpcId": "vpc-1", "ingress": [], "egress": []})],
        [R(VPC, "vpc", {"cidrBlock": "10.0.0.0/16"}),
         R(DEFAULT_SG, "default-sg", {"vpcId": "vpc", "ingress": [{"protocol": "-1", "self": True, "fromPort": 0,
                                                                    "toPort": 0}]}, {"vpcId": ["vpc"]})]),
    "security-vpc-subnet-no-auto-public-ip": Fixture(
        [R(SUBNET, "subnet", {"vpcId": "vpc-1", "cidrBlock": "10.0.1.0/24"})],
        [R(SUBNET, "subnet", {"vpcId": "vpc-1", "cidrBlock": "10.0.1.0/24", "mapPublicIpOnLaunch": True})]),
    "security-vpc-nacl-no-open-admin-ports": Fixture(
        [R(NACL, "nacl", {"vpcId": "vpc-1", "ingress": [
            {"ruleNo": 100, "action": "allow", "protocol": "tcp", "fromPort": 443, "toPort": 443, "cidrBlock": "0.0.0.0/0"}]})],
        [R(NACL, "nacl", {"vpcId": "vpc-1", "ingress": [
            {"ruleNo": 100, "action": "allow", "protocol": "tcp", "fromPort": 20, "toPort": 22, "cidrBlock": "0.0.0.0/0"},
            {"ruleNo": 110, "action": "allow", "protocol": "tcp", "fromPort": 3389, "toPort": 3389, "cidrBlock": "0.0.0.0/0"},
            {"ruleNo": 120, "action": "allow", "protocol": "-1", "fromPort": 0, "toPort": 0, "cidrBlock": "0.0.0.0/0"}]}),
         R(NACL_RULE, "all-in", {"networkAclId": "acl-1", "ruleNumber": 200, "egress": False, "protocol": "-1",
                                 "ruleAction": "allow", "cidrBlock": "0.0.0.0/0"})]),
    # ---- logs, secrets, ECR
    "security-logs-retention": Fixture([R(LOG_GROUP, "g", {"retentionInDays": 14})], [R(LOG_GROUP, "g", {})]),
    "security-logs-workload-log-groups": Fixture(
        [function(name="fn", loggingConfig={"logFormat": "JSON", "logGroup": "/app/fn"}),
         R(LOG_GROUP, "g", {"name": "/app/fn", "retentionInDays": 14})],
        [function(name="fn")]),
    "security-secretsmanager-rotation": Fixture(
        [R(SECRET, "s", {"kmsKeyId": arn("kms", "key/1")}),
         R(ROTATION, "rot", {"secretId": "s", "rotationLambdaArn": arn("lambda", "function:rotate"),
                             "rotationRules": {"automaticallyAfterDays": 30}}, {"secretId": ["s"]})],
        [R(SECRET, "never", {}),
         R(SECRET, "slow", {}),
         R(ROTATION, "rot", {"secretId": "slow", "rotationLambdaArn": arn("lambda", "function:rotate"),
                             "rotationRules": {"automaticallyAfterDays": 180}}, {"secretId": ["slow"]})]),
    "security-ecr-scan-on-push": Fixture(
        [R(REPOSITORY, "r", {"imageScanningConfiguration": {"scanOnPush": True}, "imageTagMutability": "IMMUTABLE"})],
        [R(REPOSITORY, "r", {"imageTagMutability": "IMMUTABLE"})]),
    "security-ecr-immutable-tags": Fixture(
        [R(REPOSITORY, "r", {"imageScanningConfiguration": {"scanOnPush": True}, "imageTagMutability": "IMMUTABLE"})],
        [R(REPOSITORY, "r", {"imageScanningConfiguration": {"scanOnPush": True}, "imageTagMutability": "MUTABLE"})]),
    "security-ecr-policy-not-public": Fixture(
        [R(REPOSITORY_POLICY, "rp", {"repository": "r", "policy": doc(
            allow(["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"], Principal={"AWS": f"arn:aws:iam::{ACCOUNT}:root"}))})],
        [R(REPOSITORY_POLICY, "rp", {"repository": "r", "policy": doc(
            allow(["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"], Principal="*"))})]),
    "security-ecr-lifecycle-policy": Fixture(
        [R(REPOSITORY, "r", {"imageTagMutability": "IMMUTABLE", "imageScanningConfiguration": {"scanOnPush": True}}),
         R(ECR_LIFECYCLE, "rl", {"repository": "r", "policy": json.dumps({"rules": [{"rulePriority": 1, "selection": {
             "tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 20}, "action": {"type": "expire"}}]})},
           {"repository": ["r"]})],
        [R(REPOSITORY, "r", {"imageTagMutability": "IMMUTABLE", "imageScanningConfiguration": {"scanOnPush": True}})]),
    # ---- S3
    "security-s3-public-access-block": Fixture(
        bucket_stack(), [*bucket_stack("open", skip=("pab",)),
                         *bucket_stack("half", pab={"blockPublicAcls": False, "blockPublicPolicy": False,
                                                    "ignorePublicAcls": False, "restrictPublicBuckets": False})]),
    "security-s3-tls-only": Fixture(bucket_stack(), bucket_stack(skip=("policy",))),
    "security-s3-versioning": Fixture(bucket_stack(), bucket_stack(skip=("versioning",))),
    "security-s3-access-logging": Fixture(bucket_stack(), bucket_stack(skip=("logging",))),
    "security-s3-lifecycle": Fixture(
        bucket_stack(), [*bucket_stack("none", skip=("lifecycle",)),
                         *bucket_stack("no-abort", lifecycle={"rules": [{"id": "expire", "status": "Enabled",
                                                                         "filter": {"prefix": ""},
                                                                         "expiration": {"days": 30}}]})]),
    "security-s3-policy-not-public": Fixture(
        bucket_stack(), bucket_stack(policy={"policy": doc({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                                                            "Resource": "arn:aws:s3:::data/*"})})),
    "security-s3-no-public-acl": Fixture(
        bucket_stack(),
        [*bucket_stack("read", skip=("pab", "ownership"), policy={"policy": doc(allow(
            "s3:GetObject", "arn:aws:s3:::read/*", Principal={"AWS": f"arn:aws:iam::{ACCOUNT}:root"}))}),
         R(BUCKET_ACL, "read-acl", {"bucket": "read", "acl": "public-read"}, {"bucket": ["read"]}),
         *bucket_stack("write", skip=("pab", "ownership")),
         R(BUCKET_ACL, "write-acl", {"bucket": "write", "acl": "public-read-write"}, {"bucket": ["write"]}),
         *bucket_stack("everyone", skip=("pab", "ownership")),
         R(BUCKET_ACL, "everyone-acl", {"bucket": "everyone", "accessControlPolicy": {"owner": {"id": "owner"}, "grants": [
             {"permission": "READ", "grantee": {"type": "Group", "uri": "http://acs.amazonaws.com/groups/global/AllUsers"}}]}},
           {"bucket": ["everyone"]}),
         *bucket_stack("accounts", skip=("pab", "ownership")),
         R(BUCKET_ACL, "accounts-acl", {"bucket": "accounts", "accessControlPolicy": {"owner": {"id": "owner"}, "grants": [
             {"permission": "READ", "grantee": {"type": "Group",
                                                "uri": "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"}}]}},
           {"bucket": ["accounts"]}),
         *bucket_stack("acl-readers", skip=("pab", "ownership")),
         R(BUCKET_ACL, "acl-readers-acl", {"bucket": "acl-readers", "accessControlPolicy": {"owner": {"id": "owner"}, "grants": [
             {"permission": "READ_ACP", "grantee": {"type": "Group",
                                                    "uri": "http://acs.amazonaws.com/groups/global/AllUsers"}}]}},
           {"bucket": ["acl-readers"]})]),
    "security-s3-acls-disabled": Fixture(
        bucket_stack(), bucket_stack(ownership={"rule": {"objectOwnership": "ObjectWriter"}})),
    # ---- IoT (beyond both peers)
    "security-iot-policy-least-privilege": Fixture(
        [iot_policy(*DEVICE_STATEMENTS)], [iot_policy(allow("iot:*", "*"))]),
    "security-iot-device-publishes-own-topics": Fixture(
        [iot_policy(*DEVICE_STATEMENTS)],
        [iot_policy(DEVICE_STATEMENTS[0], allow("iot:Publish", arn("iot", "topic/devices/*/telemetry")))]),
    "security-iot-topic-rule-error-action": Fixture(
        [R(TOPIC_RULE, "rule", {"name": "telemetry", "enabled": True, "sql": "SELECT * FROM 'devices/+/telemetry'",
                                "sqlVersion": "2016-03-23", "sqs": [SQS_ACTION["sqs"]], "errorAction": SQS_ACTION})],
        [R(TOPIC_RULE, "rule", {"name": "telemetry", "enabled": True, "sql": "SELECT * FROM 'devices/+/telemetry'",
                                "sqlVersion": "2016-03-23", "sqs": [SQS_ACTION["sqs"]]})]),
    "security-iot-certificate-attached": Fixture(
        [R(CERTIFICATE, "cert", {"active": True, "csr": "-----BEGIN CERTIFICATE REQUEST-----"}),
         iot_policy(*DEVICE_STATEMENTS),
         R(IOT_ATTACHMENT, "attach", {"policy": "device-policy", "target": arn("iot", "cert/abc")},
           {"policy": ["device-policy"], "target": ["cert"]})],
        [R(CERTIFICATE, "cert", {"active": True, "csr": "-----BEGIN CERTIFICATE REQUEST-----"})]),
}
