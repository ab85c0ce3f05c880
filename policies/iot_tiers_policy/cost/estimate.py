"""From a stack's resources and traffic assumptions to the monthly cost of every resource.

The input is what a policy pack sees (``PolicyResource`` objects, or anything with the
same fields, such as the harness's captured registrations): :func:`estimate` builds
the pack's graph over it (:mod:`..graph`), follows the traffic along its dependencies
(:mod:`.flows`), then asks the pricer registered for each resource's type
(:mod:`.registry`, one module per service in :mod:`.pricers`) for its line items.

Each resource is priced on its own: a pricer that cannot price its resource (an
instance type without a price, a volume type AWS does not have, garbage inputs), or
that fails outright, makes that resource ``unpriced`` with the reason, never the
estimate fail. Resources are grouped by tier: the nearest ancestor whose type is a
component of ours (``iot-tiers:index:ProcessingTier``, ``...:Network``);
resources outside every component are ``shared``. A stack with no components is
grouped by service.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping, Optional

from .flows import Flows
from .formulas import LineItem
from .model import SHARED, STACK, Estimate, Priced, ResourceCost, Unpriced, to_json
from .prices import BUNDLED_REGION, PriceTable
from .registry import FREE, Context, load
from .traffic import Traffic
from .usage import Usage
from .view import TIER_TYPE, ResourceView, StackView, from_captured, from_policy_resources, graph_of, tier_label

__all__ = ["Estimate", "ResourceView", "estimate", "from_captured", "from_policy_resources", "tier_label", "to_json"]


def estimate(resources: Iterable[Any], traffic: Optional[Traffic] = None, prices: Optional[PriceTable] = None,
             *, usage: Optional[Usage] = None, stack_region: Optional[str] = None) -> Estimate:
    """Price ``resources`` for a month of ``traffic`` (default: the default assumptions).

    ``prices`` defaults to the bundled us-east-1 table; ``usage`` (default none) gives
    per-resource usage (:mod:`.usage`); ``stack_region`` (default: the region the
    resources name) is where the stack deploys, said on the estimate when the prices
    are another region's. Raises :class:`~.usage.UsageError` for a usage key a type
    does not take; never for a resource it cannot price.
    """
    from .prices import load_prices

    traffic = traffic or Traffic()
    prices = prices or load_prices()
    usage = usage or Usage()
    registry = load()
    view = StackView(graph_of(resources))
    flows = Flows(view, traffic, usage)
    ctx = Context(view, traffic, prices, usage, flows)
    est = Estimate([], traffic, prices.region, prices.origin, usage_origin=usage.origin)
    est.stack_region = stack_region or view.region()
    M = traffic.messages_per_month
    est.notes.append(
        f"{traffic.devices:,} devices x {traffic.messages_per_device_per_hour:,} msg/hour = "
        f"{M:,.0f} messages a month ({traffic.messages_per_day:,.0f} a day; a month is 730 hours)")
    est.notes.append("free tiers are not subtracted (they are per account, shared by every stack in it)")
    if not flows.rules:
        est.notes.append("no IoT topic rule in the stack: IoT Core connectivity and device messages are not counted")
    est.warnings += flows.notes  # what the traffic model could not follow makes the estimate low

    grouped = view.has_tiers()
    for node in view.nodes:
        if node.type.startswith("pulumi:"):
            continue
        comp = view.tier_of(node)
        tier = tier_label(comp) if comp else SHARED
        rc = ResourceCost(node.urn, node.name, node.type, tier, "priced")
        _price(node, rc, ctx, registry)
        for i in rc.items:
            i.tier = tier if grouped else i.service
            i.resource, i.resource_type = node.name, node.type
        if not grouped:
            rc.tier = rc.items[0].service if rc.items else SHARED
        est.resources.append(rc)

    if traffic.custom_metrics and any(r.type == "aws:lambda/function:Function" and r.status == "priced"
                                      for r in est.resources):
        tier = SHARED if grouped else "CloudWatch"
        item = LineItem("CloudWatch", f"{traffic.custom_metrics} custom metric(s)", traffic.custom_metrics,
                        "metric-months", prices.cost("cloudwatch.custom_metric.month", traffic.custom_metrics),
                        "cloudwatch.custom_metric.month", "trafficCustomMetrics", tier=tier, resource=STACK,
                        resource_type=STACK)
        est.resources.append(ResourceCost("", STACK, STACK, tier, "priced", [item],
                                          drivers={"custom_metrics": traffic.custom_metrics}))
    for name in usage.unmatched():
        est.notes.append(f"usage file entry {name!r} matches no resource of the stack")
    _sources(est, prices)
    return est


def _price(node, rc: ResourceCost, ctx: Context, registry: Mapping[str, Any]) -> None:
    p = registry.get(node.type)
    if TIER_TYPE.match(node.type):
        rc.status, rc.reason = "component", "a component of ours: its children are priced"
        return
    if p is None:
        if node.type in FREE:
            rc.status, rc.reason = "free", FREE[node.type]
        elif ctx.view.children(node):
            rc.status, rc.reason = "component", "a component: its children are priced"
        elif node.type.split(":", 1)[0] in ("aws", "awsx"):
            rc.status = "unpriced"
            rc.reason = (f"{node.type} is a remote component, opaque here (a real preview shows its children)"
                         if node.type.startswith("awsx:") else f"no price model for {node.type} yet")
        else:
            rc.status, rc.reason = "free", "not an AWS resource"
        return
    if p.opaque_only and not ctx.view.is_opaque(node, p.stands_in_for):
        rc.status = "via-children"
        rc.reason = (f"its {len(ctx.view.descendants(node, p.stands_in_for))} {', '.join(p.stands_in_for)} "
                     "descendant(s) are priced (not its inputs)" if p.stands_in_for else
                     f"its {len(ctx.view.children(node))} children are priced (not its inputs)")
        return
    ctx.given = ctx.usage.check(node, p.usage)  # a bad usage key is the caller's error, not this resource's
    ctx.applied, ctx.seen = {}, {}
    try:
        out = p.fn(node, ctx)
    except Unpriced as exc:
        rc.status, rc.reason, rc.bound_usd, rc.bound_basis = "unpriced", exc.reason, exc.bound_usd, exc.bound_basis
        return
    except Exception as exc:  # one resource never aborts the estimate
        rc.status = "unpriced"
        rc.reason = f"{type(exc).__name__}: {exc}" if isinstance(exc, ValueError) else \
            f"the {node.type} pricer failed ({type(exc).__name__}: {exc})"
        return
    if isinstance(out, list):
        out = Priced(out)
    rc.items, rc.drivers, rc.usage = out.items, out.drivers, dict(ctx.applied)
    rc.usage_seen = dict(ctx.seen)
    if out.usage_based:
        rc.status, rc.reason = "usage-based", out.note
    elif not out.items:
        rc.status, rc.reason = "free", out.note
    elif out.note:
        rc.reason = out.note


def _sources(est: Estimate, prices: PriceTable) -> None:
    """What every output must say about where its prices come from."""
    keys = {i.price_key for i in est.items if i.price_key and i.price_key != "ec2.instances"}
    if any(i.price_key == "ec2.instances" for i in est.items):
        est.ec2_source = prices.ec2_source()
        est.ec2_source_line = prices.ec2_source_line()
    if est.stack_region and est.stack_region != prices.region:
        if est.stack_region == BUNDLED_REGION:
            est.warnings.append(f"the stack deploys to {est.stack_region}, but {prices.origin} gives {prices.region} "
                                "prices")
        else:
            est.warnings.append(
                f"the stack deploys to {est.stack_region}, but these are {prices.region} list prices (no "
                f"{est.stack_region} price source is bundled): prices differ by region; pass --prices FILE with "
                f"{est.stack_region} prices")
    if prices.region != BUNDLED_REGION:
        base = sorted(k for k in keys if prices.price(k).region == BUNDLED_REGION)
        ec2 = [r.name for r in est.resources if any(i.price_key == "ec2.instances" for i in r.items)
               and f"ec2.{r.drivers.get('instance_type')}" not in prices.overridden]
        if base or ec2:
            shown = base[:6] + (["..."] if len(base) > 6 else []) + ([f"the EC2 rates of {', '.join(ec2)}"] if ec2 else [])
            est.warnings.append(
                f"{len(base) + len(ec2)} of the prices used are the bundled {BUNDLED_REGION} ones, not "
                f"{prices.region}'s ({prices.origin} does not give them): " + ", ".join(shown))
    estimated = est.estimated_items()
    if estimated:
        est.warnings.append(
            f"{len(estimated)} line item(s) use estimated rates (marked *): "
            + "; ".join(sorted({f'{i.resource}: {i.basis}' for i in estimated})))
    unpriced = est.unpriced()
    if unpriced:
        bound = est.unpriced_bound()
        by = "an unknown amount" if bound is None else f"up to ${bound:,.2f}"
        est.warnings.append(f"incomplete: {len(unpriced)} resource(s) not priced, so the total could be higher by "
                            f"{by}: " + "; ".join(f"{r.name} ({r.reason})" for r in unpriced))
