"""HeavyComputeTier used as a library: a small program per case, run under the capturing mocks.

Covers what the repo's stacks do not switch on: the broker's load balancer (TLS and
plain), an internet-facing broker, CPU and Graviton-GPU inference AMIs, scratch
volumes, on-demand-only groups, the transform escape hatch and argument errors.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from iot_tiers.offline.harness import Capture, ProgramError, run_stack

CERT = "arn:aws:acm:us-east-1:246813579024:certificate/3f1c9a4e-8b2d-4c6e-9f01-2a7b5c3d4e6f"
TIER = "iot-tiers:index:HeavyComputeTier"

PROGRAM = textwrap.dedent('''
    import json
    import pulumi
    from iot_tiers.components import HeavyComputeTier

    args = json.loads(pulumi.Config().require("args"))
    if args.pop("_transform_data_iops", False):
        args["transform"] = {"data": lambda a: {**a, "iops": 6000}}
    network = {"vpc_id": "vpc-0123456789abcdef0", "subnet_ids": ["subnet-private0", "subnet-private1"]}
    tier = HeavyComputeTier("edge", {**network, **args})
    pulumi.export("out", tier.output_values)
''')


@pytest.fixture(scope="module")
def program(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("heavy-program")
    (d / "Pulumi.yaml").write_text("name: heavy-lib\nruntime: python\n")
    (d / "Pulumi.test.yaml").write_text("config:\n  aws:region: us-east-1\n")
    (d / "__main__.py").write_text(PROGRAM)
    return d


def run(program: Path, **args) -> Capture:
    return run_stack(program, "test", extra_config={"args": json.dumps(args)})


def fails(program: Path, **args) -> str:
    with pytest.raises(ProgramError) as err:
        run(program, **args)
    assert err.value.config_error, str(err.value)
    return str(err.value)


def ingress(capture: Capture, name: str) -> list[dict]:
    return next(r for r in capture.by_type("aws:ec2/securityGroup:SecurityGroup") if r.name == name).inputs["ingress"]


# ------------------------------------------------------------ broker load balancer


def test_broker_load_balancer_terminates_tls_on_8883_with_the_certificate(program):
    c = run(program, role="broker", load_balancer=True, certificate_arn=CERT)
    listener = c.one("aws:lb/listener:Listener")
    assert listener.inputs["port"] == 8883 and listener.inputs["protocol"] == "TLS"
    assert listener.inputs["certificateArn"] == CERT
    assert listener.inputs["sslPolicy"].startswith("ELBSecurityPolicy-TLS13")
    nlb = c.one("aws:lb/loadBalancer:LoadBalancer")
    assert nlb.inputs["loadBalancerType"] == "network" and nlb.inputs["internal"] is True
    assert nlb.inputs["subnets"] == ["subnet-private0", "subnet-private1"]
    tg = c.one("aws:lb/targetGroup:TargetGroup")
    assert (tg.inputs["port"], tg.inputs["protocol"], tg.inputs["preserveClientIp"]) == (1883, "TCP", "false")
    assert c.one("aws:lb/targetGroupAttachment:TargetGroupAttachment").inputs["targetId"] == \
        c.one("aws:ec2/instance:Instance").id
    # Clients reach 8883 on the NLB from the VPC; the broker admits 1883 from the NLB's group.
    lb_sg = next(r for r in c.by_type("aws:ec2/securityGroup:SecurityGroup") if r.name == "edge-lb-security-group")
    assert [(r["fromPort"], r["cidrBlocks"]) for r in lb_sg.inputs["ingress"]] == [(8883, ["10.0.0.0/16"])]
    from_lb = [r for r in ingress(c, "edge-security-group") if r.get("securityGroups")]
    assert from_lb == [{"protocol": "tcp", "fromPort": 1883, "toPort": 1883, "securityGroups": [lb_sg.id],
                        "description": "from the load balancer"}]
    assert c.outputs["out"]["load_balancer_dns"].endswith(".elb.amazonaws.com")


def test_broker_load_balancer_without_a_certificate_is_plain_tcp_1883(program):
    c = run(program, role="broker", load_balancer=True)
    listener = c.one("aws:lb/listener:Listener")
    assert (listener.inputs["port"], listener.inputs["protocol"]) == (1883, "TCP")
    assert "certificateArn" not in listener.inputs


def test_internet_facing_broker_opens_0_0_0_0_only_because_config_says_so(program):
    c = run(program, role="broker", load_balancer=True, certificate_arn=CERT, load_balancer_public=True,
            allowed_cidrs=["0.0.0.0/0"], public_subnet_ids=["subnet-public0", "subnet-public1"])
    nlb = c.one("aws:lb/loadBalancer:LoadBalancer")
    assert nlb.inputs["internal"] is False and nlb.inputs["subnets"] == ["subnet-public0", "subnet-public1"]
    lb_sg = next(r for r in c.by_type("aws:ec2/securityGroup:SecurityGroup") if r.name == "edge-lb-security-group")
    assert lb_sg.inputs["ingress"][0]["cidrBlocks"] == ["0.0.0.0/0"]


def test_a_public_load_balancer_needs_public_subnets(program):
    text = fails(program, role="broker", load_balancer=True, certificate_arn=CERT, load_balancer_public=True)
    assert "load_balancer_public=True needs public_subnet_ids" in text


def test_no_load_balancer_unless_asked(program):
    c = run(program, role="broker")
    assert c.by_type("aws:lb/loadBalancer:LoadBalancer") == []
    assert "load_balancer_dns" not in c.outputs["out"]


# ------------------------------------------------------------ sources of traffic


def test_ingress_defaults_to_the_vpc_cidr_looked_up_from_the_vpc_id(program):
    c = run(program, role="timeseries", engine="timescaledb")
    assert ingress(c, "edge-security-group") == [
        {"protocol": "tcp", "fromPort": 5432, "toPort": 5432, "cidrBlocks": ["10.0.0.0/16"],
         "description": "timescaledb 5432"}]


def test_configured_cidrs_replace_the_vpc_default(program):
    c = run(program, role="timeseries", allowed_cidrs=["10.20.0.0/16", "192.168.1.0/24"], vpc_cidr="10.20.0.0/16")
    assert ingress(c, "edge-security-group")[0]["cidrBlocks"] == ["10.20.0.0/16", "192.168.1.0/24"]


# ------------------------------------------------------------ AMIs and instance mix


def test_cpu_inference_on_x86_uses_amazon_linux_not_the_gpu_ami(program):
    c = run(program, role="inference", instance_types=["c7i.xlarge", "c6i.xlarge"])
    out = c.outputs["out"]
    assert out["ami_parameter"] == "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"
    lt = c.one("aws:ec2/launchTemplate:LaunchTemplate")
    assert lt.inputs["tags"]["workload:gpu"] == "false"


def test_graviton_gpu_inference_uses_the_arm64_gpu_ami(program):
    c = run(program, role="inference", instance_types=["g5g.xlarge", "g5g.2xlarge"], architecture="arm64")
    assert c.outputs["out"]["ami_parameter"] == (
        "/aws/service/deeplearning/ami/arm64/base-oss-nvidia-driver-gpu-amazon-linux-2023/latest/ami-id")
    assert c.one("aws:ec2/launchTemplate:LaunchTemplate").inputs["tags"]["workload:gpu"] == "true"


def test_on_demand_only_group_has_no_spot_and_reports_its_minimum_as_baseline(program):
    c = run(program, role="batch", image="example/etl:1", spot=False, min_size=2, desired_capacity=2,
            max_size=3, instance_types=["c7g.large"])
    asg = c.one("aws:autoscaling/group:Group")
    dist = asg.inputs["mixedInstancesPolicy"]["instancesDistribution"]
    assert dist["onDemandPercentageAboveBaseCapacity"] == 100 and asg.inputs["capacityRebalance"] is False
    assert c.outputs["out"]["reserved_baseline"] == {"instance_types": ["c7g.large"], "count": 2}


def test_spot_only_group_reserves_nothing(program):
    c = run(program, role="batch", image="example/etl:1", min_size=1, desired_capacity=1)
    assert c.outputs["out"]["reserved_baseline"] == {"instance_types": [], "count": 0}


def test_stateless_scratch_volume_is_encrypted_and_not_declared_durable(program):
    c = run(program, role="inference", data_volume_gb=200)
    lt = c.one("aws:ec2/launchTemplate:LaunchTemplate")
    scratch = [m for m in lt.inputs["blockDeviceMappings"] if m["deviceName"] == "/dev/sdf"]
    assert scratch == [{"deviceName": "/dev/sdf", "ebs": {"volumeSize": 200, "volumeType": "gp3", "encrypted": "true",
                                                          "deleteOnTermination": "true"}}]
    assert lt.inputs["tags"]["workload:disk-gb"] == "0"
    assert c.by_type("aws:ebs/volume:Volume") == []


def test_hop_limit_two_is_passed_through(program):
    c = run(program, role="timeseries", metadata_hop_limit=2)
    for typ in ("aws:ec2/launchTemplate:LaunchTemplate", "aws:ec2/instance:Instance"):
        assert c.one(typ).inputs["metadataOptions"]["httpPutResponseHopLimit"] == 2


def test_stateful_instance_and_volume_share_the_first_subnets_zone(program):
    c = run(program, role="broker")
    assert c.one("aws:ec2/instance:Instance").inputs["subnetId"] == "subnet-private0"
    # The mocks place subnet-...0 in zone a.
    assert c.one("aws:ebs/volume:Volume").inputs["availabilityZone"] == "us-east-1a"


# ------------------------------------------------------------ escape hatch and errors


def test_transform_rewrites_a_childs_arguments(program):
    c = run(program, role="timeseries", _transform_data_iops=True)
    assert c.one("aws:ebs/volume:Volume").inputs["iops"] == 6000


def test_gpu_types_for_the_broker_fail_the_program_with_the_reason(program):
    text = fails(program, role="broker", instance_types=["g5.xlarge"], architecture="x86_64")
    assert "heavy (broker): instance_types=['g5.xlarge'] is not allowed" in text
    assert "GPU instance types belong to the inference role" in text
    assert "Traceback" not in text


def test_spot_for_a_stateful_role_fails_the_program(program):
    assert "spot=True is refused for the stateful role 'timeseries'" in fails(program, role="timeseries", spot=True)


def test_missing_network_is_reported(tmp_path):
    (tmp_path / "Pulumi.yaml").write_text("name: heavy-lib\nruntime: python\n")
    (tmp_path / "Pulumi.test.yaml").write_text("config: {}\n")
    (tmp_path / "__main__.py").write_text(
        "from iot_tiers.components import HeavyComputeTier\nHeavyComputeTier('x', {'role': 'broker'})\n")
    with pytest.raises(ProgramError) as err:
        run_stack(tmp_path, "test")
    assert "heavy (broker): vpc_id is required" in str(err.value)
    assert "heavy (broker): subnet_ids is required" in str(err.value)


def test_the_tier_registers_its_outputs(program):
    c = run(program, role="timeseries")
    out = c.outputs["out"]
    assert out["instance_id"].startswith("i-") and out["data_volume_id"].startswith("vol-")
    assert out["security_group_id"].startswith("sg-") and out["role"] == "timeseries"
    assert len(c.by_type(TIER)) == 1


def test_deletion_protection_and_access_logs_reach_the_load_balancer(program):
    c = run(program, role="broker", load_balancer=True, certificate_arn=CERT, deletion_protection=True,
            access_logs_bucket="example-elb-logs")
    nlb = c.one("aws:lb/loadBalancer:LoadBalancer")
    assert nlb.inputs["enableDeletionProtection"] is True
    assert nlb.inputs["accessLogs"] == {"bucket": "example-elb-logs", "enabled": True, "prefix": "edge"}
    volume = c.one("aws:ebs/volume:Volume")
    assert volume.protect is True and volume.inputs["finalSnapshot"] is True


def test_the_stateful_instance_declares_its_single_az_exemption(program):
    c = run(program, role="timeseries")
    reason = c.one("aws:ec2/instance:Instance").inputs["tags"]["workload:exemption"]
    assert "one availability zone" in reason and "snapshots" in reason
    # Only the instance: the launch template and its tag specifications declare no exemption.
    assert "workload:exemption" not in c.one("aws:ec2/launchTemplate:LaunchTemplate").inputs["tags"]


# ------------------------------------------------------------ scaling of stateless groups

def test_stateless_group_tracks_its_cpu_target_between_min_and_max(program):
    c = run(program, role="inference", min_size=1, desired_capacity=1, max_size=4, target_cpu_percent=45)
    policy = c.one("aws:autoscaling/policy:Policy")
    asg = c.one("aws:autoscaling/group:Group")
    assert policy.inputs["autoscalingGroupName"] == asg.outputs["name"]
    assert policy.inputs["policyType"] == "TargetTrackingScaling"
    assert policy.inputs["targetTrackingConfiguration"] == {
        "predefinedMetricSpecification": {"predefinedMetricType": "ASGAverageCPUUtilization"},
        "targetValue": 45}


@pytest.mark.parametrize("args", [dict(target_cpu_percent=0), dict(min_size=2, desired_capacity=2, max_size=2)])
def test_a_fixed_group_gets_no_scaling_policy(program, args):
    c = run(program, role="inference", **args)
    assert c.by_type("aws:autoscaling/policy:Policy") == []


def test_a_cpu_target_outside_10_to_90_is_refused(program):
    assert "target_cpu_percent=95 is not allowed: 0, or a whole percentage from 10 to 90" in \
        fails(program, role="inference", target_cpu_percent=95)


def test_stateful_roles_have_no_cpu_target_to_set(program):
    assert "target_cpu_percent does not apply to the timeseries role (stateful: one on-demand instance); " \
        "it applies to: inference, batch" in fails(program, role="timeseries", target_cpu_percent=50)
