"""The difference between two estimates, resource by resource (``tiers cost --compare-to``).

Both sides are estimates as ``--json`` writes them (:meth:`.model.Estimate.as_json`),
so a saved file, another stack and a git revision of the program compare the same
way. Resources are matched by type and name (a stack's URNs carry its name, so two
stacks' URNs never match). A resource is ``added``, ``removed`` or ``changed``
(its monthly cost moved, or whether it could be priced); each change says why:
the drivers its pricer priced from that differ (instance type, count, memory,
messages...), else the traffic assumptions that differ, else the prices.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Optional

#: Changes smaller than this (USD a month) are rounding, not changes.
EPSILON = 0.005


@dataclass
class ItemChange:
    item: str
    before: float
    after: float

    @property
    def delta(self) -> float:
        return self.after - self.before


@dataclass
class ResourceChange:
    name: str
    type: str
    tier: str
    change: str  # "added" | "removed" | "changed"
    before: float
    after: float
    reasons: list[str] = field(default_factory=list)
    items: list[ItemChange] = field(default_factory=list)

    @property
    def delta(self) -> float:
        return self.after - self.before

    def as_json(self) -> dict[str, Any]:
        return {"name": self.name, "type": self.type, "tier": self.tier, "change": self.change,
                "before_usd": round(self.before, 2), "after_usd": round(self.after, 2),
                "delta_usd": round(self.delta, 2), "reasons": self.reasons,
                "items": [{"item": i.item, "before_usd": round(i.before, 4), "after_usd": round(i.after, 4),
                           "delta_usd": round(i.delta, 4)} for i in self.items]}


@dataclass
class Diff:
    before_label: str
    after_label: str
    before_total: float
    after_total: float
    changes: list[ResourceChange]
    assumptions: dict[str, tuple[Any, Any]]
    warnings: list[str] = field(default_factory=list)

    @property
    def delta(self) -> float:
        return self.after_total - self.before_total

    @property
    def percent(self) -> Optional[float]:
        return None if not self.before_total else 100 * self.delta / self.before_total

    def as_json(self) -> dict[str, Any]:
        return {"compared_to": self.before_label, "past_total_usd": round(self.before_total, 2),
                "total_usd": round(self.after_total, 2), "delta_usd": round(self.delta, 2),
                "delta_percent": None if self.percent is None else round(self.percent, 2),
                "changes": [c.as_json() for c in self.changes],
                "assumptions_changed": {k: {"before": a, "after": b} for k, (a, b) in self.assumptions.items()},
                "warnings": self.warnings}


def _resources(doc: Mapping[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    """Resources of an estimate document by (type, name); older documents have only items."""
    if doc.get("resources") is not None:
        return {(r["type"], r["name"]): r for r in doc["resources"]}
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for i in doc.get("items") or []:
        name = i.get("resource", "")
        key = (i.get("resource_type") or ("(stack)" if name == "(stack)" else ""), name)
        r = out.setdefault(key, {"name": key[1], "type": key[0], "tier": i.get("tier", ""), "status": "priced",
                                 "monthly_usd": 0.0, "items": [], "drivers": {}})
        r["items"].append(i)
        r["monthly_usd"] += float(i.get("usd") or 0)
    return out


def _usd(r: Optional[Mapping[str, Any]]) -> float:
    return float(r.get("monthly_usd") or 0) if r else 0.0


def _item_key(items: list[Mapping[str, Any]]) -> dict[str, tuple[str, float]]:
    """Items keyed by price key and occurrence (labels carry values, so they change with them)."""
    seen: dict[str, int] = {}
    out = {}
    for i in items:
        k = i.get("price_key") or i.get("item", "")
        n = seen.get(k, 0)
        seen[k] = n + 1
        out[f"{k}#{n}"] = (i.get("item", k), float(i.get("usd") or 0))
    return out


def _fmt(v: Any) -> str:
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return f"{v:,}" if isinstance(v, (int, float)) and not isinstance(v, bool) else str(v)


def compare(before: Mapping[str, Any], after: Mapping[str, Any], *, before_label: str = "before",
            after_label: str = "after") -> Diff:
    """What changed from ``before`` to ``after`` (two estimate documents)."""
    b_res, a_res = _resources(before), _resources(after)
    a_assume = after.get("assumptions") or {}
    b_assume = before.get("assumptions") or {}
    assumptions = {k: (b_assume.get(k), a_assume.get(k)) for k in sorted(set(a_assume) | set(b_assume))
                   if k not in ("hoursPerMonth",) and b_assume.get(k) != a_assume.get(k)}
    traffic_keys = [k for k in assumptions if k.startswith("traffic")]
    changes = []
    for key in list(b_res) + [k for k in a_res if k not in b_res]:
        b, a = b_res.get(key), a_res.get(key)
        rb, ra = _usd(b), _usd(a)
        if b is None or a is None:
            if abs(ra - rb) < EPSILON and (a or b).get("status") != "unpriced":
                continue
            r = a or b
            change = "added" if b is None else "removed"
            items = [ItemChange(i.get("item", ""), 0.0 if b is None else float(i.get("usd") or 0),
                                float(i.get("usd") or 0) if b is None else 0.0) for i in r.get("items") or []]
            reasons = [f"not priced: {r.get('reason')}"] if r.get("status") == "unpriced" else []
            changes.append(ResourceChange(r["name"], r["type"], r.get("tier", ""), change, rb, ra, reasons,
                                          [i for i in items if abs(i.delta) >= EPSILON]))
            continue
        status_changed = (b.get("status") == "unpriced") != (a.get("status") == "unpriced")
        if abs(ra - rb) < EPSILON and not status_changed:
            continue
        reasons = []
        bd, ad = b.get("drivers") or {}, a.get("drivers") or {}
        for k in [k for k in ad if k in bd]:  # a side without drivers (an older estimate) names none
            if bd[k] != ad[k]:
                reasons.append(f"{k} {_fmt(bd[k])} -> {_fmt(ad[k])}")
        if status_changed:
            reasons.append(f"now not priced: {a.get('reason')}" if a.get("status") == "unpriced"
                           else f"now priced (was not: {b.get('reason')})")
        if traffic_keys and not reasons:
            reasons.append("traffic: " + ", ".join(f"{k} {_fmt(assumptions[k][0])} -> {_fmt(assumptions[k][1])}"
                                                   for k in traffic_keys))
        if not reasons:
            reasons.append("prices or the cost model changed")
        bi, ai = _item_key(b.get("items") or []), _item_key(a.get("items") or [])
        items = [ItemChange(ai.get(k, bi.get(k))[0], bi.get(k, ("", 0.0))[1], ai.get(k, ("", 0.0))[1])
                 for k in list(bi) + [k for k in ai if k not in bi]]
        changes.append(ResourceChange(a["name"], a["type"], a.get("tier", ""), "changed", rb, ra, reasons,
                                      [i for i in items if abs(i.delta) >= EPSILON]))
    changes.sort(key=lambda c: -abs(c.delta))
    warnings = []
    if before.get("region") != after.get("region"):
        warnings.append(f"the two estimates use different price regions ({before.get('region')} before, "
                        f"{after.get('region')} after)")
    return Diff(before_label, after_label, float(before.get("total_usd") or 0), float(after.get("total_usd") or 0),
                changes, assumptions, warnings)
