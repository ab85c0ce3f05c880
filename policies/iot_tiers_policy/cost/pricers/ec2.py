"""EC2: instances and auto-scaling groups, at any of the bundled dataset's 1,367 instance types:
on-demand, reserved or Spot hours, CPU credits, detailed monitoring, and their EBS volumes."""

from __future__ import annotations

from typing import Any, Mapping, Optional

from ..._util import is_unknown
from ...graph import Node
from .. import formulas as f
from ..model import Priced, Unpriced
from ..prices import PriceError, PriceTable, family_of
from ..registry import Context, free, number, pricer
from ..usage import UsageKey

LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
PURCHASE = ("on-demand", "reserved", "spot")

free("priced on the instances and groups that use it", LAUNCH_TEMPLATE, "aws:ec2/launchConfiguration:LaunchConfiguration",
     "aws:ec2/keyPair:KeyPair", "aws:ec2/placementGroup:PlacementGroup", "aws:ec2/volumeAttachment:VolumeAttachment")

USAGE = [
    UsageKey("purchase_option", "How the instance hours are bought (default: on-demand, or spot when the resource "
                                "asks for spot).", kind="choice", choices=PURCHASE),
    UsageKey("cpu_utilization_percent", "Average CPU use of a burstable (t3/t4g) instance, percent: above the "
                                        "baseline it pays CPU credits (default: 0)."),
]


def family_bound(prices: PriceTable, instance_type: Any, count: float) -> tuple[Optional[float], str]:
    """The dearest on-demand price of ``instance_type``'s family, for a month of ``count`` instances."""
    if not isinstance(instance_type, str):
        return None, ""
    family = family_of(instance_type)
    rates = [prices.ec2_dataset["prices"][t] for t in prices.ec2_dataset["prices"] if family_of(t) == family]
    if not rates:
        return None, ""
    return max(rates) * count * prices.hours_per_month, f"the dearest {family} type on demand"


def instance_hours(ctx: Context, instance_type: Any, count: float, pricing: str, utilization: float) -> list[f.LineItem]:
    if is_unknown(instance_type) or not instance_type:
        raise Unpriced("instanceType is not known until the update (a first preview)" if instance_type
                       else "no instance type (nor a launch template giving one) in the stack")
    try:
        return f.ec2_costs(ctx.prices, instance_type=instance_type, count=count, pricing=pricing,
                           cpu_utilization=utilization)
    except PriceError as exc:
        bound, basis = family_bound(ctx.prices, instance_type, count)
        raise Unpriced(str(exc), bound, basis) from None


def reserved_note(ctx: Context, item: f.LineItem, instance_type: str, count: float) -> None:
    inst = ctx.prices.instance(instance_type)
    if count:
        ri = inst.reserved.hourly * count * ctx.hours
        est = " (estimated)" if inst.reserved.estimated else ""
        item.note = (item.note + f"; ${ri:,.2f} with 1-yr no-upfront reservations{est}").lstrip("; ")


def volume(dev: Mapping[str, Any], default_type: str = "gp3") -> dict[str, Any]:
    ebs = dev.get("ebs", dev) or {}
    size = number(Node("", "", "", dict(ebs)), "volumeSize", 8)
    return {"size_gb": size, "volume_type": ebs.get("volumeType") or default_type, "iops": ebs.get("iops"),
            "throughput": ebs.get("throughput")}


def _purchase(ctx: Context, default: str) -> str:
    return ctx.use("purchase_option", default)


def _launch_template(ctx: Context, node: Node, *props: str) -> Mapping[str, Any]:
    lts = ctx.view.deps(node, *props, types=[LAUNCH_TEMPLATE])
    return lts[0].props if lts else {}


@pricer("aws:ec2/instance:Instance", usage=USAGE)
def instance(node: Node, ctx: Context) -> Priced:
    p = node.props
    lt = _launch_template(ctx, node, "launchTemplate")
    itype = p.get("instanceType") or lt.get("instanceType")
    default = "spot" if p.get("instanceMarketOptions") or lt.get("instanceMarketOptions") else "on-demand"
    pricing = _purchase(ctx, default)
    util = ctx.use("cpu_utilization_percent", 0) / 100
    items = instance_hours(ctx, itype, 1, pricing, util)
    if pricing == "on-demand":
        reserved_note(ctx, items[0], itype, 1)
    root = p.get("rootBlockDevice") or {}
    items += f.ebs_costs(ctx.prices, **volume(root))
    for dev in p.get("ebsBlockDevices") or []:
        items += f.ebs_costs(ctx.prices, **volume(dev))
    monitored = p.get("monitoring") if p.get("monitoring") is not None else (lt.get("monitoring") or {}).get("enabled")
    if monitored is True or str(monitored).lower() == "true":
        items += f.cloudwatch_costs(ctx.prices, detailed_instances=1)
    return Priced(items, {"instance_type": itype, "count": 1, "purchase": pricing,
                          "detailed_monitoring": bool(monitored is True or str(monitored).lower() == "true")})


@pricer("aws:autoscaling/group:Group", usage=[
    UsageKey("purchase_option", "How every instance hour is bought (default: as the mixed instances policy splits "
                                "them between on-demand and spot).", kind="choice", choices=PURCHASE),
    USAGE[1],
    UsageKey("instances", "Instances running on average (default: desiredCapacity, else minSize)."),
])
def group(node: Node, ctx: Context) -> Priced:
    p = node.props
    count = number(node, "desiredCapacity")
    count = number(node, "minSize", 0) if count is None else count
    count = ctx.use("instances", count)
    mip = p.get("mixedInstancesPolicy") or {}
    lt = _launch_template(ctx, node, "launchTemplate", "mixedInstancesPolicy")
    overrides = [o.get("instanceType") for o in ((mip.get("launchTemplate") or {}).get("overrides") or [])
                 if isinstance(o, dict) and o.get("instanceType")]
    types = [lt["instanceType"]] if lt.get("instanceType") else overrides
    if not types:
        raise Unpriced("no instance type found (no launch template in the stack gives one, no overrides)")
    dist = mip.get("instancesDistribution") or {}
    base = number(node, "onDemandBaseCapacity", 0, value=dist.get("onDemandBaseCapacity"))
    pct = number(node, "onDemandPercentageAboveBaseCapacity", 100,
                 value=dist.get("onDemandPercentageAboveBaseCapacity")) / 100 if mip else 1.0
    on_demand = min(count, base) + max(0, count - base) * pct
    spot = count - on_demand
    pricing = ctx.use("purchase_option", None)
    if pricing is not None:  # the usage file decides how every instance is bought
        on_demand, spot = (0, count) if pricing == "spot" else (count, 0)
    priced = [t for t in types if _priced(ctx, t)]
    if not priced:
        instance_hours(ctx, types[0], count, "on-demand", 0)  # raises Unpriced with the reason and a bound
    od_type = priced[0]
    if dist.get("onDemandAllocationStrategy") == "lowest-price":
        od_type = min(priced, key=lambda t: ctx.prices.instance(t).on_demand_hourly)
    spot_type = min(priced, key=lambda t: ctx.prices.instance(t).spot.hourly)
    util = ctx.use("cpu_utilization_percent", 0) / 100
    items: list[f.LineItem] = []
    if on_demand:
        items += instance_hours(ctx, od_type, on_demand, "reserved" if pricing == "reserved" else "on-demand", util)
        if pricing != "reserved":
            reserved_note(ctx, items[-1], od_type, on_demand)
    if spot:
        items += instance_hours(ctx, spot_type, spot, "spot", util)
        if len(priced) > 1:
            items[-1].note += f"; the cheapest Spot rate of the {len(priced)} types the group may launch"
    if not items:
        items += instance_hours(ctx, od_type, 0, "on-demand", 0)
    for dev in lt.get("blockDeviceMappings") or [{"ebs": {"volumeSize": 8}}]:
        items += f.ebs_costs(ctx.prices, count=count, **volume(dev))
    monitoring = (lt.get("monitoring") or {}).get("enabled")
    if monitoring is True or str(monitoring).lower() == "true":
        items += f.cloudwatch_costs(ctx.prices, detailed_instances=count)
    skipped = [t for t in types if t not in priced]
    items[0].note = (items[0].note + f"; desired capacity {count:g}").lstrip("; ")
    if skipped:
        items[0].note += f"; not priced: {', '.join(skipped)} (no price)"
    return Priced(items, {"instance_type": od_type, "spot_type": spot_type if spot else None, "count": count,
                          "on_demand": on_demand, "spot": spot})


def _priced(ctx: Context, instance_type: Any) -> bool:
    if not isinstance(instance_type, str) or is_unknown(instance_type):
        return False
    try:
        ctx.prices.instance(instance_type)
    except PriceError:
        return False
    return True
