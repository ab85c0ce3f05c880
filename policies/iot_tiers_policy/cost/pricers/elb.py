"""Elastic Load Balancing: ALB / NLB hours, capacity units from the dashboard connections,
their public IPv4 addresses (one per AZ when internet-facing), and the traffic out."""

from __future__ import annotations

from ..._util import is_unknown
from ...graph import Node
from .. import formulas as f
from ..model import Priced
from ..registry import Context, free, pricer
from ..usage import UsageKey

free("priced on its load balancer", "aws:lb/listener:Listener", "aws:lb/targetGroup:TargetGroup",
     "aws:lb/listenerRule:ListenerRule", "aws:lb/targetGroupAttachment:TargetGroupAttachment",
     "aws:alb/listener:Listener", "aws:alb/targetGroup:TargetGroup", "aws:alb/listenerRule:ListenerRule",
     "aws:alb/targetGroupAttachment:TargetGroupAttachment", "aws:lb/listenerCertificate:ListenerCertificate")

USAGE = [
    UsageKey("active_connections", "Concurrent connections on average (default: trafficDashboardConnections)."),
    UsageKey("new_connections_per_second", "New connections a second on average (default: 0)."),
    UsageKey("processed_gb", "GB a month through the load balancer (default: the dashboard traffic)."),
]


def _public_ipv4(node: Node, notes: list[str]) -> int:
    if node.props.get("internal") is True:
        return 0
    subnets = node.props.get("subnets")
    mappings = node.props.get("subnetMappings")
    if isinstance(subnets, list) and subnets and not any(is_unknown(s) for s in subnets):
        return len(subnets)
    if isinstance(mappings, list) and mappings:
        return len(mappings)
    notes.append("its subnets are not known: 2 AZs assumed (the least a load balancer takes)")
    return 2


def _price(node: Node, ctx: Context, kind: str) -> Priced:
    t = ctx.traffic
    default_gb = t.dashboard_connections * t.dashboard_messages_per_minute * 60 * t.payload_bytes / 1e9 * ctx.hours
    gb = ctx.use("processed_gb", default_gb)
    connections = ctx.use("active_connections", t.dashboard_connections)
    new = ctx.use("new_connections_per_second", 0)
    notes: list[str] = []
    ips = _public_ipv4(node, notes)
    items = f.load_balancer_costs(ctx.prices, kind=kind, active_connections=connections, new_connections_per_s=new,
                                  processed_gb_per_hour=gb / ctx.hours, public_ipv4=ips)
    items += f.data_transfer_out_costs(ctx.prices, gb=gb, what="dashboard traffic out to the internet")
    if notes:
        items[0].note = "; ".join(notes)
    return Priced(items, {"kind": kind, "public_ipv4": ips, "active_connections": connections,
                          "processed_gb": round(gb, 3)})


@pricer("aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer", usage=USAGE)
def load_balancer(node: Node, ctx: Context) -> Priced:
    kind = "network" if node.props.get("loadBalancerType") == "network" else "application"
    return _price(node, ctx, kind)


@pricer("awsx:lb:ApplicationLoadBalancer", "awsx:lb:NetworkLoadBalancer", usage=USAGE, opaque_only=True)
def awsx_load_balancer(node: Node, ctx: Context) -> Priced:
    return _price(node, ctx, "network" if node.type.endswith("NetworkLoadBalancer") else "application")
