"""The awsx VPC's NAT gateways are counted once, in both worlds (issue 15, item 10).

Under our mocks ``awsx:ec2:Vpc`` is one opaque resource, priced from its inputs (the NAT strategy
and the zones). In a real preview the engine constructs it through the awsx provider and its
children are there too; the awsx source (pulumi/pulumi-awsx, ``awsx/ec2/vpc.ts``) creates, under
the component, an ``aws:ec2/vpc:Vpc``, under it a subnet per zone and type, and under each
public subnet that gets a NAT gateway an ``aws:ec2/eip:Eip`` and an ``aws:ec2/natGateway:NatGateway``
whose ``allocationId`` is the Eip's (one for ``Single``, one per zone for ``OnePerAz``). The
estimate of ``tiers cost`` (``estimate_capture``) and of the budget policy (the pack's
``AnalyzeStack``) must be the same to the cent either way.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from iot_tiers.offline.costing import estimate_capture
from iot_tiers.offline.harness import Capture
from iot_tiers.offline.monitor import CapturedResource
from iot_tiers_policy.budget import POLICIES

from .cost_support import analyze_stack

VPC, INNER, SUBNET = "awsx:ec2:Vpc", "aws:ec2/vpc:Vpc", "aws:ec2/subnet:Subnet"
NAT, EIP = "aws:ec2/natGateway:NatGateway", "aws:ec2/eip:Eip"


def child(capture: Capture, parent: CapturedResource, typ: str, name: str, inputs: dict | None = None,
          deps: dict[str, list[str]] | None = None) -> CapturedResource:
    """A registration as the engine records a child of ``parent`` (its URN carries the parent's type)."""
    parent_type = parent.urn.split("::")[2]
    return CapturedResource(
        urn=f"urn:pulumi:{capture.stack}::{capture.project}::{parent_type}${typ}::{name}", type=typ, name=name,
        parent=parent.urn, custom=True, inputs=dict(inputs or {}), outputs={},
        dependencies=sorted({u for v in (deps or {}).values() for u in v}), property_dependencies=dict(deps or {}),
        provider="")


def real_world(capture: Capture, *, nested: bool) -> Capture:
    """``capture`` with the children a real engine shows under its awsx VPC.

    ``nested``: awsx's own tree (component -> aws Vpc -> subnets -> Eip and NAT gateway); otherwise the
    Eips and NAT gateways directly under the component.
    """
    [vpc] = capture.by_type(VPC)
    zones = int(vpc.inputs["numberOfAvailabilityZones"])
    gateways = {"Single": 1, "OnePerAz": zones, "None": 0}[vpc.inputs["natGateways"]["strategy"]]
    name = vpc.name
    added = [child(capture, vpc, INNER, name, {"cidrBlock": vpc.inputs.get("cidrBlock", "10.0.0.0/16")})]
    for i in range(zones):
        for kind in ("public", "private"):
            added.append(child(capture, added[0], SUBNET, f"{name}-{kind}-{i + 1}", {"vpcId": "vpc-0"}))
        if i < gateways:
            public = added[-2]
            under = public if nested else vpc
            eip = child(capture, under, EIP, f"{name}-{i + 1}", {"domain": "vpc"})
            nat = child(capture, under, NAT, f"{name}-{i + 1}", {"subnetId": "subnet-0", "allocationId": "eipalloc-0"},
                        deps={"allocationId": [eip.urn], "subnetId": [public.urn]})
            added += [eip, nat]
    return replace(capture, resources=list(capture.resources) + added)


def nat_hours(est) -> float:
    return sum(i.quantity for i in est.items if i.price_key == "vpc.nat.hour")


def budget_total(capture: Capture) -> str:
    """The total the budget policy computes, read from its message over a budget of $1."""
    [d] = [d for d in analyze_stack(POLICIES, capture, {"cost-monthly-budget": {"monthlyBudgetUsd": 1}})
           if d["policy"] == "cost-monthly-budget"]
    detail = d["message"].splitlines()[-1]  # the first line is the policy's description
    return detail.split("estimated ", 1)[1].split("/month", 1)[0]


@pytest.fixture(scope="module", params=["dev", "prod"])
def stack(request, dev_stack, prod_stack) -> Capture:
    return {"dev": dev_stack, "prod": prod_stack}[request.param]


@pytest.mark.parametrize("nested", [True, False], ids=["awsx-tree", "children-of-the-vpc"])
def test_the_real_worlds_children_replace_the_vpcs_estimate_to_the_cent(stack, nested):
    mocked, real = estimate_capture(stack), estimate_capture(real_world(stack, nested=nested))
    assert round(real.total, 2) == round(mocked.total, 2)
    gateways = len(real_world(stack, nested=nested).by_type(NAT))
    assert nat_hours(mocked) == nat_hours(real) == gateways * 730
    vpc = next(r for r in real.resources if r.type == VPC)
    assert vpc.status == "via-children" and not vpc.items
    assert {r.status for r in real.resources if r.type in (NAT, EIP)} == {"priced"}
    assert budget_total(real_world(stack, nested=nested)) == budget_total(stack) == f"${mocked.total:,.2f}"


def test_a_vpc_whose_children_hold_no_nat_gateway_is_still_priced_from_its_inputs(dev_stack):
    """Only NAT gateways and Eips under the VPC replace its estimate: a subnet a team parents to it
    (or awsx's tree shown only in part) leaves the NAT line where it is."""
    [vpc] = dev_stack.by_type(VPC)
    partial = replace(dev_stack, resources=list(dev_stack.resources) + [child(dev_stack, vpc, SUBNET, "extra", {})])
    est = estimate_capture(partial)
    assert round(est.total, 2) == round(estimate_capture(dev_stack).total, 2)
    assert nat_hours(est) == 730
    assert next(r for r in est.resources if r.type == VPC).status == "priced"
