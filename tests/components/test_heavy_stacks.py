"""The HeavyComputeTier in the repo's dev and prod stacks, every role, under the capturing mocks.

The stacks run as ``pulumi preview`` would run them (``__main__.py`` with
Pulumi.yaml + Pulumi.<stack>.yaml), once with the roles the stack files list and
once with all four roles switched on, so each role is checked with dev's and
prod's settings.
"""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

import pytest

from iot_tiers.offline.harness import Capture, CapturedResource, run_stack
from support import REPO_ROOT, REPO_STACK_CONFIG

REPO = REPO_ROOT
ALL_ROLES = ["broker", "timeseries", "inference", "batch"]
BATCH_IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/etl:1.4"
TIER = "iot-tiers:index:HeavyComputeTier"

LT = "aws:ec2/launchTemplate:LaunchTemplate"
INSTANCE = "aws:ec2/instance:Instance"
ASG = "aws:autoscaling/group:Group"
VOLUME = "aws:ebs/volume:Volume"
SG = "aws:ec2/securityGroup:SecurityGroup"


@pytest.fixture(scope="module")
def stacks() -> dict[str, Capture]:
    extra = {"heavyRoles": ALL_ROLES, "heavyBatchImage": BATCH_IMAGE}
    return {env: run_stack(REPO, env, extra_config={**REPO_STACK_CONFIG[env], **extra}) for env in ("dev", "prod")}


@pytest.fixture(scope="module")
def as_configured() -> dict[str, Capture]:
    return {env: run_stack(REPO, env, extra_config=REPO_STACK_CONFIG[env]) for env in ("dev", "prod")}


def tier(capture: Capture, role: str) -> CapturedResource:
    found = [r for r in capture.by_type(TIER) if r.name == f"heavy-{role}"]
    assert len(found) == 1, [r.name for r in capture.by_type(TIER)]
    return found[0]


def children(capture: Capture, role: str, typ: str) -> list[CapturedResource]:
    return [r for r in capture.descendants(tier(capture, role).urn) if r.type == typ]


def child(capture: Capture, role: str, typ: str) -> CapturedResource:
    found = children(capture, role, typ)
    assert len(found) == 1, (role, typ, [r.name for r in found])
    return found[0]


def mock_ami(parameter: str) -> str:
    """The AMI id iot_tiers.offline.mocks answers for an SSM parameter."""
    return "ami-" + hashlib.sha256(parameter.encode()).hexdigest()[:17]


ENVS_ROLES = [(env, role) for env in ("dev", "prod") for role in ALL_ROLES]


# ------------------------------------------------------------ the stacks as configured


def test_dev_runs_one_on_demand_timeseries_database_on_t4g_small(as_configured):
    dev = as_configured["dev"]
    assert [r.name for r in dev.by_type(TIER)] == ["heavy-timeseries"]
    instance = child(dev, "timeseries", INSTANCE)
    assert instance.inputs["instanceType"] == "t4g.small"
    assert "instanceMarketOptions" not in child(dev, "timeseries", LT).inputs
    assert child(dev, "timeseries", VOLUME).inputs["size"] == 20
    assert dev.outputs["heavy"]["timeseries"]["reserved_baseline"] == {"instance_types": ["t4g.small"], "count": 1}


def test_prod_runs_timeseries_on_m7g_and_an_inference_asg_with_a_reserved_baseline_of_one(as_configured):
    prod = as_configured["prod"]
    assert sorted(r.name for r in prod.by_type(TIER)) == ["heavy-inference", "heavy-timeseries"]
    assert child(prod, "timeseries", INSTANCE).inputs["instanceType"] == "m7g.large"
    assert child(prod, "timeseries", VOLUME).inputs["size"] == 200
    dist = child(prod, "inference", ASG).inputs["mixedInstancesPolicy"]["instancesDistribution"]
    assert dist["onDemandBaseCapacity"] == 1 and dist["onDemandPercentageAboveBaseCapacity"] == 0
    heavy = prod.outputs["heavy"]
    assert heavy["inference"]["reserved_baseline"] == {"instance_types": ["g5.xlarge"], "count": 1}
    assert heavy["timeseries"]["reserved_baseline"] == {"instance_types": ["m7g.large"], "count": 1}


def test_empty_heavy_roles_creates_no_heavy_tier():
    capture = run_stack(REPO, "dev", extra_config={"heavyRoles": []})
    assert capture.by_type(TIER) == [] and capture.by_type(LT) == []
    assert capture.outputs["heavy"] == {}


# ------------------------------------------------------------ every role, dev and prod


@pytest.mark.parametrize("env, role", ENVS_ROLES)
def test_children_match_the_roles_kind(stacks, env, role):
    types = sorted({r.type for r in stacks[env].descendants(tier(stacks[env], role).urn)})
    stateful = role in ("broker", "timeseries")
    common = {LT, SG, "aws:iam/role:Role", "aws:iam/instanceProfile:InstanceProfile",
              "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "aws:cloudwatch/logGroup:LogGroup"}
    if stateful:
        expected = common | {INSTANCE, VOLUME, "aws:ec2/volumeAttachment:VolumeAttachment",
                             "aws:dlm/lifecyclePolicy:LifecyclePolicy"}
    else:
        # The role presets' ASGs may grow (max > min), so each gets a CPU target-tracking policy.
        expected = common | {ASG, "aws:autoscaling/policy:Policy"}
    assert set(types) == expected


@pytest.mark.parametrize("env, role", ENVS_ROLES)
def test_imdsv2_is_required_and_no_key_pair_is_set(stacks, env, role):
    c = stacks[env]
    compute = children(c, role, LT) + children(c, role, INSTANCE)
    for r in compute:
        meta = r.inputs["metadataOptions"]
        assert meta["httpTokens"] == "required" and meta["httpEndpoint"] == "enabled"
        assert meta["httpPutResponseHopLimit"] in (1, 2)
        assert "keyName" not in r.inputs


@pytest.mark.parametrize("env, role", ENVS_ROLES)
def test_every_volume_is_encrypted_gp3(stacks, env, role):
    c = stacks[env]
    for mapping in child(c, role, LT).inputs["blockDeviceMappings"]:
        assert mapping["ebs"]["encrypted"] == "true" and mapping["ebs"]["volumeType"] == "gp3"
    for r in children(c, role, INSTANCE):
        assert r.inputs["rootBlockDevice"]["encrypted"] is True
    for r in children(c, role, VOLUME):
        assert r.inputs["encrypted"] is True and r.inputs["type"] == "gp3"


@pytest.mark.parametrize("env, role", ENVS_ROLES)
def test_no_ingress_is_open_to_the_internet(stacks, env, role):
    for sg in children(stacks[env], role, SG):
        for rule in sg.inputs.get("ingress", []):
            assert "0.0.0.0/0" not in rule.get("cidrBlocks", []), (sg.name, rule)
            assert rule.get("cidrBlocks") in (None, ["10.0.0.0/16"]) or rule.get("securityGroups")
        # Out: HTTPS to anywhere (SSM, CloudWatch, registries), everything else only inside the VPC.
        for rule in sg.inputs.get("egress", []):
            if "0.0.0.0/0" in rule.get("cidrBlocks", []):
                assert (rule["protocol"], rule["fromPort"], rule["toPort"]) == ("tcp", 443, 443)


@pytest.mark.parametrize("env, role", ENVS_ROLES)
def test_security_group_opens_only_the_engines_ports(stacks, env, role):
    sg = child(stacks[env], role, SG)
    ports = sorted(rule["fromPort"] for rule in sg.inputs.get("ingress", []))
    assert ports == {"broker": [1883], "timeseries": [8086], "inference": [8000, 8001, 8002], "batch": []}[role]


@pytest.mark.parametrize("env, role", [(e, r) for e, r in ENVS_ROLES if r in ("inference", "batch")])
def test_stateless_roles_mix_on_demand_base_with_price_capacity_optimized_spot(stacks, env, role):
    asg = child(stacks[env], role, ASG)
    policy = asg.inputs["mixedInstancesPolicy"]
    dist = policy["instancesDistribution"]
    base = 1 if (env, role) == ("prod", "inference") else 0  # dev: spot only
    assert dist["onDemandBaseCapacity"] == base
    assert dist["onDemandPercentageAboveBaseCapacity"] == 0
    assert dist["spotAllocationStrategy"] == "price-capacity-optimized"
    assert dist["onDemandAllocationStrategy"] == "prioritized"
    overrides = [o["instanceType"] for o in policy["launchTemplate"]["overrides"]]
    assert overrides == {"inference": ["g5.xlarge", "g6.xlarge", "g4dn.xlarge"],
                         "batch": ["c7g.large", "c6g.large", "m7g.large"]}[role]
    assert asg.inputs["capacityRebalance"] is True
    assert "instanceType" not in child(stacks[env], role, LT).inputs  # the overrides choose


@pytest.mark.parametrize("env, role", [(e, r) for e, r in ENVS_ROLES if r in ("broker", "timeseries")])
def test_stateful_roles_run_one_on_demand_instance_with_a_snapshotted_data_volume(stacks, env, role):
    c = stacks[env]
    instance, volume = child(c, role, INSTANCE), child(c, role, VOLUME)
    lt = child(c, role, LT)
    assert "instanceMarketOptions" not in instance.inputs and "instanceMarketOptions" not in lt.inputs
    assert instance.inputs["launchTemplate"] == {"id": lt.id, "version": "$Default"}
    attachment = child(c, role, "aws:ec2/volumeAttachment:VolumeAttachment")
    assert attachment.inputs["volumeId"] == volume.id and attachment.inputs["instanceId"] == instance.id
    assert attachment.inputs["stopInstanceBeforeDetaching"] is True
    # The volume lives in the zone of the instance's subnet.
    assert volume.inputs["availabilityZone"].startswith("us-east-1")
    dlm = child(c, role, "aws:dlm/lifecyclePolicy:LifecyclePolicy")
    details = dlm.inputs["policyDetails"]
    assert details["targetTags"] == {"iot-tiers:snapshot": volume.inputs["tags"]["iot-tiers:snapshot"]}
    schedule = details["schedules"][0]
    hours, keep = (12, 14) if env == "prod" else (24, 3)
    assert schedule["createRule"]["interval"] == hours and schedule["retainRule"]["count"] == keep
    assert volume.protect is (env == "prod")
    # The data volume id is in the user data, to find its NVMe device.
    user_data = base64.b64decode(lt.inputs["userData"]).decode()
    assert volume.id.replace("-", "") in user_data


@pytest.mark.parametrize("env, role", ENVS_ROLES)
def test_workload_profile_tags_on_template_instance_and_asg(stacks, env, role):
    c = stacks[env]
    disk = {"broker": "10", "timeseries": "20" if env == "dev" else "200", "inference": "0", "batch": "0"}[role]
    expected = {"workload:trigger": "continuous", "workload:gpu": "true" if role == "inference" else "false",
                "workload:disk-gb": disk,
                "workload:connections": "persistent" if role == "broker" else "none"}
    lt = child(c, role, LT)
    assert expected.items() <= lt.inputs["tags"].items()
    instance_spec = next(s for s in lt.inputs["tagSpecifications"] if s["resourceType"] == "instance")
    assert expected.items() <= instance_spec["tags"].items()
    for instance in children(c, role, INSTANCE):
        assert expected.items() <= instance.inputs["tags"].items()
    for asg in children(c, role, ASG):
        tags = {t["key"]: t["value"] for t in asg.inputs["tags"]}
        assert expected.items() <= tags.items()
        assert all(t["propagateAtLaunch"] is True for t in asg.inputs["tags"])


@pytest.mark.parametrize("env, role", ENVS_ROLES)
def test_ami_comes_from_the_public_ssm_parameter_for_the_architecture(stacks, env, role):
    out = stacks[env].outputs["heavy"][role]
    parameter = {
        "inference": "/aws/service/deeplearning/ami/x86_64/base-oss-nvidia-driver-gpu-amazon-linux-2023/latest/ami-id",
    }.get(role, "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64")
    assert out["ami_parameter"] == parameter
    assert child(stacks[env], role, LT).inputs["imageId"] == mock_ami(parameter) == out["ami_id"]


@pytest.mark.parametrize("env, role", ENVS_ROLES)
def test_instance_role_has_only_ssm_and_cloudwatch_agent(stacks, env, role):
    c = stacks[env]
    instance_role = next(r for r in children(c, role, "aws:iam/role:Role") if r.name == f"heavy-{role}-role")
    assert "ec2.amazonaws.com" in instance_role.inputs["assumeRolePolicy"]
    attached = sorted(a.inputs["policyArn"] for a in children(c, role, "aws:iam/rolePolicyAttachment:RolePolicyAttachment")
                      if a.inputs["role"] == instance_role.outputs["name"])
    assert attached == ["arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
                        "arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy"]
    assert children(c, role, "aws:iam/rolePolicy:RolePolicy") == []
    assert "inlinePolicies" not in instance_role.inputs and "managedPolicyArns" not in instance_role.inputs


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_detailed_monitoring_is_on_in_prod_only(stacks, env):
    for role in ALL_ROLES:
        assert child(stacks[env], role, LT).inputs["monitoring"]["enabled"] is (env == "prod")


@pytest.mark.parametrize("env, role", [(e, r) for e, r in ENVS_ROLES if r in ("inference", "batch")])
def test_the_scaling_policy_owns_the_groups_running_count_after_creation(stacks, env, role):
    # The engine receives ignore_changes with the registration; the SDK sends the Python
    # name translated to the provider's ("desiredCapacity").
    asg = child(stacks[env], role, ASG)
    assert "desiredCapacity" in asg.ignore_changes, asg.ignore_changes
