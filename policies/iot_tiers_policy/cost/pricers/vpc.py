"""VPC: NAT gateways (hours and the data that crosses them, whatever their number), public IPv4
addresses, interface endpoints; an awsx VPC priced from its inputs while it is opaque."""

from __future__ import annotations

from ..._util import is_unknown
from ...graph import Node
from .. import formulas as f
from ..model import Priced
from ..registry import Context, free, number, pricer
from ..usage import UsageKey

NAT = "aws:ec2/natGateway:NatGateway"
EIP = "aws:ec2/eip:Eip"
#: What an awsx VPC's NAT estimate stands in for: in a real preview each NAT gateway and its Eip
#: are the VPC's descendants (pulumi-awsx, awsx/ec2/vpc.ts: under the public subnet of its zone), and
#: they are priced instead. Only these count: a subnet alone (or a child a team parents to the VPC)
#: leaves the estimate in place.
VPC_NAT_PARTS = (NAT, EIP)
NAT_USAGE = [UsageKey("monthly_data_processed_gb",
                      "GB a month through this NAT gateway (default: the stack's NAT traffic shared by its gateways).")]


def nat_gateways(ctx: Context) -> int:
    return len([n for n in ctx.view.of_type(NAT) if n.props.get("connectivityType", "public") != "private"]) \
        + sum(_awsx_nat_count(v)[0] for v in ctx.view.of_type("awsx:ec2:Vpc")
              if ctx.view.is_opaque(v, VPC_NAT_PARTS))


def _nat_gb_note(ctx: Context) -> str:
    derived = ctx.flows.nat_derived_gb()
    return (f"{ctx.traffic.nat_gb_per_month:g} GB (trafficNatGbPerMonth) + {derived:.3g} GB of the bridge's "
            "IoT Core traffic, shared by the gateways" if derived else
            f"{ctx.traffic.nat_gb_per_month:g} GB (trafficNatGbPerMonth), shared by the gateways")


@pricer(NAT, usage=NAT_USAGE)
def nat_gateway(node: Node, ctx: Context) -> Priced:
    share = ctx.flows.nat_gb() / max(1, nat_gateways(ctx))
    gb = ctx.use("monthly_data_processed_gb", share)
    # The gateway's address is an Eip of the stack when it depends on one (priced there).
    own_eip = bool(ctx.view.deps(node, "allocationId", types=[EIP]))
    private = node.props.get("connectivityType") == "private"
    items = f.nat_gateway_costs(ctx.prices, count=1, gb_processed=gb, addresses=not own_eip and not private)
    items[1].note = "monthly_data_processed_gb from the usage file" if ctx.has_usage("monthly_data_processed_gb") \
        else _nat_gb_note(ctx)
    return Priced(items, {"count": 1, "data_gb": round(gb, 3)})


@pricer(EIP)
def eip(node: Node, ctx: Context) -> Priced:
    return Priced([f.LineItem("VPC", "Elastic IP (public IPv4)", ctx.hours, "address-hours",
                              ctx.prices.cost("vpc.public_ipv4.hour", ctx.hours), "vpc.public_ipv4.hour",
                              "billed by the hour, attached or not")], {"addresses": 1})


@pricer("aws:ec2/vpcEndpoint:VpcEndpoint")
def endpoint(node: Node, ctx: Context) -> Priced:
    kind = node.props.get("vpcEndpointType") or "Gateway"
    service = str(node.props.get("serviceName") or "")
    if kind != "Interface":
        return Priced([], {"type": kind}, note=f"{kind.lower()} endpoints are free")
    subnets = node.props.get("subnetIds")
    azs = len(subnets) if isinstance(subnets, list) and subnets and not any(map(is_unknown, subnets)) else 1
    hours = azs * ctx.hours
    items = [f.LineItem("VPC", f"interface endpoint {service} in {azs} AZ(s)", hours, "ENI-hours",
                        ctx.prices.cost("vpc.endpoint.interface_hour", hours), "vpc.endpoint.interface_hour")]
    if "iot.data" in service:
        gb = ctx.flows.bridge_gb(via="endpoint")  # the bridge's traffic, which then skips NAT
        items.append(f.LineItem("VPC", "data through the endpoint (the bridge's IoT Core traffic)", gb, "GB",
                                ctx.prices.cost("vpc.endpoint.gb", gb), "vpc.endpoint.gb"))
    return Priced(items, {"type": kind, "service": service, "azs": azs})


def _awsx_nat_count(node: Node) -> tuple[int, str, int]:
    strategy = (node.props.get("natGateways") or {}).get("strategy", "OnePerAz")
    azs = number(node, "numberOfAvailabilityZones")
    names = node.props.get("availabilityZoneNames")
    azs = int(azs) if azs is not None else (len(names) if isinstance(names, list) and names else 3)
    return {"None": 0, "Single": 1}.get(strategy, azs), strategy, azs


@pricer("awsx:ec2:Vpc", usage=NAT_USAGE, opaque_only=True, stands_in_for=VPC_NAT_PARTS)
def awsx_vpc(node: Node, ctx: Context) -> Priced:
    count, strategy, azs = _awsx_nat_count(node)
    if not count:
        return Priced([], {"nat_gateways": 0}, note=f"NAT strategy {strategy}: no NAT gateway")
    share = ctx.flows.nat_gb() * count / max(1, nat_gateways(ctx))
    gb = ctx.use("monthly_data_processed_gb", share)
    items = f.nat_gateway_costs(ctx.prices, count=count, gb_processed=gb)
    items[0].note = f"awsx VPC, NAT strategy {strategy} over {azs} AZs (priced from its inputs: its children are not visible)"
    items[1].note = "monthly_data_processed_gb from the usage file" if ctx.has_usage("monthly_data_processed_gb") \
        else _nat_gb_note(ctx)
    return Priced(items, {"nat_gateways": count, "data_gb": round(gb, 3), "strategy": strategy, "azs": azs})


free("gateway endpoints, route tables and the like are free", "aws:ec2/vpcEndpointPolicy:VpcEndpointPolicy")


def awsx_nat_count(node: Node) -> tuple[int, str, int]:
    """(NAT gateways, NAT strategy, AZs) an opaque awsx VPC creates, read from its inputs; the quota
    report (:mod:`iot_tiers_policy.quotas.network`) counts them the way this pricer does."""
    return _awsx_nat_count(node)
