"""aws-api-constraints and aws-api-cross-resource: what AWS would refuse, caught at preview.

Resources are sent to the running pack over the analyzer protocol (``Analyze`` and
``AnalyzeStack``), as the Pulumi CLI sends them; two fixture programs of plain
pulumi_aws (a team's stack with the mistakes, and the same stack put right) go
through the offline preflight. The rules themselves come from botocore's models and
AWS's documentation, quoted in each expected message.
"""

from __future__ import annotations

import json

import pytest

from iot_tiers.offline.analyzer import UNKNOWN
from iot_tiers.offline.preflight import run_preview

from .conftest import PROGRAMS, res, urn

CONSTRAINTS = "aws-api-constraints"
CROSS = "aws-api-cross-resource"

FUNCTION = "aws:lambda/function:Function"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
QUEUE = "aws:sqs/queue:Queue"
ESM = "aws:lambda/eventSourceMapping:EventSourceMapping"
PROVISIONED = "aws:lambda/provisionedConcurrencyConfig:ProvisionedConcurrencyConfig"
TASKDEF = "aws:ecs/taskDefinition:TaskDefinition"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
SG = "aws:ec2/securityGroup:SecurityGroup"
DLM = "aws:dlm/lifecyclePolicy:LifecyclePolicy"
TARGET_GROUP = "aws:lb/targetGroup:TargetGroup"
TOPIC_RULE = "aws:iot/topicRule:TopicRule"
LB = "aws:lb/loadBalancer:LoadBalancer"
SUBNET = "aws:ec2/subnet:Subnet"

ROLE_ARN = "arn:aws:iam::123456789012:role/worker"
LAMBDA = {"runtime": "python3.12", "handler": "app.handler", "role": ROLE_ARN, "timeout": 30, "memorySize": 256}


def fargate(cpu: str = "256", memory: str = "512", **container) -> dict:
    c = {"name": "web", "image": "public.ecr.aws/nginx/nginx:1.27", "essential": True, **container}
    return {"family": "web", "cpu": cpu, "memory": memory, "networkMode": "awsvpc",
            "requiresCompatibilities": ["FARGATE"], "containerDefinitions": json.dumps([c])}


def snapshots(description: str, schedule: str = "daily") -> dict:
    return {"description": description, "executionRoleArn": ROLE_ARN, "state": "ENABLED",
            "policyDetails": {"policyType": "EBS_SNAPSHOT_MANAGEMENT", "resourceTypes": ["VOLUME"],
                              "targetTags": {"backup": "daily"},
                              "schedules": [{"name": schedule, "createRule": {"interval": 24, "intervalUnit": "HOURS",
                                                                               "times": "03:00"},
                                             "retainRule": {"count": 7}}]}}


# kind, type, logical name, passing inputs, failing inputs, words the failing message holds
CASES = [
    ("enum", FUNCTION, "worker", LAMBDA, {**LAMBDA, "runtime": "nodejs16"},
     ["runtime = 'nodejs16'", "not one of the values AWS accepts", "nodejs16.x", "CreateFunction Runtime"]),
    ("length", ROLE, "worker-role", {"name": "worker-role", "assumeRolePolicy": "{}"},
     {"name": "greenhouse-ingest-worker-execution-role-for-the-production-stacks", "assumeRolePolicy": "{}"},
     ["name = 'greenhouse-ingest", "65 characters long; AWS allows 1 to 64", "iam 2010-05-08 CreateRole RoleName"]),
    ("pattern", DLM, "snapshots", snapshots("data volume - daily"), snapshots("data volume: daily, keep 7"),
     ["description = 'data volume: daily, keep 7'", "[0-9A-Za-z _-]+", "',:'",
      "dlm 2018-01-12 CreateLifecyclePolicy Description (PolicyDescription)"]),
    ("pattern", DLM, "snapshots", snapshots("data volume"), snapshots("data volume", "daily, keep 7"),
     ["policyDetails.schedules[0].name = 'daily, keep 7'", "PolicyDetails.Schedules[].Name (ScheduleName)"]),
    ("pattern", FUNCTION, "worker", {**LAMBDA, "tags": {"workload:exemption": "moves in Q3 - TICKET-42"}},
     {**LAMBDA, "tags": {"workload:exemption": "moves in Q3 (TICKET-42)"}},
     ["tags['workload:exemption']", "'()'", "CreateFunction Tags[key] (TagValue)"]),
    ("range", FUNCTION, "worker", LAMBDA, {**LAMBDA, "memorySize": 64},
     ["memorySize = 64 is out of range; AWS allows 128 to", "CreateFunction MemorySize"]),
    ("size", FUNCTION, "worker", {**LAMBDA, "architectures": ["arm64"]},
     {**LAMBDA, "architectures": ["x86_64", "arm64"]}, ["architectures", "has 2 items; AWS allows exactly 1 item ["]),
    ("required", TASKDEF, "web", fargate(healthCheck={"command": ["CMD", "true"], "interval": 30}),
     fargate(healthCheck={"interval": 30}),
     ["containerDefinitions[0].healthCheck.command is not set: HealthCheck requires command",
      "RegisterTaskDefinition containerDefinitions[].healthCheck.command"]),
    ("name", TARGET_GROUP, "dashboard-ws", {"port": 3000, "protocol": "HTTP", "targetType": "ip"},
     {"port": 3000, "protocol": "HTTP", "targetType": "ip"},
     ["pulumi-aws refuses to auto-name it", "over its maximum of 32",
      "name 'greenhouse-dashboard-websockets-' plus 7 random chars is longer than maximum length 32"]),
    ("name", TOPIC_RULE, "readings", {"sql": "SELECT * FROM 'a/b'", "sqlVersion": "2016-03-23", "enabled": True,
                                      "name": "sensor_readings"},
     {"sql": "SELECT * FROM 'a/b'", "sqlVersion": "2016-03-23", "enabled": True},
     ["name (auto-named", "'sensor-readings_0a1b2c3'", "^[a-zA-Z0-9_]+$", "characters not allowed: '-'"]),
    ("documented", LOG_GROUP, "logs", {"name": "/team/app", "retentionInDays": 30},
     {"name": "/team/app", "retentionInDays": 45},
     ["retentionInDays = 45", "1, 3, 5, 7, 14, 30", "botocore logs PutRetentionPolicy retentionInDays documentation"]),
    ("documented", SG, "web-sg", {"description": "the web tier", "vpcId": "vpc-1"},
     {"description": "the dashboard's web tier", "vpcId": "vpc-1"},
     ["description = \"the dashboard's web tier\"", "(\"'\")", "._-:/()#,@[]+=&;{}!$*",
      "botocore ec2 CreateSecurityGroup Description documentation"]),
    ("cross-field", TASKDEF, "web", fargate("256", "2048"), fargate("256", "4096"),
     ["cpu, memory memory 4096 MiB does not pair with cpu 256 on Fargate", "512, 1024, 2048",
      "botocore ecs RegisterTaskDefinition memory documentation"]),
]
#: The logical name each failing case is sent under, when it differs from the passing one.
FAILING_NAME = {("name", TARGET_GROUP): "greenhouse-dashboard-websockets", ("name", TOPIC_RULE): "sensor-readings"}


def aws_diags(diags, policy=CONSTRAINTS):
    return [d for d in diags if d.policy == policy]


@pytest.mark.parametrize("kind,typ,name,good,bad,words", CASES,
                         ids=[f"{c[0]}-{c[1].split(':')[-1]}-{i}" for i, c in enumerate(CASES)])
def test_an_input_aws_refuses_is_a_mandatory_violation_naming_input_value_and_rule(
        default_config, kind, typ, name, good, bad, words):
    assert aws_diags(default_config.analyze(res(typ, name, good))) == []
    bad_name = FAILING_NAME.get((kind, typ), name)
    failing = aws_diags(default_config.analyze(res(typ, bad_name, bad)))
    assert failing, f"{kind}: {bad} was not flagged"
    assert {(d.level, d.urn) for d in failing} == {("mandatory", urn(typ, bad_name))}
    text = " ".join(d.message for d in failing)
    for word in words:
        assert word in text, f"{word!r} not in {text!r}"


def esm_stack(visibility: int, timeout: int):
    queue = res(QUEUE, "readings", {"visibilityTimeoutSeconds": visibility})
    fn = res(FUNCTION, "worker", {**LAMBDA, "timeout": timeout})
    esm = res(ESM, "trigger", {"eventSourceArn": "arn:aws:sqs:us-east-1:123456789012:readings",
                               "functionName": "worker", "batchSize": 10},
              deps={"eventSourceArn": [(QUEUE, "readings")], "functionName": [(FUNCTION, "worker")]})
    return [queue, fn, esm], urn(ESM, "trigger")


def provisioned_stack(reserved: int, provisioned: int):
    fn = res(FUNCTION, "worker", {**LAMBDA, "reservedConcurrentExecutions": reserved, "publish": True})
    pc = res(PROVISIONED, "warm", {"functionName": "worker", "qualifier": "live",
                                   "provisionedConcurrentExecutions": provisioned},
             deps={"functionName": [(FUNCTION, "worker")]})
    return [fn, pc], urn(PROVISIONED, "warm")


def alb_stack(zones: tuple[str, str]):
    subnets = [res(SUBNET, f"public-{i}", {"availabilityZone": z, "vpcId": "vpc-1"}) for i, z in enumerate(zones)]
    lb = res(LB, "dashboard", {"loadBalancerType": "application", "subnets": ["subnet-a", "subnet-b"]},
             deps={"subnets": [(SUBNET, "public-0"), (SUBNET, "public-1")]})
    return [*subnets, lb], urn(LB, "dashboard")


def role_stack(statements: int):
    doc = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": f"S{i}", "Effect": "Allow", "Action": ["dynamodb:GetItem", "dynamodb:Query"],
         "Resource": f"arn:aws:dynamodb:us-east-1:123456789012:table/readings-{i:04d}"} for i in range(statements)]})
    role = res(ROLE, "worker-role", {"assumeRolePolicy": "{}"})
    policies = [res(ROLE_POLICY, f"read-{n}", {"role": "worker-role", "policy": doc},
                    deps={"role": [(ROLE, "worker-role")]}) for n in range(2)]
    return [role, *policies], urn(ROLE, "worker-role")


STACK_CASES = [
    ("queue visibility", esm_stack(720, 120), esm_stack(30, 120),
     ["visibility timeout (30 s) is shorter than the function's timeout (120 s)", "services-sqs-configure"]),
    ("provisioned concurrency", provisioned_stack(10, 5), provisioned_stack(1, 5),
     ["reserves 1 concurrent executions, but its provisioned concurrency adds up to 5"]),
    ("alb zones", alb_stack(("us-east-1a", "us-east-1b")), alb_stack(("us-east-1a", "us-east-1a")),
     ["all in one Availability Zone (us-east-1a)", "CreateLoadBalancer Subnets"]),
    ("role inline total", role_stack(20), role_stack(60),
     ["inline policies of role 'worker-role' add up to", "IAM allows 10240 per role", "reference_iam-quotas"]),
]


@pytest.mark.parametrize("what,good,bad,words", STACK_CASES, ids=[c[0] for c in STACK_CASES])
def test_a_rule_across_resources_blocks_the_resource_aws_would_refuse(default_config, what, good, bad, words):
    assert aws_diags(default_config.analyze_stack(good[0]), CROSS) == []
    failing = aws_diags(default_config.analyze_stack(bad[0]), CROSS)
    assert {(d.level, d.urn) for d in failing} == {("mandatory", bad[1])}
    text = " ".join(d.message for d in failing)
    for word in words:
        assert word in text, f"{word!r} not in {text!r}"


# ---------------------------------------------------------------- fail soft

GARBAGE = [
    ("unknown name and description", SG, {"name": UNKNOWN, "description": UNKNOWN, "vpcId": UNKNOWN}),
    ("unknown container definitions", TASKDEF, {**fargate(), "containerDefinitions": UNKNOWN}),
    ("unknown inside a list", FUNCTION, {**LAMBDA, "architectures": [UNKNOWN], "role": UNKNOWN}),
    ("an input no API member takes", FUNCTION, {**LAMBDA, "replacementSecurityGroupIds": ["sg-1"], "x": {"y": 1}}),
    ("a type nobody mapped", "aws:sfn/activity:Activity", {"name": "!!"}),
]


@pytest.mark.parametrize("what,typ,props", GARBAGE, ids=[g[0] for g in GARBAGE])
def test_what_cannot_be_judged_is_not_a_violation(default_config, what, typ, props):
    assert aws_diags(default_config.analyze(res(typ, "r", props))) == []


def test_an_unjudgeable_input_does_not_hide_a_refused_one_beside_it(default_config):
    diags = aws_diags(default_config.analyze(res(FUNCTION, "worker", {**LAMBDA, "role": UNKNOWN, "x": ["y"],
                                                                       "runtime": "nodejs16"})))
    assert len(diags) == 1 and "runtime = 'nodejs16'" in diags[0].message


def test_a_check_that_raises_is_noted_and_the_other_calls_still_run(monkeypatch):
    """In-process: one API call's builder crashes; the resource's other calls are still checked."""
    from iot_tiers_policy.aws_rules import check_resource, requests

    def broken(_req):
        raise RuntimeError("mapping bug")

    calls = requests.CALLS[LOG_GROUP]
    monkeypatch.setitem(requests.CALLS, LOG_GROUP, [requests.Call("logs", "CreateLogGroup", build=broken), calls[1]])
    result = check_resource(LOG_GROUP, "logs", {"name": "/team/app", "retentionInDays": 45})
    assert any("mapping bug" in n for n in result.notes)
    assert [v.input for v in result.violations] == ["retentionInDays"]


def test_the_policies_are_mandatory_in_every_environment(pack):
    from support import REPO_ROOT

    for env in ("dev", "prod"):
        config = json.loads((REPO_ROOT / "policies" / "config" / f"{env}.json").read_text())
        assert config[CONSTRAINTS] == "mandatory" and config[CROSS] == "mandatory"
    for name in (CONSTRAINTS, CROSS):
        info = pack.info.policy(name)
        assert info is not None and info.level == "mandatory" and info.severity == "high"


# ---------------------------------------------------------------- fixture programs


def refused(result) -> set[tuple[str, str, str]]:
    """(policy, resource, the input the message starts with) of every aws-api-constraints/-cross-resource violation."""
    names = {r.urn: r.name for r in result.capture.resources}
    out = set()
    for v in result.violations:
        if v.policy in (CONSTRAINTS, CROSS):
            assert v.level == "mandatory"
            detail = v.message.split("\n", 1)[-1]
            out.add((v.policy, names[v.urn], detail.split(" = ")[0].split(" ")[0]))
    return out


#: What AWS (or pulumi-aws) refuses in programs/aws_refused, and the rule that says so.
REFUSED = {
    (CONSTRAINTS, "readings", "messageRetentionSeconds"),   # SQS: 60 s to 14 days
    (CONSTRAINTS, "ingest", "memorySize"),                  # botocore MemorySize min 128
    (CONSTRAINTS, "ingest", "architectures[0]"),            # enum x86_64 | arm64
    (CONSTRAINTS, "ingest-trigger", "batchSize,"),          # batch > 10 needs a batching window
    (CONSTRAINTS, "ingest-logs", "name"),                   # log group name pattern (a space)
    (CONSTRAINTS, "ingest-logs", "retentionInDays"),        # 45 is not a retention period
    (CONSTRAINTS, "sensor-readings", "name"),               # auto-name 'sensor-readings_xxxxxxx' has a hyphen
    (CONSTRAINTS, "dashboard-sg", "description"),           # an apostrophe
    (CONSTRAINTS, "greenhouse-dashboard-websockets", "name"),  # pulumi-aws: over 32 characters
    (CONSTRAINTS, "dashboard", "cpu,"),                     # Fargate 256 CPU with 4096 MiB
    (CONSTRAINTS, "dashboard", "containerDefinitions[0].healthCheck.command"),  # required
    (CROSS, "ingest-trigger", "eventSourceArn"),            # visibility 30 s < timeout 120 s
    (CROSS, "ingest-warm", "provisionedConcurrentExecutions"),  # 5 provisioned > 1 reserved
    (CROSS, "dashboard", "subnets"),                        # both subnets in us-east-1a
}


def test_a_teams_stack_with_inputs_aws_refuses_is_blocked_on_each_of_them():
    result = run_preview(PROGRAMS / "aws_refused", "dev")
    assert refused(result) == REFUSED
    assert not result.passed


def test_the_same_stack_put_right_passes_both_policies():
    result = run_preview(PROGRAMS / "aws_accepted", "dev")
    assert refused(result) == set()


CLEAN = PROGRAMS.parent / "clean"


@pytest.mark.parametrize("program", sorted(p.name for p in CLEAN.iterdir() if (p / "Pulumi.yaml").exists()))
def test_programs_others_wrote_correctly_ask_aws_for_nothing_it_refuses(program):
    """The security tests' clean programs, written in other styles by other hands: no false alarm here either."""
    assert refused(run_preview(CLEAN / program, "dev")) == set()


def test_a_first_preview_with_unknown_outputs_flags_a_subset_and_never_the_corrected_stack():
    """Computed values (ARNs, ids) unknown, as in a real first preview: fewer verdicts, no new ones."""
    first = refused(run_preview(PROGRAMS / "aws_refused", "dev", unknowns="first-preview"))
    assert first <= REFUSED and {(CONSTRAINTS, "ingest", "memorySize"), (CROSS, "dashboard", "subnets")} <= first
    assert refused(run_preview(PROGRAMS / "aws_accepted", "dev", unknowns="first-preview")) == set()
