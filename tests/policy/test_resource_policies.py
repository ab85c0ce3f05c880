"""Every per-resource policy, with a passing and a failing resource, through ``Analyze``."""

from __future__ import annotations

import base64
import json

import pytest

from iot_tiers.offline.analyzer import UNKNOWN

from .conftest import res, urn

TASKDEF = "aws:ecs/taskDefinition:TaskDefinition"
SERVICE = "aws:ecs/service:Service"
CLUSTER = "aws:ecs/cluster:Cluster"
FUNCTION = "aws:lambda/function:Function"
INSTANCE = "aws:ec2/instance:Instance"
LT = "aws:ec2/launchTemplate:LaunchTemplate"


def containers(**over):
    c = {"name": "app", "image": "app:1", "readonlyRootFilesystem": True,
         "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": "g"}}}
    c.update(over)
    return {"containerDefinitions": json.dumps([c]), "networkMode": "awsvpc"}


def doc(principal="*", condition=None):
    st = {"Effect": "Allow", "Principal": principal, "Action": "sqs:SendMessage", "Resource": "*"}
    if condition:
        st["Condition"] = condition
    return json.dumps({"Version": "2012-10-17", "Statement": [st]})


LAMBDA_OK = {"runtime": "python3.12", "reservedConcurrentExecutions": 5,
             "environment": {"variables": {"TABLE_NAME": "t", "DB_PASSWORD_ARN": "arn:aws:secretsmanager:x"}}}

CASES = [
    # policy, type, passing props, failing props
    ("security-ecs-no-privileged-containers", TASKDEF, containers(), containers(privileged=True)),
    ("security-ecs-readonly-root-filesystem", TASKDEF, containers(), containers(readonlyRootFilesystem=False)),
    ("security-ecs-no-secrets-in-environment", TASKDEF,
     containers(environment=[{"name": "MQTT_BROKER_URL", "value": "mqtts://broker:8883"}]),
     containers(environment=[{"name": "DB_PASSWORD", "value": "hunter22"}])),
    ("security-ecs-container-logging", TASKDEF, containers(), containers(logConfiguration=None)),
    ("security-ecs-no-host-namespaces", TASKDEF, containers(), {**containers(), "pidMode": "host"}),
    ("security-ecs-non-root-user", TASKDEF, containers(user="1000"), containers(user="root")),
    ("security-ecs-service-no-public-ip", SERVICE,
     {"networkConfiguration": {"subnets": ["s"], "assignPublicIp": False}},
     {"networkConfiguration": {"subnets": ["s"], "assignPublicIp": True}}),
    ("security-ecs-cluster-container-insights", CLUSTER,
     {"settings": [{"name": "containerInsights", "value": "enabled"}]}, {}),
    ("security-ecs-fargate-latest-platform", SERVICE, {"launchType": "FARGATE"},
     {"launchType": "FARGATE", "platformVersion": "1.3.0"}),
    ("security-lambda-no-secrets-in-environment", FUNCTION, LAMBDA_OK,
     {**LAMBDA_OK, "environment": {"variables": {"API_TOKEN": "s3cr3t-value"}}}),
    ("security-lambda-supported-runtime", FUNCTION, LAMBDA_OK, {**LAMBDA_OK, "runtime": "python3.7"}),
    ("security-lambda-concurrency-limit", FUNCTION, LAMBDA_OK,
     {k: v for k, v in LAMBDA_OK.items() if k != "reservedConcurrentExecutions"}),
    ("security-lambda-no-public-permission", "aws:lambda/permission:Permission",
     {"principal": "apigateway.amazonaws.com", "sourceArn": "arn:aws:execute-api:x"}, {"principal": "*"}),
    ("security-lambda-url-requires-auth", "aws:lambda/functionUrl:FunctionUrl",
     {"authorizationType": "AWS_IAM"}, {"authorizationType": "NONE"}),
    ("security-ec2-imdsv2", INSTANCE, {"metadataOptions": {"httpTokens": "required"}},
     {"metadataOptions": {"httpTokens": "optional"}}),
    ("security-ec2-imdsv2", LT, {"metadataOptions": {"httpTokens": "required"}}, {}),
    ("security-ec2-no-public-ip", INSTANCE, {"associatePublicIpAddress": False}, {"associatePublicIpAddress": True}),
    ("security-ec2-no-public-ip", LT, {"networkInterfaces": [{"associatePublicIpAddress": "false"}]},
     {"networkInterfaces": [{"associatePublicIpAddress": "true"}]}),
    ("security-ec2-encrypted-volumes", INSTANCE, {"rootBlockDevice": {"encrypted": True}},
     {"rootBlockDevice": {"encrypted": True}, "ebsBlockDevices": [{"deviceName": "/dev/sdf", "volumeSize": 50}]}),
    ("security-ec2-encrypted-volumes", "aws:ebs/volume:Volume", {"encrypted": True, "size": 10}, {"size": 10}),
    ("security-ec2-no-open-ingress", "aws:ec2/securityGroup:SecurityGroup",
     {"ingress": [{"protocol": "tcp", "fromPort": 443, "toPort": 443, "cidrBlocks": ["0.0.0.0/0"]}]},
     {"ingress": [{"protocol": "tcp", "fromPort": 22, "toPort": 22, "cidrBlocks": ["0.0.0.0/0"]}]}),
    ("security-ec2-no-open-ingress", "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
     {"cidrIpv4": "10.0.0.0/16", "fromPort": 1883, "toPort": 1883, "ipProtocol": "tcp"},
     {"cidrIpv4": "0.0.0.0/0", "fromPort": 1883, "toPort": 1883, "ipProtocol": "tcp"}),
    ("security-ec2-no-secrets-in-user-data", LT,
     {"userData": base64.b64encode(b"#!/bin/sh\necho hello\n").decode()},
     {"userData": base64.b64encode(b"#!/bin/sh\nexport DB_PASSWORD=hunter2222\n").decode()}),
    ("security-dynamodb-encryption", "aws:dynamodb/table:Table", {"serverSideEncryption": {"enabled": True}}, {}),
    ("security-dynamodb-point-in-time-recovery", "aws:dynamodb/table:Table",
     {"pointInTimeRecovery": {"enabled": True}}, {"pointInTimeRecovery": {"enabled": False}}),
    ("security-dynamodb-deletion-protection", "aws:dynamodb/table:Table", {"deletionProtectionEnabled": True}, {}),
    ("security-sqs-encryption", "aws:sqs/queue:Queue", {"sqsManagedSseEnabled": True},
     {"sqsManagedSseEnabled": False}),
    ("security-sqs-policy-not-public", "aws:sqs/queuePolicy:QueuePolicy",
     {"policy": doc(condition={"ArnEquals": {"aws:SourceArn": "arn:aws:sns:x"}})}, {"policy": doc()}),
    ("security-sns-encryption", "aws:sns/topic:Topic", {"kmsMasterKeyId": "alias/k"}, {}),
    ("security-sns-policy-not-public", "aws:sns/topicPolicy:TopicPolicy",
     {"policy": doc(principal={"Service": "cloudwatch.amazonaws.com"})}, {"policy": doc(principal={"AWS": "*"})}),
    ("security-iam-no-admin-managed-policies", "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
     {"policyArn": "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"},
     {"policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}),
    ("security-iam-trust-no-wildcard-principal", "aws:iam/role:Role",
     {"assumeRolePolicy": doc(principal={"Service": "lambda.amazonaws.com"})}, {"assumeRolePolicy": doc()}),
    ("security-lb-https-listeners", "aws:lb/listener:Listener",
     {"protocol": "HTTP", "port": 80, "defaultActions": [{"type": "redirect", "redirect": {"protocol": "HTTPS"}}]},
     {"protocol": "HTTP", "port": 80, "defaultActions": [{"type": "forward"}]}),
    ("security-lb-tls12-policy", "aws:lb/listener:Listener",
     {"protocol": "HTTPS", "sslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06"}, {"protocol": "HTTPS"}),
    ("security-lb-drop-invalid-headers", "aws:lb/loadBalancer:LoadBalancer", {"dropInvalidHeaderFields": True}, {}),
    ("security-lb-access-logs", "aws:alb/loadBalancer:LoadBalancer",
     {"accessLogs": {"enabled": True, "bucket": "logs"}}, {}),
    ("security-lb-deletion-protection", "aws:lb/loadBalancer:LoadBalancer", {"enableDeletionProtection": True}, {}),
    ("security-logs-retention", "aws:cloudwatch/logGroup:LogGroup", {"retentionInDays": 14}, {}),
]


def _ids(case):
    return f"{case[0]}-{case[1].rsplit(':', 1)[-1]}"


@pytest.mark.parametrize("policy,typ,good,bad", CASES, ids=[_ids(c) for c in CASES])
def test_policy_passes_good_and_blocks_bad_resource(default_config, policy, typ, good, bad):
    passing = default_config.analyze(res(typ, "good", good))
    assert [d for d in passing if d.policy == policy] == []
    failing = [d for d in default_config.analyze(res(typ, "bad", bad)) if d.policy == policy]
    assert failing, f"{policy} did not flag {bad}"
    assert {(d.level, d.urn, d.pack) for d in failing} == {("mandatory", urn(typ, "bad"), "iot-tiers")}


def test_every_security_resource_policy_has_a_case(pack):
    covered = {c[0] for c in CASES}
    resource_policies = {p.name for p in pack.info.policies if p.type == "resource" and p.name.startswith("security-")}
    assert resource_policies <= covered, f"no fixture for {sorted(resource_policies - covered)}"


def test_unknown_security_input_is_the_standard_cant_run_advisory(default_config):
    diags = default_config.analyze(res(TASKDEF, "td", {"containerDefinitions": UNKNOWN}))
    privileged = [d for d in diags if d.policy == "security-ecs-no-privileged-containers"]
    assert len(privileged) == 1 and privileged[0].level == "advisory"
    assert "can't run policy" in privileged[0].message and privileged[0].urn == urn(TASKDEF, "td")


def test_policy_config_changes_level_and_settings(pack):
    try:
        pack.configure({"security-logs-retention": {"enforcementLevel": "advisory", "minRetentionDays": 30}})
        diags = pack.analyze(res("aws:cloudwatch/logGroup:LogGroup", "short", {"retentionInDays": 7}))
        [d] = [d for d in diags if d.policy == "security-logs-retention"]
        assert d.level == "advisory" and "at least 30" in d.message
        pack.configure({"security-logs-retention": "disabled"})
        diags = pack.analyze(res("aws:cloudwatch/logGroup:LogGroup", "none", {}))
        assert [d for d in diags if d.policy == "security-logs-retention"] == []
    finally:
        pack.configure({})


def test_every_policy_has_concern_prefix_severity_description_and_remediation(pack):
    assert len(pack.info.policies) >= 37
    for p in pack.info.policies:
        assert p.name.split("-", 1)[0] in ("placement", "security", "reliability", "cost"), p.name
        assert p.description, p.name
        if not p.name.startswith("cost-"):  # cost policies are another module's owner's to pin
            assert p.severity and p.remediation, p.name
    security = [p for p in pack.info.policies if p.name.startswith("security-")]
    assert len(security) >= 30
