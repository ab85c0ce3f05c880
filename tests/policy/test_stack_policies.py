"""Placement and the other stack policies, through ``AnalyzeStack`` with dependencies."""

from __future__ import annotations

import json

import pytest

from iot_tiers.offline.analyzer import UNKNOWN

from .conftest import res, urn

FN = "aws:lambda/function:Function"
API = "aws:apigatewayv2/api:Api"
INTEGRATION = "aws:apigatewayv2/integration:Integration"
SERVICE = "aws:ecs/service:Service"
TASKDEF = "aws:ecs/taskDefinition:TaskDefinition"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
QUEUE = "aws:sqs/queue:Queue"
INSTANCE = "aws:ec2/instance:Instance"
LT = "aws:ec2/launchTemplate:LaunchTemplate"
ASG = "aws:autoscaling/group:Group"
SUBNET = "aws:ec2/subnet:Subnet"
TARGET = "aws:appautoscaling/target:Target"

EVENT_5S = {"workload:connections": "none", "workload:trigger": "event", "workload:max-duration": "5"}


def trust(service):
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}]})


def allow(*actions):
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": list(actions), "Resource": "arn:aws:sqs:us-east-1:1:q"}]})


def lambda_behind_api(protocol, tags=None):
    return [
        res(FN, "handler", {"runtime": "python3.12", "timeout": 10, "tags": tags or {}}),
        res(API, "api", {"protocolType": protocol}),
        res(INTEGRATION, "integration", {"integrationType": "AWS_PROXY", "integrationUri": "arn:x"},
            deps={"apiId": [(API, "api")], "integrationUri": [(FN, "handler")]}),
    ]


def queue_worker(service_tags, policy_doc=None, launch="FARGATE"):
    return [
        res(QUEUE, "jobs", {"visibilityTimeoutSeconds": 30}),
        res(ROLE, "task-role", {"assumeRolePolicy": trust("ecs-tasks.amazonaws.com")}),
        res(ROLE_POLICY, "consume", {"policy": policy_doc or allow("sqs:ReceiveMessage", "sqs:DeleteMessage")},
            deps={"role": [(ROLE, "task-role")], "policy": [(QUEUE, "jobs")]}),
        res(TASKDEF, "worker-td", {"requiresCompatibilities": ["FARGATE"], "containerDefinitions": "[]"},
            deps={"taskRoleArn": [(ROLE, "task-role")]}),
        res(SERVICE, "worker", {"launchType": launch, "desiredCount": 2, "tags": service_tags},
            deps={"taskDefinition": [(TASKDEF, "worker-td")]}),
    ]


def instance(tags, instance_type="t3.micro", **props):
    return [res(INSTANCE, "box", {"instanceType": instance_type, "tags": tags, **props})]


def sidecar_service(desired, containers, target_max=None, declared=None):
    td_tags = {"iot-tiers:containers": declared} if declared is not None else {}
    out = [
        res(TASKDEF, "bridge-td", {"containerDefinitions": containers, "requiresCompatibilities": ["FARGATE"],
                                   "tags": td_tags}),
        res(SERVICE, "bridge", {"launchType": "FARGATE", "desiredCount": desired,
                                "tags": {"workload:connections": "persistent", "workload:trigger": "continuous"}},
            deps={"taskDefinition": [(TASKDEF, "bridge-td")]}),
    ]
    if target_max is not None:
        out.append(res(TARGET, "bridge-scaling", {"maxCapacity": target_max, "minCapacity": 1},
                       deps={"resourceId": [(SERVICE, "bridge")]}))
    return out


BRIDGE_AND_BROKER = json.dumps([{"name": "bridge", "image": "acct.dkr.ecr/bridge:1"},
                                {"name": "broker", "image": "eclipse-mosquitto:2.0"}])
BRIDGE_ONLY = json.dumps([{"name": "bridge", "image": "acct.dkr.ecr/bridge:1"}])


def ecs_capacity(instance_type):
    return [
        res(LT, "nodes-lt", {"instanceType": instance_type}),
        res(ASG, "nodes", {"maxSize": 2, "minSize": 1}, deps={"launchTemplate": [(LT, "nodes-lt")]}),
        res("aws:ecs/capacityProvider:CapacityProvider", "nodes-cp", {},
            deps={"autoScalingGroupProvider": [(ASG, "nodes")]}),
    ]


def subnets_service(*azs):
    subnets = [res(SUBNET, f"s{i}", {"availabilityZone": az}) for i, az in enumerate(azs)]
    svc = res(SERVICE, "api", {"launchType": "FARGATE", "desiredCount": 2,
                               "networkConfiguration": {"subnets": ["x"] * len(azs)},
                               "tags": {"workload:connections": "persistent", "workload:trigger": "continuous"}},
              deps={"networkConfiguration": [(SUBNET, f"s{i}") for i in range(len(azs))]})
    return [*subnets, svc]


def esm(queue_props):
    return [res(QUEUE, "src", queue_props),
            res(FN, "consumer", {"runtime": "python3.12", "tags": EVENT_5S}),
            res("aws:lambda/eventSourceMapping:EventSourceMapping", "esm", {},
                deps={"eventSourceArn": [(QUEUE, "src")], "functionName": [(FN, "consumer")]})]


def async_fn(fn_props):
    return [res(FN, "notify", {"runtime": "python3.12", "tags": EVENT_5S, **fn_props}),
            res("aws:lambda/permission:Permission", "from-sns", {"principal": "sns.amazonaws.com"},
                deps={"function": [(FN, "notify")]})]


def lambda_role(doc):
    return [res(ROLE, "fn-role", {"assumeRolePolicy": trust("lambda.amazonaws.com")}),
            res(ROLE_POLICY, "fn-policy", {"policy": doc}, deps={"role": [(ROLE, "fn-role")]})]


def logged_fn(with_group):
    out = [res(FN, "logged", {"runtime": "python3.12", "tags": EVENT_5S,
                              "loggingConfig": {"logGroup": "/app/logged", "logFormat": "JSON"}})]
    if with_group:
        out.append(res("aws:cloudwatch/logGroup:LogGroup", "logged-logs", {"name": "/app/logged",
                                                                          "retentionInDays": 7}))
    return out


# policy, violating resource (type, name), passing stack, failing stack, words the message must hold
CASES = [
    ("placement-workload-service", (FN, "handler"), lambda_behind_api("HTTP", EVENT_5S),
     lambda_behind_api("WEBSOCKET", EVENT_5S), ["ECS Fargate", "step 1", "WEBSOCKET API 'api'"]),
    ("placement-workload-service", (SERVICE, "worker"), queue_worker({"workload:connections": "persistent"}),
     queue_worker({"workload:connections": "none"}),
     ["on Lambda", "sqs:ReceiveMessage", "visibility timeout", "step 2"]),
    ("placement-workload-service", (SERVICE, "worker"), queue_worker({"workload:connections": "persistent"}),
     queue_worker({"workload:connections": "none"}, policy_doc=UNKNOWN),
     ["on Lambda", "actions unknown at preview"]),
    ("placement-workload-service", (INSTANCE, "box"),
     instance({"workload:connections": "none", "workload:trigger": "continuous"}),
     instance({"workload:connections": "none", "workload:trigger": "continuous"}, instance_type=UNKNOWN),
     ["cannot be verified at preview", "instance type", "not a pass"]),
    ("placement-profile-declared", (INSTANCE, "box"),
     instance({"workload:connections": "none", "workload:trigger": "continuous"}),
     [res(INSTANCE, "box", {"instanceType": "t3.micro", "tags": UNKNOWN})], ["unknown at preview", "the tags of"]),
    ("placement-profile-declared", (INSTANCE, "box"),
     instance({"workload:connections": "none", "workload:trigger": "continuous"}), instance({}),
     ["workload:connections", "workload:trigger", "cannot be inferred"]),
    ("placement-profile-consistent", (INSTANCE, "box"),
     instance({"workload:connections": "none", "workload:trigger": "continuous", "workload:gpu": "true"}, "g5.xlarge"),
     instance({"workload:connections": "none", "workload:trigger": "continuous", "workload:gpu": "false"}, "g5.xlarge"),
     ["workload:gpu=false", "g5.xlarge has a GPU"]),
    ("placement-profile-consistent", (INSTANCE, "box"),
     instance({"workload:connections": "persistent", "workload:trigger": "continuous",
               "workload:exemption": "moves in Q3"}),
     instance({"workload:connections": "persistent", "workload:trigger": "continuous", "workload:exemption": " "}),
     ["exemption", "reason"]),
    ("placement-profile-consistent", (INSTANCE, "box"),
     instance({"workload:connections": "none", "workload:trigger": "event", "workload:max-duration": "60"}),
     instance({"workload:connections": "none", "workload:trigger": "sometimes"}), ["allowed values"]),
    ("placement-exempted", (INSTANCE, "box"),
     instance({"workload:connections": "none", "workload:trigger": "continuous"}),
     instance({"workload:connections": "persistent", "workload:trigger": "continuous",
               "workload:exemption": "moves in Q3"}), ["exempted", "moves in Q3", "ECS Fargate"]),
    ("placement-broker-sidecar-single-task", (SERVICE, "bridge"), sidecar_service(1, BRIDGE_AND_BROKER),
     sidecar_service(2, BRIDGE_AND_BROKER), ["eclipse-mosquitto", "2 tasks"]),
    ("placement-broker-sidecar-single-task", (SERVICE, "bridge"), sidecar_service(3, BRIDGE_ONLY),
     sidecar_service(1, BRIDGE_AND_BROKER, target_max=4), ["scalable target 'bridge-scaling' allows 4"]),
    ("placement-broker-sidecar-single-task", (SERVICE, "bridge"), sidecar_service(1, UNKNOWN),
     sidecar_service(2, UNKNOWN), ["unknown at preview", "not a pass"]),
    # Definitions unknown at preview (a digest being built): the task definition's known
    # declaration of its containers stands in, both ways.
    ("placement-broker-sidecar-single-task", (SERVICE, "bridge"),
     sidecar_service(4, UNKNOWN, declared="bridge=built-by-this-stack"),
     sidecar_service(4, UNKNOWN, declared="bridge=built-by-this-stack broker=eclipse-mosquitto:2.0"),
     ["eclipse-mosquitto", "4 tasks"]),
    ("placement-gpu-instance-heavy-compute", (ASG, "nodes"), ecs_capacity("m7g.large"), ecs_capacity("g5.2xlarge"),
     ["ECS cluster", "g5.2xlarge"]),
    ("placement-gpu-instance-heavy-compute", (INSTANCE, "box"),
     instance({"workload:connections": "none", "workload:trigger": "event", "workload:max-duration": "60"}, "p4d.24xlarge"),
     instance({}, "p4d.24xlarge"), ["no workload profile"]),
    ("reliability-multi-az", (SERVICE, "api"), subnets_service("us-east-1a", "us-east-1b"),
     subnets_service("us-east-1a", "us-east-1a"), ["1 AZ(s)", "us-east-1a"]),
    ("reliability-multi-az", (SERVICE, "api"), subnets_service("us-east-1a", "us-east-1b"),
     subnets_service("us-east-1a", UNKNOWN), ["cannot verify", "unknown at preview"]),
    ("reliability-multi-az", (INSTANCE, "box"), [], instance({}), ["single instance"]),
    ("security-lambda-event-source-dlq", ("aws:lambda/eventSourceMapping:EventSourceMapping", "esm"),
     esm({"redrivePolicy": UNKNOWN}), esm({}), ["queue 'src'", "dead-letter"]),
    ("security-lambda-async-dlq", (FN, "notify"), async_fn({"deadLetterConfig": {"targetArn": "arn:aws:sqs:x"}}),
     async_fn({}), ["asynchronously", "sns.amazonaws.com"]),
    ("security-iam-no-wildcard-actions", (ROLE, "fn-role"), lambda_role(allow("sqs:SendMessage")),
     lambda_role(allow("*")), ["action '*'", "lambda.amazonaws.com"]),
    ("security-iam-no-wildcard-actions", (ROLE, "fn-role"), lambda_role(allow("sqs:SendMessage")),
     lambda_role(allow("dynamodb:*")), ["dynamodb:*"]),
    ("security-logs-workload-log-groups", (FN, "logged"), logged_fn(True), logged_fn(False), ["no log group"]),
]


@pytest.mark.parametrize("policy,target,good,bad,words", CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_stack_policy_passes_good_and_flags_bad_stack(default_config, policy, target, good, bad, words):
    assert [d for d in default_config.analyze_stack(good) if d.policy == policy] == []
    flagged = [d for d in default_config.analyze_stack(bad) if d.policy == policy]
    assert {(d.urn, d.level) for d in flagged} == {
        (urn(*target), "advisory" if policy == "placement-exempted" else "mandatory")}
    message = "\n".join(d.message for d in flagged)
    for word in words:
        assert word in message, (word, message)


def test_exempted_misplacement_is_not_a_mandatory_violation(default_config):
    stack = instance({"workload:connections": "persistent", "workload:trigger": "continuous",
                      "workload:exemption": "moves in Q3"})
    diags = default_config.analyze_stack(stack)
    assert [d.policy for d in diags if d.level == "mandatory" and d.policy.startswith("placement-")] == []


def test_gpu_instance_for_one_minute_event_jobs_is_placed_correctly(default_config):
    stack = instance({"workload:connections": "none", "workload:trigger": "event", "workload:max-duration": "60"},
                     "g5.xlarge")
    placement = [d for d in default_config.analyze_stack(stack) if d.policy.startswith("placement-")]
    assert placement == []


def test_exempted_multi_az_finding_moves_to_advisory(default_config):
    stack = instance({"workload:connections": "none", "workload:trigger": "continuous",
                      "workload:exemption": "single-node TSDB, snapshots restore in another AZ"})
    diags = default_config.analyze_stack(stack)
    assert not [d for d in diags if d.policy == "reliability-multi-az"]
    [d] = [d for d in diags if d.policy == "reliability-exempted"]
    assert d.level == "advisory" and "reliability-multi-az" in d.message and "single-node TSDB" in d.message
    assert not [d for d in diags if d.policy == "placement-exempted"]


def test_disabled_stack_policy_reports_nothing(pack):
    try:
        pack.configure({"reliability-multi-az": "disabled"})
        assert not [d for d in pack.analyze_stack(instance({})) if d.policy == "reliability-multi-az"]
    finally:
        pack.configure({})
