"""The decision rule at its edges, through the pack's own protocol (AnalyzeStack).

Local storage follows ENGINEERING.md's contract (Fargate gives 20 GiB free and up to
200 GiB; only durable local disk or a need above 200 GiB is step 0; a root volume
deleted with its instance is not durable, whatever its size). Lambda's step-2
threshold is the rule's 900 s by default and a pack setting; AWS's own limit is
botocore's. awsx components give the same verdict opaque (under mocks) and expanded
(a real preview). Compute the rule does not name is reported, never passed.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import botocore
import pytest

from iot_tiers_policy import decision as d

from .conftest import res, urn

INSTANCE = "aws:ec2/instance:Instance"
LT = "aws:ec2/launchTemplate:LaunchTemplate"
ASG = "aws:autoscaling/group:Group"
VOLUME = "aws:ebs/volume:Volume"
ATTACHMENT = "aws:ec2/volumeAttachment:VolumeAttachment"
FN = "aws:lambda/function:Function"
ESM = "aws:lambda/eventSourceMapping:EventSourceMapping"
QUEUE = "aws:sqs/queue:Queue"
SERVICE = "aws:ecs/service:Service"
TASKDEF = "aws:ecs/taskDefinition:TaskDefinition"
AWSX_SERVICE = "awsx:ecs:FargateService"

PERSISTENT = {"workload:connections": "persistent", "workload:trigger": "continuous"}


def placement(diags, target):
    """{policy: message} of the placement findings on ``target`` (type, name)."""
    return {x.policy: x.message for x in diags if x.urn == urn(*target) and x.policy.startswith("placement-")}


def instance(**props):
    return [res(INSTANCE, "box", {"instanceType": "m6i.large", "tags": PERSISTENT, **props})]


# ---------------------------------------------------------------- local storage

@pytest.mark.parametrize("props,expected", [
    # A root volume deleted with its instance holds the OS: no reason for EC2, whatever its size.
    ({"rootBlockDevice": {"volumeSize": 500}}, "fargate"),
    ({"rootBlockDevice": {"volumeSize": 2000, "deleteOnTermination": True}}, "fargate"),
    # A root volume that outlives the instance is durable local disk.
    ({"rootBlockDevice": {"volumeSize": 30, "deleteOnTermination": False}}, "ec2"),
    # A data volume deleted with the instance is scratch: only above Fargate's 200 GiB.
    ({"ebsBlockDevices": [{"deviceName": "/dev/sdf", "volumeSize": 200}]}, "fargate"),
    ({"ebsBlockDevices": [{"deviceName": "/dev/sdf", "volumeSize": 201}]}, "ec2"),
    ({"ebsBlockDevices": [{"deviceName": "/dev/sdf", "volumeSize": 10, "deleteOnTermination": False}]}, "ec2"),
    # An instance store the workload maps.
    ({"ephemeralBlockDevices": [{"deviceName": "/dev/sdb", "virtualName": "ephemeral0"}]}, "ec2"),
    ({"ephemeralBlockDevices": [{"deviceName": "/dev/sdb", "virtualName": "ephemeral0", "noDevice": True}]},
     "fargate"),
])
def test_only_durable_disk_or_more_than_200_gib_is_step_0(default_config, props, expected):
    found = placement(default_config.analyze_stack(instance(**props)), (INSTANCE, "box"))
    if expected == "ec2":
        assert found == {}, found
    else:
        message = found["placement-workload-service"]
        assert "places it on ECS Fargate" in message and "step 0: needs a GPU, durable local disk" in message
        assert "? no -> continue; step 1: holds persistent connections? yes -> ECS Fargate" in message


def test_a_separate_volume_attached_to_the_instance_is_durable_disk(default_config):
    stack = [*instance(),
             res(VOLUME, "data", {"size": 50, "availabilityZone": "us-east-1a"}),
             res(ATTACHMENT, "data", {"deviceName": "/dev/sdf"},
                 deps={"volumeId": [(VOLUME, "data")], "instanceId": [(INSTANCE, "box")]})]
    assert placement(default_config.analyze_stack(stack), (INSTANCE, "box")) == {}


@pytest.mark.parametrize("device,size,keeps,expected", [
    ("/dev/xvda", 500, None, "fargate"),      # the root, deleted with the instance
    ("/dev/xvda", 30, "false", "ec2"),        # the root, kept
    ("/dev/xvdf", 150, None, "fargate"),      # scratch within 200 GiB
    ("/dev/xvdf", 300, "true", "ec2"),        # scratch above 200 GiB
    ("/dev/xvdf", 20, "false", "ec2"),        # a data volume kept after termination
])
def test_launch_template_volumes_follow_the_same_rule(default_config, device, size, keeps, expected):
    ebs = {"volumeSize": size, **({"deleteOnTermination": keeps} if keeps else {})}
    stack = [res(LT, "nodes-lt", {"instanceType": "m6i.large", "blockDeviceMappings": [
                {"deviceName": device, "ebs": ebs}]}),
             res(ASG, "nodes", {"minSize": 2, "maxSize": 2, "tags": [
                 {"key": k, "value": v, "propagateAtLaunch": True} for k, v in PERSISTENT.items()]},
                 deps={"launchTemplate": [(LT, "nodes-lt")]})]
    found = placement(default_config.analyze_stack(stack), (ASG, "nodes"))
    assert (found == {}) == (expected == "ec2"), found


def test_fargate_ephemeral_storage_is_never_step_0(default_config):
    stack = [res(TASKDEF, "td", {"requiresCompatibilities": ["FARGATE"], "containerDefinitions": "[]",
                                 "ephemeralStorage": {"sizeInGib": 200}}),
             res(SERVICE, "svc", {"launchType": "FARGATE", "desiredCount": 2, "tags": PERSISTENT},
                 deps={"taskDefinition": [(TASKDEF, "td")]})]
    assert placement(default_config.analyze_stack(stack), (SERVICE, "svc")) == {}


def test_a_declared_disk_smaller_than_a_kept_volume_is_a_contradiction_a_big_deleted_root_is_not(default_config):
    tags = {**PERSISTENT, "workload:disk-gb": "0"}
    kept = placement(default_config.analyze_stack(instance(tags=tags, rootBlockDevice={
        "volumeSize": 40, "deleteOnTermination": False})), (INSTANCE, "box"))
    assert "workload:disk-gb=0, but it keeps its 40 GB root volume after termination" in \
        kept["placement-profile-consistent"]
    deleted = placement(default_config.analyze_stack(instance(tags=tags, rootBlockDevice={"volumeSize": 900})),
                        (INSTANCE, "box"))
    assert "placement-profile-consistent" not in deleted


# ---------------------------------------------------------------- Lambda's threshold and AWS's limit

def _botocore_lambda_timeout() -> tuple[dict, str]:
    path = Path(botocore.__file__).parent / "data" / "lambda" / "2015-03-31" / "service-2.json.gz"
    model = json.loads(gzip.open(path).read())
    return model["shapes"]["Timeout"], model["shapes"]["CreateFunctionRequest"]["members"]["Timeout"]["documentation"]


def test_the_lambda_limits_are_botocores():
    shape, doc = _botocore_lambda_timeout()
    assert shape["max"] == d.LAMBDA_MANAGED_INSTANCES_TIMEOUT_LIMIT_S
    assert f"maximum allowed value is {d.LAMBDA_TIMEOUT_LIMIT_S:,} seconds" in doc
    assert f"default is {d.LAMBDA_DEFAULT_TIMEOUT_S} seconds" in doc
    assert d.RULE_LAMBDA_THRESHOLD_S == 900 < d.LAMBDA_TIMEOUT_LIMIT_S


def sqs_lambda(timeout):
    return [res(QUEUE, "jobs", {"visibilityTimeoutSeconds": 6 * timeout}),
            res(FN, "worker", {"runtime": "python3.12", "timeout": timeout}),
            res(ESM, "esm", {}, deps={"eventSourceArn": [(QUEUE, "jobs")], "functionName": [(FN, "worker")]})]


def test_over_the_rules_threshold_is_not_impossible_on_lambda(default_config):
    message = placement(default_config.analyze_stack(sqs_lambda(1200)), (FN, "worker"))["placement-workload-service"]
    assert "1200 s >= 900 s: over the rule's threshold, within Lambda's own 1,800 s limit" in message
    assert "places it on EC2" in message


def test_the_threshold_is_a_pack_setting(pack):
    try:
        pack.configure({"placement-workload-service": {"lambdaMaxDurationS": 1800}})
        assert placement(pack.analyze_stack(sqs_lambda(1200)), (FN, "worker")) == {}
        message = placement(pack.analyze_stack(sqs_lambda(1800)), (FN, "worker"))["placement-workload-service"]
        assert "done in under the rule's 1800 s threshold? no" in message
    finally:
        pack.configure({})


def test_a_declared_unit_longer_than_lambdas_limit_cites_the_current_limit(default_config):
    stack = sqs_lambda(60)
    stack[1].properties["tags"] = {"workload:connections": "none", "workload:trigger": "event",
                                   "workload:max-duration": "2400"}
    found = placement(default_config.analyze_stack(stack), (FN, "worker"))
    assert "over Lambda's 1,800 s limit (only asynchronous and event-source-mapping invocations on Lambda " \
           "Managed Instances allow up to 5,400 s)" in found["placement-workload-service"]
    assert "its timeout is 60 s: it is killed before such a unit of work ends" in found["placement-profile-consistent"]


# ---------------------------------------------------------------- remote components

def awsx_service(tags, *, expanded: bool):
    """An awsx.ecs.FargateService as under mocks (opaque) or as in a real preview (its children too)."""
    svc = res(AWSX_SERVICE, "dashboard", {"tags": tags, "desiredCount": 2, "taskDefinitionArgs": {"container": {
        "name": "ws", "image": "nginx", "portMappings": [{"containerPort": 8080}]}}})
    if not expanded:
        return [svc]
    parent = urn(AWSX_SERVICE, "dashboard")
    td = res(TASKDEF, "dashboard", {"requiresCompatibilities": ["FARGATE"], "tags": tags, "containerDefinitions":
                                    json.dumps([{"name": "ws", "image": "nginx",
                                                 "portMappings": [{"containerPort": 8080}]}])}, parent=parent)
    child = res(SERVICE, "dashboard", {"launchType": "FARGATE", "desiredCount": 2, "tags": tags},
                deps={"taskDefinition": [(TASKDEF, "dashboard")]}, parent=parent)
    return [svc, td, child]


@pytest.mark.parametrize("tags,verdict", [
    (PERSISTENT, set()),
    ({"workload:connections": "none", "workload:trigger": "continuous"}, {"placement-workload-service"}),
    ({}, {"placement-profile-declared"}),
])
def test_an_awsx_service_gets_the_same_verdict_opaque_and_expanded_never_both(default_config, tags, verdict):
    opaque = default_config.analyze_stack(awsx_service(tags, expanded=False))
    expanded = default_config.analyze_stack(awsx_service(tags, expanded=True))
    assert set(placement(opaque, (AWSX_SERVICE, "dashboard"))) == verdict
    # Expanded: the child service is judged, the component's inputs are not.
    assert set(placement(expanded, (SERVICE, "dashboard"))) == verdict
    assert placement(expanded, (AWSX_SERVICE, "dashboard")) == {}
    if tags == {}:
        for diags in (opaque, expanded):
            [msg] = [x.message for x in diags if x.policy == "placement-profile-declared"]
            assert "workload:connections is not declared" in msg and "listens on port 8080" in msg


def test_a_component_children_inherit_its_profile_tags(default_config):
    stack = awsx_service(PERSISTENT, expanded=True)
    for r in stack[1:]:
        r.properties.pop("tags")
    assert placement(default_config.analyze_stack(stack), (SERVICE, "dashboard")) == {}


# ---------------------------------------------------------------- outside the rule

@pytest.mark.parametrize("typ,props", [
    ("aws:apprunner/service:Service", {"serviceName": "portal"}),
    ("aws:batch/jobDefinition:JobDefinition", {"type": "container"}),
    ("aws:eks/nodeGroup:NodeGroup", {"instanceTypes": ["m6i.large"]}),
    ("aws:sfn/activity:Activity", {}),
    ("aws:lightsail/instance:Instance", {"bundleId": "nano_3_0"}),
])
def test_compute_the_rule_does_not_name_is_reported_as_not_assessed(default_config, typ, props):
    diags = default_config.analyze_stack([res(typ, "other", props)])
    [found] = [x for x in diags if x.urn == urn(typ, "other") and x.policy.startswith("placement-")]
    assert (found.policy, found.level) == ("placement-not-assessed", "advisory")
    assert "not assessed by the decision rule" in found.message


def test_every_unassessed_type_is_a_resource_of_the_aws_provider():
    from iot_tiers.offline.schema import resource_class
    from iot_tiers_policy.workload import UNASSESSED_COMPUTE

    assert [t for t in UNASSESSED_COMPUTE if resource_class(t) is None] == []


def test_the_multi_az_rule_is_a_reliability_policy_with_its_old_settings(pack):
    names = {p.name: p for p in pack.info.policies}
    assert "placement-multi-az-prod" not in names
    assert set(names["reliability-multi-az"].config_schema) == {"minAzs", "minTasks", "allowSingleInstances"}
    for env in ("dev", "prod"):
        config = json.loads((Path(__file__).resolve().parents[2] / "policies" / "config" / f"{env}.json").read_text())
        assert "placement-multi-az-prod" not in config and "reliability-multi-az" in config
