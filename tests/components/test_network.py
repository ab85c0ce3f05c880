"""Network: the awsx VPC per stack, its endpoints, and the ids it hands the tiers."""

from __future__ import annotations

import pulumi
import pytest

from iot_tiers.components import ConfigError, Network, RealtimeTier
from iot_tiers.offline.harness import Capture, ProgramError, run_stack
from iot_tiers.offline.mocks import AwsMocks

NET = "iot-tiers:index:Network"
CERT = "arn:aws:acm:us-east-1:246813579024:certificate/11111111-2222-3333-4444-555555555555"


def net_children(stack: Capture) -> dict[str, object]:
    return {r.name: r for r in stack.descendants(stack.one(NET).urn)}


def test_dev_spans_two_zones_behind_one_nat_gateway(dev_stack):
    vpc = net_children(dev_stack)["network-vpc"]
    assert vpc.type == "awsx:ec2:Vpc"
    assert vpc.inputs["numberOfAvailabilityZones"] == 2
    assert vpc.inputs["natGateways"] == {"strategy": "Single"}
    assert vpc.inputs["cidrBlock"] == "10.0.0.0/16"
    assert vpc.inputs["enableDnsHostnames"] is True and vpc.inputs["enableDnsSupport"] is True
    assert vpc.inputs["tags"]["iot-tiers:stack"] == "dev"


def test_prod_spans_three_zones_with_a_nat_gateway_in_each(prod_stack):
    vpc = net_children(prod_stack)["network-vpc"]
    assert vpc.inputs["numberOfAvailabilityZones"] == 3
    assert vpc.inputs["natGateways"] == {"strategy": "OnePerAz"}
    assert len(vpc.outputs["privateSubnetIds"]) == 3


@pytest.mark.parametrize("name", ["dev", "prod"])
def test_free_gateway_endpoints_cover_s3_and_dynamodb_on_every_route_table(name, dev_stack, prod_stack):
    stack = {"dev": dev_stack, "prod": prod_stack}[name]
    children = net_children(stack)
    vpc_id = children["network-vpc"].outputs["vpcId"]
    for service in ("s3", "dynamodb"):
        ep = children[f"network-endpoint-{service}"].inputs
        assert ep["vpcEndpointType"] == "Gateway"
        assert ep["serviceName"] == f"com.amazonaws.us-east-1.{service}"
        assert ep["vpcId"] == vpc_id
        assert ep["routeTableIds"] and all(rt.startswith("rtb-") for rt in ep["routeTableIds"])
    # Interface endpoints cost per hour and zone: none unless configured.
    assert not [r for r in children.values() if getattr(r, "inputs", {}).get("vpcEndpointType") == "Interface"]


def test_without_nat_the_interface_endpoints_the_tasks_need_are_created(repo_root):
    needed = ["ecr.api", "ecr.dkr", "logs", "secretsmanager"]
    stack = run_stack(repo_root, "dev", extra_config={"networkNatGateways": "none",
                                                      "networkInterfaceEndpoints": needed})
    children = net_children(stack)
    vpc = children["network-vpc"]
    assert vpc.inputs["natGateways"] == {"strategy": "None"}
    sg = children["network-endpoints-sg"]
    for service in needed:
        ep = children[f"network-endpoint-{service.replace('.', '-')}"].inputs
        assert ep["vpcEndpointType"] == "Interface"
        assert ep["serviceName"] == f"com.amazonaws.us-east-1.{service}"
        assert ep["subnetIds"] == vpc.outputs["privateSubnetIds"]
        assert ep["securityGroupIds"] == [sg.id] and ep["privateDnsEnabled"] is True
    rule = children["network-endpoints-sg-https"].inputs
    assert (rule["fromPort"], rule["toPort"], rule["cidrIpv4"]) == (443, 443, "10.0.0.0/16")


def test_no_nat_without_the_endpoints_is_refused_naming_the_keys(repo_root):
    with pytest.raises(ProgramError) as err:
        run_stack(repo_root, "dev", extra_config={"networkNatGateways": "none",
                                                  "networkInterfaceEndpoints": ["logs"]})
    text = str(err.value)
    assert err.value.config_error
    assert "iot-tiers:networkNatGateways='none'" in text
    assert "iot-tiers:networkInterfaceEndpoints=['logs'] must include ecr.api, ecr.dkr, logs, secretsmanager" in text
    assert "missing: ecr.api, ecr.dkr, secretsmanager" in text


@pytest.mark.parametrize("key,value,allowed", [
    ("networkAvailabilityZones", 1, "from 2 to 6"),
    ("networkNatGateways", "per-az", "single, one-per-az, none"),
    ("networkInterfaceEndpoints", '["s3"]', "a list drawn from"),
    ("networkCidrBlock", "10.0.0.0/8", "from /16 to /24"),
])
def test_bad_network_values_are_refused_with_what_is_allowed(repo_root, key, value, allowed):
    with pytest.raises(ProgramError) as err:
        run_stack(repo_root, "dev", extra_config={key: value})
    assert f"iot-tiers:{key}=" in str(err.value) and allowed in str(err.value)


@pulumi.runtime.test
def test_a_library_network_places_a_tier_in_its_subnets():
    pulumi.runtime.set_mocks(AwsMocks(), project="team", stack="test", preview=False)
    network = Network("net", {"availability_zones": 3})
    tier = RealtimeTier("bridge", {**network.placement(), "certificate_arn": CERT})

    def check(values):
        private, public, config, subnets = values
        assert len(private) == 3 and len(public) == 3
        assert config["subnets"] == private and config["assign_public_ip"] is False
        assert subnets == public
    return pulumi.Output.all(network.private_subnet_ids, network.public_subnet_ids,
                             tier.service.network_configuration.apply(lambda c: {
                                 "subnets": c.subnets, "assign_public_ip": c.assign_public_ip}),
                             tier.alb.subnets).apply(check)


def test_a_library_network_refuses_a_typo():
    pulumi.runtime.set_mocks(AwsMocks(), project="team", stack="test", preview=False)
    with pytest.raises(ConfigError) as err:
        Network("net", {"availability_zone": 3})
    assert "unknown argument 'availability_zone'" in str(err.value)
