"""EC2 vCPUs per instance class (Standard, G and VT, P, Inf...), On-Demand and Spot, at max capacity.

EC2 counts running instances against one vCPU quota per class and purchase option (the EC2 User
Guide's On-Demand and Spot quota pages). An Auto Scaling group at ``maxSize`` may run any of its
instance types, so each class gets the group's largest vCPU count among that class's types; a mixed
instances policy splits the capacity between On-Demand and Spot by ``onDemandBaseCapacity`` and
``onDemandPercentageAboveBaseCapacity`` (botocore autoscaling defaults: 0 and 100), each side rounded
up, and an instance refresh with ``maxHealthyPercentage`` above 100 runs that much more while it
replaces instances. A plain instance counts once. vCPU counts come from the bundled EC2 data of the
cost model (:mod:`..cost.prices`: its rows, else the size in the type's name); a type it does not know
is reported as not assessed, by name.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any, Iterator, Mapping, Optional, Union

from .._util import dig, is_unknown
from ..cost.prices import PriceError, PriceTable, family_of
from ..cost.view import StackView
from ..graph import Node
from ._read import UNREADABLE, count, plural, why
from .model import Need, NotAssessable, NotAssessed, Part, defaults, quota

GROUP = "aws:autoscaling/group:Group"
INSTANCE = "aws:ec2/instance:Instance"
SPOT_REQUEST = "aws:ec2/spotInstanceRequest:SpotInstanceRequest"
LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
LAUNCH_CONFIGURATION = "aws:ec2/launchConfiguration:LaunchConfiguration"
_LETTERS = re.compile(r"^([a-z]+)")


def instance_class(instance_type: str) -> Optional[str]:
    """The vCPU quota class of ``instance_type`` (``standard``, ``g_vt``, ``p``...), None when it has none."""
    m = _LETTERS.match(family_of(instance_type))
    letters = m.group(1) if m else ""
    for cls, prefixes in defaults()["ec2_classes"].items():
        if cls != "about" and letters in prefixes:
            return cls
    return None


def quota_key(market: str, cls: str) -> str:
    return f"ec2.{market}.{cls}"


def has_quota(market: str, cls: str) -> bool:
    return quota_key(market, cls) in defaults()["quotas"]


@dataclass(frozen=True)
class Shape:
    """An instance type the resource may launch: its vCPUs and capacity units (``weightedCapacity``)."""

    name: str
    vcpu: int
    weight: float
    cls: str


class Reader:
    """Collects every EC2 part of the stack, per quota, and what it could not assess."""

    def __init__(self, view: StackView, prices: PriceTable) -> None:
        self.view = view
        self.prices = prices
        self.needs: dict[str, Need] = {}
        self.skipped: list[NotAssessed] = []

    # ------------------------------------------------------------------ instance types
    def shapes(self, node: Node, candidates: list[tuple[Any, float]]) -> list[Shape]:
        """The candidates whose vCPUs and class are known; the others are reported as not assessed."""
        out = []
        for name, weight in candidates:
            why = self._unknown_shape(name)
            if why:
                self.skipped.append(NotAssessed(node.name, node.type, f"EC2 vCPUs of {name}", why))
                continue
            out.append(Shape(name, self.prices.instance(name).vcpu, weight, instance_class(name)))
        return out

    def _unknown_shape(self, name: Any) -> str:
        if not isinstance(name, str) or is_unknown(name):
            return "the instance type is not known until the update (a first preview)"
        try:
            inst = self.prices.instance(name)
        except PriceError:
            return f"{name} is not in the bundled EC2 instance data, so its vCPU count is unknown"
        if inst.vcpu is None:
            return f"the bundled EC2 instance data does not give the vCPU count of {name}"
        if instance_class(name) is None:
            return (f"{name} counts against no vCPU quota this report knows (mac instances run on Dedicated "
                    "Hosts, which have their own quotas)")
        return ""

    # ------------------------------------------------------------------ the parts
    def add(self, node: Node, market: str, units: float, shapes: list[Shape], why: str) -> None:
        """``units`` of capacity of ``node`` in ``market``: for each class, its worst type."""
        if units <= 0:
            return
        for cls in dict.fromkeys(s.cls for s in shapes):
            if not has_quota(market, cls):
                self.skipped.append(NotAssessed(node.name, node.type, f"{market.replace('_', '-')} {cls} vCPUs",
                                                f"AWS has no {market.replace('_', '-')} quota for {cls} instances"))
                continue
            of_class = [s for s in shapes if s.cls == cls]
            worst = max(of_class, key=lambda s: math.ceil(units / s.weight) * s.vcpu)
            instances = math.ceil(units / worst.weight)
            vcpus = instances * worst.vcpu
            types = ", ".join(f"{s.name} {s.vcpu}" for s in of_class)
            label = "largest vCPU count of" if len(of_class) > 1 else "vCPUs of"
            how = (f"{node.name}: {plural(instances, market.replace('_', '-') + ' instance')}"
                   f"{' ' + why if why else ''} x {worst.vcpu} vCPU ({label} {types})")
            key = quota_key(market, cls)
            self.needs.setdefault(key, Need(quota(key))).parts.append(Part(node.name, node.type, vcpus, how))

    def launch_source(self, node: Node, *props: str) -> Mapping[str, Any]:
        found = self.view.deps(node, *props, types=[LAUNCH_TEMPLATE, LAUNCH_CONFIGURATION])
        return found[0].props if found else {}

    def group(self, node: Node) -> None:
        p = node.props
        max_size = count(node, "maxSize")
        if max_size is None:
            raise NotAssessable("maxSize is not set")
        mip = p.get("mixedInstancesPolicy") or {}
        source = self.launch_source(node, "launchTemplate", "mixedInstancesPolicy", "launchConfiguration")
        candidates = _overrides(mip)
        if not candidates:
            if not source.get("instanceType"):
                raise NotAssessable("no instance type: no launch template or configuration in the stack gives one, "
                                    "and the mixed instances policy has no overrides")
            candidates = [(source["instanceType"], 1.0)]
        shapes = self.shapes(node, candidates)
        surge = count(node, "maxHealthyPercentage", 100, value=dig(p, "instanceRefresh", "preferences",
                                                                     "maxHealthyPercentage")) / 100
        peak = max_size * max(1.0, surge)
        at = f"maxSize {max_size:g}" + (f", {surge:.0%} during an instance refresh" if surge > 1 else "")
        if mip:
            dist = mip.get("instancesDistribution") or {}
            base = count(node, "onDemandBaseCapacity", 0, value=dist.get("onDemandBaseCapacity"))
            pct = count(node, "onDemandPercentageAboveBaseCapacity", 100,
                        value=dist.get("onDemandPercentageAboveBaseCapacity"))
            on_demand = (min(max_size, base) + max(0.0, max_size - base) * pct / 100) * max(1.0, surge)
            split = f"({at}; onDemandBaseCapacity {base:g}, {pct:g}% on-demand above it)"
            self.add(node, "on_demand", math.ceil(on_demand - 1e-9), shapes, split)
            self.add(node, "spot", math.ceil(peak - on_demand - 1e-9), shapes, split)
        else:
            market = "spot" if _asks_spot(source) else "on_demand"
            self.add(node, market, math.ceil(peak - 1e-9), shapes, f"({at})")

    def instance(self, node: Node) -> None:
        source = self.launch_source(node, "launchTemplate")
        itype = node.props.get("instanceType") or source.get("instanceType")
        if not itype:
            raise NotAssessable("no instance type (nor a launch template in the stack giving one)")
        spot = node.type == SPOT_REQUEST or _asks_spot(node.props) or _asks_spot(source)
        self.add(node, "spot" if spot else "on_demand", 1, self.shapes(node, [(itype, 1.0)]), "")


def _overrides(mip: Mapping[str, Any]) -> list[tuple[Any, float]]:
    out = []
    for o in dig(mip, "launchTemplate", "overrides", default=None) or []:
        if not isinstance(o, Mapping):
            continue
        if o.get("instanceRequirements"):
            raise NotAssessable("its instance types are chosen by attributes (instanceRequirements), "
                                "so the largest vCPU count is not known before launch")
        if o.get("instanceType"):
            weight = o.get("weightedCapacity")
            out.append((o["instanceType"], float(weight) if weight not in (None, "") and not is_unknown(weight)
                        else 1.0))
    return out


def _asks_spot(props: Mapping[str, Any]) -> bool:
    """A launch template or instance asking for Spot (``instanceMarketOptions.marketType``), or a launch
    configuration with a ``spotPrice``."""
    return dig(props, "instanceMarketOptions", "marketType") == "spot" or bool(props.get("spotPrice"))


def read(view: StackView, prices: PriceTable) -> Iterator[Union[Need, NotAssessed]]:
    reader = Reader(view, prices)
    for node in view.of_type(GROUP, INSTANCE, SPOT_REQUEST):
        try:
            (reader.group if node.type == GROUP else reader.instance)(node)
        except UNREADABLE as exc:
            reader.skipped.append(NotAssessed(node.name, node.type, "EC2 vCPUs", why(exc)))
    order = list(defaults()["quotas"])
    yield from sorted(reader.needs.values(), key=lambda n: order.index(n.quota.key))
    yield from reader.skipped
