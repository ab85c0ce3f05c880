"""What an estimate is made of: per-resource costs, their line items, and what could not be priced.

Every resource of the stack gets a :class:`ResourceCost` with a ``status``:

* ``priced``: its line items are in the total (some may be $0: a queue no traffic reaches);
* ``usage-based``: it costs only what it is used for and the usage file gives no usage
  (S3 storage, ECR images, log storage): $0, with the unit price shown;
* ``free``: AWS does not bill the resource itself (IAM, security groups, ...) or bills it
  on another resource (a launch template on its instances);
* ``component``: a grouping; its children are priced (``via-children`` for a remote
  component whose children are visible, so its inputs are not priced twice);
* ``unpriced``: it costs money but could not be priced (no price model for its type, a
  price the table lacks, inputs that make no sense); ``reason`` says why and
  ``bound_usd``, when known, how much it could add.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Optional

from .formulas import LineItem
from .traffic import Traffic

SHARED = "shared"
#: The pseudo-resource stack-wide line items (custom metrics) belong to.
STACK = "(stack)"
STATUSES = ("priced", "usage-based", "free", "component", "via-children", "unpriced")


class Unpriced(Exception):
    """Raised by a pricer for a resource it cannot price: the reason, and an upper bound if known."""

    def __init__(self, reason: str, bound_usd: Optional[float] = None, bound_basis: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.bound_usd = bound_usd
        self.bound_basis = bound_basis


@dataclass
class Priced:
    """What a pricer returns: line items, and the inputs it priced from (for diffs).

    ``drivers`` are the values that decide the cost (instance type, count, memory,
    the traffic that reaches it); a diff names the ones that changed. ``usage_based``
    marks a resource whose cost is all usage the usage file did not give.
    """

    items: list[LineItem] = field(default_factory=list)
    drivers: dict[str, Any] = field(default_factory=dict)
    usage_based: bool = False
    note: str = ""


@dataclass
class ResourceCost:
    urn: str
    name: str
    type: str
    tier: str
    status: str
    items: list[LineItem] = field(default_factory=list)
    reason: str = ""
    drivers: dict[str, Any] = field(default_factory=dict)
    usage: dict[str, Any] = field(default_factory=dict)
    #: every usage key the pricer read, with the value it used (given or the model's)
    usage_seen: dict[str, Any] = field(default_factory=dict)
    bound_usd: Optional[float] = None
    bound_basis: str = ""

    @property
    def usd(self) -> float:
        return sum(i.usd for i in self.items)

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "type": self.type, "urn": self.urn, "tier": self.tier,
                               "status": self.status, "monthly_usd": round(self.usd, 4)}
        if self.reason:
            out["reason"] = self.reason
        if self.status == "unpriced":
            out["bound_usd"] = None if self.bound_usd is None else round(self.bound_usd, 2)
            if self.bound_basis:
                out["bound_basis"] = self.bound_basis
        if self.drivers:
            out["drivers"] = _jsonable(self.drivers)
        if self.usage:
            out["usage"] = _jsonable(self.usage)
        if self.items:
            out["items"] = [dict(i.as_json(), usd=round(i.usd, 4)) for i in self.items]
        return out


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))


@dataclass
class Estimate:
    """Monthly cost of a stack: every resource, its line items, the assumptions and sources used."""

    resources: list[ResourceCost]
    traffic: Traffic
    region: str
    price_origin: str
    notes: list[str] = field(default_factory=list)
    #: What every output must say (a region the prices are not for, estimated rates...).
    warnings: list[str] = field(default_factory=list)
    stack_region: Optional[str] = None
    #: The EC2 dataset's header when an EC2 price was used.
    ec2_source: Optional[dict[str, Any]] = None
    ec2_source_line: str = ""
    usage_origin: Optional[str] = None

    @property
    def items(self) -> list[LineItem]:
        return [i for r in self.resources for i in r.items]

    @property
    def total(self) -> float:
        return sum(i.usd for i in self.items)

    def tiers(self) -> dict[str, float]:
        """Subtotal per tier, tiers in first-seen order and ``shared`` last."""
        out: dict[str, float] = {}
        for i in sorted(self.items, key=lambda i: i.tier == SHARED):
            out[i.tier] = out.get(i.tier, 0.0) + i.usd
        return out

    def top(self, n: int = 3) -> list[LineItem]:
        return sorted(self.items, key=lambda i: -i.usd)[:n]

    def unpriced(self) -> list[ResourceCost]:
        return [r for r in self.resources if r.status == "unpriced"]

    def unpriced_bound(self) -> Optional[float]:
        """How much the unpriced resources could add (None: an unknown amount; 0.0: nothing unpriced)."""
        bounds = [r.bound_usd for r in self.unpriced()]
        return None if any(b is None for b in bounds) else float(sum(bounds))

    def estimated_items(self) -> list[LineItem]:
        return [i for i in self.items if i.estimated]

    def counts(self) -> dict[str, int]:
        out = {s: 0 for s in STATUSES}
        for r in self.resources:
            if r.type != STACK:
                out[r.status] += 1
        return out

    def as_json(self) -> dict[str, Any]:
        bound = self.unpriced_bound()
        return {
            "version": 2,
            "region": self.region,
            "stack_region": self.stack_region,
            "currency": "USD",
            "prices": self.price_origin,
            "ec2_prices": self.ec2_source,
            "usage_file": self.usage_origin,
            "total_usd": round(self.total, 2),
            "tiers": {k: round(v, 2) for k, v in self.tiers().items()},
            "complete": not self.unpriced(),
            "unpriced": {"count": len(self.unpriced()), "bound_usd": None if bound is None else round(bound, 2)},
            "counts": self.counts(),
            "resources": [r.as_json() for r in self.resources],
            "items": [dict(i.as_json(), usd=round(i.usd, 4)) for i in self.items],
            "assumptions": {**self.traffic.as_config(),
                            "messagesPerMonth": self.traffic.messages_per_month,
                            "hoursPerMonth": 730},
            "warnings": self.warnings,
            "notes": self.notes,
        }


def to_json(est: Estimate) -> str:
    return json.dumps(est.as_json(), indent=2)
