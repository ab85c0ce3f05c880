"""ELB and VPC pricers: public addresses, NAT data not multiplied by gateways, opaque vs visible awsx."""

from __future__ import annotations

import pytest

from iot_tiers_policy.cost import Traffic

from .pricer_support import priced, resource, usd, view

LB, NAT, EIP, VPC = "aws:lb/loadBalancer:LoadBalancer", "aws:ec2/natGateway:NatGateway", "aws:ec2/eip:Eip", "awsx:ec2:Vpc"
ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint"


def test_an_internet_facing_alb_pays_a_public_address_per_subnet_an_internal_one_none():
    """3 subnets: 3 x 730 x $0.005 = $10.95."""
    est = priced(view(LB, "public", {"loadBalancerType": "application", "subnets": ["a", "b", "c"]}),
                 view(LB, "internal", {"internal": True, "subnets": ["a", "b"]}))
    public = [i for i in resource(est, "public").items if i.price_key == "vpc.public_ipv4.hour"]
    assert public[0].usd == pytest.approx(10.95)
    assert not [i for i in resource(est, "internal").items if i.price_key == "vpc.public_ipv4.hour"]


def test_nat_data_is_the_stacks_traffic_shared_by_its_gateways_not_multiplied_by_them():
    """trafficNatGbPerMonth 30 over 3 gateways: 10 GB each, 30 GB x $0.045 = $1.35 in all.
    Each gateway's address is its Eip, priced there: 3 x 730 x $0.005 = $10.95."""
    views = []
    for i in range(3):
        views += [view(EIP, f"eip-{i}", {}), view(NAT, f"nat-{i}", {}, deps={"allocationId": [(EIP, f"eip-{i}")]})]
    est = priced(*views, traffic=Traffic(nat_gb_per_month=30))
    data = [i for r in est.resources for i in r.items if i.price_key == "vpc.nat.gb"]
    assert sum(i.usd for i in data) == pytest.approx(1.35)
    addresses = [i for r in est.resources for i in r.items if i.price_key == "vpc.public_ipv4.hour"]
    assert len(addresses) == 3 and sum(i.usd for i in addresses) == pytest.approx(10.95)


def test_an_opaque_awsx_vpc_is_priced_from_its_inputs():
    """OnePerAz over 3 AZs: 3 x (730 x $0.045 + 730 x $0.005) + 5 GB x $0.045 = $109.725 + $0.225."""
    v = resource(priced(view(VPC, "vpc", {"numberOfAvailabilityZones": 3})), "vpc")
    assert usd(v.items) == pytest.approx(3 * 730 * 0.05 + 0.225)


def test_a_visible_awsx_vpc_is_priced_from_its_children_never_both():
    """In a real preview the awsx VPC's children are there: its NAT gateway and Eip are priced, the
    component's inputs are not."""
    vpc = view(VPC, "vpc", {"natGateways": {"strategy": "Single"}})
    eip = view(EIP, "vpc-eip-0", {}, parent=vpc.urn)
    nat = view(NAT, "vpc-nat-0", {}, deps={"allocationId": [(EIP, "vpc-eip-0")]}, parent=vpc.urn)
    est = priced(vpc, eip, nat)
    assert resource(est, "vpc").status == "via-children"
    assert est.total == pytest.approx(730 * 0.045 + 5 * 0.045 + 730 * 0.005)
    opaque = priced(vpc)
    assert opaque.total == pytest.approx(est.total)


def test_an_interface_endpoint_is_billed_per_az_and_a_gateway_endpoint_is_free():
    """2 subnets: 2 x 730 x $0.01 = $14.60."""
    est = priced(view(ENDPOINT, "ecr", {"vpcEndpointType": "Interface", "serviceName": "com.amazonaws.us-east-1.ecr.dkr",
                                        "subnetIds": ["a", "b"]}),
                 view(ENDPOINT, "s3", {"vpcEndpointType": "Gateway", "serviceName": "com.amazonaws.us-east-1.s3"}))
    assert usd(resource(est, "ecr").items) == pytest.approx(14.60)
    assert resource(est, "s3").status == "free"
