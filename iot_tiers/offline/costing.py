"""Glue between the capturing harness and the cost model.

``estimate_capture(capture)`` prices a :class:`~iot_tiers.offline.harness.Capture` (what
``run_stack`` recorded) for the traffic assumptions in the stack's own config;
``tiers cost`` prints it and ``tiers preview`` can show its total. The cost model
itself lives in ``policies/iot_tiers_policy/cost`` so the budget policy in the
published pack prices stacks the same way.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Optional, Union

from iot_tiers_policy.cost import Estimate, Traffic, estimate, from_captured, load_prices
from iot_tiers_policy.cost.prices import PriceTable
from iot_tiers_policy.cost.traffic import FIELDS

from .harness import Capture, run_stack


def traffic_from_capture(capture: Capture) -> Traffic:
    """The traffic assumptions in ``capture.config`` (keys ``<project>:trafficDevices`` or
    ``iot-tiers:trafficDevices``), defaults for the rest. Raises ValueError naming bad keys."""
    return Traffic.from_config(capture.config, namespaces=tuple({capture.project, "iot-tiers"}))


def set_keys(capture: Capture) -> set[str]:
    """Traffic keys the stack's config sets (the others are defaults)."""
    out = set()
    for full in capture.config:
        key = full.rpartition(":")[2]
        if any(f.key == key for f in FIELDS):
            out.add(key)
    return out


def estimate_capture(capture: Capture, prices: Optional[PriceTable] = None,
                     traffic: Optional[Traffic] = None) -> Estimate:
    """Monthly estimate of a captured stack.

    ``prices`` defaults to the bundled us-east-1 table; ``traffic`` defaults to the
    assumptions in the stack's config (see :func:`traffic_from_capture`).
    """
    return estimate(from_captured(capture.resources), traffic or traffic_from_capture(capture),
                    prices or load_prices())


def cost_stack(program_dir: Union[str, Path], stack: str, prices_file: Optional[str] = None) -> tuple[Capture, Estimate]:
    """Run the program for ``stack`` under mocks and price what it registers."""
    prices = load_prices(prices_file)
    capture = run_stack(program_dir, stack)
    return capture, estimate_capture(capture, prices)


# ---------------------------------------------------------------- rendering

def money(usd: Optional[float]) -> str:
    if usd is None:
        return "-"
    if abs(usd) < 0.01 and usd:
        return f"${usd:.4f}"
    return f"${usd:,.2f}"


def quantity(q: float) -> str:
    return f"{q:,.0f}" if abs(q) >= 100 or float(q).is_integer() else f"{q:,.3g}"


def render_table(headers: list[str], rows: list[list[str]], right: set[int] = frozenset()) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]

    def line(cells: list[str]) -> str:
        return "  ".join(c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths))).rstrip()

    return "\n".join([line(headers), line(["-" * w for w in widths])] + [line(r) for r in rows])


def render_estimate(est: Estimate, capture: Optional[Capture] = None, *, show_zero: bool = False) -> str:
    """The estimate as a text report: line items by tier, subtotals, total, assumptions, notes."""
    title = "Monthly cost estimate"
    if capture is not None:
        title += f" of stack {capture.stack} (project {capture.project})"
    out = [f"{title}: {est.region} list prices, USD, a month of 730 hours", ""]
    rows, hidden = [], 0
    for tier, subtotal in est.tiers().items():
        for i in (x for x in est.items if x.tier == tier):
            if not show_zero and i.usd == 0:
                hidden += 1
                continue
            rows.append([tier, i.resource, i.service, i.item, quantity(i.quantity), i.unit, money(i.usd), i.note])
        rows.append(["", "", "", f"{tier} subtotal", "", "", money(subtotal), ""])
    rows.append(["TOTAL", "", "", "", "", "", money(est.total), ""])
    out.append(render_table(["TIER", "RESOURCE", "SERVICE", "ITEM", "QUANTITY", "UNIT", "USD/MONTH", "NOTE"],
                            rows, right={4, 6}))
    if hidden:
        out.append(f"({hidden} line items at $0.00 not shown; --all or --json lists them)")
    out += ["", "Assumptions (stack config keys; set them in Pulumi.<stack>.yaml):"]
    given = set_keys(capture) if capture is not None else set()
    for f in FIELDS:
        value = getattr(est.traffic, f.arg)
        origin = "set in the stack" if f.key in given else "default"
        out.append(f"  {f.key} = {value:g}  ({origin})  {f.description}")
    out += ["", "Notes:"] + [f"  - {n}" for n in est.notes]
    out.append(f"  - prices: {est.price_origin}; each price's source page and check date are in the price file")
    return "\n".join(out)


def estimate_summary(est: Estimate) -> dict[str, Any]:
    """The short form ``tiers preview --json`` can embed: total and per-tier subtotals."""
    return {"total_usd": round(est.total, 2), "tiers": {k: round(v, 2) for k, v in est.tiers().items()},
            "region": est.region}


__all__ = ["cost_stack", "estimate_capture", "estimate_summary", "render_estimate", "traffic_from_capture"]
