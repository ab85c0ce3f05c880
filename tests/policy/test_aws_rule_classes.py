"""Each class of AWS rule, at its edge: the last value AWS accepts passes, the first it refuses is a finding.

The limits are read here from botocore's installed service models through botocore's own
loader (``botocore.model``), not from the pack's reader, so a limit the pack misreads, or a
model that moves, fails a test. Resources go to the running pack over the analyzer protocol,
as the Pulumi CLI sends them; programs go through the offline preflight.
"""

from __future__ import annotations

import functools
import json
import re
import shutil

import pytest
from botocore.loaders import Loader
from botocore.model import ServiceModel

from iot_tiers.offline.analyzer import UNKNOWN
from iot_tiers.offline.preflight import run_preview
from iot_tiers_policy.aws_rules.names import AUTONAMES, RANDOM_LENGTH
from support import REPO_ROOT, REPO_STACK_CONFIG

from .conftest import PROGRAMS, res, urn

CONSTRAINTS = "aws-api-constraints"
CROSS = "aws-api-cross-resource"
NOT_CHECKABLE = "aws-api-not-checkable"

FUNCTION = "aws:lambda/function:Function"
ROLE = "aws:iam/role:Role"
TOPIC = "aws:sns/topic:Topic"
DLM = "aws:dlm/lifecyclePolicy:LifecyclePolicy"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
VOLUME = "aws:ebs/volume:Volume"
SG_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
QUEUE = "aws:sqs/queue:Queue"
ESM = "aws:lambda/eventSourceMapping:EventSourceMapping"
LB = "aws:lb/loadBalancer:LoadBalancer"
SERVICE = "aws:ecs/service:Service"
TASKDEF = "aws:ecs/taskDefinition:TaskDefinition"
TARGET_GROUP = "aws:lb/targetGroup:TargetGroup"
API = "aws:apigatewayv2/api:Api"
INTEGRATION = "aws:apigatewayv2/integration:Integration"

ROLE_ARN = "arn:aws:iam::123456789012:role/worker"
LAMBDA = {"runtime": "python3.12", "handler": "app.handler", "role": ROLE_ARN, "timeout": 30, "memorySize": 256}


@functools.lru_cache(maxsize=None)
def model(service: str) -> ServiceModel:
    return ServiceModel(Loader().load_service_model(service, "service-2"), service_name=service)


def member(service: str, operation: str, name: str):
    return model(service).operation_model(operation).input_shape.members[name]


def documentation(service: str, operation: str, name: str) -> str:
    return re.sub(r"<[^>]+>", " ", member(service, operation, name).documentation)


def findings(pack, typ: str, name: str, props: dict, policy: str = CONSTRAINTS) -> list[str]:
    """The detail of each ``policy`` violation of one resource (the policy's description line dropped)."""
    diags = [d for d in pack.analyze(res(typ, name, props)) if d.policy == policy]
    assert all(d.level == "mandatory" and d.urn == urn(typ, name) for d in diags)
    return [d.message.split("\n", 1)[-1] for d in diags]


def stack_findings(pack, resources, policy: str = CROSS) -> list[tuple[str, str]]:
    return [(d.urn.rsplit("::", 1)[-1], d.message.split("\n", 1)[-1])
            for d in pack.analyze_stack(resources) if d.policy == policy]


def one(found: list[str], *words: str) -> str:
    assert len(found) == 1, found
    for word in words:
        assert word in found[0], f"{word!r} not in {found[0]!r}"
    return found[0]


# ---------------------------------------------------------------- the model's rules


def test_a_required_member_left_out_is_named_by_the_input_that_fills_it(default_config):
    required = model("lambda").operation_model("CreateFunction").input_shape.required_members
    assert "Role" in required
    assert findings(default_config, FUNCTION, "worker", LAMBDA) == []
    without = {k: v for k, v in LAMBDA.items() if k != "role"}
    one(findings(default_config, FUNCTION, "worker", without), "role is not set", "requires Role")


def test_a_value_of_the_wrong_type_is_refused_and_one_the_provider_converts_is_not(default_config):
    assert member("lambda", "CreateFunction", "MemorySize").type_name == "integer"
    assert findings(default_config, FUNCTION, "worker", {**LAMBDA, "memorySize": "512"}) == []
    one(findings(default_config, FUNCTION, "worker", {**LAMBDA, "memorySize": "512MB"}),
        "memorySize = '512MB' is a string; AWS takes a whole number")
    one(findings(default_config, FUNCTION, "worker", {**LAMBDA, "publish": "yes"}),
        "publish = 'yes' is a string; AWS takes true or false")
    one(findings(default_config, FUNCTION, "worker", {**LAMBDA, "environment": "TABLE=readings"}),
        "environment = 'TABLE=readings' is a string; AWS takes an object")


def test_a_value_outside_the_models_enum_is_refused(default_config):
    runtimes = member("lambda", "CreateFunction", "Runtime").enum
    assert "python3.12" in runtimes and "python3.12.1" not in runtimes
    assert findings(default_config, FUNCTION, "worker", {**LAMBDA, "runtime": "python3.12"}) == []
    one(findings(default_config, FUNCTION, "worker", {**LAMBDA, "runtime": "python3.12.1"}),
        "runtime = 'python3.12.1' is not one of the values AWS accepts", "python3.12")


def test_a_name_at_the_models_maximum_length_passes_and_one_more_character_is_refused(default_config):
    longest = member("iam", "CreateRole", "RoleName").metadata["max"]
    trust = json.dumps({"Version": "2012-10-17", "Statement": []})
    assert findings(default_config, ROLE, "r", {"name": "r" * longest, "assumeRolePolicy": trust}) == []
    one(findings(default_config, ROLE, "r", {"name": "r" * (longest + 1), "assumeRolePolicy": trust}),
        f"is {longest + 1} characters long; AWS allows 1 to {longest} characters")


def test_an_sns_topic_name_of_the_documented_256_passes_and_257_is_refused(default_config):
    # The model gives topicName no max; its documentation states the limit.
    assert "max" not in member("sns", "CreateTopic", "Name").metadata
    limit = int(re.search(r"between 1 and (\d+) characters", documentation("sns", "CreateTopic", "Name")).group(1))
    assert limit == 256
    assert findings(default_config, TOPIC, "t", {"name": "t" * limit}) == []
    one(findings(default_config, TOPIC, "t", {"name": "t" * (limit + 1)}), "not a valid topic name", "1-256")


@pytest.mark.parametrize("which", ["min", "max"])
def test_lambda_memory_at_the_models_bounds_passes_and_one_past_them_is_refused(default_config, which):
    meta = member("lambda", "CreateFunction", "MemorySize").metadata
    assert meta["max"] == 32768  # the model the issue quotes: newer than most blog posts
    edge, past = meta[which], meta[which] + (1 if which == "max" else -1)
    assert findings(default_config, FUNCTION, "worker", {**LAMBDA, "memorySize": edge}) == []
    one(findings(default_config, FUNCTION, "worker", {**LAMBDA, "memorySize": past}),
        f"memorySize = {past} is out of range; AWS allows {meta['min']} to {meta['max']}")


def test_lambda_timeout_follows_the_model_and_its_documented_1800_second_limit(default_config):
    most = member("lambda", "CreateFunction", "Timeout").metadata["max"]
    assert most == 5400 and "maximum allowed value is 1,800 seconds" in documentation("lambda", "CreateFunction",
                                                                                        "Timeout")
    managed = {"capacityProviderConfig": {"lambdaManagedInstancesCapacityProviderConfig": {
        "capacityProviderArn": "arn:aws:lambda:us-east-1:123456789012:capacity-provider:fleet"}}}
    assert findings(default_config, FUNCTION, "worker", {**LAMBDA, "timeout": 1800}) == []
    one(findings(default_config, FUNCTION, "worker", {**LAMBDA, "timeout": 1801}), "above Lambda's 1,800 s maximum",
        "Lambda Managed Instances")
    assert findings(default_config, FUNCTION, "worker", {**LAMBDA, **managed, "timeout": most}) == []
    one(findings(default_config, FUNCTION, "worker", {**LAMBDA, **managed, "timeout": most + 1}),
        f"timeout = {most + 1} is out of range; AWS allows 1 to {most}")


def dlm(description: str) -> dict:
    return {"description": description, "executionRoleArn": ROLE_ARN, "state": "ENABLED",
            "policyDetails": {"resourceTypes": ["VOLUME"], "targetTags": {"backup": "daily"},
                              "schedules": [{"name": "daily", "createRule": {"interval": 24},
                                             "retainRule": {"count": 7}}]}}


def test_a_value_the_models_pattern_refuses_as_a_whole_is_refused(default_config):
    pattern = member("dlm", "CreateLifecyclePolicy", "Description").metadata["pattern"]
    assert re.fullmatch(pattern, "data volume - daily") and not re.fullmatch(pattern, "data volume: daily")
    assert findings(default_config, DLM, "snapshots", dlm("data volume - daily")) == []
    one(findings(default_config, DLM, "snapshots", dlm("data volume: daily")),
        "description = 'data volume: daily'", f"does not match the pattern AWS requires, {pattern}",
        "(characters not allowed: ':')")


def test_a_list_over_the_models_size_is_refused(default_config):
    most = member("lambda", "CreateFunction", "Architectures").metadata["max"]
    assert findings(default_config, FUNCTION, "worker", {**LAMBDA, "architectures": ["arm64"] * most}) == []
    one(findings(default_config, FUNCTION, "worker", {**LAMBDA, "architectures": ["arm64"] * (most + 1)}),
        f"has {most + 1} items; AWS allows exactly {most} item")


# ---------------------------------------------------------------- rules the models do not express


def test_a_log_retention_the_documentation_does_not_list_is_refused(default_config):
    listed = [int(n) for n in re.findall(r"\b\d+\b", documentation("logs", "PutRetentionPolicy", "retentionInDays"))]
    assert listed[-1] == 3653 and 3654 not in listed
    assert findings(default_config, LOG_GROUP, "logs", {"name": "/team/app", "retentionInDays": 3653}) == []
    one(findings(default_config, LOG_GROUP, "logs", {"name": "/team/app", "retentionInDays": 3654}),
        "retentionInDays = 3654", "PutRetentionPolicy retentionInDays documentation")


def test_ebs_iops_past_the_documented_range_of_its_volume_type_is_refused(default_config):
    assert re.search(r"gp3:\s*3,000\s*\(\s*default\s*\)\s*-\s*80,000", documentation("ec2", "CreateVolume", "Iops"))
    gp3 = {"availabilityZone": "us-east-1a", "type": "gp3", "size": 100}
    assert findings(default_config, VOLUME, "data", {**gp3, "iops": 80000, "throughput": 2000}) == []
    one(findings(default_config, VOLUME, "data", {**gp3, "iops": 80001}), "iops = 80001",
        "out of range for a gp3 volume; AWS allows 3,000 to 80,000 IOPS")
    one(findings(default_config, VOLUME, "data", {**gp3, "type": "gp2", "throughput": 125}),
        "a gp2 volume takes no throughput")


def test_a_cidr_block_that_is_not_a_network_address_is_refused_as_the_provider_refuses_it(default_config):
    rule = {"type": "ingress", "securityGroupId": "sg-0a1b2c3d", "protocol": "tcp", "fromPort": 8883,
            "toPort": 8883, "description": "MQTT from the plant"}
    assert findings(default_config, SG_RULE, "mqtt", {**rule, "cidrBlocks": ["10.20.0.0/16"]}) == []
    one(findings(default_config, SG_RULE, "mqtt", {**rule, "cidrBlocks": ["10.20.0.1/16"]}),
        "cidrBlocks[0] = '10.20.0.1/16'", "did you mean '10.20.0.0/16'?", "verify.ValidCIDRNetworkAddress")


# ---------------------------------------------------------------- auto-names


def test_an_auto_name_at_the_types_limit_passes_and_one_character_more_is_refused(default_config):
    limit = AUTONAMES[FUNCTION].maxlen
    edge = "w" * (limit - RANDOM_LENGTH - 1)  # logical name, "-", 7 random characters
    assert findings(default_config, FUNCTION, edge, LAMBDA) == []
    one(findings(default_config, FUNCTION, edge + "w", LAMBDA), "pulumi-aws refuses to auto-name it",
        f"longer than maximum length {limit}")


def test_a_load_balancer_auto_name_past_elbs_documented_32_is_refused(default_config):
    assert "maximum of 32 characters" in documentation("elbv2", "CreateLoadBalancer", "Name")
    edge = "d" * (32 - RANDOM_LENGTH - 1)
    props = {"loadBalancerType": "application", "subnets": ["subnet-a", "subnet-b"]}
    assert findings(default_config, LB, edge, props) == []
    one(findings(default_config, LB, edge + "d", props), "name (auto-named", "is 33 characters long (at most 32)")


# ---------------------------------------------------------------- rules across resources


def queue_and_function(visibility: int, timeout: int):
    queue = res(QUEUE, "readings", {"visibilityTimeoutSeconds": visibility})
    fn = res(FUNCTION, "worker", {**LAMBDA, "timeout": timeout})
    esm = res(ESM, "trigger", {"eventSourceArn": UNKNOWN, "functionName": UNKNOWN, "batchSize": 10},
              deps={"eventSourceArn": [(QUEUE, "readings")], "functionName": [(FUNCTION, "worker")]})
    return [queue, fn, esm]


def test_a_queue_visibility_equal_to_the_function_timeout_passes_and_one_second_less_is_refused(default_config):
    # The hard rule is visibility >= timeout (AWS recommends 6x, which is advice, not a refusal).
    assert stack_findings(default_config, queue_and_function(120, 120)) == []
    [(where, text)] = stack_findings(default_config, queue_and_function(119, 120))
    assert where == "trigger" and "visibility timeout (119 s) is shorter than the function's timeout (120 s)" in text


def fifo_batch(size: int):
    queue = res(QUEUE, "orders", {"fifoQueue": True, "visibilityTimeoutSeconds": 300})
    esm = res(ESM, "trigger", {"eventSourceArn": UNKNOWN, "functionName": "worker", "batchSize": size},
              deps={"eventSourceArn": [(QUEUE, "orders")]})
    return [queue, esm]


def test_a_batch_from_a_fifo_queue_of_the_documented_10_passes_and_11_is_refused(default_config):
    assert "For FIFO queues the max is 10" in documentation("lambda", "CreateEventSourceMapping", "BatchSize")
    assert stack_findings(default_config, fifo_batch(10)) == []
    [(where, text)] = stack_findings(default_config, fifo_batch(11))
    assert where == "trigger" and "batchSize (queue 'orders' is FIFO) = 11 is above 10" in text


def awsvpc_service(target_type: str | None):
    tg = res(TARGET_GROUP, "web", {"port": 80, "protocol": "HTTP", **({"targetType": target_type} if target_type
                                                                      else {})})
    td = res(TASKDEF, "web", {"family": "web", "networkMode": "awsvpc", "containerDefinitions": "[]"})
    service = res(SERVICE, "web", {"taskDefinition": UNKNOWN, "loadBalancers": [
        {"targetGroupArn": UNKNOWN, "containerName": "web", "containerPort": 80}]},
        deps={"taskDefinition": [(TASKDEF, "web")], "loadBalancers": [(TARGET_GROUP, "web")]})
    return [tg, td, service]


def test_an_awsvpc_service_behind_a_target_group_of_type_instance_is_refused(default_config):
    doc = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", model("ecs").shape_for("LoadBalancer")
                                     .members["targetGroupArn"].documentation))
    assert "uses the awsvpc network mode, you must choose ip as the target type, not instance" in doc
    assert stack_findings(default_config, awsvpc_service("ip")) == []
    [(where, text)] = stack_findings(default_config, awsvpc_service(None))
    assert where == "web" and "left at its default, instance" in text and "needs target type ip" in text


def websocket_integration(timeout: int):
    api = res(API, "ws", {"protocolType": "WEBSOCKET", "routeSelectionExpression": "$request.body.action"})
    integration = res(INTEGRATION, "lambda", {"apiId": UNKNOWN, "integrationType": "AWS_PROXY",
                                              "timeoutMilliseconds": timeout}, deps={"apiId": [(API, "ws")]})
    return [api, integration]


def test_a_websocket_integration_timeout_of_29000_ms_passes_and_29001_is_refused(default_config):
    assert "between 50 and 29,000 milliseconds for WebSocket APIs" in documentation(
        "apigatewayv2", "CreateIntegration", "TimeoutInMillis")
    assert stack_findings(default_config, websocket_integration(29000)) == []
    [(where, text)] = stack_findings(default_config, websocket_integration(29001))
    assert where == "lambda" and "= 29001 is above 29,000 ms" in text


# ---------------------------------------------------------------- values not known at preview


def test_an_unknown_input_is_no_finding_and_is_counted_once_per_stack(default_config):
    fn = res(FUNCTION, "worker", {**LAMBDA, "role": UNKNOWN, "memorySize": UNKNOWN})
    queue = res(QUEUE, "readings", {"visibilityTimeoutSeconds": 60, "kmsMasterKeyId": UNKNOWN})
    assert findings(default_config, FUNCTION, "worker", fn.properties) == []
    diags = [d for d in default_config.analyze_stack([fn, queue]) if d.policy == NOT_CHECKABLE]
    assert len(diags) == 1 and diags[0].level == "advisory" and diags[0].urn in ("", None)
    detail = diags[0].message.split("\n", 1)[-1]
    assert detail.startswith("3 inputs not checkable at preview")
    for named in ("worker.role", "worker.memorySize", "readings.kmsMasterKeyId"):
        assert named in detail
    known = res(FUNCTION, "worker", LAMBDA)
    assert [d for d in default_config.analyze_stack([known]) if d.policy == NOT_CHECKABLE] == []


# ---------------------------------------------------------------- programs written by a team


def aws_findings(result) -> set[tuple[str, str, str]]:
    """(policy, resource, the input the detail starts with) of every aws-api-constraints/-cross-resource finding."""
    names = {r.urn: r.name for r in result.capture.resources}
    out = set()
    for v in result.violations:
        if v.policy in (CONSTRAINTS, CROSS):
            assert v.level == "mandatory"
            detail = v.message.split("\n", 1)[-1]
            out.add((v.policy, names[v.urn], detail.split(" = ")[0].split(" ")[0]))
    return out


#: The issue's list of resource types a team's IoT program uses, as pulumi-aws types.
ISSUE_TYPES = [
    "aws:lambda/function:Function", "aws:lambda/alias:Alias", "aws:lambda/permission:Permission",
    "aws:lambda/eventSourceMapping:EventSourceMapping", "aws:sqs/queue:Queue", "aws:sqs/queuePolicy:QueuePolicy",
    "aws:sns/topic:Topic", "aws:sns/topicSubscription:TopicSubscription", "aws:dynamodb/table:Table",
    "aws:iot/topicRule:TopicRule", "aws:iot/policy:Policy", "aws:iot/certificate:Certificate",
    "aws:ecs/cluster:Cluster", "aws:ecs/service:Service", "aws:ecs/taskDefinition:TaskDefinition",
    "aws:lb/loadBalancer:LoadBalancer", "aws:lb/targetGroup:TargetGroup", "aws:lb/listener:Listener",
    "aws:ec2/securityGroup:SecurityGroup", "aws:ec2/securityGroupRule:SecurityGroupRule",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", "aws:ec2/launchTemplate:LaunchTemplate",
    "aws:autoscaling/group:Group", "aws:ec2/instance:Instance", "aws:ebs/volume:Volume",
    "aws:dlm/lifecyclePolicy:LifecyclePolicy", "aws:cloudwatch/logGroup:LogGroup",
    "aws:cloudwatch/metricAlarm:MetricAlarm", "aws:cloudwatch/logMetricFilter:LogMetricFilter",
    "aws:iam/role:Role", "aws:iam/policy:Policy", "aws:iam/rolePolicy:RolePolicy", "aws:kms/key:Key",
    "aws:kms/alias:Alias", "aws:secretsmanager/secret:Secret", "aws:ecr/repository:Repository",
    "aws:ecr/lifecyclePolicy:LifecyclePolicy", "aws:s3/bucket:Bucket", "aws:s3/bucketVersioning:BucketVersioning",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "aws:s3/bucketPolicy:BucketPolicy",
    "aws:s3/bucketLogging:BucketLogging", "aws:apigatewayv2/api:Api", "aws:apigatewayv2/stage:Stage",
    "aws:apigatewayv2/route:Route", "aws:apigatewayv2/integration:Integration",
]


#: Types mapped in this round (the repo's own stacks create none of them): the team programs below cover them.
NEWLY_COVERED = {
    "aws:sqs/queuePolicy:QueuePolicy", "aws:sns/topicPolicy:TopicPolicy", "aws:ec2/securityGroupRule:SecurityGroupRule",
    "aws:cloudwatch/logMetricFilter:LogMetricFilter", "aws:kms/alias:Alias", "aws:s3/bucketVersioning:BucketVersioning",
    "aws:s3/bucketLogging:BucketLogging", "aws:apigatewayv2/api:Api", "aws:apigatewayv2/stage:Stage",
    "aws:apigatewayv2/route:Route", "aws:apigatewayv2/integration:Integration", "aws:lambda/functionUrl:FunctionUrl",
    "aws:ecr/repositoryPolicy:RepositoryPolicy", "aws:iot/thing:Thing", "aws:cloudwatch/eventRule:EventRule",
    "aws:cloudwatch/eventTarget:EventTarget",
}


def test_every_resource_type_the_issue_lists_is_mapped_onto_the_request_that_creates_it():
    from iot_tiers_policy.aws_rules.requests import CALLS

    assert [t for t in ISSUE_TYPES if t not in CALLS] == []


@pytest.mark.parametrize("unknowns", ["known", "first-preview"])
def test_a_teams_correct_stack_of_the_newly_covered_types_asks_aws_for_nothing_it_refuses(unknowns):
    result = run_preview(PROGRAMS / "aws_team_coverage", "dev", unknowns=unknowns)
    assert aws_findings(result) == set()
    created = {r.type for r in result.capture.resources if r.custom}
    assert NEWLY_COVERED <= created, "the program exercises the types it is meant to"
    assert (result.not_checkable == 0) == (unknowns == "known")


#: The mistakes of programs/aws_team_mistakes, and the finding each gets.
MISTAKES = {
    (CONSTRAINTS, "telemetry-key-alias", "name"),                 # documented: alias/ prefix
    (CONSTRAINTS, "raw-readings-lifecycle", "rules[0].transitions[0].storageClass"),  # enum
    (CONSTRAINTS, "ingest", "memorySize"),                        # type: "512MB"
    (CONSTRAINTS, "ingest-errors", "metricTransformation.namespace"),  # pattern [^:*$]*
    (CONSTRAINTS, "ingest-errors-alarm", "period,"),              # documented: 90 s period
    (CONSTRAINTS, "devices", "attributes,"),                      # provider: an attribute that is no key
    (CONSTRAINTS, "broker-mqtt-1883", "cidrBlocks[0]"),           # provider: a host address
    (CONSTRAINTS, "broker-mqtt-8883", "cidrBlocks[0]"),
    (CONSTRAINTS, "nightly-export-of-yesterdays-raw-readings-to-the-data-lake-bucket", "name"),  # auto-name > 64
    # The target names the rule; under the mocks the rule's too-long name reaches it too.
    (CONSTRAINTS, "nightly-export-ingest", "rule"),
    (CROSS, "ingest-from-queue", "eventSourceArn"),               # visibility 20 s < timeout 30 s
    (CROSS, "dashboard-ws-lambda", "timeoutMilliseconds"),        # 30,000 ms on a WebSocket API
}


def test_a_teams_first_draft_gets_one_finding_per_mistake_and_no_other():
    assert aws_findings(run_preview(PROGRAMS / "aws_team_mistakes", "dev")) == MISTAKES


# ---------------------------------------------------------------- the repo's own stacks and the example


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_the_repo_stacks_have_no_aws_api_finding_and_count_what_a_first_preview_leaves_open(stack):
    known = run_preview(REPO_ROOT, stack, extra_config=REPO_STACK_CONFIG[stack])
    assert aws_findings(known) == set() and known.not_checkable == 0
    assert known.summary()["notCheckableAtPreview"] == 0
    first = run_preview(REPO_ROOT, stack, unknowns="first-preview", extra_config=REPO_STACK_CONFIG[stack])
    assert aws_findings(first) == set()
    advisories = [v for v in first.violations if v.policy == NOT_CHECKABLE]
    assert len(advisories) == 1 and first.not_checkable > 0
    assert f"{first.not_checkable} inputs not checkable at preview" in advisories[0].message
    # The human report and --json say the same.
    from iot_tiers.cli.preview import render

    assert f"AWS API rules: {first.not_checkable} inputs not checkable at preview" in render(first)
    assert first.as_json()["summary"]["notCheckableAtPreview"] == first.not_checkable


EXAMPLE = REPO_ROOT / "examples" / "team-telemetry"


def test_the_team_example_with_one_bad_value_gets_exactly_that_finding(tmp_path):
    most = member("iam", "CreateRole", "MaxSessionDuration").metadata["max"]
    program = tmp_path / "team-telemetry"
    shutil.copytree(EXAMPLE, program, ignore=shutil.ignore_patterns("__pycache__", "venv"))
    assert aws_findings(run_preview(program, "dev")) == set()
    main = program / "__main__.py"
    source = main.read_text()
    assert source.count('aws.iam.Role("greenhouse-api", ') == 1
    main.write_text(source.replace('aws.iam.Role("greenhouse-api", ',
                                   f'aws.iam.Role("greenhouse-api", max_session_duration={most + 1}, '))
    result = run_preview(program, "dev")
    names = {r.urn: r.name for r in result.capture.resources}
    found = [(v.policy, names[v.urn], v.message.split("\n", 1)[-1]) for v in result.violations
             if v.policy in (CONSTRAINTS, CROSS)]
    assert len(found) == 1, found
    policy, resource, detail = found[0]
    assert (policy, resource) == (CONSTRAINTS, "greenhouse-api")
    assert detail.startswith(f"maxSessionDuration = {most + 1} is out of range; AWS allows 3600 to {most}")


def test_with_the_count_disabled_the_preview_says_nothing_rather_than_zero(tmp_path):
    from iot_tiers.cli.preview import render

    config = tmp_path / "policy-config.json"
    config.write_text(json.dumps({NOT_CHECKABLE: "disabled"}))
    result = run_preview(PROGRAMS / "aws_team_coverage", "dev", unknowns="first-preview", policy_config=config)
    assert result.not_checkable is None and result.summary()["notCheckableAtPreview"] is None
    assert "not checkable at preview" not in render(result)
