"""Elastic IPs per Region and NAT gateways per Availability Zone.

Every ``aws.ec2.Eip`` of the stack takes an address. An awsx VPC is one opaque resource under mocks:
its NAT gateways (and the Elastic IP each public one takes) are read from its inputs, as the cost
model prices them (:func:`..cost.pricers.vpc.awsx_nat_count`); in a real preview its NAT gateways and
addresses are children in the graph and counted as such instead, never both. NAT gateways count per
Availability Zone: the zone of the subnet each is in, and one per zone for an awsx VPC (OnePerAz), or
one in a single zone (Single). A gateway whose zone is unknown is counted in the busiest zone.
"""

from __future__ import annotations

from collections import Counter
from typing import Iterator, Union

from .._util import is_unknown
from ..cost.pricers.vpc import awsx_nat_count
from ..cost.view import StackView
from ._read import UNREADABLE, why
from .model import Need, NotAssessed, Part, quota

EIP = "aws:ec2/eip:Eip"
NAT = "aws:ec2/natGateway:NatGateway"
SUBNET = "aws:ec2/subnet:Subnet"
AWSX_VPC = "awsx:ec2:Vpc"


def _zone(view: StackView, nat) -> str:
    for subnet in view.deps(nat, "subnetId", types=[SUBNET]):
        zone = subnet.props.get("availabilityZone") or subnet.props.get("availabilityZoneId")
        if isinstance(zone, str) and not is_unknown(zone):
            return zone
    return ""


def read(view: StackView) -> Iterator[Union[Need, NotAssessed]]:
    eips = Need(quota("ec2.elastic_ips"))
    for eip in view.of_type(EIP):
        eips.parts.append(Part(eip.name, eip.type, 1, f"{eip.name}: 1 address"))
    nats = Need(quota("vpc.nat_gateways_per_az"))
    skipped = []
    for vpc in (v for v in view.of_type(AWSX_VPC) if view.is_opaque(v)):
        try:
            gateways, strategy, zones = awsx_nat_count(vpc)
        except UNREADABLE as exc:
            skipped.append(NotAssessed(vpc.name, vpc.type, "NAT gateways and their Elastic IPs", why(exc)))
            continue
        if not gateways:
            continue
        eips.parts.append(Part(vpc.name, vpc.type, gateways,
                               f"{vpc.name}: {gateways} (one per NAT gateway; awsx NAT strategy {strategy})"))
        # Each awsx VPC puts at most one gateway in a zone (OnePerAz, or Single in one zone).
        nats.parts.append(Part(vpc.name, vpc.type, 1, f"{vpc.name}: 1 in each zone it uses (NAT strategy "
                                                      f"{strategy} over {zones} zones)"))
    zones: Counter = Counter(_zone(view, nat) for nat in view.of_type(NAT))
    unknown = zones.pop("", 0)
    busiest = max(zones.items(), key=lambda kv: kv[1], default=None)
    if busiest:
        nats.parts.append(Part(busiest[0], NAT, busiest[1], f"{busiest[1]} NAT gateway(s) in {busiest[0]}, "
                                                            "the busiest zone"))
    if unknown:
        nats.parts.append(Part("(zone unknown)", NAT, unknown,
                               f"{unknown} NAT gateway(s) whose zone is unknown, counted in the busiest zone"))
    yield from (n for n in (nats, eips) if n.parts)
    yield from skipped
